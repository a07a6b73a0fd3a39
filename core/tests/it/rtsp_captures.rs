//! Real traffic: every RTSP exchange captured from third-party peers in `tests/fixtures/rtsp/` (gst-rtsp-server
//! answering our capture client, ffprobe, GStreamer rtspsrc and FFmpeg; see that directory's README). Each
//! request and response parses as exactly one message, reads back identically after writing, and gives the
//! findings its name announces (404, 454, 455, 461, 405, rtsp:// URLs inside RTSPS) and no other.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::diagnose::codes::{self, CodeInfo};
use rtspeek_core::rtsp::check::check_response;
use rtspeek_core::rtsp::headers::RtpInfo;
use rtspeek_core::rtsp::writer::write_message;
use rtspeek_core::rtsp::{Message, Parsed, Parser, ParserConfig, QuirkPolicies, parse};

/// One captured exchange: name, request bytes, response bytes.
struct Capture {
    name: &'static str,
    request: &'static [u8],
    response: &'static [u8],
}

macro_rules! capture {
    ($name:literal) => {
        Capture {
            name: $name,
            request: include_bytes!(concat!("../../../tests/fixtures/rtsp/", $name, ".request.txt")),
            response: include_bytes!(concat!("../../../tests/fixtures/rtsp/", $name, ".txt")),
        }
    };
}

const CAPTURES: &[Capture] = &[
    capture!("ffmpeg-gst-announce-h264"),
    capture!("ffmpeg-gst-announce-h265"),
    capture!("ffmpeg-gst-options-h264"),
    capture!("ffmpeg-gst-options-h265"),
    capture!("ffmpeg-gst-record-h264"),
    capture!("ffmpeg-gst-record-h265"),
    capture!("ffmpeg-gst-setup-h264"),
    capture!("ffmpeg-gst-setup-h265"),
    capture!("ffmpeg-gst-teardown-h264"),
    capture!("ffmpeg-gst-teardown-h265"),
    capture!("ffprobe-gst-describe-h264"),
    capture!("ffprobe-gst-options-h264"),
    capture!("ffprobe-gst-play-h264"),
    capture!("ffprobe-gst-setup-h264"),
    capture!("ffprobe-gst-teardown-h264"),
    capture!("gst-announce-play-mount"),
    capture!("gst-describe-401-basic"),
    capture!("gst-describe-401-both"),
    capture!("gst-describe-401-digest"),
    capture!("gst-describe-401-digest-wrong-password"),
    capture!("gst-describe-404"),
    capture!("gst-describe-basic-authorized"),
    capture!("gst-describe-both-authorized"),
    capture!("gst-describe-digest-authorized"),
    capture!("gst-describe-h264"),
    capture!("gst-describe-h265"),
    capture!("gst-describe-openh264"),
    capture!("gst-describe-rtsps"),
    capture!("gst-get_parameter-h264"),
    capture!("gst-options-digest-no-credentials"),
    capture!("gst-options-h264"),
    capture!("gst-options-rtsps"),
    capture!("gst-pause-455-not-playing"),
    capture!("gst-pause-h264"),
    capture!("gst-play-454-bad-session"),
    capture!("gst-play-h264"),
    capture!("gst-play-h265"),
    capture!("gst-play-openh264"),
    capture!("gst-play-rtsps"),
    capture!("gst-record-405-play-mount"),
    capture!("gst-setup-461-tcp-on-udp-only"),
    capture!("gst-setup-digest-authorized"),
    capture!("gst-setup-h264-tcp"),
    capture!("gst-setup-h264-udp"),
    capture!("gst-setup-h265-tcp"),
    capture!("gst-setup-openh264-tcp"),
    capture!("gst-setup-rtsps"),
    capture!("gst-teardown-h264"),
    capture!("gst-teardown-rtsps"),
    capture!("rtspsrc-gst-describe-h264"),
    capture!("rtspsrc-gst-options-h264"),
    capture!("rtspsrc-gst-pause-h264"),
    capture!("rtspsrc-gst-play-h264"),
    capture!("rtspsrc-gst-setup-h264"),
    capture!("rtspsrc-gst-teardown-h264"),
];

/// Real peers follow the grammar strictly: parse with every quirk rejected.
fn strict() -> ParserConfig {
    ParserConfig { quirks: QuirkPolicies::STRICT, ..ParserConfig::default() }
}

/// Parses `bytes` as exactly one message and checks that writing it gives a message that parses the same.
fn one_message<'a>(name: &str, bytes: &'a [u8]) -> Message<'a> {
    let message = match parse(bytes, &strict()) {
        Ok(Parsed::Message(m, used)) if used == bytes.len() => m,
        other => panic!("{name}: {other:?}"),
    };
    let mut written = Vec::new();
    write_message(&message, &mut written).unwrap_or_else(|e| panic!("{name}: {e}"));
    match parse(&written, &strict()) {
        Ok(Parsed::Message(back, _)) => assert_eq!(back, message, "{name}"),
        other => panic!("{name} after writing: {other:?}"),
    }
    message
}

/// The finding a capture's name announces.
fn expected(name: &str) -> Vec<&'static CodeInfo> {
    let rules: &[(&str, &CodeInfo)] = &[
        ("-404", codes::RTSP_STATUS_NOT_FOUND),
        ("-405-", codes::RTSP_METHOD_NOT_ALLOWED),
        ("announce-play-mount", codes::RTSP_METHOD_NOT_ALLOWED),
        ("-454-", codes::RTSP_SESSION_NOT_FOUND),
        ("-455-", codes::RTSP_METHOD_NOT_VALID),
        ("-461-", codes::RTSP_UNSUPPORTED_TRANSPORT),
        // gst-rtsp-server writes rtsp:// in Content-Base (DESCRIBE) and RTP-Info (PLAY) whatever the transport.
        ("gst-describe-rtsps", codes::RTSP_SCHEME_DOWNGRADE),
        ("gst-play-rtsps", codes::RTSP_SCHEME_DOWNGRADE),
    ];
    rules.iter().filter(|(pattern, _)| name.contains(pattern)).map(|(_, code)| *code).collect()
}

#[test]
fn every_capture_parses_round_trips_and_gives_the_announced_findings() {
    for c in CAPTURES {
        let Message::Request(req) = one_message(c.name, c.request) else {
            panic!("{}: not a request", c.name)
        };
        let Message::Response(resp) = one_message(c.name, c.response) else {
            panic!("{}: not a response", c.name)
        };
        let tls = c.name.ends_with("-rtsps"); // Not `rtspsrc-*`: that is the GStreamer client, over TCP.
        let found: Vec<&str> =
            check_response(&req, &resp, tls).iter().map(|f| codes::lookup(&f.code).unwrap().code).collect();
        let want: Vec<&str> = expected(c.name).iter().map(|c| c.code).collect();
        assert_eq!(found, want, "{}", c.name);
    }
}

#[test]
fn interleaved_streams_never_appear_in_exchanges_and_bodies_are_whole() {
    let describe = CAPTURES.iter().find(|c| c.name == "gst-describe-h264").expect("capture present");
    let Message::Response(resp) = one_message(describe.name, describe.response) else { panic!() };
    assert!(resp.body.starts_with(b"v=0\r\n"));
    assert_eq!(
        resp.headers.get("content-length").map(|l| l.parse::<usize>().unwrap()),
        Some(resp.body.len())
    );
}

/// The TCP streams that followed PLAY (or FFmpeg's RECORD): `$`-framed packets only.
const INTERLEAVED: &[(&str, &[u8])] = &[
    ("gst-h264", include_bytes!("../../../tests/fixtures/rtp/gst-h264.interleaved")),
    ("gst-h265", include_bytes!("../../../tests/fixtures/rtp/gst-h265.interleaved")),
    ("gst-openh264", include_bytes!("../../../tests/fixtures/rtp/gst-openh264.interleaved")),
    ("ffmpeg-h264", include_bytes!("../../../tests/fixtures/rtp/ffmpeg-h264.interleaved")),
    ("ffmpeg-h265", include_bytes!("../../../tests/fixtures/rtp/ffmpeg-h265.interleaved")),
];

#[test]
fn media_after_play_is_all_interleaved_frames_and_matches_rtp_info() {
    for (name, stream) in INTERLEAVED {
        let mut parser = Parser::default();
        let mut rest = *stream;
        let mut frames = 0;
        while let Parsed::Message(m, _) = parser.feed(&mut rest).unwrap_or_else(|e| panic!("{name}: {e}")) {
            let Message::Interleaved(f) = m else { panic!("{name}: {m:?}") };
            assert!(f.channel <= 1, "{name}: channel {}", f.channel);
            frames += 1;
        }
        assert!(rest.is_empty() && frames > 10, "{name}: {frames} frames, {} bytes left", rest.len());
    }
    // The PLAY response and the media as one stream, the way a client reads them.
    let play = CAPTURES.iter().find(|c| c.name == "gst-play-h264").expect("capture present");
    let stream = [play.response, INTERLEAVED[0].1].concat();
    let mut parser = Parser::default();
    let mut rest = &stream[..];
    let Ok(Parsed::Message(Message::Response(resp), _)) = parser.feed(&mut rest) else { panic!() };
    let info = resp.headers.typed::<RtpInfo>().unwrap().unwrap();
    let Ok(Parsed::Message(Message::Interleaved(first), _)) = parser.feed(&mut rest) else { panic!() };
    assert_eq!(
        (first.channel, Some(u16::from_be_bytes([first.payload[2], first.payload[3]]))),
        (0, info.0[0].seq)
    );
}

/// The list above is the directory's content: a capture added later must be added here too.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_list_covers_the_capture_directory() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/rtsp");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/rtsp exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt") && !n.ends_with(".request.txt"))
        .map(|n| n.trim_end_matches(".txt").to_owned())
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = CAPTURES.iter().map(|c| c.name).collect();
    assert_eq!(on_disk, listed, "update CAPTURES in {}", file!());
}
