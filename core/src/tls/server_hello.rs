//! The ServerHello (RFC 5246 7.4.1.3, RFC 8446 4.1.3): the version and cipher suite the server picked, its
//! extensions, HelloRetryRequest and the TLS 1.3 downgrade sentinels.

use super::error::ParseError;
use super::extensions::{Extension, ExtensionType, NamedGroup, find, parse_extensions};
use super::reader::Reader;
use super::suites::CipherSuite;
use super::version::ProtocolVersion;

/// The random value that marks a ServerHello as a HelloRetryRequest (RFC 8446 4.1.3): SHA-256 of
/// "HelloRetryRequest".
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2,
    0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The first 7 bytes of the downgrade sentinel a TLS 1.3-capable server puts at the end of its random when it
/// negotiates a lower version (RFC 8446 4.1.3); the eighth byte is 1 for TLS 1.2, 0 for TLS 1.1 or below.
const DOWNGRADE_PREFIX: &[u8; 7] = b"DOWNGRD";

/// What a downgrade sentinel says the server supports beyond the version it negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DowngradeSentinel {
    /// `DOWNGRD\x01`: the server supports TLS 1.3 and negotiated TLS 1.2.
    Tls13Capable,
    /// `DOWNGRD\x00`: the server supports TLS 1.2 (or 1.3) and negotiated TLS 1.1 or below.
    Tls12Capable,
}

/// A parsed ServerHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// The legacy_version field: the negotiated version for TLS <= 1.2, 0x0303 for TLS 1.3.
    pub legacy_version: ProtocolVersion,
    /// Server random.
    pub random: [u8; 32],
    /// Session id (echoed by TLS 1.3 servers).
    pub session_id: Vec<u8>,
    /// The chosen cipher suite.
    pub cipher_suite: CipherSuite,
    /// The chosen compression method (0 = null; anything else is obsolete and CRIME-prone).
    pub compression_method: u8,
    /// Extensions, in order.
    pub extensions: Vec<Extension>,
}

impl ServerHello {
    /// Parses a ServerHello message body (without the 4-byte handshake header); error positions count from the
    /// body's first byte. A supported_versions extension must be exactly 2 bytes.
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(body);
        let legacy_version = ProtocolVersion(r.u16("ServerHello legacy_version")?);
        let random = r.array("ServerHello random")?;
        let mut sid = r.vec8("ServerHello session_id")?;
        if sid.remaining() > 32 {
            return Err(sid.invalid("ServerHello session_id (over 32 bytes)"));
        }
        let session_id = sid.rest().to_vec();
        let cipher_suite = CipherSuite(r.u16("ServerHello cipher_suite")?);
        let compression_method = r.u8("ServerHello compression_method")?;
        let ext_start = r.pos();
        let extensions = parse_extensions(&mut r)?;
        r.expect_end("ServerHello (bytes after the extensions)")?;
        if find(&extensions, ExtensionType::SUPPORTED_VERSIONS).is_some_and(|d| d.len() != 2) {
            return Err(ParseError::Invalid {
                pos: ext_start,
                context: "ServerHello supported_versions (not 2 bytes)",
            });
        }
        Ok(ServerHello { legacy_version, random, session_id, cipher_suite, compression_method, extensions })
    }

    /// The negotiated version: supported_versions when present (TLS 1.3), else legacy_version.
    pub fn version(&self) -> ProtocolVersion {
        match self.selected_version() {
            Some(v) => v,
            None => self.legacy_version,
        }
    }

    /// The version from supported_versions, if the server sent the extension.
    pub fn selected_version(&self) -> Option<ProtocolVersion> {
        match self.extension(ExtensionType::SUPPORTED_VERSIONS)? {
            [a, b] => Some(ProtocolVersion(u16::from_be_bytes([*a, *b]))),
            _ => None,
        }
    }

    /// A HelloRetryRequest: the server accepts TLS 1.3 and this suite but wants a key share for another
    /// group ([`hello_retry_group`](Self::hello_retry_group)).
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }

    /// The group a HelloRetryRequest asks for, or the group of a TLS 1.3 ServerHello's key share.
    pub fn key_share_group(&self) -> Option<NamedGroup> {
        match self.extension(ExtensionType::KEY_SHARE)? {
            [a, b, ..] => Some(NamedGroup(u16::from_be_bytes([*a, *b]))),
            _ => None,
        }
    }

    /// The group a HelloRetryRequest asks the client to use, if this is one.
    pub fn hello_retry_group(&self) -> Option<NamedGroup> {
        if self.is_hello_retry_request() { self.key_share_group() } else { None }
    }

    /// The downgrade sentinel at the end of the random, if any (meaningful only below TLS 1.3).
    pub fn downgrade_sentinel(&self) -> Option<DowngradeSentinel> {
        let (prefix, last) = (&self.random[24..31], self.random[31]);
        match (prefix == DOWNGRADE_PREFIX, last) {
            (true, 1) => Some(DowngradeSentinel::Tls13Capable),
            (true, 0) => Some(DowngradeSentinel::Tls12Capable),
            _ => None,
        }
    }

    /// The data of one extension, if present.
    pub fn extension(&self, ext_type: ExtensionType) -> Option<&[u8]> {
        find(&self.extensions, ext_type)
    }

    /// The server accepted encrypt_then_mac (RFC 7366).
    pub fn encrypt_then_mac(&self) -> bool {
        self.extension(ExtensionType::ENCRYPT_THEN_MAC).is_some()
    }

    /// The server accepted extended_master_secret (RFC 7627).
    pub fn extended_master_secret(&self) -> bool {
        self.extension(ExtensionType::EXTENDED_MASTER_SECRET).is_some()
    }

    /// The server supports secure renegotiation (RFC 5746).
    pub fn secure_renegotiation(&self) -> bool {
        self.extension(ExtensionType::RENEGOTIATION_INFO).is_some()
    }

    /// The ALPN protocol the server selected, if any.
    pub fn alpn(&self) -> Option<Vec<u8>> {
        let mut r = Reader::new(self.extension(ExtensionType::ALPN)?);
        let mut list = r.vec16("ALPN list").ok()?;
        Some(list.vec8("ALPN protocol").ok()?.rest().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A ServerHello body: version, random, session id, suite, compression, raw extensions block (if any).
    fn body(version: u16, random: [u8; 32], sid: &[u8], suite: u16, ext: Option<&[u8]>) -> Vec<u8> {
        let mut out = version.to_be_bytes().to_vec();
        out.extend_from_slice(&random);
        out.push(sid.len() as u8);
        out.extend_from_slice(sid);
        out.extend_from_slice(&suite.to_be_bytes());
        out.push(0);
        if let Some(ext) = ext {
            out.extend_from_slice(&(ext.len() as u16).to_be_bytes());
            out.extend_from_slice(ext);
        }
        out
    }

    #[test]
    fn a_tls10_hello_without_extensions() {
        let hello = ServerHello::parse(&body(0x0301, [5; 32], &[1; 32], 0x002f, None)).unwrap();
        assert_eq!(hello.version(), ProtocolVersion::TLS1_0);
        assert_eq!(hello.cipher_suite, CipherSuite(0x002f));
        assert_eq!(hello.session_id.len(), 32);
        assert!(hello.extensions.is_empty() && hello.selected_version().is_none());
        assert!(
            !hello.encrypt_then_mac() && !hello.extended_master_secret() && !hello.secure_renegotiation()
        );
        assert!(
            !hello.is_hello_retry_request() && hello.downgrade_sentinel().is_none() && hello.alpn().is_none()
        );
    }

    #[test]
    fn tls13_hello_retry_and_sentinels() {
        let ext = [0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 23];
        let hrr =
            ServerHello::parse(&body(0x0303, HELLO_RETRY_REQUEST_RANDOM, &[], 0x1301, Some(&ext))).unwrap();
        assert_eq!(hrr.version(), ProtocolVersion::TLS1_3);
        assert!(hrr.is_hello_retry_request());
        assert_eq!(hrr.hello_retry_group(), Some(NamedGroup::SECP256R1));

        let mut random = [9; 32];
        random[24..].copy_from_slice(b"DOWNGRD\x01");
        let ext = [0, 22, 0, 0, 0, 23, 0, 0, 0xff, 1, 0, 1, 0, 0, 16, 0, 5, 0, 3, 2, b'h', b'2'];
        let down = ServerHello::parse(&body(0x0303, random, &[], 0xc02f, Some(&ext))).unwrap();
        assert_eq!(down.downgrade_sentinel(), Some(DowngradeSentinel::Tls13Capable));
        assert!(down.encrypt_then_mac() && down.extended_master_secret() && down.secure_renegotiation());
        assert_eq!(down.alpn(), Some(b"h2".to_vec()));
        assert_eq!(down.hello_retry_group(), None);
        random[31] = 0;
        let old = ServerHello::parse(&body(0x0301, random, &[], 0x002f, None)).unwrap();
        assert_eq!(old.downgrade_sentinel(), Some(DowngradeSentinel::Tls12Capable));
    }

    #[test]
    fn malformed_hellos_name_the_field() {
        let good = body(0x0303, [1; 32], &[2; 4], 0xc02f, Some(&[0, 23, 0, 0]));
        assert!(ServerHello::parse(&good).is_ok());
        // Every truncation is invalid (a message parser never answers Incomplete), except the one that drops
        // the whole extensions block, which TLS 1.0 servers legitimately do.
        for len in 0..good.len() {
            let result = ServerHello::parse(&good[..len]);
            if len == good.len() - 6 {
                assert!(result.is_ok());
            } else {
                assert!(matches!(result, Err(ParseError::Invalid { .. })), "length {len}: {result:?}");
            }
        }
        let long_sid = body(0x0303, [1; 32], &[2; 33], 0xc02f, None);
        assert_eq!(
            ServerHello::parse(&long_sid),
            Err(ParseError::Invalid { pos: 35, context: "ServerHello session_id (over 32 bytes)" })
        );
        let trailing = [body(0x0303, [1; 32], &[], 0xc02f, Some(&[])), vec![0]].concat();
        assert!(matches!(ServerHello::parse(&trailing), Err(ParseError::Invalid { pos: 40, .. })));
        let bad_versions = body(0x0303, [1; 32], &[], 0x1301, Some(&[0, 43, 0, 1, 3]));
        assert!(matches!(ServerHello::parse(&bad_versions), Err(ParseError::Invalid { pos: 38, .. })));
        let mut short_share = ServerHello::parse(&body(0x0303, [1; 32], &[], 0x1301, None)).unwrap();
        short_share.extensions.push(Extension { ext_type: ExtensionType::KEY_SHARE, data: vec![0] });
        assert_eq!(short_share.key_share_group(), None);
    }
}
