//! How to probe one camera of a fleet: an inventory row of `rtspeek audit` and a module of `rtspeek exporter`
//! say it the same way, so both become [`ProbeOptions`] through [`ProbeProfile::options`].
//!
//! Credentials are only ever given by reference (an environment variable or a file), never inline: an
//! inventory gets copied, mailed and committed, and must not carry passwords.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rtspeek_core::cert::Sha256Pin;
use rtspeek_core::probe::{NamedBytes, TransportChoice};
use rtspeek_core::rtsp::auth::Secret;
use serde::Deserialize;

use crate::probe::{ProbeOptions, TrustChoice};

/// The probe settings of one camera (or of every camera, as an inventory's `[defaults]` or an exporter
/// module). Every field is optional: [`ProbeProfile::over`] layers a row over the defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeProfile {
    /// User name.
    pub user: Option<String>,
    /// Environment variable holding the password.
    pub password_env: Option<String>,
    /// File whose first line is the password (relative to the inventory or configuration file).
    pub password_file: Option<PathBuf>,
    /// CA certificate files (PEM) to trust instead of the public web PKI.
    #[serde(default)]
    pub ca: Vec<PathBuf>,
    /// Trust exactly the certificate with this SHA-256 fingerprint.
    pub fingerprint: Option<String>,
    /// Trust store without `ca`: `webpki`, `system` or `both`.
    pub trust: Option<TrustName>,
    /// `auto`, `tcp` or `udp`.
    pub transport: Option<TransportName>,
    /// Seconds of media to watch after PLAY (0: until every track shows a decodable picture).
    pub duration: Option<f64>,
    /// Bound on each network step, in seconds.
    pub timeout: Option<f64>,
    /// Scan TLS versions and suites after a good handshake (the client verdicts need it).
    pub tls_scan: Option<bool>,
    /// Go on over the legacy TLS client when the camera speaks only old TLS.
    pub legacy_tls: Option<bool>,
    /// Allow credentials in clear (Basic over `rtsp://`).
    pub allow_cleartext: Option<bool>,
    /// Name to send as SNI and verify instead of the URL's host.
    pub servername: Option<String>,
}

/// `trust = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustName {
    /// The public web PKI.
    Webpki,
    /// The operating system's store.
    System,
    /// Both.
    Both,
}

/// `transport = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportName {
    /// TCP interleaved, then UDP if refused (rtsp), or what SRTP needs.
    Auto,
    /// TCP interleaved.
    Tcp,
    /// UDP.
    Udp,
}

/// Why a profile cannot become a probe. Never holds a password.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProfileError {
    /// `password_env` names a variable that is not set (or not UTF-8).
    #[error("password_env: the environment variable {0} is not set")]
    PasswordEnv(String),
    /// `password_file` cannot be read, or its first line is empty.
    #[error("password_file {path}: {reason}")]
    PasswordFile {
        /// The file.
        path: String,
        /// Why (never its content).
        reason: String,
    },
    /// Both `password_env` and `password_file`.
    #[error("give password_env or password_file, not both")]
    TwoPasswords,
    /// A password without a user.
    #[error("a password (password_env/password_file) needs a user")]
    PasswordWithoutUser,
    /// A CA file cannot be read.
    #[error("ca {path}: {reason}")]
    Ca {
        /// The file.
        path: String,
        /// The reader's words.
        reason: String,
    },
    /// `fingerprint` is not a SHA-256 fingerprint.
    #[error("fingerprint: {0}")]
    Fingerprint(#[from] rtspeek_core::cert::PinError),
    /// `fingerprint` together with `ca` or `trust`: a pin replaces the trust store.
    #[error("fingerprint pins one certificate: it cannot be combined with ca or trust")]
    PinAndStore,
    /// `duration` or `timeout` out of range.
    #[error("{field} = {value}: give seconds between 0 and 86400")]
    Seconds {
        /// Which field.
        field: &'static str,
        /// The value.
        value: f64,
    },
}

impl ProbeProfile {
    /// `self`'s fields where set, else `defaults`'.
    #[must_use]
    pub fn over(&self, defaults: &ProbeProfile) -> ProbeProfile {
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        // A row that names its own password source replaces the defaults' whole password source.
        let own_password = self.password_env.is_some() || self.password_file.is_some();
        ProbeProfile {
            user: pick(&self.user, &defaults.user),
            password_env: if own_password {
                self.password_env.clone()
            } else {
                defaults.password_env.clone()
            },
            password_file: if own_password {
                self.password_file.clone()
            } else {
                defaults.password_file.clone()
            },
            ca: if self.ca.is_empty() && self.fingerprint.is_none() {
                defaults.ca.clone()
            } else {
                self.ca.clone()
            },
            fingerprint: self.fingerprint.clone(),
            trust: self.trust.or(if self.fingerprint.is_some() { None } else { defaults.trust }),
            transport: self.transport.or(defaults.transport),
            duration: self.duration.or(defaults.duration),
            timeout: self.timeout.or(defaults.timeout),
            tls_scan: self.tls_scan.or(defaults.tls_scan),
            legacy_tls: self.legacy_tls.or(defaults.legacy_tls),
            allow_cleartext: self.allow_cleartext.or(defaults.allow_cleartext),
            servername: pick(&self.servername, &defaults.servername),
        }
    }

    /// The probe of `target` this profile asks for: the password read from its variable or file, the CA files
    /// read, relative paths taken from `base` (the inventory's or configuration's directory).
    pub fn options(&self, target: &str, base: &Path) -> Result<ProbeOptions, ProfileError> {
        self.check()?;
        let mut options = ProbeOptions::new(target);
        options.user.clone_from(&self.user);
        options.password = self.password(base)?;
        options.ca = self
            .ca
            .iter()
            .map(|path| {
                let path = base.join(path);
                std::fs::read(&path)
                    .map(|bytes| NamedBytes { name: path.display().to_string(), bytes })
                    .map_err(|e| ProfileError::Ca { path: path.display().to_string(), reason: e.to_string() })
            })
            .collect::<Result<_, _>>()?;
        options.pin = self.fingerprint.as_deref().map(Sha256Pin::parse).transpose()?;
        options.trust = match self.trust {
            None | Some(TrustName::Webpki) => TrustChoice::WebPki,
            Some(TrustName::System) => TrustChoice::System,
            Some(TrustName::Both) => TrustChoice::Both,
        };
        options.transport = match self.transport {
            None | Some(TransportName::Auto) => TransportChoice::Auto,
            Some(TransportName::Tcp) => TransportChoice::Tcp,
            Some(TransportName::Udp) => TransportChoice::Udp,
        };
        if let Some(secs) = self.duration {
            options.media_window = seconds("duration", secs)?;
        }
        if let Some(secs) = self.timeout {
            options.step_timeout = seconds("timeout", secs)?;
        }
        options.tls_scan = self.tls_scan.unwrap_or(options.tls_scan);
        options.legacy_tls = self.legacy_tls.unwrap_or(options.legacy_tls);
        options.allow_cleartext = self.allow_cleartext.unwrap_or(options.allow_cleartext);
        options.server_name.clone_from(&self.servername);
        Ok(options)
    }

    /// What can be judged without the files and the environment: the fingerprint, the seconds, and settings
    /// that exclude each other (an inventory reports these against the row's line).
    pub fn check(&self) -> Result<(), ProfileError> {
        if let Some(fingerprint) = &self.fingerprint {
            Sha256Pin::parse(fingerprint)?;
            if !self.ca.is_empty() || self.trust.is_some() {
                return Err(ProfileError::PinAndStore);
            }
        }
        if self.password_env.is_some() && self.password_file.is_some() {
            return Err(ProfileError::TwoPasswords);
        }
        if (self.password_env.is_some() || self.password_file.is_some()) && self.user.is_none() {
            return Err(ProfileError::PasswordWithoutUser);
        }
        for (field, value) in [("duration", self.duration), ("timeout", self.timeout)] {
            if let Some(value) = value {
                seconds(field, value)?;
            }
        }
        Ok(())
    }

    fn password(&self, base: &Path) -> Result<Option<Secret>, ProfileError> {
        match (&self.password_env, &self.password_file) {
            (Some(_), Some(_)) => Err(ProfileError::TwoPasswords),
            (Some(var), _) => std::env::var(var)
                .map(|v| Some(Secret::new(v)))
                .map_err(|_| ProfileError::PasswordEnv(var.clone())),
            (None, Some(path)) => {
                let path = base.join(path);
                let failed =
                    |reason: String| ProfileError::PasswordFile { path: path.display().to_string(), reason };
                let text = std::fs::read_to_string(&path).map_err(|e| failed(e.to_string()))?;
                let line = text.lines().next().unwrap_or_default();
                if line.is_empty() {
                    return Err(failed("its first line is empty".to_owned()));
                }
                Ok(Some(Secret::new(line.to_owned())))
            }
            (None, None) => Ok(None),
        }
    }
}

fn seconds(field: &'static str, value: f64) -> Result<Duration, ProfileError> {
    if value.is_finite() && (0.0..=86_400.0).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(ProfileError::Seconds { field, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str =
        "3E:2B:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08:19:2A:3B:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08:19";

    #[test]
    fn a_row_overrides_the_defaults_field_by_field() {
        let defaults = ProbeProfile {
            user: Some("viewer".into()),
            password_env: Some("FLEET_PW".into()),
            ca: vec!["site-ca.pem".into()],
            duration: Some(0.0),
            ..ProbeProfile::default()
        };
        let row = ProbeProfile { user: Some("admin".into()), timeout: Some(2.0), ..ProbeProfile::default() };
        let merged = row.over(&defaults);
        assert_eq!(merged.user.as_deref(), Some("admin"));
        assert_eq!(merged.password_env.as_deref(), Some("FLEET_PW"));
        assert_eq!(merged.ca, vec![PathBuf::from("site-ca.pem")]);
        assert_eq!((merged.duration, merged.timeout), (Some(0.0), Some(2.0)));
        // A pinned row does not inherit the defaults' CA: the pin replaces the store.
        let pinned = ProbeProfile { fingerprint: Some(FP.into()), ..ProbeProfile::default() }.over(&defaults);
        assert!(pinned.ca.is_empty());
    }

    #[test]
    fn passwords_come_from_files_relative_to_the_inventory_and_never_show_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "s3cr3t-Ü\nsecond line\n").unwrap();
        let profile = ProbeProfile {
            user: Some("admin".into()),
            password_file: Some("pw".into()),
            ..ProbeProfile::default()
        };
        let options = profile.options("rtsps://cam/live", dir.path()).unwrap();
        assert_eq!(options.password.as_ref().map(Secret::expose), Some("s3cr3t-Ü"));
        assert!(!format!("{options:?}").contains("s3cr3t"));
        std::fs::write(dir.path().join("pw"), "\n").unwrap();
        let err = profile.options("rtsps://cam/live", dir.path()).unwrap_err();
        assert!(err.to_string().contains("first line is empty"), "{err}");
    }

    #[test]
    fn bad_settings_are_named() {
        let base = Path::new(".");
        let missing = ProbeProfile {
            user: Some("u".into()),
            password_env: Some("RTSPEEK_TEST_UNSET_VAR".into()),
            ..ProbeProfile::default()
        };
        assert_eq!(
            missing.options("rtsps://cam/", base).unwrap_err(),
            ProfileError::PasswordEnv("RTSPEEK_TEST_UNSET_VAR".into())
        );
        let both = ProbeProfile {
            fingerprint: Some(FP.into()),
            ca: vec!["ca.pem".into()],
            ..ProbeProfile::default()
        };
        assert_eq!(both.options("rtsps://cam/", base).unwrap_err(), ProfileError::PinAndStore);
        let bad_pin = ProbeProfile { fingerprint: Some("12:34".into()), ..ProbeProfile::default() };
        assert!(bad_pin.options("rtsps://cam/", base).unwrap_err().to_string().starts_with("fingerprint: "));
        let slow = ProbeProfile { timeout: Some(-1.0), ..ProbeProfile::default() };
        assert!(matches!(
            slow.options("rtsps://cam/", base),
            Err(ProfileError::Seconds { field: "timeout", .. })
        ));
    }

    #[test]
    fn a_pin_reaches_the_probe() {
        let profile = ProbeProfile { fingerprint: Some(FP.into()), ..ProbeProfile::default() };
        let options = profile.options("rtsps://cam/", Path::new(".")).unwrap();
        assert_eq!(options.pin.map(|p| p.to_string()).as_deref(), Some(FP));
    }
}
