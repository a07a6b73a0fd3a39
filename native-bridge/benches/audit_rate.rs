//! Fleet audit rate: cameras audited per second by `rtspeek audit -c 64` against loopback cameras, and the
//! audit process's peak memory.
//!
//! `cargo bench -p rtspeek --bench audit_rate` (release). One `rtspeek serve` offers 128 file streams (a
//! 320x180 clip) over RTSPS with a test CA; the inventory lists each stream by 127.0.0.1 and by localhost (256
//! cameras, each a separate TLS session). Two runs: the default probe (with the TLS scan the client verdicts
//! need) and `tls_scan = false`; both with `duration = 0` (stop at the first decodable picture), as a fleet
//! audit would run. The server and the audit share this machine's cores: the rate is the whole loopback
//! system's, a lower bound for an audit of real cameras, which are slower to answer but not on our cores.

// The bench uses the launcher of the test support, not the rest of it.
#[allow(dead_code)]
#[path = "../tests/it/support/serve.rs"]
mod serve_support;

use std::process::Command;
use std::time::Instant;

use rtspeek_tests::peers::live555::make_clip;
use serve_support::{Pki, Serve, basic_config};

const STREAMS: usize = 128;
const CONCURRENCY: &str = "64";

fn main() {
    let pki = Pki::new();
    let clip = pki.path().join("clip.264");
    make_clip(&clip, 4).expect("ffmpeg makes the clip (run `cargo xtask test` to install it)");
    let mut extra = String::new();
    for i in 0..STREAMS {
        extra.push_str(&format!(
            "[[stream]]\npath = \"cam{i:03}\"\nsource = {{ kind = \"file\", path = \"{}\" }}\n\n",
            clip.display()
        ));
    }
    let config = basic_config(&pki, &extra)
        .replace("[server]\n", "[server]\nmax_connections = 4096\nmax_connections_per_ip = 4096\n");
    let serve = Serve::start(&pki, &config);
    pki.ca_path();
    let mut cameras = String::new();
    // The launcher keeps only the last lines the server printed: build the URLs from one of them.
    let base = serve.url("rtsps", "synthetic").replace("/synthetic", "");
    for i in 0..STREAMS {
        let url = format!("{base}/cam{i:03}");
        for host in ["127.0.0.1", "localhost"] {
            cameras.push_str(&format!("[[camera]]\nurl = \"{}\"\n\n", url.replace("127.0.0.1", host)));
        }
    }
    println!("load before: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
    for (label, defaults) in [
        ("default probe (TLS scan)", "ca = [\"ca.pem\"]\nduration = 0\n"),
        ("tls_scan = false", "ca = [\"ca.pem\"]\nduration = 0\ntls_scan = false\n"),
    ] {
        let inventory = pki.path().join("fleet.toml");
        std::fs::write(&inventory, format!("[defaults]\n{defaults}\n{cameras}"))
            .expect("write the inventory");
        let started = Instant::now();
        // GNU time's %M: the audit process's peak resident set, KiB.
        let out = Command::new("/usr/bin/time")
            .args(["-f", "peak-rss-kib %M"])
            .arg(env!("CARGO_BIN_EXE_rtspeek"))
            .args(["audit", "fleet.toml", "-c", CONCURRENCY, "--deadline", "60", "--csv", "audit.csv"])
            .current_dir(pki.path())
            .output()
            .expect("rtspeek audit runs");
        let secs = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let summary = stdout.lines().find(|l| l.contains("camera(s):")).unwrap_or("no summary");
        let rss = stderr.lines().find_map(|l| l.strip_prefix("peak-rss-kib ")).unwrap_or("?");
        let n = 2 * STREAMS;
        println!(
            "{label}: {n} cameras at concurrency {CONCURRENCY} in {secs:.2} s = {:.1} cameras/s; peak RSS {rss} KiB; {summary}",
            n as f64 / secs
        );
        assert!(
            summary.contains(&format!("{n} healthy")),
            "every camera should be healthy: {stdout}{stderr}"
        );
    }
    println!("load after: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
}
