//! The lint: what is wrong with a description, as `sdp.*` findings whose evidence is the line number and
//! the line, plus the facts (media, codecs, controls, picture size from the SPS).

mod h26x;
mod media;

pub use media::MAX_MEDIA;
mod quirks;

use super::facts::SdpFacts;
use super::model::{LineKind, SessionDescription};
use super::parse::{SdpError, SdpText};
use crate::diagnose::{Finding, Layer, Report, ReportBuilder};

/// At most this many lines are listed as evidence of a quirk that repeats.
const MAX_LINES_SHOWN: usize = 5;

/// Lines are shown in evidence up to this many characters.
const MAX_SHOWN_CHARS: usize = 300;

/// The outcome of checking a description: findings and facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdpCheck {
    /// Every finding, in discovery order (quirks first, then media by media).
    pub findings: Vec<Finding>,
    /// What the description says.
    pub facts: SdpFacts,
}

impl SdpCheck {
    /// Lints a parsed description.
    pub fn of(sdp: &SessionDescription<'_>) -> SdpCheck {
        let mut findings = Vec::new();
        quirks::findings(sdp, &mut findings);
        let media = media::check(sdp, &mut findings);
        let session = sdp.session();
        let facts = SdpFacts {
            lines: sdp.line_count(),
            session_name: sdp.session_name().filter(|s| !s.is_empty()).map(str::to_owned),
            control: session.control().map(str::to_owned),
            range: session.attribute_value("range").map(str::to_owned),
            media,
        };
        SdpCheck { findings, facts }
    }

    /// A report about `target` covering the SDP layer, with the facts in `facts.sdp`.
    pub fn into_report(self, target: impl Into<String>) -> Report {
        let mut builder = ReportBuilder::new(target, &[Layer::Sdp]);
        builder.reached(Layer::Sdp).extend(self.findings);
        builder.facts_mut().sdp = Some(self.facts);
        builder.finish()
    }
}

/// Parses and lints a description given as bytes (as received in a DESCRIBE response body or read from a
/// file). Errors only when the input is not a session description at all.
///
/// ```
/// let check = rtspeek_core::sdp::check(b"v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=cam\r\nt=0 0\r\n\
///     m=video 0 RTP/AVP 96\r\na=control:trackID=1\r\n")?;
/// // Payload type 96 is dynamic and has no rtpmap: clients cannot tell the codec.
/// assert!(check.findings.iter().any(|f| f.code == "sdp.missing_rtpmap"));
/// # Ok::<(), rtspeek_core::sdp::SdpError>(())
/// ```
pub fn check(bytes: &[u8]) -> Result<SdpCheck, SdpError> {
    let text = SdpText::from_bytes(bytes);
    let sdp = text.parse()?;
    Ok(SdpCheck::of(&sdp))
}

/// The findings for a parsed description (see [`SdpCheck::of`] for the facts too).
pub fn lint(sdp: &SessionDescription<'_>) -> Vec<Finding> {
    SdpCheck::of(sdp).findings
}

/// Adds evidence `line N` with the line's text.
fn at_line(finding: Finding, number: u32, text: &str) -> Finding {
    finding.with_evidence(format!("line {number}"), shown(text))
}

/// Adds evidence for each of `lines` (number, text): at most [`MAX_LINES_SHOWN`], then how many more there are.
fn at_lines<'t>(mut finding: Finding, lines: impl IntoIterator<Item = (u32, &'t str)>) -> Finding {
    let mut more = 0usize;
    for (i, (number, text)) in lines.into_iter().enumerate() {
        if i < MAX_LINES_SHOWN {
            finding = at_line(finding, number, text);
        } else {
            more += 1;
        }
    }
    if more > 0 {
        finding =
            finding.with_evidence("more", format!("{more} more line{}", if more == 1 { "" } else { "s" }));
    }
    finding
}

/// Adds evidence for line `number` of `sdp` (nothing when it is not a stored line).
fn at(finding: Finding, sdp: &SessionDescription<'_>, number: u32) -> Finding {
    match sdp.line(number) {
        Some(line) => at_line(finding, number, line.text),
        None => finding,
    }
}

/// A line as evidence: key material redacted, control characters escaped (a description must not drive the
/// terminal that shows the report), long lines shortened.
fn shown(text: &str) -> String {
    let text = truncated(&crate::srtp::redact_keys(text), MAX_SHOWN_CHARS);
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
            .collect()
    } else {
        text
    }
}

/// At most `max` characters of `text`, with `...` when cut.
fn truncated(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// The letter-and-equals name of a line kind, `a=`.
fn kind_name(kind: LineKind) -> String {
    kind.letter().map_or_else(|| "?".to_owned(), |c| format!("{c}="))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::shown;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shown("s=cam\x1b[2J\x07"), "s=cam\\u{1b}[2J\\u{7}");
        assert_eq!(shown("s=caméra\t"), "s=caméra\\t");
    }

    #[test]
    fn long_lines_are_shortened_on_a_char_boundary() {
        let long = "é".repeat(400);
        let s = shown(&long);
        assert!(s.ends_with("...") && s.chars().count() == 303, "{}", s.chars().count());
    }
}
