//! Client against server: rtspeek's Digest and Basic clients answer rtspeek's servers' challenges, through
//! the header text both ways, for every algorithm and qop combination; wrong passwords, expired nonces,
//! replays and every rejection reason. Time and random bytes are inputs, so all of it is deterministic.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rtspeek_core::UnixTime;
use rtspeek_core::rtsp::auth::digest::Cnonce;
use rtspeek_core::rtsp::auth::{
    Algorithm, Authorization, BasicRejection, BasicServer, Challenge, ClientAuth, Credentials,
    DigestAuthorization, DigestClient, DigestRequest, DigestServer, DigestServerConfig, HashAlgorithm,
    Rejection, ServerKey, StoredSecret, UserTable, Verification, digest, parse_authorization,
    parse_www_authenticate,
};

const NOW: UnixTime = UnixTime(1_800_000_000);
const URI: &str = "rtsps://cam.example/stream1";
const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

fn server(configure: impl FnOnce(&mut DigestServerConfig)) -> DigestServer {
    let mut config = DigestServerConfig::new("cam");
    configure(&mut config);
    DigestServer::new(config, ServerKey::new(KEY)).expect("valid config")
}

fn users() -> UserTable {
    UserTable::new().with_password("admin", "right password")
}

/// The server's challenge for `algorithm`, written and parsed back as a client receives it.
fn challenge(
    server: &DigestServer,
    algorithm: Algorithm,
    now: UnixTime,
    random: u8,
    stale: bool,
) -> Challenge {
    let headers = server.challenge_headers(now, &[random; 12], stale);
    let set = parse_www_authenticate(headers.iter().map(String::as_str));
    assert!(set.errors.is_empty() && set.quirks.is_empty(), "{set:?}");
    set.challenges.into_iter().find(|c| c.algorithm() == Some(algorithm.name())).expect("offered")
}

fn cnonce(n: u8) -> Cnonce {
    Cnonce::from_random(&[n; 16]).expect("cnonce")
}

/// What the server receives: the client's answer written as a header and parsed back.
fn over_the_wire(answer: &DigestAuthorization) -> DigestAuthorization {
    match parse_authorization(&answer.to_header_value()).expect("parses").authorization {
        Authorization::Digest(d) => d,
        other => panic!("{other:?}"),
    }
}

fn request(method: &str) -> DigestRequest<'_> {
    DigestRequest { method, uri: URI }
}

#[test]
fn every_algorithm_and_qop_round_trips() {
    for algorithm in Algorithm::ALL {
        for with_qop in [true, false] {
            let mut server = server(|c| c.algorithms = vec![algorithm]);
            let mut offered = challenge(&server, algorithm, NOW, 1, false);
            if !with_qop {
                // An RFC 2069-era challenge: no qop at all.
                offered.params.retain(|p| p.name != "qop");
            }
            let client = DigestClient::new(&offered, &Credentials::new("admin", "right password"));
            if algorithm.session && !with_qop {
                assert!(client.is_err(), "{algorithm} without qop has no cnonce to bind to");
                continue;
            }
            let mut client = client.expect("answerable");
            for (n, method) in ["OPTIONS", "DESCRIBE", "SETUP", "PLAY"].into_iter().enumerate() {
                let answer = over_the_wire(&client.respond(method, URI, &cnonce(n as u8)).expect("answer"));
                assert_eq!(answer.nc, with_qop.then_some(n as u32 + 1), "{algorithm}");
                assert_eq!(answer.algorithm.as_deref(), Some(algorithm.name()));
                let verdict = server.verify(&answer, request(method), NOW, &users());
                assert_eq!(
                    verdict,
                    Verification::Accepted { username: "admin".into() },
                    "{algorithm} qop={with_qop}"
                );
            }
            let mut wrong =
                DigestClient::new(&offered, &Credentials::new("admin", "wrong password")).unwrap();
            let answer = over_the_wire(&wrong.respond("PLAY", URI, &cnonce(9)).unwrap());
            assert_eq!(
                server.verify(&answer, request("PLAY"), NOW, &users()),
                Verification::Rejected(Rejection::WrongResponse),
                "{algorithm} qop={with_qop}"
            );
        }
    }
}

#[test]
fn the_answer_is_bound_to_method_and_user() {
    let mut server = server(|_| {});
    let offered = challenge(&server, Algorithm::SHA256, NOW, 1, false);
    let mut client = DigestClient::new(&offered, &Credentials::new("admin", "right password")).unwrap();
    let answer = over_the_wire(&client.respond("DESCRIBE", URI, &cnonce(1)).unwrap());
    assert_eq!(
        server.verify(&answer, request("PLAY"), NOW, &users()),
        Verification::Rejected(Rejection::WrongResponse)
    );
    let mut other_user = answer.clone();
    other_user.username = "nobody".into();
    assert_eq!(
        server.verify(&other_user, request("DESCRIBE"), NOW, &users()),
        Verification::Rejected(Rejection::UnknownUser)
    );
}

#[test]
fn expired_nonce_is_stale_and_the_client_renews_without_the_password() {
    let mut server = server(|_| {});
    let offered = challenge(&server, Algorithm::SHA256, NOW, 1, false);
    let mut client = DigestClient::new(&offered, &Credentials::new("admin", "right password")).unwrap();
    let later = UnixTime(NOW.secs() + 301);
    let answer = over_the_wire(&client.respond("PLAY", URI, &cnonce(1)).unwrap());
    assert_eq!(server.verify(&answer, request("PLAY"), later, &users()), Verification::Stale);
    // Stale is only for right answers: a wrong password with an old nonce is refused.
    let mut wrong = DigestClient::new(&offered, &Credentials::new("admin", "nope")).unwrap();
    let bad = over_the_wire(&wrong.respond("PLAY", URI, &cnonce(1)).unwrap());
    assert_eq!(
        server.verify(&bad, request("PLAY"), later, &users()),
        Verification::Rejected(Rejection::WrongResponse)
    );

    let renewed = challenge(&server, Algorithm::SHA256, later, 2, true);
    assert!(renewed.stale());
    client.renew(&renewed).expect("same realm and algorithm");
    let answer = over_the_wire(&client.respond("PLAY", URI, &cnonce(2)).unwrap());
    assert_eq!(answer.nc, Some(1), "the count restarts with the new nonce");
    assert_eq!(
        server.verify(&answer, request("PLAY"), later, &users()),
        Verification::Accepted { username: "admin".into() }
    );
}

#[test]
fn replayed_nonce_counts_are_rejected() {
    let mut server = server(|_| {});
    let offered = challenge(&server, Algorithm::MD5, NOW, 1, false);
    let mut client = DigestClient::new(&offered, &Credentials::new("admin", "right password")).unwrap();
    let first = over_the_wire(&client.respond("PLAY", URI, &cnonce(1)).unwrap());
    let second = over_the_wire(&client.respond("PLAY", URI, &cnonce(2)).unwrap());
    let accepted = Verification::Accepted { username: "admin".into() };
    assert_eq!(server.verify(&first, request("PLAY"), NOW, &users()), accepted);
    assert_eq!(
        server.verify(&first, request("PLAY"), NOW, &users()),
        Verification::Rejected(Rejection::Replay { nc: 1, last: 1 })
    );
    assert_eq!(server.verify(&second, request("PLAY"), NOW, &users()), accepted);
    assert_eq!(
        server.verify(&first, request("PLAY"), NOW, &users()),
        Verification::Rejected(Rejection::Replay { nc: 1, last: 2 })
    );
}

#[test]
fn replay_memory_is_bounded_and_forgotten_nonces_turn_stale() {
    let mut server = server(|c| c.max_tracked_nonces = 2);
    let accepted = Verification::Accepted { username: "admin".into() };
    let mut clients = Vec::new();
    for i in 0..3u8 {
        let when = UnixTime(NOW.secs() + i64::from(i));
        let offered = challenge(&server, Algorithm::MD5, when, i, false);
        let mut client = DigestClient::new(&offered, &Credentials::new("admin", "right password")).unwrap();
        let answer = over_the_wire(&client.respond("PLAY", URI, &cnonce(i)).unwrap());
        assert_eq!(server.verify(&answer, request("PLAY"), when, &users()), accepted);
        clients.push(client);
    }
    // The first nonce was evicted to stay within 2 entries: its history is unknown, so it must be renewed.
    let answer = over_the_wire(&clients[0].respond("PLAY", URI, &cnonce(7)).unwrap());
    assert_eq!(
        server.verify(&answer, request("PLAY"), UnixTime(NOW.secs() + 3), &users()),
        Verification::Stale
    );
    let answer = over_the_wire(&clients[2].respond("PLAY", URI, &cnonce(7)).unwrap());
    assert_eq!(server.verify(&answer, request("PLAY"), UnixTime(NOW.secs() + 3), &users()), accepted);
}

#[test]
fn userhash_round_trip() {
    let mut server = server(|c| c.userhash = true);
    let offered = challenge(&server, Algorithm::SHA256, NOW, 1, false);
    assert!(offered.userhash());
    let mut client = DigestClient::new(&offered, &Credentials::new("admin", "right password")).unwrap();
    let answer = over_the_wire(&client.respond("PLAY", URI, &cnonce(1)).unwrap());
    assert!(answer.userhash);
    assert_eq!(answer.username, digest::userhash(HashAlgorithm::Sha256, "admin", "cam"));
    assert_eq!(
        server.verify(&answer, request("PLAY"), NOW, &users()),
        Verification::Accepted { username: "admin".into() }
    );
    // A store that cannot look users up by hash refuses such answers.
    let by_name_only = |user: &str, _: &str, _: HashAlgorithm| {
        (user == "admin").then(|| StoredSecret::Password("right password".into()))
    };
    let answer = over_the_wire(&client.respond("PLAY", URI, &cnonce(2)).unwrap());
    assert_eq!(
        server.verify(&answer, request("PLAY"), NOW, &by_name_only),
        Verification::Rejected(Rejection::UnknownUser)
    );
}

#[test]
fn stored_ha1_instead_of_passwords() {
    let ha1 = |hash| digest::ha1(hash, "op", "cam", "pw");
    let users = UserTable::new()
        .with_ha1("op", "cam", HashAlgorithm::Md5, &ha1(HashAlgorithm::Md5))
        .with_ha1("op", "cam", HashAlgorithm::Sha256, &ha1(HashAlgorithm::Sha256).to_ascii_uppercase());
    let mut server =
        server(|c| c.algorithms = vec![Algorithm::SHA512_256, Algorithm::SHA256_SESS, Algorithm::MD5]);
    for (random, algorithm, expected) in [
        (1, Algorithm::SHA256_SESS, Verification::Accepted { username: "op".into() }),
        (2, Algorithm::MD5, Verification::Accepted { username: "op".into() }),
        (3, Algorithm::SHA512_256, Verification::Rejected(Rejection::UnknownUser)),
    ] {
        // One 401 per client: each gets its own nonce (the replay table is keyed by nonce).
        let offered = challenge(&server, algorithm, NOW, random, false);
        let mut client = DigestClient::new(&offered, &Credentials::new("op", "pw")).unwrap();
        let answer = over_the_wire(&client.respond("PLAY", URI, &cnonce(1)).unwrap());
        assert_eq!(server.verify(&answer, request("PLAY"), NOW, &users), expected, "{algorithm}");
    }
}

#[test]
fn every_rejection_reason() {
    let answer_for = |server: &DigestServer, algorithm| {
        let offered = challenge(server, algorithm, NOW, 1, false);
        let mut client = DigestClient::new(&offered, &Credentials::new("admin", "right password")).unwrap();
        over_the_wire(&client.respond("PLAY", URI, &cnonce(1)).unwrap())
    };
    let mut s = server(|c| c.opaque = Some("opaque-value".into()));
    let good = answer_for(&s, Algorithm::SHA256);
    assert_eq!(good.opaque.as_deref(), Some("opaque-value"), "opaque is echoed");
    let cases: Vec<(Tamper, Rejection)> = vec![
        (|a| a.algorithm = Some("SHA-512-256".into()), Rejection::UnsupportedAlgorithm("SHA-512-256".into())),
        (|a| a.algorithm = Some("SHA-1".into()), Rejection::UnsupportedAlgorithm("SHA-1".into())),
        (|a| a.realm = "elsewhere".into(), Rejection::RealmMismatch),
        (|a| a.opaque = None, Rejection::OpaqueMismatch),
        (|a| a.uri = "rtsps://cam.example/other".into(), Rejection::UriMismatch),
        (|a| a.qop = Some("auth-int".into()), Rejection::UnsupportedQop("auth-int".into())),
        (|a| a.cnonce = None, Rejection::MissingCnonceOrNc),
        (|a| a.nc = None, Rejection::MissingCnonceOrNc),
        (|a| a.nonce = "bm90IG91ciBub25jZQ".into(), Rejection::UnknownNonce),
        (|a| a.response = "0".repeat(64), Rejection::WrongResponse),
    ];
    for (tamper, expected) in cases {
        let mut answer = good.clone();
        tamper(&mut answer);
        assert_eq!(s.verify(&answer, request("PLAY"), NOW, &users()), Verification::Rejected(expected));
    }
    // A nonce made by another server (another key) is unknown too.
    let other = DigestServer::new(DigestServerConfig::new("cam"), ServerKey::new(*b"other key")).unwrap();
    let mut from_other = answer_for(&other, Algorithm::SHA256);
    from_other.opaque = good.opaque.clone();
    assert_eq!(
        s.verify(&from_other, request("PLAY"), NOW, &users()),
        Verification::Rejected(Rejection::UnknownNonce)
    );
    // A nonce "issued" far in the future (the verifier's clock went back).
    assert_eq!(
        s.verify(&good, request("PLAY"), UnixTime(NOW.secs() - 3600), &users()),
        Verification::Rejected(Rejection::NonceFromFuture)
    );

    // RFC 2069-style answers when the server insists on qop, and -sess without qop.
    let mut strict = server(|c| {
        c.accept_rfc2069 = false;
        c.algorithms = vec![Algorithm::MD5, Algorithm::MD5_SESS];
    });
    let mut no_qop = answer_for(&strict, Algorithm::MD5);
    (no_qop.qop, no_qop.nc, no_qop.cnonce) = (None, None, None);
    assert_eq!(
        strict.verify(&no_qop, request("PLAY"), NOW, &users()),
        Verification::Rejected(Rejection::QopRequired)
    );
    let mut lenient = server(|c| c.algorithms = vec![Algorithm::MD5_SESS]);
    let mut sess = answer_for(&lenient, Algorithm::MD5_SESS);
    (sess.qop, sess.nc, sess.cnonce) = (None, None, None);
    assert_eq!(
        lenient.verify(&sess, request("PLAY"), NOW, &users()),
        Verification::Rejected(Rejection::SessionWithoutQop)
    );
}

/// Changes one field of an answer.
type Tamper = fn(&mut DigestAuthorization);

/// A camera that requires Digest (or Basic) on every request, for driving [`ClientAuth`].
struct Camera {
    digest: DigestServer,
    basic: Option<BasicServer>,
    users: UserTable,
    random: u8,
}

impl Camera {
    /// `Ok(())` for 200, `Err(WWW-Authenticate values)` for 401.
    fn handle(
        &mut self,
        method: &str,
        authorization: Option<&str>,
        now: UnixTime,
    ) -> Result<(), Vec<String>> {
        let mut stale = false;
        match authorization.map(parse_authorization) {
            Some(Ok(parsed)) => match parsed.authorization {
                Authorization::Digest(answer) => {
                    match self.digest.verify(&answer, DigestRequest { method, uri: URI }, now, &self.users) {
                        Verification::Accepted { .. } => return Ok(()),
                        Verification::Stale => stale = true,
                        Verification::Rejected(_) => {}
                    }
                }
                Authorization::Basic(creds) => {
                    if self.basic.as_ref().is_some_and(|b| b.verify(&creds, &self.users).is_ok()) {
                        return Ok(());
                    }
                }
                Authorization::Other { .. } => {}
            },
            Some(Err(e)) => panic!("the client sent an unparsable Authorization: {e}"),
            None => {}
        }
        self.random = self.random.wrapping_add(1);
        let mut headers = self.digest.challenge_headers(now, &[self.random; 12], stale);
        headers.extend(self.basic.iter().map(|b| b.challenge().to_header_value()));
        Err(headers)
    }
}

/// Sends `method` until it succeeds or the client gives up; returns the finding codes seen and the outcome.
fn exchange(
    camera: &mut Camera,
    client: &mut ClientAuth,
    method: &str,
    now: UnixTime,
    n: &mut u8,
) -> (Vec<String>, bool) {
    let mut codes = Vec::new();
    let mut authorization = None;
    for _ in 0..5 {
        *n = n.wrapping_add(1);
        match camera.handle(
            method,
            authorization.as_ref().map(|s: &rtspeek_core::rtsp::auth::Secret| s.expose()),
            now,
        ) {
            Ok(()) => {
                client.on_authorized();
                return (codes, true);
            }
            Err(headers) => {
                let step = client.on_unauthorized(headers.iter().map(String::as_str));
                codes.extend(step.findings.into_iter().map(|f| f.code));
                if !step.retry {
                    return (codes, false);
                }
                authorization = client.authorization(method, URI, &cnonce(*n));
            }
        }
    }
    panic!("no outcome after 5 round trips: {codes:?}");
}

#[test]
fn client_auth_against_a_camera_over_a_session() {
    let mut camera = Camera { digest: server(|_| {}), basic: None, users: users(), random: 0 };
    let mut client = ClientAuth::new(Credentials::new("admin", "right password"), true);
    let mut n = 0;
    let (codes, ok) = exchange(&mut camera, &mut client, "DESCRIBE", NOW, &mut n);
    assert!(ok);
    assert_eq!(codes, ["auth.required"]);
    // Later requests reuse the nonce, counting up: no 401.
    let value = client.authorization("SETUP", URI, &cnonce(50)).unwrap();
    assert_eq!(camera.handle("SETUP", Some(value.expose()), NOW), Ok(()));
    // Ten minutes on, the nonce is stale: one 401, answered again without the password.
    let later = UnixTime(NOW.secs() + 600);
    let value = client.authorization("PLAY", URI, &cnonce(51)).unwrap();
    let headers = camera.handle("PLAY", Some(value.expose()), later).unwrap_err();
    let step = client.on_unauthorized(headers.iter().map(String::as_str));
    assert!(step.retry);
    assert_eq!(step.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["auth.stale_nonce"]);
    let value = client.authorization("PLAY", URI, &cnonce(52)).unwrap();
    assert_eq!(camera.handle("PLAY", Some(value.expose()), later), Ok(()));

    // A wrong password: one answer, then auth.rejected and no more tries.
    let mut wrong = ClientAuth::new(Credentials::new("admin", "wrong"), true);
    let (codes, ok) = exchange(&mut camera, &mut wrong, "DESCRIBE", NOW, &mut n);
    assert!(!ok && wrong.refused());
    assert_eq!(codes, ["auth.required", "auth.rejected"]);
}

#[test]
fn client_auth_chooses_digest_over_basic_and_uses_basic_when_alone() {
    let mut camera = Camera {
        digest: server(|c| c.algorithms = vec![Algorithm::MD5]),
        basic: Some(BasicServer::new("cam")),
        users: users(),
        random: 0,
    };
    let mut client = ClientAuth::new(Credentials::new("admin", "right password"), true);
    let headers = camera.handle("DESCRIBE", None, NOW).unwrap_err();
    let step = client.on_unauthorized(headers.iter().map(String::as_str));
    assert_eq!(step.capability.chosen.map(|c| c.algorithm), Some(Some(Algorithm::MD5)));

    let basic = BasicServer::new("cam");
    let mut client = ClientAuth::new(Credentials::new("admin", "right password"), true);
    let step = client.on_unauthorized([basic.challenge().to_header_value().as_str()]);
    assert!(step.retry);
    let value = client.authorization("DESCRIBE", URI, &cnonce(1)).unwrap();
    let Authorization::Basic(creds) = parse_authorization(value.expose()).unwrap().authorization else {
        panic!()
    };
    assert_eq!(basic.verify(&creds, &users()), Ok("admin".to_owned()));
    let wrong = Credentials::new("admin", "wrong");
    assert_eq!(basic.verify(&wrong, &users()), Err(BasicRejection::WrongPassword));
}
