//! The catalogue of finding codes: public API, stable, never renamed casually.
//!
//! Every code is declared once here, with its layer, default severity, meaning and remediation. Tests check that
//! `docs/findings.md` is this catalogue rendered, that no other code-shaped string is used in the code base, and
//! that each code is produced by at least one test.

use super::finding::{Layer, Severity};

/// One catalogue entry.
#[derive(Debug, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable dotted code, `layer.subject.problem`.
    pub code: &'static str,
    /// The layer findings with this code belong to.
    pub layer: Layer,
    /// Default severity (a finding may override it with a reason).
    pub severity: Severity,
    /// Short title.
    pub title: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// What to do about it.
    pub remediation: &'static str,
}

/// Declares catalogue entries: one `pub const` per code and the family's `ALL` slice. Each layer family
/// has its own file (`codes/cert.rs`, ...), so the catalogue grows without one file holding every layer.
macro_rules! catalogue {
    ($family:ident; $(
        $(#[doc = $doc:literal])+
        $ident:ident = $code:literal, $layer:ident, $severity:ident, $title:literal,
            fix: $remediation:literal;
    )*) => {
        $(
            $(#[doc = $doc])+
            pub const $ident: &CodeInfo = &CodeInfo {
                code: $code,
                layer: Layer::$layer,
                severity: Severity::$severity,
                title: $title,
                meaning: concat!($($doc, "\n"),+),
                remediation: $remediation,
            };
        )*
        /// Every entry of this family, in declaration order.
        pub const $family: &[&CodeInfo] = &[$($ident),*];
    };
}

mod auth;
mod cert;
mod codec;
mod onvif;
mod rtp;
mod rtsp;
mod sdp;
mod srtp;
mod tcp;
mod tls;
mod transport;

pub use auth::*;
pub use cert::*;
pub use codec::*;
pub use onvif::*;
pub use rtp::*;
pub use rtsp::*;
pub use sdp::*;
pub use srtp::*;
pub use tcp::*;
pub use tls::*;
pub use transport::*;

/// The code families, in chain order of their layers.
const FAMILIES: &[&[&CodeInfo]] = &[
    ONVIF_CODES,
    TCP_CODES,
    TLS_CODES,
    CERT_CODES,
    RTSP_CODES,
    AUTH_CODES,
    SDP_CODES,
    TRANSPORT_CODES,
    SRTP_CODES,
    RTP_CODES,
    CODEC_CODES,
];

/// Codes of the rtsp, sdp and certificate families that only a live session shows (a connection closing, a
/// request unanswered, a redirect loop, a DESCRIBE without SDP, the TLS client's own refusal): the families'
/// tests, which work on single messages, descriptions and chains, leave them to the probe's scenarios
/// (`core/tests/it/probe_codes.rs`), as they do the whole `tcp.*` and `transport.*` families.
pub const SESSION_LEVEL: &[&CodeInfo] = &[
    RTSP_CONNECTION_CLOSED,
    RTSP_NO_RESPONSE,
    RTSP_REDIRECT_LOOP,
    RTSP_RTP_INFO_MISSING,
    RTSP_KEEPALIVE_FAILED,
    SDP_NOT_SDP,
    CERT_VERIFICATION_FAILED,
];

/// Codes only `rtspeek audit` gives, from what it remembers between runs (its pin store): no single probe or
/// file can show them. `native-bridge/tests/it/audit.rs` produces them.
pub const AUDIT_LEVEL: &[&CodeInfo] = &[CERT_FINGERPRINT_CHANGED];

/// Every catalogue entry.
pub fn all() -> impl Iterator<Item = &'static CodeInfo> {
    FAMILIES.iter().flat_map(|family| family.iter().copied())
}

/// Looks a code up in the catalogue.
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    all().find(|c| c.code == code)
}

/// Renders the catalogue as the Markdown kept in `docs/findings.md`.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Finding codes\n\n\
         <!-- Generated from core/src/diagnose/codes/ by `cargo xtask docs`; a test checks it is current. -->\n\n\
         Codes are stable public API: dotted `layer.subject.problem`, never renamed casually. The severity is the \
         default; a finding may carry another one with a reason in its detail.\n",
    );
    for layer in Layer::ALL {
        let entries: Vec<_> = all().filter(|c| c.layer == layer).collect();
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {layer}\n"));
        for c in entries {
            let meaning = c.meaning.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push_str(&format!(
                "\n### `{}`: {}\n\n- severity: {}\n- meaning: {}\n- remediation: {}\n",
                c.code,
                c.title,
                c.severity.as_str(),
                meaning,
                c.remediation
            ));
        }
    }
    out
}
