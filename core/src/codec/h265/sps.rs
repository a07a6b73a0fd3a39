//! H.265 sequence parameter set (ITU-T H.265 7.3.2.2.1), read up to the VUI timing information.
//!
//! The syntax after the VUI timing (HRD parameters, bitstream restriction, extensions) holds nothing
//! rtspeek reports, so it is not read; everything before it is walked exactly, since the fields are
//! variable-length and each depends on the previous ones.

use super::super::bitreader::{BitReader, remove_emulation_prevention};
use super::super::{CodecError, SpsInfo, codec_string};
use super::{ProfileTierLevel, nal_type};

const WHAT: &str = "H.265 SPS";

/// The largest pic_width/height_in_luma_samples accepted: level 6.2 allows 8444 (sqrt(MaxLumaPs * 8)), so
/// 16888 leaves room while keeping a corrupt ue(v) from giving absurd sizes.
const MAX_DIMENSION: u32 = 16888;

/// Every field of an H.265 SPS that rtspeek uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Sps {
    /// sps_video_parameter_set_id.
    pub vps_id: u8,
    /// sps_max_sub_layers_minus1 + 1.
    pub max_sub_layers: u8,
    /// The general profile, tier and level.
    pub profile_tier_level: ProfileTierLevel,
    /// sps_seq_parameter_set_id (0..=15).
    pub id: u8,
    /// chroma_format_idc (0 monochrome, 1 = 4:2:0, 2 = 4:2:2, 3 = 4:4:4).
    pub chroma_format_idc: u8,
    /// separate_colour_plane_flag.
    pub separate_colour_plane: bool,
    /// pic_width_in_luma_samples.
    pub coded_width: u32,
    /// pic_height_in_luma_samples.
    pub coded_height: u32,
    /// Conformance window as (left, right, top, bottom) in luma samples, when signalled.
    pub conformance_window: Option<(u32, u32, u32, u32)>,
    /// Displayed width after the conformance window.
    pub width: u32,
    /// Displayed height after the conformance window.
    pub height: u32,
    /// Luma bit depth.
    pub bit_depth_luma: u8,
    /// Chroma bit depth.
    pub bit_depth_chroma: u8,
    /// VUI timing as (num_units_in_tick, time_scale), when present.
    pub timing: Option<(u32, u32)>,
}

impl Sps {
    /// Parses an SPS NAL unit: `nal` includes the 2-byte NAL header, emulation-prevention bytes still present.
    pub fn parse(nal: &[u8]) -> Result<Sps, CodecError> {
        let payload = super::check_header(nal, nal_type::SPS, WHAT)?;
        let rbsp = remove_emulation_prevention(payload);
        parse_rbsp(&mut BitReader::new(&rbsp, WHAT))
    }

    /// Frames per second from the VUI timing: `time_scale / num_units_in_tick` (E.3.1; unlike H.264, a
    /// tick is a whole picture).
    pub fn frame_rate(&self) -> Option<f64> {
        self.timing
            .filter(|&(units, scale)| units > 0 && scale > 0)
            .map(|(units, scale)| f64::from(scale) / f64::from(units))
    }

    /// The summary shared with H.264. The codec string uses the `hvc1` sample entry.
    pub fn info(&self) -> SpsInfo {
        let ptl = &self.profile_tier_level;
        SpsInfo {
            codec: "h265".into(),
            profile_idc: ptl.profile_idc,
            constraint_flags: 0,
            level_idc: ptl.level_idc,
            profile_name: ptl.profile_name().into(),
            width: self.width,
            height: self.height,
            chroma_format_idc: self.chroma_format_idc,
            bit_depth_luma: self.bit_depth_luma,
            bit_depth_chroma: self.bit_depth_chroma,
            frame_rate: self.frame_rate(),
            codec_string: codec_string::hevc(ptl, false),
        }
    }
}

/// Parses an H.265 SPS NAL unit (2-byte header included, emulation prevention present) into the summary.
pub fn parse_sps(nal: &[u8]) -> Result<SpsInfo, CodecError> {
    Sps::parse(nal).map(|sps| sps.info())
}

fn parse_rbsp(r: &mut BitReader<'_>) -> Result<Sps, CodecError> {
    let vps_id = r.bits(4, "sps_video_parameter_set_id")? as u8;
    let max_sub_layers_minus1 = r.bits(3, "sps_max_sub_layers_minus1")? as u8;
    if max_sub_layers_minus1 > 6 {
        return Err(r.out_of_range("sps_max_sub_layers_minus1", max_sub_layers_minus1, "at most 6"));
    }
    r.flag("sps_temporal_id_nesting_flag")?;
    let profile_tier_level = ProfileTierLevel::read(r, max_sub_layers_minus1)?;
    let id = r.ue_max("sps_seq_parameter_set_id", 15)? as u8;
    let chroma_format_idc = r.ue_max("chroma_format_idc", 3)? as u8;
    let separate_colour_plane = chroma_format_idc == 3 && r.flag("separate_colour_plane_flag")?;
    let coded_width = r.ue_max("pic_width_in_luma_samples", MAX_DIMENSION)?;
    let coded_height = r.ue_max("pic_height_in_luma_samples", MAX_DIMENSION)?;
    if coded_width == 0 || coded_height == 0 {
        return Err(r.error(format!("picture size {coded_width}x{coded_height} is empty")));
    }
    let (mut width, mut height) = (coded_width, coded_height);
    let mut conformance_window = None;
    if r.flag("conformance_window_flag")? {
        // Offsets count chroma samples (7-4..7-5, table 6-1).
        let (unit_x, unit_y) = match (chroma_format_idc, separate_colour_plane) {
            (1, _) => (2, 2),
            (2, _) => (2, 1),
            _ => (1, 1),
        };
        let mut offset = |field: &str, unit: u32| Ok::<_, CodecError>(r.ue_max(field, MAX_DIMENSION)? * unit);
        let left = offset("conf_win_left_offset", unit_x)?;
        let right = offset("conf_win_right_offset", unit_x)?;
        let top = offset("conf_win_top_offset", unit_y)?;
        let bottom = offset("conf_win_bottom_offset", unit_y)?;
        if left + right >= coded_width || top + bottom >= coded_height {
            return Err(r.error(format!(
                "conformance window (left {left}, right {right}, top {top}, bottom {bottom}) leaves no \
                 picture of the coded {coded_width}x{coded_height}"
            )));
        }
        width -= left + right;
        height -= top + bottom;
        conformance_window = Some((left, right, top, bottom));
    }
    let bit_depth_luma = 8 + r.ue_max("bit_depth_luma_minus8", 8)? as u8;
    let bit_depth_chroma = 8 + r.ue_max("bit_depth_chroma_minus8", 8)? as u8;
    let log2_max_poc_lsb = 4 + r.ue_max("log2_max_pic_order_cnt_lsb_minus4", 12)?;
    let ordering_info = r.flag("sps_sub_layer_ordering_info_present_flag")?;
    let first = if ordering_info { 0 } else { max_sub_layers_minus1 };
    for _ in first..=max_sub_layers_minus1 {
        r.ue_max("sps_max_dec_pic_buffering_minus1", 15)?;
        r.ue_max("sps_max_num_reorder_pics", 15)?;
        r.ue("sps_max_latency_increase_plus1")?;
    }
    r.ue_max("log2_min_luma_coding_block_size_minus3", 3)?;
    r.ue_max("log2_diff_max_min_luma_coding_block_size", 3)?;
    r.ue_max("log2_min_luma_transform_block_size_minus2", 3)?;
    r.ue_max("log2_diff_max_min_luma_transform_block_size", 3)?;
    r.ue_max("max_transform_hierarchy_depth_inter", 4)?;
    r.ue_max("max_transform_hierarchy_depth_intra", 4)?;
    if r.flag("scaling_list_enabled_flag")? && r.flag("sps_scaling_list_data_present_flag")? {
        scaling_list_data(r)?;
    }
    r.flag("amp_enabled_flag")?;
    r.flag("sample_adaptive_offset_enabled_flag")?;
    if r.flag("pcm_enabled_flag")? {
        r.skip(8, "pcm_sample_bit_depth_luma/chroma_minus1")?;
        r.ue_max("log2_min_pcm_luma_coding_block_size_minus3", 2)?;
        r.ue_max("log2_diff_max_min_pcm_luma_coding_block_size", 2)?;
        r.flag("pcm_loop_filter_disabled_flag")?;
    }
    let num_short_term_ref_pic_sets = r.ue_max("num_short_term_ref_pic_sets", 64)?;
    let mut num_delta_pocs = Vec::with_capacity(num_short_term_ref_pic_sets as usize);
    for _ in 0..num_short_term_ref_pic_sets {
        let count = st_ref_pic_set(r, &num_delta_pocs)?;
        num_delta_pocs.push(count);
    }
    if r.flag("long_term_ref_pics_present_flag")? {
        let count = r.ue_max("num_long_term_ref_pics_sps", 32)?;
        for _ in 0..count {
            r.skip(u64::from(log2_max_poc_lsb) + 1, "lt_ref_pic_poc_lsb_sps/used_by_curr_pic_lt_sps_flag")?;
        }
    }
    r.flag("sps_temporal_mvp_enabled_flag")?;
    r.flag("strong_intra_smoothing_enabled_flag")?;
    let timing = if r.flag("vui_parameters_present_flag")? { vui_timing(r)? } else { None };
    Ok(Sps {
        vps_id,
        max_sub_layers: max_sub_layers_minus1 + 1,
        profile_tier_level,
        id,
        chroma_format_idc,
        separate_colour_plane,
        coded_width,
        coded_height,
        conformance_window,
        width,
        height,
        bit_depth_luma,
        bit_depth_chroma,
        timing,
    })
}

/// scaling_list_data() (7.3.4): walked only. Every loop has a fixed bound.
fn scaling_list_data(r: &mut BitReader<'_>) -> Result<(), CodecError> {
    for size_id in 0..4u32 {
        let step = if size_id == 3 { 3 } else { 1 };
        for matrix_id in (0..6u32).step_by(step) {
            if !r.flag("scaling_list_pred_mode_flag")? {
                r.ue_max("scaling_list_pred_matrix_id_delta", matrix_id / step as u32)?;
            } else {
                let coefficients = 64.min(1 << (4 + (size_id << 1)));
                if size_id > 1 {
                    r.se_range("scaling_list_dc_coef_minus8", -7, 247)?;
                }
                for _ in 0..coefficients {
                    r.se_range("scaling_list_delta_coef", -128, 127)?;
                }
            }
        }
    }
    Ok(())
}

/// st_ref_pic_set(idx) (7.3.7) inside an SPS, idx being `previous.len()`; returns NumDeltaPocs[idx].
/// `previous` holds NumDeltaPocs of the sets before it, which inter-set prediction refers to.
fn st_ref_pic_set(r: &mut BitReader<'_>, previous: &[u32]) -> Result<u32, CodecError> {
    // The flag is coded for every set but the first (idx != 0). In an SPS delta_idx_minus1 is not coded:
    // the reference is the previous set.
    if let Some(&reference) = previous.last()
        && r.flag("inter_ref_pic_set_prediction_flag")?
    {
        r.flag("delta_rps_sign")?;
        r.ue_max("abs_delta_rps_minus1", (1 << 15) - 1)?;
        let mut count = 0;
        for _ in 0..=reference {
            let used_by_curr_pic = r.flag("used_by_curr_pic_flag")?;
            // use_delta_flag is inferred to be 1 when absent (7.4.8).
            if used_by_curr_pic || r.flag("use_delta_flag")? {
                count += 1;
            }
        }
        if count > 32 {
            return Err(r.out_of_range("NumDeltaPocs", count, "at most 32"));
        }
        return Ok(count);
    }
    let negative = r.ue_max("num_negative_pics", 16)?;
    let positive = r.ue_max("num_positive_pics", 16)?;
    for _ in 0..negative + positive {
        r.ue_max("delta_poc_minus1", (1 << 15) - 1)?;
        r.flag("used_by_curr_pic_flag")?;
    }
    Ok(negative + positive)
}

/// vui_parameters() (E.2.1) up to the timing information.
fn vui_timing(r: &mut BitReader<'_>) -> Result<Option<(u32, u32)>, CodecError> {
    if r.flag("aspect_ratio_info_present_flag")? && r.u8("aspect_ratio_idc")? == 255 {
        r.skip(32, "sar_width/sar_height")?;
    }
    if r.flag("overscan_info_present_flag")? {
        r.flag("overscan_appropriate_flag")?;
    }
    if r.flag("video_signal_type_present_flag")? {
        r.skip(4, "video_format/video_full_range_flag")?;
        if r.flag("colour_description_present_flag")? {
            r.skip(24, "colour_primaries/transfer_characteristics/matrix_coeffs")?;
        }
    }
    if r.flag("chroma_loc_info_present_flag")? {
        r.ue_max("chroma_sample_loc_type_top_field", 5)?;
        r.ue_max("chroma_sample_loc_type_bottom_field", 5)?;
    }
    r.skip(3, "neutral_chroma_indication/field_seq/frame_field_info_present flags")?;
    if r.flag("default_display_window_flag")? {
        for field in ["def_disp_win_left_offset", "right", "top", "bottom"] {
            r.ue_max(field, MAX_DIMENSION)?;
        }
    }
    if !r.flag("vui_timing_info_present_flag")? {
        return Ok(None);
    }
    let units = r.bits(32, "vui_num_units_in_tick")?;
    let scale = r.bits(32, "vui_time_scale")?;
    Ok(Some((units, scale)))
}
