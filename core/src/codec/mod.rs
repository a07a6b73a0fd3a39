//! Codec inspection: H.264 (RFC 6184) and H.265 (RFC 7798) depacketization into access units, parameter
//! set parsing (SPS/PPS/VPS), keyframe and GOP statistics, and WebCodecs codec strings.

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
