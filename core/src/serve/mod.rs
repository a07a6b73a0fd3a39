//! The RTSP server side, sans-IO: what `rtspeek serve` answers, independent of sockets and TLS.
//!
//! - [`ServerSession`]: one connection. The driver feeds it what happened ([`ServerSession::handle_input`]
//!   with an [`Input`], [`ServerSession::handle_timeout`]) with the time, and drains what to do with
//!   [`ServerSession::poll_output`] until it returns [`Output::Timeout`] (sleep until then or until the next
//!   input) or `None` (the connection is closed): the same contract as the probe's. The session closes
//!   connections that are not RTSP, too slow to send a request, idle, or whose session timed out.
//! - [`Catalog`] / [`Mount`]: what is served at which path, with which credentials. The driver owns them
//!   (and hands the session a shared handle), so a catalogue that changes applies to the next request.
//! - [`describe`]: the SDP of a mount (control URLs, `sprop-parameter-sets` / `sprop-vps/sps/pps`).
//! - Transport negotiation ([`Delivery`]): RTP/AVP/TCP interleaved everywhere; UDP unicast only on plain
//!   connections, because UDP under RTSPS would carry the media in clear (the client is told so in the 461).
//!   An SRTP mount ([`SrtpPolicy`]) takes RTP/SAVP(F) only, over UDP on any connection or interleaved, with
//!   keys per connection from [`SessionConfig::keys`] (MIKEY-NULL and/or SDES in the SDP, or `KeyMgmt`);
//!   [`PlayCommand::srtp`] hands the driver the key to protect that client's packets with.
//!
//! Media: a [`StreamSender`] per mount packetizes frames, schedules RTCP sender reports and keeps the stream's
//! [`RtpPosition`]; [`KeyframeRequests`] throttles the keyframes joining clients ask for; a [`PtsClock`] turns a
//! relayed camera's timestamps into monotonic presentation times. Fanning the packets out to the clients (one
//! RTP stream per mount shared by every client) is the driver's. When a PLAY needs it, the session asks for it explicitly:
//! [`Output::Subscribe`] makes the driver subscribe the connection to the mount's stream and answer with
//! [`Input::Subscribed`] and the stream's [`RtpPosition`] (what RTP-Info announces); the session then answers
//! the PLAY and emits [`Output::Play`]. Requests the client pipelined behind the PLAY wait for that answer, so
//! responses stay in order. SETUP subscribes to nothing.
//!
//! Time: `now` is the driver's monotonic clock (a [`Duration`](std::time::Duration) since any origin, the
//! same for every connection of a server); the wall-clock time that Digest nonces carry is
//! [`SessionConfig::unix_origin`] plus `now`.
//!
//! What the driver does for each output: [`Output::Transmit`] writes; [`Output::Subscribe`] subscribes and
//! answers; [`Output::Play`] starts sending the subscription's packets as its [`Delivery`] says;
//! [`Output::Pause`] and [`Output::Stop`] stop sending and drop the subscription; [`Output::Close`] closes
//! after the writes before it. RTCP the client sends over UDP comes back as [`Input::Rtcp`].
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use rtspeek_core::rtsp::auth::ServerKey;
//! use rtspeek_core::serve::{
//!     Catalog, ConnectionInfo, Input, Mount, Output, ServerSession, SessionConfig, TransportPolicy,
//! };
//!
//! /// A driver's catalogue (this one serves nothing).
//! #[derive(Debug)]
//! struct Mounts;
//! impl Catalog for Mounts {
//!     fn mount(&self, _path: &str) -> Option<&Mount> {
//!         None
//!     }
//! }
//!
//! let conn = ConnectionInfo {
//!     transport: TransportPolicy { tls: true, udp_server_ports: None },
//!     local: "192.0.2.1:322".parse().unwrap(),
//!     peer: "192.0.2.9:50000".parse().unwrap(),
//! };
//! let config = SessionConfig::new("example", ServerKey::new(vec![7; 32]));
//! let mut session = ServerSession::new(config, conn, Arc::new(Mounts), Duration::ZERO, [9; 32]);
//! let mut now = Duration::ZERO;
//! let mut written = Vec::new();
//! // What the driver read from the connection.
//! session.handle_input(now, Input::Data(b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
//! let closed = loop {
//!     match session.poll_output() {
//!         Some(Output::Transmit(bytes)) => written.extend(bytes), // write to the connection
//!         // Subscribe to the mount's stream (none here) and say where it stands.
//!         Some(Output::Subscribe { .. }) => session.handle_input(now, Input::Subscribed(None)),
//!         Some(Output::Play(_) | Output::Pause | Output::Stop) => {} // start or stop sending media
//!         Some(Output::Close(reason)) => break reason,
//!         // A real driver waits for the next read (then `handle_input`) or for `at`; this client is idle.
//!         Some(Output::Timeout(at)) => {
//!             now = at;
//!             session.handle_timeout(now);
//!         }
//!         None => unreachable!("Close comes before the end"),
//!     }
//! };
//! assert!(written.starts_with(b"RTSP/1.0 200 OK\r\n"));
//! assert_eq!(closed, rtspeek_core::serve::CloseReason::Idle);
//! assert_eq!(session.poll_output(), None);
//! ```

mod auth;
mod config;
mod io;
mod methods;
mod mount;
mod pts_clock;
mod sdp;
mod sender;
mod session;
mod srtp;
mod transport;

pub use config::{DEFAULT_TRACKED_NONCES, SessionConfig, TIMEOUT_GRACE};
pub use io::{CloseReason, ConnectionInfo, Input, Output, PlayCommand, SessionStats};
pub use methods::PUBLIC;
pub use mount::{AuthPolicy, Catalog, Encryption, Mount, RtpPosition, VIDEO_CONTROL};
pub use pts_clock::{MAX_BACKWARD_TICKS, MAX_FORWARD_TICKS, Pts, PtsClock};
pub use sdp::describe;
pub use sender::{
    CNAME, DEFAULT_KEYFRAME_INTERVAL, DEFAULT_REPORT_INTERVAL, KeyframeRequests, SenderConfig, Sent,
    StreamSender,
};
pub use session::ServerSession;
pub use srtp::{KeySource, KeySourceError, SrtpKey, SrtpMode, SrtpPolicy};
pub use transport::{Delivery, TransportPolicy};
