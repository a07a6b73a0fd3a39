//! The codec layer's view of a stream: access units in, statistics and `codec.*` findings out.
//!
//! ```
//! use rtspeek_core::codec::{Codec, Depacketizer, StreamAnalyzer};
//! let mut depacketizer = Depacketizer::new(Codec::H264);
//! // The SDP's decoded sprop-parameter-sets, if any.
//! let mut analyzer = StreamAnalyzer::new(Codec::H264, 90_000, &[]);
//! for (seq, ts, marker, payload) in [(1u16, 0u32, true, &[0x65u8, 0x88][..])] {
//!     depacketizer.push(seq, ts, marker, payload);
//!     while let Some(au) = depacketizer.pop() {
//!         analyzer.access_unit(&au);
//!     }
//! }
//! let findings = analyzer.findings(&depacketizer);
//! assert!(findings.iter().any(|f| f.code == "codec.no_parameter_sets"));
//! ```

use serde::{Deserialize, Serialize};

use super::depacketize::{Depacketizer, FuProblem, Issue};
use super::gop::{GopStats, GopTracker};
use super::param_sets::{Comparison, ParamSetKind, ParameterSets};
use super::{AccessUnit, Codec, SpsInfo, codec_string, h265};
use crate::decimal::fixed;
use crate::diagnose::Finding;
use crate::diagnose::codes;

/// A keyframe interval longer than this many seconds is reported ([`codes::CODEC_LONG_GOP`]).
pub const LONG_GOP_SECONDS: f64 = 10.0;

/// The first damaged access unit, for evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamagedAu {
    /// Its RTP timestamp.
    pub timestamp: u32,
    /// Its first packet's sequence number.
    pub first_seq: u16,
    /// Its last packet's sequence number.
    pub last_seq: u16,
}

/// What the codec layer found, for the report's facts and the live page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodecSummary {
    /// The codec.
    pub codec: Codec,
    /// The SPS summary (in-band if seen, else the SDP's).
    pub sps: Option<SpsInfo>,
    /// The WebCodecs codec string to configure a decoder with: `avc1.*` for H.264; for H.265 `hvc1.*`
    /// when the parameter sets come only from the SDP, `hev1.*` when they (also) travel in band.
    pub codec_string: Option<String>,
    /// Keyframe and GOP statistics.
    pub gop: GopStats,
    /// How the in-band parameter sets compare with the SDP's.
    pub parameter_sets: Comparison,
    /// Times an in-band parameter set changed during the stream.
    pub parameter_set_changes: u64,
    /// Access units with data missing.
    pub damaged_access_units: u64,
    /// The first of them.
    pub first_damaged: Option<DamagedAu>,
}

/// Watches the access units of one stream. Constant memory apart from the (bounded) parameter sets.
#[derive(Debug, Clone)]
pub struct StreamAnalyzer {
    codec: Codec,
    params: ParameterSets,
    gop: GopTracker,
    damaged: u64,
    first_damaged: Option<DamagedAu>,
}

impl StreamAnalyzer {
    /// An analyzer for a `codec` stream with RTP clock rate `clock_rate`, given the parameter sets the SDP
    /// announced (decoded `sprop-parameter-sets`, or `sprop-vps`/`-sps`/`-pps`; each a NAL unit with its header).
    pub fn new(codec: Codec, clock_rate: u32, sdp_parameter_sets: &[&[u8]]) -> Self {
        let mut params = ParameterSets::new(codec);
        for nal in sdp_parameter_sets {
            params.add_sdp(nal);
        }
        StreamAnalyzer { codec, params, gop: GopTracker::new(clock_rate), damaged: 0, first_damaged: None }
    }

    /// Records one access unit.
    pub fn access_unit(&mut self, au: &AccessUnit<'_>) {
        self.gop.push(au.timestamp, au.keyframe);
        if au.damaged {
            self.damaged += 1;
            self.first_damaged.get_or_insert(DamagedAu {
                timestamp: au.timestamp,
                first_seq: au.first_seq,
                last_seq: au.last_seq,
            });
        }
        for nal in au.nal_units() {
            self.params.add_in_band(nal);
        }
    }

    /// The parameter sets seen.
    pub fn parameter_sets(&self) -> &ParameterSets {
        &self.params
    }

    /// The statistics so far.
    pub fn summary(&self) -> CodecSummary {
        let sps = self.params.sps().cloned();
        let in_band = !self.params.in_band().is_empty();
        let codec_string = match self.codec {
            Codec::H264 => sps.as_ref().map(|s| s.codec_string.clone()),
            Codec::H265 => self.hevc_codec_string(in_band),
        };
        CodecSummary {
            codec: self.codec,
            sps,
            codec_string,
            gop: self.gop.stats(),
            parameter_sets: self.params.comparison(),
            parameter_set_changes: self.params.in_band_changes(),
            damaged_access_units: self.damaged,
            first_damaged: self.first_damaged,
        }
    }

    fn hevc_codec_string(&self, in_band: bool) -> Option<String> {
        let sources = [self.params.in_band(), self.params.sdp()];
        let sps =
            sources.iter().flat_map(|s| s.iter()).find(|s| s.kind == ParamSetKind::Sps && s.sps.is_some())?;
        let parsed = h265::Sps::parse(&sps.nal).ok()?;
        Some(codec_string::hevc(&parsed.profile_tier_level, in_band))
    }

    /// The `codec.*` findings for the stream so far, with the depacketizer's issues.
    pub fn findings(&self, depacketizer: &Depacketizer) -> Vec<Finding> {
        let mut out = Vec::new();
        let summary = self.summary();
        let gop = &summary.gop;
        self.parameter_set_findings(gop.frames, &mut out);
        keyframe_findings(self.codec, gop, &mut out);
        packet_findings(depacketizer, &mut out);
        if self.damaged > 0 {
            let mut f = Finding::new(
                codes::CODEC_FRAME_INCOMPLETE,
                format!("{} of {} frames arrived with data missing", self.damaged, gop.frames),
            )
            .with_evidence("damaged_access_units", self.damaged.to_string())
            .with_evidence("access_units", gop.frames.to_string());
            if let Some(first) = self.first_damaged {
                f = f
                    .with_evidence("first_damaged_timestamp", first.timestamp.to_string())
                    .with_evidence("first_damaged_seq", format!("{}..={}", first.first_seq, first.last_seq));
            }
            out.push(f);
        }
        out
    }

    fn parameter_set_findings(&self, frames: u64, out: &mut Vec<Finding>) {
        let p = &self.params;
        for (source, set) in p.errors() {
            let Some(e) = &set.error else { continue };
            out.push(
                Finding::new(
                    codes::CODEC_BAD_PARAMETER_SET,
                    format!("{} {} cannot be parsed: {e}", source.as_str(), set.kind.as_str()),
                )
                .with_evidence("source", source.as_str())
                .with_evidence("parameter_set", set.kind.as_str())
                .with_evidence("bit_offset", e.bit_offset.to_string())
                .with_evidence("reason", e.reason.clone())
                .with_evidence("nal_unit", hex_prefix(&set.nal)),
            );
        }
        let missing = p.missing();
        if frames > 0 && !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|k| k.as_str()).collect();
            out.push(
                Finding::new(
                    codes::CODEC_NO_PARAMETER_SETS,
                    format!(
                        "{} {} neither in the SDP nor in the stream ({frames} frames watched)",
                        self.codec.name(),
                        names.join(", ")
                    ),
                )
                .with_evidence("missing", names.join(", "))
                .with_evidence("sdp_parameter_sets", p.sdp().len().to_string())
                .with_evidence("in_band_parameter_sets", p.in_band().len().to_string()),
            );
        }
        for d in p.differences() {
            let b = d.in_band;
            let id = b.id.map_or_else(|| "?".to_owned(), |id| id.to_string());
            let mut f = Finding::new(
                codes::CODEC_PARAMETER_SETS_MISMATCH,
                match d.sdp {
                    Some(_) => format!("in-band {} id {id} differs from the SDP's", b.kind.as_str()),
                    None => format!("in-band {} id {id} is not in the SDP", b.kind.as_str()),
                },
            )
            .with_evidence("parameter_set", format!("{} id {id}", b.kind.as_str()))
            .with_evidence("in_band", hex_prefix(&b.nal));
            if let Some(s) = d.sdp {
                f = f.with_evidence("sdp", hex_prefix(&s.nal));
                if let (Some(a), Some(b)) = (&s.sps, &b.sps) {
                    f = f.with_evidence("sdp_sps", describe(a)).with_evidence("in_band_sps", describe(b));
                }
            }
            out.push(f);
        }
    }
}

fn keyframe_findings(codec: Codec, gop: &GopStats, out: &mut Vec<Finding>) {
    let what = match codec {
        Codec::H264 => "IDR",
        Codec::H265 => "IRAP",
    };
    if gop.frames > 0 && gop.keyframes == 0 {
        out.push(
            Finding::new(
                codes::CODEC_NO_KEYFRAME,
                format!("no {what} keyframe in {} frames ({} s)", gop.frames, fixed(gop.observed_seconds, 1)),
            )
            .with_evidence("access_units", gop.frames.to_string())
            .with_evidence("observed_seconds", fixed(gop.observed_seconds, 3)),
        );
        return;
    }
    let longest = gop.gop_seconds_max.unwrap_or(0.0);
    let open = if gop.keyframes > 0 { gop.seconds_since_keyframe } else { 0.0 };
    if longest > LONG_GOP_SECONDS || open > LONG_GOP_SECONDS {
        let mut f = if longest >= open {
            Finding::new(codes::CODEC_LONG_GOP, format!("keyframes up to {} s apart", fixed(longest, 1)))
        } else {
            Finding::new(
                codes::CODEC_LONG_GOP,
                format!("no keyframe for {} s since the last one", fixed(open, 1)),
            )
        };
        f = f.with_evidence("longest_gop_seconds", fixed(longest.max(open), 3));
        if let Some(frames) = gop.gop_frames_max {
            f = f.with_evidence("longest_gop_frames", frames.to_string());
        }
        if let Some(delay) = gop.first_keyframe_delay_seconds {
            f = f.with_evidence("first_keyframe_after_seconds", fixed(delay, 3));
        }
        out.push(f);
    }
}

fn packet_findings(d: &Depacketizer, out: &mut Vec<Finding>) {
    let c = d.issue_counts();
    let issues = d.issues();
    let fu_kinds = [
        (FuProblem::MissingStart, c.fu_missing_start),
        (FuProblem::MissingEnd, c.fu_missing_end),
        (FuProblem::TypeChanged, c.fu_type_changed),
        (FuProblem::SequenceGap, c.fu_sequence_gap),
        (FuProblem::StartAndEnd, c.fu_start_and_end),
    ];
    let total: u64 = fu_kinds.iter().map(|(_, n)| n).sum();
    if total > 0 {
        let kinds: Vec<String> =
            fu_kinds.iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{} x{n}", k.as_str())).collect();
        let mut f = Finding::new(
            codes::CODEC_FU_ERROR,
            format!("{total} fragmentation unit errors: {}", kinds.join(", ")),
        );
        for (kind, n) in fu_kinds.iter().filter(|(_, n)| *n > 0) {
            let first = issues.iter().find_map(|i| match i {
                Issue::Fu { problem, seq } if problem == kind => Some(*seq),
                _ => None,
            });
            let value = first.map_or_else(|| n.to_string(), |seq| format!("{n} (first at seq {seq})"));
            f = f.with_evidence(kind.as_str(), value);
        }
        out.push(f);
    }
    if c.marker_missing > 0 {
        let aus = d.stats().access_units;
        out.push(
            Finding::new(
                codes::CODEC_MARKER_MISSING,
                format!("{} of {aus} frames ended without the RTP marker bit", c.marker_missing),
            )
            .with_evidence("closed_by_timestamp_change", c.marker_missing.to_string())
            .with_evidence("access_units", aus.to_string()),
        );
    }
    if c.unsupported > 0 {
        let mut types: Vec<String> = Vec::new();
        let mut first_seq = None;
        for issue in issues {
            if let Issue::Unsupported { seq, packet_type, name } = issue {
                first_seq.get_or_insert(*seq);
                let t = format!("{name} ({packet_type})");
                if !types.contains(&t) {
                    types.push(t);
                }
            }
        }
        let mut f = Finding::new(
            codes::CODEC_UNSUPPORTED_PACKETIZATION,
            format!("{} packets use unsupported payload structures: {}", c.unsupported, types.join(", ")),
        )
        .with_evidence("packets", c.unsupported.to_string())
        .with_evidence("payload_types", types.join(", "));
        if let Some(seq) = first_seq {
            f = f.with_evidence("first_seq", seq.to_string());
        }
        out.push(f);
    }
    if c.malformed + c.oversized > 0 {
        let mut f = Finding::new(
            codes::CODEC_MALFORMED_PAYLOAD,
            format!("{} malformed payloads, {} oversized frames", c.malformed, c.oversized),
        );
        let first = issues.iter().find_map(|i| match i {
            Issue::Malformed { seq, reason } => Some(format!("seq {seq}: {reason}")),
            Issue::Oversized { timestamp } => {
                Some(format!("timestamp {timestamp}: frame over the size limit"))
            }
            _ => None,
        });
        if let Some(first) = first {
            f = f.with_evidence("first", first);
        }
        out.push(f);
    }
}

/// The first 32 bytes of a NAL unit in hex, for evidence.
fn hex_prefix(nal: &[u8]) -> String {
    let mut s: String = nal.iter().take(32).map(|b| format!("{b:02x}")).collect();
    if nal.len() > 32 {
        s.push_str(&format!("... ({} bytes)", nal.len()));
    }
    s
}

fn describe(s: &SpsInfo) -> String {
    let fps = s.frame_rate.map(|f| format!(" {} fps", fixed(f, 3))).unwrap_or_default();
    format!("{} {}x{} {}{fps}", s.profile_name, s.width, s.height, s.codec_string)
}
