//! Keeping secrets out of sight: the [`Secret`] wrapper and [`redact_text`] for free text.

use std::borrow::Cow;
use std::fmt;

/// A value that must never be shown: `Debug` and `Display` print `***`. Read it with [`expose`](Self::expose).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Secret(value)
    }

    /// The hidden value, for the one place that needs it (building an Authorization header).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Masks the password of every `scheme://user:password@` in free text (a header value, a line of a
/// message, an error about a URL) with `***`, for evidence. Text without such a password is returned as is.
///
/// Passwords are often typed with unescaped `/ ? # @ ,` or spaces, so the password is taken to run to the last
/// `@` before the next `://` (or the end of the text), not to the first `/`: this masks too much rather than
/// too little (`rtsp://cam:554/a@b` shows as `rtsp://cam:***@b`).
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let start = search + found + 3;
        let next_scheme = |from: usize| text[from..].find("://").map_or(text.len(), |i| from + i);
        let mut end = next_scheme(start);
        // A password may itself hold `://` (`admin:pa://ss@cam`): while the span has a `user:` but no `@`, the
        // `://` is taken to be part of the password. At worst this masks a port and the text up to a later
        // URL's `@`; it never shows a password.
        while end < text.len() && text[start..end].contains(':') && !text[start..end].contains('@') {
            end = next_scheme(end + 3);
        }
        let span = &text[start..end];
        if let Some(at) = span.rfind('@')
            && let Some(colon) = span[..at].find(':')
        {
            out.push_str(&text[copied..start + colon + 1]);
            out.push_str("***");
            copied = start + at;
        }
        search = end;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn redact_text_masks_every_password() {
        assert_eq!(redact_text("no url here"), Cow::Borrowed("no url here"));
        assert_eq!(
            redact_text("url=rtsp://admin:12345@192.0.2.1/a;seq=1,url=rtsps://u:p@[::1]:322/b"),
            "url=rtsp://admin:***@192.0.2.1/a;seq=1,url=rtsps://u:***@[::1]:322/b"
        );
        assert_eq!(redact_text("rtsp://viewer@cam/"), "rtsp://viewer@cam/");
        assert_eq!(redact_text("x://a:b@c"), "x://a:***@c");
        assert_eq!(redact_text("://"), "://");
        // `://` inside the password.
        assert_eq!(redact_text("rtsps://admin:pa://ss@cam/x"), "rtsps://admin:***@cam/x");
        assert_eq!(redact_text("rtsps://admin:a,rtsp://b@cam/x y"), "rtsps://admin:***@cam/x y");
        assert_eq!(redact_text("rtsp://a:p://q://r@h rtsp://b:s@h"), "rtsp://a:***@h rtsp://b:***@h");
        // URLs with ports and no user are left as they are.
        assert_eq!(
            redact_text("url=rtsp://cam:554/a,url=rtsp://cam:554/b"),
            "url=rtsp://cam:554/a,url=rtsp://cam:554/b"
        );
    }

    #[test]
    fn secret_hides_its_value() {
        let s = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{s} {s:?}"), "*** ***");
        assert_eq!(s.expose(), "hunter2");
    }
}
