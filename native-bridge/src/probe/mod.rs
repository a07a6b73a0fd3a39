//! The native driver of the sans-IO [`Probe`]: tokio sockets, rustls with the recording verifier, UDP pairs
//! and the clock. The CLI (`rtspeek probe`) and the bridge's WebSocket both run probes through [`run`], so
//! they see the same events and the same report.

pub mod capture;
mod conn;
pub mod options;
mod tap;
mod udp;

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rtspeek_core::Report;
use rtspeek_core::probe::{
    CloseReason, ConnId, ConnectError, ConnectTls, HandshakeFailure, Input, MediaFrame, Output, Probe,
    ProbeConfig, ProbeEvent, TlsEstablished, UdpChannel, UdpId, VerifierRecord,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::tls::{ConfigError, Connector, TlsOptions};
pub use capture::{RecordError, RecordOptions, Recorder, Recording};
pub use options::{ConfigureError, ProbeOptions, TrustChoice, configure, tls_options};
use udp::UdpPair;

/// Where a probe's events and media frames go.
pub trait ProbeSink {
    /// An event, as it happens.
    fn event(&mut self, event: &ProbeEvent);
    /// An access unit for a preview (only with `deliver_media`).
    fn media(&mut self, _frame: MediaFrame) {}
    /// The certificate chain a TLS handshake presented (rustls or the legacy client), DER, leaf first, as
    /// received: for `--save-chain`.
    fn chain(&mut self, _der: &[Vec<u8>]) {}
}

impl<F: FnMut(&ProbeEvent)> ProbeSink for F {
    fn event(&mut self, event: &ProbeEvent) {
        self(event);
    }
}

/// What a connection or UDP task observed, owned, for the driver loop.
#[derive(Debug)]
pub(crate) enum Observed {
    Connected { conn: ConnId, peer: SocketAddr, local: Option<SocketAddr> },
    ConnectFailed { conn: ConnId, error: ConnectError },
    TlsEstablished { conn: ConnId, tls: TlsEstablished },
    TlsFailed { conn: ConnId, failure: HandshakeFailure, verifier: Option<VerifierRecord> },
    Data { conn: ConnId, bytes: Vec<u8> },
    Closed { conn: ConnId, reason: CloseReason },
    Datagram { udp: UdpId, channel: UdpChannel, bytes: Vec<u8>, from: SocketAddr, dropped: u32 },
}

impl Observed {
    fn as_input(&self) -> Input<'_> {
        match self {
            Observed::Connected { conn, peer, .. } => Input::Connected { conn: *conn, peer: *peer },
            Observed::ConnectFailed { conn, error } => {
                Input::ConnectFailed { conn: *conn, error: error.clone() }
            }
            Observed::TlsEstablished { conn, tls } => Input::TlsEstablished { conn: *conn, tls: tls.clone() },
            Observed::TlsFailed { conn, failure, verifier } => {
                Input::TlsFailed { conn: *conn, failure: failure.clone(), verifier: verifier.clone() }
            }
            Observed::Data { conn, bytes } => Input::Data { conn: *conn, bytes },
            Observed::Closed { conn, reason } => Input::Closed { conn: *conn, reason: reason.clone() },
            Observed::Datagram { udp, channel, bytes, from, dropped } => {
                Input::Datagram { udp: *udp, channel: *channel, bytes, from: *from, dropped: *dropped }
            }
        }
    }
}

/// Messages queued from the connection and UDP tasks to the driver loop. Connection tasks wait when it is
/// full (TCP flow control then slows the server), UDP tasks drop and count (see `udp`): at most this many
/// reads (64 KiB each at most) are held, whatever a camera sends.
const OBSERVED_QUEUE: usize = 256;

/// Writes queued for one connection. The probe writes a request at a time and a receiver report a second;
/// a connection whose writes pile up is a server that stops reading, and is closed.
const WRITE_QUEUE: usize = 64;

/// A live connection task and the way to write to it.
struct ConnTask {
    writes: mpsc::Sender<Vec<u8>>,
    task: JoinHandle<()>,
}

/// Runs a probe to the end: the report. `tls` configures the TLS client (trust anchors, `--insecure`, client
/// certificate); the probe's own timers bound every step, and `stop` (Ctrl-C, a WebSocket's stop command)
/// makes it tear down and report early.
pub async fn run(
    config: ProbeConfig,
    tls: &TlsOptions,
    sink: &mut (dyn ProbeSink + Send),
    stop: impl Future<Output = ()>,
) -> Result<Report, ConfigError> {
    run_recorded(config, tls, &Recorder::default(), sink, stop).await
}

/// [`run`], with the probe's connections, datagrams and TLS secrets recorded through `recorder` (`--capture`,
/// `--keylog`; see [`capture`]). Every connection task is gone when this returns, so the recording can be
/// finished.
pub async fn run_recorded(
    config: ProbeConfig,
    tls: &TlsOptions,
    recorder: &Recorder,
    sink: &mut (dyn ProbeSink + Send),
    stop: impl Future<Output = ()>,
) -> Result<Report, ConfigError> {
    // The probe's own timer bounds the handshake; the connector's bound is only a backstop.
    let handshake_timeout = config.step_timeout + Duration::from_secs(1);
    let mut connector = Connector::new(tls)?.with_handshake_timeout(handshake_timeout);
    if recorder.is_active() {
        connector = connector.with_key_log(Arc::new(tap::RecorderKeyLog(recorder.clone())));
    }
    let connector = Arc::new(connector);
    let mut probe = Probe::new(config);
    let start = Instant::now();
    let (events_tx, mut events) = mpsc::channel::<Observed>(OBSERVED_QUEUE);
    let mut conns: HashMap<ConnId, ConnTask> = HashMap::new();
    let mut udps: HashMap<UdpId, UdpPair> = HashMap::new();
    let mut peer_ip: Option<IpAddr> = None;
    // The probe's own address towards the server (UDP sockets are bound to the unspecified address): for the
    // capture's UDP packets.
    let mut local_ip: Option<IpAddr> = None;
    tokio::pin!(stop);
    let mut stopped = false;
    let report = 'drive: loop {
        let wake = loop {
            // A batch ends with Timeout or Done (`Probe::poll_output`), so `None` cannot come before Done.
            let Some(output) = probe.poll_output() else { unreachable!("the probe's outputs end with Done") };
            match output {
                Output::Connect { conn, host, port, tls, server_name } => {
                    let (writes, rx) = mpsc::channel(WRITE_QUEUE);
                    let tls = match tls {
                        ConnectTls::None => conn::Handshake::None,
                        ConnectTls::Handshake => conn::Handshake::Modern(Arc::clone(&connector)),
                        ConnectTls::Legacy => conn::Handshake::Legacy(handshake_timeout),
                    };
                    let task = tokio::spawn(conn::run(
                        conn,
                        (host, port),
                        server_name,
                        tls,
                        (rx, events_tx.clone()),
                        recorder.clone(),
                    ));
                    conns.insert(conn, ConnTask { writes, task });
                }
                Output::Transmit { conn, data } => {
                    let full = conns.get(&conn).is_some_and(|c| c.writes.try_send(data).is_err());
                    if full && let Some(c) = conns.remove(&conn) {
                        c.task.abort();
                        let reason =
                            CloseReason::Error("the server stopped reading (write queue full)".into());
                        probe.handle_input(start.elapsed(), Input::Closed { conn, reason });
                    }
                }
                Output::Close { conn } => {
                    if let Some(c) = conns.remove(&conn) {
                        c.task.abort();
                    }
                }
                Output::BindUdp { udp } => {
                    let now = start.elapsed();
                    let Some(ip) = peer_ip else {
                        probe.handle_input(
                            now,
                            Input::UdpFailed { udp, message: "no server address yet".into() },
                        );
                        continue;
                    };
                    let tap = udp::UdpTap { recorder: recorder.clone(), local_ip };
                    match UdpPair::bind(udp, ip, events_tx.clone(), tap).await {
                        Ok((pair, rtp_port, rtcp_port)) => {
                            udps.insert(udp, pair);
                            probe.handle_input(start.elapsed(), Input::UdpBound { udp, rtp_port, rtcp_port });
                        }
                        Err(e) => probe
                            .handle_input(start.elapsed(), Input::UdpFailed { udp, message: e.to_string() }),
                    }
                }
                Output::SendUdp { udp, channel, port, data } => {
                    if let (Some(pair), Some(ip)) = (udps.get(&udp), peer_ip) {
                        pair.send(channel, SocketAddr::new(ip, port), &data).await;
                    }
                }
                Output::CloseUdp { udp } => {
                    if let Some(pair) = udps.remove(&udp) {
                        pair.close();
                    }
                }
                Output::Event(event) => sink.event(&event),
                Output::Media(frame) => sink.media(frame),
                Output::Timeout(at) => break at,
                Output::Done(report) => {
                    // The probe hands the report out once; event streams end with it as `done`.
                    let done = ProbeEvent::Done { report };
                    sink.event(&done);
                    let ProbeEvent::Done { report } = done else { unreachable!("built above") };
                    break 'drive *report;
                }
            }
        };
        tokio::select! {
            // Never `None`: this loop holds a sender of the channel itself.
            Some(observed) = events.recv() => {
                match &observed {
                    Observed::Connected { peer, local, .. } => {
                        peer_ip = Some(peer.ip());
                        local_ip = local.map(|l| l.ip()).or(local_ip);
                    }
                    Observed::TlsEstablished { tls, .. } => sink.chain(&tls.verifier.chain),
                    Observed::TlsFailed { verifier: Some(v), .. } if !v.chain.is_empty() => sink.chain(&v.chain),
                    _ => {}
                }
                probe.handle_input(start.elapsed(), observed.as_input());
            }
            () = tokio::time::sleep_until(start + wake) => probe.handle_timeout(start.elapsed()),
            () = &mut stop, if !stopped => {
                stopped = true;
                probe.handle_input(start.elapsed(), Input::Interrupt);
            }
        }
    };
    for (_, c) in conns {
        c.task.abort();
        // Waited for, so that each connection's end is recorded before the recording finishes.
        let _ = c.task.await;
    }
    for (_, pair) in udps {
        pair.close();
    }
    Ok(report)
}
