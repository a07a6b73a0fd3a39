//! The probe against SRTP cameras (scripted, virtual time): keys from MIKEY, SDES or a `KeyMgmt` header, every
//! packet authenticated and decrypted before statistics and codec analysis, one scenario per `transport.srtp_*`,
//! `rtp.srtp_*` and `rtcp.srtp_*` finding, the media-security statement, and no key in any output.

use rtspeek_core::diagnose::codes as c;
use rtspeek_core::mikey::NullOffer;
use rtspeek_core::probe::{ProbeConfig, ProbeEvent, TransportChoice};
use rtspeek_core::srtp::sdes::CryptoAttribute;
use rtspeek_core::srtp::{MasterKey, SrtpContext, Suite};
use rtspeek_core::{Layer, Report, Severity};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::probe::{Camera, Pair, Scenario, SrtpCamera, codes, config};

const RTSPS: &str = "rtsps://192.0.2.10:322/live";
const RTSP: &str = "rtsp://192.0.2.10/live";
const GST_SDP: &str = include_str!("../../../tests/fixtures/sdp/gst-h264.sdp");
/// The SSRC of the fixture's packets (its `a=ssrc`).
const SSRC: u32 = 4_173_955_032;
const SUITE: Suite = Suite::AesCm128HmacSha1_80;

fn key(byte: u8) -> MasterKey {
    MasterKey::new(SUITE, &[byte; 16], &[byte ^ 0x5a; 14]).expect("lengths of the suite")
}

/// The fixture's description with the video on `RTP/SAVP` and `lines` added to its media section.
fn savp_sdp(lines: &[String]) -> String {
    let mut sdp = GST_SDP.replace("RTP/AVP", "RTP/SAVP");
    for line in lines {
        sdp.push_str(line);
        sdp.push_str("\r\n");
    }
    sdp
}

fn mikey_line(key: &MasterKey, roc: u32) -> String {
    let offer = NullOffer {
        csb_id: 0x0bad_cafe,
        streams: &[(SSRC, roc)],
        ntp_time: 0xe000_0000_0000_0000,
        rand: [3; 16],
        suite: SUITE,
        key,
        srtcp_encryption: true,
        mki: None,
    };
    format!("a=key-mgmt:mikey {}", offer.message().to_base64())
}

fn sdes_line(key: &MasterKey) -> String {
    format!("a=crypto:{}", CryptoAttribute::new(1, SUITE, key).to_value())
}

fn camera(url: &str, sdp: String, sender: SrtpContext) -> Camera {
    let port = if url.starts_with("rtsps") { 322 } else { 554 };
    Camera {
        port,
        sdp,
        srtp: Some(SrtpCamera { sender, key_mgmt: None, tamper_every: 0 }),
        ..Camera::default()
    }
}

fn udp(url: &str) -> ProbeConfig {
    let mut cfg = config(url);
    cfg.transport = TransportChoice::Udp;
    cfg
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            code: c::TRANSPORT_SRTP_NO_KEYS,
            broken: Some(Layer::Transport),
            setup: || (udp(RTSPS), camera(RTSPS, savp_sdp(&[]), SrtpContext::new(SUITE, &key(1)))),
        },
        Scenario {
            code: c::TRANSPORT_SRTP_BAD_KEYS,
            broken: Some(Layer::Transport),
            setup: || {
                let bad = "a=key-mgmt:mikey AQAFgAAAAAAAAA==".to_owned();
                (udp(RTSPS), camera(RTSPS, savp_sdp(&[bad]), SrtpContext::new(SUITE, &key(1))))
            },
        },
        Scenario {
            code: c::TRANSPORT_SRTP_UNSUPPORTED,
            broken: Some(Layer::Transport),
            setup: || {
                let f8 = "a=crypto:1 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw"
                    .to_owned();
                (udp(RTSPS), camera(RTSPS, savp_sdp(&[f8]), SrtpContext::new(SUITE, &key(1))))
            },
        },
        Scenario {
            code: c::TRANSPORT_SRTP_KEYS_IN_CLEAR,
            broken: None,
            setup: || {
                (udp(RTSP), camera(RTSP, savp_sdp(&[sdes_line(&key(2))]), SrtpContext::new(SUITE, &key(2))))
            },
        },
        Scenario {
            code: c::RTP_SRTP_AUTH_FAILED,
            broken: Some(Layer::Rtp),
            // The description announces one key, the camera encrypts with another.
            setup: || {
                (
                    udp(RTSPS),
                    camera(RTSPS, savp_sdp(&[mikey_line(&key(3), 0)]), SrtpContext::new(SUITE, &key(4))),
                )
            },
        },
        Scenario {
            code: c::RTP_SRTP_ROC_MISMATCH,
            broken: Some(Layer::Rtp),
            setup: || {
                // MIKEY says ROC 0; the camera's stream has wrapped once.
                let mut sender = SrtpContext::new(SUITE, &key(5));
                sender.set_roc(SSRC, 1).expect("one stream");
                (udp(RTSPS), camera(RTSPS, savp_sdp(&[mikey_line(&key(5), 0)]), sender))
            },
        },
        Scenario {
            code: c::RTP_SRTP_KEY_LIFETIME,
            broken: Some(Layer::Rtp),
            setup: || {
                // SDES gives the key a lifetime of 2^6 packets; the camera keeps using it.
                let line = format!("{}|2^6", sdes_line(&key(6)));
                (udp(RTSPS), camera(RTSPS, savp_sdp(&[line]), SrtpContext::new(SUITE, &key(6))))
            },
        },
        Scenario {
            code: c::TRANSPORT_SRTP_PROFILE_CHANGED,
            broken: None,
            setup: || {
                // live555 over plain RTSP: the answer says RTP/AVP, the packets are SRTP.
                let sdp = savp_sdp(&[mikey_line(&key(8), 0)]);
                let cam = Camera {
                    answer_profile: Some("AVP"),
                    ..camera(RTSPS, sdp, SrtpContext::new(SUITE, &key(8)))
                };
                (udp(RTSPS), cam)
            },
        },
        Scenario {
            code: c::RTCP_SRTP_UNENCRYPTED,
            broken: None,
            setup: || {
                let mut sender = SrtpContext::new(SUITE, &key(7));
                sender.set_rtcp_encryption(false);
                let line = format!("{} UNENCRYPTED_SRTCP", sdes_line(&key(7)));
                (udp(RTSPS), camera(RTSPS, savp_sdp(&[line]), sender))
            },
        },
    ]
}

fn run(setup: fn() -> (ProbeConfig, Camera)) -> (Report, Pair) {
    let (config, camera) = setup();
    let mut pair = Pair::new(config, camera);
    let report = pair.run();
    (report, pair)
}

#[test]
fn every_srtp_scenario_produces_its_code_and_breaks_the_right_layer() {
    for s in scenarios() {
        let (report, _) = run(s.setup);
        assert!(report.has(s.code.code), "{}: {:?}", s.code.code, codes(&report));
        assert_eq!(report.first_broken_layer, s.broken, "{}: {:?}", s.code.code, codes(&report));
        let f = report.findings.iter().find(|f| f.code == s.code.code).expect("finding");
        assert_eq!(f.layer, s.code.layer, "{}", s.code.code);
    }
}

#[test]
fn every_srtp_code_has_a_scenario() {
    let covered: Vec<&str> = scenarios().iter().map(|s| s.code.code).collect();
    for code in c::SRTP_CODES {
        assert!(covered.contains(&code.code), "{} has no scenario", code.code);
    }
}

/// Healthy SRTP: the media decrypts, the statistics and the codec see plain RTP, RTCP is SRTCP both ways.
fn assert_decrypted(report: &Report, pair: &Pair, keys_from: &str, key: &MasterKey) {
    assert!(report.findings.iter().all(|f| f.severity < Severity::Error), "{:?}", codes(report));
    let track = &report.facts.tracks[0];
    let srtp = track.srtp.as_ref().expect("srtp facts");
    assert_eq!((srtp.keys.as_str(), srtp.keys_from.as_deref()), ("ready", Some(keys_from)), "{srtp:?}");
    assert_eq!(srtp.suite.as_deref(), Some("AES_CM_128_HMAC_SHA1_80"));
    let counters = srtp.counters.expect("counters");
    let rtp = track.rtp.as_ref().expect("rtp statistics");
    assert!(counters.rtp_ok > 50 && counters.rtp_ok == rtp.rtp_packets, "{counters:?} {rtp:?}");
    assert_eq!(counters.auth_failures, 0);
    assert!(counters.rtcp_ok > 0 && rtp.sender_reports > 0, "SRTCP sender reports decrypted: {counters:?}");
    let codec = track.codec.as_ref().expect("the decrypted H.264 was analysed");
    assert!(codec.sps.is_some(), "{codec:?}");
    // Our receiver reports went out as SRTCP: the camera's key opens them (live555's one-key model).
    let mut opener = SrtpContext::new(SUITE, key);
    let opened = pair.seen.client_rtcp.iter().filter(|p| opener.unprotect_rtcp(p).is_ok()).count();
    assert!(
        opened > 0 && opened == pair.seen.client_rtcp.len(),
        "{opened} of {}",
        pair.seen.client_rtcp.len()
    );
}

#[test]
fn mikey_over_rtsps_udp_decrypts_and_states_the_protection() {
    let sdp = savp_sdp(&[mikey_line(&key(9), 0)]);
    let mut pair = Pair::new(udp(RTSPS), camera(RTSPS, sdp, SrtpContext::new(SUITE, &key(9))));
    let report = pair.run();
    assert_decrypted(&report, &pair, "sdp_mikey", &key(9));
    assert!(!report.has(c::TRANSPORT_CLEARTEXT_MEDIA.code), "SRTP over UDP is not cleartext media");
    let srtp = report.facts.tracks[0].srtp.as_ref().expect("facts");
    assert_eq!(srtp.mikey_mode.as_deref(), Some("null"));
    let security = report.facts.media_security.as_ref().expect("statement");
    assert_eq!(security.protection, "srtp");
    assert!(
        security.statement.contains("MIKEY") && security.statement.contains("inside TLS"),
        "{security:?}"
    );
    let setup = pair.seen.requests.iter().find(|(m, _)| m == "SETUP").expect("SETUP");
    let transport = setup.1.iter().find(|(n, _)| n == "Transport").map(|(_, v)| v.as_str());
    assert!(transport.is_some_and(|t| t.starts_with("RTP/SAVP;unicast;client_port=")), "{transport:?}");
}

#[test]
fn srtp_interleaved_in_rtsps_decrypts_too() {
    let sdp = savp_sdp(&[sdes_line(&key(9))]);
    let mut cfg = config(RTSPS);
    cfg.transport = TransportChoice::Tcp;
    let mut pair = Pair::new(cfg, camera(RTSPS, sdp, SrtpContext::new(SUITE, &key(9))));
    let report = pair.run();
    assert_decrypted(&report, &pair, "sdp_sdes", &key(9));
    assert_eq!(report.facts.tracks[0].carried_over, "tcp");
    let setup = pair.seen.requests.iter().find(|(m, _)| m == "SETUP").expect("SETUP");
    assert!(setup.1.iter().any(|(n, v)| n == "Transport" && v.starts_with("RTP/SAVP/TCP;")), "{setup:?}");
}

#[test]
fn keys_from_the_setup_answer() {
    let mut cam = camera(RTSPS, savp_sdp(&[]), SrtpContext::new(SUITE, &key(9)));
    let header = mikey_line(&key(9), 0).replace("a=key-mgmt:mikey ", "");
    cam.srtp.as_mut().expect("srtp").key_mgmt =
        Some(format!("prot=mikey; uri=\"{RTSPS}/stream=0\"; data=\"{header}\""));
    let mut pair = Pair::new(udp(RTSPS), cam);
    let report = pair.run();
    assert_decrypted(&report, &pair, "keymgmt_header", &key(9));
}

#[test]
fn sdes_over_plain_rtsp_says_anyone_can_decrypt() {
    let s = scenarios().into_iter().find(|s| s.code == c::TRANSPORT_SRTP_KEYS_IN_CLEAR).expect("scenario");
    let (report, _) = run(s.setup);
    let security = report.facts.media_security.as_ref().expect("statement");
    assert_eq!(security.protection, "srtp_keys_in_clear");
    assert!(security.statement.contains("in clear"), "{security:?}");
    let f = report.findings.iter().find(|f| f.code == c::TRANSPORT_UNENCRYPTED.code).expect("unencrypted");
    assert!(f.summary.contains("SRTP keys"), "{}", f.summary);
    // It still decrypts: the weakness is who else can.
    let counters = report.facts.tracks[0].srtp.as_ref().and_then(|s| s.counters).expect("counters");
    assert!(counters.rtp_ok > 50, "{counters:?}");
}

#[test]
fn a_few_tampered_packets_are_counted_as_a_warning() {
    let mut cam = camera(RTSPS, savp_sdp(&[mikey_line(&key(9), 0)]), SrtpContext::new(SUITE, &key(9)));
    cam.srtp.as_mut().expect("srtp").tamper_every = 10;
    let mut pair = Pair::new(udp(RTSPS), cam);
    let report = pair.run();
    let f = report.findings.iter().find(|f| f.code == c::RTP_SRTP_AUTH_FAILED.code).expect("finding");
    assert_eq!(f.severity, Severity::Warning, "{f:?}");
    let counters = report.facts.tracks[0].srtp.as_ref().and_then(|s| s.counters).expect("counters");
    assert!(counters.auth_failures > 5 && counters.rtp_ok > 9 * counters.auth_failures / 2, "{counters:?}");
    assert!(
        f.evidence.iter().any(|e| e.label == "rtp_failed" && e.value == counters.auth_failures.to_string())
    );
    // Tampered packets never reach the statistics: they count as lost, not as corrupt video.
    let rtp = report.facts.tracks[0].rtp.as_ref().expect("rtp");
    assert_eq!(rtp.rtp_packets, counters.rtp_ok);
}

#[test]
fn wrong_keys_fail_every_packet_and_nothing_reaches_the_decoder() {
    let s = scenarios().into_iter().find(|s| s.code == c::RTP_SRTP_AUTH_FAILED).expect("scenario");
    let (report, _) = run(s.setup);
    let f = report.findings.iter().find(|f| f.code == c::RTP_SRTP_AUTH_FAILED.code).expect("finding");
    assert_eq!(f.severity, Severity::Error);
    assert!(report.facts.tracks[0].codec.is_none(), "garbage never reaches the codec analysis");
    assert!(
        !report.has(c::TRANSPORT_UDP_BLOCKED.code),
        "packets came, they did not verify: {:?}",
        codes(&report)
    );
}

#[test]
fn roc_mismatch_names_the_verifying_counter() {
    let s = scenarios().into_iter().find(|s| s.code == c::RTP_SRTP_ROC_MISMATCH).expect("scenario");
    let (report, _) = run(s.setup);
    let f = report.findings.iter().find(|f| f.code == c::RTP_SRTP_ROC_MISMATCH.code).expect("finding");
    assert!(f.evidence.iter().any(|e| e.label == "verifying_roc" && e.value == "1"), "{f:?}");
    assert!(!report.has(c::RTP_SRTP_AUTH_FAILED.code), "one cause, named once: {:?}", codes(&report));
}

/// No SRTP key, in any form, in the report or the events (transcripts included).
#[test]
fn no_key_leaves_the_probe() {
    for s in scenarios() {
        let (report, pair) = run(s.setup);
        let json = serde_json::to_string(&report).expect("json");
        let events: Vec<String> = pair
            .events
            .iter()
            .filter_map(|e| match e {
                ProbeEvent::Transcript { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect();
        let all = format!("{json}\n{}", events.join("\n"));
        assert!(events.iter().any(|t| t.contains("RTP/SAVP")), "the description is in the transcript");
        for secret in secrets(s.setup) {
            assert!(!all.contains(&secret), "{}: a key ({secret}) in the output", s.code.code);
        }
    }
}

/// The base64 key material of a scenario's description.
fn secrets(setup: fn() -> (ProbeConfig, Camera)) -> Vec<String> {
    let (_, camera) = setup();
    camera
        .sdp
        .lines()
        .filter_map(|l| {
            l.strip_prefix("a=key-mgmt:mikey ")
                .or_else(|| l.split("inline:").nth(1).map(|k| k.split(['|', ' ']).next().unwrap_or(k)))
        })
        .map(|s| s.get(..16).unwrap_or(s).to_owned())
        .collect()
}

#[test]
fn auto_asks_udp_first_for_srtp_and_falls_back_to_tcp() {
    let sdp = savp_sdp(&[mikey_line(&key(9), 0)]);
    let mut pair = Pair::new(config(RTSPS), camera(RTSPS, sdp.clone(), SrtpContext::new(SUITE, &key(9))));
    let report = pair.run();
    assert_decrypted(&report, &pair, "sdp_mikey", &key(9));
    assert_eq!(report.facts.tracks[0].carried_over, "udp", "SRTP goes over UDP first");
    assert!(!report.has(c::TRANSPORT_CLEARTEXT_MEDIA.code));

    let cam = Camera { refuse_udp: true, ..camera(RTSPS, sdp, SrtpContext::new(SUITE, &key(9))) };
    let mut pair = Pair::new(config(RTSPS), cam);
    let report = pair.run();
    assert_decrypted(&report, &pair, "sdp_mikey", &key(9));
    assert_eq!(report.facts.tracks[0].carried_over, "tcp");
    assert!(report.has(c::TRANSPORT_FALLBACK.code), "{:?}", codes(&report));
}

#[test]
fn a_plain_setup_answer_is_judged_by_the_packets() {
    // SRTP after all (live555): decrypted, and the finding says clients following the answer fail.
    let s = scenarios().into_iter().find(|s| s.code == c::TRANSPORT_SRTP_PROFILE_CHANGED).expect("scenario");
    let (report, _) = run(s.setup);
    let f = report.findings.iter().find(|f| f.code == s.code.code).expect("finding");
    assert!(f.evidence.iter().any(|e| e.value.contains("SRTP all the same")), "{f:?}");
    let srtp = report.facts.tracks[0].srtp.as_ref().expect("facts");
    assert!(!srtp.server_kept_profile);
    assert!(srtp.counters.is_some_and(|n| n.rtp_ok > 50), "{srtp:?}");
    assert!(report.facts.tracks[0].codec.is_some());

    // Plain RTP after all: after a few failures the packets are taken as plain, and decoded.
    let sdp = savp_sdp(&[mikey_line(&key(8), 0)]);
    let cam = Camera { port: 322, sdp, answer_profile: Some("AVP"), ..Camera::default() };
    let mut pair = Pair::new(udp(RTSPS), cam);
    let report = pair.run();
    let f = report.findings.iter().find(|f| f.code == s.code.code).expect("finding");
    assert!(f.evidence.iter().any(|e| e.value.contains("plain RTP")), "{f:?}");
    assert!(!report.has(c::RTP_SRTP_AUTH_FAILED.code), "{:?}", codes(&report));
    assert!(report.facts.tracks[0].codec.as_ref().is_some_and(|c| c.sps.is_some()), "decoded as plain RTP");
    assert_eq!(report.facts.media_security.as_ref().map(|m| m.protection.as_str()), Some("cleartext_udp"));
}

/// The client verdicts read the keying: GStreamer 1.22 cannot use an MKI-bound MIKEY key nor an SDES-only
/// stream, and follows a SETUP answer's RTP/AVP (all measured against live555, gst-rtsp-server and rtspeek
/// serve); rtspeek itself plays all three.
#[test]
fn client_verdicts_follow_the_srtp_keying() {
    use rtspeek_core::clients::Outcome;
    let verdict = |report: &Report, id: &str| {
        let c = report
            .clients
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id}: {:?}", report.clients));
        (c.verdict, c.because.iter().map(|r| r.text.clone()).collect::<Vec<_>>().join(" | "))
    };
    // live555 over plain RTSP: an MKI-bound MIKEY key, and a SETUP answer saying RTP/AVP.
    let key = key(9);
    let offer = NullOffer {
        csb_id: 1,
        streams: &[(SSRC, 0)],
        ntp_time: 0xe000_0000_0000_0000,
        rand: [3; 16],
        suite: SUITE,
        key: &key,
        srtcp_encryption: true,
        mki: Some(&[0, 0, 0, 1]),
    };
    let sdp = savp_sdp(&[format!("a=key-mgmt:mikey {}", offer.message().to_base64())]);
    let sender = SrtpContext::new(SUITE, &key).with_mki(&[0, 0, 0, 1]);
    let cam = Camera { answer_profile: Some("AVP"), ..camera(RTSP, sdp, sender) };
    let report = Pair::new(udp(RTSP), cam).run();
    assert!(report.facts.tracks[0].srtp.as_ref().is_some_and(|s| s.mki), "{:?}", report.facts.tracks[0].srtp);
    let (gst, why) = verdict(&report, "gstreamer");
    assert_eq!(gst, Outcome::Fails, "{why}");
    assert!(why.contains("MKI") && why.contains("RTP/AVP"), "{why}");
    assert_ne!(verdict(&report, "rustls").0, Outcome::Fails, "{}", verdict(&report, "rustls").1);
    assert_eq!(verdict(&report, "ffmpeg-gnutls").0, Outcome::Fails);

    // SDES only over RTSPS: GStreamer reads no a=crypto.
    let sdp = savp_sdp(&[sdes_line(&key)]);
    let report = Pair::new(udp(RTSPS), camera(RTSPS, sdp, SrtpContext::new(SUITE, &key))).run();
    let (gst, why) = verdict(&report, "gstreamer");
    assert_eq!(gst, Outcome::Fails, "{why}");
    assert!(why.contains("SDES"), "{why}");

    // MIKEY without MKI over RTSPS, as gst-rtsp-server and rtspeek serve send it: GStreamer plays.
    let sdp = savp_sdp(&[mikey_line(&key, 0)]);
    let report = Pair::new(udp(RTSPS), camera(RTSPS, sdp, SrtpContext::new(SUITE, &key))).run();
    let (gst, why) = verdict(&report, "gstreamer");
    assert!(!why.contains("SRTP") && !why.contains("MKI"), "{gst:?}: {why}");
}
