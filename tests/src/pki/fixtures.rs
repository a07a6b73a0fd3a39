//! The committed certificate fixtures of `core/tests/data/pki/`, for core tests that also run on wasm32 (where
//! neither rcgen nor openssl is available).

use std::path::{Path, PathBuf};

use super::{Cert, chain_pem, day};

/// The files [`write_core_fixtures`] writes, README.md included.
pub const CORE_FIXTURES: &[&str] = &[
    "README.md",
    "root.pem",
    "intermediate.pem",
    "leaf.pem",
    "leaf.key",
    "chain.pem",
    "expired.pem",
    "ip-not-in-san.pem",
    "cn-only.pem",
    "self-signed.pem",
    "wrong.key",
];

/// `core/tests/data/pki` in this workspace.
pub fn core_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/pki")
}

/// (Re)generates the core certificate fixtures in `dir` (created if needed). Run by
/// `RTSPEEK_BLESS=1 cargo test -p rtspeek-tests --test it cert_codes`.
///
/// # Panics
/// On I/O errors.
pub fn write_core_fixtures(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    let root = Cert::root("rtspeek fixture root");
    let inter = root.intermediate("rtspeek fixture intermediate");
    let leaf = inter.leaf().dns(["cam.example"]).ip(["192.0.2.10"]).valid(day(-30), day(300)).build();
    let expired = inter.leaf().dns(["cam.example"]).ip(["192.0.2.10"]).valid(day(-400), day(-10)).build();
    let ip_not_in_san = inter.leaf().dns(["cam.example"]).build();
    let cn_only = inter.leaf().cn("cam.example").no_san().build();
    let self_signed = Cert::self_signed_leaf().dns(["cam.example"]).ip(["192.0.2.10"]).build();
    let wrong = inter.leaf().dns(["cam.example"]).build();
    let today = time::OffsetDateTime::now_utc().date();
    let files: Vec<(&str, String)> = vec![
        ("README.md", readme(&today.to_string())),
        ("root.pem", root.cert_pem()),
        ("intermediate.pem", inter.cert_pem()),
        ("leaf.pem", leaf.cert_pem()),
        ("leaf.key", leaf.key_pem()),
        ("chain.pem", chain_pem(&[&leaf, &inter])),
        ("expired.pem", expired.cert_pem()),
        ("ip-not-in-san.pem", ip_not_in_san.cert_pem()),
        ("cn-only.pem", cn_only.cert_pem()),
        ("self-signed.pem", self_signed.cert_pem()),
        ("wrong.key", wrong.key_pem()),
    ];
    assert_eq!(files.iter().map(|f| f.0).collect::<Vec<_>>(), CORE_FIXTURES, "keep CORE_FIXTURES in sync");
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

fn readme(date: &str) -> String {
    format!(
        "# Certificate fixtures\n\
         \n\
         Generated on {date} by `RTSPEEK_BLESS=1 cargo test -p rtspeek-tests --test it cert_codes` (the generator is\n\
         `write_core_fixtures` in `tests/src/pki/fixtures.rs`, over rcgen); never edit by hand, regenerate.\n\
         They exist for `core/tests/it/cert_fixtures.rs`, which also runs on wasm32 where rcgen and openssl are not\n\
         available. Every other certificate test generates its certificates at test time.\n\
         \n\
         Validity windows are set around the fixed test time NOW = 2026-06-01T00:00:00Z (Unix 1780272000), the\n\
         `now` the tests pass to the analysis. All keys are ECDSA P-256, PKCS#8 PEM, unencrypted test keys.\n\
         \n\
         | file | what | expected at NOW |\n\
         | --- | --- | --- |\n\
         | `root.pem` | self-signed root CA `CN=rtspeek fixture root` | trust anchor (`--ca`) |\n\
         | `intermediate.pem` | intermediate CA issued by the root | |\n\
         | `leaf.pem` | server certificate, SAN `DNS:cam.example, IP:192.0.2.10`, NOW-30d to NOW+300d | healthy \
         with the intermediate, `leaf.key`, host 192.0.2.10 and the root as anchor |\n\
         | `leaf.key` | the key of `leaf.pem` | matches |\n\
         | `chain.pem` | `leaf.pem` then `intermediate.pem` | healthy, as above |\n\
         | `expired.pem` | as `leaf.pem` but NOW-400d to NOW-10d | `cert.expired` |\n\
         | `ip-not-in-san.pem` | SAN `DNS:cam.example` only | `cert.ip_not_in_san` for host 192.0.2.10 |\n\
         | `cn-only.pem` | `CN=cam.example`, no subjectAltName | `cert.cn_only` for host cam.example |\n\
         | `self-signed.pem` | self-signed server certificate, SAN as `leaf.pem` | `cert.self_signed` |\n\
         | `wrong.key` | the key of another certificate | `cert.key_mismatch` with `leaf.pem` |\n"
    )
}
