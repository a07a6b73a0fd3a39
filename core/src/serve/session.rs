//! [`ServerSession`]: one RTSP connection as the server sees it, sans-IO. Inputs in (bytes, RTCP, the answer
//! to a subscription), responses and media commands out, timers as deadlines.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use crate::UnixTime;
use crate::rng::SeededRng;
use crate::rtcp::{Compound, RtcpPacket};
use crate::rtsp::writer::write_response;
use crate::rtsp::{Message, Parsed, Parser, ParserConfig, Response, StatusCode};

use super::auth::Guard;
use super::config::{SessionConfig, TIMEOUT_GRACE};
use super::io::{CloseReason, ConnectionInfo, Input, Output, PlayCommand, SessionStats};
use super::methods::{Answer, error};
use super::mount::{Catalog, RtpPosition};
use super::srtp::{OfferedKeys, SessionSrtp};
use super::transport::Delivery;

/// The RTSP session of this connection (one per connection, one track per mount).
#[derive(Debug, Clone)]
pub(super) struct RtspState {
    pub(super) id: String,
    pub(super) mount: String,
    pub(super) delivery: Delivery,
    /// Where the stream stood when this client started playing; `None` while not playing.
    pub(super) playing: Option<RtpPosition>,
    /// SRTP keys and the client's SRTCP context, when the mount is SRTP.
    pub(super) srtp: Option<SessionSrtp>,
}

/// A PLAY accepted and waiting for [`Input::Subscribed`].
#[derive(Debug, Clone)]
pub(super) struct PendingPlay {
    /// The request's CSeq, for the answer.
    pub(super) cseq: String,
    /// The track's URL, for RTP-Info.
    pub(super) track_url: String,
}

/// One connection's RTSP server state machine. See the [module docs](super) for the drain contract and a run
/// loop.
#[derive(Debug)]
pub struct ServerSession {
    pub(super) config: SessionConfig,
    pub(super) conn: ConnectionInfo,
    catalog: Arc<dyn Catalog>,
    parser: Parser,
    /// Bytes read and not yet handled: an incomplete request, or requests held behind a pending PLAY.
    buf: Vec<u8>,
    pub(super) out: VecDeque<Output>,
    pub(super) rng: SeededRng,
    pub(super) guards: BTreeMap<String, Guard>,
    pub(super) state: Option<RtspState>,
    /// The PLAY that waits for the stream's position; while it waits, later requests stay in `buf`.
    pub(super) pending: Option<PendingPlay>,
    /// The SRTP keys this connection was last offered (DESCRIBE or a SETUP's `KeyMgmt`), until TEARDOWN.
    pub(super) offered: Option<OfferedKeys>,
    now: Duration,
    last_activity: Duration,
    partial_since: Option<Duration>,
    closed: bool,
    pub(super) stats: SessionStats,
}

impl ServerSession {
    /// A session for a connection accepted at `now`, seeing the mounts of `catalog`; `seed` makes session ids
    /// and nonces (give it fresh random bytes).
    pub fn new(
        config: SessionConfig,
        conn: ConnectionInfo,
        catalog: Arc<dyn Catalog>,
        now: Duration,
        seed: [u8; 32],
    ) -> Self {
        let parser = Parser::new(ParserConfig { limits: config.limits, ..ParserConfig::default() });
        ServerSession {
            config,
            conn,
            catalog,
            parser,
            buf: Vec::new(),
            out: VecDeque::new(),
            rng: SeededRng::new(seed),
            guards: BTreeMap::new(),
            state: None,
            pending: None,
            offered: None,
            now,
            last_activity: now,
            partial_since: None,
            closed: false,
            stats: SessionStats::default(),
        }
    }

    /// Feeds what happened at `now` (the driver's clock, the one [`SessionConfig::unix_origin`] dates).
    pub fn handle_input(&mut self, now: Duration, input: Input<'_>) {
        if self.closed {
            return;
        }
        self.now = self.now.max(now);
        match input {
            Input::Data(data) => {
                self.last_activity = self.now;
                self.buf.extend_from_slice(data);
                if self.pending.is_some() && self.buf.len() > self.held_limit() {
                    self.close(CloseReason::Overrun);
                    return;
                }
                self.process();
            }
            Input::Rtcp(packet) => {
                self.last_activity = self.now;
                self.read_rtcp(packet);
            }
            Input::Subscribed(position) => {
                if let Some(pending) = self.pending.take() {
                    self.answer_play(pending, position);
                    self.process();
                }
            }
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due (what [`poll_output`](Self::poll_output) reports
    /// as [`Output::Timeout`]); `None` once closed.
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
        self.now = self.now.max(now);
        if self.partial_since.is_some_and(|since| self.now >= since + self.config.request_timeout) {
            self.close(CloseReason::RequestTimeout);
        } else if let Some(deadline) = self.poll_timeout()
            && self.now >= deadline
        {
            let reason = if self.state.is_some() { CloseReason::SessionTimeout } else { CloseReason::Idle };
            self.close(reason);
        }
    }

    /// The next thing the driver must do: the queued outputs, then [`Output::Timeout`]; `None` once the
    /// connection is closed and [`Output::Close`] was handed out.
    pub fn poll_output(&mut self) -> Option<Output> {
        if let Some(out) = self.out.pop_front() {
            return Some(out);
        }
        self.poll_timeout().map(Output::Timeout)
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

    /// The wall-clock time now, for Digest nonces.
    pub(super) fn unix(&self) -> UnixTime {
        let secs = i64::try_from(self.now.as_secs()).unwrap_or(i64::MAX);
        UnixTime(self.config.unix_origin.0.saturating_add(secs))
    }

    /// Bytes held while a PLAY waits: one request's worth.
    fn held_limit(&self) -> usize {
        self.config.limits.max_head_bytes.saturating_add(self.config.limits.max_body_bytes)
    }

    /// Handles the complete messages in `buf`, until one is incomplete, a PLAY waits for its stream, or the
    /// connection closes.
    fn process(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        let catalog = Arc::clone(&self.catalog);
        let mut rest: &[u8] = &buf;
        while !self.closed && self.pending.is_none() {
            match self.parser.feed(&mut rest) {
                Ok(Parsed::Message(Message::Request(req), _)) => self.handle_request(&req, &*catalog),
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
                }
            }
        }
        let consumed = buf.len() - rest.len();
        let mut buf = buf;
        buf.drain(..consumed);
        self.partial_since = if buf.is_empty() { None } else { self.partial_since.or(Some(self.now)) };
        self.buf = buf;
    }

    /// The PLAY's answer once the driver subscribed: 200 with RTP-Info and [`Output::Play`], or 503 when the
    /// stream has nothing yet.
    fn answer_play(&mut self, pending: PendingPlay, position: Option<RtpPosition>) {
        let started = match (position, self.state.as_mut()) {
            (Some(position), Some(state)) => {
                state.playing = Some(position);
                let play = PlayCommand {
                    mount: state.mount.clone(),
                    delivery: state.delivery,
                    position,
                    srtp: state.srtp.as_ref().map(|s| s.key.clone()),
                };
                Some((play_answer(&state.id, &pending.track_url, position), play))
            }
            _ => None,
        };
        match started {
            Some((answer, play)) => {
                self.finish_answer(answer, Some(pending.cseq));
                self.out.push_back(Output::Play(play));
            }
            None => {
                // Requests are held while PLAY waits, so the session cannot have gone; if it did, answer as
                // PLAY would have.
                let answer = if self.state.is_none() {
                    error(StatusCode::SESSION_NOT_FOUND, "PLAY before SETUP")
                } else {
                    error(StatusCode::SERVICE_UNAVAILABLE, "the stream's source has not produced a frame yet")
                        .with_header("Retry-After", "1")
                };
                self.finish_answer(answer, Some(pending.cseq));
            }
        }
    }

    /// Closes the connection, stopping the media first.
    pub(super) fn close(&mut self, reason: CloseReason) {
        if self.state.take().is_some() {
            self.out.push_back(Output::Stop);
        }
        self.pending = None;
        self.out.push_back(Output::Close(reason));
        self.closed = true;
    }

    fn rtcp_channel(&self) -> Option<u8> {
        match self.state.as_ref()?.delivery {
            Delivery::Interleaved { rtcp_channel, .. } => Some(rtcp_channel),
            Delivery::Udp { .. } => None,
        }
    }

    fn read_rtcp(&mut self, packet: &[u8]) {
        let plain;
        let packet = match self.state.as_mut().and_then(|s| s.srtp.as_mut()) {
            Some(srtp) => match srtp.inbound.unprotect_rtcp(packet) {
                Ok(p) => {
                    plain = p;
                    plain.as_slice()
                }
                Err(_) => {
                    self.stats.srtcp_failures += 1;
                    return;
                }
            },
            None => packet,
        };
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

    /// Sets `CSeq` (when the request had one) and `Server`, and transmits.
    pub(super) fn finish_answer(&mut self, mut answer: Answer, cseq: Option<String>) {
        if let Some(cseq) = cseq {
            answer.headers.set("CSeq", cseq);
        }
        answer.headers.set("Server", self.config.server.clone());
        self.transmit(&answer);
    }

    fn transmit(&mut self, answer: &Answer) {
        let mut bytes = Vec::with_capacity(256 + answer.body.len());
        // Our own responses are always writable (tokens and values are ours or sanitised).
        if write_response(answer, &mut bytes).is_ok() {
            self.out.push_back(Output::Transmit(bytes));
        }
    }
}

/// The 200 to a PLAY: the stream starts at `position`.
pub(super) fn play_answer(id: &str, track_url: &str, position: RtpPosition) -> Answer {
    Response::new(StatusCode::OK)
        .with_header("Session", id.to_owned())
        .with_header("Range", "npt=0.000-")
        .with_header("RTP-Info", format!("url={track_url};seq={};rtptime={}", position.seq, position.rtptime))
}
