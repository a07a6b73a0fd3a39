//! Is the answer to a ClientHello TLS at all? Cameras often have RTSPS switched off while users type
//! `rtsps://`: the port then answers in plain RTSP (or is a web server), and saying so is the diagnosis.

use serde::{Deserialize, Serialize};

/// What a non-TLS answer looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LooksLike {
    /// An RTSP response (`RTSP/1.0 400 Bad Request`): the port speaks plain RTSP.
    Rtsp,
    /// An HTTP response (`HTTP/1.1 400 Bad Request`, or a bare HTML error page): a web server.
    Http,
    /// An SSH banner (`SSH-2.0-...`).
    Ssh,
    /// Something else.
    Other,
}

impl LooksLike {
    /// Lowercase name (`rtsp`, `http`, `ssh`, `other`).
    pub const fn as_str(self) -> &'static str {
        match self {
            LooksLike::Rtsp => "rtsp",
            LooksLike::Http => "http",
            LooksLike::Ssh => "ssh",
            LooksLike::Other => "other",
        }
    }
}

/// The verdict on the first bytes of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniff {
    /// The first byte is a TLS record content type: parse records.
    Tls,
    /// Not TLS, and this is what it looks like.
    NotTls(LooksLike),
    /// Not TLS, but too few bytes to say what it is (a prefix of `RTSP/`, `HTTP/` or `SSH-`).
    NotTlsYet,
    /// Nothing received yet.
    Nothing,
}

/// Protocol signatures at the start of a non-TLS answer, compared without case. A bare HTML page is what
/// HTTP servers send to a request line without a version (HTTP/0.9 style), which is how a ClientHello reads.
const SIGNATURES: &[(&[u8], LooksLike)] = &[
    (b"RTSP/", LooksLike::Rtsp),
    (b"HTTP/", LooksLike::Http),
    (b"<!DOCTYPE HTML", LooksLike::Http),
    (b"<HTML", LooksLike::Http),
    (b"SSH-", LooksLike::Ssh),
];

/// Classifies the first bytes of an answer. A TLS record starts with a content type of 20-24, a byte no text
/// protocol starts with, so one byte decides TLS or not; a few more name the text protocol.
pub(crate) fn sniff(first_bytes: &[u8]) -> Sniff {
    match first_bytes.first() {
        None => Sniff::Nothing,
        Some(20..=24) => Sniff::Tls,
        Some(_) => {
            let mut undecided = false;
            for (signature, looks_like) in SIGNATURES {
                // As much of the signature as was received.
                if signature.iter().zip(first_bytes).all(|(s, b)| s.eq_ignore_ascii_case(b)) {
                    if first_bytes.len() >= signature.len() {
                        return Sniff::NotTls(*looks_like);
                    }
                    undecided = true;
                }
            }
            if undecided { Sniff::NotTlsYet } else { Sniff::NotTls(LooksLike::Other) }
        }
    }
}

/// Bytes as text for evidence: printable ASCII as is, `\r` `\n` `\t` escaped, other bytes as `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sniffs_tls_and_text_protocols() {
        assert_eq!(sniff(b""), Sniff::Nothing);
        assert_eq!(sniff(&[22]), Sniff::Tls);
        assert_eq!(sniff(&[21, 3, 3]), Sniff::Tls);
        assert_eq!(sniff(b"RTSP/1.0 400 Bad Request\r\n"), Sniff::NotTls(LooksLike::Rtsp));
        assert_eq!(sniff(b"HTTP/1.0 400 Bad request"), Sniff::NotTls(LooksLike::Http));
        assert_eq!(sniff(b"SSH-2.0-dropbear"), Sniff::NotTls(LooksLike::Ssh));
        assert_eq!(sniff(b"RTS"), Sniff::NotTlsYet);
        assert_eq!(sniff(b"H"), Sniff::NotTlsYet);
        assert_eq!(sniff(b"RTSX"), Sniff::NotTls(LooksLike::Other));
        assert_eq!(sniff(b"<!DOCTYPE html>\n<html>"), Sniff::NotTls(LooksLike::Http));
        assert_eq!(sniff(b"<html><body>"), Sniff::NotTls(LooksLike::Http));
        assert_eq!(sniff(b"<!DOC"), Sniff::NotTlsYet);
        assert_eq!(sniff(b"<?xml"), Sniff::NotTls(LooksLike::Other));
        assert_eq!(sniff(&[0x80, 0x2e]), Sniff::NotTls(LooksLike::Other));
        assert_eq!(LooksLike::Rtsp.as_str(), "rtsp");
    }

    #[test]
    fn escapes_bytes_for_evidence() {
        assert_eq!(escape_bytes(b"RTSP/1.0 400\r\n\t\\"), "RTSP/1.0 400\\r\\n\\t\\\\");
        assert_eq!(escape_bytes(&[0x16, 0x03, b'A', 0xff]), "\\x16\\x03A\\xff");
    }
}
