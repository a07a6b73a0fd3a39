//! The `rtspeek serve` configuration file (TOML), read and checked before anything starts.
//!
//! Every error names the file and the place (`stream "cam1".auth.user[0]`), so `rtspeek serve --check` can be
//! run by an installer before a restart. The documented example is `native-bridge/serve.example.toml`.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rtspeek_core::rtsp::auth::{Algorithm, HashAlgorithm, UserTable};
use rtspeek_core::serve::{AuthPolicy, Encryption, SrtpMode, SrtpPolicy};
use rtspeek_core::srtp::Suite;
use serde::Deserialize;

use super::source::SourceConfig;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Server-wide limits and timeouts.
    #[serde(default)]
    pub server: ServerSection,
    /// The global certificate (used when no per-stream pair matches).
    pub tls: Option<PairConfig>,
    /// Where to listen.
    #[serde(rename = "listener", default)]
    pub listeners: Vec<ListenerConfig>,
    /// What to serve.
    #[serde(rename = "stream", default)]
    pub streams: Vec<StreamConfig>,
    /// The HTTPS admin endpoint of the page's Server view (off without this section).
    pub admin: Option<super::admin::AdminConfig>,
    /// The ONVIF device, media and media2 services (off without this section).
    pub onvif: Option<super::onvif::OnvifConfig>,
}

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// Connections held at once (TLS and plain together); more are refused at accept.
    pub max_connections: usize,
    /// Connections held at once from one client address (IPv4) or IPv6 /64; more are refused at accept.
    pub max_connections_per_ip: usize,
    /// The session timeout announced to clients (seconds).
    pub session_timeout_secs: u64,
    /// Time to finish a request once started, and to finish a TLS handshake (seconds).
    pub request_timeout_secs: u64,
    /// A connection that has no session and sends nothing is closed after this (seconds).
    pub idle_timeout_secs: u64,
    /// Refuse plain `rtsp://` listeners: every byte of every stream must be inside TLS.
    pub require_tls: bool,
    /// The streams' default `encryption`: `optional` (RTSPS and plain RTSP), `strict` (RTSPS only: plain
    /// requests get 403) or `no` (plain RTSP only).
    pub encryption: Encryption,
    /// Seconds between checks of the certificate files for changes (0: only SIGHUP reloads).
    pub watch_interval_secs: u64,
    /// A client that cannot take its packets for this long (its socket stays full) is dropped (seconds).
    pub slow_client_secs: u64,
    /// PLAY asks the stream's encoder for a keyframe at once, but at most once per this many milliseconds per
    /// stream: a PLAY/PAUSE loop cannot turn every frame into a keyframe for every viewer.
    pub keyframe_min_interval_ms: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            max_connections: 4096,
            max_connections_per_ip: 256,
            session_timeout_secs: 60,
            request_timeout_secs: 10,
            idle_timeout_secs: 30,
            require_tls: false,
            encryption: Encryption::Optional,
            watch_interval_secs: 2,
            slow_client_secs: 5,
            keyframe_min_interval_ms: 1000,
        }
    }
}

/// One bounded value of `[server]`: its key, how to read it, its lowest and highest value, what it is.
type Bounded = (&'static str, fn(&ServerSection) -> u64, u64, u64, &'static str);

/// What `[server]` accepts. Zero timeouts would close every connection at once (or, for `slow_client_secs`,
/// drop every client that is not instantly ready); absurd ones would keep dead connections forever and
/// overflow the timers' arithmetic.
const SERVER_RANGES: [Bounded; 8] = [
    ("max_connections", |s| s.max_connections as u64, 1, MAX_CONNECTIONS, "connections held at once"),
    (
        "max_connections_per_ip",
        |s| s.max_connections_per_ip as u64,
        1,
        MAX_CONNECTIONS,
        "connections held at once from one address",
    ),
    ("session_timeout_secs", |s| s.session_timeout_secs, 5, 3600, "seconds a silent session is kept"),
    (
        "request_timeout_secs",
        |s| s.request_timeout_secs,
        1,
        300,
        "seconds to finish a TLS handshake or a request",
    ),
    (
        "idle_timeout_secs",
        |s| s.idle_timeout_secs,
        1,
        3600,
        "seconds a connection without a session may stay silent",
    ),
    ("slow_client_secs", |s| s.slow_client_secs, 1, 60, "seconds a client may leave its packets untaken"),
    (
        "keyframe_min_interval_ms",
        |s| s.keyframe_min_interval_ms,
        100,
        60_000,
        "milliseconds between keyframes forced by PLAY, per stream",
    ),
    (
        "watch_interval_secs",
        |s| s.watch_interval_secs,
        0,
        86_400,
        "seconds between certificate checks, 0 for SIGHUP only",
    ),
];

/// The most connections `max_connections` may allow.
pub const MAX_CONNECTIONS: u64 = 1 << 20;

impl ServerSection {
    /// The request (and TLS handshake) timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// Every value within its range (see [`SERVER_RANGES`]); `Err((place, problem))`.
    fn validate(&self) -> Result<(), (String, String)> {
        for (key, read, low, high, what) in SERVER_RANGES {
            let value = read(self);
            if !(low..=high).contains(&value) {
                return Err((format!("server.{key}"), format!("{value} is outside {low}..={high} ({what})")));
            }
        }
        Ok(())
    }
}

/// A certificate chain and its key, as files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairConfig {
    /// PEM chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// Names clients use to reach the server with this pair; each must be in the certificate (checked at start
    /// and at every reload).
    #[serde(default)]
    pub names: Vec<String>,
}

/// `[[listener]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerConfig {
    /// Address and port (`127.0.0.1:8322`, `[::1]:8554`).
    pub bind: SocketAddr,
    /// RTSPS (true) or plain RTSP.
    #[serde(default = "yes")]
    pub tls: bool,
    /// Also offer RTP over UDP unicast, sending from this port (RTCP on the next one). On a TLS listener it
    /// serves SRTP streams only (plain RTP over UDP would leave TLS in clear).
    pub udp_port: Option<u16>,
}

fn yes() -> bool {
    true
}

/// `[[stream]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamConfig {
    /// The URL path (`cam1` serves `rtsps://host:port/cam1`).
    pub path: String,
    /// Shown as the SDP session name.
    pub title: Option<String>,
    /// Where the pictures come from.
    pub source: SourceConfig,
    /// This stream's own certificate, chosen by SNI (its `names`) or by its own `listener`.
    pub tls: Option<PairConfig>,
    /// An RTSPS listener of this stream alone: connections to it get this stream's certificate whatever SNI.
    pub listener: Option<SocketAddr>,
    /// Who may watch.
    pub auth: Option<AuthConfig>,
    /// Overrides `server.encryption` for this stream.
    pub encryption: Option<Encryption>,
    /// SRTP media: `off` (default), `mikey`, `sdes` or `mikey+sdes` (how the keys are offered in the SDP).
    pub srtp: Option<String>,
    /// The SRTP crypto suite by its SDES name (default `AES_CM_128_HMAC_SHA1_80`).
    pub srtp_suite: Option<String>,
    /// Hand SRTP keys out over plain `rtsp://` too, where MIKEY-NULL and SDES carry them in clear. Off by
    /// default: an SRTP stream a plain listener serves is refused by `--check` and at start.
    #[serde(default)]
    pub allow_srtp_cleartext_keys: bool,
}

/// The `srtp` values, in the order error messages list them.
const SRTP_MODES: [SrtpMode; 4] = [SrtpMode::Off, SrtpMode::Mikey, SrtpMode::Sdes, SrtpMode::MikeySdes];

impl StreamConfig {
    /// This stream's encryption policy: its own, else the server's.
    pub fn encryption(&self, server: &ServerSection) -> Encryption {
        self.encryption.unwrap_or(server.encryption)
    }

    /// This stream's SRTP (plain RTP when a value is invalid: [`ServeConfig::validate`] refuses those).
    pub fn srtp_policy(&self) -> SrtpPolicy {
        self.checked_srtp().unwrap_or_default()
    }

    /// `srtp`, `srtp_suite` and `allow_srtp_cleartext_keys` read; `Err((key, problem))`.
    fn checked_srtp(&self) -> Result<SrtpPolicy, (&'static str, String)> {
        let mode = match self.srtp.as_deref() {
            None => SrtpMode::Off,
            Some(name) => SRTP_MODES.into_iter().find(|m| m.name() == name).ok_or_else(|| {
                let known: Vec<&str> = SRTP_MODES.iter().map(|m| m.name()).collect();
                ("srtp", format!("unknown mode {name:?} ({})", known.join(", ")))
            })?,
        };
        let suite = match self.srtp_suite.as_deref() {
            None => Suite::AesCm128HmacSha1_80,
            Some(_) if !mode.is_on() => {
                return Err(("srtp_suite", "a suite without srtp (set srtp = \"mikey\" or \"sdes\")".into()));
            }
            Some(name) => Suite::from_sdes_name(name).ok_or_else(|| {
                let known: Vec<&str> = Suite::ALL.iter().map(|s| s.sdes_name()).collect();
                ("srtp_suite", format!("unknown suite {name:?} ({})", known.join(", ")))
            })?,
        };
        if self.allow_srtp_cleartext_keys && !mode.is_on() {
            return Err(("allow_srtp_cleartext_keys", "set without srtp".into()));
        }
        Ok(SrtpPolicy { mode, suite, allow_cleartext_keys: self.allow_srtp_cleartext_keys })
    }
}

/// `[stream.auth]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The realm (part of every Digest HA1: hashed passwords must be made with it).
    #[serde(default = "default_realm")]
    pub realm: String,
    /// Schemes offered: `digest-sha256`, `digest-md5`, `basic`.
    #[serde(default = "default_schemes")]
    pub schemes: Vec<String>,
    /// Accept Digest answers without qop (RFC 2069 style), which GStreamer, live555 (VLC), go2rtc and aiortsp
    /// send. Off by default: such answers carry no nonce count, so only the nonce lifetime limits a replay.
    #[serde(default)]
    pub allow_rfc2069: bool,
    /// Offer Basic on plain `rtsp://` listeners too, where the password crosses the network in clear. Off by
    /// default: `basic` with a plain listener serving the stream is refused by `--check` and at start.
    #[serde(default)]
    pub allow_basic_cleartext: bool,
    /// The users.
    #[serde(rename = "user")]
    pub users: Vec<UserConfig>,
}

fn default_realm() -> String {
    "rtspeek".into()
}

fn default_schemes() -> Vec<String> {
    vec!["digest-sha256".into(), "digest-md5".into()]
}

/// `[[stream.auth.user]]`: a password, or the Digest HA1s (`H(user:realm:password)`, hex) so that the file
/// holds no password.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// The user name.
    pub name: String,
    /// The password in clear.
    pub password: Option<String>,
    /// MD5 HA1.
    pub ha1_md5: Option<String>,
    /// SHA-256 HA1.
    pub ha1_sha256: Option<String>,
}

impl std::fmt::Debug for UserConfig {
    /// Never prints secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserConfig").field("name", &self.name).finish_non_exhaustive()
    }
}

/// A configuration that cannot be served, with where.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {place}: {problem}")]
pub struct ConfigError {
    /// The configuration file.
    pub file: String,
    /// Where in it.
    pub place: String,
    /// What is wrong.
    pub problem: String,
}

impl ServeConfig {
    /// Reads and checks `path`. Relative file names inside are resolved against the file's directory.
    pub fn load(path: &Path) -> Result<ServeConfig, ConfigError> {
        let file = path.display().to_string();
        let err =
            |place: &str, problem: String| ConfigError { file: file.clone(), place: place.into(), problem };
        let text = std::fs::read_to_string(path).map_err(|e| err("file", e.to_string()))?;
        let mut config: ServeConfig = toml::from_str(&text).map_err(|e| {
            let place = e
                .span()
                .map(|span| {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}")
                })
                .unwrap_or_else(|| "syntax".into());
            err(&place, e.message().to_owned())
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_paths(base);
        config.validate().map_err(|(place, problem)| err(&place, problem))?;
        Ok(config)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        let mut pairs: Vec<&mut PairConfig> = self.tls.iter_mut().collect();
        pairs.extend(self.streams.iter_mut().filter_map(|s| s.tls.as_mut()));
        for pair in pairs {
            fix(&mut pair.cert);
            fix(&mut pair.key);
        }
        for stream in &mut self.streams {
            stream.source.resolve_paths(base);
        }
        if let Some(admin) = self.admin.as_mut() {
            fix(&mut admin.token_file);
        }
        for user in self.onvif.iter_mut().flat_map(|o| o.users.iter_mut()) {
            if let Some(file) = user.password_file.as_mut() {
                fix(file);
            }
        }
    }

    /// Structural checks (the certificate files are checked by the certificate store).
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        self.server.validate()?;
        if let Some(admin) = &self.admin {
            admin.validate(self.tls.is_some())?;
        }
        if let Some(onvif) = &self.onvif {
            onvif.validate(self.tls.is_some())?;
        }
        if self.listeners.is_empty() && self.streams.iter().all(|s| s.listener.is_none()) {
            return Err(("listener".into(), "no [[listener]]: nothing to listen on".into()));
        }
        if self.streams.is_empty() {
            return Err(("stream".into(), "no [[stream]]: nothing to serve".into()));
        }
        let mut binds = HashSet::new();
        for (i, l) in self.listeners.iter().enumerate() {
            let place = format!("listener[{i}] ({})", l.bind);
            // Port 0 (a port the system picks) may appear on several listeners.
            if l.bind.port() != 0 && !binds.insert(l.bind) {
                return Err((place, "the same address is listed twice".into()));
            }
            let any_srtp = self.streams.iter().any(|s| s.srtp_policy().mode.is_on());
            if l.tls && l.udp_port.is_some() && !any_srtp {
                return Err((
                    place,
                    "udp_port on a TLS listener: RTP over UDP would leave TLS in clear (it serves SRTP streams \
                     only, and no stream has srtp)"
                        .into(),
                ));
            }
            if !l.tls && self.server.require_tls {
                return Err((place, "plain RTSP listener while server.require_tls = true".into()));
            }
            if l.tls && self.tls.is_none() && !self.streams.iter().any(|s| s.tls.is_some()) {
                return Err((
                    place,
                    "a TLS listener needs [tls] or a stream with its own [stream.tls]".into(),
                ));
            }
        }
        let mut paths = HashSet::new();
        for s in &self.streams {
            let place = format!("stream {:?}", s.path);
            let valid = !s.path.is_empty()
                && !s.path.starts_with('/')
                && !s.path.ends_with('/')
                && s.path.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
                && s.path.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./~".contains(&b));
            if !valid {
                return Err((
                    place,
                    "path must be like `cam1` or `site/front` (letters, digits, -_.~/)".into(),
                ));
            }
            if s.path.rsplit('/').next() == Some(rtspeek_core::serve::VIDEO_CONTROL) {
                return Err((place, "a path may not end with the track name trackID=0".into()));
            }
            if !paths.insert(s.path.as_str()) {
                return Err((place, "the same path is listed twice".into()));
            }
            if let Some(bind) = s.listener {
                if s.tls.is_none() {
                    return Err((
                        format!("{place}.listener"),
                        "a stream's own listener needs its [stream.tls]".into(),
                    ));
                }
                if bind.port() != 0 && !binds.insert(bind) {
                    return Err((format!("{place}.listener"), format!("{bind} is already a listener")));
                }
            }
            if let Some(pair) = &s.tls
                && pair.names.is_empty()
                && s.listener.is_none()
            {
                return Err((
                    format!("{place}.tls"),
                    "a per-stream certificate needs `names` (chosen by SNI) or the stream's own `listener`"
                        .into(),
                ));
            }
            let encryption = s.encryption(&self.server);
            let shared_tls = self.listeners.iter().any(|l| l.tls);
            let shared_plain = self.listeners.iter().any(|l| !l.tls);
            match encryption {
                Encryption::Strict if s.listener.is_none() && !shared_tls => {
                    return Err((
                        format!("{place}.encryption"),
                        "\"strict\" serves RTSPS only, and no TLS listener serves this stream".into(),
                    ));
                }
                Encryption::No if s.listener.is_some() || !shared_plain => {
                    return Err((
                        format!("{place}.encryption"),
                        "\"no\" serves plain RTSP only, and no plain listener serves this stream (a stream's own \
                         listener is TLS)"
                            .into(),
                    ));
                }
                _ => {}
            }
            let srtp = s.checked_srtp().map_err(|(key, problem)| (format!("{place}.{key}"), problem))?;
            // Keys in MIKEY-NULL or SDES cross a plain connection in clear: the file must say it wants that.
            let plain = self.listeners.iter().find(|l| !l.tls);
            if let (true, false, None, Some(plain)) = (
                srtp.mode.is_on() && encryption != Encryption::Strict,
                srtp.allow_cleartext_keys,
                s.listener,
                plain,
            ) {
                return Err((
                    format!("{place}.srtp"),
                    format!(
                        "the plain listener {} would hand out this stream's SRTP keys in clear (anyone who sees \
                         the RTSP exchange can decrypt the media); serve it over TLS only (encryption = \
                         \"strict\") or set allow_srtp_cleartext_keys = true",
                        plain.bind
                    ),
                ));
            }
            if let Some(auth) = &s.auth {
                let policy = auth.policy().map_err(|e| (format!("{place}.auth{}", e.0), e.1))?;
                // A stream with its own listener is served there only, and that listener is TLS; a strict
                // stream is refused on plain listeners before any credentials are asked for.
                let plain = self
                    .listeners
                    .iter()
                    .find(|l| !l.tls)
                    .filter(|_| s.listener.is_none() && encryption != Encryption::Strict);
                if let (true, false, Some(plain)) = (policy.basic, auth.allow_basic_cleartext, plain) {
                    let i = auth.schemes.iter().position(|x| x.eq_ignore_ascii_case("basic")).unwrap_or(0);
                    return Err((
                        format!("{place}.auth.schemes[{i}]"),
                        format!(
                            "basic on the plain listener {} would send the password in clear; serve this stream \
                             over TLS only (encryption = \"strict\", require_tls = true, or its own listener), \
                             or set allow_basic_cleartext = true",
                            plain.bind
                        ),
                    ));
                }
            }
            s.source.validate().map_err(|e| (format!("{place}.source"), e.to_string()))?;
        }
        Ok(())
    }
}

impl AuthConfig {
    /// The core policy; `Err((place suffix, problem))`.
    pub fn policy(&self) -> Result<AuthPolicy, (String, String)> {
        let mut basic = false;
        let mut digest = Vec::new();
        for (i, scheme) in self.schemes.iter().enumerate() {
            match scheme.to_ascii_lowercase().as_str() {
                "basic" => basic = true,
                "digest-sha256" => digest.push(Algorithm::SHA256),
                "digest-md5" => digest.push(Algorithm::MD5),
                other => {
                    return Err((
                        format!(".schemes[{i}]"),
                        format!("unknown scheme {other:?} (basic, digest-sha256, digest-md5)"),
                    ));
                }
            }
        }
        if !basic && digest.is_empty() {
            return Err((".schemes".into(), "no scheme: nobody could log in".into()));
        }
        if self.users.is_empty() {
            return Err((".user".into(), "no users: nobody could log in".into()));
        }
        let mut users = UserTable::new();
        for (i, u) in self.users.iter().enumerate() {
            let place = format!(".user[{i}] ({:?})", u.name);
            if u.name.is_empty() || u.name.contains(':') {
                return Err((place, "a user name must be non-empty and without ':'".into()));
            }
            let hex_ok = |h: &str, len: usize| h.len() == len && h.bytes().all(|b| b.is_ascii_hexdigit());
            match (&u.password, &u.ha1_md5, &u.ha1_sha256) {
                (Some(p), None, None) => users = users.with_password(u.name.clone(), p.clone()),
                (None, md5, sha) if md5.is_some() || sha.is_some() => {
                    for (hash, value, len, name) in [
                        (HashAlgorithm::Md5, md5, 32, "ha1_md5"),
                        (HashAlgorithm::Sha256, sha, 64, "ha1_sha256"),
                    ] {
                        if let Some(h) = value {
                            if !hex_ok(h, len) {
                                return Err((format!("{place}.{name}"), format!("must be {len} hex digits")));
                            }
                            users = users.with_ha1(&u.name, &self.realm, hash, h);
                        }
                    }
                    if digest.contains(&Algorithm::SHA256)
                        && sha.is_none()
                        && !digest.contains(&Algorithm::MD5)
                    {
                        return Err((place, "digest-sha256 only, but no ha1_sha256".into()));
                    }
                    if digest.contains(&Algorithm::MD5)
                        && md5.is_none()
                        && !digest.contains(&Algorithm::SHA256)
                    {
                        return Err((place, "digest-md5 only, but no ha1_md5".into()));
                    }
                }
                _ => {
                    return Err((
                        place,
                        "give exactly one of `password`, or `ha1_md5` / `ha1_sha256`".into(),
                    ));
                }
            }
        }
        Ok(AuthPolicy {
            realm: self.realm.clone(),
            basic,
            digest,
            users,
            allow_rfc2069: self.allow_rfc2069,
            allow_basic_cleartext: self.allow_basic_cleartext,
        })
    }
}
