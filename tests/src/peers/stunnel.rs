//! `stunnel` (Debian's stunnel4, OpenSSL 3.0) as TLS fronts on 127.0.0.1: each front terminates TLS with its
//! own certificate, versions, cipher suites, security level and client-certificate policy, and forwards the
//! plain bytes to a backend (gst-rtsp-server): a camera with exactly that TLS configuration. One process
//! serves every front of a [`StunnelFronts`].
//!
//! stunnel is used over `openssl s_server` because it forwards to a real RTSP server and serves many
//! connections at once, and over socat because it can load an RSA-1024 certificate (`securityLevel = 0`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{DEFAULT_READY_TIMEOUT, PeerError, PeerFiles, PeerProcess, free_port, require};

/// One TLS front: what it presents and accepts, and where it forwards.
#[derive(Debug, Clone)]
pub struct Front {
    /// A name for the config section and messages (`expired`, `tls10`...).
    pub name: String,
    /// The server certificate chain, PEM (leaf first).
    pub cert_pem: String,
    /// Its private key, PEM.
    pub key_pem: String,
    /// The backend's port on 127.0.0.1.
    pub backend_port: u16,
    /// `sslVersionMin`/`sslVersionMax` (`TLSv1`, `TLSv1.2`...); `None`: OpenSSL's defaults.
    pub versions: Option<(&'static str, &'static str)>,
    /// The TLS 1.2-and-below cipher list (`ciphers`); `None`: OpenSSL's default.
    pub ciphers: Option<&'static str>,
    /// `securityLevel = 0`: RSA-1024 certificates, SHA-1 PRFs (TLS 1.0/1.1).
    pub security_level_0: bool,
    /// Require a client certificate issued by this CA, PEM.
    pub require_client_cert_ca_pem: Option<String>,
}

impl Front {
    /// A front with this name, certificate and key, forwarding to `backend_port`, OpenSSL's defaults.
    pub fn new(name: &str, cert_pem: String, key_pem: String, backend_port: u16) -> Front {
        Front {
            name: name.to_owned(),
            cert_pem,
            key_pem,
            backend_port,
            versions: None,
            ciphers: None,
            security_level_0: false,
            require_client_cert_ca_pem: None,
        }
    }
}

/// The running fronts; dropping them kills stunnel and deletes its files.
#[derive(Debug)]
pub struct StunnelFronts {
    // Declared before `_dir`: stunnel dies before its files are deleted.
    process: PeerProcess,
    ports: BTreeMap<String, u16>,
    _dir: PeerFiles,
}

/// Attempts at free ports: another process may take one between picking and binding.
const PORT_ATTEMPTS: usize = 5;

impl StunnelFronts {
    /// Starts one stunnel for all `fronts` (names must be unique) and waits until every front accepts.
    pub fn start(fronts: &[Front]) -> Result<StunnelFronts, PeerError> {
        let stunnel = require("stunnel4").or_else(|_| require("stunnel"))?;
        require("sh")?;
        let dir = PeerFiles::new("stunnel")?;
        let mut attempt = 1;
        loop {
            let mut ports = BTreeMap::new();
            // debug 5 (notice) logs "Configuration successful", the readiness line.
            let mut config = String::from("foreground = yes\npid =\nsyslog = no\ndebug = 5\n");
            for f in fronts {
                let port = free_port()?;
                ports.insert(f.name.clone(), port);
                let cert = dir.write(&format!("{}-cert.pem", f.name), &f.cert_pem)?;
                let key = dir.write(&format!("{}-key.pem", f.name), &f.key_pem)?;
                // stunnel warns about keys others can read.
                std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).map_err(
                    |source| PeerError::Io { what: format!("cannot chmod {}", key.display()), source },
                )?;
                let _ = write!(
                    config,
                    "[{}]\naccept = 127.0.0.1:{port}\nconnect = 127.0.0.1:{}\ncert = {}\nkey = {}\n",
                    f.name,
                    f.backend_port,
                    cert.display(),
                    key.display()
                );
                if let Some((min, max)) = f.versions {
                    let _ = write!(config, "sslVersionMin = {min}\nsslVersionMax = {max}\n");
                }
                if let Some(ciphers) = f.ciphers {
                    let _ = writeln!(config, "ciphers = {ciphers}");
                }
                if f.security_level_0 {
                    config.push_str("securityLevel = 0\n");
                }
                if let Some(ca) = &f.require_client_cert_ca_pem {
                    let ca = dir.write(&format!("{}-client-ca.pem", f.name), ca)?;
                    let _ =
                        write!(config, "CAfile = {}\nverifyChain = yes\nrequireCert = yes\n", ca.display());
                }
            }
            let conf = dir.write("stunnel.conf", &config)?;
            // stunnel logs to stderr in the foreground; through sh its log becomes the stdout PeerProcess
            // reads for the readiness line.
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg("exec \"$0\" \"$1\" 2>&1").arg(&stunnel).arg(&conf);
            let first = ports.values().next().copied().unwrap_or_default();
            let ready =
                Box::new(move |line: &str| line.contains("Configuration successful").then_some(first));
            match PeerProcess::spawn(cmd, ready, DEFAULT_READY_TIMEOUT) {
                Ok(process) => {
                    let fronts = StunnelFronts { process, ports, _dir: dir };
                    fronts.wait_listening(Duration::from_secs(5))?;
                    return Ok(fronts);
                }
                Err(PeerError::NotReady { stdout, .. })
                    if attempt < PORT_ATTEMPTS && stdout.contains("Address already in use") =>
                {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits until every front accepts TCP connections.
    fn wait_listening(&self, timeout: Duration) -> Result<(), PeerError> {
        let deadline = Instant::now() + timeout;
        for (name, port) in &self.ports {
            while TcpStream::connect(("127.0.0.1", *port)).is_err() {
                if Instant::now() >= deadline {
                    return Err(PeerError::NotReady {
                        command: self.process.command_line().to_owned(),
                        why: format!("front {name} does not listen on port {port}"),
                        stdout: self.process.stdout_lines().join("\n"),
                        stderr: self.process.stderr_tail(),
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }

    /// The port of front `name` on 127.0.0.1.
    ///
    /// # Panics
    /// If no front has that name (a test's own mistake).
    pub fn port(&self, name: &str) -> u16 {
        self.ports[name]
    }

    /// The stunnel process (its log).
    pub fn process(&self) -> &PeerProcess {
        &self.process
    }
}
