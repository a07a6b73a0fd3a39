//! Memory of `rtspeek exporter` per concurrent probe: N scrapes of `/probe` at once against one `rtspeek serve`
//! on loopback (a synthetic 320x180 H.264 stream over RTSPS), the exporter's resident memory (`VmRSS` of
//! /proc/PID/status) sampled every 10 ms during the burst, its peak minus the exporter's memory after one
//! warm-up probe, divided by N.
//!
//! `cargo bench -p rtspeek --bench exporter_memory` (release build). The module watches 2 s of media with the
//! TLS scan on (the default), so each burst's probes overlap for their whole media window. Figures in
//! BENCHMARKS.md.

// The bench uses the launcher and the memory reading of the test support, not the rest of it.
#[allow(dead_code)]
#[path = "../tests/it/support/serve.rs"]
mod serve_support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rtspeek_tests::peers::PeerProcess;
use serve_support::{Pki, Serve, rss_kib_of};

const BURSTS: &[usize] = &[1, 8, 32, 64];

fn main() {
    let pki = Pki::new();
    pki.leaf("server", &["localhost"]);
    pki.ca_path();
    let config = "[server]\nmax_connections = 8192\nmax_connections_per_ip = 8192\n\n[tls]\ncert = \"server.pem\"\n\
                  key = \"server.key\"\nnames = [\"localhost\", \"127.0.0.1\"]\n\n[[listener]]\nbind = \"127.0.0.1:0\"\n\n\
                  [[stream]]\npath = \"synthetic\"\nsource = { kind = \"synthetic\", width = 320, height = 180, fps = 25, \
                  gop = 25, bitrate_kbps = 600 }\n";
    let serve = Serve::start(&pki, config);
    let target = serve.url("rtsps", "synthetic");
    let exporter_config = pki.path().join("exporter.toml");
    std::fs::write(&exporter_config, "[modules.bench]\nca = [\"ca.pem\"]\nduration = 2\n").expect("write");

    let mut command = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
    command
        .args(["exporter", "--listen", "127.0.0.1:0", "--max-concurrent", "256", "--config"])
        .arg(&exporter_config);
    let ready = Box::new(|line: &str| {
        line.strip_prefix("rtspeek exporter: listening on http://127.0.0.1:")
            .and_then(|p| p.trim().parse().ok())
    });
    let exporter = PeerProcess::spawn(command, ready, Duration::from_secs(10)).expect("the exporter starts");
    let authority = format!("127.0.0.1:{}", exporter.port());
    let path = format!(
        "/probe?module=bench&target={}",
        url::form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>()
    );

    assert!(probe(&authority, &path), "the warm-up probe succeeds");
    std::thread::sleep(Duration::from_millis(500));
    let pid = exporter.pid();
    println!("rtspeek exporter, {target}, module: 2 s of media, TLS scan; RSS sampled every 10 ms");
    println!(
        "{:>4} {:>12} {:>12} {:>14} {:>10} {:>9}",
        "N", "before KiB", "peak KiB", "KiB per probe", "succeeded", "seconds"
    );
    for &n in BURSTS {
        let before = rss_kib_of(pid).expect("VmRSS");
        let peak = Arc::new(AtomicU64::new(before));
        let done = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    if let Some(kib) = rss_kib_of(pid) {
                        peak.fetch_max(kib, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        let started = Instant::now();
        let scrapes: Vec<_> = (0..n)
            .map(|_| {
                let (authority, path) = (authority.clone(), path.clone());
                std::thread::spawn(move || probe(&authority, &path))
            })
            .collect();
        let succeeded = scrapes.into_iter().map(|s| s.join()).filter(|r| matches!(r, Ok(true))).count();
        let secs = started.elapsed().as_secs_f64();
        done.store(true, Ordering::Relaxed);
        let _ = sampler.join();
        let peak = peak.load(Ordering::Relaxed);
        let per_probe = peak.saturating_sub(before) as f64 / n as f64;
        println!("{n:>4} {before:>12} {peak:>12} {per_probe:>14.0} {succeeded:>7}/{n:<2} {secs:>9.1}");
        // Let the probes' connections and the allocator settle before the next burst.
        std::thread::sleep(Duration::from_secs(1));
    }
    drop(serve);
}

/// One scrape (the scrape timeout Prometheus would announce: 15 s); whether `rtspeek_probe_success` is 1.
fn probe(authority: &str, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(authority) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: {authority}\r\nX-Prometheus-Scrape-Timeout-Seconds: 15\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut body = String::new();
    let _ = stream.read_to_string(&mut body);
    body.contains("\nrtspeek_probe_success 1\n")
}
