//! The real [`Probe`] against the real [`ServerSession`], stepped together in virtual time (quinn-proto's
//! `Pair`): client and server are tested against each other without sockets, threads or sleeps.
//!
//! The harness is both drivers at once. It moves the bytes one writes to the other after [`LATENCY`], answers
//! the server's `Subscribe` from one shared media stream, and sends that stream's RTP (interleaved or over
//! UDP) to every connection that plays. The stream is the stored fixture `tests/fixtures/media/h264.264`
//! (160x90, 10 fps, a keyframe every 5 frames), looped, sent by core's [`StreamSender`] (packets, an RTCP
//! sender report every second, the RTP position) as `rtspeek serve` does.
//!
//! TLS is the drivers' (rustls in the native bridge), not core's: on an RTSPS port the harness stands in for
//! both TLS stacks, reports the handshake to the probe with the fixture chain, and moves the bytes in clear.
//! The probe's own raw ClientHellos (the TLS scan) get a reset, since there is no TLS server here; the pairs
//! run with the scan on failure only.

mod cases;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rtspeek_core::Report;
use rtspeek_core::codec::Frame;
use rtspeek_core::container::{self, ElementaryStream};
use rtspeek_core::probe::{
    CloseReason, ConnId, ConnectError, ConnectErrorKind, ConnectTls, HandshakeFailure, Input, Output, Probe,
    ProbeConfig, ProbeEvent, TlsEstablished, UdpChannel, UdpId, VerifierRecord,
};
use rtspeek_core::rtsp::auth::{Algorithm, ServerKey, UserTable};
use rtspeek_core::serve::{
    self, AuthPolicy, Catalog, Delivery, Encryption, Mount, RtpPosition, SenderConfig, ServerSession,
    SessionConfig, SessionStats, StreamSender, TransportPolicy,
};

use crate::support::probe::{HOST_IP, INTERMEDIATE, LEAF, NOW, der_chain};

/// One-way latency of the virtual network.
pub(crate) const LATENCY: Duration = Duration::from_millis(1);
/// The probe's address, as the server sees it.
const CLIENT_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 99));
/// The server's UDP ports (RTP, RTCP) on plain connections.
const SERVER_UDP: (u16, u16) = (6970, 6971);
/// The stream's SSRC and first sequence number.
const SSRC: u32 = 0x5EED_0001;
const FIRST_SEQ: u16 = 31_000;
const RTP_BASE: u32 = 1_000_000;
/// How often the stream sends an RTCP sender report.
const REPORT_EVERY: Duration = Duration::from_secs(1);
/// The user every protected mount knows.
pub(crate) const USER: &str = "viewer";
pub(crate) const PASSWORD: &str = "s3cret";
const H264: &[u8] = include_bytes!("../../../../tests/fixtures/media/h264.264");

/// What the server serves, and where.
#[derive(Debug, Clone)]
pub(crate) struct Server {
    /// Its TCP port.
    pub(crate) port: u16,
    /// RTSPS (the harness plays both TLS stacks) or plain RTSP (which offers UDP too).
    pub(crate) tls: bool,
    /// The mounts, all fed by the one stream.
    pub(crate) mounts: Vec<Mount>,
}

impl Server {
    /// RTSPS on 322 with the open mount `cam`.
    pub(crate) fn rtsps() -> Server {
        Server { port: 322, tls: true, mounts: vec![mount("cam", None)] }
    }

    /// Plain RTSP on 554 with the open mount `cam`.
    pub(crate) fn rtsp() -> Server {
        Server { port: 554, tls: false, ..Server::rtsps() }
    }

    /// The same server with `cam` behind `auth`.
    pub(crate) fn locked(mut self, auth: AuthPolicy) -> Server {
        self.mounts = vec![mount("cam", Some(auth))];
        self
    }
}

/// A mount of the fixture stream at `path`.
pub(crate) fn mount(path: &str, auth: Option<AuthPolicy>) -> Mount {
    Mount {
        path: path.into(),
        title: "pair".into(),
        info: fixture().info,
        payload_type: 96,
        auth,
        ssrc: Some(SSRC),
        encryption: Encryption::Optional,
        srtp: Default::default(),
    }
}

/// [`USER`] with [`PASSWORD`], by Basic and/or Digest (SHA-256, MD5).
pub(crate) fn auth(basic: bool, digest: bool) -> AuthPolicy {
    AuthPolicy {
        realm: "rtspeek-pair".into(),
        basic,
        digest: if digest { vec![Algorithm::SHA256, Algorithm::MD5] } else { Vec::new() },
        users: UserTable::new().with_password(USER, PASSWORD),
        allow_rfc2069: false,
        allow_basic_cleartext: false,
    }
}

fn fixture() -> ElementaryStream {
    container::load(H264, 25.0).expect("the H.264 fixture loads")
}

#[derive(Debug)]
struct Mounts(Vec<Mount>);

impl Catalog for Mounts {
    fn mount(&self, path: &str) -> Option<&Mount> {
        self.0.iter().find(|m| m.path == path)
    }
}

/// The one media stream every mount shares: the fixture looped, packetized once for every client.
struct Stream {
    frames: Vec<Frame>,
    /// Length of one pass in 90 kHz ticks.
    duration: u64,
    sender: StreamSender,
    /// Frames published so far.
    published: u64,
    /// Where the stream stands (the next packet), `None` before the first frame.
    position: Option<RtpPosition>,
}

impl Stream {
    fn new() -> Stream {
        let es = fixture();
        let config = SenderConfig { report_interval: REPORT_EVERY, ..SenderConfig::new(96) };
        // The sender takes its SSRC, first sequence number and RTP time base from random bytes: these.
        let mut random = [0; 10];
        random[..4].copy_from_slice(&SSRC.to_be_bytes());
        random[4..6].copy_from_slice(&FIRST_SEQ.to_be_bytes());
        random[6..].copy_from_slice(&RTP_BASE.to_be_bytes());
        let sender = StreamSender::new(&es.info, config, random).expect("sender");
        assert_eq!(sender.ssrc(), SSRC);
        Stream { frames: es.frames, duration: es.duration, sender, published: 0, position: None }
    }

    /// The frame to publish next and its pts, counting passes over the file.
    fn next_frame(&self) -> (&Frame, u64) {
        let n = self.frames.len() as u64;
        let frame = &self.frames[(self.published % n) as usize];
        (frame, frame.pts + (self.published / n) * self.duration)
    }

    /// When the next frame is due.
    fn due(&self) -> Duration {
        Duration::from_micros(self.next_frame().1 * 1_000_000 / 90_000)
    }

    /// Publishes the frame due at `now`: `(rtcp, packet)`, a sender report first when one is due.
    fn publish(&mut self, now: Duration) -> Vec<(bool, Vec<u8>)> {
        let (frame, pts) = self.next_frame();
        let frame = Frame { pts, ..frame.clone() };
        let wall = Duration::from_secs(NOW.0 as u64) + now;
        let sent = self.sender.send(now, wall, &frame).expect("the fixture packetizes");
        let mut out: Vec<(bool, Vec<u8>)> = sent.report.map(|r| (true, r.to_vec())).into_iter().collect();
        out.extend(sent.packets.iter().map(|p| (false, p.to_vec())));
        self.published += 1;
        self.position = self.sender.position();
        out
    }
}

/// Something that reaches the probe or the server at a given time.
#[derive(Debug, Clone)]
enum Event {
    Connected(ConnId),
    TlsEstablished(ConnId),
    TlsFailed(ConnId, HandshakeFailure),
    ConnectFailed(ConnId),
    ToProbe(ConnId, Vec<u8>),
    ProbeClosed(ConnId, CloseReason),
    UdpBound(UdpId, u16),
    Datagram(UdpId, UdpChannel, Vec<u8>),
    ToServer(ConnId, Vec<u8>),
    RtcpToServer(ConnId, Vec<u8>),
}

/// The server's side of one probe connection.
struct ServerConn {
    /// `None` on a raw connection to an RTSPS port (the probe's own ClientHellos).
    session: Option<ServerSession>,
    /// Media being sent, from `Play` to `Pause`/`Stop`.
    delivery: Option<Delivery>,
    /// `Subscribe` was answered and no `Play`/`Pause`/`Stop` took it yet.
    subscribed: bool,
    /// When the session wants `handle_timeout`.
    wake: Option<Duration>,
    closed: bool,
}

/// The probe and the server, stepped together.
pub(crate) struct Pair {
    pub(crate) probe: Probe,
    pub(crate) server: Server,
    /// The probe's events, in order.
    pub(crate) events: Vec<ProbeEvent>,
    /// Why the server closed connections.
    pub(crate) server_closes: Vec<serve::CloseReason>,
    /// Subscriptions the server asked for.
    pub(crate) subscriptions: usize,
    config: SessionConfig,
    catalog: Arc<Mounts>,
    stream: Stream,
    conns: BTreeMap<ConnId, ServerConn>,
    /// The probe's UDP pairs: their RTP port.
    udp_ports: BTreeMap<UdpId, u16>,
    next_udp_port: u16,
    now: Duration,
    queue: BinaryHeap<Reverse<(Duration, u64)>>,
    scheduled: BTreeMap<u64, Event>,
    order: u64,
}

impl Pair {
    pub(crate) fn new(config: ProbeConfig, server: Server) -> Pair {
        let mut session_config = SessionConfig::new("rtspeek-pair", ServerKey::new(vec![7; 32]));
        session_config.unix_origin = NOW;
        let mut stream = Stream::new();
        // The source has produced its first frame before the probe starts.
        let _ = stream.publish(Duration::ZERO);
        Pair {
            probe: Probe::new(config),
            catalog: Arc::new(Mounts(server.mounts.clone())),
            server,
            events: Vec::new(),
            server_closes: Vec::new(),
            subscriptions: 0,
            config: session_config,
            stream,
            conns: BTreeMap::new(),
            udp_ports: BTreeMap::new(),
            next_udp_port: 40_000,
            now: Duration::ZERO,
            queue: BinaryHeap::new(),
            scheduled: BTreeMap::new(),
            order: 0,
        }
    }

    /// The server sessions' statistics, one per RTSP connection, in the order of the connections.
    pub(crate) fn server_stats(&self) -> Vec<SessionStats> {
        self.conns.values().filter_map(|c| c.session.as_ref()).map(|s| s.stats().clone()).collect()
    }

    fn at(&mut self, delay: Duration, event: Event) {
        self.order += 1;
        self.queue.push(Reverse((self.now + delay, self.order)));
        self.scheduled.insert(self.order, event);
    }

    /// Runs to the probe's report. Panics if it does not come within 10 virtual minutes.
    pub(crate) fn run(&mut self) -> Report {
        for _ in 0..5_000_000u32 {
            let mut probe_wake = None;
            while let Some(out) = self.probe.poll_output() {
                match out {
                    Output::Timeout(at) => {
                        probe_wake = Some(at);
                        break;
                    }
                    Output::Done(report) => {
                        assert!(self.probe.poll_output().is_none(), "nothing after Done");
                        return *report;
                    }
                    other => self.probe_output(other),
                }
            }
            let probe_wake = probe_wake.expect("a timeout when the probe has nothing to do");
            let ids: Vec<ConnId> = self.conns.keys().copied().collect();
            for id in ids {
                self.drain_server(id);
            }
            let server_wake = self.conns.values().filter(|c| !c.closed).filter_map(|c| c.wake).min();
            let event = self.queue.peek().map(|Reverse((at, _))| *at);
            let frame = self.stream.due();
            let next = [Some(probe_wake), server_wake, event, Some(frame)].into_iter().flatten().min();
            let next = next.unwrap_or(probe_wake);
            assert!(next < Duration::from_secs(600), "virtual time ran away: {next:?}");
            self.now = self.now.max(next);
            if event == Some(next) {
                let Reverse((_, order)) = self.queue.pop().expect("peeked");
                let event = self.scheduled.remove(&order).expect("scheduled");
                self.deliver(event);
            } else if frame == next {
                self.publish();
            } else if server_wake == Some(next) {
                let now = self.now;
                for conn in self.conns.values_mut().filter(|c| !c.closed && c.wake.is_some_and(|w| w <= now))
                {
                    if let Some(session) = &mut conn.session {
                        session.handle_timeout(now);
                    }
                }
            } else {
                self.probe.handle_timeout(self.now);
            }
        }
        panic!("the probe does not finish");
    }

    fn deliver(&mut self, event: Event) {
        let now = self.now;
        match event {
            Event::Connected(conn) => {
                let peer = SocketAddr::new(HOST_IP, self.server.port);
                self.probe.handle_input(now, Input::Connected { conn, peer });
            }
            Event::TlsEstablished(conn) => {
                let tls = TlsEstablished {
                    version: "TLSv1.3".into(),
                    cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
                    verifier: VerifierRecord {
                        chain: der_chain(&[LEAF, INTERMEDIATE]),
                        ..Default::default()
                    },
                    ..TlsEstablished::default()
                };
                self.probe.handle_input(now, Input::TlsEstablished { conn, tls });
            }
            Event::TlsFailed(conn, failure) => {
                self.probe.handle_input(now, Input::TlsFailed { conn, failure, verifier: None });
            }
            Event::ConnectFailed(conn) => {
                let error =
                    ConnectError { kind: ConnectErrorKind::Refused, message: "refused (pair)".into() };
                self.probe.handle_input(now, Input::ConnectFailed { conn, error });
            }
            Event::ToProbe(conn, bytes) => self.probe.handle_input(now, Input::Data { conn, bytes: &bytes }),
            Event::ProbeClosed(conn, reason) => self.probe.handle_input(now, Input::Closed { conn, reason }),
            Event::UdpBound(udp, rtp_port) => {
                self.probe.handle_input(now, Input::UdpBound { udp, rtp_port, rtcp_port: rtp_port + 1 })
            }
            Event::Datagram(udp, channel, bytes) => {
                let port = if channel == UdpChannel::Rtp { SERVER_UDP.0 } else { SERVER_UDP.1 };
                let from = SocketAddr::new(HOST_IP, port);
                let input = Input::Datagram { udp, channel, bytes: &bytes, from, dropped: 0 };
                self.probe.handle_input(now, input);
            }
            Event::ToServer(conn, bytes) => {
                let Some(c) = self.conns.get_mut(&conn).filter(|c| !c.closed) else { return };
                match &mut c.session {
                    Some(session) => session.handle_input(now, serve::Input::Data(&bytes)),
                    // No TLS server in core: a raw connection to the RTSPS port is reset.
                    None => {
                        c.closed = true;
                        self.at(LATENCY, Event::ProbeClosed(conn, CloseReason::Reset));
                    }
                }
            }
            Event::RtcpToServer(conn, bytes) => {
                let session =
                    self.conns.get_mut(&conn).filter(|c| !c.closed).and_then(|c| c.session.as_mut());
                if let Some(session) = session {
                    session.handle_input(now, serve::Input::Rtcp(&bytes));
                }
            }
        }
    }

    /// The probe's driver: connections, writes and datagrams reach the server after [`LATENCY`].
    fn probe_output(&mut self, out: Output) {
        match out {
            Output::Connect { conn, port, tls, .. } => {
                if port != self.server.port {
                    self.at(LATENCY, Event::ConnectFailed(conn));
                    return;
                }
                let handshake = tls != ConnectTls::None;
                let session = (handshake || !self.server.tls).then(|| self.session());
                let closed = handshake && !self.server.tls;
                self.conns.insert(
                    conn,
                    ServerConn { session, delivery: None, subscribed: false, wake: None, closed },
                );
                self.at(LATENCY, Event::Connected(conn));
                match (handshake, self.server.tls) {
                    (true, true) => self.at(LATENCY * 2, Event::TlsEstablished(conn)),
                    (true, false) => {
                        let failure = HandshakeFailure::NotTls("received corrupt message (pair)".into());
                        self.at(LATENCY * 2, Event::TlsFailed(conn, failure));
                    }
                    _ => {}
                }
            }
            Output::Transmit { conn, data } => self.at(LATENCY, Event::ToServer(conn, data)),
            Output::Close { conn } => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.closed = true;
                    c.delivery = None;
                }
            }
            Output::BindUdp { udp } => {
                let port = self.next_udp_port;
                self.next_udp_port += 2;
                self.udp_ports.insert(udp, port);
                self.at(Duration::ZERO, Event::UdpBound(udp, port));
            }
            Output::SendUdp { udp, channel, port, data } => {
                // RTCP to the server's RTCP port, from this pair's RTCP port: the session whose UDP delivery
                // sends there gets it.
                let Some(rtcp_port) = self.udp_ports.get(&udp).map(|p| p + 1) else { return };
                if channel != UdpChannel::Rtcp || port != SERVER_UDP.1 {
                    return;
                }
                let owner = self.conns.iter().find_map(|(id, c)| match c.delivery {
                    Some(Delivery::Udp { rtcp, .. }) if rtcp == SocketAddr::new(CLIENT_IP, rtcp_port) => {
                        Some(*id)
                    }
                    _ => None,
                });
                if let Some(conn) = owner {
                    self.at(LATENCY, Event::RtcpToServer(conn, data));
                }
            }
            Output::CloseUdp { udp } => {
                self.udp_ports.remove(&udp);
            }
            Output::Event(e) => self.events.push(e),
            Output::Media(_) => {}
            Output::Timeout(_) | Output::Done(_) => unreachable!("handled by run"),
        }
    }

    fn session(&self) -> ServerSession {
        let udp_server_ports = (!self.server.tls).then_some(SERVER_UDP);
        let conn = serve::ConnectionInfo {
            transport: TransportPolicy { tls: self.server.tls, udp_server_ports },
            local: SocketAddr::new(HOST_IP, self.server.port),
            peer: SocketAddr::new(CLIENT_IP, 50_000 + self.conns.len() as u16),
        };
        let catalog: Arc<dyn Catalog> = self.catalog.clone();
        ServerSession::new(self.config.clone(), conn, catalog, self.now, [self.conns.len() as u8; 32])
    }

    /// The server's driver for one connection: drains its session.
    fn drain_server(&mut self, id: ConnId) {
        loop {
            let Some(c) = self.conns.get_mut(&id).filter(|c| !c.closed) else { return };
            let Some(out) = c.session.as_mut().and_then(ServerSession::poll_output) else { return };
            match out {
                serve::Output::Timeout(at) => {
                    c.wake = Some(at);
                    return;
                }
                serve::Output::Transmit(bytes) => self.at(LATENCY, Event::ToProbe(id, bytes)),
                serve::Output::Subscribe { mount } => {
                    assert!(self.catalog.mount(&mount).is_some(), "a subscription to an unknown mount");
                    assert!(c.delivery.is_none() && !c.subscribed, "a subscription while one is held");
                    let position = self.stream.position;
                    c.subscribed = position.is_some();
                    self.subscriptions += 1;
                    if let Some(session) = &mut c.session {
                        session.handle_input(self.now, serve::Input::Subscribed(position));
                    }
                }
                serve::Output::Play(play) => {
                    assert!(c.subscribed, "Play without a subscription");
                    assert_eq!(Some(play.position), self.stream.position, "RTP-Info names the next packet");
                    c.subscribed = false;
                    c.delivery = Some(play.delivery);
                }
                serve::Output::Pause | serve::Output::Stop => {
                    c.subscribed = false;
                    c.delivery = None;
                }
                serve::Output::Close(reason) => {
                    c.closed = true;
                    c.delivery = None;
                    self.server_closes.push(reason);
                    self.at(LATENCY, Event::ProbeClosed(id, CloseReason::Eof));
                }
            }
        }
    }

    /// The stream's next frame, to every connection that plays.
    fn publish(&mut self) {
        let packets = self.stream.publish(self.now);
        let targets: Vec<(ConnId, Delivery)> = self
            .conns
            .iter()
            .filter(|(_, c)| !c.closed)
            .filter_map(|(id, c)| Some((*id, c.delivery?)))
            .collect();
        for (conn, delivery) in targets {
            for (rtcp, packet) in &packets {
                match delivery {
                    Delivery::Interleaved { rtp_channel, rtcp_channel } => {
                        let channel = if *rtcp { rtcp_channel } else { rtp_channel };
                        let mut framed = vec![b'$', channel];
                        framed.extend_from_slice(&(packet.len() as u16).to_be_bytes());
                        framed.extend_from_slice(packet);
                        self.at(LATENCY, Event::ToProbe(conn, framed));
                    }
                    Delivery::Udp { rtp, .. } => {
                        let udp = self.udp_ports.iter().find(|(_, p)| **p == rtp.port()).map(|(u, _)| *u);
                        let channel = if *rtcp { UdpChannel::Rtcp } else { UdpChannel::Rtp };
                        if let Some(udp) = udp {
                            self.at(LATENCY, Event::Datagram(udp, channel, packet.clone()));
                        }
                    }
                }
            }
        }
    }
}
