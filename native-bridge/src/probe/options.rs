//! What a person asks of a probe, in one place: the CLI's options (`rtspeek probe`) and the bridge's `probe`
//! message both become [`ProbeOptions`], and [`configure`] turns them into the probe's [`ProbeConfig`] and the
//! TLS client's [`TlsOptions`]. Error messages never contain a password.

use std::time::Duration;

use rtspeek_core::UnixTime;
use rtspeek_core::cert::Sha256Pin;
use rtspeek_core::probe::{DiscoveryConfig, NamedBytes, ProbeConfig, TlsScan, TransportChoice};
use rtspeek_core::rtsp::Url;
use rtspeek_core::rtsp::auth::{Credentials, Secret};
use rtspeek_core::rtsp::url::UrlError;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::tls::TlsOptions;

/// A probe as asked for, before checking. `Debug` never shows the passwords: they are [`Secret`]s, and the
/// target, which may hold one in its user part, is shown redacted.
#[derive(Clone)]
pub struct ProbeOptions {
    /// `rtsps://[user[:password]@]host[:port]/path`, `rtsp://...`, or `HOST[:port][/path]` to find the port.
    pub target: String,
    /// User name (overrides the URL's).
    pub user: Option<String>,
    /// Password (overrides the URL's).
    pub password: Option<Secret>,
    /// Password used when neither `password` nor the URL gives one (the CLI's `RTSPEEK_PASSWORD`).
    pub fallback_password: Option<Secret>,
    /// CA certificate files (PEM) to trust instead of the public web PKI; empty: the public web PKI.
    pub ca: Vec<NamedBytes>,
    /// Continue past an untrusted certificate (the certificate layer still fails).
    pub insecure: bool,
    /// Client certificate chain (PEM) and its private key (PEM).
    pub client_auth: Option<(NamedBytes, NamedBytes)>,
    /// How media should travel.
    pub transport: TransportChoice,
    /// Media watched after PLAY; zero: until every track shows a decodable picture.
    pub media_window: Duration,
    /// Bound on each network step (at least 100 ms is used).
    pub step_timeout: Duration,
    /// Scan TLS versions and cipher suites after every RTSPS session (the client verdicts need it); otherwise
    /// only when the handshake fails.
    pub tls_scan: bool,
    /// Continue over a legacy-capable TLS client when the modern one cannot connect.
    pub legacy_tls: bool,
    /// ClientHellos of the TLS scan in flight at once.
    pub tls_scan_parallel: usize,
    /// Allow credentials in clear where the user did not ask for cleartext (`--allow-cleartext`).
    pub allow_cleartext: bool,
    /// Ports to try when only a host is given; empty: the usual ones.
    pub ports: Vec<u16>,
    /// Hand every video access unit to the sink (a live preview).
    pub deliver_media: bool,
    /// The name sent as SNI and verified instead of the URL's host (`--servername`).
    pub server_name: Option<String>,
    /// Dial this host and port instead of the URL's (`--connect-to`).
    pub connect_to: Option<(String, u16)>,
    /// Which trust store, when `ca` is empty (`--trust`).
    pub trust: TrustChoice,
    /// Trust exactly this leaf certificate instead of a chain to the anchors (`--pin`).
    pub pin: Option<Sha256Pin>,
}

/// The trust store of a probe without `--ca`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrustChoice {
    /// The public web PKI (Mozilla's roots via webpki-roots), the same on every machine.
    #[default]
    WebPki,
    /// The operating system's store, as OpenSSL, GnuTLS, FFmpeg and GStreamer use it.
    System,
    /// Both.
    Both,
}

impl ProbeOptions {
    /// The defaults of `rtspeek probe TARGET`: automatic transport, 5 s of media, 5 s per step.
    pub fn new(target: impl Into<String>) -> ProbeOptions {
        ProbeOptions {
            target: target.into(),
            user: None,
            password: None,
            fallback_password: None,
            ca: Vec::new(),
            insecure: false,
            client_auth: None,
            transport: TransportChoice::Auto,
            media_window: Duration::from_secs(5),
            step_timeout: Duration::from_secs(5),
            tls_scan: true,
            legacy_tls: false,
            tls_scan_parallel: rtspeek_core::tls::DEFAULT_MAX_IN_FLIGHT,
            allow_cleartext: false,
            ports: Vec::new(),
            deliver_media: false,
            server_name: None,
            connect_to: None,
            trust: TrustChoice::WebPki,
            pin: None,
        }
    }
}

impl std::fmt::Debug for ProbeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured so that a new field cannot be forgotten here (or printed unredacted by a derive).
        let ProbeOptions {
            target,
            user,
            password,
            fallback_password,
            ca,
            insecure,
            client_auth,
            transport,
            media_window,
            step_timeout,
            tls_scan,
            legacy_tls,
            tls_scan_parallel,
            allow_cleartext,
            ports,
            deliver_media,
            server_name,
            connect_to,
            trust,
            pin,
        } = self;
        f.debug_struct("ProbeOptions")
            .field("target", &rtspeek_core::rtsp::url::redact_text(target))
            .field("user", user)
            .field("password", password)
            .field("fallback_password", fallback_password)
            .field("ca", ca)
            .field("insecure", insecure)
            .field("client_auth", client_auth)
            .field("transport", transport)
            .field("media_window", media_window)
            .field("step_timeout", step_timeout)
            .field("tls_scan", tls_scan)
            .field("legacy_tls", legacy_tls)
            .field("tls_scan_parallel", tls_scan_parallel)
            .field("allow_cleartext", allow_cleartext)
            .field("ports", ports)
            .field("deliver_media", deliver_media)
            .field("server_name", server_name)
            .field("connect_to", connect_to)
            .field("trust", trust)
            .field("pin", pin)
            .finish()
    }
}

/// Why a probe could not be configured. Never holds a password: targets are shown redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigureError {
    /// The target has a scheme but is not a valid RTSP URL.
    #[error("{shown}: {source}")]
    Url {
        /// The target, password masked.
        shown: String,
        /// Why.
        source: UrlError,
    },
    /// The target is neither a URL nor `host[:port][/path]`.
    #[error("{shown:?} is neither a URL nor a host[:port][/path]: {source}")]
    HostForm {
        /// The target, password masked.
        shown: String,
        /// Why, as a URL.
        source: UrlError,
    },
    /// A CA or client certificate file is not PEM.
    #[error("{file}: not a PEM certificate file: {reason}")]
    NotPem {
        /// The file's name.
        file: String,
        /// The PEM reader's words.
        reason: String,
    },
    /// A CA or client certificate file has no certificate in it.
    #[error("{file}: no CERTIFICATE block")]
    NoCertificate {
        /// The file's name.
        file: String,
    },
    /// The client key file has no usable key.
    #[error("{file}: no usable private key (PKCS#8, PKCS#1 or SEC1 PEM): {reason}")]
    Key {
        /// The file's name.
        file: String,
        /// The PEM reader's words.
        reason: String,
    },
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Random,
    /// `--trust system|both` found no certificate in the system store.
    #[error(transparent)]
    SystemStore(crate::tls::system_store::SystemStoreError),
}

/// The probe and TLS configuration of `options`, at wall-clock time `now`, with fresh random bytes.
pub fn configure(options: &ProbeOptions, now: UnixTime) -> Result<(ProbeConfig, TlsOptions), ConfigureError> {
    let (url, discovery) = target(&options.target, &options.ports)?;
    let mut seed = [0u8; 32];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut seed)
        .map_err(|_| ConfigureError::Random)?;
    let mut config = ProbeConfig::new(url.clone(), now, seed);
    config.discovery = discovery;
    config.credentials = credentials(&url, options);
    config.transport = options.transport;
    config.media_window = options.media_window;
    config.step_timeout = options.step_timeout.max(Duration::from_millis(100));
    config.tls_scan = if options.tls_scan { TlsScan::Always } else { TlsScan::OnFailure };
    config.insecure = options.insecure;
    config.legacy_tls = options.legacy_tls;
    config.allow_cleartext = options.allow_cleartext;
    config.tls_scan_parallel = options.tls_scan_parallel.clamp(1, 16);
    config.client_certificate = options.client_auth.is_some();
    config.deliver_media = options.deliver_media;
    config.server_name.clone_from(&options.server_name);
    config.connect_to.clone_from(&options.connect_to);
    config.pin = options.pin;

    // The system store is read once, for core's analysis and for rustls alike.
    let system = system_store(options)?;
    if !options.ca.is_empty() {
        config.anchors = Some(options.ca.clone());
    } else if let Some(system) = &system {
        // Core reads a file of concatenated DER certificates as it reads a PEM bundle.
        let bytes = system.certs.iter().flat_map(|c| c.iter().copied()).collect();
        config.anchors = Some(vec![NamedBytes { name: "system trust store".to_owned(), bytes }]);
        config.system_store = Some(rtspeek_core::probe::SystemStore {
            source: system.source.clone(),
            web_pki_too: options.trust == TrustChoice::Both,
        });
    }
    Ok((config, tls_with(options, system)?))
}

/// The TLS half of [`configure`]: the trust (`ca`, `insecure`) and client certificate of `options`, for any
/// TLS connection made on the probe's behalf (the streams', or an ONVIF device's HTTPS services).
pub fn tls_options(options: &ProbeOptions) -> Result<TlsOptions, ConfigureError> {
    tls_with(options, system_store(options)?)
}

/// [`tls_options`] with the system store already read (when `options` asks for it).
fn tls_with(
    options: &ProbeOptions,
    system: Option<crate::tls::system_store::SystemCerts>,
) -> Result<TlsOptions, ConfigureError> {
    let mut tls = TlsOptions { insecure: options.insecure, pin: options.pin, ..TlsOptions::default() };
    if !options.ca.is_empty() {
        let mut anchors = Vec::new();
        for file in &options.ca {
            anchors.extend(certificates(file)?);
        }
        tls.anchors = Some(anchors);
    } else if let Some(system) = system {
        tls.anchors = Some(system.certs);
        tls.web_pki_too = options.trust == TrustChoice::Both;
    }
    if let Some((cert, key)) = &options.client_auth {
        let chain = certificates(cert)?;
        let key = PrivateKeyDer::from_pem_slice(&key.bytes)
            .map_err(|e| ConfigureError::Key { file: key.name.clone(), reason: e.to_string() })?;
        tls.client_auth = Some((chain, key));
    }
    Ok(tls)
}

/// The system store's certificates when `options` asks for them (and gives no `--ca`).
fn system_store(
    options: &ProbeOptions,
) -> Result<Option<crate::tls::system_store::SystemCerts>, ConfigureError> {
    if options.trust == TrustChoice::WebPki || !options.ca.is_empty() {
        return Ok(None);
    }
    crate::tls::system_store::load().map(Some).map_err(ConfigureError::SystemStore)
}

/// The CERTIFICATE blocks of a PEM file (at least one).
fn certificates(file: &NamedBytes) -> Result<Vec<CertificateDer<'static>>, ConfigureError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&file.bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| ConfigureError::NotPem { file: file.name.clone(), reason: e.to_string() })?;
    if certs.is_empty() {
        return Err(ConfigureError::NoCertificate { file: file.name.clone() });
    }
    Ok(certs)
}

/// A URL, or a host (with an optional port and path) to discover ports on.
fn target(text: &str, ports: &[u16]) -> Result<(Url, Option<DiscoveryConfig>), ConfigureError> {
    if text.contains("://") {
        let url = Url::parse(text).map_err(|source| ConfigureError::Url {
            shown: rtspeek_core::rtsp::url::redact_text(text).into_owned(),
            source,
        })?;
        return Ok((url, None));
    }
    // HOST, HOST/path, HOST:PORT/path, [v6]:PORT: parsed as an rtsp:// URL, then the port becomes the list.
    let url = Url::parse(&format!("rtsp://{text}"))
        .map_err(|source| ConfigureError::HostForm { shown: redact_host_form(text), source })?;
    let mut discovery = DiscoveryConfig::default();
    if let Some(port) = url.port() {
        discovery.ports = vec![port];
    }
    if !ports.is_empty() {
        discovery.ports = ports.to_vec();
    }
    Ok((url, Some(discovery)))
}

/// `user:password@host/path` without the password, for messages. The password may hold `/ ? # @`, so it runs
/// to the last `@` (masking too much rather than too little).
fn redact_host_form(text: &str) -> String {
    match text.rfind('@') {
        Some(at) => match text[..at].find(':') {
            Some(colon) => format!("{}***{}", &text[..=colon], &text[at..]),
            None => text.to_owned(),
        },
        None => text.to_owned(),
    }
}

/// `user`/`password`, the URL's userinfo, then the fallback password.
fn credentials(url: &Url, options: &ProbeOptions) -> Option<Credentials> {
    let from_url = url.credentials();
    let user = options.user.clone().or_else(|| from_url.map(|c| c.user.clone()))?;
    let password = options
        .password
        .as_ref()
        .map(|p| p.expose())
        .or_else(|| from_url.and_then(|c| c.password.as_ref()).map(|p| p.expose().as_str()))
        .or(options.fallback_password.as_ref().map(|p| p.expose()))
        .unwrap_or_default()
        .to_owned();
    Some(Credentials::new(user, password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_show_the_password() {
        let now = UnixTime(1_700_000_000);
        for target in [
            "http://admin:hunter2@cam/x",
            "admin:hunter2@cam:notaport/x",
            "rtsps://admin:hunt/er2#w?rd ,x@1@ca^m/x",
            "admin:hunt/er2#w?rd ,x@1@cam:notaport/x",
            "rtsps://admin:hunt/er2@cam:99999/x",
            "rtsps://admin:hunt%2Fer2@/x",
        ] {
            let err = configure(&ProbeOptions::new(target), now).expect_err(target).to_string();
            for piece in ["hunt", "er2", "w?rd", ",x@1"] {
                assert!(!err.contains(piece), "{target}: {err}");
            }
        }
    }

    #[test]
    fn debug_never_shows_a_password_or_a_key() {
        let mut options = ProbeOptions::new("rtsps://admin:pa/ss#w?rd ,x@1@cam/x");
        options.password = Some(Secret::new("explicit-pw"));
        options.fallback_password = Some(Secret::new("fallback-pw"));
        let key = NamedBytes { name: "client.key".into(), bytes: b"-----BEGIN PRIVATE KEY-----".to_vec() };
        options.client_auth = Some((NamedBytes { name: "client.pem".into(), bytes: Vec::new() }, key));
        let text = format!("{options:?}");
        for secret in ["pa/ss", "w?rd", ",x@1", "explicit-pw", "fallback-pw", "PRIVATE KEY"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("cam/x") && text.contains("client.key"), "{text}");
    }

    #[test]
    fn a_password_with_reserved_characters_is_read_from_the_url_and_the_host_form() {
        let now = UnixTime(1_700_000_000);
        for target in ["rtsps://admin:pa/ss#w?rd ,x@1@cam/x", "admin:pa/ss#w?rd ,x@1@cam/x"] {
            let (config, _) = configure(&ProbeOptions::new(target), now).expect(target);
            let c = config.credentials.expect("credentials");
            assert_eq!((c.username.as_str(), c.password.expose()), ("admin", "pa/ss#w?rd ,x@1"));
            assert_eq!(config.url.host().to_string(), "cam");
        }
    }

    #[test]
    fn explicit_password_beats_the_url_and_the_fallback() {
        let now = UnixTime(1_700_000_000);
        let mut options = ProbeOptions::new("rtsps://u:fromurl@cam/x");
        options.fallback_password = Some(Secret::new("fallback"));
        let (config, _) = configure(&options, now).expect("valid");
        assert_eq!(config.credentials.as_ref().map(|c| c.password.expose()), Some("fromurl"));
        options.password = Some(Secret::new("explicit"));
        options.user = Some("other".into());
        let (config, _) = configure(&options, now).expect("valid");
        let creds = config.credentials.expect("credentials");
        assert_eq!((creds.username.as_str(), creds.password.expose()), ("other", "explicit"));
        let mut options = ProbeOptions::new("rtsps://u@cam/x");
        options.fallback_password = Some(Secret::new("fallback"));
        let (config, _) = configure(&options, now).expect("valid");
        assert_eq!(config.credentials.map(|c| c.password.expose().to_owned()).as_deref(), Some("fallback"));
    }
}
