//! The live probe, sans-IO: walks TCP -> TLS -> certificate -> RTSP -> auth -> SDP -> transport -> RTP ->
//! RTCP -> codec against one URL, keeps evidence for every finding, and names the first broken link.
//!
//! [`Probe`] owns no socket, no clock and no randomness. A driver feeds it what happened
//! ([`Probe::handle_input`] with an [`Input`], [`Probe::handle_timeout`]) with the time since the start, and
//! drains what to do with [`Probe::poll_output`] until it returns [`Output::Timeout`] (sleep until then or
//! until the next input) or [`Output::Done`] (the final [`Report`](crate::Report)). Progress comes out as
//! [`ProbeEvent`]s, the serde types the CLI, the bridge's WebSocket and the browser share.
//!
//! What the driver does for each output: [`Output::Connect`] opens a TCP connection (and, with
//! [`ConnectTls::Handshake`], runs its TLS client, rustls, and reports [`Input::TlsEstablished`] or
//! [`Input::TlsFailed`] with the recorded chain); [`Output::Transmit`] writes; [`Output::Close`] closes;
//! [`Output::BindUdp`] / [`Output::SendUdp`] handle RTP over UDP. Every wait is bounded by the probe's
//! own timers, and the whole probe by [`ProbeConfig::overall_bound`].
//!
//! ```
//! use std::time::Duration;
//! use rtspeek_core::UnixTime;
//! use rtspeek_core::probe::{ConnectError, ConnectErrorKind, Input, Output, Probe, ProbeConfig};
//! use rtspeek_core::rtsp::Url;
//!
//! let url = Url::parse("rtsps://192.0.2.10/stream").unwrap();
//! let mut probe = Probe::new(ProbeConfig::new(url, UnixTime(1_800_000_000), [7; 32]));
//! let mut now = Duration::ZERO;
//! let report = loop {
//!     match probe.poll_output() {
//!         // A real driver opens the connection; this one is refused at once.
//!         Some(Output::Connect { conn, .. }) => probe.handle_input(
//!             now,
//!             Input::ConnectFailed {
//!                 conn,
//!                 error: ConnectError { kind: ConnectErrorKind::Refused, message: "refused".into() },
//!             },
//!         ),
//!         Some(Output::Timeout(at)) => {
//!             now = at;
//!             probe.handle_timeout(now);
//!         }
//!         Some(Output::Done(report)) => break report,
//!         Some(_) => {}
//!         None => unreachable!("Done comes before the end"),
//!     }
//! };
//! assert_eq!(report.first_broken_layer, Some(rtspeek_core::Layer::Tcp));
//! assert!(report.has("tcp.refused"));
//! ```

mod authfacts;
mod certificate;
mod config;
mod connect;
mod credentials;
mod ctx;
mod event;
mod io;
mod legacy;
mod media;
mod ports;
mod protection;
mod record;
mod scan;
mod session;
mod srtp;
mod tls_stage;
mod tracks;

use std::collections::BTreeSet;
use std::time::Duration;

pub use config::{
    DEFAULT_DISCOVERY_PORTS, Discovery as DiscoveryConfig, NamedBytes, ProbeConfig, SystemStore, TlsScan,
    TransportChoice,
};
pub use event::{Direction, ProbeEvent, TrackProgress};
pub use io::{
    CloseReason, ConnId, ConnectError, ConnectErrorKind, ConnectTls, HandshakeFailure, Input, MediaFrame,
    Output, TlsEstablished, TlsParameter, UdpChannel, UdpId, VerifierRecord,
};

use crate::diagnose::facts::ConnectionFacts;
use ctx::{Ctx, millis};
use ports::Discovery;
use scan::{PlainCheck, ScanRun};
pub use session::MAX_TRANSCRIPT_BYTES;
use session::{Session, SessionEnd};

use crate::diagnose::codes;
use crate::rtsp::auth::Credentials;
use crate::rtsp::url::Url;
use crate::tls::AlertDescription;
use crate::{Finding, Layer, Severity};
use credentials::CredentialPolicy;

/// Where the main connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnectPhase {
    Tcp,
    Tls,
}

/// What comes after the TLS scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterScan {
    /// Check whether the port speaks plain RTSP (the handshake failed in a way that suggests no TLS).
    PlainCheck,
    /// Report.
    Finish,
}

#[derive(Debug)]
enum Stage {
    Discover(Discovery),
    Connect {
        conn: ConnId,
        phase: ConnectPhase,
        started: Duration,
        deadline: Duration,
    },
    Session(Box<Session>),
    Scan {
        run: Box<ScanRun>,
        then: AfterScan,
    },
    /// The connection with the legacy-capable TLS client (`--legacy-tls`).
    Legacy {
        conn: ConnId,
        started: Duration,
        deadline: Duration,
    },
    PlainCheck(PlainCheck),
    Finished,
}

/// The live probe. See the [module docs](self) for the drain contract.
#[derive(Debug)]
pub struct Probe {
    ctx: Ctx,
    stage: Stage,
    /// The URL being probed (after discovery and redirects).
    url: Url,
    /// The credentials, and whether they may be sent.
    credentials: CredentialPolicy,
    visited: BTreeSet<String>,
    redirects: u8,
    /// The finding for the modern client's failed handshake, held until the TLS scan says whether it
    /// explains the failure better.
    pending_tls_finding: Option<Finding>,
    /// A session that ended, kept for its facts.
    last_session: Option<Box<Session>>,
    target: String,
    done: bool,
    interrupted: bool,
}

impl Probe {
    /// A probe with this configuration. Nothing happens before the first [`Probe::poll_output`].
    pub fn new(config: ProbeConfig) -> Probe {
        let url = config.url.clone();
        let credentials = CredentialPolicy::new(
            config.credentials.clone().or_else(|| url_credentials(&url)),
            config.allow_cleartext,
        );
        let target = match &config.discovery {
            Some(_) => format!("{} (port discovery)", url.host()),
            None => url.redacted().to_string(),
        };
        let mut probe = Probe {
            ctx: Ctx::new(config),
            stage: Stage::Finished,
            url,
            credentials,
            visited: BTreeSet::new(),
            redirects: 0,
            pending_tls_finding: None,
            last_session: None,
            target: target.clone(),
            done: false,
            interrupted: false,
        };
        probe.ctx.event(ProbeEvent::Started { target });
        match probe.ctx.config.discovery.clone() {
            Some(d) => {
                let host = probe.url.host().to_string();
                let path = probe.url.path().to_owned();
                probe.stage = Stage::Discover(Discovery::start(
                    &mut probe.ctx,
                    &host,
                    &path,
                    &d.ports,
                    d.per_port_timeout,
                ));
            }
            None => probe.connect(),
        }
        probe
    }

    /// The next thing to do. Every batch of outputs ends with [`Output::Timeout`] (wait until then or the
    /// next input) or [`Output::Done`]; `None` comes only after `Done`.
    pub fn poll_output(&mut self) -> Option<Output> {
        if let Some(out) = self.ctx.out.pop_front() {
            return Some(out);
        }
        if self.done {
            return None;
        }
        Some(Output::Timeout(self.deadline()))
    }

    /// Feeds what happened at `now` (time since the start).
    pub fn handle_input(&mut self, now: Duration, input: Input<'_>) {
        if self.done {
            return;
        }
        self.ctx.now = self.ctx.now.max(now);
        match input {
            Input::Interrupt => self.interrupt(),
            input => self.route(input),
        }
        self.after_input();
    }

    /// Time has passed: fires the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Duration) {
        if self.done {
            return;
        }
        self.ctx.now = self.ctx.now.max(now);
        if self.ctx.now >= self.ctx.config.overall_bound() {
            self.ctx.step(Layer::Tcp, "the probe reached its overall time bound; reporting what it learned");
            if let Stage::Session(session) = &mut self.stage {
                session.interrupt(&mut self.ctx);
            }
            self.finish();
            return;
        }
        match &mut self.stage {
            Stage::Discover(d) => d.on_timeout(&mut self.ctx),
            Stage::Connect { conn, phase, deadline, .. } if self.ctx.now >= *deadline => {
                let (conn, phase) = (*conn, *phase);
                self.ctx.close(conn);
                self.connect_timed_out(phase);
            }
            Stage::Connect { .. } => {}
            Stage::Legacy { conn, deadline, .. } if self.ctx.now >= *deadline => {
                let conn = *conn;
                self.legacy_failed(conn, "no handshake before the timeout");
            }
            Stage::Legacy { .. } => {}
            Stage::Session(session) => session.on_timeout(&mut self.ctx),
            Stage::Scan { run, .. } => run.on_timeout(&mut self.ctx),
            Stage::PlainCheck(check) => check.on_timeout(&mut self.ctx),
            Stage::Finished => {}
        }
        self.after_input();
    }

    fn deadline(&self) -> Duration {
        let stage = match &self.stage {
            Stage::Discover(d) => d.deadline(),
            Stage::Connect { deadline, .. } | Stage::Legacy { deadline, .. } => Some(*deadline),
            Stage::Session(s) => s.deadline(),
            Stage::Scan { run, .. } => run.deadline(),
            Stage::PlainCheck(c) => c.deadline(),
            Stage::Finished => None,
        };
        let bound = self.ctx.config.overall_bound();
        stage.map_or(bound, |d| d.min(bound)).max(self.ctx.now)
    }

    fn route(&mut self, input: Input<'_>) {
        if let Stage::Connect { conn, phase, started, .. } = &self.stage {
            let (conn, phase, started) = (*conn, *phase, *started);
            self.route_connect(conn, phase, started, input);
            return;
        }
        if let Stage::Legacy { conn, started, .. } = &self.stage {
            let (conn, started) = (*conn, *started);
            match input {
                Input::TlsEstablished { conn: c, tls } if c == conn => {
                    self.legacy_established(conn, tls, started)
                }
                Input::TlsFailed { conn: c, failure, .. } if c == conn => {
                    self.legacy_failed(conn, &format!("{failure:?}"))
                }
                Input::ConnectFailed { conn: c, error } if c == conn => {
                    self.legacy_failed(conn, &error.message)
                }
                Input::Closed { conn: c, reason } if c == conn => {
                    self.legacy_failed(conn, &format!("{reason:?}"))
                }
                _ => {}
            }
            return;
        }
        let ctx = &mut self.ctx;
        match (&mut self.stage, input) {
            (Stage::Discover(d), Input::Connected { conn, .. }) => d.on_connected(ctx, conn),
            (Stage::Discover(d), Input::ConnectFailed { conn, error }) => {
                d.on_connect_failed(ctx, conn, &error)
            }
            (Stage::Discover(d), Input::Data { conn, bytes }) => d.on_data(ctx, conn, bytes),
            (Stage::Discover(d), Input::Closed { conn, reason }) => {
                d.on_closed(ctx, conn, !matches!(reason, CloseReason::Eof));
            }
            (Stage::Connect { .. } | Stage::Legacy { .. }, _) => unreachable!("routed above"),
            (Stage::Session(s), input) => match input {
                Input::Data { conn, bytes } if conn == s.conn() => s.on_data(ctx, bytes),
                Input::Closed { conn, reason } if conn == s.conn() => s.on_closed(ctx, &reason),
                Input::UdpBound { udp, rtp_port, rtcp_port } => s.on_udp_bound(ctx, udp, rtp_port, rtcp_port),
                Input::UdpFailed { udp, message } => s.on_udp_failed(ctx, udp, &message),
                Input::Datagram { udp, channel, bytes, from, dropped } => {
                    s.on_datagram(ctx, udp, channel, bytes, from, dropped)
                }
                _ => {}
            },
            (Stage::Scan { run, .. }, input) => match input {
                Input::Connected { conn, .. } => run.on_connected(ctx, conn),
                Input::ConnectFailed { conn, error } => run.on_connect_failed(ctx, conn, &error.message),
                Input::Data { conn, bytes } => run.on_data(ctx, conn, bytes),
                Input::Closed { conn, reason } => run.on_closed(ctx, conn, &reason),
                _ => {}
            },
            (Stage::PlainCheck(check), input) => {
                let (host, port, path) =
                    (self.url.host().to_string(), self.url.port_or_default(), self.url.path().to_owned());
                match input {
                    Input::Connected { conn, .. } => check.on_connected(ctx, conn, &host, port, &path),
                    Input::Data { conn, bytes } => check.on_data(ctx, conn, bytes),
                    Input::Closed { conn, .. } | Input::ConnectFailed { conn, .. } => {
                        check.on_gone(ctx, conn)
                    }
                    _ => {}
                }
            }
            (Stage::Discover(_) | Stage::Finished, _) => {}
        }
    }

    /// Inputs while the main connection is being made.
    fn route_connect(&mut self, conn: ConnId, phase: ConnectPhase, started: Duration, input: Input<'_>) {
        match input {
            Input::Connected { conn: c, peer } if c == conn && phase == ConnectPhase::Tcp => {
                self.connected(peer, started);
                if self.url.scheme().is_tls() {
                    let deadline = self.ctx.now + self.ctx.config.step_timeout;
                    self.stage =
                        Stage::Connect { conn, phase: ConnectPhase::Tls, started: self.ctx.now, deadline };
                } else {
                    self.start_session(conn, false, false);
                }
            }
            Input::ConnectFailed { conn: c, error } if c == conn => {
                let f = connect::connect_failed(&error, &self.url.host().to_string(), self.port());
                self.ctx.finding(f);
                self.ctx.layer_done(Layer::Tcp, "");
                self.finish();
            }
            Input::TlsEstablished { conn: c, tls } if c == conn => self.tls_established(conn, tls, started),
            Input::TlsFailed { conn: c, failure, verifier } if c == conn => {
                self.tls_failed(failure, verifier)
            }
            Input::Closed { conn: c, reason } if c == conn => {
                // The driver reports a handshake's end as TlsFailed; a bare close means the same.
                let failure = match reason {
                    CloseReason::Reset => HandshakeFailure::Reset,
                    CloseReason::TlsAlert(code) => HandshakeFailure::Alert(code),
                    CloseReason::Eof | CloseReason::Error(_) => HandshakeFailure::Closed,
                };
                if phase == ConnectPhase::Tcp {
                    self.ctx.close(conn);
                }
                self.tls_failed(failure, None);
            }
            _ => {}
        }
    }

    /// Moves between stages once the current one is over, and hands media frames out.
    fn after_input(&mut self) {
        loop {
            match &mut self.stage {
                Stage::Discover(d) if d.done() => self.discovered(),
                Stage::Session(s) => {
                    for frame in s.take_frames() {
                        self.ctx.out.push_back(Output::Media(frame));
                    }
                    match s.end().cloned() {
                        Some(end) => self.session_ended(end),
                        None => return,
                    }
                }
                Stage::Scan { run, then } if run.done() => {
                    let then = *then;
                    self.scan_done(then);
                }
                Stage::PlainCheck(check) if check.answer().is_some() => {
                    let answer = check.answer().cloned();
                    if let Some(answer) = answer {
                        self.plain_checked(&answer);
                    }
                    self.finish();
                }
                _ => return,
            }
        }
    }

    // ---- stages -------------------------------------------------------------------------------------------

    fn port(&self) -> u16 {
        self.url.port_or_default()
    }

    fn connect(&mut self) {
        self.visited.insert(self.url.without_credentials().to_string());
        let host = self.url.host().to_string();
        let port = self.port();
        let tls = if self.url.scheme().is_tls() { ConnectTls::Handshake } else { ConnectTls::None };
        self.ctx.record.facts.connection = Some(ConnectionFacts {
            url: self.url.redacted().to_string(),
            host: host.clone(),
            port,
            peer: None,
            connect_ms: None,
        });
        let (dial_host, dial_port) = self.ctx.dial(&host, port);
        if (dial_host.as_str(), dial_port) == (host.as_str(), port) {
            self.ctx.step(Layer::Tcp, format!("connecting to {}:{port}", connect::bracket(&host)));
        } else {
            self.ctx.step(
                Layer::Tcp,
                format!(
                    "connecting to {}:{dial_port} for {}:{port} (--connect-to)",
                    connect::bracket(&dial_host),
                    connect::bracket(&host)
                ),
            );
        }
        let conn = self.ctx.connect(&host, port, tls);
        let started = self.ctx.now;
        self.stage = Stage::Connect {
            conn,
            phase: ConnectPhase::Tcp,
            started,
            deadline: started + self.ctx.config.step_timeout,
        };
    }

    fn connected(&mut self, peer: std::net::SocketAddr, started: Duration) {
        let took = self.ctx.now.saturating_sub(started);
        if let Some(c) = &mut self.ctx.record.facts.connection {
            c.peer = Some(peer);
            c.connect_ms = Some(millis(took));
        }
        self.ctx.layer_done(Layer::Tcp, format!("connected to {peer} in {:.1} ms", millis(took)));
    }

    fn connect_timed_out(&mut self, phase: ConnectPhase) {
        let after = self.ctx.config.step_timeout;
        match phase {
            ConnectPhase::Tcp => {
                let f = connect::connect_timed_out(&self.url.host().to_string(), self.port(), after);
                self.ctx.finding(f);
                self.ctx.layer_done(Layer::Tcp, "");
                self.finish();
            }
            ConnectPhase::Tls => self.tls_failed_with(
                Some(connect::handshake_timed_out(after)),
                HandshakeFailure::Closed,
                true,
            ),
        }
    }

    fn start_session(&mut self, conn: ConnId, tls: bool, cert_requested_without_cert: bool) {
        let auth = self.credentials.for_session(tls);
        let url = self.url.clone();
        let withheld = self.credentials.withheld().map(str::to_owned);
        let session =
            Session::start(&mut self.ctx, conn, url, tls, auth, withheld, cert_requested_without_cert);
        self.stage = Stage::Session(Box::new(session));
    }

    fn session_ended(&mut self, end: SessionEnd) {
        let Stage::Session(mut session) = std::mem::replace(&mut self.stage, Stage::Finished) else { return };
        self.ctx.close(session.conn());
        for udp in session.udp_pairs() {
            self.ctx.out.push_back(Output::CloseUdp { udp });
        }
        session.finish(&mut self.ctx);
        self.last_session = Some(session);
        match end {
            SessionEnd::Done => match self.ctx.config.tls_scan {
                TlsScan::Always if self.url.scheme().is_tls() && !self.interrupted => {
                    self.start_scan(AfterScan::Finish)
                }
                _ => self.finish(),
            },
            SessionEnd::TlsAlert(code) => {
                let f = connect::alert_finding(AlertDescription(code), self.ctx.config.client_certificate)
                    .with_detail("The alert came after the handshake: TLS 1.3 servers refuse a client certificate this way.");
                self.ctx.finding(f);
                self.ctx.layer_done(Layer::Tls, "");
                self.finish();
            }
            SessionEnd::ClientCertMissing => {
                let f = Finding::new(
                    codes::TLS_CLIENT_CERT_REQUIRED,
                    "the server asked for a client certificate during the handshake and dropped the connection \
                     without answering when none was sent",
                )
                .with_evidence("certificate_request", "received during the TLS handshake")
                .with_evidence("client_certificate", "none given");
                self.ctx.finding(f);
                self.ctx.layer_done(Layer::Tls, "");
                self.finish();
            }
            SessionEnd::Redirect(target) => self.redirect(target),
        }
    }

    fn redirect(&mut self, target: Url) {
        let shown = target.redacted().to_string();
        self.redirects += 1;
        let key = target.without_credentials().to_string();
        if self.visited.contains(&key) || self.redirects > self.ctx.config.max_redirects {
            let why = if self.visited.contains(&key) {
                format!("the server redirects back to {shown}, already visited")
            } else {
                format!("more than {} redirects", self.ctx.config.max_redirects)
            };
            self.ctx.finding(Finding::new(codes::RTSP_REDIRECT_LOOP, why).with_evidence("location", shown));
            self.ctx.layer_done(Layer::Rtsp, "");
            self.finish();
            return;
        }
        let withheld = self.credentials.redirected(&self.url, &target);
        self.ctx.step(Layer::Rtsp, format!("following the redirect to {shown}"));
        if let Some(why) = &withheld {
            self.ctx.step(Layer::Auth, format!("credentials withheld: {why}"));
        }
        if target.scheme() != self.url.scheme() && self.url.scheme().is_tls() {
            let mut f = Finding::new(
                codes::RTSP_SCHEME_DOWNGRADE,
                format!("the server redirects an rtsps:// request to {shown}"),
            )
            .with_severity(Severity::Error)
            .with_evidence("location", shown.clone());
            if let Some(why) = &withheld {
                f = f.with_evidence("credentials", format!("withheld: {why}"));
            }
            self.ctx.finding(f);
        } else if let Some(why) = &withheld
            && let Some(f) = self.ctx.record.find_mut(codes::RTSP_REDIRECT.code)
        {
            f.evidence
                .push(crate::Evidence { label: "credentials".into(), value: format!("withheld: {why}") });
        }
        self.url = target;
        self.connect();
    }

    fn discovered(&mut self) {
        let Stage::Discover(d) = std::mem::replace(&mut self.stage, Stage::Finished) else { return };
        self.ctx.record.facts.ports = d.facts();
        match d.best() {
            Some((scheme, port)) => {
                let text = format!(
                    "{}://{}:{port}{}",
                    scheme.as_str(),
                    connect::bracket(&self.url.host().to_string()),
                    self.url.path()
                );
                match Url::parse(&text) {
                    Ok(url) => {
                        self.ctx.step(Layer::Tcp, format!("probing {}", url.redacted()));
                        if !url.scheme().is_tls() {
                            self.credentials.discovered_plain();
                            if let Some(why) = self.credentials.withheld() {
                                self.ctx.step(Layer::Auth, format!("credentials withheld: {why}"));
                            }
                        }
                        self.url = url;
                        self.connect();
                    }
                    Err(e) => {
                        self.ctx.step(Layer::Tcp, format!("cannot build the URL {text}: {e}"));
                        self.finish();
                    }
                }
            }
            None => {
                let mut f = Finding::new(
                    codes::TCP_NO_SERVICE,
                    format!("no port of {} answered TLS or RTSP", self.url.host()),
                );
                for p in &self.ctx.record.facts.ports {
                    f = f.with_evidence(
                        format!("port {}", p.port),
                        format!("{} {}", p.answer, p.detail).trim().to_owned(),
                    );
                }
                self.ctx.finding(f);
                self.ctx.layer_done(Layer::Tcp, "");
                self.finish();
            }
        }
    }

    fn interrupt(&mut self) {
        self.interrupted = true;
        self.ctx.record.facts.interrupted = true;
        self.ctx.step(Layer::Tcp, "interrupted: tearing down and reporting what was learned");
        match &mut self.stage {
            Stage::Session(s) => s.interrupt(&mut self.ctx),
            // The scan after a failed handshake holds the handshake's finding until it can say whether it
            // explains it better: cut short, it explains nothing, and the failure is still the diagnosis.
            Stage::Scan { .. } if self.pending_tls_finding.is_some() => {
                if let Some(f) = self.pending_tls_finding.take() {
                    self.ctx.finding(f);
                }
                self.ctx.layer_done(Layer::Tls, "");
                self.finish();
            }
            _ => self.finish(),
        }
    }

    /// Closes everything and emits the report.
    fn finish(&mut self) {
        if self.done {
            return;
        }
        match std::mem::replace(&mut self.stage, Stage::Finished) {
            Stage::Session(mut s) => {
                self.ctx.close(s.conn());
                for udp in s.udp_pairs() {
                    self.ctx.out.push_back(Output::CloseUdp { udp });
                }
                s.finish(&mut self.ctx);
            }
            Stage::Connect { conn, .. } | Stage::Legacy { conn, .. } => self.ctx.close(conn),
            _ => {}
        }
        self.done = true;
        let record = std::mem::take(&mut self.ctx.record);
        let scope: Vec<Layer> = Layer::ALL
            .into_iter()
            .filter(|l| *l != Layer::Onvif)
            .filter(|l| self.url.scheme().is_tls() || !matches!(l, Layer::Tls | Layer::Certificate))
            .collect();
        let target = match &self.ctx.config.discovery {
            Some(_) => format!("{} ({})", self.target, self.url.redacted()),
            None => self.target.clone(),
        };
        // The report leaves the probe once, as `Output::Done`: drivers that stream events wrap it in
        // `ProbeEvent::Done` themselves.
        let report = record.finish(target, &scope);
        self.ctx.out.push_back(Output::Done(Box::new(report)));
    }
}

/// The credentials in a URL's userinfo.
fn url_credentials(url: &Url) -> Option<Credentials> {
    let c = url.credentials()?;
    let password = c.password.as_ref().map(|p| p.expose().to_owned()).unwrap_or_default();
    Some(Credentials::new(c.user.clone(), password))
}

impl Probe {
    /// Whether the probe is over (the report was emitted).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The report target (URL with credentials redacted).
    pub fn target(&self) -> &str {
        &self.target
    }
}
