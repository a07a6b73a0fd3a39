//! `rtsp://`, `rtsps://` and `rtspu://` URLs: parsing, credentials kept out of sight, and resolution of
//! relative references (control URLs, Content-Location) per RFC 3986 section 5.
//!
//! Our own small parser rather than the `url` crate: RTSP needs one URL shape (scheme, authority, path,
//! query), the WHATWG rules of `url` differ from RFC 3986 for non-special schemes like `rtsp` (no host
//! normalisation, opaque paths), and it would pull the IDNA tables into the wasm build for nothing.
//!
//! Credentials in a URL (`rtsps://admin:secret@cam/`) are split off at parse time into [`Credentials`], whose
//! password is a [`Secret`]: it shows as `***` in `Debug` and `Display`. A [`Url`] displays without its
//! userinfo (the form sent on the wire) and debugs in its [`redacted`](Url::redacted) form
//! (`rtsps://admin:***@cam/`), so logs and findings never carry a password.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

mod redact;

pub use redact::{Secret, redact_text};

/// A URL that could not be parsed or resolved. Positions are byte offsets in the text given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// The scheme is missing or is not an RTSP scheme.
    #[error("not an RTSP URL: scheme {scheme:?} (expected rtsp, rtsps or rtspu)")]
    UnsupportedScheme {
        /// The scheme found, lowercased (empty when there is none).
        scheme: String,
    },
    /// An absolute URL without `//authority`.
    #[error("URL has no host (expected `scheme://host/...`)")]
    MissingHost,
    /// `scheme://name:x/...@...`: an `@` after the authority that may end a password holding a `/`, or be
    /// part of the path. Reading it either way could send the password as a path or to the wrong host.
    #[error(
        "ambiguous URL: an `@` follows `host:port/`; if it ends a password that holds `/`, percent-encode the \
         password (or give it with --password); if it is part of the path, write it as %40"
    )]
    AmbiguousAt,
    /// Bad syntax at a byte offset.
    #[error("invalid URL at byte {pos}: expected {expected}")]
    Syntax {
        /// Byte offset in the URL text.
        pos: usize,
        /// What the grammar expected there.
        expected: &'static str,
    },
}

fn syntax(pos: usize, expected: &'static str) -> UrlError {
    UrlError::Syntax { pos, expected }
}

/// An RTSP URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `rtsp`: RTSP over TCP, default port 554.
    Rtsp,
    /// `rtsps`: RTSP over TLS, default port 322 (RFC 7826 section 19.2).
    Rtsps,
    /// `rtspu`: RTSP over UDP (RFC 2326 only, rarely implemented), default port 554.
    Rtspu,
}

impl Scheme {
    /// The scheme as written in URLs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Rtsp => "rtsp",
            Scheme::Rtsps => "rtsps",
            Scheme::Rtspu => "rtspu",
        }
    }

    /// The port used when the URL names none.
    pub const fn default_port(self) -> u16 {
        match self {
            Scheme::Rtsps => 322,
            Scheme::Rtsp | Scheme::Rtspu => 554,
        }
    }

    /// Whether the scheme means TLS.
    pub const fn is_tls(self) -> bool {
        matches!(self, Scheme::Rtsps)
    }

    fn from_name(name: &str) -> Option<Scheme> {
        [Scheme::Rtsp, Scheme::Rtsps, Scheme::Rtspu]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
    }
}

/// User name and password taken from a URL's userinfo, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name (not secret: it appears in redacted URLs).
    pub user: String,
    /// The password, if the userinfo had a `:`.
    pub password: Option<Secret<String>>,
}

/// The host part of a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A registered name, lowercased (`cam.example`).
    Domain(String),
    /// An IPv4 literal.
    Ipv4(Ipv4Addr),
    /// An IPv6 literal (written in brackets in the URL).
    Ipv6(Ipv6Addr),
}

impl fmt::Display for Host {
    /// The host without brackets (`::1`, not `[::1]`): the form a certificate name check takes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ipv4(a) => write!(f, "{a}"),
            Host::Ipv6(a) => write!(f, "{a}"),
        }
    }
}

/// An absolute RTSP URL, with any credentials split off.
///
/// `Display` writes the URL without userinfo (what goes into a Request-URI); `Debug` writes the
/// [`redacted`](Url::redacted) form. Neither ever shows a password.
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    scheme: Scheme,
    credentials: Option<Credentials>,
    host: Host,
    port: Option<u16>,
    path: String,
    query: Option<String>,
    fragment: Option<String>,
}

/// The pieces of a URI reference (RFC 3986 section 4.1), borrowed from the text.
struct Parts<'a> {
    scheme: Option<&'a str>,
    /// The authority and its offset in the text.
    authority: Option<(&'a str, usize)>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

/// Splits a URI reference into its five components, rejecting whitespace and control characters.
fn split(text: &str) -> Result<Parts<'_>, UrlError> {
    if let Some(pos) = text.bytes().position(|b| b <= b' ' || b == 0x7f) {
        return Err(syntax(pos, "no spaces or control characters in a URL"));
    }
    let (body, fragment) = text.split_once('#').map_or((text, None), |(body, f)| (body, Some(f)));
    let (body, query) = body.split_once('?').map_or((body, None), |(body, q)| (body, Some(q)));
    // A scheme is letters, digits, `+-.` before the first `:`, which must come before any `/`.
    let (scheme, rest, rest_at) = match body.split_once(':') {
        Some((scheme, rest))
            if !scheme.contains('/')
                && scheme.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
                && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) =>
        {
            (Some(scheme), rest, scheme.len() + 1)
        }
        _ => (None, body, 0),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            (Some((&after[..end], rest_at + 2)), &after[end..])
        }
        None => (None, rest),
    };
    Ok(Parts { scheme, authority, path, query, fragment })
}

/// Whether `text` has an `@` in its path after an authority that holds a `:` (and no userinfo): `rtsps://
/// admin:12/34@cam/x` is a password with a `/` as much as a host `admin`, port 12.
fn ambiguous_at(text: &str) -> bool {
    let Some((_, rest)) = text.split_once("://") else { return false };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    rest.get(..authority_end).is_some_and(|a| a.contains(':'))
        && rest.get(authority_end..path_end).is_some_and(|p| p.contains('@'))
}

/// A URL whose userinfo holds unescaped `/ ? # @`, spaces or `%`, as people type passwords: the userinfo runs
/// from `//` to the last `@`, is percent-encoded, and the result parsed strictly.
fn parse_raw_userinfo(text: &str) -> Option<Url> {
    let (scheme, rest) = text.split_once("://")?;
    let (userinfo, after) = rest.rsplit_once('@')?;
    let mut encoded = String::with_capacity(userinfo.len() * 3);
    let bytes = userinfo.as_bytes();
    let mut colon_seen = false;
    for (i, &b) in bytes.iter().enumerate() {
        let hex_follows = bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        match b {
            b':' if !colon_seen => {
                colon_seen = true;
                encoded.push(':');
            }
            b'%' if hex_follows => encoded.push('%'),
            b if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b) => encoded.push(char::from(b)),
            b => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    Url::parse_strict(&format!("{scheme}://{encoded}@{after}")).ok().filter(|u| u.credentials.is_some())
}

/// Checks that `text` is a URI reference (absolute or relative) as far as RTSP headers need: no spaces or
/// control characters, and a well-formed authority when it has one.
pub(crate) fn validate_reference(text: &str) -> Result<(), UrlError> {
    let parts = split(text)?;
    if let Some((authority, at)) = parts.authority {
        parse_authority(authority, at)?;
    }
    Ok(())
}

/// The scheme of a URI reference, if it is absolute.
pub(crate) fn reference_scheme(text: &str) -> Option<&str> {
    split(text).ok()?.scheme
}

/// Decodes `%XX` escapes; `at` is the offset of `text` for error positions.
fn percent_decode(text: &str, at: usize) -> Result<String, UrlError> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let out = super::percent::decode(text).map_err(|i| syntax(at + i, "two hex digits after `%`"))?;
    String::from_utf8(out).map_err(|_| syntax(at, "percent-escapes that decode to UTF-8"))
}

/// Parses `userinfo@host:port`; `at` is the authority's offset in the URL text.
fn parse_authority(authority: &str, at: usize) -> Result<(Option<Credentials>, Host, Option<u16>), UrlError> {
    // The last `@` ends the userinfo: cameras' passwords sometimes hold an unescaped `@`.
    let (credentials, hostport, hp_at) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => {
            let credentials = match userinfo.split_once(':') {
                Some((user, password)) => Credentials {
                    user: percent_decode(user, at)?,
                    password: Some(Secret::new(percent_decode(password, at + user.len() + 1)?)),
                },
                None => Credentials { user: percent_decode(userinfo, at)?, password: None },
            };
            (Some(credentials), hostport, at + userinfo.len() + 1)
        }
        None => (None, authority, at),
    };
    let (host, port_text, port_at) = if let Some(inner) = hostport.strip_prefix('[') {
        let (literal, after) =
            inner.split_once(']').ok_or_else(|| syntax(hp_at, "`]` closing the IPv6 literal"))?;
        let close = literal.len();
        if literal.contains('%') {
            return Err(syntax(hp_at + 1, "an IPv6 literal without a zone identifier"));
        }
        let addr: Ipv6Addr = literal.parse().map_err(|_| syntax(hp_at + 1, "an IPv6 address"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(syntax(hp_at + close + 2, "`:port` or the end of the host")),
        };
        (Host::Ipv6(addr), port, hp_at + close + 3)
    } else {
        let (name, port) = hostport.rsplit_once(':').map_or((hostport, None), |(name, p)| (name, Some(p)));
        if name.is_empty() {
            return Err(UrlError::MissingHost);
        }
        if let Some(bad) = name.bytes().position(|b| !is_reg_name_char(b)) {
            return Err(syntax(hp_at + bad, "a host name character (letter, digit, `-`, `.`, `_`, `~`)"));
        }
        let host = match name.parse::<Ipv4Addr>() {
            Ok(a) => Host::Ipv4(a),
            Err(_) => Host::Domain(name.to_ascii_lowercase()),
        };
        (host, port, hp_at + name.len() + 1)
    };
    let port = match port_text {
        // RFC 3986 allows an empty port: same as none.
        None | Some("") => None,
        Some(p) => Some(
            p.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| p.parse::<u16>().ok())
                .flatten()
                .ok_or_else(|| syntax(port_at, "a port number 0-65535"))?,
        ),
    };
    Ok((credentials, host, port))
}

fn is_reg_name_char(b: u8) -> bool {
    // unreserved and sub-delims of RFC 3986 (no percent-escapes in host names: cameras never use them).
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b)
}

/// RFC 3986 section 5.2.4: removes `.` and `..` segments.
fn remove_dot_segments(path: &str) -> String {
    if !path.contains('.') {
        return path.to_owned();
    }
    let mut out: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    let segments: Vec<&str> = path.split('/').skip(usize::from(absolute)).collect();
    let last = segments.len().saturating_sub(1);
    let mut trailing_slash = false;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => trailing_slash = i == last,
            ".." => {
                out.pop();
                trailing_slash = i == last;
            }
            s => {
                out.push(s);
                trailing_slash = false;
            }
        }
    }
    let mut result = String::with_capacity(path.len());
    if absolute {
        result.push('/');
    }
    result.push_str(&out.join("/"));
    if trailing_slash && !result.ends_with('/') {
        result.push('/');
    }
    result
}

/// RFC 3986 section 5.2.3: merges a relative path with the base path.
fn merge(base_path: &str, reference: &str, base_has_authority: bool) -> String {
    if base_has_authority && base_path.is_empty() {
        return format!("/{reference}");
    }
    match base_path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{reference}"),
        None => reference.to_owned(),
    }
}

impl Url {
    /// Parses an absolute `rtsp://`, `rtsps://` or `rtspu://` URL.
    ///
    /// ```
    /// use rtspeek_core::rtsp::url::{Host, Url};
    /// let url = Url::parse("rtsps://admin:s3cret@[2001:db8::7]/live?ch=1").unwrap();
    /// assert_eq!(url.port_or_default(), 322);
    /// assert_eq!(url.host(), &Host::Ipv6("2001:db8::7".parse().unwrap()));
    /// assert_eq!(url.to_string(), "rtsps://[2001:db8::7]/live?ch=1");
    /// assert_eq!(url.redacted().to_string(), "rtsps://admin:***@[2001:db8::7]/live?ch=1");
    /// ```
    pub fn parse(text: &str) -> Result<Url, UrlError> {
        match Url::parse_strict(text) {
            Ok(url) if url.credentials.is_none() && ambiguous_at(text) => Err(UrlError::AmbiguousAt),
            Ok(url) => Ok(url),
            // People type passwords with `/ ? # @` or spaces unescaped: read them before giving up.
            Err(e) => parse_raw_userinfo(text).ok_or(e),
        }
    }

    /// RFC 3986 parsing only: the userinfo ends at the last `@` before the first `/`, `?` or `#`.
    fn parse_strict(text: &str) -> Result<Url, UrlError> {
        let parts = split(text)?;
        let scheme_name = parts.scheme.ok_or(UrlError::UnsupportedScheme { scheme: String::new() })?;
        let scheme = Scheme::from_name(scheme_name)
            .ok_or_else(|| UrlError::UnsupportedScheme { scheme: scheme_name.to_ascii_lowercase() })?;
        let (authority, at) = parts.authority.ok_or(UrlError::MissingHost)?;
        let (credentials, host, port) = parse_authority(authority, at)?;
        Ok(Url {
            scheme,
            credentials,
            host,
            port,
            path: remove_dot_segments(parts.path),
            query: parts.query.map(str::to_owned),
            fragment: parts.fragment.map(str::to_owned),
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The credentials from the userinfo, if any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port written in the URL, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port written in the URL, or the scheme's default (554, or 322 for `rtsps`).
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(self.scheme.default_port())
    }

    /// The path (empty or starting with `/`), still percent-encoded.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query without its `?`.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The fragment without its `#`.
    pub fn fragment(&self) -> Option<&str> {
        self.fragment.as_deref()
    }

    /// The same URL with the given scheme (e.g. to try `rtsps` after `rtsp`).
    #[must_use]
    pub fn with_scheme(&self, scheme: Scheme) -> Url {
        Url { scheme, ..self.clone() }
    }

    /// The same URL without credentials.
    #[must_use]
    pub fn without_credentials(&self) -> Url {
        Url { credentials: None, ..self.clone() }
    }

    /// A display of the URL that shows the user but masks the password: `rtsps://admin:***@cam/live`.
    pub fn redacted(&self) -> Redacted<'_> {
        Redacted(self)
    }

    /// Resolves a URI reference against this URL as base (RFC 3986 section 5.2.2). The result keeps this
    /// URL's credentials when the reference names no authority of its own.
    pub fn join(&self, reference: &str) -> Result<Url, UrlError> {
        let parts = split(reference)?;
        if parts.scheme.is_some() {
            return Url::parse(reference);
        }
        let mut out = self.clone();
        out.fragment = parts.fragment.map(str::to_owned);
        if let Some((authority, at)) = parts.authority {
            let (credentials, host, port) = parse_authority(authority, at)?;
            out.credentials = credentials;
            out.host = host;
            out.port = port;
            out.path = remove_dot_segments(parts.path);
            out.query = parts.query.map(str::to_owned);
        } else if parts.path.is_empty() {
            if let Some(q) = parts.query {
                out.query = Some(q.to_owned());
            }
        } else {
            out.path = if parts.path.starts_with('/') {
                remove_dot_segments(parts.path)
            } else {
                remove_dot_segments(&merge(&self.path, parts.path, true))
            };
            out.query = parts.query.map(str::to_owned);
        }
        Ok(out)
    }

    /// Resolves an SDP `a=control` value against the session's base URL the way RTSP clients do:
    ///
    /// - `*` is the base URL itself (aggregate control);
    /// - an absolute URL is taken as is;
    /// - a relative one is joined to the base *as a directory*: `rtsp://cam/live` + `trackID=1` gives
    ///   `rtsp://cam/live/trackID=1`. RFC 3986 would give `rtsp://cam/trackID=1`, but servers (live555,
    ///   gst-rtsp-server, most cameras) send a Content-Base without the trailing `/` and mean the directory
    ///   form, and FFmpeg, GStreamer and retina all resolve it so; we follow the clients.
    pub fn resolve_control(&self, control: &str) -> Result<Url, UrlError> {
        let control = control.trim();
        if control == "*" {
            return Ok(self.clone());
        }
        if split(control)?.scheme.is_some() {
            return Url::parse(control);
        }
        if control.starts_with('/') || self.path.ends_with('/') {
            return self.join(control);
        }
        let mut dir = self.clone();
        dir.path.push('/');
        dir.query = None;
        dir.join(control)
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, userinfo: bool) -> fmt::Result {
        write!(f, "{}://", self.scheme.as_str())?;
        if let (true, Some(c)) = (userinfo, &self.credentials) {
            f.write_str(&c.user)?;
            if c.password.is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        }
        match &self.host {
            Host::Ipv6(a) => write!(f, "[{a}]")?,
            other => write!(f, "{other}")?,
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(&self.path)?;
        if let Some(q) = &self.query {
            write!(f, "?{q}")?;
        }
        if let Some(frag) = &self.fragment {
            write!(f, "#{frag}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Url {
    /// The URL without userinfo: the form to put in a Request-URI or a header.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Url(\"{}\")", self.redacted())
    }
}

/// Display of a URL with the password masked, from [`Url::redacted`].
#[derive(Clone, Copy)]
pub struct Redacted<'a>(&'a Url);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, true)
    }
}

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests;
