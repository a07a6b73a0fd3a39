//! Scenarios beyond one per code: healthy inputs in every form, name matching, combinations of defects, and
//! inputs that are not certificates at all.

use rtspeek_core::{Severity, TrustOutcome};

use super::Scenario;
use super::table::{
    CaseExt, DNS, IP, assert_key_matches, case, crlf_case, der_case, good_chain_facts, leaf_case, pki,
    std_leaf, weak_digest_case,
};
use crate::cert_case::CertCase;
use crate::pki::{Cert, Digest, Eku, Key, KeyAlg, chain_der, chain_pem, concat, corrupt_der, day};

pub(super) fn more() -> Vec<Scenario> {
    let mut all = healthy();
    all.extend(names());
    all.extend(chains_and_keys());
    all.extend(combinations());
    all
}

/// Inputs that must come out healthy, with no warning or error.
fn healthy() -> Vec<Scenario> {
    let t = TrustOutcome::Trusted;
    vec![
        Scenario::new("good_chain", "leaf + intermediate, root as anchor, host and key match", || {
            leaf_case(|b| b)
        })
        .trust(t)
        .extra(|r, _| good_chain_facts(r)),
        Scenario::new("good_separate_files", "leaf and intermediate in two files", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            let c = case(&p, &leaf).cert_replace("chain.pem", leaf.cert_pem());
            c.cert("intermediate.pem", p.inter.cert_pem())
        })
        .trust(t),
        Scenario::new("good_der_files", "leaf, intermediate, key and anchor as DER files", || {
            der_case(false)
        })
        .trust(t)
        .extra(|r, _| assert_key_matches(r, Some(true))),
        Scenario::new("good_der_concatenated", "leaf and intermediate DER concatenated in one file", || {
            der_case(true)
        })
        .trust(t),
        Scenario::new("good_crlf", "every PEM file with CRLF line endings", crlf_case).trust(t),
        Scenario::new("good_root_in_bundle", "leaf, intermediate and root, root also the anchor", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &p.inter, &p.root]))
        })
        .trust(t),
        Scenario::new("good_key_pkcs1", "RSA 2048 leaf, key as PKCS#1 PEM", || {
            key_case(KeyAlg::Rsa2048, |k| k.pkcs1_pem().into_bytes())
        })
        .trust(t)
        .extra(|r, _| assert_key_matches(r, Some(true))),
        Scenario::new("good_key_sec1", "P-256 leaf, key as SEC1 PEM", || {
            key_case(KeyAlg::EcP256, |k| k.sec1_pem().into_bytes())
        })
        .trust(t)
        .extra(|r, _| assert_key_matches(r, Some(true))),
        Scenario::new(
            "good_key_encrypted_with_passphrase",
            "encrypted PKCS#8 key and its passphrase",
            || {
                key_case(KeyAlg::EcP256, |k| k.encrypted_pkcs8_pem("rtspeek").into_bytes())
                    .passphrase("rtspeek")
            },
        )
        .trust(t)
        .extra(|r, _| assert_key_matches(r, Some(true))),
        Scenario::new("good_ed25519_leaf", "Ed25519 leaf and key", || {
            leaf_case(|b| b.key_alg(KeyAlg::Ed25519))
        })
        .trust(t)
        .extra(|r, _| assert_key_matches(r, Some(true))),
        Scenario::new("good_mixed_algorithms", "P-384 intermediate, RSA 3072 leaf", || {
            let p = pki();
            let inter =
                p.root.intermediate_builder("rtspeek p384 intermediate").key_alg(KeyAlg::EcP384).build();
            let leaf = inter.leaf().dns([DNS]).ip([IP]).key_alg(KeyAlg::Rsa3072).build();
            case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &inter]))
        })
        .trust(t)
        .extra(|r, _| assert_key_matches(r, Some(true))),
        Scenario::new("good_rsa_issuer", "RSA 2048 intermediate (sha256WithRSAEncryption)", || {
            weak_digest_case(Digest::Sha256)
        })
        .trust(t),
        Scenario::new("good_ed25519_issuer", "Ed25519 intermediate", || {
            let p = pki();
            let inter =
                p.root.intermediate_builder("rtspeek ed25519 intermediate").key_alg(KeyAlg::Ed25519).build();
            let leaf = inter.leaf().dns([DNS]).ip([IP]).build();
            case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &inter]))
        })
        .trust(t),
        Scenario::new("good_openssl_made_leaf", "leaf made by openssl ca, SHA-256", || {
            leaf_case(|b| b.via_openssl())
        })
        .trust(t),
    ]
}

/// Host name and address matching.
fn names() -> Vec<Scenario> {
    vec![
        Scenario::new("ipv6_bracketed_host", "host [2001:db8::1], SAN IP:2001:db8::1", || {
            leaf_case(|b| b.ip(["2001:db8::1"])).host("[2001:db8::1]")
        })
        .trust(TrustOutcome::Trusted),
        Scenario::new("ipv6_plain_host", "host 2001:db8::1, SAN IP:2001:db8::1", || {
            leaf_case(|b| b.ip(["2001:db8::1"])).host("2001:db8::1")
        }),
        Scenario::new("ipv6_expanded_host", "host 2001:0db8:0:0:0:0:0:1, SAN IP:2001:db8::1", || {
            leaf_case(|b| b.ip(["2001:db8::1"])).host("2001:0db8:0:0:0:0:0:1")
        }),
        Scenario::new("ipv6_not_in_san", "host [2001:db8::2], SAN IP:2001:db8::1", || {
            leaf_case(|b| b.ip(["2001:db8::1"])).host("[2001:db8::2]")
        })
        .codes(&["cert.ip_not_in_san"]),
        Scenario::new("dns_host_case_insensitive", "host CAM.Example, SAN cam.example", || {
            leaf_case(|b| b).host("CAM.Example")
        }),
        Scenario::new("wildcard_matches_one_label", "host cam.example.com, SAN *.example.com", || {
            leaf_case(|b| b.no_san().dns(["*.example.com"])).host("cam.example.com")
        }),
        Scenario::new("wildcard_not_two_labels", "host a.b.example.com, SAN *.example.com", || {
            leaf_case(|b| b.no_san().dns(["*.example.com"])).host("a.b.example.com")
        })
        .codes(&["cert.name_mismatch"]),
        Scenario::new("wildcard_not_apex", "host example.com, SAN *.example.com", || {
            leaf_case(|b| b.no_san().dns(["*.example.com"])).host("example.com")
        })
        .codes(&["cert.name_mismatch"]),
        Scenario::new(
            "wildcard_partial_label_ignored",
            "host foo.example.com, SAN f*.example.com only",
            || leaf_case(|b| b.no_san().dns(["f*.example.com"])).host("foo.example.com"),
        )
        .codes(&["cert.wildcard_invalid", "cert.name_mismatch"]),
        Scenario::new("wildcard_double", "SAN *.*.example.com besides cam.example, host cam.example", || {
            leaf_case(|b| b.dns(["*.*.example.com"])).host(DNS)
        })
        .codes(&["cert.wildcard_invalid"]),
        Scenario::new("ip_in_dns_san_host_ip", "host 192.0.2.10, SAN DNS:192.0.2.10 only", || {
            leaf_case(|b| b.no_san().dns([IP]))
        })
        .codes(&["cert.ip_in_dns_san", "cert.ip_not_in_san"]),
        Scenario::new("ip_in_cn_only", "CN=192.0.2.10 without subjectAltName, host 192.0.2.10", || {
            leaf_case(|b| b.no_san().cn(IP))
        })
        .codes(&["cert.cn_only"])
        .maybe(&["cert.ip_not_in_san"]),
        Scenario::new("dns_host_with_ip_only_san", "host cam.example, SAN IP:192.0.2.10 only", || {
            leaf_case(|b| b.no_san().ip([IP])).host(DNS)
        })
        .codes(&["cert.name_mismatch"]),
    ]
}

/// Chain, validity and key variants.
fn chains_and_keys() -> Vec<Scenario> {
    vec![
        Scenario::new("web_pki_private_chain", "leaf + intermediate of a private CA, no anchors", || {
            let mut c = leaf_case(|b| b);
            c.anchors = None;
            c
        })
        .codes(&["cert.chain_incomplete"])
        .maybe(&["cert.untrusted_issuer"])
        .trust(TrustOutcome::Untrusted),
        Scenario::new("expired_intermediate", "intermediate expired at NOW-1d", || {
            let p = pki();
            let inter =
                p.root.intermediate_builder("rtspeek old intermediate").valid(day(-800), day(-1)).build();
            let leaf = inter.leaf().dns([DNS]).ip([IP]).build();
            case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &inter]))
        })
        .codes(&["cert.expired"])
        .maybe(&["cert.untrusted_issuer"]),
        Scenario::new("parse_error_der", "a damaged third certificate after a good DER chain", || {
            let p = pki();
            let leaf = std_leaf(&p).build();
            let stray = p.root.leaf().dns(["printer.example"]).build();
            let (bad, _) = corrupt_der(stray.cert_der());
            der_case_with(&p, &leaf, [chain_der(&[&leaf, &p.inter]), bad].concat())
        })
        .codes(&["cert.parse_error"]),
        Scenario::new(
            "non_certificate_block_private_key",
            "the leaf's private key inside the certificate file",
            || {
                let p = pki();
                let leaf = std_leaf(&p).build();
                let bundle = concat(&[chain_pem(&[&leaf, &p.inter]), leaf.key_pem()]);
                case(&p, &leaf).cert_replace("chain.pem", bundle)
            },
        )
        .codes(&["cert.non_certificate_block"])
        .severity("cert.non_certificate_block", Severity::Warning),
        Scenario::new("key_encrypted_legacy_pem", "OpenSSL legacy encrypted EC key, no passphrase", || {
            key_case(KeyAlg::EcP256, |k| k.legacy_encrypted_pem("rtspeek").into_bytes())
        })
        .codes(&["cert.key_encrypted"]),
        Scenario::new("key_file_is_certificate", "the certificate given as the key", || {
            let c = leaf_case(|b| b);
            let cert = c.certs[0].bytes.clone();
            c.key("leaf.key", cert)
        })
        .codes(&["cert.key_parse_error"]),
        Scenario::new("weak_signature_md5", "leaf signed with MD5 by an RSA intermediate", || {
            weak_digest_case(Digest::Md5)
        })
        .codes(&["cert.weak_signature"]),
        Scenario::new("garbage_certificate_file", "a certificate file without any certificate", || {
            CertCase::new().cert("cam.pem", "hello, I am not a certificate\n").host(IP)
        })
        .input_error(),
        Scenario::new("empty_certificate_file", "an empty certificate file", || {
            CertCase::new().cert("cam.pem", Vec::new()).host(IP)
        })
        .input_error(),
        Scenario::new("key_only_certificate_file", "a certificate file holding only a private key", || {
            CertCase::new().cert("cam.pem", Key::generate(KeyAlg::EcP256).pkcs8_pem()).host(IP)
        })
        .input_error(),
        Scenario::new("garbage_anchor_file", "an anchors file without any certificate", || {
            leaf_case(|b| b).anchor_replace("root.pem", "not a CA\n")
        })
        .input_error(),
    ]
}

/// Several defects at once: every one must be reported.
fn combinations() -> Vec<Scenario> {
    vec![
        Scenario::new(
            "mixed_expired_ip_weak_wrong_key",
            "expired RSA 1024 leaf, SAN DNS only, host an IP, another key",
            || {
                let c =
                    leaf_case(|b| b.no_san().dns([DNS]).key_alg(KeyAlg::Rsa1024).valid(day(-400), day(-10)));
                c.key("other.key", Key::generate(KeyAlg::Rsa2048).pkcs8_pem())
            },
        )
        .codes(&["cert.expired", "cert.ip_not_in_san", "cert.weak_key", "cert.key_mismatch"]),
        Scenario::new(
            "mixed_self_signed_cn_only_sha1",
            "self-signed SHA-1 RSA leaf with CN only, web PKI",
            || {
                let leaf = Cert::self_signed_leaf()
                    .cn(DNS)
                    .no_san()
                    .key_alg(KeyAlg::Rsa2048)
                    .digest(Digest::Sha1)
                    .build();
                CertCase::new().cert("cam.pem", leaf.cert_pem()).key("cam.key", leaf.key_pem()).host(DNS)
            },
        )
        .codes(&["cert.self_signed", "cert.cn_only", "cert.weak_signature"])
        .maybe(&["cert.untrusted_issuer", "cert.name_mismatch"])
        .any_severity("cert.weak_signature")
        .trust(TrustOutcome::Untrusted),
        Scenario::new("mixed_future_client_ca", "not yet valid, clientAuth only, CA:TRUE leaf", || {
            leaf_case(|b| b.valid(day(10), day(300)).eku(&[Eku::ClientAuth]).ca(true))
        })
        .codes(&["cert.not_yet_valid", "cert.client_only", "cert.leaf_is_ca"])
        .maybe(&["cert.eku_no_server_auth"]),
        Scenario::new(
            "mixed_reversed_incomplete_md5",
            "MD5 leaf after an unrelated cert, intermediate missing",
            || {
                let p = pki();
                let inter =
                    p.root.intermediate_builder("rtspeek rsa intermediate").key_alg(KeyAlg::Rsa2048).build();
                let leaf = inter.leaf().dns([DNS]).ip([IP]).digest(Digest::Md5).build();
                let stray = Cert::root("rtspeek unrelated root").leaf().dns(["printer.example"]).build();
                case(&p, &leaf).cert_replace("chain.pem", chain_pem(&[&leaf, &stray]))
            },
        )
        .codes(&["cert.weak_signature", "cert.chain_incomplete"])
        .maybe(&["cert.unused_certificate", "cert.issuer_mismatch"])
        .trust(TrustOutcome::Untrusted),
    ]
}

/// The usual inputs with a leaf key of `alg`, the key file written by `encode`.
fn key_case(alg: KeyAlg, encode: fn(&Key) -> Vec<u8>) -> CertCase {
    let p = pki();
    let leaf = std_leaf(&p).key_alg(alg).build();
    case(&p, &leaf).key("leaf.key", encode(leaf.key()))
}

/// The usual inputs with `chain.der` as the certificate file.
fn der_case_with(p: &super::table::Pki, leaf: &Cert, chain: Vec<u8>) -> CertCase {
    CertCase::new()
        .cert("chain.der", chain)
        .key("leaf.key", leaf.key_pem())
        .host(IP)
        .anchor("root.pem", p.root.cert_pem())
}
