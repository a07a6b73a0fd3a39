//! What the probe tells as it goes: the serde events shared by the CLI's progress lines, the bridge's
//! WebSocket and the browser page.

use serde::{Deserialize, Serialize};

use crate::{Finding, Layer, LayerStatus, Report};

/// Which way an RTSP message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From rtspeek to the server.
    Sent,
    /// From the server.
    Received,
}

/// The media figures of one track, every half second while media flows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackProgress {
    /// Index in `facts.tracks`.
    pub track: usize,
    /// RTP packets received so far.
    pub packets: u64,
    /// Packets lost so far.
    pub lost: u64,
    /// Interarrival jitter now, in milliseconds.
    pub jitter_ms: f64,
    /// Bits per second over the window so far.
    pub bitrate_bps: f64,
    /// Frames per second so far (video).
    pub frame_rate: f64,
    /// Keyframes seen so far (video).
    pub keyframes: u64,
}

/// One event. JSON: `{"event": "layer", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProbeEvent {
    /// The probe started.
    Started {
        /// The target, credentials redacted.
        target: String,
    },
    /// A step happened (a line of progress: "connected to 127.0.0.1:322 in 0.4 ms", "DESCRIBE 200 OK").
    Step {
        /// Milliseconds since the start.
        at_ms: f64,
        /// The layer it belongs to.
        layer: Layer,
        /// What happened.
        text: String,
    },
    /// An RTSP message head (and a text body such as SDP), credentials redacted.
    Transcript {
        /// Milliseconds since the start.
        at_ms: f64,
        /// Which way.
        direction: Direction,
        /// The message text.
        text: String,
    },
    /// A finding, as soon as it is known.
    Finding {
        /// The finding.
        finding: Finding,
    },
    /// A layer is assessed (or reassessed: a TLS 1.3 server may refuse a client certificate after the
    /// handshake, turning a passed TLS layer into a failed one).
    Layer {
        /// Milliseconds since the start.
        at_ms: f64,
        /// Which layer.
        layer: Layer,
        /// Its status now.
        status: LayerStatus,
        /// One line: the layer's worst finding or what passed.
        summary: String,
    },
    /// Media figures, every half second while media flows.
    Media {
        /// Milliseconds since the start.
        at_ms: f64,
        /// One entry per playing track.
        tracks: Vec<TrackProgress>,
    },
    /// The final report, last of a stream. The probe itself hands the report out once, as
    /// [`Output::Done`](super::Output::Done); a driver that streams events (the native driver for the CLI and
    /// the bridge's WebSocket) sends it on as this event.
    Done {
        /// The report.
        report: Box<Report>,
    },
}
