//! RTSP messages: requests, responses and interleaved binary frames, borrowed from the input where possible.
//!
//! Every text field is a `Cow`: the parser borrows from the bytes it was given, code that builds a request
//! owns its strings, and [`Message::into_owned`] turns the one into the other.

use std::borrow::Cow;
use std::fmt;

use super::headers::{ContentBase, ContentLocation, HeaderError, Headers, TypedHeader, UriRef};
use super::quirks::Quirks;
use super::url::Url;

/// The protocol version of a start line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `RTSP/1.0` (RFC 2326), what cameras speak.
    Rtsp10,
    /// `RTSP/2.0` (RFC 7826).
    Rtsp20,
}

impl Version {
    /// The version as written in start lines (`RTSP/1.0`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::Rtsp10 => "RTSP/1.0",
            Version::Rtsp20 => "RTSP/2.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request method. Method names are case-sensitive (RFC 2326 section 6.1): `play` is an extension method,
/// not PLAY.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method<'a> {
    /// OPTIONS: ask what the server supports.
    Options,
    /// DESCRIBE: get the session description (SDP).
    Describe,
    /// ANNOUNCE: post a session description.
    Announce,
    /// SETUP: negotiate the transport of one stream.
    Setup,
    /// PLAY: start delivery.
    Play,
    /// PAUSE: pause delivery.
    Pause,
    /// TEARDOWN: end the session.
    Teardown,
    /// GET_PARAMETER: read a parameter; often a keep-alive.
    GetParameter,
    /// SET_PARAMETER: write a parameter.
    SetParameter,
    /// REDIRECT: the server tells the client to go elsewhere (RFC 2326 only, replaced in RTSP 2.0).
    Redirect,
    /// RECORD: start recording.
    Record,
    /// Any other method token, kept as written.
    Extension(Cow<'a, str>),
}

impl<'a> Method<'a> {
    /// The standard methods, in RFC order.
    pub const STANDARD: [Method<'static>; 11] = [
        Method::Options,
        Method::Describe,
        Method::Announce,
        Method::Setup,
        Method::Play,
        Method::Pause,
        Method::Teardown,
        Method::GetParameter,
        Method::SetParameter,
        Method::Redirect,
        Method::Record,
    ];

    /// The method for a token (exact, case-sensitive match; anything else is an extension).
    pub fn from_token(token: &'a str) -> Method<'a> {
        Self::standard(token).unwrap_or(Method::Extension(Cow::Borrowed(token)))
    }

    /// The standard method with this exact name, if any.
    pub fn standard(token: &str) -> Option<Method<'static>> {
        Some(match token {
            "OPTIONS" => Method::Options,
            "DESCRIBE" => Method::Describe,
            "ANNOUNCE" => Method::Announce,
            "SETUP" => Method::Setup,
            "PLAY" => Method::Play,
            "PAUSE" => Method::Pause,
            "TEARDOWN" => Method::Teardown,
            "GET_PARAMETER" => Method::GetParameter,
            "SET_PARAMETER" => Method::SetParameter,
            "REDIRECT" => Method::Redirect,
            "RECORD" => Method::Record,
            _ => return None,
        })
    }

    /// The method's name.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Options => "OPTIONS",
            Method::Describe => "DESCRIBE",
            Method::Announce => "ANNOUNCE",
            Method::Setup => "SETUP",
            Method::Play => "PLAY",
            Method::Pause => "PAUSE",
            Method::Teardown => "TEARDOWN",
            Method::GetParameter => "GET_PARAMETER",
            Method::SetParameter => "SET_PARAMETER",
            Method::Redirect => "REDIRECT",
            Method::Record => "RECORD",
            Method::Extension(token) => token,
        }
    }

    /// The same method, owning its text.
    pub fn into_owned(self) -> Method<'static> {
        match self {
            Method::Extension(t) => Method::Extension(Cow::Owned(t.into_owned())),
            Method::Options => Method::Options,
            Method::Describe => Method::Describe,
            Method::Announce => Method::Announce,
            Method::Setup => Method::Setup,
            Method::Play => Method::Play,
            Method::Pause => Method::Pause,
            Method::Teardown => Method::Teardown,
            Method::GetParameter => Method::GetParameter,
            Method::SetParameter => Method::SetParameter,
            Method::Redirect => Method::Redirect,
            Method::Record => Method::Record,
        }
    }
}

impl fmt::Display for Method<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A three-digit status code (100-999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatusCode(u16);

impl StatusCode {
    /// 200 OK.
    pub const OK: StatusCode = StatusCode(200);
    /// 301 Moved Permanently.
    pub const MOVED_PERMANENTLY: StatusCode = StatusCode(301);
    /// 302 Moved Temporarily (RFC 2326) / Found (RFC 7826).
    pub const MOVED_TEMPORARILY: StatusCode = StatusCode(302);
    /// 400 Bad Request.
    pub const BAD_REQUEST: StatusCode = StatusCode(400);
    /// 401 Unauthorized.
    pub const UNAUTHORIZED: StatusCode = StatusCode(401);
    /// 403 Forbidden.
    pub const FORBIDDEN: StatusCode = StatusCode(403);
    /// 404 Not Found.
    pub const NOT_FOUND: StatusCode = StatusCode(404);
    /// 405 Method Not Allowed.
    pub const METHOD_NOT_ALLOWED: StatusCode = StatusCode(405);
    /// 454 Session Not Found.
    pub const SESSION_NOT_FOUND: StatusCode = StatusCode(454);
    /// 455 Method Not Valid in This State.
    pub const METHOD_NOT_VALID_IN_THIS_STATE: StatusCode = StatusCode(455);
    /// 461 Unsupported Transport.
    pub const UNSUPPORTED_TRANSPORT: StatusCode = StatusCode(461);
    /// 500 Internal Server Error.
    pub const INTERNAL_SERVER_ERROR: StatusCode = StatusCode(500);
    /// 503 Service Unavailable.
    pub const SERVICE_UNAVAILABLE: StatusCode = StatusCode(503);

    /// The code, if it has three digits (100-999).
    pub const fn new(code: u16) -> Option<StatusCode> {
        if code >= 100 && code <= 999 { Some(StatusCode(code)) } else { None }
    }

    /// The numeric code.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// 2xx.
    pub const fn is_success(self) -> bool {
        self.0 / 100 == 2
    }

    /// 3xx.
    pub const fn is_redirection(self) -> bool {
        self.0 / 100 == 3
    }

    /// 4xx.
    pub const fn is_client_error(self) -> bool {
        self.0 / 100 == 4
    }

    /// 5xx.
    pub const fn is_server_error(self) -> bool {
        self.0 / 100 == 5
    }

    /// The reason phrase RFC 2326 / RFC 7826 give for this code, if they define it.
    pub const fn canonical_reason(self) -> Option<&'static str> {
        Some(match self.0 {
            100 => "Continue",
            200 => "OK",
            201 => "Created",
            250 => "Low on Storage Space",
            300 => "Multiple Choices",
            301 => "Moved Permanently",
            302 => "Moved Temporarily",
            303 => "See Other",
            304 => "Not Modified",
            305 => "Use Proxy",
            400 => "Bad Request",
            401 => "Unauthorized",
            402 => "Payment Required",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            407 => "Proxy Authentication Required",
            408 => "Request Time-out",
            410 => "Gone",
            411 => "Length Required",
            412 => "Precondition Failed",
            413 => "Request Entity Too Large",
            414 => "Request-URI Too Large",
            415 => "Unsupported Media Type",
            451 => "Parameter Not Understood",
            452 => "Conference Not Found",
            453 => "Not Enough Bandwidth",
            454 => "Session Not Found",
            455 => "Method Not Valid in This State",
            456 => "Header Field Not Valid for Resource",
            457 => "Invalid Range",
            458 => "Parameter Is Read-Only",
            459 => "Aggregate operation not allowed",
            460 => "Only aggregate operation allowed",
            461 => "Unsupported transport",
            462 => "Destination unreachable",
            500 => "Internal Server Error",
            501 => "Not Implemented",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Time-out",
            505 => "RTSP Version not supported",
            551 => "Option not supported",
            _ => return None,
        })
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An RTSP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// The method.
    pub method: Method<'a>,
    /// The Request-URI as written (`*` for a request about the server itself). Parse it with
    /// [`Url::parse`](super::url::Url::parse) when needed; it never carries credentials on the wire.
    pub uri: Cow<'a, str>,
    /// The protocol version.
    pub version: Version,
    /// The headers, in order.
    pub headers: Headers<'a>,
    /// The body (`Content-Length` bytes), empty when there is none.
    pub body: Cow<'a, [u8]>,
    /// Deviations from the grammar that the parser tolerated (empty for built requests).
    pub quirks: Quirks,
}

impl<'a> Request<'a> {
    /// An RTSP/1.0 request with no headers and no body.
    pub fn new(method: Method<'a>, uri: impl Into<Cow<'a, str>>) -> Request<'a> {
        Request {
            method,
            uri: uri.into(),
            version: Version::Rtsp10,
            headers: Headers::new(),
            body: Cow::Borrowed(&[]),
            quirks: Quirks::NONE,
        }
    }

    /// Appends a header (builder style).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets the body (builder style); the writer adds the matching Content-Length.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Cow<'a, [u8]>>) -> Self {
        self.body = body.into();
        self
    }

    /// The same request, owning all its data.
    pub fn into_owned(self) -> Request<'static> {
        Request {
            method: self.method.into_owned(),
            uri: Cow::Owned(self.uri.into_owned()),
            version: self.version,
            headers: self.headers.into_owned(),
            body: Cow::Owned(self.body.into_owned()),
            quirks: self.quirks,
        }
    }
}

/// An RTSP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// The protocol version.
    pub version: Version,
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase as sent (may be empty: some servers send `RTSP/1.0 200` alone).
    pub reason: Cow<'a, str>,
    /// The headers, in order.
    pub headers: Headers<'a>,
    /// The body (`Content-Length` bytes), empty when there is none.
    pub body: Cow<'a, [u8]>,
    /// Deviations from the grammar that the parser tolerated (empty for built responses).
    pub quirks: Quirks,
}

impl<'a> Response<'a> {
    /// An RTSP/1.0 response with the canonical reason phrase, no headers and no body.
    pub fn new(status: StatusCode) -> Response<'a> {
        Response {
            version: Version::Rtsp10,
            status,
            reason: Cow::Borrowed(status.canonical_reason().unwrap_or("")),
            headers: Headers::new(),
            body: Cow::Borrowed(&[]),
            quirks: Quirks::NONE,
        }
    }

    /// Appends a header (builder style).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets the body (builder style); the writer adds the matching Content-Length.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Cow<'a, [u8]>>) -> Self {
        self.body = body.into();
        self
    }

    /// The base URL for the relative URLs of this response's body, such as SDP control URLs (RFC 2326
    /// appendix C.1.1): Content-Base, else Content-Location, else the request URL. A relative header value
    /// is resolved against the request URL.
    pub fn base_url(&self, request_url: &Url) -> Result<Url, HeaderError> {
        fn resolve(reference: &UriRef, header: &'static str, request_url: &Url) -> Result<Url, HeaderError> {
            reference
                .resolve(request_url)
                .map_err(|_| HeaderError::new(header, reference.as_str(), 0, "an rtsp:// or rtsps:// URL"))
        }
        if let Some(ContentBase(base)) = self.headers.typed::<ContentBase>()? {
            return resolve(&base, ContentBase::NAME, request_url);
        }
        if let Some(ContentLocation(location)) = self.headers.typed::<ContentLocation>()? {
            return resolve(&location, ContentLocation::NAME, request_url);
        }
        Ok(request_url.clone())
    }

    /// The same response, owning all its data.
    pub fn into_owned(self) -> Response<'static> {
        Response {
            version: self.version,
            status: self.status,
            reason: Cow::Owned(self.reason.into_owned()),
            headers: self.headers.into_owned(),
            body: Cow::Owned(self.body.into_owned()),
            quirks: self.quirks,
        }
    }
}

/// A `$`-framed binary packet interleaved in the RTSP byte stream (RFC 2326 section 10.12): RTP or RTCP of
/// the channel negotiated by SETUP's `interleaved=` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterleavedFrame<'a> {
    /// The channel number.
    pub channel: u8,
    /// The packet (at most 65535 bytes).
    pub payload: Cow<'a, [u8]>,
}

/// One unit of an RTSP byte stream: what [`parse`](super::parser::parse) returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// A request (a server receives these; a client may, e.g. GET_PARAMETER or REDIRECT from the server).
    Request(Request<'a>),
    /// A response.
    Response(Response<'a>),
    /// An interleaved binary frame.
    Interleaved(InterleavedFrame<'a>),
}

impl Message<'_> {
    /// The same message, owning all its data.
    pub fn into_owned(self) -> Message<'static> {
        match self {
            Message::Request(r) => Message::Request(r.into_owned()),
            Message::Response(r) => Message::Response(r.into_owned()),
            Message::Interleaved(f) => Message::Interleaved(InterleavedFrame {
                channel: f.channel,
                payload: Cow::Owned(f.payload.into_owned()),
            }),
        }
    }

    /// The tolerated deviations (always empty for interleaved frames).
    pub fn quirks(&self) -> Quirks {
        match self {
            Message::Request(r) => r.quirks,
            Message::Response(r) => r.quirks,
            Message::Interleaved(_) => Quirks::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn methods_are_case_sensitive_tokens() {
        for m in Method::STANDARD {
            assert_eq!(Method::from_token(m.as_str()), m);
            assert_eq!(m.to_string(), m.as_str());
        }
        assert_eq!(Method::from_token("play"), Method::Extension("play".into()));
        assert_eq!(Method::from_token("X-VENDOR").into_owned().as_str(), "X-VENDOR");
    }

    #[test]
    fn status_codes_have_three_digits_and_classes() {
        assert_eq!(StatusCode::new(99), None);
        assert_eq!(StatusCode::new(1000), None);
        let s = StatusCode::new(454).unwrap();
        assert!(s.is_client_error() && !s.is_server_error() && !s.is_success() && !s.is_redirection());
        assert_eq!(s.canonical_reason(), Some("Session Not Found"));
        assert!(StatusCode::OK.is_success());
        assert!(StatusCode::MOVED_TEMPORARILY.is_redirection());
        assert!(StatusCode::SERVICE_UNAVAILABLE.is_server_error());
        assert_eq!(StatusCode::new(299).unwrap().canonical_reason(), None);
        assert_eq!(StatusCode::NOT_FOUND.to_string(), "404");
        assert_eq!(Version::Rtsp20.to_string(), "RTSP/2.0");
    }

    #[test]
    fn base_url_follows_rfc_2326_appendix_c() {
        let request = Url::parse("rtsps://admin:pw@cam.example/live/main").unwrap();
        let base = |r: &Response<'_>| r.base_url(&request).map(|u| u.redacted().to_string());
        let plain = Response::new(StatusCode::OK);
        assert_eq!(base(&plain).unwrap(), "rtsps://admin:***@cam.example/live/main");
        let located = plain.clone().with_header("Content-Location", "main/");
        assert_eq!(base(&located).unwrap(), "rtsps://admin:***@cam.example/live/main/");
        let based = located.clone().with_header("Content-Base", "rtsp://cam.example/other/");
        assert_eq!(base(&based).unwrap(), "rtsp://cam.example/other/");
        let broken = plain.clone().with_header("Content-Base", "http://cam.example/");
        assert_eq!(base(&broken).unwrap_err().expected, "an rtsp:// or rtsps:// URL");
        let malformed = plain.with_header("Content-Base", "rtsp://cam example/");
        assert_eq!(base(&malformed).unwrap_err().pos, 10);
    }

    #[test]
    fn builders_and_into_owned_keep_the_content() {
        let uri = String::from("rtsp://cam.example/live");
        let req = Request::new(Method::Describe, uri.as_str()).with_header("CSeq", "2").with_body(&b"x"[..]);
        let owned: Request<'static> = req.clone().into_owned();
        assert_eq!(owned, req);
        let resp = Response::new(StatusCode::NOT_FOUND).with_header("CSeq", "2").with_body(vec![1, 2]);
        assert_eq!(resp.reason, "Not Found");
        assert_eq!(Message::Response(resp.clone()).into_owned(), Message::Response(resp));
        let frame = Message::Interleaved(InterleavedFrame { channel: 1, payload: Cow::Borrowed(&[9][..]) });
        assert_eq!(frame.quirks(), Quirks::NONE);
        assert_eq!(frame.clone().into_owned(), frame);
    }
}
