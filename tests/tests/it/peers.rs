//! The peer launchers against the real third-party programs on 127.0.0.1: gst-rtsp-server answers OPTIONS in
//! plain RTSP and inside TLS with a certificate from the test PKI, `openssl s_server` serves TLS 1.0 only,
//! ffprobe reads a stream, and every peer is gone (port closed, process group empty) once its guard is
//! dropped, also when a test panics. A missing peer is an error, never a skip.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rtspeek_tests::peers::ffmpeg::run_ffprobe;
use rtspeek_tests::peers::gst::{GstOptions, GstRtspServer};
use rtspeek_tests::peers::openssl::{OpensslOptions, OpensslServer, TlsVersions};
use rtspeek_tests::peers::{PeerError, PeerProcess, require, run_bounded};
use rtspeek_tests::pki::{Cert, Eku, days_from_now};
use rustls::client::WantsClientCert;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, ConfigBuilder, RootCertStore, StreamOwned};

const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A root and a leaf for localhost and 127.0.0.1, valid around the real time.
fn pki() -> (Cert, Cert) {
    let root = Cert::root("peers test root");
    let leaf =
        root.leaf().dns(["localhost"]).ip(["127.0.0.1"]).valid(days_from_now(-1), days_from_now(30)).build();
    (root, leaf)
}

fn connect(port: u16) -> TcpStream {
    let tcp = TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
    tcp.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    tcp.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    tcp
}

/// Sends OPTIONS with CSeq 1 and returns the response head (up to the empty line).
fn options(stream: &mut impl ReadWrite, url: &str) -> String {
    write!(stream, "OPTIONS {url} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: rtspeek-tests\r\n\r\n").unwrap();
    stream.flush().unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => {
                panic!("reading the OPTIONS response: {other:?} after {:?}", String::from_utf8_lossy(&head))
            }
        }
        assert!(head.len() < 16 * 1024, "endless response head");
    }
    String::from_utf8(head).expect("ASCII response head")
}

fn der(cert: &Cert) -> CertificateDer<'static> {
    CertificateDer::from(cert.cert_der().to_vec())
}

/// A rustls client trusting only `root`, before the client-certificate choice.
fn client_config(root: &Cert) -> ConfigBuilder<ClientConfig, WantsClientCert> {
    let mut roots = RootCertStore::empty();
    roots.add(der(root)).unwrap();
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
}

/// TLS to 127.0.0.1 (an IP server name: no SNI), verified against the config's roots on the first write.
fn tls_connect(config: ClientConfig, port: u16) -> StreamOwned<ClientConnection, TcpStream> {
    let name = ServerName::try_from("127.0.0.1").unwrap();
    StreamOwned::new(ClientConnection::new(Arc::new(config), name).unwrap(), connect(port))
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn assert_options_ok(head: &str) {
    assert!(head.starts_with("RTSP/1.0 200 OK\r\n"), "not a 200 OK:\n{head}");
    assert!(
        head.lines().any(|l| l
            .split_once(':')
            .is_some_and(|(n, v)| n.eq_ignore_ascii_case("cseq") && v.trim() == "1")),
        "no `CSeq: 1`:\n{head}"
    );
}

/// Whether connecting to the port is refused within `within` (it is until the server is gone).
fn refused_within(port: u16, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        match TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_millis(200),
        ) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return true,
            _ if Instant::now() >= deadline => return false,
            _ => thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Whether process group `pgid` still has a member (`kill -0` succeeds).
fn group_alive(pgid: u32) -> bool {
    Command::new("kill")
        .args(["-s", "0", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status()
        .expect("run kill")
        .success()
}

fn assert_gone(port: u16, pgid: u32) {
    assert!(
        refused_within(port, Duration::from_secs(2)),
        "port {port} still accepts connections 2 s after drop"
    );
    // A killed grandchild (openssl under `timeout`) lingers as a zombie until init reaps it: poll.
    let deadline = Instant::now() + Duration::from_secs(2);
    while group_alive(pgid) {
        assert!(Instant::now() < deadline, "process group {pgid} survived the drop by 2 s");
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn gst_plain_answers_options() {
    let server = GstRtspServer::start(GstOptions::default()).unwrap();
    let url = server.url("/test");
    assert_eq!(url, format!("rtsp://127.0.0.1:{}/test", server.port()));
    let head = options(&mut connect(server.port()), &url);
    assert_options_ok(&head);
    assert!(head.contains("DESCRIBE"), "OPTIONS lists no DESCRIBE:\n{head}");
}

#[test]
fn gst_rtsps_with_test_pki_answers_options() {
    let (root, leaf) = pki();
    let server = GstRtspServer::start(GstOptions {
        cert_pem: Some(leaf.cert_pem()),
        key_pem: Some(leaf.key_pem()),
        ..GstOptions::default()
    })
    .unwrap();
    let url = server.url("test");
    assert_eq!(url, format!("rtsps://127.0.0.1:{}/test", server.port()));

    let mut tls = tls_connect(client_config(&root).with_no_client_auth(), server.port());
    // The handshake runs on the first write; a failed verification shows up here.
    let head = options(&mut tls, &url);
    assert_options_ok(&head);
    assert!(tls.conn.protocol_version().is_some(), "no TLS version negotiated");
}

#[test]
fn gst_requires_and_accepts_a_client_certificate_from_its_ca() {
    let (root, leaf) = pki();
    let client = root
        .leaf()
        .cn("peers test client")
        .eku(&[Eku::ClientAuth])
        .valid(days_from_now(-1), days_from_now(30))
        .build();
    let server = GstRtspServer::start(GstOptions {
        cert_pem: Some(leaf.cert_pem()),
        key_pem: Some(leaf.key_pem()),
        client_cert_ca_pem: Some(root.cert_pem()),
        ..GstOptions::default()
    })
    .unwrap();
    let config = client_config(&root)
        .with_client_auth_cert(
            vec![der(&client)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key_der().to_vec())),
        )
        .unwrap();
    let mut tls = tls_connect(config, server.port());
    assert_options_ok(&options(&mut tls, &server.url("/test")));
    let decision = server.process().wait_for_line(|l| l.starts_with("client cert "), IO_TIMEOUT);
    let decision =
        decision.unwrap_or_else(|| panic!("no decision line: {:?}", server.process().stdout_lines()));
    assert!(decision.ends_with("-> accept"), "{decision}");
}

#[test]
fn openssl_tls10_only_server_speaks_tls10() {
    let (_, leaf) = pki();
    let server = OpensslServer::start(OpensslOptions {
        versions: TlsVersions::Tls10Only,
        ..OpensslOptions::new(leaf.cert_pem(), leaf.key_pem())
    })
    .unwrap();
    drop(connect(server.port())); // accepts plain TCP connections

    let mut client = Command::new("openssl");
    client.args(["s_client", "-tls1", "-cipher", "DEFAULT@SECLEVEL=0", "-connect"]);
    client.arg(server.addr().to_string());
    let out = run_bounded(client, Duration::from_secs(10)).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.trim() == "Protocol  : TLSv1"),
        "s_client did not negotiate TLS 1.0 ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dropping_a_peer_closes_its_port_and_empties_its_group() {
    let gst = GstRtspServer::start(GstOptions::default()).unwrap();
    let (port, pgid) = (gst.port(), gst.process().pid());
    drop(gst);
    assert_gone(port, pgid);

    // s_server runs under coreutils `timeout`: both must die.
    let (_, leaf) = pki();
    let openssl = OpensslServer::start(OpensslOptions::new(leaf.cert_pem(), leaf.key_pem())).unwrap();
    let (port, pgid) = (openssl.port(), openssl.process().pid());
    let _idle_client = connect(port); // a connected client must not keep it alive
    drop(openssl);
    assert_gone(port, pgid);
}

#[test]
fn a_panicking_test_leaves_no_peer_behind() {
    let (tx, rx) = std::sync::mpsc::channel();
    let result = thread::spawn(move || {
        let server = GstRtspServer::start(GstOptions::default()).unwrap();
        tx.send((server.port(), server.process().pid())).unwrap();
        panic!("deliberate panic while holding a peer (expected in this test's output)");
    })
    .join();
    assert!(result.is_err());
    let (port, pgid) = rx.recv().expect("the server started");
    assert_gone(port, pgid);
}

#[test]
fn ffprobe_reads_the_gst_stream() {
    let server = GstRtspServer::start(GstOptions::default()).unwrap();
    let args = ["-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name,width,height"];
    let out = run_ffprobe(
        &server.url("/test"),
        &[&args[..], &["-of", "default=nw=1"]].concat(),
        Duration::from_secs(15),
    )
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ffprobe failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    for want in ["codec_name=h264", "width=320", "height=180"] {
        assert!(stdout.lines().any(|l| l == want), "no `{want}` in ffprobe's output:\n{stdout}");
    }
}

#[test]
fn a_missing_peer_is_an_error_that_says_how_to_install_it() {
    let err = require("rtspeek-no-such-peer").unwrap_err();
    assert!(matches!(err, PeerError::Missing { .. }));
    assert!(err.to_string().contains("cargo xtask test"), "{err}");
    assert!(require("/nonexistent/bin/peer").is_err());
    assert!(require("sh").is_ok());
}

#[test]
fn a_peer_that_exits_early_reports_its_command_and_stderr() {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "echo 'bind: Address already in use' >&2; exit 3"]);
    let started = Instant::now();
    let err = PeerProcess::spawn(cmd, Box::new(|_| Some(1)), Duration::from_secs(10)).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "waited for a dead peer: {:?}", started.elapsed());
    let text = err.to_string();
    assert!(text.contains("sh -c 'echo"), "no command line: {text}");
    assert!(text.contains("Address already in use"), "no stderr: {text}");
    assert!(text.contains("exit status: 3"), "no exit status: {text}");
}

#[test]
fn a_silent_peer_times_out_and_is_killed() {
    let mut cmd = Command::new("sh");
    // The shell's child `sleep` is in the same process group: it must die too.
    cmd.args(["-c", "echo starting; echo warming up >&2; sleep 30; echo never"]);
    let started = Instant::now();
    let err = PeerProcess::spawn(cmd, Box::new(|l| (l == "ready").then_some(1)), Duration::from_millis(500))
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "not bounded: {:?}", started.elapsed());
    let text = err.to_string();
    assert!(text.contains("no readiness line within 500ms"), "{text}");
    assert!(text.contains("starting") && text.contains("warming up"), "output missing: {text}");
}

#[test]
fn a_bounded_run_is_killed_at_its_deadline() {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "echo about to hang >&2; sleep 30"]);
    let started = Instant::now();
    let err = run_bounded(cmd, Duration::from_millis(300)).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "not bounded: {:?}", started.elapsed());
    assert!(matches!(err, PeerError::TimedOut { .. }), "{err}");
    assert!(err.to_string().contains("about to hang"), "{err}");

    let out = run_bounded(Command::new("true"), Duration::from_secs(5)).unwrap();
    assert!(out.status.success());
}
