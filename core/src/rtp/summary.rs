//! The figures of an observation window, per source and for the stream: what the report and the charts show,
//! and what the assessment judges.

use std::time::Duration;

use super::receiver::{Receiver, SsrcChange, micros};
use super::stats::SourceStats;

/// One source's figures over the window.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SourceSummary {
    /// The SSRC.
    pub ssrc: u32,
    /// Its CNAME from SDES, if it sent one.
    pub cname: Option<String>,
    /// Whether it passed probation (RFC 3550 A.1): before that, its packets are not counted.
    pub validated: bool,
    /// RTP packets received in the window, whatever their validity.
    pub packets: u64,
    /// Packets expected from the sequence numbers.
    pub expected: u64,
    /// Packets lost: expected minus received (duplicates not counted as received; 0 if negative).
    pub lost: u64,
    /// `lost` as a percentage of `expected`.
    pub loss_percent: f64,
    /// Late packets (arrived after a higher sequence number), first copies.
    pub reordered: u64,
    /// Copies of packets already received.
    pub duplicates: u64,
    /// Packets not counted: during probation, or a sequence jump not (yet) confirmed.
    pub discarded: u64,
    /// Confirmed sequence jumps: the sender restarted its numbering.
    pub restarts: u64,
    /// Interarrival jitter now (RFC 3550 A.8), in milliseconds.
    pub jitter_ms: f64,
    /// The highest jitter estimate during the window, in milliseconds.
    pub max_jitter_ms: f64,
    /// Bits per second, RTP headers included, since the window start or the source's first packet.
    pub bitrate_bps: f64,
    /// Frames per second (a frame: in-order packets sharing a timestamp).
    pub frame_rate: f64,
    /// Average packets per frame.
    pub packets_per_frame: f64,
    /// Most packets in one frame.
    pub max_packets_per_frame: u32,
    /// Sender reports received in the window.
    pub sender_reports: u64,
    /// Whether the source sent a BYE (ever).
    pub said_bye: bool,
}

/// The stream's figures over the window.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StreamSummary {
    /// When the window started, in seconds since the caller's origin.
    pub window_start_s: f64,
    /// The window's length so far, in seconds.
    pub window_s: f64,
    /// RTP packets that parsed.
    pub rtp_packets: u64,
    /// RTP packets that did not parse.
    pub malformed_rtp: u64,
    /// RTCP compound packets received (malformed ones included).
    pub rtcp_packets: u64,
    /// RTCP compound packets that were malformed or broke RFC 3550 A.2.
    pub malformed_rtcp: u64,
    /// Sender reports received, from any source.
    pub sender_reports: u64,
    /// The longest silence between two RTP packets that ended in the window, in milliseconds.
    pub longest_gap_ms: f64,
    /// When the longest gap ended, in seconds since the caller's origin.
    pub longest_gap_end_s: f64,
    /// Time since the last RTP packet, in milliseconds (`None` before the first packet).
    pub silence_ms: Option<f64>,
    /// SSRC changes during the window (the first few).
    pub ssrc_changes: Vec<SsrcChange>,
    /// SSRC changes during the window.
    pub ssrc_change_count: u64,
    /// Sources forgotten to make room in the table.
    pub evicted_sources: u64,
    /// Sources that sent RTP or an SR in the window.
    pub sources: Vec<SourceSummary>,
}

impl Receiver {
    /// The figures of the current window, up to `now`.
    pub fn summary(&self, now: Duration) -> StreamSummary {
        let now_us = micros(now);
        let w = &self.window;
        let start = w.start_us;
        let sources = self
            .sources
            .iter()
            .filter(|s| {
                s.packets() > s.window_base.packets
                    || s.counters().sender_reports > s.window_base.sender_reports
            })
            .map(|s| source_summary(s, start, now_us))
            .collect();
        StreamSummary {
            window_start_s: seconds(start),
            window_s: seconds(now_us.saturating_sub(start)),
            rtp_packets: w.rtp_packets,
            malformed_rtp: w.malformed_rtp.count,
            rtcp_packets: w.rtcp_packets,
            malformed_rtcp: w.malformed_rtcp.count,
            sender_reports: w.sender_reports,
            longest_gap_ms: seconds(w.longest_gap_us.0) * 1000.0,
            longest_gap_end_s: seconds(w.longest_gap_us.1),
            silence_ms: self.last_rtp_arrival_us().map(|last| seconds(now_us.saturating_sub(last)) * 1000.0),
            ssrc_changes: w.ssrc_changes.clone(),
            ssrc_change_count: w.ssrc_change_count,
            evicted_sources: w.evicted,
            sources,
        }
    }
}

fn source_summary(s: &SourceStats, window_start_us: u64, now_us: u64) -> SourceSummary {
    let c = s.counters();
    let b = s.window_base;
    let expected = c.expected.saturating_sub(b.expected);
    let duplicates = c.duplicates.saturating_sub(b.duplicates);
    let received = c.received.saturating_sub(b.received).saturating_sub(duplicates);
    let lost = expected.saturating_sub(received);
    let frames = c.frames.saturating_sub(b.frames);
    // Rates over the part of the window the source was there for.
    let from = window_start_us.max(s.first_arrival_us.unwrap_or(window_start_us));
    let span = seconds(now_us.saturating_sub(from));
    let per_second = |n: u64| if span > 0.0 { n as f64 / span } else { 0.0 };
    SourceSummary {
        ssrc: s.ssrc(),
        cname: s.cname().map(str::to_owned),
        validated: s.is_validated(),
        packets: c.packets.saturating_sub(b.packets),
        expected,
        lost,
        loss_percent: if expected > 0 { lost as f64 * 100.0 / expected as f64 } else { 0.0 },
        reordered: c.reordered.saturating_sub(b.reordered),
        duplicates,
        discarded: c.discarded.saturating_sub(b.discarded),
        restarts: c.restarts.saturating_sub(b.restarts),
        jitter_ms: s.jitter_ms(),
        max_jitter_ms: s.scaled_to_ms(s.window_max_jitter),
        bitrate_bps: per_second(c.bytes.saturating_sub(b.bytes)) * 8.0,
        frame_rate: per_second(frames),
        packets_per_frame: if frames > 0 { received as f64 / frames as f64 } else { 0.0 },
        max_packets_per_frame: s.window_max_frame_packets,
        sender_reports: c.sender_reports.saturating_sub(b.sender_reports),
        said_bye: s.bye_us.is_some(),
    }
}

/// Microseconds as seconds.
fn seconds(us: u64) -> f64 {
    us as f64 / 1e6
}
