//! The certificate scenarios: one per finding code (named after the code) and more for combinations, input
//! forms and name matching, each with the inputs to analyse and what the analysis must say.
//!
//! `tests/tests/it/cert_codes.rs` runs them through [`rtspeek_core::cert::analyze`]; other front ends (the CLI, the
//! wasm API) can run the same table and check their report with [`Expect::verify`].

mod more;
mod table;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use rtspeek_core::cert::InputError;
use rtspeek_core::diagnose::codes;
use rtspeek_core::{Layer, LayerStatus, Report, Severity, TrustOutcome, TrustStore, Verdict};

pub use table::scenarios;

use crate::cert_case::CertCase;

/// One scenario: a name (the finding code for the per-code ones), a one-line description, how to make the
/// inputs, and the expectations.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Unique name; for the scenario that proves a code, the code itself (`cert.expired`).
    pub name: &'static str,
    /// What the inputs are.
    pub about: &'static str,
    /// Makes the inputs (certificates are generated afresh on every call).
    pub build: fn() -> CertCase,
    /// What the analysis must report.
    pub expect: Expect,
}

/// What a scenario's report must contain.
///
/// Checked by [`Expect::verify`]: every code in `codes` is present with its expected severity; every warning or
/// error finding has a code from `codes` or `maybe`; the verdict, the certificate layer status and the first
/// broken layer follow from those severities; the trust status is stated (store as the inputs imply, outcome
/// if `trust` is set); facts are present; the report survives a JSON round trip.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// Codes that must be present.
    pub codes: Vec<&'static str>,
    /// Codes that may be present as well: cases where the catalogue leaves open whether a second, consequential
    /// finding is reported.
    pub maybe: Vec<&'static str>,
    /// Severities other than the catalogue default: `(code, Some(severity))`, or `(code, None)` for any.
    pub severities: Vec<(&'static str, Option<Severity>)>,
    /// Required trust outcome.
    pub trust: Option<TrustOutcome>,
    /// `analyze` must return an input error instead of a report.
    pub input_error: bool,
    /// Further checks on the report.
    pub extra: Option<fn(&Report, &CertCase)>,
}

impl Scenario {
    /// A scenario expecting a healthy report, to be refined with the methods below.
    pub fn new(name: &'static str, about: &'static str, build: fn() -> CertCase) -> Self {
        Scenario { name, about, build, expect: Expect::default() }
    }

    /// Codes that must be present.
    pub fn codes(mut self, codes: &[&'static str]) -> Self {
        self.expect.codes.extend_from_slice(codes);
        self
    }

    /// Codes that may be present too.
    pub fn maybe(mut self, codes: &[&'static str]) -> Self {
        self.expect.maybe.extend_from_slice(codes);
        self
    }

    /// `code` must have `severity` instead of the catalogue default.
    pub fn severity(mut self, code: &'static str, severity: Severity) -> Self {
        self.expect.severities.push((code, Some(severity)));
        self
    }

    /// `code` may have any severity.
    pub fn any_severity(mut self, code: &'static str) -> Self {
        self.expect.severities.push((code, None));
        self
    }

    /// The trust outcome must be `outcome`.
    pub fn trust(mut self, outcome: TrustOutcome) -> Self {
        self.expect.trust = Some(outcome);
        self
    }

    /// `analyze` must fail with an input error.
    pub fn input_error(mut self) -> Self {
        self.expect.input_error = true;
        self
    }

    /// Further checks.
    pub fn extra(mut self, check: fn(&Report, &CertCase)) -> Self {
        self.expect.extra = Some(check);
        self
    }

    /// Makes the inputs, runs the analysis and verifies the result; returns the report (None for an expected
    /// input error).
    ///
    /// # Panics
    /// When the result does not meet the expectations; the message names the scenario and lists the findings.
    pub fn run(&self) -> Option<Report> {
        let case = (self.build)();
        let result = case.analyze();
        self.expect.verify(self.name, &case, result)
    }
}

impl Expect {
    /// The severity `code` must have, or None for any.
    fn severity_of(&self, code: &str) -> Option<Severity> {
        match self.severities.iter().find(|(c, _)| *c == code) {
            Some((_, s)) => *s,
            None => {
                Some(codes::lookup(code).unwrap_or_else(|| panic!("{code} is not in the catalogue")).severity)
            }
        }
    }

    /// Checks an analysis result against the expectations (see [`Expect`]); `case` gives the inputs.
    ///
    /// # Panics
    /// When the result does not meet them.
    pub fn verify(&self, name: &str, case: &CertCase, result: Result<Report, InputError>) -> Option<Report> {
        let report = match (result, self.input_error) {
            (Err(_), true) => return None,
            (Ok(r), true) => panic!("{name}: expected an input error, got a report:\n{}", dump(&r)),
            (Err(e), false) => panic!("{name}: unexpected input error: {e}"),
            (Ok(r), false) => r,
        };
        let fail = |what: String| -> ! { panic!("{name}: {what}\n{}", dump(&report)) };
        for f in &report.findings {
            match codes::lookup(&f.code) {
                None => fail(format!("{} is not in the catalogue", f.code)),
                Some(info) if info.layer != f.layer => fail(format!("{} in layer {}", f.code, f.layer)),
                Some(_) if f.layer != Layer::Certificate => {
                    fail(format!("{} outside the certificate layer", f.code))
                }
                Some(_) => {}
            }
        }
        let mut worst = None;
        for code in &self.codes {
            let found: Vec<_> = report.findings.iter().filter(|f| f.code == *code).collect();
            if found.is_empty() {
                fail(format!("missing {code}"));
            }
            if let Some(want) = self.severity_of(code)
                && let Some(f) = found.iter().find(|f| f.severity != want)
            {
                fail(format!("{code} has severity {}, want {}", f.severity.as_str(), want.as_str()));
            }
            worst = worst.max(found.iter().map(|f| f.severity).max());
        }
        for f in &report.findings {
            let listed = self.codes.contains(&f.code.as_str());
            let maybe = self.maybe.contains(&f.code.as_str());
            if f.severity > Severity::Info && !listed && !maybe {
                fail(format!("unexpected {} ({})", f.code, f.severity.as_str()));
            }
            if maybe {
                worst = worst.max(Some(f.severity));
            }
        }
        let (verdict, status) = match worst {
            Some(Severity::Error) => (Verdict::Broken, LayerStatus::Fail),
            Some(Severity::Warning) => (Verdict::Degraded, LayerStatus::Warn),
            _ => (Verdict::Healthy, LayerStatus::Pass),
        };
        if report.verdict != verdict {
            fail(format!("verdict {}, want {}", report.verdict.as_str(), verdict.as_str()));
        }
        if report.layer_status(Layer::Certificate) != Some(status) {
            fail(format!("certificate layer {:?}, want {status:?}", report.layer_status(Layer::Certificate)));
        }
        let broken = (verdict == Verdict::Broken).then_some(Layer::Certificate);
        if report.first_broken_layer != broken {
            fail(format!("first broken layer {:?}, want {broken:?}", report.first_broken_layer));
        }
        let Some(trust) = &report.trust else { fail("no trust status".into()) };
        match (&trust.store, &case.anchors) {
            (TrustStore::Pinned { sha256_fingerprint }, _) if case.pin.is_some() => {
                if case.pin.map(|p| p.to_string()).as_ref() != Some(sha256_fingerprint) {
                    fail(format!("pinned store names {sha256_fingerprint}, not the pin given"));
                }
            }
            (TrustStore::WebPki { anchors }, None) if *anchors > 0 && case.pin.is_none() => {}
            (TrustStore::Custom { anchors, sources }, Some(files)) => {
                let names: BTreeSet<&str> = files.iter().map(|f| f.name.as_str()).collect();
                let got: BTreeSet<&str> = sources.iter().map(String::as_str).collect();
                if *anchors == 0 || names != got {
                    fail(format!("custom store with {anchors} anchors from {sources:?}, want {names:?}"));
                }
            }
            (store, _) => fail(format!("trust store {store:?} does not match the anchors given")),
        }
        if trust.statement.trim().is_empty() {
            fail("empty trust statement".into());
        }
        if trust.overridden {
            fail("trust overridden without --insecure".into());
        }
        if let Some(want) = self.trust
            && trust.outcome != want
        {
            fail(format!("trust {:?}, want {want:?}", trust.outcome));
        }
        if trust.outcome == TrustOutcome::Trusted && trust.anchor.is_none() {
            fail("trusted without naming the anchor".into());
        }
        if report.facts.certificate.is_none() {
            fail("no certificate facts".into());
        }
        let json = serde_json::to_string(&report).expect("report serialises");
        let back: Report =
            serde_json::from_str(&json).unwrap_or_else(|e| fail(format!("JSON round trip: {e}")));
        if back != report {
            fail("JSON round trip changed the report".into());
        }
        if let Some(extra) = self.extra {
            extra(&report, case);
        }
        Some(report)
    }
}

/// The findings of a report, one per line, for failure messages.
pub fn dump(report: &Report) -> String {
    let mut out =
        format!("verdict {} trust {:?}\n", report.verdict.as_str(), report.trust.as_ref().map(|t| t.outcome));
    for f in &report.findings {
        let _ = writeln!(out, "  {} [{}] {}", f.code, f.severity.as_str(), f.summary);
        for e in &f.evidence {
            let _ = writeln!(out, "      {}: {}", e.label, e.value);
        }
    }
    out
}
