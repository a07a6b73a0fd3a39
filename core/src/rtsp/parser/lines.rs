//! The line grammar of a message head: start lines (request and status lines) and header lines. Shared by
//! the pass that builds a message and the pass that checks an incomplete head early, so both report the
//! same first error at the same byte: every check runs left to right within a line, lines in order.

use std::borrow::Cow;
use std::ops::Range;

use super::scan::find_control;
use super::{ParseError, Problem};
use crate::rtsp::headers::is_tchar;
use crate::rtsp::message::{StatusCode, Version};
use crate::rtsp::quirks::{QuirkPolicies, QuirkPolicy, Quirks};

/// Why a start line could not be read.
#[derive(Debug)]
pub(super) enum Stop {
    /// The line is incomplete and what is there so far is fine.
    NeedMore,
    /// The line is wrong.
    Invalid(ParseError),
}

impl From<ParseError> for Stop {
    fn from(e: ParseError) -> Self {
        Stop::Invalid(e)
    }
}

// Errors are built out of line: the hot paths then carry no error construction code.
#[cold]
#[inline(never)]
pub(super) fn error(pos: usize, context: &'static str, problem: Problem) -> ParseError {
    ParseError { pos: pos as u64, context, problem }
}

#[cold]
#[inline(never)]
fn expected(pos: usize, context: &'static str, what: &'static str) -> ParseError {
    error(pos, context, Problem::Expected(what))
}

/// A start line.
#[derive(Debug)]
pub(super) enum StartLine<'a> {
    Request { method: &'a str, uri: Cow<'a, str>, version: Version },
    Response { version: Version, status: StatusCode, reason: Cow<'a, str> },
}

/// What a header line is, as byte ranges of the input.
#[derive(Debug)]
pub(super) enum HeaderLine {
    /// `name: value`.
    Field { name: Range<usize>, value: Range<usize> },
    /// A line starting with whitespace: more of the previous field's value.
    Continuation { value: Range<usize> },
    /// The empty line that ends the head.
    End,
}

pub(super) const FIELD_VALUE: &str = "header-line > field-value";
pub(super) const OBS_FOLD: &str = "header-line > obs-fold";
const RTSP_10: &[u8] = b"RTSP/1.0";
const RTSP_20: &[u8] = b"RTSP/2.0";

/// Reads the lines of one message head from `input`, applying the quirk policies and recording the
/// quirks tolerated.
pub(super) struct LineReader<'a, 'p> {
    input: &'a [u8],
    /// The head as text, once known to be UTF-8 as a whole: then a value is a slice, no check needed.
    head: Option<&'a str>,
    policies: &'p QuirkPolicies,
    pub(super) quirks: Quirks,
}

impl<'a, 'p> LineReader<'a, 'p> {
    pub(super) fn new(input: &'a [u8], policies: &'p QuirkPolicies) -> Self {
        LineReader { input, head: None, policies, quirks: Quirks::NONE }
    }

    /// A reader for a complete head `input[..head_end]`, checked as UTF-8 once.
    pub(super) fn for_head(input: &'a [u8], head_end: usize, policies: &'p QuirkPolicies) -> Self {
        let head = input.get(..head_end).and_then(|head| std::str::from_utf8(head).ok());
        LineReader { input, head, policies, quirks: Quirks::NONE }
    }

    /// A line ending at the LF at `lf`: the bare-LF quirk unless a CR precedes it.
    fn line_ending(&mut self, lf: usize) -> Result<(), ParseError> {
        if self.input.get(..lf).is_some_and(|line| line.ends_with(b"\r")) {
            return Ok(());
        }
        if self.policies.bare_lf == QuirkPolicy::Reject {
            return Err(error(lf, "line ending", Problem::BareLf));
        }
        self.quirks.insert(Quirks::BARE_LF);
        Ok(())
    }

    /// `input[range]` as text: a slice of the head when it is all UTF-8, else checked here and read lossily
    /// under the tolerant policy.
    #[inline]
    pub(super) fn text(
        &mut self,
        range: Range<usize>,
        context: &'static str,
    ) -> Result<Cow<'a, str>, ParseError> {
        if let Some(s) = self.head.and_then(|h| h.get(range.clone())) {
            return Ok(Cow::Borrowed(s));
        }
        self.checked_text(range, context)
    }

    #[cold]
    fn checked_text(
        &mut self,
        range: Range<usize>,
        context: &'static str,
    ) -> Result<Cow<'a, str>, ParseError> {
        // Ranges come from this reader's scans of `input`; one past it would be a line never read.
        let Some(bytes) = self.input.get(range.clone()) else {
            return Err(expected(range.start, context, "a complete line"));
        };
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(e) if self.policies.non_utf8 == QuirkPolicy::Reject => {
                Err(error(range.start + e.valid_up_to(), context, Problem::NonUtf8))
            }
            Err(_) => {
                self.quirks.insert(Quirks::NON_UTF8);
                Ok(String::from_utf8_lossy(bytes))
            }
        }
    }

    /// Checks `input[range]` is text the way [`text`](Self::text) would, without building it (only the
    /// strict policy can fail).
    pub(super) fn check_text(
        &mut self,
        range: Range<usize>,
        context: &'static str,
    ) -> Result<(), ParseError> {
        if self.policies.non_utf8 == QuirkPolicy::Reject
            && !self.input.get(range.clone()).is_some_and(<[u8]>::is_ascii)
        {
            self.text(range, context)?;
        }
        Ok(())
    }

    /// Parses the start line `input[start..end]` (line ending excluded). With `lf`, the line is complete and
    /// its ending is checked after its content; without, the line may still grow: running out of bytes is
    /// [`Stop::NeedMore`], but a byte that can never be valid is already an error.
    pub(super) fn start_line(
        &mut self,
        start: usize,
        end: usize,
        lf: Option<usize>,
    ) -> Result<StartLine<'a>, Stop> {
        // A line running past the input is not all there yet.
        let Some(line) = self.input.get(start..end) else { return Err(Stop::NeedMore) };
        let complete = lf.is_some();
        let parsed = match line {
            // A TLS record (alert or handshake, version 3.x): the peer speaks TLS on this connection.
            [0x14..=0x17] if !complete => return Err(Stop::NeedMore),
            [0x14..=0x17, 0x03, ..] => {
                return Err(error(
                    start,
                    "start-line",
                    Problem::NotRtsp("a TLS record (the peer speaks TLS)"),
                )
                .into());
            }
            [b'H', b'T', b'T', b'P', b'/', ..] => {
                return Err(error(
                    start,
                    "start-line",
                    Problem::NotRtsp("an HTTP message (the peer speaks HTTP)"),
                )
                .into());
            }
            [b'R', b'T', b'S', b'P', b'/', ..] => self.status_line(line, start, complete)?,
            _ => self.request_line(line, start, complete)?,
        };
        if let Some(lf) = lf {
            self.line_ending(lf)?;
        }
        Ok(parsed)
    }

    /// The request line `line`, which starts at input offset `start`.
    fn request_line(&mut self, line: &'a [u8], start: usize, complete: bool) -> Result<StartLine<'a>, Stop> {
        let need_or = |e: ParseError| if complete { Stop::Invalid(e) } else { Stop::NeedMore };
        const METHOD: &str = "request-line > Method";
        let m = line.iter().position(|&b| !is_tchar(b)).unwrap_or(line.len());
        if m == 0 {
            if line.is_empty() && !complete {
                return Err(Stop::NeedMore);
            }
            return Err(expected(start, "start-line", "a request method or `RTSP/`").into());
        }
        match line.get(m) {
            None => return Err(need_or(expected(start + m, METHOD, "SP after the method"))),
            Some(b' ') => {}
            Some(_) => return Err(expected(start + m, METHOD, "SP after the method").into()),
        }
        // The method is tchar-only, so ASCII.
        let method = line
            .get(..m)
            .and_then(|method| std::str::from_utf8(method).ok())
            .ok_or_else(|| expected(start, METHOD, "a method token"))?;
        const URI: &str = "request-line > Request-URI";
        let uri_start = m + 1;
        let uri_end = line
            .iter()
            .skip(uri_start)
            .position(|&b| b <= b' ' || b == 0x7f)
            .map_or(line.len(), |i| uri_start + i);
        match line.get(uri_end) {
            None => {
                return Err(need_or(expected(
                    start + uri_end,
                    URI,
                    "SP and the RTSP version after the Request-URI",
                )));
            }
            Some(b' ') => {}
            Some(_) => {
                return Err(expected(
                    start + uri_end,
                    URI,
                    "a Request-URI without spaces or control characters",
                )
                .into());
            }
        }
        if uri_end == uri_start {
            return Err(expected(start + uri_start, URI, "a Request-URI").into());
        }
        let uri = self.text(start + uri_start..start + uri_end, URI)?;
        let version_at = uri_end + 1;
        let version = version(line, version_at, start, complete, "request-line > RTSP-Version")?;
        if line.len() > version_at + RTSP_10.len() {
            let at = start + version_at + RTSP_10.len();
            return Err(expected(at, "request-line", "the end of the line after the version").into());
        }
        Ok(StartLine::Request { method, uri, version })
    }

    /// The status line `line`, which starts at input offset `start`.
    fn status_line(&mut self, line: &'a [u8], start: usize, complete: bool) -> Result<StartLine<'a>, Stop> {
        let version = version(line, 0, start, complete, "status-line > RTSP-Version")?;
        const CODE: &str = "status-line > Status-Code";
        let v = RTSP_10.len();
        match line.get(v) {
            None if !complete => return Err(Stop::NeedMore),
            Some(b' ') => {}
            _ => return Err(expected(start + v, CODE, "SP after the version").into()),
        }
        let mut code: u16 = 0;
        for i in v + 1..v + 4 {
            match line.get(i) {
                None if !complete => return Err(Stop::NeedMore),
                Some(&d @ b'0'..=b'9') if !(i == v + 1 && d == b'0') => {
                    code = code * 10 + u16::from(d - b'0')
                }
                _ => return Err(expected(start + i, CODE, "a three-digit status code 100-999").into()),
            }
        }
        let status =
            StatusCode::new(code).ok_or_else(|| expected(start + v + 1, CODE, "a status code 100-999"))?;
        const REASON: &str = "status-line > Reason-Phrase";
        // The loop above saw the three digits, so the line reaches `v + 4`.
        let reason = match line.get(v + 4..) {
            // `RTSP/1.0 200` without a reason phrase is common enough, and harmless.
            None | Some([]) if complete => Cow::Borrowed(""),
            None | Some([]) => return Err(Stop::NeedMore),
            // The phrase is checked once complete: a partial one may end inside a UTF-8 sequence.
            Some([b' ', ..]) if !complete => return Err(Stop::NeedMore),
            Some([b' ', raw @ ..]) => {
                let phrase = start + v + 5..start + v + 5 + raw.len() - trailing_ws(raw);
                // The trailing whitespace left out holds no NUL or CR.
                if let Some(i) = raw.iter().position(|&b| b == 0 || b == b'\r') {
                    return Err(expected(phrase.start + i, REASON, "text without NUL or CR").into());
                }
                self.text(phrase, REASON)?
            }
            Some([b'0'..=b'9', ..]) => {
                return Err(expected(start + v + 4, CODE, "a three-digit status code 100-999").into());
            }
            Some(_) => return Err(expected(start + v + 4, REASON, "SP before the reason phrase").into()),
        };
        Ok(StartLine::Response { version, status, reason })
    }

    /// Scans the header line starting at `pos`, looking no further than `end`: `None` when the line is not
    /// complete yet, else what it is and where the next line starts. Value ranges are trimmed.
    pub(super) fn header_line(
        &mut self,
        pos: usize,
        end: usize,
    ) -> Result<Option<(HeaderLine, usize)>, ParseError> {
        // Bytes past the input are still to come.
        let Some(input) = self.input.get(..end) else { return Ok(None) };
        let Some(&first) = input.get(pos) else { return Ok(None) };
        match first {
            b'\n' => {
                self.line_ending(pos)?;
                return Ok(Some((HeaderLine::End, pos + 1)));
            }
            // A CR not followed by LF falls through to the name, which refuses it.
            b'\r' => match input.get(pos + 1) {
                None => return Ok(None),
                Some(b'\n') => return Ok(Some((HeaderLine::End, pos + 2))),
                Some(_) => {}
            },
            b' ' | b'\t' => {
                if self.policies.obsolete_folding == QuirkPolicy::Reject {
                    return Err(error(pos, OBS_FOLD, Problem::ObsoleteFolding));
                }
                self.quirks.insert(Quirks::FOLDED_HEADER);
                let Some((value, next)) = self.value(input, pos, OBS_FOLD)? else { return Ok(None) };
                return Ok(Some((HeaderLine::Continuation { value }, next)));
            }
            _ => {}
        }
        const NAME: &str = "header-line > field-name";
        let n = input.iter().skip(pos).position(|&b| !is_tchar(b)).map_or(input.len(), |i| pos + i);
        let Some(&after_name) = input.get(n) else { return Ok(None) };
        if n == pos {
            return Err(expected(pos, NAME, "a header name"));
        }
        if after_name != b':' {
            return Err(expected(n, NAME, "`:` after the header name"));
        }
        let Some((value, next)) = self.value(input, n + 1, FIELD_VALUE)? else { return Ok(None) };
        Ok(Some((HeaderLine::Field { name: pos..n, value }, next)))
    }

    /// Scans a value from `input[from..]` to its line ending: whitespace around it is left out, a NUL or a CR that
    /// does not end the line is refused (a lone CR is a line ending to some parsers and not to others, a
    /// classic of header smuggling), other bytes are kept.
    #[inline]
    fn value(
        &mut self,
        input: &[u8],
        from: usize,
        context: &'static str,
    ) -> Result<Option<(Range<usize>, usize)>, ParseError> {
        let mut start = from;
        while matches!(input.get(start), Some(b' ' | b'\t')) {
            start += 1;
        }
        let mut i = start;
        let (stop, next) = loop {
            let Some(c) = find_control(input, i) else { return Ok(None) };
            match input.get(c..) {
                Some([b'\n', ..]) => {
                    self.line_ending(c)?;
                    break (c, c + 1);
                }
                Some([b'\r']) => return Ok(None),
                Some([b'\r', b'\n', ..]) => break (c, c + 2),
                Some([b'\r' | 0, ..]) => return Err(expected(c, context, "text without NUL or CR")),
                // Tabs (and other control bytes, which some servers send) stay in the value.
                _ => i = c + 1,
            }
        };
        let stop = stop - input.get(start..stop).map_or(0, trailing_ws);
        Ok(Some((start..stop, next)))
    }
}

/// Checks `RTSP/1.0` or `RTSP/2.0` at `line[i..]`; `at` is the line's input offset.
fn version(line: &[u8], i: usize, at: usize, complete: bool, context: &'static str) -> Result<Version, Stop> {
    let have = line.get(i..).unwrap_or_default();
    let have = have.get(..RTSP_10.len()).unwrap_or(have);
    if have == RTSP_10 {
        return Ok(Version::Rtsp10);
    }
    let matching = |v: &[u8]| v.iter().zip(have).take_while(|(a, b)| a == b).count();
    let (m10, m20) = (matching(RTSP_10), matching(RTSP_20));
    if m10 == RTSP_10.len() {
        return Ok(Version::Rtsp10);
    }
    if m20 == RTSP_20.len() {
        return Ok(Version::Rtsp20);
    }
    let good = m10.max(m20);
    if good == have.len() && !complete {
        return Err(Stop::NeedMore);
    }
    Err(expected(at + i + good, context, "`RTSP/1.0` or `RTSP/2.0`").into())
}

fn trailing_ws(bytes: &[u8]) -> usize {
    bytes.iter().rev().take_while(|&&b| b == b' ' || b == b'\t').count()
}
