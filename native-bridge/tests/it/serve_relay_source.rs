//! The relay source of `rtspeek serve` (`serve::source::relay`) against a real upstream camera: gst-rtsp-server
//! on 127.0.0.1, plain RTSP. The relay opens the camera with retina, runs into a `MediaBus`, and what the bus
//! sends to clients must depacketize (core's `Depacketizer`) into whole access units with a keyframe; shutting
//! the bus down must stop the relay promptly.
//!
//! A missing peer fails the test (the launchers say to run `cargo xtask test`). Every wait is bounded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicUsize, Ordering};

use rtspeek_bridge::serve::media::{MediaBus, Packet};
use rtspeek_bridge::serve::source::relay;
use rtspeek_core::codec::{Codec, Depacketizer, h264, h265};
use rtspeek_core::rtp::RtpPacket;
use rtspeek_tests::peers::gst::{GstAuth, GstOptions, GstRtspServer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

/// The picture the gst launcher sends by default.
const GST_SIZE: (u32, u32) = (320, 180);
/// Bound on every relay step (connect, DESCRIBE, SETUP, PLAY).
const STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the test listens to the bus.
const LISTEN: Duration = Duration::from_secs(2);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The URL of `mount` with `user:password@` in it.
fn with_credentials(url: &str, user: &str, password: &str) -> String {
    url.replacen("rtsp://", &format!("rtsp://{user}:{password}@"), 1)
}

fn nal_type(codec: Codec, nal: &[u8]) -> Option<u8> {
    match codec {
        Codec::H264 => h264::nal_unit_type(nal),
        Codec::H265 => h265::nal_unit_type(nal),
    }
}

/// What the bus delivered to one subscriber, depacketized.
#[derive(Debug)]
struct Received {
    codec: Codec,
    #[allow(dead_code)] // shown by Debug in failure messages
    packets: usize,
    access_units: usize,
    keyframes: usize,
    damaged: usize,
    /// The last keyframe's NAL unit types, in order.
    keyframe_nal_types: Vec<u8>,
    /// The RTP timestamp of the last access unit, and the largest step between two.
    last_timestamp: Option<u32>,
    largest_step: u32,
    #[allow(dead_code)] // shown by Debug in failure messages
    depacketizer_issues: usize,
}

impl Received {
    fn new(codec: Codec) -> Self {
        Received {
            codec,
            packets: 0,
            access_units: 0,
            keyframes: 0,
            damaged: 0,
            keyframe_nal_types: Vec::new(),
            last_timestamp: None,
            largest_step: 0,
            depacketizer_issues: 0,
        }
    }

    /// Receives from `rx` for `how_long`, or until `enough` says so.
    async fn listen(
        &mut self,
        rx: &mut broadcast::Receiver<Packet>,
        depacketizer: &mut Depacketizer,
        how_long: Duration,
        enough: impl Fn(&Received) -> bool,
    ) {
        let until = tokio::time::Instant::now() + how_long;
        while !enough(self)
            && let Ok(received) = tokio::time::timeout_at(until, rx.recv()).await
        {
            let packet = received.expect("the test keeps up with the bus");
            if packet.rtcp {
                continue;
            }
            let rtp = RtpPacket::parse(&packet.data).expect("the bus sends valid RTP");
            assert_eq!(rtp.payload_type(), 96);
            self.packets += 1;
            depacketizer.push(rtp.sequence(), rtp.timestamp(), rtp.marker(), rtp.payload());
            while let Some(au) = depacketizer.pop() {
                self.access_units += 1;
                if let Some(last) = self.last_timestamp {
                    // pts is monotonic, so RTP timestamps never step backwards (modulo wrap-around).
                    let step = au.timestamp.wrapping_sub(last);
                    assert!(step as i32 >= 0, "timestamp {} after {last}", au.timestamp);
                    self.largest_step = self.largest_step.max(step);
                }
                self.last_timestamp = Some(au.timestamp);
                self.damaged += usize::from(au.damaged);
                if au.keyframe {
                    self.keyframes += 1;
                    self.keyframe_nal_types =
                        au.nal_units().filter_map(|n| nal_type(self.codec, n)).collect();
                }
            }
        }
        self.depacketizer_issues = depacketizer.issues().len();
    }
}

/// Opens the relay on `url` and checks its stream info: `codec`, an SPS of the gst picture's size.
async fn open_checked(url: &str, codec: Codec) -> relay::Relay {
    let relay = relay::open(url, STEP_TIMEOUT).await.expect("the relay opens the upstream");
    let info = relay.info();
    assert_eq!(info.codec, codec, "{info:?}");
    assert!(info.frame_rate > 0.0 && info.frame_rate <= 240.0, "{info:?}");
    let sps_type = if codec == Codec::H264 { h264::nal_type::SPS } else { h265::nal_type::SPS };
    let sps = info
        .parameter_sets
        .iter()
        .find(|p| nal_type(codec, p) == Some(sps_type))
        .expect("an SPS in the stream info");
    let sps = match codec {
        Codec::H264 => h264::parse_sps(sps),
        Codec::H265 => h265::parse_sps(sps),
    }
    .expect("the SPS parses");
    assert_eq!((sps.width, sps.height), GST_SIZE, "{sps:?}");
    relay
}

/// Runs `relay` into a new bus and subscribes once the first frame is there.
async fn start_bus(relay: relay::Relay) -> (Arc<MediaBus>, JoinHandle<()>, broadcast::Receiver<Packet>) {
    let bus = MediaBus::new("/relay".into(), relay.info().clone(), 96, [1; 10]).expect("a bus");
    let task = tokio::spawn(relay.run(Arc::clone(&bus)));
    let deadline = Instant::now() + Duration::from_secs(10);
    while bus.position().is_none() {
        assert!(Instant::now() < deadline, "no frame reached the bus within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, rx) = bus.subscribe().expect("a position once a frame was published");
    (bus, task, rx)
}

/// Shuts the bus down and checks that the relay stops within 2 s.
async fn stop_bus(bus: &MediaBus, task: JoinHandle<()>) {
    assert!(bus.stats.frames.load(Ordering::Relaxed) > 0);
    bus.shut_down();
    let stopping = Instant::now();
    tokio::time::timeout(Duration::from_secs(3), task)
        .await
        .expect("run() returns after shut_down")
        .expect("run() does not panic");
    let took = stopping.elapsed();
    assert!(took < Duration::from_secs(2), "run() took {took:?} to stop");
}

/// Opens the relay on `url`, runs it into a bus, listens to the bus for [`LISTEN`], and stops it.
async fn relay_into_bus(url: &str, codec: Codec) -> Received {
    let relay = open_checked(url, codec).await;
    let (bus, task, mut rx) = start_bus(relay).await;
    let mut got = Received::new(codec);
    got.listen(&mut rx, &mut Depacketizer::new(codec), LISTEN, |_| false).await;
    stop_bus(&bus, task).await;
    got
}

/// A TCP proxy on 127.0.0.1 in front of `upstream_port` whose connections the test can cut.
struct CutProxy {
    port: u16,
    cut: watch::Sender<u32>,
    accepted: Arc<AtomicUsize>,
}

impl CutProxy {
    async fn start(upstream_port: u16) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a proxy port");
        let port = listener.local_addr().expect("its address").port();
        let (cut, cut_rx) = watch::channel(0u32);
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::Relaxed);
                let mut cut = cut_rx.clone();
                cut.mark_unchanged();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream_port)).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        CutProxy { port, cut, accepted }
    }

    /// Drops every connection open now.
    fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}

fn assert_decodable(got: &Received, codec: Codec) {
    // 25 fps for 2 s; leave room for a slow start of the encoder on a busy machine.
    assert!(got.access_units >= 20, "{got:?}");
    assert!(got.keyframes >= 1, "{got:?}");
    assert_eq!(got.damaged, 0, "{got:?}");
    let (needed, aud, is_vcl): (&[u8], u8, fn(u8) -> bool) = match codec {
        Codec::H264 => (&[h264::nal_type::SPS, h264::nal_type::PPS], h264::nal_type::AUD, h264::is_vcl),
        Codec::H265 => (
            &[h265::nal_type::VPS, h265::nal_type::SPS, h265::nal_type::PPS],
            h265::nal_type::AUD,
            h265::is_vcl,
        ),
    };
    let types = &got.keyframe_nal_types;
    let first_slice = types.iter().position(|t| is_vcl(*t)).expect("a keyframe has a slice");
    for t in needed {
        assert!(types[..first_slice].contains(t), "keyframe without NAL type {t} before its slices: {got:?}");
    }
    if let Some(at) = types.iter().position(|t| *t == aud) {
        assert_eq!(at, 0, "the access unit delimiter comes first: {got:?}");
    }
}

#[test]
fn relays_h264_from_gst_rtsp_server_into_the_bus() {
    let server = GstRtspServer::start(GstOptions::default()).expect("gst-rtsp-server starts");
    let got = runtime().block_on(relay_into_bus(&server.url("/test"), Codec::H264));
    assert_decodable(&got, Codec::H264);
}

#[test]
fn relays_h265_from_gst_rtsp_server_into_the_bus() {
    let server = GstRtspServer::start(GstOptions::default()).expect("gst-rtsp-server starts");
    let got = runtime().block_on(relay_into_bus(&server.url("/h265"), Codec::H265));
    assert_decodable(&got, Codec::H265);
}

#[test]
fn a_lost_upstream_is_reconnected_and_the_stream_goes_on() {
    let server = GstRtspServer::start(GstOptions::default()).expect("gst-rtsp-server starts");
    runtime().block_on(async {
        let proxy = CutProxy::start(server.port()).await;
        let url = format!("rtsp://127.0.0.1:{}/test", proxy.port);
        let relay = open_checked(&url, Codec::H264).await;
        let info = relay.info().clone();
        let (bus, task, mut rx) = start_bus(relay).await;
        let mut depacketizer = Depacketizer::new(Codec::H264);
        let mut before = Received::new(Codec::H264);
        before.listen(&mut rx, &mut depacketizer, Duration::from_secs(1), |_| false).await;
        assert!(before.access_units >= 10, "{before:?}");

        let cut_at = Instant::now();
        proxy.cut();
        // The relay notices at once, waits 1 s and reconnects; the first frame after is a keyframe.
        let mut after = Received::new(Codec::H264);
        after.last_timestamp = before.last_timestamp;
        after
            .listen(&mut rx, &mut depacketizer, Duration::from_secs(8), |r| {
                r.keyframes >= 1 && r.access_units >= 10
            })
            .await;
        let back_after = cut_at.elapsed();
        assert_eq!(proxy.accepted.load(Ordering::Relaxed), 2, "one reconnection");
        assert!(after.keyframes >= 1 && after.access_units >= 10, "{after:?}");
        assert_eq!(after.damaged, 0, "{after:?}");
        assert_eq!(after.keyframe_nal_types[..3], [9, 7, 8], "AUD, then SPS and PPS: {after:?}");
        // The timestamps jumped forward by about the time the relay was away, not backwards.
        assert!(after.largest_step >= 90_000 * 9 / 10, "{after:?}");
        assert_eq!(bus.info(), &info, "the stream info stays the first one");
        stop_bus(&bus, task).await;
        eprintln!("reconnected and decodable again {back_after:?} after the cut");
    });
}

#[test]
fn digest_credentials_from_the_url_log_in_and_a_wrong_password_is_never_shown() {
    let options = GstOptions { auth: GstAuth::Digest, password: "s3cret-pw".into(), ..GstOptions::default() };
    let server = GstRtspServer::start(options).expect("gst-rtsp-server starts");
    let url = server.url("/test");
    runtime().block_on(async {
        let relay = relay::open(&with_credentials(&url, "admin", "s3cret-pw"), STEP_TIMEOUT)
            .await
            .expect("the right password logs in");
        assert_eq!(relay.info().codec, Codec::H264);
        let shown = format!("{relay:?}");
        assert!(!shown.contains("s3cret-pw") && shown.contains("admin:***@"), "{shown}");
        drop(relay);

        let e = relay::open(&with_credentials(&url, "admin", "wrong-pw-123"), STEP_TIMEOUT)
            .await
            .expect_err("a wrong password is refused");
        assert!(matches!(e, relay::RelayError::Connect { .. }), "{e:?}");
        let e = e.to_string();
        assert!(e.contains("DESCRIBE") && e.contains("401"), "{e}");
        assert!(!e.contains("wrong-pw-123") && e.contains("admin:***@"), "{e}");

        let e = relay::open(&url, STEP_TIMEOUT).await.expect_err("no credentials are refused").to_string();
        assert!(e.contains("DESCRIBE"), "{e}");
    });
}

#[test]
fn an_unreachable_upstream_fails_at_the_first_step() {
    // A port nobody listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("rtsp://admin:pw-never-shown@127.0.0.1:{port}/test");
    let e = runtime()
        .block_on(relay::open(&url, Duration::from_secs(2)))
        .expect_err("nothing listens")
        .to_string();
    assert!(e.contains("connect and DESCRIBE") && !e.contains("pw-never-shown"), "{e}");
}
