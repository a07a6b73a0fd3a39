//! The probe against the scripted camera of `probe_support`, in virtual time: the healthy paths first.

use crate::support::probe::{Camera, Pair, codes, config};
use rtspeek_core::{Layer, LayerStatus, Verdict};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn healthy_rtsps_camera_is_healthy_on_every_layer() {
    let mut pair =
        Pair::new(config("rtsps://192.0.2.10:322/live"), Camera { port: 322, ..Camera::default() });
    let report = pair.run();
    assert_eq!(report.verdict, Verdict::Healthy, "{:#?}", codes(&report));
    for l in &report.layers {
        assert_eq!(l.status, LayerStatus::Pass, "{:?}: {:?}", l.layer, codes(&report));
    }
    assert_eq!(pair.seen.methods(), ["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "TEARDOWN"]);
    assert!(pair.seen.rtcp_from_client > 0, "receiver reports were sent");
    let track = &report.facts.tracks[0];
    assert_eq!(track.carried_over, "tcp");
    let codec = track.codec.as_ref().expect("codec facts");
    assert_eq!(codec.sps.as_ref().map(|s| (s.width, s.height)), Some((320, 180)));
    assert!(track.rtp.as_ref().is_some_and(|r| r.rtp_packets > 100));
    assert_eq!(report.facts.tls.as_ref().and_then(|t| t.version.as_deref()), Some("TLSv1.3"));
    assert!(report.trust.as_ref().is_some_and(|t| !t.overridden));
}

#[test]
fn healthy_plain_camera_has_no_tls_layers_and_says_it_is_unencrypted() {
    let mut pair = Pair::new(config("rtsp://192.0.2.10/live"), Camera::default());
    let report = pair.run();
    assert_eq!(report.verdict, Verdict::Healthy, "{:?}", codes(&report));
    assert!(report.layer_status(Layer::Tls).is_none());
    assert!(report.has("transport.unencrypted"));
}

#[test]
fn quick_mode_stops_at_the_first_decodable_picture() {
    let mut cfg = config("rtsps://192.0.2.10:322/live");
    cfg.media_window = std::time::Duration::ZERO;
    let mut pair = Pair::new(cfg, Camera { port: 322, ..Camera::default() });
    let report = pair.run();
    let track = &report.facts.tracks[0];
    let window = track.rtp.as_ref().map(|r| r.window_s).unwrap_or(99.0);
    assert!(window < 1.0, "window {window}");
    assert!(track.first_keyframe_ms.is_some());
    assert_eq!(report.layer_status(Layer::Codec), Some(LayerStatus::Pass), "{:?}", codes(&report));
}
