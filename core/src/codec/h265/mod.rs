//! H.265 (ITU-T H.265 / ISO/IEC 23008-2): NAL unit types, parameter sets and RTP depacketization (RFC 7798).

pub(crate) mod depacketize;
mod ptl;
mod sps;
mod vps_pps;

pub use ptl::ProfileTierLevel;
pub use sps::{Sps, parse_sps};
pub use vps_pps::{Pps, Vps};

use super::CodecError;

/// NAL unit types (H.265 table 7-1) and RTP payload structure types (RFC 7798 4.4).
pub mod nal_type {
    /// First IRAP type: BLA_W_LP. Types 16..=23 are intra random access points (keyframes).
    pub const BLA_W_LP: u8 = 16;
    /// IDR_W_RADL.
    pub const IDR_W_RADL: u8 = 19;
    /// IDR_N_LP.
    pub const IDR_N_LP: u8 = 20;
    /// CRA_NUT: clean random access.
    pub const CRA: u8 = 21;
    /// Last type of the IRAP range (RSV_IRAP_VCL23).
    pub const RSV_IRAP_23: u8 = 23;
    /// Video parameter set.
    pub const VPS: u8 = 32;
    /// Sequence parameter set.
    pub const SPS: u8 = 33;
    /// Picture parameter set.
    pub const PPS: u8 = 34;
    /// Access unit delimiter.
    pub const AUD: u8 = 35;
    /// Prefix SEI.
    pub const PREFIX_SEI: u8 = 39;
    /// Aggregation packet (RFC 7798 4.4.2).
    pub const AP: u8 = 48;
    /// Fragmentation unit (RFC 7798 4.4.3).
    pub const FU: u8 = 49;
    /// PACI packet (RFC 7798 4.4.4).
    pub const PACI: u8 = 50;
}

/// The nal_unit_type of an H.265 NAL unit (bits 1..=6 of its first byte); None for an empty slice.
pub fn nal_unit_type(nal: &[u8]) -> Option<u8> {
    nal.first().map(|b| (b >> 1) & 0x3F)
}

/// Whether an H.265 NAL unit type is an intra random access point (16..=23: BLA, IDR, CRA): a keyframe.
pub fn is_irap(nal_type: u8) -> bool {
    (nal_type::BLA_W_LP..=nal_type::RSV_IRAP_23).contains(&nal_type)
}

/// Whether an H.265 NAL unit type is a coded slice segment (0..=31).
pub fn is_vcl(nal_type: u8) -> bool {
    nal_type < 32
}

/// The human name of an H.265 NAL unit type, for evidence.
pub fn nal_type_name(nal_type: u8) -> &'static str {
    match nal_type {
        0..=9 => "non-IRAP slice",
        16..=18 => "BLA slice",
        19 | 20 => "IDR slice",
        21 => "CRA slice",
        32 => "VPS",
        33 => "SPS",
        34 => "PPS",
        35 => "access unit delimiter",
        36 => "end of sequence",
        37 => "end of bitstream",
        38 => "filler data",
        39 => "prefix SEI",
        40 => "suffix SEI",
        48 => "AP",
        49 => "FU",
        50 => "PACI",
        _ => "reserved",
    }
}

/// Checks a 2-byte H.265 NAL header for `expected` type and returns the payload after it.
fn check_header<'a>(nal: &'a [u8], expected: u8, what: &'static str) -> Result<&'a [u8], CodecError> {
    let [first, _, payload @ ..] = nal else {
        return Err(CodecError {
            what,
            bit_offset: 0,
            reason: format!("{} bytes is too short for a NAL header", nal.len()),
        });
    };
    let found = (first >> 1) & 0x3F;
    if found != expected {
        return Err(CodecError {
            what,
            bit_offset: 0,
            reason: format!(
                "NAL unit type {found} ({}) is not {expected} ({})",
                nal_type_name(found),
                nal_type_name(expected)
            ),
        });
    }
    Ok(payload)
}
