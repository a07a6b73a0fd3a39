//! The certificate analysis: parse everything, build the path, run every check, collect every finding.

use sha2::{Digest, Sha256};
use x509_parser::prelude::{GeneralName, X509Certificate, parse_x509_certificate};

use super::anchors::{self, Anchor};
use super::chain::{self, Cert, End, Issuer, Path};
use super::crypto::{Hash, PublicKey, SignatureAlgorithm, VerifyError};
use super::facts::{CertRole, CertificateFacts, CertificateSummary, KeyFacts};
use super::input::{self, Block, InputError, der_structure_error};
use super::key::{self, KeyFormat};
use super::names::{self, DnsEntryKind, Host};
use super::{CertCheck, InputFile};
use crate::UnixTime;
use crate::diagnose::codes::{self as c};
use crate::diagnose::{
    Finding, Layer, Report, ReportBuilder, Severity, TrustOutcome, TrustStatus, TrustStore,
};

/// Warn this long before expiry.
const EXPIRY_WARNING_SECS: i64 = 30 * 86_400;
/// CA/Browser Forum limit for server certificate validity.
const MAX_VALIDITY_DAYS: i64 = 398;

/// Analyses certificates, optionally with their key, a host and trust anchors. See the [module docs](super).
///
/// Fails only when the certificate files hold no certificate at all, an anchor file holds none, or the host is
/// not a host; every other problem is a finding in the report.
pub fn analyze(check: &CertCheck<'_>) -> Result<Report, InputError> {
    let host = check.host.map(Host::parse).transpose()?;
    let blocks = split_files(check.certificates)?;
    let mut report = ReportBuilder::new(target(check), &[Layer::Certificate]);
    report.reached(Layer::Certificate);

    let certs = parse_certificates(&blocks, &mut report);
    if certs.is_empty() {
        return Err(no_certificate(check.certificates, &blocks));
    }

    let anchor_blocks = match check.anchors {
        Some(files) => Some(split_anchor_files(files)?),
        None => None,
    };
    let (anchors, store) = match &anchor_blocks {
        Some(blocks) => custom_anchors(blocks, check.anchors.unwrap_or_default())?,
        None => {
            let roots = anchors::web_pki();
            let n = roots.len();
            (roots, TrustStore::WebPki { anchors: n })
        }
    };

    let leaf = chain::pick_leaf(&certs);
    let path = chain::build(&certs, &anchors, leaf);
    let mut out = Vec::new();
    check_path(&certs, &anchors, &path, &mut out);
    check_order(&certs, &path, &mut out);
    for (pos, &i) in path.certs.iter().enumerate() {
        check_certificate(&certs[i], pos, &path, check.now, &mut out);
    }
    check_leaf_purpose(&certs[leaf], &mut out);
    check_names(&certs[leaf], host.as_ref(), &mut out);
    let key_facts = check.key.map(|k| check_key(k, check.key_passphrase, &certs[leaf], &mut out));
    report.extend(out);

    // A strict client accepts the path only if every signature verifies and every issuer is a CA.
    let path_valid = path.links.iter().all(|l| l.verified.is_ok())
        && path.certs.iter().skip(1).all(|&i| path.ends_at_anchor_cert(i) || issuer_may_sign(&certs[i]));
    let trust = trust_status(&path, &anchors, store, path_valid);
    let anchor_name = trust.anchor.clone();
    report.trust(trust);
    report.facts_mut().certificate = Some(CertificateFacts {
        host: host.map(|h| h.to_string()),
        chain: path
            .certs
            .iter()
            .enumerate()
            .map(|(pos, &i)| summary(&certs[i], role(&certs[i], pos), path.self_signed(i)))
            .collect(),
        unused: certs
            .iter()
            .filter(|cert| !path.certs.contains(&cert.index))
            .map(|cert| {
                summary(cert, CertRole::Unused, cert.self_issued() && cert.verify_with(&cert.key).is_ok())
            })
            .collect(),
        anchor: anchor_name,
        key: key_facts,
    });
    Ok(report.finish())
}

fn target(check: &CertCheck<'_>) -> String {
    let names: Vec<&str> = check.certificates.iter().map(|f| f.name).collect();
    format!("certificate check: {}", names.join(", "))
}

fn split_files(files: &[InputFile<'_>]) -> Result<Vec<Block>, InputError> {
    let mut blocks = Vec::new();
    for file in files {
        let found = input::split(file.name, file.bytes)
            .map_err(|reason| InputError::NoCertificate { file: file.name.to_owned(), reason })?;
        blocks.extend(found);
    }
    Ok(blocks)
}

fn split_anchor_files(files: &[InputFile<'_>]) -> Result<Vec<Block>, InputError> {
    let mut blocks = Vec::new();
    for file in files {
        let found = input::split(file.name, file.bytes)
            .map_err(|reason| InputError::NoAnchor { file: file.name.to_owned(), reason })?;
        blocks.extend(found);
    }
    Ok(blocks)
}

fn no_certificate(files: &[InputFile<'_>], blocks: &[Block]) -> InputError {
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    let labels: Vec<String> = blocks.iter().filter_map(|b| b.label.clone()).collect();
    let reason = if blocks.iter().any(|b| b.is_certificate()) {
        "no certificate block could be parsed (see the errors above)".to_owned()
    } else if labels.is_empty() {
        "no PEM blocks".to_owned()
    } else {
        format!("only {} block(s)", labels.join(", "))
    };
    InputError::NoCertificate { file: names.join(", "), reason }
}

/// Parses every certificate block; other blocks and parse failures become findings.
fn parse_certificates<'a>(blocks: &'a [Block], report: &mut ReportBuilder) -> Vec<Cert<'a>> {
    let mut certs = Vec::new();
    for block in blocks {
        if !block.is_certificate() {
            let label = block.label.as_deref().unwrap_or("");
            let finding = Finding::new(
                c::CERT_NON_CERTIFICATE_BLOCK,
                format!("{} is a {label}, not a certificate; ignored", block.describe()),
            )
            .with_evidence("block", block.describe());
            let finding = if label.contains("PRIVATE KEY") {
                finding.with_severity(Severity::Warning).with_detail(
                    "A private key inside a certificate bundle travels wherever the bundle is copied.",
                )
            } else {
                finding
            };
            report.push(finding);
            continue;
        }
        let der = match &block.der {
            Ok(der) => der,
            Err(e) => {
                report.push(
                    Finding::new(c::CERT_PARSE_ERROR, format!("{}: {}", block.describe(), e.reason))
                        .with_evidence("block", block.describe())
                        .with_evidence("byte_offset", e.offset.to_string()),
                );
                continue;
            }
        };
        match parse_x509_certificate(der) {
            Ok((rest, x509)) if rest.is_empty() || block.label.as_deref() == Some("TRUSTED CERTIFICATE") => {
                let key = PublicKey::from_spki_der(x509.public_key().raw);
                let sig_alg = SignatureAlgorithm::from_x509(&x509.signature_algorithm);
                certs.push(Cert { index: certs.len(), block, der, x509, key, sig_alg });
            }
            Ok((rest, _)) => {
                report.push(parse_error(
                    block,
                    der.len() - rest.len(),
                    "trailing bytes after the certificate",
                ));
            }
            Err(e) => {
                let (offset, why) = der_structure_error(der)
                    .or_else(|| super::shape::first_shape_error(der))
                    .unwrap_or((0, format!("not an X.509 certificate: {e}")));
                report.push(parse_error(block, offset, &why));
            }
        }
    }
    certs
}

fn parse_error(block: &Block, offset_in_der: usize, why: &str) -> Finding {
    let finding = Finding::new(
        c::CERT_PARSE_ERROR,
        format!("{}: {why} (byte {offset_in_der} of the DER)", block.describe()),
    )
    .with_evidence("block", block.describe())
    .with_evidence("byte_offset_in_der", offset_in_der.to_string());
    // In a DER file the DER offset maps straight to the file; in PEM it is inside the base64 body.
    match block.label {
        None => finding.with_evidence("byte_offset", (block.offset + offset_in_der).to_string()),
        Some(_) => finding,
    }
}

fn custom_anchors<'a>(
    blocks: &'a [Block],
    files: &[InputFile<'_>],
) -> Result<(Vec<Anchor<'a>>, TrustStore), InputError> {
    let mut anchors = Vec::new();
    for block in blocks.iter().filter(|b| b.is_certificate()) {
        let Ok(der) = &block.der else { continue };
        if let Ok((_, x509)) = parse_x509_certificate(der) {
            anchors.push(Anchor::from_cert(&x509, block.describe()));
        }
    }
    let sources: Vec<String> = files.iter().map(|f| f.name.to_owned()).collect();
    if anchors.is_empty() {
        return Err(InputError::NoAnchor {
            file: sources.join(", "),
            reason: "no readable CERTIFICATE block".to_owned(),
        });
    }
    let n = anchors.len();
    Ok((anchors, TrustStore::Custom { anchors: n, sources }))
}

/// Signatures and how the path ends.
fn check_path(certs: &[Cert<'_>], anchors: &[Anchor<'_>], path: &Path, out: &mut Vec<Finding>) {
    for link in &path.links {
        let subject = &certs[link.subject];
        let issuer_label = match &link.issuer {
            Issuer::Cert(i) => certs[*i].located(),
            Issuer::SelfSigned => "itself".to_owned(),
            Issuer::Anchor(i) => format!("trust anchor {} ({})", anchors[*i].name(), anchors[*i].source),
            Issuer::Missing => continue,
        };
        match &link.verified {
            Ok(()) => {}
            Err(VerifyError::Invalid) => out.push(
                Finding::new(
                    c::CERT_BAD_SIGNATURE,
                    format!(
                        "the signature of {} does not verify with the key of {issuer_label}",
                        subject.label()
                    ),
                )
                .with_evidence("certificate", subject.located())
                .with_evidence("issuer", issuer_label)
                .with_evidence("signature_algorithm", subject.sig_alg.name()),
            ),
            Err(VerifyError::Unsupported(why)) => out.push(
                Finding::new(
                    c::CERT_SIGNATURE_UNSUPPORTED,
                    format!("cannot verify the signature of {} ({why})", subject.label()),
                )
                .with_evidence("certificate", subject.located())
                .with_evidence("signature_algorithm", subject.sig_alg.name()),
            ),
        }
    }
    let top = &certs[*path.certs.last().unwrap_or(&0)];
    match path.end {
        End::IsAnchor(_) | End::IssuedByAnchor(_) => {
            if top.index == path.leaf() && top.self_issued() {
                out.push(
                    Finding::new(
                        c::CERT_SELF_SIGNED,
                        format!(
                            "{} is self-signed; trusted here only because it is itself a trust anchor",
                            top.label()
                        ),
                    )
                    .with_severity(Severity::Info)
                    .with_evidence("certificate", top.located()),
                );
            }
        }
        End::UntrustedRoot if top.index == path.leaf() => out.push(
            Finding::new(
                c::CERT_SELF_SIGNED,
                format!("{} is self-signed and not a trust anchor", top.label()),
            )
            .with_evidence("certificate", top.located())
            .with_evidence("subject", top.subject())
            .with_evidence("sha256_fingerprint", fingerprint(top.der)),
        ),
        End::UntrustedRoot => out.push(
            Finding::new(
                c::CERT_UNTRUSTED_ISSUER,
                format!("the chain ends at root {}, which is not a trust anchor", top.subject()),
            )
            .with_evidence("root", top.located())
            .with_evidence("root_sha256_fingerprint", fingerprint(top.der)),
        ),
        End::Incomplete => {
            let mut f = Finding::new(
                c::CERT_CHAIN_INCOMPLETE,
                format!(
                    "{} is issued by {}, which is neither supplied nor a trust anchor",
                    top.label(),
                    display_name(&top.issuer())
                ),
            )
            .with_evidence("certificate", top.located())
            .with_evidence("missing_issuer", display_name(&top.issuer()));
            if let Some(aki) = authority_key_id(&top.x509) {
                f = f.with_evidence("missing_issuer_key_id", aki);
            }
            out.push(f);
        }
    }
}

fn trust_status(path: &Path, anchors: &[Anchor<'_>], store: TrustStore, path_valid: bool) -> TrustStatus {
    let store_text = match &store {
        TrustStore::WebPki { anchors } => {
            format!("the public web PKI (Mozilla roots via webpki-roots, {anchors} roots)")
        }
        TrustStore::Custom { anchors, sources } => {
            format!("the CA certificates given with --ca ({}: {anchors} certificate(s))", sources.join(", "))
        }
    };
    let unsupported = path.links.iter().any(|l| matches!(l.verified, Err(VerifyError::Unsupported(_))));
    let (outcome, anchor) = match path.end {
        End::IssuedByAnchor(a) | End::IsAnchor(a) if path_valid => {
            (TrustOutcome::Trusted, Some(anchors[a].name()))
        }
        End::IssuedByAnchor(_) | End::IsAnchor(_) if unsupported => (TrustOutcome::NotEvaluated, None),
        _ => (TrustOutcome::Untrusted, None),
    };
    let statement = match (&outcome, &anchor) {
        (TrustOutcome::Trusted, Some(a)) => {
            format!("Trusted: every signature verified up to {a}, an anchor of {store_text}.")
        }
        (TrustOutcome::NotEvaluated, _) => {
            format!(
                "Not evaluated: a signature on the path uses an algorithm rtspeek cannot verify ({store_text})."
            )
        }
        _ => format!("Not trusted: no verified path to an anchor of {store_text}."),
    };
    TrustStatus { store, outcome, anchor, overridden: false, statement }
}

/// Leaf-to-root order, wrong intermediates, and certificates that do not belong.
fn check_order(certs: &[Cert<'_>], path: &Path, out: &mut Vec<Finding>) {
    let on_path = |i: usize| path.certs.contains(&i);
    if path.certs.windows(2).any(|w| w[0] > w[1]) || path.leaf() != 0 {
        let given: Vec<String> =
            certs.iter().filter(|c| on_path(c.index)).map(|c| format!("#{}", c.index + 1)).collect();
        let expected: Vec<String> = path.certs.iter().map(|i| format!("#{}", i + 1)).collect();
        out.push(
            Finding::new(
                c::CERT_CHAIN_ORDER,
                format!(
                    "certificates are given as {} but the chain order is {}",
                    given.join(", "),
                    expected.join(", ")
                ),
            )
            .with_evidence("given_order", given.join(", "))
            .with_evidence("chain_order", expected.join(" -> ")),
        );
    }
    let mut named_wrong = Vec::new();
    for pair in certs.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        // Only where the path breaks: `a`'s issuer is nowhere, and what follows it is another CA certificate.
        let path_breaks_at_a = path.end == End::Incomplete && path.certs.last() == Some(&a.index);
        if path_breaks_at_a && !b.self_issued() && !a.issued_by_name(b) {
            named_wrong.push(b.index);
            out.push(
                Finding::new(
                    c::CERT_ISSUER_MISMATCH,
                    format!(
                        "{} follows {} but did not issue it: {} is issued by {}",
                        b.label(),
                        a.label(),
                        a.subject(),
                        display_name(&a.issuer())
                    ),
                )
                .with_evidence("certificate", a.located())
                .with_evidence("expected_issuer", display_name(&a.issuer()))
                .with_evidence("bundled_instead", b.subject()),
            );
        }
    }
    if path.end == End::Incomplete {
        return;
    }
    for cert in certs.iter().filter(|c| !on_path(c.index) && !named_wrong.contains(&c.index)) {
        out.push(
            Finding::new(
                c::CERT_UNUSED_CERTIFICATE,
                format!("{} is not on the path from the server certificate to its root", cert.label()),
            )
            .with_evidence("certificate", cert.located())
            .with_evidence("issuer", display_name(&cert.issuer())),
        );
    }
}

/// Checks that apply to every certificate on the path: dates, strength, version, CA status of issuers.
fn check_certificate(cert: &Cert<'_>, pos: usize, path: &Path, now: UnixTime, out: &mut Vec<Finding>) {
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
fn issuer_may_sign(cert: &Cert<'_>) -> bool {
    let ku = cert.x509.key_usage().ok().flatten();
    cert.is_ca() && ku.is_none_or(|k| k.value.key_cert_sign())
}

/// Whether the leaf may be used as a TLS server certificate.
fn check_leaf_purpose(leaf: &Cert<'_>, out: &mut Vec<Finding>) {
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

/// RFC 9525 name checks on the leaf.
fn check_names(leaf: &Cert<'_>, host: Option<&Host>, out: &mut Vec<Finding>) {
    let san = leaf.x509.subject_alternative_name().ok().flatten();
    let (mut dns, mut ips) = (Vec::new(), Vec::new());
    if let Some(san) = &san {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns.push(d.to_string()),
                GeneralName::IPAddress(b) => ips.push(names::ip_from_san(b)),
                _ => {}
            }
        }
    }
    let cns: Vec<String> =
        leaf.x509.subject().iter_common_name().filter_map(|cn| cn.as_str().ok()).map(str::to_owned).collect();
    for entry in &dns {
        match names::classify_dns_entry(entry) {
            DnsEntryKind::InvalidWildcard(why) => out.push(
                Finding::new(
                    c::CERT_WILDCARD_INVALID,
                    format!("subjectAltName DNS:{entry} is ignored by clients: {why}"),
                )
                .with_evidence("san_entry", format!("DNS:{entry}")),
            ),
            DnsEntryKind::IpLiteral => out.push(
                Finding::new(
                    c::CERT_IP_IN_DNS_SAN,
                    format!(
                        "subjectAltName DNS:{entry} is an IP address written as a DNS name; it never matches"
                    ),
                )
                .with_evidence("san_entry", format!("DNS:{entry}")),
            ),
            DnsEntryKind::Exact | DnsEntryKind::Wildcard => {}
        }
    }
    if san.is_none() {
        let cn_text = if cns.is_empty() {
            "and no Common Name".to_owned()
        } else {
            format!("only CN={}", cns.join(", CN="))
        };
        out.push(
            Finding::new(c::CERT_CN_ONLY, format!("{} has no subjectAltName, {cn_text}", leaf.label()))
                .with_evidence("subject", leaf.subject()),
        );
    }
    let listed = || {
        let mut all: Vec<String> = dns.iter().map(|d| format!("DNS:{d}")).collect();
        all.extend(ips.iter().map(|ip| match ip {
            Some(ip) => format!("IP:{ip}"),
            None => "IP:(malformed)".to_owned(),
        }));
        if all.is_empty() { "(none)".to_owned() } else { all.join(", ") }
    };
    match host {
        None => out.push(Finding::new(c::CERT_HOST_NOT_GIVEN, "no host given: name matching not checked")),
        Some(Host::Ip(ip)) => {
            if !ips.iter().any(|e| e.as_ref() == Some(ip)) {
                let mut hints = Vec::new();
                if cns.iter().any(|cn| cn.parse::<core::net::IpAddr>().ok() == Some(*ip)) {
                    hints.push("it is in the Common Name, which clients ignore");
                }
                if dns.iter().any(|d| d.parse::<core::net::IpAddr>().ok() == Some(*ip)) {
                    hints.push("it is written as a DNS entry, which clients never compare with an IP");
                }
                let hint = if hints.is_empty() { String::new() } else { format!(" ({})", hints.join("; ")) };
                out.push(
                    Finding::new(c::CERT_IP_NOT_IN_SAN, format!("no subjectAltName IP entry for {ip}{hint}"))
                        .with_evidence("host", ip.to_string())
                        .with_evidence("subject_alt_names", listed())
                        .with_evidence("common_name", cns.join(", ")),
                );
            }
        }
        Some(Host::Dns(name)) => {
            // Matched per RFC 9525, exactly as for IP hosts: the Common Name never counts, even when it is
            // the only name (then cert.cn_only says why, and this finding which host fails).
            if !dns.iter().any(|d| names::dns_matches(d, name)) {
                let hint = if cns.iter().any(|cn| names::dns_matches(cn, name)) {
                    " (it is in the Common Name, which clients ignore)"
                } else {
                    ""
                };
                out.push(
                    Finding::new(
                        c::CERT_NAME_MISMATCH,
                        format!("{name} is not among the certificate's names{hint}"),
                    )
                    .with_evidence("host", name.clone())
                    .with_evidence("subject_alt_names", listed())
                    .with_evidence("common_name", cns.join(", ")),
                );
            }
        }
    }
}

/// Reads the key and compares it with the leaf.
fn check_key(
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
        Err(super::crypto::KeyError::Encrypted { format }) => out.push(
            Finding::new(
                c::CERT_KEY_ENCRYPTED,
                format!(
                    "{} is an encrypted key ({format}); give the passphrase to check the pair",
                    block.describe()
                ),
            )
            .with_evidence("block", block.describe()),
        ),
        Err(e @ super::crypto::KeyError::WrongPassphrase { .. }) => out.push(
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
    format!("sha256 {}", hex(&h.finalize()[..8], ""))
}

fn authority_key_id(x509: &X509Certificate<'_>) -> Option<String> {
    x509.iter_extensions().find_map(|ext| match ext.parsed_extension() {
        x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(aki) => {
            aki.key_identifier.as_ref().map(|k| hex(k.0, ":"))
        }
        _ => None,
    })
}

/// MD5 and SHA-1 are broken for signatures (chosen-prefix collisions).
fn weak_digest(hash: Hash) -> Option<&'static str> {
    match hash {
        Hash::Md5 => Some("MD5"),
        Hash::Sha1 => Some("SHA-1"),
        Hash::Sha224 | Hash::Sha256 | Hash::Sha384 | Hash::Sha512 => None,
    }
}

fn display_name(name: &str) -> String {
    if name.is_empty() { "(empty name)".to_owned() } else { name.to_owned() }
}

fn hex(bytes: &[u8], sep: &str) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
    parts.join(sep)
}

fn fingerprint(der: &[u8]) -> String {
    hex(&Sha256::digest(der), ":")
}

fn role(cert: &Cert<'_>, pos: usize) -> CertRole {
    if pos == 0 {
        CertRole::Leaf
    } else if cert.self_issued() {
        CertRole::Root
    } else {
        CertRole::Intermediate
    }
}

fn summary(cert: &Cert<'_>, role: CertRole, self_signed: bool) -> CertificateSummary {
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
        signature_algorithm: cert.sig_alg.name(),
        sha256_fingerprint: fingerprint(cert.der),
        version: cert.x509.version().0 + 1,
        is_ca: cert.is_ca(),
        self_signed,
    }
}
