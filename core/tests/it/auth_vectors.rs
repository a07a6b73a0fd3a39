//! Test vectors from the RFCs, through the public API: the challenge as printed is parsed, answered with the
//! printed client nonce, and the answer compared with the printed `Authorization` values.
//!
//! Every expected response below was also recomputed independently with Python's `hashlib` (a one-off, not
//! part of the suite), which is how the errata values were confirmed.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::rtsp::auth::digest::Cnonce;
use rtspeek_core::rtsp::auth::{
    Algorithm, Authorization, Credentials, DigestAuthorization, DigestClient, parse_authorization,
    parse_www_authenticate,
};

fn answer(
    challenge: &str,
    index: usize,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    cnonce: &str,
) -> DigestAuthorization {
    let set = parse_www_authenticate([challenge]);
    assert!(set.errors.is_empty() && set.quirks.is_empty(), "{set:?}");
    let mut client =
        DigestClient::new(&set.challenges[index], &Credentials::new(user, password)).expect("answerable");
    client.respond(method, uri, &Cnonce::new(cnonce).expect("cnonce")).expect("response")
}

fn parsed(value: &str) -> DigestAuthorization {
    match parse_authorization(value).expect("parses").authorization {
        Authorization::Digest(d) => d,
        other => panic!("not Digest: {other:?}"),
    }
}

/// RFC 2617 section 3.5: Mufasa / "Circle Of Life", MD5, qop=auth.
#[test]
fn rfc2617_section_3_5() {
    let challenge = concat!(
        "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", ",
        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
    );
    let ours = answer(challenge, 0, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b");
    // The Authorization header exactly as the RFC prints it (whitespace folded).
    let rfc = parsed(concat!(
        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", ",
        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, nc=00000001, ",
        "cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", ",
        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
    ));
    assert_eq!(ours, rfc);
    assert_eq!(ours.response, "6629fae49393a05397450978507c4ef1");
}

/// RFC 7616 section 3.9.1: the same request answered with SHA-256 and with MD5 (password "Circle of Life").
#[test]
fn rfc7616_section_3_9_1() {
    let challenge = concat!(
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, ",
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", ",
        "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", ",
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, ",
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", ",
        "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
    );
    let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    let sha = answer(challenge, 0, "Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce);
    let md5 = answer(challenge, 1, "Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce);
    assert_eq!(sha.response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    assert_eq!(md5.response, "8ca523f5e9506fed4657c9700eebdbec");
    let rfc_sha = parsed(concat!(
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", ",
        "algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, ",
        "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, ",
        "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", ",
        "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
    ));
    assert_eq!(sha, rfc_sha);
    assert_eq!(sha.to_header_value(), parse_back(&sha.to_header_value()).to_header_value());
}

/// RFC 7616 section 3.9.2: SHA-512-256, charset=UTF-8 and userhash, user "Jäsøn Doe", password
/// "Secret, or not?".
///
/// The RFC prints a wrong userhash (`488869477bf2...`) and response (`ae66e67d6b42...`): RFC errata ID 4897.
/// The values asserted here are the corrected ones, which Python's `hashlib.new("sha512_256")` confirms:
/// userhash = H("Jäsøn Doe:api@example.org"), and the response over the RFC's nonce, nc and cnonce.
#[test]
fn rfc7616_section_3_9_2_with_errata_4897() {
    let challenge = concat!(
        "Digest realm=\"api@example.org\", qop=\"auth\", algorithm=SHA-512-256, ",
        "nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", ",
        "opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", charset=UTF-8, userhash=true"
    );
    let set = parse_www_authenticate([challenge]);
    assert_eq!(set.challenges[0].charset(), Some("UTF-8"));
    let user = "J\u{e4}s\u{f8}n Doe";
    let cnonce = "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v";
    let ours = answer(challenge, 0, user, "Secret, or not?", "GET", "/doe.json", cnonce);
    assert!(ours.userhash);
    assert_eq!(ours.username, "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
    assert_eq!(ours.response, "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5");
    assert_ne!(ours.username, "488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec");
    assert_ne!(ours.response, "ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd");
    assert_eq!(ours.algorithm.as_deref(), Some("SHA-512-256"));

    // Without userhash the name travels as username* (RFC 8187); the response is the same, since HA1 is
    // computed over the name itself.
    let plain = challenge.replace(", userhash=true", "");
    let ours = answer(&plain, 0, user, "Secret, or not?", "GET", "/doe.json", cnonce);
    let header = ours.to_header_value();
    assert!(header.starts_with("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "), "{header}");
    assert_eq!(ours.response, "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5");
    assert_eq!(parse_back(&header).username, user);
}

/// RFC 2069 section 2.4 (no qop), via RFC 2617 section 3.2.2.1 compatibility. The RFC prints a wrong
/// response; RFC errata ID 749 gives `1949323746fe6a43ef61f9606e7febea` (also confirmed with hashlib).
#[test]
fn rfc2069_compatibility_with_errata_749() {
    let challenge = concat!(
        "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", ",
        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
    );
    let ours = answer(challenge, 0, "Mufasa", "CircleOfLife", "GET", "/dir/index.html", "unused");
    assert_eq!(ours.response, "1949323746fe6a43ef61f9606e7febea");
    assert_eq!((&ours.qop, ours.nc, &ours.cnonce, &ours.algorithm), (&None, None, &None, &None));
    assert_eq!(
        ours.to_header_value(),
        concat!(
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", uri=\"/dir/index.html\", ",
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", response=\"1949323746fe6a43ef61f9606e7febea\", ",
            "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        )
    );
}

/// Session variants have no RFC example; these pin the RFC 7616 section 3.4.2 formula
/// (`HA1 = H(H(user:realm:password):nonce:cnonce)`), values computed with hashlib.
#[test]
fn session_variants() {
    let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    let expected = [
        (Algorithm::MD5_SESS, "e783283f46242139c486a698fec7211d"),
        (Algorithm::SHA256_SESS, "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7"),
        (Algorithm::SHA512_256_SESS, "3f2a34f923c38b0fb26dce2fdfc2ce326c23cecf86fbb1444f3e51fbbc2cb92e"),
    ];
    for (algorithm, response) in expected {
        let challenge = format!(
            "Digest realm=\"http-auth@example.org\", qop=\"auth\", algorithm={algorithm}, \
             nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\""
        );
        let ours = answer(&challenge, 0, "Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce);
        assert_eq!(ours.response, response, "{algorithm}");
    }
}

fn parse_back(value: &str) -> DigestAuthorization {
    parsed(value)
}
