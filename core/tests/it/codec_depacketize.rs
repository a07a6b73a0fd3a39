//! The depacketizers on real packetizer output (GStreamer rtph264pay / rtph265pay, see
//! data/codec/README.md): the access units must hold exactly the NAL units of the Annex B source, and damage
//! made to the packet sequence must be found where it was made.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::codec::{Au, Packet, depacketize, rtp_packets};
use rtspeek_core::codec::{AuEnd, Codec, FuProblem, Issue, annexb, h264, h265};

const X264_ANNEX_B: &[u8] = include_bytes!("../data/codec/x264_high_320x182.h264");
const X264_FU_A: &[u8] = include_bytes!("../data/codec/x264_high_320x182.rtpstream");
const X264_STAP_A: &[u8] = include_bytes!("../data/codec/x264_high_320x182_stapa.rtpstream");
const X265_ANNEX_B: &[u8] = include_bytes!("../data/codec/x265_main_320x182.h265");
const X265_RTP: &[u8] = include_bytes!("../data/codec/x265_main_320x182.rtpstream");

/// Frames in each fixture, and the IDR/IRAP positions (keyint 10).
const FRAMES: usize = 15;

fn all_nals(aus: &[Au]) -> Vec<Vec<u8>> {
    aus.iter().flat_map(|au| au.nals.iter().cloned()).collect()
}

fn source_nals(annex_b: &[u8]) -> Vec<Vec<u8>> {
    annexb::nal_units(annex_b).map(<[u8]>::to_vec).collect()
}

fn packet_types(packets: &[Packet], codec: Codec) -> Vec<u8> {
    packets
        .iter()
        .map(|p| match codec {
            Codec::H264 => p.payload[0] & 0x1F,
            Codec::H265 => (p.payload[0] >> 1) & 0x3F,
        })
        .collect()
}

fn check_clean(codec: Codec, rtp: &[u8], annex_b: &[u8]) -> Vec<Au> {
    let packets = rtp_packets(rtp);
    let (aus, d) = depacketize(codec, &packets);
    assert_eq!(all_nals(&aus), source_nals(annex_b), "reassembled NAL units equal the Annex B source");
    assert_eq!(aus.len(), FRAMES);
    assert!(aus.iter().all(|au| au.end == AuEnd::Marker && !au.damaged));
    assert_eq!(aus.iter().filter(|au| au.keyframe).count(), 2, "IDR at frames 0 and 10");
    assert!(aus[0].keyframe);
    assert!(d.issues().is_empty(), "{:?}", d.issues());
    assert_eq!(d.stats().access_units, FRAMES as u64);
    // The Annex B view of each access unit is its NAL units with 4-byte start codes.
    for au in &aus {
        let split: Vec<Vec<u8>> = annexb::nal_units(&au.annex_b).map(<[u8]>::to_vec).collect();
        assert_eq!(split, au.nals);
    }
    aus
}

#[test]
fn rtph264pay_fu_a_reassembles_the_source() {
    let types = packet_types(&rtp_packets(X264_FU_A), Codec::H264);
    assert!(types.contains(&h264::nal_type::FU_A), "{types:?}");
    assert!(types.iter().any(|&t| h264::is_vcl(t)), "single NAL unit slices too: {types:?}");
    let aus = check_clean(Codec::H264, X264_FU_A, X264_ANNEX_B);
    // The fixture starts 7296 ticks before the 32-bit timestamp wraps and its sequence numbers wrap too.
    assert!(aus.iter().any(|au| au.timestamp > 0xFFFF_0000) && aus.iter().any(|au| au.timestamp < 0x10000));
}

#[test]
fn rtph264pay_stap_a_reassembles_the_source() {
    let types = packet_types(&rtp_packets(X264_STAP_A), Codec::H264);
    assert!(types.contains(&h264::nal_type::STAP_A), "{types:?}");
    check_clean(Codec::H264, X264_STAP_A, X264_ANNEX_B);
}

#[test]
fn rtph265pay_ap_and_fu_reassemble_the_source() {
    let types = packet_types(&rtp_packets(X265_RTP), Codec::H265);
    assert!(types.contains(&h265::nal_type::AP) && types.contains(&h265::nal_type::FU), "{types:?}");
    check_clean(Codec::H265, X265_RTP, X265_ANNEX_B);
}

#[test]
fn cameras_without_marker_bits_still_give_every_access_unit() {
    let mut packets = rtp_packets(X264_FU_A);
    packets.iter_mut().for_each(|p| p.marker = false);
    let (aus, d) = depacketize(Codec::H264, &packets);
    assert_eq!(all_nals(&aus), source_nals(X264_ANNEX_B));
    assert_eq!(aus.len(), FRAMES);
    assert!(aus[..FRAMES - 1].iter().all(|au| au.end == AuEnd::TimestampChange && !au.damaged));
    assert_eq!(aus[FRAMES - 1].end, AuEnd::Flush);
    assert_eq!(d.issue_counts().marker_missing, FRAMES as u64 - 1);
    assert!(matches!(d.issues()[0], Issue::MarkerMissing { .. }));
}

#[test]
fn a_lost_fragment_damages_only_its_access_unit() {
    let packets = rtp_packets(X264_FU_A);
    // The middle fragment of the first IDR slice.
    let fu_a: Vec<usize> = (0..packets.len())
        .filter(|&i| {
            packets[i].payload[0] & 0x1F == h264::nal_type::FU_A && packets[i].payload[1] & 0xC0 == 0
        })
        .collect();
    let victim = fu_a[0];
    let lost_seq = packets[victim].seq;
    let mut damaged = packets.clone();
    damaged.remove(victim);
    let (aus, d) = depacketize(Codec::H264, &damaged);
    assert_eq!(aus.len(), FRAMES);
    assert!(aus[0].damaged && aus[1..].iter().all(|au| !au.damaged));
    // The IDR slice is gone; every other NAL unit is intact.
    let (clean, _) = depacketize(Codec::H264, &packets);
    assert_eq!(aus[1..], clean[1..]);
    assert!(!aus[0].nals.iter().any(|n| n[0] & 0x1F == h264::nal_type::IDR));
    let c = d.issue_counts();
    assert_eq!((c.lost_packets, c.fu_sequence_gap, c.fu_missing_end), (1, 1, 0));
    assert!(d.issues().contains(&Issue::Loss { seq: lost_seq.wrapping_add(1), lost: 1 }));
    assert!(
        d.issues().contains(&Issue::Fu { problem: FuProblem::SequenceGap, seq: lost_seq.wrapping_add(1) })
    );
}

#[test]
fn a_lost_start_fragment_is_reported_once() {
    let packets = rtp_packets(X265_RTP);
    let start = packets
        .iter()
        .position(|p| (p.payload[0] >> 1) & 0x3F == h265::nal_type::FU && p.payload[2] & 0x80 != 0)
        .unwrap();
    let mut damaged = packets.clone();
    // Lost at the start and renumbered, as if the sender never sent it: no sequence gap, only the FU error.
    damaged.remove(start);
    for p in &mut damaged[start..] {
        p.seq = p.seq.wrapping_sub(1);
    }
    let (aus, d) = depacketize(Codec::H265, &damaged);
    assert_eq!(d.issue_counts().fu_missing_start, 1, "{:?}", d.issues());
    assert_eq!(d.issue_counts().lost_packets, 0);
    assert_eq!(aus.iter().filter(|au| au.damaged).count(), 1);
}

#[test]
fn late_and_duplicated_packets_are_dropped() {
    let mut packets = rtp_packets(X264_STAP_A);
    let dup = packets[5].clone();
    packets.insert(7, dup);
    let (aus, d) = depacketize(Codec::H264, &packets);
    assert_eq!(all_nals(&aus), source_nals(X264_ANNEX_B));
    assert_eq!(d.issue_counts().late_packets, 1);
}
