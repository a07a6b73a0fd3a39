//! The probe's legacy-capable TLS client (`--legacy-tls`): OpenSSL at security level 0, every version from
//! TLS 1.0 to 1.3 and every cipher suite it has, so that cameras that speak only what rustls refuses can still
//! be diagnosed above TLS.
//!
//! Why OpenSSL and not rustls: rustls deliberately implements no TLS 1.0/1.1, no static RSA key exchange and
//! no CBC suites, and record-layer crypto is not something to write by hand. This client verifies nothing
//! (the certificate has already been judged by the analysis of the chain the TLS scan read, or is judged here
//! from the chain this handshake records); the report says the TLS layer failed for modern clients whatever
//! happens here.

use std::pin::Pin;
use std::time::Duration;

use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_openssl::SslStream;

use super::TlsFailure;
use rtspeek_core::probe::TlsParameter;

/// What the legacy handshake negotiated.
#[derive(Debug, Clone)]
pub struct LegacyFacts {
    /// `OpenSSL 3.0.19 27 Jan 2026 at security level 0`.
    pub client: String,
    /// `TLSv1`, `TLSv1.2`.
    pub version: String,
    /// IANA name of the suite.
    pub cipher_suite: String,
    /// The server's chain, DER, leaf first.
    pub chain: Vec<Vec<u8>>,
}

/// Receives each TLS secret of a handshake as one NSS key log line (no line ending): OpenSSL's keylog callback,
/// for `--capture` and `--keylog`.
pub type KeyLogLine = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// Runs a legacy handshake over `io` for `host` (SNI for names, none for IP literals), bounded by `timeout`;
/// `key_log`, if given, receives the session's secrets.
pub async fn connect<S>(
    io: S,
    host: &str,
    timeout: Duration,
    key_log: Option<KeyLogLine>,
) -> Result<(SslStream<S>, LegacyFacts), TlsFailure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let config =
        configure(host, key_log).map_err(|e| TlsFailure::Io(format!("OpenSSL configuration: {e}")))?;
    let ssl = config.into_ssl(host).map_err(|e| TlsFailure::Io(format!("OpenSSL session: {e}")))?;
    let mut stream = SslStream::new(ssl, io).map_err(|e| TlsFailure::Io(format!("OpenSSL stream: {e}")))?;
    match tokio::time::timeout(timeout, Pin::new(&mut stream).connect()).await {
        Err(_) => return Err(TlsFailure::Timeout(timeout)),
        Ok(Err(e)) => return Err(classify(&e)),
        Ok(Ok(())) => {}
    }
    let ssl = stream.ssl();
    let chain = ssl
        .peer_cert_chain()
        .map(|chain| chain.iter().filter_map(|c| c.to_der().ok()).collect())
        .unwrap_or_default();
    let cipher_suite = ssl
        .current_cipher()
        .and_then(|c| c.standard_name().map(str::to_owned).or_else(|| Some(c.name().to_owned())))
        .unwrap_or_default();
    let facts = LegacyFacts {
        client: format!("{} at security level 0", openssl::version::version()),
        version: ssl.version_str().to_owned(),
        cipher_suite,
        chain,
    };
    Ok((stream, facts))
}

fn configure(
    host: &str,
    key_log: Option<KeyLogLine>,
) -> Result<openssl::ssl::ConnectConfiguration, openssl::error::ErrorStack> {
    let mut builder = SslConnector::builder(SslMethod::tls_client())?;
    if let Some(key_log) = key_log {
        builder.set_keylog_callback(move |_, line| key_log(line));
    }
    builder.set_min_proto_version(Some(SslVersion::TLS1))?;
    builder.set_max_proto_version(None)?;
    // Every suite OpenSSL has, including static RSA, CBC, 3DES and the rest the camera may need; security
    // level 0 allows the SHA-1 PRF of TLS 1.0/1.1, small keys and small DH groups.
    builder.set_cipher_list("ALL:COMPLEMENTOFALL:@SECLEVEL=0")?;
    builder.set_security_level(0);
    // The certificate is judged by rtspeek's own analysis, not by this client.
    builder.set_verify(SslVerifyMode::NONE);
    let connector = builder.build();
    let mut config = connector.configure()?;
    config.set_verify_hostname(false);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    config.set_use_server_name_indication(bare.parse::<std::net::IpAddr>().is_err());
    Ok(config)
}

fn classify(e: &openssl::ssl::Error) -> TlsFailure {
    use openssl::ssl::ErrorCode;
    match e.code() {
        ErrorCode::SYSCALL => match e.io_error() {
            Some(io) if io.kind() == std::io::ErrorKind::ConnectionReset => TlsFailure::Reset,
            _ => TlsFailure::Closed,
        },
        ErrorCode::ZERO_RETURN => TlsFailure::Closed,
        _ => e.ssl_error().and_then(|stack| stack.errors().iter().find_map(classify_reason)).unwrap_or_else(
            || TlsFailure::Incompatible { parameter: TlsParameter::Other, detail: e.to_string() },
        ),
    }
}

/// OpenSSL's reason codes (`ssl/sslerr.h`, stable across 1.1 and 3.x; openssl-sys does not export them).
mod reason {
    pub(super) const NO_CIPHERS_AVAILABLE: i32 = 181;
    pub(super) const NO_PROTOCOLS_AVAILABLE: i32 = 191;
    pub(super) const NO_SHARED_CIPHER: i32 = 193;
    pub(super) const UNSUPPORTED_PROTOCOL: i32 = 258;
    pub(super) const WRONG_VERSION_NUMBER: i32 = 267;
    pub(super) const VERSION_TOO_LOW: i32 = 396;
    /// Received alerts are reported as this offset plus the AlertDescription.
    pub(super) const ALERT_OFFSET: i32 = 1000;
}

/// The failure one OpenSSL error entry names, from its library and reason codes (never from its text).
fn classify_reason(error: &openssl::error::Error) -> Option<TlsFailure> {
    const LIBRARY_SSL: i32 = 20; // ERR_LIB_SSL
    if error.library_code() != LIBRARY_SSL {
        return None;
    }
    let detail = error.reason().unwrap_or("unknown reason").to_owned();
    let parameter = match error.reason_code() {
        code @ reason::ALERT_OFFSET..=1255 => {
            let code = u8::try_from(code - reason::ALERT_OFFSET).ok()?;
            return Some(TlsFailure::Alert { code, name: super::alert_name(code) });
        }
        reason::NO_PROTOCOLS_AVAILABLE
        | reason::UNSUPPORTED_PROTOCOL
        | reason::WRONG_VERSION_NUMBER
        | reason::VERSION_TOO_LOW => TlsParameter::Version,
        reason::NO_CIPHERS_AVAILABLE | reason::NO_SHARED_CIPHER => TlsParameter::CipherSuite,
        _ => TlsParameter::Other,
    };
    Some(TlsFailure::Incompatible { parameter, detail })
}
