//! Master keys and the SRTP key derivation (RFC 3711 section 4.3, the AES-CM PRF, key_derivation_rate 0).

use aes::cipher::{KeyIvInit, StreamCipher};
use aes::{Aes128, Aes256};

use super::{SrtpError, Suite};

type Aes128Ctr = ctr::Ctr128BE<Aes128>;
type Aes256Ctr = ctr::Ctr128BE<Aes256>;

/// A master key and master salt, checked against a suite's lengths. Its `Debug` never prints the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey {
    key: Vec<u8>,
    salt: Vec<u8>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({} + {} bytes, redacted)", self.key.len(), self.salt.len())
    }
}

impl MasterKey {
    /// A master key and salt for `suite`; their lengths must be the suite's.
    pub fn new(suite: Suite, key: &[u8], salt: &[u8]) -> Result<Self, SrtpError> {
        if key.len() != suite.key_len() {
            return Err(SrtpError::BadKeyLength {
                what: "master key",
                expected: suite.key_len(),
                got: key.len(),
            });
        }
        if salt.len() != suite.salt_len() {
            return Err(SrtpError::BadKeyLength {
                what: "master salt",
                expected: suite.salt_len(),
                got: salt.len(),
            });
        }
        Ok(MasterKey { key: key.to_vec(), salt: salt.to_vec() })
    }

    /// Key and salt concatenated, as SDES `inline:` and MIKEY-NULL TEKs carry them.
    pub fn from_concatenated(suite: Suite, key_and_salt: &[u8]) -> Result<Self, SrtpError> {
        let need = suite.key_len() + suite.salt_len();
        if key_and_salt.len() != need {
            return Err(SrtpError::BadKeyLength {
                what: "master key || salt",
                expected: need,
                got: key_and_salt.len(),
            });
        }
        let (key, salt) = key_and_salt.split_at(suite.key_len());
        MasterKey::new(suite, key, salt)
    }

    /// The master key bytes.
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// The master salt bytes.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// Key and salt concatenated.
    pub fn to_concatenated(&self) -> Vec<u8> {
        let mut v = self.key.clone();
        v.extend_from_slice(&self.salt);
        v
    }
}

/// Session keys for one direction of SRTP or SRTCP. `Debug` never prints the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKeys {
    /// Session encryption key (16 or 32 bytes).
    pub cipher_key: Vec<u8>,
    /// Session authentication key (20 bytes for HMAC-SHA1, empty for GCM).
    pub auth_key: Vec<u8>,
    /// Session salt (14 bytes for AES-CM, 12 for GCM).
    pub salt: Vec<u8>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(redacted)")
    }
}

/// The AES-CM PRF of RFC 3711 section 4.3.3 with key_derivation_rate 0: fills `out` with the keystream of
/// the master key at IV = (master_salt XOR label at byte 7) || 0x0000. A master salt shorter than 14 bytes
/// (GCM's 12) is padded with zeros on the right, as RFC 7714 section 11 and libsrtp do. `master_key` must be
/// 16 or 32 bytes; other lengths leave `out` zeroed (callers pass keys checked by [`MasterKey`]).
pub fn kdf(master_key: &[u8], master_salt: &[u8], label: u8, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    for (d, s) in iv.iter_mut().zip(master_salt.iter().take(14)) {
        *d = *s;
    }
    if let Some(b) = iv.get_mut(7) {
        *b ^= label;
    }
    out.fill(0);
    match master_key.len() {
        16 => {
            if let Ok(mut c) = Aes128Ctr::new_from_slices(master_key, &iv) {
                c.apply_keystream(out);
            }
        }
        32 => {
            if let Ok(mut c) = Aes256Ctr::new_from_slices(master_key, &iv) {
                c.apply_keystream(out);
            }
        }
        _ => {}
    }
}

/// Labels of RFC 3711 section 4.3.1/4.3.2: encryption, authentication, salt; SRTCP adds 3.
const LABEL_CIPHER: u8 = 0;
const LABEL_AUTH: u8 = 1;
const LABEL_SALT: u8 = 2;
const RTCP_LABEL_OFFSET: u8 = 3;

/// Derives the SRTP (`rtcp == false`, labels 0..2) or SRTCP (labels 3..5) session keys of a master key.
pub fn derive_session_keys(suite: Suite, master: &MasterKey, rtcp: bool) -> SessionKeys {
    let off = if rtcp { RTCP_LABEL_OFFSET } else { 0 };
    let mut cipher_key = vec![0; suite.key_len()];
    let mut auth_key = vec![0; suite.auth_key_len()];
    let mut salt = vec![0; suite.salt_len()];
    kdf(master.key(), master.salt(), LABEL_CIPHER + off, &mut cipher_key);
    if !auth_key.is_empty() {
        kdf(master.key(), master.salt(), LABEL_AUTH + off, &mut auth_key);
    }
    kdf(master.key(), master.salt(), LABEL_SALT + off, &mut salt);
    SessionKeys { cipher_key, auth_key, salt }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn lengths_are_checked() {
        assert_eq!(
            MasterKey::new(Suite::AeadAes128Gcm, &[0; 16], &[0; 14]),
            Err(SrtpError::BadKeyLength { what: "master salt", expected: 12, got: 14 })
        );
        assert!(MasterKey::from_concatenated(Suite::AesCm128HmacSha1_80, &[0; 29]).is_err());
        let k = MasterKey::from_concatenated(Suite::AeadAes256Gcm, &[1; 44]).unwrap();
        assert_eq!((k.key().len(), k.salt().len()), (32, 12));
        assert!(!format!("{k:?}").contains("1, 1"));
    }

    #[test]
    fn srtcp_labels_differ_from_srtp() {
        let k = MasterKey::new(Suite::AesCm128HmacSha1_80, &[3; 16], &[4; 14]).unwrap();
        let a = derive_session_keys(Suite::AesCm128HmacSha1_80, &k, false);
        let b = derive_session_keys(Suite::AesCm128HmacSha1_80, &k, true);
        assert_ne!(a.cipher_key, b.cipher_key);
        assert_ne!(a.auth_key, b.auth_key);
        assert_ne!(a.salt, b.salt);
    }
}
