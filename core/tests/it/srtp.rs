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
