//! `rtspeek serve` (the real binary) against clients nobody on the team wrote: ffprobe, GStreamer's rtspsrc
//! with our CA trusted and full validation, `openssl s_client` for SNI and hot reload, and our own probe.
//! Everything runs on 127.0.0.1 and is bounded in time.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::live_probe::{block_on, config, probe, trust};
use crate::support::serve::{Pki, Serve, basic_config, served_fingerprint};
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::{Layer, LayerStatus, Verdict};
use rtspeek_tests::peers::ffmpeg::run_ffprobe;
use rtspeek_tests::peers::gst::play_with_rtspsrc;
use rtspeek_tests::peers::{require, run_bounded};

const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// `ffprobe` counting decoded frames of `url` for `seconds`: `codec,width,height,frames`.
fn ffprobe_frames(url: &str, seconds: u32) -> String {
    let read = format!("%+{seconds}");
    let out = run_ffprobe(
        url,
        &[
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-count_frames",
            "-read_intervals",
            &read,
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames",
            "-of",
            "csv=p=0",
        ],
        CLIENT_TIMEOUT,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(out.status.success(), "ffprobe {url}: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    stdout
}

fn frames_of(csv: &str) -> u32 {
    csv.rsplit(',')
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("frame count in {csv:?}"))
}

/// The media fixtures (`tests/fixtures/media`, 10 frames of 160x90 at 10 fps each).
fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/media").join(name);
    path.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", path.display())).display().to_string()
}

#[test]
fn ffprobe_decodes_the_synthetic_camera_and_looped_h265_and_mp4_files() {
    let pki = Pki::new();
    let extra = format!(
        r#"
[[stream]]
path = "h265"
source = {{ kind = "file", path = "{}" }}

[[stream]]
path = "mp4"
source = {{ kind = "file", path = "{}" }}
"#,
        fixture("h265.265"),
        fixture("h264.mp4")
    );
    let serve = Serve::start(&pki, &basic_config(&pki, &extra));
    // 3 s of a 1 s clip: the loop continues seamlessly (timestamps keep growing, so no decoder resets).
    let csv = ffprobe_frames(&serve.url("rtsps", "h265"), 3);
    assert!(csv.starts_with("hevc,160,90,"), "{csv}");
    assert!(frames_of(&csv) >= 20, "about 30 frames of a looped 10 fps clip: {csv}");
    let csv = ffprobe_frames(&serve.url("rtsps", "mp4"), 2);
    assert!(csv.starts_with("h264,160,90,") && frames_of(&csv) >= 12, "{csv}");
    let csv = ffprobe_frames(&serve.url("rtsps", "synthetic"), 3);
    assert!(csv.starts_with("h264,320,180,"), "{csv}");
    assert!(frames_of(&csv) >= 50, "about 75 frames in 3 s at 25 fps: {csv}");
    let csv = ffprobe_frames(&serve.url("rtsp", "synthetic"), 2);
    assert!(frames_of(&csv) >= 25, "{csv}");
}

#[test]
fn gstreamer_rtspsrc_trusts_our_ca_over_rtsps_and_plays_udp_over_plain_rtsp() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let ca = pki.ca_path();
    for (url, ca, udp) in [
        (serve.url("rtsps", "synthetic"), Some(ca.as_path()), false),
        (serve.url("rtsp", "synthetic"), None, true),
    ] {
        let out =
            play_with_rtspsrc(&url, ca, udp, 50, Duration::from_secs(20)).unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "rtspsrc {url} (udp {udp}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("buffers 50"), "{stdout}");
    }
    // The same client refuses a server whose CA it does not trust: the validation is real.
    let stranger = Pki::new();
    let out = play_with_rtspsrc(
        &serve.url("rtsps", "synthetic"),
        Some(&stranger.ca_path()),
        false,
        5,
        Duration::from_secs(10),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn gstreamer_answers_digest_without_qop_so_it_plays_only_where_the_stream_allows_it() {
    for (switch, plays) in [("", false), ("allow_rfc2069 = true", true)] {
        let pki = Pki::new();
        let extra = format!(
            r#"
[[stream]]
path = "locked"
source = {{ kind = "synthetic", width = 160, height = 96, fps = 10, gop = 10, bitrate_kbps = 200 }}
[stream.auth]
schemes = ["digest-md5"]
{switch}
[[stream.auth.user]]
name = "viewer"
password = "s3cret"
"#
        );
        let serve = Serve::start(&pki, &basic_config(&pki, &extra));
        let url = serve.url("rtsp", "locked").replacen("rtsp://", "rtsp://viewer:s3cret@", 1);
        let out = play_with_rtspsrc(&url, None, false, 10, Duration::from_secs(15))
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let detail = format!("{switch:?}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        if plays {
            assert!(out.status.success() && stdout.contains("buffers 10"), "{detail}");
        } else {
            assert_eq!(out.status.code(), Some(1), "a pipeline error, not a timeout: {detail}");
            assert!(stdout.contains("buffers 0") && stdout.contains("nauthorized"), "{detail}");
        }
    }
}

#[test]
fn our_probe_finds_our_server_healthy() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let url = serve.url("rtsps", "synthetic");
    let (mut cfg, mut tls) = (config(&url), TlsOptions::default());
    trust(&mut cfg, &mut tls, &pki.root);
    cfg.media_window = Duration::from_secs(2);
    let run = block_on(probe("our server", cfg, tls));
    assert_eq!(run.report.verdict, Verdict::Healthy, "{run}");
    for layer in
        [Layer::Tls, Layer::Certificate, Layer::Rtsp, Layer::Sdp, Layer::Rtp, Layer::Rtcp, Layer::Codec]
    {
        assert_eq!(run.status(layer), LayerStatus::Pass, "{layer}\n{run}");
    }
    let codec = run.codec().expect("codec facts");
    let sps = codec.sps.as_ref().expect("SPS facts");
    assert_eq!((sps.width, sps.height), (320, 180), "{run}");
}

#[test]
fn sni_picks_per_stream_certificates_and_a_reload_swaps_them_while_sessions_keep_playing() {
    let pki = Pki::new();
    let (_, _, front) = pki.leaf("front", &["front.cams.test"]);
    let (_, _, gate) = pki.leaf("gate", &["gate.cams.test"]);
    let extra = r#"
[[stream]]
path = "front"
source = { kind = "synthetic", width = 160, height = 96, fps = 10, gop = 10, bitrate_kbps = 200 }
tls = { cert = "front.pem", key = "front.key", names = ["front.cams.test"] }

[[stream]]
path = "gate"
source = { kind = "synthetic", width = 160, height = 96, fps = 10, gop = 10, bitrate_kbps = 200 }
tls = { cert = "gate.pem", key = "gate.key" }
listener = "127.0.0.1:0"
"#;
    let serve = Serve::start(&pki, &basic_config(&pki, extra));
    let ca = pki.ca_path();
    let main = Serve::authority(&serve.url("rtsps", "synthetic"));
    let gate_own = Serve::authority(&serve.url("rtsps", "gate"));
    let fp = |c: &rtspeek_tests::pki::Cert| rtspeek_core::cert::fingerprint_sha256(c.cert_der());
    let global = rtspeek_core::cert::fingerprint_sha256(
        &std::fs::read(pki.path().join("server.pem"))
            .map(|pem| {
                rustls::pki_types::pem::PemObject::from_pem_slice(&pem)
                    .map(|c: rustls::pki_types::CertificateDer<'_>| c.to_vec())
                    .expect("PEM")
            })
            .expect("server.pem"),
    );

    assert_eq!(served_fingerprint(&main, "front.cams.test", &ca), fp(&front), "SNI picks the stream's pair");
    assert_eq!(served_fingerprint(&main, "localhost", &ca), global, "other names get the global pair");
    assert_eq!(served_fingerprint(&main, "", &ca), global, "no SNI gets the global pair");
    assert_eq!(
        served_fingerprint(&gate_own, "localhost", &ca),
        fp(&gate),
        "a stream's own port, whatever SNI"
    );

    // A session started before the reload.
    let url = serve.url("rtsps", "synthetic");
    let mut ffmpeg = Command::new(require("ffmpeg").unwrap_or_else(|e| panic!("{e}")));
    // framecrc prints one line per decoded frame: what ffmpeg received, whatever the wall clock did.
    ffmpeg.args(["-v", "error", "-rtsp_transport", "tcp", "-i", &url, "-t", "8", "-f", "framecrc", "-"]);
    let session = std::thread::spawn(move || run_bounded(ffmpeg, Duration::from_secs(30)));
    std::thread::sleep(Duration::from_millis(1500));

    // Replace the front pair: new connections get it once the watcher has seen it unchanged twice (1 s
    // interval).
    let (_, _, front2) = pki.leaf("front", &["front.cams.test"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while served_fingerprint(&main, "front.cams.test", &ca) != fp(&front2) {
        assert!(Instant::now() < deadline, "the new front certificate was not served within 10 s");
        std::thread::sleep(Duration::from_millis(300));
    }
    // A bad new pair (the key of another certificate) is refused; the previous one stays in service.
    std::fs::write(pki.path().join("front.key"), gate.key_pem()).expect("write");
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        served_fingerprint(&main, "front.cams.test", &ca),
        fp(&front2),
        "a mismatched pair is not served"
    );

    let out = session.join().expect("ffmpeg thread").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "the session started before the reload: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 8 s at 25 fps: at least 7 s of frames came through the reload.
    let frames = String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.starts_with('#')).count();
    assert!(frames >= 175, "ffmpeg played its 8 s through the reload: {frames} frames");
}

#[test]
fn retina_plays_our_plain_stream_and_a_second_server_re_serves_it_over_rtsps() {
    // Server A: the synthetic camera. Server B: relays A's plain rtsp:// stream (read with retina) as rtsps://.
    let pki_a = Pki::new();
    let a = Serve::start(&pki_a, &basic_config(&pki_a, ""));
    let pki_b = Pki::new();
    let upstream = a.url("rtsp", "synthetic");
    let extra =
        format!("\n[[stream]]\npath = \"relayed\"\nsource = {{ kind = \"relay\", url = \"{upstream}\" }}\n");
    let b = Serve::start(&pki_b, &basic_config(&pki_b, &extra));
    let csv = ffprobe_frames(&b.url("rtsps", "relayed"), 3);
    assert!(csv.starts_with("h264,320,180,"), "{csv}");
    assert!(frames_of(&csv) >= 40, "about 75 frames relayed in 3 s: {csv}");
}
