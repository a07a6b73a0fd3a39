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

use rtspeek_core::cert::{CertCheck, CertificateSummary, InputFile, analyze};
use rtspeek_core::clients::ClientVerdict;
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

/// Findings that do not stop a server, as the admin page applies them before it uploads a pair.
pub fn not_fatal_codes() -> &'static [&'static str] {
    NOT_FATAL
}

/// A validated pair, ready for rustls.
#[derive(Debug, Clone)]
pub struct LoadedPair {
    /// The chain and signing key.
    pub key: Arc<CertifiedKey>,
    /// Warnings of the analysis (kept in the log: `cert.expiring_soon`, `cert.chain_incomplete`...).
    pub warnings: Vec<String>,
    /// SHA-256 of the leaf, hex: what logs and tests compare.
    pub fingerprint: String,
    /// Certificates in the chain file (the leaf and what follows it).
    pub chain_len: usize,
    /// What the analysis found, for the admin page.
    pub facts: Arc<PairFacts>,
}

/// What the certificate analysis says about a pair in service: the admin page's view of it.
#[derive(Debug, Clone)]
pub struct PairFacts {
    /// The leaf, summarised (subject, names, dates, key, fingerprint).
    pub leaf: Option<CertificateSummary>,
    /// How each client profile fares with this certificate for the pair's first name (or no name).
    pub clients: Vec<ClientVerdict>,
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
    let names = (pair.cert.display().to_string(), pair.key.display().to_string());
    check_pair(&pair.names, (&names.0, cert_bytes), (&names.1, key_bytes), now)
}

/// Checks a pair that is not in files yet (an upload, a file given on the command line) for `names`, as
/// [`load_pair`] would: `cert` and `key` are a display name (what errors call them) and the PEM bytes.
pub fn check_pair(
    names: &[String],
    (cert_name, cert_bytes): (&str, &[u8]),
    (key_name, key_bytes): (&str, &[u8]),
    now: UnixTime,
) -> Result<LoadedPair, PairError> {
    let (cert_name, key_name) = (cert_name.to_owned(), key_name.to_owned());
    let unreadable = |reason: String| PairError::Unreadable { cert: cert_name.clone(), reason };
    let files = [InputFile { name: &cert_name, bytes: cert_bytes }];
    let hosts: Vec<Option<&str>> =
        if names.is_empty() { vec![None] } else { names.iter().map(|n| Some(n.as_str())).collect() };
    let mut fatal: Vec<(String, String)> = Vec::new();
    let mut warnings = Vec::new();
    let mut facts = None;
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
        if facts.is_none() {
            let leaf = report.facts.certificate.as_ref().and_then(|c| c.chain.first().cloned());
            facts = Some(Arc::new(PairFacts { leaf, clients: report.clients }));
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
    let facts = facts.unwrap_or_else(|| Arc::new(PairFacts { leaf: None, clients: Vec::new() }));
    Ok(LoadedPair { key: Arc::new(key), warnings, fingerprint, chain_len, facts })
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

/// Which pair of the configuration a slot serves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PairId {
    /// `[tls]`: the default of every TLS listener.
    Global,
    /// A stream's own `[stream.tls]`, by the stream's path.
    Stream(String),
}

impl PairId {
    /// Reads `global` or `stream/PATH` (the admin API's names).
    pub fn parse(text: &str) -> Option<PairId> {
        match text {
            "global" => Some(PairId::Global),
            _ => text.strip_prefix("stream/").filter(|p| !p.is_empty()).map(|p| PairId::Stream(p.to_owned())),
        }
    }

    /// For logs and errors: `global` or `stream "cam1"`.
    pub fn label(&self) -> String {
        match self {
            PairId::Global => "global".into(),
            PairId::Stream(path) => format!("stream {path:?}"),
        }
    }
}

impl std::fmt::Display for PairId {
    /// `global` or `stream/cam1`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PairId::Global => f.write_str("global"),
            PairId::Stream(path) => write!(f, "stream/{path}"),
        }
    }
}

/// One pair in service, replaceable.
#[derive(Debug)]
pub struct Slot {
    /// Which pair of the configuration.
    pub id: PairId,
    /// For logs: `global` or `stream "cam1"`.
    pub label: String,
    /// Where it comes from, and the names it must cover.
    pub config: PairConfig,
    /// The pair in service: key, fingerprint and facts change together.
    current: RwLock<InService>,
    watch: Mutex<Watch>,
}

/// The pair a slot serves, and since when.
#[derive(Debug, Clone)]
pub struct InService {
    /// The validated pair.
    pub pair: LoadedPair,
    /// When it went into service (start, reload, or apply).
    pub since: UnixTime,
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
    pub fn load(id: PairId, config: PairConfig, now: UnixTime) -> Result<Slot, PairError> {
        let label = id.label();
        let files = Files::read(&config);
        let settled = files.stamp();
        let loaded = validate(&config, &files.cert?, &files.key?, now)?;
        for w in &loaded.warnings {
            tracing::warn!(pair = %label, "certificate warning: {w}");
        }
        let chain_len = loaded.chain_len;
        Ok(Slot {
            id,
            label,
            config,
            current: RwLock::new(InService { pair: loaded, since: now }),
            watch: Mutex::new(Watch { settled, pending: None, retry: false, chain_len }),
        })
    }

    /// The chain and key in service (what the next handshake gets).
    pub fn current(&self) -> Arc<CertifiedKey> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).pair.key.clone()
    }

    /// The pair in service, with its facts.
    pub fn in_service(&self) -> InService {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// SHA-256 of the leaf in service.
    pub fn fingerprint(&self) -> String {
        self.current.read().unwrap_or_else(|e| e.into_inner()).pair.fingerprint.clone()
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
                watch.retry = false;
                watch.chain_len = loaded.chain_len;
                for w in &loaded.warnings {
                    tracing::warn!(pair = %self.label, "certificate warning: {w}");
                }
                *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                    InService { pair: loaded, since: now };
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
    use super::{PairId, name_matches};

    #[test]
    fn pair_ids_read_back_what_they_print() {
        for id in [PairId::Global, PairId::Stream("cam1".into()), PairId::Stream("site/a".into())] {
            assert_eq!(PairId::parse(&id.to_string()), Some(id));
        }
        for bad in ["", "stream/", "Global", "stream", "streams/cam1"] {
            assert_eq!(PairId::parse(bad), None, "{bad}");
        }
        assert_eq!(PairId::Stream("cam1".into()).label(), "stream \"cam1\"");
    }

    #[test]
    fn sni_names_and_wildcards() {
        assert!(name_matches("cam1.example", "cam1.example"));
        assert!(!name_matches("cam1.example", "cam2.example"));
        assert!(name_matches("*.site.example", "front.site.example"));
        assert!(!name_matches("*.site.example", "a.b.site.example"));
        assert!(!name_matches("*.site.example", "site.example"));
    }
}
