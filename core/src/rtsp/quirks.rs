//! Deviations from the RTSP grammar that real servers produce, as named policies.
//!
//! The parser tolerates each of them by default and records what it saw in the message's [`Quirks`], which
//! [`check`](super::check) turns into findings: the probe must read what a camera sends, and `rtspeek serve`
//! reads clients the same way (players have these habits too). A strict reader, such as a test checking that
//! rtspeek's own output is clean, sets [`QuirkPolicies::STRICT`] to get a
//! [`ParseError`](super::parser::ParseError) at the exact byte instead.
//!
//! Each quirk has a hand-written fixture imitating the behaviour in `core/tests/data/rtsp/` and a test in
//! `core/tests/it/rtsp_fixtures.rs`.

use std::fmt;

/// What the parser does when it meets a quirk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum QuirkPolicy {
    /// Accept the message and flag the quirk in [`Quirks`].
    #[default]
    Tolerate,
    /// Fail with a parse error at the offending byte.
    Reject,
}

/// The policy for each quirk the parser knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QuirkPolicies {
    /// Lines ended by LF alone instead of CRLF. Hand-written embedded servers (small camera firmwares,
    /// scripts answering with `printf "...\n"`) do this; FFmpeg and GStreamer accept it, strict parsers
    /// (retina) reject it. Flag: [`Quirks::BARE_LF`]. Fixture: `bare_lf_describe.txt`.
    pub bare_lf: QuirkPolicy,
    /// Obsolete line folding: a header continued on the next line, which starts with a space or tab
    /// (allowed by RFC 2326, deprecated by RFC 7230 and RFC 7826). Seen on long WWW-Authenticate challenges
    /// from some embedded servers. Flag: [`Quirks::FOLDED_HEADER`]. Fixture: `folded_www_authenticate_401.txt`.
    pub obsolete_folding: QuirkPolicy,
    /// Header values or reason phrases that are not UTF-8, typically a Latin-1 product name in `Server`.
    /// Read lossily (U+FFFD). Flag: [`Quirks::NON_UTF8`]. Fixture: `latin1_server_options.txt`.
    pub non_utf8: QuirkPolicy,
}

impl QuirkPolicies {
    /// Tolerate every quirk (the default: a probe reads what the camera sends).
    pub const TOLERANT: QuirkPolicies = QuirkPolicies {
        bare_lf: QuirkPolicy::Tolerate,
        obsolete_folding: QuirkPolicy::Tolerate,
        non_utf8: QuirkPolicy::Tolerate,
    };

    /// Reject every quirk.
    pub const STRICT: QuirkPolicies = QuirkPolicies {
        bare_lf: QuirkPolicy::Reject,
        obsolete_folding: QuirkPolicy::Reject,
        non_utf8: QuirkPolicy::Reject,
    };
}

/// The set of quirks seen in one message.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Quirks(u8);

impl Quirks {
    /// No quirk.
    pub const NONE: Quirks = Quirks(0);
    /// At least one line ended with LF alone.
    pub const BARE_LF: Quirks = Quirks(1);
    /// At least one header was folded over several lines.
    pub const FOLDED_HEADER: Quirks = Quirks(2);
    /// The start line or a header value was not UTF-8 and was read lossily.
    pub const NON_UTF8: Quirks = Quirks(4);

    const NAMES: [(Quirks, &'static str); 3] = [
        (Quirks::BARE_LF, "bare_lf"),
        (Quirks::FOLDED_HEADER, "folded_header"),
        (Quirks::NON_UTF8, "non_utf8"),
    ];

    /// Whether every quirk of `other` is in `self`.
    pub const fn contains(self, other: Quirks) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no quirk was seen.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Adds the quirks of `other`.
    pub fn insert(&mut self, other: Quirks) {
        self.0 |= other.0;
    }

    /// The names of the quirks present, in a fixed order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES.into_iter().filter(move |(q, _)| self.contains(*q)).map(|(_, n)| n)
    }
}

impl std::ops::BitOr for Quirks {
    type Output = Quirks;
    fn bitor(self, rhs: Quirks) -> Quirks {
        Quirks(self.0 | rhs.0)
    }
}

impl fmt::Debug for Quirks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn quirk_sets_combine_and_name_themselves() {
        let mut q = Quirks::NONE;
        assert!(q.is_empty());
        q.insert(Quirks::NON_UTF8);
        let q = q | Quirks::BARE_LF;
        assert!(q.contains(Quirks::BARE_LF) && q.contains(Quirks::NON_UTF8));
        assert!(!q.contains(Quirks::FOLDED_HEADER));
        assert_eq!(format!("{q:?}"), r#"{"bare_lf", "non_utf8"}"#);
        assert_eq!(QuirkPolicies::default(), QuirkPolicies::TOLERANT);
        assert_ne!(QuirkPolicies::STRICT, QuirkPolicies::TOLERANT);
    }
}
