//! The streaming contract: however a byte stream is cut into reads (one byte at a time, or split at any
//! offset), [`Parser::feed`] yields the same messages, the same error at the same stream offset, and leaves
//! the same bytes unconsumed as parsing the whole stream at once.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::rtsp::{Message, ParseError, Parsed, Parser, ParserConfig, QuirkPolicies};

const FIXTURES: &[&[u8]] = &[
    include_bytes!("../data/rtsp/gst_rtsps_describe_downgrade.txt"),
    include_bytes!("../data/rtsp/bare_lf_describe.txt"),
    include_bytes!("../data/rtsp/folded_www_authenticate_401.txt"),
    include_bytes!("../data/rtsp/latin1_server_options.txt"),
    include_bytes!("../data/rtsp/no_reason_setup_tcp.txt"),
    include_bytes!("../data/rtsp/play_then_interleaved.bin"),
    include_bytes!("../data/rtsp/stale_cseq_get_parameter.txt"),
    include_bytes!("../data/rtsp/rtsp2_options.txt"),
];

/// Broken streams: each stops at a different rule, some after valid messages.
const BROKEN: &[&[u8]] = &[
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\nRTSP/1.0 20x OK\r\n\r\n",
    b"$\x00\x00\x01\xffHTTP/1.1 200 OK\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    b"PLAY rtsp://h/ RTSP/1.0\r\nCSeq: 1\r\nBad Header: x\r\n\r\n",
    b"RTSP/1.0 200 OK\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\nabcdef",
    b"RTSP/1.0 200 OK\r\n folded first\r\n\r\n",
    b"RTSP/1.0 200 OK\r\nX: a\rb\r\n\r\n",
    b"DESCRIBE rtsp://h/\x7f RTSP/1.0\r\n\r\n",
    b"RTSP/1.0 200 OK\r\nContent-Length: 2000000\r\n\r\n",
    b"RTSP/1.0 200 Caf\xc3\xa9 \xff\r\n\r\n",
];

/// What a stream gives: the messages, the error if any, and how many bytes are left unconsumed.
#[derive(Debug, PartialEq)]
struct Outcome {
    messages: Vec<Message<'static>>,
    error: Option<ParseError>,
    leftover: usize,
}

/// Feeds `stream` to a parser in reads of the given sizes (the rest in one read), the way a driver does:
/// append to a buffer, drain what the parser consumed.
fn run(stream: &[u8], reads: impl IntoIterator<Item = usize>, config: ParserConfig) -> Outcome {
    let mut parser = Parser::new(config);
    let mut buf = Vec::new();
    let mut messages = Vec::new();
    let mut fed = 0;
    let mut reads = reads.into_iter();
    while fed < stream.len() {
        let n = reads.next().unwrap_or(stream.len() - fed).min(stream.len() - fed);
        buf.extend_from_slice(&stream[fed..fed + n]);
        fed += n;
        loop {
            let mut rest = &buf[..];
            match parser.feed(&mut rest) {
                Ok(Parsed::Message(m, used)) => {
                    messages.push(m.into_owned());
                    buf.drain(..used);
                }
                Ok(Parsed::Incomplete(_)) => break,
                Err(e) => {
                    return Outcome { messages, error: Some(e), leftover: buf.len() + stream.len() - fed };
                }
            }
        }
    }
    Outcome { messages, error: None, leftover: buf.len() }
}

fn whole(stream: &[u8], config: ParserConfig) -> Outcome {
    run(stream, [stream.len()], config)
}

fn configs() -> [ParserConfig; 2] {
    [ParserConfig::default(), ParserConfig { quirks: QuirkPolicies::STRICT, ..ParserConfig::default() }]
}

fn all_fixtures() -> Vec<u8> {
    FIXTURES.concat()
}

#[test]
fn the_fixtures_form_one_valid_stream() {
    let out = whole(&all_fixtures(), ParserConfig::default());
    assert_eq!(out.error, None);
    assert_eq!(out.leftover, 0);
    assert_eq!(out.messages.len(), FIXTURES.len() + 2, "every fixture is one message, plus two frames");
}

#[test]
fn one_byte_at_a_time_gives_the_same_result() {
    let stream = all_fixtures();
    for config in configs() {
        let expected = whole(&stream, config);
        assert_eq!(run(&stream, std::iter::repeat(1), config), expected);
    }
    for input in BROKEN.iter().chain(FIXTURES) {
        for config in configs() {
            let expected = whole(input, config);
            let bytewise = run(input, std::iter::repeat(1), config);
            assert_eq!(bytewise, expected, "{}", String::from_utf8_lossy(input));
        }
    }
}

#[test]
fn any_split_into_two_reads_gives_the_same_result() {
    let stream = all_fixtures();
    let expected = whole(&stream, ParserConfig::default());
    for cut in 0..=stream.len() {
        assert_eq!(run(&stream, [cut], ParserConfig::default()), expected, "cut at {cut}");
    }
    for input in BROKEN {
        for config in configs() {
            let expected = whole(input, config);
            // Every broken stream fails under the strict policy; the last one only under it.
            assert!(
                expected.error.is_some() || config == ParserConfig::default(),
                "{}",
                String::from_utf8_lossy(input)
            );
            for cut in 0..=input.len() {
                assert_eq!(
                    run(input, [cut], config),
                    expected,
                    "cut at {cut}: {}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }
}

#[test]
fn errors_carry_stream_offsets() {
    let out = whole(BROKEN[0], ParserConfig::default());
    assert_eq!(out.messages.len(), 1);
    let e = out.error.unwrap();
    assert_eq!((e.pos, e.context), (28 + 11, "status-line > Status-Code"));
    let out = whole(BROKEN[1], ParserConfig::default());
    assert_eq!((out.messages.len(), out.error.unwrap().pos), (1, 5));
}

#[test]
fn an_incomplete_tail_stays_unconsumed() {
    let stream = all_fixtures();
    // Cuts inside the first message, and one byte before the end of the last.
    for (cut, messages) in [(1, 0), (20, 0), (100, 0), (stream.len() - 1, FIXTURES.len() + 1)] {
        let out = whole(&stream[..cut], ParserConfig::default());
        assert_eq!(out.error, None);
        assert_eq!(out.messages.len(), messages);
        assert!(out.leftover > 0 && out.leftover <= cut);
        assert_eq!(run(&stream[..cut], std::iter::repeat(3), ParserConfig::default()), out);
    }
}
