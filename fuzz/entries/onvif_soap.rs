//! Entry of the `onvif_soap` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/onvif_soap.rs) and the
//! corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::onvif::service::{Operation, Service};
use rtspeek_core::onvif::{client, soap, wsse, xml};

/// What the fuzz target runs: `data` as a SOAP message the device reads (the operation for each service, its
/// WS-Security header) and as every answer the client reads. Any outcome but a panic (or a hang) is fine, as
/// long as the XML reader keeps its bounds.
pub fn run(data: &[u8]) {
    if let Ok(root) = xml::parse(data, xml::Limits::default()) {
        assert!(count(&root) <= xml::Limits::default().max_elements);
    }
    if let Ok(envelope) = soap::parse(data) {
        for service in [Service::Device, Service::Media, Service::Media2] {
            let op = Operation::read(service, &envelope.body);
            let _ = op.is_pre_auth();
        }
        if let Ok(Some(token)) = wsse::read(envelope.header.as_ref()) {
            assert!(!token.to_string().contains(&token.password) || token.password.is_empty());
        }
        if let Some(fault) = soap::Fault::read(&envelope.body) {
            assert!(fault.subcodes.len() <= 8);
        }
    }
    let _ = client::device_information(data);
    let _ = client::system_time(data);
    let _ = client::services(data);
    let _ = client::capabilities_media(data);
    for media2 in [false, true] {
        if let Ok(profiles) = client::profiles(data, media2) {
            assert!(profiles.len() <= 64);
        }
        let _ = client::stream_uri(data, media2);
    }
}

fn count(e: &xml::Element) -> usize {
    1 + e.children.iter().map(count).sum::<usize>()
}
