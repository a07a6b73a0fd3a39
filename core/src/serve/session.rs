//! [`ServerSession`]: one RTSP connection as the server sees it, sans-IO. Bytes in, responses and media
//! commands out, timers as deadlines.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use crate::UnixTime;
use crate::rng::SeededRng;
use crate::rtcp::{Compound, ReportBlock, RtcpPacket};
use crate::rtsp::TypedHeader;
use crate::rtsp::headers::{RangeSpec, Transport};
use crate::rtsp::url::{Host, Scheme, Url};
use crate::rtsp::writer::write_response;
use crate::rtsp::{Message, Method, Parsed, Parser, ParserConfig, Request, Response, StatusCode, Version};

use super::auth::{AuthOutcome, Guard};
use super::config::{SessionConfig, TIMEOUT_GRACE};
use super::mount::{Catalog, Mount, RtpPosition, VIDEO_CONTROL, split_path};
use super::sdp::describe;
use super::transport::{Delivery, TransportPolicy, negotiate};

/// The methods this server answers, for `Public` (OPTIONS) and `Allow` (405).
pub const PUBLIC: &str = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER";

/// The connection the session runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// RTSPS (TLS) or plain RTSP, and the UDP ports offered on plain connections.
    pub transport: TransportPolicy,
    /// The server's address as the client reached it (`127.0.0.1`, `::1`), for the SDP origin line.
    pub local_ip: String,
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOutput {
    /// Write these bytes (a response) to the connection.
    Transmit(Vec<u8>),
    /// Start (or resume) sending the mount's RTP to this client.
    Play(PlayCommand),
    /// Stop sending media for now (PAUSE); the session stays.
    Pause,
    /// Stop sending media for good (TEARDOWN, or the session timed out).
    Stop,
    /// Close the connection (after writing what was transmitted before).
    Close(CloseReason),
}

/// Start delivering media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayCommand {
    /// The mount's path.
    pub mount: String,
    /// How.
    pub delivery: Delivery,
    /// The stream position announced in RTP-Info: the driver starts with the packet of this sequence number.
    pub position: RtpPosition,
}

/// Why the session closed its connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The bytes were not RTSP (garbage, a TLS ClientHello on a plain port, an oversized head): the parser's
    /// message, with the byte offset.
    Unparseable(String),
    /// A request was started and not finished in time (slowloris).
    RequestTimeout,
    /// No session and no request for the idle timeout.
    Idle,
    /// The session sent nothing for its timeout.
    SessionTimeout,
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CloseReason::Unparseable(why) => write!(f, "not RTSP: {why}"),
            CloseReason::RequestTimeout => f.write_str("request not completed in time"),
            CloseReason::Idle => f.write_str("idle connection"),
            CloseReason::SessionTimeout => f.write_str("session timed out"),
        }
    }
}

/// What the client told us about its reception (RTCP receiver reports) and how it behaved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionStats {
    /// Requests answered.
    pub requests: u64,
    /// RTCP packets received from the client.
    pub rtcp_packets: u64,
    /// The latest receiver report block about our stream.
    pub last_report: Option<ReportBlock>,
    /// The user the client authenticated as (last successful check).
    pub user: Option<String>,
}

/// The RTSP session of this connection (one per connection, one track per mount).
#[derive(Debug, Clone)]
struct RtspState {
    id: String,
    mount: String,
    delivery: Delivery,
    playing: bool,
}

/// One connection's RTSP server state machine.
///
/// The driver calls [`handle_data`](Self::handle_data) with what it read, [`handle_rtcp`](Self::handle_rtcp)
/// with RTCP the client sent over UDP, and [`handle_timeout`](Self::handle_timeout) at
/// [`poll_timeout`](Self::poll_timeout); after each it drains [`poll_output`](Self::poll_output).
#[derive(Debug)]
pub struct ServerSession {
    config: SessionConfig,
    conn: ConnectionInfo,
    parser: Parser,
    buf: Vec<u8>,
    out: VecDeque<SessionOutput>,
    rng: SeededRng,
    guards: BTreeMap<String, Guard>,
    state: Option<RtspState>,
    last_activity: Duration,
    partial_since: Option<Duration>,
    closed: bool,
    stats: SessionStats,
}

/// A response under construction: status, headers, body.
type Answer = Response<'static>;

impl ServerSession {
    /// A session for a connection accepted at `now`; `seed` makes session ids and nonces (give it fresh
    /// random bytes).
    pub fn new(config: SessionConfig, conn: ConnectionInfo, now: Duration, seed: [u8; 32]) -> Self {
        let parser = Parser::new(ParserConfig { limits: config.limits, ..ParserConfig::default() });
        ServerSession {
            config,
            conn,
            parser,
            buf: Vec::new(),
            out: VecDeque::new(),
            rng: SeededRng::new(seed),
            guards: BTreeMap::new(),
            state: None,
            last_activity: now,
            partial_since: None,
            closed: false,
            stats: SessionStats::default(),
        }
    }

    /// Bytes read from the connection at `now` (`unix` dates Digest nonces).
    pub fn handle_data(&mut self, now: Duration, unix: UnixTime, data: &[u8], catalog: &dyn Catalog) {
        if self.closed {
            return;
        }
        self.last_activity = now;
        let mut buf = std::mem::take(&mut self.buf);
        buf.extend_from_slice(data);
        let mut rest: &[u8] = &buf;
        loop {
            match self.parser.feed(&mut rest) {
                Ok(Parsed::Message(Message::Request(req), _)) => self.handle_request(&req, unix, catalog),
                Ok(Parsed::Message(Message::Interleaved(frame), _)) => {
                    if self.rtcp_channel() == Some(frame.channel) {
                        self.read_rtcp(&frame.payload);
                    }
                }
                // A client has no business sending responses; skip them.
                Ok(Parsed::Message(Message::Response(_), _)) => {}
                Ok(Parsed::Incomplete(_)) => break,
                Err(e) => {
                    let why = e.to_string();
                    let answer = Response::new(StatusCode::BAD_REQUEST)
                        .with_header("Server", self.config.server.clone())
                        .with_header("Content-Type", "text/plain")
                        .with_body(format!("{why}\r\n").into_bytes());
                    self.transmit(&answer);
                    self.close(CloseReason::Unparseable(why));
                    rest = &[];
                    break;
                }
            }
            if self.closed {
                break;
            }
        }
        let consumed = buf.len() - rest.len();
        buf.drain(..consumed);
        self.partial_since = if buf.is_empty() { None } else { self.partial_since.or(Some(now)) };
        self.buf = buf;
    }

    /// An RTCP packet the client sent to the server's UDP RTCP port.
    pub fn handle_rtcp(&mut self, now: Duration, packet: &[u8]) {
        if !self.closed {
            self.last_activity = now;
            self.read_rtcp(packet);
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next; `None` once closed.
    pub fn poll_timeout(&self) -> Option<Duration> {
        if self.closed {
            return None;
        }
        let quiet = match self.state {
            Some(_) => self.config.session_timeout + TIMEOUT_GRACE,
            None => self.config.idle_timeout,
        };
        let quiet = self.last_activity + quiet;
        Some(match self.partial_since {
            Some(since) => quiet.min(since + self.config.request_timeout),
            None => quiet,
        })
    }

    /// Time has passed: enforces the request, idle and session timeouts.
    pub fn handle_timeout(&mut self, now: Duration) {
        if self.closed {
            return;
        }
        if self.partial_since.is_some_and(|since| now >= since + self.config.request_timeout) {
            self.close(CloseReason::RequestTimeout);
        } else if let Some(deadline) = self.poll_timeout()
            && now >= deadline
        {
            let reason = if self.state.is_some() { CloseReason::SessionTimeout } else { CloseReason::Idle };
            self.close(reason);
        }
    }

    /// The next thing the driver must do.
    pub fn poll_output(&mut self) -> Option<SessionOutput> {
        self.out.pop_front()
    }

    /// What the client reported and who it is.
    pub fn stats(&self) -> &SessionStats {
        &self.stats
    }

    /// The session id, once SETUP created one.
    pub fn session_id(&self) -> Option<&str> {
        self.state.as_ref().map(|s| s.id.as_str())
    }

    /// Whether the connection is closed (every later input is ignored).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    fn close(&mut self, reason: CloseReason) {
        if self.state.take().is_some() {
            self.out.push_back(SessionOutput::Stop);
        }
        self.out.push_back(SessionOutput::Close(reason));
        self.closed = true;
    }

    fn rtcp_channel(&self) -> Option<u8> {
        match self.state.as_ref()?.delivery {
            Delivery::Interleaved { rtcp_channel, .. } => Some(rtcp_channel),
            Delivery::Udp { .. } => None,
        }
    }

    fn read_rtcp(&mut self, packet: &[u8]) {
        let Ok(compound) = Compound::parse(packet) else { return };
        self.stats.rtcp_packets += 1;
        for p in compound.packets() {
            let blocks = match p {
                RtcpPacket::ReceiverReport(rr) => rr.report_blocks(),
                RtcpPacket::SenderReport(sr) => sr.report_blocks(),
                _ => continue,
            };
            if let Some(block) = blocks.last() {
                self.stats.last_report = Some(block);
            }
        }
    }

    fn transmit(&mut self, answer: &Answer) {
        let mut bytes = Vec::with_capacity(256 + answer.body.len());
        // Our own responses are always writable (tokens and values are ours or sanitised).
        if write_response(answer, &mut bytes).is_ok() {
            self.out.push_back(SessionOutput::Transmit(bytes));
        }
    }

    fn handle_request(&mut self, req: &Request<'_>, unix: UnixTime, catalog: &dyn Catalog) {
        self.stats.requests += 1;
        let cseq = req.headers.get("CSeq").map(str::to_owned);
        let mut answer = match &cseq {
            None => error(StatusCode::BAD_REQUEST, "the request has no CSeq header"),
            Some(_) if req.version != Version::Rtsp10 => {
                error(StatusCode::new(505).unwrap_or(StatusCode::BAD_REQUEST), "only RTSP/1.0 is served")
            }
            Some(_) => self.answer(req, unix, catalog),
        };
        if let Some(cseq) = cseq {
            answer.headers.set("CSeq", cseq);
        }
        answer.headers.set("Server", self.config.server.clone());
        self.transmit(&answer);
    }

    fn answer(&mut self, req: &Request<'_>, unix: UnixTime, catalog: &dyn Catalog) -> Answer {
        if let Err(answer) = self.check_session_header(req) {
            return answer;
        }
        match req.method {
            Method::Options => Response::new(StatusCode::OK).with_header("Public", PUBLIC),
            Method::Describe => self.describe(req, unix, catalog).unwrap_or_else(|e| e),
            Method::Setup => self.setup(req, unix, catalog).unwrap_or_else(|e| e),
            Method::Play => self.play(req, unix, catalog).unwrap_or_else(|e| e),
            Method::Pause => self.pause(req, unix, catalog).unwrap_or_else(|e| e),
            Method::Teardown => self.teardown(req, unix, catalog).unwrap_or_else(|e| e),
            Method::GetParameter | Method::SetParameter => {
                self.parameter(req, unix, catalog).unwrap_or_else(|e| e)
            }
            Method::Announce | Method::Record | Method::Redirect => {
                error(StatusCode::METHOD_NOT_ALLOWED, "this server only plays streams")
                    .with_header("Allow", PUBLIC)
            }
            Method::Extension(_) => error(not_implemented(), "unknown method"),
        }
    }

    /// A request naming a session must name ours (RFC 2326 12.37).
    fn check_session_header(&self, req: &Request<'_>) -> Result<(), Answer> {
        let Some(value) = req.headers.get("Session") else { return Ok(()) };
        let id = value.split(';').next().unwrap_or("").trim();
        match &self.state {
            Some(state) if state.id == id => Ok(()),
            _ => Err(error(StatusCode::SESSION_NOT_FOUND, "no such session on this connection")),
        }
    }

    /// The mount a request is about, authorised; `Err` is the answer to send instead.
    fn authorised<'c>(
        &mut self,
        req: &Request<'_>,
        unix: UnixTime,
        catalog: &'c dyn Catalog,
    ) -> Result<(Url, &'c Mount, bool), Answer> {
        let url =
            Url::parse(&req.uri).map_err(|e| error(StatusCode::BAD_REQUEST, &format!("Request-URI: {e}")))?;
        let (mount, track) = split_path(catalog, url.path())
            .ok_or_else(|| error(StatusCode::NOT_FOUND, &format!("no stream at {}", url.path())))?;
        if let Some(policy) = &mount.auth {
            let random: [u8; 12] = self.rng.block()[..12].try_into().unwrap_or([0; 12]);
            let guard = self
                .guards
                .entry(mount.path.clone())
                .or_insert_with(|| Guard::new(policy, &self.config.digest_key, self.conn.transport.tls));
            let authorization = req.headers.get("Authorization");
            let method = req.method.as_str();
            let replay = &*self.config.replay;
            match guard.check(policy, method, &req.uri, authorization, unix, &random, replay) {
                AuthOutcome::Accepted(user) => self.stats.user = Some(user),
                AuthOutcome::Challenge { values, why } => {
                    let mut answer = error(StatusCode::UNAUTHORIZED, why);
                    for value in values {
                        answer.headers.append("WWW-Authenticate", value);
                    }
                    return Err(answer);
                }
            }
        }
        Ok((url, mount, track))
    }

    /// `rtsps://host:port/mount/` for this connection: TLS sessions get `rtsps://` whatever the client wrote,
    /// so that the URLs a client follows never downgrade it.
    fn base_url(&self, url: &Url, mount: &Mount) -> String {
        let scheme = if self.conn.transport.tls { Scheme::Rtsps } else { Scheme::Rtsp };
        let host = match url.host() {
            Host::Ipv6(ip) => format!("[{ip}]"),
            other => other.to_string(),
        };
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{host}{port}/{}/", scheme.as_str(), mount.path)
    }

    fn describe(
        &mut self,
        req: &Request<'_>,
        unix: UnixTime,
        catalog: &dyn Catalog,
    ) -> Result<Answer, Answer> {
        let (url, mount, _) = self.authorised(req, unix, catalog)?;
        if let Some(accept) = req.headers.get("Accept")
            && !accept.split(',').any(|t| {
                let t = t.split(';').next().unwrap_or("").trim();
                t.eq_ignore_ascii_case("application/sdp")
                    || t == "*/*"
                    || t.eq_ignore_ascii_case("application/*")
            })
        {
            return Err(error(
                StatusCode::new(406).unwrap_or(StatusCode::BAD_REQUEST),
                "only application/sdp",
            ));
        }
        let sdp = describe(mount, &self.conn.local_ip, &self.config.server);
        Ok(Response::new(StatusCode::OK)
            .with_header("Content-Base", self.base_url(&url, mount))
            .with_header("Content-Type", "application/sdp")
            .with_body(sdp.into_bytes()))
    }

    fn setup(&mut self, req: &Request<'_>, unix: UnixTime, catalog: &dyn Catalog) -> Result<Answer, Answer> {
        let (_, mount, _) = self.authorised(req, unix, catalog)?;
        if let Some(state) = &self.state {
            if state.mount != mount.path {
                return Err(error(
                    StatusCode::new(459).unwrap_or(StatusCode::BAD_REQUEST),
                    "one stream per session: TEARDOWN first",
                ));
            }
            if state.playing {
                return Err(error(
                    StatusCode::METHOD_NOT_VALID_IN_THIS_STATE,
                    "the transport cannot change while playing",
                ));
            }
            if req.headers.get("Session").is_none() {
                return Err(error(
                    StatusCode::METHOD_NOT_VALID_IN_THIS_STATE,
                    "this connection has a session: send its Session header",
                ));
            }
        }
        let offers = match req.headers.typed::<Transport>() {
            Ok(Some(Transport(offers))) => offers,
            Ok(None) => {
                return Err(error(StatusCode::UNSUPPORTED_TRANSPORT, "SETUP without a Transport header"));
            }
            Err(e) => return Err(error(StatusCode::BAD_REQUEST, &e.to_string())),
        };
        let ssrc = catalog.position(&mount.path).map_or(0, |p| p.ssrc);
        let (delivery, mut answer_spec) = negotiate(&offers, self.conn.transport, ssrc)
            .map_err(|refusal| error(StatusCode::UNSUPPORTED_TRANSPORT, &refusal.0))?;
        if ssrc == 0 {
            answer_spec.ssrc.clear();
        }
        let id = match &self.state {
            Some(state) => state.id.clone(),
            None => hex(&self.rng.block()[..8]),
        };
        self.state = Some(RtspState { id: id.clone(), mount: mount.path.clone(), delivery, playing: false });
        let timeout = self.config.session_timeout.as_secs();
        Ok(Response::new(StatusCode::OK)
            .with_header("Session", format!("{id};timeout={timeout}"))
            .with_header("Transport", Transport(vec![answer_spec]).to_value()))
    }

    fn play(&mut self, req: &Request<'_>, unix: UnixTime, catalog: &dyn Catalog) -> Result<Answer, Answer> {
        let (url, mount, _) = self.authorised(req, unix, catalog)?;
        let Some(state) = &self.state else {
            return Err(error(StatusCode::SESSION_NOT_FOUND, "PLAY before SETUP"));
        };
        if req.headers.get("Session").is_none() {
            return Err(error(StatusCode::SESSION_NOT_FOUND, "PLAY without a Session header"));
        }
        if state.mount != mount.path {
            return Err(error(StatusCode::NOT_FOUND, "this session plays another stream"));
        }
        match req.headers.typed::<crate::rtsp::headers::Range>() {
            Ok(None) | Ok(Some(crate::rtsp::headers::Range { spec: RangeSpec::Npt { .. }, .. })) => {}
            Ok(Some(_)) | Err(_) => {
                return Err(error(
                    StatusCode::new(457).unwrap_or(StatusCode::BAD_REQUEST),
                    "live stream: only an npt Range is understood",
                ));
            }
        }
        let Some(position) = catalog.position(&mount.path) else {
            return Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the stream's source has not produced a frame yet",
            )
            .with_header("Retry-After", "1"));
        };
        let (id, delivery, was_playing) = (state.id.clone(), state.delivery, state.playing);
        let track_url = format!("{}{VIDEO_CONTROL}", self.base_url(&url, mount));
        if !was_playing {
            if let Some(state) = &mut self.state {
                state.playing = true;
            }
            self.out.push_back(SessionOutput::Play(PlayCommand {
                mount: mount.path.clone(),
                delivery,
                position,
            }));
        }
        Ok(Response::new(StatusCode::OK)
            .with_header("Session", id)
            .with_header("Range", "npt=0.000-")
            .with_header(
                "RTP-Info",
                format!("url={track_url};seq={};rtptime={}", position.seq, position.rtptime),
            ))
    }

    fn pause(&mut self, req: &Request<'_>, unix: UnixTime, catalog: &dyn Catalog) -> Result<Answer, Answer> {
        self.authorised(req, unix, catalog)?;
        let Some(state) = &mut self.state else {
            return Err(error(StatusCode::SESSION_NOT_FOUND, "PAUSE without a session"));
        };
        if state.playing {
            state.playing = false;
            self.out.push_back(SessionOutput::Pause);
        }
        Ok(Response::new(StatusCode::OK).with_header("Session", state.id.clone()))
    }

    fn teardown(
        &mut self,
        req: &Request<'_>,
        unix: UnixTime,
        catalog: &dyn Catalog,
    ) -> Result<Answer, Answer> {
        self.authorised(req, unix, catalog)?;
        if self.state.take().is_none() {
            return Err(error(StatusCode::SESSION_NOT_FOUND, "TEARDOWN without a session"));
        }
        self.out.push_back(SessionOutput::Stop);
        Ok(Response::new(StatusCode::OK))
    }

    /// GET_PARAMETER / SET_PARAMETER: an empty one is a keep-alive; no parameters are served.
    fn parameter(
        &mut self,
        req: &Request<'_>,
        unix: UnixTime,
        catalog: &dyn Catalog,
    ) -> Result<Answer, Answer> {
        if req.uri != "*" {
            self.authorised(req, unix, catalog)?;
        }
        if !req.body.iter().all(u8::is_ascii_whitespace) {
            return Err(error(
                StatusCode::new(451).unwrap_or(StatusCode::BAD_REQUEST),
                "no parameters are served",
            ));
        }
        let mut answer = Response::new(StatusCode::OK);
        if let Some(state) = &self.state {
            answer.headers.set("Session", state.id.clone());
        }
        Ok(answer)
    }
}

/// An error answer whose body says why, in one line of text (what curl-style tools and logs show).
fn error(status: StatusCode, why: &str) -> Answer {
    let why: String = why.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    Response::new(status)
        .with_header("Content-Type", "text/plain")
        .with_body(format!("{why}\r\n").into_bytes())
}

fn not_implemented() -> StatusCode {
    StatusCode::new(501).unwrap_or(StatusCode::BAD_REQUEST)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
