//! Hello extensions and the registries they draw from: extension types, named groups, signature schemes.

use serde::{Deserialize, Serialize};

use super::error::ParseError;
use super::reader::Reader;

/// Defines a `u16` registry newtype with named constants, `name()` and a `Display` that falls back to hex.
macro_rules! registry {
    ($(#[doc = $doc:literal])* $ty:ident, $unknown:literal; $(($value:literal, $ident:ident, $name:literal),)*) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $ty(pub u16);

        impl $ty {
            $(
                #[doc = concat!("`", $name, "` (", stringify!($value), ").")]
                pub const $ident: Self = Self($value);
            )*

            /// The IANA registry name, or `None` for a value this codec does not know.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($name),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, concat!($unknown, " 0x{:04x}"), self.0),
                }
            }
        }
    };
}

registry! {
    /// A hello extension type (IANA "TLS ExtensionType Values").
    ExtensionType, "unknown extension";
    (0, SERVER_NAME, "server_name"),
    (1, MAX_FRAGMENT_LENGTH, "max_fragment_length"),
    (5, STATUS_REQUEST, "status_request"),
    (10, SUPPORTED_GROUPS, "supported_groups"),
    (11, EC_POINT_FORMATS, "ec_point_formats"),
    (13, SIGNATURE_ALGORITHMS, "signature_algorithms"),
    (15, HEARTBEAT, "heartbeat"),
    (16, ALPN, "application_layer_protocol_negotiation"),
    (18, SIGNED_CERTIFICATE_TIMESTAMP, "signed_certificate_timestamp"),
    (21, PADDING, "padding"),
    (22, ENCRYPT_THEN_MAC, "encrypt_then_mac"),
    (23, EXTENDED_MASTER_SECRET, "extended_master_secret"),
    (35, SESSION_TICKET, "session_ticket"),
    (41, PRE_SHARED_KEY, "pre_shared_key"),
    (42, EARLY_DATA, "early_data"),
    (43, SUPPORTED_VERSIONS, "supported_versions"),
    (44, COOKIE, "cookie"),
    (45, PSK_KEY_EXCHANGE_MODES, "psk_key_exchange_modes"),
    (47, CERTIFICATE_AUTHORITIES, "certificate_authorities"),
    (49, POST_HANDSHAKE_AUTH, "post_handshake_auth"),
    (50, SIGNATURE_ALGORITHMS_CERT, "signature_algorithms_cert"),
    (51, KEY_SHARE, "key_share"),
    (65281, RENEGOTIATION_INFO, "renegotiation_info"),
}

registry! {
    /// A named group for (EC)DHE key exchange (IANA "TLS Supported Groups").
    NamedGroup, "unknown group";
    (23, SECP256R1, "secp256r1"),
    (24, SECP384R1, "secp384r1"),
    (25, SECP521R1, "secp521r1"),
    (29, X25519, "x25519"),
    (30, X448, "x448"),
    (256, FFDHE2048, "ffdhe2048"),
    (257, FFDHE3072, "ffdhe3072"),
    (258, FFDHE4096, "ffdhe4096"),
}

registry! {
    /// A signature scheme (IANA "TLS SignatureScheme"); in TLS 1.2 the same two bytes are the
    /// (hash, signature) pair of RFC 5246 7.4.1.4.1.
    SignatureScheme, "unknown signature scheme";
    (0x0201, RSA_PKCS1_SHA1, "rsa_pkcs1_sha1"),
    (0x0203, ECDSA_SHA1, "ecdsa_sha1"),
    (0x0401, RSA_PKCS1_SHA256, "rsa_pkcs1_sha256"),
    (0x0403, ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256"),
    (0x0501, RSA_PKCS1_SHA384, "rsa_pkcs1_sha384"),
    (0x0503, ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384"),
    (0x0601, RSA_PKCS1_SHA512, "rsa_pkcs1_sha512"),
    (0x0603, ECDSA_SECP521R1_SHA512, "ecdsa_secp521r1_sha512"),
    (0x0804, RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256"),
    (0x0805, RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384"),
    (0x0806, RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512"),
    (0x0807, ED25519, "ed25519"),
    (0x0808, ED448, "ed448"),
    (0x0809, RSA_PSS_PSS_SHA256, "rsa_pss_pss_sha256"),
    (0x080a, RSA_PSS_PSS_SHA384, "rsa_pss_pss_sha384"),
    (0x080b, RSA_PSS_PSS_SHA512, "rsa_pss_pss_sha512"),
}

/// One extension: its type and raw data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The extension type.
    pub ext_type: ExtensionType,
    /// The extension data, uninterpreted.
    pub data: Vec<u8>,
}

/// Parses an extensions block (16-bit total length, then type + 16-bit length + data each). An absent block
/// (no bytes left, as TLS 1.0 servers send) is an empty list. Duplicate types are invalid (RFC 8446 4.2).
pub(crate) fn parse_extensions(r: &mut Reader<'_>) -> Result<Vec<Extension>, ParseError> {
    if r.is_empty() {
        return Ok(Vec::new());
    }
    let mut block = r.vec16("extensions (block length)")?;
    let mut out: Vec<Extension> = Vec::new();
    while !block.is_empty() {
        let at = block.pos();
        let ext_type = ExtensionType(block.u16("extension type")?);
        let data = block.vec16("extension data length")?.rest().to_vec();
        if out.iter().any(|e| e.ext_type == ext_type) {
            return Err(ParseError::Invalid { pos: at, context: "extensions (duplicate extension type)" });
        }
        out.push(Extension { ext_type, data });
    }
    Ok(out)
}

/// The data of the extension of type `ext_type`, if present.
pub(crate) fn find(extensions: &[Extension], ext_type: ExtensionType) -> Option<&[u8]> {
    extensions.iter().find(|e| e.ext_type == ext_type).map(|e| e.data.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn parses_blocks_and_refuses_duplicates_and_overruns() {
        let block = [0, 9, 0, 23, 0, 0, 0xff, 0x01, 0, 1, 0];
        let ext = parse_extensions(&mut Reader::new(&block)).unwrap();
        assert_eq!(ext.len(), 2);
        assert_eq!(find(&ext, ExtensionType::RENEGOTIATION_INFO), Some(&[0u8][..]));
        assert_eq!(find(&ext, ExtensionType::EXTENDED_MASTER_SECRET), Some(&[][..]));
        assert_eq!(find(&ext, ExtensionType::KEY_SHARE), None);
        assert!(parse_extensions(&mut Reader::new(&[])).unwrap().is_empty());

        let dup = [0, 8, 0, 23, 0, 0, 0, 23, 0, 0];
        assert_eq!(
            parse_extensions(&mut Reader::new(&dup)),
            Err(ParseError::Invalid { pos: 6, context: "extensions (duplicate extension type)" })
        );
        let overrun = [0, 5, 0, 23, 0, 9, 0];
        assert!(matches!(
            parse_extensions(&mut Reader::new(&overrun)),
            Err(ParseError::Invalid { pos: 4, .. })
        ));
        assert!(parse_extensions(&mut Reader::new(&[0])).is_err());
    }

    #[test]
    fn registry_names() {
        assert_eq!(ExtensionType::RENEGOTIATION_INFO.to_string(), "renegotiation_info");
        assert_eq!(ExtensionType(0x1234).to_string(), "unknown extension 0x1234");
        assert_eq!(NamedGroup::X25519.to_string(), "x25519");
        assert_eq!(NamedGroup::FFDHE2048.0, 256);
        assert_eq!(SignatureScheme::ECDSA_SHA1.to_string(), "ecdsa_sha1");
        assert_eq!(SignatureScheme(0x0102).to_string(), "unknown signature scheme 0x0102");
    }
}
