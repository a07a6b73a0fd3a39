//! `rtspeek`: the rtspeek command-line tool: offline checks of files (`cert`, `sdp`), the live probe (`probe`,
//! also of ONVIF cameras: `onvif://`), ONVIF discovery (`discover`), the RTSPS server (`serve`), the page's local
//! bridge (`bridge`) and the demonstration (`demo`).
//!
//! Exit status: 0 healthy, 1 degraded (warnings), 2 broken, 64 usage or input error, 74 a failure of the
//! machine rather than the input (a listener that cannot be bound, the runtime not starting).

mod audit_cmd;
mod bridge_cmd;
mod cert_cmd;
mod cert_new;
mod cli_error;
mod demo;
mod demo_pki;
mod discover_cmd;
mod docs_cmd;
mod exporter_cmd;
mod onvif_cmd;
mod probe_cmd;
mod render;
mod sdp_cmd;
mod serve_cmd;
mod serve_ctl;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cli_error::{CliError, EXIT_USAGE};

// Not `Debug`: the probe's arguments may hold a password.
#[derive(Parser)]
#[command(
    name = "rtspeek",
    version,
    propagate_version = true,
    about = "RTSPS / RTSP-over-TLS diagnostics: find the first broken link",
    after_help = "Examples:\n  rtspeek probe rtsps://cam.example:322/live -u admin --ca site-ca.pem\n  rtspeek probe 192.168.1.64\n  \
                  rtspeek cert check cam.pem --key cam.key --host 192.168.1.64\n  rtspeek serve serve.toml\n  rtspeek demo"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Offline certificate checks.
    #[command(subcommand)]
    Cert(cert_cmd::CertCommand),
    /// Offline session description (SDP) checks.
    #[command(subcommand)]
    Sdp(sdp_cmd::SdpCommand),
    /// Probe a live camera: TCP, TLS, certificate, RTSP, auth, SDP, transport, RTP, RTCP, codec.
    #[command(after_help = probe_cmd::EXAMPLES)]
    Probe(probe_cmd::ProbeArgs),
    /// Audit a fleet: probe every camera of an inventory, summarise, and track certificate changes.
    #[command(after_help = audit_cmd::EXAMPLES)]
    Audit(audit_cmd::AuditArgs),
    /// Run the RTSPS server (per-stream certificates, hot reload, synthetic camera, files, relays).
    Serve(serve_cmd::ServeArgs),
    /// Serve the web page and run live probes for it over a WebSocket (127.0.0.1 only by default).
    Bridge(bridge_cmd::BridgeArgs),
    /// Run the built-in demonstration.
    Demo(demo::DemoArgs),
    /// Find ONVIF cameras on the local network (WS-Discovery, IPv4).
    Discover(discover_cmd::DiscoverArgs),
    /// Serve probes to Prometheus: `/probe?target=rtsps://...&module=NAME` (as blackbox_exporter does).
    #[command(after_help = exporter_cmd::EXAMPLES)]
    Exporter(exporter_cmd::ExporterArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(docs_cmd::CompletionsArgs),
    /// Print the man page, or write every page with `--out DIR`.
    Man(docs_cmd::ManArgs),
}

/// Logs to stderr at `default` level (`info`, `warn`) unless `RUST_LOG` says otherwise: the server and the
/// bridge log what they do; the demo, which prints its own story, only warnings.
pub(crate) fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// The runtime of the long-running commands (server, bridge, demo): connections on every core.
pub(crate) fn multi_thread_runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start the runtime: {e}")))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage_error = e.use_stderr();
            let _ = e.print();
            return if usage_error { ExitCode::from(EXIT_USAGE) } else { ExitCode::SUCCESS };
        }
    };
    let result = match cli.command {
        Command::Cert(cmd) => cert_cmd::run(cmd),
        Command::Sdp(cmd) => sdp_cmd::run(cmd),
        Command::Probe(args) => probe_cmd::run_cmd(args),
        Command::Audit(args) => audit_cmd::run(args),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Bridge(args) => bridge_cmd::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Discover(args) => discover_cmd::run(args),
        Command::Exporter(args) => exporter_cmd::run(args),
        Command::Completions(args) => docs_cmd::completions(&args),
        Command::Man(args) => docs_cmd::man(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("rtspeek: {e}");
            ExitCode::from(e.exit_status())
        }
    }
}
