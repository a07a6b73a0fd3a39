//! Private key reading (INTERFACE STUB: being implemented).

use super::crypto::{KeyError, PublicKey};

/// The container a private key came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// PKCS#1 `RSA PRIVATE KEY`.
    Pkcs1,
    /// PKCS#8 `PRIVATE KEY` (possibly after decrypting `ENCRYPTED PRIVATE KEY`).
    Pkcs8,
    /// SEC1 `EC PRIVATE KEY`.
    Sec1,
}

/// A private key reduced to what rtspeek needs: its format and its public half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateKeyInfo {
    /// Container format.
    pub format: KeyFormat,
    /// The public key derived from (or stored with) the private key.
    pub public: PublicKey,
}

/// Reads one private key block. `label` is the PEM label (None for raw DER, then every format is tried);
/// `pem_headers` are the RFC 1421 headers of a PEM block (`Proc-Type: 4,ENCRYPTED` marks an OpenSSL legacy
/// encrypted key); `passphrase` decrypts PKCS#8 `ENCRYPTED PRIVATE KEY` blocks.
pub fn parse_private_key(
    _label: Option<&str>,
    _der: &[u8],
    _pem_headers: &[(String, String)],
    _passphrase: Option<&[u8]>,
) -> Result<PrivateKeyInfo, KeyError> {
    Err(KeyError::Unsupported { algorithm: "stub".into() })
}
