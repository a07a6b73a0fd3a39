//! The hand-written quirk fixtures of `core/tests/data/rtsp/` (see its README): one test per imitated
//! behaviour, checking what the parser reads, which quirk it flags, and the findings the probe would get.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::diagnose::codes;
use rtspeek_core::rtsp::check::check_response;
use rtspeek_core::rtsp::headers::{LowerTransport, Public, Range, RtpInfo, Session, Transport, names};
use rtspeek_core::rtsp::{
    Message, Method, ParseError, Parsed, ParserConfig, Problem, QuirkPolicies, Quirks, Request, Response,
    Url, Version, parse,
};
use rtspeek_core::{Finding, Severity};

const GST_RTSPS_DESCRIBE: &[u8] = include_bytes!("../data/rtsp/gst_rtsps_describe_downgrade.txt");
const BARE_LF_DESCRIBE: &[u8] = include_bytes!("../data/rtsp/bare_lf_describe.txt");
const FOLDED_401: &[u8] = include_bytes!("../data/rtsp/folded_www_authenticate_401.txt");
const LATIN1_OPTIONS: &[u8] = include_bytes!("../data/rtsp/latin1_server_options.txt");
const NO_REASON_SETUP: &[u8] = include_bytes!("../data/rtsp/no_reason_setup_tcp.txt");
const PLAY_INTERLEAVED: &[u8] = include_bytes!("../data/rtsp/play_then_interleaved.bin");
const STALE_CSEQ: &[u8] = include_bytes!("../data/rtsp/stale_cseq_get_parameter.txt");
const RTSP2_OPTIONS: &[u8] = include_bytes!("../data/rtsp/rtsp2_options.txt");

fn response<'a>(bytes: &'a [u8], config: &ParserConfig) -> Response<'a> {
    match parse(bytes, config) {
        Ok(Parsed::Message(Message::Response(r), used)) => {
            assert_eq!(used, bytes.len(), "the fixture is exactly one message");
            r
        }
        other => panic!("{other:?}"),
    }
}

fn tolerant(bytes: &[u8]) -> Response<'_> {
    response(bytes, &ParserConfig::default())
}

fn strict_error(bytes: &[u8]) -> ParseError {
    let strict = ParserConfig { quirks: QuirkPolicies::STRICT, ..ParserConfig::default() };
    parse(bytes, &strict).expect_err("the strict policy rejects the quirk")
}

fn request(method: Method<'static>, uri: &'static str, cseq: u32) -> Request<'static> {
    Request::new(method, uri).with_header(names::CSEQ, cseq.to_string())
}

fn codes_of(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn gst_rtsp_server_hands_out_rtsp_urls_inside_tls() {
    let resp = tolerant(GST_RTSPS_DESCRIBE);
    assert!(resp.quirks.is_empty());
    let request_url = Url::parse("rtsps://cam.example:8322/test").unwrap();
    let base = resp.base_url(&request_url).unwrap();
    // Content-Base wins over the request URL (RFC 2326 appendix C.1.1), scheme downgrade included.
    assert_eq!(base.to_string(), "rtsp://cam.example:8322/test/");
    assert_eq!(base.port_or_default(), 8322);
    assert_eq!(
        base.resolve_control("stream=0").unwrap().to_string(),
        "rtsp://cam.example:8322/test/stream=0"
    );
    assert!(resp.body.starts_with(b"v=0\r\n") && resp.body.ends_with(b"stream=0\r\n"));

    let req = request(Method::Describe, "rtsps://cam.example:8322/test", 3);
    let findings = check_response(&req, &resp, true);
    assert_eq!(codes_of(&findings), [codes::RTSP_SCHEME_DOWNGRADE.code]);
    let evidence = &findings[0].evidence;
    assert_eq!(
        (evidence[0].label.as_str(), evidence[0].value.as_str()),
        ("Content-Base", "rtsp://cam.example:8322/test/")
    );
    // Over plain RTSP the same response is healthy.
    assert!(check_response(&req, &resp, false).is_empty());
}

#[test]
fn embedded_server_with_bare_lf_line_endings() {
    let resp = tolerant(BARE_LF_DESCRIBE);
    assert_eq!(resp.quirks, Quirks::BARE_LF);
    assert_eq!(resp.headers.get("content-base"), Some("rtsp://192.0.2.20/live/"));
    assert!(resp.body.starts_with(b"v=0\no=-"));
    let findings = check_response(&request(Method::Describe, "rtsp://192.0.2.20/live", 2), &resp, false);
    assert_eq!(codes_of(&findings), [codes::RTSP_LINE_ENDINGS.code]);
    assert_eq!(findings[0].severity, Severity::Warning);
    let e = strict_error(BARE_LF_DESCRIBE);
    assert_eq!((e.pos, e.problem), (15, Problem::BareLf));
}

#[test]
fn folded_digest_challenge_next_to_basic() {
    let resp = tolerant(FOLDED_401);
    assert_eq!(resp.quirks, Quirks::FOLDED_HEADER);
    let challenges: Vec<&str> = resp.headers.get_all(names::WWW_AUTHENTICATE).collect();
    assert_eq!(
        challenges,
        [
            "Digest realm=\"IP Camera(12345)\", nonce=\"a1b2c3d4e5f60718293a4b5c6d7e8f90\", stale=\"FALSE\"",
            "Basic realm=\"IP Camera(12345)\""
        ]
    );
    // The 401 itself is the auth module's; the folding is ours.
    let findings = check_response(&request(Method::Describe, "rtsp://192.0.2.1/", 2), &resp, false);
    assert_eq!(codes_of(&findings), [codes::RTSP_HEADER_FOLDING.code]);
    let e = strict_error(FOLDED_401);
    assert_eq!((e.pos, e.context, e.problem), (88, "header-line > obs-fold", Problem::ObsoleteFolding));
}

#[test]
fn latin1_product_name_in_server_header() {
    let resp = tolerant(LATIN1_OPTIONS);
    assert_eq!(resp.quirks, Quirks::NON_UTF8);
    assert_eq!(resp.headers.get("server"), Some("Cam\u{fffd}ra R\u{fffd}seau 2.1"));
    let public = resp.headers.typed::<Public>().unwrap().unwrap();
    assert!(public.supports(&Method::GetParameter) && public.0.len() == 8);
    let findings = check_response(&request(Method::Options, "rtsp://192.0.2.1/", 1), &resp, false);
    assert_eq!(codes_of(&findings), [codes::RTSP_HEADER_ENCODING.code]);
    assert_eq!(strict_error(LATIN1_OPTIONS).problem, Problem::NonUtf8);
}

#[test]
fn setup_without_reason_phrase_and_loose_parameters() {
    let resp = tolerant(NO_REASON_SETUP);
    assert!(resp.quirks.is_empty());
    assert_eq!((resp.status.as_u16(), &*resp.reason), (200, ""));
    let session = resp.headers.typed::<Session>().unwrap().unwrap();
    assert_eq!((session.id.as_str(), session.timeout), ("1F2E3D4C", Some(60)));
    let transport = resp.headers.typed::<Transport>().unwrap().unwrap();
    let spec = &transport.0[0];
    assert_eq!(
        (spec.lower, spec.ssrc.as_slice(), spec.mode.as_slice()),
        (Some(LowerTransport::Tcp), &[0x7d3a][..], &["play".to_owned()][..])
    );
    let req = request(Method::Setup, "rtsp://192.0.2.1/live/track1", 4)
        .with_header(names::TRANSPORT, "RTP/AVP/TCP;unicast;interleaved=0-1");
    assert!(check_response(&req, &resp, false).is_empty());
}

#[test]
fn media_follows_the_play_response_in_the_same_read() {
    let mut parser = rtspeek_core::rtsp::Parser::default();
    let mut rest = PLAY_INTERLEAVED;
    let Ok(Parsed::Message(Message::Response(resp), _)) = parser.feed(&mut rest) else { panic!() };
    let info = resp.headers.typed::<RtpInfo>().unwrap().unwrap();
    assert_eq!(
        info.0[0].url.as_str(),
        "rtsp://192.0.2.30:554/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=Profile_1"
    );
    assert_eq!((info.0[0].seq, info.0[0].rtptime), (Some(27325), Some(1_720_281_916)));
    assert_eq!(resp.headers.typed::<Range>().unwrap(), Some(Range::FROM_START));
    let req = request(Method::Play, "rtsp://192.0.2.30:554/Streaming/Channels/101/", 5);
    assert!(check_response(&req, &resp, false).is_empty());
    let Ok(Parsed::Message(Message::Interleaved(rtp), _)) = parser.feed(&mut rest) else { panic!() };
    assert_eq!((rtp.channel, rtp.payload.len(), rtp.payload[0]), (0, 16, 0x80));
    assert_eq!(
        u16::from_be_bytes([rtp.payload[2], rtp.payload[3]]),
        27325,
        "the first packet has RTP-Info's seq"
    );
    let Ok(Parsed::Message(Message::Interleaved(rtcp), _)) = parser.feed(&mut rest) else { panic!() };
    assert_eq!((rtcp.channel, rtcp.payload[1]), (1, 200), "an RTCP sender report on the odd channel");
    assert!(rest.is_empty());
}

#[test]
fn keep_alive_answered_with_the_previous_cseq() {
    let resp = tolerant(STALE_CSEQ);
    let req =
        request(Method::GetParameter, "rtsp://192.0.2.1/live", 7).with_header(names::SESSION, "1F2E3D4C");
    let findings = check_response(&req, &resp, false);
    assert_eq!(codes_of(&findings), [codes::RTSP_CSEQ_MISMATCH.code]);
    let ev: Vec<(&str, &str)> =
        findings[0].evidence.iter().map(|e| (e.label.as_str(), e.value.as_str())).collect();
    assert!(ev.contains(&("request_cseq", "7")) && ev.contains(&("response_cseq", "6")), "{ev:?}");
}

#[test]
fn rtsp_2_server_answering_in_2_0() {
    let resp = tolerant(RTSP2_OPTIONS);
    assert_eq!(resp.version, Version::Rtsp20);
    let public = resp.headers.typed::<Public>().unwrap().unwrap();
    assert!(public.supports(&Method::Extension("PLAY_NOTIFY".into())));
    let findings = check_response(&request(Method::Options, "rtsp://192.0.2.1/", 1), &resp, false);
    assert_eq!(codes_of(&findings), [codes::RTSP_VERSION_MISMATCH.code]);
    let mut v2 = request(Method::Options, "rtsp://192.0.2.1/", 1);
    v2.version = Version::Rtsp20;
    assert!(check_response(&v2, &resp, false).is_empty());
}
