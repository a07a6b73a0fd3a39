//! The client's authentication state across requests, for the sans-IO probe.
//!
//! Feed it each 401 response's `WWW-Authenticate` values ([`ClientAuth::on_unauthorized`]); it says whether
//! to retry and with what findings, and gives the `Authorization` value for each request after that
//! ([`ClientAuth::authorization`]). A second 401 after credentials were sent is either a stale nonce
//! (answered again with the new nonce, `auth.stale_nonce`) or a refusal (`auth.rejected`, no more retries).

use super::assess::assess_challenges;
use super::basic;
use super::capability::Capability;
use super::challenge::Scheme;
use super::digest::{Cnonce, DigestClient};
use super::secret::{Credentials, Secret};
use crate::Finding;
use crate::diagnose::codes;

/// Consecutive `stale=true` answers tolerated before the credentials count as refused (a server whose nonces
/// are always stale would otherwise loop forever).
const MAX_RENEWALS: u8 = 2;

#[derive(Debug, Clone)]
enum State {
    /// No challenge answered yet.
    Idle,
    /// Answering Basic.
    Basic { value: Secret, sent: bool },
    /// Answering Digest.
    Digest { client: DigestClient, sent: bool, renewals: u8 },
    /// The credentials were refused: nothing more to try.
    Refused,
    /// The only answer possible was Basic over cleartext, which was not allowed: nothing was sent.
    Withheld,
}

/// What to do after a 401.
#[derive(Debug, Clone)]
pub struct AuthStep {
    /// Send the request again, with [`ClientAuth::authorization`].
    pub retry: bool,
    /// The challenges, what rtspeek answers and how common clients fare.
    pub capability: Capability,
    /// Findings: for the first 401, those of [`assess_challenges`]; after credentials were sent,
    /// `auth.stale_nonce` or `auth.rejected`.
    pub findings: Vec<Finding>,
}

/// Client-side authentication for one connection. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct ClientAuth {
    credentials: Credentials,
    over_tls: bool,
    basic_in_clear: bool,
    state: State,
}

impl ClientAuth {
    /// Authentication with `credentials` on a connection that is TLS (`over_tls`) or not. Over cleartext a
    /// Digest challenge is always preferred, and Basic (the password itself, base64-encoded) is not answered
    /// unless [`allow_basic_in_clear`](Self::allow_basic_in_clear).
    pub fn new(credentials: Credentials, over_tls: bool) -> Self {
        ClientAuth { credentials, over_tls, basic_in_clear: false, state: State::Idle }
    }

    /// Also answer Basic without TLS (`--allow-cleartext`).
    #[must_use]
    pub fn allow_basic_in_clear(mut self, allow: bool) -> Self {
        self.basic_in_clear = allow;
        self
    }

    /// Whether the credentials were withheld: only Basic over cleartext could be answered.
    pub fn withheld(&self) -> bool {
        matches!(self.state, State::Withheld)
    }

    /// Handles a 401 response with these `WWW-Authenticate` values.
    pub fn on_unauthorized<'a>(&mut self, values: impl IntoIterator<Item = &'a str>) -> AuthStep {
        let (capability, findings) = assess_challenges(values, self.over_tls);
        let answered = match &self.state {
            State::Basic { sent, .. } | State::Digest { sent, .. } => *sent,
            State::Refused | State::Withheld => return AuthStep { retry: false, capability, findings },
            State::Idle => false,
        };
        if answered {
            let findings = vec![self.after_answer(&capability)];
            let retry = !matches!(self.state, State::Refused);
            return AuthStep { retry, capability, findings };
        }
        let basic_only = capability.chosen.as_ref().is_some_and(|c| c.scheme == Scheme::Basic);
        if basic_only && !self.over_tls && !self.basic_in_clear {
            self.state = State::Withheld;
            let findings = withhold_basic(findings);
            return AuthStep { retry: false, capability, findings };
        }
        let retry = self.start(&capability);
        AuthStep { retry, capability, findings }
    }

    /// The `Authorization` value for the next request (`method`, Request-URI `uri`), or `None` when there is
    /// nothing to answer. `cnonce` is made by the driver from fresh random bytes for each request.
    pub fn authorization(&mut self, method: &str, uri: &str, cnonce: &Cnonce) -> Option<Secret> {
        match &mut self.state {
            State::Basic { value, sent } => {
                *sent = true;
                Some(value.clone())
            }
            State::Digest { client, sent, .. } => {
                let value = client.authorization(method, uri, cnonce).ok()?;
                *sent = true;
                Some(value)
            }
            State::Idle | State::Refused | State::Withheld => None,
        }
    }

    /// A request succeeded: the next stale nonce is normal again.
    pub fn on_authorized(&mut self) {
        if let State::Digest { renewals, .. } = &mut self.state {
            *renewals = 0;
        }
    }

    /// Whether the credentials were refused.
    pub fn refused(&self) -> bool {
        matches!(self.state, State::Refused)
    }

    fn start(&mut self, capability: &Capability) -> bool {
        // (Basic over cleartext was dealt with by the caller.)
        let (Some(choice), Some(challenge)) = (&capability.chosen, capability.chosen_challenge()) else {
            return false;
        };
        match choice.scheme {
            Scheme::Digest => match DigestClient::new(challenge, &self.credentials) {
                Ok(client) => self.state = State::Digest { client, sent: false, renewals: 0 },
                Err(_) => return false,
            },
            Scheme::Basic => match basic::authorization(&self.credentials) {
                Ok(value) => self.state = State::Basic { value, sent: false },
                Err(_) => return false,
            },
            Scheme::Other => return false,
        }
        true
    }

    /// A 401 after credentials were sent: renew a stale nonce, or give up.
    fn after_answer(&mut self, capability: &Capability) -> Finding {
        if let State::Digest { client, sent, renewals } = &mut self.state {
            let stale = capability
                .set
                .of_scheme(Scheme::Digest)
                .find(|c| c.stale() && client.same_protection_space(c));
            if let Some(challenge) = stale.filter(|_| *renewals < MAX_RENEWALS)
                && client.renew(challenge).is_ok()
            {
                *renewals += 1;
                *sent = false;
                return Finding::new(
                    codes::AUTH_STALE_NONCE,
                    "the server's nonce expired (stale=true); rtspeek answers again with the new nonce",
                )
                .with_evidence("realm", client.realm())
                .with_evidence("algorithm", client.algorithm().name())
                .with_evidence("renewals_in_a_row", renewals.to_string());
            }
        }
        let mut f = Finding::new(codes::AUTH_REJECTED, "the server refused the credentials");
        match &self.state {
            State::Digest { client, renewals, .. } => {
                let qop = client.qop().map_or("none (RFC 2069 style)", |q| q.name());
                f = f
                    .with_evidence("scheme", "Digest")
                    .with_evidence("realm", client.realm())
                    .with_evidence("algorithm", client.algorithm().name())
                    .with_evidence("qop", qop);
                if *renewals >= MAX_RENEWALS {
                    f = f.with_detail(format!(
                        "The server answered stale=true {renewals} times in a row: its nonces expire at \
                         once, or its clock jumps."
                    ));
                }
            }
            _ => f = f.with_evidence("scheme", "Basic"),
        }
        self.state = State::Refused;
        f
    }
}

/// The first 401's findings when the password would have to cross in clear: `auth.basic_cleartext` becomes
/// the error that stops the chain, saying the credentials were withheld.
fn withhold_basic(mut findings: Vec<Finding>) -> Vec<Finding> {
    let summary = "the camera offers only Basic over rtsp://, which sends the password readable to anyone on the \
                   path: rtspeek withheld the credentials";
    let remediation = "Use RTSPS, or enable Digest on the camera; if cleartext is acceptable on this network, \
                       rerun with `--allow-cleartext`.";
    match findings.iter_mut().find(|f| f.code == codes::AUTH_BASIC_CLEARTEXT.code) {
        Some(f) => {
            f.severity = crate::Severity::Error;
            f.summary = summary.to_owned();
            f.remediation = remediation.to_owned();
        }
        None => findings.push(
            Finding::new(codes::AUTH_BASIC_CLEARTEXT, summary)
                .with_severity(crate::Severity::Error)
                .with_remediation(remediation),
        ),
    }
    findings
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn debug_shows_no_password() {
        let mut auth = ClientAuth::new(Credentials::new("admin", "s3cret-pw"), true);
        let step = auth.on_unauthorized(["Basic realm=\"cam\""]);
        assert!(step.retry);
        let cnonce = Cnonce::new("c").unwrap();
        let value = auth.authorization("DESCRIBE", "rtsp://cam.example/", &cnonce).unwrap();
        let shown = format!("{auth:?} {value:?} {step:?}");
        assert!(!shown.contains("s3cret") && !shown.contains(value.expose()), "{shown}");
    }

    #[test]
    fn basic_in_clear_needs_the_allowance_and_digest_is_preferred() {
        let creds = || Credentials::new("admin", "pw");
        let mut auth = ClientAuth::new(creds(), false);
        let step = auth.on_unauthorized(["Basic realm=\"cam\""]);
        assert!(!step.retry && auth.withheld());
        let f = step.findings.iter().find(|f| f.code == codes::AUTH_BASIC_CLEARTEXT.code).expect("finding");
        assert_eq!(f.severity, crate::Severity::Error);
        let cnonce = Cnonce::new("c").unwrap();
        assert!(auth.authorization("DESCRIBE", "rtsp://cam/", &cnonce).is_none(), "nothing is sent");
        let mut auth = ClientAuth::new(creds(), false).allow_basic_in_clear(true);
        assert!(auth.on_unauthorized(["Basic realm=\"cam\""]).retry);
        // Digest next to Basic is answered over cleartext without any allowance.
        let mut auth = ClientAuth::new(creds(), false);
        assert!(auth.on_unauthorized(["Basic realm=\"cam\"", "Digest realm=\"cam\", nonce=\"n\""]).retry);
        let value = auth.authorization("DESCRIBE", "rtsp://cam/", &cnonce).expect("an answer");
        assert!(value.expose().starts_with("Digest "), "Digest over Basic in clear");
    }

    #[test]
    fn nothing_answerable_means_no_retry() {
        let mut auth = ClientAuth::new(Credentials::new("a:b", "p"), true);
        assert!(
            !auth.on_unauthorized(["Basic realm=\"cam\""]).retry,
            "a user name with ':' cannot use Basic"
        );
        assert!(!auth.on_unauthorized(["Negotiate"]).retry);
        assert!(auth.authorization("OPTIONS", "*", &Cnonce::new("c").unwrap()).is_none());
    }
}
