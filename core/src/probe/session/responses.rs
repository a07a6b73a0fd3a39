//! The session's answers: every response checked, then the next step (DESCRIBE after OPTIONS, SETUP of each
//! track, PLAY), authentication on a 401, redirects, and transports refused with 461.

use super::{InFlight, Lower, PROGRESS_EVERY, Purpose, Session, SessionEnd};
use crate::diagnose::codes;
use crate::diagnose::facts::ExchangeFacts;
use crate::probe::ctx::{Ctx, millis};
use crate::probe::event::Direction;
use crate::probe::tracks::Track;
use crate::rtsp::check::check_response;
use crate::rtsp::headers::{Public, Session as SessionHeader, Transport, names};
use crate::rtsp::url;
use crate::rtsp::writer::write_response;
use crate::rtsp::{Method, Request, Response, StatusCode};
use crate::{Finding, Layer, Severity, sdp};

impl Session {
    pub(super) fn on_server_request(&mut self, ctx: &mut Ctx, req: &Request<'_>) {
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

    pub(super) fn on_response(&mut self, ctx: &mut Ctx, resp: Response<'static>) {
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
                    match &self.withheld {
                        Some(why) => {
                            f.summary = format!("{}; the credentials given were withheld: {why}", f.summary);
                            f.remediation = "The credentials were not sent, for the reason above. Use the camera's \
                                             own rtsps:// URL, or rerun with `--allow-cleartext` where a cleartext \
                                             password is acceptable (it never applies to a redirect away from \
                                             rtsps:// or to another host)."
                                .to_owned();
                        }
                        None => {
                            f.summary = format!("{}; no credentials were given", f.summary);
                            f.remediation =
                                "Give the camera's user name and password (`--user U --password P`, the \
                                             URL's userinfo, or RTSPEEK_PASSWORD)."
                                    .to_owned();
                        }
                    }
                }
            }
            ctx.findings(findings);
            let outcome = if self.withheld.is_some() { "withheld" } else { "no_credentials" };
            ctx.record.facts.auth = Some(crate::probe::authfacts::facts(&capability, outcome));
            self.fail(ctx, Layer::Auth);
            return;
        };
        let step = auth.on_unauthorized(values.iter().copied());
        let first = ctx.record.facts.auth.is_none();
        if first {
            ctx.record.facts.auth = Some(crate::probe::authfacts::facts(&step.capability, "pending"));
        }
        ctx.findings(step.findings);
        if step.retry {
            ctx.step(Layer::Auth, format!("authenticating: {}", step.capability.reason));
            let method = flight.request.method.clone();
            self.send(ctx, method, flight.request.uri.to_string(), flight.purpose, flight.extra);
            return;
        }
        let outcome = if auth.refused() {
            "rejected"
        } else if auth.withheld() {
            "withheld"
        } else {
            "unanswerable"
        };
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
        let srtp = tracks.iter().any(|t| t.srtp.is_some());
        self.media.set_tracks(tracks);
        if srtp && ctx.config.transport == crate::probe::TransportChoice::Auto {
            // SRTP is made for UDP and stays encrypted there; servers handle RTP/SAVP/TCP badly (live555 reads it
            // as UDP to ports 0-1). TCP interleaved is the fallback.
            ctx.step(Layer::Transport, "SRTP media: asking for RTP/SAVP over UDP first");
            self.lower = Lower::Udp;
        }
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
        self.media.srtp_answer(index, resp.headers.get(names::KEY_MGMT), chosen.is_secure_profile());
        if index + 1 < self.media.len() {
            self.setup(ctx, index + 1);
        } else {
            let uri = self.url.to_string();
            self.send(ctx, Method::Play, uri, Purpose::Play, vec![("Range", "npt=0.000-".to_owned())]);
        }
    }

    /// 461 to a SETUP: say which transport was refused, and fall back where that is right.
    fn transport_refused(&mut self, ctx: &mut Ctx, index: usize, evidence: Vec<crate::Evidence>) {
        let auto = ctx.config.transport == crate::probe::TransportChoice::Auto;
        let with_evidence = |mut f: Finding| {
            f.evidence.extend(evidence.iter().cloned());
            f
        };
        match self.lower {
            // Over RTSPS, UDP is a fallback only for SRTP media: it stays encrypted out of the TLS connection.
            Lower::Tcp
                if auto
                    && (!self.tls || self.media.track(index).is_some_and(|t| t.srtp.is_some()))
                    && index == 0 =>
            {
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
            Lower::Udp if auto && index == 0 && self.media.track(index).is_some_and(|t| t.srtp.is_some()) => {
                ctx.finding(with_evidence(Finding::new(
                    codes::TRANSPORT_UDP_REFUSED,
                    "the server refused SRTP over UDP (461)",
                )));
                ctx.finding(
                    Finding::new(codes::TRANSPORT_FALLBACK, "SRTP over UDP refused: trying TCP interleaved")
                        .with_evidence("first_try", "RTP/SAVP;unicast;client_port")
                        .with_evidence("then", "RTP/SAVP/TCP;unicast;interleaved"),
                );
                self.lower = Lower::Tcp;
                self.setup(ctx, index);
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
}

fn is_sdp(resp: &Response<'_>) -> bool {
    resp.headers.get(names::CONTENT_TYPE).is_some_and(|t| t.to_ascii_lowercase().contains("sdp"))
}
