//! The TLS stage of the probe: the handshake's outcome with the modern client (rustls), the certificate
//! analysis of the chain it recorded, and, when the handshake fails (or `--tls-scan`), the TLS scan and the
//! plain-RTSP check that name the cause.

use std::time::Duration;

use super::certificate::{self, ChainSource};
use super::connect;
use super::ctx::millis;
use super::scan::{PlainAnswer, PlainCheck, ScanRun};
use super::{AfterScan, ConnId, HandshakeFailure, Probe, Stage, TlsEstablished, TlsScan, VerifierRecord};
use crate::diagnose::codes;
use crate::diagnose::facts::TlsSessionFacts;
use crate::tls::{TlsFacts as TlsScanFacts, scan_findings, server_certificates};
use crate::{Finding, Layer, Severity};

impl Probe {
    pub(super) fn tls_established(&mut self, conn: ConnId, tls: TlsEstablished, started: Duration) {
        let handshake_ms = millis(self.ctx.now.saturating_sub(started));
        self.ctx.record.facts.tls = Some(TlsSessionFacts {
            version: Some(tls.version.clone()),
            cipher_suite: Some(tls.cipher_suite.clone()),
            sni: tls.sni.clone(),
            handshake_ms: Some(handshake_ms),
            failure: None,
            client_certificate: self.ctx.config.client_certificate,
            client_certificate_requested: tls.client_cert_requested,
            scan: None,
            legacy: None,
        });
        self.ctx.layer_done(Layer::Tls, format!("{} {}", tls.version, tls.cipher_suite));
        let host = self.ctx.tls_name(&self.url.host().to_string());
        certificate::assess(&mut self.ctx, &tls.verifier, &host, ChainSource::Handshake);
        self.certificate_layer_done();
        let without_cert = tls.client_cert_requested && !self.ctx.config.client_certificate;
        self.start_session(conn, true, without_cert);
    }

    pub(super) fn certificate_layer_done(&mut self) {
        let passed = self
            .ctx
            .record
            .trust
            .as_ref()
            .map_or_else(|| "certificate checked".to_owned(), |t| t.statement.clone());
        self.ctx.layer_done(Layer::Certificate, passed);
    }

    pub(super) fn tls_failed(&mut self, failure: HandshakeFailure, verifier: Option<VerifierRecord>) {
        let host = self.ctx.tls_name(&self.url.host().to_string());
        if let Some(record) = &verifier {
            certificate::assess(&mut self.ctx, record, &host, ChainSource::Handshake);
        }
        if failure == HandshakeFailure::Certificate {
            let facts = self.ctx.record.facts.tls.get_or_insert_with(TlsSessionFacts::default);
            facts.failure = Some("the certificate failed verification; the handshake was aborted".to_owned());
            facts.client_certificate = self.ctx.config.client_certificate;
            self.ctx.layer_done(Layer::Tls, "handshake completed up to the certificate check");
            self.certificate_layer_done();
            match self.ctx.config.tls_scan {
                TlsScan::Always => self.start_scan(AfterScan::Finish),
                TlsScan::OnFailure => self.finish(),
            }
            return;
        }
        let plain_check = matches!(
            failure,
            HandshakeFailure::Closed
                | HandshakeFailure::Reset
                | HandshakeFailure::NotTls(_)
                | HandshakeFailure::Other(_)
        );
        let finding = connect::handshake_failed(&failure, self.ctx.config.client_certificate);
        self.tls_failed_with(finding, failure, plain_check);
    }

    pub(super) fn tls_failed_with(
        &mut self,
        finding: Option<Finding>,
        failure: HandshakeFailure,
        plain_check: bool,
    ) {
        let facts = self.ctx.record.facts.tls.get_or_insert_with(TlsSessionFacts::default);
        facts.failure = Some(finding.as_ref().map_or_else(|| failure.to_string(), |f| f.summary.clone()));
        facts.client_certificate = self.ctx.config.client_certificate;
        self.pending_tls_finding = finding;
        self.start_scan(if plain_check { AfterScan::PlainCheck } else { AfterScan::Finish });
    }

    pub(super) fn start_scan(&mut self, then: AfterScan) {
        self.ctx.step(Layer::Tls, "scanning which TLS versions and cipher suites the server accepts");
        let (host, port) = (self.url.host().to_string(), self.port());
        let run = ScanRun::start(&mut self.ctx, &host, port);
        self.stage = Stage::Scan { run: Box::new(run), then };
    }

    pub(super) fn scan_done(&mut self, then: AfterScan) {
        let Stage::Scan { run, .. } = std::mem::replace(&mut self.stage, Stage::Finished) else { return };
        let attempts = run.plan().attempts();
        let mut findings = scan_findings(attempts);
        let mut facts = TlsScanFacts::from_attempts(attempts);
        facts.duration_ms = run.duration().map(millis);
        // Legacy TLS helps when what a modern client offers was refused and something else was accepted.
        let legacy_only = attempts.iter().filter(|a| a.offer.is_modern()).all(|a| a.accepted().is_none())
            && attempts.iter().any(|a| a.accepted().is_some());
        let summary = if facts.versions.is_empty() {
            "the scan found no TLS version the server accepts".to_owned()
        } else {
            format!("the server accepts {}", facts.versions.join(", "))
        };
        self.ctx.step(Layer::Tls, summary);
        if let Some(why) = run.aborted() {
            self.ctx.step(Layer::Tls, format!("TLS scan incomplete: {why}"));
        }
        self.ctx.record.facts.tls.get_or_insert_with(TlsSessionFacts::default).scan = Some(facts);
        // The scan sees a TLS 1.2 CertificateRequest but not whether a missing certificate is fatal; the
        // modern client's failed handshake, without a certificate, shows that it is.
        let handshake_failed = self.pending_tls_finding.is_some();
        if handshake_failed
            && !self.ctx.config.client_certificate
            && let Some(f) = findings.iter_mut().find(|f| f.code == codes::TLS_CLIENT_CERT_REQUIRED.code)
        {
            f.severity = Severity::Error;
            f.detail =
                "The server asked for a client certificate, and the handshake of a client without one \
                        failed: the certificate is required."
                    .to_owned();
        }
        let legacy = self.legacy_applies(handshake_failed, legacy_only);
        if handshake_failed && legacy_only && !self.ctx.config.legacy_tls {
            // Say how to see the rest, on the finding that explains the failure.
            if let Some(f) = findings.iter_mut().find(|f| f.severity == Severity::Error) {
                f.remediation.push_str(
                    " To diagnose RTSP, authentication and media on this camera anyway, rerun with `--legacy-tls` \
                     (a legacy-capable TLS client; the TLS layer stays failed).",
                );
            }
        }
        // The modern client's own failure, unless the scan explains the TLS layer's failure better.
        if let Some(f) = self.pending_tls_finding.take() {
            let explained = findings.iter().any(|s| s.severity == Severity::Error);
            let same = findings.iter().any(|s| s.code == f.code);
            if !explained && !same {
                findings.push(f);
            }
        }
        self.ctx.findings(findings);
        if !self.ctx.record.is_reached(Layer::Certificate)
            && let Some(chain) = server_certificates(attempts)
        {
            let record = VerifierRecord { chain: chain.to_vec(), error: None, overridden: false };
            let host = self.ctx.tls_name(&self.url.host().to_string());
            certificate::assess(&mut self.ctx, &record, &host, ChainSource::Scan);
            self.certificate_layer_done();
        }
        self.ctx.layer_done(Layer::Tls, "");
        if legacy {
            self.start_legacy();
            return;
        }
        match then {
            AfterScan::PlainCheck => {
                self.ctx.step(Layer::Tls, "checking whether the port answers plain RTSP");
                let (host, port) = (self.url.host().to_string(), self.port());
                let check = PlainCheck::start(&mut self.ctx, &host, port);
                self.stage = Stage::PlainCheck(check);
            }
            AfterScan::Finish => self.finish(),
        }
    }

    /// The plain-RTSP check's answer: the port speaking plain RTSP is the diagnosis.
    pub(super) fn plain_checked(&mut self, answer: &PlainAnswer) {
        let (evidence, what) = match answer {
            PlainAnswer::Rtsp(line) => (line.clone(), "plain RTSP"),
            PlainAnswer::Http(line) => (line.clone(), "HTTP"),
            PlainAnswer::Other(_) | PlainAnswer::Nothing => {
                self.ctx.step(Layer::Tls, "the port does not answer plain RTSP either");
                return;
            }
        };
        let summary = format!(
            "port {} speaks {what}, not TLS: a fresh connection's OPTIONS was answered in clear",
            self.port()
        );
        let evidence = crate::rtsp::url::redact_text(&evidence).into_owned();
        match self.ctx.record.find_mut(codes::TLS_NOT_TLS.code) {
            Some(existing) => {
                existing
                    .evidence
                    .push(crate::Evidence { label: "plain_options_answer".into(), value: evidence });
            }
            None => {
                let f = Finding::new(codes::TLS_NOT_TLS, summary)
                    .with_evidence("plain_options_answer", evidence)
                    .with_detail("RTSPS is likely switched off on the camera while the URL says rtsps://.");
                self.ctx.finding(f);
            }
        }
        // The TLS failure's other findings (reset, silence) are the symptom; this is the cause.
        self.ctx.layer_done(Layer::Tls, "");
    }
}
