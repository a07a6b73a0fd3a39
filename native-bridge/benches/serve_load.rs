//! Load benchmark: how many RTSPS viewers of one 2 Mbit/s stream `rtspeek serve` holds with zero RTP loss,
//! against gst-rtsp-server serving the same clip on the same machine, in the same run.
//!
//! `cargo bench -p rtspeek --bench serve_load` (release build). For each server, N viewers (our
//! `player`, built on core: TLS with the test CA, TCP interleaved) play for `RTSPEEK_LOAD_SECS` (default 30) at
//! N = 25, 50, 100, 200, ... until a step fails; a step holds when every viewer plays to the end with zero RTP
//! loss. Reported per step: loss, late packets (over 250 ms behind the stream's own pace), the server's
//! resident memory per viewer, and the application bytes delivered per second through TLS.
//!
//! The server's own cost (issue 18): the CPU time of the server process alone (utime + stime of
//! /proc/PID/stat, in `getconf CLK_TCK` ticks) over each step's steady window, and the bytes it wrote
//! (`wchar` of /proc/PID/io: the TLS records on the wire; it counts write(2)/writev(2), so gst-rtsp-server,
//! which sends with sendmsg(2), shows none). The figure is the application bytes the viewers
//! received per server CPU-second, against `openssl speed -evp aes-128-gcm` (16 KiB blocks, one core)
//! measured at the start of the same run.
//!
//! Environment: `RTSPEEK_LOAD_SECS` (steady window per step, default 30), `RTSPEEK_LOAD_STEPS=200,800,1600`
//! (replaces the default ramp), `RTSPEEK_LOAD_KEEP_GOING=1` (run every step even after one fails, so that both
//! servers get the CPU figure at the same N), `RTSPEEK_LOAD_ONLY=gst|rtspeek` (one side only),
//! `RTSPEEK_LOAD_GST_PACED=0` (gst-rtsp-server reads the clip as fast as it can, as in issue 5's figures; by
//! default it is released at its frame rate, like a live camera).
//!
//! Both servers and the viewers share this machine's cores: wall-clock throughput compares the servers under
//! the same client load, it is not their limit on dedicated hardware; CPU-seconds of the server process are
//! much less sensitive to that.

// The bench uses the launcher and the memory reading of the test support, not the rest of it.
#[allow(dead_code)]
#[path = "../tests/it/support/serve.rs"]
mod serve_support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rtspeek_bridge::player::{self, Counters, Target};
use rtspeek_core::rtsp::Url;
use rtspeek_tests::peers::gst::{GstOptions, GstRtspServer};
use rtspeek_tests::pki::Cert;
use serve_support::{Pki, Serve, rss_kib_of};

/// CPU time and bytes written of one process, from /proc.
#[derive(Debug, Clone, Copy)]
struct ProcUsage {
    /// utime + stime, in clock ticks.
    ticks: u64,
    /// `wchar` of /proc/PID/io: bytes passed to write-like system calls (sockets included).
    written: u64,
}

impl ProcUsage {
    fn read(pid: u32) -> Option<ProcUsage> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name may hold spaces: the fields are counted after its closing parenthesis, where
        // field 3 (state) comes first; utime and stime are fields 14 and 15.
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
        let written =
            io.lines().find_map(|l| l.strip_prefix("wchar:")).and_then(|v| v.trim().parse().ok())?;
        Some(ProcUsage { ticks: utime + stime, written })
    }
}

/// `getconf CLK_TCK`: the unit of /proc/PID/stat's CPU times.
fn clock_ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

const STEPS: &[usize] = &[25, 50, 100, 200, 300, 400, 600, 800, 1200, 1600];
// Long enough for a paced gst-rtsp-server step (setup of up to 30 s, then the window) before the clip ends.
const CLIP_SECS: u32 = 90;

struct Step {
    viewers: usize,
    playing: u64,
    failed: u64,
    lost: u64,
    late: u64,
    packets: u64,
    bytes_per_sec: f64,
    rss_per_viewer_kib: f64,
    /// Application bytes the viewers received in the steady window.
    bytes: u64,
    /// Bytes the server wrote in the window (TLS records).
    wire_bytes: u64,
    /// CPU seconds the server process used in the window.
    cpu_secs: f64,
    /// The window's length.
    elapsed: f64,
}

impl Step {
    fn held(&self) -> bool {
        self.failed == 0 && self.lost == 0 && self.playing == self.viewers as u64
    }

    /// Application bytes delivered per server CPU-second.
    fn bytes_per_cpu_sec(&self) -> f64 {
        if self.cpu_secs > 0.0 { self.bytes as f64 / self.cpu_secs } else { 0.0 }
    }
}

fn main() {
    let secs: u64 = std::env::var("RTSPEEK_LOAD_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let work = tempfile::tempdir().expect("tempdir");
    let clip = work.path().join("clip.264");
    make_clip(&clip);
    let pki = Pki::new();
    let (_, _, leaf) = pki.leaf("server", &["localhost"]);

    let aes = openssl_speed();
    println!("openssl speed -evp aes-128-gcm (16 KiB blocks, 1 core): {:.0} MB/s", aes / 1e6);
    let tck = clock_ticks_per_sec();
    println!("CLK_TCK {tck}; load before the run: {}", loadavg());

    let config = format!(
        "[server]\nmax_connections = 8192\nmax_connections_per_ip = 8192\n\n[tls]\ncert = \"server.pem\"\nkey = \"server.key\"\nnames = [\"localhost\", \"127.0.0.1\"]\n\n\
         [[listener]]\nbind = \"127.0.0.1:0\"\n\n[[stream]]\npath = \"clip\"\nsource = {{ kind = \"file\", path = \"{}\" }}\n",
        clip.display()
    );
    // `RTSPEEK_LOAD_ONLY=gst` or `=rtspeek` runs one side (the other's figures from an earlier run).
    let only = std::env::var("RTSPEEK_LOAD_ONLY").unwrap_or_default();
    let ours_steps = if only == "gst" {
        Vec::new()
    } else {
        let serve = Serve::start(&pki, &config);
        let ours = Url::parse(&serve.url("rtsps", "clip")).unwrap();
        println!("\n== rtspeek serve ({}) ==", ours);
        ramp(&ours, &pki, secs, serve.process.pid(), tck, aes)
    };
    let gst_steps = if only == "rtspeek" { Vec::new() } else { gst_ramp(&pki, &leaf, &clip, secs, tck, aes) };

    let best = |steps: &[Step]| steps.iter().filter(|s| s.held()).map(|s| s.viewers).max().unwrap_or(0);
    let (a, b) = (best(&ours_steps), best(&gst_steps));
    println!("\nlargest N held with zero loss for {secs} s: rtspeek serve {a}, gst-rtsp-server {b}");
    if let Some(top) = ours_steps.iter().filter(|s| s.held()).max_by_key(|s| s.viewers) {
        println!(
            "rtspeek serve at N = {}: {:.1} KiB RSS per viewer, {:.0} MB/s through TLS",
            top.viewers,
            top.rss_per_viewer_kib,
            top.bytes_per_sec / 1e6,
        );
    }
    // The server's own cost: bytes per server CPU-second against one core's AES-128-GCM (target >= 50 %).
    for (name, steps) in [("rtspeek serve", &ours_steps), ("gst-rtsp-server", &gst_steps)] {
        for s in steps.iter() {
            println!(
                "{name} at N = {}: {:.0} MB per server CPU-second = {:.0}% of openssl's AES-128-GCM ({:.2} CPU-s over {:.1} s)",
                s.viewers,
                s.bytes_per_cpu_sec() / 1e6,
                if aes > 0.0 { 100.0 * s.bytes_per_cpu_sec() / aes } else { 0.0 },
                s.cpu_secs,
                s.elapsed
            );
        }
    }
    println!("load after the run: {}", loadavg());
}

/// `/proc/loadavg`, for the record (other work on the machine changes wall-clock figures).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_owned()
}

/// The ramp against gst-rtsp-server serving `clip` at `/file264` over TLS with `leaf`.
fn gst_ramp(pki: &Pki, leaf: &Cert, clip: &Path, secs: u64, tck: f64, aes: f64) -> Vec<Step> {
    let gst = GstRtspServer::start(GstOptions {
        cert_pem: Some(leaf.cert_pem()),
        key_pem: Some(leaf.key_pem()),
        file264: Some(clip.to_path_buf()),
        // Paced like a live camera (issue 18), so that gst's figures reflect capacity, not the bursts of a
        // file read as fast as it goes; `RTSPEEK_LOAD_GST_PACED=0` gives the unpaced pipeline of issue 5.
        file264_paced: std::env::var("RTSPEEK_LOAD_GST_PACED").map_or(true, |v| v != "0"),
        timeout_s: 3600,
        ..GstOptions::default()
    })
    .expect("gst-rtsp-server starts (run `cargo xtask test` to install it)");
    let theirs = Url::parse(&gst.url("/file264")).unwrap();
    println!("\n== gst-rtsp-server ({}) ==", theirs);
    ramp(&theirs, pki, secs, gst.process().pid(), tck, aes)
}

/// A 2 Mbit/s 720p H.264 clip (Annex B), made with ffmpeg's libx264.
fn make_clip(path: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size=1280x720:rate=25:duration={CLIP_SECS}"))
        .args(["-c:v", "libx264", "-preset", "veryfast", "-b:v", "2M", "-maxrate", "2M", "-bufsize", "1M"])
        .args(["-g", "50", "-bf", "0", "-bsf:v", "h264_mp4toannexb", "-f", "h264"])
        .arg(path)
        .status()
        .expect("ffmpeg (run `cargo xtask test` to install it)");
    assert!(status.success(), "ffmpeg could not make the clip");
}

/// Bytes per second of `openssl speed -evp aes-128-gcm` for 16 KiB blocks.
fn openssl_speed() -> f64 {
    let out = Command::new("openssl")
        .args(["speed", "-evp", "aes-128-gcm", "-bytes", "16384", "-seconds", "3"])
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&out.stdout);
    // Last line: `AES-128-GCM  123456.78k` (thousands of bytes per second).
    text.lines()
        .rev()
        .find_map(|l| l.split_whitespace().last()?.strip_suffix('k')?.parse::<f64>().ok())
        .map_or(0.0, |k| k * 1000.0)
}

/// Runs the steps against the server process `pid`; `tck` is CLK_TCK, `aes` openssl's bytes per second.
fn ramp(url: &Url, pki: &Pki, secs: u64, pid: u32, tck: f64, aes: f64) -> Vec<Step> {
    let rss = || rss_kib_of(pid).unwrap_or(0);
    let usage = || ProcUsage::read(pid).expect("/proc/PID/stat and /proc/PID/io of the server");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let target = Target { url: url.clone(), anchors: vec![pki.ca_der()], timeout: Duration::from_secs(20) };
    let mut steps = Vec::new();
    println!(
        "{:>6} {:>8} {:>7} {:>6} {:>8} {:>10} {:>8} {:>10} {:>8} {:>8} {:>9} {:>7}",
        "N",
        "playing",
        "failed",
        "lost",
        "late",
        "packets",
        "MB/s",
        "KiB/viewer",
        "wire MB/s",
        "srv CPU",
        "MB/CPU-s",
        "vs AES"
    );
    let keep_going = std::env::var("RTSPEEK_LOAD_KEEP_GOING").is_ok_and(|v| v == "1");
    // `RTSPEEK_LOAD_STEPS=1,5,10` replaces the default ramp.
    let ramp_steps: Vec<usize> = std::env::var("RTSPEEK_LOAD_STEPS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| STEPS.to_vec());
    for n in ramp_steps {
        std::thread::sleep(Duration::from_secs(2));
        let idle = rss();
        let step = runtime.block_on(run_step(&target, n, Duration::from_secs(secs), &rss, idle, &usage, tck));
        println!(
            "{:>6} {:>8} {:>7} {:>6} {:>8} {:>10} {:>8.1} {:>10.1} {:>9} {:>7.0}% {:>9.0} {:>6.1}%",
            n,
            step.playing,
            step.failed,
            step.lost,
            step.late,
            step.packets,
            step.bytes_per_sec / 1e6,
            step.rss_per_viewer_kib,
            // wchar counts write(2)/writev(2) only: a server that sends with sendmsg(2) (gst) writes far less
            // than it delivers there, and shows `-`.
            if step.wire_bytes < step.bytes / 100 {
                "-".to_owned()
            } else {
                format!("{:.1}", step.wire_bytes as f64 / step.elapsed / 1e6)
            },
            100.0 * step.cpu_secs / step.elapsed,
            step.bytes_per_cpu_sec() / 1e6,
            if aes > 0.0 { 100.0 * step.bytes_per_cpu_sec() / aes } else { 0.0 },
        );
        let held = step.held();
        steps.push(step);
        if !held && !keep_going {
            break;
        }
    }
    steps
}

async fn run_step(
    target: &Target,
    n: usize,
    duration: Duration,
    rss: &impl Fn() -> u64,
    idle_kib: u64,
    usage: &impl Fn() -> ProcUsage,
    tck: f64,
) -> Step {
    let counters = Arc::new(Counters::default());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::with_capacity(n);
    // Viewers arrive in batches, as a crowd does, not all in the same millisecond.
    for i in 0..n {
        let (target, counters, mut stop) = (target.clone(), counters.clone(), stop_rx.clone());
        tasks.push(tokio::spawn(async move {
            let _ = player::play(&target, &counters, async move {
                let _ = stop.changed().await;
            })
            .await;
        }));
        if i % 25 == 24 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Measure once everyone plays (or the setup time is over).
    let setup_deadline = Instant::now() + Duration::from_secs(30);
    while counters.playing.load(Ordering::Relaxed) + counters.failed.load(Ordering::Relaxed) < n as u64
        && Instant::now() < setup_deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bytes0 = counters.bytes.load(Ordering::Relaxed);
    let usage0 = usage();
    let start = Instant::now();
    tokio::time::sleep(duration / 2).await;
    let loaded_kib = rss();
    tokio::time::sleep(duration - duration / 2).await;
    let usage1 = usage();
    let elapsed = start.elapsed().as_secs_f64();
    let bytes = counters.bytes.load(Ordering::Relaxed) - bytes0;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
    }
    Step {
        viewers: n,
        playing: counters.playing.load(Ordering::Relaxed),
        failed: counters.failed.load(Ordering::Relaxed),
        lost: counters.lost.load(Ordering::Relaxed),
        late: counters.late.load(Ordering::Relaxed),
        packets: counters.packets.load(Ordering::Relaxed),
        bytes_per_sec: bytes as f64 / elapsed,
        rss_per_viewer_kib: loaded_kib.saturating_sub(idle_kib) as f64 / n as f64,
        bytes,
        wire_bytes: usage1.written.saturating_sub(usage0.written),
        cpu_secs: usage1.ticks.saturating_sub(usage0.ticks) as f64 / tck,
        elapsed,
    }
}
