//! Trust on first use, made explicit (`rtspeek audit --pin-store FILE`): the first audit records each camera's
//! certificate; a later audit that sees another one adds `cert.fingerprint_changed` to that camera's report
//! (old and new facts as evidence) and keeps flagging it until someone accepts the new certificate with
//! `rtspeek audit accept`. A factory reset that brings back the vendor's default certificate shows up here.
//!
//! The store is a JSON file keyed by camera URL (inventories hold no credentials, so neither does the store).
//! It is replaced atomically (written beside, then renamed), and an unreadable store is an error, never
//! silently started afresh: that would accept every change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rtspeek_core::cert::CertificateSummary;
use rtspeek_core::diagnose::codes;
use rtspeek_core::{Finding, Report, UnixTime};
use serde::{Deserialize, Serialize};

/// What is remembered of one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenCertificate {
    /// SHA-256, colon-separated uppercase hex.
    pub sha256_fingerprint: String,
    /// Subject.
    pub subject: String,
    /// Issuer.
    pub issuer: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// When an audit first saw it, RFC 3339.
    pub first_seen: String,
}

/// One camera's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinEntry {
    /// The accepted certificate.
    pub accepted: SeenCertificate,
    /// A different certificate seen since, waiting to be accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_to: Option<SeenCertificate>,
    /// When an audit last saw the camera's certificate, RFC 3339.
    pub last_seen: String,
}

/// The store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinStore {
    /// Format version.
    pub version: u32,
    /// Entries by camera URL.
    pub cameras: BTreeMap<String, PinEntry>,
}

/// What the store said about one camera's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    /// No certificate in the report (TLS failed before one was presented, or plain RTSP).
    NoCertificate,
    /// First seen: recorded.
    Recorded,
    /// The accepted certificate again.
    Same,
    /// Another certificate: `cert.fingerprint_changed` added.
    Changed,
}

/// Errors of the store file.
#[derive(Debug, thiserror::Error)]
pub enum PinStoreError {
    /// Cannot read or write it.
    #[error("pin store {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not a pin store (refused rather than overwritten).
    #[error("pin store {path}: not an rtspeek pin store ({reason}); move it away or give another file")]
    Format {
        /// The file.
        path: String,
        /// The JSON reader's words.
        reason: String,
    },
    /// `accept` of a camera with no change waiting.
    #[error("pin store: {0}: no changed certificate waiting to be accepted")]
    NothingToAccept(String),
}

const VERSION: u32 = 1;

impl PinStore {
    /// Reads `path`; a missing file is an empty store.
    pub fn load(path: &Path) -> Result<PinStore, PinStoreError> {
        let shown = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => {
                let store: PinStore = serde_json::from_slice(&bytes)
                    .map_err(|e| PinStoreError::Format { path: shown.clone(), reason: e.to_string() })?;
                if store.version != VERSION {
                    return Err(PinStoreError::Format {
                        path: shown,
                        reason: format!("version {} (this rtspeek writes {VERSION})", store.version),
                    });
                }
                Ok(store)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(PinStore { version: VERSION, cameras: BTreeMap::new() })
            }
            Err(source) => Err(PinStoreError::Io { path: shown, source }),
        }
    }

    /// Writes the store to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<(), PinStoreError> {
        let io = |source| PinStoreError::Io { path: path.display().to_string(), source };
        let json = serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        let mut partial = PathBuf::from(path);
        partial.as_mut_os_string().push(".partial");
        std::fs::write(&partial, json).map_err(io)?;
        std::fs::rename(&partial, path).map_err(io)
    }

    /// Compares `report`'s certificate with the one recorded for `url` at time `now`; records it when new, and
    /// returns the report amended with `cert.fingerprint_changed` when it changed.
    pub fn check(&mut self, url: &str, report: Report, now: UnixTime) -> (Report, PinOutcome) {
        let Some(leaf) = report.facts.certificate.as_ref().and_then(|c| c.chain.first()) else {
            return (report, PinOutcome::NoCertificate);
        };
        let now = now.to_rfc3339();
        let seen = seen(leaf, &now);
        let Some(entry) = self.cameras.get_mut(url) else {
            self.cameras
                .insert(url.to_owned(), PinEntry { accepted: seen, changed_to: None, last_seen: now });
            return (report, PinOutcome::Recorded);
        };
        entry.last_seen = now;
        if entry.accepted.sha256_fingerprint == seen.sha256_fingerprint {
            // Back to the accepted certificate: a change seen in between is no longer waiting.
            entry.changed_to = None;
            return (report, PinOutcome::Same);
        }
        // Keep when the change was first seen.
        let changed = match entry.changed_to.take() {
            Some(before) if before.sha256_fingerprint == seen.sha256_fingerprint => before,
            _ => seen,
        };
        let finding = changed_finding(&entry.accepted, &changed);
        entry.changed_to = Some(changed);
        (report.amend([finding]), PinOutcome::Changed)
    }

    /// Accepts the waiting certificate of `url`.
    pub fn accept(&mut self, url: &str) -> Result<SeenCertificate, PinStoreError> {
        let entry =
            self.cameras.get_mut(url).ok_or_else(|| PinStoreError::NothingToAccept(url.to_owned()))?;
        let changed =
            entry.changed_to.take().ok_or_else(|| PinStoreError::NothingToAccept(url.to_owned()))?;
        entry.accepted = changed.clone();
        Ok(changed)
    }

    /// URLs with a change waiting.
    pub fn waiting(&self) -> impl Iterator<Item = &str> {
        self.cameras.iter().filter(|(_, e)| e.changed_to.is_some()).map(|(url, _)| url.as_str())
    }
}

fn seen(leaf: &CertificateSummary, now: &str) -> SeenCertificate {
    SeenCertificate {
        sha256_fingerprint: leaf.sha256_fingerprint.clone(),
        subject: leaf.subject.clone(),
        issuer: leaf.issuer.clone(),
        not_after: leaf.not_after.clone(),
        first_seen: now.to_owned(),
    }
}

fn changed_finding(old: &SeenCertificate, new: &SeenCertificate) -> Finding {
    Finding::new(
        codes::CERT_FINGERPRINT_CHANGED,
        format!(
            "the certificate changed since {}: now {} issued by {}, was {} issued by {}",
            old.first_seen, new.subject, new.issuer, old.subject, old.issuer
        ),
    )
    .with_evidence("old_sha256_fingerprint", old.sha256_fingerprint.clone())
    .with_evidence("new_sha256_fingerprint", new.sha256_fingerprint.clone())
    .with_evidence("old_subject", old.subject.clone())
    .with_evidence("new_subject", new.subject.clone())
    .with_evidence("old_issuer", old.issuer.clone())
    .with_evidence("new_issuer", new.issuer.clone())
    .with_evidence("old_not_after", old.not_after.clone())
    .with_evidence("new_not_after", new.not_after.clone())
    .with_evidence("old_first_seen", old.first_seen.clone())
    .with_evidence("new_first_seen", new.first_seen.clone())
}
