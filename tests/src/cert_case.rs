//! The inputs of one certificate check, owned, so that tests can build them once and run the analysis (or write
//! them out as files for the command line).

use std::path::Path;

use rtspeek_core::cert::{CertCheck, InputError, InputFile, analyze};
use rtspeek_core::{Report, UnixTime};

use crate::pki::NOW;

/// A named input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFile {
    /// File name (shown in findings).
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

impl NamedFile {
    fn input(&self) -> InputFile<'_> {
        InputFile { name: &self.name, bytes: &self.bytes }
    }
}

/// Owned inputs of [`CertCheck`]. `now` defaults to [`NOW`], anchors to none (the public web PKI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertCase {
    /// Certificate files, in order.
    pub certs: Vec<NamedFile>,
    /// The private key file.
    pub key: Option<NamedFile>,
    /// Passphrase for an encrypted key.
    pub passphrase: Option<Vec<u8>>,
    /// The host a client connects to.
    pub host: Option<String>,
    /// Trust anchor files; `None` judges against the public web PKI.
    pub anchors: Option<Vec<NamedFile>>,
    /// Trust exactly the leaf with this fingerprint instead of anchors (`--pin`).
    pub pin: Option<rtspeek_core::cert::Sha256Pin>,
    /// When to judge.
    pub now: UnixTime,
}

impl Default for CertCase {
    fn default() -> Self {
        CertCase {
            certs: Vec::new(),
            key: None,
            passphrase: None,
            host: None,
            anchors: None,
            pin: None,
            now: NOW,
        }
    }
}

impl CertCase {
    /// No inputs yet, judged at [`NOW`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a certificate file.
    #[must_use]
    pub fn cert(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.certs.push(NamedFile { name: name.to_owned(), bytes: bytes.into() });
        self
    }

    /// Sets the private key file.
    #[must_use]
    pub fn key(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.key = Some(NamedFile { name: name.to_owned(), bytes: bytes.into() });
        self
    }

    /// Sets the key passphrase.
    #[must_use]
    pub fn passphrase(mut self, passphrase: &str) -> Self {
        self.passphrase = Some(passphrase.as_bytes().to_vec());
        self
    }

    /// Sets the host.
    #[must_use]
    pub fn host(mut self, host: &str) -> Self {
        self.host = Some(host.to_owned());
        self
    }

    /// Adds a trust anchor file (and so stops judging against the web PKI).
    #[must_use]
    pub fn anchor(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.anchors
            .get_or_insert_with(Vec::new)
            .push(NamedFile { name: name.to_owned(), bytes: bytes.into() });
        self
    }

    /// Sets the time of judgement.
    #[must_use]
    pub fn now(mut self, now: UnixTime) -> Self {
        self.now = now;
        self
    }

    /// Trusts exactly the certificate `der` (by its SHA-256 fingerprint).
    #[must_use]
    pub fn pin(mut self, der: &[u8]) -> Self {
        self.pin = Some(rtspeek_core::cert::Sha256Pin::of(der));
        self
    }

    /// Runs [`analyze`] on these inputs.
    pub fn analyze(&self) -> Result<Report, InputError> {
        let certs: Vec<InputFile<'_>> = self.certs.iter().map(NamedFile::input).collect();
        let anchors: Option<Vec<InputFile<'_>>> =
            self.anchors.as_ref().map(|a| a.iter().map(NamedFile::input).collect());
        let mut check = CertCheck::new(&certs, self.now);
        if let Some(key) = &self.key {
            check = check.key(key.input());
        }
        if let Some(p) = &self.passphrase {
            check = check.key_passphrase(p);
        }
        if let Some(h) = &self.host {
            check = check.host(h);
        }
        if let Some(a) = &anchors {
            check = check.anchors(a);
        }
        if let Some(pin) = self.pin {
            check = check.pin(pin);
        }
        analyze(&check)
    }

    /// Writes every file (certificates, key, anchors) into `dir` under its name.
    ///
    /// # Panics
    /// On I/O errors or when two files share a name with different contents.
    pub fn write_files(&self, dir: &Path) {
        let all = self.certs.iter().chain(&self.key).chain(self.anchors.iter().flatten());
        for f in all {
            let path = dir.join(&f.name);
            if let Ok(existing) = std::fs::read(&path) {
                assert_eq!(existing, f.bytes, "two different files named {}", f.name);
            }
            std::fs::write(&path, &f.bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        }
    }
}
