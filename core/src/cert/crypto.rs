//! Public keys and certificate signature verification.
//!
//! [`PublicKey::from_spki_der`] reads a SubjectPublicKeyInfo into a normalised [`PublicKey`] (so that `==`
//! means "same key", whatever the encoding), [`SignatureAlgorithm::from_x509`] names a certificate's
//! signature algorithm (including the RSASSA-PSS parameters), and [`verify_signature`] checks that a
//! signature is genuine.
//!
//! Verification covers what real RTSPS servers and their CAs use: RSA PKCS#1 v1.5 with MD5, SHA-1 and SHA-2
//! (weak digests are still checked, so that a chain link is known to be genuine; their weakness is reported
//! separately through [`Hash::is_weak`]), RSASSA-PSS with any MGF1 digest and salt length, ECDSA over P-256
//! and P-384 with any SHA digest (DER signatures, digest truncated or padded to the curve order as SEC 1
//! requires), and Ed25519. P-521, other curves and other algorithms are recognised and named but reported as
//! [`VerifyError::Unsupported`], never as a failed signature.
//!
//! # Crates
//!
//! The arithmetic comes from the RustCrypto crates (`rsa`, `p256`, `p384`, `ecdsa`, `ed25519-dalek`, `sha1`,
//! `sha2`, `md-5`, with `spki`/`pkcs1`/`der` for the encodings): pure Rust, audited, and they build for
//! `wasm32-unknown-unknown` without a C toolchain, so the browser gets exactly the verdicts the CLI gets.
//! `ring` would need a C compiler for wasm32. The `rsa` crate's Marvin timing advisory (RUSTSEC-2023-0071)
//! concerns private-key decryption; we only do public-key verification on public data.
//!
//! Every function here is total: any input, however malformed, gives a value or an error, never a panic. Work
//! is bounded: RSA moduli above [`MAX_RSA_BITS`] are not attempted.

use md5::Md5;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use pkcs1::der::{
    Decode, Tag, Tagged,
    asn1::{AnyRef, ObjectIdentifier},
};
use rsa::{BigUint, RsaPublicKey, traits::PublicKeyParts};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use spki::SubjectPublicKeyInfoRef;

/// The largest RSA modulus, in bits, that [`verify_signature`] will work with (bounded work on hostile
/// input).
pub const MAX_RSA_BITS: usize = 16384;

/// Dotted OIDs used here and in [`super::key`].
pub(crate) mod oid {
    /// rsaEncryption.
    pub(crate) const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    /// id-RSASSA-PSS (as a key algorithm and as a signature algorithm).
    pub(crate) const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
    /// id-mgf1.
    pub(crate) const MGF1: &str = "1.2.840.113549.1.1.8";
    /// id-ecPublicKey.
    pub(crate) const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
    /// id-Ed25519.
    pub(crate) const ED25519: &str = "1.3.101.112";
    /// secp256r1.
    pub(crate) const P256: &str = "1.2.840.10045.3.1.7";
    /// secp384r1.
    pub(crate) const P384: &str = "1.3.132.0.34";
    /// secp521r1.
    pub(crate) const P521: &str = "1.3.132.0.35";
}

/// A named elliptic curve.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1); recognised, not verified.
    P521,
    /// Another curve: a named curve by dotted OID, or `explicit parameters` for a key that spells out its
    /// curve (a SpecifiedECDomain, which RFC 5480 forbids in certificates).
    Other(String),
}

/// Well-known curves other than the three NIST ones: (OID, name, bits).
const OTHER_CURVES: &[(&str, &str, u32)] = &[
    ("1.3.132.0.10", "secp256k1", 256),
    ("1.3.132.0.33", "P-224", 224),
    ("1.2.840.10045.3.1.1", "P-192", 192),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1", 256),
    ("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1", 384),
    ("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1", 512),
    ("1.2.156.10197.1.301", "SM2", 256),
];

impl Curve {
    /// Maps a dotted namedCurve OID to a curve.
    pub fn from_oid(oid: &str) -> Curve {
        match oid {
            oid::P256 => Curve::P256,
            oid::P384 => Curve::P384,
            oid::P521 => Curve::P521,
            other => Curve::Other(other.to_owned()),
        }
    }

    /// Conventional name: `P-256`, `P-384`, `P-521`, a known name such as `secp256k1` or `brainpoolP256r1`,
    /// else the dotted OID (or `explicit parameters`).
    pub fn name(&self) -> &str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Other(oid) => OTHER_CURVES.iter().find(|c| c.0 == oid).map_or(oid.as_str(), |c| c.1),
        }
    }

    /// Size of the curve's order in bits, if known.
    pub fn bits(&self) -> Option<u32> {
        match self {
            Curve::P256 => Some(256),
            Curve::P384 => Some(384),
            Curve::P521 => Some(521),
            Curve::Other(oid) => OTHER_CURVES.iter().find(|c| c.0 == oid).map(|c| c.2),
        }
    }
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
    /// Elliptic curve: the uncompressed SEC1 point (`04 || X || Y`). Compressed points are decompressed for
    /// P-256 and P-384; for other curves the point is kept as encoded.
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

/// Names of key algorithms we recognise but do not handle.
const OTHER_KEY_ALGORITHMS: &[(&str, &str)] = &[
    ("1.2.840.10040.4.1", "DSA"),
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
    ("1.3.101.113", "Ed448"),
    ("1.2.840.113549.1.1.7", "RSAES-OAEP"),
    ("1.2.840.10046.2.1", "DH"),
    ("1.2.643.7.1.1.1.1", "GOST R 34.10-2012 256"),
    ("1.2.643.7.1.1.1.2", "GOST R 34.10-2012 512"),
];

/// A readable name for a key algorithm OID we do not handle (`DSA`, `Ed448`...), if known.
pub(crate) fn other_key_algorithm_name(oid: &str) -> Option<&'static str> {
    OTHER_KEY_ALGORITHMS.iter().find(|a| a.0 == oid).map(|a| a.1)
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

impl Hash {
    /// Maps a dotted digest OID (as in RSASSA-PSS parameters) to a digest.
    pub fn from_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            "1.2.840.113549.2.5" => Hash::Md5,
            "1.3.14.3.2.26" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.4" => Hash::Sha224,
            "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
            _ => return None,
        })
    }

    /// True for digests whose collision resistance is broken (MD5, SHA-1): a signature over them can be
    /// forged.
    pub fn is_weak(self) -> bool {
        matches!(self, Hash::Md5 | Hash::Sha1)
    }

    /// Name: `MD5`, `SHA-1`, `SHA-224`, `SHA-256`, `SHA-384`, `SHA-512`.
    pub fn name(self) -> &'static str {
        match self {
            Hash::Md5 => "MD5",
            Hash::Sha1 => "SHA-1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    /// Lower-case name as used in OpenSSL-style algorithm names: `md5`, `sha1`, `sha256`...
    fn short_name(self) -> &'static str {
        match self {
            Hash::Md5 => "md5",
            Hash::Sha1 => "sha1",
            Hash::Sha224 => "sha224",
            Hash::Sha256 => "sha256",
            Hash::Sha384 => "sha384",
            Hash::Sha512 => "sha512",
        }
    }

    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Hash::Md5 => 16,
            Hash::Sha1 => 20,
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Md5 => Md5::digest(data).to_vec(),
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha224 => Sha224::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// A certificate signature algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with a digest.
    RsaPkcs1(Hash),
    /// RSASSA-PSS (RFC 4055 parameters, defaults applied).
    RsaPss {
        /// Message digest.
        hash: Hash,
        /// Digest used by the MGF1 mask generation function (usually the message digest).
        mgf1_hash: Hash,
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA with a digest.
    Ecdsa(Hash),
    /// Ed25519.
    Ed25519,
    /// Anything else, by OID (dotted). Also RSASSA-PSS whose parameters are unreadable or use a digest, mask
    /// function or trailer we do not know (then the OID is the PSS OID, `1.2.840.113549.1.1.10`).
    Unknown(String),
}

/// Names of signature algorithms we recognise but do not verify.
const OTHER_SIGNATURE_ALGORITHMS: &[(&str, &str)] = &[
    (oid::RSASSA_PSS, "rsassaPss with unsupported or malformed parameters"),
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ("1.2.840.113549.1.1.3", "md4WithRSAEncryption"),
    ("1.2.840.10040.4.3", "dsa-with-SHA1"),
    ("2.16.840.1.101.3.4.3.1", "dsa-with-SHA224"),
    ("2.16.840.1.101.3.4.3.2", "dsa-with-SHA256"),
    ("1.3.101.113", "Ed448"),
    ("2.16.840.1.101.3.4.3.10", "ecdsa-with-SHA3-256"),
    ("2.16.840.1.101.3.4.3.11", "ecdsa-with-SHA3-384"),
    ("2.16.840.1.101.3.4.3.12", "ecdsa-with-SHA3-512"),
    ("2.16.840.1.101.3.4.3.14", "id-rsassa-pkcs1-v1_5-with-sha3-256"),
    ("1.2.156.10197.1.501", "SM2-with-SM3"),
];

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is encrypted.
    #[error("encrypted private key ({format}); give the passphrase")]
    Encrypted {
        /// Container format (PKCS#8 PBES2, OpenSSL legacy PEM...).
        format: String,
    },
    /// The key is encrypted and the passphrase given does not decrypt it (or the encrypted data is damaged).
    #[error("wrong passphrase for the encrypted private key ({format}), or the key is damaged")]
    WrongPassphrase {
        /// Container format, as in [`KeyError::Encrypted`].
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

impl KeyError {
    /// Shorthand for [`KeyError::Malformed`].
    pub(crate) fn malformed(detail: impl Into<String>) -> KeyError {
        KeyError::Malformed { detail: detail.into() }
    }
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

/// Big-endian bytes without leading zeros (zero becomes empty).
pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// An RSA public key from its raw big-endian parts, normalised.
pub(crate) fn rsa_public_key(n: &[u8], e: &[u8]) -> Result<PublicKey, KeyError> {
    let n = strip_leading_zeros(n);
    let e = strip_leading_zeros(e);
    if n.is_empty() {
        return Err(KeyError::malformed("RSA modulus is zero"));
    }
    if e.is_empty() {
        return Err(KeyError::malformed("RSA public exponent is zero"));
    }
    Ok(PublicKey::Rsa { n, e })
}

/// Reads the curve from id-ecPublicKey parameters (`ECParameters`).
pub(crate) fn curve_from_parameters(params: Option<AnyRef<'_>>) -> Result<Curve, KeyError> {
    let Some(params) = params else {
        return Err(KeyError::malformed("EC key without curve parameters"));
    };
    match params.tag() {
        Tag::ObjectIdentifier => {
            let oid = params
                .decode_as::<ObjectIdentifier>()
                .map_err(|e| KeyError::malformed(format!("EC curve OID: {e}")))?;
            Ok(Curve::from_oid(&oid.to_string()))
        }
        Tag::Sequence => Ok(Curve::Other("explicit parameters".to_owned())),
        Tag::Null => {
            Err(KeyError::malformed("EC key with implicitCurve parameters (NULL): the curve is unknown"))
        }
        other => Err(KeyError::malformed(format!("EC curve parameters: unexpected {other}"))),
    }
}

/// Validates an EC point and returns it uncompressed (P-256, P-384), or checks its shape and keeps it
/// (others).
pub(crate) fn normalise_ec_point(curve: &Curve, point: &[u8]) -> Result<Vec<u8>, KeyError> {
    let not_on_curve = || KeyError::malformed(format!("EC public key is not a valid {} point", curve.name()));
    match curve {
        Curve::P256 => p256::PublicKey::from_sec1_bytes(point)
            .map(|k| k.to_encoded_point(false).as_bytes().to_vec())
            .map_err(|_| not_on_curve()),
        Curve::P384 => p384::PublicKey::from_sec1_bytes(point)
            .map(|k| k.to_encoded_point(false).as_bytes().to_vec())
            .map_err(|_| not_on_curve()),
        Curve::P521 => match (point.first(), point.len()) {
            (Some(0x04), 133) | (Some(0x02 | 0x03), 67) => Ok(point.to_vec()),
            _ => Err(not_on_curve()),
        },
        Curve::Other(_) => match point.first() {
            Some(0x02..=0x04) => Ok(point.to_vec()),
            _ => Err(KeyError::malformed(format!("EC public key on {}: not a SEC1 point", curve.name()))),
        },
    }
}

impl PublicKey {
    /// Reads a DER SubjectPublicKeyInfo (the whole SEQUENCE, nothing after it).
    ///
    /// RSA (rsaEncryption, and RSASSA-PSS keys, which are RSA keys with usage restrictions), EC on named
    /// curves and Ed25519 are decoded; any other algorithm gives [`PublicKey::Other`]. Encoding errors give
    /// [`KeyError::Malformed`].
    pub fn from_spki_der(spki: &[u8]) -> Result<PublicKey, KeyError> {
        let info = SubjectPublicKeyInfoRef::from_der(spki)
            .map_err(|e| KeyError::malformed(format!("SubjectPublicKeyInfo: {e}")))?;
        let algorithm = info.algorithm.oid.to_string();
        let bits = info.subject_public_key.as_bytes();
        let key_bytes =
            || bits.ok_or_else(|| KeyError::malformed("subjectPublicKey BIT STRING has unused bits"));
        match algorithm.as_str() {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
                let key = pkcs1::RsaPublicKey::from_der(key_bytes()?)
                    .map_err(|e| KeyError::malformed(format!("RSAPublicKey: {e}")))?;
                rsa_public_key(key.modulus.as_bytes(), key.public_exponent.as_bytes())
            }
            oid::EC_PUBLIC_KEY => {
                let curve = curve_from_parameters(info.algorithm.parameters)?;
                let point = normalise_ec_point(&curve, key_bytes()?)?;
                Ok(PublicKey::Ec { curve, point })
            }
            oid::ED25519 => {
                let key: [u8; 32] = key_bytes()?.try_into().map_err(|_| {
                    KeyError::malformed(format!(
                        "Ed25519 public key is {} bytes, expected 32",
                        bits.map_or(0, <[u8]>::len)
                    ))
                })?;
                Ok(PublicKey::Ed25519(key))
            }
            _ => Ok(PublicKey::Other { algorithm }),
        }
    }

    /// Key size in bits (RSA modulus bits, EC curve bits, 256 for Ed25519), None if unknown.
    pub fn bits(&self) -> Option<u32> {
        match self {
            PublicKey::Rsa { n, .. } => Some(bit_length(n)),
            PublicKey::Ec { curve, .. } => curve.bits(),
            PublicKey::Ed25519(_) => Some(256),
            PublicKey::Other { .. } => None,
        }
    }

    /// Algorithm family: `RSA`, `EC`, `Ed25519`, a known name (`DSA`, `Ed448`...) or the dotted OID.
    pub fn algorithm_name(&self) -> &str {
        match self {
            PublicKey::Rsa { .. } => "RSA",
            PublicKey::Ec { .. } => "EC",
            PublicKey::Ed25519(_) => "Ed25519",
            PublicKey::Other { algorithm } => other_key_algorithm_name(algorithm).unwrap_or(algorithm),
        }
    }

    /// Short description: `RSA 2048`, `EC P-256`, `Ed25519`, `unknown key 1.3.101.113 (Ed448)`.
    pub fn describe(&self) -> String {
        match self {
            PublicKey::Rsa { n, .. } => format!("RSA {}", bit_length(n)),
            PublicKey::Ec { curve, .. } => format!("EC {}", curve.name()),
            PublicKey::Ed25519(_) => "Ed25519".to_owned(),
            PublicKey::Other { algorithm } => match other_key_algorithm_name(algorithm) {
                Some(name) => format!("unknown key {algorithm} ({name})"),
                None => format!("unknown key {algorithm}"),
            },
        }
    }
}

/// Bit length of a big-endian unsigned integer (leading zero bytes allowed).
fn bit_length(bytes: &[u8]) -> u32 {
    let bytes = &bytes[bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len())..];
    match bytes.first() {
        None => 0,
        Some(&top) => {
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX / 8);
            (len - 1).saturating_mul(8).saturating_add(8 - top.leading_zeros())
        }
    }
}

impl SignatureAlgorithm {
    /// Reads an AlgorithmIdentifier as parsed by x509-parser (including RSASSA-PSS parameters).
    pub fn from_x509(alg: &x509_parser::x509::AlgorithmIdentifier<'_>) -> SignatureAlgorithm {
        let oid = alg.algorithm.to_id_string();
        match oid.as_str() {
            "1.2.840.113549.1.1.4" => SignatureAlgorithm::RsaPkcs1(Hash::Md5),
            // sha1WithRSAEncryption, and the old OIW sha1WithRSASignature.
            "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => SignatureAlgorithm::RsaPkcs1(Hash::Sha1),
            "1.2.840.113549.1.1.14" => SignatureAlgorithm::RsaPkcs1(Hash::Sha224),
            "1.2.840.113549.1.1.11" => SignatureAlgorithm::RsaPkcs1(Hash::Sha256),
            "1.2.840.113549.1.1.12" => SignatureAlgorithm::RsaPkcs1(Hash::Sha384),
            "1.2.840.113549.1.1.13" => SignatureAlgorithm::RsaPkcs1(Hash::Sha512),
            oid::RSASSA_PSS => rsa_pss_from_x509(alg).unwrap_or(SignatureAlgorithm::Unknown(oid)),
            "1.2.840.10045.4.1" => SignatureAlgorithm::Ecdsa(Hash::Sha1),
            "1.2.840.10045.4.3.1" => SignatureAlgorithm::Ecdsa(Hash::Sha224),
            "1.2.840.10045.4.3.2" => SignatureAlgorithm::Ecdsa(Hash::Sha256),
            "1.2.840.10045.4.3.3" => SignatureAlgorithm::Ecdsa(Hash::Sha384),
            "1.2.840.10045.4.3.4" => SignatureAlgorithm::Ecdsa(Hash::Sha512),
            oid::ED25519 => SignatureAlgorithm::Ed25519,
            _ => SignatureAlgorithm::Unknown(oid),
        }
    }

    /// Conventional name: `sha256WithRSAEncryption`, `rsassaPss(sha256)` (`rsassaPss(sha256, mgf1 sha1)` when
    /// the mask digest differs), `ecdsa-with-SHA384`, `Ed25519`; for unknown algorithms a known name or the
    /// OID.
    pub fn name(&self) -> String {
        match self {
            SignatureAlgorithm::RsaPkcs1(hash) => format!("{}WithRSAEncryption", hash.short_name()),
            SignatureAlgorithm::RsaPss { hash, mgf1_hash, .. } if hash == mgf1_hash => {
                format!("rsassaPss({})", hash.short_name())
            }
            SignatureAlgorithm::RsaPss { hash, mgf1_hash, .. } => {
                format!("rsassaPss({}, mgf1 {})", hash.short_name(), mgf1_hash.short_name())
            }
            SignatureAlgorithm::Ecdsa(hash) => format!("ecdsa-with-{}", hash.name().replace('-', "")),
            SignatureAlgorithm::Ed25519 => "Ed25519".to_owned(),
            SignatureAlgorithm::Unknown(oid) => {
                match OTHER_SIGNATURE_ALGORITHMS.iter().find(|a| a.0 == oid) {
                    Some((_, name)) => format!("{name} ({oid})"),
                    None => oid.clone(),
                }
            }
        }
    }

    /// The message digest, if any (None for Ed25519, whose internal SHA-512 is not a choice, and for unknown
    /// algorithms).
    pub fn hash(&self) -> Option<Hash> {
        match self {
            SignatureAlgorithm::RsaPkcs1(hash) | SignatureAlgorithm::Ecdsa(hash) => Some(*hash),
            SignatureAlgorithm::RsaPss { hash, .. } => Some(*hash),
            SignatureAlgorithm::Ed25519 | SignatureAlgorithm::Unknown(_) => None,
        }
    }
}

/// RSASSA-PSS parameters (RFC 4055 section 3.1), defaults applied; None if unreadable or unsupported.
fn rsa_pss_from_x509(alg: &x509_parser::x509::AlgorithmIdentifier<'_>) -> Option<SignatureAlgorithm> {
    use x509_parser::signature_algorithm::RsaSsaPssParams;
    let params = match alg.parameters.as_ref() {
        Some(any) => RsaSsaPssParams::try_from(any).ok()?,
        None => return None,
    };
    let hash = Hash::from_oid(&params.hash_algorithm_oid().to_id_string())?;
    let mgf = params.mask_gen_algorithm().ok()?;
    if mgf.mgf.to_id_string() != oid::MGF1 {
        return None;
    }
    let mgf1_hash = Hash::from_oid(&mgf.hash.to_id_string())?;
    if params.trailer_field() != 1 {
        return None;
    }
    let salt_len = usize::try_from(params.salt_length()).ok()?;
    Some(SignatureAlgorithm::RsaPss { hash, mgf1_hash, salt_len })
}

/// Verifies `signature` over `message` with `key` using `alg`.
///
/// `Ok(())` means the signature is genuine. [`VerifyError::Invalid`] means it is not (including a signature
/// that is not even well-formed for the algorithm). [`VerifyError::Unsupported`] means no verdict: unknown
/// algorithm, unsupported curve, a key of the wrong family for the algorithm, or an unusable key.
pub fn verify_signature(
    alg: &SignatureAlgorithm,
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    match (alg, key) {
        (SignatureAlgorithm::Unknown(_), _) => {
            Err(VerifyError::Unsupported(format!("unsupported signature algorithm {}", alg.name())))
        }
        (_, PublicKey::Other { .. }) => {
            Err(VerifyError::Unsupported(format!("unsupported key type: {}", key.describe())))
        }
        (SignatureAlgorithm::RsaPkcs1(hash), PublicKey::Rsa { n, e }) => {
            let key = rsa_key(n, e)?;
            let digest = hash.digest(message);
            let scheme = match hash {
                Hash::Md5 => rsa::Pkcs1v15Sign::new::<Md5>(),
                Hash::Sha1 => rsa::Pkcs1v15Sign::new::<Sha1>(),
                Hash::Sha224 => rsa::Pkcs1v15Sign::new::<Sha224>(),
                Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
            };
            key.verify(scheme, &digest, signature).map_err(|_| VerifyError::Invalid)
        }
        (SignatureAlgorithm::RsaPss { hash, mgf1_hash, salt_len }, PublicKey::Rsa { n, e }) => {
            let key = rsa_key(n, e)?;
            // RSASP1 input checks the crate's PSS path leaves out, and a bound that keeps its arithmetic
            // safe.
            if signature.len() != key.size()
                || BigUint::from_bytes_be(signature) >= *key.n()
                || *salt_len > key.size()
            {
                return Err(VerifyError::Invalid);
            }
            let digest = hash.digest(message);
            if hash == mgf1_hash {
                let scheme = match hash {
                    Hash::Md5 => rsa::Pss::new_with_salt::<Md5>(*salt_len),
                    Hash::Sha1 => rsa::Pss::new_with_salt::<Sha1>(*salt_len),
                    Hash::Sha224 => rsa::Pss::new_with_salt::<Sha224>(*salt_len),
                    Hash::Sha256 => rsa::Pss::new_with_salt::<Sha256>(*salt_len),
                    Hash::Sha384 => rsa::Pss::new_with_salt::<Sha384>(*salt_len),
                    Hash::Sha512 => rsa::Pss::new_with_salt::<Sha512>(*salt_len),
                };
                key.verify(scheme, &digest, signature).map_err(|_| VerifyError::Invalid)
            } else {
                pss_verify_mixed(&key, *hash, *mgf1_hash, *salt_len, &digest, signature)
            }
        }
        (SignatureAlgorithm::Ecdsa(hash), PublicKey::Ec { curve, point }) => {
            let digest = hash.digest(message);
            match curve {
                Curve::P256 => {
                    let key =
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| bad_point(curve))?;
                    let sig =
                        p256::ecdsa::Signature::from_der(signature).map_err(|_| VerifyError::Invalid)?;
                    let z = pad_prehash(&digest, 32);
                    PrehashVerifier::verify_prehash(&key, &z, &sig).map_err(|_| VerifyError::Invalid)
                }
                Curve::P384 => {
                    let key =
                        p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| bad_point(curve))?;
                    let sig =
                        p384::ecdsa::Signature::from_der(signature).map_err(|_| VerifyError::Invalid)?;
                    let z = pad_prehash(&digest, 48);
                    PrehashVerifier::verify_prehash(&key, &z, &sig).map_err(|_| VerifyError::Invalid)
                }
                Curve::P521 | Curve::Other(_) => Err(VerifyError::Unsupported(format!(
                    "ECDSA over {} is not supported (only P-256 and P-384)",
                    curve.name()
                ))),
            }
        }
        (SignatureAlgorithm::Ed25519, PublicKey::Ed25519(bytes)) => {
            let key = ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| {
                VerifyError::Unsupported("the Ed25519 public key is not a valid curve point".to_owned())
            })?;
            let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|_| VerifyError::Invalid)?;
            // Strict: rejects small-order keys and R values, with which an all-zero signature verifies for
            // every message (a plain RFC 8032 check accepts it).
            key.verify_strict(message, &sig).map_err(|_| VerifyError::Invalid)
        }
        _ => Err(VerifyError::Unsupported(format!(
            "the signature algorithm {} cannot be used with a {} key",
            alg.name(),
            key.describe()
        ))),
    }
}

fn bad_point(curve: &Curve) -> VerifyError {
    VerifyError::Unsupported(format!("the EC public key is not a valid {} point", curve.name()))
}

/// The crate's prehash API truncates long digests to the field size, but rejects digests shorter than half of
/// it (SHA-1 with P-384). Left-padding with zeros keeps the integer value, which is what SEC 1 asks for.
fn pad_prehash(digest: &[u8], field_len: usize) -> Vec<u8> {
    if digest.len() >= field_len {
        return digest.to_vec();
    }
    let mut z = vec![0; field_len - digest.len()];
    z.extend_from_slice(digest);
    z
}

/// An `rsa` public key, with bounded size and the crate's sanity checks.
fn rsa_key(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, VerifyError> {
    let bits = bit_length(n) as usize;
    if bits > MAX_RSA_BITS {
        return Err(VerifyError::Unsupported(format!(
            "RSA modulus of {bits} bits is larger than the {MAX_RSA_BITS} bits we verify"
        )));
    }
    RsaPublicKey::new_with_max_size(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e), MAX_RSA_BITS)
        .map_err(|err| VerifyError::Unsupported(format!("unusable RSA public key: {err}")))
}

/// MGF1 (RFC 8017 B.2.1) with the given digest.
fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut mask = Vec::with_capacity(len + hash.output_len());
    let mut counter: u32 = 0;
    while mask.len() < len {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        mask.extend_from_slice(&hash.digest(&input));
        counter = counter.wrapping_add(1);
    }
    mask.truncate(len);
    mask
}

/// RSASSA-PSS-VERIFY (RFC 8017 8.1.2 and 9.1.2) for the case the `rsa` crate does not cover: an MGF1 digest
/// different from the message digest. `m_hash` is the message digest; the caller has checked the signature
/// length, that it is below the modulus, and that the salt length is at most the modulus length.
fn pss_verify_mixed(
    key: &RsaPublicKey,
    hash: Hash,
    mgf1_hash: Hash,
    salt_len: usize,
    m_hash: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let mod_bits = key.n().bits();
    let em_bits = mod_bits.saturating_sub(1);
    let em_len = em_bits.div_ceil(8);
    let h_len = hash.output_len();
    // RSAVP1 and I2OSP(m, emLen).
    let m = BigUint::from_bytes_be(signature).modpow(key.e(), key.n()).to_bytes_be();
    let m = strip_leading_zeros(&m);
    if m.len() > em_len {
        return Err(VerifyError::Invalid);
    }
    let mut em = vec![0u8; em_len - m.len()];
    em.extend_from_slice(&m);
    // EMSA-PSS-VERIFY steps 3 to 14.
    if em_len < h_len + salt_len + 2 || em.last() != Some(&0xbc) {
        return Err(VerifyError::Invalid);
    }
    let db_len = em_len - h_len - 1;
    let (masked_db, rest) = em.split_at(db_len);
    let h = &rest[..h_len];
    let top_mask = 0xffu8 >> (8 * em_len - em_bits);
    if masked_db[0] & !top_mask != 0 {
        return Err(VerifyError::Invalid);
    }
    let mut db: Vec<u8> = masked_db.iter().zip(mgf1(mgf1_hash, h, db_len)).map(|(a, b)| a ^ b).collect();
    db[0] &= top_mask;
    let pad_len = em_len - h_len - salt_len - 2;
    if db[..pad_len].iter().any(|&b| b != 0) || db[pad_len] != 0x01 {
        return Err(VerifyError::Invalid);
    }
    let salt = &db[db_len - salt_len..];
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(m_hash);
    m_prime.extend_from_slice(salt);
    if hash.digest(&m_prime) == h { Ok(()) } else { Err(VerifyError::Invalid) }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn spki_edge_cases_are_errors_not_panics() {
        for input in [&[][..], &[0x30], &[0x30, 0x00], &[0x30, 0x03, 0x02, 0x01, 0x00], &[0xff; 40]] {
            assert!(matches!(PublicKey::from_spki_der(input), Err(KeyError::Malformed { .. })), "{input:?}");
        }
    }

    #[test]
    fn bit_length_counts_exactly() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0, 1]), 1);
        assert_eq!(bit_length(&[0x7f, 0xff]), 15);
        assert_eq!(bit_length(&[0x80, 0x00]), 16);
    }

    #[test]
    fn names() {
        assert_eq!(SignatureAlgorithm::RsaPkcs1(Hash::Sha256).name(), "sha256WithRSAEncryption");
        assert_eq!(SignatureAlgorithm::RsaPkcs1(Hash::Md5).name(), "md5WithRSAEncryption");
        assert_eq!(SignatureAlgorithm::Ecdsa(Hash::Sha384).name(), "ecdsa-with-SHA384");
        assert_eq!(SignatureAlgorithm::Ecdsa(Hash::Sha1).name(), "ecdsa-with-SHA1");
        let pss = SignatureAlgorithm::RsaPss { hash: Hash::Sha256, mgf1_hash: Hash::Sha256, salt_len: 32 };
        assert_eq!(pss.name(), "rsassaPss(sha256)");
        let pss = SignatureAlgorithm::RsaPss { hash: Hash::Sha256, mgf1_hash: Hash::Sha1, salt_len: 32 };
        assert_eq!(pss.name(), "rsassaPss(sha256, mgf1 sha1)");
        assert_eq!(SignatureAlgorithm::Unknown("1.2.3".into()).name(), "1.2.3");
        assert_eq!(
            SignatureAlgorithm::Unknown("1.2.840.10040.4.3".into()).name(),
            "dsa-with-SHA1 (1.2.840.10040.4.3)"
        );
        assert_eq!(
            PublicKey::Other { algorithm: "1.3.101.113".into() }.describe(),
            "unknown key 1.3.101.113 (Ed448)"
        );
        assert_eq!(Curve::from_oid("1.3.132.0.10").name(), "secp256k1");
    }

    #[test]
    fn verify_rejects_garbage_without_panicking() {
        let rsa = PublicKey::Rsa { n: vec![0xff; 256], e: vec![1, 0, 1] };
        let huge = PublicKey::Rsa { n: vec![0xff; 4096], e: vec![1, 0, 1] };
        let ec = PublicKey::Ec { curve: Curve::P256, point: vec![4; 65] };
        let ed = PublicKey::Ed25519([0; 32]);
        let algs = [
            SignatureAlgorithm::RsaPkcs1(Hash::Sha256),
            SignatureAlgorithm::RsaPss { hash: Hash::Sha256, mgf1_hash: Hash::Sha256, salt_len: usize::MAX },
            SignatureAlgorithm::RsaPss { hash: Hash::Sha512, mgf1_hash: Hash::Sha1, salt_len: 400 },
            SignatureAlgorithm::Ecdsa(Hash::Sha1),
            SignatureAlgorithm::Ed25519,
        ];
        for alg in &algs {
            for key in [&rsa, &huge, &ec, &ed] {
                for sig in [&[][..], &[0u8; 64], &[0xffu8; 256]] {
                    assert!(verify_signature(alg, key, b"msg", sig).is_err());
                }
            }
        }
        assert!(matches!(
            verify_signature(&algs[0], &huge, b"", &[]),
            Err(VerifyError::Unsupported(reason)) if reason.contains("32768 bits")
        ));
        assert!(matches!(
            verify_signature(&algs[3], &rsa, b"", &[]),
            Err(VerifyError::Unsupported(reason))
                if reason.contains("ecdsa-with-SHA1") && reason.contains("RSA 2048")
        ));
    }

    /// The hand-written PSS path (used when the MGF1 digest differs) agrees with the crate's on a same-digest
    /// signature made by OpenSSL, and rejects what the crate rejects.
    #[test]
    fn own_pss_path_agrees_with_the_crate() {
        use base64::Engine as _;
        use x509_parser::prelude::{FromDer, X509Certificate};
        let pem = include_str!("../../tests/data/keys/rsa2048-pss-sha256.crt");
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        let alg = SignatureAlgorithm::from_x509(&cert.signature_algorithm);
        assert_eq!(
            alg,
            SignatureAlgorithm::RsaPss { hash: Hash::Sha256, mgf1_hash: Hash::Sha256, salt_len: 32 }
        );
        let Ok(PublicKey::Rsa { n, e }) = PublicKey::from_spki_der(cert.public_key().raw) else { panic!() };
        let key = rsa_key(&n, &e).unwrap();
        let digest = Hash::Sha256.digest(cert.tbs_certificate.as_ref());
        let sig = cert.signature_value.data.to_vec();
        assert_eq!(pss_verify_mixed(&key, Hash::Sha256, Hash::Sha256, 32, &digest, &sig), Ok(()));
        for salt_len in [0, 20, 31, 33, 222] {
            let res = pss_verify_mixed(&key, Hash::Sha256, Hash::Sha256, salt_len, &digest, &sig);
            assert_eq!(res, Err(VerifyError::Invalid), "salt {salt_len}");
        }
        assert_eq!(
            pss_verify_mixed(&key, Hash::Sha256, Hash::Sha1, 32, &digest, &sig),
            Err(VerifyError::Invalid)
        );
    }

    #[test]
    fn mgf1_matches_rfc_example() {
        // MGF1-SHA1("foo", 3) = 1ac907 (a common test vector).
        assert_eq!(mgf1(Hash::Sha1, b"foo", 3), [0x1a, 0xc9, 0x07]);
        assert_eq!(mgf1(Hash::Sha1, b"bar", 5), [0xbc, 0x0c, 0x65, 0x5e, 0x01]);
    }
}
