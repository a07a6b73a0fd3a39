//! The built-in synthetic camera of `rtspeek serve`: an H.264 test pattern that needs no camera and no file.
//!
//! Each picture shows 75% colour bars, a box bouncing left and right, a scrolling grey ramp (so motion is
//! visible everywhere), and a black panel with the frame counter and the capture wall clock
//! (`HH:MM:SS.mmm UTC`) in large digits. The same counter and capture time travel in-band as rtspeek's
//! [`FrameStamp`] SEI message in front of the first slice of every picture, so a client can check order, loss
//! and latency without decoding.
//!
//! Pictures are encoded by OpenH264 in the Constrained Baseline profile (no B-frames, so decoding order is
//! presentation order; what browsers' WebCodecs and every hardware decoder accept), at a constant frame rate
//! with an IDR picture every `gop` frames. Keyframes carry the SPS and PPS, byte for byte those of
//! [`SyntheticCamera::info`].
//!
//! The camera reads no clock: [`SyntheticCamera::next_frame`] takes the capture time, and the caller paces
//! the calls. Encoding is CPU work (a few milliseconds per 640x360 picture), so a driver on an async runtime
//! calls it from a blocking task.
//!
//! ```no_run
//! use rtspeek_bridge::serve::source::synthetic::{SyntheticCamera, SyntheticConfig};
//!
//! let mut camera = SyntheticCamera::new(SyntheticConfig::default())?;
//! let sdp_parameter_sets = &camera.info().parameter_sets;
//! # let _ = sdp_parameter_sets;
//! let frame = camera.next_frame(1_767_225_600_000_000)?;
//! assert!(frame.keyframe);
//! # Ok::<(), rtspeek_bridge::serve::source::synthetic::SyntheticError>(())
//! ```

mod config;
pub use config::{SyntheticConfig, SyntheticError};

#[cfg(feature = "synthetic")]
mod camera;
#[cfg(feature = "synthetic")]
pub use camera::SyntheticCamera;

/// Without the `synthetic` feature: a camera that cannot be made (its constructor says why), so a
/// configuration naming it fails at start with that reason instead of the build needing a C++ compiler.
#[cfg(not(feature = "synthetic"))]
#[derive(Debug)]
pub struct SyntheticCamera {
    never: std::convert::Infallible,
}

#[cfg(not(feature = "synthetic"))]
impl SyntheticCamera {
    /// Always [`SyntheticError::NotBuilt`] (after the configuration's own checks).
    pub fn new(config: SyntheticConfig) -> Result<Self, SyntheticError> {
        config.validate()?;
        Err(SyntheticError::NotBuilt)
    }

    /// Unreachable: no camera exists.
    pub fn info(&self) -> &rtspeek_core::codec::StreamInfo {
        match self.never {}
    }

    /// Unreachable: no camera exists.
    pub fn next_frame(
        &mut self,
        _capture_unix_micros: u64,
    ) -> Result<rtspeek_core::codec::Frame, SyntheticError> {
        match self.never {}
    }

    /// Unreachable: no camera exists.
    pub fn force_keyframe(&mut self) {
        match self.never {}
    }
}
