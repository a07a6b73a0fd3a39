//! Fuzzes the bridge's JSON commands from the page, and checks that no error holds a password.
#![no_main]

// The entry is shared with the corpus replay test (tests/tests/it/fuzz_corpus.rs), so both run the same code.
#[path = "../entries/bridge_command.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::run(data));
