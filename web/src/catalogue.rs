//! `describeFinding` and `version`: the finding catalogue of core as plain objects for the page.

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
    fn every_catalogue_code_is_described() {
        for c in diagnose::codes::all() {
            assert_eq!(describe(c.code).map(|i| i.code), Some(c.code));
        }
    }
}
