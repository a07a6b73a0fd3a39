//! The probe's report of `rtspeek serve`'s own session: what each side says about the other.

use std::time::Duration;

use rtspeek_core::probe::{ProbeConfig, TransportChoice};
use rtspeek_core::rtsp::auth::Credentials;
use rtspeek_core::{Layer, LayerStatus, Report, Verdict};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{PASSWORD, Pair, Server, USER, auth};
use crate::support::probe::{codes, config};

/// A probe of `url` with `user:password`.
fn with_credentials(url: &str, password: &str) -> ProbeConfig {
    let mut cfg = config(url);
    cfg.credentials = Some(Credentials::new(USER, password));
    cfg
}

fn run(cfg: ProbeConfig, server: Server) -> (Report, Pair) {
    let mut pair = Pair::new(cfg, server);
    let report = pair.run();
    (report, pair)
}

/// Every layer passes and the media arrived, with sender reports, over `carried_over`.
fn assert_healthy(report: &Report, carried_over: &str) {
    assert_eq!(report.verdict, Verdict::Healthy, "{:?}", codes(report));
    for layer in &report.layers {
        assert_eq!(layer.status, LayerStatus::Pass, "{:?}: {:?}", layer.layer, codes(report));
    }
    let track = report.facts.tracks.first().expect("one track");
    assert_eq!(track.carried_over, carried_over);
    let rtp = track.rtp.as_ref().expect("RTP figures");
    assert!(rtp.rtp_packets > 10, "{} RTP packets", rtp.rtp_packets);
    assert!(rtp.sender_reports > 0, "no sender report seen");
    let sps = track.codec.as_ref().and_then(|c| c.sps.as_ref()).expect("the SPS was read");
    assert_eq!((sps.width, sps.height), (160, 90));
    assert!(track.first_keyframe_ms.is_some());
}

#[test]
fn an_open_rtsps_mount_is_healthy_on_every_layer() {
    let (report, pair) = run(config("rtsps://192.0.2.10:322/cam"), Server::rtsps());
    assert_healthy(&report, "tcp");
    assert_eq!(report.facts.rtsp.as_ref().and_then(|r| r.server.as_deref()), Some("rtspeek-pair"));
    // One subscription, by PLAY (SETUP subscribes to nothing); the probe's receiver reports reached it.
    assert_eq!(pair.subscriptions, 1);
    let stats = pair.server_stats();
    assert_eq!(stats.len(), 1, "one RTSP connection");
    assert!(stats[0].rtcp_packets > 0, "the server got no receiver report");
    assert!(stats[0].last_report.is_some());
    assert!(pair.server_closes.is_empty(), "the server closed: {:?}", pair.server_closes);
    // OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN.
    assert_eq!(stats[0].requests, 5);
    assert_eq!(report.facts.tls.as_ref().and_then(|t| t.version.as_deref()), Some("TLSv1.3"));
    assert!(report.trust.as_ref().is_some_and(|t| !t.overridden));
}

#[test]
fn quick_mode_stops_at_the_first_decodable_picture() {
    let mut cfg = config("rtsps://192.0.2.10:322/cam");
    cfg.media_window = Duration::ZERO;
    let (report, _) = run(cfg, Server::rtsps());
    let track = &report.facts.tracks[0];
    let window = track.rtp.as_ref().map_or(99.0, |r| r.window_s);
    // A keyframe every half second: the first one comes well within a second.
    assert!(window < 1.0, "window {window}");
    assert!(track.first_keyframe_ms.is_some());
    assert_eq!(report.layer_status(Layer::Codec), Some(LayerStatus::Pass), "{:?}", codes(&report));
}

#[test]
fn a_locked_mount_without_credentials_requires_them() {
    let (report, pair) = run(config("rtsps://192.0.2.10:322/cam"), Server::rtsps().locked(auth(true, true)));
    assert!(report.has("auth.required"), "{:?}", codes(&report));
    assert_eq!(report.first_broken_layer, Some(Layer::Auth));
    // OPTIONS was answered before the 401: the rtsp layer is assessed (passed), not "not reached".
    assert_eq!(report.layer_status(Layer::Rtsp), Some(LayerStatus::Pass));
    let challenges = &report.facts.auth.as_ref().expect("auth facts").www_authenticate;
    assert!(challenges.iter().any(|c| c.starts_with("Digest")), "{challenges:?}");
    assert!(challenges.iter().any(|c| c.starts_with("Basic")), "{challenges:?}");
    assert_eq!(pair.subscriptions, 0);
}

#[test]
fn the_right_digest_password_passes_and_names_the_user() {
    let cfg = with_credentials("rtsps://192.0.2.10:322/cam", PASSWORD);
    let (report, pair) = run(cfg, Server::rtsps().locked(auth(false, true)));
    assert_healthy(&report, "tcp");
    let auth = report.facts.auth.as_ref().expect("auth facts");
    assert_eq!(auth.outcome, "accepted");
    assert!(auth.chosen.starts_with("Digest"), "{}", auth.chosen);
    assert_eq!(pair.server_stats()[0].user.as_deref(), Some(USER));
    let json = serde_json::to_string(&report).expect("json");
    assert!(!json.contains(PASSWORD), "the password leaked into the report");
    let events = serde_json::to_string(&pair.events).expect("json");
    assert!(!events.contains(PASSWORD), "the password leaked into an event");
    assert!(
        events.contains("Authorization: Digest (redacted)"),
        "the transcript shows credentials were sent"
    );
}

#[test]
fn a_wrong_digest_password_is_rejected_at_the_auth_layer() {
    let cfg = with_credentials("rtsps://192.0.2.10:322/cam", "wrong");
    let (report, pair) = run(cfg, Server::rtsps().locked(auth(false, true)));
    assert!(report.has("auth.rejected"), "{:?}", codes(&report));
    assert_eq!(report.first_broken_layer, Some(Layer::Auth));
    assert_eq!(report.facts.auth.as_ref().map(|a| a.outcome.as_str()), Some("rejected"));
    assert!(report.facts.tracks.iter().all(|t| t.rtp.is_none()), "no media without the password");
    assert_eq!(pair.subscriptions, 0);
    assert!(pair.server_stats().iter().all(|s| s.user.is_none()));
}

#[test]
fn a_wrong_basic_password_is_rejected_and_the_right_one_plays() {
    let locked = || Server::rtsps().locked(auth(true, false));
    let (report, _) = run(with_credentials("rtsps://192.0.2.10:322/cam", "wrong"), locked());
    assert!(report.has("auth.rejected"), "{:?}", codes(&report));
    assert_eq!(report.first_broken_layer, Some(Layer::Auth));

    let (report, _) = run(with_credentials("rtsps://192.0.2.10:322/cam", PASSWORD), locked());
    assert_healthy(&report, "tcp");
    assert!(report.facts.auth.as_ref().is_some_and(|a| a.chosen.starts_with("Basic")));
}

#[test]
fn an_unknown_mount_is_a_404_at_the_rtsp_layer() {
    let (report, pair) = run(config("rtsps://192.0.2.10:322/nowhere"), Server::rtsps());
    assert!(report.has("rtsp.status_not_found"), "{:?}", codes(&report));
    assert_eq!(report.first_broken_layer, Some(Layer::Rtsp));
    assert_eq!(report.layer_status(Layer::Tls), Some(LayerStatus::Pass));
    assert_eq!(pair.subscriptions, 0);
}

#[test]
fn plain_rtsp_plays_interleaved_and_says_it_is_unencrypted() {
    let (report, _) = run(config("rtsp://192.0.2.10:554/cam"), Server::rtsp());
    assert_healthy(&report, "tcp");
    assert!(report.has("transport.unencrypted"));
    assert!(report.layer_status(Layer::Tls).is_none());
}

#[test]
fn plain_rtsp_over_udp_gets_media_and_the_server_gets_receiver_reports() {
    let mut cfg = config("rtsp://192.0.2.10:554/cam");
    cfg.transport = TransportChoice::Udp;
    let (report, pair) = run(cfg, Server::rtsp());
    assert_healthy(&report, "udp");
    let stats = pair.server_stats();
    assert!(stats[0].rtcp_packets > 0, "no receiver report over UDP");
}

#[test]
fn udp_is_refused_under_rtsps_with_the_reason() {
    let mut cfg = config("rtsps://192.0.2.10:322/cam");
    cfg.transport = TransportChoice::Udp;
    let (report, pair) = run(cfg, Server::rtsps());
    assert_eq!(codes(&report), ["transport.udp_refused"]);
    assert_ne!(report.verdict, Verdict::Healthy);
    assert_eq!(pair.subscriptions, 0);
}
