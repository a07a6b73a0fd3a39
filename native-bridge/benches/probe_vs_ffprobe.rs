//! Time to a full verdict on one gst-rtsp-server RTSPS stream: `rtspeek probe --duration 0` (TCP, TLS with
//! certificate verification, RTSP, SDP, the first IDR decoded to its parameters) against `ffprobe
//! -rtsp_transport tcp` printing the stream information, in the same run, alternating, on the same server.
//!
//! `cargo bench -p rtspeek --bench probe_vs_ffprobe` (release build of the `rtspeek` binary; needs
//! the peers `cargo xtask test` installs). `PROBE_BENCH_RUNS` sets the runs per tool (default 15). Figures in
//! BENCHMARKS.md.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rtspeek_tests::peers::gst::{GstOptions, GstRtspServer};
use rtspeek_tests::pki::Cert;

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects nothing here.
    let runs: usize = std::env::var("PROBE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(15);
    let root = Cert::root("bench root");
    let leaf = root.leaf().ip(["127.0.0.1"]).valid_now().build();
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("root.pem");
    std::fs::write(&ca, root.cert_pem()).expect("write root");
    let server = GstRtspServer::start(GstOptions {
        cert_pem: Some(leaf.cert_pem()),
        key_pem: Some(leaf.key_pem()),
        size: (1280, 720),
        fps: 25,
        gop: 25,
        bitrate_kbps: 2000,
        timeout_s: 600,
        ..GstOptions::default()
    })
    .expect("gst-rtsp-server starts (run `cargo xtask test` to install it)");
    let url = server.url("/test");
    let ca = ca.display().to_string();
    let rtspeek = [env!("CARGO_BIN_EXE_rtspeek"), "probe", &url, "--ca", &ca, "--duration", "0", "--json"];
    let ffprobe = ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_streams", &url];
    let ffprobe_fast = [
        "ffprobe",
        "-v",
        "error",
        "-rtsp_transport",
        "tcp",
        "-analyzeduration",
        "0",
        "-probesize",
        "32",
        "-show_streams",
        &url,
    ];
    // Warm up the server's pipeline (the first client starts the encoder).
    let _ = time(&rtspeek);
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        a.push(time(&rtspeek));
        b.push(time(&ffprobe));
        c.push(time(&ffprobe_fast));
    }
    let (ra, rb, rc) = (median(&mut a), median(&mut b), median(&mut c));
    println!("server: gst-rtsp-server 1.22, RTSPS, 1280x720 25 fps H.264 (x264), keyframe every 25 frames");
    println!("runs per tool: {runs} (alternating), median wall time per process:");
    println!("  rtspeek probe --duration 0 --json (verified TLS, first IDR): {:>8.1} ms", ms(ra));
    println!("  ffprobe -rtsp_transport tcp -show_streams (defaults):         {:>8.1} ms", ms(rb));
    println!("  ffprobe ... -analyzeduration 0 -probesize 32:                 {:>8.1} ms", ms(rc));
    println!(
        "  rtspeek / ffprobe(defaults) = {:.3}; rtspeek / ffprobe(fast) = {:.3}",
        ms(ra) / ms(rb),
        ms(ra) / ms(rc)
    );
}

/// Runs a command to the end; panics if it fails (a benchmark of a failing run measures nothing).
fn time(argv: &[&str]) -> Duration {
    let start = Instant::now();
    let out = Command::new(argv[0]).args(&argv[1..]).stdin(Stdio::null()).output().expect("spawn");
    let took = start.elapsed();
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{} failed: {}",
        argv.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
