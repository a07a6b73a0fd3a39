//! The cipher and authentication transforms of one direction (SRTP or SRTCP) under one set of session keys:
//! AES-128 counter mode with HMAC-SHA1 (RFC 3711 4.1.1, 4.2.1), or AES-GCM (RFC 7714).

use aes::Aes128;
use aes::cipher::{InnerIvInit, KeyInit, StreamCipher};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{SessionKeys, Suite};

type HmacSha1 = Hmac<Sha1>;
type Aes128Ctr = ctr::Ctr128BE<Aes128>;

/// One direction's keyed transform. Keys are expanded once here, never per packet.
#[derive(Clone)]
#[expect(clippy::large_enum_variant, reason = "two per context, read on every packet: no indirection wanted")]
pub(crate) enum Transform {
    AesCm { aes: Aes128, salt: [u8; 14], mac: HmacSha1, tag_len: usize },
    Gcm128 { aead: Box<Aes128Gcm>, salt: [u8; 12] },
    Gcm256 { aead: Box<Aes256Gcm>, salt: [u8; 12] },
}

fn copy_salt<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    for (d, b) in out.iter_mut().zip(s) {
        *d = *b;
    }
    out
}

/// XORs `value` (big-endian) into `dst` starting at `at`.
fn xor_be(dst: &mut [u8], at: usize, value: &[u8]) {
    for (d, v) in dst.iter_mut().skip(at).zip(value) {
        *d ^= *v;
    }
}

/// The 6 low bytes of a 48-bit index, big-endian.
fn index48(index: u64) -> [u8; 6] {
    let b = index.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

impl Transform {
    /// The transform of `suite` with derived session keys (lengths as the suite says: [`super::derive_session_keys`]
    /// guarantees them). `tag_len` is the SRTP or SRTCP tag length.
    pub(crate) fn new(suite: Suite, keys: &SessionKeys, tag_len: usize) -> Transform {
        match suite {
            Suite::AeadAes128Gcm => Transform::Gcm128 {
                aead: Box::new(
                    Aes128Gcm::new_from_slice(&keys.cipher_key)
                        .unwrap_or_else(|_| Aes128Gcm::new(&[0; 16].into())),
                ),
                salt: copy_salt(&keys.salt),
            },
            Suite::AeadAes256Gcm => Transform::Gcm256 {
                aead: Box::new(
                    Aes256Gcm::new_from_slice(&keys.cipher_key)
                        .unwrap_or_else(|_| Aes256Gcm::new(&[0; 32].into())),
                ),
                salt: copy_salt(&keys.salt),
            },
            Suite::AesCm128HmacSha1_80 | Suite::AesCm128HmacSha1_32 => Transform::AesCm {
                aes: Aes128::new_from_slice(&keys.cipher_key)
                    .unwrap_or_else(|_| Aes128::new(&[0; 16].into())),
                salt: copy_salt(&keys.salt),
                // HMAC accepts any key length, so this never falls back.
                mac: <HmacSha1 as KeyInit>::new_from_slice(&keys.auth_key)
                    .unwrap_or_else(|_| <HmacSha1 as KeyInit>::new(&Default::default())),
                tag_len,
            },
        }
    }

    /// Tag length in bytes.
    pub(crate) fn tag_len(&self) -> usize {
        match self {
            Transform::AesCm { tag_len, .. } => *tag_len,
            Transform::Gcm128 { .. } | Transform::Gcm256 { .. } => 16,
        }
    }

    /// AES-CM: XORs the keystream for (`ssrc`, 48-bit `index`) into `data` (RFC 3711 4.1.1:
    /// IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16)). No-op for GCM.
    pub(crate) fn ctr_apply(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        if let Transform::AesCm { aes, salt, .. } = self {
            let mut iv = [0u8; 16];
            for (d, s) in iv.iter_mut().zip(salt) {
                *d = *s;
            }
            xor_be(&mut iv, 4, &ssrc.to_be_bytes());
            xor_be(&mut iv, 8, &index48(index));
            let mut c = Aes128Ctr::from_core(ctr::CtrCore::inner_iv_init(aes.clone(), &iv.into()));
            c.apply_keystream(data);
        }
    }

    /// AES-CM: whether `tag` is the truncated HMAC-SHA1 of the concatenated `parts`, compared in constant
    /// time. Always false for GCM.
    pub(crate) fn hmac_verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        match self {
            Transform::AesCm { mac, .. } => {
                let mut m = mac.clone();
                for p in parts {
                    m.update(p);
                }
                m.verify_truncated_left(tag).is_ok()
            }
            _ => false,
        }
    }

    /// AES-CM: the HMAC-SHA1 of `parts`, truncated to the tag length and appended to `out`.
    pub(crate) fn hmac_append(&self, parts: &[&[u8]], out: &mut Vec<u8>) {
        if let Transform::AesCm { mac, tag_len, .. } = self {
            let mut m = mac.clone();
            for p in parts {
                m.update(p);
            }
            let full = m.finalize().into_bytes();
            out.extend(full.iter().take(*tag_len));
        }
    }

    /// GCM nonce: salt XOR (0x0000 || SSRC || `mid` (4 bytes) || `low` (2 bytes)); for SRTP `mid` is the ROC
    /// and `low` the sequence number (RFC 7714 8.1); SRTCP uses [`Transform::gcm_rtcp_nonce`].
    fn gcm_nonce(&self, ssrc: u32, tail: [u8; 6]) -> [u8; 12] {
        let mut n = match self {
            Transform::Gcm128 { salt, .. } | Transform::Gcm256 { salt, .. } => *salt,
            Transform::AesCm { .. } => [0; 12],
        };
        xor_be(&mut n, 2, &ssrc.to_be_bytes());
        xor_be(&mut n, 6, &tail);
        n
    }

    /// The SRTP GCM nonce of (SSRC, ROC, SEQ).
    pub(crate) fn gcm_rtp_nonce(&self, ssrc: u32, roc: u32, seq: u16) -> [u8; 12] {
        let r = roc.to_be_bytes();
        let s = seq.to_be_bytes();
        self.gcm_nonce(ssrc, [r[0], r[1], r[2], r[3], s[0], s[1]])
    }

    /// The SRTCP GCM nonce of (SSRC, 31-bit index) (RFC 7714 9.1).
    pub(crate) fn gcm_rtcp_nonce(&self, ssrc: u32, index: u32) -> [u8; 12] {
        let i = (index & 0x7fff_ffff).to_be_bytes();
        self.gcm_nonce(ssrc, [0, 0, i[0], i[1], i[2], i[3]])
    }

    /// GCM: encrypts `data` in place and returns the 16-byte tag.
    pub(crate) fn gcm_seal(&self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8]) -> Option<[u8; 16]> {
        let n: Nonce<_> = (*nonce).into();
        let n = &n;
        let tag = match self {
            Transform::Gcm128 { aead, .. } => aead.encrypt_in_place_detached(n, aad, data).ok()?,
            Transform::Gcm256 { aead, .. } => aead.encrypt_in_place_detached(n, aad, data).ok()?,
            Transform::AesCm { .. } => return None,
        };
        Some(tag.into())
    }

    /// GCM: verifies `tag` and decrypts `data` in place; false (and `data` unchanged in meaning) on failure.
    pub(crate) fn gcm_open(&self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8]) -> bool {
        let Ok(tag) = <[u8; 16]>::try_from(tag) else { return false };
        let n: Nonce<_> = (*nonce).into();
        let t: Tag = tag.into();
        let (n, t) = (&n, &t);
        match self {
            Transform::Gcm128 { aead, .. } => aead.decrypt_in_place_detached(n, aad, data, t).is_ok(),
            Transform::Gcm256 { aead, .. } => aead.decrypt_in_place_detached(n, aad, data, t).is_ok(),
            Transform::AesCm { .. } => false,
        }
    }
}
