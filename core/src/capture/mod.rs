//! Packet captures of the probe's own traffic, as pcapng, written without I/O.
//!
//! The native driver sees sockets, not packets: it reports what each connection and UDP socket carried, with
//! its real addresses and a timestamp, and [`CaptureWriter`] turns that into a pcapng file that Wireshark and
//! tshark dissect as real traffic: synthetic TCP flows ([`packet`]) over raw IPv4/IPv6 frames, and the TLS key
//! log in Decryption Secrets Blocks ([`pcapng`]) so the RTSP inside TLS shows decrypted with no extra file.
//! The blocks are those `pcap-parser` reads, so the offline analysis can read these files back.
//!
//! Reading captures back (issue 15's offline analysis) is [`read`] (streaming pcap/pcapng reader and link
//! decoding), [`tcp`] (bounded reassembly), [`tls`] (decryption from an NSS key log) and [`offline`], which
//! chains them.
//!
//! ```
//! use rtspeek_core::capture::{CaptureWriter, Direction, TcpClose};
//! let mut out = Vec::new();
//! let mut capture = CaptureWriter::new(&mut out, "example", 1 << 20);
//! let (local, peer) = ("10.0.0.1:40000".parse().unwrap(), "10.0.0.2:554".parse().unwrap());
//! capture.tcp_open(&mut out, 1, local, peer, 0).unwrap();
//! capture.tcp_data(&mut out, 1, Direction::ToPeer, b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n", 1_000).unwrap();
//! capture.tcp_close(&mut out, 1, TcpClose::Fin(Direction::ToPeer), 2_000).unwrap();
//! assert_eq!(capture.stats().packets, 7);
//! ```

pub mod offline;
pub mod packet;
pub mod pcapng;
pub mod read;
pub mod tcp;
pub mod tls;
mod writer;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

pub use writer::{CaptureWriter, Direction, TcpClose};

/// Why something could not be written into a capture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// A packet's two addresses are of different families.
    #[error("a packet from {src} to {dst}: the addresses are of different IP versions")]
    MixedFamilies {
        /// Source address.
        src: IpAddr,
        /// Destination address.
        dst: IpAddr,
    },
    /// A payload too large for one IP packet.
    #[error("a payload of {len} bytes does not fit in one IP packet")]
    TooLarge {
        /// Its length.
        len: usize,
    },
    /// Data or a close for a connection that was never opened (or already closed).
    #[error("connection {id} is not open in the capture")]
    UnknownConnection {
        /// The caller's connection id.
        id: u64,
    },
    /// The capture reached its size bound; this packet and all later ones are counted, not written.
    #[error("the capture reached its bound of {max_bytes} bytes")]
    Full {
        /// The bound.
        max_bytes: u64,
    },
}

/// Counters of a capture.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Packets written.
    pub packets: u64,
    /// Bytes of the file so far.
    pub bytes: u64,
    /// Packets not written (past the size bound, or unwritable).
    pub not_captured: u64,
    /// Whether the size bound was reached.
    pub truncated: bool,
    /// Whether TLS secrets were written.
    pub secrets: bool,
}

/// What the report says of a capture written during the probe (`facts.capture`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureFact {
    /// Where it was written (as the user named it).
    pub file: String,
    /// Packets written.
    pub packets: u64,
    /// Size of the file, bytes.
    pub bytes: u64,
    /// Packets seen but not written (size bound reached, queue full, or unwritable).
    #[serde(default)]
    pub packets_not_captured: u64,
    /// Whether the capture stopped at its size bound.
    pub truncated: bool,
    /// Whether the file holds TLS secrets (Decryption Secrets Blocks): then anyone with it reads the traffic.
    pub contains_secrets: bool,
    /// The warning for people: [`CAPTURE_NOTE`].
    pub note: String,
}

/// The warning a capture carries: it holds what the probe sent, credentials included, and the keys to read it.
pub const CAPTURE_NOTE: &str = "the capture holds the TLS keys and the RTSP requests (credentials): share it \
only with people who may see them";

#[cfg(test)]
mod tests;
