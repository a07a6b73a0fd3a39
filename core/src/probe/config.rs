//! What to probe and how: the URL, credentials, transport preference, time bounds, trust and TLS scan.

use std::time::Duration;

use crate::UnixTime;
use crate::rtsp::auth::Credentials;
use crate::rtsp::url::Url;

/// Which lower transport to ask for in SETUP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportChoice {
    /// rtsps://: TCP interleaved only (media stays inside TLS). rtsp://: TCP interleaved first, then UDP if
    /// the server refuses TCP (461).
    #[default]
    Auto,
    /// RTP interleaved in the RTSP connection (`RTP/AVP/TCP`).
    Tcp,
    /// RTP over UDP unicast (`RTP/AVP;unicast;client_port=...`).
    Udp,
}

/// When to run the TLS scan (several ClientHellos of our own: versions and cipher suites accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsScan {
    /// Only when the handshake with a modern client (rustls) fails (`--no-tls-scan`): the scan then says why,
    /// and reads the certificate from a TLS <= 1.2 handshake, which is in clear. The client verdicts then
    /// know only the version and suite rustls negotiated.
    OnFailure,
    /// Always, after the main probe: every version and suite the server accepts, which the client verdicts
    /// need (which of each client's default offers the camera takes).
    #[default]
    Always,
}

/// An owned input file (CA certificates, a client's key): a display name and its bytes (PEM or DER).
/// `Debug` shows the name and the length only: the bytes may be a private key.
#[derive(Clone, PartialEq, Eq)]
pub struct NamedBytes {
    /// Shown in the report (a file name).
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for NamedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamedBytes").field("name", &self.name).field("len", &self.bytes.len()).finish()
    }
}

/// Where the probe connects, when it was not told a URL but only a host (`rtspeek probe HOST`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// Ports to try, in order of preference.
    pub ports: Vec<u16>,
    /// Bound on each port's check (connect and first answer).
    pub per_port_timeout: Duration,
}

/// The usual RTSPS and RTSP ports, in the order a camera most likely uses them for RTSPS.
pub const DEFAULT_DISCOVERY_PORTS: [u16; 10] = [322, 554, 8322, 8554, 7441, 443, 8443, 10554, 7447, 88];

impl Default for Discovery {
    fn default() -> Self {
        Discovery { ports: DEFAULT_DISCOVERY_PORTS.to_vec(), per_port_timeout: Duration::from_millis(2500) }
    }
}

/// Everything a probe needs to know before it starts. Core reads no clock and draws no random numbers: the
/// wall-clock time and a random seed are part of the configuration.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// The stream URL. Credentials in it are used (and never shown); `credentials` takes precedence. With
    /// `discovery`, only the host and path count: the scheme and port are found by trying ports.
    pub url: Url,
    /// User name and password (`--user`, `--password`, `RTSPEEK_PASSWORD`).
    pub credentials: Option<Credentials>,
    /// Try the usual ports first (`rtspeek probe HOST`).
    pub discovery: Option<Discovery>,
    /// Transport to ask for.
    pub transport: TransportChoice,
    /// How long to watch the media after PLAY. Zero: until every video track has shown its parameter sets
    /// and first keyframe (bounded by `step_timeout`), the fastest full verdict.
    pub media_window: Duration,
    /// Bound on each network step: connecting, the TLS handshake, each RTSP response.
    pub step_timeout: Duration,
    /// When to run the TLS scan.
    pub tls_scan: TlsScan,
    /// ClientHellos of the TLS scan in flight at once (at least 1): 4 by default; 1 for a camera that
    /// refuses a second connection.
    pub tls_scan_parallel: usize,
    /// CA certificates to trust instead of the public web PKI (`--ca`), or the system store's certificates
    /// (with `system_store`).
    pub anchors: Option<Vec<NamedBytes>>,
    /// `anchors` are the operating system's trust store (`--trust system|both`): the report names it so.
    pub system_store: Option<SystemStore>,
    /// The name sent as SNI and checked against the certificate instead of the URL's host (`--servername`,
    /// as `openssl s_client -servername`), on connections to the URL's host.
    pub server_name: Option<String>,
    /// Dial this host and port instead of the URL's (`--connect-to`): reach an IP or another port while the
    /// URL's name is sent and verified. Only connections to the URL's own host and port are redirected
    /// (a server's redirect elsewhere goes where it says).
    pub connect_to: Option<(String, u16)>,
    /// Trust exactly the leaf certificate with this SHA-256 fingerprint, instead of a chain to `anchors`
    /// (`--pin`, an inventory's `fingerprint`). Names and dates are still judged.
    pub pin: Option<crate::cert::Sha256Pin>,
    /// Continue past an untrusted certificate (`--insecure`); the certificate layer still fails.
    pub insecure: bool,
    /// Whether the driver presents a client certificate (`--client-cert`), for the explanations.
    pub client_certificate: bool,
    /// When the modern client cannot connect but the TLS scan shows what the server accepts (TLS 1.0/1.1,
    /// RSA key exchange, CBC...), continue over the driver's legacy-capable TLS client
    /// ([`ConnectTls::Legacy`](super::ConnectTls::Legacy)) to diagnose the layers above TLS (`--legacy-tls`).
    /// The TLS layer stays failed and the verdict is never healthy.
    pub legacy_tls: bool,
    /// Allow credentials in clear where the user did not ask for cleartext (`--allow-cleartext`): port
    /// discovery that finds only a plain RTSP port, and Basic (the password, base64) over `rtsp://`. Without
    /// it the probe withholds them and says so. A redirect from `rtsps://` to `rtsp://` never gets them.
    pub allow_cleartext: bool,
    /// Wall-clock time at the start, for certificate dates.
    pub now: UnixTime,
    /// Random bytes: client nonces, TLS randoms, SSRC. Give fresh ones on every run.
    pub seed: [u8; 32],
    /// `User-Agent` of our requests.
    pub user_agent: String,
    /// Redirects followed before `rtsp.redirect_loop`.
    pub max_redirects: u8,
    /// Hand every access unit of the video tracks to the driver ([`Output::Media`](super::Output::Media)),
    /// for a live preview.
    pub deliver_media: bool,
}

/// Where the system trust store's certificates in [`ProbeConfig::anchors`] came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemStore {
    /// The bundle file or directory the native side read (`/etc/ssl/certs/ca-certificates.crt`, or what
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` named).
    pub source: String,
    /// The public web PKI is trusted too (`--trust both`).
    pub web_pki_too: bool,
}

impl ProbeConfig {
    /// A configuration with the defaults: automatic transport, a 5 s media window, 5 s per step, the public
    /// web PKI, TLS scan always.
    pub fn new(url: Url, now: UnixTime, seed: [u8; 32]) -> Self {
        ProbeConfig {
            url,
            credentials: None,
            discovery: None,
            transport: TransportChoice::Auto,
            media_window: Duration::from_secs(5),
            step_timeout: Duration::from_secs(5),
            tls_scan: TlsScan::Always,
            tls_scan_parallel: crate::tls::DEFAULT_MAX_IN_FLIGHT,
            anchors: None,
            system_store: None,
            server_name: None,
            connect_to: None,
            pin: None,
            insecure: false,
            client_certificate: false,
            legacy_tls: false,
            allow_cleartext: false,
            now,
            seed,
            user_agent: concat!("rtspeek/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_redirects: 5,
            deliver_media: false,
        }
    }

    /// The bound on the whole probe: every step once, the media window, a TLS scan, and teardown. A probe
    /// that reaches it stops and reports what it learned.
    pub fn overall_bound(&self) -> Duration {
        let steps = self.step_timeout * 16;
        let discovery = self.discovery.as_ref().map_or(Duration::ZERO, |d| d.per_port_timeout * 2);
        let window = if self.media_window.is_zero() { self.step_timeout } else { self.media_window };
        steps + discovery + window + Duration::from_secs(5)
    }
}
