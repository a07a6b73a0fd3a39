//! Why an RTCP packet is invalid, and where.

/// Why bytes are not a valid RTCP (compound) packet, and where: `offset` counts bytes from the start of the
/// compound packet, so that the fault can be located in a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid RTCP packet at byte {offset}: {reason}")]
pub struct RtcpError {
    /// Byte offset from the start of the compound packet.
    pub offset: usize,
    /// What was wrong there.
    pub reason: RtcpErrorReason,
}

/// What was wrong with an RTCP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcpErrorReason {
    /// The bytes end inside a structure.
    #[error("packet ends inside the {what}: {needed} bytes needed, {available} present")]
    Truncated {
        /// The structure being read (`common header`, `sender info`, `report blocks`...).
        what: &'static str,
        /// Bytes the structure needs, from `offset`.
        needed: usize,
        /// Bytes present from `offset`.
        available: usize,
    },
    /// The version field is not 2.
    #[error("version {0}, expected 2")]
    BadVersion(u8),
    /// The padding bit is set but the padding count (the packet's last byte) is 0.
    #[error("padding bit set but the padding count is 0")]
    ZeroPadding,
    /// The padding count is larger than the packet body.
    #[error("padding count {count} exceeds the {available}-byte packet body")]
    PaddingTooLong {
        /// The padding count.
        count: u8,
        /// Bytes after the 4-byte common header.
        available: usize,
    },
    /// An SDES chunk's item list has no terminating null item before the end of the packet.
    #[error("SDES chunk for SSRC {ssrc:#010x} has no end of item list")]
    SdesUnterminated {
        /// The chunk's SSRC/CSRC.
        ssrc: u32,
    },
    /// Bytes that are not padding follow the last element the count field announced.
    #[error("{0} unexpected bytes after the last announced element")]
    TrailingBytes(usize),
    /// RFC 3550 A.2: a compound packet must start with an SR or an RR.
    #[error("compound packet starts with packet type {0}, not a sender or receiver report")]
    FirstNotReport(u8),
    /// RFC 3550 A.2: only the last packet of a compound packet may have padding.
    #[error("padding on a packet that is not the last of the compound packet")]
    PaddingNotLast,
    /// An empty datagram.
    #[error("empty packet")]
    Empty,
}

/// Shorthand for a truncation error.
pub(super) fn truncated(offset: usize, what: &'static str, needed: usize, available: usize) -> RtcpError {
    RtcpError { offset, reason: RtcpErrorReason::Truncated { what, needed, available } }
}
