//! Every `auth.*` finding, produced by a scenario: the 401 challenges a camera sends (and, for refusals and
//! stale nonces, the 401 that follows an answer). The last test checks that the scenarios cover the whole
//! `AUTH_CODES` catalogue family.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::diagnose::codes;
use rtspeek_core::rtsp::auth::digest::Cnonce;
use rtspeek_core::rtsp::auth::{ClientAuth, Credentials, assess_challenges};
use rtspeek_core::{Finding, Layer, Severity};

/// An RFC 7616-style pair in live555's layout: works for everyone.
const HEALTHY: [&str; 2] = [
    "Digest realm=\"cam\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256",
    "Digest realm=\"cam\", nonce=\"abc\", qop=\"auth\", algorithm=MD5",
];

/// One scenario: a name and the findings it produces.
struct Scenario {
    name: &'static str,
    findings: Vec<Finding>,
}

fn assess(values: &[&str], over_tls: bool) -> Vec<Finding> {
    assess_challenges(values.iter().copied(), over_tls).1
}

/// Answers the first 401 (`first`), then reports what the client makes of the second (`second`).
fn after_answer(first: &[&str], second: &[&str]) -> Vec<Finding> {
    let mut client = ClientAuth::new(Credentials::new("admin", "pw"), true);
    assert!(client.on_unauthorized(first.iter().copied()).retry);
    let cnonce = Cnonce::new("0a4f113b").unwrap();
    assert!(client.authorization("DESCRIBE", "rtsps://cam.example/s", &cnonce).is_some());
    client.on_unauthorized(second.iter().copied()).findings
}

fn scenarios() -> Vec<Scenario> {
    let s = |name, findings| Scenario { name, findings };
    vec![
        s("healthy", assess(&HEALTHY, true)),
        s("no header", assess(&[], true)),
        s("unterminated quote", assess(&["Digest realm=\"cam\", nonce=\"abc"], true)),
        s(
            "unterminated quote beside a good header",
            assess(&["Basic realm=\"cam\"", "Digest realm=\"cam\", nonce=\"abc"], true),
        ),
        s("sloppy", assess(&["digest realm=cam nonce=abc, , qop = auth"], true)),
        s("only Negotiate", assess(&["Negotiate", "NTLM"], true)),
        s(
            "SHA-256 only",
            assess(&["Digest realm=\"cam\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256"], true),
        ),
        s("SHA-256 last", assess(&[HEALTHY[1], HEALTHY[0]], true)),
        s(
            "nothing rtspeek can answer",
            assess(&["Digest realm=\"cam\", nonce=\"abc\", algorithm=SHA-1"], true),
        ),
        s("qop first", assess(&["Digest qop=\"auth\", realm=\"cam\", nonce=\"abc\""], true)),
        s("Basic over plain RTSP", assess(&["Basic realm=\"cam\""], false)),
        s("Basic over TLS", assess(&["Basic realm=\"cam\""], true)),
        s("refused", after_answer(&HEALTHY, &HEALTHY)),
        s("stale", after_answer(&HEALTHY, &[&format!("{}, stale=true", HEALTHY[0].replace("abc", "def"))])),
    ]
}

fn scenario(name: &str) -> Vec<Finding> {
    scenarios().into_iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no scenario {name}")).findings
}

fn codes_of(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

fn the(findings: &[Finding], code: &str) -> Finding {
    findings
        .iter()
        .find(|f| f.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes_of(findings)))
}

fn evidence<'a>(f: &'a Finding, label: &str) -> &'a str {
    f.evidence
        .iter()
        .find(|e| e.label == label)
        .map(|e| e.value.as_str())
        .unwrap_or_else(|| panic!("no {label}: {f:?}"))
}

#[test]
fn healthy_camera_gives_only_auth_required_with_every_challenge() {
    let findings = scenario("healthy");
    assert_eq!(codes_of(&findings), ["auth.required"]);
    let f = &findings[0];
    assert_eq!((f.layer, f.severity), (Layer::Auth, Severity::Info));
    assert_eq!(evidence(f, "challenge 1"), HEALTHY[0]);
    assert_eq!(evidence(f, "challenge 2"), HEALTHY[1]);
    assert!(evidence(f, "rtspeek answers").starts_with("Digest SHA-256 with qop=auth"), "{f:?}");
}

#[test]
fn auth_challenge_missing() {
    let findings = scenario("no header");
    assert_eq!(codes_of(&findings), ["auth.challenge_missing"]);
}

#[test]
fn auth_malformed_challenge() {
    let f = the(&scenario("unterminated quote"), "auth.malformed_challenge");
    assert_eq!(
        (f.severity, evidence(&f, "byte_offset"), evidence(&f, "header")),
        (Severity::Error, "26", "1")
    );
    assert_eq!(evidence(&f, "error"), "quoted-string not terminated");
    // When another challenge is usable, it degrades rather than breaks.
    let f = the(&scenario("unterminated quote beside a good header"), "auth.malformed_challenge");
    assert_eq!((f.severity, evidence(&f, "header")), (Severity::Warning, "2"));
}

#[test]
fn auth_challenge_nonstandard() {
    let findings = scenario("sloppy");
    let f = the(&findings, "auth.challenge_nonstandard");
    let labels: Vec<&str> = f.evidence.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "header 1 byte 17",
            "header 1 byte 28",
            "header 1 byte 30",
            "header 1 byte 0",
            "header 1 byte 7",
            "header 1 byte 17",
            "header 1 byte 30"
        ]
    );
    assert!(f.summary.contains("whitespace instead of a comma"), "{}", f.summary);
    // Still answerable: the quirks were tolerated.
    assert!(codes_of(&findings).contains(&"auth.required"));
}

#[test]
fn auth_unsupported_scheme() {
    let f = the(&scenario("only Negotiate"), "auth.unsupported_scheme");
    assert_eq!(evidence(&f, "schemes"), "Negotiate, NTLM");
}

#[test]
fn auth_digest_algorithm() {
    // SHA-256 only: rtspeek answers, FFmpeg, GStreamer and VLC cannot.
    let f = the(&scenario("SHA-256 only"), "auth.digest_algorithm");
    assert_eq!((f.severity, evidence(&f, "offered_algorithms")), (Severity::Warning, "SHA-256"));
    assert!(evidence(&f, "FFmpeg").contains("computes only MD5 and MD5-sess"), "{f:?}");
    assert!(evidence(&f, "GStreamer").contains("algorithm SHA-256"), "{f:?}");
    assert!(evidence(&f, "VLC/live555").contains("computes only MD5"), "{f:?}");
    // MD5 offered but placed last-but-one: the clients pick the last header.
    let f = the(&scenario("SHA-256 last"), "auth.digest_algorithm");
    assert_eq!(evidence(&f, "offered_algorithms"), "MD5, SHA-256");
    // Nothing answerable at all: breaks.
    let f = the(&scenario("nothing rtspeek can answer"), "auth.digest_algorithm");
    assert_eq!(f.severity, Severity::Error);
    assert!(evidence(&f, "challenge 1").contains("SHA-1"), "{f:?}");
}

#[test]
fn auth_client_incompatible() {
    let findings = scenario("qop first");
    let f = the(&findings, "auth.client_incompatible");
    assert_eq!(f.evidence.len(), 1, "{f:?}");
    assert!(evidence(&f, "VLC/live555").contains("realm first"), "{f:?}");
    assert!(!codes_of(&findings).contains(&"auth.digest_algorithm"));
}

#[test]
fn auth_basic_cleartext() {
    let f = the(&scenario("Basic over plain RTSP"), "auth.basic_cleartext");
    assert!(f.summary.contains("readable"), "{}", f.summary);
    assert_eq!(evidence(&f, "challenge"), "Basic realm=\"cam\"");
    assert!(!codes_of(&scenario("Basic over TLS")).contains(&"auth.basic_cleartext"));
}

#[test]
fn auth_rejected() {
    let findings = scenario("refused");
    assert_eq!(codes_of(&findings), ["auth.rejected"]);
    let f = &findings[0];
    assert_eq!(
        (evidence(f, "scheme"), evidence(f, "algorithm"), evidence(f, "realm")),
        ("Digest", "SHA-256", "cam")
    );
}

#[test]
fn auth_stale_nonce() {
    let findings = scenario("stale");
    assert_eq!(codes_of(&findings), ["auth.stale_nonce"]);
    assert_eq!(evidence(&findings[0], "renewals_in_a_row"), "1");
}

#[test]
fn a_server_that_is_always_stale_ends_in_a_refusal() {
    let stale = format!("{}, stale=true", HEALTHY[0]);
    let mut client = ClientAuth::new(Credentials::new("admin", "pw"), true);
    assert!(client.on_unauthorized(HEALTHY).retry);
    let cnonce = Cnonce::new("c").unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        client.authorization("PLAY", "rtsps://cam.example/s", &cnonce);
        let step = client.on_unauthorized([stale.as_str()]);
        seen.extend(step.findings.into_iter().map(|f| f.code));
        if !step.retry {
            break;
        }
    }
    assert_eq!(seen, ["auth.stale_nonce", "auth.stale_nonce", "auth.rejected"]);
}

#[test]
fn every_auth_code_is_produced_by_a_scenario() {
    let produced: Vec<String> = scenarios().into_iter().flat_map(|s| s.findings).map(|f| f.code).collect();
    for info in codes::AUTH_CODES {
        assert!(produced.iter().any(|c| c == info.code), "no scenario produces {}", info.code);
        assert_eq!(info.layer, Layer::Auth);
    }
    for code in &produced {
        assert!(codes::AUTH_CODES.iter().any(|i| i.code == code), "{code} is not an auth code");
    }
}
