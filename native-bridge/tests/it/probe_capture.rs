//! `rtspeek probe --capture` and `--keylog` against our own `rtspeek serve`, read back by tshark: the RTSP
//! inside TLS shows decrypted from the capture alone (its Decryption Secrets Blocks), RTP over UDP shows with
//! its real ports, the checksums are right, and the key log file decrypts a capture stripped of its secrets.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use rtspeek_tests::peers::{require, run_bounded};
use serde_json::Value;

use crate::support::serve::{Pki, Serve, basic_config};

fn rtspeek(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
    command.args(args).env_remove("SSLKEYLOGFILE");
    for (k, v) in env {
        command.env(k, v);
    }
    run_bounded(command, Duration::from_secs(90)).unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `tshark -r FILE ARGS`: its stdout (tshark missing is a failure that says to run `cargo xtask test`).
fn tshark(file: &Path, args: &[&str]) -> String {
    let mut command = Command::new(require("tshark").unwrap_or_else(|e| panic!("{e}")));
    command.arg("-r").arg(file).args(args);
    let out = run_bounded(command, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "tshark -r {}: {}", file.display(), text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The RTSP request methods tshark sees in `file`, in order (`extra`: more tshark options).
/// A tshark field name (`rtsp.method`), built so that the source holds no literal shaped like a finding code
/// (the catalogue test looks for those).
fn field(protocol: &str, name: &str) -> String {
    format!("{protocol}.{name}")
}

pub(crate) fn methods(file: &Path, extra: &[&str]) -> Vec<String> {
    let (request, method) = (field("rtsp", "request"), field("rtsp", "method"));
    let mut args = vec!["-Y", &request, "-T", "fields", "-e", &method];
    args.extend_from_slice(extra);
    tshark(file, &args).lines().map(str::to_owned).filter(|l| !l.is_empty()).collect()
}

/// Frames whose IP, TCP or UDP checksum tshark finds bad (checking switched on: it is off by default).
fn bad_checksums(file: &Path) -> String {
    tshark(
        file,
        &[
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-Y",
            "ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0",
        ],
    )
}

/// tshark's "decode as" for the server's port (`rtspeek serve` listens on a free port, not 554, which tshark
/// recognises by itself): RTSP, inside TLS when `tls`. Wireshark 4.0 offers no RTSP in its TLS "decode as"
/// table; the TLS key list's protocol column sets the same association (it wants an RSA key file, which the
/// TLS 1.3 session never uses: `dir/dummy.key`).
pub(crate) fn decode_as(url: &str, tls: bool, dir: &Path) -> Vec<String> {
    let port = Serve::authority(url).rsplit(':').next().expect("a port").to_owned();
    if !tls {
        return vec!["-d".into(), format!("tcp.port=={port},rtsp")];
    }
    let key = dir.join("dummy.key");
    if !key.exists() {
        let mut genrsa = Command::new(require("openssl").unwrap_or_else(|e| panic!("{e}")));
        genrsa.args(["genrsa", "-out"]).arg(&key).arg("2048");
        let out = run_bounded(genrsa, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "openssl genrsa: {}", text(&out));
    }
    vec![
        "-d".into(),
        format!("tcp.port=={port},tls"),
        "-o".into(),
        format!("uat:ssl_keys:\"127.0.0.1\",\"{port}\",\"rtsp\",\"{}\",\"\"", key.display()),
    ]
}

pub(crate) fn assert_session_methods(seen: &[String]) {
    for method in ["OPTIONS", "DESCRIBE", "SETUP", "PLAY"] {
        assert!(seen.iter().any(|m| m == method), "{method} not decrypted in {seen:?}");
    }
}

#[test]
fn rtsps_capture_shows_the_rtsp_methods_decrypted_with_no_key_log_file() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let capture = pki.path().join("probe.pcapng");
    let ca = pki.ca_path();
    let url = serve.url("rtsps", "synthetic");
    let out = rtspeek(
        &[
            "probe",
            &url,
            "--ca",
            ca.to_str().unwrap(),
            "-d",
            "1",
            "--json",
            "--capture",
            capture.to_str().unwrap(),
        ],
        &[],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("the JSON report");
    let fact = &report["facts"]["capture"];
    assert_eq!(fact["file"], capture.display().to_string());
    assert_eq!(fact["contains_secrets"], true);
    assert_eq!(fact["truncated"], false);
    assert!(fact["packets"].as_u64().is_some_and(|n| n > 10), "{fact}");
    assert_eq!(fact["bytes"].as_u64(), Some(std::fs::metadata(&capture).expect("capture").len()));
    assert!(fact["note"].as_str().is_some_and(|n| n.contains("credentials")), "{fact}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("share it only with people who may see them"), "{stderr}");

    let decode = decode_as(&url, true, pki.path());
    let decode: Vec<&str> = decode.iter().map(String::as_str).collect();
    assert_session_methods(&methods(&capture, &decode));
    // The real addresses and ports: the server's RTSPS port appears as a TCP port.
    let port = Serve::authority(&url).rsplit(':').next().expect("port").to_owned();
    let ports = tshark(
        &capture,
        &["-Y", &format!("tcp.port == {port} && tcp.flags.syn == 1"), "-T", "fields", "-e", "ip.dst"],
    );
    assert!(ports.lines().any(|l| l == "127.0.0.1"), "{ports}");
    // The TLS scan's own connections (its ClientHellos, after the session) are in the capture too.
    let hellos = tshark(&capture, &["-d", &format!("tcp.port=={port},tls"), "-Y", "tls.handshake.type == 1"]);
    assert!(hellos.lines().count() > 2, "the session's and the scan's ClientHellos: {hellos}");
    assert_eq!(bad_checksums(&capture), "", "frames with bad checksums");
}

#[test]
fn plain_rtsp_over_udp_capture_shows_rtp_on_its_ports() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let capture = pki.path().join("udp.pcapng");
    let url = serve.url("rtsp", "synthetic");
    let out = rtspeek(
        &["probe", &url, "--transport", "udp", "-d", "1", "--json", "--capture", capture.to_str().unwrap()],
        &[],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("the JSON report");
    assert_eq!(report["facts"]["tracks"][0]["carried_over"], "udp", "{}", report["facts"]["tracks"]);
    // No TLS: no secrets in the file.
    assert_eq!(report["facts"]["capture"]["contains_secrets"], false);
    let decode = decode_as(&url, false, pki.path());
    let decode: Vec<&str> = decode.iter().map(String::as_str).collect();
    assert_session_methods(&methods(&capture, &decode));
    let rtp = tshark(
        &capture,
        &[
            "-o",
            "rtp.heuristic_rtp:TRUE",
            "-Y",
            "rtp",
            "-T",
            "fields",
            "-e",
            "udp.srcport",
            "-e",
            &field("rtp", "p_type"),
        ],
    );
    let packets: Vec<&str> = rtp.lines().filter(|l| !l.is_empty()).collect();
    assert!(packets.len() > 10, "RTP over UDP: {rtp}");
    // The camera's RTP source port is the server's configured even port (basic_config's `udp_port`).
    let config = std::fs::read_to_string(pki.path().join("serve.toml")).expect("serve.toml");
    let udp_port = config.lines().find_map(|l| l.strip_prefix("udp_port = ")).expect("udp_port").trim();
    assert!(packets.iter().any(|l| l.starts_with(&format!("{udp_port}\t"))), "{udp_port}: {rtp}");
    assert_eq!(bad_checksums(&capture), "", "frames with bad checksums");
}

#[test]
fn keylog_file_has_the_nss_lines_and_decrypts_a_capture_without_its_secrets() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let (capture, stripped, keylog) =
        (pki.path().join("k.pcapng"), pki.path().join("stripped.pcapng"), pki.path().join("keys.log"));
    let ca = pki.ca_path();
    let url = serve.url("rtsps", "synthetic");
    let probe = |extra: &[&str], env: &[(&str, &Path)]| {
        let mut args = vec!["probe", url.as_str(), "--ca", ca.to_str().unwrap(), "-d", "0", "--no-tls-scan"];
        args.extend_from_slice(extra);
        let out = rtspeek(&args, env);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
        out
    };
    let out = probe(&["--capture", capture.to_str().unwrap(), "--keylog", keylog.to_str().unwrap()], &[]);
    let log = std::fs::read_to_string(&keylog).expect("the key log");
    for label in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET",
    ] {
        assert!(log.lines().any(|l| l.starts_with(&format!("{label} "))), "{label} missing: {log}");
    }
    // Never printed: no secret of the file is in the output.
    for line in log.lines() {
        let secret = line.rsplit(' ').next().expect("a secret");
        assert!(!text(&out).contains(secret), "a secret was printed");
    }

    let editcap = require("editcap").unwrap_or_else(|e| panic!("{e}"));
    let mut strip = Command::new(editcap);
    strip.arg("--discard-all-secrets").arg(&capture).arg(&stripped);
    let done = run_bounded(strip, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
    assert!(done.status.success(), "editcap: {}", text(&done));
    // Without its secrets the capture hides the RTSP; with the key log file it shows it again.
    let decode = decode_as(&url, true, pki.path());
    let mut decode: Vec<&str> = decode.iter().map(String::as_str).collect();
    assert_session_methods(&methods(&capture, &decode));
    assert_eq!(methods(&stripped, &decode), Vec::<String>::new());
    let option = format!("tls.keylog_file:{}", keylog.display());
    decode.extend(["-o", &option]);
    assert_session_methods(&methods(&stripped, &decode));

    // SSLKEYLOGFILE does the same as --keylog, appending.
    let lines_before = log.lines().count();
    probe(&[], &[("SSLKEYLOGFILE", &keylog)]);
    let after = std::fs::read_to_string(&keylog).expect("the key log").lines().count();
    assert!(after > lines_before, "SSLKEYLOGFILE appended nothing ({lines_before} -> {after})");
}

/// The legacy TLS client (`--legacy-tls`, OpenSSL) is tapped too: a TLS 1.0-only front (stunnel) before the
/// plain listener, and the capture alone shows its RTSP decrypted (OpenSSL's keylog callback, `CLIENT_RANDOM`).
#[test]
fn the_legacy_tls_client_is_captured_with_its_secrets() {
    use rtspeek_tests::peers::stunnel::{Front, StunnelFronts};
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let backend = Serve::authority(&serve.url("rtsp", "synthetic"));
    let backend_port: u16 = backend.rsplit(':').next().and_then(|p| p.parse().ok()).expect("backend port");
    let (_, _, leaf) = pki.leaf("front", &["localhost"]);
    let mut front = Front::new("tls10", leaf.cert_pem(), leaf.key_pem(), backend_port);
    front.versions = Some(("TLSv1", "TLSv1"));
    front.ciphers = Some("DEFAULT:@SECLEVEL=0");
    front.security_level_0 = true;
    let fronts = StunnelFronts::start(&[front]).unwrap_or_else(|e| panic!("{e}"));
    let url = format!("rtsps://127.0.0.1:{}/synthetic", fronts.port("tls10"));
    let (capture, keylog) = (pki.path().join("legacy.pcapng"), pki.path().join("legacy.keys"));
    let out = rtspeek(
        &[
            "probe",
            &url,
            "--insecure",
            "--legacy-tls",
            "--no-tls-scan",
            "-d",
            "0",
            "--capture",
            capture.to_str().unwrap(),
            "--keylog",
            keylog.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "TLS stays the broken link: {}", text(&out));
    let log = std::fs::read_to_string(&keylog).expect("the key log");
    assert!(log.lines().any(|l| l.starts_with("CLIENT_RANDOM ")), "OpenSSL's secrets: {log}");
    let decode = decode_as(&url, true, pki.path());
    let decode: Vec<&str> = decode.iter().map(String::as_str).collect();
    assert_session_methods(&methods(&capture, &decode));
}

/// `--capture-max-mb` bounds the file (the report says what was left out), and a capture that cannot be
/// written is a usage error naming the option, before any connection.
#[test]
fn the_size_bound_truncates_and_an_unwritable_capture_is_a_usage_error() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let capture = pki.path().join("bounded.pcapng");
    let url = serve.url("rtsp", "synthetic");
    let out = rtspeek(
        &[
            "probe",
            &url,
            "-d",
            "0",
            "--json",
            "--capture",
            capture.to_str().unwrap(),
            "--capture-max-mb",
            "0",
        ],
        &[],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("the JSON report");
    let fact = &report["facts"]["capture"];
    assert_eq!(fact["truncated"], true, "{fact}");
    assert_eq!(fact["packets"], 0, "{fact}");
    assert!(fact["packets_not_captured"].as_u64().is_some_and(|n| n > 10), "{fact}");
    assert_eq!(fact["bytes"].as_u64(), Some(std::fs::metadata(&capture).expect("capture").len()));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"), "{}", text(&out));

    // A capture the disk refuses midway (/dev/full): said on stderr, and the report still comes out.
    let out = rtspeek(&["probe", &url, "-d", "0", "--json", "--capture", "/dev/full"], &[]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("the JSON report");
    assert!(report["facts"]["capture"].is_null(), "{}", report["facts"]["capture"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("the file is incomplete"), "{}", text(&out));

    let missing = pki.path().join("no-such-dir").join("x.pcapng");
    let out = rtspeek(&["probe", &url, "--capture", missing.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(64), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--capture") && stderr.contains("no-such-dir"), "{stderr}");
}
