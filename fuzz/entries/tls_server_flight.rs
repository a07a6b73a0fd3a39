//! Entry of the `tls_server_flight` fuzz target, shared by the fuzz target
//! (fuzz/fuzz_targets/tls_server_flight.rs) and the corpus replay test (tests/tests/it/fuzz_corpus.rs) through
//! `#[path]`, so that both run exactly this code. It may use only `rtspeek_core` and std, which both crates
//! have.

use rtspeek_core::tls::{
    Alert, CertificateRequest, CipherSuite, ClientHello, ClientHelloConfig, FlightEnd, FlightReader,
    HandshakeReassembler, ProtocolVersion, ScanAttempt, ServerHello, TlsFacts, classify_flight,
    parse_certificate_list, parse_record, parse_server_key_exchange, scan_findings,
};

/// What the fuzz target runs: `data` as a server's answer to a ClientHello (whole, and pushed in chunks whose
/// size the first byte picks), judged as a scan; then as the input of each message parser. Any outcome but a
/// panic (or a hang) is fine.
pub fn run(data: &[u8]) {
    as_server_flight(data);
    as_records(data);
    as_messages(data);
}

/// `data` as the bytes a server sent after our ClientHello.
pub fn as_server_flight(data: &[u8]) {
    let whole = classify_flight(data, FlightEnd::Closed);
    let _ = whole.to_string();
    let chunk = usize::from(data.first().copied().unwrap_or(0) % 17) + 1;
    let mut reader = FlightReader::new();
    for piece in data.chunks(chunk) {
        reader.push(piece);
    }
    let chunked = reader.finish(FlightEnd::Closed);
    assert_eq!(whole, chunked, "the verdict depends on how the bytes were chunked");
    let modern = ClientHelloConfig::modern([1; 32], [2; 32]);
    let legacy = ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, [1; 32]);
    let attempts = [ScanAttempt::new(&modern, whole.clone()), ScanAttempt::new(&legacy, whole)];
    let _ = scan_findings(&attempts);
    let _ = TlsFacts::from_attempts(&attempts);
}

/// `data` as a record stream, the handshake fragments reassembled.
pub fn as_records(data: &[u8]) {
    let mut rest = data;
    let mut handshake = HandshakeReassembler::new();
    while let Ok((record, used)) = parse_record(rest) {
        rest = &rest[used..];
        if handshake.push(record.fragment).is_err() {
            break;
        }
        while let Ok(Some(message)) = handshake.next_message() {
            as_messages(message.body);
        }
    }
}

/// `data` as the body of each message this codec parses.
pub fn as_messages(data: &[u8]) {
    if let Ok(hello) = ServerHello::parse(data) {
        let _ = (hello.version(), hello.hello_retry_group(), hello.downgrade_sentinel(), hello.alpn());
    }
    if let Ok(hello) = ClientHello::parse(data) {
        let _ = (hello.server_name(), hello.supported_versions());
    }
    let _ = parse_certificate_list(data);
    for version in [ProtocolVersion::TLS1_0, ProtocolVersion::TLS1_2] {
        if let Ok(request) = CertificateRequest::parse(data, version) {
            let _ = request.authority_names();
        }
    }
    for suite in [0xc02f, 0x0033, 0xc035, 0xccab, 0x002f] {
        let _ = parse_server_key_exchange(data, CipherSuite(suite));
    }
    let _ = Alert::parse(data);
}
