//! Certificate signature algorithms and their verification.

use md5::Md5;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::{BigUint, RsaPublicKey, traits::PublicKeyParts};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::public_key::{Curve, PublicKey, bit_length, strip_leading_zeros};
use super::{MAX_RSA_BITS, oid};

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
            // The page's module verifies without the `ecdsa` crate (smaller, same verdicts: see `ecdsa`).
            #[cfg(target_arch = "wasm32")]
            return super::ecdsa::verify(curve, point, &digest, signature);
            #[cfg(not(target_arch = "wasm32"))]
            ecdsa_with_crate(curve, point, &digest, signature)
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

/// ECDSA with the `p256`/`p384` crates' verifiers (the native path; the reference of `ecdsa::verify`).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // wasm verifies with `ecdsa::verify`; its tests compare
pub(super) fn ecdsa_with_crate(
    curve: &Curve,
    point: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    match curve {
        Curve::P256 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| bad_point(curve))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| VerifyError::Invalid)?;
            let z = pad_prehash(digest, 32);
            PrehashVerifier::verify_prehash(&key, &z, &sig).map_err(|_| VerifyError::Invalid)
        }
        Curve::P384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| bad_point(curve))?;
            let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| VerifyError::Invalid)?;
            let z = pad_prehash(digest, 48);
            PrehashVerifier::verify_prehash(&key, &z, &sig).map_err(|_| VerifyError::Invalid)
        }
        Curve::P521 | Curve::Other(_) => Err(VerifyError::Unsupported(format!(
            "ECDSA over {} is not supported (only P-256 and P-384)",
            curve.name()
        ))),
    }
}

pub(super) fn bad_point(curve: &Curve) -> VerifyError {
    VerifyError::Unsupported(format!("the EC public key is not a valid {} point", curve.name()))
}

/// The crate's prehash API truncates long digests to the field size, but rejects digests shorter than half of
/// it (SHA-1 with P-384). Left-padding with zeros keeps the integer value, which is what SEC 1 asks for.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(super) fn pad_prehash(digest: &[u8], field_len: usize) -> Vec<u8> {
    if digest.len() >= field_len {
        return digest.to_vec();
    }
    let mut z = vec![0; field_len - digest.len()];
    z.extend_from_slice(digest);
    z
}

/// Whether [`verify_signature`] would work with this RSA key (modulus size, exponent range), else the
/// [`VerifyError::Unsupported`] it gives: lets a caller that verifies elsewhere (WebCrypto) keep core's
/// verdicts on keys core refuses.
pub fn rsa_key_usable(n: &[u8], e: &[u8]) -> Result<(), VerifyError> {
    rsa_key(n, e).map(|_| ())
}

/// An `rsa` public key, with bounded size and the crate's sanity checks.
pub(super) fn rsa_key(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, VerifyError> {
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
pub(super) fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
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
pub(super) fn pss_verify_mixed(
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
    // EM = maskedDB || H || 0xbc; the lengths were checked above, so the splits below cannot fail.
    let db_len = em_len - h_len - 1;
    let Some((masked_db, rest)) = em.split_at_checked(db_len) else { return Err(VerifyError::Invalid) };
    let Some(h) = rest.get(..h_len) else { return Err(VerifyError::Invalid) };
    let top_mask = 0xffu8 >> (8 * em_len - em_bits);
    if masked_db.first().is_some_and(|&b| b & !top_mask != 0) {
        return Err(VerifyError::Invalid);
    }
    let mut db: Vec<u8> = masked_db.iter().zip(mgf1(mgf1_hash, h, db_len)).map(|(a, b)| a ^ b).collect();
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // DB = PS (zeros) || 0x01 || salt.
    let pad_len = em_len - h_len - salt_len - 2;
    let Some((padding, [0x01, salt @ ..])) = db.split_at_checked(pad_len) else {
        return Err(VerifyError::Invalid);
    };
    if padding.iter().any(|&b| b != 0) {
        return Err(VerifyError::Invalid);
    }
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(m_hash);
    m_prime.extend_from_slice(salt);
    if hash.digest(&m_prime) == h { Ok(()) } else { Err(VerifyError::Invalid) }
}
