//! The session description of a mount (RFC 4566, RFC 6184 / RFC 7798 format parameters).

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::codec::{Codec, VIDEO_CLOCK_RATE, h264, h265};

use super::mount::{Mount, VIDEO_CONTROL};
use super::srtp::OfferedKeys;

/// The SDP of `mount`, with `origin` (the server's address as the client reached it) in `o=`. The control
/// URLs are relative (`trackID=0`), resolved by clients against the Content-Base the DESCRIBE answer carries.
/// The media line is RTP/AVP: an SRTP mount's SDP, with its connection's keys, is the session's own.
pub fn describe(mount: &Mount, origin: IpAddr, tool: &str) -> String {
    describe_keyed(mount, origin, tool, None)
}

/// [`describe`], with the media line `RTP/SAVP` and the keys' attributes when `keys` are given.
pub(super) fn describe_keyed(
    mount: &Mount,
    origin: IpAddr,
    tool: &str,
    keys: Option<&OfferedKeys>,
) -> String {
    let family = if origin.is_ipv6() { "IP6" } else { "IP4" };
    let any = if family == "IP6" { "::" } else { "0.0.0.0" };
    let pt = mount.payload_type;
    let info = &mount.info;
    let mut sdp = String::with_capacity(512);
    let mut line = |l: &str| {
        sdp.push_str(l);
        sdp.push_str("\r\n");
    };
    line("v=0");
    line(&format!("o=- 1 1 IN {family} {origin}"));
    line(&format!("s={}", one_line(&mount.title)));
    line("t=0 0");
    line(&format!("a=tool:{}", one_line(tool)));
    line("a=type:broadcast");
    line("a=control:*");
    // `npt=0-` rather than `npt=now-`: FFmpeg reads `now` as the wall clock and offsets every timestamp by it.
    line("a=range:npt=0-");
    let profile = if keys.is_some() { "RTP/SAVP" } else { "RTP/AVP" };
    line(&format!("m=video 0 {profile} {pt}"));
    line(&format!("c=IN {family} {any}"));
    // Media level, where rtspsrc, live555 and FFmpeg look for them.
    if let Some(mikey) = keys.and_then(|k| k.mikey.as_deref()) {
        line(&format!("a=key-mgmt:mikey {mikey}"));
    }
    if let Some(crypto) = keys.and_then(|k| k.crypto.as_deref()) {
        line(&format!("a=crypto:{crypto}"));
    }
    let sets = &info.parameter_sets;
    let b64 = |nal: &Vec<u8>| STANDARD.encode(nal);
    match info.codec {
        Codec::H264 => {
            line(&format!("a=rtpmap:{pt} H264/{VIDEO_CLOCK_RATE}"));
            let mut params = vec!["packetization-mode=1".to_owned()];
            let is = |n: &&Vec<u8>, t: u8| n.first().is_some_and(|b| b & 0x1F == t);
            if let Some(&[_, profile, constraints, level, ..]) =
                sets.iter().find(|n| is(n, h264::nal_type::SPS)).map(Vec::as_slice)
            {
                params.push(format!("profile-level-id={profile:02x}{constraints:02x}{level:02x}"));
            }
            let sprop: Vec<String> = sets
                .iter()
                .filter(|n| is(n, h264::nal_type::SPS) || is(n, h264::nal_type::PPS))
                .map(b64)
                .collect();
            if !sprop.is_empty() {
                params.push(format!("sprop-parameter-sets={}", sprop.join(",")));
            }
            line(&format!("a=fmtp:{pt} {}", params.join(";")));
        }
        Codec::H265 => {
            line(&format!("a=rtpmap:{pt} H265/{VIDEO_CLOCK_RATE}"));
            let mut params = Vec::new();
            for (name, kind) in [
                ("sprop-vps", h265::nal_type::VPS),
                ("sprop-sps", h265::nal_type::SPS),
                ("sprop-pps", h265::nal_type::PPS),
            ] {
                if let Some(nal) = sets.iter().find(|n| n.first().is_some_and(|b| (b >> 1) & 0x3F == kind)) {
                    params.push(format!("{name}={}", b64(nal)));
                }
            }
            if !params.is_empty() {
                line(&format!("a=fmtp:{pt} {}", params.join(";")));
            }
        }
    }
    if info.frame_rate.is_finite() && info.frame_rate > 0.0 {
        line(&format!("a=framerate:{}", trim_rate(info.frame_rate)));
    }
    line(&format!("a=control:{VIDEO_CONTROL}"));
    sdp
}

/// A frame rate without needless decimals (`25`, `29.97`).
fn trim_rate(rate: f64) -> String {
    crate::decimal::trimmed(rate, 3)
}

/// Configuration text is free-form: a line break would end the SDP line and inject another.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}
