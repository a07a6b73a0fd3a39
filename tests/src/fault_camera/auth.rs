//! Authentication: the script (which challenges, which user) and its verification with core's servers.

use std::io;

use rtspeek_core::UnixTime;
use rtspeek_core::rtsp::Method;
use rtspeek_core::rtsp::auth::challenge::Challenge;
use rtspeek_core::rtsp::auth::{
    Algorithm, Authorization, BasicServer, DigestRequest, DigestServer, DigestServerConfig, ServerKey,
    UserTable, Verification, parse_authorization,
};

/// Credentials the camera requires, and how it asks for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthScript {
    /// The only user.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The realm of every challenge.
    pub realm: String,
    /// The challenges of a 401, in order (an empty list gives a 401 without any `WWW-Authenticate`).
    pub offers: Vec<Offer>,
    /// Put every challenge in one `WWW-Authenticate` header, comma-separated, instead of one header each.
    pub one_header: bool,
    /// Digest challenges carry only `realm` and `nonce` (no qop, no algorithm: gst-rtsp-server's style);
    /// clients then answer RFC 2069 style.
    pub minimal_digest: bool,
    /// Also require credentials for OPTIONS (many cameras do; gst-rtsp-server does not).
    pub protect_options: bool,
}

/// One challenge of a 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// `Basic realm=...`.
    Basic,
    /// `Digest ... algorithm=X` for an algorithm core verifies (MD5, MD5-sess, SHA-256...).
    Digest(Algorithm),
    /// A Digest challenge with this `algorithm` string written as is (`SHA-1`, `md5 `...); no answer to it is
    /// ever accepted.
    DigestNonstandard(String),
}

impl AuthScript {
    /// Digest MD5 for `username`/`password`.
    pub fn digest(username: impl Into<String>, password: impl Into<String>) -> Self {
        AuthScript {
            username: username.into(),
            password: password.into(),
            realm: "rtspeek fault camera".into(),
            offers: vec![Offer::Digest(Algorithm::MD5)],
            one_header: false,
            minimal_digest: false,
            protect_options: false,
        }
    }

    /// Basic for `username`/`password`.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        AuthScript { offers: vec![Offer::Basic], ..AuthScript::digest(username, password) }
    }

    /// Replaces the challenges.
    #[must_use]
    pub fn offers(mut self, offers: Vec<Offer>) -> Self {
        self.offers = offers;
        self
    }
}

/// The verifying side, shared by every connection of a camera.
#[derive(Debug)]
pub(super) struct AuthRuntime {
    script: AuthScript,
    /// Issues the nonces of every Digest challenge (MD5 only when no standard algorithm is offered).
    digest: DigestServer,
    /// The standard Digest algorithms offered: answers with any other are refused.
    known: Vec<Algorithm>,
    basic: BasicServer,
    users: UserTable,
}

impl AuthRuntime {
    pub(super) fn new(script: AuthScript, key: ServerKey) -> io::Result<Self> {
        let known: Vec<Algorithm> = script
            .offers
            .iter()
            .filter_map(|o| if let Offer::Digest(a) = o { Some(*a) } else { None })
            .collect();
        let mut config = DigestServerConfig::new(script.realm.clone());
        config.algorithms = if known.is_empty() { vec![Algorithm::MD5] } else { known.clone() };
        let digest = DigestServer::new(config, key)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("digest: {e}")))?;
        let users = UserTable::new().with_password(script.username.clone(), script.password.clone());
        let basic = BasicServer::new(script.realm.clone());
        Ok(AuthRuntime { script, digest, known, basic, users })
    }

    /// Whether requests of `method` need credentials.
    pub(super) fn protects(&self, method: &Method<'_>) -> bool {
        self.script.protect_options || *method != Method::Options
    }

    /// `Ok` when `authorization` is a valid answer for `method` on `uri`; otherwise the `WWW-Authenticate`
    /// values of the 401 to send. `random` makes the nonce.
    pub(super) fn check(
        &mut self,
        method: &str,
        uri: &str,
        authorization: Option<&str>,
        now: UnixTime,
        random: &[u8; 12],
    ) -> Result<(), Vec<String>> {
        let mut stale = false;
        if let Some(parsed) = authorization.and_then(|v| parse_authorization(v).ok()) {
            match parsed.authorization {
                Authorization::Basic(credentials)
                    if self.script.offers.contains(&Offer::Basic)
                        && self.basic.verify(&credentials, &self.users).is_ok() =>
                {
                    return Ok(());
                }
                Authorization::Digest(answer) => {
                    let offered = Algorithm::from_param(answer.algorithm.as_deref())
                        .is_some_and(|a| self.known.contains(&a));
                    if offered {
                        match self.digest.verify(&answer, DigestRequest { method, uri }, now, &self.users) {
                            Verification::Accepted { .. } => return Ok(()),
                            Verification::Stale => stale = true,
                            Verification::Rejected(_) => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Err(self.challenge_headers(now, random, stale))
    }

    fn challenge_headers(&self, now: UnixTime, random: &[u8; 12], stale: bool) -> Vec<String> {
        let digests = self.digest.challenges(now, random, stale);
        let minimal = |c: &Challenge| {
            let mut c = c.clone();
            if self.script.minimal_digest {
                c.params.retain(|p| p.name == "realm" || p.name == "nonce");
            }
            c
        };
        let mut values = Vec::new();
        for offer in &self.script.offers {
            let challenge = match offer {
                Offer::Basic => self.basic.challenge(),
                Offer::Digest(a) => match digests.iter().find(|c| c.algorithm() == Some(a.name())) {
                    Some(c) => minimal(c),
                    None => continue,
                },
                Offer::DigestNonstandard(name) => {
                    let Some(first) = digests.first() else { continue };
                    let mut c = minimal(first);
                    match c.params.iter_mut().find(|p| p.name == "algorithm") {
                        Some(p) => p.value = name.clone(),
                        None => c = c.with_param("algorithm", name.clone()),
                    }
                    c
                }
            };
            values.push(challenge.to_header_value());
        }
        if self.script.one_header && !values.is_empty() {
            values = vec![values.join(", ")];
        }
        values
    }
}
