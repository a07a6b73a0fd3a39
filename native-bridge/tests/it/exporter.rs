//! `rtspeek exporter` scraped by a real Prometheus (the Debian package) with the documented scrape
//! configuration and alert rules (docs/exporter/, read from there so that the documentation cannot rot): a
//! good stream of `rtspeek serve` and one whose certificate comes from a CA the module does not trust. The
//! series and values are queried back through Prometheus' API; `promtool` checks the exposition and the rules.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rtspeek_tests::peers::{PeerProcess, require, run_bounded};
use rtspeek_tests::pki::{Cert, days_from_now};
use serde_json::Value;

use crate::support::serve::{Pki, Serve, basic_config};

/// How long Prometheus may take to show both targets' first samples.
const SCRAPE_WAIT: Duration = Duration::from_secs(60);

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/exporter")
}

/// A free TCP port on 127.0.0.1 (Prometheus takes a fixed `--web.listen-address`).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// `GET path` over HTTP/1.0 (no chunked answers): status line, headers and body.
fn get(authority: &str, path: &str, headers: &str) -> (String, String) {
    let mut stream = TcpStream::connect(authority).unwrap_or_else(|e| panic!("connect {authority}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n{headers}\r\n").expect("send");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the answer");
    let text = String::from_utf8(bytes).expect("UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no head end in {text:?}"));
    (head.to_owned(), body.to_owned())
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The result vector of an instant query.
fn query(prometheus: &str, promql: &str) -> Vec<Value> {
    let (head, body) = get(prometheus, &format!("/api/v1/query?query={}", encode(promql)), "");
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{promql}: {head}\n{body}");
    let json: Value = serde_json::from_str(&body).expect("JSON");
    json["data"]["result"].as_array().cloned().unwrap_or_default()
}

/// The value of the one series of `promql` for `instance`.
fn value(prometheus: &str, promql: &str, instance: &str) -> Option<String> {
    query(prometheus, promql)
        .iter()
        .find(|r| r["metric"]["instance"] == instance)
        .and_then(|r| r["value"][1].as_str().map(str::to_owned))
}

/// Replaces `from` (which must be in the documented file: the test fails when the documentation changes
/// shape) by `to`.
fn substitute(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "docs/exporter/prometheus.yml no longer has {from:?}");
    text.replace(from, to)
}

fn start_exporter(config: &Path) -> (PeerProcess, String) {
    start_exporter_with(&["--config".as_ref(), config.as_os_str()])
}

fn start_exporter_with(args: &[&std::ffi::OsStr]) -> (PeerProcess, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
    command.args(["exporter", "--listen", "127.0.0.1:0"]).args(args);
    let ready = Box::new(|line: &str| {
        line.strip_prefix("rtspeek exporter: listening on http://127.0.0.1:")
            .and_then(|p| p.trim().parse().ok())
    });
    let process =
        PeerProcess::spawn(command, ready, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let authority = format!("127.0.0.1:{}", process.port());
    (process, authority)
}

fn start_prometheus(config: &Path, data: &Path) -> (PeerProcess, String) {
    let prometheus = require("prometheus").unwrap_or_else(|e| {
        panic!("{e}: the exporter test needs Prometheus (`cargo xtask test` installs the Debian package)")
    });
    let port = free_port();
    // Prometheus logs on stderr: through sh, its log lines reach the readiness watcher on stdout.
    let mut command = Command::new("sh");
    command.arg("-c").arg(r#"exec "$0" "$@" 2>&1"#).arg(&prometheus).args([
        format!("--config.file={}", config.display()),
        format!("--storage.tsdb.path={}", data.display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
    ]);
    command.args(["--log.level=info"]);
    let ready =
        Box::new(move |line: &str| line.contains("Server is ready to receive web requests").then_some(port));
    let process =
        PeerProcess::spawn(command, ready, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
    (process, format!("127.0.0.1:{port}"))
}

#[test]
fn prometheus_scrapes_the_documented_configuration_and_alerts_on_a_broken_camera() {
    let promtool =
        require("promtool").unwrap_or_else(|e| panic!("{e}: install the Debian package prometheus"));
    let pki = Pki::new();
    // A stream whose certificate comes from a CA the module does not trust, with a notAfter we know.
    let stranger = Cert::root("rtspeek stranger root");
    let not_after = days_from_now(200);
    let bad_leaf = stranger
        .leaf()
        .cn("localhost")
        .dns(["localhost"])
        .ip(["127.0.0.1"])
        .valid(days_from_now(-1), not_after)
        .build();
    pki.write("stranger", &bad_leaf);
    let extra = r#"
[[stream]]
path = "stranger"
source = { kind = "synthetic", width = 320, height = 180, fps = 25, gop = 25, bitrate_kbps = 300 }
listener = "127.0.0.1:0"
tls = { cert = "stranger.pem", key = "stranger.key" }
"#;
    let serve = Serve::start(&pki, &basic_config(&pki, extra));
    let good = serve.url("rtsps", "synthetic");
    let bad = serve.url("rtsps", "stranger");

    let exporter_config = pki.path().join("exporter.toml");
    std::fs::write(&exporter_config, "[modules.site]\nca = [\"ca.pem\"]\nduration = 1\n").expect("write");
    pki.ca_path();
    let (_exporter, exporter) = start_exporter(&exporter_config);

    // The exposition itself: promtool's linter on the 0.0.4 text, OpenMetrics when asked for.
    let probe_path = format!("/probe?target={}&module=site", encode(&good));
    let (head, text) = get(&exporter, &probe_path, "X-Prometheus-Scrape-Timeout-Seconds: 5\r\n");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    assert!(text.contains("\nrtspeek_probe_success 1\n"), "{text}");
    let mut check = Command::new(&promtool);
    check.args(["check", "metrics"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = check.spawn().expect("promtool");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("feed promtool");
    let out = child.wait_with_output().expect("promtool ran");
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (head, open) = get(&exporter, &probe_path, "Accept: application/openmetrics-text;version=1.0.0\r\n");
    assert!(head.contains("application/openmetrics-text; version=1.0.0"), "{head}");
    assert!(open.ends_with("# EOF\n") && open.contains("# TYPE rtspeek_cert info\n"), "{open}");

    // The documented rules: valid, and their own unit tests pass.
    for args in [["check", "rules", "rtspeek-alerts.yml"], ["test", "rules", "rtspeek-alerts.test.yml"]] {
        let mut cmd = Command::new(&promtool);
        cmd.args(args).current_dir(docs());
        let out = run_bounded(cmd, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The documented scrape configuration, with this test's addresses and short intervals; docs/exporter.md
    // quotes its scrape_configs, comments left out.
    let documented =
        std::fs::read_to_string(docs().join("prometheus.yml")).expect("docs/exporter/prometheus.yml");
    let page = std::fs::read_to_string(docs().join("../exporter.md")).expect("docs/exporter.md");
    let quoted = documented.split_once("scrape_configs:").expect("scrape_configs").1;
    for line in quoted.lines().map(|l| l.split(" #").next().unwrap_or(l).trim_end()) {
        if !line.trim().is_empty() && !line.trim().starts_with('#') {
            assert!(page.contains(&format!("{line}\n")), "docs/exporter.md does not quote {line:?}");
        }
    }
    let mut config = substitute(&documented, "scrape_interval: 60s", "scrape_interval: 3s");
    config = substitute(&config, "scrape_timeout: 15s", "scrape_timeout: 3s");
    config = substitute(&config, "evaluation_interval: 60s", "evaluation_interval: 1s");
    config = substitute(
        &config,
        "- rtspeek-alerts.yml",
        &format!("- {}", docs().join("rtspeek-alerts.yml").display()),
    );
    config = substitute(&config, "- rtsps://cam1.example:322/live", &format!("- {good}"));
    config = substitute(&config, "- rtsps://cam2.example:322/live", &format!("- {bad}"));
    config = substitute(&config, "127.0.0.1:9870", &exporter);
    let data = tempfile::tempdir().expect("a data directory");
    let prometheus_yml = data.path().join("prometheus.yml");
    std::fs::write(&prometheus_yml, config).expect("write prometheus.yml");
    let (prometheus_process, prometheus) = start_prometheus(&prometheus_yml, &data.path().join("tsdb"));

    let deadline = Instant::now() + SCRAPE_WAIT;
    loop {
        let seen = query(&prometheus, "rtspeek_probe_success{job=\"rtspeek\"}");
        // The exporter's own job too: it scrapes at its own offset in the interval.
        let own = query(&prometheus, "rtspeek_exporter_max_concurrent{job=\"rtspeek_exporter\"}");
        if seen.len() == 2 && !own.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus did not scrape both targets and the exporter within {SCRAPE_WAIT:?}: {seen:?} {own:?}\n{}",
            prometheus_process.stdout_lines().join("\n")
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(value(&prometheus, "rtspeek_probe_success", &good).as_deref(), Some("1"));
    assert_eq!(value(&prometheus, "rtspeek_probe_success", &bad).as_deref(), Some("0"));
    let layer = |instance: &str| {
        query(&prometheus, "rtspeek_first_broken_layer_info")
            .iter()
            .find(|r| r["metric"]["instance"] == instance)
            .and_then(|r| r["metric"]["layer"].as_str().map(str::to_owned))
    };
    assert_eq!(layer(&good).as_deref(), Some("none"));
    assert_eq!(layer(&bad).as_deref(), Some("certificate"));
    assert_eq!(
        value(&prometheus, "rtspeek_cert_not_after_seconds", &bad),
        Some(not_after.secs().to_string()),
        "the leaf's notAfter"
    );
    let fingerprint = query(&prometheus, "rtspeek_cert_info")
        .iter()
        .find(|r| r["metric"]["instance"] == bad.as_str())
        .and_then(|r| r["metric"]["fingerprint_sha256"].as_str().map(str::to_owned));
    assert_eq!(fingerprint, Some(rtspeek_core::cert::fingerprint_sha256(bad_leaf.cert_der())));
    let code = "rtspeek_finding{code=\"cert.chain_incomplete\",severity=\"error\"}";
    assert_eq!(
        value(&prometheus, code, &bad).as_deref(),
        Some("1"),
        "{:?}",
        query(&prometheus, "rtspeek_finding")
    );
    assert_eq!(value(&prometheus, code, &good), None);
    assert_eq!(value(&prometheus, "rtspeek_layer_status{layer=\"certificate\"}", &bad).as_deref(), Some("2"));
    let handshake = value(&prometheus, "rtspeek_tls_handshake_seconds", &good).expect("a handshake time");
    assert!(handshake.parse::<f64>().is_ok_and(|s| s > 0.0 && s < 3.0), "{handshake}");
    let loss =
        value(&prometheus, "rtspeek_rtp_loss_ratio{media=\"video\"}", &good).expect("the video's loss");
    assert_eq!(loss.parse::<f64>().ok(), Some(0.0), "loopback loses nothing");
    let jitter =
        value(&prometheus, "rtspeek_rtp_jitter_seconds{media=\"video\"}", &good).expect("the video's jitter");
    assert!(jitter.parse::<f64>().is_ok_and(|j| (0.0..0.5).contains(&j)), "{jitter}");
    let clients: Vec<f64> = query(&prometheus, "rtspeek_client_compatible")
        .iter()
        .filter(|r| r["metric"]["instance"] == good.as_str())
        .filter_map(|r| r["value"][1].as_str().and_then(|v| v.parse().ok()))
        .collect();
    assert!(clients.iter().any(|v| *v > 0.0), "{clients:?}");
    assert!(clients.iter().all(|v| [0.0, 0.5, 1.0].contains(v)), "{clients:?}");
    // The exporter's own job: the probes it ran before that scrape.
    let probes =
        query(&prometheus, "rtspeek_exporter_probes_total{job=\"rtspeek_exporter\",module=\"site\"}");
    assert!(!probes.is_empty(), "the exporter's /metrics was scraped");

    // The documented alert is pending (its `for` holds it) for the broken camera only.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let alerts = query(&prometheus, "ALERTS{alertname=\"RtspeekVerdictBroken\"}");
        if let Some(alert) = alerts.first() {
            assert_eq!(alerts.len(), 1, "{alerts:?}");
            assert_eq!(alert["metric"]["instance"], bad.as_str());
            assert_eq!(alert["metric"]["layer"], "certificate");
            break;
        }
        assert!(Instant::now() < deadline, "no RtspeekVerdictBroken alert within 20 s");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A stream behind Digest, user `viewer`, password `s3cret`.
const LOCKED: &str = r#"
[[stream]]
path = "locked"
source = { kind = "synthetic", width = 160, height = 96, fps = 10, gop = 10, bitrate_kbps = 200 }
[stream.auth]
schemes = ["digest-sha256", "digest-md5"]
[[stream.auth.user]]
name = "viewer"
password = "s3cret"
"#;

#[test]
fn bad_requests_are_refused_and_debug_shows_the_report_without_the_password() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, LOCKED));
    let good = serve.url("rtsps", "synthetic");
    let locked = serve.url("rtsps", "locked");
    pki.ca_path();
    std::fs::write(pki.path().join("viewer.pw"), "s3cret\n").expect("write the password file");
    let config = pki.path().join("exporter.toml");
    std::fs::write(
        &config,
        "[modules.site]\nca = [\"ca.pem\"]\nuser = \"viewer\"\npassword_file = \"viewer.pw\"\nduration = 0.5\n\
         tls_scan = false\n",
    )
    .expect("write");
    let (_exporter, exporter) = start_exporter(&config);

    let credentials = good.replacen("rtsps://", "rtsps://admin:hunter2@", 1);
    let (head, body) = get(&exporter, &format!("/probe?target={}&module=site", encode(&credentials)), "");
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    assert!(body.contains("credentials") && !body.contains("hunter2"), "{body}");
    let (head, body) = get(&exporter, &format!("/probe?target={}&module=nope", encode(&good)), "");
    assert!(head.starts_with("HTTP/1.1 400") && body.contains("unknown module \"nope\""), "{head}\n{body}");

    // The module's password opens the locked stream; neither the report nor the metrics show it.
    let (head, body) =
        get(&exporter, &format!("/probe?target={}&module=site&debug=true", encode(&locked)), "");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("auth"), "{body}");
    assert!(body.contains("\nrtspeek_probe_success 1\n"), "{body}");
    assert!(!body.contains("s3cret"), "{body}");

    // A camera that accepts TCP and never answers TLS (the kernel completes the handshake of a listener that
    // never accepts), scraped with a 2 s timeout: the probe is bound by 1.5 s (2 s minus the 0.5 s offset) and
    // its steps by 80 % of that. The handshake times out at 1.2 s, the TLS scan that follows a failure is cut
    // at 1.5 s, and the answer still says what was seen: broken at tls, interrupted.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent = format!("rtsps://127.0.0.1:{}/x", silent.local_addr().expect("addr").port());
    let started = Instant::now();
    let (_, body) = get(
        &exporter,
        &format!("/probe?target={}&module=site", encode(&silent)),
        "X-Prometheus-Scrape-Timeout-Seconds: 2\r\n",
    );
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1400) && took < Duration::from_millis(2000), "{took:?}");
    assert!(
        body.contains("\nrtspeek_probe_success 0\n") && body.contains("\nrtspeek_probe_interrupted 1\n"),
        "{body}"
    );
    assert!(body.contains("rtspeek_first_broken_layer_info{layer=\"tls\"} 1\n"), "{body}");
    assert!(body.contains("rtspeek_finding{code=\"tls.no_answer\""), "{body}");

    let (_, metrics) = get(&exporter, "/metrics", "");
    assert!(
        metrics.contains("rtspeek_exporter_requests_refused_total{reason=\"bad_request\"} 2\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rtspeek_exporter_probes_total{module=\"site\",result=\"success\"} 1\n"),
        "{metrics}"
    );
    assert!(metrics.contains("process_resident_memory_bytes "), "{metrics}");
}

#[test]
fn a_scrape_over_the_limit_waits_until_its_deadline_then_gets_503() {
    let (_exporter, exporter) = start_exporter_with(&["--max-concurrent".as_ref(), "1".as_ref()]);
    // The only place is taken by a probe of a camera that never answers TLS, bound by 3.5 s.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent = format!("rtsps://127.0.0.1:{}/x", silent.local_addr().expect("addr").port());
    let path = format!("/probe?target={}", encode(&silent));
    let first = {
        let (exporter, path) = (exporter.clone(), path.clone());
        std::thread::spawn(move || get(&exporter, &path, "X-Prometheus-Scrape-Timeout-Seconds: 4\r\n"))
    };
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (head, body) = get(&exporter, &path, "X-Prometheus-Scrape-Timeout-Seconds: 1.5\r\n");
    let waited = started.elapsed();
    assert!(head.starts_with("HTTP/1.1 503"), "{head}\n{body}");
    assert!(body.contains("1 probes are running"), "{body}");
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_millis(1500), "{waited:?}");
    let (head, body) = first.join().expect("the first scrape");
    assert!(
        head.starts_with("HTTP/1.1 200") && body.contains("\nrtspeek_probe_success 0\n"),
        "{head}\n{body}"
    );
    let (_, metrics) = get(&exporter, "/metrics", "");
    assert!(metrics.contains("rtspeek_exporter_requests_refused_total{reason=\"busy\"} 1\n"), "{metrics}");
    assert!(
        metrics.contains("rtspeek_exporter_probes_total{module=\"default\",result=\"failure\"} 1\n"),
        "{metrics}"
    );
}

#[test]
fn a_configuration_that_cannot_probe_fails_the_start_with_its_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |config: &str| {
        let path = dir.path().join("exporter.toml");
        std::fs::write(&path, config).expect("write");
        let mut command = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
        command.args(["exporter", "--listen", "127.0.0.1:0", "--config"]).arg(&path);
        let out = run_bounded(command, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run("[modules.cams]\nuser = \"u\"\npassword_env = \"RTSPEEK_EXPORTER_IT_UNSET\"\n");
    assert_eq!(code, Some(64), "{err}");
    assert!(
        err.contains("module cams: password_env: the environment variable RTSPEEK_EXPORTER_IT_UNSET"),
        "{err}"
    );
    let (code, err) = run("[modules.cams]\npassword = \"inline\"\n");
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("unknown field `password`"), "{err}");
    let (code, err) = run("");
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("no [modules.NAME] table"), "{err}");
}
