//! Entry of the `sdp` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/sdp.rs) and the corpus replay
//! test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::codec::{Codec, ParamSetKind};
use rtspeek_core::sdp::{self, SdpText, sprop};

/// What the fuzz target runs: `data` as a description through the whole check (parse, lint, facts, report),
/// then every typed accessor of every section, then as a list of H.264 and H.265 parameter sets. Any outcome
/// but a panic (or a hang) is fine.
pub fn run(data: &[u8]) {
    if let Ok(check) = sdp::check(data) {
        let _ = check.into_report("fuzz");
    }
    accessors(data);
    parameter_sets(data);
}

/// Parses `data` and reads every section through every accessor.
pub fn accessors(data: &[u8]) {
    let text = SdpText::from_bytes(data);
    let Ok(description) = text.parse() else { return };
    let _ = (description.version(), description.origin(), description.session_name(), description.uri());
    let _ = (description.emails().count(), description.phones().count(), description.timings().count());
    let _ = (description.repeats().count(), description.time_zones(), description.issues().len());
    let sections = std::iter::once(description.session()).chain(description.media().map(|m| m.section()));
    for section in sections {
        let _ = (section.information(), section.connections().count(), section.bandwidths().count());
        let _ = (section.key(), section.control(), section.direction(), section.range());
        let _ = (
            section.framerate(),
            section.x_dimensions(),
            section.crypto().count(),
            section.key_mgmt().count(),
        );
        for fmtp in section.fmtps() {
            let _ = (fmtp.params().count(), fmtp.get("sprop-parameter-sets"));
        }
    }
    for media in description.media() {
        let _ = (media.media_type(), media.proto(), media.formats().count(), media.direction());
        for pt in media.payload_types() {
            let _ = (media.rtpmap(pt), media.fmtp(pt));
        }
    }
}

/// Decodes `data` as a comma-separated list of base64 parameter sets and classifies each.
pub fn parameter_sets(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for (_, decoded) in sprop::decode_list(&text) {
        if let Ok(nal) = decoded {
            let _ = sprop::classify(Codec::H264, &nal, None);
            let _ = sprop::classify(Codec::H265, &nal, Some(ParamSetKind::Sps));
        }
    }
}
