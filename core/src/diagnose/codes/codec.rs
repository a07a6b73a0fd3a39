//! Codec findings (`codec.*`): packetization errors, parameter sets, keyframes.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    CODEC_CODES;
    /// No keyframe (H.264 IDR, H.265 IRAP picture) arrived while the stream was watched. A decoder cannot
    /// show anything until one arrives: players stay black.
    CODEC_NO_KEYFRAME = "codec.no_keyframe", Codec, Error, "No keyframe received",
        fix: "Set the camera's keyframe (I-frame / GOP) interval to 1-2 seconds; check that the encoder is not in a 'smart codec' or 'H.264+' mode that suppresses keyframes while the scene is static.";
    /// Neither the SDP (`sprop-parameter-sets`, `sprop-vps`/`sprop-sps`/`sprop-pps`) nor the stream carried
    /// the parameter sets (SPS/PPS, and VPS for H.265) while the stream was watched: no decoder can start.
    CODEC_NO_PARAMETER_SETS = "codec.no_parameter_sets", Codec, Error, "No parameter sets",
        fix: "Enable sending SPS/PPS with every keyframe (often 'repeat headers' or 'SPS/PPS in stream') or the sprop parameters in the SDP; update the camera firmware if neither can be enabled.";
    /// The parameter sets sent in the stream differ from those announced in the SDP. Players configured from
    /// the SDP (browsers, NVRs, `avc1` WebCodecs configurations) decode with the wrong ones until they notice,
    /// which gives corrupt or black pictures, typically after the encoder settings were changed.
    CODEC_PARAMETER_SETS_MISMATCH = "codec.parameter_sets_mismatch", Codec, Warning, "In-band parameter sets differ from the SDP",
        fix: "Restart the camera's stream (or the camera) after changing encoder settings so that the SDP is regenerated, and prefer clients that take in-band parameter sets.";
    /// A parameter set (SPS, PPS, VPS) from the SDP or the stream cannot be parsed. The evidence names the
    /// field and the bit offset (in the NAL unit payload after emulation-prevention removal).
    CODEC_BAD_PARAMETER_SET = "codec.bad_parameter_set", Codec, Error, "Parameter set cannot be parsed",
        fix: "Check the encoder settings (profile, resolution) for unusual values and update the camera firmware; a damaged sprop value in the SDP can also be replaced by the in-band parameter sets.";
    /// A fragmented NAL unit (H.264 FU-A, H.265 FU) was not sent or received correctly: a fragment without
    /// its start, a unit without its end, a NAL type changing between fragments, packets lost between
    /// fragments, or a whole unit in one fragment (legal in H.265, forbidden in H.264). The damaged NAL unit
    /// is dropped.
    CODEC_FU_ERROR = "codec.fu_error", Codec, Warning, "Fragmentation unit errors",
        fix: "Packets lost between fragments point to the network (see the RTP loss figures; prefer RTP over TCP interleaved); structural errors without loss point to the camera's packetizer: update its firmware.";
    /// Access units (pictures) arrived with data missing: packets lost inside the picture, or fragments
    /// dropped. Decoders show smearing or freeze until the next keyframe.
    CODEC_FRAME_INCOMPLETE = "codec.frame_incomplete", Codec, Warning, "Incomplete frames",
        fix: "Reduce the loss: use RTP over TCP (interleaved) instead of UDP, lower the bit rate, or fix the network path (Wi-Fi, congested uplink).";
    /// The sender does not set the RTP marker bit on the last packet of each picture (RFC 6184 5.1, RFC 7798
    /// 4.1), so a picture is known complete only when the next one starts: one frame interval of extra
    /// latency, and strict players wait forever.
    CODEC_MARKER_MISSING = "codec.marker_missing", Codec, Warning, "RTP marker bit not set",
        fix: "Update the camera firmware; a player can be told to split frames on timestamp changes (rtspeek does).";
    /// Packets use a payload structure rtspeek and most players do not handle: STAP-B, MTAP or FU-B
    /// (H.264 interleaved mode, packetization-mode=2) or a reserved type. Their data is dropped.
    CODEC_UNSUPPORTED_PACKETIZATION = "codec.unsupported_packetization", Codec, Error, "Unsupported RTP packetization",
        fix: "Configure the camera for packetization-mode=1 (non-interleaved: single NAL units, STAP-A, FU-A), which every player supports.";
    /// Packets break their payload format's structure (an empty payload, an aggregation unit overrunning the
    /// packet, a fragment without its header) or a picture exceeds the size limit. The data is dropped.
    CODEC_MALFORMED_PAYLOAD = "codec.malformed_payload", Codec, Warning, "Malformed RTP payload",
        fix: "Update the camera firmware; capture the stream (Wireshark, RTP over TCP) and report the packet to the vendor with the evidence's sequence number.";
    /// The keyframe interval is long (over 10 seconds): a viewer who opens the stream waits up to that long
    /// for a picture, and a lost packet corrupts the picture until the next keyframe.
    CODEC_LONG_GOP = "codec.long_gop", Codec, Warning, "Long keyframe interval",
        fix: "Set the keyframe (I-frame / GOP) interval to 1-2 seconds (e.g. GOP = frame rate or twice it); disable 'smart codec' modes that stretch it.";
    /// The browser showing the report cannot decode this stream with WebCodecs
    /// (`VideoDecoder.isConfigSupported` said no for its codec string): the stream may be fine, but this
    /// browser's preview stays blank. H.265 is often not decodable in browsers without hardware support.
    CODEC_BROWSER_UNSUPPORTED = "codec.browser_unsupported", Codec, Warning, "This browser cannot decode the stream",
        fix: "Use a browser with support for this codec (H.265 needs hardware decoding in most browsers), or configure the camera's stream for H.264 (Main or Constrained Baseline) if browsers must show it.";
}
