//! Running the real probe driver against a third-party peer on loopback: bounded, with every event kept, and
//! a readable dump of the report for assertion messages.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use rtspeek_bridge::probe;
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::codec::{Codec, CodecSummary};
use rtspeek_core::probe::{Direction, NamedBytes, ProbeConfig, ProbeEvent};
use rtspeek_core::rtsp::Url;
use rtspeek_core::{Layer, LayerStatus, Report};
use rtspeek_tests::pki::{Cert, wall_clock};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Bound on each network step of a probe: loopback peers answer in milliseconds.
pub(crate) const STEP_TIMEOUT: Duration = Duration::from_secs(3);

/// Bound on a whole probe, far below the probe's own overall bound: a probe that reaches it has hung.
pub(crate) const PROBE_BOUND: Duration = Duration::from_secs(30);

/// A server certificate for 127.0.0.1 and localhost, issued by `issuer` (self-signed without one).
pub(crate) fn loopback_leaf(issuer: Option<&Cert>) -> Cert {
    let builder = match issuer {
        Some(issuer) => issuer.leaf(),
        None => Cert::self_signed_leaf(),
    };
    builder.dns(["localhost"]).ip(["127.0.0.1"]).valid_now().build()
}

/// The certificate in the form rustls takes.
pub(crate) fn der(cert: &Cert) -> CertificateDer<'static> {
    CertificateDer::from(cert.cert_der().to_vec())
}

/// The private key in the form rustls takes.
pub(crate) fn key(cert: &Cert) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_der().to_vec()))
}

/// A probe configuration for `url`: short steps, media until the first decodable picture, the real clock and
/// fresh random bytes.
pub(crate) fn config(url: &str) -> ProbeConfig {
    let url = Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let mut seed = [0u8; 32];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut seed)
        .expect("the system random generator works");
    let mut config = ProbeConfig::new(url, wall_clock(), seed);
    config.step_timeout = STEP_TIMEOUT;
    config.media_window = Duration::ZERO;
    config
}

/// Trusts `root` on both sides, as `--ca root.pem` does: the report's trust statement (PEM, named) and the
/// TLS client (DER).
pub(crate) fn trust(config: &mut ProbeConfig, tls: &mut TlsOptions, root: &Cert) {
    config.anchors = Some(vec![NamedBytes { name: "root.pem".into(), bytes: root.cert_pem().into_bytes() }]);
    tls.anchors = Some(vec![der(root)]);
}

/// Continues past an untrusted certificate on both sides, as `--insecure` does.
pub(crate) fn insecure(config: &mut ProbeConfig, tls: &mut TlsOptions) {
    config.insecure = true;
    tls.insecure = true;
}

/// A finished probe: the report and every event the sink received.
pub(crate) struct Run {
    /// Which probe this was, for messages.
    pub(crate) name: &'static str,
    /// The report.
    pub(crate) report: Report,
    /// The events, in order.
    pub(crate) events: Vec<ProbeEvent>,
}

/// Runs the real driver to the end, with a recording sink and no stop signal, and fails the test if it does
/// not finish within [`PROBE_BOUND`] or refuses its TLS options.
pub(crate) async fn probe(name: &'static str, config: ProbeConfig, tls: TlsOptions) -> Run {
    let mut events = Vec::new();
    let mut sink = |event: &ProbeEvent| events.push(event.clone());
    let run = probe::run(config, &tls, &mut sink, std::future::pending());
    let report = match tokio::time::timeout(PROBE_BOUND, run).await {
        Ok(Ok(report)) => report,
        Ok(Err(e)) => panic!("{name}: the driver refused its TLS options: {e}"),
        Err(_) => panic!("{name}: the probe did not finish within {PROBE_BOUND:?}"),
    };
    Run { name, report, events }
}

/// Runs `future` on a fresh single-threaded runtime (peers are started before, outside it: their launchers
/// block while waiting for the readiness line).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

impl Run {
    /// Whether a finding carries `code`.
    pub(crate) fn has(&self, code: &str) -> bool {
        self.report.has(code)
    }

    /// The status of `layer` (panics if it is not in the report's scope).
    pub(crate) fn status(&self, layer: Layer) -> LayerStatus {
        self.report
            .layer_status(layer)
            .unwrap_or_else(|| panic!("{}: {layer} not in scope\n{self}", self.name))
    }

    /// The first track's codec facts.
    pub(crate) fn codec(&self) -> Option<&CodecSummary> {
        self.report.facts.tracks.first().and_then(|t| t.codec.as_ref())
    }

    /// The first track's codec and picture size from its SPS.
    pub(crate) fn picture(&self) -> Option<(Codec, u32, u32)> {
        let codec = self.codec()?;
        codec.sps.as_ref().map(|sps| (codec.codec, sps.width, sps.height))
    }

    /// The report and every event as JSON, which is what leaves rtspeek (CLI, WebSocket, files).
    pub(crate) fn everything_shown(&self) -> String {
        let report = serde_json::to_string(&self.report).expect("the report serialises");
        let events = serde_json::to_string(&self.events).expect("the events serialise");
        format!("{report}\n{events}")
    }

    /// The `Authorization` header lines of the requests sent, as the transcript events show them.
    pub(crate) fn authorization_lines(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ProbeEvent::Transcript { direction: Direction::Sent, text, .. } => Some(text.lines()),
                _ => None,
            })
            .flatten()
            .filter(|line| line.to_ascii_lowercase().starts_with("authorization:"))
            .collect()
    }

    /// Asserts the standard shape of a probe that went all the way: nothing failed and media decoded.
    pub(crate) fn assert_media_verified(&self) {
        for layer in [Layer::Rtsp, Layer::Sdp, Layer::Transport, Layer::Rtp, Layer::Codec] {
            assert!(
                matches!(self.status(layer), LayerStatus::Pass | LayerStatus::Warn),
                "{}: {layer} should be assessed without failing\n{self}",
                self.name
            );
        }
        for layer in [Layer::Rtp, Layer::Codec] {
            assert_eq!(self.status(layer), LayerStatus::Pass, "{}: {layer}\n{self}", self.name);
        }
    }
}

/// Verdict, layers, findings and the facts the tests look at: what a failing assertion needs to show, and
/// what a probe bug report needs.
impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.report;
        writeln!(f, "--- report of `{}` ({}) ---", self.name, r.target)?;
        writeln!(f, "verdict {:?}, first broken layer {:?}", r.verdict, r.first_broken_layer)?;
        let layers: Vec<String> = r.layers.iter().map(|l| format!("{}={:?}", l.layer, l.status)).collect();
        writeln!(f, "layers: {}", layers.join(" "))?;
        for finding in &r.findings {
            writeln!(
                f,
                "  [{:?}] {} ({}): {}",
                finding.severity, finding.code, finding.layer, finding.summary
            )?;
        }
        if let Some(tls) = &r.facts.tls {
            writeln!(f, "tls: version {:?}, failure {:?}, scan {:?}", tls.version, tls.failure, tls.scan)?;
        }
        if let Some(trust) = &r.trust {
            writeln!(f, "trust: {:?}, overridden {}: {}", trust.outcome, trust.overridden, trust.statement)?;
        }
        if let Some(auth) = &r.facts.auth {
            writeln!(f, "auth: outcome {}, chosen {}", auth.outcome, auth.chosen)?;
        }
        for track in &r.facts.tracks {
            let rtp = track.rtp.as_ref().map(|s| s.rtp_packets);
            let sps =
                track.codec.as_ref().and_then(|c| c.sps.as_ref()).map(|s| (&s.codec, s.width, s.height));
            writeln!(
                f,
                "track {} over {}: rtp packets {rtp:?}, sps {sps:?}",
                track.control, track.carried_over
            )?;
        }
        write!(f, "---")
    }
}
