//! The SDP parser through its public API: every line type kept, sections, typed accessors, every tolerated
//! quirk recorded with its line number and text, and the errors for input that is not SDP at all.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::sdp::{
    Direction, IssueKind, LineKind, MAX_SDP_LEN, SdpError, SdpText, SessionDescription, parse,
};

/// Joins lines with CRLF (and ends with one), as servers send them.
fn crlf(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

/// The kinds of the issues, in order.
fn issue_kinds(sdp: &SessionDescription<'_>) -> Vec<IssueKind> {
    sdp.issues().iter().map(|i| i.kind).collect()
}

/// The issues of `kind` as (line, text).
fn issues_of(sdp: &SessionDescription<'_>, kind: IssueKind) -> Vec<(u32, String)> {
    sdp.issues().iter().filter(|i| i.kind == kind).map(|i| (i.line, i.text.to_owned())).collect()
}

const EVERY_LINE_TYPE: &[&str] = &[
    "v=0",
    "o=jdoe 2890844526 2890842807 IN IP4 192.0.2.10",
    "s=SDP Seminar",
    "i=A Seminar on the session description protocol",
    "u=http://www.example.com/seminars/sdp.pdf",
    "e=j.doe@example.com (Jane Doe)",
    "p=+1 617 555-6011",
    "c=IN IP4 233.252.0.1/127",
    "b=CT:1000",
    "t=2873397496 2873404696",
    "r=7d 1h 0 25h",
    "z=2882844526 -1h 2898848070 0",
    "k=prompt",
    "a=recvonly",
    "m=audio 49170 RTP/AVP 0",
    "i=the audio",
    "c=IN IP4 233.252.0.2/127",
    "b=AS:64",
    "k=prompt",
    "a=control:trackID=1",
    "m=video 51372/2 RTP/AVP 99 100",
    "a=rtpmap:99 h263-1998/90000",
    "a=rtpmap:100 H264/90000",
];

#[test]
fn every_line_type_is_kept_in_order_with_its_value() {
    let text = crlf(EVERY_LINE_TYPE);
    let sdp = parse(&text).expect("parses");
    assert!(sdp.issues().is_empty(), "{:?}", sdp.issues());
    let letters: String = sdp.lines().iter().filter_map(|l| l.kind.letter()).collect();
    assert_eq!(letters, "vosiuepcbtrzkamicbkamaa");
    for (i, line) in sdp.lines().iter().enumerate() {
        assert_eq!(line.number as usize, i + 1);
        assert_eq!(line.text, EVERY_LINE_TYPE[i]);
        assert_eq!(line.value, &EVERY_LINE_TYPE[i][2..]);
    }
    assert_eq!(sdp.line_count(), 23);
    assert_eq!(sdp.version(), Some("0"));
    let origin = sdp.origin().expect("origin");
    assert_eq!(
        (origin.username, origin.session_id, origin.session_version),
        ("jdoe", "2890844526", "2890842807")
    );
    assert_eq!((origin.net_type, origin.addr_type, origin.address), ("IN", "IP4", "192.0.2.10"));
    assert_eq!(sdp.session_name(), Some("SDP Seminar"));
    assert_eq!(sdp.session().information(), Some("A Seminar on the session description protocol"));
    assert_eq!(sdp.uri(), Some("http://www.example.com/seminars/sdp.pdf"));
    assert_eq!(sdp.emails().collect::<Vec<_>>(), ["j.doe@example.com (Jane Doe)"]);
    assert_eq!(sdp.phones().collect::<Vec<_>>(), ["+1 617 555-6011"]);
    let c = sdp.session().connections().next().expect("c=");
    assert_eq!((c.net_type, c.addr_type, c.address), ("IN", "IP4", "233.252.0.1/127"));
    let b = sdp.session().bandwidths().next().expect("b=");
    assert_eq!((b.kind, b.value), ("CT", 1000));
    let t = sdp.timings().next().expect("t=");
    assert_eq!((t.start, t.stop), (2873397496, 2873404696));
    assert_eq!(sdp.repeats().collect::<Vec<_>>(), ["7d 1h 0 25h"]);
    assert_eq!(sdp.time_zones(), Some("2882844526 -1h 2898848070 0"));
    assert_eq!(sdp.session().key(), Some("prompt"));
    assert_eq!(sdp.session().direction(), Some(Direction::RecvOnly));

    let media: Vec<_> = sdp.media().collect();
    assert_eq!(media.len(), 2);
    let audio = &media[0];
    assert_eq!((audio.index(), audio.line().number, audio.media_type()), (0, 15, "audio"));
    assert_eq!(audio.media_line().port, Some(49170));
    assert_eq!(audio.proto(), "RTP/AVP");
    assert_eq!(audio.payload_types().collect::<Vec<_>>(), [0]);
    assert_eq!(audio.section().information(), Some("the audio"));
    assert_eq!(audio.section().bandwidths().next().map(|b| b.value), Some(64));
    assert_eq!(audio.section().connections().next().map(|c| c.address), Some("233.252.0.2/127"));
    assert_eq!(audio.section().key(), Some("prompt"));
    assert_eq!(audio.control(), Some("trackID=1"));
    // No own direction attribute: the session's applies.
    assert_eq!(audio.direction(), Direction::RecvOnly);
    let video = &media[1];
    assert_eq!(video.media_line().port_count, Some(2));
    assert_eq!(video.formats().collect::<Vec<_>>(), ["99", "100"]);
    let h263 = video.rtpmap(99).expect("rtpmap 99");
    assert!(h263.is("H263-1998") && h263.clock_rate == 90000 && h263.line == 22);
    assert_eq!(video.section().rtpmaps().count(), 2);
    assert_eq!(video.section().lines().len(), 3);
    assert_eq!(sdp.session().lines().len(), 14);
}

/// A typical camera description: one H.264 video with parameter sets, one AAC audio.
const CAMERA: &str = "v=0\r\n\
o=- 1109162014219182 1109162014219192 IN IP4 192.0.2.64\r\n\
s=Media Presentation\r\n\
e=NONE\r\n\
b=AS:5050\r\n\
t=0 0\r\n\
a=control:rtsp://192.0.2.64/h264/ch1/main/av_stream/\r\n\
a=range:npt=now-\r\n\
m=video 0 RTP/AVP 96\r\n\
c=IN IP4 0.0.0.0\r\n\
b=AS:5000\r\n\
a=recvonly\r\n\
a=x-dimensions:1920,1080\r\n\
a=framerate:25.000000\r\n\
a=control:rtsp://192.0.2.64/h264/ch1/main/av_stream/trackID=1\r\n\
a=rtpmap:96 H264/90000\r\n\
a=fmtp:96 profile-level-id=640028; Packetization-Mode=1; sprop-parameter-sets=Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY,aOvjyyLA\r\n\
m=audio 0 RTP/AVP 97\r\n\
c=IN IP4 0.0.0.0\r\n\
b=AS:50\r\n\
a=sendonly\r\n\
a=control:rtsp://192.0.2.64/h264/ch1/main/av_stream/trackID=2\r\n\
a=rtpmap:97 MPEG4-GENERIC/16000/1\r\n\
a=fmtp:97 streamtype=5;profile-level-id=15;mode=AAC-hbr;config=1408;sizelength=13;indexlength=3;indexdeltalength=3\r\n";

#[test]
fn typed_accessors_of_a_camera_description() {
    let sdp = parse(CAMERA).expect("parses");
    assert!(sdp.issues().is_empty(), "{:?}", sdp.issues());
    assert_eq!(sdp.session().control(), Some("rtsp://192.0.2.64/h264/ch1/main/av_stream/"));
    let range = sdp.session().range().expect("range");
    assert_eq!((range.unit, range.start, range.end), ("npt", "now", None));

    let mut media = sdp.media();
    let video = media.next().expect("video");
    assert!(video.is_video());
    assert_eq!(video.control(), Some("rtsp://192.0.2.64/h264/ch1/main/av_stream/trackID=1"));
    assert_eq!(video.direction(), Direction::RecvOnly);
    let dims = video.section().x_dimensions().expect("x-dimensions");
    assert_eq!((dims.width, dims.height), (1920, 1080));
    assert_eq!(video.section().framerate(), Some(25.0));
    let rtpmap = video.rtpmap(96).expect("rtpmap");
    assert_eq!(
        (rtpmap.payload_type, rtpmap.encoding, rtpmap.clock_rate, rtpmap.channels),
        (96, "H264", 90000, None)
    );
    let fmtp = video.fmtp(96).expect("fmtp");
    assert_eq!(fmtp.payload_type, 96);
    // Keys are case-insensitive; values keep the base64 padding and commas.
    assert_eq!(fmtp.get("packetization-mode"), Some("1"));
    assert_eq!(fmtp.get("PROFILE-LEVEL-ID"), Some("640028"));
    assert_eq!(fmtp.get("sprop-parameter-sets"), Some("Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY,aOvjyyLA"));
    assert_eq!(fmtp.get("missing"), None);
    assert_eq!(fmtp.params().count(), 3);

    let audio = media.next().expect("audio");
    assert!(!audio.is_video());
    assert_eq!(audio.direction(), Direction::SendOnly);
    let rtpmap = audio.rtpmap(97).expect("rtpmap");
    assert_eq!((rtpmap.encoding, rtpmap.clock_rate, rtpmap.channels), ("MPEG4-GENERIC", 16000, Some(1)));
    assert_eq!(audio.fmtp(97).and_then(|f| f.get("config")), Some("1408"));
    assert!(audio.rtpmap(96).is_none(), "the video's rtpmap does not leak into the audio");
    assert!(media.next().is_none());
}

#[test]
fn values_borrow_the_input() {
    let sdp = parse(CAMERA).expect("parses");
    let range = CAMERA.as_ptr() as usize..CAMERA.as_ptr() as usize + CAMERA.len();
    for line in sdp.lines() {
        assert!(range.contains(&(line.value.as_ptr() as usize)), "{line:?} is a copy");
    }
    let control = sdp.media().next().and_then(|m| m.control()).expect("control");
    assert!(range.contains(&(control.as_ptr() as usize)));
}

#[test]
fn srtp_keys_and_direction_default() {
    let text = crlf(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.1",
        "s=-",
        "t=0 0",
        "m=video 0 RTP/SAVP 96",
        "a=rtpmap:96 H264/90000",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32 KDR=1",
        "a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyO",
    ]);
    let sdp = parse(&text).expect("parses");
    let video = sdp.media().next().expect("video");
    assert!(video.media_line().is_srtp() && video.media_line().is_rtp());
    let crypto = video.section().crypto().next().expect("crypto");
    assert_eq!((crypto.line, crypto.tag, crypto.suite), (7, 1, "AES_CM_128_HMAC_SHA1_80"));
    assert!(crypto.key_params.starts_with("inline:"));
    assert_eq!(crypto.session_params, Some("KDR=1"));
    let mikey = video.section().key_mgmt().next().expect("key-mgmt");
    assert_eq!((mikey.line, mikey.protocol, mikey.data), (8, "mikey", "AQAFgM0XflABAAAAAAAAAAAAAAsAyO"));
    assert_eq!(video.direction(), Direction::SendRecv, "RFC 8866 default");
}

// ---- Quirks: tolerated, recorded with line number and text. ----

#[test]
fn bare_lf_and_mixed_endings_are_counted_once() {
    let sdp = parse("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=x\nt=0 0\n").expect("parses");
    assert_eq!(issue_kinds(&sdp), [IssueKind::BareLf { lf_lines: 4, crlf_lines: 0 }]);
    assert_eq!(sdp.issues()[0].line, 1);

    let sdp = parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=x\nt=0 0\r\n").expect("parses");
    assert_eq!(issue_kinds(&sdp), [IssueKind::BareLf { lf_lines: 1, crlf_lines: 3 }]);
    assert_eq!((sdp.issues()[0].line, sdp.issues()[0].text), (3, "s=x"));
    assert_eq!(sdp.session_name(), Some("x"));

    // Extra line endings after the last line (as tools that print a description add) are not counted.
    let sdp = parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=x\r\nt=0 0\r\n\n\n").expect("parses");
    assert_eq!(issue_kinds(&sdp), []);
    assert_eq!(sdp.line_count(), 6);
}

#[test]
fn whitespace_and_blank_lines() {
    let text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns= \r\n\r\nt=0 0  \r\n   \r\n\ta=control:*\r\nm=video 0 RTP/AVP 26\r\n\r\n";
    let sdp = parse(text).expect("parses");
    // `s= ` is what RFC 8866 recommends for no name: not trailing whitespace.
    assert_eq!(sdp.session_name(), Some(""));
    assert_eq!(issues_of(&sdp, IssueKind::TrailingWhitespace), [(5, "t=0 0  ".to_owned())]);
    // The empty line 9 only ends the body: not recorded.
    assert_eq!(issues_of(&sdp, IssueKind::BlankLine), [(4, String::new()), (6, "   ".to_owned())]);
    assert_eq!(issues_of(&sdp, IssueKind::LeadingWhitespace), [(7, "\ta=control:*".to_owned())]);
    // Tolerated: the indented line still counts, trimmed.
    assert_eq!(sdp.session().control(), Some("*"));
    assert_eq!(sdp.timings().next().map(|t| t.stop), Some(0));
    assert_eq!(sdp.line_count(), 9);
    // A CR doubled before the LF is trailing whitespace too.
    let sdp = parse("v=0\r\r\ns=x\r\n").expect("parses");
    assert_eq!(issues_of(&sdp, IssueKind::TrailingWhitespace), [(1, "v=0\r".to_owned())]);
    assert_eq!(sdp.version(), Some("0"));
}

#[test]
fn missing_or_late_version_and_required_lines() {
    let sdp = parse("s=cam\r\nm=video 0 RTP/AVP 26\r\n").expect("parses");
    assert_eq!(issues_of(&sdp, IssueKind::MissingVersion), [(1, "s=cam".to_owned())]);
    assert_eq!(issues_of(&sdp, IssueKind::MissingLine(LineKind::Origin)), [(0, String::new())]);
    assert_eq!(issues_of(&sdp, IssueKind::MissingLine(LineKind::Timing)), [(0, String::new())]);
    assert!(issues_of(&sdp, IssueKind::MissingLine(LineKind::SessionName)).is_empty());

    let sdp = parse("o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\nt=0 0\r\n").expect("parses");
    assert_eq!(issues_of(&sdp, IssueKind::VersionNotFirst), [(2, "v=0".to_owned())]);
    assert_eq!(issues_of(&sdp, IssueKind::MissingLine(LineKind::SessionName)), [(0, String::new())]);
    assert!(issues_of(&sdp, IssueKind::MissingVersion).is_empty());

    let sdp = parse("v=1\r\ns=x\r\n").expect("parses");
    assert_eq!(
        issues_of(&sdp, IssueKind::BadValue("only SDP version 0 exists (v=0)")),
        [(1, "v=1".to_owned())]
    );
}

#[test]
fn order_level_and_duplicates() {
    let text = crlf(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.1",
        "a=control:*",
        "s=cam",
        "t=0 0",
        "s=again",
        "m=video 0 RTP/AVP 96",
        "a=rtpmap:96 H264/90000",
        "c=IN IP4 0.0.0.0",
        "t=0 0",
        "i=one",
        "i=two",
    ]);
    let sdp = parse(&text).expect("parses");
    let order: Vec<_> = sdp
        .issues()
        .iter()
        .filter_map(|i| match i.kind {
            IssueKind::OutOfOrder { after } => Some((i.line, after)),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        [
            (4, LineKind::Attribute),
            (5, LineKind::Attribute),
            (6, LineKind::Attribute),
            (9, LineKind::Attribute),
            (11, LineKind::Attribute),
            (12, LineKind::Attribute)
        ]
    );
    assert_eq!(issues_of(&sdp, IssueKind::Duplicate), [(6, "s=again".to_owned()), (12, "i=two".to_owned())]);
    assert_eq!(issues_of(&sdp, IssueKind::SessionLineInMedia), [(10, "t=0 0".to_owned())]);
    // The first s= counts.
    assert_eq!(sdp.session_name(), Some("cam"));
}

#[test]
fn unknown_types_and_lines_that_are_not_sdp() {
    let text = crlf(&["v=0", "s=cam", "x=extension", "Q=upper", "this is not sdp", "=0", "t=0 0"]);
    let sdp = parse(&text).expect("parses");
    assert_eq!(
        issues_of(&sdp, IssueKind::UnknownType),
        [(3, "x=extension".to_owned()), (4, "Q=upper".to_owned())]
    );
    assert_eq!(
        issues_of(&sdp, IssueKind::NotATypeLine),
        [(5, "this is not sdp".to_owned()), (6, "=0".to_owned())]
    );
    let kinds: Vec<_> = sdp.lines().iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            LineKind::Version,
            LineKind::SessionName,
            LineKind::Unknown('x'),
            LineKind::Unknown('Q'),
            LineKind::Malformed,
            LineKind::Malformed,
            LineKind::Timing
        ]
    );
    assert_eq!(sdp.line(5).map(|l| l.value), Some("this is not sdp"));
}

#[test]
fn values_that_do_not_follow_the_grammar() {
    let cases: &[(&str, &str)] = &[
        ("o=- 1 IN IP4 192.0.2.1", "origin needs 6 fields: user id version IN IP4 address"),
        ("c=IN IP4", "connection needs 3 fields: IN IP4 address"),
        ("c=IN IPX 192.0.2.1", "connection address type is neither IP4 nor IP6"),
        ("b=AS", "bandwidth needs <type>:<number>"),
        ("b=AS:lots", "bandwidth is not a number"),
        ("t=0", "timing needs 2 numbers: start stop"),
        ("t=now 0", "timing is not two numbers"),
        ("a=:x", "attribute has no name"),
        ("a=control:", "control URL is empty"),
        ("a=range:0-", "range needs <unit>=<start>-<end>"),
        ("a=range:npt=5", "range has no '-'"),
        ("a=framerate:fast", "framerate is not a positive number"),
        ("a=framerate:0", "framerate is not a positive number"),
        ("a=x-dimensions:1920x1080", "x-dimensions needs <width>,<height>"),
        ("a=crypto:1 AES_CM_128_HMAC_SHA1_80", "crypto needs <tag> <suite> <key-params>"),
        ("a=key-mgmt:mikey", "key-mgmt needs <protocol> <data>"),
        ("a=rtpmap:96", "rtpmap needs <payload type> <encoding>"),
        ("a=rtpmap", "rtpmap without a value"),
        ("a=fmtp:x a=b", "fmtp does not start with a payload type"),
    ];
    for (line, why) in cases {
        let text = crlf(&["v=0", "s=x", line]);
        let sdp = parse(&text).expect("parses");
        assert_eq!(issues_of(&sdp, IssueKind::BadValue(why)), [(3, (*line).to_owned())], "{line}");
        // The line is kept all the same.
        assert_eq!(sdp.line(3).map(|l| l.text), Some(*line));
    }
}

#[test]
fn damaged_media_lines_still_open_a_section() {
    let cases: &[(&str, &str)] = &[
        ("m=video", "media line needs: <media> <port> <proto> <formats>"),
        ("m=video zero RTP/AVP 96", "media port is not a number from 0 to 65535"),
        ("m=video 0/x RTP/AVP 96", "media port is not a number from 0 to 65535"),
        ("m=video 0 RTP/AVP", "media line lists no format"),
        ("m=video 0 RTP/AVP 96 200", "RTP media format is not a payload type from 0 to 127"),
    ];
    for (line, why) in cases {
        let text = crlf(&["v=0", "s=x", line, "a=control:trackID=1"]);
        let sdp = parse(&text).expect("parses");
        assert_eq!(issues_of(&sdp, IssueKind::BadValue(why)), [(3, (*line).to_owned())], "{line}");
        let media = sdp.media().next().expect("a section all the same");
        assert_eq!(media.control(), Some("trackID=1"));
    }
    // Non-RTP formats are not payload types.
    let sdp = parse("v=0\r\ns=x\r\nm=application 9 TCP wb\r\n").expect("parses");
    assert!(sdp.issues().iter().all(|i| !matches!(i.kind, IssueKind::BadValue(_))));
    assert_eq!(sdp.media().next().map(|m| m.payload_types().count()), Some(0));
}

#[test]
fn rtpmap_before_the_media_line_is_recorded_and_used() {
    let text = crlf(&[
        "v=0",
        "s=x",
        "t=0 0",
        "a=rtpmap:96 H264/90000",
        "a=fmtp:96 packetization-mode=1",
        "m=video 0 RTP/AVP 96",
    ]);
    let sdp = parse(&text).expect("parses");
    assert_eq!(
        issues_of(&sdp, IssueKind::MediaAttributeInSession),
        [(4, "a=rtpmap:96 H264/90000".to_owned()), (5, "a=fmtp:96 packetization-mode=1".to_owned())]
    );
    let video = sdp.media().next().expect("video");
    assert_eq!(video.rtpmap(96).map(|r| r.line), Some(4));
    assert_eq!(video.fmtp(96).and_then(|f| f.get("packetization-mode")), Some("1"));
}

#[test]
fn bytes_that_are_not_text() {
    // Byte order mark.
    let sdp = parse("\u{feff}v=0\r\ns=x\r\n").expect("parses");
    assert_eq!(issues_of(&sdp, IssueKind::ByteOrderMark), [(1, "v=0".to_owned())]);
    assert_eq!(sdp.version(), Some("0"));
    // A C string terminator counted in the length.
    let sdp = parse("v=0\r\ns=x\r\n\0").expect("parses");
    assert_eq!(issues_of(&sdp, IssueKind::TrailingNul { count: 1 }), [(2, "s=x".to_owned())]);
    // A control character in a line.
    let sdp = parse("v=0\r\ns=x\x07y\r\n").expect("parses");
    assert_eq!(issues_of(&sdp, IssueKind::ControlCharacter), [(2, "s=x\x07y".to_owned())]);
    // Latin-1 in the session name: repaired, recorded at its line.
    let text = SdpText::from_bytes(b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=Cam\xe9ra\r\nt=0 0\r\n");
    assert!(text.is_repaired());
    let sdp = text.parse().expect("parses");
    assert_eq!(issues_of(&sdp, IssueKind::InvalidUtf8), [(3, "s=Cam\u{fffd}ra".to_owned())]);
    let text = SdpText::from_bytes(b"v=0\r\n");
    assert!(!text.is_repaired() && text.as_str() == "v=0\r\n");
}

#[test]
fn issue_line_numbers_count_blank_lines() {
    let sdp = parse("\r\n\r\nv=0\r\n\r\ns=x\r\nz=bad order?\r\nt=0 0\r\n").expect("parses");
    assert_eq!(issues_of(&sdp, IssueKind::BlankLine).iter().map(|i| i.0).collect::<Vec<_>>(), [1, 2, 4]);
    assert_eq!(
        issues_of(&sdp, IssueKind::OutOfOrder { after: LineKind::TimeZone }),
        [(7, "t=0 0".to_owned())]
    );
    assert_eq!(sdp.line(5).map(|l| l.kind), Some(LineKind::SessionName));
    assert!(sdp.line(4).is_none(), "blank lines are not stored");
}

// ---- Input that is not SDP at all. ----

#[test]
fn not_sdp_is_an_error_naming_the_line() {
    assert_eq!(parse("").unwrap_err(), SdpError::Empty);
    assert_eq!(parse(" \r\n\r\n\t\n").unwrap_err(), SdpError::Empty);
    let err = parse("RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\nv=0\r\n").unwrap_err();
    assert_eq!(err, SdpError::NotSdp { line: 1, text: "RTSP/1.0 200 OK".to_owned() });
    assert_eq!(
        err.to_string(),
        "not a session description: line 1 is not an SDP line like `v=0`: \"RTSP/1.0 200 OK\""
    );
    assert_eq!(
        parse("\r\n\r\n-----BEGIN CERTIFICATE-----\r\n").unwrap_err(),
        SdpError::NotSdp { line: 3, text: "-----BEGIN CERTIFICATE-----".to_owned() }
    );
    let long = "x".repeat(200);
    match parse(&long).unwrap_err() {
        SdpError::NotSdp { line: 1, text } => assert_eq!(text.chars().count(), 83),
        other => panic!("{other:?}"),
    }
    assert_eq!(parse("v=0\r\ns=\0x\r\n").unwrap_err(), SdpError::Binary { line: 2, offset: 7 });
    // Offsets count the byte order mark, not the NUL bytes trimmed at the end.
    assert_eq!(parse("\u{feff}v=0\r\ns=\0x\r\n\0\0").unwrap_err(), SdpError::Binary { line: 2, offset: 10 });
    let big = "a=x\r\n".repeat(MAX_SDP_LEN / 5 + 1);
    assert!(matches!(parse(&big).unwrap_err(), SdpError::TooLarge { max: MAX_SDP_LEN, .. }));
    assert!(SdpText::from_bytes(b"\xff\xd8\xff\xe0 JFIF").parse().is_err());
}

#[test]
fn every_prefix_of_a_camera_description_parses_or_errors_cleanly() {
    for end in 0..=CAMERA.len() {
        if let Some(prefix) = CAMERA.get(..end) {
            match parse(prefix) {
                Ok(sdp) => assert!(sdp.lines().len() <= 24),
                // Only "" and the lone "v" are not SDP.
                Err(e) => assert!(end <= 1, "prefix of {end} bytes: {e}"),
            }
        }
    }
}
