//! H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) with its VUI (Annex E.1.1).

use super::super::bitreader::{BitReader, remove_emulation_prevention};
use super::super::{CodecError, SpsInfo, codec_string};
use super::nal_type;

const WHAT: &str = "H.264 SPS";

/// Profiles whose SPS carries chroma_format_idc, bit depths and scaling lists (7.3.2.1.1).
const HIGH_PROFILES: [u8; 13] = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

/// The largest picture dimension accepted, in macroblocks: 8192 pixels wide is level 6.2's limit, so 1024
/// macroblocks (16384 pixels) leaves room without letting a corrupt ue(v) make absurd sizes.
const MAX_DIMENSION_MBS: u32 = 1024;

/// Every field of an H.264 SPS that rtspeek uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Sps {
    /// profile_idc.
    pub profile_idc: u8,
    /// constraint_set0..5 flags and the two reserved bits, as the byte after profile_idc.
    pub constraint_flags: u8,
    /// level_idc (10 x level; 9 is level 1b).
    pub level_idc: u8,
    /// seq_parameter_set_id (0..=31).
    pub id: u8,
    /// chroma_format_idc (1 = 4:2:0, the default for profiles without the field).
    pub chroma_format_idc: u8,
    /// separate_colour_plane_flag (4:4:4 only).
    pub separate_colour_plane: bool,
    /// Luma bit depth.
    pub bit_depth_luma: u8,
    /// Chroma bit depth.
    pub bit_depth_chroma: u8,
    /// Whether the SPS carries scaling matrices.
    pub scaling_matrix_present: bool,
    /// log2_max_frame_num_minus4 + 4.
    pub log2_max_frame_num: u8,
    /// pic_order_cnt_type (0..=2).
    pub pic_order_cnt_type: u8,
    /// max_num_ref_frames.
    pub max_num_ref_frames: u32,
    /// frame_mbs_only_flag: false means the stream may hold fields (interlaced coding).
    pub frame_mbs_only: bool,
    /// mb_adaptive_frame_field_flag (MBAFF).
    pub mb_adaptive_frame_field: bool,
    /// Coded width in pixels (macroblocks x 16).
    pub coded_width: u32,
    /// Coded frame height in pixels (map units x 16, doubled for field coding).
    pub coded_height: u32,
    /// Frame cropping as (left, right, top, bottom) in pixels, when frame_cropping_flag is set.
    pub crop: Option<(u32, u32, u32, u32)>,
    /// Displayed width after cropping.
    pub width: u32,
    /// Displayed height after cropping.
    pub height: u32,
    /// VUI timing information, when present.
    pub timing: Option<Timing>,
    /// max_num_reorder_frames from the VUI bitstream restriction, when present (0 means no B-frame delay).
    pub max_num_reorder_frames: Option<u32>,
}

/// VUI timing information (E.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// num_units_in_tick.
    pub num_units_in_tick: u32,
    /// time_scale.
    pub time_scale: u32,
    /// fixed_frame_rate_flag.
    pub fixed_frame_rate: bool,
}

impl Timing {
    /// Frames per second: `time_scale / (2 * num_units_in_tick)`, since H.264 counts a tick per field
    /// (E.2.1). None when a field is zero.
    pub fn frame_rate(&self) -> Option<f64> {
        (self.num_units_in_tick > 0 && self.time_scale > 0)
            .then(|| f64::from(self.time_scale) / (2.0 * f64::from(self.num_units_in_tick)))
    }
}

impl Sps {
    /// Parses an SPS NAL unit: `nal` includes the 1-byte NAL header, emulation-prevention bytes still present.
    pub fn parse(nal: &[u8]) -> Result<Sps, CodecError> {
        let Some((&header, payload)) = nal.split_first() else {
            return Err(CodecError { what: WHAT, bit_offset: 0, reason: "empty NAL unit".into() });
        };
        if header & 0x1F != nal_type::SPS {
            return Err(CodecError {
                what: WHAT,
                bit_offset: 0,
                reason: format!("NAL unit type {} is not an SPS (7)", header & 0x1F),
            });
        }
        let rbsp = remove_emulation_prevention(payload);
        parse_rbsp(&mut BitReader::new(&rbsp, WHAT))
    }

    /// The summary shared with H.265.
    pub fn info(&self) -> SpsInfo {
        SpsInfo {
            codec: "h264".into(),
            profile_idc: self.profile_idc,
            constraint_flags: self.constraint_flags,
            level_idc: self.level_idc,
            profile_name: profile_name(self.profile_idc, self.constraint_flags).into(),
            width: self.width,
            height: self.height,
            chroma_format_idc: self.chroma_format_idc,
            bit_depth_luma: self.bit_depth_luma,
            bit_depth_chroma: self.bit_depth_chroma,
            frame_rate: self.timing.and_then(|t| t.frame_rate()),
            codec_string: codec_string::avc1(self.profile_idc, self.constraint_flags, self.level_idc),
        }
    }
}

/// Parses an H.264 SPS NAL unit (1-byte header included, emulation prevention present) into the summary.
pub fn parse_sps(nal: &[u8]) -> Result<SpsInfo, CodecError> {
    Sps::parse(nal).map(|sps| sps.info())
}

/// The profile's name (Annex A), refined by the constraint flags where they define a named profile.
pub fn profile_name(profile_idc: u8, constraint_flags: u8) -> &'static str {
    let cs = |n: u8| constraint_flags & (0x80 >> n) != 0;
    match profile_idc {
        66 if cs(1) => "Constrained Baseline",
        66 => "Baseline",
        77 => "Main",
        88 => "Extended",
        100 if cs(4) && cs(5) => "Constrained High",
        100 if cs(4) => "Progressive High",
        100 => "High",
        110 if cs(3) => "High 10 Intra",
        110 if cs(4) => "Progressive High 10",
        110 => "High 10",
        122 if cs(3) => "High 4:2:2 Intra",
        122 => "High 4:2:2",
        244 if cs(3) => "High 4:4:4 Intra",
        244 => "High 4:4:4 Predictive",
        44 => "CAVLC 4:4:4 Intra",
        83 => "Scalable Baseline",
        86 => "Scalable High",
        118 => "Multiview High",
        128 => "Stereo High",
        134 => "MFC High",
        135 => "MFC Depth High",
        138 => "Multiview Depth High",
        139 => "Enhanced Multiview Depth High",
        _ => "Unknown",
    }
}

fn parse_rbsp(r: &mut BitReader<'_>) -> Result<Sps, CodecError> {
    let profile_idc = r.u8("profile_idc")?;
    let constraint_flags = r.u8("constraint_set_flags")?;
    let level_idc = r.u8("level_idc")?;
    let id = r.ue_max("seq_parameter_set_id", 31)? as u8;

    let (mut chroma_format_idc, mut separate_colour_plane, mut bit_depth_luma, mut bit_depth_chroma) =
        (1u8, false, 8u8, 8u8);
    let mut scaling_matrix_present = false;
    if HIGH_PROFILES.contains(&profile_idc) {
        chroma_format_idc = r.ue_max("chroma_format_idc", 3)? as u8;
        if chroma_format_idc == 3 {
            separate_colour_plane = r.flag("separate_colour_plane_flag")?;
        }
        bit_depth_luma = 8 + r.ue_max("bit_depth_luma_minus8", 6)? as u8;
        bit_depth_chroma = 8 + r.ue_max("bit_depth_chroma_minus8", 6)? as u8;
        r.flag("qpprime_y_zero_transform_bypass_flag")?;
        scaling_matrix_present = r.flag("seq_scaling_matrix_present_flag")?;
        if scaling_matrix_present {
            let lists = if chroma_format_idc == 3 { 12 } else { 8 };
            for i in 0..lists {
                if r.flag("seq_scaling_list_present_flag")? {
                    scaling_list(r, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }

    let log2_max_frame_num = 4 + r.ue_max("log2_max_frame_num_minus4", 12)? as u8;
    let pic_order_cnt_type = r.ue_max("pic_order_cnt_type", 2)? as u8;
    match pic_order_cnt_type {
        0 => {
            r.ue_max("log2_max_pic_order_cnt_lsb_minus4", 12)?;
        }
        1 => {
            r.flag("delta_pic_order_always_zero_flag")?;
            r.se("offset_for_non_ref_pic")?;
            r.se("offset_for_top_to_bottom_field")?;
            let cycle = r.ue_max("num_ref_frames_in_pic_order_cnt_cycle", 255)?;
            for _ in 0..cycle {
                r.se("offset_for_ref_frame")?;
            }
        }
        _ => {}
    }
    let max_num_ref_frames = r.ue_max("max_num_ref_frames", 16)?;
    r.flag("gaps_in_frame_num_value_allowed_flag")?;
    let width_mbs = r.ue_max("pic_width_in_mbs_minus1", MAX_DIMENSION_MBS - 1)? + 1;
    let height_map_units = r.ue_max("pic_height_in_map_units_minus1", MAX_DIMENSION_MBS - 1)? + 1;
    let frame_mbs_only = r.flag("frame_mbs_only_flag")?;
    let mb_adaptive_frame_field = !frame_mbs_only && r.flag("mb_adaptive_frame_field_flag")?;
    r.flag("direct_8x8_inference_flag")?;

    let coded_width = width_mbs * 16;
    let coded_height = height_map_units * 16 * if frame_mbs_only { 1 } else { 2 };
    let (mut width, mut height) = (coded_width, coded_height);
    let mut crop = None;
    if r.flag("frame_cropping_flag")? {
        // Crop units (7-19..7-22): offsets count chroma samples, and field pairs count double vertically.
        let chroma_array_type = if separate_colour_plane { 0 } else { chroma_format_idc };
        let (unit_x, unit_y) = match chroma_array_type {
            0 => (1, 1),
            1 => (2, 2),
            2 => (2, 1),
            _ => (1, 1),
        };
        let unit_y = unit_y * if frame_mbs_only { 1 } else { 2 };
        let mut offset = |field: &str, unit: u32| -> Result<u32, CodecError> {
            Ok(r.ue_max(field, MAX_DIMENSION_MBS * 16)? * unit)
        };
        let left = offset("frame_crop_left_offset", unit_x)?;
        let right = offset("frame_crop_right_offset", unit_x)?;
        let top = offset("frame_crop_top_offset", unit_y)?;
        let bottom = offset("frame_crop_bottom_offset", unit_y)?;
        if left + right >= coded_width || top + bottom >= coded_height {
            return Err(r.error(format!(
                "frame cropping (left {left}, right {right}, top {top}, bottom {bottom}) leaves no picture \
                 of the coded {coded_width}x{coded_height}"
            )));
        }
        width -= left + right;
        height -= top + bottom;
        crop = Some((left, right, top, bottom));
    }

    let mut sps = Sps {
        profile_idc,
        constraint_flags,
        level_idc,
        id,
        chroma_format_idc,
        separate_colour_plane,
        bit_depth_luma,
        bit_depth_chroma,
        scaling_matrix_present,
        log2_max_frame_num,
        pic_order_cnt_type,
        max_num_ref_frames,
        frame_mbs_only,
        mb_adaptive_frame_field,
        coded_width,
        coded_height,
        crop,
        width,
        height,
        timing: None,
        max_num_reorder_frames: None,
    };
    if r.flag("vui_parameters_present_flag")? {
        vui(r, &mut sps)?;
    }
    Ok(sps)
}

/// scaling_list() (7.3.2.1.1.1): only walked, since rtspeek does not decode pictures. A list stops early when
/// nextScale becomes 0, so the loop is bounded by `size`.
fn scaling_list(r: &mut BitReader<'_>, size: usize) -> Result<(), CodecError> {
    let (mut last_scale, mut next_scale) = (8i32, 8i32);
    for _ in 0..size {
        if next_scale != 0 {
            let delta = r.se_range("delta_scale", -128, 127)?;
            next_scale = (last_scale + delta + 256) % 256;
        }
        if next_scale != 0 {
            last_scale = next_scale;
        }
    }
    Ok(())
}

/// vui_parameters() (E.1.1).
fn vui(r: &mut BitReader<'_>, sps: &mut Sps) -> Result<(), CodecError> {
    if r.flag("aspect_ratio_info_present_flag")? && r.u8("aspect_ratio_idc")? == 255 {
        r.skip(32, "sar_width/sar_height")?;
    }
    if r.flag("overscan_info_present_flag")? {
        r.flag("overscan_appropriate_flag")?;
    }
    if r.flag("video_signal_type_present_flag")? {
        r.skip(4, "video_format/video_full_range_flag")?;
        if r.flag("colour_description_present_flag")? {
            r.skip(24, "colour_primaries/transfer_characteristics/matrix_coefficients")?;
        }
    }
    if r.flag("chroma_loc_info_present_flag")? {
        r.ue_max("chroma_sample_loc_type_top_field", 5)?;
        r.ue_max("chroma_sample_loc_type_bottom_field", 5)?;
    }
    if r.flag("timing_info_present_flag")? {
        let num_units_in_tick = r.bits(32, "num_units_in_tick")?;
        let time_scale = r.bits(32, "time_scale")?;
        let fixed_frame_rate = r.flag("fixed_frame_rate_flag")?;
        sps.timing = Some(Timing { num_units_in_tick, time_scale, fixed_frame_rate });
    }
    let nal_hrd = r.flag("nal_hrd_parameters_present_flag")?;
    if nal_hrd {
        hrd_parameters(r)?;
    }
    let vcl_hrd = r.flag("vcl_hrd_parameters_present_flag")?;
    if vcl_hrd {
        hrd_parameters(r)?;
    }
    if nal_hrd || vcl_hrd {
        r.flag("low_delay_hrd_flag")?;
    }
    r.flag("pic_struct_present_flag")?;
    if r.flag("bitstream_restriction_flag")? {
        r.flag("motion_vectors_over_pic_boundaries_flag")?;
        r.ue_max("max_bytes_per_pic_denom", 16)?;
        r.ue_max("max_bits_per_mb_denom", 16)?;
        r.ue_max("log2_max_mv_length_horizontal", 16)?;
        r.ue_max("log2_max_mv_length_vertical", 16)?;
        sps.max_num_reorder_frames = Some(r.ue_max("max_num_reorder_frames", 16)?);
        r.ue_max("max_dec_frame_buffering", 16)?;
    }
    Ok(())
}

/// hrd_parameters() (E.1.2): walked to reach the fields after it.
fn hrd_parameters(r: &mut BitReader<'_>) -> Result<(), CodecError> {
    let cpb_cnt = r.ue_max("cpb_cnt_minus1", 31)? + 1;
    r.skip(8, "bit_rate_scale/cpb_size_scale")?;
    for _ in 0..cpb_cnt {
        r.ue("bit_rate_value_minus1")?;
        r.ue("cpb_size_value_minus1")?;
        r.flag("cbr_flag")?;
    }
    r.skip(20, "hrd delay lengths")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// x264 (ffmpeg -f lavfi -i testsrc2=size=1920x1080:rate=25 -c:v libx264 -profile:v high -level 4.0),
    /// coded 1088 lines with 8 cropped, 25 fps in VUI timing; two emulation-prevention bytes.
    const SPS_1080P: [u8; 27] = [
        0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00,
        0x04, 0x00, 0x00, 0x03, 0x00, 0xc8, 0x3c, 0x60, 0xc6, 0x58,
    ];

    #[test]
    fn parses_a_cropped_1080p_high_profile_sps() {
        let sps = Sps::parse(&SPS_1080P).unwrap();
        assert_eq!((sps.coded_width, sps.coded_height), (1920, 1088));
        assert_eq!((sps.width, sps.height), (1920, 1080));
        assert_eq!(sps.crop, Some((0, 0, 0, 8)));
        let info = sps.info();
        assert_eq!(info.profile_name, "High");
        assert_eq!(info.level_idc, 40);
        assert_eq!(info.frame_rate, Some(25.0));
        assert_eq!(info.codec_string, "avc1.640028");
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        for len in 0..SPS_1080P.len() - 1 {
            let err = parse_sps(&SPS_1080P[..len]).unwrap_err();
            assert_eq!(err.what, WHAT);
        }
    }

    #[test]
    fn wrong_nal_type_is_named() {
        let err = parse_sps(&[0x68, 0xce, 0x3c, 0x80]).unwrap_err();
        assert!(err.reason.contains("type 8"), "{err}");
    }

    #[test]
    fn profile_names_follow_constraint_flags() {
        assert_eq!(profile_name(66, 0xC0), "Constrained Baseline");
        assert_eq!(profile_name(100, 0x0C), "Constrained High");
        assert_eq!(profile_name(110, 0x10), "High 10 Intra");
        assert_eq!(profile_name(1, 0), "Unknown");
    }
}
