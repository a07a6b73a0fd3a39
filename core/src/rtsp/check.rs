//! Findings from RTSP exchanges, for the probe: what a response says about the server, with the evidence a
//! person needs (status, reason phrase, header, byte offset), URLs and credentials always redacted.
//!
//! - [`check_response`]: everything about one response to one request;
//! - [`parse_error_finding`]: a stream that stopped being RTSP;
//! - [`quirk_findings`], [`status_finding`], [`header_finding`], [`scheme_downgrade`]: the parts, for callers
//!   that need only one.

use super::headers::{
    CSeq, ContentBase, ContentLocation, ContentType, HeaderError, Location, Public, Range, RetryAfter,
    RtpInfo, Session, Transport, TypedHeader, names,
};
use super::message::{Method, Request, Response};
use super::parser::{ParseError, Problem};
use super::quirks::Quirks;
use super::url::{self, reference_scheme};
use crate::diagnose::Finding;
use crate::diagnose::Severity;
use crate::diagnose::codes::{self, CodeInfo};

/// Every finding about `resp`, the answer to `req`: tolerated quirks, CSeq and version agreement, the
/// status, headers SETUP must carry, malformed headers, and (when the connection is TLS) rtsp:// URLs.
/// A 401 yields nothing here: the auth module reads challenges.
pub fn check_response(req: &Request<'_>, resp: &Response<'_>, session_is_tls: bool) -> Vec<Finding> {
    let mut findings = quirk_findings(resp.quirks);
    let request = request_line(req);
    if resp.version != req.version {
        findings.push(
            Finding::new(
                codes::RTSP_VERSION_MISMATCH,
                format!("{} request answered with {}", req.version, resp.version),
            )
            .with_evidence("request", request.clone())
            .with_evidence("response_version", resp.version.as_str()),
        );
    }
    findings.extend(cseq_finding(req, resp));
    findings.extend(status_finding(req, resp));
    if resp.status.is_success() && req.method == Method::Setup {
        for (name, code) in
            [(names::SESSION, codes::RTSP_SESSION_MISSING), (names::TRANSPORT, codes::RTSP_TRANSPORT_MISSING)]
        {
            if !resp.headers.contains(name) {
                findings.push(
                    Finding::new(code, format!("SETUP answered {} without a {name} header", resp.status))
                        .with_evidence("request", request.clone()),
                );
            }
        }
    }
    findings.extend(header_findings(resp));
    if session_is_tls {
        findings.extend(scheme_downgrade(resp));
    }
    findings
}

/// `METHOD url` with any password masked.
fn request_line(req: &Request<'_>) -> String {
    format!("{} {}", req.method, url::redact_text(&req.uri))
}

/// The findings for the quirks the parser tolerated in a message.
pub fn quirk_findings(quirks: Quirks) -> Vec<Finding> {
    let mut findings = Vec::new();
    if quirks.contains(Quirks::BARE_LF) {
        findings.push(Finding::new(
            codes::RTSP_LINE_ENDINGS,
            "The server ends lines with LF alone instead of CRLF",
        ));
    }
    if quirks.contains(Quirks::FOLDED_HEADER) {
        findings.push(Finding::new(codes::RTSP_HEADER_FOLDING, "A header is folded over several lines"));
    }
    if quirks.contains(Quirks::NON_UTF8) {
        findings.push(Finding::new(
            codes::RTSP_HEADER_ENCODING,
            "Header text is not UTF-8 (read with replacement characters)",
        ));
    }
    findings
}

fn cseq_finding(req: &Request<'_>, resp: &Response<'_>) -> Option<Finding> {
    // A request without a (valid) CSeq has nothing to compare with; that is the client's problem.
    let Ok(Some(CSeq(sent))) = req.headers.typed::<CSeq>() else { return None };
    match resp.headers.typed::<CSeq>() {
        Ok(Some(CSeq(got))) if got == sent => None,
        Ok(Some(CSeq(got))) => Some(
            Finding::new(codes::RTSP_CSEQ_MISMATCH, format!("Request CSeq {sent} answered with CSeq {got}"))
                .with_evidence("request", request_line(req))
                .with_evidence("request_cseq", sent.to_string())
                .with_evidence("response_cseq", got.to_string()),
        ),
        Ok(None) => Some(
            Finding::new(codes::RTSP_CSEQ_MISSING, format!("The response to CSeq {sent} has no CSeq header"))
                .with_evidence("request", request_line(req))
                .with_evidence("request_cseq", sent.to_string()),
        ),
        Err(e) => Some(header_finding(&e).with_severity(Severity::Error)),
    }
}

/// The finding a non-2xx status deserves (`None` for 1xx, 2xx and 401, which the auth module handles).
pub fn status_finding(req: &Request<'_>, resp: &Response<'_>) -> Option<Finding> {
    let code = resp.status.as_u16();
    let info: &'static CodeInfo = match code {
        100..=299 | 401 => return None,
        300..=399 => codes::RTSP_REDIRECT,
        400 => codes::RTSP_STATUS_BAD_REQUEST,
        403 => codes::RTSP_STATUS_FORBIDDEN,
        404 => codes::RTSP_STATUS_NOT_FOUND,
        405 => codes::RTSP_METHOD_NOT_ALLOWED,
        454 => codes::RTSP_SESSION_NOT_FOUND,
        455 => codes::RTSP_METHOD_NOT_VALID,
        461 => codes::RTSP_UNSUPPORTED_TRANSPORT,
        402..=499 => codes::RTSP_CLIENT_ERROR,
        500..=599 => codes::RTSP_SERVER_ERROR,
        _ => codes::RTSP_STATUS_UNKNOWN,
    };
    let shown_reason = if resp.reason.is_empty() { "(no reason phrase)" } else { &resp.reason };
    let mut finding = Finding::new(info, format!("{} answered {} {}", request_line(req), code, shown_reason))
        .with_evidence("request", request_line(req))
        .with_evidence("status", code.to_string())
        .with_evidence("reason", url::redact_text(&resp.reason));
    if let Some(location) = resp.headers.get(names::LOCATION) {
        finding = finding.with_evidence("location", url::redact_text(location));
    }
    if let Some(retry) = resp.headers.get(names::RETRY_AFTER) {
        finding = finding.with_evidence("retry_after", retry);
    }
    if info == codes::RTSP_UNSUPPORTED_TRANSPORT
        && let Some(offered) = req.headers.get(names::TRANSPORT)
    {
        finding = finding.with_evidence("offered_transport", offered);
    }
    Some(finding)
}

/// The finding for a malformed header value.
pub fn header_finding(err: &HeaderError) -> Finding {
    Finding::new(
        codes::RTSP_BAD_HEADER,
        format!("{} header does not parse at byte {}: expected {}", err.header, err.pos, err.expected),
    )
    .with_evidence("header", err.header)
    .with_evidence("value", err.value.clone())
    .with_evidence("byte_offset", err.pos.to_string())
}

/// Parses every typed header a response may carry and reports those that do not follow their grammar.
/// Session and Transport are errors (the session cannot go on), the others warnings.
fn header_findings(resp: &Response<'_>) -> Vec<Finding> {
    fn check<T: TypedHeader>(resp: &Response<'_>, severity: Severity, out: &mut Vec<Finding>) {
        if let Err(e) = resp.headers.typed::<T>() {
            out.push(header_finding(&e).with_severity(severity));
        }
    }
    let mut out = Vec::new();
    check::<Session>(resp, Severity::Error, &mut out);
    check::<Transport>(resp, Severity::Error, &mut out);
    check::<RtpInfo>(resp, Severity::Warning, &mut out);
    check::<Range>(resp, Severity::Warning, &mut out);
    check::<ContentBase>(resp, Severity::Warning, &mut out);
    check::<ContentLocation>(resp, Severity::Warning, &mut out);
    check::<Location>(resp, Severity::Warning, &mut out);
    check::<ContentType>(resp, Severity::Warning, &mut out);
    check::<Public>(resp, Severity::Warning, &mut out);
    check::<RetryAfter>(resp, Severity::Warning, &mut out);
    out
}

/// One finding listing every `rtsp://` URL the response hands out (Content-Base, Content-Location,
/// Location, RTP-Info), for a response received over TLS.
pub fn scheme_downgrade(resp: &Response<'_>) -> Option<Finding> {
    let mut evidence = Vec::new();
    for name in [names::CONTENT_BASE, names::CONTENT_LOCATION, names::LOCATION] {
        for value in resp.headers.get_all(name) {
            if is_cleartext(value.trim()) {
                evidence.push((name, url::redact_text(value.trim()).into_owned()));
            }
        }
    }
    if let Ok(Some(info)) = resp.headers.typed::<RtpInfo>() {
        for entry in &info.0 {
            if is_cleartext(entry.url.as_str()) {
                evidence.push((names::RTP_INFO, entry.url.to_string()));
            }
        }
    }
    let (first_header, _) = evidence.first()?;
    let mut finding = Finding::new(
        codes::RTSP_SCHEME_DOWNGRADE,
        format!("The server hands out rtsp:// URLs inside a TLS session ({first_header})"),
    );
    for (label, value) in evidence {
        finding = finding.with_evidence(label, value);
    }
    Some(finding)
}

fn is_cleartext(reference: &str) -> bool {
    reference_scheme(reference)
        .is_some_and(|s| s.eq_ignore_ascii_case("rtsp") || s.eq_ignore_ascii_case("rtspu"))
}

/// The finding for a byte stream that stopped being RTSP. `bytes` are bytes of the stream starting at stream
/// offset `bytes_start` (the buffer given to the parser): the line around the error goes into the evidence,
/// escaped and with credentials masked.
pub fn parse_error_finding(err: &ParseError, bytes: &[u8], bytes_start: u64) -> Finding {
    let code = match err.problem {
        Problem::NotRtsp(_) => codes::RTSP_WRONG_PROTOCOL,
        _ => codes::RTSP_BAD_MESSAGE,
    };
    let mut finding = Finding::new(code, format!("Invalid RTSP at byte {}: {}", err.pos, err.problem))
        .with_evidence("byte_offset", err.pos.to_string())
        .with_evidence("rule", err.context)
        .with_evidence("problem", err.problem.to_string());
    if let Some(line) = err
        .pos
        .checked_sub(bytes_start)
        .and_then(|rel| usize::try_from(rel).ok())
        .and_then(|rel| excerpt(bytes, rel))
    {
        finding = finding.with_evidence("line", line);
    }
    finding
}

/// The line of `bytes` holding offset `pos` (at most 120 bytes of it, around `pos`), escaped, with
/// credentials masked. `None` when `pos` is outside `bytes`.
fn excerpt(bytes: &[u8], pos: usize) -> Option<String> {
    const MAX: usize = 120;
    let (before, after) = bytes.split_at_checked(pos)?;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line_end = after.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| pos + i + 1);
    let from = line_start.max(pos.saturating_sub(MAX / 2));
    let to = line_end.min(from + MAX);
    let line = bytes.get(from..to)?;
    // The header name, when the line is that of a credentials header.
    let secret = |name: &str| match line.split_at_checked(name.len()) {
        Some((key, [b':', ..])) if key.eq_ignore_ascii_case(name.as_bytes()) => Some(key),
        _ => None,
    };
    if from == line_start
        && let Some(key) = secret(names::AUTHORIZATION).or_else(|| secret(names::PROXY_AUTHORIZATION))
    {
        return Some(format!("{}: ***", String::from_utf8_lossy(key)));
    }
    let mut out = String::with_capacity(line.len());
    for &b in line {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    Some(url::redact_text(&out).into_owned())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn excerpts_are_escaped_bounded_and_masked() {
        let bytes = b"RTSP/1.0 200 OK\r\nX: a\x00b\tc\\\r\n\r\n";
        assert_eq!(excerpt(bytes, 21).as_deref(), Some("X: a\\x00b\\tc\\\\\\r\\n"));
        assert_eq!(excerpt(bytes, 0).as_deref(), Some("RTSP/1.0 200 OK\\r\\n"));
        assert_eq!(excerpt(bytes, bytes.len()).as_deref(), Some(""));
        assert_eq!(excerpt(bytes, bytes.len() + 1), None);
        let secret = b"DESCRIBE rtsp://h/ RTSP/1.0\r\nauthorization: Basic YWRtaW46c2VjcmV0\x00\r\n\r\n";
        assert_eq!(excerpt(secret, 60).as_deref(), Some("authorization: ***"));
        let url = b"PLAY rtsp://admin:secret@cam/ RTSP/1.0 x\r\n";
        assert_eq!(excerpt(url, 38).as_deref(), Some("PLAY rtsp://admin:***@cam/ RTSP/1.0 x\\r\\n"));
        let long = [b"X: ".as_slice(), &[b'a'; 500], b"\x00\r\n"].concat();
        assert_eq!(excerpt(&long, 503).map(|l| l.len()), Some(120 - 60 + "\\x00\\r\\n".len()));
    }

    #[test]
    fn parse_errors_outside_the_given_bytes_have_no_line() {
        let err = ParseError { pos: 5, context: "start-line", problem: Problem::NotRtsp("x") };
        let f = parse_error_finding(&err, b"abc", 10);
        assert_eq!(f.code, codes::RTSP_WRONG_PROTOCOL.code);
        assert!(f.evidence.iter().all(|e| e.label != "line"));
    }
}
