//! Fuzzes ONVIF's SOAP reading (the XML tree, envelopes, WS-Security, operations, answers) with arbitrary bytes.
#![no_main]

// The entry is shared with the corpus replay test (tests/tests/it/fuzz_corpus.rs), so both run the same code.
#[path = "../entries/onvif_soap.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::run(data));
