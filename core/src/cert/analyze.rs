//! The certificate analysis: parse everything, build the path, run every check, collect every finding.

use x509_parser::prelude::parse_x509_certificate;

use super::anchors::{self, Anchor};
use super::chain::{self, Cert};
use super::crypto::{PublicKey, SignatureAlgorithm, verify_signature};
use super::facts::{CertRole, CertificateFacts, role, summary};
use super::input::{self, Block, InputError, der_structure_error};
use super::names::{Host, check_names};
use super::pair::check_key;
use super::pin;
use super::profile::{check_certificate, check_leaf_purpose, issuer_may_sign};
use super::trust::{check_order, check_path, trust_status};
use super::verdicts::Verifier;
use super::{CertCheck, InputFile};
use crate::diagnose::codes::{self as c};
use crate::diagnose::{Finding, Layer, Report, ReportBuilder, Severity, TrustStore};

/// Analyses certificates, optionally with their key, a host and trust anchors. See the [module docs](super).
///
/// Fails only when the certificate files hold no certificate at all, an anchor file holds none, or the host is
/// not a host; every other problem is a finding in the report.
pub fn analyze(check: &CertCheck<'_>) -> Result<Report, InputError> {
    analyze_verifying(check, &mut |alg, key, message, signature| {
        verify_signature(alg, key, message, signature)
    })
}

/// [`analyze`], with every signature verification asked of `verifier` (the two-phase API of
/// [`super::verdicts`] answers from verdicts the caller obtained).
pub(crate) fn analyze_verifying(
    check: &CertCheck<'_>,
    verifier: &mut Verifier<'_>,
) -> Result<Report, InputError> {
    let host = check.host.map(Host::parse).transpose()?;
    let blocks = split_files(check.certificates)?;
    let mut report = ReportBuilder::new(target(check), &[Layer::Certificate]);
    report.reached(Layer::Certificate);

    let certs = parse_certificates(&blocks, &mut report);
    let Some(leaf) = chain::pick_leaf(&certs) else {
        return Err(no_certificate(check.certificates, &blocks));
    };

    let anchor_blocks = match check.anchors {
        Some(files) => Some(split_anchor_files(files)?),
        None => None,
    };
    let (anchors, store) = match &anchor_blocks {
        Some(blocks) => {
            let (mut anchors, store) = custom_anchors(blocks, check.anchors.unwrap_or_default())?;
            match check.system_store {
                Some(source) => {
                    let system = anchors.len();
                    let web_pki = check.web_pki_too.then(|| {
                        let roots = anchors::web_pki();
                        let n = roots.len();
                        anchors.extend(roots);
                        n
                    });
                    (anchors, TrustStore::System { anchors: system, source: source.to_owned(), web_pki })
                }
                None => (anchors, store),
            }
        }
        None => {
            let roots = anchors::web_pki();
            let n = roots.len();
            (roots, TrustStore::WebPki { anchors: n })
        }
    };

    let path = chain::build(&certs, &anchors, leaf, verifier);
    let mut out = Vec::new();
    check_path(&certs, &anchors, &path, &mut out);
    check_order(&certs, &path, &mut out);
    for (pos, cert) in path.certs_in(&certs).enumerate() {
        check_certificate(cert, pos, &path, check.now, &mut out);
    }
    check_leaf_purpose(leaf, &mut out);
    check_names(leaf, host.as_ref(), &mut out);
    let key_facts = check.key.map(|k| check_key(k, check.key_passphrase, leaf, &mut out));

    // A strict client accepts the path only if every signature verifies and every issuer is a CA.
    let path_valid = path.links.iter().all(|l| l.verified.is_ok())
        && path.certs_in(&certs).skip(1).all(|c| path.ends_at_anchor_cert(c.index) || issuer_may_sign(c));
    let trust = match check.pin {
        Some(pin) => pin::judge(&pin, leaf.der, leaf.subject(), &mut out),
        None => trust_status(&path, &anchors, store, path_valid),
    };
    report.extend(out);
    let anchor_name = trust.anchor.clone();
    report.trust(trust);
    report.facts_mut().certificate = Some(CertificateFacts {
        host: host.map(|h| h.to_string()),
        chain: path
            .certs_in(&certs)
            .enumerate()
            .map(|(pos, cert)| summary(cert, role(cert, pos), path.self_signed(cert.index)))
            .collect(),
        unused: certs
            .iter()
            .filter(|cert| !path.certs.contains(&cert.index))
            .map(|cert| {
                let genuine = cert.self_issued() && cert.verify_with(&cert.key, verifier).is_ok();
                summary(cert, CertRole::Unused, genuine)
            })
            .collect(),
        anchor: anchor_name,
        key: key_facts,
    });
    let mut report = report.finish();
    report.clients = crate::clients::assess(&report);
    Ok(report)
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
