//! The operating system's trust store (`--trust system|both`), read with `rustls-native-certs`: on Linux the
//! OpenSSL bundle or directory (found by `openssl-probe`), or what `SSL_CERT_FILE` / `SSL_CERT_DIR` name, as
//! OpenSSL, GnuTLS, curl, FFmpeg and GStreamer read it. An enterprise CA installed there is honoured the way
//! those clients honour it.

use rustls::pki_types::CertificateDer;

/// The certificates of the system store and where they came from.
#[derive(Debug, Clone)]
pub struct SystemCerts {
    /// The file or directory read, for the report (`SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt`...).
    pub source: String,
    /// The certificates, DER.
    pub certs: Vec<CertificateDer<'static>>,
}

/// Why the system store could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the system trust store ({place}) gave no certificate{}", if errors.is_empty() { String::new() } else { format!(": {}", errors.join("; ")) })]
pub struct SystemStoreError {
    /// Where it was looked for.
    pub place: String,
    /// What the loader said.
    pub errors: Vec<String>,
}

/// Reads the system store. Unreadable entries are skipped as the TLS libraries skip them; an empty store is an
/// error (a probe "trusting the system" with nothing to trust would only confuse).
pub fn load() -> Result<SystemCerts, SystemStoreError> {
    let source = where_from();
    let result = rustls_native_certs::load_native_certs();
    if result.certs.is_empty() {
        return Err(SystemStoreError {
            place: source,
            errors: result.errors.iter().map(ToString::to_string).collect(),
        });
    }
    Ok(SystemCerts { source, certs: result.certs })
}

/// Where the store is read from, in the loader's order: the environment, then the platform's place.
fn where_from() -> String {
    for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return format!("{var}={}", v.to_string_lossy());
        }
    }
    // The same probe rustls-native-certs runs on Unix: the first bundle file, else the directories.
    let found = openssl_probe::probe();
    match (found.cert_file, found.cert_dir.first()) {
        (Some(file), _) => file.display().to_string(),
        (None, Some(dir)) => dir.display().to_string(),
        (None, None) => "the platform store".to_owned(),
    }
}
