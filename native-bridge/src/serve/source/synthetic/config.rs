//! What the synthetic camera makes, checked: its configuration and its errors. Always built, so a configuration
//! is validated (and a build without the camera says why it cannot start one) whatever the features.

/// The smallest and largest picture the camera makes, in pixels.
const WIDTH_RANGE: std::ops::RangeInclusive<u32> = 64..=1920;
const HEIGHT_RANGE: std::ops::RangeInclusive<u32> = 64..=1080;
/// Frames per second accepted.
const FPS_RANGE: std::ops::RangeInclusive<f64> = 1.0..=60.0;
/// Target bit rates accepted, in bits per second.
const BITRATE_RANGE: std::ops::RangeInclusive<u32> = 10_000..=50_000_000;

/// What the synthetic camera makes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticConfig {
    /// Picture width in pixels: even, 64..=1920.
    pub width: u32,
    /// Picture height in pixels: even, 64..=1080.
    pub height: u32,
    /// Frames per second, 1..=60 (fractional rates such as 29.97 are fine).
    pub frame_rate: f64,
    /// Keyframe interval in frames: frames 0, `gop`, 2 x `gop`... are IDR pictures. At least 1.
    pub gop: u32,
    /// Target bit rate of the encoder in bits per second, 10 kbit/s..=50 Mbit/s.
    pub bitrate_bps: u32,
}

impl Default for SyntheticConfig {
    /// 640x360 at 25 frames per second, a keyframe every 2 seconds, 1.5 Mbit/s.
    fn default() -> Self {
        SyntheticConfig { width: 640, height: 360, frame_rate: 25.0, gop: 50, bitrate_bps: 1_500_000 }
    }
}

impl SyntheticConfig {
    /// Checks every field, naming the first that is out of range.
    pub fn validate(&self) -> Result<(), SyntheticError> {
        let (width, height) = (self.width, self.height);
        if !WIDTH_RANGE.contains(&width) || !HEIGHT_RANGE.contains(&height) {
            return Err(SyntheticError::Size { width, height });
        }
        if width % 2 != 0 || height % 2 != 0 {
            return Err(SyntheticError::OddSize { width, height });
        }
        if !FPS_RANGE.contains(&self.frame_rate) {
            return Err(SyntheticError::FrameRate { frame_rate: self.frame_rate });
        }
        if self.gop == 0 {
            return Err(SyntheticError::Gop);
        }
        if !BITRATE_RANGE.contains(&self.bitrate_bps) {
            return Err(SyntheticError::Bitrate { bitrate_bps: self.bitrate_bps });
        }
        Ok(())
    }
}

/// Why the synthetic camera could not start or make a frame.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SyntheticError {
    /// The picture size is outside what the camera makes.
    #[error("synthetic camera: picture size {width}x{height} is outside 64..=1920 x 64..=1080")]
    Size {
        /// Configured width.
        width: u32,
        /// Configured height.
        height: u32,
    },
    /// A dimension is odd: 4:2:0 chroma needs even sizes.
    #[error(
        "synthetic camera: picture size {width}x{height} must have an even width and height (4:2:0 chroma)"
    )]
    OddSize {
        /// Configured width.
        width: u32,
        /// Configured height.
        height: u32,
    },
    /// The frame rate is outside 1..=60 (or not a number).
    #[error("synthetic camera: frame rate {frame_rate} is outside 1..=60 frames per second")]
    FrameRate {
        /// Configured frame rate.
        frame_rate: f64,
    },
    /// A keyframe interval of 0 frames.
    #[error("synthetic camera: the keyframe interval (gop) must be at least 1 frame")]
    Gop,
    /// The bit rate is outside 10 kbit/s..=50 Mbit/s.
    #[error("synthetic camera: bit rate {bitrate_bps} bit/s is outside 10000..=50000000")]
    Bitrate {
        /// Configured bit rate.
        bitrate_bps: u32,
    },
    /// OpenH264 refused to set up or to encode.
    #[error("synthetic camera: OpenH264 failed to {action} (frame {frame}): {message}")]
    Encoder {
        /// What the camera asked of it (`create the encoder`, `encode`).
        action: &'static str,
        /// The frame counter it was working on (0 at construction).
        frame: u64,
        /// OpenH264's error.
        message: String,
    },
    /// The encoder's output cannot be used: no SPS and PPS for the first picture, or no slice for a frame.
    #[error("synthetic camera: the encoder output for frame {frame} {problem}")]
    BadOutput {
        /// The frame counter.
        frame: u64,
        /// What is wrong (`has no slice`...).
        problem: &'static str,
    },
    /// This rtspeek was built without the synthetic camera (the default feature `synthetic`, which needs a C++
    /// compiler for OpenH264).
    #[error(
        "synthetic camera: this rtspeek was built without it; rebuild with the default feature `synthetic` (needs a \
         C++ compiler for OpenH264), or serve a file or a relay"
    )]
    NotBuilt,
}
