//! `rtspeek probe` as a user runs it: the real binary against the fault camera on loopback. The CLI contract
//! other tools rely on: exit statuses, the JSON report's keys, the layer lines, and credentials never printed.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use rtspeek_tests::fault_camera::{AuthScript, CameraConfig, FaultCamera, TlsSetup};
use rtspeek_tests::pki::{Cert, days_from_now};
use serde_json::Value;

const PASSWORD: &str = "hunter2-secret";

/// A root in `dir/root.pem` and an RTSPS camera setup with a leaf for 127.0.0.1 it issued.
fn pki(dir: &Path) -> (String, TlsSetup) {
    let root = Cert::root("cli probe root");
    let leaf =
        root.leaf().ip(["127.0.0.1"]).dns(["localhost"]).valid(days_from_now(-1), days_from_now(100)).build();
    let path = dir.join("root.pem");
    std::fs::write(&path, root.cert_pem()).expect("write root");
    (path.display().to_string(), TlsSetup::new(leaf.cert_pem(), leaf.key_pem()))
}

/// Runs `rtspeek ARGS` off the runtime's threads (the camera lives on them), bounded.
async fn rtspeek(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    let run = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_rtspeek")).args(&args).envs(env).output().expect("run rtspeek")
    });
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("rtspeek finishes").expect("join")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn all_output(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_camera_exits_0_and_the_json_report_has_the_contract_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, tls) = pki(dir.path());
    let camera = FaultCamera::start(CameraConfig::default().tls(tls)).await.expect("camera");
    let url = camera.url("/stream");
    let out = rtspeek(args(&["probe", &url, "--ca", &root, "--duration", "1", "--json"]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report only");
    assert_eq!(report["verdict"], "healthy");
    assert!(report["first_broken_layer"].is_null());
    let layers: Vec<(&str, &str)> = report["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| (l["name"].as_str().unwrap_or(""), l["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(layers.len(), 10, "{layers:?}");
    assert!(layers.iter().all(|(_, s)| *s == "pass"), "{layers:?}");
    assert!(report["findings"].is_array());
    assert!(report["facts"]["tls"]["version"].as_str().is_some_and(|v| v.starts_with("TLSv1")));
    assert_eq!(report["facts"]["rtsp"]["server"], "rtspeek-fault-camera");
    assert!(report["facts"]["rtsp"]["methods"].as_array().is_some_and(|m| !m.is_empty()));
    assert!(report["facts"]["sdp"]["media"].is_array());
    let track = &report["facts"]["tracks"][0];
    assert_eq!(track["codec"]["codec"], "h264");
    assert!(track["codec"]["sps"]["width"].as_u64().is_some_and(|w| w > 0));
    assert!(track["rtp"]["rtp_packets"].as_u64().is_some_and(|n| n > 0));
    assert!(report["trust"]["statement"].as_str().is_some_and(|s| !s.is_empty()));
    camera.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_exits_2_and_names_the_certificate_as_first_broken_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, tls) = pki(dir.path());
    let camera = FaultCamera::start(CameraConfig::default().tls(tls)).await.expect("camera");
    let out = rtspeek(args(&["probe", &camera.url("/stream"), "--color", "never"]), vec![]).await;
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("first broken link: certificate"), "{text}");
    assert!(text.contains("  certificate  FAIL"), "the layer line as it completes: {text}");
    assert!(text.contains("rtsp         not reached"), "{text}");
    assert!(!text.contains('\x1b'), "no colour with --color never");
    camera.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_from_the_url_the_flag_or_the_environment_are_never_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, tls) = pki(dir.path());
    let camera =
        FaultCamera::start(CameraConfig::default().tls(tls).auth(AuthScript::digest("admin", PASSWORD)))
            .await
            .expect("camera");
    let port = camera.addr().port();
    let with_userinfo = format!("rtsps://admin:{PASSWORD}@127.0.0.1:{port}/stream");
    let plain = camera.url("/stream");
    let runs = [
        (args(&["probe", &with_userinfo, "--ca", &root, "--duration", "0"]), vec![]),
        (args(&["probe", &with_userinfo, "--ca", &root, "--duration", "0", "--json"]), vec![]),
        (
            args(&[
                "probe",
                &plain,
                "--ca",
                &root,
                "--duration",
                "0",
                "--user",
                "admin",
                "--password",
                PASSWORD,
            ]),
            vec![],
        ),
        (
            args(&["probe", &plain, "--ca", &root, "--duration", "0", "--user", "admin", "--json"]),
            vec![("RTSPEEK_PASSWORD", PASSWORD.to_owned())],
        ),
    ];
    for (argv, env) in runs {
        let out = rtspeek(argv.clone(), env).await;
        let shown = all_output(&out);
        assert_eq!(out.status.code(), Some(0), "{argv:?}: {shown}");
        assert!(!shown.contains(PASSWORD), "{argv:?} printed the password: {shown}");
    }
    // A wrong password from the URL is refused, and still not printed.
    let wrong = format!("rtsps://admin:not-{PASSWORD}@127.0.0.1:{port}/stream");
    let out = rtspeek(args(&["probe", &wrong, "--ca", &root, "--json"]), vec![]).await;
    assert_eq!(out.status.code(), Some(2));
    let shown = all_output(&out);
    assert!(!shown.contains(PASSWORD), "{shown}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["first_broken_layer"], "auth");
    assert!(report["target"].as_str().is_some_and(|t| t.contains("admin:***@")), "{}", report["target"]);
    camera.shutdown().await;
}

/// A password typed with `/ # ? space , @` unescaped, as in `rtspeek probe 'rtsps://admin:pa/ss#w?rd ,x@1@host/x'`.
const RESERVED: &str = "pa/ss#w?rd ,x@1";
const RESERVED_PIECES: [&str; 4] = ["pa/ss", "w?rd", ",x@1", "pa%2F"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_with_reserved_characters_works_and_never_shows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, tls) = pki(dir.path());
    let camera =
        FaultCamera::start(CameraConfig::default().tls(tls).auth(AuthScript::digest("admin", RESERVED)))
            .await
            .expect("camera");
    let port = camera.addr().port();
    let file = dir.path().join("password");
    std::fs::write(&file, format!("{RESERVED}\n")).expect("password file");
    let file = file.display().to_string();
    let plain = camera.url("/stream");
    let runs = [
        // Raw in the URL, and in the host form.
        args(&[
            "probe",
            &format!("rtsps://admin:{RESERVED}@127.0.0.1:{port}/stream"),
            "--ca",
            &root,
            "--duration",
            "0",
        ]),
        args(&[
            "probe",
            &format!("rtsps://admin:{RESERVED}@127.0.0.1:{port}/stream"),
            "--ca",
            &root,
            "--duration",
            "0",
            "--json",
        ]),
        // From a file.
        args(&[
            "probe",
            &plain,
            "--ca",
            &root,
            "--duration",
            "0",
            "--user",
            "admin",
            "--password-file",
            &file,
        ]),
    ];
    for argv in runs {
        let out = rtspeek(argv.clone(), vec![]).await;
        let shown = all_output(&out);
        assert_eq!(out.status.code(), Some(0), "{argv:?}: {shown}");
        for piece in RESERVED_PIECES {
            assert!(!shown.contains(piece), "{argv:?} printed {piece}: {shown}");
        }
    }
    // Unusable URLs with such a password: the error names the problem, not the password.
    for bad in [
        format!("rtsps://admin:{RESERVED}@ca^m:{port}/stream"),
        format!("rtsps://admin:{RESERVED}@127.0.0.1:99999/stream"),
        format!("admin:{RESERVED}@127.0.0.1:notaport/stream"),
    ] {
        let out = rtspeek(args(&["probe", &bad]), vec![]).await;
        let shown = all_output(&out);
        assert_eq!(out.status.code(), Some(64), "{bad}: {shown}");
        for piece in RESERVED_PIECES {
            assert!(!shown.contains(piece), "{bad} printed {piece}: {shown}");
        }
    }
    camera.shutdown().await;
}

/// `--user` without a password on a terminal asks for it without echo, like ssh and psql: run under
/// `script` (util-linux), which gives the probe a pseudo-terminal and types what the test writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_without_password_on_a_terminal_is_prompted() {
    let script = rtspeek_tests::peers::require("script").expect("script (bsdutils) is installed");
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, tls) = pki(dir.path());
    let camera =
        FaultCamera::start(CameraConfig::default().tls(tls).auth(AuthScript::digest("admin", RESERVED)))
            .await
            .expect("camera");
    let command = format!(
        "'{}' probe '{}' --ca '{root}' --duration 0 --user admin --color never",
        env!("CARGO_BIN_EXE_rtspeek"),
        camera.url("/stream")
    );
    let mut child = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .env_remove("RTSPEEK_PASSWORD")
        .spawn()
        .expect("script runs");
    let (mut stdin, mut stdout) = (child.stdin.take().expect("stdin"), child.stdout.take().expect("stdout"));
    let pid = child.id();
    // Type the password once the prompt is there (typed ahead, the terminal would echo it before rtspeek
    // turns echo off), then read to the end.
    let reader = tokio::task::spawn_blocking(move || {
        let (mut seen, mut buf) = (Vec::new(), [0u8; 256]);
        let mut typed = false;
        loop {
            match std::io::Read::read(&mut stdout, &mut buf) {
                Ok(0) | Err(_) => return (seen, typed),
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
            if !typed && String::from_utf8_lossy(&seen).contains("password for admin:") {
                std::io::Write::write_all(&mut stdin, format!("{RESERVED}\n").as_bytes()).expect("type");
                typed = true;
            }
        }
    });
    let (seen, typed) = match tokio::time::timeout(Duration::from_secs(30), reader).await {
        Ok(joined) => joined.expect("join"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            panic!("the prompted probe did not finish within 30 s");
        }
    };
    let _ = child.wait();
    assert!(typed, "no prompt: {}", String::from_utf8_lossy(&seen));
    let out = Output { status: std::process::ExitStatus::default(), stdout: seen, stderr: Vec::new() };
    let shown = all_output(&out);
    assert!(shown.contains("credentials accepted"), "{shown}");
    for piece in RESERVED_PIECES {
        assert!(!shown.contains(piece), "the typed password was echoed: {shown}");
    }
    camera.shutdown().await;
}

#[tokio::test]
async fn usage_errors_exit_64_with_one_clear_line() {
    for argv in [
        vec!["probe", "ftp://cam/stream"],
        vec!["probe", "rtsps://cam/stream", "--duration", "-1"],
        vec!["probe", "rtsps://cam/stream", "--ca", "/nonexistent/ca.pem"],
        vec!["probe", "rtsps://cam/stream", "--client-cert", "/nonexistent/c.pem"],
    ] {
        let out = rtspeek(args(&argv), vec![]).await;
        assert_eq!(out.status.code(), Some(64), "{argv:?}: {}", all_output(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.trim().is_empty(), "{argv:?} says what is wrong");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// `--pin`: a self-signed camera is trusted by its fingerprint alone (store `pinned`, the self-signature only
/// informs); another fingerprint is `cert.pin_mismatch`, and the handshake stops there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_trusts_exactly_one_certificate() {
    let leaf =
        Cert::self_signed_leaf().ip(["127.0.0.1"]).valid(days_from_now(-1), days_from_now(100)).build();
    let tls = TlsSetup::new(leaf.cert_pem(), leaf.key_pem());
    let camera = FaultCamera::start(CameraConfig::default().tls(tls)).await.expect("camera");
    let url = camera.url("/stream");
    let pin = rtspeek_core::cert::fingerprint_sha256(leaf.cert_der());

    let out = rtspeek(args(&["probe", &url, "--pin", &pin, "-d", "0", "--no-tls-scan", "-j"]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["trust"]["store"]["kind"], "pinned");
    assert_eq!(report["trust"]["store"]["sha256_fingerprint"], pin.as_str());
    assert_eq!(report["trust"]["outcome"], "trusted");
    let self_signed =
        report["findings"].as_array().expect("findings").iter().find(|f| f["code"] == "cert.self_signed");
    assert_eq!(self_signed.map(|f| f["severity"].clone()), Some(Value::from("info")), "{report}");

    let other = rtspeek_core::cert::fingerprint_sha256(b"another certificate");
    let out =
        rtspeek(args(&["probe", &url, "--pin", &other, "-d", "0", "--no-tls-scan", "-j"]), vec![]).await;
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["first_broken_layer"], "certificate", "{report}");
    assert!(
        report["findings"].as_array().expect("findings").iter().any(|f| f["code"] == "cert.pin_mismatch")
    );

    let out = rtspeek(args(&["probe", &url, "--pin", "12:34"]), vec![]).await;
    assert_eq!(out.status.code(), Some(64), "a malformed pin is a usage error");
    assert!(all_output(&out).contains("not a SHA-256 fingerprint"), "{}", all_output(&out));
}
