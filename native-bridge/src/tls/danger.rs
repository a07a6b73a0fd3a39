//! The one custom certificate verifier, named for what it is (as rustls names its own `danger` module).
//!
//! [`RecordingVerifier`] ALWAYS runs rustls' webpki verifier and records the presented chain and the outcome.
//! Only when the user asked to continue past an untrusted certificate (`--insecure`) does it let the handshake
//! go on after a failed verification, and the recorded failure still reaches the report: the certificate
//! layer fails and the verdict can never be healthy. Handshake signatures are always checked by webpki.

use std::sync::{Arc, Mutex};

use rustls::DigitallySignedStruct;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// What the verifier saw and decided.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The chain as the server sent it: end entity first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The name it was checked against (DNS name or IP).
    pub server_name: String,
    /// webpki's verdict.
    pub outcome: Result<(), rustls::Error>,
    /// Whether the handshake continued despite a failed verification (`--insecure`).
    pub overridden: bool,
}

/// A verifier that records and delegates. Construct with [`RecordingVerifier::new`].
#[derive(Debug)]
pub struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    insecure: bool,
    record: Arc<Mutex<Option<Recorded>>>,
}

impl RecordingVerifier {
    /// Wraps `inner`; with `insecure`, a failed verification is recorded but does not abort the handshake.
    pub fn new(inner: Arc<WebPkiServerVerifier>, insecure: bool) -> Self {
        RecordingVerifier { inner, insecure, record: Arc::new(Mutex::new(None)) }
    }

    /// A handle to the record, readable after the handshake (successful or not).
    pub fn record(&self) -> Arc<Mutex<Option<Recorded>>> {
        Arc::clone(&self.record)
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let outcome = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ());
        let overridden = outcome.is_err() && self.insecure;
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        let recorded =
            Recorded { chain, server_name: server_name.to_str().into_owned(), outcome, overridden };
        let result = match (&recorded.outcome, overridden) {
            (Ok(()), _) | (Err(_), true) => Ok(ServerCertVerified::assertion()),
            (Err(e), false) => Err(e.clone()),
        };
        if let Ok(mut slot) = self.record.lock() {
            *slot = Some(recorded);
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
