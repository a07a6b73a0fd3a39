//! The JavaScript face of rtspeek-web, run in Node by wasm-bindgen-test-runner (`cargo xtask test wasm32`):
//! option objects are read as documented, results are the CLI's JSON document, errors are JS `Error`s with
//! core's message. The page itself is tested in a real browser by web/tests/offline.mjs.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, JSON, Object, Reflect, Uint8Array};
use rtspeek_core::UnixTime;
use rtspeek_core::cert::{CertCheck, InputFile};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test as test;

/// 2026-06-01T00:00:00Z, the time the fixtures of core/tests/data/pki are built around.
const NOW_S: i64 = 1_780_272_000;
const CHAIN: &str = include_str!("../../core/tests/data/pki/chain.pem");
const ROOT: &str = include_str!("../../core/tests/data/pki/root.pem");
const EXPIRED: &str = include_str!("../../core/tests/data/pki/expired.pem");
const KEY: &str = include_str!("../../core/tests/data/pki/leaf.key");

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn now() -> JsValue {
    JsValue::from_f64(NOW_S as f64 * 1000.0)
}

/// The JS value as serde_json sees it after `JSON.stringify`.
fn json(value: &JsValue) -> serde_json::Value {
    serde_json::from_str(&JSON::stringify(value).unwrap().as_string().unwrap()).unwrap()
}

fn message(e: JsError) -> String {
    let value: JsValue = e.into();
    value.dyn_into::<js_sys::Error>().expect("thrown as an Error").message().into()
}

#[test]
async fn certificate_report_is_the_clis_document() {
    let options = object(&[
        ("pem", CHAIN.into()),
        ("key", KEY.into()),
        ("host", "192.0.2.10".into()),
        ("ca", ROOT.into()),
        ("now", now()),
    ]);
    let got = rtspeek_web::analyze_certificate(options).await.unwrap();
    // What `rtspeek cert check pem --key key --host 192.0.2.10 --ca ca --at NOW --json` builds.
    let certs = [InputFile { name: "pem", bytes: CHAIN.as_bytes() }];
    let anchors = [InputFile { name: "ca", bytes: ROOT.as_bytes() }];
    let check = CertCheck::new(&certs, UnixTime(NOW_S))
        .key(InputFile { name: "key", bytes: KEY.as_bytes() })
        .host("192.0.2.10")
        .anchors(&anchors);
    let want = rtspeek_core::cert::analyze(&check).unwrap();
    assert_eq!(json(&got), serde_json::to_value(&want).unwrap());
    assert_eq!(json(&got)["verdict"], "healthy");
}

/// Every key fixture (RSA PKCS#1 MD5/SHA-1/SHA-256, PSS, ECDSA P-256/P-384, Ed25519), self-signed so its
/// signature is verified, and one with a damaged signature: the report with WebCrypto (Node's `crypto.subtle`)
/// is core's.
#[test]
async fn webcrypto_verdicts_are_cores() {
    let fixtures: &[&[u8]] = &[
        include_bytes!("../../core/tests/data/keys/ec-p256-sha256.crt"),
        include_bytes!("../../core/tests/data/keys/ec-p256-sha384.crt"),
        include_bytes!("../../core/tests/data/keys/ec-p384-sha1.crt"),
        include_bytes!("../../core/tests/data/keys/ed25519.crt"),
        include_bytes!("../../core/tests/data/keys/rsa2048-md5.crt"),
        include_bytes!("../../core/tests/data/keys/rsa2048-sha1.crt"),
        include_bytes!("../../core/tests/data/keys/rsa2048-sha256.crt"),
        include_bytes!("../../core/tests/data/keys/rsa2048-pss-sha256.crt"),
        include_bytes!("../../core/tests/data/keys/rsa2048-pss-sha384-mgf1sha256.crt"),
    ];
    let der = rtspeek_core::cert::input::split("x", fixtures[0]).unwrap().remove(0).der.unwrap();
    let mut damaged = der.clone();
    if let Some(last) = damaged.last_mut() {
        *last ^= 1;
    }
    let mut inputs: Vec<Vec<u8>> = fixtures.iter().map(|f| f.to_vec()).collect();
    inputs.push(damaged);
    for bytes in &inputs {
        let options =
            object(&[("der", Array::of1(&Uint8Array::from(bytes.as_slice())).into()), ("now", now())]);
        let got = rtspeek_web::analyze_certificate(options).await.unwrap();
        let certs = [InputFile { name: "der", bytes }];
        let want = rtspeek_core::cert::analyze(&CertCheck::new(&certs, UnixTime(NOW_S))).unwrap();
        assert_eq!(json(&got), serde_json::to_value(&want).unwrap());
    }
}

#[test]
async fn named_files_der_and_dates() {
    let der = rtspeek_core::cert::input::split("x", EXPIRED.as_bytes()).unwrap().remove(0).der.unwrap();
    let files = Array::of1(&object(&[("name", "cam.pem".into()), ("data", CHAIN.into())]));
    let options = object(&[
        ("files", files.into()),
        ("der", Array::of1(&Uint8Array::from(der.as_slice())).into()),
        ("now", js_sys::Date::new(&now()).into()),
    ]);
    let report = json(&rtspeek_web::analyze_certificate(options).await.unwrap());
    assert_eq!(report["target"], "certificate check: der, cam.pem");
    let codes: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"cert.expired"), "{codes:?}");
}

#[test]
async fn errors_are_js_errors_with_cores_message() {
    let no_now = object(&[("pem", CHAIN.into())]);
    assert!(
        message(rtspeek_web::analyze_certificate(no_now).await.unwrap_err())
            .contains("options.now is required")
    );
    let garbage = object(&[("pem", "hello".into()), ("now", now())]);
    assert!(
        message(rtspeek_web::analyze_certificate(garbage).await.unwrap_err())
            .starts_with("pem: no certificate found")
    );
    let bad_type = object(&[("pem", CHAIN.into()), ("host", JsValue::from_f64(1.0)), ("now", now())]);
    assert_eq!(
        message(rtspeek_web::analyze_certificate(bad_type).await.unwrap_err()),
        "options.host: expected a string, got number"
    );
    assert!(
        message(rtspeek_web::analyze_certificate(JsValue::from_str("x")).await.unwrap_err())
            .contains("options object")
    );
    assert!(
        message(rtspeek_web::analyze_sdp("".into(), None).unwrap_err())
            .starts_with("input: not a session description")
    );
}

#[test]
fn sdp_report_is_the_clis_document() {
    let body = include_str!("../../core/tests/data/sdp/hikvision-style-h264-pcmu.sdp");
    let got = rtspeek_web::analyze_sdp(body.into(), Some("cam.sdp".into())).unwrap();
    let want = rtspeek_core::sdp::check(body.as_bytes()).unwrap().into_report("sdp check: cam.sdp");
    assert_eq!(json(&got), serde_json::to_value(&want).unwrap());
    // Bytes work as well as text.
    let bytes =
        rtspeek_web::analyze_sdp(Uint8Array::from(body.as_bytes()).into(), Some("cam.sdp".into())).unwrap();
    assert_eq!(json(&bytes), json(&got));
}

#[test]
fn parameter_sets_and_catalogue() {
    let info = json(
        &rtspeek_web::inspect_parameter_sets("Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY,aOvjyyLA".into(), None)
            .unwrap(),
    );
    assert_eq!(info["sps"]["width"], 1920);
    assert_eq!(info["codec_string"], "avc1.640028");
    let e = rtspeek_web::inspect_parameter_sets("Z2QA".into(), Some("vp9".into())).unwrap_err();
    assert!(message(e).contains("expected \"h264\" or \"h265\""));

    let entry = json(&rtspeek_web::describe_finding("cert.expired").unwrap());
    assert_eq!(entry["layer"], "certificate");
    assert!(rtspeek_web::describe_finding("no.such.code").unwrap().is_null());
    assert_eq!(json(&rtspeek_web::version().unwrap())["schema_version"], 1);
}

#[test]
fn browser_unsupported_finding_is_cores() {
    let f = json(
        &rtspeek_web::browser_unsupported_finding("hev1.1.6.L93.B0", Some("TestBrowser/1".into())).unwrap(),
    );
    assert_eq!(f["code"], "codec.browser_unsupported");
    assert_eq!(f["layer"], "codec");
    assert!(f["summary"].as_str().unwrap().contains("hev1.1.6.L93.B0"));
    assert_eq!(f["evidence"][1]["value"], "TestBrowser/1");
}

#[test]
fn layers_are_cores_chain_with_titles() {
    let got = json(&rtspeek_web::layers().unwrap());
    let ids: Vec<&str> = got.as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    let want: Vec<&str> = rtspeek_core::diagnose::Layer::ALL.iter().map(|l| l.as_str()).collect();
    assert_eq!(ids, want);
    assert_eq!(got[2], serde_json::json!({ "id": "tls", "label": "TLS" }));
}

#[test]
fn redact_url_masks_passwords_with_url_delimiters() {
    // Passwords as people type them into a camera URL field, unescaped or percent-encoded, ASCII or not.
    let passwords = [
        "p/ss",
        "p?ss",
        "p#ss",
        "p@ss",
        "p,ss",
        "p ss",
        "p%ss",
        "a/?#@, %b",
        "p:ss",
        "::",
        "p@:@ss",
        "p%40ss",
        "p%3Ass%2F",
        "pässwörd",
        "пароль",
        "密码@:/",
        "🔑@cam",
    ];
    for user in ["admin", "ad%40min", "ädmin"] {
        for password in passwords {
            let url = format!("rtsps://{user}:{password}@192.0.2.10:322/Streaming/Channels/101");
            let shown = rtspeek_web::redact_url(&url);
            assert_eq!(shown, format!("rtsps://{user}:***@192.0.2.10:322/Streaming/Channels/101"), "{url}");
            assert!(!shown.contains(password), "{url} leaks its password: {shown}");
            // Inside a line of text, before another URL.
            let text = format!("DESCRIBE {url} RTSP/1.0 (from rtsp://cam.example/)");
            let shown = rtspeek_web::redact_url(&text);
            assert!(!shown.contains(password), "{text} leaks its password: {shown}");
            assert!(shown.ends_with(" RTSP/1.0 (from rtsp://cam.example/)"), "{shown}");
        }
    }
    assert_eq!(rtspeek_web::redact_url("rtsp://viewer@cam/live"), "rtsp://viewer@cam/live");
    assert_eq!(rtspeek_web::redact_url("rtsp://cam/live"), "rtsp://cam/live");
    assert_eq!(
        rtspeek_web::redact_url("from rtsp://a:b@cam/x to rtsps://c:d/e@cam:322/y"),
        "from rtsp://a:***@cam/x to rtsps://c:***@cam:322/y"
    );
}
