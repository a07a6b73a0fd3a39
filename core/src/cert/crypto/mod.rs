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

mod ecdsa;
mod public_key;
mod signature;

pub use ecdsa::ecdsa_der_to_p1363;
pub use public_key::*;
pub use signature::*;

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::signature::{mgf1, pss_verify_mixed, rsa_key};
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
        let pem = include_str!("../../../tests/data/keys/rsa2048-pss-sha256.crt");
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
