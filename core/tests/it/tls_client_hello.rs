//! The ClientHello builder: what each offer contains, SNI rules, padding and validation. Every hello is read
//! back with the codec's ClientHello parser. (That OpenSSL accepts them is shown by tls_fixtures.rs.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::tls::{
    BuildError, CipherSuite, ClientHello, ClientHelloConfig, ContentType, DEFAULT_GROUPS, ExtensionType,
    LEGACY_SUITES, MODERN_SUITES, ParseError, ProtocolVersion, SignatureScheme, known_suites,
    parse_handshake, parse_record, sni_for_host,
};

const RANDOM: [u8; 32] = [7; 32];
const SHARE: [u8; 32] = [9; 32];

/// Encodes `config` and parses it back, checking the framing on the way.
fn roundtrip(config: &ClientHelloConfig) -> ClientHello {
    let bytes = config.encode().expect("valid offer");
    let (record, used) = parse_record(&bytes).unwrap();
    assert_eq!(used, bytes.len(), "one record");
    assert_eq!((record.content_type, record.version), (ContentType::HANDSHAKE, ProtocolVersion::TLS1_0));
    let (message, used) = parse_handshake(record.fragment).unwrap();
    assert_eq!(used, record.fragment.len());
    assert_eq!(bytes[5..], config.encode_handshake().unwrap()[..]);
    ClientHello::parse(message.body).unwrap()
}

fn types(hello: &ClientHello) -> Vec<ExtensionType> {
    hello.extensions.iter().map(|e| e.ext_type).collect()
}

#[test]
fn modern_offer_is_what_rustls_sends() {
    let hello = roundtrip(&ClientHelloConfig::modern(RANDOM, SHARE).with_server_name("Cam.Example"));
    assert_eq!(hello.legacy_version, ProtocolVersion::TLS1_2);
    assert_eq!(hello.random, RANDOM);
    assert_eq!(hello.cipher_suites, MODERN_SUITES);
    assert_eq!(hello.compression_methods, [0]);
    assert_eq!(hello.server_name().as_deref(), Some("cam.example"));
    assert_eq!(hello.supported_versions(), [ProtocolVersion::TLS1_3, ProtocolVersion::TLS1_2]);
    let share = hello.extension(ExtensionType::KEY_SHARE).unwrap();
    assert_eq!(share[..6], [0, 36, 0, 29, 0, 32]);
    assert_eq!(share[6..], SHARE);
    assert_eq!(hello.extension(ExtensionType::PSK_KEY_EXCHANGE_MODES), Some(&[1, 1][..]));
    let groups = hello.extension(ExtensionType::SUPPORTED_GROUPS).unwrap();
    assert_eq!(groups, [0, 8, 0, 29, 0, 23, 0, 24, 1, 0]);
    assert_eq!(DEFAULT_GROUPS.len(), 4);
    let t = types(&hello);
    for expected in [
        ExtensionType::SERVER_NAME,
        ExtensionType::EC_POINT_FORMATS,
        ExtensionType::SESSION_TICKET,
        ExtensionType::EXTENDED_MASTER_SECRET,
        ExtensionType::RENEGOTIATION_INFO,
        ExtensionType::SIGNATURE_ALGORITHMS,
    ] {
        assert!(t.contains(&expected), "{expected} missing");
    }
    // No CBC suite offered, so no encrypt_then_mac; no ALPN unless asked.
    assert!(!t.contains(&ExtensionType::ENCRYPT_THEN_MAC) && !t.contains(&ExtensionType::ALPN));
}

#[test]
fn a_tls13_only_offer_leaves_out_the_tls12_extensions() {
    let config = ClientHelloConfig::single_suite(ProtocolVersion::TLS1_3, CipherSuite(0x1301), RANDOM)
        .with_key_share(SHARE);
    let hello = roundtrip(&config);
    assert_eq!(hello.legacy_version, ProtocolVersion::TLS1_2, "legacy_version stays 0x0303");
    assert_eq!(hello.supported_versions(), [ProtocolVersion::TLS1_3]);
    let t = types(&hello);
    for absent in [
        ExtensionType::EC_POINT_FORMATS,
        ExtensionType::SESSION_TICKET,
        ExtensionType::EXTENDED_MASTER_SECRET,
        ExtensionType::RENEGOTIATION_INFO,
    ] {
        assert!(!t.contains(&absent), "{absent} present");
    }
    assert!(t.contains(&ExtensionType::KEY_SHARE) && t.contains(&ExtensionType::SIGNATURE_ALGORITHMS));
}

#[test]
fn legacy_offers_fit_their_highest_version() {
    let tls12 = roundtrip(&ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM));
    assert_eq!(tls12.legacy_version, ProtocolVersion::TLS1_2);
    assert_eq!(tls12.cipher_suites, LEGACY_SUITES);
    assert!(tls12.supported_versions().is_empty() && tls12.extension(ExtensionType::KEY_SHARE).is_none());
    assert!(tls12.extension(ExtensionType::ENCRYPT_THEN_MAC).is_some());
    // signature_algorithms includes the SHA-1 schemes old servers sign with.
    let algs = tls12.extension(ExtensionType::SIGNATURE_ALGORITHMS).unwrap();
    let schemes: Vec<SignatureScheme> =
        algs[2..].chunks(2).map(|c| SignatureScheme(u16::from_be_bytes([c[0], c[1]]))).collect();
    assert!(
        schemes.contains(&SignatureScheme::RSA_PKCS1_SHA1) && schemes.contains(&SignatureScheme::ECDSA_SHA1)
    );
    assert_eq!(usize::from(u16::from_be_bytes([algs[0], algs[1]])), algs.len() - 2);

    let tls10 = roundtrip(&ClientHelloConfig::legacy(ProtocolVersion::TLS1_0, RANDOM));
    assert_eq!(tls10.legacy_version, ProtocolVersion::TLS1_0);
    assert!(tls10.cipher_suites.iter().all(|s| s.usable_with(ProtocolVersion::TLS1_0)));
    assert!(
        tls10.cipher_suites.contains(&CipherSuite(0x002f))
            && !tls10.cipher_suites.contains(&CipherSuite(0xc02f))
    );
    // RFC 5246 7.4.1.4.1: no signature_algorithms when offering only versions before TLS 1.2.
    assert!(tls10.extension(ExtensionType::SIGNATURE_ALGORITHMS).is_none());
    // A legacy offer above TLS 1.2 is capped at TLS 1.2.
    assert_eq!(
        ClientHelloConfig::legacy(ProtocolVersion::TLS1_3, RANDOM).max_version,
        ProtocolVersion::TLS1_2
    );
}

#[test]
fn sni_is_sent_for_names_never_for_ip_literals() {
    for ip in
        ["192.0.2.10", "2001:db8::1", "[2001:db8::1]", "fe80::1%eth0", "[fe80::1%25eth0]", "::ffff:192.0.2.1"]
    {
        assert_eq!(sni_for_host(ip), None, "{ip}");
        let hello = roundtrip(&ClientHelloConfig::modern(RANDOM, SHARE).with_server_name(ip));
        assert!(hello.extension(ExtensionType::SERVER_NAME).is_none(), "{ip}");
    }
    assert_eq!(sni_for_host("CAM.example."), Some("cam.example".into()));
    assert_eq!(sni_for_host("cam_1.lan"), Some("cam_1.lan".into()));
    for bad in
        ["bad name", "", "-cam.example", "cam..example", "é.example", &"a".repeat(64), &["a"; 130].join(".")]
    {
        let result = ClientHelloConfig::modern(RANDOM, SHARE).with_server_name(bad).encode();
        assert!(matches!(result, Err(BuildError::InvalidServerName(_))), "{bad:?}: {result:?}");
    }
}

#[test]
fn hellos_of_256_to_511_bytes_are_padded_to_512() {
    // Grow the hello through ALPN until its unpadded length crosses the 256..512 window.
    let (mut seen_padding, mut seen_large) = (false, false);
    for extra in 0..300 {
        // ALPN names are at most 255 bytes: use 200-byte names and a shorter last one.
        let names: Vec<Vec<u8>> = (0..=extra / 200)
            .map(|i| vec![b'x'; if i == extra / 200 { extra % 200 + 1 } else { 200 }])
            .collect();
        let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
        let mut config = ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM).with_alpn(&refs);
        let padded = config.encode_handshake().unwrap();
        config.padding = false;
        let plain = config.encode_handshake().unwrap();
        if (256..512).contains(&plain.len()) {
            seen_padding = true;
            assert!((512..=516).contains(&padded.len()), "{} -> {}", plain.len(), padded.len());
            let hello = ClientHello::parse(&padded[4..]).unwrap();
            assert!(hello.extensions.last().is_some_and(|e| e.ext_type == ExtensionType::PADDING));
            assert!(hello.extensions.last().unwrap().data.iter().all(|b| *b == 0));
        } else {
            seen_large |= plain.len() >= 512;
            assert_eq!(padded, plain, "unpadded length {}", plain.len());
        }
    }
    assert!(seen_padding && seen_large);
}

#[test]
fn options_reach_the_wire() {
    let mut config = ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM)
        .with_session_id(&[1, 2, 3])
        .with_alpn(&[b"rtsp", b"h2"]);
    config.session_ticket = false;
    config.extended_master_secret = false;
    config.renegotiation_info = false;
    config.encrypt_then_mac = false;
    let hello = roundtrip(&config);
    assert_eq!(hello.session_id, [1, 2, 3]);
    assert_eq!(
        hello.extension(ExtensionType::ALPN),
        Some(&[0, 8, 4, b'r', b't', b's', b'p', 2, b'h', b'2'][..])
    );
    let t = types(&hello);
    for absent in [
        ExtensionType::SESSION_TICKET,
        ExtensionType::EXTENDED_MASTER_SECRET,
        ExtensionType::RENEGOTIATION_INFO,
        ExtensionType::ENCRYPT_THEN_MAC,
    ] {
        assert!(!t.contains(&absent));
    }
    // Every suite rtspeek knows fits in one offer.
    let all: Vec<CipherSuite> = known_suites().filter(|s| !s.is_tls13()).collect();
    let hello =
        roundtrip(&ClientHelloConfig::new(ProtocolVersion::TLS1_0, ProtocolVersion::TLS1_2, &all, RANDOM));
    assert_eq!(hello.cipher_suites.len(), all.len());
    assert!(ClientHelloConfig::modern(RANDOM, SHARE).offers_version(ProtocolVersion::TLS1_3));
    assert!(!ClientHelloConfig::modern(RANDOM, SHARE).offers_version(ProtocolVersion::TLS1_1));
}

#[test]
fn invalid_offers_are_refused_with_the_reason() {
    let v = |min, max| ClientHelloConfig::new(min, max, &[CipherSuite(0x002f)], RANDOM).encode();
    assert!(matches!(
        v(ProtocolVersion::TLS1_2, ProtocolVersion::TLS1_0),
        Err(BuildError::VersionRange { .. })
    ));
    assert!(matches!(
        v(ProtocolVersion::SSL3_0, ProtocolVersion::TLS1_0),
        Err(BuildError::VersionRange { .. })
    ));
    assert!(matches!(
        v(ProtocolVersion::TLS1_0, ProtocolVersion(0x0305)),
        Err(BuildError::VersionRange { .. })
    ));
    let gcm_at_tls10 = ClientHelloConfig::single_suite(ProtocolVersion::TLS1_0, CipherSuite(0xc02f), RANDOM);
    assert!(matches!(gcm_at_tls10.encode(), Err(BuildError::NoUsableSuite { .. })));
    let only_scsv =
        ClientHelloConfig::single_suite(ProtocolVersion::TLS1_2, CipherSuite::FALLBACK_SCSV, RANDOM);
    assert!(matches!(only_scsv.encode(), Err(BuildError::NoUsableSuite { .. })));
    let no13 = ClientHelloConfig::new(
        ProtocolVersion::TLS1_2,
        ProtocolVersion::TLS1_3,
        &[CipherSuite(0xc02f)],
        RANDOM,
    );
    assert_eq!(no13.with_key_share(SHARE).encode(), Err(BuildError::MissingTls13Suite));
    let no_share = ClientHelloConfig::single_suite(ProtocolVersion::TLS1_3, CipherSuite(0x1301), RANDOM);
    assert_eq!(no_share.encode(), Err(BuildError::MissingKeyShare));
    let long_sid = ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM).with_session_id(&[0; 33]);
    assert_eq!(long_sid.encode(), Err(BuildError::SessionIdTooLong(33)));
    let too_many = ClientHelloConfig::new(
        ProtocolVersion::TLS1_2,
        ProtocolVersion::TLS1_2,
        &vec![CipherSuite(0x002f); 40_000],
        RANDOM,
    );
    assert_eq!(too_many.encode(), Err(BuildError::TooManySuites(40_000)));
    let empty_alpn = ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM).with_alpn(&[b""]);
    assert_eq!(empty_alpn.encode(), Err(BuildError::InvalidAlpn));
    let names: Vec<Vec<u8>> = (0..300).map(|_| vec![b'a'; 250]).collect();
    let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
    let huge = ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM).with_alpn(&refs[..261]);
    assert!(matches!(huge.encode(), Err(BuildError::ExtensionsTooLong(_))));
    let too_long_list = ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM).with_alpn(&refs);
    assert_eq!(too_long_list.encode(), Err(BuildError::InvalidAlpn));
    assert_eq!(BuildError::MissingKeyShare.to_string(), "TLS 1.3 is offered without an x25519 key share");
}

#[test]
fn client_hello_parser_names_what_is_wrong() {
    // Body layout: version (2), random (32), session id length at 34 (empty), suite list length at 35.
    let body =
        ClientHelloConfig::legacy(ProtocolVersion::TLS1_2, RANDOM).encode_handshake().unwrap()[4..].to_vec();
    let suites_len = usize::from(u16::from_be_bytes([body[35], body[36]]));
    let compression_at = 37 + suites_len;
    let extensions_at = compression_at + 2;
    for len in 0..body.len() {
        let result = ClientHello::parse(&body[..len]);
        // Cutting exactly before the extensions leaves a valid hello without extensions.
        assert_eq!(result.is_ok(), len == extensions_at, "length {len}: {result:?}");
    }
    let with = |at: usize, value: u8| {
        let mut b = body.clone();
        b[at] = value;
        ClientHello::parse(&b)
    };
    assert_eq!(
        with(34, 33),
        Err(ParseError::Invalid { pos: 35, context: "ClientHello session_id (over 32 bytes)" })
    );
    assert!(matches!(with(36, body[36] ^ 1), Err(ParseError::Invalid { .. })), "odd suite list");
    assert!(matches!(with(compression_at, 0), Err(ParseError::Invalid { .. })), "no compression method");
    let mut trailing = body.clone();
    trailing.push(0);
    assert!(matches!(ClientHello::parse(&trailing), Err(ParseError::Invalid { .. })));
}
