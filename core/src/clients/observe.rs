//! What the verdicts are computed from, read once out of a [`Report`]: a live probe's or an offline
//! certificate check's. Reading the report (not the probe's internals) keeps one source of truth: the same
//! verdicts come out of the CLI, the bridge, wasm, and a report saved as JSON.

use crate::cert::CertificateSummary;
use crate::diagnose::codes;
use crate::rtsp::auth::challenge::{ChallengeSet, parse_www_authenticate};
use crate::tls::{CipherSuite, ProtocolVersion};
use crate::{Finding, Layer, LayerStatus, Report, Severity, TrustOutcome, TrustStore};

/// One (version, suite) the server accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accepted {
    pub(crate) version: ProtocolVersion,
    pub(crate) suite: CipherSuite,
}

/// What is known of the server's TLS.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsObserved {
    /// Every accepted (version, suite) known: the scan's, and the modern client's session.
    pub(crate) accepted: Vec<Accepted>,
    /// Whether a scan enumerated them (otherwise only the modern client's session is known).
    pub(crate) enumerated: bool,
    /// The server requires a client certificate.
    pub(crate) client_certificate_required: bool,
    /// The TLS layer's failures when nothing was accepted (not TLS, silence, reset...).
    pub(crate) refusals: Vec<Finding>,
}

/// Whether the server takes a lower transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    /// Media arrived over it.
    Works,
    /// Refused (461) or blocked (accepted, nothing arrived).
    Fails,
    /// Not tried.
    Unknown,
}

/// The server certificate as clients see it.
#[derive(Debug, Clone)]
pub(crate) struct CertObserved {
    pub(crate) leaf: CertificateSummary,
    /// Signature digests of the chain below the anchor (the anchor's own self-signature does not count).
    pub(crate) signature_hashes: Vec<String>,
    /// RSA sizes of the chain's keys below the anchor.
    pub(crate) rsa_bits: Vec<u32>,
    pub(crate) trust: TrustOutcome,
    /// CA files the user gave (`--ca`): trusted means "trusted by these", which clients do not have.
    pub(crate) custom_anchors: Option<Vec<String>>,
    /// Date findings (expired, not yet valid).
    pub(crate) dates: Vec<Finding>,
    /// The codes of every certificate error, for clients that ignore them.
    pub(crate) error_codes: Vec<String>,
    /// Error findings every verifying client refuses that no rule below models client by client (purpose,
    /// chain structure, version 1...).
    pub(crate) other_errors: Vec<Finding>,
}

/// The SRTP keying a live probe saw, for the clients whose keying is known.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SrtpSeen {
    /// The keys came from SDES only (no MIKEY to read).
    pub(crate) sdes_only: bool,
    /// The key is bound to an MKI.
    pub(crate) mki: bool,
    /// A SETUP answer said `RTP/AVP` for SRTP media that was SRTP all the same.
    pub(crate) answer_plain: bool,
}

impl SrtpSeen {
    fn of(tracks: &[crate::diagnose::facts::TrackFacts]) -> SrtpSeen {
        let srtp: Vec<_> =
            tracks.iter().filter_map(|t| t.srtp.as_ref()).filter(|s| s.keys == "ready").collect();
        SrtpSeen {
            sdes_only: srtp.iter().any(|s| s.keys_from.as_deref() == Some("sdp_sdes")),
            mki: srtp.iter().any(|s| s.mki),
            answer_plain: srtp
                .iter()
                .any(|s| !s.server_kept_profile && s.counters.is_some_and(|n| n.rtp_ok > 0)),
        }
    }
}

/// Everything the verdicts read.
#[derive(Debug, Clone)]
pub(crate) struct Observations {
    /// A live probe (`true`) or an offline certificate check.
    pub(crate) live: bool,
    /// `rtsps://` (for certificate checks: always, that is what the certificate is for).
    pub(crate) over_tls: bool,
    /// The host from the URL (or `--host`).
    pub(crate) host: Option<String>,
    /// The URL probed (credentials redacted).
    pub(crate) url: Option<String>,
    pub(crate) tls: Option<TlsObserved>,
    pub(crate) cert: Option<CertObserved>,
    /// The first 401's challenges.
    pub(crate) challenges: Option<ChallengeSet>,
    pub(crate) tcp: Known,
    pub(crate) udp: Known,
    pub(crate) h265: bool,
    pub(crate) srtp: bool,
    /// What the probe saw of SRTP keying (live probes of SRTP media only).
    pub(crate) srtp_keying: SrtpSeen,
    /// Errors no client setting avoids: connection refused, 404, wrong credentials, no packets...
    pub(crate) common_errors: Vec<Finding>,
    /// The layers in scope that were not reached.
    pub(crate) not_reached: Vec<Layer>,
}

/// Codes whose meaning depends on the client: the rules judge them client by client. Every other error is
/// common to all clients.
fn client_specific(code: &str) -> bool {
    code.starts_with("tls.")
        || code.starts_with("cert.")
        || [
            codes::AUTH_DIGEST_ALGORITHM,
            codes::AUTH_CLIENT_INCOMPATIBLE,
            codes::AUTH_BASIC_CLEARTEXT,
            codes::TRANSPORT_TCP_REFUSED,
            codes::TRANSPORT_UDP_REFUSED,
            codes::TRANSPORT_UDP_BLOCKED,
            codes::TRANSPORT_FALLBACK,
            codes::TRANSPORT_CLEARTEXT_MEDIA,
            codes::SDP_SRTP_OFFERED,
            codes::CODEC_BROWSER_UNSUPPORTED,
        ]
        .iter()
        .any(|c| c.code == code)
}

/// Certificate codes with their own rule (names, dates, trust, strength).
const MODELLED_CERT_CODES: &[&crate::diagnose::codes::CodeInfo] = &[
    codes::CERT_EXPIRED,
    codes::CERT_NOT_YET_VALID,
    codes::CERT_NAME_MISMATCH,
    codes::CERT_IP_NOT_IN_SAN,
    codes::CERT_CN_ONLY,
    codes::CERT_SELF_SIGNED,
    codes::CERT_UNTRUSTED_ISSUER,
    codes::CERT_CHAIN_INCOMPLETE,
    codes::CERT_WEAK_KEY,
    codes::CERT_WEAK_SIGNATURE,
    // The verifier's own words on a defect the analysis named above.
    codes::CERT_VERIFICATION_FAILED,
];

impl Observations {
    pub(crate) fn of(report: &Report) -> Observations {
        let facts = &report.facts;
        let live = facts.connection.is_some();
        let url = facts.connection.as_ref().map(|c| c.url.clone());
        let over_tls = url.as_deref().is_none_or(|u| u.starts_with("rtsps:"));
        let host = facts
            .connection
            .as_ref()
            .map(|c| c.host.clone())
            .or_else(|| facts.certificate.as_ref().and_then(|c| c.host.clone()));
        let has = |code: &crate::diagnose::codes::CodeInfo| report.has(code.code);
        let tracks = &facts.tracks;
        let carried = |how: &str| tracks.iter().any(|t| t.carried_over == how);
        let tcp = if carried("tcp") {
            Known::Works
        } else if has(codes::TRANSPORT_TCP_REFUSED) {
            Known::Fails
        } else {
            Known::Unknown
        };
        let udp = if has(codes::TRANSPORT_UDP_REFUSED) || has(codes::TRANSPORT_UDP_BLOCKED) {
            Known::Fails
        } else if carried("udp") {
            Known::Works
        } else {
            Known::Unknown
        };
        let sdp_codecs = facts.sdp.iter().flat_map(|s| s.media.iter()).flat_map(|m| m.codecs.iter());
        let h265 = tracks.iter().any(|t| t.encoding.to_ascii_uppercase().starts_with("H265"))
            || sdp_codecs.clone().any(|c| c.encoding.eq_ignore_ascii_case("H265"));
        Observations {
            live,
            over_tls,
            host,
            url,
            tls: live.then(|| tls_observed(report)).flatten(),
            cert: cert_observed(report),
            challenges: facts
                .auth
                .as_ref()
                .filter(|a| !a.www_authenticate.is_empty())
                .map(|a| parse_www_authenticate(a.www_authenticate.iter().map(String::as_str))),
            tcp,
            udp,
            h265,
            srtp: has(codes::SDP_SRTP_OFFERED),
            srtp_keying: SrtpSeen::of(tracks),
            common_errors: report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error && !client_specific(&f.code))
                .cloned()
                .collect(),
            not_reached: report
                .layers
                .iter()
                .filter(|l| l.status == LayerStatus::NotReached)
                .map(|l| l.layer)
                .collect(),
        }
    }
}

fn tls_observed(report: &Report) -> Option<TlsObserved> {
    let tls = report.facts.tls.as_ref()?;
    let mut out = TlsObserved::default();
    if let (Some(version), Some(suite)) = (&tls.version, &tls.cipher_suite) {
        // rustls names versions `TLSv1.3` and suites by their IANA names.
        let version = match version.as_str() {
            "TLSv1.3" => Some(ProtocolVersion::TLS1_3),
            "TLSv1.2" => Some(ProtocolVersion::TLS1_2),
            _ => None,
        };
        // Older reports carry rustls' own name (`TLS13_AES_128_GCM_SHA256`).
        let suite = CipherSuite::from_name(suite)
            .or_else(|| CipherSuite::from_name(&suite.replace("TLS13_", "TLS_")));
        if let (Some(version), Some(suite)) = (version, suite) {
            out.accepted.push(Accepted { version, suite });
        }
    }
    if let Some(scan) = &tls.scan {
        out.enumerated = true;
        for a in &scan.accepted {
            if let (Some(version), Some(suite)) =
                (ProtocolVersion::from_name(&a.version), CipherSuite::from_name(&a.suite))
            {
                let item = Accepted { version, suite };
                if !out.accepted.contains(&item) {
                    out.accepted.push(item);
                }
            }
        }
    }
    out.client_certificate_required = report
        .findings
        .iter()
        .any(|f| f.code == codes::TLS_CLIENT_CERT_REQUIRED.code && f.severity == Severity::Error);
    out.refusals =
        report.findings_for(Layer::Tls).filter(|f| f.severity == Severity::Error).cloned().collect();
    Some(out)
}

fn cert_observed(report: &Report) -> Option<CertObserved> {
    let facts = report.facts.certificate.as_ref()?;
    let leaf = facts.chain.first()?.clone();
    let trust = report.trust.as_ref();
    // The anchor's self-signature is not checked by anyone; every other link is.
    let below_anchor: Vec<&CertificateSummary> =
        facts.chain.iter().enumerate().filter(|(i, c)| *i == 0 || !c.self_signed).map(|(_, c)| c).collect();
    let findings: Vec<&Finding> = report.findings_for(Layer::Certificate).collect();
    let is = |f: &&Finding, list: &[&crate::diagnose::codes::CodeInfo]| list.iter().any(|c| c.code == f.code);
    Some(CertObserved {
        signature_hashes: below_anchor.iter().filter_map(|c| c.signature_hash.clone()).collect(),
        rsa_bits: below_anchor
            .iter()
            .filter(|c| c.key_algorithm.as_deref() == Some("RSA"))
            .filter_map(|c| c.key_bits)
            .collect(),
        trust: trust.map_or(TrustOutcome::NotEvaluated, |t| t.outcome),
        custom_anchors: trust.and_then(|t| match &t.store {
            TrustStore::Custom { sources, .. } => Some(sources.clone()),
            // Trusted here by this machine's store: another client machine needs the same CA installed.
            TrustStore::System { source, .. } => Some(vec![format!("the system trust store ({source})")]),
            // Trusted here by a pin: another client needs that very certificate trusted or pinned.
            TrustStore::Pinned { sha256_fingerprint } => {
                Some(vec![format!("the pinned certificate (SHA-256 {sha256_fingerprint})")])
            }
            TrustStore::WebPki { .. } => None,
        }),
        dates: findings
            .iter()
            .filter(|f| is(f, &[codes::CERT_EXPIRED, codes::CERT_NOT_YET_VALID]))
            .map(|f| (*f).clone())
            .collect(),
        error_codes: {
            let mut codes: Vec<String> =
                findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.code.clone()).collect();
            codes.dedup();
            codes
        },
        other_errors: findings
            .iter()
            .filter(|f| f.severity == Severity::Error && !is(f, MODELLED_CERT_CODES))
            .map(|f| (*f).clone())
            .collect(),
        leaf,
    })
}
