//! Media-level checks: is there anything to play, can each stream be addressed (control URLs), can each
//! payload type be identified (rtpmap, known codec), is SRTP offered; and the media facts.

use std::collections::{BTreeMap, BTreeSet};

use super::{at, at_line, at_lines, h26x, kind_name, truncated};
use crate::codec::Codec;
use crate::diagnose::codes;
use crate::diagnose::{Finding, Severity};
use crate::sdp::facts::{CodecFacts, MediaFacts, SpsFacts};
use crate::sdp::model::{Attribute, Line, LineKind, Media, Section, SessionDescription};
use crate::sdp::payload::{is_known_encoding, static_payload};
use crate::sdp::value::{Fmtp, Rtpmap};

/// The fmtp parameters kept in the facts are cut at this many characters: real ones are a few hundred, and
/// one fmtp line that many media sections fall back to must not be copied whole into each.
const MAX_FMTP_FACT_CHARS: usize = 1024;

/// Media sections a client sets up at most (and that the facts describe): cameras have a handful.
pub const MAX_MEDIA: usize = 8;

/// Runs the media checks and returns the media facts.
pub(super) fn check(sdp: &SessionDescription<'_>, out: &mut Vec<Finding>) -> Vec<MediaFacts> {
    let mut media: Vec<Media<'_, '_>> = sdp.media().collect();
    if let Some(first_ignored) = media.get(MAX_MEDIA) {
        let ignored = media.len() - MAX_MEDIA;
        let f = Finding::new(
            codes::SDP_TOO_MANY_MEDIA,
            format!(
                "the description announces {} media sections: only the first {MAX_MEDIA} are checked and set up, \
                 {ignored} ignored",
                media.len()
            ),
        )
        .with_evidence("media_sections", media.len().to_string())
        .with_evidence("ignored", ignored.to_string());
        out.push(at_line(f, first_ignored.line().number, first_ignored.line().text));
        media.truncate(MAX_MEDIA);
    }
    if media.is_empty() {
        out.push(
            Finding::new(codes::SDP_NO_MEDIA, "the description has no m= line: nothing to play")
                .with_evidence("lines", format!("{} lines, none of them m=", sdp.line_count())),
        );
        srtp(sdp, &media, out);
        return Vec::new();
    }
    if !media.iter().any(Media::is_video) {
        let mut kinds: Vec<&str> = Vec::new();
        for m in &media {
            if !kinds.contains(&m.media_type()) {
                kinds.push(m.media_type());
            }
        }
        let f = Finding::new(codes::SDP_NO_VIDEO, format!("no video media, only {}", kinds.join(", ")));
        out.push(at_lines(f, media.iter().map(|m| (m.line().number, m.line().text))));
    }
    controls(sdp, &media, out);
    srtp(sdp, &media, out);
    let mut seen = Seen::default();
    media.iter().map(|m| formats(sdp, m, &mut seen, out)).collect()
}

/// What was already checked, by line. A camera may put one rtpmap and fmtp before the `m=` lines, and several
/// media sections fall back to it: its findings are reported once, and its parameter sets decoded once.
#[derive(Default)]
struct Seen {
    /// H.264/H.265 checks by (the fmtp line, or the rtpmap line when there is none; codec), with the SPS facts.
    h26x: BTreeMap<(u32, Codec), Option<SpsFacts>>,
    /// rtpmap lines reported as an unknown codec.
    unknown: BTreeSet<u32>,
}

/// `a=control:` lines of a section that carry a URL.
fn control_lines<'a>(section: Section<'_, 'a>) -> Vec<Attribute<'a>> {
    section.attributes_named("control").filter(|a| a.value.is_some_and(|v| !v.is_empty())).collect()
}

/// Missing and duplicate control URLs.
fn controls(sdp: &SessionDescription<'_>, media: &[Media<'_, '_>], out: &mut Vec<Finding>) {
    let several = media.len() > 1;
    let session_controls = control_lines(sdp.session());
    if session_controls.len() > 1 {
        out.push(duplicate_in_section(sdp, "the session", &session_controls));
    }
    // Control URL -> m= line number of the media seen so far.
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for m in media {
        let line = m.line();
        let controls = control_lines(m.section());
        let Some(first) = controls.first() else {
            let f = Finding::new(
                codes::SDP_MISSING_CONTROL,
                format!("the {} media at line {} has no a=control", m.media_type(), line.number),
            );
            let f = if several {
                f.with_detail(
                    "With several media, clients SETUP each stream by its control URL; without one this stream \
                     cannot be addressed.",
                )
            } else {
                f.with_severity(Severity::Info).with_detail(
                    "With a single media section, clients fall back to the request URL (RFC 2326 C.1.1); most \
                     accept that.",
                )
            };
            out.push(at_line(f, line.number, line.text));
            continue;
        };
        if controls.len() > 1 {
            let place = format!("the {} media at line {}", m.media_type(), line.number);
            out.push(duplicate_in_section(sdp, &place, &controls));
        }
        let url = first.value.unwrap_or_default();
        match seen.get(url) {
            Some(&other) => {
                let f = Finding::new(
                    codes::SDP_DUPLICATE_CONTROL,
                    format!("media at lines {other} and {} share the control URL {url:?}", line.number),
                )
                .with_detail("A SETUP for one of them sets up the other; the second stream never plays.");
                let f = at(f, sdp, other);
                out.push(at(at_line(f, line.number, line.text), sdp, first.line));
            }
            None => {
                seen.insert(url, line.number);
            }
        }
    }
}

/// Several `a=control:` lines in one section.
fn duplicate_in_section(sdp: &SessionDescription<'_>, place: &str, controls: &[Attribute<'_>]) -> Finding {
    let f = Finding::new(
        codes::SDP_DUPLICATE_CONTROL,
        format!("{place} has {} a=control lines; clients disagree on which one counts", controls.len()),
    )
    .with_severity(Severity::Warning);
    at_lines(f, controls.iter().filter_map(|c| sdp.line(c.line)).map(|l| (l.number, l.text)))
}

/// Lines that carry SRTP keys: `k=`, `a=crypto:`, `a=key-mgmt:`.
fn key_lines<'s, 'a>(section: Section<'s, 'a>) -> Vec<&'s Line<'a>> {
    section
        .lines()
        .iter()
        .filter(|l| {
            l.kind == LineKind::Key
                || (l.kind == LineKind::Attribute && {
                    let a = Attribute::of(l);
                    a.is("crypto") || a.is("key-mgmt")
                })
        })
        .collect()
}

/// Secure RTP offered: a `SAVP` profile (warning), or key material alongside plain `RTP/AVP` (info).
fn srtp(sdp: &SessionDescription<'_>, media: &[Media<'_, '_>], out: &mut Vec<Finding>) {
    let session_keys = key_lines(sdp.session());
    let mut reported = false;
    for m in media {
        let keys = key_lines(m.section());
        let secure = m.media_line().is_srtp();
        if !secure && keys.is_empty() {
            continue;
        }
        let line = m.line();
        let f = if secure {
            Finding::new(
                codes::SDP_SRTP_OFFERED,
                format!(
                    "the {} media at line {} uses {}: many RTSP clients play only RTP/AVP",
                    m.media_type(),
                    line.number,
                    m.proto()
                ),
            )
        } else {
            Finding::new(
                codes::SDP_SRTP_OFFERED,
                format!(
                    "the {} media at line {} carries SRTP key material but uses {}: clients ignore the keys",
                    m.media_type(),
                    line.number,
                    m.proto()
                ),
            )
            .with_severity(Severity::Info)
        };
        let f = at_line(f, line.number, line.text);
        out.push(at_lines(f, session_keys.iter().chain(&keys).map(|k| (k.number, k.text))));
        reported = true;
    }
    if !reported && let Some(first) = session_keys.first() {
        let f = Finding::new(
            codes::SDP_SRTP_OFFERED,
            format!(
                "the session carries SRTP key material ({}) but no media uses SRTP",
                kind_name(first.kind)
            ),
        )
        .with_severity(Severity::Info);
        out.push(at_lines(f, session_keys.iter().map(|k| (k.number, k.text))));
    }
}

/// Checks every payload type of a media section and returns its facts.
fn formats(
    sdp: &SessionDescription<'_>,
    m: &Media<'_, '_>,
    seen: &mut Seen,
    out: &mut Vec<Finding>,
) -> MediaFacts {
    let line = m.line();
    let section = m.section();
    let mut codecs = Vec::new();
    if m.media_line().is_rtp() {
        let table = PayloadTable::of(sdp, m);
        let mut listed = [false; 128];
        for pt in m.payload_types() {
            // A payload type listed twice is checked once.
            if listed.get_mut(usize::from(pt & 0x7f)).is_some_and(|seen| !std::mem::replace(seen, true)) {
                codecs.push(payload(sdp, m, pt, &table, seen, out));
            }
        }
    }
    MediaFacts {
        line: line.number,
        media: m.media_type().to_owned(),
        proto: m.proto().to_owned(),
        control: m.control().map(str::to_owned),
        direction: m.direction().as_str().to_owned(),
        bandwidth: section.bandwidths().map(|b| format!("{}:{}", b.kind, b.value)).collect(),
        framerate: section.attribute_value("framerate").map(str::to_owned),
        dimensions: section.x_dimensions().map(|d| format!("{}x{}", d.width, d.height)),
        codecs,
    }
}

/// The rtpmap and fmtp of every payload type of a media section, looked up in one pass (a section may list
/// many payload types): the media's own first, else one before the `m=` line, as [`Media::rtpmap`] does.
struct PayloadTable<'a> {
    rtpmap: [Option<Rtpmap<'a>>; 128],
    fmtp: [Option<Fmtp<'a>>; 128],
}

impl<'a> PayloadTable<'a> {
    fn of(sdp: &SessionDescription<'a>, m: &Media<'_, 'a>) -> Self {
        let mut table = PayloadTable { rtpmap: [None; 128], fmtp: [None; 128] };
        for section in [m.section(), sdp.session()] {
            for r in section.rtpmaps() {
                if let Some(slot) = table.rtpmap.get_mut(usize::from(r.payload_type & 0x7f)) {
                    slot.get_or_insert(r);
                }
            }
            for f in section.fmtps() {
                if let Some(slot) = table.fmtp.get_mut(usize::from(f.payload_type & 0x7f)) {
                    slot.get_or_insert(f);
                }
            }
        }
        table
    }

    // `pt & 0x7f` is below 128, the tables' length: the lookups always land.
    fn rtpmap(&self, pt: u8) -> Option<Rtpmap<'a>> {
        self.rtpmap.get(usize::from(pt & 0x7f)).copied().flatten()
    }

    fn fmtp(&self, pt: u8) -> Option<Fmtp<'a>> {
        self.fmtp.get(usize::from(pt & 0x7f)).copied().flatten()
    }
}

/// Checks one payload type: rtpmap, codec, and the H.264/H.265 parameters.
fn payload(
    sdp: &SessionDescription<'_>,
    m: &Media<'_, '_>,
    pt: u8,
    table: &PayloadTable<'_>,
    seen: &mut Seen,
    out: &mut Vec<Finding>,
) -> CodecFacts {
    let line = m.line();
    let fmtp = table.fmtp(pt);
    let mut facts = CodecFacts {
        payload_type: pt,
        encoding: String::new(),
        clock_rate: None,
        channels: None,
        fmtp: fmtp.map(|f| truncated(f.params, MAX_FMTP_FACT_CHARS)),
        sps: None,
    };
    let Some(rtpmap) = table.rtpmap(pt) else {
        match static_payload(pt) {
            Some(s) => {
                facts.encoding = s.encoding.to_owned();
                facts.clock_rate = Some(s.clock_rate);
                facts.channels = s.channels;
            }
            None => {
                let why = if pt >= 96 {
                    "it is a dynamic type, so clients cannot tell its codec".to_owned()
                } else {
                    format!("{pt} is not a static type of RFC 3551, so clients cannot tell its codec")
                };
                let f = Finding::new(
                    codes::SDP_MISSING_RTPMAP,
                    format!("payload type {pt} of the {} media has no a=rtpmap: {why}", m.media_type()),
                );
                out.push(at_line(f, line.number, line.text));
            }
        }
        return facts;
    };
    facts.encoding = rtpmap.encoding.to_owned();
    facts.clock_rate = Some(rtpmap.clock_rate);
    facts.channels = rtpmap.channels;
    let codec = if rtpmap.is("H264") {
        Some(Codec::H264)
    } else if rtpmap.is("H265") {
        Some(Codec::H265)
    } else {
        None
    };
    if let Some(codec) = codec {
        let key = (fmtp.map_or(rtpmap.line, |f| f.line), codec);
        facts.sps = match seen.h26x.get(&key) {
            Some(sps) => sps.clone(),
            None => {
                let sps = h26x::check(sdp, codec, &rtpmap, fmtp, out);
                seen.h26x.insert(key, sps.clone());
                sps
            }
        };
    } else if !is_known_encoding(rtpmap.encoding) && seen.unknown.insert(rtpmap.line) {
        let hint = if rtpmap.is("HEVC") { " (the RTP name of H.265 is H265)" } else { "" };
        let f = Finding::new(
            codes::SDP_UNKNOWN_CODEC,
            format!(
                "payload type {pt} of the {} media is {:?}, a codec common clients do not know{hint}",
                m.media_type(),
                rtpmap.encoding
            ),
        );
        // Unknown metadata or data formats do not stop anyone watching the video.
        let audiovisual = m.is_video() || m.media_type().eq_ignore_ascii_case("audio");
        let f = if audiovisual { f } else { f.with_severity(Severity::Info) };
        out.push(at(f, sdp, rtpmap.line));
    }
    facts
}
