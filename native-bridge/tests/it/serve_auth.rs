//! `rtspeek serve` (the real binary) checking credentials: a Digest answer captured on one connection and sent
//! again on another is refused while the rightful client's next nonce count is accepted; Digest answers without
//! qop are refused unless the stream allows them. Raw RTSP over the plain listener on 127.0.0.1, every read
//! bounded (the shared raw client's wait).

use crate::support::serve::{Pki, Serve, basic_config};
use rtspeek_core::rtsp::Response;
use rtspeek_core::rtsp::auth::digest::Cnonce;
use rtspeek_core::rtsp::auth::{ClientAuth, Credentials};
use rtspeek_tests::rtsp_client::RtspClient;
use tokio::net::TcpStream;

/// A stream behind Digest (and the user `viewer` / `s3cret`); `auth_extra` goes into its `[stream.auth]`.
fn locked_stream(auth_extra: &str) -> String {
    format!(
        r#"
[[stream]]
path = "locked"
source = {{ kind = "synthetic", width = 160, height = 96, fps = 10, gop = 10, bitrate_kbps = 200 }}
[stream.auth]
schemes = ["digest-sha256", "digest-md5"]
{auth_extra}
[[stream.auth.user]]
name = "viewer"
password = "s3cret"
"#
    )
}

/// One raw RTSP connection, answered request by request.
type Rtsp = RtspClient<TcpStream>;

async fn connect(authority: &str) -> Rtsp {
    let tcp = TcpStream::connect(authority).await.unwrap_or_else(|e| panic!("connect {authority}: {e}"));
    RtspClient::new(tcp)
}

fn body(r: &Response<'_>) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

#[tokio::test]
async fn a_digest_answer_replayed_on_another_connection_is_refused() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, &locked_stream("")));
    let uri = serve.url("rtsp", "locked");
    let authority = Serve::authority(&uri);

    let mut first = connect(&authority).await;
    let r = first.answer("DESCRIBE", &uri, &[]).await;
    assert_eq!(r.status.as_u16(), 401);
    let mut client = ClientAuth::new(Credentials::new("viewer", "s3cret"), false);
    assert!(client.on_unauthorized(r.headers.get_all("WWW-Authenticate")).retry);
    let cnonce = Cnonce::new("0a4f113b").unwrap();
    let captured = client.authorization("DESCRIBE", &uri, &cnonce).expect("a Digest answer");
    let r = first.answer("DESCRIBE", &uri, &[("Authorization", captured.expose())]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", body(&r));

    // The same Authorization (same nonce, nc and cnonce) on a connection of its own.
    let mut second = connect(&authority).await;
    let r = second.answer("DESCRIBE", &uri, &[("Authorization", captured.expose())]).await;
    assert_eq!(r.status.as_u16(), 401, "a replay on another connection: {}", body(&r));
    assert!(r.headers.get("WWW-Authenticate").is_some(), "a fresh challenge comes with the 401");

    // The client's next nonce count is good, on either connection.
    let next = client.authorization("DESCRIBE", &uri, &cnonce).unwrap();
    let r = second.answer("DESCRIBE", &uri, &[("Authorization", next.expose())]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", body(&r));
    let after = client.authorization("DESCRIBE", &uri, &cnonce).unwrap();
    assert_eq!(
        first.answer("DESCRIBE", &uri, &[("Authorization", after.expose())]).await.status.as_u16(),
        200
    );
}

/// An MD5 answer without qop for `uri`, as GStreamer, live555 (VLC), go2rtc and aiortsp send, to the 401 `r`.
fn rfc2069_answer(r: &Response<'_>, uri: &str) -> String {
    let md5 = r.headers.get_all("WWW-Authenticate").find(|v| v.contains("MD5")).expect("an MD5 challenge");
    let without_qop = md5.replace("qop=\"auth\", ", "");
    let mut client = ClientAuth::new(Credentials::new("viewer", "s3cret"), false);
    assert!(client.on_unauthorized([without_qop.as_str()]).retry);
    let answer = client.authorization("DESCRIBE", uri, &Cnonce::new("0a4f113b").unwrap()).unwrap();
    assert!(!answer.expose().contains("qop="), "{}", answer.expose());
    answer.expose().to_owned()
}

#[tokio::test]
async fn digest_answers_without_qop_are_refused_unless_the_stream_allows_them() {
    for (switch, expected) in [("", 401), ("allow_rfc2069 = true", 200)] {
        let pki = Pki::new();
        let serve = Serve::start(&pki, &basic_config(&pki, &locked_stream(switch)));
        let uri = serve.url("rtsp", "locked");
        let mut rtsp = connect(&Serve::authority(&uri)).await;
        let r = rtsp.answer("DESCRIBE", &uri, &[]).await;
        let answer = rfc2069_answer(&r, &uri);
        let r = rtsp.answer("DESCRIBE", &uri, &[("Authorization", &answer)]).await;
        assert_eq!(r.status.as_u16(), expected, "{switch:?}: {}", body(&r));
        if expected == 401 {
            assert!(body(&r).contains("without qop"), "the 401 says why: {}", body(&r));
        }
    }
}
