//! A bounds-checked cursor over a complete TLS structure: every read names the field it reads, so a short or
//! malformed message becomes [`ParseError::Invalid`] with the field's position, never a panic.

use super::error::ParseError;

/// Reads big-endian TLS fields from a byte slice. Positions are absolute: a sub-reader keeps the offset of its
/// parent, so errors point into the message the caller handed in.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, whose first byte is at offset 0.
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0, base: 0 }
    }

    /// Absolute position of the next byte.
    pub(crate) fn pos(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// Bytes left.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether every byte was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// An error at the current position.
    pub(crate) fn invalid(&self, context: &'static str) -> ParseError {
        ParseError::Invalid { pos: self.pos(), context }
    }

    /// The unread bytes (`pos` never passes the end, so this is never cut short).
    fn unread(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize, context: &'static str) -> Result<&'a [u8], ParseError> {
        let Some(out) = self.unread().get(..n) else { return Err(self.invalid(context)) };
        self.pos += n;
        Ok(out)
    }

    /// A fixed-size array.
    pub(crate) fn array<const N: usize>(&mut self, context: &'static str) -> Result<[u8; N], ParseError> {
        let Some(&out) = self.unread().first_chunk::<N>() else { return Err(self.invalid(context)) };
        self.pos += N;
        Ok(out)
    }

    /// One byte.
    pub(crate) fn u8(&mut self, context: &'static str) -> Result<u8, ParseError> {
        let [b] = self.array(context)?;
        Ok(b)
    }

    /// A 16-bit big-endian integer.
    pub(crate) fn u16(&mut self, context: &'static str) -> Result<u16, ParseError> {
        Ok(u16::from_be_bytes(self.array(context)?))
    }

    /// A 24-bit big-endian integer.
    pub(crate) fn u24(&mut self, context: &'static str) -> Result<u32, ParseError> {
        let [a, b, c] = self.array(context)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// A sub-reader over the next `len` bytes.
    fn sub(&mut self, len: usize, context: &'static str) -> Result<Reader<'a>, ParseError> {
        let base = self.pos();
        let buf = self.take(len, context)?;
        Ok(Reader { buf, pos: 0, base })
    }

    /// A vector with an 8-bit length prefix, as a sub-reader.
    pub(crate) fn vec8(&mut self, context: &'static str) -> Result<Reader<'a>, ParseError> {
        let start = self.pos();
        let len = usize::from(self.u8(context)?);
        self.sub(len, context).map_err(|_| ParseError::Invalid { pos: start, context })
    }

    /// A vector with a 16-bit length prefix, as a sub-reader.
    pub(crate) fn vec16(&mut self, context: &'static str) -> Result<Reader<'a>, ParseError> {
        let start = self.pos();
        let len = usize::from(self.u16(context)?);
        self.sub(len, context).map_err(|_| ParseError::Invalid { pos: start, context })
    }

    /// A vector with a 24-bit length prefix, as a sub-reader.
    pub(crate) fn vec24(&mut self, context: &'static str) -> Result<Reader<'a>, ParseError> {
        let start = self.pos();
        // A u24 always fits a usize, also on 32-bit targets.
        let len = self.u24(context)? as usize;
        self.sub(len, context).map_err(|_| ParseError::Invalid { pos: start, context })
    }

    /// The unread bytes, consuming them.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = self.unread();
        self.pos = self.buf.len();
        out
    }

    /// Fails with `context` unless every byte was read.
    pub(crate) fn expect_end(&self, context: &'static str) -> Result<(), ParseError> {
        if self.is_empty() { Ok(()) } else { Err(self.invalid(context)) }
    }
}

/// Appends `body` with a big-endian length prefix of `width` bytes (1, 2 or 3). The caller guarantees that
/// the length fits (every writer in this codec bounds its vectors first).
pub(crate) fn put_vec(out: &mut Vec<u8>, width: usize, body: &[u8]) {
    debug_assert!(body.len() >> (8 * width) == 0, "{} bytes do not fit a {width}-byte length", body.len());
    // The low `width` bytes of the big-endian length.
    let len = body.len().to_be_bytes();
    out.extend(len.iter().rev().take(width).rev());
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn reads_fields_and_reports_absolute_positions() {
        let data = [0x01, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x00, 0x00, 0x02, 0x10, 0x20];
        let mut r = Reader::new(&data);
        assert_eq!(r.u8("a").unwrap(), 1);
        let mut v = r.vec16("v").unwrap();
        assert_eq!(v.pos(), 3);
        assert_eq!(v.take(2, "x").unwrap(), &[0xaa, 0xbb]);
        assert_eq!(v.u16("y"), Err(ParseError::Invalid { pos: 5, context: "y" }));
        let mut w = r.vec24("w").unwrap();
        assert_eq!(w.rest(), &[0x10, 0x20]);
        assert!(r.is_empty());
        assert!(r.expect_end("end").is_ok());
    }

    #[test]
    fn a_length_prefix_past_the_end_is_invalid_at_the_prefix() {
        let mut r = Reader::new(&[0x00, 0x05, 0x01]);
        assert_eq!(r.vec16("list").err(), Some(ParseError::Invalid { pos: 0, context: "list" }));
        let mut r = Reader::new(&[0xff]);
        assert_eq!(r.u24("n").err(), Some(ParseError::Invalid { pos: 0, context: "n" }));
        assert_eq!(r.vec8("v8").err(), Some(ParseError::Invalid { pos: 0, context: "v8" }));
    }

    #[test]
    fn put_vec_writes_each_width() {
        let mut out = Vec::new();
        put_vec(&mut out, 1, &[9]);
        put_vec(&mut out, 2, &[8, 7]);
        put_vec(&mut out, 3, &[]);
        assert_eq!(out, [1, 9, 0, 2, 8, 7, 0, 0, 0]);
    }
}
