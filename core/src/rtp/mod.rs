//! RTP (RFC 3550): packet header parsing and writing, and per-SSRC reception statistics.
//!
//! - [`RtpPacket::parse`] reads a packet into a zero-copy view (header fields, CSRCs, the header extension and
//!   its RFC 8285 elements, the payload), or says which byte is wrong; [`RtpHeader::write`] writes one.
//! - A [`Receiver`] takes every packet of one media stream with its arrival time and keeps, per SSRC (a bounded
//!   table), the statistics of RFC 3550 Appendix A: sequence validation with probation and restarts (A.1), loss
//!   (A.3), interarrival jitter (A.8), plus reordering, duplicates, frames, bitrate, silences and SSRC changes.
//!   It reads the sender's RTCP, writes receiver reports, and turns an observation window into findings
//!   ([`Receiver::assess`]).
//! - A [`Packetizer`] turns H.264/H.265 frames into RTP packets (single NAL unit, aggregation and
//!   fragmentation packets), the sending side of [`Depacketizer`](crate::codec::Depacketizer).
//!
//! Core has no clock: arrival times are `Duration`s since an origin the caller chooses.
//!
//! Recording a packet is the hot path (a camera stream is thousands of packets a second, a relay many
//! streams): it does not allocate, looks the SSRC table up only when the SSRC differs from the previous
//! packet's, and computes jitter in integers without a division. `cargo bench -p rtspeek-core --bench
//! rtp_stats` measures it.

mod assess;
mod extension;
mod packet;
pub mod packetize;
mod receiver;
mod sequence;
mod stats;
mod summary;
mod writer;

pub use assess::Thresholds;
pub use extension::{
    ExtensionElement, ExtensionElements, ExtensionForm, HeaderExtension, ONE_BYTE_PROFILE, TWO_BYTE_PROFILE,
};
pub use packet::{FIXED_HEADER_LEN, RtpError, RtpErrorReason, RtpPacket, parse};
pub use packetize::{
    DEFAULT_MAX_PAYLOAD, MAX_PAYLOAD_LIMIT, MIN_PAYLOAD_LIMIT, NalProblem, PacketBuf, PacketizeError,
    Packetizer, Packets,
};
pub use receiver::{MAX_SOURCES, Receiver, ReceiverConfig, SsrcChange};
pub use sequence::{MAX_DROPOUT, MAX_MISORDER, MIN_SEQUENTIAL};
pub use stats::{MAX_CLOCK_RATE, SourceStats};
pub use summary::{SourceSummary, StreamSummary};
pub use writer::{RtpBuildError, RtpHeader, write_extension_elements};
