//! Splitting input files into blocks: PEM (RFC 7468, with RFC 1421 headers) or DER, with byte offsets so that a
//! damaged block can be found in the file.

use base64::Engine as _;

/// Why an input could not be used at all. Problems with single blocks are findings, not errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// No certificate could be found in the certificate files.
    #[error("{file}: no certificate found: {reason}")]
    NoCertificate {
        /// The file (or the list of files).
        file: String,
        /// What was found instead.
        reason: String,
    },
    /// A trust anchor file holds no usable certificate.
    #[error("{file}: no CA certificate found for --ca: {reason}")]
    NoAnchor {
        /// The file.
        file: String,
        /// What was wrong.
        reason: String,
    },
    /// The host is neither a DNS name nor an IP literal.
    #[error("invalid host {host:?}: {reason}")]
    InvalidHost {
        /// The host as given.
        host: String,
        /// What was wrong.
        reason: String,
    },
}

/// One PEM block or DER object of an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The file's display name.
    pub file: String,
    /// 1-based position of the block in its file.
    pub number: usize,
    /// Byte offset of the block (its `-----BEGIN` line, or the DER tag) in the file.
    pub offset: usize,
    /// PEM label (`CERTIFICATE`, `PRIVATE KEY`...); `None` for DER input.
    pub label: Option<String>,
    /// RFC 1421 headers (`Proc-Type`, `DEK-Info`) of legacy encrypted PEM keys.
    pub headers: Vec<(String, String)>,
    /// The decoded DER, or why it could not be decoded (with the file offset of the problem).
    pub der: Result<Vec<u8>, BlockError>,
}

/// Why a block's bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    /// Byte offset in the file where the problem is.
    pub offset: usize,
    /// What was wrong.
    pub reason: String,
}

impl Block {
    /// `cam.pem block 2 (CERTIFICATE) at byte 1234`.
    pub fn describe(&self) -> String {
        match &self.label {
            Some(label) => format!("{} block {} ({label}) at byte {}", self.file, self.number, self.offset),
            None => format!("{} DER object {} at byte {}", self.file, self.number, self.offset),
        }
    }

    /// Whether the PEM label says certificate (DER objects are assumed to be certificates).
    pub fn is_certificate(&self) -> bool {
        match self.label.as_deref() {
            None => true,
            Some(l) => matches!(l, "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"),
        }
    }
}

/// Splits a file into PEM blocks or DER objects. Errors when the file is neither PEM nor DER.
pub fn split(file: &str, bytes: &[u8]) -> Result<Vec<Block>, String> {
    let Some(&first) = bytes.first() else {
        return Err("the file is empty".into());
    };
    if find(bytes, b"-----BEGIN ", 0).is_some() {
        return Ok(split_pem(file, bytes));
    }
    if first == 0x30 {
        return Ok(split_der(file, bytes));
    }
    Err(format!(
        "not PEM (no '-----BEGIN' line) and not DER (byte 0 is 0x{first:02x}; DER certificates and keys start with 0x30)"
    ))
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// The end of the line starting at `start` (index of `\n`, or the end of input) and the start of the next one.
fn line_end(bytes: &[u8], start: usize) -> (usize, usize) {
    match bytes.get(start..).and_then(|line| line.iter().position(|&b| b == b'\n')) {
        Some(p) => (start + p, start + p + 1),
        None => (bytes.len(), bytes.len()),
    }
}

fn split_pem(file: &str, bytes: &[u8]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut pos = 0;
    while let Some(begin) = find(bytes, b"-----BEGIN ", pos) {
        let number = blocks.len() + 1;
        let (eol, mut next) = line_end(bytes, begin);
        let block = |label: Option<String>, headers, der| Block {
            file: file.to_owned(),
            number,
            offset: begin,
            label,
            headers,
            der,
        };
        // `eol` is at or after `begin` (the end of its line), like `end` below is after `next`.
        let line = String::from_utf8_lossy(bytes.get(begin..eol).unwrap_or_default());
        let line = line.trim_end();
        let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) else {
            let reason = format!("malformed BEGIN line {line:?}");
            blocks.push(block(Some(String::new()), Vec::new(), Err(BlockError { offset: begin, reason })));
            pos = next;
            continue;
        };
        let label = label.to_owned();
        let end_marker = format!("-----END {label}-----");
        let Some(end) = find(bytes, end_marker.as_bytes(), next) else {
            let reason = format!("no matching {end_marker:?} line (truncated file?)");
            blocks.push(block(Some(label), Vec::new(), Err(BlockError { offset: begin, reason })));
            break;
        };
        // RFC 1421 headers: "Name: value" lines up to a blank line (legacy encrypted keys).
        let mut headers = Vec::new();
        while next < end {
            let (eol, after) = line_end(bytes, next);
            let text = String::from_utf8_lossy(bytes.get(next..eol.min(end)).unwrap_or_default());
            let text = text.trim();
            if let Some((name, value)) = text.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
                next = after.min(end);
            } else {
                if text.is_empty() && !headers.is_empty() {
                    next = after.min(end);
                }
                break;
            }
        }
        let der = decode_base64(bytes, next, end);
        blocks.push(block(Some(label), headers, der));
        pos = end + end_marker.len();
    }
    blocks
}

/// Decodes the base64 body in `bytes[start..end]`, reporting the file offset of the first bad character.
fn decode_base64(bytes: &[u8], start: usize, end: usize) -> Result<Vec<u8>, BlockError> {
    let start = start.min(end);
    let mut text = Vec::with_capacity(end.saturating_sub(start));
    let mut offsets = Vec::with_capacity(end.saturating_sub(start));
    for (i, &b) in bytes.get(start..end).unwrap_or_default().iter().enumerate() {
        if !b.is_ascii_whitespace() {
            text.push(b);
            offsets.push(start + i);
        }
    }
    if text.is_empty() {
        return Err(BlockError { offset: start, reason: "empty PEM block".into() });
    }
    let at = |i: usize| offsets.get(i).copied().unwrap_or(start);
    let last = offsets.last().copied().unwrap_or(start);
    base64::engine::general_purpose::STANDARD.decode(&text).map_err(|e| match e {
        base64::DecodeError::InvalidByte(i, b) | base64::DecodeError::InvalidLastSymbol(i, b) => {
            BlockError { offset: at(i), reason: format!("invalid base64 character {:?}", char::from(b)) }
        }
        base64::DecodeError::InvalidLength(n) => BlockError {
            offset: last,
            reason: format!(
                "base64 body has {n} characters, not a multiple of 4 (truncated or edited block?)"
            ),
        },
        base64::DecodeError::InvalidPadding => {
            BlockError { offset: last, reason: "invalid base64 padding".into() }
        }
    })
}

/// Splits concatenated DER objects using their outer lengths.
fn split_der(file: &str, bytes: &[u8]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut pos = 0;
    while let Some(rest @ [tag, ..]) = bytes.get(pos..) {
        let number = blocks.len() + 1;
        let block =
            |der| Block { file: file.to_owned(), number, offset: pos, label: None, headers: Vec::new(), der };
        match der_header(rest) {
            Ok((header_len, content_len)) if *tag == 0x30 => {
                let total = header_len.saturating_add(content_len);
                let Some(object) = rest.get(..total) else {
                    let remaining = rest.len();
                    let reason = format!(
                        "DER object announces {total} bytes but only {remaining} remain (truncated file?)"
                    );
                    blocks.push(block(Err(BlockError { offset: pos, reason })));
                    break;
                };
                blocks.push(block(Ok(object.to_vec())));
                pos += total;
            }
            Ok(_) | Err(_) => {
                if rest.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
                    break;
                }
                let reason = format!("expected a DER SEQUENCE (0x30), found 0x{tag:02x}");
                blocks.push(block(Err(BlockError { offset: pos, reason })));
                break;
            }
        }
    }
    blocks
}

/// Largest DER element length accepted.
const MAX_DER_LEN: u64 = 1 << 28;

/// Reads a DER tag+length header: (header length, content length).
pub(crate) fn der_header(bytes: &[u8]) -> Result<(usize, usize), String> {
    let (&tag, rest) = bytes.split_first().ok_or("missing tag")?;
    if tag & 0x1f == 0x1f {
        return Err("multi-byte tags are not used in certificates".into());
    }
    let (&first, rest) = rest.split_first().ok_or("missing length")?;
    if first < 0x80 {
        return Ok((2, usize::from(first)));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return Err(format!("unsupported length encoding 0x{first:02x}"));
    }
    let len_bytes = rest.get(..n).ok_or("truncated length")?;
    let len = len_bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    // Nothing rtspeek reads is anywhere near 256 MiB; refusing larger lengths keeps every offset sum far
    // from overflow, also where usize is 32 bits (wasm32).
    if len > MAX_DER_LEN {
        return Err(format!("length {len} is implausibly large"));
    }
    Ok((2 + n, len as usize))
}

/// Walks a DER structure and returns the offset (within `der`) and a description of the first place where it
/// is broken (a length running past its parent, trailing bytes), or `None` when the TLV structure is sound.
pub(crate) fn der_structure_error(der: &[u8]) -> Option<(usize, String)> {
    fn walk(der: &[u8], base: usize, depth: usize) -> Option<(usize, String)> {
        if depth > 32 {
            return Some((base, "DER nesting deeper than 32 levels".into()));
        }
        let mut pos = 0;
        while let Some(rest @ [tag, ..]) = der.get(pos..) {
            let (hl, cl) = match der_header(rest) {
                Ok(h) => h,
                Err(e) => return Some((base + pos, e)),
            };
            let end = pos + hl + cl;
            // `hl` is at most the bytes `der_header` read, so the split fits when the element does.
            let Some((_, contents)) = rest.get(..hl + cl).and_then(|element| element.split_at_checked(hl))
            else {
                let over = end - der.len();
                return Some((
                    base + pos,
                    format!("element of {cl} bytes runs {over} bytes past its container"),
                ));
            };
            // Only constructed elements are walked: primitive contents (BIT STRING, OCTET STRING) are opaque.
            if tag & 0x20 != 0
                && let Some(e) = walk(contents, base + pos + hl, depth + 1)
            {
                return Some(e);
            }
            pos = end;
        }
        None
    }
    match der_header(der) {
        Err(e) => Some((0, e)),
        Ok((hl, cl)) if hl + cl > der.len() => {
            Some((0, format!("certificate announces {} bytes, block has {}", hl + cl, der.len())))
        }
        Ok((hl, cl)) if hl + cl < der.len() => {
            Some((hl + cl, format!("{} trailing bytes after the certificate", der.len() - hl - cl)))
        }
        Ok(_) => walk(der, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn garbage_is_neither_pem_nor_der() {
        let err = split("x.pem", b"hello world").unwrap_err();
        assert!(err.contains("not PEM") && err.contains("0x68"), "{err}");
        assert_eq!(split("x", b"").unwrap_err(), "the file is empty");
    }

    #[test]
    fn pem_blocks_keep_offsets_labels_and_headers() {
        let text = b"junk\n-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n\
-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAMCAQE=\n-----END RSA PRIVATE KEY-----\n";
        let blocks = split("f.pem", text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].offset, 5);
        assert_eq!(blocks[0].der.as_deref(), Ok(&[0x30, 3, 2, 1, 1][..]));
        assert_eq!(blocks[1].label.as_deref(), Some("RSA PRIVATE KEY"));
        assert_eq!(blocks[1].headers[0], ("Proc-Type".into(), "4,ENCRYPTED".into()));
        assert!(blocks[1].der.is_ok());
    }

    #[test]
    fn bad_base64_points_at_the_character() {
        let text = b"-----BEGIN CERTIFICATE-----\nMAMC!QE=\n-----END CERTIFICATE-----\n";
        let blocks = split("f.pem", text).unwrap();
        let err = blocks[0].der.as_ref().unwrap_err();
        assert_eq!(err.offset, 28 + 4);
        assert!(err.reason.contains('!'));
    }

    #[test]
    fn a_header_line_holding_the_end_marker_is_not_a_panic() {
        // Found by the fuzz corpus: the END marker on the same line as an RFC 1421 header.
        let blocks = split("f.pem", b"-----BEGIN X-----\nProc-Type: 4-----END X-----\n").unwrap();
        assert!(blocks[0].der.is_err());
    }

    #[test]
    fn missing_end_line_is_reported() {
        let blocks = split("f.pem", b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n").unwrap();
        assert!(blocks[0].der.as_ref().unwrap_err().reason.contains("END CERTIFICATE"));
    }

    #[test]
    fn concatenated_der_and_truncation() {
        let blocks = split("f.der", &[0x30, 1, 0, 0x30, 0, 0x30, 5, 1]).unwrap();
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[1].offset, 3);
        assert!(blocks[2].der.as_ref().unwrap_err().reason.contains("truncated"));
    }

    #[test]
    fn der_structure_errors_have_offsets() {
        assert_eq!(der_structure_error(&[0x30, 3, 0x02, 1, 5]), None);
        let (off, why) = der_structure_error(&[0x30, 4, 0x30, 5, 0, 0]).unwrap();
        assert_eq!(off, 2, "{why}");
        assert!(der_structure_error(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_some());
    }
}
