//! Parameter sets of real encoder output (core/tests/data/codec, see its README) against the values ffprobe
//! reports for the same files.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::codec::{annexb, h264, h265};

const X264_HIGH: &[u8] = include_bytes!("../data/codec/x264_high_320x182.h264");
const X264_INTERLACED: &[u8] = include_bytes!("../data/codec/x264_main_interlaced_320x240.h264");
const OPENH264: &[u8] = include_bytes!("../data/codec/openh264_320x182.h264");
const X265_MAIN: &[u8] = include_bytes!("../data/codec/x265_main_320x182.h265");
const X265_MAIN10: &[u8] = include_bytes!("../data/codec/x265_main10_320x180.h265");

fn first_h264(stream: &[u8], nal_type: u8) -> &[u8] {
    annexb::nal_units(stream).find(|n| h264::nal_unit_type(n) == Some(nal_type)).expect("NAL unit present")
}

fn first_h265(stream: &[u8], nal_type: u8) -> &[u8] {
    annexb::nal_units(stream).find(|n| h265::nal_unit_type(n) == Some(nal_type)).expect("NAL unit present")
}

#[test]
fn x264_high_profile_with_cropping() {
    let sps = h264::Sps::parse(first_h264(X264_HIGH, h264::nal_type::SPS)).unwrap();
    // ffprobe: profile=High level=13 width=320 height=182 r_frame_rate=25/1 pix_fmt=yuv420p
    assert_eq!((sps.coded_width, sps.coded_height), (320, 192));
    assert_eq!(sps.crop, Some((0, 0, 0, 10)));
    assert!(sps.frame_mbs_only);
    let info = sps.info();
    assert_eq!((info.width, info.height), (320, 182));
    assert_eq!(info.profile_name, "High");
    assert_eq!((info.profile_idc, info.constraint_flags, info.level_idc), (100, 0, 13));
    assert_eq!((info.chroma_format_idc, info.bit_depth_luma, info.bit_depth_chroma), (1, 8, 8));
    assert_eq!(info.frame_rate, Some(25.0));
    assert_eq!(info.codec_string, "avc1.64000d");
    assert_eq!(h264::parse_sps(first_h264(X264_HIGH, h264::nal_type::SPS)).unwrap(), info);
    let pps = h264::Pps::parse(first_h264(X264_HIGH, h264::nal_type::PPS)).unwrap();
    assert!(pps.cabac, "x264 High uses CABAC");
    assert!(pps.transform_8x8_mode);
    assert_eq!(pps.sps_id, sps.id);
}

#[test]
fn x264_interlaced_field_coding() {
    let sps = h264::Sps::parse(first_h264(X264_INTERLACED, h264::nal_type::SPS)).unwrap();
    // ffprobe: profile=Main level=21 width=320 height=240 field_order=tt r_frame_rate=30000/1001
    assert!(!sps.frame_mbs_only);
    assert_eq!((sps.coded_width, sps.coded_height), (320, 256));
    assert_eq!((sps.width, sps.height), (320, 240));
    let info = sps.info();
    assert_eq!(info.profile_name, "Main");
    assert_eq!(info.level_idc, 21);
    let fps = info.frame_rate.unwrap();
    assert!((fps - 30000.0 / 1001.0).abs() < 1e-9, "{fps}");
    assert_eq!(info.codec_string, format!("avc1.4d{:02x}15", info.constraint_flags));
}

#[test]
fn openh264_constrained_baseline() {
    let sps = h264::Sps::parse(first_h264(OPENH264, h264::nal_type::SPS)).unwrap();
    // ffprobe: profile=Constrained Baseline level=12 width=320 height=182
    let info = sps.info();
    assert_eq!(info.profile_name, "Constrained Baseline");
    assert_eq!((info.width, info.height), (320, 182));
    assert_eq!(info.level_idc, 12);
    assert_eq!(info.codec_string, format!("avc1.42{:02x}0c", info.constraint_flags));
    // openh264 writes no VUI timing (ffprobe's r_frame_rate=25/1 is its default guess, the source was 15 fps).
    assert_eq!(info.frame_rate, None);
    let pps = h264::Pps::parse(first_h264(OPENH264, h264::nal_type::PPS)).unwrap();
    assert!(!pps.cabac, "Baseline is CAVLC only");
}

#[test]
fn x265_main_with_conformance_window() {
    let nal = first_h265(X265_MAIN, h265::nal_type::SPS);
    let sps = h265::Sps::parse(nal).unwrap();
    // ffprobe: profile=Main level=60 width=320 height=182 coded 320x184 r_frame_rate=25/1
    assert_eq!((sps.coded_width, sps.coded_height), (320, 184));
    assert_eq!(sps.conformance_window, Some((0, 0, 0, 2)));
    let info = h265::parse_sps(nal).unwrap();
    assert_eq!((info.width, info.height), (320, 182));
    assert_eq!(info.profile_name, "Main");
    assert_eq!((info.profile_idc, info.level_idc), (1, 60));
    assert_eq!((info.bit_depth_luma, info.chroma_format_idc), (8, 1));
    assert_eq!(info.frame_rate, Some(25.0));
    assert_eq!(info.codec_string, "hvc1.1.6.L60.90");
    let vps = h265::Vps::parse(first_h265(X265_MAIN, h265::nal_type::VPS)).unwrap();
    assert_eq!(vps.profile_tier_level, sps.profile_tier_level);
    let pps = h265::Pps::parse(first_h265(X265_MAIN, h265::nal_type::PPS)).unwrap();
    assert_eq!(pps.sps_id, sps.id);
}

#[test]
fn x265_main10() {
    let info = h265::parse_sps(first_h265(X265_MAIN10, h265::nal_type::SPS)).unwrap();
    // ffprobe: profile=Main 10 level=60 width=320 height=180 coded 320x184 pix_fmt=yuv420p10le r=30/1
    assert_eq!(info.profile_name, "Main 10");
    assert_eq!((info.width, info.height), (320, 180));
    assert_eq!((info.bit_depth_luma, info.bit_depth_chroma), (10, 10));
    assert_eq!(info.frame_rate, Some(30.0));
    assert_eq!(info.codec_string, "hvc1.2.4.L60.90");
}
