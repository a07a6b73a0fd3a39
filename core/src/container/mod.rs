//! Stored video to frames: an MP4/MOV file or an Annex B elementary stream (`.h264`, `.h265`), read whole
//! from memory, becomes an [`ElementaryStream`]: the [`StreamInfo`] an SDP needs and the [`Frame`]s a server
//! packetizes (see [`Packetizer`](crate::rtp::Packetizer)).
//!
//! [`load`] tells the formats apart by their first bytes; [`annexb_file::read`] and [`mp4::read`] read one
//! format.
//! Whatever the source, the stream is made ready to serve on a loop:
//!
//! - it starts at a keyframe (IDR for H.264, IRAP for H.265): frames before the first one are dropped and
//!   counted ([`ElementaryStream::skipped_leading`]);
//! - every keyframe carries the parameter sets in front (VPS, SPS, PPS), inserted from the ones seen before
//!   when the source has them only once (an MP4 `avcC`/`hvcC` box, an encoder that writes them at the start),
//!   so a client that joins on any keyframe can decode;
//! - presentation times are in 90 kHz ticks from 0, and [`ElementaryStream::duration`] tells a looping source
//!   how much to add on each pass.
//!
//! Every length and count in the input is checked before it is used, and allocations are bounded by the
//! input's size: a damaged or hostile file gives a [`ContainerError`] that says where, never a panic.
//!
//! ```
//! use rtspeek_core::container::{self, ContainerError};
//! assert_eq!(container::load(b"hello", 25.0), Err(ContainerError::UnknownFormat));
//! ```

pub mod annexb_file;
pub mod mp4;

use crate::codec::{Codec, Frame, ParamSetKind, ParameterSets, StreamInfo, VIDEO_CLOCK_RATE, h264, h265};
use crate::rtp::NalProblem;

/// The highest frame rate accepted, from a file or from the caller.
pub const MAX_FRAME_RATE: f64 = 1000.0;

/// A stored video stream, ready to packetize.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementaryStream {
    /// The codec, the parameter sets of the first keyframe (for the SDP) and the frame rate.
    pub info: StreamInfo,
    /// The frames in decoding order, the first a keyframe. `pts` starts at 0; each keyframe carries its
    /// parameter sets.
    pub frames: Vec<Frame>,
    /// Frames dropped before the first keyframe (a stream cut in the middle of a group of pictures).
    pub skipped_leading: usize,
    /// Keyframes in front of which the parameter sets were inserted.
    pub parameter_sets_inserted: usize,
    /// Where [`StreamInfo::frame_rate`] came from.
    pub frame_rate_source: FrameRateSource,
    /// Length of the stream in 90 kHz ticks: the `pts` the frame after the last one would have. A looping
    /// source adds it to every `pts` on each pass.
    pub duration: u64,
}

/// Where the frame rate of an [`ElementaryStream`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameRateSource {
    /// The container's timing (MP4: the most common sample duration).
    Container,
    /// The SPS VUI timing information.
    Sps,
    /// Neither had one: the caller's default.
    Default,
}

/// A file format [`load`] recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// ISO base media file format (MP4, MOV): starts with a box such as `ftyp`.
    Mp4,
    /// An Annex B byte stream: starts with a start code (`00 00 01` after zero bytes).
    AnnexB,
}

/// Why stored video could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ContainerError {
    /// Neither an MP4 box nor a start code at the start of the input.
    #[error("neither an MP4 file (no ftyp box) nor an Annex B stream (no start code) at the start")]
    UnknownFormat,
    /// The caller's frame rate is not a positive number up to [`MAX_FRAME_RATE`].
    #[error("default frame rate {0} is not in (0, 1000] frames per second")]
    FrameRate(f64),
    /// An Annex B stream without any NAL unit.
    #[error("no NAL units: the stream has no start code")]
    NoNalUnits,
    /// The codec of an Annex B stream could not be detected (no parameter set parses as H.264 or H.265).
    #[error("cannot tell whether the stream is H.264 or H.265: no parameter set parses as either")]
    UnknownCodec,
    /// A NAL unit that cannot be sent over RTP.
    #[error("NAL unit at byte {offset} ({len} bytes): {problem}")]
    BadNal {
        /// Its byte offset in the input.
        offset: usize,
        /// Its length.
        len: usize,
        /// What is wrong with it.
        problem: NalProblem,
    },
    /// No frame is a keyframe, so a client could never start decoding.
    #[error("{} stream has no keyframe ({frames} frames, none IDR/IRAP)", .codec.name())]
    NoKeyframe {
        /// The codec.
        codec: Codec,
        /// Frames read.
        frames: usize,
    },
    /// Parameter sets a decoder needs are nowhere before or in the first keyframe.
    #[error("{} stream has no {} before its first keyframe", .codec.name(), kinds(.missing))]
    MissingParameterSets {
        /// The codec.
        codec: Codec,
        /// The kinds missing.
        missing: Vec<ParamSetKind>,
    },
    /// Repeating the parameter sets in front of every keyframe would more than double the stream: the
    /// parameter sets are huge or the keyframes tiny and many (a hostile file).
    #[error("repeating the parameter sets before every keyframe would add more than {limit} bytes")]
    ParameterSetExpansion {
        /// The limit: the input's size plus 1 MiB.
        limit: usize,
    },
    /// An MP4 file without a movie box.
    #[error("no moov box: the file is incomplete or not an MP4 file")]
    NoMoov,
    /// A fragmented MP4 file (movie fragments), which this reader does not handle.
    #[error(
        "fragmented MP4 is not supported ({path} at byte {offset}); remux it unfragmented (ffmpeg -c copy)"
    )]
    Fragmented {
        /// The box that shows it (`moof`, `moov/mvex`).
        path: &'static str,
        /// Its byte offset.
        offset: usize,
    },
    /// No track is H.264 or H.265 video.
    #[error("no H.264 (avc1/avc3) or H.265 (hvc1/hev1) video track; tracks: {found}")]
    NoVideoTrack {
        /// The tracks found: the handler type, and the sample entry type of video tracks (`soun, vide/av01`),
        /// or `none`.
        found: String,
    },
    /// An MP4 structure is wrong: where (box path and byte offset) and what.
    #[error("{path} at byte {offset}: {reason}")]
    Mp4 {
        /// The box path, e.g. `moov/trak/mdia/minf/stbl/stsz`.
        path: String,
        /// Byte offset in the file where the problem was found.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
}

fn kinds(kinds: &[ParamSetKind]) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}

/// Tells the format of `bytes` from its first bytes: an MP4 box type at bytes 4..8, or a start code after
/// zero or more zero bytes.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    const TOP_LEVEL_BOXES: [&[u8; 4]; 9] =
        [b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"styp", b"moof"];
    if bytes.get(4..8).is_some_and(|t| TOP_LEVEL_BOXES.iter().any(|b| &b[..] == t)) {
        return Some(Format::Mp4);
    }
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    (zeros >= 2 && bytes.get(zeros) == Some(&1)).then_some(Format::AnnexB)
}

/// Reads an MP4/MOV file or an Annex B stream (codec detected), whichever `bytes` is. `default_frame_rate`
/// is used when neither the container nor the SPS gives a frame rate.
pub fn load(bytes: &[u8], default_frame_rate: f64) -> Result<ElementaryStream, ContainerError> {
    match sniff(bytes) {
        Some(Format::Mp4) => mp4::read(bytes, default_frame_rate),
        Some(Format::AnnexB) => annexb_file::read(bytes, None, default_frame_rate),
        None => Err(ContainerError::UnknownFormat),
    }
}

fn valid_rate(rate: f64) -> bool {
    rate.is_finite() && rate > 0.0 && rate <= MAX_FRAME_RATE
}

fn check_frame_rate(rate: f64) -> Result<(), ContainerError> {
    if valid_rate(rate) { Ok(()) } else { Err(ContainerError::FrameRate(rate)) }
}

/// A frame as a format reader produces it, before the common steps.
#[derive(Debug, Default)]
struct RawFrame {
    nals: Vec<Vec<u8>>,
    keyframe: bool,
    /// Decoding time in 90 kHz ticks, when the container has one.
    time: Option<u64>,
}

/// What a format reader knows besides its frames.
#[derive(Debug)]
struct Source<'a> {
    codec: Codec,
    /// Parameter sets from outside the frames (MP4 `avcC`/`hvcC`).
    out_of_band: &'a [Vec<u8>],
    /// The container's frame rate, if it has one.
    frame_rate: Option<f64>,
    /// The container's end time (90 kHz), if it has one.
    end_time: Option<u64>,
    /// Size of the input, which bounds the parameter sets inserted.
    input_len: usize,
}

/// The steps common to every format: start at a keyframe, parameter sets in front of every keyframe,
/// the frame rate and the presentation times.
fn assemble(
    source: Source<'_>,
    raw: Vec<RawFrame>,
    default_frame_rate: f64,
) -> Result<ElementaryStream, ContainerError> {
    let codec = source.codec;
    let total = raw.len();
    let Some(first_key) = raw.iter().position(|f| f.keyframe) else {
        return Err(ContainerError::NoKeyframe { codec, frames: total });
    };
    let mut sets = ParameterSets::new(codec);
    for nal in source.out_of_band {
        sets.add_in_band(nal);
    }
    let limit = source.input_len.saturating_add(1 << 20);
    let mut added_bytes = 0usize;
    let mut inserted = 0;
    let mut frames = Vec::with_capacity(total - first_key);
    let mut times = Vec::with_capacity(total - first_key);
    for (i, f) in raw.into_iter().enumerate() {
        for nal in &f.nals {
            sets.add_in_band(nal);
        }
        if i < first_key {
            continue;
        }
        let mut nals = f.nals;
        if f.keyframe && !missing_kinds(codec, &nals).is_empty() {
            added_bytes = added_bytes.saturating_add(put_parameter_sets_in_front(codec, &mut nals, &sets));
            if added_bytes > limit {
                return Err(ContainerError::ParameterSetExpansion { limit });
            }
            inserted += 1;
        }
        if i == first_key {
            let missing = missing_kinds(codec, &nals);
            if !missing.is_empty() {
                return Err(ContainerError::MissingParameterSets { codec, missing });
            }
        }
        frames.push(Frame { nals, pts: 0, keyframe: f.keyframe });
        times.push(f.time);
    }

    // Never empty: the frame at `first_key` was pushed.
    let Some(first) = frames.first() else {
        return Err(ContainerError::NoKeyframe { codec, frames: total });
    };
    let mut parameter_sets: Vec<(ParamSetKind, Vec<u8>)> =
        first.nals.iter().filter_map(|n| ParamSetKind::of(codec, n).map(|k| (k, n.clone()))).collect();
    parameter_sets.sort_by_key(|(k, _)| *k);
    let sps_rate = parameter_sets.iter().find(|(k, _)| *k == ParamSetKind::Sps).and_then(|(_, nal)| {
        match codec {
            Codec::H264 => h264::parse_sps(nal),
            Codec::H265 => h265::parse_sps(nal),
        }
        .ok()
        .and_then(|info| info.frame_rate)
    });
    let (frame_rate, frame_rate_source) = if let Some(r) = source.frame_rate.filter(|&r| valid_rate(r)) {
        (r, FrameRateSource::Container)
    } else if let Some(r) = sps_rate.filter(|&r| valid_rate(r)) {
        (r, FrameRateSource::Sps)
    } else {
        (default_frame_rate, FrameRateSource::Default)
    };

    let ticks = |n: usize| (n as f64 * f64::from(VIDEO_CLOCK_RATE) / frame_rate).round() as u64;
    let duration = match (times.first().copied().flatten(), source.end_time) {
        (Some(t0), Some(end)) if times.iter().all(Option::is_some) => {
            for (frame, t) in frames.iter_mut().zip(&times) {
                frame.pts = t.unwrap_or(t0).saturating_sub(t0);
            }
            end.saturating_sub(t0)
        }
        _ => {
            for (k, frame) in frames.iter_mut().enumerate() {
                frame.pts = ticks(k);
            }
            ticks(frames.len())
        }
    };
    Ok(ElementaryStream {
        info: StreamInfo {
            codec,
            parameter_sets: parameter_sets.into_iter().map(|(_, nal)| nal).collect(),
            frame_rate,
        },
        frames,
        skipped_leading: first_key,
        parameter_sets_inserted: inserted,
        frame_rate_source,
        duration,
    })
}

/// The parameter set kinds `codec` needs that `nals` lacks.
fn missing_kinds(codec: Codec, nals: &[Vec<u8>]) -> Vec<ParamSetKind> {
    ParamSetKind::required(codec)
        .iter()
        .copied()
        .filter(|&k| !nals.iter().any(|n| ParamSetKind::of(codec, n) == Some(k)))
        .collect()
}

/// Replaces the parameter sets of a keyframe with every one known (the latest of each kind and id, its
/// own included), VPS then SPS then PPS, after its access unit delimiter if it has one. Returns the bytes
/// added.
fn put_parameter_sets_in_front(codec: Codec, nals: &mut Vec<Vec<u8>>, sets: &ParameterSets) -> usize {
    let before: usize = nals.iter().map(Vec::len).sum();
    nals.retain(|n| ParamSetKind::of(codec, n).is_none());
    let is_aud = |n: &Vec<u8>| match codec {
        Codec::H264 => h264::nal_unit_type(n) == Some(h264::nal_type::AUD),
        Codec::H265 => h265::nal_unit_type(n) == Some(h265::nal_type::AUD),
    };
    let at = usize::from(nals.first().is_some_and(is_aud));
    let mut known: Vec<_> = sets.in_band().iter().collect();
    known.sort_by_key(|s| s.kind);
    nals.splice(at..at, known.into_iter().map(|s| s.nal.clone()));
    let after: usize = nals.iter().map(Vec::len).sum();
    after.saturating_sub(before)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sniffs_formats() {
        assert_eq!(sniff(b"\0\0\0\x20ftypisom"), Some(Format::Mp4));
        assert_eq!(sniff(b"\0\0\0\x08moof"), Some(Format::Mp4));
        assert_eq!(sniff(&[0, 0, 0, 1, 0x67]), Some(Format::AnnexB));
        assert_eq!(sniff(&[0, 0, 1, 0x40, 1]), Some(Format::AnnexB));
        assert_eq!(sniff(&[0, 1, 0x67]), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(load(&[0, 0, 0], 25.0), Err(ContainerError::UnknownFormat));
    }

    #[test]
    fn refuses_bad_frame_rates() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, 1000.5] {
            let err = load(&[0, 0, 1, 0x67], rate).unwrap_err();
            assert!(matches!(err, ContainerError::FrameRate(_)), "{rate}: {err}");
        }
    }

    #[test]
    fn error_messages_name_what_is_missing() {
        let e = ContainerError::MissingParameterSets {
            codec: Codec::H265,
            missing: vec![ParamSetKind::Vps, ParamSetKind::Pps],
        };
        assert_eq!(e.to_string(), "H.265 stream has no VPS, PPS before its first keyframe");
        let e = ContainerError::NoKeyframe { codec: Codec::H264, frames: 3 };
        assert_eq!(e.to_string(), "H.264 stream has no keyframe (3 frames, none IDR/IRAP)");
    }
}
