//! Writing RTP packets: the header fields, optional CSRCs, header extension and padding, then the payload.
//!
//! Used by tests to build packets and by the server to send them. It appends to a caller's `Vec`, so a reused
//! buffer makes writing allocation-free.

use super::extension::{
    ExtensionElement, ExtensionForm, HeaderExtension, ONE_BYTE_PROFILE, TWO_BYTE_PROFILE,
};
use super::packet::FIXED_HEADER_LEN;

/// Why a packet could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpBuildError {
    /// More than 15 contributing sources.
    #[error("{0} CSRCs, at most 15 fit in the header")]
    TooManyCsrcs(usize),
    /// The payload type does not fit in 7 bits.
    #[error("payload type {0} is over 127")]
    PayloadTypeOutOfRange(u8),
    /// Extension data must be a whole number of 32-bit words.
    #[error("header extension data of {0} bytes is not a whole number of 32-bit words")]
    ExtensionNotWordAligned(usize),
    /// Extension data longer than the 16-bit word count allows.
    #[error("header extension data of {0} bytes is over the 262140-byte limit")]
    ExtensionTooLong(usize),
    /// An RFC 8285 element ID outside the range of its form (1-14 one-byte, 1-255 two-byte).
    #[error("extension element ID {0} is not allowed in this form")]
    ElementIdOutOfRange(u8),
    /// An RFC 8285 element whose length the form cannot express (1-16 bytes one-byte, 0-255 two-byte).
    #[error("extension element {id} has {len} bytes, which this form cannot express")]
    ElementLength {
        /// The element's ID.
        id: u8,
        /// Its data length.
        len: usize,
    },
}

/// The header fields of a packet to write. `Default` gives payload type 0, no marker, no CSRC, no extension.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RtpHeader<'a> {
    /// The marker bit.
    pub marker: bool,
    /// The payload type (0 to 127).
    pub payload_type: u8,
    /// The sequence number.
    pub sequence: u16,
    /// The media timestamp.
    pub timestamp: u32,
    /// The synchronization source.
    pub ssrc: u32,
    /// Contributing sources (at most 15).
    pub csrcs: &'a [u32],
    /// A header extension block (its data a whole number of 32-bit words; see [`write_extension_elements`]).
    pub extension: Option<HeaderExtension<'a>>,
    /// Padding bytes to append, count byte included (0 for none), e.g. to reach a cipher's block size.
    pub padding: u8,
}

impl RtpHeader<'_> {
    /// Appends the packet (header, `payload`, padding) to `out` and returns its length.
    pub fn write(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<usize, RtpBuildError> {
        if self.csrcs.len() > 15 {
            return Err(RtpBuildError::TooManyCsrcs(self.csrcs.len()));
        }
        if self.payload_type > 127 {
            return Err(RtpBuildError::PayloadTypeOutOfRange(self.payload_type));
        }
        let ext_words = match &self.extension {
            None => None,
            Some(ext) => {
                let len = ext.data().len();
                if !len.is_multiple_of(4) {
                    return Err(RtpBuildError::ExtensionNotWordAligned(len));
                }
                Some(u16::try_from(len / 4).map_err(|_| RtpBuildError::ExtensionTooLong(len))?)
            }
        };
        let start = out.len();
        let first = 0x80
            | if self.padding > 0 { 0x20 } else { 0 }
            | if ext_words.is_some() { 0x10 } else { 0 }
            | self.csrcs.len() as u8;
        out.reserve(FIXED_HEADER_LEN + self.csrcs.len() * 4 + payload.len() + usize::from(self.padding));
        out.push(first);
        out.push(u8::from(self.marker) << 7 | self.payload_type);
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for csrc in self.csrcs {
            out.extend_from_slice(&csrc.to_be_bytes());
        }
        if let (Some(ext), Some(words)) = (&self.extension, ext_words) {
            out.extend_from_slice(&ext.profile().to_be_bytes());
            out.extend_from_slice(&words.to_be_bytes());
            out.extend_from_slice(ext.data());
        }
        out.extend_from_slice(payload);
        if self.padding > 0 {
            out.resize(out.len() + usize::from(self.padding) - 1, 0);
            out.push(self.padding);
        }
        Ok(out.len() - start)
    }
}

/// Appends RFC 8285 `elements` in `form` to `out`, zero-padded to a whole number of 32-bit words, and returns
/// the profile value to put in the extension header. `ExtensionForm::Generic` is not an element form and writes
/// nothing (it returns `Ok(None)`).
pub fn write_extension_elements(
    form: ExtensionForm,
    elements: &[ExtensionElement<'_>],
    out: &mut Vec<u8>,
) -> Result<Option<u16>, RtpBuildError> {
    let profile = match form {
        ExtensionForm::Generic => return Ok(None),
        ExtensionForm::OneByte => ONE_BYTE_PROFILE,
        ExtensionForm::TwoByte { appbits } => TWO_BYTE_PROFILE | u16::from(appbits & 0x0f),
    };
    // Validate everything first, so that an error leaves `out` untouched.
    let header = if form == ExtensionForm::OneByte { 1 } else { 2 };
    let mut total = 0usize;
    for e in elements {
        let len = e.data.len();
        let (ids, lens) = if header == 1 { (1..=14, 1..=16) } else { (1..=255, 0..=255) };
        if !ids.contains(&e.id) {
            return Err(RtpBuildError::ElementIdOutOfRange(e.id));
        }
        if !lens.contains(&len) {
            return Err(RtpBuildError::ElementLength { id: e.id, len });
        }
        total += header + len;
    }
    let padded = total.div_ceil(4) * 4;
    if padded > usize::from(u16::MAX) * 4 {
        return Err(RtpBuildError::ExtensionTooLong(padded));
    }
    let start = out.len();
    out.reserve(padded);
    for e in elements {
        // Lengths were checked above: they fit the form's length field.
        if header == 1 {
            out.push(e.id << 4 | (e.data.len() - 1) as u8);
        } else {
            out.extend_from_slice(&[e.id, e.data.len() as u8]);
        }
        out.extend_from_slice(e.data);
    }
    out.resize(start + padded, 0);
    Ok(Some(profile))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::parse;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn written_packets_parse_back() {
        let mut ext = Vec::new();
        let elements =
            [ExtensionElement { id: 1, data: &[0x30] }, ExtensionElement { id: 3, data: &[1, 2, 3] }];
        let profile = write_extension_elements(ExtensionForm::OneByte, &elements, &mut ext).unwrap().unwrap();
        assert_eq!(ext.len() % 4, 0);
        let header = RtpHeader {
            marker: true,
            payload_type: 96,
            sequence: 65535,
            timestamp: 4_000_000_000,
            ssrc: 0xcafe_f00d,
            csrcs: &[7, 8, 9],
            extension: Some(HeaderExtension::new(profile, &ext)),
            padding: 4,
        };
        let mut out = vec![0xee]; // something already in the buffer stays
        let len = header.write(b"payload", &mut out).unwrap();
        assert_eq!(len, out.len() - 1);
        let p = parse(&out[1..]).unwrap();
        assert!(p.marker() && p.has_padding() && p.has_extension());
        assert_eq!(
            (p.payload_type(), p.sequence(), p.timestamp(), p.ssrc()),
            (96, 65535, 4_000_000_000, 0xcafe_f00d)
        );
        assert_eq!(p.csrcs().collect::<Vec<_>>(), [7, 8, 9]);
        assert_eq!(p.payload(), b"payload");
        assert_eq!(p.padding_len(), 4);
        let got: Vec<_> = p.extension().unwrap().elements().map(Result::unwrap).collect();
        assert_eq!(got, elements);
    }

    #[test]
    fn two_byte_elements_round_trip_with_appbits() {
        let mut ext = Vec::new();
        let elements = [ExtensionElement { id: 200, data: &[] }, ExtensionElement { id: 17, data: &[9; 20] }];
        let form = ExtensionForm::TwoByte { appbits: 5 };
        let profile = write_extension_elements(form, &elements, &mut ext).unwrap().unwrap();
        assert_eq!(profile, 0x1005);
        let parsed = HeaderExtension::new(profile, &ext);
        assert_eq!(parsed.form(), form);
        assert_eq!(parsed.elements().map(Result::unwrap).collect::<Vec<_>>(), elements);
    }

    #[test]
    fn invalid_headers_are_refused() {
        let mut out = Vec::new();
        let csrcs = [0u32; 16];
        let h = RtpHeader { csrcs: &csrcs, ..RtpHeader::default() };
        assert_eq!(h.write(b"", &mut out), Err(RtpBuildError::TooManyCsrcs(16)));
        let h = RtpHeader { payload_type: 128, ..RtpHeader::default() };
        assert_eq!(h.write(b"", &mut out), Err(RtpBuildError::PayloadTypeOutOfRange(128)));
        let h = RtpHeader { extension: Some(HeaderExtension::new(1, &[1, 2])), ..RtpHeader::default() };
        assert_eq!(h.write(b"", &mut out), Err(RtpBuildError::ExtensionNotWordAligned(2)));
        assert!(out.is_empty());
        let mut one = |id, data| {
            write_extension_elements(ExtensionForm::OneByte, &[ExtensionElement { id, data }], &mut out)
        };
        assert_eq!(one(15, &[1]), Err(RtpBuildError::ElementIdOutOfRange(15)));
        assert_eq!(one(2, &[]), Err(RtpBuildError::ElementLength { id: 2, len: 0 }));
        assert_eq!(one(2, &[0; 17]), Err(RtpBuildError::ElementLength { id: 2, len: 17 }));
        let two = ExtensionForm::TwoByte { appbits: 0 };
        let big = [0u8; 256];
        let e = [ExtensionElement { id: 1, data: &big }];
        assert_eq!(
            write_extension_elements(two, &e, &mut out),
            Err(RtpBuildError::ElementLength { id: 1, len: 256 })
        );
        assert_eq!(write_extension_elements(ExtensionForm::Generic, &e, &mut out), Ok(None));
    }
}
