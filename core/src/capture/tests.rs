//! The writer's output read back with pcap-parser: blocks, TCP sequence consistency, the size bound.

use std::net::SocketAddr;

use pcap_parser::pcapng::{Block, parse_block_le};
use pcap_parser::traits::PcapNGPacketBlock as _;

use super::*;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// The IP packets of every Enhanced Packet Block, and the key logs of every Decryption Secrets Block, in order.
#[derive(Debug, PartialEq)]
enum Item {
    Packet(Vec<u8>),
    Secrets(Vec<u8>),
}

fn items(mut bytes: &[u8]) -> Vec<Item> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (rest, block) = parse_block_le(bytes).unwrap_or_else(|e| panic!("unparsable block: {e:?}"));
        match block {
            Block::EnhancedPacket(epb) => out.push(Item::Packet(epb.packet_data().to_vec())),
            Block::DecryptionSecrets(dsb) => {
                out.push(Item::Secrets(dsb.data[..dsb.secrets_len as usize].to_vec()));
            }
            _ => {}
        }
        bytes = rest;
    }
    out
}

/// (src port, seq, ack, flags, payload length) of an IPv4 TCP packet.
fn tcp(packet: &[u8]) -> (u16, u32, u32, u8, usize) {
    let t = &packet[20..];
    (
        u16::from_be_bytes([t[0], t[1]]),
        u32::from_be_bytes([t[4], t[5], t[6], t[7]]),
        u32::from_be_bytes([t[8], t[9], t[10], t[11]]),
        t[13],
        t.len() - 20,
    )
}

#[test]
fn a_tcp_flow_has_consistent_sequence_numbers_both_ways() {
    let mut out = Vec::new();
    let mut w = CaptureWriter::new(&mut out, "test", u64::MAX);
    let (local, peer) = (addr("127.0.0.1:40000"), addr("127.0.0.1:8322"));
    w.tcp_open(&mut out, 3, local, peer, 1).unwrap();
    w.secrets(&mut out, b"CLIENT_RANDOM aa bb\n");
    w.tcp_data(&mut out, 3, Direction::ToPeer, &[1; 100], 2).unwrap();
    // Larger than one segment: split.
    w.tcp_data(&mut out, 3, Direction::FromPeer, &vec![2; packet::MAX_SEGMENT + 10], 3).unwrap();
    w.tcp_close(&mut out, 3, TcpClose::Fin(Direction::FromPeer), 4).unwrap();
    let items = items(&out);
    assert_eq!(items.iter().filter(|i| matches!(i, Item::Secrets(_))).count(), 1);
    assert_eq!(items[3], Item::Secrets(b"CLIENT_RANDOM aa bb\n".to_vec()));
    let packets: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Packet(p) => Some(tcp(p)),
            Item::Secrets(_) => None,
        })
        .collect();
    assert_eq!(packets.len(), 3 + 1 + 2 + 3);
    let (syn, syn_ack, ack) = (packets[0], packets[1], packets[2]);
    assert_eq!((syn.0, syn.3), (40000, 0x02));
    assert_eq!((syn_ack.0, syn_ack.3, syn_ack.2), (8322, 0x12, syn.1 + 1));
    assert_eq!((ack.1, ack.2), (syn.1 + 1, syn_ack.1 + 1));
    let data = packets[3];
    assert_eq!((data.1, data.2, data.4), (syn.1 + 1, syn_ack.1 + 1, 100));
    let (first, second) = (packets[4], packets[5]);
    assert_eq!((first.1, first.2, first.4), (syn_ack.1 + 1, syn.1 + 101, packet::MAX_SEGMENT));
    assert_eq!((second.1, second.4), (first.1.wrapping_add(packet::MAX_SEGMENT as u32), 10));
    let (fin, fin2, last) = (packets[6], packets[7], packets[8]);
    assert_eq!((fin.0, fin.3, fin.1), (8322, 0x11, second.1 + 10));
    assert_eq!((fin2.0, fin2.3, fin2.1, fin2.2), (40000, 0x11, syn.1 + 101, fin.1 + 1));
    assert_eq!((last.0, last.3, last.1, last.2), (8322, 0x10, fin.1 + 1, fin2.1 + 1));
    let stats = w.stats();
    assert_eq!(
        (stats.packets, stats.bytes, stats.truncated, stats.secrets),
        (9, out.len() as u64, false, true)
    );
    // The connection is forgotten after its close.
    assert_eq!(
        w.tcp_data(&mut out, 3, Direction::ToPeer, b"x", 5),
        Err(CaptureError::UnknownConnection { id: 3 })
    );
}

#[test]
fn a_reset_is_one_rst_from_its_sender() {
    let mut out = Vec::new();
    let mut w = CaptureWriter::new(&mut out, "test", u64::MAX);
    w.tcp_open(&mut out, 1, addr("10.0.0.1:1000"), addr("10.0.0.2:554"), 0).unwrap();
    w.tcp_close(&mut out, 1, TcpClose::Reset(Direction::FromPeer), 0).unwrap();
    let items = items(&out);
    let Some(Item::Packet(rst)) = items.last() else { panic!("{items:?}") };
    assert_eq!((tcp(rst).0, tcp(rst).3), (554, 0x14));
}

#[test]
fn udp_keeps_its_ports_and_the_bound_truncates_cleanly() {
    let mut out = Vec::new();
    let header = {
        let mut h = Vec::new();
        CaptureWriter::new(&mut h, "test", 0);
        h.len() as u64
    };
    // Room for exactly two 12-byte datagrams (20 + 8 + 12 = 40 bytes of packet, 72 per block).
    let mut w = CaptureWriter::new(&mut out, "test", header + 2 * 72 + 3);
    let (cam, us) = (addr("192.0.2.7:6970"), addr("192.0.2.1:50000"));
    w.udp(&mut out, cam, us, &[0x80; 12], 0).unwrap();
    w.udp(&mut out, cam, us, &[0x80; 12], 1).unwrap();
    assert!(matches!(w.udp(&mut out, cam, us, &[0x80; 12], 2), Err(CaptureError::Full { .. })));
    // Once truncated, even a packet that would fit is refused: no holes.
    assert!(w.udp(&mut out, cam, us, &[], 3).is_err());
    let stats = w.stats();
    assert_eq!((stats.packets, stats.not_captured, stats.truncated), (2, 2, true));
    assert_eq!(stats.bytes, out.len() as u64);
    let items = items(&out);
    let Item::Packet(p) = &items[0] else { panic!() };
    assert_eq!(u16::from_be_bytes([p[20], p[21]]), 6970);
    assert_eq!(u16::from_be_bytes([p[22], p[23]]), 50000);
    assert_eq!(p.len(), 40);
}

#[test]
fn past_the_bound_every_packet_of_a_flow_is_counted() {
    let mut out = Vec::new();
    let mut w = CaptureWriter::new(&mut out, "test", 0);
    let (local, peer) = (addr("10.0.0.1:1000"), addr("10.0.0.2:554"));
    assert!(matches!(w.tcp_open(&mut out, 1, local, peer, 0), Err(CaptureError::Full { .. })));
    assert!(w.tcp_data(&mut out, 1, Direction::ToPeer, b"OPTIONS", 1).is_err());
    assert!(w.tcp_close(&mut out, 1, TcpClose::Fin(Direction::ToPeer), 2).is_err());
    let stats = w.stats();
    assert_eq!((stats.packets, stats.not_captured, stats.truncated), (0, 3 + 1 + 3, true));
}
