//! Reception statistics of one source (one SSRC): sequence accounting, interarrival jitter (RFC 3550 A.8),
//! frames, byte counts, and what a receiver report needs. Updated once per packet, so this is the hot path: no
//! allocation, no division, and the rarely taken branches out of line.
//!
//! Jitter departs from A.8 in three documented ways, each so that the figure means network jitter: it is
//! sampled on the first packet of each new (later) timestamp only, not on every packet; a difference of a
//! second or more (a stall, or a timestamp jump) resets the reference instead of feeding the estimate; and
//! a timestamp going back more than two seconds starts a new reference.

use super::packet::RtpPacket;
use super::sequence::{SeqOutcome, SeqState};
use crate::rtcp::{ReportBlock, dlsr_from_duration};
use std::time::Duration;

/// Jitter is kept in units of a millionth of a timestamp tick, so that the arrival time (in microseconds) times
/// the clock rate and the timestamp difference times this scale are in the same unit, without a division.
const JITTER_SCALE: i64 = 1_000_000;
/// Arrival gaps are capped (at about 3 days) and clock rates (at about 16.7 MHz) so that a gap times the clock
/// rate stays within an `i64` (2^38 x 2^24 = 2^62).
const MAX_ARRIVAL_DELTA_US: u64 = 1 << 38;
/// The highest clock rate taken as given; higher ones are clamped to it.
pub const MAX_CLOCK_RATE: u32 = 1 << 24;

/// Counters that only grow. A copy taken at the start of an observation window is subtracted from the current
/// values to get the window's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    /// RTP packets from this source, whatever their validity.
    pub(crate) packets: u64,
    /// Their bytes, RTP header included.
    pub(crate) bytes: u64,
    /// Their payload bytes (the unit of an SR's octet count).
    pub(crate) payload_bytes: u64,
    /// Frames: runs of in-order packets sharing one timestamp.
    pub(crate) frames: u64,
    /// Late packets, first copy.
    pub(crate) reordered: u64,
    /// Copies of packets already counted.
    pub(crate) duplicates: u64,
    /// Packets not counted: probation, and unconfirmed jumps.
    pub(crate) discarded: u64,
    /// Confirmed sequence jumps (the sender restarted its numbering).
    pub(crate) restarts: u64,
    /// Packets expected, from the sequence numbers (RFC 3550 A.3), across restarts.
    pub(crate) expected: u64,
    /// Packets counted by the sequence validation (duplicates included, as the RFC does), across restarts.
    pub(crate) received: u64,
    /// Sender reports received.
    pub(crate) sender_reports: u64,
}

/// Reception statistics of one synchronization source.
#[derive(Debug, Clone)]
pub struct SourceStats {
    ssrc: u32,
    seq: Option<SeqState>,
    counters: Counters,
    clock_rate: i64,
    /// Timestamp of the current frame and its packet count.
    frame_ts: u32,
    frame_packets: u32,
    in_frame: bool,
    /// Timestamp and arrival (microseconds) of the packet the last jitter difference was taken at.
    jitter_ts: u32,
    jitter_arrival_us: u64,
    jitter_based: bool,
    /// RFC 3550 A.8 jitter, scaled by `JITTER_SCALE`.
    jitter: i64,
    pub(crate) first_arrival_us: Option<u64>,
    pub(crate) last_arrival_us: u64,
    /// Last SR: LSR (middle 32 bits of its NTP timestamp), its sender info and when it arrived.
    last_sr: Option<(u32, crate::rtcp::SenderInfo, u64)>,
    pub(crate) bye_us: Option<u64>,
    pub(crate) cname: Option<String>,
    /// Window state: counters at the window's start and the window's maxima.
    pub(crate) window_base: Counters,
    pub(crate) window_max_jitter: i64,
    pub(crate) window_max_frame_packets: u32,
}

impl SourceStats {
    /// Statistics of a new source with this clock rate (ticks per second, clamped to 1..=[`MAX_CLOCK_RATE`]).
    pub(crate) fn new(ssrc: u32, clock_rate: u32) -> Self {
        SourceStats {
            ssrc,
            seq: None,
            counters: Counters::default(),
            clock_rate: i64::from(clock_rate.clamp(1, MAX_CLOCK_RATE)),
            frame_ts: 0,
            frame_packets: 0,
            in_frame: false,
            jitter_ts: 0,
            jitter_arrival_us: 0,
            jitter_based: false,
            jitter: 0,
            first_arrival_us: None,
            last_arrival_us: 0,
            last_sr: None,
            bye_us: None,
            cname: None,
            window_base: Counters::default(),
            window_max_jitter: 0,
            window_max_frame_packets: 0,
        }
    }

    /// The source's SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Updates the statistics with one packet that arrived at `arrival_us` (microseconds since the caller's
    /// origin).
    #[inline]
    pub(crate) fn record(&mut self, packet: &RtpPacket<'_>, arrival_us: u64) {
        let c = &mut self.counters;
        c.packets += 1;
        c.bytes += packet.as_bytes().len() as u64;
        c.payload_bytes += packet.payload().len() as u64;
        if self.first_arrival_us.is_none() {
            self.first_arrival_us = Some(arrival_us);
        }
        self.last_arrival_us = self.last_arrival_us.max(arrival_us);
        let seq = match &mut self.seq {
            Some(seq) => seq,
            None => self.seq.insert(SeqState::new(packet.sequence())),
        };
        match seq.update(packet.sequence()) {
            SeqOutcome::InOrder => self.in_order(packet.timestamp(), arrival_us),
            SeqOutcome::Reordered => self.counters.reordered += 1,
            SeqOutcome::Duplicate => self.counters.duplicates += 1,
            SeqOutcome::Probation | SeqOutcome::Jump => self.counters.discarded += 1,
            SeqOutcome::Restarted => self.restarted(packet.timestamp(), arrival_us),
        }
    }

    /// A packet that advanced the sequence: frame accounting and jitter.
    #[inline]
    fn in_order(&mut self, ts: u32, arrival_us: u64) {
        if self.in_frame && ts == self.frame_ts {
            self.frame_packets += 1;
            self.window_max_frame_packets = self.window_max_frame_packets.max(self.frame_packets);
            return;
        }
        self.in_frame = true;
        self.frame_ts = ts;
        self.frame_packets = 1;
        self.window_max_frame_packets = self.window_max_frame_packets.max(1);
        self.counters.frames += 1;
        // Jitter is computed on the first packet of each timestamp only: the packets of a video frame leave
        // together with one timestamp but are spread over the link, and counting their spacing as jitter would
        // report every large frame as network trouble. Only a timestamp newer than the last one used counts, so
        // that B-frames (sent before the frames they precede in time) do not count their reordering either.
        let dt = ts.wrapping_sub(self.jitter_ts) as i32;
        if dt > 0 && self.jitter_based {
            let arrival_delta = arrival_us.saturating_sub(self.jitter_arrival_us).min(MAX_ARRIVAL_DELTA_US);
            // D(i, j) = (Rj - Ri) - (Sj - Si), both in scaled ticks.
            let d = arrival_delta as i64 * self.clock_rate - i64::from(dt) * JITTER_SCALE;
            if d.abs() >= self.clock_rate * JITTER_SCALE {
                // A difference of a second or more is a stall (reported as rtp.gap) or a timestamp jump, not
                // jitter: one such sample would dominate the estimate for the next hundred frames.
                self.rebase_jitter(ts, arrival_us);
                return;
            }
            self.jitter += (d.abs() - self.jitter) / 16;
            self.window_max_jitter = self.window_max_jitter.max(self.jitter);
            self.jitter_ts = ts;
            self.jitter_arrival_us = arrival_us;
        } else if !self.jitter_based || i64::from(dt) < -2 * self.clock_rate {
            // No reference yet, or the timestamp went back more than 2 s (not a B-frame: a new timeline).
            self.rebase_jitter(ts, arrival_us);
        }
    }

    #[cold]
    fn rebase_jitter(&mut self, ts: u32, arrival_us: u64) {
        self.jitter_based = true;
        self.jitter_ts = ts;
        self.jitter_arrival_us = arrival_us;
    }

    #[cold]
    fn restarted(&mut self, ts: u32, arrival_us: u64) {
        self.counters.restarts += 1;
        self.in_frame = false;
        self.jitter_based = false;
        self.in_order(ts, arrival_us);
    }

    /// Records a sender report from this source (its NTP timestamp gives the LSR of our report blocks).
    pub(crate) fn record_sender_report(&mut self, info: crate::rtcp::SenderInfo, arrival_us: u64) {
        self.counters.sender_reports += 1;
        self.last_sr = Some((crate::rtcp::lsr_from_ntp(info.ntp_timestamp), info, arrival_us));
        self.last_arrival_us = self.last_arrival_us.max(arrival_us);
    }

    /// The counters now, sequence accounting included.
    pub(crate) fn counters(&self) -> Counters {
        let mut c = self.counters;
        if let Some(seq) = &self.seq {
            c.expected = seq.total_expected();
            c.received = seq.total_received();
        }
        c
    }

    /// Starts a new observation window: the window's figures count from here.
    pub(crate) fn start_window(&mut self) {
        self.window_base = self.counters();
        self.window_max_jitter = self.jitter;
        self.window_max_frame_packets = 0;
    }

    /// Interarrival jitter (RFC 3550 A.8), in timestamp ticks.
    pub fn jitter_ticks(&self) -> f64 {
        self.jitter as f64 / JITTER_SCALE as f64
    }

    /// Interarrival jitter, in milliseconds.
    pub fn jitter_ms(&self) -> f64 {
        self.scaled_to_ms(self.jitter)
    }

    pub(crate) fn scaled_to_ms(&self, scaled: i64) -> f64 {
        scaled as f64 * 1000.0 / (JITTER_SCALE * self.clock_rate) as f64
    }

    /// Whether the source passed probation (RFC 3550 A.1) and its packets are counted.
    pub fn is_validated(&self) -> bool {
        self.seq.as_ref().is_some_and(SeqState::is_valid)
    }

    /// RTP packets received from this source, whatever their validity.
    pub fn packets(&self) -> u64 {
        self.counters.packets
    }

    /// Packets expected from the sequence numbers since the source was validated (RFC 3550 A.3), across
    /// sequence restarts.
    pub fn expected(&self) -> u64 {
        self.counters().expected
    }

    /// Packets lost: expected minus received, duplicates not counted as received (0 if negative).
    pub fn lost(&self) -> u64 {
        let c = self.counters();
        c.expected.saturating_sub(c.received - c.duplicates.min(c.received))
    }

    /// Late packets (first copies).
    pub fn reordered(&self) -> u64 {
        self.counters.reordered
    }

    /// Duplicate packets.
    pub fn duplicates(&self) -> u64 {
        self.counters.duplicates
    }

    /// Frames: runs of in-order packets that share one timestamp.
    pub fn frames(&self) -> u64 {
        self.counters.frames
    }

    /// Confirmed sequence jumps (the sender restarted its sequence numbers).
    pub fn restarts(&self) -> u64 {
        self.counters.restarts
    }

    /// The CNAME the source announced in SDES, if any.
    pub fn cname(&self) -> Option<&str> {
        self.cname.as_deref()
    }

    /// The sender info of the last SR from this source.
    pub fn last_sender_info(&self) -> Option<crate::rtcp::SenderInfo> {
        self.last_sr.map(|(_, info, _)| info)
    }

    /// Whether a report block is due: the source is validated and sent packets since the last report.
    pub(crate) fn has_news(&self) -> bool {
        self.seq.as_ref().is_some_and(|s| s.is_valid() && s.received_since_report())
    }

    /// The report block about this source, closing the report interval (RFC 3550 A.3). `now_us` is when the
    /// report is sent, for the DLSR.
    pub(crate) fn report_block(&mut self, now_us: u64) -> ReportBlock {
        let (fraction_lost, cumulative_lost, highest) = match &mut self.seq {
            Some(seq) if seq.is_valid() => {
                let (fraction, cumulative) = seq.close_interval();
                (fraction, cumulative, seq.extended_max() as u32)
            }
            _ => (0, 0, 0),
        };
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, _, at)) => (lsr, dlsr_from_duration(Duration::from_micros(now_us.saturating_sub(at)))),
            None => (0, 0),
        };
        ReportBlock {
            ssrc: self.ssrc,
            fraction_lost,
            cumulative_lost,
            highest_sequence: highest,
            jitter: u32::try_from(self.jitter / JITTER_SCALE).unwrap_or(u32::MAX),
            last_sr,
            delay_since_last_sr,
        }
    }

    /// When the last SR from this source arrived.
    pub fn last_sender_report_at(&self) -> Option<Duration> {
        self.last_sr.map(|(_, _, at)| Duration::from_micros(at))
    }
}
