//! The live probe (tokio driver, rustls, real sockets) against the fault camera on loopback: one scenario per
//! failure class the probe must observe and name, each with the code it must produce and the layer that must
//! come out first broken. Scenarios run a few at a time in one runtime; every probe is bounded by its own
//! timers and, in case of a bug, by a timeout here.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use rtspeek_bridge::probe::run;
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::probe::{NamedBytes, ProbeConfig, ProbeEvent, TlsScan, TransportChoice};
use rtspeek_core::rtsp::Method;
use rtspeek_core::rtsp::auth::Algorithm;
use rtspeek_core::rtsp::url::Url;
use rtspeek_core::{Layer, LayerStatus, Report, Severity, Verdict};
use rtspeek_tests::fault_camera::{
    AuthScript, CameraConfig, FaultCamera, Jitter, Offer, Override, SsrcChange, TlsFault, TlsSetup,
    TlsVersions,
};
use rtspeek_tests::pki::{Cert, Eku, days_from_now, wall_clock};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::sync::Semaphore;
use tokio::time::timeout;

/// A root and a leaf for 127.0.0.1 and localhost, valid now.
struct Pki {
    root: Cert,
    leaf: Cert,
}

impl Pki {
    fn new() -> Pki {
        let root = Cert::root("probe test root");
        let leaf = root
            .leaf()
            .dns(["localhost"])
            .ip(["127.0.0.1"])
            .valid(days_from_now(-1), days_from_now(200))
            .build();
        Pki { root, leaf }
    }

    fn tls(&self) -> TlsSetup {
        TlsSetup::new(self.leaf.cert_pem(), self.leaf.key_pem())
    }
}

/// What a scenario runs.
struct Setup {
    camera: CameraConfig,
    /// Appended to the camera's URL (`/stream` by default); `None` keeps the camera's scheme.
    path: &'static str,
    scheme: Option<&'static str>,
    trust_root: bool,
    configure: fn(&mut ProbeConfig, &mut TlsOptions),
}

impl Setup {
    fn new(camera: CameraConfig) -> Setup {
        Setup { camera, path: "/stream", scheme: None, trust_root: true, configure: |_, _| {} }
    }
    fn configure(mut self, f: fn(&mut ProbeConfig, &mut TlsOptions)) -> Setup {
        self.configure = f;
        self
    }
    fn untrusted(mut self) -> Setup {
        self.trust_root = false;
        self
    }
    fn scheme(mut self, scheme: &'static str) -> Setup {
        self.scheme = Some(scheme);
        self
    }
}

struct Scenario {
    name: &'static str,
    code: &'static str,
    broken: Option<Layer>,
    setup: fn(&Pki) -> Setup,
}

/// The outcome of one scenario: the report, the events, what the camera saw.
struct Outcome {
    report: Report,
    events: Vec<ProbeEvent>,
    requests: Vec<String>,
    rtcp_received: usize,
}

fn client_cert(pki: &Pki) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let client = pki.root.leaf().cn("probe client").eku(&[Eku::ClientAuth]).build();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key_der().to_vec()));
    (vec![CertificateDer::from(client.cert_der().to_vec())], key)
}

/// A healthy RTSPS camera with the test PKI's leaf.
fn tls_camera(p: &Pki) -> CameraConfig {
    CameraConfig::default().tls(p.tls())
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "healthy rtsps",
            code: "rtsp.rtp_info_missing",
            broken: None,
            setup: |p| {
                let mut camera = tls_camera(p);
                camera.rtsp.omit_rtp_info = true;
                Setup::new(camera)
            },
        },
        Scenario {
            name: "tcp refused",
            code: "tcp.refused",
            broken: Some(Layer::Tcp),
            setup: |p| {
                // A camera that is gone: its port refuses connections.
                Setup::new(tls_camera(p)).configure(|c, _| {
                    let port = std::net::TcpListener::bind("127.0.0.1:0")
                        .and_then(|l| l.local_addr())
                        .map(|a| a.port());
                    c.url =
                        Url::parse(&format!("rtsps://127.0.0.1:{}/stream", port.unwrap_or(9))).expect("url");
                })
            },
        },
        Scenario {
            name: "silent port",
            code: "tls.no_answer",
            broken: Some(Layer::Tls),
            setup: |p| Setup::new(tls_camera(p).fault(TlsFault::Silent)),
        },
        Scenario {
            name: "reset on hello",
            code: "tls.connection_reset",
            broken: Some(Layer::Tls),
            setup: |p| Setup::new(tls_camera(p).fault(TlsFault::ResetOnHello)),
        },
        Scenario {
            name: "alert on hello",
            code: "tls.handshake.alert",
            broken: Some(Layer::Tls),
            setup: |p| Setup::new(tls_camera(p).fault(TlsFault::AlertOnHello(112))),
        },
        Scenario {
            name: "handshake_failure alert",
            code: "tls.no_common_cipher",
            broken: Some(Layer::Tls),
            setup: |p| Setup::new(tls_camera(p).fault(TlsFault::AlertOnHello(40))),
        },
        Scenario {
            name: "rtsps off, plain RTSP port",
            code: "tls.not_tls",
            broken: Some(Layer::Tls),
            setup: |p| Setup::new(tls_camera(p).fault(TlsFault::PlainRtsp)).scheme("rtsps"),
        },
        Scenario {
            name: "web server port",
            code: "tls.not_tls",
            broken: Some(Layer::Tls),
            setup: |p| Setup::new(tls_camera(p).fault(TlsFault::Http)),
        },
        Scenario {
            name: "client cert, TLS 1.2",
            code: "tls.client_cert_required",
            broken: Some(Layer::Tls),
            setup: |p| {
                let setup = p.tls().versions(TlsVersions::Tls12Only).require_client_cert(p.root.cert_pem());
                Setup::new(CameraConfig::default().tls(setup))
            },
        },
        Scenario {
            name: "client cert, TLS 1.3",
            code: "tls.client_cert_required",
            broken: Some(Layer::Tls),
            setup: |p| {
                let setup = p.tls().versions(TlsVersions::Tls13Only).require_client_cert(p.root.cert_pem());
                Setup::new(CameraConfig::default().tls(setup))
            },
        },
        Scenario {
            name: "untrusted issuer",
            code: "cert.untrusted_issuer",
            broken: Some(Layer::Certificate),
            setup: |p| {
                // A private CA the client was not given: the server sends its root along, as many do.
                let chain = format!("{}{}", p.leaf.cert_pem(), p.root.cert_pem());
                Setup::new(CameraConfig::default().tls(TlsSetup::new(chain, p.leaf.key_pem()))).untrusted()
            },
        },
        Scenario {
            name: "self-signed",
            code: "cert.self_signed",
            broken: Some(Layer::Certificate),
            setup: |_| {
                let cert = Cert::self_signed_leaf().dns(["localhost"]).ip(["127.0.0.1"]).valid_now().build();
                Setup::new(CameraConfig::default().tls(TlsSetup::new(cert.cert_pem(), cert.key_pem())))
                    .untrusted()
            },
        },
        Scenario {
            name: "expired",
            code: "cert.expired",
            broken: Some(Layer::Certificate),
            setup: |p| {
                let leaf =
                    p.root.leaf().ip(["127.0.0.1"]).valid(days_from_now(-90), days_from_now(-1)).build();
                Setup::new(CameraConfig::default().tls(TlsSetup::new(leaf.cert_pem(), leaf.key_pem())))
            },
        },
        Scenario {
            name: "not yet valid",
            code: "cert.not_yet_valid",
            broken: Some(Layer::Certificate),
            setup: |p| {
                let leaf = p.root.leaf().ip(["127.0.0.1"]).valid(days_from_now(1), days_from_now(90)).build();
                Setup::new(CameraConfig::default().tls(TlsSetup::new(leaf.cert_pem(), leaf.key_pem())))
            },
        },
        Scenario {
            name: "IP not in SAN",
            code: "cert.ip_not_in_san",
            broken: Some(Layer::Certificate),
            setup: |p| {
                let leaf = p.root.leaf().dns(["cam.example"]).valid_now().build();
                Setup::new(CameraConfig::default().tls(TlsSetup::new(leaf.cert_pem(), leaf.key_pem())))
            },
        },
        Scenario {
            name: "name mismatch",
            code: "cert.name_mismatch",
            broken: Some(Layer::Certificate),
            setup: |p| {
                let leaf = p.root.leaf().dns(["cam.example"]).valid_now().build();
                let camera = CameraConfig::default().tls(TlsSetup::new(leaf.cert_pem(), leaf.key_pem()));
                Setup { path: "/stream", ..Setup::new(camera) }.configure(|c, _| {
                    let port = c.url.port().unwrap_or(322);
                    c.url = Url::parse(&format!("rtsps://localhost:{port}/stream")).expect("url");
                })
            },
        },
        Scenario {
            name: "chain incomplete",
            code: "cert.chain_incomplete",
            broken: Some(Layer::Certificate),
            setup: |p| {
                let inter = p.root.intermediate("probe test intermediate");
                let leaf = inter.leaf().ip(["127.0.0.1"]).valid_now().build();
                Setup::new(CameraConfig::default().tls(TlsSetup::new(leaf.cert_pem(), leaf.key_pem())))
            },
        },
        Scenario {
            name: "silence after TLS",
            code: "rtsp.no_response",
            broken: Some(Layer::Rtsp),
            setup: |p| Setup::new(tls_camera(p).fault(TlsFault::SilentAfterTls)),
        },
        Scenario {
            name: "404",
            code: "rtsp.status_not_found",
            broken: Some(Layer::Rtsp),
            setup: |p| {
                Setup::new(
                    tls_camera(p).on(Override::status(Method::Describe, 404).reason("Stream Not Found")),
                )
            },
        },
        Scenario {
            name: "454 on PLAY",
            code: "rtsp.session_not_found",
            broken: Some(Layer::Rtsp),
            setup: |p| Setup::new(tls_camera(p).on(Override::status(Method::Play, 454))),
        },
        Scenario {
            name: "455 on PLAY",
            code: "rtsp.method_not_valid",
            broken: Some(Layer::Rtsp),
            setup: |p| Setup::new(tls_camera(p).on(Override::status(Method::Play, 455))),
        },
        Scenario {
            name: "503",
            code: "rtsp.server_error",
            broken: Some(Layer::Rtsp),
            setup: |p| {
                Setup::new(
                    tls_camera(p)
                        .on(Override::status(Method::Describe, 503).with_header("Retry-After", "30")),
                )
            },
        },
        Scenario {
            name: "CSeq mismatch",
            code: "rtsp.cseq_mismatch",
            broken: Some(Layer::Rtsp),
            setup: |p| Setup::new(tls_camera(p).on(Override::cseq_plus_one(Method::Describe))),
        },
        Scenario {
            name: "closed on DESCRIBE",
            code: "rtsp.connection_closed",
            broken: Some(Layer::Rtsp),
            setup: |p| Setup::new(tls_camera(p).on(Override::close(Method::Describe))),
        },
        Scenario {
            name: "redirect loop",
            code: "rtsp.redirect_loop",
            broken: Some(Layer::Rtsp),
            setup: |p| Setup::new(tls_camera(p).on(Override::redirect(Method::Describe, 302, "/stream"))),
        },
        Scenario {
            name: "rtsp:// inside rtsps",
            code: "rtsp.scheme_downgrade",
            broken: None,
            setup: |p| {
                let mut camera = tls_camera(p);
                camera.rtsp.plain_urls_in_tls = true;
                Setup::new(camera)
            },
        },
        Scenario {
            name: "auth required",
            code: "auth.required",
            broken: Some(Layer::Auth),
            setup: |p| Setup::new(tls_camera(p).auth(AuthScript::digest("admin", "s3cret-pw"))),
        },
        Scenario {
            name: "auth rejected",
            code: "auth.rejected",
            broken: Some(Layer::Auth),
            setup: |p| {
                Setup::new(tls_camera(p).auth(AuthScript::digest("admin", "s3cret-pw"))).configure(|c, _| {
                    c.credentials = Some(rtspeek_core::rtsp::auth::Credentials::new("admin", "wrong-pw"));
                })
            },
        },
        Scenario {
            name: "digest algorithm",
            code: "auth.digest_algorithm",
            broken: None,
            setup: |p| {
                let auth =
                    AuthScript::digest("admin", "s3cret-pw").offers(vec![Offer::Digest(Algorithm::SHA256)]);
                Setup::new(tls_camera(p).auth(auth)).configure(|c, _| {
                    c.credentials = Some(rtspeek_core::rtsp::auth::Credentials::new("admin", "s3cret-pw"));
                })
            },
        },
        Scenario {
            // The password is withheld: Basic in clear needs `--allow-cleartext`, so the chain stops at auth.
            name: "basic over cleartext",
            code: "auth.basic_cleartext",
            broken: Some(Layer::Auth),
            setup: |_| {
                Setup::new(CameraConfig::default().auth(AuthScript::basic("admin", "s3cret-pw"))).configure(
                    |c, _| {
                        c.credentials =
                            Some(rtspeek_core::rtsp::auth::Credentials::new("admin", "s3cret-pw"));
                    },
                )
            },
        },
        Scenario {
            // Allowed, the camera plays and the finding stays as a warning.
            name: "basic over cleartext, allowed",
            code: "auth.basic_cleartext",
            broken: None,
            setup: |_| {
                Setup::new(CameraConfig::default().auth(AuthScript::basic("admin", "s3cret-pw"))).configure(
                    |c, _| {
                        c.credentials =
                            Some(rtspeek_core::rtsp::auth::Credentials::new("admin", "s3cret-pw"));
                        c.allow_cleartext = true;
                    },
                )
            },
        },
        Scenario {
            name: "SDP without sprop",
            code: "sdp.missing_sprop",
            broken: None,
            setup: |p| {
                let mut camera = tls_camera(p);
                camera.sdp.sprop = false;
                Setup::new(camera)
            },
        },
        Scenario {
            name: "TCP refused over RTSPS",
            code: "transport.tcp_refused",
            broken: Some(Layer::Transport),
            setup: |p| {
                let mut camera = tls_camera(p);
                camera.rtsp.refuse_tcp = true;
                Setup::new(camera)
            },
        },
        Scenario {
            name: "fallback to UDP",
            code: "transport.fallback",
            broken: None,
            setup: |_| {
                let mut camera = CameraConfig::default();
                camera.rtsp.refuse_tcp = true;
                Setup::new(camera)
            },
        },
        Scenario {
            name: "UDP blocked",
            code: "transport.udp_blocked",
            broken: Some(Layer::Transport),
            setup: |_| {
                let mut camera = CameraConfig::default();
                camera.media.udp_blackhole = true;
                Setup::new(camera).configure(|c, _| c.transport = TransportChoice::Udp)
            },
        },
        Scenario {
            name: "cleartext media next to RTSPS",
            code: "transport.cleartext_media",
            broken: None,
            setup: |p| Setup::new(tls_camera(p)).configure(|c, _| c.transport = TransportChoice::Udp),
        },
        Scenario {
            name: "no packets",
            code: "rtp.no_packets",
            broken: Some(Layer::Rtp),
            setup: |p| Setup::new(tls_camera(p).impair(|i| i.no_packets = true)),
        },
        Scenario {
            name: "loss",
            code: "rtp.loss",
            broken: None,
            // 2.5 % loss: a warning (5 % breaks the layer).
            setup: |p| Setup::new(tls_camera(p).impair(|i| i.drop_every = Some(40))),
        },
        Scenario {
            name: "reorder",
            code: "rtp.reorder",
            broken: None,
            setup: |p| Setup::new(tls_camera(p).impair(|i| i.reorder_every = Some(10))),
        },
        Scenario {
            name: "jitter",
            code: "rtp.jitter",
            broken: None,
            setup: |p| {
                Setup::new(
                    tls_camera(p)
                        .impair(|i| i.jitter = Some(Jitter { every: 5, delay: Duration::from_millis(120) })),
                )
            },
        },
        Scenario {
            name: "SSRC change",
            code: "rtp.ssrc_change",
            broken: None,
            setup: |p| {
                Setup::new(
                    tls_camera(p)
                        .impair(|i| i.ssrc_change = Some(SsrcChange { after: 40, new_ssrc: 0xDEAD_BEEF })),
                )
            },
        },
        Scenario {
            name: "no RTCP",
            code: "rtcp.absent",
            broken: None,
            setup: |p| {
                let mut camera = tls_camera(p);
                camera.media.rtcp_sr = false;
                Setup::new(camera).configure(|c, _| c.media_window = Duration::from_secs(9))
            },
        },
        Scenario {
            name: "no parameter sets",
            code: "codec.no_parameter_sets",
            broken: Some(Layer::Codec),
            setup: |p| {
                let mut camera = tls_camera(p).impair(|i| i.strip_parameter_sets = true);
                camera.sdp.sprop = false;
                Setup::new(camera)
            },
        },
        Scenario {
            name: "no keyframe",
            code: "codec.no_keyframe",
            broken: Some(Layer::Codec),
            setup: |p| Setup::new(tls_camera(p).impair(|i| i.drop_keyframes = true)),
        },
        Scenario {
            name: "keep-alive refused",
            code: "rtsp.keepalive_failed",
            broken: None,
            setup: |p| {
                let mut camera = tls_camera(p).on(Override::status(Method::GetParameter, 405));
                camera.rtsp.session_timeout = Some(4);
                Setup::new(camera).configure(|c, _| c.media_window = Duration::from_secs(6))
            },
        },
    ]
}

async fn run_scenario(pki: &Pki, s: &Scenario) -> Outcome {
    let setup = (s.setup)(pki);
    let camera = FaultCamera::start(setup.camera).await.expect("the camera starts");
    let url = match setup.scheme {
        Some(scheme) => camera.url_with_scheme(scheme, setup.path),
        None => camera.url(setup.path),
    };
    let mut config = ProbeConfig::new(Url::parse(&url).expect("camera URL"), wall_clock(), [3; 32]);
    config.step_timeout = Duration::from_millis(1500);
    config.media_window = Duration::from_millis(2500);
    let mut tls = TlsOptions::default();
    if setup.trust_root {
        let root = pki.root.cert_pem();
        config.anchors = Some(vec![NamedBytes { name: "root.pem".into(), bytes: root.into_bytes() }]);
        tls.anchors = Some(vec![CertificateDer::from(pki.root.cert_der().to_vec())]);
    }
    (setup.configure)(&mut config, &mut tls);
    let mut events = Vec::new();
    let mut sink = |e: &ProbeEvent| events.push(e.clone());
    let report = timeout(Duration::from_secs(40), run(config, &tls, &mut sink, std::future::pending()))
        .await
        .unwrap_or_else(|_| panic!("{}: the probe did not finish", s.name))
        .expect("valid TLS options");
    let requests = camera.requests().into_iter().map(|r| r.method).collect();
    let rtcp_received = camera.rtcp_received().len();
    camera.shutdown().await;
    Outcome { report, events, requests, rtcp_received }
}

fn codes(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Runs every scenario, four at a time, and checks each gives its code and its first broken layer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_class_is_observed_and_named() {
    let pki = Arc::new(Pki::new());
    let limit = Arc::new(Semaphore::new(4));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, s) in scenarios().into_iter().enumerate() {
        let (pki, limit) = (Arc::clone(&pki), Arc::clone(&limit));
        tasks.spawn(async move {
            let _permit = limit.acquire().await.expect("semaphore open");
            let outcome = run_scenario(&pki, &s).await;
            (i, s, outcome)
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (_, s, outcome) = done.expect("scenario task");
        let report = &outcome.report;
        if !report.has(s.code) {
            failures.push(format!("{}: no {} in {:?}", s.name, s.code, codes(report)));
        } else if report.first_broken_layer != s.broken {
            failures.push(format!(
                "{}: first broken {:?}, expected {:?}; {:?}",
                s.name,
                report.first_broken_layer,
                s.broken,
                codes(report)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn scenario(name: &str) -> Scenario {
    scenarios().into_iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no scenario {name}"))
}

async fn outcome(name: &str) -> Outcome {
    run_scenario(&Pki::new(), &scenario(name)).await
}

#[tokio::test]
async fn a_healthy_rtsps_session_walks_every_layer_sends_rr_and_tears_down() {
    let o = outcome("healthy rtsps").await;
    let r = &o.report;
    assert!(r.findings.iter().all(|f| f.severity < Severity::Error), "{:?}", codes(r));
    for l in &r.layers {
        assert_ne!(l.status, LayerStatus::NotReached, "{:?}", l.layer);
        assert_ne!(l.status, LayerStatus::Fail, "{:?}: {:?}", l.layer, codes(r));
    }
    assert_eq!(o.requests.first().map(String::as_str), Some("OPTIONS"));
    assert_eq!(o.requests.last().map(String::as_str), Some("TEARDOWN"));
    assert!(o.rtcp_received > 0, "receiver reports reach the camera");
    let track = &r.facts.tracks[0];
    assert!(track.codec.as_ref().and_then(|c| c.sps.as_ref()).is_some(), "SPS read");
    assert!(track.first_keyframe_ms.is_some());
    let rtp = track.rtp.as_ref().expect("rtp facts");
    assert!(rtp.rtp_packets > 20 && rtp.sender_reports > 0, "{rtp:?}");
    let layers_in_order: Vec<Layer> = o
        .events
        .iter()
        .filter_map(|e| if let ProbeEvent::Layer { layer, .. } = e { Some(*layer) } else { None })
        .collect();
    assert_eq!(layers_in_order.first(), Some(&Layer::Tcp));
    assert!(matches!(o.events.last(), Some(ProbeEvent::Done { .. })));
}

#[tokio::test]
async fn an_rtsps_camera_with_rtsps_off_is_named_as_such() {
    let o = outcome("rtsps off, plain RTSP port").await;
    let f = o.report.findings.iter().find(|f| f.code == "tls.not_tls").expect("tls.not_tls");
    assert!(
        f.evidence.iter().any(|e| e.label == "plain_options_answer" && e.value.starts_with("RTSP/1.0 200")),
        "{f:#?}"
    );
    assert_eq!(o.report.verdict, Verdict::Broken);
}

#[tokio::test]
async fn credentials_never_show_in_the_report_or_the_events() {
    let o = outcome("digest algorithm").await;
    let text = format!(
        "{}{}",
        serde_json::to_string(&o.report).expect("json"),
        serde_json::to_string(&o.events).expect("json")
    );
    assert!(!text.contains("s3cret-pw"), "the password leaked");
    assert_eq!(o.report.facts.auth.as_ref().map(|a| a.outcome.as_str()), Some("accepted"));
}

#[tokio::test]
async fn ctrl_c_tears_down_and_still_reports() {
    let pki = Pki::new();
    let camera = FaultCamera::start(CameraConfig::default().tls(pki.tls())).await.expect("camera");
    let mut config =
        ProbeConfig::new(Url::parse(&camera.url("/stream")).expect("url"), wall_clock(), [5; 32]);
    config.media_window = Duration::from_secs(30);
    config.anchors =
        Some(vec![NamedBytes { name: "root.pem".into(), bytes: pki.root.cert_pem().into_bytes() }]);
    let tls = TlsOptions {
        anchors: Some(vec![CertificateDer::from(pki.root.cert_der().to_vec())]),
        ..TlsOptions::default()
    };
    let stop: Pin<Box<dyn Future<Output = ()> + Send>> =
        Box::pin(tokio::time::sleep(Duration::from_millis(1500)));
    let mut sink = |_: &ProbeEvent| {};
    let report = timeout(Duration::from_secs(10), run(config, &tls, &mut sink, stop))
        .await
        .expect("the interrupt ends the probe long before the window")
        .expect("options");
    assert!(report.facts.interrupted);
    assert!(report.facts.tracks[0].rtp.as_ref().is_some_and(|r| r.rtp_packets > 0));
    let methods: Vec<String> = camera.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods.last().map(String::as_str), Some("TEARDOWN"), "{methods:?}");
    camera.shutdown().await;
}

#[tokio::test]
async fn the_tls_scan_runs_after_a_good_handshake_when_asked() {
    let pki = Pki::new();
    let camera = FaultCamera::start(CameraConfig::default().tls(pki.tls())).await.expect("camera");
    let mut config =
        ProbeConfig::new(Url::parse(&camera.url("/stream")).expect("url"), wall_clock(), [6; 32]);
    config.media_window = Duration::ZERO;
    config.tls_scan = TlsScan::Always;
    config.anchors =
        Some(vec![NamedBytes { name: "root.pem".into(), bytes: pki.root.cert_pem().into_bytes() }]);
    let tls = TlsOptions {
        anchors: Some(vec![CertificateDer::from(pki.root.cert_der().to_vec())]),
        ..TlsOptions::default()
    };
    let mut sink = |_: &ProbeEvent| {};
    let report = timeout(Duration::from_secs(30), run(config, &tls, &mut sink, std::future::pending()))
        .await
        .expect("bounded")
        .expect("options");
    let scan = report.facts.tls.as_ref().and_then(|t| t.scan.as_ref()).expect("scan facts");
    assert!(scan.versions.iter().any(|v| v == "TLS 1.3"), "{scan:?}");
    assert!(scan.versions.iter().any(|v| v == "TLS 1.2"), "{scan:?}");
    camera.shutdown().await;
}

#[tokio::test]
async fn a_client_certificate_gets_through() {
    let pki = Pki::new();
    let setup = pki.tls().require_client_cert(pki.root.cert_pem());
    let camera = FaultCamera::start(CameraConfig::default().tls(setup)).await.expect("camera");
    let mut config =
        ProbeConfig::new(Url::parse(&camera.url("/stream")).expect("url"), wall_clock(), [7; 32]);
    config.media_window = Duration::ZERO;
    config.client_certificate = true;
    config.anchors =
        Some(vec![NamedBytes { name: "root.pem".into(), bytes: pki.root.cert_pem().into_bytes() }]);
    let tls = TlsOptions {
        anchors: Some(vec![CertificateDer::from(pki.root.cert_der().to_vec())]),
        client_auth: Some(client_cert(&pki)),
        ..TlsOptions::default()
    };
    let mut sink = |_: &ProbeEvent| {};
    let report = timeout(Duration::from_secs(20), run(config, &tls, &mut sink, std::future::pending()))
        .await
        .expect("bounded")
        .expect("options");
    assert_eq!(report.first_broken_layer, None, "{:?}", codes(&report));
    assert_eq!(report.layer_status(Layer::Codec), Some(LayerStatus::Pass), "{:?}", codes(&report));
    camera.shutdown().await;
}

#[tokio::test]
async fn video_and_audio_tracks_are_both_set_up_and_measured() {
    let pki = Pki::new();
    let camera = FaultCamera::start(tls_camera(&pki).with_audio()).await.expect("camera");
    let mut config =
        ProbeConfig::new(Url::parse(&camera.url("/stream")).expect("url"), wall_clock(), [8; 32]);
    config.media_window = Duration::from_secs(2);
    config.anchors =
        Some(vec![NamedBytes { name: "root.pem".into(), bytes: pki.root.cert_pem().into_bytes() }]);
    let tls = TlsOptions {
        anchors: Some(vec![CertificateDer::from(pki.root.cert_der().to_vec())]),
        ..TlsOptions::default()
    };
    let mut sink = |_: &ProbeEvent| {};
    let report = timeout(Duration::from_secs(20), run(config, &tls, &mut sink, std::future::pending()))
        .await
        .expect("bounded")
        .expect("options");
    let tracks: Vec<(&str, &str, u64)> = report
        .facts
        .tracks
        .iter()
        .map(|t| (t.media.as_str(), t.encoding.as_str(), t.rtp.as_ref().map_or(0, |r| r.rtp_packets)))
        .collect();
    assert_eq!(tracks.len(), 2, "{tracks:?}");
    assert!(tracks.iter().any(|(m, _, n)| *m == "video" && *n > 0), "{tracks:?}");
    assert!(tracks.iter().any(|(m, e, n)| *m == "audio" && *e == "PCMU" && *n > 50), "{tracks:?}");
    let setups = camera.requests().into_iter().filter(|r| r.method == "SETUP").count();
    assert_eq!(setups, 2);
    assert_eq!(report.first_broken_layer, None, "{:?}", codes(&report));
    camera.shutdown().await;
}
