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

/// The label of RFC 3830 4.1.3/4.1.4: constant || CS ID (0xFF for the keys that protect the message itself)
/// || CSB ID || RAND.
fn label_for(constant: u32, cs_id: u8, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut l = constant.to_be_bytes().to_vec();
    l.push(cs_id);
    l.extend_from_slice(&csb_id.to_be_bytes());
    l.extend_from_slice(rand);
    l
}

fn label(constant: u32, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    label_for(constant, 0xff, csb_id, rand)
}

/// RFC 3830 4.1.3: constants of the TEK and its salt derived from a TGK.
const TEK_CONSTANT: u32 = 0x2AD0_1C64;
const TEK_SALT_CONSTANT: u32 = 0x39A2_C14B;

/// The SRTP master key (`key_len` bytes) and salt (`salt_len` bytes) of crypto session `cs_id` derived from
/// a TGK as RFC 3830 4.1.3 defines (PRF with the CSB ID and RAND). Peers that follow the RFC strictly send
/// a TGK and expect this; GStreamer and live555 send the master key itself (see
/// [`Message::srtp_master_key`]).
pub fn tek_from_tgk(
    tgk: &[u8],
    cs_id: u8,
    csb_id: u32,
    rand: &[u8],
    key_len: usize,
    salt_len: usize,
) -> (Vec<u8>, Vec<u8>) {
    (
        prf(tgk, &label_for(TEK_CONSTANT, cs_id, csb_id, rand), key_len),
        prf(tgk, &label_for(TEK_SALT_CONSTANT, cs_id, csb_id, rand), salt_len),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// RFC 3830 4.1.2 written out for one 256-bit piece: A_1 = HMAC(s, label), out = HMAC(s, A_1 || label) ||
    /// HMAC(s, A_2 || label)...; a longer key XORs the outputs of its pieces.
    #[test]
    fn prf_is_the_rfc_construction() {
        let label = b"label";
        let a1 = hmac(&[7; 20], &[label]);
        let a2 = hmac(&[7; 20], &[&a1]);
        let mut expected = hmac(&[7; 20], &[&a1, label]).to_vec();
        expected.extend_from_slice(&hmac(&[7; 20], &[&a2, label]));
        assert_eq!(prf(&[7; 20], label, 40), expected);
        assert_eq!(prf(&[7; 20], label, 14), expected[..14].to_vec());

        let long: Vec<u8> = (0..40).collect();
        let xored: Vec<u8> =
            prf(&long[..32], label, 20).iter().zip(prf(&long[32..], label, 20)).map(|(a, b)| a ^ b).collect();
        assert_eq!(prf(&long, label, 20), xored);
    }

    #[test]
    fn labels_and_tek_derivation() {
        assert_eq!(label(AUTH_CONSTANT, 1, &[0x33]), vec![0x2d, 0x22, 0xac, 0x75, 0xff, 0, 0, 0, 1, 0x33]);
        let (k1, s1) = tek_from_tgk(&[9; 30], 1, 5, &[1; 16], 16, 14);
        let (k2, _) = tek_from_tgk(&[9; 30], 2, 5, &[1; 16], 16, 14);
        assert_eq!((k1.len(), s1.len()), (16, 14));
        assert_ne!(k1, k2, "the crypto session ID is bound in");
        assert_eq!(k1, prf(&[9; 30], &label_for(TEK_CONSTANT, 1, 5, &[1; 16]), 16));
    }

    #[test]
    fn kemac_iv_layout() {
        let iv = iv(&[0; 14], 0x0102_0304, &[5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(iv, [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0]);
    }
}
