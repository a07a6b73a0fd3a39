//! Port discovery for `rtspeek probe HOST`: an installer's first question is whether the camera does RTSPS
//! at all, and on which port. Every candidate port is tried at once: a TLS ClientHello first (a TLS answer
//! means RTSPS), and for ports that stay silent or hang up on it, `OPTIONS` in clear (an RTSP answer means
//! plain RTSP).

use std::time::Duration;

use super::ctx::Ctx;
use super::io::{ConnId, ConnectError, ConnectErrorKind, ConnectTls};
use super::scan::{PlainAnswer, PlainCheck};
use crate::Layer;
use crate::diagnose::facts::PortFacts;
use crate::rtsp::url::Scheme;
use crate::tls::{ClientHelloConfig, FlightEnd, FlightReader, LooksLike, Progress, ServerFlight};

#[derive(Debug)]
enum State {
    Connecting { conn: ConnId },
    Hello { conn: ConnId, reader: FlightReader },
    Plain(PlainCheck),
    Done,
}

#[derive(Debug)]
struct PortProbe {
    port: u16,
    state: State,
    deadline: Duration,
    answer: Option<PortFacts>,
}

/// The discovery in progress.
#[derive(Debug)]
pub(crate) struct Discovery {
    host: String,
    path: String,
    per_port: Duration,
    probes: Vec<PortProbe>,
}

impl Discovery {
    pub(crate) fn start(
        ctx: &mut Ctx,
        host: &str,
        path: &str,
        ports: &[u16],
        per_port: Duration,
    ) -> Discovery {
        let mut probes = Vec::new();
        for &port in ports {
            if probes.iter().any(|p: &PortProbe| p.port == port) {
                continue;
            }
            let conn = ctx.connect(host, port, ConnectTls::None);
            probes.push(PortProbe {
                port,
                state: State::Connecting { conn },
                deadline: ctx.now + per_port,
                answer: None,
            });
        }
        let list: Vec<String> = probes.iter().map(|p| p.port.to_string()).collect();
        ctx.step(Layer::Tcp, format!("looking for RTSPS and RTSP on {host}, ports {}", list.join(", ")));
        Discovery { host: host.to_owned(), path: path.to_owned(), per_port, probes }
    }

    pub(crate) fn done(&self) -> bool {
        self.probes.iter().all(|p| matches!(p.state, State::Done))
    }

    pub(crate) fn deadline(&self) -> Option<Duration> {
        self.probes.iter().filter(|p| !matches!(p.state, State::Done)).map(|p| p.deadline).min()
    }

    /// What every port answered.
    pub(crate) fn facts(&self) -> Vec<PortFacts> {
        self.probes.iter().filter_map(|p| p.answer.clone()).collect()
    }

    /// The port to probe: the first (in the order given) that speaks TLS, else the first that speaks RTSP.
    pub(crate) fn best(&self) -> Option<(Scheme, u16)> {
        let first =
            |answer: &str| self.probes.iter().find(|p| p.answer.as_ref().is_some_and(|a| a.answer == answer));
        first("tls")
            .map(|p| (Scheme::Rtsps, p.port))
            .or_else(|| first("rtsp").map(|p| (Scheme::Rtsp, p.port)))
    }

    fn probe(&mut self, conn: ConnId) -> Option<&mut PortProbe> {
        self.probes.iter_mut().find(|p| p.conn() == Some(conn))
    }

    pub(crate) fn on_connected(&mut self, ctx: &mut Ctx, conn: ConnId) {
        let (host, path) = (self.host.clone(), self.path.clone());
        let hello =
            ClientHelloConfig::modern(ctx.rng.block(), ctx.rng.block()).with_server_name(&host).encode();
        let Some(probe) = self.probe(conn) else { return };
        match &mut probe.state {
            State::Connecting { conn } => {
                let conn = *conn;
                match hello {
                    Ok(bytes) => {
                        ctx.transmit(conn, bytes);
                        probe.state = State::Hello { conn, reader: FlightReader::new() };
                    }
                    Err(e) => probe.conclude(ctx, "error", format!("cannot build a ClientHello: {e}")),
                }
            }
            State::Plain(check) => check.on_connected(ctx, conn, &host, probe.port, &path),
            State::Hello { .. } | State::Done => {}
        }
    }

    pub(crate) fn on_connect_failed(&mut self, ctx: &mut Ctx, conn: ConnId, error: &ConnectError) {
        let Some(probe) = self.probe(conn) else { return };
        let answer = match error.kind {
            ConnectErrorKind::Refused => "refused",
            ConnectErrorKind::TimedOut => "timeout",
            ConnectErrorKind::Unreachable => "unreachable",
            ConnectErrorKind::Dns | ConnectErrorKind::Other => "error",
        };
        probe.conclude(ctx, answer, error.message.clone());
    }

    pub(crate) fn on_data(&mut self, ctx: &mut Ctx, conn: ConnId, bytes: &[u8]) {
        let (per_port, host) = (self.per_port, self.host.clone());
        let Some(probe) = self.probe(conn) else { return };
        match &mut probe.state {
            State::Hello { reader, .. } => {
                if reader.push(bytes) == Progress::Done {
                    ctx.close(conn);
                    probe.hello_answered(ctx, FlightEnd::Closed, &host, per_port);
                }
            }
            State::Plain(check) => {
                check.on_data(ctx, conn, bytes);
                probe.plain_answered(ctx);
            }
            State::Connecting { .. } | State::Done => {}
        }
    }

    pub(crate) fn on_closed(&mut self, ctx: &mut Ctx, conn: ConnId, reset: bool) {
        let (per_port, host) = (self.per_port, self.host.clone());
        let Some(probe) = self.probe(conn) else { return };
        match &mut probe.state {
            State::Hello { .. } => {
                let end = if reset { FlightEnd::Reset } else { FlightEnd::Closed };
                probe.hello_answered(ctx, end, &host, per_port);
            }
            State::Plain(check) => {
                check.on_gone(ctx, conn);
                probe.plain_answered(ctx);
            }
            State::Connecting { .. } | State::Done => {}
        }
    }

    pub(crate) fn on_timeout(&mut self, ctx: &mut Ctx) {
        let (per_port, host) = (self.per_port, self.host.clone());
        for probe in &mut self.probes {
            if ctx.now < probe.deadline {
                continue;
            }
            match &mut probe.state {
                State::Connecting { conn } => {
                    ctx.close(*conn);
                    probe.conclude(ctx, "timeout", "no answer to the connection attempt".to_owned());
                }
                State::Hello { conn, .. } => {
                    ctx.close(*conn);
                    probe.hello_answered(ctx, FlightEnd::Timeout, &host, per_port);
                }
                State::Plain(check) => {
                    // The port's bound, not the check's own (which can be later), ends it: a deadline left in
                    // the past would make the probe's timer fire again at once, without end.
                    check.give_up(ctx);
                    probe.plain_answered(ctx);
                }
                State::Done => {}
            }
        }
    }
}

impl PortProbe {
    fn conn(&self) -> Option<ConnId> {
        match &self.state {
            State::Connecting { conn } | State::Hello { conn, .. } => Some(*conn),
            State::Plain(check) => check.conn(),
            State::Done => None,
        }
    }

    fn conclude(&mut self, ctx: &mut Ctx, answer: &str, detail: String) {
        ctx.step(
            Layer::Tcp,
            format!(
                "port {}: {answer}{}",
                self.port,
                if detail.is_empty() { String::new() } else { format!(" ({detail})") }
            ),
        );
        self.answer = Some(PortFacts { port: self.port, answer: answer.to_owned(), detail });
        self.state = State::Done;
    }

    /// The port's answer to the ClientHello; silence or a hang-up lead to the plain-RTSP check.
    fn hello_answered(&mut self, ctx: &mut Ctx, end: FlightEnd, host: &str, per_port: Duration) {
        let State::Hello { reader, .. } = std::mem::replace(&mut self.state, State::Done) else { return };
        match reader.finish(end) {
            ServerFlight::ServerHello(flight) => {
                self.conclude(ctx, "tls", format!("{} with {}", flight.version, flight.suite));
            }
            ServerFlight::Alert(alert) => {
                self.conclude(ctx, "tls", format!("refused our offer with {}", alert.description))
            }
            ServerFlight::Malformed(e) => self.conclude(ctx, "tls", format!("malformed TLS: {e}")),
            ServerFlight::NotTls { looks_like, first_bytes } => {
                let line =
                    String::from_utf8_lossy(first_bytes.split(|&b| b == b'\n').next().unwrap_or_default())
                        .trim_end()
                        .to_owned();
                let answer = match looks_like {
                    LooksLike::Rtsp => "rtsp",
                    LooksLike::Http => "http",
                    LooksLike::Ssh | LooksLike::Other => "other",
                };
                self.conclude(ctx, answer, line);
            }
            ServerFlight::Truncated { .. } | ServerFlight::Empty { .. } => {
                self.deadline = ctx.now + per_port;
                self.state = State::Plain(PlainCheck::start(ctx, host, self.port));
            }
        }
    }

    fn plain_answered(&mut self, ctx: &mut Ctx) {
        let State::Plain(check) = &self.state else { return };
        let Some(answer) = check.answer().cloned() else { return };
        match answer {
            PlainAnswer::Rtsp(line) => self.conclude(ctx, "rtsp", line),
            PlainAnswer::Http(line) => self.conclude(ctx, "http", line),
            PlainAnswer::Other(bytes) => self.conclude(ctx, "other", bytes),
            PlainAnswer::Nothing => self.conclude(
                ctx,
                "silent",
                "accepts connections but answers neither TLS nor RTSP".to_owned(),
            ),
        }
    }
}
