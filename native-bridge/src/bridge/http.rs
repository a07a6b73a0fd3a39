//! The bridge's HTTP/1.1: one bounded request head per connection, one response, then the connection closes
//! (or becomes a WebSocket). Heads are parsed by `httparse` (the parser tungstenite itself uses) within the
//! bridge's own limits: a fixed buffer, a header count, and a deadline the caller puts around [`read_head`].
//!
//! There is no request body, no keep-alive and no chunked encoding: the page is a handful of files fetched
//! once from loopback, so `Connection: close` after every response costs nothing and removes every state a
//! second request on the same connection could be smuggled through.

use std::borrow::Cow;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};

/// Headers accepted in one request head.
const MAX_HEADERS: usize = 64;

/// A parsed request head.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// `GET`, `HEAD`, ...
    pub(crate) method: String,
    /// The path, without the query.
    pub(crate) path: String,
    /// The query, without the `?`.
    pub(crate) query: Option<String>,
    /// HTTP/1.1 (not 1.0).
    pub(crate) http11: bool,
    /// Header names (lowercase) and values (bytes as sent).
    headers: Vec<(String, Vec<u8>)>,
    /// Bytes read after the head (a WebSocket client that did not wait for the 101).
    pub(crate) rest: Vec<u8>,
}

/// Why no request head could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// The head is larger than the limit (431).
    TooLarge,
    /// Not an HTTP/1.x request head (400).
    Malformed,
    /// The client went away before a full head.
    Closed,
}

/// A header's value, when it is there exactly once and is UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Header<'a> {
    /// Absent.
    Missing,
    /// Present once.
    One(&'a str),
    /// Present several times, or not UTF-8: ambiguous, so refused by every check.
    Ambiguous,
}

impl Request {
    /// The value of header `name` (lowercase).
    pub(crate) fn header(&self, name: &str) -> Header<'_> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        match (values.next(), values.next()) {
            (None, _) => Header::Missing,
            (Some((_, value)), None) => match std::str::from_utf8(value) {
                Ok(text) => Header::One(text.trim()),
                Err(_) => Header::Ambiguous,
            },
            _ => Header::Ambiguous,
        }
    }

    /// Whether a comma-separated header (`Connection: keep-alive, Upgrade`) lists `token`, in any case.
    pub(crate) fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers.iter().filter(|(n, _)| n == name).any(|(_, value)| {
            String::from_utf8_lossy(value).split(',').any(|t| t.trim().eq_ignore_ascii_case(token))
        })
    }

    /// The value of a query parameter, when it is there exactly once (no percent-decoding: the values the
    /// bridge reads are hex).
    pub(crate) fn query_param(&self, name: &str) -> Option<&str> {
        let query = self.query.as_deref()?;
        let mut values = query.split('&').filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        });
        match (values.next(), values.next()) {
            (Some(value), None) => Some(value),
            _ => None,
        }
    }
}

/// Reads one request head of at most `max` bytes. Put a deadline around it: a client that sends slowly is
/// only stopped by that.
pub(crate) async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    max: usize,
) -> Result<Request, HeadError> {
    let mut buf = vec![0u8; max];
    let mut filled = 0;
    loop {
        if filled == max {
            return Err(HeadError::TooLarge);
        }
        let n = stream.read(&mut buf[filled..]).await.map_err(|_| HeadError::Closed)?;
        if n == 0 {
            return Err(HeadError::Closed);
        }
        filled += n;
        if let Some(request) = parse(&buf[..filled])? {
            return Ok(request);
        }
    }
}

/// A complete head at the start of `bytes`, `None` if it needs more bytes.
fn parse(bytes: &[u8]) -> Result<Option<Request>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(_) => return Err(HeadError::Malformed),
    };
    let (Some(method), Some(target), Some(version)) = (request.method, request.path, request.version) else {
        return Err(HeadError::Malformed);
    };
    // Origin form only (`/path?query`): no absolute URLs, no `*`.
    if !target.starts_with('/') {
        return Err(HeadError::Malformed);
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (target, None),
    };
    Ok(Some(Request {
        method: method.to_owned(),
        path: path.to_owned(),
        query,
        http11: version == 1,
        headers: request.headers.iter().map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec())).collect(),
        rest: bytes[len..].to_vec(),
    }))
}

/// A response, written whole and followed by the end of the connection.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Cow<'static, [u8]>,
    /// HEAD: the headers of a GET, no body.
    head_only: bool,
}

impl Response {
    /// A response with a body (`Content-Length` is added when written).
    pub(crate) fn new(status: u16, content_type: &'static str, body: impl Into<Cow<'static, [u8]>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body: body.into(),
            head_only: false,
        }
    }

    /// A short plain-text response: `403 Forbidden: foreign Origin`.
    pub(crate) fn text(status: u16, message: &str) -> Self {
        let body = format!("{status} {}: {message}\n", reason(status));
        Response::new(status, "text/plain; charset=utf-8", body.into_bytes())
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Leaves the body out (the answer to HEAD).
    pub(crate) fn head_only(mut self) -> Self {
        self.head_only = true;
        self
    }

    /// The status code.
    pub(crate) fn status(&self) -> u16 {
        self.status
    }

    /// The bytes on the wire.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", self.body.len()));
        let mut bytes = head.into_bytes();
        if !self.head_only {
            bytes.extend_from_slice(&self.body);
        }
        bytes
    }

    /// Writes the response and ends the sending side. Put a deadline around it.
    pub(crate) async fn write<S: AsyncWrite + Unpin>(&self, stream: &mut S) -> std::io::Result<()> {
        stream.write_all(&self.to_bytes()).await?;
        stream.flush().await?;
        stream.shutdown().await
    }
}

/// Reads what the client still sends (at most 64 KiB) until it closes. Closing with unread bytes resets the
/// connection, and a reset can make the client lose the response just written (an error response to a
/// request the bridge did not read to its end). Put a deadline around it.
pub(crate) async fn drain<S: AsyncRead + Unpin>(stream: &mut S) {
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 64 * 1024 {
        match stream.read(&mut sink).await {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// The reason phrase of the statuses the bridge sends.
fn reason(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_with_query_headers_and_the_rest() {
        let bytes =
            b"GET /ws?token=ab&x=1 HTTP/1.1\r\nHost: 127.0.0.1:80\r\nConnection: keep-alive, Upgrade\r\n\
                      X: 1\r\nX: 2\r\n\r\n\x81\x00";
        let request = parse(bytes).expect("valid").expect("complete");
        assert_eq!((request.method.as_str(), request.path.as_str(), request.http11), ("GET", "/ws", true));
        assert_eq!(request.query_param("token"), Some("ab"));
        assert_eq!(request.query_param("y"), None);
        assert_eq!(request.header("host"), Header::One("127.0.0.1:80"));
        assert_eq!(request.header("origin"), Header::Missing);
        assert_eq!(request.header("x"), Header::Ambiguous);
        assert!(request.has_token("connection", "upgrade"));
        assert_eq!(request.rest, b"\x81\x00");
    }

    #[test]
    fn partial_malformed_and_oversized_heads() {
        assert!(parse(b"GET / HTTP/1.1\r\nHost: a").expect("valid so far").is_none());
        assert_eq!(parse(b"GET http://evil/ HTTP/1.1\r\n\r\n").err(), Some(HeadError::Malformed));
        assert_eq!(parse(b"\x16\x03\x01\x02\x00").err(), Some(HeadError::Malformed));
        let many: String = (0..100).map(|i| format!("h{i}: v\r\n")).collect();
        let head = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse(head.as_bytes()).err(), Some(HeadError::TooLarge));
        let duplicated =
            parse(b"GET /ws?token=a&token=b HTTP/1.1\r\n\r\n").expect("valid").expect("complete");
        assert_eq!(duplicated.query_param("token"), None);
    }

    #[tokio::test]
    async fn read_head_stops_at_the_limit() {
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100));
        let mut reader = long.as_bytes();
        assert_eq!(read_head(&mut reader, 64).await.err(), Some(HeadError::TooLarge));
        let mut reader: &[u8] = b"GET / HTTP/1.1\r\n";
        assert_eq!(read_head(&mut reader, 64).await.err(), Some(HeadError::Closed));
    }

    #[test]
    fn head_responses_keep_the_length_and_drop_the_body() {
        let response = Response::new(200, "text/plain", &b"hello"[..]).header("X-A", "1").head_only();
        let text = String::from_utf8(response.to_bytes()).expect("ascii");
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\n"), "{text}");
        assert!(text.ends_with("Content-Length: 5\r\nConnection: close\r\n\r\n"), "{text}");
    }
}
