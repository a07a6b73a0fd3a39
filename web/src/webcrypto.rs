//! Signature checks of the certificate analysis verified by the browser's WebCrypto (`crypto.subtle`), which
//! runs native code: a P-256 verification takes well under a millisecond there, against about 3.5 ms in
//! size-optimised wasm (BENCHMARKS.md, "Browser").
//!
//! The WebCrypto calls are made here, from Rust, rather than in the page's JavaScript: `analyzeCertificate`
//! stays one call for every user of the module (the page, `<rtspeek-report>` hosts, the npm package), and the
//! mapping from core's algorithms to WebCrypto's is plain Rust tested natively ([`job`]).
//!
//! Verdicts stay core's: WebCrypto is only trusted to say *genuine*. Anything else (`false`, an exception,
//! no `crypto.subtle` outside a secure context, an algorithm WebCrypto lacks: MD5 or SHA-224 digests, PSS
//! whose mask digest differs, Ed25519, whose WebCrypto implementations are not all as strict as core about
//! small-order points) is verified by core's code in wasm, so the page gives the CLI's verdict for every
//! input: a standard verifier never accepts what core rejects, given the key checks done first here.

use rtspeek_core::cert::SignatureCheck;
use rtspeek_core::cert::crypto::{
    Curve, Hash, PublicKey, SignatureAlgorithm, ecdsa_der_to_p1363, rsa_key_usable,
};

/// One signature check as WebCrypto takes it: `importKey` then `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// RSASSA-PKCS1-v1_5: the key as a JWK (`n`, `e` big-endian), the digest's WebCrypto name.
    RsaPkcs1 {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
        /// `SHA-1`, `SHA-256`, `SHA-384` or `SHA-512`.
        hash: &'static str,
        /// The signature.
        signature: Vec<u8>,
    },
    /// RSA-PSS with MGF1 over the message digest.
    RsaPss {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
        /// Digest name, as above.
        hash: &'static str,
        /// Salt length in bytes.
        salt_len: usize,
        /// The signature.
        signature: Vec<u8>,
    },
    /// ECDSA: the key as a raw uncompressed point (`importKey("raw")`).
    Ecdsa {
        /// `P-256` or `P-384`.
        curve: &'static str,
        /// `04 || X || Y`.
        point: Vec<u8>,
        /// Digest name, as above.
        hash: &'static str,
        /// The signature as IEEE P1363 `r || s` (certificates carry DER).
        signature: Vec<u8>,
    },
}

/// The WebCrypto form of `check`, or `None` when core must verify it itself (see the module docs).
pub fn job(check: &SignatureCheck) -> Option<Job> {
    match (&check.algorithm, &check.key) {
        (SignatureAlgorithm::RsaPkcs1(hash), PublicKey::Rsa { n, e }) => {
            rsa_key_usable(n, e).ok()?;
            let hash = hash_name(*hash)?;
            Some(Job::RsaPkcs1 { n: n.clone(), e: e.clone(), hash, signature: check.signature.clone() })
        }
        (SignatureAlgorithm::RsaPss { hash, mgf1_hash, salt_len }, PublicKey::Rsa { n, e })
            if hash == mgf1_hash =>
        {
            rsa_key_usable(n, e).ok()?;
            let hash = hash_name(*hash)?;
            let signature = check.signature.clone();
            Some(Job::RsaPss { n: n.clone(), e: e.clone(), hash, salt_len: *salt_len, signature })
        }
        (SignatureAlgorithm::Ecdsa(hash), PublicKey::Ec { curve, point }) => {
            let (curve, len) = match curve {
                Curve::P256 => ("P-256", 32),
                Curve::P384 => ("P-384", 48),
                _ => return None,
            };
            let hash = hash_name(*hash)?;
            // Core keeps P-256 and P-384 points uncompressed: 04 || X || Y.
            if point.len() != 1 + 2 * len || point.first() != Some(&4) {
                return None;
            }
            let signature = ecdsa_der_to_p1363(&check.signature, len)?;
            Some(Job::Ecdsa { curve, point: point.clone(), hash, signature })
        }
        _ => None,
    }
}

/// WebCrypto's name of a digest it has.
fn hash_name(hash: Hash) -> Option<&'static str> {
    match hash {
        Hash::Sha1 | Hash::Sha256 | Hash::Sha384 | Hash::Sha512 => Some(hash.name()),
        Hash::Md5 | Hash::Sha224 => None,
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::verify;

/// Off wasm (the native tests of this crate) there is no WebCrypto: core's verdict.
#[cfg(not(target_arch = "wasm32"))]
pub async fn verify(check: &SignatureCheck) -> Result<(), rtspeek_core::cert::crypto::VerifyError> {
    check.verify()
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use base64::Engine as _;
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use rtspeek_core::cert::SignatureCheck;
    use rtspeek_core::cert::crypto::VerifyError;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    use super::{Job, job};

    #[wasm_bindgen]
    extern "C" {
        // `crypto.subtle` itself (not a web-sys binding: two methods are all this needs). `catch`: outside a
        // secure context `crypto.subtle` is undefined and the call throws.
        #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey, catch)]
        fn import_key(
            format: &str,
            key: &JsValue,
            algorithm: &JsValue,
            extractable: bool,
            usages: &Array,
        ) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = verify, catch)]
        fn subtle_verify(
            algorithm: &JsValue,
            key: &JsValue,
            signature: &Uint8Array,
            data: &Uint8Array,
        ) -> Result<js_sys::Promise, JsValue>;
    }

    /// `{ key: value, ... }`.
    fn object(fields: &[(&str, JsValue)]) -> Object {
        let object = Object::new();
        for (key, value) in fields {
            // Setting a property of a fresh plain object cannot fail.
            let _ = Reflect::set(&object, &JsValue::from_str(key), value);
        }
        object
    }

    fn base64url(bytes: &[u8]) -> JsValue {
        JsValue::from_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// `importKey`'s format, key data and algorithm, `verify`'s algorithm, and the signature for a job.
    fn webcrypto_arguments(job: &Job) -> (&'static str, JsValue, Object, Object, &[u8]) {
        let rsa_jwk = |n: &[u8], e: &[u8]| {
            let kty = ("kty", JsValue::from_str("RSA"));
            JsValue::from(object(&[kty, ("n", base64url(n)), ("e", base64url(e))]))
        };
        let name = |n: &str| ("name", JsValue::from_str(n));
        let hash = |h: &str| ("hash", JsValue::from_str(h));
        match job {
            Job::RsaPkcs1 { n, e, hash: h, signature } => {
                let algorithm = object(&[name("RSASSA-PKCS1-v1_5"), hash(h)]);
                ("jwk", rsa_jwk(n, e), algorithm.clone(), algorithm, signature)
            }
            Job::RsaPss { n, e, hash: h, salt_len, signature } => {
                #[allow(clippy::cast_precision_loss)] // at most the modulus length (core checks)
                let salt = ("saltLength", JsValue::from_f64(*salt_len as f64));
                (
                    "jwk",
                    rsa_jwk(n, e),
                    object(&[name("RSA-PSS"), hash(h)]),
                    object(&[name("RSA-PSS"), salt]),
                    signature,
                )
            }
            Job::Ecdsa { curve, point, hash: h, signature } => {
                let import = object(&[name("ECDSA"), ("namedCurve", JsValue::from_str(curve))]);
                let key = Uint8Array::from(point.as_slice()).into();
                ("raw", key, import, object(&[name("ECDSA"), hash(h)]), signature)
            }
        }
    }

    /// Whether WebCrypto says the signature of `check` is genuine (`false` also for every failure).
    async fn webcrypto_says_genuine(check: &SignatureCheck) -> bool {
        let Some(job) = job(check) else { return false };
        let (format, key, import, verify, signature) = webcrypto_arguments(&job);
        let usages = Array::of1(&JsValue::from_str("verify"));
        let Ok(imported) = import_key(format, &key, &import, false, &usages) else { return false };
        let Ok(key) = JsFuture::from(imported).await else { return false };
        // Copies (not views of wasm memory), which WebCrypto takes at the call.
        let signature = Uint8Array::from(signature);
        let data = Uint8Array::from(check.message.as_slice());
        let Ok(verified) = subtle_verify(&verify, &key, &signature, &data) else { return false };
        JsFuture::from(verified).await.is_ok_and(|v| v.as_bool() == Some(true))
    }

    /// The verdict on `check`: WebCrypto's when it says genuine, else core's (see the module docs).
    pub async fn verify(check: &SignatureCheck) -> Result<(), VerifyError> {
        if webcrypto_says_genuine(check).await { Ok(()) } else { check.verify() }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn check(algorithm: SignatureAlgorithm, key: PublicKey) -> SignatureCheck {
        SignatureCheck { algorithm, key, message: b"tbs".to_vec(), signature: vec![0x30, 0x00] }
    }

    #[test]
    fn jobs_name_webcrypto_algorithms() {
        let rsa = PublicKey::Rsa { n: vec![0xc1; 256], e: vec![1, 0, 1] };
        let Some(Job::RsaPkcs1 { hash, .. }) =
            job(&check(SignatureAlgorithm::RsaPkcs1(Hash::Sha256), rsa.clone()))
        else {
            panic!("PKCS#1 SHA-256")
        };
        assert_eq!(hash, "SHA-256");
        let pss = SignatureAlgorithm::RsaPss { hash: Hash::Sha384, mgf1_hash: Hash::Sha384, salt_len: 48 };
        let Some(Job::RsaPss { hash, salt_len, .. }) = job(&check(pss, rsa.clone())) else { panic!("PSS") };
        assert_eq!((hash, salt_len), ("SHA-384", 48));
        // What WebCrypto lacks, and keys core refuses, stay with core.
        let mixed = SignatureAlgorithm::RsaPss { hash: Hash::Sha384, mgf1_hash: Hash::Sha256, salt_len: 48 };
        assert!(job(&check(mixed, rsa.clone())).is_none());
        assert!(job(&check(SignatureAlgorithm::RsaPkcs1(Hash::Md5), rsa.clone())).is_none());
        assert!(job(&check(SignatureAlgorithm::RsaPkcs1(Hash::Sha224), rsa.clone())).is_none());
        let huge = PublicKey::Rsa { n: vec![0xc1; 4096], e: vec![1, 0, 1] };
        assert!(job(&check(SignatureAlgorithm::RsaPkcs1(Hash::Sha256), huge)).is_none());
        assert!(job(&check(SignatureAlgorithm::Ed25519, PublicKey::Ed25519([9; 32]))).is_none());
        assert!(job(&check(SignatureAlgorithm::Ecdsa(Hash::Sha256), rsa)).is_none());
        let mut point = vec![4];
        point.extend([7; 96]);
        let mut ec =
            check(SignatureAlgorithm::Ecdsa(Hash::Sha1), PublicKey::Ec { curve: Curve::P384, point });
        ec.signature = vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
        let Some(Job::Ecdsa { curve, hash, signature, .. }) = job(&ec) else { panic!("ECDSA") };
        assert_eq!((curve, hash, signature.len()), ("P-384", "SHA-1", 96));
        ec.algorithm = SignatureAlgorithm::Ecdsa(Hash::Sha224);
        assert!(job(&ec).is_none());
    }
}
