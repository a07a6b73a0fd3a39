//! The relay's errors. None of them holds the password: URLs are shown redacted, and retina's messages are
//! scrubbed ([`Upstream::scrub`](super::upstream::Upstream)) before they are stored.

use std::time::Duration;

use rtspeek_core::codec::decoder_config::DecoderConfigError;
use rtspeek_core::rtsp::UrlError;

/// Why a relay could not be configured or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// The URL does not parse (the parser's message quotes positions, never the text).
    #[error("relay URL: {0}")]
    Url(#[from] UrlError),
    /// An `rtsps://` upstream: retina has no TLS.
    #[error(
        "relay URL {shown}: rtsps:// upstreams are not supported: the relay's RTSP client (retina) has no \
         TLS; use the camera's plain rtsp:// URL (rtspeek re-serves it as rtsps:// on a TLS listener)"
    )]
    Rtsps {
        /// The URL, password masked.
        shown: String,
    },
    /// An `rtspu://` upstream.
    #[error("relay URL {shown}: rtspu:// (RTSP over UDP) is not supported; use rtsp://")]
    Rtspu {
        /// The URL, password masked.
        shown: String,
    },
    /// No host.
    #[error("relay URL {shown}: no host")]
    NoHost {
        /// The URL, password masked.
        shown: String,
    },
    /// The URL parsed for rtspeek but not for retina's URL type.
    #[error("relay URL {shown}: {reason}")]
    Unusable {
        /// The URL, password masked.
        shown: String,
        /// The `url` crate's words.
        reason: String,
    },
    /// Connecting or starting to play failed.
    #[error("relay {upstream}: {source}")]
    Connect {
        /// The URL, password masked.
        upstream: String,
        /// Which step failed, and why.
        source: ConnectError,
    },
}

/// Why one connection to the upstream failed; each names the step.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// retina failed a step (its message scrubbed of the password).
    #[error("{step}: {message}")]
    Failed {
        /// The step: `connect and DESCRIBE`, `SETUP`, `PLAY`, or waiting for the first frame.
        step: &'static str,
        /// What retina said, scrubbed, on one line.
        message: String,
    },
    /// No answer within the timeout.
    #[error("{step}: no answer within {:.1} s", timeout.as_secs_f64())]
    Timeout {
        /// The step.
        step: &'static str,
        /// The configured timeout.
        timeout: Duration,
    },
    /// The SDP has no H.264 or H.265 video stream.
    #[error("DESCRIBE: no H.264 or H.265 video stream in the SDP (found: {found})")]
    NoVideo {
        /// The streams it has, as `media/encoding`, comma-separated.
        found: String,
    },
    /// The SDP has no parameter sets and no frame came to learn them from.
    #[error("{}: none within {:.1} s", FIRST_FRAME, timeout.as_secs_f64())]
    NoFirstFrame {
        /// The configured timeout.
        timeout: Duration,
    },
    /// The upstream ended the session during a step.
    #[error("{step}: the upstream ended the session")]
    Ended {
        /// The step.
        step: &'static str,
    },
    /// The parameter sets cannot be used.
    #[error("parameter sets: {0}")]
    Params(#[from] ParamsError),
    /// The parameter sets are of the other codec.
    #[error("parameter sets: {found} parameters for an {expected} stream")]
    CodecMismatch {
        /// The codec of the parameters (`H.264`, `H.265`).
        found: &'static str,
        /// The codec of the SDP's stream.
        expected: &'static str,
    },
}

/// The step of waiting for the first frame, when the SDP has no parameter sets.
pub(super) const FIRST_FRAME: &str = "first frame (the SDP has no parameter sets)";

/// Why retina's video parameters cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamsError {
    /// Neither H.264 nor H.265.
    #[error("codec {0} is not H.264 or H.265")]
    Codec(String),
    /// The avcC/hvcC record is malformed or lacks a parameter set.
    #[error(transparent)]
    Record(#[from] DecoderConfigError),
}
