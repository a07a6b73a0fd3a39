//! The ClientHello: a builder for the offers a scanner makes (version range, cipher suites, the extensions
//! old and new servers expect), and a parser for ClientHellos (to check what was built, or to read a client's).
//!
//! This codec never completes a handshake. For TLS 1.3 it only needs a well-formed offer, so the x25519 key
//! share is a caller-supplied 32-byte value: use 32 random bytes (or a real public key). The server answers
//! with its ServerHello before it could notice that nobody holds the private key; everything after that is
//! encrypted and not read. An all-zero value is a low-order point that servers reject.

use super::error::ParseError;
use super::extensions::{Extension, ExtensionType, NamedGroup, SignatureScheme, find, parse_extensions};
use super::handshake::{HandshakeType, write_handshake};
use super::reader::{Reader, put_vec};
use super::record::{ContentType, write_records};
use super::suite_info::CipherMode;
use super::suites::{CipherSuite, LEGACY_SUITES, MODERN_SUITES};
use super::version::ProtocolVersion;

/// Groups offered by default: x25519, secp256r1, secp384r1, ffdhe2048.
pub const DEFAULT_GROUPS: &[NamedGroup] =
    &[NamedGroup::X25519, NamedGroup::SECP256R1, NamedGroup::SECP384R1, NamedGroup::FFDHE2048];

/// Signature schemes offered by default: modern ones first, then the SHA-1 schemes old servers need.
pub const DEFAULT_SIGNATURE_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_SECP256R1_SHA256,
    SignatureScheme::ECDSA_SECP384R1_SHA384,
    SignatureScheme::ECDSA_SECP521R1_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::RSA_PKCS1_SHA1,
    SignatureScheme::ECDSA_SHA1,
];

/// Why a ClientHello could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The version range is empty or outside TLS 1.0-1.3.
    #[error("version range {min}..={max} is empty or outside TLS 1.0-1.3")]
    VersionRange {
        /// Lowest version offered.
        min: ProtocolVersion,
        /// Highest version offered.
        max: ProtocolVersion,
    },
    /// No cipher suite can be used with any offered version.
    #[error("no offered cipher suite is usable with {min}..={max}")]
    NoUsableSuite {
        /// Lowest version offered.
        min: ProtocolVersion,
        /// Highest version offered.
        max: ProtocolVersion,
    },
    /// TLS 1.3 is offered without a TLS 1.3 cipher suite (a 1.3 server would pick 1.3 and fail).
    #[error("TLS 1.3 is offered without a TLS 1.3 cipher suite")]
    MissingTls13Suite,
    /// TLS 1.3 is offered without a key share.
    #[error("TLS 1.3 is offered without an x25519 key share")]
    MissingKeyShare,
    /// More cipher suites than the 16-bit list length allows.
    #[error("{0} cipher suites do not fit in a ClientHello")]
    TooManySuites(usize),
    /// The session id is longer than 32 bytes.
    #[error("session id of {0} bytes (at most 32)")]
    SessionIdTooLong(usize),
    /// The server name is not a DNS host name.
    #[error("server name {0:?} is not a DNS host name")]
    InvalidServerName(String),
    /// An ALPN protocol name is empty or longer than 255 bytes, or the list is too long.
    #[error("ALPN protocol list is invalid (names of 1-255 bytes)")]
    InvalidAlpn,
    /// The extensions do not fit the 16-bit length of their block (a huge ALPN list).
    #[error("ClientHello extensions of {0} bytes exceed 65535")]
    ExtensionsTooLong(usize),
}

/// What to offer in a ClientHello. Build one with [`new`](Self::new), [`modern`](Self::modern),
/// [`legacy`](Self::legacy) or [`single_suite`](Self::single_suite), adjust it with the `with_*` methods or the
/// public fields, then [`encode`](Self::encode) it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHelloConfig {
    /// Lowest version offered. Servers learn it only through supported_versions, which is sent when
    /// `max_version` is TLS 1.3; a TLS <= 1.2 offer says only "up to `max_version`".
    pub min_version: ProtocolVersion,
    /// Highest version offered.
    pub max_version: ProtocolVersion,
    /// Cipher suites, in preference order.
    pub cipher_suites: Vec<CipherSuite>,
    /// SNI host name (a DNS name; [`with_server_name`](Self::with_server_name) leaves IP literals out).
    pub server_name: Option<String>,
    /// The 32-byte client random (an input: this codec has no randomness).
    pub random: [u8; 32],
    /// Legacy session id, 0-32 bytes.
    pub session_id: Vec<u8>,
    /// supported_groups, in preference order.
    pub groups: Vec<NamedGroup>,
    /// signature_algorithms (sent when TLS 1.2 or 1.3 is offered).
    pub signature_schemes: Vec<SignatureScheme>,
    /// The x25519 public value for key_share, required when TLS 1.3 is offered.
    pub x25519_key_share: Option<[u8; 32]>,
    /// ALPN protocol names, none by default.
    pub alpn: Vec<Vec<u8>>,
    /// Send extended_master_secret (RFC 7627), with TLS <= 1.2 offers.
    pub extended_master_secret: bool,
    /// Send an empty session_ticket (RFC 5077), with TLS <= 1.2 offers.
    pub session_ticket: bool,
    /// Send an empty renegotiation_info (RFC 5746), with TLS <= 1.2 offers.
    pub renegotiation_info: bool,
    /// Send encrypt_then_mac (RFC 7366) when a CBC suite is offered.
    pub encrypt_then_mac: bool,
    /// Pad a ClientHello of 256-511 bytes to 512 (RFC 7685): some old TLS stacks hang on that size.
    pub padding: bool,
}

impl ClientHelloConfig {
    /// An offer of `min..=max` with `cipher_suites`, the default groups and signature schemes, the usual
    /// scanner extensions, no SNI, no session id and no key share.
    pub fn new(
        min: ProtocolVersion,
        max: ProtocolVersion,
        cipher_suites: &[CipherSuite],
        random: [u8; 32],
    ) -> Self {
        ClientHelloConfig {
            min_version: min,
            max_version: max,
            cipher_suites: cipher_suites.to_vec(),
            server_name: None,
            random,
            session_id: Vec::new(),
            groups: DEFAULT_GROUPS.to_vec(),
            signature_schemes: DEFAULT_SIGNATURE_SCHEMES.to_vec(),
            x25519_key_share: None,
            alpn: Vec::new(),
            extended_master_secret: true,
            session_ticket: true,
            renegotiation_info: true,
            encrypt_then_mac: true,
            padding: true,
        }
    }

    /// What rustls offers: TLS 1.2-1.3 with [`MODERN_SUITES`] and an x25519 key share.
    pub fn modern(random: [u8; 32], x25519_key_share: [u8; 32]) -> Self {
        Self::new(ProtocolVersion::TLS1_2, ProtocolVersion::TLS1_3, MODERN_SUITES, random)
            .with_key_share(x25519_key_share)
    }

    /// What old cameras accept: TLS 1.0 up to `max` (at most TLS 1.2) with [`LEGACY_SUITES`], restricted to
    /// the suites usable with `max`.
    pub fn legacy(max: ProtocolVersion, random: [u8; 32]) -> Self {
        let max = max.min(ProtocolVersion::TLS1_2);
        let suites: Vec<CipherSuite> = LEGACY_SUITES.iter().copied().filter(|s| s.usable_with(max)).collect();
        Self::new(ProtocolVersion::TLS1_0, max, &suites, random)
    }

    /// One version and one suite, to ask "does the server accept exactly this?". A TLS 1.3 probe also needs
    /// [`with_key_share`](Self::with_key_share).
    pub fn single_suite(version: ProtocolVersion, suite: CipherSuite, random: [u8; 32]) -> Self {
        Self::new(version, version, &[suite], random)
    }

    /// Sets SNI from the host of a URL: DNS names are sent, IP literals (`192.0.2.1`, `2001:db8::1`,
    /// `[2001:db8::1]`) are not (RFC 6066 section 3 forbids them). A trailing dot is dropped.
    #[must_use]
    pub fn with_server_name(mut self, host: &str) -> Self {
        self.server_name = sni_for_host(host);
        self
    }

    /// Sets the legacy session id (0-32 bytes; TLS 1.3 clients usually send 32 random bytes).
    #[must_use]
    pub fn with_session_id(mut self, session_id: &[u8]) -> Self {
        self.session_id = session_id.to_vec();
        self
    }

    /// Sets the x25519 key share value (see the module documentation).
    #[must_use]
    pub fn with_key_share(mut self, x25519_public: [u8; 32]) -> Self {
        self.x25519_key_share = Some(x25519_public);
        self
    }

    /// Sets the ALPN protocol names.
    #[must_use]
    pub fn with_alpn(mut self, protocols: &[&[u8]]) -> Self {
        self.alpn = protocols.iter().map(|p| p.to_vec()).collect();
        self
    }

    /// Whether `version` is in the offered range.
    pub fn offers_version(&self, version: ProtocolVersion) -> bool {
        (self.min_version..=self.max_version).contains(&version)
    }

    /// The ClientHello framed in handshake records, ready to send.
    pub fn encode(&self) -> Result<Vec<u8>, BuildError> {
        let message = self.encode_handshake()?;
        let mut out = Vec::with_capacity(message.len() + 5);
        // Record version 0x0301 for the first flight, as OpenSSL and browsers do: some old servers refuse
        // higher record versions.
        write_records(&mut out, ContentType::HANDSHAKE, ProtocolVersion::TLS1_0, &message);
        Ok(out)
    }

    /// The ClientHello handshake message (4-byte header and body), without record framing.
    pub fn encode_handshake(&self) -> Result<Vec<u8>, BuildError> {
        self.validate()?;
        let tls13 = self.max_version.is_tls13_or_later();
        let below13 = !self.min_version.is_tls13_or_later();
        let mut body = Vec::with_capacity(512);
        body.extend_from_slice(&self.max_version.min(ProtocolVersion::TLS1_2).0.to_be_bytes());
        body.extend_from_slice(&self.random);
        put_vec(&mut body, 1, &self.session_id);
        let suites: Vec<u8> = self.cipher_suites.iter().flat_map(|s| s.0.to_be_bytes()).collect();
        put_vec(&mut body, 2, &suites);
        put_vec(&mut body, 1, &[0]); // compression: null only

        let mut ext = Vec::with_capacity(256);
        if let Some(name) = &self.server_name {
            // server_name_list with one host_name (type 0) entry.
            let mut entry = vec![0];
            put_vec(&mut entry, 2, name.as_bytes());
            let mut list = Vec::new();
            put_vec(&mut list, 2, &entry);
            put_ext(&mut ext, ExtensionType::SERVER_NAME, &list);
        }
        if below13 {
            put_ext(&mut ext, ExtensionType::EC_POINT_FORMATS, &[1, 0]); // uncompressed only
        }
        let groups: Vec<u8> = self.groups.iter().flat_map(|g| g.0.to_be_bytes()).collect();
        put_ext_vec(&mut ext, ExtensionType::SUPPORTED_GROUPS, 2, &groups);
        if below13 && self.session_ticket {
            put_ext(&mut ext, ExtensionType::SESSION_TICKET, &[]);
        }
        let offers_cbc =
            self.cipher_suites.iter().any(|s| s.info().is_some_and(|i| i.mode == CipherMode::Cbc));
        if below13 && self.encrypt_then_mac && offers_cbc {
            put_ext(&mut ext, ExtensionType::ENCRYPT_THEN_MAC, &[]);
        }
        if below13 && self.extended_master_secret {
            put_ext(&mut ext, ExtensionType::EXTENDED_MASTER_SECRET, &[]);
        }
        if below13 && self.renegotiation_info {
            put_ext(&mut ext, ExtensionType::RENEGOTIATION_INFO, &[0]);
        }
        // RFC 5246 7.4.1.4.1: not meaningful before TLS 1.2, and only sent when 1.2+ is offered.
        if self.max_version >= ProtocolVersion::TLS1_2 {
            let schemes: Vec<u8> = self.signature_schemes.iter().flat_map(|s| s.0.to_be_bytes()).collect();
            put_ext_vec(&mut ext, ExtensionType::SIGNATURE_ALGORITHMS, 2, &schemes);
        }
        if !self.alpn.is_empty() {
            let mut list = Vec::new();
            for protocol in &self.alpn {
                put_vec(&mut list, 1, protocol);
            }
            put_ext_vec(&mut ext, ExtensionType::ALPN, 2, &list);
        }
        if tls13 {
            let versions: Vec<u8> = ProtocolVersion::OFFERABLE
                .iter()
                .rev()
                .filter(|v| self.offers_version(**v))
                .flat_map(|v| v.0.to_be_bytes())
                .collect();
            put_ext_vec(&mut ext, ExtensionType::SUPPORTED_VERSIONS, 1, &versions);
            put_ext_vec(&mut ext, ExtensionType::PSK_KEY_EXCHANGE_MODES, 1, &[1]); // psk_dhe_ke
            let mut share = NamedGroup::X25519.0.to_be_bytes().to_vec();
            put_vec(&mut share, 2, &self.x25519_key_share.unwrap_or_default());
            put_ext_vec(&mut ext, ExtensionType::KEY_SHARE, 2, &share);
        }
        if self.padding {
            // Header (4) + body so far + extensions length (2) + the extensions.
            let unpadded = 4 + body.len() + 2 + ext.len();
            if (256..512).contains(&unpadded) {
                let data_len = (512 - unpadded).saturating_sub(4).max(1);
                put_ext(&mut ext, ExtensionType::PADDING, &vec![0; data_len]);
            }
        }
        if ext.len() > 0xffff {
            return Err(BuildError::ExtensionsTooLong(ext.len()));
        }
        put_vec(&mut body, 2, &ext);
        let mut message = Vec::with_capacity(body.len() + 4);
        write_handshake(&mut message, HandshakeType::CLIENT_HELLO, &body);
        Ok(message)
    }

    fn validate(&self) -> Result<(), BuildError> {
        let (min, max) = (self.min_version, self.max_version);
        if min > max || min < ProtocolVersion::TLS1_0 || max > ProtocolVersion::TLS1_3 {
            return Err(BuildError::VersionRange { min, max });
        }
        if self.cipher_suites.len() > 0x7fff {
            return Err(BuildError::TooManySuites(self.cipher_suites.len()));
        }
        let usable = |s: &CipherSuite| {
            let (lowest, highest) = s.version_range();
            !s.is_signalling() && !s.is_grease() && lowest <= max && min <= highest
        };
        if !self.cipher_suites.iter().any(usable) {
            return Err(BuildError::NoUsableSuite { min, max });
        }
        if max.is_tls13_or_later() {
            if !self.cipher_suites.iter().any(|s| s.is_tls13()) {
                return Err(BuildError::MissingTls13Suite);
            }
            if self.x25519_key_share.is_none() {
                return Err(BuildError::MissingKeyShare);
            }
        }
        if self.session_id.len() > 32 {
            return Err(BuildError::SessionIdTooLong(self.session_id.len()));
        }
        if let Some(name) = &self.server_name
            && !is_dns_name(name)
        {
            return Err(BuildError::InvalidServerName(name.clone()));
        }
        let alpn_len: usize = self.alpn.iter().map(|p| p.len() + 1).sum();
        if self.alpn.iter().any(|p| p.is_empty() || p.len() > 255) || alpn_len > 0xffff - 2 {
            return Err(BuildError::InvalidAlpn);
        }
        Ok(())
    }
}

/// Appends one extension.
fn put_ext(out: &mut Vec<u8>, ext_type: ExtensionType, data: &[u8]) {
    out.extend_from_slice(&ext_type.0.to_be_bytes());
    put_vec(out, 2, data);
}

/// Appends one extension whose data is a single vector with a `width`-byte length prefix.
fn put_ext_vec(out: &mut Vec<u8>, ext_type: ExtensionType, width: usize, items: &[u8]) {
    let mut data = Vec::with_capacity(items.len() + width);
    put_vec(&mut data, width, items);
    put_ext(out, ext_type, &data);
}

/// The SNI value for the host part of a URL, or `None` for an IP literal (which RFC 6066 forbids in SNI).
/// Brackets and a trailing dot are removed and the name is lowercased; validity is checked when encoding.
pub fn sni_for_host(host: &str) -> Option<String> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    // An IPv6 literal may carry a zone (`fe80::1%eth0`), which the std parser does not accept.
    let without_zone = bare.split('%').next().unwrap_or(bare);
    if bare.parse::<std::net::IpAddr>().is_ok() || without_zone.parse::<std::net::Ipv6Addr>().is_ok() {
        return None;
    }
    Some(bare.strip_suffix('.').unwrap_or(bare).to_ascii_lowercase())
}

/// A host name as SNI carries it: dot-separated labels of letters, digits, `-` and `_` (seen on private
/// networks), 1-63 bytes each, not starting or ending with `-`, at most 253 bytes in all.
fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A parsed ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// legacy_version (the highest version for TLS <= 1.2 clients; 0x0303 for TLS 1.3 clients).
    pub legacy_version: ProtocolVersion,
    /// Client random.
    pub random: [u8; 32],
    /// Legacy session id.
    pub session_id: Vec<u8>,
    /// Offered cipher suites, in order.
    pub cipher_suites: Vec<CipherSuite>,
    /// Offered compression methods.
    pub compression_methods: Vec<u8>,
    /// Extensions, in order.
    pub extensions: Vec<Extension>,
}

impl ClientHello {
    /// Parses a ClientHello message body (without the 4-byte handshake header); error positions count from
    /// the body's first byte.
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(body);
        let legacy_version = ProtocolVersion(r.u16("ClientHello legacy_version")?);
        let random = r.array("ClientHello random")?;
        let mut sid = r.vec8("ClientHello session_id")?;
        if sid.remaining() > 32 {
            return Err(sid.invalid("ClientHello session_id (over 32 bytes)"));
        }
        let session_id = sid.rest().to_vec();
        let mut list = r.vec16("ClientHello cipher_suites")?;
        if list.remaining() % 2 != 0 || list.is_empty() {
            return Err(list.invalid("ClientHello cipher_suites (empty or odd length)"));
        }
        let mut cipher_suites = Vec::with_capacity(list.remaining() / 2);
        while !list.is_empty() {
            cipher_suites.push(CipherSuite(list.u16("ClientHello cipher suite")?));
        }
        let mut compression = r.vec8("ClientHello compression_methods")?;
        if compression.is_empty() {
            return Err(compression.invalid("ClientHello compression_methods (empty)"));
        }
        let compression_methods = compression.rest().to_vec();
        let extensions = parse_extensions(&mut r)?;
        r.expect_end("ClientHello (bytes after the extensions)")?;
        Ok(ClientHello { legacy_version, random, session_id, cipher_suites, compression_methods, extensions })
    }

    /// The data of one extension, if present.
    pub fn extension(&self, ext_type: ExtensionType) -> Option<&[u8]> {
        find(&self.extensions, ext_type)
    }

    /// The first host_name of server_name, if the extension is present and well formed.
    pub fn server_name(&self) -> Option<String> {
        let mut r = Reader::new(self.extension(ExtensionType::SERVER_NAME)?);
        let mut list = r.vec16("server_name_list").ok()?;
        while !list.is_empty() {
            let name_type = list.u8("server name type").ok()?;
            let name = list.vec16("server name").ok()?.rest();
            if name_type == 0 {
                return String::from_utf8(name.to_vec()).ok();
            }
        }
        None
    }

    /// The versions listed in supported_versions (empty when the extension is absent or malformed).
    pub fn supported_versions(&self) -> Vec<ProtocolVersion> {
        let Some(data) = self.extension(ExtensionType::SUPPORTED_VERSIONS) else { return Vec::new() };
        let mut r = Reader::new(data);
        let Ok(mut list) = r.vec8("supported_versions") else { return Vec::new() };
        let mut out = Vec::new();
        while let Ok(v) = list.u16("version") {
            out.push(ProtocolVersion(v));
        }
        out
    }
}
