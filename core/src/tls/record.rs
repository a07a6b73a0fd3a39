//! The record layer (RFC 5246 section 6.2, RFC 8446 section 5.1): content type, legacy version, length,
//! fragment.

use super::error::ParseError;
use super::version::ProtocolVersion;

/// Size of a record header: type (1), version (2), length (2).
pub const RECORD_HEADER_LEN: usize = 5;

/// Largest plaintext fragment a record may carry (2^14).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;

/// Largest fragment any record may carry: 2^14 + 2048, the TLS 1.2 ciphertext limit (RFC 5246 6.2.3), which
/// also covers TLS 1.3's 2^14 + 256. Longer lengths are refused before any byte of the fragment is awaited.
pub const MAX_FRAGMENT_LEN: usize = MAX_PLAINTEXT_LEN + 2048;

/// A record content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentType(pub u8);

impl ContentType {
    /// change_cipher_spec (20).
    pub const CHANGE_CIPHER_SPEC: Self = Self(20);
    /// alert (21).
    pub const ALERT: Self = Self(21);
    /// handshake (22).
    pub const HANDSHAKE: Self = Self(22);
    /// application_data (23); in TLS 1.3 also every encrypted handshake message.
    pub const APPLICATION_DATA: Self = Self(23);
    /// heartbeat (24, RFC 6520).
    pub const HEARTBEAT: Self = Self(24);

    /// The RFC name, or `None` for an unassigned value.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            20 => "change_cipher_spec",
            21 => "alert",
            22 => "handshake",
            23 => "application_data",
            24 => "heartbeat",
            _ => return None,
        })
    }
}

impl std::fmt::Display for ContentType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "unknown content type {}", self.0),
        }
    }
}

/// One record, borrowing its fragment from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// What the fragment holds.
    pub content_type: ContentType,
    /// The record-layer version field (legacy in TLS 1.3, where it is always 0x0303).
    pub version: ProtocolVersion,
    /// The payload, at most [`MAX_FRAGMENT_LEN`] bytes.
    pub fragment: &'a [u8],
}

/// Parses one record from the start of `input` and returns it with the number of bytes it occupies.
///
/// Header fields are checked as soon as their bytes are present, so a stream that is not TLS is refused
/// after its first byte rather than after five. Errors: [`ParseError::Incomplete`] while `input` is a valid
/// prefix; [`ParseError::Invalid`] for an unknown content type, a version whose major byte is not 3 (or minor
/// above 4), a length over [`MAX_FRAGMENT_LEN`], or an empty handshake, alert or change_cipher_spec fragment
/// (which RFC 5246 6.2.1 and RFC 8446 5.1 forbid).
pub fn parse_record(input: &[u8]) -> Result<(Record<'_>, usize), ParseError> {
    let content_type = match input.first() {
        None => return Err(ParseError::Incomplete { needed: RECORD_HEADER_LEN }),
        Some(&b) if ContentType(b).name().is_some() => ContentType(b),
        Some(_) => return Err(ParseError::Invalid { pos: 0, context: "record content type (not 20-24)" }),
    };
    if let Some(&major) = input.get(1)
        && major != 3
    {
        return Err(ParseError::Invalid { pos: 1, context: "record version (major byte is not 3)" });
    }
    if let Some(&minor) = input.get(2)
        && minor > 4
    {
        return Err(ParseError::Invalid { pos: 2, context: "record version (minor byte above 4)" });
    }
    let Some((&[_, v0, v1, l0, l1], rest)) = input.split_first_chunk::<RECORD_HEADER_LEN>() else {
        return Err(ParseError::Incomplete { needed: RECORD_HEADER_LEN - input.len() });
    };
    let version = ProtocolVersion(u16::from_be_bytes([v0, v1]));
    let len = usize::from(u16::from_be_bytes([l0, l1]));
    if len > MAX_FRAGMENT_LEN {
        return Err(ParseError::Invalid { pos: 3, context: "record length (over 2^14 + 2048)" });
    }
    if len == 0 && content_type != ContentType::APPLICATION_DATA && content_type != ContentType::HEARTBEAT {
        return Err(ParseError::Invalid { pos: 3, context: "record length (empty fragment of this type)" });
    }
    let Some(fragment) = rest.get(..len) else {
        return Err(ParseError::Incomplete { needed: len - rest.len() });
    };
    Ok((Record { content_type, version, fragment }, RECORD_HEADER_LEN + len))
}

/// Appends `payload` to `out` as records of `content_type` and `version`, split into fragments of at most
/// [`MAX_PLAINTEXT_LEN`] bytes. An empty payload writes nothing.
pub fn write_records(out: &mut Vec<u8>, content_type: ContentType, version: ProtocolVersion, payload: &[u8]) {
    for fragment in payload.chunks(MAX_PLAINTEXT_LEN) {
        out.push(content_type.0);
        out.extend_from_slice(&version.0.to_be_bytes());
        // A chunk is at most 2^14 bytes, so its length fits in 16 bits.
        out.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
        out.extend_from_slice(fragment);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const ALERT: [u8; 7] = [21, 3, 3, 0, 2, 2, 40];

    #[test]
    fn parses_a_record_and_reports_its_size() {
        let mut stream = ALERT.to_vec();
        stream.extend_from_slice(&[22, 3, 1]);
        let (record, used) = parse_record(&stream).unwrap();
        assert_eq!(used, 7);
        assert_eq!(record.content_type, ContentType::ALERT);
        assert_eq!(record.version, ProtocolVersion::TLS1_2);
        assert_eq!(record.fragment, &[2, 40]);
        assert_eq!(parse_record(&stream[used..]), Err(ParseError::Incomplete { needed: 2 }));
    }

    #[test]
    fn every_prefix_is_incomplete_with_the_exact_shortfall() {
        for len in 0..ALERT.len() {
            let needed = if len < RECORD_HEADER_LEN { RECORD_HEADER_LEN - len } else { ALERT.len() - len };
            assert_eq!(parse_record(&ALERT[..len]), Err(ParseError::Incomplete { needed }), "prefix {len}");
        }
    }

    #[test]
    fn header_fields_are_checked_as_soon_as_present() {
        assert_eq!(
            parse_record(b"R").unwrap_err(),
            ParseError::Invalid { pos: 0, context: "record content type (not 20-24)" }
        );
        assert!(matches!(parse_record(&[22, 2]), Err(ParseError::Invalid { pos: 1, .. })));
        assert!(matches!(parse_record(&[22, 3, 5]), Err(ParseError::Invalid { pos: 2, .. })));
        assert!(matches!(parse_record(&[22, 3, 3, 0x48, 0x01]), Err(ParseError::Invalid { pos: 3, .. })));
        assert!(matches!(parse_record(&[21, 3, 3, 0, 0]), Err(ParseError::Invalid { pos: 3, .. })));
        // The maximum length is allowed and then awaited.
        assert_eq!(parse_record(&[23, 3, 3, 0x48, 0x00]), Err(ParseError::Incomplete { needed: 0x4800 }));
        // Empty application data is legal.
        assert_eq!(parse_record(&[23, 3, 3, 0, 0]).unwrap().1, 5);
    }

    #[test]
    fn write_records_splits_at_the_plaintext_limit() {
        let payload = vec![7u8; MAX_PLAINTEXT_LEN + 10];
        let mut out = Vec::new();
        write_records(&mut out, ContentType::HANDSHAKE, ProtocolVersion::TLS1_0, &payload);
        let (first, used) = parse_record(&out).unwrap();
        assert_eq!(first.fragment.len(), MAX_PLAINTEXT_LEN);
        let (second, rest) = parse_record(&out[used..]).unwrap();
        assert_eq!(second.fragment.len(), 10);
        assert_eq!(used + rest, out.len());
        let mut none = Vec::new();
        write_records(&mut none, ContentType::HANDSHAKE, ProtocolVersion::TLS1_0, &[]);
        assert!(none.is_empty());
    }

    #[test]
    fn content_type_names() {
        assert_eq!(ContentType::HANDSHAKE.to_string(), "handshake (22)");
        assert_eq!(ContentType(99).to_string(), "unknown content type 99");
    }
}
