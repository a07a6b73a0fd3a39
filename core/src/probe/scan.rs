//! The TLS scan stage: our own ClientHellos (TLS 1.0-1.3, every suite family, built by [`crate::tls`]) over
//! fresh connections, several at once, as planned by [`ScanPlan`]; then the plain-RTSP check, which asks the
//! same port for `OPTIONS` in clear on a fresh connection, because the commonest RTSPS failure is a camera
//! with RTSPS switched off.

use std::time::Duration;

use super::connect::bracket;
use super::ctx::Ctx;
use super::io::{CloseReason, ConnId, ConnectTls};
use crate::tls::{
    ClientHelloConfig, FlightEnd, FlightReader, LaneId, LooksLike, Progress, ScanPlan, Sniff, escape_bytes,
    sniff,
};

/// Longest wait for one scan answer: a silent port ends the scan at its first attempt anyway.
const MAX_ATTEMPT_WAIT: Duration = Duration::from_secs(3);

/// Bytes kept from the plain-RTSP check's answer.
const PLAIN_CHECK_KEEP: usize = 512;

#[derive(Debug)]
struct Attempt {
    conn: ConnId,
    lane: LaneId,
    offer: ClientHelloConfig,
    reader: FlightReader,
    deadline: Duration,
}

/// The scan in progress.
#[derive(Debug)]
pub(crate) struct ScanRun {
    host: String,
    port: u16,
    plan: ScanPlan,
    in_flight: Vec<Attempt>,
    /// Set when the port stopped accepting connections mid-scan.
    aborted: Option<String>,
    /// When the scan started and ended (for the facts: what the scan adds to a probe).
    started: Duration,
    ended: Option<Duration>,
}

impl ScanRun {
    pub(crate) fn start(ctx: &mut Ctx, host: &str, port: u16) -> ScanRun {
        let mut run = ScanRun {
            host: host.to_owned(),
            port,
            plan: ScanPlan::new(&ctx.tls_name(host)).with_max_in_flight(ctx.config.tls_scan_parallel),
            in_flight: Vec::new(),
            aborted: None,
            started: ctx.now,
            ended: None,
        };
        run.send_more(ctx);
        run
    }

    /// Whether the scan is over.
    pub(crate) fn done(&self) -> bool {
        self.in_flight.is_empty()
    }

    pub(crate) fn plan(&self) -> &ScanPlan {
        &self.plan
    }

    /// Why the scan stopped early, if it did.
    pub(crate) fn aborted(&self) -> Option<&str> {
        self.aborted.as_deref()
    }

    /// How long the scan took, once it is over.
    pub(crate) fn duration(&self) -> Option<Duration> {
        self.ended.map(|end| end.saturating_sub(self.started))
    }

    pub(crate) fn deadline(&self) -> Option<Duration> {
        self.in_flight.iter().map(|a| a.deadline).min()
    }

    /// Opens connections for every offer the plan allows now.
    fn send_more(&mut self, ctx: &mut Ctx) {
        if self.aborted.is_none() {
            while let Some((lane, offer)) = self.plan.next_offer(ctx.rng.block(), ctx.rng.block()) {
                let conn = ctx.connect(&self.host, self.port, ConnectTls::None);
                let wait = ctx.config.step_timeout.min(MAX_ATTEMPT_WAIT);
                let deadline = ctx.now + wait;
                self.in_flight.push(Attempt { conn, lane, offer, reader: FlightReader::new(), deadline });
            }
        }
        if self.in_flight.is_empty() && self.ended.is_none() {
            self.ended = Some(ctx.now);
        }
    }

    fn position(&self, conn: ConnId) -> Option<usize> {
        self.in_flight.iter().position(|a| a.conn == conn)
    }

    pub(crate) fn on_connected(&mut self, ctx: &mut Ctx, conn: ConnId) {
        let Some(attempt) = self.in_flight.iter().find(|a| a.conn == conn) else { return };
        match attempt.offer.encode() {
            Ok(hello) => ctx.transmit(conn, hello),
            // The plan's offers are valid by construction; should one not encode, end the scan cleanly.
            Err(e) => {
                self.aborted = Some(format!("cannot encode a ClientHello: {e}"));
                self.abandon_all(ctx);
            }
        }
    }

    pub(crate) fn on_connect_failed(&mut self, ctx: &mut Ctx, conn: ConnId, why: &str) {
        if self.position(conn).is_some() {
            self.aborted = Some(format!("the port stopped accepting connections: {why}"));
            ctx.step(crate::Layer::Tls, "TLS scan stopped: the port no longer accepts connections");
            self.abandon_all(ctx);
        }
    }

    pub(crate) fn on_data(&mut self, ctx: &mut Ctx, conn: ConnId, bytes: &[u8]) {
        let Some((i, attempt)) = self.in_flight.iter_mut().enumerate().find(|(_, a)| a.conn == conn) else {
            return;
        };
        if attempt.reader.push(bytes) == Progress::Done {
            ctx.close(conn);
            self.record(ctx, i, FlightEnd::Closed);
        }
    }

    pub(crate) fn on_closed(&mut self, ctx: &mut Ctx, conn: ConnId, reason: &CloseReason) {
        if let Some(i) = self.position(conn) {
            let end = if matches!(reason, CloseReason::Eof) { FlightEnd::Closed } else { FlightEnd::Reset };
            self.record(ctx, i, end);
        }
    }

    pub(crate) fn on_timeout(&mut self, ctx: &mut Ctx) {
        while let Some((i, attempt)) = self.in_flight.iter().enumerate().find(|(_, a)| ctx.now >= a.deadline)
        {
            ctx.close(attempt.conn);
            self.record(ctx, i, FlightEnd::Timeout);
        }
    }

    /// Ends attempt `i` with `end` and sends what the plan allows next.
    fn record(&mut self, ctx: &mut Ctx, i: usize, end: FlightEnd) {
        let attempt = self.in_flight.swap_remove(i);
        // A reader that finished early ignores `end`.
        let flight = attempt.reader.finish(end);
        self.plan.record(attempt.lane, &attempt.offer, flight);
        self.send_more(ctx);
    }

    /// Closes every attempt without recording it (the scan cannot go on).
    fn abandon_all(&mut self, ctx: &mut Ctx) {
        for attempt in self.in_flight.drain(..) {
            ctx.close(attempt.conn);
        }
        self.ended = Some(ctx.now);
    }
}

/// What the port answered to `OPTIONS` in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PlainAnswer {
    /// An RTSP response: its status line.
    Rtsp(String),
    /// An HTTP response: its status line.
    Http(String),
    /// Something else (escaped first bytes).
    Other(String),
    /// Nothing before the timeout or the close.
    Nothing,
}

/// The plain-RTSP check in progress.
#[derive(Debug)]
pub(crate) struct PlainCheck {
    conn: ConnId,
    received: Vec<u8>,
    deadline: Duration,
    answer: Option<PlainAnswer>,
}

impl PlainCheck {
    pub(crate) fn start(ctx: &mut Ctx, host: &str, port: u16) -> PlainCheck {
        let conn = ctx.connect(host, port, ConnectTls::None);
        let deadline = ctx.now + ctx.config.step_timeout.min(MAX_ATTEMPT_WAIT);
        PlainCheck { conn, received: Vec::new(), deadline, answer: None }
    }

    pub(crate) fn owns(&self, conn: ConnId) -> bool {
        self.conn == conn && self.answer.is_none()
    }

    /// The connection, while the check waits for it.
    pub(crate) fn conn(&self) -> Option<ConnId> {
        self.answer.is_none().then_some(self.conn)
    }

    pub(crate) fn answer(&self) -> Option<&PlainAnswer> {
        self.answer.as_ref()
    }

    pub(crate) fn deadline(&self) -> Option<Duration> {
        self.answer.is_none().then_some(self.deadline)
    }

    pub(crate) fn on_connected(&mut self, ctx: &mut Ctx, conn: ConnId, host: &str, port: u16, path: &str) {
        if self.owns(conn) {
            let request = format!(
                "OPTIONS rtsp://{}:{port}{path} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: {}\r\n\r\n",
                bracket(host),
                ctx.config.user_agent
            );
            ctx.transmit(conn, request.into_bytes());
        }
    }

    pub(crate) fn on_data(&mut self, ctx: &mut Ctx, conn: ConnId, bytes: &[u8]) {
        if !self.owns(conn) {
            return;
        }
        let room = PLAIN_CHECK_KEEP.saturating_sub(self.received.len());
        self.received.extend_from_slice(bytes.get(..room).unwrap_or(bytes));
        if self.received.contains(&b'\n') || self.received.len() >= PLAIN_CHECK_KEEP {
            self.conclude(ctx);
        }
    }

    pub(crate) fn on_gone(&mut self, ctx: &mut Ctx, conn: ConnId) {
        if self.owns(conn) {
            self.conclude(ctx);
        }
    }

    pub(crate) fn on_timeout(&mut self, ctx: &mut Ctx) {
        if self.answer.is_none() && ctx.now >= self.deadline {
            self.conclude(ctx);
        }
    }

    /// Concludes with what arrived so far, before the check's own deadline (the caller's bound has passed).
    pub(crate) fn give_up(&mut self, ctx: &mut Ctx) {
        if self.answer.is_none() {
            self.conclude(ctx);
        }
    }

    fn conclude(&mut self, ctx: &mut Ctx) {
        ctx.close(self.conn);
        let first_line = self.received.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(first_line).trim_end().to_owned();
        self.answer = Some(if self.received.is_empty() {
            PlainAnswer::Nothing
        } else {
            match looks_like(&self.received) {
                LooksLike::Rtsp => PlainAnswer::Rtsp(line),
                LooksLike::Http => PlainAnswer::Http(line),
                _ => PlainAnswer::Other(escape_bytes(self.received.get(..64).unwrap_or(&self.received))),
            }
        });
    }
}

/// What a plain-text answer is: the TLS sniffer's verdict (a byte-level TLS record is "other" here).
fn looks_like(bytes: &[u8]) -> LooksLike {
    match sniff(bytes) {
        Sniff::NotTls(looks_like) => looks_like,
        Sniff::Tls | Sniff::NotTlsYet | Sniff::Nothing => LooksLike::Other,
    }
}
