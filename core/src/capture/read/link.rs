//! Link layers (Ethernet with VLAN tags, raw IP, Linux SLL/SLL2, BSD loopback) down to IPv4/IPv6 and TCP/UDP,
//! through `etherparse` (a kept, allocation-free slicer: IPv6 extension headers, VLAN stacks, lengths and
//! Ethernet padding handled there). Anything not understood (ARP, ICMP, fragments, malformed headers) yields
//! `None` and is skipped, never a panic.

use std::net::{IpAddr, SocketAddr};

use etherparse::{EtherType, NetSlice, SlicedPacket, TransportSlice};

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

/// Decodes a frame of the given link type; `None` for anything but TCP/UDP over IPv4/IPv6, or a malformed frame.
pub fn decode(linktype: i32, frame: &[u8]) -> Option<Decoded<'_>> {
    let sliced = match linktype {
        LINKTYPE_RAW => SlicedPacket::from_ip(frame),
        LINKTYPE_ETHERNET => SlicedPacket::from_ethernet(frame),
        // Linux cooked captures: the protocol field is an EtherType whatever the device type (etherparse's
        // SLL reader judges the device type, and `-i any` captures of loopback use 772), so read it here.
        // SLL: 16-byte header, protocol at 14; SLL2 (not in etherparse): 20-byte header, protocol first.
        LINKTYPE_LINUX_SLL => ether_payload(frame, 14, 16)?,
        LINKTYPE_LINUX_SLL2 => ether_payload(frame, 0, 20)?,
        LINKTYPE_NULL => {
            // The address family, in the capturing machine's byte order: accept either.
            let family = u32::from_le_bytes(frame.get(..4)?.try_into().ok()?);
            let family = if family > 0xffff { family.swap_bytes() } else { family };
            if !matches!(family, 2 | 24 | 28 | 30) {
                return None;
            }
            SlicedPacket::from_ip(frame.get(4..)?)
        }
        _ => return None,
    };
    sliced.ok().and_then(|packet| tcp_or_udp(&packet))
}

/// The packet after a cooked header whose EtherType is at `at` and whose payload starts at `start`.
fn ether_payload(
    frame: &[u8],
    at: usize,
    start: usize,
) -> Option<Result<SlicedPacket<'_>, etherparse::err::packet::SliceError>> {
    let ether_type = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
    Some(SlicedPacket::from_ether_type(EtherType(ether_type), frame.get(start..)?))
}

/// Decodes an IPv4 or IPv6 packet (unfragmented).
pub fn ip(packet: &[u8]) -> Option<Decoded<'_>> {
    SlicedPacket::from_ip(packet).ok().and_then(|sliced| tcp_or_udp(&sliced))
}

fn tcp_or_udp<'a>(packet: &SlicedPacket<'a>) -> Option<Decoded<'a>> {
    let (src, dst) = match packet.net.as_ref()? {
        NetSlice::Ipv4(v4) => {
            (IpAddr::V4(v4.header().source_addr()), IpAddr::V4(v4.header().destination_addr()))
        }
        NetSlice::Ipv6(v6) => {
            (IpAddr::V6(v6.header().source_addr()), IpAddr::V6(v6.header().destination_addr()))
        }
        NetSlice::Arp(_) => return None,
    };
    let (ports, transport) = match packet.transport.as_ref()? {
        TransportSlice::Tcp(tcp) => {
            let flags = u8::from(tcp.fin())
                | u8::from(tcp.syn()) << 1
                | u8::from(tcp.rst()) << 2
                | u8::from(tcp.psh()) << 3
                | u8::from(tcp.ack()) << 4;
            let segment = TcpSegment {
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                flags,
                payload: tcp.payload(),
            };
            ((tcp.source_port(), tcp.destination_port()), Transport::Tcp(segment))
        }
        TransportSlice::Udp(udp) => {
            ((udp.source_port(), udp.destination_port()), Transport::Udp(udp.payload()))
        }
        _ => return None,
    };
    Some(Decoded { src: SocketAddr::new(src, ports.0), dst: SocketAddr::new(dst, ports.1), transport })
}
