//! Where a server finds its users: a [`UserStore`] returns, for a user and realm, either the password or a
//! precomputed HA1 (`H(user:realm:password)`), so that configurations need not keep passwords in clear.
//! Any closure `Fn(&str, &str, HashAlgorithm) -> Option<StoredSecret>` is a store; [`UserTable`] is a simple
//! in-memory one.

use super::digest::{self, HashAlgorithm};
use super::secret::Secret;

/// What a store holds for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredSecret {
    /// The password: works for every algorithm, and for Basic.
    Password(Secret),
    /// `H(user:realm:password)` in lowercase hex, for the hash that was asked for.
    Ha1(Secret),
}

/// Looks users up for a server.
pub trait UserStore {
    /// The secret of `username` in `realm`, for Digest with `hash`: the password, or the HA1 made with
    /// `hash`. `None` when the user is unknown, or when only HA1s of other hashes are stored.
    fn lookup(&self, username: &str, realm: &str, hash: HashAlgorithm) -> Option<StoredSecret>;

    /// The user whose `H(username:realm)` with `hash` is `userhash` (RFC 7616 section 3.4.4). The default
    /// knows no user by hash, which makes a server refuse `userhash` answers.
    fn find_by_userhash(&self, userhash: &str, realm: &str, hash: HashAlgorithm) -> Option<String> {
        let _ = (userhash, realm, hash);
        None
    }
}

impl<F> UserStore for F
where
    F: Fn(&str, &str, HashAlgorithm) -> Option<StoredSecret>,
{
    fn lookup(&self, username: &str, realm: &str, hash: HashAlgorithm) -> Option<StoredSecret> {
        self(username, realm, hash)
    }
}

/// One user of a [`UserTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// Valid in every realm.
    Password(Secret),
    /// Valid in one realm, for the hashes listed.
    Ha1 { realm: String, ha1: Vec<(HashAlgorithm, Secret)> },
}

/// An in-memory user list (tests, small configurations). Lookups are linear: meant for a handful of users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserTable {
    users: Vec<(String, Entry)>,
}

impl UserTable {
    /// An empty table.
    pub fn new() -> Self {
        UserTable::default()
    }

    /// Adds a user with a password (valid in any realm).
    #[must_use]
    pub fn with_password(mut self, username: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.users.push((username.into(), Entry::Password(password.into())));
        self
    }

    /// Adds (or extends) a user known by the HA1 of `hash` in `realm` (hex, as `H(user:realm:password)`).
    #[must_use]
    pub fn with_ha1(mut self, username: &str, realm: &str, hash: HashAlgorithm, ha1: &str) -> Self {
        let ha1 = Secret::new(ha1.to_ascii_lowercase());
        let existing = self.users.iter_mut().find_map(|(name, entry)| match entry {
            Entry::Ha1 { realm: r, ha1 } if name == username && r == realm => Some(ha1),
            _ => None,
        });
        match existing {
            Some(list) => list.push((hash, ha1)),
            None => self
                .users
                .push((username.to_owned(), Entry::Ha1 { realm: realm.to_owned(), ha1: vec![(hash, ha1)] })),
        }
        self
    }
}

impl UserStore for UserTable {
    /// Every entry is looked at, whoever is asked for: where a user sits in the table (or whether it is in it
    /// at all) does not change the time taken.
    fn lookup(&self, username: &str, realm: &str, hash: HashAlgorithm) -> Option<StoredSecret> {
        let mut found = None;
        for (name, entry) in &self.users {
            let secret = match entry {
                _ if name != username => None,
                Entry::Password(p) => Some(StoredSecret::Password(p.clone())),
                Entry::Ha1 { realm: r, ha1 } if r == realm => {
                    ha1.iter().find(|(h, _)| *h == hash).map(|(_, s)| StoredSecret::Ha1(s.clone()))
                }
                Entry::Ha1 { .. } => None,
            };
            if found.is_none() {
                found = secret;
            }
        }
        found
    }

    fn find_by_userhash(&self, userhash: &str, realm: &str, hash: HashAlgorithm) -> Option<String> {
        let userhash = userhash.to_ascii_lowercase();
        self.users
            .iter()
            .map(|(name, _)| name)
            .find(|name| digest::userhash(hash, name, realm) == userhash)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn table_lookups() {
        let t = UserTable::new()
            .with_password("a", "pa")
            .with_ha1("b", "cam", HashAlgorithm::Md5, "ABCD")
            .with_ha1("b", "cam", HashAlgorithm::Sha256, "ef01");
        assert_eq!(
            t.lookup("a", "any", HashAlgorithm::Sha512_256),
            Some(StoredSecret::Password("pa".into()))
        );
        assert_eq!(t.lookup("b", "cam", HashAlgorithm::Md5), Some(StoredSecret::Ha1("abcd".into())));
        assert_eq!(t.lookup("b", "cam", HashAlgorithm::Sha256), Some(StoredSecret::Ha1("ef01".into())));
        assert_eq!(t.lookup("b", "cam", HashAlgorithm::Sha512_256), None);
        assert_eq!(t.lookup("b", "other", HashAlgorithm::Md5), None);
        assert_eq!(t.lookup("c", "cam", HashAlgorithm::Md5), None);
        let hashed = digest::userhash(HashAlgorithm::Sha256, "b", "cam");
        assert_eq!(
            t.find_by_userhash(&hashed.to_ascii_uppercase(), "cam", HashAlgorithm::Sha256).as_deref(),
            Some("b")
        );
        assert_eq!(t.find_by_userhash(&hashed, "cam", HashAlgorithm::Md5), None);
        assert!(!format!("{t:?}").contains("pa\""));
    }

    #[test]
    fn closures_are_stores() {
        let store =
            |user: &str, _: &str, _: HashAlgorithm| (user == "x").then(|| StoredSecret::Password("y".into()));
        assert!(store.lookup("x", "r", HashAlgorithm::Md5).is_some());
        assert_eq!(store.find_by_userhash("h", "r", HashAlgorithm::Md5), None);
    }
}
