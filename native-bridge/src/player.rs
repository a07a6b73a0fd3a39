//! A lean RTSP/RTSPS player built on core, for load benchmarks and abuse tests: it plays one stream over TCP
//! interleaved and counts what a viewer would notice: RTP loss, reordering, late packets, bytes.
//!
//! It is deliberately not the probe (which examines everything and keeps evidence): thousands of these run in
//! one process, so each keeps a few counters and one read buffer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rtspeek_core::rtp::RtpPacket;
use rtspeek_core::rtsp::headers::Session;
use rtspeek_core::rtsp::url::{Scheme, Url};
use rtspeek_core::rtsp::writer::write_request;
use rtspeek_core::rtsp::{Message, Method, Parsed, Parser, Request, Response};
use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::tls::{Connector, TlsOptions};

/// A packet counts as late when it arrives this much later than its RTP timestamp says, relative to the
/// earliest packet of the session (so network and server delay common to all packets do not count).
pub const LATE_AFTER: Duration = Duration::from_millis(250);

/// Where and how to play.
#[derive(Debug, Clone)]
pub struct Target {
    /// `rtsps://` or `rtsp://` URL of the stream (no credentials).
    pub url: Url,
    /// CA certificates to trust for `rtsps://`.
    pub anchors: Vec<CertificateDer<'static>>,
    /// Bound on connecting, the handshake and each request.
    pub timeout: Duration,
}

/// What players saw; shared by many players (atomics) or used by one.
#[derive(Debug, Default)]
pub struct Counters {
    /// Sessions that reached PLAY.
    pub playing: AtomicU64,
    /// RTP packets received.
    pub packets: AtomicU64,
    /// Packets missing from the sequence (gaps).
    pub lost: AtomicU64,
    /// Packets that arrived out of order or twice.
    pub reordered: AtomicU64,
    /// Packets later than [`LATE_AFTER`].
    pub late: AtomicU64,
    /// Bytes read from the connection after TLS (RTSP and interleaved media).
    pub bytes: AtomicU64,
    /// Sessions that failed (connect, TLS, a non-200 answer, the server closing).
    pub failed: AtomicU64,
}

/// Why a player's session ended in failure.
#[derive(Debug, thiserror::Error)]
pub enum PlayerError {
    /// No TCP connection within the bound.
    #[error("connect: timed out after {0:?}")]
    ConnectTimeout(Duration),
    /// The TCP connection failed.
    #[error("connect: {0}")]
    Connect(std::io::Error),
    /// The CA certificates could not be used.
    #[error(transparent)]
    TlsConfig(#[from] crate::tls::ConfigError),
    /// The TLS handshake failed.
    #[error("TLS: {0}")]
    Tls(crate::tls::TlsFailure),
    /// A request could not be written.
    #[error("{method}: {source}")]
    Write {
        /// The request's method.
        method: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No response within the bound.
    #[error("{method}: no answer in {after:?}")]
    NoAnswer {
        /// The request's method.
        method: String,
        /// The bound.
        after: Duration,
    },
    /// A response other than 2xx.
    #[error("{method}: {status}")]
    Refused {
        /// The request's method.
        method: String,
        /// Status code and reason phrase.
        status: String,
    },
    /// The SETUP response's Session header is missing (`None`) or invalid.
    #[error("SETUP: {}", .0.as_deref().unwrap_or("no Session header"))]
    Session(Option<String>),
    /// Reading failed.
    #[error("read: {0}")]
    Read(std::io::Error),
    /// The server closed the connection.
    #[error("the server closed the connection")]
    Closed,
    /// A message did not fit in the read buffer.
    #[error("a message larger than the read buffer ({0} bytes)")]
    TooLarge(usize),
    /// The server's bytes are not RTSP.
    #[error("from the server: {0}")]
    Parse(rtspeek_core::rtsp::ParseError),
}

/// Loss and timing of one RTP stream.
#[derive(Debug, Default)]
struct Tracker {
    next_seq: Option<u16>,
    /// Arrival and RTP time of the first packet, and the smallest lateness seen (a packet earlier than the
    /// first one's pace lowers the reference).
    base: Option<(Instant, u32)>,
    min_offset: Option<i64>,
}

impl Tracker {
    fn packet(&mut self, packet: &RtpPacket<'_>, now: Instant, counters: &Counters) {
        counters.packets.fetch_add(1, Ordering::Relaxed);
        let seq = packet.sequence();
        if let Some(expected) = self.next_seq {
            let gap = seq.wrapping_sub(expected);
            if gap == 0 {
                self.next_seq = Some(seq.wrapping_add(1));
            } else if gap < 0x8000 {
                counters.lost.fetch_add(u64::from(gap), Ordering::Relaxed);
                self.next_seq = Some(seq.wrapping_add(1));
            } else {
                counters.reordered.fetch_add(1, Ordering::Relaxed);
            }
        } else {
            self.next_seq = Some(seq.wrapping_add(1));
        }
        let (t0, ts0) = *self.base.get_or_insert((now, packet.timestamp()));
        let media_us = i64::from(packet.timestamp().wrapping_sub(ts0) as i32) * 1_000_000 / 90_000;
        let offset = now.duration_since(t0).as_micros() as i64 - media_us;
        let min = *self.min_offset.get_or_insert(offset);
        if offset < min {
            self.min_offset = Some(offset);
        } else if offset - min > LATE_AFTER.as_micros() as i64 {
            counters.late.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Plays `target` until `stop` resolves (then sends TEARDOWN) or the server ends the session.
pub async fn play(
    target: &Target,
    counters: &Counters,
    stop: impl Future<Output = ()>,
) -> Result<(), PlayerError> {
    let result = play_inner(target, counters, stop).await;
    if result.is_err() {
        counters.failed.fetch_add(1, Ordering::Relaxed);
    }
    result
}

async fn play_inner(
    target: &Target,
    counters: &Counters,
    stop: impl Future<Output = ()>,
) -> Result<(), PlayerError> {
    let host = target.url.host().to_string();
    let addr = (host.as_str(), target.url.port_or_default());
    let tcp = tokio::time::timeout(target.timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| PlayerError::ConnectTimeout(target.timeout))?
        .map_err(PlayerError::Connect)?;
    let _ = tcp.set_nodelay(true);
    if target.url.scheme() == Scheme::Rtsps {
        let options = TlsOptions {
            anchors: Some(target.anchors.clone()),
            handshake_timeout: target.timeout,
            ..TlsOptions::default()
        };
        let connector = Connector::new(&options).map_err(PlayerError::TlsConfig)?;
        let (tls, _) = connector.connect(tcp, &host).await;
        let tls = tls.map_err(PlayerError::Tls)?;
        Conversation::new(tls, target, counters).run(stop).await
    } else {
        Conversation::new(tcp, target, counters).run(stop).await
    }
}

/// The `a=control` of the first video description of an SDP (servers name tracks their own way:
/// `trackID=0`, `stream=0`, absolute URLs).
fn video_control(sdp: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(sdp).ok()?;
    let mut in_video = false;
    for line in text.lines().map(str::trim_end) {
        if let Some(media) = line.strip_prefix("m=") {
            in_video = media.starts_with("video");
        } else if in_video && let Some(control) = line.strip_prefix("a=control:") {
            return Some(control.trim().to_owned());
        }
    }
    None
}

struct Conversation<'a, S> {
    io: S,
    target: &'a Target,
    counters: &'a Counters,
    parser: Parser,
    buf: Vec<u8>,
    filled: usize,
    cseq: u32,
    tracker: Tracker,
}

impl<'a, S: AsyncRead + AsyncWrite + Unpin> Conversation<'a, S> {
    fn new(io: S, target: &'a Target, counters: &'a Counters) -> Self {
        Conversation {
            io,
            target,
            counters,
            parser: Parser::default(),
            buf: vec![0; 64 * 1024],
            filled: 0,
            cseq: 0,
            tracker: Tracker::default(),
        }
    }

    async fn run(mut self, stop: impl Future<Output = ()>) -> Result<(), PlayerError> {
        let url = self.target.url.to_string();
        let describe = self.request(Method::Describe, &url, &[("Accept", "application/sdp")]).await?;
        let base = describe.headers.get("Content-Base").map_or_else(|| format!("{url}/"), str::to_owned);
        let base_dir = if base.ends_with('/') { base.clone() } else { format!("{base}/") };
        let track = video_control(&describe.body)
            .and_then(|control| Url::parse(&base_dir).ok()?.resolve_control(&control).ok())
            .map_or_else(|| format!("{base_dir}trackID=0"), |u| u.to_string());
        let setup = self
            .request(Method::Setup, &track, &[("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")])
            .await?;
        let session: Session = setup
            .headers
            .typed()
            .map_err(|e| PlayerError::Session(Some(e.to_string())))?
            .ok_or(PlayerError::Session(None))?;
        let timeout = Duration::from_secs(u64::from(session.timeout_or_default()));
        self.request(Method::Play, &base, &[("Session", &session.id), ("Range", "npt=0.000-")]).await?;
        self.counters.playing.fetch_add(1, Ordering::Relaxed);

        let mut keepalive = tokio::time::interval_at(tokio::time::Instant::now() + timeout / 2, timeout / 2);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                _ = keepalive.tick() => {
                    let bytes = self.request_bytes(Method::GetParameter, &base, &[("Session", &session.id)]);
                    self.io.write_all(&bytes).await.map_err(|e| PlayerError::Write { method: "GET_PARAMETER".into(), source: e })?;
                }
                read = self.read_more() => {
                    read?;
                    self.drain_media()?;
                }
            }
        }
        let bytes = self.request_bytes(Method::Teardown, &base, &[("Session", &session.id)]);
        let _ = tokio::time::timeout(self.target.timeout, self.io.write_all(&bytes)).await;
        let _ = tokio::time::timeout(Duration::from_millis(200), self.io.shutdown()).await;
        Ok(())
    }

    fn request_bytes(&mut self, method: Method<'static>, uri: &str, headers: &[(&str, &str)]) -> Vec<u8> {
        self.cseq += 1;
        let mut req = Request::new(method, uri.to_owned()).with_header("CSeq", self.cseq.to_string());
        for (name, value) in headers {
            req = req.with_header(name.to_string(), value.to_string());
        }
        req = req.with_header("User-Agent", concat!("rtspeek-player/", env!("CARGO_PKG_VERSION")));
        let mut out = Vec::new();
        // Our own requests are well-formed.
        let _ = write_request(&req, &mut out);
        out
    }

    /// Sends a request and waits for its response (media frames arriving meanwhile are counted).
    async fn request(
        &mut self,
        method: Method<'static>,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> Result<Response<'static>, PlayerError> {
        let name = method.as_str().to_owned();
        let bytes = self.request_bytes(method, uri, headers);
        self.io
            .write_all(&bytes)
            .await
            .map_err(|source| PlayerError::Write { method: name.clone(), source })?;
        let deadline = tokio::time::Instant::now() + self.target.timeout;
        loop {
            if let Some(response) = self.next_response()? {
                if !response.status.is_success() {
                    let status = format!("{} {}", response.status, response.reason);
                    return Err(PlayerError::Refused { method: name, status });
                }
                return Ok(response);
            }
            tokio::time::timeout_at(deadline, self.read_more())
                .await
                .map_err(|_| PlayerError::NoAnswer { method: name.clone(), after: self.target.timeout })??;
        }
    }

    async fn read_more(&mut self) -> Result<(), PlayerError> {
        if self.filled == self.buf.len() {
            return Err(PlayerError::TooLarge(self.buf.len()));
        }
        let n = self.io.read(&mut self.buf[self.filled..]).await.map_err(PlayerError::Read)?;
        if n == 0 {
            return Err(PlayerError::Closed);
        }
        self.filled += n;
        self.counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Parses what was read: media frames are counted; the first response is returned.
    fn next_response(&mut self) -> Result<Option<Response<'static>>, PlayerError> {
        let mut found = None;
        self.consume(|message| {
            if let Message::Response(r) = message
                && found.is_none()
            {
                found = Some(r.into_owned());
                return false;
            }
            true
        })?;
        Ok(found)
    }

    fn drain_media(&mut self) -> Result<(), PlayerError> {
        self.consume(|_| true)
    }

    /// Feeds buffered bytes to the parser, handing non-media messages to `keep_going` until it says stop.
    fn consume(&mut self, mut keep_going: impl FnMut(Message<'_>) -> bool) -> Result<(), PlayerError> {
        let now = Instant::now();
        let mut rest = &self.buf[..self.filled];
        loop {
            match self.parser.feed(&mut rest).map_err(PlayerError::Parse)? {
                Parsed::Incomplete(_) => break,
                Parsed::Message(Message::Interleaved(frame), _) => {
                    if frame.channel == 0
                        && let Ok(packet) = RtpPacket::parse(&frame.payload)
                    {
                        self.tracker.packet(&packet, now, self.counters);
                    }
                }
                Parsed::Message(other, _) => {
                    if !keep_going(other) {
                        break;
                    }
                }
            }
        }
        let consumed = self.filled - rest.len();
        self.buf.copy_within(consumed..self.filled, 0);
        self.filled -= consumed;
        Ok(())
    }
}
