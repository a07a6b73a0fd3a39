//! `rtspeek probe onvif://` against `rtspeek serve`'s `[onvif]`: the device's services are read, Media2 is asked
//! for RTSPS first, and each secure stream is probed layer by layer; a device that offers only plain RTSP, wrong
//! credentials and a port without ONVIF each give their `onvif.*` finding and the right exit status.

use std::process::Command;

use serde_json::Value;

use crate::support::serve::{Pki, Serve, basic_config};

const PASSWORD: &str = "pr0be:pass@word";

fn start(pki: &Pki, encryption: &str) -> (Serve, String) {
    let extra = format!(
        "\n[onvif]\nlisten = \"127.0.0.1:0\"\n[[onvif.user]]\nname = \"viewer\"\npassword = \"{PASSWORD}\"\n"
    );
    let config = basic_config(pki, &extra).replacen(
        "[server]\n",
        &format!("[server]\nencryption = \"{encryption}\"\n"),
        1,
    );
    let serve = Serve::start(pki, &config);
    let lines = serve.process.stdout_lines();
    let device = lines
        .iter()
        .find_map(|l| l.strip_prefix("onvif: http://"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{lines:?}"))
        .to_owned();
    (serve, device)
}

/// `rtspeek probe onvif://...` with the test CA, as JSON: exit status and document.
fn probe(pki: &Pki, target: &str) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rtspeek"))
        .args(["probe", target, "--json", "--duration", "1", "--no-tls-scan", "--timeout", "5", "--ca"])
        .arg(pki.ca_path())
        .output()
        .expect("run rtspeek");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!stdout.contains(PASSWORD) && !stdout.contains("pr0be%3Apass"), "no password in the output");
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code(), json, format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)))
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn an_onvif_device_with_rtsps_is_read_and_its_secure_stream_probed_healthy() {
    let pki = Pki::new();
    let (serve, device) = start(&pki, "optional");
    let target = format!("onvif://viewer:{}@{device}", PASSWORD.replace(':', "%3A").replace('@', "%40"));
    let (code, json, text) = probe(&pki, &target);
    assert_eq!(code, Some(0), "{text}");
    let d = &json["devices"][0];
    assert_eq!(d["onvif"]["verdict"], "healthy", "{text}");
    assert_eq!(d["device"]["information"]["manufacturer"], "rtspeek");
    let profile = &d["device"]["profiles"][0];
    assert_eq!(profile["rtsps"]["value"], serve.url("rtsps", "synthetic").as_str(), "{profile}");
    assert_eq!(profile["rtsp"]["value"], serve.url("rtsp", "synthetic").as_str(), "{profile}");
    let streams = d["streams"].as_array().expect("streams");
    assert_eq!(streams.len(), 1, "only the secure stream is probed: {text}");
    assert_eq!(streams[0]["uri"], serve.url("rtsps", "synthetic").as_str());
    assert_eq!(streams[0]["report"]["verdict"], "healthy", "{text}");
    assert_eq!(
        (d["summary"]["rtsps_offered"].as_bool(), d["summary"]["certificate"].as_str()),
        (Some(true), Some("pass"))
    );
}

#[test]
fn plain_only_devices_wrong_credentials_and_silent_ports_have_their_findings() {
    let pki = Pki::new();
    let (serve, device) = start(&pki, "no");
    let (code, json, text) = probe(&pki, &format!("onvif://viewer@{device}"));
    // No password at all: the device refuses the authenticated requests.
    assert_eq!(code, Some(2), "{text}");
    assert_eq!(codes(&json["devices"][0]["onvif"]), ["onvif.not_authorized"], "{text}");

    let out = Command::new(env!("CARGO_BIN_EXE_rtspeek"))
        .args(["probe", &format!("onvif://viewer@{device}"), "--json", "--duration", "1", "--no-tls-scan"])
        .env("RTSPEEK_PASSWORD", PASSWORD)
        .output()
        .expect("run rtspeek");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let d = &json["devices"][0];
    assert_eq!(codes(&d["onvif"]), ["onvif.no_rtsps_uri"], "{json}");
    assert_eq!(
        d["streams"][0]["uri"],
        serve.url("rtsp", "synthetic").as_str(),
        "plain is probed when that is all"
    );
    assert_eq!(d["summary"]["rtsps_offered"], false);

    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    drop(silent);
    let (code, json, text) = probe(&pki, &format!("onvif://viewer@127.0.0.1:{port}"));
    assert_eq!(code, Some(2), "{text}");
    assert_eq!(codes(&json["devices"][0]["onvif"]), ["onvif.unreachable"], "{text}");
    assert_eq!(json["devices"][0]["summary"]["first_broken_layer"], "onvif");
}
