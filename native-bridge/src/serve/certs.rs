//! The certificate store of `rtspeek serve`: every pair validated by core's certificate analysis before use,
//! chosen per connection by listener or SNI, and swapped atomically when its files change.
//!
//! rustls asks the resolver for a certificate once per handshake, so a swap applies to new connections only;
//! established sessions keep the pair they were handshaken with and keep streaming.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

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
}

/// Reads and checks `pair` at `now`: parses, key matches, dates, and every configured name.
pub fn load_pair(pair: &PairConfig, now: UnixTime) -> Result<LoadedPair, String> {
    let read = |path: &Path| std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()));
    let (cert_bytes, key_bytes) = (read(&pair.cert)?, read(&pair.key)?);
    let cert_name = pair.cert.display().to_string();
    let key_name = pair.key.display().to_string();
    let files = [InputFile { name: &cert_name, bytes: &cert_bytes }];
    let hosts: Vec<Option<&str>> = if pair.names.is_empty() {
        vec![None]
    } else {
        pair.names.iter().map(|n| Some(n.as_str())).collect()
    };
    let mut fatal = Vec::new();
    let mut warnings = Vec::new();
    for host in hosts {
        let mut check = CertCheck::new(&files, now).key(InputFile { name: &key_name, bytes: &key_bytes });
        if let Some(host) = host {
            check = check.host(host);
        }
        let report = analyze(&check).map_err(|e| format!("{cert_name}: {e}"))?;
        for f in &report.findings {
            let line = format!("{}: {}", f.code, f.summary);
            let list = if f.severity == Severity::Error && !NOT_FATAL.contains(&f.code.as_str()) {
                &mut fatal
            } else if f.severity >= Severity::Warning {
                &mut warnings
            } else {
                continue;
            };
            if !list.contains(&line) {
                list.push(line);
            }
        }
    }
    if !fatal.is_empty() {
        return Err(format!("{cert_name} with {key_name} refused: {}", fatal.join("; ")));
    }
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{cert_name}: {e}"))?;
    if chain.is_empty() {
        return Err(format!("{cert_name}: no PEM certificate"));
    }
    let der = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|e| format!("{key_name}: {e}"))?;
    let signer = rustls::crypto::ring::sign::any_supported_type(&der)
        .map_err(|e| format!("{key_name}: not a key rustls can sign with: {e}"))?;
    let fingerprint = rtspeek_core::cert::fingerprint_sha256(&chain[0]);
    let key = CertifiedKey::new(chain, signer);
    key.keys_match().map_err(|e| format!("{cert_name} with {key_name}: {e}"))?;
    Ok(LoadedPair { key: Arc::new(key), warnings, fingerprint })
}

/// What identifies a version of the files: a replacement changes the modification time or the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    cert: Option<(SystemTime, u64)>,
    key: Option<(SystemTime, u64)>,
}

impl Stamp {
    fn of(pair: &PairConfig) -> Stamp {
        let meta = |p: &Path| std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
        Stamp { cert: meta(&pair.cert), key: meta(&pair.key) }
    }
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
    stamp: Mutex<Stamp>,
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// The files did not change.
    Unchanged,
    /// The new pair is in service (its fingerprint).
    Swapped(String),
    /// The new pair was refused; the old one stays (why).
    Refused(String),
}

impl Slot {
    /// Loads and validates the pair; an invalid pair is an error (the server refuses to start).
    pub fn load(label: String, config: PairConfig, now: UnixTime) -> Result<Slot, String> {
        let stamp = Stamp::of(&config);
        let loaded = load_pair(&config, now).map_err(|e| format!("{label} certificate: {e}"))?;
        for w in &loaded.warnings {
            tracing::warn!(pair = %label, "certificate warning: {w}");
        }
        Ok(Slot {
            label,
            config,
            current: RwLock::new(loaded.key),
            fingerprint: RwLock::new(loaded.fingerprint),
            stamp: Mutex::new(stamp),
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

    /// Reloads when the files changed (or always with `force`, as SIGHUP asks).
    pub fn reload(&self, now: UnixTime, force: bool) -> ReloadOutcome {
        let stamp = Stamp::of(&self.config);
        {
            let mut seen = self.stamp.lock().unwrap_or_else(|e| e.into_inner());
            if !force && *seen == stamp {
                return ReloadOutcome::Unchanged;
            }
            // Remember this version even if it is refused: a bad file is reported once, not every interval.
            *seen = stamp;
        }
        match load_pair(&self.config, now) {
            Ok(loaded) => {
                let fingerprint = loaded.fingerprint.clone();
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = loaded.key;
                *self.fingerprint.write().unwrap_or_else(|e| e.into_inner()) = loaded.fingerprint;
                tracing::info!(pair = %self.label, sha256 = %fingerprint, "certificate reloaded");
                ReloadOutcome::Swapped(fingerprint)
            }
            Err(why) => {
                tracing::error!(pair = %self.label, "new certificate refused, the previous one stays in service: {why}");
                ReloadOutcome::Refused(why)
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
