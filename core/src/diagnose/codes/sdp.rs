//! SDP findings (`sdp.*`): the session description's lint. Evidence is the line number and the line.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    SDP_CODES;
    /// The DESCRIBE response carries no session description: an empty body, or a body that is not SDP
    /// (an HTML error page, binary data). The evidence gives the Content-Type and why the body is not SDP.
    SDP_NOT_SDP = "sdp.not_sdp", Sdp, Error, "No session description",
        fix: "Check the stream path (a wrong path can be answered with an error page) and that the camera's stream is enabled; update the firmware if a valid path still answers so.";
    /// The description has no `m=` line: there is nothing to set up or play.
    SDP_NO_MEDIA = "sdp.no_media", Sdp, Error, "No media in the description",
        fix: "Check the stream path in the URL: cameras answer DESCRIBE for a wrong or disabled profile with an empty description. Enable the stream (or pick another profile) in the camera's settings.";
    /// The description announces more media sections than any camera has (video, audio, metadata and a
    /// backchannel make four): rtspeek sets up only the first ones and ignores the rest, as the evidence
    /// counts, so that a broken or hostile server cannot make it open sockets and decoders without limit.
    SDP_TOO_MANY_MEDIA = "sdp.too_many_media", Sdp, Warning, "Too many media sections",
        fix: "Check the stream path and the camera's profile settings; a description with dozens of media sections comes from a broken or hostile server.";
    /// The description has media but no video: an audio-only or metadata-only stream, often the wrong
    /// profile or a disabled video encoder.
    SDP_NO_VIDEO = "sdp.no_video", Sdp, Warning, "No video stream",
        fix: "Use the camera's video stream path, or enable the video encoder for this profile.";
    /// A media section has no `a=control:` attribute. With several media a client cannot address each stream
    /// in SETUP, so it fails; with one, RFC 2326 lets the client fall back to the request URL.
    SDP_MISSING_CONTROL = "sdp.missing_control", Sdp, Error, "Media without a control URL",
        fix: "Configure the server to emit `a=control:` in every media section (`a=control:trackID=1`, `a=control:stream=0`...).";
    /// Two media sections share a control URL (SETUP for one sets up the other), or a section has two
    /// `a=control:` lines (clients disagree about which one counts).
    SDP_DUPLICATE_CONTROL = "sdp.duplicate_control", Sdp, Error, "Duplicate control URL",
        fix: "Give each media section exactly one `a=control:` with its own URL.";
    /// An RTP payload type in an `m=` line has no `a=rtpmap:` and is not a static type of RFC 3551 (dynamic
    /// types 96-127 always need one): clients cannot tell the codec or the clock rate, and drop the stream.
    SDP_MISSING_RTPMAP = "sdp.missing_rtpmap", Sdp, Error, "Payload type without rtpmap",
        fix: "Add `a=rtpmap:<pt> <codec>/<clock rate>` to the media section (e.g. `a=rtpmap:96 H264/90000`).";
    /// The codec is not one rtspeek or common RTSP clients know (e.g. `MP2P`, a vendor name, `HEVC` instead of
    /// `H265`). Players will not decode it.
    SDP_UNKNOWN_CODEC = "sdp.unknown_codec", Sdp, Warning, "Unknown codec",
        fix: "Select a standard codec (H.264 or H.265 for video, AAC, G.711 or Opus for audio) in the camera's encoder settings, with its standard RTP encoding name.";
    /// H.264 without `packetization-mode`: the default is mode 0 (one NAL unit per packet), yet almost every
    /// camera fragments frames with FU-A (mode 1). Strict clients drop FU-A packets in mode 0.
    SDP_MISSING_PACKETIZATION_MODE = "sdp.missing_packetization_mode", Sdp, Warning, "H.264 packetization-mode missing",
        fix: "Announce `packetization-mode=1` in the H.264 `a=fmtp:` line when the camera sends FU-A or STAP-A packets.";
    /// H.264 without `profile-level-id`: clients assume Constrained Baseline level 1.0 (`42000a`), which is
    /// wrong for every camera stream; most players then wait for the SPS.
    SDP_MISSING_PROFILE_LEVEL_ID = "sdp.missing_profile_level_id", Sdp, Info, "H.264 profile-level-id missing",
        fix: "Announce `profile-level-id` (the SPS's profile, constraint and level bytes in hex) in the `a=fmtp:` line.";
    /// H.264 without `sprop-parameter-sets`, or H.265 without `sprop-vps`/`sprop-sps`/`sprop-pps` (or a set
    /// lacking the SPS or PPS): clients must find the parameter sets in the stream. Players that configure the
    /// decoder from the description (browsers, many NVRs) show nothing until the next keyframe, or never.
    SDP_MISSING_SPROP = "sdp.missing_sprop", Sdp, Warning, "Parameter sets not in the description",
        fix: "Enable sending parameter sets in the SDP on the camera (sometimes labelled 'SPS/PPS in SDP'), or make sure it repeats SPS/PPS before every keyframe.";
    /// A parameter set in the description cannot be used: bad base64, an empty set, a NAL unit that is not an
    /// SPS/PPS/VPS, or an SPS that does not parse. Clients that configure from it fail to decode.
    SDP_SPROP_UNDECODABLE = "sdp.sprop_undecodable", Sdp, Error, "Parameter set cannot be decoded",
        fix: "Fix or remove the damaged sprop parameter; the camera's firmware may need an update.";
    /// The profile or level announced in the `a=fmtp:` line (`profile-level-id`, `profile-id`, `level-id`)
    /// disagrees with the SPS in the description. Clients that negotiate on the announced value may pick a
    /// decoder that cannot handle the stream.
    SDP_SPROP_MISMATCH = "sdp.sprop_mismatch", Sdp, Warning, "Announced profile disagrees with the SPS",
        fix: "Make the announced profile and level match the SPS (the SPS is what the decoder gets); a firmware update usually fixes it.";
    /// The description offers secure RTP (`RTP/SAVP`, `a=crypto:`, `a=key-mgmt:`, `k=`). Many RTSP clients play
    /// only `RTP/AVP` (the client verdicts say which); RTSPS protects media by carrying it inside the TLS
    /// connection instead. rtspeek decrypts SRTP itself (the `transport.srtp_*` and `rtp.srtp_*` findings).
    SDP_SRTP_OFFERED = "sdp.srtp_offered", Sdp, Warning, "Secure RTP offered",
        fix: "Use RTSPS with interleaved (TCP) transport for encrypted media, and RTP/AVP in the description; keep SRTP only if every client supports it.";
    /// A media-level attribute (`a=rtpmap:`, `a=fmtp:`) comes before the first `m=` line, where it belongs to
    /// the session and strict clients ignore it.
    SDP_MISPLACED_ATTRIBUTE = "sdp.misplaced_attribute", Sdp, Warning, "Media attribute at session level",
        fix: "Move `a=rtpmap:` and `a=fmtp:` after the `m=` line of the media they describe.";
    /// A line does not follow the SDP grammar: no `<letter>=` prefix, or a value that does not parse (an
    /// `m=` line without port or formats, an `rtpmap` without clock rate...). A broken `m=` line is an error.
    SDP_MALFORMED_LINE = "sdp.malformed_line", Sdp, Warning, "Malformed line",
        fix: "Correct the line to the RFC 8866 grammar (or remove it); the finding says what is wrong.";
    /// A line with a type letter RFC 8866 does not define. The RFC tells parsers to reject the whole
    /// description when they meet one; many clients ignore the line instead.
    SDP_UNKNOWN_LINE_TYPE = "sdp.unknown_line_type", Sdp, Warning, "Unknown line type",
        fix: "Remove the line, or carry the information as an `a=` attribute.";
    /// No `v=0` line, or it is not the first line. RFC 8866 requires `v=0` first; strict parsers reject the
    /// description without it.
    SDP_MISSING_VERSION = "sdp.missing_version", Sdp, Warning, "v=0 missing or not first",
        fix: "Start the description with `v=0`.";
    /// A line RFC 8866 requires is missing: `o=` (origin), `s=` (session name) or `t=` (timing).
    SDP_MISSING_REQUIRED_LINE = "sdp.missing_required_line", Sdp, Warning, "Required line missing",
        fix: "Add the line: `o=- <id> <version> IN IP4 <address>`, `s=<name>` (`s=-` when nameless), `t=0 0`.";
    /// A line type allowed once per section (`v=`, `o=`, `s=`, `i=`, `u=`, `z=`, `k=`) appears twice. Clients
    /// disagree on which one counts.
    SDP_DUPLICATE_LINE = "sdp.duplicate_line", Sdp, Warning, "Line repeated",
        fix: "Keep one line of each such type per section.";
    /// Lines out of the order RFC 8866 prescribes (`v o s i u e p c b t r z k a`, and `m i c b k a` in media),
    /// such as `a=` before `t=` or `c=` after `a=`. Tolerant parsers accept it. A session-level line (`s=`,
    /// `t=`...) inside a media section is a warning: strict parsers reject it.
    SDP_LINE_ORDER = "sdp.line_order", Sdp, Info, "Lines out of order",
        fix: "Emit lines in the RFC 8866 order.";
    /// Bytes that are not text: invalid UTF-8 (often a Latin-1 session name), a byte order mark, control
    /// characters, or NUL bytes after the last line (a C string terminator counted in Content-Length).
    SDP_INVALID_TEXT = "sdp.invalid_text", Sdp, Warning, "Bytes that are not text",
        fix: "Send UTF-8 text only; do not count a string terminator in Content-Length.";
    /// Lines end in a bare LF (or a mix of LF and CRLF). RFC 8866 requires CRLF but asks parsers to accept LF;
    /// nearly all do.
    SDP_LINE_ENDINGS = "sdp.line_endings", Sdp, Info, "LF line endings",
        fix: "End every line with CRLF.";
    /// Spaces or tabs after a line's value. Usually harmless, but some parsers keep them in the value (a
    /// control URL with a trailing space fails SETUP).
    SDP_TRAILING_WHITESPACE = "sdp.trailing_whitespace", Sdp, Info, "Trailing whitespace",
        fix: "Remove whitespace at the end of lines.";
    /// Spaces or tabs before a line's type letter. Strict parsers do not recognise such a line and ignore
    /// it (losing, for example, its control URL or rtpmap).
    SDP_LEADING_WHITESPACE = "sdp.leading_whitespace", Sdp, Warning, "Line indented",
        fix: "Start every line with its type letter.";
    /// Empty lines inside the description. Some parsers take an empty line as the end of the description.
    SDP_BLANK_LINE = "sdp.blank_line", Sdp, Info, "Empty lines",
        fix: "Remove the empty lines.";
}
