//! `rtspeek exporter`: rtspeek as a Prometheus probe exporter, the way `blackbox_exporter` is one for HTTP.
//! Prometheus owns the schedule, the sharding and the alerting; each scrape of
//! `/probe?target=rtsps://...&module=NAME` runs one probe, bounded by the scrape's own timeout, and answers
//! with its metrics ([`metrics`]). `/metrics` is the exporter's own health.
//!
//! A module is a [`ProbeProfile`] (credentials by reference, CA or pin, probe settings), read from the
//! configuration file: credentials never travel in the target URL or in labels.

pub mod metrics;
mod server;
pub mod text;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rtspeek_core::Report;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::fleet::{ProbeProfile, ProfileError};

/// The module a `/probe` without `module=` uses.
pub const DEFAULT_MODULE: &str = "default";

/// The configuration file: `[modules.NAME]` tables, each a [`ProbeProfile`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExporterConfig {
    /// The modules by name.
    #[serde(default)]
    pub modules: BTreeMap<String, ProbeProfile>,
}

/// Why the exporter cannot start. Never holds a password.
#[derive(Debug, thiserror::Error)]
pub enum ExporterError {
    /// The configuration file cannot be read or parsed.
    #[error("{path}: {reason}")]
    Config {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A module cannot become a probe (a password variable unset, a CA file missing...).
    #[error("module {name}: {source}")]
    Module {
        /// The module.
        name: String,
        /// Why.
        source: ProfileError,
    },
    /// The configuration has no module.
    #[error("{0}: no [modules.NAME] table")]
    NoModule(String),
    /// The listening socket cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

impl ExporterConfig {
    /// Reads `path`; relative paths in its modules are taken from its directory, which is returned too.
    pub fn load(path: &Path) -> Result<(ExporterConfig, PathBuf), ExporterError> {
        let failed = |reason: String| ExporterError::Config { path: path.display().to_string(), reason };
        let text = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
        let config: ExporterConfig = toml::from_str(&text).map_err(|e| failed(e.to_string()))?;
        if config.modules.is_empty() {
            return Err(ExporterError::NoModule(path.display().to_string()));
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok((config, base))
    }

    /// Without a file: one module, `default`, with the probe's defaults (the public web PKI, no credentials).
    pub fn builtin() -> ExporterConfig {
        ExporterConfig { modules: BTreeMap::from([(DEFAULT_MODULE.to_owned(), ProbeProfile::default())]) }
    }

    /// Checks every module once at start (passwords readable, CA files there), so that a typo fails the start
    /// rather than every scrape. The files are read again at each probe: a rotated password needs no restart.
    pub fn check(&self, base: &Path) -> Result<(), ExporterError> {
        for (name, profile) in &self.modules {
            profile
                .options("rtsps://module.check/", base)
                .map_err(|source| ExporterError::Module { name: name.clone(), source })?;
        }
        Ok(())
    }
}

/// How the exporter runs.
#[derive(Debug, Clone)]
pub struct ExporterOptions {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The modules.
    pub config: ExporterConfig,
    /// The directory relative module paths are taken from.
    pub base: PathBuf,
    /// Probes run at once; more wait for a place until their scrape's deadline, then get 503.
    pub max_concurrent: usize,
    /// Subtracted from the scrape timeout Prometheus announces, for the answer to reach it in time.
    pub timeout_offset: Duration,
    /// The bound of a probe whose scraper announces no timeout (`curl`).
    pub default_timeout: Duration,
    /// The text report of `debug=true` (the CLI's renderer; the report never holds credentials).
    pub debug_text: fn(&Report) -> String,
}

impl ExporterOptions {
    /// The defaults: `127.0.0.1:9870`, the built-in `default` module, 32 probes at once, 0.5 s offset, 10 s
    /// without a scrape timeout, the report as JSON for `debug=true`.
    pub fn new(listen: SocketAddr) -> ExporterOptions {
        ExporterOptions {
            listen,
            config: ExporterConfig::builtin(),
            base: PathBuf::new(),
            max_concurrent: 32,
            timeout_offset: Duration::from_millis(500),
            default_timeout: Duration::from_secs(10),
            debug_text: |report| serde_json::to_string_pretty(report).unwrap_or_default(),
        }
    }
}

/// A running exporter.
#[derive(Debug)]
pub struct Exporter {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Exporter {
    /// Checks the modules, binds and starts serving.
    pub async fn start(options: ExporterOptions) -> Result<Exporter, ExporterError> {
        options.config.check(&options.base)?;
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|source| ExporterError::Bind { addr: options.listen, source })?;
        let addr =
            listener.local_addr().map_err(|source| ExporterError::Bind { addr: options.listen, source })?;
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(server::Shared::new(options));
        let task = tokio::spawn(server::serve(listener, stopped, shared));
        Ok(Exporter { addr, stop, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and ends the open connections.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_probe_profiles_and_unknown_keys_are_refused() {
        let config: ExporterConfig = toml::from_str(
            "[modules.site]\nuser = \"viewer\"\npassword_env = \"CAM_PW\"\nca = [\"site-ca.pem\"]\nduration = 1\n\
             [modules.pinned]\nfingerprint = \"AB:CD\"\n",
        )
        .unwrap();
        assert_eq!(config.modules.len(), 2);
        assert_eq!(config.modules["site"].user.as_deref(), Some("viewer"));
        let err = toml::from_str::<ExporterConfig>("[modules.x]\npassword = \"inline\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `password`"), "{err}");
        let err = toml::from_str::<ExporterConfig>("listen = \"0.0.0.0:1\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn a_module_that_cannot_probe_fails_the_start_by_name() {
        let config: ExporterConfig =
            toml::from_str("[modules.cams]\nuser = \"u\"\npassword_env = \"RTSPEEK_EXPORTER_TEST_UNSET\"\n")
                .unwrap();
        let err = config.check(Path::new(".")).unwrap_err().to_string();
        assert!(err.starts_with("module cams: password_env"), "{err}");
        ExporterConfig::builtin().check(Path::new(".")).unwrap();
    }
}
