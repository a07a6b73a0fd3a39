//! `rtspeek serve` under abuse while legitimate viewers watch: slowloris requests, garbage instead of TLS or
//! RTSP, a thousand idle TLS connections, viewers vanishing mid-stream. The viewers must see zero RTP loss, the
//! abusers must be cut off by the server's own timeouts, and the server's memory must stay bounded.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::support::serve::{Pki, Serve, basic_config};
use rtspeek_bridge::player::{self, Counters, Target};
use rtspeek_bridge::tls::{Connector, TlsOptions};
use rtspeek_core::rtsp::Url;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const IDLE_TLS: usize = 1000;
const SLOWLORIS: usize = 50;
const GARBAGE: usize = 50;
const VANISHING: usize = 20;
const VIEWERS: usize = 3;

/// Makes sure this process (and the server it starts) may open a few thousand sockets.
fn raise_open_files() {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft: u64 = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if soft < 4 * IDLE_TLS as u64 {
        let pid = std::process::id().to_string();
        let status = std::process::Command::new("prlimit").args(["--pid", &pid, "--nofile=8192:"]).status();
        assert!(
            matches!(status, Ok(s) if s.success()),
            "cannot raise the open-file limit ({soft}) with prlimit"
        );
    }
}

/// Waits until the server closes `stream` (EOF or reset), up to `limit`; how long it took.
async fn closed_within<S: tokio::io::AsyncRead + Unpin>(stream: &mut S, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout_at(tokio::time::Instant::from_std(start + limit), stream.read(&mut buf))
            .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[test]
fn viewers_see_no_loss_while_the_server_is_abused_and_memory_stays_bounded() {
    raise_open_files();
    let pki = Pki::new();
    let config = basic_config(&pki, "").replace("idle_timeout_secs = 10", "idle_timeout_secs = 120");
    let config =
        config.replace("[server]\n", "[server]\nmax_connections = 3000\nmax_connections_per_ip = 3000\n");
    let serve = Serve::start(&pki, &config);
    let tls_url = serve.url("rtsps", "synthetic");
    let plain_url = serve.url("rtsp", "synthetic");
    let tls_addr = Serve::authority(&tls_url);
    let plain_addr = Serve::authority(&plain_url);
    let target = Target {
        url: Url::parse(&tls_url).unwrap(),
        anchors: vec![pki.ca_der()],
        timeout: Duration::from_secs(10),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let rss_start = serve.rss_kib();
    runtime.block_on(async {
        let viewers = Arc::new(Counters::default());
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..VIEWERS {
            let (target, viewers, mut stop) = (target.clone(), viewers.clone(), stop_rx.clone());
            tasks.push(tokio::spawn(async move {
                player::play(&target, &viewers, async move {
                    let _ = stop.changed().await;
                })
                .await
            }));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(viewers.playing.load(Ordering::Relaxed), VIEWERS as u64, "viewers play");

        // A thousand TLS connections that complete the handshake and then say nothing.
        let connector = Arc::new(
            Connector::new(&TlsOptions { anchors: Some(vec![pki.ca_der()]), ..TlsOptions::default() }).unwrap(),
        );
        let mut idle = Vec::with_capacity(IDLE_TLS);
        for chunk in 0..IDLE_TLS / 100 {
            let mut handshakes = Vec::new();
            for _ in 0..100 {
                let (connector, addr) = (connector.clone(), tls_addr.clone());
                handshakes.push(tokio::spawn(async move {
                    let tcp = TcpStream::connect(&addr).await.map_err(|e| e.to_string())?;
                    connector.connect(tcp, "localhost").await.0.map_err(|e| format!("{e:?}"))
                }));
            }
            for h in handshakes {
                let stream = h.await.unwrap().unwrap_or_else(|e| panic!("idle TLS connection {chunk}: {e}"));
                idle.push(stream);
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss_idle = serve.rss_kib();

        // Slowloris over TLS: a request head one byte at a time, never finished.
        let mut slow = Vec::new();
        for _ in 0..SLOWLORIS {
            let tcp = TcpStream::connect(&tls_addr).await.unwrap();
            let (stream, _) = connector.connect(tcp, "localhost").await;
            let mut stream = stream.unwrap();
            slow.push(tokio::spawn(async move {
                let start = Instant::now();
                for b in b"OPTIONS rtsps://localhost/synthetic RTSP/1.0\r\nCSeq: 1\r\nX-Padding: ".iter().cycle() {
                    if stream.write_all(&[*b]).await.is_err() || start.elapsed() > Duration::from_secs(15) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                start.elapsed()
            }));
        }
        // Garbage instead of a ClientHello (TLS port) and instead of RTSP (plain port).
        let mut garbage = Vec::new();
        for i in 0..GARBAGE {
            let addr = if i % 2 == 0 { tls_addr.clone() } else { plain_addr.clone() };
            garbage.push(tokio::spawn(async move {
                let mut tcp = TcpStream::connect(&addr).await.unwrap();
                let junk: Vec<u8> = (0..4096u32).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 ^ i as u8).collect();
                let _ = tcp.write_all(&junk).await;
                closed_within(&mut tcp, Duration::from_secs(8)).await
            }));
        }
        // Viewers that vanish mid-stream: the task is aborted, the socket dropped without TEARDOWN.
        let vanishing = Arc::new(Counters::default());
        let mut gone = Vec::new();
        for _ in 0..VANISHING {
            let (target, counters) = (target.clone(), vanishing.clone());
            gone.push(tokio::spawn(async move { player::play(&target, &counters, std::future::pending()).await }));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        gone.iter().for_each(|t| t.abort());

        for (i, g) in garbage.into_iter().enumerate() {
            assert!(g.await.unwrap().is_some(), "garbage connection {i} was not closed within 8 s");
        }
        for (i, s) in slow.into_iter().enumerate() {
            let lasted = s.await.unwrap();
            assert!(lasted < Duration::from_secs(10), "slowloris connection {i} lasted {lasted:?} (request timeout 3 s)");
        }
        assert!(vanishing.playing.load(Ordering::Relaxed) >= VANISHING as u64 / 2, "vanishing viewers had started");
        tokio::time::sleep(Duration::from_secs(2)).await;

        let _ = stop_tx.send(true);
        for t in tasks {
            t.await.unwrap().unwrap_or_else(|e| panic!("a viewer failed: {e}"));
        }
        let packets = viewers.packets.load(Ordering::Relaxed);
        let lost = viewers.lost.load(Ordering::Relaxed);
        let reordered = viewers.reordered.load(Ordering::Relaxed);
        let late = viewers.late.load(Ordering::Relaxed);
        let per_idle = (rss_idle.saturating_sub(rss_start)) * 1024 / IDLE_TLS as u64;
        eprintln!(
            "viewers: {packets} packets, {lost} lost, {reordered} reordered, {late} late; server RSS {rss_start} KiB -> \
             {rss_idle} KiB with {IDLE_TLS} idle TLS connections ({per_idle} bytes each)"
        );
        assert!(packets > VIEWERS as u64 * 200, "viewers kept receiving: {packets} packets");
        assert_eq!((lost, reordered), (0, 0), "viewers saw no loss");
        assert!(per_idle < 64 * 1024, "an idle TLS connection costs {per_idle} bytes of server memory");
        drop(idle);
    });
}
