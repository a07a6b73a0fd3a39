//! The client matrix: rtspeek's per-client verdicts against what the real clients do.
//!
//! Cameras are stood up on 127.0.0.1 with one condition each: gst-rtsp-server behind stunnel TLS fronts
//! (self-signed, unknown CA, CA given, name mismatch, IP missing from SAN, CN-only, expired, RSA-1024, SHA-1
//! signature, TLS 1.0 only, TLS 1.2 with RSA key exchange and CBC only, client certificate required, UDP only
//! over TLS), and plain RTSP servers (Digest SHA-256 only from `rtspeek serve`, Basic only, UDP only, H.265
//! from gst-rtsp-server). rtspeek probes each (with `--ca` where the user has the CA, `--legacy-tls` where the
//! camera needs it) and its report's `clients` says, per profile, whether the client plays with its default
//! settings. Then the real clients play the same URL: FFmpeg (ffprobe, GnuTLS), GStreamer (rtspsrc), OpenSSL 3
//! (Python ssl through aiortsp), Go 1.19 (crypto/tls), VLC 3 (cvlc) and rtspeek itself. The verdict must match
//! what each did (works or risky: it played; fails: it did not), case by case. Where a verdict fails only on
//! trust, its trust setting is applied to the client (the CA in `tls-database`, `SSL_CERT_FILE`, `--ca`) and the
//! client must then play.
//!
//! Also: each runnable client's real ClientHello is captured and must be exactly the offer its profile
//! declares (versions and suites), so the TLS part of every verdict starts from measured data.
//!
//! Everything runs on loopback, bounded (each client 25 s at most, each probe 30 s), several conditions at
//! once.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::support::live_probe::{block_on, config, probe};
use crate::support::serve::{Pki, Serve, basic_config};
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::clients::{ClientVerdict, Effect, Outcome, lookup};
use rtspeek_core::probe::{NamedBytes, ProbeConfig};
use rtspeek_core::tls::{CipherSuite, ProtocolVersion};
use rtspeek_core::{Layer, LayerStatus, Report};
use rtspeek_tests::peers::clients::{self, Played};
use rtspeek_tests::peers::gst::{GstAuth, GstOptions, GstProtocols, GstRtspServer};
use rtspeek_tests::peers::stunnel::{Front, StunnelFronts};
use rtspeek_tests::pki::{Cert, Digest, KeyAlg, days_from_now};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

/// A real client of the matrix, and the profile that speaks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    Ffmpeg,
    Gstreamer,
    Python,
    Go,
    Vlc,
    Rtspeek,
}

impl Client {
    /// Whether running this client shows the outcome of `layer`.
    fn measures(self, layer: Layer) -> bool {
        self != Client::Go || matches!(layer, Layer::Tcp | Layer::Tls | Layer::Certificate)
    }

    fn profile(self) -> &'static str {
        match self {
            Client::Ffmpeg => "ffmpeg-gnutls",
            Client::Gstreamer => "gstreamer",
            Client::Python => "openssl3",
            Client::Go => "go-legacy",
            Client::Vlc => "vlc3",
            Client::Rtspeek => "rustls",
        }
    }
}

/// Clients of rtsps:// cameras, and of plain ones (Go has no RTSP client of its own; Debian's VLC has no
/// RTSP at all without live555, so it is measured only on rtsps://, which no VLC 3 opens).
const TLS_CLIENTS: [Client; 6] =
    [Client::Ffmpeg, Client::Gstreamer, Client::Python, Client::Go, Client::Vlc, Client::Rtspeek];
const PLAIN_CLIENTS: [Client; 4] = [Client::Ffmpeg, Client::Gstreamer, Client::Python, Client::Rtspeek];

/// One camera condition.
struct Condition {
    name: &'static str,
    url: String,
    /// rtspeek's probe gets `--ca` with the trust file (the user has the camera's CA).
    probe_trusts: bool,
    /// rtspeek's probe gets `--legacy-tls`.
    legacy: bool,
    /// What a verifying client is told to trust to get past an untrusted certificate.
    trust_file: Option<PathBuf>,
    h265: bool,
}

/// A TLS camera of the matrix: its certificate, its TLS front and how rtspeek probes it.
struct Spec {
    name: &'static str,
    cert: Cert,
    trust_file: PathBuf,
    host: &'static str,
    probe_trusts: bool,
    legacy: bool,
    backend: Option<u16>,
    front: Box<dyn Fn(&mut Front)>,
}

impl Spec {
    /// A camera at 127.0.0.1 with `cert`, whose CA (`trust_file`) the user has and gives to rtspeek, OpenSSL's
    /// default TLS, in front of the default gst-rtsp-server.
    fn new(name: &'static str, cert: Cert, trust_file: &Path) -> Spec {
        Spec {
            name,
            cert,
            trust_file: trust_file.to_path_buf(),
            host: "127.0.0.1",
            probe_trusts: true,
            legacy: false,
            backend: None,
            front: Box::new(|_| {}),
        }
    }

    /// The user does not have the CA: rtspeek probes without `--ca`.
    fn untrusted(mut self) -> Spec {
        self.probe_trusts = false;
        self
    }

    /// Clients connect by this name.
    fn host(mut self, host: &'static str) -> Spec {
        self.host = host;
        self
    }

    /// The front's TLS settings.
    fn front(mut self, adjust: impl Fn(&mut Front) + 'static) -> Spec {
        self.front = Box::new(adjust);
        self
    }

    /// rtspeek probes with `--legacy-tls`.
    fn legacy(mut self) -> Spec {
        self.legacy = true;
        self
    }

    /// Another backend than the default gst-rtsp-server.
    fn backend(mut self, port: u16) -> Spec {
        self.backend = Some(port);
        self
    }
}

/// One disagreement, for the failure message.
struct Mismatch(String);

/// The stand-in cameras, alive as long as this is.
struct World {
    _dir: tempfile::TempDir,
    _gst: GstRtspServer,
    _gst_udp: GstRtspServer,
    _gst_basic: GstRtspServer,
    _serve: Serve,
    _serve_pki: Pki,
    _fronts: StunnelFronts,
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

fn rsa_leaf(root: &Cert) -> rtspeek_tests::pki::CertBuilder<'_> {
    root.leaf().key_alg(KeyAlg::Rsa2048).valid_now()
}

impl World {
    fn start() -> (World, Vec<Condition>) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = Cert::root("client matrix root");
        let other = Cert::root("client matrix other root");
        let root_file = write(dir.path(), "root.pem", &root.cert_pem());
        let other_file = write(dir.path(), "other-root.pem", &other.cert_pem());

        let gst = GstRtspServer::start(GstOptions::default()).expect("gst-rtsp-server starts");
        let gst_udp =
            GstRtspServer::start(GstOptions { protocols: GstProtocols::Udp, ..GstOptions::default() })
                .expect("gst-rtsp-server (UDP only) starts");
        let gst_basic = GstRtspServer::start(GstOptions { auth: GstAuth::Basic, ..GstOptions::default() })
            .expect("gst-rtsp-server (Basic) starts");
        let serve_pki = Pki::new();
        let serve = Serve::start(
            &serve_pki,
            &basic_config(
                &serve_pki,
                r#"
[[stream]]
path = "sha256"
source = { kind = "synthetic", width = 320, height = 180, fps = 25, gop = 25, bitrate_kbps = 400 }
[stream.auth]
realm = "matrix"
schemes = ["digest-sha256"]
[[stream.auth.user]]
name = "viewer"
password = "matrix-pass"
"#,
            ),
        );

        let good = || rsa_leaf(&root).dns(["localhost"]).ip(["127.0.0.1"]);
        let self_signed = Cert::self_signed_leaf()
            .key_alg(KeyAlg::Rsa2048)
            .dns(["localhost"])
            .ip(["127.0.0.1"])
            .valid_now()
            .build();
        let self_signed_file = write(dir.path(), "self-signed.pem", &self_signed.cert_pem());
        let tls10 = |f: &mut Front| {
            f.versions = Some(("TLSv1", "TLSv1"));
            f.ciphers = Some("DEFAULT:@SECLEVEL=0");
            f.security_level_0 = true;
        };
        let rsa_cbc = |f: &mut Front| {
            f.versions = Some(("TLSv1.2", "TLSv1.2"));
            f.ciphers = Some("AES128-SHA:AES256-SHA:AES128-SHA256");
        };
        let specs = vec![
            Spec::new("self-signed", self_signed, &self_signed_file).untrusted(),
            Spec::new(
                "unknown-ca",
                rsa_leaf(&other).dns(["localhost"]).ip(["127.0.0.1"]).build(),
                &other_file,
            )
            .untrusted(),
            Spec::new("ca-given", good().build(), &root_file),
            Spec::new("name-mismatch", rsa_leaf(&root).dns(["other.example"]).build(), &root_file)
                .host("localhost"),
            Spec::new("ip-not-in-san", rsa_leaf(&root).dns(["localhost"]).build(), &root_file),
            Spec::new("cn-only", rsa_leaf(&root).cn("localhost").no_san().build(), &root_file)
                .host("localhost"),
            Spec::new("expired", good().valid(days_from_now(-60), days_from_now(-1)).build(), &root_file),
            Spec::new("rsa-1024", good().key_alg(KeyAlg::Rsa1024).build(), &root_file)
                .front(|f| f.security_level_0 = true),
            Spec::new("sha1-signature", good().digest(Digest::Sha1).build(), &root_file)
                .front(|f| f.security_level_0 = true),
            Spec::new("tls10-only", good().build(), &root_file).front(tls10).legacy(),
            Spec::new("tls12-rsa-cbc-only", good().build(), &root_file).front(rsa_cbc).legacy(),
            Spec::new("client-cert-required", good().build(), &root_file)
                .front(|f| f.require_client_cert_ca_pem = Some(Cert::root("client CA").cert_pem())),
            Spec::new("udp-only-rtsps", good().build(), &root_file).backend(gst_udp.port()),
        ];
        let fronts: Vec<Front> = specs
            .iter()
            .map(|spec| {
                let backend = spec.backend.unwrap_or(gst.port());
                let mut front = Front::new(spec.name, spec.cert.cert_pem(), spec.cert.key_pem(), backend);
                (spec.front)(&mut front);
                front
            })
            .collect();
        let fronts = StunnelFronts::start(&fronts).expect("stunnel starts");
        let mut conditions: Vec<Condition> = specs
            .into_iter()
            .map(|spec| Condition {
                name: spec.name,
                url: format!("rtsps://{}:{}/test", spec.host, fronts.port(spec.name)),
                probe_trusts: spec.probe_trusts,
                legacy: spec.legacy,
                trust_file: Some(spec.trust_file),
                h265: false,
            })
            .collect();
        let plain_condition = |name: &'static str, url: String, h265: bool| Condition {
            name,
            url,
            probe_trusts: false,
            legacy: false,
            trust_file: None,
            h265,
        };
        let sha256 = serve.url("rtsp", "sha256").replacen("rtsp://", "rtsp://viewer:matrix-pass@", 1);
        let basic = gst_basic.url("/test").replacen("rtsp://", "rtsp://admin:secret@", 1);
        conditions.push(plain_condition("digest-sha256-only", sha256, false));
        conditions.push(plain_condition("basic-only", basic, false));
        conditions.push(plain_condition("udp-only", gst_udp.url("/test"), false));
        conditions.push(plain_condition("h265", gst.url("/h265"), true));
        let world = World {
            _dir: dir,
            _gst: gst,
            _gst_udp: gst_udp,
            _gst_basic: gst_basic,
            _serve: serve,
            _serve_pki: serve_pki,
            _fronts: fronts,
        };
        (world, conditions)
    }
}

/// rtspeek's diagnostic probe of a condition: `--ca` and `--legacy-tls` as the condition says.
fn diagnose(c: &Condition) -> Report {
    let (mut config, mut tls) = (config(&c.url), TlsOptions::default());
    if c.probe_trusts
        && let Some(file) = &c.trust_file
    {
        trust_file(&mut config, &mut tls, file);
    }
    config.legacy_tls = c.legacy;
    block_on(probe("diagnosis", config, tls)).report
}

/// rtspeek as a client with its default settings: the public web PKI, no legacy TLS.
fn rtspeek_plays(url: &str) -> Played {
    let run = block_on(probe("rtspeek default", config(url), TlsOptions::default()));
    let played = matches!(run.report.layer_status(Layer::Rtp), Some(LayerStatus::Pass | LayerStatus::Warn));
    let detail =
        format!("{:?}: {:?}", run.report.first_broken_layer, run.report.findings.first().map(|f| &f.code));
    Played { played, detail }
}

/// The client with its default settings, or with `trust` made its trusted CA the way its trust setting says.
fn play(client: Client, c: &Condition, trust: Option<&Path>) -> Played {
    let url = &c.url;
    let (host, port) = host_port(url);
    let env: Vec<(&str, &Path)> = trust.map(|t| ("SSL_CERT_FILE", t)).into_iter().collect();
    let played = match client {
        Client::Ffmpeg => clients::ffprobe(url, &[]),
        Client::Gstreamer => clients::gstreamer(url, trust, c.h265),
        Client::Python => clients::aiortsp(url, &env),
        Client::Go => clients::go_tls(&host, port, None, &env),
        Client::Vlc => clients::vlc(url),
        Client::Rtspeek => {
            return match trust {
                None => rtspeek_plays(url),
                Some(file) => {
                    let (mut config, mut tls) = (config(url), TlsOptions::default());
                    trust_file(&mut config, &mut tls, file);
                    let run = block_on(probe("rtspeek --ca", config, tls));
                    let played = matches!(
                        run.report.layer_status(Layer::Rtp),
                        Some(LayerStatus::Pass | LayerStatus::Warn)
                    );
                    Played { played, detail: format!("{:?}", run.report.first_broken_layer) }
                }
            };
        }
    };
    played.unwrap_or_else(|e| panic!("{}: {client:?} could not run: {e}", c.name))
}

/// `--ca FILE`: the report's trust statement (PEM, named) and the TLS client (DER).
fn trust_file(config: &mut ProbeConfig, tls: &mut TlsOptions, file: &Path) {
    let pem = std::fs::read(file).expect("trust file");
    let ders: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&pem).collect::<Result<_, _>>().expect("PEM certificates");
    config.anchors = Some(vec![NamedBytes { name: file.display().to_string(), bytes: pem }]);
    tls.anchors = Some(ders);
}

fn host_port(url: &str) -> (String, u16) {
    let authority = url.split("://").nth(1).and_then(|r| r.split('/').next()).expect("authority");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = authority.rsplit_once(':').expect("a port");
    (host.to_owned(), port.parse().expect("a port number"))
}

/// Whether the client plays once it trusts the camera's CA (its trust setting applied): when nothing but
/// trust keeps it out, and, for a self-signed certificate, when it can take a certificate as its own anchor.
fn plays_once_trusted(client: Client, verdict: &ClientVerdict, self_signed_anchor: bool) -> bool {
    let trust = |code: Option<&str>| matches!(code, Some("cert.untrusted_issuer" | "cert.self_signed"));
    let self_signed = verdict.because.iter().any(|r| r.code.as_deref() == Some("cert.self_signed"));
    verdict
        .because
        .iter()
        .filter(|r| r.effect == Effect::Fails && client.measures(r.layer))
        .all(|r| trust(r.code.as_deref()))
        && (self_signed_anchor || !self_signed)
}

/// The verdict as far as `client` can show it: the Go client is a TLS client only (Go has no RTSP client of
/// its own; gortsplib's RTSP facts are cited), so only its TLS and certificate reasons count.
fn expected_outcome(client: Client, verdict: &ClientVerdict) -> Outcome {
    let counted: Vec<_> = verdict.because.iter().filter(|r| client.measures(r.layer)).collect();
    if counted.iter().any(|r| r.effect == Effect::Fails) {
        Outcome::Fails
    } else if counted.is_empty() {
        Outcome::Works
    } else {
        Outcome::Risky
    }
}

fn check(c: &Condition, clients: &[Client], out: &mut Vec<Mismatch>, log: &mut String) {
    let report = diagnose(c);
    if c.legacy {
        // --legacy-tls: the probe reaches RTP and decodes the first picture, and TLS stays the broken link.
        let reached = |l| matches!(report.layer_status(l), Some(LayerStatus::Pass | LayerStatus::Warn));
        let picture = report.facts.tracks.iter().any(|t| t.codec.as_ref().is_some_and(|c| c.sps.is_some()));
        let legacy = report.facts.tls.as_ref().and_then(|t| t.legacy.as_ref());
        if report.first_broken_layer != Some(Layer::Tls)
            || !reached(Layer::Rtp)
            || !reached(Layer::Codec)
            || !picture
            || legacy.is_none()
        {
            out.push(Mismatch(format!(
                "{}: --legacy-tls should reach the picture with TLS still broken: first broken {:?}, rtp {:?}, codec {:?}, picture {picture}, legacy {legacy:?}",
                c.name,
                report.first_broken_layer,
                report.layer_status(Layer::Rtp),
                report.layer_status(Layer::Codec)
            )));
        }
    }
    for &client in clients {
        let id = client.profile();
        let Some(verdict) = report.clients.iter().find(|v| v.id == id) else {
            out.push(Mismatch(format!("{}: no verdict for {id}", c.name)));
            continue;
        };
        let played = play(client, c, None);
        let _ = writeln!(
            log,
            "{:<22} {:<14} verdict {:<6} played {:<5} | {}",
            c.name,
            id,
            verdict.verdict.as_str(),
            played.played,
            played.detail
        );
        // A risky verdict that names something unobserved that may stop the client (Effect::MayFail) predicts
        // either outcome; every other verdict predicts one.
        let may_fail =
            verdict.because.iter().any(|r| r.effect == Effect::MayFail && client.measures(r.layer));
        let agrees = match expected_outcome(client, verdict) {
            Outcome::Fails => !played.played,
            Outcome::Works => played.played,
            Outcome::Risky => played.played || may_fail,
        };
        if !agrees {
            out.push(Mismatch(format!(
                "{}: {id} is {} but the real client {}: {}\n    reasons: {:?}",
                c.name,
                verdict.verdict.as_str(),
                if played.played { "played" } else { "did not play" },
                played.detail,
                verdict.because.iter().map(|r| &r.text).collect::<Vec<_>>()
            )));
        }
        // Told to trust the camera's CA (the trust setting of its verdict), a verifying client plays exactly
        // when nothing else in its verdict keeps it out.
        let verifies = matches!(client, Client::Gstreamer | Client::Python | Client::Go | Client::Rtspeek);
        if let (true, Some(file)) = (verifies, &c.trust_file) {
            let anchor = lookup(id).and_then(|p| p.tls).is_some_and(|t| t.self_signed_anchor);
            let expect = plays_once_trusted(client, verdict, anchor);
            let trusted = play(client, c, Some(file));
            let _ = writeln!(
                log,
                "{:<22} {:<14} trusting the CA: played {:<5} | {}",
                c.name, id, trusted.played, trusted.detail
            );
            if trusted.played != expect {
                out.push(Mismatch(format!(
                    "{}: {id} trusting the CA {} (the verdict says it {}): {}\n    reasons: {:?}",
                    c.name,
                    if trusted.played { "played" } else { "did not play" },
                    if expect { "would" } else { "would not" },
                    trusted.detail,
                    verdict.because.iter().map(|r| &r.text).collect::<Vec<_>>()
                )));
            }
        }
    }
}

#[test]
fn every_verdict_matches_what_the_real_client_did() {
    let (world, conditions) = World::start();
    let mut mismatches = Vec::new();
    let mut log = String::new();
    // A few conditions at a time: clients are mostly waiting on the network.
    for chunk in conditions.chunks(4) {
        let results: Vec<(Vec<Mismatch>, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|c| {
                    s.spawn(move || {
                        let (mut out, mut log) = (Vec::new(), String::new());
                        let clients: &[Client] =
                            if c.url.starts_with("rtsps") { &TLS_CLIENTS } else { &PLAIN_CLIENTS };
                        check(c, clients, &mut out, &mut log);
                        (out, log)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a condition thread")).collect()
        });
        for (m, l) in results {
            mismatches.extend(m);
            log.push_str(&l);
        }
    }
    println!("{log}");
    drop(world);
    assert!(
        mismatches.is_empty(),
        "{} verdict(s) disagree with the real clients:\n{}\n\nall runs:\n{log}",
        mismatches.len(),
        mismatches.iter().map(|m| m.0.as_str()).collect::<Vec<_>>().join("\n")
    );
}

/// The suites and versions a profile declares are what the real client offers.
fn assert_offer(id: &str, hello: &rtspeek_core::tls::ClientHello) {
    let profile = lookup(id).and_then(|p| p.tls).unwrap_or_else(|| panic!("{id} has a TLS profile"));
    let offered: Vec<CipherSuite> =
        hello.cipher_suites.iter().copied().filter(|s| !s.is_signalling() && !s.is_grease()).collect();
    assert_eq!(offered, profile.suites, "{id}: the profile's suites are not what the client offers");
    let mut versions = hello.supported_versions();
    if versions.is_empty() {
        versions.push(hello.legacy_version);
    }
    let declared: BTreeSet<ProtocolVersion> = profile.versions.iter().copied().collect();
    let offered: BTreeSet<ProtocolVersion> = versions.into_iter().filter(|v| v.name().is_some()).collect();
    // OpenSSL-based clients may offer versions their security level then refuses; the profile lists the
    // ones that can connect, so they must all be offered.
    assert!(declared.is_subset(&offered), "{id}: declares {declared:?}, offers {offered:?}");
    if id != "openssl3" {
        assert_eq!(declared, offered, "{id}: declares {declared:?}, offers {offered:?}");
    }
}

#[test]
fn each_profile_offers_what_the_real_client_offers() {
    let capture = |run: &dyn Fn(u16)| clients::capture_client_hello(run).unwrap_or_else(|e| panic!("{e}"));
    let ffmpeg = capture(&|port| drop(clients::ffprobe(&format!("rtsps://127.0.0.1:{port}/x"), &[])));
    assert_offer("ffmpeg-gnutls", &ffmpeg);
    let gst = capture(&|port| drop(clients::gstreamer(&format!("rtsps://127.0.0.1:{port}/x"), None, false)));
    assert_offer("gstreamer", &gst);
    let python = capture(&|port| drop(clients::aiortsp(&format!("rtsps://127.0.0.1:{port}/x"), &[])));
    assert_offer("openssl3", &python);
    let go = capture(&|port| drop(clients::go_tls("127.0.0.1", port, None, &[])));
    assert_offer("go-legacy", &go);
    let rtspeek = capture(&|port| drop(rtspeek_plays(&format!("rtsps://127.0.0.1:{port}/x"))));
    assert_offer("rustls", &rtspeek);
}
