//! Test PKI: certificates and keys with every fault rtspeek diagnoses, generated at test time.
//!
//! Certificates are made by rcgen 0.14 (ring) where it can, and by the `openssl` command line (OpenSSL 3.0) for
//! what rcgen cannot make: RSA keys, RSA 1024 and P-521 keys, SHA-1 and MD5 signatures, version 1
//! certificates, and the PKCS#1, SEC1 and encrypted key formats. Nothing is copied from elsewhere (STYLE.md
//! point 9).
//!
//! Time is fixed: validity windows default to periods around [`NOW`] (2026-06-01T00:00:00Z), and the tests judge
//! at `NOW`, so they never depend on the clock. Tests against a live TLS stack (which reads the clock) set
//! windows around the real time with [`CertBuilder::valid`].
//!
//! ```no_run
//! use rtspeek_tests::pki::{Cert, Eku, KeyAlg, chain_pem, day};
//! let root = Cert::root("rtspeek test root");
//! let inter = root.intermediate("rtspeek test intermediate");
//! let leaf = inter.leaf().dns(["cam.example"]).ip(["192.0.2.10"]).valid(day(-30), day(300)).build();
//! let bundle = chain_pem(&[&leaf, &inter]); // the server's certificate file
//! let key = leaf.key_pem(); // PKCS#8
//! let client = inter.leaf().cn("client").eku(&[Eku::ClientAuth]).key_alg(KeyAlg::Rsa2048).build();
//! # let _ = (bundle, key, client);
//! ```

mod cert;
mod fixtures;
mod key;
mod openssl;
mod pem;
#[cfg(test)]
mod selftest;

pub use cert::{Basic, Cert, CertBuilder, Digest, Eku, Ku};
pub use fixtures::{CORE_FIXTURES, core_fixtures_dir, write_core_fixtures};
pub use key::{Key, KeyAlg};
pub use openssl::OpensslDir;
pub use pem::{
    Corrupted, PemBlock, concat, corrupt_der, corrupt_pem, crlf, pem_blocks, pem_decode_first, pem_encode,
    validity_offset,
};

use rtspeek_core::UnixTime;

/// The fixed "now" of the certificate tests: 2026-06-01T00:00:00Z.
pub const NOW: UnixTime = UnixTime(1_780_272_000);

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// [`NOW`] plus `n` days (negative: before).
pub const fn day(n: i64) -> UnixTime {
    UnixTime(NOW.0 + n * DAY)
}

/// The real clock, for tests against live TLS stacks (rustls, OpenSSL, GnuTLS judge dates by it, not by
/// [`NOW`]).
pub fn wall_clock() -> UnixTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    UnixTime(i64::try_from(secs).expect("the clock is before the year 292 billion"))
}

/// [`wall_clock`] plus `n` days (negative: before).
pub fn days_from_now(n: i64) -> UnixTime {
    UnixTime(wall_clock().0 + n * DAY)
}

/// The certificates' PEM blocks concatenated in the order given (leaf first for a well-formed chain).
pub fn chain_pem(certs: &[&Cert]) -> String {
    certs.iter().map(|c| c.cert_pem()).collect()
}

/// The certificates' DER encodings concatenated in the order given.
pub fn chain_der(certs: &[&Cert]) -> Vec<u8> {
    certs.iter().flat_map(|c| c.cert_der().iter().copied()).collect()
}

/// A certificate signing request (PKCS#10, `-----BEGIN CERTIFICATE REQUEST-----`) for `key`, made by openssl.
pub fn csr_pem(key: &Key, cn: &str) -> String {
    openssl::csr_pem(&key.pkcs8_pem(), cn)
}
