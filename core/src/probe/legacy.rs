//! Finishing the chain through legacy TLS (`--legacy-tls`): when the modern client (rustls) cannot connect
//! because the camera offers only what rustls refuses (TLS 1.0/1.1, RSA key exchange, CBC), and the TLS scan
//! showed what it accepts, the probe reconnects with the driver's legacy-capable client
//! ([`ConnectTls::Legacy`]) and diagnoses RTSP, auth, SDP, transport, RTP, RTCP and codec over it. The TLS
//! layer keeps its failure (strict clients still cannot connect, and the client verdicts say which can), so
//! the verdict is never healthy.

use std::time::Duration;

use super::certificate::{self, ChainSource};
use super::ctx::millis;
use super::{ConnId, ConnectTls, Probe, Stage, TlsEstablished};
use crate::Layer;
use crate::diagnose::facts::{LegacySessionFacts, TlsSessionFacts};

impl Probe {
    /// Whether to go on over legacy TLS after the scan: asked for, the modern handshake failed, and the scan
    /// showed the server refuses what modern clients offer but accepts something else.
    pub(super) fn legacy_applies(&self, handshake_failed: bool, legacy_only: bool) -> bool {
        self.ctx.config.legacy_tls && handshake_failed && legacy_only && !self.interrupted
    }

    /// Connects again with the legacy-capable client.
    pub(super) fn start_legacy(&mut self) {
        let (host, port) = (self.url.host().to_string(), self.port());
        self.ctx.step(
            Layer::Tls,
            "--legacy-tls: reconnecting with a legacy-capable TLS client (OpenSSL, security level 0) to test the \
             layers above TLS; the TLS layer stays failed",
        );
        let conn = self.ctx.connect(&host, port, ConnectTls::Legacy);
        let started = self.ctx.now;
        self.stage = Stage::Legacy { conn, started, deadline: started + self.ctx.config.step_timeout * 2 };
    }

    /// The legacy handshake completed: analyse the chain if nothing did yet, and start the session.
    pub(super) fn legacy_established(&mut self, conn: ConnId, tls: TlsEstablished, started: Duration) {
        let facts = LegacySessionFacts {
            client: tls.client.clone().unwrap_or_else(|| "legacy TLS client".to_owned()),
            version: tls.version.clone(),
            cipher_suite: tls.cipher_suite.clone(),
            handshake_ms: millis(self.ctx.now.saturating_sub(started)),
        };
        self.ctx.step(
            Layer::Tls,
            format!(
                "connected over {} with {} {}: continuing the diagnosis (modern clients still cannot connect)",
                facts.client, facts.version, facts.cipher_suite
            ),
        );
        self.ctx.record.facts.tls.get_or_insert_with(TlsSessionFacts::default).legacy = Some(facts);
        if !self.ctx.record.is_reached(Layer::Certificate) && !tls.verifier.chain.is_empty() {
            let host = self.ctx.tls_name(&self.url.host().to_string());
            certificate::assess(&mut self.ctx, &tls.verifier, &host, ChainSource::Legacy);
            self.certificate_layer_done();
        }
        self.start_session(conn, true, false);
    }

    /// The legacy connection failed too: report what is known.
    pub(super) fn legacy_failed(&mut self, conn: ConnId, why: &str) {
        self.ctx.close(conn);
        self.ctx.step(Layer::Tls, format!("the legacy TLS client could not connect either: {why}"));
        self.finish();
    }
}
