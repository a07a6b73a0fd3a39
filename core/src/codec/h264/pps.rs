//! H.264 picture parameter set (7.3.2.2): the basic fields and the entropy coding mode.

use super::super::CodecError;
use super::super::bitreader::{BitReader, remove_emulation_prevention};
use super::nal_type;

const WHAT: &str = "H.264 PPS";

/// What rtspeek reads from an H.264 PPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pps {
    /// pic_parameter_set_id (0..=255).
    pub id: u8,
    /// seq_parameter_set_id (0..=31) of the SPS it refers to.
    pub sps_id: u8,
    /// entropy_coding_mode_flag: true = CABAC, false = CAVLC.
    pub cabac: bool,
    /// num_slice_groups_minus1 + 1 (FMO, Baseline/Extended only).
    pub num_slice_groups: u8,
    /// num_ref_idx_l0_default_active_minus1 + 1.
    pub num_ref_idx_l0_default_active: u8,
    /// num_ref_idx_l1_default_active_minus1 + 1.
    pub num_ref_idx_l1_default_active: u8,
    /// weighted_pred_flag.
    pub weighted_pred: bool,
    /// pic_init_qp_minus26 + 26.
    pub pic_init_qp: i32,
    /// deblocking_filter_control_present_flag.
    pub deblocking_filter_control_present: bool,
    /// transform_8x8_mode_flag (High profiles; false when the PPS ends before it).
    pub transform_8x8_mode: bool,
}

impl Pps {
    /// Parses a PPS NAL unit: `nal` includes the 1-byte NAL header, emulation-prevention bytes still present.
    /// The optional High-profile scaling matrices at the end are not read (they need the SPS).
    pub fn parse(nal: &[u8]) -> Result<Pps, CodecError> {
        let Some((&header, payload)) = nal.split_first() else {
            return Err(CodecError { what: WHAT, bit_offset: 0, reason: "empty NAL unit".into() });
        };
        if header & 0x1F != nal_type::PPS {
            return Err(CodecError {
                what: WHAT,
                bit_offset: 0,
                reason: format!("NAL unit type {} is not a PPS (8)", header & 0x1F),
            });
        }
        let rbsp = remove_emulation_prevention(payload);
        let r = &mut BitReader::new(&rbsp, WHAT);
        let id = r.ue_max("pic_parameter_set_id", 255)? as u8;
        let sps_id = r.ue_max("seq_parameter_set_id", 31)? as u8;
        let cabac = r.flag("entropy_coding_mode_flag")?;
        r.flag("bottom_field_pic_order_in_frame_present_flag")?;
        let num_slice_groups = r.ue_max("num_slice_groups_minus1", 7)? + 1;
        if num_slice_groups > 1 {
            slice_groups(r, num_slice_groups)?;
        }
        let num_ref_idx_l0_default_active = r.ue_max("num_ref_idx_l0_default_active_minus1", 31)? as u8 + 1;
        let num_ref_idx_l1_default_active = r.ue_max("num_ref_idx_l1_default_active_minus1", 31)? as u8 + 1;
        let weighted_pred = r.flag("weighted_pred_flag")?;
        r.bits(2, "weighted_bipred_idc")?;
        let pic_init_qp = 26 + r.se_range("pic_init_qp_minus26", -62, 25)?;
        r.se_range("pic_init_qs_minus26", -26, 25)?;
        r.se_range("chroma_qp_index_offset", -12, 12)?;
        let deblocking_filter_control_present = r.flag("deblocking_filter_control_present_flag")?;
        r.flag("constrained_intra_pred_flag")?;
        r.flag("redundant_pic_cnt_present_flag")?;
        let transform_8x8_mode = r.more_rbsp_data() && r.flag("transform_8x8_mode_flag")?;
        Ok(Pps {
            id,
            sps_id,
            cabac,
            num_slice_groups: num_slice_groups as u8,
            num_ref_idx_l0_default_active,
            num_ref_idx_l1_default_active,
            weighted_pred,
            pic_init_qp,
            deblocking_filter_control_present,
            transform_8x8_mode,
        })
    }
}

/// The slice group map (FMO), walked only. Each loop is bounded by a ue_max or by the 2^16 map-unit cap.
fn slice_groups(r: &mut BitReader<'_>, groups: u32) -> Result<(), CodecError> {
    match r.ue_max("slice_group_map_type", 6)? {
        0 => {
            for _ in 0..groups {
                r.ue("run_length_minus1")?;
            }
        }
        2 => {
            for _ in 0..groups - 1 {
                r.ue("top_left")?;
                r.ue("bottom_right")?;
            }
        }
        3..=5 => {
            r.flag("slice_group_change_direction_flag")?;
            r.ue("slice_group_change_rate_minus1")?;
        }
        6 => {
            let units = r.ue_max("pic_size_in_map_units_minus1", 1 << 16)? + 1;
            // Ceil(Log2(num_slice_groups_minus1 + 1)) bits per map unit; groups is 2..=8.
            let bits = 32 - (groups - 1).leading_zeros();
            r.skip(u64::from(units) * u64::from(bits), "slice_group_id")?;
        }
        _ => {}
    }
    Ok(())
}
