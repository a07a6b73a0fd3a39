//! Fuzzes core's avcC/hvcC decoder configuration record reader (`codec::decoder_config`), alone and inside the
//! MP4 reader.
#![no_main]

// The entry is shared with the corpus replay test (tests/tests/it/fuzz_corpus.rs), so both run the same code.
#[path = "../entries/decoder_config.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::run(data));
