//! SRTP unprotect throughput: 1 000 RTP packets of 1 200 bytes (the usual video MTU budget), protected up front
//! and verified + decrypted by a fresh receiving context per iteration, for AES_CM_128_HMAC_SHA1_80 and
//! AEAD_AES_128_GCM. The throughput figure is media bytes (the RTP packets) per second; the target is at
//! least 1 Gbit/s (125 MB/s) per core. The `aes` crate picks AES-NI (and `polyval` CLMUL) at run time through
//! `cpufeatures` on x86_64; no unsafe code of ours is involved.
//!
//! The second group is the probe's receive path: each packet verified and decrypted, then fed to the RFC 3550
//! receiver statistics (loss, jitter, bitrate per SSRC), as the probe does before its codec analysis.
//!
//! ```sh
//! cargo bench -p rtspeek-core --bench srtp
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use rtspeek_core::rtp::{Receiver, ReceiverConfig};
use rtspeek_core::srtp::{MasterKey, SrtpContext, Suite};

const PACKETS: u16 = 1_000;
const PACKET_LEN: usize = 1_200;

fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 3_000).to_be_bytes());
    p.extend_from_slice(&0x2bad_cafe_u32.to_be_bytes());
    p.resize(PACKET_LEN, seq as u8);
    p
}

/// The protected packets and a fresh receiver for them.
fn build(suite: Suite) -> (Vec<Vec<u8>>, SrtpContext) {
    let bytes: Vec<u8> = (0..(suite.key_len() + suite.salt_len()) as u8).collect();
    let key = MasterKey::from_concatenated(suite, &bytes).expect("key length");
    let mut tx = SrtpContext::new(suite, &key);
    let packets = (0..PACKETS).map(|s| tx.protect_rtp(&rtp(s)).expect("protect")).collect();
    (packets, SrtpContext::new(suite, &key))
}

#[inline(never)]
fn unprotect_all(packets: &[Vec<u8>], fresh: &SrtpContext, out: &mut Vec<u8>) -> u64 {
    let mut rx = fresh.clone();
    for p in packets {
        black_box(rx.unprotect_rtp_into(p, out).is_ok());
    }
    rx.counters().rtp_ok
}

/// Decrypt, then statistics: one packet every 1/25 s of a frame's worth, as a camera paces them.
#[inline(never)]
fn unprotect_and_count(packets: &[Vec<u8>], fresh: &SrtpContext, out: &mut Vec<u8>) -> u64 {
    let mut rx = fresh.clone();
    let mut stats = Receiver::new(ReceiverConfig::new(90_000), Duration::ZERO);
    for (i, p) in packets.iter().enumerate() {
        if rx.unprotect_rtp_into(p, out).is_ok() {
            let now = Duration::from_micros(i as u64 * 400);
            black_box(stats.receive_rtp(out, now).is_ok());
        }
    }
    stats.summary(Duration::from_secs(1)).rtp_packets
}

/// The path under test: fresh receiving context, packets, output buffer; returns the packets counted.
type Path = fn(&[Vec<u8>], &SrtpContext, &mut Vec<u8>) -> u64;

/// One group: `path` over the same packets for each suite. Every packet authenticates (checked first), so the
/// figure is the full verify + decrypt path.
fn group(c: &mut Criterion, name: &str, path: Path) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(u64::from(PACKETS) * PACKET_LEN as u64));
    for suite in [Suite::AesCm128HmacSha1_80, Suite::AeadAes128Gcm] {
        let (packets, fresh) = build(suite);
        let mut out = Vec::with_capacity(PACKET_LEN + 16);
        assert_eq!(path(&packets, &fresh, &mut out), u64::from(PACKETS));
        group.bench_function(suite.sdes_name(), |b| b.iter(|| path(black_box(&packets), &fresh, &mut out)));
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    group(c, "srtp_unprotect", unprotect_all);
    group(c, "srtp_unprotect_and_stats", unprotect_and_count);
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
