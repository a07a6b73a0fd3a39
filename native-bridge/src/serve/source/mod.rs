//! Media sources of `rtspeek serve`: where a stream's pictures come from.
//!
//! - [`synthetic`]: the built-in camera (an encoded test pattern with a burned-in frame counter and clock, and
//!   the same counter in an SEI message that tests read).
//! - [`file`](mod@file): an H.264/H.265 Annex B file or an MP4, looped.
//! - [`relay`]: a plain `rtsp://` camera, re-served (as `rtsps://` when the listener is TLS).
//!
//! Synthetic and file sources are pulled by a pacing thread ([`run_paced`]); the relay is an async task.

pub mod file;
#[cfg(feature = "synthetic")]
mod font;
pub mod relay;
pub mod synthetic;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtspeek_core::codec::{Frame, StreamInfo, VIDEO_CLOCK_RATE};
use serde::Deserialize;

use super::media::MediaBus;

/// Why a source cannot be configured, opened or go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The built-in camera's configuration or encoder failed.
    #[error(transparent)]
    Synthetic(#[from] synthetic::SyntheticError),
    /// A file cannot be played.
    #[error(transparent)]
    File(#[from] file::FileError),
    /// A relay URL is unusable or its upstream cannot be opened (URLs shown with the password masked).
    #[error(transparent)]
    Relay(#[from] relay::RelayError),
    /// A file source's frame rate is outside (0, 240].
    #[error("fps {0} out of range (0, 240]")]
    FrameRate(f64),
    /// A file source's path is not a file.
    #[error("{}: no such file", .0.display())]
    NoSuchFile(PathBuf),
    /// A relay was given where a paced source is expected.
    #[error("a relay is not a paced source")]
    NotPaced,
}

/// `[stream.source]` in the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SourceConfig {
    /// The built-in camera.
    Synthetic {
        /// Picture width (default 640).
        #[serde(default = "default_width")]
        width: u32,
        /// Picture height (default 360).
        #[serde(default = "default_height")]
        height: u32,
        /// Frames per second (default 25).
        #[serde(default = "default_fps")]
        fps: f64,
        /// Keyframe interval in frames (default 50).
        #[serde(default = "default_gop")]
        gop: u32,
        /// Target bit rate in kbit/s (default 1500).
        #[serde(default = "default_kbps")]
        bitrate_kbps: u32,
    },
    /// A file, looped.
    File {
        /// `.264`/`.h264`/`.265`/`.h265`/`.hevc` Annex B, or `.mp4`/`.mov`.
        path: PathBuf,
        /// The rate when the file does not say (Annex B without VUI timing); default 25.
        #[serde(default = "default_fps")]
        fps: f64,
    },
    /// An upstream camera.
    Relay {
        /// Its plain `rtsp://` URL (credentials allowed; never logged).
        url: String,
    },
}

fn default_width() -> u32 {
    640
}
fn default_height() -> u32 {
    360
}
fn default_fps() -> f64 {
    25.0
}
fn default_gop() -> u32 {
    50
}
fn default_kbps() -> u32 {
    1500
}

impl SourceConfig {
    /// The built-in camera with its defaults.
    pub fn synthetic() -> SourceConfig {
        SourceConfig::Synthetic {
            width: default_width(),
            height: default_height(),
            fps: default_fps(),
            gop: default_gop(),
            bitrate_kbps: default_kbps(),
        }
    }

    pub(super) fn resolve_paths(&mut self, base: &Path) {
        if let SourceConfig::File { path, .. } = self
            && path.is_relative()
        {
            *path = base.join(&*path);
        }
    }

    pub(super) fn validate(&self) -> Result<(), SourceError> {
        match self {
            SourceConfig::Synthetic { .. } => Ok(self.synthetic_config().validate()?),
            SourceConfig::File { path, fps } => {
                if !(*fps > 0.0 && *fps <= 240.0) {
                    return Err(SourceError::FrameRate(*fps));
                }
                if !path.is_file() {
                    return Err(SourceError::NoSuchFile(path.clone()));
                }
                Ok(())
            }
            SourceConfig::Relay { url } => Ok(relay::check_url(url)?),
        }
    }

    fn synthetic_config(&self) -> synthetic::SyntheticConfig {
        match *self {
            SourceConfig::Synthetic { width, height, fps, gop, bitrate_kbps } => synthetic::SyntheticConfig {
                width,
                height,
                frame_rate: fps,
                gop,
                bitrate_bps: bitrate_kbps.saturating_mul(1000),
            },
            _ => synthetic::SyntheticConfig::default(),
        }
    }
}

/// A source pulled frame by frame at its own pace.
pub trait FrameSource: Send {
    /// Codec and parameter sets, known before the first frame.
    fn info(&self) -> &StreamInfo;
    /// The next frame; `capture_unix_micros` is now (the synthetic camera burns it into the picture).
    fn next_frame(&mut self, capture_unix_micros: u64) -> Result<Frame, SourceError>;
    /// A client just started: make the next frame a keyframe if the source can (an encoder can, a file not).
    fn request_keyframe(&mut self) {}
}

impl FrameSource for synthetic::SyntheticCamera {
    fn info(&self) -> &StreamInfo {
        synthetic::SyntheticCamera::info(self)
    }
    fn next_frame(&mut self, capture_unix_micros: u64) -> Result<Frame, SourceError> {
        Ok(synthetic::SyntheticCamera::next_frame(self, capture_unix_micros)?)
    }
    fn request_keyframe(&mut self) {
        synthetic::SyntheticCamera::force_keyframe(self);
    }
}

/// Opens a pulled source (synthetic or file); relays are opened by [`relay::open`].
pub fn open_paced(config: &SourceConfig) -> Result<Box<dyn FrameSource>, SourceError> {
    match config {
        SourceConfig::Synthetic { .. } => {
            Ok(Box::new(synthetic::SyntheticCamera::new(config.synthetic_config())?))
        }
        SourceConfig::File { path, fps } => Ok(Box::new(file::LoopedFile::open(path, *fps)?)),
        SourceConfig::Relay { .. } => Err(SourceError::NotPaced),
    }
}

/// Microseconds since the Unix epoch.
pub fn unix_micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

/// Pulls `source` at its frame times and publishes into `bus`, on the calling thread, until the bus is shut
/// down. Frames are due at `start + pts`; a late thread publishes at once rather than skipping, and if it
/// falls a second behind it re-anchors instead of bursting.
pub fn run_paced(mut source: Box<dyn FrameSource>, bus: Arc<MediaBus>) {
    let mut anchor: Option<(Instant, u64)> = None;
    while !bus.is_shut_down() {
        if bus.take_keyframe_request(Instant::now()) {
            source.request_keyframe();
        }
        let wall = SystemTime::now();
        let frame = match source.next_frame(unix_micros(wall)) {
            Ok(frame) => frame,
            Err(e) => {
                tracing::error!(stream = %bus.path(), "source stopped: {e}");
                bus.shut_down();
                return;
            }
        };
        let (start, base_pts) = *anchor.get_or_insert((Instant::now(), frame.pts));
        let offset = Duration::from_micros(
            frame.pts.saturating_sub(base_pts) * 1_000_000 / u64::from(VIDEO_CLOCK_RATE),
        );
        let due = start + offset;
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        } else if now - due > Duration::from_secs(1) {
            anchor = Some((now, frame.pts));
        }
        bus.publish(&frame, SystemTime::now());
    }
}
