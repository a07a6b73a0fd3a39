//! Entry of the `rtsp_headers` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/rtsp_headers.rs) and
//! the corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.
//!
//! The input is text; each line is one header value, given to every typed header parser and to the URL
//! parser. Besides "no panic, no hang", it checks round trips: a value that parses writes back to text that
//! parses to the same value, and a URL displays as text that parses to the same URL (without credentials).

use rtspeek_core::rtsp::headers::{
    CSeq, ContentBase, ContentLength, ContentLocation, ContentType, Location, Public, Range, RetryAfter,
    RtpInfo, Server, Session, Transport, TypedHeader, UserAgent,
};
use rtspeek_core::rtsp::url::{Url, redact_text};

/// What the fuzz target runs: every line through every typed header and the URL functions.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.split('\n') {
        value(line.trim_end_matches('\r'));
    }
}

/// One header value through every parser.
pub fn value(v: &str) {
    check::<CSeq>(v);
    check::<ContentLength>(v);
    check::<ContentType>(v);
    check::<ContentBase>(v);
    check::<ContentLocation>(v);
    check::<Location>(v);
    check::<Public>(v);
    check::<Range>(v);
    check::<RetryAfter>(v);
    check::<RtpInfo>(v);
    check::<Server>(v);
    check::<Session>(v);
    check::<Transport>(v);
    check::<UserAgent>(v);
    url(v);
}

fn check<T: TypedHeader + PartialEq + std::fmt::Debug>(v: &str) {
    match T::parse(v) {
        Ok(value) => {
            let text = value.to_value();
            assert_eq!(T::parse(&text).as_ref(), Ok(&value), "{} {v:?} written as {text:?}", T::NAME);
        }
        Err(e) => assert!(e.pos <= v.len(), "{} error past the end: {e}", T::NAME),
    }
}

fn url(v: &str) {
    let _ = redact_text(v);
    let Ok(url) = Url::parse(v) else { return };
    let shown = url.to_string();
    assert_eq!(Url::parse(&shown).as_ref(), Ok(&url.without_credentials()), "{shown:?}");
    let _ = url.redacted().to_string();
    for reference in ["*", "trackID=1", "../a/./b", "//other.example:8554/x?y#z", v] {
        if let Ok(joined) = url.resolve_control(reference) {
            let shown = joined.to_string();
            assert_eq!(Url::parse(&shown).as_ref(), Ok(&joined.without_credentials()), "{shown:?}");
        }
        let _ = url.join(reference);
    }
}
