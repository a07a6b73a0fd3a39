//! Writes requests, responses and interleaved frames as bytes.
//!
//! The writer refuses what would not read back as the same message (a CR or LF in a header value would
//! smuggle a header in; a Content-Length that disagrees with the body would desynchronise the stream), so
//! for every message it accepts, [`parse`](super::parser::parse) of the output gives the message back.
//! It adds `Content-Length` when there is a body and none is set. On error nothing is appended.
//!
//! ```
//! use rtspeek_core::rtsp::{Method, Request, writer};
//! let req = Request::new(Method::Options, "rtsp://cam.example/live").with_header("CSeq", "1");
//! let mut out = Vec::new();
//! writer::write_request(&req, &mut out).unwrap();
//! assert_eq!(out, b"OPTIONS rtsp://cam.example/live RTSP/1.0\r\nCSeq: 1\r\n\r\n");
//! ```

use super::headers::{Headers, is_tchar, names};
use super::message::{InterleavedFrame, Message, Request, Response};

/// A message that cannot be written faithfully.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The method is not a token, or starts with `$` (which marks an interleaved frame on the wire).
    #[error("method {0:?} is not a token that can start a message")]
    Method(String),
    /// The Request-URI is empty or holds spaces or control characters (not shown: it may hold credentials).
    #[error("the Request-URI is empty or holds spaces or control characters")]
    Uri,
    /// The reason phrase holds CR, LF or NUL.
    #[error("the reason phrase holds CR, LF or NUL")]
    Reason,
    /// A header name is not a token.
    #[error("header name {0:?} is not a token")]
    HeaderName(String),
    /// A header value holds CR, LF or NUL.
    #[error("the value of header {0} holds CR, LF or NUL")]
    HeaderValue(String),
    /// A Content-Length header disagrees with the body.
    #[error("Content-Length {declared:?} does not match the body of {actual} bytes")]
    ContentLength {
        /// The header's value.
        declared: String,
        /// The body's length.
        actual: usize,
    },
    /// An interleaved payload longer than the 16-bit length field allows.
    #[error("interleaved payload of {0} bytes exceeds 65535")]
    FrameTooLarge(usize),
}

/// Appends a request.
pub fn write_request(req: &Request<'_>, out: &mut Vec<u8>) -> Result<(), WriteError> {
    let method = req.method.as_str();
    if method.is_empty() || !method.bytes().all(is_tchar) || method.starts_with('$') {
        return Err(WriteError::Method(method.to_owned()));
    }
    if req.uri.is_empty() || req.uri.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(WriteError::Uri);
    }
    check_headers(&req.headers, req.body.len())?;
    out.reserve(64 + req.body.len());
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.uri.as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.version.as_str().as_bytes());
    out.extend_from_slice(b"\r\n");
    write_headers_and_body(&req.headers, &req.body, out);
    Ok(())
}

/// Appends a response.
pub fn write_response(resp: &Response<'_>, out: &mut Vec<u8>) -> Result<(), WriteError> {
    if resp.reason.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(WriteError::Reason);
    }
    check_headers(&resp.headers, resp.body.len())?;
    out.reserve(64 + resp.body.len());
    out.extend_from_slice(resp.version.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(resp.status.as_u16().to_string().as_bytes());
    if !resp.reason.is_empty() {
        out.push(b' ');
        out.extend_from_slice(resp.reason.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    write_headers_and_body(&resp.headers, &resp.body, out);
    Ok(())
}

/// Appends an interleaved frame: `$`, channel, 16-bit big-endian length, payload.
pub fn write_frame(frame: &InterleavedFrame<'_>, out: &mut Vec<u8>) -> Result<(), WriteError> {
    let len =
        u16::try_from(frame.payload.len()).map_err(|_| WriteError::FrameTooLarge(frame.payload.len()))?;
    out.reserve(4 + frame.payload.len());
    out.push(b'$');
    out.push(frame.channel);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&frame.payload);
    Ok(())
}

/// Appends any message.
pub fn write_message(message: &Message<'_>, out: &mut Vec<u8>) -> Result<(), WriteError> {
    match message {
        Message::Request(r) => write_request(r, out),
        Message::Response(r) => write_response(r, out),
        Message::Interleaved(f) => write_frame(f, out),
    }
}

fn check_headers(headers: &Headers<'_>, body_len: usize) -> Result<(), WriteError> {
    for h in headers {
        if h.name.is_empty() || !h.name.bytes().all(is_tchar) {
            return Err(WriteError::HeaderName(h.name.to_string()));
        }
        if h.value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(WriteError::HeaderValue(h.name.to_string()));
        }
        if h.name.eq_ignore_ascii_case(names::CONTENT_LENGTH)
            && h.value.trim().parse::<u64>().ok() != u64::try_from(body_len).ok()
        {
            return Err(WriteError::ContentLength { declared: h.value.to_string(), actual: body_len });
        }
    }
    Ok(())
}

fn write_headers_and_body(headers: &Headers<'_>, body: &[u8], out: &mut Vec<u8>) {
    for h in headers {
        out.extend_from_slice(h.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(h.value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !body.is_empty() && !headers.contains(names::CONTENT_LENGTH) {
        out.extend_from_slice(format!("{}: {}\r\n", names::CONTENT_LENGTH, body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use std::borrow::Cow;

    use super::*;
    use crate::rtsp::headers::{CSeq, Session, TypedHeader};
    use crate::rtsp::message::{Method, StatusCode, Version};
    use crate::rtsp::parser::{Parsed, ParserConfig, parse};

    fn reparse(bytes: &[u8]) -> Message<'_> {
        match parse(bytes, &ParserConfig::default()) {
            Ok(Parsed::Message(m, used)) if used == bytes.len() => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn response_with_body_gets_its_content_length() {
        let mut resp = Response::new(StatusCode::OK).with_body(&b"v=0\r\n"[..]);
        resp.headers.set_typed(&CSeq(2));
        resp.headers.append("Content-Type", "application/sdp");
        let mut out = Vec::new();
        write_response(&resp, &mut out).unwrap();
        assert_eq!(
            out,
            b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n"
        );
        let Message::Response(back) = reparse(&out) else { panic!() };
        assert_eq!(back.body, resp.body);
        assert_eq!(back.headers.get("content-length"), Some("5"));
    }

    #[test]
    fn rtsp2_request_and_empty_reason() {
        let mut req = Request::new(Method::Setup, "rtsps://cam.example/live/trackID=1");
        req.version = Version::Rtsp20;
        req.headers.set_typed(&Session { id: "abc".into(), timeout: Some(30) });
        let mut out = Vec::new();
        write_request(&req, &mut out).unwrap();
        assert_eq!(reparse(&out), Message::Request(req));
        let mut resp = Response::new(StatusCode::new(299).unwrap());
        assert_eq!(resp.reason, "");
        resp.headers.append("Content-Length", "0");
        out.clear();
        write_response(&resp, &mut out).unwrap();
        assert_eq!(out, b"RTSP/1.0 299\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(reparse(&out), Message::Response(resp));
    }

    #[test]
    fn refuses_what_would_not_read_back() {
        let mut out = b"kept".to_vec();
        let bad = |r: Request<'static>| write_request(&r, &mut Vec::new()).unwrap_err();
        let ok = Request::new(Method::Options, "*");
        assert_eq!(
            bad(Request { method: Method::Extension("BAD METHOD".into()), ..ok.clone() }),
            WriteError::Method("BAD METHOD".into())
        );
        assert_eq!(
            bad(Request { method: Method::Extension("$X".into()), ..ok.clone() }),
            WriteError::Method("$X".into())
        );
        assert_eq!(bad(Request::new(Method::Options, "")), WriteError::Uri);
        assert_eq!(bad(Request::new(Method::Options, "rtsp://a b")), WriteError::Uri);
        assert_eq!(bad(ok.clone().with_header("X Y", "1")), WriteError::HeaderName("X Y".into()));
        assert_eq!(
            bad(ok.clone().with_header("X", "1\r\nInjected: yes")),
            WriteError::HeaderValue("X".into())
        );
        assert_eq!(
            bad(ok.clone().with_header("Content-Length", "3").with_body(&b"ab"[..])),
            WriteError::ContentLength { declared: "3".into(), actual: 2 }
        );
        let resp = Response { reason: Cow::Borrowed("OK\r\nX: y"), ..Response::new(StatusCode::OK) };
        assert_eq!(write_response(&resp, &mut out), Err(WriteError::Reason));
        let frame = InterleavedFrame { channel: 0, payload: Cow::Owned(vec![0; 65536]) };
        assert_eq!(write_frame(&frame, &mut out), Err(WriteError::FrameTooLarge(65536)));
        assert_eq!(out, b"kept", "nothing is appended on error");
        assert!(write_request(&ok.with_header("CSeq", CSeq(1).to_value()), &mut out).is_ok());
    }

    #[test]
    fn frames_and_messages() {
        let frame = InterleavedFrame { channel: 3, payload: Cow::Borrowed(&[0x80, 0xe0, 0, 1][..]) };
        let mut out = Vec::new();
        write_message(&Message::Interleaved(frame.clone()), &mut out).unwrap();
        assert_eq!(out, [b'$', 3, 0, 4, 0x80, 0xe0, 0, 1]);
        assert_eq!(reparse(&out), Message::Interleaved(frame));
    }
}
