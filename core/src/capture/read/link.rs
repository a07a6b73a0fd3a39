//! Link layers (Ethernet with VLAN tags, raw IP, Linux SLL/SLL2, BSD loopback) down to IPv4/IPv6 and TCP/UDP.
//!
//! Hand-written rather than `etherparse`: the crate registry was not reachable when this was written, and the
//! few headers needed here are fixed-layout. Anything not understood yields `None` (skipped), never a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Ethernet.
pub const LINKTYPE_ETHERNET: i32 = 1;
/// BSD loopback (4-byte host-order address family).
pub const LINKTYPE_NULL: i32 = 0;
/// Raw IPv4/IPv6.
pub const LINKTYPE_RAW: i32 = 101;
/// Linux "cooked" capture v1.
pub const LINKTYPE_LINUX_SLL: i32 = 113;
/// Linux "cooked" capture v2.
pub const LINKTYPE_LINUX_SLL2: i32 = 276;

/// The transport part of a decoded packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport<'a> {
    /// A TCP segment.
    Tcp(TcpSegment<'a>),
    /// A UDP datagram's payload.
    Udp(&'a [u8]),
}

/// A TCP segment's header fields and payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSegment<'a> {
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10).
    pub flags: u8,
    /// Payload.
    pub payload: &'a [u8],
}

/// A decoded IP packet carrying TCP or UDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// Source address and port.
    pub src: SocketAddr,
    /// Destination address and port.
    pub dst: SocketAddr,
    /// TCP or UDP.
    pub transport: Transport<'a>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Decodes a frame of the given link type; `None` for anything but TCP/UDP over IPv4/IPv6, or a malformed frame.
pub fn decode(linktype: i32, frame: &[u8]) -> Option<Decoded<'_>> {
    match linktype {
        LINKTYPE_RAW => ip(frame),
        LINKTYPE_ETHERNET => {
            let mut at = 12;
            let mut ethertype = u16_at(frame, at)?;
            // 802.1Q / 802.1ad tags, possibly stacked.
            while matches!(ethertype, 0x8100 | 0x88a8 | 0x9100) {
                at += 4;
                ethertype = u16_at(frame, at)?;
            }
            ethertype_payload(ethertype, frame.get(at + 2..)?)
        }
        LINKTYPE_LINUX_SLL => ethertype_payload(u16_at(frame, 14)?, frame.get(16..)?),
        LINKTYPE_LINUX_SLL2 => ethertype_payload(u16_at(frame, 0)?, frame.get(20..)?),
        LINKTYPE_NULL => {
            // Host byte order of the capturing machine: accept either.
            let family = u32::from_le_bytes(frame.get(..4)?.try_into().ok()?);
            let family = if family > 0xffff { family.swap_bytes() } else { family };
            match family {
                2 | 24 | 28 | 30 => ip(frame.get(4..)?),
                _ => None,
            }
        }
        _ => None,
    }
}

fn ethertype_payload(ethertype: u16, payload: &[u8]) -> Option<Decoded<'_>> {
    match ethertype {
        0x0800 | 0x86dd => ip(payload),
        _ => None,
    }
}

/// Decodes an IPv4 or IPv6 packet (first fragments only; no IPv6 extension headers but hop-by-hop/routing/
/// destination options).
pub fn ip(packet: &[u8]) -> Option<Decoded<'_>> {
    match packet.first()? >> 4 {
        4 => {
            let ihl = usize::from(packet.first()? & 0x0f) * 4;
            let total = usize::from(u16_at(packet, 2)?);
            let frag = u16_at(packet, 6)?;
            if ihl < 20 || frag & 0x1fff != 0 {
                return None;
            }
            // Ethernet padding follows short packets: cut at the IP length (if captured).
            let end = total.min(packet.len());
            let src = IpAddr::V4(Ipv4Addr::from(u32_at(packet, 12)?));
            let dst = IpAddr::V4(Ipv4Addr::from(u32_at(packet, 16)?));
            transport(*packet.get(9)?, src, dst, packet.get(ihl..end)?)
        }
        6 => {
            let payload_len = usize::from(u16_at(packet, 4)?);
            let src: [u8; 16] = packet.get(8..24)?.try_into().ok()?;
            let dst: [u8; 16] = packet.get(24..40)?.try_into().ok()?;
            let (src, dst) = (IpAddr::V6(Ipv6Addr::from(src)), IpAddr::V6(Ipv6Addr::from(dst)));
            let end = (40 + payload_len).min(packet.len());
            let mut next = *packet.get(6)?;
            let mut at = 40;
            while matches!(next, 0 | 43 | 60) {
                next = *packet.get(at)?;
                at += (usize::from(*packet.get(at + 1)?) + 1) * 8;
            }
            transport(next, src, dst, packet.get(at..end)?)
        }
        _ => None,
    }
}

fn transport(protocol: u8, src: IpAddr, dst: IpAddr, seg: &[u8]) -> Option<Decoded<'_>> {
    let (sport, dport) = (u16_at(seg, 0)?, u16_at(seg, 2)?);
    let transport = match protocol {
        6 => {
            let offset = usize::from(seg.get(12)? >> 4) * 4;
            if offset < 20 {
                return None;
            }
            Transport::Tcp(TcpSegment {
                seq: u32_at(seg, 4)?,
                ack: u32_at(seg, 8)?,
                flags: *seg.get(13)?,
                payload: seg.get(offset..)?,
            })
        }
        17 => Transport::Udp(seg.get(8..)?),
        _ => return None,
    };
    Some(Decoded { src: SocketAddr::new(src, sport), dst: SocketAddr::new(dst, dport), transport })
}
