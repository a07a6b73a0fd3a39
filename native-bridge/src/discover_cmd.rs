//! `rtspeek discover`: finds ONVIF cameras (NVTs) with a WS-Discovery Probe on one IPv4 interface and lists
//! what each announced: endpoint reference, device service addresses (XAddrs), types, scopes, and the address
//! that answered.
//!
//! Exit status: 0 when at least one device answered, 1 when none did, 64 for a bad interface, 74 when the
//! sockets cannot be set up.

use std::fmt::Write as _;
use std::time::Duration;

use clap::Args;
use rtspeek_bridge::onvif::discovery::{self, DiscoverOptions, Discovered, InterfaceChoice, Via};
use rtspeek_core::onvif::discovery::QName;
use serde::Serialize;

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
    let found = runtime.block_on(discovery::discover(&options)).map_err(to_cli)?;
    let output =
        DiscoverOutput { interface: format!("{} ({})", iface.name, iface.addr), devices: discovered(&found) };
    if args.json {
        let json = serde_json::to_string_pretty(&output)
            .map_err(|e| CliError::Runtime(format!("cannot encode the result: {e}")))?;
        render::print_stdout(&format!("{json}\n"));
    } else {
        render::print_stdout(&text(&output));
    }
    Ok(if output.devices.is_empty() { 1 } else { 0 })
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
