//! The certificate store of `rtspeek serve`: every pair validated by core's certificate analysis before use,
//! chosen per connection by listener or SNI, and swapped atomically when its files change.
//!
//! rustls asks the resolver for a certificate once per handshake, so a swap applies to new connections only;
//! established sessions keep the pair they were handshaken with and keep streaming.
//!
//! The watcher never takes files caught in the middle of a replacement: a new version is validated only once
//! its contents are the same at two checks in a row, and swapped in only if it is complete (the key matches
//! the certificate, the chain is as long as the one in service). A pair refused because it is not valid yet
//! is judged again at every check, so it goes into service when its time comes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use rtspeek_core::cert::{CertCheck, InputFile, analyze};
use rtspeek_core::{Severity, UnixTime};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::config::PairConfig;

/// Findings that do not stop a server: whether clients trust the issuer is theirs to decide (a private CA is
/// the normal case for cameras); a leaf sent without its issuer is right when the issuer is the root clients
/// hold (the server cannot tell that from a missing intermediate, so it is logged as a warning); a pair
/// without names cannot be name-checked.
const NOT_FATAL: &[&str] =
    &["cert.untrusted_issuer", "cert.self_signed", "cert.chain_incomplete", "cert.host_not_given"];

/// A validated pair, ready for rustls.
#[derive(Debug)]
pub struct LoadedPair {
    /// The chain and signing key.
    pub key: Arc<CertifiedKey>,
    /// Warnings of the analysis (kept in the log: `cert.expiring_soon`, `cert.chain_incomplete`...).
    pub warnings: Vec<String>,
    /// SHA-256 of the leaf, hex: what logs and tests compare.
    pub fingerprint: String,
    /// Certificates in the chain file (the leaf and what follows it).
    pub chain_len: usize,
}

/// Why a pair cannot be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PairError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The certificate analysis could not run (no certificate in the file, unreadable PEM...).
    #[error("{cert}: {reason}")]
    Unreadable {
        /// The certificate file.
        cert: String,
        /// Why.
        reason: String,
    },
    /// The analysis found problems that stop a server (finding code and summary each).
    #[error("{cert} with {key} refused: {}", findings.iter().map(|(c, s)| format!("{c}: {s}")).collect::<Vec<_>>().join("; "))]
    Refused {
        /// The certificate file.
        cert: String,
        /// The key file.
        key: String,
        /// The fatal findings: code, summary.
        findings: Vec<(String, String)>,
    },
    /// The key cannot sign, or does not belong to the certificate.
    #[error("{key}: {reason}")]
    Key {
        /// The key file.
        key: String,
        /// Why.
        reason: String,
    },
    /// The new chain is shorter than the one in service: a leaf written before its chain, most likely.
    #[error(
        "{cert} holds {got} certificate(s) where the pair in service has {in_service}: a leaf without its \
         chain (a file still being written?) is not swapped in; send SIGHUP to serve a shorter chain on purpose"
    )]
    ChainShorter {
        /// The certificate file.
        cert: String,
        /// Certificates in the new file.
        got: usize,
        /// Certificates in the chain in service.
        in_service: usize,
    },
}

impl PairError {
    /// Whether the pair was refused only for dates that may still come (`cert.not_yet_valid`): worth judging
    /// again later although the files did not change.
    pub fn is_not_yet_valid(&self) -> bool {
        matches!(self, PairError::Refused { findings, .. }
            if findings.iter().all(|(code, _)| code == "cert.not_yet_valid"))
    }
}

/// Reads and checks `pair` at `now`: parses, key matches, dates, and every configured name.
pub fn load_pair(pair: &PairConfig, now: UnixTime) -> Result<LoadedPair, PairError> {
    let files = Files::read(pair);
    validate(pair, &files.cert?, &files.key?, now)
}

/// Checks the pair made of `cert_bytes` and `key_bytes` (the contents of `pair`'s files) at `now`.
fn validate(
    pair: &PairConfig,
    cert_bytes: &[u8],
    key_bytes: &[u8],
    now: UnixTime,
) -> Result<LoadedPair, PairError> {
    let cert_name = pair.cert.display().to_string();
    let key_name = pair.key.display().to_string();
    let unreadable = |reason: String| PairError::Unreadable { cert: cert_name.clone(), reason };
    let files = [InputFile { name: &cert_name, bytes: cert_bytes }];
    let hosts: Vec<Option<&str>> = if pair.names.is_empty() {
        vec![None]
    } else {
        pair.names.iter().map(|n| Some(n.as_str())).collect()
    };
    let mut fatal: Vec<(String, String)> = Vec::new();
    let mut warnings = Vec::new();
    for host in hosts {
        let mut check = CertCheck::new(&files, now).key(InputFile { name: &key_name, bytes: key_bytes });
        if let Some(host) = host {
            check = check.host(host);
        }
        let report = analyze(&check).map_err(|e| unreadable(e.to_string()))?;
        for f in &report.findings {
            if f.severity == Severity::Error && !NOT_FATAL.contains(&f.code.as_str()) {
                let finding = (f.code.clone(), f.summary.clone());
                if !fatal.contains(&finding) {
                    fatal.push(finding);
                }
            } else if f.severity >= Severity::Warning {
                let line = format!("{}: {}", f.code, f.summary);
                if !warnings.contains(&line) {
                    warnings.push(line);
                }
            }
        }
    }
    if !fatal.is_empty() {
        return Err(PairError::Refused { cert: cert_name, key: key_name, findings: fatal });
    }
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(e.to_string()))?;
    if chain.is_empty() {
        return Err(unreadable("no PEM certificate".into()));
    }
    let key_error = |reason: String| PairError::Key { key: key_name.clone(), reason };
    let der = PrivateKeyDer::from_pem_slice(key_bytes).map_err(|e| key_error(e.to_string()))?;
    let signer = rustls::crypto::ring::sign::any_supported_type(&der)
        .map_err(|e| key_error(format!("not a key rustls can sign with: {e}")))?;
    let fingerprint = rtspeek_core::cert::fingerprint_sha256(&chain[0]);
    let chain_len = chain.len();
    let key = CertifiedKey::new(chain, signer);
    key.keys_match().map_err(|e| key_error(format!("does not match {cert_name}: {e}")))?;
    Ok(LoadedPair { key: Arc::new(key), warnings, fingerprint, chain_len })
}

/// The contents of a pair's two files, read once: what is hashed to notice a change is what is validated.
struct Files {
    cert: Result<Vec<u8>, PairError>,
    key: Result<Vec<u8>, PairError>,
}

impl Files {
    fn read(pair: &PairConfig) -> Files {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| PairError::Read { path: path.to_path_buf(), source })
        };
        Files { cert: read(&pair.cert), key: read(&pair.key) }
    }

    /// What identifies this version of the files: their contents (a replacement with the same size and
    /// modification time is still seen), or the absence of one.
    fn stamp(&self) -> Stamp {
        let hash = |r: &Result<Vec<u8>, PairError>| {
            r.as_ref().ok().map(|b| rtspeek_core::cert::fingerprint_sha256(b))
        };
        Stamp { cert: hash(&self.cert), key: hash(&self.key) }
    }
}

/// A version of the files: SHA-256 of each (none when unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    cert: Option<String>,
    key: Option<String>,
}

/// What the watcher knows of a slot's files.
#[derive(Debug)]
struct Watch {
    /// The version last judged (served, or refused).
    settled: Stamp,
    /// A newer version seen at the last check, taken if it is still the same at the next one.
    pending: Option<Stamp>,
    /// The settled version was refused as not yet valid: it is judged again at every check.
    retry: bool,
    /// Certificates in the chain in service: a reload may not shorten it (unless forced).
    chain_len: usize,
}

/// One pair in service, replaceable.
#[derive(Debug)]
pub struct Slot {
    /// For logs: `global` or `stream "cam1"`.
    pub label: String,
    /// Where it comes from, and the names it must cover.
    pub config: PairConfig,
    current: RwLock<Arc<CertifiedKey>>,
    fingerprint: RwLock<String>,
    watch: Mutex<Watch>,
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReloadOutcome {
    /// The files did not change.
    Unchanged,
    /// The files changed since the last check: they are taken when they are the same at the next one (a
    /// file being written is never judged half-written).
    Settling,
    /// The new pair is in service (its fingerprint).
    Swapped(String),
    /// The new pair was refused; the old one stays (why).
    Refused(String),
}

impl Slot {
    /// Loads and validates the pair; an invalid pair is an error (the server refuses to start).
    pub fn load(label: String, config: PairConfig, now: UnixTime) -> Result<Slot, PairError> {
        let files = Files::read(&config);
        let settled = files.stamp();
        let loaded = validate(&config, &files.cert?, &files.key?, now)?;
        for w in &loaded.warnings {
            tracing::warn!(pair = %label, "certificate warning: {w}");
        }
        Ok(Slot {
            label,
            config,
            current: RwLock::new(loaded.key),
            fingerprint: RwLock::new(loaded.fingerprint),
            watch: Mutex::new(Watch { settled, pending: None, retry: false, chain_len: loaded.chain_len }),
        })
    }

    /// The pair in service.
    pub fn current(&self) -> Arc<CertifiedKey> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// SHA-256 of the leaf in service.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Checks the files at `now`, as the watcher does at every interval: a new version is validated once it
    /// is the same at two checks in a row (stable), and swapped in if it is complete and valid (it parses, the
    /// key matches, the dates and names hold, the chain is no shorter than the one in service). A version
    /// refused as not yet valid is judged again at every check until its time comes or the files change.
    /// `force` (SIGHUP) validates the files as they are at once, and accepts a shorter chain.
    pub fn reload(&self, now: UnixTime, force: bool) -> ReloadOutcome {
        let files = Files::read(&self.config);
        let stamp = files.stamp();
        let mut watch = self.watch.lock().unwrap_or_else(|e| e.into_inner());
        let again = stamp == watch.settled;
        if !force {
            if again && !watch.retry {
                watch.pending = None;
                return ReloadOutcome::Unchanged;
            }
            if !again && watch.pending.as_ref() != Some(&stamp) {
                watch.pending = Some(stamp);
                return ReloadOutcome::Settling;
            }
        }
        let retried = again && watch.retry;
        watch.pending = None;
        watch.settled = stamp;
        let result = match (files.cert, files.key) {
            (Ok(cert), Ok(key)) => validate(&self.config, &cert, &key, now),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        let result = result.and_then(|loaded| match loaded.chain_len < watch.chain_len && !force {
            true => Err(PairError::ChainShorter {
                cert: self.config.cert.display().to_string(),
                got: loaded.chain_len,
                in_service: watch.chain_len,
            }),
            false => Ok(loaded),
        });
        match result {
            Ok(loaded) => {
                let fingerprint = loaded.fingerprint.clone();
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = loaded.key;
                *self.fingerprint.write().unwrap_or_else(|e| e.into_inner()) = loaded.fingerprint;
                watch.retry = false;
                watch.chain_len = loaded.chain_len;
                for w in &loaded.warnings {
                    tracing::warn!(pair = %self.label, "certificate warning: {w}");
                }
                tracing::info!(pair = %self.label, sha256 = %fingerprint, "certificate reloaded");
                ReloadOutcome::Swapped(fingerprint)
            }
            Err(why) => {
                watch.retry = why.is_not_yet_valid();
                // A version is reported once, not at every check that judges it again.
                if !retried {
                    let later =
                        if watch.retry { " (checked again at every interval until it is valid)" } else { "" };
                    tracing::error!(
                        pair = %self.label,
                        "new certificate refused, the previous one stays in service{later}: {why}"
                    );
                }
                ReloadOutcome::Refused(why.to_string())
            }
        }
    }
}

/// The certificate choice of one listener.
#[derive(Debug)]
pub struct Resolver {
    /// A stream's own listener: always its pair.
    pub fixed: Option<Arc<Slot>>,
    /// Per-stream pairs by SNI name (lowercase).
    pub by_name: Vec<(String, Arc<Slot>)>,
    /// Otherwise.
    pub global: Option<Arc<Slot>>,
}

impl Resolver {
    /// The slot for a client that sent `sni` (or none).
    pub fn choose(&self, sni: Option<&str>) -> Option<&Arc<Slot>> {
        if let Some(fixed) = &self.fixed {
            return Some(fixed);
        }
        let by_sni = sni.and_then(|sni| {
            let sni = sni.trim_end_matches('.').to_ascii_lowercase();
            self.by_name.iter().find(|(name, _)| name_matches(name, &sni)).map(|(_, slot)| slot)
        });
        by_sni.or(self.global.as_ref())
    }
}

/// `name` is a configured name (`cam1.example`, `*.site.example`); `sni` a lowercase host name.
fn name_matches(name: &str, sni: &str) -> bool {
    match name.strip_prefix("*.") {
        Some(suffix) => sni.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => name == sni,
    }
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.choose(hello.server_name()).map(|slot| slot.current())
    }
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn sni_names_and_wildcards() {
        assert!(name_matches("cam1.example", "cam1.example"));
        assert!(!name_matches("cam1.example", "cam2.example"));
        assert!(name_matches("*.site.example", "front.site.example"));
        assert!(!name_matches("*.site.example", "a.b.site.example"));
        assert!(!name_matches("*.site.example", "site.example"));
    }
}
