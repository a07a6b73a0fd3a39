//! The HTTP/1.1 of the bridge and of the server's admin endpoint: one bounded request head per connection, an
//! optional bounded body, one response, then the connection closes (or becomes a WebSocket). Heads are parsed
//! by `httparse` (the parser tungstenite itself uses) within our own limits: a fixed buffer, a header count,
//! and a deadline the caller puts around [`read_head`] and [`read_body`].
//!
//! There is no keep-alive and no chunked encoding: a body needs one `Content-Length`. The pages are a handful
//! of files fetched once from one machine, so `Connection: close` after every response costs nothing and
//! removes every state a second request on the same connection could be smuggled through.

pub(crate) mod security;

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

/// Why a request body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// No `Content-Length` (411).
    LengthRequired,
    /// `Transfer-Encoding` (chunked or any other): refused rather than parsed (501).
    Encoded,
    /// `Content-Length` is not one decimal number (400).
    BadLength,
    /// Larger than the limit (413), the limit.
    TooLarge(usize),
    /// The client went away before the whole body.
    Closed,
}

impl BodyError {
    /// The response that says so.
    pub(crate) fn response(&self) -> Response {
        match self {
            BodyError::LengthRequired => Response::text(411, "a body needs Content-Length"),
            BodyError::Encoded => {
                Response::text(501, "Transfer-Encoding is not accepted: send the body with Content-Length")
            }
            BodyError::BadLength => Response::text(400, "Content-Length is not one decimal number"),
            BodyError::TooLarge(max) => Response::text(413, &format!("the body is larger than {max} bytes")),
            BodyError::Closed => Response::text(400, "the body ended before Content-Length bytes"),
        }
    }
}

/// Reads the body of `request` (its first bytes may have come with the head), of at most `max` bytes, which
/// the caller allocates only once `Content-Length` is known to be within the limit. Put a deadline around it.
pub(crate) async fn read_body<S: AsyncRead + Unpin>(
    stream: &mut S,
    request: &mut Request,
    max: usize,
) -> Result<Vec<u8>, BodyError> {
    if request.header("transfer-encoding") != Header::Missing {
        return Err(BodyError::Encoded);
    }
    let length = match request.header("content-length") {
        Header::Missing => return Err(BodyError::LengthRequired),
        Header::Ambiguous => return Err(BodyError::BadLength),
        Header::One(text)
            if !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()) =>
        {
            text.parse::<usize>().map_err(|_| BodyError::BadLength)?
        }
        Header::One(_) => return Err(BodyError::BadLength),
    };
    if length > max {
        return Err(BodyError::TooLarge(max));
    }
    let mut body = std::mem::take(&mut request.rest);
    if body.len() > length {
        // Bytes after the body: a second request this server will not read.
        body.truncate(length);
    }
    let have = body.len();
    body.resize(length, 0);
    stream.read_exact(&mut body[have..]).await.map_err(|_| BodyError::Closed)?;
    Ok(body)
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

/// Accepts connections on `tcp` until `stop`. `admit_and_serve` decides for each (`None`: closed at once, as
/// one over the connection bounds is) and returns the connection's work, run in a task of its own that also ends
/// at `stop`. An accept error (out of descriptors) pauses the loop briefly instead of spinning.
pub(crate) async fn accept_loop<F, Fut>(
    tcp: tokio::net::TcpListener,
    mut stop: tokio::sync::watch::Receiver<bool>,
    admit_and_serve: F,
) where
    F: Fn(tokio::net::TcpStream, std::net::SocketAddr) -> Option<Fut>,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        let (stream, peer) = tokio::select! {
            accepted = tcp.accept() => match accepted {
                Ok(pair) => pair,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let Some(work) = admit_and_serve(stream, peer) else { continue };
        let mut stop = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = work => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// Writes `response` within `write_timeout`, then reads what the client still sends for up to a second (see
/// [`drain`]) before the connection closes.
pub(crate) async fn respond<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    response: &Response,
    write_timeout: std::time::Duration,
) {
    if let Ok(Ok(())) = tokio::time::timeout(write_timeout, response.write(stream)).await {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drain(stream)).await;
    }
}

/// Headers on every response of the bridge and the admin endpoint: nothing cached, nothing sniffed, no
/// referrer, no framing, no use from other origins, and a content security policy that allows the page's own
/// scripts, its wasm, and connections to itself (`connect`: one more source, the bridge's `ws://host`).
pub(crate) fn security_headers(response: Response, connect: Option<&str>) -> Response {
    let connect = connect.map(|c| format!(" {c}")).unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'{connect}; \
         img-src 'self' data: blob:; style-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    );
    response
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("X-Frame-Options", "DENY")
        .header("Cross-Origin-Resource-Policy", "same-origin")
        .header("Cross-Origin-Opener-Policy", "same-origin")
        .header("Content-Security-Policy", csp)
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
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
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

    #[tokio::test]
    async fn bodies_need_one_length_within_the_limit() {
        let head = |extra: &str| {
            let text = format!("POST /api HTTP/1.1\r\nHost: a\r\n{extra}\r\n");
            parse(text.as_bytes()).expect("valid").expect("complete")
        };
        let mut request = head("Content-Length: 5\r\n");
        request.rest = b"he".to_vec();
        let mut more: &[u8] = b"lloEXTRA";
        assert_eq!(read_body(&mut more, &mut request, 16).await, Ok(b"hello".to_vec()));
        let mut none: &[u8] = b"";
        assert_eq!(read_body(&mut none, &mut head(""), 16).await, Err(BodyError::LengthRequired));
        let chunked = "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n";
        assert_eq!(read_body(&mut none, &mut head(chunked), 16).await, Err(BodyError::Encoded));
        for bad in [
            "Content-Length: -1\r\n",
            "Content-Length: 1\r\nContent-Length: 1\r\n",
            "Content-Length: 0x10\r\n",
        ] {
            assert_eq!(read_body(&mut none, &mut head(bad), 16).await, Err(BodyError::BadLength), "{bad}");
        }
        let huge = "Content-Length: 999999999999\r\n";
        assert_eq!(read_body(&mut none, &mut head(huge), 16).await, Err(BodyError::TooLarge(16)));
        let mut short: &[u8] = b"abc";
        assert_eq!(
            read_body(&mut short, &mut head("Content-Length: 5\r\n"), 16).await,
            Err(BodyError::Closed)
        );
        assert_eq!(BodyError::TooLarge(16).response().status(), 413);
    }

    #[test]
    fn head_responses_keep_the_length_and_drop_the_body() {
        let response = Response::new(200, "text/plain", &b"hello"[..]).header("X-A", "1").head_only();
        let text = String::from_utf8(response.to_bytes()).expect("ascii");
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\n"), "{text}");
        assert!(text.ends_with("Content-Length: 5\r\nConnection: close\r\n\r\n"), "{text}");
    }
}
