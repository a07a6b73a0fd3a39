//! Helpers shared by the RTP/RTCP integration tests: packets and synthetic streams with chosen arrival times.

use std::time::Duration;

use rtspeek_core::rtcp::{self, SenderInfo};
use rtspeek_core::rtp::{Receiver, ReceiverConfig, RtpHeader};

/// `v` milliseconds.
pub(crate) fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

/// `v` microseconds.
pub(crate) fn us(v: u64) -> Duration {
    Duration::from_micros(v)
}

/// An RTP packet: payload type 96, `payload` bytes of 0xab.
pub(crate) fn rtp(ssrc: u32, seq: u16, ts: u32, marker: bool, payload: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let header =
        RtpHeader { marker, payload_type: 96, sequence: seq, timestamp: ts, ssrc, ..RtpHeader::default() };
    header.write(&vec![0xab; payload], &mut out).expect("valid header");
    out
}

/// A receiver for `clock_rate` whose window starts at 0.
pub(crate) fn receiver(clock_rate: u32) -> Receiver {
    Receiver::new(ReceiverConfig::new(clock_rate), Duration::ZERO)
}

/// One packet of a synthetic stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sent {
    pub(crate) seq: u16,
    pub(crate) ts: u32,
    pub(crate) marker: bool,
    /// When it leaves the sender, microseconds.
    pub(crate) sent_us: u64,
}

/// A constant-rate stream: `frames` frames at `fps`, each of `per_frame` packets sent `spacing_us` apart,
/// starting at sequence `seq0` and timestamp `ts0` (clock `clock_rate`). The frame interval is
/// 1 000 000 / `fps` µs; `clock_rate / fps` ticks.
pub(crate) fn stream(
    seq0: u16,
    ts0: u32,
    clock_rate: u32,
    fps: u32,
    frames: u32,
    per_frame: u32,
    spacing_us: u64,
) -> Vec<Sent> {
    let mut out = Vec::new();
    let mut seq = seq0;
    for f in 0..frames {
        let ts = ts0.wrapping_add(f * (clock_rate / fps));
        let frame_us = u64::from(f) * 1_000_000 / u64::from(fps);
        for p in 0..per_frame {
            out.push(Sent {
                seq,
                ts,
                marker: p + 1 == per_frame,
                sent_us: frame_us + u64::from(p) * spacing_us,
            });
            seq = seq.wrapping_add(1);
        }
    }
    out
}

/// Feeds `sent` from `ssrc` to `rx`, each arriving `delay_us(index)` after it was sent, `payload` bytes each.
pub(crate) fn feed(
    rx: &mut Receiver,
    ssrc: u32,
    sent: &[Sent],
    payload: usize,
    delay_us: impl Fn(usize) -> u64,
) {
    for (i, s) in sent.iter().enumerate() {
        let bytes = rtp(ssrc, s.seq, s.ts, s.marker, payload);
        rx.receive_rtp(&bytes, us(s.sent_us + delay_us(i))).expect("valid packet");
    }
}

/// A compound RTCP packet: SR from `ssrc` with `ntp` and an SDES CNAME.
pub(crate) fn sender_report(ssrc: u32, ntp: u64, cname: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let info = SenderInfo { ntp_timestamp: ntp, rtp_timestamp: 0, packet_count: 0, octet_count: 0 };
    rtcp::write_sender_report(ssrc, &info, &[], &mut out);
    rtcp::write_sdes_cname(ssrc, cname, &mut out).expect("short cname");
    out
}
