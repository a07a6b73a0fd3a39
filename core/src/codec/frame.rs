//! Frames: owned coded pictures as media sources produce them (an encoder, a file, a relayed camera) before
//! they are packetized for RTP.

use super::Codec;

/// The RTP clock of H.264 and H.265 video (RFC 6184 8.2.1, RFC 7798 7.1).
pub const VIDEO_CLOCK_RATE: u32 = 90_000;

/// One coded picture (an access unit) in decoding order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Its NAL units without start codes or length prefixes, in decoding order; a keyframe carries its
    /// parameter sets (VPS/SPS/PPS) in front so that a client joining on it can decode.
    pub nals: Vec<Vec<u8>>,
    /// Presentation time in 90 kHz ticks since the source started; it keeps growing across file loops.
    pub pts: u64,
    /// An IDR / IRAP picture: a client can start decoding here.
    pub keyframe: bool,
}

impl Frame {
    /// Bytes of NAL unit payload (no framing).
    pub fn payload_len(&self) -> usize {
        self.nals.iter().map(Vec::len).sum()
    }
}

/// What a source produces, known before its first frame is sent: enough to write the SDP.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    /// H.264 or H.265.
    pub codec: Codec,
    /// The parameter sets for `sprop-parameter-sets` (H.264: SPS, PPS) or `sprop-vps/sps/pps` (H.265: VPS, SPS,
    /// PPS), each without a start code.
    pub parameter_sets: Vec<Vec<u8>>,
    /// Nominal frames per second, for `a=framerate` and pacing (a file without timing uses the configured rate).
    pub frame_rate: f64,
}
