//! What the description says, for the report's facts (`facts.sdp`), even when nothing is wrong.

use serde::{Deserialize, Serialize};

/// A session description's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdpFacts {
    /// Number of lines, blank ones included.
    pub lines: u32,
    /// `s=`, when present and not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// Session-level `a=control:` (often `*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Session-level `a=range:` as written (`npt=0-` for live).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// The media sections, in order.
    pub media: Vec<MediaFacts>,
}

/// One media section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaFacts {
    /// Line number of the `m=` line.
    pub line: u32,
    /// `video`, `audio`, `application`...
    pub media: String,
    /// Transport protocol (`RTP/AVP`).
    pub proto: String,
    /// `a=control:` of the section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// The direction in effect (`sendonly`, `recvonly`, `sendrecv`, `inactive`).
    pub direction: String,
    /// `b=` lines as written (`AS:4096`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bandwidth: Vec<String>,
    /// `a=framerate:` as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framerate: Option<String>,
    /// `a=x-dimensions:` as `WIDTHxHEIGHT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<String>,
    /// One entry per format of the `m=` line.
    pub codecs: Vec<CodecFacts>,
}

/// One RTP payload format of a media section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodecFacts {
    /// RTP payload type.
    pub payload_type: u8,
    /// Encoding name from `a=rtpmap:`, or from RFC 3551 for a static type; empty when unknown.
    pub encoding: String,
    /// Clock rate in Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_rate: Option<u32>,
    /// Audio channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<u16>,
    /// `a=fmtp:` parameters as written (cut at 1024 characters, with `...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fmtp: Option<String>,
    /// What the SPS in the description says (H.264/H.265 with a readable sprop SPS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sps: Option<SpsFacts>,
}

/// What an SPS carried in the description says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpsFacts {
    /// Profile name (`High`, `Main`...).
    pub profile: String,
    /// Level as written in the standards (`4.0`, `3.1`, `1b`).
    pub level: String,
    /// Picture width in pixels, after cropping.
    pub width: u32,
    /// Picture height in pixels, after cropping.
    pub height: u32,
    /// Frames per second from the VUI timing, when present, as a decimal (`25`, `29.97`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_rate: Option<String>,
    /// WebCodecs codec string (`avc1.640029`, `hvc1.1.6.L123.B0`).
    pub codec_string: String,
}

impl SpsFacts {
    /// The facts of an SPS summary from the codec module.
    pub(crate) fn of(info: &crate::codec::SpsInfo) -> SpsFacts {
        // H.264 levels are 10 x level (9 is level 1b), H.265 levels 30 x level; written `4.0`, `3.1`.
        let l = info.level_idc;
        let level = if info.codec == "h265" {
            format!("{}.{}", l / 30, l % 30 / 3)
        } else if l == 9 {
            "1b".to_owned()
        } else {
            format!("{}.{}", l / 10, l % 10)
        };
        SpsFacts {
            profile: info.profile_name.clone(),
            level,
            width: info.width,
            height: info.height,
            frame_rate: info.frame_rate.map(decimal),
            codec_string: info.codec_string.clone(),
        }
    }
}

/// A number with at most 3 decimals, trailing zeros dropped (`25`, `29.97`, `4.1`).
fn decimal(x: f64) -> String {
    crate::decimal::trimmed(x, 3)
}
