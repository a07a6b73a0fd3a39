//! Entry of the `server_session` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/server_session.rs)
//! and the corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this
//! code. It may use only `rtspeek_core` and std, which both crates have.
//!
//! `rtspeek serve`'s sans-IO connection, [`ServerSession`], fed a client's bytes in chunks, in virtual time,
//! with a small catalog: `cam` and `site/front` open (unless configured otherwise), `locked` behind Basic and
//! Digest (user `viewer`). The driver answers every `Subscribe` at once, as the native one does. Besides "no
//! panic, no hang", it checks that every transmitted chunk is exactly one well-formed RTSP response, that the
//! output is bounded by the input, that nothing follows a close, that the connection always ends once the
//! client goes quiet, that a subscription is asked for only by PLAY and played only after its answer, and that
//! no response holds the users' password.
//!
//! Input: one configuration byte, then records `[op][length: u16 big-endian][payload]` (a length past the end
//! takes what is left). `op & 3`: 0 and 1, the payload as bytes from the client; 2, the payload as an RTCP
//! packet on the server's UDP port; 3, `op >> 2` seconds pass (0: up to the session's next timer). Each
//! record also advances the clock by 10 ms, and the session's timer fires when due.
//!
//! Configuration: bit 0 RTSPS (else plain RTSP with UDP ports); bit 1 `cam` needs credentials too; bit 2 the
//! source has produced no frame yet (PLAY gets 503); bit 3 Digest only (else Basic and Digest); bit 4 H.265;
//! bit 5 Digest without qop (RFC 2069) accepted; bit 6 Basic offered on plain RTSP too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rtspeek_core::UnixTime;
use rtspeek_core::codec::{Codec, StreamInfo};
use rtspeek_core::rtsp::auth::{Algorithm, ServerKey, UserTable};
use rtspeek_core::rtsp::{Message, Parsed, Parser};
use rtspeek_core::serve::{
    AuthPolicy, Catalog, ConnectionInfo, Encryption, Input, Mount, Output, RtpPosition, ServerSession,
    SessionConfig, TransportPolicy,
};

#[path = "records.rs"]
mod records;
use records::next_record;

/// A fixed time (2027-01-15), so that a run is reproducible (it dates Digest nonces).
const UNIX: UnixTime = UnixTime(1_800_000_000);
/// The password of the protected mounts' user: no response may hold it.
const PASSWORD: &str = "s3cret-fuzz";

/// Largest single response: a request head is at most 8 KiB, and a response repeats at most a few of its
/// values (CSeq, the path in an error) besides its own headers and the SDP.
const MAX_RESPONSE: usize = 64 * 1024;

/// H.264 parameter sets (the SPS and PPS of core/tests/it/serve_session.rs).
const H264_SETS: [&[u8]; 2] = [
    &[
        0x67, 0x4d, 0x40, 0x1e, 0xec, 0xa0, 0x50, 0x17, 0xfc, 0xb8, 0x08, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80,
        0x00, 0x00, 0x0f, 0x07, 0x8b, 0x16, 0xcb,
    ],
    &[0x68, 0xeb, 0xe3, 0xcb, 0x20],
];
/// H.265 parameter sets of tests/fixtures/sdp/gst-h265.sdp (its `sprop-vps/sps/pps`).
const H265_SETS: [&[u8]; 3] = [
    &[
        0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00,
        0x00, 0x03, 0x00, 0x3c, 0xba, 0x02, 0x40,
    ],
    &[
        0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00,
        0x3c, 0xa0, 0x0a, 0x08, 0x0c, 0x1f, 0x3e, 0x5b, 0xa4, 0xa4, 0xc2, 0xff, 0xf0, 0x00, 0x10, 0x00, 0x16,
        0xa0, 0xc0, 0xc0, 0xc0, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x0c, 0x84,
    ],
    &[0x44, 0x01, 0xc0, 0x71, 0x83, 0x12],
];

#[derive(Debug)]
struct Cat {
    mounts: Vec<Mount>,
}

impl Catalog for Cat {
    fn mount(&self, path: &str) -> Option<&Mount> {
        self.mounts.iter().find(|m| m.path == path)
    }
}

/// Where every stream stands, unless configured to have produced nothing.
const POSITION: RtpPosition = RtpPosition { ssrc: 0x1234_5678, seq: 4242, rtptime: 90_000 };

fn catalog(flags: u8) -> Cat {
    let policy = AuthPolicy {
        realm: "rtspeek".into(),
        basic: flags & 8 == 0,
        digest: vec![Algorithm::SHA256, Algorithm::MD5],
        users: UserTable::new().with_password("viewer", PASSWORD),
        allow_rfc2069: flags & 0x20 != 0,
        allow_basic_cleartext: flags & 0x40 != 0,
    };
    let (codec, sets): (Codec, &[&[u8]]) =
        if flags & 0x10 != 0 { (Codec::H265, &H265_SETS) } else { (Codec::H264, &H264_SETS) };
    let mount = |path: &str, auth: Option<AuthPolicy>| Mount {
        path: path.into(),
        title: "fuzz".into(),
        info: StreamInfo {
            codec,
            parameter_sets: sets.iter().map(|s| s.to_vec()).collect(),
            frame_rate: 25.0,
        },
        payload_type: 96,
        auth,
        ssrc: Some(POSITION.ssrc),
        encryption: Encryption::Optional,
        srtp: Default::default(),
    };
    let cam_auth = (flags & 2 != 0).then(|| policy.clone());
    Cat { mounts: vec![mount("cam", cam_auth), mount("site/front", None), mount("locked", Some(policy))] }
}

/// The session and what came out of it so far.
struct Run {
    session: ServerSession,
    catalog: Arc<Cat>,
    /// What the driver answers to `Subscribe`.
    position: Option<RtpPosition>,
    /// The position of the subscription answered and not played yet.
    subscribed: Option<RtpPosition>,
    now: Duration,
    /// Bytes transmitted so far.
    transmitted: usize,
    closed: bool,
    /// The client's view of the responses.
    client: Parser,
    /// Whether the input holds the password (the server may repeat what the client sent).
    input_has_password: bool,
}

/// What the fuzz target runs: see the module docs for the input format.
pub fn run(data: &[u8]) {
    let (flags, mut records) = data.split_first().map_or((0, &[][..]), |(f, rest)| (*f, rest));
    let tls = flags & 1 != 0;
    let transport = TransportPolicy { tls, udp_server_ports: (!tls).then_some((6970, 6971)) };
    let mut config = SessionConfig::new("rtspeek-fuzz", ServerKey::new(vec![7; 32]));
    config.unix_origin = UNIX;
    let local = SocketAddr::from(([192, 0, 2, 1], if tls { 322 } else { 554 }));
    let conn = ConnectionInfo { transport, local, peer: SocketAddr::from(([192, 0, 2, 9], 50_000)) };
    let catalog = Arc::new(catalog(flags));
    let mut r = Run {
        session: ServerSession::new(config, conn, catalog.clone(), Duration::ZERO, [9; 32]),
        catalog,
        position: (flags & 4 == 0).then_some(POSITION),
        subscribed: None,
        now: Duration::ZERO,
        transmitted: 0,
        closed: false,
        client: Parser::default(),
        input_has_password: data.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()),
    };
    while let Some((op, payload)) = next_record(&mut records) {
        r.now += Duration::from_millis(10);
        r.fire_timer();
        let now = r.now;
        match op & 3 {
            0 | 1 => r.session.handle_input(now, Input::Data(payload)),
            2 => r.session.handle_input(now, Input::Rtcp(payload)),
            _ => {
                let seconds = u64::from(op >> 2);
                r.now = match r.session.poll_timeout() {
                    Some(at) if seconds == 0 => at.max(r.now),
                    _ => r.now + Duration::from_secs(seconds),
                };
                r.fire_timer();
            }
        }
        r.drain();
        let bound = MAX_RESPONSE + 128 * data.len();
        assert!(r.transmitted <= bound, "{} bytes out for {} in", r.transmitted, data.len());
    }
    // The client goes quiet: the connection must end at the session's next timer, whatever state it is in.
    for _ in 0..2 {
        let Some(at) = r.session.poll_timeout() else { break };
        assert!(at >= r.now, "a timer in the past: {at:?} < {:?}", r.now);
        r.now = at;
        r.session.handle_timeout(at);
        r.drain();
    }
    assert!(r.session.is_closed() && r.closed, "the connection outlives its timers");
    let stats = format!("{:?}", r.session.stats());
    assert!(!stats.contains(PASSWORD), "the session's stats hold the password");
}

impl Run {
    fn fire_timer(&mut self) {
        if self.session.poll_timeout().is_some_and(|at| at <= self.now) {
            self.session.handle_timeout(self.now);
            self.drain();
        }
    }

    fn drain(&mut self) {
        while let Some(out) = self.session.poll_output() {
            assert!(!self.closed, "an output after Close: {out:?}");
            match out {
                Output::Transmit(bytes) => self.response(&bytes),
                Output::Close(_) => {
                    assert!(self.session.is_closed());
                    self.closed = true;
                }
                Output::Subscribe { mount } => {
                    assert!(self.catalog.mount(&mount).is_some(), "a subscription to an unknown mount");
                    assert!(self.subscribed.is_none(), "a second subscription before the first was played");
                    self.subscribed = self.position;
                    self.session.handle_input(self.now, Input::Subscribed(self.position));
                }
                Output::Play(play) => {
                    assert!(self.catalog.mount(&play.mount).is_some(), "PLAY of an unknown mount");
                    let subscribed = self.subscribed.take();
                    assert_eq!(subscribed, Some(play.position), "PLAY without the subscription's position");
                }
                Output::Pause | Output::Stop => {}
                Output::Timeout(at) => {
                    assert!(at >= self.now, "a timer in the past: {at:?} < {:?}", self.now);
                    break;
                }
            }
        }
    }

    /// One transmitted chunk: exactly one complete response, within the bounds.
    fn response(&mut self, bytes: &[u8]) {
        assert!(bytes.len() <= MAX_RESPONSE, "a {}-byte response", bytes.len());
        self.transmitted += bytes.len();
        let mut rest = bytes;
        match self.client.feed(&mut rest) {
            Ok(Parsed::Message(Message::Response(_), used)) => {
                assert_eq!(used, bytes.len(), "a transmit is not exactly one response");
            }
            other => panic!("the server wrote something other than one response: {other:?}"),
        }
        assert!(rest.is_empty());
        if !self.input_has_password {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains(PASSWORD), "a response holds the password");
        }
    }
}
