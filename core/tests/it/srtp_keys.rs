//! SRTP keys through the public API: SDES `a=crypto` lines (parse, errors, writer) and MIKEY messages (a real
//! MIKEY-NULL offer, truncations and corruptions, the server's offer, the pre-shared-key mode, the forms the
//! data travels in).

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

mod sdes {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::hex;
    use rtspeek_core::srtp::sdes::{CryptoAttribute, CryptoSuite, Mki};
    use rtspeek_core::srtp::{MasterKey, SrtpContext, Suite};

    /// Lines as cameras and SIP stacks write them (the key from a public RTSP test suite's SDP).
    #[test]
    fn parses_keys_lifetimes_mkis_and_params() {
        let a = CryptoAttribute::parse(
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7|2^31|123456789:4\r\n",
        )
        .unwrap();
        assert_eq!((a.tag, &a.suite), (1, &CryptoSuite::Known(Suite::AesCm128HmacSha1_80)));
        let k = &a.keys[0];
        let master = k.master_key(Suite::AesCm128HmacSha1_80).unwrap();
        assert_eq!(master.key(), hex("B4653A2F8BEE8BBBC5BE26BF6CFA3AB9"));
        assert_eq!(master.salt(), hex("78970E907F0FD858DF47ECE3E53B"));
        assert_eq!(k.lifetime, Some(1 << 31));
        assert_eq!(k.mki, Some(Mki { value: 123_456_789, len: 4 }));
        assert!(!format!("{k:?}").contains("180"), "Debug redacts the key");

        let b = CryptoAttribute::parse(
            "909 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7|2147483648|1234567890123456:8 KDR=1 UNENCRYPTED_SRTCP",
        )
        .unwrap();
        assert_eq!(b.keys[0].lifetime, Some(2_147_483_648));
        assert_eq!(b.keys[0].mki, Some(Mki { value: 1_234_567_890_123_456, len: 8 }));
        assert_eq!(b.session_params, ["KDR=1", "UNENCRYPTED_SRTCP"]);

        let two = CryptoAttribute::parse(
            "1 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:4;inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk|2^20|2:4",
        )
        .unwrap();
        assert_eq!(two.keys.len(), 2);
        assert_eq!(two.keys[1].mki, Some(Mki { value: 2, len: 4 }));

        let other = CryptoAttribute::parse("3 AES_256_CM_HMAC_SHA1_80 inline:AAAA").unwrap();
        assert_eq!(other.suite, CryptoSuite::Other("AES_256_CM_HMAC_SHA1_80".into()));
    }

    #[test]
    fn errors_name_field_and_column() {
        let cases = [
            ("x AES_CM_128_HMAC_SHA1_80 inline:AAAA", "tag", 0),
            ("1", "crypto-suite", 1),
            ("1 AES_CM_128_HMAC_SHA1_80", "key-params", 25),
            ("1 AES_CM_128_HMAC_SHA1_80 uri:http://x", "key-method", 26),
            ("1 AES_CM_128_HMAC_SHA1_80 inline:!!!!", "key||salt", 33),
            ("1 AES_CM_128_HMAC_SHA1_80 inline:AAAA", "key||salt", 33),
            (
                "1 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7|2^99",
                "lifetime",
                74,
            ),
            ("1 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7|1:0", "MKI", 76),
            ("1 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7|300:1", "MKI", 74),
        ];
        for (line, field, column) in cases {
            let e = CryptoAttribute::parse(line).unwrap_err();
            assert_eq!((e.field, e.column), (field, column), "{line}: {e}");
        }
        // Every truncation of a valid line is an error or a shorter valid line, never a panic.
        let line = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7|2^31|1:4 KDR=1";
        for n in 0..line.len() {
            let _ = CryptoAttribute::parse(&line[..n]);
        }
    }

    /// The writer's output parses back to the same attribute and keys a working context.
    #[test]
    fn writer_round_trips() {
        for suite in Suite::ALL {
            let key =
                MasterKey::from_concatenated(suite, &vec![0xa5; suite.key_len() + suite.salt_len()]).unwrap();
            let mut a = CryptoAttribute::new(7, suite, &key);
            a.keys[0].lifetime = Some(1 << 31);
            a.keys[0].mki = Some(Mki { value: 1, len: 4 });
            a.session_params.push("UNENCRYPTED_SRTCP".into());
            let text = a.to_value();
            assert!(text.starts_with(&format!("7 {} inline:", suite.sdes_name())), "{text}");
            assert!(text.ends_with("|2^31|1:4 UNENCRYPTED_SRTCP"), "{text}");
            let back = CryptoAttribute::parse(&text).unwrap();
            assert_eq!(back, a);
            assert_eq!(back.keys[0].master_key(suite).unwrap(), key);
            let _ = SrtpContext::new(suite, &key).with_mki(&back.keys[0].mki.unwrap().to_bytes());
        }
    }
}

mod mikey {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::hex;
    use rtspeek_core::mikey::{
        CsIdMap, DataType, KeyData, KeyType, KeyValidity, Message, MikeyProblem, NullOffer, SrtpMapEntry,
        Timestamp, kemac_enc, master_key_from,
    };
    use rtspeek_core::srtp::{MasterKey, SrtpContext, Suite};

    /// A MIKEY-NULL offer as GStreamer-style servers send it (`a=key-mgmt:mikey` of an RTP/SAVP H.264 stream,
    /// from a public RTSP protocol test suite): one SRTP crypto session, T (NTP-UTC), RAND, a fully explicit
    /// AES-CM-128/HMAC-SHA1-80 policy and a KEMAC in clear with one TEK of key || salt bound to MKI 1.
    const REAL: &str = "AQAFAElq4SIBAAA6zCzrAAAAAAsA7d5mHVUyqcsKEP9Ynnh3rIApS64s5GNDOb4BAAAAHgABAQEBEAIBAQMBFAQBDgUBAAcBAQgBAQoBAQsBCgAAACcAIQAepnM1qcQLCtXMUZ8imXhhE4K37b1PTMal3WhDgdssBAAAAAEA";

    #[test]
    fn real_mikey_null_offer() {
        let m = Message::from_base64(REAL).unwrap();
        assert_eq!(m.header.data_type, DataType::PskInit);
        assert_eq!(m.header.csb_id, 0x496a_e122);
        assert_eq!(
            m.header.cs_map,
            CsIdMap::Srtp(vec![SrtpMapEntry { policy: 0, ssrc: 0x3acc_2ceb, roc: 0 }])
        );
        assert_eq!(m.timestamp(), Some(Timestamp::NtpUtc(0xedde_661d_5532_a9cb)));
        assert_eq!(m.rand().unwrap(), hex("ff589e7877ac80294bae2ce4634339be"));
        let sp = m.policy(0).unwrap();
        assert_eq!(sp.suite(), Some(Suite::AesCm128HmacSha1_80));
        assert!(sp.srtp_encryption() && sp.srtcp_encryption() && sp.srtp_authentication());
        assert!(m.keys_in_clear());
        let kemac = m.kemac().unwrap();
        assert_eq!((kemac.enc_alg, kemac.mac_alg), (kemac_enc::NULL, 0));
        assert_eq!(kemac.keys[0].key_type, KeyType::Tek);
        assert_eq!(kemac.keys[0].validity, KeyValidity::Spi(vec![0, 0, 0, 1]));
        let key = m.srtp_master_key(Suite::AesCm128HmacSha1_80).unwrap();
        assert_eq!(key.key(), hex("a67335a9c40b0ad5cc519f2299786113"));
        assert_eq!(key.salt(), hex("82b7edbd4f4cc6a5dd684381db2c"));
        // The writer gives back the exact bytes.
        assert_eq!(m.to_base64(), REAL);
        // Quotes and whitespace of a KeyMgmt `data="..."` value are tolerated.
        assert_eq!(Message::from_base64(&format!(" \"{REAL}\" ")).unwrap(), m);
    }

    /// Every truncation of the real message fails with an offset inside the message, never a panic; single
    /// corruptions give the offset of the field.
    #[test]
    fn truncations_and_corruptions_give_offsets() {
        let bytes = Message::from_base64(REAL).unwrap().to_bytes();
        for n in 0..bytes.len() {
            let e = Message::parse(&bytes[..n]).unwrap_err();
            assert!(e.offset <= n, "cut at {n}: {e}");
            assert!(matches!(e.problem, MikeyProblem::Truncated { .. }), "cut at {n}: {e}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(Message::parse(&extra).unwrap_err().problem, MikeyProblem::TrailingBytes);
        let mut v2 = bytes.clone();
        v2[0] = 2;
        let e = Message::parse(&v2).unwrap_err();
        assert_eq!((e.offset, e.problem), (0, MikeyProblem::BadValue(2)));
        let mut dh = bytes.clone();
        dh[2] = 3; // first payload claims to be DH
        let e = Message::parse(&dh).unwrap_err();
        assert_eq!((e.offset, e.problem), (19, MikeyProblem::UnsupportedPayload(3)));
        let mut map = bytes.clone();
        map[9] = 7;
        assert_eq!(Message::parse(&map).unwrap_err().offset, 9);
        let e = Message::from_base64("AQAF*AAA").unwrap_err();
        assert_eq!((e.offset, e.problem), (4, MikeyProblem::NotBase64));
        // Every byte flipped: no panic, whatever the result.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = Message::parse(&b);
        }
    }

    /// The server's offer parses back to the same model, for every suite, with and without MKI, and keys a
    /// receiving context that decrypts the sender's packets.
    #[test]
    fn null_offer_round_trips() {
        for suite in Suite::ALL {
            let key =
                MasterKey::from_concatenated(suite, &vec![0x3c; suite.key_len() + suite.salt_len()]).unwrap();
            for mki in [None, Some(&[0u8, 0, 0, 1][..])] {
                let offer = NullOffer {
                    csb_id: 0xdead_beef,
                    streams: &[(0x1111_1111, 0), (0x2222_2222, 5)],
                    ntp_time: 0xe8a1_0000_0000_0000,
                    rand: [0x42; 16],
                    suite,
                    key: &key,
                    srtcp_encryption: false,
                    mki,
                };
                let m = offer.message();
                let parsed = Message::parse(&m.to_bytes()).unwrap();
                assert_eq!(parsed, m);
                assert_eq!(parsed.policy(0).unwrap().suite(), Some(suite));
                assert!(!parsed.policy(0).unwrap().srtcp_encryption());
                assert_eq!(parsed.srtp_map()[1].roc, 5);
                let got = parsed.srtp_master_key(suite).unwrap();
                assert_eq!(got, key);

                let mut tx = SrtpContext::new(suite, &key).with_mki(mki.unwrap_or_default());
                let mut rx = SrtpContext::new(suite, &got).with_mki(mki.unwrap_or_default());
                let entry = parsed.srtp_map()[1];
                rx.set_roc(entry.ssrc, entry.roc).unwrap();
                tx.set_roc(entry.ssrc, entry.roc).unwrap();
                let mut rtp = vec![0x80, 96, 0, 9, 0, 0, 0, 0];
                rtp.extend_from_slice(&entry.ssrc.to_be_bytes());
                rtp.extend_from_slice(b"payload");
                assert_eq!(rx.unprotect_rtp(&tx.protect_rtp(&rtp).unwrap()).unwrap(), rtp);
            }
        }
    }

    /// Pre-shared-key mode: the KEMAC is encrypted (AES-CM) and MACed (HMAC-SHA1) under keys derived from the
    /// PSK; the right PSK decrypts it, a wrong one fails the MAC, and the model says the keys are not in clear.
    #[test]
    fn psk_kemac_round_trip() {
        let key = MasterKey::new(Suite::AesCm128HmacSha1_80, &[9; 16], &[8; 14]).unwrap();
        let offer = NullOffer {
            csb_id: 7,
            streams: &[(1, 0)],
            ntp_time: 0x0102_0304_0506_0708,
            rand: [1; 16],
            suite: Suite::AesCm128HmacSha1_80,
            key: &key,
            srtcp_encryption: true,
            mki: None,
        };
        let mut m = offer.message();
        let keys = vec![KeyData {
            key_type: KeyType::TekSalt,
            key: key.key().to_vec(),
            salt: Some(key.salt().to_vec()),
            validity: KeyValidity::Null,
        }];
        let raw = m.protect_with_psk(keys.clone(), b"correct horse battery staple").unwrap();
        let parsed = Message::parse(&raw).unwrap();
        assert!(!parsed.keys_in_clear());
        assert_eq!(parsed.kemac().unwrap().enc_alg, kemac_enc::AES_CM_128);
        assert!(parsed.kemac().unwrap().keys.is_empty());
        assert!(parsed.srtp_master_key(Suite::AesCm128HmacSha1_80).is_err());
        assert_ne!(
            parsed.kemac().unwrap().encr_data,
            rtspeek_core::mikey::Kemac::null(keys.clone()).encr_data
        );
        let got = parsed.decrypt_kemac(&raw, b"correct horse battery staple").unwrap();
        assert_eq!(got, keys);
        assert_eq!(master_key_from(&got, Suite::AesCm128HmacSha1_80).unwrap(), key);
        let e = parsed.decrypt_kemac(&raw, b"wrong").unwrap_err();
        assert_eq!(e.problem, MikeyProblem::MacMismatch);
    }
}

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// The forms MIKEY data travels in: SDP attribute, attribute value, RTSP `KeyMgmt` header, bare base64.
#[test]
fn mikey_from_key_mgmt_forms() {
    use rtspeek_core::mikey::Message;
    let b64 = "AQAFAElq4SIBAAA6zCzrAAAAAAsA7d5mHVUyqcsKEP9Ynnh3rIApS64s5GNDOb4BAAAAHgABAQEBEAIBAQMBFAQBDgUBAAcBAQgBAQoBAQsBCgAAACcAIQAepnM1qcQLCtXMUZ8imXhhE4K37b1PTMal3WhDgdssBAAAAAEA";
    let want = Message::from_base64(b64).unwrap();
    for form in [
        format!("a=key-mgmt:mikey {b64}\r\n"),
        format!("mikey {b64}"),
        format!("prot=mikey; uri=\"rtsp://cam/stream/track1\"; data=\"{b64}\""),
        format!("prot=mikey;data={b64}"),
        b64.to_string(),
    ] {
        assert_eq!(Message::from_key_mgmt(&form).unwrap(), want, "{form}");
    }
    assert!(Message::from_key_mgmt("prot=other; data=\"AAAA\"").is_err());
    assert!(Message::from_key_mgmt("prot=mikey; uri=\"x\"").is_err());
}

/// The contexts SDES and MIKEY set up decrypt what the peer's context protects, with the options they carry
/// (MKI, lifetime, SRTCP unencrypted, ROC of the crypto session).
#[test]
fn contexts_from_sdes_and_mikey() {
    use rtspeek_core::mikey::{Message, NullOffer};
    use rtspeek_core::srtp::sdes::CryptoAttribute;
    use rtspeek_core::srtp::{MasterKey, SrtpContext, SrtpError, Suite};

    let rtp = |seq: u16, ssrc: u32| {
        let mut p = vec![0x80, 96];
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 0]);
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.extend_from_slice(b"some media");
        p
    };
    let a = CryptoAttribute::parse(
        "1 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7|2^1|7:2 UNENCRYPTED_SRTCP",
    )
    .unwrap();
    let (mut tx, mut rx) = (a.context().unwrap(), a.context().unwrap());
    let p1 = tx.protect_rtp(&rtp(1, 5)).unwrap();
    assert_eq!(&p1[p1.len() - 12..p1.len() - 10], &[0, 7], "MKI 7 in 2 bytes before the tag");
    assert_eq!(rx.unprotect_rtp(&p1).unwrap(), rtp(1, 5));
    let sr = tx.protect_rtcp(&hex("80c80001 00000005")).unwrap();
    assert_eq!(sr[8] & 0x80, 0, "UNENCRYPTED_SRTCP: E flag clear");
    rx.unprotect_rtp(&tx.protect_rtp(&rtp(2, 5)).unwrap()).unwrap();
    assert!(matches!(tx.protect_rtp(&rtp(3, 5)), Err(SrtpError::KeyLifetimeExceeded { limit: 2, .. })));
    for bad in [
        "1 AES_256_CM_HMAC_SHA1_80 inline:AAAA",
        "1 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7 KDR=4",
    ] {
        assert!(CryptoAttribute::parse(bad).unwrap().context().is_err(), "{bad}");
    }

    let key = MasterKey::new(Suite::AeadAes128Gcm, &[3; 16], &[4; 12]).unwrap();
    let offer = NullOffer {
        csb_id: 9,
        streams: &[(0x0a0b_0c0d, 2)],
        ntp_time: 0,
        rand: [5; 16],
        suite: Suite::AeadAes128Gcm,
        key: &key,
        srtcp_encryption: false,
        mki: Some(&[0, 0, 0, 1]),
    };
    let m = Message::from_base64(&offer.message().to_base64()).unwrap();
    let mut rx = m.srtp_context().unwrap();
    assert_eq!(rx.suite(), Suite::AeadAes128Gcm);
    assert_eq!(rx.stream(0x0a0b_0c0d).unwrap().roc, 2);
    let mut tx = SrtpContext::new(Suite::AeadAes128Gcm, &key).with_mki(&[0, 0, 0, 1]);
    tx.set_roc(0x0a0b_0c0d, 2).unwrap();
    assert_eq!(
        rx.unprotect_rtp(&tx.protect_rtp(&rtp(9, 0x0a0b_0c0d)).unwrap()).unwrap(),
        rtp(9, 0x0a0b_0c0d)
    );
}

/// live555's "encryption off" policy: the NULL cipher with HMAC-SHA1-80. It is the AES-CM suite of that tag
/// (the key derivation still runs on the master key) with SRTP and SRTCP encryption off, whatever the
/// policy's own encryption switches say.
#[test]
fn a_null_cipher_policy_is_aes_cm_with_encryption_off() {
    use rtspeek_core::mikey::{SecurityPolicy, sp};
    use rtspeek_core::srtp::Suite;
    let mut policy = SecurityPolicy::for_suite(0, Suite::AesCm128HmacSha1_80, true);
    for param in &mut policy.params {
        if param.kind == sp::ENC_ALG || param.kind == sp::ENC_KEY_LEN {
            param.value = vec![0];
        }
    }
    assert_eq!(policy.suite(), Some(Suite::AesCm128HmacSha1_80));
    assert!(!policy.srtp_encryption() && !policy.srtcp_encryption());
    assert!(policy.srtp_authentication());
    // An AES-CM policy keeps its switches.
    let on = SecurityPolicy::for_suite(0, Suite::AesCm128HmacSha1_32, false);
    assert_eq!(on.suite(), Some(Suite::AesCm128HmacSha1_32));
    assert!(on.srtp_encryption() && !on.srtcp_encryption());
}
