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
//! it continues from the last one plus the real time that passed, so it never goes backwards (core's
//! [`PtsClock`]).
//!
//! Credentials: the user and password in the configured URL go to retina as [`Credentials`](retina::client::Credentials) (retina refuses URLs
//! with userinfo); logs and errors show the URL with the password masked, and any retina message is scrubbed of
//! the password before it is shown.
//!
//! Keyframes: each upstream session is relayed from its first keyframe on (earlier frames cannot be decoded;
//! core's [`KeyframeGate`]), and every keyframe carries the current parameter sets in front
//! ([`ensure_parameter_sets`]). retina flags only IDR pictures as random access points, so H.265 CRA/BLA
//! pictures are recognised from their NAL unit types ([`has_keyframe_slice`]).
//!
//! Layout: this module is the run loop and retina's frames; `upstream.rs` the URL, credentials and one
//! connection; `backoff.rs` the reconnection delays; `error.rs` the typed errors. The pure parts are core's: the PTS clock
//! ([`PtsClock`]), length-prefix splitting ([`length_prefixed`]), the keyframe rules above.
//!
//! Limitations: retina has no TLS, so an `rtsps://` camera cannot be relayed; H.265 relies on retina's `h265`
//! feature (on by default, its module still hidden from retina's docs); only the first H.264/H.265 video
//! stream is relayed (no audio); the relay cannot ask the camera for a keyframe, so a client that joins waits
//! for the camera's next one.

mod backoff;
mod error;
mod upstream;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use retina::codec::{CodecItem, ParametersRef, VideoFrame};
use rtspeek_core::codec::keyframe::{ensure_parameter_sets, has_keyframe_slice};
use rtspeek_core::codec::{Frame, KeyframeGate, StreamInfo, VIDEO_CLOCK_RATE, length_prefixed};
use rtspeek_core::serve::PtsClock;

use self::backoff::Backoff;
pub use self::error::{ConnectError, ParamsError, RelayError};
use self::upstream::{Live, Upstream, video_params};
use crate::serve::media::MediaBus;

/// An upstream session that delivers no video frame for this long is considered dead and reconnected.
const STALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How often [`Relay::run`] looks at [`MediaBus::is_shut_down`].
const SHUTDOWN_POLL: Duration = Duration::from_millis(250);

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

/// Core's [`PtsClock`] fed from the relay's monotonic clock.
struct Clock {
    pts: PtsClock,
    origin: Instant,
}

impl Clock {
    fn pts(&mut self, upstream: i64, bus: &MediaBus) -> u64 {
        let pts = self.pts.pts(upstream, self.origin.elapsed());
        if let Some(jump) = pts.jump {
            tracing::debug!(stream = %bus.path(), "upstream timestamp jumped by {jump} ticks: re-anchored");
        }
        pts.pts
    }
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
        let mut clock = Clock { pts: PtsClock::new(self.info.frame_rate), origin: Instant::now() };
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
            clock.pts.new_session();
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
async fn pump(live: &mut Live, bus: &MediaBus, clock: &mut Clock, upstream: &Upstream) -> (String, u64) {
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
    /// Frames before the session's first keyframe cannot be decoded and are dropped.
    gate: KeyframeGate,
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
        clock: &mut Clock,
        up: &Upstream,
    ) {
        if frame.has_new_parameters() {
            refresh_params(live, bus, up);
        }
        let mut nals = match length_prefixed::split(frame.data(), live.params.length_size) {
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
        if self.gate.admit(keyframe).is_err() {
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
            ensure_parameter_sets(live.codec, &live.params.sets, &mut nals);
        }
        let ts = frame.timestamp();
        let ticks =
            i128::from(ts.elapsed()) * i128::from(VIDEO_CLOCK_RATE) / i128::from(ts.clock_rate().get());
        let pts = clock.pts(i64::try_from(ticks).unwrap_or(i64::MAX), bus);
        bus.publish(&Frame { nals, pts, keyframe }, SystemTime::now());
        // The bus never refuses a frame (nothing queues towards the upstream): after a keyframe, all flow.
        self.gate.sent();
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

/// Connects to the camera at `url`, reads its description and starts playing its first H.264/H.265 video stream
/// over TCP; every step is bounded by `timeout`. Errors name the step and show the URL with its password masked.
pub async fn open(url: &str, timeout: Duration) -> Result<Relay, RelayError> {
    let upstream = Upstream::from_url(url, timeout)?;
    let (live, described) = upstream
        .connect()
        .await
        .map_err(|source| RelayError::Connect { upstream: upstream.shown.clone(), source })?;
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

/// Checks the shape of a relay URL without connecting: `rtsp://` with a host. The error never holds the
/// password.
pub fn check_url(url: &str) -> Result<(), RelayError> {
    Upstream::from_url(url, Duration::ZERO).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_url_refuses_what_retina_cannot_do_and_hides_the_password() {
        assert!(check_url("rtsp://cam.example/live").is_ok());
        assert!(check_url("rtsp://admin:hunter22@192.0.2.7:8554/ch1?sub=1").is_ok());
        let e = check_url("rtsps://admin:hunter22@cam.example/live").unwrap_err().to_string();
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
            let e = check_url(bad).expect_err(bad).to_string();
            assert!(!e.contains("hunter22"), "{bad}: {e}");
        }
    }
}
