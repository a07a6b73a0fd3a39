//! WWW-Authenticate and Authorization parsing: several headers and challenges, every parameter, tolerated
//! camera sloppiness (each reported as a quirk with its offset), errors with offsets, and write/parse round
//! trips. The camera-style values are written here to reproduce patterns seen in the field (parameter order,
//! quoting, separators); they are not captures of a particular device.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::rtsp::auth::{
    Authorization, ChallengeError, Credentials, QuirkKind, Scheme, SyntaxErrorKind, parse_authorization,
    parse_www_authenticate,
};

fn quirks_of(values: &[&str]) -> Vec<(usize, usize, QuirkKind)> {
    parse_www_authenticate(values.iter().copied())
        .quirks
        .into_iter()
        .map(|q| (q.header, q.offset, q.kind))
        .collect()
}

#[test]
fn several_headers_and_several_challenges_per_header() {
    let set = parse_www_authenticate([
        concat!(
            "Digest realm=\"cam\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\", ",
            "Digest realm=\"cam\", nonce=\"n1\", algorithm=MD5, qop=\"auth\""
        ),
        "Basic realm=\"cam\"",
        "Negotiate",
        "NTLM TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA=",
    ]);
    assert!(set.errors.is_empty() && set.quirks.is_empty(), "{set:?}");
    let summary: Vec<(usize, usize, Scheme, Option<&str>)> =
        set.challenges.iter().map(|c| (c.header, c.offset, c.scheme(), c.algorithm())).collect();
    assert_eq!(
        summary,
        [
            (0, 0, Scheme::Digest, Some("SHA-256")),
            (0, 63, Scheme::Digest, Some("MD5")),
            (1, 0, Scheme::Basic, None),
            (2, 0, Scheme::Other, None),
            (3, 0, Scheme::Other, None),
        ]
    );
    assert_eq!(set.challenges[4].token68.as_deref(), Some("TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA="));
    assert_eq!(set.of_scheme(Scheme::Digest).count(), 2);
}

#[test]
fn qop_first_with_quoted_stale() {
    // Widespread layout: qop before realm, `stale` quoted (RFC 7616 says it must be a token).
    let value =
        "Digest qop=\"auth\", realm=\"IP Camera(C1234)\", nonce=\"4e6a4d3a3b9c1d2e\", stale=\"FALSE\"";
    let set = parse_www_authenticate([value]);
    let c = &set.challenges[0];
    assert_eq!(
        (c.realm(), c.nonce(), c.stale()),
        (Some("IP Camera(C1234)"), Some("4e6a4d3a3b9c1d2e"), false)
    );
    assert_eq!(quirks_of(&[value]), [(0, 71, QuirkKind::QuotedToken)]);
}

#[test]
fn each_tolerated_quirk_is_reported_where_it_is() {
    let cases: &[(&str, &[(usize, QuirkKind)])] = &[
        ("digest realm=\"r\", nonce=\"n\"", &[(0, QuirkKind::SchemeCase)]),
        ("Digest realm=r, nonce=\"n\"", &[(7, QuirkKind::UnquotedValue)]),
        ("Digest realm=\"r\", algorithm=\"MD5\", nonce=\"n\"", &[(18, QuirkKind::QuotedToken)]),
        (
            "Digest realm=Cam Server (2), nonce=\"n\"",
            &[(13, QuirkKind::BareValue), (7, QuirkKind::UnquotedValue)],
        ),
        ("Digest realm=\"r\",, nonce=\"n\"", &[(17, QuirkKind::EmptyListElement)]),
        (
            ", Digest realm=\"r\", nonce=\"n\",",
            &[(0, QuirkKind::EmptyListElement), (29, QuirkKind::EmptyListElement)],
        ),
        ("Digest , realm=\"r\", nonce=\"n\"", &[(7, QuirkKind::EmptyListElement)]),
        (
            "Digest realm = \"r\", nonce\t=\"n\"",
            &[(7, QuirkKind::SpaceAroundEquals), (20, QuirkKind::SpaceAroundEquals)],
        ),
        ("Digest realm=\"r\" nonce=\"n\"", &[(17, QuirkKind::MissingComma)]),
        ("Digest realm=\"r\", nonce=\"n\", realm=\"s\"", &[(29, QuirkKind::DuplicateParam)]),
        ("Basic realm=cam", &[(6, QuirkKind::UnquotedValue)]),
    ];
    for (value, expected) in cases {
        let got: Vec<(usize, QuirkKind)> = quirks_of(&[value]).into_iter().map(|(_, o, k)| (o, k)).collect();
        assert_eq!(&got, expected, "{value}");
        let set = parse_www_authenticate([*value]);
        assert!(set.errors.is_empty(), "{value}: {:?}", set.errors);
        assert_eq!(set.challenges[0].realm().map(|r| r.starts_with(['r', 'C', 'c'])), Some(true), "{value}");
    }
    // The first of duplicated parameters counts.
    assert_eq!(
        parse_www_authenticate(["Digest realm=\"r\", nonce=\"n\", realm=\"s\""]).challenges[0].realm(),
        Some("r")
    );
}

#[test]
fn errors_name_header_offset_and_rule() {
    let cases: &[(&str, usize, SyntaxErrorKind)] = &[
        ("", 0, SyntaxErrorKind::Empty),
        (" ,, ", 0, SyntaxErrorKind::Empty),
        ("\"Digest\" realm=\"r\"", 0, SyntaxErrorKind::ExpectedScheme),
        ("Digest;realm=\"r\"", 6, SyntaxErrorKind::ExpectedSpaceAfterScheme),
        ("Digest realm=\"r\", =\"n\"", 18, SyntaxErrorKind::ExpectedScheme),
        ("Digest realm=\"r", 13, SyntaxErrorKind::UnterminatedQuote),
        ("Digest realm=\"r\\", 13, SyntaxErrorKind::UnterminatedQuote),
        ("Digest realm=\"a\nb\"", 15, SyntaxErrorKind::ControlCharacter),
        ("Digest realm=a\u{7f}b", 14, SyntaxErrorKind::ControlCharacter),
        ("Digest realm=\"r\" junk", 17, SyntaxErrorKind::ExpectedComma),
        ("Digest realm nonce=\"n\"", 13, SyntaxErrorKind::ExpectedEquals),
    ];
    for &(value, offset, kind) in cases {
        let set = parse_www_authenticate(["Basic realm=\"fine\"", value]);
        assert_eq!(set.errors, [ChallengeError { header: 1, offset, kind }], "{value:?}");
        assert_eq!(set.challenges[0].scheme(), Scheme::Basic, "other headers are still read");
    }
}

#[test]
fn written_challenges_parse_back_identically_and_cleanly() {
    let values = [
        "Digest qop=\"auth\", realm=\"IP Camera(C1234)\", nonce=\"abc\", stale=\"FALSE\"",
        "digest realm=cam,nonce=abc,algorithm=\"SHA-256\",,",
        "Digest realm=\"quote \\\" and backslash \\\\\", nonce=\"n\", domain=\"/a /b\", x-ext=\"1, 2\"",
        "Basic realm=Cam Server (2), charset=\"UTF-8\"",
        "Negotiate abc==, Bearer realm=\"api\", error=invalid_token",
    ];
    for value in values {
        let first = parse_www_authenticate([value]);
        for c in &first.challenges {
            let written = c.to_header_value();
            let again = parse_www_authenticate([written.as_str()]);
            let semantic: Vec<_> = again.quirks.iter().filter(|q| q.kind != QuirkKind::SchemeCase).collect();
            assert!(again.errors.is_empty() && semantic.is_empty(), "{written}: {:?}", again.quirks);
            let c2 = &again.challenges[0];
            assert_eq!((&c2.scheme_name, &c2.token68), (&c.scheme_name, &c.token68), "{written}");
            let pairs = |c: &rtspeek_core::rtsp::auth::Challenge| {
                c.params.iter().map(|p| (p.name.clone(), p.value.clone())).collect::<Vec<_>>()
            };
            assert_eq!(pairs(c2), pairs(c), "{written}");
        }
    }
}

#[test]
fn authorization_round_trips() {
    let basic = Authorization::Basic(Credentials::new("admin", "p\u{e4}ss:word with spaces"));
    let value = basic.to_header_value().unwrap();
    assert_eq!(parse_authorization(value.expose()).unwrap().authorization, basic);

    let digest = concat!(
        "Digest username=\"a \\\"b\\\"\", realm=\"r\", uri=\"rtsp://cam.example/s?x=1,2\", ",
        "algorithm=SHA-256, ",
        "nonce=\"n\", nc=0000000a, cnonce=\"c\", qop=auth, response=\"abc\", opaque=\"o\", userhash=true, ",
        "x-ext=\"v\""
    );
    let parsed = parse_authorization(digest).unwrap();
    assert!(parsed.quirks.is_empty());
    let Authorization::Digest(d) = &parsed.authorization else { panic!() };
    assert_eq!((d.username.as_str(), d.nc, d.userhash, d.other.len()), ("a \"b\"", Some(10), true, 1));
    assert_eq!(parsed.authorization.to_header_value().unwrap().expose(), digest);

    // Sloppy client answers are read, and their quirks reported.
    let sloppy =
        parse_authorization("digest username=u,realm=r,nonce=n,uri=/,response=x,qop=\"auth\",nc=1,cnonce=c")
            .unwrap();
    let kinds: Vec<QuirkKind> = sloppy.quirks.iter().map(|q| q.kind).collect();
    assert!(
        kinds.contains(&QuirkKind::UnquotedValue) && kinds.contains(&QuirkKind::QuotedToken),
        "{kinds:?}"
    );
    let Authorization::Digest(d) = sloppy.authorization else { panic!() };
    assert_eq!(d.nc, Some(1));
}

/// A tiny deterministic fuzz pass (the real one is the `auth_headers` fuzz target): mutated seeds never
/// panic, and every offset reported lies inside the value.
#[test]
fn mutated_values_never_panic_and_offsets_stay_in_range() {
    let seeds = [
        "Digest realm=\"cam\", nonce=\"abc\", qop=\"auth,auth-int\", algorithm=SHA-256",
        "Basic realm=\"x\", charset=\"UTF-8\"",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\", nc=00000001",
        "Negotiate abc==, digest realm=r nonce=n,,",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b" \t,=\"\\abcDigestBasic\x01\x7f;:/";
    for round in 0..3000 {
        let mut bytes = seeds[round % seeds.len()].as_bytes().to_vec();
        for _ in 0..(next() % 4 + 1) {
            let at = (next() as usize) % (bytes.len() + 1);
            match next() % 3 {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, alphabet[(next() as usize) % alphabet.len()]),
                _ => bytes.truncate(at),
            }
        }
        let value = String::from_utf8_lossy(&bytes);
        let set = parse_www_authenticate([value.as_ref()]);
        assert!(set.errors.iter().all(|e| e.offset <= value.len()), "{value:?}: {:?}", set.errors);
        assert!(set.quirks.iter().all(|q| q.offset <= value.len()), "{value:?}: {:?}", set.quirks);
        for c in &set.challenges {
            let again = parse_www_authenticate([c.to_header_value().as_str()]);
            assert!(again.errors.is_empty(), "{value:?} -> {:?}", c.to_header_value());
        }
        let _ = parse_authorization(&value);
    }
}
