//! Percent-decoding (`%XX`), shared by URLs (RFC 3986) and RFC 8187 ext-values (`username*` in Digest).

/// The bytes of `text` with every `%XX` escape decoded; on a `%` not followed by two hex digits, the offset of
/// that `%` in `text`. Only hex digits count: a sign (`%+f`) is refused, unlike `u8::from_str_radix`.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
            let (Some(high), Some(low)) = (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) else {
                return Err(i);
            };
            // Two hex digits are at most 0xff.
            out.push(u8::try_from(high * 16 + low).unwrap_or(u8::MAX));
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_escapes_and_points_at_bad_ones() {
        assert_eq!(decode("a%2Fb%40%ff").unwrap(), b"a/b@\xff");
        assert_eq!(decode("plain").unwrap(), b"plain");
        assert_eq!(decode("ab%+f"), Err(2));
        assert_eq!(decode("ab%-1"), Err(2));
        assert_eq!(decode("x%4"), Err(1));
        assert_eq!(decode("%"), Err(0));
    }
}
