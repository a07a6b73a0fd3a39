//! The crypto suites: their SDES names (RFC 4568, RFC 7714), sizes, and MIKEY security-policy values.

/// An SRTP crypto suite. Serialized as its SDES name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Suite {
    /// `AES_CM_128_HMAC_SHA1_80`: AES-128 counter mode, HMAC-SHA1 tag of 80 bits (RFC 3711's default).
    #[serde(rename = "AES_CM_128_HMAC_SHA1_80")]
    AesCm128HmacSha1_80,
    /// `AES_CM_128_HMAC_SHA1_32`: as above with a 32-bit SRTP tag (SRTCP keeps 80 bits, RFC 4568 6.2.2).
    #[serde(rename = "AES_CM_128_HMAC_SHA1_32")]
    AesCm128HmacSha1_32,
    /// `AEAD_AES_128_GCM`: AES-128 GCM with a 16-byte tag (RFC 7714).
    #[serde(rename = "AEAD_AES_128_GCM")]
    AeadAes128Gcm,
    /// `AEAD_AES_256_GCM`: AES-256 GCM with a 16-byte tag (RFC 7714).
    #[serde(rename = "AEAD_AES_256_GCM")]
    AeadAes256Gcm,
}

/// MIKEY SRTP encryption algorithm values (RFC 3830 section 6.10.1, AES-GCM from RFC 7714 section 14.2).
pub(crate) mod mikey_values {
    pub(crate) const ENC_AES_CM: u8 = 1;
    pub(crate) const ENC_AES_GCM: u8 = 6;
    pub(crate) const AUTH_NULL: u8 = 0;
    pub(crate) const AUTH_HMAC_SHA1: u8 = 1;
}

impl Suite {
    /// Every suite, strongest last.
    pub const ALL: [Suite; 4] =
        [Suite::AesCm128HmacSha1_32, Suite::AesCm128HmacSha1_80, Suite::AeadAes128Gcm, Suite::AeadAes256Gcm];

    /// The name in SDES `a=crypto` lines.
    pub const fn sdes_name(self) -> &'static str {
        match self {
            Suite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Suite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
            Suite::AeadAes128Gcm => "AEAD_AES_128_GCM",
            Suite::AeadAes256Gcm => "AEAD_AES_256_GCM",
        }
    }

    /// The suite an SDES name stands for (names are case-sensitive in RFC 4568; compared exactly).
    pub fn from_sdes_name(name: &str) -> Option<Suite> {
        Suite::ALL.into_iter().find(|s| s.sdes_name() == name)
    }

    /// Master (and session) encryption key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Suite::AeadAes256Gcm => 32,
            _ => 16,
        }
    }

    /// Master (and session) salt length in bytes: 14 for AES-CM, 12 for GCM.
    pub const fn salt_len(self) -> usize {
        if self.is_aead() { 12 } else { 14 }
    }

    /// Session authentication key length in bytes (HMAC-SHA1: 20; GCM: none).
    pub const fn auth_key_len(self) -> usize {
        if self.is_aead() { 0 } else { 20 }
    }

    /// Authentication tag length of SRTP packets, in bytes.
    pub const fn rtp_tag_len(self) -> usize {
        match self {
            Suite::AesCm128HmacSha1_80 => 10,
            Suite::AesCm128HmacSha1_32 => 4,
            Suite::AeadAes128Gcm | Suite::AeadAes256Gcm => 16,
        }
    }

    /// Authentication tag length of SRTCP packets, in bytes.
    pub const fn rtcp_tag_len(self) -> usize {
        if self.is_aead() { 16 } else { 10 }
    }

    /// Whether the suite is an AEAD (GCM) suite.
    pub const fn is_aead(self) -> bool {
        matches!(self, Suite::AeadAes128Gcm | Suite::AeadAes256Gcm)
    }

    /// MIKEY SRTP policy value of the encryption algorithm (1 AES-CM, 6 AES-GCM).
    pub const fn mikey_encryption_algorithm(self) -> u8 {
        if self.is_aead() { mikey_values::ENC_AES_GCM } else { mikey_values::ENC_AES_CM }
    }

    /// MIKEY SRTP policy value of the authentication algorithm (1 HMAC-SHA1, 0 NULL for AEAD).
    pub const fn mikey_auth_algorithm(self) -> u8 {
        if self.is_aead() { mikey_values::AUTH_NULL } else { mikey_values::AUTH_HMAC_SHA1 }
    }

    /// The suite a MIKEY SRTP policy describes: encryption algorithm, session encryption key length (bytes),
    /// authentication algorithm and tag length (bytes; the AEAD tag length for GCM). `None` when no suite
    /// here matches.
    pub fn from_mikey(enc_alg: u8, enc_key_len: u8, auth_alg: u8, tag_len: u8) -> Option<Suite> {
        match (enc_alg, enc_key_len, auth_alg, tag_len) {
            (mikey_values::ENC_AES_CM, 16, mikey_values::AUTH_HMAC_SHA1, 10) => {
                Some(Suite::AesCm128HmacSha1_80)
            }
            (mikey_values::ENC_AES_CM, 16, mikey_values::AUTH_HMAC_SHA1, 4) => {
                Some(Suite::AesCm128HmacSha1_32)
            }
            (mikey_values::ENC_AES_GCM, 16, _, 16) => Some(Suite::AeadAes128Gcm),
            (mikey_values::ENC_AES_GCM, 32, _, 16) => Some(Suite::AeadAes256Gcm),
            _ => None,
        }
    }
}

impl std::fmt::Display for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.sdes_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn names_round_trip_and_mikey_values_map_back() {
        for s in Suite::ALL {
            assert_eq!(Suite::from_sdes_name(s.sdes_name()), Some(s));
            let tag = if s.is_aead() { 16 } else { s.rtp_tag_len() as u8 };
            assert_eq!(
                Suite::from_mikey(
                    s.mikey_encryption_algorithm(),
                    s.key_len() as u8,
                    s.mikey_auth_algorithm(),
                    tag
                ),
                Some(s)
            );
        }
        assert_eq!(Suite::from_sdes_name("aes_cm_128_hmac_sha1_80"), None);
        assert_eq!(Suite::from_mikey(2, 16, 1, 10), None, "AES-F8 is not supported");
        for s in Suite::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.sdes_name()));
        }
    }
}
