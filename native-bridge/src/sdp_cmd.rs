//! `rtspeek sdp check`: the offline session description lint on a file (or standard input).
//! `rtspeek sdp sprop`: the parameter set inspector ([`sprop::inspect()`], the page's `inspectParameterSets`).

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use rtspeek_core::codec::Codec;
use rtspeek_core::sdp;
use rtspeek_core::sdp::sprop::{self, Input, InputForm, ParameterSetInfo};

use crate::cert_cmd::read_input;
use crate::cli_error::CliError;
use crate::render::{self, ColorChoice};

/// `rtspeek sdp ...`
#[derive(Debug, Subcommand)]
pub(crate) enum SdpCommand {
    /// Lint a session description (the body of a DESCRIBE response) for what clients trip over.
    Check(CheckArgs),
    /// Decode H.264/H.265 parameter sets (a sprop-parameter-sets value, an a=fmtp line, hex, or an Annex B
    /// file): profile, level, picture size, codec string, and the fmtp line to paste into an SDP.
    Sprop(SpropArgs),
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

/// Arguments of `rtspeek sdp sprop`.
#[derive(Debug, Args)]
pub(crate) struct SpropArgs {
    /// A sprop-parameter-sets value (`Z2QAH...,aOvjyyLA`), an `a=fmtp:` line with sprop parameters (quoted),
    /// or hex (`67 64 00 1f ...`); several arguments are joined by spaces; `-` reads the text from standard
    /// input.
    #[arg(value_name = "INPUT", required_unless_present = "file", conflicts_with = "file")]
    pub(crate) input: Vec<String>,
    /// Read bytes instead: an Annex B stream (`.h264`, `.h265`) or one NAL unit; `-` reads standard input.
    #[arg(long, value_name = "PATH")]
    pub(crate) file: Option<PathBuf>,
    /// The codec, when the input does not tell (by default the parameter names and NAL units decide).
    #[arg(long, value_name = "h264|h265", value_parser = Codec::from_name)]
    pub(crate) codec: Option<Codec>,
    /// Print JSON (the web page's `inspectParameterSets` result) instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(cmd: SdpCommand) -> Result<u8, CliError> {
    match cmd {
        SdpCommand::Check(args) => check(&args),
        SdpCommand::Sprop(args) => sprop_inspect(&args),
    }
}

fn check(args: &CheckArgs) -> Result<u8, CliError> {
    let (name, bytes) = read_input(&args.file)?;
    let check = sdp::check(&bytes).map_err(|e| CliError::Input(format!("{name}: {e}")))?;
    let report = check.into_report(format!("sdp check: {name}"));
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::Runtime(format!("cannot encode report: {e}")))?;
        render::print_stdout(&format!("{json}\n"));
    } else {
        render::print_stdout(&render::report_text(&report, args.color.enabled()));
    }
    Ok(report.verdict.exit_code() as u8)
}

/// Exit status 0 when every parameter set was read and none is missing, 1 otherwise; no parameter set at all
/// is an input error (64, from `main`).
fn sprop_inspect(args: &SpropArgs) -> Result<u8, CliError> {
    let info = match (&args.file, args.input.as_slice()) {
        (Some(path), _) => {
            let (name, bytes) = read_input(path)?;
            sprop::inspect(Input::Bytes(&bytes), args.codec)
                .map_err(|e| CliError::Input(format!("{name}: {e}")))?
        }
        (None, [dash]) if dash == "-" => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                CliError::Input(format!("standard input: {e} (use --file - for binary input)"))
            })?;
            sprop::inspect(Input::Text(&text), args.codec).map_err(|e| CliError::Input(format!("-: {e}")))?
        }
        (None, words) => sprop::inspect(Input::Text(&words.join(" ")), args.codec)
            .map_err(|e| CliError::Input(e.to_string()))?,
    };
    if args.json {
        let json = serde_json::to_string_pretty(&info)
            .map_err(|e| CliError::Runtime(format!("cannot encode the result: {e}")))?;
        render::print_stdout(&format!("{json}\n"));
    } else {
        render::print_stdout(&sprop_text(&info));
    }
    let complete = info.problems.is_empty()
        && info.missing.is_empty()
        && info.parameter_sets.iter().all(|set| set.error.is_none());
    Ok(if complete { 0 } else { 1 })
}

/// The text form of an inspection: what was read, one line per parameter set, then what to paste.
fn sprop_text(info: &ParameterSetInfo) -> String {
    let form = match info.input {
        InputForm::Sprop => "a sprop-parameter-sets value",
        InputForm::Fmtp => "fmtp parameters",
        InputForm::Hex => "hex",
        InputForm::Annexb => "an Annex B stream",
        InputForm::Nal => "one NAL unit",
    };
    let mut out = format!("{} parameter sets from {form}\n", info.codec.name());
    for set in &info.parameter_sets {
        let id = set.id.map_or_else(|| "?".to_owned(), |id| id.to_string());
        let what = match (&set.error, set.summary.as_str()) {
            (Some(error), _) => format!("unreadable: {error}"),
            (None, summary) => summary.to_owned(),
        };
        let _ = writeln!(out, "  {} {id:<2} {:>4} bytes  {}  {what}", set.kind, set.bytes, set.origin);
    }
    if let Some(sps) = &info.sps {
        let fps =
            sps.frame_rate.map(|f| format!(", {} fps", (f * 1000.0).round() / 1000.0)).unwrap_or_default();
        let _ = writeln!(
            out,
            "picture: {} {}, {}x{}, {} {}-bit{fps}",
            sps.profile, sps.level, sps.width, sps.height, sps.chroma_format, sps.bit_depth_luma
        );
    }
    if let Some(codec_string) = &info.codec_string {
        let _ = writeln!(out, "codec string: {codec_string}");
    }
    if let Some(profile_level_id) = &info.profile_level_id {
        let _ = writeln!(out, "profile-level-id: {profile_level_id}");
    }
    let _ = writeln!(out, "fmtp: {}", info.fmtp);
    if !info.missing.is_empty() {
        let _ = writeln!(out, "missing: {}", info.missing.join(", "));
    }
    if !info.ignored.is_empty() {
        let _ = writeln!(out, "other NAL units: {}", info.ignored.join(", "));
    }
    for problem in &info.problems {
        let _ = writeln!(out, "problem: {problem}");
    }
    out
}
