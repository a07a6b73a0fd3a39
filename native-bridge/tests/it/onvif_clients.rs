//! Third-party ONVIF clients against `rtspeek serve`'s `[onvif]`: python-onvif-zeep (Media1) and the npm `onvif`
//! package (Media2) read the device, its profiles and their stream URIs as the encryption policy says; ffprobe
//! plays the rtsps:// URI handed out; a wrong password gets a NotAuthorized fault.

use std::time::Duration;

use rtspeek_tests::peers::ffmpeg::count_frames;
use rtspeek_tests::peers::onvif::{OnvifRun, npm, zeep};

use crate::support::serve::{Pki, Serve, basic_config};

const USER: &str = "operator";
const PASSWORD: &str = "onvif <secret> & more";

/// The basic server with a strict stream and ONVIF on; the device service's port.
fn start(pki: &Pki) -> (Serve, u16) {
    let extra = format!(
        r#"
[[stream]]
path = "strict"
encryption = "strict"
source = {{ kind = "synthetic", width = 320, height = 180, fps = 10, gop = 10, bitrate_kbps = 200 }}

[onvif]
listen = "127.0.0.1:0"
[[onvif.user]]
name = "{USER}"
password = "{}"
"#,
        PASSWORD.replace('"', "\\\"")
    );
    let serve = Serve::start(pki, &basic_config(pki, &extra));
    let lines = serve.process.stdout_lines();
    let line = lines
        .iter()
        .find(|l| l.starts_with("onvif: http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("{lines:?}"));
    let port = line
        .trim_start_matches("onvif: http://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    (serve, port)
}

fn uri_of<'a>(run: &'a OnvifRun, name_part: &str) -> Option<&'a str> {
    run.json["profiles"]
        .as_array()?
        .iter()
        .find(|p| p["token"].as_str().is_some_and(|t| t.ends_with(name_part)))?["uri"]
        .as_str()
}

#[test]
fn onvif_zeep_reads_the_device_and_gets_rtsps_uris_that_ffprobe_plays() {
    let pki = Pki::new();
    let (serve, port) = start(&pki);
    let run = zeep("127.0.0.1", port, USER, PASSWORD).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.code, Some(0), "{}\n{}", run.json, run.stderr);
    assert_eq!(run.json["info"]["manufacturer"], "rtspeek");
    // Media1 cannot ask for RTSPS: it gets RTSPS where the policy serves it (the default), for both streams.
    let uri = uri_of(&run, "synthetic").unwrap_or_else(|| panic!("{}", run.json));
    assert_eq!(uri, serve.url("rtsps", "synthetic"));
    assert_eq!(uri_of(&run, "strict"), Some(serve.url("rtsps", "strict").as_str()));

    let (frames, out) = count_frames(uri, 1, Duration::from_secs(20)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        frames >= 10,
        "ffprobe read {frames} frames from {uri}: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let wrong = zeep("127.0.0.1", port, USER, "not the password").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong.code, Some(3), "{}\n{}", wrong.json, wrong.stderr);
    assert!(
        wrong.json["fault"].as_str().is_some_and(|f| f.to_lowercase().contains("not authorized")),
        "{}",
        wrong.json
    );
}

#[test]
fn npm_onvif_asks_media2_for_rtsps_or_plain_rtsp_as_the_policy_allows() {
    let pki = Pki::new();
    let (serve, port) = start(&pki);
    let secure = npm("127.0.0.1", port, USER, PASSWORD, "RtspsUnicast").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(secure.code, Some(0), "{}\n{}", secure.json, secure.stderr);
    assert_eq!(secure.json["media2"], true, "{}", secure.json);
    assert_eq!(
        uri_of(&secure, "synthetic"),
        Some(serve.url("rtsps", "synthetic").as_str()),
        "{}",
        secure.json
    );
    assert_eq!(uri_of(&secure, "strict"), Some(serve.url("rtsps", "strict").as_str()), "{}", secure.json);

    let plain = npm("127.0.0.1", port, USER, PASSWORD, "RTSP").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plain.code, Some(0), "{}\n{}", plain.json, plain.stderr);
    assert_eq!(uri_of(&plain, "synthetic"), Some(serve.url("rtsp", "synthetic").as_str()), "{}", plain.json);
    let strict = plain.json["profiles"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["token"].as_str().is_some_and(|t| t.ends_with("strict"))))
        .cloned();
    let fault = strict.as_ref().and_then(|s| s["fault"].as_str()).unwrap_or_default().to_owned();
    assert!(fault.contains("RTSPS only"), "a strict stream has no plain URI: {strict:?}");

    let wrong = npm("127.0.0.1", port, USER, "wrong", "RtspsUnicast").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong.code, Some(3), "{}\n{}", wrong.json, wrong.stderr);
}

#[test]
fn onvif_over_https_uses_the_global_pair_and_still_needs_credentials() {
    let pki = Pki::new();
    // HTTPS only: HTTP is on by default only when no address is given at all.
    let extra = format!(
        "\n[onvif]\nhttps_listen = \"127.0.0.1:0\"\n[[onvif.user]]\nname = \"{USER}\"\npassword = \"x\"\n"
    );
    let serve = Serve::start(&pki, &basic_config(&pki, &extra));
    let lines = serve.process.stdout_lines();
    let authority = lines
        .iter()
        .find_map(|l| l.strip_prefix("onvif: https://"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{lines:?}"))
        .to_owned();
    let token = pki.path().join("unused.token");
    std::fs::write(&token, "unused").expect("write");
    let client = crate::support::admin::Admin::new(authority, &token, pki.ca_der());
    let soap = |op: &str| {
        format!(
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:d="http://www.onvif.org/ver10/device/wsdl"><e:Body><d:{op}/></e:Body></e:Envelope>"#
        )
    };
    let headers = "Content-Type: application/soap+xml\r\n";
    let clock =
        client.raw("POST", "/onvif/device_service", headers, Some(soap("GetSystemDateAndTime").as_bytes()));
    assert_eq!(clock.status, 200, "{}", clock.body);
    assert!(clock.body.contains("UTCDateTime"), "{}", clock.body);
    let info =
        client.raw("POST", "/onvif/device_service", headers, Some(soap("GetDeviceInformation").as_bytes()));
    assert_eq!(info.status, 400, "{}", info.body);
    assert!(info.body.contains("NotAuthorized"), "{}", info.body);
}
