//! The parameter set inspector: what H.264/H.265 parameter sets announce, from whatever a technician has at
//! hand: the `sprop-parameter-sets` value or `a=fmtp:` line of an SDP, hex copied from Wireshark, or the bytes
//! of an Annex B stream or of one NAL unit. `rtspeek sdp sprop` and the page's `inspectParameterSets` print
//! the same [`ParameterSetInfo`].
//!
//! The codec is the caller's, else the one the parameter names imply (`sprop-vps` is H.265), else
//! [`codec::detect`](crate::codec::detect()). Items are checked by [`classify`] (the SDP lint's words),
//! parsed by [`ParamSet::parse`], and gathered in [`ParameterSets`] for the SPS summary and what is missing.

use base64::Engine as _;
use serde::Serialize;

use super::input::{self, InputForm, Item, Split};
use super::{InspectError, classify};
use crate::codec::param_sets::ParamSet;
use crate::codec::{Codec, Detection, ParamSetKind, ParameterSets, SpsInfo, detect, h264, h265};

/// What to inspect.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Text: a sprop value, an `a=fmtp:` line or SDP, or hex.
    Text(&'a str),
    /// Bytes: an Annex B stream (start codes) or one NAL unit.
    Bytes(&'a [u8]),
}

/// What the inspector found (the JSON of `inspectParameterSets` and `rtspeek sdp sprop --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterSetInfo {
    /// `h264` or `h265`.
    pub codec: Codec,
    /// How the input was read: `sprop`, `fmtp`, `hex`, `annexb` or `nal`.
    pub input: InputForm,
    /// The WebCodecs codec string from the SPS (`avc1.64001f`, `hvc1.1.6.L93.B0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec_string: Option<String>,
    /// The first SPS that could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sps: Option<SpsSummary>,
    /// Every parameter set found, in input order.
    pub parameter_sets: Vec<SetSummary>,
    /// Kinds a decoder needs that the input lacks (`PPS`, `VPS`).
    pub missing: Vec<&'static str>,
    /// What could not be used, one sentence each (bad base64, a NAL unit that is no parameter set...).
    pub problems: Vec<String>,
    /// Other NAL units of an Annex B stream, skipped (`5 (IDR slice) x3`).
    pub ignored: Vec<String>,
    /// The parameter sets as SDP `a=fmtp:` parameters (`sprop-parameter-sets=...`; H.265: `sprop-vps=...;
    /// sprop-sps=...;sprop-pps=...`), ready to paste into a description.
    pub fmtp: String,
    /// H.264: `profile-level-id` for the SDP (profile_idc, constraint flags, level_idc in hex), from the SPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_level_id: Option<String>,
}

/// What an SPS says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpsSummary {
    /// Profile name (`High`, `Main 10`...).
    pub profile: String,
    /// profile_idc (H.264) or general_profile_idc (H.265).
    pub profile_idc: u8,
    /// H.264 constraint_set flags byte (0 for H.265).
    pub constraint_flags: u8,
    /// Level as the standards write it (`3.1`, `1b`).
    pub level: String,
    /// level_idc (H.264: 10 x level; H.265: 30 x level).
    pub level_idc: u8,
    /// Displayed width in pixels, after cropping.
    pub width: u32,
    /// Displayed height in pixels, after cropping.
    pub height: u32,
    /// `4:2:0`, `4:2:2`, `4:4:4` or `monochrome`.
    pub chroma_format: &'static str,
    /// Luma bit depth.
    pub bit_depth_luma: u8,
    /// Chroma bit depth.
    pub bit_depth_chroma: u8,
    /// Frames per second from the VUI timing, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_rate: Option<f64>,
    /// WebCodecs codec string.
    pub codec_string: String,
}

/// One parameter set of the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetSummary {
    /// `VPS`, `SPS` or `PPS`.
    pub kind: &'static str,
    /// Where it was in the input (`sprop-parameter-sets item 1`, `NAL unit 2 at byte 38`).
    pub origin: String,
    /// NAL unit type.
    pub nal_type: u8,
    /// Its id (video/seq/pic_parameter_set_id), when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// Length of the NAL unit in bytes (header included, trailing zero bytes not).
    pub bytes: usize,
    /// The NAL unit in base64, as sprop parameters carry it.
    pub base64: String,
    /// One line for people (`High 3.1, 1280x720, 4:2:0 8-bit, 25 fps`; `PPS 0 of SPS 0, CABAC`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// Why it could not be read (`H.264 SPS at bit 42: ...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Inspects parameter sets; `codec` forces the codec. Fails only when no parameter set at all could be found
/// (or the codec cannot be told), saying what was found.
pub fn inspect(input: Input<'_>, codec: Option<Codec>) -> Result<ParameterSetInfo, InspectError> {
    let split = match input {
        Input::Text(text) => input::split_text(text)?,
        Input::Bytes(bytes) => input::split_bytes(bytes, InputForm::Annexb, InputForm::Nal)?,
    };
    let codec = match codec.or(split.hint) {
        Some(codec) => codec,
        None => detect_codec(&split.items)?,
    };
    let Split { form, items, stream, .. } = split;

    let mut sets = ParameterSets::new(codec);
    let mut summaries = Vec::new();
    let mut problems = Vec::new();
    let mut ignored: Vec<(u8, usize)> = Vec::new();
    let mut fmtp_parts: Vec<(ParamSetKind, String)> = Vec::new();
    for item in items {
        let nal = match item.nal {
            Ok(nal) => nal,
            Err(e) => {
                problems.push(format!("{}: {e}", item.origin));
                continue;
            }
        };
        let nal_type = codec.nal_unit_type(&nal).unwrap_or(0);
        let kind = match (stream, ParamSetKind::of(codec, &nal)) {
            (true, Some(kind)) => kind,
            // A stream's slices, SEI... are expected: counted, not reported.
            (true, None) => {
                match ignored.iter_mut().find(|(t, _)| *t == nal_type) {
                    Some((_, n)) => *n += 1,
                    None => ignored.push((nal_type, 1)),
                }
                continue;
            }
            // classify is the SDP lint's check (forbidden bit, header length, wrong type): same words.
            (false, of) => match (classify(codec, &nal, item.expected), of) {
                (Ok(_), Some(kind)) => kind,
                // H.264 subset SPS (15) and SPS extension (13) are accepted in sprop but carry no summary.
                (Ok(_), None) => {
                    problems.push(format!(
                        "{}: NAL unit type {nal_type} ({}) is accepted in sprop-parameter-sets but not inspected",
                        item.origin,
                        codec.nal_type_name(nal_type)
                    ));
                    continue;
                }
                (Err(e), _) => {
                    problems.push(format!("{}: {e}", item.origin));
                    continue;
                }
            },
        };
        let set = ParamSet::parse(codec, kind, &nal);
        sets.add_sdp(&nal);
        let base64 = base64::engine::general_purpose::STANDARD.encode(&set.nal);
        fmtp_parts.push((kind, base64.clone()));
        summaries.push(SetSummary {
            kind: kind.as_str(),
            origin: item.origin,
            nal_type,
            id: set.id,
            bytes: set.nal.len(),
            base64,
            summary: describe_set(codec, &set),
            error: set.error.as_ref().map(ToString::to_string),
        });
    }

    if summaries.is_empty() {
        let mut why = problems;
        if !ignored.is_empty() {
            why.push(format!(
                "the stream has only other NAL units: {}",
                ignored_text(codec, &ignored).join(", ")
            ));
        }
        if why.is_empty() {
            why.push("no NAL unit in the input".into());
        }
        return Err(InspectError::NotFound { codec: Some(codec), why });
    }

    let sps = sets.sps().map(sps_summary);
    Ok(ParameterSetInfo {
        codec,
        input: form,
        codec_string: sps.as_ref().map(|s| s.codec_string.clone()),
        profile_level_id: match (codec, &sps) {
            (Codec::H264, Some(s)) => {
                Some(format!("{:02x}{:02x}{:02x}", s.profile_idc, s.constraint_flags, s.level_idc))
            }
            _ => None,
        },
        sps,
        parameter_sets: summaries,
        missing: sets.missing().into_iter().map(ParamSetKind::as_str).collect(),
        problems,
        ignored: ignored_text(codec, &ignored),
        fmtp: fmtp(codec, &fmtp_parts),
    })
}

/// The codec by [`detect`]'s rule: a parameter set that parses, else the parameter set headers (a damaged SPS
/// is still worth reporting on).
fn detect_codec(items: &[Item]) -> Result<Codec, InspectError> {
    let nals = items.iter().filter_map(|i| i.nal.as_deref().ok());
    match detect(nals) {
        Detection::Parsed(codec) | Detection::Headers(codec) => Ok(codec),
        Detection::Ambiguous { each } => Err(InspectError::Ambiguous { each }),
        Detection::Unknown => {
            let mut why: Vec<String> = items
                .iter()
                .map(|i| match &i.nal {
                    Err(e) => format!("{}: {e}", i.origin),
                    Ok(n) => format!(
                        "{}: first byte 0x{:02x} is neither an H.264 nor an H.265 parameter set header",
                        i.origin,
                        n.first().copied().unwrap_or(0)
                    ),
                })
                .take(4)
                .collect();
            if why.is_empty() {
                why.push("no NAL unit in the input".into());
            }
            Err(InspectError::NotFound { codec: None, why })
        }
    }
}

fn ignored_text(codec: Codec, ignored: &[(u8, usize)]) -> Vec<String> {
    ignored.iter().map(|&(t, n)| format!("{t} ({}) x{n}", codec.nal_type_name(t))).collect()
}

/// The sprop parameters for an SDP: duplicates (an Annex B stream repeats its sets) dropped, in input order.
fn fmtp(codec: Codec, parts: &[(ParamSetKind, String)]) -> String {
    let list = |kinds: &[ParamSetKind]| {
        let mut seen: Vec<&str> = Vec::new();
        for (k, b64) in parts {
            if kinds.contains(k) && !seen.contains(&b64.as_str()) {
                seen.push(b64);
            }
        }
        seen.join(",")
    };
    match codec {
        Codec::H264 => format!("sprop-parameter-sets={}", list(&[ParamSetKind::Sps, ParamSetKind::Pps])),
        Codec::H265 => [
            ("sprop-vps", ParamSetKind::Vps),
            ("sprop-sps", ParamSetKind::Sps),
            ("sprop-pps", ParamSetKind::Pps),
        ]
        .into_iter()
        .map(|(key, kind)| (key, list(&[kind])))
        .filter(|(_, v)| !v.is_empty())
        .map(|(key, v)| format!("{key}={v}"))
        .collect::<Vec<_>>()
        .join(";"),
    }
}

fn sps_summary(info: &SpsInfo) -> SpsSummary {
    SpsSummary {
        profile: info.profile_name.clone(),
        profile_idc: info.profile_idc,
        constraint_flags: info.constraint_flags,
        level: info.level_name(),
        level_idc: info.level_idc,
        width: info.width,
        height: info.height,
        chroma_format: info.chroma_format_name(),
        bit_depth_luma: info.bit_depth_luma,
        bit_depth_chroma: info.bit_depth_chroma,
        frame_rate: info.frame_rate,
        codec_string: info.codec_string.clone(),
    }
}

/// The one-line summary of a parameter set that parsed.
fn describe_set(codec: Codec, set: &ParamSet) -> String {
    if set.error.is_some() {
        return String::new();
    }
    if let Some(s) = &set.sps {
        let mut text = format!(
            "{} {}, {}x{}, {} {}-bit",
            s.profile_name,
            s.level_name(),
            s.width,
            s.height,
            s.chroma_format_name(),
            s.bit_depth_luma
        );
        if let Some(fps) = s.frame_rate {
            // `trimmed` is `{}` of the rounded value here (frame rates are far below 10^15), without float printing.
            text.push_str(&format!(", {} fps", crate::decimal::trimmed((fps * 1000.0).round() / 1000.0, 3)));
        }
        return text;
    }
    match (codec, set.kind) {
        (Codec::H264, ParamSetKind::Pps) => h264::Pps::parse(&set.nal)
            .map(|p| {
                let entropy = if p.cabac { "CABAC" } else { "CAVLC" };
                format!("PPS {} of SPS {}, {entropy}", p.id, p.sps_id)
            })
            .unwrap_or_default(),
        (Codec::H265, ParamSetKind::Pps) => h265::Pps::parse(&set.nal)
            .map(|p| {
                let mut text = format!("PPS {} of SPS {}", p.id, p.sps_id);
                if p.tiles {
                    text.push_str(", tiles");
                }
                if p.entropy_coding_sync {
                    text.push_str(", wavefront");
                }
                text
            })
            .unwrap_or_default(),
        (Codec::H265, ParamSetKind::Vps) => h265::Vps::parse(&set.nal)
            .map(|v| {
                let ptl = &v.profile_tier_level;
                let tier = if ptl.high_tier { "High tier" } else { "Main tier" };
                format!(
                    "VPS {}: {} {} level {}.{}, {} temporal layer(s)",
                    v.id,
                    ptl.profile_name(),
                    tier,
                    ptl.level_idc / 30,
                    ptl.level_idc % 30 / 3,
                    v.max_sub_layers
                )
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const H264_SPROP: &str = "Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY,aOvjyyLA";
    const H265_FMTP: &str = "a=fmtp:98 profile-id=1;level-id=150;sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwCWlZgJ;\
        sprop-sps=QgEBAWAAAAMAkAAAAwAAAwCWoAFAIAWhZZWaSTK8BaAgAAADACAAAAMCgQ==;sprop-pps=RAHBcrRiQA==";

    fn text(input: &str) -> Result<ParameterSetInfo, String> {
        inspect(Input::Text(input), None).map_err(|e| e.to_string())
    }

    #[test]
    fn h264_sprop_value() {
        let info = text(H264_SPROP).unwrap();
        assert_eq!((info.codec, info.input), (Codec::H264, InputForm::Sprop));
        let sps = info.sps.as_ref().unwrap();
        assert_eq!(sps.profile, "High");
        assert_eq!(sps.level, "4.0");
        assert_eq!((sps.width, sps.height), (1920, 1080));
        assert_eq!(info.codec_string.as_deref(), Some("avc1.640028"));
        assert_eq!(info.profile_level_id.as_deref(), Some("640028"));
        assert_eq!(info.parameter_sets.iter().map(|s| s.kind).collect::<Vec<_>>(), ["SPS", "PPS"]);
        assert!(info.missing.is_empty() && info.problems.is_empty(), "{info:#?}");
        assert_eq!(info.fmtp, format!("sprop-parameter-sets={H264_SPROP}"));
        assert!(info.parameter_sets[1].summary.starts_with("PPS 0 of SPS 0"), "{info:#?}");
    }

    #[test]
    fn h265_fmtp_line() {
        let info = text(H265_FMTP).unwrap();
        assert_eq!((info.codec, info.input), (Codec::H265, InputForm::Fmtp));
        let sps = info.sps.as_ref().unwrap();
        assert_eq!(sps.profile, "Main");
        assert!(info.codec_string.as_deref().unwrap().starts_with("hvc1.1."), "{info:#?}");
        assert_eq!(info.parameter_sets.iter().map(|s| s.kind).collect::<Vec<_>>(), ["VPS", "SPS", "PPS"]);
        assert!(info.parameter_sets[0].summary.starts_with("VPS 0: Main"), "{info:#?}");
        assert!(
            info.fmtp.starts_with("sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwCWlZgJ;sprop-sps="),
            "{}",
            info.fmtp
        );
        assert_eq!(info.profile_level_id, None);
    }

    #[test]
    fn the_json_is_the_pages() {
        let json = serde_json::to_value(text(H264_SPROP).unwrap()).unwrap();
        assert_eq!((json["codec"].as_str(), json["input"].as_str()), (Some("h264"), Some("sprop")));
        assert_eq!(json["parameter_sets"][0]["kind"], "SPS");
        assert_eq!(json["sps"]["chroma_format"], "4:2:0");
        // Absent values are left out, not null.
        assert!(json["parameter_sets"][0].get("error").is_none(), "{json}");
    }

    #[test]
    fn annex_b_streams_keep_parameter_sets_and_count_the_rest() {
        let h264 = include_bytes!("../../../tests/data/codec/x264_high_320x182.h264");
        let h264 = inspect(Input::Bytes(h264), None).unwrap();
        assert_eq!((h264.codec, h264.input), (Codec::H264, InputForm::Annexb));
        assert_eq!(h264.sps.as_ref().map(|s| (s.width, s.height)), Some((320, 182)));
        assert!(!h264.ignored.is_empty(), "{h264:#?}");
        // Sets repeated before every keyframe appear once in the fmtp.
        assert_eq!(h264.fmtp.matches(',').count(), 1, "{}", h264.fmtp);

        let h265 = include_bytes!("../../../tests/data/codec/x265_main_320x182.h265");
        let h265 = inspect(Input::Bytes(h265), None).unwrap();
        assert_eq!(h265.codec, Codec::H265);
        assert_eq!(h265.sps.as_ref().map(|s| (s.width, s.height)), Some((320, 182)));
        assert!(h265.missing.is_empty(), "{h265:#?}");
    }

    #[test]
    fn hex_and_single_nal_units() {
        let sps = super::super::decode("Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY").unwrap();
        let hex_text: String = sps.iter().map(|b| format!("{b:02x} ")).collect();
        let info = text(&hex_text).unwrap();
        assert_eq!((info.codec, info.input), (Codec::H264, InputForm::Hex));
        assert_eq!(info.missing, ["PPS"]);
        let info = inspect(Input::Bytes(&sps), None).unwrap();
        assert_eq!((info.input, info.parameter_sets.len()), (InputForm::Nal, 1));
        assert_eq!(text(&format!("00 00 00 01 {hex_text}")).unwrap().input, InputForm::Hex);
    }

    #[test]
    fn the_codec_is_detected_by_the_one_rule() {
        // An H.265 keyframe in four IDR_N_LP slices (`28 01`: H.264 PPS headers) after VPS, SPS and PPS:
        // counting headers would say H.264; the VPS parses, so H.265.
        let bytes = include_bytes!("../../../../tests/fixtures/media/h265.265");
        let mut stream = Vec::new();
        for nal in crate::codec::annexb::nal_units(bytes).take(3) {
            stream.extend_from_slice(&[0, 0, 0, 1]);
            stream.extend_from_slice(nal);
        }
        for _ in 0..4 {
            stream.extend_from_slice(&[0, 0, 0, 1, 0x28, 0x01, 0xaf, 0x11]);
        }
        let info = inspect(Input::Bytes(&stream), None).unwrap();
        assert_eq!(info.codec, Codec::H265, "{info:#?}");
        assert_eq!(info.ignored, ["20 (IDR slice) x4"]);
        // An H.264 and an H.265 PPS, nothing that parses: the caller must say.
        let e = text("aOvjyyLA,RAHBcrRiQA==").unwrap_err();
        assert!(e.contains("say which codec"), "{e}");
        assert_eq!(
            inspect(Input::Text("aOvjyyLA,RAHBcrRiQA=="), Some(Codec::H265)).unwrap().codec,
            Codec::H265
        );
    }

    #[test]
    fn errors_say_what_was_found() {
        let e = text("not base64!,???").unwrap_err();
        assert!(e.starts_with("no H.264 or H.265 parameter set found: item 1"), "{e}");
        assert!(e.contains("not base64"), "{e}");
        // A slice is no parameter set: the words are the SDP lint's.
        let e = inspect(Input::Text("ZYiE"), Some(Codec::H264)).unwrap_err().to_string();
        assert_eq!(
            e,
            "no H.264 parameter set found: item 1 (\"ZYiE\"): NAL unit type 5 (IDR slice) is not an SPS (7) or \
             PPS (8)"
        );
        assert_eq!(text("  ").unwrap_err(), "the input is empty");
        assert_eq!(inspect(Input::Bytes(&[]), None).unwrap_err(), InspectError::Empty);
        let e = text("a=fmtp:96 packetization-mode=1;sprop-parameter-sets=").unwrap_err();
        assert!(e.contains("empty parameter set"), "{e}");
        let e = text("hello world").unwrap_err();
        assert!(e.starts_with("\"hello world\" is not a sprop-parameter-sets value"), "{e}");
    }

    #[test]
    fn a_damaged_set_is_reported_with_the_others() {
        // The SPS cut short: still an SPS by its header, unreadable past the cut.
        let info = text("Z2QAKKzZ,aOvjyyLA").unwrap();
        assert!(info.sps.is_none());
        let sps = &info.parameter_sets[0];
        assert_eq!(sps.kind, "SPS");
        assert!(sps.error.as_deref().is_some_and(|e| e.contains("H.264 SPS at bit")), "{info:#?}");
        assert_eq!(info.parameter_sets[1].kind, "PPS");
    }
}
