//! Basic authentication (RFC 7617): `base64(user-id ":" password)`. Anyone who sees the request reads the
//! password, so outside TLS it is reported (`auth.basic_cleartext`).

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::challenge::Challenge;
use super::digest::{self, HashAlgorithm};
use super::secret::{Credentials, Secret, ct_eq};
use super::store::{StoredSecret, UserStore};
use super::syntax::AuthParam;

/// Decoding accepts credentials with or without `=` padding (some clients drop it); encoding pads.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why Basic credentials cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BasicError {
    /// RFC 7617 section 2: a user-id containing a colon cannot be told apart from the password.
    #[error("the user name contains ':'")]
    ColonInUsername,
    /// Control characters are not allowed in user-id or password.
    #[error("control character in the user name or password")]
    ControlCharacter,
}

impl BasicError {
    /// The reason as a static string.
    pub const fn reason(self) -> &'static str {
        match self {
            BasicError::ColonInUsername => "the user name contains ':'",
            BasicError::ControlCharacter => "control character in the user name or password",
        }
    }
}

/// The `Authorization` value `Basic base64(user:password)`, UTF-8 encoded (RFC 7617 section 2.1).
pub fn authorization(credentials: &Credentials) -> Result<Secret, BasicError> {
    if credentials.username.contains(':') {
        return Err(BasicError::ColonInUsername);
    }
    if credentials.username.chars().chain(credentials.password.expose().chars()).any(|c| c.is_ascii_control())
    {
        return Err(BasicError::ControlCharacter);
    }
    let pair = format!("{}:{}", credentials.username, credentials.password.expose());
    Ok(Secret::new(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))))
}

/// Decodes the token68 of Basic credentials. Bytes that are not UTF-8 are read as ISO-8859-1, the charset of
/// older clients (RFC 7617 section 2.1 leaves it unspecified without `charset`).
pub(crate) fn decode(token68: &str) -> Result<Credentials, &'static str> {
    let bytes = LENIENT.decode(token68).map_err(|_| "not base64")?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().into_iter().map(char::from).collect(),
    };
    let (user, password) = text.split_once(':').ok_or("no ':' between user name and password")?;
    Ok(Credentials::new(user, password))
}

/// Why a server refused Basic credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BasicRejection {
    /// No such user in the realm.
    #[error("unknown user")]
    UnknownUser,
    /// The password does not match.
    #[error("wrong password")]
    WrongPassword,
}

/// The server side of Basic: one realm, users from a [`UserStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicServer {
    realm: String,
}

impl BasicServer {
    /// A Basic server for `realm`. Control characters are removed from the realm (they cannot be sent).
    pub fn new(realm: impl Into<String>) -> Self {
        BasicServer { realm: realm.into().chars().filter(|c| !c.is_ascii_control()).collect() }
    }

    /// The realm.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The challenge to send: `Basic realm="...", charset="UTF-8"`.
    pub fn challenge(&self) -> Challenge {
        let mut c = Challenge::new("Basic").with_param("realm", self.realm.clone());
        // RFC 7617 section 2.1 quotes it.
        c.params.push(AuthParam { name: "charset".into(), value: "UTF-8".into(), quoted: true, offset: 0 });
        c
    }

    /// Checks credentials; returns the user name on success. A stored HA1 works too: it is compared with
    /// `H(user:realm:password)` computed from what the client sent.
    ///
    /// Nothing about the stored secret shows in the time taken: a stored password is compared by its SHA-256
    /// with the candidate's (so its length does not show either), every comparison takes constant time, the
    /// store is asked the same questions for every user, and an unknown user is checked against a dummy
    /// password, so it costs what a wrong password costs.
    pub fn verify(&self, credentials: &Credentials, users: &dyn UserStore) -> Result<String, BasicRejection> {
        let password = credentials.password.expose();
        // Every hash is asked for, and the strongest answer kept, so a store holding several HA1s answers
        // with its best one and every user costs the same lookups.
        let mut stored = None;
        for hash in HashAlgorithm::ALL.into_iter().rev() {
            let found = users.lookup(&credentials.username, &self.realm, hash);
            if stored.is_none() {
                stored = found.map(|secret| (hash, secret));
            }
        }
        let known = stored.is_some();
        let ok = match stored {
            Some((_, StoredSecret::Password(expected))) => expected.matches(password),
            Some((hash, StoredSecret::Ha1(expected))) => {
                let ha1 = digest::ha1(hash, &credentials.username, &self.realm, password);
                ct_eq(expected.expose().to_ascii_lowercase().as_bytes(), ha1.as_bytes())
            }
            None => Secret::new(DUMMY_PASSWORD).matches(password),
        };
        match (known, ok) {
            (true, true) => Ok(credentials.username.clone()),
            (true, false) => Err(BasicRejection::WrongPassword),
            (false, _) => Err(BasicRejection::UnknownUser),
        }
    }
}

/// What an unknown user's password is checked against.
const DUMMY_PASSWORD: &str = "rtspeek: no such user, same work";

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::rtsp::auth::store::UserTable;

    #[test]
    fn rfc_7617_example() {
        // RFC 7617 section 2: Aladdin / open sesame.
        let value = authorization(&Credentials::new("Aladdin", "open sesame")).unwrap();
        assert_eq!(value.expose(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        let back = decode("QWxhZGRpbjpvcGVuIHNlc2FtZQ").unwrap();
        assert_eq!((back.username.as_str(), back.password.expose()), ("Aladdin", "open sesame"));
        // RFC 7617 section 2.1: test / 123 followed by U+00A3 POUND SIGN, in UTF-8.
        let pound = authorization(&Credentials::new("test", "123\u{a3}")).unwrap();
        assert_eq!(pound.expose(), "Basic dGVzdDoxMjPCow==");
    }

    #[test]
    fn unwritable_credentials_are_refused() {
        assert_eq!(authorization(&Credentials::new("a:b", "p")), Err(BasicError::ColonInUsername));
        assert_eq!(authorization(&Credentials::new("a", "p\r\n")), Err(BasicError::ControlCharacter));
        assert_eq!(decode("@@@"), Err("not base64"));
        // ISO-8859-1 fallback: "t\xe9st:x".
        assert_eq!(decode("dOlzdDp4").unwrap().username, "t\u{e9}st");
    }

    #[test]
    fn server_checks_passwords_and_stored_ha1() {
        let server = BasicServer::new("cam");
        let ha1 = digest::ha1(HashAlgorithm::Sha256, "op", "cam", "pw2");
        let users =
            UserTable::new().with_password("admin", "pw1").with_ha1("op", "cam", HashAlgorithm::Sha256, &ha1);
        assert_eq!(server.verify(&Credentials::new("admin", "pw1"), &users), Ok("admin".to_owned()));
        assert_eq!(
            server.verify(&Credentials::new("admin", "pw"), &users),
            Err(BasicRejection::WrongPassword)
        );
        assert_eq!(server.verify(&Credentials::new("op", "pw2"), &users), Ok("op".to_owned()));
        assert_eq!(server.verify(&Credentials::new("op", "pw1"), &users), Err(BasicRejection::WrongPassword));
        assert_eq!(
            server.verify(&Credentials::new("nobody", "pw1"), &users),
            Err(BasicRejection::UnknownUser)
        );
        assert_eq!(server.challenge().to_header_value(), "Basic realm=\"cam\", charset=\"UTF-8\"");
    }

    #[test]
    fn unknown_users_cost_the_same_work_as_wrong_passwords() {
        use crate::rtsp::auth::secret::work;
        let server = BasicServer::new("cam");
        let users = UserTable::new().with_password("admin", "a long stored password");
        let verify = |user: &str, password: &str| {
            work::count(|| server.verify(&Credentials::new(user, password), &users))
        };
        let (unknown, verdict) = verify("nobody", "x");
        assert_eq!(verdict, Err(BasicRejection::UnknownUser));
        let (wrong, verdict) = verify("admin", "x");
        assert_eq!(verdict, Err(BasicRejection::WrongPassword));
        let (right, verdict) = verify("admin", "a long stored password");
        assert_eq!(verdict, Ok("admin".to_owned()));
        // Two SHA-256 (stored or dummy, and candidate) and one constant-time comparison, whoever asks.
        assert_eq!(unknown, (1, 2));
        assert_eq!((wrong, right), (unknown, unknown));
    }
}
