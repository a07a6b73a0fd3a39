//! PEM encoding and decoding, and damaging blocks on purpose.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Encodes `der` as a PEM block with `label`, 64 characters a line, ending with a newline.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// One PEM block found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label (`CERTIFICATE`, `PRIVATE KEY`...).
    pub label: String,
    /// Byte offset of the `-----BEGIN` line in the text.
    pub start: usize,
    /// Byte offset just past the `-----END ...-----` line (and its line ending).
    pub end: usize,
    /// The decoded contents (RFC 1421 header lines are skipped).
    pub der: Vec<u8>,
}

/// Every PEM block of `text`, in order.
///
/// # Panics
/// On a block without an END line or with invalid base64.
pub fn pem_blocks(text: &str) -> Vec<PemBlock> {
    let mut blocks = Vec::new();
    let mut pos = 0;
    while let Some(found) = text[pos..].find("-----BEGIN ") {
        let start = pos + found;
        let label_start = start + "-----BEGIN ".len();
        let label_end = label_start + text[label_start..].find("-----").expect("BEGIN line ends with -----");
        let label = text[label_start..label_end].to_owned();
        let end_marker = format!("-----END {label}-----");
        let body_start = label_end + 5;
        let end_at = body_start + text[body_start..].find(&end_marker).expect("PEM block has an END line");
        let mut end = end_at + end_marker.len();
        if text[end..].starts_with("\r\n") {
            end += 2;
        } else if text[end..].starts_with('\n') {
            end += 1;
        }
        let body: String = text[body_start..end_at]
            .lines()
            .filter(|l| !l.contains(':'))
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect();
        let der = STANDARD.decode(body.as_bytes()).expect("valid base64 in PEM block");
        blocks.push(PemBlock { label, start, end, der });
        pos = end;
    }
    blocks
}

/// The label and contents of the first PEM block of `text`.
///
/// # Panics
/// If there is none.
pub fn pem_decode_first(text: &str) -> (String, Vec<u8>) {
    let block = pem_blocks(text).into_iter().next().expect("a PEM block");
    (block.label, block.der)
}

/// Converts line endings to CRLF (as files copied through Windows tools have them).
pub fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Concatenates PEM texts (or any texts) in the order given, making sure each ends with a newline.
pub fn concat<S: AsRef<str>>(parts: &[S]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(p.as_ref());
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// A PEM text with one certificate block damaged so that its DER no longer parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupted {
    /// The whole text, with the damaged block re-encoded (its base64 is still valid).
    pub pem: String,
    /// Index of the damaged block among all the text's PEM blocks (0-based).
    pub block: usize,
    /// Byte offset of the damaged block's `-----BEGIN` line in the text.
    pub block_start: usize,
    /// Offset inside the block's DER of the byte that was changed.
    pub der_offset: usize,
}

/// Damages PEM block number `block` (0-based) of `text`: the tag of the certificate's `validity` SEQUENCE (in
/// the middle of the DER) becomes an OCTET STRING tag, so X.509 parsing fails at [`Corrupted::der_offset`]
/// while the base64 and the outer DER framing stay valid.
///
/// # Panics
/// If the block does not exist or is not a DER certificate.
pub fn corrupt_pem(text: &str, block: usize) -> Corrupted {
    let blocks = pem_blocks(text);
    let b = blocks.get(block).unwrap_or_else(|| panic!("no PEM block {block} (have {})", blocks.len()));
    let mut der = b.der.clone();
    let der_offset = validity_offset(&der);
    assert_eq!(der[der_offset], 0x30, "validity is a SEQUENCE");
    der[der_offset] = 0x04;
    let pem = format!("{}{}{}", &text[..b.start], pem_encode(&b.label, &der), &text[b.end..]);
    Corrupted { pem, block, block_start: b.start, der_offset }
}

/// Damages a DER certificate like [`corrupt_pem`]; returns the damaged DER and the offset of the changed byte.
pub fn corrupt_der(der: &[u8]) -> (Vec<u8>, usize) {
    let mut der = der.to_vec();
    let off = validity_offset(&der);
    der[off] = 0x04;
    (der, off)
}

/// Offset of the `validity` SEQUENCE in a DER certificate (where [`corrupt_pem`] and [`corrupt_der`] damage it).
pub fn validity_offset(der: &[u8]) -> usize {
    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serial, signature, issuer,
    // validity, ... } ... }
    let (_, outer_body) = tlv(der, 0);
    let (_, tbs_body) = tlv(der, outer_body);
    let mut pos = tbs_body;
    if der[pos] == 0xa0 {
        pos = tlv(der, pos).0;
    }
    for _ in 0..3 {
        pos = tlv(der, pos).0; // serial, signature, issuer
    }
    pos
}

/// Reads the TLV at `pos`: returns (offset just past it, offset of its contents).
fn tlv(der: &[u8], pos: usize) -> (usize, usize) {
    let first = der[pos + 1];
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        let len = der[pos + 2..pos + 2 + n].iter().fold(0usize, |acc, b| acc << 8 | *b as usize);
        (len, 2 + n)
    };
    (pos + header + len, pos + header)
}
