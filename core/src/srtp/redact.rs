//! SRTP keys out of text shown to people: a master key is a secret like a password (with it, anyone holding a
//! capture watches the video), so reports, transcripts and evidence never carry one.

use std::borrow::Cow;

/// Replaces the key material of every line of `text` that carries SRTP keys: what follows the tag and suite of
/// `a=crypto:`, the protocol of `a=key-mgmt:` and the method of `k=`, and the `data=` of RTSP `KeyMgmt` headers
/// (names matched without regard to case). Everything else, line breaks included, is kept as is; text without
/// keys is returned borrowed.
///
/// ```
/// use rtspeek_core::srtp::redact_keys;
/// let sdp = "m=video 0 RTP/SAVP 96\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20\r\n";
/// assert_eq!(redact_keys(sdp), "m=video 0 RTP/SAVP 96\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 <redacted>\r\n");
/// ```
pub fn redact_keys(text: &str) -> Cow<'_, str> {
    if !text.split('\n').any(|l| matches!(redact_line(l), Cow::Owned(_))) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\r', '\n']);
        out.push_str(&redact_line(body));
        out.push_str(line.get(body.len()..).unwrap_or_default());
    }
    Cow::Owned(out)
}

/// One line, redacted if it carries keys.
fn redact_line(line: &str) -> Cow<'_, str> {
    let trimmed = line.trim_start();
    let starts = |prefix: &str| {
        trimmed
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    // Fields kept before the secret: `a=crypto:<tag> <suite>`, `a=key-mgmt:<protocol>`.
    let keep = if starts("a=crypto:") {
        2
    } else if starts("a=key-mgmt:") {
        1
    } else if starts("k=") {
        return match line.find(':') {
            Some(colon) => Cow::Owned(format!("{}:<redacted>", line.get(..colon).unwrap_or_default())),
            None => Cow::Borrowed(line),
        };
    } else if starts("keymgmt:") {
        // `KeyMgmt: prot=mikey; uri="..."; data="..."`: everything but the data.
        let kept: Vec<&str> = line
            .split(';')
            .map(str::trim)
            .filter(|p| !p.as_bytes().get(..5).is_some_and(|k| k.eq_ignore_ascii_case(b"data=")))
            .collect();
        return Cow::Owned(format!("{}; data=<redacted>", kept.join("; ")));
    } else {
        return Cow::Borrowed(line);
    };
    let mut end = line.len() - trimmed.len();
    for _ in 0..keep {
        let rest = line.get(end..).unwrap_or_default();
        let start = rest.len() - rest.trim_start().len();
        let field_len = rest.get(start..).unwrap_or_default().find([' ', '\t']).unwrap_or(rest.len() - start);
        end += start + field_len;
    }
    Cow::Owned(format!("{} <redacted>", line.get(..end).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn key_material_is_redacted() {
        assert_eq!(
            redact_keys(
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32"
            ),
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 <redacted>"
        );
        assert_eq!(
            redact_keys("a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyO"),
            "a=key-mgmt:mikey <redacted>"
        );
        assert_eq!(redact_keys("A=Crypto:1 X"), "A=Crypto:1 X <redacted>");
        assert_eq!(redact_keys("k=base64:c2VjcmV0"), "k=base64:<redacted>");
        assert_eq!(redact_keys("k=prompt"), "k=prompt");
        assert_eq!(redact_keys("a=control:trackID=1"), "a=control:trackID=1");
    }

    #[test]
    fn every_line_of_a_message_is_redacted_and_the_rest_kept() {
        let text = "RTSP/1.0 200 OK\r\nKeyMgmt: prot=mikey; uri=\"rtsp://cam/live\"; data=\"AQAFgAAA\"\r\n\r\n\
                    v=0\r\nk=base64:c2VjcmV0\r\na=key-mgmt:mikey AQAFgAAAAAA=\r\n\
                    a=crypto:2 AEAD_AES_128_GCM inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAA;inline:BBBB|1:4 UNENCRYPTED_SRTCP\n";
        let out = redact_keys(text);
        assert_eq!(
            out,
            "RTSP/1.0 200 OK\r\nKeyMgmt: prot=mikey; uri=\"rtsp://cam/live\"; data=<redacted>\r\n\r\n\
             v=0\r\nk=base64:<redacted>\r\na=key-mgmt:mikey <redacted>\r\n\
             a=crypto:2 AEAD_AES_128_GCM <redacted>\n"
        );
    }

    #[test]
    fn text_without_keys_is_borrowed_and_odd_lines_do_not_panic() {
        assert!(matches!(redact_keys("RTSP/1.0 200 OK\r\nCSeq: 1\r\n"), Cow::Borrowed(_)));
        assert!(matches!(redact_keys(""), Cow::Borrowed(_)));
        assert_eq!(redact_keys("KeyMgmt"), "KeyMgmt");
        assert_eq!(redact_keys("keymgmt:é"), "keymgmt:é; data=<redacted>");
        assert_eq!(redact_keys("a=crypto:"), "a=crypto: <redacted>");
        assert_eq!(redact_keys("a=crypto:é\u{3000}x"), "a=crypto:é\u{3000}x <redacted>");
    }
}
