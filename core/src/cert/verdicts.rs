//! The certificate analysis in two phases, for callers that verify signatures themselves (the page verifies
//! with WebCrypto, which is asynchronous): core lists the signature checks it needs, the caller answers each,
//! and core finishes the analysis with those answers. [`super::analyze`] is the one-phase form that verifies
//! with core's own crates.
//!
//! ```
//! use rtspeek_core::{UnixTime, cert::{self, Analysis, CertCheck, InputFile, Verdicts}};
//! # let pem = include_bytes!("../../tests/data/keys/rsa2048-pss-sha256.crt");
//! let files = [InputFile { name: "cam.pem", bytes: pem }];
//! let check = CertCheck::new(&files, UnixTime(1_800_000_000));
//! let mut verdicts = Verdicts::new();
//! let report = loop {
//!     match cert::analyze_with(&check, &verdicts)? {
//!         Analysis::Done(report) => break *report,
//!         // Any verifier will do; here core's own, so the report is `cert::analyze`'s.
//!         Analysis::Verify(checks) => {
//!             for check in checks {
//!                 let result = check.verify();
//!                 verdicts.insert(check, result);
//!             }
//!         }
//!     }
//! };
//! assert_eq!(report, cert::analyze(&check)?);
//! # Ok::<(), cert::InputError>(())
//! ```
//!
//! Path building picks issuers by their signatures, so which checks are needed depends on earlier verdicts:
//! a round assumes unanswered checks succeed (which finds the checks of the likely path at once) and asks for
//! all of them. Each round answers at least one new check, so the loop ends; a valid chain takes one round
//! of checks, a chain with a bad link or two candidate issuers a second.

use super::CertCheck;
use super::analyze::analyze_verifying;
use super::crypto::{PublicKey, SignatureAlgorithm, VerifyError, verify_signature};
use super::input::InputError;
use crate::diagnose::Report;

/// How the analysis asks for a signature verification: algorithm, issuer key, signed bytes, signature.
pub(crate) type Verifier<'v> =
    dyn FnMut(&SignatureAlgorithm, &PublicKey, &[u8], &[u8]) -> Result<(), VerifyError> + 'v;

/// One signature the analysis needs verified: `signature` over `message` by `key` with `algorithm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The certificate's signature algorithm (including RSASSA-PSS parameters).
    pub algorithm: SignatureAlgorithm,
    /// The issuer's public key.
    pub key: PublicKey,
    /// The signed bytes (the certificate's TBSCertificate, DER).
    pub message: Vec<u8>,
    /// The signature as the certificate carries it (ECDSA: DER `Ecdsa-Sig-Value`).
    pub signature: Vec<u8>,
}

impl SignatureCheck {
    /// Verifies with core's own crates: exactly the verdict [`super::analyze`] would use.
    pub fn verify(&self) -> Result<(), VerifyError> {
        verify_signature(&self.algorithm, &self.key, &self.message, &self.signature)
    }

    fn is(&self, algorithm: &SignatureAlgorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        self.algorithm == *algorithm
            && self.key == *key
            && self.message == message
            && self.signature == signature
    }
}

/// The caller's answers to [`SignatureCheck`]s, given back to [`analyze_with`].
#[derive(Debug, Clone, Default)]
pub struct Verdicts {
    answered: Vec<(SignatureCheck, Result<(), VerifyError>)>,
}

impl Verdicts {
    /// No answers yet.
    pub fn new() -> Self {
        Verdicts::default()
    }

    /// Records the verdict on `check` (replacing an earlier one on the same check).
    pub fn insert(&mut self, check: SignatureCheck, result: Result<(), VerifyError>) {
        match self.answered.iter_mut().find(|(c, _)| *c == check) {
            Some(entry) => entry.1 = result,
            None => self.answered.push((check, result)),
        }
    }

    /// How many checks have a verdict.
    pub fn len(&self) -> usize {
        self.answered.len()
    }

    /// Whether no check has a verdict.
    pub fn is_empty(&self) -> bool {
        self.answered.is_empty()
    }

    fn get(
        &self,
        algorithm: &SignatureAlgorithm,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Option<&Result<(), VerifyError>> {
        self.answered.iter().find(|(c, _)| c.is(algorithm, key, message, signature)).map(|(_, r)| r)
    }
}

/// Where a two-phase analysis stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Analysis {
    /// Finished: the report [`super::analyze`] gives when the verdicts are its own (boxed: a report is large).
    Done(Box<Report>),
    /// These checks need a verdict (none of them has one yet); call [`analyze_with`] again once inserted.
    Verify(Vec<SignatureCheck>),
}

/// Runs the analysis of [`super::analyze`] with the signature verdicts in `verdicts`; lists the checks still
/// unanswered instead of verifying them. See the [module docs](self).
///
/// Fails exactly when [`super::analyze`] fails (input errors come before any signature).
pub fn analyze_with(check: &CertCheck<'_>, verdicts: &Verdicts) -> Result<Analysis, InputError> {
    let mut pending: Vec<SignatureCheck> = Vec::new();
    let report = analyze_verifying(check, &mut |algorithm, key, message, signature| {
        if let Some(result) = verdicts.get(algorithm, key, message, signature) {
            return result.clone();
        }
        if !pending.iter().any(|c| c.is(algorithm, key, message, signature)) {
            pending.push(SignatureCheck {
                algorithm: algorithm.clone(),
                key: key.clone(),
                message: message.to_vec(),
                signature: signature.to_vec(),
            });
        }
        // Assume success for now: the path it leads to names the next checks, in this same round.
        Ok(())
    })?;
    Ok(if pending.is_empty() { Analysis::Done(Box::new(report)) } else { Analysis::Verify(pending) })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::UnixTime;
    use crate::cert::{InputFile, analyze};

    /// The pki fixtures' time (core/tests/data/pki/README.md).
    const NOW: UnixTime = UnixTime(1_780_272_000);
    const ROOT: &[u8] = include_bytes!("../../tests/data/pki/root.pem");
    const INTERMEDIATE: &[u8] = include_bytes!("../../tests/data/pki/intermediate.pem");
    const LEAF: &[u8] = include_bytes!("../../tests/data/pki/leaf.pem");
    const LEAF_KEY: &[u8] = include_bytes!("../../tests/data/pki/leaf.key");
    const RSA1023: &[u8] = include_bytes!("../../tests/data/keys/rsa1023-sha256.crt");
    const SIGNED_BY_RSA1023: &[u8] = include_bytes!("../../tests/data/keys/rsa2048-signed-by-rsa1023.crt");

    /// Runs the two-phase analysis with `verify` as the verifier; returns the report and the rounds of checks.
    fn two_phase(
        check: &CertCheck<'_>,
        mut verify: impl FnMut(&SignatureCheck) -> Result<(), VerifyError>,
    ) -> (Report, Vec<usize>) {
        let mut verdicts = Verdicts::new();
        let mut rounds = Vec::new();
        loop {
            match analyze_with(check, &verdicts).unwrap() {
                Analysis::Done(report) => return (*report, rounds),
                Analysis::Verify(checks) => {
                    assert!(!checks.is_empty());
                    assert!(rounds.len() < 10, "no end");
                    rounds.push(checks.len());
                    for c in checks {
                        let result = verify(&c);
                        verdicts.insert(c, result);
                    }
                }
            }
        }
    }

    fn file<'a>(name: &'a str, bytes: &'a [u8]) -> InputFile<'a> {
        InputFile { name, bytes }
    }

    #[test]
    fn chain_with_core_verdicts_gives_the_one_phase_report() {
        let certs = [file("leaf.pem", LEAF), file("intermediate.pem", INTERMEDIATE), file("root.pem", ROOT)];
        let anchors = [file("root.pem", ROOT)];
        let check = CertCheck::new(&certs, NOW).host("192.0.2.10").anchors(&anchors).key(file("k", LEAF_KEY));
        let (report, rounds) = two_phase(&check, SignatureCheck::verify);
        assert_eq!(report, analyze(&check).unwrap());
        // Leaf and intermediate links in one round; the root is an anchor, its self-signature is not checked.
        assert_eq!(rounds, [2]);
        assert!(report.findings.is_empty(), "{:?}", report.findings);
    }

    #[test]
    fn every_key_fixture_gives_the_one_phase_report() {
        let fixtures: &[(&str, &[u8])] = &[
            ("ec-p256-sha256.crt", include_bytes!("../../tests/data/keys/ec-p256-sha256.crt")),
            ("ec-p256-sha384.crt", include_bytes!("../../tests/data/keys/ec-p256-sha384.crt")),
            ("ec-p384-sha1.crt", include_bytes!("../../tests/data/keys/ec-p384-sha1.crt")),
            ("ed25519.crt", include_bytes!("../../tests/data/keys/ed25519.crt")),
            ("rsa2048-md5.crt", include_bytes!("../../tests/data/keys/rsa2048-md5.crt")),
            ("rsa2048-sha1.crt", include_bytes!("../../tests/data/keys/rsa2048-sha1.crt")),
            ("rsa2048-sha256.crt", include_bytes!("../../tests/data/keys/rsa2048-sha256.crt")),
            ("rsa2048-pss-sha256.crt", include_bytes!("../../tests/data/keys/rsa2048-pss-sha256.crt")),
            (
                "rsa2048-pss-sha384-mgf1sha256.crt",
                include_bytes!("../../tests/data/keys/rsa2048-pss-sha384-mgf1sha256.crt"),
            ),
        ];
        for (name, bytes) in fixtures {
            let certs = [file(name, bytes)];
            // Once self-signed and untrusted, once as its own anchor, once against the web PKI.
            for anchors in [None, Some([file(name, bytes)])] {
                let mut check = CertCheck::new(&certs, NOW);
                if let Some(anchors) = &anchors {
                    check = check.anchors(anchors);
                }
                let (report, _) = two_phase(&check, SignatureCheck::verify);
                assert_eq!(report, analyze(&check).unwrap(), "{name}");
            }
        }
        let certs = [file("a", SIGNED_BY_RSA1023), file("b", RSA1023)];
        let check = CertCheck::new(&certs, NOW);
        let (report, _) = two_phase(&check, SignatureCheck::verify);
        assert_eq!(report, analyze(&check).unwrap());
    }

    #[test]
    fn verdicts_decide_the_report() {
        // A verifier that rejects everything: the same chain now has bad signatures, so the verdicts are used.
        let certs = [file("leaf.pem", LEAF), file("intermediate.pem", INTERMEDIATE)];
        let anchors = [file("root.pem", ROOT)];
        let check = CertCheck::new(&certs, NOW).anchors(&anchors);
        let (report, rounds) = two_phase(&check, |_| Err(VerifyError::Invalid));
        assert_ne!(report, analyze(&check).unwrap());
        assert!(report.findings.iter().any(|f| f.code == "cert.bad_signature"), "{:?}", report.findings);
        // Both links were asked for in the first round; failing changes no candidate, so no second round.
        assert_eq!(rounds, [2]);
    }

    #[test]
    fn input_errors_come_before_any_check() {
        let certs = [file("x", b"not a certificate")];
        let check = CertCheck::new(&certs, NOW);
        assert_eq!(analyze_with(&check, &Verdicts::new()).unwrap_err(), analyze(&check).unwrap_err());
    }

    #[test]
    fn insert_replaces_a_verdict() {
        let check = SignatureCheck {
            algorithm: SignatureAlgorithm::Ed25519,
            key: PublicKey::Ed25519([0; 32]),
            message: b"m".to_vec(),
            signature: vec![0; 64],
        };
        let mut verdicts = Verdicts::new();
        assert!(verdicts.is_empty());
        verdicts.insert(check.clone(), Ok(()));
        verdicts.insert(check.clone(), Err(VerifyError::Invalid));
        assert_eq!(verdicts.len(), 1);
        assert_eq!(
            verdicts.get(&check.algorithm, &check.key, &check.message, &check.signature),
            Some(&Err(VerifyError::Invalid))
        );
    }
}
