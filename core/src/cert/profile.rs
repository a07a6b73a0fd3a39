//! What each certificate on the path is fit for: dates, key and signature strength, X.509 version, whether
//! issuers are CAs, and whether the leaf may serve as a TLS server certificate.

use super::chain::{Cert, Path};
use super::crypto::{Hash, PublicKey};
use crate::UnixTime;
use crate::diagnose::codes::{self as c};
use crate::diagnose::{Finding, Severity};

/// Warn this long before expiry.
const EXPIRY_WARNING_SECS: i64 = 30 * 86_400;
/// CA/Browser Forum limit for server certificate validity.
const MAX_VALIDITY_DAYS: i64 = 398;

/// Checks that apply to every certificate on the path: dates, strength, version, CA status of issuers.
pub(crate) fn check_certificate(
    cert: &Cert<'_>,
    pos: usize,
    path: &Path,
    now: UnixTime,
    out: &mut Vec<Finding>,
) {
    let is_root = cert.self_issued() && pos + 1 == path.certs.len() && pos > 0;
    let validity = cert.x509.validity();
    let (not_before, not_after) = (validity.not_before.timestamp(), validity.not_after.timestamp());
    let nb = UnixTime(not_before).to_rfc3339();
    let na = UnixTime(not_after).to_rfc3339();
    let now_s = now.secs();
    if now_s > not_after {
        out.push(
            Finding::new(
                c::CERT_EXPIRED,
                format!("{} expired on {na} ({} days ago)", cert.label(), (now_s - not_after) / 86_400),
            )
            .with_evidence("certificate", cert.located())
            .with_evidence("not_after", na.clone())
            .with_evidence("now", now.to_rfc3339()),
        );
    } else if now_s < not_before {
        out.push(
            Finding::new(
                c::CERT_NOT_YET_VALID,
                format!(
                    "{} is valid only from {nb} ({} days from now)",
                    cert.label(),
                    (not_before - now_s + 86_399) / 86_400
                ),
            )
            .with_evidence("certificate", cert.located())
            .with_evidence("not_before", nb.clone())
            .with_evidence("now", now.to_rfc3339()),
        );
    } else if not_after - now_s <= EXPIRY_WARNING_SECS {
        out.push(
            Finding::new(
                c::CERT_EXPIRING_SOON,
                format!("{} expires on {na}, in {} days", cert.label(), (not_after - now_s) / 86_400),
            )
            .with_evidence("certificate", cert.located())
            .with_evidence("not_after", na.clone())
            .with_evidence("now", now.to_rfc3339()),
        );
    }
    let days = (not_after - not_before) / 86_400;
    if pos == 0 && days > MAX_VALIDITY_DAYS {
        out.push(
            Finding::new(
                c::CERT_VALIDITY_TOO_LONG,
                format!("{} is valid for {days} days (more than {MAX_VALIDITY_DAYS})", cert.label()),
            )
            .with_evidence("not_before", nb)
            .with_evidence("not_after", na),
        );
    }

    match &cert.key {
        Ok(key) => {
            let weak = match key {
                PublicKey::Rsa { .. } => key.bits().is_some_and(|b| b < 2048),
                PublicKey::Ec { .. } => key.bits().is_some_and(|b| b < 256),
                _ => false,
            };
            if weak {
                out.push(
                    Finding::new(c::CERT_WEAK_KEY, format!("{} has a {} key", cert.label(), key.describe()))
                        .with_evidence("certificate", cert.located())
                        .with_evidence("key", key.describe()),
                );
            }
        }
        Err(e) => out.push(
            Finding::new(
                c::CERT_WEAK_KEY,
                format!("{} has a public key rtspeek cannot use: {e}", cert.label()),
            )
            .with_severity(Severity::Warning)
            .with_evidence("certificate", cert.located()),
        ),
    }

    if let Some(digest) = cert.sig_alg.hash().and_then(weak_digest) {
        // A root's self-signature is never checked by clients: weak there is only worth knowing.
        let severity = if is_root { Severity::Info } else { Severity::Error };
        out.push(
            Finding::new(
                c::CERT_WEAK_SIGNATURE,
                format!("{} is signed with {}", cert.label(), cert.sig_alg.name()),
            )
            .with_severity(severity)
            .with_evidence("certificate", cert.located())
            .with_evidence("signature_algorithm", cert.sig_alg.name())
            .with_evidence("digest", digest),
        );
    }

    let version = cert.x509.version().0 + 1;
    if version < 3 {
        let severity = if is_root { Severity::Info } else { Severity::Error };
        out.push(
            Finding::new(
                c::CERT_VERSION_1,
                format!("{} is an X.509 version {version} certificate", cert.label()),
            )
            .with_severity(severity)
            .with_evidence("certificate", cert.located())
            .with_evidence("version", version.to_string()),
        );
    }

    if pos > 0 && !path.ends_at_anchor_cert(cert.index) && !issuer_may_sign(cert) {
        let why =
            if cert.is_ca() { "its keyUsage lacks keyCertSign" } else { "it lacks basicConstraints CA:TRUE" };
        out.push(
            Finding::new(c::CERT_ISSUER_NOT_CA, format!("{} issues certificates but {why}", cert.label()))
                .with_evidence("certificate", cert.located()),
        );
    }
}

/// Whether `cert` may issue certificates: basicConstraints CA:TRUE and, when keyUsage is present, keyCertSign.
pub(crate) fn issuer_may_sign(cert: &Cert<'_>) -> bool {
    let ku = cert.x509.key_usage().ok().flatten();
    cert.is_ca() && ku.is_none_or(|k| k.value.key_cert_sign())
}

/// Whether the leaf may be used as a TLS server certificate.
pub(crate) fn check_leaf_purpose(leaf: &Cert<'_>, out: &mut Vec<Finding>) {
    if leaf.is_ca() {
        out.push(
            Finding::new(
                c::CERT_LEAF_IS_CA,
                format!("the server certificate {} has basicConstraints CA:TRUE", leaf.label()),
            )
            .with_evidence("certificate", leaf.located()),
        );
    }
    if let Ok(Some(ku)) = leaf.x509.key_usage() {
        let ku = ku.value;
        if !ku.digital_signature() {
            let rsa = matches!(leaf.key, Ok(PublicKey::Rsa { .. }));
            let (severity, why) = if rsa && ku.key_encipherment() {
                (
                    Severity::Warning,
                    "only TLS 1.2 RSA key exchange can work; TLS 1.3 and ECDHE need digitalSignature",
                )
            } else {
                (
                    Severity::Error,
                    "TLS servers need digitalSignature (or keyEncipherment for RSA key exchange)",
                )
            };
            out.push(
                Finding::new(c::CERT_KEY_USAGE, format!("keyUsage of {} is {ku}: {why}", leaf.label()))
                    .with_severity(severity)
                    .with_evidence("key_usage", ku.to_string()),
            );
        }
    }
    if let Ok(Some(eku)) = leaf.x509.extended_key_usage() {
        let eku = eku.value;
        if !eku.server_auth && !eku.any {
            let mut listed = Vec::new();
            for (set, name) in [
                (eku.client_auth, "clientAuth"),
                (eku.code_signing, "codeSigning"),
                (eku.email_protection, "emailProtection"),
                (eku.time_stamping, "timeStamping"),
                (eku.ocsp_signing, "OCSPSigning"),
            ] {
                if set {
                    listed.push(name.to_owned());
                }
            }
            listed.extend(eku.other.iter().map(|o| o.to_id_string()));
            let code = if eku.client_auth && listed.len() == 1 {
                c::CERT_CLIENT_ONLY
            } else {
                c::CERT_EKU_NO_SERVER_AUTH
            };
            out.push(
                Finding::new(
                    code,
                    format!(
                        "extendedKeyUsage of {} is {} without serverAuth",
                        leaf.label(),
                        listed.join(", ")
                    ),
                )
                .with_evidence("extended_key_usage", listed.join(", ")),
            );
        }
    }
}

/// MD5 and SHA-1 are broken for signatures (chosen-prefix collisions).
fn weak_digest(hash: Hash) -> Option<&'static str> {
    match hash {
        Hash::Md5 => Some("MD5"),
        Hash::Sha1 => Some("SHA-1"),
        Hash::Sha224 | Hash::Sha256 | Hash::Sha384 | Hash::Sha512 => None,
    }
}
