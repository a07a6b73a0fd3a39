//! `rtspeek audit INVENTORY`: the layered probe of every camera of a fleet, a summary table, and the results as
//! JSON (an array of the shared Report), CSV, JUnit XML and a self-contained HTML page. `rtspeek audit accept`
//! accepts certificate changes recorded in the pin store.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use rtspeek_bridge::fleet::audit::{AuditSettings, Outcome, audit};
use rtspeek_bridge::fleet::export;
use rtspeek_bridge::fleet::inventory::{Inventory, RowError};
use rtspeek_bridge::fleet::pins::{PinOutcome, PinStore};
use rtspeek_bridge::fleet::summary::{CameraLine, HORIZONS, Totals};

use crate::cert_cmd::now;
use crate::cli_error::CliError;
use crate::render;

/// `rtspeek audit --help`'s examples.
pub(crate) const EXAMPLES: &str = "Inventory (TOML; or CSV with the header url,name,user,password_env,password_file,ca,fingerprint,trust,transport,duration,timeout,tags):
  [defaults]
  user = \"viewer\"
  password_env = \"CAMERA_PASSWORD\"   # or password_file = \"pw.txt\": never a password in the inventory
  ca = [\"site-ca.pem\"]
  duration = 0                       # stop at the first decodable picture
  [[camera]]
  url = \"rtsps://10.0.0.5:322/live\"
  name = \"lobby\"
  tags = { site = \"hq\", vendor = \"axis\" }

Examples:
  rtspeek audit fleet.toml --pin-store pins.json --html audit.html
  rtspeek audit fleet.csv -c 64 --csv audit.csv --junit audit.xml --json audit.json
  rtspeek audit accept --pin-store pins.json rtsps://10.0.0.5:322/live

Exit status: 0 every camera healthy, 1 some degraded or not run, 2 some broken, not configured or a bad row,
64 unreadable inventory, 74 an output could not be written.";

/// Arguments of `rtspeek audit`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    accept: Option<AuditCommand>,
    /// The inventory: TOML, or CSV when the name ends in `.csv`.
    #[arg(value_name = "INVENTORY", required = true)]
    inventory: Option<PathBuf>,
    /// Cameras probed at once.
    #[arg(short, long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,
    /// Bound on each camera's probe, in seconds: a camera that reaches it is reported with what was seen.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    deadline: f64,
    /// Record each camera's certificate here on first sight; a different one later is
    /// `cert.fingerprint_changed` until accepted (`rtspeek audit accept`).
    #[arg(long, value_name = "FILE")]
    pin_store: Option<PathBuf>,
    /// Write the reports as a JSON array (`-`: standard output, instead of the table).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write one CSV row per camera.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Write JUnit XML (broken cameras fail, bad rows and unconfigured cameras are errors).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML page: the table and every camera's report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Accept the changed certificates of these cameras (their new fingerprint becomes the recorded one).
    Accept(AcceptArgs),
}

#[derive(Args)]
struct AcceptArgs {
    /// The pin store the audit wrote.
    #[arg(long, value_name = "FILE")]
    pin_store: PathBuf,
    /// Camera URLs, as in the inventory.
    #[arg(value_name = "URL", required_unless_present = "all")]
    urls: Vec<String>,
    /// Accept every waiting change.
    #[arg(long, conflicts_with = "urls")]
    all: bool,
}

pub(crate) fn run(args: AuditArgs) -> Result<u8, CliError> {
    if let Some(AuditCommand::Accept(accept)) = args.accept {
        return run_accept(&accept);
    }
    let Some(path) = args.inventory.as_deref() else {
        return Err(CliError::Input("give an inventory file".to_owned()));
    };
    if !(args.deadline.is_finite() && (1.0..=86_400.0).contains(&args.deadline)) {
        return Err(CliError::Input(format!(
            "--deadline {}: give seconds between 1 and 86400",
            args.deadline
        )));
    }
    let inventory = Inventory::read(path).map_err(|e| CliError::Input(e.to_string()))?;
    let mut pins = args
        .pin_store
        .as_deref()
        .map(PinStore::load)
        .transpose()
        .map_err(|e| CliError::Input(e.to_string()))?;
    let started = now();
    let settings = AuditSettings {
        concurrency: usize::from(args.concurrency),
        deadline: Duration::from_secs_f64(args.deadline),
    };
    let bar = progress_bar(inventory.cameras.len() as u64);
    let runtime = crate::multi_thread_runtime()?;
    let outcomes = runtime.block_on(audit(
        &inventory,
        settings,
        started,
        |camera, outcome| {
            let status = outcome.report().map_or("not probed", |r| r.verdict.as_str());
            bar.set_message(format!("{}: {status}", render::printable(&camera.name)));
            bar.inc(1);
        },
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        },
    ));
    bar.finish_and_clear();
    let outcomes = match pins.as_mut() {
        Some(store) => check_pins(store, &inventory, outcomes, started),
        None => outcomes,
    };
    if let (Some(store), Some(file)) = (&pins, &args.pin_store) {
        store.save(file).map_err(|e| CliError::Runtime(e.to_string()))?;
    }
    let lines: Vec<CameraLine<'_>> = inventory
        .cameras
        .iter()
        .zip(&outcomes)
        .map(|(camera, outcome)| CameraLine::new(camera, outcome, started))
        .collect();
    let totals = Totals::of(&lines, &inventory.bad_rows);
    write_outputs(&args, &lines, &totals, &inventory, &outcomes)?;
    Ok(totals.exit_code())
}

/// The pin store's verdict on every probed camera (reports amended where the certificate changed).
fn check_pins(
    store: &mut PinStore,
    inventory: &Inventory,
    outcomes: Vec<Outcome>,
    now: rtspeek_core::UnixTime,
) -> Vec<Outcome> {
    let mut counts = [0usize; 2];
    let outcomes = inventory
        .cameras
        .iter()
        .zip(outcomes)
        .map(|(camera, outcome)| match outcome {
            Outcome::Probed(report) => {
                let (report, verdict) = store.check(&camera.url, *report, now);
                match verdict {
                    PinOutcome::Recorded => counts[0] += 1,
                    PinOutcome::Changed => counts[1] += 1,
                    PinOutcome::Same | PinOutcome::NoCertificate => {}
                }
                Outcome::Probed(Box::new(report))
            }
            other => other,
        })
        .collect();
    eprintln!(
        "pin store: {} certificate(s) recorded on first sight, {} changed (cert.fingerprint_changed until accepted)",
        counts[0], counts[1]
    );
    outcomes
}

fn write_outputs(
    args: &AuditArgs,
    lines: &[CameraLine<'_>],
    totals: &Totals,
    inventory: &Inventory,
    outcomes: &[Outcome],
) -> Result<(), CliError> {
    let reports: Vec<Option<&rtspeek_core::Report>> = outcomes.iter().map(Outcome::report).collect();
    let json_to_stdout = args.json.as_deref() == Some(Path::new("-"));
    if !json_to_stdout {
        render::print_stdout(&text(lines, totals, &inventory.bad_rows));
    } else {
        for row in &inventory.bad_rows {
            eprintln!("bad row: {}", render::printable(&row.to_string()));
        }
    }
    if let Some(path) = &args.json {
        let probed: Vec<&rtspeek_core::Report> = reports.iter().flatten().copied().collect();
        let json = serde_json::to_string_pretty(&probed).map_err(|e| CliError::Runtime(e.to_string()))?;
        write(path, format!("{json}\n").as_bytes())?;
    }
    if let Some(path) = &args.csv {
        let csv = export::csv(lines, &inventory.bad_rows).map_err(|e| CliError::Runtime(e.to_string()))?;
        write(path, &csv)?;
    }
    if let Some(path) = &args.junit {
        write(path, export::junit(lines, &inventory.bad_rows).as_bytes())?;
    }
    if let Some(path) = &args.html {
        let html = export::html(lines, totals, &reports).map_err(|e| CliError::Input(e.to_string()))?;
        write(path, html.as_bytes())?;
    }
    Ok(())
}

/// The terminal table and the fleet's totals.
fn text(lines: &[CameraLine<'_>], totals: &Totals, bad_rows: &[RowError]) -> String {
    let name_width = lines.iter().map(|l| l.camera.name.chars().count()).max().unwrap_or(6).clamp(6, 48);
    let mut out = format!(
        "{:<name_width$}  {:<14}  {:<12}  {:<18}  CLIENTS (works/risky/fails)\n",
        "CAMERA", "VERDICT", "FIRST BROKEN", "CERT EXPIRES"
    );
    for line in lines {
        let name: String = render::printable(&line.camera.name).chars().take(name_width).collect();
        let status = if line.interrupted { format!("{} (cut)", line.status) } else { line.status.to_owned() };
        let clients = line.clients_text();
        let _ = writeln!(
            out,
            "{name:<name_width$}  {status:<14}  {:<12}  {:<18}  {clients}",
            line.first_broken.unwrap_or("-"),
            line.expiry_text(),
        );
    }
    let statuses: Vec<String> = totals.by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let _ = writeln!(out, "\n{} camera(s): {}", lines.len(), statuses.join(", "));
    let horizons: Vec<String> =
        HORIZONS.iter().zip(totals.expiring).map(|(h, n)| format!("{n} within {h} d")).collect();
    let _ = writeln!(out, "certificates: {} expired, {}", totals.expired, horizons.join(", "));
    if !totals.by_code.is_empty() {
        let mut codes: Vec<(&String, &usize)> = totals.by_code.iter().collect();
        codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let _ = writeln!(out, "findings (cameras):");
        for (code, n) in codes {
            let _ = writeln!(out, "  {n:>5}  {code}");
        }
    }
    for row in bad_rows {
        let _ = writeln!(out, "bad row: {}", render::printable(&row.to_string()));
    }
    out
}

/// Writes an output file (`-`: standard output).
fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if path == Path::new("-") {
        render::print_stdout(&String::from_utf8_lossy(bytes));
        return Ok(());
    }
    std::fs::write(path, bytes).map_err(|e| CliError::write(path, &e))
}

/// A progress bar on a terminal; hidden otherwise (logs and CI stay clean).
fn progress_bar(cameras: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(cameras);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} cameras, {elapsed} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

fn run_accept(args: &AcceptArgs) -> Result<u8, CliError> {
    let mut store = PinStore::load(&args.pin_store).map_err(|e| CliError::Input(e.to_string()))?;
    let urls: Vec<String> =
        if args.all { store.waiting().map(str::to_owned).collect() } else { args.urls.clone() };
    if urls.is_empty() {
        eprintln!("pin store {}: no changed certificate is waiting", args.pin_store.display());
        return Ok(0);
    }
    for url in &urls {
        let accepted = store.accept(url).map_err(|e| CliError::Input(e.to_string()))?;
        eprintln!(
            "accepted for {}: {} ({})",
            render::printable(url),
            accepted.sha256_fingerprint,
            render::printable(&accepted.subject)
        );
    }
    store.save(&args.pin_store).map_err(|e| CliError::Runtime(e.to_string()))?;
    Ok(0)
}
