//! `rtspeek bridge`'s security rules and limits (docs/bridge-protocol.md), with real sockets on 127.0.0.1:
//! the token, the Origin and Host checks, the loopback-only bind, the HTTP side (assets, headers, 404, 405,
//! bounded heads) and the WebSocket limits.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::bridge::{
    Attempt, Incoming, WAIT, attempt, get, host, http, next, next_text, page, send, start,
};
use futures::SinkExt as _;
use rtspeek_bridge::bridge::{Bridge, BridgeError, BridgeOptions, Limits};
use serde_json::json;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

/// A refused attempt: what it shows, the token, the Origin and the Host sent (`None`: left out).
type Case<'a> = (&'a str, Option<&'a str>, Option<String>, Option<String>);

#[tokio::test]
async fn the_websocket_needs_the_token_the_bridge_origin_and_a_loopback_host() {
    let bridge = start(Limits::default()).await;
    let origin = bridge.origin();
    let token = bridge.token().to_owned();
    let port = bridge.addr().port();
    let mut wrong = token.clone();
    wrong.replace_range(..1, if token.starts_with('0') { "1" } else { "0" });
    let cases: [Case<'_>; 9] = [
        ("no token", None, Some(origin.clone()), None),
        ("empty token", Some(""), Some(origin.clone()), None),
        ("wrong token", Some(&wrong), Some(origin.clone()), None),
        ("token prefix", Some(&token[..32]), Some(origin.clone()), None),
        ("foreign Origin", Some(&token), Some("http://evil.example".into()), None),
        ("foreign Origin on our port", Some(&token), Some(format!("http://evil.example:{port}")), None),
        ("no Origin", Some(&token), None, None),
        ("opaque Origin", Some(&token), Some("null".into()), None),
        // DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends its own name.
        (
            "rebinding Host",
            Some(&token),
            Some(format!("http://evil.example:{port}")),
            Some(format!("evil.example:{port}")),
        ),
    ];
    for (what, token, origin, host) in &cases {
        let outcome = attempt(&bridge, *token, origin.as_deref(), host.as_deref()).await;
        assert_eq!(outcome.status(), 403, "{what}");
    }
    // The rebinding page cannot even fetch the page, nor any file.
    let rebinding = get(&bridge, "GET", "/", &format!("evil.example:{port}")).await;
    assert_eq!(rebinding.status, 403);
    // A Host on the wrong port (another local service's name for us) is refused too.
    let outcome =
        attempt(&bridge, Some(&token), Some(&origin), Some(&format!("127.0.0.1:{}", port + 1))).await;
    assert_eq!(outcome.status(), 403);
    // Each of the bridge's own names works.
    for name in ["127.0.0.1", "localhost", "[::1]"] {
        let outcome = attempt(&bridge, Some(&token), Some(&format!("http://{name}:{port}")), None).await;
        assert_eq!(outcome.status(), 101, "{name}");
    }
    bridge.shutdown().await;
}

/// The point of the checks: a page of another origin cannot make the bridge connect anywhere. A stand-in LAN
/// camera (a TCP listener) counts the connections it gets: none from the refused attempts, one from the real
/// page's probe.
#[tokio::test]
async fn a_foreign_page_cannot_reach_the_lan_through_the_bridge() {
    let camera = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let camera_addr = camera.local_addr().expect("addr");
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reached);
    tokio::spawn(async move {
        while let Ok((stream, _)) = camera.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let bridge = start(Limits::default()).await;
    let port = bridge.addr().port();
    let probe = json!({"type": "probe", "id": 1, "url": format!("rtsp://{camera_addr}/x"), "duration": 0});
    let foreign = [
        (Some(bridge.token().to_owned()), Some("http://evil.example".to_owned()), None),
        (
            Some(bridge.token().to_owned()),
            Some(format!("http://evil.example:{port}")),
            Some(format!("evil.example:{port}")),
        ),
        (None, Some(bridge.origin()), None),
    ];
    for (token, origin, host) in &foreign {
        match attempt(&bridge, token.as_deref(), origin.as_deref(), host.as_deref()).await {
            Attempt::Open(mut ws) => {
                send(&mut ws, probe.clone()).await;
                panic!("a foreign page got a WebSocket ({origin:?}, {host:?})");
            }
            Attempt::Refused { status, body } => {
                assert_eq!(status, 403, "{body}");
                // What a foreign page could read: nothing that lets it share our resources.
                assert!(!body.contains(bridge.token()));
            }
        }
    }
    // Cross-origin reads are not allowed either: no CORS header on anything.
    let index = get(&bridge, "GET", "/", &host(&bridge)).await;
    assert_eq!(index.header("access-control-allow-origin"), None);
    assert_eq!(index.header("cross-origin-resource-policy"), Some("same-origin"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reached.load(Ordering::SeqCst), 0, "a refused page made the bridge connect");

    // The bridge's own page can (so the counter above would have seen it).
    let mut ws = page(&bridge).await;
    send(&mut ws, probe).await;
    loop {
        let message = next_text(&mut ws).await;
        if message["type"] == "event" && message["event"]["event"] == "done" {
            break;
        }
    }
    assert!(reached.load(Ordering::SeqCst) >= 1);
    bridge.shutdown().await;
}

fn options_bind(bind: &str) -> std::net::SocketAddr {
    bind.parse().expect("addr")
}

#[tokio::test]
async fn a_non_loopback_bind_needs_the_explicit_flag() {
    for bind in ["0.0.0.0:0", "[::]:0"] {
        let options = BridgeOptions { bind: bind.parse().expect("addr"), ..BridgeOptions::default() };
        let err = Bridge::start(options).await.expect_err(bind);
        assert!(matches!(err, BridgeError::NotLoopback(addr) if addr == options_bind(bind)), "{err}");
        let text = err.to_string();
        assert!(text.contains("not a loopback address") && text.contains("--allow-non-loopback"), "{text}");
    }
    let options = BridgeOptions {
        bind: "0.0.0.0:0".parse().expect("addr"),
        allow_non_loopback: true,
        ..BridgeOptions::default()
    };
    let bridge = Bridge::start(options).await.expect("allowed explicitly");
    assert!(bridge.url().starts_with("http://127.0.0.1:"));
    // Reached by address, names still refused (an address cannot be rebound).
    let port = bridge.addr().port();
    assert_eq!(get(&bridge, "GET", "/", &format!("127.0.0.1:{port}")).await.status, 200);
    assert_eq!(get(&bridge, "GET", "/", &format!("evil.example:{port}")).await.status, 403);
    bridge.shutdown().await;

    // The command line says so and exits with the usage status.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtspeek"))
        .args(["bridge", "--bind", "0.0.0.0:0"])
        .output()
        .expect("run rtspeek bridge");
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-non-loopback"));
}

#[tokio::test]
async fn static_files_with_their_types_and_security_headers() {
    let bridge = start(Limits::default()).await;
    let host = host(&bridge);
    let index = get(&bridge, "GET", "/", &host).await;
    assert_eq!(index.status, 200);
    assert_eq!(index.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(index.header("content-length").and_then(|l| l.parse().ok()), Some(index.body.len()));
    for (name, value) in [
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("connection", "close"),
    ] {
        assert_eq!(index.header(name), Some(value), "{name}");
    }
    let csp = index.header("content-security-policy").expect("a CSP");
    for part in ["default-src 'self'", "'wasm-unsafe-eval'", &format!("connect-src 'self' ws://{host}")] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(String::from_utf8_lossy(&index.body).contains("<html"));
    assert_eq!(get(&bridge, "GET", "/index.html?v=1", &host).await.body, index.body);

    let head = get(&bridge, "HEAD", "/index.html", &host).await;
    assert_eq!((head.status, head.body.len()), (200, 0));
    assert_eq!(head.header("content-length"), index.header("content-length"));

    assert_eq!(get(&bridge, "GET", "/no/such/file.js", &host).await.status, 404);
    assert_eq!(get(&bridge, "GET", "/../Cargo.toml", &host).await.status, 404);
    let post = get(&bridge, "POST", "/", &host).await;
    assert_eq!((post.status, post.header("allow")), (405, Some("GET, HEAD")));
    assert_eq!(get(&bridge, "DELETE", "/ws", &host).await.status, 405);
    let missing_host = http(&bridge, b"GET / HTTP/1.1\r\n\r\n").await;
    assert_eq!(missing_host.status, 403);
    let two_hosts =
        http(&bridge, format!("GET / HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\n\r\n").as_bytes()).await;
    assert_eq!(two_hosts.status, 403);
    assert_eq!(http(&bridge, b"\x16\x03\x01\x00\xa5garbage\r\n\r\n").await.status, 400);
    // A plain GET of the WebSocket path (right token and Origin) is told to upgrade.
    let plain = http(
        &bridge,
        format!(
            "GET /ws?token={} HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\n\r\n",
            bridge.token(),
            bridge.origin()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!((plain.status, plain.header("upgrade")), (426, Some("websocket")));
    bridge.shutdown().await;
}

/// A connection from `from` (a loopback address) that sent half a request head and waits.
async fn idle_from(bridge: &rtspeek_bridge::bridge::Bridge, from: &str) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind(format!("{from}:0").parse().expect("address")).expect("bind");
    let mut stream = socket.connect(bridge.addr()).await.expect("connect");
    stream.write_all(b"GET / HTTP/1.1\r\n").await.expect("write");
    stream
}

/// Whether a new connection from `from` is served (a full request gets an HTTP answer) or closed at once.
async fn served_from(bridge: &rtspeek_bridge::bridge::Bridge, from: &str) -> bool {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind(format!("{from}:0").parse().expect("address")).expect("bind");
    let mut stream = socket.connect(bridge.addr()).await.expect("connect");
    let request = format!("GET /index.html HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", host(bridge));
    let _ = stream.write_all(request.as_bytes()).await;
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(WAIT, tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut bytes)).await;
    bytes.starts_with(b"HTTP/1.1 ")
}

#[tokio::test]
async fn connections_are_limited_per_address_and_in_all() {
    let limits = Limits { max_connections_per_ip: 3, max_connections: 5, ..Limits::default() };
    let bridge = start(limits).await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(idle_from(&bridge, "127.0.0.1").await);
    }
    assert!(!served_from(&bridge, "127.0.0.1").await, "a fourth from one address is closed at accept");
    assert!(served_from(&bridge, "127.0.0.2").await, "another address still gets in");
    for _ in 0..2 {
        idle.push(idle_from(&bridge, "127.0.0.2").await);
    }
    assert!(!served_from(&bridge, "127.0.0.3").await, "over max_connections: closed at accept");
    // Closed ones free their places.
    drop(idle);
    let deadline = tokio::time::Instant::now() + WAIT;
    while !served_from(&bridge, "127.0.0.1").await {
        assert!(tokio::time::Instant::now() < deadline, "places were not freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bridge.shutdown().await;
}

#[tokio::test]
async fn request_heads_are_bounded_in_size_and_time() {
    let limits = Limits { head_timeout: Duration::from_millis(300), ..Limits::default() };
    let bridge = start(limits).await;
    let host = host(&bridge);
    let big = format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Padding: {}\r\n\r\n", "a".repeat(9000));
    let response = http(&bridge, big.as_bytes()).await;
    assert_eq!(response.status, 431);

    // A client that never finishes its head gets 408 and the connection closes.
    let mut slow = TcpStream::connect(bridge.addr()).await.expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: ").await.expect("write");
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(WAIT, tokio::io::AsyncReadExt::read_to_end(&mut slow, &mut bytes)).await;
    assert!(read.is_ok(), "the bridge closes a slow client");
    // 408 is the head timeout's answer (300 ms), not the end of the test's own wait.
    assert_eq!(crate::support::bridge::parse_response(&bytes).status, 408);
    bridge.shutdown().await;
}

#[tokio::test]
async fn too_large_and_binary_messages_are_refused() {
    let bridge = start(Limits::default()).await;
    let mut ws = page(&bridge).await;
    ws.send(Message::binary(vec![1u8, 2, 3])).await.expect("send");
    let error = next_text(&mut ws).await;
    assert_eq!(error["type"], "error");
    assert!(error.get("id").is_none(), "{error}");
    assert!(error["message"].as_str().unwrap_or_default().contains("binary"), "{error}");

    // Garbage and unknown commands are errors about the message; the connection stays.
    send(&mut ws, json!({"type": "dance", "id": 1})).await;
    let error = next_text(&mut ws).await;
    assert!(error["type"] == "error" && error.get("id").is_none(), "{error}");
    ws.send(Message::text("{not json")).await.expect("send");
    assert_eq!(next_text(&mut ws).await["type"], "error");

    // 256 KiB is the limit: a CA bundle fits, more is refused and the connection closes (1009).
    let padding = "x".repeat(256 * 1024);
    ws.send(Message::text(format!("{{\"type\":\"stop\",\"id\":1,\"p\":\"{padding}\"}}")))
        .await
        .expect("send");
    let error = next_text(&mut ws).await;
    assert!(error["message"].as_str().unwrap_or_default().contains("too large"), "{error}");
    match next(&mut ws).await {
        Incoming::Closed(code) => assert_eq!(code, Some(1009)),
        other => panic!("expected the close, got {other:?}"),
    }
    bridge.shutdown().await;
}

/// Probes of a camera that accepts and never answers: they run until stopped.
async fn silent_camera() -> std::net::SocketAddr {
    let camera = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = camera.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = camera.accept().await {
            held.push(stream);
        }
    });
    addr
}

#[tokio::test]
async fn probes_are_limited_per_connection_and_per_bridge() {
    let camera = silent_camera().await;
    let bridge = start(Limits::default()).await;
    let probe =
        |id: u32| json!({"type": "probe", "id": id, "url": format!("rtsp://{camera}/x"), "timeout": 20});
    let mut first = page(&bridge).await;
    send(&mut first, probe(1)).await;
    send(&mut first, probe(2)).await;
    // The same id again is an error about the message (the running probe 1 is not ended).
    send(&mut first, probe(1)).await;
    send(&mut first, probe(3)).await;
    let mut errors = Vec::new();
    while errors.len() < 2 {
        let message = next_text(&mut first).await;
        if message["type"] == "error" {
            errors.push(message);
        }
    }
    assert!(errors[0].get("id").is_none(), "{}", errors[0]);
    assert!(errors[0]["message"].as_str().unwrap_or_default().contains("already running"), "{}", errors[0]);
    assert_eq!(errors[1]["id"], 3);
    assert!(errors[1]["message"].as_str().unwrap_or_default().starts_with("busy"), "{}", errors[1]);

    let mut second = page(&bridge).await;
    send(&mut second, probe(1)).await;
    send(&mut second, probe(2)).await;
    let mut third = page(&bridge).await;
    send(&mut third, probe(9)).await;
    let busy = loop {
        let message = next_text(&mut third).await;
        if message["type"] == "error" {
            break message;
        }
    };
    assert_eq!(busy["id"], 9);
    assert!(busy["message"].as_str().unwrap_or_default().contains("on this bridge"), "{busy}");

    // Stopping frees the places; each stopped probe still ends with `done`.
    for (ws, ids) in [(&mut first, [1, 2]), (&mut second, [1, 2])] {
        for id in ids {
            send(ws, json!({"type": "stop", "id": id})).await;
        }
        let mut done = Vec::new();
        while done.len() < 2 {
            let message = next_text(ws).await;
            if message["type"] == "event" && message["event"]["event"] == "done" {
                done.push(message["id"].as_u64().expect("an id"));
            }
        }
        done.sort_unstable();
        assert_eq!(done, [1, 2]);
    }
    send(&mut third, probe(9)).await;
    let started = loop {
        let message = next_text(&mut third).await;
        assert_ne!(message["type"], "error", "{message}");
        if message["type"] == "event" {
            break message;
        }
    };
    assert_eq!(started["id"], 9);
    bridge.shutdown().await;
}

#[tokio::test]
async fn websocket_connections_are_limited() {
    let bridge = start(Limits { max_websockets: 3, ..Limits::default() }).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(page(&bridge).await);
    }
    let origin = bridge.origin();
    let refused = attempt(&bridge, Some(bridge.token()), Some(&origin), None).await;
    assert_eq!(refused.status(), 503);
    // A closed one frees its place.
    let mut one = open.pop().expect("three open");
    one.close(None).await.expect("close");
    drop(one);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match attempt(&bridge, Some(bridge.token()), Some(&origin), None).await {
            Attempt::Open(_) => break,
            Attempt::Refused { status: 503, .. } if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Attempt::Refused { status, body } => panic!("{status}: {body}"),
        }
    }
    bridge.shutdown().await;
}

#[tokio::test]
async fn bad_probe_commands_are_errors_with_their_id_and_never_echo_a_password() {
    let bridge = start(Limits::default()).await;
    let mut ws = page(&bridge).await;
    let cases = [
        json!({"type": "probe", "id": 4, "url": "http://admin:hunter2@cam.example/x"}),
        json!({"type": "probe", "id": 5, "url": "admin:hunter2@cam.example:notaport/x"}),
        json!({"type": "probe", "id": 6, "url": "rtsps://cam.example/x", "password": 12345}),
        json!({"type": "probe", "id": 7, "url": "rtsps://cam.example/x", "duration": 301}),
        json!({"type": "probe", "id": 8, "url": "rtsps://cam.example/x", "ca_pem": "hunter2"}),
        json!({"type": "probe", "id": 9, "url": "rtsps://cam.example/x", "transport": "hunter2"}),
    ];
    for case in cases {
        send(&mut ws, case.clone()).await;
        let error = next_text(&mut ws).await;
        assert_eq!(error["type"], "error", "{case}: {error}");
        assert_eq!(error["id"], case["id"], "{error}");
        let text = error.to_string();
        assert!(!text.contains("hunter2") && !text.contains("12345"), "{text}");
    }
    bridge.shutdown().await;
}
