//! The pipeline of an offline capture: reader events → link decoding → TCP reassembly → TLS decryption.
//!
//! [`Offline`] takes the [`ReadEvent`]s of a [`CaptureReader`](super::read::CaptureReader) and yields each
//! flow's application bytes (decrypted when the flow is TLS and its keys are known) plus the TLS facts. Keys
//! must be known when a session's ServerHello is read: add an external key log first, or read the file twice
//! (collecting its Decryption Secrets Blocks the first time), since captures may hold their secrets after the
//! packets they unlock.

use std::collections::HashMap;

use super::read::ReadEvent;
use super::read::link::{self, Transport};
use super::tcp::{Limits, Reassembler, Side, StreamEvent, TcpStats};
use super::tls::keys::KeyLog;
use super::tls::{TlsEvent, TlsSession};

/// What the pipeline yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowEvent {
    /// TCP flow events: opened, gap, closed (and plain-text data of non-TLS flows).
    Tcp(StreamEvent),
    /// A TLS fact or decrypted data of a flow.
    Tls {
        /// Flow number.
        flow: usize,
        /// The event.
        event: TlsEvent,
    },
}

/// The offline pipeline (see the module docs).
#[derive(Debug, Default)]
pub struct Offline {
    keylog: KeyLog,
    tcp: Reassembler,
    /// Per flow: `Some` once its first client bytes showed a TLS handshake record.
    tls: HashMap<usize, Option<TlsSession>>,
    packets: u64,
    undecoded: u64,
}

impl Offline {
    /// A pipeline with the default reassembly bounds.
    pub fn new() -> Offline {
        Offline { tcp: Reassembler::new(Limits::default()), ..Offline::default() }
    }

    /// Adds NSS key log lines (from a key log file, or a capture's Decryption Secrets Blocks).
    pub fn add_keys(&mut self, key_log: &[u8]) {
        self.keylog.extend(key_log);
    }

    /// TCP counters.
    pub fn tcp_stats(&self) -> TcpStats {
        self.tcp.stats()
    }

    /// (packets seen, packets not TCP/UDP over IP or undecodable).
    pub fn packets(&self) -> (u64, u64) {
        (self.packets, self.undecoded)
    }

    /// Feeds one reader event.
    pub fn event(&mut self, event: &ReadEvent, out: &mut Vec<FlowEvent>) {
        match event {
            ReadEvent::KeyLog(k) => self.keylog.extend(&k.0),
            ReadEvent::Packet(p) => {
                self.packets += 1;
                match link::decode(p.linktype, &p.data) {
                    Some(d) => {
                        if let Transport::Tcp(seg) = &d.transport {
                            let mut events = Vec::new();
                            self.tcp.segment(d.src, d.dst, seg, &mut events);
                            self.stream(events, out);
                        }
                    }
                    None => self.undecoded += 1,
                }
            }
        }
    }

    /// Ends the capture: open holes become gaps, held data is delivered.
    pub fn finish(&mut self, out: &mut Vec<FlowEvent>) {
        let mut events = Vec::new();
        self.tcp.finish(&mut events);
        self.stream(events, out);
    }

    fn stream(&mut self, events: Vec<StreamEvent>, out: &mut Vec<FlowEvent>) {
        for event in events {
            match event {
                StreamEvent::Data { flow, side, bytes } => {
                    let entry = self.tls.entry(flow).or_insert_with(|| {
                        // A TLS handshake record from the client: 0x16 0x03.
                        let tls = side == Side::Client && bytes.starts_with(&[0x16, 0x03]);
                        tls.then(TlsSession::new)
                    });
                    match entry {
                        Some(session) => {
                            let mut tls = Vec::new();
                            session.push(side, &bytes, &self.keylog, &mut tls);
                            out.extend(tls.into_iter().map(|event| FlowEvent::Tls { flow, event }));
                        }
                        None => out.push(FlowEvent::Tcp(StreamEvent::Data { flow, side, bytes })),
                    }
                }
                StreamEvent::Gap { flow, side, .. } => {
                    if let Some(Some(session)) = self.tls.get_mut(&flow) {
                        let mut tls = Vec::new();
                        session.gap(side, &mut tls);
                        out.extend(tls.into_iter().map(|event| FlowEvent::Tls { flow, event }));
                    }
                    out.push(FlowEvent::Tcp(event));
                }
                other => out.push(FlowEvent::Tcp(other)),
            }
        }
    }
}
