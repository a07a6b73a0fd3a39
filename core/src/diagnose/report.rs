//! The report: per-layer status, findings, first broken layer, verdict, trust status and facts.

use serde::{Deserialize, Serialize};

use super::facts::{
    AuthFacts, ConnectionFacts, MediaSecurity, PortFacts, RtspFacts, TlsSessionFacts, TrackFacts,
};
use super::finding::{Finding, Layer, Severity};
use crate::cert::CertificateFacts;
use crate::sdp::SdpFacts;

/// Version of the JSON report schema (`docs/report-schema.md`). Bumped only on incompatible changes; adding an
/// optional field or a new finding code is not one.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// Outcome of one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerStatus {
    /// Assessed, nothing worse than info.
    Pass,
    /// Assessed, at least one warning.
    Warn,
    /// Assessed, at least one error: a strict client fails here.
    Fail,
    /// Never assessed because an earlier layer failed (or the run stopped before it).
    NotReached,
}

/// Overall judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every assessed layer passed.
    Healthy,
    /// Nothing failed but there are warnings.
    Degraded,
    /// At least one layer failed.
    Broken,
}

impl Verdict {
    /// The conventional process exit status: 0 healthy, 1 degraded, 2 broken.
    pub const fn exit_code(self) -> i32 {
        match self {
            Verdict::Healthy => 0,
            Verdict::Degraded => 1,
            Verdict::Broken => 2,
        }
    }

    /// The lowercase name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Degraded => "degraded",
            Verdict::Broken => "broken",
        }
    }
}

/// Status of one layer, in chain order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerResult {
    /// Which layer.
    #[serde(rename = "name")]
    pub layer: Layer,
    /// Its outcome.
    pub status: LayerStatus,
}

/// Which trust anchors a certificate was judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrustStore {
    /// The public web PKI (Mozilla's root program, as shipped in `webpki-roots`).
    WebPki {
        /// Number of roots.
        anchors: usize,
    },
    /// Anchors the user supplied (`--ca`); the public web PKI is then not used.
    Custom {
        /// Number of anchor certificates.
        anchors: usize,
        /// Where they came from (file names).
        sources: Vec<String>,
    },
    /// The operating system's trust store as the native side read it (`--trust system`), and with `web_pki`
    /// the public web PKI too (`--trust both`): what OpenSSL, GnuTLS, FFmpeg and GStreamer use by default.
    System {
        /// Number of certificates read from the system store.
        anchors: usize,
        /// Where they were read (the bundle file or directory).
        source: String,
        /// Number of web PKI roots added (`--trust both`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        web_pki: Option<usize>,
    },
    /// Exactly one certificate, by its SHA-256 fingerprint (`--pin`, an inventory's `fingerprint`): chain and
    /// anchors do not decide trust.
    Pinned {
        /// The pinned fingerprint, colon-separated uppercase hex.
        sha256_fingerprint: String,
    },
}

/// Whether the certificate chain leads to a trusted anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustOutcome {
    /// A verified path reaches an anchor of the store.
    Trusted,
    /// No verified path reaches an anchor of the store.
    Untrusted,
    /// Trust could not be evaluated: a signature on the path uses an algorithm rtspeek cannot verify (or there
    /// was no certificate to evaluate).
    NotEvaluated,
}

/// The certificate trust status, always stated explicitly: rtspeek never silently skips verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustStatus {
    /// The anchors used.
    pub store: TrustStore,
    /// The outcome.
    pub outcome: TrustOutcome,
    /// Subject of the anchor the chain ends at, when trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// True when the user chose to continue past an untrusted certificate (`--insecure`). The certificate layer
    /// still fails in that case.
    #[serde(default)]
    pub overridden: bool,
    /// One sentence for people: what was checked against what, and the result.
    pub statement: String,
}

/// Observed facts, even when nothing is wrong. One optional section per layer family.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Ports tried by port discovery (`rtspeek probe HOST`) and what each answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortFacts>,
    /// Where a live probe connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<ConnectionFacts>,
    /// The TLS session (version, cipher suite, SNI) and the TLS scan, if one ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSessionFacts>,
    /// Certificate chain, key and name facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateFacts>,
    /// The RTSP conversation: server, methods, exchanges, session timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtsp: Option<RtspFacts>,
    /// Authentication: challenges offered, what was answered, how common clients fare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthFacts>,
    /// Session description facts: media, codecs, control URLs, picture size from the SPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp: Option<SdpFacts>,
    /// The media tracks set up: transport, RTP statistics, codec facts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<TrackFacts>,
    /// How the media was protected (cleartext, inside TLS, SRTP and how its keys travelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_security: Option<MediaSecurity>,
    /// The packet capture the probe wrote (`--capture`), when asked for: where, how much, and that it holds
    /// secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<crate::capture::CaptureFact>,
    /// Whether the user interrupted the probe (what follows the interruption was not assessed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// A complete diagnosis. See `docs/report-schema.md` for the JSON form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// What was examined (file names, or a URL with credentials redacted).
    pub target: String,
    /// Overall judgement.
    pub verdict: Verdict,
    /// The first layer, in chain order, whose status is `fail`.
    pub first_broken_layer: Option<Layer>,
    /// The layers in scope, in chain order.
    pub layers: Vec<LayerResult>,
    /// Every finding, grouped by layer in chain order, most severe first within a layer.
    pub findings: Vec<Finding>,
    /// Certificate trust status, when certificates were examined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<TrustStatus>,
    /// Facts gathered.
    #[serde(default)]
    pub facts: Facts,
    /// How each common client fares with what was observed (live probes and certificate checks; see
    /// [`crate::clients`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<crate::clients::ClientVerdict>,
}

impl Report {
    /// Status of `layer`, if it is in scope.
    pub fn layer_status(&self, layer: Layer) -> Option<LayerStatus> {
        self.layers.iter().find(|l| l.layer == layer).map(|l| l.status)
    }

    /// Whether any finding carries `code`.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The findings of one layer.
    pub fn findings_for(&self, layer: Layer) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.layer == layer)
    }

    /// The report with `findings` added, and the statuses, first broken layer, verdict and client verdicts
    /// derived again, so that they cannot disagree: for findings only the caller can make (an audit's
    /// "certificate changed since the last run").
    #[must_use]
    pub fn amend(self, findings: impl IntoIterator<Item = Finding>) -> Report {
        let Report { target, layers, findings: old, trust, facts, clients, .. } = self;
        let scope: Vec<Layer> = layers.iter().map(|l| l.layer).collect();
        let mut builder = ReportBuilder::new(target, &scope);
        for l in layers.iter().filter(|l| l.status != LayerStatus::NotReached) {
            builder.reached(l.layer);
        }
        builder.findings = old;
        builder.extend(findings);
        builder.trust = trust;
        builder.facts = facts;
        let mut report = builder.finish();
        if !clients.is_empty() {
            report.clients = crate::clients::assess(&report);
        }
        report
    }
}

/// Collects findings, then derives statuses, the first broken layer and the verdict, so that these can never
/// disagree with the findings.
#[derive(Debug)]
pub struct ReportBuilder {
    target: String,
    scope: Vec<Layer>,
    reached: Vec<Layer>,
    findings: Vec<Finding>,
    trust: Option<TrustStatus>,
    facts: Facts,
}

impl ReportBuilder {
    /// A report about `target` covering the layers in `scope` (their order does not matter).
    pub fn new(target: impl Into<String>, scope: &[Layer]) -> Self {
        let mut scope = scope.to_vec();
        scope.sort();
        scope.dedup();
        ReportBuilder {
            target: target.into(),
            scope,
            reached: Vec::new(),
            findings: Vec::new(),
            trust: None,
            facts: Facts::default(),
        }
    }

    /// Marks `layer` as assessed. Layers in scope that are never reached come out `not_reached`.
    pub fn reached(&mut self, layer: Layer) -> &mut Self {
        if !self.reached.contains(&layer) {
            self.reached.push(layer);
        }
        self
    }

    /// Adds a finding (and marks its layer reached).
    pub fn push(&mut self, finding: Finding) -> &mut Self {
        self.reached(finding.layer);
        self.findings.push(finding);
        self
    }

    /// Adds several findings.
    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) -> &mut Self {
        for f in findings {
            self.push(f);
        }
        self
    }

    /// Sets the trust status.
    pub fn trust(&mut self, trust: TrustStatus) -> &mut Self {
        self.trust = Some(trust);
        self
    }

    /// Mutable access to the facts section.
    pub fn facts_mut(&mut self) -> &mut Facts {
        &mut self.facts
    }

    /// Derives statuses and the verdict.
    pub fn finish(self) -> Report {
        let ReportBuilder { target, mut scope, reached, mut findings, trust, facts } = self;
        for f in &findings {
            if !scope.contains(&f.layer) {
                scope.push(f.layer);
            }
        }
        scope.sort();
        // Chain order first, then the worst first; stable so that equal findings keep discovery order.
        findings.sort_by(|a, b| a.layer.cmp(&b.layer).then(b.severity.cmp(&a.severity)));
        let layers: Vec<LayerResult> = scope
            .iter()
            .map(|&layer| {
                let status = if !reached.contains(&layer) {
                    LayerStatus::NotReached
                } else {
                    match findings.iter().filter(|f| f.layer == layer).map(|f| f.severity).max() {
                        Some(Severity::Error) => LayerStatus::Fail,
                        Some(Severity::Warning) => LayerStatus::Warn,
                        Some(Severity::Info) | None => LayerStatus::Pass,
                    }
                };
                LayerResult { layer, status }
            })
            .collect();
        let first_broken_layer = layers.iter().find(|l| l.status == LayerStatus::Fail).map(|l| l.layer);
        let verdict = if first_broken_layer.is_some() {
            Verdict::Broken
        } else if layers.iter().any(|l| l.status == LayerStatus::Warn) {
            Verdict::Degraded
        } else if layers.iter().any(|l| l.status == LayerStatus::NotReached) {
            // A run that stopped before reaching a layer in scope cannot vouch for it.
            Verdict::Degraded
        } else {
            Verdict::Healthy
        };
        // An overridden trust decision (--insecure) can never give a healthy verdict.
        let verdict = match (&trust, verdict) {
            (Some(t), Verdict::Healthy) if t.overridden => Verdict::Broken,
            (_, v) => v,
        };
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            target,
            verdict,
            first_broken_layer,
            layers,
            findings,
            trust,
            facts,
            clients: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::codes;

    #[test]
    fn amend_derives_statuses_and_verdict_again() {
        let mut builder =
            ReportBuilder::new("rtsps://cam/live", &[Layer::Tcp, Layer::Certificate, Layer::Rtsp]);
        builder.reached(Layer::Tcp).reached(Layer::Certificate);
        let report = builder.finish();
        assert_eq!(report.verdict, Verdict::Degraded, "RTSP not reached");

        let changed = Finding::new(codes::CERT_FINGERPRINT_CHANGED, "changed");
        let amended = report.clone().amend([changed]);
        assert_eq!(amended.layer_status(Layer::Certificate), Some(LayerStatus::Warn));
        assert_eq!(amended.layer_status(Layer::Rtsp), Some(LayerStatus::NotReached), "reach is kept");
        assert_eq!(amended.verdict, Verdict::Degraded);

        let broken = report.amend([Finding::new(codes::CERT_PIN_MISMATCH, "not the pinned one")]);
        assert_eq!((broken.verdict, broken.first_broken_layer), (Verdict::Broken, Some(Layer::Certificate)));
    }
}
