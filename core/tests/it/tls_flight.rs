//! The server flight analyser on synthetic answers: every outcome, fragmentation, truncation, garbage and the
//! caps. (Real servers' answers are in tls_fixtures.rs.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::tls::{alert, certificate, handshake, record, server_hello, tls12_flight};
use rtspeek_core::tls::{
    Alert, AlertDescription, AlertLevel, CertificateView, CipherSuite, FIRST_BYTES_KEPT, FlightEnd,
    FlightReader, LooksLike, MAX_HANDSHAKE_BYTES, ParseError, Progress, ProtocolVersion, ServerFlight,
    classify_flight,
};

const LEAF: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x01];
const CA: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x02];

fn hello(flight: &ServerFlight) -> &rtspeek_core::tls::HelloFlight {
    match flight {
        ServerFlight::ServerHello(h) => h,
        other => panic!("expected a ServerHello, got {other}"),
    }
}

#[test]
fn nothing_received_is_empty_with_the_reason() {
    for end in [FlightEnd::Closed, FlightEnd::Reset, FlightEnd::Timeout] {
        assert_eq!(classify_flight(b"", end), ServerFlight::Empty { end });
    }
    assert_eq!(classify_flight(b"", FlightEnd::Timeout).to_string(), "no answer before the timeout");
    assert_eq!(classify_flight(b"", FlightEnd::Reset).to_string(), "connection reset without an answer");
    let mut reader = FlightReader::new();
    assert_eq!(reader.push(b""), Progress::NeedMore);
    assert!(!reader.is_done());
}

#[test]
fn a_complete_tls12_flight_in_any_chunking() {
    let bytes = tls12_flight(0x0303, 0x002f, &[LEAF, CA]);
    let whole = classify_flight(&bytes, FlightEnd::Timeout);
    let flight = hello(&whole);
    assert_eq!((flight.version, flight.suite), (ProtocolVersion::TLS1_2, CipherSuite(0x002f)));
    assert_eq!(flight.certificates, CertificateView::InClear(vec![LEAF.to_vec(), CA.to_vec()]));
    assert!(flight.complete && flight.end.is_none());
    assert_eq!(whole.to_string(), "ServerHello TLS 1.2 TLS_RSA_WITH_AES_128_CBC_SHA");
    for size in 1..=bytes.len() {
        let mut reader = FlightReader::new();
        let mut progress = Progress::NeedMore;
        for chunk in bytes.chunks(size) {
            progress = reader.push(chunk);
        }
        assert_eq!(progress, Progress::Done);
        assert_eq!(reader.finish(FlightEnd::Closed), whole, "chunk size {size}");
    }
}

#[test]
fn messages_split_over_records_and_records_holding_several_messages() {
    // ServerHello alone; the Certificate cut across three records; ServerHelloDone with a hello_request.
    let mut bytes = record(22, 0x0301, &handshake(2, &server_hello(0x0301, 0x000a, &[])));
    let cert = handshake(11, &certificate(&[LEAF, CA]));
    bytes.extend(record(22, 0x0301, &cert[..3]));
    bytes.extend(record(22, 0x0301, &cert[3..9]));
    bytes.extend(record(22, 0x0301, &[&cert[9..], &handshake(0, &[])[..], &handshake(14, &[])[..]].concat()));
    let flight = classify_flight(&bytes, FlightEnd::Closed);
    let h = hello(&flight);
    assert_eq!(h.version, ProtocolVersion::TLS1_0);
    assert_eq!(h.certificates_in_clear().map(<[Vec<u8>]>::len), Some(2));
    assert!(h.complete);
}

#[test]
fn an_alert_before_or_after_the_server_hello() {
    let flight = classify_flight(&alert(2, 40), FlightEnd::Closed);
    let expected = Alert { level: AlertLevel::FATAL, description: AlertDescription::HANDSHAKE_FAILURE };
    assert_eq!(flight, ServerFlight::Alert(expected));
    assert_eq!(flight.to_string(), "alert fatal handshake_failure (40)");
    // Anything after the first alert is ignored.
    let mut bytes = alert(2, 70);
    bytes.extend(b"garbage");
    let ServerFlight::Alert(first) = classify_flight(&bytes, FlightEnd::Closed) else { panic!() };
    assert_eq!(first.description, AlertDescription::PROTOCOL_VERSION);
    // An alert after a TLS 1.2 ServerHello ends the flight, keeping the hello.
    let mut bytes = record(22, 0x0303, &handshake(2, &server_hello(0x0303, 0xc02f, &[])));
    bytes.extend(alert(2, 116));
    let flight = classify_flight(&bytes, FlightEnd::Closed);
    let h = hello(&flight);
    assert_eq!(h.alert.map(|a| a.description), Some(AlertDescription::CERTIFICATE_REQUIRED));
    assert!(!h.complete);
    assert!(flight.to_string().ends_with("then alert fatal certificate_required (116)"));
    // A one-byte alert is malformed.
    let ServerFlight::Malformed(error) = classify_flight(&record(21, 0x0303, &[2]), FlightEnd::Closed) else {
        panic!()
    };
    assert_eq!(error.what, "alert");
}

#[test]
fn warning_alerts_do_not_end_the_flight() {
    // Servers without a certificate for the SNI name warn with unrecognized_name and go on.
    let mut reader = FlightReader::new();
    assert_eq!(reader.push(&alert(1, 112)), Progress::NeedMore);
    let flight =
        classify_flight(&[alert(1, 112), tls12_flight(0x0303, 0xc02f, &[LEAF])].concat(), FlightEnd::Closed);
    let h = hello(&flight);
    assert_eq!(h.warning_alerts.len(), 1);
    assert!(h.complete && h.alert.is_none());
    assert!(flight.to_string().contains("with alert warning unrecognized_name (112)"));
    // A warning and then silence: the warning is the answer.
    let only = classify_flight(&alert(1, 112), FlightEnd::Timeout);
    assert!(matches!(only, ServerFlight::Alert(a) if a.level == AlertLevel::WARNING));
    // close_notify at warning level ends it.
    assert!(matches!(classify_flight(&alert(1, 0), FlightEnd::Timeout), ServerFlight::Alert(_)));
    // Endless warnings are malformed.
    let many: Vec<u8> = (0..17).flat_map(|_| alert(1, 112)).collect();
    let ServerFlight::Malformed(error) = classify_flight(&many, FlightEnd::Timeout) else { panic!() };
    assert_eq!((error.what, error.stream_offset), ("alert", 16 * 7));
    // After a TLS 1.2 ServerHello, warnings are kept with the flight.
    let sh = record(22, 0x0303, &handshake(2, &server_hello(0x0303, 0xc02f, &[])));
    let rest = record(22, 0x0303, &[handshake(11, &certificate(&[LEAF])), handshake(14, &[])].concat());
    let flight = classify_flight(&[sh, alert(1, 112), rest].concat(), FlightEnd::Closed);
    assert_eq!(hello(&flight).warning_alerts.len(), 1);
    assert!(hello(&flight).complete);
}

#[test]
fn a_tls13_server_hello_ends_the_clear_part() {
    let ext: &[(u16, &[u8])] = &[(43, &[3, 4]), (51, &[0, 29, 0, 32, 1, 2])];
    let mut bytes = record(22, 0x0303, &handshake(2, &server_hello(0x0303, 0x1301, ext)));
    bytes.extend(record(20, 0x0303, &[1]));
    bytes.extend(record(23, 0x0303, &[0xde; 40]));
    let flight = classify_flight(&bytes, FlightEnd::Timeout);
    let h = hello(&flight);
    assert_eq!(
        (h.version, h.certificates.clone(), h.complete),
        (ProtocolVersion::TLS1_3, CertificateView::EncryptedTls13, true)
    );
    assert_eq!(h.certificate_request, None);
}

#[test]
fn a_flight_cut_after_the_server_hello_keeps_what_was_read() {
    let mut bytes = record(22, 0x0303, &handshake(2, &server_hello(0x0303, 0x009c, &[])));
    bytes.extend(record(22, 0x0303, &handshake(11, &certificate(&[LEAF]))));
    let flight = classify_flight(&bytes, FlightEnd::Reset);
    let h = hello(&flight);
    assert_eq!((h.complete, h.end), (false, Some(FlightEnd::Reset)));
    assert_eq!(h.certificates, CertificateView::InClear(vec![LEAF.to_vec()]));
    assert!(flight.to_string().ends_with("then connection reset before ServerHelloDone"));
    // Cut before the ServerHello is complete: truncated.
    assert_eq!(
        classify_flight(&bytes[..20], FlightEnd::Closed),
        ServerFlight::Truncated { received: 20, end: FlightEnd::Closed }
    );
    assert!(classify_flight(&bytes[..20], FlightEnd::Closed).to_string().contains("after 20 byte(s)"));
}

#[test]
fn records_and_messages_out_of_place_are_malformed_with_their_offset() {
    let cases: Vec<(Vec<u8>, &str, usize)> = vec![
        (record(20, 0x0303, &[1]), "unexpected record before ServerHello", 0),
        (record(23, 0x0303, &[1, 2]), "unexpected record before ServerHello", 0),
        (record(24, 0x0303, &[1]), "unexpected record before ServerHello", 0),
        (vec![22, 3, 9, 0, 1, 0], "record", 0),
        (vec![22, 0x7f, 0x1c], "record", 0),
        ([alert(1, 112), vec![22, 3, 3, 0x48, 1]].concat(), "record", 7),
        (
            record(22, 0x0303, &handshake(11, &certificate(&[LEAF]))),
            "handshake message before ServerHello",
            0,
        ),
        (record(22, 0x0303, &handshake(2, &[3, 3, 0])), "ServerHello", 0),
        ([record(22, 0x0303, &[2, 0]), record(22, 0x0303, &[0, 2, 3, 3])].concat(), "ServerHello", 7),
    ];
    for (bytes, what, offset) in cases {
        match classify_flight(&bytes, FlightEnd::Closed) {
            ServerFlight::Malformed(error) => {
                assert_eq!((error.what, error.stream_offset), (what, offset), "{bytes:02x?}");
                assert!(error.to_string().contains(what));
            }
            other => panic!("{bytes:02x?}: {other}"),
        }
    }
}

#[test]
fn problems_after_the_server_hello_are_kept_with_it() {
    let sh = record(22, 0x0303, &handshake(2, &server_hello(0x0303, 0x002f, &[])));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (record(22, 0x0303, &handshake(20, &[0; 12])), "handshake message after ServerHello"),
        (
            record(22, 0x0303, &handshake(2, &server_hello(0x0303, 0x002f, &[]))),
            "handshake message after ServerHello",
        ),
        (record(22, 0x0303, &handshake(14, &[0])), "ServerHelloDone"),
        (record(22, 0x0303, &handshake(11, &[0, 0, 3, 0, 0, 0])), "Certificate"),
        (record(22, 0x0303, &handshake(13, &[0])), "CertificateRequest"),
        (record(20, 0x0303, &[1]), "unexpected record before ServerHelloDone"),
        (record(23, 0x0303, &[1]), "unexpected record before ServerHelloDone"),
    ];
    for (tail, what) in cases {
        let flight = classify_flight(&[sh.clone(), tail].concat(), FlightEnd::Closed);
        let h = hello(&flight);
        let problem = h.problem.as_ref().unwrap_or_else(|| panic!("no problem for {what}"));
        assert_eq!(problem.what, what);
        assert_eq!(problem.stream_offset, sh.len());
        assert_eq!(h.suite, CipherSuite(0x002f));
    }
    // Certificate status (OCSP) and hello_request are tolerated.
    let ok = [
        sh.clone(),
        record(22, 0x0303, &[handshake(22, &[1, 0, 0, 0]), handshake(0, &[]), handshake(14, &[])].concat()),
    ]
    .concat();
    let flight = classify_flight(&ok, FlightEnd::Closed);
    assert!(hello(&flight).complete && hello(&flight).problem.is_none());
}

#[test]
fn answers_that_are_not_tls() {
    let flight = classify_flight(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", FlightEnd::Closed);
    assert!(matches!(&flight, ServerFlight::NotTls { looks_like: LooksLike::Http, .. }));
    assert_eq!(
        flight.to_string(),
        "not TLS (http): HTTP/1.1 400 Bad Request\\r\\nConnection: close\\r\\n\\r\\n"
    );
    assert!(matches!(
        classify_flight(b"SSH-2.0-OpenSSH_9.2\r\n", FlightEnd::Closed),
        ServerFlight::NotTls { looks_like: LooksLike::Ssh, .. }
    ));
    // SSLv2-style and binary garbage.
    assert!(matches!(
        classify_flight(&[0x80, 0x2e, 0x01], FlightEnd::Closed),
        ServerFlight::NotTls { looks_like: LooksLike::Other, .. }
    ));
    // A signature prefix: undecided until the next bytes, then named; "RT" and a close is just not TLS.
    let mut reader = FlightReader::new();
    assert_eq!(reader.push(b"RT"), Progress::NeedMore);
    assert_eq!(reader.push(b"SP/1.0 400 Bad Request\r\n"), Progress::Done);
    // Bytes keep being collected as evidence up to the cap, even after the verdict.
    reader.push(&[b'x'; 100]);
    let ServerFlight::NotTls { looks_like, first_bytes } = reader.finish(FlightEnd::Closed) else { panic!() };
    assert_eq!((looks_like, first_bytes.len()), (LooksLike::Rtsp, FIRST_BYTES_KEPT));
    assert!(first_bytes.starts_with(b"RTSP/1.0 400"));
    assert!(matches!(
        classify_flight(b"RT", FlightEnd::Closed),
        ServerFlight::NotTls { looks_like: LooksLike::Other, .. }
    ));
}

#[test]
fn handshake_data_is_capped() {
    let sh = record(22, 0x0303, &handshake(2, &server_hello(0x0303, 0x002f, &[])));
    // A Certificate message announcing more than the cap is refused from its header.
    let huge_header = record(22, 0x0303, &[11, 0x05, 0, 0]);
    let flight = classify_flight(&[sh.clone(), huge_header].concat(), FlightEnd::Closed);
    let problem = hello(&flight).problem.clone().expect("capped");
    assert_eq!(problem.error, ParseError::TooLarge { limit: MAX_HANDSHAKE_BYTES });
    // A large but allowed certificate (200 KiB) in 16 KiB records is read.
    let big = vec![0x30; 200 * 1024];
    let message = handshake(11, &certificate(&[&big]));
    let mut bytes = sh.clone();
    for chunk in message.chunks(16 * 1024) {
        bytes.extend(record(22, 0x0303, chunk));
    }
    bytes.extend(record(22, 0x0303, &handshake(14, &[])));
    let flight = classify_flight(&bytes, FlightEnd::Closed);
    assert_eq!(hello(&flight).certificates_in_clear().map(|c| c[0].len()), Some(big.len()));
    // An endless stream of small records ends at the raw-byte cap, pushed in one piece or in many.
    let filler = record(22, 0x0303, &[22, 0, 0]);
    let mut flood = sh.clone();
    flood.extend(record(22, 0x0303, &[11, 0x03, 0xff, 0xff]));
    while flood.len() < 600 * 1024 {
        flood.extend_from_slice(&filler);
    }
    let flight = classify_flight(&flood, FlightEnd::Closed);
    assert!(matches!(hello(&flight).problem.as_ref().map(|p| &p.error), Some(ParseError::TooLarge { .. })));
    let mut reader = FlightReader::new();
    let mut progress = Progress::NeedMore;
    for chunk in flood.chunks(1000) {
        progress = reader.push(chunk);
    }
    assert_eq!(progress, Progress::Done);
}

/// Deterministic xorshift, for garbage.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn garbage_that_starts_like_tls_never_panics() {
    let valid = tls12_flight(0x0301, 0x0005, &[LEAF]);
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3000 {
        let mut bytes = valid.clone();
        // Flip a few bytes, then cut anywhere.
        for _ in 0..(xorshift(&mut state) % 4 + 1) {
            let i = (xorshift(&mut state) as usize) % bytes.len();
            bytes[i] = xorshift(&mut state) as u8;
        }
        let cut = (xorshift(&mut state) as usize) % (bytes.len() + 1);
        let flight = classify_flight(&bytes[..cut], FlightEnd::Closed);
        let _ = flight.to_string();
    }
}
