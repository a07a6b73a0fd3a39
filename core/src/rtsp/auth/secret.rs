//! Redacting holders for passwords, HA1 hashes and Authorization header values.
//!
//! Anything that reveals a password, or lets someone answer a challenge or brute-force one offline, lives in
//! a [`Secret`]: its `Debug` prints `<redacted>`, it has no `Display` and no serde, so it cannot reach a
//! report, a log line or a `{:?}` by accident. Reading it takes an explicit [`Secret::expose`].

use subtle::ConstantTimeEq;

/// A secret string: a password, an HA1 hash or an `Authorization` header value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: call only where it must be used (hashed, written on the wire), never to show it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares with `other` in time that depends only on the lengths, not on where the first difference is.
    pub fn ct_eq(&self, other: &str) -> bool {
        ct_eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

/// Constant-time equality of two byte strings (a length difference returns early: lengths are not secret
/// here, since both sides are hex digests of a known size or the attacker's own input).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// A user name and password. The password is a [`Secret`]; the user name is shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name, as typed (UTF-8).
    pub username: String,
    /// The password.
    pub password: Secret,
}

impl Credentials {
    /// Credentials from a user name and a password.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials { username: username.into(), password: password.into() }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &self.password)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let creds = Credentials::new("admin", "hunter2-secret");
        let shown = format!("{creds:?} {:?} {:#?}", creds.password, creds);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("admin") && shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn constant_time_comparison_is_equality() {
        let s = Secret::new("abc");
        assert!(s.ct_eq("abc"));
        assert!(!s.ct_eq("abd"));
        assert!(!s.ct_eq("ab"));
        assert!(!s.ct_eq(""));
        assert!(ct_eq(b"", b""));
    }
}
