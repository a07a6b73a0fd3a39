//! Reception statistics through the public `Receiver`: RFC 3550 A.1 probation and wrap-around, loss, reorder
//! and duplicate counting, jitter (A.8) against hand-computed values, frames, rates, gaps, SSRC changes and
//! the bounded source table.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::rtp::{feed, ms, receiver, rtp, stream, us};
use rtspeek_core::rtp::{MAX_DROPOUT, Receiver, ReceiverConfig};

const SSRC: u32 = 0x1234_5678;

/// Feeds packets with these sequence numbers (timestamp = 160 x seq, 20 ms apart) to a new 8 kHz receiver.
fn audio(seqs: &[u16]) -> Receiver {
    let mut rx = receiver(8000);
    for (i, &q) in seqs.iter().enumerate() {
        rx.receive_rtp(&rtp(SSRC, q, u32::from(q) * 160, false, 160), ms(i as u64 * 20)).unwrap();
    }
    rx
}

#[test]
fn first_packet_is_probation_and_not_counted() {
    let rx = audio(&[100]);
    let s = rx.source(SSRC).unwrap();
    assert!(!s.is_validated());
    assert_eq!((s.packets(), s.expected(), s.lost()), (1, 0, 0));
    let rx = audio(&[100, 101]);
    let s = rx.source(SSRC).unwrap();
    assert!(s.is_validated());
    assert_eq!((s.packets(), s.expected(), s.lost()), (2, 1, 0));
}

#[test]
fn out_of_sequence_packets_keep_a_source_in_probation() {
    let rx = audio(&[100, 300, 500, 700]);
    let s = rx.source(SSRC).unwrap();
    assert!(!s.is_validated());
    assert_eq!(rx.summary(ms(100)).sources[0].discarded, 4);
}

#[test]
fn sequence_wrap_around_is_not_loss() {
    let seqs: Vec<u16> = (0..40u16).map(|i| 65_520u16.wrapping_add(i)).collect();
    let rx = audio(&seqs);
    let s = rx.source(SSRC).unwrap();
    assert_eq!((s.expected(), s.lost(), s.reordered(), s.duplicates()), (39, 0, 0, 0));
}

#[test]
fn loss_is_expected_minus_received() {
    // 1..=100 with 10 missing (every 10th from 10).
    let seqs: Vec<u16> = (1..=100).filter(|q| q % 10 != 0 || *q == 100).collect();
    let rx = audio(&seqs);
    let s = rx.source(SSRC).unwrap();
    // Counting starts at 2 (the packet that ended probation): 2..=100 expected, 9 missing.
    assert_eq!((s.expected(), s.lost()), (99, 9));
    let w = &rx.summary(ms(2000)).sources[0];
    assert_eq!((w.expected, w.lost), (99, 9));
    assert!((w.loss_percent - 9.0 * 100.0 / 99.0).abs() < 1e-9);
}

#[test]
fn reordered_packets_are_not_lost() {
    let seqs = [1, 2, 3, 5, 4, 6, 8, 7, 9, 10];
    let rx = audio(&seqs);
    let s = rx.source(SSRC).unwrap();
    assert_eq!((s.expected(), s.lost(), s.reordered(), s.duplicates()), (9, 0, 2, 0));
}

#[test]
fn duplicates_do_not_hide_loss() {
    // 5 is lost, 3 and 6 arrive twice (one right away, one late).
    let seqs = [1, 2, 3, 3, 4, 6, 7, 6, 8];
    let rx = audio(&seqs);
    let s = rx.source(SSRC).unwrap();
    assert_eq!((s.expected(), s.lost(), s.reordered(), s.duplicates()), (7, 1, 0, 2));
}

#[test]
fn a_sequence_restart_is_counted_and_does_not_read_as_loss() {
    let mut seqs: Vec<u16> = (1..=50).collect();
    seqs.extend(30_000..30_050u16);
    let rx = audio(&seqs);
    let s = rx.source(SSRC).unwrap();
    assert_eq!(s.restarts(), 1);
    // 2..=50, then 30001..=30049 after the restart confirmed at 30001 (30000 was held as a jump).
    assert_eq!((s.expected(), s.lost()), (49 + 49, 0));
    // A jump just under MAX_DROPOUT is loss.
    let rx = audio(&[1, 2, 3, 3 + MAX_DROPOUT - 1]);
    assert_eq!(rx.source(SSRC).unwrap().lost(), u64::from(MAX_DROPOUT) - 2);
}

#[test]
fn jitter_matches_the_hand_computed_rfc_3550_a8_value() {
    // 8 kHz audio, 20 ms (160 ticks) per packet. Arrivals 0, 20, 45, 60, 80 ms: the packet sent at 40 ms comes 5
    // ms late. The first packet is probation, the second is the reference; then
    //   D = (45-20) ms x 8 - 160 = +40 ticks   J = 40/16                    = 2.5
    //   D = (60-45) ms x 8 - 160 = -40 ticks   J = 2.5 + (40 - 2.5)/16      = 4.84375
    //   D = (80-60) ms x 8 - 160 =   0 ticks   J = 4.84375 + (0 - 4.84375)/16 = 4.541015625
    let mut rx = receiver(8000);
    for (seq, arrival) in [(0u16, 0u64), (1, 20), (2, 45), (3, 60), (4, 80)] {
        rx.receive_rtp(&rtp(SSRC, seq, u32::from(seq) * 160, false, 160), ms(arrival)).unwrap();
    }
    let s = rx.source(SSRC).unwrap();
    assert!((s.jitter_ticks() - 4.541_015_625).abs() < 1e-5, "{}", s.jitter_ticks());
    assert!((s.jitter_ms() - 4.541_015_625 / 8.0).abs() < 1e-5);
}

#[test]
fn constant_delay_gives_zero_jitter_across_timestamp_wrap() {
    // 25 fps video whose timestamps wrap around 2^32 in the middle; every packet 37 ms in flight.
    let ts0 = u32::MAX - 3600 * 50;
    let sent = stream(60_000, ts0, 90_000, 25, 200, 1, 0);
    let mut rx = receiver(90_000);
    feed(&mut rx, SSRC, &sent, 1000, |_| 37_000);
    let s = rx.source(SSRC).unwrap();
    assert_eq!(s.jitter_ticks(), 0.0);
    assert_eq!((s.frames(), s.lost()), (199, 0));
}

#[test]
fn packets_of_one_frame_do_not_count_as_jitter() {
    // 25 fps, 20 packets a frame sent 1.5 ms apart (a 30 ms burst), constant network delay.
    let sent = stream(0, 0, 90_000, 25, 100, 20, 1500);
    let mut rx = receiver(90_000);
    feed(&mut rx, SSRC, &sent, 1200, |_| 5_000);
    let s = rx.source(SSRC).unwrap();
    assert!(s.jitter_ms() < 0.001, "{}", s.jitter_ms());
    let w = &rx.summary(us(sent.last().unwrap().sent_us + 5_000)).sources[0];
    assert_eq!(w.max_packets_per_frame, 20);
    // Probation takes the first packet: 1999 counted packets in 100 frames.
    assert!((w.packets_per_frame - 19.99).abs() < 1e-9, "{}", w.packets_per_frame);
}

#[test]
fn b_frames_sent_before_their_timestamp_order_do_not_count_as_jitter() {
    // Decode order I0 P3 B1 B2 P6 B4 B5 ...: timestamps go back and forth, frames leave every 40 ms.
    let mut rx = receiver(90_000);
    let order = [0u32, 3, 1, 2, 6, 4, 5, 9, 7, 8, 12, 10, 11, 15, 13, 14];
    for (i, &pts) in order.iter().enumerate() {
        let bytes = rtp(SSRC, i as u16, pts * 3600, true, 500);
        rx.receive_rtp(&bytes, ms(i as u64 * 40 + 10)).unwrap();
    }
    let s = rx.source(SSRC).unwrap();
    assert_eq!(s.frames(), 15);
    // Only the P-frame spacing counts once the reference is set: P3 at 3600 ticks, P6 120 ms later, etc.
    assert!(s.jitter_ms() < 0.001, "{}", s.jitter_ms());
}

#[test]
fn irregular_arrivals_give_jitter() {
    // 25 fps, one packet a frame, delay alternating 0 and 20 ms: |D| = 20 ms every frame, J tends to 20 ms.
    let sent = stream(0, 0, 90_000, 25, 500, 1, 0);
    let mut rx = receiver(90_000);
    feed(&mut rx, SSRC, &sent, 1000, |i| if i % 2 == 0 { 0 } else { 20_000 });
    let s = rx.source(SSRC).unwrap();
    assert!((s.jitter_ms() - 20.0).abs() < 0.1, "{}", s.jitter_ms());
}

#[test]
fn bitrate_and_frame_rate_over_the_window() {
    // 10 s of 25 fps with 4 packets of 1000 payload bytes (1012 with the header) per frame.
    let sent = stream(0, 0, 90_000, 25, 250, 4, 1000);
    let mut rx = receiver(90_000);
    feed(&mut rx, SSRC, &sent, 1000, |_| 0);
    let w = &rx.summary(ms(10_000)).sources[0];
    assert!((w.bitrate_bps - 250.0 * 4.0 * 1012.0 * 8.0 / 10.0).abs() < 1.0, "{}", w.bitrate_bps);
    // Probation swallows the first packet but not the first frame.
    assert!((w.frame_rate - 25.0).abs() < 1e-9, "{}", w.frame_rate);
    // The next window counts from its start.
    rx.start_window(ms(10_000));
    let later = stream(1000, 250 * 3600, 90_000, 25, 25, 4, 1000);
    feed(&mut rx, SSRC, &later, 500, |_| 10_000_000);
    let w = &rx.summary(ms(11_000)).sources[0];
    assert_eq!((w.packets, w.lost, w.expected), (100, 0, 100));
    assert!((w.bitrate_bps - 100.0 * 512.0 * 8.0).abs() < 1.0, "{}", w.bitrate_bps);
}

#[test]
fn longest_gap_is_measured_between_packets() {
    let mut rx = receiver(8000);
    let mut t = 0;
    for seq in 0..100u16 {
        // A 3 s silence before packet 50.
        t += if seq == 50 { 3000 } else { 20 };
        rx.receive_rtp(&rtp(SSRC, seq, u32::from(seq) * 160, false, 160), ms(t)).unwrap();
    }
    let s = rx.summary(ms(t));
    assert_eq!(s.longest_gap_ms, 3000.0);
    assert_eq!(s.longest_gap_end_s, (20 * 49 + 3000 + 20) as f64 / 1000.0);
    assert_eq!(s.silence_ms, Some(0.0));
}

#[test]
fn a_new_ssrc_on_the_stream_is_a_change() {
    let mut rx = receiver(8000);
    for seq in 0..50u16 {
        rx.receive_rtp(&rtp(1, seq, 0, false, 10), ms(u64::from(seq) * 20)).unwrap();
    }
    for seq in 0..50u16 {
        rx.receive_rtp(&rtp(2, 9000 + seq, 0, false, 10), ms(1000 + u64::from(seq) * 20)).unwrap();
    }
    let s = rx.summary(ms(2000));
    assert_eq!(s.ssrc_change_count, 1);
    assert_eq!((s.ssrc_changes[0].from, s.ssrc_changes[0].to, s.ssrc_changes[0].at_s), (1, 2, 1.0));
    assert_eq!(s.sources.len(), 2);
    // Packets from the old SSRC again are not a new change.
    rx.receive_rtp(&rtp(1, 50, 0, false, 10), ms(2000)).unwrap();
    assert_eq!(rx.summary(ms(2000)).ssrc_change_count, 1);
}

#[test]
fn the_source_table_is_bounded_and_forgets_the_least_recent() {
    let config = ReceiverConfig { max_sources: 4, ..ReceiverConfig::new(8000) };
    let mut rx = Receiver::new(config, ms(0));
    for ssrc in 0..10u32 {
        for seq in 0..3u16 {
            rx.receive_rtp(&rtp(ssrc, seq, 0, false, 10), ms(u64::from(ssrc) * 100 + u64::from(seq)))
                .unwrap();
        }
    }
    let kept: Vec<u32> = rx.sources().map(|s| s.ssrc()).collect();
    assert_eq!(kept.len(), 4);
    let mut sorted = kept.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [6, 7, 8, 9]);
    let s = rx.summary(ms(1000));
    assert_eq!(s.evicted_sources, 6);
    assert_eq!(s.ssrc_change_count, 9);
    // The configured size is clamped.
    let rx = Receiver::new(ReceiverConfig { max_sources: 0, ..ReceiverConfig::new(8000) }, ms(0));
    assert_eq!(rx.config().max_sources, 1);
}

#[test]
fn malformed_packets_are_counted_with_their_error() {
    let mut rx = receiver(8000);
    let mut bad = rtp(SSRC, 1, 0, false, 4);
    bad[0] = 0x40; // version 1
    let err = rx.receive_rtp(&bad, ms(0)).unwrap_err();
    assert_eq!(err.offset, 0);
    assert!(rx.receive_rtp(&[0x80, 0x60, 0], ms(1)).is_err());
    let s = rx.summary(ms(10));
    assert_eq!((s.malformed_rtp, s.rtp_packets), (2, 0));
}

#[test]
fn extreme_clock_rates_and_arrival_gaps_do_not_overflow() {
    for clock_rate in [0, 1, u32::MAX] {
        let mut rx = receiver(clock_rate);
        let mut t = 0u64;
        for (i, seq) in (0..20u16).enumerate() {
            // Gaps from a microsecond to years; timestamps leaping by up to 2^31.
            t += 1 << (i * 3);
            let ts = (u32::from(seq) << 28) | u32::from(seq);
            rx.receive_rtp(&rtp(SSRC, seq, ts, false, 1), us(t)).unwrap();
        }
        let s = rx.source(SSRC).unwrap();
        assert!(s.jitter_ms().is_finite() && s.jitter_ms() >= 0.0);
        let mut blocks = Vec::new();
        rx.report_blocks(us(t), &mut blocks);
        assert_eq!(blocks.len(), 1);
        assert!(!rx.assess(us(u64::MAX)).is_empty());
    }
}
