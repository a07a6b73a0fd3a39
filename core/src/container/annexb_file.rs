//! Annex B files: elementary streams (`.h264`, `.h265` files as encoders write them) to frames.
//!
//! Named `annexb_file`, not `annexb`, because [`codec::annexb`](crate::codec::annexb) is the byte-stream syntax
//! itself (start codes in, NAL units out), which the depacketizer, the synthetic camera and the inspector use
//! too; this module is the file reader on top of it, beside [`mp4`](super::mp4): it groups the NAL units into
//! access units, finds keyframes and gives the frames times.
//!
//! NAL units are grouped into access units by the rules of H.264 7.4.1.2.3 and H.265 7.4.2.4.4: after the
//! last slice of a picture, an access unit delimiter, a parameter set, a (prefix) SEI message, or the first
//! slice of the next picture (H.264 `first_mb_in_slice` = 0; H.265 `first_slice_segment_in_pic_flag` = 1)
//! starts the next access unit. End of sequence, filler data and suffix SEI stay with the picture they
//! follow.
//! Streams that send each field of an interlaced frame as its own picture give one frame per field.
//!
//! Annex B has no timestamps: frames get `pts` at a constant rate, from the SPS VUI timing when it has one,
//! else from the caller. Times follow decoding order, which is presentation order for streams without
//! B-frames (cameras, low-latency encoders); with B-frames they are a monotonic approximation.

use super::{ContainerError, ElementaryStream, RawFrame, Source, assemble, check_frame_rate};
use crate::codec::{Codec, annexb::nal_units, detect, h264, h265};
use crate::rtp::packetize::nal_problem;

/// Reads an Annex B stream of `codec`. When `None`, the codec is detected by [`codec::detect`](crate::codec::detect())
/// and must be confirmed by a parameter set that parses (an Annex B file with none could not be served anyway).
/// `default_frame_rate` is used when the SPS has no timing information.
pub fn read(
    bytes: &[u8],
    codec: Option<Codec>,
    default_frame_rate: f64,
) -> Result<ElementaryStream, ContainerError> {
    check_frame_rate(default_frame_rate)?;
    if nal_units(bytes).next().is_none() {
        return Err(ContainerError::NoNalUnits);
    }
    let codec = match codec {
        Some(codec) => codec,
        None => detect(nal_units(bytes)).confirmed().ok_or(ContainerError::UnknownCodec)?,
    };
    let mut frames = Vec::new();
    let mut current = RawFrame::default();
    let mut has_picture = false;
    for nal in nal_units(bytes) {
        // The iterator hands out sub-slices of `bytes`, so the address difference is the offset.
        let offset = (nal.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
        if let Some(problem) = nal_problem(codec, nal) {
            return Err(ContainerError::BadNal { offset, len: nal.len(), problem });
        }
        let role = role(codec, nal);
        if has_picture && role.starts_access_unit {
            frames.push(std::mem::take(&mut current));
            has_picture = false;
        }
        current.nals.push(nal.to_vec());
        current.keyframe |= role.keyframe;
        has_picture |= role.picture;
    }
    // NAL units after the last picture (parameter sets for a picture that never came) are dropped.
    if has_picture {
        frames.push(current);
    }
    let source = Source { codec, out_of_band: &[], frame_rate: None, end_time: None, input_len: bytes.len() };
    assemble(source, frames, default_frame_rate)
}

/// What a NAL unit means for access unit grouping.
#[derive(Debug, Clone, Copy)]
struct Role {
    /// Part of a picture (a VCL NAL unit).
    picture: bool,
    /// Part of an IDR / IRAP picture.
    keyframe: bool,
    /// Starts a new access unit when it follows a picture.
    starts_access_unit: bool,
}

/// The role of a NAL unit whose header was checked by `nal_problem` (one too short for its header, which that
/// rejects, would have none).
fn role(codec: Codec, nal: &[u8]) -> Role {
    const NONE: Role = Role { picture: false, keyframe: false, starts_access_unit: false };
    match codec {
        Codec::H264 => {
            let [header, rest @ ..] = nal else { return NONE };
            let kind = header & 0x1F;
            // first_mb_in_slice is the first ue(v) of the slice header; it is 0 when the first bit is 1.
            let first_slice = matches!(kind, 1 | 2 | 5) && rest.first().is_some_and(|b| b & 0x80 != 0);
            Role {
                picture: h264::is_vcl(kind),
                keyframe: kind == h264::nal_type::IDR,
                // SEI, SPS, PPS, AUD, prefix NAL, subset SPS, reserved 16..=18 (7.4.1.2.3).
                starts_access_unit: first_slice || matches!(kind, 6..=9 | 14..=18),
            }
        }
        Codec::H265 => {
            let [header0, header1, rest @ ..] = nal else { return NONE };
            let kind = (header0 >> 1) & 0x3F;
            let layer0 = header0 & 1 == 0 && header1 >> 3 == 0;
            let vcl = h265::is_vcl(kind);
            let first_slice = vcl && rest.first().is_some_and(|b| b & 0x80 != 0);
            Role {
                picture: vcl,
                keyframe: h265::is_irap(kind),
                // VPS, SPS, PPS, AUD, prefix SEI, reserved 41..=44 (7.4.2.4.4), of the base layer.
                starts_access_unit: layer0 && (first_slice || matches!(kind, 32..=35 | 39 | 41..=44)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{ParamSetKind, h264};
    use crate::container::FrameRateSource;
    use crate::rtp::NalProblem;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use crate::codec::test_nals::{IDR, IDR5, PPS, PPS5, SPS, SPS5, VPS5};
    /// Hand-made Baseline SPS (160x96) without VUI.
    const SPS_NO_VUI: &[u8] = &[0x67, 0x42, 0x00, 0x1e, 0xda, 0x0a, 0x36, 0x40];
    const IDR_SLICE_2: &[u8] = &[0x65, 0x40, 0x80, 0x21];
    const P: &[u8] = &[0x41, 0x9a, 0x21];
    const P_SLICE_2: &[u8] = &[0x41, 0x40, 0x21];
    const SEI: &[u8] = &[0x06, 0x05, 0x01, 0x80];
    const AUD: &[u8] = &[0x09, 0xf0];

    const CRA5: &[u8] = &[0x2a, 0x01, 0xaf, 0x11];
    const TRAIL5: &[u8] = &[0x02, 0x01, 0xd0, 0x11];
    const TRAIL5_SEGMENT_2: &[u8] = &[0x02, 0x01, 0x50, 0x11];
    const PREFIX_SEI5: &[u8] = &[0x4e, 0x01, 0x05, 0x01, 0x80];
    const SUFFIX_SEI5: &[u8] = &[0x50, 0x01, 0x05, 0x01, 0x80];
    const AUD5: &[u8] = &[0x46, 0x01, 0x50];

    fn stream(nals: &[&[u8]]) -> Vec<u8> {
        nals.iter().flat_map(|n| [&[0, 0, 0, 1][..], n].concat()).collect()
    }

    fn frames(es: &ElementaryStream) -> Vec<Vec<&[u8]>> {
        es.frames.iter().map(|f| f.nals.iter().map(Vec::as_slice).collect()).collect()
    }

    #[test]
    fn h264_access_unit_boundaries() {
        let s = stream(&[SPS, PPS, SEI, IDR, IDR_SLICE_2, P, P_SLICE_2, AUD, P, SEI, P, P]);
        let es = read(&s, Some(Codec::H264), 25.0).unwrap();
        assert_eq!(
            frames(&es),
            vec![
                vec![SPS, PPS, SEI, IDR, IDR_SLICE_2],
                vec![P, P_SLICE_2],
                vec![AUD, P],
                vec![SEI, P],
                vec![P]
            ]
        );
        assert_eq!(
            es.frames.iter().map(|f| f.keyframe).collect::<Vec<_>>(),
            [true, false, false, false, false]
        );
        // 10 fps from the SPS, not the 25 the caller offered.
        assert_eq!((es.info.frame_rate, es.frame_rate_source), (10.0, FrameRateSource::Sps));
        assert_eq!(es.frames.iter().map(|f| f.pts).collect::<Vec<_>>(), [0, 9000, 18000, 27000, 36000]);
        assert_eq!(es.duration, 45_000);
        assert_eq!(es.info.codec, Codec::H264);
        assert_eq!(es.info.parameter_sets, [SPS, PPS]);
        assert_eq!((es.skipped_leading, es.parameter_sets_inserted), (0, 0));
    }

    #[test]
    fn starts_at_a_keyframe_and_repeats_parameter_sets() {
        let s = stream(&[P, SPS_NO_VUI, PPS, IDR, P, IDR, P, AUD, IDR, SPS_NO_VUI, IDR]);
        let es = read(&s, None, 30.0).unwrap();
        assert_eq!(h264::parse_sps(SPS_NO_VUI).unwrap().frame_rate, None);
        assert_eq!(
            frames(&es),
            vec![
                vec![SPS_NO_VUI, PPS, IDR],
                vec![P],
                vec![SPS_NO_VUI, PPS, IDR],
                vec![P],
                vec![AUD, SPS_NO_VUI, PPS, IDR],
                // Its own SPS is replaced by the known set, in order.
                vec![SPS_NO_VUI, PPS, IDR],
            ]
        );
        assert_eq!((es.skipped_leading, es.parameter_sets_inserted), (1, 3));
        assert_eq!((es.info.frame_rate, es.frame_rate_source), (30.0, FrameRateSource::Default));
        assert_eq!(es.frames[1].pts, 3000);
        assert_eq!(es.duration, 18_000);
    }

    #[test]
    fn h265_access_unit_boundaries_and_keyframes() {
        let s = stream(&[
            AUD5,
            VPS5,
            SPS5,
            PPS5,
            PREFIX_SEI5,
            IDR5,
            TRAIL5,
            TRAIL5_SEGMENT_2,
            SUFFIX_SEI5,
            PREFIX_SEI5,
            TRAIL5,
            AUD5,
            CRA5,
            TRAIL5,
        ]);
        assert_eq!(detect(nal_units(&s)).confirmed(), Some(Codec::H265));
        let es = read(&s, None, 25.0).unwrap();
        assert_eq!(
            frames(&es),
            vec![
                vec![AUD5, VPS5, SPS5, PPS5, PREFIX_SEI5, IDR5],
                vec![TRAIL5, TRAIL5_SEGMENT_2, SUFFIX_SEI5],
                vec![PREFIX_SEI5, TRAIL5],
                vec![AUD5, VPS5, SPS5, PPS5, CRA5],
                vec![TRAIL5],
            ]
        );
        assert_eq!(
            es.frames.iter().map(|f| f.keyframe).collect::<Vec<_>>(),
            [true, false, false, true, false]
        );
        assert_eq!(es.info.parameter_sets, [VPS5, SPS5, PPS5]);
        assert_eq!((es.info.frame_rate, es.frame_rate_source), (10.0, FrameRateSource::Sps));
        assert_eq!(es.parameter_sets_inserted, 1);
    }

    #[test]
    fn detects_the_codec_from_a_parameter_set_that_parses() {
        let detected = |nals: &[&[u8]]| read(&stream(nals), None, 25.0).map(|es| es.info.codec);
        assert_eq!(detected(&[AUD, SEI, SPS, PPS, IDR]), Ok(Codec::H264));
        assert_eq!(detected(&[AUD5, VPS5, SPS5, PPS5, IDR5]), Ok(Codec::H265));
        // A PPS header alone would say H.264, but a file is served only when an SPS confirms it.
        assert_eq!(detected(&[PPS, IDR, P]), Err(ContainerError::UnknownCodec));
        assert_eq!(detected(&[&SPS[..5], PPS, IDR]), Err(ContainerError::UnknownCodec));
    }

    #[test]
    fn errors_say_what_is_missing_and_where() {
        let err = read(&stream(&[SPS, PPS, P, P]), Some(Codec::H264), 25.0).unwrap_err();
        assert_eq!(err, ContainerError::NoKeyframe { codec: Codec::H264, frames: 2 });
        let err = read(&stream(&[PPS, IDR]), Some(Codec::H264), 25.0).unwrap_err();
        assert_eq!(
            err,
            ContainerError::MissingParameterSets { codec: Codec::H264, missing: vec![ParamSetKind::Sps] }
        );
        let err = read(&stream(&[SPS5, PPS5, IDR5]), Some(Codec::H265), 25.0).unwrap_err();
        assert_eq!(err.to_string(), "H.265 stream has no VPS before its first keyframe");
        assert_eq!(read(&[0xff; 10], Some(Codec::H264), 25.0), Err(ContainerError::NoNalUnits));
        // The forbidden bit of the third NAL unit, which starts at byte 4 + 25 + 4 + 6 + 4.
        let err = read(&stream(&[SPS, PPS, &[0xe5, 0x88, 0x21]]), Some(Codec::H264), 25.0).unwrap_err();
        assert_eq!(err, ContainerError::BadNal { offset: 43, len: 3, problem: NalProblem::ForbiddenBit });
        assert_eq!(err.to_string(), "NAL unit at byte 43 (3 bytes): forbidden_zero_bit is set");
    }

    #[test]
    fn every_prefix_of_a_stream_reads_or_fails_cleanly() {
        let s = stream(&[SPS, PPS, SEI, IDR, P, P_SLICE_2, AUD, IDR]);
        for len in 0..=s.len() {
            let _ = read(&s[..len], None, 25.0);
        }
    }
}
