//! SDES keys: the SDP `a=crypto` attribute of RFC 4568 (with RFC 7714's AEAD suite names), parsed and written.
//!
//! ```text
//! a=crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<MKI value>:<MKI length>][;inline:...] [<session params>]
//! a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4
//! ```
//!
//! The key travels in the SDP: over plain RTSP anyone on the path reads it. Errors name the field and the
//! column (byte offset in the attribute value) where parsing stopped.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::{MasterKey, SrtpContext, SrtpError, Suite};

/// Standard base64; padding optional on input (some cameras drop it), written on output.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// At most this many `inline:` keys in one attribute.
const MAX_KEYS: usize = 16;
/// RFC 4568: an MKI is 1 to 128 bytes long.
const MAX_MKI_LEN: u8 = 128;

/// The suite named by an `a=crypto` line: one this crate implements, or another (reported as unsupported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoSuite {
    /// A suite [`SrtpContext`] implements.
    Known(Suite),
    /// Any other name (`AES_256_CM_HMAC_SHA1_80`, `F8_128_HMAC_SHA1_80`...), kept as written.
    Other(String),
}

/// A master key index (RFC 4568 6.1): its value and its length in bytes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mki {
    /// The value.
    pub value: u64,
    /// Its length in bytes (1..=128).
    pub len: u8,
}

impl Mki {
    /// The MKI as it appears in packets: `value` big-endian in `len` bytes.
    pub fn to_bytes(self) -> Vec<u8> {
        let be = self.value.to_be_bytes();
        let n = usize::from(self.len);
        let mut out = vec![0u8; n.saturating_sub(8)];
        out.extend(be.iter().skip(8usize.saturating_sub(n)));
        out
    }
}

/// One `inline:` key parameter. `Debug` never prints the key.
#[derive(Clone, PartialEq, Eq)]
pub struct InlineKey {
    /// Master key || master salt, decoded.
    pub key_salt: Vec<u8>,
    /// Lifetime in packets (`2^20` or `1048576`), if given.
    pub lifetime: Option<u64>,
    /// The MKI, if given.
    pub mki: Option<Mki>,
}

impl std::fmt::Debug for InlineKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineKey")
            .field("key_salt", &format_args!("<{} bytes redacted>", self.key_salt.len()))
            .field("lifetime", &self.lifetime)
            .field("mki", &self.mki)
            .finish()
    }
}

impl InlineKey {
    /// The master key for `suite` (lengths checked).
    pub fn master_key(&self, suite: Suite) -> Result<MasterKey, SrtpError> {
        MasterKey::from_concatenated(suite, &self.key_salt)
    }
}

/// A parsed `a=crypto` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoAttribute {
    /// The tag (1 to 9 digits) that the answer echoes.
    pub tag: u32,
    /// The crypto suite.
    pub suite: CryptoSuite,
    /// The key parameters (at least one).
    pub keys: Vec<InlineKey>,
    /// Session parameters (`KDR=1`, `UNENCRYPTED_SRTCP`, `WSH=64`...), kept as written; not interpreted here.
    pub session_params: Vec<String>,
}

/// Why an `a=crypto` value is malformed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a=crypto: bad {field} at column {column}: {reason}")]
pub struct SdesError {
    /// The field (`tag`, `crypto-suite`, `key-method`, `key||salt`, `lifetime`, `MKI`...).
    pub field: &'static str,
    /// Byte offset in the attribute value (after `a=crypto:`).
    pub column: usize,
    /// What was wrong.
    pub reason: String,
}

fn err(field: &'static str, column: usize, reason: impl Into<String>) -> SdesError {
    SdesError { field, column, reason: reason.into() }
}

/// Splits `s` at the first space; returns (token, offset of the rest).
fn token(s: &str, from: usize) -> (&str, usize) {
    let rest = s.get(from..).unwrap_or_default();
    match rest.find(' ') {
        Some(i) => (rest.get(..i).unwrap_or_default(), from + i + 1),
        None => (rest, s.len()),
    }
}

fn parse_lifetime(s: &str, column: usize) -> Result<u64, SdesError> {
    let bad = || err("lifetime", column, format!("`{s}` is neither 2^N nor a decimal count"));
    if let Some(exp) = s.strip_prefix("2^") {
        let e: u32 = exp.parse().map_err(|_| bad())?;
        if e > 63 {
            return Err(err("lifetime", column, format!("2^{e} overflows 64 bits")));
        }
        Ok(1u64 << e)
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().map_err(|_| bad())
    } else {
        Err(bad())
    }
}

fn parse_mki(s: &str, column: usize) -> Result<Mki, SdesError> {
    let (v, l) = s.split_once(':').ok_or_else(|| err("MKI", column, format!("`{s}` is not value:length")))?;
    let value: u64 =
        v.parse().map_err(|_| err("MKI", column, format!("value `{v}` is not a decimal number")))?;
    let len: u8 =
        l.parse().map_err(|_| err("MKI", column + v.len() + 1, format!("length `{l}` is not 1..128")))?;
    if len == 0 || len > MAX_MKI_LEN {
        return Err(err("MKI", column + v.len() + 1, format!("length {len} is not 1..128")));
    }
    if len < 8 && value >> (8 * u32::from(len)) != 0 {
        return Err(err("MKI", column, format!("value {value} does not fit in {len} bytes")));
    }
    Ok(Mki { value, len })
}

fn parse_key_param(s: &str, column: usize, suite: &CryptoSuite) -> Result<InlineKey, SdesError> {
    let Some((method, info)) = s.split_once(':') else {
        return Err(err("key-method", column, format!("`{s}` has no `method:`")));
    };
    if !method.eq_ignore_ascii_case("inline") {
        return Err(err("key-method", column, format!("`{method}` (only `inline` is defined)")));
    }
    let mut at = column + method.len() + 1;
    let mut parts = info.split('|');
    let b64 = parts.next().unwrap_or_default();
    let key_salt = B64.decode(b64).map_err(|e| err("key||salt", at, format!("not base64: {e}")))?;
    if let CryptoSuite::Known(suite) = suite {
        let need = suite.key_len() + suite.salt_len();
        if key_salt.len() != need {
            return Err(err("key||salt", at, format!("{} bytes, {suite} needs {need}", key_salt.len())));
        }
    }
    at += b64.len() + 1;
    let (mut lifetime, mut mki) = (None, None);
    for p in parts {
        // A lifetime has no ':'; an MKI always does (RFC 4568 9.2 grammar).
        if p.contains(':') {
            if mki.is_some() {
                return Err(err("MKI", at, "given twice"));
            }
            mki = Some(parse_mki(p, at)?);
        } else {
            if lifetime.is_some() || mki.is_some() {
                return Err(err("lifetime", at, "given twice or after the MKI"));
            }
            lifetime = Some(parse_lifetime(p, at)?);
        }
        at += p.len() + 1;
    }
    Ok(InlineKey { key_salt, lifetime, mki })
}

impl CryptoAttribute {
    /// Parses an attribute value (`1 AES_CM_128_HMAC_SHA1_80 inline:...`); a leading `a=crypto:` or `crypto:`
    /// is accepted and skipped (columns then count from after it).
    pub fn parse(value: &str) -> Result<CryptoAttribute, SdesError> {
        let value = value.trim_end_matches(['\r', '\n']);
        let value = value.strip_prefix("a=").unwrap_or(value);
        let value = value.strip_prefix("crypto:").unwrap_or(value);
        let (tag_s, at) = token(value, 0);
        if tag_s.is_empty() || tag_s.len() > 9 || !tag_s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("tag", 0, format!("`{tag_s}` is not 1 to 9 digits")));
        }
        let tag: u32 = tag_s.parse().map_err(|_| err("tag", 0, "not a number"))?;
        let (suite_s, key_at) = token(value, at);
        if suite_s.is_empty() {
            return Err(err("crypto-suite", at, "missing"));
        }
        let suite = Suite::from_sdes_name(suite_s)
            .map_or_else(|| CryptoSuite::Other(suite_s.to_string()), CryptoSuite::Known);
        let (keys_s, params_at) = token(value, key_at);
        if keys_s.is_empty() {
            return Err(err("key-params", key_at, "missing"));
        }
        let mut keys = Vec::new();
        let mut col = key_at;
        for kp in keys_s.split(';') {
            if keys.len() == MAX_KEYS {
                return Err(err("key-params", col, format!("more than {MAX_KEYS} keys")));
            }
            keys.push(parse_key_param(kp, col, &suite)?);
            col += kp.len() + 1;
        }
        let session_params = value
            .get(params_at..)
            .unwrap_or_default()
            .split(' ')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        Ok(CryptoAttribute { tag, suite, keys, session_params })
    }

    /// An attribute offering `key` for `suite` with `tag`, no lifetime, no MKI, no session parameters.
    pub fn new(tag: u32, suite: Suite, key: &MasterKey) -> CryptoAttribute {
        CryptoAttribute {
            tag,
            suite: CryptoSuite::Known(suite),
            keys: vec![InlineKey { key_salt: key.to_concatenated(), lifetime: None, mki: None }],
            session_params: Vec::new(),
        }
    }

    /// The context this attribute sets up, from its first key: suite, master key, lifetime, MKI, and the
    /// session parameters `UNENCRYPTED_SRTP` and `UNENCRYPTED_SRTCP` applied (`UNENCRYPTED_SRTCP` only changes
    /// what a sender does: a receiver follows each packet's E flag). An unsupported suite, a key derivation
    /// rate other than 0 (`KDR=`) and `UNAUTHENTICATED_SRTP` are refused.
    pub fn context(&self) -> Result<SrtpContext, SdesError> {
        let suite_at = self.tag.to_string().len() + 1;
        let CryptoSuite::Known(suite) = self.suite else {
            return Err(err("crypto-suite", suite_at, "not a suite rtspeek implements"));
        };
        let params_at = suite_at + suite.sdes_name().len() + 1;
        let key = self.keys.first().ok_or_else(|| err("key-params", params_at, "no key"))?;
        let master = key.master_key(suite).map_err(|e| err("key||salt", params_at, e.to_string()))?;
        let mut ctx = SrtpContext::new(suite, &master);
        if let Some(l) = key.lifetime {
            ctx = ctx.with_key_lifetime(l);
        }
        if let Some(m) = key.mki {
            ctx = ctx.with_mki(&m.to_bytes());
        }
        for p in &self.session_params {
            match p.as_str() {
                "UNENCRYPTED_SRTP" => ctx.set_rtp_encryption(false),
                "UNENCRYPTED_SRTCP" => ctx.set_rtcp_encryption(false),
                "UNAUTHENTICATED_SRTP" => {
                    return Err(err("session-params", params_at, "UNAUTHENTICATED_SRTP is not supported"));
                }
                kdr if kdr.starts_with("KDR=") && kdr != "KDR=0" => {
                    return Err(err("session-params", params_at, format!("{kdr}: only KDR=0 is supported")));
                }
                _ => {}
            }
        }
        Ok(ctx)
    }

    /// The attribute value as written after `a=crypto:`.
    pub fn to_value(&self) -> String {
        let suite = match &self.suite {
            CryptoSuite::Known(s) => s.sdes_name(),
            CryptoSuite::Other(s) => s.as_str(),
        };
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| {
                let mut s =
                    format!("inline:{}", base64::engine::general_purpose::STANDARD.encode(&k.key_salt));
                if let Some(l) = k.lifetime {
                    if l.is_power_of_two() {
                        s.push_str(&format!("|2^{}", l.trailing_zeros()));
                    } else {
                        s.push_str(&format!("|{l}"));
                    }
                }
                if let Some(m) = k.mki {
                    s.push_str(&format!("|{}:{}", m.value, m.len));
                }
                s
            })
            .collect();
        let mut out = format!("{} {} {}", self.tag, suite, keys.join(";"));
        for p in &self.session_params {
            out.push(' ');
            out.push_str(p);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn mki_bytes_are_big_endian_in_their_length() {
        assert_eq!(Mki { value: 1, len: 4 }.to_bytes(), vec![0, 0, 0, 1]);
        assert_eq!(Mki { value: 0x0102, len: 10 }.to_bytes(), vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(Mki { value: 7, len: 1 }.to_bytes(), vec![7]);
    }
}
