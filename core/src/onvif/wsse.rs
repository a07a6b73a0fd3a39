//! WS-Security UsernameToken as ONVIF uses it: `PasswordDigest = Base64(SHA-1(nonce + created + password))`.
//! The server checks the digest, the `Created` time against its clock (a camera with a wrong clock refuses
//! every client: ONVIF's most common authentication failure), and never accepts a nonce twice while it is
//! fresh. The client side writes the header.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sha1::{Digest as _, Sha1};
use subtle::ConstantTimeEq as _;

use super::soap::{WSSE, WSU};
use super::xml::{Element, escape};
use crate::UnixTime;

/// The `Type` of a digest password.
pub const PASSWORD_DIGEST: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
/// The `Type` of a password in clear.
pub const PASSWORD_TEXT: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
/// How far `Created` may be from the server's clock, either way.
pub const MAX_SKEW_SECS: i64 = 300;

/// A UsernameToken as read from a request header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsernameToken {
    /// The user.
    pub username: String,
    /// The password element's text (a digest in Base64, or the password).
    pub password: String,
    /// Whether `password` is a digest.
    pub digest: bool,
    /// The nonce, decoded.
    pub nonce: Vec<u8>,
    /// `Created`, as sent.
    pub created: String,
}

impl std::fmt::Display for UsernameToken {
    /// The user only: a token's password or digest is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UsernameToken of {:?}", self.username)
    }
}

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// No UsernameToken in the header.
    #[error("no WS-Security UsernameToken")]
    Missing,
    /// A token that cannot be read (what is wrong).
    #[error("unreadable UsernameToken: {0}")]
    Malformed(String),
    /// A PasswordText token: the password would travel in clear inside the request.
    #[error("PasswordText is not accepted: send PasswordDigest")]
    PasswordText,
    /// `Created` is too far from the server's clock.
    #[error("Created is {skew} s from the device's clock (at most {MAX_SKEW_SECS} s): set both clocks (NTP)")]
    ClockSkew {
        /// Created minus now, seconds.
        skew: i64,
    },
    /// The nonce was already used.
    #[error("this nonce was already used")]
    Replayed,
    /// Unknown user or wrong password (not told apart).
    #[error("unknown user or wrong password")]
    Refused,
}

/// The UsernameToken of a header, if there is one.
pub fn read(header: Option<&Element>) -> Result<Option<UsernameToken>, AuthFailure> {
    let Some(token) =
        header.and_then(|h| h.child(WSSE, "Security")).and_then(|s| s.child(WSSE, "UsernameToken"))
    else {
        return Ok(None);
    };
    let malformed = |what: &str| AuthFailure::Malformed(what.to_owned());
    let username =
        token.child(WSSE, "Username").ok_or_else(|| malformed("no Username"))?.text.trim().to_owned();
    let password_el = token.child(WSSE, "Password").ok_or_else(|| malformed("no Password"))?;
    let digest = match password_el.attr("Type") {
        Some(PASSWORD_DIGEST) => true,
        Some(PASSWORD_TEXT) | None => false,
        Some(_) => return Err(malformed("unknown Password Type")),
    };
    let nonce = match token.child(WSSE, "Nonce") {
        Some(n) => B64.decode(n.text.trim()).map_err(|_| malformed("Nonce is not Base64"))?,
        None => Vec::new(),
    };
    let created = token.child(WSU, "Created").map(|c| c.text.trim().to_owned()).unwrap_or_default();
    Ok(Some(UsernameToken { username, password: password_el.text.trim().to_owned(), digest, nonce, created }))
}

/// `Base64(SHA-1(nonce + created + password))`.
pub fn digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(nonce);
    sha.update(created.as_bytes());
    sha.update(password.as_bytes());
    B64.encode(sha.finalize())
}

/// Nonces seen recently: a bounded memory (oldest forgotten first). A forgotten nonce is also too old to pass
/// the clock check when the memory is sized to the request rate the server admits.
#[derive(Debug, Clone)]
pub struct NonceMemory {
    seen: std::collections::VecDeque<[u8; 20]>,
    capacity: usize,
}

impl NonceMemory {
    /// A memory of `capacity` nonces.
    pub fn new(capacity: usize) -> NonceMemory {
        NonceMemory { seen: std::collections::VecDeque::new(), capacity: capacity.max(1) }
    }

    /// Records `nonce`; false when it was already there.
    fn insert(&mut self, nonce: &[u8]) -> bool {
        let key: [u8; 20] = Sha1::digest(nonce).into();
        if self.seen.contains(&key) {
            return false;
        }
        if self.seen.len() >= self.capacity {
            self.seen.pop_front();
        }
        self.seen.push_back(key);
        true
    }
}

/// Checks `token` against the user's password (`password_of` returns it, `None` for an unknown user) at `now`.
/// Returns the user. Unknown users cost the same digest as known ones.
pub fn verify(
    token: &UsernameToken,
    password_of: impl Fn(&str) -> Option<String>,
    now: UnixTime,
    nonces: &mut NonceMemory,
) -> Result<String, AuthFailure> {
    if !token.digest {
        return Err(AuthFailure::PasswordText);
    }
    if token.nonce.is_empty() || token.created.is_empty() {
        return Err(AuthFailure::Malformed("PasswordDigest needs Nonce and Created".into()));
    }
    let created = time::OffsetDateTime::parse(&token.created, &time::format_description::well_known::Rfc3339)
        .map_err(|_| AuthFailure::Malformed("Created is not an RFC 3339 time".into()))?;
    let skew = created.unix_timestamp() - now.0;
    if skew.abs() > MAX_SKEW_SECS {
        return Err(AuthFailure::ClockSkew { skew });
    }
    let known = password_of(&token.username);
    let expected = digest(&token.nonce, &token.created, known.as_deref().unwrap_or("\u{0}unknown user"));
    let matches: bool = expected.as_bytes().ct_eq(token.password.as_bytes()).into();
    if !(matches && known.is_some()) {
        return Err(AuthFailure::Refused);
    }
    if !nonces.insert(&token.nonce) {
        return Err(AuthFailure::Replayed);
    }
    Ok(token.username.clone())
}

/// The `wsse:Security` header of a request from `user` (the client side), with a fresh `nonce` at `now`.
/// Uses the prefixes `wsse` and `wsu`, which the envelope must declare ([`NAMESPACES`]).
pub fn header(user: &str, password: &str, nonce: &[u8], now: UnixTime) -> String {
    let created = time::OffsetDateTime::from_unix_timestamp(now.0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    format!(
        r#"<wsse:Security env:mustUnderstand="true"><wsse:UsernameToken><wsse:Username>{}</wsse:Username><wsse:Password Type="{PASSWORD_DIGEST}">{}</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"#,
        escape(user),
        digest(nonce, &created, password),
        B64.encode(nonce)
    )
}

/// The prefixes [`header`] uses.
pub const NAMESPACES: [(&str, &str); 2] = [("wsse", WSSE), ("wsu", WSU)];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onvif::soap::{self, envelope};

    fn token_of(xml: &str) -> UsernameToken {
        let env = soap::parse(xml.as_bytes()).expect("envelope");
        read(env.header.as_ref()).expect("readable").expect("a token")
    }

    #[test]
    fn a_written_header_verifies_once_within_the_clock_bound() {
        let now = UnixTime(1_800_000_000);
        let xml = envelope(&NAMESPACES, &header("admin", "pa<ss", b"0123456789abcdef", now), "<x/>");
        let token = token_of(&xml);
        assert!(!token.to_string().contains(&token.password));
        let users = |u: &str| (u == "admin").then(|| "pa<ss".to_owned());
        let mut nonces = NonceMemory::new(16);
        assert_eq!(verify(&token, users, UnixTime(now.0 + 10), &mut nonces), Ok("admin".into()));
        assert_eq!(verify(&token, users, now, &mut nonces), Err(AuthFailure::Replayed));
        let mut fresh = NonceMemory::new(16);
        assert_eq!(
            verify(&token, users, UnixTime(now.0 + 301), &mut fresh),
            Err(AuthFailure::ClockSkew { skew: -301 })
        );
        let wrong = |u: &str| (u == "admin").then(|| "other".to_owned());
        assert_eq!(verify(&token, wrong, now, &mut fresh), Err(AuthFailure::Refused));
        assert_eq!(verify(&token, |_| None, now, &mut fresh), Err(AuthFailure::Refused));
    }

    #[test]
    fn the_digest_is_the_one_onvif_clients_compute() {
        // ONVIF Core, 5.12.2 style: SHA-1 over the raw nonce bytes, Created and the password.
        assert_eq!(digest(b"\x01\x02", "2026-01-01T00:00:00Z", "pw"), {
            let mut sha = Sha1::new();
            sha.update(b"\x01\x022026-01-01T00:00:00Zpw");
            B64.encode(sha.finalize())
        });
    }

    #[test]
    fn text_passwords_and_malformed_tokens_are_refused() {
        let text = format!(
            r#"<e:Envelope xmlns:e="{}" xmlns:w="{WSSE}"><e:Header><w:Security><w:UsernameToken><w:Username>a</w:Username><w:Password Type="{PASSWORD_TEXT}">pw</w:Password></w:UsernameToken></w:Security></e:Header><e:Body><x/></e:Body></e:Envelope>"#,
            soap::SOAP_ENV
        );
        let token = token_of(&text);
        let mut nonces = NonceMemory::new(4);
        assert_eq!(
            verify(&token, |_| Some("pw".into()), UnixTime(0), &mut nonces),
            Err(AuthFailure::PasswordText)
        );
        let no_user = text.replace("<w:Username>a</w:Username>", "");
        let env = soap::parse(no_user.as_bytes()).expect("envelope");
        assert!(matches!(read(env.header.as_ref()), Err(AuthFailure::Malformed(_))));
        let none = soap::parse(envelope(&[], "", "<x/>").as_bytes()).expect("envelope");
        assert_eq!(read(none.header.as_ref()), Ok(None));
    }
}
