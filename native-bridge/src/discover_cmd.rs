//! `rtspeek discover`: finds ONVIF cameras (NVTs) with a WS-Discovery Probe on one IPv4 interface and lists
//! what each announced: endpoint reference, device service addresses (XAddrs), types, scopes, and the address
//! that answered; then diagnoses each device as `rtspeek probe onvif://` does (its ONVIF services, the URIs it
//! hands out, RTSPS first, and a layered probe of each secure stream), unless `--no-probe`.
//!
//! Exit status: with `--no-probe`, 0 when at least one device answered, 1 when none did; otherwise the worst
//! verdict over the devices (0 healthy, 1 degraded or none found, 2 broken). 64 for a bad interface or
//! argument, 74 when the sockets cannot be set up.

use std::fmt::Write as _;
use std::time::Duration;

use clap::Args;
use rtspeek_bridge::onvif::discovery::{self, DiscoverOptions, Discovered, InterfaceChoice, Via};
use rtspeek_core::onvif::discovery::QName;
use serde::Serialize;

use rtspeek_bridge::onvif::device::OnvifTarget;
use rtspeek_bridge::probe::ProbeOptions;
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::rtsp::auth::Secret;
use std::sync::Arc;

use crate::cert_cmd::now;
use crate::cli_error::CliError;
use crate::render;

/// Arguments of `rtspeek discover`.
#[derive(Debug, Args)]
pub(crate) struct DiscoverArgs {
    /// The interface to probe on, by name (`eth0`) or IPv4 address; by default the first non-loopback
    /// interface that is up with an IPv4 address.
    #[arg(long, value_name = "IF")]
    pub(crate) interface: Option<String>,
    /// How long to wait for answers, in seconds (cameras answer within 0.5 s of each probe).
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0, value_parser = parse_timeout)]
    pub(crate) timeout: f64,
    /// Print JSON (`{"devices": [...]}`) instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// Only list what answered: no ONVIF requests, no probes.
    #[arg(long)]
    pub(crate) no_probe: bool,
    /// The ONVIF user (also used for the streams). The password comes from `--password-file` or
    /// `RTSPEEK_PASSWORD`.
    #[arg(long, value_name = "U")]
    pub(crate) user: Option<String>,
    /// Read the password from the first line of this file (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<std::path::PathBuf>,
    /// Trust these CA certificates (PEM) for the streams and HTTPS services (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) ca: Vec<std::path::PathBuf>,
    /// Seconds of media to watch on each stream probed.
    #[arg(long, value_name = "SECS", default_value_t = 3.0)]
    pub(crate) duration: f64,
    /// Skip the TLS scan of each stream after a good handshake (faster; the client verdicts know less).
    #[arg(long)]
    pub(crate) no_tls_scan: bool,
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if (0.1..=600.0).contains(&t) => Ok(t),
        _ => Err(format!("`{s}` is not a number of seconds between 0.1 and 600")),
    }
}

/// The JSON output: every device found.
#[derive(Debug, Serialize)]
pub(crate) struct DiscoverOutput {
    /// The interface probed, `name (address)`.
    pub(crate) interface: String,
    /// The devices, in order of arrival.
    pub(crate) devices: Vec<DeviceOutput>,
}

/// One device as `rtspeek discover` lists it.
#[derive(Debug, Serialize)]
pub(crate) struct DeviceOutput {
    /// The endpoint reference address (`urn:uuid:...`).
    pub(crate) endpoint: String,
    /// The device service addresses.
    pub(crate) xaddrs: Vec<String>,
    /// The types offered, by namespace and local name.
    pub(crate) types: Vec<QName>,
    /// The scopes.
    pub(crate) scopes: Vec<String>,
    /// The metadata version.
    pub(crate) metadata_version: u32,
    /// The address (`ip:port`) the answer came from.
    pub(crate) from: String,
    /// `probe-match` (answered our Probe) or `hello` (announced itself during the window).
    pub(crate) via: &'static str,
    /// The device diagnosed (without `--no-probe`): as `rtspeek probe onvif://` reports one device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) diagnosis: Option<rtspeek_bridge::onvif::device::DeviceDiagnosis>,
}

/// The listing of what discovery found, one entry per device, in order of arrival.
pub(crate) fn discovered(found: &[Discovered]) -> Vec<DeviceOutput> {
    found
        .iter()
        .map(|d| DeviceOutput {
            endpoint: d.endpoint_reference.clone(),
            xaddrs: d.xaddrs.clone(),
            types: d.types.clone(),
            scopes: d.scopes.clone(),
            metadata_version: d.metadata_version,
            from: d.from.to_string(),
            via: match d.via {
                Via::ProbeMatch => "probe-match",
                Via::Hello => "hello",
            },
            diagnosis: None,
        })
        .collect()
}

pub(crate) fn run(args: DiscoverArgs) -> Result<u8, CliError> {
    crate::init_logging("warn");
    let interface = args.interface.as_deref().map_or(InterfaceChoice::Default, |s| {
        s.parse::<InterfaceChoice>().unwrap_or_else(|never| match never {})
    });
    let iface = interface.resolve().map_err(to_cli)?;
    let options = DiscoverOptions {
        interface: InterfaceChoice::Addr(iface.addr),
        timeout: Duration::from_secs_f64(args.timeout),
        ..DiscoverOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start the runtime: {e}")))?;
    let probes = if args.no_probe { None } else { Some(probe_template(&args)?) };
    let found = runtime.block_on(discovery::discover(&options)).map_err(to_cli)?;
    let mut output =
        DiscoverOutput { interface: format!("{} ({})", iface.name, iface.addr), devices: discovered(&found) };
    if let Some((options, tls)) = &probes {
        // The streams get the ONVIF credentials through the target (diagnose), not through the template.
        let template = crate::onvif_cmd::without_user(options);
        for device in &mut output.devices {
            // The first device service address the device gave over HTTP(S).
            let Some(service) = device
                .xaddrs
                .iter()
                .find_map(|x| url::Url::parse(x).ok().filter(|u| matches!(u.scheme(), "http" | "https")))
            else {
                continue;
            };
            let target = OnvifTarget::with_tls(service, options, tls.clone());
            device.diagnosis =
                Some(runtime.block_on(rtspeek_bridge::onvif::device::diagnose(&target, &template, now)));
        }
    }
    if args.json {
        let json = serde_json::to_string_pretty(&output)
            .map_err(|e| CliError::Runtime(format!("cannot encode the result: {e}")))?;
        render::print_stdout(&format!("{json}\n"));
    } else {
        render::print_stdout(&text(&output));
        let diagnosed: Vec<_> = output.devices.iter().filter_map(|d| d.diagnosis.as_ref()).collect();
        for d in diagnosed {
            // Plain text, like the listing above.
            crate::onvif_cmd::print(std::slice::from_ref(d), false, false)?;
        }
    }
    if output.devices.is_empty() {
        return Ok(1);
    }
    let diagnoses: Vec<_> = output.devices.into_iter().filter_map(|d| d.diagnosis).collect();
    Ok(if probes.is_some() { crate::onvif_cmd::exit_code(&diagnoses) } else { 0 })
}

/// The probe as the arguments ask for it (credentials, media window, CA), and its trust read once (a bad CA file
/// is an error before discovery, not once per device).
fn probe_template(args: &DiscoverArgs) -> Result<(ProbeOptions, Arc<TlsOptions>), CliError> {
    if !(args.duration.is_finite() && (0.0..=600.0).contains(&args.duration)) {
        return Err(CliError::Input(format!("--duration {}: give seconds between 0 and 600", args.duration)));
    }
    let mut options = ProbeOptions::new("");
    options.user = args.user.clone();
    options.password = match &args.password_file {
        Some(path) => Some(crate::probe_cmd::password_file(path)?),
        None => std::env::var("RTSPEEK_PASSWORD").ok().map(Secret::new),
    };
    options.media_window = Duration::from_secs_f64(args.duration);
    options.tls_scan = !args.no_tls_scan;
    for path in &args.ca {
        let (name, bytes) = crate::cert_cmd::read_input(path)?;
        options.ca.push(rtspeek_core::probe::NamedBytes { name, bytes });
    }
    let tls = Arc::new(rtspeek_bridge::probe::tls_options(&options)?);
    Ok((options, tls))
}

fn to_cli(e: discovery::DiscoveryError) -> CliError {
    if e.is_input() { CliError::Input(e.to_string()) } else { CliError::Runtime(e.to_string()) }
}

fn text(output: &DiscoverOutput) -> String {
    let mut out = String::new();
    let n = output.devices.len();
    let _ =
        writeln!(out, "WS-Discovery on {}: {n} device{}", output.interface, if n == 1 { "" } else { "s" });
    for d in &output.devices {
        let _ = writeln!(out, "\n{}  (from {}, {})", d.endpoint, d.from, d.via);
        for x in &d.xaddrs {
            let _ = writeln!(out, "  xaddr  {x}");
        }
        for t in &d.types {
            let _ = writeln!(out, "  type   {} ({})", t.local, t.namespace);
        }
        for s in &d.scopes {
            let _ = writeln!(out, "  scope  {s}");
        }
    }
    out
}
