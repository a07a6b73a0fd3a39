//! No password, HA1 or `Authorization` value ever shows in `Debug` output or in findings, whichever type
//! holds it and however it is printed.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::UnixTime;
use rtspeek_core::rtsp::auth::digest::Cnonce;
use rtspeek_core::rtsp::auth::{
    BasicServer, ClientAuth, Credentials, DigestClient, DigestServer, DigestServerConfig, HashAlgorithm,
    ServerKey, StoredSecret, UserTable, digest, parse_authorization, parse_www_authenticate,
};

const PASSWORD: &str = "Tr0ub4dor&3-unique";
const KEY: &[u8] = b"server-key-unique-bytes";

/// Every way a value may be printed for a person: `{:?}` and `{:#?}`.
fn shown(value: &dyn std::fmt::Debug) -> String {
    format!("{value:?}\n{value:#?}")
}

fn assert_hidden(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} shows a secret ({secret}):\n{text}");
    }
}

#[test]
fn debug_output_never_shows_credentials() {
    let ha1 = digest::ha1(HashAlgorithm::Md5, "admin", "cam", PASSWORD);
    let secrets = [PASSWORD, ha1.as_str(), "server-key-unique"];
    let credentials = Credentials::new("admin", PASSWORD);
    assert_hidden("Credentials", &shown(&credentials), &secrets);

    let users =
        UserTable::new().with_password("admin", PASSWORD).with_ha1("op", "cam", HashAlgorithm::Md5, &ha1);
    assert_hidden("UserTable", &shown(&users), &secrets);
    assert_hidden("StoredSecret", &shown(&StoredSecret::Ha1(ha1.as_str().into())), &secrets);

    let server = DigestServer::new(DigestServerConfig::new("cam"), ServerKey::new(KEY)).unwrap();
    assert_hidden("DigestServer", &shown(&server), &secrets);
    assert_hidden("BasicServer", &shown(&BasicServer::new("cam")), &secrets);

    let headers = server.challenge_headers(UnixTime(1_800_000_000), &[3; 12], false);
    let set = parse_www_authenticate(headers.iter().map(String::as_str));
    let md5 = set.challenges.iter().find(|c| c.algorithm() == Some("MD5")).unwrap();
    let mut digest_client = DigestClient::new(md5, &credentials).unwrap();
    assert_hidden("DigestClient", &shown(&digest_client), &secrets);
    let cnonce = Cnonce::new("c").unwrap();
    let value = digest_client.authorization("PLAY", "rtsp://cam.example/", &cnonce).unwrap();
    assert_hidden("Secret", &shown(&value), &[value.expose()]);

    // Basic, end to end: the header value decodes to the password, so it is a secret too.
    for over_tls in [true, false] {
        // (Basic in clear is answered only when allowed: allowed here, to see its value.)
        let mut client = ClientAuth::new(credentials.clone(), over_tls).allow_basic_in_clear(true);
        let step = client.on_unauthorized(["Basic realm=\"cam\""]);
        let value = client.authorization("DESCRIBE", "rtsp://cam.example/", &cnonce).unwrap();
        let parsed = parse_authorization(value.expose()).unwrap();
        let mut all = secrets.to_vec();
        all.push(value.expose());
        assert_hidden("ClientAuth", &shown(&client), &all);
        assert_hidden("AuthStep", &shown(&step), &all);
        assert_hidden("ParsedAuthorization", &shown(&parsed), &all);
        // Findings (evidence, summaries, JSON) never carry them either.
        let json = serde_json::to_string(&step.findings).unwrap();
        assert_hidden("findings", &json, &all);
        let refused = client.on_unauthorized(["Basic realm=\"cam\""]);
        assert_hidden("refusal findings", &serde_json::to_string(&refused.findings).unwrap(), &all);
    }
}
