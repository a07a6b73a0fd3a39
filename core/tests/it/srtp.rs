//! SRTP/SRTCP through the public API: RFC 3711 Appendix B (keystream, key derivation), libsrtp's known-answer
//! packets for AES_CM_128_HMAC_SHA1_80/32, RFC 7714 section 16/17 AES-GCM packets, and round trips across a
//! sequence-number rollover with loss, reordering, replays and tampering.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::srtp::{MasterKey, SessionKeys, SrtpContext, SrtpError, Suite, derive_session_keys, kdf};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// RFC 3711 B.2: the AES-CM keystream for session key 2B7E..., salt F0F1...FD, SSRC 0, index 0. With label 0
/// the KDF's IV is exactly that IV, so `kdf` produces this keystream.
#[test]
fn rfc3711_b2_keystream() {
    let key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
    let salt = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
    let mut ks = vec![0u8; 16 * 0xff02];
    kdf(&key, &salt, 0, &mut ks);
    let block = |i: usize| ks[i * 16..i * 16 + 16].to_vec();
    assert_eq!(block(0), hex("E03EAD0935C95E80E166B16DD92B4EB4"));
    assert_eq!(block(1), hex("D23513162B02D0F72A43A2FE4A5F97AB"));
    assert_eq!(block(2), hex("41E95B3BB0A2E8DD477901E4FCA894C0"));
    assert_eq!(block(0xfeff), hex("EC8CDF7398607CB0F2D21675EA9EA1E4"));
    assert_eq!(block(0xff00), hex("362B7C3C6773516318A077D7FC5073AE"));
    assert_eq!(block(0xff01), hex("6A2CC3787889374FBEB4C81B17BA6C44"));

    // The same keystream through a context: an all-zero payload at SSRC 0, SEQ 0, ROC 0 encrypts to it.
    let keys = SessionKeys { cipher_key: key, auth_key: vec![0; 20], salt };
    let mut ctx = SrtpContext::from_session_keys(Suite::AesCm128HmacSha1_80, &keys, &keys);
    let mut rtp = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    rtp.extend_from_slice(&[0; 48]);
    let srtp = ctx.protect_rtp(&rtp).unwrap();
    assert_eq!(&srtp[12..60], &ks[..48]);
}

/// RFC 3711 B.3: session keys from master key E1F9... and master salt 0EC6....
#[test]
fn rfc3711_b3_key_derivation() {
    let master = MasterKey::new(
        Suite::AesCm128HmacSha1_80,
        &hex("E1F97A0D3E018BE0D64FA32C06DE4139"),
        &hex("0EC675AD498AFEEBB6960B3AABE6"),
    )
    .unwrap();
    let keys = derive_session_keys(Suite::AesCm128HmacSha1_80, &master, false);
    assert_eq!(keys.cipher_key, hex("C61E7A93744F39EE10734AFE3FF7A087"));
    assert_eq!(keys.salt, hex("30CBBC08863D8C85D49DB34A9AE1"));
    assert_eq!(keys.auth_key, hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
}

fn libsrtp_master(suite: Suite) -> MasterKey {
    MasterKey::from_concatenated(suite, &hex("E1F97A0D3E018BE0D64FA32C06DE41390EC675AD498AFEEBB6960B3AABE6"))
        .unwrap()
}

const KAT_RTP: &str = "800f1234decafbadcafebabe abababababababababababababababab";
const KAT_SRTP_80: &str = "800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb";
const KAT_RTCP: &str = "81c8000bcafebabe abababababababababababababababab";
const KAT_SRTCP: &str = "81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798";

/// libsrtp's `srtp_validate` known answers (test/srtp_driver.c): the RFC 3711 B.3 master key, SSRC 0xcafebabe,
/// SEQ 0x1234, SRTCP index 1.
#[test]
fn aes_cm_known_answers() {
    let suite = Suite::AesCm128HmacSha1_80;
    let mut tx = SrtpContext::new(suite, &libsrtp_master(suite));
    assert_eq!(tx.protect_rtp(&hex(KAT_RTP)).unwrap(), hex(KAT_SRTP_80));
    tx.set_next_srtcp_index(0xcafe_babe, 1).unwrap();
    assert_eq!(tx.protect_rtcp(&hex(KAT_RTCP)).unwrap(), hex(KAT_SRTCP));

    let mut rx = SrtpContext::new(suite, &libsrtp_master(suite));
    assert_eq!(rx.unprotect_rtp(&hex(KAT_SRTP_80)).unwrap(), hex(KAT_RTP));
    assert_eq!(rx.unprotect_rtcp(&hex(KAT_SRTCP)).unwrap(), hex(KAT_RTCP));
    assert_eq!((rx.counters().rtp_ok, rx.counters().rtcp_ok), (1, 1));

    // HMAC_SHA1_32: the same ciphertext with the tag cut to 4 bytes; SRTCP keeps 80 bits.
    let suite = Suite::AesCm128HmacSha1_32;
    let mut tx = SrtpContext::new(suite, &libsrtp_master(suite));
    let srtp32 = tx.protect_rtp(&hex(KAT_RTP)).unwrap();
    assert_eq!(srtp32, hex(KAT_SRTP_80)[..32].to_vec());
    tx.set_next_srtcp_index(0xcafe_babe, 1).unwrap();
    assert_eq!(tx.protect_rtcp(&hex(KAT_RTCP)).unwrap(), hex(KAT_SRTCP));
    let mut rx = SrtpContext::new(suite, &libsrtp_master(suite));
    assert_eq!(rx.unprotect_rtp(&srtp32).unwrap(), hex(KAT_RTP));
}

fn rfc7714_context() -> SrtpContext {
    let keys = SessionKeys {
        cipher_key: hex("000102030405060708090a0b0c0d0e0f"),
        auth_key: Vec::new(),
        salt: hex("517569642070726f2071756f"),
    };
    SrtpContext::from_session_keys(Suite::AeadAes128Gcm, &keys, &keys)
}

const GCM_RTP: &str =
    "8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
const GCM_SRTP: &str = "8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";
const GCM_RTCP: &str = "81c8000d4d617273 4e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
const GCM_SRTCP: &str = "81c8000d4d617273 63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade 800005d4";
const GCM_SRTCP_AUTH_ONLY: &str = "81c8000d4d617273 4e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef 841dd9683dd78ec92ae58790125f62b3 000005d4";

/// RFC 7714 section 16.1 (SRTP) and 17.1 (SRTCP, encrypted and authentication-only) with AEAD_AES_128_GCM.
#[test]
fn rfc7714_gcm_vectors() {
    let mut tx = rfc7714_context();
    assert_eq!(tx.protect_rtp(&hex(GCM_RTP)).unwrap(), hex(GCM_SRTP));
    tx.set_next_srtcp_index(0x4d61_7273, 0x5d4).unwrap();
    assert_eq!(tx.protect_rtcp(&hex(GCM_RTCP)).unwrap(), hex(GCM_SRTCP));
    let mut tx = rfc7714_context();
    tx.set_rtcp_encryption(false);
    tx.set_next_srtcp_index(0x4d61_7273, 0x5d4).unwrap();
    assert_eq!(tx.protect_rtcp(&hex(GCM_RTCP)).unwrap(), hex(GCM_SRTCP_AUTH_ONLY));

    let mut rx = rfc7714_context();
    assert_eq!(rx.unprotect_rtp(&hex(GCM_SRTP)).unwrap(), hex(GCM_RTP));
    assert_eq!(rx.unprotect_rtcp(&hex(GCM_SRTCP)).unwrap(), hex(GCM_RTCP));
    let mut rx = rfc7714_context();
    assert_eq!(rx.unprotect_rtcp(&hex(GCM_SRTCP_AUTH_ONLY)).unwrap(), hex(GCM_RTCP));
    assert_eq!(rx.counters().rtcp_unencrypted, 1);

    // A flipped bit anywhere in the authenticated part (header = AAD, ciphertext, tag) fails.
    for at in [3, 20, hex(GCM_SRTP).len() - 1] {
        let mut bad = hex(GCM_SRTP);
        bad[at] ^= 0x01;
        let mut rx = rfc7714_context();
        assert!(matches!(rx.unprotect_rtp(&bad), Err(SrtpError::AuthFailed { .. })), "byte {at}");
    }
}

fn rtp(seq: u16, ssrc: u32, payload_len: usize) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 3000).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..payload_len).map(|i| (i as u8) ^ (seq as u8)));
    p
}

fn pair(suite: Suite) -> (SrtpContext, SrtpContext) {
    let key = MasterKey::from_concatenated(
        suite,
        &(0..(suite.key_len() + suite.salt_len()) as u8).map(|b| b.wrapping_mul(37)).collect::<Vec<_>>(),
    )
    .unwrap();
    (SrtpContext::new(suite, &key), SrtpContext::new(suite, &key))
}

/// Across the 65535 -> 0 wrap: loss, reordering around the wrap, a duplicate, a tampered tag; the ROC
/// follows and every surviving packet decrypts, for every suite.
#[test]
fn rollover_with_loss_reordering_and_tampering() {
    for suite in Suite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let ssrc = 0x1234_5678;
        let seqs: Vec<u16> = (65_500..=65_535).chain(0..40).collect();
        let sent: Vec<(u16, Vec<u8>)> =
            seqs.iter().map(|&s| (s, tx.protect_rtp(&rtp(s, ssrc, 100)).unwrap())).collect();
        // Delivery order: drop 65_530 and 3, swap 65_535 <-> 0 and 1 <-> 65_534, duplicate 5.
        let mut order: Vec<usize> =
            (0..sent.len()).filter(|&i| sent[i].0 != 65_530 && sent[i].0 != 3).collect();
        let pos = |s: u16, o: &Vec<usize>| o.iter().position(|&i| sent[i].0 == s).unwrap();
        let (a, b) = (pos(65_535, &order), pos(0, &order));
        order.swap(a, b);
        let (a, b) = (pos(1, &order), pos(65_534, &order));
        order.swap(a, b);
        let dup = pos(5, &order);
        order.insert(dup + 1, order[dup]);
        let mut ok = 0;
        for &i in &order {
            let (seq, packet) = &sent[i];
            match rx.unprotect_rtp(packet) {
                Ok(plain) => {
                    assert_eq!(plain, rtp(*seq, ssrc, 100), "{suite} seq {seq}");
                    ok += 1;
                }
                Err(SrtpError::Replayed { .. }) => {
                    assert_eq!(*seq, 5, "{suite}: only the duplicate is a replay")
                }
                Err(e) => panic!("{suite} seq {seq}: {e}"),
            }
        }
        assert_eq!(ok, seqs.len() - 2, "{suite}");
        let state = rx.stream(ssrc).unwrap();
        assert_eq!((state.roc, state.highest_seq), (1, Some(39)), "{suite}");
        assert_eq!(rx.counters().replays, 1);

        // A tampered tag is refused, counted, and leaves the state alone.
        let mut bad = tx.protect_rtp(&rtp(40, ssrc, 100)).unwrap();
        let last = bad.len() - 1;
        bad[last] ^= 0x80;
        assert!(matches!(
            rx.unprotect_rtp(&bad),
            Err(SrtpError::AuthFailed { ssrc: 0x1234_5678, roc: 1, .. })
        ));
        assert_eq!(rx.counters().auth_failures, 1);
        assert_eq!(rx.stream(ssrc).unwrap().highest_seq, Some(39));
        bad[last] ^= 0x80;
        assert!(rx.unprotect_rtp(&bad).is_ok());

        // SRTCP through the same contexts, encrypted and not, with a replay.
        let rtcp = hex("80c80006 12345678 0102030405060708090a0b0c0d0e0f101112131415161718");
        let p1 = tx.protect_rtcp(&rtcp).unwrap();
        tx.set_rtcp_encryption(false);
        let p2 = tx.protect_rtcp(&rtcp).unwrap();
        assert_eq!(rx.unprotect_rtcp(&p1).unwrap(), rtcp);
        assert_eq!(rx.unprotect_rtcp(&p2).unwrap(), rtcp);
        assert!(matches!(rx.unprotect_rtcp(&p1), Err(SrtpError::Replayed { index: 0, .. })));
        assert_eq!(rx.counters().rtcp_unencrypted, 1);
    }
}

/// A receiver that joins a stream after the wrap with ROC 0 fails authentication; `try_roc_neighbours` finds
/// the ROC that verifies, which is the evidence of a ROC mismatch. Setting the ROC (as MIKEY's map does) fixes
/// it; a wrong key finds no neighbour.
#[test]
fn roc_mismatch_is_recognised() {
    for suite in Suite::ALL {
        let (mut tx, _) = pair(suite);
        let ssrc = 7;
        for s in (65_000..=65_535).chain(0..10) {
            tx.protect_rtp(&rtp(s, ssrc, 20)).unwrap();
        }
        let late = tx.protect_rtp(&rtp(10, ssrc, 20)).unwrap();
        let (_, mut rx) = pair(suite);
        assert!(matches!(rx.unprotect_rtp(&late), Err(SrtpError::AuthFailed { roc: 0, index: 10, .. })));
        assert_eq!(rx.try_roc_neighbours(&late), Some(1), "{suite}");
        let (_, mut rx) = pair(suite);
        rx.set_roc(ssrc, 1).unwrap();
        assert_eq!(rx.unprotect_rtp(&late).unwrap(), rtp(10, ssrc, 20));

        let other =
            MasterKey::from_concatenated(suite, &vec![0x55; suite.key_len() + suite.salt_len()]).unwrap();
        let wrong = SrtpContext::new(suite, &other);
        assert_eq!(wrong.try_roc_neighbours(&late), None);
    }
}

/// SRTP encryption off (NULL cipher, authentication kept): the payload travels in clear, the tag still
/// protects it.
#[test]
fn rtp_encryption_off_keeps_authentication() {
    let (mut tx, mut rx) = pair(Suite::AesCm128HmacSha1_80);
    tx.set_rtp_encryption(false);
    rx.set_rtp_encryption(false);
    let plain = rtp(3, 4, 30);
    let mut p = tx.protect_rtp(&plain).unwrap();
    assert_eq!(&p[..plain.len()], plain.as_slice());
    assert_eq!(rx.unprotect_rtp(&p).unwrap(), plain);
    assert!(matches!(rx.unprotect_rtp(&p), Err(SrtpError::Replayed { .. })));
    p = tx.protect_rtp(&rtp(4, 4, 30)).unwrap();
    p[20] ^= 1;
    assert!(matches!(rx.unprotect_rtp(&p), Err(SrtpError::AuthFailed { .. })));
}

#[test]
fn key_lifetime_and_mki() {
    let (tx, rx) = pair(Suite::AesCm128HmacSha1_80);
    let mut tx = tx.with_key_lifetime(2).with_mki(&[0, 0, 0, 1]);
    let mut rx = rx.with_key_lifetime(2).with_mki(&[0, 0, 0, 1]);
    let a = tx.protect_rtp(&rtp(1, 9, 10)).unwrap();
    assert_eq!(a.len(), 12 + 10 + 4 + 10);
    let b = tx.protect_rtp(&rtp(2, 9, 10)).unwrap();
    assert_eq!(tx.protect_rtp(&rtp(3, 9, 10)), Err(SrtpError::KeyLifetimeExceeded { used: 2, limit: 2 }));
    rx.unprotect_rtp(&a).unwrap();
    rx.unprotect_rtp(&b).unwrap();
    assert!(matches!(rx.unprotect_rtp(&a), Err(SrtpError::KeyLifetimeExceeded { .. })));

    let (mut tx, mut rx) = pair(Suite::AeadAes128Gcm);
    let mut tx2 = tx.clone().with_mki(&[9]);
    rx = rx.with_mki(&[9]);
    assert!(matches!(
        rx.unprotect_rtp(&tx.protect_rtp(&rtp(1, 9, 10)).unwrap()),
        Err(SrtpError::UnknownMki { .. })
    ));
    assert_eq!(rx.unprotect_rtp(&tx2.protect_rtp(&rtp(2, 9, 10)).unwrap()).unwrap(), rtp(2, 9, 10));
    assert_eq!(rx.counters().unknown_mki, 1);
}

/// Every truncation of valid SRTP/SRTCP packets is refused with a typed error, never a panic, and a context
/// refuses header extensions that claim more than the packet holds.
#[test]
fn truncations_are_errors() {
    for suite in Suite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let mut with_ext = rtp(1, 5, 0);
        with_ext[0] = 0x91; // X=1, CC=1
        with_ext.extend_from_slice(&[0, 0, 0, 1, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 9, 9]);
        let srtp = tx.protect_rtp(&with_ext).unwrap();
        let srtcp = tx.protect_rtcp(&hex("80c80001 00000005")).unwrap();
        for n in 0..srtp.len() {
            assert!(rx.unprotect_rtp(&srtp[..n]).is_err(), "{suite} rtp {n}");
            let _ = rx.try_roc_neighbours(&srtp[..n]);
        }
        for n in 0..srtcp.len() {
            assert!(rx.unprotect_rtcp(&srtcp[..n]).is_err(), "{suite} rtcp {n}");
        }
        assert_eq!(rx.unprotect_rtp(&srtp).unwrap(), with_ext);
        assert!(matches!(rx.unprotect_rtp(&[0x40; 40]), Err(SrtpError::BadVersion(1))));
    }
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

/// Packets made by real implementations (core/tests/data/srtp/README.md): GStreamer's `srtpenc` (libsrtp) for
/// every suite and FFmpeg's own SRTP, each across a sequence-number wrap.
mod real_peers {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use rtspeek_core::srtp::{MasterKey, SrtpContext, Suite};

    fn records(mut data: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while data.len() >= 2 {
            let n = usize::from(u16::from_be_bytes([data[0], data[1]]));
            out.push(data[2..2 + n].to_vec());
            data = &data[2 + n..];
        }
        out
    }

    fn key(suite: Suite) -> MasterKey {
        MasterKey::from_concatenated(
            suite,
            &(0..(suite.key_len() + suite.salt_len()) as u8).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    const PLAIN: &[u8] = include_bytes!("../data/srtp/gst-plain.rec");

    /// libsrtp's packets decrypt to GStreamer's plain stream, ROC 1 after the wrap; and our sender, fed the
    /// plain stream, produces libsrtp's bytes exactly.
    #[test]
    fn gstreamer_srtpenc_every_suite() {
        let plain = records(PLAIN);
        assert_eq!(plain.len(), 12);
        for (suite, file) in [
            (Suite::AesCm128HmacSha1_80, &include_bytes!("../data/srtp/gst-aes-cm-128-hmac-sha1-80.rec")[..]),
            (Suite::AesCm128HmacSha1_32, &include_bytes!("../data/srtp/gst-aes-cm-128-hmac-sha1-32.rec")[..]),
            (Suite::AeadAes128Gcm, &include_bytes!("../data/srtp/gst-aead-aes-128-gcm.rec")[..]),
            (Suite::AeadAes256Gcm, &include_bytes!("../data/srtp/gst-aead-aes-256-gcm.rec")[..]),
        ] {
            let packets = records(file);
            assert_eq!(packets.len(), 12, "{suite}");
            let mut rx = SrtpContext::new(suite, &key(suite));
            let mut tx = SrtpContext::new(suite, &key(suite));
            for (srtp, rtp) in packets.iter().zip(&plain) {
                assert_eq!(&rx.unprotect_rtp(srtp).unwrap(), rtp, "{suite}");
                assert_eq!(&tx.protect_rtp(rtp).unwrap(), srtp, "{suite}: same bytes as libsrtp");
            }
            let state = rx.stream(0xdead_beef).unwrap();
            assert_eq!((state.roc, state.highest_seq), (1, Some(5)), "{suite}");
            assert_eq!(rx.counters().rtp_ok, 12);
        }
    }

    /// FFmpeg's SRTP and SRTCP: every packet authenticates and decrypts across the wrap; the sender report
    /// decrypts to FFmpeg's first report. With `_32`, FFmpeg's 32-bit SRTCP tag is
    /// accepted as the named quirk.
    #[test]
    fn ffmpeg_srtp_and_srtcp() {
        for (suite, file, short_tags) in [
            (
                Suite::AesCm128HmacSha1_80,
                &include_bytes!("../data/srtp/ffmpeg-aes-cm-128-hmac-sha1-80.rec")[..],
                0,
            ),
            (
                Suite::AesCm128HmacSha1_32,
                &include_bytes!("../data/srtp/ffmpeg-aes-cm-128-hmac-sha1-32.rec")[..],
                1,
            ),
        ] {
            let packets = records(file);
            let (rtcp, rtp) = packets.split_last().unwrap();
            let mut rx = SrtpContext::new(suite, &key(suite));
            let mut tx = SrtpContext::new(suite, &key(suite));
            for p in rtp {
                let plain = rx.unprotect_rtp(p).unwrap();
                assert_eq!(plain[1] & 0x7f, 8, "{suite}");
                assert_eq!(&tx.protect_rtp(&plain).unwrap(), p, "{suite}: same bytes as FFmpeg");
            }
            assert_eq!(rx.stream(0x1234_5678).unwrap().roc, 1);
            let sr = rx.unprotect_rtcp(rtcp).unwrap();
            assert_eq!(
                (sr[1], &sr[4..8]),
                (200, &0x1234_5678u32.to_be_bytes()[..]),
                "{suite}: a sender report"
            );
            // FFmpeg sends its first report before any packet: counts 0, NTP time of the capture (2026), and the
            // RTP timestamp of the first packet, which travels in clear in the packets' headers.
            let ntp_seconds = u32::from_be_bytes(sr[8..12].try_into().unwrap());
            assert!((3_900_000_000..4_200_000_000).contains(&ntp_seconds), "{suite}: NTP {ntp_seconds}");
            assert_eq!(&sr[16..20], &rtp[0][4..8], "{suite}: the first packet's RTP timestamp");
            assert_eq!(
                (&sr[20..24], &sr[24..28]),
                (&[0u8; 4][..], &[0u8; 4][..]),
                "{suite}: nothing sent yet"
            );
            assert_eq!(rx.counters().rtcp_short_tags, short_tags, "{suite}");
            // Our sender with short SRTCP tags makes FFmpeg's bytes.
            tx.set_short_rtcp_tag(short_tags == 1);
            assert_eq!(&tx.protect_rtcp(&sr).unwrap(), rtcp, "{suite}: same SRTCP bytes as FFmpeg");
        }
    }

    fn suite_named(name: &str) -> Suite {
        Suite::from_sdes_name(name).unwrap()
    }

    /// MIKEY-NULL messages made by GStreamer 1.22's own gstmikey from SRTP caps (gst-mikey.c): every suite
    /// parses, with GStreamer's tag-length-in-auth-key-length convention, its key and its crypto session.
    #[test]
    fn gstreamer_made_mikey() {
        use rtspeek_core::mikey::Message;
        for line in include_str!("../data/srtp/gst-made-mikey.txt").lines() {
            let (name, b64) = line.split_once(' ').unwrap();
            let suite = suite_named(name);
            let m = Message::from_base64(b64).unwrap();
            assert_eq!(m.policy(0).unwrap().suite(), Some(suite), "{name}");
            assert_eq!(m.srtp_master_key(suite).unwrap(), key(suite), "{name}");
            assert_eq!(m.srtp_map()[0].ssrc, 0xcafe_babe);
            assert!(m.keys_in_clear());
            assert_eq!(m.to_base64(), b64, "{name}: written back byte for byte");
        }
    }

    /// Our MIKEY-NULL offers, as GStreamer 1.22 read them (gst-mikey.c parse): the suite, cipher and key
    /// it took. The offers are rebuilt here and must be the bytes GStreamer was given.
    #[test]
    fn gstreamer_reads_our_offers() {
        use rtspeek_core::mikey::NullOffer;
        for line in include_str!("../data/srtp/gst-read-offers.txt").lines() {
            let mut parts = line.splitn(3, ' ');
            let (name, b64, caps) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            let suite = suite_named(name);
            let key = key(suite);
            let offer = NullOffer {
                csb_id: 1,
                streams: &[(0xcafe_babe, 0)],
                ntp_time: 0xe000_0000_0000_0000,
                rand: [7; 16],
                suite,
                key: &key,
                srtcp_encryption: true,
                mki: None,
            };
            assert_eq!(offer.message().to_base64(), b64, "{name}: the offer GStreamer read");
            let (cipher, auth) = match suite {
                Suite::AesCm128HmacSha1_80 => ("aes-128-icm", "hmac-sha1-80"),
                Suite::AesCm128HmacSha1_32 => ("aes-128-icm", "hmac-sha1-32"),
                Suite::AeadAes128Gcm => ("aes-128-gcm", "null"),
                _ => ("aes-256-gcm", "null"),
            };
            let hex: String = key.to_concatenated().iter().map(|b| format!("{b:02x}")).collect();
            assert!(caps.contains(&format!("srtp-key=(buffer){hex},")), "{name}: {caps}");
            assert!(caps.contains(&format!("srtp-cipher=(string){cipher},")), "{name}: {caps}");
            assert!(caps.contains(&format!("srtp-auth=(string){auth},")), "{name}: {caps}");
        }
    }
}
