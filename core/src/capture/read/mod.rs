//! Reading pcap and pcapng captures, streaming and without I/O.
//!
//! Core does no I/O, so the reader is pushed bytes: [`CaptureReader::push`] takes what fits in its bounded
//! buffer and returns how much it took; [`CaptureReader::next_event`] then yields the packets and TLS key logs
//! of the complete blocks buffered. The caller reads its file in chunks, pushes, drains, and pushes the rest:
//! memory stays at one block (at most [`MAX_BLOCK`] bytes) whatever the file's length, which matters for
//! hour-long captures and in the browser. Blocks are parsed by `pcap-parser`'s block functions; link layers and
//! IP/TCP/UDP headers are decoded in [`link`].

pub mod link;

use pcap_parser::PcapError;
use pcap_parser::nom;
use pcap_parser::pcap::{parse_pcap_frame, parse_pcap_frame_be, parse_pcap_header};
use pcap_parser::pcapng::{Block, parse_block_be, parse_block_le, parse_sectionheaderblock};

/// The largest block (pcapng) or record (pcap) the reader accepts, bytes: a full 256 KiB snapshot plus headers.
pub const MAX_BLOCK: usize = 256 * 1024 + 1024;

/// pcapng Decryption Secrets Block type of a TLS key log ("TLSK").
const SECRETS_TLS_KEY_LOG: u32 = 0x544c_534b;

/// Why a capture could not be read: always with the block (or record) number and its byte offset in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The first bytes are neither a pcap nor a pcapng header.
    #[error("not a pcap or pcapng file (first bytes {magic:02x?})")]
    NotACapture {
        /// Up to the first 4 bytes.
        magic: Vec<u8>,
    },
    /// A block that does not parse.
    #[error("block {block} at byte offset {offset}: {reason}")]
    Malformed {
        /// Block (pcapng) or record (pcap) number, from 1 (the file header is block 0).
        block: u64,
        /// Its byte offset in the file.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// A block larger than [`MAX_BLOCK`].
    #[error("block {block} at byte offset {offset} is larger than the {MAX_BLOCK} bytes the reader holds")]
    TooLarge {
        /// Block number.
        block: u64,
        /// Its byte offset.
        offset: u64,
    },
    /// The file ends inside a block.
    #[error("the file ends inside block {block} at byte offset {offset} ({buffered} bytes of it present)")]
    Truncated {
        /// Block number.
        block: u64,
        /// Its byte offset.
        offset: u64,
        /// Bytes of it present.
        buffered: usize,
    },
}

/// A captured packet: its link-layer frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// Packet number, from 1, as Wireshark counts frames.
    pub number: u64,
    /// Timestamp, nanoseconds since the Unix epoch (0 when the capture does not say).
    pub ts_nanos: u64,
    /// Link type of its interface (1 Ethernet, 101 raw IP, ...).
    pub linktype: i32,
    /// The frame as captured.
    pub data: Vec<u8>,
}

/// A TLS key log (NSS format lines) found in a pcapng Decryption Secrets Block.
///
/// The lines are secrets: Debug shows only their length.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyLog(pub Vec<u8>);

impl std::fmt::Debug for KeyLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyLog({} bytes, redacted)", self.0.len())
    }
}

/// What the reader yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadEvent {
    /// A packet.
    Packet(Packet),
    /// TLS secrets embedded in the capture.
    KeyLog(KeyLog),
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Unknown,
    Pcap { big_endian: bool, linktype: i32, nanos: bool },
    PcapNg { big_endian: bool },
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    linktype: i32,
    /// Timestamp units per second.
    resolution: u64,
}

/// A push-fed pcap/pcapng reader with a bounded buffer (see the module docs).
#[derive(Debug)]
pub struct CaptureReader {
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    offset: u64,
    format: Format,
    /// Number of the next block (0 is the file header).
    block: u64,
    packets: u64,
    interfaces: Vec<Interface>,
}

impl Default for CaptureReader {
    fn default() -> Self {
        Self::new()
    }
}

impl CaptureReader {
    /// A reader waiting for the file's first bytes.
    pub fn new() -> CaptureReader {
        CaptureReader {
            buf: Vec::new(),
            offset: 0,
            format: Format::Unknown,
            block: 0,
            packets: 0,
            interfaces: Vec::new(),
        }
    }

    /// Takes as many of `bytes` as fit in the buffer and returns how many: push the rest after draining
    /// [`next_event`](Self::next_event). Returns 0 only when the buffer is full.
    pub fn push(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(MAX_BLOCK.saturating_sub(self.buf.len()));
        self.buf.extend_from_slice(bytes.get(..n).unwrap_or_default());
        n
    }

    /// Bytes held now (never more than [`MAX_BLOCK`]).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next packet or key log of the buffered bytes, or `None` when more bytes are needed.
    pub fn next_event(&mut self) -> Result<Option<ReadEvent>, ReadError> {
        loop {
            let Some((used, event)) = self.parse_one()? else {
                if self.buf.len() >= MAX_BLOCK {
                    return Err(ReadError::TooLarge { block: self.block, offset: self.offset });
                }
                return Ok(None);
            };
            self.buf.drain(..used.min(self.buf.len()));
            self.offset += used as u64;
            self.block += 1;
            if let Some(event) = event {
                return Ok(Some(event));
            }
        }
    }

    /// Says whether the file ended cleanly (on a block boundary) once every byte was pushed and drained.
    pub fn finish(&self) -> Result<(), ReadError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if matches!(self.format, Format::Unknown) && self.buf.len() < 4 {
            return Err(ReadError::NotACapture { magic: self.buf.clone() });
        }
        Err(ReadError::Truncated { block: self.block, offset: self.offset, buffered: self.buf.len() })
    }

    fn malformed(&self, reason: impl Into<String>) -> ReadError {
        ReadError::Malformed { block: self.block, offset: self.offset, reason: reason.into() }
    }

    /// One block: (bytes consumed, event), or `None` if incomplete.
    fn parse_one(&mut self) -> Result<Option<(usize, Option<ReadEvent>)>, ReadError> {
        let buf = self.buf.as_slice();
        let Some(magic) = buf.get(..4) else { return Ok(None) };
        match self.format {
            Format::Unknown => match magic {
                [0x0a, 0x0d, 0x0d, 0x0a] => self.section_header(),
                [0xd4, 0xc3, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0xc3, 0xd4]
                | [0x4d, 0x3c, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0x3c, 0x4d] => match parse_pcap_header(buf) {
                    Ok((rest, h)) => {
                        self.format = Format::Pcap {
                            big_endian: h.is_bigendian(),
                            linktype: h.network.0,
                            nanos: h.is_nanosecond_precision(),
                        };
                        Ok(Some((buf.len() - rest.len(), None)))
                    }
                    Err(nom::Err::Incomplete(_)) => Ok(None),
                    Err(e) => Err(self.malformed(describe(&e))),
                },
                _ => Err(ReadError::NotACapture { magic: magic.to_vec() }),
            },
            Format::Pcap { big_endian, linktype, nanos } => {
                let parsed = if big_endian { parse_pcap_frame_be(buf) } else { parse_pcap_frame(buf) };
                match parsed {
                    Ok((rest, frame)) => {
                        let sub =
                            if nanos { u64::from(frame.ts_usec) } else { u64::from(frame.ts_usec) * 1_000 };
                        let ts_nanos = u64::from(frame.ts_sec) * 1_000_000_000 + sub;
                        let data = frame.data.to_vec();
                        let used = buf.len() - rest.len();
                        Ok(Some((used, Some(self.packet(ts_nanos, linktype, data)))))
                    }
                    Err(nom::Err::Incomplete(_)) => Ok(None),
                    Err(e) => Err(self.malformed(describe(&e))),
                }
            }
            Format::PcapNg { big_endian } => {
                if magic == [0x0a, 0x0d, 0x0d, 0x0a] {
                    return self.section_header();
                }
                let parsed = if big_endian { parse_block_be(buf) } else { parse_block_le(buf) };
                let (rest, block) = match parsed {
                    Ok(ok) => ok,
                    Err(nom::Err::Incomplete(_)) => return Ok(None),
                    Err(e) => return Err(self.malformed(describe(&e))),
                };
                let used = buf.len() - rest.len();
                let event = match block {
                    Block::InterfaceDescription(idb) => {
                        let resolution = idb.ts_resolution().unwrap_or(1_000_000);
                        self.interfaces.push(Interface { linktype: idb.linktype.0, resolution });
                        None
                    }
                    Block::EnhancedPacket(epb) => {
                        let Some(iface) = self.interfaces.get(epb.if_id as usize).copied() else {
                            return Err(
                                self.malformed(format!("packet on undeclared interface {}", epb.if_id))
                            );
                        };
                        let caplen = (epb.caplen as usize).min(epb.data.len());
                        let data = epb.data.get(..caplen).unwrap_or_default().to_vec();
                        let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                        let ts = ticks_to_nanos(ticks, iface.resolution);
                        Some(self.packet(ts, iface.linktype, data))
                    }
                    Block::SimplePacket(spb) => {
                        let Some(iface) = self.interfaces.first().copied() else {
                            return Err(self.malformed("simple packet before any interface"));
                        };
                        Some(self.packet(0, iface.linktype, spb.data.to_vec()))
                    }
                    Block::DecryptionSecrets(dsb) if dsb.secrets_type.0 == SECRETS_TLS_KEY_LOG => {
                        let len = (dsb.secrets_len as usize).min(dsb.data.len());
                        Some(ReadEvent::KeyLog(KeyLog(dsb.data.get(..len).unwrap_or_default().to_vec())))
                    }
                    _ => None,
                };
                Ok(Some((used, event)))
            }
        }
    }

    fn section_header(&mut self) -> Result<Option<(usize, Option<ReadEvent>)>, ReadError> {
        match parse_sectionheaderblock(&self.buf) {
            Ok((rest, shb)) => {
                self.format = Format::PcapNg { big_endian: shb.big_endian() };
                // Interface ids are per section.
                self.interfaces.clear();
                Ok(Some((self.buf.len() - rest.len(), None)))
            }
            Err(nom::Err::Incomplete(_)) => Ok(None),
            Err(e) => Err(self.malformed(describe(&e))),
        }
    }

    fn packet(&mut self, ts_nanos: u64, linktype: i32, data: Vec<u8>) -> ReadEvent {
        self.packets += 1;
        ReadEvent::Packet(Packet { number: self.packets, ts_nanos, linktype, data })
    }
}

fn ticks_to_nanos(ticks: u64, resolution: u64) -> u64 {
    if resolution == 0 {
        return 0;
    }
    let secs = ticks / resolution;
    let frac = ticks % resolution;
    let nanos = (u128::from(frac) * 1_000_000_000 / u128::from(resolution)) as u64;
    secs.saturating_mul(1_000_000_000).saturating_add(nanos)
}

fn describe(e: &nom::Err<PcapError<&[u8]>>) -> String {
    match e {
        nom::Err::Incomplete(_) => "incomplete".to_owned(),
        nom::Err::Error(e) | nom::Err::Failure(e) => match e {
            PcapError::NomError(_, kind) => format!("unparsable ({kind:?})"),
            PcapError::OwnedNomError(_, kind) => format!("unparsable ({kind:?})"),
            PcapError::Incomplete(n) => format!("incomplete ({n} more bytes needed)"),
            other => format!("{other:?}").chars().take(80).collect(),
        },
    }
}
