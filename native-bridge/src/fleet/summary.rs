//! One line per camera of an audit, and the fleet's totals: what the terminal table, the CSV, the JUnit XML
//! and the HTML report all show, computed once.

use std::collections::BTreeMap;

use rtspeek_core::clients::Outcome as ClientOutcome;
use rtspeek_core::{Report, Severity, UnixTime};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::audit::Outcome;
use super::inventory::{Camera, RowError};

/// Certificate horizons the fleet totals count (days).
pub const HORIZONS: [i64; 3] = [30, 60, 90];

/// One camera, summarised.
#[derive(Debug, Clone)]
pub struct CameraLine<'a> {
    /// The camera.
    pub camera: &'a Camera,
    /// `healthy`, `degraded`, `broken`, `not configured`, `failed`, `not run`.
    pub status: &'static str,
    /// The first broken layer.
    pub first_broken: Option<&'static str>,
    /// The leaf certificate's notAfter (RFC 3339) and the whole days left until it (negative: expired).
    pub expiry: Option<(String, i64)>,
    /// The leaf certificate's SHA-256 fingerprint.
    pub fingerprint: Option<String>,
    /// Client verdicts: works, risky, fails.
    pub clients: [usize; 3],
    /// Codes of the warnings and errors.
    pub problems: Vec<String>,
    /// Why the probe did not run, or one line on the first error.
    pub note: String,
    /// The probe was stopped by its deadline or an interruption.
    pub interrupted: bool,
}

impl<'a> CameraLine<'a> {
    /// The line of `camera`'s outcome, with certificate days counted from `now`.
    pub fn new(camera: &'a Camera, outcome: &Outcome, now: UnixTime) -> CameraLine<'a> {
        let mut line = CameraLine {
            camera,
            status: "not run",
            first_broken: None,
            expiry: None,
            fingerprint: None,
            clients: [0; 3],
            problems: Vec::new(),
            note: String::new(),
            interrupted: false,
        };
        match outcome {
            Outcome::NotRun => line.note = "the audit was interrupted before this camera".to_owned(),
            Outcome::NotConfigured(why) => {
                line.status = "not configured";
                line.note.clone_from(why);
            }
            Outcome::Failed(why) => {
                line.status = "failed";
                line.note.clone_from(why);
            }
            Outcome::Probed(report) => line.fill(report, now),
        }
        line
    }

    fn fill(&mut self, report: &Report, now: UnixTime) {
        self.status = report.verdict.as_str();
        self.first_broken = report.first_broken_layer.map(|l| l.as_str());
        self.interrupted = report.facts.interrupted;
        if let Some(leaf) = report.facts.certificate.as_ref().and_then(|c| c.chain.first()) {
            self.fingerprint = Some(leaf.sha256_fingerprint.clone());
            if let Ok(at) = OffsetDateTime::parse(&leaf.not_after, &Rfc3339) {
                let days = (at.unix_timestamp() - now.0).div_euclid(86_400);
                self.expiry = Some((leaf.not_after.clone(), days));
            }
        }
        for client in &report.clients {
            let slot = match client.verdict {
                ClientOutcome::Works => 0,
                ClientOutcome::Risky => 1,
                ClientOutcome::Fails => 2,
            };
            self.clients[slot] += 1;
        }
        self.problems = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| f.code.clone())
            .collect();
        self.problems.sort_unstable();
        self.problems.dedup();
        if let Some(first) = report.findings.iter().find(|f| f.severity == Severity::Error) {
            self.note = format!("{}: {}", first.code, first.summary);
        }
    }

    /// `works/risky/fails` counts of the client verdicts, or `-` when there are none.
    pub fn clients_text(&self) -> String {
        match self.clients {
            [0, 0, 0] => "-".to_owned(),
            [w, r, f] => format!("{w}/{r}/{f}"),
        }
    }

    /// `in 245 d`, `EXPIRED 3 d ago`, or `-`.
    pub fn expiry_text(&self) -> String {
        match &self.expiry {
            Some((_, days)) if *days < 0 => format!("EXPIRED {} d ago", -days),
            Some((_, days)) => format!("in {days} d"),
            None => "-".to_owned(),
        }
    }
}

/// The fleet's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Cameras per status.
    pub by_status: BTreeMap<&'static str, usize>,
    /// Certificates expired.
    pub expired: usize,
    /// Certificates expiring within each of [`HORIZONS`] (not yet expired).
    pub expiring: [usize; 3],
    /// Cameras per finding code (warnings and errors).
    pub by_code: BTreeMap<String, usize>,
    /// Bad inventory rows.
    pub bad_rows: usize,
}

impl Totals {
    /// Totals of `lines` and `bad_rows`.
    pub fn of(lines: &[CameraLine<'_>], bad_rows: &[RowError]) -> Totals {
        let mut totals = Totals { bad_rows: bad_rows.len(), ..Totals::default() };
        for line in lines {
            *totals.by_status.entry(line.status).or_default() += 1;
            match line.expiry {
                Some((_, days)) if days < 0 => totals.expired += 1,
                Some((_, days)) => {
                    for (count, horizon) in totals.expiring.iter_mut().zip(HORIZONS) {
                        *count += usize::from(days <= horizon);
                    }
                }
                None => {}
            }
            for code in &line.problems {
                *totals.by_code.entry(code.clone()).or_default() += 1;
            }
        }
        totals
    }

    /// The audit's exit status: 2 when a camera is broken, not configured or failed or a row is bad, 1 when
    /// one is degraded or was not run, else 0.
    pub fn exit_code(&self) -> u8 {
        let count = |s: &str| self.by_status.get(s).copied().unwrap_or(0);
        if count("broken") + count("not configured") + count("failed") + self.bad_rows > 0 {
            2
        } else if count("degraded") + count("not run") > 0 {
            1
        } else {
            0
        }
    }
}
