//! From scans to findings: one scenario per `tls.*` code (named after the code), combinations, the family
//! coverage check, and the scan plan against simulated servers.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeSet;

use crate::support::tls::{alert, handshake, record, server_hello, tls12_flight};
use rtspeek_core::Severity;
use rtspeek_core::diagnose::codes::{self, CodeInfo, TLS_CODES};
use rtspeek_core::tls::{
    CipherSuite, ClientHelloConfig, DEFAULT_MAX_IN_FLIGHT, FlightEnd, ProtocolVersion, ScanAttempt, ScanPlan,
    ServerFlight, TlsFacts, classify_flight, scan_findings,
};

const RANDOM: [u8; 32] = [1; 32];
const SHARE: [u8; 32] = [2; 32];
const LEAF: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x07];

fn modern() -> ClientHelloConfig {
    ClientHelloConfig::modern(RANDOM, SHARE)
}

fn legacy(max: ProtocolVersion) -> ClientHelloConfig {
    ClientHelloConfig::legacy(max, RANDOM)
}

fn answer(config: &ClientHelloConfig, bytes: &[u8], end: FlightEnd) -> ScanAttempt {
    ScanAttempt::new(config, classify_flight(bytes, end))
}

/// A TLS 1.3 ServerHello record.
fn tls13_hello(suite: u16) -> Vec<u8> {
    record(22, 0x0303, &handshake(2, &server_hello(0x0303, suite, &[(43, &[3, 4]), (51, &[0, 29, 0, 1, 9])])))
}

/// One scenario: a name (the code it demonstrates, or a description), the attempts, the codes expected.
struct Scenario {
    name: &'static str,
    attempts: Vec<ScanAttempt>,
    codes: Vec<&'static CodeInfo>,
}

fn scenarios() -> Vec<Scenario> {
    let m = modern();
    let l12 = legacy(ProtocolVersion::TLS1_2);
    let l10 = legacy(ProtocolVersion::TLS1_0);
    vec![
        Scenario {
            name: "tls.not_tls",
            attempts: vec![answer(&m, b"RTSP/1.0 400 Bad Request\r\nCSeq: 0\r\n\r\n", FlightEnd::Closed)],
            codes: vec![codes::TLS_NOT_TLS],
        },
        Scenario {
            name: "tls.no_answer",
            attempts: vec![answer(&m, b"", FlightEnd::Timeout), answer(&l12, b"", FlightEnd::Timeout)],
            codes: vec![codes::TLS_NO_ANSWER],
        },
        Scenario {
            name: "tls.connection_reset",
            attempts: vec![
                answer(&m, b"", FlightEnd::Reset),
                answer(&l12, &[22, 3, 3, 0], FlightEnd::Closed),
            ],
            codes: vec![codes::TLS_CONNECTION_RESET],
        },
        Scenario {
            name: "tls.handshake.alert",
            attempts: vec![answer(&m, &alert(2, 112), FlightEnd::Closed)],
            codes: vec![codes::TLS_HANDSHAKE_ALERT],
        },
        Scenario {
            name: "tls.protocol_version",
            attempts: vec![answer(&l10, &alert(2, 70), FlightEnd::Closed)],
            codes: vec![codes::TLS_PROTOCOL_VERSION],
        },
        Scenario {
            name: "tls.version.legacy_only",
            attempts: vec![
                answer(&m, &alert(2, 70), FlightEnd::Closed),
                answer(&l12, &tls12_flight(0x0301, 0xc014, &[LEAF]), FlightEnd::Closed),
            ],
            // TLS 1.0 has only CBC (or RC4) suites: without encrypt_then_mac they are weak too.
            codes: vec![codes::TLS_VERSION_LEGACY_ONLY, codes::TLS_WEAK_CIPHER],
        },
        Scenario {
            name: "tls.version.legacy_enabled",
            attempts: vec![
                answer(&m, &tls13_hello(0x1301), FlightEnd::Timeout),
                answer(&l10, &tls12_flight(0x0301, 0xc014, &[LEAF]), FlightEnd::Timeout),
            ],
            codes: vec![codes::TLS_VERSION_LEGACY_ENABLED, codes::TLS_WEAK_CIPHER],
        },
        Scenario {
            name: "tls.no_common_cipher",
            attempts: vec![
                answer(&m, &alert(2, 40), FlightEnd::Closed),
                answer(&l12, &alert(2, 71), FlightEnd::Closed),
            ],
            codes: vec![codes::TLS_NO_COMMON_CIPHER],
        },
        Scenario {
            name: "tls.weak_cipher",
            attempts: vec![answer(&l12, &tls12_flight(0x0303, 0x0005, &[LEAF]), FlightEnd::Timeout)],
            codes: vec![codes::TLS_WEAK_CIPHER],
        },
        Scenario {
            name: "tls.client_cert_required",
            attempts: vec![answer(&m, &alert(2, 116), FlightEnd::Closed)],
            codes: vec![codes::TLS_CLIENT_CERT_REQUIRED],
        },
        Scenario {
            name: "tls.protocol_violation",
            // A TLS 1.3 suite (offered) in a TLS 1.2 ServerHello.
            attempts: vec![answer(&m, &tls12_flight(0x0303, 0x1301, &[LEAF]), FlightEnd::Closed)],
            codes: vec![codes::TLS_PROTOCOL_VIOLATION],
        },
        Scenario {
            name: "healthy: TLS 1.3 and 1.2 with forward-secret AEAD only",
            attempts: vec![
                answer(&m, &tls13_hello(0x1302), FlightEnd::Timeout),
                answer(&l12, &tls12_flight(0x0303, 0xc030, &[LEAF]), FlightEnd::Timeout),
                answer(&legacy(ProtocolVersion::TLS1_1), &alert(2, 70), FlightEnd::Closed),
                answer(&l10, &alert(2, 70), FlightEnd::Closed),
            ],
            codes: vec![],
        },
        Scenario {
            name: "camera with TLS 1.0, RC4 and static RSA only",
            attempts: vec![
                answer(&m, b"", FlightEnd::Reset),
                answer(&l12, &tls12_flight(0x0301, 0x0005, &[LEAF]), FlightEnd::Timeout),
            ],
            codes: vec![codes::TLS_VERSION_LEGACY_ONLY, codes::TLS_WEAK_CIPHER],
        },
        Scenario {
            name: "TLS 1.2 with a modern suite but an odd alert to the 1.3 offer",
            attempts: vec![
                answer(&m, &alert(2, 80), FlightEnd::Closed),
                answer(&l12, &tls12_flight(0x0303, 0xc02f, &[LEAF]), FlightEnd::Timeout),
            ],
            codes: vec![codes::TLS_HANDSHAKE_ALERT],
        },
        Scenario {
            name: "server ignores the offer and sends garbage records",
            attempts: vec![answer(&m, &record(23, 0x0303, &[0; 8]), FlightEnd::Closed)],
            codes: vec![codes::TLS_PROTOCOL_VIOLATION],
        },
        Scenario {
            name: "mixed refusals without any acceptance",
            attempts: vec![
                answer(&m, &alert(2, 40), FlightEnd::Closed),
                answer(&l12, b"", FlightEnd::Reset),
                answer(&l10, &alert(2, 70), FlightEnd::Closed),
            ],
            codes: vec![
                codes::TLS_CONNECTION_RESET,
                codes::TLS_PROTOCOL_VERSION,
                codes::TLS_NO_COMMON_CIPHER,
            ],
        },
    ]
}

fn run(name: &str) -> Vec<rtspeek_core::Finding> {
    let all = scenarios();
    let s = all.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no scenario {name}"));
    let findings = scan_findings(&s.attempts);
    let got: BTreeSet<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    let want: BTreeSet<&str> = s.codes.iter().map(|c| c.code).collect();
    assert_eq!(got, want, "{name}: {findings:#?}");
    for f in &findings {
        assert!(!f.summary.is_empty() && !f.evidence.is_empty(), "{name}: {f:?} has no evidence");
    }
    findings
}

#[test]
fn every_scenario_gives_exactly_its_codes() {
    for s in scenarios() {
        run(s.name);
    }
}

#[test]
fn every_tls_code_is_produced_by_a_scenario() {
    let produced: BTreeSet<String> =
        scenarios().iter().flat_map(|s| scan_findings(&s.attempts)).map(|f| f.code).collect();
    for code in TLS_CODES {
        assert!(produced.contains(code.code), "{} is produced by no scenario", code.code);
    }
    // And each code has a scenario named after it.
    let names: Vec<&str> = scenarios().iter().map(|s| s.name).collect();
    for code in TLS_CODES {
        assert!(names.contains(&code.code), "no scenario named {}", code.code);
    }
}

#[test]
fn findings_carry_the_details_people_need() {
    let not_tls = &run("tls.not_tls")[0];
    assert!(not_tls.summary.contains("plain RTSP") && not_tls.evidence[0].value.starts_with("RTSP/1.0 400"));
    let refused = &run("tls.handshake.alert")[0];
    assert!(refused.summary.contains("unrecognized_name (112)"));
    assert!(refused.detail.contains("no certificate for the name sent in SNI"));
    let only = &run("tls.version.legacy_only")[0];
    assert!(only.summary.contains("only TLS 1.0 (TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA)"), "{}", only.summary);
    assert!(only.evidence.iter().any(|e| e.value.contains("protocol_version (70)")));
    let enabled = &run("tls.version.legacy_enabled")[0];
    assert_eq!(enabled.severity, Severity::Warning);
    assert!(enabled.summary.contains("TLS 1.0 next to TLS 1.3"));
    let weak = &run("tls.weak_cipher")[0];
    assert!(weak.summary.contains("broken protection"), "RC4 is broken: {}", weak.summary);
    assert!(weak.evidence[0].value.contains("RC4"));
    let dated = scan_findings(&[answer(
        &legacy(ProtocolVersion::TLS1_2),
        &tls12_flight(0x0303, 0x009c, &[LEAF]),
        FlightEnd::Timeout,
    )]);
    assert!(dated[0].summary.contains("dated"), "static RSA GCM is dated, not broken: {}", dated[0].summary);
    let cipher = &run("tls.no_common_cipher")[0];
    assert!(cipher.summary.contains("legacy ones included"));
    let modern_only = scan_findings(&[answer(&modern(), &alert(2, 40), FlightEnd::Closed)]);
    assert!(modern_only[0].summary.contains("no legacy offer was tried"));
    let reset = &run("tls.connection_reset")[0];
    assert_eq!(reset.evidence.len(), 2);
    assert!(
        reset.evidence[1].value.ends_with("connection closed after 4 byte(s) of an incomplete TLS answer")
    );
    let cert = &run("tls.client_cert_required")[0];
    assert_eq!(cert.severity, Severity::Error);
    let violation = &run("tls.protocol_violation")[0];
    assert!(
        violation.evidence[0].value.contains("TLS_AES_128_GCM_SHA256 with TLS 1.2"),
        "{:?}",
        violation.evidence
    );
}

#[test]
fn a_server_hello_that_does_not_match_the_offer_is_a_violation_not_an_acceptance() {
    let single = ClientHelloConfig::single_suite(ProtocolVersion::TLS1_2, CipherSuite(0x002f), RANDOM);
    let cases = [
        (tls12_flight(0x0303, 0x0035, &[LEAF]), "which was not offered"), // another suite
        (tls12_flight(0x0304, 0x002f, &[LEAF]), "TLS 1.3, which was not offered"), // a higher version
    ];
    for (bytes, expect) in cases {
        let attempts = [answer(&single, &bytes, FlightEnd::Timeout)];
        assert!(attempts[0].accepted().is_none());
        let findings = scan_findings(&attempts);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].evidence[0].value.contains(expect), "{:?}", findings[0].evidence);
    }
    // A TLS 1.3 offer tells the server its lowest version: an answer below it is a violation too.
    let only13 = ClientHelloConfig::single_suite(ProtocolVersion::TLS1_3, CipherSuite(0x1301), RANDOM)
        .with_key_share(SHARE);
    let below = answer(&only13, &tls12_flight(0x0303, 0x1301, &[LEAF]), FlightEnd::Timeout);
    assert!(below.accepted().is_none());
    // Compression other than null was never offered.
    let mut body = server_hello(0x0303, 0x002f, &[]);
    let at = body.len() - 1;
    body[at] = 1;
    let deflate = answer(&single, &record(22, 0x0303, &handshake(2, &body)), FlightEnd::Timeout);
    assert!(scan_findings(&[deflate])[0].evidence[0].value.contains("compression method 1"));
}

/// A simulated server: the versions and suites it accepts, picking by its own preference (the order given),
/// refusing unknown versions with protocol_version and unknown suites with handshake_failure, as OpenSSL does.
struct SimServer {
    /// (version, suite) in the server's preference order.
    accepts: Vec<(ProtocolVersion, u16)>,
}

impl SimServer {
    fn answer(&self, offer: &ClientHelloConfig) -> ServerFlight {
        let versions: BTreeSet<ProtocolVersion> = self.accepts.iter().map(|(v, _)| *v).collect();
        // The best version both speak (a TLS <= 1.2 offer names only its maximum).
        let lowest =
            if offer.max_version.is_tls13_or_later() { offer.min_version } else { ProtocolVersion::SSL3_0 };
        let Some(version) = versions.iter().rev().copied().find(|v| *v <= offer.max_version && *v >= lowest)
        else {
            return classify_flight(&alert(2, 70), FlightEnd::Closed);
        };
        let chosen = self
            .accepts
            .iter()
            .find(|(v, s)| *v == version && offer.cipher_suites.contains(&CipherSuite(*s)))
            .map(|(_, s)| *s);
        let bytes = match chosen {
            Some(suite) if version.is_tls13_or_later() => tls13_hello(suite),
            Some(suite) => tls12_flight(version.0, suite, &[LEAF]),
            None => alert(2, 40),
        };
        classify_flight(&bytes, FlightEnd::Closed)
    }
}

/// Runs a plan against `server` the way a driver does: every offer the plan allows goes out at once, the
/// answers come back oldest first. Returns the plan and the largest number of offers that were in flight.
fn run_plan(mut plan: ScanPlan, server: &SimServer) -> (ScanPlan, usize) {
    let mut queue = std::collections::VecDeque::new();
    let mut most = 0;
    let mut sent = 0;
    loop {
        while let Some((lane, offer)) = plan.next_offer(RANDOM, SHARE) {
            assert!(offer.encode().is_ok(), "every planned offer is valid");
            queue.push_back((lane, offer));
            sent += 1;
        }
        most = most.max(plan.in_flight());
        let Some((lane, offer)) = queue.pop_front() else { break };
        let flight = server.answer(&offer);
        plan.record(lane, &offer, flight);
        assert!(sent < 200, "the plan is bounded");
    }
    assert!(plan.is_done(), "nothing in flight and nothing to offer");
    (plan, most)
}

#[test]
fn the_scan_plan_enumerates_a_legacy_camera() {
    // TLS 1.0 only, AES128-SHA preferred, then 3DES.
    let server =
        SimServer { accepts: vec![(ProtocolVersion::TLS1_0, 0x002f), (ProtocolVersion::TLS1_0, 0x000a)] };
    let mut plan = ScanPlan::new("cam.example");
    let (_, first) = plan.next_offer(RANDOM, SHARE).expect("the modern offer");
    assert_eq!(first.server_name.as_deref(), Some("cam.example"));
    assert!(ScanAttempt::new(&first, ServerFlight::Empty { end: FlightEnd::Closed }).offer.is_modern());
    assert!(plan.next_offer(RANDOM, SHARE).is_none(), "the modern offer goes alone");
    let plan = ScanPlan::new("cam.example");
    let (plan, most) = run_plan(plan, &server);
    assert!(most <= DEFAULT_MAX_IN_FLIGHT && most > 1, "offers go several at once: {most}");
    let facts = TlsFacts::from_attempts(plan.attempts());
    let suites: BTreeSet<&str> = facts.accepted.iter().map(|a| a.suite.as_str()).collect();
    assert_eq!(suites, BTreeSet::from(["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"]));
    assert_eq!(facts.versions, ["TLS 1.0"]);
    let codes: BTreeSet<String> = scan_findings(plan.attempts()).into_iter().map(|f| f.code).collect();
    assert_eq!(
        codes,
        BTreeSet::from([codes::TLS_VERSION_LEGACY_ONLY.code.into(), codes::TLS_WEAK_CIPHER.code.into()])
    );
}

#[test]
fn the_scan_plan_finds_every_suite_of_every_version() {
    use ProtocolVersion as V;
    let mut accepts = vec![(V::TLS1_3, 0x1302), (V::TLS1_3, 0x1301), (V::TLS1_3, 0x1303)];
    for suite in
        [0xc030, 0xc02f, 0xcca8, 0xc028, 0xc027, 0xc014, 0xc013, 0x009d, 0x009c, 0x0035, 0x002f, 0x009e]
    {
        accepts.push((V::TLS1_2, suite));
    }
    accepts.push((V::TLS1_1, 0xc013));
    let server = SimServer { accepts: accepts.iter().copied().chain([(V::TLS1_1, 0x002f)]).collect() };
    let (plan, _) = run_plan(ScanPlan::new("192.0.2.10"), &server);
    let found: BTreeSet<(String, String)> =
        TlsFacts::from_attempts(plan.attempts()).accepted.into_iter().map(|a| (a.version, a.suite)).collect();
    let expected: BTreeSet<(String, String)> =
        accepts.iter().map(|(v, s)| (v.to_string(), CipherSuite(*s).to_string())).collect();
    // TLS 1.1 next to a modern TLS: confirmed with its first suite, not enumerated.
    assert_eq!(found, expected, "every accepted (version, suite) of TLS 1.2 and 1.3, one of TLS 1.1");
    // Each accepted suite costs one offer in its lane, each lane one refusal; TLS 1.0 is refused with
    // protocol_version once, which ends its other lanes.
    let tls10 = plan.attempts().iter().filter(|a| a.offer.max_version == V::TLS1_0).count();
    assert_eq!(tls10, 1, "one refusal ends the version");
    assert!(plan.attempts().len() < 40, "{} attempts", plan.attempts().len());
}

#[test]
fn the_scan_plan_stops_at_a_dead_port_and_can_run_one_at_a_time() {
    // A port answering in plain RTSP ends the plan after the first offer.
    let mut plan = ScanPlan::new("192.0.2.10");
    let (lane, offer) = plan.next_offer(RANDOM, SHARE).unwrap();
    assert_eq!(offer.server_name, None, "no SNI for an IP");
    plan.record(lane, &offer, classify_flight(b"RTSP/1.0 400 Bad Request\r\n\r\n", FlightEnd::Closed));
    assert!(plan.next_offer(RANDOM, SHARE).is_none());
    assert!(plan.is_done());
    assert_eq!(plan.attempts().len(), 1);

    let server =
        SimServer { accepts: vec![(ProtocolVersion::TLS1_2, 0xc02f), (ProtocolVersion::TLS1_2, 0x002f)] };
    let (plan, most) = run_plan(ScanPlan::new("cam.example").with_max_in_flight(1), &server);
    assert_eq!(most, 1);
    assert_eq!(TlsFacts::from_attempts(plan.attempts()).accepted.len(), 2);
}
