//! The one custom certificate verifier, named for what it is (as rustls names its own `danger` module).
//!
//! [`RecordingVerifier`] ALWAYS runs rustls' webpki verifier and records the presented chain and the outcome.
//! Only when the user asked to continue past an untrusted certificate (`--insecure`) does it let the handshake
//! go on after a failed verification, and the recorded failure still reaches the report: the certificate
//! layer fails and the verdict can never be healthy. Handshake signatures are always checked by webpki.
//! With a pin (`--pin`, an inventory's `fingerprint`) the pin decides instead of webpki's chain verdict, which
//! is still recorded: exactly the pinned leaf is accepted, any other refused (unless `--insecure`).

use std::sync::{Arc, Mutex};

use rtspeek_core::cert::Sha256Pin;
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

/// The webpki verdict, and whether a pin overrules it.
#[derive(Debug, Clone, Copy)]
pub enum Decision {
    /// webpki decides (a chain to the anchors, the name, the dates).
    WebPki,
    /// Exactly this leaf is accepted, whatever webpki says.
    Pinned(Sha256Pin),
}

/// A verifier that records and delegates. Construct with [`RecordingVerifier::new`].
#[derive(Debug)]
pub struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    decision: Decision,
    insecure: bool,
    record: Arc<Mutex<Option<Recorded>>>,
}

impl RecordingVerifier {
    /// Wraps `inner`; with `insecure`, a failed verification is recorded but does not abort the handshake.
    pub fn new(inner: Arc<WebPkiServerVerifier>, decision: Decision, insecure: bool) -> Self {
        RecordingVerifier { inner, decision, insecure, record: Arc::new(Mutex::new(None)) }
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
        let refusal = match (self.decision, &outcome) {
            (Decision::WebPki, Ok(())) => None,
            (Decision::WebPki, Err(e)) => Some(e.clone()),
            (Decision::Pinned(pin), _) if pin.matches(end_entity) => None,
            (Decision::Pinned(_), _) => Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            )),
        };
        let overridden = refusal.is_some() && self.insecure;
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        let recorded =
            Recorded { chain, server_name: server_name.to_str().into_owned(), outcome, overridden };
        let result = match refusal {
            Some(e) if !overridden => Err(e),
            _ => Ok(ServerCertVerified::assertion()),
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
