//! Every certificate finding code, proven by a generated certificate: one test per scenario of
//! [`rtspeek_tests::cert_scenarios`] (one scenario per catalogue code, named after it, plus combinations, input
//! forms and name matching), a catalogue coverage test, and the check of the committed core fixtures.
//!
//! `RTSPEEK_BLESS=1 cargo test -p rtspeek-tests --test it cert_codes` regenerates `core/tests/data/pki/`.

use std::collections::BTreeSet;

use rtspeek_core::diagnose::codes;
use rtspeek_tests::cert_scenarios::scenarios;
use rtspeek_tests::pki::{CORE_FIXTURES, NOW, OpensslDir, core_fixtures_dir, write_core_fixtures};

/// Runs the scenario called `name`.
fn run(name: &str) {
    let all = scenarios();
    let s = all.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no scenario {name}"));
    s.run();
}

/// One `#[test]` per scenario, and the list of scenarios that have one.
macro_rules! scenario_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run($name)
            }
        )*
        const TESTED: &[&str] = &[$($name),*];
    };
}

scenario_tests! {
    // One per catalogue code, in catalogue order.
    cert_parse_error => "cert.parse_error",
    cert_non_certificate_block => "cert.non_certificate_block",
    cert_expired => "cert.expired",
    cert_not_yet_valid => "cert.not_yet_valid",
    cert_expiring_soon => "cert.expiring_soon",
    cert_validity_too_long => "cert.validity_too_long",
    cert_name_mismatch => "cert.name_mismatch",
    cert_ip_not_in_san => "cert.ip_not_in_san",
    cert_cn_only => "cert.cn_only",
    cert_wildcard_invalid => "cert.wildcard_invalid",
    cert_ip_in_dns_san => "cert.ip_in_dns_san",
    cert_host_not_given => "cert.host_not_given",
    cert_self_signed => "cert.self_signed",
    cert_chain_order => "cert.chain_order",
    cert_chain_incomplete => "cert.chain_incomplete",
    cert_issuer_mismatch => "cert.issuer_mismatch",
    cert_unused_certificate => "cert.unused_certificate",
    cert_bad_signature => "cert.bad_signature",
    cert_signature_unsupported => "cert.signature_unsupported",
    cert_untrusted_issuer => "cert.untrusted_issuer",
    cert_weak_key => "cert.weak_key",
    cert_weak_signature => "cert.weak_signature",
    cert_version_1 => "cert.version_1",
    cert_leaf_is_ca => "cert.leaf_is_ca",
    cert_key_usage => "cert.key_usage",
    cert_eku_no_server_auth => "cert.eku_no_server_auth",
    cert_client_only => "cert.client_only",
    cert_issuer_not_ca => "cert.issuer_not_ca",
    cert_key_mismatch => "cert.key_mismatch",
    cert_key_encrypted => "cert.key_encrypted",
    cert_key_parse_error => "cert.key_parse_error",
    // Healthy inputs in every form.
    good_chain => "good_chain",
    good_separate_files => "good_separate_files",
    good_der_files => "good_der_files",
    good_der_concatenated => "good_der_concatenated",
    good_crlf => "good_crlf",
    good_root_in_bundle => "good_root_in_bundle",
    good_key_pkcs1 => "good_key_pkcs1",
    good_key_sec1 => "good_key_sec1",
    good_key_encrypted_with_passphrase => "good_key_encrypted_with_passphrase",
    good_ed25519_leaf => "good_ed25519_leaf",
    good_mixed_algorithms => "good_mixed_algorithms",
    good_rsa_issuer => "good_rsa_issuer",
    good_ed25519_issuer => "good_ed25519_issuer",
    good_openssl_made_leaf => "good_openssl_made_leaf",
    // Names.
    ipv6_bracketed_host => "ipv6_bracketed_host",
    ipv6_plain_host => "ipv6_plain_host",
    ipv6_expanded_host => "ipv6_expanded_host",
    ipv6_not_in_san => "ipv6_not_in_san",
    dns_host_case_insensitive => "dns_host_case_insensitive",
    wildcard_matches_one_label => "wildcard_matches_one_label",
    wildcard_not_two_labels => "wildcard_not_two_labels",
    wildcard_not_apex => "wildcard_not_apex",
    wildcard_partial_label_ignored => "wildcard_partial_label_ignored",
    wildcard_double => "wildcard_double",
    ip_in_dns_san_host_ip => "ip_in_dns_san_host_ip",
    ip_in_cn_only => "ip_in_cn_only",
    dns_host_with_ip_only_san => "dns_host_with_ip_only_san",
    // Chains, validity and keys.
    web_pki_private_chain => "web_pki_private_chain",
    expired_intermediate => "expired_intermediate",
    non_certificate_block_private_key => "non_certificate_block_private_key",
    key_encrypted_legacy_pem => "key_encrypted_legacy_pem",
    key_file_is_certificate => "key_file_is_certificate",
    weak_signature_md5 => "weak_signature_md5",
    parse_error_der => "parse_error_der",
    garbage_certificate_file => "garbage_certificate_file",
    empty_certificate_file => "empty_certificate_file",
    key_only_certificate_file => "key_only_certificate_file",
    garbage_anchor_file => "garbage_anchor_file",
    // Several defects at once.
    mixed_expired_ip_weak_wrong_key => "mixed_expired_ip_weak_wrong_key",
    mixed_self_signed_cn_only_sha1 => "mixed_self_signed_cn_only_sha1",
    mixed_future_client_ca => "mixed_future_client_ca",
    mixed_reversed_incomplete_md5 => "mixed_reversed_incomplete_md5",
    // Trust by a pin.
    pin_mismatch => "cert.pin_mismatch",
    pin_matches_self_signed => "pin_matches_self_signed",
}

/// The table is well-formed: unique names, each with a test above, only catalogue codes, and every catalogue
/// code has a scenario named after it that expects it. Holds whatever the analysis does.
#[test]
fn scenario_table_is_consistent() {
    let all = scenarios();
    let names: Vec<&str> = all.iter().map(|s| s.name).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(unique.len(), names.len(), "duplicate scenario names in {names:?}");
    let tested: BTreeSet<&str> = TESTED.iter().copied().collect();
    assert_eq!(unique, tested, "every scenario needs a line in scenario_tests! and vice versa");
    for s in &all {
        for code in
            s.expect.codes.iter().chain(&s.expect.maybe).chain(s.expect.severities.iter().map(|(c, _)| c))
        {
            assert!(codes::lookup(code).is_some(), "{}: {code} is not in the catalogue", s.name);
        }
    }
    // Session-level codes (the TLS client's own refusal) are the probe's: core/tests/it/probe_codes.rs.
    let missing: Vec<&str> = codes::CERT_CODES
        .iter()
        .filter(|c| !codes::SESSION_LEVEL.contains(c) && !codes::AUDIT_LEVEL.contains(c))
        .map(|c| c.code)
        .filter(|code| !all.iter().any(|s| s.name == *code && s.expect.codes.contains(code)))
        .collect();
    assert!(missing.is_empty(), "catalogue codes without their scenario: {missing:?}");
}

/// Running every scenario produces every catalogue code at least once (whether or not the scenario meets its
/// other expectations: the per-scenario tests judge those).
#[test]
fn every_catalogue_code_is_produced() {
    let mut produced = BTreeSet::new();
    for s in scenarios() {
        if let Ok(report) = (s.build)().analyze() {
            produced.extend(report.findings.into_iter().map(|f| f.code));
        }
    }
    let uncovered: Vec<&str> = codes::CERT_CODES
        .iter()
        .filter(|c| !codes::SESSION_LEVEL.contains(c) && !codes::AUDIT_LEVEL.contains(c))
        .map(|c| c.code)
        .filter(|c| !produced.contains(*c))
        .collect();
    assert!(uncovered.is_empty(), "codes no scenario produced: {uncovered:?}");
}

/// The committed fixtures of `core/tests/data/pki/`: regenerated with `RTSPEEK_BLESS=1`, otherwise checked to be
/// complete and to still behave as the README says (with openssl as the independent judge).
#[test]
fn core_fixtures() {
    let dir = core_fixtures_dir();
    if std::env::var_os("RTSPEEK_BLESS").is_some_and(|v| v == "1") {
        write_core_fixtures(&dir);
    }
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run RTSPEEK_BLESS=1 cargo test -p rtspeek-tests --test it cert_codes",
                dir.display()
            )
        })
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut expected: Vec<String> = CORE_FIXTURES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected, "fixture files in {}", dir.display());
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("2026-06-01T00:00:00Z") && readme.contains(&NOW.secs().to_string()));

    let ossl = OpensslDir::new();
    for f in CORE_FIXTURES {
        ossl.write(f, std::fs::read(dir.join(f)).unwrap());
    }
    let verify = |leaf: &str| {
        let at = NOW.secs().to_string();
        let args = ["verify", "-attime", &at, "-CAfile", "root.pem", "-untrusted", "intermediate.pem", leaf];
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(ossl.path(""))
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(verify("leaf.pem") && verify("ip-not-in-san.pem") && verify("cn-only.pem"));
    assert!(!verify("expired.pem") && !verify("self-signed.pem"));
    let pubkey = |args: &[&str]| ossl.run(args);
    let leaf_pub = pubkey(&["x509", "-in", "leaf.pem", "-noout", "-pubkey"]);
    assert_eq!(leaf_pub, pubkey(&["pkey", "-in", "leaf.key", "-pubout"]), "leaf.key is the key of leaf.pem");
    assert_ne!(leaf_pub, pubkey(&["pkey", "-in", "wrong.key", "-pubout"]), "wrong.key is another key");
}
