//! `WWW-Authenticate` challenges (RFC 7235 section 4.1, RFC 7616 section 3.3, RFC 7617 section 2): parsing of
//! every header of a response into challenges with all their parameters, and writing them back.
//!
//! A response may carry several `WWW-Authenticate` headers, each with one or more comma-separated challenges;
//! [`parse_www_authenticate`] takes them all (as an iterator of header values) and keeps, for each challenge,
//! which header it came from and at which byte, so that evidence and errors point at the exact spot.

use std::fmt;

use super::syntax::{self, AuthParam, Mode, Quirk, QuirkKind, SyntaxErrorKind};

/// The authentication schemes rtspeek knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// RFC 7617: user name and password, base64-encoded (readable by anyone who sees the request).
    Basic,
    /// RFC 2617 / RFC 7616: a hash of the password bound to a server nonce.
    Digest,
    /// Any other scheme (Negotiate, NTLM, Bearer...): listed, never answered.
    Other,
}

impl Scheme {
    /// Classifies a scheme name (case-insensitive, RFC 7235 section 2.1).
    pub fn of(name: &str) -> Scheme {
        if name.eq_ignore_ascii_case("Basic") {
            Scheme::Basic
        } else if name.eq_ignore_ascii_case("Digest") {
            Scheme::Digest
        } else {
            Scheme::Other
        }
    }
}

/// Parameters that RFC 7616 section 3.3 says a server sends as quoted-strings.
const DIGEST_QUOTED: &[&str] = &["realm", "domain", "nonce", "opaque", "qop"];
/// Parameters that RFC 7616 section 3.3 says a server must not quote.
const DIGEST_TOKENS: &[&str] = &["algorithm", "stale"];

/// One challenge: a scheme with its token68 or its parameters (all of them, unknown ones included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme as sent (compare with [`Challenge::scheme`], which ignores case).
    pub scheme_name: String,
    /// The token68 form (`Negotiate YII...`), when the scheme was followed by one instead of parameters.
    pub token68: Option<String>,
    /// Every parameter in order, duplicates included (the accessors return the first).
    pub params: Vec<AuthParam>,
    /// Index of the header value the challenge came from.
    pub header: usize,
    /// Byte offset of the scheme in that header value.
    pub offset: usize,
}

impl Challenge {
    /// A challenge without parameters, for building one to send.
    pub fn new(scheme_name: impl Into<String>) -> Self {
        Challenge { scheme_name: scheme_name.into(), token68: None, params: Vec::new(), header: 0, offset: 0 }
    }

    /// Adds a parameter; whether it is quoted on the wire follows RFC 7616 for known names.
    #[must_use]
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let quoted = !DIGEST_TOKENS.iter().any(|t| name.eq_ignore_ascii_case(t))
            && !["charset", "userhash"].iter().any(|t| name.eq_ignore_ascii_case(t));
        self.params.push(AuthParam { name, value: value.into(), quoted, offset: 0 });
        self
    }

    /// The scheme, case-insensitively.
    pub fn scheme(&self) -> Scheme {
        Scheme::of(&self.scheme_name)
    }

    /// The first parameter called `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|p| p.name.eq_ignore_ascii_case(name)).map(|p| p.value.as_str())
    }

    /// The protection space (`realm`).
    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }

    /// The server nonce (Digest).
    pub fn nonce(&self) -> Option<&str> {
        self.param("nonce")
    }

    /// The opaque value the client must echo (Digest).
    pub fn opaque(&self) -> Option<&str> {
        self.param("opaque")
    }

    /// The `algorithm` as sent (Digest); absent means MD5.
    pub fn algorithm(&self) -> Option<&str> {
        self.param("algorithm")
    }

    /// The `charset` (RFC 7616: only `UTF-8`; RFC 7617 for Basic).
    pub fn charset(&self) -> Option<&str> {
        self.param("charset")
    }

    /// `stale=true`: the previous answer used an expired nonce but was otherwise right (Digest).
    pub fn stale(&self) -> bool {
        self.param("stale").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// `userhash=true`: the server wants the user name hashed (RFC 7616 section 3.4.4).
    pub fn userhash(&self) -> bool {
        self.param("userhash").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The offered `qop` values (`auth`, `auth-int`), in order; empty when there is no `qop` (RFC 2069
    /// style).
    pub fn qop_options(&self) -> impl Iterator<Item = &str> {
        self.param("qop").unwrap_or_default().split(',').map(str::trim).filter(|v| !v.is_empty())
    }

    /// The `domain` URIs (space-separated).
    pub fn domain(&self) -> impl Iterator<Item = &str> {
        self.param("domain").unwrap_or_default().split_ascii_whitespace()
    }

    /// The challenge as a `WWW-Authenticate` value, quoted per RFC 7616 (which is also the form used as
    /// evidence: it holds no credentials).
    pub fn to_header_value(&self) -> String {
        let mut out = self.scheme_name.clone();
        if let Some(token68) = &self.token68 {
            out.push(' ');
            out.push_str(token68);
            return out;
        }
        if !self.params.is_empty() {
            out.push(' ');
        }
        let mut first = true;
        for p in &self.params {
            let quoted = if DIGEST_QUOTED.iter().any(|q| p.name.eq_ignore_ascii_case(q)) {
                true
            } else if DIGEST_TOKENS.iter().any(|t| p.name.eq_ignore_ascii_case(t)) {
                false
            } else {
                p.quoted
            };
            syntax::push_param(&mut out, &mut first, &p.name, &p.value, quoted);
        }
        out
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_header_value())
    }
}

/// A `WWW-Authenticate` value that could not be read completely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WWW-Authenticate header {header}, byte {offset}: {kind}")]
pub struct ChallengeError {
    /// Index of the header value.
    pub header: usize,
    /// Byte offset of the problem in that value.
    pub offset: usize,
    /// What was wrong.
    pub kind: SyntaxErrorKind,
}

/// Everything read from the `WWW-Authenticate` headers of one response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChallengeSet {
    /// The header values as received, in order (challenges hold no credentials).
    pub values: Vec<String>,
    /// Every challenge read, in order of appearance (server preference order).
    pub challenges: Vec<Challenge>,
    /// Tolerated departures from the grammar.
    pub quirks: Vec<Quirk>,
    /// Values (or their ends) that could not be read. Challenges completed before an error are kept.
    pub errors: Vec<ChallengeError>,
}

impl ChallengeSet {
    /// Challenges of the given scheme.
    pub fn of_scheme(&self, scheme: Scheme) -> impl Iterator<Item = &Challenge> {
        self.challenges.iter().filter(move |c| c.scheme() == scheme)
    }
}

/// Parses every `WWW-Authenticate` header value of a response.
///
/// ```
/// use rtspeek_core::rtsp::auth::{Scheme, parse_www_authenticate};
/// let set = parse_www_authenticate([
///     "Digest realm=\"cam\", nonce=\"abc\", algorithm=SHA-256, qop=\"auth\"",
///     "Digest realm=\"cam\", nonce=\"abc\", qop=\"auth\", Basic realm=\"cam\"",
/// ]);
/// assert_eq!(set.challenges.len(), 3);
/// assert_eq!(set.challenges[2].scheme(), Scheme::Basic);
/// assert_eq!(set.challenges[0].algorithm(), Some("SHA-256"));
/// ```
pub fn parse_www_authenticate<'a>(values: impl IntoIterator<Item = &'a str>) -> ChallengeSet {
    let mut set = ChallengeSet::default();
    for (header, value) in values.into_iter().enumerate() {
        set.values.push(value.to_owned());
        let items = match syntax::parse(value, header, Mode::Challenges, &mut set.quirks) {
            Ok(items) => items,
            Err((items, e)) => {
                set.errors.push(ChallengeError { header, offset: e.offset, kind: e.kind });
                items
            }
        };
        for item in items {
            let challenge = Challenge {
                scheme_name: item.scheme,
                token68: item.token68,
                params: item.params,
                header,
                offset: item.offset,
            };
            semantic_quirks(&challenge, &mut set.quirks);
            set.challenges.push(challenge);
        }
    }
    set
}

/// Quirks that are legal grammar but break RFC 7616/7617 rules or strict clients.
fn semantic_quirks(c: &Challenge, quirks: &mut Vec<Quirk>) {
    let mut push = |kind, offset, param: Option<&str>| {
        quirks.push(Quirk { kind, header: c.header, offset, param: param.map(str::to_owned) });
    };
    let canonical = match c.scheme() {
        Scheme::Basic => "Basic",
        Scheme::Digest => "Digest",
        Scheme::Other => return,
    };
    if c.scheme_name != canonical {
        push(QuirkKind::SchemeCase, c.offset, None);
    }
    for p in &c.params {
        let must_quote = match c.scheme() {
            Scheme::Digest => DIGEST_QUOTED.iter().any(|q| p.name.eq_ignore_ascii_case(q)),
            _ => p.name.eq_ignore_ascii_case("realm"),
        };
        if must_quote && !p.quoted {
            push(QuirkKind::UnquotedValue, p.offset, Some(&p.name));
        }
        if c.scheme() == Scheme::Digest
            && p.quoted
            && DIGEST_TOKENS.iter().any(|t| p.name.eq_ignore_ascii_case(t))
        {
            push(QuirkKind::QuotedToken, p.offset, Some(&p.name));
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn all_parameters_are_kept() {
        let set = parse_www_authenticate([concat!(
            "Digest realm=\"api@example.org\", domain=\"/a /b\", qop=\"auth, auth-int\", ",
            "algorithm=SHA-512-256, nonce=\"n\", opaque=\"o\", charset=UTF-8, userhash=true, stale=TRUE, ",
            "x-vendor=\"42\""
        )]);
        assert!(set.errors.is_empty() && set.quirks.is_empty(), "{set:?}");
        let c = &set.challenges[0];
        assert_eq!(c.scheme(), Scheme::Digest);
        assert_eq!(c.realm(), Some("api@example.org"));
        assert_eq!(c.domain().collect::<Vec<_>>(), ["/a", "/b"]);
        assert_eq!(c.qop_options().collect::<Vec<_>>(), ["auth", "auth-int"]);
        assert_eq!(
            (c.algorithm(), c.nonce(), c.opaque(), c.charset()),
            (Some("SHA-512-256"), Some("n"), Some("o"), Some("UTF-8"))
        );
        assert!(c.userhash() && c.stale());
        assert_eq!(c.param("X-VENDOR"), Some("42"));
    }

    #[test]
    fn writing_and_reading_back_gives_the_same_challenge() {
        let c = Challenge::new("Digest")
            .with_param("realm", "a \"b\"")
            .with_param("nonce", "n/+=")
            .with_param("algorithm", "SHA-256")
            .with_param("stale", "true");
        let text = c.to_header_value();
        assert_eq!(text, r#"Digest realm="a \"b\"", nonce="n/+=", algorithm=SHA-256, stale=true"#);
        let set = parse_www_authenticate([text.as_str()]);
        assert!(set.quirks.is_empty());
        assert_eq!(
            set.challenges[0].params.iter().map(|p| &p.value).collect::<Vec<_>>(),
            ["a \"b\"", "n/+=", "SHA-256", "true"]
        );
    }

    #[test]
    fn semantic_quirks_are_flagged() {
        let set = parse_www_authenticate(["digest realm=cam, nonce=abc, algorithm=\"MD5\"", "BASIC realm=x"]);
        let kinds: Vec<_> = set.quirks.iter().map(|q| (q.header, q.kind)).collect();
        assert_eq!(
            kinds,
            [
                (0, QuirkKind::SchemeCase),
                (0, QuirkKind::UnquotedValue),
                (0, QuirkKind::UnquotedValue),
                (0, QuirkKind::QuotedToken),
                (1, QuirkKind::SchemeCase),
                (1, QuirkKind::UnquotedValue)
            ]
        );
        assert_eq!(set.challenges[0].algorithm(), Some("MD5"));
    }

    #[test]
    fn errors_name_the_header_and_offset() {
        let set = parse_www_authenticate(["Basic realm=\"ok\"", "Digest realm=\"x\", nonce=\"unterminated"]);
        assert_eq!(set.challenges.len(), 1);
        assert_eq!(
            set.errors,
            [ChallengeError { header: 1, offset: 24, kind: SyntaxErrorKind::UnterminatedQuote }]
        );
        assert_eq!(
            set.errors[0].to_string(),
            "WWW-Authenticate header 1, byte 24: quoted-string not terminated"
        );
    }
}
