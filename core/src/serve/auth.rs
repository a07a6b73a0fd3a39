//! Verifying a request's credentials against a mount's [`AuthPolicy`], with core's Basic and Digest servers.

use crate::UnixTime;
use crate::rtsp::auth::digest::ReplayStore;
use crate::rtsp::auth::{
    Authorization, BasicServer, DigestRequest, DigestServer, DigestServerConfig, Rejection, ServerKey,
    Verification, parse_authorization,
};

use super::mount::AuthPolicy;

/// The outcome of checking one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthOutcome {
    /// The credentials are good: the user's name (for logs; never the password).
    Accepted(String),
    /// No or wrong credentials: the `WWW-Authenticate` values of the 401, and why (for logs).
    Challenge { values: Vec<String>, why: &'static str },
}

/// One mount's verifier on one connection. Digest nonces are an HMAC under the server's key, so a nonce issued
/// on another connection verifies here too; replays are therefore tracked in the server's [`ReplayStore`],
/// shared by every connection, not here.
#[derive(Debug)]
pub(crate) struct Guard {
    basic: Option<BasicServer>,
    digest: Option<DigestServer>,
}

impl Guard {
    /// The verifier of `policy` on a connection that is TLS (`tls`) or plain.
    pub(crate) fn new(policy: &AuthPolicy, key: &ServerKey, tls: bool) -> Self {
        let digest = (!policy.digest.is_empty())
            .then(|| {
                let mut config = DigestServerConfig::new(policy.realm.clone());
                config.algorithms = policy.digest.clone();
                config.accept_rfc2069 = policy.allow_rfc2069;
                DigestServer::new(config, key.clone()).ok()
            })
            .flatten();
        let basic_here = policy.basic && (tls || policy.allow_basic_cleartext);
        let basic = basic_here.then(|| BasicServer::new(policy.realm.clone()));
        Guard { basic, digest }
    }

    /// Checks `authorization` (the header value, if any) for `method` on `uri`, noting accepted Digest nonce
    /// counts in `replay`. `random` seeds a fresh nonce.
    #[allow(clippy::too_many_arguments)] // One request's facts; a struct for them would be used here only.
    pub(crate) fn check(
        &self,
        policy: &AuthPolicy,
        method: &str,
        uri: &str,
        authorization: Option<&str>,
        now: UnixTime,
        random: &[u8; 12],
        replay: &dyn ReplayStore,
    ) -> AuthOutcome {
        let mut stale = false;
        let why = match authorization.map(parse_authorization) {
            None => "no credentials",
            Some(Err(_)) => "unreadable Authorization header",
            Some(Ok(parsed)) => match (parsed.authorization, &self.basic, &self.digest) {
                (Authorization::Basic(credentials), Some(basic), _) => {
                    match basic.verify(&credentials, &policy.users) {
                        Ok(user) => return AuthOutcome::Accepted(user),
                        Err(_) => "wrong Basic credentials",
                    }
                }
                (Authorization::Digest(answer), _, Some(digest)) => {
                    let request = DigestRequest { method, uri };
                    match digest.verify_shared(&answer, request, now, &policy.users, replay) {
                        Verification::Accepted { username } => return AuthOutcome::Accepted(username),
                        Verification::Stale => {
                            stale = true;
                            "stale Digest nonce"
                        }
                        Verification::Rejected(Rejection::QopRequired) => {
                            "a Digest answer without qop (RFC 2069 style): this stream requires qop=auth"
                        }
                        Verification::Rejected(Rejection::Replay { .. }) => "a replayed Digest nonce count",
                        // Unknown users and wrong passwords look the same.
                        Verification::Rejected(_) => "wrong Digest credentials",
                    }
                }
                _ => "a scheme this stream does not offer",
            },
        };
        AuthOutcome::Challenge { values: self.challenges(now, random, stale), why }
    }

    fn challenges(&self, now: UnixTime, random: &[u8; 12], stale: bool) -> Vec<String> {
        let mut values = Vec::new();
        if let Some(digest) = &self.digest {
            values.extend(digest.challenge_headers(now, random, stale));
        }
        // Digest first: it keeps the password off the wire, and clients that simply take the first challenge
        // then pick it (FFmpeg and GStreamer prefer Digest wherever it is).
        if let Some(basic) = &self.basic {
            values.push(basic.challenge().to_header_value());
        }
        values
    }
}
