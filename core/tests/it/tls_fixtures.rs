//! Real-peer fixtures (`tests/data/tls/`, see the README there): the ClientHellos this codec builds, and what
//! OpenSSL 3.0 `s_server` (and plain HTTP / RTSP responders) answered to them, captured by `capture.py`.
//! Runs natively and on wasm32.
//!
//! `RTSPEEK_BLESS=1 cargo test -p rtspeek-core --test tls_fixtures` rewrites the `hello-*.bin` files from the
//! builder; the server answers then need a new capture (`python3 tests/data/tls/capture.py`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::diagnose::codes;
use rtspeek_core::tls::{
    AlertDescription, AlertLevel, CertificateView, CipherSuite, ClientHello, ClientHelloConfig,
    DowngradeSentinel, FlightEnd, FlightReader, HelloFlight, KeyExchangeParams, LooksLike, NamedGroup,
    Progress, ProtocolVersion, ScanAttempt, ServerFlight, TlsFacts, classify_flight, parse_handshake,
    parse_record, scan_findings, server_certificates,
};
use sha2::{Digest, Sha256};

/// Fixed inputs of the fixture ClientHellos: the codec takes randomness as input.
const RANDOM: [u8; 32] = {
    let mut r = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        r[i] = i as u8;
        i += 1;
    }
    r
};
const KEY_SHARE: [u8; 32] = [0x42; 32];
const SESSION_ID: [u8; 32] = [0x5a; 32];

/// The fixture ClientHellos: file stem and offer.
fn hellos() -> Vec<(&'static str, ClientHelloConfig)> {
    vec![
        (
            "modern",
            ClientHelloConfig::modern(RANDOM, KEY_SHARE)
                .with_server_name("cam.example")
                .with_session_id(&SESSION_ID),
        ),
        (
            "legacy",
            ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM).with_server_name("cam.example"),
        ),
        (
            "single-aes128sha",
            ClientHelloConfig::single_suite(ProtocolVersion::TLS1_2, CipherSuite(0x002f), RANDOM)
                .with_server_name("127.0.0.1"),
        ),
        ("single-rc4", ClientHelloConfig::single_suite(ProtocolVersion::TLS1_2, CipherSuite(0x0005), RANDOM)),
    ]
}

const HELLO_MODERN: &[u8] = include_bytes!("../data/tls/hello-modern.bin");
const HELLO_LEGACY: &[u8] = include_bytes!("../data/tls/hello-legacy.bin");
const HELLO_SINGLE_AES128SHA: &[u8] = include_bytes!("../data/tls/hello-single-aes128sha.bin");
const HELLO_SINGLE_RC4: &[u8] = include_bytes!("../data/tls/hello-single-rc4.bin");

fn committed_hello(name: &str) -> &'static [u8] {
    match name {
        "modern" => HELLO_MODERN,
        "legacy" => HELLO_LEGACY,
        "single-aes128sha" => HELLO_SINGLE_AES128SHA,
        "single-rc4" => HELLO_SINGLE_RC4,
        _ => panic!("no hello {name}"),
    }
}

fn offer(name: &str) -> ClientHelloConfig {
    hellos().into_iter().find(|(n, _)| *n == name).map(|(_, c)| c).expect("known hello")
}

#[test]
fn the_committed_client_hellos_are_what_the_builder_makes() {
    for (name, config) in hellos() {
        let built = config.encode().expect("valid offer");
        #[cfg(not(target_arch = "wasm32"))]
        if std::env::var_os("RTSPEEK_BLESS").is_some() {
            let path = format!("{}/tests/data/tls/hello-{name}.bin", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(&path, &built).expect("write hello fixture");
            continue;
        }
        assert!(built == committed_hello(name), "hello-{name}.bin is stale: bless and capture again");
        // And it reads back as the offer.
        let (record, used) = parse_record(&built).unwrap();
        assert_eq!(used, built.len());
        let (message, _) = parse_handshake(record.fragment).unwrap();
        let hello = ClientHello::parse(message.body).unwrap();
        assert_eq!(hello.cipher_suites, config.cipher_suites);
        assert_eq!(hello.random, RANDOM);
    }
}

const ROOT_DER: &[u8] = include_bytes!("../data/tls/root.der");
const INTERMEDIATE_DER: &[u8] = include_bytes!("../data/tls/intermediate.der");
const LEAF_DER: &[u8] = include_bytes!("../data/tls/leaf.der");

const TLS10_RSA_CBC_LEGACY: &[u8] = include_bytes!("../data/tls/tls10-rsa-cbc_legacy.bin");
const TLS10_RSA_CBC_MODERN: &[u8] = include_bytes!("../data/tls/tls10-rsa-cbc_modern.bin");
const TLS10_DEFAULT_LEGACY: &[u8] = include_bytes!("../data/tls/tls10-default_legacy.bin");
const TLS11_DEFAULT_LEGACY: &[u8] = include_bytes!("../data/tls/tls11-default_legacy.bin");
const TLS12_AES128SHA_LEGACY: &[u8] = include_bytes!("../data/tls/tls12-aes128sha_legacy.bin");
const TLS12_AES128SHA_MODERN: &[u8] = include_bytes!("../data/tls/tls12-aes128sha_modern.bin");
const TLS12_AES128SHA_SINGLE: &[u8] = include_bytes!("../data/tls/tls12-aes128sha_single-aes128sha.bin");
const TLS12_AES128SHA_SINGLE_RC4: &[u8] = include_bytes!("../data/tls/tls12-aes128sha_single-rc4.bin");
const TLS12_CLIENT_CERT_LEGACY: &[u8] = include_bytes!("../data/tls/tls12-client-cert_legacy.bin");
const TLS12_FRAGMENTED_LEGACY: &[u8] = include_bytes!("../data/tls/tls12-fragmented_legacy.bin");
const TLS13_DEFAULT_MODERN: &[u8] = include_bytes!("../data/tls/tls13-default_modern.bin");
const TLS13_DEFAULT_LEGACY: &[u8] = include_bytes!("../data/tls/tls13-default_legacy.bin");
const TLS13_ONLY_LEGACY: &[u8] = include_bytes!("../data/tls/tls13-only_legacy.bin");
const TLS13_P256_ONLY_MODERN: &[u8] = include_bytes!("../data/tls/tls13-p256-only_modern.bin");
const HTTP_LEGACY: &[u8] = include_bytes!("../data/tls/http_legacy.bin");
const RTSP_LEGACY: &[u8] = include_bytes!("../data/tls/rtsp_legacy.bin");

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// The answer as a ServerHello flight, or a panic naming what it was.
fn hello_flight(answer: &[u8]) -> Box<HelloFlight> {
    match classify_flight(answer, FlightEnd::Timeout) {
        ServerFlight::ServerHello(flight) => flight,
        other => panic!("expected a ServerHello, got {other}"),
    }
}

fn alert(answer: &[u8]) -> (AlertLevel, AlertDescription) {
    match classify_flight(answer, FlightEnd::Closed) {
        ServerFlight::Alert(alert) => (alert.level, alert.description),
        other => panic!("expected an alert, got {other}"),
    }
}

/// The chain in clear is the one s_server was given: leaf, then the intermediate (compared by SHA-256).
fn assert_fixture_chain(flight: &HelloFlight) {
    let CertificateView::InClear(chain) = &flight.certificates else {
        panic!("no chain in clear: {:?}", flight.certificates)
    };
    let hashes: Vec<Vec<u8>> = chain.iter().map(|c| sha256(c)).collect();
    assert_eq!(hashes, [sha256(LEAF_DER), sha256(INTERMEDIATE_DER)]);
}

/// A complete TLS <= 1.2 flight with the fixture chain.
fn assert_complete_tls12_flight(answer: &[u8], version: ProtocolVersion, suite: u16) -> Box<HelloFlight> {
    let flight = hello_flight(answer);
    assert_eq!(
        (flight.version, flight.suite),
        (version, CipherSuite(suite)),
        "{}",
        classify_flight(answer, FlightEnd::Closed)
    );
    assert!(flight.complete && flight.problem.is_none() && flight.alert.is_none() && flight.end.is_none());
    assert_fixture_chain(&flight);
    flight
}

#[test]
fn tls10_rsa_cbc_camera_sends_its_chain_in_clear() {
    let flight = assert_complete_tls12_flight(TLS10_RSA_CBC_LEGACY, ProtocolVersion::TLS1_0, 0x002f);
    assert_eq!(flight.key_exchange, None, "static RSA has no ServerKeyExchange");
    assert!(!flight.client_cert_requested());
    // OpenSSL accepts encrypt_then_mac, which removes the CBC padding oracle; static RSA remains.
    assert!(flight.server_hello.encrypt_then_mac());
    assert_eq!(flight.suite_weaknesses(), [rtspeek_core::tls::Weakness::NoForwardSecrecy]);
    // And it refuses what rustls offers.
    assert_eq!(alert(TLS10_RSA_CBC_MODERN), (AlertLevel::FATAL, AlertDescription::PROTOCOL_VERSION));
}

#[test]
fn tls10_and_tls11_with_ecdhe_send_a_server_key_exchange() {
    for (answer, version) in
        [(TLS10_DEFAULT_LEGACY, ProtocolVersion::TLS1_0), (TLS11_DEFAULT_LEGACY, ProtocolVersion::TLS1_1)]
    {
        let flight = assert_complete_tls12_flight(answer, version, 0xc014);
        assert_eq!(flight.key_exchange, Some(KeyExchangeParams::Ecdhe { group: NamedGroup::X25519 }));
    }
}

#[test]
fn tls12_single_weak_cipher_server() {
    assert_complete_tls12_flight(TLS12_AES128SHA_LEGACY, ProtocolVersion::TLS1_2, 0x002f);
    assert_complete_tls12_flight(TLS12_AES128SHA_SINGLE, ProtocolVersion::TLS1_2, 0x002f);
    assert_eq!(alert(TLS12_AES128SHA_MODERN), (AlertLevel::FATAL, AlertDescription::HANDSHAKE_FAILURE));
    assert_eq!(alert(TLS12_AES128SHA_SINGLE_RC4), (AlertLevel::FATAL, AlertDescription::HANDSHAKE_FAILURE));
}

#[test]
fn tls12_client_certificate_request_names_the_accepted_ca() {
    let flight = assert_complete_tls12_flight(TLS12_CLIENT_CERT_LEGACY, ProtocolVersion::TLS1_2, 0xc030);
    let request = flight.certificate_request.as_ref().expect("CertificateRequest");
    assert_eq!(request.authority_names(), ["O=rtspeek tests, CN=rtspeek TLS fixture root"]);
    // The name is the root's subject, byte for byte.
    let (_, root) = x509_parser::parse_x509_certificate(ROOT_DER).unwrap();
    assert_eq!(request.authorities, [root.subject().as_raw().to_vec()]);
    assert!(!request.signature_schemes.is_empty() && !request.certificate_types.is_empty());
}

#[test]
fn a_certificate_message_spanning_many_records_is_reassembled() {
    // s_server -max_send_frag 512: the ~2 KiB Certificate message arrives in several records.
    let mut records = 0;
    let mut rest = TLS12_FRAGMENTED_LEGACY;
    while let Ok((_, used)) = parse_record(rest) {
        records += 1;
        rest = &rest[used..];
    }
    assert!(records >= 5, "only {records} records");
    assert_complete_tls12_flight(TLS12_FRAGMENTED_LEGACY, ProtocolVersion::TLS1_2, 0xc030);
    // Pushed one byte at a time, the analysis is the same and says Done exactly at the last byte.
    let mut reader = FlightReader::new();
    for (i, byte) in TLS12_FRAGMENTED_LEGACY.iter().enumerate() {
        let progress = reader.push(std::slice::from_ref(byte));
        assert_eq!(progress == Progress::Done, i + 1 == TLS12_FRAGMENTED_LEGACY.len(), "byte {i}");
    }
    assert_eq!(reader.finish(FlightEnd::Closed), classify_flight(TLS12_FRAGMENTED_LEGACY, FlightEnd::Closed));
}

#[test]
fn tls13_server_answers_in_clear_only_with_its_server_hello() {
    let flight = hello_flight(TLS13_DEFAULT_MODERN);
    assert_eq!((flight.version, flight.suite), (ProtocolVersion::TLS1_3, CipherSuite(0x1302)));
    assert_eq!(flight.server_hello.legacy_version, ProtocolVersion::TLS1_2);
    assert_eq!(flight.server_hello.key_share_group(), Some(NamedGroup::X25519));
    assert_eq!(flight.server_hello.session_id, SESSION_ID, "TLS 1.3 servers echo the session id");
    assert_eq!(flight.certificates, CertificateView::EncryptedTls13);
    assert!(flight.complete && !flight.is_hello_retry_request());
    // Done right after the ServerHello record, although encrypted records follow.
    let (_, hello_len) = parse_record(TLS13_DEFAULT_MODERN).unwrap();
    let mut reader = FlightReader::new();
    assert_eq!(reader.push(&TLS13_DEFAULT_MODERN[..hello_len - 1]), Progress::NeedMore);
    assert_eq!(reader.push(&TLS13_DEFAULT_MODERN[hello_len - 1..hello_len]), Progress::Done);
}

#[test]
fn tls13_server_answering_a_tls12_offer_shows_the_downgrade_sentinel() {
    let flight = assert_complete_tls12_flight(TLS13_DEFAULT_LEGACY, ProtocolVersion::TLS1_2, 0xc030);
    assert_eq!(flight.server_hello.downgrade_sentinel(), Some(DowngradeSentinel::Tls13Capable));
}

#[test]
fn tls13_only_server_refuses_a_tls10_to_12_offer() {
    assert_eq!(alert(TLS13_ONLY_LEGACY), (AlertLevel::FATAL, AlertDescription::PROTOCOL_VERSION));
}

#[test]
fn tls13_server_without_x25519_asks_for_another_key_share() {
    let flight = hello_flight(TLS13_P256_ONLY_MODERN);
    assert!(flight.is_hello_retry_request());
    assert_eq!(flight.server_hello.hello_retry_group(), Some(NamedGroup::SECP256R1));
    assert_eq!(flight.certificates, CertificateView::NotSent);
    assert!(flight.complete);
    assert!(
        classify_flight(TLS13_P256_ONLY_MODERN, FlightEnd::Closed)
            .to_string()
            .contains("wants a secp256r1 key share")
    );
}

#[test]
fn plain_http_and_rtsp_answers_are_named() {
    for (answer, looks_like, starts) in [
        (HTTP_LEGACY, LooksLike::Http, &b"<!DOCTYPE HTML>"[..]),
        (RTSP_LEGACY, LooksLike::Rtsp, b"RTSP/1.0 400 Bad Request\r\n"),
    ] {
        match classify_flight(answer, FlightEnd::Closed) {
            ServerFlight::NotTls { looks_like: got, first_bytes } => {
                assert_eq!(got, looks_like);
                assert!(first_bytes.starts_with(starts));
            }
            other => panic!("expected NotTls, got {other}"),
        }
    }
}

#[test]
fn every_truncation_of_every_capture_is_classified_without_panic() {
    let captures = [
        TLS10_RSA_CBC_LEGACY,
        TLS10_DEFAULT_LEGACY,
        TLS12_CLIENT_CERT_LEGACY,
        TLS12_FRAGMENTED_LEGACY,
        TLS13_DEFAULT_MODERN,
        TLS13_P256_ONLY_MODERN,
        TLS12_AES128SHA_MODERN,
    ];
    for capture in captures {
        let full = classify_flight(capture, FlightEnd::Closed);
        for len in 0..capture.len() {
            let partial = classify_flight(&capture[..len], FlightEnd::Reset);
            match (&partial, &full) {
                (ServerFlight::Empty { end: FlightEnd::Reset }, _) => assert_eq!(len, 0),
                (ServerFlight::Truncated { received, end: FlightEnd::Reset }, _) => {
                    assert_eq!(*received, len)
                }
                // A ServerHello read, the rest cut off: the facts so far, marked incomplete (or complete when
                // only the bytes after the flight's end were cut).
                (ServerFlight::ServerHello(p), ServerFlight::ServerHello(f)) => {
                    assert_eq!((p.version, p.suite), (f.version, f.suite));
                    assert!(p.complete || p.end == Some(FlightEnd::Reset), "length {len}");
                }
                _ => panic!("length {len}: {partial} (full: {full})"),
            }
        }
    }
}

/// The attempt of `hello` answered with `answer`.
fn attempt(hello: &str, answer: &[u8]) -> ScanAttempt {
    ScanAttempt::new(&offer(hello), classify_flight(answer, FlightEnd::Closed))
}

fn codes_of(attempts: &[ScanAttempt]) -> Vec<String> {
    scan_findings(attempts).into_iter().map(|f| f.code).collect()
}

#[test]
fn scan_of_a_tls10_rsa_cbc_camera() {
    let attempts = [attempt("modern", TLS10_RSA_CBC_MODERN), attempt("legacy", TLS10_RSA_CBC_LEGACY)];
    let findings = scan_findings(&attempts);
    let legacy =
        findings.iter().find(|f| f.code == codes::TLS_VERSION_LEGACY_ONLY.code).expect("legacy_only");
    assert!(legacy.summary.contains("TLS 1.0 (TLS_RSA_WITH_AES_128_CBC_SHA)"), "{}", legacy.summary);
    assert!(legacy.evidence.iter().any(|e| e.value.contains("protocol_version")));
    let weak = findings.iter().find(|f| f.code == codes::TLS_WEAK_CIPHER.code).expect("weak_cipher");
    assert!(weak.evidence[0].value.contains("no forward secrecy"));
    assert_eq!(findings.len(), 2, "{findings:?}");
    // The chain is handed to the certificate analysis.
    let chain = server_certificates(&attempts).expect("chain in clear");
    assert_eq!(sha256(&chain[0]), sha256(LEAF_DER));
    let facts = TlsFacts::from_attempts(&attempts);
    assert_eq!(facts.versions, ["TLS 1.0"]);
    assert_eq!(facts.certificates_in_clear, 2);
    assert_eq!(facts.accepted[0].weaknesses, ["no_forward_secrecy"]);
}

#[test]
fn scan_of_a_tls12_aes128_sha_only_server() {
    let attempts = [attempt("modern", TLS12_AES128SHA_MODERN), attempt("legacy", TLS12_AES128SHA_LEGACY)];
    assert_eq!(codes_of(&attempts), [codes::TLS_NO_COMMON_CIPHER.code, codes::TLS_WEAK_CIPHER.code]);
}

#[test]
fn scan_of_a_modern_server_has_no_findings() {
    let attempts = [attempt("modern", TLS13_DEFAULT_MODERN), attempt("legacy", TLS13_DEFAULT_LEGACY)];
    assert!(codes_of(&attempts).is_empty(), "{:?}", scan_findings(&attempts));
    // TLS 1.3 only: no chain in clear from the modern offer, but the TLS 1.2 answer has one.
    assert_eq!(server_certificates(&attempts[..1]), None);
    assert!(server_certificates(&attempts).is_some());
    assert_eq!(TlsFacts::from_attempts(&attempts).versions, ["TLS 1.2", "TLS 1.3"]);
}

#[test]
fn scan_of_fixture_refusals() {
    assert_eq!(codes_of(&[attempt("legacy", TLS13_ONLY_LEGACY)]), [codes::TLS_PROTOCOL_VERSION.code]);
    assert_eq!(codes_of(&[attempt("legacy", RTSP_LEGACY)]), [codes::TLS_NOT_TLS.code]);
    assert_eq!(codes_of(&[attempt("legacy", HTTP_LEGACY)]), [codes::TLS_NOT_TLS.code]);
    assert_eq!(
        codes_of(&[attempt("single-rc4", TLS12_AES128SHA_SINGLE_RC4)]),
        [codes::TLS_NO_COMMON_CIPHER.code]
    );
    let findings = scan_findings(&[attempt("legacy", TLS12_CLIENT_CERT_LEGACY)]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, codes::TLS_CLIENT_CERT_REQUIRED.code);
    assert!(findings[0].evidence.iter().any(|e| e.value == "O=rtspeek tests, CN=rtspeek TLS fixture root"));
    let rtsp = &scan_findings(&[attempt("legacy", RTSP_LEGACY)])[0];
    assert!(rtsp.summary.contains("plain RTSP"));
    assert!(rtsp.evidence[0].value.starts_with("RTSP/1.0 400 Bad Request\\r\\n"));
}
