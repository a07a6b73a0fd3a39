//! The server session's Basic and Digest checks: algorithms, replays, RFC 2069 answers, unknown users, Basic in
//! clear, and the clock that dates nonces.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn digest_sha256_md5_and_basic_are_verified() {
    let uri = "rtsps://127.0.0.1:8322/locked";
    for wanted in ["SHA-256", "MD5", "Basic"] {
        let mut c = Conn::new(true);
        let r = c.request("DESCRIBE", uri, &[]);
        assert_eq!(status(&r), 401);
        let mut values: Vec<&str> = r.headers.get_all("WWW-Authenticate").collect();
        assert_eq!(values.len(), 3, "{values:?}");
        // Offer the client only the challenge under test.
        values.retain(|v| if wanted == "Basic" { v.starts_with("Basic") } else { v.contains(wanted) });
        for (password, expect) in [("wrong", 401), ("s3cret", 200)] {
            let mut client = ClientAuth::new(Credentials::new("viewer", password), true);
            assert!(client.on_unauthorized(values.iter().copied()).retry);
            let cnonce = Cnonce::new("0a4f113b").unwrap();
            let authorization = client.authorization("DESCRIBE", uri, &cnonce).unwrap();
            let r = c.request("DESCRIBE", uri, &[("Authorization", authorization.expose())]);
            assert_eq!(status(&r), expect, "{wanted} with {password}: {}", body(&r));
        }
        assert_eq!(c.session.stats().user.as_deref(), Some("viewer"));
    }
}

/// The `WWW-Authenticate` values of a 401 with every nonce blanked (nonces are fresh for every challenge).
fn challenges_shape(r: &Response<'_>) -> Vec<String> {
    r.headers
        .get_all("WWW-Authenticate")
        .map(|v| match v.find("nonce=\"") {
            Some(at) => {
                let end = v[at + 7..].find('"').map_or(v.len(), |e| at + 7 + e);
                format!("{}nonce=\"\"{}", &v[..at], &v[end + 1..])
            }
            None => v.to_owned(),
        })
        .collect()
}

/// A Digest client for `user` / `password` that answered the 401 `r` with the challenge containing `wanted`.
fn digest_client(r: &Response<'_>, wanted: &str, user: &str, password: &str) -> ClientAuth {
    let values: Vec<&str> = r.headers.get_all("WWW-Authenticate").filter(|v| v.contains(wanted)).collect();
    let mut client = ClientAuth::new(Credentials::new(user, password), true);
    assert!(client.on_unauthorized(values.iter().copied()).retry, "{values:?}");
    client
}

#[test]
fn a_digest_answer_replayed_on_another_connection_is_refused() {
    let uri = "rtsps://127.0.0.1:8322/locked";
    // Two connections of one server: one configuration, cloned for each, as the driver does.
    let config = SessionConfig::new("rtspeek-test", ServerKey::new(vec![7; 32]));
    let mut first = Conn::with_config(true, config.clone());
    let mut second = Conn::with_config(true, config);
    let r = first.request("DESCRIBE", uri, &[]);
    let mut client = digest_client(&r, "SHA-256", "viewer", "s3cret");
    let cnonce = Cnonce::new("0a4f113b").unwrap();
    let captured = client.authorization("DESCRIBE", uri, &cnonce).unwrap();
    let captured = [("Authorization", captured.expose())];
    assert_eq!(status(&first.request("DESCRIBE", uri, &captured)), 200);

    // Someone who saw it sends it again on a connection of their own: same nonce, same nc, same cnonce.
    let r = second.request("DESCRIBE", uri, &captured);
    assert_eq!(status(&r), 401, "{}", body(&r));
    assert!(body(&r).contains("replayed"), "{}", body(&r));
    // And on the first connection too.
    assert_eq!(status(&first.request("DESCRIBE", uri, &captured)), 401);
    // The rightful client's next count is good on any connection.
    let next = client.authorization("DESCRIBE", uri, &cnonce).unwrap();
    assert_eq!(status(&second.request("DESCRIBE", uri, &[("Authorization", next.expose())])), 200);
}

#[test]
fn digest_answers_without_qop_are_refused_unless_the_stream_allows_them() {
    for (path, expect) in [("locked", 401), ("legacy", 200)] {
        let uri = format!("rtsps://127.0.0.1:8322/{path}");
        let mut c = Conn::new(true);
        let r = c.request("DESCRIBE", &uri, &[]);
        // What GStreamer and live555 do: answer MD5 without qop (as if the challenge offered none).
        let md5 = r.headers.get_all("WWW-Authenticate").find(|v| v.contains("MD5")).unwrap();
        let legacy_challenge = md5.replace("qop=\"auth\", ", "");
        assert_ne!(legacy_challenge, md5);
        let mut client = ClientAuth::new(Credentials::new("viewer", "s3cret"), true);
        assert!(client.on_unauthorized([legacy_challenge.as_str()]).retry);
        let answer = client.authorization("DESCRIBE", &uri, &Cnonce::new("0a4f113b").unwrap()).unwrap();
        assert!(!answer.expose().contains("qop"), "an RFC 2069 answer: {}", answer.expose());
        let r = c.request("DESCRIBE", &uri, &[("Authorization", answer.expose())]);
        assert_eq!(status(&r), expect, "{path}: {}", body(&r));
        if expect == 401 {
            assert!(body(&r).contains("without qop"), "the 401 says why: {}", body(&r));
        }
    }
}

#[test]
fn an_unknown_user_gets_exactly_the_answer_of_a_wrong_password() {
    let uri = "rtsps://127.0.0.1:8322/locked";
    for scheme in ["SHA-256", "MD5", "Basic"] {
        let mut shapes = Vec::new();
        for user in ["viewer", "nobody"] {
            let mut c = Conn::new(true);
            let r = c.request("DESCRIBE", uri, &[]);
            let mut client = digest_client(&r, scheme, user, "not the password");
            let answer = client.authorization("DESCRIBE", uri, &Cnonce::new("0a4f113b").unwrap()).unwrap();
            let r = c.request("DESCRIBE", uri, &[("Authorization", answer.expose())]);
            let mut names: Vec<String> = r.headers.iter().map(|h| h.name.to_ascii_lowercase()).collect();
            names.sort();
            shapes.push((status(&r), names, challenges_shape(&r), body(&r)));
        }
        assert_eq!(shapes[0].0, 401, "{scheme}");
        assert_eq!(shapes[0], shapes[1], "{scheme}: a wrong password and an unknown user are told apart");
    }
}

#[test]
fn basic_is_offered_on_plain_connections_only_where_allowed() {
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("viewer:s3cret"));
    for (path, offered) in [("locked", false), ("cleartext", true)] {
        let uri = format!("rtsp://127.0.0.1:8554/{path}");
        let mut c = Conn::new(false);
        let r = c.request("DESCRIBE", &uri, &[]);
        let values: Vec<&str> = r.headers.get_all("WWW-Authenticate").collect();
        assert_eq!(values.iter().any(|v| v.starts_with("Basic")), offered, "{path}: {values:?}");
        assert_eq!(values.iter().filter(|v| v.starts_with("Digest")).count(), 2, "{path}: {values:?}");
        let r = c.request("DESCRIBE", &uri, &[("Authorization", &basic)]);
        assert_eq!(status(&r), if offered { 200 } else { 401 }, "{path}: {}", body(&r));
    }
    // Inside TLS, Basic is offered either way.
    let r = Conn::new(true).request("DESCRIBE", "rtsps://127.0.0.1:8322/locked", &[]);
    assert!(r.headers.get_all("WWW-Authenticate").any(|v| v.starts_with("Basic")));
}

#[test]
fn the_clock_that_dates_nonces_is_the_origin_plus_now() {
    // A nonce issued at `now` = 0 and answered two minutes later on the same server clock is good; the same
    // answer given ten minutes later is stale (the nonce lifetime).
    let uri = "rtsps://127.0.0.1:8322/locked";
    let mut c = Conn::new(true);
    let r = c.request("DESCRIBE", uri, &[]);
    let mut client = digest_client(&r, "SHA-256", "viewer", "s3cret");
    let cnonce = Cnonce::new("0a4f113b").unwrap();
    c.now = Duration::from_secs(20);
    let answer = client.authorization("DESCRIBE", uri, &cnonce).unwrap();
    assert_eq!(status(&c.request("DESCRIBE", uri, &[("Authorization", answer.expose())])), 200);
    // An hour later, on another connection of the server.
    let mut later = Conn::new(true);
    later.now = Duration::from_secs(3600);
    let answer = client.authorization("DESCRIBE", uri, &cnonce).unwrap();
    let r = later.request("DESCRIBE", uri, &[("Authorization", answer.expose())]);
    assert_eq!(status(&r), 401, "{}", body(&r));
    assert!(body(&r).contains("stale"), "{}", body(&r));
}
