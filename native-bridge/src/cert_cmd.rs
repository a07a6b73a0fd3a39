//! `rtspeek cert check`: the offline certificate analysis on files.

use crate::cli_error::CliError;
use std::io::Read as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use rtspeek_core::UnixTime;
use rtspeek_core::cert::{CertCheck, InputFile, analyze};

use crate::render::{self, ColorChoice};

/// `rtspeek cert ...`
#[derive(Debug, Subcommand)]
pub(crate) enum CertCommand {
    /// Analyse a certificate chain (and optionally its key) for everything a client would reject.
    Check(CheckArgs),
    /// Make a local CA and a server certificate for the names and addresses clients use (checked before use).
    New(crate::cert_new::NewArgs),
}

/// Arguments of `rtspeek cert check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Certificate files, PEM or DER, in any order (leaf, chain, bundle); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The private key (PKCS#1, PKCS#8 or SEC1, PEM or DER) to check against the server certificate.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// Name of an environment variable holding the passphrase of an encrypted key.
    #[arg(long, value_name = "VAR", requires = "key")]
    pub(crate) key_passphrase_env: Option<String>,
    /// The host clients connect to (DNS name or IP literal, as in the URL).
    #[arg(long, value_name = "NAME|IP")]
    pub(crate) host: Option<String>,
    /// Trust these CA certificates instead of the public web PKI (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) ca: Vec<PathBuf>,
    /// Judge dates at this time (RFC 3339, or seconds since the epoch) instead of now.
    #[arg(long, value_name = "TIME")]
    pub(crate) at: Option<String>,
    /// Print the JSON report instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// Colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

pub(crate) fn run(cmd: CertCommand) -> Result<u8, CliError> {
    match cmd {
        CertCommand::Check(args) => Ok(check(&args)?),
        CertCommand::New(args) => crate::cert_new::run(&args),
    }
}

/// Reads a file named on the command line; `-` is standard input.
pub(crate) fn read_input(path: &PathBuf) -> Result<(String, Vec<u8>), String> {
    let name = path.display().to_string();
    if name == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("standard input: {e}"))?;
        return Ok(("-".to_owned(), buf));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    Ok((name, bytes))
}

pub(crate) fn now() -> UnixTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    UnixTime(secs)
}

fn parse_time(text: &str) -> Result<UnixTime, String> {
    if let Ok(secs) = text.parse::<i64>() {
        return Ok(UnixTime(secs));
    }
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| UnixTime(t.unix_timestamp()))
        .map_err(|e| format!("--at {text:?}: not RFC 3339 (2026-11-21T12:00:00Z) or epoch seconds: {e}"))
}

fn check(args: &CheckArgs) -> Result<u8, String> {
    let certs: Vec<(String, Vec<u8>)> = args.files.iter().map(read_input).collect::<Result<_, _>>()?;
    let key = args.key.as_ref().map(read_input).transpose()?;
    let cas: Vec<(String, Vec<u8>)> = args.ca.iter().map(read_input).collect::<Result<_, _>>()?;
    let passphrase = match &args.key_passphrase_env {
        Some(var) => {
            Some(std::env::var(var).map_err(|_| format!("--key-passphrase-env: ${var} is not set"))?)
        }
        None => None,
    };
    let now = match &args.at {
        Some(t) => parse_time(t)?,
        None => now(),
    };

    let cert_files: Vec<InputFile<'_>> = certs.iter().map(|(n, b)| InputFile { name: n, bytes: b }).collect();
    let ca_files: Vec<InputFile<'_>> = cas.iter().map(|(n, b)| InputFile { name: n, bytes: b }).collect();
    let mut check = CertCheck::new(&cert_files, now);
    if let Some((name, bytes)) = &key {
        check = check.key(InputFile { name, bytes });
    }
    if let Some(p) = &passphrase {
        check = check.key_passphrase(p.as_bytes());
    }
    if let Some(host) = &args.host {
        check = check.host(host);
    }
    if !ca_files.is_empty() {
        check = check.anchors(&ca_files);
    }
    let report = analyze(&check).map_err(|e| e.to_string())?;
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| format!("cannot encode report: {e}"))?;
        render::print_stdout(&format!("{json}\n"));
    } else {
        render::print_stdout(&render::report_text(&report, args.color.enabled()));
    }
    Ok(report.verdict.exit_code() as u8)
}
