//! Which codec some NAL units are, from their bytes alone: the one rule for an Annex B file
//! ([`container::annexb_file`](crate::container::annexb_file)) and for what a technician pastes into the
//! parameter set inspector ([`sdp::sprop::inspect`](crate::sdp::sprop::inspect()).
//!
//! NAL unit headers do not say their codec, and each codec's headers read as valid headers of the other. The
//! parameter sets themselves do not collide: an H.264 SPS or PPS starts with `0x27`/`0x47`/`0x67` or
//! `0x28`/`0x48`/`0x68` (forbidden bit 0, nal_ref_idc not 0), an H.265 VPS/SPS/PPS of the base layer with
//! `0x40`/`0x42`/`0x44`. But other NAL units look like the other codec's parameter sets:
//!
//! - an H.265 IDR_N_LP slice (`28 01`) or end of sequence (`48 01`) has the header of an H.264 PPS, so an
//!   H.265 keyframe cut into four slices has more "H.264 parameter sets" than it has VPS, SPS and PPS;
//! - an H.264 IDR slice with nal_ref_idc 2 (`45 ..`) has the type of an H.265 PPS, a P slice (`41 9a`) that of
//!   a VPS (both with nuh_layer_id 32 or more, which single-layer streams never use);
//! - an H.264 data partition A (`42 01`, Extended profile) has the whole header of an H.265 SPS.
//!
//! So counting headers, which the inspector used to do, can be outvoted by slices; and a header alone can be a
//! coincidence. The rule ([`detect`]):
//!
//! 1. The first NAL unit that has the header of an H.264 SPS (`x7`, nal_ref_idc not 0), or of an H.265 VPS or
//!    SPS of layer 0 with TemporalId 0 (`40 01`, `42 01`, as the standard requires of them), **and parses as
//!    one**, decides: [`Detection::Parsed`]. Slices never parse as sequence or video parameter sets: their
//!    first bits would have to be a valid profile, level and the whole SPS syntax with its range checks.
//! 2. When none parses (a damaged or truncated SPS, a lone PPS), headers alone: the codec under which more NAL
//!    units have a parameter set header (H.264 SPS/PPS with nal_ref_idc not 0; H.265 VPS/SPS/PPS of layer 0)
//!    wins, [`Detection::Headers`]; as many for both is [`Detection::Ambiguous`], none [`Detection::Unknown`].
//!
//! The container reader accepts only the first kind (it is about to serve the stream, and an SPS that does not
//! parse is no stream); the inspector takes both, since it exists to report on damaged parameter sets.

use std::cmp::Ordering;

use super::{Codec, h264, h265};

/// What [`detect`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Detection {
    /// A sequence (or H.265 video) parameter set of this codec parses: the codec is known.
    Parsed(Codec),
    /// No parameter set parses, but more NAL units have this codec's parameter set headers than the other's.
    Headers(Codec),
    /// No parameter set parses, and as many NAL units have H.264 parameter set headers as H.265 ones.
    Ambiguous {
        /// How many under each reading.
        each: usize,
    },
    /// No NAL unit has a parameter set header of either codec.
    Unknown,
}

impl Detection {
    /// The codec, when a parameter set parsed or the headers tell.
    pub fn codec(self) -> Option<Codec> {
        match self {
            Detection::Parsed(codec) | Detection::Headers(codec) => Some(codec),
            Detection::Ambiguous { .. } | Detection::Unknown => None,
        }
    }

    /// The codec, only when a parameter set parsed as one of its own.
    pub fn confirmed(self) -> Option<Codec> {
        match self {
            Detection::Parsed(codec) => Some(codec),
            _ => None,
        }
    }
}

/// Tells the codec of `nals` (NAL units without start codes, headers included), by the rule of the module
/// documentation. Stops at the first parameter set that parses.
pub fn detect<'a>(nals: impl IntoIterator<Item = &'a [u8]>) -> Detection {
    let (mut h264_sets, mut h265_sets) = (0usize, 0usize);
    for nal in nals {
        if h264_sps_header(nal) && h264::Sps::parse(nal).is_ok() {
            return Detection::Parsed(Codec::H264);
        }
        if h265_vps_or_sps_header(nal) {
            let parses = match h265::nal_unit_type(nal) {
                Some(h265::nal_type::VPS) => h265::Vps::parse(nal).is_ok(),
                Some(h265::nal_type::SPS) => h265::Sps::parse(nal).is_ok(),
                _ => false,
            };
            if parses {
                return Detection::Parsed(Codec::H265);
            }
        }
        h264_sets += usize::from(parameter_set_header(Codec::H264, nal));
        h265_sets += usize::from(parameter_set_header(Codec::H265, nal));
    }
    match h264_sets.cmp(&h265_sets) {
        Ordering::Greater => Detection::Headers(Codec::H264),
        Ordering::Less => Detection::Headers(Codec::H265),
        Ordering::Equal if h264_sets == 0 => Detection::Unknown,
        Ordering::Equal => Detection::Ambiguous { each: h264_sets },
    }
}

/// Forbidden bit 0, nal_ref_idc not 0 (the standard requires it of parameter sets), type 7.
fn h264_sps_header(nal: &[u8]) -> bool {
    nal.first().is_some_and(|&b| b & 0x9F == h264::nal_type::SPS && b & 0x60 != 0)
}

/// Forbidden bit 0, type 32 or 33, nuh_layer_id 0 and TemporalId 0 (nuh_temporal_id_plus1 = 1): `40 01`, `42 01`.
fn h265_vps_or_sps_header(nal: &[u8]) -> bool {
    matches!(nal, [b0, 0x01, ..] if b0 & 0x81 == 0
        && matches!((b0 >> 1) & 0x3F, h265::nal_type::VPS | h265::nal_type::SPS))
}

/// Whether `nal` has the header of a parameter set of `codec`, strictly: forbidden bit 0; H.264 needs
/// nal_ref_idc not 0 and type 7 or 8; H.265 needs type 32 to 34 in a base-layer unit (nuh_layer_id 0,
/// nuh_temporal_id_plus1 not 0).
fn parameter_set_header(codec: Codec, nal: &[u8]) -> bool {
    match (codec, nal) {
        (Codec::H264, [b0, ..]) => {
            b0 & 0x80 == 0 && b0 & 0x60 != 0 && matches!(b0 & 0x1F, h264::nal_type::SPS | h264::nal_type::PPS)
        }
        (Codec::H265, [b0, b1, ..]) => {
            b0 & 0x81 == 0
                && b1 >> 3 == 0
                && b1 & 7 != 0
                && (h265::nal_type::VPS..=h265::nal_type::PPS).contains(&((b0 >> 1) & 0x3F))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    use crate::codec::test_nals::{IDR, IDR5 as IDR_N_LP5, PPS, PPS5, SPS, SPS5, VPS5};

    #[test]
    fn a_parameter_set_that_parses_decides() {
        assert_eq!(detect([SPS, PPS, IDR]), Detection::Parsed(Codec::H264));
        assert_eq!(detect([VPS5, SPS5, PPS5]), Detection::Parsed(Codec::H265));
        assert_eq!(detect([SPS5]), Detection::Parsed(Codec::H265));
        assert_eq!(detect([PPS, IDR, SPS]).confirmed(), Some(Codec::H264));
    }

    #[test]
    fn h265_slices_with_h264_pps_headers_do_not_outvote_the_vps() {
        // A keyframe in four IDR_N_LP slices: four "H.264 PPS" headers against three H.265 parameter sets.
        let nals = [VPS5, SPS5, PPS5, IDR_N_LP5, IDR_N_LP5, IDR_N_LP5, IDR_N_LP5];
        assert_eq!(detect(nals), Detection::Parsed(Codec::H265));
        // The same with the VPS and SPS damaged: headers alone, and they are outvoted (which is why they
        // come second).
        let cut = [&VPS5[..4], &SPS5[..4], PPS5, IDR_N_LP5, IDR_N_LP5, IDR_N_LP5, IDR_N_LP5];
        assert_eq!(detect(cut), Detection::Headers(Codec::H264));
    }

    #[test]
    fn an_h264_look_alike_of_an_h265_sps_must_parse() {
        // H.264 data partition A with nal_ref_idc 2: the exact header of an H.265 SPS, but no SPS.
        let partition: &[u8] = &[0x42, 0x01, 0x9a, 0x21, 0x00];
        assert_eq!(detect([partition, SPS, PPS]), Detection::Parsed(Codec::H264));
        // P and IDR slices with nal_ref_idc 2 read as H.265 VPS/PPS types, but of layer 32 and up: not counted.
        let p: &[u8] = &[0x41, 0x9a, 0x21];
        let idr: &[u8] = &[0x45, 0x88, 0x80];
        assert_eq!(detect([p, idr, p]), Detection::Unknown);
    }

    #[test]
    fn headers_alone_when_nothing_parses() {
        assert_eq!(detect([PPS]), Detection::Headers(Codec::H264));
        assert_eq!(detect([&SPS[..6], PPS]).codec(), Some(Codec::H264));
        assert_eq!(detect([&SPS[..6], PPS]).confirmed(), None);
        assert_eq!(detect([PPS5]), Detection::Headers(Codec::H265));
        assert_eq!(detect([PPS, PPS5]), Detection::Ambiguous { each: 1 });
        assert_eq!(detect([PPS, PPS5]).codec(), None);
        assert_eq!(detect([IDR]), Detection::Unknown);
        assert_eq!(detect(std::iter::empty()), Detection::Unknown);
        // The forbidden bit makes a header no header.
        assert_eq!(detect([&[0xe8, 0x01][..]]), Detection::Unknown);
    }
}
