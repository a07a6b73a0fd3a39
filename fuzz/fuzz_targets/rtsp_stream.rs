//! Fuzzes the RTSP stream parser (requests, responses, interleaved frames), the writer and the findings helpers.
#![no_main]

// The entry is shared with the corpus replay test (tests/tests/it/fuzz_corpus.rs), so both run the same code.
#[path = "../entries/rtsp_stream.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::run(data));
