//! An audit written for machines and people (the terminal table is the CLI's): CSV for spreadsheets, JUnit XML for CI
//! dashboards, and a self-contained HTML page (the `<rtspeek-report>` element inlined, no network request).
//! Every cell comes from the reports and the inventory, never a password (inventories hold none, reports
//! redact).

use std::fmt::Write as _;

use rtspeek_core::Report;

use super::inventory::RowError;
use super::summary::{CameraLine, Totals};

/// CSV, one row per camera (bad rows included, with their line), header first.
pub fn csv(lines: &[CameraLine<'_>], bad_rows: &[RowError]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "name",
        "url",
        "tags",
        "verdict",
        "first_broken_layer",
        "cert_not_after",
        "cert_days_left",
        "cert_sha256",
        "clients_works",
        "clients_risky",
        "clients_fails",
        "problems",
        "note",
    ])?;
    for line in lines {
        let tags: Vec<String> = line.camera.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let (not_after, days) = match &line.expiry {
            Some((at, days)) => (at.clone(), days.to_string()),
            None => (String::new(), String::new()),
        };
        let [works, risky, fails] = line.clients.map(|n| n.to_string());
        let record = [
            line.camera.name.clone(),
            line.camera.url.clone(),
            tags.join(";"),
            line.status.to_owned(),
            line.first_broken.unwrap_or_default().to_owned(),
            not_after,
            days,
            line.fingerprint.clone().unwrap_or_default(),
            works,
            risky,
            fails,
            line.problems.join(";"),
            line.note.clone(),
        ];
        writer.write_record(record.iter().map(|cell| spreadsheet_safe(cell)))?;
    }
    for row in bad_rows {
        let cells = ["", "", "", "bad row", "", "", "", "", "", "", "", "", &row.to_string()];
        writer.write_record(cells.iter().map(|cell| spreadsheet_safe(cell)))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

/// A cell a spreadsheet will not run as a formula: text from a camera (a name, a certificate's words) starting
/// with `=`, `+`, `-` or `@` gets a leading apostrophe (OWASP's advice on CSV injection).
fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

/// JUnit XML: a test case per camera (broken: a failure; not configured, failed and bad rows: errors; not run:
/// skipped; degraded: passes, its warnings in `system-out`).
pub fn junit(lines: &[CameraLine<'_>], bad_rows: &[RowError]) -> String {
    let count = |s: &str| lines.iter().filter(|l| l.status == s).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"rtspeek audit\">\n  <testsuite name=\"rtspeek audit\" tests=\"{}\" failures=\"{}\" \
         errors=\"{}\" skipped=\"{}\">",
        lines.len() + bad_rows.len(),
        count("broken"),
        count("not configured") + count("failed") + bad_rows.len(),
        count("not run"),
    );
    for line in lines {
        let class = line.camera.tags.get("site").map_or("cameras", String::as_str);
        let _ =
            write!(out, "    <testcase classname=\"{}\" name=\"{}\">", xml(class), xml(&line.camera.name));
        let detail = format!(
            "url: {}\nfirst broken layer: {}\nproblems: {}\n{}",
            line.camera.url,
            line.first_broken.unwrap_or("-"),
            line.problems.join(", "),
            line.note
        );
        match line.status {
            "broken" => {
                let _ = write!(
                    out,
                    "<failure type=\"broken\" message=\"{}\">{}</failure>",
                    xml(&line.note),
                    xml(&detail)
                );
            }
            "not configured" | "failed" => {
                let _ = write!(out, "<error type=\"{}\" message=\"{}\"/>", line.status, xml(&line.note));
            }
            "not run" => {
                let _ = write!(out, "<skipped message=\"{}\"/>", xml(&line.note));
            }
            _ => {
                let _ = write!(out, "<system-out>{}</system-out>", xml(&detail));
            }
        }
        out.push_str("</testcase>\n");
    }
    for row in bad_rows {
        let _ = writeln!(
            out,
            "    <testcase classname=\"inventory\" name=\"{}:{}\"><error type=\"bad row\" message=\"{}\"/></testcase>",
            xml(&row.file),
            row.line,
            xml(&row.message)
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// XML text and attribute escaping (core's, as for SOAP); characters XML 1.0 cannot carry become U+FFFD.
fn xml(text: &str) -> String {
    let allowed = |c: char| {
        !((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    };
    let clean: String = text.chars().map(|c| if allowed(c) { c } else { '\u{FFFD}' }).collect();
    rtspeek_core::onvif::xml::escape(&clean).into_owned()
}

/// Why the HTML report cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// This binary was built without the page (whose report element the HTML inlines).
    #[error(
        "this rtspeek was built without its web page, whose <rtspeek-report> element the HTML report inlines: \
         build the page first (`cargo xtask web`) or use --json/--csv"
    )]
    NoPage,
    /// The reports could not be serialised.
    #[error("cannot serialise the reports: {0}")]
    Json(#[from] serde_json::Error),
}

/// A self-contained HTML page: the summary table, then each camera's full report in `<rtspeek-report>`.
pub fn html(
    lines: &[CameraLine<'_>],
    totals: &Totals,
    reports: &[Option<&Report>],
) -> Result<String, HtmlError> {
    let element = crate::bridge::assets::lookup("/rtspeek-report.js")
        .filter(|_| crate::bridge::assets::WEB_UI_BUILT)
        .ok_or(HtmlError::NoPage)?;
    let element = String::from_utf8_lossy(element.bytes);
    let mut rows = String::new();
    for (index, line) in lines.iter().enumerate() {
        let _ = writeln!(
            rows,
            "<tr class=\"{status}\"><td><a href=\"#camera-{index}\">{}</a></td><td>{status}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            html_text(&line.camera.name),
            line.first_broken.unwrap_or("-"),
            html_text(&line.expiry_text()),
            line.clients_text(),
            html_text(&line.problems.join(", ")),
            status = line.status.replace(' ', "-"),
        );
    }
    let mut sections = String::new();
    for (index, (line, report)) in lines.iter().zip(reports).enumerate() {
        let body = match report {
            Some(_) => format!("<rtspeek-report data-index=\"{index}\"></rtspeek-report>"),
            None => format!("<p>{}: {}</p>", line.status, html_text(&line.note)),
        };
        let _ = writeln!(
            sections,
            "<section id=\"camera-{index}\"><h2>{}</h2><p class=\"url\">{}</p>{body}</section>",
            html_text(&line.camera.name),
            html_text(&line.camera.url)
        );
    }
    // JSON inside <script>: `<` escaped so that no string can close the element.
    let json = serde_json::to_string(reports)?.replace('<', "\\u003c");
    let element = element.replace("</script", "<\\/script");
    let statuses: Vec<String> = totals.by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
    Ok(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rtspeek audit</title>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>{STYLE}</style></head>\n\
         <body><h1>rtspeek audit</h1><p>{} camera(s): {}. Certificates: {} expired, {} within 30 d.</p>\n\
         <table><thead><tr><th>Camera</th><th>Verdict</th><th>First broken</th><th>Certificate</th>\
         <th>Clients (works/risky/fails)</th><th>Problems</th></tr></thead><tbody>\n{rows}</tbody></table>\n\
         {sections}\n<script type=\"application/json\" id=\"reports\">{json}</script>\n\
         <script type=\"module\">\n{element}\n\
         const reports = JSON.parse(document.getElementById(\"reports\").textContent);\n\
         for (const el of document.querySelectorAll(\"rtspeek-report[data-index]\")) {{\n\
           el.report = reports[Number(el.dataset.index)];\n}}\n</script></body></html>\n",
        lines.len(),
        html_text(&statuses.join(", ")),
        totals.expired,
        totals.expiring[0],
    ))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left}\
tr.broken td:nth-child(2),tr.not-configured td:nth-child(2){color:#b00020;font-weight:600}\
tr.degraded td:nth-child(2){color:#8a5a00}tr.healthy td:nth-child(2){color:#1b7f3b}\
section{margin-top:2.5rem}.url{font-family:monospace;color:#555}";

/// HTML text and attribute escaping: the XML escaping serves.
fn html_text(text: &str) -> String {
    xml(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_and_csv_escape_what_a_camera_could_inject() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;\u{FFFD}");
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("lobby"), "lobby");
        assert_eq!(html_text("<script>"), "&lt;script&gt;");
    }
}
