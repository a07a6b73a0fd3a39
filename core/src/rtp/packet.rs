//! The RTP fixed header (RFC 3550 section 5.1) as a zero-copy view over the packet bytes.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//! |                           timestamp                           |
//! |           synchronization source (SSRC) identifier            |
//! |            contributing source (CSRC) identifiers (CC x 32)   |
//! |  [header extension: profile | length in words | data]         |
//! |  payload ...                    [padding ... | padding count] |
//! ```

use super::extension::HeaderExtension;

/// Length of the fixed header, before any CSRC.
pub const FIXED_HEADER_LEN: usize = 12;

/// Why bytes are not a valid RTP packet, and where: `offset` is the byte (from the start of the packet) at which
/// the problem was found, so that the packet can be located in a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid RTP packet at byte {offset}: {reason}")]
pub struct RtpError {
    /// Byte offset from the start of the packet.
    pub offset: usize,
    /// What was wrong there.
    pub reason: RtpErrorReason,
}

/// What was wrong with an RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpErrorReason {
    /// The packet ends inside a structure.
    #[error("packet ends inside the {what}: {needed} bytes needed, {available} present")]
    Truncated {
        /// The structure being read (`fixed header`, `CSRC list`, `header extension`...).
        what: &'static str,
        /// Bytes that structure needs, from `offset`.
        needed: usize,
        /// Bytes present from `offset`.
        available: usize,
    },
    /// The version field is not 2 (RTP version 1 and the pre-RFC "vat" protocol used 1 and 0).
    #[error("version {0}, expected 2")]
    BadVersion(u8),
    /// The padding bit is set but the padding count (last byte) is zero, which cannot be: the count includes
    /// itself.
    #[error("padding bit set but the padding count is 0")]
    ZeroPadding,
    /// The padding count is larger than the bytes after the header.
    #[error("padding count {count} exceeds the {available} bytes after the header")]
    PaddingTooLong {
        /// The padding count (last byte of the packet).
        count: u8,
        /// Bytes after the header, padding included.
        available: usize,
    },
    /// An RFC 8285 header extension element runs past the end of the extension.
    #[error("header extension element {id} of {len} bytes runs past the end of the extension")]
    ElementOverrun {
        /// The element's local identifier.
        id: u8,
        /// The element's declared data length.
        len: usize,
    },
}

/// A parsed RTP packet: a view over the bytes it was parsed from. Copying it copies a few words, not the packet.
///
/// Parsing checks everything the header says about lengths (CSRC list, extension, padding), so the accessors
/// never fail. The RFC 8285 extension elements are read lazily by [`HeaderExtension::elements`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    bytes: &'a [u8],
    /// Byte 0 of the fixed header: V, P, X and CC.
    first: u8,
    /// Byte 1 of the fixed header: M and PT.
    second: u8,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
    /// Offset of the payload: fixed header + CSRC list + extension.
    payload_start: usize,
    /// End of the payload: the packet length minus the padding.
    payload_end: usize,
}

/// Parses `bytes` as one RTP packet. Same as [`RtpPacket::parse`].
pub fn parse(bytes: &[u8]) -> Result<RtpPacket<'_>, RtpError> {
    RtpPacket::parse(bytes)
}

impl<'a> RtpPacket<'a> {
    /// Parses one RTP packet (the whole datagram, or the body of one `$`-framed interleaved packet).
    ///
    /// Checks the version, that the CSRC list and header extension fit, and that the padding count is between 1
    /// and the number of bytes after the header (RFC 3550 A.1 validity). The payload type is not checked against
    /// the RTCP range: see [`crate::rtcp::looks_like_rtcp`] to demultiplex RTP and RTCP on one port.
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Self, RtpError> {
        let Some(fixed) = bytes.first_chunk::<FIXED_HEADER_LEN>() else {
            return Err(truncated(0, "fixed header", FIXED_HEADER_LEN, bytes.len()));
        };
        let (first, second) = (fixed[0], fixed[1]);
        if first >> 6 != 2 {
            return Err(RtpError { offset: 0, reason: RtpErrorReason::BadVersion(first >> 6) });
        }
        let mut payload_start = FIXED_HEADER_LEN + usize::from(first & 0x0f) * 4;
        if bytes.len() < payload_start {
            return Err(truncated(
                FIXED_HEADER_LEN,
                "CSRC list",
                payload_start - FIXED_HEADER_LEN,
                bytes.len(),
            ));
        }
        if first & 0x10 != 0 {
            let at = payload_start;
            let Some(&[_, _, w0, w1]) = bytes.get(at..).and_then(<[u8]>::first_chunk) else {
                return Err(truncated(at, "header extension", 4, bytes.len() - at));
            };
            let words = usize::from(u16::from_be_bytes([w0, w1]));
            payload_start = at + 4 + words * 4;
            if bytes.len() < payload_start {
                return Err(truncated(at, "header extension", 4 + words * 4, bytes.len() - at));
            }
        }
        let mut payload_end = bytes.len();
        if first & 0x20 != 0 {
            // The count is the packet's last byte, a header byte when nothing follows the header (the fixed
            // header is there, so `last` is never `None`).
            let count = bytes.last().copied().unwrap_or(0);
            let available = bytes.len() - payload_start;
            if count == 0 {
                return Err(RtpError { offset: bytes.len() - 1, reason: RtpErrorReason::ZeroPadding });
            }
            if usize::from(count) > available {
                let reason = RtpErrorReason::PaddingTooLong { count, available };
                return Err(RtpError { offset: bytes.len() - 1, reason });
            }
            payload_end -= usize::from(count);
        }
        Ok(RtpPacket {
            bytes,
            first,
            second,
            sequence: u16::from_be_bytes([fixed[2], fixed[3]]),
            timestamp: u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]),
            ssrc: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
            payload_start,
            payload_end,
        })
    }

    /// The version field: always 2 for a parsed packet.
    pub fn version(&self) -> u8 {
        self.first >> 6
    }

    /// Whether the padding bit is set.
    pub fn has_padding(&self) -> bool {
        self.first & 0x20 != 0
    }

    /// Number of padding bytes at the end of the packet, count byte included (0 without padding).
    pub fn padding_len(&self) -> usize {
        self.bytes.len() - self.payload_end
    }

    /// Whether the extension bit is set (a header extension follows the CSRC list).
    pub fn has_extension(&self) -> bool {
        self.first & 0x10 != 0
    }

    /// The marker bit (for video: the last packet of a frame).
    #[inline]
    pub fn marker(&self) -> bool {
        self.second & 0x80 != 0
    }

    /// The payload type (7 bits).
    #[inline]
    pub fn payload_type(&self) -> u8 {
        self.second & 0x7f
    }

    /// The sequence number.
    #[inline]
    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    /// The media timestamp, in the codec's clock rate.
    #[inline]
    pub fn timestamp(&self) -> u32 {
        self.timestamp
    }

    /// The synchronization source identifier.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The number of contributing sources (0 to 15).
    pub fn csrc_count(&self) -> usize {
        usize::from(self.first & 0x0f)
    }

    /// The contributing source identifiers.
    pub fn csrcs(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        let end = FIXED_HEADER_LEN + self.csrc_count() * 4;
        // `parse` checked that the list fits.
        let list = self.bytes.get(FIXED_HEADER_LEN..end).unwrap_or_default();
        list.as_chunks::<4>().0.iter().map(|&c| u32::from_be_bytes(c))
    }

    /// The header extension, when the extension bit is set.
    pub fn extension(&self) -> Option<HeaderExtension<'a>> {
        if !self.has_extension() {
            return None;
        }
        // `parse` checked that the extension fits before `payload_start`.
        let at = FIXED_HEADER_LEN + self.csrc_count() * 4;
        let (&[p0, p1, _, _], data) = self.bytes.get(at..self.payload_start)?.split_first_chunk::<4>()?;
        Some(HeaderExtension::at_offset(u16::from_be_bytes([p0, p1]), data, at + 4))
    }

    /// Length of the header: fixed part, CSRC list and extension.
    pub fn header_len(&self) -> usize {
        self.payload_start
    }

    /// The payload, without header and padding.
    #[inline]
    #[expect(
        clippy::indexing_slicing,
        reason = "`parse` checked payload_start <= payload_end <= bytes.len(); per-packet hot path"
    )]
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[self.payload_start..self.payload_end]
    }

    /// The whole packet, as parsed.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

fn truncated(offset: usize, what: &'static str, needed: usize, available: usize) -> RtpError {
    RtpError { offset, reason: RtpErrorReason::Truncated { what, needed, available } }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// V=2, no P/X/CC, M=1, PT=96, seq 0x1234, ts 0xdeadbeef, SSRC 0x01020304, payload "hi".
    const SIMPLE: [u8; 14] = [0x80, 0xe0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, b'h', b'i'];

    #[test]
    fn fixed_header_fields() {
        let p = parse(&SIMPLE).unwrap();
        assert_eq!(p.version(), 2);
        assert!(p.marker());
        assert_eq!(p.payload_type(), 96);
        assert_eq!(p.sequence(), 0x1234);
        assert_eq!(p.timestamp(), 0xdead_beef);
        assert_eq!(p.ssrc(), 0x0102_0304);
        assert_eq!(p.csrc_count(), 0);
        assert!(!p.has_padding() && !p.has_extension() && p.extension().is_none());
        assert_eq!(p.header_len(), 12);
        assert_eq!(p.payload(), b"hi");
        assert_eq!(p.as_bytes(), &SIMPLE);
    }

    #[test]
    fn every_truncation_of_the_fixed_header_is_an_error_at_zero() {
        for len in 0..FIXED_HEADER_LEN {
            let err = parse(&SIMPLE[..len]).unwrap_err();
            assert_eq!(err.offset, 0);
            assert_eq!(
                err.reason,
                RtpErrorReason::Truncated { what: "fixed header", needed: 12, available: len }
            );
        }
        // A header without payload is a valid (empty) packet.
        assert_eq!(parse(&SIMPLE[..12]).unwrap().payload(), b"");
    }

    #[test]
    fn versions_other_than_2_are_refused() {
        for v in [0u8, 1, 3] {
            let mut b = SIMPLE;
            b[0] = (v << 6) | (b[0] & 0x3f);
            assert_eq!(parse(&b).unwrap_err(), RtpError { offset: 0, reason: RtpErrorReason::BadVersion(v) });
        }
    }

    #[test]
    fn csrc_list_is_read_and_its_truncation_reported() {
        let mut b = vec![0x82, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        b.extend_from_slice(&[0, 0, 0, 10, 0, 0, 0, 11, 0xaa]);
        let p = parse(&b).unwrap();
        assert_eq!(p.csrc_count(), 2);
        assert_eq!(p.csrcs().collect::<Vec<_>>(), [10, 11]);
        assert_eq!(p.payload(), [0xaa]);
        for len in 12..20 {
            let err = parse(&b[..len]).unwrap_err();
            assert_eq!(err.offset, 12, "len {len}");
            assert!(matches!(err.reason, RtpErrorReason::Truncated { what: "CSRC list", needed: 8, .. }));
        }
    }

    #[test]
    fn generic_extension_is_exposed_and_bounded() {
        // X=1, extension profile 0xabcd, 1 word.
        let b = [0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xab, 0xcd, 0, 1, 1, 2, 3, 4, 0x55];
        let p = parse(&b).unwrap();
        let ext = p.extension().unwrap();
        assert_eq!(ext.profile(), 0xabcd);
        assert_eq!(ext.data(), [1, 2, 3, 4]);
        assert_eq!(p.header_len(), 20);
        assert_eq!(p.payload(), [0x55]);
        for len in 12..20 {
            let err = parse(&b[..len]).unwrap_err();
            assert_eq!(err.offset, 12, "len {len}");
            assert!(matches!(err.reason, RtpErrorReason::Truncated { what: "header extension", .. }));
        }
    }

    #[test]
    fn padding_is_removed_and_validated() {
        let mut b = SIMPLE.to_vec();
        b[0] |= 0x20;
        b.extend_from_slice(&[0, 0, 3]);
        let p = parse(&b).unwrap();
        assert_eq!(p.payload(), b"hi");
        assert_eq!(p.padding_len(), 3);
        // Padding may take every byte after the header.
        *b.last_mut().unwrap() = 5;
        assert_eq!(parse(&b).unwrap().payload(), b"");
        *b.last_mut().unwrap() = 6;
        let err = parse(&b).unwrap_err();
        assert_eq!(
            err,
            RtpError { offset: 16, reason: RtpErrorReason::PaddingTooLong { count: 6, available: 5 } }
        );
        *b.last_mut().unwrap() = 0;
        assert_eq!(parse(&b).unwrap_err(), RtpError { offset: 16, reason: RtpErrorReason::ZeroPadding });
    }

    #[test]
    fn padding_bit_on_a_bare_header_is_an_error_not_a_panic() {
        // 12 bytes, P set: the count byte is the SSRC's last byte, and no byte follows the header.
        let mut b = SIMPLE[..12].to_vec();
        b[0] |= 0x20;
        let err = parse(&b).unwrap_err();
        assert_eq!(err.offset, 11);
        assert_eq!(err.reason, RtpErrorReason::PaddingTooLong { count: 4, available: 0 });
    }

    #[test]
    fn errors_render_with_their_offset() {
        let err = parse(&SIMPLE[..5]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid RTP packet at byte 0: packet ends inside the fixed header: 12 bytes needed, 5 present"
        );
    }
}
