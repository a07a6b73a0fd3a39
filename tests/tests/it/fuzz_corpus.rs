//! Replays the fuzz corpora (`fuzz/corpus/<target>/*`) through the fuzz targets' own entries, so that every
//! `cargo test` re-runs the seeds and every input the fuzzer kept (crashes found once stay fixed), on stable,
//! without cargo-fuzz.
//!
//! The entries live in `fuzz/entries/` and are compiled into both the fuzz target and this test with
//! `#[path]`: one copy of the code. A corpus directory without an entry here fails the test, as does an
//! empty or missing corpus: a replay that replays nothing proves nothing.

// The h265 entry reuses the h264 entry's record format by loading that file as its own submodule, and the
// decoder_config entry the mp4 entry's checks, so those files are compiled twice here exactly as in the fuzz
// targets: intended.
#![allow(clippy::duplicate_mod)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[allow(unreachable_pub)]
#[path = "../../../fuzz/entries/cert_input.rs"]
mod cert_input;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/auth_headers.rs"]
mod auth_headers;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/h264_depacketize.rs"]
mod h264_depacketize;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/h265_depacketize.rs"]
mod h265_depacketize;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/onvif_soap.rs"]
mod onvif_soap;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/rtcp.rs"]
mod rtcp;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/rtp.rs"]
mod rtp;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/rtsp_headers.rs"]
mod rtsp_headers;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/rtsp_stream.rs"]
mod rtsp_stream;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/sdp.rs"]
mod sdp;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/sps.rs"]
mod sps;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/tls_server_flight.rs"]
mod tls_server_flight;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/probe_session.rs"]
mod probe_session;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/server_session.rs"]
mod server_session;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/mp4.rs"]
mod mp4;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/decoder_config.rs"]
mod decoder_config;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/bridge_command.rs"]
mod bridge_command;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/wsdiscovery.rs"]
mod wsdiscovery;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/mikey.rs"]
mod mikey;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/srtp.rs"]
mod srtp;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/entries/capture_read.rs"]
mod capture_read;

/// Every fuzz target: its corpus directory's name and how to replay one corpus file.
const TARGETS: &[(&str, Replay)] = &[
    ("cert_input", replay_cert_input),
    ("auth_headers", |data, check| check("fuzz target entry", &|| auth_headers::run(data))),
    ("h264_depacketize", |data, check| check("fuzz target entry", &|| h264_depacketize::run(data))),
    ("h265_depacketize", |data, check| check("fuzz target entry", &|| h265_depacketize::run(data))),
    ("rtcp", |data, check| check("fuzz target entry", &|| rtcp::run(data))),
    ("rtp", |data, check| check("fuzz target entry", &|| rtp::run(data))),
    ("rtsp_headers", |data, check| check("fuzz target entry", &|| rtsp_headers::run(data))),
    ("rtsp_stream", |data, check| check("fuzz target entry", &|| rtsp_stream::run(data))),
    ("sdp", |data, check| check("fuzz target entry", &|| sdp::run(data))),
    ("sps", |data, check| check("fuzz target entry", &|| sps::run(data))),
    ("onvif_soap", |data, check| check("fuzz target entry", &|| onvif_soap::run(data))),
    ("tls_server_flight", |data, check| check("fuzz target entry", &|| tls_server_flight::run(data))),
    ("probe_session", |data, check| check("fuzz target entry", &|| probe_session::run(data))),
    ("server_session", |data, check| check("fuzz target entry", &|| server_session::run(data))),
    ("mp4", |data, check| check("fuzz target entry", &|| mp4::run(data))),
    ("decoder_config", |data, check| check("fuzz target entry", &|| decoder_config::run(data))),
    ("bridge_command", |data, check| check("fuzz target entry", &|| bridge_command::run(data))),
    ("wsdiscovery", |data, check| check("fuzz target entry", &|| wsdiscovery::run(data))),
    ("mikey", |data, check| check("fuzz target entry", &|| mikey::run(data))),
    ("srtp", |data, check| check("fuzz target entry", &|| srtp::run(data))),
    ("capture_read", |data, check| check("fuzz target entry", &|| capture_read::run(data))),
];

/// Replays one file: `check(mode, f)` runs `f`, recording a panic under the name `mode`.
type Replay = fn(data: &[u8], check: &mut dyn FnMut(&str, &dyn Fn()));

fn replay_cert_input(data: &[u8], check: &mut dyn FnMut(&str, &dyn Fn())) {
    // Exactly what the fuzz target runs: the file as certificates, then its halves as certificates and key.
    check("fuzz target entry", &|| cert_input::run(data));
    // The whole file as the private key of a valid certificate, so key parsing sees every seed whole.
    let valid = valid_certificate_pem();
    check("as the key of a valid certificate", &|| cert_input::as_key(valid.as_bytes(), data));
}

/// A self-signed certificate for cam.example, generated once per run (test certificates are made, not copied).
fn valid_certificate_pem() -> &'static str {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| {
        rcgen::generate_simple_self_signed(vec!["cam.example".to_owned()]).expect("rcgen").cert.pem()
    })
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_directory_has_a_replay_entry() {
    let root = corpus_root();
    let entries =
        std::fs::read_dir(&root).unwrap_or_else(|e| panic!("no fuzz corpus at {}: {e}", root.display()));
    for dir in entries.map(|e| e.expect("directory entry").path()).filter(|p| p.is_dir()) {
        let name = dir.file_name().expect("named").to_string_lossy().into_owned();
        assert!(
            TARGETS.iter().any(|(target, _)| *target == name),
            "fuzz/corpus/{name} has no replay entry: add the target's entry to TARGETS in {}",
            file!()
        );
    }
}

#[test]
fn corpus_files_do_not_panic() {
    let mut panicked = Vec::new();
    let mut replayed = 0;
    for &(target, replay) in TARGETS {
        let dir = corpus_root().join(target);
        let files = files_in(&dir);
        assert!(!files.is_empty(), "the corpus of fuzz target {target} ({}) is empty", dir.display());
        for file in files {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            let name = format!("{target}/{}", file.file_name().expect("named").to_string_lossy());
            replay(&data, &mut |mode, run| {
                if catch_unwind(AssertUnwindSafe(run)).is_err() {
                    panicked.push(format!("{name} ({mode})"));
                }
            });
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no corpus file was replayed");
    assert!(panicked.is_empty(), "corpus files that panicked (messages above):\n  {}", panicked.join("\n  "));
}
