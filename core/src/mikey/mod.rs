//! MIKEY (RFC 3830) as RTSP servers send it: the base64 value of `a=key-mgmt:mikey` (RFC 4567) or of the RTSP
//! `KeyMgmt` header's `data=`, parsed into a typed [`Message`] (common header with the SRTP crypto-session
//! map, T, RAND, SP and KEMAC payloads), and written back.
//!
//! Modes: MIKEY-NULL (pre-shared-key message whose KEMAC is not encrypted, as live555, GStreamer and many
//! cameras send: the SRTP keys travel in clear, so only TLS around the RTSP connection protects them) and the
//! pre-shared-key mode proper (KEMAC under AES-CM, decrypted with [`Message::decrypt_kemac`] given the PSK).
//! Public-key and Diffie-Hellman messages are recognised by their header ([`DataType`]) but their payloads
//! (PKE, DH, SIGN) are not decoded.
//!
//! Every error carries the byte offset in the decoded message and what was expected there. Counts are
//! bounded ([`MAX_PAYLOADS`], [`MAX_KEYS`]) and every length is checked before use.
//!
//! ```
//! use rtspeek_core::mikey::{Message, NullOffer};
//! use rtspeek_core::srtp::{MasterKey, Suite};
//!
//! let key = MasterKey::new(Suite::AesCm128HmacSha1_80, &[1; 16], &[2; 14]).unwrap();
//! let offer = NullOffer {
//!     csb_id: 0x1234_5678,
//!     streams: &[(0xcafe_babe, 0)],
//!     ntp_time: 0xe000_0000_0000_0000,
//!     rand: [7; 16],
//!     suite: Suite::AesCm128HmacSha1_80,
//!     key: &key,
//!     srtcp_encryption: true,
//!     mki: None,
//! };
//! let b64 = offer.message().to_base64();
//! let parsed = Message::from_base64(&b64).unwrap();
//! assert!(parsed.keys_in_clear());
//! assert_eq!(parsed.srtp_master_key(Suite::AesCm128HmacSha1_80).unwrap(), key);
//! ```

mod model;
mod parse;
mod psk;
mod write;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

pub use model::{
    CsIdMap, DataType, Header, Kemac, KeyData, KeyType, KeyValidity, Message, Payload, PolicyParam,
    SecurityPolicy, SrtpMapEntry, Timestamp, kemac_enc, sp,
};
pub use psk::{prf, tek_from_tgk};
pub use write::NullOffer;

use crate::srtp::{MasterKey, SrtpContext, Suite};

/// At most this many payloads in one message.
pub const MAX_PAYLOADS: usize = 32;
/// At most this many key data sub-payloads in one KEMAC.
pub const MAX_KEYS: usize = 16;

/// What was wrong at [`MikeyError::offset`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MikeyProblem {
    /// The message ends there: `available` bytes were left.
    Truncated {
        /// Bytes left.
        available: usize,
    },
    /// A field holds a value this parser does not accept.
    BadValue(u32),
    /// A payload type this parser cannot size (DH, SIGN...).
    UnsupportedPayload(u8),
    /// More payloads or keys than the bounds allow.
    TooMany,
    /// Bytes left after the last payload.
    TrailingBytes,
    /// The base64 text is not base64.
    NotBase64,
    /// A payload the operation needs is absent.
    Missing,
    /// The KEMAC MAC does not verify (wrong PSK or altered message).
    MacMismatch,
    /// The key data does not give a master key for the suite (`got` bytes).
    KeyLength {
        /// Bytes of key (and salt) found.
        got: usize,
    },
}

/// A MIKEY error: where (byte offset in the decoded message) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("MIKEY: at byte {offset}, expected {expected}: {problem:?}")]
pub struct MikeyError {
    /// Byte offset in the decoded message (in the base64 text for [`MikeyProblem::NotBase64`]).
    pub offset: usize,
    /// What the parser expected there.
    pub expected: &'static str,
    /// What it found.
    pub problem: MikeyProblem,
}

/// Standard base64, padding optional.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl Message {
    /// Parses a MIKEY message.
    pub fn parse(bytes: &[u8]) -> Result<Message, MikeyError> {
        parse::parse_message(bytes)
    }

    /// Decodes the base64 of `a=key-mgmt:mikey <data>` or `KeyMgmt: prot=mikey; data="<data>"` and parses it.
    /// Surrounding whitespace and quotes are ignored.
    pub fn from_base64(text: &str) -> Result<Message, MikeyError> {
        Message::parse(&decode_base64(text)?)
    }

    /// Parses the MIKEY data of any of the forms it travels in: an SDP attribute (`a=key-mgmt:mikey <data>` or
    /// its value `mikey <data>`), an RTSP `KeyMgmt` header value (`prot=mikey; uri="..."; data="<data>"`), or
    /// the bare base64. Another protocol than `mikey` is reported at offset 0.
    pub fn from_key_mgmt(value: &str) -> Result<Message, MikeyError> {
        let v = value.trim();
        let v = v.strip_prefix("a=").unwrap_or(v);
        let v = v.strip_prefix("key-mgmt:").unwrap_or(v);
        if let Some(rest) = v.strip_prefix("mikey ") {
            return Message::from_base64(rest);
        }
        if (v.contains('=') && v.contains(';')) || v.starts_with("prot=") {
            let mut prot = None;
            let mut data = None;
            for part in v.split(';') {
                let (k, val) = part.trim().split_once('=').unwrap_or((part.trim(), ""));
                match k.trim().to_ascii_lowercase().as_str() {
                    "prot" => prot = Some(val.trim().trim_matches('"')),
                    "data" => data = Some(val),
                    _ => {}
                }
            }
            if prot.is_some_and(|p| !p.eq_ignore_ascii_case("mikey")) {
                return Err(MikeyError { offset: 0, expected: "prot=mikey", problem: MikeyProblem::Missing });
            }
            let data = data.ok_or(MikeyError {
                offset: 0,
                expected: "a data= parameter",
                problem: MikeyProblem::Missing,
            })?;
            return Message::from_base64(data);
        }
        Message::from_base64(v)
    }

    /// The message bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        write::write_message(self)
    }

    /// The message as base64 (for `a=key-mgmt:mikey` and `KeyMgmt`).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.to_bytes())
    }

    /// The SRTP master key of a MIKEY-NULL message for `suite`: the first key data of the KEMAC, as key || salt
    /// (a salted key type) or as one key field holding key || salt (what GStreamer and live555 send, TEK or
    /// TGK alike). Encrypted KEMACs need [`Message::decrypt_kemac`] first, then [`master_key_from`].
    pub fn srtp_master_key(&self, suite: Suite) -> Result<MasterKey, MikeyError> {
        let kemac = self.kemac().ok_or(MikeyError {
            offset: 0,
            expected: "a KEMAC payload",
            problem: MikeyProblem::Missing,
        })?;
        if kemac.enc_alg != kemac_enc::NULL {
            return Err(MikeyError {
                offset: 0,
                expected: "a KEMAC in clear (this one is encrypted: decrypt it with the PSK)",
                problem: MikeyProblem::BadValue(kemac.enc_alg.into()),
            });
        }
        master_key_from(&kemac.keys, suite)
    }
}

impl Message {
    /// The suite of crypto session `cs` (0-based index in the CS ID map): its policy's suite, or RFC 3830's
    /// default policy (AES_CM_128_HMAC_SHA1_80) when the message has no SP payload for it.
    pub fn suite_of(&self, cs: usize) -> Result<Suite, MikeyError> {
        let policy_no = self.srtp_map().get(cs).map_or(0, |e| e.policy);
        match self.policy(policy_no) {
            None => Ok(Suite::AesCm128HmacSha1_80),
            Some(p) => p.suite().ok_or(MikeyError {
                offset: 0,
                expected: "an SRTP policy of a suite rtspeek implements",
                problem: MikeyProblem::BadValue(u32::from(
                    p.param(sp::ENC_ALG).and_then(|v| v.last().copied()).unwrap_or(1),
                )),
            }),
        }
    }

    /// The receiving (or sending) context a MIKEY-NULL message sets up: the first crypto session's suite, the
    /// master key, every crypto session's SSRC and ROC, the policy's SRTP/SRTCP encryption switches, and the MKI
    /// when the key is bound to one (key validity SPI). Encrypted KEMACs need [`Message::decrypt_kemac`] and
    /// [`master_key_from`] instead.
    pub fn srtp_context(&self) -> Result<SrtpContext, MikeyError> {
        let suite = self.suite_of(0)?;
        let key = self.srtp_master_key(suite)?;
        let mut ctx = SrtpContext::new(suite, &key);
        if let Some(crate::mikey::KeyValidity::Spi(mki)) =
            self.kemac().and_then(|k| k.keys.first()).map(|k| &k.validity)
        {
            ctx = ctx.with_mki(mki);
        }
        if let Some(p) = self.policy(self.srtp_map().first().map_or(0, |e| e.policy)) {
            ctx.set_rtp_encryption(p.srtp_encryption());
            ctx.set_rtcp_encryption(p.srtcp_encryption());
        }
        for e in self.srtp_map() {
            ctx.set_roc(e.ssrc, e.roc).map_err(|_| MikeyError {
                offset: 0,
                expected: "at most 64 crypto sessions",
                problem: MikeyProblem::TooMany,
            })?;
        }
        Ok(ctx)
    }
}

/// The SRTP master key in `keys` (the first key data) for `suite`.
pub fn master_key_from(keys: &[KeyData], suite: Suite) -> Result<MasterKey, MikeyError> {
    let k = keys.first().ok_or(MikeyError {
        offset: 0,
        expected: "a key data sub-payload",
        problem: MikeyProblem::Missing,
    })?;
    let mut bytes = k.key.clone();
    if let Some(salt) = &k.salt {
        bytes.extend_from_slice(salt);
    }
    let got = bytes.len();
    MasterKey::from_concatenated(suite, &bytes).map_err(|_| MikeyError {
        offset: 0,
        expected: "key || salt of the suite's lengths",
        problem: MikeyProblem::KeyLength { got },
    })
}

/// Decodes MIKEY base64 text (whitespace and surrounding quotes ignored).
fn decode_base64(text: &str) -> Result<Vec<u8>, MikeyError> {
    let t = text.trim().trim_matches('"');
    B64.decode(t).map_err(|e| {
        let offset = match e {
            base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => at,
            _ => t.len(),
        };
        MikeyError { offset, expected: "base64 text", problem: MikeyProblem::NotBase64 }
    })
}
