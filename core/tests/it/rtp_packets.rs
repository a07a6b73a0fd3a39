//! RTP packets through the public API: a full-featured packet (CSRCs, RFC 8285 extension, padding) truncated
//! at every length, and write/parse round trips over the header's whole range.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::rtp::{
    ExtensionElement, ExtensionForm, HeaderExtension, RtpErrorReason, RtpHeader, parse,
    write_extension_elements,
};

/// V=2 P=1 X=1 CC=2, M=1 PT=111, two CSRCs, a one-byte extension (audio level ID 1, 3-byte ID 2), 3 payload
/// bytes and 2 bytes of padding. Written by hand from RFC 3550 5.1 and RFC 8285 4.2.
const FULL: [u8; 37] = [
    0xb2, 0xef, 0x00, 0x2a, // V P X CC | M PT | seq 42
    0x00, 0x01, 0x5f, 0x90, // ts 90000
    0xde, 0xad, 0xbe, 0xef, // SSRC
    0x00, 0x00, 0x00, 0x01, // CSRC 1
    0x00, 0x00, 0x00, 0x02, // CSRC 2
    0xbe, 0xde, 0x00, 0x02, // one-byte extension, 2 words
    0x10, 0x85, 0x22, 0x01, 0x02, 0x03, 0x00, 0x00, // ID 1: 0x85; ID 2: 01 02 03; padding
    0x61, 0x62, 0x63, // payload "abc"
    0x00, 0x02, // padding, count 2
];

#[test]
fn a_full_featured_packet_is_read_field_by_field() {
    let b = FULL;
    let p = parse(&b).unwrap();
    assert!(p.has_padding() && p.has_extension() && p.marker());
    assert_eq!((p.payload_type(), p.sequence(), p.timestamp(), p.ssrc()), (111, 42, 90_000, 0xdead_beef));
    assert_eq!(p.csrcs().collect::<Vec<_>>(), [1, 2]);
    let ext = p.extension().unwrap();
    assert_eq!((ext.profile(), ext.form()), (0xbede, ExtensionForm::OneByte));
    let elements: Vec<_> = ext.elements().map(Result::unwrap).collect();
    assert_eq!(
        elements,
        [ExtensionElement { id: 1, data: &[0x85] }, ExtensionElement { id: 2, data: &[1, 2, 3] }]
    );
    assert_eq!((p.header_len(), p.payload(), p.padding_len()), (32, &b"abc"[..], 2));
}

#[test]
fn every_truncation_is_an_error_or_a_different_valid_packet() {
    let b = FULL;
    let header_len = 32;
    for len in 0..b.len() {
        match parse(&b[..len]) {
            Ok(p) => {
                // Only possible once the header is whole: the padding count is then another byte.
                assert!(len >= header_len, "len {len} parsed");
                assert!(p.payload().len() + p.padding_len() == len - header_len);
            }
            Err(e) => {
                assert!(e.offset <= len, "len {len}: {e}");
                if len < header_len {
                    assert!(matches!(e.reason, RtpErrorReason::Truncated { .. }), "len {len}: {e}");
                }
            }
        }
    }
}

#[test]
fn an_extension_element_overrunning_its_block_is_an_error_with_its_offset() {
    let mut b = FULL;
    b[26] = 0x25; // ID 2 now claims 6 bytes; the block has 4 after it
    let p = parse(&b).unwrap();
    let got: Vec<_> = p.extension().unwrap().elements().collect();
    assert!(got[0].is_ok());
    let err = got[1].unwrap_err();
    assert_eq!((err.offset, err.reason), (26, RtpErrorReason::ElementOverrun { id: 2, len: 6 }));
}

#[test]
fn headers_round_trip_over_their_range() {
    let csrcs: Vec<u32> = (0..15).map(|i| 0x1000 + i).collect();
    let mut ext = Vec::new();
    let two = ExtensionForm::TwoByte { appbits: 3 };
    let profile = write_extension_elements(two, &[ExtensionElement { id: 200, data: &[7; 9] }], &mut ext)
        .unwrap()
        .unwrap();
    let mut out = Vec::new();
    for marker in [false, true] {
        for payload_type in [0u8, 96, 127] {
            for sequence in [0u16, 1, 32_768, 65_535] {
                for csrc_count in [0usize, 1, 15] {
                    for padding in [0u8, 1, 255] {
                        for extension in [None, Some(HeaderExtension::new(profile, &ext))] {
                            let h = RtpHeader {
                                marker,
                                payload_type,
                                sequence,
                                timestamp: u32::from(sequence) * 65_537,
                                ssrc: 0xffff_ffff,
                                csrcs: &csrcs[..csrc_count],
                                extension,
                                padding,
                            };
                            out.clear();
                            h.write(b"media", &mut out).unwrap();
                            let p = parse(&out).unwrap();
                            assert_eq!(
                                (p.marker(), p.payload_type(), p.sequence()),
                                (marker, payload_type, sequence)
                            );
                            assert_eq!((p.timestamp(), p.ssrc()), (h.timestamp, h.ssrc));
                            assert_eq!(p.csrcs().collect::<Vec<_>>(), &csrcs[..csrc_count]);
                            assert_eq!(
                                p.extension().map(|e| (e.profile(), e.data())),
                                extension.map(|e| (e.profile(), e.data()))
                            );
                            assert_eq!((p.payload(), p.padding_len()), (&b"media"[..], usize::from(padding)));
                        }
                    }
                }
            }
        }
    }
}
