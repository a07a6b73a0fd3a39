//! `rtspeek cert new` as a user runs it: the files it writes, their permissions, what it refuses, and that
//! third parties accept the result: `openssl verify`, `rtspeek serve` loading the pair, and the probe's rustls
//! client trusting it through the new CA.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::serve::{Pki, Serve, basic_config};

fn rtspeek(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rtspeek")).args(args).output().expect("run rtspeek")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn new_pki(dir: &Path, extra: &[&str]) -> Output {
    let out = dir.display().to_string();
    let mut args = vec!["cert", "new", "--out", out.as_str()];
    args.extend_from_slice(extra);
    rtspeek(&args)
}

fn openssl_verifies(ca: &Path, cert: &Path) {
    let out = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(ca)
        .arg(cert)
        .output()
        .expect("openssl is installed by the test setup");
    assert!(out.status.success(), "openssl verify: {}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn makes_a_ca_and_a_server_pair_that_check_healthy_and_openssl_verifies() {
    let dir = tempfile::tempdir().unwrap();
    for key_type in ["ecdsa-p256", "rsa2048"] {
        let out_dir = dir.path().join(key_type);
        let out =
            new_pki(&out_dir, &["--name", "cam.example", "--name", "192.0.2.7", "--key-type", key_type]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
        assert!(
            stdout.contains("healthy for cam.example") && stdout.contains("healthy for 192.0.2.7"),
            "{stdout}"
        );
        for file in ["ca.pem", "ca.key", "server.pem", "server.key"] {
            assert!(out_dir.join(file).is_file(), "{key_type}: {file}");
        }
        #[cfg(unix)]
        for (file, mode) in [("ca.key", 0o600), ("server.key", 0o600), ("server.pem", 0o644)] {
            use std::os::unix::fs::PermissionsExt as _;
            let got = std::fs::metadata(out_dir.join(file)).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{key_type}: {file}");
        }
        openssl_verifies(&out_dir.join("ca.pem"), &out_dir.join("server.pem"));
        let [ca, cert, key] =
            [out_dir.join("ca.pem"), out_dir.join("server.pem"), out_dir.join("server.key")]
                .map(|p| p.display().to_string());
        let check =
            rtspeek(&["cert", "check", &cert, "--key", &key, "--ca", &ca, "--host", "192.0.2.7", "--json"]);
        let report: Value = serde_json::from_slice(&check.stdout).expect("JSON report");
        assert_eq!(report["verdict"], "healthy", "{key_type}: {report:#}");
    }
}

#[test]
fn signs_with_an_existing_ca_and_refuses_to_replace_files() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    assert_eq!(new_pki(&first, &["--name", "localhost"]).status.code(), Some(0));
    let before = std::fs::read(first.join("server.pem")).unwrap();

    // Again in the same directory: refused before anything is generated or written.
    let again = new_pki(&first, &["--name", "localhost"]);
    assert_eq!(again.status.code(), Some(64), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("exists (--force replaces it)"), "{}", text(&again.stderr));
    assert_eq!(std::fs::read(first.join("server.pem")).unwrap(), before);

    // A second server signed by the first CA: no new CA is written.
    let second = dir.path().join("second");
    let (ca, ca_key) =
        (first.join("ca.pem").display().to_string(), first.join("ca.key").display().to_string());
    let out = new_pki(&second, &["--name", "other.example", "--ca-cert", &ca, "--ca-key", &ca_key]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!second.join("ca.pem").exists() && !second.join("ca.key").exists());
    openssl_verifies(&first.join("ca.pem"), &second.join("server.pem"));

    // A name that is neither DNS nor IP: nothing is written.
    let bad = dir.path().join("bad");
    let out = new_pki(&bad, &["--name", "cam example"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("\"cam example\""), "{}", text(&out.stderr));
    assert!(!bad.join("server.pem").exists());
}

#[test]
fn warns_when_a_listener_address_is_not_in_the_certificate() {
    let pki = Pki::new();
    let config = pki.path().join("serve.toml");
    std::fs::write(&config, basic_config(&pki, "")).unwrap();
    let out_dir = pki.path().join("new");
    let config = config.display().to_string();
    let out = new_pki(&out_dir, &["--name", "localhost", "--config", &config]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("127.0.0.1 is not in the certificate"), "{stdout}");
    let out = new_pki(
        &pki.path().join("new2"),
        &["--name", "localhost", "--name", "127.0.0.1", "--config", &config],
    );
    assert!(!text(&out.stdout).contains("not in the certificate"), "{}", text(&out.stdout));
}

#[test]
fn rtspeek_serve_runs_on_the_new_pair_and_the_probe_trusts_it_through_the_new_ca() {
    let pki = Pki::new();
    let config = basic_config(&pki, "");
    // Replace the test PKI's pair (and CA file) with what `cert new` makes.
    let out = new_pki(pki.path(), &["--name", "localhost", "--name", "127.0.0.1", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let serve = Serve::start(&pki, &config);
    let url = serve.url("rtsps", "synthetic");
    let ca = pki.path().join("ca.pem").display().to_string();
    let probe = rtspeek(&["probe", &url, "--ca", &ca, "--duration", "1", "--no-tls-scan", "--json"]);
    let report: Value = serde_json::from_slice(&probe.stdout).expect("JSON report");
    assert_eq!(report["verdict"], "healthy", "{report:#}");
    assert_eq!(report["trust"]["overridden"], false, "{report:#}");
}
