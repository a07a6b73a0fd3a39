//! `rtspeek serve CONFIG`: the RTSPS server; `--check` validates the configuration, its certificates and its
//! sources without listening.

use crate::cli_error::CliError;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use rtspeek_bridge::serve::Server;
use rtspeek_bridge::serve::apply::{self, ApplyError};
use rtspeek_bridge::serve::certs::load_pair;
use rtspeek_bridge::serve::config::{PairConfig, ServeConfig};
use rtspeek_bridge::serve::source::{self, SourceConfig};

use crate::render;

/// Arguments of `rtspeek serve`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct ServeArgs {
    #[command(subcommand)]
    command: Option<ServeCommand>,
    /// The configuration file (TOML; see native-bridge/serve.example.toml).
    #[arg(value_name = "CONFIG", required = true)]
    config: Option<PathBuf>,
    /// Validate the configuration, the certificate pairs and the sources, then exit (0: ready to serve).
    #[arg(long)]
    check: bool,
}

/// `rtspeek serve pair ...`, `rtspeek serve ctl ...`
#[derive(Debug, Subcommand)]
enum ServeCommand {
    /// Replace a certificate pair of a configuration (a running server takes it at its next file check), or
    /// put the previous one back.
    #[command(subcommand)]
    Pair(PairCommand),
    /// Talk to a running server's admin endpoint ([admin]): status, apply or roll back a pair at once.
    Ctl(crate::serve_ctl::CtlArgs),
}

#[derive(Debug, Subcommand)]
enum PairCommand {
    /// Validate a new pair as the server would, keep the pair in service as `.prev`, and put the new one in
    /// its files.
    Apply(ApplyArgs),
    /// Put the `.prev` pair back (validated first); the pair it replaces becomes `.prev`.
    Rollback(PairTarget),
}

/// Which pair of which configuration.
#[derive(Debug, Args)]
struct PairTarget {
    /// The server's configuration file.
    #[arg(value_name = "CONFIG")]
    config: PathBuf,
    /// The pair of this stream (`[stream.tls]`) instead of the global one (`[tls]`).
    #[arg(long, value_name = "PATH")]
    stream: Option<String>,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    #[command(flatten)]
    target: PairTarget,
    /// The new certificate chain (PEM, leaf first).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// The new private key (PEM).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
}

pub(crate) fn run(args: ServeArgs) -> Result<u8, CliError> {
    match args.command {
        Some(ServeCommand::Pair(command)) => return pair(command),
        Some(ServeCommand::Ctl(ctl)) => return crate::serve_ctl::run(ctl),
        None => {}
    }
    let Some(path) = args.config else { return Err(CliError::Input("CONFIG is required".into())) };
    let config = ServeConfig::load(&path).map_err(|e| CliError::Input(e.to_string()))?;
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
        if let Some(device_service) = server.onvif.as_ref().and_then(|o| o.device_service()) {
            lines.push(format!("onvif: {device_service}"));
        }
        if let Some((interface, xaddr)) = server.onvif.as_ref().and_then(|o| o.discovery.as_ref()) {
            lines.push(format!("onvif discovery: {xaddr} announced on {interface}"));
        }
        if let Some(admin) = &server.admin {
            lines.push(format!(
                "admin: {} (the Server view; its token is in {})",
                admin.url(),
                admin.token_file().display()
            ));
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
        let srtp = stream.srtp_policy();
        let media =
            if srtp.mode.is_on() { format!("; SRTP {} ({})", srtp.mode, srtp.suite) } else { String::new() };
        lines.push(format!("ok   stream {:?}: {what}{media}", stream.path));
        if srtp.allow_cleartext_keys {
            lines.push(format!(
                "warn stream {:?}: allow_srtp_cleartext_keys: plain rtsp:// clients get its SRTP keys in clear; \
                 anyone who sees the RTSP exchange can decrypt its media",
                stream.path
            ));
        }
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
    if let Some(admin) = &config.admin {
        let token = if admin.token_file.exists() { "its token in" } else { "a new token will be written to" };
        lines.push(format!("ok   admin https://{} ({token} {})", admin.listen, admin.token_file.display()));
    }
    lines.push("configuration ready to serve".to_owned());
    render::print_stdout(&(lines.join("\n") + "\n"));
    Ok(0)
}

/// `rtspeek serve pair apply|rollback`.
fn pair(command: PairCommand) -> Result<u8, CliError> {
    let now = rtspeek_bridge::serve::unix_now();
    let (target, applied) = match command {
        PairCommand::Apply(args) => {
            let read =
                |p: &PathBuf| std::fs::read(p).map_err(|e| CliError::Input(format!("{}: {e}", p.display())));
            let (cert, key) = (read(&args.cert)?, read(&args.key)?);
            let target = pair_config(&args.target)?;
            let names = (args.cert.display().to_string(), args.key.display().to_string());
            let new = apply::NewPair { cert: (&names.0, &cert), key: (&names.1, &key) };
            let applied = apply::apply(&target, new, now).map_err(|e| apply_error(e, &args.cert, &args.key));
            (target, applied?)
        }
        PairCommand::Rollback(args) => {
            let target = pair_config(&args)?;
            let applied = apply::rollback(&target, now).map_err(|e| match e {
                ApplyError::Write { .. } => CliError::Runtime(e.to_string()),
                _ => CliError::Input(e.to_string()),
            })?;
            (target, applied)
        }
    };
    let mut lines = vec![format!(
        "applied SHA-256 {} to {} and {}",
        applied.pair.fingerprint,
        target.cert.display(),
        target.key.display()
    )];
    if let Some(previous) = applied.previous {
        lines.push(format!(
            "previous SHA-256 {previous} kept as {}",
            apply::previous_of(&target.cert).display()
        ));
    }
    lines.extend(applied.pair.warnings.iter().map(|w| format!("warn {w}")));
    lines.push(
        "a running server serves it to new connections at its next file check (or at SIGHUP)".to_owned(),
    );
    render::print_stdout(&(lines.join("\n") + "\n"));
    Ok(0)
}

/// The files of the global pair, or of `--stream`'s own pair.
fn pair_config(target: &PairTarget) -> Result<PairConfig, CliError> {
    let config = ServeConfig::load(&target.config).map_err(|e| CliError::Input(e.to_string()))?;
    let found = match &target.stream {
        None => config.tls.clone(),
        Some(path) => {
            let stream =
                config.streams.iter().find(|s| &s.path == path).ok_or_else(|| {
                    CliError::Input(format!("{}: no stream {path:?}", target.config.display()))
                })?;
            stream.tls.clone()
        }
    };
    found.ok_or_else(|| {
        let which = target
            .stream
            .as_ref()
            .map_or("a global [tls] pair".to_owned(), |p| format!("stream {p:?} has no [stream.tls]"));
        CliError::Input(format!("{}: {which} to replace", target.config.display()))
    })
}

fn apply_error(e: ApplyError, cert: &std::path::Path, key: &std::path::Path) -> CliError {
    match e {
        ApplyError::Write { .. } => CliError::Runtime(e.to_string()),
        _ => CliError::Input(format!("--cert {} --key {}: {e}", cert.display(), key.display())),
    }
}
