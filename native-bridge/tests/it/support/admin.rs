//! A client of `rtspeek serve`'s admin endpoint that writes its requests byte for byte (a browser or curl
//! would fix the very headers the security tests get wrong on purpose), over rustls trusting the test CA.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};

use super::serve::{Pki, Serve};

/// The endpoint of a running server.
pub(crate) struct Admin {
    /// `127.0.0.1:PORT`.
    pub(crate) authority: String,
    /// The token of its token file.
    pub(crate) token: String,
    ca: CertificateDer<'static>,
}

/// A response: status and body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Answer {
    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Admin {
    /// The endpoint `serve` printed (`admin: https://127.0.0.1:PORT/#server ...`), with the token from
    /// `token_file`.
    pub(crate) fn of(serve: &Serve, pki: &Pki, token_file: &Path) -> Admin {
        let lines = serve.process.stdout_lines();
        let line = lines.iter().find(|l| l.starts_with("admin: ")).unwrap_or_else(|| panic!("{lines:?}"));
        let token = std::fs::read_to_string(token_file).expect("the token file");
        assert!(!lines.iter().any(|l| l.contains(token.trim())), "the token is never printed: {lines:?}");
        let authority = line
            .split("https://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no URL in {line}"))
            .to_owned();
        Admin::new(authority, token_file, pki.ca_der())
    }

    /// The endpoint at `authority`, with the token of `token_file`, trusting `ca`.
    pub(crate) fn new(authority: String, token_file: &Path, ca: CertificateDer<'static>) -> Admin {
        let token = std::fs::read_to_string(token_file).expect("the token file").trim().to_owned();
        Admin { authority, token, ca }
    }

    /// `METHOD PATH` with the right Host and token, and a JSON body when given.
    pub(crate) fn call(&self, method: &str, path: &str, body: Option<&str>) -> Answer {
        let auth = format!("Authorization: Bearer {}\r\n", self.token);
        self.raw(method, path, &auth, body.map(str::as_bytes))
    }

    /// A request with `Host` and the given extra header lines (each ending in CRLF), and `body` with its
    /// `Content-Length`.
    pub(crate) fn raw(&self, method: &str, path: &str, headers: &str, body: Option<&[u8]>) -> Answer {
        let host = format!("Host: {}\r\n", self.authority);
        self.exact(method, path, &format!("{host}{headers}"), body)
    }

    /// A request with exactly these header lines (no Host added).
    pub(crate) fn exact(&self, method: &str, path: &str, headers: &str, body: Option<&[u8]>) -> Answer {
        let length = body.map(|b| format!("Content-Length: {}\r\n", b.len())).unwrap_or_default();
        let mut bytes = format!("{method} {path} HTTP/1.1\r\n{headers}{length}\r\n").into_bytes();
        bytes.extend_from_slice(body.unwrap_or_default());
        self.send(&bytes)
    }

    /// Sends `bytes` over TLS and reads the whole response (the endpoint closes after it).
    pub(crate) fn send(&self, bytes: &[u8]) -> Answer {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca.clone()).expect("the test CA");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from("127.0.0.1").expect("an IP name").to_owned();
        let connection = rustls::ClientConnection::new(Arc::new(config), name).expect("a TLS client");
        let tcp = TcpStream::connect(&self.authority).expect("connect to the admin endpoint");
        tcp.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        // A server that answers before the whole (oversized) body arrived may close while we still write.
        let _ = tls.write_all(bytes).and_then(|()| tls.flush());
        let mut response = Vec::new();
        let _ = tls.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status =
            text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status: {text}"));
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        Answer { status, body }
    }
}
