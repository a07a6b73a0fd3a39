//! `rtspeek probe URL|HOST`: the live layered probe on the command line.

use crate::cli_error::CliError;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use rtspeek_bridge::probe::{
    self, ProbeOptions, ProbeSink, RecordOptions, Recorder, Recording, run_recorded,
};
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::probe::{NamedBytes, ProbeConfig, ProbeEvent, TransportChoice};
use rtspeek_core::rtsp::auth::Secret;

use crate::cert_cmd::{now, read_input};
use crate::render::{self, ColorChoice, Paint};

/// `rtspeek probe --help`'s examples.
pub(crate) const EXAMPLES: &str = "Examples:
  rtspeek probe rtsps://cam.example:322/live -u admin            # asks for the password
  rtspeek probe rtsps://192.168.1.64/live --ca site-ca.pem -d 0  # quickest full verdict
  rtspeek probe rtsps://192.168.1.64/live --servername cam.example --save-chain chain.pem
  rtspeek probe rtsps://cam.example/live --connect-to 10.0.0.5:8322 --trust system
  rtspeek probe 192.168.1.64                                      # finds the RTSPS/RTSP port
  rtspeek probe onvif://admin@192.168.1.64                        # asks ONVIF for the streams
  rtspeek probe rtsp://cam/live -j | jq .first_broken_layer

Exit status: 0 healthy, 1 degraded, 2 broken, 64 bad arguments or input, 74 this machine failed (runtime, I/O).";

/// `--transport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TransportArg {
    /// rtsps: TCP interleaved; rtsp: TCP interleaved, then UDP if the server refuses TCP.
    Auto,
    /// RTP interleaved in the RTSP connection.
    Tcp,
    /// RTP over UDP.
    Udp,
}

/// `--trust`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TrustArg {
    /// The public web PKI (Mozilla's roots, built in).
    Webpki,
    /// The operating system's trust store.
    System,
    /// Both.
    Both,
}

/// Arguments of `rtspeek probe`. Not `Debug`: the target and `--password` may hold a password.
#[derive(Args)]
pub(crate) struct ProbeArgs {
    /// `rtsps://[user[:password]@]host[:port]/path`, `rtsp://...`, just `HOST[/path]` to find the camera's
    /// RTSPS/RTSP port first, or `onvif://[user@]host[:port]` to ask an ONVIF camera for its streams (RTSPS
    /// first) and probe each.
    #[arg(value_name = "URL|HOST")]
    pub(crate) target: String,
    /// User name (overrides the URL's).
    #[arg(short, long, value_name = "U")]
    user: Option<String>,
    /// Password (overrides the URL's; `RTSPEEK_PASSWORD` is read when neither gives one). On a shared machine
    /// prefer `--password-file` or the prompt: command lines are visible to other users.
    #[arg(long, value_name = "P", conflicts_with = "password_file")]
    password: Option<String>,
    /// Read the password from the first line of this file (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Allow credentials in clear where you did not ask for cleartext: port discovery that finds only a plain
    /// RTSP port, and Basic authentication over rtsp:// (the password, base64-encoded). A redirect from
    /// rtsps:// to rtsp:// never gets them.
    #[arg(long)]
    allow_cleartext: bool,
    /// Trust these CA certificates (PEM) instead of the public web PKI (repeatable).
    #[arg(long, value_name = "FILE")]
    ca: Vec<PathBuf>,
    /// Without --ca, which trust store: the public web PKI (the same everywhere), this machine's system store
    /// (where OpenSSL, GnuTLS, FFmpeg and GStreamer look, SSL_CERT_FILE/SSL_CERT_DIR honoured: an enterprise CA
    /// installed there), or both. The report names the store used.
    #[arg(long, value_enum, default_value_t = TrustArg::Webpki, conflicts_with = "ca")]
    trust: TrustArg,
    /// Trust exactly the certificate with this SHA-256 fingerprint (`AB:CD:...`, as `openssl x509 -fingerprint
    /// -sha256` prints it) instead of a chain to a CA, as MediaMTX's `sourceFingerprint` does. Names and dates
    /// are still checked; a different certificate is `cert.pin_mismatch`.
    #[arg(long, value_name = "SHA256", value_parser = rtspeek_core::cert::Sha256Pin::parse, conflicts_with_all = ["ca", "trust"])]
    pin: Option<rtspeek_core::cert::Sha256Pin>,
    /// Send NAME as SNI and verify the certificate for NAME instead of the URL's host (as `openssl s_client
    /// -servername`): a camera reached by IP whose certificate names its DNS name.
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    /// Connect to HOST:PORT instead of the URL's host and port, still sending and verifying the URL's name
    /// (as `curl --connect-to`): reach a camera by IP, or through a port forward, and check its real name.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_connect_to)]
    connect_to: Option<(String, u16)>,
    /// Write the certificate chain the camera presented (PEM, leaf first, as received) to FILE, also when it
    /// failed verification or came over the legacy TLS client.
    #[arg(long, value_name = "FILE")]
    save_chain: Option<PathBuf>,
    /// Continue past an untrusted certificate to test the rest of the chain (the certificate layer still
    /// fails and the verdict cannot be healthy).
    #[arg(short = 'k', long)]
    insecure: bool,
    /// Client certificate chain (PEM) for servers that require one.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    client_key: Option<PathBuf>,
    /// How media should travel.
    #[arg(long, value_enum, default_value_t = TransportArg::Auto)]
    transport: TransportArg,
    /// Seconds of media to watch after PLAY; 0 stops as soon as every track shows a decodable picture.
    #[arg(short, long, value_name = "SECS", default_value_t = 5.0)]
    duration: f64,
    /// Bound on each network step (connect, TLS handshake, each RTSP response), in seconds.
    #[arg(short, long, value_name = "SECS", default_value_t = 5.0)]
    timeout: f64,
    /// Scan which TLS versions and cipher suites the server accepts after the session: the default (kept for
    /// scripts that ask for it).
    #[arg(long, hide = true, conflicts_with = "no_tls_scan")]
    tls_scan: bool,
    /// Skip the TLS scan after a good handshake (it still runs when the handshake fails); the client
    /// verdicts then know only the version and suite rustls negotiated.
    #[arg(long)]
    no_tls_scan: bool,
    /// ClientHellos of the TLS scan sent at once (1-16; 1 for cameras that refuse a second connection).
    #[arg(long, value_name = "N", default_value_t = rtspeek_core::tls::DEFAULT_MAX_IN_FLIGHT as u8, value_parser = clap::value_parser!(u8).range(1..=16))]
    tls_scan_parallel: u8,
    /// When rustls cannot connect because the camera speaks only TLS 1.0/1.1, RSA key exchange or CBC
    /// suites, go on over a legacy-capable TLS client (OpenSSL at security level 0) to diagnose RTSP, auth,
    /// SDP and media. The TLS layer stays failed and the verdict is never healthy.
    #[arg(long)]
    legacy_tls: bool,
    /// Write the probe's own traffic to FILE as pcapng: its TCP connections (real addresses and ports, TLS as
    /// on the wire) and RTP/RTCP over UDP, with the TLS secrets inside so that Wireshark and tshark show the
    /// RTSP and the media decrypted. The file holds the requests (credentials) and the keys: protect it.
    #[arg(long, value_name = "FILE")]
    capture: Option<PathBuf>,
    /// Bound on the capture file, MB: past it, packets are counted as not captured (the report says so).
    #[arg(long, value_name = "MB", default_value_t = 512, requires = "capture")]
    capture_max_mb: u64,
    /// Append the TLS secrets to FILE as NSS key log lines (as SSLKEYLOGFILE, which is honoured too), for
    /// Wireshark with a capture of your own.
    #[arg(long, value_name = "FILE")]
    keylog: Option<PathBuf>,
    /// Ports to try when only a host is given (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    ports: Vec<u16>,
    /// Print the JSON report instead of text.
    #[arg(short, long)]
    pub(crate) json: bool,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

pub(crate) fn run_cmd(args: ProbeArgs) -> Result<u8, CliError> {
    if args.target.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("onvif://")) {
        if args.capture.is_some() || args.keylog.is_some() {
            return Err(CliError::Input(
                "--capture and --keylog work on one stream: give its rtsp:// or rtsps:// URL".into(),
            ));
        }
        return crate::onvif_cmd::probe_device(&args);
    }
    let record = record_options(&args);
    let (config, tls) = configure(&args)?;
    let color = args.color.enabled();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start the runtime: {e}")))?;
    let output =
        Output { color, json: args.json, save_chain: args.save_chain.as_deref(), record: Some(&record) };
    let report = runtime.block_on(probe_and_print(config, &tls, output))?;
    Ok(report.verdict.exit_code() as u8)
}

/// `HOST:PORT` of `--connect-to` (`[v6]:PORT` for IPv6 literals).
fn parse_connect_to(text: &str) -> Result<(String, u16), ConnectToError> {
    let (host, port) = text.rsplit_once(':').ok_or(ConnectToError::NoPort)?;
    let (host, bracketed) = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(inner) => (inner, true),
        None => (host, false),
    };
    let v6 = host.parse::<std::net::Ipv6Addr>().is_ok();
    if host.is_empty() || host.contains(['/', ' ', '[', ']']) || (host.contains(':') && !(bracketed && v6)) {
        return Err(ConnectToError::Host(host.to_owned()));
    }
    let port =
        port.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| ConnectToError::Port(port.to_owned()))?;
    Ok((host.to_owned(), port))
}

/// Why a `--connect-to` value was refused (clap names the option and the value around it).
#[derive(Debug, thiserror::Error)]
enum ConnectToError {
    /// No `:PORT`.
    #[error("give HOST:PORT")]
    NoPort,
    /// The host part is not a name or an address.
    #[error("`{0}` is not a host name or address (IPv6 goes in brackets)")]
    Host(String),
    /// The port part is not 1-65535.
    #[error("`{0}` is not a port")]
    Port(String),
}

/// `--capture`, `--capture-max-mb`, and `--keylog` or else `SSLKEYLOGFILE` (as curl and browsers read it).
fn record_options(args: &ProbeArgs) -> RecordOptions {
    RecordOptions {
        capture: args.capture.clone(),
        max_bytes: args.capture_max_mb.saturating_mul(1 << 20),
        keylog: args
            .keylog
            .clone()
            .or_else(|| std::env::var_os("SSLKEYLOGFILE").filter(|v| !v.is_empty()).map(PathBuf::from)),
        capture_in_memory: false,
    }
}

/// How [`probe_and_print`] prints and what it writes besides.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Output<'a> {
    /// Colour the text.
    pub(crate) color: bool,
    /// JSON instead of text.
    pub(crate) json: bool,
    /// `--save-chain`.
    pub(crate) save_chain: Option<&'a std::path::Path>,
    /// `--capture`, `--keylog`.
    pub(crate) record: Option<&'a RecordOptions>,
}

/// Runs the probe with the progress lines, then prints the report (text or JSON). Ctrl-C tears down and still
/// reports.
pub(crate) async fn probe_and_print(
    config: ProbeConfig,
    tls: &TlsOptions,
    output: Output<'_>,
) -> Result<rtspeek_core::Report, CliError> {
    let Output { color, json, save_chain, record } = output;
    let recording = match record {
        Some(options) => Recording::start(options).map_err(|e| CliError::Input(e.to_string()))?,
        None => None,
    };
    let recorder = recording.as_ref().map(Recording::recorder).unwrap_or_default();
    let mut progress = Progress::new(color, !json);
    let stop = async {
        // If the signal cannot be watched, never stop early.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let mut report = run_recorded(config, tls, &recorder, &mut progress, stop)
        .await
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    drop::<Recorder>(recorder);
    progress.end_media_line();
    if let Some(recording) = recording {
        report.facts.capture = finish_recording(recording, record);
    }
    if let Some(path) = save_chain {
        save_chain_pem(path, progress.chain.as_deref())?;
    }
    if json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| CliError::Runtime(e.to_string()))?;
        render::print_stdout(&format!("{json}\n"));
    } else {
        render::print_stdout(&format!("\n{}", render::report_text(&report, color)));
    }
    Ok(report)
}

/// The probe and TLS configuration from the arguments (the files read, the seconds checked), through the
/// configuration shared with the bridge.
fn configure(args: &ProbeArgs) -> Result<(ProbeConfig, TlsOptions), CliError> {
    Ok(probe::configure(&options(args)?, now())?)
}

/// The probe as the arguments ask for it, unchecked (the ONVIF probe uses it as the template of each stream's).
pub(crate) fn options(args: &ProbeArgs) -> Result<ProbeOptions, CliError> {
    let secs = |what: &str, v: f64| {
        if v.is_finite() && (0.0..=86_400.0).contains(&v) {
            Ok(Duration::from_secs_f64(v))
        } else {
            Err(format!("{what} {v}: give seconds between 0 and 86400"))
        }
    };
    let mut options = ProbeOptions::new(args.target.clone());
    options.step_timeout = secs("--timeout", args.timeout)?;
    options.media_window = secs("--duration", args.duration)?;
    options.user = args.user.clone();
    options.password = match &args.password_file {
        Some(path) => Some(password_file(path)?),
        None => args.password.clone().map(Secret::new),
    };
    options.fallback_password = std::env::var("RTSPEEK_PASSWORD").ok().map(Secret::new);
    if options.user.is_some()
        && options.password.is_none()
        && options.fallback_password.is_none()
        && !url_has_password(&args.target)
        && std::io::stdin().is_terminal()
    {
        // Like ssh and psql: a user without a password on a terminal is asked for it, without echo.
        let prompt = format!("password for {}: ", args.user.as_deref().unwrap_or_default());
        let typed =
            rpassword::prompt_password(prompt).map_err(|e| format!("cannot read the password: {e}"))?;
        options.password = Some(Secret::new(typed));
    }
    options.allow_cleartext = args.allow_cleartext;
    options.transport = match args.transport {
        TransportArg::Auto => TransportChoice::Auto,
        TransportArg::Tcp => TransportChoice::Tcp,
        TransportArg::Udp => TransportChoice::Udp,
    };
    options.tls_scan = args.tls_scan || !args.no_tls_scan;
    options.legacy_tls = args.legacy_tls;
    options.tls_scan_parallel = usize::from(args.tls_scan_parallel);
    options.insecure = args.insecure;
    options.server_name.clone_from(&args.servername);
    options.connect_to.clone_from(&args.connect_to);
    options.pin = args.pin;
    options.ports = args.ports.clone();
    options.ca = args.ca.iter().map(named).collect::<Result<_, _>>()?;
    options.trust = match args.trust {
        TrustArg::Webpki => probe::TrustChoice::WebPki,
        TrustArg::System => probe::TrustChoice::System,
        TrustArg::Both => probe::TrustChoice::Both,
    };
    if let (Some(cert), Some(key)) = (&args.client_cert, &args.client_key) {
        options.client_auth = Some((named(cert)?, named(key)?));
    }
    Ok(options)
}

/// The first line of a password file (or `-`: standard input), without its line ending. Errors name the file,
/// never its content.
pub(crate) fn password_file(path: &PathBuf) -> Result<Secret, CliError> {
    let (name, bytes) = read_input(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Input(format!("{name}: the password file is not UTF-8")))?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        return Err(CliError::Input(format!("{name}: the password file's first line is empty")));
    }
    Ok(Secret::new(line.to_owned()))
}

/// Whether the target URL carries a password of its own.
fn url_has_password(target: &str) -> bool {
    rtspeek_core::rtsp::Url::parse(target)
        .ok()
        .and_then(|u| u.credentials().map(|c| c.password.is_some()))
        .unwrap_or(false)
}

/// A file (or `-`, standard input) with its name.
fn named(path: &PathBuf) -> Result<NamedBytes, String> {
    let (name, bytes) = read_input(path)?;
    Ok(NamedBytes { name, bytes })
}

/// Finishes `--capture`/`--keylog`, and says on stderr what was written and that it must be protected (never
/// a secret itself). A file that could not be written (a full disk) is said on stderr too, and the report still
/// comes out: the probe itself went through.
fn finish_recording(
    recording: Recording,
    record: Option<&RecordOptions>,
) -> Option<rtspeek_core::capture::CaptureFact> {
    let fact = match recording.finish() {
        Ok(fact) => fact,
        Err(e) => {
            eprintln!("rtspeek: {e}; the file is incomplete");
            return None;
        }
    };
    if let Some(fact) = &fact {
        let truncated = if fact.truncated { " (truncated at --capture-max-mb)" } else { "" };
        eprintln!(
            "wrote the capture {} ({} packets, {} bytes){truncated}: {}",
            fact.file, fact.packets, fact.bytes, fact.note
        );
    }
    if let Some(path) = record.and_then(|r| r.keylog.as_ref()) {
        eprintln!(
            "appended the TLS secrets to {}: anyone with this file can decrypt the session",
            path.display()
        );
    }
    fact
}

/// Writes the presented chain as PEM (`--save-chain`); no chain (no handshake got that far) is an error that
/// says so, not an empty file.
fn save_chain_pem(path: &std::path::Path, chain: Option<&[Vec<u8>]>) -> Result<(), CliError> {
    let chain = chain.filter(|c| !c.is_empty()).ok_or_else(|| {
        CliError::Runtime(format!(
            "--save-chain {}: no TLS handshake presented a certificate chain (see the report)",
            path.display()
        ))
    })?;
    let blocks: Vec<pem::Pem> = chain.iter().map(|der| pem::Pem::new("CERTIFICATE", der.clone())).collect();
    let pem = pem::encode_many(&blocks);
    std::fs::write(path, pem)
        .map_err(|e| CliError::Runtime(format!("--save-chain {}: {e}", path.display())))?;
    eprintln!("saved the {} certificate(s) the server presented to {}", chain.len(), path.display());
    Ok(())
}

/// Prints one line per layer as it completes, and a live media line on a terminal; keeps the chain the last
/// handshake presented.
struct Progress {
    paint: Paint,
    enabled: bool,
    live: bool,
    media_line: bool,
    chain: Option<Vec<Vec<u8>>>,
}

impl Progress {
    fn new(color: bool, enabled: bool) -> Progress {
        Progress {
            paint: Paint(color),
            enabled,
            live: std::io::stderr().is_terminal(),
            media_line: false,
            chain: None,
        }
    }

    fn end_media_line(&mut self) {
        if self.media_line {
            eprintln!();
            self.media_line = false;
        }
    }
}

impl ProbeSink for Progress {
    fn chain(&mut self, der: &[Vec<u8>]) {
        self.chain = Some(der.to_vec());
    }

    fn event(&mut self, event: &ProbeEvent) {
        if !self.enabled {
            return;
        }
        match event {
            ProbeEvent::Started { target } => {
                render::print_stdout(&format!("probing {}\n", self.paint.bold(target)));
            }
            ProbeEvent::Layer { layer, status, summary, .. } => {
                self.end_media_line();
                render::print_stdout(&format!(
                    "  {:<12} {:<11} {}\n",
                    layer.as_str(),
                    self.paint.status(*status),
                    render::printable(summary)
                ));
            }
            ProbeEvent::Media { tracks, .. } if self.live => {
                let parts: Vec<String> = tracks
                    .iter()
                    .map(|t| {
                        format!(
                            "track {}: {} pkts, {} lost, jitter {:.1} ms, {:.2} Mbit/s, {:.1} fps",
                            t.track,
                            t.packets,
                            t.lost,
                            t.jitter_ms,
                            t.bitrate_bps / 1e6,
                            t.frame_rate
                        )
                    })
                    .collect();
                let mut err = std::io::stderr().lock();
                let _ =
                    write!(err, "\r\x1b[2K  {}", self.paint.dim(&format!("media  {}", parts.join(" | "))));
                let _ = err.flush();
                self.media_line = true;
            }
            _ => {}
        }
    }
}
