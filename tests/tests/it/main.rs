//! rtspeek-tests' cross-crate tests, in one binary: each file is a module (the shared parts are the crate's
//! library, `rtspeek_tests`).

mod catalogue;
mod cert_codes;
mod fault_camera;
mod fuzz_corpus;
mod peers;
mod real_traffic;
mod srtp_peers;
