//! A page's full probe through `rtspeek bridge`: the bridge and `rtspeek serve`'s synthetic camera run
//! in-process on 127.0.0.1 with a test PKI; the test is the page (a WebSocket client). It checks the events,
//! the layer passes, the healthy `done`, the binary media frames of the preview, `stop`, and that the
//! password in the URL never comes back.

use std::time::{Duration, Instant};

use crate::support::bridge::{Incoming, next, page, send, start};
use crate::support::serve::{Pki, basic_config};
use rtspeek_bridge::bridge::Limits;
use rtspeek_bridge::bridge::frame::{self, CODEC_H264};
use rtspeek_bridge::serve::Server;
use rtspeek_bridge::serve::config::ServeConfig;
use serde_json::{Value, json};

/// Everything a probe sent, in order.
#[derive(Default)]
struct Transcript {
    /// Text messages about the probe, in order.
    texts: Vec<Value>,
    /// Media frames of the probe: (index among all messages, bytes).
    frames: Vec<(usize, Vec<u8>)>,
    /// Index of `done` among all messages.
    done_at: Option<usize>,
    /// When `stop` was sent, and when `done` came.
    stopped: Option<(Instant, Instant)>,
}

impl Transcript {
    fn done(&self) -> &Value {
        self.texts
            .iter()
            .find(|m| m["type"] == "event" && m["event"]["event"] == "done")
            .expect("a done event")
    }

    fn layer_status(&self, layer: &str) -> Vec<String> {
        self.texts
            .iter()
            .filter(|m| {
                m["type"] == "event" && m["event"]["event"] == "layer" && m["event"]["layer"] == layer
            })
            .map(|m| m["event"]["status"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// Reads the messages of probe `id` until its `done`; sends `stop` after `stop_after` media frames.
async fn until_done(ws: &mut crate::support::bridge::Ws, id: u32, stop_after: Option<usize>) -> Transcript {
    let mut transcript = Transcript::default();
    let mut stop_sent = None;
    let mut index = 0;
    loop {
        let message = next(ws).await;
        index += 1;
        match message {
            Incoming::Text(value) => {
                if value["id"] != id {
                    continue;
                }
                assert_ne!(value["type"], "error", "{value}");
                let done = value["type"] == "event" && value["event"]["event"] == "done";
                transcript.texts.push(value);
                if done {
                    transcript.done_at = Some(index);
                    transcript.stopped = stop_sent.map(|sent| (sent, Instant::now()));
                    return transcript;
                }
            }
            Incoming::Binary(bytes) => {
                let decoded = frame::decode(&bytes).expect("a media frame");
                if decoded.probe_id == id {
                    transcript.frames.push((index, bytes));
                    if stop_after == Some(transcript.frames.len()) {
                        send(ws, json!({"type": "stop", "id": id})).await;
                        stop_sent = Some(Instant::now());
                    }
                }
            }
            Incoming::Closed(code) => panic!("closed ({code:?}) before probe {id} was done"),
        }
    }
}

/// A hostile camera on 127.0.0.1: answers every request 200, and DESCRIBE with a 60 KiB description of 1200
/// media sections; bounded (it serves for 20 s at most).
async fn hostile_camera() -> (u16, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let task = tokio::spawn(async move {
        let serve = async {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut cseq = 0;
                    while let Ok(n) = socket.read(&mut buf).await {
                        if n == 0 {
                            return;
                        }
                        cseq += 1;
                        let request = String::from_utf8_lossy(&buf[..n]).to_string();
                        let body = if request.starts_with("DESCRIBE") {
                            let mut sdp = String::from("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n");
                            for i in 0..1200 {
                                sdp.push_str(&format!("m=video 0 RTP/AVP 96\r\na=control:t{i}\r\n"));
                            }
                            sdp
                        } else {
                            String::new()
                        };
                        let cseq_value = request
                            .lines()
                            .find_map(|l| l.strip_prefix("CSeq:").map(|v| v.trim().to_owned()))
                            .unwrap_or_else(|| cseq.to_string());
                        let head = format!(
                            "RTSP/1.0 200 OK\r\nCSeq: {cseq_value}\r\nContent-Type: application/sdp\r\n\
                             Content-Length: {}\r\n\r\n",
                            body.len()
                        );
                        if socket.write_all(head.as_bytes()).await.is_err()
                            || socket.write_all(body.as_bytes()).await.is_err()
                        {
                            return;
                        }
                    }
                });
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(20), serve).await;
    });
    (port, task)
}

/// One hostile camera must not break another probe of the same page: both end with `done`, the healthy one
/// healthy, and no message the bridge sends is larger than a report of a healthy camera needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_camera_does_not_break_a_probe_next_to_it() {
    let pki = Pki::new();
    let server = synthetic_camera(&pki).await;
    let url = server.url("synthetic", true).expect("an rtsps URL");
    let (hostile_port, hostile) = hostile_camera().await;
    let bridge = start(Limits::default()).await;
    let mut ws = page(&bridge).await;
    send(
        &mut ws,
        json!({"type": "probe", "id": 1, "url": format!("rtsp://127.0.0.1:{hostile_port}/x"), "duration": 1}),
    )
    .await;
    send(
        &mut ws,
        json!({"type": "probe", "id": 2, "url": url, "ca_pem": pki.root.cert_pem(), "duration": 2}),
    )
    .await;
    let (mut done, mut largest) = (Vec::new(), 0usize);
    let mut reports = std::collections::BTreeMap::new();
    while done.len() < 2 {
        match tokio::time::timeout(Duration::from_secs(60), next(&mut ws))
            .await
            .expect("messages keep coming")
        {
            Incoming::Text(value) => {
                largest = largest.max(value.to_string().len());
                if value["type"] == "event" && value["event"]["event"] == "done" {
                    done.push(value["id"].as_u64().unwrap_or_default());
                    reports
                        .insert(value["id"].as_u64().unwrap_or_default(), value["event"]["report"].clone());
                }
            }
            Incoming::Binary(_) => {}
            Incoming::Closed(code) => panic!("the bridge closed the page ({code:?}) because of one camera"),
        }
    }
    assert_eq!(reports[&2]["verdict"], "healthy", "{:#}", reports[&2]);
    let findings = reports[&1]["findings"].as_array().cloned().unwrap_or_default();
    assert!(findings.iter().any(|f| f["code"] == "sdp.too_many_media"), "{findings:?}");
    assert!(largest < 256 * 1024, "a {largest}-byte message");
    hostile.abort();
    bridge.shutdown().await;
    server.shutdown().await;
}

async fn synthetic_camera(pki: &Pki) -> Server {
    let path = pki.path().join("serve.toml");
    std::fs::write(&path, basic_config(pki, "")).expect("write serve.toml");
    let config = ServeConfig::load(&path).expect("a valid configuration");
    Server::start(config).await.expect("the server starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_probes_the_synthetic_camera_with_a_live_preview_then_stops_one() {
    let started = Instant::now();
    let pki = Pki::new();
    let server = synthetic_camera(&pki).await;
    let url = server.url("synthetic", true).expect("an rtsps URL");
    let bridge = start(Limits::default()).await;
    let mut ws = page(&bridge).await;

    // A password in the URL, typed with reserved characters as people do: the stream needs none, and no
    // piece of it may come back.
    let with_password = url.replacen("rtsps://", "rtsps://viewer:hun/ter2#w?rd ,x@1@", 1);
    send(
        &mut ws,
        json!({"type": "probe", "id": 1, "url": with_password, "ca_pem": pki.root.cert_pem(), "duration": 2,
               "preview": true}),
    )
    .await;
    let run = until_done(&mut ws, 1, None).await;
    for text in &run.texts {
        for piece in ["hun/", "ter2", "w?rd", ",x@1"] {
            assert!(!text.to_string().contains(piece), "{text}");
        }
    }
    assert_eq!(run.texts[0]["event"]["event"], "started", "{}", run.texts[0]);
    for layer in ["tcp", "tls", "certificate", "rtsp", "sdp", "transport", "rtp", "codec"] {
        assert!(
            run.layer_status(layer).iter().any(|s| s == "pass"),
            "{layer}: {:?}",
            run.layer_status(layer)
        );
    }
    let report = &run.done()["event"]["report"];
    assert_eq!(report["verdict"], "healthy", "{report:#}");

    // The preview: at least a second of 25 fps, the first a keyframe, all H.264 with its codec string.
    assert!(run.frames.len() >= 25, "{} frames", run.frames.len());
    let mut last_timestamp = 0;
    for (i, (_, bytes)) in run.frames.iter().enumerate() {
        let f = frame::decode(bytes).expect("a media frame");
        assert_eq!((f.version, f.codec, f.track, f.probe_id), (1, CODEC_H264, 0, 1));
        assert!(f.codec_string.starts_with("avc1."), "{:?}", f.codec_string);
        assert!(f.data.starts_with(&[0, 0, 0, 1]) || f.data.starts_with(&[0, 0, 1]), "Annex B");
        assert!(i == 0 || f.timestamp_us > last_timestamp, "timestamps grow");
        if i == 0 {
            assert!(f.keyframe, "the first frame is a keyframe");
        }
        last_timestamp = f.timestamp_us;
    }
    let first = frame::decode(&run.frames[0].1).expect("frame");
    let last = frame::decode(&run.frames[run.frames.len() - 1].1).expect("frame");
    let span = last.timestamp_us - first.timestamp_us;
    assert!(span > 900_000 && span < 4_000_000, "µs timestamps at 90 kHz: {span}");
    // Every frame before `done`, and the preview summary just before it.
    let done_at = run.done_at.expect("done");
    assert!(run.frames.iter().all(|(at, _)| *at < done_at));
    let summary = &run.texts[run.texts.len() - 2];
    eprintln!("probe 1: {} events, {} media frames, {summary}", run.texts.len(), run.frames.len());
    assert_eq!(summary["type"], "preview", "{summary}");
    assert_eq!(summary["frames_sent"].as_u64(), Some(run.frames.len() as u64), "{summary}");

    // A long probe, stopped after a few frames: it still ends with `done`, promptly.
    send(
        &mut ws,
        json!({"type": "probe", "id": 2, "url": url, "ca_pem": pki.root.cert_pem(), "duration": 60,
               "preview": true}),
    )
    .await;
    let stopped = until_done(&mut ws, 2, Some(10)).await;
    let (stop_sent, done_came) = stopped.stopped.expect("stop was sent before done");
    assert!(done_came - stop_sent < Duration::from_secs(5), "done {:?} after stop", done_came - stop_sent);
    assert!(stopped.done()["event"]["report"]["verdict"].is_string());
    eprintln!("probe 2: stopped after 10 frames, done {:?} later", done_came - stop_sent);
    // The connection is still usable: a stop of a finished probe is ignored, and nothing else arrives.
    send(&mut ws, json!({"type": "stop", "id": 2})).await;
    bridge.shutdown().await;
    server.shutdown().await;
    eprintln!("test took {:?}", started.elapsed());
}
