//! Subject public keys, normalised so that `==` means "same key".

use p256::elliptic_curve::sec1::ToEncodedPoint;
use pkcs1::der::{
    Decode, Tag, Tagged,
    asn1::{AnyRef, ObjectIdentifier},
};
use spki::SubjectPublicKeyInfoRef;

use super::oid;

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

/// Big-endian bytes without leading zeros (zero becomes empty).
pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> Vec<u8> {
    significant(bytes).to_vec()
}

/// `bytes` after its leading zero bytes.
fn significant(mut bytes: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = bytes {
        bytes = rest;
    }
    bytes
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
pub(super) fn bit_length(bytes: &[u8]) -> u32 {
    let bytes = significant(bytes);
    match bytes.first() {
        None => 0,
        Some(&top) => {
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX / 8);
            (len - 1).saturating_mul(8).saturating_add(8 - top.leading_zeros())
        }
    }
}
