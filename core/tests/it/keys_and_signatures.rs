//! Public keys, private keys and certificate signatures against the OpenSSL-made fixtures in
//! `tests/data/keys/` (see its README). Runs natively and on wasm32 (`wasm-bindgen-test`, Node).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use base64::Engine as _;
use rtspeek_core::cert::crypto::{
    Curve, Hash, KeyError, PublicKey, SignatureAlgorithm, VerifyError, verify_signature,
};
use rtspeek_core::cert::key::{KeyFormat, PrivateKeyInfo, parse_private_key};
use x509_parser::prelude::{FromDer, X509Certificate};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../data/keys/", $name))
    };
}

/// One PEM block: label, RFC 1421 headers, DER.
struct Pem {
    label: String,
    headers: Vec<(String, String)>,
    der: Vec<u8>,
}

/// The first PEM block of `text` (a deliberately small parser: the real one lives in `cert::input`).
fn pem(text: &str) -> Pem {
    let mut lines = text.lines().map(str::trim).skip_while(|l| !l.starts_with("-----BEGIN "));
    let begin = lines.next().expect("BEGIN line");
    let label = begin.trim_start_matches("-----BEGIN ").trim_end_matches("-----").to_owned();
    let (mut headers, mut body) = (Vec::new(), String::new());
    for line in lines.by_ref() {
        if line.starts_with("-----END ") {
            break;
        }
        match line.split_once(':') {
            Some((k, v)) if body.is_empty() => headers.push((k.trim().to_owned(), v.trim().to_owned())),
            _ => body.push_str(line),
        }
    }
    let der = base64::engine::general_purpose::STANDARD.decode(body).expect("base64");
    Pem { label, headers, der }
}

/// What a signature check needs from a certificate.
struct Cert {
    tbs: Vec<u8>,
    alg: SignatureAlgorithm,
    signature: Vec<u8>,
    key: PublicKey,
}

fn cert(text: &str) -> Cert {
    let der = pem(text).der;
    let (rest, c) = X509Certificate::from_der(&der).expect("certificate");
    assert!(rest.is_empty());
    Cert {
        tbs: c.tbs_certificate.as_ref().to_vec(),
        alg: SignatureAlgorithm::from_x509(&c.signature_algorithm),
        signature: c.signature_value.data.to_vec(),
        key: PublicKey::from_spki_der(c.public_key().raw).expect("SPKI"),
    }
}

impl Cert {
    /// Verifies this certificate's signature with `issuer`'s key.
    fn verify_with(&self, issuer: &PublicKey) -> Result<(), VerifyError> {
        verify_signature(&self.alg, issuer, &self.tbs, &self.signature)
    }
}

fn key(text: &str, passphrase: Option<&[u8]>) -> Result<PrivateKeyInfo, KeyError> {
    let block = pem(text);
    parse_private_key(Some(&block.label), &block.der, &block.headers, passphrase)
}

fn rsa2048() -> Cert {
    cert(fixture!("rsa2048-sha256.crt"))
}

const SELF_SIGNED: &[(&str, &str)] = &[
    ("rsa2048-sha256.crt", fixture!("rsa2048-sha256.crt")),
    ("rsa2048-sha1.crt", fixture!("rsa2048-sha1.crt")),
    ("rsa2048-md5.crt", fixture!("rsa2048-md5.crt")),
    ("rsa2048-pss-sha256.crt", fixture!("rsa2048-pss-sha256.crt")),
    ("rsa2048-pss-sha384-mgf1sha256.crt", fixture!("rsa2048-pss-sha384-mgf1sha256.crt")),
    ("rsa1023-sha256.crt", fixture!("rsa1023-sha256.crt")),
    ("ec-p256-sha256.crt", fixture!("ec-p256-sha256.crt")),
    ("ec-p256-sha384.crt", fixture!("ec-p256-sha384.crt")),
    ("ec-p384-sha1.crt", fixture!("ec-p384-sha1.crt")),
    ("ed25519.crt", fixture!("ed25519.crt")),
];

#[test]
fn every_self_signed_certificate_verifies_with_its_own_key() {
    for (name, text) in SELF_SIGNED {
        let c = cert(text);
        assert_eq!(c.verify_with(&c.key), Ok(()), "{name} ({})", c.alg.name());
    }
}

#[test]
fn a_flipped_bit_anywhere_is_invalid() {
    for (name, text) in SELF_SIGNED {
        let c = cert(text);
        for i in [0, c.signature.len() / 2, c.signature.len() - 1] {
            let mut sig = c.signature.clone();
            sig[i] ^= 0x01;
            assert_eq!(
                verify_signature(&c.alg, &c.key, &c.tbs, &sig),
                Err(VerifyError::Invalid),
                "{name} byte {i}"
            );
        }
        let mut tbs = c.tbs.clone();
        let last = tbs.len() - 1;
        tbs[last] ^= 0x80;
        assert_eq!(verify_signature(&c.alg, &c.key, &tbs, &c.signature), Err(VerifyError::Invalid), "{name}");
        // Truncated or empty signatures are "does not verify", not errors of another kind.
        let short = &c.signature[..c.signature.len() - 1];
        assert_eq!(verify_signature(&c.alg, &c.key, &c.tbs, short), Err(VerifyError::Invalid), "{name}");
        assert_eq!(verify_signature(&c.alg, &c.key, &c.tbs, &[]), Err(VerifyError::Invalid), "{name}");
    }
}

#[test]
fn a_certificate_signed_by_another_key_does_not_verify_with_its_own() {
    let c = cert(fixture!("rsa2048-signed-by-rsa1023.crt"));
    let issuer = cert(fixture!("rsa1023-sha256.crt"));
    assert_eq!(c.key, rsa2048().key);
    assert_eq!(c.verify_with(&c.key), Err(VerifyError::Invalid));
    assert_eq!(c.verify_with(&issuer.key), Ok(()));
}

#[test]
fn signature_algorithms_are_named() {
    let cases = [
        (
            fixture!("rsa2048-sha256.crt"),
            SignatureAlgorithm::RsaPkcs1(Hash::Sha256),
            "sha256WithRSAEncryption",
        ),
        (fixture!("rsa2048-sha1.crt"), SignatureAlgorithm::RsaPkcs1(Hash::Sha1), "sha1WithRSAEncryption"),
        (fixture!("rsa2048-md5.crt"), SignatureAlgorithm::RsaPkcs1(Hash::Md5), "md5WithRSAEncryption"),
        (
            fixture!("rsa2048-pss-sha256.crt"),
            SignatureAlgorithm::RsaPss { hash: Hash::Sha256, mgf1_hash: Hash::Sha256, salt_len: 32 },
            "rsassaPss(sha256)",
        ),
        (
            fixture!("rsa2048-pss-sha384-mgf1sha256.crt"),
            SignatureAlgorithm::RsaPss { hash: Hash::Sha384, mgf1_hash: Hash::Sha256, salt_len: 20 },
            "rsassaPss(sha384, mgf1 sha256)",
        ),
        (fixture!("ec-p256-sha256.crt"), SignatureAlgorithm::Ecdsa(Hash::Sha256), "ecdsa-with-SHA256"),
        (fixture!("ec-p256-sha384.crt"), SignatureAlgorithm::Ecdsa(Hash::Sha384), "ecdsa-with-SHA384"),
        (fixture!("ec-p384-sha1.crt"), SignatureAlgorithm::Ecdsa(Hash::Sha1), "ecdsa-with-SHA1"),
        (fixture!("ed25519.crt"), SignatureAlgorithm::Ed25519, "Ed25519"),
    ];
    for (text, alg, name) in cases {
        let c = cert(text);
        assert_eq!(c.alg, alg);
        assert_eq!(c.alg.name(), name);
    }
    assert_eq!(SignatureAlgorithm::RsaPkcs1(Hash::Md5).hash().map(Hash::is_weak), Some(true));
    assert_eq!(SignatureAlgorithm::Ecdsa(Hash::Sha1).hash().map(Hash::is_weak), Some(true));
    assert_eq!(SignatureAlgorithm::Ecdsa(Hash::Sha384).hash().map(Hash::is_weak), Some(false));
    assert_eq!(SignatureAlgorithm::Ed25519.hash(), None);
    assert_eq!(Hash::Sha1.name(), "SHA-1");
}

#[test]
fn key_sizes_and_descriptions() {
    let cases = [
        (fixture!("rsa2048-sha256.crt"), Some(2048), "RSA 2048"),
        (fixture!("rsa1023-sha256.crt"), Some(1023), "RSA 1023"),
        (fixture!("ec-p256-sha256.crt"), Some(256), "EC P-256"),
        (fixture!("ec-p384-sha1.crt"), Some(384), "EC P-384"),
        (fixture!("ed25519.crt"), Some(256), "Ed25519"),
    ];
    for (text, bits, description) in cases {
        let key = cert(text).key;
        assert_eq!(key.bits(), bits, "{description}");
        assert_eq!(key.describe(), description);
    }
    let PublicKey::Rsa { n, e } = rsa2048().key else { panic!("not RSA") };
    assert_eq!((n.len(), n[0] >= 0x80, e.as_slice()), (256, true, &[1, 0, 1][..]));
    let other = PublicKey::Other { algorithm: "1.2.3.4".into() };
    assert_eq!((other.bits(), other.describe()), (None, "unknown key 1.2.3.4".to_owned()));
}

#[test]
fn compressed_ec_points_are_normalised() {
    let compressed = pem(fixture!("ec-p256.compressed.pub.pem"));
    assert_eq!(compressed.label, "PUBLIC KEY");
    let key = PublicKey::from_spki_der(&compressed.der).unwrap();
    let PublicKey::Ec { curve: Curve::P256, point } = &key else { panic!("{key:?}") };
    assert_eq!((point.len(), point[0]), (65, 0x04));
    assert_eq!(key, cert(fixture!("ec-p256-sha256.crt")).key);
}

#[test]
fn private_keys_match_their_certificates() {
    let cases = [
        (fixture!("rsa2048.pkcs1.pem"), KeyFormat::Pkcs1, fixture!("rsa2048-sha256.crt")),
        (fixture!("rsa2048.pkcs8.pem"), KeyFormat::Pkcs8, fixture!("rsa2048-sha256.crt")),
        (fixture!("rsa1023.pkcs8.pem"), KeyFormat::Pkcs8, fixture!("rsa1023-sha256.crt")),
        (fixture!("ec-p256.sec1.pem"), KeyFormat::Sec1, fixture!("ec-p256-sha256.crt")),
        (fixture!("ec-p256.nopub.sec1.pem"), KeyFormat::Sec1, fixture!("ec-p256-sha384.crt")),
        (fixture!("ec-p256.pkcs8.pem"), KeyFormat::Pkcs8, fixture!("ec-p256-sha256.crt")),
        (fixture!("ec-p384.nopub.sec1.pem"), KeyFormat::Sec1, fixture!("ec-p384-sha1.crt")),
        (fixture!("ed25519.pkcs8.pem"), KeyFormat::Pkcs8, fixture!("ed25519.crt")),
    ];
    for (key_text, format, cert_text) in cases {
        let info = key(key_text, None).unwrap();
        assert_eq!(info.format, format);
        assert_eq!(info.public, cert(cert_text).key, "{format:?} key vs {}", cert(cert_text).key.describe());
        // The same bytes as raw DER (no label) are recognised too.
        let raw = parse_private_key(None, &pem(key_text).der, &[], None).unwrap();
        assert_eq!(raw, info);
    }
}

#[test]
fn a_mismatched_key_does_not_match() {
    let rsa2048 = rsa2048().key;
    for text in [fixture!("rsa1023.pkcs8.pem"), fixture!("ec-p256.pkcs8.pem"), fixture!("ed25519.pkcs8.pem")]
    {
        assert_ne!(key(text, None).unwrap().public, rsa2048);
    }
}

#[test]
fn encrypted_keys() {
    let text = fixture!("rsa2048.encrypted.pkcs8.pem");
    assert_eq!(
        key(text, None),
        Err(KeyError::Encrypted { format: "PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)".into() })
    );
    let info = key(text, Some(b"rtspeek")).unwrap();
    assert_eq!((info.format, info.public), (KeyFormat::Pkcs8, rsa2048().key));
    assert!(matches!(key(text, Some(b"wrong")), Err(KeyError::WrongPassphrase { .. })));
    // Raw DER without a label is recognised as encrypted PKCS#8.
    assert!(matches!(parse_private_key(None, &pem(text).der, &[], None), Err(KeyError::Encrypted { .. })));

    let legacy = fixture!("rsa2048.legacy-encrypted.pem");
    assert_eq!(
        key(legacy, Some(b"rtspeek")),
        Err(KeyError::Encrypted { format: "OpenSSL legacy PEM encryption (DEK-Info: AES-128-CBC)".into() })
    );
}

#[test]
fn garbage_is_malformed() {
    let garbage: [&[u8]; 4] = [b"", b"hello", &[0x30, 0x03, 0x02, 0x01], &[0x30, 0x80, 0x00, 0x00]];
    for der in garbage {
        for label in [None, Some("PRIVATE KEY"), Some("RSA PRIVATE KEY"), Some("EC PRIVATE KEY")] {
            assert!(
                matches!(parse_private_key(label, der, &[], None), Err(KeyError::Malformed { .. })),
                "{der:?}"
            );
        }
        assert!(matches!(PublicKey::from_spki_der(der), Err(KeyError::Malformed { .. })));
    }
    let Err(KeyError::Malformed { detail }) = parse_private_key(None, b"hello", &[], None) else { panic!() };
    assert!(detail.starts_with("not a PKCS#8, PKCS#1 or SEC1 private key"), "{detail}");
    // A certificate given as the key says so.
    let cert_der = pem(fixture!("rsa2048-sha256.crt")).der;
    let Err(KeyError::Malformed { detail }) = parse_private_key(None, &cert_der, &[], None) else { panic!() };
    assert!(detail.contains("certificate"), "{detail}");
    // A PKCS#1 key under the wrong label is not silently accepted.
    let pkcs1 = pem(fixture!("rsa2048.pkcs1.pem")).der;
    assert!(matches!(
        parse_private_key(Some("EC PRIVATE KEY"), &pkcs1, &[], None),
        Err(KeyError::Malformed { .. })
    ));
    // Truncating a good key anywhere gives an error, never a panic.
    for text in
        [fixture!("ec-p256.sec1.pem"), fixture!("ed25519.pkcs8.pem"), fixture!("rsa2048.encrypted.pkcs8.pem")]
    {
        let der = pem(text).der;
        for len in 0..der.len() {
            assert!(parse_private_key(None, &der[..len], &[], Some(b"rtspeek")).is_err());
        }
    }
}

#[test]
fn family_mismatch_and_unsupported_are_not_invalid() {
    let ec = cert(fixture!("ec-p256-sha256.crt"));
    let rsa = rsa2048();
    let Err(VerifyError::Unsupported(reason)) = ec.verify_with(&rsa.key) else { panic!() };
    assert!(reason.contains("ecdsa-with-SHA256") && reason.contains("RSA 2048"), "{reason}");
    let p521 = PublicKey::Ec { curve: Curve::P521, point: vec![4; 133] };
    assert!(matches!(ec.verify_with(&p521), Err(VerifyError::Unsupported(r)) if r.contains("P-521")));
    let unknown = SignatureAlgorithm::Unknown("1.2.840.10040.4.3".into());
    assert!(matches!(verify_signature(&unknown, &rsa.key, b"", b""), Err(VerifyError::Unsupported(_))));
}

#[test]
fn truncated_spki_never_panics() {
    let der = pem(fixture!("ec-p256.compressed.pub.pem")).der;
    for len in 0..der.len() {
        assert!(PublicKey::from_spki_der(&der[..len]).is_err());
    }
}
