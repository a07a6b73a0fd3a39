//! The built-in session description: the capture's codec with its in-band parameter sets, and an optional
//! PCMU audio track.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rtspeek_core::codec::Codec;

use super::config::CameraConfig;
use super::source::Source;

/// The SDP for `source` as `config` describes it; control URLs `trackID=0` (video) and `trackID=1` (audio).
pub(super) fn builtin(source: &Source, config: &CameraConfig) -> String {
    let (family, origin, any) =
        if config.ipv6 { ("IP6", "::1", "::") } else { ("IP4", "127.0.0.1", "0.0.0.0") };
    let pt = source.payload_type;
    let mut lines = vec![
        "v=0".to_owned(),
        format!("o=- 1 1 IN {family} {origin}"),
        "s=rtspeek fault camera".to_owned(),
        "t=0 0".to_owned(),
        format!("a=tool:{}", super::SERVER),
        "a=type:broadcast".to_owned(),
        "a=control:*".to_owned(),
        "a=range:npt=now-".to_owned(),
        format!("m=video 0 RTP/AVP {pt}"),
        format!("c=IN {family} {any}"),
    ];
    let sets = &source.parameter_sets;
    let b64 = |nal: &Vec<u8>| STANDARD.encode(nal);
    let fmtp = match source.codec {
        Codec::H264 => {
            lines.push(format!("a=rtpmap:{pt} H264/90000"));
            let mut params = vec!["packetization-mode=1".to_owned()];
            let sps = sets.iter().find(|n| n.first().is_some_and(|b| b & 0x1F == 7));
            if let Some(ptl) = sps.and_then(|sps| sps.get(1..4)) {
                params.push(format!("profile-level-id={:02x}{:02x}{:02x}", ptl[0], ptl[1], ptl[2]));
            }
            if config.sdp.sprop && !sets.is_empty() {
                let list: Vec<String> = sets.iter().map(b64).collect();
                params.push(format!("sprop-parameter-sets={}", list.join(",")));
            }
            params
        }
        Codec::H265 => {
            lines.push(format!("a=rtpmap:{pt} H265/90000"));
            let mut params = Vec::new();
            if config.sdp.sprop {
                // VPS, SPS, PPS are NAL types 32, 33, 34 (type in bits 1-6 of the first byte).
                for (name, kind) in [("sprop-vps", 32), ("sprop-sps", 33), ("sprop-pps", 34)] {
                    if let Some(nal) =
                        sets.iter().find(|n| n.first().is_some_and(|b| (b >> 1) & 0x3F == kind))
                    {
                        params.push(format!("{name}={}", b64(nal)));
                    }
                }
            }
            params
        }
    };
    if !fmtp.is_empty() {
        lines.push(format!("a=fmtp:{pt} {}", fmtp.join(";")));
    }
    lines.push(format!("a=framerate:{}", 90_000 / source.frame_ticks.max(1)));
    lines.push("a=control:trackID=0".to_owned());
    if config.media.audio {
        lines.extend([
            "m=audio 0 RTP/AVP 0".to_owned(),
            format!("c=IN {family} {any}"),
            "a=rtpmap:0 PCMU/8000".to_owned(),
            "a=control:trackID=1".to_owned(),
        ]);
    }
    let end = if config.rtsp.bare_lf { "\n" } else { "\r\n" };
    let mut text = lines.join(end);
    text.push_str(end);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtspeek_core::Severity;

    #[test]
    fn builtin_descriptions_lint_clean() {
        for (codec, audio) in [(Codec::H264, false), (Codec::H264, true), (Codec::H265, false)] {
            let mut config = CameraConfig::default();
            config.media.codec = codec;
            config.media.audio = audio;
            let source = Source::load(codec, false, false).unwrap();
            let text = builtin(&source, &config);
            let check = rtspeek_core::sdp::check(text.as_bytes()).unwrap();
            let problems: Vec<_> = check.findings.iter().filter(|f| f.severity > Severity::Info).collect();
            assert!(problems.is_empty(), "{codec:?}: {problems:#?}\n{text}");
        }
    }
}
