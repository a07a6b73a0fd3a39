//! The live probe (`rtspeek_bridge::probe::run`, the driver the CLI uses) against third-party servers on
//! 127.0.0.1: gst-rtsp-server over RTSPS and RTSP, and `openssl s_server` for a TLS-1.0-only endpoint. A green
//! run means the probe's verdicts hold against software nobody on the team wrote.
//!
//! A missing peer fails the test (the launchers say to run `cargo xtask test`). Every probe is bounded: 3 s
//! per step, media until the first decodable picture, and a timeout around the whole run. Probes of one
//! server run concurrently.

use std::time::Duration;

use crate::support::live_probe::{Run, block_on, config, der, insecure, key, loopback_leaf, probe, trust};
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::codec::Codec;
use rtspeek_core::probe::{ProbeConfig, TransportChoice};
use rtspeek_core::rtsp::auth::Credentials;
use rtspeek_core::{Layer, LayerStatus, Severity, TrustOutcome, Verdict};
use rtspeek_tests::peers::gst::{GstAuth, GstOptions, GstProtocols, GstRtspServer};
use rtspeek_tests::peers::openssl::{OpensslOptions, OpensslServer, TlsVersions};
use rtspeek_tests::pki::{Cert, Eku, KeyAlg};

/// The picture the gst launcher sends by default.
const GST_SIZE: (u32, u32) = (320, 180);

/// The layers after the certificate: a strict client never gets there.
const AFTER_CERTIFICATE: [Layer; 7] =
    [Layer::Rtsp, Layer::Auth, Layer::Sdp, Layer::Transport, Layer::Rtp, Layer::Rtcp, Layer::Codec];

/// gst-rtsp-server over RTSPS with `leaf` (its key in the same options).
fn gst_rtsps(leaf: &Cert, options: GstOptions) -> GstRtspServer {
    let options = GstOptions { cert_pem: Some(leaf.cert_pem()), key_pem: Some(leaf.key_pem()), ..options };
    GstRtspServer::start(options).expect("gst-rtsp-server starts")
}

/// A probe of `url` that trusts `root`.
fn trusting(url: &str, root: &Cert) -> (ProbeConfig, TlsOptions) {
    let (mut config, mut tls) = (config(url), TlsOptions::default());
    trust(&mut config, &mut tls, root);
    (config, tls)
}

fn assert_not_reached_after_certificate(run: &Run) {
    for layer in AFTER_CERTIFICATE {
        assert_eq!(run.status(layer), LayerStatus::NotReached, "{}: {layer}\n{run}", run.name);
    }
}

#[test]
fn self_signed_rtsps_fails_at_the_certificate_and_insecure_still_verifies_the_media() {
    let leaf = loopback_leaf(None);
    let server = gst_rtsps(&leaf, GstOptions::default());
    let url = server.url("/test");

    let (strict, overridden) = block_on(async {
        let (mut lax, mut lax_tls) = (config(&url), TlsOptions::default());
        insecure(&mut lax, &mut lax_tls);
        tokio::join!(
            probe("self-signed, no --ca", config(&url), TlsOptions::default()),
            probe("self-signed, --insecure", lax, lax_tls),
        )
    });

    assert_eq!(strict.report.verdict, Verdict::Broken, "{strict}");
    assert_eq!(strict.report.first_broken_layer, Some(Layer::Certificate), "{strict}");
    assert!(strict.has("cert.self_signed") || strict.has("cert.untrusted_issuer"), "{strict}");
    // The scan that follows finds gst's TLS 1.0/1.1 (warnings): the handshake itself passed.
    assert_eq!(strict.status(Layer::Tls), LayerStatus::Warn, "{strict}");
    assert!(strict.has("tls.version.legacy_enabled"), "{strict}");
    assert_not_reached_after_certificate(&strict);
    assert!(strict.report.trust.as_ref().is_some_and(|t| !t.overridden), "{strict}");

    // --insecure goes on to the media, but the trust decision stays on record and the verdict broken.
    let run = &overridden;
    assert_eq!(run.report.verdict, Verdict::Broken, "{run}");
    assert_eq!(run.report.first_broken_layer, Some(Layer::Certificate), "{run}");
    assert!(run.report.trust.as_ref().is_some_and(|t| t.overridden), "{run}");
    run.assert_media_verified();
    assert_eq!(run.picture(), Some((Codec::H264, GST_SIZE.0, GST_SIZE.1)), "{run}");
}

#[test]
fn rtsps_trusted_through_ca_passes_every_layer_with_gst_rtsp_url_warnings() {
    let root = Cert::root("probe peers root");
    let server = gst_rtsps(&loopback_leaf(Some(&root)), GstOptions::default());
    let url = server.url("/test");

    let (trusted, unknown_root) = block_on(async {
        let (with_ca, with_ca_tls) = trusting(&url, &root);
        tokio::join!(
            probe("--ca root", with_ca, with_ca_tls),
            probe("root not given", config(&url), TlsOptions::default()),
        )
    });

    let run = &trusted;
    // gst writes rtsp:// URLs in its RTSPS answers, and still accepts TLS 1.0/1.1 (the scan after the
    // session says so): warnings, nothing broken.
    assert_eq!(run.report.verdict, Verdict::Degraded, "{run}");
    assert_eq!(run.report.first_broken_layer, None, "{run}");
    assert!(run.has("rtsp.scheme_downgrade"), "{run}");
    assert!(run.has("tls.version.legacy_enabled"), "{run}");
    for layer in [Layer::Tcp, Layer::Certificate] {
        assert_eq!(run.status(layer), LayerStatus::Pass, "{layer}\n{run}");
    }
    assert_eq!(run.status(Layer::Tls), LayerStatus::Warn, "{run}");
    run.assert_media_verified();
    let trust = run.report.trust.as_ref().expect("trust statement");
    assert_eq!((trust.outcome, trust.overridden), (TrustOutcome::Trusted, false), "{run}");
    // gst offers TLS 1.0 to 1.3; rustls takes the newest.
    let tls = run.report.facts.tls.as_ref().expect("TLS facts");
    assert_eq!(tls.version.as_deref(), Some("TLSv1.3"), "{run}");
    assert_eq!(run.report.facts.tracks[0].carried_over, "tcp", "RTSPS media stays inside TLS\n{run}");
    assert_eq!(run.picture(), Some((Codec::H264, GST_SIZE.0, GST_SIZE.1)), "{run}");

    // gst sends the leaf alone: the chain stops at an issuer that is neither sent nor an anchor.
    let run = &unknown_root;
    assert_eq!(run.report.first_broken_layer, Some(Layer::Certificate), "{run}");
    assert!(run.has("cert.chain_incomplete") || run.has("cert.untrusted_issuer"), "{run}");
    assert_not_reached_after_certificate(run);
}

/// Right, wrong and no password against gst's `auth` scheme, over RTSPS trusted through `--ca` (so that the
/// auth layer's own status is not coloured by Basic in clear). The password must never leave rtspeek.
fn auth_case(auth: GstAuth) {
    const USER: &str = "viewer";
    const PASSWORD: &str = "Pw-4d1c9e-open-sesame";
    const WRONG: &str = "Pw-77b0aa-not-it";
    let root = Cert::root("probe peers auth root");
    let options = GstOptions { auth, user: USER.into(), password: PASSWORD.into(), ..GstOptions::default() };
    let server = gst_rtsps(&loopback_leaf(Some(&root)), options);
    let url = server.url("/test");
    let with = |password: &str| {
        let (mut config, tls) = trusting(&url, &root);
        config.credentials = Some(Credentials::new(USER, password));
        (config, tls)
    };

    let (accepted, rejected, anonymous) = block_on(async {
        let (right, wrong, none) = (with(PASSWORD), with(WRONG), trusting(&url, &root));
        tokio::join!(
            probe("right password", right.0, right.1),
            probe("wrong password", wrong.0, wrong.1),
            probe("no credentials", none.0, none.1),
        )
    });

    let outcome = |run: &Run| run.report.facts.auth.as_ref().map(|a| a.outcome.clone());
    let run = &accepted;
    assert_eq!(run.status(Layer::Auth), LayerStatus::Pass, "{run}");
    assert_eq!(outcome(run).as_deref(), Some("accepted"), "{run}");
    assert_eq!(run.report.first_broken_layer, None, "{run}");
    run.assert_media_verified();

    let run = &rejected;
    assert!(run.has("auth.rejected"), "{run}");
    assert_eq!(run.report.first_broken_layer, Some(Layer::Auth), "{run}");
    assert_eq!(outcome(run).as_deref(), Some("rejected"), "{run}");

    let run = &anonymous;
    let required = run.report.findings.iter().find(|f| f.code == "auth.required");
    assert_eq!(required.map(|f| f.severity), Some(Severity::Error), "{run}");
    assert_eq!(run.report.first_broken_layer, Some(Layer::Auth), "{run}");

    for run in [&accepted, &rejected, &anonymous] {
        let shown = run.everything_shown();
        for secret in [PASSWORD, WRONG] {
            assert!(!shown.contains(secret), "{}: a password leaked into the report or an event", run.name);
        }
        // Basic credentials are only base64: the header value itself must be withheld.
        for line in run.authorization_lines() {
            assert!(line.ends_with("(redacted)"), "{}: {line}", run.name);
        }
    }
    // Credentials were sent, so the checks above looked at something.
    for run in [&accepted, &rejected] {
        assert!(
            !run.authorization_lines().is_empty(),
            "{}: no Authorization header in the transcript",
            run.name
        );
    }
}

#[test]
fn digest_auth_right_wrong_and_missing_password() {
    auth_case(GstAuth::Digest);
}

#[test]
fn basic_auth_right_wrong_and_missing_password() {
    auth_case(GstAuth::Basic);
}

#[test]
fn client_certificate_required_fails_without_one_and_plays_with_one() {
    let root = Cert::root("probe peers server root");
    let clients = Cert::root("probe peers client CA");
    let client = clients.leaf().cn("rtspeek probe client").eku(&[Eku::ClientAuth]).valid_now().build();
    let options = GstOptions { client_cert_ca_pem: Some(clients.cert_pem()), ..GstOptions::default() };
    let server = gst_rtsps(&loopback_leaf(Some(&root)), options);
    let url = server.url("/test");

    let (refused, admitted) = block_on(async {
        let without = trusting(&url, &root);
        let (mut config, mut tls) = trusting(&url, &root);
        config.client_certificate = true;
        tls.client_auth = Some((vec![der(&client)], key(&client)));
        tokio::join!(
            probe("no client certificate", without.0, without.1),
            probe("client certificate", config, tls)
        )
    });

    let run = &admitted;
    assert_eq!(run.report.first_broken_layer, None, "{run}");
    assert_eq!(run.status(Layer::Tls), LayerStatus::Warn, "legacy versions still enabled\n{run}");
    assert!(run.report.facts.tls.as_ref().is_some_and(|t| t.client_certificate), "{run}");
    run.assert_media_verified();
    assert!(
        server.process().wait_for_line(|l| l.contains("-> accept"), Duration::from_secs(1)).is_some(),
        "gst-rtsp-server logged no acceptance of our client certificate: {:?}",
        server.process().stdout_lines()
    );

    // gst negotiates TLS 1.3, so the refusal comes after the handshake; glib-networking sends no alert 116
    // but resets the connection on the first request.
    let run = &refused;
    assert!(run.has("tls.client_cert_required"), "{run}");
    assert_eq!(run.report.first_broken_layer, Some(Layer::Tls), "{run}");
    assert_eq!(run.report.verdict, Verdict::Broken, "{run}");
}

#[test]
fn udp_only_server_makes_auto_fall_back_to_udp() {
    let server = GstRtspServer::start(GstOptions { protocols: GstProtocols::Udp, ..GstOptions::default() })
        .expect("gst-rtsp-server starts");
    let run = block_on(probe("auto against UDP only", config(&server.url("/test")), TlsOptions::default()));

    assert!(run.has("transport.tcp_refused"), "{run}");
    assert!(run.has("transport.fallback"), "{run}");
    assert_eq!(run.report.first_broken_layer, None, "{run}");
    assert_eq!(run.report.facts.tracks[0].carried_over, "udp", "{run}");
    run.assert_media_verified();
    assert_eq!(run.picture(), Some((Codec::H264, GST_SIZE.0, GST_SIZE.1)), "{run}");
}

/// Another host on the network sprays the UDP ports the probe opened (from 127.0.0.2, while the camera is
/// 127.0.0.1): its datagrams are dropped and named, and the camera's media is still measured as it is.
#[test]
fn datagrams_from_strangers_are_dropped_and_named() {
    let server = GstRtspServer::start(GstOptions { protocols: GstProtocols::Udp, ..GstOptions::default() })
        .expect("gst-rtsp-server starts");
    let mut config = config(&server.url("/test"));
    config.transport = TransportChoice::Udp;
    config.media_window = Duration::from_secs(2);
    let (port_tx, port_rx) = std::sync::mpsc::channel::<u16>();
    let sprayer = std::thread::spawn(move || {
        let Ok(port) = port_rx.recv_timeout(Duration::from_secs(20)) else { return 0 };
        let socket = std::net::UdpSocket::bind("127.0.0.2:0").expect("bind 127.0.0.2");
        let mut sent = 0;
        for i in 0..400u32 {
            // RTP-looking junk, version 2, payload type 96.
            let mut packet = vec![0x80, 96];
            packet.extend_from_slice(&i.to_be_bytes());
            packet.resize(200, 0xab);
            if socket.send_to(&packet, ("127.0.0.1", port)).is_ok() {
                sent += 1;
            }
            if i % 50 == 0 {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        sent
    });
    let mut sink = move |event: &rtspeek_core::probe::ProbeEvent| {
        if let rtspeek_core::probe::ProbeEvent::Transcript { text, .. } = event
            && let Some(port) = text.split("client_port=").nth(1).and_then(|p| p.split('-').next())
            && let Ok(port) = port.trim().parse()
        {
            let _ = port_tx.send(port);
        }
    };
    let tls = TlsOptions::default();
    let report = block_on(async {
        let run = rtspeek_bridge::probe::run(config, &tls, &mut sink, std::future::pending());
        tokio::time::timeout(Duration::from_secs(30), run).await.expect("bounded").expect("runs")
    });
    let sent = sprayer.join().expect("sprayer");
    assert!(sent > 0, "the stranger sent nothing");
    let f = report.findings.iter().find(|f| f.code == "transport.foreign_packets").expect("named");
    assert!(f.evidence.iter().any(|e| e.value.starts_with("127.0.0.2:")), "{f:?}");
    assert_eq!(report.first_broken_layer, None, "{:?}", report.findings);
    let rtp = report.facts.tracks[0].rtp.as_ref().expect("rtp facts");
    assert!(rtp.sources.len() == 1, "only the camera's SSRC was counted: {rtp:?}");
}

#[test]
fn tcp_only_server_refuses_udp() {
    let server = GstRtspServer::start(GstOptions { protocols: GstProtocols::Tcp, ..GstOptions::default() })
        .expect("gst-rtsp-server starts");
    let mut config = config(&server.url("/test"));
    config.transport = TransportChoice::Udp;
    let run = block_on(probe("UDP against TCP only", config, TlsOptions::default()));

    assert!(run.has("transport.udp_refused"), "{run}");
    assert_eq!(run.report.first_broken_layer, Some(Layer::Transport), "{run}");
    assert_eq!(run.report.verdict, Verdict::Broken, "{run}");
}

#[test]
fn h264_and_h265_codec_facts_come_from_the_stream() {
    // Not the launcher's default size: the figures must be this server's.
    let size = (416, 240);
    let server =
        GstRtspServer::start(GstOptions { size, ..GstOptions::default() }).expect("gst-rtsp-server starts");
    let (h264, h265) = block_on(async {
        tokio::join!(
            probe("H.264", config(&server.url("/test")), TlsOptions::default()),
            probe("H.265", config(&server.url("/h265")), TlsOptions::default()),
        )
    });
    for (run, codec, name) in [(&h264, Codec::H264, "h264"), (&h265, Codec::H265, "h265")] {
        assert_eq!(run.report.first_broken_layer, None, "{run}");
        run.assert_media_verified();
        assert_eq!(run.picture(), Some((codec, size.0, size.1)), "{run}");
        let sps = run.codec().and_then(|c| c.sps.as_ref()).expect("SPS facts");
        assert_eq!(sps.codec, name, "{run}");
    }
}

/// `openssl s_server -tls1`: rustls cannot connect; the scan says why and reads the certificate in clear.
fn tls10_only_case(key_alg: KeyAlg) {
    let root = Cert::root("probe peers legacy root");
    let leaf = root.leaf().dns(["localhost"]).ip(["127.0.0.1"]).key_alg(key_alg).valid_now().build();
    let options = OpensslOptions {
        versions: TlsVersions::Tls10Only,
        ..OpensslOptions::new(leaf.cert_pem(), leaf.key_pem())
    };
    let server = OpensslServer::start(options).expect("openssl s_server starts");
    let url = format!("rtsps://127.0.0.1:{}/test", server.port());
    let name = if key_alg.is_rsa() { "TLS 1.0 only, RSA" } else { "TLS 1.0 only, EC" };
    // The root is given, so the certificate layer is judged on its merits: only TLS is broken.
    let (config, tls) = trusting(&url, &root);
    let run = block_on(probe(name, config, tls));

    assert!(run.has("tls.version.legacy_only"), "{run}");
    assert_eq!(run.report.first_broken_layer, Some(Layer::Tls), "{run}");
    let scan = run.report.facts.tls.as_ref().and_then(|t| t.scan.as_ref());
    assert_eq!(scan.map(|s| s.versions.clone()), Some(vec!["TLS 1.0".to_owned()]), "{run}");
    // Read in clear from the TLS 1.0 handshake: the certificate we gave s_server, with its key type.
    let certificate = run.report.facts.certificate.as_ref().expect("the certificate was read from the scan");
    let presented = &certificate.chain[0];
    let expected_key = if key_alg.is_rsa() { "RSA 2048" } else { "EC P-256" };
    assert_eq!(presented.key, expected_key, "{run}");
    assert_eq!(presented.san_ip, ["127.0.0.1"], "{run}");
    assert_eq!(run.status(Layer::Certificate), LayerStatus::Pass, "{run}");
    assert_eq!(run.report.trust.as_ref().map(|t| t.outcome), Some(TrustOutcome::Trusted), "{run}");
}

#[test]
fn tls10_only_server_with_an_rsa_certificate() {
    tls10_only_case(KeyAlg::Rsa2048);
}

#[test]
fn tls10_only_server_with_an_ec_certificate() {
    tls10_only_case(KeyAlg::EcP256);
}
