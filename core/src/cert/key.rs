//! Private key reading: which container a key came in, and its public half.
//!
//! rtspeek never uses a private key for anything but deriving its public key, so that the "does this key
//! belong to this certificate?" check is a plain `==` between [`PrivateKeyInfo::public`] and
//! [`PublicKey::from_spki_der`] of the certificate. Both give the same normalised [`PublicKey`].
//!
//! Formats: PKCS#1 (`RSA PRIVATE KEY`), PKCS#8 (`PRIVATE KEY`, wrapping RSA, EC or Ed25519), SEC1
//! (`EC PRIVATE KEY`) and encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`), which is decrypted when a passphrase is
//! given and it uses PBES2 (PBKDF2 or scrypt, then AES-CBC or DES-EDE3-CBC), via the pure-Rust `pkcs5` crate.
//! PBES1 and PKCS#12 schemes are named but not decrypted. OpenSSL's legacy PEM encryption
//! (`Proc-Type: 4,ENCRYPTED`) is recognised and reported, not decrypted: `openssl pkcs8 -topk8` converts
//! such a key.
//!
//! Work is bounded for hostile input: key-derivation parameters beyond [`MAX_PBKDF2_ITERATIONS`] and
//! [`MAX_SCRYPT_MEMORY`] are refused rather than run.

use pkcs8::der::{
    Decode, Reader,
    asn1::{AnyRef, OctetStringRef},
};
use pkcs8::{EncryptedPrivateKeyInfo, pkcs5};
use spki::AlgorithmIdentifierRef;

use super::crypto::{
    Curve, KeyError, PublicKey, curve_from_parameters, normalise_ec_point, oid, other_key_algorithm_name,
    rsa_public_key,
};

/// The most PBKDF2 iterations we run to decrypt a key (OpenSSL writes 2048; careful tools a few 100 000).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// The most memory, in bytes, an scrypt key derivation may ask for (OpenSSL's own limit is 32 MiB).
pub const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;

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
///
/// Errors: [`KeyError::Encrypted`] (no passphrase, or legacy PEM encryption), [`KeyError::WrongPassphrase`],
/// [`KeyError::Unsupported`] (unknown key algorithm or encryption scheme), [`KeyError::Malformed`] (saying
/// what was expected).
pub fn parse_private_key(
    label: Option<&str>,
    der: &[u8],
    pem_headers: &[(String, String)],
    passphrase: Option<&[u8]>,
) -> Result<PrivateKeyInfo, KeyError> {
    if let Some(format) = legacy_pem_encryption(pem_headers) {
        return Err(KeyError::Encrypted { format });
    }
    let Some(label) = label else {
        return parse_der_any(der, passphrase);
    };
    match label.trim() {
        "RSA PRIVATE KEY" => parse_pkcs1(der)
            .map(|public| PrivateKeyInfo { format: KeyFormat::Pkcs1, public })
            .map_err(|e| e.in_container("PKCS#1 RSAPrivateKey")),
        "PRIVATE KEY" | "ANY PRIVATE KEY" => match pkcs8::PrivateKeyInfo::from_der(der) {
            Ok(info) => from_pkcs8(&info),
            Err(e) => Err(KeyError::malformed(format!("not a PKCS#8 PrivateKeyInfo: {e}"))),
        },
        "EC PRIVATE KEY" => parse_sec1(der, None, None)
            .map(|public| PrivateKeyInfo { format: KeyFormat::Sec1, public })
            .map_err(|e| e.in_container("SEC1 ECPrivateKey")),
        "ENCRYPTED PRIVATE KEY" => parse_encrypted(der, passphrase),
        "DSA PRIVATE KEY" => Err(KeyError::Unsupported { algorithm: "DSA".to_owned() }),
        "OPENSSH PRIVATE KEY" => Err(KeyError::Unsupported {
            algorithm: "OpenSSH private key format (convert with `ssh-keygen -p -m PEM`)".to_owned(),
        }),
        "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => {
            Err(KeyError::malformed(format!("the PEM block `{label}` is a certificate, not a private key")))
        }
        "PUBLIC KEY" | "RSA PUBLIC KEY" => {
            Err(KeyError::malformed(format!("the PEM block `{label}` is a public key, not a private key")))
        }
        other => Err(KeyError::malformed(format!(
            "the PEM block `{other}` is not a private key (expected PRIVATE KEY, RSA PRIVATE KEY, \
             EC PRIVATE KEY or ENCRYPTED PRIVATE KEY)"
        ))),
    }
}

impl KeyError {
    /// Prefixes a malformed-key detail with the container that was being read.
    fn in_container(self, container: &str) -> KeyError {
        match self {
            KeyError::Malformed { detail } => KeyError::malformed(format!("{container}: {detail}")),
            other => other,
        }
    }
}

/// `Proc-Type: 4,ENCRYPTED` with its `DEK-Info` cipher, described.
fn legacy_pem_encryption(headers: &[(String, String)]) -> Option<String> {
    let header =
        |name: &str| headers.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
    let proc_type = header("Proc-Type")?;
    if !proc_type.to_ascii_uppercase().contains("ENCRYPTED") {
        return None;
    }
    let cipher = header("DEK-Info").and_then(|v| v.split(',').next()).map(str::trim).unwrap_or("no DEK-Info");
    Some(format!("OpenSSL legacy PEM encryption (DEK-Info: {cipher})"))
}

/// Raw DER: PKCS#8, PKCS#1, SEC1 and encrypted PKCS#8, told apart by their structure.
fn parse_der_any(der: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKeyInfo, KeyError> {
    let pkcs8_error = match pkcs8::PrivateKeyInfo::from_der(der) {
        Ok(info) => return from_pkcs8(&info),
        Err(e) => e,
    };
    if let Ok(key) = pkcs1::RsaPrivateKey::from_der(der) {
        let public = rsa_public_key(key.modulus.as_bytes(), key.public_exponent.as_bytes())?;
        return Ok(PrivateKeyInfo { format: KeyFormat::Pkcs1, public });
    }
    if let Ok(key) = sec1::EcPrivateKey::from_der(der) {
        let public = sec1_public(&key, None, None).map_err(|e| e.in_container("SEC1 ECPrivateKey"))?;
        return Ok(PrivateKeyInfo { format: KeyFormat::Sec1, public });
    }
    if read_encrypted(der).is_ok() {
        return parse_encrypted(der, passphrase);
    }
    if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        return Err(KeyError::malformed("this is a public key (SubjectPublicKeyInfo), not a private key"));
    }
    if x509_parser::parse_x509_certificate(der).is_ok_and(|(rest, _)| rest.is_empty()) {
        return Err(KeyError::malformed("this is a certificate, not a private key"));
    }
    Err(KeyError::malformed(format!("not a PKCS#8, PKCS#1 or SEC1 private key: {pkcs8_error}")))
}

/// The public half of a PKCS#1 RSAPrivateKey.
fn parse_pkcs1(der: &[u8]) -> Result<PublicKey, KeyError> {
    let key = pkcs1::RsaPrivateKey::from_der(der).map_err(|e| KeyError::malformed(e.to_string()))?;
    rsa_public_key(key.modulus.as_bytes(), key.public_exponent.as_bytes())
}

/// The public half of a SEC1 ECPrivateKey. `outer_curve` comes from a PKCS#8 wrapper, `outer_public` from a
/// PKCS#8 v2 publicKey field.
fn parse_sec1(
    der: &[u8],
    outer_curve: Option<Curve>,
    outer_public: Option<&[u8]>,
) -> Result<PublicKey, KeyError> {
    let key = sec1::EcPrivateKey::from_der(der).map_err(|e| KeyError::malformed(e.to_string()))?;
    sec1_public(&key, outer_curve, outer_public)
}

fn sec1_public(
    key: &sec1::EcPrivateKey<'_>,
    outer_curve: Option<Curve>,
    outer_public: Option<&[u8]>,
) -> Result<PublicKey, KeyError> {
    let inner_curve =
        key.parameters.and_then(|p| p.named_curve()).map(|oid| Curve::from_oid(&oid.to_string()));
    let curve = match (outer_curve, inner_curve) {
        (Some(outer), Some(inner)) if outer != inner => {
            return Err(KeyError::malformed(format!(
                "the PKCS#8 wrapper says curve {} but the SEC1 key says {}",
                outer.name(),
                inner.name()
            )));
        }
        (Some(curve), _) | (None, Some(curve)) => curve,
        (None, None) => return Err(KeyError::malformed("EC private key without curve parameters")),
    };
    let embedded = key.public_key.or(outer_public);
    let point = ec_public_point(&curve, key.private_key, embedded)?;
    Ok(PublicKey::Ec { curve, point })
}

/// Computes `d*G` on P-256/P-384 (and checks any embedded public key against it); other curves need the
/// embedded public key.
fn ec_public_point(curve: &Curve, scalar: &[u8], embedded: Option<&[u8]>) -> Result<Vec<u8>, KeyError> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let bad_scalar = || KeyError::malformed(format!("the private scalar is not valid for {}", curve.name()));
    let computed = match curve {
        Curve::P256 => {
            let secret = p256::SecretKey::from_slice(scalar).map_err(|_| bad_scalar())?;
            secret.public_key().to_encoded_point(false).as_bytes().to_vec()
        }
        Curve::P384 => {
            let secret = p384::SecretKey::from_slice(scalar).map_err(|_| bad_scalar())?;
            secret.public_key().to_encoded_point(false).as_bytes().to_vec()
        }
        Curve::P521 | Curve::Other(_) => {
            return match embedded {
                Some(point) => normalise_ec_point(curve, point),
                None => Err(KeyError::Unsupported {
                    algorithm: format!(
                        "EC {} private key without an embedded public key (only P-256 and P-384 keys can be \
                         completed)",
                        curve.name()
                    ),
                }),
            };
        }
    };
    if let Some(point) = embedded
        && normalise_ec_point(curve, point)? != computed
    {
        return Err(KeyError::malformed("the public key stored with the private key does not match it"));
    }
    Ok(computed)
}

/// The public half of a PKCS#8 PrivateKeyInfo.
fn from_pkcs8(info: &pkcs8::PrivateKeyInfo<'_>) -> Result<PrivateKeyInfo, KeyError> {
    let algorithm = info.algorithm.oid.to_string();
    let public = match algorithm.as_str() {
        oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
            parse_pkcs1(info.private_key).map_err(|e| e.in_container("PKCS#8 RSA key"))?
        }
        oid::EC_PUBLIC_KEY => {
            let curve = curve_from_parameters(info.algorithm.parameters)?;
            parse_sec1(info.private_key, Some(curve), info.public_key)
                .map_err(|e| e.in_container("PKCS#8 EC key"))?
        }
        oid::ED25519 => {
            let seed = OctetStringRef::from_der(info.private_key)
                .map_err(|e| KeyError::malformed(format!("PKCS#8 Ed25519 key: {e}")))?;
            let seed: [u8; 32] = seed.as_bytes().try_into().map_err(|_| {
                KeyError::malformed(format!(
                    "PKCS#8 Ed25519 key: the seed is {} bytes, expected 32",
                    seed.as_bytes().len()
                ))
            })?;
            let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
            if info.public_key.is_some_and(|stored| stored != public) {
                return Err(KeyError::malformed(
                    "PKCS#8 Ed25519 key: the public key stored with the private key does not match it",
                ));
            }
            PublicKey::Ed25519(public)
        }
        _ => {
            let algorithm = match other_key_algorithm_name(&algorithm) {
                Some(name) => format!("{name} ({algorithm})"),
                None => algorithm,
            };
            return Err(KeyError::Unsupported { algorithm });
        }
    };
    Ok(PrivateKeyInfo { format: KeyFormat::Pkcs8, public })
}

/// The outer EncryptedPrivateKeyInfo, read generically so that schemes `pkcs5` does not know can be named.
fn read_encrypted(der: &[u8]) -> Result<AlgorithmIdentifierRef<'_>, pkcs8::der::Error> {
    AnyRef::from_der(der)?.sequence(|reader| {
        let algorithm = reader.decode::<AlgorithmIdentifierRef<'_>>()?;
        reader.decode::<OctetStringRef<'_>>()?;
        Ok(algorithm)
    })
}

/// An encrypted PKCS#8 key: described, and decrypted when there is a passphrase.
fn parse_encrypted(der: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKeyInfo, KeyError> {
    let algorithm = read_encrypted(der)
        .map_err(|e| KeyError::malformed(format!("not a PKCS#8 EncryptedPrivateKeyInfo: {e}")))?;
    let format = describe_encryption(&algorithm);
    let Some(passphrase) = passphrase else {
        return Err(KeyError::Encrypted { format });
    };
    let cannot_decrypt = |format: &str| KeyError::Unsupported {
        algorithm: format!(
            "{format} (only PBES2 with PBKDF2 or scrypt and AES-CBC or DES-EDE3-CBC is decrypted)"
        ),
    };
    let encrypted = EncryptedPrivateKeyInfo::from_der(der).map_err(|_| cannot_decrypt(&format))?;
    let pkcs5::EncryptionScheme::Pbes2(params) = &encrypted.encryption_algorithm else {
        return Err(cannot_decrypt(&format));
    };
    check_kdf_cost(&params.kdf)?;
    let wrong = || KeyError::WrongPassphrase { format: format.clone() };
    let plain = match encrypted.decrypt(passphrase) {
        Ok(plain) => plain,
        Err(pkcs8::Error::EncryptedPrivateKey(
            pkcs5::Error::UnsupportedAlgorithm { .. }
            | pkcs5::Error::AlgorithmParametersInvalid { .. }
            | pkcs5::Error::NoPbes1CryptSupport,
        )) => return Err(cannot_decrypt(&format)),
        Err(_) => return Err(wrong()),
    };
    // A wrong passphrase almost always breaks the CBC padding; when it does not, the plaintext is not DER.
    let info = pkcs8::PrivateKeyInfo::from_der(plain.as_bytes()).map_err(|_| wrong())?;
    from_pkcs8(&info)
}

/// Refuses key derivations that would take unbounded time or memory.
fn check_kdf_cost(kdf: &pkcs5::pbes2::Kdf<'_>) -> Result<(), KeyError> {
    let too_costly =
        |what: String| KeyError::Unsupported { algorithm: format!("key encryption with {what}") };
    match kdf {
        pkcs5::pbes2::Kdf::Pbkdf2(p) => {
            if p.iteration_count == 0 || p.iteration_count > MAX_PBKDF2_ITERATIONS {
                return Err(too_costly(format!(
                    "{} PBKDF2 iterations (at most {MAX_PBKDF2_ITERATIONS} are run)",
                    p.iteration_count
                )));
            }
        }
        pkcs5::pbes2::Kdf::Scrypt(p) => {
            let n = p.cost_parameter;
            let memory = n.checked_mul(128).and_then(|m| m.checked_mul(u64::from(p.block_size)));
            if !n.is_power_of_two()
                || n < 2
                || memory.is_none_or(|m| m > MAX_SCRYPT_MEMORY)
                || p.parallelization > 16
            {
                return Err(too_costly(format!(
                    "scrypt N={n} r={} p={} (at most {} MiB and p=16 are allowed)",
                    p.block_size,
                    p.parallelization,
                    MAX_SCRYPT_MEMORY >> 20
                )));
            }
        }
        _ => return Err(too_costly("an unknown key derivation function".to_owned())),
    }
    Ok(())
}

/// `PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)`, `PKCS#8 PBES1 (pbeWithMD5AndDES-CBC)`...
fn describe_encryption(algorithm: &AlgorithmIdentifierRef<'_>) -> String {
    const PBES2: &str = "1.2.840.113549.1.5.13";
    const NAMED: &[(&str, &str)] = &[
        ("1.2.840.113549.1.5.1", "PKCS#8 PBES1 (pbeWithMD2AndDES-CBC)"),
        ("1.2.840.113549.1.5.3", "PKCS#8 PBES1 (pbeWithMD5AndDES-CBC)"),
        ("1.2.840.113549.1.5.4", "PKCS#8 PBES1 (pbeWithMD2AndRC2-CBC)"),
        ("1.2.840.113549.1.5.6", "PKCS#8 PBES1 (pbeWithMD5AndRC2-CBC)"),
        ("1.2.840.113549.1.5.10", "PKCS#8 PBES1 (pbeWithSHA1AndDES-CBC)"),
        ("1.2.840.113549.1.5.11", "PKCS#8 PBES1 (pbeWithSHA1AndRC2-CBC)"),
        ("1.2.840.113549.1.12.1.1", "PKCS#8 PKCS#12 PBE (pbeWithSHAAnd128BitRC4)"),
        ("1.2.840.113549.1.12.1.2", "PKCS#8 PKCS#12 PBE (pbeWithSHAAnd40BitRC4)"),
        ("1.2.840.113549.1.12.1.3", "PKCS#8 PKCS#12 PBE (pbeWithSHAAnd3-KeyTripleDES-CBC)"),
        ("1.2.840.113549.1.12.1.4", "PKCS#8 PKCS#12 PBE (pbeWithSHAAnd2-KeyTripleDES-CBC)"),
        ("1.2.840.113549.1.12.1.5", "PKCS#8 PKCS#12 PBE (pbeWithSHAAnd128BitRC2-CBC)"),
        ("1.2.840.113549.1.12.1.6", "PKCS#8 PKCS#12 PBE (pbewithSHAAnd40BitRC2-CBC)"),
    ];
    let oid = algorithm.oid.to_string();
    if oid != PBES2 {
        return NAMED
            .iter()
            .find(|(o, _)| *o == oid)
            .map_or_else(|| format!("PKCS#8 encrypted with {oid}"), |(_, name)| (*name).to_owned());
    }
    // PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier
    // }
    let params = algorithm.parameters.and_then(|p| {
        p.sequence(|r| {
            Ok((r.decode::<AlgorithmIdentifierRef<'_>>()?, r.decode::<AlgorithmIdentifierRef<'_>>()?))
        })
        .ok()
    });
    let Some((kdf, cipher)) = params else {
        return "PKCS#8 PBES2 (unreadable parameters)".to_owned();
    };
    let kdf = match kdf.oid.to_string().as_str() {
        "1.2.840.113549.1.5.12" => {
            match kdf.parameters.and_then(|p| pkcs5::pbes2::Pbkdf2Params::try_from(p).ok()).map(|p| p.prf) {
                Some(pkcs5::pbes2::Pbkdf2Prf::HmacWithSha1) => "PBKDF2-HMAC-SHA1".to_owned(),
                Some(pkcs5::pbes2::Pbkdf2Prf::HmacWithSha224) => "PBKDF2-HMAC-SHA224".to_owned(),
                Some(pkcs5::pbes2::Pbkdf2Prf::HmacWithSha256) => "PBKDF2-HMAC-SHA256".to_owned(),
                Some(pkcs5::pbes2::Pbkdf2Prf::HmacWithSha384) => "PBKDF2-HMAC-SHA384".to_owned(),
                Some(pkcs5::pbes2::Pbkdf2Prf::HmacWithSha512) => "PBKDF2-HMAC-SHA512".to_owned(),
                _ => "PBKDF2".to_owned(),
            }
        }
        "1.3.6.1.4.1.11591.4.11" => "scrypt".to_owned(),
        other => format!("key derivation {other}"),
    };
    const CIPHERS: &[(&str, &str)] = &[
        ("2.16.840.1.101.3.4.1.2", "AES-128-CBC"),
        ("2.16.840.1.101.3.4.1.22", "AES-192-CBC"),
        ("2.16.840.1.101.3.4.1.42", "AES-256-CBC"),
        ("2.16.840.1.101.3.4.1.6", "AES-128-GCM"),
        ("2.16.840.1.101.3.4.1.46", "AES-256-GCM"),
        ("1.2.840.113549.3.7", "DES-EDE3-CBC"),
        ("1.3.14.3.2.7", "DES-CBC"),
        ("1.2.840.113549.3.2", "RC2-CBC"),
        ("1.2.410.200004.1.4", "SEED-CBC"),
    ];
    let cipher_oid = cipher.oid.to_string();
    let cipher = CIPHERS.iter().find(|(o, _)| *o == cipher_oid).map_or(cipher_oid.as_str(), |(_, name)| name);
    format!("PKCS#8 PBES2 ({kdf}, {cipher})")
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn empty_and_truncated_input_is_malformed() {
        for label in [None, Some("PRIVATE KEY"), Some("RSA PRIVATE KEY"), Some("EC PRIVATE KEY")] {
            for der in [&[][..], &[0x30], &[0x30, 0x82, 0x01], &[0x30, 0x03, 0x02, 0x01, 0x00]] {
                let err = parse_private_key(label, der, &[], None).unwrap_err();
                assert!(matches!(err, KeyError::Malformed { .. }), "{label:?} {der:?}: {err:?}");
            }
        }
        let err =
            parse_private_key(Some("ENCRYPTED PRIVATE KEY"), &[0x30, 0x00], &[], Some(b"x")).unwrap_err();
        assert!(matches!(err, KeyError::Malformed { .. }), "{err:?}");
    }

    #[test]
    fn legacy_pem_headers_are_recognised() {
        let headers = [
            ("Proc-Type".to_owned(), "4,ENCRYPTED".to_owned()),
            ("DEK-Info".to_owned(), "AES-128-CBC,00112233445566778899AABBCCDDEEFF".to_owned()),
        ];
        assert_eq!(
            parse_private_key(Some("RSA PRIVATE KEY"), b"", &headers, Some(b"pw")),
            Err(KeyError::Encrypted {
                format: "OpenSSL legacy PEM encryption (DEK-Info: AES-128-CBC)".into()
            })
        );
    }

    #[test]
    fn other_labels() {
        assert!(matches!(
            parse_private_key(Some("CERTIFICATE"), b"", &[], None),
            Err(KeyError::Malformed { detail }) if detail.contains("certificate")
        ));
        assert!(matches!(
            parse_private_key(Some("DSA PRIVATE KEY"), b"", &[], None),
            Err(KeyError::Unsupported { .. })
        ));
    }
}
