//! rtspeek-web: the browser face of rtspeek (wasm-bindgen). For now a thin binding that proves core runs in
//! wasm32; the page and the embeddable API come with the browser issue.
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;

/// Describes a finding code from the catalogue as JSON (`null` when unknown).
#[wasm_bindgen(js_name = describeFinding)]
pub fn describe_finding(code: &str) -> String {
    match rtspeek_core::diagnose::codes::lookup(code) {
        Some(c) => serde_json::json!({
            "code": c.code,
            "layer": c.layer,
            "severity": c.severity,
            "title": c.title,
            "meaning": c.meaning,
            "remediation": c.remediation,
        })
        .to_string(),
        None => "null".to_owned(),
    }
}
