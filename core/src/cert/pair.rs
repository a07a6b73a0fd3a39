//! The key pair check: does the private key belong to the server certificate (what a server validates before
//! loading the pair)?

use sha2::{Digest, Sha256};

use super::InputFile;
use super::chain::Cert;
use super::crypto::{KeyError, PublicKey};
use super::facts::{KeyFacts, hex};
use super::input::{self, Block};
use super::key::{self, KeyFormat};
use crate::diagnose::codes::{self as c};
use crate::diagnose::{Finding, Severity};

/// Reads the key and compares it with the leaf.
pub(crate) fn check_key(
    file: InputFile<'_>,
    passphrase: Option<&[u8]>,
    leaf: &Cert<'_>,
    out: &mut Vec<Finding>,
) -> KeyFacts {
    let mut facts =
        KeyFacts { source: file.name.to_owned(), format: String::new(), key: None, matches_leaf: None };
    let blocks = match input::split(file.name, file.bytes) {
        Ok(b) => b,
        Err(why) => {
            out.push(
                Finding::new(c::CERT_KEY_PARSE_ERROR, format!("{}: {why}", file.name))
                    .with_evidence("file", file.name),
            );
            return facts;
        }
    };
    let is_key = |b: &&Block| b.label.as_deref().is_none_or(|l| l.contains("PRIVATE KEY"));
    let Some(block) = blocks.iter().find(is_key) else {
        let labels: Vec<&str> = blocks.iter().filter_map(|b| b.label.as_deref()).collect();
        out.push(
            Finding::new(
                c::CERT_KEY_PARSE_ERROR,
                format!("{} holds no private key, only {} block(s)", file.name, labels.join(", ")),
            )
            .with_evidence("file", file.name),
        );
        return facts;
    };
    let der = match &block.der {
        Ok(der) => der,
        Err(e) => {
            out.push(
                Finding::new(c::CERT_KEY_PARSE_ERROR, format!("{}: {}", block.describe(), e.reason))
                    .with_evidence("block", block.describe())
                    .with_evidence("byte_offset", e.offset.to_string()),
            );
            return facts;
        }
    };
    match key::parse_private_key(block.label.as_deref(), der, &block.headers, passphrase) {
        Ok(info) => {
            facts.format = match info.format {
                KeyFormat::Pkcs1 => "pkcs1",
                KeyFormat::Pkcs8 => "pkcs8",
                KeyFormat::Sec1 => "sec1",
            }
            .to_owned();
            facts.key = Some(info.public.describe());
            if let Ok(cert_key) = &leaf.key {
                let matches = *cert_key == info.public;
                facts.matches_leaf = Some(matches);
                if !matches {
                    out.push(
                        Finding::new(
                            c::CERT_KEY_MISMATCH,
                            format!(
                                "the private key in {} does not belong to {}",
                                block.describe(),
                                leaf.label()
                            ),
                        )
                        .with_evidence(
                            "key",
                            format!("{} ({})", info.public.describe(), key_id(&info.public)),
                        )
                        .with_evidence(
                            "certificate_key",
                            format!("{} ({})", cert_key.describe(), key_id(cert_key)),
                        ),
                    );
                }
            }
        }
        Err(KeyError::Encrypted { format }) => out.push(
            Finding::new(
                c::CERT_KEY_ENCRYPTED,
                format!(
                    "{} is an encrypted key ({format}); give the passphrase to check the pair",
                    block.describe()
                ),
            )
            .with_evidence("block", block.describe()),
        ),
        Err(e @ KeyError::WrongPassphrase { .. }) => out.push(
            Finding::new(c::CERT_KEY_ENCRYPTED, format!("{}: {e}", block.describe()))
                .with_severity(Severity::Error)
                .with_remediation("Check the passphrase (the variable named by --key-passphrase-env), or decrypt the key with the tool that made it.")
                .with_evidence("block", block.describe()),
        ),
        Err(e) => out.push(
            Finding::new(c::CERT_KEY_PARSE_ERROR, format!("{}: {e}", block.describe()))
                .with_evidence("block", block.describe()),
        ),
    }
    facts
}

/// A short, comparable identifier for a public key (first bytes of the SHA-256 of its normalised form).
fn key_id(key: &PublicKey) -> String {
    let mut h = Sha256::new();
    match key {
        PublicKey::Rsa { n, e } => {
            h.update(n);
            h.update(e);
        }
        PublicKey::Ec { point, .. } => h.update(point),
        PublicKey::Ed25519(k) => h.update(k),
        PublicKey::Other { algorithm } => h.update(algorithm.as_bytes()),
    }
    let digest: [u8; 32] = h.finalize().into();
    format!("sha256 {}", hex(&digest[..8], ""))
}
