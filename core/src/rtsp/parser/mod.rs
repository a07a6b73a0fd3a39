//! The streaming parser: a byte stream of RTSP requests, responses and `$`-framed interleaved packets in,
//! one borrowed [`Message`] at a time out.
//!
//! [`parse`] looks at a buffer that starts at a message boundary and answers one of three things:
//! [`Parsed::Message`] with the number of bytes it used, [`Parsed::Incomplete`] with how many more bytes it
//! needs when that is known, or a [`ParseError`] naming the byte offset, the grammar rule and the problem.
//! [`Parser::feed`] does the same over a connection: it keeps the stream offset (so error positions can
//! be found in a capture) and remembers how far it has looked, so a head arriving one byte at a time costs
//! linear time, not quadratic.
//!
//! ```
//! use rtspeek_core::rtsp::{Message, Parsed, Parser};
//! let mut parser = Parser::default();
//! let stream = b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nSession: 12345678\r\n\r\n$\x00\x00\x02\x80\x60";
//! let mut rest = &stream[..];
//! let Parsed::Message(Message::Response(resp), _) = parser.feed(&mut rest).unwrap() else { panic!() };
//! assert_eq!(resp.headers.get("session"), Some("12345678"));
//! let Parsed::Message(Message::Interleaved(frame), _) = parser.feed(&mut rest).unwrap() else { panic!() };
//! assert_eq!((frame.channel, &*frame.payload), (0, &[0x80, 0x60][..]));
//! assert!(rest.is_empty());
//! ```
//!
//! Limits bound everything: the head (64 KiB by default), the body (1 MiB) and the number of header lines;
//! going over is an error at the byte where it happened, never unbounded buffering.

use std::borrow::Cow;
use std::num::NonZeroUsize;

mod head;
mod lines;
mod scan;

use head::{BuiltHead, Head, Progress};
use lines::error;

use super::message::{InterleavedFrame, Message};
use super::quirks::QuirkPolicies;

/// Bounds on what one message may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Start line and headers, counted from the message's first byte (including blank lines before it).
    pub max_head_bytes: usize,
    /// Body (Content-Length).
    pub max_body_bytes: usize,
    /// Header lines (folded continuations not counted).
    pub max_headers: usize,
}

impl Default for Limits {
    /// 64 KiB of head, 1 MiB of body, 256 header lines.
    fn default() -> Self {
        Limits { max_head_bytes: 64 * 1024, max_body_bytes: 1024 * 1024, max_headers: 256 }
    }
}

/// How the parser reads: limits and quirk policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ParserConfig {
    /// Size bounds.
    pub limits: Limits,
    /// What to do with each known deviation from the grammar.
    pub quirks: QuirkPolicies,
}

/// How much more input a message needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Needed {
    /// The head is not complete: at least one more byte, exact count unknown.
    Unknown,
    /// Exactly this many more bytes (a body or an interleaved frame).
    Size(NonZeroUsize),
}

/// The outcome of a successful parse step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// More bytes are needed; nothing was consumed.
    Incomplete(Needed),
    /// A message, and how many input bytes it used (including blank lines before it).
    Message(Message<'a>, usize),
}

/// What was wrong, for [`ParseError`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Problem {
    /// The grammar expected something else here.
    #[error("expected {0}")]
    Expected(&'static str),
    /// The bytes are another protocol.
    #[error("not RTSP: {0}")]
    NotRtsp(&'static str),
    /// The head did not end within the limit.
    #[error("no end of the header block within {limit} bytes")]
    HeadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Content-Length is over the limit.
    #[error("body of {length} bytes exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The announced length.
        length: u64,
        /// The limit in bytes.
        limit: usize,
    },
    /// Too many header lines.
    #[error("more than {limit} header lines")]
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// Two Content-Length headers with different values: the body's end is ambiguous.
    #[error("Content-Length headers that disagree")]
    ConflictingContentLength,
    /// A line ended with LF alone and the policy rejects it.
    #[error("line ended by LF without CR")]
    BareLf,
    /// A folded header line and the policy rejects it.
    #[error("obsolete line folding")]
    ObsoleteFolding,
    /// Text that is not UTF-8 and the policy rejects it.
    #[error("text that is not UTF-8")]
    NonUtf8,
}

/// Where and why a byte stream stopped being RTSP.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("invalid RTSP at byte {pos} ({context}): {problem}")]
pub struct ParseError {
    /// Byte offset: from the start of the buffer for [`parse`], of the stream for [`Parser::feed`].
    pub pos: u64,
    /// The grammar rule being read (`status-line > Status-Code`, `header-line > field-name`...).
    pub context: &'static str,
    /// What was wrong.
    pub problem: Problem,
}

/// Parses the message at the start of `input` (which must start at a message boundary).
pub fn parse<'a>(input: &'a [u8], config: &ParserConfig) -> Result<Parsed<'a>, ParseError> {
    parse_resuming(input, config, &mut Progress::default())
}

/// A parser over one connection's byte stream.
#[derive(Debug, Clone, Default)]
pub struct Parser {
    config: ParserConfig,
    stream_pos: u64,
    progress: Progress,
}

impl Parser {
    /// A parser with the given configuration.
    pub fn new(config: ParserConfig) -> Self {
        Parser { config, stream_pos: 0, progress: Progress::default() }
    }

    /// The configuration.
    pub fn config(&self) -> &ParserConfig {
        &self.config
    }

    /// Stream offset of the next unconsumed byte.
    pub fn stream_pos(&self) -> u64 {
        self.stream_pos
    }

    /// Parses the next message from `buf`, the connection's unconsumed bytes. On
    /// [`Parsed::Message`], `buf` is advanced past the message; on [`Parsed::Incomplete`] it is left as is,
    /// and the next call must pass the same bytes with more appended. Error positions are stream offsets.
    /// After an error the stream cannot be resynchronised; calling again reports the same error.
    pub fn feed<'a>(&mut self, buf: &mut &'a [u8]) -> Result<Parsed<'a>, ParseError> {
        let input: &'a [u8] = buf;
        match parse_resuming(input, &self.config, &mut self.progress) {
            Ok(Parsed::Message(message, used)) => {
                // Per interleaved frame: a checked form here cost ~2 instructions a frame (1.5%, callgrind).
                #[expect(
                    clippy::indexing_slicing,
                    reason = "used <= input.len(): parse_resuming returns a message only after `input.get` of its \
                              payload or body, which ends at `used`, succeeded"
                )]
                let rest = &input[used..];
                *buf = rest;
                self.stream_pos = self.stream_pos.saturating_add(used as u64);
                self.progress = Progress::default();
                Ok(Parsed::Message(message, used))
            }
            Ok(incomplete) => Ok(incomplete),
            Err(mut e) => {
                self.progress = Progress::default();
                e.pos = e.pos.saturating_add(self.stream_pos);
                Err(e)
            }
        }
    }
}

/// The offset and first byte of the message after leading blank lines (CRLF or LF), or `None` if the input
/// may still be a blank line.
fn skip_blank_lines(input: &[u8]) -> Option<(usize, u8)> {
    let mut i = 0;
    loop {
        match input.get(i..) {
            Some([b'\n', ..]) => i += 1,
            Some([b'\r', b'\n', ..]) => i += 2,
            Some([b'\r'] | []) | None => return None,
            Some([first, ..]) => return Some((i, *first)),
        }
    }
}

fn needed(have: usize, want: usize) -> Parsed<'static> {
    Parsed::Incomplete(NonZeroUsize::new(want.saturating_sub(have)).map_or(Needed::Unknown, Needed::Size))
}

fn parse_resuming<'a>(
    input: &'a [u8],
    config: &ParserConfig,
    progress: &mut Progress,
) -> Result<Parsed<'a>, ParseError> {
    let limit = config.limits.max_head_bytes;
    let too_large = || error(limit, "message-head", Problem::HeadTooLarge { limit });
    let Some((start, first)) = skip_blank_lines(input) else {
        return if input.len() > limit { Err(too_large()) } else { Ok(Parsed::Incomplete(Needed::Unknown)) };
    };
    if start >= limit {
        return Err(too_large());
    }
    if first == b'$' {
        return Ok(interleaved(input, start));
    }
    // A caller that breaks the contract (a shorter buffer than last time) only loses the shortcuts.
    if input.len() < progress.seen {
        *progress = Progress::default();
    }
    progress.seen = input.len();
    if let Some(total) = progress.total
        && input.len() < total
    {
        return Ok(needed(input.len(), total));
    }
    let Some(BuiltHead { head, end, body_len }) = head::read_head(input, start, config, progress)? else {
        return Ok(Parsed::Incomplete(Needed::Unknown));
    };
    let total = end.saturating_add(body_len);
    let Some(body) = input.get(end..total) else {
        progress.total = Some(total);
        return Ok(needed(input.len(), total));
    };
    let body = Cow::Borrowed(body);
    let message = match head {
        Head::Request(mut r) => {
            r.body = body;
            Message::Request(r)
        }
        Head::Response(mut r) => {
            r.body = body;
            Message::Response(r)
        }
    };
    Ok(Parsed::Message(message, total))
}

fn interleaved(input: &[u8], start: usize) -> Parsed<'_> {
    let Some(&[_, channel, hi, lo]) = input.get(start..start + 4) else {
        return needed(input.len(), start + 4);
    };
    let end = start + 4 + usize::from(u16::from_be_bytes([hi, lo]));
    match input.get(start + 4..end) {
        Some(payload) => Parsed::Message(
            Message::Interleaved(InterleavedFrame { channel, payload: Cow::Borrowed(payload) }),
            end,
        ),
        None => needed(input.len(), end),
    }
}

#[cfg(test)]
mod tests;
