//! Access units: the NAL units of one picture, as the depacketizers hand them out.

use serde::{Deserialize, Serialize};

/// Why an access unit was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuEnd {
    /// The RTP marker bit was set on its last packet (RFC 6184 5.1, RFC 7798 4.1): the normal case.
    Marker,
    /// A packet with another timestamp arrived before any marker: the sender does not set the marker bit
    /// (a camera quirk that delays every frame by one packet interval in strict players).
    TimestampChange,
    /// [`flush`](super::Depacketizer::flush) was called at the end of the stream.
    Flush,
}

/// Where one NAL unit lies in an access unit's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NalPos {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// One access unit (a coded picture with its parameter sets and SEI), borrowed from the depacketizer until the
/// next call to it.
///
/// The NAL units are stored as an Annex B byte stream (each preceded by a `00 00 00 01` start code), so that
/// [`annex_b`](Self::annex_b) can go to a decoder (WebCodecs with an `avc3`/`hev1` codec string, ffmpeg)
/// without a copy.
#[derive(Debug, Clone, Copy)]
pub struct AccessUnit<'a> {
    /// RTP timestamp shared by its packets.
    pub timestamp: u32,
    /// Sequence number of its first packet.
    pub first_seq: u16,
    /// Sequence number of its last packet.
    pub last_seq: u16,
    /// Packets that carried it.
    pub packets: u32,
    /// Whether it holds a keyframe: an IDR slice (H.264) or an IRAP slice (H.265).
    pub keyframe: bool,
    /// Whether data of it was lost or discarded (a sequence gap, a broken fragmentation unit, an unsupported
    /// packet): a decoder shows artefacts or drops it.
    pub damaged: bool,
    /// Why it was closed.
    pub end: AuEnd,
    pub(crate) annex_b: &'a [u8],
    pub(crate) nals: &'a [NalPos],
}

impl<'a> AccessUnit<'a> {
    /// The access unit as an Annex B byte stream (4-byte start codes).
    pub fn annex_b(&self) -> &'a [u8] {
        self.annex_b
    }

    /// Number of NAL units.
    pub fn nal_count(&self) -> usize {
        self.nals.len()
    }

    /// The NAL units (header included, emulation prevention present), in order.
    pub fn nal_units(&self) -> impl ExactSizeIterator<Item = &'a [u8]> + 'a {
        let data = self.annex_b;
        // The depacketizer records positions inside the buffer it hands out as `annex_b`.
        self.nals
            .iter()
            .map(move |p| data.get(p.start as usize..(p.start + p.len) as usize).unwrap_or_default())
    }

    /// Size of the NAL units without start codes.
    pub fn payload_len(&self) -> usize {
        self.nals.iter().map(|p| p.len as usize).sum()
    }
}

/// An access unit being built or waiting to be handed out. Its buffers are reused from one access unit to
/// the next, so a steady stream allocates nothing after the first few pictures.
#[derive(Debug, Default)]
pub(crate) struct AuBuf {
    pub(crate) data: Vec<u8>,
    pub(crate) nals: Vec<NalPos>,
    pub(crate) timestamp: u32,
    pub(crate) first_seq: u16,
    pub(crate) last_seq: u16,
    pub(crate) packets: u32,
    pub(crate) keyframe: bool,
    pub(crate) damaged: bool,
    /// Whether it reached the size limit (reported once).
    pub(crate) oversized: bool,
    pub(crate) end: Option<AuEnd>,
}

impl AuBuf {
    /// Empties it, keeping the capacity.
    pub(crate) fn clear(&mut self) {
        self.data.clear();
        self.nals.clear();
        self.packets = 0;
        self.keyframe = false;
        self.damaged = false;
        self.oversized = false;
        self.end = None;
    }

    /// Whether it has received no packet yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.packets == 0
    }

    pub(crate) fn view(&self) -> AccessUnit<'_> {
        AccessUnit {
            timestamp: self.timestamp,
            first_seq: self.first_seq,
            last_seq: self.last_seq,
            packets: self.packets,
            keyframe: self.keyframe,
            damaged: self.damaged,
            end: self.end.unwrap_or(AuEnd::Flush),
            annex_b: &self.data,
            nals: &self.nals,
        }
    }
}
