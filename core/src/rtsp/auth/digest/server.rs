//! The server side of Digest: issue challenges, verify answers.
//!
//! Nonces verify themselves (see `nonce.rs`), so issuing one costs no memory; a nonce older than the lifetime
//! gets `stale=true` when the answer is otherwise right (RFC 7616 section 3.3), so clients re-answer without
//! asking the user. Replays are refused by tracking the highest `nc` per used nonce, in a table of bounded
//! size: the server's own ([`DigestServer::verify`]), or one shared by every connection of a server
//! ([`DigestServer::verify_shared`] with a [`ReplayStore`]), which is what a server with several connections
//! needs, since its nonces are good on all of them. Answers without qop (RFC 2069 style, sent by GStreamer and
//! live555) are accepted by default here, since those clients cannot do anything else; for them replay
//! protection is the nonce lifetime only (`rtspeek serve` refuses them unless a stream allows them).
//!
//! Verification does the same secret-dependent work for every answer that reaches the user lookup: one HA1
//! (from the stored password, or from a dummy one for unknown users and users stored as HA1s), one response,
//! one constant-time comparison. An unknown user is therefore refused after as much work as a wrong password.

use super::nonce::{RANDOM_LEN, ServerKey};
use super::replay::{NonceCounts, NonceUse, ReplayStore};
use super::{Algorithm, Exchange, Qop};
use crate::UnixTime;
use crate::rtsp::auth::authorization::DigestAuthorization;
use crate::rtsp::auth::challenge::Challenge;
use crate::rtsp::auth::secret::ct_eq;
use crate::rtsp::auth::store::{StoredSecret, UserStore};

/// Hashed in place of a password when there is none to hash (unknown users, users stored as HA1s), so that
/// every verification costs the same.
const DUMMY_PASSWORD: &str = "rtspeek: no such user, same work";

/// How far in the future a nonce's issue time may be (clock steps between issuing and checking).
const FUTURE_SKEW_SECS: i64 = 60;

/// How a [`DigestServer`] challenges and verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestServerConfig {
    /// The protection space shown to users.
    pub realm: String,
    /// Algorithms offered, one challenge each, in this order. RFC 7616 wants the preferred one first; FFmpeg,
    /// GStreamer and live555 answer the *last* Digest challenge, so ending with MD5 keeps them working.
    pub algorithms: Vec<Algorithm>,
    /// Seconds a nonce stays valid; older ones get `stale=true`.
    pub nonce_lifetime_secs: i64,
    /// Accept answers without qop (RFC 2069 style). Needed for GStreamer and live555 (VLC).
    pub accept_rfc2069: bool,
    /// Ask clients to hash the user name (`userhash=true`; the [`UserStore`] must support lookups by hash).
    pub userhash: bool,
    /// An `opaque` value that clients must echo.
    pub opaque: Option<String>,
    /// Require the digest `uri` to equal the Request-URI (RFC 7616 section 3.4.6).
    pub check_uri: bool,
    /// At most this many used nonces are tracked for replay protection by [`DigestServer::verify`] (older
    /// ones are forgotten, and their nonces are answered with `stale=true`). A shared [`ReplayStore`] has its
    /// own bound.
    pub max_tracked_nonces: usize,
}

impl DigestServerConfig {
    /// Defaults for `realm`: SHA-256 then MD5, 5-minute nonces, RFC 2069 answers accepted, no userhash, URI
    /// checked, 1024 tracked nonces.
    pub fn new(realm: impl Into<String>) -> Self {
        DigestServerConfig {
            realm: realm.into(),
            algorithms: vec![Algorithm::SHA256, Algorithm::MD5],
            nonce_lifetime_secs: 300,
            accept_rfc2069: true,
            userhash: false,
            opaque: None,
            check_uri: true,
            max_tracked_nonces: 1024,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestServerError {
    /// The realm is empty or holds control characters.
    #[error("the realm is empty or holds control characters")]
    BadRealm,
    /// The opaque value holds control characters or quotes.
    #[error("the opaque value holds control characters, quotes or backslashes")]
    BadOpaque,
    /// No algorithm to offer.
    #[error("no algorithm to offer")]
    NoAlgorithm,
    /// The nonce lifetime is zero or negative.
    #[error("the nonce lifetime must be positive")]
    BadLifetime,
    /// The replay table must hold at least one nonce.
    #[error("max_tracked_nonces must be at least 1")]
    NoTracking,
}

/// The request an answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestRequest<'a> {
    /// The method (`DESCRIBE`, `SETUP`...).
    pub method: &'a str,
    /// The Request-URI.
    pub uri: &'a str,
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The algorithm is not one this server offers.
    #[error("algorithm {0:?} not offered")]
    UnsupportedAlgorithm(String),
    /// The realm is not this server's.
    #[error("wrong realm")]
    RealmMismatch,
    /// The opaque value was not echoed.
    #[error("opaque not echoed")]
    OpaqueMismatch,
    /// The digest uri is not the Request-URI.
    #[error("digest uri differs from the Request-URI")]
    UriMismatch,
    /// No qop, and RFC 2069-style answers are not accepted.
    #[error("qop=auth required")]
    QopRequired,
    /// A qop other than `auth`.
    #[error("unsupported qop {0:?}")]
    UnsupportedQop(String),
    /// qop=auth without cnonce or nc.
    #[error("qop=auth without cnonce or nc")]
    MissingCnonceOrNc,
    /// A `-sess` algorithm without qop.
    #[error("session algorithm without qop")]
    SessionWithoutQop,
    /// The nonce was not issued by this server (for this realm), or is damaged.
    #[error("unknown nonce")]
    UnknownNonce,
    /// The nonce claims to be issued in the future.
    #[error("nonce issued in the future")]
    NonceFromFuture,
    /// No such user (or no secret stored for the algorithm used).
    #[error("unknown user")]
    UnknownUser,
    /// The response does not match: wrong password (or user name, method, uri).
    #[error("wrong response")]
    WrongResponse,
    /// A nonce count already seen for this nonce.
    #[error("replayed nonce count {nc} (highest seen {last})")]
    Replay {
        /// The count received.
        nc: u32,
        /// The highest count already seen.
        last: u32,
    },
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Authenticated as this user.
    Accepted {
        /// The user name (resolved from the userhash when one was sent).
        username: String,
    },
    /// The answer is right but its nonce expired (or was forgotten): answer 401 with `stale=true`.
    Stale,
    /// Refused: answer 401 with fresh challenges.
    Rejected(Rejection),
}

/// A Digest server for one realm.
#[derive(Debug, Clone)]
pub struct DigestServer {
    config: DigestServerConfig,
    key: ServerKey,
    tracker: NonceCounts,
}

impl DigestServer {
    /// A server with `config`, making nonces with `key`.
    pub fn new(config: DigestServerConfig, key: ServerKey) -> Result<Self, DigestServerError> {
        let bad = |s: &str| s.chars().any(|c| c.is_ascii_control());
        if config.realm.is_empty() || bad(&config.realm) {
            return Err(DigestServerError::BadRealm);
        }
        if config.opaque.as_deref().is_some_and(|o| bad(o) || o.contains(['"', '\\'])) {
            return Err(DigestServerError::BadOpaque);
        }
        if config.algorithms.is_empty() {
            return Err(DigestServerError::NoAlgorithm);
        }
        if config.nonce_lifetime_secs <= 0 {
            return Err(DigestServerError::BadLifetime);
        }
        if config.max_tracked_nonces == 0 {
            return Err(DigestServerError::NoTracking);
        }
        let tracker = NonceCounts::new(config.max_tracked_nonces);
        Ok(DigestServer { config, key, tracker })
    }

    /// The configuration.
    pub fn config(&self) -> &DigestServerConfig {
        &self.config
    }

    /// The challenges for a 401 at `now`, one per algorithm, sharing one nonce made with the driver's
    /// `random` bytes. Parameters start with `realm` then `nonce`, the only layout live555 reads.
    pub fn challenges(&self, now: UnixTime, random: &[u8; RANDOM_LEN], stale: bool) -> Vec<Challenge> {
        let nonce = self.key.issue(&self.config.realm, now.secs(), random);
        let mut out = Vec::with_capacity(self.config.algorithms.len());
        for algorithm in &self.config.algorithms {
            let mut c = Challenge::new("Digest")
                .with_param("realm", self.config.realm.clone())
                .with_param("nonce", nonce.clone())
                .with_param("qop", "auth")
                .with_param("algorithm", algorithm.name());
            if let Some(opaque) = &self.config.opaque {
                c = c.with_param("opaque", opaque.clone());
            }
            if stale {
                c = c.with_param("stale", "true");
            }
            c = c.with_param("charset", "UTF-8");
            if self.config.userhash {
                c = c.with_param("userhash", "true");
            }
            out.push(c);
        }
        out
    }

    /// [`challenges`](Self::challenges) as `WWW-Authenticate` values, one per header (FFmpeg and live555 read
    /// only the first challenge of each header).
    pub fn challenge_headers(&self, now: UnixTime, random: &[u8; RANDOM_LEN], stale: bool) -> Vec<String> {
        self.challenges(now, random, stale).iter().map(Challenge::to_header_value).collect()
    }

    /// Verifies an answer to `request` at `now`, finding users in `users`; replays are tracked in this
    /// server's own table (right for one connection; see [`verify_shared`](Self::verify_shared)).
    pub fn verify(
        &mut self,
        answer: &DigestAuthorization,
        request: DigestRequest<'_>,
        now: UnixTime,
        users: &dyn UserStore,
    ) -> Verification {
        let tracker = &mut self.tracker;
        let mut record = |nonce: &str, issued: i64, nc: u32| tracker.record(nonce, issued, nc);
        check(&self.config, &self.key, answer, request, now, users, &mut record)
            .unwrap_or_else(Verification::Rejected)
    }

    /// [`verify`](Self::verify), with replays tracked in `replay`: the store shared by every connection of
    /// the server, so that a nonce count used on one connection is refused on all the others.
    pub fn verify_shared(
        &self,
        answer: &DigestAuthorization,
        request: DigestRequest<'_>,
        now: UnixTime,
        users: &dyn UserStore,
        replay: &dyn ReplayStore,
    ) -> Verification {
        let mut record = |nonce: &str, issued: i64, nc: u32| replay.record(nonce, issued, nc);
        check(&self.config, &self.key, answer, request, now, users, &mut record)
            .unwrap_or_else(Verification::Rejected)
    }
}

/// The checks of a verification; `record` notes an accepted nonce count in the replay table.
fn check(
    cfg: &DigestServerConfig,
    key: &ServerKey,
    answer: &DigestAuthorization,
    request: DigestRequest<'_>,
    now: UnixTime,
    users: &dyn UserStore,
    record: &mut dyn FnMut(&str, i64, u32) -> NonceUse,
) -> Result<Verification, Rejection> {
    // Everything up to the nonce is public (the answer's own parameters, our configuration).
    let algorithm = Algorithm::from_param(answer.algorithm.as_deref())
        .filter(|a| cfg.algorithms.contains(a))
        .ok_or_else(|| Rejection::UnsupportedAlgorithm(answer.algorithm.clone().unwrap_or_default()))?;
    if answer.realm != cfg.realm {
        return Err(Rejection::RealmMismatch);
    }
    if cfg.opaque.is_some() && answer.opaque != cfg.opaque {
        return Err(Rejection::OpaqueMismatch);
    }
    if cfg.check_uri && answer.uri != request.uri {
        return Err(Rejection::UriMismatch);
    }
    let qop_auth = match answer.qop.as_deref().map(|q| (q, Qop::parse(q))) {
        Some((_, Some(Qop::Auth))) => match (answer.nc, answer.cnonce.as_deref()) {
            (Some(nc), Some(cnonce)) => Some((nc, cnonce)),
            _ => return Err(Rejection::MissingCnonceOrNc),
        },
        Some((q, _)) => return Err(Rejection::UnsupportedQop(q.to_owned())),
        None if !cfg.accept_rfc2069 => return Err(Rejection::QopRequired),
        None if algorithm.session => return Err(Rejection::SessionWithoutQop),
        None => None,
    };
    let issued = key.open(&cfg.realm, &answer.nonce).ok_or(Rejection::UnknownNonce)?;
    if issued > now.secs().saturating_add(FUTURE_SKEW_SECS) {
        return Err(Rejection::NonceFromFuture);
    }

    // From here the work must not depend on whether the user exists, nor on how its secret is stored.
    let hash = algorithm.hash;
    let username = if answer.userhash {
        users.find_by_userhash(&answer.username, &cfg.realm, hash)
    } else {
        Some(answer.username.clone())
    };
    let stored = username.as_deref().and_then(|name| users.lookup(name, &cfg.realm, hash));
    let password = match &stored {
        Some(StoredSecret::Password(p)) => p.expose(),
        Some(StoredSecret::Ha1(_)) | None => DUMMY_PASSWORD,
    };
    let hashed_name = username.as_deref().unwrap_or(&answer.username);
    let computed_ha1 = super::ha1(hash, hashed_name, &cfg.realm, password);
    let ha1 = match &stored {
        Some(StoredSecret::Ha1(h)) => h.expose().to_ascii_lowercase(),
        Some(StoredSecret::Password(_)) | None => computed_ha1,
    };
    let exchange = Exchange {
        algorithm,
        ha1: &ha1,
        nonce: &answer.nonce,
        qop_auth,
        method: request.method,
        uri: &answer.uri,
    };
    let expected = exchange.response().ok_or(Rejection::SessionWithoutQop)?;
    let matches = ct_eq(expected.as_bytes(), answer.response.to_ascii_lowercase().as_bytes());
    let username = match (username, stored) {
        (Some(username), Some(_)) => username,
        _ => return Err(Rejection::UnknownUser),
    };
    if !matches {
        return Err(Rejection::WrongResponse);
    }

    // Right answer: now judge the nonce's age and count (stale only for answers that were otherwise right).
    let oldest_valid = now.secs().saturating_sub(cfg.nonce_lifetime_secs);
    if issued < oldest_valid {
        return Ok(Verification::Stale);
    }
    if let Some((nc, _)) = qop_auth {
        match record(&answer.nonce, issued, nc) {
            NonceUse::Fresh => {}
            NonceUse::Replay { last } => return Err(Rejection::Replay { nc, last }),
            NonceUse::Forgotten => return Ok(Verification::Stale),
        }
    }
    Ok(Verification::Accepted { username })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn configurations_are_validated() {
        let key = || ServerKey::new(*b"k");
        let with = |f: fn(&mut DigestServerConfig)| {
            let mut c = DigestServerConfig::new("cam");
            f(&mut c);
            DigestServer::new(c, key()).err()
        };
        assert_eq!(with(|_| {}), None);
        assert_eq!(with(|c| c.realm = String::new()), Some(DigestServerError::BadRealm));
        assert_eq!(with(|c| c.realm = "a\nb".into()), Some(DigestServerError::BadRealm));
        assert_eq!(with(|c| c.opaque = Some("a\"b".into())), Some(DigestServerError::BadOpaque));
        assert_eq!(with(|c| c.algorithms.clear()), Some(DigestServerError::NoAlgorithm));
        assert_eq!(with(|c| c.nonce_lifetime_secs = 0), Some(DigestServerError::BadLifetime));
        assert_eq!(with(|c| c.max_tracked_nonces = 0), Some(DigestServerError::NoTracking));
    }

    #[test]
    fn challenges_put_realm_and_nonce_first() {
        let mut config = DigestServerConfig::new("cam");
        config.opaque = Some("op".into());
        config.userhash = true;
        let server = DigestServer::new(config, ServerKey::new(*b"k")).unwrap();
        let headers = server.challenge_headers(UnixTime(1_800_000_000), &[0; RANDOM_LEN], true);
        assert_eq!(headers.len(), 2);
        assert!(headers[0].starts_with("Digest realm=\"cam\", nonce=\""), "{}", headers[0]);
        assert!(
            headers[1].ends_with(
                "\", qop=\"auth\", algorithm=MD5, opaque=\"op\", stale=true, charset=UTF-8, userhash=true"
            ),
            "{}",
            headers[1]
        );
    }

    /// Answers `server`'s MD5 challenge at `NOW` as `user` / `password`, with nonce count 1.
    fn answer(server: &DigestServer, user: &str, password: &str) -> DigestAuthorization {
        use crate::rtsp::auth::digest::{Cnonce, DigestClient};
        use crate::rtsp::auth::secret::Credentials;
        let challenge = server.challenges(NOW, &[3; RANDOM_LEN], false).pop().expect("an MD5 challenge");
        let mut client = DigestClient::new(&challenge, &Credentials::new(user, password)).unwrap();
        client.respond("DESCRIBE", URI, &Cnonce::new("c0ffee").unwrap()).unwrap()
    }

    const NOW: UnixTime = UnixTime(1_800_000_000);
    const URI: &str = "rtsps://cam.example/live";
    const REQUEST: DigestRequest<'static> = DigestRequest { method: "DESCRIBE", uri: URI };

    #[test]
    fn unknown_users_cost_the_same_work_as_wrong_passwords() {
        use crate::rtsp::auth::HashAlgorithm;
        use crate::rtsp::auth::secret::work;
        use crate::rtsp::auth::store::UserTable;
        let mut config = DigestServerConfig::new("cam");
        config.algorithms = vec![Algorithm::MD5];
        let server = DigestServer::new(config, ServerKey::new(*b"k")).unwrap();
        let ha1 = crate::rtsp::auth::digest::ha1(HashAlgorithm::Md5, "hashed", "cam", "pw");
        let users = UserTable::new().with_password("viewer", "a rather long password").with_ha1(
            "hashed",
            "cam",
            HashAlgorithm::Md5,
            &ha1,
        );
        let store = std::sync::Mutex::new(NonceCounts::new(8));
        let run = |user: &str, password: &str| {
            let answer = answer(&server, user, password);
            work::count(|| server.verify_shared(&answer, REQUEST, NOW, &users, &store))
        };
        let (unknown, verdict) = run("nobody", "a rather long password");
        assert_eq!(verdict, Verification::Rejected(Rejection::UnknownUser));
        let (wrong, verdict) = run("viewer", "x");
        assert_eq!(verdict, Verification::Rejected(Rejection::WrongResponse));
        let (wrong_ha1, verdict) = run("hashed", "x");
        assert_eq!(verdict, Verification::Rejected(Rejection::WrongResponse));
        let (right, verdict) = run("viewer", "a rather long password");
        assert_eq!(verdict, Verification::Accepted { username: "viewer".into() });
        // One HA1, HA2 and response hashed, one constant-time comparison, whoever asks.
        assert_eq!(unknown, (1, 3));
        assert_eq!((wrong, wrong_ha1, right), (unknown, unknown, unknown));
    }

    #[test]
    fn a_shared_store_refuses_a_count_used_by_another_server_instance() {
        use crate::rtsp::auth::store::UserTable;
        let users = UserTable::new().with_password("viewer", "pw");
        let key = ServerKey::new(*b"one key for the whole server");
        let store = std::sync::Mutex::new(NonceCounts::new(8));
        // Two connections: two verifiers with the same key and the same store.
        let first = DigestServer::new(DigestServerConfig::new("cam"), key.clone()).unwrap();
        let second = DigestServer::new(DigestServerConfig::new("cam"), key).unwrap();
        let captured = answer(&first, "viewer", "pw");
        let accepted = Verification::Accepted { username: "viewer".into() };
        assert_eq!(first.verify_shared(&captured, REQUEST, NOW, &users, &store), accepted);
        assert_eq!(
            second.verify_shared(&captured, REQUEST, NOW, &users, &store),
            Verification::Rejected(Rejection::Replay { nc: 1, last: 1 })
        );
        // Each verifier's own table (`verify`) knows nothing of the other: that is what the store is for.
        let mut alone = second.clone();
        assert_eq!(alone.verify(&captured, REQUEST, NOW, &users), accepted);
    }
}
