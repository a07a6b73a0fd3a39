//! The fault camera driven by raw clients on loopback: the healthy flow gives real RTP over TCP and UDP, and
//! each scripted fault shows on the wire as scripted. Every test is bounded by a timeout.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use rtspeek_core::rtcp::{self, ReportBlock};
use rtspeek_core::rtp::RtpPacket;
use rtspeek_core::rtsp::auth::Algorithm;
use rtspeek_core::rtsp::auth::digest::Cnonce;
use rtspeek_core::rtsp::auth::{ClientAuth, Credentials};
use rtspeek_core::rtsp::headers::{RtpInfo, Transport};
use rtspeek_core::rtsp::{Method, Quirks, Response};
use rtspeek_tests::fault_camera::{
    AuthScript, CameraConfig, FaultCamera, Offer, Override, SsrcChange, TlsFault, TlsSetup, TlsVersions,
};
use rtspeek_tests::pki::{Cert, Eku, days_from_now};
use rtspeek_tests::rtsp_client::RtspClient;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

/// Runs a test body with a bound on its wall time.
async fn bounded<T>(body: impl Future<Output = T>) -> T {
    timeout(Duration::from_secs(5), body).await.expect("test took longer than 5 s")
}

async fn connect(cam: &FaultCamera) -> RtspClient<TcpStream> {
    RtspClient::new(TcpStream::connect(cam.addr()).await.unwrap())
}

/// OPTIONS, DESCRIBE, SETUP (interleaved 0-1), PLAY; returns the PLAY response.
async fn play_tcp<S: AsyncRead + AsyncWrite + Unpin>(c: &mut RtspClient<S>, url: &str) -> Response<'static> {
    assert_eq!(c.answer("OPTIONS", url, &[]).await.status.as_u16(), 200);
    let describe = c.answer("DESCRIBE", url, &[("Accept", "application/sdp")]).await;
    assert_eq!(describe.status.as_u16(), 200);
    let base = describe.headers.get("Content-Base").unwrap().to_owned();
    let setup = c
        .answer("SETUP", &format!("{base}trackID=0"), &[("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")])
        .await;
    assert_eq!(setup.status.as_u16(), 200);
    let session = setup.headers.get("Session").unwrap().split(';').next().unwrap().to_owned();
    c.answer("PLAY", &base, &[("Session", &session), ("Range", "npt=0.000-")]).await
}

/// The RTP sequence numbers of channel-0 frames, checking each parses.
fn rtp_sequences(frames: &[(u8, Vec<u8>)]) -> Vec<u16> {
    frames
        .iter()
        .filter(|(ch, _)| *ch == 0)
        .map(|(_, p)| RtpPacket::parse(p).expect("RTP parses").sequence())
        .collect()
}

#[tokio::test]
async fn healthy_flow_streams_continuous_rtp_with_sender_reports() {
    let cam = FaultCamera::start(CameraConfig::default()).await.unwrap();
    let url = cam.url("/stream");
    assert!(url.starts_with("rtsp://127.0.0.1:"));
    bounded(async {
        let mut c = connect(&cam).await;
        let play = play_tcp(&mut c, &url).await;
        assert_eq!(play.status.as_u16(), 200);
        assert_eq!(play.headers.get("Server"), Some("rtspeek-fault-camera"));
        assert_eq!(play.headers.get("CSeq"), Some("4"));
        let info = play.headers.typed::<RtpInfo>().unwrap().unwrap();
        let first_seq = info.0[0].seq.unwrap();

        let frames = c.frames_for(Duration::from_millis(1300)).await;
        let seqs = rtp_sequences(&frames);
        assert!(seqs.len() > 40, "about 3 packets per frame at 25 fps: {}", seqs.len());
        assert_eq!(seqs[0], first_seq, "RTP-Info announces the first packet");
        assert!(seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)), "continuous: {seqs:?}");
        let first = RtpPacket::parse(&frames.iter().find(|f| f.0 == 0).unwrap().1).unwrap();
        assert_eq!((first.ssrc(), first.payload_type()), (CameraConfig::default().media.ssrc, 96));
        let reports: Vec<_> = frames.iter().filter(|(ch, _)| *ch == 1).collect();
        assert!(!reports.is_empty(), "an SR follows the first packet");
        assert!(rtcp::Compound::parse(&reports[0].1).is_ok());

        // The client's receiver report on the RTCP channel is recorded.
        let mut rr = Vec::new();
        rtcp::write_receiver_report(
            0x1234,
            &[ReportBlock { ssrc: first.ssrc(), ..ReportBlock::default() }],
            &mut rr,
        );
        let mut frame = vec![b'$', 1];
        frame.extend_from_slice(&(rr.len() as u16).to_be_bytes());
        frame.extend_from_slice(&rr);
        c.stream().write_all(&frame).await.unwrap();
        let keepalive = c.answer("GET_PARAMETER", &url, &[]).await;
        assert_eq!(keepalive.status.as_u16(), 200);
        assert_eq!(cam.rtcp_received(), vec![rr]);

        assert_eq!(c.answer("TEARDOWN", &url, &[]).await.status.as_u16(), 200);
        let methods: Vec<String> = cam.requests().into_iter().map(|r| r.method).collect();
        assert_eq!(methods, ["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "GET_PARAMETER", "TEARDOWN"]);
        assert_eq!(cam.connections(), 1);
    })
    .await;
}

#[tokio::test]
async fn describe_override_answers_404_and_the_rest_still_works() {
    let cam = FaultCamera::start(CameraConfig::default().on(Override::status(Method::Describe, 404)))
        .await
        .unwrap();
    bounded(async {
        let mut c = connect(&cam).await;
        let url = cam.url("/nope");
        let r = c.answer("DESCRIBE", &url, &[]).await;
        assert_eq!((r.status.as_u16(), &*r.reason), (404, "Not Found"));
        assert_eq!(r.headers.get("CSeq"), Some("1"));
        assert_eq!(c.answer("OPTIONS", &url, &[]).await.status.as_u16(), 200);
    })
    .await;
}

#[tokio::test]
async fn digest_auth_challenges_then_accepts_the_right_answer_only() {
    let cam = FaultCamera::start(CameraConfig::default().auth(AuthScript::digest("admin", "secret")))
        .await
        .unwrap();
    bounded(async {
        let mut c = connect(&cam).await;
        let url = cam.url("/stream");
        assert_eq!(c.answer("OPTIONS", &url, &[]).await.status.as_u16(), 200, "OPTIONS is not protected");
        let first = c.answer("DESCRIBE", &url, &[]).await;
        assert_eq!(first.status.as_u16(), 401);
        let challenges: Vec<&str> = first.headers.get_all("WWW-Authenticate").collect();
        assert!(challenges[0].starts_with("Digest ") && challenges[0].contains("algorithm=MD5"));

        for (password, status) in [("wrong", 401), ("secret", 200)] {
            let mut auth = ClientAuth::new(Credentials::new("admin", password), false);
            assert!(auth.on_unauthorized(challenges.iter().copied()).retry);
            let cnonce = Cnonce::from_random(&[7; 16]).unwrap();
            let value = auth.authorization("DESCRIBE", &url, &cnonce).unwrap();
            let r = c.answer("DESCRIBE", &url, &[("Authorization", value.expose())]).await;
            assert_eq!(r.status.as_u16(), status, "password {password}");
        }
        assert!(cam.requests()[3].header("Authorization").is_some_and(|v| v.starts_with("Digest ")));
    })
    .await;
}

#[tokio::test]
async fn loss_impairment_leaves_gaps_every_nth_packet() {
    let config = CameraConfig::default().impair(|i| i.drop_every = Some(4));
    let cam = FaultCamera::start(config).await.unwrap();
    bounded(async {
        let mut c = connect(&cam).await;
        let play = play_tcp(&mut c, &cam.url("/stream")).await;
        let first_seq = play.headers.typed::<RtpInfo>().unwrap().unwrap().0[0].seq.unwrap();
        let seqs = rtp_sequences(&c.frames_for(Duration::from_millis(700)).await);
        assert!(seqs.len() > 20);
        let offsets: Vec<u16> = seqs.iter().map(|s| s.wrapping_sub(first_seq)).collect();
        let last = *offsets.last().unwrap();
        let missing: Vec<u16> = (0..last).filter(|o| !offsets.contains(o)).collect();
        assert!(!missing.is_empty() && missing.iter().all(|o| o % 4 == 3), "missing {missing:?}");
        assert_eq!(missing.len(), usize::from(last + 1) / 4);
    })
    .await;
}

#[tokio::test]
async fn silent_camera_never_answers() {
    let cam = FaultCamera::start(CameraConfig::default().fault(TlsFault::Silent)).await.unwrap();
    assert!(cam.url("/x").starts_with("rtsps://"), "a TLS fault implies an rtsps:// URL");
    bounded(async {
        let mut tcp = TcpStream::connect(cam.addr()).await.unwrap();
        tcp.write_all(b"OPTIONS rtsp://127.0.0.1/x RTSP/1.0\r\nCSeq: 1\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 64];
        assert!(timeout(Duration::from_millis(500), tcp.read(&mut buf)).await.is_err(), "no answer");
        assert!(cam.requests().is_empty());
    })
    .await;
}

/// A handshake record holding 4 bytes: enough for the camera to read "a ClientHello".
const FAKE_HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00];

async fn answer_to_hello(cam: &FaultCamera) -> std::io::Result<Vec<u8>> {
    let mut tcp = TcpStream::connect(cam.addr()).await?;
    tcp.write_all(FAKE_HELLO).await?;
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await?;
    Ok(answer)
}

#[tokio::test]
async fn hello_faults_answer_as_scripted_on_every_connection() {
    bounded(async {
        let alert =
            FaultCamera::start(CameraConfig::default().fault(TlsFault::AlertOnHello(40))).await.unwrap();
        for _ in 0..2 {
            assert_eq!(answer_to_hello(&alert).await.unwrap(), [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
        }
        assert_eq!(alert.connections(), 2);

        let close = FaultCamera::start(CameraConfig::default().fault(TlsFault::CloseOnHello)).await.unwrap();
        assert_eq!(answer_to_hello(&close).await.unwrap(), b"");

        let reset = FaultCamera::start(CameraConfig::default().fault(TlsFault::ResetOnHello)).await.unwrap();
        let error = answer_to_hello(&reset).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);

        let plain = FaultCamera::start(CameraConfig::default().fault(TlsFault::PlainRtsp)).await.unwrap();
        let answer = String::from_utf8(answer_to_hello(&plain).await.unwrap()).unwrap();
        assert!(answer.starts_with("RTSP/1.0 400 Bad Request\r\n"), "{answer}");
        // The same port answers a plain OPTIONS (a probe sniffing for plain RTSP).
        let mut c = connect(&plain).await;
        assert_eq!(c.answer("OPTIONS", &plain.url_with_scheme("rtsp", "/"), &[]).await.status.as_u16(), 200);

        let http = FaultCamera::start(CameraConfig::default().fault(TlsFault::Http)).await.unwrap();
        let answer = String::from_utf8(answer_to_hello(&http).await.unwrap()).unwrap();
        assert!(answer.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{answer}");
    })
    .await;
}

#[tokio::test]
async fn udp_setup_and_play_deliver_datagrams_and_record_rtcp() {
    let cam = FaultCamera::start(CameraConfig::default()).await.unwrap();
    bounded(async {
        let rtp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let rtcp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let ports = (rtp.local_addr().unwrap().port(), rtcp.local_addr().unwrap().port());
        let mut c = connect(&cam).await;
        let url = cam.url("/stream");
        let transport = format!("RTP/AVP;unicast;client_port={}-{}", ports.0, ports.1);
        let setup = c.answer("SETUP", &format!("{url}/trackID=0"), &[("Transport", &transport)]).await;
        assert_eq!(setup.status.as_u16(), 200);
        let chosen = setup.headers.typed::<Transport>().unwrap().unwrap().0.remove(0);
        assert_eq!(chosen.client_port.map(|p| (p.start, p.end)), Some((ports.0, Some(ports.1))));
        let server = chosen.server_port.expect("server_port");
        let session = setup.headers.get("Session").unwrap().split(';').next().unwrap().to_owned();
        assert_eq!(c.answer("PLAY", &url, &[("Session", &session)]).await.status.as_u16(), 200);

        let mut buf = [0u8; 2048];
        let mut seqs = Vec::new();
        while seqs.len() < 10 {
            let (n, from) = rtp.recv_from(&mut buf).await.unwrap();
            assert_eq!(from, (IpAddr::from(Ipv4Addr::LOCALHOST), server.start).into());
            seqs.push(RtpPacket::parse(&buf[..n]).expect("RTP parses").sequence());
        }
        assert!(seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)), "{seqs:?}");
        let (n, _) = rtcp.recv_from(&mut buf).await.unwrap();
        assert!(rtcp::Compound::parse(&buf[..n]).is_ok(), "a sender report on the RTCP port");

        let mut rr = Vec::new();
        rtcp::write_receiver_report(0x1234, &[], &mut rr);
        let server_rtcp = server.end.expect("an RTCP port");
        rtcp.send_to(&rr, (Ipv4Addr::LOCALHOST, server_rtcp)).await.unwrap();
        while cam.rtcp_received().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(cam.rtcp_received(), vec![rr]);
    })
    .await;
}

#[tokio::test]
async fn tls_camera_serves_rtsps_and_can_write_plain_urls_inside() {
    let root = Cert::root("fault camera test root");
    let leaf = root.leaf().ip(["127.0.0.1"]).valid(days_from_now(-1), days_from_now(1)).build();
    let mut config = CameraConfig::default().tls(TlsSetup::new(leaf.cert_pem(), leaf.key_pem()));
    config.rtsp.plain_urls_in_tls = true;
    let cam = FaultCamera::start(config).await.unwrap();
    bounded(async {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(root.cert_der().to_vec())).unwrap();
        let client =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
        let tcp = TcpStream::connect(cam.addr()).await.unwrap();
        let name = ServerName::IpAddress(Ipv4Addr::LOCALHOST.into());
        let tls = tokio_rustls::TlsConnector::from(Arc::new(client)).connect(name, tcp).await.unwrap();
        let mut c = RtspClient::new(tls);
        let url = cam.url("/stream");
        assert!(url.starts_with("rtsps://127.0.0.1:"));
        let describe = c.answer("DESCRIBE", &url, &[]).await;
        assert_eq!(describe.status.as_u16(), 200);
        let base = describe.headers.get("Content-Base").unwrap();
        assert_eq!(base, format!("rtsp://{}/stream/", cam.addr()), "gst's rtsp:// inside TLS");
        assert!(cam.requests()[0].uri.starts_with("rtsps://"));
    })
    .await;
}

#[tokio::test]
async fn dropping_the_camera_closes_its_connections() {
    let cam = FaultCamera::start(CameraConfig::default()).await.unwrap();
    let addr = cam.addr();
    bounded(async {
        let mut c = connect(&cam).await;
        play_tcp(&mut c, &cam.url("/stream")).await;
        drop(cam);
        // Buffered frames drain, then the stream ends.
        while c.next().await.is_some() {}
        assert!(TcpStream::connect(addr).await.is_err(), "the listener is gone");
    })
    .await;
}

#[tokio::test]
async fn rtsp_quirks_show_on_the_wire() {
    let mut config = CameraConfig::default()
        .on(Override::redirect(Method::Describe, 302, "/other").path("/stream"))
        .on(Override::cseq_plus_one(Method::Options))
        .on(Override::status(Method::GetParameter, 503).with_header("Retry-After", "1").times(1))
        .on(Override::close(Method::Pause));
    config.rtsp.bare_lf = true;
    config.rtsp.omit_session_on_setup = true;
    let cam = FaultCamera::start(config).await.unwrap();
    bounded(async {
        let mut c = connect(&cam).await;
        let options = c.answer("OPTIONS", &cam.url("/stream"), &[]).await;
        assert_eq!(options.headers.get("CSeq"), Some("2"), "CSeq + 1");
        assert!(options.quirks.contains(Quirks::BARE_LF));

        let redirect = c.answer("DESCRIBE", &cam.url("/stream"), &[]).await;
        assert_eq!(redirect.status.as_u16(), 302);
        let location = redirect.headers.get("Location").unwrap().to_owned();
        assert_eq!(location, cam.url("/other"));
        let describe = c.answer("DESCRIBE", &location, &[]).await;
        assert_eq!(describe.status.as_u16(), 200);
        assert!(String::from_utf8_lossy(&describe.body).contains("\na=control:trackID=0\n"), "LF SDP too");

        let busy = c.answer("GET_PARAMETER", &location, &[]).await;
        assert_eq!((busy.status.as_u16(), busy.headers.get("Retry-After")), (503, Some("1")));
        assert_eq!(c.answer("GET_PARAMETER", &location, &[]).await.status.as_u16(), 200, "only once");

        let transport = ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1");
        let setup = c.answer("SETUP", &format!("{location}/trackID=0"), &[transport]).await;
        assert_eq!((setup.status.as_u16(), setup.headers.get("Session")), (200, None));

        c.stream().write_all(b"PAUSE * RTSP/1.0\r\nCSeq: 9\r\n\r\n").await.unwrap();
        assert!(c.next().await.is_none(), "closed without an answer");
    })
    .await;
}

#[tokio::test]
async fn h265_with_audio_and_without_parameter_sets() {
    let config = CameraConfig::default().h265().with_audio().impair(|i| i.strip_parameter_sets = true);
    let cam = FaultCamera::start(config).await.unwrap();
    bounded(async {
        let mut c = connect(&cam).await;
        let url = cam.url("/stream");
        let describe = c.answer("DESCRIBE", &url, &[]).await;
        let sdp = String::from_utf8(describe.body.to_vec()).unwrap();
        assert!(
            sdp.contains("H265/90000") && sdp.contains("sprop-sps=") && sdp.contains("m=audio 0 RTP/AVP 0")
        );
        let mut session = String::new();
        for (track, channels) in [(0, "0-1"), (1, "2-3")] {
            let transport = format!("RTP/AVP/TCP;unicast;interleaved={channels}");
            let mut headers = vec![("Transport", transport.as_str())];
            if !session.is_empty() {
                headers.push(("Session", &session));
            }
            let setup = c.answer("SETUP", &format!("{url}/trackID={track}"), &headers).await;
            assert_eq!(setup.status.as_u16(), 200);
            session = setup.headers.get("Session").unwrap().split(';').next().unwrap().to_owned();
        }
        let play = c.answer("PLAY", &url, &[("Session", &session)]).await;
        assert_eq!(play.headers.typed::<RtpInfo>().unwrap().unwrap().0.len(), 2);
        let frames = c.frames_for(Duration::from_millis(500)).await;
        let video: Vec<RtpPacket<'_>> =
            frames.iter().filter(|f| f.0 == 0).map(|f| RtpPacket::parse(&f.1).unwrap()).collect();
        assert!(!video.is_empty());
        for p in &video {
            let nal_type = (p.payload()[0] >> 1) & 0x3F;
            assert!(!(32..=34).contains(&nal_type), "VPS/SPS/PPS stripped, found {nal_type}");
        }
        let audio: Vec<RtpPacket<'_>> =
            frames.iter().filter(|f| f.0 == 2).map(|f| RtpPacket::parse(&f.1).unwrap()).collect();
        assert!(audio.len() >= 15, "one PCMU packet per 20 ms: {}", audio.len());
        assert!(audio.iter().all(|p| p.payload_type() == 0 && p.payload().len() == 160));
    })
    .await;
}

#[tokio::test]
async fn ipv6_camera_when_the_machine_has_ipv6_loopback() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback: skipped");
        return;
    }
    let cam = FaultCamera::start(CameraConfig::default().ipv6()).await.unwrap();
    bounded(async {
        let url = cam.url("/stream");
        assert!(url.starts_with("rtsp://[::1]:"), "{url}");
        let mut c = connect(&cam).await;
        let describe = c.answer("DESCRIBE", &url, &[]).await;
        assert!(String::from_utf8_lossy(&describe.body).contains("IN IP6 ::1"));
    })
    .await;
}

#[tokio::test]
async fn reorder_duplicate_ssrc_change_and_stop() {
    let config = CameraConfig::default().impair(|i| {
        i.reorder_every = Some(5);
        i.duplicate_every = Some(7);
        i.ssrc_change = Some(SsrcChange { after: 20, new_ssrc: 0xABCD });
        i.stop_after = Some(30);
    });
    let cam = FaultCamera::start(config).await.unwrap();
    bounded(async {
        let mut c = connect(&cam).await;
        let play = play_tcp(&mut c, &cam.url("/stream")).await;
        let first_seq = play.headers.typed::<RtpInfo>().unwrap().unwrap().0[0].seq.unwrap();
        let frames = c.frames_for(Duration::from_millis(900)).await;
        let packets: Vec<(u16, u32)> = frames
            .iter()
            .filter(|f| f.0 == 0)
            .map(|f| RtpPacket::parse(&f.1).unwrap())
            .map(|p| (p.sequence().wrapping_sub(first_seq), p.ssrc()))
            .collect();
        // 30 packets, 4 of them twice (7th, 14th, 21st, 28th); the 5th, 10th... come after their successor.
        assert_eq!(packets.len(), 34, "{packets:?}");
        let offsets: Vec<u16> = packets.iter().map(|p| p.0).collect();
        assert_eq!(&offsets[..8], [0, 1, 2, 3, 5, 4, 6, 6]);
        let mut unique = offsets.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique, (0..30).collect::<Vec<u16>>());
        assert!(packets.iter().all(|&(o, ssrc)| (ssrc == 0xABCD) == (o >= 20)));
        let reports = frames.iter().filter(|f| f.0 == 1).count();
        assert!(reports >= 1, "RTCP goes on after RTP stops");
    })
    .await;
}

#[tokio::test]
async fn auth_offers_basic_several_digests_and_nonstandard_algorithms() {
    let script = AuthScript::digest("admin", "secret").offers(vec![
        Offer::Basic,
        Offer::Digest(Algorithm::SHA256),
        Offer::Digest(Algorithm::MD5),
        Offer::DigestNonstandard("SHA-1".into()),
    ]);
    let cam = FaultCamera::start(CameraConfig::default().auth(script)).await.unwrap();
    bounded(async {
        let mut c = connect(&cam).await;
        let url = cam.url("/stream");
        let first = c.answer("DESCRIBE", &url, &[]).await;
        let challenges: Vec<&str> = first.headers.get_all("WWW-Authenticate").collect();
        assert_eq!(challenges.len(), 4);
        assert!(challenges[0].starts_with("Basic realm="));
        for (challenge, algorithm) in challenges[1..].iter().zip(["SHA-256", "MD5", "SHA-1"]) {
            assert!(challenge.contains(&format!("algorithm={algorithm}")), "{challenge}");
        }
        let mut auth = ClientAuth::new(Credentials::new("admin", "secret"), false);
        assert!(auth.on_unauthorized(challenges.iter().copied()).retry);
        let value = auth.authorization("DESCRIBE", &url, &Cnonce::from_random(&[3; 16]).unwrap()).unwrap();
        assert_eq!(
            c.answer("DESCRIBE", &url, &[("Authorization", value.expose())]).await.status.as_u16(),
            200
        );
        // admin:secret in Basic.
        let basic = ("Authorization", "Basic YWRtaW46c2VjcmV0");
        assert_eq!(c.answer("DESCRIBE", &url, &[basic]).await.status.as_u16(), 200);
    })
    .await;
}

#[tokio::test]
async fn tls12_only_with_a_required_client_certificate() {
    let (from, to) = (days_from_now(-1), days_from_now(1));
    let root = Cert::root("fault camera test root");
    let leaf = root.leaf().ip(["127.0.0.1"]).valid(from, to).build();
    let client_cert = root.leaf().cn("probe").eku(&[Eku::ClientAuth]).valid(from, to).build();
    let setup = TlsSetup::new(leaf.cert_pem(), leaf.key_pem())
        .versions(TlsVersions::Tls12Only)
        .require_client_cert(root.cert_pem());
    let cam = FaultCamera::start(CameraConfig::default().tls(setup)).await.unwrap();
    bounded(async {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(root.cert_der().to_vec())).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = || {
            rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots.clone())
        };
        let name = ServerName::IpAddress(Ipv4Addr::LOCALHOST.into());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client_cert.key_der().to_vec()));
        let chain = vec![CertificateDer::from(client_cert.cert_der().to_vec())];
        let with_cert = Arc::new(builder().with_client_auth_cert(chain, key).unwrap());
        let tcp = TcpStream::connect(cam.addr()).await.unwrap();
        let tls = tokio_rustls::TlsConnector::from(with_cert).connect(name.clone(), tcp).await.unwrap();
        assert_eq!(tls.get_ref().1.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_2));
        let mut c = RtspClient::new(tls);
        assert_eq!(c.answer("OPTIONS", &cam.url("/stream"), &[]).await.status.as_u16(), 200);

        // Without a certificate the camera refuses the handshake.
        let tcp = TcpStream::connect(cam.addr()).await.unwrap();
        let without = Arc::new(builder().with_no_client_auth());
        let refused = tokio_rustls::TlsConnector::from(without).connect(name, tcp).await;
        assert!(refused.is_err());
    })
    .await;
}
