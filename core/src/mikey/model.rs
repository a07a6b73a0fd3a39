//! The typed model of a MIKEY message (RFC 3830 section 6): common header, crypto-session map and the
//! payload chain.

use crate::srtp::Suite;

/// MIKEY message types (RFC 3830 6.1 "data type", RFC 4738 and RFC 6043 additions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// 0: initiator's pre-shared-key message (also MIKEY-NULL: PSK mode with the KEMAC not encrypted).
    PskInit,
    /// 1: verification message of the PSK mode.
    PskVerify,
    /// 2: initiator's public-key message.
    PkInit,
    /// 3: verification message of the public-key mode.
    PkVerify,
    /// 4: initiator's Diffie-Hellman message.
    DhInit,
    /// 5: responder's Diffie-Hellman message.
    DhResp,
    /// 6: error message.
    Error,
    /// Another value (DHHMAC, RSA-R, ticket modes...).
    Other(u8),
}

impl DataType {
    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            DataType::PskInit => 0,
            DataType::PskVerify => 1,
            DataType::PkInit => 2,
            DataType::PkVerify => 3,
            DataType::DhInit => 4,
            DataType::DhResp => 5,
            DataType::Error => 6,
            DataType::Other(v) => v,
        }
    }

    /// From the wire value.
    pub fn from_u8(v: u8) -> DataType {
        match v {
            0 => DataType::PskInit,
            1 => DataType::PskVerify,
            2 => DataType::PkInit,
            3 => DataType::PkVerify,
            4 => DataType::DhInit,
            5 => DataType::DhResp,
            6 => DataType::Error,
            v => DataType::Other(v),
        }
    }
}

/// One crypto session of the SRTP-ID map (RFC 3830 6.1.1): which policy protects which SSRC from which ROC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrtpMapEntry {
    /// The security policy number (matches an SP payload's policy number).
    pub policy: u8,
    /// The SSRC.
    pub ssrc: u32,
    /// The rollover counter at which the receiver starts.
    pub roc: u32,
}

/// The crypto-session ID map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsIdMap {
    /// Map type 0, SRTP-ID: one entry per crypto session.
    Srtp(Vec<SrtpMapEntry>),
    /// Map type 1 (RFC 6043, empty map) with the `#CS` count as given.
    Empty {
        /// The number of crypto sessions.
        count: u8,
    },
}

/// The common header (RFC 3830 6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Version (1).
    pub version: u8,
    /// The message type.
    pub data_type: DataType,
    /// The V flag: a verification message is requested.
    pub verify: bool,
    /// The PRF (0: MIKEY-1).
    pub prf: u8,
    /// The crypto session bundle ID.
    pub csb_id: u32,
    /// The crypto sessions.
    pub cs_map: CsIdMap,
}

/// Timestamp types of the T payload (RFC 3830 6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamp {
    /// 0: NTP time in UTC (64 bits).
    NtpUtc(u64),
    /// 1: NTP time (64 bits).
    Ntp(u64),
    /// 2: a counter (32 bits).
    Counter(u32),
}

/// One SRTP security-policy parameter (type, value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyParam {
    /// The parameter type (RFC 3830 6.10.1; 20 = AEAD tag length, RFC 7714).
    pub kind: u8,
    /// Its value.
    pub value: Vec<u8>,
}

/// SRTP policy parameter types (RFC 3830 section 6.10.1).
pub mod sp {
    /// Encryption algorithm (0 NULL, 1 AES-CM, 2 AES-F8, 6 AES-GCM).
    pub const ENC_ALG: u8 = 0;
    /// Session encryption key length (bytes).
    pub const ENC_KEY_LEN: u8 = 1;
    /// Authentication algorithm (0 NULL, 1 HMAC-SHA1).
    pub const AUTH_ALG: u8 = 2;
    /// Session authentication key length (bytes).
    pub const AUTH_KEY_LEN: u8 = 3;
    /// Session salt length (bytes).
    pub const SALT_KEY_LEN: u8 = 4;
    /// SRTP pseudo-random function (0 AES-CM).
    pub const PRF: u8 = 5;
    /// Key derivation rate.
    pub const KEY_DERIV_RATE: u8 = 6;
    /// SRTP encryption off (0) / on (1).
    pub const SRTP_ENC: u8 = 7;
    /// SRTCP encryption off (0) / on (1).
    pub const SRTCP_ENC: u8 = 8;
    /// Sender's FEC order.
    pub const FEC_ORDER: u8 = 9;
    /// SRTP authentication off (0) / on (1).
    pub const SRTP_AUTH: u8 = 10;
    /// Authentication tag length (bytes).
    pub const AUTH_TAG_LEN: u8 = 11;
    /// SRTP prefix length.
    pub const SRTP_PREFIX_LEN: u8 = 12;
    /// AEAD authentication tag length (bytes; RFC 7714 14.2, GStreamer's value 20).
    pub const AEAD_AUTH_TAG_LEN: u8 = 20;
}

/// A security policy payload (RFC 3830 6.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityPolicy {
    /// The policy number the CS ID map refers to.
    pub policy_no: u8,
    /// The security protocol (0: SRTP).
    pub protocol: u8,
    /// The parameters, in wire order.
    pub params: Vec<PolicyParam>,
}

impl SecurityPolicy {
    /// The value of parameter `kind`, if present.
    pub fn param(&self, kind: u8) -> Option<&[u8]> {
        self.params.iter().find(|p| p.kind == kind).map(|p| p.value.as_slice())
    }

    /// A one-byte parameter, or its RFC 3830 default when absent.
    fn byte_or(&self, kind: u8, default: u8) -> u8 {
        self.param(kind).and_then(|v| v.last().copied()).unwrap_or(default)
    }

    /// The SRTP suite this policy describes (RFC 3830 defaults for absent parameters: AES-CM, 16-byte key,
    /// HMAC-SHA1, 10-byte tag), or `None` if no implemented suite matches.
    ///
    /// Quirk: GStreamer (gstmikey.c, 1.22) writes the tag length (4 or 10 bytes) in the *authentication key
    /// length* parameter and no tag length parameter, and reads it back the same way; an auth key length of
    /// 4 or 10 without a tag length parameter is therefore read as the tag length.
    pub fn suite(&self) -> Option<Suite> {
        let enc = self.byte_or(sp::ENC_ALG, 1);
        let key_len = self.byte_or(sp::ENC_KEY_LEN, 16);
        // The NULL cipher with HMAC-SHA1 (live555's "encryption off"): the AES-CM suite of that tag, whose
        // key derivation still runs on the AES-CM master key; `srtp_encryption` then says the payload is clear.
        let (enc, key_len) = match (enc, key_len) {
            (0, 0) => (1, 16),
            (0, len) => (1, len),
            other => other,
        };
        let auth = self.byte_or(sp::AUTH_ALG, 1);
        let tag = if enc == 6 {
            self.byte_or(sp::AEAD_AUTH_TAG_LEN, 16)
        } else {
            match (self.param(sp::AUTH_TAG_LEN), self.byte_or(sp::AUTH_KEY_LEN, 20)) {
                (Some(_), _) => self.byte_or(sp::AUTH_TAG_LEN, 10),
                (None, gst @ (4 | 10)) => gst,
                (None, _) => 10,
            }
        };
        Suite::from_mikey(enc, key_len, auth, tag)
    }

    /// Whether SRTP packets are encrypted (default on).
    pub fn srtp_encryption(&self) -> bool {
        self.byte_or(sp::ENC_ALG, 1) != 0 && self.byte_or(sp::SRTP_ENC, 1) != 0
    }

    /// Whether SRTCP packets are encrypted (default on).
    pub fn srtcp_encryption(&self) -> bool {
        self.byte_or(sp::ENC_ALG, 1) != 0 && self.byte_or(sp::SRTCP_ENC, 1) != 0
    }

    /// Whether SRTP packets are authenticated (default on).
    pub fn srtp_authentication(&self) -> bool {
        self.byte_or(sp::SRTP_AUTH, 1) != 0
    }

    /// The SRTP policy of `suite`, every parameter explicit. For AES-CM the authentication key length
    /// parameter carries the tag length (4 or 10), as GStreamer writes and reads it (its `rtspsrc` ignores the
    /// tag length parameter and would take a 20 for HMAC-SHA1-80); the tag length parameter says the same
    /// for RFC 3830 readers.
    pub fn for_suite(policy_no: u8, suite: Suite, srtcp_encryption: bool) -> SecurityPolicy {
        let p = |kind: u8, v: u8| PolicyParam { kind, value: vec![v] };
        let mut params = vec![
            p(sp::ENC_ALG, suite.mikey_encryption_algorithm()),
            p(sp::ENC_KEY_LEN, suite.key_len() as u8),
            p(sp::AUTH_ALG, suite.mikey_auth_algorithm()),
            p(sp::AUTH_KEY_LEN, if suite.is_aead() { 0 } else { suite.rtp_tag_len() as u8 }),
            p(sp::SALT_KEY_LEN, suite.salt_len() as u8),
            p(sp::PRF, 0),
            p(sp::SRTP_ENC, 1),
            p(sp::SRTCP_ENC, u8::from(srtcp_encryption)),
            p(sp::SRTP_AUTH, 1),
        ];
        if suite.is_aead() {
            params.push(p(sp::AEAD_AUTH_TAG_LEN, 16));
        } else {
            params.push(p(sp::AUTH_TAG_LEN, suite.rtp_tag_len() as u8));
        }
        SecurityPolicy { policy_no, protocol: 0, params }
    }
}

/// Key types of the key data sub-payload (RFC 3830 6.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// 0: TEK generation key.
    Tgk,
    /// 1: TGK with a salt.
    TgkSalt,
    /// 2: traffic-encrypting key (GStreamer and live555 put the SRTP master key || salt here).
    Tek,
    /// 3: TEK with a salt.
    TekSalt,
    /// Another value.
    Other(u8),
}

impl KeyType {
    /// From the 4-bit wire value.
    pub fn from_u8(v: u8) -> KeyType {
        match v {
            0 => KeyType::Tgk,
            1 => KeyType::TgkSalt,
            2 => KeyType::Tek,
            3 => KeyType::TekSalt,
            v => KeyType::Other(v),
        }
    }

    /// The 4-bit wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            KeyType::Tgk => 0,
            KeyType::TgkSalt => 1,
            KeyType::Tek => 2,
            KeyType::TekSalt => 3,
            KeyType::Other(v) => v & 0x0f,
        }
    }

    /// Whether a salt field follows the key (types 1 and 3).
    pub fn has_salt(self) -> bool {
        self.to_u8() & 1 == 1
    }
}

/// Key validity (RFC 3830 6.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValidity {
    /// 0: no usage rule.
    Null,
    /// 1: bound to an SPI (the SRTP MKI).
    Spi(Vec<u8>),
    /// 2: valid from / to (SRTP indexes, big-endian).
    Interval {
        /// Valid from.
        from: Vec<u8>,
        /// Valid to.
        to: Vec<u8>,
    },
}

/// A key data sub-payload. `Debug` never prints the key or salt.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyData {
    /// TGK or TEK, with or without salt.
    pub key_type: KeyType,
    /// The key bytes.
    pub key: Vec<u8>,
    /// The salt, for the salted types.
    pub salt: Option<Vec<u8>>,
    /// Key validity.
    pub validity: KeyValidity,
}

impl std::fmt::Debug for KeyData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyData")
            .field("key_type", &self.key_type)
            .field("key", &format_args!("<{} bytes redacted>", self.key.len()))
            .field("salt", &self.salt.as_ref().map(|s| s.len()))
            .field("validity", &self.validity)
            .finish()
    }
}

/// KEMAC encryption algorithms (RFC 3830 6.2).
pub mod kemac_enc {
    /// No encryption: the keys travel in clear (MIKEY-NULL).
    pub const NULL: u8 = 0;
    /// AES-CM with a 128-bit key, under keys derived from the pre-shared key.
    pub const AES_CM_128: u8 = 1;
    /// AES key wrap.
    pub const AES_KW_128: u8 = 2;
}

/// A KEMAC payload (RFC 3830 6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kemac {
    /// The encryption algorithm of `encrypted` ([`kemac_enc`]).
    pub enc_alg: u8,
    /// The key data sub-payloads, when `enc_alg` is NULL (empty otherwise: see `Message::decrypt_kemac`).
    pub keys: Vec<KeyData>,
    /// The raw "Encr data" field (the encoded key data, encrypted or not).
    pub encr_data: Vec<u8>,
    /// The MAC algorithm (0 NULL, 1 HMAC-SHA1-160).
    pub mac_alg: u8,
    /// The MAC (empty or 20 bytes).
    pub mac: Vec<u8>,
}

/// A MIKEY payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// T: the timestamp.
    Timestamp(Timestamp),
    /// RAND: the random value the PSK key derivation uses.
    Rand(Vec<u8>),
    /// SP: a security policy.
    SecurityPolicy(SecurityPolicy),
    /// KEMAC: the keys and the MAC.
    Kemac(Kemac),
    /// Another payload with a self-described length (ID, CERT, CHASH, V, PKE, ERR, general extension), kept raw:
    /// `body` is everything after the next-payload byte.
    Other {
        /// The payload type.
        payload_type: u8,
        /// The raw body.
        body: Vec<u8>,
    },
}

/// A parsed MIKEY message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The common header.
    pub header: Header,
    /// The payloads, in wire order.
    pub payloads: Vec<Payload>,
}

impl Message {
    /// The T payload.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.payloads.iter().find_map(|p| match p {
            Payload::Timestamp(t) => Some(*t),
            _ => None,
        })
    }

    /// The RAND payload.
    pub fn rand(&self) -> Option<&[u8]> {
        self.payloads.iter().find_map(|p| match p {
            Payload::Rand(r) => Some(r.as_slice()),
            _ => None,
        })
    }

    /// The security policies.
    pub fn policies(&self) -> impl Iterator<Item = &SecurityPolicy> {
        self.payloads.iter().filter_map(|p| match p {
            Payload::SecurityPolicy(sp) => Some(sp),
            _ => None,
        })
    }

    /// The policy with number `policy_no`.
    pub fn policy(&self, policy_no: u8) -> Option<&SecurityPolicy> {
        self.policies().find(|p| p.policy_no == policy_no)
    }

    /// The KEMAC payload.
    pub fn kemac(&self) -> Option<&Kemac> {
        self.payloads.iter().find_map(|p| match p {
            Payload::Kemac(k) => Some(k),
            _ => None,
        })
    }

    /// Whether the keys travel in clear (a KEMAC with the NULL encryption algorithm: MIKEY-NULL). Anyone who
    /// reads the SDP reads the keys, so over plain RTSP this protects nothing.
    pub fn keys_in_clear(&self) -> bool {
        self.kemac().is_some_and(|k| k.enc_alg == kemac_enc::NULL)
    }

    /// The SRTP map entries (empty for other map types).
    pub fn srtp_map(&self) -> &[SrtpMapEntry] {
        match &self.header.cs_map {
            CsIdMap::Srtp(v) => v,
            CsIdMap::Empty { .. } => &[],
        }
    }
}
