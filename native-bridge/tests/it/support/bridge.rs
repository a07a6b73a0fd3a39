//! A bridge on 127.0.0.1 and the clients a page (or an attacker's page) would be: raw HTTP requests and
//! WebSockets with chosen `Host` and `Origin` headers. Every wait is bounded.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use rtspeek_bridge::bridge::{Bridge, BridgeOptions, Limits};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// Bound on any single wait of a test.
pub(crate) const WAIT: Duration = Duration::from_secs(15);

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A bridge on a free loopback port.
pub(crate) async fn start(limits: Limits) -> Bridge {
    Bridge::start(BridgeOptions { limits, ..BridgeOptions::default() }).await.expect("the bridge starts")
}

/// `127.0.0.1:PORT`.
pub(crate) fn host(bridge: &Bridge) -> String {
    format!("127.0.0.1:{}", bridge.addr().port())
}

/// What a WebSocket attempt gave: the socket, or the HTTP status and body that refused it.
pub(crate) enum Attempt {
    Open(Box<Ws>),
    Refused { status: u16, body: String },
}

impl Attempt {
    pub(crate) fn status(&self) -> u16 {
        match self {
            Attempt::Open(_) => 101,
            Attempt::Refused { status, .. } => *status,
        }
    }
}

/// A WebSocket to the bridge with these headers (`None`: header left out).
pub(crate) async fn attempt(
    bridge: &Bridge,
    token: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
) -> Attempt {
    let query = token.map(|t| format!("?token={t}")).unwrap_or_default();
    let mut request =
        format!("ws://{}/ws{query}", bridge.addr()).into_client_request().expect("a valid request");
    if let Some(origin) = origin {
        request.headers_mut().insert("Origin", HeaderValue::from_str(origin).expect("header"));
    }
    if let Some(host) = host {
        request.headers_mut().insert("Host", HeaderValue::from_str(host).expect("header"));
    }
    match tokio::time::timeout(WAIT, connect_async(request)).await.expect("the handshake is bounded") {
        Ok((ws, _)) => Attempt::Open(Box::new(ws)),
        Err(WsError::Http(response)) => Attempt::Refused {
            status: response.status().as_u16(),
            body: String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned(),
        },
        Err(e) => panic!("WebSocket handshake failed: {e}"),
    }
}

/// The bridge's own page: right token, Origin and Host. Returns after the `hello`.
pub(crate) async fn page(bridge: &Bridge) -> Ws {
    let origin = bridge.origin();
    let Attempt::Open(mut ws) = attempt(bridge, Some(bridge.token()), Some(&origin), None).await else {
        panic!("the bridge's own page is refused");
    };
    let hello = next(&mut ws).await;
    let Incoming::Text(hello) = hello else { panic!("hello first, got {hello:?}") };
    assert_eq!(hello["type"], "hello", "{hello}");
    *ws
}

/// One message from the bridge.
#[derive(Debug)]
pub(crate) enum Incoming {
    Text(Value),
    Binary(Vec<u8>),
    Closed(Option<u16>),
}

/// The next text, binary or close (pings are answered by the client library).
pub(crate) async fn next(ws: &mut Ws) -> Incoming {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next()).await.expect("the bridge answers in time");
        match message {
            None | Some(Err(_)) => return Incoming::Closed(None),
            Some(Ok(Message::Text(text))) => {
                return Incoming::Text(serde_json::from_str(text.as_str()).expect("JSON from the bridge"));
            }
            Some(Ok(Message::Binary(bytes))) => return Incoming::Binary(bytes.to_vec()),
            Some(Ok(Message::Close(frame))) => return Incoming::Closed(frame.map(|f| u16::from(f.code))),
            Some(Ok(_)) => {}
        }
    }
}

/// The next text message (binary ones are skipped).
pub(crate) async fn next_text(ws: &mut Ws) -> Value {
    loop {
        match next(ws).await {
            Incoming::Text(value) => return value,
            Incoming::Binary(_) => {}
            Incoming::Closed(code) => panic!("closed ({code:?}) while waiting for a text message"),
        }
    }
}

/// Sends a JSON message.
pub(crate) async fn send(ws: &mut Ws, value: Value) {
    ws.send(Message::text(value.to_string())).await.expect("send");
}

/// A raw HTTP exchange: the status, the headers (names lowercase) and the body.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Sends `request` as is and reads the response to the end of the connection.
pub(crate) async fn http(bridge: &Bridge, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(bridge.addr()).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut bytes = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut bytes)).await.expect("bounded").expect("read");
    parse_response(&bytes)
}

/// `GET path` with `Host` (and nothing else).
pub(crate) async fn get(bridge: &Bridge, method: &str, path: &str, host: &str) -> RawResponse {
    http(bridge, format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes()).await
}

pub(crate) fn parse_response(bytes: &[u8]) -> RawResponse {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = std::str::from_utf8(&bytes[..end]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status code");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    RawResponse { status, headers, body: bytes[end + 4..].to_vec() }
}
