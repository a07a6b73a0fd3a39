//! Every `rtsp.*` finding code, produced by a scenario: a request and the server's bytes, run through the
//! parser and [`check_response`] (or [`parse_error_finding`] when the bytes are not RTSP). One test per
//! scenario, a test that the scenarios cover the whole family, and one that no evidence leaks a password.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeSet;

use rtspeek_core::Finding;
use rtspeek_core::diagnose::codes::{self, CodeInfo, RTSP_CODES};
use rtspeek_core::rtsp::check::{check_response, parse_error_finding};
use rtspeek_core::rtsp::headers::names;
use rtspeek_core::rtsp::{Message, Method, Parsed, ParserConfig, Request, Version, parse};

/// A password that must never appear in a finding.
const PASSWORD: &str = "s3cr3t-pw";

/// One exchange: what the client sent, what the server answered, and whether the connection was TLS.
struct Scenario {
    code: &'static CodeInfo,
    request: Request<'static>,
    response: &'static [u8],
    tls: bool,
}

fn request(method: Method<'static>, cseq: u32) -> Request<'static> {
    // The probe keeps credentials out of the Request-URI, but a scenario proves they would not leak anyway.
    Request::new(method, format!("rtsps://admin:{PASSWORD}@cam.example/live"))
        .with_header(names::CSEQ, cseq.to_string())
}

fn scenario(code: &'static CodeInfo, method: Method<'static>, response: &'static [u8]) -> Scenario {
    Scenario { code, request: request(method, 1), response, tls: false }
}

fn scenarios() -> Vec<Scenario> {
    use codes::*;
    vec![
        scenario(RTSP_BAD_MESSAGE, Method::Options, b"RTSP/1.0 20 OK\r\nCSeq: 1\r\n\r\n"),
        scenario(RTSP_WRONG_PROTOCOL, Method::Options, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
        scenario(RTSP_LINE_ENDINGS, Method::Options, b"RTSP/1.0 200 OK\nCSeq: 1\n\n"),
        scenario(RTSP_HEADER_FOLDING, Method::Options, b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS,\r\n DESCRIBE\r\n\r\n"),
        scenario(RTSP_HEADER_ENCODING, Method::Options, b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Cam\xe9ra\r\n\r\n"),
        scenario(
            RTSP_BAD_HEADER,
            Method::Setup,
            b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 42\r\nTransport: RTP/AVP;unicast;client_port=70000-70001\r\n\r\n",
        ),
        scenario(RTSP_CSEQ_MISSING, Method::Options, b"RTSP/1.0 200 OK\r\n\r\n"),
        scenario(RTSP_CSEQ_MISMATCH, Method::Options, b"RTSP/1.0 200 OK\r\nCSeq: 0\r\n\r\n"),
        scenario(RTSP_VERSION_MISMATCH, Method::Options, b"RTSP/2.0 200 OK\r\nCSeq: 1\r\n\r\n"),
        scenario(RTSP_STATUS_BAD_REQUEST, Method::Describe, b"RTSP/1.0 400 Bad Request\r\nCSeq: 1\r\n\r\n"),
        scenario(RTSP_STATUS_FORBIDDEN, Method::Describe, b"RTSP/1.0 403 Forbidden\r\nCSeq: 1\r\n\r\n"),
        scenario(RTSP_STATUS_NOT_FOUND, Method::Describe, b"RTSP/1.0 404 Stream Not Found\r\nCSeq: 1\r\n\r\n"),
        scenario(RTSP_METHOD_NOT_ALLOWED, Method::Record, b"RTSP/1.0 405 Method Not Allowed\r\nCSeq: 1\r\n\r\n"),
        scenario(RTSP_SESSION_NOT_FOUND, Method::Play, b"RTSP/1.0 454 Session Not Found\r\nCSeq: 1\r\n\r\n"),
        scenario(RTSP_METHOD_NOT_VALID, Method::Pause, b"RTSP/1.0 455 Method Not Valid in This State\r\nCSeq: 1\r\n\r\n"),
        Scenario {
            request: request(Method::Setup, 1).with_header(names::TRANSPORT, "RTP/AVP;unicast;client_port=5000-5001"),
            ..scenario(RTSP_UNSUPPORTED_TRANSPORT, Method::Setup, b"RTSP/1.0 461 Unsupported transport\r\nCSeq: 1\r\n\r\n")
        },
        scenario(RTSP_CLIENT_ERROR, Method::Describe, b"RTSP/1.0 408 Request Time-out\r\nCSeq: 1\r\n\r\n"),
        scenario(
            RTSP_SERVER_ERROR,
            Method::Describe,
            b"RTSP/1.0 503 Service Unavailable\r\nCSeq: 1\r\nRetry-After: 30\r\n\r\n",
        ),
        scenario(RTSP_STATUS_UNKNOWN, Method::Describe, b"RTSP/1.0 600 Strange\r\nCSeq: 1\r\n\r\n"),
        Scenario {
            tls: true,
            ..scenario(
                RTSP_REDIRECT,
                Method::Describe,
                b"RTSP/1.0 302 Moved Temporarily\r\nCSeq: 1\r\nLocation: rtsps://admin:s3cr3t-pw@cam2.example/live\r\n\r\n",
            )
        },
        scenario(RTSP_SESSION_MISSING, Method::Setup, b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;interleaved=0-1\r\n\r\n"),
        scenario(RTSP_TRANSPORT_MISSING, Method::Setup, b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 42\r\n\r\n"),
        Scenario {
            tls: true,
            ..scenario(
                RTSP_SCHEME_DOWNGRADE,
                Method::Play,
                b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 42\r\n\
                  RTP-Info: url=rtsp://admin:s3cr3t-pw@cam.example/live/stream=0;seq=1;rtptime=2\r\n\r\n",
            )
        },
    ]
}

/// The findings the probe gets for a scenario.
fn run(s: &Scenario) -> Vec<Finding> {
    match parse(s.response, &ParserConfig::default()) {
        Ok(Parsed::Message(Message::Response(resp), _)) => check_response(&s.request, &resp, s.tls),
        Ok(other) => panic!("scenario {}: {other:?}", s.code.code),
        Err(e) => vec![parse_error_finding(&e, s.response, 0)],
    }
}

fn run_named(code: &CodeInfo) -> Vec<Finding> {
    let all = scenarios();
    let s = all.iter().find(|s| s.code == code).unwrap_or_else(|| panic!("no scenario for {}", code.code));
    let findings = run(s);
    assert!(
        findings.iter().any(|f| f.code == code.code),
        "scenario {} produced {:?}",
        code.code,
        findings.iter().map(|f| &f.code).collect::<Vec<_>>()
    );
    findings
}

fn evidence<'a>(f: &'a Finding, label: &str) -> Option<&'a str> {
    f.evidence.iter().find(|e| e.label == label).map(|e| e.value.as_str())
}

fn finding<'a>(findings: &'a [Finding], code: &CodeInfo) -> &'a Finding {
    findings.iter().find(|f| f.code == code.code).expect("finding present")
}

#[test]
fn every_rtsp_code_is_produced_by_a_scenario() {
    let produced: BTreeSet<String> = scenarios().iter().flat_map(run).map(|f| f.code).collect();
    let family: Vec<&str> =
        RTSP_CODES.iter().filter(|c| !codes::SESSION_LEVEL.contains(c)).map(|c| c.code).collect();
    let missing: Vec<&str> = family.iter().copied().filter(|c| !produced.contains(*c)).collect();
    assert!(missing.is_empty(), "codes no scenario produces: {missing:?}");
    assert_eq!(
        scenarios().len(),
        family.len(),
        "one scenario per code (session-level codes: probe_codes.rs)"
    );
}

#[test]
fn no_finding_shows_a_password() {
    for s in scenarios() {
        for f in run(&s) {
            let shown = serde_json::to_string(&f).unwrap();
            assert!(!shown.contains(PASSWORD), "{}: {shown}", s.code.code);
        }
    }
}

#[test]
fn bad_message_names_offset_rule_and_line() {
    let findings = run_named(codes::RTSP_BAD_MESSAGE);
    let f = finding(&findings, codes::RTSP_BAD_MESSAGE);
    assert_eq!(evidence(f, "byte_offset"), Some("11"));
    assert_eq!(evidence(f, "rule"), Some("status-line > Status-Code"));
    assert_eq!(evidence(f, "line"), Some("RTSP/1.0 20 OK\\r\\n"));
}

#[test]
fn wrong_protocol_says_what_it_looks_like() {
    let f = &run_named(codes::RTSP_WRONG_PROTOCOL)[0];
    assert!(f.summary.contains("HTTP"), "{}", f.summary);
}

#[test]
fn quirk_codes() {
    for code in [codes::RTSP_LINE_ENDINGS, codes::RTSP_HEADER_FOLDING, codes::RTSP_HEADER_ENCODING] {
        assert_eq!(run_named(code).len(), 1, "{}", code.code);
    }
}

#[test]
fn bad_header_points_into_the_value() {
    let findings = run_named(codes::RTSP_BAD_HEADER);
    let f = finding(&findings, codes::RTSP_BAD_HEADER);
    assert_eq!(evidence(f, "header"), Some("Transport"));
    assert_eq!(evidence(f, "byte_offset"), Some("28"));
    assert_eq!(f.severity, rtspeek_core::Severity::Error, "a broken Transport stops the session");
}

#[test]
fn cseq_codes() {
    let f = &run_named(codes::RTSP_CSEQ_MISMATCH)[0];
    assert_eq!((evidence(f, "request_cseq"), evidence(f, "response_cseq")), (Some("1"), Some("0")));
    run_named(codes::RTSP_CSEQ_MISSING);
}

#[test]
fn version_mismatch() {
    let f = &run_named(codes::RTSP_VERSION_MISMATCH)[0];
    assert_eq!(evidence(f, "response_version"), Some(Version::Rtsp20.as_str()));
}

#[test]
fn status_codes_carry_status_and_reason() {
    for (code, status) in [
        (codes::RTSP_STATUS_BAD_REQUEST, "400"),
        (codes::RTSP_STATUS_FORBIDDEN, "403"),
        (codes::RTSP_STATUS_NOT_FOUND, "404"),
        (codes::RTSP_METHOD_NOT_ALLOWED, "405"),
        (codes::RTSP_SESSION_NOT_FOUND, "454"),
        (codes::RTSP_METHOD_NOT_VALID, "455"),
        (codes::RTSP_UNSUPPORTED_TRANSPORT, "461"),
        (codes::RTSP_CLIENT_ERROR, "408"),
        (codes::RTSP_SERVER_ERROR, "503"),
        (codes::RTSP_STATUS_UNKNOWN, "600"),
        (codes::RTSP_REDIRECT, "302"),
    ] {
        let findings = run_named(code);
        let f = finding(&findings, code);
        assert_eq!(evidence(f, "status"), Some(status), "{}", code.code);
        assert!(evidence(f, "reason").is_some_and(|r| !r.is_empty()));
        assert_eq!(evidence(f, "request").map(|r| r.contains("admin:***@")), Some(true));
    }
    let findings = run_named(codes::RTSP_STATUS_NOT_FOUND);
    assert_eq!(evidence(&findings[0], "reason"), Some("Stream Not Found"));
}

#[test]
fn status_extras() {
    let f = &run_named(codes::RTSP_SERVER_ERROR)[0];
    assert_eq!(evidence(f, "retry_after"), Some("30"));
    let f = &run_named(codes::RTSP_UNSUPPORTED_TRANSPORT)[0];
    assert_eq!(evidence(f, "offered_transport"), Some("RTP/AVP;unicast;client_port=5000-5001"));
    // A redirect to an rtsps:// URL is no downgrade.
    let findings = run_named(codes::RTSP_REDIRECT);
    assert_eq!(findings.len(), 1);
    assert_eq!(evidence(&findings[0], "location"), Some("rtsps://admin:***@cam2.example/live"));
}

#[test]
fn setup_needs_session_and_transport() {
    assert_eq!(run_named(codes::RTSP_SESSION_MISSING).len(), 1);
    assert_eq!(run_named(codes::RTSP_TRANSPORT_MISSING).len(), 1);
}

#[test]
fn scheme_downgrade_lists_the_urls() {
    let f = &run_named(codes::RTSP_SCHEME_DOWNGRADE)[0];
    assert_eq!(evidence(f, "RTP-Info"), Some("rtsp://admin:***@cam.example/live/stream=0"));
}
