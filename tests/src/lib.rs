//! rtspeek-tests: test support shared by the workspace's tests.
//!
//! - [`pki`]: a test PKI generator (rcgen + the openssl command line) for certificates with every fault rtspeek
//!   diagnoses, and the committed fixtures of `core/tests/data/pki/`.
//! - [`cert_case`]: owned inputs of one certificate check, to run the analysis or write the files out.
//! - [`cert_scenarios`]: the certificate scenarios (one per finding code, and more) with their expectations.

pub mod cert_case;
pub mod cert_scenarios;
pub mod pki;
