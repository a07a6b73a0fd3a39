//! The depacketizers on hand-made packets: every payload structure, every fragmentation unit problem, and the
//! limits. Packets are written inline in hex-like byte arrays, one per line.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::codec::depacketize::MAX_ACCESS_UNIT_BYTES;
use rtspeek_core::codec::{AuEnd, Codec, Depacketizer, FuProblem, Issue};

/// (timestamp, keyframe, damaged, end, NAL units) of each access unit.
type Au = (u32, bool, bool, AuEnd, Vec<Vec<u8>>);

fn feed(d: &mut Depacketizer, packets: &[(u16, u32, bool, &[u8])]) -> Vec<Au> {
    let mut out = Vec::new();
    for &(seq, ts, marker, payload) in packets {
        d.push(seq, ts, marker, payload);
        while let Some(au) = d.pop() {
            out.push((
                au.timestamp,
                au.keyframe,
                au.damaged,
                au.end,
                au.nal_units().map(<[u8]>::to_vec).collect(),
            ));
        }
    }
    out
}

fn h264(packets: &[(u16, u32, bool, &[u8])]) -> (Vec<Au>, Depacketizer) {
    let mut d = Depacketizer::new(Codec::H264);
    (feed(&mut d, packets), d)
}

fn h265(packets: &[(u16, u32, bool, &[u8])]) -> (Vec<Au>, Depacketizer) {
    let mut d = Depacketizer::new(Codec::H265);
    (feed(&mut d, packets), d)
}

fn fu(seq: u16, problem: FuProblem) -> Issue {
    Issue::Fu { problem, seq }
}

#[test]
fn h264_stap_a_and_fu_a_make_one_access_unit() {
    let (aus, d) = h264(&[
        (1, 90, false, &[0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xCE]),
        (2, 90, false, &[0x7C, 0x85, 0xAA]),
        (3, 90, false, &[0x7C, 0x05, 0xBB]),
        (4, 90, true, &[0x7C, 0x45, 0xCC]),
    ]);
    assert_eq!(
        aus,
        vec![(
            90,
            true,
            false,
            AuEnd::Marker,
            vec![vec![0x67, 0x42], vec![0x68, 0xCE], vec![0x65, 0xAA, 0xBB, 0xCC]]
        )]
    );
    assert!(d.issues().is_empty());
    assert_eq!(d.stats().nal_units, 3);
}

#[test]
fn h264_fu_a_problems() {
    // Missing start (reported once for the unit), type change, start+end, missing end at a new NAL unit.
    let (aus, d) = h264(&[
        (1, 0, false, &[0x7C, 0x05, 1]),
        (2, 0, false, &[0x7C, 0x45, 2]),
        (3, 0, true, &[0x41, 9]),
        (4, 1, false, &[0x7C, 0x85, 1]),
        (5, 1, true, &[0x7C, 0x41, 2]),
        (6, 2, true, &[0x7C, 0xC1, 7]),
        (7, 3, false, &[0x7C, 0x81, 1]),
        (8, 3, true, &[0x41, 5]),
    ]);
    assert_eq!(
        d.issues(),
        [
            fu(1, FuProblem::MissingStart),
            fu(5, FuProblem::TypeChanged),
            fu(6, FuProblem::StartAndEnd),
            fu(8, FuProblem::MissingEnd)
        ]
    );
    assert_eq!(aus.len(), 4);
    assert_eq!(aus[0], (0, false, true, AuEnd::Marker, vec![vec![0x41, 9]]));
    assert_eq!(aus[1], (1, false, true, AuEnd::Marker, vec![]));
    assert_eq!(aus[2], (2, false, false, AuEnd::Marker, vec![vec![0x61, 7]]));
    assert_eq!(aus[3], (3, false, true, AuEnd::Marker, vec![vec![0x41, 5]]));
}

#[test]
fn an_unfinished_fragment_is_dropped_at_the_marker_timestamp_and_flush() {
    let (aus, d) = h264(&[
        (1, 0, true, &[0x7C, 0x85, 1]),
        (2, 5, false, &[0x7C, 0x85, 1]),
        (3, 9, false, &[0x7C, 0x85, 1]),
    ]);
    assert_eq!(aus.len(), 2);
    assert!(aus.iter().all(|au| au.2 && au.4.is_empty()));
    assert_eq!(aus[1].3, AuEnd::TimestampChange);
    // The damaged access unit closed by the timestamp is not a marker quirk: its marked packet may be lost.
    assert_eq!(d.issue_counts().marker_missing, 0);
    let mut d = d;
    d.flush();
    let au = d.pop().unwrap();
    assert_eq!((au.end, au.damaged, au.nal_count()), (AuEnd::Flush, true, 0));
    assert_eq!(d.issue_counts().fu_missing_end, 3);
}

#[test]
fn one_packet_can_close_two_access_units() {
    // No marker on the first picture, then a one-packet picture with the marker.
    let mut d = Depacketizer::new(Codec::H264);
    d.push(1, 0, false, &[0x41, 1]);
    d.push(2, 3000, true, &[0x41, 2]);
    let first = d.pop().unwrap();
    assert_eq!((first.timestamp, first.end), (0, AuEnd::TimestampChange));
    let second = d.pop().unwrap();
    assert_eq!((second.timestamp, second.end), (3000, AuEnd::Marker));
    assert!(d.pop().is_none());
    assert_eq!(d.issues(), [Issue::MarkerMissing { timestamp: 0, seq: 2 }]);
}

#[test]
fn h264_interleaved_and_reserved_types_are_unsupported() {
    let (aus, d) = h264(&[
        (1, 0, false, &[0x19, 0, 1, 0, 2, 0x41, 1]),
        (2, 0, false, &[0x1A, 1]),
        (3, 0, false, &[0x1B, 1]),
        (4, 0, false, &[0x1D, 0x85, 0, 1, 1]),
        (5, 0, false, &[0x1E]),
        (6, 0, true, &[0x00]),
    ]);
    let names: Vec<&str> = d
        .issues()
        .iter()
        .map(|i| match i {
            Issue::Unsupported { name, .. } => *name,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(names, ["STAP-B", "MTAP16", "MTAP24", "FU-B", "reserved", "reserved"]);
    assert!(aus[0].2, "dropped data damages the access unit");
}

#[test]
fn malformed_h264_payloads() {
    let (_, d) = h264(&[
        (1, 0, false, &[]),
        (2, 0, false, &[0x78]),
        (3, 0, false, &[0x78, 0]),
        (4, 0, false, &[0x78, 0, 0]),
        (5, 0, false, &[0x78, 0, 5, 0x41]),
        (6, 0, true, &[0x7C]),
    ]);
    let reasons: Vec<&str> = d
        .issues()
        .iter()
        .map(|i| match i {
            Issue::Malformed { reason, .. } => *reason,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "empty payload",
            "STAP-A without aggregation units",
            "STAP-A aggregation unit size truncated",
            "STAP-A aggregation unit overruns the packet",
            "STAP-A aggregation unit overruns the packet",
            "FU-A without its FU header",
        ]
    );
}

#[test]
fn sequence_numbers_wrap_and_late_packets_are_dropped() {
    let (aus, d) = h264(&[
        (65535, 0, true, &[0x41, 1]),
        (0, 1, true, &[0x41, 2]),
        (65535, 2, true, &[0x41, 3]),
        (3, 3, true, &[0x41, 4]),
    ]);
    assert_eq!(aus.len(), 3);
    assert_eq!(d.issues(), [Issue::Late { seq: 65535 }, Issue::Loss { seq: 3, lost: 2 }]);
    // A gap before a new picture does not damage it: the lost packets may have been whole pictures.
    assert!(!aus[2].2);
}

#[test]
fn h265_single_ap_fu_and_irap() {
    let (aus, d) = h265(&[
        // AP with VPS (type 32) and SPS (33).
        (10, 7, false, &[0x60, 0x01, 0, 3, 0x40, 0x01, 0xAA, 0, 3, 0x42, 0x01, 0xBB]),
        // FU carrying an IDR_W_RADL (19): payload header type 49, FU header S + type 19.
        (11, 7, false, &[0x62, 0x01, 0x93, 1, 2]),
        (12, 7, true, &[0x62, 0x01, 0x53, 3]),
        // A trailing picture (type 1) as a single NAL unit packet.
        (13, 8, true, &[0x02, 0x01, 0xD0]),
    ]);
    assert!(d.issues().is_empty(), "{:?}", d.issues());
    assert_eq!(aus[0].4, vec![vec![0x40, 0x01, 0xAA], vec![0x42, 0x01, 0xBB], vec![0x26, 0x01, 1, 2, 3]]);
    assert!(aus[0].1);
    assert_eq!(aus[1], (8, false, false, AuEnd::Marker, vec![vec![0x02, 0x01, 0xD0]]));
}

#[test]
fn h265_paci_is_unwrapped() {
    // PACI (type 50) with cType 1 (a trailing picture), PHSsize 2, then the NAL unit payload.
    let (aus, d) = h265(&[(1, 0, true, &[0x64, 0x01, 0x02, 0x20, 0xEE, 0xEE, 0xD0, 0x0D])]);
    assert!(d.issues().is_empty(), "{:?}", d.issues());
    assert_eq!(aus[0].4, vec![vec![0x02, 0x01, 0xD0, 0x0D]]);
    // A PACI inside a PACI, a truncated extension and a reserved type are reported.
    let (_, d) = h265(&[
        (1, 0, false, &[0x64, 0x01, 0x64, 0x00, 0xD0]),
        (2, 0, false, &[0x64, 0x01, 0x02, 0x30, 0xEE]),
        (3, 0, true, &[0x66, 0x01, 0]),
    ]);
    assert_eq!(
        d.issues(),
        [
            Issue::Malformed { seq: 1, reason: "PACI inside a PACI" },
            Issue::Malformed { seq: 2, reason: "PACI header extension overruns the packet" },
            Issue::Unsupported { seq: 3, packet_type: 51, name: "reserved" },
        ]
    );
}

#[test]
fn h265_donl_fields_are_skipped() {
    let mut d = Depacketizer::new(Codec::H265).with_donl(true);
    let aus = feed(
        &mut d,
        &[
            (1, 0, false, &[0x02, 0x01, 0, 5, 0xD0]),
            (2, 0, false, &[0x60, 0x01, 0, 6, 0, 3, 0x40, 0x01, 0xAA, 1, 0, 3, 0x42, 0x01, 0xBB]),
            (3, 0, false, &[0x62, 0x01, 0x93, 0, 9, 1]),
            (4, 0, true, &[0x62, 0x01, 0x53, 2]),
        ],
    );
    assert!(d.issues().is_empty(), "{:?}", d.issues());
    assert_eq!(
        aus[0].4,
        vec![vec![0x02, 0x01, 0xD0], vec![0x40, 0x01, 0xAA], vec![0x42, 0x01, 0xBB], vec![0x26, 0x01, 1, 2]]
    );
}

#[test]
fn h265_fu_problems_and_malformed() {
    let (_, d) = h265(&[
        (1, 0, false, &[0x62]),
        (2, 0, false, &[0x62, 0x01]),
        (3, 0, false, &[0x62, 0x01, 0x41, 1]),
        (4, 0, false, &[0x60, 0x01, 0, 1, 0x40]),
        (5, 0, true, &[0x62, 0x01, 0xC1, 1]),
    ]);
    assert_eq!(
        d.issues(),
        [
            Issue::Malformed { seq: 1, reason: "payload shorter than the 2-byte payload header" },
            Issue::Malformed { seq: 2, reason: "FU without its FU header" },
            fu(3, FuProblem::MissingStart),
            Issue::Malformed { seq: 4, reason: "AP aggregation unit overruns the packet" },
            fu(5, FuProblem::StartAndEnd),
        ]
    );
}

#[test]
fn access_units_are_capped() {
    let chunk = vec![0xAB; 60_000];
    let mut d = Depacketizer::new(Codec::H264);
    let mut fragment = vec![0x7C, 0x85];
    fragment.extend_from_slice(&chunk);
    d.push(0, 0, false, &fragment);
    fragment[1] = 0x05;
    let packets = MAX_ACCESS_UNIT_BYTES / chunk.len() + 2;
    for seq in 1..packets as u16 {
        d.push(seq, 0, false, &fragment);
    }
    d.push(packets as u16, 0, true, &[0x7C, 0x45, 1]);
    let au = d.pop().unwrap();
    assert!(au.damaged);
    assert_eq!(au.nal_count(), 0, "the partial NAL unit is dropped");
    assert!(au.annex_b().len() <= MAX_ACCESS_UNIT_BYTES);
    assert_eq!(d.issue_counts().oversized, 1);
    assert_eq!(d.issues(), [Issue::Oversized { timestamp: 0 }]);
}

#[test]
fn buffers_are_reused_and_the_log_is_bounded() {
    let mut d = Depacketizer::new(Codec::H264);
    for seq in 0..200u16 {
        // Every packet a missing-start fragment with the marker.
        d.push(seq, u32::from(seq) * 3000, true, &[0x7C, 0x05, 1]);
        while d.pop().is_some() {}
    }
    assert_eq!(d.issues().len(), rtspeek_core::codec::depacketize::MAX_LOGGED_ISSUES);
    assert_eq!(d.issue_counts().fu_missing_start, 200);
    assert_eq!(d.stats().damaged_access_units, 200);
}
