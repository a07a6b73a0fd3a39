//! Entry of the `rtp` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/rtp.rs) and the corpus replay
//! test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use std::time::Duration;

use rtspeek_core::rtcp;
use rtspeek_core::rtp::{self, Receiver, ReceiverConfig, RtpHeader};

/// What the fuzz target runs: `data` as one RTP packet (every accessor, and a write-parse round trip), then as a
/// stream of records `[length][arrival step in ms][bytes...]` fed to a receiver (RTP, or RTCP when it looks
/// like RTCP), which is then summarised, assessed and asked for a receiver report. Any outcome but a panic (or
/// a hang) is fine, except a round trip that changes the packet.
pub fn run(data: &[u8]) {
    packet(data);
    stream(data);
}

/// Parses `data` as one RTP packet, reads every field, and checks that writing it back parses to the same.
pub fn packet(data: &[u8]) {
    let Ok(p) = rtp::parse(data) else { return };
    let csrcs: Vec<u32> = p.csrcs().collect();
    let extension = p.extension();
    if let Some(ext) = extension {
        for element in ext.elements() {
            let _ = element.map(|e| e.data.len());
        }
    }
    let header = RtpHeader {
        marker: p.marker(),
        payload_type: p.payload_type(),
        sequence: p.sequence(),
        timestamp: p.timestamp(),
        ssrc: p.ssrc(),
        csrcs: &csrcs,
        extension,
        padding: u8::try_from(p.padding_len()).expect("padding count is one byte"),
    };
    let mut out = Vec::new();
    header.write(p.payload(), &mut out).expect("a parsed header can be written");
    let q = rtp::parse(&out).expect("a written packet parses");
    assert_eq!(
        (q.marker(), q.payload_type(), q.sequence(), q.timestamp(), q.ssrc(), q.payload(), q.padding_len()),
        (p.marker(), p.payload_type(), p.sequence(), p.timestamp(), p.ssrc(), p.payload(), p.padding_len())
    );
    assert_eq!(q.csrcs().collect::<Vec<_>>(), csrcs);
    assert_eq!(q.extension().map(|e| (e.profile(), e.data())), extension.map(|e| (e.profile(), e.data())));
}

/// Feeds `data` as length-prefixed records to a receiver, then reads everything it offers.
pub fn stream(data: &[u8]) {
    // Odd first bytes give absurd clock rates (up to 2^32 - 2^24), even ones ordinary ones (0 to 254 kHz).
    let first = u32::from(data.first().copied().unwrap_or(0));
    let clock_rate = if first % 2 == 1 { first << 24 } else { first * 1000 };
    let config = ReceiverConfig { max_sources: 3, ..ReceiverConfig::new(clock_rate) };
    let mut rx = Receiver::new(config, Duration::ZERO);
    let mut now = Duration::ZERO;
    let mut rest = data;
    while let [len, step, tail @ ..] = rest {
        let (record, next) = tail.split_at(usize::from(*len).min(tail.len()));
        now += Duration::from_millis(u64::from(*step) * 37);
        if rtcp::looks_like_rtcp(record) {
            let _ = rx.receive_rtcp(record, now);
        } else {
            let _ = rx.receive_rtp(record, now);
        }
        rest = next;
    }
    let _ = rx.summary(now);
    let _ = rx.assess(now + Duration::from_secs(3));
    let mut report = Vec::new();
    rx.write_receiver_report(1, "fuzz@rtspeek", now, &mut report).expect("short CNAME");
    rtcp::Compound::parse(&report).expect("our own report is valid");
}
