//! The TLS scan stage: our own ClientHellos (TLS 1.0-1.3, legacy suites, built by [`crate::tls`]) over fresh
//! connections, one at a time, as planned by [`ScanPlan`]; then the plain-RTSP check, which asks the same
//! port for `OPTIONS` in clear on a fresh connection, because the commonest RTSPS failure is a camera with
//! RTSPS switched off.

use std::time::Duration;

use super::connect::bracket;
use super::ctx::Ctx;
use super::io::{CloseReason, ConnId, ConnectTls};
use crate::tls::{
    ClientHelloConfig, FlightEnd, FlightReader, LooksLike, Progress, ScanPlan, Sniff, escape_bytes, sniff,
};

/// Longest wait for one scan answer: a silent port ends the scan at its first attempt anyway.
const MAX_ATTEMPT_WAIT: Duration = Duration::from_secs(3);

/// Bytes kept from the plain-RTSP check's answer.
const PLAIN_CHECK_KEEP: usize = 512;

#[derive(Debug)]
struct Attempt {
    conn: ConnId,
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
    current: Option<Attempt>,
    /// Set when the port stopped accepting connections mid-scan.
    aborted: Option<String>,
}

impl ScanRun {
    pub(crate) fn start(ctx: &mut Ctx, host: &str, port: u16) -> ScanRun {
        let mut run =
            ScanRun { host: host.to_owned(), port, plan: ScanPlan::new(host), current: None, aborted: None };
        run.next(ctx);
        run
    }

    /// Whether the scan is over.
    pub(crate) fn done(&self) -> bool {
        self.current.is_none()
    }

    pub(crate) fn plan(&self) -> &ScanPlan {
        &self.plan
    }

    /// Why the scan stopped early, if it did.
    pub(crate) fn aborted(&self) -> Option<&str> {
        self.aborted.as_deref()
    }

    pub(crate) fn owns(&self, conn: ConnId) -> bool {
        self.current.as_ref().is_some_and(|a| a.conn == conn)
    }

    pub(crate) fn deadline(&self) -> Option<Duration> {
        self.current.as_ref().map(|a| a.deadline)
    }

    fn next(&mut self, ctx: &mut Ctx) {
        let (random, share) = (ctx.rng.block(), ctx.rng.block());
        self.current = self.plan.next_offer(random, share).map(|offer| {
            let conn = ctx.connect(&self.host, self.port, ConnectTls::None);
            let wait = ctx.config.step_timeout.min(MAX_ATTEMPT_WAIT);
            Attempt { conn, offer, reader: FlightReader::new(), deadline: ctx.now + wait }
        });
    }

    pub(crate) fn on_connected(&mut self, ctx: &mut Ctx, conn: ConnId) {
        let Some(attempt) = self.current.as_mut().filter(|a| a.conn == conn) else { return };
        match attempt.offer.encode() {
            Ok(hello) => ctx.transmit(conn, hello),
            // The plan's offers are valid by construction; should one not encode, end the scan cleanly.
            Err(e) => {
                self.aborted = Some(format!("cannot encode a ClientHello: {e}"));
                ctx.close(conn);
                self.current = None;
            }
        }
    }

    pub(crate) fn on_connect_failed(&mut self, ctx: &mut Ctx, conn: ConnId, why: &str) {
        if self.owns(conn) {
            self.aborted = Some(format!("the port stopped accepting connections: {why}"));
            self.current = None;
            ctx.step(crate::Layer::Tls, "TLS scan stopped: the port no longer accepts connections");
        }
    }

    pub(crate) fn on_data(&mut self, ctx: &mut Ctx, conn: ConnId, bytes: &[u8]) {
        let Some(attempt) = self.current.as_mut().filter(|a| a.conn == conn) else { return };
        if attempt.reader.push(bytes) == Progress::Done {
            ctx.close(conn);
            self.record(ctx, FlightEnd::Closed);
        }
    }

    pub(crate) fn on_closed(&mut self, ctx: &mut Ctx, conn: ConnId, reason: &CloseReason) {
        if self.owns(conn) {
            let end = if matches!(reason, CloseReason::Eof) { FlightEnd::Closed } else { FlightEnd::Reset };
            self.record(ctx, end);
        }
    }

    pub(crate) fn on_timeout(&mut self, ctx: &mut Ctx) {
        if let Some(attempt) = &self.current
            && ctx.now >= attempt.deadline
        {
            ctx.close(attempt.conn);
            self.record(ctx, FlightEnd::Timeout);
        }
    }

    /// Ends the current attempt with `end` and starts the next.
    fn record(&mut self, ctx: &mut Ctx, end: FlightEnd) {
        let Some(attempt) = self.current.take() else { return };
        // A reader that finished early ignores `end`.
        let flight = attempt.reader.finish(end);
        self.plan.record(&attempt.offer, flight);
        self.next(ctx);
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
        self.received.extend_from_slice(&bytes[..bytes.len().min(room)]);
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
                _ => PlainAnswer::Other(escape_bytes(&self.received[..self.received.len().min(64)])),
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
