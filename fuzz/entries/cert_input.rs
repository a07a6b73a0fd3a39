//! Entry of the `cert_input` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/cert_input.rs) and the
//! corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::UnixTime;
use rtspeek_core::cert::{CertCheck, InputFile, analyze};

/// A fixed time (2027-01-15), so that a run is reproducible.
const NOW: UnixTime = UnixTime(1_800_000_000);

/// What the fuzz target runs: `data` as one certificate file, then its first half as certificates and its
/// second half as their private key. Any outcome but a panic (or a hang) is fine.
pub fn run(data: &[u8]) {
    as_certificates(data);
    let (certificates, key) = data.split_at(data.len() / 2);
    as_key(certificates, key);
}

/// Analyses `data` as one certificate file (PEM or DER) for host `cam.example`.
pub fn as_certificates(data: &[u8]) {
    let files = [InputFile { name: "fuzz", bytes: data }];
    let _ = analyze(&CertCheck::new(&files, NOW).host("cam.example"));
}

/// Analyses `certificates` with `key` as their private key, for host `cam.example`.
pub fn as_key(certificates: &[u8], key: &[u8]) {
    let files = [InputFile { name: "fuzz-certificates", bytes: certificates }];
    let key = InputFile { name: "fuzz-key", bytes: key };
    let _ = analyze(&CertCheck::new(&files, NOW).key(key).host("cam.example"));
}
