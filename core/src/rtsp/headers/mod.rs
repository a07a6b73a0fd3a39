//! Headers: the ordered, case-insensitive collection every message carries, and typed headers that parse
//! and write one header's value.
//!
//! A typed header implements [`TypedHeader`]: read it with [`Headers::typed`], write it with
//! [`Headers::set_typed`]. Parsing errors name the header, the byte offset in the value and what the grammar
//! expected. WWW-Authenticate and Authorization are not typed here (see [`auth`](super::auth)): read their raw
//! values with [`Headers::get_all`], since a response may carry several challenges.

use std::borrow::Cow;
use std::fmt;

mod basic;
mod cursor;
mod range;
mod rtp_info;
mod session;
mod transport;

pub use basic::{
    CSeq, ContentBase, ContentLength, ContentLocation, ContentType, Location, Public, RetryAfter,
};
pub use basic::{Server, UriRef, UserAgent};
pub use range::{ClockTime, NptTime, Range, RangeSpec, SmpteFormat, SmpteTime};
pub use rtp_info::{RtpInfo, RtpInfoEntry};
pub use session::Session;
pub use transport::{Cast, ChannelRange, LowerTransport, PortRange, Transport, TransportSpec};

/// Canonical spellings of the header names this crate uses (lookups are case-insensitive anyway).
pub mod names {
    /// `Authorization` (raw; see the auth module).
    pub const AUTHORIZATION: &str = "Authorization";
    /// `Content-Base`.
    pub const CONTENT_BASE: &str = "Content-Base";
    /// `Content-Length`.
    pub const CONTENT_LENGTH: &str = "Content-Length";
    /// `Content-Location`.
    pub const CONTENT_LOCATION: &str = "Content-Location";
    /// `Content-Type`.
    pub const CONTENT_TYPE: &str = "Content-Type";
    /// `CSeq`.
    pub const CSEQ: &str = "CSeq";
    /// `KeyMgmt` (RFC 4567: MIKEY data for SRTP keys).
    pub const KEY_MGMT: &str = "KeyMgmt";
    /// `Location`.
    pub const LOCATION: &str = "Location";
    /// `Proxy-Authorization` (raw; never shown in evidence).
    pub const PROXY_AUTHORIZATION: &str = "Proxy-Authorization";
    /// `Public`.
    pub const PUBLIC: &str = "Public";
    /// `Range`.
    pub const RANGE: &str = "Range";
    /// `Retry-After`.
    pub const RETRY_AFTER: &str = "Retry-After";
    /// `RTP-Info`.
    pub const RTP_INFO: &str = "RTP-Info";
    /// `Server`.
    pub const SERVER: &str = "Server";
    /// `Session`.
    pub const SESSION: &str = "Session";
    /// `Transport`.
    pub const TRANSPORT: &str = "Transport";
    /// `User-Agent`.
    pub const USER_AGENT: &str = "User-Agent";
    /// `WWW-Authenticate` (raw; see the auth module).
    pub const WWW_AUTHENTICATE: &str = "WWW-Authenticate";
}

/// One header line: name as written and value with surrounding whitespace removed (folded lines joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// The name as written (compare with `eq_ignore_ascii_case`).
    pub name: Cow<'a, str>,
    /// The value.
    pub value: Cow<'a, str>,
}

/// The headers of a message, in order. Names compare case-insensitively; a name may occur several times.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers<'a> {
    entries: Vec<Header<'a>>,
}

impl<'a> Headers<'a> {
    /// No headers.
    pub const fn new() -> Self {
        Headers { entries: Vec::new() }
    }

    /// No headers, with room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Headers { entries: Vec::with_capacity(n) }
    }

    /// The number of header lines.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no header.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every header, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header<'a>> {
        self.entries.iter()
    }

    /// The value of the first header called `name`.
    pub fn get<'s>(&'s self, name: &str) -> Option<&'s str> {
        self.get_all(name).next()
    }

    /// The values of every header called `name`, in order.
    pub fn get_all<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s str> {
        self.entries.iter().filter(move |h| h.name.eq_ignore_ascii_case(name)).map(|h| &*h.value)
    }

    /// Whether a header called `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Appends a header (keeps earlier ones of the same name).
    pub fn append(&mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) {
        self.entries.push(Header { name: name.into(), value: value.into() });
    }

    /// Replaces every header called `name` by one with `value`, in the place of the first.
    pub fn set(&mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) {
        let name = name.into();
        // Taken by the first header of that name; the later ones go.
        let mut value = Some(value.into());
        self.entries.retain_mut(|h| {
            if !h.name.eq_ignore_ascii_case(&name) {
                return true;
            }
            match value.take() {
                Some(value) => {
                    h.value = value;
                    true
                }
                None => false,
            }
        });
        if let Some(value) = value {
            self.entries.push(Header { name, value });
        }
    }

    /// Removes every header called `name`; returns how many there were.
    pub fn remove(&mut self, name: &str) -> usize {
        let before = self.entries.len();
        self.entries.retain(|h| !h.name.eq_ignore_ascii_case(name));
        before - self.entries.len()
    }

    /// Parses header `T`. `Ok(None)` when absent. A list header (`T::LIST`) that occurs several times is
    /// parsed as one comma-separated list; a single-valued one that occurs with different values is an error.
    pub fn typed<T: TypedHeader>(&self) -> Result<Option<T>, HeaderError> {
        let mut values = self.get_all(T::NAME);
        let Some(first) = values.next() else { return Ok(None) };
        let mut joined = String::new();
        for other in values {
            if T::LIST {
                if joined.is_empty() {
                    joined.push_str(first);
                }
                joined.push_str(", ");
                joined.push_str(other);
            } else if other != first {
                return Err(HeaderError::new(
                    T::NAME,
                    &format!("{first} / {other}"),
                    0,
                    "one value (the header occurs several times with different values)",
                ));
            }
        }
        T::parse(if joined.is_empty() { first } else { &joined }).map(Some)
    }

    /// Sets header `T` (replacing any earlier occurrence).
    pub fn set_typed<T: TypedHeader>(&mut self, header: &T) {
        self.set(T::NAME, header.to_value());
    }

    /// The same headers, owning their text.
    pub fn into_owned(self) -> Headers<'static> {
        Headers {
            entries: self
                .entries
                .into_iter()
                .map(|h| Header {
                    name: Cow::Owned(h.name.into_owned()),
                    value: Cow::Owned(h.value.into_owned()),
                })
                .collect(),
        }
    }
}

impl<'a> From<Vec<Header<'a>>> for Headers<'a> {
    fn from(entries: Vec<Header<'a>>) -> Self {
        Headers { entries }
    }
}

impl<'h, 'a> IntoIterator for &'h Headers<'a> {
    type Item = &'h Header<'a>;
    type IntoIter = std::slice::Iter<'h, Header<'a>>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// A header whose value has a grammar: parsed from and written to text.
pub trait TypedHeader: Sized {
    /// The canonical header name.
    const NAME: &'static str;
    /// Whether the value is a comma-separated list, so that several occurrences combine (RFC 2616 section
    /// 4.2).
    const LIST: bool = false;

    /// Parses a header value (surrounding whitespace allowed).
    fn parse(value: &str) -> Result<Self, HeaderError>;

    /// Writes the value in canonical form; [`parse`](Self::parse) gives back an equal header.
    fn write_value(&self, out: &mut String);

    /// The value in canonical form.
    fn to_value(&self) -> String {
        let mut out = String::new();
        self.write_value(&mut out);
        out
    }
}

/// A header value that does not follow its grammar.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{header} header {value:?}: byte {pos}: expected {expected}")]
pub struct HeaderError {
    /// The header's canonical name.
    pub header: &'static str,
    /// The value, with any URL password masked (so the error can go into a finding as is).
    pub value: String,
    /// Byte offset in the value where the grammar failed.
    pub pos: usize,
    /// What the grammar expected there.
    pub expected: &'static str,
}

impl HeaderError {
    /// An error in header `header` at byte `pos` of `value`.
    pub fn new(header: &'static str, value: &str, pos: usize, expected: &'static str) -> Self {
        HeaderError { header, value: super::url::redact_text(value).into_owned(), pos, expected }
    }
}

impl fmt::Debug for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HeaderError({self})")
    }
}

/// Whether `b` may appear in a token (RFC 7230 `tchar`). A table: the parser asks this for every byte of
/// every header name.
#[expect(clippy::indexing_slicing, reason = "a u8 is at most 255 and the table has 256 entries")]
pub(crate) const fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

#[expect(clippy::indexing_slicing, reason = "built at compile time, where b < 256 by the loop condition")]
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
            | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        b += 1;
    }
    table
};

/// Writes `value` as a token if it is one, else as a quoted string.
pub(crate) fn write_token_or_quoted(value: &str, out: &mut String) {
    if !value.is_empty() && value.bytes().all(is_tchar) {
        out.push_str(value);
    } else {
        out.push('"');
        for c in value.chars() {
            if matches!(c, '"' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn sample() -> Headers<'static> {
        let mut h = Headers::new();
        h.append("CSeq", "3");
        h.append("www-authenticate", "Digest realm=\"a\", nonce=\"1\"");
        h.append("Public", "OPTIONS, DESCRIBE");
        h.append("WWW-Authenticate", "Basic realm=\"a\"");
        h.append("public", "SETUP");
        h
    }

    #[test]
    fn names_are_case_insensitive_and_repeatable() {
        let h = sample();
        assert_eq!(h.len(), 5);
        assert_eq!(h.get("cseq"), Some("3"));
        assert!(h.contains("CSEQ") && !h.contains("Session"));
        let challenges: Vec<_> = h.get_all(names::WWW_AUTHENTICATE).collect();
        assert_eq!(challenges, ["Digest realm=\"a\", nonce=\"1\"", "Basic realm=\"a\""]);
        assert_eq!((&h).into_iter().count(), h.iter().count());
    }

    #[test]
    fn set_replaces_in_place_and_remove_counts() {
        let mut h = sample();
        h.set("WWW-AUTHENTICATE", "Basic realm=\"b\"");
        assert_eq!(h.get_all("www-authenticate").collect::<Vec<_>>(), ["Basic realm=\"b\""]);
        assert_eq!(h.iter().nth(1).map(|x| &*x.name), Some("www-authenticate"));
        h.set("Session", "x");
        assert_eq!(h.iter().last().map(|x| &*x.value), Some("x"));
        assert_eq!(h.remove("public"), 2);
        assert_eq!(h.remove("public"), 0);
        assert!(!h.is_empty());
    }

    #[test]
    fn typed_combines_lists_and_rejects_conflicting_singles() {
        let mut h = sample();
        let public: Public = h.typed().unwrap().unwrap();
        assert_eq!(public.0.len(), 3);
        assert_eq!(h.typed::<CSeq>(), Ok(Some(CSeq(3))));
        assert_eq!(h.typed::<Session>(), Ok(None));
        h.append("cseq", "3");
        assert_eq!(h.typed::<CSeq>(), Ok(Some(CSeq(3))), "repeated identical values are fine");
        h.append("CSeq", "4");
        let err = h.typed::<CSeq>().unwrap_err();
        assert_eq!((err.header, err.pos), ("CSeq", 0));
        h.set_typed(&CSeq(9));
        assert_eq!(h.get_all("cseq").collect::<Vec<_>>(), ["9"]);
    }

    #[test]
    fn header_errors_mask_passwords() {
        let e = HeaderError::new("Content-Base", "rtsp://admin:secret@cam/ x", 24, "end of value");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("secret") && shown.contains("admin:***@"), "{shown}");
    }

    #[test]
    fn token_or_quoted_escapes() {
        let mut s = String::new();
        write_token_or_quoted("PLAY", &mut s);
        s.push(' ');
        write_token_or_quoted("a \"b\"\\", &mut s);
        s.push(' ');
        write_token_or_quoted("", &mut s);
        assert_eq!(s, r#"PLAY "a \"b\"\\" """#);
    }
}
