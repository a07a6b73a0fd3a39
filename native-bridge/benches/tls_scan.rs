//! What the TLS scan (every accepted version and suite, for the client verdicts) adds to a probe, on loopback:
//! a modern camera (stunnel with OpenSSL 3's defaults: TLS 1.2 and 1.3, an RSA certificate), a legacy one
//! (stunnel, TLS 1.0 only), both in front of gst-rtsp-server, and gst-rtsp-server's own TLS (GnuTLS through
//! glib-networking, TLS 1.0-1.3), which answers refused offers slowly. For each camera and each number of ClientHellos
//! in flight (1: the scan one offer at a time; 4: the default), the probe runs `BENCH_RUNS` times (default 10)
//! with `--duration 0`; the figures are the medians of the scan's own duration (`facts.tls.scan.duration_ms`),
//! of its offers, and of the whole probe with and without the scan (`--no-tls-scan`; the legacy camera is
//! scanned either way, because its handshake fails).
//!
//! `cargo bench -p rtspeek --bench tls_scan` (needs the peers `cargo xtask test` installs). Figures in
//! BENCHMARKS.md.

use std::time::{Duration, Instant};

use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::probe::{NamedBytes, ProbeConfig, TlsScan};
use rtspeek_core::rtsp::Url;
use rtspeek_tests::peers::gst::{GstOptions, GstRtspServer};
use rtspeek_tests::peers::stunnel::{Front, StunnelFronts};
use rtspeek_tests::pki::{Cert, KeyAlg, wall_clock};
use rustls::pki_types::CertificateDer;

struct Sample {
    scan_ms: f64,
    offers: usize,
    probe: Duration,
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let root = Cert::root("scan bench root");
    let leaf = root.leaf().key_alg(KeyAlg::Rsa2048).dns(["localhost"]).ip(["127.0.0.1"]).valid_now().build();
    let gst = GstRtspServer::start(GstOptions { timeout_s: 900, ..GstOptions::default() })
        .expect("gst-rtsp-server starts (run `cargo xtask test` to install it)");
    let modern = Front::new("modern", leaf.cert_pem(), leaf.key_pem(), gst.port());
    let mut legacy = Front::new("legacy", leaf.cert_pem(), leaf.key_pem(), gst.port());
    legacy.versions = Some(("TLSv1", "TLSv1"));
    legacy.ciphers = Some("DEFAULT:@SECLEVEL=0");
    legacy.security_level_0 = true;
    let fronts = StunnelFronts::start(&[modern, legacy]).expect("stunnel starts");
    let gst_tls = GstRtspServer::start(GstOptions {
        cert_pem: Some(leaf.cert_pem()),
        key_pem: Some(leaf.key_pem()),
        timeout_s: 900,
        ..GstOptions::default()
    })
    .expect("gst-rtsp-server (RTSPS) starts");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");

    println!(
        "loopback, stunnel (OpenSSL 3.0) in front of gst-rtsp-server 1.22, RSA-2048 certificate; {runs} runs each"
    );
    println!("camera   in flight  scan ms (median)  offers  probe with scan  probe without  added");
    let cameras = [
        ("modern", format!("rtsps://127.0.0.1:{}/test", fronts.port("modern")), false),
        ("legacy", format!("rtsps://127.0.0.1:{}/test", fronts.port("legacy")), true),
        ("gnutls", gst_tls.url("/test"), false),
    ];
    for (name, url, legacy_only) in cameras {
        let without: Vec<Sample> = if legacy_only {
            Vec::new()
        } else {
            (0..runs).map(|_| run(&runtime, &url, &root, TlsScan::OnFailure, 4)).collect()
        };
        for parallel in [1, 4] {
            let mut samples: Vec<Sample> =
                (0..runs).map(|_| run(&runtime, &url, &root, TlsScan::Always, parallel)).collect();
            let scan = median(samples.iter().map(|s| s.scan_ms).collect());
            let offers = samples[0].offers;
            samples.sort_by_key(|s| s.probe);
            let with = samples[samples.len() / 2].probe;
            let base = if without.is_empty() {
                None
            } else {
                let mut probes: Vec<Duration> = without.iter().map(|s| s.probe).collect();
                probes.sort();
                Some(probes[probes.len() / 2])
            };
            let (base_text, added) = match base {
                Some(b) => (format!("{:>10.1} ms", ms(b)), format!("{:>6.1} ms", ms(with) - ms(b))),
                None => ("         -   ".to_owned(), format!("{scan:>6.1} ms (the scan)")),
            };
            println!(
                "{name:<8} {parallel:>9}  {scan:>16.1}  {offers:>6}  {:>12.1} ms  {base_text}  {added}",
                ms(with)
            );
        }
    }
    drop(fronts);
    drop(gst_tls);
    drop(gst);
}

/// One probe of `url` trusting `root`, media until the first picture.
fn run(runtime: &tokio::runtime::Runtime, url: &str, root: &Cert, scan: TlsScan, parallel: usize) -> Sample {
    let mut config = ProbeConfig::new(Url::parse(url).expect("url"), wall_clock(), seed());
    config.media_window = Duration::ZERO;
    config.step_timeout = Duration::from_secs(3);
    config.tls_scan = scan;
    config.tls_scan_parallel = parallel;
    config.anchors = Some(vec![NamedBytes { name: "root.pem".into(), bytes: root.cert_pem().into_bytes() }]);
    let tls = TlsOptions {
        anchors: Some(vec![CertificateDer::from(root.cert_der().to_vec())]),
        ..TlsOptions::default()
    };
    let start = Instant::now();
    let mut sink = |_: &rtspeek_core::probe::ProbeEvent| {};
    let report = runtime
        .block_on(rtspeek_bridge::probe::run(config, &tls, &mut sink, std::future::pending()))
        .expect("the probe runs");
    let probe = start.elapsed();
    let facts = report.facts.tls.as_ref().and_then(|t| t.scan.as_ref());
    Sample {
        scan_ms: facts.and_then(|f| f.duration_ms).unwrap_or(0.0),
        offers: facts.map_or(0, |f| f.attempts.len()),
        probe,
    }
}

fn seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    rustls::crypto::ring::default_provider().secure_random.fill(&mut seed).expect("random");
    seed
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
