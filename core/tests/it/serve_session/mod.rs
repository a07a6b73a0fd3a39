//! The sans-IO server session: every method, transport negotiation, bad input and the timeouts; [`auth`] has
//! the Basic and Digest checks.

mod auth;
mod srtp;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rtspeek_core::UnixTime;
use rtspeek_core::codec::{Codec, StreamInfo};
use rtspeek_core::rtsp::auth::digest::Cnonce;
use rtspeek_core::rtsp::auth::{Algorithm, ClientAuth, Credentials, ServerKey, UserTable};
use rtspeek_core::rtsp::headers::{RtpInfo, Session, Transport};
use rtspeek_core::rtsp::{Message, Parsed, Parser, Response};
use rtspeek_core::serve::{
    AuthPolicy, Catalog, CloseReason, ConnectionInfo, Delivery, Encryption, Input, Mount, Output,
    RtpPosition, ServerSession, SessionConfig, SrtpMode, SrtpPolicy, TransportPolicy,
};
use rtspeek_core::srtp::Suite;

const UNIX: UnixTime = UnixTime(1_800_000_000);
const POSITION: RtpPosition = RtpPosition { ssrc: 0x1234_5678, seq: 4242, rtptime: 90_000 };
/// The client's address.
const PEER: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 9)), 50_000);

fn sps_pps() -> Vec<Vec<u8>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![b64.decode("Z01AHuygUBf8uAiAAAADAIAAAA8HixbL").unwrap(), b64.decode("aOvjyyA=").unwrap()]
}

#[derive(Debug)]
struct Cat {
    mounts: Vec<Mount>,
}

impl Catalog for Cat {
    fn mount(&self, path: &str) -> Option<&Mount> {
        self.mounts.iter().find(|m| m.path == path)
    }
}

fn mount(path: &str, auth: Option<AuthPolicy>) -> Mount {
    Mount {
        path: path.into(),
        title: "test".into(),
        info: StreamInfo { codec: Codec::H264, parameter_sets: sps_pps(), frame_rate: 25.0 },
        payload_type: 96,
        auth,
        ssrc: Some(POSITION.ssrc),
        encryption: Encryption::Optional,
        srtp: Default::default(),
    }
}

fn policy() -> AuthPolicy {
    AuthPolicy {
        realm: "rtspeek".into(),
        basic: true,
        digest: vec![Algorithm::SHA256, Algorithm::MD5],
        users: UserTable::new().with_password("viewer", "s3cret"),
        allow_rfc2069: false,
        allow_basic_cleartext: false,
    }
}

fn catalog() -> Arc<Cat> {
    let legacy = AuthPolicy { allow_rfc2069: true, ..policy() };
    let cleartext = AuthPolicy { allow_basic_cleartext: true, ..policy() };
    Arc::new(Cat {
        mounts: vec![
            mount("cam", None),
            mount("site/front", None),
            mount("locked", Some(policy())),
            mount("legacy", Some(legacy)),
            mount("cleartext", Some(cleartext)),
            Mount { encryption: Encryption::Strict, ..mount("strict", None) },
            Mount { encryption: Encryption::No, ..mount("plain-only", None) },
            Mount {
                srtp: srtp(SrtpMode::Mikey, Suite::AesCm128HmacSha1_80, false),
                ..mount("srtp-mikey", None)
            },
            Mount {
                srtp: srtp(SrtpMode::Sdes, Suite::AesCm128HmacSha1_32, true),
                ..mount("srtp-sdes", None)
            },
            Mount {
                srtp: srtp(SrtpMode::MikeySdes, Suite::AesCm128HmacSha1_80, false),
                ..mount("srtp-both", None)
            },
        ],
    })
}

fn srtp(mode: SrtpMode, suite: Suite, allow_cleartext_keys: bool) -> SrtpPolicy {
    SrtpPolicy { mode, suite, allow_cleartext_keys }
}

/// A session and the client side of its byte stream; the driver side answers subscriptions with `position`.
struct Conn {
    session: ServerSession,
    now: Duration,
    cseq: u32,
    parser: Parser,
    /// The outputs other than responses and timeouts, in order.
    outputs: Vec<Output>,
    /// What `Subscribe` is answered with; `None` leaves it unanswered (the test answers).
    position: Option<Option<RtpPosition>>,
}

impl Conn {
    fn new(tls: bool) -> Conn {
        Conn::with_config(tls, SessionConfig::new("rtspeek-test", ServerKey::new(vec![7; 32])))
    }

    /// A connection of the server whose configuration is `config` (clones of one configuration are the
    /// connections of one server).
    fn with_config(tls: bool, mut config: SessionConfig) -> Conn {
        config.unix_origin = UNIX;
        let transport = TransportPolicy { tls, udp_server_ports: (!tls).then_some((6970, 6971)) };
        let local = SocketAddr::from(([127, 0, 0, 1], 8322));
        let conn = ConnectionInfo { transport, local, peer: PEER };
        Conn {
            session: ServerSession::new(config, conn, catalog(), Duration::ZERO, [9; 32]),
            now: Duration::ZERO,
            cseq: 0,
            parser: Parser::default(),
            outputs: Vec::new(),
            position: Some(Some(POSITION)),
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) -> Vec<Response<'static>> {
        self.session.handle_input(self.now, Input::Data(bytes));
        self.drain()
    }

    fn drain(&mut self) -> Vec<Response<'static>> {
        let mut responses = Vec::new();
        while let Some(out) = self.session.poll_output() {
            match out {
                Output::Transmit(bytes) => {
                    let mut rest = &bytes[..];
                    while !rest.is_empty() {
                        match self.parser.feed(&mut rest).expect("server output parses") {
                            Parsed::Message(Message::Response(r), _) => responses.push(r.into_owned()),
                            other => panic!("unexpected {other:?}"),
                        }
                    }
                }
                Output::Timeout(_) => break,
                Output::Subscribe { mount } => {
                    self.outputs.push(Output::Subscribe { mount });
                    if let Some(position) = self.position {
                        self.session.handle_input(self.now, Input::Subscribed(position));
                    }
                }
                other => self.outputs.push(other),
            }
        }
        responses
    }

    fn request(&mut self, method: &str, uri: &str, headers: &[(&str, &str)]) -> Response<'static> {
        self.cseq += 1;
        let mut text = format!("{method} {uri} RTSP/1.0\r\nCSeq: {}\r\n", self.cseq);
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        let mut responses = self.send_raw(text.as_bytes());
        assert_eq!(responses.len(), 1, "{method}: {responses:?}");
        let response = responses.remove(0);
        assert_eq!(response.headers.get("CSeq"), Some(self.cseq.to_string().as_str()));
        response
    }

    /// SETUP of `cam` over TCP interleaved: the session id.
    fn setup(&mut self) -> String {
        let r =
            self.request("SETUP", "rtsps://h/cam/trackID=0", &[("Transport", "RTP/AVP/TCP;interleaved=0-1")]);
        assert_eq!(status(&r), 200, "{}", body(&r));
        r.headers.typed::<Session>().unwrap().unwrap().id
    }
}

fn status(r: &Response<'_>) -> u16 {
    r.status.as_u16()
}

fn body(r: &Response<'_>) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

#[test]
fn options_lists_methods() {
    let mut c = Conn::new(true);
    let r = c.request("OPTIONS", "rtsps://127.0.0.1:8322/cam", &[]);
    assert_eq!(status(&r), 200);
    let public = r.headers.get("Public").unwrap();
    for m in ["DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER"] {
        assert!(public.contains(m), "{public}");
    }
    assert_eq!(r.headers.get("Server"), Some("rtspeek-test"));
}

#[test]
fn describe_gives_lint_clean_sdp_and_a_tls_content_base() {
    let mut c = Conn::new(true);
    // A client that writes rtsp:// on a TLS connection still gets rtsps:// URLs back.
    let r = c.request("DESCRIBE", "rtsp://127.0.0.1:8322/site/front", &[("Accept", "application/sdp")]);
    assert_eq!(status(&r), 200, "{}", body(&r));
    assert_eq!(r.headers.get("Content-Base"), Some("rtsps://127.0.0.1:8322/site/front/"));
    assert_eq!(r.headers.get("Content-Type"), Some("application/sdp"));
    let check = rtspeek_core::sdp::check(&r.body).unwrap();
    let problems: Vec<_> =
        check.findings.iter().filter(|f| f.severity > rtspeek_core::Severity::Info).collect();
    assert!(problems.is_empty(), "{problems:#?}\n{}", body(&r));
    let text = body(&r);
    assert!(text.contains("a=control:trackID=0"), "{text}");
    assert!(text.contains("sprop-parameter-sets=Z01AHuygUBf8uAiAAAADAIAAAA8HixbL,aOvjyyA="), "{text}");
    assert!(text.contains("profile-level-id=4d401e"), "{text}");

    let mut plain = Conn::new(false);
    let r = plain.request("DESCRIBE", "rtsp://[::1]:8554/cam/", &[]);
    assert_eq!(r.headers.get("Content-Base"), Some("rtsp://[::1]:8554/cam/"));
}

#[test]
fn describe_errors() {
    let mut c = Conn::new(true);
    assert_eq!(status(&c.request("DESCRIBE", "rtsps://h/nope", &[])), 404);
    assert_eq!(status(&c.request("DESCRIBE", "rtsps://h/cam", &[("Accept", "text/html")])), 406);
    assert_eq!(status(&c.request("DESCRIBE", "http://h/cam", &[])), 400);
}

#[test]
fn interleaved_setup_play_pause_teardown() {
    let mut c = Conn::new(true);
    let r = c.request(
        "SETUP",
        "rtsps://127.0.0.1:8322/cam/trackID=0",
        &[("Transport", "RTP/AVP/TCP;unicast;interleaved=4-5")],
    );
    assert_eq!(status(&r), 200, "{}", body(&r));
    let session: Session = r.headers.typed().unwrap().unwrap();
    assert_eq!(session.timeout, Some(60));
    let Transport(specs) = r.headers.typed().unwrap().unwrap();
    assert_eq!(specs[0].interleaved.unwrap().start, 4);
    assert_eq!(specs[0].ssrc, vec![0x1234_5678]);
    assert!(c.outputs.is_empty(), "SETUP subscribes to nothing: {:?}", c.outputs);

    let s = session.id.as_str();
    let r = c.request("PLAY", "rtsps://127.0.0.1:8322/cam/", &[("Session", s), ("Range", "npt=0.000-")]);
    assert_eq!(status(&r), 200, "{}", body(&r));
    let RtpInfo(entries) = r.headers.typed().unwrap().unwrap();
    assert_eq!(entries[0].url.as_str(), "rtsps://127.0.0.1:8322/cam/trackID=0");
    assert_eq!((entries[0].seq, entries[0].rtptime), (Some(4242), Some(90_000)));
    let Some(Output::Play(play)) = c.outputs.pop() else { panic!("{:?}", c.outputs) };
    assert_eq!(play.delivery, Delivery::Interleaved { rtp_channel: 4, rtcp_channel: 5 });
    assert_eq!((play.mount.as_str(), play.position), ("cam", POSITION));
    assert_eq!(c.outputs.pop(), Some(Output::Subscribe { mount: "cam".into() }));

    assert_eq!(status(&c.request("GET_PARAMETER", "rtsps://127.0.0.1:8322/cam/", &[("Session", s)])), 200);
    let r = c.request(
        "SETUP",
        "rtsps://127.0.0.1:8322/cam/trackID=0",
        &[("Session", s), ("Transport", "RTP/AVP/TCP")],
    );
    assert_eq!(status(&r), 455, "no transport change while playing");
    assert_eq!(status(&c.request("PAUSE", "rtsps://127.0.0.1:8322/cam/", &[("Session", s)])), 200);
    assert_eq!(c.outputs.pop(), Some(Output::Pause));
    assert_eq!(status(&c.request("TEARDOWN", "rtsps://127.0.0.1:8322/cam/", &[("Session", s)])), 200);
    assert_eq!(c.outputs.pop(), Some(Output::Stop));
    assert_eq!(status(&c.request("PLAY", "rtsps://127.0.0.1:8322/cam/", &[("Session", s)])), 454);
}

#[test]
fn udp_is_refused_under_tls_and_offered_in_plain() {
    let udp = [("Transport", "RTP/AVP;unicast;client_port=5000-5001")];
    let mut tls = Conn::new(true);
    let r = tls.request("SETUP", "rtsps://h/cam/trackID=0", &udp);
    assert_eq!(status(&r), 461);
    assert!(body(&r).contains("in clear"), "{}", body(&r));
    // The client's second choice is taken.
    let both = [("Transport", "RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=0-1")];
    assert_eq!(status(&tls.request("SETUP", "rtsps://h/cam/trackID=0", &both)), 200);

    let mut plain = Conn::new(false);
    let r = plain.request("SETUP", "rtsp://h/cam/trackID=0", &udp);
    assert_eq!(status(&r), 200);
    let Transport(specs) = r.headers.typed().unwrap().unwrap();
    let server = specs[0].server_port.unwrap();
    assert_eq!((server.start, server.end), (6970, Some(6971)));
    let id = r.headers.typed::<Session>().unwrap().unwrap().id;
    plain.request("PLAY", "rtsp://h/cam/", &[("Session", &id)]);
    let Some(Output::Play(play)) = plain.outputs.pop() else { panic!("{:?}", plain.outputs) };
    let (rtp, rtcp) = (SocketAddr::new(PEER.ip(), 5000), SocketAddr::new(PEER.ip(), 5001));
    assert_eq!(play.delivery, Delivery::Udp { rtp, rtcp }, "to the client's address");
    for refused in ["RTP/SAVP;unicast;client_port=5000-5001", "RTP/AVP;multicast", "RTP/AVP;unicast"] {
        let r = Conn::new(false).request("SETUP", "rtsp://h/cam/trackID=0", &[("Transport", refused)]);
        assert_eq!(status(&r), 461, "{refused}");
    }
}

#[test]
fn the_encryption_policy_refuses_the_other_kind_of_connection_with_the_reason() {
    let mut plain = Conn::new(false);
    assert_eq!(
        status(&plain.request("OPTIONS", "rtsp://h/strict", &[])),
        200,
        "OPTIONS is not about a stream"
    );
    for (method, uri) in [("DESCRIBE", "rtsp://h/strict"), ("SETUP", "rtsp://h/strict/trackID=0")] {
        let r = plain.request(method, uri, &[("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")]);
        assert_eq!(status(&r), 403, "{method}");
        assert!(body(&r).contains("RTSPS required"), "{}", body(&r));
    }
    assert_eq!(status(&plain.request("DESCRIBE", "rtsp://h/plain-only", &[])), 200);
    assert!(plain.outputs.is_empty(), "nothing subscribed or played: {:?}", plain.outputs);

    let mut tls = Conn::new(true);
    assert_eq!(status(&tls.request("DESCRIBE", "rtsps://h/strict", &[])), 200);
    let r = tls.request("DESCRIBE", "rtsps://h/plain-only", &[]);
    assert_eq!(status(&r), 403);
    assert!(body(&r).contains("plain RTSP only"), "{}", body(&r));
    // The default serves both.
    assert_eq!(status(&Conn::new(false).request("DESCRIBE", "rtsp://h/cam", &[])), 200);
    assert_eq!(status(&Conn::new(true).request("DESCRIBE", "rtsps://h/cam", &[])), 200);
}

#[test]
fn play_needs_a_session_and_a_producing_source() {
    let mut c = Conn::new(true);
    assert_eq!(status(&c.request("PLAY", "rtsps://h/cam/", &[])), 454);
    assert_eq!(status(&c.request("PLAY", "rtsps://h/cam/", &[("Session", "DEADBEEF")])), 454);
    let r = c.request("SETUP", "rtsps://h/cam/trackID=0", &[("Transport", "RTP/AVP/TCP")]);
    let id = r.headers.typed::<Session>().unwrap().unwrap().id;
    let r = c.request("PLAY", "rtsps://h/cam/", &[("Session", &id), ("Range", "clock=20260101T000000Z-")]);
    assert_eq!(status(&r), 457);
    c.position = Some(None);
    let r = c.request("PLAY", "rtsps://h/cam/", &[("Session", &id)]);
    assert_eq!((status(&r), r.headers.get("Retry-After")), (503, Some("1")));
    assert_eq!(
        status(&c.request(
            "SETUP",
            "rtsps://h/site/front/trackID=0",
            &[("Session", &id), ("Transport", "RTP/AVP/TCP")]
        )),
        459
    );
}

#[test]
fn protocol_errors_get_the_right_status() {
    let mut c = Conn::new(true);
    let r = c.send_raw(b"OPTIONS * RTSP/1.0\r\n\r\n");
    assert_eq!(status(&r[0]), 400);
    let r = c.send_raw(b"OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n");
    assert_eq!(status(&r[0]), 505);
    let r = c.request("ANNOUNCE", "rtsps://h/cam", &[]);
    assert_eq!(status(&r), 405);
    assert!(r.headers.get("Allow").is_some());
    assert_eq!(status(&c.request("FROBNICATE", "rtsps://h/cam", &[])), 501);
    // A body that is late: nothing is answered until it is complete.
    assert!(c.send_raw(b"SET_PARAMETER * RTSP/1.0\r\nCSeq: 7\r\nContent-Length: 10\r\n\r\n").is_empty());
    let r = c.send_raw(b"x: 1\r\ny: 2");
    assert_eq!(status(&r[0]), 451, "parameters are not served");
    let r = c.send_raw(b"GET_PARAMETER * RTSP/1.0\r\nCSeq: 8\r\nContent-Length: 2\r\n\r\n\r\n");
    assert_eq!(status(&r[0]), 200, "an empty body is a keep-alive");
    assert!(!c.session.is_closed());
}

#[test]
fn pipelined_and_byte_at_a_time_requests() {
    let mut c = Conn::new(true);
    let two = b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\nDESCRIBE rtsps://h/cam RTSP/1.0\r\nCSeq: 2\r\n\r\n";
    let r = c.send_raw(two);
    assert_eq!(r.iter().map(status).collect::<Vec<_>>(), vec![200, 200]);
    let mut responses = Vec::new();
    for b in b"OPTIONS * RTSP/1.0\r\nCSeq: 3\r\n\r\n" {
        responses.extend(c.send_raw(&[*b]));
    }
    assert_eq!(responses.len(), 1);
}

#[test]
fn garbage_and_tls_on_a_plain_port_close_with_the_offset() {
    for (bytes, expected) in [
        (&b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"[..], "byte 0"),
        (&b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\nGARBAGE\x00\x01\r\n\r\n"[..], "byte"),
    ] {
        let mut c = Conn::new(false);
        let r = c.send_raw(bytes);
        assert_eq!(status(r.last().unwrap()), 400);
        let Some(Output::Close(CloseReason::Unparseable(why))) = c.outputs.last() else {
            panic!("{:?}", c.outputs)
        };
        assert!(why.contains(expected), "{why}");
        assert!(c.session.is_closed());
        assert!(c.send_raw(b"OPTIONS * RTSP/1.0\r\nCSeq: 9\r\n\r\n").is_empty());
    }
}

#[test]
fn slowloris_idle_and_session_timeouts() {
    // A request trickling in is cut at the request timeout, even though bytes keep arriving.
    let mut c = Conn::new(true);
    for i in 0..4u64 {
        c.now = Duration::from_secs(i * 3);
        c.send_raw(b"O");
        if let Some(at) = c.session.poll_timeout()
            && at <= c.now
        {
            c.session.handle_timeout(c.now);
        }
    }
    assert_eq!(c.session.poll_timeout(), Some(Duration::from_secs(10)));
    c.session.handle_timeout(Duration::from_secs(10));
    c.drain();
    assert_eq!(c.outputs, vec![Output::Close(CloseReason::RequestTimeout)]);

    // A connection that never sends a request.
    let mut c = Conn::new(true);
    assert_eq!(c.session.poll_timeout(), Some(Duration::from_secs(30)));
    c.session.handle_timeout(Duration::from_secs(30));
    c.drain();
    assert_eq!(c.outputs, vec![Output::Close(CloseReason::Idle)]);

    // A session kept alive by RTCP receiver reports, then silent.
    let mut c = Conn::new(true);
    let r = c.request("SETUP", "rtsps://h/cam/trackID=0", &[("Transport", "RTP/AVP/TCP;interleaved=0-1")]);
    let id = r.headers.typed::<Session>().unwrap().unwrap().id;
    c.request("PLAY", "rtsps://h/cam/", &[("Session", &id)]);
    let mut rr = Vec::new();
    rtspeek_core::rtcp::write_receiver_report(1, &[], &mut rr);
    let mut frame = vec![b'$', 1, 0, rr.len() as u8];
    frame.extend_from_slice(&rr);
    for s in [40u64, 80, 120] {
        c.now = Duration::from_secs(s);
        c.session.handle_timeout(c.now);
        c.send_raw(&frame);
    }
    assert!(!c.session.is_closed());
    assert_eq!(c.session.stats().rtcp_packets, 3);
    assert_eq!(c.session.poll_timeout(), Some(Duration::from_secs(185)));
    c.session.handle_timeout(Duration::from_secs(185));
    c.drain();
    assert_eq!(
        &c.outputs[c.outputs.len() - 2..],
        &[Output::Stop, Output::Close(CloseReason::SessionTimeout)]
    );
}

/// The outputs of one drain, responses reduced to `(status, CSeq)`.
#[derive(Debug, PartialEq)]
enum Seen {
    Response(u16, String),
    Other(Output),
}

fn drain_in_order(c: &mut Conn) -> Vec<Seen> {
    let mut seen = Vec::new();
    while let Some(out) = c.session.poll_output() {
        match out {
            Output::Transmit(bytes) => {
                let mut rest = &bytes[..];
                let Parsed::Message(Message::Response(r), _) = c.parser.feed(&mut rest).unwrap() else {
                    panic!("not a response")
                };
                seen.push(Seen::Response(status(&r), r.headers.get("CSeq").unwrap_or("").to_owned()));
            }
            Output::Timeout(_) => break,
            other => seen.push(Seen::Other(other)),
        }
    }
    seen
}

#[test]
fn play_waits_for_its_subscription_and_pipelined_requests_stay_in_order() {
    let mut c = Conn::new(true);
    let id = c.setup();
    c.position = None; // the test answers the subscription itself
    let pipelined = format!(
        "PLAY rtsps://h/cam/ RTSP/1.0\r\nCSeq: 10\r\nSession: {id}\r\n\r\n\
         GET_PARAMETER rtsps://h/cam/ RTSP/1.0\r\nCSeq: 11\r\nSession: {id}\r\n\r\n"
    );
    assert!(c.send_raw(pipelined.as_bytes()).is_empty(), "nothing is answered before the stream is there");
    assert!(c.send_raw(b"OPTIONS * RTSP/1.0\r\nCSeq: 12\r\n\r\n").is_empty());
    assert_eq!(c.outputs, vec![Output::Subscribe { mount: "cam".into() }], "one subscription");

    c.session.handle_input(c.now, Input::Subscribed(Some(POSITION)));
    let play = Output::Play(rtspeek_core::serve::PlayCommand {
        mount: "cam".into(),
        delivery: Delivery::Interleaved { rtp_channel: 0, rtcp_channel: 1 },
        position: POSITION,
        srtp: None,
    });
    assert_eq!(
        drain_in_order(&mut c),
        vec![
            Seen::Response(200, "10".into()),
            Seen::Other(play),
            Seen::Response(200, "11".into()),
            Seen::Response(200, "12".into()),
        ],
        "the PLAY answer, then its media, then the requests held behind it, in order"
    );

    // PLAY while playing changes nothing: no new subscription, RTP-Info still names the first packet.
    c.outputs.clear();
    let r = c.request("PLAY", "rtsps://h/cam/", &[("Session", &id)]);
    let RtpInfo(entries) = r.headers.typed().unwrap().unwrap();
    assert_eq!((status(&r), entries[0].seq), (200, Some(POSITION.seq)));
    assert!(c.outputs.is_empty(), "{:?}", c.outputs);
    // After PAUSE, PLAY subscribes again (the driver dropped the subscription on Pause).
    c.position = Some(Some(POSITION));
    c.request("PAUSE", "rtsps://h/cam/", &[("Session", &id)]);
    c.request("PLAY", "rtsps://h/cam/", &[("Session", &id)]);
    assert!(
        matches!(&c.outputs[..], [Output::Pause, Output::Subscribe { .. }, Output::Play(_)]),
        "{:?}",
        c.outputs
    );
}

#[test]
fn a_client_flooding_while_play_waits_is_closed() {
    let mut c = Conn::new(true);
    let id = c.setup();
    c.position = None;
    let play = format!("PLAY rtsps://h/cam/ RTSP/1.0\r\nCSeq: 10\r\nSession: {id}\r\n\r\n");
    assert!(c.send_raw(play.as_bytes()).is_empty());
    let keepalive = b"OPTIONS * RTSP/1.0\r\nCSeq: 11\r\n\r\n";
    let mut sent = 0;
    while !c.session.is_closed() {
        c.send_raw(keepalive);
        sent += keepalive.len();
        assert!(sent < 80 * 1024, "the held bytes are bounded");
    }
    assert_eq!(
        &c.outputs[c.outputs.len() - 2..],
        &[Output::Stop, Output::Close(CloseReason::Overrun)],
        "{:?}",
        c.outputs
    );
    // A late answer to the subscription changes nothing.
    c.session.handle_input(c.now, Input::Subscribed(Some(POSITION)));
    assert_eq!(c.session.poll_output(), None);
}
