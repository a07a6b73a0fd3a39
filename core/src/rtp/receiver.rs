//! The receiving end of one RTP session (one media stream): packets demultiplexed by SSRC into bounded
//! per-source statistics, RTCP from the sender, observation windows, and receiver reports.

use std::time::Duration;

use super::assess::Thresholds;
use super::packet::{RtpError, RtpPacket};
use super::stats::SourceStats;
use crate::rtcp::{self, RtcpError, RtcpPacket, SenderInfo};

/// The most sources a receiver can be configured to track.
pub const MAX_SOURCES: usize = 256;
/// SSRC changes remembered per window (the count goes on).
const MAX_CHANGES_KEPT: usize = 8;

/// Configuration of a [`Receiver`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiverConfig {
    /// The media clock rate in Hz, from the SDP `a=rtpmap` (90000 for video). Jitter is measured in it; it is
    /// clamped to 1..=[`MAX_CLOCK_RATE`](super::MAX_CLOCK_RATE).
    pub clock_rate: u32,
    /// Sources tracked at once (clamped to 1..=[`MAX_SOURCES`]); to make room, the source heard from least
    /// recently is forgotten. A camera stream has one source, two or three around an SSRC change.
    pub max_sources: usize,
    /// When the assessment turns figures into findings.
    pub thresholds: Thresholds,
}

impl ReceiverConfig {
    /// The defaults for a stream with this clock rate: 8 sources, [`Thresholds::default`].
    pub fn new(clock_rate: u32) -> Self {
        ReceiverConfig { clock_rate, max_sources: 8, thresholds: Thresholds::default() }
    }
}

/// A new SSRC that took over the stream from another one.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SsrcChange {
    /// The SSRC of the packets before.
    pub from: u32,
    /// The new SSRC.
    pub to: u32,
    /// Arrival of the new SSRC's first packet, in seconds since the caller's origin.
    pub at_s: f64,
}

/// The first problem of a kind in a window, and how many there were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ErrorLog<E> {
    pub(super) count: u64,
    pub(super) first: Option<(E, u64)>,
}

impl<E> ErrorLog<E> {
    fn note(&mut self, error: E, at_us: u64) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some((error, at_us));
        }
    }
}

impl<E> Default for ErrorLog<E> {
    fn default() -> Self {
        ErrorLog { count: 0, first: None }
    }
}

/// What happened in the current observation window, besides the per-source counters.
#[derive(Debug, Clone, Default)]
pub(super) struct WindowState {
    pub(super) start_us: u64,
    pub(super) rtp_packets: u64,
    pub(super) rtcp_packets: u64,
    pub(super) sender_reports: u64,
    pub(super) malformed_rtp: ErrorLog<RtpError>,
    pub(super) malformed_rtcp: ErrorLog<RtcpError>,
    pub(super) ssrc_changes: Vec<SsrcChange>,
    pub(super) ssrc_change_count: u64,
    /// Longest silence between two RTP packets that ended in the window: (length, end), microseconds.
    pub(super) longest_gap_us: (u64, u64),
    pub(super) evicted: u64,
}

/// Reception of one RTP session: feed it every RTP and RTCP packet with its arrival time, read the statistics,
/// assess a window, write receiver reports.
///
/// Time is an input: `arrival` and `now` are durations since any origin the caller chooses (the probe's start,
/// say), the same for every call.
///
/// ```
/// use std::time::Duration;
/// use rtspeek_core::rtp::{Receiver, ReceiverConfig, RtpHeader};
///
/// let mut rx = Receiver::new(ReceiverConfig::new(90_000), Duration::ZERO);
/// let mut buf = Vec::new();
/// for i in 0..50u16 {
///     buf.clear();
///     let header = RtpHeader { payload_type: 96, sequence: i, timestamp: u32::from(i) * 3000, ssrc: 7, ..Default::default() };
///     header.write(b"frame", &mut buf).unwrap();
///     rx.receive_rtp(&buf, Duration::from_millis(u64::from(i) * 33)).unwrap();
/// }
/// let findings = rx.assess(Duration::from_secs(2));
/// // No loss, no jitter to speak of; but no RTCP sender report in two seconds is not yet a finding.
/// assert!(findings.is_empty(), "{findings:?}");
/// ```
#[derive(Debug, Clone)]
pub struct Receiver {
    pub(super) config: ReceiverConfig,
    pub(super) sources: Vec<SourceStats>,
    /// Index of the source of the last RTP packet: most packets come from it, so the table is searched only
    /// when the SSRC changes.
    last: usize,
    last_rtp_ssrc: Option<u32>,
    last_rtp_arrival_us: Option<u64>,
    pub(super) window: WindowState,
}

impl Receiver {
    /// A receiver whose first observation window starts at `start`.
    pub fn new(config: ReceiverConfig, start: Duration) -> Self {
        let config = ReceiverConfig { max_sources: config.max_sources.clamp(1, MAX_SOURCES), ..config };
        let window = WindowState { start_us: micros(start), ..WindowState::default() };
        Receiver {
            sources: Vec::with_capacity(config.max_sources),
            config,
            last: usize::MAX,
            last_rtp_ssrc: None,
            last_rtp_arrival_us: None,
            window,
        }
    }

    /// The configuration in use (`max_sources` clamped).
    pub fn config(&self) -> &ReceiverConfig {
        &self.config
    }

    /// Parses `bytes` as an RTP packet that arrived at `arrival` and records it. A malformed packet is counted
    /// (it becomes an `rtp.malformed` finding) and its error returned.
    #[inline]
    pub fn receive_rtp<'a>(&mut self, bytes: &'a [u8], arrival: Duration) -> Result<RtpPacket<'a>, RtpError> {
        let at = micros(arrival);
        match RtpPacket::parse(bytes) {
            Ok(packet) => {
                self.record_at(&packet, at);
                Ok(packet)
            }
            Err(e) => {
                self.malformed_rtp(e, at);
                Err(e)
            }
        }
    }

    /// Records an RTP packet already parsed, that arrived at `arrival`.
    #[inline]
    pub fn record(&mut self, packet: &RtpPacket<'_>, arrival: Duration) {
        self.record_at(packet, micros(arrival));
    }

    #[inline]
    fn record_at(&mut self, packet: &RtpPacket<'_>, at: u64) {
        self.window.rtp_packets += 1;
        match self.last_rtp_arrival_us {
            Some(prev) if at > prev => {
                if at - prev > self.window.longest_gap_us.0 {
                    self.window.longest_gap_us = (at - prev, at);
                }
                self.last_rtp_arrival_us = Some(at);
            }
            Some(_) => {}
            None => self.last_rtp_arrival_us = Some(at),
        }
        let index = match self.sources.get(self.last) {
            Some(s) if s.ssrc() == packet.ssrc() => self.last,
            _ => self.switch_source(packet.ssrc(), at),
        };
        if let Some(source) = self.sources.get_mut(index) {
            source.record(packet, at);
        }
    }

    /// The RTP packet's SSRC is not the last one: find or create its source, and notice an SSRC change.
    #[cold]
    fn switch_source(&mut self, ssrc: u32, at: u64) -> usize {
        let index = self.find_or_insert(ssrc, at);
        let fresh = self.sources.get(index).is_some_and(|s| s.packets() == 0);
        if let Some(from) = self.last_rtp_ssrc.filter(|&from| from != ssrc && fresh) {
            self.window.ssrc_change_count += 1;
            if self.window.ssrc_changes.len() < MAX_CHANGES_KEPT {
                let change = SsrcChange { from, to: ssrc, at_s: at as f64 / 1e6 };
                self.window.ssrc_changes.push(change);
            }
        }
        self.last_rtp_ssrc = Some(ssrc);
        self.last = index;
        index
    }

    /// The index of `ssrc`'s source, creating it (and forgetting the least recently heard one if the table
    /// is full).
    fn find_or_insert(&mut self, ssrc: u32, at: u64) -> usize {
        if let Some(i) = self.sources.iter().position(|s| s.ssrc() == ssrc) {
            return i;
        }
        let mut source = SourceStats::new(ssrc, self.config.clock_rate);
        source.last_arrival_us = at;
        if self.sources.len() < self.config.max_sources {
            self.sources.push(source);
            return self.sources.len() - 1;
        }
        // The table is full, and `new` clamps `max_sources` to at least 1, so there is a source to forget.
        let Some((oldest, slot)) = self.sources.iter_mut().enumerate().min_by_key(|(_, s)| s.last_arrival_us)
        else {
            self.sources.push(source);
            return self.sources.len() - 1;
        };
        self.window.evicted += 1;
        *slot = source;
        oldest
    }

    #[cold]
    fn malformed_rtp(&mut self, error: RtpError, at: u64) {
        self.window.malformed_rtp.note(error, at);
    }

    /// Reads an RTCP compound packet that arrived at `arrival`: sender reports (for LSR/DLSR and the
    /// `rtcp.absent` check), CNAMEs and goodbyes. The packets before a malformed one are still used; the error,
    /// or the first RFC 3550 A.2 rule broken, is counted (an `rtcp.malformed` finding) and returned.
    pub fn receive_rtcp(&mut self, bytes: &[u8], arrival: Duration) -> Result<(), RtcpError> {
        let at = micros(arrival);
        self.window.rtcp_packets += 1;
        let mut error = None;
        for packet in rtcp::packets(bytes) {
            match packet {
                Ok(RtcpPacket::SenderReport(sr)) => {
                    self.window.sender_reports += 1;
                    let i = self.find_or_insert(sr.ssrc, at);
                    if let Some(source) = self.sources.get_mut(i) {
                        source.record_sender_report(sr.info, at);
                    }
                }
                Ok(RtcpPacket::SourceDescription(sdes)) => {
                    for chunk in sdes.chunks() {
                        let (Some(cname), Some(source)) = (chunk.cname(), self.source_mut(chunk.ssrc)) else {
                            continue;
                        };
                        if source.cname.as_deref().map(str::as_bytes) != Some(cname) {
                            source.cname = Some(String::from_utf8_lossy(cname).into_owned());
                        }
                    }
                }
                Ok(RtcpPacket::Bye(bye)) => {
                    for ssrc in bye.sources() {
                        if let Some(source) = self.source_mut(ssrc) {
                            source.bye_us = Some(at);
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => error = Some(e),
            }
        }
        let result = match error {
            Some(e) => Err(e),
            None => rtcp::Compound::parse(bytes).map(|_| ()),
        };
        if let Err(e) = result {
            self.window.malformed_rtcp.note(e, at);
        }
        result
    }

    /// The statistics of `ssrc`, if it is tracked.
    pub fn source(&self, ssrc: u32) -> Option<&SourceStats> {
        self.sources.iter().find(|s| s.ssrc() == ssrc)
    }

    fn source_mut(&mut self, ssrc: u32) -> Option<&mut SourceStats> {
        self.sources.iter_mut().find(|s| s.ssrc() == ssrc)
    }

    /// Every tracked source, in the order they were first heard (a forgotten source's slot is reused).
    pub fn sources(&self) -> impl Iterator<Item = &SourceStats> {
        self.sources.iter()
    }

    /// Ends the current observation window and starts the next at `now`: window figures (loss, bitrate, gaps,
    /// changes, errors) count from here; lifetime figures and the report intervals are not affected.
    pub fn start_window(&mut self, now: Duration) {
        for source in &mut self.sources {
            source.start_window();
        }
        self.window = WindowState { start_us: micros(now), ..WindowState::default() };
    }

    /// Report blocks for the sources heard from since the last report, closing their report intervals (RFC
    /// 3550 A.3); `now` is when the report will be sent (for the DLSR). Appended to `out`.
    pub fn report_blocks(&mut self, now: Duration, out: &mut Vec<rtcp::ReportBlock>) {
        let now = micros(now);
        out.extend(self.sources.iter_mut().filter(|s| s.has_news()).map(|s| s.report_block(now)));
    }

    /// Appends a compound RTCP packet for a receiver with SSRC `own_ssrc`: RR(s) with the due report blocks,
    /// then an SDES with `cname`. Returns the bytes written.
    pub fn write_receiver_report(
        &mut self,
        own_ssrc: u32,
        cname: &str,
        now: Duration,
        out: &mut Vec<u8>,
    ) -> Result<usize, rtcp::RtcpBuildError> {
        let mut blocks = Vec::new();
        self.report_blocks(now, &mut blocks);
        let start = out.len();
        rtcp::write_receiver_report(own_ssrc, &blocks, out);
        Self::finish_compound(own_ssrc, cname, start, out)
    }

    /// Appends a compound RTCP packet for a sender that also receives (the server): SR with `info` and the due
    /// report blocks, then an SDES with `cname`. Returns the bytes written.
    pub fn write_sender_report(
        &mut self,
        own_ssrc: u32,
        info: &SenderInfo,
        cname: &str,
        now: Duration,
        out: &mut Vec<u8>,
    ) -> Result<usize, rtcp::RtcpBuildError> {
        let mut blocks = Vec::new();
        self.report_blocks(now, &mut blocks);
        let start = out.len();
        rtcp::write_sender_report(own_ssrc, info, &blocks, out);
        Self::finish_compound(own_ssrc, cname, start, out)
    }

    fn finish_compound(
        own_ssrc: u32,
        cname: &str,
        start: usize,
        out: &mut Vec<u8>,
    ) -> Result<usize, rtcp::RtcpBuildError> {
        if let Err(e) = rtcp::write_sdes_cname(own_ssrc, cname, out) {
            out.truncate(start);
            return Err(e);
        }
        Ok(out.len() - start)
    }

    /// Arrival of the last RTP packet, from any source.
    pub fn last_rtp_arrival(&self) -> Option<Duration> {
        self.last_rtp_arrival_us.map(Duration::from_micros)
    }

    pub(super) fn last_rtp_arrival_us(&self) -> Option<u64> {
        self.last_rtp_arrival_us
    }
}

/// Microseconds in `d`, saturating (after half a million years).
#[inline]
pub(super) fn micros(d: Duration) -> u64 {
    d.as_secs().saturating_mul(1_000_000).saturating_add(u64::from(d.subsec_micros()))
}
