//! Redacting holders for passwords, HA1 hashes and Authorization header values.
//!
//! Anything that reveals a password, or lets someone answer a challenge or brute-force one offline, lives in
//! a [`Secret`]: its `Debug` prints `<redacted>`, it has no `Display` and no serde, so it cannot reach a
//! report, a log line or a `{:?}` by accident. Reading it takes an explicit [`Secret::expose`].

use sha2::{Digest as _, Sha256};
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
    /// The lengths themselves show; where the secret's length must stay hidden (a stored password checked
    /// against what a client sent), use [`matches`](Self::matches).
    pub fn ct_eq(&self, other: &str) -> bool {
        ct_eq(self.0.as_bytes(), other.as_bytes())
    }

    /// Whether `candidate` is the secret, revealing neither where they differ nor the secret's length: both
    /// are hashed (SHA-256) and the fixed-size hashes compared in constant time. The work is the same for
    /// every candidate and every secret of a given length range, which is what a server needs when it checks
    /// passwords.
    pub fn matches(&self, candidate: &str) -> bool {
        ct_eq(&sha256(self.0.as_bytes()), &sha256(candidate.as_bytes()))
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
/// here, since both sides are hex digests of a known size or the attacker's own input). Every secret
/// comparison of the servers goes through here.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    #[cfg(test)]
    work::COMPARISONS.with(|c| c.set(c.get() + 1));
    a.ct_eq(b).into()
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    #[cfg(test)]
    work::HASHES.with(|c| c.set(c.get() + 1));
    Sha256::digest(bytes).into()
}

/// Counts of the secret-dependent work done on this thread, so tests can check that refusing an unknown user
/// costs the same comparisons and hashes as refusing a wrong password.
#[cfg(test)]
pub(crate) mod work {
    use std::cell::Cell;

    thread_local! {
        /// Calls of `ct_eq`.
        pub(crate) static COMPARISONS: Cell<u32> = const { Cell::new(0) };
        /// Hashes computed: `sha256` and every `HashAlgorithm::hex_joined`.
        pub(crate) static HASHES: Cell<u32> = const { Cell::new(0) };
    }

    /// (comparisons, hashes) done by `f` on this thread.
    pub(crate) fn count<T>(f: impl FnOnce() -> T) -> ((u32, u32), T) {
        let before = (COMPARISONS.with(Cell::get), HASHES.with(Cell::get));
        let out = f();
        let after = (COMPARISONS.with(Cell::get), HASHES.with(Cell::get));
        ((after.0 - before.0, after.1 - before.1), out)
    }
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
        assert!(s.matches("abc"));
        assert!(!s.matches("abd"));
        assert!(!s.matches("abcd"));
        assert!(!s.matches(""));
        // The same work whatever the candidate: two hashes, one comparison of their fixed-size results.
        let (short, _) = work::count(|| s.matches("a"));
        let (long, _) = work::count(|| s.matches(&"x".repeat(500)));
        assert_eq!((short, long), ((1, 2), (1, 2)));
    }
}
