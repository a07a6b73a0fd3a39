//! [`Codec`]: the one name for "H.264 or H.265" across rtspeek (depacketizer, parameter sets, SDP lint,
//! containers, the parameter set inspector), with what differs between the two at the NAL unit header.

use serde::{Deserialize, Serialize};

use super::{CodecError, SpsInfo, h264, h265};

/// A video codec rtspeek reads: H.264 or H.265.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Codec {
    /// H.264 / AVC (RTP payload format RFC 6184): 1-byte NAL unit header.
    H264,
    /// H.265 / HEVC (RTP payload format RFC 7798): 2-byte NAL unit header.
    H265,
}

/// A codec name that is neither H.264 nor H.265.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("codec {name:?}: expected \"h264\" or \"h265\"")]
pub struct UnknownCodec {
    /// The name as given.
    pub name: String,
}

impl Codec {
    /// `H.264` or `H.265`, for people.
    pub fn name(self) -> &'static str {
        match self {
            Codec::H264 => "H.264",
            Codec::H265 => "H.265",
        }
    }

    /// `h264` or `h265`: the serde name, used in JSON and on command lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Codec::H264 => "h264",
            Codec::H265 => "h265",
        }
    }

    /// Reads `h264`/`h265`, also spelled `H.264`, `avc`, `avc1`, `hevc`, `hvc1`, `hev1` (any case, with or
    /// without `.`, `-`, `_`).
    pub fn from_name(name: &str) -> Result<Codec, UnknownCodec> {
        match name.trim().to_ascii_lowercase().replace(['.', '-', '_'], "").as_str() {
            "h264" | "avc" | "avc1" => Ok(Codec::H264),
            "h265" | "hevc" | "hvc1" | "hev1" => Ok(Codec::H265),
            _ => Err(UnknownCodec { name: name.to_owned() }),
        }
    }

    /// Length of the NAL unit header: 1 byte (H.264) or 2 (H.265).
    pub fn nal_header_len(self) -> usize {
        match self {
            Codec::H264 => 1,
            Codec::H265 => 2,
        }
    }

    /// The `nal_unit_type` of a NAL unit; `None` when it is empty.
    pub fn nal_unit_type(self, nal: &[u8]) -> Option<u8> {
        match self {
            Codec::H264 => h264::nal_unit_type(nal),
            Codec::H265 => h265::nal_unit_type(nal),
        }
    }

    /// The standard's name of a NAL unit type (`IDR slice`, `SPS`...).
    pub fn nal_type_name(self, nal_type: u8) -> &'static str {
        match self {
            Codec::H264 => h264::nal_type_name(nal_type),
            Codec::H265 => h265::nal_type_name(nal_type),
        }
    }

    /// Reads an SPS NAL unit (header included, emulation prevention present) into its summary.
    pub fn parse_sps(self, nal: &[u8]) -> Result<SpsInfo, CodecError> {
        match self {
            Codec::H264 => h264::parse_sps(nal),
            Codec::H265 => h265::parse_sps(nal),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn names() {
        assert_eq!(Codec::from_name("H.265"), Ok(Codec::H265));
        assert_eq!(Codec::from_name(" avc1 "), Ok(Codec::H264));
        assert_eq!(Codec::from_name("HEVC"), Ok(Codec::H265));
        let e = Codec::from_name("vp8").unwrap_err();
        assert_eq!(e.to_string(), "codec \"vp8\": expected \"h264\" or \"h265\"");
        for codec in [Codec::H264, Codec::H265] {
            assert_eq!(Codec::from_name(codec.as_str()), Ok(codec));
            assert_eq!(Codec::from_name(codec.name()), Ok(codec));
        }
    }

    #[test]
    fn nal_headers() {
        assert_eq!(Codec::H264.nal_unit_type(&[0x67]), Some(7));
        assert_eq!(Codec::H265.nal_unit_type(&[0x40, 0x01]), Some(32));
        assert_eq!(Codec::H265.nal_unit_type(&[]), None);
        assert_eq!(Codec::H264.nal_type_name(5), "IDR slice");
        assert_eq!((Codec::H264.nal_header_len(), Codec::H265.nal_header_len()), (1, 2));
    }
}
