//! SDP (RFC 8866): parser with line numbers in errors, and the lint that turns what cameras get wrong into
//! findings.
//!
//! - [`parse`] (or [`SdpText::parse`] for bytes that may not be UTF-8) reads a description into a
//!   [`SessionDescription`]: every line kept as written (borrowed, not copied), grouped into the session and
//!   media sections, with typed accessors ([`Section`], [`Media`]: rtpmap, fmtp, control, range, direction,
//!   framerate, x-dimensions, crypto, key-mgmt, bandwidth...). It fails only on input that is not SDP at all;
//!   everything a camera gets wrong is tolerated and recorded as an [`Issue`] with its line number.
//! - [`check`] parses and lints: `sdp.*` findings (missing control URLs or rtpmaps, unknown codecs, H.264/H.265
//!   parameter sets missing, undecodable or disagreeing with the announced profile, SRTP offered, and every
//!   parser quirk) with the line as evidence, and [`SdpFacts`] (media, codecs, picture size from the SPS).
//!
//! ```
//! let body = b"v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=Media Presentation\r\nt=0 0\r\na=control:*\r\n\
//!     m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";
//! let check = rtspeek_core::sdp::check(body)?;
//! assert_eq!(check.facts.media[0].control.as_deref(), Some("trackID=1"));
//! // No fmtp line: H.264 without sprop-parameter-sets, packetization-mode, profile-level-id.
//! assert!(check.findings.iter().any(|f| f.code == "sdp.missing_sprop"));
//! # Ok::<(), rtspeek_core::sdp::SdpError>(())
//! ```

mod facts;
mod lint;
mod model;
mod parse;
pub mod payload;
pub mod sprop;
mod value;

pub use facts::{CodecFacts, MediaFacts, SdpFacts, SpsFacts};
pub use lint::{MAX_MEDIA, SdpCheck, check, lint};
pub use model::{Attribute, Line, LineKind, Media, Section, SessionDescription};
pub use parse::{Issue, IssueKind, MAX_SDP_LEN, SdpError, SdpText, parse};
pub use value::{
    Bandwidth, Connection, Crypto, Dimensions, Direction, Fmtp, KeyMgmt, MediaLine, Origin, Range, Rtpmap,
    Timing, ValueError, parse_framerate,
};
