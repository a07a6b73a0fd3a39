//! Stored video fixtures (tests/fixtures/media, made by ffmpeg with libx264/libx265, see its README) read
//! into frames, and frames packetized and depacketized back: 1 s at 10 fps, a keyframe every 5 frames, no
//! B-frames, so 10 frames with keyframes at 0 and 5 and presentation times 9000 ticks apart.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::codec::{Codec, Depacketizer, Detection, Frame, ParamSetKind, annexb, detect, h264, h265};
use rtspeek_core::container::{self, ElementaryStream, Format, FrameRateSource};
use rtspeek_core::rtp::{PacketBuf, Packetizer, parse};

const H264_ANNEX_B: &[u8] = include_bytes!("../../../tests/fixtures/media/h264.264");
const H265_ANNEX_B: &[u8] = include_bytes!("../../../tests/fixtures/media/h265.265");
const H264_MP4: &[u8] = include_bytes!("../../../tests/fixtures/media/h264.mp4");
const H265_MP4: &[u8] = include_bytes!("../../../tests/fixtures/media/h265.mp4");

/// Every fixture: name, bytes, codec, format.
const FIXTURES: [(&str, &[u8], Codec, Format); 4] = [
    ("h264.264", H264_ANNEX_B, Codec::H264, Format::AnnexB),
    ("h265.265", H265_ANNEX_B, Codec::H265, Format::AnnexB),
    ("h264.mp4", H264_MP4, Codec::H264, Format::Mp4),
    ("h265.mp4", H265_MP4, Codec::H265, Format::Mp4),
];

fn load(bytes: &[u8]) -> ElementaryStream {
    container::load(bytes, 25.0).unwrap()
}

fn kinds(codec: Codec, nals: &[Vec<u8>]) -> Vec<ParamSetKind> {
    nals.iter().filter_map(|n| ParamSetKind::of(codec, n)).collect()
}

fn is_vcl(codec: Codec, nal: &[u8]) -> bool {
    match codec {
        Codec::H264 => h264::nal_unit_type(nal).is_some_and(h264::is_vcl),
        Codec::H265 => h265::nal_unit_type(nal).is_some_and(h265::is_vcl),
    }
}

#[test]
fn fixtures_are_small() {
    for (name, bytes, _, _) in FIXTURES {
        assert!(bytes.len() < 30_000, "{name}: {} bytes", bytes.len());
    }
}

#[test]
fn fixtures_read_into_ten_frames() {
    for (name, bytes, codec, format) in FIXTURES {
        assert_eq!(container::sniff(bytes), Some(format), "{name}");
        let es = load(bytes);
        assert_eq!(es.info.codec, codec, "{name}");
        assert_eq!(es.frames.len(), 10, "{name}");
        let keyframes: Vec<usize> =
            es.frames.iter().enumerate().filter(|(_, f)| f.keyframe).map(|(i, _)| i).collect();
        assert_eq!(keyframes, [0, 5], "{name}");
        let pts: Vec<u64> = es.frames.iter().map(|f| f.pts).collect();
        assert_eq!(pts, (0..10).map(|i| i * 9000).collect::<Vec<u64>>(), "{name}");
        assert_eq!(es.duration, 90_000, "{name}");
        assert_eq!(es.info.frame_rate, 10.0, "{name}");
        let source = if format == Format::Mp4 { FrameRateSource::Container } else { FrameRateSource::Sps };
        assert_eq!(es.frame_rate_source, source, "{name}");
        assert_eq!(es.skipped_leading, 0, "{name}");
        // The SDP's parameter sets, in order; the SPS parses and says 160x90.
        let required = ParamSetKind::required(codec);
        assert_eq!(kinds(codec, &es.info.parameter_sets), required, "{name}");
        let sps = &es.info.parameter_sets[required.len() - 2];
        let info = match codec {
            Codec::H264 => h264::parse_sps(sps),
            Codec::H265 => h265::parse_sps(sps),
        }
        .unwrap();
        assert_eq!((info.width, info.height), (160, 90), "{name}");
        // Every keyframe starts with its parameter sets (after an access unit delimiter, which these
        // encoders do not write) and has exactly one picture slice; other frames have no parameter set.
        for (i, frame) in es.frames.iter().enumerate() {
            let k = kinds(codec, &frame.nals);
            if frame.keyframe {
                assert_eq!(k, required, "{name} frame {i}");
                assert_eq!(kinds(codec, &frame.nals[..required.len()]), required, "{name} frame {i}");
            } else {
                assert!(k.is_empty(), "{name} frame {i}");
            }
            assert_eq!(frame.nals.iter().filter(|n| is_vcl(codec, n)).count(), 1, "{name} frame {i}");
        }
    }
}

#[test]
fn mp4_parameter_sets_are_inserted_at_every_keyframe() {
    // The MP4 files keep them in avcC/hvcC only; the Annex B files repeat them at each keyframe.
    assert_eq!(load(H264_MP4).parameter_sets_inserted, 2);
    assert_eq!(load(H265_MP4).parameter_sets_inserted, 2);
    assert_eq!(load(H264_ANNEX_B).parameter_sets_inserted, 0);
    assert_eq!(load(H265_ANNEX_B).parameter_sets_inserted, 0);
}

#[test]
fn annex_b_and_mp4_hold_the_same_pictures() {
    // Both files of a codec come from the same deterministic encoder settings.
    for (codec, annex_b, mp4) in
        [(Codec::H264, H264_ANNEX_B, H264_MP4), (Codec::H265, H265_ANNEX_B, H265_MP4)]
    {
        let (a, m) = (load(annex_b), load(mp4));
        assert_eq!(a.info.parameter_sets, m.info.parameter_sets, "{codec:?}");
        for (fa, fm) in a.frames.iter().zip(&m.frames) {
            let vcl = |f: &Frame| f.nals.iter().filter(|n| is_vcl(codec, n)).cloned().collect::<Vec<_>>();
            assert_eq!(vcl(fa), vcl(fm), "{codec:?}");
            assert_eq!((fa.pts, fa.keyframe), (fm.pts, fm.keyframe));
        }
    }
}

#[test]
fn explicit_readers_agree_with_load() {
    assert_eq!(
        container::annexb_file::read(H264_ANNEX_B, Some(Codec::H264), 25.0).unwrap(),
        load(H264_ANNEX_B)
    );
    assert_eq!(container::annexb_file::read(H265_ANNEX_B, None, 25.0).unwrap(), load(H265_ANNEX_B));
    assert_eq!(container::mp4::read(H265_MP4, 25.0).unwrap(), load(H265_MP4));
    assert_eq!(detect(annexb::nal_units(H264_ANNEX_B)), Detection::Parsed(Codec::H264));
    assert_eq!(detect(annexb::nal_units(H265_ANNEX_B)), Detection::Parsed(Codec::H265));
    // The wrong reader fails cleanly.
    assert!(container::mp4::read(H264_ANNEX_B, 25.0).is_err());
    assert!(container::annexb_file::read(H264_MP4, None, 25.0).is_err());
}

/// Packetizes every frame with `max_payload`, depacketizes, and checks each access unit against its frame.
fn round_trip(es: &ElementaryStream, max_payload: usize, first_seq: u16) {
    let codec = es.info.codec;
    let mut packetizer = Packetizer::new(codec, 96, 0x5eed, first_seq, max_payload).unwrap();
    let mut depacketizer = Depacketizer::new(codec);
    let base = 0xffff_0000u32; // timestamps wrap too
    let mut packets = PacketBuf::new();
    let mut got = 0;
    for frame in &es.frames {
        packets.clear();
        let ts = base.wrapping_add(frame.pts as u32);
        let n = packetizer.packetize(frame, ts, &mut packets).unwrap();
        assert_eq!(n, packets.len());
        for bytes in &packets {
            assert!(bytes.len() <= 12 + max_payload);
            let p = parse(bytes).unwrap();
            depacketizer.push(p.sequence(), p.timestamp(), p.marker(), p.payload());
        }
        let au = depacketizer.pop().expect("the marker closes each frame");
        assert_eq!(au.timestamp, ts);
        assert_eq!(au.keyframe, frame.keyframe);
        assert!(!au.damaged);
        assert!(au.nal_units().eq(frame.nals.iter().map(Vec::as_slice)), "{codec:?} max {max_payload}");
        assert!(depacketizer.pop().is_none());
        got += 1;
    }
    assert_eq!(got, es.frames.len());
    assert!(depacketizer.issues().is_empty(), "{:?}", depacketizer.issues());
    assert_eq!(packetizer.packets_sent(), depacketizer.stats().packets);
    assert_eq!(packetizer.octets_sent(), depacketizer.stats().payload_bytes);
}

#[test]
fn frames_survive_packetization() {
    for (_, bytes, _, _) in FIXTURES {
        let es = load(bytes);
        for (max_payload, first_seq) in [(1400, 0), (300, 65_500), (64, 12_345), (65_000, 65_535)] {
            round_trip(&es, max_payload, first_seq);
        }
    }
}

#[test]
fn every_prefix_of_the_mp4_fixtures_is_handled() {
    for bytes in [H264_MP4, H265_MP4] {
        for len in 0..bytes.len() {
            // The movie box is at the end (ffmpeg without faststart): every strict prefix is incomplete.
            assert!(container::load(&bytes[..len], 25.0).is_err(), "prefix of {len} bytes");
        }
    }
}

#[test]
fn every_prefix_of_the_annex_b_fixtures_is_handled() {
    for bytes in [H264_ANNEX_B, H265_ANNEX_B] {
        for len in (0..bytes.len()).step_by(7) {
            // A prefix that reaches the first picture reads (a shorter stream); others fail cleanly.
            if let Ok(es) = container::load(&bytes[..len], 25.0) {
                assert!(es.frames[0].keyframe);
                assert!(es.frames.len() <= 10);
            }
        }
    }
}

#[test]
fn corrupted_mp4_bytes_never_panic() {
    // Damage each byte of the movie box (where every table is) in a few ways.
    let moov = H264_MP4.windows(4).position(|w| w == b"moov").unwrap() - 4;
    for i in moov..H264_MP4.len() {
        for x in [0x01, 0x80, 0xff] {
            let mut damaged = H264_MP4.to_vec();
            damaged[i] ^= x;
            let _ = container::load(&damaged, 25.0);
        }
    }
}
