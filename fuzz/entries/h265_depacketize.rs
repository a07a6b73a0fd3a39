//! Entry of the `h265_depacketize` fuzz target, shared by the fuzz target
//! (fuzz/fuzz_targets/h265_depacketize.rs) and the corpus replay test (tests/tests/it/fuzz_corpus.rs) through
//! `#[path]`, so that both run exactly this code. It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::codec::Codec;

// The record format and the checks are the H.264 target's (whose `run` is unused here).
#[allow(dead_code)]
#[path = "h264_depacketize.rs"]
mod h264_depacketize;

/// What the fuzz target runs: `data` as packet records (see the `h264_depacketize` entry) fed to an H.265
/// depacketizer and a stream analyzer, without and with DONL fields.
pub fn run(data: &[u8]) {
    h264_depacketize::depacketize(Codec::H265, false, data);
    h264_depacketize::depacketize(Codec::H265, true, data);
}
