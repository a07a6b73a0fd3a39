//! The server session's inputs (what the driver observed or looked up) and outputs (what the driver must do).

use std::net::SocketAddr;
use std::time::Duration;

use crate::rtcp::ReportBlock;

use super::mount::RtpPosition;
use super::srtp::SrtpKey;
use super::transport::{Delivery, TransportPolicy};

/// The connection the session runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// RTSPS (TLS) or plain RTSP, and the UDP ports offered on plain connections.
    pub transport: TransportPolicy,
    /// The server's address as the client reached it (`127.0.0.1:8322`, `[::1]:322`): its IP is the SDP
    /// origin.
    pub local: SocketAddr,
    /// The client's address: UDP media goes to its IP, at the ports it asks for in SETUP.
    pub peer: SocketAddr,
}

/// What the driver observed, fed with [`ServerSession::handle_input`](super::ServerSession::handle_input)
/// together with `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    /// Bytes read from the connection (decrypted, on RTSPS): requests, and RTCP the client sends interleaved.
    Data(&'a [u8]),
    /// An RTCP packet the client sent to the server's UDP RTCP port (the driver routes it by the client's
    /// address).
    Rtcp(&'a [u8]),
    /// The answer to [`Output::Subscribe`]: the driver subscribed this connection to the mount's stream, and
    /// this is where the stream stands, so that the first packet the client gets is the one RTP-Info names;
    /// `None` when the stream has no packet yet (its source produced no frame): PLAY then gets 503 and
    /// the driver keeps no subscription.
    Subscribed(Option<RtpPosition>),
}

/// What the driver must do, drained with [`ServerSession::poll_output`](super::ServerSession::poll_output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Write these bytes (one response) to the connection.
    Transmit(Vec<u8>),
    /// A PLAY needs the stream: subscribe this connection to the mount's stream and answer with
    /// [`Input::Subscribed`]. The PLAY response, and every request the client sent after PLAY, wait for that
    /// answer.
    Subscribe {
        /// The mount's path.
        mount: String,
    },
    /// Start (or resume) sending the mount's RTP to this client, from the subscription made for
    /// [`Output::Subscribe`]. Comes after the PLAY response.
    Play(PlayCommand),
    /// Stop sending media for now (PAUSE) and drop the subscription; the session stays.
    Pause,
    /// Stop sending media for good and drop the subscription (TEARDOWN, or the session timed out).
    Stop,
    /// Close the connection (after writing what was transmitted before). Nothing follows.
    Close(CloseReason),
    /// Nothing more to do until this time or the next input: call
    /// [`ServerSession::handle_timeout`](super::ServerSession::handle_timeout) then.
    Timeout(Duration),
}

/// Start delivering media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayCommand {
    /// The mount's path.
    pub mount: String,
    /// How.
    pub delivery: Delivery,
    /// The stream position announced in RTP-Info (the one [`Input::Subscribed`] gave): the first packet the
    /// client gets.
    pub position: RtpPosition,
    /// SRTP: protect every packet (RTP as SRTP, sender reports as SRTCP) under this key, with one context
    /// kept from the first PLAY to [`Output::Stop`] (a PAUSE keeps it: a new context would restart the
    /// rollover counter and could reuse keystream). `None`: plain RTP.
    pub srtp: Option<SrtpKey>,
}

/// Why the session closed its connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The bytes were not RTSP (garbage, a TLS ClientHello on a plain port, an oversized head): the parser's
    /// message, with the byte offset.
    Unparseable(String),
    /// A request was started and not finished in time (slowloris).
    RequestTimeout,
    /// No session and no request for the idle timeout.
    Idle,
    /// The session sent nothing for its timeout.
    SessionTimeout,
    /// While a PLAY waited for its stream, the client sent more than one request's worth of bytes (the
    /// limits of a request head and body): requests are answered in order, so they could only pile up.
    Overrun,
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CloseReason::Unparseable(why) => write!(f, "not RTSP: {why}"),
            CloseReason::RequestTimeout => f.write_str("request not completed in time"),
            CloseReason::Idle => f.write_str("idle connection"),
            CloseReason::SessionTimeout => f.write_str("session timed out"),
            CloseReason::Overrun => f.write_str("too many bytes sent while PLAY waited for the stream"),
        }
    }
}

/// What the client told us about its reception (RTCP receiver reports) and how it behaved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionStats {
    /// Requests answered.
    pub requests: u64,
    /// RTCP packets received from the client.
    pub rtcp_packets: u64,
    /// The latest receiver report block about our stream.
    pub last_report: Option<ReportBlock>,
    /// The user the client authenticated as (last successful check).
    pub user: Option<String>,
    /// SRTCP packets from the client that failed authentication or could not be decrypted (dropped, not
    /// fatal: a client may send plain RTCP, or key its RTCP differently).
    pub srtcp_failures: u64,
}
