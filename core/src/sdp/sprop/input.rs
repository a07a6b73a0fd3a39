//! What the parameter set inspector was given, split into NAL units: a sprop value, `a=fmtp:` parameters,
//! hex, an Annex B stream or one NAL unit. Only routing: the NAL units are judged in [`super::inspect`].

use serde::Serialize;

use super::{InspectError, SpropError, decode_list};
use crate::codec::{Codec, ParamSetKind, annexb};

/// How the inspector read its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputForm {
    /// A bare `sprop-parameter-sets` value: base64 NAL units separated by commas.
    Sprop,
    /// `key=value` parameters, as on an `a=fmtp:` line (or the first such line of a whole SDP).
    Fmtp,
    /// Hex text (`67 42 00 1f`, `00:00:00:01:67...`, `0x67...`).
    Hex,
    /// Bytes with start codes: an Annex B stream.
    Annexb,
    /// Bytes without start codes: one NAL unit.
    Nal,
}

/// One NAL unit (or what should have been one) found in the input.
pub(super) struct Item {
    /// Where it was (`item 2 ("aOvjyyLA")`, `NAL unit 3 at byte 40`).
    pub(super) origin: String,
    pub(super) nal: Result<Vec<u8>, SpropError>,
    /// The kind an H.265 sprop parameter names (`sprop-vps`...).
    pub(super) expected: Option<ParamSetKind>,
}

/// The input split into NAL units.
pub(super) struct Split {
    pub(super) form: InputForm,
    pub(super) items: Vec<Item>,
    /// The codec the parameter names imply (`sprop-vps` is H.265).
    pub(super) hint: Option<Codec>,
    /// Whether NAL units that are not parameter sets are expected (a stream) and only counted.
    pub(super) stream: bool,
}

/// Bytes: an Annex B stream when they hold a start code, otherwise one NAL unit. `single` is the form of a
/// NAL unit without start code (`Nal` for bytes, `Hex` for hex text).
pub(super) fn split_bytes(bytes: &[u8], stream: InputForm, single: InputForm) -> Result<Split, InspectError> {
    if bytes.is_empty() {
        return Err(InspectError::Empty);
    }
    let has_start_code = bytes.windows(3).any(|w| w == [0, 0, 1]);
    if !has_start_code {
        let item = Item { origin: "NAL unit".into(), nal: Ok(bytes.to_vec()), expected: None };
        return Ok(Split { form: single, items: vec![item], hint: None, stream: false });
    }
    let base = bytes.as_ptr() as usize;
    let items = annexb::nal_units(bytes)
        .enumerate()
        .map(|(i, nal)| Item {
            // The iterator yields sub-slices of `bytes`: their distance from its start is the offset.
            origin: format!("NAL unit {} at byte {}", i + 1, (nal.as_ptr() as usize).saturating_sub(base)),
            nal: Ok(nal.to_vec()),
            expected: None,
        })
        .collect();
    Ok(Split { form: stream, items, hint: None, stream: true })
}

/// Text: `sprop-*` parameters, hex, or a bare sprop value, in that order.
pub(super) fn split_text(text: &str) -> Result<Split, InspectError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InspectError::Empty);
    }
    if text.contains("sprop-") {
        return split_fmtp(text);
    }
    if let Some(bytes) = hex(text) {
        return split_bytes(&bytes, InputForm::Hex, InputForm::Hex);
    }
    if text.contains(['\n', ';']) || text.contains(char::is_whitespace) && !text.contains(',') {
        return Err(InspectError::NotRecognized { text: shorten(text) });
    }
    let items = decode_list(text)
        .enumerate()
        .map(|(i, (written, nal))| Item {
            origin: format!("item {} ({:?})", i + 1, shorten(written)),
            nal,
            expected: None,
        })
        .collect();
    Ok(Split { form: InputForm::Sprop, items, hint: None, stream: false })
}

/// `key=value;...` parameters of an `a=fmtp:` line (or the first such line of a whole SDP).
fn split_fmtp(text: &str) -> Result<Split, InspectError> {
    let line = text.lines().find(|l| l.contains("sprop-")).unwrap_or(text).trim();
    // `a=fmtp:96 key=value;...`: drop the attribute name and the payload type.
    let params = match line.strip_prefix("a=fmtp:") {
        Some(rest) => rest.split_once(char::is_whitespace).map_or("", |(_, p)| p),
        None => line,
    };
    let mut items = Vec::new();
    let mut hint = None;
    for param in params.split(';') {
        let Some((key, value)) = param.split_once('=') else { continue };
        let key = key.trim().to_ascii_lowercase();
        let (codec, expected) = match key.as_str() {
            "sprop-parameter-sets" => (Codec::H264, None),
            "sprop-vps" => (Codec::H265, Some(ParamSetKind::Vps)),
            "sprop-sps" => (Codec::H265, Some(ParamSetKind::Sps)),
            "sprop-pps" => (Codec::H265, Some(ParamSetKind::Pps)),
            _ => continue,
        };
        hint = Some(codec);
        for (i, (written, nal)) in decode_list(value).enumerate() {
            items.push(Item {
                origin: format!("{key} item {} ({:?})", i + 1, shorten(written)),
                nal,
                expected,
            });
        }
    }
    if items.is_empty() {
        return Err(InspectError::NoSpropParameter { line: shorten(line) });
    }
    Ok(Split { form: InputForm::Fmtp, items, hint, stream: false })
}

/// Hex text (`67 42 00 1f ...`, `00:00:00:01:67...`, `0x67...`) as bytes; `None` when it is not hex, or too
/// short to tell from base64.
fn hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .map(|w| w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")).unwrap_or(w))
        .flat_map(str::bytes)
        .collect();
    if digits.len() < 8 || !digits.len().is_multiple_of(2) || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let nibble = |d: &u8| char::from(*d).to_digit(16).and_then(|n| u8::try_from(n).ok()).unwrap_or(0);
    Some(digits.chunks_exact(2).map(|p| p.iter().fold(0, |byte, d| byte << 4 | nibble(d))).collect())
}

/// At most 40 characters of user input, for messages.
pub(super) fn shorten(text: &str) -> String {
    match text.char_indices().nth(40).and_then(|(i, _)| text.get(..i)) {
        Some(head) => format!("{head}..."),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn hex_forms() {
        assert_eq!(hex("67 42 00 1f"), Some(vec![0x67, 0x42, 0x00, 0x1f]));
        assert_eq!(hex("00:00:00:01:67"), Some(vec![0, 0, 0, 1, 0x67]));
        assert_eq!(hex("0x67 0x42 0x00 0x1F"), Some(vec![0x67, 0x42, 0x00, 0x1f]));
        // Too short to tell from base64, odd, or not hex.
        assert_eq!(hex("6742"), None);
        assert_eq!(hex("67 42 00 1"), None);
        assert_eq!(hex("Z2QAKKzZ"), None);
    }

    #[test]
    fn forms_and_origins() {
        let split = split_text("a=fmtp:98 profile-id=1;sprop-vps=QAEMAQ==;sprop-pps=RAHBcrRiQA==").unwrap();
        assert_eq!((split.form, split.hint, split.items.len()), (InputForm::Fmtp, Some(Codec::H265), 2));
        assert_eq!(split.items[1].origin, "sprop-pps item 1 (\"RAHBcrRiQA==\")");
        assert_eq!(split.items[0].expected, Some(ParamSetKind::Vps));
        let split =
            split_bytes(&[0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce], InputForm::Annexb, InputForm::Nal)
                .unwrap();
        let origins: Vec<_> = split.items.iter().map(|i| i.origin.as_str()).collect();
        assert_eq!(origins, ["NAL unit 1 at byte 3", "NAL unit 2 at byte 9"]);
        assert!(split.stream);
        assert_eq!(
            split_bytes(&[0x67, 0x42], InputForm::Annexb, InputForm::Nal).unwrap().form,
            InputForm::Nal
        );
        assert_eq!(shorten(&"a".repeat(50)), format!("{}...", "a".repeat(40)));
    }

    #[test]
    fn unrecognized_text() {
        assert!(matches!(split_text("hello world"), Err(InspectError::NotRecognized { .. })));
        assert!(matches!(split_text("a=fmtp:96 sprop-foo=1"), Err(InspectError::NoSpropParameter { .. })));
        assert!(matches!(split_text(" \n"), Err(InspectError::Empty)));
    }
}
