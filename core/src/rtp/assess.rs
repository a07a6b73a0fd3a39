//! Turning a window's figures into findings, with documented thresholds.

use std::time::Duration;

use super::receiver::{Receiver, micros};
use super::summary::{SourceSummary, StreamSummary};
use crate::decimal::fixed;
use crate::diagnose::codes;
use crate::{Finding, Severity};

/// When figures become findings. Percentages are of the packets expected in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Loss from which `rtp.loss` is a warning (below it, any loss is reported as info). Default 0.5 %: about
    /// one damaged frame every few seconds of HD video.
    pub loss_warning_percent: f64,
    /// Loss from which `rtp.loss` is an error. Default 5 %: video is unwatchable.
    pub loss_error_percent: f64,
    /// Reordered packets from which `rtp.reorder` is a warning (below it, info). Default 1 %.
    pub reorder_warning_percent: f64,
    /// Duplicate packets from which `rtp.duplicate` is a warning (below it, info). Default 1 %.
    pub duplicate_warning_percent: f64,
    /// Highest jitter in the window from which `rtp.jitter` is reported, as a warning. Default 30 ms, about a
    /// frame at 30 fps.
    pub jitter_warning_ms: f64,
    /// Jitter from which `rtp.jitter` is an error. Default 100 ms.
    pub jitter_error_ms: f64,
    /// Silence between two RTP packets (or since the last one) reported as `rtp.gap`. Default 1 s.
    pub gap: Duration,
    /// Shortest window in which no RTP at all is `rtp.no_packets`, so that an assessment right after PLAY does
    /// not cry wolf. Default 2 s.
    pub no_packets_after: Duration,
    /// Shortest window in which no sender report is `rtcp.absent`. Default 10 s: RFC 3550 6.2 senders report
    /// every 5 s on average, randomised between 2.5 and 7.5 s.
    pub rtcp_absent_after: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            loss_warning_percent: 0.5,
            loss_error_percent: 5.0,
            reorder_warning_percent: 1.0,
            duplicate_warning_percent: 1.0,
            jitter_warning_ms: 30.0,
            jitter_error_ms: 100.0,
            gap: Duration::from_secs(1),
            no_packets_after: Duration::from_secs(2),
            rtcp_absent_after: Duration::from_secs(10),
        }
    }
}

impl Receiver {
    /// Findings about the current window, up to `now`, judged with the configured [`Thresholds`]: `rtp.*` for
    /// the media and `rtcp.*` for the reports. Empty for a healthy stream.
    pub fn assess(&self, now: Duration) -> Vec<Finding> {
        let summary = self.summary(now);
        let t = &self.config.thresholds;
        let mut findings = Vec::new();
        let window = Duration::from_micros(micros(now).saturating_sub(self.window.start_us));
        self.stream_findings(&summary, micros(now), window, t, &mut findings);
        for source in &summary.sources {
            source_findings(source, t, &mut findings);
        }
        findings
    }

    fn stream_findings(
        &self,
        s: &StreamSummary,
        now_us: u64,
        window: Duration,
        t: &Thresholds,
        out: &mut Vec<Finding>,
    ) {
        let w = &self.window;
        if s.rtp_packets == 0 && s.malformed_rtp == 0 && window >= t.no_packets_after {
            let rtcp = if s.rtcp_packets > 0 {
                format!(
                    "; {} RTCP packets did arrive, so the sender is alive but sends no media",
                    s.rtcp_packets
                )
            } else {
                String::new()
            };
            out.push(
                Finding::new(codes::RTP_NO_PACKETS, format!("No RTP packet in {}{rtcp}", secs(window)))
                    .with_evidence("window", secs(window))
                    .with_evidence("rtcp_packets", s.rtcp_packets.to_string()),
            );
        }
        if let Some((error, at)) = w.malformed_rtp.first {
            let mut f = Finding::new(
                codes::RTP_MALFORMED,
                format!("{} malformed RTP packets; first: {error}", s.malformed_rtp),
            )
            .with_evidence("malformed_packets", s.malformed_rtp.to_string())
            .with_evidence("valid_packets", s.rtp_packets.to_string())
            .with_evidence("first_error", error.to_string())
            .with_evidence("byte_offset", error.offset.to_string())
            .with_evidence("first_error_at", secs(Duration::from_micros(at)));
            if s.rtp_packets == 0 {
                f = f
                    .with_severity(Severity::Error)
                    .with_detail("No RTP packet of the window could be parsed.");
            }
            out.push(f);
        }
        let (gap_us, gap_end_us) = w.longest_gap_us;
        let silence_us = self.last_rtp_arrival_us().map_or(0, |last| now_us.saturating_sub(last));
        // A silence still going on at `now`, in a window that had packets (else it is rtp.no_packets).
        let ongoing = s.rtp_packets > 0 && silence_us > gap_us;
        let longest = Duration::from_micros(if ongoing { silence_us } else { gap_us });
        if longest >= t.gap && (ongoing || gap_us > 0) {
            let summary = if ongoing {
                format!("No RTP packet for the last {} (the stream went silent)", secs(longest))
            } else {
                format!(
                    "No RTP packet for {}, until {}",
                    secs(longest),
                    secs(Duration::from_micros(gap_end_us))
                )
            };
            let mut f = Finding::new(codes::RTP_GAP, summary)
                .with_evidence("longest_gap", secs(longest))
                .with_evidence("threshold", secs(t.gap));
            if !ongoing {
                f = f.with_evidence("gap_ended_at", secs(Duration::from_micros(gap_end_us)));
            }
            out.push(f);
        }
        for change in &s.ssrc_changes {
            let (from, to) = (self.source(change.from), self.source(change.to));
            let same_cname = match (from.and_then(|f| f.cname()), to.and_then(|t| t.cname())) {
                (Some(a), Some(b)) => Some(a == b),
                _ => None,
            };
            let mut f = Finding::new(
                codes::RTP_SSRC_CHANGE,
                format!(
                    "SSRC changed from {:#010x} to {:#010x} at {} s",
                    change.from,
                    change.to,
                    fixed(change.at_s, 3)
                ),
            )
            .with_evidence("previous_ssrc", format!("{:#010x}", change.from))
            .with_evidence("new_ssrc", format!("{:#010x}", change.to))
            .with_evidence("at", format!("{} s", fixed(change.at_s, 3)))
            .with_evidence("changes_in_window", s.ssrc_change_count.to_string());
            if let Some(same) = same_cname {
                f = f.with_evidence("same_cname", same.to_string());
            }
            out.push(f);
        }
        if s.rtp_packets > 0 && s.sender_reports == 0 && window >= t.rtcp_absent_after {
            out.push(
                Finding::new(
                    codes::RTCP_ABSENT,
                    format!(
                        "No RTCP sender report in {} of media ({} RTCP packets)",
                        secs(window),
                        s.rtcp_packets
                    ),
                )
                .with_evidence("window", secs(window))
                .with_evidence("rtcp_packets", s.rtcp_packets.to_string())
                .with_evidence("rtp_packets", s.rtp_packets.to_string()),
            );
        }
        if let Some((error, at)) = w.malformed_rtcp.first {
            out.push(
                Finding::new(
                    codes::RTCP_MALFORMED,
                    format!(
                        "{} of {} RTCP packets malformed; first: {error}",
                        s.malformed_rtcp, s.rtcp_packets
                    ),
                )
                .with_evidence("malformed_packets", s.malformed_rtcp.to_string())
                .with_evidence("first_error", error.to_string())
                .with_evidence("byte_offset", error.offset.to_string())
                .with_evidence("first_error_at", secs(Duration::from_micros(at))),
            );
        }
    }
}

fn source_findings(s: &SourceSummary, t: &Thresholds, out: &mut Vec<Finding>) {
    let ssrc = format!("{:#010x}", s.ssrc);
    let percent = |n: u64| if s.expected > 0 { n as f64 * 100.0 / s.expected as f64 } else { 0.0 };
    if s.lost > 0 {
        let severity = if s.loss_percent >= t.loss_error_percent {
            Severity::Error
        } else if s.loss_percent >= t.loss_warning_percent {
            Severity::Warning
        } else {
            Severity::Info
        };
        out.push(
            Finding::new(
                codes::RTP_LOSS,
                format!(
                    "{} of {} packets lost ({}%) from SSRC {ssrc}",
                    s.lost,
                    s.expected,
                    fixed(s.loss_percent, 2)
                ),
            )
            .with_severity(severity)
            .with_evidence("ssrc", ssrc.clone())
            .with_evidence("lost", s.lost.to_string())
            .with_evidence("expected", s.expected.to_string())
            .with_evidence("loss_percent", fixed(s.loss_percent, 2)),
        );
    }
    for (count, code, what, warn_at) in [
        (s.reordered, codes::RTP_REORDER, "arrived out of order", t.reorder_warning_percent),
        (s.duplicates, codes::RTP_DUPLICATE, "arrived twice", t.duplicate_warning_percent),
    ] {
        if count == 0 {
            continue;
        }
        let pct = percent(count);
        let severity = if pct >= warn_at { Severity::Warning } else { Severity::Info };
        out.push(
            Finding::new(code, format!("{count} packets {what} ({}%) from SSRC {ssrc}", fixed(pct, 2)))
                .with_severity(severity)
                .with_evidence("ssrc", ssrc.clone())
                .with_evidence("packets", count.to_string())
                .with_evidence("expected", s.expected.to_string())
                .with_evidence("percent", fixed(pct, 2)),
        );
    }
    if s.max_jitter_ms >= t.jitter_warning_ms {
        let severity = if s.max_jitter_ms >= t.jitter_error_ms { Severity::Error } else { Severity::Warning };
        out.push(
            Finding::new(
                codes::RTP_JITTER,
                format!(
                    "Jitter up to {} ms (now {} ms) from SSRC {ssrc}",
                    fixed(s.max_jitter_ms, 1),
                    fixed(s.jitter_ms, 1)
                ),
            )
            .with_severity(severity)
            .with_evidence("ssrc", ssrc)
            .with_evidence("max_jitter_ms", fixed(s.max_jitter_ms, 1))
            .with_evidence("jitter_ms", fixed(s.jitter_ms, 1))
            .with_evidence("threshold_ms", fixed(t.jitter_warning_ms, 1)),
        );
    }
}

/// A duration as seconds with millisecond precision (`1.250 s`).
fn secs(d: Duration) -> String {
    format!("{} s", fixed(d.as_secs_f64(), 3))
}
