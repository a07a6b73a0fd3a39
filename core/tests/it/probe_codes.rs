//! One scenario per finding the live probe itself produces (`tcp.*`, `transport.*`, the session-level `rtsp.*`
//! codes, `sdp.not_sdp`, `cert.verification_failed`), plus the TLS, certificate and auth failures as the probe
//! meets them, each against the scripted camera of `support::probe` in virtual time. What `rtspeek serve`'s own
//! session does on purpose (a 401 without or with wrong credentials, a 404, the right password) is tested
//! against it instead, in `server_pair`: the scripted camera keeps what a server does wrong.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::support::probe::{
    Camera, Connect, EXPIRED, Pair, Raw, Reply, SELF_SIGNED, Scenario, Tls, codes, config, der_chain,
    response,
};
use rtspeek_core::diagnose::codes as c;
use rtspeek_core::probe::{
    CloseReason, ConnectErrorKind, DiscoveryConfig, HandshakeFailure, ProbeConfig, ProbeEvent,
    TransportChoice, VerifierRecord,
};
use rtspeek_core::rtsp::Method;
use rtspeek_core::rtsp::auth::Credentials;
use rtspeek_core::{Layer, Report, Severity, Verdict};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const RTSPS: &str = "rtsps://192.0.2.10:322/live";
const RTSP: &str = "rtsp://192.0.2.10/live";

fn tls_camera() -> Camera {
    Camera { port: 322, ..Camera::default() }
}

/// A camera whose chain the driver's verifier refused with `error`, aborting the handshake.
fn refused_chain(pems: &[&[u8]], error: &str) -> (ProbeConfig, Camera) {
    let verifier =
        VerifierRecord { chain: der_chain(pems), error: Some(error.to_owned()), overridden: false };
    let tls = Tls::Failed { failure: HandshakeFailure::Certificate, verifier: Some(verifier) };
    (config(RTSPS), Camera { tls, ..tls_camera() })
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            code: c::TCP_REFUSED,
            broken: Some(Layer::Tcp),
            setup: || {
                (config(RTSPS), Camera { connect: Connect::Fail(ConnectErrorKind::Refused), ..tls_camera() })
            },
        },
        Scenario {
            code: c::TCP_DNS_FAILED,
            broken: Some(Layer::Tcp),
            setup: || {
                (
                    config("rtsps://cam.invalid/live"),
                    Camera { connect: Connect::Fail(ConnectErrorKind::Dns), ..tls_camera() },
                )
            },
        },
        Scenario {
            code: c::TCP_UNREACHABLE,
            broken: Some(Layer::Tcp),
            setup: || {
                (
                    config(RTSPS),
                    Camera { connect: Connect::Fail(ConnectErrorKind::Unreachable), ..tls_camera() },
                )
            },
        },
        Scenario {
            code: c::TCP_CONNECT_FAILED,
            broken: Some(Layer::Tcp),
            setup: || {
                (config(RTSPS), Camera { connect: Connect::Fail(ConnectErrorKind::Other), ..tls_camera() })
            },
        },
        Scenario {
            code: c::TCP_TIMEOUT,
            broken: Some(Layer::Tcp),
            setup: || (config(RTSPS), Camera { connect: Connect::Silent, ..tls_camera() }),
        },
        Scenario {
            code: c::TCP_NO_SERVICE,
            broken: Some(Layer::Tcp),
            setup: || {
                let mut cfg = config("rtsp://192.0.2.10/live");
                cfg.discovery =
                    Some(DiscoveryConfig { ports: vec![322, 554], per_port_timeout: Duration::from_secs(1) });
                (cfg, Camera { port: 9, ..Camera::default() })
            },
        },
        Scenario {
            code: c::TLS_NO_ANSWER,
            broken: Some(Layer::Tls),
            setup: || (config(RTSPS), Camera { tls: Tls::Silent, raw: Raw::Silent, ..tls_camera() }),
        },
        Scenario {
            code: c::TLS_NOT_TLS,
            broken: Some(Layer::Tls),
            setup: || {
                let tls = Tls::Failed {
                    failure: HandshakeFailure::NotTls("InvalidContentType".into()),
                    verifier: None,
                };
                (config(RTSPS), Camera { tls, raw: Raw::PlainRtsp, ..tls_camera() })
            },
        },
        Scenario {
            code: c::TLS_CONNECTION_RESET,
            broken: Some(Layer::Tls),
            setup: || {
                let tls = Tls::Failed { failure: HandshakeFailure::Reset, verifier: None };
                (config(RTSPS), Camera { tls, raw: Raw::Close, ..tls_camera() })
            },
        },
        Scenario {
            code: c::TLS_VERSION_LEGACY_ONLY,
            broken: Some(Layer::Tls),
            setup: || {
                let tls = Tls::Failed { failure: HandshakeFailure::Alert(70), verifier: None };
                (config(RTSPS), Camera { tls, raw: Raw::Tls10, ..tls_camera() })
            },
        },
        Scenario {
            code: c::TLS_CLIENT_CERT_REQUIRED,
            broken: Some(Layer::Tls),
            setup: || {
                // TLS 1.3: the handshake completes, then alert 116 arrives instead of the first answer.
                let camera =
                    tls_camera().on(Method::Options, |_| Some(Reply::Close(CloseReason::TlsAlert(116))));
                (config(RTSPS), camera)
            },
        },
        Scenario {
            code: c::TLS_HANDSHAKE_ALERT,
            broken: Some(Layer::Tls),
            setup: || {
                let tls = Tls::Failed { failure: HandshakeFailure::Alert(112), verifier: None };
                let alert = vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 112];
                (config(RTSPS), Camera { tls, raw: Raw::TlsAnswer(alert), ..tls_camera() })
            },
        },
        Scenario {
            code: c::CERT_SELF_SIGNED,
            broken: Some(Layer::Certificate),
            setup: || refused_chain(&[SELF_SIGNED], "invalid peer certificate: UnknownIssuer"),
        },
        Scenario {
            code: c::CERT_EXPIRED,
            broken: Some(Layer::Certificate),
            setup: || {
                refused_chain(
                    &[EXPIRED, crate::support::probe::INTERMEDIATE],
                    "invalid peer certificate: Expired",
                )
            },
        },
        Scenario {
            code: c::CERT_VERIFICATION_FAILED,
            broken: Some(Layer::Certificate),
            setup: || {
                // A chain the analysis finds sound, refused by the verifier for its own reason.
                refused_chain(
                    &[crate::support::probe::LEAF, crate::support::probe::INTERMEDIATE],
                    "invalid peer certificate: UnsupportedCriticalExtension",
                )
            },
        },
        Scenario {
            code: c::AUTH_BASIC_CLEARTEXT,
            // The password would cross in clear: withheld, so authentication stops the chain.
            broken: Some(Layer::Auth),
            setup: || {
                (
                    config("rtsp://admin:secret@192.0.2.10/live"),
                    Camera { auth: Some("basic"), ..Camera::default() },
                )
            },
        },
        Scenario {
            code: c::RTSP_CONNECTION_CLOSED,
            broken: Some(Layer::Rtsp),
            setup: || {
                (config(RTSPS), tls_camera().on(Method::Describe, |_| Some(Reply::Close(CloseReason::Eof))))
            },
        },
        Scenario {
            code: c::RTSP_NO_RESPONSE,
            broken: Some(Layer::Rtsp),
            setup: || (config(RTSPS), tls_camera().on(Method::Options, |_| Some(Reply::Silence))),
        },
        Scenario {
            code: c::RTSP_REDIRECT_LOOP,
            broken: Some(Layer::Rtsp),
            setup: || {
                let camera = tls_camera().on(Method::Describe, |req| {
                    Some(Reply::Respond(response(req, 302).with_header("Location", req.uri.to_string())))
                });
                (config(RTSPS), camera)
            },
        },
        Scenario {
            code: c::RTSP_RTP_INFO_MISSING,
            broken: None,
            setup: || (config(RTSPS), Camera { rtp_info: false, ..tls_camera() }),
        },
        Scenario {
            code: c::RTSP_KEEPALIVE_FAILED,
            broken: None,
            setup: || {
                let mut cfg = config(RTSPS);
                cfg.media_window = Duration::from_secs(12);
                (cfg, Camera { session_timeout: 10, ..tls_camera() }.status(Method::GetParameter, 405))
            },
        },
        Scenario {
            code: c::SDP_NOT_SDP,
            broken: Some(Layer::Sdp),
            setup: || (config(RTSPS), Camera { sdp: String::new(), ..tls_camera() }),
        },
        // The description's missing control URLs break the SDP layer first; nothing can be set up after it.
        Scenario {
            code: c::TRANSPORT_NO_TRACKS,
            broken: Some(Layer::Sdp),
            setup: || {
                let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 0 RTP/AVP 0\r\n".to_owned();
                (config(RTSPS), Camera { sdp, ..tls_camera() })
            },
        },
        Scenario {
            code: c::TRANSPORT_TCP_REFUSED,
            broken: Some(Layer::Transport),
            setup: || (config(RTSPS), Camera { refuse_tcp: true, ..tls_camera() }),
        },
        Scenario {
            code: c::TRANSPORT_UDP_REFUSED,
            broken: Some(Layer::Transport),
            setup: || {
                let mut cfg = config(RTSP);
                cfg.transport = TransportChoice::Udp;
                (cfg, Camera { refuse_udp: true, ..Camera::default() })
            },
        },
        Scenario {
            code: c::TRANSPORT_FALLBACK,
            broken: None,
            setup: || (config(RTSP), Camera { refuse_tcp: true, ..Camera::default() }),
        },
        Scenario {
            code: c::TRANSPORT_UDP_BLOCKED,
            broken: Some(Layer::Transport),
            setup: || {
                let mut cfg = config(RTSP);
                cfg.transport = TransportChoice::Udp;
                (cfg, Camera { udp_delivery: false, ..Camera::default() })
            },
        },
        Scenario {
            code: c::TRANSPORT_FOREIGN_PACKETS,
            broken: None,
            setup: || {
                let mut cfg = config(RTSP);
                cfg.transport = TransportChoice::Udp;
                (cfg, Camera { strangers: true, ..Camera::default() })
            },
        },
        Scenario {
            code: c::TRANSPORT_UDP_FLOOD,
            broken: None,
            setup: || {
                let mut cfg = config(RTSP);
                cfg.transport = TransportChoice::Udp;
                (cfg, Camera { strangers: true, ..Camera::default() })
            },
        },
        Scenario {
            code: c::TRANSPORT_CHANNEL_CHANGED,
            broken: None,
            setup: || (config(RTSPS), Camera { move_channels: true, ..tls_camera() }),
        },
        Scenario {
            code: c::TRANSPORT_CLEARTEXT_MEDIA,
            broken: None,
            setup: || {
                let mut cfg = config(RTSPS);
                cfg.transport = TransportChoice::Udp;
                (cfg, tls_camera())
            },
        },
        Scenario {
            code: c::TRANSPORT_UNENCRYPTED,
            broken: None,
            setup: || (config(RTSP), Camera::default()),
        },
        Scenario {
            code: c::RTP_LOSS,
            broken: None,
            setup: || (config(RTSPS), Camera { drop_every: 20, ..tls_camera() }),
        },
        Scenario {
            code: c::RTP_NO_PACKETS,
            broken: Some(Layer::Rtp),
            setup: || (config(RTSPS), Camera { media: false, ..tls_camera() }),
        },
        Scenario {
            code: c::RTCP_ABSENT,
            broken: None,
            setup: || {
                let mut cfg = config(RTSPS);
                cfg.media_window = Duration::from_secs(9);
                (cfg, Camera { rtcp: false, ..tls_camera() })
            },
        },
    ]
}

fn run(s: &Scenario) -> (Report, Pair) {
    let (config, camera) = (s.setup)();
    let mut pair = Pair::new(config, camera);
    (pair.run(), pair)
}

#[test]
fn every_scenario_produces_its_code_and_breaks_the_right_layer() {
    for s in scenarios() {
        let (report, _) = run(&s);
        assert!(report.has(s.code.code), "{}: got {:?}", s.code.code, codes(&report));
        assert_eq!(report.first_broken_layer, s.broken, "{}: {:?}", s.code.code, codes(&report));
        if s.broken.is_some() {
            assert_eq!(report.verdict, Verdict::Broken, "{}", s.code.code);
        }
    }
}

/// The codes only the live probe produces: each needs a scenario here.
#[test]
fn every_probe_level_code_has_a_scenario() {
    let produced: BTreeSet<&str> = scenarios().iter().map(|s| s.code.code).collect();
    let probe_level = c::TCP_CODES.iter().chain(c::TRANSPORT_CODES).chain(c::SESSION_LEVEL).copied();
    let missing: Vec<&str> = probe_level.map(|c| c.code).filter(|c| !produced.contains(c)).collect();
    assert!(missing.is_empty(), "no scenario for {missing:?}");
}

#[test]
fn after_the_first_broken_layer_nothing_is_reached_unless_insecure() {
    let s = scenarios().into_iter().find(|s| s.code == c::CERT_SELF_SIGNED).expect("scenario");
    let (report, pair) = run(&s);
    for layer in [Layer::Rtsp, Layer::Auth, Layer::Sdp, Layer::Rtp, Layer::Codec] {
        assert_eq!(report.layer_status(layer), Some(rtspeek_core::LayerStatus::NotReached), "{layer}");
    }
    assert!(pair.seen.requests.is_empty(), "a strict client sends nothing after an untrusted certificate");
}

#[test]
fn insecure_continues_but_the_certificate_layer_still_fails() {
    let verifier = Tls::Established {
        chain: der_chain(&[SELF_SIGNED]),
        error: Some("invalid peer certificate: UnknownIssuer".into()),
        overridden: true,
    };
    let mut cfg = config(RTSPS);
    cfg.insecure = true;
    let mut pair = Pair::new(cfg, Camera { tls: verifier, ..tls_camera() });
    let report = pair.run();
    assert_eq!(report.first_broken_layer, Some(Layer::Certificate));
    assert_eq!(report.verdict, Verdict::Broken);
    assert!(report.trust.as_ref().is_some_and(|t| t.overridden));
    assert_eq!(
        report.layer_status(Layer::Codec),
        Some(rtspeek_core::LayerStatus::Pass),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn a_redirect_is_followed() {
    let camera = tls_camera().on(Method::Describe, |req| {
        req.uri.ends_with("/old").then(|| {
            Reply::Respond(response(req, 301).with_header("Location", "rtsps://192.0.2.10:322/live"))
        })
    });
    let mut pair = Pair::new(config("rtsps://192.0.2.10:322/old"), camera);
    let report = pair.run();
    assert_eq!(report.verdict, Verdict::Healthy, "{:?}", codes(&report));
    assert!(report.has("rtsp.redirect"));
    assert_eq!(report.facts.rtsp.as_ref().map(|r| r.redirects.len()), Some(1));
}

/// A camera asking for Digest (or Basic) whose rtsps:// DESCRIBE of `/old` redirects to `location`.
fn redirecting_camera(auth: &'static str, location: &'static str) -> Camera {
    Camera { auth: Some(auth), ..tls_camera() }.on(Method::Describe, move |req| {
        req.uri
            .ends_with("/old")
            .then(|| Reply::Respond(response(req, 301).with_header("Location", location)))
    })
}

#[test]
fn a_redirect_from_rtsps_to_rtsp_never_gets_the_credentials() {
    let camera = redirecting_camera("digest", "rtsp://192.0.2.10:322/live");
    let mut cfg = config("rtsps://192.0.2.10:322/old");
    cfg.credentials = Some(Credentials::new("admin", "secret"));
    cfg.allow_cleartext = true; // even so: a downgrade never gets them
    let mut pair = Pair::new(cfg, camera);
    let report = pair.run();
    assert_eq!(pair.seen.cleartext_authorizations, 0, "credentials crossed in clear");
    assert_eq!(report.first_broken_layer, Some(Layer::Rtsp), "{:?}", codes(&report));
    let f = report.findings.iter().find(|f| f.code == c::RTSP_SCHEME_DOWNGRADE.code).expect("downgrade");
    assert!(f.evidence.iter().any(|e| e.label == "credentials" && e.value.starts_with("withheld")), "{f:#?}");
    let auth = report.findings.iter().find(|f| f.code == c::AUTH_REQUIRED.code).expect("auth.required");
    assert!(
        auth.summary.contains("withheld") && !auth.summary.contains("no credentials"),
        "{}",
        auth.summary
    );
    assert_eq!(report.facts.auth.as_ref().map(|a| a.outcome.as_str()), Some("withheld"));
}

#[test]
fn a_redirect_to_another_host_drops_the_credentials_and_says_so() {
    let camera = redirecting_camera("digest", "rtsps://192.0.2.99:322/live");
    let mut cfg = config("rtsps://192.0.2.10:322/old");
    cfg.credentials = Some(Credentials::new("admin", "secret"));
    let mut pair = Pair::new(cfg, camera);
    let report = pair.run();
    // The first DESCRIBE is answered with credentials on 192.0.2.10; none go to 192.0.2.99.
    let authorized_after_redirect = pair
        .seen
        .requests
        .iter()
        .skip_while(|(m, _)| m != "DESCRIBE")
        .skip(2)
        .any(|(_, h)| h.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization")));
    assert!(!authorized_after_redirect, "{:?}", pair.seen.requests);
    let f = report.findings.iter().find(|f| f.code == c::RTSP_REDIRECT.code).expect("redirect");
    assert!(
        f.evidence.iter().any(|e| e.label == "credentials" && e.value.contains("another host")),
        "{f:#?}"
    );
}

#[test]
fn basic_in_clear_is_withheld_unless_allowed() {
    let run_with = |allow: bool| {
        let mut cfg = config("rtsp://192.0.2.10/live");
        cfg.credentials = Some(Credentials::new("admin", "secret"));
        cfg.allow_cleartext = allow;
        let mut pair = Pair::new(cfg, Camera { auth: Some("basic"), ..Camera::default() });
        let report = pair.run();
        (report, pair.seen.cleartext_authorizations)
    };
    let (report, sent) = run_with(false);
    assert_eq!(sent, 0);
    assert_eq!(report.first_broken_layer, Some(Layer::Auth), "{:?}", codes(&report));
    let f = report.findings.iter().find(|f| f.code == c::AUTH_BASIC_CLEARTEXT.code).expect("basic finding");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.summary.contains("withheld"), "{}", f.summary);
    let (report, sent) = run_with(true);
    assert!(sent > 0);
    assert_ne!(report.first_broken_layer, Some(Layer::Auth), "{:?}", codes(&report));
}

#[test]
fn digest_is_answered_in_clear_when_the_user_gave_an_rtsp_url() {
    let mut cfg = config("rtsp://192.0.2.10/live");
    cfg.credentials = Some(Credentials::new("admin", "secret"));
    let mut pair = Pair::new(cfg, Camera { auth: Some("digest"), ..Camera::default() });
    let report = pair.run();
    assert!(pair.seen.cleartext_authorizations > 0);
    assert_eq!(report.first_broken_layer, None, "{:?}", codes(&report));
}

#[test]
fn discovery_sends_no_credentials_to_a_plain_port_unless_allowed() {
    let run_with = |allow: bool| {
        let mut cfg = config("rtsp://192.0.2.10/live");
        cfg.discovery =
            Some(DiscoveryConfig { ports: vec![322, 554], per_port_timeout: Duration::from_secs(1) });
        cfg.credentials = Some(Credentials::new("admin", "secret"));
        cfg.allow_cleartext = allow;
        // Only port 554 answers, in plain RTSP; 322 is refused.
        let camera = Camera { port: 554, auth: Some("digest"), ..Camera::default() };
        let mut pair = Pair::new(cfg, camera);
        let report = pair.run();
        (report, pair.seen.cleartext_authorizations)
    };
    let (report, sent) = run_with(false);
    assert_eq!(sent, 0, "credentials went to a plain port nobody asked for");
    let f = report.findings.iter().find(|f| f.code == c::AUTH_REQUIRED.code).expect("auth.required");
    assert!(f.summary.contains("withheld") && f.summary.contains("--allow-cleartext"), "{}", f.summary);
    let (_, sent) = run_with(true);
    assert!(sent > 0, "--allow-cleartext sends them");
}

#[test]
fn transcripts_cut_large_messages_and_say_how_large() {
    // A 40 KiB description: the report describes it, the transcript event carries 8 KiB of it.
    let mut sdp = Camera::default().sdp;
    sdp.push_str(&format!("a=x-padding:{}\r\n", "p".repeat(40 * 1024)));
    let mut pair = Pair::new(config(RTSPS), Camera { sdp, ..tls_camera() });
    let _ = pair.run();
    let texts: Vec<&str> = pair
        .events
        .iter()
        .filter_map(|e| match e {
            ProbeEvent::Transcript { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let cut = texts.iter().find(|t| t.contains("transcript cut")).expect("the DESCRIBE answer was cut");
    assert!(cut.len() < rtspeek_core::probe::MAX_TRANSCRIPT_BYTES + 100, "{}", cut.len());
    assert!(cut.ends_with("in all]"), "{}", &cut[cut.len() - 80..]);
    assert!(texts.iter().all(|t| t.len() < rtspeek_core::probe::MAX_TRANSCRIPT_BYTES + 100));
}

#[test]
fn a_camera_announcing_hundreds_of_tracks_gets_eight_setups() {
    let mut sdp = String::from("v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=hostile\r\nt=0 0\r\n");
    for i in 0..300 {
        sdp.push_str(&format!("m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track{i}\r\n"));
    }
    let mut pair = Pair::new(config(RTSPS), Camera { sdp, media: false, ..tls_camera() });
    let report = pair.run();
    let setups = pair.seen.methods().iter().filter(|m| **m == "SETUP").count();
    assert_eq!(setups, rtspeek_core::sdp::MAX_MEDIA, "{:?}", pair.seen.methods());
    assert_eq!(report.facts.tracks.len(), rtspeek_core::sdp::MAX_MEDIA);
    let f = report.findings.iter().find(|f| f.code == c::SDP_TOO_MANY_MEDIA.code).expect("finding");
    assert!(f.evidence.iter().any(|e| e.label == "ignored" && e.value == "292"), "{f:#?}");
}

#[test]
fn datagrams_from_strangers_are_dropped_and_named() {
    let mut cfg = config(RTSP);
    cfg.transport = TransportChoice::Udp;
    let mut pair = Pair::new(cfg, Camera { strangers: true, ..Camera::default() });
    let report = pair.run();
    let f = report.findings.iter().find(|f| f.code == c::TRANSPORT_FOREIGN_PACKETS.code).expect("finding");
    assert!(f.evidence.iter().any(|e| e.value == "198.51.100.7:4000"), "{f:#?}");
    // The stranger's copies were not counted as the camera's: no duplicates, no loss.
    let rtp = report.facts.tracks[0].rtp.as_ref().expect("rtp");
    assert_eq!(rtp.sources.iter().map(|s| s.duplicates).sum::<u64>(), 0, "{rtp:?}");
    let flood = report.findings.iter().find(|f| f.code == c::TRANSPORT_UDP_FLOOD.code).expect("flood");
    assert!(flood.summary.starts_with(&format!("{} ", 3 * rtp.rtp_packets)), "{}", flood.summary);
}

#[test]
fn tracks_given_the_same_interleaved_channels_never_mix() {
    let sdp = format!(
        "{}m=audio 0 RTP/AVP 0\r\na=control:stream=1\r\n",
        Camera::default().sdp.trim_end_matches("\r\n").to_owned() + "\r\n"
    );
    let camera = Camera { sdp, same_channels: true, ..tls_camera() };
    let mut pair = Pair::new(config(RTSPS), camera);
    let report = pair.run();
    let f = report
        .findings
        .iter()
        .find(|f| f.code == c::TRANSPORT_CHANNEL_CHANGED.code && f.severity == Severity::Error)
        .unwrap_or_else(|| panic!("no collision finding: {:?}", codes(&report)));
    assert!(f.summary.contains("already used by track 0"), "{}", f.summary);
    assert_eq!(report.facts.tracks[1].carried_over, "not_set_up", "{:?}", report.facts.tracks[1]);
    assert!(report.facts.tracks[0].rtp.as_ref().is_some_and(|r| r.rtp_packets > 0), "video still measured");
}

#[test]
fn a_plain_rtsp_port_named_as_the_cause_when_rtsps_is_off() {
    let s = scenarios().into_iter().find(|s| s.code == c::TLS_NOT_TLS).expect("scenario");
    let (report, _) = run(&s);
    let f = report.findings.iter().find(|f| f.code == "tls.not_tls").expect("finding");
    assert!(
        f.evidence.iter().any(|e| e.label == "plain_options_answer" && e.value.starts_with("RTSP/1.0")),
        "{f:#?}"
    );
}

#[test]
fn legacy_only_camera_certificate_is_analysed_from_the_scan() {
    let s = scenarios().into_iter().find(|s| s.code == c::TLS_VERSION_LEGACY_ONLY).expect("scenario");
    let (report, _) = run(&s);
    let facts = report.facts.certificate.as_ref().expect("the certificate was read in clear");
    assert!(facts.chain[0].subject.contains("cam.example"), "{:?}", facts.chain[0].subject);
    let scan = report.facts.tls.as_ref().and_then(|t| t.scan.as_ref()).expect("scan facts");
    assert_eq!(scan.versions, ["TLS 1.0"]);
}

#[test]
fn legacy_tls_finishes_the_chain_and_keeps_the_tls_failure() {
    let s = scenarios().into_iter().find(|s| s.code == c::TLS_VERSION_LEGACY_ONLY).expect("scenario");
    // Without the flag the finding says how to see the rest.
    let (report, _) = run(&s);
    let f = report.findings.iter().find(|f| f.code == c::TLS_VERSION_LEGACY_ONLY.code).expect("finding");
    assert!(f.remediation.contains("--legacy-tls"), "{}", f.remediation);
    assert_eq!(report.layer_status(Layer::Rtsp), Some(rtspeek_core::LayerStatus::NotReached));

    let (mut config, camera) = (s.setup)();
    config.legacy_tls = true;
    let mut pair = Pair::new(config, camera);
    let report = pair.run();
    assert_eq!(report.first_broken_layer, Some(Layer::Tls), "{:?}", codes(&report));
    assert_eq!(report.verdict, rtspeek_core::Verdict::Broken);
    assert!(report.has(c::TLS_VERSION_LEGACY_ONLY.code));
    for layer in [Layer::Rtsp, Layer::Sdp, Layer::Transport, Layer::Rtp, Layer::Codec] {
        assert_ne!(report.layer_status(layer), Some(rtspeek_core::LayerStatus::NotReached), "{layer}");
    }
    let legacy = report.facts.tls.as_ref().and_then(|t| t.legacy.as_ref()).expect("legacy session facts");
    assert_eq!((legacy.version.as_str(), legacy.client.as_str()), ("TLSv1", "legacy harness"));
    assert!(report.facts.tracks.iter().any(|t| t.codec.is_some()), "the codec layer was reached");
    // The clients: a TLS 1.0-only camera keeps out every client that no longer speaks TLS 1.0.
    let verdict = |id: &str| report.clients.iter().find(|c| c.id == id).map(|c| c.verdict);
    use rtspeek_core::clients::Outcome;
    for id in ["rustls", "go", "go-legacy", "openssl3", "ffmpeg-openssl"] {
        assert_eq!(verdict(id), Some(Outcome::Fails), "{id}: {:?}", report.clients);
    }
    // GnuTLS still offers TLS 1.0: GStreamer gets in (the captured camera's certificate keeps it out).
    let gst = report.clients.iter().find(|c| c.id == "gstreamer").expect("gstreamer");
    let tls: Vec<&str> =
        gst.because.iter().filter(|r| r.layer == Layer::Tls).map(|r| r.text.as_str()).collect();
    assert!(tls.len() == 1 && tls[0].contains("only with TLS 1.0"), "{tls:?}");
}

#[test]
fn a_tls13_server_dropping_a_client_without_certificate_is_named() {
    // It asked for a certificate in the handshake, then drops the connection instead of answering OPTIONS.
    let camera = Camera { cert_requested: true, ..tls_camera() }
        .on(Method::Options, |_| Some(Reply::Close(CloseReason::Reset)));
    let mut pair = Pair::new(config(RTSPS), camera);
    let report = pair.run();
    assert!(report.has("tls.client_cert_required"), "{:?}", codes(&report));
    assert_eq!(report.first_broken_layer, Some(Layer::Tls));
    assert!(!report.has("rtsp.connection_closed"));
}

#[test]
fn discovery_finds_the_rtsps_port_and_probes_it() {
    let mut cfg = config("rtsp://192.0.2.10/live");
    cfg.discovery =
        Some(DiscoveryConfig { ports: vec![554, 322, 8554], per_port_timeout: Duration::from_secs(1) });
    let mut pair = Pair::new(cfg, Camera { port: 322, raw: Raw::Tls10, ..Camera::default() });
    let report = pair.run();
    let answers: Vec<(u16, &str)> = report.facts.ports.iter().map(|p| (p.port, p.answer.as_str())).collect();
    assert_eq!(answers, [(554, "refused"), (322, "tls"), (8554, "refused")]);
    assert!(report.target.contains("rtsps://192.0.2.10:322/live"), "{}", report.target);
}

#[test]
fn udp_fallback_reports_and_still_gets_media() {
    let s = scenarios().into_iter().find(|s| s.code == c::TRANSPORT_FALLBACK).expect("scenario");
    let (report, pair) = run(&s);
    assert_eq!(report.facts.tracks[0].carried_over, "udp");
    assert!(report.facts.tracks[0].rtp.as_ref().is_some_and(|r| r.rtp_packets > 50), "{:?}", codes(&report));
    assert!(pair.seen.rtcp_from_client > 0);
    assert!(report.findings.iter().all(|f| f.severity < Severity::Error), "{:?}", codes(&report));
}

#[test]
fn keepalives_are_sent_for_long_windows() {
    let s = scenarios().into_iter().find(|s| s.code == c::RTSP_KEEPALIVE_FAILED).expect("scenario");
    let (_, pair) = run(&s);
    assert!(pair.seen.methods().contains(&"GET_PARAMETER"), "{:?}", pair.seen.methods());
}
