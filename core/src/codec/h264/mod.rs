//! H.264 (ITU-T H.264 / ISO/IEC 14496-10): NAL unit types, parameter sets and RTP depacketization (RFC 6184).

pub(crate) mod depacketize;
mod pps;
mod sps;

pub use pps::Pps;
pub use sps::{Sps, Timing, parse_sps, profile_name};

/// NAL unit types (H.264 table 7-1) and RTP payload structure types (RFC 6184 table 1).
pub mod nal_type {
    /// Coded slice of a non-IDR picture.
    pub const SLICE: u8 = 1;
    /// Coded slice data partition A.
    pub const PARTITION_A: u8 = 2;
    /// Coded slice of an IDR picture: a keyframe.
    pub const IDR: u8 = 5;
    /// Supplemental enhancement information.
    pub const SEI: u8 = 6;
    /// Sequence parameter set.
    pub const SPS: u8 = 7;
    /// Picture parameter set.
    pub const PPS: u8 = 8;
    /// Access unit delimiter.
    pub const AUD: u8 = 9;
    /// Single-time aggregation packet (RFC 6184 5.7.1).
    pub const STAP_A: u8 = 24;
    /// Single-time aggregation packet with decoding order number (interleaved mode only).
    pub const STAP_B: u8 = 25;
    /// Multi-time aggregation packet with 16-bit timestamp offsets (interleaved mode only).
    pub const MTAP16: u8 = 26;
    /// Multi-time aggregation packet with 24-bit timestamp offsets (interleaved mode only).
    pub const MTAP24: u8 = 27;
    /// Fragmentation unit A (RFC 6184 5.8).
    pub const FU_A: u8 = 28;
    /// Fragmentation unit B, with decoding order number (interleaved mode only).
    pub const FU_B: u8 = 29;
}

/// The nal_unit_type of an H.264 NAL unit (the low 5 bits of its first byte); None for an empty slice.
pub fn nal_unit_type(nal: &[u8]) -> Option<u8> {
    nal.first().map(|b| b & 0x1F)
}

/// Whether an H.264 NAL unit type is a coded slice (types 1..=5), i.e. part of a picture.
pub fn is_vcl(nal_type: u8) -> bool {
    (nal_type::SLICE..=nal_type::IDR).contains(&nal_type)
}

/// The human name of an H.264 NAL unit type, for evidence.
pub fn nal_type_name(nal_type: u8) -> &'static str {
    match nal_type {
        0 => "unspecified",
        1 => "non-IDR slice",
        2..=4 => "slice data partition",
        5 => "IDR slice",
        6 => "SEI",
        7 => "SPS",
        8 => "PPS",
        9 => "access unit delimiter",
        10 => "end of sequence",
        11 => "end of stream",
        12 => "filler data",
        13 => "SPS extension",
        14 => "prefix NAL unit",
        15 => "subset SPS",
        19 => "auxiliary slice",
        20 => "slice extension",
        24 => "STAP-A",
        25 => "STAP-B",
        26 => "MTAP16",
        27 => "MTAP24",
        28 => "FU-A",
        29 => "FU-B",
        _ => "reserved",
    }
}
