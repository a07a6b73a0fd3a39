//! `rtspeek serve` as the real binary in its own process, on 127.0.0.1 ports picked by the system, with a test
//! CA and configuration written to a temporary directory. Dropping it kills the process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rtspeek_tests::peers::{PeerProcess, require, run_bounded};
use rtspeek_tests::pki::Cert;
use rustls::pki_types::CertificateDer;

/// How long the server may take to start (it encodes a first frame; a relay contacts its camera).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A test PKI: a root CA and certificate files in a directory.
pub(crate) struct Pki {
    /// The CA clients trust.
    pub(crate) root: Cert,
    /// The temporary directory (kept alive here).
    pub(crate) dir: tempfile::TempDir,
}

impl Pki {
    pub(crate) fn new() -> Pki {
        Pki {
            root: Cert::root("rtspeek test root"),
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// `ca.pem` in the directory.
    pub(crate) fn ca_path(&self) -> PathBuf {
        let path = self.dir.path().join("ca.pem");
        if !path.exists() {
            std::fs::write(&path, self.root.cert_pem()).expect("write ca.pem");
        }
        path
    }

    /// The CA as rustls takes it.
    pub(crate) fn ca_der(&self) -> CertificateDer<'static> {
        CertificateDer::from(self.root.cert_der().to_vec())
    }

    /// A leaf for `dns` names (and 127.0.0.1) issued by the root, written as `<stem>.pem` / `<stem>.key`.
    pub(crate) fn leaf(&self, stem: &str, dns: &[&str]) -> (PathBuf, PathBuf, Cert) {
        let cert = self
            .root
            .leaf()
            .cn(dns.first().copied().unwrap_or(stem))
            .dns(dns.iter().copied())
            .ip(["127.0.0.1"])
            .valid_now()
            .build();
        self.write(stem, &cert)
    }

    /// Writes `cert` and its key as `<stem>.pem` / `<stem>.key`.
    pub(crate) fn write(&self, stem: &str, cert: &Cert) -> (PathBuf, PathBuf, Cert) {
        let (pem, key) =
            (self.dir.path().join(format!("{stem}.pem")), self.dir.path().join(format!("{stem}.key")));
        std::fs::write(&pem, cert.cert_pem()).expect("write cert");
        std::fs::write(&key, cert.key_pem()).expect("write key");
        (pem, key, cert.clone())
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A configuration with the global pair `server.pem` for localhost/127.0.0.1, an RTSPS listener, a plain
/// listener with UDP, and a small synthetic camera at `synthetic`; `extra` is appended (more streams).
pub(crate) fn basic_config(pki: &Pki, extra: &str) -> String {
    pki.leaf("server", &["localhost"]);
    let udp = free_udp_pair();
    format!(
        r#"[server]
request_timeout_secs = 3
idle_timeout_secs = 10
watch_interval_secs = 1

[tls]
cert = "server.pem"
key = "server.key"
names = ["localhost", "127.0.0.1"]

[[listener]]
bind = "127.0.0.1:0"

[[listener]]
bind = "127.0.0.1:0"
tls = false
udp_port = {udp}

[[stream]]
path = "synthetic"
source = {{ kind = "synthetic", width = 320, height = 180, fps = 25, gop = 25, bitrate_kbps = 600 }}
{extra}"#
    )
}

/// An even UDP port whose successor is free too (for RTP and RTCP).
pub(crate) fn free_udp_pair() -> u16 {
    for _ in 0..50 {
        let Ok(a) = std::net::UdpSocket::bind("127.0.0.1:0") else { continue };
        let Ok(port) = a.local_addr().map(|a| a.port()) else { continue };
        if port % 2 == 0 && port < 65534 && std::net::UdpSocket::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no free UDP port pair on 127.0.0.1");
}

/// The running server.
pub(crate) struct Serve {
    pub(crate) process: PeerProcess,
    /// The URLs it printed, in order.
    pub(crate) urls: Vec<String>,
}

impl Serve {
    /// Writes `config` as `serve.toml` next to the PKI and starts `rtspeek serve` on it.
    pub(crate) fn start(pki: &Pki, config: &str) -> Serve {
        let path = pki.path().join("serve.toml");
        std::fs::write(&path, config).expect("write serve.toml");
        let mut command = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
        command.arg("serve").arg(&path).env("RUST_LOG", "info");
        let ready = Box::new(|line: &str| line.starts_with("rtspeek serve: ready").then_some(0));
        let process = PeerProcess::spawn(command, ready, START_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
        let urls = process.stdout_lines().into_iter().filter(|l| l.starts_with("rtsp")).collect();
        Serve { process, urls }
    }

    /// The URL of `path` over `scheme` (`rtsps` or `rtsp`).
    pub(crate) fn url(&self, scheme: &str, path: &str) -> String {
        self.urls
            .iter()
            .find(|u| u.starts_with(&format!("{scheme}://")) && u.ends_with(&format!("/{path}")))
            .unwrap_or_else(|| panic!("no {scheme} URL for {path} in {:?}", self.urls))
            .clone()
    }

    /// `127.0.0.1:port` of a URL.
    pub(crate) fn authority(url: &str) -> String {
        url.split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("a URL with an authority")
            .to_owned()
    }

    /// Resident memory of the server process, from /proc.
    pub(crate) fn rss_kib(&self) -> u64 {
        rss_kib_of(self.process.pid()).expect("VmRSS in /proc status")
    }
}

/// Resident memory of process `pid` in KiB (`VmRSS` of /proc), `None` when it cannot be read.
pub(crate) fn rss_kib_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `openssl s_client` with SNI `name` (none when empty): the SHA-256 fingerprint of the leaf it was shown.
pub(crate) fn served_fingerprint(authority: &str, name: &str, ca: &std::path::Path) -> String {
    let openssl = require("openssl").unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Command::new(&openssl);
    cmd.args(["s_client", "-connect", authority, "-verify_return_error", "-CAfile"]).arg(ca);
    if name.is_empty() {
        cmd.arg("-noservername");
    } else {
        cmd.args(["-servername", name]);
    }
    let out = run_bounded(cmd, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Verify return code: 0 (ok)"),
        "s_client {name}: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let begin = text.find("-----BEGIN CERTIFICATE-----").expect("s_client prints the leaf");
    let end = text.find("-----END CERTIFICATE-----").expect("PEM end") + "-----END CERTIFICATE-----".len();
    let pem = &text[begin..end];
    let der = rustls::pki_types::CertificateDer::from(
        rustls::pki_types::pem::PemObject::from_pem_slice(pem.as_bytes())
            .map(|c: rustls::pki_types::CertificateDer<'_>| c.to_vec())
            .expect("PEM"),
    );
    rtspeek_core::cert::fingerprint_sha256(&der)
}
