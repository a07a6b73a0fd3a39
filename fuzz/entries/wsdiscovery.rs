//! Entry of the `wsdiscovery` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/wsdiscovery.rs) and the
//! corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::onvif::discovery::{self, MAX_MESSAGE_BYTES, Message};

/// What the fuzz target runs: `data` as one WS-Discovery datagram. An error must point inside the input; a
/// message that parses and can be built again must parse back to itself; a Probe must match what it asks for.
pub fn run(data: &[u8]) {
    let message = match discovery::parse(data) {
        Ok(m) => m,
        Err(e) => {
            assert!(e.offset as usize <= data.len().max(MAX_MESSAGE_BYTES), "offset past the input: {e}");
            return;
        }
    };
    if let Message::Probe(p) = &message {
        let _ = p.matches(&p.types, &p.scopes);
    }
    // Values the builder refuses (whitespace inside an id, a type without namespace) are fine to refuse.
    if let Ok(xml) = message.to_xml() {
        match discovery::parse(xml.as_bytes()) {
            Ok(again) => assert_eq!(again, message, "built message reads back differently:\n{xml}"),
            Err(e) => panic!("a built message does not parse: {e}\n{xml}"),
        }
    }
}
