//! The parsed description: every line as written (borrowed from the input), grouped into the session section
//! and the media sections, with views that read the attributes rtspeek cares about.

use super::parse::Issue;
use super::value::{
    Bandwidth, Connection, Crypto, Dimensions, Direction, Fmtp, KeyMgmt, MediaLine, Origin, Range, Rtpmap,
    Timing, split_at_byte,
};

/// The type of an SDP line, named by its letter (RFC 8866 section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// `v=` protocol version.
    Version,
    /// `o=` originator and session identifier.
    Origin,
    /// `s=` session name.
    SessionName,
    /// `i=` session or media title.
    Information,
    /// `u=` URI of a description.
    Uri,
    /// `e=` email address.
    Email,
    /// `p=` phone number.
    Phone,
    /// `c=` connection data.
    Connection,
    /// `b=` bandwidth.
    Bandwidth,
    /// `t=` time the session is active.
    Timing,
    /// `r=` repeat times.
    Repeat,
    /// `z=` time zone adjustments.
    TimeZone,
    /// `k=` encryption key (obsolete in RFC 8866, still parsed).
    Key,
    /// `a=` attribute.
    Attribute,
    /// `m=` media description: starts a media section.
    Media,
    /// A letter RFC 8866 does not define. The RFC tells parsers to ignore the whole description when they meet
    /// one, so strict clients reject it.
    Unknown(char),
    /// Not a `<letter>=<value>` line at all.
    Malformed,
}

impl LineKind {
    /// The kind of a line starting with `letter` followed by `=`.
    pub fn from_letter(letter: u8) -> LineKind {
        match letter {
            b'v' => LineKind::Version,
            b'o' => LineKind::Origin,
            b's' => LineKind::SessionName,
            b'i' => LineKind::Information,
            b'u' => LineKind::Uri,
            b'e' => LineKind::Email,
            b'p' => LineKind::Phone,
            b'c' => LineKind::Connection,
            b'b' => LineKind::Bandwidth,
            b't' => LineKind::Timing,
            b'r' => LineKind::Repeat,
            b'z' => LineKind::TimeZone,
            b'k' => LineKind::Key,
            b'a' => LineKind::Attribute,
            b'm' => LineKind::Media,
            other => LineKind::Unknown(char::from(other)),
        }
    }

    /// The type letter (`None` for malformed lines).
    pub const fn letter(self) -> Option<char> {
        Some(match self {
            LineKind::Version => 'v',
            LineKind::Origin => 'o',
            LineKind::SessionName => 's',
            LineKind::Information => 'i',
            LineKind::Uri => 'u',
            LineKind::Email => 'e',
            LineKind::Phone => 'p',
            LineKind::Connection => 'c',
            LineKind::Bandwidth => 'b',
            LineKind::Timing => 't',
            LineKind::Repeat => 'r',
            LineKind::TimeZone => 'z',
            LineKind::Key => 'k',
            LineKind::Attribute => 'a',
            LineKind::Media => 'm',
            LineKind::Unknown(c) => c,
            LineKind::Malformed => return None,
        })
    }

    /// Position in the order RFC 8866 prescribes within a section (`v o s i u e p c b t r z k a`); `t` and
    /// `r` share a rank because they alternate. `None` for lines that have no place.
    pub(crate) const fn rank(self) -> Option<u8> {
        Some(match self {
            LineKind::Version => 0,
            LineKind::Origin => 1,
            LineKind::SessionName => 2,
            LineKind::Information => 3,
            LineKind::Uri => 4,
            LineKind::Email => 5,
            LineKind::Phone => 6,
            LineKind::Connection => 7,
            LineKind::Bandwidth => 8,
            LineKind::Timing | LineKind::Repeat => 9,
            LineKind::TimeZone => 10,
            LineKind::Key => 11,
            LineKind::Attribute => 12,
            LineKind::Media | LineKind::Unknown(_) | LineKind::Malformed => return None,
        })
    }

    /// Whether the line type exists only at session level.
    pub(crate) const fn session_only(self) -> bool {
        matches!(
            self,
            LineKind::Version
                | LineKind::Origin
                | LineKind::SessionName
                | LineKind::Uri
                | LineKind::Email
                | LineKind::Phone
                | LineKind::Timing
                | LineKind::Repeat
                | LineKind::TimeZone
        )
    }

    /// Whether the line type may appear at most once per section.
    pub(crate) const fn once_per_section(self) -> bool {
        matches!(
            self,
            LineKind::Version
                | LineKind::Origin
                | LineKind::SessionName
                | LineKind::Information
                | LineKind::Uri
                | LineKind::TimeZone
                | LineKind::Key
        )
    }
}

/// One non-blank line of the description, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number in the input.
    pub number: u32,
    /// The line type.
    pub kind: LineKind,
    /// What follows `<letter>=`, without surrounding whitespace (the whole trimmed line when malformed).
    pub value: &'a str,
    /// The line as written, without its line ending.
    pub text: &'a str,
}

/// An `a=` line split into name and value (`a=control:trackID=1` is `control` and `trackID=1`; a flag such
/// as `a=sendonly` has no value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// Line number.
    pub line: u32,
    /// Attribute name, as written.
    pub name: &'a str,
    /// Attribute value, when the line has a `:`.
    pub value: Option<&'a str>,
}

impl<'a> Attribute<'a> {
    /// Splits an `a=` line.
    pub fn of(line: &Line<'a>) -> Attribute<'a> {
        match split_at_byte(line.value, b':') {
            Some((name, value)) => {
                Attribute { line: line.number, name: name.trim_ascii_end(), value: Some(value.trim_ascii()) }
            }
            None => Attribute { line: line.number, name: line.value, value: None },
        }
    }

    /// Whether the name is `name`, ignoring ASCII case (cameras write `a=Control:` too).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// A parsed description. Lines borrow the input text. Build it with [`parse`](super::parse) or
/// [`SdpText::parse`](super::SdpText::parse).
#[derive(Debug, Clone)]
pub struct SessionDescription<'a> {
    pub(crate) lines: Vec<Line<'a>>,
    /// Index in `lines` of the first media line (`lines.len()` without media).
    pub(crate) session_end: usize,
    pub(crate) media: Vec<MediaHeader<'a>>,
    pub(crate) issues: Vec<Issue<'a>>,
    /// Number of lines in the input, blank ones included.
    pub(crate) line_count: u32,
}

/// Where a media section lies in the lines, and its parsed `m=` line.
#[derive(Debug, Clone)]
pub(crate) struct MediaHeader<'a> {
    /// Index of the `m=` line in `lines`.
    pub(crate) start: usize,
    /// One past the last line of the section.
    pub(crate) end: usize,
    pub(crate) media_line: MediaLine<'a>,
    /// The `m=` line itself (`lines[start]`).
    pub(crate) line: Line<'a>,
}

impl<'a> SessionDescription<'a> {
    /// Every non-blank line, in input order.
    pub fn lines(&self) -> &[Line<'a>] {
        &self.lines
    }

    /// The line with 1-based number `number`, if it is a non-blank line.
    pub fn line(&self, number: u32) -> Option<&Line<'a>> {
        self.lines.binary_search_by_key(&number, |l| l.number).ok().and_then(|i| self.lines.get(i))
    }

    /// Number of lines in the input, blank ones included.
    pub fn line_count(&self) -> u32 {
        self.line_count
    }

    /// What the parser tolerated or could not read, in line order: the raw material of the lint.
    pub fn issues(&self) -> &[Issue<'a>] {
        &self.issues
    }

    /// The session section: every line before the first `m=`.
    pub fn session(&self) -> Section<'_, 'a> {
        // `session_end` is at most the line count (which it is when there is no media).
        Section { lines: self.lines.get(..self.session_end).unwrap_or(&self.lines) }
    }

    /// The media sections, in order.
    pub fn media(&self) -> impl ExactSizeIterator<Item = Media<'_, 'a>> + '_ {
        self.media.iter().enumerate().map(move |(index, header)| Media {
            index,
            header,
            // The parser closes every section within the lines.
            section: Section { lines: self.lines.get(header.start..header.end).unwrap_or_default() },
            session: self.session(),
        })
    }

    /// `v=` value, if present.
    pub fn version(&self) -> Option<&'a str> {
        self.session().first(LineKind::Version).map(|l| l.value)
    }

    /// `o=`, if present and well formed.
    pub fn origin(&self) -> Option<Origin<'a>> {
        self.session().first(LineKind::Origin).and_then(|l| Origin::parse(l.value).ok())
    }

    /// `s=` value, if present (RFC 8866 recommends `s= ` or `s=-` for "no name").
    pub fn session_name(&self) -> Option<&'a str> {
        self.session().first(LineKind::SessionName).map(|l| l.value)
    }

    /// `u=` value, if present.
    pub fn uri(&self) -> Option<&'a str> {
        self.session().first(LineKind::Uri).map(|l| l.value)
    }

    /// `e=` values.
    pub fn emails(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.session().of_kind(LineKind::Email).map(|l| l.value)
    }

    /// `p=` values.
    pub fn phones(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.session().of_kind(LineKind::Phone).map(|l| l.value)
    }

    /// Well-formed `t=` lines.
    pub fn timings(&self) -> impl Iterator<Item = Timing> + '_ {
        self.session().of_kind(LineKind::Timing).filter_map(|l| Timing::parse(l.value).ok())
    }

    /// `r=` values, as written.
    pub fn repeats(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.session().of_kind(LineKind::Repeat).map(|l| l.value)
    }

    /// `z=` value, as written.
    pub fn time_zones(&self) -> Option<&'a str> {
        self.session().first(LineKind::TimeZone).map(|l| l.value)
    }
}

/// The lines of one section (the session, or one media section) with typed accessors. Accessors skip lines
/// whose value does not parse; the parser has recorded those as issues.
#[derive(Debug, Clone, Copy)]
pub struct Section<'s, 'a> {
    lines: &'s [Line<'a>],
}

impl<'s, 'a> Section<'s, 'a> {
    /// The section's lines (for a media section, starting with its `m=` line).
    pub fn lines(&self) -> &'s [Line<'a>] {
        self.lines
    }

    /// The first line of `kind`.
    pub fn first(&self, kind: LineKind) -> Option<&'s Line<'a>> {
        self.lines.iter().find(|l| l.kind == kind)
    }

    /// Every line of `kind`.
    pub fn of_kind(&self, kind: LineKind) -> impl Iterator<Item = &'s Line<'a>> + use<'s, 'a> {
        self.lines.iter().filter(move |l| l.kind == kind)
    }

    /// Every `a=` line.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'a>> + use<'s, 'a> {
        self.of_kind(LineKind::Attribute).map(Attribute::of)
    }

    /// Every `a=` line named `name` (ASCII case ignored).
    pub fn attributes_named(&self, name: &'static str) -> impl Iterator<Item = Attribute<'a>> + use<'s, 'a> {
        self.attributes().filter(move |a| a.is(name))
    }

    /// The first `a=` line named `name`.
    pub fn attribute(&self, name: &'static str) -> Option<Attribute<'a>> {
        self.attributes_named(name).next()
    }

    /// The value of the first `a=` line named `name`.
    pub fn attribute_value(&self, name: &'static str) -> Option<&'a str> {
        self.attributes_named(name).find_map(|a| a.value)
    }

    /// `i=` value.
    pub fn information(&self) -> Option<&'a str> {
        self.first(LineKind::Information).map(|l| l.value)
    }

    /// Well-formed `c=` lines.
    pub fn connections(&self) -> impl Iterator<Item = Connection<'a>> + use<'s, 'a> {
        self.of_kind(LineKind::Connection).filter_map(|l| Connection::parse(l.value).ok())
    }

    /// Well-formed `b=` lines.
    pub fn bandwidths(&self) -> impl Iterator<Item = Bandwidth<'a>> + use<'s, 'a> {
        self.of_kind(LineKind::Bandwidth).filter_map(|l| Bandwidth::parse(l.value).ok())
    }

    /// `k=` value (an obsolete way to carry a key, kept for the SRTP check).
    pub fn key(&self) -> Option<&'a str> {
        self.first(LineKind::Key).map(|l| l.value)
    }

    /// `a=control:` value (RFC 2326 C.1.1): the URL, often relative, that SETUP and PLAY address.
    pub fn control(&self) -> Option<&'a str> {
        self.attribute_value("control")
    }

    /// The last direction attribute (`sendrecv`, `sendonly`, `recvonly`, `inactive`) of the section.
    pub fn direction(&self) -> Option<Direction> {
        self.attributes().filter_map(|a| Direction::from_name(a.name)).last()
    }

    /// `a=range:`, if present and well formed.
    pub fn range(&self) -> Option<Range<'a>> {
        self.attributes_named("range").find_map(|a| Range::parse(a.value?).ok())
    }

    /// `a=framerate:` in frames per second, if present and well formed.
    pub fn framerate(&self) -> Option<f64> {
        self.attributes_named("framerate").find_map(|a| super::value::parse_framerate(a.value?).ok())
    }

    /// `a=x-dimensions:` (width,height), a common non-standard attribute, if present and well formed.
    pub fn x_dimensions(&self) -> Option<Dimensions> {
        self.attributes_named("x-dimensions").find_map(|a| Dimensions::parse(a.value?).ok())
    }

    /// Well-formed `a=rtpmap:` lines.
    pub fn rtpmaps(&self) -> impl Iterator<Item = Rtpmap<'a>> + use<'s, 'a> {
        self.attributes_named("rtpmap").filter_map(|a| Rtpmap::parse(a.value?, a.line).ok())
    }

    /// Well-formed `a=fmtp:` lines.
    pub fn fmtps(&self) -> impl Iterator<Item = Fmtp<'a>> + use<'s, 'a> {
        self.attributes_named("fmtp").filter_map(|a| Fmtp::parse(a.value?, a.line).ok())
    }

    /// Well-formed `a=crypto:` lines (SDES SRTP keys, RFC 4568).
    pub fn crypto(&self) -> impl Iterator<Item = Crypto<'a>> + use<'s, 'a> {
        self.attributes_named("crypto").filter_map(|a| Crypto::parse(a.value?, a.line).ok())
    }

    /// Well-formed `a=key-mgmt:` lines (MIKEY and friends, RFC 4567).
    pub fn key_mgmt(&self) -> impl Iterator<Item = KeyMgmt<'a>> + use<'s, 'a> {
        self.attributes_named("key-mgmt").filter_map(|a| KeyMgmt::parse(a.value?, a.line).ok())
    }
}

/// One media section (`m=` and the lines up to the next `m=`).
#[derive(Debug, Clone, Copy)]
pub struct Media<'s, 'a> {
    index: usize,
    header: &'s MediaHeader<'a>,
    section: Section<'s, 'a>,
    session: Section<'s, 'a>,
}

impl<'s, 'a> Media<'s, 'a> {
    /// 0-based position among the media sections.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The `m=` line.
    pub fn line(&self) -> &'s Line<'a> {
        &self.header.line
    }

    /// The `m=` line's fields (best effort when it is malformed: see the parser's issues).
    pub fn media_line(&self) -> &'s MediaLine<'a> {
        &self.header.media_line
    }

    /// Media type: `video`, `audio`, `application`...
    pub fn media_type(&self) -> &'a str {
        self.header.media_line.media
    }

    /// Whether this is a video section.
    pub fn is_video(&self) -> bool {
        self.media_type().eq_ignore_ascii_case("video")
    }

    /// Transport protocol: `RTP/AVP`, `RTP/SAVP`...
    pub fn proto(&self) -> &'a str {
        self.header.media_line.proto
    }

    /// The formats (for RTP, payload types), as written.
    pub fn formats(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.header.media_line.formats()
    }

    /// The formats that are RTP payload types (0..=127).
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + use<'a> {
        self.header.media_line.payload_types()
    }

    /// The section's own lines, with the typed accessors.
    pub fn section(&self) -> Section<'s, 'a> {
        self.section
    }

    /// `a=control:` of this media section (not the session's).
    pub fn control(&self) -> Option<&'a str> {
        self.section.control()
    }

    /// The direction in effect: the media's own attribute, else the session's, else `sendrecv` (RFC 8866).
    pub fn direction(&self) -> Direction {
        self.section.direction().or_else(|| self.session.direction()).unwrap_or(Direction::SendRecv)
    }

    /// The `a=rtpmap:` of payload type `pt`: the media's own, else one a camera put before the `m=` line
    /// (tolerated, and reported by the lint as misplaced).
    pub fn rtpmap(&self, pt: u8) -> Option<Rtpmap<'a>> {
        let find = |s: Section<'s, 'a>| s.rtpmaps().find(|r| r.payload_type == pt);
        find(self.section).or_else(|| find(self.session))
    }

    /// The `a=fmtp:` of payload type `pt`, with the same fallback as [`Media::rtpmap`].
    pub fn fmtp(&self, pt: u8) -> Option<Fmtp<'a>> {
        let find = |s: Section<'s, 'a>| s.fmtps().find(|f| f.payload_type == pt);
        find(self.section).or_else(|| find(self.session))
    }
}
