//! Sender and receiver reports (RFC 3550 6.4) and their report blocks.

use std::time::Duration;

use super::error::{RtcpError, truncated};

/// Length of one report block.
pub(super) const BLOCK_LEN: usize = 24;
/// Length of the sender info of an SR.
pub(super) const SENDER_INFO_LEN: usize = 20;
/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// One reception report block: what a receiver says about one source (RFC 3550 6.4.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReportBlock {
    /// The source this block is about.
    pub ssrc: u32,
    /// Fraction of packets lost since the previous report, in 1/256 (fixed point).
    pub fraction_lost: u8,
    /// Cumulative packets lost (a 24-bit signed field: duplicates can make it negative).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received: cycles in the top 16 bits.
    pub highest_sequence: u32,
    /// Interarrival jitter, in timestamp units.
    pub jitter: u32,
    /// LSR: middle 32 bits of the NTP timestamp of the last SR from the source (0: no SR yet).
    pub last_sr: u32,
    /// DLSR: delay between receiving that SR and sending this block, in 1/65536 s (0: no SR yet).
    pub delay_since_last_sr: u32,
}

impl ReportBlock {
    fn read(b: &[u8; BLOCK_LEN]) -> Self {
        #[expect(clippy::indexing_slicing, reason = "called with constant offsets of at most BLOCK_LEN - 4")]
        let word = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        // Sign-extend the 24-bit cumulative loss by shifting it into the top of an i32 and back.
        let lost = (i32::from_be_bytes([b[5], b[6], b[7], 0])) >> 8;
        ReportBlock {
            ssrc: word(0),
            fraction_lost: b[4],
            cumulative_lost: lost,
            highest_sequence: word(8),
            jitter: word(12),
            last_sr: word(16),
            delay_since_last_sr: word(20),
        }
    }

    /// Appends the block's 24 bytes. The cumulative loss is clamped to the 24-bit field.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        let lost = self.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff).to_be_bytes();
        out.extend_from_slice(&[self.fraction_lost, lost[1], lost[2], lost[3]]);
        out.extend_from_slice(&self.highest_sequence.to_be_bytes());
        out.extend_from_slice(&self.jitter.to_be_bytes());
        out.extend_from_slice(&self.last_sr.to_be_bytes());
        out.extend_from_slice(&self.delay_since_last_sr.to_be_bytes());
    }

    /// The fraction lost as a percentage.
    pub fn fraction_lost_percent(&self) -> f64 {
        f64::from(self.fraction_lost) * 100.0 / 256.0
    }

    /// DLSR as a duration.
    pub fn delay_since_last_sr_duration(&self) -> Duration {
        Duration::from_micros(u64::from(self.delay_since_last_sr) * 1_000_000 / 65_536)
    }
}

/// The sender info of an SR: when, in wallclock and media time, and how much was sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SenderInfo {
    /// NTP timestamp (seconds since 1900 in the top 32 bits, fraction in the low 32 bits).
    pub ntp_timestamp: u64,
    /// The RTP timestamp of the same instant.
    pub rtp_timestamp: u32,
    /// Packets sent since the start of transmission.
    pub packet_count: u32,
    /// Payload octets sent since the start of transmission.
    pub octet_count: u32,
}

impl SenderInfo {
    fn read(b: &[u8; SENDER_INFO_LEN]) -> Self {
        #[expect(
            clippy::indexing_slicing,
            reason = "called with constant offsets of at most SENDER_INFO_LEN - 4"
        )]
        let word = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        SenderInfo {
            ntp_timestamp: u64::from(word(0)) << 32 | u64::from(word(4)),
            rtp_timestamp: word(8),
            packet_count: word(12),
            octet_count: word(16),
        }
    }

    pub(super) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.ntp_timestamp.to_be_bytes());
        out.extend_from_slice(&self.rtp_timestamp.to_be_bytes());
        out.extend_from_slice(&self.packet_count.to_be_bytes());
        out.extend_from_slice(&self.octet_count.to_be_bytes());
    }
}

/// The 64-bit NTP timestamp of a wallclock time given as the time since the Unix epoch (supplied by the
/// caller: core reads no clock).
pub fn ntp_timestamp(since_unix_epoch: Duration) -> u64 {
    let secs = since_unix_epoch.as_secs().wrapping_add(NTP_UNIX_OFFSET);
    let fraction = (u64::from(since_unix_epoch.subsec_nanos()) << 32) / 1_000_000_000;
    secs << 32 | fraction
}

/// LSR: the middle 32 bits of an SR's NTP timestamp, as echoed in report blocks.
pub fn lsr_from_ntp(ntp_timestamp: u64) -> u32 {
    (ntp_timestamp >> 16) as u32
}

/// DLSR: a delay in units of 1/65536 s, saturating at the field's maximum (about 18 hours).
pub fn dlsr_from_duration(delay: Duration) -> u32 {
    let units = delay.as_micros().saturating_mul(65_536) / 1_000_000;
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// Report blocks, read from a checked SR or RR.
#[derive(Debug, Clone)]
pub struct ReportBlocks<'a> {
    chunks: std::slice::ChunksExact<'a, u8>,
}

impl Iterator for ReportBlocks<'_> {
    type Item = ReportBlock;

    fn next(&mut self) -> Option<ReportBlock> {
        self.chunks.next().and_then(|c| c.first_chunk::<BLOCK_LEN>()).map(ReportBlock::read)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for ReportBlocks<'_> {}

/// A sender report (packet type 200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderReport<'a> {
    /// The sender's SSRC.
    pub ssrc: u32,
    /// Wallclock and media time, packet and octet counts.
    pub info: SenderInfo,
    blocks: &'a [u8],
    extension: &'a [u8],
}

impl<'a> SenderReport<'a> {
    /// Parses an SR body (after the common header; `at` is its offset in the compound packet).
    pub(super) fn parse(count: u8, body: &'a [u8], at: usize) -> Result<Self, RtcpError> {
        let (ssrc, rest) = read_ssrc(body, at)?;
        let Some((info, rest)) = rest.split_first_chunk::<SENDER_INFO_LEN>() else {
            return Err(truncated(at + 4, "sender info", SENDER_INFO_LEN, rest.len()));
        };
        let (blocks, extension) = split_blocks(count, rest, at + 4 + SENDER_INFO_LEN)?;
        Ok(SenderReport { ssrc, info: SenderInfo::read(info), blocks, extension })
    }

    /// The reception report blocks (what this sender received from others).
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        ReportBlocks { chunks: self.blocks.chunks_exact(BLOCK_LEN) }
    }

    /// Profile-specific extension bytes after the report blocks (usually empty).
    pub fn extension(&self) -> &'a [u8] {
        self.extension
    }
}

/// A receiver report (packet type 201).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverReport<'a> {
    /// The reporter's SSRC.
    pub ssrc: u32,
    blocks: &'a [u8],
    extension: &'a [u8],
}

impl<'a> ReceiverReport<'a> {
    /// Parses an RR body (after the common header; `at` is its offset in the compound packet).
    pub(super) fn parse(count: u8, body: &'a [u8], at: usize) -> Result<Self, RtcpError> {
        let (ssrc, rest) = read_ssrc(body, at)?;
        let (blocks, extension) = split_blocks(count, rest, at + 4)?;
        Ok(ReceiverReport { ssrc, blocks, extension })
    }

    /// The reception report blocks.
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        ReportBlocks { chunks: self.blocks.chunks_exact(BLOCK_LEN) }
    }

    /// Profile-specific extension bytes after the report blocks (usually empty).
    pub fn extension(&self) -> &'a [u8] {
        self.extension
    }
}

/// Reads the 4-byte SSRC at the start of a body.
pub(super) fn read_ssrc(body: &[u8], at: usize) -> Result<(u32, &[u8]), RtcpError> {
    match body.split_first_chunk::<4>() {
        Some((ssrc, rest)) => Ok((u32::from_be_bytes(*ssrc), rest)),
        None => Err(truncated(at, "SSRC", 4, body.len())),
    }
}

/// Splits `count` report blocks from the extension that may follow them.
fn split_blocks(count: u8, rest: &[u8], at: usize) -> Result<(&[u8], &[u8]), RtcpError> {
    let needed = usize::from(count) * BLOCK_LEN;
    rest.split_at_checked(needed).ok_or_else(|| truncated(at, "report blocks", needed, rest.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn report_block_round_trip_with_negative_loss() {
        let block = ReportBlock {
            ssrc: 0xdead_beef,
            fraction_lost: 64,
            cumulative_lost: -3,
            highest_sequence: 0x0001_0005,
            jitter: 123,
            last_sr: 0x1234_5678,
            delay_since_last_sr: 65_536,
        };
        let mut out = Vec::new();
        block.write(&mut out);
        assert_eq!(out.len(), BLOCK_LEN);
        assert_eq!(&out[4..8], [64, 0xff, 0xff, 0xfd]);
        assert_eq!(ReportBlock::read(out.first_chunk().unwrap()), block);
        assert_eq!(block.fraction_lost_percent(), 25.0);
        assert_eq!(block.delay_since_last_sr_duration(), Duration::from_secs(1));
    }

    #[test]
    fn cumulative_loss_is_clamped_to_24_bits() {
        for (lost, expected) in [(10_000_000, 0x7f_ffff), (-10_000_000, -0x80_0000)] {
            let mut out = Vec::new();
            ReportBlock { cumulative_lost: lost, ..ReportBlock::default() }.write(&mut out);
            assert_eq!(ReportBlock::read(out.first_chunk().unwrap()).cumulative_lost, expected);
        }
    }

    #[test]
    fn ntp_and_lsr_dlsr_conversions() {
        // 1.5 s after the Unix epoch.
        let ntp = ntp_timestamp(Duration::from_millis(1500));
        assert_eq!(ntp >> 32, NTP_UNIX_OFFSET + 1);
        assert_eq!(ntp & 0xffff_ffff, 0x8000_0000);
        assert_eq!(lsr_from_ntp(0x1122_3344_5566_7788), 0x3344_5566);
        assert_eq!(dlsr_from_duration(Duration::from_millis(500)), 32_768);
        assert_eq!(dlsr_from_duration(Duration::from_secs(1 << 20)), u32::MAX);
    }

    #[test]
    fn sr_and_rr_truncations_name_the_structure() {
        let err = SenderReport::parse(0, &[0, 0, 0, 1, 0, 0], 4).unwrap_err();
        assert_eq!(err, truncated(8, "sender info", 20, 2));
        let err = ReceiverReport::parse(2, &[0; 4 + 30], 4).unwrap_err();
        assert_eq!(err, truncated(8, "report blocks", 48, 30));
        let err = ReceiverReport::parse(0, &[0; 3], 4).unwrap_err();
        assert_eq!(err, truncated(4, "SSRC", 4, 3));
        // Bytes after the blocks are the profile extension.
        let rr = ReceiverReport::parse(0, &[0, 0, 0, 7, 1, 2, 3, 4], 4).unwrap();
        assert_eq!((rr.ssrc, rr.extension(), rr.report_blocks().len()), (7, &[1u8, 2, 3, 4][..], 0));
    }
}
