//! Offline certificate analysis: everything wrong with an RTSPS server certificate, at once.
//!
//! Feed [`analyze`] the certificate files (PEM or DER, any order), optionally the private key, the host a client
//! would connect to, trust anchors, and the current time. It returns a [`Report`](crate::Report) restricted to the certificate
//! layer with every defect found (not only the first), the trust status stated explicitly, and the facts
//! (subject, issuer, SANs, dates, key, fingerprint) even when nothing is wrong.
//!
//! ```
//! use rtspeek_core::{UnixTime, cert::{CertCheck, InputFile}};
//! # let pem = b"not a certificate";
//! let files = [InputFile { name: "cam.pem", bytes: pem }];
//! let check = CertCheck::new(&files, UnixTime(1_800_000_000)).host("192.0.2.10");
//! // Garbage gives an error naming the file and what was wrong, never a panic.
//! assert!(rtspeek_core::cert::analyze(&check).is_err());
//! ```

mod analyze;
mod anchors;
mod chain;
pub mod crypto;
pub(crate) mod dn;
mod facts;
pub mod input;
pub mod key;
pub(crate) mod names;
mod pair;
pub mod pin;
mod profile;
mod shape;
mod trust;
pub mod verdicts;

pub use analyze::analyze;
pub use facts::{
    CertRole, CertificateFacts, CertificateSummary, KeyFacts, fingerprint as fingerprint_sha256,
};
pub use input::InputError;
pub use pin::{PinError, Sha256Pin};
pub use verdicts::{Analysis, SignatureCheck, Verdicts, analyze_with};

use crate::UnixTime;

/// One input file: a display name (used in evidence) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    /// Name shown in findings (a path, or `-` for standard input).
    pub name: &'a str,
    /// The file's bytes: PEM (any number of blocks) or DER (one or more concatenated certificates).
    pub bytes: &'a [u8],
}

/// What to analyse. Build with [`CertCheck::new`] and the setters.
#[derive(Debug, Clone)]
pub struct CertCheck<'a> {
    /// Certificate files, in the order given (their order is itself checked).
    pub certificates: &'a [InputFile<'a>],
    /// The private key file, if the pair should be checked.
    pub key: Option<InputFile<'a>>,
    /// Passphrase for an encrypted PKCS#8 key.
    pub key_passphrase: Option<&'a [u8]>,
    /// The host a client takes from the URL: a DNS name or an IP literal (IPv6 with or without brackets).
    pub host: Option<&'a str>,
    /// Trust anchors (PEM/DER CA certificates). `None` judges against the public web PKI.
    pub anchors: Option<&'a [InputFile<'a>]>,
    /// The anchors are the system trust store read from this place (`--trust system`), not `--ca` files.
    pub system_store: Option<&'a str>,
    /// Judge against the public web PKI too, next to `anchors` (`--trust both`).
    pub web_pki_too: bool,
    /// Trust exactly this leaf, by fingerprint, instead of any anchor (`--pin`): the chain's trust findings
    /// become informational when it matches, a mismatch is `cert.pin_mismatch`.
    pub pin: Option<Sha256Pin>,
    /// The time at which validity is judged.
    pub now: UnixTime,
}

impl<'a> CertCheck<'a> {
    /// A check of `certificates` at time `now`, against the public web PKI, without key or host.
    pub fn new(certificates: &'a [InputFile<'a>], now: UnixTime) -> Self {
        CertCheck {
            certificates,
            key: None,
            key_passphrase: None,
            host: None,
            anchors: None,
            system_store: None,
            web_pki_too: false,
            pin: None,
            now,
        }
    }

    /// Also check that `key` is the certificate's private key.
    #[must_use]
    pub fn key(mut self, key: InputFile<'a>) -> Self {
        self.key = Some(key);
        self
    }

    /// Passphrase for an encrypted key.
    #[must_use]
    pub fn key_passphrase(mut self, passphrase: &'a [u8]) -> Self {
        self.key_passphrase = Some(passphrase);
        self
    }

    /// Check names against `host` (DNS name or IP literal).
    #[must_use]
    pub fn host(mut self, host: &'a str) -> Self {
        self.host = Some(host);
        self
    }

    /// Trust exactly the leaf with this fingerprint (chain and anchors are then not what decides trust).
    #[must_use]
    pub fn pin(mut self, pin: Sha256Pin) -> Self {
        self.pin = Some(pin);
        self
    }

    /// Judge trust against these anchors instead of the public web PKI.
    #[must_use]
    pub fn anchors(mut self, anchors: &'a [InputFile<'a>]) -> Self {
        self.anchors = Some(anchors);
        self
    }

    /// The anchors are the system trust store, read from `source` (`--trust system`); with `web_pki_too`, the
    /// public web PKI is added (`--trust both`).
    #[must_use]
    pub fn system_store(mut self, source: &'a str, web_pki_too: bool) -> Self {
        self.system_store = Some(source);
        self.web_pki_too = web_pki_too;
        self
    }
}
