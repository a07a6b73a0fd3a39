//! A client of the admin endpoint for scripts (`rtspeek serve ctl`): it reads the endpoint's address and token
//! from the server's configuration, and trusts the endpoint explicitly: either a CA given by the user, or
//! exactly the global certificate the configuration names (pinned by its SHA-256). The token is sent only once
//! the server has shown that certificate.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::reachable;
use crate::serve::config::ServeConfig;
use crate::tls::{Connector, TlsOptions};

/// Time for each step: connect, handshake, request, answer.
const STEP: Duration = Duration::from_secs(10);
/// The largest answer read (a status of thousands of sessions fits).
const MAX_ANSWER: usize = 16 * 1024 * 1024;

/// How the client trusts the endpoint.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Certificates issued by these CAs (PEM file contents).
    Ca(Vec<CertificateDer<'static>>),
    /// Exactly this leaf (SHA-256, colon-separated hex): the global pair's certificate.
    Pinned(String),
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The configuration has no `[admin]`, or its files cannot be read.
    #[error("{0}")]
    Setup(String),
    /// The endpoint could not be reached or did not answer in time.
    #[error("{0}")]
    Unreachable(String),
    /// The endpoint presented a certificate the client does not trust: no token was sent.
    #[error("the admin endpoint at {authority} is not the configured server: {why}; the token was not sent")]
    Untrusted {
        /// Where.
        authority: String,
        /// What did not match.
        why: String,
    },
}

/// The endpoint's answer.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body (JSON, or a short text for errors).
    pub body: String,
}

/// A client of one server's admin endpoint.
#[derive(Debug)]
pub struct AdminClient {
    authority: String,
    token: String,
    trust: Trust,
}

impl AdminClient {
    /// The endpoint of `config` (its `[admin] listen`, a wildcard meaning loopback; or `connect`, the address
    /// the server printed when `listen` has port 0), its token from `token_file`, trusting `ca` or else the
    /// global certificate of `config`.
    pub fn for_config(
        config: &ServeConfig,
        connect: Option<SocketAddr>,
        ca: Option<&Path>,
    ) -> Result<AdminClient, ClientError> {
        let admin = config.admin.as_ref().ok_or_else(|| {
            ClientError::Setup("the configuration has no [admin]: the server has no admin endpoint".into())
        })?;
        let addr = match connect {
            Some(addr) => addr,
            None if admin.listen.port() == 0 => {
                return Err(ClientError::Setup(format!(
                    "[admin] listen = \"{}\": the port is chosen at start; give --connect with the address the \
                     server printed",
                    admin.listen
                )));
            }
            None => admin.listen,
        };
        let token = std::fs::read_to_string(&admin.token_file)
            .map_err(|e| ClientError::Setup(format!("{}: {e}", admin.token_file.display())))?
            .trim()
            .to_owned();
        let trust = match ca {
            Some(ca) => {
                let anchors = CertificateDer::pem_file_iter(ca)
                    .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| ClientError::Setup(format!("{}: {e}", ca.display())))?;
                Trust::Ca(anchors)
            }
            None => {
                let pair =
                    config.tls.as_ref().ok_or_else(|| ClientError::Setup("no global [tls] pair".into()))?;
                let leaf = CertificateDer::from_pem_file(&pair.cert)
                    .map_err(|e| ClientError::Setup(format!("{}: {e}", pair.cert.display())))?;
                Trust::Pinned(rtspeek_core::cert::fingerprint_sha256(&leaf))
            }
        };
        Ok(AdminClient { authority: reachable(addr), token, trust })
    }

    /// `METHOD PATH` with an optional JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Result<Answer, ClientError> {
        let unreachable = |what: &str, e: &dyn std::fmt::Display| {
            ClientError::Unreachable(format!("admin endpoint {}: {what}: {e}", self.authority))
        };
        let tcp = tokio::time::timeout(STEP, TcpStream::connect(&self.authority))
            .await
            .map_err(|e| unreachable("connect", &e))?
            .map_err(|e| unreachable("connect", &e))?;
        let options = match &self.trust {
            Trust::Ca(anchors) => TlsOptions { anchors: Some(anchors.clone()), ..TlsOptions::default() },
            // The web PKI's verdict is recorded and set aside: the pin decides, below, before anything is sent.
            Trust::Pinned(_) => TlsOptions { insecure: true, ..TlsOptions::default() },
        };
        let connector = Connector::new(&options).map_err(|e| ClientError::Setup(e.to_string()))?;
        let host = self.authority.rsplit_once(':').map_or(self.authority.as_str(), |(h, _)| h);
        let (stream, facts) = connector.connect(tcp, host).await;
        let mut stream = stream.map_err(|e| self.untrusted(e.to_string()))?;
        if let Trust::Pinned(pin) = &self.trust {
            let shown = facts
                .verification
                .as_ref()
                .and_then(|v| v.chain.first())
                .map(|leaf| rtspeek_core::cert::fingerprint_sha256(leaf));
            if shown.as_deref() != Some(pin.as_str()) {
                let shown = shown.unwrap_or_else(|| "no certificate".into());
                return Err(self.untrusted(format!(
                    "it shows SHA-256 {shown}, the configuration's global certificate is {pin} (give --ca to trust \
                     its CA instead)"
                )));
            }
        }
        let body = body.unwrap_or_default();
        let content = if body.is_empty() {
            String::new()
        } else {
            format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len())
        };
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n{content}Connection: close\r\n\r\n{body}",
            self.authority, self.token
        );
        let mut answer = Vec::new();
        let exchange = async {
            stream.write_all(request.as_bytes()).await?;
            stream.flush().await?;
            (&mut stream).take(MAX_ANSWER as u64).read_to_end(&mut answer).await
        };
        tokio::time::timeout(STEP, exchange)
            .await
            .map_err(|e| unreachable("answer", &e))?
            .map_err(|e| unreachable("answer", &e))?;
        parse_answer(&answer).ok_or_else(|| unreachable("answer", &"not an HTTP response"))
    }

    fn untrusted(&self, why: String) -> ClientError {
        ClientError::Untrusted { authority: self.authority.clone(), why }
    }
}

/// Status and body of a whole HTTP/1.1 response (the endpoint always sends `Content-Length` and closes).
fn parse_answer(bytes: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    Some(Answer { status, body: body.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::parse_answer;

    #[test]
    fn answers_are_status_and_body() {
        let answer = parse_answer(b"HTTP/1.1 422 Unprocessable Content\r\nContent-Length: 2\r\n\r\n{}")
            .expect("valid");
        assert_eq!((answer.status, answer.body.as_str()), (422, "{}"));
        assert!(parse_answer(b"garbage").is_none());
        assert!(parse_answer(b"HTTP/1.1 abc\r\n\r\n").is_none());
    }
}
