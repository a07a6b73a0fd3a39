//! A pinned certificate: trust exactly one leaf by its SHA-256 fingerprint, whatever its chain (what MediaMTX's
//! `sourceFingerprint`, a fleet inventory's `fingerprint` column and `rtspeek probe --pin` ask for). Names and
//! dates are still judged: a pin says who the camera is, not that its certificate is in date.

use sha2::{Digest as _, Sha256};

use super::facts::hex;
use crate::diagnose::codes::{self as c, CodeInfo};
use crate::diagnose::{Finding, Severity, TrustOutcome, TrustStatus, TrustStore};

/// A SHA-256 certificate fingerprint to pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Pin([u8; 32]);

/// Why a fingerprint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// Not 64 hexadecimal digits (colons, spaces and a `sha256:` prefix allowed).
    #[error(
        "{shown:?} is not a SHA-256 fingerprint: give 64 hex digits, colons allowed (as `openssl x509 -fingerprint -sha256` prints), {reason}"
    )]
    Malformed {
        /// The value as given (a fingerprint is public, so showing it is safe), shortened.
        shown: String,
        /// What is wrong.
        reason: String,
    },
}

impl Sha256Pin {
    /// Parses `AB:CD:...`, `abcd...`, with an optional `sha256:` / `SHA256=` prefix, as `openssl x509
    /// -fingerprint -sha256`, browsers and MediaMTX print it.
    pub fn parse(text: &str) -> Result<Sha256Pin, PinError> {
        let malformed =
            |reason: String| PinError::Malformed { shown: text.chars().take(120).collect(), reason };
        let trimmed = text.trim();
        let body = ["sha256:", "sha256=", "sha256 fingerprint="]
            .iter()
            .find_map(|p| {
                trimmed
                    .get(..p.len())
                    .filter(|head| head.eq_ignore_ascii_case(p))
                    .map(|_| &trimmed[p.len()..])
            })
            .unwrap_or(trimmed);
        let digits: Vec<u8> = body.bytes().filter(|b| !matches!(b, b':' | b' ' | b'-')).collect();
        if let Some(pos) = digits.iter().position(|b| !b.is_ascii_hexdigit()) {
            let bad = digits.get(pos).map_or('?', |b| char::from(*b));
            return Err(malformed(format!("{bad:?} is not a hex digit")));
        }
        if digits.len() != 64 {
            return Err(malformed(format!("it has {} hex digits", digits.len())));
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            let text = std::str::from_utf8(pair).map_err(|_| malformed("not ASCII".to_owned()))?;
            *byte = u8::from_str_radix(text, 16).map_err(|e| malformed(e.to_string()))?;
        }
        Ok(Sha256Pin(out))
    }

    /// The pin of a DER certificate.
    pub fn of(der: &[u8]) -> Sha256Pin {
        Sha256Pin(Sha256::digest(der).into())
    }

    /// Whether `der` is the pinned certificate.
    pub fn matches(&self, der: &[u8]) -> bool {
        Sha256Pin::of(der) == *self
    }

    /// The raw digest.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Display for Sha256Pin {
    /// Colon-separated uppercase hex, as the report's `sha256_fingerprint` facts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0, ":"))
    }
}

/// Chain findings a pin makes informational: who issued the leaf does not decide trust under a pin.
const CHAIN_TRUST: &[&CodeInfo] =
    &[c::CERT_SELF_SIGNED, c::CERT_UNTRUSTED_ISSUER, c::CERT_CHAIN_INCOMPLETE, c::CERT_ISSUER_MISMATCH];

/// The trust status under a pin: trusted when the leaf is the pinned certificate, otherwise untrusted with
/// `cert.pin_mismatch`. Either way the chain-trust findings in `out` become informational: the issuer does
/// not decide under a pin (clients without the pin still refuse such a chain, which their verdicts say).
pub(crate) fn judge(
    pin: &Sha256Pin,
    leaf_der: &[u8],
    leaf_subject: String,
    out: &mut Vec<Finding>,
) -> TrustStatus {
    let presented = Sha256Pin::of(leaf_der);
    let store = TrustStore::Pinned { sha256_fingerprint: pin.to_string() };
    for finding in out.iter_mut().filter(|f| CHAIN_TRUST.iter().any(|code| code.code == f.code)) {
        finding.severity = Severity::Info;
        finding.detail = "Informational here: under a pin the certificate's issuer does not decide trust. \
                          Clients that do not pin it still refuse this chain."
            .to_owned();
    }
    if presented == *pin {
        return TrustStatus {
            store,
            outcome: TrustOutcome::Trusted,
            // The pinned certificate is its own anchor.
            anchor: Some(leaf_subject),
            overridden: false,
            statement: format!(
                "Trusted by the pin: the server certificate's SHA-256 fingerprint is the pinned {pin}; its issuer \
                 was not what decided (names and dates are still checked)."
            ),
        };
    }
    out.push(
        Finding::new(
            c::CERT_PIN_MISMATCH,
            format!("the server certificate is not the pinned one: its SHA-256 fingerprint is {presented}"),
        )
        .with_evidence("pinned", pin.to_string())
        .with_evidence("presented", presented.to_string()),
    );
    TrustStatus {
        store,
        outcome: TrustOutcome::Untrusted,
        anchor: None,
        overridden: false,
        statement: format!("Not trusted: the server certificate ({presented}) is not the pinned {pin}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str =
        "3E:2B:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08:19:2A:3B:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08:19";

    #[test]
    fn parses_the_usual_spellings_to_one_value() {
        let colon = Sha256Pin::parse(FP).unwrap();
        let plain = Sha256Pin::parse(&FP.replace(':', "").to_ascii_lowercase()).unwrap();
        let prefixed = Sha256Pin::parse(&format!("sha256:{FP}")).unwrap();
        let openssl = Sha256Pin::parse(&format!("SHA256 Fingerprint={FP}")).unwrap();
        assert_eq!(colon, plain);
        assert_eq!(colon, prefixed);
        assert_eq!(colon, openssl);
        assert_eq!(colon.to_string(), FP);
    }

    #[test]
    fn refuses_wrong_lengths_and_letters_saying_which() {
        let short = Sha256Pin::parse("AB:CD").unwrap_err().to_string();
        assert!(short.contains("4 hex digits"), "{short}");
        let letter = Sha256Pin::parse(&FP.replace("3E", "3G")).unwrap_err().to_string();
        assert!(letter.contains("'G'"), "{letter}");
    }

    #[test]
    fn matches_only_its_certificate() {
        let pin = Sha256Pin::of(b"certificate one");
        assert!(pin.matches(b"certificate one"));
        assert!(!pin.matches(b"certificate two"));
    }
}
