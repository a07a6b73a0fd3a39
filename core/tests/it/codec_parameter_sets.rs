//! Parameter sets written bit by bit, for the syntax no encoder here produces: 4:4:4 with scaling lists,
//! pic_order_cnt_type 1, MBAFF cropping, HRD parameters (H.264); 4:2:2 range extensions, sub-layers, scaling
//! list data, PCM, inter-predicted reference picture sets, long-term pictures (H.265); and the bounds.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::codec::{Codec, bitreader::remove_emulation_prevention};
use rtspeek_core::codec::{Comparison, ParameterSets, codec_string, h264, h265};

/// Writes syntax elements MSB first, like the encoder's bitstream writer.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    bits: u32,
}

impl BitWriter {
    fn u(&mut self, n: u32, value: u64) -> &mut Self {
        for i in (0..n).rev() {
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = if i >= 64 { 0 } else { ((value >> i) & 1) as u8 };
            *self.bytes.last_mut().unwrap() |= bit << (7 - self.bits % 8);
            self.bits += 1;
        }
        self
    }

    fn flag(&mut self, value: bool) -> &mut Self {
        self.u(1, u64::from(value))
    }

    fn ue(&mut self, value: u32) -> &mut Self {
        let v = u64::from(value) + 1;
        let len = 64 - v.leading_zeros();
        self.u(len - 1, 0).u(len, v)
    }

    fn se(&mut self, value: i32) -> &mut Self {
        let k = if value > 0 { 2 * value - 1 } else { -2 * value };
        self.ue(k as u32)
    }

    /// The NAL unit: `header`, then the RBSP with its stop bit, emulation prevention inserted.
    fn nal(&mut self, header: &[u8]) -> Vec<u8> {
        self.flag(true);
        let mut out = header.to_vec();
        let mut zeros = 0;
        for &b in &self.bytes {
            if zeros >= 2 && b <= 3 {
                out.push(3);
                zeros = 0;
            }
            zeros = if b == 0 { zeros + 1 } else { 0 };
            out.push(b);
        }
        out
    }
}

/// An H.264 High 4:4:4 Predictive SPS exercising every optional branch; `cycle` is
/// num_ref_frames_in_pic_order_cnt_cycle.
fn h264_444_sps(cycle: u32, crop_bottom: u32) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.u(8, 244).u(8, 0).u(8, 51).ue(3); // profile, constraints, level 5.1, sps id 3
    w.ue(3).flag(false).ue(2).ue(2).flag(false); // 4:4:4, 10-bit luma and chroma
    w.flag(true); // seq_scaling_matrix_present_flag: 12 lists
    for i in 0..12 {
        w.flag(i % 3 != 2);
        if i % 3 != 2 {
            // delta_scale: -8 makes nextScale 0 at once (list stops early) for even lists.
            let n = if i < 6 { 16 } else { 64 };
            if i % 2 == 0 {
                w.se(-8);
            } else {
                for _ in 0..n {
                    w.se(1);
                }
            }
        }
    }
    w.ue(0).ue(1); // log2_max_frame_num_minus4, pic_order_cnt_type 1
    w.flag(false).se(-2).se(1).ue(cycle);
    for i in 0..cycle {
        w.se(i as i32 - 1);
    }
    w.ue(4).flag(false); // max_num_ref_frames, gaps
    w.ue(119).ue(33); // 1920 wide, 34 map units = 68 MB rows with fields = 1088
    w.flag(false).flag(true).flag(true); // frame_mbs_only 0, MBAFF, direct_8x8
    w.flag(true).ue(0).ue(0).ue(0).ue(crop_bottom); // cropping: 4:4:4 field units are 1 x 2
    w.flag(true); // VUI
    w.flag(true).u(8, 255).u(16, 4).u(16, 3); // extended SAR
    w.flag(true).flag(false); // overscan
    w.flag(true).u(3, 5).flag(true).flag(true).u(8, 1).u(8, 1).u(8, 1); // video signal, colour
    w.flag(true).ue(1).ue(1); // chroma loc
    w.flag(true).u(32, 1001).u(32, 60_000).flag(true); // timing: 29.97 frames per second
    w.flag(true).ue(1).u(4, 2).u(4, 3); // NAL HRD: 2 CPBs
    for _ in 0..2 {
        w.ue(1000).ue(2000).flag(true);
    }
    w.u(5, 23).u(5, 23).u(5, 23).u(5, 24);
    w.flag(false).flag(false).flag(true); // VCL HRD, low_delay_hrd_flag, pic_struct_present_flag
    w.flag(true).flag(true).ue(2).ue(1).ue(16).ue(16).ue(2).ue(4); // bitstream restriction
    w.nal(&[0x67])
}

#[test]
fn h264_high_444_with_every_optional_part() {
    let sps = h264::Sps::parse(&h264_444_sps(3, 4)).unwrap();
    assert_eq!((sps.id, sps.chroma_format_idc, sps.bit_depth_luma, sps.bit_depth_chroma), (3, 3, 10, 10));
    assert!(sps.scaling_matrix_present && !sps.frame_mbs_only && sps.mb_adaptive_frame_field);
    assert_eq!(sps.pic_order_cnt_type, 1);
    assert_eq!((sps.coded_width, sps.coded_height), (1920, 1088));
    assert_eq!(sps.crop, Some((0, 0, 0, 8)));
    assert_eq!((sps.width, sps.height), (1920, 1080));
    assert_eq!(sps.max_num_reorder_frames, Some(2));
    let info = sps.info();
    assert_eq!(info.profile_name, "High 4:4:4 Predictive");
    assert_eq!(info.codec_string, "avc1.f40033");
    assert!((info.frame_rate.unwrap() - 29.97).abs() < 0.001);
}

#[test]
fn h264_bounds_are_checked_before_loops_run() {
    let err = h264::parse_sps(&h264_444_sps(256, 4)).unwrap_err();
    assert_eq!(err.what, "H.264 SPS");
    assert_eq!(err.reason, "num_ref_frames_in_pic_order_cnt_cycle = 256 is out of range (at most 255)");
    assert!(err.bit_offset > 100, "{err}");
    // Cropping 2 x 544 lines of a 1088-line picture leaves nothing.
    let err = h264::parse_sps(&h264_444_sps(3, 544)).unwrap_err();
    assert!(
        err.reason.starts_with("frame cropping (left 0, right 0, top 0, bottom 1088) leaves no picture"),
        "{err}"
    );
}

#[test]
fn h264_every_truncation_fails_cleanly() {
    let nal = h264_444_sps(3, 4);
    for len in 0..nal.len() - 1 {
        // The last byte holds the stop bit and the end of the bitstream restriction.
        assert!(h264::parse_sps(&nal[..len]).is_err(), "{len}");
    }
}

/// profile_tier_level(1, 1): Format Range Extensions (4), High tier, level 5.1, one sub-layer with its
/// profile and level.
fn h265_ptl(w: &mut BitWriter) {
    w.u(2, 0).flag(true).u(5, 4).u(32, 0x0800_0000); // space, tier, profile 4, compatibility flag 4
    w.u(8, 0x90).u(40, 0x00_0000_0000); // progressive + frame only, rest 0
    w.u(8, 153); // level 5.1
    w.flag(true).flag(true); // sub_layer_profile/level_present_flag[0]
    w.u(2 * 7, 0); // reserved_zero_2bits for i = 1..8
    w.u(88, 0).u(8, 150); // sub-layer profile, sub-layer level 5
}

fn h265_sps(num_short_term_ref_pic_sets: u32) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.u(4, 0).u(3, 1).flag(true); // vps id, max_sub_layers_minus1 = 1, temporal id nesting
    h265_ptl(&mut w);
    w.ue(2).ue(2); // sps id 2, 4:2:2
    w.ue(1928).ue(1088).flag(true).ue(4).ue(0).ue(0).ue(8); // conformance window: 8 left, 8 bottom
    w.ue(4).ue(4).ue(4); // 12-bit, log2_max_poc_lsb 8
    w.flag(true); // ordering info for both sub-layers
    for _ in 0..2 {
        w.ue(4).ue(2).ue(0);
    }
    w.ue(0).ue(3).ue(0).ue(3).ue(1).ue(1);
    w.flag(true).flag(true); // scaling_list_enabled, sps_scaling_list_data_present
    for size_id in 0..4 {
        let step = if size_id == 3 { 3 } else { 1 };
        for matrix_id in (0..6).step_by(step) {
            let explicit = matrix_id % 2 == 0;
            w.flag(explicit);
            if explicit {
                if size_id > 1 {
                    w.se(8);
                }
                for _ in 0..(1u32 << (4 + 2 * size_id)).min(64) {
                    w.se(-1);
                }
            } else {
                w.ue(if matrix_id > 0 && size_id < 3 { 1 } else { 0 });
            }
        }
    }
    w.flag(true).flag(true); // amp, sao
    w.flag(true).u(4, 7).u(4, 7).ue(0).ue(1).flag(false); // PCM
    w.ue(num_short_term_ref_pic_sets);
    for idx in 0..num_short_term_ref_pic_sets {
        if idx > 0 {
            w.flag(true); // inter_ref_pic_set_prediction_flag
            w.flag(false).ue(0); // delta_rps_sign, abs_delta_rps_minus1
            // The previous set has 2 delta POCs, so 3 entries: used, unused without delta, used (2 again).
            w.flag(true).flag(false).flag(false).flag(true);
        } else {
            // Set 0 has no inter_ref_pic_set_prediction_flag: one negative and one positive picture.
            w.ue(1).ue(1).ue(0).flag(true).ue(0).flag(true);
        }
    }
    w.flag(true).ue(2).u(8, 5).flag(true).u(8, 9).flag(false); // two long-term pictures (8-bit lsb)
    w.flag(true).flag(true); // temporal MVP, strong intra smoothing
    w.flag(true); // VUI
    w.flag(false).flag(false).flag(false).flag(false); // no SAR, overscan, video signal, chroma loc
    w.flag(false).flag(false).flag(false); // neutral chroma, field_seq, frame_field_info
    w.flag(true).ue(0).ue(0).ue(0).ue(0); // default display window
    w.flag(true).u(32, 1).u(32, 50); // timing: 50 fps
    w.flag(false).flag(false); // poc proportional, HRD
    w.nal(&[0x42, 0x01])
}

#[test]
fn h265_range_extension_sps_with_every_optional_part() {
    let sps = h265::Sps::parse(&h265_sps(3)).unwrap();
    assert_eq!((sps.id, sps.max_sub_layers, sps.chroma_format_idc), (2, 2, 2));
    assert_eq!((sps.coded_width, sps.coded_height), (1928, 1088));
    // 4:2:2: horizontal offsets count 2 luma samples, vertical ones 1.
    assert_eq!(sps.conformance_window, Some((8, 0, 0, 8)));
    assert_eq!((sps.width, sps.height), (1920, 1080));
    assert_eq!((sps.bit_depth_luma, sps.bit_depth_chroma), (12, 12));
    let ptl = &sps.profile_tier_level;
    assert_eq!(ptl.sub_layer_levels, vec![Some(150)]);
    assert!(ptl.progressive_source() && !ptl.interlaced_source());
    let info = sps.info();
    assert_eq!(info.profile_name, "Format Range Extensions");
    assert_eq!(info.frame_rate, Some(50.0));
    assert_eq!(info.codec_string, "hvc1.4.10.H153.90");
    assert_eq!(codec_string::hevc(ptl, true), "hev1.4.10.H153.90");
}

#[test]
fn h265_truncations_and_bounds() {
    let nal = h265_sps(3);
    for len in 0..nal.len() - 12 {
        // The last 12 bytes hold the VUI timing and what follows it.
        assert!(h265::parse_sps(&nal[..len]).is_err(), "{len}");
    }
    let err = h265::parse_sps(&h265_sps(65)).unwrap_err();
    assert_eq!(err.reason, "num_short_term_ref_pic_sets = 65 is out of range (at most 64)");
    let err = h265::parse_sps(&[0x40, 0x01, 0x0C]).unwrap_err();
    assert_eq!(err.reason, "NAL unit type 32 (VPS) is not 33 (SPS)");
}

#[test]
fn h265_vps_and_pps() {
    let mut w = BitWriter::default();
    w.u(4, 5).flag(true).flag(true).u(6, 0).u(3, 1).flag(true).u(16, 0xFFFF);
    h265_ptl(&mut w);
    w.flag(false).ue(4).ue(2).ue(0); // ordering info for the highest sub-layer only
    w.u(6, 0).ue(0).flag(true).u(32, 1001).u(32, 30_000).flag(false).ue(0);
    let vps = h265::Vps::parse(&w.nal(&[0x40, 0x01])).unwrap();
    assert_eq!((vps.id, vps.max_layers, vps.max_sub_layers, vps.timing), (5, 1, 2, Some((1001, 30_000))));
    assert_eq!(vps.profile_tier_level.level_idc, 153);

    let mut w = BitWriter::default();
    w.u(4, 5).u(2, 3).u(6, 0).u(3, 0).flag(true).u(16, 0x1234);
    let err = h265::Vps::parse(&w.nal(&[0x40, 0x01])).unwrap_err();
    assert_eq!(err.reason, "vps_reserved_0xffff_16bits is 0x1234, not 0xffff");

    let mut w = BitWriter::default();
    w.ue(7).ue(2).flag(true).flag(false).u(3, 0).flag(true).flag(false).ue(0).ue(0).se(-4);
    w.flag(false).flag(true).flag(true).ue(1).se(1).se(-1).u(4, 0).flag(true).flag(true);
    let pps = h265::Pps::parse(&w.nal(&[0x44, 0x01])).unwrap();
    assert_eq!((pps.id, pps.sps_id, pps.init_qp), (7, 2, 22));
    assert!(pps.dependent_slice_segments && pps.tiles && pps.entropy_coding_sync);
}

#[test]
fn h264_pps_with_slice_groups() {
    let mut w = BitWriter::default();
    // pps 1, sps 0, CAVLC, 3 slice groups of map type 6 over 20 map units (2 bits each).
    w.ue(1).ue(0).flag(false).flag(false).ue(2).ue(6).ue(19).u(40, 0x12_3456_789A);
    w.ue(0).ue(0).flag(false).u(2, 0).se(0).se(0).se(0).flag(true).flag(false).flag(false);
    let pps = h264::Pps::parse(&w.nal(&[0x68])).unwrap();
    assert_eq!((pps.id, pps.num_slice_groups, pps.pic_init_qp), (1, 3, 26));
    assert!(!pps.cabac && !pps.transform_8x8_mode && pps.deblocking_filter_control_present);
}

#[test]
fn emulation_prevention_round_trip() {
    let nal = h264_444_sps(3, 4);
    assert!(nal.windows(3).any(|w| w == [0, 0, 3]), "the fixture needs emulation prevention");
    let rbsp = remove_emulation_prevention(&nal);
    assert!(!rbsp.windows(3).any(|w| w[0] == 0 && w[1] == 0 && w[2] <= 2));
}

#[test]
fn comparing_parameter_sets_by_kind_and_id() {
    let sps_a = h264_444_sps(3, 4);
    let sps_b = h264_444_sps(2, 4);
    let mut p = ParameterSets::new(Codec::H264);
    p.add_sdp(&sps_a);
    p.add_in_band(&sps_a);
    assert_eq!(p.comparison(), Comparison::Same);
    // The same id with other content replaces the in-band set and makes them differ.
    p.add_in_band(&sps_b);
    assert_eq!((p.comparison(), p.in_band_changes(), p.in_band().len()), (Comparison::Different, 1, 1));
    assert_eq!(p.missing(), [rtspeek_core::codec::ParamSetKind::Pps]);
}
