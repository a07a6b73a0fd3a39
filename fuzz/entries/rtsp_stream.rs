//! Entry of the `rtsp_stream` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/rtsp_stream.rs) and
//! the corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.
//!
//! The input is an RTSP byte stream (requests, responses, `$` frames). Besides "no panic, no hang", it checks
//! the parser's promises:
//! - cutting the stream into reads (sizes taken from the data) gives the same messages, the same error at
//!   the same offset, and the same unconsumed tail as one read;
//! - every message parsed is accepted by the writer and reads back equal (quirks aside: the writer writes
//!   CRLF, one line per header and UTF-8);
//! - every typed header of a message that parses writes back to the same header;
//! - the findings helpers accept whatever the parser gives.

use rtspeek_core::rtsp::check::{check_response, parse_error_finding};
use rtspeek_core::rtsp::headers::{
    CSeq, ContentBase, ContentLength, ContentLocation, ContentType, Location, Public, Range, RetryAfter,
    RtpInfo, Server, Session, Transport, TypedHeader, UserAgent,
};
use rtspeek_core::rtsp::writer::write_message;
use rtspeek_core::rtsp::{
    Headers, Limits, Message, Method, ParseError, Parsed, Parser, ParserConfig, QuirkPolicies, Quirks,
    Request, parse,
};

/// What the fuzz target runs: the stream under the tolerant and the strict policies, with small limits too.
pub fn run(data: &[u8]) {
    let small = Limits { max_head_bytes: 512, max_body_bytes: 256, max_headers: 8 };
    for config in [
        ParserConfig::default(),
        ParserConfig { quirks: QuirkPolicies::STRICT, ..ParserConfig::default() },
        ParserConfig { limits: small, ..ParserConfig::default() },
    ] {
        stream(data, config);
    }
}

/// The messages of a stream, the error that stopped it, and the bytes left.
#[derive(Debug, PartialEq)]
struct Outcome {
    messages: Vec<Message<'static>>,
    error: Option<ParseError>,
    leftover: usize,
}

/// Parses `data` whole and in reads, compares, and checks every message.
pub fn stream(data: &[u8], config: ParserConfig) {
    let whole = feed(data, &[data.len()], config);
    // Read sizes from the data itself: varied, deterministic, always making progress.
    let reads: Vec<usize> = data.iter().map(|b| usize::from(b % 17) + 1).collect();
    let pieces = feed(data, &reads, config);
    assert_eq!(pieces, whole, "reads of varied sizes disagree with one read");
    if let Some(e) = &whole.error {
        let _ = parse_error_finding(e, data, 0);
    }
    for message in &whole.messages {
        round_trip(message, config);
        if let Message::Response(resp) = message {
            let req = Request::new(Method::Describe, "rtsps://cam.example/live").with_header("CSeq", "1");
            let _ = check_response(&req, resp, true);
        }
        match message {
            Message::Request(r) => typed_headers(&r.headers),
            Message::Response(r) => typed_headers(&r.headers),
            Message::Interleaved(_) => {}
        }
    }
}

fn feed(data: &[u8], reads: &[usize], config: ParserConfig) -> Outcome {
    let mut parser = Parser::new(config);
    let mut buf = Vec::new();
    let mut messages = Vec::new();
    let mut fed = 0;
    let mut reads = reads.iter();
    while fed < data.len() {
        let n = reads.next().copied().unwrap_or(data.len() - fed).min(data.len() - fed);
        buf.extend_from_slice(&data[fed..fed + n]);
        fed += n;
        loop {
            let mut rest = &buf[..];
            match parser.feed(&mut rest) {
                Ok(Parsed::Message(m, used)) => {
                    assert!(used > 0 && used <= buf.len(), "consumed {used} of {}", buf.len());
                    messages.push(m.into_owned());
                    buf.drain(..used);
                }
                Ok(Parsed::Incomplete(_)) => break,
                Err(e) => {
                    assert!(e.pos <= data.len() as u64, "error past the end: {e}");
                    return Outcome { messages, error: Some(e), leftover: buf.len() + data.len() - fed };
                }
            }
        }
    }
    Outcome { messages, error: None, leftover: buf.len() }
}

/// The message with the quirks the writer cannot reproduce cleared.
fn without_quirks(mut m: Message<'static>) -> Message<'static> {
    match &mut m {
        Message::Request(r) => r.quirks = Quirks::NONE,
        Message::Response(r) => r.quirks = Quirks::NONE,
        Message::Interleaved(_) => {}
    }
    m
}

fn round_trip(message: &Message<'static>, config: ParserConfig) {
    let mut bytes = Vec::new();
    write_message(message, &mut bytes).unwrap_or_else(|e| panic!("writer refused a parsed message: {e}"));
    // The written form may be longer than the parsed one (CRLF for LF), so lift the head limit.
    let config = ParserConfig { limits: Limits { max_head_bytes: usize::MAX, ..config.limits }, ..config };
    match parse(&bytes, &config) {
        Ok(Parsed::Message(back, used)) => {
            assert_eq!(used, bytes.len(), "written message not read whole");
            assert_eq!(without_quirks(back.into_owned()), without_quirks(message.clone()));
        }
        other => panic!("written message does not read back: {other:?}"),
    }
}

/// Parses every typed header present; those that parse must write back to an equal header.
pub fn typed_headers(headers: &Headers<'_>) {
    fn check<T: TypedHeader + PartialEq + std::fmt::Debug>(headers: &Headers<'_>) {
        if let Ok(Some(value)) = headers.typed::<T>() {
            let text = value.to_value();
            assert_eq!(T::parse(&text).as_ref(), Ok(&value), "{} written as {text:?}", T::NAME);
        }
    }
    check::<CSeq>(headers);
    check::<ContentLength>(headers);
    check::<ContentType>(headers);
    check::<ContentBase>(headers);
    check::<ContentLocation>(headers);
    check::<Location>(headers);
    check::<Public>(headers);
    check::<Range>(headers);
    check::<RetryAfter>(headers);
    check::<RtpInfo>(headers);
    check::<Server>(headers);
    check::<Session>(headers);
    check::<Transport>(headers);
    check::<UserAgent>(headers);
}
