//! The RTSP session over one established connection (plain, or inside TLS): OPTIONS, DESCRIBE (with
//! authentication), SETUP of every track, PLAY, the media window with keep-alives and receiver reports,
//! then TEARDOWN. Every request has a timeout; every answer is checked ([`crate::rtsp::check`]).

use std::time::Duration;

mod responses;

use super::connect::seconds;
use super::ctx::Ctx;
use super::event::{Direction, ProbeEvent};
use super::io::{CloseReason, ConnId, MediaFrame, UdpChannel, UdpId};
use super::media::Media;
use crate::diagnose::codes;
use crate::diagnose::facts::RtspFacts;
use crate::rtsp::auth::{ClientAuth, digest::Cnonce};
use crate::rtsp::check::parse_error_finding;
use crate::rtsp::headers::{Public, Session as SessionHeader, Transport, TransportSpec, names};
use crate::rtsp::url::{self, Url};
use crate::rtsp::writer::write_request;
use crate::rtsp::{Message, Method, Parsed, Parser, Request, TypedHeader};
use crate::{Finding, Layer, Severity};

/// TEARDOWN is a courtesy: the report does not wait long for its answer.
const TEARDOWN_WAIT: Duration = Duration::from_secs(2);
/// Media figures are announced this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// Shortest keep-alive period, whatever the session timeout says.
const MIN_KEEPALIVE: Duration = Duration::from_secs(5);

/// Why a request was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Options,
    Describe,
    Setup(usize),
    Play,
    KeepAlive,
    Teardown,
}

/// A request waiting for its response.
#[derive(Debug)]
struct InFlight {
    purpose: Purpose,
    request: Request<'static>,
    /// The request line, credentials masked, for evidence.
    line: String,
    sent_at: Duration,
    deadline: Duration,
    /// Extra headers to send again if the request is retried with credentials.
    extra: Vec<(&'static str, String)>,
}

/// How the session ended, for the probe to go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SessionEnd {
    /// Over; the report has what the session could learn.
    Done,
    /// The server sent us to another URL (3xx with Location).
    Redirect(Url),
    /// A TLS alert ended the connection after the handshake (TLS 1.3 refusing a missing client certificate).
    TlsAlert(u8),
    /// The server asked for a client certificate during the handshake, got none, and dropped the connection
    /// before answering anything (TLS 1.3 servers that do not bother with alert 116).
    ClientCertMissing,
}

/// Which lower transport the next SETUP asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lower {
    Tcp,
    Udp,
}

/// The session over one connection.
#[derive(Debug)]
pub(crate) struct Session {
    url: Url,
    conn: ConnId,
    tls: bool,
    parser: Parser,
    buf: Vec<u8>,
    cseq: u32,
    in_flight: Option<InFlight>,
    auth: Option<ClientAuth>,
    auth_used: bool,
    public: Option<Public>,
    session: Option<SessionHeader>,
    media: Media,
    lower: Lower,
    /// A track waiting for its UDP pair before its SETUP goes out.
    waiting_udp: Option<(UdpId, usize)>,
    teardown_deadline: Option<Duration>,
    next_keepalive: Option<Duration>,
    next_progress: Option<Duration>,
    facts: RtspFacts,
    /// The handshake had a CertificateRequest and no certificate was sent.
    cert_requested_without_cert: bool,
    /// Why the user's credentials are not sent on this connection, if they are not.
    withheld: Option<String>,
    end: Option<SessionEnd>,
}

/// Bytes of one message shown in a transcript event; the rest is cut, with the total length said. A camera's
/// answers are a few hundred bytes (a description a few KiB): a larger one must not travel to every page.
pub const MAX_TRANSCRIPT_BYTES: usize = 8 * 1024;

impl Session {
    /// Starts the session on `conn` (connected, TLS done if `tls`) by sending OPTIONS.
    pub(crate) fn start(
        ctx: &mut Ctx,
        conn: ConnId,
        url: Url,
        tls: bool,
        auth: Option<ClientAuth>,
        withheld: Option<String>,
        cert_requested_without_cert: bool,
    ) -> Session {
        let lower = match ctx.config.transport {
            super::TransportChoice::Udp => Lower::Udp,
            super::TransportChoice::Tcp | super::TransportChoice::Auto => Lower::Tcp,
        };
        let ssrc = ctx.rng.next_u32();
        let mut session = Session {
            url: url.without_credentials(),
            conn,
            tls,
            parser: Parser::default(),
            buf: Vec::new(),
            cseq: 0,
            in_flight: None,
            auth,
            auth_used: false,
            public: None,
            session: None,
            media: Media::new(ssrc, conn),
            lower,
            waiting_udp: None,
            teardown_deadline: None,
            next_keepalive: None,
            next_progress: None,
            facts: RtspFacts::default(),
            cert_requested_without_cert,
            withheld,
            end: None,
        };
        let url = session.url.to_string();
        session.send(ctx, Method::Options, url, Purpose::Options, Vec::new());
        session
    }

    pub(crate) fn conn(&self) -> ConnId {
        self.conn
    }

    /// How the session ended, once it has.
    pub(crate) fn end(&self) -> Option<&SessionEnd> {
        self.end.as_ref()
    }

    /// The earliest time the session wants to be woken.
    pub(crate) fn deadline(&self) -> Option<Duration> {
        if self.end.is_some() {
            return None;
        }
        [
            self.in_flight.as_ref().map(|f| f.deadline),
            self.teardown_deadline,
            self.media.deadline(),
            self.next_keepalive,
            self.next_progress,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Records what the session learned into the report's facts.
    pub(crate) fn finish(&mut self, ctx: &mut Ctx) {
        self.facts.session_timeout_s = self.session.as_ref().map(|s| u64::from(s.timeout_or_default()));
        let facts = std::mem::take(&mut self.facts);
        match &mut ctx.record.facts.rtsp {
            // A redirect started a new session: keep the first's exchanges and redirects.
            Some(previous) => {
                previous.exchanges.extend(facts.exchanges);
                previous.keepalives.extend(facts.keepalives);
                previous.redirects.extend(facts.redirects);
                previous.server = facts.server.or(previous.server.take());
                if !facts.methods.is_empty() {
                    previous.methods = facts.methods;
                }
                previous.content_base = facts.content_base.or(previous.content_base.take());
                previous.session_timeout_s = facts.session_timeout_s.or(previous.session_timeout_s);
            }
            slot @ None => *slot = Some(facts),
        }
        ctx.record.facts.tracks = self.media.facts(ctx.now);
    }

    /// Access units for a preview, taken out.
    pub(crate) fn take_frames(&mut self) -> Vec<MediaFrame> {
        self.media.take_frames()
    }

    /// Every UDP pair the session opened.
    pub(crate) fn udp_pairs(&self) -> Vec<UdpId> {
        self.media.udp_pairs()
    }

    // ---- inputs -------------------------------------------------------------------------------------------

    pub(crate) fn on_data(&mut self, ctx: &mut Ctx, bytes: &[u8]) {
        if self.end.is_some() {
            return;
        }
        self.buf.extend_from_slice(bytes);
        let mut used_total = 0;
        loop {
            let stream_start = self.parser.stream_pos();
            // `used_total` counts bytes the parser used, all from `buf`.
            let mut rest = self.buf.get(used_total..).unwrap_or_default();
            match self.parser.feed(&mut rest) {
                Ok(Parsed::Incomplete(_)) => break,
                Ok(Parsed::Message(Message::Interleaved(frame), used)) => {
                    used_total += used;
                    self.media.interleaved(ctx, frame.channel, &frame.payload);
                }
                Ok(Parsed::Message(Message::Response(resp), used)) => {
                    let resp = resp.into_owned();
                    used_total += used;
                    self.on_response(ctx, resp);
                }
                Ok(Parsed::Message(Message::Request(req), used)) => {
                    let req = req.into_owned();
                    used_total += used;
                    self.on_server_request(ctx, &req);
                }
                Err(e) => {
                    let rest = self.buf.get(used_total..).unwrap_or_default();
                    ctx.finding(parse_error_finding(&e, rest, stream_start));
                    self.fail(ctx, Layer::Rtsp);
                    return;
                }
            }
            if self.end.is_some() {
                return;
            }
        }
        self.buf.drain(..used_total);
    }

    pub(crate) fn on_closed(&mut self, ctx: &mut Ctx, reason: &CloseReason) {
        if self.end.is_some() {
            return;
        }
        if let CloseReason::TlsAlert(code) = reason {
            self.end = Some(SessionEnd::TlsAlert(*code));
            return;
        }
        if self.cert_requested_without_cert && self.facts.exchanges.is_empty() {
            self.end = Some(SessionEnd::ClientCertMissing);
            return;
        }
        let how = match reason {
            CloseReason::Eof => "closed the connection".to_owned(),
            CloseReason::Reset => "reset the connection".to_owned(),
            CloseReason::Error(e) => format!("broke the connection ({e})"),
            CloseReason::TlsAlert(_) => unreachable!("handled above"),
        };
        match &self.in_flight {
            Some(f) if f.purpose == Purpose::Teardown => {}
            Some(f) if f.purpose == Purpose::KeepAlive || self.media.playing() => {
                self.media_closed(ctx, &how);
                return;
            }
            Some(f) => {
                ctx.finding(
                    Finding::new(
                        codes::RTSP_CONNECTION_CLOSED,
                        format!("the server {how} instead of answering {}", f.line),
                    )
                    .with_evidence("request", f.line.clone()),
                );
                self.fail(ctx, Layer::Rtsp);
                return;
            }
            None if self.media.playing() => {
                self.media_closed(ctx, &how);
                return;
            }
            None => {}
        }
        self.end = Some(SessionEnd::Done);
    }

    /// The server ended the connection while media flowed: the window ends there.
    fn media_closed(&mut self, ctx: &mut Ctx, how: &str) {
        ctx.finding(
            Finding::new(
                codes::RTSP_CONNECTION_CLOSED,
                format!("the server {how} {:.1} s into the media window", self.media.played(ctx.now).as_secs_f64()),
            )
            .with_detail("The stream stopped for every client of this session; the media figures cover the time before."),
        );
        self.in_flight = None;
        self.media.stop(ctx, true);
        self.end = Some(SessionEnd::Done);
    }

    pub(crate) fn on_udp_bound(&mut self, ctx: &mut Ctx, udp: UdpId, rtp_port: u16, rtcp_port: u16) {
        if let Some((waiting, index)) = self.waiting_udp.filter(|(u, _)| *u == udp) {
            self.waiting_udp = None;
            self.send_setup(ctx, index, TransportSpec::udp_unicast(rtp_port, rtcp_port), Some(waiting));
        }
    }

    pub(crate) fn on_udp_failed(&mut self, ctx: &mut Ctx, udp: UdpId, message: &str) {
        if self.waiting_udp.is_some_and(|(u, _)| u == udp) {
            self.waiting_udp = None;
            ctx.step(Layer::Transport, format!("cannot open local UDP ports: {message}"));
            ctx.finding(
                Finding::new(
                    codes::TRANSPORT_UDP_REFUSED,
                    format!("rtspeek could not open UDP ports here: {message}"),
                )
                .with_severity(Severity::Error)
                .with_detail("The server was not asked; the failure is on this machine."),
            );
            self.fail(ctx, Layer::Transport);
        }
    }

    pub(crate) fn on_datagram(
        &mut self,
        ctx: &mut Ctx,
        udp: UdpId,
        channel: UdpChannel,
        bytes: &[u8],
        from: std::net::SocketAddr,
        dropped: u32,
    ) {
        self.media.datagram(ctx, udp, channel, bytes, from, dropped);
    }

    pub(crate) fn on_timeout(&mut self, ctx: &mut Ctx) {
        if self.end.is_some() {
            return;
        }
        let now = ctx.now;
        if let Some(f) = &self.in_flight
            && now >= f.deadline
        {
            let purpose = f.purpose;
            let line = f.line.clone();
            self.in_flight = None;
            match purpose {
                Purpose::Teardown => {
                    ctx.step(Layer::Rtsp, "no answer to TEARDOWN (not needed for the report)");
                    self.end = Some(SessionEnd::Done);
                    return;
                }
                Purpose::KeepAlive => {
                    ctx.finding(
                        Finding::new(
                            codes::RTSP_KEEPALIVE_FAILED,
                            format!("no answer to the keep-alive {line}"),
                        )
                        .with_evidence("request", line),
                    );
                }
                _ => {
                    let after = ctx.config.step_timeout;
                    ctx.finding(
                        Finding::new(
                            codes::RTSP_NO_RESPONSE,
                            format!("no answer to {line} within {}", seconds(after)),
                        )
                        .with_evidence("request", line)
                        .with_evidence("timeout", seconds(after)),
                    );
                    self.fail(ctx, Layer::Rtsp);
                    return;
                }
            }
        }
        if self.teardown_deadline.is_some_and(|d| now >= d) {
            self.end = Some(SessionEnd::Done);
            return;
        }
        if self.next_progress.is_some_and(|d| now >= d) {
            self.next_progress = self.media.playing().then_some(now + PROGRESS_EVERY);
            let tracks = self.media.progress(now);
            let at_ms = ctx.ms();
            ctx.event(ProbeEvent::Media { at_ms, tracks });
        }
        if self.next_keepalive.is_some_and(|d| now >= d) && self.in_flight.is_none() {
            self.next_keepalive = Some(now + self.keepalive_period());
            self.keepalive(ctx);
        }
        if self.media.on_timeout(ctx) {
            self.window_over(ctx);
        }
    }

    /// The user asked to stop: end the media window now (or give up the exchange in progress).
    pub(crate) fn interrupt(&mut self, ctx: &mut Ctx) {
        if self.end.is_some() {
            return;
        }
        if self.media.playing() {
            self.window_over(ctx);
        } else if self.in_flight.as_ref().is_some_and(|f| f.purpose == Purpose::Teardown) {
            self.end = Some(SessionEnd::Done);
        } else {
            self.in_flight = None;
            self.teardown(ctx);
        }
    }

    // ---- requests -----------------------------------------------------------------------------------------

    fn send(
        &mut self,
        ctx: &mut Ctx,
        method: Method<'static>,
        uri: String,
        purpose: Purpose,
        extra: Vec<(&'static str, String)>,
    ) {
        self.cseq += 1;
        let mut req = Request::new(method.clone(), uri.clone())
            .with_header(names::CSEQ, self.cseq.to_string())
            .with_header("User-Agent", ctx.config.user_agent.clone());
        if let Some(session) = &self.session {
            req = req.with_header(names::SESSION, session.id.clone());
        }
        for (name, value) in &extra {
            req = req.with_header(*name, value.clone());
        }
        let mut shown = req.clone();
        if let Some(auth) = &mut self.auth {
            let cnonce = Cnonce::from_random(&ctx.rng.block()[..16]);
            if let Some(value) = cnonce.ok().and_then(|c| auth.authorization(method.as_str(), &uri, &c)) {
                let scheme = value.expose().split(' ').next().unwrap_or("").to_owned();
                req = req.with_header(names::AUTHORIZATION, value.expose().to_owned());
                shown = shown.with_header(names::AUTHORIZATION, format!("{scheme} (redacted)"));
                self.auth_used = true;
            }
        }
        let mut wire = Vec::with_capacity(256);
        if write_request(&req, &mut wire).is_err() {
            // Our own request cannot be written (a control URL with a line break, say): the server's
            // description is at fault, and nothing can be sent.
            ctx.finding(
                Finding::new(
                    codes::RTSP_BAD_HEADER,
                    format!(
                        "cannot send {method} to {}: the URL is not valid in a request",
                        url::redact_text(&uri)
                    ),
                )
                .with_evidence("url", url::redact_text(&uri)),
            );
            self.fail(ctx, Layer::Rtsp);
            return;
        }
        let mut text = Vec::new();
        let _ = write_request(&shown, &mut text);
        self.transcript(ctx, Direction::Sent, &text);
        ctx.transmit(self.conn, wire);
        let line = format!("{method} {}", url::redact_text(&uri));
        let deadline = ctx.now
            + match purpose {
                Purpose::Teardown => ctx.config.step_timeout.min(TEARDOWN_WAIT),
                _ => ctx.config.step_timeout,
            };
        self.in_flight =
            Some(InFlight { purpose, request: req.into_owned(), line, sent_at: ctx.now, deadline, extra });
    }

    fn transcript(&self, ctx: &mut Ctx, direction: Direction, bytes: &[u8]) {
        let shown = bytes.get(..MAX_TRANSCRIPT_BYTES).unwrap_or(bytes);
        let text = String::from_utf8_lossy(shown);
        let mut text = url::redact_text(&crate::srtp::redact_keys(&text)).into_owned();
        if bytes.len() > MAX_TRANSCRIPT_BYTES {
            text.push_str(&format!(
                "\n[transcript cut at {MAX_TRANSCRIPT_BYTES} bytes of {} in all]",
                bytes.len()
            ));
        }
        let at_ms = ctx.ms();
        ctx.event(ProbeEvent::Transcript { at_ms, direction, text });
    }

    fn send_setup(&mut self, ctx: &mut Ctx, index: usize, spec: TransportSpec, udp: Option<UdpId>) {
        let Some(track) = self.media.track(index) else { return };
        let uri = track.control.without_credentials().to_string();
        let mut spec = spec;
        if let Some(srtp) = &track.srtp {
            // The description's secure profile: RTP/SAVP (over UDP) or RTP/SAVP/TCP (interleaved).
            spec.profile.clone_from(&srtp.profile);
        }
        let mut offered = spec.clone();
        offered.mode.clear();
        self.media.offered(index, spec, udp);
        let value = Transport(vec![offered]).to_value();
        self.send(ctx, Method::Setup, uri, Purpose::Setup(index), vec![(names::TRANSPORT, value)]);
    }

    /// SETUP of track `index` with the current lower transport (binding UDP ports first if needed).
    fn setup(&mut self, ctx: &mut Ctx, index: usize) {
        match self.lower {
            Lower::Tcp => {
                let channel = u8::try_from(index * 2).unwrap_or(254);
                self.send_setup(
                    ctx,
                    index,
                    TransportSpec::tcp_interleaved(channel, channel.saturating_add(1)),
                    None,
                );
            }
            Lower::Udp => {
                let udp = ctx.bind_udp();
                self.waiting_udp = Some((udp, index));
            }
        }
    }

    fn keepalive_period(&self) -> Duration {
        let timeout =
            self.session.as_ref().map_or(SessionHeader::DEFAULT_TIMEOUT, SessionHeader::timeout_or_default);
        (Duration::from_secs(u64::from(timeout)) / 2).max(MIN_KEEPALIVE)
    }

    fn keepalive(&mut self, ctx: &mut Ctx) {
        let method = if self.public.as_ref().is_some_and(|p| p.supports(&Method::GetParameter)) {
            Method::GetParameter
        } else {
            Method::Options
        };
        ctx.step(Layer::Rtsp, format!("keep-alive: {method}"));
        self.send(ctx, method, self.url.to_string(), Purpose::KeepAlive, Vec::new());
    }

    fn teardown(&mut self, ctx: &mut Ctx) {
        self.next_keepalive = None;
        self.next_progress = None;
        if self.session.is_some() {
            self.send(ctx, Method::Teardown, self.url.to_string(), Purpose::Teardown, Vec::new());
            self.teardown_deadline =
                Some(ctx.now + ctx.config.step_timeout.min(TEARDOWN_WAIT) + Duration::from_millis(100));
        } else {
            self.end = Some(SessionEnd::Done);
        }
    }

    /// Ends the session after a failure at `layer`.
    fn fail(&mut self, ctx: &mut Ctx, layer: Layer) {
        ctx.layer_done(layer, "");
        if self.media.playing() {
            self.media.stop(ctx, false);
        }
        if self.session.is_some() && !self.in_flight.as_ref().is_some_and(|f| f.purpose == Purpose::Teardown)
        {
            self.in_flight = None;
            self.teardown(ctx);
        } else {
            self.end = Some(SessionEnd::Done);
        }
    }

    /// The media window is over: assess, then TEARDOWN.
    fn window_over(&mut self, ctx: &mut Ctx) {
        self.media.stop(ctx, true);
        self.teardown(ctx);
    }
}
