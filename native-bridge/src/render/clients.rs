//! The `clients` table of the text report: one line per client profile with its verdict and first reason,
//! and the first setting that makes a failing or risky one work. The JSON report has every reason and
//! setting.

use std::fmt::Write as _;

use rtspeek_core::clients::{ClientVerdict, Outcome};

use super::Paint;

/// Width of the name column.
const NAME_WIDTH: usize = 24;

pub(super) fn clients_text(out: &mut String, clients: &[ClientVerdict], p: &Paint) {
    if clients.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{} {}",
        p.bold("clients"),
        p.dim("(with their default settings; `--json` lists every reason and setting; * = cited, not measured here)")
    );
    for c in clients {
        let verdict = match c.verdict {
            Outcome::Works => p.green("works"),
            Outcome::Risky => p.yellow("risky"),
            Outcome::Fails => p.red("FAILS"),
        };
        let name = if c.measured { c.name.clone() } else { format!("{}*", c.name) };
        let reason = match c.because.first() {
            Some(r) => {
                let more = c.because.len() - 1;
                let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
                format!("{}{}", strip_name(&r.text, &c.name), p.dim(&more))
            }
            None => String::new(),
        };
        let _ = writeln!(out, "  {name:<NAME_WIDTH$} {verdict}  {reason}");
        if c.verdict != Outcome::Works
            && let Some(setting) = c.settings.first()
        {
            let _ = writeln!(out, "  {:<NAME_WIDTH$}        {} {setting}", "", p.dim("set:"));
        }
    }
}

/// A reason without the client's name in front (the column already says it).
fn strip_name<'a>(text: &'a str, name: &str) -> &'a str {
    text.strip_prefix(name).map_or(text, str::trim_start)
}
