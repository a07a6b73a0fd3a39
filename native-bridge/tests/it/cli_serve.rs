//! The `rtspeek serve` command line: `--check` accepts a good configuration and names what is wrong in a bad
//! one (a certificate that would not work, a key that does not match, a bad path, a bad source); the server
//! refuses to start on a bad pair; `rtspeek demo` keeps serving after its report.

use std::process::{Command, Output};
use std::time::Duration;

use crate::support::serve::{Pki, basic_config};
use rtspeek_tests::peers::PeerProcess;
use rtspeek_tests::peers::ffmpeg::count_frames;
use rtspeek_tests::pki::days_from_now;

fn rtspeek(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rtspeek")).args(args).output().expect("run rtspeek")
}

fn check(pki: &Pki, config: &str) -> (Option<i32>, String, String) {
    let path = pki.path().join("check.toml");
    std::fs::write(&path, config).unwrap();
    let out = rtspeek(&["serve", "--check", &path.display().to_string()]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_accepts_a_good_configuration_and_names_every_problem() {
    let pki = Pki::new();
    let good = basic_config(&pki, "");
    let (code, stdout, stderr) = check(&pki, &good);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("ok   global certificate") && stdout.contains("configuration ready to serve"),
        "{stdout}"
    );

    // The example shipped in the repository parses (its certificate files are the user's to make).
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/serve.example.toml")).unwrap();
    let example = example.replace("certs/server.pem", "server.pem").replace("certs/server.key", "server.key");
    let (code, stdout, stderr) = check(&pki, &example);
    assert_eq!(code, Some(0), "the example configuration: {stdout}{stderr}");

    let expired = pki
        .root
        .leaf()
        .cn("localhost")
        .dns(["localhost"])
        .ip(["127.0.0.1"])
        .valid(days_from_now(-30), days_from_now(-1))
        .build();
    pki.write("expired", &expired);
    let other = pki.root.leaf().cn("other").dns(["other.test"]).valid_now().build();
    pki.write("other", &other);
    std::fs::write(
        pki.path().join("mismatch.pem"),
        pki.root.leaf().dns(["localhost"]).ip(["127.0.0.1"]).valid_now().build().cert_pem(),
    )
    .unwrap();
    std::fs::write(pki.path().join("mismatch.key"), other.key_pem()).unwrap();
    let cases: &[(&str, String, &str)] = &[
        (
            "expired pair",
            good.replace("server.pem", "expired.pem").replace("server.key", "expired.key"),
            "cert.expired",
        ),
        (
            "wrong names",
            good.replace("server.pem", "other.pem").replace("server.key", "other.key"),
            "cert.name_mismatch",
        ),
        (
            "key of another certificate",
            good.replace("server.pem", "mismatch.pem").replace("server.key", "mismatch.key"),
            "cert.key_mismatch",
        ),
        ("missing file", good.replace("server.pem", "nope.pem"), "nope.pem"),
        ("bad path", good.replace("path = \"synthetic\"", "path = \"/synthetic\""), "stream \"/synthetic\""),
        ("odd size", good.replace("width = 320", "width = 321"), "stream \"synthetic\".source"),
        (
            "udp on tls",
            good.replace(
                "bind = \"127.0.0.1:0\"\n\n[[listener]]",
                "bind = \"127.0.0.1:0\"\nudp_port = 7000\n\n[[listener]]",
            ),
            "in clear",
        ),
        ("require_tls", good.replace("[server]\n", "[server]\nrequire_tls = true\n"), "require_tls"),
        ("unknown key", good.replace("[server]\n", "[server]\nmax_conections = 5\n"), "max_conections"),
        ("auth without users", format!("{good}[stream.auth]\nuser = []\n"), "no users"),
        (
            "unknown scheme",
            format!(
                "{good}[stream.auth]\nschemes = [\"ntlm\"]\n[[stream.auth.user]]\nname = \"a\"\npassword = \"b\"\n"
            ),
            "ntlm",
        ),
        (
            "bad ha1",
            format!("{good}[stream.auth]\n[[stream.auth.user]]\nname = \"a\"\nha1_md5 = \"xyz\"\n"),
            "32 hex digits",
        ),
        ("syntax", format!("{good}[[stream]\n"), "line"),
    ];
    for (what, config, expected) in cases {
        let (code, stdout, stderr) = check(&pki, config);
        assert_eq!(code, Some(64), "{what}: {stdout}{stderr}");
        assert!(stderr.contains(expected), "{what}: expected {expected:?} in {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    }

    // Without --check, a bad pair stops the server before it listens.
    let path = pki.path().join("bad.toml");
    std::fs::write(&path, &cases[2].1).unwrap();
    let out = rtspeek(&["serve", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cert.key_mismatch"));
    assert!(out.stdout.is_empty(), "no URL is printed by a server that did not start");
}

/// `config` with `key = value` in `[server]` (replacing the key's line if there is one).
fn with_server(config: &str, key: &str, value: &str) -> String {
    let kept: String =
        config.lines().filter(|l| !l.starts_with(&format!("{key} ="))).map(|l| format!("{l}\n")).collect();
    kept.replacen("[server]\n", &format!("[server]\n{key} = {value}\n"), 1)
}

#[test]
fn check_refuses_zero_and_absurd_limits_with_the_place_and_the_reason() {
    let pki = Pki::new();
    let good = basic_config(&pki, "");
    let absurd = "1000000000000";
    let cases = [
        ("max_connections", "0"),
        ("max_connections", absurd),
        ("session_timeout_secs", "0"),
        ("session_timeout_secs", absurd),
        ("request_timeout_secs", "0"),
        ("request_timeout_secs", absurd),
        ("idle_timeout_secs", "0"),
        ("idle_timeout_secs", absurd),
        ("slow_client_secs", "0"),
        ("slow_client_secs", absurd),
        ("watch_interval_secs", absurd),
    ];
    for (key, value) in cases {
        let (code, stdout, stderr) = check(&pki, &with_server(&good, key, value));
        assert_eq!(code, Some(64), "{key} = {value}: {stdout}{stderr}");
        let place = format!("check.toml: server.{key}: {value} is outside ");
        assert!(stderr.contains(&place), "{key} = {value}: expected {place:?} in {stderr}");
        assert!(!stderr.contains("panicked"), "{key} = {value}: {stderr}");
    }
    // Beyond what TOML integers hold, or negative: refused with the line, never a panic.
    for value in ["100000000000000000000", "-1"] {
        let (code, stdout, stderr) = check(&pki, &with_server(&good, "idle_timeout_secs", value));
        assert_eq!(code, Some(64), "{value}: {stdout}{stderr}");
        assert!(stderr.contains("check.toml: line ") && !stderr.contains("panicked"), "{value}: {stderr}");
    }
    // The ends of every range are accepted.
    let mut edges = good.clone();
    for (key, value) in [
        ("max_connections", "1"),
        ("session_timeout_secs", "3600"),
        ("request_timeout_secs", "300"),
        ("idle_timeout_secs", "1"),
        ("slow_client_secs", "60"),
        ("watch_interval_secs", "0"),
    ] {
        edges = with_server(&edges, key, value);
    }
    let (code, stdout, stderr) = check(&pki, &edges);
    assert_eq!(code, Some(0), "{edges}\n{stdout}{stderr}");
}

#[test]
fn basic_on_a_plain_listener_needs_an_explicit_switch() {
    let pki = Pki::new();
    let good = basic_config(&pki, "");
    let auth = "[stream.auth]\nschemes = [\"digest-sha256\", \"basic\"]\n\
                [[stream.auth.user]]\nname = \"a\"\npassword = \"b\"\n";
    let refused = format!("{good}{auth}");
    let (code, stdout, stderr) = check(&pki, &refused);
    assert_eq!(code, Some(64), "{stdout}{stderr}");
    for expected in
        ["check.toml", "stream \"synthetic\".auth.schemes[1]", "in clear", "allow_basic_cleartext"]
    {
        assert!(stderr.contains(expected), "expected {expected:?} in {stderr}");
    }
    // Refused at start too: nothing listens.
    let path = pki.path().join("basic.toml");
    std::fs::write(&path, &refused).unwrap();
    let out = rtspeek(&["serve", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("allow_basic_cleartext"));
    assert!(out.stdout.is_empty(), "no URL is printed by a server that did not start");

    // Allowed when asked for, and fine without a plain listener.
    let allowed =
        format!("{good}{}", auth.replace("[stream.auth]\n", "[stream.auth]\nallow_basic_cleartext = true\n"));
    let (code, stdout, stderr) = check(&pki, &allowed);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // The plain listener made TLS: the stream is then served inside TLS only.
    let tls_only: String = refused
        .replace("tls = false\n", "")
        .lines()
        .filter(|l| !l.starts_with("udp_port"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!tls_only.contains("tls = false"));
    let (code, stdout, stderr) = check(&pki, &tls_only);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
}

#[test]
fn demo_keeps_serving_after_its_report_with_the_web_page_bridge() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
    command
        .args([
            "demo",
            "--color",
            "never",
            "--rtsps-port",
            "0",
            "--rtsp-port",
            "0",
            "--bridge-port",
            "0",
            "--admin-port",
            "0",
            "--onvif-port",
            "0",
            "--data-dir",
        ])
        .arg(dir.path());
    let ready = Box::new(|line: &str| line.starts_with("Web page").then_some(0));
    let demo = PeerProcess::spawn(command, ready, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
    let lines = demo.stdout_lines();
    let url = lines
        .iter()
        .map(|l| l.trim())
        .find(|l| l.starts_with("rtsps://"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no rtsps URL in {lines:?}"))
        .to_owned();
    let (frames, out) = count_frames(&url, 1, Duration::from_secs(20)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        frames >= 10,
        "ffprobe read {frames} frames from the demo's {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The bridge serves the page to a loopback Host.
    let page = demo
        .wait_for_line(|l| l.trim_start().starts_with("http://127.0.0.1:"), Duration::from_secs(5))
        .unwrap_or_else(|| panic!("no page URL in {:?}", demo.stdout_lines()));
    let page = page.trim();
    assert!(page.contains("/#token="), "{page}");
    let authority = page.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let mut tcp = std::net::TcpStream::connect(&authority).unwrap();
    use std::io::{Read as _, Write as _};
    write!(tcp, "GET / HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = tcp.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // The server's own page: HTTPS with the demo's pair, its token in the data directory (never printed).
    let admin_url = demo
        .wait_for_line(|l| l.trim_start().starts_with("https://127.0.0.1:"), Duration::from_secs(5))
        .unwrap_or_else(|| panic!("no admin URL in {:?}", demo.stdout_lines()));
    let authority = admin_url.trim().trim_start_matches("https://").split('/').next().unwrap().to_owned();
    let ca_line = lines.iter().find_map(|l| l.split("CA: ").nth(1)).expect("the CA path");
    let ca_pem = std::fs::read(ca_line.trim_end_matches(')')).expect("the demo CA");
    let ca = rustls::pki_types::pem::PemObject::from_pem_slice(&ca_pem).expect("PEM");
    let admin = crate::support::admin::Admin::new(authority, &dir.path().join("admin.token"), ca);
    assert!(!demo.stdout_lines().iter().any(|l| l.contains(&admin.token)), "the token is never printed");
    let status = admin.call("GET", "/api/status", None);
    assert_eq!(status.status, 200, "{}", status.body);
    assert_eq!(status.json()["streams"][0]["path"], "synthetic");
    assert_eq!(admin.raw("GET", "/api/status", "", None).status, 401);

    // ONVIF on loopback with the demo's user, whose password stays in the data directory (never printed).
    let onvif = demo
        .wait_for_line(|l| l.trim_start().starts_with("onvif user: demo"), Duration::from_secs(5))
        .unwrap_or_else(|| panic!("no ONVIF user line in {:?}", demo.stdout_lines()));
    let password_file = dir.path().join("onvif-password");
    let password = std::fs::read_to_string(&password_file).expect("the demo ONVIF password");
    assert!(onvif.contains(&password_file.display().to_string()), "{onvif}");
    assert!(
        !demo.stdout_lines().iter().any(|l| l.contains(password.trim())),
        "the password is never printed"
    );
    let device = demo
        .stdout_lines()
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("http://")
                .filter(|r| r.ends_with("/onvif/device_service"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no device service URL in {:?}", demo.stdout_lines()));
    let port: u16 = device
        .split('/')
        .next()
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .expect("port");
    let zeep = rtspeek_tests::peers::onvif::zeep("127.0.0.1", port, "demo", password.trim())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(zeep.code, Some(0), "{}\n{}", zeep.json, zeep.stderr);
    assert!(
        zeep.json["profiles"][0]["uri"].as_str().is_some_and(|u| u.starts_with("rtsps://")),
        "{}",
        zeep.json
    );
}

#[test]
fn a_port_in_use_is_a_runtime_failure_not_a_usage_error() {
    let pki = Pki::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr");
    let config = basic_config(&pki, "").replacen("bind = \"127.0.0.1:0\"", &format!("bind = \"{addr}\""), 1);
    let path = pki.path().join("taken.toml");
    std::fs::write(&path, &config).unwrap();
    // The file is valid: `--check` does not bind.
    let (code, stdout, stderr) = check(&pki, &config);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let out = rtspeek(&["serve", &path.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(74), "{stderr}");
    assert!(stderr.contains(&format!("listener {addr}")), "{stderr}");
    assert!(out.stdout.is_empty(), "no URL is printed by a server that did not start");
}
