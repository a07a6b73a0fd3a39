//! What a cipher suite is made of (key exchange, authentication, cipher, mode, MAC), derived from its IANA
//! name.

use serde::{Deserialize, Serialize};

/// Key exchange of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyExchange {
    /// Static RSA: the client encrypts the premaster secret to the certificate key (no forward secrecy).
    Rsa,
    /// Static Diffie-Hellman from the certificate (no forward secrecy).
    Dh,
    /// Ephemeral Diffie-Hellman.
    Dhe,
    /// Static elliptic-curve Diffie-Hellman from the certificate (no forward secrecy).
    Ecdh,
    /// Ephemeral elliptic-curve Diffie-Hellman.
    Ecdhe,
    /// Pre-shared key only.
    Psk,
    /// Pre-shared key with static RSA.
    RsaPsk,
    /// Pre-shared key with ephemeral DH.
    DhePsk,
    /// Pre-shared key with ephemeral ECDH.
    EcdhePsk,
    /// Secure Remote Password.
    Srp,
    /// TLS 1.3: negotiated separately (key_share), always ephemeral.
    Tls13,
    /// None (TLS_NULL_WITH_NULL_NULL).
    Null,
}

/// How the server authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authentication {
    /// RSA certificate.
    Rsa,
    /// DSA certificate.
    Dss,
    /// ECDSA certificate.
    Ecdsa,
    /// Pre-shared key.
    Psk,
    /// SRP password verifier.
    Srp,
    /// None: anyone in the path can impersonate the server.
    Anonymous,
    /// TLS 1.3: a certificate of any type, chosen by signature_algorithms.
    Tls13,
    /// None (TLS_NULL_WITH_NULL_NULL).
    Null,
}

/// Bulk cipher algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CipherAlgorithm {
    /// No encryption.
    Null,
    /// RC4 stream cipher.
    Rc4,
    /// RC2 (64-bit blocks).
    Rc2,
    /// DES (64-bit blocks, 56-bit or 40-bit keys).
    Des,
    /// Triple DES EDE (64-bit blocks).
    TripleDes,
    /// IDEA (64-bit blocks).
    Idea,
    /// SEED.
    Seed,
    /// Camellia.
    Camellia,
    /// ARIA.
    Aria,
    /// AES.
    Aes,
    /// ChaCha20.
    ChaCha20,
}

/// Cipher mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CipherMode {
    /// No encryption.
    None,
    /// Stream cipher (RC4).
    Stream,
    /// CBC with a separate HMAC.
    Cbc,
    /// AEAD: Galois/Counter Mode.
    Gcm,
    /// AEAD: CCM with a 16-byte tag.
    Ccm,
    /// AEAD: CCM with an 8-byte tag.
    Ccm8,
    /// AEAD: Poly1305.
    Poly1305,
}

/// Record MAC of a suite (`Aead` when the cipher mode authenticates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MacAlgorithm {
    /// None.
    Null,
    /// HMAC-MD5.
    Md5,
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA384.
    Sha384,
    /// Integrity from the AEAD mode.
    Aead,
}

/// What a suite is made of, derived from its IANA name (`TLS_{kx}_{auth}[_EXPORT]_WITH_{cipher}_{mac}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SuiteInfo {
    /// Key exchange.
    pub key_exchange: KeyExchange,
    /// Server authentication.
    pub authentication: Authentication,
    /// Bulk cipher.
    pub cipher: CipherAlgorithm,
    /// Effective key size in bits (40 for export ciphers, 56 for DES, 112 for 3DES).
    pub key_bits: u16,
    /// Cipher mode.
    pub mode: CipherMode,
    /// Record MAC.
    pub mac: MacAlgorithm,
    /// An export-grade suite (deliberately weakened, 40/56-bit).
    pub export: bool,
}

/// Derives a suite's parts from its IANA name. The registry names are regular enough: the part before
/// `_WITH_` names key exchange and authentication, the part after the cipher, mode and MAC; TLS 1.3 names have
/// no `_WITH_`.
pub(crate) fn parse_name(name: &str) -> Option<SuiteInfo> {
    let name = name.strip_prefix("TLS_")?;
    let (kx_part, cipher_part) = match name.split_once("_WITH_") {
        Some(parts) => parts,
        None if name.ends_with("_SCSV") => return None,
        None => ("", name),
    };
    // Split once into fixed arrays: this runs for every suite of every offer, so no allocation.
    let kx = Tokens::new(kx_part);
    let has = |token: &str| kx.has(token);
    let (key_exchange, authentication) = if kx_part.is_empty() {
        (KeyExchange::Tls13, Authentication::Tls13)
    } else {
        let key_exchange = if has("PSK") {
            if has("ECDHE") {
                KeyExchange::EcdhePsk
            } else if has("DHE") {
                KeyExchange::DhePsk
            } else if has("RSA") {
                KeyExchange::RsaPsk
            } else {
                KeyExchange::Psk
            }
        } else if has("SRP") {
            KeyExchange::Srp
        } else if has("ECDHE") || (has("ECDH") && has("anon")) {
            // Anonymous (EC)DH is ephemeral.
            KeyExchange::Ecdhe
        } else if has("DHE") || (has("DH") && has("anon")) {
            KeyExchange::Dhe
        } else if has("ECDH") {
            KeyExchange::Ecdh
        } else if has("DH") {
            KeyExchange::Dh
        } else if has("RSA") {
            KeyExchange::Rsa
        } else if has("NULL") {
            KeyExchange::Null
        } else {
            return None;
        };
        let authentication = if has("anon") {
            Authentication::Anonymous
        } else if has("ECDSA") {
            Authentication::Ecdsa
        } else if has("DSS") {
            Authentication::Dss
        } else if has("RSA") {
            Authentication::Rsa
        } else if has("PSK") {
            Authentication::Psk
        } else if has("SRP") {
            Authentication::Srp
        } else {
            Authentication::Null
        };
        (key_exchange, authentication)
    };
    let tokens = Tokens::new(cipher_part);
    let contains = |token: &str| tokens.has(token);
    let (cipher, default_bits) = match *tokens.as_slice().first()? {
        "NULL" => (CipherAlgorithm::Null, 0),
        "RC4" => (CipherAlgorithm::Rc4, 128),
        "RC2" => (CipherAlgorithm::Rc2, 128),
        "DES40" => (CipherAlgorithm::Des, 40),
        "DES" => (CipherAlgorithm::Des, 56),
        "3DES" => (CipherAlgorithm::TripleDes, 112),
        "IDEA" => (CipherAlgorithm::Idea, 128),
        "SEED" => (CipherAlgorithm::Seed, 128),
        "CAMELLIA" => (CipherAlgorithm::Camellia, 128),
        "ARIA" => (CipherAlgorithm::Aria, 128),
        "AES" => (CipherAlgorithm::Aes, 128),
        "CHACHA20" => (CipherAlgorithm::ChaCha20, 256),
        _ => return None,
    };
    let key_bits =
        tokens.as_slice().iter().skip(1).find_map(|t| t.parse::<u16>().ok()).unwrap_or(default_bits);
    let mode = if cipher == CipherAlgorithm::Null {
        CipherMode::None
    } else if cipher == CipherAlgorithm::Rc4 {
        CipherMode::Stream
    } else if contains("GCM") {
        CipherMode::Gcm
    } else if contains("CCM") {
        // `AES_128_CCM_8` has an 8-byte tag; TLS 1.3's `AES_128_CCM_8_SHA256` too.
        if cipher_part.contains("CCM_8") { CipherMode::Ccm8 } else { CipherMode::Ccm }
    } else if contains("POLY1305") {
        CipherMode::Poly1305
    } else {
        CipherMode::Cbc
    };
    let mac = if matches!(mode, CipherMode::Gcm | CipherMode::Ccm | CipherMode::Ccm8 | CipherMode::Poly1305) {
        MacAlgorithm::Aead
    } else {
        match *tokens.as_slice().last()? {
            "MD5" => MacAlgorithm::Md5,
            "SHA" => MacAlgorithm::Sha1,
            "SHA256" => MacAlgorithm::Sha256,
            "SHA384" => MacAlgorithm::Sha384,
            "NULL" => MacAlgorithm::Null,
            _ => return None,
        }
    };
    let export = has("EXPORT") || cipher_part.starts_with("DES40");
    Some(SuiteInfo { key_exchange, authentication, cipher, key_bits, mode, mac, export })
}

/// The `_`-separated tokens of a name part, at most 8 (IANA names have up to 6 per part).
struct Tokens<'a> {
    items: [&'a str; 8],
    len: usize,
}

impl<'a> Tokens<'a> {
    fn new(part: &'a str) -> Self {
        let mut tokens = Tokens { items: [""; 8], len: 0 };
        for (slot, token) in tokens.items.iter_mut().zip(part.split('_')) {
            *slot = token;
            tokens.len += 1;
        }
        tokens
    }

    fn as_slice(&self) -> &[&'a str] {
        // `new` counts at most `items.len()` tokens.
        self.items.get(..self.len).unwrap_or_default()
    }

    fn has(&self, token: &str) -> bool {
        self.as_slice().contains(&token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::CipherSuite;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn parts_are_derived_from_the_names() {
        let info = CipherSuite(0x002f).info().unwrap();
        assert_eq!(info.key_exchange, KeyExchange::Rsa);
        assert_eq!(info.authentication, Authentication::Rsa);
        assert_eq!(
            (info.cipher, info.key_bits, info.mode, info.mac),
            (CipherAlgorithm::Aes, 128, CipherMode::Cbc, MacAlgorithm::Sha1)
        );
        let info = CipherSuite(0xc0ae).info().unwrap(); // TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
        assert_eq!(
            (info.key_exchange, info.authentication, info.mode),
            (KeyExchange::Ecdhe, Authentication::Ecdsa, CipherMode::Ccm8)
        );
        let info = CipherSuite(0x1305).info().unwrap(); // TLS_AES_128_CCM_8_SHA256
        assert_eq!(
            (info.key_exchange, info.mode, info.mac),
            (KeyExchange::Tls13, CipherMode::Ccm8, MacAlgorithm::Aead)
        );
        let info = CipherSuite(0x0003).info().unwrap(); // TLS_RSA_EXPORT_WITH_RC4_40_MD5
        assert!(info.export);
        assert_eq!((info.cipher, info.key_bits, info.mode), (CipherAlgorithm::Rc4, 40, CipherMode::Stream));
        let info = CipherSuite(0x000a).info().unwrap();
        assert_eq!((info.cipher, info.key_bits), (CipherAlgorithm::TripleDes, 112));
        assert_eq!(CipherSuite(0x0018).info().unwrap().key_exchange, KeyExchange::Dhe); // DH_anon is ephemeral
        assert_eq!(CipherSuite(0xc0aa).info().unwrap().key_exchange, KeyExchange::DhePsk); // TLS_PSK_DHE_...
        assert_eq!(CipherSuite(0x0000).info().unwrap().cipher, CipherAlgorithm::Null);
        assert_eq!(CipherSuite(0xc01e).info().unwrap().authentication, Authentication::Rsa); // SRP_SHA_RSA
    }
}
