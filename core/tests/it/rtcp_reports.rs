//! RTCP through the public API: receiver and sender reports built from reception statistics and parsed back,
//! LSR/DLSR from the sender's SR, SDES and BYE handling, and malformed compound packets.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::rtp::{ms, receiver, rtp, sender_report};
use rtspeek_core::rtcp::{
    self, Compound, ReportBlock, RtcpErrorReason, RtcpPacket, SenderInfo, lsr_from_ntp, ntp_timestamp,
};
use rtspeek_core::rtp::{Receiver, ReceiverConfig};
use std::time::Duration;

const CAMERA: u32 = 0xca11_ab1e;
const PROBE: u32 = 0x0000_beef;

/// Parses `bytes` strictly and returns the report blocks of its SR/RR packets and its packet types.
fn blocks_of(bytes: &[u8]) -> (Vec<ReportBlock>, Vec<u8>) {
    let compound = Compound::parse(bytes).expect("valid compound packet");
    let mut blocks = Vec::new();
    let mut types = Vec::new();
    for p in compound.packets() {
        types.push(p.packet_type());
        match p {
            RtcpPacket::SenderReport(sr) => blocks.extend(sr.report_blocks()),
            RtcpPacket::ReceiverReport(rr) => blocks.extend(rr.report_blocks()),
            _ => {}
        }
    }
    (blocks, types)
}

#[test]
fn receiver_report_round_trip_with_loss_jitter_lsr_and_dlsr() {
    let mut rx = receiver(8000);
    // 1..=100, 10 lost; constant spacing except one packet 5 ms late near the end (so the jitter is still
    // over a tick when the report is written).
    for q in (1..=100u16).filter(|q| q % 10 != 5) {
        let late = if q == 98 { 5 } else { 0 };
        rx.receive_rtp(&rtp(CAMERA, q, u32::from(q) * 160, false, 160), ms(u64::from(q) * 20 + late))
            .unwrap();
    }
    let ntp = ntp_timestamp(Duration::from_secs(1_800_000_000) + ms(250));
    rx.receive_rtcp(&sender_report(CAMERA, ntp, "cam@192.0.2.10"), ms(1000)).unwrap();
    assert_eq!(rx.source(CAMERA).unwrap().cname(), Some("cam@192.0.2.10"));

    let mut out = Vec::new();
    let len = rx.write_receiver_report(PROBE, "rtspeek@probe", ms(1500), &mut out).unwrap();
    assert_eq!(len, out.len());
    let (blocks, types) = blocks_of(&out);
    assert_eq!(types, [rtcp::RR, rtcp::SDES]);
    let b = blocks[0];
    assert_eq!(b.ssrc, CAMERA);
    // 2..=100 expected (99), 10 missing: 5, 15, ..., 95.
    assert_eq!(b.cumulative_lost, 10);
    assert_eq!(b.fraction_lost, (10 * 256 / 99) as u8);
    assert_eq!(b.highest_sequence, 100);
    assert_eq!(b.jitter, rx.source(CAMERA).unwrap().jitter_ticks() as u32);
    assert!(b.jitter > 0);
    assert_eq!(b.last_sr, lsr_from_ntp(ntp));
    // 500 ms between the SR's arrival and the report.
    assert_eq!(b.delay_since_last_sr, 32_768);

    // Nothing new since: the next report has no block.
    out.clear();
    rx.write_receiver_report(PROBE, "rtspeek@probe", ms(2000), &mut out).unwrap();
    assert!(blocks_of(&out).0.is_empty());

    // Ten more packets, none lost: fraction 0 for this interval, cumulative unchanged.
    for q in 101..=110u16 {
        rx.receive_rtp(&rtp(CAMERA, q, u32::from(q) * 160, false, 160), ms(u64::from(q) * 20)).unwrap();
    }
    out.clear();
    rx.write_receiver_report(PROBE, "rtspeek@probe", ms(2500), &mut out).unwrap();
    let b = blocks_of(&out).0[0];
    assert_eq!((b.fraction_lost, b.cumulative_lost, b.highest_sequence), (0, 10, 110));
    assert_eq!(b.delay_since_last_sr, 65_536 * 3 / 2);
}

#[test]
fn no_sr_means_zero_lsr_and_dlsr() {
    let mut rx = receiver(90_000);
    for q in 0..5u16 {
        rx.receive_rtp(&rtp(CAMERA, q, 0, false, 100), ms(u64::from(q))).unwrap();
    }
    let mut blocks = Vec::new();
    rx.report_blocks(ms(100), &mut blocks);
    assert_eq!((blocks.len(), blocks[0].last_sr, blocks[0].delay_since_last_sr), (1, 0, 0));
}

#[test]
fn sender_report_with_blocks_for_every_source_round_trip() {
    // 40 sources (the table holds 8 by default; make room for all).
    let mut rx =
        Receiver::new(ReceiverConfig { max_sources: 40, ..ReceiverConfig::new(90_000) }, Duration::ZERO);
    for ssrc in 0..40u32 {
        for q in 0..3u16 {
            rx.receive_rtp(&rtp(ssrc, q, 0, false, 10), ms(u64::from(q))).unwrap();
        }
    }
    let info = SenderInfo { ntp_timestamp: 7 << 32, rtp_timestamp: 90_000, packet_count: 3, octet_count: 30 };
    let mut out = Vec::new();
    rx.write_sender_report(PROBE, &info, "server@cam.example", ms(10), &mut out).unwrap();
    let (blocks, types) = blocks_of(&out);
    // 31 blocks in the SR, the other 9 in an RR, then the SDES.
    assert_eq!(types, [rtcp::SR, rtcp::RR, rtcp::SDES]);
    let mut ssrcs: Vec<u32> = blocks.iter().map(|b| b.ssrc).collect();
    ssrcs.sort_unstable();
    assert_eq!(ssrcs, (0..40).collect::<Vec<_>>());
    assert!(blocks.iter().all(|b| b.highest_sequence == 2 && b.cumulative_lost == 0));
    let Some(RtcpPacket::SenderReport(sr)) = Compound::parse(&out).unwrap().packets().next() else {
        panic!()
    };
    assert_eq!((sr.ssrc, sr.info), (PROBE, info));
}

#[test]
fn a_cname_too_long_is_refused_and_nothing_written() {
    let mut rx = receiver(8000);
    let mut out = vec![1, 2, 3];
    let long = "x".repeat(300);
    assert_eq!(
        rx.write_receiver_report(PROBE, &long, ms(0), &mut out),
        Err(rtcp::RtcpBuildError::TextTooLong(300))
    );
    assert_eq!(out, [1, 2, 3]);
}

#[test]
fn bye_is_recorded_in_the_summary() {
    let mut rx = receiver(8000);
    for q in 0..5u16 {
        rx.receive_rtp(&rtp(CAMERA, q, 0, false, 10), ms(u64::from(q) * 20)).unwrap();
    }
    let mut out = Vec::new();
    rtcp::write_receiver_report(CAMERA, &[], &mut out);
    rtcp::write_bye(&[CAMERA], Some(b"teardown"), &mut out).unwrap();
    rx.receive_rtcp(&out, ms(200)).unwrap();
    assert!(rx.summary(ms(300)).sources[0].said_bye);
}

#[test]
fn malformed_rtcp_is_reported_with_offset_and_earlier_packets_still_count() {
    let mut rx = receiver(8000);
    let mut bytes = sender_report(CAMERA, 1 << 32, "cam");
    let sr_len = bytes.len();
    // A second packet whose length field runs past the datagram.
    bytes.extend_from_slice(&[0x80, rtcp::RR, 0, 9, 0, 0, 0, 1]);
    let err = rx.receive_rtcp(&bytes, ms(5)).unwrap_err();
    assert_eq!(err.offset, sr_len);
    assert!(matches!(err.reason, RtcpErrorReason::Truncated { .. }));
    let s = rx.summary(ms(10));
    assert_eq!((s.rtcp_packets, s.malformed_rtcp, s.sender_reports), (1, 1, 1));
    assert!(rx.source(CAMERA).unwrap().last_sender_info().is_some());
    // A compound packet that starts with a BYE breaks RFC 3550 A.2 but its BYE is read.
    let mut bye = Vec::new();
    rtcp::write_bye(&[CAMERA], None, &mut bye).unwrap();
    let err = rx.receive_rtcp(&bye, ms(20)).unwrap_err();
    assert_eq!(err.reason, RtcpErrorReason::FirstNotReport(rtcp::BYE));
    assert_eq!(rx.summary(ms(30)).malformed_rtcp, 2);
}
