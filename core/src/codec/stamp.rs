//! Frame stamps: a frame counter and a capture time carried in-band in every picture of rtspeek's synthetic
//! camera, as an SEI `user_data_unregistered` message (H.264 D.1.7 / D.2.7, H.265 D.2.7 / D.3.7).
//!
//! A client that finds the stamp in each access unit can check order (counters increase by one), loss (a gap
//! in the counters) and latency (its own receive time minus the capture time), without decoding a picture.
//! Decoders ignore unregistered user data they do not know, so the stream stays playable everywhere.
//!
//! The message is identified by [`STAMP_UUID`]. Its payload, after the UUID, is the counter and the capture
//! time as big-endian `u64`s ([`STAMP_PAYLOAD_LEN`] bytes in all). A reader accepts a longer payload, so later
//! versions may append fields.

use super::Codec;
use super::bitreader::remove_emulation_prevention;
use super::{h264, h265};

/// The `uuid_iso_iec_11578` that marks rtspeek's frame stamp: `9247e57a-d05f-4030-b8f1-2eac484b5094`, a
/// random (version 4) UUID generated once for rtspeek. It never changes: readers match on it.
pub const STAMP_UUID: [u8; 16] =
    [0x92, 0x47, 0xE5, 0x7A, 0xD0, 0x5F, 0x40, 0x30, 0xB8, 0xF1, 0x2E, 0xAC, 0x48, 0x4B, 0x50, 0x94];

/// payloadType of `user_data_unregistered` (H.264 table D-1 / H.265 table D.1).
pub const USER_DATA_UNREGISTERED: u32 = 5;

/// Bytes of the stamp's SEI payload: the UUID, the counter and the capture time.
pub const STAMP_PAYLOAD_LEN: usize = 16 + 8 + 8;

/// The counter and capture time of one frame, as the synthetic camera writes them into its SEI message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameStamp {
    /// Frame number since the source started: 0, 1, 2... A gap means a lost frame.
    pub counter: u64,
    /// When the frame was captured (rendered), in microseconds since the Unix epoch (UTC).
    pub capture_unix_micros: u64,
}

impl FrameStamp {
    /// A complete SEI NAL unit holding this stamp, without a start code: the NAL header (H.264 type 6; H.265
    /// prefix SEI, type 39, with its 2-byte header), one `user_data_unregistered` message, emulation-prevention
    /// bytes where needed and the RBSP trailing bits. Insert it before the first slice of the access unit.
    pub fn to_sei_nal(&self, codec: Codec) -> Vec<u8> {
        let mut rbsp = Vec::with_capacity(STAMP_PAYLOAD_LEN + 4);
        push_sei_number(&mut rbsp, USER_DATA_UNREGISTERED as usize);
        push_sei_number(&mut rbsp, STAMP_PAYLOAD_LEN);
        rbsp.extend_from_slice(&STAMP_UUID);
        rbsp.extend_from_slice(&self.counter.to_be_bytes());
        rbsp.extend_from_slice(&self.capture_unix_micros.to_be_bytes());
        // rbsp_trailing_bits: the stop bit and alignment zeros.
        rbsp.push(0x80);

        let mut nal = Vec::with_capacity(rbsp.len() + rbsp.len() / 2 + 2);
        match codec {
            // forbidden_zero_bit 0, nal_ref_idc 0 (SEI is never a reference), nal_unit_type 6.
            Codec::H264 => nal.push(h264::nal_type::SEI),
            // forbidden_zero_bit 0, nal_unit_type 39, nuh_layer_id 0, nuh_temporal_id_plus1 1.
            Codec::H265 => nal.extend_from_slice(&[h265::nal_type::PREFIX_SEI << 1, 0x01]),
        }
        add_emulation_prevention(&rbsp, &mut nal);
        nal
    }

    /// Finds rtspeek's stamp in an SEI NAL unit (`nal` includes its header; emulation-prevention bytes still
    /// present). Every SEI message is walked, so other messages (timing, recovery point...) may come first.
    /// None when the NAL unit is not an SEI of `codec` (H.265: prefix or suffix SEI), holds no stamp, or is
    /// truncated or malformed. Never panics, whatever the input.
    pub fn find_in(nal: &[u8], codec: Codec) -> Option<FrameStamp> {
        let payload = match codec {
            Codec::H264 => {
                let (&header, payload) = nal.split_first()?;
                if header & 0x80 != 0 || header & 0x1F != h264::nal_type::SEI {
                    return None;
                }
                payload
            }
            Codec::H265 => {
                let (&[h0, _], payload) = nal.split_first_chunk::<2>()?;
                let kind = (h0 >> 1) & 0x3F;
                // 40 is the suffix SEI, which may carry user data unregistered as well.
                if h0 & 0x80 != 0 || !(kind == h265::nal_type::PREFIX_SEI || kind == 40) {
                    return None;
                }
                payload
            }
        };
        let rbsp = remove_emulation_prevention(payload);
        let mut rest = &rbsp[..];
        while more_rbsp_data(rest) {
            let (payload_type, after) = read_sei_number(rest)?;
            let (size, after) = read_sei_number(after)?;
            let (message, after) = after.split_at_checked(size)?;
            if payload_type == USER_DATA_UNREGISTERED as usize
                && let Some(stamp) = parse_stamp_payload(message)
            {
                return Some(stamp);
            }
            rest = after;
        }
        None
    }
}

/// Reads the stamp from a `user_data_unregistered` payload, when it carries our UUID.
fn parse_stamp_payload(message: &[u8]) -> Option<FrameStamp> {
    let (uuid, fields) = message.split_first_chunk::<16>()?;
    if *uuid != STAMP_UUID {
        return None;
    }
    let (counter, fields) = fields.split_first_chunk::<8>()?;
    let (time, _later_fields) = fields.split_first_chunk::<8>()?;
    Some(FrameStamp { counter: u64::from_be_bytes(*counter), capture_unix_micros: u64::from_be_bytes(*time) })
}

/// Whether SEI messages remain before the RBSP trailing bits (7.2 `more_rbsp_data()`): false for an empty
/// rest or a rest that is only the stop bit `0x80` followed by zero bytes.
fn more_rbsp_data(rest: &[u8]) -> bool {
    match rest.split_first() {
        None => false,
        Some((&0x80, tail)) => tail.iter().any(|&b| b != 0),
        Some(_) => true,
    }
}

/// Writes an SEI payloadType or payloadSize: one `0xFF` byte per full 255, then the remainder (7.3.2.3.1).
fn push_sei_number(out: &mut Vec<u8>, mut value: usize) {
    while value >= 255 {
        out.push(0xFF);
        value -= 255;
    }
    out.push(value as u8);
}

/// Reads an SEI payloadType or payloadSize; None when the bytes run out first.
fn read_sei_number(data: &[u8]) -> Option<(usize, &[u8])> {
    let mut value = 0usize;
    let mut rest = data;
    while let Some((&b, after)) = rest.split_first() {
        // Bounded by the input length (255 per byte), so no overflow for any slice that fits in memory.
        value = value.saturating_add(usize::from(b));
        rest = after;
        if b != 0xFF {
            return Some((value, rest));
        }
    }
    None
}

/// Appends `rbsp` to `out` with emulation-prevention bytes: after two zero bytes, a byte `0x00..=0x03` is
/// preceded by `0x03` (H.264 7.4.1, H.265 7.4.2).
fn add_emulation_prevention(rbsp: &[u8], out: &mut Vec<u8>) {
    let mut zeros = 0;
    for &b in rbsp {
        if zeros >= 2 && b <= 0x03 {
            out.push(0x03);
            zeros = 0;
        }
        out.push(b);
        zeros = if b == 0 { zeros + 1 } else { 0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Whether the NAL unit payload (after its header) contains a start code or a forbidden `00 00 0x`.
    fn has_forbidden_sequence(payload: &[u8]) -> bool {
        payload.windows(3).any(|w| w[0] == 0 && w[1] == 0 && w[2] <= 2)
    }

    #[test]
    fn round_trip_h264_and_h265() {
        let stamp = FrameStamp { counter: 1234, capture_unix_micros: 1_767_225_600_123_456 };
        let nal = stamp.to_sei_nal(Codec::H264);
        assert_eq!(nal[0], 0x06);
        assert_eq!(&nal[1..3], &[0x05, 32]);
        assert_eq!(&nal[3..19], &STAMP_UUID);
        assert_eq!(*nal.last().unwrap(), 0x80);
        assert_eq!(FrameStamp::find_in(&nal, Codec::H264), Some(stamp));
        assert_eq!(FrameStamp::find_in(&nal, Codec::H265), None);

        let nal = stamp.to_sei_nal(Codec::H265);
        assert_eq!(&nal[..2], &[0x4E, 0x01]);
        assert_eq!(h265::nal_unit_type(&nal), Some(h265::nal_type::PREFIX_SEI));
        assert_eq!(FrameStamp::find_in(&nal, Codec::H265), Some(stamp));
        assert_eq!(FrameStamp::find_in(&nal, Codec::H264), None);
    }

    #[test]
    fn emulation_prevention_is_inserted_and_removed() {
        for stamp in [
            FrameStamp { counter: 0, capture_unix_micros: 0 },
            FrameStamp { counter: 0x0000_0100_0001_0000, capture_unix_micros: 0x0000_0003_0000_0200 },
            FrameStamp { counter: 1, capture_unix_micros: u64::MAX },
            FrameStamp { counter: u64::MAX, capture_unix_micros: 0x0100_0000_0000_0001 },
        ] {
            for codec in [Codec::H264, Codec::H265] {
                let nal = stamp.to_sei_nal(codec);
                let header_len = if codec == Codec::H264 { 1 } else { 2 };
                assert!(!has_forbidden_sequence(&nal[header_len..]), "{stamp:?} {codec:?}: {nal:02x?}");
                // Every inserted byte comes out again: type, size, payload, trailing bits.
                assert_eq!(remove_emulation_prevention(&nal[header_len..]).len(), 2 + STAMP_PAYLOAD_LEN + 1);
                assert_eq!(FrameStamp::find_in(&nal, codec), Some(stamp), "{nal:02x?}");
            }
        }
        // The all-zero counter needs prevention bytes: the NAL unit grows.
        let zero = FrameStamp { counter: 0, capture_unix_micros: 0 }.to_sei_nal(Codec::H264);
        assert!(zero.len() > 1 + 2 + STAMP_PAYLOAD_LEN + 1);
    }

    #[test]
    fn other_messages_before_ours_are_skipped() {
        let stamp = FrameStamp { counter: 0x00_00_01_00_00_01_00_00, capture_unix_micros: 42 };
        let ours = stamp.to_sei_nal(Codec::H264);
        let ours_rbsp = remove_emulation_prevention(&ours[1..]);
        let mut rbsp = Vec::new();
        // recovery_point (type 6, 2 bytes of payload in practice).
        rbsp.extend_from_slice(&[0x06, 0x02, 0x84, 0x80]);
        // user_data_unregistered with another UUID.
        rbsp.extend_from_slice(&[0x05, 20]);
        rbsp.extend_from_slice(&[0xAA; 16]);
        rbsp.extend_from_slice(&[0, 0, 0, 1]);
        // A message with a payloadType above 255 and a size above 255 (0xFF continuation bytes).
        rbsp.extend_from_slice(&[0xFF, 0x10, 0xFF, 0x01]);
        rbsp.extend_from_slice(&[0x11; 256]);
        // Ours, without its trailing bits, then the trailing bits.
        rbsp.extend_from_slice(&ours_rbsp);
        let mut nal = vec![0x06];
        add_emulation_prevention(&rbsp, &mut nal);
        assert_eq!(FrameStamp::find_in(&nal, Codec::H264), Some(stamp));

        // Without ours: None.
        let end = rbsp.len() - ours_rbsp.len();
        let mut without = rbsp[..end].to_vec();
        without.push(0x80);
        let mut nal = vec![0x06];
        add_emulation_prevention(&without, &mut nal);
        assert_eq!(FrameStamp::find_in(&nal, Codec::H264), None);
    }

    #[test]
    fn longer_payload_from_a_later_version_is_accepted() {
        let mut rbsp = vec![0x05, 40];
        rbsp.extend_from_slice(&STAMP_UUID);
        rbsp.extend_from_slice(&7u64.to_be_bytes());
        rbsp.extend_from_slice(&9u64.to_be_bytes());
        rbsp.extend_from_slice(&[0xEE; 8]);
        rbsp.push(0x80);
        let mut nal = vec![0x06];
        add_emulation_prevention(&rbsp, &mut nal);
        assert_eq!(
            FrameStamp::find_in(&nal, Codec::H264),
            Some(FrameStamp { counter: 7, capture_unix_micros: 9 })
        );
    }

    #[test]
    fn not_an_sei_is_none() {
        let nal = FrameStamp { counter: 1, capture_unix_micros: 2 }.to_sei_nal(Codec::H264);
        let mut slice = nal.clone();
        slice[0] = 0x65;
        assert_eq!(FrameStamp::find_in(&slice, Codec::H264), None);
        let mut forbidden = nal;
        forbidden[0] |= 0x80;
        assert_eq!(FrameStamp::find_in(&forbidden, Codec::H264), None);
        assert_eq!(FrameStamp::find_in(&[], Codec::H264), None);
        assert_eq!(FrameStamp::find_in(&[], Codec::H265), None);
        assert_eq!(FrameStamp::find_in(&[0x4E], Codec::H265), None);
    }

    #[test]
    fn truncated_input_is_none_and_never_panics() {
        for codec in [Codec::H264, Codec::H265] {
            let nal = FrameStamp { counter: 0x0000_0001_0000_0000, capture_unix_micros: 3 }.to_sei_nal(codec);
            // Every cut shorter than the message itself (the trailing 0x80 is not needed to read it).
            let header_len = if codec == Codec::H264 { 1 } else { 2 };
            let full = FrameStamp::find_in(&nal, codec);
            assert!(full.is_some());
            for cut in 0..nal.len() - 1 {
                let found = FrameStamp::find_in(&nal[..cut], codec);
                assert_eq!(found, None, "{codec:?} cut at {cut} of {}", nal.len());
            }
            // Garbage in every byte position never panics.
            for i in header_len..nal.len() {
                for b in [0x00, 0x03, 0x80, 0xFF] {
                    let mut bad = nal.clone();
                    bad[i] = b;
                    let _ = FrameStamp::find_in(&bad, codec);
                }
            }
        }
        // Only 0xFF bytes: the payload type never ends.
        assert_eq!(FrameStamp::find_in(&[0x06, 0xFF, 0xFF, 0xFF], Codec::H264), None);
        // A size that overruns the NAL unit.
        assert_eq!(FrameStamp::find_in(&[0x06, 0x05, 0xFF, 0x20, 0x80], Codec::H264), None);
    }

    #[test]
    fn sei_numbers_round_trip() {
        for value in [0, 1, 5, 254, 255, 256, 510, 1000] {
            let mut out = Vec::new();
            push_sei_number(&mut out, value);
            out.push(0x42);
            assert_eq!(read_sei_number(&out), Some((value, &[0x42][..])));
        }
    }
}
