//! `name_text` against x509-parser's `Display` of `X509Name`, which it replaces in the wasm.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
use x509_parser::prelude::{FromDer, X509Name};

use super::*;

/// A DER element.
fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.push(0x82);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    }
    out.extend_from_slice(contents);
    out
}

/// A Name of RDNs, each a set of (OID contents, value element) attributes.
fn name(rdns: &[&[(&[u8], Vec<u8>)]]) -> Vec<u8> {
    let mut seq = Vec::new();
    for rdn in rdns {
        let mut set = Vec::new();
        for (oid, value) in *rdn {
            let mut attr = tlv(0x06, oid);
            attr.extend_from_slice(value);
            set.extend(tlv(0x30, &attr));
        }
        seq.extend(tlv(0x31, &set));
    }
    tlv(0x30, &seq)
}

/// Compares both texts of the DER Name `der`; returns the text.
fn same_text(der: &[u8]) -> String {
    let (_, parsed) = X509Name::from_der(der).expect("test name parses");
    let text = name_text(&parsed);
    assert_eq!(text, parsed.to_string(), "{der:02x?}");
    text
}

#[test]
fn every_registry_and_abbreviated_oid_prints_as_x509_parser_does() {
    let value = tlv(0x0C, b"v");
    for (oid, _) in ABBREVIATIONS.iter().chain(REGISTRY) {
        same_text(&name(&[&[(oid, value.clone())]]));
    }
    // The tables are the registry's: every entry of it is in them.
    let registry = x509_parser::objects::oid_registry();
    assert_eq!(registry.iter().count(), REGISTRY.len());
    for (oid, entry) in registry.iter() {
        assert!(short_name(oid.as_bytes()).is_some(), "{oid}");
        if !ABBREVIATIONS.iter().any(|(b, _)| *b == oid.as_bytes()) {
            assert_eq!(short_name(oid.as_bytes()), Some(entry.sn()));
        }
    }
}

#[test]
fn value_kinds_unknown_oids_and_multi_valued_rdns_print_as_x509_parser_does() {
    let cn: &[u8] = &[85, 4, 3];
    let unknown: &[u8] = &[43, 6, 1, 4, 1, 130, 55, 60, 2, 1, 3];
    let big_arc: &[u8] = &[43, 6, 1, 4, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F];
    let mut values = Vec::new();
    for tag in [0x0C, 0x12, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1A, 0x1B, 0x07] {
        values.push(tlv(tag, b"Caf\xc3\xa9 cam"));
        values.push(tlv(tag, b"\xff\xfe bad utf-8"));
        values.push(tlv(tag, b""));
    }
    values.push(tlv(0x1E, &[0, 0x43, 0, 0xE9, 0xD8, 0x3D, 0xDE, 0x00]));
    values.push(tlv(0x1E, &[0xD8, 0x00]));
    values.push(tlv(0x1E, &[0, 0x41, 0]));
    values.push(tlv(0x02, &[1, 0xAB]));
    values.push(tlv(0x04, &[0xDE, 0xAD, 0xBE, 0xEF]));
    values.push(tlv(0x30, &tlv(0x0C, b"x")));
    values.push(tlv(0x01, &[0xFF]));
    values.push(tlv(0xA0, &[1, 2]));
    for value in &values {
        for oid in [cn, unknown, big_arc] {
            same_text(&name(&[&[(oid, value.clone())]]));
        }
    }
    let a = tlv(0x0C, b"a");
    let b = tlv(0x13, b"b");
    let text = same_text(&name(&[
        &[(cn, a.clone()), (unknown, b.clone())],
        &[(&[85, 4, 10], b.clone())],
        &[],
        &[(&[85, 4, 11], a.clone()), (&[85, 4, 11], b.clone())],
    ]));
    assert!(text.contains(" + ") && text.contains(", "), "{text}");
    assert_eq!(same_text(&name(&[])), "");
}

// Reads the fixture files: native only (wasm32 tests have no file system).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_fixture_certificate_prints_as_x509_parser_does() {
    use crate::cert::input;
    use x509_parser::prelude::X509Certificate;

    let mut certificates = 0;
    for dir in ["tests/data/pki", "tests/data/keys", "tests/data/tls", "../fuzz/corpus/cert_input"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let Ok(entries) = std::fs::read_dir(&path) else { continue };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).expect("fixture readable");
            let Ok(blocks) = input::split("fixture", &bytes) else { continue };
            for der in blocks.into_iter().filter_map(|b| b.der.ok()) {
                if let Ok((_, cert)) = X509Certificate::from_der(&der) {
                    same_text(cert.tbs_certificate.subject.as_raw());
                    same_text(cert.tbs_certificate.issuer.as_raw());
                    certificates += 1;
                }
            }
        }
    }
    assert!(certificates >= 10, "{certificates} fixture certificates");
}

#[test]
fn every_webpki_root_prints_as_x509_parser_does() {
    for root in webpki_roots::TLS_SERVER_ROOTS {
        same_text(&tlv(0x30, root.subject.as_ref()));
    }
}
