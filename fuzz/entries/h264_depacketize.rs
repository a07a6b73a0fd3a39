//! Entry of the `h264_depacketize` fuzz target, shared by the fuzz target
//! (fuzz/fuzz_targets/h264_depacketize.rs) and the corpus replay test (tests/tests/it/fuzz_corpus.rs) through
//! `#[path]`, so that both run exactly this code. It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::codec::{Codec, Depacketizer, StreamAnalyzer};

/// What the fuzz target runs: `data` as a stream of packet records fed to an H.264 depacketizer whose access
/// units go to a stream analyzer, which is then asked for its summary and findings. Any outcome but a panic
/// (or a hang) is fine, as long as every access unit is well formed.
///
/// A record is `[flags][length: u16 big-endian][payload]`: flags bit 7 is the marker, bits 0-2 the step to
/// the next sequence number (0 repeats it, 7 goes back 2), bits 3-4 the timestamp change (same, +3000, -3000,
/// +2^31). The first record's payload also serves as the SDP's parameter sets.
pub fn run(data: &[u8]) {
    depacketize(Codec::H264, false, data);
}

/// Feeds the records of `data` to a depacketizer for `codec` and checks every access unit.
pub fn depacketize(codec: Codec, donl: bool, data: &[u8]) {
    let records = records(data);
    let sdp: Vec<&[u8]> = records.first().map(|r| vec![r.3]).unwrap_or_default();
    let mut d = Depacketizer::new(codec).with_donl(donl);
    let mut analyzer = StreamAnalyzer::new(codec, 90_000, &sdp);
    for &(seq, timestamp, marker, payload) in &records {
        d.push(seq, timestamp, marker, payload);
        while let Some(au) = d.pop() {
            check(&au);
            analyzer.access_unit(&au);
        }
    }
    d.flush();
    while let Some(au) = d.pop() {
        check(&au);
        analyzer.access_unit(&au);
    }
    let _ = analyzer.summary();
    let _ = analyzer.findings(&d);
    assert!(d.issues().len() <= rtspeek_core::codec::depacketize::MAX_LOGGED_ISSUES);
}

/// An access unit's Annex B bytes are exactly its NAL units, each after a 4-byte start code.
fn check(au: &rtspeek_core::codec::AccessUnit<'_>) {
    let mut expected = Vec::with_capacity(au.annex_b().len());
    for nal in au.nal_units() {
        assert!(!nal.is_empty(), "empty NAL unit");
        expected.extend_from_slice(&[0, 0, 0, 1]);
        expected.extend_from_slice(nal);
    }
    assert_eq!(expected, au.annex_b());
}

/// Splits `data` into (seq, timestamp, marker, payload) records.
fn records(mut data: &[u8]) -> Vec<(u16, u32, bool, &[u8])> {
    let (mut seq, mut timestamp) = (1000u16, 90_000u32);
    let mut out = Vec::new();
    while let [flags, hi, lo, rest @ ..] = data {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(rest.len());
        let (payload, next) = rest.split_at(len);
        out.push((seq, timestamp, flags & 0x80 != 0, payload));
        seq = match flags & 7 {
            7 => seq.wrapping_sub(2),
            step => seq.wrapping_add(u16::from(step)),
        };
        timestamp = match (flags >> 3) & 3 {
            0 => timestamp,
            1 => timestamp.wrapping_add(3000),
            2 => timestamp.wrapping_sub(3000),
            _ => timestamp.wrapping_add(1 << 31),
        };
        data = next;
    }
    out
}
