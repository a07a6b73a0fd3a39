//! The MIKEY writer: any [`Message`] back to bytes (parsed messages round-trip byte for byte), and the
//! MIKEY-NULL offer a server sends.

use super::model::{
    CsIdMap, Header, Kemac, KeyData, KeyValidity, Message, Payload, SecurityPolicy, SrtpMapEntry, Timestamp,
};
use super::parse::pt;

fn payload_type(p: &Payload) -> u8 {
    match p {
        Payload::Timestamp(_) => pt::T,
        Payload::Rand(_) => pt::RAND,
        Payload::SecurityPolicy(_) => pt::SP,
        Payload::Kemac(_) => pt::KEMAC,
        Payload::Other { payload_type, .. } => *payload_type,
    }
}

/// Lengths are written as the wire's 8 or 16 bits; the model's builders never exceed them.
fn len8(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

fn len16(n: usize) -> [u8; 2] {
    u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes()
}

fn write_header(h: &Header, next: u8, out: &mut Vec<u8>) {
    out.push(h.version);
    out.push(h.data_type.to_u8());
    out.push(next);
    out.push((u8::from(h.verify) << 7) | (h.prf & 0x7f));
    out.extend_from_slice(&h.csb_id.to_be_bytes());
    match &h.cs_map {
        CsIdMap::Srtp(entries) => {
            out.push(len8(entries.len()));
            out.push(0);
            for e in entries {
                out.push(e.policy);
                out.extend_from_slice(&e.ssrc.to_be_bytes());
                out.extend_from_slice(&e.roc.to_be_bytes());
            }
        }
        CsIdMap::Empty { count } => {
            out.push(*count);
            out.push(1);
        }
    }
}

/// Encodes key data sub-payloads (the KEMAC's "Encr data" before any encryption).
pub(crate) fn encode_key_data(keys: &[KeyData]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        out.push(if i + 1 < keys.len() { pt::KEY_DATA } else { pt::LAST });
        let kv = match &k.validity {
            KeyValidity::Null => 0,
            KeyValidity::Spi(_) => 1,
            KeyValidity::Interval { .. } => 2,
        };
        out.push((k.key_type.to_u8() << 4) | kv);
        out.extend_from_slice(&len16(k.key.len()));
        out.extend_from_slice(&k.key);
        if k.key_type.has_salt() {
            let salt = k.salt.as_deref().unwrap_or_default();
            out.extend_from_slice(&len16(salt.len()));
            out.extend_from_slice(salt);
        }
        match &k.validity {
            KeyValidity::Null => {}
            KeyValidity::Spi(spi) => {
                out.push(len8(spi.len()));
                out.extend_from_slice(spi);
            }
            KeyValidity::Interval { from, to } => {
                out.push(len8(from.len()));
                out.extend_from_slice(from);
                out.push(len8(to.len()));
                out.extend_from_slice(to);
            }
        }
    }
    out
}

fn write_payload(p: &Payload, next: u8, out: &mut Vec<u8>) {
    out.push(next);
    match p {
        Payload::Timestamp(Timestamp::NtpUtc(t)) => {
            out.push(0);
            out.extend_from_slice(&t.to_be_bytes());
        }
        Payload::Timestamp(Timestamp::Ntp(t)) => {
            out.push(1);
            out.extend_from_slice(&t.to_be_bytes());
        }
        Payload::Timestamp(Timestamp::Counter(c)) => {
            out.push(2);
            out.extend_from_slice(&c.to_be_bytes());
        }
        Payload::Rand(r) => {
            out.push(len8(r.len()));
            out.extend_from_slice(r);
        }
        Payload::SecurityPolicy(sp) => {
            out.push(sp.policy_no);
            out.push(sp.protocol);
            let len: usize = sp.params.iter().map(|p| 2 + p.value.len()).sum();
            out.extend_from_slice(&len16(len));
            for p in &sp.params {
                out.push(p.kind);
                out.push(len8(p.value.len()));
                out.extend_from_slice(&p.value);
            }
        }
        Payload::Kemac(k) => {
            out.push(k.enc_alg);
            out.extend_from_slice(&len16(k.encr_data.len()));
            out.extend_from_slice(&k.encr_data);
            out.push(k.mac_alg);
            out.extend_from_slice(&k.mac);
        }
        Payload::Other { body, .. } => out.extend_from_slice(body),
    }
}

/// Serializes a message.
pub(crate) fn write_message(m: &Message) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let types: Vec<u8> = m.payloads.iter().map(payload_type).collect();
    write_header(&m.header, types.first().copied().unwrap_or(pt::LAST), &mut out);
    for (i, p) in m.payloads.iter().enumerate() {
        write_payload(p, types.get(i + 1).copied().unwrap_or(pt::LAST), &mut out);
    }
    out
}

impl Kemac {
    /// A KEMAC carrying `keys` in clear (MIKEY-NULL: encryption NULL, MAC NULL).
    pub fn null(keys: Vec<KeyData>) -> Kemac {
        Kemac {
            enc_alg: super::model::kemac_enc::NULL,
            encr_data: encode_key_data(&keys),
            keys,
            mac_alg: 0,
            mac: Vec::new(),
        }
    }
}

/// What a server puts in its MIKEY-NULL offer (`a=key-mgmt:mikey` / `KeyMgmt` header). Core has no clock and
/// no randomness: the driver supplies the NTP time, the RAND bytes and the CSB ID.
#[derive(Clone)]
pub struct NullOffer<'a> {
    /// Crypto session bundle ID (random).
    pub csb_id: u32,
    /// The streams it keys: SSRC and starting ROC, all under policy 0.
    pub streams: &'a [(u32, u32)],
    /// NTP-UTC time of the offer (the T payload).
    pub ntp_time: u64,
    /// 16 random bytes (RFC 3830 asks for at least 128 bits).
    pub rand: [u8; 16],
    /// The SRTP suite.
    pub suite: crate::srtp::Suite,
    /// The master key and salt (sent as one TEK, key || salt, as GStreamer does).
    pub key: &'a crate::srtp::MasterKey,
    /// Whether SRTCP is encrypted.
    pub srtcp_encryption: bool,
    /// The SRTP MKI the key is bound to (key validity SPI), if any.
    pub mki: Option<&'a [u8]>,
}

impl std::fmt::Debug for NullOffer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NullOffer")
            .field("csb_id", &self.csb_id)
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl NullOffer<'_> {
    /// The message: HDR (PSK init, SRTP-ID map), T, RAND, SP, KEMAC (NULL, one TEK of key || salt).
    pub fn message(&self) -> Message {
        let header = Header {
            version: 1,
            data_type: super::model::DataType::PskInit,
            verify: false,
            prf: 0,
            csb_id: self.csb_id,
            cs_map: CsIdMap::Srtp(
                self.streams.iter().map(|&(ssrc, roc)| SrtpMapEntry { policy: 0, ssrc, roc }).collect(),
            ),
        };
        let key = KeyData {
            key_type: super::model::KeyType::Tek,
            key: self.key.to_concatenated(),
            salt: None,
            validity: self.mki.map_or(KeyValidity::Null, |m| KeyValidity::Spi(m.to_vec())),
        };
        Message {
            header,
            payloads: vec![
                Payload::Timestamp(Timestamp::NtpUtc(self.ntp_time)),
                Payload::Rand(self.rand.to_vec()),
                Payload::SecurityPolicy(SecurityPolicy::for_suite(0, self.suite, self.srtcp_encryption)),
                Payload::Kemac(Kemac::null(vec![key])),
            ],
        }
    }
}
