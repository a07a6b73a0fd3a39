//! Parser states and errors: complete and incomplete heads and bodies, interleaved frames, limits, versions,
//! folding, quirk policies and byte-exact error positions.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::borrow::Cow;
use std::num::NonZeroUsize;

use super::*;
use crate::rtsp::message::{Method, Response, StatusCode, Version};
use crate::rtsp::quirks::{QuirkPolicy, Quirks};

const DESCRIBE_200: &[u8] = b"RTSP/1.0 200 OK\r\n\
CSeq: 3\r\n\
Content-Base: rtsp://192.0.2.10:554/Streaming/Channels/101/\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 10\r\n\
\r\n\
v=0\r\no=- 1";

fn tolerant() -> ParserConfig {
    ParserConfig::default()
}

fn strict() -> ParserConfig {
    ParserConfig { quirks: QuirkPolicies::STRICT, ..ParserConfig::default() }
}

fn message(input: &[u8]) -> (Message<'_>, usize) {
    match parse(input, &tolerant()) {
        Ok(Parsed::Message(m, used)) => (m, used),
        other => panic!("{other:?}"),
    }
}

fn response(input: &[u8]) -> Response<'_> {
    match message(input).0 {
        Message::Response(r) => r,
        other => panic!("{other:?}"),
    }
}

fn err(input: &[u8], config: &ParserConfig) -> ParseError {
    match parse(input, config) {
        Err(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn expected(pos: u64, context: &'static str, what: &'static str) -> ParseError {
    ParseError { pos, context, problem: Problem::Expected(what) }
}

#[test]
fn describe_response_with_body() {
    let (m, used) = message(DESCRIBE_200);
    assert_eq!(used, DESCRIBE_200.len());
    let Message::Response(r) = m else { panic!() };
    assert_eq!((r.version, r.status, &*r.reason), (Version::Rtsp10, StatusCode::OK, "OK"));
    assert_eq!(r.headers.len(), 4);
    assert_eq!(r.headers.get("content-base"), Some("rtsp://192.0.2.10:554/Streaming/Channels/101/"));
    assert_eq!(&*r.body, b"v=0\r\no=- 1");
    assert!(r.quirks.is_empty());
    // Everything is borrowed from the input.
    assert!(matches!(r.body, Cow::Borrowed(_)) && matches!(r.reason, Cow::Borrowed(_)));
    assert!(r.headers.iter().all(|h| matches!(h.value, Cow::Borrowed(_))));
}

#[test]
fn requests_including_rtsp2_and_extension_methods() {
    let Message::Request(r) =
        message(b"SETUP rtsps://cam.example/live/trackID=1 RTSP/2.0\r\nCSeq: 4\r\n\r\n").0
    else {
        panic!()
    };
    assert_eq!(
        (r.method, &*r.uri, r.version),
        (Method::Setup, "rtsps://cam.example/live/trackID=1", Version::Rtsp20)
    );
    let Message::Request(r) = message(b"OPTIONS * RTSP/1.0\r\n\r\n").0 else { panic!() };
    assert_eq!((r.method, &*r.uri, r.headers.len()), (Method::Options, "*", 0));
    let Message::Request(r) = message(b"X-VENDOR_PING rtsp://h/ RTSP/1.0\r\n\r\n").0 else { panic!() };
    assert_eq!(r.method, Method::Extension("X-VENDOR_PING".into()));
    let r = response(b"RTSP/2.0 461 Unsupported Transport\r\nCSeq: 1\r\n\r\n");
    assert_eq!((r.version, r.status.as_u16(), &*r.reason), (Version::Rtsp20, 461, "Unsupported Transport"));
}

#[test]
fn status_line_variants() {
    assert_eq!(response(b"RTSP/1.0 200\r\n\r\n").reason, "");
    assert_eq!(response(b"RTSP/1.0 200 \r\n\r\n").reason, "");
    assert_eq!(response(b"RTSP/1.0 404  Not  Found \t\r\n\r\n").reason, " Not  Found");
    assert_eq!(response(b"RTSP/1.0 999 Custom\r\n\r\n").status.as_u16(), 999);
}

#[test]
fn incomplete_heads_bodies_and_frames() {
    assert_eq!(parse(b"", &tolerant()), Ok(Parsed::Incomplete(Needed::Unknown)));
    assert_eq!(parse(b"\r", &tolerant()), Ok(Parsed::Incomplete(Needed::Unknown)));
    assert_eq!(parse(b"\r\n\r\n", &tolerant()), Ok(Parsed::Incomplete(Needed::Unknown)));
    assert_eq!(parse(&DESCRIBE_200[..40], &tolerant()), Ok(Parsed::Incomplete(Needed::Unknown)));
    let head_len = DESCRIBE_200.len() - 10;
    let want = |n| Ok(Parsed::Incomplete(Needed::Size(NonZeroUsize::new(n).unwrap())));
    assert_eq!(parse(&DESCRIBE_200[..head_len], &tolerant()), want(10));
    assert_eq!(parse(&DESCRIBE_200[..head_len + 7], &tolerant()), want(3));
    assert_eq!(parse(b"$", &tolerant()), want(3));
    assert_eq!(parse(b"$\x01\x00", &tolerant()), want(1));
    assert_eq!(parse(b"$\x01\x01\x00\xff", &tolerant()), want(255));
    let (m, used) = message(b"$\x01\x00\x00RTSP");
    assert_eq!(
        (m, used),
        (Message::Interleaved(InterleavedFrame { channel: 1, payload: Cow::Borrowed(&[]) }), 4)
    );
}

#[test]
fn blank_lines_before_a_message_are_skipped_and_counted() {
    let input = b"\r\n\n\r\nRTSP/1.0 200 OK\r\n\r\n";
    let (_, used) = message(input);
    assert_eq!(used, input.len());
    let (m, used) = message(b"\r\n$\x00\x00\x01\xaa");
    assert_eq!(used, 7);
    assert!(matches!(m, Message::Interleaved(f) if *f.payload == [0xaa]));
}

#[test]
fn stream_of_responses_and_interleaved_frames() {
    let mut stream = Vec::new();
    stream.extend_from_slice(
        b"RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: 1234\r\nRTP-Info: url=rtsp://h/a;seq=1\r\n\r\n",
    );
    stream.extend_from_slice(b"$\x00\x00\x0c\x80\x60\x00\x01\x00\x00\x00\x00\x12\x34\x56\x78");
    stream.extend_from_slice(b"$\x01\x00\x04\x81\xc8\x00\x06");
    stream.extend_from_slice(b"GET_PARAMETER rtsp://h/a RTSP/1.0\r\nCSeq: 1\r\n\r\n");
    stream.extend_from_slice(b"$\x00\x00\x02\x80");
    let mut parser = Parser::default();
    let mut rest = &stream[..];
    let mut kinds = Vec::new();
    while let Parsed::Message(m, _) = parser.feed(&mut rest).unwrap() {
        kinds.push(match m {
            Message::Request(r) => format!("request {}", r.method),
            Message::Response(r) => format!("response {}", r.status),
            Message::Interleaved(f) => format!("frame {} {}", f.channel, f.payload.len()),
        });
    }
    assert_eq!(kinds, ["response 200", "frame 0 12", "frame 1 4", "request GET_PARAMETER",]);
    assert_eq!(rest, b"$\x00\x00\x02\x80", "the incomplete frame stays in the buffer");
    assert_eq!(parser.stream_pos(), (stream.len() - 5) as u64);
}

#[test]
fn folded_headers_are_joined() {
    let input = b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm=\"cam\",\r\n\t nonce=\"abc\", \r\n  stale=FALSE\r\nX-Empty:\r\n \r\n\r\n";
    let r = response(input);
    assert_eq!(r.headers.get("www-authenticate"), Some("Digest realm=\"cam\", nonce=\"abc\", stale=FALSE"));
    assert_eq!(r.headers.get("x-empty"), Some(""));
    assert!(r.quirks.contains(Quirks::FOLDED_HEADER));
    assert_eq!(
        err(input, &strict()),
        ParseError { pos: 75, context: "header-line > obs-fold", problem: Problem::ObsoleteFolding }
    );
    assert_eq!(
        err(b"RTSP/1.0 200 OK\r\n continued\r\n\r\n", &tolerant()),
        expected(17, "header-line > obs-fold", "a header name, not a continuation line")
    );
}

#[test]
fn bare_lf_is_a_flagged_quirk_or_an_error() {
    let input = b"RTSP/1.0 200 OK\nCSeq: 2\r\nPublic: OPTIONS, DESCRIBE\n\nbody";
    let (m, used) = message(input);
    assert_eq!(used, input.len() - 4);
    assert!(m.quirks().contains(Quirks::BARE_LF));
    assert_eq!(
        err(input, &strict()),
        ParseError { pos: 15, context: "line ending", problem: Problem::BareLf }
    );
}

#[test]
fn non_utf8_text_is_read_lossily_or_rejected() {
    let input = b"RTSP/1.0 200 OK\r\nServer: Cam\xe9ra\r\n\r\n";
    let r = response(input);
    assert_eq!(r.headers.get("server"), Some("Cam\u{fffd}ra"));
    assert!(r.quirks.contains(Quirks::NON_UTF8));
    assert_eq!(
        err(input, &strict()),
        ParseError { pos: 28, context: "header-line > field-value", problem: Problem::NonUtf8 }
    );
}

#[test]
fn errors_name_position_rule_and_problem() {
    let cases: &[(&[u8], ParseError)] = &[
        (b"RTSP/1.1 200 OK\r\n\r\n", expected(7, "status-line > RTSP-Version", "`RTSP/1.0` or `RTSP/2.0`")),
        (
            b"RTSP/1.0 20 OK\r\n\r\n",
            expected(11, "status-line > Status-Code", "a three-digit status code 100-999"),
        ),
        (
            b"RTSP/1.0 2000 OK\r\n\r\n",
            expected(12, "status-line > Status-Code", "a three-digit status code 100-999"),
        ),
        (
            b"RTSP/1.0 099 OK\r\n\r\n",
            expected(9, "status-line > Status-Code", "a three-digit status code 100-999"),
        ),
        (
            b"RTSP/1.0 200-OK\r\n\r\n",
            expected(12, "status-line > Reason-Phrase", "SP before the reason phrase"),
        ),
        (b"RTSP/1.0\r\n\r\n", expected(8, "status-line > Status-Code", "SP after the version")),
        (b"PLAY\r\n\r\n", expected(4, "request-line > Method", "SP after the method")),
        (
            b"PLAY rtsp://h/\r\n\r\n",
            expected(14, "request-line > Request-URI", "SP and the RTSP version after the Request-URI"),
        ),
        (b"PLAY  RTSP/1.0\r\n\r\n", expected(5, "request-line > Request-URI", "a Request-URI")),
        (
            b"PLAY rtsp://h/ RTSP/1.0 x\r\n\r\n",
            expected(23, "request-line", "the end of the line after the version"),
        ),
        (
            b"PLAY rtsp://h/ HTTP/1.1\r\n\r\n",
            expected(15, "request-line > RTSP-Version", "`RTSP/1.0` or `RTSP/2.0`"),
        ),
        (b"PL\xc3\x81Y * RTSP/1.0\r\n\r\n", expected(2, "request-line > Method", "SP after the method")),
        (b"{json}\r\n\r\n", expected(0, "start-line", "a request method or `RTSP/`")),
        (
            b"RTSP/1.0 200 OK\r\nCSeq 1\r\n\r\n",
            expected(21, "header-line > field-name", "`:` after the header name"),
        ),
        (b"RTSP/1.0 200 OK\r\n: 1\r\n\r\n", expected(17, "header-line > field-name", "a header name")),
        (
            b"RTSP/1.0 200 OK\r\nX: a\x00b\r\n\r\n",
            expected(21, "header-line > field-value", "text without NUL or CR"),
        ),
        (
            b"RTSP/1.0 200 OK\r\nX: a\rb\r\n\r\n",
            expected(21, "header-line > field-value", "text without NUL or CR"),
        ),
        (
            b"RTSP/1.0 200 OK\r\nContent-Length: 1x\r\n\r\n",
            expected(34, "Content-Length", "a length in decimal digits"),
        ),
        (
            b"RTSP/1.0 200 OK\r\nContent-Length: \r\n\r\n",
            expected(33, "Content-Length", "a length in decimal digits"),
        ),
        (
            b"RTSP/1.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
            expected(33, "Content-Length", "a length below 2^64"),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(&err(input, &tolerant()), want, "{}", String::from_utf8_lossy(input));
    }
}

#[test]
fn content_length_conflicts_and_repeats() {
    let e = err(b"RTSP/1.0 200 OK\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nab", &tolerant());
    assert_eq!((e.pos, e.problem), (52, Problem::ConflictingContentLength));
    let (m, used) = message(b"RTSP/1.0 200 OK\r\nContent-Length: 2\r\nContent-Length:  2 \r\n\r\nab");
    assert_eq!(used, 61);
    assert!(matches!(m, Message::Response(r) if *r.body == *b"ab"));
}

#[test]
fn other_protocols_are_named_early() {
    let http = err(b"HTTP/1.1 400 Bad Request\r\n", &tolerant());
    assert_eq!((http.pos, http.problem), (0, Problem::NotRtsp("an HTTP message (the peer speaks HTTP)")));
    // A TLS alert without any newline is recognised from its first two bytes.
    assert_eq!(parse(b"\x15", &tolerant()), Ok(Parsed::Incomplete(Needed::Unknown)));
    let tls = err(b"\x15\x03\x03\x00\x02\x02\x28", &tolerant());
    assert_eq!((tls.pos, tls.context), (0, "start-line"));
    assert!(matches!(tls.problem, Problem::NotRtsp(_)));
    // Garbage in the start line is reported before the head is complete.
    assert_eq!(err(b"RTSP/1.0 2x", &tolerant()).pos, 10);
    assert_eq!(err(b"GET /index.html HTTP/1.0", &tolerant()).pos, 16);
    assert_eq!(parse(b"RTSP/1.0 200 Caf\xc3", &strict()), Ok(Parsed::Incomplete(Needed::Unknown)));
}

#[test]
fn limits_bound_head_body_and_header_count() {
    let small = ParserConfig {
        limits: Limits { max_head_bytes: 64, max_body_bytes: 8, max_headers: 2 },
        ..tolerant()
    };
    let long = [b"RTSP/1.0 200 OK\r\nX: ".as_slice(), &[b'a'; 100]].concat();
    assert_eq!(
        err(&long, &small),
        ParseError { pos: 64, context: "message-head", problem: Problem::HeadTooLarge { limit: 64 } }
    );
    assert_eq!(err(&[b'\n'; 65], &small).problem, Problem::HeadTooLarge { limit: 64 });
    // Under the limit it is only incomplete.
    assert_eq!(parse(&long[..60], &small), Ok(Parsed::Incomplete(Needed::Unknown)));
    let body = b"RTSP/1.0 200 OK\r\nContent-Length: 9\r\n\r\n";
    assert_eq!(
        err(body, &small),
        ParseError {
            pos: 33,
            context: "Content-Length",
            problem: Problem::BodyTooLarge { length: 9, limit: 8 }
        }
    );
    let many = b"RTSP/1.0 200 OK\r\nA: 1\r\nB: 2\r\n folded\r\nC: 3\r\n\r\n";
    assert_eq!(
        err(many, &small),
        ParseError { pos: 38, context: "header-line", problem: Problem::TooManyHeaders { limit: 2 } }
    );
    // The same limit is enforced before the head is complete.
    assert_eq!(err(&many[..44], &small).pos, 38);
}

#[test]
fn feed_reports_stream_offsets_and_repeats_errors() {
    let stream = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\nRTSP/1.0 200 OK\r\nCSeq 2\r\n\r\n";
    let mut parser = Parser::default();
    let mut rest = &stream[..];
    assert!(matches!(parser.feed(&mut rest), Ok(Parsed::Message(..))));
    let e = parser.feed(&mut rest).unwrap_err();
    assert_eq!(e.pos, 28 + 21);
    assert_eq!(parser.feed(&mut rest).unwrap_err(), e);
    assert_eq!(
        e.to_string(),
        "invalid RTSP at byte 49 (header-line > field-name): expected `:` after the header name"
    );
}

#[test]
fn feed_survives_a_caller_that_shrinks_the_buffer() {
    let mut parser = Parser::default();
    let mut rest = &DESCRIBE_200[..DESCRIBE_200.len() - 1];
    assert!(matches!(parser.feed(&mut rest), Ok(Parsed::Incomplete(Needed::Size(_)))));
    let mut shorter = &DESCRIBE_200[..20];
    assert_eq!(parser.feed(&mut shorter), Ok(Parsed::Incomplete(Needed::Unknown)));
    let mut whole = DESCRIBE_200;
    assert!(matches!(parser.feed(&mut whole), Ok(Parsed::Message(..))));
}

#[test]
fn policies_can_be_mixed() {
    let only_lf = ParserConfig {
        quirks: QuirkPolicies { bare_lf: QuirkPolicy::Reject, ..QuirkPolicies::TOLERANT },
        ..ParserConfig::default()
    };
    let r = match parse(b"RTSP/1.0 200 OK\r\nA: x\r\n y\r\n\r\n", &only_lf) {
        Ok(Parsed::Message(Message::Response(r), _)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.headers.get("a"), Some("x y"));
    assert_eq!(parse(b"RTSP/1.0 200 OK\n\n", &only_lf).unwrap_err().problem, Problem::BareLf);
}
