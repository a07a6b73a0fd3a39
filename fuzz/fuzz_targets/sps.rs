//! Fuzzes the H.264 and H.265 parameter set parsing (SPS, PPS, VPS) with arbitrary bytes.
#![no_main]

// The entry is shared with the corpus replay test (tests/tests/it/fuzz_corpus.rs), so both run the same code.
#[path = "../entries/sps.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::run(data));
