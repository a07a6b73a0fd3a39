//! Chain findings and the trust decision: signatures on the path, how it ends (anchor, untrusted root, missing
//! issuer), the order certificates were given in, and certificates that do not belong.

use super::anchors::Anchor;
use super::chain::{Cert, End, Issuer, Path};
use super::crypto::VerifyError;
use super::facts::{authority_key_id, display_name, fingerprint};
use crate::diagnose::codes::{self as c};
use crate::diagnose::{Finding, Severity, TrustOutcome, TrustStatus, TrustStore};

/// Signatures and how the path ends.
pub(crate) fn check_path(certs: &[Cert<'_>], anchors: &[Anchor<'_>], path: &Path, out: &mut Vec<Finding>) {
    for link in &path.links {
        // Links hold indices into `certs` and `anchors` (`chain::build` takes them from there).
        let Some(subject) = certs.get(link.subject) else { continue };
        let issuer_label = match &link.issuer {
            Issuer::Cert(i) => certs.get(*i).map(Cert::located),
            Issuer::SelfSigned => Some("itself".to_owned()),
            Issuer::Anchor(i) => anchors.get(*i).map(|a| format!("trust anchor {} ({})", a.name(), a.source)),
            Issuer::Missing => None,
        };
        let Some(issuer_label) = issuer_label else { continue };
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
    let Some(top) = path.certs_in(certs).last() else { return };
    match path.end {
        End::IsAnchor(_) | End::IssuedByAnchor(_) => {
            if path.is_leaf(top.index) && top.self_issued() {
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
        End::UntrustedRoot if path.is_leaf(top.index) => out.push(
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

pub(crate) fn trust_status(
    path: &Path,
    anchors: &[Anchor<'_>],
    store: TrustStore,
    path_valid: bool,
) -> TrustStatus {
    let store_text = match &store {
        TrustStore::WebPki { anchors } => {
            format!("the public web PKI (Mozilla roots via webpki-roots, {anchors} roots)")
        }
        TrustStore::Custom { anchors, sources } => {
            format!("the CA certificates given with --ca ({}: {anchors} certificate(s))", sources.join(", "))
        }
        TrustStore::System { anchors, source, web_pki } => {
            let web = web_pki.map(|n| format!(" and the public web PKI ({n} roots)")).unwrap_or_default();
            format!("the system trust store ({source}: {anchors} certificate(s)){web}")
        }
        TrustStore::Pinned { sha256_fingerprint } => format!("the pinned certificate {sha256_fingerprint}"),
    };
    let unsupported = path.links.iter().any(|l| matches!(l.verified, Err(VerifyError::Unsupported(_))));
    let (outcome, anchor) = match path.end {
        End::IssuedByAnchor(a) | End::IsAnchor(a) if path_valid => {
            (TrustOutcome::Trusted, anchors.get(a).map(Anchor::name))
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
pub(crate) fn check_order(certs: &[Cert<'_>], path: &Path, out: &mut Vec<Finding>) {
    let on_path = |i: usize| path.certs.contains(&i);
    if !path.certs.is_sorted() || !path.is_leaf(0) {
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
    for (a, b) in certs.iter().zip(certs.iter().skip(1)) {
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
