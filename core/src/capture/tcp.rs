//! TCP reassembly per flow, both directions, bounded.
//!
//! Each direction keeps the next expected sequence number (compared with wrapping arithmetic, so sequence
//! wraparound is ordinary). In-order data is delivered at once; data ahead of it is held (bounded per flow by
//! [`Limits::per_flow`] and in total by [`Limits::total`]); data behind it is a retransmission, counted and
//! ignored (a partial overlap delivers only its new tail). When a flow holds too much, or at
//! [`Reassembler::finish`], the bytes never seen become a [`StreamEvent::Gap`] with their sequence range and the
//! stream continues after it, so the consumer (the TLS record reader) knows its byte stream has a hole.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::read::link::TcpSegment;

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const ACK: u8 = 0x10;

/// Bounds on held out-of-order data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes held per flow direction before the earliest hole is declared a gap.
    pub per_flow: usize,
    /// Bytes held over all flows; past it, out-of-order segments are dropped (and counted).
    pub total: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { per_flow: 1 << 20, total: 16 << 20 }
    }
}

/// Which side of a flow sent the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The connection's initiator (sender of the SYN, or of the first packet seen).
    Client,
    /// The other side.
    Server,
}

/// What the reassembler tells its consumer, in stream order per direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// A new flow.
    Opened {
        /// Flow number, from 0.
        flow: usize,
        /// Client address.
        client: SocketAddr,
        /// Server address.
        server: SocketAddr,
    },
    /// In-order bytes.
    Data {
        /// Flow number.
        flow: usize,
        /// Sender.
        side: Side,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Bytes never seen: the stream continues after them.
    Gap {
        /// Flow number.
        flow: usize,
        /// Sender.
        side: Side,
        /// Sequence number of the first missing byte.
        seq: u32,
        /// Missing bytes.
        len: u32,
    },
    /// The direction ended (FIN) or the flow was reset (RST).
    Closed {
        /// Flow number.
        flow: usize,
        /// Sender of the FIN or RST.
        side: Side,
        /// Whether by RST.
        reset: bool,
    },
}

/// Counters for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpStats {
    /// TCP segments seen.
    pub segments: u64,
    /// Segments that carried only data already delivered (or partly so).
    pub retransmissions: u64,
    /// Segments that arrived ahead of a hole.
    pub out_of_order: u64,
    /// Out-of-order segments dropped because the total bound was reached.
    pub dropped: u64,
    /// Bytes never seen (sum of gap lengths).
    pub gap_bytes: u64,
    /// Resets seen.
    pub resets: u64,
}

#[derive(Debug, Default)]
struct HalfStream {
    next: Option<u32>,
    held: Vec<(u32, Vec<u8>)>,
    held_bytes: usize,
    fin: Option<u32>,
    closed: bool,
}

#[derive(Debug)]
struct Flow {
    client: SocketAddr,
    halves: [HalfStream; 2],
}

/// Signed distance from `b` to `a` in sequence space.
fn diff(a: u32, b: u32) -> i64 {
    i64::from(a.wrapping_sub(b) as i32)
}

/// The reassembler of every TCP flow of a capture.
#[derive(Debug, Default)]
pub struct Reassembler {
    limits: Limits,
    index: HashMap<(SocketAddr, SocketAddr), usize>,
    flows: Vec<Flow>,
    held_total: usize,
    stats: TcpStats,
}

impl Reassembler {
    /// A reassembler with these bounds.
    pub fn new(limits: Limits) -> Reassembler {
        Reassembler { limits, ..Reassembler::default() }
    }

    /// The counters so far.
    pub fn stats(&self) -> TcpStats {
        self.stats
    }

    /// Feeds one segment from `src` to `dst`; events are appended to `out`.
    pub fn segment(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        seg: &TcpSegment<'_>,
        out: &mut Vec<StreamEvent>,
    ) {
        self.stats.segments += 1;
        let key = if src <= dst { (src, dst) } else { (dst, src) };
        let flow = match self.index.get(&key) {
            Some(&flow) => flow,
            None => {
                let flow = self.flows.len();
                // A SYN-ACK's sender is the server; any other first packet's sender is taken as the client.
                let client = if seg.flags & (SYN | ACK) == SYN | ACK { dst } else { src };
                let server = if client == src { dst } else { src };
                self.flows.push(Flow { client, halves: Default::default() });
                self.index.insert(key, flow);
                out.push(StreamEvent::Opened { flow, client, server });
                flow
            }
        };
        let Some(f) = self.flows.get_mut(flow) else { return };
        let side = if f.client == src { Side::Client } else { Side::Server };
        let Some(half) = f.halves.get_mut(side as usize) else { return };
        if seg.flags & RST != 0 {
            self.stats.resets += 1;
            if !half.closed {
                half.closed = true;
                out.push(StreamEvent::Closed { flow, side, reset: true });
            }
            return;
        }
        let mut seq = seg.seq;
        if seg.flags & SYN != 0 {
            seq = seq.wrapping_add(1);
            if half.next.is_none() {
                half.next = Some(seq);
            }
        }
        let next = *half.next.get_or_insert(seq);
        let len = u32::try_from(seg.payload.len()).unwrap_or(u32::MAX);
        if seg.flags & FIN != 0 {
            half.fin = Some(seq.wrapping_add(len));
        }
        if !seg.payload.is_empty() {
            let d = diff(seq, next);
            if d + i64::from(len) <= 0 {
                self.stats.retransmissions += 1;
            } else if d <= 0 {
                if d < 0 {
                    self.stats.retransmissions += 1;
                }
                let skip = usize::try_from(-d).unwrap_or(0);
                let bytes = seg.payload.get(skip..).unwrap_or_default().to_vec();
                half.next = Some(next.wrapping_add(len - skip as u32));
                out.push(StreamEvent::Data { flow, side, bytes });
            } else if self.held_total + seg.payload.len() > self.limits.total {
                self.stats.dropped += 1;
            } else {
                self.stats.out_of_order += 1;
                half.held.push((seq, seg.payload.to_vec()));
                half.held_bytes += seg.payload.len();
                self.held_total += seg.payload.len();
            }
        }
        let per_flow = self.limits.per_flow;
        self.drain(flow, side, |held| held > per_flow, out);
    }

    /// Ends the capture: every hole still open becomes a gap and the held data after it is delivered.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        for flow in 0..self.flows.len() {
            for side in [Side::Client, Side::Server] {
                self.drain(flow, side, |held| held > 0, out);
            }
        }
    }

    /// Delivers held data that became in order; while `force(held bytes)`, declares the earliest hole a gap.
    fn drain(&mut self, flow: usize, side: Side, force: impl Fn(usize) -> bool, out: &mut Vec<StreamEvent>) {
        let Some(half) = self.flows.get_mut(flow).and_then(|f| f.halves.get_mut(side as usize)) else {
            return;
        };
        let Some(mut next) = half.next else { return };
        loop {
            // The held segment starting earliest relative to `next`.
            let earliest =
                half.held.iter().enumerate().min_by_key(|(_, (s, _))| diff(*s, next)).map(|(i, _)| i);
            let Some(i) = earliest else { break };
            let (s, _) = half.held.get(i).map(|(s, b)| (*s, b.len())).unwrap_or((next, 0));
            let d = diff(s, next);
            if d > 0 {
                if !force(half.held_bytes) {
                    break;
                }
                let gap = u32::try_from(d).unwrap_or(u32::MAX);
                self.stats.gap_bytes += u64::from(gap);
                out.push(StreamEvent::Gap { flow, side, seq: next, len: gap });
                next = s;
            }
            let (s, bytes) = half.held.swap_remove(i);
            half.held_bytes -= bytes.len();
            self.held_total -= bytes.len();
            let end = s.wrapping_add(bytes.len() as u32);
            if diff(end, next) <= 0 {
                self.stats.retransmissions += 1;
                continue;
            }
            let skip = usize::try_from(diff(next, s)).unwrap_or(0);
            out.push(StreamEvent::Data { flow, side, bytes: bytes.get(skip..).unwrap_or_default().to_vec() });
            next = end;
        }
        half.next = Some(next);
        if !half.closed && half.fin == Some(next) {
            half.closed = true;
            half.next = Some(next.wrapping_add(1));
            out.push(StreamEvent::Closed { flow, side, reset: false });
        }
    }
}
