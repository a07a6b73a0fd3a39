//! A page's probe with `"capture": true` through `rtspeek bridge`: the `capture` message comes right before
//! `done`, carries a pcapng that tshark reads with the RTSP decrypted, and the `done` report names it.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::probe_capture::{assert_session_methods, decode_as, methods};
use crate::support::bridge::{Incoming, next, page, send, start};
use crate::support::serve::{Pki, basic_config};
use rtspeek_bridge::bridge::Limits;
use rtspeek_bridge::serve::Server;
use rtspeek_bridge::serve::config::ServeConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_gets_the_capture_before_done_and_tshark_decrypts_it() {
    let pki = Pki::new();
    let path = pki.path().join("serve.toml");
    std::fs::write(&path, basic_config(&pki, "")).expect("write serve.toml");
    let server = Server::start(ServeConfig::load(&path).expect("config")).await.expect("the server starts");
    let url = server.url("synthetic", true).expect("an rtsps URL");
    let bridge = start(Limits::default()).await;
    let mut ws = page(&bridge).await;
    let probe = json!({"type": "probe", "id": 1, "url": url, "ca_pem": pki.root.cert_pem(), "duration": 1,
        "tls_scan": false, "capture": true});
    send(&mut ws, probe).await;
    let mut texts: Vec<Value> = Vec::new();
    loop {
        let message = tokio::time::timeout(Duration::from_secs(60), next(&mut ws)).await.expect("messages");
        match message {
            Incoming::Text(value) if value["id"] == 1 => {
                assert_ne!(value["type"], "error", "{value}");
                let done = value["type"] == "event" && value["event"]["event"] == "done";
                texts.push(value);
                if done {
                    break;
                }
            }
            Incoming::Closed(code) => panic!("closed ({code:?}) before done"),
            _ => {}
        }
    }
    let n = texts.len();
    assert!(n >= 2, "{texts:?}");
    let (capture, done) = (&texts[n - 2], &texts[n - 1]);
    assert_eq!(capture["type"], "capture", "the capture comes right before done: {capture}");
    assert_eq!(capture["file"], "rtspeek-probe-1.pcapng");
    assert_eq!(capture["contains_secrets"], true);
    let fact = &done["event"]["report"]["facts"]["capture"];
    assert_eq!(fact["file"], "rtspeek-probe-1.pcapng", "{fact}");
    assert_eq!(fact["packets"], capture["packets"]);
    let pcapng = base64::engine::general_purpose::STANDARD
        .decode(capture["pcapng_base64"].as_str().expect("base64"))
        .expect("valid base64");
    assert_eq!(&pcapng[..4], &[0x0A, 0x0D, 0x0D, 0x0A], "a pcapng section header");
    assert_eq!(Some(pcapng.len() as u64), capture["bytes"].as_u64());
    let file = pki.path().join("page.pcapng");
    std::fs::write(&file, &pcapng).expect("write the capture");
    let decode = decode_as(&url, true, pki.path());
    let seen = tokio::task::spawn_blocking(move || {
        let decode: Vec<&str> = decode.iter().map(String::as_str).collect();
        methods(&file, &decode)
    })
    .await
    .expect("tshark");
    assert_session_methods(&seen);
    // A probe without `capture` gets no capture message and no capture fact.
    send(
        &mut ws,
        json!({"type": "probe", "id": 2, "url": url, "ca_pem": pki.root.cert_pem(), "duration": 0,
        "tls_scan": false}),
    )
    .await;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(60), next(&mut ws)).await.expect("messages");
        if let Incoming::Text(value) = message
            && value["id"] == 2
        {
            assert_ne!(value["type"], "capture");
            if value["type"] == "event" && value["event"]["event"] == "done" {
                assert!(value["event"]["report"]["facts"]["capture"].is_null());
                break;
            }
        }
    }
}
