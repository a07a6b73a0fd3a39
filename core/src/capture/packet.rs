//! Synthetic IPv4/IPv6 packets carrying one TCP segment or UDP datagram, with correct header, TCP and UDP
//! checksums (RFC 791, RFC 8200, RFC 9293, RFC 768), as `LINKTYPE_RAW` frames. The probe never sees raw packets:
//! these rebuild what its sockets carried so that a capture tool dissects them as real traffic.

use std::net::{IpAddr, SocketAddr};

use super::CaptureError;

const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;
const IPV4_HEADER: usize = 20;
const IPV6_HEADER: usize = 40;
const TCP_HEADER: usize = 20;
const UDP_HEADER: usize = 8;
const TTL: u8 = 64;

/// The largest TCP payload one synthetic segment carries: an IPv4 packet is at most 65535 bytes, less its
/// header and the TCP header (the same bound keeps IPv6 segments within its payload length too).
pub const MAX_SEGMENT: usize = 65_535 - IPV4_HEADER - TCP_HEADER;
/// The largest UDP payload a synthetic datagram carries (IPv4's bound, the smaller).
pub const MAX_DATAGRAM: usize = 65_535 - IPV4_HEADER - UDP_HEADER;

/// TCP header flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// FIN: no more data from the sender.
    pub const FIN: TcpFlags = TcpFlags(0x01);
    /// SYN: synchronize sequence numbers.
    pub const SYN: TcpFlags = TcpFlags(0x02);
    /// RST: reset the connection.
    pub const RST: TcpFlags = TcpFlags(0x04);
    /// PSH: push the data to the application.
    pub const PSH: TcpFlags = TcpFlags(0x08);
    /// ACK: the acknowledgement number is significant.
    pub const ACK: TcpFlags = TcpFlags(0x10);

    /// Both sets of flags.
    #[must_use]
    pub const fn with(self, other: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | other.0)
    }
}

/// One TCP segment's header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpHeader {
    /// Sequence number of the first payload byte (or of the SYN/FIN).
    pub seq: u32,
    /// Next sequence number expected from the other side (with [`TcpFlags::ACK`]).
    pub ack: u32,
    /// Flags.
    pub flags: TcpFlags,
}

/// The one's-complement sum of `bytes` as 16-bit big-endian words (an odd byte is padded with zero), folded
/// into `sum` without the final complement.
fn ones_sum(mut sum: u32, bytes: &[u8]) -> u32 {
    let mut words = bytes.chunks_exact(2);
    for w in &mut words {
        if let [a, b] = w {
            sum += u32::from(u16::from_be_bytes([*a, *b]));
        }
    }
    if let [last] = words.remainder() {
        sum += u32::from(u16::from_be_bytes([*last, 0]));
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    sum
}

/// The Internet checksum (RFC 1071) of `parts` taken as one byte string (each part but the last of even
/// length).
pub fn internet_checksum(parts: &[&[u8]]) -> u16 {
    let sum = parts.iter().fold(0u32, |sum, part| ones_sum(sum, part));
    // `ones_sum` folds to 16 bits.
    !(sum as u16)
}

/// The pseudo-header TCP and UDP checksums cover (RFC 9293 3.1, RFC 8200 8.1).
fn pseudo_header(src: IpAddr, dst: IpAddr, proto: u8, len: usize) -> Result<Vec<u8>, CaptureError> {
    let mut out = Vec::with_capacity(40);
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let len = u16::try_from(len).map_err(|_| CaptureError::TooLarge { len })?;
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
            out.extend_from_slice(&[0, proto]);
            out.extend_from_slice(&len.to_be_bytes());
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let len = u32::try_from(len).map_err(|_| CaptureError::TooLarge { len })?;
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&[0, 0, 0, proto]);
        }
        _ => return Err(CaptureError::MixedFamilies { src, dst }),
    }
    Ok(out)
}

/// Wraps a transport segment (its checksum already set) in an IPv4 or IPv6 header from `src` to `dst`.
fn ip_packet(
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    segment: &[u8],
    ident: u16,
) -> Result<Vec<u8>, CaptureError> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = IPV4_HEADER + segment.len();
            let total16 = u16::try_from(total).map_err(|_| CaptureError::TooLarge { len: segment.len() })?;
            let mut out = Vec::with_capacity(total);
            out.extend_from_slice(&[0x45, 0]);
            out.extend_from_slice(&total16.to_be_bytes());
            out.extend_from_slice(&ident.to_be_bytes());
            // Don't Fragment, offset 0.
            out.extend_from_slice(&[0x40, 0, TTL, proto, 0, 0]);
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
            let sum = internet_checksum(&[out.get(..IPV4_HEADER).unwrap_or_default()]);
            if let Some(field) = out.get_mut(10..12) {
                field.copy_from_slice(&sum.to_be_bytes());
            }
            out.extend_from_slice(segment);
            Ok(out)
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let len16 =
                u16::try_from(segment.len()).map_err(|_| CaptureError::TooLarge { len: segment.len() })?;
            let mut out = Vec::with_capacity(IPV6_HEADER + segment.len());
            out.extend_from_slice(&[0x60, 0, 0, 0]);
            out.extend_from_slice(&len16.to_be_bytes());
            out.extend_from_slice(&[proto, TTL]);
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
            out.extend_from_slice(segment);
            Ok(out)
        }
        _ => Err(CaptureError::MixedFamilies { src, dst }),
    }
}

/// An IP packet from `src` to `dst` carrying one TCP segment with `payload` (at most [`MAX_SEGMENT`] bytes).
/// `ident` is the IPv4 identification field (ignored for IPv6).
pub fn tcp_packet(
    src: SocketAddr,
    dst: SocketAddr,
    header: TcpHeader,
    payload: &[u8],
    ident: u16,
) -> Result<Vec<u8>, CaptureError> {
    if payload.len() > MAX_SEGMENT {
        return Err(CaptureError::TooLarge { len: payload.len() });
    }
    let mut segment = Vec::with_capacity(TCP_HEADER + payload.len());
    segment.extend_from_slice(&src.port().to_be_bytes());
    segment.extend_from_slice(&dst.port().to_be_bytes());
    segment.extend_from_slice(&header.seq.to_be_bytes());
    let ack = if header.flags.0 & TcpFlags::ACK.0 != 0 { header.ack } else { 0 };
    segment.extend_from_slice(&ack.to_be_bytes());
    // Data offset 5 words (no options), then the flags; a full window.
    segment.extend_from_slice(&[5 << 4, header.flags.0, 0xFF, 0xFF, 0, 0, 0, 0]);
    segment.extend_from_slice(payload);
    let pseudo = pseudo_header(src.ip(), dst.ip(), PROTO_TCP, segment.len())?;
    let sum = internet_checksum(&[&pseudo, &segment]);
    if let Some(field) = segment.get_mut(16..18) {
        field.copy_from_slice(&sum.to_be_bytes());
    }
    ip_packet(src.ip(), dst.ip(), PROTO_TCP, &segment, ident)
}

/// An IP packet from `src` to `dst` carrying one UDP datagram (at most [`MAX_DATAGRAM`] bytes of payload).
pub fn udp_packet(
    src: SocketAddr,
    dst: SocketAddr,
    payload: &[u8],
    ident: u16,
) -> Result<Vec<u8>, CaptureError> {
    if payload.len() > MAX_DATAGRAM {
        return Err(CaptureError::TooLarge { len: payload.len() });
    }
    let len = UDP_HEADER + payload.len();
    let len16 = u16::try_from(len).map_err(|_| CaptureError::TooLarge { len: payload.len() })?;
    let mut segment = Vec::with_capacity(len);
    segment.extend_from_slice(&src.port().to_be_bytes());
    segment.extend_from_slice(&dst.port().to_be_bytes());
    segment.extend_from_slice(&len16.to_be_bytes());
    segment.extend_from_slice(&[0, 0]);
    segment.extend_from_slice(payload);
    let pseudo = pseudo_header(src.ip(), dst.ip(), PROTO_UDP, len)?;
    // A computed zero is sent as all ones: zero means "no checksum" (RFC 768), which IPv6 forbids.
    let sum = match internet_checksum(&[&pseudo, &segment]) {
        0 => 0xFFFF,
        s => s,
    };
    if let Some(field) = segment.get_mut(6..8) {
        field.copy_from_slice(&sum.to_be_bytes());
    }
    ip_packet(src.ip(), dst.ip(), PROTO_UDP, &segment, ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_header_checksum_matches_the_textbook_example() {
        // The worked example of RFC 1071's usual illustration: 192.168.0.1 -> 192.168.0.199, UDP, 115 bytes.
        let header = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
            0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(internet_checksum(&[&header]), 0xb861);
    }

    #[test]
    fn tcp_over_ipv4_has_valid_checksums_and_fields() {
        let (src, dst) = (addr("10.0.0.1:50000"), addr("10.0.0.2:322"));
        let header = TcpHeader { seq: 1000, ack: 2000, flags: TcpFlags::ACK.with(TcpFlags::PSH) };
        let p = tcp_packet(src, dst, header, b"OPTIONS * RTSP/1.0\r\n\r\n", 7).unwrap();
        assert_eq!(p.len(), 20 + 20 + 22);
        assert_eq!(u16::from_be_bytes([p[2], p[3]]) as usize, p.len());
        assert_eq!(p[9], PROTO_TCP);
        // A correct checksum makes the sum over the covered bytes come out as zero.
        assert_eq!(internet_checksum(&[&p[..20]]), 0);
        let pseudo = pseudo_header(src.ip(), dst.ip(), PROTO_TCP, p.len() - 20).unwrap();
        assert_eq!(internet_checksum(&[&pseudo, &p[20..]]), 0);
        assert_eq!(u16::from_be_bytes([p[20], p[21]]), 50000);
        assert_eq!(u16::from_be_bytes([p[22], p[23]]), 322);
        assert_eq!(u32::from_be_bytes([p[24], p[25], p[26], p[27]]), 1000);
        assert_eq!(u32::from_be_bytes([p[28], p[29], p[30], p[31]]), 2000);
        assert_eq!(p[33], 0x18);
        // A corrupted byte breaks the checksum: the check above can fail.
        let mut bad = p.clone();
        bad[45] ^= 1;
        assert_ne!(internet_checksum(&[&pseudo, &bad[20..]]), 0);
    }

    #[test]
    fn udp_over_ipv6_has_a_valid_checksum_with_an_odd_payload() {
        let (src, dst) = (addr("[2001:db8::1]:5000"), addr("[2001:db8::2]:6970"));
        let p = udp_packet(src, dst, &[0x80, 0x60, 0x00, 0x01, 0xAB], 0).unwrap();
        assert_eq!(p[0] >> 4, 6);
        assert_eq!(u16::from_be_bytes([p[4], p[5]]), 13);
        assert_eq!(p[6], PROTO_UDP);
        let pseudo = pseudo_header(src.ip(), dst.ip(), PROTO_UDP, 13).unwrap();
        assert_eq!(internet_checksum(&[&pseudo, &p[40..]]), 0);
        assert_ne!(u16::from_be_bytes([p[46], p[47]]), 0);
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let v4 = addr("10.0.0.1:1");
        let v6 = addr("[::1]:2");
        assert!(matches!(udp_packet(v4, v6, b"x", 0), Err(CaptureError::MixedFamilies { .. })));
        let big = vec![0; MAX_SEGMENT + 1];
        let h = TcpHeader { seq: 0, ack: 0, flags: TcpFlags::ACK };
        assert!(matches!(tcp_packet(v4, v4, h, &big, 0), Err(CaptureError::TooLarge { .. })));
        assert!(tcp_packet(v4, v4, h, &big[1..], 0).is_ok());
    }
}
