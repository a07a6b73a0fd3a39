//! Peak memory of `rtspeek probe` against hostile cameras on loopback (target: under 64 MiB whatever the
//! camera does). Each camera is a small RTSP server in this process:
//!
//! - `tracks`: a description of 1200 media sections over UDP (before the cap, 1700 tracks took 218 MiB);
//! - `flood`: one track over UDP, then RTP datagrams of 1400 bytes as fast as loopback takes them, from the
//!   camera's address, for the whole media window;
//! - `huge`: every answer padded with a 60 KiB body and a DESCRIBE of 64 KiB.
//!
//! The probe runs as a child process (`--duration 5 --transport udp`); its high-water mark (`VmHWM` of
//! /proc/PID/status) is sampled every 10 ms until it exits. `cargo bench -p rtspeek --bench
//! hostile_memory`. Figures in BENCHMARKS.md.

use std::process::{Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hostile {
    Tracks,
    Flood,
    Huge,
}

fn main() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    println!("peak RSS (VmHWM) of `rtspeek probe rtsp://... --transport udp --duration 5`, loopback:");
    for (name, hostile) in
        [("1200 tracks", Hostile::Tracks), ("UDP flood", Hostile::Flood), ("huge answers", Hostile::Huge)]
    {
        let port = runtime.block_on(serve(hostile));
        let url = format!("rtsp://127.0.0.1:{port}/x");
        let mut child = Command::new(env!("CARGO_BIN_EXE_rtspeek"))
            .args(["probe", &url, "--transport", "udp", "--duration", "5", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("rtspeek runs");
        let mut stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut json = String::new();
            let _ = std::io::Read::read_to_string(&mut stdout, &mut json);
            json
        });
        let mut peak_kib = 0u64;
        loop {
            if let Some(kib) = high_water_kib(child.id()) {
                peak_kib = peak_kib.max(kib);
            }
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let report: serde_json::Value =
            serde_json::from_str(&reader.join().expect("reader")).unwrap_or_default();
        let tracks = report["facts"]["tracks"].as_array().map_or(0, Vec::len);
        let codes: Vec<String> = report["findings"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["code"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        println!(
            "  {name:<14} {:>7.1} MiB  ({tracks} track(s) set up; findings: {})",
            peak_kib as f64 / 1024.0,
            codes.join(", ")
        );
    }
}

fn high_water_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Starts the hostile camera; its port.
async fn serve(hostile: Hostile) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let Ok(Ok((mut socket, _))) = tokio::time::timeout(Duration::from_secs(30), listener.accept()).await
        else {
            return;
        };
        let mut buf = vec![0u8; 16 * 1024];
        let mut flood_to: Option<u16> = None;
        let session = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let n = match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let cseq =
                    request.lines().find_map(|l| l.strip_prefix("CSeq:")).unwrap_or(" 1").trim().to_owned();
                let mut extra = String::new();
                let mut body = String::new();
                if request.starts_with("DESCRIBE") {
                    let tracks = if hostile == Hostile::Tracks { 1200 } else { 1 };
                    body.push_str("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n");
                    // Short lines: 1200 of them stay under the 64 KiB a description may have.
                    for i in 0..tracks {
                        body.push_str(&format!("m=video 0 RTP/AVP 96\r\na=control:t{i}\r\n"));
                    }
                    if tracks == 1 {
                        body.push_str("a=rtpmap:96 H264/90000\r\n");
                    }
                    extra.push_str("Content-Type: application/sdp\r\n");
                } else if request.starts_with("SETUP") {
                    let transport =
                        request.lines().find_map(|l| l.strip_prefix("Transport:")).unwrap_or("").trim();
                    flood_to = flood_to
                        .or_else(|| transport.split("client_port=").nth(1)?.split('-').next()?.parse().ok());
                    extra
                        .push_str(&format!("Transport: {transport};server_port=7000-7001\r\nSession: 1\r\n"));
                } else if request.starts_with("PLAY")
                    && hostile == Hostile::Flood
                    && let Some(client) = flood_to
                {
                    tokio::spawn(flood(client));
                }
                if hostile == Hostile::Huge {
                    let pad = if request.starts_with("DESCRIBE") { 64 * 1024 - 200 } else { 60 * 1024 };
                    body.push_str(&format!("a=x-pad:{}\r\n", "p".repeat(pad)));
                }
                let head = format!(
                    "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}Content-Length: {}\r\n\r\n",
                    body.len()
                );
                if socket.write_all(head.as_bytes()).await.is_err()
                    || socket.write_all(body.as_bytes()).await.is_err()
                {
                    return;
                }
            }
        });
        let _ = session.await;
    });
    port
}

/// RTP datagrams to `port` on 127.0.0.1 as fast as they go, for 6 s.
async fn flood(port: u16) {
    let socket =
        UdpSocket::bind("127.0.0.1:7000").await.or(UdpSocket::bind("127.0.0.1:0").await).expect("bind");
    let mut packet = vec![0x80u8, 96];
    packet.resize(1400, 0x55);
    let end = tokio::time::Instant::now() + Duration::from_secs(6);
    let mut seq: u16 = 0;
    while tokio::time::Instant::now() < end {
        packet[2..4].copy_from_slice(&seq.to_be_bytes());
        seq = seq.wrapping_add(1);
        let _ = socket.send_to(&packet, ("127.0.0.1", port)).await;
        if seq.is_multiple_of(256) {
            tokio::task::yield_now().await;
        }
    }
}
