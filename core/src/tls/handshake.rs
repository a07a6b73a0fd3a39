//! Handshake messages (RFC 5246 7.4, RFC 8446 4): type, 24-bit length, body; and their reassembly from
//! record fragments, since a message may span several records (a Certificate message often does) and a
//! record may hold several messages.

use super::error::ParseError;
use super::reader::put_vec;

/// Size of a handshake message header: type (1), length (3).
pub const HANDSHAKE_HEADER_LEN: usize = 4;

/// Cap on the handshake bytes one server flight may carry, and so on any one message: 256 KiB. Real flights
/// are a few KiB (a long certificate chain reaches 10-20 KiB); the cap bounds memory for hostile peers.
pub const MAX_HANDSHAKE_BYTES: usize = 256 * 1024;

/// A handshake message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandshakeType(pub u8);

impl HandshakeType {
    /// hello_request (0, TLS <= 1.2).
    pub const HELLO_REQUEST: Self = Self(0);
    /// client_hello (1).
    pub const CLIENT_HELLO: Self = Self(1);
    /// server_hello (2), also HelloRetryRequest in TLS 1.3.
    pub const SERVER_HELLO: Self = Self(2);
    /// new_session_ticket (4).
    pub const NEW_SESSION_TICKET: Self = Self(4);
    /// end_of_early_data (5).
    pub const END_OF_EARLY_DATA: Self = Self(5);
    /// encrypted_extensions (8, TLS 1.3).
    pub const ENCRYPTED_EXTENSIONS: Self = Self(8);
    /// certificate (11).
    pub const CERTIFICATE: Self = Self(11);
    /// server_key_exchange (12, TLS <= 1.2).
    pub const SERVER_KEY_EXCHANGE: Self = Self(12);
    /// certificate_request (13).
    pub const CERTIFICATE_REQUEST: Self = Self(13);
    /// server_hello_done (14, TLS <= 1.2).
    pub const SERVER_HELLO_DONE: Self = Self(14);
    /// certificate_verify (15).
    pub const CERTIFICATE_VERIFY: Self = Self(15);
    /// client_key_exchange (16, TLS <= 1.2).
    pub const CLIENT_KEY_EXCHANGE: Self = Self(16);
    /// finished (20).
    pub const FINISHED: Self = Self(20);
    /// certificate_status (22, RFC 6066 OCSP stapling).
    pub const CERTIFICATE_STATUS: Self = Self(22);
    /// key_update (24, TLS 1.3).
    pub const KEY_UPDATE: Self = Self(24);
    /// message_hash (254, TLS 1.3 transcript only).
    pub const MESSAGE_HASH: Self = Self(254);

    /// The RFC name, or `None` for a value this codec does not know.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "hello_request",
            1 => "client_hello",
            2 => "server_hello",
            4 => "new_session_ticket",
            5 => "end_of_early_data",
            8 => "encrypted_extensions",
            11 => "certificate",
            12 => "server_key_exchange",
            13 => "certificate_request",
            14 => "server_hello_done",
            15 => "certificate_verify",
            16 => "client_key_exchange",
            20 => "finished",
            22 => "certificate_status",
            24 => "key_update",
            254 => "message_hash",
            _ => return None,
        })
    }
}

impl std::fmt::Display for HandshakeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "unknown handshake type {}", self.0),
        }
    }
}

/// One complete handshake message, borrowing its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeMessage<'a> {
    /// The message type.
    pub msg_type: HandshakeType,
    /// The body, without the 4-byte header.
    pub body: &'a [u8],
}

/// Parses one handshake message from the start of `input` (contiguous handshake bytes) and returns it with
/// the number of bytes it occupies. [`ParseError::Incomplete`] while `input` is a valid prefix;
/// [`ParseError::TooLarge`] as soon as the header announces more than [`MAX_HANDSHAKE_BYTES`].
pub fn parse_handshake(input: &[u8]) -> Result<(HandshakeMessage<'_>, usize), ParseError> {
    let Some((&[msg_type, l0, l1, l2], rest)) = input.split_first_chunk::<HANDSHAKE_HEADER_LEN>() else {
        return Err(ParseError::Incomplete { needed: HANDSHAKE_HEADER_LEN - input.len() });
    };
    let len = u32::from_be_bytes([0, l0, l1, l2]) as usize;
    if len > MAX_HANDSHAKE_BYTES - HANDSHAKE_HEADER_LEN {
        return Err(ParseError::TooLarge { limit: MAX_HANDSHAKE_BYTES });
    }
    let Some(body) = rest.get(..len) else {
        return Err(ParseError::Incomplete { needed: len - rest.len() });
    };
    Ok((HandshakeMessage { msg_type: HandshakeType(msg_type), body }, HANDSHAKE_HEADER_LEN + len))
}

/// Appends a handshake message (header and body) to `out`. Bodies are built by this codec and are far below
/// the 2^24 limit of the length field.
pub fn write_handshake(out: &mut Vec<u8>, msg_type: HandshakeType, body: &[u8]) {
    debug_assert!(body.len() < 1 << 24, "handshake body over 2^24 bytes");
    out.push(msg_type.0);
    put_vec(out, 3, body);
}

/// Reassembles handshake messages from the fragments of consecutive handshake records.
///
/// Push each handshake record's fragment with [`push`](Self::push), then take the complete messages with
/// [`next_message`](Self::next_message) until it returns `None`. The total of pushed bytes is capped at
/// [`MAX_HANDSHAKE_BYTES`] (or the limit given to [`with_limit`](Self::with_limit)).
#[derive(Debug, Clone)]
pub struct HandshakeReassembler {
    buf: Vec<u8>,
    /// Start of the unread bytes in `buf`.
    start: usize,
    /// Offset, in the handshake stream, of `buf[0]`.
    stream_offset: usize,
    /// Every byte pushed so far.
    total: usize,
    limit: usize,
}

impl Default for HandshakeReassembler {
    fn default() -> Self {
        Self::new()
    }
}

impl HandshakeReassembler {
    /// A reassembler capped at [`MAX_HANDSHAKE_BYTES`].
    pub fn new() -> Self {
        Self::with_limit(MAX_HANDSHAKE_BYTES)
    }

    /// A reassembler that accepts at most `limit` bytes in total (at most [`MAX_HANDSHAKE_BYTES`]).
    pub fn with_limit(limit: usize) -> Self {
        HandshakeReassembler {
            buf: Vec::new(),
            start: 0,
            stream_offset: 0,
            total: 0,
            limit: limit.min(MAX_HANDSHAKE_BYTES),
        }
    }

    /// Adds the fragment of one handshake record. Fails with [`ParseError::TooLarge`] when the total would
    /// pass the limit; the fragment is then dropped.
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), ParseError> {
        let total = self.total.saturating_add(fragment.len());
        if total > self.limit {
            return Err(ParseError::TooLarge { limit: self.limit });
        }
        self.total = total;
        if self.start > 0 {
            // Drop the messages already handed out before growing the buffer.
            self.buf.drain(..self.start);
            self.stream_offset += self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(fragment);
        Ok(())
    }

    /// The next complete message, if one is buffered. Errors are final: [`ParseError::TooLarge`] when a header
    /// announces more than the limit.
    pub fn next_message(&mut self) -> Result<Option<HandshakeMessage<'_>>, ParseError> {
        // `start` only grows by the length of a message inside `buf`, so it never passes the end.
        let pending = self.buf.get(self.start..).unwrap_or_default();
        if let Some(&[_, l0, l1, l2]) = pending.first_chunk::<HANDSHAKE_HEADER_LEN>() {
            // Refuse a message that cannot fit under the cap as soon as its header says so.
            let len = u32::from_be_bytes([0, l0, l1, l2]) as usize;
            if self.stream_offset().saturating_add(HANDSHAKE_HEADER_LEN + len) > self.limit {
                return Err(ParseError::TooLarge { limit: self.limit });
            }
        }
        let (message, used) = match parse_handshake(pending) {
            Ok(parsed) => parsed,
            Err(ParseError::Incomplete { .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        self.start += used;
        Ok(Some(message))
    }

    /// Offset, in the handshake stream (all pushed fragments concatenated), of the next unread byte: the
    /// header of the next message.
    pub fn stream_offset(&self) -> usize {
        self.stream_offset + self.start
    }

    /// Bytes of an incomplete message waiting for more fragments.
    pub fn pending_len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Every byte pushed so far.
    pub fn total_len(&self) -> usize {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn message(msg_type: HandshakeType, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_handshake(&mut out, msg_type, body);
        out
    }

    #[test]
    fn parses_a_message_and_every_prefix_is_incomplete() {
        let bytes = message(HandshakeType::CERTIFICATE, &[1, 2, 3]);
        assert_eq!(bytes, [11, 0, 0, 3, 1, 2, 3]);
        let (m, used) = parse_handshake(&bytes).unwrap();
        assert_eq!((m.msg_type, m.body, used), (HandshakeType::CERTIFICATE, &[1u8, 2, 3][..], 7));
        for len in 0..bytes.len() {
            let needed = if len < 4 { 4 - len } else { bytes.len() - len };
            assert_eq!(parse_handshake(&bytes[..len]), Err(ParseError::Incomplete { needed }));
        }
    }

    #[test]
    fn an_oversized_length_is_refused_from_the_header() {
        assert_eq!(
            parse_handshake(&[11, 0x04, 0, 0]),
            Err(ParseError::TooLarge { limit: MAX_HANDSHAKE_BYTES })
        );
        assert_eq!(
            parse_handshake(&[11, 0xff, 0xff, 0xff, 1]),
            Err(ParseError::TooLarge { limit: MAX_HANDSHAKE_BYTES })
        );
    }

    #[test]
    fn reassembles_across_fragments_and_splits_coalesced_messages() {
        let mut stream = message(HandshakeType::SERVER_HELLO, &[9; 40]);
        stream.extend(message(HandshakeType::CERTIFICATE, &[7; 3000]));
        stream.extend(message(HandshakeType::SERVER_HELLO_DONE, &[]));
        // Every fragment size from 1 byte to the whole stream gives the same three messages.
        for size in [1, 2, 3, 5, 44, 100, 1000, stream.len()] {
            let mut r = HandshakeReassembler::new();
            let mut seen = Vec::new();
            for chunk in stream.chunks(size) {
                r.push(chunk).unwrap();
                while let Some(m) = r.next_message().unwrap() {
                    seen.push((m.msg_type, m.body.len()));
                }
            }
            assert_eq!(
                seen,
                [
                    (HandshakeType::SERVER_HELLO, 40),
                    (HandshakeType::CERTIFICATE, 3000),
                    (HandshakeType::SERVER_HELLO_DONE, 0)
                ],
                "fragment size {size}"
            );
            assert_eq!(r.pending_len(), 0);
            assert_eq!(r.stream_offset(), stream.len());
            assert_eq!(r.total_len(), stream.len());
        }
    }

    #[test]
    fn the_cap_holds_for_pushed_bytes_and_announced_lengths() {
        let mut r = HandshakeReassembler::with_limit(100);
        r.push(&[0; 60]).unwrap();
        assert_eq!(r.push(&[0; 41]), Err(ParseError::TooLarge { limit: 100 }));
        assert_eq!(r.total_len(), 60);

        let mut r = HandshakeReassembler::with_limit(100);
        r.push(&message(HandshakeType::CERTIFICATE, &[0; 60])[..10]).unwrap();
        r.push(&[0; 54]).unwrap();
        assert!(r.next_message().unwrap().is_some());
        // A second message whose header announces more than the budget left fails at once.
        r.push(&[11, 0, 0, 40]).unwrap();
        assert_eq!(r.next_message(), Err(ParseError::TooLarge { limit: 100 }));
    }

    #[test]
    fn names() {
        assert_eq!(HandshakeType::SERVER_HELLO_DONE.to_string(), "server_hello_done (14)");
        assert_eq!(HandshakeType(99).to_string(), "unknown handshake type 99");
    }
}
