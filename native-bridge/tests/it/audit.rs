//! `rtspeek audit` (the real binary) over an inventory of 50 loopback endpoints: `rtspeek serve` streams with
//! good, soon-expiring, self-signed and wrongly named certificates, Digest auth with right and wrong
//! passwords, gst-rtsp-server with an expired certificate, closed ports, an unset password variable and bad
//! rows. Every camera gets its own expected verdict and first broken layer, read back from the CSV and JSON;
//! the pin store records, flags a changed certificate and accepts it. No password reaches any output.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::support::serve::{Pki, Serve, basic_config};
use rtspeek_core::Report;
use rtspeek_tests::peers::gst::{GstOptions, GstRtspServer};
use rtspeek_tests::peers::live555::make_clip;
use rtspeek_tests::peers::{require, run_bounded};
use rtspeek_tests::pki::{Cert, days_from_now};

/// The Digest password of the `locked` stream: it must appear in no output.
const PASSWORD: &str = "Pa55-wörd;\"x";
/// Bound on one audit run (50 cameras, 16 at once, 20 s deadline each): a hang guard, not a speed target.
const RUN_BOUND: Duration = Duration::from_secs(240);

/// The server's streams: 30 file streams, a Digest-locked one, and three on their own listeners with their own
/// certificates.
fn fleet_config(pki: &Pki, clip: &Path) -> String {
    let mut extra = String::new();
    for i in 1..=30 {
        extra.push_str(&format!(
            "[[stream]]\npath = \"cam{i:02}\"\nsource = {{ kind = \"file\", path = \"{}\" }}\n\n",
            clip.display()
        ));
    }
    extra.push_str(&format!(
        r#"[[stream]]
path = "locked"
source = {{ kind = "file", path = "{clip}" }}
[stream.auth]
schemes = ["digest-sha256", "digest-md5"]
[[stream.auth.user]]
name = "viewer"
password = "{password}"

[[stream]]
path = "soon"
source = {{ kind = "file", path = "{clip}" }}
tls = {{ cert = "soon.pem", key = "soon.key" }}
listener = "127.0.0.1:0"

[[stream]]
path = "selfie"
source = {{ kind = "file", path = "{clip}" }}
tls = {{ cert = "selfie.pem", key = "selfie.key" }}
listener = "127.0.0.1:0"

[[stream]]
path = "wronghost"
source = {{ kind = "file", path = "{clip}" }}
tls = {{ cert = "wronghost.pem", key = "wronghost.key", names = ["other.example"] }}
listener = "127.0.0.1:0"
"#,
        clip = clip.display(),
        password = PASSWORD.replace('\\', "\\\\").replace('"', "\\\""),
    ));
    basic_config(pki, &extra).replace("idle_timeout_secs = 10", "idle_timeout_secs = 30")
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn audit(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
    cmd.arg("audit")
        .args(args)
        .current_dir(dir)
        .env("FLEET_PASSWORD", PASSWORD)
        .env_remove("RTSPEEK_PASSWORD");
    run_bounded(cmd, RUN_BOUND).expect("rtspeek audit runs")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Expected (verdict, first broken layer) per camera name.
type Expected = BTreeMap<String, (String, String)>;

#[test]
fn an_inventory_of_fifty_endpoints_gets_the_right_verdict_for_each() {
    let pki = Pki::new();
    let clip = pki.path().join("clip.264");
    make_clip(&clip, 4).expect("a clip");
    pki.write(
        "soon",
        &pki.root
            .leaf()
            .cn("soon")
            .dns(["localhost"])
            .ip(["127.0.0.1"])
            .valid(days_from_now(-10), days_from_now(20))
            .build(),
    );
    let selfie =
        Cert::self_signed_leaf().cn("selfie").dns(["localhost"]).ip(["127.0.0.1"]).valid_now().build();
    pki.write("selfie", &selfie);
    pki.write("wronghost", &pki.root.leaf().cn("other.example").dns(["other.example"]).valid_now().build());
    let serve = Serve::start(&pki, &fleet_config(&pki, &clip));
    let expired = pki
        .root
        .leaf()
        .cn("expired")
        .dns(["localhost"])
        .ip(["127.0.0.1"])
        .valid(days_from_now(-60), days_from_now(-2))
        .build();
    let gst = GstRtspServer::start(GstOptions {
        cert_pem: Some(expired.cert_pem()),
        key_pem: Some(expired.key_pem()),
        timeout_s: 240,
        ..GstOptions::default()
    })
    .expect("gst-rtsp-server starts");

    let mut rows = String::from("[defaults]\nca = [\"ca.pem\"]\nduration = 0\ntimeout = 4\n\n");
    let mut expected = Expected::new();
    let mut camera = |rows: &mut String, name: &str, url: &str, extra: &str, verdict: &str, broken: &str| {
        rows.push_str(&format!(
            "[[camera]]\nname = \"{name}\"\nurl = \"{url}\"\ntags = {{ site = \"lab\" }}\n{extra}\n"
        ));
        expected.insert(name.to_owned(), (verdict.to_owned(), broken.to_owned()));
    };
    pki.ca_path();
    for i in 1..=30 {
        let url = serve.url("rtsps", &format!("cam{i:02}"));
        camera(&mut rows, &format!("good-{i:02}"), &url, "", "healthy", "");
    }
    for i in 1..=5 {
        let url = serve.url("rtsp", &format!("cam{i:02}"));
        // Plain RTSP without credentials: healthy (the report's media_security says cleartext).
        camera(&mut rows, &format!("plain-{i:02}"), &url, "transport = \"udp\"\n", "healthy", "");
    }
    let locked = serve.url("rtsps", "locked");
    camera(
        &mut rows,
        "locked-right",
        &locked,
        "user = \"viewer\"\npassword_env = \"FLEET_PASSWORD\"\n",
        "healthy",
        "",
    );
    std::fs::write(pki.path().join("wrong-password"), "not-it\n").expect("write");
    let locked_localhost = locked.replace("127.0.0.1", "localhost");
    camera(
        &mut rows,
        "locked-wrong",
        &locked_localhost,
        "user = \"viewer\"\npassword_file = \"wrong-password\"\n",
        "broken",
        "auth",
    );
    camera(
        &mut rows,
        "locked-unset",
        &format!("{locked}?unset"),
        "user = \"viewer\"\npassword_env = \"FLEET_UNSET_VARIABLE\"\n",
        "not configured",
        "",
    );
    camera(&mut rows, "soon", &serve.url("rtsps", "soon"), "", "degraded", "");
    let selfie_url = serve.url("rtsps", "selfie");
    camera(&mut rows, "selfie-ca", &selfie_url, "", "broken", "certificate");
    let pin = rtspeek_core::cert::fingerprint_sha256(selfie.cert_der());
    let selfie_localhost = selfie_url.replace("127.0.0.1", "localhost");
    camera(
        &mut rows,
        "selfie-pinned",
        &selfie_localhost,
        &format!("fingerprint = \"{pin}\"\nca = []\n"),
        "healthy",
        "",
    );
    let good_pinned_wrong = serve.url("rtsps", "cam01").replace("127.0.0.1", "localhost");
    camera(
        &mut rows,
        "pin-mismatch",
        &good_pinned_wrong,
        &format!("fingerprint = \"{pin}\"\nca = []\n"),
        "broken",
        "certificate",
    );
    camera(&mut rows, "wronghost", &serve.url("rtsps", "wronghost"), "", "broken", "certificate");
    camera(
        &mut rows,
        "gst-expired",
        &gst.url("test").replace("rtsp://", "rtsps://"),
        "",
        "broken",
        "certificate",
    );
    for i in 1..=3 {
        camera(
            &mut rows,
            &format!("closed-{i}"),
            &format!("rtsps://127.0.0.1:{}/live", closed_port()),
            "",
            "broken",
            "tcp",
        );
    }
    rows.push_str("[[camera]]\nurl = \"rtsps://viewer:hunter2@127.0.0.1:1/x\"\n\n[[camera]]\nurl = \"rtsps://127.0.0.1:2/x\"\ncolour = \"red\"\n\n[[camera]]\nurl = \"rtsps://127.0.0.1:3/x\"\nfingerprint = \"12:34\"\nca = []\n");
    assert_eq!(expected.len() + 3, 50, "the inventory has 50 rows");
    let dir = pki.path();
    std::fs::write(dir.join("fleet.toml"), &rows).expect("write the inventory");

    let out = audit(
        dir,
        &[
            "fleet.toml",
            "-c",
            "16",
            "--deadline",
            "20",
            "--pin-store",
            "pins.json",
            "--json",
            "audit.json",
            "--csv",
            "audit.csv",
            "--junit",
            "audit.xml",
            "--html",
            "audit.html",
        ],
    );
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "broken cameras and bad rows exit 2: {shown}");

    // Verdicts and first broken layers, from the CSV.
    let mut reader = csv::Reader::from_path(dir.join("audit.csv")).expect("the CSV");
    let mut seen = Expected::new();
    let mut bad_rows = Vec::new();
    for record in reader.records() {
        let record = record.expect("a CSV record");
        let (name, verdict, broken, note) = (&record[0], &record[3], &record[4], &record[12]);
        if verdict == "bad row" {
            bad_rows.push(note.to_owned());
            continue;
        }
        seen.insert(name.to_owned(), (verdict.to_owned(), broken.to_owned()));
    }
    assert_eq!(seen, expected, "{shown}");
    assert_eq!(bad_rows.len(), 3, "{bad_rows:?}");
    for (row, needle) in bad_rows.iter().zip(["credentials in the URL", "colour", "fingerprint: "]) {
        assert!(row.starts_with("fleet.toml:") && row.contains(needle), "{row}");
    }

    // The JSON is an array of the shared Report, one per probed camera, with the findings behind each verdict.
    let reports: Vec<Report> =
        serde_json::from_slice(&std::fs::read(dir.join("audit.json")).expect("JSON")).expect("Reports");
    assert_eq!(reports.len(), 46, "every camera but the unconfigured one and the bad rows");
    let report =
        |url: &str| reports.iter().find(|r| r.target == url).unwrap_or_else(|| panic!("no report for {url}"));
    let has = |url: &str, code: &str| {
        let report = report(url);
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
        assert!(report.has(code), "{url}: {code} expected among {codes:?}");
    };
    has(&serve.url("rtsps", "soon"), "cert.expiring_soon");
    has(&selfie_url, "cert.self_signed");
    has(&good_pinned_wrong, "cert.pin_mismatch");
    has(&serve.url("rtsps", "wronghost"), "cert.ip_not_in_san");
    has(&gst.url("test").replace("rtsp://", "rtsps://"), "cert.expired");
    let pinned = report(&selfie_localhost).trust.clone().expect("trust");
    assert_eq!(pinned.outcome, rtspeek_core::TrustOutcome::Trusted, "{}", pinned.statement);

    // The summary counts the fleet; JUnit parses as XML; the HTML is self-contained.
    assert!(shown.contains("1 within 30 d"), "the soon-expiring certificate is counted: {shown}");
    assert!(shown.contains("1 expired"), "{shown}");
    let junit = std::fs::read_to_string(dir.join("audit.xml")).expect("JUnit");
    assert!(
        junit.contains("tests=\"50\"") && junit.contains("failures=\"8\"") && junit.contains("errors=\"4\""),
        "{junit}"
    );
    let python = require("/usr/bin/python3").expect("python3");
    let parsed = Command::new(python)
        .args(["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])"])
        .arg(dir.join("audit.xml"))
        .status()
        .expect("python3 runs");
    assert!(parsed.success(), "the JUnit file is well-formed XML");
    let html = std::fs::read_to_string(dir.join("audit.html")).expect("HTML");
    assert!(
        html.contains("customElements.define(\"rtspeek-report\"") && html.contains("selfie-pinned"),
        "the element is inlined"
    );
    assert!(!html.contains("src=\"http") && !html.contains("<script src"), "nothing is fetched");

    // No password anywhere.
    for file in ["audit.json", "audit.csv", "audit.xml", "audit.html", "pins.json"] {
        let content = std::fs::read_to_string(dir.join(file)).expect("output");
        assert!(!content.contains(PASSWORD) && !content.contains("hunter2"), "a password in {file}");
    }
    assert!(!shown.contains(PASSWORD) && !shown.contains("hunter2"), "a password on the terminal");

    // Trust on first use: the self-signed camera gets a new certificate; the next audit flags it, once
    // accepted it is quiet again.
    let renewed = Cert::self_signed_leaf()
        .cn("selfie renewed")
        .dns(["localhost"])
        .ip(["127.0.0.1"])
        .valid_now()
        .build();
    pki.write("selfie", &renewed);
    std::thread::sleep(Duration::from_secs(4)); // the watcher swaps a pair after two stable checks, 1 s apart
    let small = format!(
        "[defaults]\nca = [\"ca.pem\"]\nduration = 0\n\n[[camera]]\nname = \"selfie-ca\"\nurl = \"{selfie_url}\"\n\n[[camera]]\nname = \"good-01\"\nurl = \"{}\"\n",
        serve.url("rtsps", "cam01")
    );
    std::fs::write(dir.join("small.toml"), small).expect("write");
    let out = audit(dir, &["small.toml", "--pin-store", "pins.json", "--json", "-"]);
    let reports: Vec<Report> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    let changed = reports.iter().find(|r| r.target == selfie_url).expect("selfie");
    let finding = changed
        .findings
        .iter()
        .find(|f| f.code == "cert.fingerprint_changed")
        .unwrap_or_else(|| panic!("{changed:#?}"));
    let evidence = |label: &str| finding.evidence.iter().find(|e| e.label == label).map(|e| e.value.clone());
    assert_eq!(evidence("old_sha256_fingerprint"), Some(pin.clone()));
    assert_eq!(
        evidence("new_sha256_fingerprint"),
        Some(rtspeek_core::cert::fingerprint_sha256(renewed.cert_der()))
    );
    let unchanged = reports.iter().find(|r| r.target == serve.url("rtsps", "cam01")).expect("cam01");
    assert!(!unchanged.has("cert.fingerprint_changed"), "{unchanged:#?}");

    let mut accept = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
    accept.args(["audit", "accept", "--pin-store", "pins.json", &selfie_url]).current_dir(dir);
    let accepted = run_bounded(accept, Duration::from_secs(30)).expect("accept runs");
    assert!(accepted.status.success(), "{}", text(&accepted));
    let store: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("pins.json")).expect("store")).expect("JSON");
    let entry = &store["cameras"][&selfie_url];
    assert_eq!(
        entry["accepted"]["sha256_fingerprint"],
        rtspeek_core::cert::fingerprint_sha256(renewed.cert_der())
    );
    assert!(entry.get("changed_to").is_none(), "{entry}");
    drop(gst);
}

/// Ctrl-C: the running probe stops and reports what it saw, the cameras not yet started are "not run", and
/// every output is still written.
#[test]
fn an_interrupted_audit_keeps_what_was_done() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A camera that accepts and never answers: the TLS handshake waits for its step timeout (30 s).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let inventory = format!(
        "[defaults]\ntimeout = 30\n\n[[camera]]\nname = \"silent\"\nurl = \"rtsps://127.0.0.1:{port}/live\"\n\n\
         [[camera]]\nname = \"later-1\"\nurl = \"rtsps://127.0.0.1:{port}/b\"\n\n\
         [[camera]]\nname = \"later-2\"\nurl = \"rtsps://127.0.0.1:{port}/c\"\n"
    );
    std::fs::write(dir.path().join("fleet.toml"), inventory).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rtspeek"))
        .args(["audit", "fleet.toml", "-c", "1", "--csv", "audit.csv", "--json", "audit.json"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("rtspeek audit starts");
    std::thread::sleep(Duration::from_secs(2));
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(sent.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the audit did not stop after Ctrl-C");
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().expect("output");
    let shown = text(&out);
    // Cut short, the camera cannot vouch for the layers it did not reach: degraded, not broken.
    assert_eq!(status.code(), Some(1), "{shown}");
    assert!(shown.contains("(cut)"), "the interrupted camera is marked: {shown}");
    let csv = std::fs::read_to_string(dir.path().join("audit.csv")).expect("the CSV is written");
    let verdicts: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap_or("")).collect();
    assert_eq!(verdicts, ["degraded", "not run", "not run"], "{csv}");
    let reports: Vec<Report> =
        serde_json::from_slice(&std::fs::read(dir.path().join("audit.json")).expect("JSON"))
            .expect("Reports");
    assert!(reports.len() == 1 && reports[0].facts.interrupted, "{reports:?}");
    drop(silent);
}
