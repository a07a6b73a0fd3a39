//! SRTP and SRTCP (RFC 3711, AEAD AES-GCM per RFC 7714) as sans-IO transforms, and SDES keys (RFC 4568).
//!
//! A [`SrtpContext`] holds one master key (one direction of one media stream, as MIKEY and SDES hand them
//! out) and the per-SSRC state under it: rollover counter, highest sequence number, replay window, SRTCP
//! index. The driver feeds it datagrams and gets plain RTP/RTCP back, or a typed [`SrtpError`] that says what
//! went wrong and carries the evidence the probe reports (estimated ROC and index for authentication
//! failures, so a ROC mismatch can be told from a wrong key with [`SrtpContext::try_roc_neighbours`]).
//!
//! ```
//! use rtspeek_core::srtp::{MasterKey, SrtpContext, Suite};
//!
//! let key = MasterKey::new(Suite::AesCm128HmacSha1_80, &[7; 16], &[9; 14]).unwrap();
//! let mut sender = SrtpContext::new(Suite::AesCm128HmacSha1_80, &key);
//! let mut receiver = SrtpContext::new(Suite::AesCm128HmacSha1_80, &key);
//! let rtp = [0x80, 96, 0, 1, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe, 1, 2, 3];
//! let srtp = sender.protect_rtp(&rtp).unwrap();
//! assert_eq!(receiver.unprotect_rtp(&srtp).unwrap(), rtp);
//! assert_eq!(receiver.counters().rtp_ok, 1);
//! ```
//!
//! Nothing here reads a clock or draws randomness: keys come from the caller (the server draws them from the
//! OS generator in the native driver).

mod context;
mod error;
mod kdf;
mod redact;
mod replay;
mod rtcp;
pub mod sdes;
mod suite;
mod transform;

pub use context::{SrtpContext, SrtpCounters, StreamState};
pub use error::SrtpError;
pub use kdf::{MasterKey, SessionKeys, derive_session_keys, kdf};
pub use redact::redact_keys;
pub use suite::Suite;

/// Default lifetime of a master key for SRTP packets (RFC 3711 section 9.2: at most 2^48 packets).
pub const SRTP_MAX_PACKETS: u64 = 1 << 48;
/// Default lifetime of a master key for SRTCP packets (RFC 3711 section 9.2: at most 2^31 packets).
pub const SRTCP_MAX_PACKETS: u64 = 1 << 31;
/// Size of the replay window, in packets (RFC 3711 section 3.3.2 asks for at least 64).
pub const REPLAY_WINDOW: u64 = 64;
/// At most this many SSRCs are tracked under one master key; more are refused, so a flood of forged SSRCs
/// cannot grow the state without bound.
pub const MAX_STREAMS: usize = 64;

/// The big-endian `u16` at `at`, if the bytes are there.
pub(crate) fn be16(p: &[u8], at: usize) -> Option<u16> {
    p.get(at..at.checked_add(2)?).and_then(|b| b.try_into().ok()).map(u16::from_be_bytes)
}

/// The big-endian `u32` at `at`, if the bytes are there.
pub(crate) fn be32(p: &[u8], at: usize) -> Option<u32> {
    p.get(at..at.checked_add(4)?).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes)
}
