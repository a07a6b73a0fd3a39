//! The video source: the RTP packets of a real capture, from its first keyframe, optionally without parameter
//! sets or keyframes, ready to be looped.

use std::io;

use rtspeek_core::codec::{Codec, h264, h265};
use rtspeek_core::rtp::RtpPacket;
use rtspeek_core::rtsp::{Message, Parsed, Parser};

const GST_H264: &[u8] = include_bytes!("../../fixtures/rtp/gst-h264.interleaved");
const GST_H265: &[u8] = include_bytes!("../../fixtures/rtp/gst-h265.interleaved");

/// One packet of the source, relative to the first.
#[derive(Debug, Clone)]
pub(super) struct SourcePacket {
    /// RTP timestamp minus the first packet's.
    pub(super) ts_offset: u32,
    pub(super) marker: bool,
    pub(super) payload: Vec<u8>,
}

/// A capture prepared for looping.
#[derive(Debug)]
pub(super) struct Source {
    pub(super) codec: Codec,
    pub(super) payload_type: u8,
    /// From the first packet of the first keyframe's access unit to the end of the capture.
    pub(super) packets: Vec<SourcePacket>,
    /// The capture's sequence number and timestamp of the first packet.
    pub(super) first_seq: u16,
    pub(super) first_ts: u32,
    /// One frame and one pass of the loop, in 90 kHz ticks.
    pub(super) frame_ticks: u32,
    pub(super) loop_ticks: u32,
    /// The first VPS (H.265), SPS and PPS found in band, before any stripping, in that order.
    pub(super) parameter_sets: Vec<Vec<u8>>,
}

struct Raw {
    seq: u16,
    ts: u32,
    marker: bool,
    pt: u8,
    payload: Vec<u8>,
}

impl Source {
    /// Loads the capture for `codec`, dropping parameter sets and/or keyframe NAL units if asked.
    pub(super) fn load(codec: Codec, strip_parameter_sets: bool, drop_keyframes: bool) -> io::Result<Source> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("fixture capture: {what}"));
        let raw = read_capture(match codec {
            Codec::H264 => GST_H264,
            Codec::H265 => GST_H265,
        })
        .map_err(|e| bad(&e))?;
        let nal = Nal(codec);
        let key_at = raw
            .iter()
            .position(|p| nal.any(&p.payload, |t| nal.is_key(t)))
            .ok_or_else(|| bad("no keyframe"))?;
        let start = raw[..key_at].iter().rposition(|p| p.ts != raw[key_at].ts).map_or(0, |i| i + 1);
        let raw = &raw[start..];
        let (first, last) = (&raw[0], &raw[raw.len() - 1]);

        let mut frame_ticks = u32::MAX;
        for pair in raw.windows(2) {
            let delta = pair[1].ts.wrapping_sub(pair[0].ts);
            if delta > 0 && delta < 0x8000_0000 {
                frame_ticks = frame_ticks.min(delta);
            }
        }
        if frame_ticks == u32::MAX {
            frame_ticks = 3600;
        }
        let loop_ticks = last.ts.wrapping_sub(first.ts).wrapping_add(frame_ticks);

        let mut parameter_sets = Vec::new();
        let kinds: &[u8] = match codec {
            Codec::H264 => &[h264::nal_type::SPS, h264::nal_type::PPS],
            Codec::H265 => &[h265::nal_type::VPS, h265::nal_type::SPS, h265::nal_type::PPS],
        };
        for kind in kinds {
            let found = raw
                .iter()
                .find_map(|p| nal.units(&p.payload).into_iter().find(|u| nal.kind(u) == Some(*kind)));
            parameter_sets.extend(found.map(<[u8]>::to_vec));
        }

        let remove =
            |t: u8| (strip_parameter_sets && nal.is_parameter_set(t)) || (drop_keyframes && nal.is_key(t));
        let mut packets: Vec<SourcePacket> = Vec::with_capacity(raw.len());
        for p in raw {
            let ts_offset = p.ts.wrapping_sub(first.ts);
            match nal.filter(&p.payload, remove) {
                Some(payload) => packets.push(SourcePacket { ts_offset, marker: p.marker, payload }),
                // The access unit still ends here: move the marker to its last packet kept.
                None if p.marker => {
                    if let Some(prev) = packets.last_mut().filter(|q| q.ts_offset == ts_offset) {
                        prev.marker = true;
                    }
                }
                None => {}
            }
        }
        if packets.is_empty() {
            return Err(bad("nothing left after filtering"));
        }
        Ok(Source {
            codec,
            payload_type: first.pt,
            packets,
            first_seq: first.seq,
            first_ts: first.ts,
            frame_ticks,
            loop_ticks,
            parameter_sets,
        })
    }
}

/// The channel-0 RTP packets of an interleaved capture.
fn read_capture(bytes: &[u8]) -> Result<Vec<Raw>, String> {
    let mut parser = Parser::default();
    let mut rest = bytes;
    let mut out = Vec::new();
    while !rest.is_empty() {
        match parser.feed(&mut rest) {
            Ok(Parsed::Message(Message::Interleaved(frame), _)) if frame.channel == 0 => {
                let p = RtpPacket::parse(&frame.payload).map_err(|e| e.to_string())?;
                out.push(Raw {
                    seq: p.sequence(),
                    ts: p.timestamp(),
                    marker: p.marker(),
                    pt: p.payload_type(),
                    payload: p.payload().to_vec(),
                });
            }
            Ok(Parsed::Message(..)) => {}
            Ok(Parsed::Incomplete(_)) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    if out.is_empty() { Err("no RTP".into()) } else { Ok(out) }
}

/// NAL unit and RTP payload structure of one codec (RFC 6184 for H.264, RFC 7798 for H.265).
#[derive(Clone, Copy)]
struct Nal(Codec);

impl Nal {
    fn header_len(self) -> usize {
        match self.0 {
            Codec::H264 => 1,
            Codec::H265 => 2,
        }
    }

    fn kind(self, nal: &[u8]) -> Option<u8> {
        match self.0 {
            Codec::H264 => h264::nal_unit_type(nal),
            Codec::H265 => h265::nal_unit_type(nal),
        }
    }

    fn is_aggregate(self, t: u8) -> bool {
        match self.0 {
            Codec::H264 => t == h264::nal_type::STAP_A,
            Codec::H265 => t == h265::nal_type::AP,
        }
    }

    /// The NAL type inside a fragmentation unit, if `payload` is one.
    fn fragment_kind(self, payload: &[u8]) -> Option<u8> {
        match (self.0, self.kind(payload)?) {
            (Codec::H264, h264::nal_type::FU_A) => payload.get(1).map(|b| b & 0x1F),
            (Codec::H265, h265::nal_type::FU) => payload.get(2).map(|b| b & 0x3F),
            _ => None,
        }
    }

    fn is_parameter_set(self, t: u8) -> bool {
        match self.0 {
            Codec::H264 => t == h264::nal_type::SPS || t == h264::nal_type::PPS,
            Codec::H265 => (h265::nal_type::VPS..=h265::nal_type::PPS).contains(&t),
        }
    }

    fn is_key(self, t: u8) -> bool {
        match self.0 {
            Codec::H264 => t == h264::nal_type::IDR,
            Codec::H265 => h265::is_irap(t),
        }
    }

    /// The complete NAL units of a payload: itself, or an aggregate's (fragments give none).
    fn units(self, payload: &[u8]) -> Vec<&[u8]> {
        match self.kind(payload) {
            Some(t) if self.is_aggregate(t) => self.aggregated(payload).unwrap_or_default(),
            Some(_) if self.fragment_kind(payload).is_some() => Vec::new(),
            Some(_) => vec![payload],
            None => Vec::new(),
        }
    }

    /// The units of an aggregation packet (16-bit size before each), `None` when malformed.
    fn aggregated(self, payload: &[u8]) -> Option<Vec<&[u8]>> {
        let mut rest = payload.get(self.header_len()..)?;
        let mut units = Vec::new();
        while !rest.is_empty() {
            let size = usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?]));
            units.push(rest.get(2..2 + size)?);
            rest = &rest[2 + size..];
        }
        Some(units)
    }

    /// Whether the payload carries a NAL unit (whole, aggregated or fragmented) whose type satisfies `f`.
    fn any(self, payload: &[u8], f: impl Fn(u8) -> bool) -> bool {
        self.fragment_kind(payload).is_some_and(&f)
            || self.units(payload).iter().any(|u| self.kind(u).is_some_and(&f))
    }

    /// The payload without the NAL units whose type satisfies `remove`: `None` when nothing is left. A
    /// malformed aggregate is kept as is.
    fn filter(self, payload: &[u8], remove: impl Fn(u8) -> bool) -> Option<Vec<u8>> {
        if let Some(inner) = self.fragment_kind(payload) {
            return (!remove(inner)).then(|| payload.to_vec());
        }
        let t = self.kind(payload)?;
        if !self.is_aggregate(t) {
            return (!remove(t)).then(|| payload.to_vec());
        }
        let Some(units) = self.aggregated(payload) else { return Some(payload.to_vec()) };
        let kept: Vec<&[u8]> = units.iter().copied().filter(|u| !self.kind(u).is_some_and(&remove)).collect();
        if kept.is_empty() {
            return None;
        }
        let mut out = payload[..self.header_len()].to_vec();
        for unit in kept {
            // Each unit came out of a 16-bit size field, so its length fits.
            out.extend_from_slice(&(unit.len() as u16).to_be_bytes());
            out.extend_from_slice(unit);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h264_capture_starts_at_the_idr_access_unit_and_loops_at_25_fps() {
        let s = Source::load(Codec::H264, false, false).unwrap();
        assert_eq!((s.first_seq, s.first_ts, s.frame_ticks), (23325, 3228691856, 3600));
        assert_eq!(s.loop_ticks, 62 * 3600);
        assert_eq!(s.packets.len(), 199);
        assert_eq!(s.parameter_sets.len(), 2);
        assert_eq!(s.parameter_sets[0][0] & 0x1F, 7);
    }

    #[test]
    fn stripping_removes_packets_and_rebuilds_aggregates() {
        let nal = Nal(Codec::H264);
        // STAP-A [SPS(2 bytes) PPS(1 byte) IDR(2 bytes)].
        let stap = [24, 0, 2, 0x67, 1, 0, 1, 0x68, 0, 2, 0x65, 9];
        let kept = nal.filter(&stap, |t| nal.is_parameter_set(t)).unwrap();
        assert_eq!(kept, [24, 0, 2, 0x65, 9]);
        assert_eq!(nal.filter(&stap, |_| true), None);
        let s = Source::load(Codec::H264, true, true).unwrap();
        assert!(s.packets.iter().all(|p| !nal.any(&p.payload, |t| nal.is_parameter_set(t) || nal.is_key(t))));
        assert_eq!(s.parameter_sets.len(), 2, "the SDP still gets them unless told otherwise");
        let h265 = Source::load(Codec::H265, true, false).unwrap();
        assert_eq!(h265.parameter_sets.len(), 3);
    }
}
