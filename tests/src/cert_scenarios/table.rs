//! The scenario table.

use rtspeek_core::cert::CertRole;
use rtspeek_core::{Report, Severity, TrustOutcome, TrustStore};

use super::Scenario;
use crate::cert_case::CertCase;
use crate::pki::{
    Cert, CertBuilder, Digest, Eku, Key, KeyAlg, Ku, chain_der, chain_pem, concat, corrupt_pem, crlf,
    csr_pem, day, pem_blocks, validity_offset,
};

/// The host clients use in most scenarios, listed as an iPAddress SAN by the usual leaf.
pub(super) const IP: &str = "192.0.2.10";
/// The DNS name the usual leaf lists.
pub(super) const DNS: &str = "cam.example";

/// A root and an intermediate.
pub(super) struct Pki {
    pub(super) root: Cert,
    pub(super) inter: Cert,
}

pub(super) fn pki() -> Pki {
    let root = Cert::root("rtspeek test root");
    let inter = root.intermediate("rtspeek test intermediate");
    Pki { root, inter }
}

/// The usual server certificate: issued by the intermediate, SAN `DNS:cam.example, IP:192.0.2.10`.
pub(super) fn std_leaf(p: &Pki) -> CertBuilder<'_> {
    p.inter.leaf().dns([DNS]).ip([IP])
}

/// The usual inputs: leaf then intermediate in `chain.pem`, the leaf's key, host 192.0.2.10, root as anchor.
pub(super) fn case(p: &Pki, leaf: &Cert) -> CertCase {
    CertCase::new()
        .cert("chain.pem", chain_pem(&[leaf, &p.inter]))
        .key("leaf.key", leaf.key_pem())
        .host(IP)
        .anchor("root.pem", p.root.cert_pem())
}

/// The usual inputs, with the usual leaf changed by `f`.
pub(super) fn leaf_case(f: impl FnOnce(CertBuilder<'_>) -> CertBuilder<'_>) -> CertCase {
    let p = pki();
    let leaf = f(std_leaf(&p)).build();
    case(&p, &leaf)
}

/// The usual inputs, with the host changed.
fn host_case(leaf: impl FnOnce(CertBuilder<'_>) -> CertBuilder<'_>, host: &str) -> CertCase {
    leaf_case(leaf).host(host)
}

/// Every scenario. Per-code scenarios come first, in catalogue order.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = per_code();
    all.extend(super::more::more());
    all
}

fn per_code() -> Vec<Scenario> {
    vec![
        Scenario::new("cert.parse_error", "a damaged third certificate after a good chain", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            let stray = p.root.leaf().dns(["printer.example"]).build();
            let bad = corrupt_pem(&chain_pem(&[&leaf, &p.inter, &stray]), 2);
            case(&p, &leaf).cert_replace("chain.pem", bad.pem)
        })
        .codes(&["cert.parse_error"])
        .extra(parse_error_evidence),
        Scenario::new("cert.non_certificate_block", "a CSR after the chain in the certificate file", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            let bundle = concat(&[chain_pem(&[&leaf, &p.inter]), csr_pem(leaf.key(), DNS)]);
            case(&p, &leaf).cert_replace("chain.pem", bundle)
        })
        .codes(&["cert.non_certificate_block"]),
        Scenario::new("cert.expired", "leaf valid from NOW-400d to NOW-10d", || {
            leaf_case(|b| b.valid(day(-400), day(-10)))
        })
        .codes(&["cert.expired"])
        .extra(|r, _| evidence_mentions(r, "cert.expired", "2026-05-22")),
        Scenario::new("cert.not_yet_valid", "leaf valid from NOW+10d", || {
            leaf_case(|b| b.valid(day(10), day(300)))
        })
        .codes(&["cert.not_yet_valid"]),
        Scenario::new("cert.expiring_soon", "leaf expires at NOW+10d", || {
            leaf_case(|b| b.valid(day(-300), day(10)))
        })
        .codes(&["cert.expiring_soon"]),
        Scenario::new("cert.validity_too_long", "leaf valid for 830 days", || {
            leaf_case(|b| b.valid(day(-30), day(800)))
        })
        .codes(&["cert.validity_too_long"]),
        Scenario::new("cert.name_mismatch", "host other.example, SAN cam.example", || {
            host_case(|b| b, "other.example")
        })
        .codes(&["cert.name_mismatch"]),
        Scenario::new("cert.ip_not_in_san", "host 192.0.2.10, SAN DNS:cam.example only", || {
            leaf_case(|b| b.no_san().dns([DNS]))
        })
        .codes(&["cert.ip_not_in_san"]),
        Scenario::new("cert.cn_only", "CN=cam.example without subjectAltName, host cam.example", || {
            host_case(|b| b.no_san().cn(DNS), DNS)
        })
        .codes(&["cert.cn_only"])
        .maybe(&["cert.name_mismatch"]),
        Scenario::new("cert.wildcard_invalid", "SAN DNS:f*.example.com besides good entries", || {
            leaf_case(|b| b.dns(["f*.example.com"]))
        })
        .codes(&["cert.wildcard_invalid"]),
        Scenario::new("cert.ip_in_dns_san", "SAN DNS:192.0.2.20 besides good entries", || {
            leaf_case(|b| b.dns(["192.0.2.20"]))
        })
        .codes(&["cert.ip_in_dns_san"]),
        Scenario::new("cert.host_not_given", "good chain, no host", || {
            let mut c = leaf_case(|b| b);
            c.host = None;
            c
        })
        .codes(&["cert.host_not_given"])
        .trust(TrustOutcome::Trusted),
        Scenario::new(
            "cert.self_signed",
            "self-signed server certificate, an unrelated root as anchor",
            || {
                let p = pki();
                let leaf = Cert::self_signed_leaf().dns([DNS]).ip([IP]).build();
                CertCase::new()
                    .cert("cert.pem", leaf.cert_pem())
                    .key("leaf.key", leaf.key_pem())
                    .host(IP)
                    .anchor("root.pem", p.root.cert_pem())
            },
        )
        .codes(&["cert.self_signed"])
        .maybe(&["cert.untrusted_issuer"])
        .trust(TrustOutcome::Untrusted),
        Scenario::new("cert.pin_mismatch", "a CA-issued leaf, another certificate pinned", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            let other = Cert::self_signed_leaf().dns([DNS]).ip([IP]).build();
            case(&p, &leaf).pin(other.cert_der())
        })
        .codes(&["cert.pin_mismatch"])
        .trust(TrustOutcome::Untrusted),
        Scenario::new(
            "pin_matches_self_signed",
            "a self-signed leaf, pinned: trusted, its chain only informs",
            || {
                let leaf = Cert::self_signed_leaf().dns([DNS]).ip([IP]).build();
                CertCase::new()
                    .cert("cert.pem", leaf.cert_pem())
                    .key("leaf.key", leaf.key_pem())
                    .host(IP)
                    .pin(leaf.cert_der())
            },
        )
        .severity("cert.self_signed", Severity::Info)
        .maybe(&["cert.self_signed", "cert.untrusted_issuer"])
        .trust(TrustOutcome::Trusted),
        Scenario::new("cert.chain_order", "intermediate before leaf", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&p.inter, &leaf]))
        })
        .codes(&["cert.chain_order"])
        .trust(TrustOutcome::Trusted),
        Scenario::new("cert.chain_incomplete", "leaf without its intermediate", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            case(&p, &leaf).cert_replace("chain.pem", leaf.cert_pem())
        })
        .codes(&["cert.chain_incomplete"])
        .trust(TrustOutcome::Untrusted),
        Scenario::new(
            "cert.issuer_mismatch",
            "leaf followed by another intermediate of the same root",
            || {
                let p = pki();
                let leaf = std_leaf(&p).build();
                let other = p.root.intermediate("rtspeek other intermediate");
                case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &other]))
            },
        )
        .codes(&["cert.issuer_mismatch"])
        .maybe(&["cert.chain_incomplete", "cert.unused_certificate"])
        .trust(TrustOutcome::Untrusted),
        Scenario::new("cert.unused_certificate", "good chain plus an unrelated certificate", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            let stray = Cert::root("rtspeek unrelated root").leaf().dns(["printer.example"]).build();
            case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &p.inter, &stray]))
        })
        .codes(&["cert.unused_certificate"])
        .trust(TrustOutcome::Trusted),
        Scenario::new(
            "cert.bad_signature",
            "leaf bundled with a same-named intermediate with another key",
            || {
                let p = pki();
                // No authorityKeyIdentifier: the issuer is found by name, and only the signature tells them apart.
                let leaf = std_leaf(&p).authority_key_id(false).build();
                let twin = p.root.intermediate(p.inter.cn());
                case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &twin]))
            },
        )
        .codes(&["cert.bad_signature"])
        .maybe(&["cert.chain_incomplete", "cert.issuer_mismatch"])
        .trust(TrustOutcome::Untrusted),
        Scenario::new("cert.signature_unsupported", "leaf signed by a P-521 intermediate", || {
            let p = pki();
            let inter =
                p.root.intermediate_builder("rtspeek p521 intermediate").key_alg(KeyAlg::EcP521).build();
            let leaf = inter.leaf().dns([DNS]).ip([IP]).build();
            case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &inter]))
        })
        .codes(&["cert.signature_unsupported"])
        .maybe(&["cert.untrusted_issuer"]),
        Scenario::new(
            "cert.untrusted_issuer",
            "complete private chain with its root, judged by the web PKI",
            || {
                let p = pki();
                let leaf = std_leaf(&p).build();
                let mut c = case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &p.inter, &p.root]));
                c.anchors = None;
                c
            },
        )
        .codes(&["cert.untrusted_issuer"])
        .trust(TrustOutcome::Untrusted),
        Scenario::new("cert.weak_key", "leaf with an RSA 1024 key", || {
            leaf_case(|b| b.key_alg(KeyAlg::Rsa1024))
        })
        .codes(&["cert.weak_key"]),
        Scenario::new("cert.weak_signature", "leaf signed with SHA-1 by an RSA intermediate", || {
            weak_digest_case(Digest::Sha1)
        })
        .codes(&["cert.weak_signature"]),
        Scenario::new("cert.version_1", "X.509 v1 leaf (no extensions), no host", || {
            let mut c = leaf_case(|b| b.cn(DNS).version1());
            c.host = None;
            c
        })
        .codes(&["cert.version_1"])
        .maybe(&["cert.cn_only"]),
        Scenario::new("cert.leaf_is_ca", "leaf with CA:TRUE", || leaf_case(|b| b.ca(true)))
            .codes(&["cert.leaf_is_ca"]),
        Scenario::new("cert.key_usage", "leaf keyUsage keyCertSign only", || {
            leaf_case(|b| b.key_usage(&[Ku::KeyCertSign]))
        })
        .codes(&["cert.key_usage"]),
        Scenario::new("cert.eku_no_server_auth", "leaf extendedKeyUsage codeSigning only", || {
            leaf_case(|b| b.eku(&[Eku::CodeSigning]))
        })
        .codes(&["cert.eku_no_server_auth"]),
        Scenario::new("cert.client_only", "leaf extendedKeyUsage clientAuth only", || {
            leaf_case(|b| b.eku(&[Eku::ClientAuth]))
        })
        .codes(&["cert.client_only"])
        .maybe(&["cert.eku_no_server_auth"]),
        Scenario::new("cert.issuer_not_ca", "leaf issued by an intermediate with CA:FALSE", || {
            let p = pki();
            let inter =
                p.root.intermediate_builder("rtspeek not a ca").ca(false).key_usage(&[Ku::DigitalSignature]);
            let inter = inter.build();
            let leaf = inter.leaf().dns([DNS]).ip([IP]).build();
            case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &inter]))
        })
        .codes(&["cert.issuer_not_ca"])
        .maybe(&["cert.untrusted_issuer"])
        .trust(TrustOutcome::Untrusted),
        Scenario::new("cert.key_mismatch", "good chain with another key", || {
            leaf_case(|b| b).key("other.key", Key::generate(KeyAlg::EcP256).pkcs8_pem())
        })
        .codes(&["cert.key_mismatch"])
        .extra(|r, _| assert_key_matches(r, Some(false))),
        Scenario::new("cert.key_encrypted", "encrypted PKCS#8 key, no passphrase", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            case(&p, &leaf).key("leaf.key", leaf.key().encrypted_pkcs8_pem("rtspeek"))
        })
        .codes(&["cert.key_encrypted"])
        .extra(|r, _| assert_key_matches(r, None)),
        Scenario::new("cert.key_parse_error", "a key file that is not a key", || {
            leaf_case(|b| b).key("leaf.key", "this is not a private key\n")
        })
        .codes(&["cert.key_parse_error"]),
    ]
}

/// A leaf signed with `digest` by an RSA 2048 intermediate.
pub(super) fn weak_digest_case(digest: Digest) -> CertCase {
    let p = pki();
    let inter = p.root.intermediate_builder("rtspeek rsa intermediate").key_alg(KeyAlg::Rsa2048).build();
    let leaf = inter.leaf().dns([DNS]).ip([IP]).digest(digest).build();
    case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &inter]))
}

/// The parse error names the file and gives byte offsets, among them where the damaged block starts in the file.
fn parse_error_evidence(r: &Report, case: &CertCase) {
    let f = r.findings.iter().find(|f| f.code == "cert.parse_error").expect("parse error");
    assert!(
        f.evidence.iter().any(|e| e.label.contains("offset") || e.value.contains("byte")),
        "cert.parse_error evidence must give a byte offset: {:?}",
        f.evidence
    );
    let text = format!("{} {:?}", f.summary, f.evidence);
    assert!(text.contains("chain.pem"), "cert.parse_error must name the file: {text}");
    let file = std::str::from_utf8(&case.certs[0].bytes).expect("PEM");
    let start = pem_blocks(file)[2].start.to_string();
    assert!(text.contains(&start), "cert.parse_error must say the block starts at byte {start}: {text}");
    // The damage itself is located: the validity SEQUENCE's tag was overwritten.
    let damaged = validity_offset(&pem_blocks(file)[2].der).to_string();
    let in_der = f.evidence.iter().find(|e| e.label == "byte_offset_in_der").map(|e| e.value.as_str());
    assert_eq!(in_der, Some(damaged.as_str()), "cert.parse_error must point at the damaged byte: {text}");
}

/// Some finding with `code` mentions `needle` in its summary or evidence.
pub(super) fn evidence_mentions(r: &Report, code: &str, needle: &str) {
    let ok = r
        .findings
        .iter()
        .filter(|f| f.code == code)
        .any(|f| f.summary.contains(needle) || f.evidence.iter().any(|e| e.value.contains(needle)));
    assert!(ok, "{code} does not mention {needle}: {:?}", r.findings);
}

/// The key facts say whether the key matches the leaf.
pub(super) fn assert_key_matches(r: &Report, want: Option<bool>) {
    let facts = r.facts.certificate.as_ref().expect("certificate facts");
    let key = facts.key.as_ref().expect("key facts when a key is given");
    assert_eq!(key.matches_leaf, want, "key facts {key:?}");
}

/// A healthy, trusted chain: facts list the leaf and intermediate with their names, the key matches, the store
/// is the custom one.
pub(super) fn good_chain_facts(r: &Report) {
    let trust = r.trust.as_ref().expect("trust");
    assert_eq!(trust.outcome, TrustOutcome::Trusted);
    assert!(matches!(&trust.store, TrustStore::Custom { anchors: 1, .. }), "{:?}", trust.store);
    assert!(trust.anchor.as_deref().is_some_and(|a| a.contains("rtspeek test root")), "{:?}", trust.anchor);
    assert!(r.findings.iter().all(|f| f.severity == Severity::Info), "{:?}", r.findings);
    let facts = r.facts.certificate.as_ref().expect("certificate facts");
    assert!(facts.chain.len() >= 2, "chain {:?}", facts.chain);
    let (leaf, inter) = (&facts.chain[0], &facts.chain[1]);
    assert_eq!(leaf.role, CertRole::Leaf);
    assert_eq!(inter.role, CertRole::Intermediate);
    assert!(leaf.subject.contains(DNS) && inter.subject.contains("rtspeek test intermediate"), "{leaf:?}");
    assert_eq!(leaf.issuer, inter.subject);
    assert_eq!(leaf.san_dns, [DNS]);
    assert_eq!(leaf.san_ip, [IP]);
    assert_eq!((leaf.version, leaf.is_ca, leaf.self_signed), (3, false, false));
    assert!(inter.is_ca);
    assert_eq!(leaf.key, "EC P-256");
    assert_eq!(leaf.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(leaf.sha256_fingerprint.len(), 32 * 3 - 1, "{}", leaf.sha256_fingerprint);
    assert!(
        leaf.not_before.starts_with("2026-05-02") && leaf.not_after.starts_with("2027-03-28"),
        "{leaf:?}"
    );
    assert!(facts.unused.is_empty());
    assert!(facts.anchor.is_some());
    assert_key_matches(r, Some(true));
}

/// Helpers on [`CertCase`] for the table.
pub(super) trait CaseExt {
    /// Replaces the contents of the certificate file `name`.
    fn cert_replace(self, name: &str, bytes: impl Into<Vec<u8>>) -> Self;
    /// Replaces the contents of the anchor file `name`.
    fn anchor_replace(self, name: &str, bytes: impl Into<Vec<u8>>) -> Self;
}

impl CaseExt for CertCase {
    fn cert_replace(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        let f = self.certs.iter_mut().find(|f| f.name == name).unwrap_or_else(|| panic!("no file {name}"));
        f.bytes = bytes.into();
        self
    }

    fn anchor_replace(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        let anchors = self.anchors.iter_mut().flatten();
        let f = anchors.into_iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no anchor {name}"));
        f.bytes = bytes.into();
        self
    }
}

/// The usual chain as DER: two files, or one with both certificates.
pub(super) fn der_case(one_file: bool) -> CertCase {
    let p = pki();
    let leaf = std_leaf(&p).build();
    let mut c =
        CertCase::new().key("leaf.der", leaf.key_der()).host(IP).anchor("root.der", p.root.cert_der());
    if one_file {
        c = c.cert("chain.der", chain_der(&[&leaf, &p.inter]));
    } else {
        c = c.cert("leaf.der", leaf.cert_der()).cert("intermediate.der", p.inter.cert_der());
    }
    c
}

/// The usual chain with CRLF line endings everywhere.
pub(super) fn crlf_case() -> CertCase {
    let p = pki();
    let leaf = std_leaf(&p).build();
    CertCase::new()
        .cert("chain.pem", crlf(&chain_pem(&[&leaf, &p.inter])))
        .key("leaf.key", crlf(&leaf.key_pem()))
        .host(IP)
        .anchor("root.pem", crlf(&p.root.cert_pem()))
}
