//! [`SessionConfig`]: the timeouts, limits and Digest state every connection of a server shares.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::UnixTime;
use crate::rtsp::Limits;
use crate::rtsp::auth::ServerKey;
use crate::rtsp::auth::digest::{NonceCounts, ReplayStore};

use super::srtp::KeySource;

/// Timeouts and limits of every connection.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The `Server` header and SDP `a=tool` value.
    pub server: String,
    /// The session timeout announced in `Session: id;timeout=N` and enforced: a session that sends nothing
    /// (no request, no RTCP) for this long, plus [`TIMEOUT_GRACE`], is torn down.
    pub session_timeout: Duration,
    /// Once a request has started, it must be complete within this (slowloris guard).
    pub request_timeout: Duration,
    /// A connection without a session that sends no request for this long is closed.
    pub idle_timeout: Duration,
    /// Bounds on one request (head, body, header count).
    pub limits: Limits,
    /// The key of Digest nonces, shared by every connection of the server.
    pub digest_key: ServerKey,
    /// The Digest nonce counts already used, shared by every connection of the server (clones of this
    /// configuration share it): since a nonce is good on every connection, so must its replay record be.
    pub replay: Arc<dyn ReplayStore>,
    /// The wall-clock time at `now` = 0 of the driver's clock: a session's wall-clock time is this plus its
    /// `now`. Only Digest nonces are dated with it, and only this server reads them back, so what matters is
    /// that every connection of the server shares it (their `now` shares an origin too). Default: the epoch.
    pub unix_origin: UnixTime,
    /// Where SRTP master keys come from (the OS generator, in the native driver). `None`: SRTP mounts are
    /// answered 500, since no key could be drawn.
    pub keys: Option<Arc<dyn KeySource>>,
}

/// Nonces tracked by the replay table of [`SessionConfig::new`].
pub const DEFAULT_TRACKED_NONCES: usize = 4096;

/// What clients get on top of the announced session timeout before the server gives up: keep-alives are
/// usually sent at half the timeout, but a loaded client may be late.
pub const TIMEOUT_GRACE: Duration = Duration::from_secs(5);

impl SessionConfig {
    /// 60 s sessions, 10 s to finish a request, 30 s for an idle connection, 8 KiB heads and 64 KiB bodies, a
    /// replay table of [`DEFAULT_TRACKED_NONCES`] nonces, the clock's origin at the epoch, no key source.
    pub fn new(server: impl Into<String>, digest_key: ServerKey) -> Self {
        SessionConfig {
            server: server.into(),
            session_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            limits: Limits { max_head_bytes: 8 * 1024, max_body_bytes: 64 * 1024, max_headers: 64 },
            digest_key,
            replay: Arc::new(Mutex::new(NonceCounts::new(DEFAULT_TRACKED_NONCES))),
            unix_origin: UnixTime(0),
            keys: None,
        }
    }
}
