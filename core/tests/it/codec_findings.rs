//! The `codec.*` findings, each produced by a scenario built from real encoder output (data/codec) or from
//! hand-made packets, and a check that every code of the family is produced by one of them.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::codec::{Packet, rtp_packets};
use rtspeek_core::Finding;
use rtspeek_core::codec::{Codec, Comparison, Depacketizer, StreamAnalyzer, annexb, h264, h265};
use rtspeek_core::diagnose::codes;

const X264_ANNEX_B: &[u8] = include_bytes!("../data/codec/x264_high_320x182.h264");
const X264_FU_A: &[u8] = include_bytes!("../data/codec/x264_high_320x182.rtpstream");
const X264_STAP_A: &[u8] = include_bytes!("../data/codec/x264_high_320x182_stapa.rtpstream");
const OPENH264: &[u8] = include_bytes!("../data/codec/openh264_320x182.h264");
const X265_ANNEX_B: &[u8] = include_bytes!("../data/codec/x265_main_320x182.h265");
const X265_RTP: &[u8] = include_bytes!("../data/codec/x265_main_320x182.rtpstream");

/// The first parameter sets of an Annex B stream, as an SDP would announce them.
fn sprops(codec: Codec, annex_b: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for nal in annexb::nal_units(annex_b) {
        let is_param = match codec {
            Codec::H264 => matches!(h264::nal_unit_type(nal), Some(7 | 8)),
            Codec::H265 => matches!(h265::nal_unit_type(nal), Some(32..=34)),
        };
        if is_param && !out.iter().any(|n| n[..] == nal[..]) {
            out.push(nal.to_vec());
        }
    }
    out
}

struct Outcome {
    findings: Vec<Finding>,
    analyzer: StreamAnalyzer,
}

impl Outcome {
    fn codes(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.code.as_str()).collect()
    }

    fn finding(&self, code: &codes::CodeInfo) -> &Finding {
        self.findings
            .iter()
            .find(|f| f.code == code.code)
            .unwrap_or_else(|| panic!("{} in {:?}", code.code, self.codes()))
    }
}

fn evidence<'a>(f: &'a Finding, label: &str) -> &'a str {
    f.evidence
        .iter()
        .find(|e| e.label == label)
        .map(|e| e.value.as_str())
        .unwrap_or_else(|| panic!("{label} in {f:?}"))
}

fn run(codec: Codec, sdp: &[Vec<u8>], packets: &[Packet]) -> Outcome {
    let sdp: Vec<&[u8]> = sdp.iter().map(Vec::as_slice).collect();
    let mut d = Depacketizer::new(codec);
    let mut analyzer = StreamAnalyzer::new(codec, 90_000, &sdp);
    for p in packets {
        d.push(p.seq, p.timestamp, p.marker, &p.payload);
        while let Some(au) = d.pop() {
            analyzer.access_unit(&au);
        }
    }
    d.flush();
    while let Some(au) = d.pop() {
        analyzer.access_unit(&au);
    }
    Outcome { findings: analyzer.findings(&d), analyzer }
}

/// Packets of a synthetic H.264 stream: `frames` single-NAL-unit frames at 25 fps, IDR every `gop` frames
/// (never when `gop` is 0), SPS/PPS in band before each IDR when `in_band` is given.
fn synthetic_h264(frames: u32, gop: u32, in_band: Option<&[Vec<u8>]>) -> Vec<Packet> {
    let mut packets = Vec::new();
    let mut seq = 1000u16;
    for i in 0..frames {
        let timestamp = i * 3600;
        let idr = gop > 0 && i % gop == 0;
        if let (true, Some(sets)) = (idr, in_band) {
            for nal in sets {
                packets.push(Packet { seq, timestamp, marker: false, payload: nal.clone() });
                seq = seq.wrapping_add(1);
            }
        }
        let payload = if idr { vec![0x65, 0x88, 0x80, 0x40] } else { vec![0x41, 0x9a, 0x02, 0x10] };
        packets.push(Packet { seq, timestamp, marker: true, payload });
        seq = seq.wrapping_add(1);
    }
    packets
}

fn no_keyframe() -> Outcome {
    let out = run(Codec::H264, &sprops(Codec::H264, X264_ANNEX_B), &synthetic_h264(50, 0, None));
    let f = out.finding(codes::CODEC_NO_KEYFRAME);
    assert_eq!(evidence(f, "access_units"), "50");
    assert_eq!(evidence(f, "observed_seconds"), "1.960");
    out
}

fn no_parameter_sets() -> Outcome {
    let out = run(Codec::H264, &[], &synthetic_h264(10, 5, None));
    assert_eq!(evidence(out.finding(codes::CODEC_NO_PARAMETER_SETS), "missing"), "SPS, PPS");
    assert_eq!(out.analyzer.summary().parameter_sets, Comparison::Neither);
    out
}

fn parameter_sets_mismatch() -> Outcome {
    // The SDP announces openh264's parameter sets while the stream carries x264's (same ids, 0).
    let out = run(Codec::H264, &sprops(Codec::H264, OPENH264), &rtp_packets(X264_FU_A));
    let f = out.finding(codes::CODEC_PARAMETER_SETS_MISMATCH);
    assert_eq!(evidence(f, "parameter_set"), "SPS id 0");
    assert!(evidence(f, "sdp_sps").starts_with("Constrained Baseline 320x182 avc1.42"), "{f:?}");
    assert_eq!(evidence(f, "in_band_sps"), "High 320x182 avc1.64000d 25.000 fps");
    assert_eq!(out.analyzer.summary().parameter_sets, Comparison::Different);
    out
}

fn bad_parameter_set() -> Outcome {
    let mut sets = sprops(Codec::H264, X264_ANNEX_B);
    let sps = sets.iter_mut().find(|n| n[0] & 0x1F == 7).unwrap();
    sps.truncate(6);
    let out = run(Codec::H264, &sets, &rtp_packets(X264_STAP_A));
    let f = out.finding(codes::CODEC_BAD_PARAMETER_SET);
    assert_eq!(evidence(f, "source"), "SDP");
    assert_eq!(evidence(f, "parameter_set"), "SPS");
    assert!(evidence(f, "reason").starts_with("truncated reading"), "{f:?}");
    assert!(evidence(f, "bit_offset").parse::<usize>().unwrap() <= 40);
    out
}

fn fu_errors_and_incomplete_frames() -> Outcome {
    let mut packets = rtp_packets(X264_FU_A);
    let is_fu = |p: &Packet| p.payload[0] & 0x1F == 28;
    // Lose a middle fragment (sequence gap inside a FU), and clear the end bit of another FU's last fragment
    // (missing end: the next packet starts a new NAL unit).
    let middle = packets.iter().position(|p| is_fu(p) && p.payload[1] & 0xC0 == 0).unwrap();
    let lost_seq = packets.remove(middle).seq;
    let end = packets.iter().rposition(|p| is_fu(p) && p.payload[1] & 0x40 != 0).unwrap();
    packets[end].payload[1] &= !0x40;
    let out = run(Codec::H264, &[], &packets);
    let f = out.finding(codes::CODEC_FU_ERROR);
    assert_eq!(evidence(f, "sequence_gap"), format!("1 (first at seq {})", lost_seq.wrapping_add(1)));
    assert!(evidence(f, "missing_end").starts_with("1 (first at seq"), "{f:?}");
    let f = out.finding(codes::CODEC_FRAME_INCOMPLETE);
    assert_eq!(evidence(f, "damaged_access_units"), "2");
    out
}

fn marker_missing() -> Outcome {
    let mut packets = rtp_packets(X265_RTP);
    packets.iter_mut().for_each(|p| p.marker = false);
    let out = run(Codec::H265, &sprops(Codec::H265, X265_ANNEX_B), &packets);
    let f = out.finding(codes::CODEC_MARKER_MISSING);
    assert_eq!(evidence(f, "closed_by_timestamp_change"), "14");
    assert!(!out.codes().contains(&codes::CODEC_FRAME_INCOMPLETE.code), "no data lost");
    out
}

fn unsupported_and_malformed() -> Outcome {
    let mut packets = synthetic_h264(20, 10, Some(&sprops(Codec::H264, X264_ANNEX_B)));
    let last = packets.last().unwrap().clone();
    // An FU-B (interleaved mode) and a STAP-A whose aggregation unit overruns the packet.
    packets.push(Packet {
        seq: last.seq + 1,
        timestamp: last.timestamp + 3600,
        marker: true,
        payload: vec![0x3D, 0x85, 0, 1, 0x88],
    });
    packets.push(Packet {
        seq: last.seq + 2,
        timestamp: last.timestamp + 7200,
        marker: true,
        payload: vec![0x18, 0x00, 0x09, 0x41],
    });
    let out = run(Codec::H264, &[], &packets);
    let f = out.finding(codes::CODEC_UNSUPPORTED_PACKETIZATION);
    assert_eq!(evidence(f, "payload_types"), "FU-B (29)");
    assert_eq!(evidence(f, "first_seq"), (last.seq + 1).to_string());
    let f = out.finding(codes::CODEC_MALFORMED_PAYLOAD);
    assert_eq!(
        evidence(f, "first"),
        format!("seq {}: STAP-A aggregation unit overruns the packet", last.seq + 2)
    );
    out
}

fn long_gop() -> Outcome {
    // 25 fps, an IDR every 300 frames (12 s), 26 s watched.
    let out = run(Codec::H264, &[], &synthetic_h264(650, 300, Some(&sprops(Codec::H264, X264_ANNEX_B))));
    let f = out.finding(codes::CODEC_LONG_GOP);
    assert_eq!(evidence(f, "longest_gop_seconds"), "12.000");
    assert_eq!(evidence(f, "longest_gop_frames"), "300");
    assert_eq!(evidence(f, "first_keyframe_after_seconds"), "0.000");
    out
}

type Scenario = fn() -> Outcome;

const SCENARIOS: [(&str, Scenario); 9] = [
    ("no_keyframe", no_keyframe),
    ("no_parameter_sets", no_parameter_sets),
    ("parameter_sets_mismatch", parameter_sets_mismatch),
    ("bad_parameter_set", bad_parameter_set),
    ("fu_errors_and_incomplete_frames", fu_errors_and_incomplete_frames),
    ("marker_missing", marker_missing),
    ("unsupported_and_malformed", unsupported_and_malformed),
    ("long_gop", long_gop),
    ("browser_unsupported", browser_unsupported),
];

/// What the page reports when WebCodecs refuses the stream's codec string.
fn browser_unsupported() -> Outcome {
    let f = rtspeek_core::codec::browser::browser_unsupported("hev1.1.6.L93.B0", Some("HeadlessChrome/131"));
    assert_eq!(evidence(&f, "codec_string"), "hev1.1.6.L93.B0");
    assert_eq!(evidence(&f, "browser"), "HeadlessChrome/131");
    Outcome { findings: vec![f], analyzer: StreamAnalyzer::new(Codec::H265, 90_000, &[]) }
}

#[test]
fn every_codec_code_is_produced_by_a_scenario() {
    let mut produced = Vec::new();
    for (name, scenario) in SCENARIOS {
        let out = scenario();
        assert!(!out.findings.is_empty(), "{name}");
        produced.extend(out.findings.into_iter().map(|f| f.code));
    }
    for code in codes::CODEC_CODES {
        assert!(produced.iter().any(|c| c == code.code), "{} is produced by no scenario", code.code);
    }
}

#[test]
fn each_scenario_finds_what_it_is_about() {
    for (name, scenario) in SCENARIOS {
        let out = scenario();
        assert!(out.findings.iter().all(|f| f.layer == rtspeek_core::Layer::Codec), "{name}");
    }
}

#[test]
fn healthy_real_streams_have_no_codec_findings() {
    // GOP frames count in decode order: x265 sends the IRAP of frame 10 before the two B-frames that
    // precede it in display order (ffprobe -show_packets: key flag on the 9th packet), x264 does not.
    for (codec, rtp, annex_b, codec_string, gop_frames) in [
        (Codec::H264, X264_FU_A, X264_ANNEX_B, "avc1.64000d", 10),
        (Codec::H264, X264_STAP_A, X264_ANNEX_B, "avc1.64000d", 10),
        (Codec::H265, X265_RTP, X265_ANNEX_B, "hev1.1.6.L60.90", 8),
    ] {
        let out = run(codec, &sprops(codec, annex_b), &rtp_packets(rtp));
        assert_eq!(out.codes(), Vec::<&str>::new());
        let s = out.analyzer.summary();
        assert_eq!(s.parameter_sets, Comparison::Same);
        assert_eq!(s.codec_string.as_deref(), Some(codec_string));
        assert_eq!((s.gop.frames, s.gop.keyframes), (15, 2));
        assert_eq!(s.gop.gop_frames_max, Some(gop_frames));
        assert_eq!(s.gop.gop_seconds_max, Some(0.4));
        assert_eq!(s.gop.first_keyframe_delay_ticks, Some(0));
        assert_eq!(s.sps.unwrap().frame_rate, Some(25.0));
    }
}

#[test]
fn parameter_sets_only_in_the_sdp_or_only_in_band() {
    let out = run(Codec::H264, &sprops(Codec::H264, X264_ANNEX_B), &synthetic_h264(10, 5, None));
    assert_eq!(out.analyzer.summary().parameter_sets, Comparison::OnlySdp);
    assert_eq!(out.codes(), Vec::<&str>::new());
    let out = run(Codec::H265, &[], &rtp_packets(X265_RTP));
    assert_eq!(out.analyzer.summary().parameter_sets, Comparison::OnlyInBand);
    assert_eq!(out.codes(), Vec::<&str>::new());
    // Without in-band sets the H.265 string uses the hvc1 sample entry.
    let h265_sdp_only = {
        let sets = sprops(Codec::H265, X265_ANNEX_B);
        let refs: Vec<&[u8]> = sets.iter().map(Vec::as_slice).collect();
        StreamAnalyzer::new(Codec::H265, 90_000, &refs).summary()
    };
    assert_eq!(h265_sdp_only.codec_string.as_deref(), Some("hvc1.1.6.L60.90"));
    assert_eq!(h265_sdp_only.parameter_sets, Comparison::OnlySdp);
}
