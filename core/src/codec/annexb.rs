//! Annex B byte streams (H.264 Annex B, H.265 Annex B): NAL units separated by `00 00 01` or `00 00 00 01`
//! start codes, as written by encoders to `.h264`/`.h265` files.

/// Iterates over the NAL units of an Annex B byte stream, without copying. Bytes before the first start code
/// are skipped; the trailing zero bytes before a start code (`trailing_zero_8bits`, or the leading zero of a
/// 4-byte start code) are not part of the NAL unit. Empty NAL units are skipped.
pub fn nal_units(stream: &[u8]) -> AnnexBNals<'_> {
    AnnexBNals { rest: find_start(stream).map_or(&[][..], |(_, after)| after) }
}

/// Iterator returned by [`nal_units`].
#[derive(Debug, Clone)]
pub struct AnnexBNals<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for AnnexBNals<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        while !self.rest.is_empty() {
            let (nal, rest) = find_start(self.rest).unwrap_or((self.rest, &[][..]));
            self.rest = rest;
            // Drop trailing zero bytes: a NAL unit never ends with 0x00 (its RBSP ends with the stop bit,
            // cabac_zero_words are 0x0000 03 after emulation prevention).
            let nal = trim_trailing_zeros(nal);
            if !nal.is_empty() {
                return Some(nal);
            }
        }
        None
    }
}

/// `bytes` without its trailing zero bytes.
pub(crate) fn trim_trailing_zeros(mut bytes: &[u8]) -> &[u8] {
    while let [rest @ .., 0] = bytes {
        bytes = rest;
    }
    bytes
}

/// The next `00 00 01` start code: (the bytes before it, the bytes after it).
fn find_start(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut i = 0;
    while let Some((before, rest)) = data.split_at_checked(i)
        && let Some((&[a, b, c], after)) = rest.split_first_chunk::<3>()
    {
        // Skip ahead by the position of the first byte that could end a start code.
        if c > 1 {
            i += 3;
        } else if a == 0 && b == 0 && c == 1 {
            return Some((before, after));
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn splits_on_three_and_four_byte_start_codes() {
        let stream = [0xFF, 0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 0, 1, 0x65, 0x88, 0, 0, 1];
        let nals: Vec<&[u8]> = nal_units(&stream).collect();
        assert_eq!(nals, vec![&[0x67, 0x42][..], &[0x68, 0xCE][..], &[0x65, 0x88][..]]);
    }

    #[test]
    fn no_start_code_means_no_nal_units() {
        assert_eq!(nal_units(&[0x67, 0x42, 0x00]).count(), 0);
        assert_eq!(nal_units(&[]).count(), 0);
        assert_eq!(nal_units(&[0, 0, 1, 0, 0, 1]).count(), 0);
    }
}
