//! Parameter sets carried in the description: H.264 `sprop-parameter-sets` (RFC 6184 8.1) and H.265
//! `sprop-vps`/`sprop-sps`/`sprop-pps` (RFC 7798 7.1), each a comma-separated list of base64 NAL units.
//!
//! - [`decode`], [`decode_list`], [`classify`]: the SDP lint's reading of one item.
//! - [`inspect()`]: the parameter set inspector (`rtspeek sdp sprop`, the page's `inspectParameterSets`):
//!   a sprop value, `a=fmtp:` line, hex or Annex B bytes in, a [`ParameterSetInfo`] out.
//!
//! ```
//! use rtspeek_core::sdp::sprop::{Input, inspect};
//! let info = inspect(Input::Text("Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY,aOvjyyLA"), None)?;
//! assert_eq!(info.codec_string.as_deref(), Some("avc1.640028"));
//! assert_eq!(info.sps.map(|s| (s.width, s.height)), Some((1920, 1080)));
//! # Ok::<(), rtspeek_core::sdp::sprop::InspectError>(())
//! ```

mod input;
pub mod inspect;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::codec::{Codec, ParamSetKind, h264, h265};

pub use input::InputForm;
pub use inspect::{Input, ParameterSetInfo, SetSummary, SpsSummary, inspect};

/// Base64 as cameras write it: the standard alphabet, with or without padding, non-zero trailing bits
/// accepted (harmless, and common).
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Why a parameter set cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpropError {
    /// Nothing between the commas.
    #[error("empty parameter set")]
    Empty,
    /// Not base64.
    #[error("not base64: {0}")]
    Base64(String),
    /// Shorter than the NAL header.
    #[error("{len} byte(s), shorter than the NAL unit header")]
    Short {
        /// Decoded length.
        len: usize,
    },
    /// The NAL header's forbidden_zero_bit is set: these bytes are not a NAL unit.
    #[error("forbidden_zero_bit is set: not a NAL unit")]
    ForbiddenBit,
    /// A NAL unit that is not a parameter set (or not the one the parameter names).
    #[error("NAL unit type {nal_type} ({name}) is not {expected}")]
    WrongType {
        /// The NAL unit type.
        nal_type: u8,
        /// Its name.
        name: &'static str,
        /// What was expected.
        expected: &'static str,
    },
}

/// Why the inspector found nothing to report on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    /// Nothing but whitespace.
    #[error("the input is empty")]
    Empty,
    /// Text that is neither `sprop-*` parameters, hex, nor a comma-separated base64 list.
    #[error(
        "{text:?} is not a sprop-parameter-sets value (base64 NAL units separated by commas), an a=fmtp line \
         with sprop parameters, or hex"
    )]
    NotRecognized {
        /// The input, shortened.
        text: String,
    },
    /// An `a=fmtp:` line whose `sprop-*` parameters are unknown or have no value.
    #[error("{line:?}: no sprop-parameter-sets, sprop-vps, sprop-sps or sprop-pps parameter with a value")]
    NoSpropParameter {
        /// The line, shortened.
        line: String,
    },
    /// [`codec::detect`](crate::codec::detect()) cannot tell: nothing parses, and as many NAL units have
    /// H.264 parameter set headers as H.265 ones.
    #[error(
        "as many NAL units have H.264 parameter set headers as H.265 ones ({each}) and none parses as an SPS: \
         say which codec"
    )]
    Ambiguous {
        /// How many under each reading.
        each: usize,
    },
    /// No parameter set among the NAL units.
    #[error("no {} parameter set found: {}", .codec.map_or("H.264 or H.265", Codec::name), .why.join("; "))]
    NotFound {
        /// The codec, when known (given, named by the parameters, or detected).
        codec: Option<Codec>,
        /// What was found instead, one sentence per item.
        why: Vec<String>,
    },
}

/// Decodes one base64 parameter set (surrounding whitespace ignored).
pub fn decode(item: &str) -> Result<Vec<u8>, SpropError> {
    let item = item.trim();
    if item.is_empty() {
        return Err(SpropError::Empty);
    }
    LENIENT_BASE64.decode(item).map_err(|e| SpropError::Base64(e.to_string()))
}

/// The items of a comma-separated sprop value, as written and decoded.
pub fn decode_list(value: &str) -> impl Iterator<Item = (&str, Result<Vec<u8>, SpropError>)> {
    value.split(',').map(|item| (item.trim(), decode(item)))
}

/// Checks a decoded NAL unit's header and says which parameter set it is. `expected` restricts the kind (H.265
/// names it in the fmtp key); H.264 accepts any parameter set, and counts a subset SPS (15) or an SPS
/// extension (13) as an SPS (RFC 6184 8.1 allows them in `sprop-parameter-sets`).
pub fn classify(
    codec: Codec,
    nal: &[u8],
    expected: Option<ParamSetKind>,
) -> Result<ParamSetKind, SpropError> {
    let header_len = codec.nal_header_len();
    let first = match nal.first() {
        Some(&first) if nal.len() >= header_len => first,
        _ => return Err(SpropError::Short { len: nal.len() }),
    };
    if first & 0x80 != 0 {
        return Err(SpropError::ForbiddenBit);
    }
    let (nal_type, kind, name) = match codec {
        Codec::H264 => {
            let t = first & 0x1F;
            // Subset SPS (15) and SPS extension (13) belong with the SPS (RFC 6184 8.1 allows them).
            let kind = match t {
                7 | 13 | 15 => Some(ParamSetKind::Sps),
                8 => Some(ParamSetKind::Pps),
                _ => None,
            };
            (t, kind, h264::nal_type_name(t))
        }
        Codec::H265 => {
            let t = (first >> 1) & 0x3F;
            let kind = match t {
                32 => Some(ParamSetKind::Vps),
                33 => Some(ParamSetKind::Sps),
                34 => Some(ParamSetKind::Pps),
                _ => None,
            };
            (t, kind, h265::nal_type_name(t))
        }
    };
    match (kind, expected) {
        (Some(k), None) => Ok(k),
        (Some(k), Some(e)) if k == e => Ok(k),
        (_, e) => Err(SpropError::WrongType {
            nal_type,
            name,
            expected: match (codec, e) {
                (_, Some(ParamSetKind::Vps)) => "a VPS (32)",
                (Codec::H265, Some(ParamSetKind::Sps)) => "an SPS (33)",
                (Codec::H265, Some(ParamSetKind::Pps)) => "a PPS (34)",
                (Codec::H264, Some(ParamSetKind::Sps)) => "an SPS (7)",
                (Codec::H264, Some(ParamSetKind::Pps)) => "a PPS (8)",
                (Codec::H264, None) => "an SPS (7) or PPS (8)",
                (Codec::H265, None) => "a VPS, SPS or PPS (32-34)",
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn base64_with_or_without_padding() {
        assert_eq!(decode("aM48gA=="), Ok(vec![0x68, 0xce, 0x3c, 0x80]));
        assert_eq!(decode(" aM48gA "), Ok(vec![0x68, 0xce, 0x3c, 0x80]));
        assert_eq!(decode(""), Err(SpropError::Empty));
        assert!(matches!(decode("aM4*gA=="), Err(SpropError::Base64(_))));
        let items: Vec<_> =
            decode_list("Z0IACpZTBYmI,aMljiA==,").map(|(text, r)| (text, r.is_ok())).collect();
        assert_eq!(items, [("Z0IACpZTBYmI", true), ("aMljiA==", true), ("", false)]);
    }

    #[test]
    fn nal_headers() {
        assert_eq!(classify(Codec::H264, &[0x67, 0x42], None), Ok(ParamSetKind::Sps));
        assert_eq!(classify(Codec::H264, &[0x6f], None), Ok(ParamSetKind::Sps), "subset SPS");
        assert_eq!(classify(Codec::H264, &[0x68], None), Ok(ParamSetKind::Pps));
        assert_eq!(classify(Codec::H264, &[], None), Err(SpropError::Short { len: 0 }));
        assert_eq!(classify(Codec::H264, &[0xe7], None), Err(SpropError::ForbiddenBit));
        assert_eq!(
            classify(Codec::H264, &[0x65, 0x88], None).map_err(|e| e.to_string()),
            Err("NAL unit type 5 (IDR slice) is not an SPS (7) or PPS (8)".to_owned())
        );
        assert_eq!(classify(Codec::H265, &[0x40, 0x01], Some(ParamSetKind::Vps)), Ok(ParamSetKind::Vps));
        assert_eq!(classify(Codec::H265, &[0x42, 0x01], None), Ok(ParamSetKind::Sps));
        assert_eq!(classify(Codec::H265, &[0x44], None), Err(SpropError::Short { len: 1 }));
        assert!(matches!(
            classify(Codec::H265, &[0x42, 0x01], Some(ParamSetKind::Pps)),
            Err(SpropError::WrongType { nal_type: 33, expected: "a PPS (34)", .. })
        ));
    }
}
