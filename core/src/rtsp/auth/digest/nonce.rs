//! Server nonces that verify themselves, and bounded replay tracking.
//!
//! A nonce is `base64url(issued || random || mac)`: the issue time (8 bytes, big-endian Unix seconds), 12
//! random bytes from the driver (so that two challenges in the same second differ), and the first 16 bytes of
//! HMAC-SHA256 under the server key over a label, the realm, the time and the random bytes. The server can
//! therefore check a nonce it issued, and read its age, without remembering it: only nonces actually used are
//! tracked, for replay protection, in a table of bounded size (`replay.rs`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Random bytes per nonce.
pub(crate) const RANDOM_LEN: usize = 12;
const TIME_LEN: usize = 8;
const MAC_LEN: usize = 16;
const NONCE_LEN: usize = TIME_LEN + RANDOM_LEN + MAC_LEN;
/// Domain separation: a MAC made for something else with the same key is never a valid nonce.
const LABEL: &[u8] = b"rtspeek digest nonce v1\0";

/// The server's nonce key: random bytes chosen once per server (kept across restarts if nonces should
/// survive them). `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerKey(Vec<u8>);

impl ServerKey {
    /// A key from secret bytes (32 random bytes recommended; HMAC accepts any length).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        ServerKey(bytes.into())
    }

    #[expect(
        clippy::expect_used,
        reason = "HMAC takes keys of any length: new_from_slice never fails for it"
    )]
    fn mac(&self, realm: &str, head: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(LABEL);
        mac.update(realm.as_bytes());
        mac.update(b"\0");
        mac.update(head);
        mac
    }

    /// Issues a nonce for `realm` at `issued` (Unix seconds).
    pub(crate) fn issue(&self, realm: &str, issued: i64, random: &[u8; RANDOM_LEN]) -> String {
        let mut bytes = Vec::with_capacity(NONCE_LEN);
        bytes.extend_from_slice(&issued.to_be_bytes());
        bytes.extend_from_slice(random);
        let tag = self.mac(realm, &bytes).finalize().into_bytes();
        bytes.extend(tag.iter().take(MAC_LEN));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The issue time of a nonce this key made for `realm`; `None` for anything else (malformed, forged, made
    /// for another realm or with another key). The MAC is compared in constant time.
    pub(crate) fn open(&self, realm: &str, nonce: &str) -> Option<i64> {
        // 36 bytes are 48 base64 characters: reject anything else before decoding.
        if nonce.len() != NONCE_LEN.div_ceil(3) * 4 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(nonce).ok()?;
        let (head, tag) = bytes.split_at_checked(TIME_LEN + RANDOM_LEN)?;
        self.mac(realm, head).verify_truncated_left(tag).ok()?;
        let (time, _) = head.split_first_chunk::<TIME_LEN>()?;
        Some(i64::from_be_bytes(*time))
    }
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn nonces_verify_and_carry_their_time() {
        let key = ServerKey::new(*b"0123456789abcdef0123456789abcdef");
        let nonce = key.issue("cam", 1_800_000_000, &[9; RANDOM_LEN]);
        assert_eq!(nonce.len(), 48);
        assert_eq!(key.open("cam", &nonce), Some(1_800_000_000));
        assert_eq!(key.open("other realm", &nonce), None);
        assert_eq!(ServerKey::new(*b"another key").open("cam", &nonce), None);
        let mut forged = nonce.into_bytes();
        forged[3] = if forged[3] == b'A' { b'B' } else { b'A' };
        assert_eq!(key.open("cam", std::str::from_utf8(&forged).unwrap()), None);
        assert_eq!(key.open("cam", "short"), None);
        assert_eq!(key.open("cam", &"!".repeat(48)), None);
        assert_ne!(key.issue("cam", 5, &[1; RANDOM_LEN]), key.issue("cam", 5, &[2; RANDOM_LEN]));
        assert_eq!(format!("{key:?}"), "ServerKey(<redacted>)");
    }
}
