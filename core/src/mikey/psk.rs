//! The pre-shared-key mode (RFC 3830 4.1 and 4.2.3): the MIKEY-1 PRF, the keys it derives from the PSK, and
//! AES-CM decryption / HMAC-SHA1 verification of a KEMAC.

use aes::Aes128;
use aes::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::model::{Kemac, KeyData, Message, Payload, Timestamp, kemac_enc};
use super::parse::parse_key_data;
use super::write::{encode_key_data, write_message};
use super::{MikeyError, MikeyProblem};

type HmacSha1 = Hmac<Sha1>;

/// RFC 3830 4.1.4: constants of the keys derived from the PSK.
const ENCR_CONSTANT: u32 = 0x1505_33E1;
const AUTH_CONSTANT: u32 = 0x2D22_AC75;
const SALT_CONSTANT: u32 = 0x29B8_8916;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 20] {
    let mut m = <HmacSha1 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <HmacSha1 as Mac>::new(&Default::default()));
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// The MIKEY-1 PRF (RFC 3830 4.1.2): `inkey` cut into 256-bit pieces, P_SHA1 of each with `label`, XORed,
/// truncated to `out_len` bytes.
pub fn prf(inkey: &[u8], label: &[u8], out_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_len];
    for s in inkey.chunks(32) {
        let mut a = hmac(s, &[label]);
        let mut at = 0;
        while at < out_len {
            let block = hmac(s, &[&a, label]);
            for (o, b) in out.iter_mut().skip(at).zip(block) {
                *o ^= b;
            }
            at += 20;
            a = hmac(s, &[&a]);
        }
    }
    out
}

/// The label of RFC 3830 4.1.4: constant || 0xFF || CSB ID || RAND.
fn label(constant: u32, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut l = constant.to_be_bytes().to_vec();
    l.push(0xff);
    l.extend_from_slice(&csb_id.to_be_bytes());
    l.extend_from_slice(rand);
    l
}

/// The keystream IV of RFC 3830 4.2.3: (salt XOR (0x0000 || CSB ID || T)) || 0x0000.
fn iv(salt: &[u8], csb_id: u32, t: &[u8]) -> [u8; 16] {
    let mut iv = [0u8; 16];
    for (d, s) in iv.iter_mut().zip(salt.iter().take(14)) {
        *d = *s;
    }
    let mut x = [0u8; 14];
    for (d, s) in x.iter_mut().skip(2).zip(csb_id.to_be_bytes().iter().chain(t)) {
        *d = *s;
    }
    for (d, s) in iv.iter_mut().zip(x) {
        *d ^= s;
    }
    iv
}

struct PskKeys {
    encr: Vec<u8>,
    auth: Vec<u8>,
    salt: Vec<u8>,
    t: Vec<u8>,
}

fn psk_keys(m: &Message, psk: &[u8]) -> Result<PskKeys, MikeyError> {
    let no_input = |what| MikeyError { offset: 0, expected: what, problem: MikeyProblem::Missing };
    let rand = m.rand().ok_or(no_input("a RAND payload (the PSK key derivation needs it)"))?;
    let t = match m.timestamp().ok_or(no_input("a T payload (the KEMAC IV needs it)"))? {
        Timestamp::NtpUtc(v) | Timestamp::Ntp(v) => v.to_be_bytes().to_vec(),
        // A 32-bit counter fills the low half of the 64-bit T field.
        Timestamp::Counter(c) => u64::from(c).to_be_bytes().to_vec(),
    };
    let csb = m.header.csb_id;
    Ok(PskKeys {
        encr: prf(psk, &label(ENCR_CONSTANT, csb, rand), 16),
        auth: prf(psk, &label(AUTH_CONSTANT, csb, rand), 20),
        salt: prf(psk, &label(SALT_CONSTANT, csb, rand), 14),
        t,
    })
}

fn ctr(keys: &PskKeys, csb_id: u32, data: &mut [u8]) {
    if let Ok(mut c) = ctr::Ctr128BE::<Aes128>::new_from_slices(&keys.encr, &iv(&keys.salt, csb_id, &keys.t))
    {
        c.apply_keystream(data);
    }
}

/// Bytes covered by the KEMAC MAC: the whole message up to (and including) the MAC algorithm byte.
fn mac_input(raw: &[u8], mac_len: usize) -> Option<&[u8]> {
    raw.get(..raw.len().checked_sub(mac_len)?)
}

impl Message {
    /// The key data of a pre-shared-key message (KEMAC encrypted with AES-CM-128), decrypted with `psk`
    /// after verifying the HMAC-SHA1 MAC over `raw` (the message bytes exactly as received; the KEMAC must
    /// be the last payload, as RFC 3830 requires). A NULL-encrypted KEMAC returns its keys as they are.
    pub fn decrypt_kemac(&self, raw: &[u8], psk: &[u8]) -> Result<Vec<KeyData>, MikeyError> {
        let kemac = self.kemac().ok_or(MikeyError {
            offset: 0,
            expected: "a KEMAC payload",
            problem: MikeyProblem::Missing,
        })?;
        if kemac.enc_alg == kemac_enc::NULL {
            return Ok(kemac.keys.clone());
        }
        if kemac.enc_alg != kemac_enc::AES_CM_128 {
            return Err(MikeyError {
                offset: 0,
                expected: "KEMAC encryption NULL or AES-CM-128",
                problem: MikeyProblem::BadValue(kemac.enc_alg.into()),
            });
        }
        let keys = psk_keys(self, psk)?;
        if kemac.mac_alg == 1 {
            let input = mac_input(raw, kemac.mac.len()).unwrap_or_default();
            let mut m = <HmacSha1 as Mac>::new_from_slice(&keys.auth)
                .unwrap_or_else(|_| <HmacSha1 as Mac>::new(&Default::default()));
            m.update(input);
            if m.verify_slice(&kemac.mac).is_err() {
                return Err(MikeyError {
                    offset: raw.len().saturating_sub(kemac.mac.len()),
                    expected: "a KEMAC MAC made with this pre-shared key",
                    problem: MikeyProblem::MacMismatch,
                });
            }
        }
        let mut data = kemac.encr_data.clone();
        ctr(&keys, self.header.csb_id, &mut data);
        let data_at = raw.len().saturating_sub(kemac.mac.len() + 1 + data.len());
        parse_key_data(&data, data_at)
    }

    /// Sending side of the PSK mode: encrypts `keys` into the KEMAC (AES-CM-128, HMAC-SHA1-160 MAC) under
    /// `psk` and returns the message bytes. The message needs T and RAND payloads and ends with the KEMAC.
    pub fn protect_with_psk(&mut self, keys: Vec<KeyData>, psk: &[u8]) -> Result<Vec<u8>, MikeyError> {
        let derived = psk_keys(self, psk)?;
        let mut data = encode_key_data(&keys);
        ctr(&derived, self.header.csb_id, &mut data);
        let kemac = Kemac {
            enc_alg: kemac_enc::AES_CM_128,
            keys: Vec::new(),
            encr_data: data,
            mac_alg: 1,
            mac: Vec::new(),
        };
        self.payloads.retain(|p| !matches!(p, Payload::Kemac(_)));
        self.payloads.push(Payload::Kemac(kemac));
        let unsigned = write_message(self);
        let mac = hmac(&derived.auth, &[&unsigned]);
        if let Some(Payload::Kemac(k)) = self.payloads.last_mut() {
            k.mac = mac.to_vec();
        }
        Ok(write_message(self))
    }
}
