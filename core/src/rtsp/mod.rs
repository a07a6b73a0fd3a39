//! RTSP (RFC 2326 / RFC 7826): streaming message parser, typed headers, writer, URLs and authentication.
//!
//! - [`parser`]: bytes in, [`Message`]s out ([`parse`], [`Parser::feed`]), with requests, responses and
//!   `$`-interleaved frames demultiplexed once into a borrowed enum; byte-exact errors; size limits.
//! - [`message`]: [`Request`], [`Response`], [`InterleavedFrame`], [`Method`], [`StatusCode`], [`Version`].
//! - [`headers`]: the header collection and typed headers (CSeq, Session, Transport, RTP-Info, Range...).
//! - [`writer`]: messages and frames back to bytes; parse -> write -> parse gives the same message.
//! - [`url`]: `rtsp://` / `rtsps://` URLs with credentials kept out of sight, control URL resolution.
//! - [`quirks`]: camera deviations the parser tolerates by named policy, flagged for findings.
//! - [`check`]: findings from a request/response pair (status, CSeq, scheme downgrade, quirks, headers).
//! - [`auth`]: Basic and Digest authentication.

pub mod auth;
pub mod check;
pub mod headers;
pub mod message;
pub mod parser;
mod percent;
pub mod quirks;
pub mod url;
pub mod writer;

pub use headers::{Header, HeaderError, Headers, TypedHeader};
pub use message::{InterleavedFrame, Message, Method, Request, Response, StatusCode, Version};
pub use parser::{Limits, Needed, ParseError, Parsed, Parser, ParserConfig, Problem, parse};
pub use quirks::{QuirkPolicies, QuirkPolicy, Quirks};
pub use url::{Host, Scheme, Secret, Url, UrlError};
