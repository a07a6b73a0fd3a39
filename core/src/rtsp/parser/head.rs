//! Reading a message head: finding where it ends, checking it while it arrives, building it once complete.
//!
//! A head that arrives whole (the usual case) is found with one SWAR search for the empty line, checked
//! as UTF-8 once, and built in one pass. A head that arrives in pieces is checked line by line as the lines
//! complete, remembering how far it got ([`Progress`]), so garbage is reported as soon as it is visible and a
//! head fed one byte at a time costs linear time; once its empty line arrives it is built like a whole one.
//! Both paths run the same line grammar in the same order, so they report the same first error.

use std::borrow::Cow;

use super::lines::{FIELD_VALUE, HeaderLine, LineReader, OBS_FOLD, StartLine, Stop, error};
use super::scan::find_lf;
use super::{Limits, ParseError, ParserConfig, Problem};
use crate::rtsp::headers::{Header, Headers, names};
use crate::rtsp::message::{Method, Request, Response};

/// How much of a partial start line is checked on each call: enough to recognise another protocol or a
/// broken status line at once, bounded so that a long line arriving byte by byte is not rescanned whole.
const EARLY_CHECK: usize = 256;

/// What earlier calls learned about an incomplete message, so the next call does not redo it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Progress {
    /// Whether a call has looked at this message already (the first call tries the whole-head path).
    started: bool,
    /// No LF before this offset beyond the checked lines.
    searched: usize,
    /// Complete head lines already checked, header fields among them, and where the next line starts.
    lines: usize,
    fields: usize,
    next_line: usize,
    /// The full message length, once the head is built and only the body is missing.
    pub(super) total: Option<usize>,
    /// The input length of the last call: a shorter input breaks the contract, and resets the progress.
    pub(super) seen: usize,
}

/// A built head: the message without its body.
pub(super) enum Head<'a> {
    Request(Request<'a>),
    Response(Response<'a>),
}

/// A complete head: the message, where the head ends, and the body length from Content-Length.
pub(super) struct BuiltHead<'a> {
    pub(super) head: Head<'a>,
    pub(super) end: usize,
    pub(super) body_len: usize,
}

/// Reads the head starting at `start` (after blank lines): `None` while it is incomplete.
pub(super) fn read_head<'a>(
    input: &'a [u8],
    start: usize,
    config: &ParserConfig,
    progress: &mut Progress,
) -> Result<Option<BuiltHead<'a>>, ParseError> {
    let limit = config.limits.max_head_bytes;
    let window = input.get(..limit).unwrap_or(input);
    let whole = if progress.started { None } else { find_head_end(window, start) };
    progress.started = true;
    let end = match whole {
        Some(end) => end,
        None => match check_lines(window, start, config, progress)? {
            Some(end) => end,
            None if window.len() == limit => {
                return Err(error(limit, "message-head", Problem::HeadTooLarge { limit }));
            }
            None => return Ok(None),
        },
    };
    build(input, start, end, config).map(Some)
}

/// The offset just past the empty line that ends the head, if it is in `window`.
fn find_head_end(window: &[u8], start: usize) -> Option<usize> {
    let mut from = start;
    while let Some(lf) = find_lf(window, from) {
        match window.get(lf + 1..) {
            Some([b'\n', ..]) => return Some(lf + 2),
            Some([b'\r', b'\n', ..]) => return Some(lf + 3),
            _ => from = lf + 1,
        }
    }
    None
}

/// The start line `input[start..]`, complete up to the LF at `lf`.
fn complete_start_line<'a>(
    reader: &mut LineReader<'a, '_>,
    input: &[u8],
    start: usize,
    lf: usize,
) -> Result<StartLine<'a>, ParseError> {
    let end = if lf > start && input.get(lf - 1) == Some(&b'\r') { lf - 1 } else { lf };
    match reader.start_line(start, end, Some(lf)) {
        Ok(s) => Ok(s),
        Err(Stop::Invalid(e)) => Err(e),
        Err(Stop::NeedMore) => Err(error(end, "start-line", Problem::Expected("a complete start line"))),
    }
}

/// Checks the lines of a head whose end has not been seen, continuing from `progress`: only complete
/// lines, plus the start line while it is short. Returns the head's end if its empty line is among them.
fn check_lines(
    window: &[u8],
    start: usize,
    config: &ParserConfig,
    progress: &mut Progress,
) -> Result<Option<usize>, ParseError> {
    let mut reader = LineReader::new(window, &config.quirks);
    if progress.lines == 0 {
        let Some(lf) = find_lf(window, progress.searched.max(start)) else {
            // Check the first EARLY_CHECK bytes of the partial line (all of it once the window is full):
            // the same bytes whatever the reads were, so the same verdict.
            let full = window.len() == config.limits.max_head_bytes;
            let mut end = if full { window.len() } else { window.len().min(start + EARLY_CHECK) };
            if end == window.len() && end > start && window.get(end - 1) == Some(&b'\r') {
                end -= 1; // May be half of a CRLF.
            }
            if let Err(Stop::Invalid(e)) = reader.start_line(start, end, None) {
                return Err(e);
            }
            progress.searched = window.len();
            return Ok(None);
        };
        complete_start_line(&mut reader, window, start, lf)?;
        progress.lines = 1;
        progress.next_line = lf + 1;
    }
    loop {
        let pos = progress.next_line;
        // Only complete lines: a partial one is not rescanned on every call.
        if find_lf(window, progress.searched.max(pos)).is_none() {
            progress.searched = window.len();
            return Ok(None);
        }
        let Some((line, next)) = reader.header_line(pos, window.len())? else {
            progress.searched = window.len();
            return Ok(None);
        };
        match line {
            HeaderLine::End => return Ok(Some(next)),
            HeaderLine::Field { value, .. } => {
                check_field_count(progress.fields, true, pos, &config.limits)?;
                reader.check_text(value, FIELD_VALUE)?;
                progress.fields += 1;
            }
            HeaderLine::Continuation { value } => {
                check_field_count(progress.fields, false, pos, &config.limits)?;
                reader.check_text(value, OBS_FOLD)?;
            }
        }
        progress.lines += 1;
        progress.next_line = next;
    }
}

/// Fails when one more header line would go over the limit; continuation lines may not come first.
fn check_field_count(fields: usize, is_field: bool, at: usize, limits: &Limits) -> Result<(), ParseError> {
    if !is_field && fields == 0 {
        return Err(error(at, OBS_FOLD, Problem::Expected("a header name, not a continuation line")));
    }
    if is_field && fields >= limits.max_headers {
        return Err(error(at, "header-line", Problem::TooManyHeaders { limit: limits.max_headers }));
    }
    Ok(())
}

/// Builds the head `input[start..end]` and reads its Content-Length (checked after every line, so that
/// the first error is the same whether the head came whole or in pieces).
fn build<'a>(
    input: &'a [u8],
    start: usize,
    end: usize,
    config: &ParserConfig,
) -> Result<BuiltHead<'a>, ParseError> {
    let mut reader = LineReader::for_head(input, end, &config.quirks);
    // The first LF of the head (before `end`, which follows the head's empty line).
    let first_lf = find_lf(input, start).filter(|&lf| lf < end).unwrap_or(end);
    let first = complete_start_line(&mut reader, input, start, first_lf)?;
    let mut entries: Vec<Header<'a>> = Vec::with_capacity(16);
    let mut content_lengths: Vec<(usize, usize)> = Vec::new();
    let mut pos = first_lf + 1;
    loop {
        let Some((line, next)) = reader.header_line(pos, end)? else {
            // `end` follows the empty line, so every line before it is complete.
            return Err(error(pos, "message-head", Problem::Expected("a complete header line")));
        };
        match line {
            HeaderLine::End => break,
            HeaderLine::Field { name, value } => {
                check_field_count(entries.len(), true, pos, &config.limits)?;
                let name = reader.text(name, "header-line > field-name")?;
                let value_at = value.start;
                let value = reader.text(value, FIELD_VALUE)?;
                if name.eq_ignore_ascii_case(names::CONTENT_LENGTH) {
                    content_lengths.push((entries.len(), value_at));
                }
                entries.push(Header { name, value });
            }
            HeaderLine::Continuation { value } => {
                check_field_count(entries.len(), false, pos, &config.limits)?;
                let value = reader.text(value, OBS_FOLD)?;
                if let Some(last) = entries.last_mut()
                    && !value.is_empty()
                {
                    let joined = last.value.to_mut();
                    if !joined.is_empty() {
                        joined.push(' ');
                    }
                    joined.push_str(&value);
                }
            }
        }
        pos = next;
    }
    let body_len = content_length(&entries, &content_lengths, config.limits.max_body_bytes)?;
    let quirks = reader.quirks;
    let headers = Headers::from(entries);
    let head = match first {
        StartLine::Request { method, uri, version } => Head::Request(Request {
            method: Method::from_token(method),
            uri,
            version,
            headers,
            body: Cow::Borrowed(&[]),
            quirks,
        }),
        StartLine::Response { version, status, reason } => {
            Head::Response(Response { version, status, reason, headers, body: Cow::Borrowed(&[]), quirks })
        }
    };
    Ok(BuiltHead { head, end, body_len })
}

/// The body length: the Content-Length headers (entry index, value offset) must agree and fit the limit.
fn content_length(entries: &[Header<'_>], at: &[(usize, usize)], limit: usize) -> Result<usize, ParseError> {
    let mut length: Option<u64> = None;
    for &(index, pos) in at {
        // Each index was taken as its header was pushed; were one missing, its empty value is an error.
        let value = entries.get(index).map_or("", |header| &header.value);
        let digits = value.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits != value.len() {
            return Err(error(
                pos + digits,
                "Content-Length",
                Problem::Expected("a length in decimal digits"),
            ));
        }
        let n = value
            .parse::<u64>()
            .map_err(|_| error(pos, "Content-Length", Problem::Expected("a length below 2^64")))?;
        match length {
            Some(first) if first != n => {
                return Err(error(pos, "Content-Length", Problem::ConflictingContentLength));
            }
            Some(_) => {}
            None => {
                if usize::try_from(n).map_or(true, |n| n > limit) {
                    return Err(error(pos, "Content-Length", Problem::BodyTooLarge { length: n, limit }));
                }
                length = Some(n);
            }
        }
    }
    // The limit check above makes the conversion exact.
    Ok(length.map_or(0, |n| usize::try_from(n).unwrap_or(limit)))
}
