//! rtspeek-core: the sans-IO heart of rtspeek.
//!
//! Nothing in this crate touches a socket, a file, a thread or a clock. Drivers (the native CLI and bridge, the
//! browser page) hand it bytes and the current time, and it hands back what it found. The same inputs therefore
//! give the same findings on every platform, including `wasm32-unknown-unknown`.
//!
//! - [`diagnose`]: the report model shared by every output: [`Layer`], [`Severity`], [`Finding`], [`Report`], and
//!   the catalogue of stable finding codes.
//! - [`cert`]: offline certificate analysis (chain, signatures, names, dates, strength, purpose, key pair).
//! - [`clients`]: per-client verdicts (FFmpeg, GStreamer, VLC, Go, OpenSSL, rustls, browsers): which will play
//!   the stream, why not, and the settings for each.
//! - [`probe`]: the live probe as a sans-IO state machine: a driver feeds it socket events and time, it walks
//!   the chain from TCP to codec and returns the report.
//! - [`serve`]: the RTSP server session as a sans-IO state machine: requests in, responses and media commands
//!   out.
//! - [`tls`], [`rtsp`], [`sdp`], [`rtp`], [`rtcp`], [`codec`]: the protocol layer the probe stands on.
//! - [`onvif`]: ONVIF's SOAP services (device, media, media2, WS-Security) and WS-Discovery, both sides.
//! - [`srtp`], [`mikey`]: SRTP/SRTCP protection (RFC 3711, RFC 7714), SDES `a=crypto` keys and MIKEY key
//!   management (RFC 3830), the media-security layer of RTP/SAVP streams.
//! - [`capture`]: pcapng captures of the probe's own traffic (synthetic TCP/UDP packets, TLS secrets), written
//!   without I/O.
//! - [`container`]: stored video (MP4/MOV, Annex B `.h264`/`.h265`) read into frames a server can packetize.
//!
//! Time is an input everywhere: functions that judge dates take a [`UnixTime`].
#![forbid(unsafe_code)]
// A library reports through return values, never by printing (the binaries own the terminal).
#![deny(clippy::print_stdout, clippy::print_stderr)]
// Core parses hostile input: a panic must be impossible by construction, so library code reads through checked
// accessors. The few proven-in-bounds hot-path indexes carry `#[expect(.., reason = ..)]`. Tests may panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod capture;
pub mod cert;
pub mod clients;
pub mod codec;
pub mod container;
pub mod decimal;
pub mod diagnose;
pub mod mikey;
pub mod onvif;
pub mod probe;
mod rng;
pub mod rtcp;
pub mod rtp;
pub mod rtsp;
pub mod sdp;
pub mod serve;
pub mod srtp;
pub mod tls;

pub use diagnose::{
    Evidence, Facts, Finding, Layer, LayerResult, LayerStatus, Report, Severity, TrustOutcome, TrustStatus,
    TrustStore, Verdict,
};

/// A point in time, in whole seconds since the Unix epoch (UTC). Supplied by the caller: core reads no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// Seconds since the Unix epoch.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// Formats the time as RFC 3339 (`2026-11-21T12:00:00Z`); out-of-range values fall back to the raw seconds.
    pub fn to_rfc3339(self) -> String {
        match time::OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) => t
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| format!("@{}", self.0)),
            Err(_) => format!("@{}", self.0),
        }
    }
}
