//! RTCP (RFC 3550): compound packet parsing (SR, RR, SDES, BYE, APP) and building receiver/sender reports.
//!
//! Parsing is zero-copy: every packet type is a view over the compound packet's bytes, checked once when it is
//! read, so its accessors and iterators never fail. Two ways in:
//! - [`packets`] walks a compound packet leniently, one packet after the other, and yields an error (with its
//!   byte offset in the compound packet) where it cannot go on: a receiver still uses what came before;
//! - [`Compound::parse`] also applies the validity checks of RFC 3550 A.2 (first packet SR or RR, padding only
//!   on the last packet, lengths adding up to the whole), for a strict verdict.
//!
//! Packet types other than the five of RFC 3550 (feedback, XR...) are kept as [`UnknownPacket`] (type, count
//! and raw body). Writers for every type are in [`build`](mod@build); report blocks computed from reception
//! statistics come from [`crate::rtp::Receiver`].

mod app;
pub mod build;
mod bye;
mod compound;
mod error;
mod report;
mod sdes;

pub use app::App;
pub use build::{
    RtcpBuildError, write_app, write_bye, write_receiver_report, write_sdes, write_sdes_cname,
    write_sender_report,
};
pub use bye::Bye;
pub use compound::{Compound, Packets, RtcpPacket, UnknownPacket, packets};
pub use error::{RtcpError, RtcpErrorReason};
pub use report::{
    ReceiverReport, ReportBlock, ReportBlocks, SenderInfo, SenderReport, dlsr_from_duration, lsr_from_ntp,
    ntp_timestamp,
};
pub use sdes::{SdesChunk, SdesChunks, SdesItem, SdesItemKind, SdesItems, SourceDescription};

/// Packet type of a sender report (SR).
pub const SR: u8 = 200;
/// Packet type of a receiver report (RR).
pub const RR: u8 = 201;
/// Packet type of a source description (SDES).
pub const SDES: u8 = 202;
/// Packet type of a goodbye (BYE).
pub const BYE: u8 = 203;
/// Packet type of an application-defined packet (APP).
pub const APP: u8 = 204;

/// Whether a datagram that arrives where RTP and RTCP share a port (RFC 5761) is RTCP: its second byte, the RTCP
/// packet type, is in 192-223, a range RTP payload types (with the marker bit) avoid when multiplexed.
pub fn looks_like_rtcp(bytes: &[u8]) -> bool {
    matches!(bytes.get(1), Some(192..=223))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn rtcp_is_told_from_rtp_by_the_second_byte() {
        assert!(looks_like_rtcp(&[0x80, SR]));
        assert!(looks_like_rtcp(&[0x81, 223]));
        // RTP PT 96 with and without the marker bit.
        assert!(!looks_like_rtcp(&[0x80, 96]));
        assert!(!looks_like_rtcp(&[0x80, 0x80 | 96]));
        assert!(!looks_like_rtcp(&[0x80]));
    }
}
