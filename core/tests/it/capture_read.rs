//! Offline capture reading: the push reader (pcap, pcapng, link types, truncated and mutated input, bounded
//! memory) and TCP reassembly (order, retransmissions, gaps, wraparound, closes).

use std::net::SocketAddr;

use rtspeek_core::capture::packet::{TcpFlags, TcpHeader, tcp_packet};
use rtspeek_core::capture::read::link::{self, Transport};
use rtspeek_core::capture::read::{CaptureReader, MAX_BLOCK, ReadError, ReadEvent};
use rtspeek_core::capture::tcp::{Limits, Reassembler, Side, StreamEvent};
use rtspeek_core::capture::{CaptureWriter, Direction, TcpClose};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Pushes `file` in `chunk`-byte pieces; returns the events, or the first error.
fn read_all(file: &[u8], chunk: usize) -> Result<Vec<ReadEvent>, ReadError> {
    let mut reader = CaptureReader::new();
    let mut events = Vec::new();
    for mut piece in file.chunks(chunk) {
        while !piece.is_empty() {
            let n = reader.push(piece);
            piece = &piece[n..];
            while let Some(event) = reader.next_event()? {
                events.push(event);
            }
            assert!(reader.buffered() <= MAX_BLOCK);
        }
    }
    reader.finish()?;
    Ok(events)
}

/// A pcapng written by the capture writer: one RTSP exchange over TCP and a key log.
fn writer_capture() -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = CaptureWriter::new(&mut out, "test", 1 << 20);
    let (local, peer) = (addr("10.0.0.1:40000"), addr("10.0.0.2:322"));
    w.secrets(&mut out, b"CLIENT_RANDOM 00 11\n");
    w.tcp_open(&mut out, 1, local, peer, 1_000).unwrap();
    w.tcp_data(&mut out, 1, Direction::ToPeer, b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n", 2_000).unwrap();
    w.tcp_data(&mut out, 1, Direction::FromPeer, b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n", 3_000).unwrap();
    w.tcp_close(&mut out, 1, TcpClose::Fin(Direction::ToPeer), 4_000).unwrap();
    out
}

/// Runs the packets of `events` through link decoding and reassembly.
fn reassemble(events: &[ReadEvent]) -> (Vec<StreamEvent>, Reassembler) {
    let mut r = Reassembler::new(Limits::default());
    let mut out = Vec::new();
    for e in events {
        if let ReadEvent::Packet(p) = e
            && let Some(d) = link::decode(p.linktype, &p.data)
            && let Transport::Tcp(seg) = &d.transport
        {
            r.segment(d.src, d.dst, seg, &mut out);
        }
    }
    r.finish(&mut out);
    (out, r)
}

fn stream(events: &[StreamEvent], side: Side) -> Vec<u8> {
    let mut bytes = Vec::new();
    for e in events {
        if let StreamEvent::Data { side: s, bytes: b, .. } = e
            && *s == side
        {
            bytes.extend_from_slice(b);
        }
    }
    bytes
}

#[test]
fn pcapng_from_the_writer_reads_back_in_any_chunking() {
    let file = writer_capture();
    let whole = read_all(&file, file.len()).unwrap();
    for chunk in [1, 3, 7, 64, 1000] {
        assert_eq!(read_all(&file, chunk).unwrap(), whole, "chunk {chunk}");
    }
    let keylogs: Vec<_> = whole.iter().filter(|e| matches!(e, ReadEvent::KeyLog(_))).collect();
    assert_eq!(keylogs.len(), 1);
    let ReadEvent::KeyLog(k) = keylogs[0] else { unreachable!() };
    assert_eq!(k.0, b"CLIENT_RANDOM 00 11\n");
    assert!(!format!("{k:?}").contains("CLIENT_RANDOM"), "secrets never in Debug");
    let (events, r) = reassemble(&whole);
    assert_eq!(stream(&events, Side::Client), b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
    assert_eq!(stream(&events, Side::Server), b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n");
    let closes = events.iter().filter(|e| matches!(e, StreamEvent::Closed { reset: false, .. })).count();
    assert_eq!(closes, 2);
    assert_eq!(r.stats().segments, 8, "3 handshake, 2 data, 3 close");
    assert_eq!(r.stats().gap_bytes, 0);
}

/// A classic pcap (microseconds, little-endian) of `frames` with `linktype`.
fn pcap(linktype: u32, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    f.extend_from_slice(&[2, 0, 4, 0]);
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&262_144u32.to_le_bytes());
    f.extend_from_slice(&linktype.to_le_bytes());
    for (i, frame) in frames.iter().enumerate() {
        f.extend_from_slice(&(i as u32 + 1).to_le_bytes());
        f.extend_from_slice(&5u32.to_le_bytes());
        f.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        f.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        f.extend_from_slice(frame);
    }
    f
}

fn segment(src: &str, dst: &str, seq: u32, flags: TcpFlags, payload: &[u8]) -> Vec<u8> {
    tcp_packet(addr(src), addr(dst), TcpHeader { seq, ack: 0, flags }, payload, 0).unwrap()
}

#[test]
fn link_types_decode_to_the_same_segment() {
    let ip4 = segment("192.0.2.1:1000", "192.0.2.2:322", 7, TcpFlags::ACK, b"hello");
    let ip6 = segment("[2001:db8::1]:1000", "[2001:db8::2]:322", 7, TcpFlags::ACK, b"hello");
    let mut eth_vlan = vec![0; 12];
    eth_vlan.extend_from_slice(&[0x81, 0x00, 0x00, 0x05, 0x08, 0x00]);
    eth_vlan.extend_from_slice(&ip4);
    let mut eth6 = vec![0; 12];
    eth6.extend_from_slice(&[0x86, 0xdd]);
    eth6.extend_from_slice(&ip6);
    let mut sll = vec![0; 14];
    sll.extend_from_slice(&[0x08, 0x00]);
    sll.extend_from_slice(&ip4);
    let mut sll2 = vec![0x08, 0x00];
    sll2.extend_from_slice(&[0; 18]);
    sll2.extend_from_slice(&ip4);
    let mut null = 2u32.to_le_bytes().to_vec();
    null.extend_from_slice(&ip4);
    for (linktype, frame, v6) in [
        (1, eth_vlan, false),
        (1, eth6, true),
        (113, sll, false),
        (276, sll2, false),
        (0, null, false),
        (101, ip6, true),
    ] {
        let events = read_all(&pcap(linktype, &[frame]), 5).unwrap();
        let ReadEvent::Packet(p) = &events[0] else { panic!("no packet") };
        assert_eq!((p.number, p.ts_nanos, p.linktype), (1, 1_000_005_000, linktype as i32));
        let d = link::decode(p.linktype, &p.data).unwrap_or_else(|| panic!("linktype {linktype} undecoded"));
        assert_eq!(d.src.is_ipv6(), v6);
        assert_eq!(d.dst.port(), 322);
        let Transport::Tcp(seg) = d.transport else { panic!("not tcp") };
        assert_eq!((seg.seq, seg.payload), (7, &b"hello"[..]));
    }
}

#[test]
fn truncated_and_garbage_input_give_typed_errors() {
    assert!(matches!(read_all(b"GET / HTTP/1.1\r\n", 4), Err(ReadError::NotACapture { .. })));
    let file = writer_capture();
    // Every truncation: either a clean prefix (block boundary) or `Truncated` naming the block and offset.
    for cut in 0..file.len() {
        match read_all(&file[..cut], 13) {
            Ok(_) => {}
            Err(ReadError::Truncated { offset, .. }) => assert!(offset < cut as u64),
            Err(ReadError::NotACapture { .. }) => assert!(cut < 4),
            Err(e) => panic!("cut {cut}: {e}"),
        }
    }
    // Mutated bytes: never a panic; errors say where.
    let mut errors = 0;
    for (i, value) in (0..file.len()).step_by(3).zip([0x00, 0xff, 0x7f, 0x80].into_iter().cycle()) {
        let mut m = file.clone();
        m[i] ^= value | 1;
        if let Err(e) = read_all(&m, 17) {
            errors += 1;
            assert!(e.to_string().contains("block") || e.to_string().contains("pcap"), "{e}");
        }
        // Decoding whatever came out must not panic either.
        if let Ok(events) = read_all(&m, 17) {
            reassemble(&events);
        }
    }
    assert!(errors > 0, "mutations of block headers must be detected");
}

#[test]
fn a_large_capture_reads_in_bounded_memory() {
    let frame = segment("192.0.2.1:1000", "192.0.2.2:322", 1, TcpFlags::ACK, &[0x55; 1400]);
    let one = pcap(101, &[frame]);
    let (header, record) = one.split_at(24);
    let mut reader = CaptureReader::new();
    let mut packets = 0u64;
    let mut max_buffered = 0;
    let mut feed = |bytes: &[u8], reader: &mut CaptureReader| {
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = reader.push(rest);
            rest = &rest[n..];
            while let Some(e) = reader.next_event().unwrap() {
                packets += matches!(e, ReadEvent::Packet(_)) as u64;
            }
            max_buffered = max_buffered.max(reader.buffered());
        }
    };
    feed(header, &mut reader);
    let block: Vec<u8> = record.iter().copied().cycle().take(record.len() * 1000).collect();
    for _ in 0..50 {
        feed(&block, &mut reader);
    }
    reader.finish().unwrap();
    assert_eq!(packets, 50_000);
    assert!(max_buffered <= MAX_BLOCK, "{max_buffered}");
}

fn seg(
    r: &mut Reassembler,
    from_client: bool,
    seq: u32,
    flags: TcpFlags,
    payload: &[u8],
    out: &mut Vec<StreamEvent>,
) {
    let (c, s) = (addr("10.0.0.1:5000"), addr("10.0.0.2:322"));
    let (src, dst) = if from_client { (c, s) } else { (s, c) };
    let packet = tcp_packet(src, dst, TcpHeader { seq, ack: 0, flags }, payload, 0).unwrap();
    let d = link::ip(&packet).unwrap();
    let Transport::Tcp(t) = d.transport else { unreachable!() };
    r.segment(d.src, d.dst, &t, out);
}

#[test]
fn reassembly_orders_dedups_and_wraps() {
    let isn = u32::MAX - 3; // data starts 4 bytes before the wrap
    let mut r = Reassembler::new(Limits::default());
    let mut out = Vec::new();
    seg(&mut r, true, isn, TcpFlags::SYN, b"", &mut out);
    let base = isn.wrapping_add(1);
    seg(&mut r, true, base.wrapping_add(6), TcpFlags::ACK, b"ghi", &mut out); // ahead
    seg(&mut r, true, base, TcpFlags::ACK, b"abc", &mut out);
    seg(&mut r, true, base, TcpFlags::ACK, b"abc", &mut out); // retransmission
    seg(&mut r, true, base.wrapping_add(1), TcpFlags::ACK, b"bcdef", &mut out); // overlap: "def" new
    seg(&mut r, true, base.wrapping_add(9), TcpFlags::FIN.with(TcpFlags::ACK), b"", &mut out);
    assert_eq!(stream(&out, Side::Client), b"abcdefghi");
    let s = r.stats();
    assert_eq!((s.segments, s.retransmissions, s.out_of_order, s.gap_bytes), (6, 2, 1, 0));
    assert!(out.iter().any(|e| matches!(e, StreamEvent::Closed { side: Side::Client, reset: false, .. })));
}

#[test]
fn reassembly_reports_gaps_and_continues() {
    let mut r = Reassembler::new(Limits { per_flow: 8, total: 1 << 20 });
    let mut out = Vec::new();
    seg(&mut r, true, 0, TcpFlags::SYN, b"", &mut out);
    seg(&mut r, false, 100, TcpFlags::ACK, b"one", &mut out);
    seg(&mut r, false, 110, TcpFlags::ACK, b"two-two", &mut out); // 7 missing bytes before it
    assert_eq!(stream(&out, Side::Server), b"one", "held under the bound");
    seg(&mut r, false, 117, TcpFlags::ACK, b"three", &mut out); // bound exceeded: the hole becomes a gap
    assert!(out.contains(&StreamEvent::Gap { flow: 0, side: Side::Server, seq: 103, len: 7 }), "{out:?}");
    assert_eq!(stream(&out, Side::Server), b"onetwo-twothree");
    seg(&mut r, false, 200, TcpFlags::ACK, b"late", &mut out);
    r.finish(&mut out);
    assert_eq!(r.stats().gap_bytes, 7 + 78);
    assert_eq!(stream(&out, Side::Server), b"onetwo-twothreelate");
    seg(&mut r, true, 1, TcpFlags::RST, b"", &mut out);
    assert_eq!((r.stats().resets, r.stats().segments), (1, 6));
    assert!(matches!(out.last(), Some(StreamEvent::Closed { reset: true, side: Side::Client, .. })));
}

#[test]
fn the_total_bound_drops_and_counts() {
    let mut r = Reassembler::new(Limits { per_flow: 100, total: 4 });
    let mut out = Vec::new();
    seg(&mut r, true, 10, TcpFlags::ACK, b"a", &mut out);
    seg(&mut r, true, 20, TcpFlags::ACK, b"bbbbb", &mut out);
    assert_eq!(r.stats().dropped, 1);
    assert_eq!(stream(&out, Side::Client), b"a");
}
