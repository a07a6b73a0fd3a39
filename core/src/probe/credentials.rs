//! Where the user's credentials may go. They are sent only to the host they were given for, over a
//! connection at least as protected as the one the user asked for: a redirect to another host or from
//! `rtsps://` to `rtsp://` withholds them for good, and so does port discovery that finds only a plain RTSP
//! port unless cleartext was allowed. Once withheld, the report says so and why, instead of "no credentials
//! were given".

use crate::rtsp::auth::{ClientAuth, Credentials};
use crate::rtsp::url::Url;

/// The credentials and, once they are withheld, why.
#[derive(Debug, Clone)]
pub(crate) struct CredentialPolicy {
    credentials: Option<Credentials>,
    withheld: Option<String>,
    allow_cleartext: bool,
}

impl CredentialPolicy {
    pub(crate) fn new(credentials: Option<Credentials>, allow_cleartext: bool) -> CredentialPolicy {
        CredentialPolicy { credentials, withheld: None, allow_cleartext }
    }

    /// Why the credentials were withheld, if they were.
    pub(crate) fn withheld(&self) -> Option<&str> {
        self.withheld.as_deref()
    }

    fn withhold(&mut self, why: String) {
        if self.credentials.take().is_some() {
            self.withheld = Some(why);
        }
    }

    /// A redirect from `from` to `to`: withholds the credentials if it leaves the host or lowers the
    /// protection. Returns why, for the redirect's evidence.
    pub(crate) fn redirected(&mut self, from: &Url, to: &Url) -> Option<String> {
        let had = self.credentials.is_some();
        if to.host() != from.host() {
            self.withhold(format!(
                "the server redirected to another host ({}): credentials go only to the host they were given for",
                to.host()
            ));
        } else if from.scheme().is_tls() && !to.scheme().is_tls() {
            self.withhold(
                "the server redirected rtsps:// to rtsp://: credentials never cross a connection less protected \
                 than the one asked for"
                    .to_owned(),
            );
        }
        (had && self.credentials.is_none()).then(|| self.withheld.clone()).flatten()
    }

    /// Port discovery found no TLS port and goes on with a plain RTSP one the user did not name.
    pub(crate) fn discovered_plain(&mut self) {
        if !self.allow_cleartext {
            self.withhold(
                "no port answered TLS, and credentials are not sent over cleartext RTSP the user did not ask for \
                 (rerun with `--allow-cleartext` if that is acceptable on this network)"
                    .to_owned(),
            );
        }
    }

    /// The authentication state for a new session over TLS (`tls`) or not.
    pub(crate) fn for_session(&self, tls: bool) -> Option<ClientAuth> {
        self.credentials.clone().map(|c| ClientAuth::new(c, tls).allow_basic_in_clear(self.allow_cleartext))
    }
}
