//! `openssl s_server` (OpenSSL 3.0) on 127.0.0.1, for TLS-level faults: a TLS-1.0-only or 1.1-only endpoint,
//! a single weak cipher, a required client certificate.
//!
//! It completes handshakes and then idles, echoing what the client sends to its standard output (which
//! [`PeerProcess`] drains). It serves one connection at a time: a second client waits in the listen backlog
//! until the first one closes.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use super::{DEFAULT_READY_TIMEOUT, PeerError, PeerFiles, PeerProcess, free_port, require};

/// Attempts at a free port: another process may take the one we picked before s_server binds it.
const PORT_ATTEMPTS: usize = 5;

/// The protocol versions the server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsVersions {
    /// OpenSSL's defaults (TLS 1.2 and 1.3 with Debian's configuration).
    #[default]
    Default,
    /// TLS 1.0 only (`-tls1`).
    Tls10Only,
    /// TLS 1.1 only (`-tls1_1`).
    Tls11Only,
    /// TLS 1.2 only (`-tls1_2`).
    Tls12Only,
    /// TLS 1.3 only (`-tls1_3`).
    Tls13Only,
}

/// How to start `openssl s_server`. Build with [`OpensslOptions::new`] and change fields with struct update
/// syntax.
#[derive(Debug, Clone)]
pub struct OpensslOptions {
    /// The server certificate (chain), PEM.
    pub cert_pem: String,
    /// Its private key, PEM.
    pub key_pem: String,
    /// Accepted protocol versions.
    pub versions: TlsVersions,
    /// The TLS 1.2-and-below cipher list (`-cipher`), e.g. `AES128-SHA`. `None` means OpenSSL's default,
    /// except for [`TlsVersions::Tls10Only`] and [`TlsVersions::Tls11Only`], which get `DEFAULT@SECLEVEL=0`:
    /// OpenSSL 3.0 refuses TLS 1.0 and 1.1 at its default security level. An explicit list for those versions
    /// needs `@SECLEVEL=0` too.
    pub cipher: Option<String>,
    /// Require a client certificate issued by this CA, PEM (`-Verify 1 -CAfile`). With TLS 1.3 a missing
    /// certificate only fails after the handshake (alert 116); with TLS 1.2 during it.
    pub require_client_cert_ca_pem: Option<String>,
    /// The server exits by itself after this many seconds (coreutils `timeout`), in case the test process
    /// dies without dropping it.
    pub lifetime_s: u32,
    /// How long to wait for the server to listen.
    pub ready_timeout: Duration,
}

impl OpensslOptions {
    /// A server with this certificate and key, default versions and ciphers, no client certificate, 60 s
    /// lifetime.
    pub fn new(cert_pem: impl Into<String>, key_pem: impl Into<String>) -> OpensslOptions {
        OpensslOptions {
            cert_pem: cert_pem.into(),
            key_pem: key_pem.into(),
            versions: TlsVersions::Default,
            cipher: None,
            require_client_cert_ca_pem: None,
            lifetime_s: 60,
            ready_timeout: DEFAULT_READY_TIMEOUT,
        }
    }
}

/// A running `openssl s_server`; dropping it kills the server and deletes its files.
#[derive(Debug)]
pub struct OpensslServer {
    // Declared before `_dir`: the server dies before its files are deleted.
    process: PeerProcess,
    _dir: PeerFiles,
}

impl OpensslServer {
    /// Starts the server on a free port of 127.0.0.1 and waits until it listens.
    ///
    /// s_server cannot be asked for port 0 and tell which port it got (OpenSSL 3.0), so a free port is picked
    /// first and the start retried if another process takes it in between.
    pub fn start(options: OpensslOptions) -> Result<OpensslServer, PeerError> {
        require("openssl")?;
        require("timeout")?;
        let dir = PeerFiles::new("openssl")?;
        let write = |name: &str, pem: &str| dir.write(name, pem);
        let cert = write("cert.pem", &options.cert_pem)?;
        let key = write("key.pem", &options.key_pem)?;
        let ca =
            options.require_client_cert_ca_pem.as_deref().map(|ca| write("client-ca.pem", ca)).transpose()?;

        let mut attempt = 1;
        loop {
            let port = free_port()?;
            let mut cmd = Command::new("timeout");
            // SIGTERM at the end of the lifetime, SIGKILL 2 s later if that was not enough.
            cmd.args(["-k", "2", &options.lifetime_s.to_string(), "openssl", "s_server"])
                .args(["-accept", &format!("127.0.0.1:{port}")])
                .arg("-cert")
                .arg(&cert)
                .arg("-key")
                .arg(&key);
            if let Some(flag) = version_flag(options.versions) {
                cmd.arg(flag);
            }
            let legacy = matches!(options.versions, TlsVersions::Tls10Only | TlsVersions::Tls11Only);
            if let Some(cipher) = options.cipher.as_deref().or(legacy.then_some("DEFAULT@SECLEVEL=0")) {
                cmd.args(["-cipher", cipher]);
            }
            if let Some(ca) = &ca {
                cmd.args(["-Verify", "1", "-CAfile"]).arg(ca);
            }
            // OpenSSL 3.0 prints `ACCEPT` once listening; later versions `ACCEPT 127.0.0.1:PORT`.
            let ready =
                Box::new(move |line: &str| (line == "ACCEPT" || line.starts_with("ACCEPT ")).then_some(port));
            match PeerProcess::spawn(cmd, ready, options.ready_timeout) {
                Ok(process) => return Ok(OpensslServer { process, _dir: dir }),
                Err(PeerError::NotReady { stderr, .. })
                    if attempt < PORT_ATTEMPTS && stderr.contains("Address already in use") =>
                {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port()))
    }

    /// The underlying process: what s_server printed about its connections, and its stderr.
    pub fn process(&self) -> &PeerProcess {
        &self.process
    }
}

fn version_flag(versions: TlsVersions) -> Option<&'static str> {
    match versions {
        TlsVersions::Default => None,
        TlsVersions::Tls10Only => Some("-tls1"),
        TlsVersions::Tls11Only => Some("-tls1_1"),
        TlsVersions::Tls12Only => Some("-tls1_2"),
        TlsVersions::Tls13Only => Some("-tls1_3"),
    }
}
