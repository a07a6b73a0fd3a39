//! Round trips over generated inputs: message -> write -> parse gives the message back (and a stream of
//! them, the same stream), and typed headers and URLs read back what they write. A small deterministic
//! xorshift generator stands in for proptest, which does not run on wasm32 without an entropy source.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::borrow::Cow;
use std::time::Duration;

use rtspeek_core::rtsp::headers::{
    Cast, ChannelRange, LowerTransport, NptTime, PortRange, Range, RangeSpec, RtpInfo, RtpInfoEntry, Session,
    Transport, TransportSpec, TypedHeader, UriRef,
};
use rtspeek_core::rtsp::writer::write_message;
use rtspeek_core::rtsp::{
    Headers, InterleavedFrame, Message, Method, Parsed, Parser, ParserConfig, Quirks, Request, Response,
    StatusCode, Url, Version, parse,
};

/// xorshift64*: deterministic, so a failure reproduces from its iteration number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A non-empty string of bytes from `alphabet`.
    fn word(&mut self, alphabet: &[u8], max: usize) -> String {
        (0..1 + self.below(max)).map(|_| *self.pick(alphabet) as char).collect()
    }
}

const TOKEN: &[u8] = b"abcXYZ019-_.!#$%&'*+^`|~";
const URL_CHARS: &[u8] = b"abcXYZ019-_.~/=;?&%";
const TEXT_EXTRA: &[&str] = &["é", "→", "\"", "\\", ";", ",", "=", "\t", " "];

/// Header text without leading or trailing whitespace (the parser trims it) and without CR, LF or NUL.
fn text(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(30) {
        if rng.chance(6) {
            s.push_str(rng.pick::<&str>(TEXT_EXTRA));
        } else {
            s.push((b' ' + rng.below(95) as u8) as char);
        }
    }
    s.trim_matches([' ', '\t']).to_owned()
}

fn uri(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => "*".to_owned(),
        1 => format!("rtsp://cam.example/{}", rng.word(URL_CHARS, 20)),
        2 => {
            format!("rtsps://[2001:db8::{}]:{}/{}", rng.below(100), rng.below(65536), rng.word(URL_CHARS, 10))
        }
        _ => format!("rtsp://192.0.2.{}/{}", rng.below(256), rng.word(URL_CHARS, 30)),
    }
}

fn headers(rng: &mut Rng, body_len: usize) -> Headers<'static> {
    const NAMES: &[&str] =
        &["CSeq", "Session", "Transport", "WWW-Authenticate", "x-custom", "RTP-Info", "Server"];
    let mut h = Headers::new();
    let n = rng.below(10);
    let cl_at = rng.below(n + 1);
    for i in 0..=n {
        if i == cl_at && (body_len > 0 || rng.chance(4)) {
            h.append("Content-Length", body_len.to_string());
        }
        if i < n {
            let name = if rng.chance(3) { rng.word(TOKEN, 12) } else { (*rng.pick(NAMES)).to_owned() };
            if !name.eq_ignore_ascii_case("Content-Length") {
                h.append(name, text(rng));
            }
        }
    }
    h
}

fn message(rng: &mut Rng) -> Message<'static> {
    let body: Vec<u8> =
        if rng.chance(3) { (0..rng.below(300)).map(|_| rng.next() as u8).collect() } else { Vec::new() };
    let version = if rng.chance(4) { Version::Rtsp20 } else { Version::Rtsp10 };
    match rng.below(3) {
        0 => {
            let method = if rng.chance(5) {
                // `$` cannot start a method: it marks an interleaved frame (the writer refuses it).
                Method::Extension(Cow::Owned(format!("X{}", rng.word(TOKEN, 15))))
            } else {
                rng.pick(&Method::STANDARD).clone()
            };
            let method = Method::from_token(method.as_str()).into_owned();
            Message::Request(Request {
                method,
                uri: Cow::Owned(uri(rng)),
                version,
                headers: headers(rng, body.len()),
                body: Cow::Owned(body),
                quirks: Quirks::NONE,
            })
        }
        1 => Message::Response(Response {
            version,
            status: StatusCode::new(100 + rng.below(900) as u16).unwrap(),
            reason: Cow::Owned(text(rng)),
            headers: headers(rng, body.len()),
            body: Cow::Owned(body),
            quirks: Quirks::NONE,
        }),
        _ => Message::Interleaved(InterleavedFrame {
            channel: rng.next() as u8,
            payload: Cow::Owned((0..rng.below(2000)).map(|_| rng.next() as u8).collect()),
        }),
    }
}

#[test]
fn messages_read_back_as_written() {
    let mut rng = Rng(0x5eed_0001);
    for i in 0..3000 {
        let original = message(&mut rng);
        let mut bytes = Vec::new();
        write_message(&original, &mut bytes).unwrap_or_else(|e| panic!("iteration {i}: {e}: {original:?}"));
        match parse(&bytes, &ParserConfig::default()) {
            Ok(Parsed::Message(back, used)) => {
                assert_eq!(used, bytes.len(), "iteration {i}");
                assert_eq!(back, original, "iteration {i}: {}", String::from_utf8_lossy(&bytes));
            }
            other => panic!("iteration {i}: {other:?}: {}", String::from_utf8_lossy(&bytes)),
        }
    }
}

#[test]
fn a_stream_of_messages_reads_back_in_order() {
    let mut rng = Rng(0x5eed_0002);
    let messages: Vec<Message<'static>> = (0..200).map(|_| message(&mut rng)).collect();
    let mut stream = Vec::new();
    for m in &messages {
        write_message(m, &mut stream).unwrap();
    }
    let mut parser = Parser::default();
    let mut rest = &stream[..];
    let mut back = Vec::new();
    while let Parsed::Message(m, _) = parser.feed(&mut rest).unwrap() {
        back.push(m.into_owned());
    }
    assert!(rest.is_empty());
    assert_eq!(back, messages);
}

fn port(rng: &mut Rng) -> PortRange {
    PortRange { start: rng.next() as u16, end: rng.chance(2).then(|| rng.next() as u16) }
}

fn transport_spec(rng: &mut Rng) -> TransportSpec {
    let mut spec = TransportSpec::new("RTP", rng.pick::<&str>(&["AVP", "SAVP", "AVPF", "SAVPF"]));
    spec.lower = *rng.pick(&[None, Some(LowerTransport::Tcp), Some(LowerTransport::Udp)]);
    spec.cast = *rng.pick(&[None, Some(Cast::Unicast), Some(Cast::Multicast)]);
    if rng.chance(3) {
        spec.destination =
            Some(if rng.chance(4) { String::new() } else { format!("192.0.2.{}", rng.below(256)) });
    }
    if rng.chance(3) {
        spec.source = Some(rng.word(URL_CHARS, 12).replace([';', '?', '&', '%', '='], "x"));
    }
    if rng.chance(2) {
        spec.interleaved =
            Some(ChannelRange { start: rng.next() as u8, end: rng.chance(2).then(|| rng.next() as u8) });
    }
    spec.append = rng.chance(5);
    spec.ttl = rng.chance(4).then(|| rng.next() as u8);
    spec.layers = rng.chance(6).then(|| rng.next() as u32);
    spec.port = rng.chance(4).then(|| port(rng));
    spec.client_port = rng.chance(2).then(|| port(rng));
    spec.server_port = rng.chance(2).then(|| port(rng));
    spec.ssrc = (0..rng.below(3)).map(|_| rng.next() as u32).collect();
    spec.mode = (0..rng.below(3)).map(|_| rng.pick(&["PLAY", "RECORD", "play"]).to_string()).collect();
    if rng.chance(3) {
        spec.other.push(("RTCP-mux".to_owned(), None));
        spec.other.push(("dest_addr".to_owned(), Some("\":6970\"/\":6971\"".to_owned())));
    }
    spec
}

fn check<T: TypedHeader + PartialEq + std::fmt::Debug>(value: &T, i: usize) {
    let text = value.to_value();
    assert_eq!(T::parse(&text).as_ref(), Ok(value), "iteration {i}: {text}");
}

#[test]
fn typed_headers_read_back_as_written() {
    let mut rng = Rng(0x5eed_0003);
    for i in 0..2000 {
        check(&Transport((0..1 + rng.below(3)).map(|_| transport_spec(&mut rng)).collect()), i);
        check(
            &Session {
                id: rng.word(b"abcXYZ019$-_.+:/=", 24),
                timeout: rng.chance(2).then(|| rng.next() as u32),
            },
            i,
        );
        let entries = (0..1 + rng.below(3))
            .map(|_| RtpInfoEntry {
                url: UriRef::new(&uri(&mut rng).replace('*', "rtsp://h/")).unwrap(),
                ssrc: rng.chance(3).then(|| rng.next() as u32),
                seq: rng.chance(2).then(|| rng.next() as u16),
                rtptime: rng.chance(2).then(|| rng.next() as u32),
            })
            .collect();
        check(&RtpInfo(entries), i);
        let point = |rng: &mut Rng| match rng.below(3) {
            0 => None,
            1 => Some(NptTime::Now),
            _ => Some(NptTime::At(Duration::new(rng.next() >> 20, (rng.next() % 1_000_000_000) as u32))),
        };
        let (start, end) = (point(&mut rng), point(&mut rng));
        if start.is_some() || end.is_some() {
            check(&Range { spec: RangeSpec::Npt { start, end }, time: None }, i);
        }
    }
}

#[test]
fn urls_read_back_and_never_show_passwords() {
    let mut rng = Rng(0x5eed_0004);
    for i in 0..2000 {
        let host = match rng.below(3) {
            0 => format!("cam{}.example", rng.below(100)),
            1 => format!("192.0.2.{}", rng.below(256)),
            _ => format!("[2001:db8::{:x}]", rng.below(0xffff)),
        };
        let port = if rng.chance(2) { format!(":{}", rng.below(65536)) } else { String::new() };
        let path = format!("/{}", rng.word(b"abcXYZ019-_~=;", 20));
        let query = if rng.chance(3) {
            format!("?{}", rng.word(URL_CHARS, 10).replace('?', ""))
        } else {
            String::new()
        };
        let scheme = rng.pick(&["rtsp", "rtsps"]);
        let password = format!("pw{}%40{}", rng.next(), rng.word(b"abc:@!$", 6));
        let text = format!("{scheme}://user{i}:{password}@{host}{port}{path}{query}");
        let url = Url::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let shown = format!("{url} {url:?} {} {:?}", url.redacted(), url.credentials());
        let decoded =
            url.credentials().and_then(|c| c.password.as_ref()).map(|p| p.expose().clone()).unwrap();
        assert!(!shown.contains(&decoded) && !shown.contains(&password), "{shown}");
        assert!(url.redacted().to_string().contains(&format!("user{i}:***@")));
        assert_eq!(Url::parse(&url.to_string()).unwrap(), url.without_credentials(), "{text}");
        assert_eq!(Url::parse(&url.redacted().to_string().replace("***", &password)).unwrap(), url);
    }
}
