//! The inventory of `rtspeek audit`: TOML or CSV, one camera per row. A bad row is reported with its file and
//! line and left out; the other rows still run. Only a file that cannot be read at all is an error.
//!
//! TOML:
//! ```toml
//! [defaults]                      # optional: any camera key but url, name and tags
//! user = "viewer"
//! password_env = "CAMERA_PASSWORD"
//! ca = ["site-ca.pem"]
//!
//! [[camera]]
//! url = "rtsps://10.0.0.5:322/live"
//! name = "lobby"                  # optional; the URL otherwise
//! tags = { site = "hq", vendor = "axis" }
//! fingerprint = "3E:2B:..."       # trust exactly this certificate instead of the CA
//! ```
//! CSV: a header line naming the columns, `url` required, the others optional: `name`, `user`, `password_env`,
//! `password_file`, `ca` (paths separated by `;`), `fingerprint`, `trust`, `transport`, `duration`, `timeout`,
//! `tags` (`site=hq;vendor=axis`). Empty cells are unset.
//!
//! Rows go through one conversion (a CSV row becomes the TOML table it stands for), so both forms accept and
//! refuse the same things with the same words.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::profile::ProbeProfile;

/// One camera to audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Camera {
    /// Line of its row in the inventory (1-based).
    pub line: usize,
    /// Its name (the row's `name`, else its URL).
    pub name: String,
    /// Its URL (never with credentials: those are refused in inventories).
    pub url: String,
    /// How to probe it: the row over the defaults.
    pub profile: ProbeProfile,
    /// Labels such as site and vendor.
    pub tags: BTreeMap<String, String>,
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The inventory file.
    pub file: String,
    /// The row's line (1-based).
    pub line: usize,
    /// What is wrong (never a password: inventories hold none).
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A parsed inventory.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The directory relative paths (CA, password files) are taken from.
    pub base: PathBuf,
    /// The good rows, in file order.
    pub cameras: Vec<Camera>,
    /// The bad rows.
    pub bad_rows: Vec<RowError>,
}

/// Why an inventory could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// TOML syntax, or a `[defaults]` table that is not a probe profile.
    #[error("{file}: {message}")]
    Toml {
        /// The file.
        file: String,
        /// The parser's words (with line and column).
        message: String,
    },
    /// The CSV header is missing, lacks `url` or names an unknown column.
    #[error("{file}: line 1: {message}")]
    CsvHeader {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// Neither `[[camera]]` tables nor CSV rows.
    #[error("{file}: no camera (TOML `[[camera]]` tables, or CSV rows under a header naming `url`)")]
    Empty {
        /// The file.
        file: String,
    },
}

/// Bound on an inventory file: a fleet of 100 000 cameras is about 10 MB of CSV.
const MAX_FILE: u64 = 64 << 20;

/// CSV columns, as keys of the row's table.
const CSV_COLUMNS: &[&str] = &[
    "url",
    "name",
    "user",
    "password_env",
    "password_file",
    "ca",
    "fingerprint",
    "trust",
    "transport",
    "duration",
    "timeout",
    "tags",
];

impl Inventory {
    /// Reads `path`: CSV when it ends in `.csv`, TOML otherwise.
    pub fn read(path: &Path) -> Result<Inventory, InventoryError> {
        let file = path.display().to_string();
        let read = |source| InventoryError::Read { file: file.clone(), source };
        let len = std::fs::metadata(path).map_err(read)?.len();
        if len > MAX_FILE {
            return Err(read(std::io::Error::other(format!("{len} bytes: larger than {MAX_FILE}"))));
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let mut inventory = if csv { parse_csv(&file, &text)? } else { parse_toml(&file, &text)? };
        inventory.base = base;
        Ok(inventory)
    }
}

/// Parses a TOML inventory.
pub fn parse_toml(file: &str, text: &str) -> Result<Inventory, InventoryError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        #[serde(default)]
        defaults: ProbeProfile,
        #[serde(default)]
        camera: Vec<toml::Spanned<toml::Table>>,
    }
    let raw: Raw = toml::from_str(text)
        .map_err(|e| InventoryError::Toml { file: file.to_owned(), message: e.to_string() })?;
    if raw.camera.is_empty() {
        return Err(InventoryError::Empty { file: file.to_owned() });
    }
    let mut rows = Rows::new(file, raw.defaults);
    for row in raw.camera {
        let line = line_of(text, row.span().start);
        rows.add(line, row.into_inner());
    }
    Ok(rows.finish())
}

/// Parses a CSV inventory.
pub fn parse_csv(file: &str, text: &str) -> Result<Inventory, InventoryError> {
    let header_error = |message: String| InventoryError::CsvHeader { file: file.to_owned(), message };
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| header_error(e.to_string()))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    if let Some(unknown) = header.iter().find(|h| !CSV_COLUMNS.contains(&h.as_str())) {
        return Err(header_error(format!("unknown column {unknown:?} (columns: {})", CSV_COLUMNS.join(","))));
    }
    if !header.iter().any(|h| h == "url") {
        return Err(header_error("no `url` column".to_owned()));
    }
    let mut rows = Rows::new(file, ProbeProfile::default());
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_of(text, p.byte() as usize));
                rows.bad(line, format!("not CSV: {e}"));
                continue;
            }
        };
        // From the byte offset, past the blank lines the reader skipped before the record (its own line
        // count and offset both include them).
        let line = record.position().map_or(0, |p| {
            let start = p.byte() as usize;
            let blank =
                text.get(start..).map_or(0, |rest| rest.len() - rest.trim_start_matches(['\r', '\n']).len());
            line_of(text, start + blank)
        });
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            rows.bad(line, format!("{} cells, the header names {}", record.len(), header.len()));
            continue;
        }
        match csv_row(&header, &record) {
            Ok(table) => rows.add(line, table),
            Err(message) => rows.bad(line, message),
        }
    }
    if rows.seen == 0 {
        return Err(InventoryError::Empty { file: file.to_owned() });
    }
    Ok(rows.finish())
}

/// The TOML table a CSV row stands for.
fn csv_row(header: &[String], record: &csv::StringRecord) -> Result<toml::Table, String> {
    let mut table = toml::Table::new();
    for (column, cell) in header.iter().zip(record.iter()) {
        if cell.is_empty() {
            continue;
        }
        let value = match column.as_str() {
            "ca" => toml::Value::Array(split_list(cell).map(|p| toml::Value::String(p.to_owned())).collect()),
            "tags" => {
                let mut tags = toml::Table::new();
                for pair in split_list(cell) {
                    let (key, value) =
                        pair.split_once('=').ok_or_else(|| format!("tags: {pair:?} is not key=value"))?;
                    tags.insert(key.trim().to_owned(), toml::Value::String(value.trim().to_owned()));
                }
                toml::Value::Table(tags)
            }
            "duration" | "timeout" => toml::Value::Float(
                cell.parse::<f64>().map_err(|_| format!("{column}: {cell:?} is not a number of seconds"))?,
            ),
            _ => toml::Value::String(cell.to_owned()),
        };
        table.insert(column.clone(), value);
    }
    Ok(table)
}

fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// Rows as they are converted: the good ones, the bad ones, the URLs seen.
struct Rows {
    file: String,
    defaults: ProbeProfile,
    inventory: Inventory,
    urls: HashSet<String>,
    seen: usize,
}

impl Rows {
    fn new(file: &str, defaults: ProbeProfile) -> Rows {
        Rows {
            file: file.to_owned(),
            defaults,
            inventory: Inventory::default(),
            urls: HashSet::new(),
            seen: 0,
        }
    }

    fn bad(&mut self, line: usize, message: String) {
        self.seen += 1;
        self.inventory.bad_rows.push(RowError { file: self.file.clone(), line, message });
    }

    fn add(&mut self, line: usize, table: toml::Table) {
        match self.camera(line, table) {
            Ok(camera) => {
                self.seen += 1;
                self.inventory.cameras.push(camera);
            }
            Err(message) => self.bad(line, message),
        }
    }

    fn camera(&mut self, line: usize, mut table: toml::Table) -> Result<Camera, String> {
        let url = match table.remove("url") {
            Some(toml::Value::String(url)) if !url.trim().is_empty() => url.trim().to_owned(),
            Some(_) => return Err("url: give the camera's rtsps:// or rtsp:// URL as a string".to_owned()),
            None => return Err("no url".to_owned()),
        };
        let parsed = rtspeek_core::rtsp::Url::parse(&url)
            .map_err(|e| format!("url {:?}: {e}", rtspeek_core::rtsp::url::redact_text(&url)))?;
        if parsed.credentials().is_some() {
            return Err(format!(
                "url {:?}: credentials in the URL; give `user` and `password_env` or `password_file`, so that \
                 the inventory holds no password",
                rtspeek_core::rtsp::url::redact_text(&url)
            ));
        }
        let name = match table.remove("name") {
            Some(toml::Value::String(name)) => name,
            Some(_) => return Err("name: give a string".to_owned()),
            None => url.clone(),
        };
        let tags = match table.remove("tags") {
            Some(value) => BTreeMap::<String, String>::deserialize(value)
                .map_err(|e| format!("tags: give a table of strings ({e})"))?,
            None => BTreeMap::new(),
        };
        let own = ProbeProfile::deserialize(toml::Value::Table(table)).map_err(|e| e.message().to_owned())?;
        let profile = own.over(&self.defaults);
        profile.check().map_err(|e| e.to_string())?;
        if !self.urls.insert(url.clone()) {
            return Err(format!("url {url}: already listed on an earlier row"));
        }
        Ok(Camera { line, name, url, profile, tags })
    }

    fn finish(self) -> Inventory {
        self.inventory
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|b| **b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
[defaults]
user = "viewer"
password_env = "CAMS_PW"
ca = ["site-ca.pem"]

[[camera]]
url = "rtsps://10.0.0.5:322/live"
name = "lobby"
tags = { site = "hq", vendor = "axis" }

[[camera]]
url = "rtsps://admin:hunter2@10.0.0.6/live"

[[camera]]
url = "rtsps://10.0.0.7/live"
colour = "blue"

[[camera]]
url = "rtsps://10.0.0.9/live"
fingerprint = "00"
ca = []

[[camera]]
url = "rtsp://10.0.0.8/live"
transport = "udp"
"#;

    #[test]
    fn toml_rows_merge_over_defaults_and_bad_rows_name_their_line() {
        let inventory = parse_toml("fleet.toml", TOML).unwrap();
        let names: Vec<&str> = inventory.cameras.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["lobby", "rtsp://10.0.0.8/live"]);
        let lobby = &inventory.cameras[0];
        assert_eq!((lobby.line, lobby.profile.user.as_deref()), (7, Some("viewer")));
        assert_eq!(lobby.tags.get("vendor").map(String::as_str), Some("axis"));
        let bad: Vec<String> = inventory.bad_rows.iter().map(ToString::to_string).collect();
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(
            bad[0].starts_with("fleet.toml:12: ") && bad[0].contains("credentials in the URL"),
            "{bad:?}"
        );
        assert!(!bad[0].contains("hunter2"), "a password leaked: {bad:?}");
        assert!(bad[1].starts_with("fleet.toml:15: ") && bad[1].contains("colour"), "{bad:?}");
        assert!(bad[2].starts_with("fleet.toml:19: fingerprint: "), "{bad:?}");
    }

    #[test]
    fn csv_rows_are_the_same_tables() {
        let csv = "url,user,password_env,ca,fingerprint,tags\n\
                   rtsps://10.0.0.5:322/live,admin,CAMS_PW,a.pem;b.pem,,site=hq;vendor=axis\n\
                   rtsps://10.0.0.5:322/live,,,,,\n\
                   not a url,,,,,\n\
                   rtsps://10.0.0.9/live,,,,,site\n\
                   \n\
                   rtsp://10.0.0.8/x,,,,,\n";
        let inventory = parse_csv("fleet.csv", csv).unwrap();
        assert_eq!(inventory.cameras.len(), 2);
        let first = &inventory.cameras[0];
        assert_eq!(first.profile.ca, vec![PathBuf::from("a.pem"), PathBuf::from("b.pem")]);
        assert_eq!(first.tags.len(), 2);
        assert_eq!(inventory.cameras[1].line, 7);
        let lines: Vec<usize> = inventory.bad_rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 5], "{:?}", inventory.bad_rows);
        assert!(inventory.bad_rows[0].message.contains("already listed"));
        assert!(inventory.bad_rows[2].message.contains("not key=value"));
    }

    #[test]
    fn unreadable_files_are_errors_with_place() {
        let header = parse_csv("f.csv", "url,colour\nrtsps://a/,red\n").unwrap_err().to_string();
        assert!(header.contains("f.csv: line 1: unknown column \"colour\""), "{header}");
        let syntax = parse_toml("f.toml", "[[camera]\nurl=").unwrap_err().to_string();
        assert!(syntax.starts_with("f.toml: "), "{syntax}");
        assert!(matches!(parse_toml("f.toml", "[defaults]\n"), Err(InventoryError::Empty { .. })));
    }
}
