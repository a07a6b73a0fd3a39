//! The real RTSP(S) clients of the interop matrix, each run once against a URL with its default settings (or
//! with one setting applied) and judged by what it did: played (media arrived) or not, with its own words.
//!
//! - FFmpeg: `ffprobe` (Debian: GnuTLS), which must name the stream's codec.
//! - GStreamer: `rtspsrc` through `tests/peers/gst_rtsp_client.py` (GnuTLS via glib-networking), buffers
//!   depayloaded.
//! - OpenSSL 3 / Python `ssl`: aiortsp through `tests/peers/aiortsp_client.py`, RTP packets received, in the
//!   venv `cargo xtask test` makes at `target/peers-venv`.
//! - Go: `tests/peers/go_tls_client.go` (Debian's golang-go, Go 1.19), a TLS handshake with Go's defaults and
//!   an RTSP answer over it (Go has no RTSP client of its own: only the TLS and certificate conditions apply).
//! - VLC 3: `cvlc` (Debian), run as `nobody` because VLC refuses root.
//!
//! Also [`capture_client_hello`]: what a client offers, read by a listener that answers nothing.

use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rtspeek_core::tls::{ClientHello, parse_handshake, parse_record};

use super::{PeerError, require, run_bounded};

/// What a client did.
#[derive(Debug, Clone)]
pub struct Played {
    /// Media arrived (or, for the TLS-only Go client, an RTSP answer over TLS).
    pub played: bool,
    /// Its last words (stdout and stderr tails), for messages.
    pub detail: String,
}

impl Played {
    fn from(output: &Output, played: bool) -> Played {
        let out = String::from_utf8_lossy(&output.stdout);
        let err = String::from_utf8_lossy(&output.stderr);
        let tail = |s: &str| {
            s.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" | ")
        };
        Played { played, detail: format!("{} {}", tail(&out), tail(&err)).trim().to_owned() }
    }
}

/// Bound on one client run.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(25);

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the repository").to_path_buf()
}

/// `ffprobe` with `extra` arguments: played when it names the first stream's codec.
pub fn ffprobe(url: &str, extra: &[&str]) -> Result<Played, PeerError> {
    let mut cmd = Command::new(require("ffprobe")?);
    cmd.args(["-hide_banner", "-v", "error"])
        .args(extra)
        .args(["-show_entries", "stream=codec_name", "-of", "csv=p=0"])
        .arg(url);
    let output = run_bounded(cmd, CLIENT_TIMEOUT)?;
    let named = String::from_utf8_lossy(&output.stdout).lines().any(|l| l == "h264" || l == "hevc");
    Ok(Played::from(&output, output.status.success() && named))
}

/// GStreamer `rtspsrc` with its default transports, trusting `ca` (a Gio.TlsFileDatabase) or its default
/// database (the system store).
pub fn gstreamer(url: &str, ca: Option<&Path>, h265: bool) -> Result<Played, PeerError> {
    let python = require("/usr/bin/python3")?;
    let mut cmd = Command::new(python);
    cmd.arg(repo_root().join("tests/peers/gst_rtsp_client.py"))
        .arg(url)
        .args(["--protocols", "default", "--buffers", "10", "--timeout", "12"])
        .args(["--codec", if h265 { "h265" } else { "h264" }]);
    if let Some(ca) = ca {
        cmd.arg("--ca").arg(ca);
    }
    let output = run_bounded(cmd, CLIENT_TIMEOUT)?;
    Ok(Played::from(&output, output.status.success()))
}

/// The venv interpreter that has aiortsp (made by `cargo xtask test`).
fn venv_python() -> Result<PathBuf, PeerError> {
    let python = repo_root().join("target/peers-venv/bin/python");
    require(python.to_str().unwrap_or_default()).map_err(|_| PeerError::Missing {
        program: "aiortsp".into(),
        detail: format!("no venv with aiortsp at {}", python.display()),
    })
}

/// aiortsp with Python's default SSL context; `env` adds variables (`SSL_CERT_FILE`).
pub fn aiortsp(url: &str, env: &[(&str, &Path)]) -> Result<Played, PeerError> {
    let mut cmd = Command::new(venv_python()?);
    cmd.arg(repo_root().join("tests/peers/aiortsp_client.py")).arg(url).args(["--timeout", "12"]);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let output = run_bounded(cmd, CLIENT_TIMEOUT)?;
    Ok(Played::from(&output, output.status.success()))
}

/// The Go client, built once per test process into a temporary directory.
fn go_client() -> Result<PathBuf, PeerError> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let go = require("go").map_err(|e| e.to_string())?;
        let dir = std::env::temp_dir().join(format!("rtspeek-go-client-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let exe = dir.join("go_tls_client");
        let mut cmd = Command::new(go);
        cmd.env("GO111MODULE", "off")
            .env("GOCACHE", dir.join("cache"))
            .args(["build", "-o"])
            .arg(&exe)
            .arg(repo_root().join("tests/peers/go_tls_client.go"));
        let output = run_bounded(cmd, Duration::from_secs(120)).map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!("go build failed: {}", String::from_utf8_lossy(&output.stderr)));
        }
        Ok(exe)
    });
    built.clone().map_err(|detail| PeerError::Missing { program: "go".into(), detail })
}

/// Go's `crypto/tls` with its defaults against `host:port`, trusting `ca` or the system store; `env` adds
/// variables (`SSL_CERT_FILE`).
pub fn go_tls(host: &str, port: u16, ca: Option<&Path>, env: &[(&str, &Path)]) -> Result<Played, PeerError> {
    let mut cmd = Command::new(go_client()?);
    cmd.arg(host).arg(port.to_string());
    if let Some(ca) = ca {
        cmd.arg(ca);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let output = run_bounded(cmd, CLIENT_TIMEOUT)?;
    Ok(Played::from(&output, output.status.success()))
}

/// `cvlc` for a few seconds, as `nobody` (VLC refuses to run as root); played unless it could not open the
/// input.
pub fn vlc(url: &str) -> Result<Played, PeerError> {
    let cvlc = require("cvlc")?;
    let home = std::env::temp_dir().join("rtspeek-vlc-home");
    std::fs::create_dir_all(&home)
        .and_then(|()| std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o777)))
        .map_err(|source| PeerError::Io { what: format!("cannot create {}", home.display()), source })?;
    let mut cmd = if is_root() {
        let mut c = Command::new(require("setpriv")?);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&cvlc);
        c
    } else {
        Command::new(&cvlc)
    };
    cmd.env("HOME", &home)
        .args([
            "-I",
            "dummy",
            "--play-and-exit",
            "--run-time",
            "4",
            "--vout",
            "dummy",
            "--aout",
            "dummy",
            "-v",
        ])
        .arg(url);
    let output = run_bounded(cmd, CLIENT_TIMEOUT)?;
    let text = String::from_utf8_lossy(&output.stderr);
    let refused = text.contains("can't be opened") || text.contains("unable to open the MRL");
    Ok(Played::from(&output, !refused))
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// What a client offers: runs `client` with the port of a listener that reads the first TLS record and
/// closes, and parses it as a ClientHello.
pub fn capture_client_hello(client: impl FnOnce(u16)) -> Result<ClientHello, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let reader = std::thread::spawn(move || -> Result<Vec<u8>, String> {
        listener.set_nonblocking(false).map_err(|e| e.to_string())?;
        let (mut stream, _) = listener.accept().map_err(|e| e.to_string())?;
        stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
        let mut bytes = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
            if bytes.len() >= 5 && bytes.len() >= 5 + usize::from(u16::from_be_bytes([bytes[3], bytes[4]])) {
                break;
            }
        }
        Ok(bytes)
    });
    client(port);
    let bytes = reader.join().map_err(|_| "the capture thread panicked".to_owned())??;
    let (record, _) = parse_record(&bytes).map_err(|e| format!("not a TLS record: {e}"))?;
    let (message, _) = parse_handshake(record.fragment).map_err(|e| format!("not a handshake: {e}"))?;
    ClientHello::parse(message.body).map_err(|e| format!("not a ClientHello: {e}"))
}
