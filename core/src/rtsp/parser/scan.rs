//! Byte searches eight bytes at a time (SWAR: SIMD within a register), in safe code. A message head is
//! mostly long runs of ordinary text between line ends, so finding the next LF or control byte a word at a
//! time is where the parser's time goes.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask with the high bit set in each byte of `word` that is zero; exact for the lowest flagged byte
/// (higher flags may be spurious, so only the lowest one is used).
const fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// A mask flagging the bytes of `word` below 0x20 (control characters; not 0x7f), exact for the lowest.
const fn control_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES * 0x20) & !word & HIGHS
}

/// Index of the first byte at or after `from` for which `mask` flags a word byte and `exact` agrees.
#[inline]
fn find(
    haystack: &[u8],
    from: usize,
    mask: impl Fn(u64) -> u64,
    exact: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = haystack.get(i..i.wrapping_add(8)) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0xff; 8]));
        let m = mask(word);
        if m != 0 {
            // Little-endian: the lowest flagged bit belongs to the first matching byte.
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    haystack.get(i..)?.iter().position(|&b| exact(b)).map(|p| i + p)
}

/// The index of the first LF at or after `from`.
#[inline]
pub(super) fn find_lf(haystack: &[u8], from: usize) -> Option<usize> {
    find(haystack, from, |w| zero_bytes(w ^ (ONES * u64::from(b'\n'))), |b| b == b'\n')
}

/// The index of the first control byte (below 0x20: CR, LF, NUL, HT...) at or after `from`.
#[inline]
pub(super) fn find_control(haystack: &[u8], from: usize) -> Option<usize> {
    find(haystack, from, control_bytes, |b| b < 0x20)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn agrees_with_a_plain_search_at_every_offset() {
        let mut text: Vec<u8> = b"CSeq: 1\r\nServer: caf\xc3\xa9 \xff\x7f\x80\tx\x00y\r\n\nend".to_vec();
        text.extend((0..=255u8).rev());
        for from in 0..=text.len() + 1 {
            let plain_lf =
                text.get(from..).and_then(|t| t.iter().position(|&b| b == b'\n')).map(|i| from + i);
            let plain_ctl = text.get(from..).and_then(|t| t.iter().position(|&b| b < 0x20)).map(|i| from + i);
            assert_eq!(find_lf(&text, from), plain_lf, "from {from}");
            assert_eq!(find_control(&text, from), plain_ctl, "from {from}");
        }
        assert_eq!(find_lf(b"", 0), None);
        assert_eq!(find_control(b"abcdefghijklmnop", 0), None);
    }
}
