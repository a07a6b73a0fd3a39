//! RTP header extensions: the generic RFC 3550 (5.3.1) block and the RFC 8285 elements inside it.
//!
//! RFC 8285 multiplexes several small extensions (audio level, video orientation, absolute send time...) into the
//! one block RFC 3550 allows, in one of two forms told apart by the block's profile field:
//! - one-byte header (profile `0xBEDE`): each element is `ID:4 | L:4` then `L + 1` data bytes, IDs 1 to 14;
//! - two-byte header (profile `0x100` in the top 12 bits, the low 4 bits are application bits): each element is
//!   `ID:8 | length:8` then `length` data bytes (possibly none), IDs 1 to 255.
//!
//! In both forms a zero byte between elements is padding, and ID 15 in the one-byte form ends the list.

use super::packet::{RtpError, RtpErrorReason};

/// Profile value of the RFC 8285 one-byte header form.
pub const ONE_BYTE_PROFILE: u16 = 0xbede;
/// Profile value of the RFC 8285 two-byte header form, with the 4 application bits set to zero.
pub const TWO_BYTE_PROFILE: u16 = 0x1000;

/// Which layout the extension data has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionForm {
    /// RFC 8285 one-byte element headers (profile `0xBEDE`).
    OneByte,
    /// RFC 8285 two-byte element headers (profile `0x100X`), with the 4 application bits.
    TwoByte {
        /// The low 4 bits of the profile field, for the application.
        appbits: u8,
    },
    /// Any other profile: one opaque block, defined by the RTP profile in use.
    Generic,
}

impl ExtensionForm {
    /// The form a profile field announces.
    pub fn of_profile(profile: u16) -> Self {
        match profile {
            ONE_BYTE_PROFILE => ExtensionForm::OneByte,
            p if p & 0xfff0 == TWO_BYTE_PROFILE => ExtensionForm::TwoByte { appbits: (p & 0x0f) as u8 },
            _ => ExtensionForm::Generic,
        }
    }
}

/// The header extension block of an RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderExtension<'a> {
    profile: u16,
    data: &'a [u8],
    /// Where `data` starts in the packet, so that element errors carry packet offsets.
    offset: usize,
}

impl<'a> HeaderExtension<'a> {
    /// An extension block with this profile field and data (a whole number of 32-bit words to be written).
    /// Errors from [`elements`](Self::elements) then count offsets from the start of `data`.
    pub fn new(profile: u16, data: &'a [u8]) -> Self {
        HeaderExtension { profile, data, offset: 0 }
    }

    pub(super) fn at_offset(profile: u16, data: &'a [u8], offset: usize) -> Self {
        HeaderExtension { profile, data, offset }
    }

    /// The 16-bit profile field ("defined by profile" in RFC 3550).
    pub fn profile(&self) -> u16 {
        self.profile
    }

    /// The extension data, after the 4-byte extension header.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The layout the profile field announces.
    pub fn form(&self) -> ExtensionForm {
        ExtensionForm::of_profile(self.profile)
    }

    /// The RFC 8285 elements, in order. Empty for a [`ExtensionForm::Generic`] block. An element that runs past
    /// the block yields an error (with its offset in the packet) and ends the iteration.
    pub fn elements(&self) -> ExtensionElements<'a> {
        ExtensionElements { form: self.form(), data: self.data, pos: 0, offset: self.offset }
    }
}

/// One RFC 8285 extension element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionElement<'a> {
    /// The local identifier, mapped to an extension URI by the SDP `a=extmap` lines.
    pub id: u8,
    /// The element's data.
    pub data: &'a [u8],
}

/// Iterator over the elements of an RFC 8285 header extension; see [`HeaderExtension::elements`].
#[derive(Debug, Clone)]
pub struct ExtensionElements<'a> {
    form: ExtensionForm,
    data: &'a [u8],
    pos: usize,
    offset: usize,
}

impl<'a> Iterator for ExtensionElements<'a> {
    type Item = Result<ExtensionElement<'a>, RtpError>;

    fn next(&mut self) -> Option<Self::Item> {
        let two_byte = match self.form {
            ExtensionForm::Generic => return None,
            ExtensionForm::OneByte => false,
            ExtensionForm::TwoByte { .. } => true,
        };
        // Padding bytes (zero) may sit between elements and after the last one.
        while self.data.get(self.pos) == Some(&0) {
            self.pos += 1;
        }
        let at = self.pos;
        let &first = self.data.get(at)?;
        let (id, len, header) = if two_byte {
            let Some(&len) = self.data.get(at + 1) else {
                return self.fail(at, first, 1);
            };
            (first, usize::from(len), 2)
        } else {
            let id = first >> 4;
            if id == 15 {
                // RFC 8285 4.2: ID 15 stops the processing of the extension.
                self.pos = self.data.len();
                return None;
            }
            (id, usize::from(first & 0x0f) + 1, 1)
        };
        let start = at + header;
        let Some(data) = self.data.get(start..start + len) else {
            return self.fail(at, id, len);
        };
        self.pos = start + len;
        Some(Ok(ExtensionElement { id, data }))
    }
}

impl ExtensionElements<'_> {
    fn fail<T>(&mut self, at: usize, id: u8, len: usize) -> Option<Result<T, RtpError>> {
        self.pos = self.data.len();
        let reason = RtpErrorReason::ElementOverrun { id, len };
        Some(Err(RtpError { offset: self.offset + at, reason }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn elements(profile: u16, data: &[u8]) -> Vec<Result<(u8, Vec<u8>), RtpError>> {
        HeaderExtension::at_offset(profile, data, 16)
            .elements()
            .map(|e| e.map(|e| (e.id, e.data.to_vec())))
            .collect()
    }

    #[test]
    fn forms_follow_the_profile() {
        assert_eq!(ExtensionForm::of_profile(0xbede), ExtensionForm::OneByte);
        assert_eq!(ExtensionForm::of_profile(0x1000), ExtensionForm::TwoByte { appbits: 0 });
        assert_eq!(ExtensionForm::of_profile(0x100a), ExtensionForm::TwoByte { appbits: 10 });
        assert_eq!(ExtensionForm::of_profile(0x1010), ExtensionForm::Generic);
        assert_eq!(ExtensionForm::of_profile(0), ExtensionForm::Generic);
    }

    #[test]
    fn one_byte_elements_with_padding() {
        // RFC 8285 4.2 example shape: ID 1 L=0 (1 byte), padding, ID 2 L=1 (2 bytes), padding to a word.
        let data = [0x10, 0xaa, 0x00, 0x21, 0xbb, 0xcc, 0x00, 0x00];
        assert_eq!(elements(ONE_BYTE_PROFILE, &data), [Ok((1, vec![0xaa])), Ok((2, vec![0xbb, 0xcc]))]);
    }

    #[test]
    fn one_byte_id_15_stops_processing() {
        let data = [0x10, 0xaa, 0xf3, 0x20, 0x01, 0x02, 0x03, 0x04];
        assert_eq!(elements(ONE_BYTE_PROFILE, &data), [Ok((1, vec![0xaa]))]);
    }

    #[test]
    fn two_byte_elements_may_be_empty() {
        let data = [0x05, 0x00, 0x00, 0xff, 0x02, 0x01, 0x02, 0x00];
        assert_eq!(elements(0x1003, &data), [Ok((5, vec![])), Ok((255, vec![1, 2]))]);
    }

    #[test]
    fn overruns_are_errors_with_packet_offsets() {
        // One-byte: ID 3, L=3 (4 bytes) but only 2 follow.
        let got = elements(ONE_BYTE_PROFILE, &[0x10, 0xaa, 0x33, 1, 2]);
        let reason = RtpErrorReason::ElementOverrun { id: 3, len: 4 };
        assert_eq!(got, [Ok((1, vec![0xaa])), Err(RtpError { offset: 18, reason })]);
        // Two-byte: the length byte itself is missing.
        let reason = RtpErrorReason::ElementOverrun { id: 7, len: 1 };
        assert_eq!(elements(TWO_BYTE_PROFILE, &[0x07]), [Err(RtpError { offset: 16, reason })]);
    }

    #[test]
    fn generic_blocks_have_no_elements() {
        assert!(elements(0xabcd, &[1, 2, 3, 4]).is_empty());
        assert!(elements(ONE_BYTE_PROFILE, &[]).is_empty());
    }
}
