//! The client side of Digest: answer one challenge, request after request.
//!
//! Core has no randomness, so the client nonce is an input ([`Cnonce`], made by the driver from random
//! bytes); results are therefore reproducible, which the RFC test vectors rely on. The password is hashed
//! into HA1 when the client is made and is not kept: a `stale=true` challenge is answered again
//! ([`DigestClient::renew`]) without asking for it.

use super::{Algorithm, Exchange, HashAlgorithm, Qop};
use crate::rtsp::auth::authorization::DigestAuthorization;
use crate::rtsp::auth::challenge::{Challenge, Scheme};
use crate::rtsp::auth::secret::{Credentials, Secret};

/// A client nonce: printable ASCII without `"` or `\`, at most 256 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cnonce(String);

/// Why a value cannot be a client nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid cnonce: {0}")]
pub struct InvalidCnonce(pub &'static str);

impl Cnonce {
    /// The client nonce made from random bytes supplied by the driver (at least 8, i.e. 64 bits), as hex.
    pub fn from_random(bytes: &[u8]) -> Result<Cnonce, InvalidCnonce> {
        if bytes.len() < 8 {
            return Err(InvalidCnonce("fewer than 8 random bytes"));
        }
        Cnonce::new(&super::hex(bytes.get(..128).unwrap_or(bytes)))
    }

    /// A given client nonce (test vectors, replays of captures).
    pub fn new(value: &str) -> Result<Cnonce, InvalidCnonce> {
        if value.is_empty() || value.len() > 256 {
            return Err(InvalidCnonce("empty or longer than 256 bytes"));
        }
        if !value.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\') {
            return Err(InvalidCnonce("not printable ASCII without quote or backslash"));
        }
        Ok(Cnonce(value.to_owned()))
    }

    /// The value sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a challenge cannot be answered, or an answer cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestClientError {
    /// The challenge is not a Digest challenge.
    #[error("not a Digest challenge")]
    NotDigest,
    /// No `realm` parameter.
    #[error("Digest challenge without realm")]
    MissingRealm,
    /// No `nonce` parameter.
    #[error("Digest challenge without nonce")]
    MissingNonce,
    /// An algorithm rtspeek does not implement.
    #[error("unsupported algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// A qop list without `auth` (e.g. only `auth-int`).
    #[error("unsupported qop {0:?} (only auth is answered)")]
    UnsupportedQop(String),
    /// A `-sess` algorithm without qop: there is no cnonce to bind HA1 to.
    #[error("{0} without qop cannot be answered")]
    SessionWithoutQop(Algorithm),
    /// 2^32 - 1 answers were made with one nonce.
    #[error("nonce count exhausted")]
    NonceCountExhausted,
    /// A renewed challenge is for another realm or algorithm: it needs the password again.
    #[error("renewed challenge changes the {0}")]
    RenewalMismatch(&'static str),
}

/// Answers one Digest challenge. `Debug` shows no secret: HA1 is redacted.
#[derive(Debug, Clone)]
pub struct DigestClient {
    username: String,
    userhash: bool,
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: Algorithm,
    /// Whether the challenge named its algorithm (if not, none is echoed, as RFC 2069 clients expect).
    algorithm_named: bool,
    qop: Option<Qop>,
    ha1: Secret,
    nc: u32,
}

impl DigestClient {
    /// Prepares answers to `challenge` for `credentials`. The password is hashed now and not kept.
    pub fn new(challenge: &Challenge, credentials: &Credentials) -> Result<DigestClient, DigestClientError> {
        let offer = Offer::read(challenge)?;
        let hash = offer.algorithm.hash;
        let ha1 =
            Secret::new(super::ha1(hash, &credentials.username, offer.realm, credentials.password.expose()));
        let (username, userhash) = if challenge.userhash() {
            (super::userhash(hash, &credentials.username, offer.realm), true)
        } else {
            (credentials.username.clone(), false)
        };
        Ok(DigestClient {
            username,
            userhash,
            realm: offer.realm.to_owned(),
            nonce: offer.nonce.to_owned(),
            opaque: challenge.opaque().map(str::to_owned),
            algorithm: offer.algorithm,
            algorithm_named: challenge.algorithm().is_some(),
            qop: offer.qop,
            ha1,
            nc: 0,
        })
    }

    /// Checks whether `challenge` could be answered, and with what, without credentials.
    pub fn check(challenge: &Challenge) -> Result<(Algorithm, Option<Qop>), DigestClientError> {
        Offer::read(challenge).map(|o| (o.algorithm, o.qop))
    }

    /// The algorithm in use.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The qop in use; `None` means RFC 2069-style answers.
    pub fn qop(&self) -> Option<Qop> {
        self.qop
    }

    /// The realm answered.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// How many answers were made with the current nonce.
    pub fn nonce_count(&self) -> u32 {
        self.nc
    }

    /// Answers the next request (`method` and Request-URI `uri`), counting it against the nonce.
    pub fn respond(
        &mut self,
        method: &str,
        uri: &str,
        cnonce: &Cnonce,
    ) -> Result<DigestAuthorization, DigestClientError> {
        let nc = self.nc.checked_add(1).ok_or(DigestClientError::NonceCountExhausted)?;
        let qop_auth = (self.qop == Some(Qop::Auth)).then_some((nc, cnonce.as_str()));
        let exchange = Exchange {
            algorithm: self.algorithm,
            ha1: self.ha1.expose(),
            nonce: &self.nonce,
            qop_auth,
            method,
            uri,
        };
        let response = exchange.response().ok_or(DigestClientError::SessionWithoutQop(self.algorithm))?;
        self.nc = nc;
        Ok(DigestAuthorization {
            username: self.username.clone(),
            username_star: false,
            userhash: self.userhash,
            realm: self.realm.clone(),
            nonce: self.nonce.clone(),
            uri: uri.to_owned(),
            response,
            algorithm: self.algorithm_named.then(|| self.algorithm.name().to_owned()),
            cnonce: qop_auth.map(|_| cnonce.as_str().to_owned()),
            nc: qop_auth.map(|_| nc),
            qop: qop_auth.map(|_| Qop::Auth.name().to_owned()),
            opaque: self.opaque.clone(),
            other: Vec::new(),
        })
    }

    /// [`respond`](Self::respond), as the `Authorization` header value.
    pub fn authorization(
        &mut self,
        method: &str,
        uri: &str,
        cnonce: &Cnonce,
    ) -> Result<Secret, DigestClientError> {
        self.respond(method, uri, cnonce).map(|d| Secret::new(d.to_header_value()))
    }

    /// Takes the new nonce of a `stale=true` challenge (same realm and algorithm), resetting the nonce count,
    /// so the request can be answered again without the password.
    pub fn renew(&mut self, challenge: &Challenge) -> Result<(), DigestClientError> {
        let offer = Offer::read(challenge)?;
        if offer.realm != self.realm {
            return Err(DigestClientError::RenewalMismatch("realm"));
        }
        if offer.algorithm != self.algorithm {
            return Err(DigestClientError::RenewalMismatch("algorithm"));
        }
        if challenge.userhash() != self.userhash {
            return Err(DigestClientError::RenewalMismatch("userhash"));
        }
        self.nonce = offer.nonce.to_owned();
        self.opaque = challenge.opaque().map(str::to_owned);
        self.qop = offer.qop;
        self.nc = 0;
        Ok(())
    }

    /// Whether `challenge` is a renewal of this one: same realm and algorithm.
    pub fn same_protection_space(&self, challenge: &Challenge) -> bool {
        Offer::read(challenge).is_ok_and(|o| o.realm == self.realm && o.algorithm == self.algorithm)
    }

    /// The hash in use.
    pub fn hash(&self) -> HashAlgorithm {
        self.algorithm.hash
    }
}

/// What a Digest challenge asks for, validated.
struct Offer<'a> {
    realm: &'a str,
    nonce: &'a str,
    algorithm: Algorithm,
    qop: Option<Qop>,
}

impl<'a> Offer<'a> {
    fn read(c: &'a Challenge) -> Result<Offer<'a>, DigestClientError> {
        if c.scheme() != Scheme::Digest {
            return Err(DigestClientError::NotDigest);
        }
        let realm = c.realm().ok_or(DigestClientError::MissingRealm)?;
        let nonce = c.nonce().ok_or(DigestClientError::MissingNonce)?;
        let algorithm = Algorithm::from_param(c.algorithm()).ok_or_else(|| {
            DigestClientError::UnsupportedAlgorithm(c.algorithm().unwrap_or_default().to_owned())
        })?;
        let qop = if c.qop_options().next().is_none() {
            None
        } else if c.qop_options().any(|q| Qop::parse(q) == Some(Qop::Auth)) {
            Some(Qop::Auth)
        } else {
            return Err(DigestClientError::UnsupportedQop(c.param("qop").unwrap_or_default().to_owned()));
        };
        if algorithm.session && qop.is_none() {
            return Err(DigestClientError::SessionWithoutQop(algorithm));
        }
        Ok(Offer { realm, nonce, algorithm, qop })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::rtsp::auth::challenge::parse_www_authenticate;

    fn challenge(value: &str) -> Challenge {
        parse_www_authenticate([value]).challenges.remove(0)
    }

    #[test]
    fn nonce_count_increments_and_resets_on_renewal() {
        let creds = Credentials::new("u", "p");
        let mut c =
            DigestClient::new(&challenge("Digest realm=\"r\", nonce=\"n1\", qop=\"auth\""), &creds).unwrap();
        let cnonce = Cnonce::from_random(&[7; 8]).unwrap();
        assert_eq!(cnonce.as_str(), "0707070707070707");
        assert_eq!(c.respond("OPTIONS", "rtsp://cam.example/", &cnonce).unwrap().nc, Some(1));
        assert_eq!(c.respond("DESCRIBE", "rtsp://cam.example/", &cnonce).unwrap().nc, Some(2));
        c.renew(&challenge("Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", stale=true")).unwrap();
        let answer = c.respond("DESCRIBE", "rtsp://cam.example/", &cnonce).unwrap();
        assert_eq!((answer.nc, answer.nonce.as_str()), (Some(1), "n2"));
        assert_eq!(
            c.renew(&challenge("Digest realm=\"other\", nonce=\"n3\"")),
            Err(DigestClientError::RenewalMismatch("realm"))
        );
        assert_eq!(
            c.renew(&challenge("Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-256")),
            Err(DigestClientError::RenewalMismatch("algorithm"))
        );
    }

    #[test]
    fn unanswerable_challenges_say_why() {
        let creds = Credentials::new("u", "p");
        let err = |v: &str| DigestClient::new(&challenge(v), &creds).unwrap_err();
        assert_eq!(err("Basic realm=\"r\""), DigestClientError::NotDigest);
        assert_eq!(err("Digest nonce=\"n\""), DigestClientError::MissingRealm);
        assert_eq!(err("Digest realm=\"r\""), DigestClientError::MissingNonce);
        assert_eq!(
            err("Digest realm=r, nonce=n, algorithm=SHA-1"),
            DigestClientError::UnsupportedAlgorithm("SHA-1".into())
        );
        assert_eq!(
            err("Digest realm=r, nonce=n, qop=\"auth-int\""),
            DigestClientError::UnsupportedQop("auth-int".into())
        );
        assert_eq!(
            err("Digest realm=r, nonce=n, algorithm=MD5-sess"),
            DigestClientError::SessionWithoutQop(Algorithm::MD5_SESS)
        );
        assert!(Cnonce::from_random(&[1; 7]).is_err());
        assert!(Cnonce::new("a\"b").is_err() && Cnonce::new("").is_err() && Cnonce::new("a b").is_err());
    }

    #[test]
    fn exhausted_nonce_count_is_an_error() {
        let creds = Credentials::new("u", "p");
        let mut c =
            DigestClient::new(&challenge("Digest realm=\"r\", nonce=\"n\", qop=auth"), &creds).unwrap();
        c.nc = u32::MAX;
        let cnonce = Cnonce::new("c").unwrap();
        assert_eq!(c.respond("PLAY", "/", &cnonce), Err(DigestClientError::NonceCountExhausted));
    }

    #[test]
    fn debug_shows_no_ha1() {
        let creds = Credentials::new("u", "p");
        let c = DigestClient::new(&challenge("Digest realm=\"r\", nonce=\"n\""), &creds).unwrap();
        let ha1 = super::super::ha1(HashAlgorithm::Md5, "u", "r", "p");
        let shown = format!("{c:?}");
        assert!(!shown.contains(&ha1) && shown.contains("<redacted>"), "{shown}");
    }
}
