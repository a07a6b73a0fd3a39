//! URL parsing, resolution and credentials.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn default_ports_follow_the_scheme() {
    assert_eq!(url("rtsp://cam.example/live").port_or_default(), 554);
    assert_eq!(url("rtsps://cam.example/live").port_or_default(), 322);
    assert_eq!(url("rtspu://cam.example/live").port_or_default(), 554);
    assert_eq!(url("RTSPS://Cam.Example:8322/live").port_or_default(), 8322);
    assert!(url("rtsps://cam.example/").scheme().is_tls());
    assert_eq!(url("rtsp://cam.example:/x").port(), None);
}

#[test]
fn hosts_are_names_ipv4_or_ipv6() {
    assert_eq!(url("rtsp://Cam.Example/").host(), &Host::Domain("cam.example".into()));
    assert_eq!(url("rtsp://192.0.2.10:554/").host(), &Host::Ipv4(Ipv4Addr::new(192, 0, 2, 10)));
    let v6 = url("rtsp://[2001:db8::1]:8554/a");
    assert_eq!(v6.host(), &Host::Ipv6("2001:db8::1".parse().unwrap()));
    assert_eq!(v6.port(), Some(8554));
    assert_eq!(v6.host().to_string(), "2001:db8::1");
    assert_eq!(v6.to_string(), "rtsp://[2001:db8::1]:8554/a");
}

#[test]
fn credentials_are_split_off_decoded_and_never_shown() {
    let u = url("rtsps://admin:p%40ss:w@rd@192.0.2.10/Streaming/Channels/101");
    let c = u.credentials().unwrap();
    assert_eq!(c.user, "admin");
    assert_eq!(c.password.as_ref().unwrap().expose(), "p@ss:w@rd");
    assert_eq!(u.to_string(), "rtsps://192.0.2.10/Streaming/Channels/101");
    assert_eq!(u.redacted().to_string(), "rtsps://admin:***@192.0.2.10/Streaming/Channels/101");
    let debug = format!("{u:?} {c:?} {:?}", u.redacted());
    assert!(!debug.contains("w@rd") && !debug.contains("p%40ss"), "{debug}");
    assert_eq!(url("rtsp://viewer@cam.example/").redacted().to_string(), "rtsp://viewer@cam.example/");
    assert_eq!(u.without_credentials().credentials(), None);
}

#[test]
fn errors_name_the_position() {
    assert_eq!(Url::parse("http://cam/"), Err(UrlError::UnsupportedScheme { scheme: "http".into() }));
    assert_eq!(Url::parse("/relative"), Err(UrlError::UnsupportedScheme { scheme: String::new() }));
    assert_eq!(Url::parse("rtsp:/x"), Err(UrlError::MissingHost));
    assert_eq!(Url::parse("rtsp:///x"), Err(UrlError::MissingHost));
    assert_eq!(Url::parse("rtsp://cam:99999/").unwrap_err(), syntax(11, "a port number 0-65535"));
    assert_eq!(
        Url::parse("rtsp://cam/a b").unwrap_err(),
        syntax(12, "no spaces or control characters in a URL")
    );
    assert!(matches!(Url::parse("rtsp://[::1/"), Err(UrlError::Syntax { pos: 7, .. })));
    assert!(matches!(Url::parse("rtsp://[fe80::1%25eth0]/"), Err(UrlError::Syntax { pos: 8, .. })));
    assert!(matches!(Url::parse("rtsp://[::1]x/"), Err(UrlError::Syntax { .. })));
    assert!(matches!(Url::parse("rtsp://ca^m/"), Err(UrlError::Syntax { pos: 9, .. })));
    // Past the userinfo, errors are the strict parser's (a raw password never makes a bad host good).
    assert!(matches!(Url::parse("rtsp://u:p%zz@ca^m/"), Err(UrlError::Syntax { .. })));
}

#[test]
fn passwords_typed_with_reserved_characters_are_read_and_never_shown() {
    // As a user types it: `/ # ? space , @ %` unescaped in the password.
    let password = "pa/ss#w?rd ,x@1%";
    for text in [
        format!("rtsps://admin:{password}@192.0.2.10/x"),
        "rtsps://admin:pa%2Fss%23w%3Frd%20%2Cx%401%25@192.0.2.10/x".to_owned(),
    ] {
        let u = Url::parse(&text).unwrap_or_else(|e| panic!("{e}"));
        let c = u.credentials().expect("credentials");
        assert_eq!(
            (c.user.as_str(), c.password.as_ref().map(|p| p.expose().as_str())),
            ("admin", Some(password))
        );
        assert_eq!(u.host().to_string(), "192.0.2.10");
        assert_eq!(u.path(), "/x");
        let shown = format!("{u} {u:?} {} {}", u.redacted(), crate::rtsp::url::redact_text(&text));
        for piece in ["pa/ss", "w?rd", ",x@1", "pa%2F", "ss#", "%25"] {
            assert!(!shown.contains(piece), "{piece} shown in {shown}");
        }
    }
    // `admin:12/34@cam`: a password with `/`, or host `admin` port 12? Neither guess is safe.
    assert_eq!(Url::parse("rtsps://admin:12/34@cam/x"), Err(UrlError::AmbiguousAt));
    assert!(Url::parse("rtsp://cam:554/stream%40hd").is_ok());
    assert!(Url::parse("rtsp://cam/stream@hd").is_ok(), "no `:` before it: a path");
    assert!(Url::parse("rtsp://cam:554/a?token=x@y").is_ok(), "in the query: not ambiguous");
}

#[test]
fn join_follows_rfc_3986_examples() {
    // RFC 3986 section 5.4.1, with our scheme.
    let base = url("rtsp://a/b/c/d;p?q");
    for (reference, expected) in [
        ("g", "rtsp://a/b/c/g"),
        ("./g", "rtsp://a/b/c/g"),
        ("g/", "rtsp://a/b/c/g/"),
        ("/g", "rtsp://a/g"),
        ("//g", "rtsp://g"),
        ("?y", "rtsp://a/b/c/d;p?y"),
        ("g?y", "rtsp://a/b/c/g?y"),
        ("#s", "rtsp://a/b/c/d;p?q#s"),
        ("", "rtsp://a/b/c/d;p?q"),
        (".", "rtsp://a/b/c/"),
        ("..", "rtsp://a/b/"),
        ("../g", "rtsp://a/b/g"),
        ("../..", "rtsp://a/"),
        ("../../../g", "rtsp://a/g"),
        ("/./g", "rtsp://a/g"),
        ("g;x=1/../y", "rtsp://a/b/c/y"),
        ("rtsps://other/x", "rtsps://other/x"),
    ] {
        assert_eq!(base.join(reference).unwrap().to_string(), expected, "{reference}");
    }
}

#[test]
fn control_urls_resolve_like_rtsp_clients_do() {
    let base = url("rtsps://user:pw@cam.example/live");
    assert_eq!(base.resolve_control("*").unwrap(), base);
    assert_eq!(base.resolve_control("trackID=1").unwrap().to_string(), "rtsps://cam.example/live/trackID=1");
    assert_eq!(
        url("rtsp://cam/live/").resolve_control("trackID=1").unwrap().to_string(),
        "rtsp://cam/live/trackID=1"
    );
    assert_eq!(
        base.resolve_control("rtsp://cam.example/live/track2").unwrap().to_string(),
        "rtsp://cam.example/live/track2"
    );
    assert_eq!(base.resolve_control("/abs").unwrap().to_string(), "rtsps://cam.example/abs");
    // A relative control keeps the base's credentials, for the next request's auth.
    assert!(base.resolve_control("t").unwrap().credentials().is_some());
    assert!(base.resolve_control("a b").is_err());
}
