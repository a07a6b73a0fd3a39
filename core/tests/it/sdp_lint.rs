//! The SDP lint: one scenario per `sdp.*` code (and per severity a code can take), a coverage test that the
//! scenarios produce every code of the family, the hand-written camera-style descriptions of `data/sdp/`, and
//! the real GStreamer and FFmpeg descriptions of `tests/fixtures/sdp/`, which must be clean.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeSet;

use rtspeek_core::diagnose::codes::{self, CodeInfo, SDP_CODES};
use rtspeek_core::sdp::{SdpCheck, check};
use rtspeek_core::{Finding, Layer, LayerStatus, Report, Severity, Verdict};

/// Session lines 1-5 of a clean description.
const HEAD: [&str; 5] = ["v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=cam", "t=0 0", "a=control:*"];

/// H.264 Main 3.0 640x360, encoded by FFmpeg (see data/sdp/README.md).
const MAIN_SPS: &str = "Z01AHuygUBf8uAiAAAADAIAAAA8HixbL";
const MAIN_PPS: &str = "aOvjyyA=";
const FMTP_MAIN: &str = "a=fmtp:96 packetization-mode=1;profile-level-id=4d401e;\
                         sprop-parameter-sets=Z01AHuygUBf8uAiAAAADAIAAAA8HixbL,aOvjyyA=";
/// H.265 Main 5.0 2560x1440.
const VPS: &str = "QAEMAf//AWAAAAMAkAAAAwAAAwCWlZgJ";
const SPS: &str = "QgEBAWAAAAMAkAAAAwAAAwCWoAFAIAWhZZWaSTK8BaAgAAADACAAAAMCgQ==";
const PPS: &str = "RAHBcrRiQA==";

/// Lines 6-9: a clean H.264 video section.
const VIDEO: [&str; 4] = ["m=video 0 RTP/AVP 96", "a=rtpmap:96 H264/90000", FMTP_MAIN, "a=control:trackID=1"];

/// Lines joined with CRLF.
fn crlf(lines: &[&str]) -> Vec<u8> {
    lines.iter().flat_map(|l| format!("{l}\r\n").into_bytes()).collect()
}

/// [`HEAD`] followed by `lines` (which start at line 6).
fn with_head(lines: &[&str]) -> Vec<u8> {
    let all: Vec<&str> = HEAD.iter().chain(lines).copied().collect();
    crlf(&all)
}

/// [`HEAD`] and [`VIDEO`] with line `n` (1-based) replaced by `line`, or removed when `line` is empty.
fn clean_with(n: usize, line: &str) -> Vec<u8> {
    let mut all: Vec<&str> = HEAD.iter().chain(&VIDEO).copied().collect();
    if line.is_empty() {
        all.remove(n - 1);
    } else {
        all[n - 1] = line;
    }
    crlf(&all)
}

/// The H.265 video section (lines 6-9) with fmtp parameters `params`.
fn h265(params: &str) -> Vec<u8> {
    let fmtp = format!("a=fmtp:98 {params}");
    with_head(&["m=video 0 RTP/AVP 98", "a=rtpmap:98 H265/90000", &fmtp, "a=control:trackID=1"])
}

fn h265_sprop() -> String {
    format!("sprop-vps={VPS};sprop-sps={SPS};sprop-pps={PPS}")
}

/// One way to produce a code, and what the finding must look like.
struct Scenario {
    name: &'static str,
    code: &'static CodeInfo,
    sdp: Vec<u8>,
    severity: Severity,
    /// Must appear in the summary.
    summary: &'static str,
    /// Evidence that must be present: (label, part of the value).
    evidence: Vec<(&'static str, &'static str)>,
}

impl Scenario {
    fn new(name: &'static str, code: &'static CodeInfo, sdp: Vec<u8>) -> Self {
        Scenario { name, code, sdp, severity: code.severity, summary: "", evidence: Vec::new() }
    }
    fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    fn summary(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }
    fn evidence(mut self, label: &'static str, value: &'static str) -> Self {
        self.evidence.push((label, value));
        self
    }

    /// Checks the description and returns the findings with the scenario's code.
    fn findings(&self) -> Vec<Finding> {
        let check = check(&self.sdp).unwrap_or_else(|e| panic!("{}: {e}", self.name));
        check.findings.into_iter().filter(|f| f.code == self.code.code).collect()
    }

    /// Asserts that a finding matches the expectations.
    fn run(&self) {
        let found = self.findings();
        let text = String::from_utf8_lossy(&self.sdp);
        let matching = found.iter().find(|f| {
            f.severity == self.severity
                && f.summary.contains(self.summary)
                && self.evidence.iter().all(|(label, value)| {
                    f.evidence.iter().any(|e| e.label == *label && e.value.contains(value))
                })
        });
        assert!(
            matching.is_some(),
            "{}: no {} finding ({:?}, summary with {:?}, evidence {:?}) in {found:#?}\nfor\n{text}",
            self.name,
            self.code.code,
            self.severity,
            self.summary,
            self.evidence
        );
        assert!(matching.is_some_and(|f| f.layer == Layer::Sdp));
    }
}

fn scenarios() -> Vec<Scenario> {
    use codes::*;
    let latin1 = {
        let mut bytes = crlf(&HEAD[..2]);
        bytes.extend_from_slice(b"s=Cam\xe9ra\r\n");
        bytes.extend(crlf(&HEAD[3..]));
        bytes.extend(crlf(&VIDEO));
        bytes
    };
    let with_nul = {
        let mut bytes = with_head(&VIDEO);
        bytes.push(0);
        bytes
    };
    let many_media: Vec<String> =
        (0..1200).flat_map(|i| ["m=video 0 RTP/AVP 96".to_owned(), format!("a=control:t{i}")]).collect();
    let many_media: Vec<&str> = many_media.iter().map(String::as_str).collect();
    vec![
        Scenario::new("no_media", SDP_NO_MEDIA, crlf(&HEAD)).evidence("lines", "5 lines"),
        // A hostile camera announcing 1200 tracks: only the first 8 are looked at.
        Scenario::new("too_many_media", SDP_TOO_MANY_MEDIA, with_head(&many_media))
            .summary("1200 media sections")
            .evidence("ignored", "1192"),
        Scenario::new("no_video", SDP_NO_VIDEO, with_head(&["m=audio 0 RTP/AVP 0", "a=control:trackID=2"]))
            .summary("only audio")
            .evidence("line 6", "m=audio 0 RTP/AVP 0"),
        Scenario::new(
            "missing_control",
            SDP_MISSING_CONTROL,
            with_head(&[VIDEO[0], VIDEO[1], FMTP_MAIN, "m=audio 0 RTP/AVP 0", "a=control:trackID=2"]),
        )
        .summary("video media at line 6")
        .evidence("line 6", "m=video"),
        Scenario::new("missing_control_single_media", SDP_MISSING_CONTROL, clean_with(9, ""))
            .severity(Severity::Info),
        Scenario::new(
            "duplicate_control",
            SDP_DUPLICATE_CONTROL,
            with_head(&[
                VIDEO[0],
                VIDEO[1],
                FMTP_MAIN,
                VIDEO[3],
                "m=audio 0 RTP/AVP 0",
                "a=control:trackID=1",
            ]),
        )
        .summary("media at lines 6 and 10 share the control URL \"trackID=1\"")
        .evidence("line 6", "m=video")
        .evidence("line 10", "m=audio")
        .evidence("line 11", "a=control:trackID=1"),
        Scenario::new(
            "duplicate_control_in_one_section",
            SDP_DUPLICATE_CONTROL,
            with_head(&[VIDEO[0], VIDEO[1], FMTP_MAIN, VIDEO[3], "a=control:trackID=9"]),
        )
        .severity(Severity::Warning)
        .evidence("line 9", "trackID=1")
        .evidence("line 10", "trackID=9"),
        Scenario::new("missing_rtpmap", SDP_MISSING_RTPMAP, clean_with(7, ""))
            .summary("payload type 96 of the video media has no a=rtpmap")
            .evidence("line 6", "m=video 0 RTP/AVP 96"),
        Scenario::new(
            "missing_rtpmap_unassigned_static",
            SDP_MISSING_RTPMAP,
            with_head(&["m=audio 0 RTP/AVP 50", "a=control:trackID=2"]),
        )
        .summary("50 is not a static type"),
        Scenario::new("unknown_codec", SDP_UNKNOWN_CODEC, clean_with(7, "a=rtpmap:96 MP2P/90000"))
            .summary("\"MP2P\"")
            .evidence("line 7", "a=rtpmap:96 MP2P/90000"),
        Scenario::new("unknown_codec_hevc", SDP_UNKNOWN_CODEC, clean_with(7, "a=rtpmap:96 HEVC/90000"))
            .summary("the RTP name of H.265 is H265"),
        Scenario::new(
            "unknown_codec_metadata",
            SDP_UNKNOWN_CODEC,
            with_head(&[
                VIDEO[0],
                VIDEO[1],
                FMTP_MAIN,
                VIDEO[3],
                "m=application 0 RTP/AVP 107",
                "a=rtpmap:107 x-vendor-events/90000",
                "a=control:trackID=3",
            ]),
        )
        .severity(Severity::Info),
        Scenario::new(
            "missing_packetization_mode",
            SDP_MISSING_PACKETIZATION_MODE,
            clean_with(8, &FMTP_MAIN.replace("packetization-mode=1;", "")),
        )
        .evidence("line 8", "a=fmtp:96 profile-level-id=4d401e"),
        Scenario::new(
            "missing_profile_level_id",
            SDP_MISSING_PROFILE_LEVEL_ID,
            clean_with(8, &FMTP_MAIN.replace("profile-level-id=4d401e;", "")),
        )
        .evidence("line 8", "a=fmtp:96 packetization-mode=1;sprop"),
        Scenario::new("missing_sprop", SDP_MISSING_SPROP, clean_with(8, "a=fmtp:96 packetization-mode=1"))
            .summary("H.264 without sprop-parameter-sets")
            .evidence("line 8", "a=fmtp:96 packetization-mode=1"),
        Scenario::new("missing_sprop_no_fmtp", SDP_MISSING_SPROP, clean_with(8, ""))
            .summary("(payload type 96 has no a=fmtp)")
            .evidence("line 7", "a=rtpmap:96 H264/90000"),
        Scenario::new(
            "missing_sprop_no_pps",
            SDP_MISSING_SPROP,
            clean_with(8, &FMTP_MAIN.replace(&format!(",{MAIN_PPS}"), "")),
        )
        .summary("sprop-parameter-sets has no PPS"),
        Scenario::new(
            "missing_sprop_h265",
            SDP_MISSING_SPROP,
            h265(&format!("sprop-sps={SPS};sprop-pps={PPS};sprop-vps=")),
        )
        .summary("H.265 without sprop-vps"),
        Scenario::new(
            "sprop_undecodable_base64",
            SDP_SPROP_UNDECODABLE,
            clean_with(8, &FMTP_MAIN.replace(MAIN_PPS, "aOvj!yA=")),
        )
        .summary("sprop-parameter-sets item 2: not base64")
        .evidence("line 8", "a=fmtp:96")
        .evidence("sprop-parameter-sets item 2", "aOvj!yA= (not base64"),
        Scenario::new(
            "sprop_undecodable_not_a_parameter_set",
            SDP_SPROP_UNDECODABLE,
            clean_with(8, &FMTP_MAIN.replace(MAIN_PPS, "ZYiEAA==")),
        )
        .summary("NAL unit type 5 (IDR slice) is not an SPS (7) or PPS (8)"),
        Scenario::new(
            "sprop_undecodable_many_items",
            SDP_SPROP_UNDECODABLE,
            clean_with(8, &FMTP_MAIN.replace(MAIN_PPS, &format!("{MAIN_PPS},!,,gA==,ZYiEAA=="))),
        )
        .summary(
            "sprop-parameter-sets item 3: not base64: Invalid symbol 33, offset 0. (4 items cannot be used)",
        )
        .evidence("sprop-parameter-sets item 4", "(empty parameter set)")
        .evidence("sprop-parameter-sets item 5", "gA== (forbidden_zero_bit is set: not a NAL unit)"),
        Scenario::new(
            "sprop_undecodable_sps_does_not_parse",
            SDP_SPROP_UNDECODABLE,
            clean_with(8, &FMTP_MAIN.replace(MAIN_SPS, "Z01A")),
        )
        .summary("the SPS in sprop-parameter-sets does not parse"),
        Scenario::new(
            "sprop_undecodable_h265_wrong_set",
            SDP_SPROP_UNDECODABLE,
            h265(&format!("sprop-vps={SPS};sprop-sps={SPS};sprop-pps={PPS}")),
        )
        .summary("sprop-vps item 1: NAL unit type 33 (SPS) is not a VPS (32)"),
        Scenario::new(
            "sprop_mismatch",
            SDP_SPROP_MISMATCH,
            clean_with(8, &FMTP_MAIN.replace("4d401e", "42e01f")),
        )
        .summary("profile-level-id=42e01f but the SPS says 4d401e")
        .evidence("line 8", "profile-level-id=42e01f")
        .evidence("sps", "4d401e"),
        Scenario::new(
            "sprop_mismatch_constraint_flags",
            SDP_SPROP_MISMATCH,
            clean_with(8, &FMTP_MAIN.replace("4d401e", "4D001E")),
        )
        .severity(Severity::Info)
        .summary("constraint flags differ"),
        Scenario::new(
            "sprop_mismatch_h265",
            SDP_SPROP_MISMATCH,
            h265(&format!("level-id=93;{}", h265_sprop())),
        )
        .summary("level-id=93 but the SPS says 150"),
        Scenario::new("srtp_offered", SDP_SRTP_OFFERED, clean_with(6, "m=video 0 RTP/SAVP 96"))
            .summary("uses RTP/SAVP")
            .evidence("line 6", "m=video 0 RTP/SAVP 96"),
        Scenario::new(
            "srtp_keys_with_avp",
            SDP_SRTP_OFFERED,
            with_head(&[
                VIDEO[0],
                VIDEO[1],
                FMTP_MAIN,
                VIDEO[3],
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2VjcmV0",
            ]),
        )
        .severity(Severity::Info)
        .evidence("line 10", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 <redacted>"),
        Scenario::new(
            "srtp_session_key",
            SDP_SRTP_OFFERED,
            crlf(&[
                "v=0",
                "o=- 1 1 IN IP4 192.0.2.10",
                "s=cam",
                "t=0 0",
                "k=clear:c2VjcmV0",
                "a=control:*",
                VIDEO[0],
                VIDEO[1],
                FMTP_MAIN,
                VIDEO[3],
            ]),
        )
        .severity(Severity::Info)
        .summary("the session carries SRTP key material (k=)")
        .evidence("line 5", "k=clear:<redacted>"),
        Scenario::new(
            "misplaced_attribute",
            SDP_MISPLACED_ATTRIBUTE,
            with_head(&[VIDEO[1], VIDEO[0], FMTP_MAIN, VIDEO[3]]),
        )
        .evidence("line 6", "a=rtpmap:96 H264/90000"),
        Scenario::new("malformed_line", SDP_MALFORMED_LINE, clean_with(5, "control:*"))
            .summary("line 5 is not a <letter>=<value> line")
            .evidence("line 5", "control:*"),
        Scenario::new("malformed_media_line", SDP_MALFORMED_LINE, clean_with(6, "m=video RTP/AVP 96"))
            .severity(Severity::Error)
            .summary("line 6: media port is not a number"),
        Scenario::new(
            "malformed_packetization_mode",
            SDP_MALFORMED_LINE,
            clean_with(8, &FMTP_MAIN.replace("packetization-mode=1", "packetization-mode=fu-a")),
        )
        .summary("packetization-mode=fu-a is not 0, 1 or 2"),
        Scenario::new(
            "malformed_profile_level_id",
            SDP_MALFORMED_LINE,
            clean_with(8, &FMTP_MAIN.replace("4d401e", "main")),
        )
        .summary("profile-level-id=main is not 6 hex digits"),
        Scenario::new(
            "malformed_level_id",
            SDP_MALFORMED_LINE,
            h265(&format!("level-id=5.1;{}", h265_sprop())),
        )
        .summary("level-id=5.1 is not a number"),
        Scenario::new("unknown_line_type", SDP_UNKNOWN_LINE_TYPE, clean_with(5, "x=vendor"))
            .evidence("line 5", "x=vendor"),
        Scenario::new("missing_version", SDP_MISSING_VERSION, clean_with(1, ""))
            .evidence("line 1", "o=- 1 1 IN IP4 192.0.2.10"),
        Scenario::new(
            "version_not_first",
            SDP_MISSING_VERSION,
            crlf(&[
                "o=- 1 1 IN IP4 192.0.2.10",
                "v=0",
                "s=cam",
                "t=0 0",
                VIDEO[0],
                VIDEO[1],
                FMTP_MAIN,
                VIDEO[3],
            ]),
        )
        .summary("v=0 is on line 2"),
        Scenario::new("missing_required_line", SDP_MISSING_REQUIRED_LINE, clean_with(3, ""))
            .summary("no s= line (session name)")
            .evidence("session section", "lines 1-4: v o t a"),
        Scenario::new("duplicate_line", SDP_DUPLICATE_LINE, clean_with(4, "s=again"))
            .summary("second s= line")
            .evidence("line 4", "s=again"),
        Scenario::new("line_order", SDP_LINE_ORDER, clean_with(5, "o=- 2 2 IN IP4 192.0.2.10"))
            .summary("1 line out of the order")
            .evidence("line 5", "(after t=)"),
        Scenario::new("session_line_in_media", SDP_LINE_ORDER, clean_with(9, "s=video"))
            .severity(Severity::Warning)
            .summary("session-level s= line inside a media section"),
        Scenario::new("invalid_text_latin1", SDP_INVALID_TEXT, latin1)
            .summary("line 3")
            .evidence("line 3", "s=Cam"),
        Scenario::new("invalid_text_nul", SDP_INVALID_TEXT, with_nul)
            .summary("1 NUL byte after the last line"),
        Scenario::new(
            "invalid_text_bom",
            SDP_INVALID_TEXT,
            [b"\xef\xbb\xbf".as_slice(), &with_head(&VIDEO)].concat(),
        )
        .summary("byte order mark"),
        Scenario::new("invalid_text_control", SDP_INVALID_TEXT, clean_with(3, "s=cam\x1b[1m"))
            .summary("line 3 holds a control character"),
        Scenario::new(
            "line_endings",
            SDP_LINE_ENDINGS,
            String::from_utf8(with_head(&VIDEO)).unwrap().replace("\r\n", "\n").into_bytes(),
        )
        .summary("lines end in LF, not CRLF (9 lines)"),
        Scenario::new(
            "line_endings_mixed",
            SDP_LINE_ENDINGS,
            [with_head(&VIDEO), b"a=x-extra:1\n".to_vec()].concat(),
        )
        .summary("mixed line endings: 1 line ends in LF, 9 in CRLF")
        .evidence("line 10", "a=x-extra:1"),
        Scenario::new("trailing_whitespace", SDP_TRAILING_WHITESPACE, clean_with(9, "a=control:trackID=1 "))
            .summary("1 line ends in spaces or tabs")
            .evidence("line 9", "\"a=control:trackID=1 \""),
        Scenario::new("leading_whitespace", SDP_LEADING_WHITESPACE, clean_with(9, "  a=control:trackID=1"))
            .evidence("line 9", "\"  a=control:trackID=1\""),
        Scenario::new("blank_line", SDP_BLANK_LINE, clean_with(6, "\r\nm=video 0 RTP/AVP 96"))
            .summary("1 empty line")
            .evidence("line 6", ""),
    ]
}

fn run(name: &str) {
    let all = scenarios();
    all.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no scenario {name}")).run();
}

/// One `#[test]` per scenario.
macro_rules! scenario_tests {
    ($($name:ident,)*) => {
        $(
            #[test]
            fn $name() {
                run(stringify!($name))
            }
        )*
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

scenario_tests! {
    no_media,
    too_many_media,
    no_video,
    missing_control,
    missing_control_single_media,
    duplicate_control,
    duplicate_control_in_one_section,
    missing_rtpmap,
    missing_rtpmap_unassigned_static,
    unknown_codec,
    unknown_codec_hevc,
    unknown_codec_metadata,
    missing_packetization_mode,
    missing_profile_level_id,
    missing_sprop,
    missing_sprop_no_fmtp,
    missing_sprop_no_pps,
    missing_sprop_h265,
    sprop_undecodable_base64,
    sprop_undecodable_not_a_parameter_set,
    sprop_undecodable_many_items,
    sprop_undecodable_sps_does_not_parse,
    sprop_undecodable_h265_wrong_set,
    sprop_mismatch,
    sprop_mismatch_constraint_flags,
    sprop_mismatch_h265,
    srtp_offered,
    srtp_keys_with_avp,
    srtp_session_key,
    misplaced_attribute,
    malformed_line,
    malformed_media_line,
    malformed_packetization_mode,
    malformed_profile_level_id,
    malformed_level_id,
    unknown_line_type,
    missing_version,
    version_not_first,
    missing_required_line,
    duplicate_line,
    line_order,
    session_line_in_media,
    invalid_text_latin1,
    invalid_text_nul,
    invalid_text_bom,
    invalid_text_control,
    line_endings,
    line_endings_mixed,
    trailing_whitespace,
    leading_whitespace,
    blank_line,
}

#[test]
fn every_scenario_has_a_test_and_every_sdp_code_is_produced() {
    let all = scenarios();
    let names: BTreeSet<&str> = all.iter().map(|s| s.name).collect();
    assert_eq!(names, TESTED.iter().copied().collect::<BTreeSet<_>>(), "scenarios and tests differ");
    let produced: BTreeSet<&str> = all
        .iter()
        .flat_map(|s| check(&s.sdp).expect("scenario parses").findings)
        .filter(|f| f.layer == Layer::Sdp)
        .map(|f| codes::lookup(&f.code).expect("catalogued").code)
        .collect();
    // Session-level codes (a DESCRIBE without SDP) are the probe's: core/tests/it/probe_codes.rs.
    let family: BTreeSet<&str> =
        SDP_CODES.iter().filter(|c| !codes::SESSION_LEVEL.contains(c)).map(|c| c.code).collect();
    let missing: Vec<_> = family.difference(&produced).collect();
    assert!(missing.is_empty(), "sdp codes no scenario produces: {missing:?}");
    assert!(produced.is_subset(&family), "codes outside the family: {:?}", produced.difference(&family));
}

#[test]
fn the_clean_description_has_no_findings() {
    let check = check(&with_head(&VIDEO)).expect("parses");
    assert_eq!(check.findings, []);
    let sps = check.facts.media[0].codecs[0].sps.as_ref().expect("SPS read");
    assert_eq!((sps.width, sps.height, sps.profile.as_str(), sps.level.as_str()), (640, 360, "Main", "3.0"));
}

#[test]
fn the_sps_is_read_from_the_plain_sps_not_a_subset_sps() {
    // A subset SPS (NAL type 15, for SVC/MVC) may come first; the facts come from the SPS proper.
    let fmtp = FMTP_MAIN.replace(MAIN_SPS, &format!("bwAAAA==,{MAIN_SPS}"));
    let check = check(&clean_with(8, &fmtp)).expect("parses");
    assert_eq!(check.findings, []);
    let sps = check.facts.media[0].codecs[0].sps.as_ref().expect("SPS read");
    assert_eq!((sps.width, sps.height), (640, 360));
}

// ---- Reports. ----

fn report(sdp: &[u8]) -> Report {
    check(sdp).expect("parses").into_report("sdp check: test.sdp")
}

#[test]
fn report_verdicts_follow_the_findings() {
    let healthy = report(&with_head(&VIDEO));
    assert_eq!(
        (healthy.verdict, healthy.layer_status(Layer::Sdp)),
        (Verdict::Healthy, Some(LayerStatus::Pass))
    );
    assert_eq!(healthy.facts.sdp.as_ref().map(|s| s.media.len()), Some(1));
    let degraded = report(&clean_with(8, "a=fmtp:96 packetization-mode=1"));
    assert_eq!(degraded.verdict, Verdict::Degraded);
    let broken = report(&crlf(&HEAD));
    assert_eq!((broken.verdict, broken.first_broken_layer), (Verdict::Broken, Some(Layer::Sdp)));
    // The facts survive a JSON round trip.
    let json = serde_json::to_string(&healthy).expect("serialises");
    assert!(json.contains("\"sdp\":{\"lines\":9"), "{json}");
    let back: Report = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, healthy);
}

// ---- Whole descriptions. ----

/// The codes found, in a set, and the check.
fn codes_of(sdp: &[u8]) -> (BTreeSet<String>, SdpCheck) {
    let check = check(sdp).expect("parses");
    (check.findings.iter().map(|f| f.code.clone()).collect(), check)
}

fn set(codes: &[&CodeInfo]) -> BTreeSet<String> {
    codes.iter().map(|c| c.code.to_owned()).collect()
}

#[test]
fn hikvision_style_profile_level_id_disagrees_with_its_sps() {
    let (found, check) = codes_of(include_bytes!("../data/sdp/hikvision-style-h264-pcmu.sdp"));
    assert_eq!(found, set(&[codes::SDP_SPROP_MISMATCH]));
    let media = &check.facts.media;
    assert_eq!(media.len(), 2);
    let sps = media[0].codecs[0].sps.as_ref().expect("SPS");
    assert_eq!(
        (sps.profile.as_str(), sps.level.as_str(), sps.width, sps.height),
        ("High", "4.0", 1920, 1080)
    );
    assert_eq!(sps.codec_string, "avc1.640028");
    assert_eq!(media[0].dimensions.as_deref(), Some("1920x1080"));
    assert_eq!(media[0].direction, "recvonly");
    assert_eq!((media[1].codecs[0].payload_type, media[1].codecs[0].encoding.as_str()), (0, "PCMU"));
    assert_eq!(media[1].codecs[0].clock_rate, Some(8000));
}

#[test]
fn dahua_style_h265_aac_and_metadata_is_clean() {
    let (found, check) = codes_of(include_bytes!("../data/sdp/dahua-style-h265-aac-metadata.sdp"));
    assert_eq!(found, BTreeSet::new());
    let media = &check.facts.media;
    let kinds: Vec<&str> = media.iter().map(|m| m.media.as_str()).collect();
    assert_eq!(kinds, ["video", "audio", "application"]);
    let sps = media[0].codecs[0].sps.as_ref().expect("SPS");
    assert_eq!(
        (sps.profile.as_str(), sps.level.as_str(), sps.width, sps.height),
        ("Main", "5.0", 2560, 1440)
    );
    assert_eq!(media[0].framerate.as_deref(), Some("20.000000"));
    assert_eq!(media[1].codecs[0].encoding, "MPEG4-GENERIC");
    assert_eq!(check.facts.range.as_deref(), Some("npt=now-"));
}

#[test]
fn sloppy_embedded_server_quirks_are_all_reported() {
    let (found, check) = codes_of(include_bytes!("../data/sdp/sloppy-lf-missing-version.sdp"));
    assert_eq!(
        found,
        set(&[
            codes::SDP_MISSING_VERSION,
            codes::SDP_TRAILING_WHITESPACE,
            codes::SDP_BLANK_LINE,
            codes::SDP_LINE_ORDER,
            codes::SDP_LINE_ENDINGS,
        ])
    );
    // Tolerated: the stream is still fully described.
    assert_eq!(check.facts.media[0].control.as_deref(), Some("trackID=1"));
    assert!(check.facts.media[0].codecs[0].sps.is_some());
}

#[test]
fn recorder_ps_stream_without_controls() {
    let (found, check) = codes_of(include_bytes!("../data/sdp/nvr-ps-stream-no-control.sdp"));
    assert_eq!(
        found,
        set(&[codes::SDP_MISSING_CONTROL, codes::SDP_MISSING_RTPMAP, codes::SDP_UNKNOWN_CODEC])
    );
    let missing_control = check.findings.iter().filter(|f| f.code == codes::SDP_MISSING_CONTROL.code);
    assert!(
        missing_control.clone().count() == 2
            && missing_control.into_iter().all(|f| f.severity == Severity::Error)
    );
}

#[test]
fn srtp_keys_never_reach_the_report() {
    let sdp = include_bytes!("../data/sdp/srtp-savp-sdes.sdp");
    let (found, _) = codes_of(sdp);
    assert_eq!(found, set(&[codes::SDP_SRTP_OFFERED]));
    let json = serde_json::to_string(&report(sdp)).expect("serialises");
    assert!(
        !json.contains("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR") && json.contains("<redacted>"),
        "{json}"
    );
}

/// Descriptions captured from real servers (tests/fixtures/sdp/, see tests/fixtures/capture.py): the RTSP
/// servers' ones are clean and their SPS read.
#[test]
fn real_server_descriptions_are_clean() {
    let captured: &[(&str, &[u8])] = &[
        ("gst-h264.sdp", include_bytes!("../../../tests/fixtures/sdp/gst-h264.sdp")),
        ("gst-h265.sdp", include_bytes!("../../../tests/fixtures/sdp/gst-h265.sdp")),
        ("gst-openh264.sdp", include_bytes!("../../../tests/fixtures/sdp/gst-openh264.sdp")),
        ("ffmpeg-announce-h264.sdp", include_bytes!("../../../tests/fixtures/sdp/ffmpeg-announce-h264.sdp")),
        ("ffmpeg-announce-h265.sdp", include_bytes!("../../../tests/fixtures/sdp/ffmpeg-announce-h265.sdp")),
    ];
    for (name, sdp) in captured {
        let check = check(sdp).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(check.findings, [], "{name}");
        let sps = check.facts.media[0].codecs[0].sps.as_ref().unwrap_or_else(|| panic!("{name}: no SPS"));
        assert_eq!((sps.width, sps.height), (320, 180), "{name}");
    }
}

/// Every captured description parses; those from RTSP servers have nothing worse than info. The exceptions
/// are named with the reason.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_captured_description_parses_and_servers_are_clean() {
    // FFmpeg's `-sdp_file` for a plain RTP output: no RTSP, and x264 without global headers gives no sprop.
    const NOT_FROM_A_SERVER: &[&str] = &["ffmpeg-rtp-h264.sdp"];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sdp");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/fixtures/sdp") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "sdp") {
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let check = check(&std::fs::read(&path).expect("read")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let worst = check.findings.iter().map(|f| f.severity).max();
        if !NOT_FROM_A_SERVER.contains(&name.as_str()) {
            assert!(worst.is_none_or(|s| s == Severity::Info), "{name}: {:#?}", check.findings);
        }
        seen += 1;
    }
    assert!(seen >= 6, "only {seen} captured descriptions in {}", dir.display());
}
