//! Frames in length-prefixed form (ISO/IEC 14496-15: each NAL unit after a big-endian length of 1, 2 or 4
//! bytes, as [`decoder_config`](super::decoder_config) gives it), split into their NAL units.
//!
//! This is the form RTSP clients such as retina hand frames out in when asked for MP4-style framing. Every
//! length is checked against the bytes left, so a damaged frame gives a [`LengthPrefixError`] naming the byte
//! where its NAL unit starts, never a panic. (The MP4 reader has its own splitter: samples there may carry
//! empty NAL units, which it skips, and its errors name the sample.)

/// Why a length-prefixed frame could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LengthPrefixError {
    /// The length size is not 1 to 4 bytes.
    #[error("length-prefixed frame: a {0}-byte NAL unit length is not 1 to 4 bytes")]
    LengthSize(usize),
    /// The frame holds no byte.
    #[error("length-prefixed frame at byte 0: no NAL unit")]
    Empty,
    /// The bytes left at `offset` are too few for a length.
    #[error(
        "length-prefixed frame at byte {offset}: {length_size}-byte length cut short ({left} bytes left)"
    )]
    CutLength {
        /// Where the length starts.
        offset: usize,
        /// Bytes of the length.
        length_size: usize,
        /// Bytes left from `offset`.
        left: usize,
    },
    /// The length at `offset` is 0.
    #[error("length-prefixed frame at byte {offset}: empty NAL unit")]
    EmptyNal {
        /// Where the length starts.
        offset: usize,
    },
    /// The length at `offset` runs past the end of the frame.
    #[error("length-prefixed frame at byte {offset}: NAL unit of {len} bytes, only {left} left")]
    Overrun {
        /// Where the length starts.
        offset: usize,
        /// The length read.
        len: usize,
        /// Bytes left after the length.
        left: usize,
    },
}

impl LengthPrefixError {
    /// The byte of the frame where reading failed (0 for a bad length size or an empty frame).
    pub fn offset(&self) -> usize {
        match *self {
            LengthPrefixError::LengthSize(_) | LengthPrefixError::Empty => 0,
            LengthPrefixError::CutLength { offset, .. }
            | LengthPrefixError::EmptyNal { offset }
            | LengthPrefixError::Overrun { offset, .. } => offset,
        }
    }
}

/// Splits `data`, NAL units each after a big-endian length of `length_size` bytes (1 to 4), into its NAL
/// units. A frame without any NAL unit, an empty NAL unit or a length past the end is an error.
pub fn split(data: &[u8], length_size: usize) -> Result<Vec<Vec<u8>>, LengthPrefixError> {
    if !(1..=4).contains(&length_size) {
        return Err(LengthPrefixError::LengthSize(length_size));
    }
    if data.is_empty() {
        return Err(LengthPrefixError::Empty);
    }
    let mut nals = Vec::new();
    let mut offset = 0;
    let mut rest = data;
    while !rest.is_empty() {
        let Some((prefix, after)) = rest.split_at_checked(length_size) else {
            return Err(LengthPrefixError::CutLength { offset, length_size, left: rest.len() });
        };
        let len = prefix.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if len == 0 {
            return Err(LengthPrefixError::EmptyNal { offset });
        }
        let Some((nal, next)) = after.split_at_checked(len) else {
            return Err(LengthPrefixError::Overrun { offset, len, left: after.len() });
        };
        nals.push(nal.to_vec());
        offset += length_size + len;
        rest = next;
    }
    Ok(nals)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn frames_split_with_bounds_checks() {
        let frame = [0, 0, 0, 2, 0x65, 0x88, 0, 0, 0, 1, 0x06];
        assert_eq!(split(&frame, 4), Ok(vec![vec![0x65, 0x88], vec![0x06]]));
        for cut in 1..frame.len() {
            if cut == 6 {
                continue; // a whole first NAL unit
            }
            assert!(split(&frame[..cut], 4).is_err(), "cut at {cut}");
        }
        assert_eq!(
            split(&frame[..8], 4),
            Err(LengthPrefixError::CutLength { offset: 6, length_size: 4, left: 2 })
        );
        assert_eq!(split(&[], 4), Err(LengthPrefixError::Empty));
        assert_eq!(split(&[0, 0, 0, 0], 4), Err(LengthPrefixError::EmptyNal { offset: 0 }));
        let huge = [0xFF, 0xFF, 0xFF, 0xFF, 1];
        let e = split(&huge, 4).unwrap_err();
        assert_eq!(e, LengthPrefixError::Overrun { offset: 0, len: 0xFFFF_FFFF, left: 1 });
        assert!(e.to_string().contains("only 1 left"), "{e}");
        assert_eq!(split(&[0, 1, 0x41, 0, 2, 0x41], 2).unwrap_err().offset(), 3);
    }

    #[test]
    fn every_length_size_reads_big_endian() {
        assert_eq!(split(&[2, 0x65, 0x88, 1, 0x06], 1), Ok(vec![vec![0x65, 0x88], vec![0x06]]));
        assert_eq!(split(&[0, 0, 1, 0x41], 3), Ok(vec![vec![0x41]]));
        assert_eq!(split(&[1, 0x41], 0), Err(LengthPrefixError::LengthSize(0)));
        assert_eq!(split(&[1, 0x41], 5), Err(LengthPrefixError::LengthSize(5)));
    }
}
