//! `rtspeek serve`'s limits, with the server running in this process (so its counters can be read): the
//! `max_connections` refusal, the per-address limit, a viewer that stops reading (dropped, while another viewer
//! loses nothing), and a PLAY/PAUSE loop that must not turn the stream into keyframes. Loopback only; every wait
//! is bounded and polls observable state.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::support::serve::{Pki, basic_config};
use rtspeek_bridge::player::{self, Counters, Target};
use rtspeek_bridge::serve::Server;
use rtspeek_bridge::serve::config::ServeConfig;
use rtspeek_core::codec::{Codec, Depacketizer};
use rtspeek_core::rtp::RtpPacket;
use rtspeek_core::rtsp::headers::Session;
use rtspeek_core::rtsp::{Message, Url};
use rtspeek_tests::rtsp_client::RtspClient;
use tokio::io::AsyncReadExt as _;
use tokio::net::{TcpSocket, TcpStream};

/// Bound on each answer and each wait for the server to act.
const WAIT: Duration = Duration::from_secs(20);

/// Starts the server of `config` (written next to the PKI) in `runtime`.
fn start(runtime: &tokio::runtime::Runtime, pki: &Pki, config: &str) -> Server {
    let path = pki.path().join("serve.toml");
    std::fs::write(&path, config).expect("write serve.toml");
    let config = ServeConfig::load(&path).unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(Server::start(config)).unwrap_or_else(|e| panic!("{e}"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// `127.0.0.1:port` of a URL.
fn authority(url: &str) -> String {
    url.split("://").nth(1).and_then(|r| r.split('/').next()).expect("an authority").to_owned()
}

/// Polls `done` every 20 ms until it holds, for at most [`WAIT`].
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One raw RTSP connection (plain TCP, RTP interleaved).
type Rtsp = RtspClient<TcpStream>;

async fn connect(authority: &str) -> Rtsp {
    RtspClient::new(TcpStream::connect(authority).await.expect("connect"))
}

/// SETUP (interleaved 0-1) and PLAY of `url`: the session id.
async fn setup_and_play(c: &mut Rtsp, url: &str) -> String {
    let transport = [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")];
    let r = c.request("SETUP", &format!("{url}/trackID=0"), &transport).await.expect("SETUP answered");
    assert_eq!(r.status.as_u16(), 200);
    let session = r.headers.typed::<Session>().unwrap().expect("a Session").id;
    let r = c.request("PLAY", url, &[("Session", &session)]).await.expect("PLAY answered");
    assert_eq!(r.status.as_u16(), 200);
    session
}

/// Whether the next `n` access units received on channel 0 hold keyframes, in order.
async fn keyframes_in_next(c: &mut Rtsp, n: usize) -> Vec<bool> {
    let mut depacketizer = Depacketizer::new(Codec::H264);
    let mut out = Vec::new();
    while out.len() < n {
        let Some(Message::Interleaved(frame)) = c.next().await else { panic!("media expected") };
        let Ok(packet) = RtpPacket::parse(&frame.payload) else { continue };
        if frame.channel != 0 {
            continue;
        }
        depacketizer.push(packet.sequence(), packet.timestamp(), packet.marker(), packet.payload());
        while let Some(au) = depacketizer.pop() {
            out.push(au.keyframe);
        }
    }
    out.truncate(n);
    out
}

/// Whether the server answers an OPTIONS on a new connection (false: it closed the connection unanswered).
async fn answered(rtsp: &mut Rtsp) -> bool {
    match rtsp.request("OPTIONS", "*", &[]).await {
        Some(r) => r.status.as_u16() == 200,
        None => false,
    }
}

#[test]
fn max_connections_refuses_at_accept_and_a_freed_place_is_reused() {
    let pki = Pki::new();
    let config = basic_config(&pki, "").replace("[server]\n", "[server]\nmax_connections = 3\n");
    let rt = runtime();
    let server = start(&rt, &pki, &config);
    let plain = authority(&server.url("synthetic", false).unwrap());
    let stats = &server.shared.stats;
    rt.block_on(async {
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut c = connect(&plain).await;
            assert!(answered(&mut c).await, "a connection within max_connections is served");
            held.push(c);
        }
        let mut refused = connect(&plain).await;
        assert!(!answered(&mut refused).await, "a fourth connection is closed unanswered");
        assert_eq!(stats.refused_full.load(Ordering::Relaxed), 1);
        assert_eq!(stats.refused_per_ip.load(Ordering::Relaxed), 0);
        // The held ones are still served.
        for c in &mut held {
            assert!(answered(c).await);
        }
        // One leaves: its place goes to the next client (once the server has seen it go).
        drop(held.pop());
        let deadline = Instant::now() + WAIT;
        loop {
            let mut c = connect(&plain).await;
            if answered(&mut c).await {
                break;
            }
            assert!(Instant::now() < deadline, "the freed place was not given to a new connection");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    rt.block_on(server.shutdown());
}

#[test]
fn max_connections_per_ip_refuses_one_address_and_serves_another() {
    let pki = Pki::new();
    let config = basic_config(&pki, "").replace("[server]\n", "[server]\nmax_connections_per_ip = 2\n");
    let rt = runtime();
    let server = start(&rt, &pki, &config);
    let plain = authority(&server.url("synthetic", false).unwrap());
    let stats = &server.shared.stats;
    rt.block_on(async {
        let mut first = connect(&plain).await;
        let mut second = connect(&plain).await;
        assert!(answered(&mut first).await && answered(&mut second).await);
        let mut third = connect(&plain).await;
        assert!(!answered(&mut third).await, "a third connection from 127.0.0.1 is closed unanswered");
        assert_eq!(stats.refused_per_ip.load(Ordering::Relaxed), 1);

        // Another loopback address is another client.
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).expect("bind 127.0.0.2");
        let tcp = socket.connect(plain.parse().unwrap()).await.expect("connect from 127.0.0.2");
        let mut other = RtspClient::new(tcp);
        assert!(answered(&mut other).await, "127.0.0.2 is not limited by 127.0.0.1's connections");
        assert_eq!(stats.refused_full.load(Ordering::Relaxed), 0);
    });
    rt.block_on(server.shutdown());
}

#[test]
fn a_viewer_that_stops_reading_is_dropped_and_the_others_lose_nothing() {
    let pki = Pki::new();
    // A heavy stream (every frame a keyframe), so the stalled viewer's socket fills quickly.
    let extra = r#"
[[stream]]
path = "heavy"
source = { kind = "synthetic", width = 640, height = 360, fps = 25, gop = 1, bitrate_kbps = 4000 }
"#;
    let config = basic_config(&pki, extra).replace("[server]\n", "[server]\nslow_client_secs = 1\n");
    let rt = runtime();
    let server = start(&rt, &pki, &config);
    let url = server.url("heavy", false).unwrap();
    let stats = &server.shared.stats;
    rt.block_on(async {
        let viewer = Arc::new(Counters::default());
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let target = Target { url: Url::parse(&url).unwrap(), anchors: Vec::new(), timeout: WAIT };
        let watching = {
            let (viewer, mut stop) = (viewer.clone(), stop_rx);
            tokio::spawn(async move {
                player::play(&target, &viewer, async move {
                    let _ = stop.changed().await;
                })
                .await
            })
        };
        eventually("the viewer plays", || viewer.packets.load(Ordering::Relaxed) > 0).await;

        // A client with a tiny receive window that plays and then never reads.
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let tcp = socket.connect(authority(&url).parse().unwrap()).await.unwrap();
        let mut stalled = RtspClient::new(tcp);
        setup_and_play(&mut stalled, &url).await;
        eventually("the stalled client is dropped", || stats.slow_dropped.load(Ordering::Relaxed) == 1).await;

        // The viewer kept receiving, and keeps receiving, without a gap.
        let at_drop = viewer.packets.load(Ordering::Relaxed);
        eventually("the viewer goes on", || viewer.packets.load(Ordering::Relaxed) > at_drop + 100).await;
        let _ = stop_tx.send(true);
        watching.await.unwrap().unwrap_or_else(|e| panic!("the viewer failed: {e}"));
        assert_eq!(viewer.lost.load(Ordering::Relaxed), 0, "the viewer lost packets");
        assert_eq!(viewer.reordered.load(Ordering::Relaxed), 0);

        // The stalled client's connection ends once it reads what the kernel buffered.
        let mut drained = 0;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let read = tokio::time::timeout(WAIT, stalled.stream().read(&mut chunk)).await;
            match read.expect("the dropped connection ends") {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
        assert!(drained > 0, "the stalled client had been sent media");
    });
    rt.block_on(server.shutdown());
}

#[test]
fn a_play_pause_loop_cannot_force_a_keyframe_storm() {
    let pki = Pki::new();
    // No regular keyframe after the first frame; PLAY may force one per minute.
    let extra = r#"
[[stream]]
path = "storm"
source = { kind = "synthetic", width = 160, height = 96, fps = 25, gop = 100000, bitrate_kbps = 200 }
"#;
    let config =
        basic_config(&pki, extra).replace("[server]\n", "[server]\nkeyframe_min_interval_ms = 60000\n");
    let rt = runtime();
    let server = start(&rt, &pki, &config);
    let url = server.url("storm", false).unwrap();
    rt.block_on(async {
        let mut c = connect(&authority(&url)).await;
        let session = setup_and_play(&mut c, &url).await;
        let session = [("Session", session.as_str())];
        // 50 cycles: the two frames after each PLAY (a keyframe asked for by PLAY comes in one of them).
        let mut keyframes = 0;
        for cycle in 0..50 {
            if cycle > 0 {
                let r = c.request("PLAY", &url, &session).await.expect("PLAY answered");
                assert_eq!(r.status.as_u16(), 200);
            }
            keyframes += keyframes_in_next(&mut c, 2).await.into_iter().filter(|k| *k).count();
            let r = c.request("PAUSE", &url, &session).await.expect("PAUSE answered");
            assert_eq!(r.status.as_u16(), 200);
        }
        // The first PLAY gets its keyframe; the 49 others wait for the interval (a minute).
        assert!(keyframes <= 2, "{keyframes} keyframes in the first frames of 50 PLAY/PAUSE cycles");
        let forced = server.shared.mounts["storm"].bus.stats.forced_keyframes.load(Ordering::Relaxed);
        assert_eq!(forced, 1, "keyframes forced by 50 PLAYs");
    });
    rt.block_on(server.shutdown());
}
