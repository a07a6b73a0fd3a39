//! End to end across two network namespaces (support::netns): `rtspeek serve` with `[onvif] discovery` in side A
//! is found by `rtspeek discover` in side B, which then reads its ONVIF services, gets the rtsps:// URI first and
//! probes that stream healthy with the test CA — what an installer's laptop does on a camera VLAN.

use std::time::Duration;

use rtspeek_tests::peers::{PeerProcess, run_bounded};
use serde_json::Value;

use crate::support::netns::{Net, Side};
use crate::support::serve::Pki;

const PASSWORD: &str = "discover-me";

#[test]
fn rtspeek_discover_finds_rtspeek_serve_and_probes_its_rtsps_stream() {
    let net = Net::new("rtspeek_discover_finds_rtspeek_serve");
    let a = net.addr(Side::A);
    let pki = Pki::new();
    let leaf = pki.root.leaf().cn("camera").ip([a, "127.0.0.1"]).valid_now().build();
    pki.write("server", &leaf);
    let config = format!(
        r#"[tls]
cert = "server.pem"
key = "server.key"

[[listener]]
bind = "{a}:0"

[[listener]]
bind = "{a}:0"
tls = false

[[stream]]
path = "cam"
source = {{ kind = "synthetic", width = 320, height = 180, fps = 25, gop = 25, bitrate_kbps = 400 }}

[onvif]
listen = "{a}:0"
discovery = true
[[onvif.user]]
name = "installer"
password = "{PASSWORD}"
"#
    );
    let path = pki.path().join("serve.toml");
    std::fs::write(&path, config).expect("write serve.toml");
    let mut serve = net.command(Side::A, env!("CARGO_BIN_EXE_rtspeek"));
    serve.arg("serve").arg(&path);
    let ready = Box::new(|line: &str| line.starts_with("rtspeek serve: ready").then_some(0));
    let serve = PeerProcess::spawn(serve, ready, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
    let lines = serve.stdout_lines();
    let announced =
        lines.iter().find_map(|l| l.strip_prefix("onvif discovery: ")).unwrap_or_else(|| panic!("{lines:?}"));
    assert!(announced.starts_with(&format!("http://{a}:")), "announced at side A's address: {announced}");

    let mut discover = net.command(Side::B, env!("CARGO_BIN_EXE_rtspeek"));
    discover
        .args([
            "discover",
            "--interface",
            net.interface(Side::B),
            "--timeout",
            "2.5",
            "--json",
            "--user",
            "installer",
        ])
        .args(["--duration", "1", "--no-tls-scan", "--ca"])
        .arg(pki.ca_path())
        .env("RTSPEEK_PASSWORD", PASSWORD);
    let out = run_bounded(discover, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(PASSWORD), "no password in the output");
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    let device = json["devices"]
        .as_array()
        .and_then(|d| {
            d.iter().find(|d| {
                d["xaddrs"]
                    .as_array()
                    .is_some_and(|x| x.iter().any(|x| x.as_str() == announced.split(' ').next()))
            })
        })
        .unwrap_or_else(|| panic!("rtspeek serve not found: {json}"));
    let diagnosis = &device["diagnosis"];
    assert_eq!(diagnosis["onvif"]["verdict"], "healthy", "{diagnosis}");
    let stream = &diagnosis["streams"][0];
    assert!(stream["uri"].as_str().is_some_and(|u| u.starts_with(&format!("rtsps://{a}:"))), "{diagnosis}");
    assert_eq!(stream["report"]["verdict"], "healthy", "{diagnosis}");
    assert_eq!(diagnosis["summary"]["rtsps_offered"], true);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    drop(serve);
}
