//! Codec inspection: H.264 (RFC 6184) and H.265 (RFC 7798) depacketization into access units, parameter
//! set parsing (SPS/PPS/VPS), keyframe and GOP statistics, and WebCodecs codec strings.
//!
//! - [`Codec`]: H.264 or H.265, the one codec name every module uses (RTP, SDP, containers), with what differs
//!   at the NAL unit header.
//! - [`decoder_config`]: the MP4 `avcC`/`hvcC` records (also retina's "extra data"): parameter sets and NAL
//!   unit length size.
//! - [`keyframe`]: keyframe slices, parameter sets in front of keyframes, and the [`KeyframeGate`] that holds
//!   frames back until a decoder can use them.
//! - [`length_prefixed`]: frames in length-prefixed form split into NAL units.
//! - [`detect()`]: H.264 or H.265, from NAL units alone (an Annex B file, pasted parameter sets): one rule,
//!   documented in [`detect`](mod@detect) with the ambiguous cases.
//! - [`Depacketizer`]: RTP payloads in, [`AccessUnit`]s out (single NAL unit packets, STAP-A, FU-A; AP, FU,
//!   PACI), with every fragmentation, loss and marker problem recorded as an [`Issue`].
//! - [`h264::parse_sps`], [`h265::parse_sps`]: the [`SpsInfo`] summary; [`h264::Sps`], [`h265::Sps`],
//!   [`h265::Vps`] and the PPS types for the details.
//! - [`StreamAnalyzer`]: keyframes, GOP length, in-band vs SDP parameter sets, and the `codec.*` findings.
//! - [`codec_string`]: `avc1.PPCCLL`, `hvc1`/`hev1` strings for WebCodecs.
//! - [`FrameStamp`]: the frame counter and capture time the synthetic camera carries in an SEI message.
//!
//! The parameter set parsers are our own rather than `h264-reader` (which covers H.264 only): one bit reader
//! serves both codecs, errors carry the bit offset and the syntax element's name (which `codec.bad_parameter_set`
//! needs as evidence), every loop bound is checked against the specification's limits before it runs, and no
//! dependency is added to the wasm build.

pub mod access_unit;
pub mod analyze;
pub mod annexb;
pub mod bitreader;
pub mod browser;
pub mod codec_string;
pub mod decoder_config;
pub mod depacketize;
pub mod detect;
pub mod frame;
pub mod gop;
pub mod h264;
pub mod h265;
pub mod keyframe;
pub mod kind;
pub mod length_prefixed;
pub mod param_sets;
pub mod stamp;
#[cfg(test)]
pub(crate) mod test_nals;

pub use access_unit::{AccessUnit, AuEnd};
pub use analyze::{CodecSummary, StreamAnalyzer};
pub use depacketize::{DepacketizeStats, Depacketizer, FuProblem, Issue, IssueCounts};
pub use detect::{Detection, detect};
pub use frame::{Frame, StreamInfo, VIDEO_CLOCK_RATE};
pub use keyframe::{GateState, Held, KeyframeGate};
pub use kind::{Codec, UnknownCodec};
pub use length_prefixed::LengthPrefixError;
pub use param_sets::{Comparison, ParamSetKind, ParameterSets};
pub use stamp::FrameStamp;

/// What a sequence parameter set says about the stream (H.264 or H.265).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SpsInfo {
    /// Codec: `h264` or `h265`.
    pub codec: String,
    /// profile_idc (H.264) or general_profile_idc (H.265).
    pub profile_idc: u8,
    /// H.264: the constraint_set flags byte; H.265: 0.
    pub constraint_flags: u8,
    /// level_idc (H.264, e.g. 31 = 3.1) or general_level_idc (H.265, 30 x level, e.g. 93 = 3.1).
    pub level_idc: u8,
    /// Human name of the profile (`High`, `Main`, `Main 10`...).
    pub profile_name: String,
    /// Displayed width in pixels, after cropping.
    pub width: u32,
    /// Displayed height in pixels, after cropping.
    pub height: u32,
    /// chroma_format_idc (1 = 4:2:0).
    pub chroma_format_idc: u8,
    /// Luma bit depth.
    pub bit_depth_luma: u8,
    /// Chroma bit depth.
    pub bit_depth_chroma: u8,
    /// Frame rate from VUI timing information, when present.
    pub frame_rate: Option<f64>,
    /// WebCodecs codec string (`avc1.64001f`, `hvc1.1.6.L93.B0`).
    pub codec_string: String,
}

impl SpsInfo {
    /// The level as the standards write it: H.264 `level_idc / 10` (`3.1`; 9 is `1b`), H.265
    /// `level_idc / 30` (`3.1` for 93).
    pub fn level_name(&self) -> String {
        let l = self.level_idc;
        if self.codec == Codec::H265.as_str() {
            format!("{}.{}", l / 30, l % 30 / 3)
        } else if l == 9 {
            "1b".to_owned()
        } else {
            format!("{}.{}", l / 10, l % 10)
        }
    }

    /// `4:2:0`, `4:2:2`, `4:4:4` or `monochrome` (chroma_format_idc 1, 2, 3, 0); `unknown` otherwise.
    pub fn chroma_format_name(&self) -> &'static str {
        match self.chroma_format_idc {
            0 => "monochrome",
            1 => "4:2:0",
            2 => "4:2:2",
            3 => "4:4:4",
            _ => "unknown",
        }
    }
}

/// Why a codec structure could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at bit {bit_offset}: {reason}")]
pub struct CodecError {
    /// What was being read (`H.264 SPS`, `FU-A`...).
    pub what: &'static str,
    /// Bit offset (within the NAL unit payload after emulation-prevention removal) where reading failed.
    pub bit_offset: usize,
    /// What was wrong.
    pub reason: String,
}
