//! The line parser: tolerant of what cameras send, and exact about where.
//!
//! Only input that is not a session description at all is an error ([`SdpError`]). Everything else parses:
//! what RFC 8866 forbids but clients commonly accept (bare LF endings, stray whitespace, blank lines, a
//! missing `v=`, lines out of order, `rtpmap` before `m=`) is tolerated and recorded as an [`Issue`] with its
//! line number and text, and lines whose value does not follow the grammar are kept and recorded too. The lint
//! turns issues into findings.

use std::borrow::Cow;

use super::model::{Attribute, Line, LineKind, MediaHeader, SessionDescription};
use super::value::{
    Bandwidth, Connection, Crypto, Dimensions, Fmtp, KeyMgmt, MediaLine, Origin, Range, Rtpmap, Timing,
    ValueError, parse_framerate,
};

/// The largest description accepted: 64 KiB. Camera descriptions are 0.5 to 4 KiB; anything this large is not
/// one, and the cap bounds the parser's memory.
pub const MAX_SDP_LEN: usize = 64 * 1024;

/// Input that is not a session description at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// Nothing but whitespace.
    #[error("not a session description: the input is empty")]
    Empty,
    /// Larger than [`MAX_SDP_LEN`].
    #[error("not a session description: {len} bytes, more than the {max} bytes a description can be")]
    TooLarge {
        /// Input length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A NUL byte before the end: binary data.
    #[error("not a session description: binary data (NUL byte) at line {line}, byte offset {offset}")]
    Binary {
        /// 1-based line number.
        line: u32,
        /// Byte offset in the input.
        offset: usize,
    },
    /// The first non-blank line is not a `<letter>=<value>` line.
    #[error("not a session description: line {line} is not an SDP line like `v=0`: {text:?}")]
    NotSdp {
        /// 1-based line number.
        line: u32,
        /// The line (at most 80 characters of it).
        text: String,
    },
}

/// Something the parser tolerated or could not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issue<'a> {
    /// 1-based line number; 0 when the issue is about the description as a whole (a missing line).
    pub line: u32,
    /// The line as written, without its line ending (empty for line 0).
    pub text: &'a str,
    /// What is wrong.
    pub kind: IssueKind,
}

/// What an [`Issue`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssueKind {
    /// Bytes that are not UTF-8 (replaced by U+FFFD), e.g. a Latin-1 session name.
    InvalidUtf8,
    /// A UTF-8 byte order mark before the first line.
    ByteOrderMark,
    /// NUL bytes after the last line: a C string terminator counted in the body length.
    TrailingNul {
        /// How many.
        count: u32,
    },
    /// A control character (other than tab) inside a line.
    ControlCharacter,
    /// Lines end in a bare LF instead of CRLF. Recorded once, at the first such line.
    BareLf {
        /// Lines ending in LF.
        lf_lines: u32,
        /// Lines ending in CRLF.
        crlf_lines: u32,
    },
    /// Spaces or tabs after the value (`s= ` excepted: RFC 8866 recommends it).
    TrailingWhitespace,
    /// Spaces or tabs before the type letter.
    LeadingWhitespace,
    /// An empty (or whitespace-only) line before the last line; extra line endings at the very end are harmless
    /// and not recorded.
    BlankLine,
    /// No `v=` line; recorded at the first line.
    MissingVersion,
    /// `v=` is not the first line.
    VersionNotFirst,
    /// A line RFC 8866 requires (`o=`, `s=`, `t=`) is absent; line 0.
    MissingLine(LineKind),
    /// A line out of the order RFC 8866 prescribes: it comes after a line of kind `after`.
    OutOfOrder {
        /// The kind of the earlier line it should precede.
        after: LineKind,
    },
    /// A session-level line type (`s=`, `t=`...) inside a media section.
    SessionLineInMedia,
    /// A second line of a type allowed once per section.
    Duplicate,
    /// A type letter RFC 8866 does not define.
    UnknownType,
    /// Not a `<letter>=<value>` line.
    NotATypeLine,
    /// A value that does not follow its grammar; says what is wrong.
    BadValue(ValueError),
    /// A media-level attribute (`rtpmap`, `fmtp`) before the first `m=` line.
    MediaAttributeInSession,
}

/// Parses a description from text. See [`SdpText`] for bytes that may not be UTF-8.
///
/// ```
/// let sdp = rtspeek_core::sdp::parse("v=0\r\ns=cam\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n")?;
/// let video = sdp.media().next().unwrap();
/// assert_eq!(video.rtpmap(96).map(|r| r.clock_rate), Some(90000));
/// # Ok::<(), rtspeek_core::sdp::SdpError>(())
/// ```
pub fn parse(text: &str) -> Result<SessionDescription<'_>, SdpError> {
    parse_text(text, false)
}

/// A description's bytes as text: borrowed when they are UTF-8, repaired (U+FFFD for bad bytes, recorded as an
/// issue when parsed) when they are not.
#[derive(Debug, Clone)]
pub struct SdpText<'a> {
    text: Cow<'a, str>,
    repaired: bool,
}

impl<'a> SdpText<'a> {
    /// Takes the bytes as received.
    pub fn from_bytes(bytes: &'a [u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(text) => SdpText { text: Cow::Borrowed(text), repaired: false },
            Err(_) => SdpText { text: String::from_utf8_lossy(bytes), repaired: true },
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether bytes that are not UTF-8 were replaced.
    pub fn is_repaired(&self) -> bool {
        self.repaired
    }

    /// Parses the text.
    pub fn parse(&self) -> Result<SessionDescription<'_>, SdpError> {
        parse_text(&self.text, self.repaired)
    }
}

/// Offset of the first LF, eight bytes at a time: lines are short, so this beats both `str::find` (whose
/// setup costs more than it saves on them) and a byte loop.
fn find_lf(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut chunks = bytes.chunks_exact(8);
    for (i, chunk) in chunks.by_ref().enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) ^ (ONES * u64::from(b'\n'));
        // The high bit of each byte of `x` that is zero (exact: no carry crosses bytes).
        let zeros = !(((x & LOW7) + LOW7) | x | LOW7);
        if zeros != 0 {
            return Some(i * 8 + (zeros.trailing_zeros() / 8) as usize);
        }
    }
    let tail = chunks.remainder();
    tail.iter().position(|&b| b == b'\n').map(|p| bytes.len() - tail.len() + p)
}

/// Offset of the first control character other than tab, CR and LF (NUL included).
fn first_control_byte(bytes: &[u8]) -> Option<usize> {
    const CHUNK: usize = 32;
    let is_control = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || b == 0x7f;
    // Whole chunks are tested without an early exit and without branches, which the compiler vectorises; the
    // rare chunk that holds one is then searched.
    let flag = |b: u8| {
        (u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\r') & u8::from(b != b'\n'))
            | u8::from(b == 0x7f)
    };
    let mut chunks = bytes.chunks_exact(CHUNK);
    for (i, chunk) in chunks.by_ref().enumerate() {
        if chunk.iter().fold(0, |any, &b| any | flag(b)) != 0 {
            return chunk.iter().position(|&b| is_control(b)).map(|p| i * CHUNK + p);
        }
    }
    let tail = chunks.remainder();
    tail.iter().position(|&b| is_control(b)).map(|p| bytes.len() - tail.len() + p)
}

/// 1-based number of the line holding byte `offset`.
fn line_of(text: &str, offset: usize) -> u32 {
    let before = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    let newlines = before.iter().filter(|&&b| b == b'\n').count();
    u32::try_from(newlines).unwrap_or(u32::MAX).saturating_add(1)
}

/// The text of line `number` (1-based), without its ending.
fn line_text(text: &str, number: u32) -> &str {
    let line = text.split('\n').nth(number.saturating_sub(1) as usize).unwrap_or_default();
    line.strip_suffix('\r').unwrap_or(line)
}

/// At most 80 characters of `text`.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

fn parse_text(text: &str, repaired: bool) -> Result<SessionDescription<'_>, SdpError> {
    if text.len() > MAX_SDP_LEN {
        return Err(SdpError::TooLarge { len: text.len(), max: MAX_SDP_LEN });
    }
    // About one line per 24 bytes in camera descriptions: one allocation for the lines, usually.
    let mut p = Parser { lines: Vec::with_capacity(text.len() / 24 + 1), ..Parser::default() };
    let mut body = text;
    if let Some(rest) = body.strip_prefix('\u{feff}') {
        body = rest;
        p.issue(1, line_text(body, 1), IssueKind::ByteOrderMark);
    }
    // Where `body` starts in `text`, for byte offsets.
    let start = text.len() - body.len();
    let trimmed = body.trim_end_matches('\0');
    let trailing_nuls = body.len() - trimmed.len();
    body = trimmed;
    if let Some(offset) = first_control_byte(body.as_bytes()) {
        // A NUL anywhere before the trailing run (trimmed above) means binary data.
        if let Some(nul) = body[offset..].find('\0').map(|n| offset + n) {
            return Err(SdpError::Binary { line: line_of(body, nul), offset: start + nul });
        }
        let line = line_of(body, offset);
        p.issue(line, line_text(body, line), IssueKind::ControlCharacter);
    }

    let mut rest = body;
    let mut number: u32 = 0;
    while !rest.is_empty() {
        number = number.saturating_add(1);
        let raw = match find_lf(rest.as_bytes()) {
            Some(end) => {
                let raw = &rest[..end];
                rest = &rest[end + 1..];
                match raw.strip_suffix('\r') {
                    Some(raw) => {
                        p.crlf_lines = p.crlf_lines.saturating_add(1);
                        raw
                    }
                    None => {
                        p.lf_lines = p.lf_lines.saturating_add(1);
                        p.first_lf.get_or_insert((number, raw));
                        raw
                    }
                }
            }
            None => {
                let raw = rest;
                rest = "";
                raw.strip_suffix('\r').unwrap_or(raw)
            }
        };
        p.line(number, raw)?;
    }
    p.finish(body, number, trailing_nuls, repaired)
}

/// Parser state; one instance per description.
#[derive(Default)]
struct Parser<'a> {
    lines: Vec<Line<'a>>,
    media: Vec<MediaHeader<'a>>,
    issues: Vec<Issue<'a>>,
    /// Letters (bit `letter - 'a'`) seen in the whole description and in the current section.
    seen_anywhere: u32,
    seen_in_section: u32,
    /// The highest RFC order rank in the current section, and the kind that had it.
    max_rank: Option<(u8, LineKind)>,
    lf_lines: u32,
    crlf_lines: u32,
    first_lf: Option<(u32, &'a str)>,
    /// `(lf_lines, crlf_lines)` up to the last non-blank line: extra line endings at the end do not count.
    endings_at_last_line: (u32, u32),
}

/// The bit of a defined line kind in the `seen` masks (0 for unknown and malformed lines).
fn bit(kind: LineKind) -> u32 {
    match (kind, kind.letter()) {
        (LineKind::Unknown(_) | LineKind::Malformed, _) | (_, None) => 0,
        (_, Some(c)) => 1 << (u32::from(c) - u32::from('a')),
    }
}

impl<'a> Parser<'a> {
    fn issue(&mut self, line: u32, text: &'a str, kind: IssueKind) {
        self.issues.push(Issue { line, text, kind });
    }

    fn line(&mut self, number: u32, raw: &'a str) -> Result<(), SdpError> {
        let end_trimmed = raw.trim_ascii_end();
        let content = end_trimmed.trim_ascii_start();
        if content.is_empty() {
            self.issue(number, raw, IssueKind::BlankLine);
            return Ok(());
        }
        if end_trimmed.len() != raw.len() && raw != "s= " {
            self.issue(number, raw, IssueKind::TrailingWhitespace);
        }
        if content.len() != end_trimmed.len() {
            self.issue(number, raw, IssueKind::LeadingWhitespace);
        }
        self.endings_at_last_line = (self.lf_lines, self.crlf_lines);
        let kind = match content.as_bytes() {
            [letter, b'=', ..] if letter.is_ascii_alphabetic() => LineKind::from_letter(*letter),
            _ => LineKind::Malformed,
        };
        let first = self.lines.is_empty();
        if kind == LineKind::Malformed && first {
            return Err(SdpError::NotSdp { line: number, text: excerpt(raw) });
        }
        let value = if kind == LineKind::Malformed { content } else { content[2..].trim_ascii() };
        let line = Line { number, kind, value, text: raw };
        match kind {
            LineKind::Malformed => self.issue(number, raw, IssueKind::NotATypeLine),
            LineKind::Unknown(_) => self.issue(number, raw, IssueKind::UnknownType),
            LineKind::Media => self.open_media(&line),
            _ => self.place(&line, first),
        }
        let checked = if kind == LineKind::Attribute {
            let attr = Attribute::of(&line);
            if self.media.is_empty() && (attr.is("rtpmap") || attr.is("fmtp")) {
                self.issue(number, raw, IssueKind::MediaAttributeInSession);
            }
            check_attribute(&attr)
        } else {
            check_value(&line)
        };
        if let Err(why) = checked {
            self.issue(number, raw, IssueKind::BadValue(why));
        }
        self.seen_anywhere |= bit(kind);
        self.lines.push(line);
        Ok(())
    }

    /// Starts a media section at `line`.
    fn open_media(&mut self, line: &Line<'a>) {
        if let Some(last) = self.media.last_mut() {
            last.end = self.lines.len();
        }
        let (media_line, problem) = MediaLine::parse(line.value);
        if let Some(why) = problem {
            self.issue(line.number, line.text, IssueKind::BadValue(why));
        }
        let (start, end) = (self.lines.len(), self.lines.len() + 1);
        self.media.push(MediaHeader { start, end, media_line, line: *line });
        self.seen_in_section = bit(LineKind::Media);
        self.max_rank = None;
    }

    /// Checks where a (non-media, well-formed) line stands in its section: order, duplicates, level.
    fn place(&mut self, line: &Line<'a>, first: bool) {
        let in_media = !self.media.is_empty();
        let kind = line.kind;
        if kind == LineKind::Version && !first && !in_media && self.seen_anywhere & bit(kind) == 0 {
            self.issue(line.number, line.text, IssueKind::VersionNotFirst);
        } else if in_media && kind.session_only() {
            self.issue(line.number, line.text, IssueKind::SessionLineInMedia);
        } else if let Some(rank) = kind.rank() {
            match self.max_rank {
                Some((max, after)) if rank < max => {
                    self.issue(line.number, line.text, IssueKind::OutOfOrder { after })
                }
                _ => self.max_rank = Some((rank, kind)),
            }
        }
        if kind.once_per_section() && self.seen_in_section & bit(kind) != 0 {
            self.issue(line.number, line.text, IssueKind::Duplicate);
        }
        self.seen_in_section |= bit(kind);
    }

    fn finish(
        mut self,
        body: &'a str,
        last_line: u32,
        trailing_nuls: usize,
        repaired: bool,
    ) -> Result<SessionDescription<'a>, SdpError> {
        let Some(first) = self.lines.first().copied() else {
            return Err(SdpError::Empty);
        };
        if let Some(last) = self.media.last_mut() {
            last.end = self.lines.len();
        }
        if self.seen_anywhere & bit(LineKind::Version) == 0 {
            self.issue(first.number, first.text, IssueKind::MissingVersion);
        }
        for kind in [LineKind::Origin, LineKind::SessionName, LineKind::Timing] {
            if self.seen_anywhere & bit(kind) == 0 {
                self.issue(0, "", IssueKind::MissingLine(kind));
            }
        }
        // Blank lines and their endings after the last line are harmless: the body just ends with extra ones.
        let last = self.lines.last().map_or(0, |l| l.number);
        self.issues.retain(|i| !(i.kind == IssueKind::BlankLine && i.line > last));
        if let Some((line, text)) = self.first_lf.filter(|&(line, _)| line <= last) {
            let (lf_lines, crlf_lines) = self.endings_at_last_line;
            self.issue(line, text, IssueKind::BareLf { lf_lines, crlf_lines });
        }
        if trailing_nuls > 0 {
            let count = u32::try_from(trailing_nuls).unwrap_or(u32::MAX);
            self.issue(last_line.max(1), line_text(body, last_line), IssueKind::TrailingNul { count });
        }
        if repaired && let Some(offset) = body.find('\u{fffd}') {
            let line = line_of(body, offset);
            self.issue(line, line_text(body, line), IssueKind::InvalidUtf8);
        }
        self.issues.sort_by_key(|i| i.line);
        let session_end = self.media.first().map_or(self.lines.len(), |m| m.start);
        Ok(SessionDescription {
            lines: self.lines,
            session_end,
            media: self.media,
            issues: self.issues,
            line_count: last_line,
        })
    }
}

/// Checks the grammar of a line's value (media lines are checked when their section opens, attributes by
/// [`check_attribute`]).
fn check_value(line: &Line<'_>) -> Result<(), ValueError> {
    let value = line.value;
    match line.kind {
        LineKind::Version if value != "0" => Err("only SDP version 0 exists (v=0)"),
        LineKind::Origin => Origin::parse(value).map(drop),
        LineKind::Connection => Connection::parse(value).map(drop),
        LineKind::Bandwidth => Bandwidth::parse(value).map(drop),
        LineKind::Timing => Timing::parse(value).map(drop),
        _ => Ok(()),
    }
}

/// Checks the attributes rtspeek reads.
fn check_attribute(attr: &Attribute<'_>) -> Result<(), ValueError> {
    if attr.name.is_empty() {
        return Err("attribute has no name");
    }
    // Names compared in lowercase (cameras write `a=Control:`); longer names are none of ours.
    let mut buffer = [0u8; 12];
    let Some(name) = buffer.get_mut(..attr.name.len()) else { return Ok(()) };
    name.copy_from_slice(attr.name.as_bytes());
    name.make_ascii_lowercase();
    let value = attr.value.unwrap_or_default();
    let needs_value = |what: ValueError| if attr.value.is_none() { Err(what) } else { Ok(()) };
    match &*name {
        b"rtpmap" => {
            needs_value("rtpmap without a value")?;
            Rtpmap::parse(value, attr.line).map(drop)
        }
        b"fmtp" => {
            needs_value("fmtp without a value")?;
            Fmtp::parse(value, attr.line).map(drop)
        }
        b"control" if value.is_empty() => Err("control URL is empty"),
        b"range" => {
            needs_value("range without a value")?;
            Range::parse(value).map(drop)
        }
        b"framerate" => parse_framerate(value).map(drop),
        b"x-dimensions" => Dimensions::parse(value).map(drop),
        b"crypto" => Crypto::parse(value, attr.line).map(drop),
        b"key-mgmt" => KeyMgmt::parse(value, attr.line).map(drop),
        _ => Ok(()),
    }
}
