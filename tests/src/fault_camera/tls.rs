//! TLS: the rustls server configuration, the handshake, and the faults that answer a ClientHello wrongly.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, SupportedProtocolVersion, version};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::SERVER;
use super::config::{TlsFault, TlsSetup, TlsVersions};

/// The largest TLS record (2^14 plaintext bytes plus expansion, RFC 8446 5.2): the most a ClientHello
/// record can need.
const MAX_RECORD: usize = 5 + 16_384 + 256;

/// How long a server-initiated close waits for the client to close its side (so that unread bytes do not turn
/// the FIN into a RST).
pub(super) const LINGER: Duration = Duration::from_secs(2);

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

/// The rustls configuration for `setup` (ring provider, as in the rest of the workspace).
pub(super) fn server_config(setup: &TlsSetup) -> io::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = CertificateDer::pem_slice_iter(setup.chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("certificate chain PEM: {e}")))?;
    if chain.is_empty() {
        return Err(invalid("certificate chain PEM: no certificate".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(setup.key_pem.as_bytes())
        .map_err(|e| invalid(format!("private key PEM: {e}")))?;
    let versions: &[&SupportedProtocolVersion] = match setup.versions {
        TlsVersions::Both => &[&version::TLS13, &version::TLS12],
        TlsVersions::Tls12Only => &[&version::TLS12],
        TlsVersions::Tls13Only => &[&version::TLS13],
    };
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(versions)
        .map_err(|e| invalid(format!("TLS versions: {e}")))?;
    let builder = match &setup.client_ca_pem {
        Some(ca_pem) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
                let cert = cert.map_err(|e| invalid(format!("client CA PEM: {e}")))?;
                roots.add(cert).map_err(|e| invalid(format!("client CA: {e}")))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| invalid(format!("client verifier: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let config =
        builder.with_single_cert(chain, key).map_err(|e| invalid(format!("certificate/key: {e}")))?;
    Ok(Arc::new(config))
}

/// The TLS handshake, bounded by `limit`; `None` when it fails (the client refused our certificate, or we
/// refused its), which closes the connection.
pub(super) async fn accept(
    config: &Arc<ServerConfig>,
    tcp: TcpStream,
    limit: Duration,
) -> Option<TlsStream<TcpStream>> {
    match timeout(limit, TlsAcceptor::from(Arc::clone(config)).accept(tcp)).await {
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(e)) => {
            log!("TLS handshake failed: {e}");
            None
        }
        Err(_) => {
            log!("TLS handshake timed out");
            None
        }
    }
}

/// Reads the client's first message (a whole TLS record if it starts like one, else whatever the first read
/// brings) and answers it the way `fault` says.
pub(super) async fn on_hello(mut tcp: TcpStream, fault: TlsFault, idle: Duration) {
    let Some(hello) = read_first_message(&mut tcp, idle).await else { return };
    log!("first message: {} bytes, answering with {fault:?}", hello.len());
    let answer: Vec<u8> = match fault {
        TlsFault::ResetOnHello => {
            // SO_LINGER 0: dropping the socket sends RST instead of FIN.
            let _ = tcp.set_zero_linger();
            return;
        }
        // A fatal alert record: content type 21, TLS 1.2 record version, length 2, level 2 (fatal), description.
        TlsFault::AlertOnHello(description) => vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description],
        TlsFault::Http => format!(
            "HTTP/1.1 400 Bad Request\r\nServer: {SERVER}\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\
             Connection: close\r\n\r\nBad Request"
        )
        .into_bytes(),
        _ => Vec::new(),
    };
    if !answer.is_empty() {
        let _ = timeout(idle, tcp.write_all(&answer)).await;
    }
    let _ = timeout(LINGER, tcp.shutdown()).await;
    drain(&mut tcp, LINGER).await;
}

async fn read_first_message(tcp: &mut TcpStream, idle: Duration) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; MAX_RECORD];
    let mut len = match timeout(idle, tcp.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => n,
        _ => return None,
    };
    // A handshake record (type 22): read the rest of it, so that nothing is left unread at close.
    if buf[0] == 0x16 {
        while len < 5 {
            match timeout(idle, tcp.read(&mut buf[len..])).await {
                Ok(Ok(n)) if n > 0 => len += n,
                _ => return Some(buf[..len].to_vec()),
            }
        }
        let want = (5 + usize::from(u16::from_be_bytes([buf[3], buf[4]]))).min(MAX_RECORD);
        while len < want {
            match timeout(idle, tcp.read(&mut buf[len..want])).await {
                Ok(Ok(n)) if n > 0 => len += n,
                _ => break,
            }
        }
    }
    buf.truncate(len);
    Some(buf)
}

/// Reads and discards until the peer closes, an error, or `limit` without data.
pub(super) async fn drain(stream: &mut (impl AsyncRead + Unpin), limit: Duration) {
    let mut buf = [0u8; 4096];
    while let Ok(Ok(n)) = timeout(limit, stream.read(&mut buf)).await {
        if n == 0 {
            break;
        }
    }
}
