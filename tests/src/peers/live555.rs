//! live555 (LIVE555 Streaming Media 2024.06.26) as an SRTP/RTSPS server on 127.0.0.1: our thin server main
//! `tests/peers/live555/rtspeek_live555_server.cpp` built against live555's unmodified library sources (PyPI
//! sdist `liblivemedia` 1.0.5) by `cargo xtask test` into `<target dir>/peers-live555/1.0.5/`.
//!
//! It serves one H.264 Annex B file ([`Live555Options::file264`], or a clip made with ffmpeg) on one path,
//! each client from the start of the file; the stream ends (RTCP BYE) with the file.
//!
//! # What it sends (measured on 2026-12-07 by tests/tests/it/srtp_peers.rs)
//! - **SRTP with TLS** is live555's own switch `RTSPServer::setTLSState(cert, key, srtp, encrypt)`: the SDP
//!   says `m=video 0 RTP/SAVP 96` with a media-level `a=key-mgmt:mikey <base64>`, the SETUP answer
//!   `Transport: RTP/SAVP;unicast;destination=127.0.0.1;source=127.0.0.1;client_port=A-B;server_port=C-D`
//!   (whatever profile the request named). No `KeyMgmt` header in its answers.
//! - RTP over TCP is off with SRTP, but only recognised spelled `RTP/AVP/TCP` (answered `461`): a SETUP
//!   with `RTP/SAVP/TCP;unicast;interleaved=0-1` is read as UDP to the default client ports and answered
//!   `200` with `RTP/SAVP;...;client_port=0-1`.
//! - MIKEY: MIKEY-NULL (pre-shared-key data type, KEMAC not encrypted, no MAC: the keys are as secret as
//!   the RTSP connection), one crypto session per stream with ROC 0, RAND of 16 bytes, policy 0 = AES-CM
//!   128, HMAC-SHA1 with a 20-byte auth key, 14-byte salt, tag length 10 (AES_CM_128_HMAC_SHA1_80), SRTP and
//!   SRTCP encryption and SRTP authentication on. Key data: a TEK of 30 bytes (key || salt) with key validity
//!   SPI, a 4-byte MKI that every SRTP and SRTCP packet carries.
//! - SRTCP: sender reports, encrypted (E flag set) like SRTP.
//! - `encrypt: false` announces NULL encryption for both (policy encryption algorithm 0, SRTP/SRTCP
//!   encryption off): payloads and RTCP travel in clear, SRTCP verifies, but the SRTP tags do **not**: live555
//!   computes them over a rollover counter it never initialises on that path (`fSendingROC` is only set
//!   when encrypting), so no receiver can authenticate its RTP.
//! - Keys come from `random()`, seeded in `getOurIPAddresses`, which is never called once
//!   `ReceivingInterfaceAddr` is set (as here, and on any device bound to one interface): **every run sends
//!   the same master key and MKI**, and every client of a stream gets the same one.
//! - **Without TLS** live555 has no SRTP switch; with `srtp: true` the server main sets the session's
//!   public `streamingUsesSRTP` flags instead: the same SDP (so MIKEY keys in the *clear* SDP, a real
//!   weakness) and packets, but the SETUP answer says `RTP/AVP` (that line follows the TLS-only switch) and
//!   TCP-interleaved SETUP is allowed.
//! - It answers an `rtsp://` request URL on its TLS port with `301` to the `rtsps://` URL.
//! - Digest: `WWW-Authenticate: Digest realm="LIVE555 Streaming Media", nonce="..."`.
//!
//! # What clients make of it (same tests)
//! - GStreamer 1.22 `rtspsrc` plays neither: without TLS it follows the answer's `RTP/AVP`, feeds SRTP to
//!   plain RTP caps and stops with `not-negotiated`; with TLS it writes `rtsp://` request URLs, so it follows
//!   live555's 301 to the same `rtsps://` URL forever. With those URLs corrected (the test launcher's
//!   `--rtsps-request-urls`) it sets up SRTP, and its `srtpdec` refuses every packet (authentication error):
//!   1.22 drops the MKI of the MIKEY key (MKI support came with 1.26), so the MKI reads as part of the tag.
//! - ffprobe (FFmpeg 5.1) has no SRTP: over `rtsps://` it asks for TCP (461); without TLS it gets the
//!   SRTP packets as RTP and parses ciphertext as H.264.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{DEFAULT_READY_TIMEOUT, PeerError, PeerFiles, PeerProcess, require, run_bounded};

/// The live555 library version the server is built from.
pub const LIVE555_VERSION: &str = "2024.06.26";
/// The PyPI sdist (`liblivemedia`) version that carries it; names the cache directory.
pub const SDIST_VERSION: &str = "1.0.5";

/// How to start the live555 server. [`Default`] gives plain RTSP, no SRTP, no auth, a 20 s clip and a 60 s
/// lifetime.
#[derive(Debug, Clone)]
pub struct Live555Options {
    /// The server certificate, PEM: serves RTSPS when set.
    pub cert_pem: Option<String>,
    /// The private key of `cert_pem`, PEM; `None` if `cert_pem` holds it too.
    pub key_pem: Option<String>,
    /// SRTP with MIKEY keys in the SDP (see the module docs for what that means without TLS).
    pub srtp: bool,
    /// Encrypt SRTP and SRTCP (`false`: authentication only); meaningful with `srtp`.
    pub encrypt: bool,
    /// Digest authentication with this user name and password.
    pub digest: Option<(String, String)>,
    /// Allow RTP over TCP (live555's default; it refuses it anyway with TLS and SRTP).
    pub tcp: bool,
    /// The path served, without the leading slash.
    pub path: String,
    /// The Annex B H.264 file served; `None` makes a clip of `clip_seconds` with ffmpeg.
    pub file264: Option<PathBuf>,
    /// Length of the clip made when `file264` is `None` (320x180, 25 fps, a keyframe every second).
    pub clip_seconds: u32,
    /// The server exits by itself after this many seconds.
    pub timeout_s: u32,
    /// How long to wait for the server to listen.
    pub ready_timeout: Duration,
}

impl Default for Live555Options {
    fn default() -> Self {
        Live555Options {
            cert_pem: None,
            key_pem: None,
            srtp: false,
            encrypt: true,
            digest: None,
            tcp: true,
            path: "test".into(),
            file264: None,
            clip_seconds: 20,
            timeout_s: 60,
            ready_timeout: DEFAULT_READY_TIMEOUT,
        }
    }
}

/// A running live555 server; dropping it kills the server and deletes its files.
#[derive(Debug)]
pub struct Live555Server {
    // Declared before `_dir`: the server dies before its files are deleted.
    process: PeerProcess,
    tls: bool,
    path: String,
    _dir: PeerFiles,
}

/// Where `cargo xtask test` builds the server: `$RTSPEEK_LIVE555_SERVER` if set, else
/// `<target dir>/peers-live555/<sdist version>/rtspeek_live555_server`, the target directory being
/// `$CARGO_TARGET_DIR` (relative to the workspace root) or the workspace's `target/`, as xtask computes it.
pub fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("RTSPEEK_LIVE555_SERVER") {
        return PathBuf::from(path);
    }
    let root = super::clients::repo_root();
    let target = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
        .into_iter()
        .find_map(std::env::var_os)
        .map_or_else(|| root.join("target"), |dir| root.join(dir));
    target.join("peers-live555").join(SDIST_VERSION).join("rtspeek_live555_server")
}

impl Live555Server {
    /// Starts the server on a free port of 127.0.0.1 and waits until it listens.
    ///
    /// Fails with [`PeerError::Missing`] if the server was not built (run `cargo xtask test`) or ffmpeg is
    /// missing for the clip.
    pub fn start(options: Live555Options) -> Result<Live555Server, PeerError> {
        let binary = server_binary();
        let binary = require(binary.to_str().unwrap_or_default()).map_err(|_| PeerError::Missing {
            program: "rtspeek_live555_server".into(),
            detail: format!("not built at {} (cargo xtask test builds it)", binary.display()),
        })?;
        let dir = PeerFiles::new("live555")?;
        let file = match &options.file264 {
            Some(file) => file.clone(),
            None => {
                let clip = dir.0.path().join("clip.264");
                make_clip(&clip, options.clip_seconds)?;
                clip
            }
        };
        let mut cmd = Command::new(binary);
        cmd.arg("--file")
            .arg(&file)
            .args(["--path", &options.path, "--port", "0"])
            .args(["--timeout", &options.timeout_s.to_string()]);
        if let Some(cert) = &options.cert_pem {
            cmd.arg("--cert").arg(dir.write("cert.pem", cert)?);
        }
        if let Some(key) = &options.key_pem {
            cmd.arg("--key").arg(dir.write("key.pem", key)?);
        }
        if options.srtp {
            cmd.arg("--srtp");
        }
        if !options.encrypt {
            cmd.arg("--no-encrypt");
        }
        if !options.tcp {
            cmd.arg("--no-tcp");
        }
        if let Some((user, password)) = &options.digest {
            cmd.args(["--user", user, "--password", password]);
        }
        let process = PeerProcess::spawn(cmd, Box::new(serving_port), options.ready_timeout)?;
        Ok(Live555Server { process, tls: options.cert_pem.is_some(), path: options.path, _dir: dir })
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// `rtsps://127.0.0.1:PORT/PATH` (or `rtsp://` without TLS); the server only serves
    /// [`Live555Options::path`] (see [`Live555Server::stream_url`]), other paths get 404.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "rtsps" } else { "rtsp" };
        format!("{scheme}://127.0.0.1:{}/{}", self.port(), path.trim_start_matches('/'))
    }

    /// The URL of the served stream.
    pub fn stream_url(&self) -> String {
        self.url(&self.path)
    }

    /// The underlying process: its output and stderr.
    pub fn process(&self) -> &PeerProcess {
        &self.process
    }
}

/// Writes an Annex B H.264 clip of `seconds` (320x180, 25 fps, 4:2:0, a keyframe every 25 frames, no
/// B-frames) with ffmpeg's libx264.
pub fn make_clip(path: &Path, seconds: u32) -> Result<(), PeerError> {
    let mut cmd = Command::new(require("ffmpeg")?);
    cmd.args(["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc=size=320x180:rate=25:duration={seconds}"))
        .args(["-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency"])
        .args(["-g", "25", "-bf", "0", "-bsf:v", "h264_mp4toannexb", "-f", "h264"])
        .arg(path);
    let output = run_bounded(cmd, Duration::from_secs(60))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(PeerError::Io {
            what: format!(
                "ffmpeg could not write {}: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            source: std::io::Error::other(output.status.to_string()),
        })
    }
}

/// The port in the readiness line, `serving rtsp[s]://127.0.0.1:PORT/PATH srtp=on|off encrypt=on|off`.
fn serving_port(line: &str) -> Option<u16> {
    let (_, rest) = line.strip_prefix("serving rtsp")?.split_once("://")?;
    let authority = rest.split('/').next()?;
    let (_, port) = authority.rsplit_once(':')?;
    port.parse().ok().filter(|&p| p != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_line() {
        assert_eq!(serving_port("serving rtsp://127.0.0.1:41234/test srtp=on encrypt=on"), Some(41234));
        assert_eq!(serving_port("serving rtsps://127.0.0.1:8322/cam srtp=off encrypt=off"), Some(8322));
        assert_eq!(serving_port("serving rtsp://127.0.0.1:0/test srtp=on encrypt=on"), None);
        assert_eq!(serving_port("RTSP server ready"), None);
    }

    #[test]
    fn the_binary_lives_under_the_target_dir() {
        let path = server_binary();
        if std::env::var_os("RTSPEEK_LIVE555_SERVER").is_none() {
            assert!(path.ends_with("peers-live555/1.0.5/rtspeek_live555_server"), "{}", path.display());
        }
    }
}
