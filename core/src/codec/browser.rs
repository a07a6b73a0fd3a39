//! What a browser says about a stream it is asked to preview: the finding the page adds when WebCodecs
//! cannot decode it. The page asks (`VideoDecoder.isConfigSupported`); core words the finding, so the browser
//! and every other report use the same code, evidence and remediation.

use crate::Finding;
use crate::diagnose::codes;

/// `codec.browser_unsupported` for `codec_string` (`hev1.1.6.L93.B0`), with the browser's own identification
/// (its user agent, say) as evidence when given.
pub fn browser_unsupported(codec_string: &str, browser: Option<&str>) -> Finding {
    let mut f = Finding::new(
        codes::CODEC_BROWSER_UNSUPPORTED,
        format!("this browser cannot decode {codec_string} (WebCodecs VideoDecoder)"),
    )
    .with_evidence("codec_string", codec_string.to_owned());
    if let Some(browser) = browser {
        f = f.with_evidence("browser", browser.to_owned());
    }
    f
}
