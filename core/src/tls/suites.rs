//! Cipher suites: IANA names, what each is made of, which versions can use it, how weak it is, and the
//! presets the ClientHello builder offers.

use serde::{Deserialize, Serialize};

use super::suite_info::{
    Authentication, CipherAlgorithm, CipherMode, KeyExchange, MacAlgorithm, SuiteInfo, parse_name,
};
use super::suite_table::SUITES;
use super::version::ProtocolVersion;

/// A cipher suite: its 16-bit wire value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CipherSuite(pub u16);

/// A reason a suite is unsafe. [`Weakness::is_insecure`] separates the broken ones from the merely dated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weakness {
    /// No encryption at all.
    NullEncryption,
    /// No server authentication: anyone in the path can impersonate the server.
    Anonymous,
    /// Export-grade key sizes (FREAK, Logjam).
    Export,
    /// RC4, prohibited by RFC 7465.
    Rc4,
    /// Single DES (56-bit keys or less).
    SingleDes,
    /// A 64-bit block cipher (3DES, IDEA, RC2): Sweet32 birthday attacks on long connections.
    Block64,
    /// HMAC-MD5 record MAC.
    Md5Mac,
    /// CBC with MAC-then-encrypt and no encrypt_then_mac extension: padding-oracle attacks (Lucky13).
    CbcMacThenEncrypt,
    /// Static RSA or static (EC)DH key exchange: whoever obtains the server key decrypts recorded sessions.
    NoForwardSecrecy,
}

impl Weakness {
    /// Short stable identifier (`rc4`, `no_forward_secrecy`).
    pub const fn id(self) -> &'static str {
        match self {
            Weakness::NullEncryption => "null_encryption",
            Weakness::Anonymous => "anonymous",
            Weakness::Export => "export",
            Weakness::Rc4 => "rc4",
            Weakness::SingleDes => "single_des",
            Weakness::Block64 => "block64",
            Weakness::Md5Mac => "md5_mac",
            Weakness::CbcMacThenEncrypt => "cbc_mac_then_encrypt",
            Weakness::NoForwardSecrecy => "no_forward_secrecy",
        }
    }

    /// One phrase for people.
    pub const fn description(self) -> &'static str {
        match self {
            Weakness::NullEncryption => "no encryption",
            Weakness::Anonymous => "no server authentication (anonymous)",
            Weakness::Export => "export-grade keys",
            Weakness::Rc4 => "RC4 (prohibited by RFC 7465)",
            Weakness::SingleDes => "single DES",
            Weakness::Block64 => "64-bit block cipher (Sweet32)",
            Weakness::Md5Mac => "HMAC-MD5",
            Weakness::CbcMacThenEncrypt => "CBC mac-then-encrypt without encrypt_then_mac (Lucky13)",
            Weakness::NoForwardSecrecy => "static key exchange, no forward secrecy",
        }
    }

    /// Broken: practical attacks or no protection at all (everything except CBC mac-then-encrypt and the
    /// lack of forward secrecy, which are dated but not broken on their own).
    pub const fn is_insecure(self) -> bool {
        !matches!(self, Weakness::CbcMacThenEncrypt | Weakness::NoForwardSecrecy)
    }
}

/// The suites rustls implements (its whole default set): TLS 1.3 AES-GCM and ChaCha20-Poly1305, and TLS 1.2
/// ECDHE with AES-GCM or ChaCha20-Poly1305. Also the `modern` offer, in rustls' preference order.
pub const MODERN_SUITES: &[CipherSuite] = &[
    CipherSuite(0x1302), // TLS_AES_256_GCM_SHA384
    CipherSuite(0x1301), // TLS_AES_128_GCM_SHA256
    CipherSuite(0x1303), // TLS_CHACHA20_POLY1305_SHA256
    CipherSuite(0xc02c), // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    CipherSuite(0xc02b), // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    CipherSuite(0xcca9), // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
    CipherSuite(0xc030), // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    CipherSuite(0xc02f), // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    CipherSuite(0xcca8), // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
];

/// Every TLS 1.3 suite (RFC 8446): the scan offers them all to learn which the server accepts.
pub const TLS13_SUITES: &[CipherSuite] = &[
    CipherSuite(0x1301), // TLS_AES_128_GCM_SHA256
    CipherSuite(0x1302), // TLS_AES_256_GCM_SHA384
    CipherSuite(0x1303), // TLS_CHACHA20_POLY1305_SHA256
    CipherSuite(0x1304), // TLS_AES_128_CCM_SHA256
    CipherSuite(0x1305), // TLS_AES_128_CCM_8_SHA256
];

/// The `legacy` offer for TLS 1.0-1.2: what old cameras pick, as a scanning client offers it, strongest first
/// (so a server that follows the client's order shows its best): forward-secret AEAD, then ECDHE/DHE CBC,
/// static RSA (GCM and CBC), Camellia/SEED, 3DES/IDEA, RC4, DES, export and static ECDH. NULL and anonymous
/// suites are left out (enumerate them one by one with [`known_suites`] if needed).
pub const LEGACY_SUITES: &[CipherSuite] = &[
    CipherSuite(0xc02c), // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    CipherSuite(0xc030), // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    CipherSuite(0xcca9), // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
    CipherSuite(0xcca8), // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    CipherSuite(0xc02b), // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    CipherSuite(0xc02f), // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    CipherSuite(0x009f), // TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
    CipherSuite(0xccaa), // TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    CipherSuite(0x009e), // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
    CipherSuite(0xc024), // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384
    CipherSuite(0xc028), // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384
    CipherSuite(0xc023), // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
    CipherSuite(0xc027), // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
    CipherSuite(0xc00a), // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
    CipherSuite(0xc014), // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
    CipherSuite(0xc009), // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
    CipherSuite(0xc013), // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    CipherSuite(0x006b), // TLS_DHE_RSA_WITH_AES_256_CBC_SHA256
    CipherSuite(0x0067), // TLS_DHE_RSA_WITH_AES_128_CBC_SHA256
    CipherSuite(0x0039), // TLS_DHE_RSA_WITH_AES_256_CBC_SHA
    CipherSuite(0x0033), // TLS_DHE_RSA_WITH_AES_128_CBC_SHA
    CipherSuite(0x0038), // TLS_DHE_DSS_WITH_AES_256_CBC_SHA
    CipherSuite(0x0032), // TLS_DHE_DSS_WITH_AES_128_CBC_SHA
    CipherSuite(0x009d), // TLS_RSA_WITH_AES_256_GCM_SHA384
    CipherSuite(0x009c), // TLS_RSA_WITH_AES_128_GCM_SHA256
    CipherSuite(0x003d), // TLS_RSA_WITH_AES_256_CBC_SHA256
    CipherSuite(0x003c), // TLS_RSA_WITH_AES_128_CBC_SHA256
    CipherSuite(0x0035), // TLS_RSA_WITH_AES_256_CBC_SHA
    CipherSuite(0x002f), // TLS_RSA_WITH_AES_128_CBC_SHA
    CipherSuite(0x0088), // TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA
    CipherSuite(0x0084), // TLS_RSA_WITH_CAMELLIA_256_CBC_SHA
    CipherSuite(0x0045), // TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA
    CipherSuite(0x0041), // TLS_RSA_WITH_CAMELLIA_128_CBC_SHA
    CipherSuite(0x0096), // TLS_RSA_WITH_SEED_CBC_SHA
    CipherSuite(0xc012), // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
    CipherSuite(0xc008), // TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA
    CipherSuite(0x0016), // TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA
    CipherSuite(0x0013), // TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA
    CipherSuite(0x000a), // TLS_RSA_WITH_3DES_EDE_CBC_SHA
    CipherSuite(0x0007), // TLS_RSA_WITH_IDEA_CBC_SHA
    CipherSuite(0xc011), // TLS_ECDHE_RSA_WITH_RC4_128_SHA
    CipherSuite(0xc007), // TLS_ECDHE_ECDSA_WITH_RC4_128_SHA
    CipherSuite(0x0005), // TLS_RSA_WITH_RC4_128_SHA
    CipherSuite(0x0004), // TLS_RSA_WITH_RC4_128_MD5
    CipherSuite(0x0015), // TLS_DHE_RSA_WITH_DES_CBC_SHA
    CipherSuite(0x0009), // TLS_RSA_WITH_DES_CBC_SHA
    CipherSuite(0x0014), // TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA
    CipherSuite(0x0008), // TLS_RSA_EXPORT_WITH_DES40_CBC_SHA
    CipherSuite(0x0006), // TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5
    CipherSuite(0x0003), // TLS_RSA_EXPORT_WITH_RC4_40_MD5
    CipherSuite(0xc00e), // TLS_ECDH_RSA_WITH_AES_128_CBC_SHA
    CipherSuite(0xc00f), // TLS_ECDH_RSA_WITH_AES_256_CBC_SHA
    CipherSuite(0xc004), // TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA
    CipherSuite(0xc005), // TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA
];

/// Every suite with a name in rtspeek's table, signalling values excluded, by value.
pub fn known_suites() -> impl Iterator<Item = CipherSuite> {
    SUITES.iter().map(|&(value, _)| CipherSuite(value)).filter(|s| !s.is_signalling())
}

impl CipherSuite {
    /// The suite with this IANA name (`TLS_AES_128_GCM_SHA256`), if rtspeek's table has it.
    pub fn from_name(name: &str) -> Option<Self> {
        SUITES.iter().find(|&&(_, n)| n == name).map(|&(value, _)| CipherSuite(value))
    }

    /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746): a signal, not a suite.
    pub const EMPTY_RENEGOTIATION_INFO_SCSV: Self = Self(0x00ff);
    /// TLS_FALLBACK_SCSV (RFC 7507): a signal, not a suite.
    pub const FALLBACK_SCSV: Self = Self(0x5600);

    /// The IANA name (`TLS_RSA_WITH_AES_128_CBC_SHA`), or `None` for a value outside rtspeek's table.
    pub fn name(self) -> Option<&'static str> {
        SUITES
            .binary_search_by_key(&self.0, |&(value, _)| value)
            .ok()
            .and_then(|i| SUITES.get(i))
            .map(|&(_, name)| name)
    }

    /// A signalling value (SCSV), not a real suite.
    pub const fn is_signalling(self) -> bool {
        self.0 == Self::EMPTY_RENEGOTIATION_INFO_SCSV.0 || self.0 == Self::FALLBACK_SCSV.0
    }

    /// A GREASE value (RFC 8701), which clients send to keep servers tolerant and servers never pick.
    pub const fn is_grease(self) -> bool {
        self.0 & 0x0f0f == 0x0a0a && (self.0 >> 8) == (self.0 & 0xff)
    }

    /// A TLS 1.3 suite (usable only with TLS 1.3, and the only kind TLS 1.3 uses).
    pub const fn is_tls13(self) -> bool {
        self.0 >= 0x1301 && self.0 <= 0x1305
    }

    /// One of the suites rustls implements ([`MODERN_SUITES`]).
    pub fn is_rustls_supported(self) -> bool {
        MODERN_SUITES.contains(&self)
    }

    /// What the suite is made of, or `None` for an unknown or signalling value.
    pub fn info(self) -> Option<SuiteInfo> {
        parse_name(self.name()?)
    }

    /// Whether a handshake at `version` can use the suite: TLS 1.3 suites only with 1.3 and only they; AEAD
    /// and SHA-256/384 suites from TLS 1.2 (RFC 5246); the rest from SSL 3.0 to TLS 1.2. Unknown suites are
    /// assumed usable up to TLS 1.2.
    pub fn usable_with(self, version: ProtocolVersion) -> bool {
        let (min, max) = self.version_range();
        min <= version && version <= max
    }

    /// The versions that can use the suite, as (lowest, highest); see [`usable_with`](Self::usable_with).
    pub fn version_range(self) -> (ProtocolVersion, ProtocolVersion) {
        if self.is_tls13() {
            return (ProtocolVersion::TLS1_3, ProtocolVersion::TLS1_3);
        }
        // The MAC is the last part of the name: HMAC-SHA1/MD5 (and NULL) suites predate TLS 1.2, SHA-256/384
        // and AEAD suites came with it. (A suffix test, not `info()`: this runs for every suite of an offer.)
        let since_tls12 = self.name().is_some_and(|name| {
            !(name.ends_with("_SHA") || name.ends_with("_MD5") || name.ends_with("_NULL"))
        });
        let min = if since_tls12 { ProtocolVersion::TLS1_2 } else { ProtocolVersion::SSL3_0 };
        (min, ProtocolVersion::TLS1_2)
    }

    /// Why the suite is unsafe, most serious first; empty for a sound suite or an unknown one.
    /// `encrypt_then_mac` says whether the server accepted RFC 7366 encrypt-then-MAC, which removes the CBC
    /// padding-oracle weakness.
    pub fn weaknesses(self, encrypt_then_mac: bool) -> Vec<Weakness> {
        let Some(info) = self.info() else { return Vec::new() };
        let mut out = Vec::new();
        if info.cipher == CipherAlgorithm::Null {
            out.push(Weakness::NullEncryption);
        }
        if info.authentication == Authentication::Anonymous {
            out.push(Weakness::Anonymous);
        }
        if info.export {
            out.push(Weakness::Export);
        }
        match info.cipher {
            CipherAlgorithm::Rc4 => out.push(Weakness::Rc4),
            CipherAlgorithm::Des => out.push(Weakness::SingleDes),
            CipherAlgorithm::TripleDes | CipherAlgorithm::Idea | CipherAlgorithm::Rc2 => {
                out.push(Weakness::Block64)
            }
            _ => {}
        }
        if info.mac == MacAlgorithm::Md5 {
            out.push(Weakness::Md5Mac);
        }
        if info.mode == CipherMode::Cbc && !encrypt_then_mac {
            out.push(Weakness::CbcMacThenEncrypt);
        }
        if matches!(
            info.key_exchange,
            KeyExchange::Rsa | KeyExchange::Dh | KeyExchange::Ecdh | KeyExchange::RsaPsk | KeyExchange::Psk
        ) {
            out.push(Weakness::NoForwardSecrecy);
        }
        out
    }
}

impl std::fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown suite 0x{:04x}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_table_is_sorted_unique_and_every_real_suite_parses() {
        assert!(SUITES.windows(2).all(|w| w[0].0 < w[1].0), "suite table not sorted by value");
        for &(value, name) in SUITES {
            let suite = CipherSuite(value);
            assert_eq!(suite.name(), Some(name));
            assert_eq!(suite.info().is_none(), suite.is_signalling(), "{name}");
        }
        assert!(known_suites().count() > 200);
        assert_eq!(CipherSuite(0xfefe).name(), None);
        assert_eq!(CipherSuite(0xfefe).to_string(), "unknown suite 0xfefe");
        assert!(CipherSuite(0xfefe).weaknesses(false).is_empty());
    }

    #[test]
    fn presets_are_named_and_fit_their_versions() {
        for s in MODERN_SUITES {
            assert!(s.name().is_some() && s.weaknesses(false).is_empty(), "{s}");
            assert!(s.is_rustls_supported());
        }
        for s in LEGACY_SUITES {
            assert!(s.name().is_some() && !s.is_tls13(), "{s}");
            assert!(s.usable_with(ProtocolVersion::TLS1_2));
        }
        let mut unique = LEGACY_SUITES.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), LEGACY_SUITES.len());
        assert!(LEGACY_SUITES.iter().any(|s| s.usable_with(ProtocolVersion::TLS1_0)));
    }

    #[test]
    fn weaknesses_follow_the_parts() {
        use Weakness::*;
        assert_eq!(CipherSuite(0x002f).weaknesses(false), [CbcMacThenEncrypt, NoForwardSecrecy]);
        assert_eq!(CipherSuite(0x002f).weaknesses(true), [NoForwardSecrecy]);
        assert_eq!(CipherSuite(0xc013).weaknesses(true), []);
        assert_eq!(CipherSuite(0x0004).weaknesses(false), [Rc4, Md5Mac, NoForwardSecrecy]);
        assert_eq!(CipherSuite(0xc012).weaknesses(false), [Block64, CbcMacThenEncrypt]);
        assert_eq!(CipherSuite(0x0014).weaknesses(true), [Export, SingleDes]);
        assert_eq!(CipherSuite(0x0018).weaknesses(false), [Anonymous, Rc4, Md5Mac]);
        assert_eq!(CipherSuite(0x0002).weaknesses(false), [NullEncryption, NoForwardSecrecy]);
        assert_eq!(CipherSuite(0xc00e).weaknesses(true), [NoForwardSecrecy]); // static ECDH
        assert!(CipherSuite(0x1301).weaknesses(false).is_empty());
        assert!(Rc4.is_insecure() && !NoForwardSecrecy.is_insecure() && !CbcMacThenEncrypt.is_insecure());
        assert_eq!(Block64.id(), "block64");
        assert!(Block64.description().contains("Sweet32"));
    }

    #[test]
    fn version_ranges_agree_with_the_parsed_mac() {
        for suite in known_suites().filter(|s| !s.is_tls13()) {
            let mac = suite.info().unwrap().mac;
            let tls12_only = !matches!(mac, MacAlgorithm::Md5 | MacAlgorithm::Sha1 | MacAlgorithm::Null);
            assert_eq!(suite.version_range().0 == ProtocolVersion::TLS1_2, tls12_only, "{suite}");
            assert_eq!(suite.version_range().1, ProtocolVersion::TLS1_2);
        }
        assert_eq!(CipherSuite(0x1301).version_range(), (ProtocolVersion::TLS1_3, ProtocolVersion::TLS1_3));
    }

    #[test]
    fn version_compatibility() {
        let v = |s: u16, v: ProtocolVersion| CipherSuite(s).usable_with(v);
        assert!(v(0x1301, ProtocolVersion::TLS1_3) && !v(0x1301, ProtocolVersion::TLS1_2));
        assert!(!v(0xc02f, ProtocolVersion::TLS1_3) && v(0xc02f, ProtocolVersion::TLS1_2));
        assert!(!v(0xc02f, ProtocolVersion::TLS1_1) && !v(0x003c, ProtocolVersion::TLS1_0));
        assert!(v(0x002f, ProtocolVersion::TLS1_0) && v(0x0004, ProtocolVersion::TLS1_1));
        assert!(v(0xfefe, ProtocolVersion::TLS1_0));
        assert!(
            CipherSuite(0x0a0a).is_grease()
                && CipherSuite(0xfafa).is_grease()
                && !CipherSuite(0x0a1a).is_grease()
        );
    }
}
