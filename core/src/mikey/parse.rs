//! The MIKEY parser: nom's byte primitives under a cursor that knows its offset, so every error says at which
//! byte of the message it stopped and what it expected there.

use nom::IResult;
use nom::bytes::complete::take;
use nom::number::complete::{be_u8, be_u16, be_u32, be_u64};

use super::model::{
    CsIdMap, DataType, Header, Kemac, KeyData, KeyType, KeyValidity, Message, Payload, PolicyParam,
    SecurityPolicy, SrtpMapEntry, Timestamp, kemac_enc,
};
use super::{MAX_KEYS, MAX_PAYLOADS, MikeyError, MikeyProblem};

/// Payload type values (RFC 3830 6.1, table 6.1.c).
pub(crate) mod pt {
    pub(crate) const LAST: u8 = 0;
    pub(crate) const KEMAC: u8 = 1;
    pub(crate) const PKE: u8 = 2;
    pub(crate) const T: u8 = 5;
    pub(crate) const ID: u8 = 6;
    pub(crate) const CERT: u8 = 7;
    pub(crate) const CHASH: u8 = 8;
    pub(crate) const V: u8 = 9;
    pub(crate) const SP: u8 = 10;
    pub(crate) const RAND: u8 = 11;
    pub(crate) const ERR: u8 = 12;
    pub(crate) const KEY_DATA: u8 = 20;
    pub(crate) const GEN_EXT: u8 = 21;
}

/// A cursor over `all`, at `all.len() - rest.len()` plus `base` (for sub-payloads parsed from a copy).
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    len: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], base: usize) -> Self {
        Reader { rest: bytes, len: bytes.len(), base }
    }

    pub(crate) fn offset(&self) -> usize {
        self.base + self.len - self.rest.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn err(&self, expected: &'static str, problem: MikeyProblem) -> MikeyError {
        MikeyError { offset: self.offset(), expected, problem }
    }

    fn run<T>(
        &mut self,
        expected: &'static str,
        mut p: impl FnMut(&'a [u8]) -> IResult<&'a [u8], T>,
    ) -> Result<T, MikeyError> {
        match p(self.rest) {
            Ok((rest, v)) => {
                self.rest = rest;
                Ok(v)
            }
            Err(_) => Err(self.err(expected, MikeyProblem::Truncated { available: self.rest.len() })),
        }
    }

    pub(crate) fn u8(&mut self, expected: &'static str) -> Result<u8, MikeyError> {
        self.run(expected, be_u8)
    }

    pub(crate) fn u16(&mut self, expected: &'static str) -> Result<u16, MikeyError> {
        self.run(expected, be_u16)
    }

    pub(crate) fn u32(&mut self, expected: &'static str) -> Result<u32, MikeyError> {
        self.run(expected, be_u32)
    }

    fn u64(&mut self, expected: &'static str) -> Result<u64, MikeyError> {
        self.run(expected, be_u64)
    }

    pub(crate) fn take(&mut self, n: usize, expected: &'static str) -> Result<&'a [u8], MikeyError> {
        self.run(expected, take(n))
    }
}

fn parse_header(r: &mut Reader<'_>) -> Result<(Header, u8), MikeyError> {
    let at = r.offset();
    let version = r.u8("version")?;
    if version != 1 {
        return Err(MikeyError {
            offset: at,
            expected: "version 1",
            problem: MikeyProblem::BadValue(version.into()),
        });
    }
    let data_type = DataType::from_u8(r.u8("data type")?);
    let next = r.u8("next payload")?;
    let v_prf = r.u8("V flag and PRF")?;
    let csb_id = r.u32("CSB ID")?;
    let count = r.u8("#CS")?;
    let map_at = r.offset();
    let map_type = r.u8("CS ID map type")?;
    let cs_map = match map_type {
        0 => {
            let mut entries = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                let policy = r.u8("CS policy number")?;
                let ssrc = r.u32("CS SSRC")?;
                let roc = r.u32("CS ROC")?;
                entries.push(SrtpMapEntry { policy, ssrc, roc });
            }
            CsIdMap::Srtp(entries)
        }
        1 => CsIdMap::Empty { count },
        other => {
            return Err(MikeyError {
                offset: map_at,
                expected: "CS ID map type 0 (SRTP-ID) or 1 (empty)",
                problem: MikeyProblem::BadValue(other.into()),
            });
        }
    };
    let header = Header { version, data_type, verify: v_prf & 0x80 != 0, prf: v_prf & 0x7f, csb_id, cs_map };
    Ok((header, next))
}

/// Parses the key data sub-payload chain of a KEMAC (`bytes` at message offset `base`).
pub(crate) fn parse_key_data(bytes: &[u8], base: usize) -> Result<Vec<KeyData>, MikeyError> {
    let mut r = Reader::new(bytes, base);
    let mut keys = Vec::new();
    loop {
        if keys.len() == MAX_KEYS {
            return Err(r.err("at most 16 key data sub-payloads", MikeyProblem::TooMany));
        }
        let next = r.u8("key data next payload")?;
        let type_at = r.offset();
        let type_kv = r.u8("key type and KV")?;
        let key_type = KeyType::from_u8(type_kv >> 4);
        let len = r.u16("key data length")?;
        let key = r.take(usize::from(len), "key data")?.to_vec();
        let salt = if key_type.has_salt() {
            let len = r.u16("salt length")?;
            Some(r.take(usize::from(len), "salt data")?.to_vec())
        } else {
            None
        };
        let validity = match type_kv & 0x0f {
            0 => KeyValidity::Null,
            1 => {
                let len = r.u8("SPI length")?;
                KeyValidity::Spi(r.take(usize::from(len), "SPI")?.to_vec())
            }
            2 => {
                let len = r.u8("valid-from length")?;
                let from = r.take(usize::from(len), "valid-from")?.to_vec();
                let len = r.u8("valid-to length")?;
                let to = r.take(usize::from(len), "valid-to")?.to_vec();
                KeyValidity::Interval { from, to }
            }
            kv => {
                return Err(MikeyError {
                    offset: type_at,
                    expected: "KV 0 (null), 1 (SPI) or 2 (interval)",
                    problem: MikeyProblem::BadValue(kv.into()),
                });
            }
        };
        keys.push(KeyData { key_type, key, salt, validity });
        match next {
            pt::LAST if r.is_empty() => return Ok(keys),
            pt::LAST => return Err(r.err("end of the KEMAC's key data", MikeyProblem::TrailingBytes)),
            pt::KEY_DATA => {}
            other => {
                return Err(MikeyError {
                    offset: base,
                    expected: "key data sub-payload (20) or last (0)",
                    problem: MikeyProblem::BadValue(other.into()),
                });
            }
        }
    }
}

fn parse_payload(r: &mut Reader<'_>, kind: u8) -> Result<(Payload, u8), MikeyError> {
    let start = r.offset();
    let next = r.u8("next payload")?;
    let payload = match kind {
        pt::T => {
            let at = r.offset();
            match r.u8("TS type")? {
                0 => Payload::Timestamp(Timestamp::NtpUtc(r.u64("NTP-UTC timestamp")?)),
                1 => Payload::Timestamp(Timestamp::Ntp(r.u64("NTP timestamp")?)),
                2 => Payload::Timestamp(Timestamp::Counter(r.u32("counter timestamp")?)),
                t => {
                    return Err(MikeyError {
                        offset: at,
                        expected: "TS type 0, 1 or 2",
                        problem: MikeyProblem::BadValue(t.into()),
                    });
                }
            }
        }
        pt::RAND => {
            let len = r.u8("RAND length")?;
            Payload::Rand(r.take(usize::from(len), "RAND")?.to_vec())
        }
        pt::SP => {
            let policy_no = r.u8("policy number")?;
            let protocol = r.u8("protocol type")?;
            let len = r.u16("policy parameters length")?;
            let body_at = r.offset();
            let body = r.take(usize::from(len), "policy parameters")?;
            let mut p = Reader::new(body, body_at);
            let mut params = Vec::new();
            while !p.is_empty() {
                let kind = p.u8("policy parameter type")?;
                let len = p.u8("policy parameter length")?;
                params.push(PolicyParam {
                    kind,
                    value: p.take(usize::from(len), "policy parameter value")?.to_vec(),
                });
            }
            Payload::SecurityPolicy(SecurityPolicy { policy_no, protocol, params })
        }
        pt::KEMAC => {
            let enc_alg = r.u8("KEMAC encryption algorithm")?;
            let len = r.u16("KEMAC encrypted data length")?;
            let data_at = r.offset();
            let encr_data = r.take(usize::from(len), "KEMAC encrypted data")?.to_vec();
            let mac_at = r.offset();
            let mac_alg = r.u8("KEMAC MAC algorithm")?;
            let mac = match mac_alg {
                0 => Vec::new(),
                1 => r.take(20, "HMAC-SHA1-160 MAC")?.to_vec(),
                m => {
                    return Err(MikeyError {
                        offset: mac_at,
                        expected: "MAC algorithm 0 (NULL) or 1 (HMAC-SHA1-160)",
                        problem: MikeyProblem::BadValue(m.into()),
                    });
                }
            };
            let keys =
                if enc_alg == kemac_enc::NULL { parse_key_data(&encr_data, data_at)? } else { Vec::new() };
            Payload::Kemac(Kemac { enc_alg, keys, encr_data, mac_alg, mac })
        }
        pt::ID | pt::CERT | pt::GEN_EXT => {
            let t = r.u8("type")?;
            let len = r.u16("length")?;
            let data = r.take(usize::from(len), "payload data")?;
            let mut body = vec![t];
            body.extend_from_slice(&len.to_be_bytes());
            body.extend_from_slice(data);
            Payload::Other { payload_type: kind, body }
        }
        pt::PKE => {
            let c_len = r.u16("cache type and data length")?;
            let data = r.take(usize::from(c_len & 0x3fff), "envelope data")?;
            let mut body = c_len.to_be_bytes().to_vec();
            body.extend_from_slice(data);
            Payload::Other { payload_type: kind, body }
        }
        pt::CHASH | pt::V => {
            let alg = r.u8("hash/MAC algorithm")?;
            let n = match (kind, alg) {
                (pt::CHASH, 0) | (pt::V, 1) => 20,
                (pt::CHASH, 1) => 16,
                (pt::V, 0) => 0,
                (_, a) => {
                    return Err(r.err("hash/MAC algorithm", MikeyProblem::BadValue(a.into())));
                }
            };
            let mut body = vec![alg];
            body.extend_from_slice(r.take(n, "hash/MAC value")?);
            Payload::Other { payload_type: kind, body }
        }
        pt::ERR => {
            let no = r.u8("error number")?;
            let reserved = r.u16("reserved")?;
            let mut body = vec![no];
            body.extend_from_slice(&reserved.to_be_bytes());
            Payload::Other { payload_type: kind, body }
        }
        other => {
            return Err(MikeyError {
                offset: start,
                expected: "a payload this parser knows (T, RAND, SP, KEMAC, ID, CERT, CHASH, V, PKE, ERR, GEN_EXT)",
                problem: MikeyProblem::UnsupportedPayload(other),
            });
        }
    };
    Ok((payload, next))
}

/// Parses a MIKEY message from its bytes.
pub(crate) fn parse_message(bytes: &[u8]) -> Result<Message, MikeyError> {
    let mut r = Reader::new(bytes, 0);
    let (header, mut next) = parse_header(&mut r)?;
    let mut payloads = Vec::new();
    while next != pt::LAST {
        if payloads.len() == MAX_PAYLOADS {
            return Err(r.err("at most 32 payloads", MikeyProblem::TooMany));
        }
        let (p, n) = parse_payload(&mut r, next)?;
        payloads.push(p);
        next = n;
    }
    if !r.is_empty() {
        return Err(r.err("end of message after the last payload", MikeyProblem::TrailingBytes));
    }
    Ok(Message { header, payloads })
}
