//! What the probe has learned so far: findings, the layers it reached, and the facts. The statuses shown
//! while the probe runs are derived exactly as the final report derives them, so the progress lines can
//! never disagree with the report.

use crate::diagnose::{Facts, ReportBuilder, TrustStatus};
use crate::{Finding, Layer, LayerStatus, Report, Severity};

/// Findings and reached layers, in discovery order.
#[derive(Debug, Default)]
pub(crate) struct Record {
    findings: Vec<Finding>,
    reached: Vec<Layer>,
    pub(crate) facts: Facts,
    pub(crate) trust: Option<TrustStatus>,
}

impl Record {
    pub(crate) fn reach(&mut self, layer: Layer) {
        if !self.reached.contains(&layer) {
            self.reached.push(layer);
        }
    }

    pub(crate) fn is_reached(&self, layer: Layer) -> bool {
        self.reached.contains(&layer)
    }

    pub(crate) fn push(&mut self, finding: Finding) {
        self.reach(finding.layer);
        self.findings.push(finding);
    }

    /// The finding with `code`, to add evidence to it.
    pub(crate) fn find_mut(&mut self, code: &str) -> Option<&mut Finding> {
        self.findings.iter_mut().find(|f| f.code == code)
    }

    /// Whether `layer` has an error finding.
    pub(crate) fn failed(&self, layer: Layer) -> bool {
        self.worst(layer) == Some(Severity::Error)
    }

    fn worst(&self, layer: Layer) -> Option<Severity> {
        self.findings.iter().filter(|f| f.layer == layer).map(|f| f.severity).max()
    }

    /// The status `layer` has now (the rule of [`ReportBuilder::finish`]).
    pub(crate) fn status(&self, layer: Layer) -> LayerStatus {
        if !self.is_reached(layer) {
            return LayerStatus::NotReached;
        }
        match self.worst(layer) {
            Some(Severity::Error) => LayerStatus::Fail,
            Some(Severity::Warning) => LayerStatus::Warn,
            Some(Severity::Info) | None => LayerStatus::Pass,
        }
    }

    /// The summary line of `layer`'s worst finding, if it has one above info.
    pub(crate) fn worst_summary(&self, layer: Layer) -> Option<&str> {
        let worst = self.worst(layer).filter(|s| *s > Severity::Info)?;
        self.findings.iter().find(|f| f.layer == layer && f.severity == worst).map(|f| f.summary.as_str())
    }

    /// The final report about `target`, covering `scope`.
    pub(crate) fn finish(self, target: String, scope: &[Layer]) -> Report {
        let mut builder = ReportBuilder::new(target, scope);
        for layer in &self.reached {
            builder.reached(*layer);
        }
        builder.extend(self.findings);
        if let Some(trust) = self.trust {
            builder.trust(trust);
        }
        *builder.facts_mut() = self.facts;
        let mut report = builder.finish();
        report.clients = crate::clients::assess(&report);
        report
    }
}
