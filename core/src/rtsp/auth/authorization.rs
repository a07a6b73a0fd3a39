//! The `Authorization` request header (RFC 7235 section 4.2): parsing (what a server reads) and writing (what
//! a client sends), for Basic (RFC 7617) and Digest (RFC 7616 section 3.4) credentials.

use super::basic;
use super::challenge::Scheme;
use super::secret::{Credentials, Secret};
use super::syntax::{self, AuthParam, Mode, Quirk, QuirkKind, SyntaxError};

/// Parameters of Digest credentials that RFC 7616 section 3.4 has the client quote.
const QUOTED: &[&str] = &["username", "realm", "nonce", "uri", "response", "cnonce", "opaque"];
/// Parameters of Digest credentials that are tokens.
const TOKENS: &[&str] = &["algorithm", "qop", "nc", "userhash"];

/// Parsed credentials of one `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// Basic: the decoded user name and password (the password is redacted in `Debug`).
    Basic(Credentials),
    /// Digest: the parameters of the answer.
    Digest(DigestAuthorization),
    /// Any other scheme, kept as read.
    Other {
        /// The scheme as sent.
        scheme: String,
        /// The token68, if any.
        token68: Option<String>,
        /// The parameters, if any.
        params: Vec<AuthParam>,
    },
}

/// The parameters of Digest credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DigestAuthorization {
    /// The user name (decoded from `username*` when that form was used), or its userhash when
    /// [`userhash`](Self::userhash) is set.
    pub username: String,
    /// The user name travels as `username*` (RFC 8187 encoding, for names a quoted-string cannot hold).
    pub username_star: bool,
    /// `userhash=true`: [`username`](Self::username) is `H(username:realm)`.
    pub userhash: bool,
    /// The realm of the challenge answered.
    pub realm: String,
    /// The server nonce answered.
    pub nonce: String,
    /// The digest-uri: in RTSP, the Request-URI of the request.
    pub uri: String,
    /// The response hash (lowercase hex).
    pub response: String,
    /// The `algorithm` as sent; absent means MD5.
    pub algorithm: Option<String>,
    /// The client nonce (present with a qop).
    pub cnonce: Option<String>,
    /// The nonce count (present with a qop).
    pub nc: Option<u32>,
    /// The qop chosen (`auth`); absent in RFC 2069-style answers.
    pub qop: Option<String>,
    /// The opaque value echoed from the challenge.
    pub opaque: Option<String>,
    /// Parameters not listed above, kept.
    pub other: Vec<AuthParam>,
}

/// An `Authorization` value and the quirks tolerated while reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// The credentials.
    pub authorization: Authorization,
    /// Tolerated departures from the grammar (e.g. FFmpeg quotes `qop`).
    pub quirks: Vec<Quirk>,
}

/// Why an `Authorization` value could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// The value does not follow the grammar.
    #[error("Authorization {0}")]
    Syntax(#[from] SyntaxError),
    /// Basic credentials that cannot be decoded.
    #[error("Basic credentials at byte {offset}: {reason}")]
    Basic {
        /// Byte offset in the value.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// A required Digest parameter is absent.
    #[error("Digest credentials: missing {0}")]
    MissingParam(&'static str),
    /// A Digest parameter has an unusable value.
    #[error("Digest credentials, byte {offset}: invalid {param}: {reason}")]
    InvalidParam {
        /// Byte offset of the parameter in the value.
        offset: usize,
        /// Which parameter.
        param: &'static str,
        /// What was wrong.
        reason: &'static str,
    },
    /// Credentials that cannot be written (a Basic user name with a colon or a control character).
    #[error("cannot write Basic credentials: {0}")]
    Unwritable(&'static str),
}

/// Parses an `Authorization` header value.
///
/// ```
/// use rtspeek_core::rtsp::auth::{Authorization, parse_authorization};
/// let parsed = parse_authorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==").unwrap();
/// let Authorization::Basic(creds) = parsed.authorization else { panic!() };
/// assert_eq!((creds.username.as_str(), creds.password.expose()), ("Aladdin", "open sesame"));
/// ```
pub fn parse_authorization(value: &str) -> Result<ParsedAuthorization, AuthorizationError> {
    let mut quirks = Vec::new();
    let mut items = syntax::parse(value, 0, Mode::Credentials, &mut quirks).map_err(|(_, e)| e)?;
    // Mode::Credentials yields exactly one item or an error.
    let item = items.swap_remove(0);
    let authorization = match Scheme::of(&item.scheme) {
        Scheme::Basic => {
            let offset = item.offset + item.scheme.len() + 1;
            let token68 = item.token68.ok_or(AuthorizationError::Basic { offset, reason: "no token68" })?;
            let credentials =
                basic::decode(&token68).map_err(|reason| AuthorizationError::Basic { offset, reason })?;
            Authorization::Basic(credentials)
        }
        Scheme::Digest => Authorization::Digest(digest(item.params, &mut quirks)?),
        Scheme::Other => {
            Authorization::Other { scheme: item.scheme, token68: item.token68, params: item.params }
        }
    };
    Ok(ParsedAuthorization { authorization, quirks })
}

fn digest(
    params: Vec<AuthParam>,
    quirks: &mut Vec<Quirk>,
) -> Result<DigestAuthorization, AuthorizationError> {
    let mut d = DigestAuthorization::default();
    let (mut username, mut username_star, mut realm, mut nonce, mut uri, mut response) =
        (None, None, None, None, None, None);
    let mut seen: Vec<String> = Vec::new();
    for p in params {
        let lower = p.name.to_ascii_lowercase();
        if seen.contains(&lower) {
            continue; // The lexer reported the duplicate; the first one counts.
        }
        seen.push(lower.clone());
        if QUOTED.contains(&lower.as_str()) && !p.quoted {
            quirks.push(Quirk {
                kind: QuirkKind::UnquotedValue,
                header: 0,
                offset: p.offset,
                param: Some(p.name.clone()),
            });
        }
        if TOKENS.contains(&lower.as_str()) && p.quoted {
            quirks.push(Quirk {
                kind: QuirkKind::QuotedToken,
                header: 0,
                offset: p.offset,
                param: Some(p.name.clone()),
            });
        }
        match lower.as_str() {
            "username" => username = Some(p.value),
            "username*" => username_star = Some((decode_ext_value(&p.value, p.offset)?, p.offset)),
            "realm" => realm = Some(p.value),
            "nonce" => nonce = Some(p.value),
            "uri" => uri = Some(p.value),
            "response" => response = Some(p.value),
            "algorithm" => d.algorithm = Some(p.value),
            "cnonce" => d.cnonce = Some(p.value),
            "opaque" => d.opaque = Some(p.value),
            "qop" => d.qop = Some(p.value),
            "userhash" => d.userhash = p.value.trim().eq_ignore_ascii_case("true"),
            "nc" => {
                d.nc = Some(parse_nc(&p.value).ok_or(invalid(p.offset, "nc", "not 1 to 8 hex digits"))?)
            }
            _ => d.other.push(p),
        }
    }
    d.username = match (username, username_star) {
        (Some(_), Some((_, offset))) => {
            return Err(invalid(offset, "username*", "sent together with username"));
        }
        (Some(u), None) => u,
        (None, Some((u, offset))) => {
            if d.userhash {
                return Err(invalid(offset, "username*", "sent with userhash=true"));
            }
            d.username_star = true;
            u
        }
        (None, None) => return Err(AuthorizationError::MissingParam("username")),
    };
    d.realm = realm.ok_or(AuthorizationError::MissingParam("realm"))?;
    d.nonce = nonce.ok_or(AuthorizationError::MissingParam("nonce"))?;
    d.uri = uri.ok_or(AuthorizationError::MissingParam("uri"))?;
    d.response = response.ok_or(AuthorizationError::MissingParam("response"))?;
    Ok(d)
}

fn invalid(offset: usize, param: &'static str, reason: &'static str) -> AuthorizationError {
    AuthorizationError::InvalidParam { offset, param, reason }
}

/// nc = 8LHEX; 1 to 8 hex digits are accepted, zero is not a count.
fn parse_nc(value: &str) -> Option<u32> {
    let value = value.trim();
    if value.is_empty() || value.len() > 8 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(value, 16).ok().filter(|&n| n > 0)
}

/// Decodes an RFC 8187 ext-value (`UTF-8''J%C3%A4s%C3%B8n`); ISO-8859-1 is accepted too.
fn decode_ext_value(value: &str, offset: usize) -> Result<String, AuthorizationError> {
    let bad = |reason| invalid(offset, "username*", reason);
    let mut parts = value.splitn(3, '\'');
    let (Some(charset), Some(_language), Some(encoded)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("not charset'language'value"));
    };
    let bytes = crate::rtsp::percent::decode(encoded).map_err(|_| bad("bad percent-encoding"))?;
    if charset.eq_ignore_ascii_case("UTF-8") {
        String::from_utf8(bytes).map_err(|_| bad("not UTF-8"))
    } else if charset.eq_ignore_ascii_case("ISO-8859-1") {
        Ok(bytes.into_iter().map(char::from).collect())
    } else {
        Err(bad("charset is neither UTF-8 nor ISO-8859-1"))
    }
}

/// Encodes a user name as an RFC 8187 ext-value in UTF-8.
fn encode_ext_value(value: &str) -> String {
    let mut out = String::from("UTF-8''");
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a user name can travel in a quoted-string: RFC 7616 section 3.4.4 sends anything else as
/// `username*`. Non-ASCII names take that form too, since receivers disagree on the charset of
/// quoted-strings.
fn fits_quoted_string(username: &str) -> bool {
    username.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\t')
}

impl DigestAuthorization {
    /// The value of an `Authorization` header carrying these credentials. `username*` is used, unless
    /// `userhash` is set, when the user name does not fit a quoted-string.
    pub fn to_header_value(&self) -> String {
        let mut out = String::from("Digest ");
        let mut first = true;
        let push = |out: &mut String, first: &mut bool, name: &str, value: &str| {
            let quoted = QUOTED.contains(&name);
            syntax::push_param(out, first, name, value, quoted);
        };
        if self.userhash || fits_quoted_string(&self.username) && !self.username_star {
            push(&mut out, &mut first, "username", &self.username);
        } else {
            out.push_str("username*=");
            out.push_str(&encode_ext_value(&self.username));
            first = false;
        }
        push(&mut out, &mut first, "realm", &self.realm);
        push(&mut out, &mut first, "uri", &self.uri);
        if let Some(algorithm) = &self.algorithm {
            push(&mut out, &mut first, "algorithm", algorithm);
        }
        push(&mut out, &mut first, "nonce", &self.nonce);
        if let Some(nc) = self.nc {
            push(&mut out, &mut first, "nc", &super::digest::format_nc(nc));
        }
        if let Some(cnonce) = &self.cnonce {
            push(&mut out, &mut first, "cnonce", cnonce);
        }
        if let Some(qop) = &self.qop {
            push(&mut out, &mut first, "qop", qop);
        }
        push(&mut out, &mut first, "response", &self.response);
        if let Some(opaque) = &self.opaque {
            push(&mut out, &mut first, "opaque", opaque);
        }
        if self.userhash {
            push(&mut out, &mut first, "userhash", "true");
        }
        for p in &self.other {
            syntax::push_param(&mut out, &mut first, &p.name, &p.value, p.quoted);
        }
        out
    }
}

impl Authorization {
    /// The header value. It is a [`Secret`]: Basic carries the password, and a Digest response can be
    /// brute-forced offline.
    pub fn to_header_value(&self) -> Result<Secret, AuthorizationError> {
        match self {
            Authorization::Basic(credentials) => {
                basic::authorization(credentials).map_err(|e| AuthorizationError::Unwritable(e.reason()))
            }
            Authorization::Digest(d) => Ok(Secret::new(d.to_header_value())),
            Authorization::Other { scheme, token68, params } => {
                let mut out = scheme.clone();
                if let Some(token68) = token68 {
                    out.push(' ');
                    out.push_str(token68);
                } else if !params.is_empty() {
                    out.push(' ');
                    let mut first = true;
                    for p in params {
                        syntax::push_param(&mut out, &mut first, &p.name, &p.value, p.quoted);
                    }
                }
                Ok(Secret::new(out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn digest_of(value: &str) -> (DigestAuthorization, Vec<QuirkKind>) {
        let parsed = parse_authorization(value).expect("parses");
        let Authorization::Digest(d) = parsed.authorization else { panic!("not digest") };
        (d, parsed.quirks.into_iter().map(|q| q.kind).collect())
    }

    #[test]
    fn digest_round_trip() {
        let text = concat!(
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", uri=\"/dir/index.html\", ",
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", nc=00000001, cnonce=\"0a4f113b\", qop=auth, ",
            "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        );
        let (d, quirks) = digest_of(text);
        assert!(quirks.is_empty());
        assert_eq!(d.nc, Some(1));
        assert_eq!(d.to_header_value(), text);
    }

    #[test]
    fn ffmpeg_style_quoted_qop_is_a_quirk() {
        let (d, quirks) = digest_of(
            "Digest username=\"u\",realm=\"r\",nonce=\"n\",uri=\"rtsp://cam.example/\",response=\"x\",\
             qop=\"auth\",cnonce=\"c\",nc=00000001",
        );
        assert_eq!(d.qop.as_deref(), Some("auth"));
        assert_eq!(quirks, [QuirkKind::QuotedToken]);
    }

    #[test]
    fn username_star_round_trip() {
        let text = concat!(
            "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, ",
            "realm=\"r\", uri=\"/\", nonce=\"n\", response=\"x\""
        );
        let (d, _) = digest_of(text);
        assert_eq!(d.username, "J\u{e4}s\u{f8}n Doe");
        assert!(d.username_star);
        assert_eq!(d.to_header_value(), text);
        let latin1 = digest_of("Digest username*=iso-8859-1'en'J%E4s, realm=r, uri=u, nonce=n, response=x").0;
        assert_eq!(latin1.username, "J\u{e4}s");
    }

    #[test]
    fn errors_are_specific() {
        let err = |v: &str| parse_authorization(v).unwrap_err();
        assert_eq!(err("Digest realm=\"r\""), AuthorizationError::MissingParam("username"));
        assert_eq!(
            err("Digest username=u, realm=r, nonce=n, uri=u, response=x, nc=xyz"),
            AuthorizationError::InvalidParam { offset: 56, param: "nc", reason: "not 1 to 8 hex digits" }
        );
        assert!(matches!(
            err("Digest username*=UTF-8''%zz"),
            AuthorizationError::InvalidParam { param: "username*", .. }
        ));
        // A sign is not a hex digit (`u8::from_str_radix` took `%+f` as 0x0f).
        assert!(matches!(
            err("Digest username*=UTF-8''a%+f, realm=r, uri=u, nonce=n, response=x"),
            AuthorizationError::InvalidParam { param: "username*", reason: "bad percent-encoding", .. }
        ));
        assert!(matches!(err("Basic !!!"), AuthorizationError::Syntax(_)));
        assert!(matches!(err("Basic bm9jb2xvbg=="), AuthorizationError::Basic { offset: 6, .. }));
        assert!(matches!(err("Basic realm=\"x\""), AuthorizationError::Basic { reason: "no token68", .. }));
        assert!(matches!(err(""), AuthorizationError::Syntax(_)));
    }

    #[test]
    fn other_schemes_are_kept() {
        let parsed = parse_authorization("Bearer abc.def").unwrap();
        assert_eq!(parsed.authorization.to_header_value().unwrap().expose(), "Bearer abc.def");
    }
}
