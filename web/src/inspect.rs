//! `inspectParameterSets`: what H.264/H.265 parameter sets announce, from whatever a technician has at hand:
//! the `sprop-parameter-sets` value or `a=fmtp:` line of an SDP, hex copied from Wireshark, or the bytes of
//! an Annex B stream or of one NAL unit.
//!
//! The decoding is core's: [`sprop::decode`] and [`sprop::classify`] (the SDP lint's own, so the messages
//! match `rtspeek sdp check`), [`ParamSet::parse`] and [`ParameterSets`] for the SPS summary and what is
//! missing, [`annexb::nal_units`] for streams. This module only routes the input and shapes the answer.

use base64::Engine as _;
use rtspeek_core::codec::param_sets::ParamSet;
use rtspeek_core::codec::{Codec, ParamSetKind, ParameterSets, SpsInfo, annexb, h264, h265};
use rtspeek_core::sdp::sprop;
use serde::Serialize;

/// What to inspect.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Text: a sprop value, an `a=fmtp:` line or SDP, or hex.
    Text(&'a str),
    /// Bytes: an Annex B stream (start codes) or one NAL unit.
    Bytes(&'a [u8]),
}

/// The answer of `inspectParameterSets`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterSetInfo {
    /// `h264` or `h265`.
    pub codec: &'static str,
    /// How the input was read: `sprop` (a bare base64 list), `fmtp` (`key=value` parameters), `hex`,
    /// `annexb` (start codes) or `nal` (one NAL unit).
    pub input: &'static str,
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

/// Reads `h264`/`h265` (also `avc`, `hevc`, `H.264`...).
pub fn parse_codec(name: &str) -> Result<Codec, String> {
    match name.trim().to_ascii_lowercase().replace(['.', '-', '_'], "").as_str() {
        "h264" | "avc" | "avc1" => Ok(Codec::H264),
        "h265" | "hevc" | "hvc1" | "hev1" => Ok(Codec::H265),
        _ => Err(format!("codec {name:?}: expected \"h264\" or \"h265\"")),
    }
}

/// One NAL unit (or what should have been one) found in the input.
struct Item {
    origin: String,
    nal: Result<Vec<u8>, String>,
    /// The kind an H.265 sprop parameter names (`sprop-vps`...).
    expected: Option<ParamSetKind>,
}

/// The input split into NAL units.
struct Split {
    input: &'static str,
    items: Vec<Item>,
    /// The codec the parameter names imply (`sprop-vps` is H.265).
    hint: Option<Codec>,
    /// Whether NAL units that are not parameter sets are expected (a stream) and only counted.
    stream: bool,
}

/// Inspects parameter sets. Fails only when no parameter set at all could be found, saying what was found.
pub fn inspect(input: Input<'_>, codec: Option<Codec>) -> Result<ParameterSetInfo, String> {
    let split = match input {
        Input::Text(text) => split_text(text)?,
        Input::Bytes(bytes) => split_bytes(bytes, "annexb", "nal")?,
    };
    let codec = match codec.or(split.hint) {
        Some(c) => c,
        None => detect(&split.items)?,
    };

    let mut sets = ParameterSets::new(codec);
    let mut summaries = Vec::new();
    let mut problems = Vec::new();
    let mut ignored: Vec<(u8, usize)> = Vec::new();
    let mut fmtp_parts: Vec<(ParamSetKind, String)> = Vec::new();
    for item in split.items {
        let nal = match item.nal {
            Ok(nal) => nal,
            Err(e) => {
                problems.push(format!("{}: {e}", item.origin));
                continue;
            }
        };
        let kind = if split.stream {
            match ParamSetKind::of(codec, &nal) {
                Some(kind) => kind,
                None => {
                    let t = nal_type(codec, &nal);
                    match ignored.iter_mut().find(|(ty, _)| *ty == t) {
                        Some((_, n)) => *n += 1,
                        None => ignored.push((t, 1)),
                    }
                    continue;
                }
            }
        } else {
            // sprop::classify is the SDP lint's check (forbidden bit, header length, wrong type): same words.
            match sprop::classify(codec, &nal, item.expected) {
                Ok(_) => match ParamSetKind::of(codec, &nal) {
                    Some(kind) => kind,
                    // H.264 subset SPS (15) and SPS extension (13) are accepted in sprop but carry no summary.
                    None => {
                        problems.push(format!(
                            "{}: NAL unit type {} ({}) is accepted in sprop-parameter-sets but not inspected",
                            item.origin,
                            nal_type(codec, &nal),
                            type_name(codec, nal_type(codec, &nal))
                        ));
                        continue;
                    }
                },
                Err(e) => {
                    problems.push(format!("{}: {e}", item.origin));
                    continue;
                }
            }
        };
        let set = ParamSet::parse(codec, kind, &nal);
        sets.add_sdp(&nal);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&set.nal);
        fmtp_parts.push((kind, b64.clone()));
        summaries.push(SetSummary {
            kind: kind.as_str(),
            origin: item.origin,
            nal_type: nal_type(codec, &nal),
            id: set.id,
            bytes: set.nal.len(),
            base64: b64,
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
        return Err(format!("no {} parameter set found: {}", codec.name(), why.join("; ")));
    }

    let sps = sets.sps().map(sps_summary);
    Ok(ParameterSetInfo {
        codec: match codec {
            Codec::H264 => "h264",
            Codec::H265 => "h265",
        },
        input: split.input,
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

fn nal_type(codec: Codec, nal: &[u8]) -> u8 {
    match codec {
        Codec::H264 => h264::nal_unit_type(nal),
        Codec::H265 => h265::nal_unit_type(nal),
    }
    .unwrap_or(0)
}

fn type_name(codec: Codec, t: u8) -> &'static str {
    match codec {
        Codec::H264 => h264::nal_type_name(t),
        Codec::H265 => h265::nal_type_name(t),
    }
}

fn ignored_text(codec: Codec, ignored: &[(u8, usize)]) -> Vec<String> {
    ignored.iter().map(|&(t, n)| format!("{t} ({}) x{n}", type_name(codec, t))).collect()
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
        .iter()
        .map(|(key, kind)| (key, list(&[*kind])))
        .filter(|(_, v)| !v.is_empty())
        .map(|(key, v)| format!("{key}={v}"))
        .collect::<Vec<_>>()
        .join(";"),
    }
}

/// Level as written in the standards: H.264 `level_idc / 10` (9 is `1b`), H.265 `level_idc / 30`.
fn level(info: &SpsInfo) -> String {
    let l = info.level_idc;
    if info.codec == "h265" {
        format!("{}.{}", l / 30, l % 30 / 3)
    } else if l == 9 {
        "1b".to_owned()
    } else {
        format!("{}.{}", l / 10, l % 10)
    }
}

fn chroma(idc: u8) -> &'static str {
    match idc {
        0 => "monochrome",
        1 => "4:2:0",
        2 => "4:2:2",
        3 => "4:4:4",
        _ => "unknown",
    }
}

fn sps_summary(info: &SpsInfo) -> SpsSummary {
    SpsSummary {
        profile: info.profile_name.clone(),
        profile_idc: info.profile_idc,
        constraint_flags: info.constraint_flags,
        level: level(info),
        level_idc: info.level_idc,
        width: info.width,
        height: info.height,
        chroma_format: chroma(info.chroma_format_idc),
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
            level(s),
            s.width,
            s.height,
            chroma(s.chroma_format_idc),
            s.bit_depth_luma
        );
        if let Some(fps) = s.frame_rate {
            text.push_str(&format!(", {} fps", (fps * 1000.0).round() / 1000.0));
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

/// Whether `nal` has the header of a parameter set of `codec`, strictly: H.264 needs nal_ref_idc != 0 (which
/// the standard requires of SPS and PPS); H.265 needs the second header byte of a base-layer unit
/// (nuh_layer_id 0, nuh_temporal_id_plus1 != 0). Without that, H.264 P slices (`41 9a ...`) read as H.265
/// VPS headers (type 32).
fn parameter_set_header(codec: Codec, nal: &[u8]) -> bool {
    match codec {
        Codec::H264 => nal.first().is_some_and(|b| b & 0x60 != 0) && ParamSetKind::of(codec, nal).is_some(),
        Codec::H265 => match nal {
            [b0, b1, ..] => {
                b0 & 1 == 0 && b1 >> 3 == 0 && b1 & 7 != 0 && ParamSetKind::of(codec, nal).is_some()
            }
            _ => false,
        },
    }
}

/// Chooses the codec from NAL headers: the reading under which more units are parameter sets wins.
fn detect(items: &[Item]) -> Result<Codec, String> {
    let count = |codec: Codec| {
        items.iter().filter(|i| i.nal.as_ref().is_ok_and(|n| parameter_set_header(codec, n))).count()
    };
    let (h264, h265) = (count(Codec::H264), count(Codec::H265));
    if h264 == 0 && h265 == 0 {
        let problems: Vec<String> = items
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
        let why =
            if problems.is_empty() { "no NAL unit in the input".to_owned() } else { problems.join("; ") };
        return Err(format!("no H.264 or H.265 parameter set found: {why}"));
    }
    Ok(if h265 > h264 { Codec::H265 } else { Codec::H264 })
}

fn split_bytes(bytes: &[u8], stream: &'static str, single: &'static str) -> Result<Split, String> {
    if bytes.is_empty() {
        return Err("the input is empty".into());
    }
    let has_start_code = bytes.windows(3).any(|w| w == [0, 0, 1]);
    if !has_start_code {
        let item = Item { origin: "NAL unit".into(), nal: Ok(bytes.to_vec()), expected: None };
        return Ok(Split { input: single, items: vec![item], hint: None, stream: false });
    }
    let base = bytes.as_ptr() as usize;
    let items = annexb::nal_units(bytes)
        .enumerate()
        .map(|(i, nal)| Item {
            // The iterator yields sub-slices of `bytes`: their distance from its start is the offset.
            origin: format!("NAL unit {} at byte {}", i + 1, nal.as_ptr() as usize - base),
            nal: Ok(nal.to_vec()),
            expected: None,
        })
        .collect();
    Ok(Split { input: stream, items, hint: None, stream: true })
}

fn split_text(text: &str) -> Result<Split, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the input is empty".into());
    }
    if text.contains("sprop-") {
        return split_fmtp(text);
    }
    if let Some(bytes) = hex(text) {
        return split_bytes(&bytes, "hex", "hex");
    }
    if text.contains(['\n', ';']) || text.contains(char::is_whitespace) && !text.contains(',') {
        return Err(format!(
            "{:?} is not a sprop-parameter-sets value (base64 NAL units separated by commas), an a=fmtp line \
             with sprop parameters, or hex",
            shorten(text)
        ));
    }
    let items = sprop::decode_list(text)
        .enumerate()
        .map(|(i, (written, decoded))| Item {
            origin: format!("item {} ({:?})", i + 1, shorten(written)),
            nal: decoded.map_err(|e| e.to_string()),
            expected: None,
        })
        .collect();
    Ok(Split { input: "sprop", items, hint: None, stream: false })
}

/// `key=value;...` parameters of an `a=fmtp:` line (or the first such line of a whole SDP).
fn split_fmtp(text: &str) -> Result<Split, String> {
    let line = text.lines().find(|l| l.contains("sprop-")).unwrap_or(text).trim();
    // `a=fmtp:96 key=value;...`: drop the attribute name and the payload type.
    let params = match line.strip_prefix("a=fmtp:") {
        Some(rest) => rest.split_once(char::is_whitespace).map_or("", |(_, p)| p),
        None => line,
    };
    let mut items = Vec::new();
    let mut hint = None;
    for param in params.split(';') {
        let Some((key, value)) = param.split_once('=') else { continue };
        let key = key.trim().to_ascii_lowercase();
        let (codec, expected) = match key.as_str() {
            "sprop-parameter-sets" => (Codec::H264, None),
            "sprop-vps" => (Codec::H265, Some(ParamSetKind::Vps)),
            "sprop-sps" => (Codec::H265, Some(ParamSetKind::Sps)),
            "sprop-pps" => (Codec::H265, Some(ParamSetKind::Pps)),
            _ => continue,
        };
        hint = Some(codec);
        for (i, (written, decoded)) in sprop::decode_list(value).enumerate() {
            items.push(Item {
                origin: format!("{key} item {} ({:?})", i + 1, shorten(written)),
                nal: decoded.map_err(|e| e.to_string()),
                expected,
            });
        }
    }
    if items.is_empty() {
        return Err(format!(
            "{:?}: no sprop-parameter-sets, sprop-vps, sprop-sps or sprop-pps parameter with a value",
            shorten(line)
        ));
    }
    Ok(Split { input: "fmtp", items, hint, stream: false })
}

/// Hex text (`67 42 00 1f ...`, `00:00:00:01:67...`, `0x67...`) as bytes; `None` when it is not hex, or too
/// short to tell from base64.
fn hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .map(|w| w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")).unwrap_or(w))
        .flat_map(str::bytes)
        .collect();
    if digits.len() < 8 || !digits.len().is_multiple_of(2) || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let nibble = |d: u8| char::from(d).to_digit(16).unwrap_or(0) as u8;
    Some(digits.chunks(2).map(|p| nibble(p[0]) << 4 | nibble(p[1])).collect())
}

/// At most 40 characters of user input, for messages.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
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

    #[test]
    fn h264_sprop_value() {
        let info = inspect(Input::Text(H264_SPROP), None).unwrap();
        assert_eq!((info.codec, info.input), ("h264", "sprop"));
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
        let info = inspect(Input::Text(H265_FMTP), None).unwrap();
        assert_eq!((info.codec, info.input), ("h265", "fmtp"));
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
    fn annex_b_streams_keep_parameter_sets_and_count_the_rest() {
        let h264 =
            inspect(Input::Bytes(include_bytes!("../../core/tests/data/codec/x264_high_320x182.h264")), None)
                .unwrap();
        assert_eq!((h264.codec, h264.input), ("h264", "annexb"));
        assert_eq!(h264.sps.as_ref().map(|s| (s.width, s.height)), Some((320, 182)));
        assert!(!h264.ignored.is_empty(), "{h264:#?}");
        // Sets repeated before every keyframe appear once in the fmtp.
        assert_eq!(h264.fmtp.matches(',').count(), 1, "{}", h264.fmtp);

        let h265 =
            inspect(Input::Bytes(include_bytes!("../../core/tests/data/codec/x265_main_320x182.h265")), None)
                .unwrap();
        assert_eq!(h265.codec, "h265");
        assert_eq!(h265.sps.as_ref().map(|s| (s.width, s.height)), Some((320, 182)));
        assert!(h265.missing.is_empty(), "{h265:#?}");
    }

    #[test]
    fn hex_and_single_nal_units() {
        let sps =
            base64::engine::general_purpose::STANDARD.decode("Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY").unwrap();
        let hex_text: String = sps.iter().map(|b| format!("{b:02x} ")).collect();
        let info = inspect(Input::Text(&hex_text), None).unwrap();
        assert_eq!((info.codec, info.input), ("h264", "hex"));
        assert_eq!(info.missing, ["PPS"]);
        let info = inspect(Input::Bytes(&sps), None).unwrap();
        assert_eq!((info.input, info.parameter_sets.len()), ("nal", 1));
        let with_start = format!("00 00 00 01 {hex_text}");
        assert_eq!(inspect(Input::Text(&with_start), None).unwrap().input, "hex");
    }

    #[test]
    fn errors_say_what_was_found() {
        let e = inspect(Input::Text("not base64!,???"), None).unwrap_err();
        assert!(e.starts_with("no H.264 or H.265 parameter set found: item 1"), "{e}");
        assert!(e.contains("not base64"), "{e}");
        // A slice is no parameter set: the words are the SDP lint's.
        let e = inspect(Input::Text("ZYiE"), Some(Codec::H264)).unwrap_err();
        assert!(e.contains("NAL unit type 5"), "{e}");
        assert!(inspect(Input::Text("  "), None).unwrap_err().contains("empty"));
        assert!(inspect(Input::Bytes(&[]), None).unwrap_err().contains("empty"));
        let e =
            inspect(Input::Text("a=fmtp:96 packetization-mode=1;sprop-parameter-sets="), None).unwrap_err();
        assert!(e.contains("empty parameter set"), "{e}");
        assert!(parse_codec("vp8").unwrap_err().contains("h264"));
        assert_eq!(parse_codec("H.265"), Ok(Codec::H265));
    }

    #[test]
    fn a_damaged_set_is_reported_with_the_others() {
        // The SPS cut short: still an SPS by its header, unreadable past the cut.
        let info = inspect(Input::Text("Z2QAKKzZ,aOvjyyLA"), None).unwrap();
        assert!(info.sps.is_none());
        let sps = &info.parameter_sets[0];
        assert_eq!(sps.kind, "SPS");
        assert!(sps.error.as_deref().is_some_and(|e| e.contains("H.264 SPS at bit")), "{info:#?}");
        assert_eq!(info.parameter_sets[1].kind, "PPS");
    }
}
