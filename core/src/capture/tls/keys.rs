//! NSS key log parsing and the key derivations: TLS 1.2 PRF (RFC 5246 §5) and TLS 1.3 HKDF-Expand-Label
//! (RFC 8446 §7.1), on `hmac` + `sha2` (HKDF-Expand is a few lines of HMAC; no extra crate).

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384};

/// The labels of an NSS key log this reader uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// TLS 1.2 master secret.
    ClientRandom,
    /// TLS 1.3 client handshake traffic secret.
    ClientHandshake,
    /// TLS 1.3 server handshake traffic secret.
    ServerHandshake,
    /// TLS 1.3 first client application traffic secret.
    ClientTraffic0,
    /// TLS 1.3 first server application traffic secret.
    ServerTraffic0,
}

impl Label {
    fn parse(s: &str) -> Option<Label> {
        Some(match s {
            "CLIENT_RANDOM" => Label::ClientRandom,
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET" => Label::ClientHandshake,
            "SERVER_HANDSHAKE_TRAFFIC_SECRET" => Label::ServerHandshake,
            "CLIENT_TRAFFIC_SECRET_0" => Label::ClientTraffic0,
            "SERVER_TRAFFIC_SECRET_0" => Label::ServerTraffic0,
            _ => return None,
        })
    }
}

/// Secrets of an NSS key log, by client random. Debug shows only counts: the secrets never leave.
#[derive(Default, Clone)]
pub struct KeyLog {
    secrets: HashMap<([u8; 32], Label), Vec<u8>>,
    ignored: usize,
}

impl std::fmt::Debug for KeyLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyLog({} secrets, {} lines ignored)", self.secrets.len(), self.ignored)
    }
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

impl KeyLog {
    /// Adds the lines of `text` (comments, unknown labels and malformed lines are counted and skipped).
    pub fn extend(&mut self, text: &[u8]) {
        for line in text.split(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(line);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_ascii_whitespace();
            let parsed = (|| {
                let label = Label::parse(words.next()?)?;
                let random: [u8; 32] = hex(words.next()?)?.try_into().ok()?;
                let secret = hex(words.next()?)?;
                Some(((random, label), secret))
            })();
            match parsed {
                Some((key, secret)) => {
                    self.secrets.insert(key, secret);
                }
                None => self.ignored += 1,
            }
        }
    }

    /// Number of secrets held.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// Whether no secret is held.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub(crate) fn get(&self, random: &[u8; 32], label: Label) -> Option<&[u8]> {
        self.secrets.get(&(*random, label)).map(Vec::as_slice)
    }
}

/// The hash of a suite's PRF/HKDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
}

fn hmac(hash: Hash, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    match hash {
        Hash::Sha256 => {
            let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) else { return Vec::new() };
            parts.iter().for_each(|p| m.update(p));
            m.finalize().into_bytes().to_vec()
        }
        Hash::Sha384 => {
            let Ok(mut m) = <Hmac<Sha384> as Mac>::new_from_slice(key) else { return Vec::new() };
            parts.iter().for_each(|p| m.update(p));
            m.finalize().into_bytes().to_vec()
        }
    }
}

/// TLS 1.2 PRF: P_hash(secret, label + seed) truncated to `len`.
pub(crate) fn prf(hash: Hash, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut a = hmac(hash, secret, &[label, seed]);
    while out.len() < len && !a.is_empty() {
        out.extend(hmac(hash, secret, &[&a, label, seed]));
        a = hmac(hash, secret, &[&a]);
    }
    out.truncate(len);
    out
}

/// TLS 1.3 HKDF-Expand-Label(secret, label, "", len).
pub(crate) fn expand_label(hash: Hash, secret: &[u8], label: &str, len: usize) -> Vec<u8> {
    let full = format!("tls13 {label}");
    let mut info = Vec::new();
    info.extend_from_slice(&(len as u16).to_be_bytes());
    info.push(full.len() as u8);
    info.extend_from_slice(full.as_bytes());
    info.push(0);
    let mut out = Vec::with_capacity(len);
    let mut t = Vec::new();
    let mut i = 1u8;
    while out.len() < len {
        t = hmac(hash, secret, &[&t, &info, &[i]]);
        if t.is_empty() {
            break;
        }
        out.extend_from_slice(&t);
        i = i.wrapping_add(1);
    }
    out.truncate(len);
    out
}
