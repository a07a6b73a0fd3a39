//! The context every stage of the probe works in: configuration, the clock reading of the current input,
//! the output queue, the record, and the random stream.

use std::collections::VecDeque;
use std::time::Duration;

use super::config::ProbeConfig;
use super::event::ProbeEvent;
use super::io::{ConnId, ConnectTls, Output, UdpChannel, UdpId};
use super::record::Record;
use crate::rng::SeededRng;
use crate::{Finding, Layer};

/// Shared by the stages; owned by [`Probe`](super::Probe).
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) config: ProbeConfig,
    /// Time of the input being handled, since the start.
    pub(crate) now: Duration,
    pub(crate) out: VecDeque<Output>,
    pub(crate) record: Record,
    pub(crate) rng: SeededRng,
    next_conn: u32,
    next_udp: u32,
    /// The URL's host and port at the start: what `server_name` and `connect_to` apply to.
    target: (String, u16),
}

impl Ctx {
    pub(crate) fn new(config: ProbeConfig) -> Self {
        let rng = SeededRng::new(config.seed);
        let target = (config.url.host().to_string(), config.url.port_or_default());
        Ctx {
            target,
            config,
            now: Duration::ZERO,
            out: VecDeque::new(),
            record: Record::default(),
            rng,
            next_conn: 0,
            next_udp: 0,
        }
    }

    /// Milliseconds since the start, for events.
    pub(crate) fn ms(&self) -> f64 {
        millis(self.now)
    }

    pub(crate) fn connect(&mut self, host: &str, port: u16, tls: ConnectTls) -> ConnId {
        self.next_conn += 1;
        let conn = ConnId(self.next_conn);
        let server_name = self.tls_name(host);
        let (host, port) = self.dial(host, port);
        self.out.push_back(Output::Connect { conn, host, port, tls, server_name });
        conn
    }

    /// Where a connection to `host:port` really goes: `connect_to` for the URL's own host and port.
    pub(crate) fn dial(&self, host: &str, port: u16) -> (String, u16) {
        match &self.config.connect_to {
            Some((to_host, to_port)) if host == self.target.0 && port == self.target.1 => {
                (to_host.clone(), *to_port)
            }
            _ => (host.to_owned(), port),
        }
    }

    /// The name sent as SNI and verified for a connection to `host`: `server_name` for the URL's host.
    pub(crate) fn tls_name(&self, host: &str) -> String {
        match &self.config.server_name {
            Some(name) if host == self.target.0 => name.clone(),
            _ => host.to_owned(),
        }
    }

    pub(crate) fn transmit(&mut self, conn: ConnId, data: Vec<u8>) {
        self.out.push_back(Output::Transmit { conn, data });
    }

    pub(crate) fn close(&mut self, conn: ConnId) {
        self.out.push_back(Output::Close { conn });
    }

    pub(crate) fn bind_udp(&mut self) -> UdpId {
        self.next_udp += 1;
        let udp = UdpId(self.next_udp);
        self.out.push_back(Output::BindUdp { udp });
        udp
    }

    pub(crate) fn send_udp(&mut self, udp: UdpId, channel: UdpChannel, port: u16, data: Vec<u8>) {
        self.out.push_back(Output::SendUdp { udp, channel, port, data });
    }

    pub(crate) fn event(&mut self, event: ProbeEvent) {
        self.out.push_back(Output::Event(event));
    }

    /// A progress line.
    pub(crate) fn step(&mut self, layer: Layer, text: impl Into<String>) {
        let at_ms = self.ms();
        self.event(ProbeEvent::Step { at_ms, layer, text: text.into() });
    }

    /// Records a finding and announces it.
    pub(crate) fn finding(&mut self, finding: Finding) {
        self.event(ProbeEvent::Finding { finding: finding.clone() });
        self.record.push(finding);
    }

    pub(crate) fn findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for f in findings {
            self.finding(f);
        }
    }

    /// Marks `layer` assessed and announces its status, with `passed` as the line when nothing is wrong.
    pub(crate) fn layer_done(&mut self, layer: Layer, passed: impl Into<String>) {
        self.record.reach(layer);
        let status = self.record.status(layer);
        let summary = self.record.worst_summary(layer).map_or_else(|| passed.into(), str::to_owned);
        let at_ms = self.ms();
        self.event(ProbeEvent::Layer { at_ms, layer, status, summary });
    }
}

/// A duration in milliseconds with microsecond precision, for facts and events.
pub(crate) fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}
