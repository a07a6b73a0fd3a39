//! Media frames: the binary WebSocket messages that carry one access unit each to the page's WebCodecs
//! decoder (docs/bridge-protocol.md, "Media frames"). [`encode`] writes them; [`decode`] reads them back, for
//! tests and for anyone writing a client.

use rtspeek_core::codec::Codec;
use rtspeek_core::probe::MediaFrame;

/// Format version written in byte 0.
pub const FORMAT_VERSION: u8 = 1;
/// Flag bit 0: the access unit is a keyframe.
pub const FLAG_KEYFRAME: u8 = 0b01;
/// Flag bit 1: packets of the access unit were lost.
pub const FLAG_DAMAGED: u8 = 0b10;
/// Codec byte of H.264.
pub const CODEC_H264: u8 = 1;
/// Codec byte of H.265.
pub const CODEC_H265: u8 = 2;
/// The header before the codec string.
pub const FIXED_HEADER_LEN: usize = 17;
/// The RTP clock rate of video (RFC 6184, RFC 7798).
const VIDEO_CLOCK_HZ: u128 = 90_000;

/// A decoded media frame header and its access unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedFrame<'a> {
    /// Format version (1).
    pub version: u8,
    /// Keyframe.
    pub keyframe: bool,
    /// Packets of it were lost.
    pub damaged: bool,
    /// Track index in `facts.tracks`.
    pub track: u8,
    /// [`CODEC_H264`] or [`CODEC_H265`].
    pub codec: u8,
    /// The probe's id.
    pub probe_id: u32,
    /// Presentation time in microseconds.
    pub timestamp_us: u64,
    /// The WebCodecs codec string (empty until known).
    pub codec_string: &'a str,
    /// The access unit, Annex B.
    pub data: &'a [u8],
}

/// Why bytes are not a media frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer bytes than the header says.
    #[error("media frame truncated: {len} bytes, the header needs {needed}")]
    Truncated {
        /// Bytes given.
        len: usize,
        /// Bytes the header needs.
        needed: usize,
    },
    /// Another format version.
    #[error("media frame format version {0}, expected {FORMAT_VERSION}")]
    Version(u8),
    /// The codec string is not ASCII.
    #[error("media frame codec string is not ASCII")]
    CodecString,
}

/// The RTP timestamp (90 kHz) in microseconds.
pub fn timestamp_us(rtp_timestamp: u64) -> u64 {
    let us = u128::from(rtp_timestamp) * 1_000_000 / VIDEO_CLOCK_HZ;
    u64::try_from(us).unwrap_or(u64::MAX)
}

/// The binary message for `frame` of probe `probe_id`. `None` when the frame cannot be described in the
/// format (a track index above 255).
pub fn encode(probe_id: u32, frame: &MediaFrame) -> Option<Vec<u8>> {
    let track = u8::try_from(frame.track).ok()?;
    let codec = match frame.codec {
        Codec::H264 => CODEC_H264,
        Codec::H265 => CODEC_H265,
    };
    // Codec strings are short ASCII (`avc1.42c01e`); anything else is sent as "not known yet".
    let codec_string = frame
        .codec_string
        .as_deref()
        .filter(|s| s.len() <= usize::from(u8::MAX) && s.is_ascii())
        .unwrap_or("");
    let flags = if frame.keyframe { FLAG_KEYFRAME } else { 0 } | if frame.damaged { FLAG_DAMAGED } else { 0 };
    let mut out = Vec::with_capacity(FIXED_HEADER_LEN + codec_string.len() + frame.data.len());
    out.extend_from_slice(&[FORMAT_VERSION, flags, track, codec]);
    out.extend_from_slice(&probe_id.to_be_bytes());
    out.extend_from_slice(&timestamp_us(frame.timestamp).to_be_bytes());
    out.push(codec_string.len() as u8);
    out.extend_from_slice(codec_string.as_bytes());
    out.extend_from_slice(&frame.data);
    Some(out)
}

/// Reads a media frame.
pub fn decode(bytes: &[u8]) -> Result<DecodedFrame<'_>, FrameError> {
    if bytes.len() < FIXED_HEADER_LEN {
        return Err(FrameError::Truncated { len: bytes.len(), needed: FIXED_HEADER_LEN });
    }
    if bytes[0] != FORMAT_VERSION {
        return Err(FrameError::Version(bytes[0]));
    }
    let codec_len = usize::from(bytes[16]);
    let needed = FIXED_HEADER_LEN + codec_len;
    if bytes.len() < needed {
        return Err(FrameError::Truncated { len: bytes.len(), needed });
    }
    let codec_string = std::str::from_utf8(&bytes[FIXED_HEADER_LEN..needed])
        .ok()
        .filter(|s| s.is_ascii())
        .ok_or(FrameError::CodecString)?;
    let be4 = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Ok(DecodedFrame {
        version: bytes[0],
        keyframe: bytes[1] & FLAG_KEYFRAME != 0,
        damaged: bytes[1] & FLAG_DAMAGED != 0,
        track: bytes[2],
        codec: bytes[3],
        probe_id: be4(4),
        timestamp_us: (u64::from(be4(8)) << 32) | u64::from(be4(12)),
        codec_string,
        data: &bytes[needed..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> MediaFrame {
        MediaFrame {
            track: 0,
            codec: Codec::H264,
            codec_string: Some("avc1.42c01e".into()),
            timestamp: 90_000 * 3 + 3_000,
            keyframe: true,
            damaged: false,
            data: vec![0, 0, 0, 1, 0x65, 0x88],
        }
    }

    #[test]
    fn header_bytes_are_the_documented_ones() {
        let bytes = encode(0x0102_0304, &frame()).expect("encodable");
        let mut expected = vec![1, 0b01, 0, 1, 1, 2, 3, 4];
        expected.extend_from_slice(&3_033_333u64.to_be_bytes());
        expected.push(11);
        expected.extend_from_slice(b"avc1.42c01e");
        expected.extend_from_slice(&[0, 0, 0, 1, 0x65, 0x88]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn decode_reads_what_encode_wrote() {
        let mut f = frame();
        f.keyframe = false;
        f.damaged = true;
        f.codec = Codec::H265;
        f.track = 2;
        f.codec_string = None;
        let bytes = encode(7, &f).expect("encodable");
        let d = decode(&bytes).expect("decodes");
        assert_eq!(
            (d.version, d.keyframe, d.damaged, d.track, d.codec, d.probe_id, d.codec_string),
            (1, false, true, 2, CODEC_H265, 7, "")
        );
        assert_eq!(d.timestamp_us, 3_033_333);
        assert_eq!(d.data, &f.data[..]);
    }

    #[test]
    fn bad_frames_are_refused() {
        let bytes = encode(1, &frame()).expect("encodable");
        assert_eq!(decode(&bytes[..10]), Err(FrameError::Truncated { len: 10, needed: 17 }));
        assert_eq!(decode(&bytes[..20]), Err(FrameError::Truncated { len: 20, needed: 28 }));
        let mut other = bytes.clone();
        other[0] = 2;
        assert_eq!(decode(&other), Err(FrameError::Version(2)));
        let mut f = frame();
        f.track = 256;
        assert_eq!(encode(1, &f), None);
    }

    #[test]
    fn timestamps_scale_from_90_khz_without_overflow() {
        assert_eq!(timestamp_us(0), 0);
        assert_eq!(timestamp_us(90_000), 1_000_000);
        assert_eq!(timestamp_us(3_000), 33_333);
        assert_eq!(timestamp_us(u64::MAX), u64::MAX);
    }
}
