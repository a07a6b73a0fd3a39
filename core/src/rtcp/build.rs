//! Writing RTCP packets. Each writer appends one or more complete packets to a caller's buffer, so a compound
//! packet is built by calling them in order (RFC 3550 6.1: a report first, then at least an SDES with the CNAME):
//!
//! ```
//! use rtspeek_core::rtcp::{self, ReportBlock};
//! let mut out = Vec::new();
//! rtcp::write_receiver_report(0x1234, &[ReportBlock { ssrc: 0x5678, ..ReportBlock::default() }], &mut out);
//! rtcp::write_sdes_cname(0x1234, "rtspeek@probe", &mut out).unwrap();
//! assert!(rtcp::Compound::parse(&out).is_ok());
//! ```
//!
//! Report blocks computed from reception statistics come from [`crate::rtp::Receiver::report_blocks`].

use super::report::{ReportBlock, SenderInfo};
use super::{APP, App, BYE, RR, SDES, SR, SdesItem};

/// Report blocks one SR or RR can carry (the count field has 5 bits).
pub const MAX_BLOCKS_PER_PACKET: usize = 31;

/// Why a packet could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcpBuildError {
    /// More than 31 sources in a BYE.
    #[error("{0} sources, at most 31 fit in one BYE")]
    TooManySources(usize),
    /// A text (SDES item, BYE reason) longer than its 8-bit length field allows.
    #[error("text of {0} bytes is over the 255-byte limit")]
    TextTooLong(usize),
    /// An APP subtype over 31.
    #[error("APP subtype {0} is over 31")]
    SubtypeOutOfRange(u8),
    /// APP data that is not a whole number of 32-bit words.
    #[error("APP data of {0} bytes is not a whole number of 32-bit words")]
    NotWordAligned(usize),
    /// A packet longer than the 16-bit length field allows.
    #[error("packet of {0} bytes is over the 262144-byte limit")]
    PacketTooLong(usize),
    /// An SDES item of type 0, which would end the item list.
    #[error("SDES item type 0 is the end-of-list marker")]
    NullItemType,
}

/// Appends the common header with a zero length and returns where the packet starts.
fn begin(out: &mut Vec<u8>, count: u8, packet_type: u8) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0x80 | count, packet_type, 0, 0]);
    start
}

/// Fills in the length field of the packet that starts at `start` (its length is a whole number of words).
fn finish(out: &mut Vec<u8>, start: usize) -> Result<usize, RtcpBuildError> {
    let len = out.len() - start;
    let Ok(words) = u16::try_from(len / 4 - 1) else {
        out.truncate(start);
        return Err(RtcpBuildError::PacketTooLong(len));
    };
    // `begin` wrote the 4-byte common header at `start`.
    if let Some(length) = out.get_mut(start + 2..start + 4) {
        length.copy_from_slice(&words.to_be_bytes());
    }
    Ok(len)
}

/// Appends a receiver report from `ssrc` with `blocks`; beyond 31 blocks, further RR packets carry the rest
/// (RFC 3550 6.4.2). Returns the bytes written.
pub fn write_receiver_report(ssrc: u32, blocks: &[ReportBlock], out: &mut Vec<u8>) -> usize {
    let start = out.len();
    let mut chunks = blocks.chunks(MAX_BLOCKS_PER_PACKET);
    let first = chunks.next().unwrap_or(&[]);
    write_rr_packet(ssrc, first, out);
    for chunk in chunks {
        write_rr_packet(ssrc, chunk, out);
    }
    out.len() - start
}

/// Appends a sender report from `ssrc` with `info` and `blocks`; beyond 31 blocks, RR packets carry the rest.
/// Returns the bytes written.
pub fn write_sender_report(ssrc: u32, info: &SenderInfo, blocks: &[ReportBlock], out: &mut Vec<u8>) -> usize {
    let start = out.len();
    let mut chunks = blocks.chunks(MAX_BLOCKS_PER_PACKET);
    let first = chunks.next().unwrap_or(&[]);
    let packet = begin(out, first.len() as u8, SR);
    out.extend_from_slice(&ssrc.to_be_bytes());
    info.write(out);
    for block in first {
        block.write(out);
    }
    // At most 4 + 4 + 20 + 31 * 24 bytes: the length always fits.
    let _ = finish(out, packet);
    for chunk in chunks {
        write_rr_packet(ssrc, chunk, out);
    }
    out.len() - start
}

/// One RR packet with at most 31 blocks.
fn write_rr_packet(ssrc: u32, blocks: &[ReportBlock], out: &mut Vec<u8>) {
    let packet = begin(out, blocks.len() as u8, RR);
    out.extend_from_slice(&ssrc.to_be_bytes());
    for block in blocks {
        block.write(out);
    }
    // At most 4 + 4 + 31 * 24 bytes: the length always fits.
    let _ = finish(out, packet);
}

/// Appends an SDES packet with one chunk: `ssrc` and its CNAME.
pub fn write_sdes_cname(ssrc: u32, cname: &str, out: &mut Vec<u8>) -> Result<usize, RtcpBuildError> {
    let item = SdesItem { kind: super::SdesItemKind::Cname, value: cname.as_bytes() };
    write_sdes(ssrc, &[item], out)
}

/// Appends an SDES packet with one chunk: `ssrc` and `items`.
pub fn write_sdes(ssrc: u32, items: &[SdesItem<'_>], out: &mut Vec<u8>) -> Result<usize, RtcpBuildError> {
    for item in items {
        if item.kind.type_octet() == 0 {
            return Err(RtcpBuildError::NullItemType);
        }
        if item.value.len() > 255 {
            return Err(RtcpBuildError::TextTooLong(item.value.len()));
        }
    }
    let packet = begin(out, 1, SDES);
    out.extend_from_slice(&ssrc.to_be_bytes());
    for item in items {
        out.extend_from_slice(&[item.kind.type_octet(), item.value.len() as u8]);
        out.extend_from_slice(item.value);
    }
    // The null item, then null octets to the next 32-bit boundary.
    out.push(0);
    pad_to_word(out, packet);
    finish(out, packet)
}

/// Appends a BYE for `sources` (at most 31) with an optional reason (at most 255 bytes).
pub fn write_bye(sources: &[u32], reason: Option<&[u8]>, out: &mut Vec<u8>) -> Result<usize, RtcpBuildError> {
    if sources.len() > 31 {
        return Err(RtcpBuildError::TooManySources(sources.len()));
    }
    if let Some(r) = reason.filter(|r| r.len() > 255) {
        return Err(RtcpBuildError::TextTooLong(r.len()));
    }
    let packet = begin(out, sources.len() as u8, BYE);
    for s in sources {
        out.extend_from_slice(&s.to_be_bytes());
    }
    if let Some(r) = reason {
        out.push(r.len() as u8);
        out.extend_from_slice(r);
        pad_to_word(out, packet);
    }
    finish(out, packet)
}

/// Appends an APP packet.
pub fn write_app(app: &App<'_>, out: &mut Vec<u8>) -> Result<usize, RtcpBuildError> {
    if app.subtype > 31 {
        return Err(RtcpBuildError::SubtypeOutOfRange(app.subtype));
    }
    if !app.data.len().is_multiple_of(4) {
        return Err(RtcpBuildError::NotWordAligned(app.data.len()));
    }
    let packet = begin(out, app.subtype, APP);
    out.extend_from_slice(&app.ssrc.to_be_bytes());
    out.extend_from_slice(&app.name);
    out.extend_from_slice(app.data);
    finish(out, packet)
}

/// Appends zero bytes until the packet started at `start` is a whole number of words.
fn pad_to_word(out: &mut Vec<u8>, start: usize) {
    let len = out.len() - start;
    out.resize(start + len.div_ceil(4) * 4, 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtcp::{Compound, RtcpPacket, SdesItemKind, packets};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn block(ssrc: u32) -> ReportBlock {
        ReportBlock {
            ssrc,
            fraction_lost: 3,
            cumulative_lost: 7,
            highest_sequence: 70_000,
            ..Default::default()
        }
    }

    #[test]
    fn more_than_31_blocks_spill_into_further_rrs() {
        let blocks: Vec<_> = (0..70).map(block).collect();
        let mut out = Vec::new();
        let info = SenderInfo { ntp_timestamp: 1 << 40, rtp_timestamp: 9, packet_count: 10, octet_count: 11 };
        let len = write_sender_report(42, &info, &blocks, &mut out);
        assert_eq!(len, out.len());
        let compound = Compound::parse(&out).unwrap();
        let mut got = Vec::new();
        let mut types = Vec::new();
        for p in compound.packets() {
            types.push(p.packet_type());
            match p {
                RtcpPacket::SenderReport(sr) => {
                    assert_eq!((sr.ssrc, sr.info), (42, info));
                    got.extend(sr.report_blocks());
                }
                RtcpPacket::ReceiverReport(rr) => got.extend(rr.report_blocks()),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(types, [SR, RR, RR]);
        assert_eq!(got, blocks);
    }

    #[test]
    fn empty_receiver_report() {
        let mut out = Vec::new();
        assert_eq!(write_receiver_report(5, &[], &mut out), 8);
        assert_eq!(out, [0x80, RR, 0, 1, 0, 0, 0, 5]);
    }

    #[test]
    fn sdes_bye_app_round_trip() {
        let mut out = Vec::new();
        write_receiver_report(1, &[], &mut out);
        write_sdes_cname(1, "user@host", &mut out).unwrap();
        let items = [
            SdesItem { kind: SdesItemKind::Tool, value: b"rtspeek" },
            SdesItem { kind: SdesItemKind::Note, value: b"" },
        ];
        write_sdes(1, &items, &mut out).unwrap();
        write_bye(&[1, 2], Some(b"bye now"), &mut out).unwrap();
        write_bye(&[3], None, &mut out).unwrap();
        let app = App { subtype: 7, ssrc: 1, name: *b"RTSK", data: &[1, 2, 3, 4] };
        write_app(&app, &mut out).unwrap();
        assert_eq!(out.len() % 4, 0);
        let all: Vec<_> = Compound::parse(&out).unwrap().packets().collect();
        assert_eq!(all.len(), 6);
        let RtcpPacket::SourceDescription(sdes) = all[1] else { panic!() };
        assert_eq!(sdes.cname_of(1), Some(&b"user@host"[..]));
        let RtcpPacket::SourceDescription(sdes) = all[2] else { panic!() };
        assert_eq!(sdes.chunks().next().unwrap().items().collect::<Vec<_>>(), items);
        let RtcpPacket::Bye(bye) = all[3] else { panic!() };
        assert_eq!((bye.sources().collect::<Vec<_>>(), bye.reason()), (vec![1, 2], Some(&b"bye now"[..])));
        let RtcpPacket::Bye(bye) = all[4] else { panic!() };
        assert_eq!(bye.reason(), None);
        assert_eq!(all[5], RtcpPacket::App(app));
        assert!(packets(&out).all(|p| p.is_ok()));
    }

    #[test]
    fn invalid_inputs_are_refused_and_leave_the_buffer_alone() {
        let mut out = Vec::new();
        assert_eq!(write_bye(&[0; 32], None, &mut out), Err(RtcpBuildError::TooManySources(32)));
        assert_eq!(write_bye(&[1], Some(&[b'a'; 256]), &mut out), Err(RtcpBuildError::TextTooLong(256)));
        let long = "x".repeat(256);
        assert_eq!(write_sdes_cname(1, &long, &mut out), Err(RtcpBuildError::TextTooLong(256)));
        let null = [SdesItem { kind: SdesItemKind::Other(0), value: b"" }];
        assert_eq!(write_sdes(1, &null, &mut out), Err(RtcpBuildError::NullItemType));
        let app = App { subtype: 32, ssrc: 1, name: *b"RTSK", data: &[] };
        assert_eq!(write_app(&app, &mut out), Err(RtcpBuildError::SubtypeOutOfRange(32)));
        let app = App { subtype: 1, ssrc: 1, name: *b"RTSK", data: &[1] };
        assert_eq!(write_app(&app, &mut out), Err(RtcpBuildError::NotWordAligned(1)));
        let big = vec![0u8; 262_144];
        let app = App { subtype: 1, ssrc: 1, name: *b"RTSK", data: &big };
        assert_eq!(write_app(&app, &mut out), Err(RtcpBuildError::PacketTooLong(262_156)));
        assert!(out.is_empty());
    }
}
