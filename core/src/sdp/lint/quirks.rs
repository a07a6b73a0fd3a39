//! Parser issues as findings. Cosmetic quirks that tend to repeat on many lines (whitespace, blank lines,
//! order) become one finding per code listing the first lines; the others one finding per line.

use super::{MAX_LINES_SHOWN, at_line, shown};
use crate::diagnose::codes::{self, CodeInfo};
use crate::diagnose::{Finding, Severity};
use crate::sdp::model::{LineKind, SessionDescription};
use crate::sdp::parse::{Issue, IssueKind};

/// How a quirk that repeats is grouped: its code, and the summary for `n` lines.
struct Group {
    code: &'static CodeInfo,
    summary: fn(usize) -> String,
    /// Show the line quoted, so that invisible whitespace shows.
    quoted: bool,
}

const TRAILING: Group = Group {
    code: codes::SDP_TRAILING_WHITESPACE,
    summary: |n| format!("{n} line{} end{} in spaces or tabs", plural(n), if n == 1 { "s" } else { "" }),
    quoted: true,
};
const LEADING: Group = Group {
    code: codes::SDP_LEADING_WHITESPACE,
    summary: |n| {
        format!("{n} line{} start{} with spaces or tabs: strict parsers ignore them", plural(n), verb_s(n))
    },
    quoted: true,
};
const BLANK: Group = Group {
    code: codes::SDP_BLANK_LINE,
    summary: |n| format!("{n} empty line{} inside the description", plural(n)),
    quoted: false,
};
const ORDER: Group = Group {
    code: codes::SDP_LINE_ORDER,
    summary: |n| format!("{n} line{} out of the order RFC 8866 prescribes", plural(n)),
    quoted: false,
};

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn verb_s(n: usize) -> &'static str {
    if n == 1 { "s" } else { "" }
}

/// `s=`-style name of a line kind.
fn letter(kind: LineKind) -> String {
    kind.letter().map_or_else(|| "?".to_owned(), |c| format!("{c}="))
}

/// What a required line is for.
fn line_name(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Origin => "origin",
        LineKind::SessionName => "session name",
        LineKind::Timing => "timing",
        _ => "line",
    }
}

/// Adds the findings for the parser's issues.
pub(super) fn findings(sdp: &SessionDescription<'_>, out: &mut Vec<Finding>) {
    let issues = sdp.issues();
    for group in [TRAILING, LEADING, BLANK, ORDER] {
        let members: Vec<&Issue<'_>> =
            issues.iter().filter(|i| group_of(i.kind).is_some_and(|g| g.code == group.code)).collect();
        if !members.is_empty() {
            let mut f = Finding::new(group.code, (group.summary)(members.len()));
            for issue in members.iter().take(MAX_LINES_SHOWN) {
                let value = if group.quoted { format!("{:?}", shown(issue.text)) } else { shown(issue.text) };
                let value = match issue.kind {
                    IssueKind::OutOfOrder { after } => format!("{value}   (after {})", letter(after)),
                    _ => value,
                };
                f = f.with_evidence(format!("line {}", issue.line), value);
            }
            if members.len() > MAX_LINES_SHOWN {
                f = f.with_evidence("more", format!("{} more lines", members.len() - MAX_LINES_SHOWN));
            }
            out.push(f);
        }
    }
    for issue in issues.iter().filter(|i| group_of(i.kind).is_none()) {
        if let Some(f) = single(sdp, issue) {
            out.push(f);
        }
    }
}

/// The group of a quirk that is reported once for all its lines.
fn group_of(kind: IssueKind) -> Option<&'static Group> {
    match kind {
        IssueKind::TrailingWhitespace => Some(&TRAILING),
        IssueKind::LeadingWhitespace => Some(&LEADING),
        IssueKind::BlankLine => Some(&BLANK),
        IssueKind::OutOfOrder { .. } => Some(&ORDER),
        _ => None,
    }
}

/// The finding for one issue that is reported on its own.
fn single(sdp: &SessionDescription<'_>, issue: &Issue<'_>) -> Option<Finding> {
    let n = issue.line;
    let f = match issue.kind {
        IssueKind::InvalidUtf8 => Finding::new(
            codes::SDP_INVALID_TEXT,
            format!("line {n} holds bytes that are not UTF-8 (shown as \u{fffd}), likely Latin-1 text"),
        ),
        IssueKind::ByteOrderMark => {
            Finding::new(codes::SDP_INVALID_TEXT, "the description starts with a UTF-8 byte order mark")
        }
        IssueKind::TrailingNul { count } => Finding::new(
            codes::SDP_INVALID_TEXT,
            format!("{count} NUL byte{} after the last line", plural(count as usize)),
        ),
        IssueKind::ControlCharacter => {
            Finding::new(codes::SDP_INVALID_TEXT, format!("line {n} holds a control character"))
        }
        IssueKind::BareLf { lf_lines, crlf_lines: 0 } => {
            Finding::new(codes::SDP_LINE_ENDINGS, format!("lines end in LF, not CRLF ({lf_lines} lines)"))
        }
        IssueKind::BareLf { lf_lines, crlf_lines } => Finding::new(
            codes::SDP_LINE_ENDINGS,
            format!(
                "mixed line endings: {lf_lines} line{} in LF, {crlf_lines} in CRLF",
                if lf_lines == 1 { " ends" } else { "s end" }
            ),
        ),
        IssueKind::MissingVersion => Finding::new(codes::SDP_MISSING_VERSION, "no v=0 line"),
        IssueKind::VersionNotFirst => {
            Finding::new(codes::SDP_MISSING_VERSION, format!("v=0 is on line {n}, not the first line"))
        }
        IssueKind::MissingLine(kind) => {
            let f = Finding::new(
                codes::SDP_MISSING_REQUIRED_LINE,
                format!("no {} line ({})", letter(kind), line_name(kind)),
            );
            let session = sdp.session().lines();
            return Some(match (session.first(), session.last()) {
                (Some(first), Some(last)) => f.with_evidence(
                    "session section",
                    format!("lines {}-{}: {}", first.number, last.number, kinds(session)),
                ),
                _ => f.with_evidence("session section", "empty"),
            });
        }
        IssueKind::SessionLineInMedia => Finding::new(
            codes::SDP_LINE_ORDER,
            format!("session-level {} line inside a media section", letter(kind_at(sdp, n))),
        )
        .with_severity(Severity::Warning)
        .with_detail("Strict parsers reject a session-level line after the first m= line."),
        IssueKind::Duplicate => Finding::new(
            codes::SDP_DUPLICATE_LINE,
            format!("second {} line in the section", letter(kind_at(sdp, n))),
        ),
        IssueKind::UnknownType => Finding::new(
            codes::SDP_UNKNOWN_LINE_TYPE,
            format!("line {n} has type letter {}, which RFC 8866 does not define", letter(kind_at(sdp, n))),
        ),
        IssueKind::NotATypeLine => {
            Finding::new(codes::SDP_MALFORMED_LINE, format!("line {n} is not a <letter>=<value> line"))
        }
        IssueKind::BadValue(why) => {
            let f = Finding::new(codes::SDP_MALFORMED_LINE, format!("line {n}: {why}"));
            if kind_at(sdp, n) == LineKind::Media {
                f.with_severity(Severity::Error)
                    .with_detail("Clients cannot set up a media section whose m= line they cannot read.")
            } else {
                f
            }
        }
        IssueKind::MediaAttributeInSession => Finding::new(
            codes::SDP_MISPLACED_ATTRIBUTE,
            format!("line {n} describes a payload type before any m= line"),
        )
        .with_detail("rtspeek applies it to media with that payload type; strict clients ignore it."),
        // Grouped kinds are handled by `findings`.
        _ => return None,
    };
    Some(if n == 0 { f } else { at_line(f, n, issue.text) })
}

/// The kind of the line numbered `n` (malformed when it is not a stored line).
fn kind_at(sdp: &SessionDescription<'_>, n: u32) -> LineKind {
    sdp.line(n).map_or(LineKind::Malformed, |l| l.kind)
}

/// The letters of a run of lines, `v o s a`.
fn kinds(lines: &[crate::sdp::Line<'_>]) -> String {
    let mut letters: Vec<String> = lines.iter().filter_map(|l| l.kind.letter()).map(String::from).collect();
    letters.dedup();
    letters.join(" ")
}
