//! `rtspeek serve pair apply|rollback` against a running server: a new pair is validated, put in place with
//! the old one kept, and served to new connections (seen by `openssl s_client`); a mismatched pair is refused
//! with its reason and changes no file; rollback serves the previous pair again.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::support::serve::{Pki, Serve, basic_config, served_fingerprint};

fn rtspeek(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rtspeek")).args(args).output().expect("run rtspeek")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `rtspeek serve pair apply CONFIG --cert CERT --key KEY`.
fn apply(config: &str, cert: &Path, key: &Path) -> Output {
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    rtspeek(&["serve", "pair", "apply", config, "--cert", &cert, "--key", &key])
}

/// Waits (bounded) until the server shows `fingerprint` to a new connection.
fn wait_for(authority: &str, ca: &Path, fingerprint: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let served = served_fingerprint(authority, "localhost", ca);
        if served == fingerprint {
            return;
        }
        assert!(Instant::now() < deadline, "still serving {served}, expected {fingerprint}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn apply_serves_a_new_pair_refuses_a_mismatched_one_and_rollback_restores_the_old() {
    let pki = Pki::new();
    let config_text = basic_config(&pki, "");
    let serve = Serve::start(&pki, &config_text);
    let config = pki.path().join("serve.toml").display().to_string();
    let authority = Serve::authority(&serve.url("rtsps", "synthetic"));
    let ca = pki.ca_path();
    let server_pem = pki.path().join("server.pem");
    let original = served_fingerprint(&authority, "localhost", &ca);

    // A new pair, written elsewhere, applied to the global [tls] pair.
    let (new_cert, new_key, _) = pki.leaf("replacement", &["localhost"]);
    let out = apply(&config, &new_cert, &new_key);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let new_fp = rtspeek_core::cert::fingerprint_sha256(
        &rustls::pki_types::pem::PemObject::from_pem_file(&new_cert)
            .map(|c: rustls::pki_types::CertificateDer<'_>| c.to_vec())
            .expect("PEM"),
    );
    assert!(text(&out).contains(&new_fp) && text(&out).contains(&original), "{}", text(&out));
    assert!(pki.path().join("server.pem.prev").is_file() && pki.path().join("server.key.prev").is_file());
    wait_for(&authority, &ca, &new_fp);

    // A certificate with another pair's key: refused before anything is replaced.
    let (other_cert, _, _) = pki.leaf("other", &["localhost"]);
    let before = std::fs::read(&server_pem).unwrap();
    let out = apply(&config, &other_cert, &new_key);
    assert_eq!(out.status.code(), Some(64), "{}", text(&out));
    assert!(text(&out).contains("refused"), "{}", text(&out));
    assert_eq!(std::fs::read(&server_pem).unwrap(), before, "a refused pair changes no file");
    assert!(!pki.path().join(".server.pem.new").exists(), "no staged file is left behind");

    // Rollback: the original pair is served again, and the replacement becomes the one kept.
    let out = rtspeek(&["serve", "pair", "rollback", &config]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    wait_for(&authority, &ca, &original);
    assert_eq!(std::fs::read(pki.path().join("server.pem.prev")).unwrap(), before);

    // A stream without its own pair has nothing to replace.
    let out = rtspeek(&["serve", "pair", "rollback", &config, "--stream", "synthetic"]);
    assert_eq!(out.status.code(), Some(64), "{}", text(&out));
    assert!(text(&out).contains("has no [stream.tls]"), "{}", text(&out));
}
