//! RTSP authentication: Basic and Digest (RFC 2617, RFC 7616), client and server sides.
//!
//! Everything here works on header *values* (`&str`), so it does not depend on how messages are parsed:
//!
//! - [`parse_www_authenticate`] reads every `WWW-Authenticate` value of a response (several headers, several
//!   challenges per header) into [`Challenge`]s with all their parameters, tolerating common camera
//!   sloppiness and reporting each tolerated [`Quirk`] and each error with its byte offset.
//!   [`parse_authorization`] reads an `Authorization` value; both write back with `to_header_value`.
//! - [`assess_challenges`] turns a 401's challenges into a [`Capability`] summary (what is offered, what
//!   rtspeek answers and why, how FFmpeg, GStreamer and VLC/live555 fare) and `auth.*` findings.
//! - [`ClientAuth`] is the client side across requests: first 401, answers, stale nonces, refusals.
//!   [`DigestClient`] and [`basic::authorization`] are the single-challenge building blocks.
//! - [`DigestServer`] and [`BasicServer`] are the server side: challenges with self-verifying nonces, answer
//!   verification against a [`UserStore`] (passwords or stored HA1), expiry (`stale=true`) and bounded replay
//!   protection.
//!
//! Core has no clock and no randomness: the time (`now`) and random bytes (for client and server nonces) are
//! inputs, so every result is reproducible. Passwords, HA1 hashes and `Authorization` values are [`Secret`]s,
//! which never show in `Debug` output or in findings.
//!
//! The `http-auth` crate was considered for the client side and not used: its Digest support depends on
//! `rand` (and so `getrandom`, which core must not pull) to make the client nonce internally, which also
//! makes answers non-reproducible; its parser reports neither byte offsets nor tolerated quirks; and it has
//! no server side. The parts we need are small enough to own.
//!
//! ```
//! use rtspeek_core::UnixTime;
//! use rtspeek_core::rtsp::auth::{
//!     ClientAuth, Credentials, DigestRequest, DigestServer, DigestServerConfig, ServerKey, UserTable,
//!     Verification, parse_authorization, Authorization, digest::Cnonce,
//! };
//! let now = UnixTime(1_800_000_000);
//! let key = ServerKey::new(*b"server key");
//! let mut server = DigestServer::new(DigestServerConfig::new("cam"), key).unwrap();
//! let users = UserTable::new().with_password("admin", "secret");
//!
//! let mut client = ClientAuth::new(Credentials::new("admin", "secret"), true);
//! let headers = server.challenge_headers(now, &[7; 12], false);
//! assert!(client.on_unauthorized(headers.iter().map(String::as_str)).retry);
//! let uri = "rtsps://cam.example/stream";
//! let value = client.authorization("DESCRIBE", uri, &Cnonce::from_random(&[1; 16]).unwrap()).unwrap();
//!
//! let parsed = parse_authorization(value.expose()).unwrap();
//! let Authorization::Digest(answer) = parsed.authorization else { panic!("not Digest") };
//! let request = DigestRequest { method: "DESCRIBE", uri };
//! let verdict = server.verify(&answer, request, now, &users);
//! assert_eq!(verdict, Verification::Accepted { username: "admin".into() });
//! ```

mod assess;
pub mod authorization;
pub mod basic;
pub mod capability;
pub mod challenge;
mod client;
pub mod digest;
pub mod secret;
pub mod store;
mod syntax;

pub use assess::assess_challenges;
pub use authorization::{
    Authorization, AuthorizationError, DigestAuthorization, ParsedAuthorization, parse_authorization,
};
pub use basic::{BasicRejection, BasicServer};
pub use capability::{Capability, Choice, ClientOutcome, ClientVerdict, FailCause, OfferedChallenge};
pub use challenge::{Challenge, ChallengeError, ChallengeSet, Scheme, parse_www_authenticate};
pub use client::{AuthStep, ClientAuth};
pub use digest::{
    Algorithm, DigestClient, DigestRequest, DigestServer, DigestServerConfig, HashAlgorithm, Qop, Rejection,
    ServerKey, Verification,
};
pub use secret::{Credentials, Secret};
pub use store::{StoredSecret, UserStore, UserTable};
pub use syntax::{AuthParam, Quirk, QuirkKind, SyntaxError, SyntaxErrorKind};
