//! SRTP errors: each says what was wrong and carries the numbers a report needs.

/// Why a packet could not be protected or unprotected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrtpError {
    /// The packet is shorter than its headers, MKI and tag need.
    #[error("packet of {len} bytes is too short: {needed} bytes needed for the {what}")]
    TooShort {
        /// Length of the packet.
        len: usize,
        /// Bytes needed.
        needed: usize,
        /// The structure that did not fit (`RTP header`, `auth tag`, `SRTCP index`...).
        what: &'static str,
    },
    /// The first byte does not carry RTP version 2.
    #[error("version {0}, expected 2 (not an RTP/RTCP packet)")]
    BadVersion(u8),
    /// The authentication tag (HMAC-SHA1 or the GCM tag) does not verify. `roc` and `index` are what this
    /// context estimated: if [`SrtpContext::try_roc_neighbours`](super::SrtpContext::try_roc_neighbours)
    /// finds a ROC that verifies, the sender and receiver disagree on the rollover counter.
    #[error("authentication failed for SSRC {ssrc:#010x} at index {index} (estimated ROC {roc})")]
    AuthFailed {
        /// The packet's SSRC.
        ssrc: u32,
        /// The estimated rollover counter (SRTP) or 0 (SRTCP).
        roc: u32,
        /// The estimated packet index (SRTP, 48 bits) or the SRTCP index.
        index: u64,
    },
    /// The packet index was already received, or is older than the replay window.
    #[error("replayed or too old: SSRC {ssrc:#010x} index {index} (highest {highest})")]
    Replayed {
        /// The packet's SSRC.
        ssrc: u32,
        /// Its index.
        index: u64,
        /// The highest index authenticated so far.
        highest: u64,
    },
    /// The master key has protected as many packets as it may (2^48 SRTP, 2^31 SRTCP, or the lifetime given
    /// by SDES or MIKEY).
    #[error("key lifetime exceeded: {used} packets, limit {limit}")]
    KeyLifetimeExceeded {
        /// Packets processed with this key.
        used: u64,
        /// The limit.
        limit: u64,
    },
    /// A key or salt has the wrong length for the suite.
    #[error("{what} is {got} bytes, the suite needs {expected}")]
    BadKeyLength {
        /// `master key` or `master salt`.
        what: &'static str,
        /// Length the suite needs.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// The packet's MKI is not the one this context's key is bound to.
    #[error("unknown MKI {got:02x?} (expected {expected:02x?})")]
    UnknownMki {
        /// The MKI the key was given with.
        expected: Vec<u8>,
        /// The MKI in the packet.
        got: Vec<u8>,
    },
    /// More SSRCs than [`MAX_STREAMS`](super::MAX_STREAMS) under one key.
    #[error("too many SSRCs under one master key (limit {limit})")]
    TooManyStreams {
        /// The limit.
        limit: usize,
    },
    /// The SRTCP index counter of a sender is exhausted (2^31 packets).
    #[error("SRTCP index exhausted for SSRC {ssrc:#010x}")]
    IndexExhausted {
        /// The SSRC whose counter ran out.
        ssrc: u32,
    },
}
