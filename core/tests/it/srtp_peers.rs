//! SRTP and MIKEY against real implementations: packets from GStreamer's `srtpenc` (libsrtp) and FFmpeg, and
//! MIKEY messages made and read by GStreamer's own gstmikey (core/tests/data/srtp/README.md).

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
    MasterKey::from_concatenated(suite, &(0..(suite.key_len() + suite.salt_len()) as u8).collect::<Vec<_>>())
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
        assert_eq!((sr[1], &sr[4..8]), (200, &0x1234_5678u32.to_be_bytes()[..]), "{suite}: a sender report");
        // FFmpeg sends its first report before any packet: counts 0, NTP time of the capture (2026), and the
        // RTP timestamp of the first packet, which travels in clear in the packets' headers.
        let ntp_seconds = u32::from_be_bytes(sr[8..12].try_into().unwrap());
        assert!((3_900_000_000..4_200_000_000).contains(&ntp_seconds), "{suite}: NTP {ntp_seconds}");
        assert_eq!(&sr[16..20], &rtp[0][4..8], "{suite}: the first packet's RTP timestamp");
        assert_eq!((&sr[20..24], &sr[24..28]), (&[0u8; 4][..], &[0u8; 4][..]), "{suite}: nothing sent yet");
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
