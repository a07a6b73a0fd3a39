//! H.264 depacketization speed over a camera-like packet sequence: one second of a 1080p25 stream with a
//! 25-frame GOP, as an IP camera sends it in packetization-mode 1: a STAP-A with the SPS and PPS, a 180 KB
//! IDR frame and 24 P frames of 25 KB, all cut into FU-A packets of 1400 payload bytes (~560 packets,
//! 780 KB of payload). Throughput is counted in payload bytes.
//!
//! `cargo bench -p rtspeek-core --bench h264_depacketize`; figures in BENCHMARKS.md.
//!
//! For an instruction count that does not depend on machine load, run the bench binary under callgrind with
//! `H264_DEPACKETIZE_ITERATIONS=N` (it then depacketizes the sequence N times and exits) and subtract a run
//! with N = 1 (which builds the packets and warms the buffers up), then divide by the payload bytes:
//!
//! ```sh
//! cargo bench -p rtspeek-core --bench h264_depacketize --no-run
//! H264_DEPACKETIZE_ITERATIONS=101 valgrind --tool=callgrind target/release/deps/h264_depacketize-<hash>
//! ```

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use rtspeek_core::codec::{Codec, Depacketizer};

/// Payload bytes per packet (an Ethernet MTU minus IP, UDP and RTP headers, with some margin, as cameras use).
const PAYLOAD: usize = 1400;

struct Packet {
    seq: u16,
    timestamp: u32,
    marker: bool,
    payload: Vec<u8>,
}

/// Deterministic filler so that slices are not all zeros (the depacketizer does not look, but be realistic).
fn slice_bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// Packetizes one NAL unit as a single NAL unit packet or FU-A fragments, like rtph264pay does.
fn packetize(nal: &[u8], packets: &mut Vec<Packet>, seq: &mut u16, timestamp: u32, last: bool) {
    if nal.len() <= PAYLOAD {
        packets.push(Packet { seq: *seq, timestamp, marker: last, payload: nal.to_vec() });
        *seq = seq.wrapping_add(1);
        return;
    }
    let (header, body) = (nal[0], &nal[1..]);
    let chunks: Vec<&[u8]> = body.chunks(PAYLOAD - 2).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let start = if i == 0 { 0x80 } else { 0 };
        let end = if i == chunks.len() - 1 { 0x40 } else { 0 };
        let mut payload = Vec::with_capacity(chunk.len() + 2);
        payload.push((header & 0xE0) | 28);
        payload.push(start | end | (header & 0x1F));
        payload.extend_from_slice(chunk);
        packets.push(Packet { seq: *seq, timestamp, marker: last && end != 0, payload });
        *seq = seq.wrapping_add(1);
    }
}

/// One second of 1080p25: STAP-A(SPS, PPS), IDR, 24 P frames.
fn one_gop() -> Vec<Packet> {
    let sps: &[u8] = &[
        0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00,
        0x04, 0x00, 0x00, 0x03, 0x00, 0xc8, 0x3c, 0x60, 0xc6, 0x58,
    ];
    let pps: &[u8] = &[0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];
    let mut packets = Vec::new();
    let mut seq = 60_000u16;
    let mut stap = vec![24];
    for nal in [sps, pps] {
        stap.extend_from_slice(&(nal.len() as u16).to_be_bytes());
        stap.extend_from_slice(nal);
    }
    packets.push(Packet { seq, timestamp: 0, marker: false, payload: stap });
    seq += 1;
    for frame in 0..25u32 {
        let (header, len) = if frame == 0 { (0x65, 180_000) } else { (0x41, 25_000) };
        let mut nal = slice_bytes(len, frame + 1);
        nal[0] = header;
        packetize(&nal, &mut packets, &mut seq, frame * 3600, true);
    }
    packets
}

/// A long-lived depacketizer fed the GOP again and again, sequence numbers and timestamps continuing, as
/// in a stream: after the first GOP its buffers are warm and nothing is allocated.
struct Stream {
    d: Depacketizer,
    packets: Vec<Packet>,
    seq_offset: u16,
    ts_offset: u32,
}

impl Stream {
    fn new() -> Self {
        Stream { d: Depacketizer::new(Codec::H264), packets: one_gop(), seq_offset: 0, ts_offset: 0 }
    }

    /// Depacketizes one GOP; returns the NAL units handed out.
    fn gop(&mut self) -> usize {
        let mut nals = 0;
        for p in &self.packets {
            let seq = p.seq.wrapping_add(self.seq_offset);
            self.d.push(seq, p.timestamp.wrapping_add(self.ts_offset), p.marker, black_box(&p.payload));
            while let Some(au) = self.d.pop() {
                nals += au.nal_count();
            }
        }
        self.seq_offset = self.seq_offset.wrapping_add(self.packets.len() as u16);
        self.ts_offset = self.ts_offset.wrapping_add(25 * 3600);
        nals
    }
}

fn bench(c: &mut Criterion) {
    let mut stream = Stream::new();
    let bytes: usize = stream.packets.iter().map(|p| p.payload.len()).sum();
    let packets = stream.packets.len();
    assert_eq!(stream.gop(), 27, "SPS, PPS and 25 slices");
    assert_eq!(stream.gop(), 27);
    assert!(stream.d.issues().is_empty(), "{:?}", stream.d.issues());

    let mut group = c.benchmark_group("h264_depacketize");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("1080p25 GOP, {packets} FU-A/STAP-A packets"), |b| b.iter(|| stream.gop()));
    group.finish();
    assert!(stream.d.issues().is_empty(), "{:?}", stream.d.issues());
}

criterion_group!(benches, bench);

fn main() {
    if let Some(n) = std::env::var("H264_DEPACKETIZE_ITERATIONS").ok().and_then(|v| v.parse::<u32>().ok()) {
        let mut stream = Stream::new();
        for _ in 0..n {
            black_box(stream.gop());
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
