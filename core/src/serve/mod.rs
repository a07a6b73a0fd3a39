//! The RTSP server side, sans-IO: what `rtspeek serve` answers, independent of sockets and TLS.
//!
//! - [`ServerSession`]: one connection. The driver feeds it the bytes it read and the time; it returns the
//!   responses to write and media commands ([`SessionOutput::Play`], `Pause`, `Stop`), and closes connections
//!   that are not RTSP, too slow to send a request, idle, or whose session timed out.
//! - [`Catalog`] / [`Mount`]: what is served at which path, with which credentials. The driver owns them, so a
//!   configuration reload applies to the next request.
//! - [`describe`]: the SDP of a mount (control URLs, `sprop-parameter-sets` / `sprop-vps/sps/pps`).
//! - Transport negotiation ([`Delivery`]): RTP/AVP/TCP interleaved everywhere; UDP unicast only on plain
//!   connections, because UDP under RTSPS would carry the media in clear (the client is told so in the 461).
//!
//! Media itself (packetizing frames, fanning packets out, RTCP sender reports) is the driver's: one RTP stream
//! per mount shared by every client, which [`RtpPosition`] describes for RTP-Info.

mod auth;
mod config;
mod mount;
mod sdp;
mod session;
mod transport;

pub use config::{DEFAULT_TRACKED_NONCES, SessionConfig, TIMEOUT_GRACE};
pub use mount::{AuthPolicy, Catalog, Mount, RtpPosition, VIDEO_CONTROL};
pub use sdp::describe;
pub use session::{
    CloseReason, ConnectionInfo, PUBLIC, PlayCommand, ServerSession, SessionOutput, SessionStats,
};
pub use transport::{Delivery, TransportPolicy};
