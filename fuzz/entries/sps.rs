//! Entry of the `sps` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/sps.rs) and the corpus replay
//! test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::codec::{self, Codec, annexb, codec_string, h264, h265};
use rtspeek_core::sdp::sprop::{self, Input};

/// What the fuzz target runs: `data` as the payload of every parameter set kind (H.264 SPS and PPS; H.265
/// VPS, SPS and PPS), each with its NAL header put in front, and as an Annex B stream whose NAL units go to
/// the parser of their type; then through the codec detection and the parameter set inspector, as bytes and
/// (when UTF-8) as pasted text. Any outcome but a panic (or a hang) is fine, as long as what parses is
/// coherent.
pub fn run(data: &[u8]) {
    let _ = codec::detect(annexb::nal_units(data));
    inspect(Input::Bytes(data));
    if let Ok(text) = std::str::from_utf8(data) {
        inspect(Input::Text(text));
    }
    for nal in [with_header(&[0x67], data), with_header(&[0x68], data)] {
        h264_nal(&nal);
    }
    for nal in
        [with_header(&[0x40, 0x01], data), with_header(&[0x42, 0x01], data), with_header(&[0x44, 0x01], data)]
    {
        h265_nal(&nal);
    }
    for nal in annexb::nal_units(data) {
        h264_nal(nal);
        h265_nal(nal);
    }
}

fn with_header(header: &[u8], data: &[u8]) -> Vec<u8> {
    [header, data].concat()
}

fn h264_nal(nal: &[u8]) {
    if let Ok(sps) = h264::Sps::parse(nal) {
        assert!(
            sps.width > 0 && sps.width <= sps.coded_width && sps.height > 0 && sps.height <= sps.coded_height
        );
        let info = sps.info();
        assert_eq!(info.codec_string.len(), "avc1.PPCCLL".len());
        assert_eq!(h264::parse_sps(nal).as_ref(), Ok(&info));
    }
    let _ = h264::Pps::parse(nal);
}

fn h265_nal(nal: &[u8]) {
    if let Ok(sps) = h265::Sps::parse(nal) {
        assert!(
            sps.width > 0 && sps.width <= sps.coded_width && sps.height > 0 && sps.height <= sps.coded_height
        );
        let _ = codec_string::hevc(&sps.profile_tier_level, true);
        assert_eq!(h265::parse_sps(nal), Ok(sps.info()));
    }
    if let Ok(vps) = h265::Vps::parse(nal) {
        assert!(vps.max_sub_layers <= 7);
    }
    let _ = h265::Pps::parse(nal);
}

/// The inspector either finds a parameter set and gives its fmtp, or says why not.
fn inspect(input: Input<'_>) {
    for codec in [None, Some(Codec::H264), Some(Codec::H265)] {
        match sprop::inspect(input, codec) {
            Ok(info) => {
                assert!(!info.parameter_sets.is_empty());
                assert!(codec.is_none_or(|c| c == info.codec));
                assert!(info.fmtp.starts_with("sprop-"), "{}", info.fmtp);
                assert!(info.parameter_sets.iter().all(|set| set.bytes > 0 && !set.base64.is_empty()));
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}
