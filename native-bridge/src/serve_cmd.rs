//! `rtspeek serve CONFIG`: the RTSPS server; `--check` validates the configuration, its certificates and its
//! sources without listening.

use crate::cli_error::CliError;
use std::path::PathBuf;

use clap::Args;
use rtspeek_bridge::serve::Server;
use rtspeek_bridge::serve::certs::load_pair;
use rtspeek_bridge::serve::config::ServeConfig;
use rtspeek_bridge::serve::source::{self, SourceConfig};

use crate::render;

/// Arguments of `rtspeek serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The configuration file (TOML; see native-bridge/serve.example.toml).
    #[arg(value_name = "CONFIG")]
    config: PathBuf,
    /// Validate the configuration, the certificate pairs and the sources, then exit (0: ready to serve).
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(args: ServeArgs) -> Result<u8, CliError> {
    let config = ServeConfig::load(&args.config).map_err(|e| CliError::Input(e.to_string()))?;
    if args.check {
        return Ok(check(&config)?);
    }
    crate::init_logging("info");
    let runtime = crate::multi_thread_runtime()?;
    runtime.block_on(async {
        let server = Server::start(config).await?;
        // The URLs go to stdout (what a user copies into a player; what launchers wait for), logs to stderr.
        let mut lines = Vec::new();
        let mut paths: Vec<&String> = server.shared.mounts.keys().collect();
        paths.sort();
        for path in paths {
            lines.extend([true, false].iter().filter_map(|&tls| server.url(path, tls)));
        }
        lines.push(format!(
            "rtspeek serve: ready ({} listeners, {} streams)",
            server.listeners.len(),
            server.shared.mounts.len()
        ));
        render::print_stdout(&(lines.join("\n") + "\n"));
        server.run_until_signal().await;
        Ok::<_, CliError>(())
    })?;
    Ok(0)
}

fn check(config: &ServeConfig) -> Result<u8, String> {
    let now = rtspeek_bridge::serve::unix_now();
    let mut lines = Vec::new();
    let mut pairs: Vec<(String, _)> = config.tls.iter().map(|p| ("global".to_owned(), p)).collect();
    pairs.extend(
        config.streams.iter().filter_map(|s| s.tls.as_ref().map(|p| (format!("stream {:?}", s.path), p))),
    );
    for (label, pair) in pairs {
        let loaded = load_pair(pair, now).map_err(|e| format!("{label} certificate: {e}"))?;
        lines.push(format!(
            "ok   {label} certificate {} (SHA-256 {})",
            pair.cert.display(),
            loaded.fingerprint
        ));
        lines.extend(loaded.warnings.iter().map(|w| format!("warn {label} certificate: {w}")));
    }
    for stream in &config.streams {
        let what = match &stream.source {
            SourceConfig::Relay { .. } => {
                "relay (URL checked; the upstream is contacted at start)".to_owned()
            }
            paced => {
                let opened =
                    source::open_paced(paced).map_err(|e| format!("stream {:?}: {e}", stream.path))?;
                let info = opened.info();
                format!("{} at {} fps", info.codec.name(), info.frame_rate)
            }
        };
        lines.push(format!("ok   stream {:?}: {what}", stream.path));
        if stream.encryption(&config.server) == rtspeek_core::serve::Encryption::Strict {
            lines.push(format!(
                "warn stream {:?}: encryption = \"strict\": clients that cannot play RTSPS (many NVRs and VMSs, see \
                 docs/clients.md) are refused (403)",
                stream.path
            ));
        }
    }
    for l in &config.listeners {
        let kind = if l.tls { "rtsps" } else { "rtsp" };
        let udp = l.udp_port.map(|p| format!(" + UDP {p}-{}", p + 1)).unwrap_or_default();
        lines.push(format!("ok   listener {kind}://{}{udp}", l.bind));
    }
    lines.push("configuration ready to serve".to_owned());
    render::print_stdout(&(lines.join("\n") + "\n"));
    Ok(0)
}
