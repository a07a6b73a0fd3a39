//! The sending side of one served stream, sans-IO: frames in, RTP packets and RTCP sender reports out.
//!
//! [`StreamSender`] is what a driver's media fan-out holds per mount: it packetizes each frame once (with
//! [`Packetizer`]), puts an RTCP sender report with an SDES CNAME in front of the frame when one is due,
//! counts what went out, and keeps the [`RtpPosition`] a PLAY response announces in RTP-Info. The driver
//! hands it the time (`now`, monotonic, for the report schedule and keyframe throttling; `wall`, since the
//! Unix epoch, for the report's NTP timestamp) and writes the bytes it gets back to every client: the shape
//! of str0m's media writer, minus the sockets.
//!
//! [`KeyframeRequests`] throttles the keyframes clients ask of the source when they join.
//!
//! It lives in `serve` rather than `rtp` because it is the server's one-stream-many-clients sender: its
//! position is the RTP-Info of the server session ([`RtpPosition`]), and its random identity and report
//! schedule are server policy; `rtp` keeps the protocol pieces it is built from.

use std::time::Duration;

use super::RtpPosition;
use crate::codec::{Frame, StreamInfo, VIDEO_CLOCK_RATE};
use crate::rtcp::{SenderInfo, ntp_timestamp, write_sdes_cname, write_sender_report};
use crate::rtp::{DEFAULT_MAX_PAYLOAD, PacketBuf, PacketizeError, Packetizer};

/// RFC 3550 asks for about 5 % of the bandwidth; one report every few seconds is what cameras do.
pub const DEFAULT_REPORT_INTERVAL: Duration = Duration::from_secs(2);
/// The shortest time between two keyframes forced for joining clients, unless set otherwise.
pub const DEFAULT_KEYFRAME_INTERVAL: Duration = Duration::from_secs(1);
/// The SDES CNAME of every sender report (RFC 3550 6.5.1 only asks that it be stable for the session).
pub const CNAME: &str = "rtspeek";

/// How a [`StreamSender`] sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderConfig {
    /// RTP payload type (0..=127).
    pub payload_type: u8,
    /// Payload budget per packet (see [`Packetizer::new`]).
    pub max_payload: usize,
    /// Time between two sender reports.
    pub report_interval: Duration,
}

impl SenderConfig {
    /// `payload_type` with [`DEFAULT_MAX_PAYLOAD`] and [`DEFAULT_REPORT_INTERVAL`].
    pub fn new(payload_type: u8) -> Self {
        SenderConfig {
            payload_type,
            max_payload: DEFAULT_MAX_PAYLOAD,
            report_interval: DEFAULT_REPORT_INTERVAL,
        }
    }
}

/// What one [`StreamSender::send`] produced, borrowed from the sender until the next call.
#[derive(Debug, Clone, Copy)]
pub struct Sent<'a> {
    /// A compound RTCP packet (sender report and SDES CNAME) to send before the frame's packets, when due.
    pub report: Option<&'a [u8]>,
    /// The frame's RTP packets, in order.
    pub packets: &'a PacketBuf,
}

/// Packetizes one stream's frames and schedules its sender reports (see the module documentation).
#[derive(Debug, Clone)]
pub struct StreamSender {
    packetizer: Packetizer,
    packets: PacketBuf,
    report: Vec<u8>,
    /// RTP timestamp of pts 0 (random, RFC 3550 5.1).
    rtp_base: u32,
    /// Nominal frame duration, for the RTP time of the next frame.
    frame_ticks: u32,
    report_interval: Duration,
    last_report: Option<Duration>,
    position: Option<RtpPosition>,
    frames: u64,
    keyframes: KeyframeRequests,
}

impl StreamSender {
    /// A sender for `info`, whose SSRC (never 0), first sequence number and RTP timestamp base come from
    /// `random` (RFC 3550 5.1 wants all three random): bytes 0..4, 4..6 and 6..10.
    pub fn new(info: &StreamInfo, config: SenderConfig, random: [u8; 10]) -> Result<Self, PacketizeError> {
        let [s0, s1, s2, s3, q0, q1, t0, t1, t2, t3] = random;
        let ssrc = u32::from_be_bytes([s0, s1, s2, s3]).max(1);
        let seq = u16::from_be_bytes([q0, q1]);
        let packetizer = Packetizer::new(info.codec, config.payload_type, ssrc, seq, config.max_payload)?
            .with_aggregation(true);
        let frame_ticks =
            if info.frame_rate > 0.0 { (f64::from(VIDEO_CLOCK_RATE) / info.frame_rate) as u32 } else { 3600 };
        Ok(StreamSender {
            packetizer,
            packets: PacketBuf::with_capacity(64 * 1024, 64),
            report: Vec::with_capacity(64),
            rtp_base: u32::from_be_bytes([t0, t1, t2, t3]),
            frame_ticks,
            report_interval: config.report_interval,
            last_report: None,
            position: None,
            frames: 0,
            keyframes: KeyframeRequests::default(),
        })
    }

    /// The SSRC of the stream's packets and reports.
    pub fn ssrc(&self) -> u32 {
        self.packetizer.ssrc()
    }

    /// Where the stream stands: the next packet's sequence number and the next frame's RTP time (this frame's
    /// plus one nominal frame duration); `None` before the first frame.
    pub fn position(&self) -> Option<RtpPosition> {
        self.position
    }

    /// Frames sent.
    pub fn frames_sent(&self) -> u64 {
        self.frames
    }

    /// RTP packets sent.
    pub fn packets_sent(&self) -> u64 {
        self.packetizer.packets_sent()
    }

    /// The keyframe requests of joining clients.
    pub fn keyframes(&mut self) -> &mut KeyframeRequests {
        &mut self.keyframes
    }

    /// Packetizes `frame` at monotonic time `now` (captured at `wall`, since the Unix epoch). When a report
    /// is due (the first frame, then every report interval) it comes first, with this frame's RTP time and
    /// `wall` as its NTP time. A keyframe answers pending keyframe requests. A frame that cannot be
    /// packetized changes nothing and gives the error.
    pub fn send(&mut self, now: Duration, wall: Duration, frame: &Frame) -> Result<Sent<'_>, PacketizeError> {
        let rtptime = self.rtp_base.wrapping_add(frame.pts as u32);
        let due = self.last_report.is_none_or(|t| now.saturating_sub(t) >= self.report_interval);
        if due {
            // Written before the frame is packetized: its counts are what went out before it (RFC 3550).
            self.write_report(rtptime, wall);
        }
        self.packets.clear();
        self.packetizer.packetize(frame, rtptime, &mut self.packets)?;
        if due {
            self.last_report = Some(now);
        }
        if frame.keyframe {
            // Everyone subscribed now has a keyframe: a request made before it is answered.
            self.keyframes.answered();
        }
        self.frames += 1;
        self.position = Some(RtpPosition {
            ssrc: self.packetizer.ssrc(),
            seq: self.packetizer.next_seq(),
            rtptime: rtptime.wrapping_add(self.frame_ticks),
        });
        Ok(Sent { report: due.then_some(self.report.as_slice()), packets: &self.packets })
    }

    /// The counts cover the packets before this frame's: the report goes out before them.
    fn write_report(&mut self, rtptime: u32, wall: Duration) {
        let p = &self.packetizer;
        let info = SenderInfo {
            ntp_timestamp: ntp_timestamp(wall),
            rtp_timestamp: rtptime,
            packet_count: p.packets_sent() as u32,
            octet_count: p.octets_sent() as u32,
        };
        self.report.clear();
        write_sender_report(p.ssrc(), &info, &[], &mut self.report);
        // RFC 3550 6.1: every compound packet carries an SDES CNAME; this one is short enough to always fit.
        let _ = write_sdes_cname(p.ssrc(), CNAME, &mut self.report);
    }
}

/// Keyframes asked of a source for joining clients, coalesced and throttled.
///
/// Clients [`request`](Self::request); the source's driver asks [`take`](Self::take) before each frame and
/// forces a keyframe when it says so; a keyframe that goes out for any reason [`answered`](Self::answered)
/// the requests before it. A PLAY/PAUSE loop must not make every frame a keyframe (each costs the bandwidth
/// of many frames, for every viewer): at most one is forced per interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyframeRequests {
    wanted: bool,
    last_forced: Option<Duration>,
    interval: Duration,
    forced: u64,
}

impl Default for KeyframeRequests {
    fn default() -> Self {
        KeyframeRequests::new(DEFAULT_KEYFRAME_INTERVAL)
    }
}

impl KeyframeRequests {
    /// No request yet; at most one keyframe forced per `interval`.
    pub fn new(interval: Duration) -> Self {
        KeyframeRequests { wanted: false, last_forced: None, interval, forced: 0 }
    }

    /// Sets the shortest time between two forced keyframes.
    pub fn set_interval(&mut self, interval: Duration) {
        self.interval = interval;
    }

    /// A client wants a keyframe.
    pub fn request(&mut self) {
        self.wanted = true;
    }

    /// A keyframe went out: the requests so far are answered.
    pub fn answered(&mut self) {
        self.wanted = false;
    }

    /// Whether the source must make its next frame a keyframe, at `now`: one was asked for and none was
    /// forced within the interval. A request within the interval waits for its end (the client gets a
    /// keyframe then, or the source's next regular one, whichever comes first).
    pub fn take(&mut self, now: Duration) -> bool {
        if !self.wanted || self.last_forced.is_some_and(|t| now.saturating_sub(t) < self.interval) {
            return false;
        }
        self.wanted = false;
        self.last_forced = Some(now);
        self.forced += 1;
        true
    }

    /// Keyframes forced so far.
    pub fn forced(&self) -> u64 {
        self.forced
    }
}

#[cfg(test)]
#[path = "sender_tests.rs"]
mod tests;
