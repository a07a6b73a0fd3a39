//! Fuzzes the capture reader (pcap/pcapng) and the offline pipeline behind it: link decoding, TCP reassembly,
//! TLS record decryption with the file's own key log.
#![no_main]

// The entry is shared with the corpus replay test (tests/tests/it/fuzz_corpus.rs), so both run the same code.
#[path = "../entries/capture_read.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::run(data));
