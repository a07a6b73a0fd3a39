//! `Session`: the session identifier and its timeout (RFC 2326 section 12.37, RFC 7826 section 18.49).

use super::cursor::Cursor;
use super::{HeaderError, TypedHeader, names};

/// `Session: id[;timeout=seconds]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Session {
    /// The opaque identifier, echoed in every later request of the session.
    pub id: String,
    /// How long the server keeps an idle session, in seconds (RFC default 60 when absent).
    pub timeout: Option<u32>,
}

impl Session {
    /// The timeout RFC 2326 assumes when the server gives none.
    pub const DEFAULT_TIMEOUT: u32 = 60;

    /// The timeout in seconds, or the RFC default.
    pub fn timeout_or_default(&self) -> u32 {
        self.timeout.unwrap_or(Self::DEFAULT_TIMEOUT)
    }
}

/// Session identifiers: RFC 2326 allows letters, digits and `$-_.+`; servers also use `:`, `/`, `=` and other
/// visible characters, so anything visible but the separators is accepted.
fn is_id_char(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"')
}

impl TypedHeader for Session {
    const NAME: &'static str = names::SESSION;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        c.skip_ws();
        let id = c.take_while(is_id_char);
        if id.is_empty() {
            return Err(c.error("a session identifier"));
        }
        let mut timeout = None;
        while c.eat(b';') {
            if c.at_end() {
                break; // `id;` happens; nothing follows.
            }
            let name_at = c.pos();
            let name = c.token("a parameter name (`timeout`)")?;
            if name.eq_ignore_ascii_case("timeout") {
                c.expect(b'=', "`=` after `timeout`")?;
                if timeout.is_some() {
                    return Err(c.error_at(name_at, "a single `timeout` parameter"));
                }
                timeout = Some(c.number("a timeout in seconds")?);
            } else if c.eat(b'=') {
                // Unknown parameters (RFC 7826 extensions) are skipped.
                c.value(b";")?;
            }
        }
        c.finish("`;timeout=` or the end of the value")?;
        Ok(Session { id: id.to_owned(), timeout })
    }

    fn write_value(&self, out: &mut String) {
        out.push_str(&self.id);
        if let Some(t) = self.timeout {
            out.push_str(";timeout=");
            out.push_str(&t.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn parse(v: &str) -> Session {
        let s = Session::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(Session::parse(&s.to_value()), Ok(s.clone()));
        s
    }

    #[test]
    fn ids_and_timeouts() {
        assert_eq!(parse("12345678"), Session { id: "12345678".into(), timeout: None });
        assert_eq!(parse("12345678").timeout_or_default(), 60);
        let s = parse("kPVH5yS3lNaEqm8x;timeout=60");
        assert_eq!((s.id.as_str(), s.timeout), ("kPVH5yS3lNaEqm8x", Some(60)));
        // Spaces around separators and a capitalised parameter, as some cameras write it.
        assert_eq!(parse(" 1F2E3D4C ; Timeout = 30 ").timeout, Some(30));
        assert_eq!(parse("abc;x-ext=\"q;v\";timeout=5").timeout, Some(5));
        assert_eq!(parse("abc;").id, "abc");
        assert_eq!(parse("a:b/c=d").id, "a:b/c=d");
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(Session::parse("").unwrap_err().expected, "a session identifier");
        assert_eq!(Session::parse("abc;timeout=x").unwrap_err().pos, 12);
        assert_eq!(Session::parse("abc;timeout").unwrap_err().pos, 11);
        assert_eq!(Session::parse("abc;timeout=1;timeout=2").unwrap_err().pos, 14);
        assert_eq!(Session::parse("abc def").unwrap_err().pos, 4);
        assert_eq!(Session::parse("abc;=1").unwrap_err().pos, 4);
        assert_eq!(Session::parse("abc;timeout=99999999999").unwrap_err().pos, 12);
    }
}
