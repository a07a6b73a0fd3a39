//! From a TLS scan (several ClientHellos, each with the server's answer) to findings and facts: which versions
//! and suites the server accepts, what it refuses and how, and what that means for modern clients.
//!
//! The judgement is about clients like rustls and current browsers: TLS 1.2+ and forward-secret AEAD suites.
//! Refusals are expected while scanning (a TLS 1.2 server rightly refuses a TLS 1.0-only offer); they become
//! findings only when nothing was accepted, or when the offers a modern client makes were refused.

use serde::{Deserialize, Serialize};

use super::alerts::{Alert, AlertDescription};
use super::client_hello::ClientHelloConfig;
use super::flight::{FlightEnd, HelloFlight, ServerFlight};
use super::server_messages::KeyExchangeParams;
use super::sniff::{LooksLike, escape_bytes};
use super::suites::CipherSuite;
use super::version::ProtocolVersion;
use crate::diagnose::Finding;
use crate::diagnose::codes;

/// What one ClientHello offered, as far as judging the answer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// Lowest version offered.
    pub min_version: ProtocolVersion,
    /// Highest version offered.
    pub max_version: ProtocolVersion,
    /// Cipher suites offered.
    pub suites: Vec<CipherSuite>,
}

impl From<&ClientHelloConfig> for Offer {
    fn from(config: &ClientHelloConfig) -> Self {
        Offer {
            min_version: config.min_version,
            max_version: config.max_version,
            suites: config.cipher_suites.clone(),
        }
    }
}

impl Offer {
    /// An offer like a modern client's (rustls): TLS 1.2 or later, and only suites rustls implements. The
    /// answer to such an offer is what rustls would get.
    pub fn is_modern(&self) -> bool {
        let mut suites = self.suites.iter().filter(|s| !s.is_signalling() && !s.is_grease()).peekable();
        self.max_version >= ProtocolVersion::TLS1_2
            && suites.peek().is_some()
            && suites.all(|s| s.is_rustls_supported())
    }

    /// `TLS 1.0-1.2 offer, 54 suites` or `TLS 1.2 offer, TLS_RSA_WITH_AES_128_CBC_SHA`.
    pub fn describe(&self) -> String {
        let versions = if self.min_version == self.max_version {
            self.max_version.to_string()
        } else {
            format!("{}-{}", self.min_version, self.max_version.to_string().trim_start_matches("TLS "))
        };
        match self.suites.as_slice() {
            [one] => format!("{versions} offer, {one}"),
            many => format!("{versions} offer, {} suites", many.len()),
        }
    }
}

/// One ClientHello of a scan and what the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanAttempt {
    /// What was offered.
    pub offer: Offer,
    /// What the server answered.
    pub flight: ServerFlight,
}

impl ScanAttempt {
    /// An attempt with the offer of `config`.
    pub fn new(config: &ClientHelloConfig, flight: ServerFlight) -> Self {
        ScanAttempt { offer: Offer::from(config), flight }
    }

    /// The ServerHello, when the server accepted the offer with a version and suite that were offered.
    pub fn accepted(&self) -> Option<&HelloFlight> {
        match &self.flight {
            ServerFlight::ServerHello(flight) if self.hello_violation(flight).is_none() => Some(flight),
            _ => None,
        }
    }

    /// Why a ServerHello is not a valid answer to the offer, if it is not.
    fn hello_violation(&self, flight: &HelloFlight) -> Option<String> {
        let offer = &self.offer;
        if !offer.suites.contains(&flight.suite) {
            return Some(format!("the server chose {}, which was not offered", flight.suite));
        }
        // supported_versions (sent with TLS 1.3 offers) tells the server the lowest version too.
        let lowest =
            if offer.max_version.is_tls13_or_later() { offer.min_version } else { ProtocolVersion::SSL3_0 };
        if flight.version > offer.max_version || flight.version < lowest {
            return Some(format!("the server chose {}, which was not offered", flight.version));
        }
        if !flight.suite.usable_with(flight.version) {
            return Some(format!(
                "the server chose {} with {}, which cannot be combined",
                flight.suite, flight.version
            ));
        }
        if flight.server_hello.compression_method != 0 {
            return Some(format!(
                "the server chose compression method {}, which was not offered",
                flight.server_hello.compression_method
            ));
        }
        None
    }

    /// Protocol violations in this attempt's answer, as evidence values.
    fn violations(&self) -> Vec<String> {
        match &self.flight {
            ServerFlight::Malformed(error) => vec![error.to_string()],
            ServerFlight::ServerHello(flight) => {
                let mut out: Vec<String> = self.hello_violation(flight).into_iter().collect();
                if let Some(problem) = &flight.problem {
                    out.push(problem.to_string());
                }
                out
            }
            _ => Vec::new(),
        }
    }
}

/// Why an attempt was not accepted, grouped the way findings are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Refusal {
    NotTls,
    NoAnswer,
    Closed,
    ProtocolVersion,
    NoCommonCipher,
    ClientCertificate,
    OtherAlert,
    Violation,
}

fn refusal(attempt: &ScanAttempt) -> Option<Refusal> {
    if attempt.accepted().is_some() {
        return None;
    }
    Some(match &attempt.flight {
        ServerFlight::NotTls { .. } => Refusal::NotTls,
        ServerFlight::Empty { end: FlightEnd::Timeout } => Refusal::NoAnswer,
        ServerFlight::Empty { .. } | ServerFlight::Truncated { .. } => Refusal::Closed,
        ServerFlight::Alert(alert) => alert_refusal(*alert),
        ServerFlight::ServerHello(_) | ServerFlight::Malformed(_) => Refusal::Violation,
    })
}

fn alert_refusal(alert: Alert) -> Refusal {
    match alert.description {
        AlertDescription::PROTOCOL_VERSION => Refusal::ProtocolVersion,
        AlertDescription::HANDSHAKE_FAILURE | AlertDescription::INSUFFICIENT_SECURITY => {
            Refusal::NoCommonCipher
        }
        AlertDescription::CERTIFICATE_REQUIRED => Refusal::ClientCertificate,
        _ => Refusal::OtherAlert,
    }
}

/// `offer -> answer`, the evidence line for one attempt.
fn evidence_line(attempt: &ScanAttempt) -> String {
    format!("{} -> {}", attempt.offer.describe(), attempt.flight)
}

/// The findings a scan supports (none for a server modern clients can use with sound suites).
pub fn scan_findings(attempts: &[ScanAttempt]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let violations: Vec<String> = attempts
        .iter()
        .flat_map(|a| a.violations().into_iter().map(move |v| format!("{} -> {v}", a.offer.describe())))
        .collect();
    if !violations.is_empty() {
        let f = Finding::new(
            codes::TLS_PROTOCOL_VIOLATION,
            format!("The server's TLS answer breaks the protocol ({} case(s))", violations.len()),
        );
        findings.push(violations.into_iter().fold(f, |f, v| f.with_evidence("violation", v)));
    }
    let accepted: Vec<&HelloFlight> = attempts.iter().filter_map(ScanAttempt::accepted).collect();
    if accepted.is_empty() {
        refusal_findings(attempts, &mut findings);
    } else {
        version_findings(attempts, &accepted, &mut findings);
        cipher_findings(attempts, &accepted, &mut findings);
        weak_cipher_findings(&accepted, &mut findings);
        // Unusual alerts to what a modern client sends still break modern clients.
        let unusual: Vec<&ScanAttempt> = attempts
            .iter()
            .filter(|a| a.offer.is_modern() && refusal(a) == Some(Refusal::OtherAlert))
            .collect();
        if let Some(first) = unusual.first() {
            findings.push(alert_finding(first, &unusual));
        }
    }
    client_certificate_findings(attempts, &accepted, &mut findings);
    findings
}

/// Nothing was accepted: one finding per kind of refusal, in chain order.
fn refusal_findings(attempts: &[ScanAttempt], findings: &mut Vec<Finding>) {
    let mut kinds: Vec<Refusal> = attempts.iter().filter_map(refusal).collect();
    kinds.sort();
    kinds.dedup();
    for kind in kinds {
        let group: Vec<&ScanAttempt> = attempts.iter().filter(|a| refusal(a) == Some(kind)).collect();
        // `kind` was collected from these attempts, so the group is never empty.
        let Some(&first) = group.first() else { continue };
        let finding = match kind {
            Refusal::NotTls => {
                let (looks_like, bytes) = match &first.flight {
                    ServerFlight::NotTls { looks_like, first_bytes } => (*looks_like, first_bytes.as_slice()),
                    _ => (LooksLike::Other, &[][..]),
                };
                let what = match looks_like {
                    LooksLike::Rtsp => "in plain RTSP: the port serves RTSP without TLS",
                    LooksLike::Http => "in HTTP: the port is a web server, not RTSPS",
                    LooksLike::Ssh => "with an SSH banner: the port is an SSH server",
                    LooksLike::Other => "with bytes that are not TLS",
                };
                Finding::new(codes::TLS_NOT_TLS, format!("The server answered the TLS ClientHello {what}"))
                    .with_evidence("first_bytes", escape_bytes(bytes))
            }
            Refusal::NoAnswer => Finding::new(
                codes::TLS_NO_ANSWER,
                "The server accepted the connection but never answered the TLS ClientHello",
            ),
            Refusal::Closed => Finding::new(
                codes::TLS_CONNECTION_RESET,
                "The server closed or reset the connection during the TLS handshake without an alert",
            ),
            Refusal::ProtocolVersion => Finding::new(
                codes::TLS_PROTOCOL_VERSION,
                format!(
                    "The server supports none of the TLS versions offered ({})",
                    offered_versions(&group)
                ),
            ),
            Refusal::NoCommonCipher if group.iter().all(|a| a.offer.is_modern()) => Finding::new(
                codes::TLS_NO_COMMON_CIPHER,
                "The server refused the cipher suites modern clients offer (no legacy offer was tried)",
            ),
            Refusal::NoCommonCipher => Finding::new(
                codes::TLS_NO_COMMON_CIPHER,
                "The server refused every cipher suite offered, legacy ones included",
            ),
            Refusal::ClientCertificate => {
                Finding::new(codes::TLS_CLIENT_CERT_REQUIRED, "The server requires a client certificate")
            }
            Refusal::OtherAlert => alert_finding(first, &group),
            // Reported with the violations.
            Refusal::Violation => continue,
        };
        findings.push(group.iter().fold(finding, |f, a| f.with_evidence("attempt", evidence_line(a))));
    }
}

fn alert_finding(first: &ScanAttempt, group: &[&ScanAttempt]) -> Finding {
    let alert = match &first.flight {
        ServerFlight::Alert(alert) => Some(*alert),
        _ => None,
    };
    let (name, meaning) = match alert {
        Some(alert) => (alert.description.to_string(), alert.description.meaning()),
        None => (String::from("an alert"), ""),
    };
    let mut f =
        Finding::new(codes::TLS_HANDSHAKE_ALERT, format!("The server refused the handshake with {name}"))
            .with_detail(format!("In answer to a ClientHello, {name} usually means: {meaning}"));
    if let Some(alert) = alert {
        f = f.with_evidence("alert", alert.to_string());
    }
    group.iter().fold(f, |f, a| f.with_evidence("attempt", evidence_line(a)))
}

/// `TLS 1.0-1.2` across the offers of `group`.
fn offered_versions(group: &[&ScanAttempt]) -> String {
    let min = group.iter().map(|a| a.offer.min_version).min();
    let max = group.iter().map(|a| a.offer.max_version).max();
    match (min, max) {
        (Some(min), Some(max)) if min == max => min.to_string(),
        (Some(min), Some(max)) => format!("{min}-{}", max.to_string().trim_start_matches("TLS ")),
        _ => String::from("none"),
    }
}

/// `TLS 1.0: TLS_RSA_WITH_AES_128_CBC_SHA, ...` for each accepted version, ascending.
fn accepted_by_version(accepted: &[&HelloFlight]) -> Vec<(ProtocolVersion, Vec<CipherSuite>)> {
    let mut out: Vec<(ProtocolVersion, Vec<CipherSuite>)> = Vec::new();
    for flight in accepted {
        match out.iter_mut().find(|(v, _)| *v == flight.version) {
            Some((_, suites)) if !suites.contains(&flight.suite) => suites.push(flight.suite),
            Some(_) => {}
            None => out.push((flight.version, vec![flight.suite])),
        }
    }
    out.sort_by_key(|(v, _)| *v);
    out
}

fn suites_text(suites: &[CipherSuite]) -> String {
    suites.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
}

fn version_findings(attempts: &[ScanAttempt], accepted: &[&HelloFlight], findings: &mut Vec<Finding>) {
    let by_version = accepted_by_version(accepted);
    let Some(&(best, ref best_suites)) = by_version.last() else { return };
    let tried_modern_versions = attempts.iter().any(|a| a.offer.max_version >= ProtocolVersion::TLS1_2);
    let legacy: Vec<&(ProtocolVersion, Vec<CipherSuite>)> =
        by_version.iter().filter(|(v, _)| v.is_legacy()).collect();
    if best.is_legacy() && tried_modern_versions {
        let mut f = Finding::new(
            codes::TLS_VERSION_LEGACY_ONLY,
            format!(
                "The server accepts only {} ({}); rustls, current browsers and RFC 8996 refuse TLS 1.0/1.1",
                by_version.iter().map(|(v, _)| v.to_string()).collect::<Vec<_>>().join(" and "),
                suites_text(best_suites)
            ),
        )
        .with_evidence("best_version", best.to_string());
        for attempt in attempts.iter().filter(|a| a.offer.max_version >= ProtocolVersion::TLS1_2) {
            f = f.with_evidence("attempt", evidence_line(attempt));
        }
        findings.push(f);
    } else if !best.is_legacy() && !legacy.is_empty() {
        let f = Finding::new(
            codes::TLS_VERSION_LEGACY_ENABLED,
            format!(
                "The server still accepts {} next to {best}",
                legacy.iter().map(|(v, _)| v.to_string()).collect::<Vec<_>>().join(" and ")
            ),
        );
        findings.push(legacy.iter().fold(f, |f, (v, s)| f.with_evidence(v.to_string(), suites_text(s))));
    }
}

/// TLS 1.2+ works, but a modern client's offer was refused: only suites it does not offer are accepted.
fn cipher_findings(attempts: &[ScanAttempt], accepted: &[&HelloFlight], findings: &mut Vec<Finding>) {
    let modern_versions: Vec<&&HelloFlight> = accepted.iter().filter(|f| !f.version.is_legacy()).collect();
    let modern_attempts: Vec<&ScanAttempt> = attempts.iter().filter(|a| a.offer.is_modern()).collect();
    if modern_versions.is_empty()
        || modern_attempts.is_empty()
        || modern_attempts.iter().any(|a| a.accepted().is_some())
        || modern_versions.iter().any(|f| f.suite.is_rustls_supported())
    {
        return;
    }
    let mut suites: Vec<CipherSuite> = modern_versions.iter().map(|f| f.suite).collect();
    suites.dedup();
    let f = Finding::new(
        codes::TLS_NO_COMMON_CIPHER,
        format!(
            "The server refuses what modern clients offer and accepts TLS 1.2+ only with {}; rustls offers only \
             ECDHE with AES-GCM or ChaCha20-Poly1305, and TLS 1.3",
            suites_text(&suites)
        ),
    );
    findings.push(modern_attempts.iter().fold(f, |f, a| f.with_evidence("attempt", evidence_line(a))));
}

fn weak_cipher_findings(accepted: &[&HelloFlight], findings: &mut Vec<Finding>) {
    let mut lines: Vec<String> = Vec::new();
    let mut insecure = false;
    for flight in accepted {
        let mut reasons: Vec<String> = Vec::new();
        for weakness in flight.suite_weaknesses() {
            insecure |= weakness.is_insecure();
            reasons.push(weakness.description().to_owned());
        }
        if let Some(KeyExchangeParams::Dhe { prime_bits }) = flight.key_exchange
            && prime_bits < 2048
        {
            insecure |= prime_bits < 1024;
            reasons.push(format!("{prime_bits}-bit DH group (Logjam)"));
        }
        let line = format!("{} {}: {}", flight.version, flight.suite, reasons.join(", "));
        if !reasons.is_empty() && !lines.contains(&line) {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return;
    }
    let summary = if insecure {
        format!("The server accepts {} cipher suite(s) with broken protection", lines.len())
    } else {
        format!("The server accepts {} dated cipher suite(s)", lines.len())
    };
    let f = Finding::new(codes::TLS_WEAK_CIPHER, summary);
    findings.push(lines.into_iter().fold(f, |f, line| f.with_evidence("suite", line)));
}

fn client_certificate_findings(
    attempts: &[ScanAttempt],
    accepted: &[&HelloFlight],
    findings: &mut Vec<Finding>,
) {
    if findings.iter().any(|f| f.code == codes::TLS_CLIENT_CERT_REQUIRED.code) {
        return;
    }
    let alert = attempts.iter().find(|a| match &a.flight {
        ServerFlight::Alert(alert) => alert.description == AlertDescription::CERTIFICATE_REQUIRED,
        ServerFlight::ServerHello(flight) => {
            flight.alert.is_some_and(|a| a.description == AlertDescription::CERTIFICATE_REQUIRED)
        }
        _ => false,
    });
    if let Some(attempt) = alert {
        let f = Finding::new(codes::TLS_CLIENT_CERT_REQUIRED, "The server requires a client certificate")
            .with_evidence("attempt", evidence_line(attempt));
        findings.push(f);
        return;
    }
    let Some(request) = accepted.iter().find_map(|f| f.certificate_request.as_ref()) else { return };
    let names = request.authority_names();
    let mut f = Finding::new(
        codes::TLS_CLIENT_CERT_REQUIRED,
        "The server asks for a client certificate during the handshake (CertificateRequest)",
    )
    .with_detail(
        "A TLS 1.2 server decides after the client's answer whether a missing certificate is fatal; most \
         servers that ask require one. The full handshake shows which.",
    )
    .with_severity(crate::diagnose::Severity::Warning)
    .with_evidence(
        "certificate_types",
        request.certificate_types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", "),
    );
    if names.is_empty() {
        f = f.with_evidence("acceptable_cas", "any (empty list)");
    }
    findings.push(names.into_iter().fold(f, |f, name| f.with_evidence("acceptable_ca", name)));
}

/// One accepted (version, suite) pair, for the report facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedSuite {
    /// `TLS 1.2`.
    pub version: String,
    /// IANA suite name.
    pub suite: String,
    /// Weakness identifiers (`no_forward_secrecy`, `rc4`...), empty for a sound suite.
    pub weaknesses: Vec<String>,
}

/// What a TLS scan learned, for the report: JSON-friendly names only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TlsFacts {
    /// Versions the server accepted, oldest first.
    pub versions: Vec<String>,
    /// Each accepted (version, suite), in scan order.
    pub accepted: Vec<AcceptedSuite>,
    /// Each attempt as `offer -> answer`.
    pub attempts: Vec<String>,
    /// The server sent a TLS <= 1.2 CertificateRequest.
    pub client_certificate_requested: bool,
    /// The CAs the server accepts client certificates from, as text.
    pub acceptable_client_cas: Vec<String>,
    /// Number of certificates the server sent in clear (0 when only TLS 1.3 was accepted).
    pub certificates_in_clear: usize,
    /// Milliseconds the scan took (its ClientHellos run several at once), when a probe ran it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
}

impl TlsFacts {
    /// Summarises `attempts`.
    pub fn from_attempts(attempts: &[ScanAttempt]) -> Self {
        let accepted: Vec<&HelloFlight> = attempts.iter().filter_map(ScanAttempt::accepted).collect();
        let request = accepted.iter().find_map(|f| f.certificate_request.as_ref());
        let mut out = TlsFacts {
            versions: accepted_by_version(&accepted).iter().map(|(v, _)| v.to_string()).collect(),
            attempts: attempts.iter().map(evidence_line).collect(),
            client_certificate_requested: request.is_some(),
            acceptable_client_cas: request.map(|r| r.authority_names()).unwrap_or_default(),
            certificates_in_clear: server_certificates(attempts).map_or(0, <[Vec<u8>]>::len),
            ..TlsFacts::default()
        };
        for flight in accepted {
            let item = AcceptedSuite {
                version: flight.version.to_string(),
                suite: flight.suite.to_string(),
                weaknesses: flight.suite_weaknesses().iter().map(|w| w.id().to_owned()).collect(),
            };
            if !out.accepted.contains(&item) {
                out.accepted.push(item);
            }
        }
        out
    }
}

/// The certificate chain the server sent in clear (from the highest version that sent one), to hand to the
/// certificate analysis; `None` when no TLS <= 1.2 handshake reached the Certificate message.
pub fn server_certificates(attempts: &[ScanAttempt]) -> Option<&[Vec<u8>]> {
    attempts
        .iter()
        .filter_map(|a| match &a.flight {
            ServerFlight::ServerHello(flight) => flight.certificates_in_clear().map(|c| (flight.version, c)),
            _ => None,
        })
        .filter(|(_, chain)| !chain.is_empty())
        .max_by_key(|(version, _)| *version)
        .map(|(_, chain)| chain)
}
