//! Helpers shared by the codec integration tests (a directory, so cargo does not build it as a test).

use rtspeek_core::codec::{AccessUnit, AuEnd, Codec, Depacketizer};

/// One RTP packet's fields the depacketizer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Packet {
    pub(crate) seq: u16,
    pub(crate) timestamp: u32,
    pub(crate) marker: bool,
    pub(crate) payload: Vec<u8>,
}

/// Splits an RFC 4571 stream (2-byte length, RTP packet; GStreamer `rtpstreampay`) into packets. The test
/// fixtures have no CSRC, extension or padding (checked).
pub(crate) fn rtp_packets(mut stream: &[u8]) -> Vec<Packet> {
    let mut out = Vec::new();
    while !stream.is_empty() {
        let len = usize::from(u16::from_be_bytes([stream[0], stream[1]]));
        let packet = &stream[2..2 + len];
        assert_eq!(packet[0], 0x80, "RTP v2 without padding, extension or CSRC");
        out.push(Packet {
            seq: u16::from_be_bytes([packet[2], packet[3]]),
            timestamp: u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]]),
            marker: packet[1] & 0x80 != 0,
            payload: packet[12..].to_vec(),
        });
        stream = &stream[2 + len..];
    }
    out
}

/// What a test keeps of an access unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Au {
    pub(crate) timestamp: u32,
    pub(crate) keyframe: bool,
    pub(crate) damaged: bool,
    pub(crate) end: AuEnd,
    pub(crate) nals: Vec<Vec<u8>>,
    pub(crate) annex_b: Vec<u8>,
}

impl Au {
    pub(crate) fn of(au: &AccessUnit<'_>) -> Au {
        Au {
            timestamp: au.timestamp,
            keyframe: au.keyframe,
            damaged: au.damaged,
            end: au.end,
            nals: au.nal_units().map(<[u8]>::to_vec).collect(),
            annex_b: au.annex_b().to_vec(),
        }
    }
}

/// Runs packets through a depacketizer (then flushes it) and returns the access units and the depacketizer.
pub(crate) fn depacketize(codec: Codec, packets: &[Packet]) -> (Vec<Au>, Depacketizer) {
    let mut d = Depacketizer::new(codec);
    let mut aus = Vec::new();
    for p in packets {
        d.push(p.seq, p.timestamp, p.marker, &p.payload);
        while let Some(au) = d.pop() {
            aus.push(Au::of(&au));
        }
    }
    d.flush();
    while let Some(au) = d.pop() {
        aus.push(Au::of(&au));
    }
    (aus, d)
}
