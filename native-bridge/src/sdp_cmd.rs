//! `rtspeek sdp check`: the offline session description lint on a file (or standard input).

use crate::cli_error::CliError;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use rtspeek_core::sdp;

use crate::cert_cmd::read_input;
use crate::render::{self, ColorChoice};

/// `rtspeek sdp ...`
#[derive(Debug, Subcommand)]
pub(crate) enum SdpCommand {
    /// Lint a session description (the body of a DESCRIBE response) for what clients trip over.
    Check(CheckArgs),
}

/// Arguments of `rtspeek sdp check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The SDP file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// Print the JSON report instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// Colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

pub(crate) fn run(cmd: SdpCommand) -> Result<u8, CliError> {
    match cmd {
        SdpCommand::Check(args) => Ok(check(&args)?),
    }
}

fn check(args: &CheckArgs) -> Result<u8, String> {
    let (name, bytes) = read_input(&args.file)?;
    let check = sdp::check(&bytes).map_err(|e| format!("{name}: {e}"))?;
    let report = check.into_report(format!("sdp check: {name}"));
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| format!("cannot encode report: {e}"))?;
        render::print_stdout(&format!("{json}\n"));
    } else {
        render::print_stdout(&render::report_text(&report, args.color.enabled()));
    }
    Ok(report.verdict.exit_code() as u8)
}
