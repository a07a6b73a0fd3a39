//! [`CaptureWriter`]: a pcapng capture of a probe's own connections, fed with what its sockets carried. TCP
//! connections become plausible flows (handshake, data segments with consistent sequence and acknowledgement
//! numbers both ways, FIN or RST at the end), UDP datagrams keep their ports, TLS secrets go into Decryption
//! Secrets Blocks before the packets that need them. Sans-IO: the caller gives timestamps and writes the bytes
//! each call appends; a size bound makes the capture stop (and count) instead of growing.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use super::packet::{MAX_SEGMENT, TcpFlags, TcpHeader, tcp_packet, udp_packet};
use super::pcapng;
use super::{CaptureError, CaptureStats};

/// Which way bytes went on a connection, seen from the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the probe (local address) to the peer.
    ToPeer,
    /// From the peer to the probe.
    FromPeer,
}

/// How a TCP connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpClose {
    /// An orderly close, started by this side (FIN, FIN, ACK).
    Fin(Direction),
    /// A reset sent by this side.
    Reset(Direction),
}

/// One synthetic TCP flow: the addresses and the next sequence number of each side.
#[derive(Debug, Clone)]
struct Flow {
    local: SocketAddr,
    peer: SocketAddr,
    /// Next sequence number of the probe's side.
    local_seq: u32,
    /// Next sequence number of the peer's side.
    peer_seq: u32,
}

impl Flow {
    fn ends(&self, dir: Direction) -> (SocketAddr, SocketAddr) {
        match dir {
            Direction::ToPeer => (self.local, self.peer),
            Direction::FromPeer => (self.peer, self.local),
        }
    }

    /// The header of a segment sent in `dir`, acknowledging everything the other side sent.
    fn header(&self, dir: Direction, flags: TcpFlags) -> TcpHeader {
        match dir {
            Direction::ToPeer => TcpHeader { seq: self.local_seq, ack: self.peer_seq, flags },
            Direction::FromPeer => TcpHeader { seq: self.peer_seq, ack: self.local_seq, flags },
        }
    }

    fn advance(&mut self, dir: Direction, by: u32) {
        let seq = match dir {
            Direction::ToPeer => &mut self.local_seq,
            Direction::FromPeer => &mut self.peer_seq,
        };
        *seq = seq.wrapping_add(by);
    }
}

fn reverse(dir: Direction) -> Direction {
    match dir {
        Direction::ToPeer => Direction::FromPeer,
        Direction::FromPeer => Direction::ToPeer,
    }
}

/// A pcapng capture being written: see the module docs. Connection ids are the caller's (unique while open).
#[derive(Debug)]
pub struct CaptureWriter {
    max_bytes: u64,
    stats: CaptureStats,
    flows: BTreeMap<u64, Flow>,
    ident: u16,
}

impl CaptureWriter {
    /// A capture of at most `max_bytes` (header and secrets included); appends the section header and the one
    /// raw-IP interface to `out`.
    pub fn new(out: &mut Vec<u8>, application: &str, max_bytes: u64) -> CaptureWriter {
        let start = out.len();
        pcapng::section_header(out, application);
        pcapng::interface_description(out, pcapng::LINKTYPE_RAW);
        let stats = CaptureStats { bytes: (out.len() - start) as u64, ..CaptureStats::default() };
        CaptureWriter { max_bytes, stats, flows: BTreeMap::new(), ident: 0 }
    }

    /// What was written and what was not so far.
    pub fn stats(&self) -> CaptureStats {
        self.stats
    }

    /// Appends NSS key log lines (each ending in `\n`) as a Decryption Secrets Block. Secrets are written even
    /// past the size bound: they are small, and without them the packets already written stay opaque.
    pub fn secrets(&mut self, out: &mut Vec<u8>, key_log: &[u8]) {
        if key_log.is_empty() {
            return;
        }
        let start = out.len();
        pcapng::decryption_secrets(out, key_log);
        self.stats.bytes += (out.len() - start) as u64;
        self.stats.secrets = true;
    }

    /// A new TCP connection from `local` to `peer`, written as its three-way handshake.
    pub fn tcp_open(
        &mut self,
        out: &mut Vec<u8>,
        id: u64,
        local: SocketAddr,
        peer: SocketAddr,
        ts_nanos: u64,
    ) -> Result<(), CaptureError> {
        if local.is_ipv4() != peer.is_ipv4() {
            return Err(CaptureError::MixedFamilies { src: local.ip(), dst: peer.ip() });
        }
        // Initial sequence numbers only need to differ between flows and sides (no clock, no randomness).
        let seed = (id as u32).wrapping_add(1).wrapping_mul(0x9E37_79B9);
        let mut flow = Flow { local, peer, local_seq: seed, peer_seq: seed.rotate_left(16) ^ 0x5A5A_5A5A };
        let syn = self.packet(out, &flow, Direction::ToPeer, TcpFlags::SYN, &[], ts_nanos);
        flow.advance(Direction::ToPeer, 1);
        // The SYN-ACK acknowledges the SYN; its own SYN counts once written.
        let syn_ack = TcpFlags::SYN.with(TcpFlags::ACK);
        let answer = self.packet(out, &flow, Direction::FromPeer, syn_ack, &[], ts_nanos);
        flow.advance(Direction::FromPeer, 1);
        let ack = self.packet(out, &flow, Direction::ToPeer, TcpFlags::ACK, &[], ts_nanos);
        // Kept even past the size bound, so that the flow's later packets are counted as not captured.
        self.flows.insert(id, flow);
        syn.and(answer).and(ack)
    }

    /// Bytes that went `dir` on connection `id`, as segments of at most [`MAX_SEGMENT`] bytes.
    pub fn tcp_data(
        &mut self,
        out: &mut Vec<u8>,
        id: u64,
        dir: Direction,
        data: &[u8],
        ts_nanos: u64,
    ) -> Result<(), CaptureError> {
        let mut flow = self.flows.get(&id).cloned().ok_or(CaptureError::UnknownConnection { id })?;
        let flags = TcpFlags::PSH.with(TcpFlags::ACK);
        for chunk in data.chunks(MAX_SEGMENT) {
            // Sequence numbers advance even for a segment past the bound, so the flow stays consistent.
            let written = self.packet(out, &flow, dir, flags, chunk, ts_nanos);
            flow.advance(dir, chunk.len() as u32);
            written?;
        }
        self.flows.insert(id, flow);
        Ok(())
    }

    /// `len` bytes went `dir` on connection `id` but never reached the writer (the driver's queue was full):
    /// the sequence numbers move on, so a capture tool shows a gap ("previous segment not captured") instead of
    /// joining unrelated bytes.
    pub fn tcp_gap(&mut self, id: u64, dir: Direction, len: u64) -> Result<(), CaptureError> {
        if len == 0 {
            return Ok(());
        }
        let flow = self.flows.get_mut(&id).ok_or(CaptureError::UnknownConnection { id })?;
        // Sequence numbers are modulo 2^32.
        flow.advance(dir, len as u32);
        Ok(())
    }

    /// The end of connection `id`: an orderly close or a reset. The connection is forgotten.
    pub fn tcp_close(
        &mut self,
        out: &mut Vec<u8>,
        id: u64,
        how: TcpClose,
        ts_nanos: u64,
    ) -> Result<(), CaptureError> {
        let mut flow = self.flows.remove(&id).ok_or(CaptureError::UnknownConnection { id })?;
        match how {
            TcpClose::Reset(dir) => {
                self.packet(out, &flow, dir, TcpFlags::RST.with(TcpFlags::ACK), &[], ts_nanos)?;
            }
            TcpClose::Fin(dir) => {
                let fin = TcpFlags::FIN.with(TcpFlags::ACK);
                let first = self.packet(out, &flow, dir, fin, &[], ts_nanos);
                flow.advance(dir, 1);
                let second = self.packet(out, &flow, reverse(dir), fin, &[], ts_nanos);
                flow.advance(reverse(dir), 1);
                let last = self.packet(out, &flow, dir, TcpFlags::ACK, &[], ts_nanos);
                first.and(second).and(last)?;
            }
        }
        Ok(())
    }

    /// One UDP datagram from `src` to `dst`.
    pub fn udp(
        &mut self,
        out: &mut Vec<u8>,
        src: SocketAddr,
        dst: SocketAddr,
        data: &[u8],
        ts_nanos: u64,
    ) -> Result<(), CaptureError> {
        self.ident = self.ident.wrapping_add(1);
        match udp_packet(src, dst, data, self.ident) {
            Ok(packet) => self.emit(out, &packet, ts_nanos),
            Err(e) => {
                self.stats.not_captured += 1;
                Err(e)
            }
        }
    }

    /// Writes one segment of `flow` going `dir`.
    fn packet(
        &mut self,
        out: &mut Vec<u8>,
        flow: &Flow,
        dir: Direction,
        flags: TcpFlags,
        payload: &[u8],
        ts_nanos: u64,
    ) -> Result<(), CaptureError> {
        let (src, dst) = flow.ends(dir);
        self.ident = self.ident.wrapping_add(1);
        let packet = tcp_packet(src, dst, flow.header(dir, flags), payload, self.ident)?;
        self.emit(out, &packet, ts_nanos)
    }

    /// Appends a packet unless the bound is reached; once one packet is refused, every later one is too, so
    /// the capture ends cleanly at one point instead of having holes.
    fn emit(&mut self, out: &mut Vec<u8>, packet: &[u8], ts_nanos: u64) -> Result<(), CaptureError> {
        // An Enhanced Packet Block adds 32 bytes and the padding to the packet.
        let block = packet.len() as u64 + 32 + 3;
        if self.stats.truncated || self.stats.bytes + block > self.max_bytes {
            self.stats.truncated = true;
            self.stats.not_captured += 1;
            return Err(CaptureError::Full { max_bytes: self.max_bytes });
        }
        let start = out.len();
        pcapng::enhanced_packet(out, 0, ts_nanos, packet);
        self.stats.bytes += (out.len() - start) as u64;
        self.stats.packets += 1;
        Ok(())
    }
}
