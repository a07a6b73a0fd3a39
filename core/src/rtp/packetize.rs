//! RTP packetization of H.264 (RFC 6184) and H.265 (RFC 7798) frames: the sending side of
//! [`Depacketizer`](crate::codec::Depacketizer).
//!
//! A [`Packetizer`] turns each [`Frame`] into whole RTP packets (12-byte header and payload) in
//! non-interleaved mode (H.264 `packetization-mode=1`; H.265 without DONL):
//!
//! - a NAL unit that fits the payload budget goes in a single NAL unit packet;
//! - a larger one is cut into fragmentation units (FU-A, RFC 6184 5.8; FU, RFC 7798 4.4.3) of nearly equal
//!   sizes, so the last fragment is not a runt;
//! - consecutive NAL units that fit one packet together (parameter sets and SEI in front of a keyframe,
//!   small slices) share an aggregation packet (STAP-A, RFC 6184 5.7.1; AP, RFC 7798 4.4.2), unless
//!   [`with_aggregation(false)`](Packetizer::with_aggregation) turns that off;
//! - the marker bit is set on the last packet of the frame, and nowhere else.
//!
//! The RTP timestamp is an input (core reads no clock): for a frame with presentation time `pts` in 90 kHz
//! ticks it is typically `random_offset.wrapping_add(pts as u32)`.
//!
//! A frame is checked completely before the first byte is written: a bad NAL unit gives a
//! [`PacketizeError`] naming it, and leaves the output and the sequence number untouched.
//!
//! Output: [`packetize`](Packetizer::packetize) appends the frame's packets back to back to a [`PacketBuf`],
//! one buffer for the whole frame, that a server can wrap in an `Arc` and hand to every client (each sends
//! the same bytes, so each packet is built once, with one allocation per frame rather than per packet and
//! client); reused with [`PacketBuf::clear`], it allocates nothing after the first frames.
//!
//! ```
//! use rtspeek_core::codec::{Codec, Depacketizer, Frame};
//! use rtspeek_core::rtp::{PacketBuf, Packetizer, parse};
//!
//! let mut packetizer = Packetizer::new(Codec::H264, 96, 0x1234_5678, 1000, 1400).unwrap();
//! let frame = Frame {
//!     nals: vec![vec![0x67, 0x42, 0x00, 0x1f], vec![0x68, 0xce, 0x3c, 0x80], vec![0x65; 4000]],
//!     pts: 0,
//!     keyframe: true,
//! };
//! let mut packets = PacketBuf::new();
//! // SPS and PPS in one STAP-A, then the IDR slice in three FU-A fragments.
//! assert_eq!(packetizer.packetize(&frame, 90_000, &mut packets), Ok(4));
//! assert_eq!(packetizer.next_seq(), 1004);
//!
//! let mut depacketizer = Depacketizer::new(Codec::H264);
//! for bytes in &packets {
//!     let p = parse(bytes).unwrap();
//!     depacketizer.push(p.sequence(), p.timestamp(), p.marker(), p.payload());
//! }
//! let au = depacketizer.pop().expect("closed by the marker");
//! assert!(au.keyframe);
//! assert!(au.nal_units().eq(frame.nals.iter().map(Vec::as_slice)));
//! ```

use super::writer::RtpHeader;
use crate::codec::{Codec, Frame, h264, h265};

/// The smallest payload budget accepted: below it, fragmentation headers become a large share of every
/// packet and small parameter sets would need fragmenting.
pub const MIN_PAYLOAD_LIMIT: usize = 64;
/// The largest payload budget accepted: with the 12-byte header a packet still fits the 16-bit length of
/// RTSP interleaved framing (RFC 2326 10.12) and of RFC 4571.
pub const MAX_PAYLOAD_LIMIT: usize = 65_000;
/// A payload budget for UDP on a 1500-byte Ethernet MTU, leaving room for IP, UDP, RTP and SRTP or tunnel
/// overhead.
pub const DEFAULT_MAX_PAYLOAD: usize = 1400;

/// What is wrong with one NAL unit of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NalProblem {
    /// No bytes at all.
    #[error("empty NAL unit")]
    Empty,
    /// Shorter than the NAL unit header (H.265: 2 bytes).
    #[error("shorter than the {0}-byte NAL unit header")]
    TooShort(usize),
    /// The forbidden_zero_bit (the first bit) is set: the NAL unit is damaged or not a NAL unit.
    #[error("forbidden_zero_bit is set")]
    ForbiddenBit,
    /// A NAL unit type the payload format uses for its own structures, or leaves unspecified (H.264: 0 and
    /// 24..=31; H.265: 48..=63): a receiver would misread it.
    #[error("NAL unit type {0} is unspecified in the codec and reserved by the RTP payload format")]
    ReservedType(u8),
    /// H.265 nuh_temporal_id_plus1 is 0, which H.265 7.4.2.2 forbids.
    #[error("nuh_temporal_id_plus1 is 0")]
    ZeroTemporalId,
}

/// Why a packetizer could not be made or a frame could not be packetized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacketizeError {
    /// The payload budget is outside [`MIN_PAYLOAD_LIMIT`]..=[`MAX_PAYLOAD_LIMIT`].
    #[error("maximum payload size {0} is outside 64..=65000 bytes")]
    MaxPayload(usize),
    /// The payload type does not fit in 7 bits.
    #[error("payload type {0} is over 127")]
    PayloadType(u8),
    /// The frame has no NAL unit: there is nothing to carry the marker bit.
    #[error("frame has no NAL units")]
    EmptyFrame,
    /// A NAL unit of the frame cannot be sent.
    #[error("NAL unit {index} of the frame ({len} bytes): {problem}")]
    Nal {
        /// Its index in [`Frame::nals`].
        index: usize,
        /// Its length in bytes.
        len: usize,
        /// What is wrong with it.
        problem: NalProblem,
    },
}

/// Whole RTP packets stored back to back in one buffer: the output of [`Packetizer::packetize`].
///
/// Iterating (`for packet in &buf`) gives each packet as a byte slice. Reuse one with
/// [`clear`](Self::clear) to packetize without allocating, or move it into an `Arc` to share it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PacketBuf {
    data: Vec<u8>,
    /// End offset of each packet in `data`.
    ends: Vec<usize>,
}

impl PacketBuf {
    /// An empty buffer.
    pub fn new() -> Self {
        PacketBuf::default()
    }

    /// An empty buffer with room for `bytes` bytes in `packets` packets.
    pub fn with_capacity(bytes: usize, packets: usize) -> Self {
        PacketBuf { data: Vec::with_capacity(bytes), ends: Vec::with_capacity(packets) }
    }

    /// Number of packets.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it holds no packet.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Packet `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        self.data.get(start..end)
    }

    /// The packets in order.
    pub fn iter(&self) -> Packets<'_> {
        Packets { data: &self.data, ends: self.ends.iter(), start: 0 }
    }

    /// All packets back to back (their total size is `as_bytes().len()`).
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// Removes every packet, keeping the capacity.
    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }
}

impl<'a> IntoIterator for &'a PacketBuf {
    type Item = &'a [u8];
    type IntoIter = Packets<'a>;

    fn into_iter(self) -> Packets<'a> {
        self.iter()
    }
}

/// Iterator over the packets of a [`PacketBuf`].
#[derive(Debug, Clone)]
pub struct Packets<'a> {
    data: &'a [u8],
    ends: std::slice::Iter<'a, usize>,
    start: usize,
}

impl<'a> Iterator for Packets<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let end = *self.ends.next()?;
        // The ends only grow and never pass the data's end.
        let packet = self.data.get(self.start..end)?;
        self.start = end;
        Some(packet)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ends.size_hint()
    }
}

impl ExactSizeIterator for Packets<'_> {}

/// RTP packetizer for one H.264 or H.265 stream (one SSRC). See the module documentation.
#[derive(Debug, Clone)]
pub struct Packetizer {
    codec: Codec,
    payload_type: u8,
    ssrc: u32,
    next_seq: u16,
    max_payload: usize,
    aggregate: bool,
    packets: u64,
    octets: u64,
    last_timestamp: Option<u32>,
}

impl Packetizer {
    /// A packetizer for `codec` sending with `payload_type` (0..=127) and `ssrc`, whose first packet gets
    /// sequence number `first_seq` (RFC 3550 5.1 wants it random), and whose packets carry at most
    /// `max_payload` bytes of payload after the 12-byte header
    /// ([`MIN_PAYLOAD_LIMIT`]..=[`MAX_PAYLOAD_LIMIT`]; [`DEFAULT_MAX_PAYLOAD`] suits UDP). Aggregation
    /// packets are used; see [`with_aggregation`](Self::with_aggregation).
    pub fn new(
        codec: Codec,
        payload_type: u8,
        ssrc: u32,
        first_seq: u16,
        max_payload: usize,
    ) -> Result<Self, PacketizeError> {
        if !(MIN_PAYLOAD_LIMIT..=MAX_PAYLOAD_LIMIT).contains(&max_payload) {
            return Err(PacketizeError::MaxPayload(max_payload));
        }
        if payload_type > 127 {
            return Err(PacketizeError::PayloadType(payload_type));
        }
        Ok(Packetizer {
            codec,
            payload_type,
            ssrc,
            next_seq: first_seq,
            max_payload,
            aggregate: true,
            packets: 0,
            octets: 0,
            last_timestamp: None,
        })
    }

    /// Whether consecutive small NAL units share an aggregation packet (STAP-A / AP; the default). Turn it
    /// off for a receiver that only handles single NAL unit and fragmentation packets; with it on, an H.264
    /// SDP must say `packetization-mode=1`, which fragmentation needs anyway.
    #[must_use]
    pub fn with_aggregation(mut self, aggregate: bool) -> Self {
        self.aggregate = aggregate;
        self
    }

    /// The codec.
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// The payload type.
    pub fn payload_type(&self) -> u8 {
        self.payload_type
    }

    /// The synchronization source.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The sequence number the next packet will get (for the RTP-Info `seq` of a PLAY response).
    pub fn next_seq(&self) -> u16 {
        self.next_seq
    }

    /// The payload budget per packet.
    pub fn max_payload(&self) -> usize {
        self.max_payload
    }

    /// Packets sent so far; an RTCP sender report carries the low 32 bits (RFC 3550 6.4.1).
    pub fn packets_sent(&self) -> u64 {
        self.packets
    }

    /// Payload octets sent so far (headers excluded, as RFC 3550 6.4.1 counts them); an RTCP sender report
    /// carries the low 32 bits.
    pub fn octets_sent(&self) -> u64 {
        self.octets
    }

    /// The RTP timestamp of the last frame packetized, if any (for a sender report's RTP timestamp).
    pub fn last_timestamp(&self) -> Option<u32> {
        self.last_timestamp
    }

    /// Appends the RTP packets of `frame`, all with `rtp_timestamp`, to `out`, and returns how many. The
    /// marker bit is set on the last one. On error nothing is appended and the sequence number is unchanged.
    pub fn packetize(
        &mut self,
        frame: &Frame,
        rtp_timestamp: u32,
        out: &mut PacketBuf,
    ) -> Result<usize, PacketizeError> {
        self.check(&frame.nals)?;
        Ok(self.emit(out, &frame.nals, rtp_timestamp))
    }

    /// Checks every NAL unit before anything is written.
    fn check(&self, nals: &[Vec<u8>]) -> Result<(), PacketizeError> {
        if nals.is_empty() {
            return Err(PacketizeError::EmptyFrame);
        }
        for (index, nal) in nals.iter().enumerate() {
            if let Some(problem) = nal_problem(self.codec, nal) {
                return Err(PacketizeError::Nal { index, len: nal.len(), problem });
            }
        }
        Ok(())
    }

    fn emit(&mut self, sink: &mut PacketBuf, nals: &[Vec<u8>], ts: u32) -> usize {
        self.last_timestamp = Some(ts);
        let mut count = 0;
        let mut rest = nals;
        while let Some((nal, _)) = rest.split_first() {
            let run = if self.aggregate { self.aggregation_run(rest) } else { 1 };
            // `aggregation_run` counts NAL units of `rest`, so the split is within it.
            let (group, after) = rest.split_at_checked(run.max(1)).unwrap_or((rest, &[]));
            let last = after.is_empty();
            if run >= 2 {
                self.write_aggregate(sink, group, ts, last);
                count += 1;
            } else if nal.len() <= self.max_payload {
                self.packet(sink, last, ts, |out| out.extend_from_slice(nal));
                count += 1;
            } else {
                count += self.write_fragments(sink, nal, ts, last);
            }
            rest = after;
        }
        count
    }

    /// How many of the NAL units at the start of `nals` fit one aggregation packet together.
    fn aggregation_run(&self, nals: &[Vec<u8>]) -> usize {
        let mut size = header_len(self.codec);
        let mut run = 0;
        for nal in nals {
            // Each aggregation unit is a 16-bit size and the NAL unit.
            size += 2 + nal.len();
            if size > self.max_payload {
                break;
            }
            run += 1;
        }
        run
    }

    /// Writes one packet: the header, then the payload `fill` appends.
    fn packet(&mut self, sink: &mut PacketBuf, marker: bool, ts: u32, fill: impl FnOnce(&mut Vec<u8>)) {
        let header = RtpHeader {
            marker,
            payload_type: self.payload_type,
            sequence: self.next_seq,
            timestamp: ts,
            ssrc: self.ssrc,
            ..RtpHeader::default()
        };
        let out = &mut sink.data;
        // Only the payload type (checked in `new`), CSRCs and extensions (none here) can make it fail.
        let written = header.write(&[], out);
        debug_assert!(written.is_ok(), "{written:?}");
        let start = out.len();
        fill(out);
        let payload = out.len() - start;
        sink.ends.push(sink.data.len());
        self.next_seq = self.next_seq.wrapping_add(1);
        self.packets += 1;
        self.octets += payload as u64;
    }

    /// STAP-A (RFC 6184 5.7.1) or AP (RFC 7798 4.4.2) holding `nals` (all fit, checked by the caller).
    fn write_aggregate(&mut self, sink: &mut PacketBuf, nals: &[Vec<u8>], ts: u32, marker: bool) {
        let header = match self.codec {
            // F is 0 in every NAL unit (checked); NRI is the highest of them.
            Codec::H264 => {
                let nri = nals.iter().filter_map(|n| n.first()).map(|b| b & 0x60).max().unwrap_or(0);
                PayloadHeader::H264(nri | h264::nal_type::STAP_A)
            }
            // LayerId and TID are the lowest of them (every NAL unit has its 2-byte header, checked).
            Codec::H265 => {
                let layer = nals.iter().filter_map(|n| h265_layer_id(n)).min().unwrap_or(0);
                let tid = nals.iter().filter_map(|n| n.get(1)).map(|b| b & 0x07).min().unwrap_or(1);
                PayloadHeader::H265([h265::nal_type::AP << 1 | (layer >> 5), (layer & 0x1F) << 3 | tid])
            }
        };
        self.packet(sink, marker, ts, |out| {
            out.extend_from_slice(header.as_slice());
            for nal in nals {
                // Fits: the whole packet is at most MAX_PAYLOAD_LIMIT bytes.
                out.extend_from_slice(&(nal.len() as u16).to_be_bytes());
                out.extend_from_slice(nal);
            }
        });
    }

    /// FU-A (RFC 6184 5.8) or FU (RFC 7798 4.4.3) fragments of `nal`, which is larger than the budget (so
    /// there are at least two). Returns the number of packets.
    fn write_fragments(&mut self, sink: &mut PacketBuf, nal: &[u8], ts: u32, last_nal: bool) -> usize {
        let (prefix, nal_type_bits, body) = match (self.codec, nal) {
            // FU indicator: F and NRI of the NAL unit, type 28; the FU header carries the type.
            (Codec::H264, [b0, body @ ..]) => {
                (PayloadHeader::H264((b0 & 0xE0) | h264::nal_type::FU_A), b0 & 0x1F, body)
            }
            // Payload header: the NAL header with type 49; the FU header carries the type.
            (Codec::H265, [b0, b1, body @ ..]) => {
                (PayloadHeader::H265([(b0 & 0x81) | h265::nal_type::FU << 1, *b1]), (b0 >> 1) & 0x3F, body)
            }
            // `check` refused NAL units shorter than their header.
            _ => return 0,
        };
        let room = self.max_payload - prefix.as_slice().len() - 1;
        let count = body.len().div_ceil(room);
        // Equal sizes, the first `longer` fragments one byte longer: none exceeds `room`.
        let (size, longer) = (body.len() / count, body.len() % count);
        let mut rest = body;
        for k in 0..count {
            let len = size + usize::from(k < longer);
            // The lengths add up to `body.len()`.
            let (fragment, after) = rest.split_at_checked(len).unwrap_or((rest, &[]));
            rest = after;
            let start = if k == 0 { 0x80 } else { 0 };
            let end = if k + 1 == count { 0x40 } else { 0 };
            let marker = last_nal && k + 1 == count;
            self.packet(sink, marker, ts, |out| {
                out.extend_from_slice(prefix.as_slice());
                out.push(start | end | nal_type_bits);
                out.extend_from_slice(fragment);
            });
        }
        count
    }
}

/// A payload header of 1 (H.264) or 2 (H.265) bytes, kept on the stack.
#[derive(Debug, Clone, Copy)]
enum PayloadHeader {
    H264(u8),
    H265([u8; 2]),
}

impl PayloadHeader {
    fn as_slice(&self) -> &[u8] {
        match self {
            PayloadHeader::H264(byte) => std::slice::from_ref(byte),
            PayloadHeader::H265(bytes) => bytes,
        }
    }
}

/// The NAL unit header length of `codec`.
fn header_len(codec: Codec) -> usize {
    match codec {
        Codec::H264 => 1,
        Codec::H265 => 2,
    }
}

/// nuh_layer_id of an H.265 NAL unit, `None` without a complete header.
fn h265_layer_id(nal: &[u8]) -> Option<u8> {
    let [b0, b1, ..] = nal else { return None };
    Some((b0 & 1) << 5 | b1 >> 3)
}

/// Why `nal` cannot be sent, if it cannot (also used by the container readers, so that every frame they
/// return can be packetized).
pub(crate) fn nal_problem(codec: Codec, nal: &[u8]) -> Option<NalProblem> {
    let Some(&first) = nal.first() else { return Some(NalProblem::Empty) };
    if nal.len() < header_len(codec) {
        return Some(NalProblem::TooShort(header_len(codec)));
    }
    if first & 0x80 != 0 {
        return Some(NalProblem::ForbiddenBit);
    }
    match codec {
        Codec::H264 => {
            let kind = first & 0x1F;
            (kind == 0 || kind >= h264::nal_type::STAP_A).then_some(NalProblem::ReservedType(kind))
        }
        Codec::H265 => {
            let kind = (first >> 1) & 0x3F;
            if kind >= h265::nal_type::AP {
                Some(NalProblem::ReservedType(kind))
            } else if nal.get(1).is_some_and(|b| b & 0x07 == 0) {
                Some(NalProblem::ZeroTemporalId)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Depacketizer;
    use crate::rtp::parse;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A NAL unit with header `header` and `len` bytes in all, filled with a pattern.
    fn nal(header: &[u8], len: usize) -> Vec<u8> {
        let mut v = header.to_vec();
        v.extend((header.len()..len).map(|i| (i * 31 + 7) as u8));
        v
    }

    fn frame(nals: Vec<Vec<u8>>) -> Frame {
        Frame { nals, pts: 0, keyframe: false }
    }

    /// Depacketizes `packets` and returns each access unit's NAL units and whether it was damaged.
    fn round_trip(codec: Codec, packets: &PacketBuf) -> Vec<(Vec<Vec<u8>>, bool)> {
        let mut d = Depacketizer::new(codec);
        let mut aus = Vec::new();
        for bytes in packets {
            let p = parse(bytes).unwrap();
            d.push(p.sequence(), p.timestamp(), p.marker(), p.payload());
            while let Some(au) = d.pop() {
                aus.push((au.nal_units().map(<[u8]>::to_vec).collect(), au.damaged));
            }
        }
        assert!(d.issues().is_empty(), "{:?}", d.issues());
        aus
    }

    fn markers(packets: &PacketBuf) -> Vec<bool> {
        packets.iter().map(|b| parse(b).unwrap().marker()).collect()
    }

    #[test]
    fn h264_small_nal_units_share_a_stap_a() {
        let mut p = Packetizer::new(Codec::H264, 96, 7, 100, 200).unwrap();
        let f = Frame { keyframe: true, ..frame(vec![nal(&[0x67], 20), nal(&[0x68], 5), nal(&[0x65], 150)]) };
        let mut out = PacketBuf::new();
        // 1 + (2 + 20) + (2 + 5) = 30 bytes, the IDR would make it 182: all three fit in 200.
        assert_eq!(p.packetize(&f, 3000, &mut out), Ok(1));
        let pkt = parse(out.get(0).unwrap()).unwrap();
        assert_eq!(pkt.payload()[0], 0x60 | 24, "NRI of the highest (3), type 24");
        assert_eq!(pkt.payload().len(), 1 + 2 + 20 + 2 + 5 + 2 + 150);
        assert_eq!(round_trip(Codec::H264, &out), vec![(f.nals.clone(), false)]);

        // Without aggregation: three single NAL unit packets.
        let mut p = p.with_aggregation(false);
        out.clear();
        assert_eq!(p.packetize(&f, 6000, &mut out), Ok(3));
        assert_eq!(markers(&out), [false, false, true]);
        assert_eq!(out.get(0).unwrap()[12..], f.nals[0][..]);
        assert_eq!(round_trip(Codec::H264, &out), vec![(f.nals, false)]);
    }

    #[test]
    fn nal_units_exactly_at_the_limit_are_not_fragmented() {
        for codec in [Codec::H264, Codec::H265] {
            let header: &[u8] = if codec == Codec::H264 { &[0x41] } else { &[0x02, 0x01] };
            let mut p = Packetizer::new(codec, 96, 7, 0, 100).unwrap();
            let mut out = PacketBuf::new();
            let at = frame(vec![nal(header, 100)]);
            assert_eq!(p.packetize(&at, 0, &mut out), Ok(1));
            assert_eq!(out.get(0).unwrap().len(), 12 + 100);
            let over = frame(vec![nal(header, 101)]);
            out.clear();
            assert_eq!(p.packetize(&over, 1, &mut out), Ok(2), "{codec:?}");
            assert!(out.iter().all(|b| b.len() <= 12 + 100));
            assert_eq!(round_trip(codec, &out), vec![(over.nals, false)]);
        }
    }

    #[test]
    fn h264_large_nal_unit_spans_many_fu_a() {
        let mut p = Packetizer::new(Codec::H264, 96, 0xdead_beef, 10, 1000).unwrap();
        let idr = nal(&[0x65], 10_000);
        let f = Frame { keyframe: true, ..frame(vec![nal(&[0x67], 12), nal(&[0x68], 4), idr.clone()]) };
        let mut out = PacketBuf::new();
        // STAP-A, then 9999 bytes after the header in fragments of at most 998: 11 FU-A.
        assert_eq!(p.packetize(&f, 42, &mut out), Ok(12));
        let packets: Vec<_> = out.iter().map(|b| parse(b).unwrap()).collect();
        assert_eq!(packets[0].payload()[0] & 0x1F, 24);
        let fus = &packets[1..];
        let sizes: Vec<usize> = fus.iter().map(|p| p.payload().len() - 2).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 9_999);
        assert!(sizes.iter().all(|&s| s == 909 || s == 910), "balanced: {sizes:?}");
        for (k, pkt) in fus.iter().enumerate() {
            let [indicator, fu_header, ..] = pkt.payload() else { panic!() };
            assert_eq!(*indicator, 0x60 | 28, "F=0, NRI=3 from the IDR, type 28");
            assert_eq!(fu_header & 0x80 != 0, k == 0, "S only on the first");
            assert_eq!(fu_header & 0x40 != 0, k == fus.len() - 1, "E only on the last");
            assert_eq!(fu_header & 0x20, 0, "R is 0");
            assert_eq!(fu_header & 0x1F, 5);
            assert_eq!(pkt.payload_type(), 96);
            assert_eq!((pkt.ssrc(), pkt.timestamp()), (0xdead_beef, 42));
        }
        let seqs: Vec<u16> = packets.iter().map(|p| p.sequence()).collect();
        assert_eq!(seqs, (10..22).collect::<Vec<u16>>());
        let mut want = vec![false; 11];
        want.push(true);
        assert_eq!(markers(&out), want);
        assert_eq!(round_trip(Codec::H264, &out), vec![(f.nals, false)]);
        assert_eq!(p.packets_sent(), 12);
        assert_eq!(p.octets_sent(), out.as_bytes().len() as u64 - 12 * 12);
        assert_eq!(p.last_timestamp(), Some(42));
    }

    #[test]
    fn h265_aggregation_and_fragmentation() {
        let mut p = Packetizer::new(Codec::H265, 97, 1, 500, 1200).unwrap();
        let vps = nal(&[0x40, 0x01], 24);
        let sps = nal(&[0x42, 0x01], 40);
        let pps = nal(&[0x44, 0x01], 7);
        let idr = nal(&[0x26, 0x01], 5000);
        let f = Frame { keyframe: true, ..frame(vec![vps, sps, pps, idr]) };
        let mut out = PacketBuf::new();
        // AP, then 4998 bytes in fragments of at most 1197: 5 FU.
        assert_eq!(p.packetize(&f, 9, &mut out), Ok(6));
        let packets: Vec<_> = out.iter().map(|b| parse(b).unwrap()).collect();
        assert_eq!(packets[0].payload()[..2], [48 << 1, 0x01]);
        for (k, pkt) in packets[1..].iter().enumerate() {
            let [h0, h1, fu, ..] = pkt.payload() else { panic!() };
            assert_eq!([*h0, *h1], [49 << 1, 0x01]);
            assert_eq!(fu & 0x80 != 0, k == 0);
            assert_eq!(fu & 0x40 != 0, k == 4);
            assert_eq!(fu & 0x3F, 19);
            assert!(pkt.payload().len() <= 1200);
        }
        assert_eq!(markers(&out), [false, false, false, false, false, true]);
        assert_eq!(round_trip(Codec::H265, &out), vec![(f.nals, false)]);
    }

    #[test]
    fn h265_aggregation_takes_the_lowest_layer_and_temporal_id() {
        let mut p = Packetizer::new(Codec::H265, 96, 1, 0, 1400).unwrap();
        // Layer 1 TID 2 (header 0x02 0x0A) and layer 0 TID 3 (0x02 0x03).
        let f = frame(vec![nal(&[0x02, 0x0A], 10), nal(&[0x02, 0x03], 10)]);
        let mut out = PacketBuf::new();
        p.packetize(&f, 0, &mut out).unwrap();
        assert_eq!(parse(out.get(0).unwrap()).unwrap().payload()[..2], [48 << 1, 0x02]);
    }

    #[test]
    fn multiple_frames_and_nal_units() {
        for codec in [Codec::H264, Codec::H265] {
            let (key, slice): (&[u8], &[u8]) =
                if codec == Codec::H264 { (&[0x65], &[0x41]) } else { (&[0x26, 0x01], &[0x02, 0x01]) };
            let mut p = Packetizer::new(codec, 96, 3, 65_530, 300).unwrap();
            let mut out = PacketBuf::new();
            let frames = [
                frame(vec![nal(key, 700), nal(key, 200), nal(key, 90), nal(key, 90)]),
                frame(vec![nal(slice, 301)]),
                frame(vec![nal(slice, 3)]),
            ];
            let mut counts = Vec::new();
            for (i, f) in frames.iter().enumerate() {
                counts.push(p.packetize(f, i as u32 * 3000, &mut out).unwrap());
            }
            // 700 bytes: 3 fragments; 200 and 90 aggregated, the last 90 alone; 301: 2 fragments; 3: single.
            assert_eq!(counts, [5, 2, 1], "{codec:?}");
            let aus = round_trip(codec, &out);
            let want: Vec<_> = frames.iter().map(|f| (f.nals.clone(), false)).collect();
            assert_eq!(aus, want);
            // Sequence numbers wrap from 65535 to 0.
            let seqs: Vec<u16> = out.iter().map(|b| parse(b).unwrap().sequence()).collect();
            assert_eq!(seqs, [65_530, 65_531, 65_532, 65_533, 65_534, 65_535, 0, 1]);
            assert_eq!(p.next_seq(), 2);
            assert_eq!(markers(&out), [false, false, false, false, true, false, true, true]);
        }
    }

    #[test]
    fn the_buffer_indexes_its_packets() {
        let f = frame(vec![nal(&[0x67], 30), nal(&[0x68], 4), nal(&[0x65], 3000), nal(&[0x06], 9)]);
        let mut a = Packetizer::new(Codec::H264, 96, 5, 77, 500).unwrap();
        let mut buf = PacketBuf::with_capacity(4096, 8);
        let n = a.packetize(&f, 1, &mut buf).unwrap();
        let by_index: Vec<&[u8]> = (0..n).map(|i| buf.get(i).unwrap()).collect();
        assert_eq!(by_index, buf.iter().collect::<Vec<_>>());
        assert_eq!(by_index.concat(), buf.as_bytes());
        assert_eq!(a.packets_sent(), n as u64);
        assert_eq!(buf.len(), n);
        assert!(buf.get(n).is_none());
    }

    #[test]
    fn bad_frames_are_refused_without_output() {
        let mut p = Packetizer::new(Codec::H264, 96, 5, 77, 500).unwrap();
        let mut out = PacketBuf::new();
        let mut check = |p: &mut Packetizer, nals: Vec<Vec<u8>>, want: PacketizeError| {
            assert_eq!(p.packetize(&frame(nals), 0, &mut out), Err(want));
            assert!(out.is_empty());
            assert_eq!((p.next_seq(), p.packets_sent()), (77, 0));
        };
        check(&mut p, vec![], PacketizeError::EmptyFrame);
        let nal_err = |index, len, problem| PacketizeError::Nal { index, len, problem };
        check(&mut p, vec![vec![0x65, 1], vec![]], nal_err(1, 0, NalProblem::Empty));
        check(&mut p, vec![vec![0xE5, 1, 2]], nal_err(0, 3, NalProblem::ForbiddenBit));
        check(&mut p, vec![vec![0x65], vec![0x7C, 0x85]], nal_err(1, 2, NalProblem::ReservedType(28)));
        check(&mut p, vec![vec![0x00, 1]], nal_err(0, 2, NalProblem::ReservedType(0)));
        let mut p = Packetizer::new(Codec::H265, 96, 5, 77, 500).unwrap();
        check(&mut p, vec![vec![0x26]], nal_err(0, 1, NalProblem::TooShort(2)));
        check(&mut p, vec![vec![0x26, 0x00, 5]], nal_err(0, 3, NalProblem::ZeroTemporalId));
        check(&mut p, vec![vec![0x62, 0x01, 5]], nal_err(0, 3, NalProblem::ReservedType(49)));
        check(&mut p, vec![vec![0xA6, 0x01, 5]], nal_err(0, 3, NalProblem::ForbiddenBit));
        let err = p.packetize(&frame(vec![vec![0x26, 0x01], vec![]]), 0, &mut out);
        assert_eq!(err.unwrap_err().to_string(), "NAL unit 1 of the frame (0 bytes): empty NAL unit");
    }

    #[test]
    fn construction_checks_its_parameters() {
        assert_eq!(Packetizer::new(Codec::H264, 96, 0, 0, 63).unwrap_err(), PacketizeError::MaxPayload(63));
        assert_eq!(
            Packetizer::new(Codec::H264, 96, 0, 0, 65_001).unwrap_err(),
            PacketizeError::MaxPayload(65_001)
        );
        assert_eq!(
            Packetizer::new(Codec::H265, 128, 0, 0, 1400).unwrap_err(),
            PacketizeError::PayloadType(128)
        );
        let p = Packetizer::new(Codec::H265, 127, 9, 3, MAX_PAYLOAD_LIMIT).unwrap();
        assert_eq!((p.codec(), p.payload_type(), p.ssrc(), p.next_seq()), (Codec::H265, 127, 9, 3));
        assert_eq!((p.max_payload(), p.last_timestamp()), (MAX_PAYLOAD_LIMIT, None));
    }

    #[test]
    fn largest_budget_round_trips() {
        let mut p = Packetizer::new(Codec::H264, 96, 0, 0, MAX_PAYLOAD_LIMIT).unwrap();
        let f = frame(vec![nal(&[0x67], 20), nal(&[0x65], 200_000)]);
        let mut out = PacketBuf::new();
        assert_eq!(p.packetize(&f, 0, &mut out), Ok(5));
        assert!(out.iter().all(|b| b.len() <= 12 + MAX_PAYLOAD_LIMIT));
        assert_eq!(round_trip(Codec::H264, &out), vec![(f.nals, false)]);
    }
}
