//! The server's TLS <= 1.2 flight after the ServerHello, which is sent in clear: Certificate (the chain, for
//! the certificate analysis), ServerKeyExchange (only the group or DH size is read), CertificateRequest (the
//! server wants a client certificate) and ServerHelloDone.

use serde::{Deserialize, Serialize};
use x509_parser::prelude::{FromDer, X509Name};

use super::error::ParseError;
use super::extensions::{NamedGroup, SignatureScheme};
use super::reader::Reader;
use super::suite_info::KeyExchange;
use super::suites::CipherSuite;
use super::version::ProtocolVersion;

/// Parses a TLS <= 1.2 Certificate message body: the DER certificates, leaf first as sent. An empty list is
/// valid (the server has no certificate to send); an empty entry is not. (TLS 1.3 sends its Certificate
/// encrypted, with another layout.)
pub fn parse_certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut r = Reader::new(body);
    let list = r.vec24("Certificate list length")?;
    r.expect_end("Certificate (bytes after the list)")?;
    certificate_entries(list, false)
}

/// Parses a TLS 1.3 Certificate message body (RFC 8446 4.4.2): request context, then entries of a DER
/// certificate and its extensions; returns the certificates, leaf first as sent. (It travels encrypted: a
/// decrypted capture gives it.)
pub fn parse_tls13_certificate(body: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut r = Reader::new(body);
    r.vec8("Certificate request context")?;
    let list = r.vec24("Certificate list length")?;
    r.expect_end("Certificate (bytes after the list)")?;
    certificate_entries(list, true)
}

/// The DER certificates of a certificate list; in TLS 1.3 each is followed by its extensions.
fn certificate_entries(mut list: Reader<'_>, with_extensions: bool) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut out = Vec::new();
    while !list.is_empty() {
        let mut der = list.vec24("Certificate entry length")?;
        if der.is_empty() {
            return Err(der.invalid("Certificate entry (empty)"));
        }
        out.push(der.rest().to_vec());
        if with_extensions {
            list.vec16("Certificate entry extensions")?;
        }
    }
    Ok(out)
}

/// The key exchange parameters a ServerKeyExchange announces: what the strength of the ephemeral exchange is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyExchangeParams {
    /// Ephemeral ECDH on a named group.
    Ecdhe {
        /// The group.
        group: NamedGroup,
    },
    /// Ephemeral finite-field DH with a prime of this many bits (under 2048 is weak, Logjam).
    Dhe {
        /// Size of the prime p in bits.
        prime_bits: u32,
    },
}

/// Reads the group (ECDHE) or prime size (DHE) from a ServerKeyExchange body, for the suite the ServerHello
/// chose. Other key exchanges (RSA export, SRP...) give `Ok(None)`; the signature is not read.
pub fn parse_server_key_exchange(
    body: &[u8],
    suite: CipherSuite,
) -> Result<Option<KeyExchangeParams>, ParseError> {
    let Some(info) = suite.info() else { return Ok(None) };
    let mut r = Reader::new(body);
    if matches!(info.key_exchange, KeyExchange::DhePsk | KeyExchange::EcdhePsk) {
        r.vec16("ServerKeyExchange psk_identity_hint")?;
    }
    match info.key_exchange {
        KeyExchange::Ecdhe | KeyExchange::EcdhePsk => {
            let curve_type = r.u8("ServerKeyExchange curve_type")?;
            if curve_type != 3 {
                return Err(ParseError::Invalid {
                    pos: 0,
                    context: "ServerKeyExchange curve_type (not named_curve)",
                });
            }
            let group = NamedGroup(r.u16("ServerKeyExchange named_curve")?);
            r.vec8("ServerKeyExchange public point")?;
            Ok(Some(KeyExchangeParams::Ecdhe { group }))
        }
        KeyExchange::Dhe | KeyExchange::DhePsk => {
            let p = r.vec16("ServerKeyExchange dh_p")?.rest();
            r.vec16("ServerKeyExchange dh_g")?;
            r.vec16("ServerKeyExchange dh_Ys")?;
            let mut significant = p;
            while let [0, rest @ ..] = significant {
                significant = rest;
            }
            let prime_bits = match significant.first() {
                // At most 65535 bytes, so the product fits a u32.
                Some(first) => significant.len() as u32 * 8 - first.leading_zeros(),
                None => 0,
            };
            Ok(Some(KeyExchangeParams::Dhe { prime_bits }))
        }
        _ => Ok(None),
    }
}

/// A client certificate type of a CertificateRequest (RFC 5246 7.4.4, RFC 8422).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientCertificateType(pub u8);

impl ClientCertificateType {
    /// The registry name (`rsa_sign`, `ecdsa_sign`...), or `None`.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "rsa_sign",
            2 => "dss_sign",
            3 => "rsa_fixed_dh",
            4 => "dss_fixed_dh",
            5 => "rsa_ephemeral_dh",
            6 => "dss_ephemeral_dh",
            20 => "fortezza_dms",
            64 => "ecdsa_sign",
            65 => "rsa_fixed_ecdh",
            66 => "ecdsa_fixed_ecdh",
            _ => return None,
        })
    }
}

impl std::fmt::Display for ClientCertificateType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown certificate type {}", self.0),
        }
    }
}

/// A TLS <= 1.2 CertificateRequest: the server asks the client for a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    /// Accepted client certificate key types.
    pub certificate_types: Vec<ClientCertificateType>,
    /// Accepted signature schemes (TLS 1.2 only; empty for TLS 1.0/1.1).
    pub signature_schemes: Vec<SignatureScheme>,
    /// DER distinguished names of the CAs whose certificates the server accepts (may be empty: any).
    pub authorities: Vec<Vec<u8>>,
}

impl CertificateRequest {
    /// Parses a CertificateRequest body sent in a handshake at `version` (TLS 1.2 adds the signature schemes).
    pub fn parse(body: &[u8], version: ProtocolVersion) -> Result<Self, ParseError> {
        let mut r = Reader::new(body);
        let mut types = r.vec8("CertificateRequest certificate_types")?;
        if types.is_empty() {
            return Err(types.invalid("CertificateRequest certificate_types (empty)"));
        }
        let certificate_types = types.rest().iter().map(|t| ClientCertificateType(*t)).collect();
        let mut signature_schemes = Vec::new();
        if version >= ProtocolVersion::TLS1_2 {
            let mut schemes = r.vec16("CertificateRequest supported_signature_algorithms")?;
            if schemes.remaining() % 2 != 0 {
                return Err(schemes.invalid("CertificateRequest supported_signature_algorithms (odd length)"));
            }
            while !schemes.is_empty() {
                signature_schemes.push(SignatureScheme(schemes.u16("CertificateRequest signature scheme")?));
            }
        }
        let mut names = r.vec16("CertificateRequest certificate_authorities")?;
        r.expect_end("CertificateRequest (bytes after certificate_authorities)")?;
        let mut authorities = Vec::new();
        while !names.is_empty() {
            authorities.push(names.vec16("CertificateRequest distinguished name")?.rest().to_vec());
        }
        Ok(CertificateRequest { certificate_types, signature_schemes, authorities })
    }

    /// The acceptable CA names as text (`CN=Camera CA, O=Vendor`); a name that is not valid DER is shown as
    /// hex.
    pub fn authority_names(&self) -> Vec<String> {
        self.authorities.iter().map(|der| distinguished_name_text(der)).collect()
    }
}

/// A DER distinguished name as RFC 4514-style text, or hex when it does not parse.
fn distinguished_name_text(der: &[u8]) -> String {
    match X509Name::from_der(der) {
        Ok((_, name)) => crate::cert::dn::name_text(&name),
        Err(_) => der.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::reader::put_vec;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// DER of the name `CN=Test CA`.
    const TEST_CA: [u8; 20] = [
        0x30, 0x12, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x07, b'T', b'e', b's', b't',
        b' ', b'C', b'A',
    ];

    #[test]
    fn certificate_lists() {
        let mut entries = Vec::new();
        put_vec(&mut entries, 3, &[0x30, 1, 2]);
        put_vec(&mut entries, 3, &[0x30, 3]);
        let mut body = Vec::new();
        put_vec(&mut body, 3, &entries);
        assert_eq!(parse_certificate_list(&body).unwrap(), [vec![0x30, 1, 2], vec![0x30, 3]]);
        assert_eq!(parse_certificate_list(&[0, 0, 0]).unwrap(), Vec::<Vec<u8>>::new());
        assert!(matches!(
            parse_certificate_list(&[0, 0, 3, 0, 0, 0]),
            Err(ParseError::Invalid { pos: 6, .. })
        ));
        for len in 0..body.len() {
            assert!(matches!(parse_certificate_list(&body[..len]), Err(ParseError::Invalid { .. })), "{len}");
        }
        let mut trailing = body.clone();
        trailing.push(0);
        assert!(parse_certificate_list(&trailing).is_err());
    }

    #[test]
    fn certificate_requests_for_each_version() {
        let mut body = vec![2, 1, 64];
        put_vec(&mut body, 2, &[4, 1, 2, 1]);
        let mut names = Vec::new();
        put_vec(&mut names, 2, &TEST_CA);
        put_vec(&mut names, 2, &[1, 2, 3]);
        put_vec(&mut body, 2, &names);
        let request = CertificateRequest::parse(&body, ProtocolVersion::TLS1_2).unwrap();
        assert_eq!(request.certificate_types, [ClientCertificateType(1), ClientCertificateType(64)]);
        assert_eq!(
            request.signature_schemes,
            [SignatureScheme::RSA_PKCS1_SHA256, SignatureScheme::RSA_PKCS1_SHA1]
        );
        assert_eq!(request.authority_names(), ["CN=Test CA", "010203"]);
        assert_eq!(ClientCertificateType(64).to_string(), "ecdsa_sign");
        assert_eq!(ClientCertificateType(9).to_string(), "unknown certificate type 9");

        // TLS 1.0/1.1 have no signature algorithm list.
        let mut old = vec![1, 1];
        put_vec(&mut old, 2, &[]);
        let request = CertificateRequest::parse(&old, ProtocolVersion::TLS1_0).unwrap();
        assert!(request.signature_schemes.is_empty() && request.authorities.is_empty());
        assert!(CertificateRequest::parse(&old, ProtocolVersion::TLS1_2).is_err());
        assert!(CertificateRequest::parse(&[0, 0, 0], ProtocolVersion::TLS1_0).is_err());
        assert!(CertificateRequest::parse(&[1, 1, 0, 1, 4, 0, 0], ProtocolVersion::TLS1_2).is_err());
        for len in 0..body.len() {
            assert!(CertificateRequest::parse(&body[..len], ProtocolVersion::TLS1_2).is_err(), "{len}");
        }
    }

    #[test]
    fn key_exchange_parameters() {
        let ecdhe = [3, 0, 29, 2, 4, 4, 0xaa, 0xbb];
        assert_eq!(
            parse_server_key_exchange(&ecdhe, CipherSuite(0xc02f)),
            Ok(Some(KeyExchangeParams::Ecdhe { group: NamedGroup::X25519 }))
        );
        assert!(parse_server_key_exchange(&[1, 0, 29], CipherSuite(0xc02f)).is_err());
        let mut dhe = Vec::new();
        let mut p = vec![0u8; 128];
        p[1] = 0x80;
        put_vec(&mut dhe, 2, &p); // leading zero byte, then 0x80: 127 bytes of which the top bit is set
        put_vec(&mut dhe, 2, &[2]);
        put_vec(&mut dhe, 2, &[7; 128]);
        assert_eq!(
            parse_server_key_exchange(&dhe, CipherSuite(0x0033)),
            Ok(Some(KeyExchangeParams::Dhe { prime_bits: 1016 }))
        );
        let mut zero = Vec::new();
        put_vec(&mut zero, 2, &[0, 0]);
        put_vec(&mut zero, 2, &[2]);
        put_vec(&mut zero, 2, &[1]);
        assert_eq!(
            parse_server_key_exchange(&zero, CipherSuite(0x0033)),
            Ok(Some(KeyExchangeParams::Dhe { prime_bits: 0 }))
        );
        let psk = [[0, 1, b'h'].as_slice(), &ecdhe].concat();
        assert!(matches!(
            parse_server_key_exchange(&psk, CipherSuite(0xc035)),
            Ok(Some(KeyExchangeParams::Ecdhe { .. }))
        ));
        assert_eq!(parse_server_key_exchange(&[], CipherSuite(0x002f)), Ok(None));
        assert_eq!(parse_server_key_exchange(&[], CipherSuite(0xfefe)), Ok(None));
        assert!(parse_server_key_exchange(&dhe[..100], CipherSuite(0x0033)).is_err());
    }
}
