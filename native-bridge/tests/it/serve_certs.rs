//! Certificate reload of `rtspeek serve`: a pair refused because it is not valid yet goes into service when its
//! time comes, although its files do not change again; files caught in the middle of a replacement (a leaf
//! written before its chain, a key written before its certificate) are never swapped in.
//!
//! The store is driven directly with real files and the time as an input (so dates are deterministic), then
//! the real binary shows the watcher doing it on its own, observed through TLS handshakes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::serve::{Pki, Serve, basic_config};
use rtspeek_bridge::serve::certs::{PairId, ReloadOutcome, Slot};
use rtspeek_bridge::serve::config::PairConfig;
use rtspeek_bridge::tls::{Connector, TlsOptions};
use rtspeek_tests::pki::{Cert, NOW, chain_pem, day, days_from_now, wall_clock};

/// A pair's files in a temporary directory, for the name `cam.test`.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files { dir: tempfile::tempdir().unwrap() }
    }

    fn cert_path(&self) -> PathBuf {
        self.dir.path().join("cam.pem")
    }

    fn key_path(&self) -> PathBuf {
        self.dir.path().join("cam.key")
    }

    fn config(&self) -> PairConfig {
        PairConfig { cert: self.cert_path(), key: self.key_path(), names: vec!["cam.test".into()] }
    }

    fn write_cert(&self, chain: &[&Cert]) {
        std::fs::write(self.cert_path(), chain_pem(chain)).unwrap();
    }

    fn write_key(&self, cert: &Cert) {
        std::fs::write(self.key_path(), cert.key_pem()).unwrap();
    }
}

fn fingerprint(cert: &Cert) -> String {
    rtspeek_core::cert::fingerprint_sha256(cert.cert_der())
}

/// Reloads until the outcome is not `Settling` (a changed file is judged at the second check that sees it).
fn settled(slot: &Slot, now: rtspeek_core::UnixTime) -> ReloadOutcome {
    assert_eq!(slot.reload(now, false), ReloadOutcome::Settling, "a new version waits for the next check");
    slot.reload(now, false)
}

#[test]
fn a_pair_refused_as_not_yet_valid_goes_into_service_when_its_time_comes() {
    let root = Cert::root("reload root");
    let files = Files::new();
    let leaf = |from, to| root.leaf().dns(["cam.test"]).valid(from, to).build();
    let old = leaf(day(-30), day(300));
    files.write_cert(&[&old]);
    files.write_key(&old);
    let slot = Slot::load(PairId::Global, files.config(), NOW).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(slot.fingerprint(), fingerprint(&old));

    // The renewal arrives ten days early.
    let new = leaf(day(10), day(400));
    files.write_cert(&[&new]);
    files.write_key(&new);
    match settled(&slot, NOW) {
        ReloadOutcome::Refused(why) => assert!(why.contains("cert.not_yet_valid"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(slot.fingerprint(), fingerprint(&old), "the pair in service stays");
    // Judged again at every check although the files did not change...
    assert!(matches!(slot.reload(day(5), false), ReloadOutcome::Refused(_)));
    // ...and swapped in once valid.
    assert_eq!(slot.reload(day(11), false), ReloadOutcome::Swapped(fingerprint(&new)));
    assert_eq!(slot.fingerprint(), fingerprint(&new));
    assert_eq!(slot.reload(day(12), false), ReloadOutcome::Unchanged);
}

#[test]
fn a_leaf_without_its_chain_or_a_key_without_its_certificate_is_never_swapped_in() {
    let root = Cert::root("reload root");
    let inter = root.intermediate_builder("reload intermediate").valid(day(-60), day(600)).build();
    let leaf = || inter.leaf().dns(["cam.test"]).valid(day(-30), day(300)).build();
    let files = Files::new();
    let first = leaf();
    files.write_cert(&[&first, &inter]);
    files.write_key(&first);
    let slot = Slot::load(PairId::Global, files.config(), NOW).unwrap_or_else(|e| panic!("{e}"));

    // A renewal written in steps: the new key and the leaf first, the intermediate appended later.
    let second = leaf();
    files.write_key(&second);
    files.write_cert(&[&second]);
    match settled(&slot, NOW) {
        ReloadOutcome::Refused(why) => assert!(why.contains("holds 1 certificate(s)"), "{why}"),
        other => panic!("a leaf without its chain: {other:?}"),
    }
    assert_eq!(slot.fingerprint(), fingerprint(&first));
    assert_eq!(slot.reload(NOW, false), ReloadOutcome::Unchanged, "judged once, until the files change");
    files.write_cert(&[&second, &inter]);
    assert_eq!(settled(&slot, NOW), ReloadOutcome::Swapped(fingerprint(&second)));

    // Another renewal: the key is written first, its certificate later.
    let third = leaf();
    files.write_key(&third);
    match settled(&slot, NOW) {
        ReloadOutcome::Refused(why) => assert!(why.contains("cert.key_mismatch"), "{why}"),
        other => panic!("a key without its certificate: {other:?}"),
    }
    assert_eq!(slot.fingerprint(), fingerprint(&second));
    // A certificate file caught half-written.
    let pem = chain_pem(&[&third, &inter]);
    std::fs::write(files.cert_path(), &pem[..pem.len() / 2]).unwrap();
    assert!(matches!(settled(&slot, NOW), ReloadOutcome::Refused(_)));
    assert_eq!(slot.fingerprint(), fingerprint(&second));
    // A version still changing between two checks is not judged at all.
    files.write_cert(&[&third]);
    assert_eq!(slot.reload(NOW, false), ReloadOutcome::Settling);
    files.write_cert(&[&third, &inter]);
    assert_eq!(slot.reload(NOW, false), ReloadOutcome::Settling);
    assert_eq!(slot.reload(NOW, false), ReloadOutcome::Swapped(fingerprint(&third)));

    // SIGHUP (force) takes a shorter chain on purpose, at once.
    files.write_cert(&[&third]);
    assert_eq!(slot.reload(NOW, true), ReloadOutcome::Swapped(fingerprint(&third)));
}

/// The leaf `rtspeek serve` shows in a TLS handshake at `authority` for SNI `localhost`, as a fingerprint.
fn served(authority: &str, pki: &Pki) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let options =
            TlsOptions { anchors: Some(vec![pki.ca_der()]), insecure: true, ..TlsOptions::default() };
        let connector = Connector::new(&options).unwrap();
        let tcp = tokio::net::TcpStream::connect(authority).await.expect("connect");
        let (_, facts) = connector.connect(tcp, "localhost").await;
        let chain = facts.verification.expect("the verifier saw a certificate").chain;
        rtspeek_core::cert::fingerprint_sha256(&chain[0])
    })
}

fn read_fingerprint(path: &Path) -> String {
    let pem = std::fs::read(path).unwrap();
    let der: rustls::pki_types::CertificateDer<'_> =
        rustls::pki_types::pem::PemObject::from_pem_slice(&pem).expect("PEM");
    rtspeek_core::cert::fingerprint_sha256(&der)
}

#[test]
fn the_running_server_takes_a_not_yet_valid_renewal_when_its_time_comes() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let authority = Serve::authority(&serve.url("rtsps", "synthetic"));
    let old = read_fingerprint(&pki.path().join("server.pem"));
    assert_eq!(served(&authority, &pki), old);

    // A renewal valid from a few seconds from now: the watcher (1 s) sees it, refuses it, and judges it
    // again until it is valid.
    let not_before = rtspeek_core::UnixTime(wall_clock().0 + 5);
    let renewal = pki
        .root
        .leaf()
        .cn("localhost")
        .dns(["localhost"])
        .ip(["127.0.0.1"])
        .valid(not_before, days_from_now(30))
        .build();
    pki.write("server", &renewal);
    let deadline = Instant::now() + Duration::from_secs(30);
    while served(&authority, &pki) != fingerprint(&renewal) {
        assert!(Instant::now() < deadline, "the renewal was not served within 30 s of being written");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(wall_clock().0 >= not_before.0, "served only once valid");
}

/// The suite `openssl s_client` gets from the server with `args` (a version, a suite list), as OpenSSL names it.
fn negotiated_suite(authority: &str, pki: &Pki, args: &[&str]) -> String {
    let openssl = rtspeek_tests::peers::require("openssl").unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = std::process::Command::new(&openssl);
    cmd.args(["s_client", "-connect", authority, "-servername", "localhost", "-CAfile"])
        .arg(pki.ca_path())
        .args(args);
    let out =
        rtspeek_tests::peers::run_bounded(cmd, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    // `New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256`
    text.lines()
        .find_map(|l| l.split_once(", Cipher is ").map(|(_, suite)| suite.trim().to_owned()))
        .unwrap_or_else(|| panic!("s_client {args:?} negotiated nothing: {text}"))
}

/// The server's suite order wins where the client allows (issue 18): AES-128-GCM, although OpenSSL (like
/// rustls) lists AES-256-GCM first; a client without it still gets a suite it offers, in TLS 1.3 and 1.2.
#[test]
fn the_server_prefers_aes_128_gcm_where_the_client_offers_it() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, ""));
    let authority = Serve::authority(&serve.url("rtsps", "synthetic"));
    assert_eq!(negotiated_suite(&authority, &pki, &["-tls1_3"]), "TLS_AES_128_GCM_SHA256");
    assert_eq!(negotiated_suite(&authority, &pki, &["-tls1_2"]), "ECDHE-ECDSA-AES128-GCM-SHA256");
    let chacha = ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"];
    assert_eq!(negotiated_suite(&authority, &pki, &chacha), "TLS_CHACHA20_POLY1305_SHA256");
    let aes256 = ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"];
    assert_eq!(negotiated_suite(&authority, &pki, &aes256), "ECDHE-ECDSA-AES256-GCM-SHA384");
}
