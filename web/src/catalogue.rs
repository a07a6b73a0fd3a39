//! `describeFinding`, `layers` and `version`: the finding catalogue and the layer chain of core as plain
//! objects for the page.

use rtspeek_core::diagnose::{self, Layer, Severity};
use serde::Serialize;

/// A catalogue entry as the page sees it (`describeFinding`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingInfo {
    /// The stable dotted code.
    pub code: &'static str,
    /// The layer findings with this code belong to.
    pub layer: Layer,
    /// The default severity (a finding may carry another one, with its reason).
    pub severity: Severity,
    /// Short title.
    pub title: &'static str,
    /// What it means, as one paragraph.
    pub meaning: String,
    /// What to do about it.
    pub remediation: &'static str,
}

/// The catalogue entry of `code`, `None` when the catalogue has no such code.
pub fn describe(code: &str) -> Option<FindingInfo> {
    let c = diagnose::codes::lookup(code.trim())?;
    Some(FindingInfo {
        code: c.code,
        layer: c.layer,
        severity: c.severity,
        title: c.title,
        // The meaning is the entry's doc comment, one source line per line: make it one paragraph.
        meaning: c.meaning.split_whitespace().collect::<Vec<_>>().join(" "),
        remediation: c.remediation,
    })
}

/// A link of the chain as the page shows it (`layers()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// The name reports use (`layers[].name`, `findings[].layer`).
    pub id: Layer,
    /// The name a person reads: `TLS`, `Certificate`.
    pub label: &'static str,
}

/// How the page titles a layer. The page's own wording, so it lives here rather than in core (the CLI prints
/// the ids); an exhaustive match, so a new layer in core does not build until it has a title.
pub const fn label(layer: Layer) -> &'static str {
    match layer {
        Layer::Onvif => "ONVIF",
        Layer::Tcp => "TCP",
        Layer::Tls => "TLS",
        Layer::Certificate => "Certificate",
        Layer::Rtsp => "RTSP",
        Layer::Auth => "Auth",
        Layer::Sdp => "SDP",
        Layer::Transport => "Transport",
        Layer::Rtp => "RTP",
        Layer::Rtcp => "RTCP",
        Layer::Codec => "Codec",
    }
}

/// Every layer in chain order (core's `Layer::ALL`), with its title: the page's chain and the order it sorts
/// findings in.
pub fn layers() -> Vec<LayerInfo> {
    Layer::ALL.iter().map(|&id| LayerInfo { id, label: label(id) }).collect()
}

/// What `version()` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// The rtspeek version (the workspace's).
    pub rtspeek: &'static str,
    /// The report schema version (`schema_version` of every report).
    pub schema_version: u32,
}

/// This build's versions.
pub fn version() -> VersionInfo {
    VersionInfo { rtspeek: env!("CARGO_PKG_VERSION"), schema_version: diagnose::REPORT_SCHEMA_VERSION }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn describes_a_known_code_as_one_paragraph() {
        let info = describe("cert.expired").expect("cert.expired is in the catalogue");
        assert_eq!(info.layer, Layer::Certificate);
        assert_eq!(info.severity, Severity::Error);
        assert!(!info.meaning.contains('\n'), "{:?}", info.meaning);
        assert!(!info.remediation.is_empty());
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["layer"], "certificate");
        assert_eq!(json["severity"], "error");
    }

    #[test]
    fn unknown_codes_are_none() {
        // Built at run time: a code-shaped literal would have to be in the catalogue.
        assert_eq!(describe(&format!("{}.no_such_thing", "cert")), None);
        assert_eq!(describe(""), None);
    }

    #[test]
    fn layers_are_cores_in_chain_order_with_titles() {
        let all = layers();
        assert_eq!(all.iter().map(|l| l.id).collect::<Vec<_>>(), Layer::ALL);
        let json = serde_json::to_value(&all).unwrap();
        assert_eq!(json[0], serde_json::json!({ "id": "onvif", "label": "ONVIF" }));
        assert_eq!(json[1], serde_json::json!({ "id": "tcp", "label": "TCP" }));
        assert_eq!(json[3], serde_json::json!({ "id": "certificate", "label": "Certificate" }));
        assert_eq!(json[10], serde_json::json!({ "id": "codec", "label": "Codec" }));
        // <rtspeek-report> without the wasm titles a layer from its id (rtspeek-report.js, `title`): an id
        // without a vowel, or in its ACRONYMS, is an acronym. Keep the titles to that rule, or change both.
        for l in &all {
            let id = l.id.as_str();
            let derived = if id != "onvif" && id.contains(['a', 'e', 'i', 'o', 'u']) {
                format!("{}{}", id[..1].to_uppercase(), &id[1..])
            } else {
                id.to_uppercase()
            };
            assert_eq!(l.label, derived, "{id}");
        }
    }

    #[test]
    fn every_catalogue_code_is_described() {
        for c in diagnose::codes::all() {
            assert_eq!(describe(c.code).map(|i| i.code), Some(c.code));
        }
    }
}
