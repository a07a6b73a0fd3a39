//! The diagnosis model: what every rtspeek output (CLI text, JSON, WebSocket events, the wasm API) is made of.
//!
//! A [`Report`] is a list of [`LayerResult`]s in chain order, every [`Finding`] with its evidence, the first broken
//! layer and a [`Verdict`]. Findings carry stable dotted codes from the [`codes`] catalogue. The JSON form is
//! documented in `docs/report-schema.md` and versioned by [`REPORT_SCHEMA_VERSION`].
//!
//! The report's [`facts`] (what was observed, even when nothing is wrong) belong to the model too: the live probe
//! fills them in, offline checks fill in their part, and nothing here depends on who did.

pub mod codes;
pub mod facts;
mod finding;
mod report;

pub use codes::CodeInfo;
pub use finding::{Evidence, Finding, Layer, Severity};
pub use report::{
    Facts, LayerResult, LayerStatus, REPORT_SCHEMA_VERSION, Report, ReportBuilder, TrustOutcome, TrustStatus,
    TrustStore, Verdict,
};
