//! gst-rtsp-server (GStreamer 1.22, the Linux RTSP server) on 127.0.0.1, through our launcher script
//! `tests/peers/gst_rtsp_server.py` run by Debian's `/usr/bin/python3` (the GStreamer bindings live there).
//!
//! Mounts `/test` (H.264, x264enc), `/h265` (x265enc), `/openh264` (when installed) and `/record` (RECORD
//! mode); see the script's docstring for the pipelines and the server's known behaviour (`rtsp://` URLs
//! inside TLS, TLS 1.0 to 1.3 offered, no SNI).
//!
//! # SRTP ([`GstOptions::srtp`], measured on 2026-12-07 by tests/tests/it/srtp_peers.rs)
//! The play mounts get the profile `RTP/SAVP` only (`GstRTSPMediaFactory` profiles): the stream's `srtpenc`
//! draws a random key per media, and the SDP says `m=video 0 RTP/SAVP 96` with a media-level
//! `a=key-mgmt:mikey <base64>` (after `a=control`); the SETUP answer is `Transport: RTP/SAVP;unicast;
//! client_port=A-B;server_port=C-D;ssrc=...;mode="PLAY"` (UDP; TCP-interleaved SAVP works too). No
//! `KeyMgmt` header in its answers. `RTP/AVP` requests get `461 Unsupported transport`.
//! - MIKEY: MIKEY-NULL (pre-shared-key data type, KEMAC not encrypted, no MAC), one crypto session (the
//!   sender SSRC, ROC 0), RAND of 16 bytes, policy 0 = AES-CM 128, HMAC-SHA1, auth key length parameter
//!   10 (GStreamer writes the tag length there), SRTP and SRTCP encryption and SRTP authentication on:
//!   AES_CM_128_HMAC_SHA1_80. Key data: a TEK of 30 bytes (key || salt), no key validity, so no MKI.
//! - SRTCP: sender reports, encrypted (E flag set).
//! - GStreamer's `rtspsrc` plays it over UDP and TCP; ffprobe (no SRTP) gets 461 for both.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{DEFAULT_READY_TIMEOUT, PeerError, PeerFiles, PeerProcess, require};

/// The interpreter with the `gi` GStreamer bindings (a `python3` earlier on PATH may lack them).
const PYTHON: &str = "/usr/bin/python3";

/// RTSP authentication the server demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GstAuth {
    /// No authentication.
    #[default]
    None,
    /// Basic only.
    Basic,
    /// Digest (MD5) only.
    Digest,
    /// Both: two `WWW-Authenticate` headers.
    Both,
}

/// Lower transports the mounts accept for SETUP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GstProtocols {
    /// UDP and TCP interleaved.
    #[default]
    UdpTcp,
    /// UDP only: a TCP-interleaved SETUP gets 461 Unsupported Transport.
    Udp,
    /// TCP interleaved only.
    Tcp,
}

/// How to start gst-rtsp-server. [`Default`] gives plain RTSP, no auth, a small picture (320x180, 25 fps, a
/// keyframe every 25 frames, 300 kbit/s) and a 60 s lifetime.
#[derive(Debug, Clone)]
pub struct GstOptions {
    /// The server certificate (chain), PEM: serves RTSPS when set.
    pub cert_pem: Option<String>,
    /// The private key of `cert_pem`, PEM (PKCS#8 works); `None` if `cert_pem` holds it too.
    pub key_pem: Option<String>,
    /// RTSP authentication.
    pub auth: GstAuth,
    /// User name for `auth`.
    pub user: String,
    /// Password for `auth`.
    pub password: String,
    /// Require a client certificate issued by this CA (PEM); needs `cert_pem`. The server prints one line per
    /// decision (`client cert ... -> accept|reject`), see [`PeerProcess::wait_for_line`].
    pub client_cert_ca_pem: Option<String>,
    /// Transports accepted for SETUP.
    pub protocols: GstProtocols,
    /// Width and height of the test picture.
    pub size: (u32, u32),
    /// Frames per second.
    pub fps: u32,
    /// Keyframe interval, in frames.
    pub gop: u32,
    /// Encoder bitrate in kbit/s (0: the encoders' defaults).
    pub bitrate_kbps: u32,
    /// The server exits by itself after this many seconds, in case the test process dies without dropping it.
    pub timeout_s: u32,
    /// How long to wait for the server to listen.
    pub ready_timeout: Duration,
    /// An Annex B H.264 file served (once, shared) at `/file264`.
    pub file264: Option<PathBuf>,
    /// `/file264` is released at the clip's own frame rate (`clocksync`), as a live camera would send it,
    /// instead of as fast as the file is read (the default: gst-rtsp-server then sends in bursts).
    pub file264_paced: bool,
    /// The play mounts offer only RTP/SAVP: SRTP with a random key per media, announced as MIKEY in the
    /// SDP (see the module docs for what gst-rtsp-server sends then).
    pub srtp: bool,
}

impl Default for GstOptions {
    fn default() -> Self {
        GstOptions {
            cert_pem: None,
            key_pem: None,
            auth: GstAuth::None,
            user: "admin".into(),
            password: "secret".into(),
            client_cert_ca_pem: None,
            protocols: GstProtocols::UdpTcp,
            size: (320, 180),
            fps: 25,
            gop: 25,
            bitrate_kbps: 300,
            timeout_s: 60,
            ready_timeout: DEFAULT_READY_TIMEOUT,
            file264: None,
            file264_paced: false,
            srtp: false,
        }
    }
}

/// A running gst-rtsp-server; dropping it kills the server and deletes its certificate files.
#[derive(Debug)]
pub struct GstRtspServer {
    // Declared before `_dir`: the server dies before its files are deleted.
    process: PeerProcess,
    tls: bool,
    _dir: PeerFiles,
}

impl GstRtspServer {
    /// The launcher script, `tests/peers/gst_rtsp_server.py`.
    pub fn script() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("peers").join("gst_rtsp_server.py")
    }

    /// Starts the server on a free port of 127.0.0.1 and waits until it listens.
    ///
    /// Fails with [`PeerError::Missing`] if Python or the GStreamer bindings are not installed.
    ///
    /// # Panics
    /// If `client_cert_ca_pem` is set without `cert_pem` (client certificates need TLS).
    pub fn start(options: GstOptions) -> Result<GstRtspServer, PeerError> {
        assert!(
            options.client_cert_ca_pem.is_none() || options.cert_pem.is_some(),
            "GstOptions: client_cert_ca_pem needs cert_pem (client certificates need TLS)"
        );
        require(PYTHON)?;
        let dir = PeerFiles::new("gst")?;
        let write = |name: &str, pem: &str| dir.write(name, pem);

        let (w, h) = options.size;
        let mut cmd = Command::new(PYTHON);
        cmd.arg(Self::script())
            .args(["--address", "127.0.0.1", "--port", "0"])
            .args(["--size", &format!("{w}x{h}")])
            .args(["--fps", &options.fps.to_string(), "--gop", &options.gop.to_string()])
            .args(["--bitrate", &options.bitrate_kbps.to_string()])
            .args(["--timeout", &options.timeout_s.to_string()])
            .args(["--protocols", protocols_arg(options.protocols)]);
        if let Some(cert) = &options.cert_pem {
            cmd.arg("--cert").arg(write("cert.pem", cert)?);
        }
        if let Some(key) = &options.key_pem {
            cmd.arg("--key").arg(write("key.pem", key)?);
        }
        if let Some(ca) = &options.client_cert_ca_pem {
            cmd.args(["--client-cert", "require", "--ca"]).arg(write("client-ca.pem", ca)?);
        }
        if let Some(file) = &options.file264 {
            cmd.arg("--file264").arg(file);
            if options.file264_paced {
                cmd.arg("--paced");
            }
        }
        if options.srtp {
            cmd.arg("--srtp");
        }
        if let Some(auth) = auth_arg(options.auth) {
            cmd.args(["--auth", auth, "--user", &options.user, "--password", &options.password]);
        }

        match PeerProcess::spawn(cmd, Box::new(serving_port), options.ready_timeout) {
            Ok(process) => Ok(GstRtspServer { process, tls: options.cert_pem.is_some(), _dir: dir }),
            Err(PeerError::NotReady { stderr, .. }) if bindings_missing(&stderr) => Err(PeerError::Missing {
                program: "gst-rtsp-server's Python bindings".into(),
                detail: stderr.trim().lines().last().unwrap_or_default().to_owned(),
            }),
            Err(e) => Err(e),
        }
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// `rtsps://127.0.0.1:PORT/PATH` (or `rtsp://` without TLS); `path` is a mount such as `/test` or `h265`.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "rtsps" } else { "rtsp" };
        format!("{scheme}://127.0.0.1:{}/{}", self.port(), path.trim_start_matches('/'))
    }

    /// The underlying process: its output lines (client-certificate decisions) and stderr.
    pub fn process(&self) -> &PeerProcess {
        &self.process
    }
}

fn protocols_arg(protocols: GstProtocols) -> &'static str {
    match protocols {
        GstProtocols::UdpTcp => "udp,tcp",
        GstProtocols::Udp => "udp",
        GstProtocols::Tcp => "tcp",
    }
}

fn auth_arg(auth: GstAuth) -> Option<&'static str> {
    match auth {
        GstAuth::None => None,
        GstAuth::Basic => Some("basic"),
        GstAuth::Digest => Some("digest"),
        GstAuth::Both => Some("both"),
    }
}

/// The port in the script's readiness line, `serving rtsp[s]://ADDRESS:PORT{/test,...}`.
fn serving_port(line: &str) -> Option<u16> {
    let (_, address) = line.strip_prefix("serving rtsp")?.split_once("://")?;
    let (_, port) = address.split('{').next()?.rsplit_once(':')?;
    port.parse().ok()
}

/// Whether the script died importing `gi` or a GStreamer typelib (a Debian package is missing).
fn bindings_missing(stderr: &str) -> bool {
    stderr.contains("No module named 'gi'")
        || (stderr.contains("Namespace") && stderr.contains("not available"))
}

/// Plays `url` with GStreamer's `rtspsrc` (the launcher `tests/peers/gst_rtsp_client.py`) until `buffers`
/// depayloaded buffers arrived, trusting `ca` for `rtsps://` with full certificate validation. `udp` asks for
/// RTP over UDP. Returns the client's output; its status says whether the buffers came.
pub fn play_with_rtspsrc(
    url: &str,
    ca: Option<&Path>,
    udp: bool,
    buffers: u32,
    timeout: Duration,
) -> Result<std::process::Output, PeerError> {
    let mut cmd = rtspsrc_client(url, if udp { "udp" } else { "tcp" }, buffers, timeout)?;
    if let Some(ca) = ca {
        cmd.arg("--ca").arg(ca);
    }
    // The launcher stops itself at `timeout`; the bound is only for a hung interpreter.
    super::run_bounded(cmd, timeout + Duration::from_secs(10))
}

/// The client launcher for `url` over `protocols`, stopping after `buffers` or at `timeout`.
fn rtspsrc_client(url: &str, protocols: &str, buffers: u32, timeout: Duration) -> Result<Command, PeerError> {
    require(PYTHON)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers").join("gst_rtsp_client.py");
    let mut cmd = Command::new(PYTHON);
    cmd.arg(script)
        .arg(url)
        .args(["--protocols", protocols])
        .args(["--buffers", &buffers.to_string()])
        .args(["--timeout", &format!("{}", timeout.as_secs_f64())]);
    Ok(cmd)
}

/// [`play_with_rtspsrc`] over UDP with `rtsps://` request URLs inside TLS (the launcher's
/// `--rtsps-request-urls`: GStreamer 1.22 writes `rtsp://` ones, which live555 redirects to themselves
/// forever) and `srtpdec`'s warnings (`GST_DEBUG=srtpdec:2`) on standard error.
pub fn play_with_rtspsrc_rtsps_urls(
    url: &str,
    ca: &Path,
    buffers: u32,
    timeout: Duration,
) -> Result<std::process::Output, PeerError> {
    let mut cmd = rtspsrc_client(url, "udp", buffers, timeout)?;
    cmd.env("GST_DEBUG", "srtpdec:2").arg("--rtsps-request-urls").arg("--ca").arg(ca);
    super::run_bounded(cmd, timeout + Duration::from_secs(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_line() {
        assert_eq!(
            serving_port("serving rtsp://127.0.0.1:42777{/test,/h265,/openh264,/record}"),
            Some(42777)
        );
        assert_eq!(serving_port("serving rtsps://127.0.0.1:8322{/test,/record}"), Some(8322));
        assert_eq!(serving_port("serving rtsp://[::1]:8554{/test}"), Some(8554));
        assert_eq!(serving_port("client cert CN=x errors=0 -> accept"), None);
        assert_eq!(serving_port("serving rtsp://127.0.0.1:{/test}"), None);
    }
}
