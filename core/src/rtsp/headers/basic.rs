//! The small headers: CSeq, Content-Length, Content-Type, Retry-After, Server, User-Agent, Public, and the
//! URL-valued Content-Base, Content-Location and Location.

use std::fmt;

use super::cursor::Cursor;
use super::{HeaderError, TypedHeader, is_tchar, names, write_token_or_quoted};
use crate::rtsp::message::Method;
use crate::rtsp::url::{self, Url, UrlError};

/// `CSeq`: the sequence number pairing a response with its request (RFC 2326 section 12.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CSeq(pub u32);

impl TypedHeader for CSeq {
    const NAME: &'static str = names::CSEQ;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        c.skip_ws();
        let n = c.number("a sequence number 0-4294967295")?;
        c.finish("the end of the value after the number")?;
        Ok(CSeq(n))
    }

    fn write_value(&self, out: &mut String) {
        out.push_str(&self.0.to_string());
    }
}

/// `Content-Length`: the body's length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentLength(pub u64);

impl TypedHeader for ContentLength {
    const NAME: &'static str = names::CONTENT_LENGTH;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        c.skip_ws();
        let n = c.number("a length in bytes")?;
        c.finish("the end of the value after the length")?;
        Ok(ContentLength(n))
    }

    fn write_value(&self, out: &mut String) {
        out.push_str(&self.0.to_string());
    }
}

/// `Content-Type`: a media type with parameters (`application/sdp`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentType {
    /// `type/subtype`, lowercased.
    pub media_type: String,
    /// Parameters: lowercased names, unquoted values.
    pub params: Vec<(String, String)>,
}

impl ContentType {
    /// `application/sdp`, what DESCRIBE returns.
    pub fn sdp() -> Self {
        ContentType { media_type: "application/sdp".to_owned(), params: Vec::new() }
    }

    /// Whether the media type is `application/sdp`.
    pub fn is_sdp(&self) -> bool {
        self.media_type == "application/sdp"
    }
}

impl TypedHeader for ContentType {
    const NAME: &'static str = names::CONTENT_TYPE;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        c.skip_ws();
        let kind = c.token("a media type (`type/subtype`)")?;
        if c.peek() != Some(b'/') {
            return Err(c.error("`/` between type and subtype"));
        }
        c.eat(b'/');
        let sub = c.token("a media subtype")?;
        let mut params = Vec::new();
        while c.eat(b';') {
            if c.at_end() {
                break; // A trailing `;` is harmless.
            }
            let name = c.token("a parameter name")?.to_ascii_lowercase();
            c.expect(b'=', "`=` after the parameter name")?;
            let value =
                if c.peek() == Some(b'"') { c.quoted()? } else { c.token("a parameter value")?.to_owned() };
            params.push((name, value));
        }
        c.finish("`;` or the end of the value")?;
        Ok(ContentType { media_type: format!("{kind}/{sub}").to_ascii_lowercase(), params })
    }

    fn write_value(&self, out: &mut String) {
        out.push_str(&self.media_type);
        for (name, value) in &self.params {
            out.push_str("; ");
            out.push_str(name);
            out.push('=');
            write_token_or_quoted(value, out);
        }
    }
}

/// `Retry-After`: when to try again after a 503 (seconds or an HTTP date).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RetryAfter {
    /// A delay in seconds.
    Seconds(u64),
    /// An HTTP date, as written (core has no clock to compare it with).
    Date(String),
}

impl TypedHeader for RetryAfter {
    const NAME: &'static str = names::RETRY_AFTER;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        c.skip_ws();
        match c.peek() {
            Some(b'0'..=b'9') => {
                let n = c.number("a delay in seconds")?;
                c.finish("the end of the value after the delay")?;
                Ok(RetryAfter::Seconds(n))
            }
            // HTTP dates start with the day name (`Fri, 31 Dec 1999 23:59:59 GMT`).
            Some(b) if b.is_ascii_alphabetic() => Ok(RetryAfter::Date(value.trim().to_owned())),
            _ => Err(c.error("a delay in seconds or an HTTP date")),
        }
    }

    fn write_value(&self, out: &mut String) {
        match self {
            RetryAfter::Seconds(n) => out.push_str(&n.to_string()),
            RetryAfter::Date(d) => out.push_str(d),
        }
    }
}

/// Declares a header holding free product text (`Server`, `User-Agent`).
macro_rules! product_header {
    ($(#[doc = $doc:literal])+ $ty:ident = $name:expr) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty(pub String);

        impl TypedHeader for $ty {
            const NAME: &'static str = $name;

            fn parse(value: &str) -> Result<Self, HeaderError> {
                let text = value.trim_matches([' ', '\t']);
                if text.is_empty() {
                    return Err(HeaderError::new(Self::NAME, value, 0, "a product name"));
                }
                Ok($ty(text.to_owned()))
            }

            fn write_value(&self, out: &mut String) {
                out.push_str(&self.0);
            }
        }
    };
}

product_header! {
    /// `Server`: the server's product string (`GStreamer RTSP server`, `Hikvision-Webs`), kept as text.
    Server = names::SERVER
}

product_header! {
    /// `User-Agent`: the client's product string, kept as text.
    UserAgent = names::USER_AGENT
}

/// `Public`: the methods a server supports, from an OPTIONS response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Public(pub Vec<Method<'static>>);

impl Public {
    /// Whether `method` is listed.
    pub fn supports(&self, method: &Method<'_>) -> bool {
        self.0.iter().any(|m| m.as_str() == method.as_str())
    }
}

impl TypedHeader for Public {
    const NAME: &'static str = names::PUBLIC;
    const LIST: bool = true;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        let mut methods = Vec::new();
        loop {
            c.skip_ws();
            // Empty list elements (`A,,B`, a trailing comma) are allowed by the #rule.
            if c.peek().is_some_and(is_tchar) {
                let token = c.token("a method name")?;
                methods.push(Method::from_token(token).into_owned());
            }
            if c.at_end() {
                return Ok(Public(methods));
            }
            c.expect(b',', "`,` between method names")?;
        }
    }

    fn write_value(&self, out: &mut String) {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(m.as_str());
        }
    }
}

/// A URI reference from a header (absolute, or relative to the request URL). `Debug` and `Display` mask any
/// password; [`as_str`](Self::as_str) is the raw text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UriRef(String);

impl UriRef {
    /// Checks and wraps a URI reference (not empty, no spaces or control characters).
    pub fn new(text: &str) -> Result<UriRef, UrlError> {
        if text.is_empty() {
            return Err(UrlError::Syntax { pos: 0, expected: "a URL" });
        }
        url::validate_reference(text)?;
        Ok(UriRef(text.to_owned()))
    }

    /// The reference as written (may hold credentials: do not log it).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scheme, lowercased as written, if the reference is absolute.
    pub fn scheme(&self) -> Option<&str> {
        url::reference_scheme(&self.0)
    }

    /// Resolves the reference against `base` (RFC 3986 section 5.2).
    pub fn resolve(&self, base: &Url) -> Result<Url, UrlError> {
        base.join(&self.0)
    }
}

impl fmt::Debug for UriRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UriRef({:?})", url::redact_text(&self.0))
    }
}

impl fmt::Display for UriRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&url::redact_text(&self.0))
    }
}

/// Declares a header whose value is one URI reference.
macro_rules! uri_header {
    ($(#[doc = $doc:literal])+ $ty:ident = $name:expr) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty(pub UriRef);

        impl TypedHeader for $ty {
            const NAME: &'static str = $name;

            fn parse(value: &str) -> Result<Self, HeaderError> {
                let text = value.trim_matches([' ', '\t']);
                let leading = value.len() - value.trim_start_matches([' ', '\t']).len();
                if text.is_empty() {
                    return Err(HeaderError::new(Self::NAME, value, 0, "a URL"));
                }
                UriRef::new(text).map($ty).map_err(|e| {
                    let pos = match e {
                        UrlError::Syntax { pos, .. } => leading + pos,
                        _ => leading,
                    };
                    HeaderError::new(Self::NAME, value, pos, "a well-formed URL")
                })
            }

            fn write_value(&self, out: &mut String) {
                out.push_str(self.0.as_str());
            }
        }
    };
}

uri_header! {
    /// `Content-Base`: the base URL for relative control URLs in the body (RFC 2326 section 12.11).
    ContentBase = names::CONTENT_BASE
}

uri_header! {
    /// `Content-Location`: where the body came from; the base URL when there is no Content-Base.
    ContentLocation = names::CONTENT_LOCATION
}

uri_header! {
    /// `Location`: where a 3xx response sends the client.
    Location = names::LOCATION
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn round_trip<T: TypedHeader + PartialEq + fmt::Debug>(value: &str) -> T {
        let parsed = T::parse(value).unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(T::parse(&parsed.to_value()).as_ref(), Ok(&parsed), "{value}");
        parsed
    }

    #[test]
    fn cseq_and_content_length() {
        assert_eq!(round_trip::<CSeq>(" 42 "), CSeq(42));
        assert_eq!(CSeq::parse("4294967296").unwrap_err().pos, 0);
        assert_eq!(CSeq::parse("1 2").unwrap_err().pos, 2);
        assert_eq!(CSeq::parse("").unwrap_err().expected, "a sequence number 0-4294967295");
        assert_eq!(CSeq::parse("-1").unwrap_err().pos, 0);
        assert_eq!(round_trip::<ContentLength>("519"), ContentLength(519));
        assert_eq!(ContentLength::parse("12a").unwrap_err().pos, 2);
    }

    #[test]
    fn content_type_with_parameters() {
        let ct = round_trip::<ContentType>("Application/SDP");
        assert!(ct.is_sdp());
        assert_eq!(ct, ContentType::sdp());
        let ct = round_trip::<ContentType>(r#"text/parameters; charset="utf 8";x=y;"#);
        assert_eq!(ct.params, [("charset".to_owned(), "utf 8".to_owned()), ("x".to_owned(), "y".to_owned())]);
        assert_eq!(ContentType::parse("text").unwrap_err().pos, 4);
        assert_eq!(ContentType::parse("text/plain; =x").unwrap_err().pos, 12);
        assert_eq!(ContentType::parse("text/plain x").unwrap_err().pos, 11);
    }

    #[test]
    fn retry_after_seconds_or_date() {
        assert_eq!(round_trip::<RetryAfter>("120"), RetryAfter::Seconds(120));
        assert_eq!(
            round_trip::<RetryAfter>("Fri, 31 Dec 1999 23:59:59 GMT"),
            RetryAfter::Date("Fri, 31 Dec 1999 23:59:59 GMT".into())
        );
        assert_eq!(RetryAfter::parse("-3").unwrap_err().pos, 0);
        assert_eq!(RetryAfter::parse("3 s").unwrap_err().pos, 2);
    }

    #[test]
    fn server_and_user_agent_keep_text() {
        assert_eq!(round_trip::<Server>(" GStreamer RTSP server "), Server("GStreamer RTSP server".into()));
        assert_eq!(round_trip::<UserAgent>("rtspeek/0.1"), UserAgent("rtspeek/0.1".into()));
        assert!(Server::parse("  ").is_err());
    }

    #[test]
    fn public_lists_methods() {
        let p = round_trip::<Public>("OPTIONS, DESCRIBE,SETUP ,, TEARDOWN,PLAY, GET_PARAMETER, X-FOO,");
        assert_eq!(p.0.len(), 7);
        assert!(p.supports(&Method::GetParameter) && !p.supports(&Method::Record));
        assert!(p.supports(&Method::Extension("X-FOO".into())));
        assert_eq!(Public::parse("OPTIONS DESCRIBE").unwrap_err().pos, 8);
        assert_eq!(Public::parse("").unwrap(), Public(vec![]));
    }

    #[test]
    fn url_headers_keep_references_and_mask_passwords() {
        let base = round_trip::<ContentBase>(" rtsp://admin:pw@192.0.2.1/live/ ");
        assert_eq!(base.0.scheme(), Some("rtsp"));
        assert_eq!(
            format!("{base:?} {}", base.0),
            "ContentBase(UriRef(\"rtsp://admin:***@192.0.2.1/live/\")) rtsp://admin:***@192.0.2.1/live/"
        );
        let loc = round_trip::<ContentLocation>("stream1/");
        assert_eq!(loc.0.scheme(), None);
        let request = Url::parse("rtsps://cam.example/a/b").unwrap();
        assert_eq!(loc.0.resolve(&request).unwrap().to_string(), "rtsps://cam.example/a/stream1/");
        assert_eq!(round_trip::<Location>("rtsps://other.example/x").0.as_str(), "rtsps://other.example/x");
        assert_eq!(ContentBase::parse(" rtsp://cam/a b").unwrap_err().pos, 13);
        assert_eq!(Location::parse("").unwrap_err().expected, "a URL");
        assert_eq!(Location::parse("rtsp://[::1/").unwrap_err().pos, 7);
    }
}
