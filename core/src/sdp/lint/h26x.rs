//! H.264 and H.265 format parameters: packetization mode, announced profile and level, and the parameter sets
//! carried in the description (decodable, complete, and agreeing with what is announced).

use super::{at, truncated};
use crate::codec::{Codec, ParamSetKind};
use crate::diagnose::codes;
use crate::diagnose::{Finding, Severity};
use crate::sdp::facts::SpsFacts;
use crate::sdp::model::SessionDescription;
use crate::sdp::sprop;
use crate::sdp::value::{Fmtp, Rtpmap};

/// Parameter set values are shown up to this many characters.
const MAX_SET_CHARS: usize = 60;

/// At most this many unusable parameter sets are shown per sprop parameter (the count says how many there are).
const MAX_ITEMS_SHOWN: usize = 3;

/// The fmtp keys that carry parameter sets, with the kind each must hold (`None`: any).
fn sprop_keys(codec: Codec) -> &'static [(&'static str, Option<ParamSetKind>)] {
    match codec {
        Codec::H264 => &[("sprop-parameter-sets", None)],
        Codec::H265 => &[
            ("sprop-vps", Some(ParamSetKind::Vps)),
            ("sprop-sps", Some(ParamSetKind::Sps)),
            ("sprop-pps", Some(ParamSetKind::Pps)),
        ],
    }
}

/// Checks an H.264 or H.265 payload type; returns what its SPS says when it can be read.
pub(super) fn check<'a>(
    sdp: &SessionDescription<'_>,
    codec: Codec,
    rtpmap: &Rtpmap<'_>,
    fmtp: Option<Fmtp<'a>>,
    out: &mut Vec<Finding>,
) -> Option<SpsFacts> {
    let pt = rtpmap.payload_type;
    // Findings point at the fmtp line, or at the rtpmap line when there is no fmtp.
    let line = fmtp.map_or(rtpmap.line, |f| f.line);
    let no_fmtp = if fmtp.is_none() { format!(" (payload type {pt} has no a=fmtp)") } else { String::new() };
    let get = |key: &str| param(fmtp, key);

    if codec == Codec::H264 {
        packetization_mode(sdp, get("packetization-mode"), line, &no_fmtp, out);
    }

    // Decode every parameter set; keep the first SPS.
    let mut missing: Vec<&str> = Vec::new();
    let mut undecodable = false;
    let mut kinds: Vec<ParamSetKind> = Vec::new();
    let mut sps: Option<Vec<u8>> = None;
    for &(key, expected) in sprop_keys(codec) {
        let Some(value) = get(key) else {
            missing.push(key);
            continue;
        };
        // The items that cannot be used: how many, and the first few (1-based position, as written, why).
        let mut bad_count = 0usize;
        let mut bad = Vec::new();
        for (i, (text, decoded)) in sprop::decode_list(value).enumerate() {
            match decoded.and_then(|nal| sprop::classify(codec, &nal, expected).map(|kind| (kind, nal))) {
                Ok((kind, nal)) => {
                    // The H.264 SPS proper (type 7), not a subset SPS or an SPS extension.
                    let plain = codec == Codec::H265 || nal.first().is_some_and(|b| b & 0x1F == 7);
                    if kind == ParamSetKind::Sps && plain && sps.is_none() {
                        sps = Some(nal);
                    }
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                Err(e) => {
                    bad_count += 1;
                    if bad.len() < MAX_ITEMS_SHOWN {
                        bad.push((i + 1, text, e));
                    }
                }
            }
        }
        if let Some((first, _, why)) = bad.first() {
            undecodable = true;
            let count =
                if bad_count > 1 { format!(" ({bad_count} items cannot be used)") } else { String::new() };
            let mut f =
                Finding::new(codes::SDP_SPROP_UNDECODABLE, format!("{key} item {first}: {why}{count}"));
            for (i, text, why) in &bad {
                f = f.with_evidence(format!("{key} item {i}"), format!("{} ({why})", short(text)));
            }
            out.push(at(f, sdp, line));
        }
    }
    if !missing.is_empty() {
        let f = Finding::new(
            codes::SDP_MISSING_SPROP,
            format!("{} without {}{no_fmtp}", codec.name(), missing.join(", ")),
        );
        out.push(at(f, sdp, line));
    } else if !undecodable {
        // Every set decoded: an H.264 list must still hold both an SPS and a PPS.
        let lacking: Vec<&str> = [(ParamSetKind::Sps, "SPS"), (ParamSetKind::Pps, "PPS")]
            .into_iter()
            .filter(|(kind, _)| !kinds.contains(kind))
            .map(|(_, name)| name)
            .collect();
        if !lacking.is_empty() {
            let f = Finding::new(
                codes::SDP_MISSING_SPROP,
                format!("{} has no {}", sps_key(codec), lacking.join(" and ")),
            );
            out.push(at(f, sdp, line));
        }
    }

    let announced = announced_profile(sdp, codec, fmtp, line, &no_fmtp, out);
    let nal = sps?;
    if let Some(Announced::H264(fmtp)) = announced
        && let Some(&[profile, constraints, level]) = nal.get(1..4)
    {
        // profile_idc, the constraint flags and level_idc are the SPS's first three bytes after the header.
        compare_h264(sdp, fmtp, [profile, constraints, level], line, out);
    }
    match codec.parse_sps(&nal) {
        Ok(info) => {
            if let Some(Announced::H265 { profile, level }) = announced {
                compare_h265(sdp, (profile, level), (info.profile_idc, info.level_idc), line, out);
            }
            Some(SpsFacts::of(&info))
        }
        Err(e) => {
            let f = Finding::new(
                codes::SDP_SPROP_UNDECODABLE,
                format!("the SPS in {} does not parse: {e}", sps_key(codec)),
            );
            out.push(at(f, sdp, line));
            None
        }
    }
}

/// A non-empty fmtp parameter.
fn param<'a>(fmtp: Option<Fmtp<'a>>, key: &str) -> Option<&'a str> {
    fmtp.and_then(|f| f.get(key)).filter(|v| !v.is_empty())
}

/// The fmtp key that holds the SPS.
fn sps_key(codec: Codec) -> &'static str {
    match codec {
        Codec::H264 => "sprop-parameter-sets",
        Codec::H265 => "sprop-sps",
    }
}

/// At most [`MAX_SET_CHARS`] characters of a base64 parameter set.
fn short(text: &str) -> String {
    truncated(text, MAX_SET_CHARS)
}

/// H.264 `packetization-mode`: present, and 0, 1 or 2.
fn packetization_mode(
    sdp: &SessionDescription<'_>,
    mode: Option<&str>,
    line: u32,
    no_fmtp: &str,
    out: &mut Vec<Finding>,
) {
    let f = match mode {
        None => Finding::new(
            codes::SDP_MISSING_PACKETIZATION_MODE,
            format!("H.264 without packetization-mode, so mode 0: FU-A fragments are not allowed{no_fmtp}"),
        ),
        Some("0" | "1" | "2") => return,
        Some(other) => Finding::new(
            codes::SDP_MALFORMED_LINE,
            format!("line {line}: packetization-mode={other} is not 0, 1 or 2"),
        ),
    };
    out.push(at(f, sdp, line));
}

/// The profile and level announced in the fmtp line: H.264 `profile-level-id` as its three bytes, H.265
/// `profile-id` and `level-id` (either may be absent: `None` in the pair).
#[derive(Debug, Clone, Copy)]
enum Announced {
    H264([u8; 3]),
    H265 { profile: Option<u8>, level: Option<u8> },
}

fn announced_profile(
    sdp: &SessionDescription<'_>,
    codec: Codec,
    fmtp: Option<Fmtp<'_>>,
    line: u32,
    no_fmtp: &str,
    out: &mut Vec<Finding>,
) -> Option<Announced> {
    let get = |key: &str| param(fmtp, key);
    let malformed = |out: &mut Vec<Finding>, key: &str, value: &str, want: &str| {
        let f = Finding::new(codes::SDP_MALFORMED_LINE, format!("line {line}: {key}={value} is not {want}"));
        out.push(at(f, sdp, line));
    };
    match codec {
        Codec::H264 => {
            let Some(value) = get("profile-level-id") else {
                let f = Finding::new(
                    codes::SDP_MISSING_PROFILE_LEVEL_ID,
                    format!(
                        "H.264 without profile-level-id: clients assume Constrained Baseline 1.0{no_fmtp}"
                    ),
                );
                out.push(at(f, sdp, line));
                return None;
            };
            let bytes = parse_profile_level_id(value);
            if bytes.is_none() {
                malformed(out, "profile-level-id", value, "6 hex digits");
            }
            bytes.map(Announced::H264)
        }
        Codec::H265 => {
            let mut number = |key: &str| {
                let value = get(key)?;
                let n = value.parse::<u8>().ok();
                if n.is_none() {
                    malformed(out, key, value, "a number from 0 to 255");
                }
                n
            };
            let profile = number("profile-id");
            let level = number("level-id");
            Some(Announced::H265 { profile, level })
        }
    }
}

/// `profile-level-id`: 6 hex digits, profile_idc, constraint flags and level_idc.
fn parse_profile_level_id(value: &str) -> Option<[u8; 3]> {
    if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(value.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// H.264: `profile-level-id` against the SPS's bytes.
fn compare_h264(
    sdp: &SessionDescription<'_>,
    fmtp: [u8; 3],
    sps: [u8; 3],
    line: u32,
    out: &mut Vec<Finding>,
) {
    if fmtp == sps {
        return;
    }
    let hex = |b: [u8; 3]| format!("{:02x}{:02x}{:02x}", b[0], b[1], b[2]);
    // Only the constraint flags differing is common and mostly harmless; a different profile or level is not.
    let flags_only = fmtp[0] == sps[0] && fmtp[2] == sps[2];
    let what = if flags_only { "constraint flags" } else { "profile or level" };
    let f = Finding::new(
        codes::SDP_SPROP_MISMATCH,
        format!("profile-level-id={} but the SPS says {} ({what} differ)", hex(fmtp), hex(sps)),
    )
    .with_evidence("profile-level-id", hex(fmtp))
    .with_evidence("sps", hex(sps));
    let f = if flags_only { f.with_severity(Severity::Info) } else { f };
    out.push(at(f, sdp, line));
}

/// H.265: announced `(profile-id, level-id)` against the SPS's `(profile_idc, level_idc)`.
fn compare_h265(
    sdp: &SessionDescription<'_>,
    (profile, level): (Option<u8>, Option<u8>),
    (profile_idc, level_idc): (u8, u8),
    line: u32,
    out: &mut Vec<Finding>,
) {
    let mut differences = Vec::new();
    if let Some(p) = profile.filter(|&p| p != profile_idc) {
        differences.push(format!("profile-id={p} but the SPS says {profile_idc}"));
    }
    if let Some(l) = level.filter(|&l| l != level_idc) {
        differences.push(format!("level-id={l} but the SPS says {level_idc}"));
    }
    if !differences.is_empty() {
        out.push(at(Finding::new(codes::SDP_SPROP_MISMATCH, differences.join("; ")), sdp, line));
    }
}
