//! H.265 video and picture parameter sets (7.3.2.1, 7.3.2.3.1): the fields rtspeek reports.

use super::super::CodecError;
use super::super::bitreader::{BitReader, remove_emulation_prevention};
use super::{ProfileTierLevel, nal_type};

/// What rtspeek reads from a VPS.
#[derive(Debug, Clone, PartialEq)]
pub struct Vps {
    /// vps_video_parameter_set_id.
    pub id: u8,
    /// vps_max_layers_minus1 + 1.
    pub max_layers: u8,
    /// vps_max_sub_layers_minus1 + 1 (temporal sub-layers).
    pub max_sub_layers: u8,
    /// The general profile, tier and level.
    pub profile_tier_level: ProfileTierLevel,
    /// VPS timing as (num_units_in_tick, time_scale), when present.
    pub timing: Option<(u32, u32)>,
}

impl Vps {
    /// Parses a VPS NAL unit (2-byte header included, emulation prevention present), up to its timing
    /// information; the HRD parameters after it are not read.
    pub fn parse(nal: &[u8]) -> Result<Vps, CodecError> {
        const WHAT: &str = "H.265 VPS";
        let rbsp = remove_emulation_prevention(super::check_header(nal, nal_type::VPS, WHAT)?);
        let r = &mut BitReader::new(&rbsp, WHAT);
        let id = r.bits(4, "vps_video_parameter_set_id")? as u8;
        r.skip(2, "vps_base_layer_internal/available_flag")?;
        let max_layers = r.bits(6, "vps_max_layers_minus1")? as u8 + 1;
        let max_sub_layers_minus1 = r.bits(3, "vps_max_sub_layers_minus1")? as u8;
        if max_sub_layers_minus1 > 6 {
            return Err(r.out_of_range("vps_max_sub_layers_minus1", max_sub_layers_minus1, "at most 6"));
        }
        r.flag("vps_temporal_id_nesting_flag")?;
        let reserved = r.bits(16, "vps_reserved_0xffff_16bits")?;
        if reserved != 0xFFFF {
            return Err(r.error(format!("vps_reserved_0xffff_16bits is {reserved:#06x}, not 0xffff")));
        }
        let profile_tier_level = ProfileTierLevel::read(r, max_sub_layers_minus1)?;
        let first =
            if r.flag("vps_sub_layer_ordering_info_present_flag")? { 0 } else { max_sub_layers_minus1 };
        for _ in first..=max_sub_layers_minus1 {
            r.ue_max("vps_max_dec_pic_buffering_minus1", 15)?;
            r.ue_max("vps_max_num_reorder_pics", 15)?;
            r.ue("vps_max_latency_increase_plus1")?;
        }
        let max_layer_id = r.bits(6, "vps_max_layer_id")?;
        let layer_sets = r.ue_max("vps_num_layer_sets_minus1", 1023)?;
        // At most 1023 x 64 flags; a truncated VPS stops at its end.
        r.skip(u64::from(layer_sets) * (u64::from(max_layer_id) + 1), "layer_id_included_flag")?;
        let timing = if r.flag("vps_timing_info_present_flag")? {
            Some((r.bits(32, "vps_num_units_in_tick")?, r.bits(32, "vps_time_scale")?))
        } else {
            None
        };
        Ok(Vps { id, max_layers, max_sub_layers: max_sub_layers_minus1 + 1, profile_tier_level, timing })
    }
}

/// What rtspeek reads from a PPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pps {
    /// pps_pic_parameter_set_id (0..=63).
    pub id: u8,
    /// pps_seq_parameter_set_id (0..=15).
    pub sps_id: u8,
    /// dependent_slice_segments_enabled_flag.
    pub dependent_slice_segments: bool,
    /// init_qp_minus26 + 26.
    pub init_qp: i32,
    /// tiles_enabled_flag.
    pub tiles: bool,
    /// entropy_coding_sync_enabled_flag (wavefront parallel processing).
    pub entropy_coding_sync: bool,
}

impl Pps {
    /// Parses a PPS NAL unit (2-byte header included, emulation prevention present) up to the tiles and
    /// wavefront flags.
    pub fn parse(nal: &[u8]) -> Result<Pps, CodecError> {
        const WHAT: &str = "H.265 PPS";
        let rbsp = remove_emulation_prevention(super::check_header(nal, nal_type::PPS, WHAT)?);
        let r = &mut BitReader::new(&rbsp, WHAT);
        let id = r.ue_max("pps_pic_parameter_set_id", 63)? as u8;
        let sps_id = r.ue_max("pps_seq_parameter_set_id", 15)? as u8;
        let dependent_slice_segments = r.flag("dependent_slice_segments_enabled_flag")?;
        r.skip(6, "output_flag_present/num_extra_slice_header_bits/sign_data_hiding/cabac_init_present")?;
        r.ue_max("num_ref_idx_l0_default_active_minus1", 14)?;
        r.ue_max("num_ref_idx_l1_default_active_minus1", 14)?;
        // The lower bound depends on the bit depth (-(26 + QpBdOffsetY)); 8 extra bits of depth give -74.
        let init_qp = 26 + r.se_range("init_qp_minus26", -74, 25)?;
        r.skip(2, "constrained_intra_pred_flag/transform_skip_enabled_flag")?;
        if r.flag("cu_qp_delta_enabled_flag")? {
            r.ue_max("diff_cu_qp_delta_depth", 3)?;
        }
        r.se_range("pps_cb_qp_offset", -12, 12)?;
        r.se_range("pps_cr_qp_offset", -12, 12)?;
        r.skip(4, "chroma qp offsets/weighted prediction/transquant bypass flags")?;
        let tiles = r.flag("tiles_enabled_flag")?;
        let entropy_coding_sync = r.flag("entropy_coding_sync_enabled_flag")?;
        Ok(Pps { id, sps_id, dependent_slice_segments, init_qp, tiles, entropy_coding_sync })
    }
}
