//! Trust anchors: the public web PKI (Mozilla's roots via `webpki-roots`) or CA certificates the user gives.
//!
//! Anchors are kept as the *contents* of their subject Name and SubjectPublicKeyInfo (what `webpki-roots`
//! ships), so that matching an issuer is a byte comparison and nothing is parsed unless a name matches.

use std::borrow::Cow;

use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use super::crypto::{KeyError, PublicKey};
use super::input::der_header;

/// A trust anchor.
#[derive(Debug, Clone)]
pub(crate) struct Anchor<'a> {
    /// Contents (no tag/length) of the subject Name.
    subject: Cow<'a, [u8]>,
    /// Contents (no tag/length) of the SubjectPublicKeyInfo.
    spki: Cow<'a, [u8]>,
    /// Where it came from (`webpki-roots` or a file block).
    pub(crate) source: String,
}

impl<'a> Anchor<'a> {
    /// An anchor from a CA certificate the user supplied.
    pub(crate) fn from_cert(cert: &X509Certificate<'a>, source: String) -> Anchor<'a> {
        Anchor {
            subject: Cow::Borrowed(contents(cert.tbs_certificate.subject.as_raw())),
            spki: Cow::Borrowed(contents(cert.tbs_certificate.subject_pki.raw)),
            source,
        }
    }

    /// Whether this anchor's subject is the DER Name `name_raw` (with its tag and length).
    pub(crate) fn has_subject(&self, name_raw: &[u8]) -> bool {
        contents(name_raw) == &*self.subject
    }

    /// Whether this anchor holds exactly the key `spki_raw` (a full DER SubjectPublicKeyInfo).
    pub(crate) fn has_spki(&self, spki_raw: &[u8]) -> bool {
        contents(spki_raw) == &*self.spki
    }

    /// The anchor's public key.
    pub(crate) fn public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_spki_der(&wrap_sequence(&self.spki))
    }

    /// The anchor's subject as text.
    pub(crate) fn name(&self) -> String {
        let der = wrap_sequence(&self.subject);
        match X509Name::from_der(&der) {
            Ok((_, name)) => super::dn::name_text(&name),
            Err(_) => "(unreadable anchor name)".to_owned(),
        }
    }
}

/// The roots of the public web PKI.
pub(crate) fn web_pki() -> Vec<Anchor<'static>> {
    webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .map(|ta| Anchor {
            subject: Cow::Borrowed(ta.subject.as_ref()),
            spki: Cow::Borrowed(ta.subject_public_key_info.as_ref()),
            source: "webpki-roots".to_owned(),
        })
        .collect()
}

/// The contents of a DER element (drops its tag and length); the input itself if it is not well formed.
fn contents(der: &[u8]) -> &[u8] {
    let Ok((header, len)) = der_header(der) else { return der };
    match der.get(header..) {
        Some(contents) if contents.len() == len => contents,
        _ => der,
    }
}

/// Wraps contents in a DER SEQUENCE.
fn wrap_sequence(contents: &[u8]) -> Vec<u8> {
    let len = contents.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(0x30);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend(bytes.iter().skip(skip));
    }
    out.extend_from_slice(contents);
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn web_pki_anchors_have_readable_names_and_keys() {
        let roots = web_pki();
        assert!(roots.len() > 100);
        for root in &roots {
            assert!(!root.name().starts_with('('), "{}", root.name());
        }
        assert!(roots.iter().filter(|r| r.public_key().is_ok()).count() > 100);
    }

    #[test]
    fn wrap_and_unwrap_are_inverse() {
        for len in [0usize, 5, 127, 128, 300, 70_000] {
            let body = vec![7u8; len];
            let wrapped = wrap_sequence(&body);
            assert_eq!(contents(&wrapped), &body[..]);
        }
    }
}
