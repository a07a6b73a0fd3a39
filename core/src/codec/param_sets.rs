//! Parameter sets from the SDP (`sprop-*`) and from the stream (in band), kept by kind and id, parsed, and
//! compared.

use serde::{Deserialize, Serialize};

use super::annexb::trim_trailing_zeros;
use super::{Codec, CodecError, SpsInfo, h264, h265};

/// The kind of a parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ParamSetKind {
    /// H.265 video parameter set.
    Vps,
    /// Sequence parameter set.
    Sps,
    /// Picture parameter set.
    Pps,
}

impl ParamSetKind {
    /// `VPS`, `SPS` or `PPS`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamSetKind::Vps => "VPS",
            ParamSetKind::Sps => "SPS",
            ParamSetKind::Pps => "PPS",
        }
    }

    /// The kind of a NAL unit, if it is a parameter set of `codec`.
    pub fn of(codec: Codec, nal: &[u8]) -> Option<ParamSetKind> {
        match codec {
            Codec::H264 => match h264::nal_unit_type(nal)? {
                h264::nal_type::SPS => Some(ParamSetKind::Sps),
                h264::nal_type::PPS => Some(ParamSetKind::Pps),
                _ => None,
            },
            Codec::H265 => match h265::nal_unit_type(nal)? {
                h265::nal_type::VPS => Some(ParamSetKind::Vps),
                h265::nal_type::SPS => Some(ParamSetKind::Sps),
                h265::nal_type::PPS => Some(ParamSetKind::Pps),
                _ => None,
            },
        }
    }

    /// The kinds a decoder of `codec` needs.
    pub fn required(codec: Codec) -> &'static [ParamSetKind] {
        match codec {
            Codec::H264 => &[ParamSetKind::Sps, ParamSetKind::Pps],
            Codec::H265 => &[ParamSetKind::Vps, ParamSetKind::Sps, ParamSetKind::Pps],
        }
    }
}

/// Where a parameter set came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The SDP's sprop parameters.
    Sdp,
    /// The RTP stream.
    InBand,
}

impl Source {
    /// `SDP` or `in band`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Sdp => "SDP",
            Source::InBand => "in band",
        }
    }
}

/// One parameter set, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSet {
    /// Its kind.
    pub kind: ParamSetKind,
    /// Its id (seq/pic/video_parameter_set_id); None when it could not be parsed.
    pub id: Option<u32>,
    /// The NAL unit (header included, emulation prevention present, trailing zero bytes removed).
    pub nal: Vec<u8>,
    /// The SPS summary, for an SPS that parsed.
    pub sps: Option<SpsInfo>,
    /// Why it could not be parsed.
    pub error: Option<CodecError>,
}

impl ParamSet {
    /// Parses `nal` as a parameter set of `kind`.
    pub fn parse(codec: Codec, kind: ParamSetKind, nal: &[u8]) -> ParamSet {
        let nal = trim_trailing_zeros(nal);
        let (id, sps, error) = match (codec, kind) {
            (Codec::H264, ParamSetKind::Sps) => match h264::Sps::parse(nal) {
                Ok(s) => (Some(u32::from(s.id)), Some(s.info()), None),
                Err(e) => (None, None, Some(e)),
            },
            (Codec::H265, ParamSetKind::Sps) => match h265::Sps::parse(nal) {
                Ok(s) => (Some(u32::from(s.id)), Some(s.info()), None),
                Err(e) => (None, None, Some(e)),
            },
            (Codec::H264, _) => split(h264::Pps::parse(nal).map(|p| u32::from(p.id))),
            (Codec::H265, ParamSetKind::Pps) => split(h265::Pps::parse(nal).map(|p| u32::from(p.id))),
            (Codec::H265, ParamSetKind::Vps) => split(h265::Vps::parse(nal).map(|v| u32::from(v.id))),
        };
        ParamSet { kind, id, nal: nal.to_vec(), sps, error }
    }
}

fn split(r: Result<u32, CodecError>) -> (Option<u32>, Option<SpsInfo>, Option<CodecError>) {
    match r {
        Ok(id) => (Some(id), None, None),
        Err(e) => (None, None, Some(e)),
    }
}

/// How the in-band parameter sets compare with the SDP's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Every in-band parameter set equals the SDP's with the same kind and id.
    Same,
    /// At least one in-band parameter set differs from (or is missing in) the SDP.
    Different,
    /// Parameter sets only in band (the SDP has none).
    OnlyInBand,
    /// Parameter sets only in the SDP (none seen in band).
    OnlySdp,
    /// None anywhere.
    Neither,
}

/// A pair that differs: the SDP's set (if any with that kind and id) and the in-band one.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference<'a> {
    /// The SDP's parameter set with the same kind and id, if any.
    pub sdp: Option<&'a ParamSet>,
    /// The in-band one.
    pub in_band: &'a ParamSet,
}

/// Most parameter sets kept per source: ids are bounded (H.264: 32 SPS, 256 PPS; H.265: 16 VPS, 16 SPS,
/// 64 PPS), but a fuzzed stream could invent many unparsable ones.
const MAX_PER_SOURCE: usize = 64;

/// The parameter sets of one stream, from both sources.
#[derive(Debug, Clone)]
pub struct ParameterSets {
    codec: Codec,
    sdp: Vec<ParamSet>,
    in_band: Vec<ParamSet>,
    /// Times an in-band parameter set was replaced by a different one with the same kind and id.
    in_band_changes: u64,
}

impl ParameterSets {
    /// No parameter sets yet.
    pub fn new(codec: Codec) -> Self {
        ParameterSets { codec, sdp: Vec::new(), in_band: Vec::new(), in_band_changes: 0 }
    }

    /// Adds the SDP's parameter sets (decoded sprop values). NAL units that are not parameter sets are
    /// ignored.
    pub fn add_sdp(&mut self, nal: &[u8]) {
        if let Some(kind) = ParamSetKind::of(self.codec, nal) {
            let set = ParamSet::parse(self.codec, kind, nal);
            insert(&mut self.sdp, set);
        }
    }

    /// Looks at a NAL unit from the stream; keeps it if it is a new or changed parameter set. Repeated
    /// identical sets (every keyframe) cost one comparison and no allocation.
    pub fn add_in_band(&mut self, nal: &[u8]) {
        let Some(kind) = ParamSetKind::of(self.codec, nal) else { return };
        let trimmed = trim_trailing_zeros(nal);
        if self.in_band.iter().any(|s| s.kind == kind && s.nal == trimmed) {
            return;
        }
        let set = ParamSet::parse(self.codec, kind, nal);
        if insert(&mut self.in_band, set) {
            self.in_band_changes += 1;
        }
    }

    /// The SDP's parameter sets.
    pub fn sdp(&self) -> &[ParamSet] {
        &self.sdp
    }

    /// The latest in-band parameter set of each kind and id.
    pub fn in_band(&self) -> &[ParamSet] {
        &self.in_band
    }

    /// How often an in-band parameter set changed (same kind and id, other content).
    pub fn in_band_changes(&self) -> u64 {
        self.in_band_changes
    }

    /// The required kinds present in neither source.
    pub fn missing(&self) -> Vec<ParamSetKind> {
        ParamSetKind::required(self.codec)
            .iter()
            .copied()
            .filter(|&k| !self.sdp.iter().chain(&self.in_band).any(|s| s.kind == k))
            .collect()
    }

    /// The in-band sets that differ from the SDP's (empty unless both sources have sets).
    pub fn differences(&self) -> Vec<Difference<'_>> {
        if self.sdp.is_empty() {
            return Vec::new();
        }
        self.in_band
            .iter()
            .filter_map(|b| {
                let sdp = self.sdp.iter().find(|s| s.kind == b.kind && s.id == b.id);
                (sdp.map(|s| &s.nal) != Some(&b.nal)).then_some(Difference { sdp, in_band: b })
            })
            .collect()
    }

    /// How the in-band sets compare with the SDP's.
    pub fn comparison(&self) -> Comparison {
        match (self.sdp.is_empty(), self.in_band.is_empty()) {
            (true, true) => Comparison::Neither,
            (false, true) => Comparison::OnlySdp,
            (true, false) => Comparison::OnlyInBand,
            (false, false) if self.differences().is_empty() => Comparison::Same,
            (false, false) => Comparison::Different,
        }
    }

    /// The SPS summary to report: the in-band one (what the decoder really gets), else the SDP's.
    pub fn sps(&self) -> Option<&SpsInfo> {
        self.in_band.iter().chain(&self.sdp).find_map(|s| s.sps.as_ref())
    }

    /// The parameter sets that could not be parsed, with their source.
    pub fn errors(&self) -> impl Iterator<Item = (Source, &ParamSet)> {
        let sdp = self.sdp.iter().map(|s| (Source::Sdp, s));
        sdp.chain(self.in_band.iter().map(|s| (Source::InBand, s))).filter(|(_, s)| s.error.is_some())
    }
}

/// Inserts `set`, replacing one with the same kind and id; returns whether it replaced one.
fn insert(sets: &mut Vec<ParamSet>, set: ParamSet) -> bool {
    if let Some(old) = sets.iter_mut().find(|s| s.kind == set.kind && s.id == set.id) {
        *old = set;
        return true;
    }
    if sets.len() < MAX_PER_SOURCE {
        sets.push(set);
    }
    false
}
