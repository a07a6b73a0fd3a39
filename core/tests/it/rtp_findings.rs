//! Every `rtp.*` and `rtcp.*` finding, produced by a synthetic stream: one scenario per code (with its
//! severities), a healthy stream that produces none, and a coverage test over the family's catalogue.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeSet;
use std::time::Duration;

use crate::support::rtp::{ms, receiver, rtp, sender_report, us};
use rtspeek_core::diagnose::codes::{self, CodeInfo};
use rtspeek_core::rtp::{Receiver, ReceiverConfig};
use rtspeek_core::{Finding, Severity};

const SSRC: u32 = 0x5eed_0001;

/// One packet to deliver.
#[derive(Debug, Clone, Copy)]
struct Pkt {
    seq: u16,
    ts: u32,
    at_us: u64,
}

/// `seconds` of 25 fps video, 4 packets a frame sent 1 ms apart, arriving 2 ms after they leave.
fn video(seconds: u64) -> Vec<Pkt> {
    let mut out = Vec::new();
    for f in 0..seconds * 25 {
        for p in 0..4 {
            let seq = (f * 4 + p) as u16;
            out.push(Pkt { seq, ts: (f * 3600) as u32, at_us: f * 40_000 + p * 1000 + 2000 });
        }
    }
    out
}

/// Delivers `packets` from `ssrc` (and, with `sr`, a sender report every 5 s from 1 s) to `rx`.
fn deliver(rx: &mut Receiver, ssrc: u32, packets: &[Pkt], sr: bool) {
    let mut next_sr = 1_000_000;
    for p in packets {
        if sr && p.at_us >= next_sr {
            rx.receive_rtcp(&sender_report(ssrc, next_sr << 20, "cam"), us(next_sr)).unwrap();
            next_sr += 5_000_000;
        }
        rx.receive_rtp(&rtp(ssrc, p.seq, p.ts, false, 1000), us(p.at_us)).unwrap();
    }
}

/// Assesses `packets` (with sender reports) at `now_s` seconds.
fn assess(packets: &[Pkt], now_s: u64) -> Vec<Finding> {
    let mut rx = receiver(90_000);
    deliver(&mut rx, SSRC, packets, true);
    rx.assess(Duration::from_secs(now_s))
}

/// The findings with `code`.
fn with(findings: &[Finding], code: &CodeInfo) -> Vec<Finding> {
    findings.iter().filter(|f| f.code == code.code).cloned().collect()
}

/// The only finding, which must have `code`.
fn only(findings: &[Finding], code: &CodeInfo) -> Finding {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].code, code.code);
    findings[0].clone()
}

fn evidence<'a>(f: &'a Finding, label: &str) -> &'a str {
    f.evidence
        .iter()
        .find(|e| e.label == label)
        .map(|e| e.value.as_str())
        .unwrap_or_else(|| panic!("{label}"))
}

fn healthy() -> Vec<Finding> {
    assess(&video(15), 15)
}

fn no_packets() -> Vec<Finding> {
    receiver(90_000).assess(Duration::from_secs(5))
}

fn malformed() -> Vec<Finding> {
    let mut rx = receiver(90_000);
    deliver(&mut rx, SSRC, &video(2), false);
    let mut bad = rtp(SSRC, 60_000, 0, false, 10);
    bad[0] |= 0x20; // padding bit, and the last payload byte (0xab) as the count: too long
    for i in 0..3 {
        assert!(rx.receive_rtp(&bad, ms(2100 + i)).is_err());
    }
    rx.assess(ms(2200))
}

/// 20 s of video with every `n`-th packet lost.
fn loss_every(n: usize) -> Vec<Finding> {
    let packets: Vec<Pkt> =
        video(20).into_iter().enumerate().filter(|(i, _)| i % n != n / 2).map(|(_, p)| p).collect();
    assess(&packets, 20)
}

fn loss() -> Vec<Finding> {
    loss_every(10)
}

/// 20 s of video (2000 packets) with `count` adjacent pairs swapped.
fn reorder_pairs(count: usize) -> Vec<Finding> {
    let mut packets = video(20);
    for k in 0..count {
        let i = 10 + k * 20;
        let (a, b) = (packets[i], packets[i + 1]);
        packets[i] = Pkt { at_us: a.at_us, ..b };
        packets[i + 1] = Pkt { at_us: b.at_us, ..a };
    }
    assess(&packets, 20)
}

fn reorder() -> Vec<Finding> {
    reorder_pairs(5)
}

/// 20 s of video with `count` packets delivered twice.
fn duplicate_packets(count: usize) -> Vec<Finding> {
    let mut packets = video(20);
    for k in 0..count {
        let i = 10 + k * 30;
        let copy = Pkt { at_us: packets[i].at_us + 100, ..packets[i] };
        packets.insert(i + 1, copy);
    }
    assess(&packets, 20)
}

fn duplicate() -> Vec<Finding> {
    duplicate_packets(5)
}

/// 20 s of video whose frames arrive alternately on time and `late_ms` late (under the 40 ms frame
/// interval, so that the frames stay in order), judged with `config`.
fn jitter_of(late_ms: u64, config: ReceiverConfig) -> Vec<Finding> {
    let packets: Vec<Pkt> = video(20)
        .into_iter()
        .map(|p| {
            let frame = p.at_us / 40_000;
            Pkt { at_us: p.at_us + if frame % 2 == 1 { late_ms * 1000 } else { 0 }, ..p }
        })
        .collect();
    let mut rx = Receiver::new(config, Duration::ZERO);
    deliver(&mut rx, SSRC, &packets, true);
    rx.assess(Duration::from_secs(20))
}

fn jitter() -> Vec<Finding> {
    jitter_of(35, ReceiverConfig::new(90_000))
}

/// 15 s of video with 3 s of silence after 5 s.
fn gap() -> Vec<Finding> {
    let packets: Vec<Pkt> = video(15)
        .into_iter()
        .map(|p| Pkt { at_us: if p.at_us >= 5_000_000 { p.at_us + 3_000_000 } else { p.at_us }, ..p })
        .collect();
    assess(&packets, 18)
}

/// 12 s of video, then 6 s of SSRC 2.
fn ssrc_change() -> Vec<Finding> {
    let mut rx = receiver(90_000);
    deliver(&mut rx, SSRC, &video(12), true);
    let next: Vec<Pkt> = video(6).into_iter().map(|p| Pkt { at_us: p.at_us + 12_000_000, ..p }).collect();
    deliver(&mut rx, SSRC + 1, &next, false);
    rx.assess(Duration::from_secs(18))
}

fn rtcp_absent() -> Vec<Finding> {
    let mut rx = receiver(90_000);
    deliver(&mut rx, SSRC, &video(12), false);
    rx.assess(Duration::from_secs(12))
}

fn rtcp_malformed() -> Vec<Finding> {
    let mut rx = receiver(90_000);
    deliver(&mut rx, SSRC, &video(12), true);
    // An SR whose report count promises a block that is not there.
    let mut bad = sender_report(SSRC, 1 << 40, "cam");
    bad[0] |= 1;
    assert!(rx.receive_rtcp(&bad, ms(11_500)).is_err());
    rx.assess(Duration::from_secs(12))
}

/// A scenario: builds a stream and returns the receiver's findings.
type Scenario = fn() -> Vec<Finding>;

/// Every scenario, by the code it proves.
const SCENARIOS: &[(&CodeInfo, Scenario)] = &[
    (codes::RTP_NO_PACKETS, no_packets),
    (codes::RTP_MALFORMED, malformed),
    (codes::RTP_LOSS, loss),
    (codes::RTP_REORDER, reorder),
    (codes::RTP_DUPLICATE, duplicate),
    (codes::RTP_JITTER, jitter),
    (codes::RTP_GAP, gap),
    (codes::RTP_SSRC_CHANGE, ssrc_change),
    (codes::RTCP_ABSENT, rtcp_absent),
    (codes::RTCP_MALFORMED, rtcp_malformed),
];

#[test]
fn every_rtp_and_rtcp_code_is_produced_by_its_scenario() {
    let mut produced = BTreeSet::new();
    for (code, scenario) in SCENARIOS {
        let findings = scenario();
        assert!(findings.iter().any(|f| f.code == code.code), "{}: {findings:#?}", code.code);
        produced.extend(findings.into_iter().map(|f| f.code));
    }
    for code in codes::RTP_CODES {
        assert!(produced.contains(code.code), "no scenario produces {}", code.code);
    }
}

#[test]
fn a_healthy_stream_has_no_findings() {
    assert!(healthy().is_empty(), "{:#?}", healthy());
}

#[test]
fn no_packets_is_an_error_after_the_grace_period() {
    let f = only(&no_packets(), codes::RTP_NO_PACKETS);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(evidence(&f, "window"), "5.000 s");
    assert!(receiver(90_000).assess(ms(1500)).is_empty());
    // RTCP without media: the sender is alive.
    let mut rx = receiver(90_000);
    rx.receive_rtcp(&sender_report(SSRC, 1 << 32, "cam"), ms(1000)).unwrap();
    let f = only(&rx.assess(ms(5000)), codes::RTP_NO_PACKETS);
    assert_eq!(evidence(&f, "rtcp_packets"), "1");
    assert!(f.summary.contains("sender is alive"), "{}", f.summary);
}

#[test]
fn malformed_rtp_names_the_offset_and_is_an_error_when_nothing_parses() {
    let f = only(&malformed(), codes::RTP_MALFORMED);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(evidence(&f, "malformed_packets"), "3");
    assert_eq!(evidence(&f, "byte_offset"), "21");
    assert!(evidence(&f, "first_error").contains("padding count 171"), "{f:?}");
    let mut rx = receiver(90_000);
    rx.receive_rtp(&[0x80, 0x60, 0, 1], ms(0)).unwrap_err();
    let f = only(&rx.assess(ms(5000)), codes::RTP_MALFORMED);
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn loss_severity_follows_the_rate() {
    for (every, severity, percent) in
        [(1000, Severity::Info, "0.10"), (100, Severity::Warning, "1.00"), (10, Severity::Error, "10.01")]
    {
        let f = only(&loss_every(every), codes::RTP_LOSS);
        assert_eq!(f.severity, severity, "{f:?}");
        assert_eq!(evidence(&f, "loss_percent"), percent);
        assert_eq!(evidence(&f, "ssrc"), "0x5eed0001");
    }
    let f = only(&loss(), codes::RTP_LOSS);
    assert_eq!((evidence(&f, "lost"), evidence(&f, "expected")), ("200", "1999"));
}

#[test]
fn reorder_and_duplicate_severities() {
    let f = only(&reorder(), codes::RTP_REORDER);
    assert_eq!((f.severity, evidence(&f, "packets")), (Severity::Info, "5"));
    assert_eq!(only(&reorder_pairs(40), codes::RTP_REORDER).severity, Severity::Warning);
    let f = only(&duplicate(), codes::RTP_DUPLICATE);
    assert_eq!((f.severity, evidence(&f, "packets")), (Severity::Info, "5"));
    assert_eq!(only(&duplicate_packets(40), codes::RTP_DUPLICATE).severity, Severity::Warning);
}

#[test]
fn jitter_severity_follows_the_threshold() {
    let f = only(&jitter(), codes::RTP_JITTER);
    assert_eq!(f.severity, Severity::Warning);
    let max: f64 = evidence(&f, "max_jitter_ms").parse().unwrap();
    assert!((max - 35.0).abs() < 0.5, "{max}");
    let mut strict = ReceiverConfig::new(90_000);
    strict.thresholds.jitter_error_ms = 32.0;
    assert_eq!(only(&jitter_of(35, strict), codes::RTP_JITTER).severity, Severity::Error);
    assert!(jitter_of(10, ReceiverConfig::new(90_000)).is_empty());
}

#[test]
fn gaps_mid_stream_and_ongoing() {
    let f = only(&gap(), codes::RTP_GAP);
    assert_eq!(evidence(&f, "longest_gap"), "3.037 s");
    assert_eq!(evidence(&f, "gap_ended_at"), "8.002 s");
    // The stream stops at 5 s; assessed at 8 s, the silence is still going on.
    let f = only(&assess(&video(5), 8), codes::RTP_GAP);
    assert!(f.summary.contains("went silent"), "{}", f.summary);
    assert_eq!(evidence(&f, "longest_gap"), "3.035 s");
}

#[test]
fn ssrc_change_names_both_sources() {
    let findings = ssrc_change();
    let f = only(&with(&findings, codes::RTP_SSRC_CHANGE), codes::RTP_SSRC_CHANGE);
    assert_eq!((evidence(&f, "previous_ssrc"), evidence(&f, "new_ssrc")), ("0x5eed0001", "0x5eed0002"));
    assert_eq!(evidence(&f, "at"), "12.002 s");
    // The new source sent no SR in its 6 s, but the old one did in the window: RTCP is not absent.
    assert_eq!(findings.len(), 1, "{findings:#?}");
}

#[test]
fn rtcp_absent_only_after_its_grace_period() {
    let f = only(&rtcp_absent(), codes::RTCP_ABSENT);
    assert_eq!(evidence(&f, "rtcp_packets"), "0");
    let mut rx = receiver(90_000);
    deliver(&mut rx, SSRC, &video(8), false);
    assert!(rx.assess(Duration::from_secs(8)).is_empty());
}

#[test]
fn rtcp_malformed_names_the_offset() {
    let f = only(&rtcp_malformed(), codes::RTCP_MALFORMED);
    assert_eq!(evidence(&f, "byte_offset"), "28");
    assert!(evidence(&f, "first_error").contains("report blocks"), "{f:?}");
}

#[test]
fn a_new_window_forgets_the_last_ones_problems() {
    let mut rx = receiver(90_000);
    // Loss in the first window (not of its last packet, which the next window would count).
    let packets: Vec<Pkt> =
        video(12).into_iter().enumerate().filter(|(i, _)| i % 10 != 5).map(|(_, p)| p).collect();
    deliver(&mut rx, SSRC, &packets, true);
    assert!(!with(&rx.assess(Duration::from_secs(12)), codes::RTP_LOSS).is_empty());
    rx.start_window(Duration::from_secs(12));
    let next: Vec<Pkt> = video(12)
        .into_iter()
        .map(|p| Pkt { at_us: p.at_us + 12_000_000, seq: p.seq.wrapping_add(1200), ts: p.ts + 12 * 90_000 })
        .collect();
    deliver(&mut rx, SSRC, &next, false);
    rx.receive_rtcp(&sender_report(SSRC, 1 << 40, "cam"), ms(20_000)).unwrap();
    let findings = rx.assess(Duration::from_secs(24));
    assert!(findings.is_empty(), "{findings:#?}");
}
