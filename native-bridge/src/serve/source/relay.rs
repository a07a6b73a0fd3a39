//! The relay source: a plain `rtsp://` camera read with [`retina`] and re-served by `rtspeek serve` (as
//! `rtsps://` when the listener is TLS).
//!
//! [`open`] connects, DESCRIBEs, SETUPs the first H.264/H.265 video stream over TCP interleaved and PLAYs, each
//! step bounded by the configured timeout; the codec and parameter sets it learns (from the SDP, or from the first
//! frame when the SDP has none) become the stream's [`StreamInfo`]. [`Relay::run`] then turns retina's frames
//! into [`Frame`]s for the [`MediaBus`] and, when the camera goes away, reconnects with a growing backoff
//! (1 s, 2 s, 4 s, 8 s, then every 10 s) while keeping that same `StreamInfo`: the clients' SDP stays valid.
//!
//! Timestamps: a frame's `pts` follows the camera's RTP clock within one upstream session; across a reconnect
//! it continues from the last one plus the real time that passed, so it never goes backwards.
//!
//! Credentials: the user and password in the configured URL go to retina as [`Credentials`] (retina refuses URLs
//! with userinfo); logs and errors show the URL with the password masked, and any retina message is scrubbed of
//! the password before it is shown.
//!
//! Keyframes: each upstream session is relayed from its first keyframe on (earlier frames cannot be decoded),
//! and every keyframe carries the current parameter sets in front. retina flags only IDR pictures as random
//! access points, so H.265 CRA/BLA pictures are recognised here from their NAL unit types.
//!
//! Limitations: retina has no TLS, so an `rtsps://` camera cannot be relayed; H.265 relies on retina's `h265`
//! feature (on by default, its module still hidden from retina's docs); only the first H.264/H.265 video
//! stream is relayed (no audio); the relay cannot ask the camera for a keyframe, so a client that joins waits
//! for the camera's next one.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use retina::client::{
    Credentials, Demuxed, PlayOptions, Session, SessionOptions, SetupOptions, TcpTransportOptions, Transport,
};
use retina::codec::{
    CodecItem, FrameFormat, ParameterSetInsertion, ParametersRef, VideoFrame, VideoParameters,
};
use rtspeek_core::codec::{Codec, Frame, StreamInfo, VIDEO_CLOCK_RATE, decoder_config, h264, h265};
use rtspeek_core::rtsp::url::{Host, Scheme, Secret, Url, redact_text};

use crate::serve::media::MediaBus;

/// The frame rate announced when neither the SDP nor the SPS timing says.
const DEFAULT_FRAME_RATE: f64 = 25.0;
/// An upstream session that delivers no video frame for this long is considered dead and reconnected.
const STALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Reconnection backoff: the first delay, doubled after each failure up to the maximum.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// How often [`Relay::run`] looks at [`MediaBus::is_shut_down`].
const SHUTDOWN_POLL: Duration = Duration::from_millis(250);
/// Within one upstream session, a timestamp step backwards by more than this (or forwards by more than
/// [`MAX_FORWARD_TICKS`]) is a discontinuity (a camera clock reset): the pts re-anchors instead of following.
/// Smaller backward steps (reordered B-frames) are flattened to keep `pts` monotonic.
const MAX_BACKWARD_TICKS: u64 = VIDEO_CLOCK_RATE as u64;
const MAX_FORWARD_TICKS: u64 = 10 * VIDEO_CLOCK_RATE as u64;

/// An upstream camera, connected and playing.
pub struct Relay {
    upstream: Upstream,
    info: StreamInfo,
    /// The session [`open`] established, handed to [`run`](Relay::run).
    live: Option<Live>,
}

impl fmt::Debug for Relay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relay")
            .field("upstream", &self.upstream.shown)
            .field("info", &self.info)
            .field("connected", &self.live.is_some())
            .finish()
    }
}

/// Where the camera is and how to log in; the password stays in a [`Secret`].
struct Upstream {
    /// The URL without userinfo, as retina wants it.
    url: url::Url,
    user: Option<String>,
    password: Secret<String>,
    /// The configured URL with the password masked, for logs and errors.
    shown: String,
    timeout: Duration,
}

/// One playing upstream session.
struct Live {
    demuxed: Demuxed,
    stream_id: usize,
    codec: Codec,
    /// The parameter sets keyframes must carry: the first ones, then whatever the camera changed them to.
    params: ParamSets,
    /// The frame read by [`open`] while waiting for parameters the SDP did not carry.
    pending: Option<VideoFrame>,
}

/// What one connection learned about the stream.
struct Described {
    codec: Codec,
    params: ParamSets,
    frame_rate: f64,
}

impl Relay {
    /// Codec and parameter sets of the upstream stream, as first connected.
    pub fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// Publishes the camera's frames into `bus` until it is shut down, reconnecting whenever the camera fails.
    pub async fn run(self, bus: Arc<MediaBus>) {
        tokio::select! {
            () = self.relay(&bus) => {}
            () = shut_down(&bus) => {}
        }
        tracing::debug!(stream = %bus.path(), "relay stopped");
    }

    /// Runs forever; [`run`](Self::run) drops it when the bus shuts down (dropping the session closes it).
    async fn relay(mut self, bus: &MediaBus) {
        let mut clock = PtsClock::new(self.info.frame_rate);
        let mut backoff = Backoff::default();
        let mut live = self.live.take();
        loop {
            let mut session = match live.take() {
                Some(session) => session,
                None => match self.upstream.connect().await {
                    Ok((session, described)) if described.codec == self.info.codec => {
                        tracing::info!(stream = %bus.path(), upstream = %self.upstream.shown, "upstream reconnected");
                        session
                    }
                    Ok((_, described)) => {
                        let delay = backoff.next_delay();
                        tracing::error!(
                            stream = %bus.path(),
                            upstream = %self.upstream.shown,
                            "upstream now sends {} instead of {}: not relayed; retrying in {} s",
                            described.codec.name(),
                            self.info.codec.name(),
                            delay.as_secs()
                        );
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    Err(e) => {
                        let delay = backoff.next_delay();
                        tracing::warn!(
                            stream = %bus.path(),
                            upstream = %self.upstream.shown,
                            "upstream unreachable: {e}; retrying in {} s",
                            delay.as_secs()
                        );
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                },
            };
            clock.new_session();
            let (reason, frames) = pump(&mut session, bus, &mut clock, &self.upstream).await;
            drop(session);
            if frames > 0 {
                backoff = Backoff::default();
            }
            let delay = backoff.next_delay();
            tracing::warn!(
                stream = %bus.path(),
                upstream = %self.upstream.shown,
                "upstream lost after {frames} frames: {reason}; reconnecting in {} s",
                delay.as_secs()
            );
            tokio::time::sleep(delay).await;
        }
    }
}

/// Resolves once `bus` is shut down, looking every [`SHUTDOWN_POLL`].
async fn shut_down(bus: &MediaBus) {
    while !bus.is_shut_down() {
        tokio::time::sleep(SHUTDOWN_POLL).await;
    }
}

/// Relays one upstream session's frames until it fails; returns why, and how many frames were published.
async fn pump(live: &mut Live, bus: &MediaBus, clock: &mut PtsClock, upstream: &Upstream) -> (String, u64) {
    let mut relayer = FrameRelayer::default();
    if let Some(frame) = live.pending.take() {
        relayer.relay(live, frame, bus, clock, upstream);
    }
    let mut deadline = tokio::time::Instant::now() + STALL_TIMEOUT;
    loop {
        let item = match tokio::time::timeout_at(deadline, live.demuxed.next()).await {
            Err(_) => {
                return (format!("no video frame for {} s", STALL_TIMEOUT.as_secs()), relayer.published);
            }
            Ok(None) => return ("the upstream ended the session".into(), relayer.published),
            Ok(Some(Err(e))) => return (upstream.scrub(&e.to_string()), relayer.published),
            Ok(Some(Ok(item))) => item,
        };
        if let CodecItem::VideoFrame(frame) = item
            && frame.stream_id() == live.stream_id
        {
            deadline = tokio::time::Instant::now() + STALL_TIMEOUT;
            relayer.relay(live, frame, bus, clock, upstream);
        }
    }
}

/// Per-session state of turning retina frames into bus frames.
#[derive(Default)]
struct FrameRelayer {
    /// A keyframe was published in this session: frames before the first one cannot be decoded and are dropped.
    keyframe_seen: bool,
    skipped_before_keyframe: u64,
    malformed: u64,
    published: u64,
}

impl FrameRelayer {
    fn relay(
        &mut self,
        live: &mut Live,
        frame: VideoFrame,
        bus: &MediaBus,
        clock: &mut PtsClock,
        up: &Upstream,
    ) {
        if frame.has_new_parameters() {
            refresh_params(live, bus, up);
        }
        let mut nals = match split_length_prefixed(frame.data(), live.params.length_size) {
            Ok(nals) => nals,
            Err(e) => {
                self.malformed += 1;
                if self.malformed.is_power_of_two() {
                    tracing::warn!(stream = %bus.path(), "upstream frame skipped ({} so far): {e}", self.malformed);
                }
                return;
            }
        };
        // retina's flag means IDR only; an H.265 CRA or BLA picture is a keyframe too (as core counts them).
        let keyframe = frame.is_random_access_point() || has_keyframe_slice(live.codec, &nals);
        if !keyframe && !self.keyframe_seen {
            self.skipped_before_keyframe += 1;
            if self.skipped_before_keyframe == 1 {
                tracing::debug!(stream = %bus.path(), "waiting for the upstream's first keyframe");
            }
            return;
        }
        if frame.loss() > 0 {
            tracing::debug!(stream = %bus.path(), "{} RTP packets lost upstream before a frame", frame.loss());
        }
        if keyframe {
            self.keyframe_seen = true;
            ensure_parameter_sets(live.codec, &live.params.sets, &mut nals);
        }
        let ts = frame.timestamp();
        let ticks =
            i128::from(ts.elapsed()) * i128::from(VIDEO_CLOCK_RATE) / i128::from(ts.clock_rate().get());
        let pts = clock.pts(i64::try_from(ticks).unwrap_or(i64::MAX), Instant::now());
        bus.publish(&Frame { nals, pts, keyframe }, SystemTime::now());
        self.published += 1;
    }
}

/// Takes retina's new parameters for later keyframes. The bus's [`StreamInfo`] (and so the SDP that clients
/// already have) deliberately stays the first one: keyframes carry the new sets in-band, which decoders follow.
fn refresh_params(live: &mut Live, bus: &MediaBus, up: &Upstream) {
    let Some(ParametersRef::Video(video)) =
        live.demuxed.streams().get(live.stream_id).and_then(|s| s.parameters())
    else {
        return;
    };
    match video_params(video) {
        Ok((codec, params)) if codec == live.codec => {
            if params.sets != live.params.sets {
                tracing::info!(
                    stream = %bus.path(),
                    upstream = %up.shown,
                    "upstream parameter sets changed ({}); later keyframes carry the new ones, the SDP keeps the first",
                    video.rfc6381_codec()
                );
                live.params = params;
            }
        }
        Ok((codec, _)) => {
            tracing::warn!(stream = %bus.path(), "upstream parameters switched to {}: ignored", codec.name());
        }
        Err(e) => {
            tracing::warn!(stream = %bus.path(), "upstream sent unreadable parameters, kept the old ones: {e}")
        }
    }
}

/// Whether the NAL units hold an IDR slice (H.264) or an IRAP slice (H.265: IDR, CRA, BLA).
fn has_keyframe_slice(codec: Codec, nals: &[Vec<u8>]) -> bool {
    nals.iter().any(|nal| match codec {
        Codec::H264 => h264::nal_unit_type(nal) == Some(h264::nal_type::IDR),
        Codec::H265 => h265::nal_unit_type(nal).is_some_and(h265::is_irap),
    })
}

/// Puts the parameter sets in front of a keyframe that lacks any of them, after its access unit delimiter if it
/// starts with one (H.264 7.4.1.2.3 and H.265 7.4.2.4.4: the delimiter comes first).
///
/// retina strips in-band parameter sets from frames; asked to prepend its own (`EachKeyFrame`) it would put them
/// before the delimiter, so the relay asks for none and inserts them here.
fn ensure_parameter_sets(codec: Codec, sets: &[Vec<u8>], nals: &mut Vec<Vec<u8>>) {
    let complete =
        parameter_set_types(codec).iter().all(|(t, _)| nals.iter().any(|n| nal_type(codec, n) == Some(*t)));
    if !complete {
        let aud = match codec {
            Codec::H264 => h264::nal_type::AUD,
            Codec::H265 => h265::nal_type::AUD,
        };
        let at = usize::from(nals.first().is_some_and(|n| nal_type(codec, n) == Some(aud)));
        nals.splice(at..at, sets.iter().cloned());
    }
}

/// The NAL unit type of `nal` in `codec`'s numbering.
fn nal_type(codec: Codec, nal: &[u8]) -> Option<u8> {
    match codec {
        Codec::H264 => h264::nal_unit_type(nal),
        Codec::H265 => h265::nal_unit_type(nal),
    }
}

/// The parameter set NAL unit types a decoder needs, in decoding order, with their names.
fn parameter_set_types(codec: Codec) -> &'static [(u8, &'static str)] {
    match codec {
        Codec::H264 => &[(h264::nal_type::SPS, "SPS"), (h264::nal_type::PPS, "PPS")],
        Codec::H265 => {
            &[(h265::nal_type::VPS, "VPS"), (h265::nal_type::SPS, "SPS"), (h265::nal_type::PPS, "PPS")]
        }
    }
}

/// Splits a frame in length-prefixed form (ISO/IEC 14496-15: each NAL unit after a big-endian length of
/// `length_size` bytes) into its NAL units.
fn split_length_prefixed(data: &[u8], length_size: usize) -> Result<Vec<Vec<u8>>, RecordError> {
    let what = "length-prefixed frame";
    let mut nals = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let Some(prefix) = data.get(pos..pos + length_size) else {
            return Err(RecordError::new(what, pos, format!("{}-byte length cut short", length_size)));
        };
        let len = prefix.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        let start = pos + length_size;
        if len == 0 {
            return Err(RecordError::new(what, pos, "empty NAL unit".into()));
        }
        let Some(nal) = data.get(start..).and_then(|rest| rest.get(..len)) else {
            return Err(RecordError::new(
                what,
                pos,
                format!("NAL unit of {len} bytes, only {} left", data.len() - start),
            ));
        };
        nals.push(nal.to_vec());
        pos = start + len;
    }
    if nals.is_empty() {
        return Err(RecordError::new(what, 0, "no NAL unit".into()));
    }
    Ok(nals)
}

/// Parameter sets from a decoder configuration record, without start codes, in decoding order (VPS, SPS, PPS).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ParamSets {
    sets: Vec<Vec<u8>>,
    /// Bytes of each NAL unit's length prefix in frames (lengthSizeMinusOne + 1).
    length_size: usize,
}

/// A length-prefixed frame that could not be split: what, the byte where reading failed, and why. (Decoder
/// configuration records are read by core's `codec::decoder_config`.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {pos}: {reason}")]
struct RecordError {
    what: &'static str,
    pos: usize,
    reason: String,
}

impl RecordError {
    fn new(what: &'static str, pos: usize, reason: String) -> Self {
        RecordError { what, pos, reason }
    }
}

/// Codec and parameter sets of retina's video parameters (their `extra_data` is avcC/hvcC in our frame format).
fn video_params(video: &VideoParameters) -> Result<(Codec, ParamSets), String> {
    let codec = codec_of(video.rfc6381_codec())
        .ok_or_else(|| format!("codec {} is not H.264 or H.265", video.rfc6381_codec()))?;
    let record = decoder_config::parse(codec, video.extra_data()).map_err(|e| e.to_string())?;
    record.require_complete().map_err(|e| e.to_string())?;
    let sets = record.nals().map(<[u8]>::to_vec).collect();
    Ok((codec, ParamSets { sets, length_size: usize::from(record.length_size) }))
}

fn codec_of(rfc6381: &str) -> Option<Codec> {
    let family = rfc6381.split('.').next().unwrap_or_default();
    match family {
        "avc1" | "avc3" => Some(Codec::H264),
        "hvc1" | "hev1" => Some(Codec::H265),
        _ => None,
    }
}

/// Frames per second from SPS timing: retina gives seconds per frame as a fraction.
fn fps_of(video: &VideoParameters) -> Option<f64> {
    let (num, den) = video.frame_rate()?;
    (num > 0).then(|| f64::from(den) / f64::from(num))
}

fn plausible_fps(fps: f64) -> bool {
    fps.is_finite() && fps > 0.0 && fps <= 240.0
}

/// Maps the camera's timestamps to the bus's `pts`: 90 kHz ticks since the relay started, monotonic.
struct PtsClock {
    /// Nominal frame duration, for the step after a discontinuity.
    frame_ticks: u64,
    /// The last pts handed out and when.
    last: Option<(u64, Instant)>,
    /// This session's anchor: an upstream time (90 kHz ticks since its start) and the pts it maps to.
    anchor: Option<(i64, u64)>,
}

impl PtsClock {
    fn new(frame_rate: f64) -> Self {
        let frame_ticks =
            if plausible_fps(frame_rate) { (f64::from(VIDEO_CLOCK_RATE) / frame_rate) as u64 } else { 3600 };
        PtsClock { frame_ticks: frame_ticks.max(1), last: None, anchor: None }
    }

    /// A new upstream session: its timestamps start anywhere.
    fn new_session(&mut self) {
        self.anchor = None;
    }

    /// The pts of a frame with upstream time `upstream` (90 kHz ticks since its session began) seen at `now`.
    fn pts(&mut self, upstream: i64, now: Instant) -> u64 {
        let pts = match (self.anchor, self.last) {
            (Some((up0, pts0)), Some((last, _))) => {
                let candidate = i128::from(pts0) + i128::from(upstream) - i128::from(up0);
                let (low, high) =
                    (i128::from(last) - i128::from(MAX_BACKWARD_TICKS), i128::from(last + MAX_FORWARD_TICKS));
                if candidate < low || candidate > high {
                    tracing::debug!(
                        "upstream timestamp jumped by {} ticks: re-anchored",
                        candidate - i128::from(last)
                    );
                    let pts = last + self.frame_ticks;
                    self.anchor = Some((upstream, pts));
                    pts
                } else {
                    u64::try_from(candidate).unwrap_or(0).max(last)
                }
            }
            (_, last) => {
                // The first frame ever, or of a new session: continue after the real gap.
                let pts = last.map_or(0, |(last, at)| {
                    let gap = now.saturating_duration_since(at).as_micros() * u128::from(VIDEO_CLOCK_RATE)
                        / 1_000_000;
                    last + u64::try_from(gap).unwrap_or(u64::MAX / 2).max(self.frame_ticks)
                });
                self.anchor = Some((upstream, pts));
                pts
            }
        };
        self.last = Some((pts, now));
        pts
    }
}

/// Reconnection delays: 1 s, 2 s, 4 s, 8 s, then 10 s.
struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: BACKOFF_FIRST }
    }
}

impl Backoff {
    fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(BACKOFF_MAX);
        delay
    }
}

/// Runs one step of the connection within `timeout`, naming the step in any error.
async fn step<T>(
    name: &str,
    timeout: Duration,
    up: &Upstream,
    work: impl Future<Output = Result<T, retina::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("{name}: {}", up.scrub(&e.to_string()))),
        Err(_) => Err(format!("{name}: no answer within {:.1} s", timeout.as_secs_f64())),
    }
}

impl Upstream {
    fn from_url(text: &str, timeout: Duration) -> Result<Upstream, String> {
        let parsed = checked_url(text)?;
        let shown = parsed.redacted().to_string();
        let url = url::Url::parse(&parsed.without_credentials().to_string())
            .map_err(|e| format!("relay URL {shown}: {e}"))?;
        let (user, password) = match parsed.credentials() {
            Some(c) => (Some(c.user.clone()), c.password.clone().unwrap_or_default()),
            None => (None, Secret::default()),
        };
        Ok(Upstream { url, user, password, shown, timeout })
    }

    /// Masks the password anywhere in a message from retina (it never gets the password in a URL, but a
    /// message may quote a header or a URL).
    fn scrub(&self, message: &str) -> String {
        let mut out = redact_text(message).into_owned();
        let password = self.password.expose();
        // A one- or two-character password would mask unrelated letters; retina never quotes it anyway.
        if password.len() >= 3 {
            out = out.replace(password.as_str(), "***");
        }
        // retina's messages span lines (the connection and packet context): keep a log line one line.
        out.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
    }

    /// Connects, DESCRIBEs, SETUPs the first H.264/H.265 video stream over TCP and PLAYs; learns the parameter
    /// sets from the SDP or, failing that, from the first frame.
    async fn connect(&self) -> Result<(Live, Described), String> {
        let timeout = self.timeout;
        let creds = self
            .user
            .as_ref()
            .map(|user| Credentials { username: user.clone(), password: self.password.expose().clone() });
        let options = SessionOptions::default()
            .creds(creds)
            .user_agent(format!("rtspeek/{}", env!("CARGO_PKG_VERSION")));
        let mut session =
            step("connect and DESCRIBE", timeout, self, Session::describe(self.url.clone(), options)).await?;

        let streams = session.streams();
        let Some(stream_id) =
            streams.iter().position(|s| s.media() == "video" && matches!(s.encoding_name(), "h264" | "h265"))
        else {
            let found: Vec<String> =
                streams.iter().map(|s| format!("{}/{}", s.media(), s.encoding_name())).collect();
            return Err(format!(
                "DESCRIBE: no H.264 or H.265 video stream in the SDP (found: {})",
                found.join(", ")
            ));
        };
        let codec = if streams[stream_id].encoding_name() == "h265" { Codec::H265 } else { Codec::H264 };
        let sdp_fps = streams[stream_id].framerate().map(f64::from).filter(|f| plausible_fps(*f));

        // Length-prefixed frames and avcC/hvcC extra data; the parameter sets go in front of keyframes by
        // `ensure_parameter_sets`, not by retina.
        let format =
            FrameFormat { parameter_set_insertion: ParameterSetInsertion::Never, ..FrameFormat::MP4 };
        let setup = SetupOptions::default()
            .transport(Transport::Tcp(TcpTransportOptions::default()))
            .frame_format(format);
        step("SETUP", timeout, self, session.setup(stream_id, setup)).await?;
        let playing = step("PLAY", timeout, self, session.play(PlayOptions::default())).await?;
        let mut demuxed = playing.demuxed().map_err(|e| format!("PLAY: {}", self.scrub(&e.to_string())))?;

        let mut pending = None;
        let video = match video_parameters(&demuxed, stream_id) {
            Some(video) => video,
            None => {
                // No sprop-parameter-sets in the SDP: they come in-band with the first frame.
                let first = "first frame (the SDP has no parameter sets)";
                let deadline = tokio::time::Instant::now() + timeout;
                loop {
                    let item = match tokio::time::timeout_at(deadline, demuxed.next()).await {
                        Err(_) => return Err(format!("{first}: none within {:.1} s", timeout.as_secs_f64())),
                        Ok(None) => return Err(format!("{first}: the upstream ended the session")),
                        Ok(Some(Err(e))) => return Err(format!("{first}: {}", self.scrub(&e.to_string()))),
                        Ok(Some(Ok(item))) => item,
                    };
                    if let CodecItem::VideoFrame(frame) = item
                        && frame.stream_id() == stream_id
                    {
                        pending = Some(frame);
                        if let Some(video) = video_parameters(&demuxed, stream_id) {
                            break video;
                        }
                    }
                }
            }
        };
        let (found, params) = video_params(&video).map_err(|e| format!("parameter sets: {e}"))?;
        if found != codec {
            return Err(format!(
                "parameter sets: {} parameters for an {} stream",
                found.name(),
                codec.name()
            ));
        }
        let frame_rate =
            sdp_fps.or_else(|| fps_of(&video).filter(|f| plausible_fps(*f))).unwrap_or(DEFAULT_FRAME_RATE);
        let described = Described { codec, params: params.clone(), frame_rate };
        Ok((Live { demuxed, stream_id, codec, params, pending }, described))
    }
}

fn video_parameters(demuxed: &Demuxed, stream_id: usize) -> Option<VideoParameters> {
    match demuxed.streams().get(stream_id)?.parameters()? {
        ParametersRef::Video(video) => Some(video.clone()),
        _ => None,
    }
}

/// Connects to the camera at `url`, reads its description and starts playing its first H.264/H.265 video stream
/// over TCP; every step is bounded by `timeout`. Errors name the step and show the URL with its password masked.
pub async fn open(url: &str, timeout: Duration) -> Result<Relay, String> {
    let upstream = Upstream::from_url(url, timeout)?;
    let (live, described) = upstream.connect().await.map_err(|e| format!("relay {}: {e}", upstream.shown))?;
    let info = StreamInfo {
        codec: described.codec,
        parameter_sets: described.params.sets,
        frame_rate: described.frame_rate,
    };
    tracing::info!(
        upstream = %upstream.shown,
        "relaying {} at {} fps",
        info.codec.name(),
        info.frame_rate
    );
    Ok(Relay { upstream, info, live: Some(live) })
}

/// Checks the shape of a relay URL without connecting: `rtsp://` with a host. The message never holds the
/// password.
pub fn check_url(url: &str) -> Result<(), String> {
    Upstream::from_url(url, Duration::ZERO).map(drop)
}

/// Parses a relay URL and refuses what retina cannot reach.
fn checked_url(text: &str) -> Result<Url, String> {
    // The core parser's errors quote positions, never the text, so the password cannot leak through them.
    let url = Url::parse(text).map_err(|e| format!("relay URL: {e}"))?;
    let shown = url.redacted();
    match url.scheme() {
        Scheme::Rtsp => {}
        Scheme::Rtsps => {
            return Err(format!(
                "relay URL {shown}: rtsps:// upstreams are not supported: the relay's RTSP client (retina) has no \
                 TLS; use the camera's plain rtsp:// URL (rtspeek re-serves it as rtsps:// on a TLS listener)"
            ));
        }
        Scheme::Rtspu => {
            return Err(format!("relay URL {shown}: rtspu:// (RTSP over UDP) is not supported; use rtsp://"));
        }
    }
    if matches!(url.host(), Host::Domain(d) if d.is_empty()) {
        return Err(format!("relay URL {shown}: no host"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPS: &[u8] = &[0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x02, 0x80, 0xBF, 0xE5];
    const PPS: &[u8] = &[0x68, 0xCE, 0x3C, 0x80];

    #[test]
    fn length_prefixed_frames_split_with_bounds_checks() {
        let frame = [0, 0, 0, 2, 0x65, 0x88, 0, 0, 0, 1, 0x06];
        assert_eq!(split_length_prefixed(&frame, 4).unwrap(), vec![vec![0x65, 0x88], vec![0x06]]);
        for cut in 1..frame.len() {
            if cut == 6 {
                continue; // a whole first NAL unit
            }
            assert!(split_length_prefixed(&frame[..cut], 4).is_err(), "cut at {cut}");
        }
        assert!(split_length_prefixed(&[], 4).is_err());
        assert!(split_length_prefixed(&[0, 0, 0, 0], 4).unwrap_err().reason.contains("empty"));
        let huge = [0xFF, 0xFF, 0xFF, 0xFF, 1];
        assert!(split_length_prefixed(&huge, 4).unwrap_err().reason.contains("only 1 left"));
    }

    #[test]
    fn keyframes_get_parameter_sets_in_front_when_missing() {
        let sets = vec![SPS.to_vec(), PPS.to_vec()];
        let mut bare = vec![vec![0x65, 0x88]];
        ensure_parameter_sets(Codec::H264, &sets, &mut bare);
        assert_eq!(bare, vec![SPS.to_vec(), PPS.to_vec(), vec![0x65, 0x88]]);
        assert!(
            has_keyframe_slice(Codec::H264, &bare) && !has_keyframe_slice(Codec::H264, &[vec![0x41, 0x9A]])
        );
        // An H.265 CRA (type 21) is a keyframe that retina does not flag.
        assert!(has_keyframe_slice(Codec::H265, &[vec![21 << 1, 0x01, 0xAF]]));
        let mut complete = bare.clone();
        ensure_parameter_sets(Codec::H264, &sets, &mut complete);
        assert_eq!(complete, bare);
        // After an access unit delimiter, which must stay first.
        let mut delimited = vec![vec![0x09, 0xF0], vec![0x65, 0x88]];
        ensure_parameter_sets(Codec::H264, &sets, &mut delimited);
        assert_eq!(delimited, vec![vec![0x09, 0xF0], SPS.to_vec(), PPS.to_vec(), vec![0x65, 0x88]]);
    }

    #[test]
    fn check_url_refuses_what_retina_cannot_do_and_hides_the_password() {
        assert_eq!(check_url("rtsp://cam.example/live"), Ok(()));
        assert_eq!(check_url("rtsp://admin:hunter22@192.0.2.7:8554/ch1?sub=1"), Ok(()));
        let e = check_url("rtsps://admin:hunter22@cam.example/live").unwrap_err();
        assert!(e.contains("rtsps://") && e.contains("TLS"), "{e}");
        assert!(e.contains("admin:***@cam.example"), "{e}");
        for bad in [
            "rtsps://admin:hunter22@cam.example/live",
            "rtspu://admin:hunter22@cam.example/live",
            "http://admin:hunter22@cam.example/live",
            "rtsp://admin:hunter22@/live",
            "rtsp://admin:hunter22@cam.example:99999/live",
            "rtsp:/admin:hunter22@cam/live",
            "admin:hunter22",
        ] {
            let e = check_url(bad).expect_err(bad);
            assert!(!e.contains("hunter22"), "{bad}: {e}");
        }
    }

    #[test]
    fn credentials_go_to_retina_not_into_its_url() {
        let up = Upstream::from_url("rtsp://admin:p%40ss%20word@192.0.2.7:8554/ch1", Duration::from_secs(1))
            .unwrap();
        assert_eq!(up.url.as_str(), "rtsp://192.0.2.7:8554/ch1");
        assert_eq!(up.user.as_deref(), Some("admin"));
        assert_eq!(up.password.expose(), "p@ss word");
        assert!(!up.shown.contains("p@ss") && !up.shown.contains("p%40ss"), "{}", up.shown);
        assert_eq!(up.scrub("401 for p@ss word\n\nconn: x"), "401 for ***; conn: x");
    }

    #[test]
    fn pts_is_monotonic_within_and_across_sessions() {
        let t0 = Instant::now();
        let mut clock = PtsClock::new(25.0);
        assert_eq!(clock.pts(123_456, t0), 0);
        assert_eq!(clock.pts(123_456 + 3600, t0 + Duration::from_millis(40)), 3600);
        // A reordered (B-frame) step backwards is flattened.
        assert_eq!(clock.pts(123_456 + 1800, t0 + Duration::from_millis(60)), 3600);
        assert_eq!(clock.pts(123_456 + 7200, t0 + Duration::from_millis(80)), 7200);
        // A clock reset re-anchors one frame later.
        assert_eq!(clock.pts(0, t0 + Duration::from_millis(120)), 10_800);
        assert_eq!(clock.pts(3600, t0 + Duration::from_millis(160)), 14_400);
        // A reconnect 2 s later continues after the real gap, whatever the new session's timestamps.
        clock.new_session();
        let after = clock.pts(-5, t0 + Duration::from_millis(2160));
        assert_eq!(after, 14_400 + 180_000);
        assert_eq!(clock.pts(3595, t0 + Duration::from_millis(2200)), after + 3600);
    }

    #[test]
    fn backoff_doubles_up_to_ten_seconds() {
        let mut b = Backoff::default();
        let secs: Vec<u64> = (0..6).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 10, 10]);
    }
}
