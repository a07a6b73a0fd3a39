//! pcapng blocks (draft-ietf-opsawg-pcapng): Section Header, Interface Description, Enhanced Packet and
//! Decryption Secrets, little-endian, each appended to a caller's buffer. Pure formatting: the caller gives
//! timestamps and decides where the bytes go.

/// `LINKTYPE_RAW`: each packet starts with its IPv4 or IPv6 header, so the real addresses show with no fake
/// link layer.
pub const LINKTYPE_RAW: u16 = 101;
/// Secrets type of a TLS key log (NSS `SSLKEYLOGFILE` lines) in a Decryption Secrets Block: "TLSK".
pub const SECRETS_TLS_KEY_LOG: u32 = 0x544c_534b;

const SHB_TYPE: u32 = 0x0A0D_0D0A;
const IDB_TYPE: u32 = 0x0000_0001;
const EPB_TYPE: u32 = 0x0000_0006;
const DSB_TYPE: u32 = 0x0000_000A;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const OPT_END: u16 = 0;
const SHB_USERAPPL: u16 = 4;
const IF_TSRESOL: u16 = 9;
/// `if_tsresol` value: timestamps count nanoseconds (10^-9 s).
const TSRESOL_NANOS: u8 = 9;
/// The largest packet an interface here describes: an IP packet can be no longer.
pub const SNAPLEN: u32 = 65_535;

/// Bytes of padding that bring `len` to a multiple of 4.
fn pad(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// Appends one block: type, total length, `body` (already padded to 4), total length again.
fn block(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
    // Every caller's body is bounded (an IP packet, a key log batch the caller limits), far below 4 GiB.
    let total = u32::try_from(body.len() + 12).unwrap_or(u32::MAX);
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&total.to_le_bytes());
}

/// Appends one option (code, length, value padded to 4).
fn option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
    body.extend_from_slice(&code.to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(value.get(..usize::from(len)).unwrap_or(value));
    body.resize(body.len() + pad(usize::from(len)), 0);
}

fn end_of_options(body: &mut Vec<u8>) {
    body.extend_from_slice(&OPT_END.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
}

/// Appends a Section Header Block (version 1.0, section length unknown) naming `application` as the writer.
pub fn section_header(out: &mut Vec<u8>, application: &str) {
    let mut body = Vec::with_capacity(64);
    body.extend_from_slice(&BYTE_ORDER_MAGIC.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&(-1i64).to_le_bytes());
    option(&mut body, SHB_USERAPPL, application.as_bytes());
    end_of_options(&mut body);
    block(out, SHB_TYPE, &body);
}

/// Appends an Interface Description Block for `linktype` whose timestamps count nanoseconds.
pub fn interface_description(out: &mut Vec<u8>, linktype: u16) {
    let mut body = Vec::with_capacity(24);
    body.extend_from_slice(&linktype.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&SNAPLEN.to_le_bytes());
    option(&mut body, IF_TSRESOL, &[TSRESOL_NANOS]);
    end_of_options(&mut body);
    block(out, IDB_TYPE, &body);
}

/// Appends an Enhanced Packet Block on interface `interface`, at `ts_nanos` (nanoseconds since the Unix epoch,
/// the caller's clock). `packet` is captured whole (callers keep it within [`SNAPLEN`]).
pub fn enhanced_packet(out: &mut Vec<u8>, interface: u32, ts_nanos: u64, packet: &[u8]) {
    let len = u32::try_from(packet.len()).unwrap_or(u32::MAX);
    let mut body = Vec::with_capacity(packet.len() + 24);
    body.extend_from_slice(&interface.to_le_bytes());
    // The timestamp is split high word first, each word in the section's byte order.
    body.extend_from_slice(&((ts_nanos >> 32) as u32).to_le_bytes());
    body.extend_from_slice(&(ts_nanos as u32).to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(packet);
    body.resize(body.len() + pad(packet.len()), 0);
    block(out, EPB_TYPE, &body);
}

/// Appends a Decryption Secrets Block holding `key_log` (NSS key log lines, each ending in `\n`). Wireshark
/// applies it to the packets that follow it in the file.
pub fn decryption_secrets(out: &mut Vec<u8>, key_log: &[u8]) {
    let len = u32::try_from(key_log.len()).unwrap_or(u32::MAX);
    let mut body = Vec::with_capacity(key_log.len() + 12);
    body.extend_from_slice(&SECRETS_TLS_KEY_LOG.to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(key_log);
    body.resize(body.len() + pad(key_log.len()), 0);
    block(out, DSB_TYPE, &body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcap_parser::pcapng::{Block, parse_block_le};
    use pcap_parser::traits::PcapNGPacketBlock as _;
    use pcap_parser::{PcapNGOption, SecretsType};

    /// Every block of `bytes`, parsed by rusticata's pcap-parser (the reader `rtspeek pcap` will use).
    fn blocks(mut bytes: &[u8]) -> Vec<Block<'_>> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let (rest, block) = parse_block_le(bytes).unwrap_or_else(|e| panic!("unparsable block: {e:?}"));
            out.push(block);
            bytes = rest;
        }
        out
    }

    #[test]
    fn blocks_parse_back_with_their_fields() {
        let mut out = Vec::new();
        section_header(&mut out, "rtspeek test");
        interface_description(&mut out, LINKTYPE_RAW);
        decryption_secrets(&mut out, b"CLIENT_RANDOM 00 11\n");
        enhanced_packet(&mut out, 0, 1_700_000_000_123_456_789, &[0x45, 1, 2, 3, 4]);
        assert_eq!(out.len() % 4, 0);
        let parsed = blocks(&out);
        assert_eq!(parsed.len(), 4);
        match &parsed[0] {
            Block::SectionHeader(shb) => {
                assert_eq!((shb.major_version, shb.minor_version), (1, 0));
                assert_eq!(shb.section_len, -1);
            }
            other => panic!("{other:?}"),
        }
        match &parsed[1] {
            Block::InterfaceDescription(idb) => {
                assert_eq!(idb.linktype.0, i32::from(LINKTYPE_RAW));
                assert_eq!(idb.snaplen, SNAPLEN);
                assert_eq!(idb.if_tsresol, 9);
                assert!(idb.options.iter().any(|o: &PcapNGOption<'_>| o.code.0 == IF_TSRESOL));
            }
            other => panic!("{other:?}"),
        }
        match &parsed[2] {
            Block::DecryptionSecrets(dsb) => {
                assert_eq!(dsb.secrets_type, SecretsType::TlsKeyLog);
                assert_eq!(dsb.secrets_len, 20);
                assert_eq!(&dsb.data[..20], b"CLIENT_RANDOM 00 11\n");
            }
            other => panic!("{other:?}"),
        }
        match &parsed[3] {
            Block::EnhancedPacket(epb) => {
                assert_eq!(epb.if_id, 0);
                assert_eq!((u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low), 1_700_000_000_123_456_789);
                assert_eq!((epb.caplen, epb.origlen), (5, 5));
                assert_eq!(epb.packet_data(), &[0x45, 1, 2, 3, 4]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn padding_brings_every_length_to_four() {
        for n in 0..9 {
            let mut out = Vec::new();
            enhanced_packet(&mut out, 0, 0, &vec![0xAB; n]);
            assert_eq!(out.len() % 4, 0, "{n}");
            assert_eq!(out.len(), 32 + n + pad(n));
            let mut dsb = Vec::new();
            decryption_secrets(&mut dsb, &vec![b'x'; n]);
            assert_eq!(dsb.len(), 20 + n + pad(n));
        }
    }
}
