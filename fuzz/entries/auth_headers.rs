//! Entry of the `auth_headers` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/auth_headers.rs) and
//! the corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.
//!
//! The input is text; each line is one header value. Besides "no panic, no hang", it checks round trips:
//! every challenge and every credentials read are written back and must read back the same.

use rtspeek_core::UnixTime;
use rtspeek_core::rtsp::auth::digest::Cnonce;
use rtspeek_core::rtsp::auth::{
    AuthParam, Authorization, ClientAuth, Credentials, DigestClient, DigestRequest, DigestServer,
    DigestServerConfig, ServerKey, UserTable, assess_challenges, parse_authorization, parse_www_authenticate,
};

/// A fixed time (2027-01-15), so that a run is reproducible.
const NOW: UnixTime = UnixTime(1_800_000_000);
const URI: &str = "rtsps://cam.example/stream";

/// What the fuzz target runs: the lines as the `WWW-Authenticate` values of one 401, then each line as an
/// `Authorization` value.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let values: Vec<&str> = text.split('\n').map(|v| v.trim_end_matches('\r')).collect();
    challenges(&values);
    for value in &values {
        authorization(value);
    }
}

/// Assesses `values` as one response's challenges, answers them as a client, and checks that every challenge
/// written back reads back the same.
pub fn challenges(values: &[&str]) {
    let (capability, _findings) = assess_challenges(values.iter().copied(), false);
    let set = &capability.set;
    for e in &set.errors {
        assert!(e.offset <= values[e.header].len(), "error offset out of range: {e:?}");
    }
    for q in &set.quirks {
        assert!(q.offset <= values[q.header].len(), "quirk offset out of range: {q:?}");
    }
    for c in &set.challenges {
        let written = c.to_header_value();
        let again = parse_www_authenticate([written.as_str()]);
        assert!(again.errors.is_empty(), "{written:?} does not read back: {:?}", again.errors);
        assert_eq!(again.challenges.len(), 1, "{written:?}");
        let back = &again.challenges[0];
        assert_eq!((&back.scheme_name, &back.token68), (&c.scheme_name, &c.token68), "{written:?}");
        assert_eq!(pairs(&back.params), pairs(&c.params), "{written:?}");
        if let Ok(mut client) = DigestClient::new(c, &Credentials::new("user", "password")) {
            let cnonce = Cnonce::new("0a4f113b").expect("valid cnonce");
            if let Ok(answer) = client.respond("DESCRIBE", URI, &cnonce) {
                let parsed = parse_authorization(&answer.to_header_value()).expect("our answers parse");
                let Authorization::Digest(back) = parsed.authorization else { panic!("not Digest") };
                assert_eq!(back.response, answer.response);
                assert_eq!(back.username, answer.username);
            }
        }
    }
    // The client state machine: first 401, an answer, then the same 401 again.
    let mut auth = ClientAuth::new(Credentials::new("user", "password"), false);
    if auth.on_unauthorized(values.iter().copied()).retry {
        let cnonce = Cnonce::new("c").expect("valid cnonce");
        let _ = auth.authorization("PLAY", URI, &cnonce);
        let _ = auth.on_unauthorized(values.iter().copied());
    }
}

/// Reads `value` as credentials; checks they write and read back the same, and verifies Digest ones.
pub fn authorization(value: &str) {
    let Ok(parsed) = parse_authorization(value) else { return };
    if let Ok(written) = parsed.authorization.to_header_value() {
        let again = parse_authorization(written.expose()).expect("written credentials parse");
        assert_eq!(normalized(&again.authorization), normalized(&parsed.authorization));
    }
    if let Authorization::Digest(answer) = &parsed.authorization {
        let mut server = DigestServer::new(DigestServerConfig::new("cam"), ServerKey::new(*b"fuzz key"))
            .expect("valid config");
        let users = UserTable::new().with_password("user", "password");
        let request = DigestRequest { method: "PLAY", uri: URI };
        let _ = server.verify(answer, request, NOW, &users);
    }
}

fn pairs(params: &[AuthParam]) -> Vec<(&str, &str)> {
    params.iter().map(|p| (p.name.as_str(), p.value.as_str())).collect()
}

/// Credentials with what writing may change legitimately (offsets, quoting, the `username*` form) cleared.
fn normalized(a: &Authorization) -> Authorization {
    let clear = |params: &[AuthParam]| -> Vec<AuthParam> {
        params.iter().map(|p| AuthParam { offset: 0, quoted: false, ..p.clone() }).collect()
    };
    match a {
        Authorization::Basic(c) => Authorization::Basic(c.clone()),
        Authorization::Digest(d) => {
            let mut d = d.clone();
            d.username_star = false;
            d.other = clear(&d.other);
            Authorization::Digest(d)
        }
        Authorization::Other { scheme, token68, params } => {
            Authorization::Other { scheme: scheme.clone(), token68: token68.clone(), params: clear(params) }
        }
    }
}
