//! Fuzzes the TLS codec with arbitrary bytes as a server's answer to a ClientHello, and as message bodies.
#![no_main]

// The entry is shared with the corpus replay test (tests/tests/it/fuzz_corpus.rs), so both run the same code.
#[path = "../entries/tls_server_flight.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::run(data));
