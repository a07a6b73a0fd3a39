//! The server's certificate chain, as the TLS client received it (or as a TLS <= 1.2 handshake showed it in
//! clear), through the offline certificate analysis: every defect, not only the verifier's first error.

use super::ctx::Ctx;
use super::io::VerifierRecord;
use crate::cert::{self, CertCheck, InputFile};
use crate::diagnose::codes;
use crate::{Finding, Layer, Severity, TrustOutcome};

/// Where the chain came from, for the report's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChainSource {
    /// The handshake with the modern client (rustls), whose verifier recorded it.
    Handshake,
    /// A TLS <= 1.2 ServerHello flight read by the TLS scan.
    Scan,
    /// The legacy-capable TLS client's handshake (`--legacy-tls`).
    Legacy,
}

/// Analyses `record.chain` for `host` and records the certificate layer: findings, trust status and facts.
/// The verifier's verdict is kept beside the analysis: if rustls refused a chain for a reason the analysis
/// does not name, that is a finding of its own (`cert.verification_failed`).
pub(crate) fn assess(ctx: &mut Ctx, record: &VerifierRecord, host: &str, source: ChainSource) {
    ctx.record.reach(Layer::Certificate);
    if record.chain.is_empty() {
        ctx.step(Layer::Certificate, "the server sent no certificate");
        return;
    }
    let chain: Vec<u8> = record.chain.concat();
    let name = match source {
        ChainSource::Handshake => "server chain (TLS handshake)",
        ChainSource::Scan => "server chain (read in clear by the TLS scan)",
        ChainSource::Legacy => "server chain (legacy TLS handshake)",
    };
    let files = [InputFile { name, bytes: &chain }];
    let anchor_files: Option<Vec<InputFile<'_>>> = ctx
        .config
        .anchors
        .as_ref()
        .map(|anchors| anchors.iter().map(|a| InputFile { name: &a.name, bytes: &a.bytes }).collect());
    let mut check = CertCheck::new(&files, ctx.config.now).host(host);
    if let Some(anchors) = &anchor_files {
        check = check.anchors(anchors);
        if let Some(store) = &ctx.config.system_store {
            check = check.system_store(&store.source, store.web_pki_too);
        }
    }
    if let Some(pin) = ctx.config.pin {
        check = check.pin(pin);
    }
    let report = match cert::analyze(&check) {
        Ok(report) => report,
        Err(e) => {
            ctx.finding(
                Finding::new(
                    codes::CERT_PARSE_ERROR,
                    format!("the server's certificate cannot be read: {e}"),
                )
                .with_evidence("source", name),
            );
            return;
        }
    };
    // Under a pin the verifier's refusal was about the chain, which the pin replaces (a wrong leaf is
    // `cert.pin_mismatch`).
    let pinned = ctx.config.pin.is_some();
    let analysis_failed =
        report.findings.iter().any(|f| f.layer == Layer::Certificate && f.severity == Severity::Error);
    ctx.findings(report.findings.into_iter().filter(|f| f.layer == Layer::Certificate));
    if let (Some(error), false, false) = (&record.error, analysis_failed, pinned) {
        ctx.finding(
            Finding::new(codes::CERT_VERIFICATION_FAILED, format!("rustls refused the certificate: {error}"))
                .with_evidence("verifier_error", error.clone()),
        );
    }
    if let Some(mut trust) = report.trust {
        trust.overridden = record.overridden;
        if record.overridden {
            trust.statement.push_str(
                " The handshake continued only because --insecure was given: strict clients stop here.",
            );
        }
        if let (Some(error), TrustOutcome::Trusted, false) = (&record.error, trust.outcome, pinned) {
            trust.statement.push_str(&format!(" rustls nevertheless refused it: {error}."));
        }
        ctx.record.trust = Some(trust);
    }
    ctx.record.facts.certificate = report.facts.certificate;
}
