//! The RTSP session over one established connection (plain, or inside TLS): OPTIONS, DESCRIBE (with
//! authentication), SETUP of every track, PLAY, the media window with keep-alives and receiver reports,
//! then TEARDOWN. Every request has a timeout; every answer is checked ([`crate::rtsp::check`]).

use std::time::Duration;

use super::connect::seconds;
use super::ctx::{Ctx, millis};
use super::event::{Direction, ProbeEvent};
use super::facts::{ExchangeFacts, RtspFacts};
use super::io::{CloseReason, ConnId, MediaFrame, UdpChannel, UdpId};
use super::media::Media;
use super::tracks::Track;
use crate::diagnose::codes;
use crate::rtsp::auth::{ClientAuth, digest::Cnonce};
use crate::rtsp::check::{check_response, parse_error_finding};
use crate::rtsp::headers::{Public, Session as SessionHeader, Transport, TransportSpec, names};
use crate::rtsp::url::{self, Url};
use crate::rtsp::writer::{write_request, write_response};
use crate::rtsp::{Message, Method, Parsed, Parser, Request, Response, StatusCode, TypedHeader};
use crate::{Finding, Layer, Severity, sdp};

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
    end: Option<SessionEnd>,
}

impl Session {
    /// Starts the session on `conn` (connected, TLS done if `tls`) by sending OPTIONS.
    pub(crate) fn start(
        ctx: &mut Ctx,
        conn: ConnId,
        url: Url,
        tls: bool,
        auth: Option<ClientAuth>,
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
            let mut rest = &self.buf[used_total..];
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
                    ctx.finding(parse_error_finding(&e, &self.buf[used_total..], stream_start));
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
            self.media.udp_bound(udp, index);
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

    pub(crate) fn on_datagram(&mut self, ctx: &mut Ctx, udp: UdpId, channel: UdpChannel, bytes: &[u8]) {
        self.media.datagram(ctx, udp, channel, bytes);
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
        let text = String::from_utf8_lossy(bytes);
        let text = url::redact_text(&text).into_owned();
        let at_ms = ctx.ms();
        ctx.event(ProbeEvent::Transcript { at_ms, direction, text });
    }

    fn send_setup(&mut self, ctx: &mut Ctx, index: usize, spec: TransportSpec, udp: Option<UdpId>) {
        let uri = self.media.track(index).control.without_credentials().to_string();
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

    // ---- responses ----------------------------------------------------------------------------------------

    fn on_server_request(&mut self, ctx: &mut Ctx, req: &Request<'_>) {
        // Some servers send GET_PARAMETER or OPTIONS to check that the client is alive: answer them.
        let status = match req.method {
            Method::Options | Method::GetParameter | Method::SetParameter => StatusCode::OK,
            _ => StatusCode::new(501).unwrap_or(StatusCode::OK),
        };
        let mut resp = Response::new(status);
        if let Some(cseq) = req.headers.get(names::CSEQ) {
            resp = resp.with_header(names::CSEQ, cseq.to_owned());
        }
        let mut wire = Vec::new();
        if write_response(&resp, &mut wire).is_ok() {
            ctx.step(Layer::Rtsp, format!("the server sent {}; answered {}", req.method, status.as_u16()));
            ctx.transmit(self.conn, wire);
        }
    }

    fn on_response(&mut self, ctx: &mut Ctx, resp: Response<'static>) {
        let mut head = Vec::new();
        let _ = write_response(&Response { body: Default::default(), ..resp.clone() }, &mut head);
        if is_sdp(&resp) {
            head.extend_from_slice(&resp.body);
        }
        self.transcript(ctx, Direction::Received, &head);
        let Some(flight) = self.in_flight.take() else {
            ctx.step(
                Layer::Rtsp,
                format!("unexpected response {} {} ignored", resp.status.as_u16(), resp.reason),
            );
            return;
        };
        // The server speaks RTSP: the layer is assessed from here, whatever comes next.
        ctx.record.reach(Layer::Rtsp);
        let rtt = ctx.now.saturating_sub(flight.sent_at);
        let exchange = ExchangeFacts {
            request: flight.line.clone(),
            status: Some(resp.status.as_u16()),
            reason: Some(resp.reason.to_string()),
            rtt_ms: Some(millis(rtt)),
        };
        if flight.purpose == Purpose::KeepAlive {
            self.facts.keepalives.push(exchange.clone());
        }
        self.facts.exchanges.push(exchange);
        if let Some(server) = resp.headers.get("server") {
            self.facts.server.get_or_insert_with(|| server.to_owned());
        }
        ctx.step(
            Layer::Rtsp,
            format!("{} -> {} {} ({:.1} ms)", flight.line, resp.status.as_u16(), resp.reason, millis(rtt)),
        );

        let mut findings = check_response(&flight.request, &resp, self.tls);
        if flight.purpose == Purpose::Options && !resp.status.is_success() && resp.status.as_u16() != 401 {
            // Many clients go on to DESCRIBE whatever OPTIONS says; so does rtspeek.
            for f in &mut findings {
                if f.severity == Severity::Error && f.layer == Layer::Rtsp {
                    f.severity = Severity::Warning;
                    f.detail =
                        "OPTIONS failed; rtspeek went on with DESCRIBE, as most clients do.".to_owned();
                }
            }
        }
        if flight.purpose == Purpose::KeepAlive && !resp.status.is_success() {
            findings.retain(|f| f.layer != Layer::Rtsp || f.severity != Severity::Error);
            findings.push(
                Finding::new(
                    codes::RTSP_KEEPALIVE_FAILED,
                    format!(
                        "the keep-alive {} was answered {} {}",
                        flight.line,
                        resp.status.as_u16(),
                        resp.reason
                    ),
                )
                .with_evidence("request", flight.line.clone())
                .with_evidence("status", resp.status.as_u16().to_string()),
            );
        }
        if matches!(flight.purpose, Purpose::Setup(_)) && resp.status.as_u16() == 461 {
            // The transport layer explains a refused transport (and whether a fallback worked); the
            // status finding's evidence goes there.
            let refused = findings.iter().position(|f| f.code == codes::RTSP_UNSUPPORTED_TRANSPORT.code);
            let evidence = refused.map(|i| findings.remove(i).evidence).unwrap_or_default();
            ctx.findings(findings);
            if let Purpose::Setup(index) = flight.purpose {
                self.transport_refused(ctx, index, evidence);
            }
            return;
        }
        ctx.findings(findings);

        if resp.status.as_u16() == 401 {
            self.unauthorized(ctx, &resp, flight);
            return;
        }
        if let Some(auth) = &mut self.auth
            && resp.status.is_success()
            && self.auth_used
        {
            auth.on_authorized();
        }
        if resp.status.is_redirection() && matches!(flight.purpose, Purpose::Options | Purpose::Describe) {
            self.redirect(ctx, &resp);
            return;
        }
        match flight.purpose {
            Purpose::Options => self.options_done(ctx, &resp),
            Purpose::Describe => self.describe_done(ctx, &resp),
            Purpose::Setup(index) => self.setup_done(ctx, &resp, index),
            Purpose::Play => self.play_done(ctx, &resp),
            Purpose::KeepAlive => {}
            Purpose::Teardown => self.end = Some(SessionEnd::Done),
        }
    }

    fn unauthorized(&mut self, ctx: &mut Ctx, resp: &Response<'static>, flight: InFlight) {
        let values: Vec<&str> = resp.headers.get_all(names::WWW_AUTHENTICATE).collect();
        let Some(auth) = &mut self.auth else {
            let (capability, mut findings) =
                crate::rtsp::auth::assess_challenges(values.iter().copied(), self.tls);
            for f in &mut findings {
                if f.code == codes::AUTH_REQUIRED.code {
                    f.severity = Severity::Error;
                    f.summary = format!("{}; no credentials were given", f.summary);
                    f.remediation =
                        "Give the camera's user name and password (`--user U --password P`, the URL's userinfo, or RTSPEEK_PASSWORD).".to_owned();
                }
            }
            ctx.findings(findings);
            ctx.record.facts.auth = Some(super::authfacts::facts(&capability, "no_credentials"));
            self.fail(ctx, Layer::Auth);
            return;
        };
        let step = auth.on_unauthorized(values.iter().copied());
        let first = ctx.record.facts.auth.is_none();
        if first {
            ctx.record.facts.auth = Some(super::authfacts::facts(&step.capability, "pending"));
        }
        ctx.findings(step.findings);
        if step.retry {
            ctx.step(Layer::Auth, format!("authenticating: {}", step.capability.reason));
            let method = flight.request.method.clone();
            self.send(ctx, method, flight.request.uri.to_string(), flight.purpose, flight.extra);
            return;
        }
        let outcome = if auth.refused() { "rejected" } else { "unanswerable" };
        if let Some(facts) = &mut ctx.record.facts.auth {
            facts.outcome = outcome.to_owned();
        }
        if !ctx.record.failed(Layer::Auth) {
            ctx.finding(
                Finding::new(
                    codes::AUTH_UNSUPPORTED_SCHEME,
                    "rtspeek cannot answer any of the server's challenges",
                )
                .with_evidence("request", flight.line),
            );
        }
        self.fail(ctx, Layer::Auth);
    }

    fn redirect(&mut self, ctx: &mut Ctx, resp: &Response<'static>) {
        let target = resp.headers.get(names::LOCATION).and_then(|l| self.url.join(l.trim()).ok());
        match target {
            Some(target) => {
                self.facts.redirects.push(target.redacted().to_string());
                self.end = Some(SessionEnd::Redirect(target));
            }
            None => {
                ctx.finding(
                    Finding::new(
                        codes::RTSP_BAD_HEADER,
                        format!("redirect {} without a usable Location", resp.status.as_u16()),
                    )
                    .with_severity(Severity::Error)
                    .with_evidence(
                        "location",
                        resp.headers
                            .get(names::LOCATION)
                            .map(url::redact_text)
                            .unwrap_or_default()
                            .to_string(),
                    ),
                );
                self.fail(ctx, Layer::Rtsp);
            }
        }
    }

    fn options_done(&mut self, ctx: &mut Ctx, resp: &Response<'static>) {
        if let Ok(Some(public)) = resp.headers.typed::<Public>() {
            self.facts.methods = public.0.iter().map(|m| m.as_str().to_owned()).collect();
            self.public = Some(public);
        }
        let uri = self.url.to_string();
        self.send(
            ctx,
            Method::Describe,
            uri,
            Purpose::Describe,
            vec![("Accept", "application/sdp".to_owned())],
        );
    }

    fn describe_done(&mut self, ctx: &mut Ctx, resp: &Response<'static>) {
        if !resp.status.is_success() {
            self.fail(ctx, Layer::Rtsp);
            return;
        }
        self.auth_layer_done(ctx);
        let base = resp.base_url(&self.url).unwrap_or_else(|_| self.url.clone());
        self.facts.content_base = Some(base.redacted().to_string());
        let content_type = resp.headers.get(names::CONTENT_TYPE).unwrap_or("(none)").to_owned();
        let text = sdp::SdpText::from_bytes(&resp.body);
        let description = match text.parse() {
            Ok(description) => description,
            Err(e) => {
                ctx.finding(
                    Finding::new(
                        codes::SDP_NOT_SDP,
                        format!("DESCRIBE answered without a session description: {e}"),
                    )
                    .with_evidence("content_type", content_type)
                    .with_evidence("body_bytes", resp.body.len().to_string()),
                );
                self.fail(ctx, Layer::Sdp);
                return;
            }
        };
        let check = sdp::SdpCheck::of(&description);
        ctx.findings(check.findings);
        ctx.record.facts.sdp = Some(check.facts);
        let tracks = Track::from_sdp(&description, &base);
        let summary: Vec<String> = tracks.iter().map(|t| format!("{} {}", t.media, t.encoding)).collect();
        ctx.layer_done(Layer::Sdp, format!("{} track(s): {}", tracks.len(), summary.join(", ")));
        if tracks.is_empty() {
            ctx.finding(Finding::new(
                codes::TRANSPORT_NO_TRACKS,
                "the description offers no RTP media section with a control URL to set up",
            ));
            self.fail(ctx, Layer::Transport);
            return;
        }
        self.media.set_tracks(tracks);
        self.setup(ctx, 0);
    }

    fn auth_layer_done(&mut self, ctx: &mut Ctx) {
        match &mut ctx.record.facts.auth {
            Some(facts) => facts.outcome = "accepted".to_owned(),
            None => ctx.step(Layer::Auth, "no authentication required"),
        }
        let passed = if self.auth_used { "credentials accepted" } else { "no authentication required" };
        ctx.layer_done(Layer::Auth, passed);
    }

    fn setup_done(&mut self, ctx: &mut Ctx, resp: &Response<'static>, index: usize) {
        if !resp.status.is_success() {
            self.fail(ctx, Layer::Rtsp);
            return;
        }
        match resp.headers.typed::<SessionHeader>() {
            Ok(Some(session)) => {
                if self.session.is_none() {
                    self.next_keepalive = None;
                }
                self.session = Some(session);
            }
            // Missing or malformed: check_response has said so; without a session id there is no PLAY.
            _ => {
                self.fail(ctx, Layer::Rtsp);
                return;
            }
        }
        let chosen = resp.headers.typed::<Transport>().ok().flatten().and_then(|t| t.0.into_iter().next());
        let Some(chosen) = chosen else {
            self.fail(ctx, Layer::Rtsp);
            return;
        };
        self.media.accepted(ctx, index, &chosen, resp.headers.get(names::TRANSPORT).unwrap_or_default());
        if index + 1 < self.media.len() {
            self.setup(ctx, index + 1);
        } else {
            let uri = self.url.to_string();
            self.send(ctx, Method::Play, uri, Purpose::Play, vec![("Range", "npt=0.000-".to_owned())]);
        }
    }

    /// 461 to a SETUP: say which transport was refused, and fall back where that is right.
    fn transport_refused(&mut self, ctx: &mut Ctx, index: usize, evidence: Vec<crate::Evidence>) {
        let auto = ctx.config.transport == super::TransportChoice::Auto;
        let with_evidence = |mut f: Finding| {
            f.evidence.extend(evidence.iter().cloned());
            f
        };
        match self.lower {
            Lower::Tcp if auto && !self.tls && index == 0 => {
                ctx.finding(with_evidence(Finding::new(
                    codes::TRANSPORT_TCP_REFUSED,
                    "the server refused RTP over TCP interleaved (461)",
                )));
                ctx.finding(
                    Finding::new(codes::TRANSPORT_FALLBACK, "TCP interleaved refused: trying RTP over UDP")
                        .with_evidence("first_try", "RTP/AVP/TCP;unicast;interleaved")
                        .with_evidence("then", "RTP/AVP;unicast;client_port"),
                );
                self.lower = Lower::Udp;
                self.setup(ctx, index);
            }
            Lower::Tcp => {
                let why = if self.tls {
                    "over RTSPS that leaves no way to keep media inside TLS"
                } else {
                    "and --transport tcp was asked for"
                };
                ctx.finding(with_evidence(
                    Finding::new(
                        codes::TRANSPORT_TCP_REFUSED,
                        format!("the server refused RTP over TCP interleaved (461); {why}"),
                    )
                    .with_severity(Severity::Error),
                ));
                self.fail(ctx, Layer::Transport);
            }
            Lower::Udp => {
                ctx.finding(with_evidence(
                    Finding::new(codes::TRANSPORT_UDP_REFUSED, "the server refused RTP over UDP (461)")
                        .with_severity(Severity::Error),
                ));
                self.fail(ctx, Layer::Transport);
            }
        }
    }

    fn play_done(&mut self, ctx: &mut Ctx, resp: &Response<'static>) {
        if !resp.status.is_success() {
            self.fail(ctx, Layer::Rtsp);
            return;
        }
        let rtp_info = resp.headers.get(names::RTP_INFO).map(str::to_owned);
        if rtp_info.is_none() {
            ctx.finding(Finding::new(codes::RTSP_RTP_INFO_MISSING, "PLAY answered without RTP-Info"));
        }
        let tls = self.tls;
        self.media.play(ctx, rtp_info.as_deref(), &self.url, tls);
        ctx.layer_done(Layer::Rtsp, "OPTIONS, DESCRIBE, SETUP and PLAY answered");
        ctx.layer_done(Layer::Transport, self.media.transport_summary());
        self.next_progress = Some(ctx.now + PROGRESS_EVERY);
        let period = self.keepalive_period();
        self.next_keepalive = Some(ctx.now + period);
    }

    /// The media window is over: assess, then TEARDOWN.
    fn window_over(&mut self, ctx: &mut Ctx) {
        self.media.stop(ctx, true);
        self.teardown(ctx);
    }
}

fn is_sdp(resp: &Response<'_>) -> bool {
    resp.headers.get(names::CONTENT_TYPE).is_some_and(|t| t.to_ascii_lowercase().contains("sdp"))
}
