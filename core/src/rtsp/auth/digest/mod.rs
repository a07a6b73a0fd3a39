//! HTTP Digest authentication (RFC 2617, RFC 7616) as RTSP uses it: algorithms, the response computation, a
//! client that answers challenges ([`DigestClient`]) and a server that issues and verifies them
//! ([`DigestServer`]).
//!
//! Supported: MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess; `qop=auth`, and no qop at
//! all (RFC 2069 compatibility, which RFC 2617 section 3.2.2.1 keeps and RFC 7616 drops, but which GStreamer
//! and live555 still send); `userhash`; `charset=UTF-8` (strings are always hashed as UTF-8). Not supported:
//! `qop=auth-int` (a hash of the body, which RTSP requests never need) and the legacy `SHA-1`-style names.

mod client;
mod nonce;
mod replay;
mod server;

pub use client::{Cnonce, DigestClient, DigestClientError, InvalidCnonce};
pub use nonce::ServerKey;
pub use replay::{NonceCounts, NonceUse, ReplayStore};
pub use server::{
    DigestRequest, DigestServer, DigestServerConfig, DigestServerError, Rejection, Verification,
};

use md5::Md5;
use sha2::digest::Digest;
use sha2::{Sha256, Sha512_256};

/// The hash function of a Digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// MD5 (RFC 2617): weak, but the only one most RTSP clients and cameras know.
    Md5,
    /// SHA-256 (RFC 7616).
    Sha256,
    /// SHA-512/256 (RFC 7616; FIPS 180-4 SHA-512 truncated to 256 bits with its own initial values).
    Sha512_256,
}

impl HashAlgorithm {
    /// Every hash, weakest first.
    pub const ALL: [HashAlgorithm; 3] =
        [HashAlgorithm::Md5, HashAlgorithm::Sha256, HashAlgorithm::Sha512_256];

    /// The name used in the `algorithm` parameter.
    pub const fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha512_256 => "SHA-512-256",
        }
    }

    /// Lowercase hex of the hash of `parts` joined with `:` (the `H(a:b:c)` of the RFCs), without building
    /// the joined string.
    pub fn hex_joined(self, parts: &[&[u8]]) -> String {
        #[cfg(test)]
        crate::rtsp::auth::secret::work::HASHES.with(|c| c.set(c.get() + 1));
        fn run<D: Digest>(parts: &[&[u8]]) -> String {
            let mut d = D::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(part);
            }
            hex(&d.finalize())
        }
        match self {
            HashAlgorithm::Md5 => run::<Md5>(parts),
            HashAlgorithm::Sha256 => run::<Sha256>(parts),
            HashAlgorithm::Sha512_256 => run::<Sha512_256>(parts),
        }
    }
}

/// A Digest algorithm: a hash, and whether it is the `-sess` variant (HA1 bound to the nonce and cnonce).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Algorithm {
    /// The hash function.
    pub hash: HashAlgorithm,
    /// The `-sess` variant.
    pub session: bool,
}

impl Algorithm {
    /// `MD5` (also what an absent `algorithm` parameter means).
    pub const MD5: Algorithm = Algorithm { hash: HashAlgorithm::Md5, session: false };
    /// `MD5-sess`.
    pub const MD5_SESS: Algorithm = Algorithm { hash: HashAlgorithm::Md5, session: true };
    /// `SHA-256`.
    pub const SHA256: Algorithm = Algorithm { hash: HashAlgorithm::Sha256, session: false };
    /// `SHA-256-sess`.
    pub const SHA256_SESS: Algorithm = Algorithm { hash: HashAlgorithm::Sha256, session: true };
    /// `SHA-512-256`.
    pub const SHA512_256: Algorithm = Algorithm { hash: HashAlgorithm::Sha512_256, session: false };
    /// `SHA-512-256-sess`.
    pub const SHA512_256_SESS: Algorithm = Algorithm { hash: HashAlgorithm::Sha512_256, session: true };
    /// Every supported algorithm, weakest first.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::MD5,
        Algorithm::MD5_SESS,
        Algorithm::SHA256,
        Algorithm::SHA256_SESS,
        Algorithm::SHA512_256,
        Algorithm::SHA512_256_SESS,
    ];

    /// Reads an `algorithm` value (case-insensitive, surrounding whitespace ignored).
    pub fn parse(value: &str) -> Option<Algorithm> {
        let value = value.trim();
        Algorithm::ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(value))
    }

    /// The algorithm named by a challenge's or credentials' `algorithm` parameter: absent means MD5.
    pub fn from_param(value: Option<&str>) -> Option<Algorithm> {
        value.map_or(Some(Algorithm::MD5), Algorithm::parse)
    }

    /// The name used in the `algorithm` parameter.
    pub const fn name(self) -> &'static str {
        match (self.hash, self.session) {
            (HashAlgorithm::Md5, false) => "MD5",
            (HashAlgorithm::Md5, true) => "MD5-sess",
            (HashAlgorithm::Sha256, false) => "SHA-256",
            (HashAlgorithm::Sha256, true) => "SHA-256-sess",
            (HashAlgorithm::Sha512_256, false) => "SHA-512-256",
            (HashAlgorithm::Sha512_256, true) => "SHA-512-256-sess",
        }
    }

    /// Preference rank when choosing among offers: stronger hash first, then the plain variant (simpler, and
    /// what more implementations get right) before `-sess`.
    pub(crate) fn rank(self) -> u8 {
        let hash = match self.hash {
            HashAlgorithm::Md5 => 0,
            HashAlgorithm::Sha256 => 2,
            HashAlgorithm::Sha512_256 => 4,
        };
        hash + u8::from(!self.session)
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Quality of protection. Only `auth` is answered; `auth-int` is recognised so it can be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    /// Authentication of the request line.
    Auth,
    /// Authentication with integrity of the body (not supported).
    AuthInt,
}

impl Qop {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
        }
    }

    /// Reads a qop value (case-insensitive).
    pub fn parse(value: &str) -> Option<Qop> {
        let value = value.trim();
        [Qop::Auth, Qop::AuthInt].into_iter().find(|q| q.name().eq_ignore_ascii_case(value))
    }
}

/// `H(username:realm:password)`: the HA1 of the non-session algorithms and the base of the `-sess` ones; also
/// what a server configuration may store instead of the password.
pub fn ha1(hash: HashAlgorithm, username: &str, realm: &str, password: &str) -> String {
    hash.hex_joined(&[username.as_bytes(), realm.as_bytes(), password.as_bytes()])
}

/// `H(username:realm)`: the hashed user name sent when the server asks for `userhash=true`.
pub fn userhash(hash: HashAlgorithm, username: &str, realm: &str) -> String {
    hash.hex_joined(&[username.as_bytes(), realm.as_bytes()])
}

/// The inputs of one `response` computation (RFC 7616 section 3.4.1).
pub(crate) struct Exchange<'a> {
    pub(crate) algorithm: Algorithm,
    /// `H(username:realm:password)`, lowercase hex.
    pub(crate) ha1: &'a str,
    pub(crate) nonce: &'a str,
    /// `Some((nc, cnonce))` with qop=auth; `None` for RFC 2069 style.
    pub(crate) qop_auth: Option<(u32, &'a str)>,
    pub(crate) method: &'a str,
    pub(crate) uri: &'a str,
}

impl Exchange<'_> {
    /// The `response` value. `None` for a `-sess` algorithm without qop, which has no cnonce to bind to.
    pub(crate) fn response(&self) -> Option<String> {
        let hash = self.algorithm.hash;
        let session_ha1;
        let ha1 = if self.algorithm.session {
            let (_, cnonce) = self.qop_auth?;
            session_ha1 = hash.hex_joined(&[self.ha1.as_bytes(), self.nonce.as_bytes(), cnonce.as_bytes()]);
            session_ha1.as_str()
        } else {
            self.ha1
        };
        let ha2 = hash.hex_joined(&[self.method.as_bytes(), self.uri.as_bytes()]);
        Some(match self.qop_auth {
            Some((nc, cnonce)) => {
                let nc = format_nc(nc);
                hash.hex_joined(&[
                    ha1.as_bytes(),
                    self.nonce.as_bytes(),
                    nc.as_bytes(),
                    cnonce.as_bytes(),
                    b"auth",
                    ha2.as_bytes(),
                ])
            }
            None => hash.hex_joined(&[ha1.as_bytes(), self.nonce.as_bytes(), ha2.as_bytes()]),
        })
    }
}

/// The nonce count as sent: 8 lowercase hex digits.
pub(crate) fn format_nc(nc: u32) -> String {
    format!("{nc:08x}")
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let digit = |nibble: u8| char::from(if nibble < 10 { b'0' + nibble } else { b'a' - 10 + nibble });
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(digit(b >> 4));
        out.push(digit(b & 15));
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn algorithm_names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::parse(a.name()), Some(a));
            assert_eq!(Algorithm::parse(&a.name().to_ascii_lowercase()), Some(a));
        }
        assert_eq!(Algorithm::from_param(None), Some(Algorithm::MD5));
        assert_eq!(Algorithm::parse("SHA-1"), None);
        assert!(Algorithm::SHA512_256.rank() > Algorithm::SHA256.rank());
        assert!(Algorithm::SHA256_SESS.rank() > Algorithm::MD5.rank());
        assert!(Algorithm::MD5.rank() > Algorithm::MD5_SESS.rank());
    }

    #[test]
    fn hashes_match_known_values() {
        // Well-known digests of the empty string.
        assert_eq!(HashAlgorithm::Md5.hex_joined(&[b""]), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            HashAlgorithm::Sha512_256.hex_joined(&[b""]),
            "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a"
        );
        // Parts are joined with ':'.
        assert_eq!(
            HashAlgorithm::Sha256.hex_joined(&[b"a", b"b"]),
            HashAlgorithm::Sha256.hex_joined(&[b"a:b"])
        );
    }

    #[test]
    fn session_algorithms_need_a_cnonce() {
        let x = Exchange {
            algorithm: Algorithm::MD5_SESS,
            ha1: "00",
            nonce: "n",
            qop_auth: None,
            method: "DESCRIBE",
            uri: "rtsp://cam.example/",
        };
        assert_eq!(x.response(), None);
        assert_eq!(format_nc(0x1f), "0000001f");
    }
}
