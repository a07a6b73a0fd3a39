//! A cursor over one header value, for the typed headers' hand-written grammars: it tracks the byte
//! offset so every error says where the value went wrong.

use std::str::FromStr;

use super::{HeaderError, is_tchar};

pub(super) struct Cursor<'a> {
    header: &'static str,
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(header: &'static str, text: &'a str) -> Self {
        Cursor { header, text, pos: 0 }
    }

    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// An error at the current position.
    pub(super) fn error(&self, expected: &'static str) -> HeaderError {
        self.error_at(self.pos, expected)
    }

    pub(super) fn error_at(&self, pos: usize, expected: &'static str) -> HeaderError {
        HeaderError::new(self.header, self.text, pos, expected)
    }

    pub(super) fn rest(&self) -> &'a str {
        // `pos` stays on a char boundary (see `take_while`); `get` keeps that an invariant, not a panic.
        self.text.get(self.pos..).unwrap_or("")
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(super) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Consumes `b` if it is next (after optional whitespace); whitespace is skipped either way.
    pub(super) fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            self.skip_ws();
            true
        } else {
            false
        }
    }

    pub(super) fn expect(&mut self, b: u8, expected: &'static str) -> Result<(), HeaderError> {
        if self.eat(b) { Ok(()) } else { Err(self.error(expected)) }
    }

    /// Consumes the longest prefix of bytes matching `pred`.
    pub(super) fn take_while(&mut self, pred: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&pred) {
            self.pos += 1;
        }
        // `pred` only ever accepts ASCII at a boundary the callers choose, so slicing is on char boundaries;
        // `get` keeps that an invariant rather than a panic.
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// Consumes everything up to (not including) the first byte in `stops`, or to the end.
    pub(super) fn take_until(&mut self, stops: &[u8]) -> &'a str {
        let start = self.pos;
        let len = self.rest().bytes().position(|b| stops.contains(&b)).unwrap_or(self.rest().len());
        self.pos += len;
        // The stops are ASCII, so the position is a char boundary.
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// Consumes the next `len` bytes (clamped to what is left; callers pass ASCII-aligned lengths).
    pub(super) fn take(&mut self, len: usize) -> &'a str {
        let start = self.pos;
        self.pos = start.saturating_add(len).min(self.text.len());
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// A non-empty token.
    pub(super) fn token(&mut self, expected: &'static str) -> Result<&'a str, HeaderError> {
        let t = self.take_while(is_tchar);
        if t.is_empty() { Err(self.error(expected)) } else { Ok(t) }
    }

    /// A non-empty run of ASCII digits parsed as `T` (overflow is an error at the number's start).
    pub(super) fn number<T: FromStr>(&mut self, expected: &'static str) -> Result<T, HeaderError> {
        let start = self.pos;
        let digits = self.take_while(|b| b.is_ascii_digit());
        digits.parse().map_err(|_| self.error_at(start, expected))
    }

    /// A quoted string (RFC 7230 section 3.2.6) without its quotes, escapes resolved.
    pub(super) fn quoted(&mut self) -> Result<String, HeaderError> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return Err(self.error("`\"`"));
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            out.push_str(self.take_while(|b| b != b'"' && b != b'\\'));
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(_) => self.pos += 1,
                None => return Err(self.error_at(start, "a closing `\"`")),
            }
            // A backslash escapes the next character (which may be multi-byte).
            let Some(c) = self.rest().chars().next() else {
                return Err(self.error_at(start, "a closing `\"`"));
            };
            out.push(c);
            self.pos += c.len_utf8();
        }
    }

    /// A parameter value: a quoted string or the text up to the next byte in `stops`, trimmed.
    pub(super) fn value(&mut self, stops: &[u8]) -> Result<String, HeaderError> {
        self.skip_ws();
        if self.peek() == Some(b'"') {
            self.quoted()
        } else {
            Ok(self.take_until(stops).trim_end_matches([' ', '\t']).to_owned())
        }
    }

    /// A parameter value as written, quotes kept: the text up to the next byte in `stops` that is not inside
    /// a quoted string, trimmed (RFC 7826 values such as `"a"/"b"` are several quoted strings).
    pub(super) fn raw_value(&mut self, stops: &[u8]) -> Result<&'a str, HeaderError> {
        self.skip_ws();
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut open_quote = None;
        while let Some(&b) = bytes.get(self.pos) {
            match (open_quote, b) {
                (Some(_), b'\\') => self.pos += 1,
                (Some(_), b'"') => open_quote = None,
                (None, b'"') => open_quote = Some(self.pos),
                (None, b) if stops.contains(&b) => break,
                _ => {}
            }
            self.pos += 1;
        }
        if let Some(at) = open_quote {
            self.pos = self.pos.min(self.text.len());
            return Err(self.error_at(at, "a closing `\"`"));
        }
        // Outside quotes the loop stopped at an ASCII stop byte or at the end: a char boundary. An escape
        // right before the end can overshoot by one; `get` keeps that from panicking.
        self.pos = self.pos.min(self.text.len());
        Ok(self.text.get(start..self.pos).unwrap_or("").trim_end_matches([' ', '\t']))
    }

    /// Fails unless only whitespace is left.
    pub(super) fn finish(&mut self, expected: &'static str) -> Result<(), HeaderError> {
        self.skip_ws();
        if self.at_end() { Ok(()) } else { Err(self.error(expected)) }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn quoted_strings_resolve_escapes_and_report_the_opening_quote() {
        let mut c = Cursor::new("X", r#""a\"b\\é" rest"#);
        assert_eq!(c.quoted().unwrap(), r#"a"b\é"#);
        assert_eq!(c.rest(), " rest");
        let mut c = Cursor::new("X", r#"x "open"#);
        c.take_while(|b| b != b' ');
        c.skip_ws();
        assert_eq!(c.quoted().unwrap_err().pos, 2);
        let mut c = Cursor::new("X", "\"\\");
        assert_eq!(c.quoted().unwrap_err().pos, 0);
        let mut c = Cursor::new("X", "none");
        assert_eq!(c.quoted().unwrap_err().expected, "`\"`");
    }

    #[test]
    fn numbers_tokens_and_values() {
        let mut c = Cursor::new("X", r#"a="x;y"/"z" ;b"#);
        c.token("t").unwrap();
        c.eat(b'=');
        assert_eq!(c.raw_value(b";,").unwrap(), r#""x;y"/"z""#);
        assert_eq!(c.rest(), ";b");
        let mut c = Cursor::new("X", r#"a="x\"#);
        c.take_while(|b| b != b'"');
        assert_eq!(c.raw_value(b";").unwrap_err().pos, 2);
        let mut c = Cursor::new("X", "99999999999;a=b");
        assert_eq!(c.number::<u32>("u32").unwrap_err().pos, 0);
        let mut c = Cursor::new("X", "12 ; tok=  v v ;");
        assert_eq!(c.number::<u8>("n").unwrap(), 12);
        assert!(c.eat(b';'));
        assert_eq!(c.token("t").unwrap(), "tok");
        c.expect(b'=', "=").unwrap();
        assert_eq!(c.value(b";").unwrap(), "v v");
        assert!(c.finish("end").is_err());
        assert!(c.eat(b';'));
        assert!(c.finish("end").is_ok());
        assert!(Cursor::new("X", "").token("t").is_err());
    }
}
