//! Certificate facts for the report, present even when nothing is wrong (so users can pin a fingerprint or
//! read a SAN list without openssl).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{GeneralName, X509Certificate};

use super::chain::Cert;
use super::names;
use crate::UnixTime;

/// The role a certificate plays in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertRole {
    /// The server (end-entity) certificate.
    Leaf,
    /// An intermediate CA certificate.
    Intermediate,
    /// A self-signed root at the top of the chain.
    Root,
    /// Supplied but not on the path from the leaf to its root.
    Unused,
}

/// One certificate, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateSummary {
    /// Its role.
    pub role: CertRole,
    /// Where it came from: `file block N at byte M`.
    pub source: String,
    /// Subject distinguished name (RFC 4514 style).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, colon-separated hex.
    pub serial: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// subjectAltName DNS entries.
    pub san_dns: Vec<String>,
    /// subjectAltName iPAddress entries.
    pub san_ip: Vec<String>,
    /// Public key: `RSA 2048`, `EC P-256`, `Ed25519`.
    pub key: String,
    /// The key's algorithm (`RSA`, `EC`, `Ed25519`), when readable: what clients' key-size rules look at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_algorithm: Option<String>,
    /// The key's size in bits, when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_bits: Option<u32>,
    /// Signature algorithm: `sha256WithRSAEncryption`, `ecdsa-with-SHA256`...
    pub signature_algorithm: String,
    /// The signature's digest (`SHA-256`, `SHA-1`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_hash: Option<String>,
    /// The subject's Common Name(s): what OpenSSL and GnuTLS clients compare a host name with when
    /// subjectAltName has no DNS entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub common_names: Vec<String>,
    /// SHA-256 of the DER certificate, colon-separated uppercase hex (what certificate pinning uses).
    pub sha256_fingerprint: String,
    /// X.509 version (1 or 3).
    pub version: u32,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    /// Issued and signed by itself.
    pub self_signed: bool,
}

/// The private key, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFacts {
    /// Where it came from.
    pub source: String,
    /// Container format: `pkcs1`, `pkcs8`, `sec1`; empty when unreadable.
    pub format: String,
    /// Key algorithm and size, when readable.
    pub key: Option<String>,
    /// Whether it is the leaf certificate's key (None when it could not be checked).
    pub matches_leaf: Option<bool>,
}

/// Everything learned about the certificates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateFacts {
    /// The host names were checked against, as normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The path from the leaf upwards (leaf first), as far as it could be built from the input.
    pub chain: Vec<CertificateSummary>,
    /// Supplied certificates that are not on the path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unused: Vec<CertificateSummary>,
    /// The anchor the path ends at (subject), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// The private key, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyFacts>,
}

pub(crate) fn authority_key_id(x509: &X509Certificate<'_>) -> Option<String> {
    x509.iter_extensions().find_map(|ext| match ext.parsed_extension() {
        x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(aki) => {
            aki.key_identifier.as_ref().map(|k| hex(k.0, ":"))
        }
        _ => None,
    })
}

pub(crate) fn display_name(name: &str) -> String {
    if name.is_empty() { "(empty name)".to_owned() } else { name.to_owned() }
}

pub(crate) fn hex(bytes: &[u8], sep: &str) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
    parts.join(sep)
}

/// The SHA-256 fingerprint of a DER certificate, as colon-separated uppercase hex (what `openssl x509
/// -fingerprint -sha256` prints after the `=`).
pub fn fingerprint(der: &[u8]) -> String {
    hex(&Sha256::digest(der), ":")
}

pub(crate) fn role(cert: &Cert<'_>, pos: usize) -> CertRole {
    if pos == 0 {
        CertRole::Leaf
    } else if cert.self_issued() {
        CertRole::Root
    } else {
        CertRole::Intermediate
    }
}

pub(crate) fn summary(cert: &Cert<'_>, role: CertRole, self_signed: bool) -> CertificateSummary {
    let v = cert.x509.validity();
    let (mut san_dns, mut san_ip) = (Vec::new(), Vec::new());
    if let Ok(Some(san)) = cert.x509.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => san_dns.push(d.to_string()),
                GeneralName::IPAddress(b) => san_ip.push(match names::ip_from_san(b) {
                    Some(ip) => ip.to_string(),
                    None => format!("(malformed: {})", hex(b, ":")),
                }),
                _ => {}
            }
        }
    }
    CertificateSummary {
        role,
        source: cert.block.describe(),
        subject: cert.subject(),
        issuer: display_name(&cert.issuer()),
        serial: hex(cert.x509.raw_serial(), ":"),
        not_before: UnixTime(v.not_before.timestamp()).to_rfc3339(),
        not_after: UnixTime(v.not_after.timestamp()).to_rfc3339(),
        san_dns,
        san_ip,
        key: match &cert.key {
            Ok(k) => k.describe(),
            Err(e) => format!("unreadable: {e}"),
        },
        key_algorithm: cert.key.as_ref().ok().map(|k| k.algorithm_name().to_owned()),
        key_bits: cert.key.as_ref().ok().and_then(|k| k.bits()),
        signature_algorithm: cert.sig_alg.name(),
        signature_hash: cert.sig_alg.hash().map(|h| h.name().to_owned()),
        common_names: cert
            .x509
            .subject()
            .iter_common_name()
            .filter_map(|cn| cn.as_str().ok())
            .map(str::to_owned)
            .collect(),
        sha256_fingerprint: fingerprint(cert.der),
        version: cert.x509.version().0 + 1,
        is_ca: cert.is_ca(),
        self_signed,
    }
}
