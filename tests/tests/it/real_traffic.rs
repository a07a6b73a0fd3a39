//! The whole receive path of the probe over real captured traffic (tests/fixtures, from gst-rtsp-server,
//! FFmpeg and OpenH264; see tests/fixtures/README.md): the SDP is linted and its parameter sets decoded, the
//! interleaved byte stream is split by the RTSP parser, RTP goes through the RFC 3550 receiver and the
//! depacketizer, access units through the codec analyzer. Every layer must agree with what the encoders were
//! told to produce (320x180, 25 fps, a keyframe every 25 frames) and find nothing wrong.

use std::path::Path;
use std::time::Duration;

use rtspeek_core::Severity;
use rtspeek_core::codec::{Codec, Depacketizer, StreamAnalyzer};
use rtspeek_core::rtp::{Receiver, ReceiverConfig};
use rtspeek_core::rtsp::{Message, Parsed, Parser, ParserConfig};
use rtspeek_core::sdp;

struct Capture {
    interleaved: &'static str,
    sdp: &'static str,
    codec: Codec,
    rtp_packets: u64,
    access_units: u64,
    /// Whether the stream carries SPS/PPS in band (FFmpeg over RTSP sends them only in the SDP).
    in_band_parameter_sets: bool,
}

const CAPTURES: &[Capture] = &[
    Capture {
        interleaved: "gst-h264",
        sdp: "gst-h264",
        codec: Codec::H264,
        rtp_packets: 199,
        access_units: 62,
        in_band_parameter_sets: true,
    },
    Capture {
        interleaved: "gst-h265",
        sdp: "gst-h265",
        codec: Codec::H265,
        rtp_packets: 78,
        access_units: 62,
        in_band_parameter_sets: true,
    },
    Capture {
        interleaved: "gst-openh264",
        sdp: "gst-openh264",
        codec: Codec::H264,
        rtp_packets: 72,
        access_units: 62,
        in_band_parameter_sets: true,
    },
    Capture {
        interleaved: "ffmpeg-h264",
        sdp: "ffmpeg-announce-h264",
        codec: Codec::H264,
        rtp_packets: 89,
        access_units: 75,
        in_band_parameter_sets: false,
    },
    Capture {
        interleaved: "ffmpeg-h265",
        sdp: "ffmpeg-announce-h265",
        codec: Codec::H265,
        rtp_packets: 88,
        access_units: 75,
        in_band_parameter_sets: false,
    },
];

fn fixture(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The SDP's parameter sets for the first video media, decoded from sprop.
fn sdp_parameter_sets(text: &str, codec: Codec) -> Vec<Vec<u8>> {
    let description = sdp::parse(text).expect("fixture SDP parses");
    let video = description.media().find(|m| m.is_video()).expect("a video media");
    let pt = video.payload_types().next().expect("a payload type");
    let fmtp = video.fmtp(pt).expect("fmtp");
    let keys: &[&str] = match codec {
        Codec::H264 => &["sprop-parameter-sets"],
        Codec::H265 => &["sprop-vps", "sprop-sps", "sprop-pps"],
    };
    keys.iter()
        .filter_map(|k| fmtp.get(k))
        .flat_map(|value| sdp::sprop::decode_list(value).map(|(_, nal)| nal.expect("sprop decodes")))
        .collect()
}

#[test]
fn every_capture_goes_through_every_layer_cleanly() {
    for c in CAPTURES {
        let name = c.interleaved;
        let sdp_bytes = fixture(&format!("sdp/{}.sdp", c.sdp));
        let check = sdp::check(&sdp_bytes).unwrap_or_else(|e| panic!("{name}: SDP: {e}"));
        let sdp_problems: Vec<_> = check.findings.iter().filter(|f| f.severity > Severity::Info).collect();
        assert!(sdp_problems.is_empty(), "{name}: SDP findings {sdp_problems:#?}");
        let sdp_text = String::from_utf8(sdp_bytes).expect("UTF-8 SDP");
        let sprop = sdp_parameter_sets(&sdp_text, c.codec);
        assert!(!sprop.is_empty(), "{name}: the SDP announces parameter sets");
        let sprop_refs: Vec<&[u8]> = sprop.iter().map(Vec::as_slice).collect();

        let mut receiver = Receiver::new(ReceiverConfig::new(90_000), Duration::ZERO);
        let mut depacketizer = Depacketizer::new(c.codec);
        let mut analyzer = StreamAnalyzer::new(c.codec, 90_000, &sprop_refs);
        let mut parser = Parser::new(ParserConfig::default());
        let stream = fixture(&format!("rtp/{name}.interleaved"));
        let mut rest: &[u8] = &stream;
        let (mut rtp, mut rtcp, mut first_ts, mut last_at) = (0u64, 0u64, None, Duration::ZERO);
        while !rest.is_empty() {
            let frame = match parser.feed(&mut rest) {
                Ok(Parsed::Message(Message::Interleaved(frame), _)) => frame,
                Ok(other) => panic!("{name}: expected only interleaved frames, got {other:?}"),
                Err(e) => panic!("{name}: {e}"),
            };
            if frame.channel % 2 == 1 {
                receiver
                    .receive_rtcp(&frame.payload, last_at)
                    .unwrap_or_else(|e| panic!("{name}: RTCP: {e}"));
                rtcp += 1;
                continue;
            }
            let packet =
                rtspeek_core::rtp::parse(&frame.payload).unwrap_or_else(|e| panic!("{name}: RTP: {e}"));
            let base = *first_ts.get_or_insert(packet.timestamp());
            // Arrival is paced by the stream's own clock (the captures carry no arrival times).
            let at =
                Duration::from_micros(u64::from(packet.timestamp().wrapping_sub(base)) * 1_000_000 / 90_000);
            last_at = at;
            receiver.receive_rtp(&frame.payload, at).expect("parsed once already");
            depacketizer.push(packet.sequence(), packet.timestamp(), packet.marker(), packet.payload());
            while let Some(au) = depacketizer.pop() {
                analyzer.access_unit(&au);
            }
            rtp += 1;
        }
        depacketizer.flush();
        while let Some(au) = depacketizer.pop() {
            analyzer.access_unit(&au);
        }
        assert_eq!(rtp, c.rtp_packets, "{name}: RTP packets");
        assert!(rtcp >= 1, "{name}: the capture holds an RTCP sender report");

        let end = Duration::from_millis(3_100);
        let stream_summary = receiver.summary(end);
        assert_eq!(stream_summary.malformed_rtp, 0, "{name}");
        let media_findings: Vec<_> =
            receiver.assess(end).into_iter().filter(|f| f.severity > Severity::Info).collect();
        assert!(media_findings.is_empty(), "{name}: RTP/RTCP findings {media_findings:#?}");

        let summary = analyzer.summary();
        let sps = summary.sps.as_ref().unwrap_or_else(|| panic!("{name}: no SPS"));
        assert_eq!((sps.width, sps.height), (320, 180), "{name}: resolution after cropping");
        assert_eq!(summary.gop.frames, c.access_units, "{name}: access units");
        assert!(summary.gop.keyframes >= 2, "{name}: keyframes every 25 frames");
        assert_eq!(summary.damaged_access_units, 0, "{name}");
        let codec_string = summary.codec_string.as_deref().unwrap_or_default();
        let prefix = match c.codec {
            Codec::H264 => "avc1.",
            Codec::H265 if c.in_band_parameter_sets => "hev1.",
            Codec::H265 => "hvc1.",
        };
        assert!(codec_string.starts_with(prefix), "{name}: codec string {codec_string}");
        let codec_problems: Vec<_> =
            analyzer.findings(&depacketizer).into_iter().filter(|f| f.severity > Severity::Info).collect();
        assert!(codec_problems.is_empty(), "{name}: codec findings {codec_problems:#?}");
    }
}
