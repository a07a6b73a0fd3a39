//! rtspeek-web: the browser face of rtspeek. A thin wasm-bindgen binding over `rtspeek-core`, so the page (and
//! any vendor portal that embeds it) gets the same findings, for the same bytes, as the `rtspeek` CLI.
//!
//! The JavaScript API (TypeScript definitions are generated next to the module):
//!
//! | function | returns |
//! |---|---|
//! | `analyzeCertificate({pem?, der?, files?, key?, keyName?, keyPassphrase?, host?, ca?, now})` | `Promise<Report>` (as `rtspeek cert check --json`; signatures verified with WebCrypto) |
//! | `analyzeSdp(text, name?)` | `Report` (as `rtspeek sdp check --json`) |
//! | `inspectParameterSets(spropOrBytes, codec?)` | `ParameterSetInfo`: profile, level, size, codec string of SPS/PPS/VPS |
//! | `describeFinding(code)` | `FindingInfo` (the catalogue entry) or `null` |
//! | `browserUnsupportedFinding(codecString, browser?)` | the `codec.browser_unsupported` `Finding` |
//! | `layers()` | `LayerInfo[]`: every layer in chain order, `{ id: "tls", label: "TLS" }` |
//! | `redactUrl(text)` | `text` with the password of every `scheme://user:password@` masked as `***` |
//! | `version()` | the rtspeek version and report schema version |
//!
//! Reports are the serde types of core serialized by `serde_json` and handed to `JSON.parse`: the object is
//! exactly the CLI's `--json` document (`docs/report-schema.md`). Bad input throws a JavaScript `Error` whose
//! message is core's (the CLI prints the same text). Core reads no clock: `now` is an input
//! (`Date.now()`), which also lets a page judge a certificate at another date.
//!
//! ```js
//! import init, { analyzeCertificate } from "./pkg/rtspeek_web.js";
//! await init();
//! const report = await analyzeCertificate({ pem, host: "192.0.2.10", now: Date.now() });
//! console.log(report.verdict, report.findings.map((f) => f.code));
//! ```
//!
//! Layout (STYLE.md point 13, thin faces): the modules [`certificate`], [`inspect`] and [`catalogue`] are plain
//! Rust over core, tested natively; `interop` (private) holds every conversion between `JsValue` and Rust; this
//! file only declares the exports.
#![forbid(unsafe_code)]

pub mod catalogue;
pub mod certificate;
pub mod inspect;
mod interop;
pub mod webcrypto;

use wasm_bindgen::prelude::*;

// The TypeScript types the exports below name (`Report`, `CertificateOptions`, ...), appended to the
// generated .d.ts so that callers get checked types instead of `any`.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// Analyses a server certificate chain (and optionally its private key) for everything a client would reject:
/// trust, chain order and completeness, names against `host`, dates at `now`, key and signature strength,
/// key usage, and whether the key matches. Returns the same Report as `rtspeek cert check --json`.
///
/// Throws an `Error` when the input holds no certificate at all, a CA input holds none, the host is not a
/// host, or `now` is missing; every other problem is a finding in the report.
///
/// Asynchronous: signatures are verified with the browser's WebCrypto where it has the algorithm (native code,
/// far faster than wasm), with core's verdicts kept exactly (see `webcrypto`). Rejects instead of throwing.
// An async export: wasm-bindgen wraps the type in `Promise<...>` itself.
#[wasm_bindgen(js_name = analyzeCertificate, unchecked_return_type = "Report")]
pub async fn analyze_certificate(
    #[wasm_bindgen(unchecked_param_type = "CertificateOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let request = interop::certificate_request(&options)?;
    let mut verdicts = rtspeek_core::cert::Verdicts::new();
    loop {
        match certificate::analyze_step(&request, &verdicts).map_err(|e| JsError::new(&e))? {
            rtspeek_core::cert::Analysis::Done(report) => return interop::to_js(&report),
            rtspeek_core::cert::Analysis::Verify(checks) => {
                for check in checks {
                    let result = webcrypto::verify(&check).await;
                    verdicts.insert(check, result);
                }
            }
        }
    }
}

/// Lints a session description (the body of a DESCRIBE response) for what clients trip over. Returns the
/// same Report as `rtspeek sdp check --json`; `name` is the input's name in the report's `target`
/// (default `input`). Throws an `Error` when the input is not a session description at all.
#[wasm_bindgen(js_name = analyzeSdp, unchecked_return_type = "Report")]
pub fn analyze_sdp(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
    name: Option<String>,
) -> Result<JsValue, JsError> {
    let bytes = interop::data(&text, "analyzeSdp(text)")?;
    let name = name.filter(|n| !n.is_empty()).unwrap_or_else(|| "input".to_owned());
    let check = rtspeek_core::sdp::check(&bytes).map_err(|e| JsError::new(&format!("{name}: {e}")))?;
    interop::to_js(&check.into_report(format!("sdp check: {name}")))
}

/// Decodes H.264/H.265 parameter sets and says what they announce: profile, level, picture size, chroma,
/// bit depth, frame rate and the WebCodecs codec string, with each set's id and any parse error (bit offset
/// and syntax element).
///
/// Accepts a `sprop-parameter-sets` value (`Z0IAH...,aM4...`), an `a=fmtp:` line or SDP with `sprop-*`
/// parameters (H.265 `sprop-vps`/`sprop-sps`/`sprop-pps`), hex text, or bytes (an Annex B stream with start
/// codes, or one NAL unit). `codec` forces the codec; otherwise the parameter names and NAL headers decide.
/// Throws an `Error` when no parameter set can be found, saying what was found instead.
#[wasm_bindgen(js_name = inspectParameterSets, unchecked_return_type = "ParameterSetInfo")]
pub fn inspect_parameter_sets(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "\"h264\" | \"h265\"")] codec: Option<String>,
) -> Result<JsValue, JsError> {
    let codec = codec.as_deref().map(inspect::parse_codec).transpose().map_err(|e| JsError::new(&e))?;
    let info = match input.as_string() {
        Some(text) => inspect::inspect(inspect::Input::Text(&text), codec),
        None => {
            let bytes = interop::data(&input, "inspectParameterSets(input)")?;
            inspect::inspect(inspect::Input::Bytes(&bytes), codec)
        }
    }
    .map_err(|e| JsError::new(&e))?;
    interop::to_js(&info)
}

/// The catalogue entry of a finding code (`cert.expired`): layer, default severity, title, meaning and
/// remediation; `null` for a code the catalogue does not know.
#[wasm_bindgen(js_name = describeFinding, unchecked_return_type = "FindingInfo | null")]
pub fn describe_finding(code: &str) -> Result<JsValue, JsError> {
    match catalogue::describe(code) {
        Some(info) => interop::to_js(&info),
        None => Ok(JsValue::NULL),
    }
}

/// The `codec.browser_unsupported` finding, worded by core, for a stream this browser's WebCodecs cannot
/// decode (`VideoDecoder.isConfigSupported` said no): the live page adds it to the report it shows, so the
/// preview is never just blank. `browser` (e.g. `navigator.userAgent`) becomes evidence.
#[wasm_bindgen(js_name = browserUnsupportedFinding, unchecked_return_type = "Finding")]
pub fn browser_unsupported_finding(codec_string: &str, browser: Option<String>) -> Result<JsValue, JsError> {
    let browser = browser.filter(|b| !b.is_empty());
    interop::to_js(&rtspeek_core::codec::browser::browser_unsupported(codec_string, browser.as_deref()))
}

/// Every layer of the chain in order, `{ id, label }` (`{ id: "tls", label: "TLS" }`): the page builds its
/// chain and orders findings with it instead of keeping its own list.
#[wasm_bindgen(unchecked_return_type = "LayerInfo[]")]
pub fn layers() -> Result<JsValue, JsError> {
    interop::to_js(&catalogue::layers())
}

/// `text` with the password of every `scheme://user:password@` in it masked as `***`
/// (`rtsps://admin:***@cam/live`), the way core shows URLs in reports and events. A password may hold
/// unescaped `/ ? # @ , %` or spaces: it runs to the last `@` before the next `://`, so this masks too much
/// rather than too little. Text without a password comes back unchanged.
#[wasm_bindgen(js_name = redactUrl)]
pub fn redact_url(text: &str) -> String {
    rtspeek_core::rtsp::url::redact_text(text).into_owned()
}

/// The rtspeek version and the report schema version this module produces.
#[wasm_bindgen(unchecked_return_type = "VersionInfo")]
pub fn version() -> Result<JsValue, JsError> {
    interop::to_js(&catalogue::version())
}
