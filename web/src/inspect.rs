//! `inspectParameterSets`: what H.264/H.265 parameter sets announce, from a sprop value, an `a=fmtp:` line,
//! hex or bytes. The inspector is core's ([`sprop::inspect()`], also behind `rtspeek sdp sprop`, so the page
//! and the CLI give the same answer and the same JSON); this module only turns its typed errors into the
//! messages the JavaScript `Error` carries.

use rtspeek_core::codec::Codec;
use rtspeek_core::sdp::sprop;

pub use rtspeek_core::sdp::sprop::{Input, InputForm, ParameterSetInfo, SetSummary, SpsSummary};

/// Reads `h264`/`h265` (also `avc`, `hevc`, `H.264`...): [`Codec::from_name`], its error as text.
pub fn parse_codec(name: &str) -> Result<Codec, String> {
    Codec::from_name(name).map_err(|e| e.to_string())
}

/// Inspects parameter sets ([`sprop::inspect()`]); `codec` forces the codec. The error is core's message.
pub fn inspect(input: Input<'_>, codec: Option<Codec>) -> Result<ParameterSetInfo, String> {
    sprop::inspect(input, codec).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn answers_and_errors_are_cores() {
        let info = inspect(Input::Text("Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY,aOvjyyLA"), None).unwrap();
        assert_eq!((info.codec, info.input), (Codec::H264, InputForm::Sprop));
        let e = inspect(Input::Bytes(&[]), None).unwrap_err();
        assert_eq!(e, "the input is empty");
        let e = inspect(Input::Text("ZYiE"), Some(Codec::H264)).unwrap_err();
        assert!(e.starts_with("no H.264 parameter set found: item 1"), "{e}");
        assert!(parse_codec("vp8").unwrap_err().contains("expected \"h264\" or \"h265\""));
        assert_eq!(parse_codec("H.265"), Ok(Codec::H265));
    }
}
