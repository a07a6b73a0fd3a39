//! `rtspeek serve`'s admin endpoint (`[admin]`, docs/admin-api.md) against the real binary: who may use it
//! (token, Host, Origin, body limits, pair names that are no paths), what its status shows, and a pair
//! applied while ffprobe plays: the new pair is served to new connections (openssl s_client), the session
//! that was playing keeps its certificate and its pictures, a mismatched pair is refused with its reason, and
//! rollback serves the previous pair again.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::admin::Admin;
use crate::support::serve::{Pki, Serve, basic_config, served_fingerprint};
use rtspeek_tests::peers::ffmpeg::count_frames;

/// The basic server, a stream `cam1` with its own listener and pair, and the admin endpoint.
fn start(pki: &Pki) -> (Serve, Admin) {
    pki.leaf("cam1", &["cam1.test"]);
    let extra = r#"
[[stream]]
path = "cam1"
source = { kind = "synthetic", width = 320, height = 180, fps = 25, gop = 25, bitrate_kbps = 600 }
listener = "127.0.0.1:0"
tls = { cert = "cam1.pem", key = "cam1.key" }

[admin]
listen = "127.0.0.1:0"
"#;
    let serve = Serve::start(pki, &basic_config(pki, extra));
    let admin = Admin::of(&serve, pki, &pki.path().join("admin.token"));
    (serve, admin)
}

fn pem_fingerprint(path: &Path) -> String {
    let der: rustls::pki_types::CertificateDer<'_> =
        rustls::pki_types::pem::PemObject::from_pem_file(path).expect("PEM");
    rtspeek_core::cert::fingerprint_sha256(&der)
}

fn apply_body(pair: &str, cert: &Path, key: &Path) -> String {
    let read = |p: &Path| std::fs::read_to_string(p).expect("PEM file");
    json!({ "pair": pair, "cert": read(cert), "key": read(key) }).to_string()
}

fn pair<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["pairs"].as_array().and_then(|p| p.iter().find(|p| p["id"] == id)).expect("the pair")
}

#[test]
fn admin_requests_need_the_token_this_host_this_origin_and_bounded_bodies() {
    let pki = Pki::new();
    let (_serve, admin) = start(&pki);
    let a = &admin.authority;
    let token = format!("Authorization: Bearer {}\r\n", admin.token);

    let status = admin.call("GET", "/api/status", None);
    assert_eq!(status.status, 200, "{}", status.body);
    for secret in ["PRIVATE KEY", admin.token.as_str()] {
        assert!(!status.body.contains(secret), "the status shows no key and no token");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode =
            std::fs::metadata(pki.path().join("admin.token")).expect("token file").permissions().mode();
        assert_eq!(mode & 0o077, 0, "the token file is the owner's only: {mode:o}");
    }

    let refused = |answer: crate::support::admin::Answer, want: u16, what: &str| {
        assert_eq!(answer.status, want, "{what}: {}", answer.body);
    };
    refused(admin.raw("GET", "/api/status", "", None), 401, "no token");
    refused(admin.raw("GET", "/api/status", "Authorization: Bearer 00\r\n", None), 401, "wrong token");
    let in_query = format!("/api/status?token={}", admin.token);
    refused(admin.raw("GET", &in_query, "", None), 401, "a token in the URL is not a token");
    refused(
        admin.exact("GET", "/api/status", &format!("Host: evil.example:1\r\n{token}"), None),
        403,
        "Host",
    );
    refused(admin.exact("GET", "/api/status", &token, None), 403, "no Host");
    for origin in ["https://evil.example".to_owned(), format!("http://{a}"), "null".to_owned()] {
        let headers = format!("{token}Origin: {origin}\r\n");
        refused(admin.raw("GET", "/api/status", &headers, None), 403, &origin);
    }
    let own = format!("{token}Origin: https://{a}\r\n");
    refused(admin.raw("GET", "/api/status", &own, None), 200, "the page's own origin");

    // Bodies: refused from the head alone when too large, chunked, or without a length.
    let big = format!("{token}Content-Length: {}\r\n", 300 * 1024);
    refused(admin.raw("POST", "/api/apply", &big, None), 413, "oversized upload");
    let chunked = format!("{token}Transfer-Encoding: chunked\r\n");
    refused(admin.raw("POST", "/api/apply", &chunked, None), 501, "chunked");
    refused(admin.raw("POST", "/api/apply", &token, None), 411, "no length");
    refused(admin.call("POST", "/api/apply", Some("{\"pair\": 1}")), 400, "not the apply document");

    // Pair names are looked up, never joined to a path.
    let (cert, key, _) = pki.leaf("other", &["other.test"]);
    for name in ["stream/../../../tmp/rtspeek-x", "../global", "stream/", "global/..", "/etc/passwd"] {
        refused(admin.call("POST", "/api/apply", Some(&apply_body(name, &cert, &key))), 404, name);
    }
    assert!(!Path::new("/tmp/rtspeek-x").exists());
    let answer = admin.call("POST", "/api/apply", Some(&apply_body("stream/synthetic", &cert, &key)));
    assert_eq!(answer.status, 409, "a stream on the global pair: {}", answer.body);
    assert!(answer.json()["error"].as_str().is_some_and(|e| e.contains("global pair")), "{}", answer.body);

    refused(admin.call("GET", "/api/apply", None), 405, "GET apply");
    refused(admin.call("DELETE", "/api/status", None), 405, "DELETE status");
    refused(admin.call("GET", "/api/nothing", None), 404, "unknown API");
    let page = admin.raw("GET", "/", "", None);
    assert_eq!(page.status, 200, "the page needs no token");
    assert!(
        page.body.contains("<html") || page.body.contains("<!doctype") || page.body.contains("<!DOCTYPE")
    );
}

#[test]
fn admin_apply_swaps_a_stream_pair_while_a_session_keeps_playing_and_rollback_restores_it() {
    let pki = Pki::new();
    let (serve, admin) = start(&pki);
    let ca = pki.ca_path();
    let url = serve.url("rtsps", "cam1");
    let cam1 = Serve::authority(&url);
    let old = pem_fingerprint(&pki.path().join("cam1.pem"));
    assert_eq!(served_fingerprint(&cam1, "", &ca), old);

    // ffprobe plays cam1 for 8 s of pictures while the pair is replaced.
    let player = std::thread::spawn(move || count_frames(&url, 8, Duration::from_secs(40)));
    let deadline = Instant::now() + Duration::from_secs(20);
    let session = loop {
        let status = admin.call("GET", "/api/status", None).json();
        let playing =
            status["sessions"].as_array().and_then(|s| s.iter().find(|s| s["playing"] == "cam1").cloned());
        if let Some(session) = playing {
            break session;
        }
        assert!(Instant::now() < deadline, "no session playing cam1: {status}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        (session["pair"].as_str(), session["fingerprint"].as_str()),
        (Some("stream/cam1"), Some(old.as_str()))
    );

    // A certificate with another pair's key: refused with the reason, nothing changes.
    let (new_cert, new_key, _) = pki.leaf("cam1-new", &["cam1.test"]);
    let mismatched = admin.call(
        "POST",
        "/api/apply",
        Some(&apply_body("stream/cam1", &new_cert, &pki.path().join("cam1.key"))),
    );
    assert_eq!(mismatched.status, 422, "{}", mismatched.body);
    let reasons = mismatched.json()["reasons"].to_string();
    assert!(reasons.contains("cert.key_mismatch") && reasons.contains("uploaded key"), "{reasons}");
    assert_eq!(pem_fingerprint(&pki.path().join("cam1.pem")), old, "the files stay");
    assert_eq!(served_fingerprint(&cam1, "", &ca), old);

    // The new pair: served to the next connection at once.
    let applied = admin.call("POST", "/api/apply", Some(&apply_body("stream/cam1", &new_cert, &new_key)));
    assert_eq!(applied.status, 200, "{}", applied.body);
    let new = pem_fingerprint(&new_cert);
    let answer = applied.json();
    assert_eq!(answer["pair"]["fingerprint"], new.as_str());
    assert_eq!(answer["previous_fingerprint"], old.as_str());
    assert_eq!(answer["pair"]["rollback_available"], true);
    assert_eq!(served_fingerprint(&cam1, "", &ca), new);
    assert_eq!(pem_fingerprint(&pki.path().join("cam1.pem")), new, "written to the pair's own files");

    // The session that was playing keeps the certificate it was handshaken with.
    let status = admin.call("GET", "/api/status", None).json();
    let still =
        status["sessions"].as_array().and_then(|s| s.iter().find(|s| s["id"] == session["id"]).cloned());
    assert_eq!(still.map(|s| s["fingerprint"].clone()), Some(Value::from(old.as_str())), "{status}");
    assert_eq!(pair(&status, "stream/cam1")["fingerprint"], new.as_str());

    let (frames, out) = player.join().expect("the player thread").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success() && frames >= 150,
        "ffprobe read {frames} frames across the swap: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Rollback: the previous pair again, and a second rollback undoes the first.
    let back = admin.call("POST", "/api/rollback", Some(r#"{"pair": "stream/cam1"}"#));
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(served_fingerprint(&cam1, "", &ca), old);
    let again = admin.call("POST", "/api/rollback", Some(r#"{"pair": "stream/cam1"}"#));
    assert_eq!(again.json()["pair"]["fingerprint"], new.as_str());
}

#[test]
fn admin_sections_that_cannot_be_served_are_refused_by_check() {
    let pki = Pki::new();
    let run = |config: &str| {
        let path = pki.path().join("admin-check.toml");
        std::fs::write(&path, config).expect("write");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtspeek"))
            .args(["serve", "--check"])
            .arg(&path)
            .output()
            .expect("run rtspeek");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let stream = "[[listener]]\nbind = \"127.0.0.1:0\"\ntls = false\n[[stream]]\npath = \"a\"\n\
                  source = { kind = \"synthetic\", width = 64, height = 64, fps = 5, gop = 5, bitrate_kbps = 50 }\n";
    let (code, err) = run(&format!("{stream}[admin]\n"));
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("admin") && err.contains("[tls]"), "{err}");
    let global = basic_config(&pki, "");
    let (code, err) = run(&format!("{global}\n[admin]\nlisten = \"0.0.0.0:0\"\n"));
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("admin.listen") && err.contains("allow_non_loopback"), "{err}");
}

#[test]
fn serve_ctl_pins_the_configured_certificate_and_applies_like_the_page() {
    let pki = Pki::new();
    let (_serve, admin) = start(&pki);
    let config = pki.path().join("serve.toml");
    let ctl = |config: &Path, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtspeek"))
            .args(["serve", "ctl"])
            .arg(config)
            .args(["--connect", &admin.authority])
            .args(args)
            .output()
            .expect("run rtspeek");
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains(&admin.token), "the token is never printed");
        (out.status.code(), text)
    };
    let (code, text) = ctl(&config, &["status"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("pair stream/cam1") && text.contains("days left"), "{text}");

    let (new_cert, new_key, _) = pki.leaf("ctl-new", &["cam1.test"]);
    let (cert, key) = (new_cert.display().to_string(), new_key.display().to_string());
    let old_key = pki.path().join("cam1.key").display().to_string();
    let (code, text) = ctl(&config, &["apply", "--stream", "cam1", "--cert", &cert, "--key", &old_key]);
    assert_eq!(code, Some(64), "a mismatched pair is the user's error: {text}");
    assert!(text.contains("cert.key_mismatch"), "{text}");
    let (code, text) = ctl(&config, &["apply", "--stream", "cam1", "--cert", &cert, "--key", &key]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(&pem_fingerprint(&new_cert)), "{text}");
    let ca = pki.ca_path().display().to_string();
    let (code, text) = ctl(&config, &["--ca", &ca, "rollback", "--stream", "cam1"]);
    assert_eq!(code, Some(0), "{text}");

    // A configuration whose global certificate is not the one the endpoint shows: nothing is sent.
    let (other, _, _) = pki.leaf("not-the-server", &["localhost"]);
    let text = std::fs::read_to_string(&config)
        .expect("config")
        .replace("\"server.pem\"", &format!("{:?}", other.display().to_string()));
    let impostor = pki.path().join("impostor.toml");
    std::fs::write(&impostor, text).expect("write");
    let (code, text) = ctl(&impostor, &["status"]);
    assert_eq!(code, Some(74), "{text}");
    assert!(text.contains("is not the configured server") && text.contains("token was not sent"), "{text}");
}
