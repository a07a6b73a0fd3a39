//! `rtspeek cert check` and `rtspeek demo` as a user runs them: the real binary, real files, exit statuses,
//! text and JSON output.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rtspeek_tests::pki::{Cert, NOW, chain_pem, day};
use serde_json::Value;

fn rtspeek() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rtspeek"))
}

fn run(args: &[&str]) -> Output {
    rtspeek().args(args).output().expect("run rtspeek")
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, contents).expect("write test file");
    path.display().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A trusted chain for `cam.example` / 192.0.2.10 in `dir`: (bundle, key, root).
fn good_chain(dir: &Path) -> (String, String, String) {
    let root = Cert::root("cli test root");
    let inter = root.intermediate("cli test intermediate");
    let leaf = inter.leaf().dns(["cam.example"]).ip(["192.0.2.10"]).valid(day(-30), day(300)).build();
    (
        write(dir, "chain.pem", chain_pem(&[&leaf, &inter])),
        write(dir, "leaf.key", leaf.key_pem()),
        write(dir, "root.pem", root.cert_pem()),
    )
}

const AT: &str = "--at=1780272000";

#[test]
fn healthy_chain_exits_0_with_text_and_json() {
    assert_eq!(NOW.0.to_string(), AT.trim_start_matches("--at="));
    let dir = tempfile::tempdir().unwrap();
    let (chain, key, root) = good_chain(dir.path());
    let out = run(&[
        "cert",
        "check",
        &chain,
        "--key",
        &key,
        "--ca",
        &root,
        "--host",
        "192.0.2.10",
        AT,
        "--color",
        "never",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("verdict: HEALTHY"), "{stdout}");
    assert!(stdout.contains("matches the server certificate"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour when asked for none");

    let out =
        run(&["cert", "check", &chain, "--key", &key, "--ca", &root, "--host", "192.0.2.10", AT, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).expect("--json prints one JSON document");
    assert_eq!(json["verdict"], "healthy");
    assert_eq!(json["first_broken_layer"], Value::Null);
    assert_eq!(json["layers"][0]["name"], "certificate");
    assert_eq!(json["layers"][0]["status"], "pass");
    assert_eq!(json["trust"]["outcome"], "trusted");
    assert_eq!(json["trust"]["store"]["kind"], "custom");
    assert_eq!(json["facts"]["certificate"]["chain"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["facts"]["certificate"]["key"]["matches_leaf"], true);
}

#[test]
fn broken_certificate_exits_2_and_names_the_first_broken_link() {
    let dir = tempfile::tempdir().unwrap();
    let leaf = Cert::self_signed_leaf().dns(["cam.example"]).valid(day(-400), day(-10)).build();
    let cert = write(dir.path(), "cam.pem", leaf.cert_pem());
    let out = run(&["cert", "check", &cert, "--host", "192.0.2.10", AT, "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"], "broken");
    assert_eq!(json["first_broken_layer"], "certificate");
    assert_eq!(
        json["trust"]["store"]["kind"], "web_pki",
        "without --ca the public web PKI is used, and said"
    );
    let codes: Vec<&str> =
        json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    for code in ["cert.expired", "cert.ip_not_in_san", "cert.self_signed"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }

    let out = run(&["cert", "check", &cert, "--host", "192.0.2.10", AT, "--color", "always"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("\x1b["), "--color always colours");
    let first = stdout.find("first broken link").expect("first broken link on top");
    assert!(first < stdout.find("findings").unwrap());
}

#[test]
fn warnings_only_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let root = Cert::root("cli degraded root");
    let leaf = root.leaf().dns(["cam.example"]).valid(day(-300), day(10)).build();
    let cert = write(dir.path(), "leaf.pem", leaf.cert_pem());
    let ca = write(dir.path(), "root.pem", root.cert_pem());
    let out = run(&["cert", "check", &cert, "--ca", &ca, "--host", "cam.example", AT, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("cert.expiring_soon"));
}

#[test]
fn standard_input_and_encrypted_key_with_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let root = Cert::root("cli stdin root");
    let leaf = root.leaf().dns(["cam.example"]).build();
    let key = write(dir.path(), "enc.key", leaf.key().encrypted_pkcs8_pem("s3cret"));
    let ca = write(dir.path(), "root.pem", root.cert_pem());
    let mut child = rtspeek()
        .args([
            "cert",
            "check",
            "-",
            "--key",
            &key,
            "--key-passphrase-env",
            "CLI_TEST_PASS",
            "--ca",
            &ca,
            AT,
            "--json",
        ])
        .env("CLI_TEST_PASS", "s3cret")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(leaf.cert_pem().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["facts"]["certificate"]["key"]["matches_leaf"], true, "{json:#}");
    assert!(!text(&out.stdout).contains("s3cret"), "the passphrase never appears in output");

    // Without the passphrase: a clear finding, not a crash.
    let cert = write(dir.path(), "leaf.pem", leaf.cert_pem());
    let out = run(&["cert", "check", &cert, "--key", &key, "--ca", &ca, AT, "--json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"].as_array().unwrap().iter().any(|f| f["code"] == "cert.key_encrypted"));
}

/// Usage and input errors: exit 64 and one clear line on stderr, never a panic.
#[test]
fn bad_input_exits_64_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = write(dir.path(), "garbage.pem", b"\x00\x01this is not a certificate\xff");
    let empty = write(dir.path(), "empty.pem", b"");
    let only_key = write(dir.path(), "key-only.pem", Cert::root("k").key_pem());
    let missing = dir.path().join("missing.pem").display().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["cert", "check", &garbage], "not PEM"),
        (vec!["cert", "check", &empty], "empty"),
        (vec!["cert", "check", &only_key], "PRIVATE KEY"),
        (vec!["cert", "check", &missing], "missing.pem"),
        (vec!["cert", "check", &garbage, "--ca", &garbage], "not PEM"),
        (vec!["cert", "check", &only_key, "--host", "bad host!"], "invalid host"),
        (vec!["cert", "check", &only_key, "--at", "yesterday"], "--at"),
        (vec!["cert", "check"], "FILE"),
        (vec!["cert", "check", &garbage, "--no-such-flag"], "--no-such-flag"),
        (vec!["frobnicate"], "frobnicate"),
    ];
    for (args, expect) in cases {
        let out = run(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr:?} should mention {expect:?}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    // Input errors (as opposed to clap's usage messages) are exactly one line.
    let out = run(&["cert", "check", &garbage]);
    assert_eq!(text(&out.stderr).trim_end().lines().count(), 1, "{}", text(&out.stderr));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

#[test]
fn demo_probes_its_live_server_healthy_shows_a_broken_camera_certificate_and_reuses_its_pki() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let demo = [
        "demo",
        "--data-dir",
        &data,
        "--color",
        "never",
        "--once",
        "--rtsps-port",
        "0",
        "--rtsp-port",
        "0",
        "--admin-port",
        "0",
        "--onvif-port",
        "0",
    ];
    let first = run(&demo);
    let stdout = text(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{stdout}{}", text(&first.stderr));
    assert!(stdout.contains("verdict: HEALTHY") && stdout.contains("verdict: BROKEN"), "{stdout}");
    assert!(
        stdout.contains("probing rtsps://127.0.0.1:") && stdout.contains("codec        pass"),
        "{stdout}"
    );
    assert!(stdout.contains("cert.ip_not_in_san") && stdout.contains("cert.cn_only"), "{stdout}");
    let ca = std::fs::read(dir.path().join("demo-ca.pem")).unwrap();
    let second = run(&demo);
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(std::fs::read(dir.path().join("demo-ca.pem")).unwrap(), ca, "the CA is kept between runs");
}
