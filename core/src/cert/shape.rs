//! Locating the first broken element of a certificate that x509-parser rejects. x509-parser's errors say
//! what failed but not where; a person with a damaged file needs the byte. This walks the outer X.509
//! structure (RFC 5280 section 4.1) and returns the offset of the first element whose tag or length is wrong.

use super::input::der_header;

/// Where an element sits in the certificate: (start offset, total length including its header).
type Span = (usize, usize);

/// One expected element: acceptable tags, whether it may be absent, and its name for the message.
struct Expect {
    tags: &'static [u8],
    optional: bool,
    name: &'static str,
}

const fn one(tag: u8, name: &'static str) -> Expect {
    Expect { tags: single(tag), optional: false, name }
}

const fn single(tag: u8) -> &'static [u8] {
    match tag {
        0x02 => &[0x02],
        0x03 => &[0x03],
        _ => &[0x30],
    }
}

const TBS: &[Expect] = &[
    Expect { tags: &[0xa0], optional: true, name: "version [0]" },
    one(0x02, "serialNumber INTEGER"),
    one(0x30, "signature AlgorithmIdentifier"),
    one(0x30, "issuer Name"),
    one(0x30, "validity"),
    one(0x30, "subject Name"),
    one(0x30, "subjectPublicKeyInfo"),
    Expect { tags: &[0x81, 0xa1], optional: true, name: "issuerUniqueID [1]" },
    Expect { tags: &[0x82, 0xa2], optional: true, name: "subjectUniqueID [2]" },
    Expect { tags: &[0xa3], optional: true, name: "extensions [3]" },
];

const TIMES: &[Expect] = &[
    Expect { tags: &[0x17, 0x18], optional: false, name: "notBefore (UTCTime or GeneralizedTime)" },
    Expect { tags: &[0x17, 0x18], optional: false, name: "notAfter (UTCTime or GeneralizedTime)" },
];

const CERTIFICATE: &[Expect] =
    &[one(0x30, "tbsCertificate"), one(0x30, "signatureAlgorithm"), one(0x03, "signatureValue BIT STRING")];

/// Returns (offset within `der`, what is wrong) for the first element that does not fit the X.509 shape.
pub(crate) fn first_shape_error(der: &[u8]) -> Option<(usize, String)> {
    let (hl, cl) = match der_header(der) {
        Ok(h) => h,
        Err(e) => return Some((0, format!("certificate header: {e}"))),
    };
    // `der_header` read the tag, so there is a first byte.
    if let Some(&tag) = der.first()
        && tag != 0x30
    {
        return Some((0, format!("a certificate starts with SEQUENCE (0x30), found 0x{tag:02x}")));
    }
    let Some(content) = der.get(hl..hl + cl) else {
        return Some((0, format!("certificate announces {} bytes, block has {}", hl + cl, der.len())));
    };
    let children = match sequence(content, hl, CERTIFICATE, "Certificate") {
        Ok(c) => c,
        Err(e) => return Some(e),
    };
    // `sequence` returns one span per expected element, each within `der`.
    let (tbs_start, tbs_len) = children.first().copied().flatten()?;
    let tbs_hl = der_header(der.get(tbs_start..)?).ok()?.0;
    let tbs_content = der.get(tbs_start + tbs_hl..tbs_start + tbs_len)?;
    let tbs = match sequence(tbs_content, tbs_start + tbs_hl, TBS, "tbsCertificate") {
        Ok(t) => t,
        Err(e) => return Some(e),
    };
    let (v_start, v_len) = tbs.get(4).copied().flatten()?;
    let v_hl = der_header(der.get(v_start..)?).ok()?.0;
    let validity = der.get(v_start + v_hl..v_start + v_len)?;
    if let Err(e) = sequence(validity, v_start + v_hl, TIMES, "validity") {
        return Some(e);
    }
    None
}

/// Checks that `content` (starting at `base` in the certificate) holds the `expected` elements in order and
/// nothing else. Returns each element's (start, total length), `None` for absent optional ones.
fn sequence(
    content: &[u8],
    base: usize,
    expected: &[Expect],
    what: &str,
) -> Result<Vec<Option<Span>>, (usize, String)> {
    let mut found = Vec::with_capacity(expected.len());
    let mut pos = 0;
    for e in expected {
        // `pos` never passes the end: each element was checked to fit.
        let rest = content.get(pos..).unwrap_or_default();
        let Some(&tag) = rest.first() else {
            if e.optional {
                found.push(None);
                continue;
            }
            return Err((base + pos, format!("{what} ends before {}", e.name)));
        };
        if !e.tags.contains(&tag) {
            if e.optional {
                found.push(None);
                continue;
            }
            return Err((base + pos, format!("expected {} in {what}, found tag 0x{tag:02x}", e.name)));
        }
        let (hl, cl) = der_header(rest).map_err(|err| (base + pos, format!("{}: {err}", e.name)))?;
        if hl + cl > rest.len() {
            return Err((base + pos, format!("{} runs past the end of {what}", e.name)));
        }
        found.push(Some((base + pos, hl + cl)));
        pos += hl + cl;
    }
    if let Some(&tag) = content.get(pos) {
        return Err((base + pos, format!("unexpected element (tag 0x{tag:02x}) at the end of {what}")));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// A minimal well-shaped certificate: SEQ { SEQ { INT, SEQ, SEQ, SEQ { UTCTime, UTCTime }, SEQ, SEQ }, SEQ, BIT STRING }.
    fn shaped() -> Vec<u8> {
        let tbs: Vec<u8> =
            [&[0x02, 1, 1][..], &[0x30, 0], &[0x30, 0], &[0x30, 4, 0x17, 0, 0x17, 0], &[0x30, 0], &[0x30, 0]]
                .concat();
        let mut cert = vec![0x30, tbs.len() as u8];
        cert.extend(tbs);
        cert.extend([0x30, 0, 0x03, 1, 0]);
        let mut out = vec![0x30, cert.len() as u8];
        out.extend(cert);
        out
    }

    #[test]
    fn a_well_shaped_certificate_has_no_error() {
        assert_eq!(first_shape_error(&shaped()), None);
    }

    #[test]
    fn a_damaged_validity_time_is_located() {
        let mut der = shaped();
        let at = der.iter().position(|&b| b == 0x17).unwrap();
        der[at] = 0x04;
        let (offset, why) = first_shape_error(&der).unwrap();
        assert_eq!(offset, at);
        assert!(why.contains("notBefore"), "{why}");
    }

    #[test]
    fn a_missing_signature_is_located() {
        let mut der = shaped();
        let len = der.len();
        der.truncate(len - 3);
        der[1] -= 3;
        let (_, why) = first_shape_error(&der).unwrap();
        assert!(why.contains("signatureValue"), "{why}");
    }
}
