//! SRTP mounts: the SDP's keys are the ones PLAY protects with, a SETUP without DESCRIBE gets a `KeyMgmt`
//! header, keys never cross plain RTSP unless the mount allows it, AVP on an SRTP mount (and SAVP on a plain
//! one) is 461, TEARDOWN forgets the keys, the client's SRTCP is read and forgeries counted.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use rtspeek_core::mikey::{Message as Mikey, NullOffer};
use rtspeek_core::rtsp::auth::ServerKey;
use rtspeek_core::rtsp::headers::Session;
use rtspeek_core::rtsp::{Parser, Response};
use rtspeek_core::serve::{
    ConnectionInfo, Input, KeySource, KeySourceError, Output, ServerSession, SessionConfig, SrtpKey,
    TransportPolicy,
};
use rtspeek_core::srtp::sdes::CryptoAttribute;
use rtspeek_core::srtp::{MasterKey, SrtpContext, Suite};

use super::{Conn, PEER, POSITION, UNIX, body, catalog, status};

/// Keys of bytes 1, 2, 3... (a new value per key), or a failing generator.
#[derive(Debug, Default)]
struct Counter {
    next: AtomicU8,
    broken: bool,
}

impl KeySource for Counter {
    fn fill(&self, out: &mut [u8]) -> Result<(), KeySourceError> {
        if self.broken {
            return Err(KeySourceError);
        }
        out.fill(self.next.fetch_add(1, Ordering::Relaxed) + 1);
        Ok(())
    }
}

/// A connection with a key source, TLS or not, with the listener's UDP ports or not.
fn conn(tls: bool, udp: bool, source: Counter) -> Conn {
    let mut config = SessionConfig::new("rtspeek-test", ServerKey::new(vec![7; 32]));
    config.unix_origin = UNIX;
    config.keys = Some(Arc::new(source));
    let transport = TransportPolicy { tls, udp_server_ports: udp.then_some((6970, 6971)) };
    let local = SocketAddr::from(([127, 0, 0, 1], 8322));
    let info = ConnectionInfo { transport, local, peer: PEER };
    Conn {
        session: ServerSession::new(config, info, catalog(), Duration::ZERO, [9; 32]),
        now: Duration::ZERO,
        cseq: 0,
        parser: Parser::default(),
        outputs: Vec::new(),
        position: Some(Some(POSITION)),
    }
}

/// The SDP's (MIKEY, SDES) receiving contexts.
fn sdp_keys(sdp: &str) -> (Option<SrtpContext>, Option<SrtpContext>) {
    let mikey = sdp
        .lines()
        .find_map(|l| l.strip_prefix("a=key-mgmt:"))
        .map(|v| Mikey::from_key_mgmt(v).and_then(|m| m.srtp_context()).unwrap());
    let sdes = sdp
        .lines()
        .find_map(|l| l.strip_prefix("a=crypto:"))
        .map(|v| CryptoAttribute::parse(v).and_then(|c| c.context()).unwrap());
    (mikey, sdes)
}

/// PLAY, and the key its command carries.
fn play_key(c: &mut Conn, url: &str, id: &str) -> SrtpKey {
    assert_eq!(status(&c.request("PLAY", url, &[("Session", id)])), 200);
    let Some(Output::Play(play)) = c.outputs.pop() else { panic!("{:?}", c.outputs) };
    play.srtp.expect("an SRTP mount's PLAY carries its key")
}

fn session_id(r: &Response<'_>) -> String {
    r.headers.typed::<Session>().unwrap().unwrap().id
}

const RTP: [u8; 16] = [0x80, 96, 0x10, 0x92, 0, 1, 0x5f, 0x90, 0x12, 0x34, 0x56, 0x78, 0x65, 1, 2, 3];

#[test]
fn the_describe_keys_are_the_ones_play_protects_with() {
    let mut c = conn(true, false, Counter::default());
    let d = c.request("DESCRIBE", "rtsps://h/srtp-both", &[]);
    assert_eq!(status(&d), 200, "{}", body(&d));
    let sdp = body(&d);
    assert!(sdp.contains("\r\nm=video 0 RTP/SAVP 96\r\n"), "{sdp}");
    let (Some(mut mikey), Some(mut sdes)) = sdp_keys(&sdp) else { panic!("{sdp}") };
    assert_eq!(body(&c.request("DESCRIBE", "rtsps://h/srtp-both", &[])), sdp, "same keys on the connection");

    let s =
        c.request("SETUP", "rtsps://h/srtp-both/trackID=0", &[("Transport", "RTP/SAVP/TCP;interleaved=0-1")]);
    assert_eq!(status(&s), 200, "{}", body(&s));
    assert!(s.headers.get("Transport").unwrap().starts_with("RTP/SAVP/TCP;"), "{s:?}");
    assert_eq!(s.headers.get("KeyMgmt"), None, "the DESCRIBE gave the keys");
    let key = play_key(&mut c, "rtsps://h/srtp-both/", &session_id(&s));
    let protected = key.context().protect_rtp(&RTP).unwrap();
    assert_ne!(protected.get(12..16), RTP.get(12..16));
    assert_eq!(sdes.unprotect_rtp(&protected).unwrap(), RTP);
    assert_eq!(mikey.unprotect_rtp(&protected).unwrap(), RTP);
    // The MIKEY map names the mount's SSRC with ROC 0, where the sender context starts.
    let line = sdp.lines().find_map(|l| l.strip_prefix("a=key-mgmt:")).unwrap();
    let message = Mikey::from_key_mgmt(line).unwrap();
    assert_eq!(message.srtp_map().first().map(|e| (e.ssrc, e.roc)), Some((POSITION.ssrc, 0)));
}

#[test]
fn a_setup_without_describe_gets_keys_in_key_mgmt_and_teardown_forgets_them() {
    let mut c = conn(true, true, Counter::default());
    let udp = [("Transport", "RTP/SAVP;unicast;client_port=5000-5001")];
    let s = c.request("SETUP", "rtsps://h/srtp-mikey/trackID=0", &udp);
    assert_eq!(status(&s), 200, "{}", body(&s));
    let header = s.headers.get("KeyMgmt").expect("KeyMgmt").to_owned();
    assert!(header.starts_with("prot=mikey; uri=\"rtsps://h/srtp-mikey/trackID=0\"; data=\""), "{header}");
    let offered = Mikey::from_key_mgmt(&header).unwrap().srtp_master_key(Suite::AesCm128HmacSha1_80).unwrap();
    let id = session_id(&s);
    assert_eq!(play_key(&mut c, "rtsps://h/srtp-mikey/", &id).key, offered, "SRTP over UDP under RTSPS");

    assert_eq!(status(&c.request("TEARDOWN", "rtsps://h/srtp-mikey/", &[("Session", &id)])), 200);
    let again = c.request("SETUP", "rtsps://h/srtp-mikey/trackID=0", &udp);
    let fresh = Mikey::from_key_mgmt(again.headers.get("KeyMgmt").unwrap()).unwrap();
    assert_ne!(
        fresh.srtp_master_key(Suite::AesCm128HmacSha1_80).unwrap(),
        offered,
        "a new session, new keys"
    );

    // SDES keys only travel in the SDP.
    let r = conn(true, true, Counter::default()).request("SETUP", "rtsps://h/srtp-sdes/trackID=0", &udp);
    assert_eq!(status(&r), 455, "{}", body(&r));
    assert!(body(&r).contains("DESCRIBE first"), "{}", body(&r));
}

#[test]
fn keys_cross_plain_rtsp_only_when_the_mount_allows_it() {
    let mut plain = conn(false, true, Counter::default());
    let r = plain.request("DESCRIBE", "rtsp://h/srtp-mikey", &[]);
    assert_eq!(status(&r), 403);
    assert!(body(&r).contains("in clear"), "{}", body(&r));
    let r = plain.request("DESCRIBE", "rtsp://h/srtp-sdes", &[]);
    assert_eq!(status(&r), 200, "allow_cleartext_keys: {}", body(&r));
    assert!(
        body(&r).contains("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:"),
        "the mount's suite: {}",
        body(&r)
    );
    // Without a working generator there is no key, so no SRTP session.
    let broken = Counter { broken: true, ..Counter::default() };
    let r = conn(true, false, broken).request("DESCRIBE", "rtsps://h/srtp-both", &[]);
    assert_eq!(status(&r), 500, "{}", body(&r));
}

#[test]
fn an_srtp_mount_takes_savp_only_and_a_plain_one_avp_only() {
    let srtp = "rtsps://h/srtp-both/trackID=0";
    for (url, transport, udp, expected) in [
        (srtp, "RTP/AVP/TCP;interleaved=0-1", true, 461),
        (srtp, "RTP/AVP;unicast;client_port=5000-5001", true, 461),
        (srtp, "RTP/SAVP;unicast;client_port=5000-5001", false, 461),
        (srtp, "RTP/SAVPF;unicast;client_port=5000-5001", true, 200),
        (srtp, "RTP/AVP/TCP;interleaved=0-1,RTP/SAVP/TCP;interleaved=0-1", false, 200),
        ("rtsps://h/cam/trackID=0", "RTP/SAVP/TCP;interleaved=0-1", true, 461),
        ("rtsps://h/cam/trackID=0", "RTP/SAVP;unicast;client_port=5000-5001", true, 461),
    ] {
        let r = conn(true, udp, Counter::default()).request("SETUP", url, &[("Transport", transport)]);
        assert_eq!(status(&r), expected, "{url} {transport}: {}", body(&r));
    }
    let r = conn(true, true, Counter::default()).request("SETUP", srtp, &[("Transport", "RTP/AVP/TCP")]);
    assert!(body(&r).contains("SRTP only"), "{}", body(&r));
}

/// An RTCP receiver report from the client.
const RR: [u8; 32] = {
    let mut rr = [0u8; 32];
    rr[0] = 0x81;
    rr[1] = 201;
    rr[3] = 7;
    rr[7] = 9;
    rr
};

#[test]
fn the_clients_srtcp_is_read_under_its_key_and_forgeries_are_counted() {
    // No KeyMgmt from the client: its RTCP is keyed like our media.
    let mut c = conn(true, false, Counter::default());
    let d = c.request("DESCRIBE", "rtsps://h/srtp-sdes", &[]);
    let (_, Some(mut ours)) = sdp_keys(&body(&d)) else { panic!() };
    c.request("SETUP", "rtsps://h/srtp-sdes/trackID=0", &[("Transport", "RTP/SAVP/TCP;interleaved=0-1")]);
    let report = ours.protect_rtcp(&RR).unwrap();
    c.session.handle_input(c.now, Input::Rtcp(&report));
    let mut forged = report.clone();
    *forged.last_mut().unwrap() ^= 1;
    c.session.handle_input(c.now, Input::Rtcp(&forged));
    c.session.handle_input(c.now, Input::Rtcp(&RR));
    let stats = c.session.stats();
    assert_eq!((stats.rtcp_packets, stats.srtcp_failures), (1, 2), "plain RTCP is not SRTCP either");
    assert!(!c.session.is_closed());

    // rtspsrc sends its own key in SETUP's KeyMgmt: its reports are read under that one.
    let theirs = MasterKey::new(Suite::AesCm128HmacSha1_80, &[0xAA; 16], &[0xBB; 14]).unwrap();
    let offer = NullOffer {
        csb_id: 7,
        streams: &[(9, 0)],
        ntp_time: 0,
        rand: [3; 16],
        suite: Suite::AesCm128HmacSha1_80,
        key: &theirs,
        srtcp_encryption: true,
        mki: None,
    };
    let header =
        format!("prot=mikey; uri=\"rtsps://h/srtp-mikey\"; data=\"{}\"", offer.message().to_base64());
    let mut c = conn(true, false, Counter::default());
    let transport = ("Transport", "RTP/SAVP/TCP;interleaved=0-1");
    let s = c.request("SETUP", "rtsps://h/srtp-mikey/trackID=0", &[transport, ("KeyMgmt", &header)]);
    assert_eq!(status(&s), 200, "{}", body(&s));
    let report = SrtpContext::new(Suite::AesCm128HmacSha1_80, &theirs).protect_rtcp(&RR).unwrap();
    // Interleaved on channel 1, the RTCP channel.
    let mut frame = vec![b'$', 1, 0, report.len() as u8];
    frame.extend_from_slice(&report);
    c.send_raw(&frame);
    assert_eq!((c.session.stats().rtcp_packets, c.session.stats().srtcp_failures), (1, 0));
}

#[test]
fn the_session_never_prints_its_keys() {
    let mut c = conn(true, false, Counter::default());
    let sdp = body(&c.request("DESCRIBE", "rtsps://h/srtp-both", &[]));
    let crypto = sdp.lines().find_map(|l| l.strip_prefix("a=crypto:")).unwrap();
    let inline = crypto.split("inline:").nth(1).unwrap();
    let mikey = sdp.lines().find_map(|l| l.strip_prefix("a=key-mgmt:mikey ")).unwrap();
    let shown = format!("{:?}", c.session);
    assert!(!shown.contains(inline) && !shown.contains(mikey), "{shown}");
}
