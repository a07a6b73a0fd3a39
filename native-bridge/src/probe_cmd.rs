//! `rtspeek probe URL|HOST`: the live layered probe on the command line.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use rtspeek_bridge::probe::{ProbeSink, run};
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::probe::{DiscoveryConfig, NamedBytes, ProbeConfig, ProbeEvent, TlsScan, TransportChoice};
use rtspeek_core::rtsp::Url;
use rtspeek_core::rtsp::auth::Credentials;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::cert_cmd::{now, read_input};
use crate::render::{self, ColorChoice, Paint};

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

/// Arguments of `rtspeek probe`.
#[derive(Debug, Args)]
pub(crate) struct ProbeArgs {
    /// `rtsps://[user[:password]@]host[:port]/path`, `rtsp://...`, or just `HOST[/path]` to find the camera's
    /// RTSPS/RTSP port first.
    #[arg(value_name = "URL|HOST")]
    target: String,
    /// User name (overrides the URL's).
    #[arg(long, value_name = "U")]
    user: Option<String>,
    /// Password (overrides the URL's; `RTSPEEK_PASSWORD` is read when neither gives one).
    #[arg(long, value_name = "P")]
    password: Option<String>,
    /// Trust these CA certificates (PEM) instead of the public web PKI (repeatable).
    #[arg(long, value_name = "FILE")]
    ca: Vec<PathBuf>,
    /// Continue past an untrusted certificate to test the rest of the chain (the certificate layer still
    /// fails and the verdict cannot be healthy).
    #[arg(long)]
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
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    duration: f64,
    /// Bound on each network step (connect, TLS handshake, each RTSP response), in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    timeout: f64,
    /// Always scan which TLS versions and cipher suites the server accepts (it runs anyway when the TLS
    /// handshake fails).
    #[arg(long)]
    tls_scan: bool,
    /// Ports to try when only a host is given (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    ports: Vec<u16>,
    /// Print the JSON report instead of text.
    #[arg(long)]
    json: bool,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

pub(crate) fn run_cmd(args: ProbeArgs) -> Result<u8, String> {
    let (config, tls) = configure(&args)?;
    let color = args.color.enabled();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let report = runtime.block_on(probe_and_print(config, &tls, color, args.json))?;
    Ok(report.verdict.exit_code() as u8)
}

/// Runs the probe with the progress lines, then prints the report (text or JSON). Ctrl-C tears down and still
/// reports.
pub(crate) async fn probe_and_print(
    config: ProbeConfig,
    tls: &TlsOptions,
    color: bool,
    json: bool,
) -> Result<rtspeek_core::Report, String> {
    let mut progress = Progress::new(color, !json);
    let stop = async {
        // If the signal cannot be watched, never stop early.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let report = run(config, tls, &mut progress, stop).await.map_err(|e| e.to_string())?;
    progress.end_media_line();
    if json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        render::print_stdout(&format!("{json}\n"));
    } else {
        render::print_stdout(&format!("\n{}", render::report_text(&report, color)));
    }
    Ok(report)
}

/// The probe and TLS configuration from the arguments.
fn configure(args: &ProbeArgs) -> Result<(ProbeConfig, TlsOptions), String> {
    let secs = |what: &str, v: f64| {
        if v.is_finite() && (0.0..=86_400.0).contains(&v) {
            Ok(Duration::from_secs_f64(v))
        } else {
            Err(format!("{what} {v}: give seconds between 0 and 86400"))
        }
    };
    let step_timeout = secs("--timeout", args.timeout)?.max(Duration::from_millis(100));
    let media_window = secs("--duration", args.duration)?;
    let (url, discovery) = target(&args.target, &args.ports)?;

    let mut seed = [0u8; 32];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut seed)
        .map_err(|_| "the system random generator failed".to_owned())?;
    let mut config = ProbeConfig::new(url.clone(), now(), seed);
    config.discovery = discovery;
    config.credentials = credentials(&url, args);
    config.transport = match args.transport {
        TransportArg::Auto => TransportChoice::Auto,
        TransportArg::Tcp => TransportChoice::Tcp,
        TransportArg::Udp => TransportChoice::Udp,
    };
    config.media_window = media_window;
    config.step_timeout = step_timeout;
    config.tls_scan = if args.tls_scan { TlsScan::Always } else { TlsScan::OnFailure };
    config.insecure = args.insecure;
    config.client_certificate = args.client_cert.is_some();

    let mut tls = TlsOptions { insecure: args.insecure, ..TlsOptions::default() };
    if !args.ca.is_empty() {
        let mut anchors = Vec::new();
        let mut named = Vec::new();
        for path in &args.ca {
            let (name, bytes) = read_input(path)?;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{name}: not a PEM certificate file: {e}"))?;
            if certs.is_empty() {
                return Err(format!("{name}: no CERTIFICATE block"));
            }
            anchors.extend(certs);
            named.push(NamedBytes { name, bytes });
        }
        tls.anchors = Some(anchors);
        config.anchors = Some(named);
    }
    if let (Some(cert), Some(key)) = (&args.client_cert, &args.client_key) {
        let (cert_name, cert_bytes) = read_input(cert)?;
        let (key_name, key_bytes) = read_input(key)?;
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_bytes)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{cert_name}: not a PEM certificate file: {e}"))?;
        if chain.is_empty() {
            return Err(format!("{cert_name}: no CERTIFICATE block"));
        }
        let key = PrivateKeyDer::from_pem_slice(&key_bytes)
            .map_err(|e| format!("{key_name}: no usable private key (PKCS#8, PKCS#1 or SEC1 PEM): {e}"))?;
        tls.client_auth = Some((chain, key));
    }
    Ok((config, tls))
}

/// A URL, or a host (with an optional port and path) to discover ports on.
fn target(text: &str, ports: &[u16]) -> Result<(Url, Option<DiscoveryConfig>), String> {
    if text.contains("://") {
        let url =
            Url::parse(text).map_err(|e| format!("{}: {e}", rtspeek_core::rtsp::url::redact_text(text)))?;
        return Ok((url, None));
    }
    // HOST, HOST/path, HOST:PORT/path, [v6]:PORT: parsed as an rtsp:// URL, then the port becomes the list.
    let url = Url::parse(&format!("rtsp://{text}"))
        .map_err(|e| format!("{text:?} is neither a URL nor a host[:port][/path]: {e}"))?;
    let mut discovery = DiscoveryConfig::default();
    if let Some(port) = url.port() {
        discovery.ports = vec![port];
    }
    if !ports.is_empty() {
        discovery.ports = ports.to_vec();
    }
    Ok((url, Some(discovery)))
}

/// `--user`/`--password`, the URL's userinfo, then `RTSPEEK_PASSWORD`.
fn credentials(url: &Url, args: &ProbeArgs) -> Option<Credentials> {
    let from_url = url.credentials();
    let user = args.user.clone().or_else(|| from_url.map(|c| c.user.clone()))?;
    let password = args
        .password
        .clone()
        .or_else(|| from_url.and_then(|c| c.password.as_ref()).map(|p| p.expose().to_owned()))
        .or_else(|| std::env::var("RTSPEEK_PASSWORD").ok())
        .unwrap_or_default();
    Some(Credentials::new(user, password))
}

/// Prints one line per layer as it completes, and a live media line on a terminal.
struct Progress {
    paint: Paint,
    enabled: bool,
    live: bool,
    media_line: bool,
}

impl Progress {
    fn new(color: bool, enabled: bool) -> Progress {
        Progress { paint: Paint(color), enabled, live: std::io::stderr().is_terminal(), media_line: false }
    }

    fn end_media_line(&mut self) {
        if self.media_line {
            eprintln!();
            self.media_line = false;
        }
    }
}

impl ProbeSink for Progress {
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
