//! RTP header parsing plus reception statistics, per packet: the receiver's hot path.
//!
//! The input is 100 000 packets of one realistic video stream built up front: 25 fps, 4 to 30 packets a frame
//! (keyframes every 2 s are bigger), marker on the last packet of a frame, a one-byte header extension on one
//! packet in ten, arrival jitter of a few milliseconds, 0.5 % loss, 0.2 % adjacent pairs swapped and 0.1 %
//! duplicates. Payloads are 16 bytes, so the 100 000 packets (about 3 MB) stay in cache as a packet just
//! received would: the figure is the code's cost, not memory latency. Each iteration feeds all of them to a
//! new `Receiver`.
//!
//! ```sh
//! cargo bench -p rtspeek-core --bench rtp_stats
//! ```
//!
//! For a repeatable instruction count (the machine is shared), run the bench binary with `RTP_STATS_PASSES=N`:
//! it then feeds the packets N times without criterion, and callgrind counts only the feeding function.
//!
//! ```sh
//! cargo bench -p rtspeek-core --bench rtp_stats --no-run
//! RTP_STATS_PASSES=10 valgrind --tool=callgrind --toggle-collect='rtp_stats::feed' \
//!     --callgrind-out-file=/tmp/rtp.cg target/release/deps/rtp_stats-<hash>
//! # I refs / (10 x 100 000) = instructions per packet
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use rtspeek_core::rtp::{
    ExtensionElement, ExtensionForm, HeaderExtension, Receiver, ReceiverConfig, RtpHeader,
};

const PACKETS: usize = 100_000;
const SSRC: u32 = 0x2bad_cafe;

/// The packets, back to back in one buffer, with their arrival times.
struct Input {
    bytes: Vec<u8>,
    packets: Vec<(usize, usize, Duration)>,
}

/// A small deterministic generator (xorshift64), so every run measures the same stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }
}

fn build() -> Input {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ext = Vec::new();
    let elements = [ExtensionElement { id: 1, data: &[0, 0, 0, 0, 0, 0, 0, 0] }];
    let profile = rtspeek_core::rtp::write_extension_elements(ExtensionForm::OneByte, &elements, &mut ext)
        .expect("valid elements")
        .expect("element form");
    // (sequence, timestamp, marker, arrival) in sending order.
    let mut sent = Vec::with_capacity(PACKETS + PACKETS / 50);
    let mut seq: u16 = 40_000;
    let mut frame = 0u64;
    while sent.len() < PACKETS + PACKETS / 50 {
        let per_frame = if frame.is_multiple_of(50) { 30 } else { 4 + rng.next() % 8 };
        let ts = (frame * 3600) as u32;
        for p in 0..per_frame {
            let arrival_us = frame * 40_000 + p * 300 + rng.next() % 3000;
            sent.push((seq, ts, p + 1 == per_frame, arrival_us));
            seq = seq.wrapping_add(1);
        }
        frame += 1;
    }
    // The network: loss, swaps and duplicates.
    let mut delivered = Vec::with_capacity(PACKETS);
    let mut i = 0;
    while delivered.len() < PACKETS && i + 1 < sent.len() {
        if rng.chance(5) {
            i += 1;
            continue;
        }
        if rng.chance(2) {
            let (a, b) = (sent[i], sent[i + 1]);
            delivered.push((b.0, b.1, b.2, a.3));
            delivered.push((a.0, a.1, a.2, b.3));
            i += 2;
            continue;
        }
        delivered.push(sent[i]);
        if rng.chance(1) {
            delivered.push(sent[i]);
        }
        i += 1;
    }
    delivered.truncate(PACKETS);
    let mut input = Input { bytes: Vec::with_capacity(PACKETS * 40), packets: Vec::with_capacity(PACKETS) };
    for (n, &(sequence, timestamp, marker, arrival_us)) in delivered.iter().enumerate() {
        let header = RtpHeader {
            marker,
            payload_type: 96,
            sequence,
            timestamp,
            ssrc: SSRC,
            extension: n.is_multiple_of(10).then(|| HeaderExtension::new(profile, &ext)),
            ..RtpHeader::default()
        };
        let start = input.bytes.len();
        header.write(&[0x5c; 16], &mut input.bytes).expect("valid header");
        input.packets.push((start, input.bytes.len(), Duration::from_micros(arrival_us)));
    }
    input
}

/// Parses and records every packet in a new receiver: the measured work.
#[inline(never)]
fn feed(input: &Input) -> Receiver {
    let mut rx = Receiver::new(ReceiverConfig::new(90_000), Duration::ZERO);
    for &(start, end, arrival) in &input.packets {
        black_box(rx.receive_rtp(&input.bytes[start..end], arrival).is_ok());
    }
    rx
}

fn bench(c: &mut Criterion) {
    let input = build();
    // The stream is what it claims to be.
    let rx = feed(&input);
    let s = rx.source(SSRC).expect("the stream's source");
    assert!(s.lost() > 0 && s.reordered() > 0 && s.duplicates() > 0, "lost/reordered/duplicates all present");
    let mut group = c.benchmark_group("rtp_stats");
    group.throughput(Throughput::Elements(PACKETS as u64));
    group.bench_function("parse_and_record_100k_packets", |b| b.iter(|| feed(black_box(&input))));
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    // RTP_STATS_PASSES=N: feed the packets N times and exit, for callgrind (see the module docs).
    if let Some(passes) = std::env::var("RTP_STATS_PASSES").ok().and_then(|v| v.parse::<u32>().ok()) {
        let input = build();
        for _ in 0..passes {
            black_box(feed(black_box(&input)));
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
