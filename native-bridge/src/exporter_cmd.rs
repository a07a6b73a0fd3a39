//! `rtspeek exporter`: probes for Prometheus, one per scrape of `/probe` (docs/exporter.md).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use rtspeek_bridge::exporter::{Exporter, ExporterConfig, ExporterError, ExporterOptions};

use crate::cli_error::CliError;
use crate::render;

/// `rtspeek exporter --help`'s examples.
pub(crate) const EXAMPLES: &str = "Examples:
  rtspeek exporter                                   # 127.0.0.1:9870, module `default` (web PKI, no credentials)
  rtspeek exporter --config exporter.toml --listen 0.0.0.0:9870
  curl '127.0.0.1:9870/probe?target=rtsps://cam.example/live&module=site&debug=true'

The Prometheus scrape configuration and alert rules: docs/exporter.md.";

/// Arguments of `rtspeek exporter`.
#[derive(Debug, Args)]
pub(crate) struct ExporterArgs {
    /// Address to listen on. Anyone who reaches it can make this machine probe any host with a module's
    /// credentials: keep it on loopback or behind a firewall that admits only Prometheus.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9870")]
    listen: SocketAddr,
    /// Modules (`[modules.NAME]` tables: user, password_env/password_file, ca or fingerprint, duration...).
    /// Without it, one module `default` probes with the public web PKI and no credentials.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Probes run at once; a scrape over the limit waits for a place until its deadline, then gets 503.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=4096))]
    max_concurrent: u16,
    /// Seconds taken off the scrape timeout Prometheus announces, for the answer to arrive in time.
    #[arg(long, value_name = "SECS", default_value_t = 0.5)]
    timeout_offset: f64,
    /// The bound of a probe whose client announces no scrape timeout (curl), in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    default_timeout: f64,
}

pub(crate) fn run(args: ExporterArgs) -> Result<u8, CliError> {
    crate::init_logging("warn");
    let secs = |what: &str, v: f64, min: f64| {
        if v.is_finite() && (min..=300.0).contains(&v) {
            Ok(Duration::from_secs_f64(v))
        } else {
            Err(CliError::Input(format!("{what} {v}: give seconds between {min} and 300")))
        }
    };
    let mut options = ExporterOptions::new(args.listen);
    if let Some(path) = &args.config {
        let (config, base) = ExporterConfig::load(path).map_err(input)?;
        options.config = config;
        options.base = base;
    }
    options.max_concurrent = usize::from(args.max_concurrent);
    options.timeout_offset = secs("--timeout-offset", args.timeout_offset, 0.0)?;
    options.default_timeout = secs("--default-timeout", args.default_timeout, 0.1)?;
    options.debug_text = |report| render::report_text(report, false);
    let runtime = crate::multi_thread_runtime()?;
    runtime.block_on(async {
        let exporter = Exporter::start(options).await.map_err(input)?;
        if !exporter.addr().ip().to_canonical().is_loopback() {
            eprintln!(
                "rtspeek exporter: WARNING: listening on {}, not only on loopback: whoever reaches it can make \
                 this machine probe any host with the modules' credentials",
                exporter.addr()
            );
        }
        render::print_stdout(&format!("rtspeek exporter: listening on http://{}\n", exporter.addr()));
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("rtspeek exporter: stopping");
        exporter.shutdown().await;
        Ok(0)
    })
}

fn input(e: ExporterError) -> CliError {
    match e {
        ExporterError::Bind { .. } => CliError::Runtime(e.to_string()),
        _ => CliError::Input(e.to_string()),
    }
}
