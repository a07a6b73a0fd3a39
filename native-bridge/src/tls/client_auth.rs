//! Client authentication that also records whether the server asked for a certificate at all. A TLS 1.3
//! server that requires one, met without one, often neither alerts nor fails the handshake: it just drops the
//! connection when the first request arrives (gst-rtsp-server does). Knowing that it sent a
//! CertificateRequest turns that drop into the right diagnosis.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;

/// Answers a CertificateRequest with the configured certificate (if any), and records that it came.
#[derive(Debug)]
pub(super) struct RecordingClientAuth {
    key: Option<Arc<CertifiedKey>>,
    requested: Arc<AtomicBool>,
}

impl RecordingClientAuth {
    pub(super) fn new(key: Option<Arc<CertifiedKey>>) -> Self {
        RecordingClientAuth { key, requested: Arc::new(AtomicBool::new(false)) }
    }

    /// The flag set when a CertificateRequest arrives.
    pub(super) fn requested(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.requested)
    }
}

impl ResolvesClientCert for RecordingClientAuth {
    fn resolve(&self, _root_hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.requested.store(true, Ordering::SeqCst);
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}
