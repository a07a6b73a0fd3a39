//! The finding-code catalogue is public API: every code used in the code base is declared in the catalogue,
//! the catalogue is rendered in docs/findings.md, and codes are well formed and unique. (That each code is
//! produced by at least one test is checked by the scenario table in cert_codes.rs, and by later layers' own
//! scenario tables.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rtspeek_core::diagnose::codes;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ lives in the repository root").to_path_buf()
}

/// The code's first dotted part names its layer.
fn layer_prefix(layer: rtspeek_core::Layer) -> &'static str {
    match layer {
        rtspeek_core::Layer::Certificate => "cert",
        other => other.as_str(),
    }
}

#[test]
fn codes_are_unique_dotted_and_prefixed_by_their_layer() {
    let mut seen = BTreeSet::new();
    for c in codes::all() {
        assert!(seen.insert(c.code), "duplicate code {}", c.code);
        let mut parts = c.code.split('.');
        assert_eq!(parts.next(), Some(layer_prefix(c.layer)), "{} is in layer {}", c.code, c.layer);
        assert!(
            c.code.split('.').count() >= 2
                && c.code.split('.').all(|p| !p.is_empty()
                    && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')),
            "{} is not a dotted lowercase code",
            c.code
        );
        assert!(!c.meaning.trim().is_empty() && !c.remediation.trim().is_empty() && !c.title.is_empty());
        assert_eq!(codes::lookup(c.code), Some(c));
    }
}

#[test]
fn bless_docs_findings_md_is_the_rendered_catalogue() {
    let path = repo_root().join("docs/findings.md");
    let rendered = codes::catalogue_markdown();
    if std::env::var_os("RTSPEEK_BLESS").is_some() {
        std::fs::write(&path, &rendered).expect("write docs/findings.md");
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == rendered,
        "docs/findings.md is out of date with core/src/diagnose/codes.rs; run `cargo xtask docs`"
    );
    for c in codes::all() {
        assert!(on_disk.contains(&format!("`{}`", c.code)), "{} missing from docs/findings.md", c.code);
    }
}

/// Client profile ids are public API like codes: this list changes only when a profile is added (a rename
/// breaks every user who filters on an id).
const CLIENT_IDS: [&str; 11] = [
    "ffmpeg-gnutls",
    "ffmpeg-openssl",
    "gstreamer",
    "vlc3",
    "vlc4",
    "go-legacy",
    "go",
    "go2rtc",
    "openssl3",
    "rustls",
    "browser",
];

#[test]
fn client_ids_are_the_stable_list_and_well_formed() {
    let ids: Vec<&str> = rtspeek_core::clients::PROFILES.iter().map(|p| p.id).collect();
    assert_eq!(ids, CLIENT_IDS, "client ids are public API: add, never rename (and update docs/clients.md)");
    for p in rtspeek_core::clients::PROFILES {
        assert!(p.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", p.id);
        assert!(!p.name.is_empty() && !p.versions.is_empty() && !p.used_by.is_empty(), "{}", p.id);
        assert_eq!(rtspeek_core::clients::lookup(p.id).map(|q| q.id), Some(p.id));
    }
}

#[test]
fn bless_docs_clients_md_is_the_rendered_profile_table() {
    let path = repo_root().join("docs/clients.md");
    let rendered = rtspeek_core::clients::catalogue_markdown();
    if std::env::var_os("RTSPEEK_BLESS").is_some() {
        std::fs::write(&path, &rendered).expect("write docs/clients.md");
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == rendered,
        "docs/clients.md is out of date with core/src/clients/table.rs; run `cargo xtask docs`"
    );
}

/// Every string literal in the sources that looks like a finding code must be in the catalogue, so no code
/// can be emitted (or asserted on) without being documented.
#[test]
fn every_code_shaped_literal_in_the_sources_is_catalogued() {
    let known: BTreeSet<&str> = codes::all().map(|c| c.code).collect();
    let prefixes: Vec<String> =
        rtspeek_core::Layer::ALL.iter().map(|l| format!("{}.", layer_prefix(*l))).collect();
    let mut unknown = Vec::new();
    let root = repo_root();
    let mut files = Vec::new();
    for dir in [
        "core/src",
        "core/tests",
        "native-bridge/src",
        "native-bridge/tests",
        "web/src",
        "tests/src",
        "tests/tests",
    ] {
        collect_rs(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10, "found only {} source files under {}", files.len(), root.display());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for literal in text.split('"').skip(1).step_by(2) {
            let looks_like_code = prefixes.iter().any(|p| literal.starts_with(p.as_str()))
                && literal.len() > 5
                && literal
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
                && !literal.ends_with('.')
                && !literal.ends_with(".rs")
                && !literal.ends_with(".pem");
            if looks_like_code && !known.contains(literal) {
                unknown.push(format!("{}: {literal}", file.strip_prefix(&root).unwrap_or(&file).display()));
            }
        }
    }
    assert!(unknown.is_empty(), "code-shaped literals not in the catalogue:\n{}", unknown.join("\n"));
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
