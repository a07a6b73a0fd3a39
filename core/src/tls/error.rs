//! The codec's parse error: where the bytes stopped making sense, and why.

/// Why bytes could not be parsed.
///
/// Streaming parsers (records, handshake messages) answer [`ParseError::Incomplete`] when the input is a
/// valid prefix, so that a driver can read more and retry; message parsers that are given a complete message
/// never do, a message that ends early is [`ParseError::Invalid`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input is a valid prefix: at least `needed` more bytes are required.
    #[error("incomplete: at least {needed} more byte(s) needed")]
    Incomplete {
        /// The minimum number of additional bytes before parsing can progress.
        needed: usize,
    },
    /// The input breaks the TLS grammar at byte `pos`.
    #[error("invalid {context} at byte {pos}")]
    Invalid {
        /// Byte offset of the offending field, counted from the start of the input the parser was given:
        /// the record stream for records, the handshake stream for message headers, the message body for
        /// message parsers.
        pos: usize,
        /// The field or rule that was broken, e.g. `record length (over 2^14 + 2048)`.
        context: &'static str,
    },
    /// Handshake data exceeds the codec's cap (see [`MAX_HANDSHAKE_BYTES`](super::MAX_HANDSHAKE_BYTES)):
    /// no server flight this codec needs to read is that large.
    #[error("handshake data over the {limit}-byte cap")]
    TooLarge {
        /// The cap that was exceeded, in bytes.
        limit: usize,
    },
}
