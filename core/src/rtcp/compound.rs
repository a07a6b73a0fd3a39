//! The RTCP common header, the packet enum and iteration over a compound packet.
//!
//! ```text
//!  0                   1                   2                   3
//! |V=2|P|  count  |  packet type  |     length (32-bit words - 1)  |
//! ```

use super::error::{RtcpError, RtcpErrorReason, truncated};
use super::{APP, BYE, RR, SDES, SR};
use super::{App, Bye, ReceiverReport, SenderReport, SourceDescription};

/// One RTCP packet of a compound packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtcpPacket<'a> {
    /// Sender report (200).
    SenderReport(SenderReport<'a>),
    /// Receiver report (201).
    ReceiverReport(ReceiverReport<'a>),
    /// Source description (202).
    SourceDescription(SourceDescription<'a>),
    /// Goodbye (203).
    Bye(Bye<'a>),
    /// Application-defined (204).
    App(App<'a>),
    /// Any other packet type (RTPFB/PSFB feedback, XR...), kept raw.
    Unknown(UnknownPacket<'a>),
}

/// A packet of a type this parser does not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownPacket<'a> {
    /// The packet type.
    pub packet_type: u8,
    /// The 5-bit count field (its meaning depends on the type; the feedback types put their FMT there).
    pub count: u8,
    /// The body after the 4-byte common header, without padding.
    pub body: &'a [u8],
}

impl RtcpPacket<'_> {
    /// The packet type field.
    pub fn packet_type(&self) -> u8 {
        match self {
            RtcpPacket::SenderReport(_) => SR,
            RtcpPacket::ReceiverReport(_) => RR,
            RtcpPacket::SourceDescription(_) => SDES,
            RtcpPacket::Bye(_) => BYE,
            RtcpPacket::App(_) => APP,
            RtcpPacket::Unknown(u) => u.packet_type,
        }
    }
}

/// The common header of one packet, framed by its length field.
struct Framed<'a> {
    padding: bool,
    count: u8,
    packet_type: u8,
    /// Body after the common header, padding removed.
    body: &'a [u8],
    /// The whole packet's length, common header and padding included.
    len: usize,
}

/// Frames the packet at the start of `bytes` (found at `base` in the compound packet).
fn frame(bytes: &[u8], base: usize) -> Result<Framed<'_>, RtcpError> {
    let Some((&[first, packet_type, l0, l1], after_header)) = bytes.split_first_chunk::<4>() else {
        return Err(truncated(base, "common header", 4, bytes.len()));
    };
    if first >> 6 != 2 {
        return Err(RtcpError { offset: base, reason: RtcpErrorReason::BadVersion(first >> 6) });
    }
    let body_len = usize::from(u16::from_be_bytes([l0, l1])) * 4;
    let len = 4 + body_len;
    let Some(mut body) = after_header.get(..body_len) else {
        return Err(truncated(base, "packet its length field announces", len, bytes.len()));
    };
    let padding = first & 0x20 != 0;
    if padding {
        // The count is the packet's last byte; with an empty body that is the length field's low byte, 0.
        let count = body.last().copied().unwrap_or(0);
        if count == 0 {
            return Err(RtcpError { offset: base + len - 1, reason: RtcpErrorReason::ZeroPadding });
        }
        let available = body.len();
        let Some((unpadded, _)) =
            available.checked_sub(usize::from(count)).and_then(|kept| body.split_at_checked(kept))
        else {
            let reason = RtcpErrorReason::PaddingTooLong { count, available };
            return Err(RtcpError { offset: base + len - 1, reason });
        };
        body = unpadded;
    }
    Ok(Framed { padding, count: first & 0x1f, packet_type, body, len })
}

/// Parses the packet at the start of `bytes`, found at `base` in the compound packet. Returns it, its length and
/// whether it had padding.
fn parse_one(bytes: &[u8], base: usize) -> Result<(RtcpPacket<'_>, usize, bool), RtcpError> {
    let f = frame(bytes, base)?;
    let at = base + 4;
    let packet = match f.packet_type {
        SR => RtcpPacket::SenderReport(SenderReport::parse(f.count, f.body, at)?),
        RR => RtcpPacket::ReceiverReport(ReceiverReport::parse(f.count, f.body, at)?),
        SDES => RtcpPacket::SourceDescription(SourceDescription::parse(f.count, f.body, at)?),
        BYE => RtcpPacket::Bye(Bye::parse(f.count, f.body, at)?),
        APP => RtcpPacket::App(App::parse(f.count, f.body, at)?),
        packet_type => RtcpPacket::Unknown(UnknownPacket { packet_type, count: f.count, body: f.body }),
    };
    Ok((packet, f.len, f.padding))
}

/// Walks the packets of a compound packet leniently (see [`Packets`]).
pub fn packets(bytes: &[u8]) -> Packets<'_> {
    Packets { bytes, pos: 0, failed: false }
}

/// Iterator over the packets of a compound packet. Yields each packet in order; at the first packet that cannot
/// be parsed it yields the error (offset from the start of the compound packet) and stops, because the length
/// framing of what follows cannot be trusted. An empty input yields one [`RtcpErrorReason::Empty`] error.
#[derive(Debug, Clone)]
pub struct Packets<'a> {
    bytes: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<RtcpPacket<'a>, RtcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.bytes.is_empty() {
            self.failed = true;
            return Some(Err(RtcpError { offset: 0, reason: RtcpErrorReason::Empty }));
        }
        let rest = self.bytes.get(self.pos..).filter(|rest| !rest.is_empty())?;
        match parse_one(rest, self.pos) {
            Ok((packet, len, _)) => {
                self.pos += len;
                Some(Ok(packet))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

impl std::iter::FusedIterator for Packets<'_> {}

/// A compound packet that passed every check: each packet parses, and RFC 3550 A.2 holds (the first packet is
/// an SR or an RR, only the last one has padding, the lengths add up to the whole datagram). Reduced-size RTCP
/// (RFC 5506, a lone feedback packet) fails the first rule; [`packets`] still reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compound<'a> {
    bytes: &'a [u8],
}

impl<'a> Compound<'a> {
    /// Checks `bytes` as a compound packet.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, RtcpError> {
        if bytes.is_empty() {
            return Err(RtcpError { offset: 0, reason: RtcpErrorReason::Empty });
        }
        let mut pos = 0;
        while let Some(rest) = bytes.get(pos..).filter(|rest| !rest.is_empty()) {
            let (packet, len, padding) = parse_one(rest, pos)?;
            if pos == 0 && !matches!(packet.packet_type(), SR | RR) {
                return Err(RtcpError {
                    offset: 0,
                    reason: RtcpErrorReason::FirstNotReport(packet.packet_type()),
                });
            }
            if padding && pos + len != bytes.len() {
                return Err(RtcpError { offset: pos, reason: RtcpErrorReason::PaddingNotLast });
            }
            pos += len;
        }
        Ok(Compound { bytes })
    }

    /// The packets, in order.
    pub fn packets(&self) -> impl Iterator<Item = RtcpPacket<'a>> + 'a {
        // Every packet parsed in `Compound::parse`, so no error can come up here.
        packets(self.bytes).filter_map(Result::ok)
    }

    /// The compound packet's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// An RR without report blocks, SSRC 0x11223344.
    const RR_EMPTY: [u8; 8] = [0x80, RR, 0, 1, 0x11, 0x22, 0x33, 0x44];

    #[test]
    fn unknown_types_are_kept_raw() {
        // RR, then a PSFB (206) PLI with FMT 1: sender SSRC, media SSRC.
        let mut b = RR_EMPTY.to_vec();
        b.extend_from_slice(&[0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
        let all: Vec<_> = packets(&b).collect::<Result<_, _>>().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            all[1],
            RtcpPacket::Unknown(UnknownPacket {
                packet_type: 206,
                count: 1,
                body: &[0, 0, 0, 1, 0, 0, 0, 2]
            })
        );
        assert_eq!(Compound::parse(&b).unwrap().packets().count(), 2);
    }

    #[test]
    fn framing_errors_carry_the_offset_in_the_compound_packet() {
        let mut b = RR_EMPTY.to_vec();
        b.extend_from_slice(&[0x80, RR, 0, 5, 0, 0]);
        let got: Vec<_> = packets(&b).collect();
        assert!(got[0].is_ok());
        assert_eq!(got[1], Err(truncated(8, "packet its length field announces", 24, 6)));
        assert_eq!(got.len(), 2);
        // Bad version in the second packet.
        let mut b = RR_EMPTY.to_vec();
        b.extend_from_slice(&[0x40, RR, 0, 1, 0, 0, 0, 0]);
        assert_eq!(
            Compound::parse(&b).unwrap_err(),
            RtcpError { offset: 8, reason: RtcpErrorReason::BadVersion(1) }
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let mut b = RR_EMPTY.to_vec();
        b.extend_from_slice(&[0x81, 203, 0, 1, 0, 0, 0, 9]);
        for len in 0..b.len() {
            if len == 8 {
                continue; // a whole RR on its own is valid
            }
            assert!(Compound::parse(&b[..len]).is_err(), "len {len}");
            assert!(packets(&b[..len]).any(|p| p.is_err()), "len {len}");
        }
        assert!(Compound::parse(&b).is_ok());
    }

    #[test]
    fn rfc3550_a2_rules() {
        // First packet must be SR or RR.
        let bye = [0x81, BYE, 0, 1, 0, 0, 0, 9];
        assert_eq!(Compound::parse(&bye).unwrap_err().reason, RtcpErrorReason::FirstNotReport(BYE));
        // ...but the lenient walk reads it.
        assert!(matches!(packets(&bye).next(), Some(Ok(RtcpPacket::Bye(_)))));
        // Padding only on the last packet: RR with 4 bytes of padding, then an RR.
        let mut b = vec![0xa0, RR, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4];
        b.extend_from_slice(&RR_EMPTY);
        assert_eq!(
            Compound::parse(&b).unwrap_err(),
            RtcpError { offset: 0, reason: RtcpErrorReason::PaddingNotLast }
        );
        assert!(Compound::parse(&b[..12]).is_ok());
    }

    #[test]
    fn padding_is_validated() {
        let mut b = vec![0xa0, RR, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0];
        assert_eq!(packets(&b).next().unwrap().unwrap_err().reason, RtcpErrorReason::ZeroPadding);
        b[11] = 9;
        assert_eq!(
            packets(&b).next().unwrap().unwrap_err(),
            RtcpError { offset: 11, reason: RtcpErrorReason::PaddingTooLong { count: 9, available: 8 } }
        );
        // Padding that eats into the SSRC leaves a body too short for an RR.
        b[11] = 8;
        assert!(matches!(
            packets(&b).next().unwrap().unwrap_err().reason,
            RtcpErrorReason::Truncated { what: "SSRC", .. }
        ));
    }

    #[test]
    fn empty_input() {
        assert_eq!(
            packets(&[]).collect::<Vec<_>>(),
            [Err(RtcpError { offset: 0, reason: RtcpErrorReason::Empty })]
        );
        assert_eq!(Compound::parse(&[]).unwrap_err().reason, RtcpErrorReason::Empty);
    }
}
