//! Emulation-prevention removal and an MSB-first bit reader with exp-Golomb codes, for parameter sets.
//!
//! Every read names the syntax element it reads, so a truncated or out-of-range parameter set turns into a
//! [`CodecError`] such as `H.264 SPS at bit 83: truncated reading pic_width_in_mbs_minus1` instead of a panic.

use super::CodecError;

/// Removes emulation-prevention bytes: every `0x03` that follows two zero bytes (H.264 7.4.1, H.265 7.4.2) is
/// dropped, turning a NAL unit payload into its RBSP. The input is never longer than a NAL unit, so the copy is
/// bounded by it.
pub fn remove_emulation_prevention(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0u8;
    for &b in nal {
        if zeros >= 2 && b == 0x03 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros.saturating_add(1) } else { 0 };
        out.push(b);
    }
    out
}

/// Reads bits most-significant first from an RBSP (emulation prevention already removed).
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    data: &'a [u8],
    /// Position in bits. u64 because `data.len() * 8` overflows a 32-bit usize for inputs over 512 MiB.
    pos: u64,
    /// What is being read, for errors (`H.264 SPS`).
    what: &'static str,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `data`; errors name `what`.
    pub fn new(data: &'a [u8], what: &'static str) -> Self {
        BitReader { data, pos: 0, what }
    }

    /// Bits consumed so far.
    pub fn bit_offset(&self) -> usize {
        usize::try_from(self.pos).unwrap_or(usize::MAX)
    }

    /// Bits left to read.
    pub fn bits_left(&self) -> u64 {
        (self.data.len() as u64).saturating_mul(8).saturating_sub(self.pos)
    }

    /// An error at the current position.
    pub fn error(&self, reason: impl Into<String>) -> CodecError {
        CodecError { what: self.what, bit_offset: self.bit_offset(), reason: reason.into() }
    }

    /// An error at the current position for a value of `field` outside `allowed`.
    pub fn out_of_range(&self, field: &str, value: impl std::fmt::Display, allowed: &str) -> CodecError {
        self.error(format!("{field} = {value} is out of range ({allowed})"))
    }

    fn truncated(&self, field: &str) -> CodecError {
        self.error(format!("truncated reading {field}"))
    }

    /// One bit as a flag.
    pub fn flag(&mut self, field: &str) -> Result<bool, CodecError> {
        Ok(self.bits(1, field)? == 1)
    }

    /// `n` bits (0..=32) as an unsigned integer, `u(n)` in the specifications.
    pub fn bits(&mut self, n: u32, field: &str) -> Result<u32, CodecError> {
        debug_assert!(n <= 32);
        if u64::from(n) > self.bits_left() {
            return Err(self.truncated(field));
        }
        let mut value = 0u64;
        let mut remaining = n;
        while remaining > 0 {
            // pos < len * 8 here (checked above), so the index fits in usize and the byte is there.
            let Some(&byte) = self.data.get((self.pos / 8) as usize) else {
                return Err(self.truncated(field));
            };
            let used = (self.pos % 8) as u32;
            let take = remaining.min(8 - used);
            let chunk = (u32::from(byte) >> (8 - used - take)) & ((1u32 << take) - 1);
            value = (value << take) | u64::from(chunk);
            self.pos += u64::from(take);
            remaining -= take;
        }
        Ok(value as u32)
    }

    /// 8 bits.
    pub fn u8(&mut self, field: &str) -> Result<u8, CodecError> {
        Ok(self.bits(8, field)? as u8)
    }

    /// Skips `n` bits.
    pub fn skip(&mut self, n: u64, field: &str) -> Result<(), CodecError> {
        if n > self.bits_left() {
            return Err(self.truncated(field));
        }
        self.pos += n;
        Ok(())
    }

    /// An unsigned exp-Golomb code, `ue(v)`. Codes longer than 32 bits of value are rejected: no syntax
    /// element read here is that large, and it keeps the arithmetic in u32.
    pub fn ue(&mut self, field: &str) -> Result<u32, CodecError> {
        let start = self.pos;
        let mut leading_zeros = 0u32;
        while !self.flag(field)? {
            leading_zeros += 1;
            if leading_zeros > 31 {
                self.pos = start;
                return Err(self.error(format!("exp-Golomb code of {field} longer than 32 bits")));
            }
        }
        if leading_zeros == 0 {
            return Ok(0);
        }
        let suffix = self.bits(leading_zeros, field)?;
        // At most (2^31 - 1) + (2^31 - 1) = 2^32 - 2, which fits u32.
        Ok(((1u64 << leading_zeros) - 1 + u64::from(suffix)) as u32)
    }

    /// An unsigned exp-Golomb code no larger than `max`.
    pub fn ue_max(&mut self, field: &str, max: u32) -> Result<u32, CodecError> {
        let start = self.pos;
        let value = self.ue(field)?;
        if value > max {
            self.pos = start;
            return Err(self.out_of_range(field, value, &format!("at most {max}")));
        }
        Ok(value)
    }

    /// A signed exp-Golomb code, `se(v)`: 0, 1, -1, 2, -2, ...
    pub fn se(&mut self, field: &str) -> Result<i32, CodecError> {
        let k = i64::from(self.ue(field)?);
        let value = if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) };
        Ok(value as i32)
    }

    /// A signed exp-Golomb code within `min..=max`.
    pub fn se_range(&mut self, field: &str, min: i32, max: i32) -> Result<i32, CodecError> {
        let start = self.pos;
        let value = self.se(field)?;
        if !(min..=max).contains(&value) {
            self.pos = start;
            return Err(self.out_of_range(field, value, &format!("{min}..={max}")));
        }
        Ok(value)
    }

    /// Whether RBSP data other than the trailing bits remains (`more_rbsp_data()`): false when only the stop
    /// bit and zero padding are left.
    pub fn more_rbsp_data(&self) -> bool {
        let Some((last, byte)) = self.data.iter().enumerate().rfind(|(_, b)| **b != 0) else {
            return false;
        };
        // The stop bit is the lowest set bit of the last non-zero byte.
        let stop_bit = last as u64 * 8 + 7 - u64::from(byte.trailing_zeros());
        self.pos < stop_bit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn emulation_prevention_bytes_are_removed() {
        assert_eq!(remove_emulation_prevention(&[0, 0, 3, 1, 0, 0, 3, 0, 0, 3]), vec![0, 0, 1, 0, 0, 0, 0]);
        // A 0x03 not after two zeros stays.
        assert_eq!(remove_emulation_prevention(&[0, 3, 0, 0, 0, 3]), vec![0, 3, 0, 0, 0]);
    }

    #[test]
    fn bits_and_exp_golomb() {
        // 1 | 010 | 011 | 00100 | 00101 | 00111 | 00 -> ue 0, 1, 2, 3, then se(4) = -2, se(6) = -3
        let data = [0b1010_0110, 0b0100_0010, 0b1001_1100];
        let mut r = BitReader::new(&data, "test");
        assert_eq!(r.ue("a").unwrap(), 0);
        assert_eq!(r.ue("b").unwrap(), 1);
        assert_eq!(r.ue("c").unwrap(), 2);
        assert_eq!(r.ue("d").unwrap(), 3);
        assert_eq!(r.se("e").unwrap(), -2);
        assert_eq!(r.se("f").unwrap(), -3);
        assert_eq!(r.bits_left(), 2);
        let mut r = BitReader::new(&[0xAB, 0xCD, 0xEF, 0x12, 0x34], "test");
        assert_eq!(r.bits(4, "x").unwrap(), 0xA);
        assert_eq!(r.bits(32, "y").unwrap(), 0xBCDE_F123);
        assert_eq!(r.bit_offset(), 36);
    }

    #[test]
    fn truncation_is_an_error_with_offset() {
        let mut r = BitReader::new(&[0x00], "H.264 SPS");
        let err = r.ue("seq_parameter_set_id").unwrap_err();
        assert_eq!(err.what, "H.264 SPS");
        assert_eq!(err.bit_offset, 8);
        assert!(err.reason.contains("seq_parameter_set_id"), "{err}");
        let mut r = BitReader::new(&[0xFF], "t");
        assert!(r.bits(9, "wide").is_err());
        assert_eq!(r.bit_offset(), 0);
    }

    #[test]
    fn overlong_exp_golomb_is_rejected() {
        let data = [0, 0, 0, 0, 0x80, 0, 0, 0, 0];
        let err = BitReader::new(&data, "t").ue("x").unwrap_err();
        assert!(err.reason.contains("longer than 32 bits"), "{err}");
        // 31 leading zeros is the longest accepted code: 2^32 - 2 with an all-ones suffix.
        let data = [0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF];
        assert_eq!(BitReader::new(&data, "t").ue("x").unwrap(), u32::MAX - 1);
    }

    #[test]
    fn ranges_are_checked() {
        let mut r = BitReader::new(&[0b0001_0000], "t"); // ue = 7
        let err = r.ue_max("chroma_format_idc", 3).unwrap_err();
        assert_eq!(err.bit_offset, 0);
        assert!(err.reason.contains("chroma_format_idc = 7"), "{err}");
    }

    #[test]
    fn more_rbsp_data_stops_at_the_stop_bit() {
        let data = [0b1010_0000];
        let mut r = BitReader::new(&data, "t");
        assert!(r.more_rbsp_data());
        r.skip(2, "x").unwrap();
        assert!(!r.more_rbsp_data());
        assert!(!BitReader::new(&[0, 0], "t").more_rbsp_data());
    }
}
