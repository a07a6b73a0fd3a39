//! TLS client connections for the probe: rustls 0.23 over any `AsyncRead + AsyncWrite` stream, with the peer
//! chain and the verification outcome always recorded (see [`danger`]) and failures classified instead of
//! echoed; and, behind the `legacy-tls` feature, the legacy-capable client of `--legacy-tls` (`legacy`).

mod client_auth;
pub mod danger;
#[cfg(feature = "legacy-tls")]
pub mod legacy;
pub mod system_store;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtspeek_core::probe::TlsParameter;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use client_auth::RecordingClientAuth;
use danger::{Recorded, RecordingVerifier};

/// How to connect.
#[derive(Debug)]
pub struct TlsOptions {
    /// Trust anchors (DER CA certificates); `None` trusts the public web PKI (webpki-roots).
    pub anchors: Option<Vec<CertificateDer<'static>>>,
    /// Trust the public web PKI next to `anchors` (`--trust both`).
    pub web_pki_too: bool,
    /// Continue past a certificate that fails verification (recorded, and reported as a failure anyway).
    pub insecure: bool,
    /// Accept exactly this leaf certificate instead of a chain to the anchors (`--pin`).
    pub pin: Option<rtspeek_core::cert::Sha256Pin>,
    /// Client certificate chain and key, for servers that require one.
    pub client_auth: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    /// Bound on the whole handshake.
    pub handshake_timeout: Duration,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            anchors: None,
            web_pki_too: false,
            insecure: false,
            pin: None,
            client_auth: None,
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// What was learned about the TLS layer, whether or not the handshake succeeded.
#[derive(Debug, Clone, Default)]
pub struct TlsFacts {
    /// Negotiated protocol version (`TLSv1_3`), when the handshake completed.
    pub version: Option<String>,
    /// Negotiated cipher suite (IANA name), when the handshake completed.
    pub cipher_suite: Option<String>,
    /// The SNI sent (none for IP literals, per RFC 6066).
    pub sni: Option<String>,
    /// The certificate verifier's record: chain and outcome.
    pub verification: Option<Recorded>,
    /// Whether the server asked for a client certificate (CertificateRequest), whether or not one was sent.
    pub client_cert_requested: bool,
}

/// Why a TLS handshake did not complete, classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsFailure {
    /// No handshake within the bound.
    #[error("no TLS handshake within {0:?}")]
    Timeout(Duration),
    /// The server reset the connection during the handshake.
    #[error("connection reset by the server during the TLS handshake")]
    Reset,
    /// The server closed the connection during the handshake.
    #[error("the server closed the connection during the TLS handshake")]
    Closed,
    /// The server sent a fatal alert.
    #[error("the server sent the TLS alert {name} ({code})")]
    Alert {
        /// The AlertDescription code.
        code: u8,
        /// rustls' name for it.
        name: String,
    },
    /// The certificate failed verification (and `insecure` was not set).
    #[error("certificate verification failed: {0}")]
    Certificate(String),
    /// No common value for one handshake parameter (version, cipher suite...), from the TLS library's error
    /// type; `detail` is its name for the case.
    #[error("incompatible TLS peer: no {parameter} in common ({detail})")]
    Incompatible {
        /// Which parameter.
        parameter: TlsParameter,
        /// The TLS library's name for the case.
        detail: String,
    },
    /// The server sent something that is not valid TLS.
    #[error("the server did not answer with TLS: {0}")]
    NotTls(String),
    /// Another I/O error.
    #[error("I/O error during the TLS handshake: {0}")]
    Io(String),
}

/// Invalid options (unreadable anchors or client certificate).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TLS configuration: {0}")]
pub struct ConfigError(String);

/// A client configuration plus the handle to its verifier's record.
#[derive(Debug, Clone)]
pub struct Connector {
    config: Arc<ClientConfig>,
    record: Arc<Mutex<Option<Recorded>>>,
    client_cert_requested: Arc<AtomicBool>,
    handshake_timeout: Duration,
}

impl Connector {
    /// Builds the rustls configuration (ring provider, TLS 1.2 and 1.3).
    pub fn new(options: &TlsOptions) -> Result<Connector, ConfigError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        match &options.anchors {
            Some(anchors) => {
                for der in anchors {
                    roots
                        .add(der.clone())
                        .map_err(|e| ConfigError(format!("CA certificate rejected: {e}")))?;
                }
                if options.web_pki_too {
                    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .build()
            .map_err(|e| ConfigError(e.to_string()))?;
        let decision = options.pin.map_or(danger::Decision::WebPki, danger::Decision::Pinned);
        let verifier = RecordingVerifier::new(webpki, decision, options.insecure);
        let record = verifier.record();
        let key = match &options.client_auth {
            Some((chain, key)) => {
                let signing = provider
                    .key_provider
                    .load_private_key(key.clone_key())
                    .map_err(|e| ConfigError(format!("client certificate key: {e}")))?;
                Some(Arc::new(CertifiedKey::new(chain.clone(), signing)))
            }
            None => None,
        };
        let client_auth = RecordingClientAuth::new(key);
        let client_cert_requested = client_auth.requested();
        // No ALPN offered (`alpn_protocols` stays empty): RTSP has no registered ALPN id, and cameras expect none.
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.client_auth_cert_resolver = Arc::new(client_auth);
        Ok(Connector {
            config: Arc::new(config),
            record,
            client_cert_requested,
            handshake_timeout: options.handshake_timeout,
        })
    }

    /// The same connector with another bound on the handshake.
    #[must_use]
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Connector {
        self.handshake_timeout = timeout;
        self
    }

    /// The same connector, handing every TLS secret to `key_log` (`--capture`, `--keylog`).
    #[must_use]
    pub fn with_key_log(mut self, key_log: Arc<dyn rustls::KeyLog>) -> Connector {
        let mut config = (*self.config).clone();
        config.key_log = key_log;
        self.config = Arc::new(config);
        self
    }

    /// Runs the handshake over `io` for `host` (a DNS name, or an IP literal, with or without brackets).
    /// The facts are returned in every case, including the recorded chain of a failed verification.
    pub async fn connect<S>(&self, io: S, host: &str) -> (Result<TlsStream<S>, TlsFailure>, TlsFacts)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        let mut facts = TlsFacts::default();
        let name = match ServerName::try_from(bare.to_owned()) {
            Ok(name) => name,
            Err(e) => return (Err(TlsFailure::Io(format!("invalid server name {host:?}: {e}"))), facts),
        };
        if let ServerName::DnsName(dns) = &name {
            facts.sni = Some(dns.as_ref().to_owned());
        }
        if let Ok(mut slot) = self.record.lock() {
            *slot = None;
        }
        self.client_cert_requested.store(false, Ordering::SeqCst);
        let connector = TlsConnector::from(Arc::clone(&self.config));
        let result = match tokio::time::timeout(self.handshake_timeout, connector.connect(name, io)).await {
            Err(_) => Err(TlsFailure::Timeout(self.handshake_timeout)),
            Ok(Err(e)) => Err(classify(&e)),
            Ok(Ok(stream)) => {
                let (_, conn) = stream.get_ref();
                facts.version = conn.protocol_version().map(|v| format!("{v:?}"));
                // The IANA name (rustls' own names say `TLS13_` for TLS 1.3 suites).
                facts.cipher_suite = conn.negotiated_cipher_suite().map(|s| {
                    let value = u16::from(s.suite());
                    rtspeek_core::tls::CipherSuite(value).to_string()
                });
                Ok(stream)
            }
        };
        facts.verification = self.record.lock().ok().and_then(|r| r.clone());
        facts.client_cert_requested = self.client_cert_requested.load(Ordering::SeqCst);
        (result, facts)
    }
}

/// Turns the I/O error tokio-rustls reports into a [`TlsFailure`].
pub fn classify(e: &std::io::Error) -> TlsFailure {
    use std::io::ErrorKind;
    if let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        return match tls {
            rustls::Error::AlertReceived(alert) => {
                TlsFailure::Alert { code: u8::from(*alert), name: alert_name(u8::from(*alert)) }
            }
            rustls::Error::InvalidCertificate(c) => TlsFailure::Certificate(format!("{c:?}")),
            rustls::Error::PeerIncompatible(p) => {
                TlsFailure::Incompatible { parameter: incompatible_parameter(p), detail: format!("{p:?}") }
            }
            rustls::Error::InvalidMessage(m) => TlsFailure::NotTls(format!("{m:?}")),
            rustls::Error::InappropriateMessage { .. }
            | rustls::Error::InappropriateHandshakeMessage { .. } => TlsFailure::NotTls(tls.to_string()),
            other => TlsFailure::Io(other.to_string()),
        };
    }
    match e.kind() {
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            TlsFailure::Reset
        }
        ErrorKind::UnexpectedEof => TlsFailure::Closed,
        _ => TlsFailure::Io(e.to_string()),
    }
}

/// The registry name of an alert (`protocol_version`), for [`TlsFailure::Alert`].
pub(crate) fn alert_name(code: u8) -> String {
    rtspeek_core::tls::AlertDescription(code).name().map_or_else(|| format!("unknown_{code}"), str::to_owned)
}

/// Which handshake parameter a rustls incompatibility is about, from the variant itself.
fn incompatible_parameter(p: &rustls::PeerIncompatible) -> TlsParameter {
    use rustls::PeerIncompatible as P;
    match p {
        P::ServerDoesNotSupportTls12Or13
        | P::ServerTlsVersionIsDisabledByOurConfig
        | P::SupportedVersionsExtensionRequired
        | P::Tls12NotOffered
        | P::Tls12NotOfferedOrEnabled
        | P::Tls13RequiredForQuic => TlsParameter::Version,
        P::NoCipherSuitesInCommon => TlsParameter::CipherSuite,
        P::NoKxGroupsInCommon
        | P::NamedGroupsExtensionRequired
        | P::KeyShareExtensionRequired
        | P::EcPointsExtensionRequired
        | P::NoEcPointFormatsInCommon
        | P::UncompressedEcPointsRequired => TlsParameter::KeyExchange,
        P::NoSignatureSchemesInCommon
        | P::NoCertificateRequestSignatureSchemesInCommon
        | P::SignatureAlgorithmsExtensionRequired => TlsParameter::SignatureScheme,
        // `PeerIncompatible` is non-exhaustive: a new case is "another parameter" until mapped here.
        _ => TlsParameter::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustls_incompatibilities_map_to_their_parameter() {
        use rustls::PeerIncompatible as P;
        for (case, parameter) in [
            (P::ServerDoesNotSupportTls12Or13, TlsParameter::Version),
            (P::Tls12NotOffered, TlsParameter::Version),
            (P::NoCipherSuitesInCommon, TlsParameter::CipherSuite),
            (P::NoKxGroupsInCommon, TlsParameter::KeyExchange),
            (P::NoSignatureSchemesInCommon, TlsParameter::SignatureScheme),
            (P::NullCompressionRequired, TlsParameter::Other),
        ] {
            let io =
                std::io::Error::new(std::io::ErrorKind::InvalidData, rustls::Error::PeerIncompatible(case));
            match classify(&io) {
                TlsFailure::Incompatible { parameter: got, .. } => assert_eq!(got, parameter),
                other => panic!("{other:?}"),
            }
        }
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, alert);
        assert_eq!(classify(&io), TlsFailure::Alert { code: 70, name: "protocol_version".into() });
    }
}
