//! Public keys and signature verification (INTERFACE STUB: being implemented).

/// A named elliptic curve.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1); recognised, not verified.
    P521,
    /// Another named curve, by OID.
    Other(String),
}

/// A subject public key, normalised so that two encodings of the same key compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PublicKey {
    /// RSA: big-endian modulus and public exponent, without leading zero bytes.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// Elliptic curve: the uncompressed SEC1 point (`04 || X || Y`).
    Ec {
        /// Curve.
        curve: Curve,
        /// Uncompressed point.
        point: Vec<u8>,
    },
    /// Ed25519 public key.
    Ed25519([u8; 32]),
    /// Any other algorithm, by OID (dotted).
    Other {
        /// Algorithm OID.
        algorithm: String,
    },
}

/// Digest algorithms seen in certificate signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hash {
    /// MD5 (broken).
    Md5,
    /// SHA-1 (broken for signatures).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// A certificate signature algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with a digest.
    RsaPkcs1(Hash),
    /// RSASSA-PSS.
    RsaPss {
        /// Message digest.
        hash: Hash,
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA with a digest.
    Ecdsa(Hash),
    /// Ed25519.
    Ed25519,
    /// Anything else, by OID (dotted).
    Unknown(String),
}

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is encrypted.
    #[error("encrypted private key ({format}); give the passphrase")]
    Encrypted {
        /// Container format (PKCS#8 PBES2, OpenSSL legacy PEM...).
        format: String,
    },
    /// Unsupported algorithm.
    #[error("unsupported key algorithm {algorithm}")]
    Unsupported {
        /// Algorithm name or OID.
        algorithm: String,
    },
    /// Malformed encoding.
    #[error("malformed key: {detail}")]
    Malformed {
        /// What was wrong.
        detail: String,
    },
}

/// Why a signature was not verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature does not match.
    #[error("signature does not verify")]
    Invalid,
    /// Algorithm or key not supported.
    #[error("cannot verify: {0}")]
    Unsupported(String),
}

impl PublicKey {
    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(_spki: &[u8]) -> Result<PublicKey, KeyError> {
        Err(KeyError::Unsupported { algorithm: "stub".into() })
    }

    /// Key size in bits (RSA modulus bits, EC field bits, 256 for Ed25519), None if unknown.
    pub fn bits(&self) -> Option<u32> {
        None
    }

    /// Short description: `RSA 2048`, `EC P-256`, `Ed25519`.
    pub fn describe(&self) -> String {
        String::new()
    }
}

impl SignatureAlgorithm {
    /// Reads an AlgorithmIdentifier as parsed by x509-parser (including RSASSA-PSS parameters).
    pub fn from_x509(_alg: &x509_parser::x509::AlgorithmIdentifier<'_>) -> SignatureAlgorithm {
        SignatureAlgorithm::Unknown(String::new())
    }

    /// Conventional name: `sha256WithRSAEncryption`, `rsassaPss(sha256)`, `ecdsa-with-SHA384`, `Ed25519`.
    pub fn name(&self) -> String {
        String::new()
    }

    /// The digest, if any.
    pub fn hash(&self) -> Option<Hash> {
        None
    }
}

/// Verifies `signature` over `message` with `key` using `alg`.
pub fn verify_signature(
    _alg: &SignatureAlgorithm,
    _key: &PublicKey,
    _message: &[u8],
    _signature: &[u8],
) -> Result<(), VerifyError> {
    Err(VerifyError::Unsupported("stub".into()))
}
