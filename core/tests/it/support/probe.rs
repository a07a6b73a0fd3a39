//! A deterministic harness for the sans-IO probe: a scripted camera on the other side of virtual sockets,
//! in virtual time (quinn-proto's `Pair` idea). No threads, no sleeps: a probe of a 5 s media window runs in
//! milliseconds and gives the same report every time.
//!
//! The camera answers RTSP with core's own writer, serves the real gst-rtsp-server capture
//! (`tests/fixtures/rtp/gst-h264.interleaved`, looped with continuous sequence numbers and timestamps) after
//! PLAY, and each test changes one behaviour to provoke one finding.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::time::Duration;

use rtspeek_core::probe::{
    CloseReason, ConnId, ConnectError, ConnectErrorKind, ConnectTls, HandshakeFailure, Input, Output, Probe,
    ProbeConfig, ProbeEvent, TlsEstablished, UdpChannel, UdpId, VerifierRecord,
};
use rtspeek_core::rtsp::auth::{
    Authorization, DigestRequest, DigestServer, DigestServerConfig, ServerKey, UserTable, Verification,
    parse_authorization,
};
use rtspeek_core::rtsp::headers::{Transport, names};
use rtspeek_core::rtsp::writer::write_response;
use rtspeek_core::rtsp::{Message, Method, Parsed, Parser, Request, Response, StatusCode, TypedHeader, Url};
use rtspeek_core::{Report, UnixTime};

/// The fixed time of the certificate fixtures (`core/tests/data/pki`): 2026-06-01T00:00:00Z.
pub(crate) const NOW: UnixTime = UnixTime(1_780_272_000);
/// The camera's address, as in the fixtures' SAN.
pub(crate) const HOST_IP: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 10));

pub(crate) const LEAF: &[u8] = include_bytes!("../../data/pki/leaf.pem");
pub(crate) const INTERMEDIATE: &[u8] = include_bytes!("../../data/pki/intermediate.pem");
pub(crate) const ROOT: &[u8] = include_bytes!("../../data/pki/root.pem");
pub(crate) const EXPIRED: &[u8] = include_bytes!("../../data/pki/expired.pem");
pub(crate) const SELF_SIGNED: &[u8] = include_bytes!("../../data/pki/self-signed.pem");
const GST_H264: &[u8] = include_bytes!("../../../../tests/fixtures/rtp/gst-h264.interleaved");
const GST_SDP: &str = include_str!("../../../../tests/fixtures/sdp/gst-h264.sdp");

/// The DER certificates of PEM files, decoded by core's own input reader.
pub(crate) fn der_chain(pems: &[&[u8]]) -> Vec<Vec<u8>> {
    pems.iter()
        .flat_map(|pem| rtspeek_core::cert::input::split("fixture", pem).expect("PEM fixture"))
        .filter(|block| block.is_certificate())
        .map(|block| block.der.expect("decodable fixture"))
        .collect()
}

/// How a TCP connection attempt to the camera ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Connect {
    Accept,
    Fail(ConnectErrorKind),
    /// No answer at all: the probe's timer must fire.
    Silent,
}

/// How the TLS handshake of the driver's modern client ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tls {
    Established {
        chain: Vec<Vec<u8>>,
        error: Option<String>,
        overridden: bool,
    },
    Failed {
        failure: HandshakeFailure,
        verifier: Option<VerifierRecord>,
    },
    /// The handshake never completes.
    Silent,
}

impl Tls {
    /// A handshake that completes with the fixture chain, accepted by the verifier.
    pub(crate) fn good() -> Tls {
        Tls::Established { chain: der_chain(&[LEAF, INTERMEDIATE]), error: None, overridden: false }
    }
}

/// What the camera does on a raw connection (no driver TLS): the probe's own ClientHellos and plain checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Raw {
    /// Answer a ClientHello with these bytes and close; answer text with RTSP like the main connection.
    TlsAnswer(Vec<u8>),
    /// Answer everything (ClientHello too) as a plain RTSP server would: a 400 to binary, RTSP to text.
    PlainRtsp,
    /// A TLS 1.0-only camera (OpenSSL's captured answers): a TLS 1.0 ServerHello with its certificate for
    /// offers that include TLS_RSA_WITH_AES_128_CBC_SHA without TLS 1.3, alert protocol_version otherwise.
    Tls10,
    /// Say nothing.
    Silent,
    /// Close on the first bytes.
    Close,
}

/// An answer to one RTSP request.
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    Respond(Response<'static>),
    Close(CloseReason),
    Silence,
}

/// A test's own answer to a method (`None`: the default answer).
pub(crate) type Override = Box<dyn FnMut(&Request<'_>) -> Option<Reply>>;

/// A scripted camera.
pub(crate) struct Camera {
    pub(crate) port: u16,
    pub(crate) connect: Connect,
    pub(crate) tls: Tls,
    pub(crate) raw: Raw,
    pub(crate) sdp: String,
    pub(crate) session_timeout: u32,
    pub(crate) rtp_info: bool,
    pub(crate) rtcp: bool,
    pub(crate) media: bool,
    /// Deliver UDP media (false: a firewall drops it).
    pub(crate) udp_delivery: bool,
    /// Refuse transports with 461: TCP interleaved, UDP.
    pub(crate) refuse_tcp: bool,
    pub(crate) refuse_udp: bool,
    /// Drop every Nth media packet (0: none).
    pub(crate) drop_every: usize,
    /// Digest authentication (user `admin`, password `secret`), or Basic.
    pub(crate) auth: Option<&'static str>,
    /// Overrides of the default answers, by method.
    pub(crate) overrides: Vec<(Method<'static>, Override)>,
    /// A server-side channel pair different from the one asked for.
    pub(crate) move_channels: bool,
    /// Every track on interleaved channels 0-1, whatever was asked (a hostile or broken server).
    pub(crate) same_channels: bool,
    /// With each UDP RTP packet, a copy from another address (and a note that the driver dropped 3).
    pub(crate) strangers: bool,
    /// The handshake carries a CertificateRequest (the driver's TLS client saw one).
    pub(crate) cert_requested: bool,
    /// Media sent as SRTP/SRTCP (the description must say so and carry the keys, or `SrtpCamera::key_mgmt`).
    pub(crate) srtp: Option<SrtpCamera>,
    /// The profile SETUP answers name, whatever was asked (`AVP`: live555 over plain RTSP).
    pub(crate) answer_profile: Option<&'static str>,
}

/// A camera sending SRTP: its sending context, and what else it does.
pub(crate) struct SrtpCamera {
    /// Protects every RTP and RTCP packet the camera sends.
    pub(crate) sender: rtspeek_core::srtp::SrtpContext,
    /// A `KeyMgmt` header for SETUP answers.
    pub(crate) key_mgmt: Option<String>,
    /// Flip a byte of every Nth RTP packet's tag (0: none).
    pub(crate) tamper_every: usize,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            port: 554,
            connect: Connect::Accept,
            tls: Tls::good(),
            raw: Raw::PlainRtsp,
            sdp: GST_SDP.to_owned(),
            session_timeout: 60,
            rtp_info: true,
            rtcp: true,
            media: true,
            udp_delivery: true,
            refuse_tcp: false,
            refuse_udp: false,
            drop_every: 0,
            auth: None,
            overrides: Vec::new(),
            move_channels: false,
            same_channels: false,
            strangers: false,
            cert_requested: false,
            srtp: None,
            answer_profile: None,
        }
    }
}

impl Camera {
    /// Answers method `m` with `reply` (or `None` for the default).
    pub(crate) fn on(
        mut self,
        m: Method<'static>,
        reply: impl FnMut(&Request<'_>) -> Option<Reply> + 'static,
    ) -> Self {
        self.overrides.push((m, Box::new(reply)));
        self
    }

    /// Answers method `m` with status `code` every time.
    pub(crate) fn status(self, m: Method<'static>, code: u16) -> Self {
        self.on(m, move |req| Some(Reply::Respond(response(req, code))))
    }
}

/// A response with the request's CSeq (and the status's canonical reason phrase).
pub(crate) fn response(req: &Request<'_>, code: u16) -> Response<'static> {
    let mut resp = Response::new(StatusCode::new(code).expect("valid status"));
    if let Some(cseq) = req.headers.get(names::CSEQ) {
        resp = resp.with_header(names::CSEQ, cseq.to_owned());
    }
    resp.with_header("Server", "harness camera")
}

/// What the camera saw.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) requests: Vec<(String, Vec<(String, String)>)>,
    /// Requests that carried credentials (`Authorization`) on a connection without TLS.
    pub(crate) cleartext_authorizations: usize,
    pub(crate) rtcp_from_client: usize,
    /// The probe's RTCP packets (UDP or interleaved), as sent.
    pub(crate) client_rtcp: Vec<Vec<u8>>,
    pub(crate) connections: usize,
}

impl Seen {
    pub(crate) fn methods(&self) -> Vec<&str> {
        self.requests.iter().map(|(m, _)| m.as_str()).collect()
    }
}

/// An input scheduled in virtual time.
#[derive(Debug, Clone)]
enum Event {
    Connected(ConnId),
    ConnectFailed(ConnId, ConnectErrorKind),
    TlsEstablished(ConnId),
    /// The legacy TLS client's handshake completed (a `Raw::Tls10` camera speaks TLS 1.0).
    LegacyEstablished(ConnId),
    TlsFailed(ConnId),
    Data(ConnId, Vec<u8>),
    Closed(ConnId, CloseKind),
    UdpBound(UdpId, u16),
    Datagram(UdpId, bool, Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CloseKind {
    Eof,
    Reset,
    Alert(u8),
}

/// One connection from the camera's side.
#[derive(Debug, Default)]
struct ConnState {
    tls: bool,
    /// Opened for the legacy TLS client.
    legacy: bool,
    parser: Parser,
    buf: Vec<u8>,
    closed: bool,
}

/// The probe and the camera, stepped together.
pub(crate) struct Pair {
    pub(crate) probe: Probe,
    pub(crate) camera: Camera,
    pub(crate) seen: Seen,
    pub(crate) events: Vec<ProbeEvent>,
    now: Duration,
    /// When each scheduled event is due, in order of scheduling within the same time.
    queue: BinaryHeap<Reverse<(Duration, u64)>>,
    scheduled: BTreeMap<u64, Event>,
    order: u64,
    conns: BTreeMap<ConnId, ConnState>,
    /// Server UDP ports of each UDP pair the probe bound (by client RTP port).
    udp_by_port: BTreeMap<u16, UdpId>,
    next_udp_port: u16,
    session: Option<String>,
    digest: Option<DigestServer>,
    setups: Vec<(Option<u8>, Option<UdpId>)>,
}

/// Latency of the virtual network.
const RTT: Duration = Duration::from_millis(1);

/// A probe configuration for `url` with the fixture root as the trust anchor and a 2 s media window. The TLS
/// scan runs only when the handshake fails: most scenarios are about the session, and a scripted camera's raw
/// connections answer ClientHellos only as far as each scenario needs (the scan after a good session has its
/// own tests).
pub(crate) fn config(url: &str) -> ProbeConfig {
    let mut config = ProbeConfig::new(Url::parse(url).expect("valid URL"), NOW, [42; 32]);
    config.tls_scan = rtspeek_core::probe::TlsScan::OnFailure;
    config.anchors =
        Some(vec![rtspeek_core::probe::NamedBytes { name: "root.pem".into(), bytes: ROOT.to_vec() }]);
    config.media_window = Duration::from_secs(2);
    config.step_timeout = Duration::from_secs(3);
    config
}

impl Pair {
    pub(crate) fn new(config: ProbeConfig, camera: Camera) -> Pair {
        let digest = camera.auth.filter(|a| *a == "digest").map(|_| {
            DigestServer::new(DigestServerConfig::new("cam"), ServerKey::new(*b"harness key"))
                .expect("server")
        });
        Pair {
            probe: Probe::new(config),
            camera,
            seen: Seen::default(),
            events: Vec::new(),
            now: Duration::ZERO,
            queue: BinaryHeap::new(),
            scheduled: BTreeMap::new(),
            order: 0,
            conns: BTreeMap::new(),
            udp_by_port: BTreeMap::new(),
            next_udp_port: 50_000,
            session: None,
            digest,
            setups: Vec::new(),
        }
    }

    fn at(&mut self, delay: Duration, event: Event) {
        self.order += 1;
        self.queue.push(Reverse((self.now + delay, self.order)));
        self.scheduled.insert(self.order, event);
    }

    /// Runs to the report. Panics if the probe does not finish within 10 virtual minutes.
    pub(crate) fn run(&mut self) -> Report {
        let mut steps = 0u64;
        loop {
            steps += 1;
            assert!(steps < 5_000_000, "the probe does not finish");
            let mut wake = None;
            while let Some(out) = self.probe.poll_output() {
                match out {
                    Output::Timeout(t) => {
                        wake = Some(t);
                        break;
                    }
                    Output::Done(report) => {
                        assert!(self.probe.poll_output().is_none(), "nothing after Done");
                        return *report;
                    }
                    other => self.output(other),
                }
            }
            let wake = wake.expect("a timeout when there is nothing to do");
            assert!(wake < Duration::from_secs(600), "virtual time ran away: {wake:?}");
            match self.queue.peek() {
                Some(Reverse((at, _))) if *at <= wake => {
                    let Reverse((at, order)) = self.queue.pop().expect("peeked");
                    let event = self.scheduled.remove(&order).expect("scheduled");
                    self.now = self.now.max(at);
                    self.deliver(event);
                }
                _ => {
                    self.now = self.now.max(wake);
                    self.probe.handle_timeout(self.now);
                }
            }
        }
    }

    fn deliver(&mut self, event: Event) {
        let now = self.now;
        let closed = |conns: &BTreeMap<ConnId, ConnState>, c: &ConnId| conns.get(c).is_none_or(|s| s.closed);
        match event {
            Event::Connected(conn) if !closed(&self.conns, &conn) => {
                self.probe
                    .handle_input(now, Input::Connected { conn, peer: (HOST_IP, self.camera.port).into() });
                let tls = self.conns.get(&conn).is_some_and(|c| c.tls);
                if self.conns.get(&conn).is_some_and(|c| c.legacy) {
                    if self.camera.raw == Raw::Tls10 {
                        self.at(RTT, Event::LegacyEstablished(conn));
                    } else {
                        self.at(RTT, Event::Closed(conn, CloseKind::Reset));
                    }
                } else if tls {
                    match self.camera.tls.clone() {
                        Tls::Silent => {}
                        Tls::Established { .. } => self.at(RTT, Event::TlsEstablished(conn)),
                        Tls::Failed { .. } => self.at(RTT, Event::TlsFailed(conn)),
                    }
                }
            }
            Event::ConnectFailed(conn, kind) => {
                let error = ConnectError { kind, message: format!("{kind:?} (harness)") };
                self.probe.handle_input(now, Input::ConnectFailed { conn, error });
            }
            Event::TlsEstablished(conn) if !closed(&self.conns, &conn) => {
                let Tls::Established { chain, error, overridden } = self.camera.tls.clone() else { return };
                let tls = TlsEstablished {
                    version: "TLSv1.3".into(),
                    cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
                    sni: None,
                    client_cert_requested: self.camera.cert_requested,
                    verifier: VerifierRecord { chain, error, overridden },
                    client: None,
                };
                self.probe.handle_input(now, Input::TlsEstablished { conn, tls });
            }
            Event::LegacyEstablished(conn) if !closed(&self.conns, &conn) => {
                let tls = TlsEstablished {
                    version: "TLSv1".into(),
                    cipher_suite: "TLS_RSA_WITH_AES_128_CBC_SHA".into(),
                    sni: None,
                    client_cert_requested: false,
                    verifier: VerifierRecord {
                        chain: der_chain(&[LEAF, INTERMEDIATE]),
                        error: None,
                        overridden: false,
                    },
                    client: Some("legacy harness".into()),
                };
                self.probe.handle_input(now, Input::TlsEstablished { conn, tls });
            }
            Event::TlsFailed(conn) if !closed(&self.conns, &conn) => {
                let Tls::Failed { failure, verifier } = self.camera.tls.clone() else { return };
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.closed = true;
                }
                self.probe.handle_input(now, Input::TlsFailed { conn, failure, verifier });
            }
            Event::Data(conn, bytes) if !closed(&self.conns, &conn) => {
                self.probe.handle_input(now, Input::Data { conn, bytes: &bytes });
            }
            Event::Closed(conn, kind) if !closed(&self.conns, &conn) => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.closed = true;
                }
                let reason = match kind {
                    CloseKind::Eof => CloseReason::Eof,
                    CloseKind::Reset => CloseReason::Reset,
                    CloseKind::Alert(code) => CloseReason::TlsAlert(code),
                };
                self.probe.handle_input(now, Input::Closed { conn, reason });
            }
            Event::UdpBound(udp, port) => {
                self.udp_by_port.insert(port, udp);
                self.probe.handle_input(now, Input::UdpBound { udp, rtp_port: port, rtcp_port: port + 1 });
            }
            Event::Datagram(udp, rtcp, bytes) => {
                let channel = if rtcp { UdpChannel::Rtcp } else { UdpChannel::Rtp };
                let from = std::net::SocketAddr::from(([192, 0, 2, 10], 6970 + u16::from(rtcp)));
                self.probe
                    .handle_input(now, Input::Datagram { udp, channel, bytes: &bytes, from, dropped: 0 });
                // A stranger sprays the same ports, and the driver's queue overflowed once.
                if self.camera.strangers && !rtcp {
                    let stranger = std::net::SocketAddr::from(([198, 51, 100, 7], 4000));
                    let junk = Input::Datagram { udp, channel, bytes: &bytes, from: stranger, dropped: 3 };
                    self.probe.handle_input(now, junk);
                }
            }
            _ => {}
        }
    }

    fn output(&mut self, out: Output) {
        match out {
            Output::Connect { conn, port, tls, .. } => {
                self.seen.connections += 1;
                // Past the legacy handshake, the connection carries RTSP like a TLS one.
                let legacy = tls == ConnectTls::Legacy;
                let tls = tls == ConnectTls::Handshake || legacy;
                self.conns.insert(conn, ConnState { tls, legacy, ..ConnState::default() });
                let outcome = if port == self.camera.port {
                    self.camera.connect.clone()
                } else {
                    Connect::Fail(ConnectErrorKind::Refused)
                };
                match outcome {
                    Connect::Accept => self.at(RTT, Event::Connected(conn)),
                    Connect::Fail(kind) => self.at(RTT, Event::ConnectFailed(conn, kind)),
                    Connect::Silent => {}
                }
            }
            Output::Transmit { conn, data } => self.received(conn, &data),
            Output::Close { conn } => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.closed = true;
                }
            }
            Output::BindUdp { udp } => {
                let port = self.next_udp_port;
                self.next_udp_port += 2;
                self.at(Duration::ZERO, Event::UdpBound(udp, port));
            }
            Output::SendUdp { channel, data, .. } => {
                if channel == UdpChannel::Rtcp {
                    self.seen.rtcp_from_client += 1;
                    self.seen.client_rtcp.push(data);
                }
            }
            Output::CloseUdp { .. } | Output::Media(_) => {}
            Output::Event(e) => {
                assert!(!matches!(e, ProbeEvent::Done { .. }), "the report leaves only as Output::Done");
                self.events.push(e);
            }
            Output::Timeout(_) | Output::Done(_) => unreachable!("handled by run"),
        }
    }

    /// Bytes from the probe on `conn`.
    fn received(&mut self, conn: ConnId, data: &[u8]) {
        let speaks_tls = self.camera_speaks_tls();
        let Some(state) = self.conns.get_mut(&conn) else { return };
        if state.closed {
            return;
        }
        if !state.tls && state.buf.is_empty() && data.first() == Some(&0x16) {
            // One of the probe's own ClientHellos.
            match self.camera.raw.clone() {
                Raw::TlsAnswer(bytes) => {
                    self.at(RTT, Event::Data(conn, bytes));
                    self.at(RTT * 2, Event::Closed(conn, CloseKind::Eof));
                }
                Raw::Tls10 => {
                    self.at(RTT, Event::Data(conn, tls10_answer(data)));
                    self.at(RTT * 2, Event::Closed(conn, CloseKind::Eof));
                }
                Raw::PlainRtsp => {
                    self.at(RTT, Event::Data(conn, b"RTSP/1.0 400 Bad Request\r\nCSeq: 0\r\n\r\n".to_vec()));
                    self.at(RTT * 2, Event::Closed(conn, CloseKind::Eof));
                }
                Raw::Silent => {}
                Raw::Close => self.at(RTT, Event::Closed(conn, CloseKind::Reset)),
            }
            return;
        }
        if !state.tls && matches!(self.camera.raw, Raw::Silent | Raw::Close) && speaks_tls {
            // A TLS-only port that gets plain text.
            if self.camera.raw == Raw::Close {
                self.at(RTT, Event::Closed(conn, CloseKind::Reset));
            }
            return;
        }
        state.buf.extend_from_slice(data);
        let mut requests = Vec::new();
        let mut consumed = 0;
        loop {
            let mut rest = &state.buf[consumed..];
            match state.parser.feed(&mut rest) {
                Ok(Parsed::Message(Message::Request(req), used)) => {
                    consumed += used;
                    requests.push(req.into_owned());
                }
                Ok(Parsed::Message(Message::Interleaved(frame), used)) => {
                    consumed += used;
                    if frame.channel % 2 == 1 {
                        self.seen.rtcp_from_client += 1;
                        self.seen.client_rtcp.push(frame.payload.to_vec());
                    }
                }
                Ok(Parsed::Message(Message::Response(_), used)) => consumed += used,
                Ok(Parsed::Incomplete(_)) => break,
                Err(e) => panic!("the probe sent invalid RTSP: {e}"),
            }
        }
        state.buf.drain(..consumed);
        for req in requests {
            self.request(conn, &req);
        }
    }

    fn camera_speaks_tls(&self) -> bool {
        !matches!(self.camera.tls, Tls::Failed { failure: HandshakeFailure::NotTls(_), .. })
    }

    fn request(&mut self, conn: ConnId, req: &Request<'static>) {
        let headers = req.headers.iter().map(|h| (h.name.to_string(), h.value.to_string())).collect();
        self.seen.requests.push((req.method.as_str().to_owned(), headers));
        let over_tls = self.conns.get(&conn).is_some_and(|c| c.tls);
        if !over_tls && req.headers.get(names::AUTHORIZATION).is_some() {
            self.seen.cleartext_authorizations += 1;
        }
        let reply = self.reply(req);
        match reply {
            Reply::Respond(resp) => {
                let play_ok = req.method == Method::Play && resp.status.is_success();
                let mut bytes = Vec::new();
                write_response(&resp, &mut bytes).expect("the harness writes valid responses");
                self.at(RTT, Event::Data(conn, bytes));
                if play_ok && self.camera.media {
                    self.schedule_media(conn);
                }
            }
            Reply::Close(reason) => {
                let kind = match reason {
                    CloseReason::Reset => CloseKind::Reset,
                    CloseReason::TlsAlert(a) => CloseKind::Alert(a),
                    _ => CloseKind::Eof,
                };
                self.at(RTT, Event::Closed(conn, kind));
            }
            Reply::Silence => {}
        }
    }

    fn reply(&mut self, req: &Request<'static>) -> Reply {
        for (method, f) in &mut self.camera.overrides {
            if *method == req.method
                && let Some(reply) = f(req)
            {
                return reply;
            }
        }
        if let Some(denied) = self.authenticate(req) {
            return Reply::Respond(denied);
        }
        let ok = response(req, 200);
        let reply = match req.method {
            Method::Options => {
                ok.with_header("Public", "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER")
            }
            Method::Describe => ok
                .with_header("Content-Type", "application/sdp")
                .with_header("Content-Base", format!("{}/", req.uri))
                .with_body(self.camera.sdp.clone().into_bytes()),
            Method::Setup => return self.setup(req, ok),
            Method::Play => {
                let mut ok = ok.with_header("Range", "npt=0.000-");
                if self.camera.rtp_info {
                    ok = ok.with_header("RTP-Info", format!("url={}/stream=0;seq=1;rtptime=0", req.uri));
                }
                ok
            }
            _ => ok,
        };
        Reply::Respond(reply)
    }

    fn authenticate(&mut self, req: &Request<'static>) -> Option<Response<'static>> {
        let scheme = self.camera.auth?;
        let users = UserTable::new().with_password("admin", "secret");
        let value = req.headers.get(names::AUTHORIZATION);
        let accepted = match (scheme, value.map(parse_authorization)) {
            ("digest", Some(Ok(parsed))) => match (&parsed.authorization, &mut self.digest) {
                (Authorization::Digest(answer), Some(server)) => {
                    let request = DigestRequest { method: req.method.as_str(), uri: &req.uri };
                    matches!(server.verify(answer, request, NOW, &users), Verification::Accepted { .. })
                }
                _ => false,
            },
            ("basic", Some(Ok(parsed))) => match &parsed.authorization {
                Authorization::Basic(credentials) => {
                    credentials.username == "admin" && credentials.password.expose() == "secret"
                }
                _ => false,
            },
            _ => false,
        };
        if accepted {
            return None;
        }
        let mut denied = response(req, 401);
        match (scheme, &mut self.digest) {
            ("digest", Some(server)) => {
                for value in server.challenge_headers(NOW, &[7; 12], false) {
                    denied = denied.with_header(names::WWW_AUTHENTICATE, value);
                }
            }
            _ => denied = denied.with_header(names::WWW_AUTHENTICATE, "Basic realm=\"cam\""),
        }
        Some(denied)
    }

    fn setup(&mut self, req: &Request<'static>, ok: Response<'static>) -> Reply {
        let asked = req.headers.typed::<Transport>().ok().flatten().and_then(|t| t.0.into_iter().next());
        let Some(asked) = asked else { return Reply::Respond(response(req, 400)) };
        if (asked.is_tcp() && self.camera.refuse_tcp) || (!asked.is_tcp() && self.camera.refuse_udp) {
            return Reply::Respond(response(req, 461));
        }
        let mut chosen = asked.clone();
        if asked.is_tcp() {
            let mut channels = asked.interleaved.expect("the probe asks for channels");
            if self.camera.move_channels {
                channels.start += 10;
                channels.end = channels.end.map(|e| e + 10);
            }
            if self.camera.same_channels {
                channels.start = 0;
                channels.end = Some(1);
            }
            chosen.interleaved = Some(channels);
            self.setups.push((Some(channels.start), None));
        } else {
            let client = asked.client_port.expect("the probe gives client ports");
            chosen.server_port =
                Some(rtspeek_core::rtsp::headers::PortRange { start: 6970, end: Some(6971) });
            let udp = self.udp_by_port.get(&client.start).copied();
            self.setups.push((None, udp));
        }
        chosen.ssrc = vec![0x1234_5678];
        if let Some(profile) = self.camera.answer_profile {
            chosen.profile = profile.to_owned();
        }
        let session = self.session.get_or_insert_with(|| "harness42".to_owned()).clone();
        let mut ok = ok;
        if let Some(key_mgmt) = self.camera.srtp.as_ref().and_then(|s| s.key_mgmt.clone()) {
            ok = ok.with_header(names::KEY_MGMT, key_mgmt);
        }
        let ok = ok
            .with_header(names::TRANSPORT, Transport(vec![chosen]).to_value())
            .with_header(names::SESSION, format!("{session};timeout={}", self.camera.session_timeout));
        Reply::Respond(ok)
    }

    /// The captured stream, looped over the probe's media window, from PLAY on.
    fn schedule_media(&mut self, conn: ConnId) {
        let frames = fixture_frames();
        let first_ts = frames.iter().find(|(ch, _)| *ch == 0).map(|(_, p)| ts(p)).unwrap_or(0);
        let last_ts = frames.iter().rev().find(|(ch, _)| *ch == 0).map(|(_, p)| ts(p)).unwrap_or(0);
        let loop_ticks = last_ts.wrapping_sub(first_ts) + 3600;
        let rtp_count = frames.iter().filter(|(ch, _)| *ch == 0).count() as u16;
        let mut index = 0usize;
        for lap in 0..8u32 {
            let mut at = Duration::ZERO;
            for (channel, packet) in &frames {
                let mut packet = packet.clone();
                if *channel == 0 {
                    let offset = ts(&packet).wrapping_sub(first_ts);
                    at = Duration::from_micros(u64::from(lap * loop_ticks + offset) * 1000 / 90);
                    let seq = u16::from_be_bytes([packet[2], packet[3]])
                        .wrapping_add(rtp_count.wrapping_mul(lap as u16));
                    packet[2..4].copy_from_slice(&seq.to_be_bytes());
                    let t = ts(&packet).wrapping_add(lap * loop_ticks);
                    packet[4..8].copy_from_slice(&t.to_be_bytes());
                    index += 1;
                    if self.camera.drop_every > 0 && index.is_multiple_of(self.camera.drop_every) {
                        continue;
                    }
                } else if !self.camera.rtcp {
                    continue;
                }
                if let Some(srtp) = &mut self.camera.srtp {
                    packet = if *channel == 0 {
                        let mut p = srtp.sender.protect_rtp(&packet).expect("the fixture is valid RTP");
                        if srtp.tamper_every > 0 && index.is_multiple_of(srtp.tamper_every) {
                            let last = p.len() - 1;
                            p[last] ^= 0x55;
                        }
                        p
                    } else {
                        srtp.sender.protect_rtcp(&packet).expect("the fixture's RTCP is valid")
                    };
                }
                for (track, (channel_base, udp)) in self.setups.clone().into_iter().enumerate() {
                    if track > 0 {
                        break; // the fixture has one video stream
                    }
                    let delay = RTT + at;
                    match (channel_base, udp) {
                        (Some(base), _) => {
                            let ch = base + *channel;
                            let mut framed = vec![b'$', ch];
                            framed.extend_from_slice(&(packet.len() as u16).to_be_bytes());
                            framed.extend_from_slice(&packet);
                            self.at(delay, Event::Data(conn, framed));
                        }
                        (None, Some(udp)) if self.camera.udp_delivery => {
                            self.at(delay, Event::Datagram(udp, *channel == 1, packet.clone()));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

const TLS10_LEGACY: &[u8] = include_bytes!("../../data/tls/tls10-rsa-cbc_legacy.bin");
const TLS10_MODERN: &[u8] = include_bytes!("../../data/tls/tls10-rsa-cbc_modern.bin");

/// What the captured TLS 1.0 server answers to one of our ClientHellos (record header 5 bytes, handshake
/// header 4 bytes, then the body).
fn tls10_answer(record: &[u8]) -> Vec<u8> {
    use rtspeek_core::tls::{CipherSuite, ClientHello};
    let hello = record.get(9..).and_then(|body| ClientHello::parse(body).ok());
    let suites = hello.map(|h| h.cipher_suites).unwrap_or_default();
    let tls13 = suites.iter().any(|s| (0x1301..=0x1305).contains(&s.0));
    if tls13 {
        // supported_versions without TLS 1.0: protocol_version, as captured.
        TLS10_MODERN.to_vec()
    } else if suites.contains(&CipherSuite(0x002f)) {
        TLS10_LEGACY.to_vec()
    } else {
        // A TLS 1.0 offer without its one suite: OpenSSL's fatal handshake_failure.
        vec![0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]
    }
}

fn ts(packet: &[u8]) -> u32 {
    u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]])
}

/// `(channel, packet)` of the capture.
fn fixture_frames() -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rest = GST_H264;
    while rest.len() >= 4 && rest[0] == b'$' {
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        out.push((rest[1], rest[4..4 + len].to_vec()));
        rest = &rest[4 + len..];
    }
    out
}

/// One finding provoked: the camera and configuration that make the probe report `code`, and the layer that
/// must then be the first broken one (`None`: the report may be healthy or degraded).
pub(crate) struct Scenario {
    pub(crate) code: &'static rtspeek_core::diagnose::codes::CodeInfo,
    pub(crate) broken: Option<rtspeek_core::Layer>,
    pub(crate) setup: fn() -> (ProbeConfig, Camera),
}

/// The codes of a report.
pub(crate) fn codes(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.code.as_str()).collect()
}
