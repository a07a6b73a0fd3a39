//! Path building: from the server certificate up to a trust anchor, verifying every link's signature.
//!
//! Input order is not trusted (bundles come in any order); the path is built by issuer/subject names and
//! confirmed by signatures, then compared with the order given so that ordering mistakes become findings.

use x509_parser::prelude::X509Certificate;

use super::anchors::Anchor;
use super::crypto::{KeyError, PublicKey, SignatureAlgorithm, VerifyError};
use super::input::Block;
use super::verdicts::Verifier;

/// Longest path considered; real chains are 2-4 certificates.
const MAX_PATH: usize = 8;

/// A supplied certificate, parsed.
pub(crate) struct Cert<'a> {
    /// Position among all supplied certificates, in input order.
    pub(crate) index: usize,
    /// The block it came from.
    pub(crate) block: &'a Block,
    /// The DER bytes.
    pub(crate) der: &'a [u8],
    /// Parsed certificate.
    pub(crate) x509: X509Certificate<'a>,
    /// Its public key.
    pub(crate) key: Result<PublicKey, KeyError>,
    /// Its signature algorithm.
    pub(crate) sig_alg: SignatureAlgorithm,
}

impl Cert<'_> {
    /// `#2 CN=cam.example`: how summaries name a certificate (its position among all supplied ones).
    pub(crate) fn label(&self) -> String {
        format!("#{} {}", self.index + 1, self.subject())
    }

    /// `#2 CN=cam.example (cam.pem block 1 (CERTIFICATE) at byte 0)`: the label plus where it came from.
    pub(crate) fn located(&self) -> String {
        format!("{} ({})", self.label(), self.block.describe())
    }

    pub(crate) fn subject(&self) -> String {
        let s = super::dn::name_text(self.x509.subject());
        if s.is_empty() { "(empty subject)".to_owned() } else { s }
    }

    pub(crate) fn issuer(&self) -> String {
        super::dn::name_text(self.x509.issuer())
    }

    /// Subject and issuer names are the same bytes.
    pub(crate) fn self_issued(&self) -> bool {
        self.x509.subject().as_raw() == self.x509.issuer().as_raw()
    }

    /// Whether `self` names `other` as its issuer.
    pub(crate) fn issued_by_name(&self, other: &Cert<'_>) -> bool {
        self.x509.issuer().as_raw() == other.x509.subject().as_raw()
    }

    pub(crate) fn is_ca(&self) -> bool {
        matches!(self.x509.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
    }

    /// Verifies this certificate's signature with `key`, through `verifier`.
    pub(crate) fn verify_with(
        &self,
        key: &Result<PublicKey, KeyError>,
        verifier: &mut Verifier<'_>,
    ) -> Result<(), VerifyError> {
        match key {
            Ok(key) => verifier(
                &self.sig_alg,
                key,
                self.x509.tbs_certificate.as_ref(),
                &self.x509.signature_value.data,
            ),
            Err(e) => Err(VerifyError::Unsupported(format!("issuer key unreadable: {e}"))),
        }
    }
}

/// Who issued a certificate on the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Issuer {
    /// Another supplied certificate (index into the certificate list).
    Cert(usize),
    /// Itself.
    SelfSigned,
    /// A trust anchor (index into the anchor list).
    Anchor(usize),
    /// Nobody we have.
    Missing,
}

/// One link: `subject` (index) issued by `issuer`, and whether the signature verified.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub(crate) subject: usize,
    pub(crate) issuer: Issuer,
    pub(crate) verified: Result<(), VerifyError>,
}

/// How the path ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// The top certificate was issued by this anchor (index).
    IssuedByAnchor(usize),
    /// The top certificate is itself an anchor (index).
    IsAnchor(usize),
    /// The top certificate is self-signed but not an anchor.
    UntrustedRoot,
    /// The top certificate's issuer is nowhere to be found.
    Incomplete,
}

/// The path from the leaf upwards.
#[derive(Debug, Clone)]
pub(crate) struct Path {
    /// Leaf first: indices into the certificate list.
    pub(crate) certs: Vec<usize>,
    /// One link per certificate on the path.
    pub(crate) links: Vec<Link>,
    pub(crate) end: End,
}

impl Path {
    /// Whether certificate `index` is the path's leaf.
    pub(crate) fn is_leaf(&self, index: usize) -> bool {
        self.certs.first() == Some(&index)
    }

    /// The certificates on the path, leaf first (its indices all come from `certs`).
    pub(crate) fn certs_in<'c, 'a>(&self, certs: &'c [Cert<'a>]) -> impl Iterator<Item = &'c Cert<'a>> {
        self.certs.iter().filter_map(|&i| certs.get(i))
    }

    /// Whether certificate `index` is the trust anchor the path ends at (anchors are trusted as they are:
    /// their CA flags and self-signatures are not judged, as clients do not judge them).
    pub(crate) fn ends_at_anchor_cert(&self, index: usize) -> bool {
        matches!(self.end, End::IsAnchor(_)) && self.certs.last() == Some(&index)
    }

    /// Whether certificate `index` is on the path as a self-signed certificate (an anchor, or verified).
    pub(crate) fn self_signed(&self, index: usize) -> bool {
        self.links.iter().any(|l| l.subject == index && l.issuer == Issuer::SelfSigned && l.verified.is_ok())
    }
}

/// Picks the server certificate: one that issues no other supplied certificate, preferring non-CA
/// certificates and then input order; the first certificate when they all issue one another. `None` only
/// without certificates.
pub(crate) fn pick_leaf<'c, 'a>(certs: &'c [Cert<'a>]) -> Option<&'c Cert<'a>> {
    let issues_another =
        |c: &Cert<'_>| certs.iter().any(|o| o.index != c.index && !o.self_issued() && o.issued_by_name(c));
    let candidates: Vec<&Cert<'_>> = certs.iter().filter(|c| !issues_another(c)).collect();
    candidates.iter().find(|c| !c.is_ca()).or_else(|| candidates.first()).copied().or_else(|| certs.first())
}

/// Builds the path from `leaf` (one of `certs`), verifying each link through `verifier`.
pub(crate) fn build<'c, 'a>(
    certs: &'c [Cert<'a>],
    anchors: &[Anchor<'_>],
    leaf: &'c Cert<'a>,
    verifier: &mut Verifier<'_>,
) -> Path {
    let mut path = Path { certs: vec![leaf.index], links: Vec::new(), end: End::Incomplete };
    let mut cert = leaf;
    loop {
        let current = cert.index;
        // An anchor itself (e.g. a self-signed certificate the user trusts, or a root also in the store).
        let is_anchor = anchors.iter().position(|a| {
            a.has_subject(cert.x509.subject().as_raw()) && a.has_spki(cert.x509.public_key().raw)
        });
        if cert.self_issued() {
            // An anchor is trusted by identity, not by its self-signature (clients never check it), so
            // that verification is skipped; an untrusted self-issued certificate is checked to tell a
            // genuine self-signed certificate from a damaged one.
            let verified = if is_anchor.is_some() { Ok(()) } else { cert.verify_with(&cert.key, verifier) };
            path.links.push(Link { subject: current, issuer: Issuer::SelfSigned, verified });
            // A self-issued certificate whose self-signature fails is reported through its link
            // (cert.bad_signature); it is still the top of what was supplied.
            path.end = match is_anchor {
                Some(a) => End::IsAnchor(a),
                None => End::UntrustedRoot,
            };
            return path;
        }
        if path.certs.len() >= MAX_PATH {
            path.links.push(Link { subject: current, issuer: Issuer::Missing, verified: Ok(()) });
            path.end = End::Incomplete;
            return path;
        }
        // Supplied issuers first (the chain the server would send), preferring one whose key verifies.
        let named: Vec<&Cert<'_>> =
            certs.iter().filter(|c| !path.certs.contains(&c.index) && cert.issued_by_name(c)).collect();
        let verified_issuer =
            named.iter().map(|&c| (c, cert.verify_with(&c.key, verifier))).find(|(_, v)| v.is_ok());
        let supplied =
            verified_issuer.or_else(|| named.first().map(|&c| (c, cert.verify_with(&c.key, verifier))));
        if let Some((issuer, verified)) = supplied {
            // A link to a supplied certificate that is also an anchor ends the path there as trusted once the
            // loop reaches it; keep walking.
            path.links.push(Link { subject: current, issuer: Issuer::Cert(issuer.index), verified });
            path.certs.push(issuer.index);
            cert = issuer;
            continue;
        }
        // Then the trust anchors.
        let anchor_candidates =
            anchors.iter().enumerate().filter(|(_, a)| a.has_subject(cert.x509.issuer().as_raw()));
        let mut first_failure = None;
        for (i, anchor) in anchor_candidates {
            let verified = cert.verify_with(&anchor.public_key(), verifier);
            if verified.is_ok() {
                path.links.push(Link { subject: current, issuer: Issuer::Anchor(i), verified });
                path.end = End::IssuedByAnchor(i);
                return path;
            }
            first_failure.get_or_insert((i, verified));
        }
        if let Some(a) = is_anchor {
            // A non-self-issued certificate the user trusts directly (an intermediate given as --ca).
            path.links.push(Link { subject: current, issuer: Issuer::Missing, verified: Ok(()) });
            path.end = End::IsAnchor(a);
            return path;
        }
        match first_failure {
            Some((i, verified)) => {
                path.links.push(Link { subject: current, issuer: Issuer::Anchor(i), verified });
                path.end = End::IssuedByAnchor(i);
            }
            None => {
                path.links.push(Link { subject: current, issuer: Issuer::Missing, verified: Ok(()) });
                path.end = End::Incomplete;
            }
        }
        return path;
    }
}
