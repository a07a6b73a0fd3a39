//! The native TLS connector against real rustls servers on loopback: the chain and verification outcome are
//! always recorded, `--insecure` continues but says so, SNI only for names, failures are classified.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rtspeek_bridge::tls::{Connector, TlsFailure, TlsOptions};
use rtspeek_tests::pki::{Cert, days_from_now};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Pki {
    root: Cert,
    leaf: Cert,
}

fn pki() -> Pki {
    let root = Cert::root("tls test root");
    let leaf =
        root.leaf().dns(["localhost"]).ip(["127.0.0.1"]).valid(days_from_now(-1), days_from_now(30)).build();
    Pki { root, leaf }
}

fn der(cert: &Cert) -> CertificateDer<'static> {
    CertificateDer::from(cert.cert_der().to_vec())
}

fn key(cert: &Cert) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_der().to_vec()))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_config(p: &Pki, require_client_cert: bool, tls12_only: bool) -> Arc<ServerConfig> {
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let builder = ServerConfig::builder_with_provider(provider()).with_protocol_versions(versions).unwrap();
    let builder = if require_client_cert {
        let mut roots = RootCertStore::empty();
        roots.add(der(&p.root)).unwrap();
        builder.with_client_cert_verifier(
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider()).build().unwrap(),
        )
    } else {
        builder.with_no_client_auth()
    };
    Arc::new(builder.with_single_cert(vec![der(&p.leaf)], key(&p.leaf)).unwrap())
}

/// A TLS server on 127.0.0.1 that answers `pong` to one read, for one connection.
async fn tls_server(config: Arc<ServerConfig>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        if let Ok(Ok(mut tls)) = tokio::time::timeout(Duration::from_secs(5), acceptor.accept(tcp)).await {
            let mut buf = [0u8; 4];
            if tls.read_exact(&mut buf).await.is_ok() {
                let _ = tls.write_all(b"pong").await;
                let _ = tls.flush().await;
            }
        }
    });
    addr
}

/// A plain TCP server that does `behave` with the connection.
async fn raw_server(behave: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        match behave {
            "silent" => tokio::time::sleep(Duration::from_secs(3)).await,
            "close" => drop(tcp),
            "rtsp" => {
                let mut buf = [0u8; 512];
                let _ = tcp.read(&mut buf).await;
                let _ = tcp.write_all(b"RTSP/1.0 400 Bad Request\r\nCSeq: 0\r\n\r\n").await;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            _ => unreachable!(),
        }
    });
    addr
}

fn options(anchors: Option<&Cert>, insecure: bool) -> TlsOptions {
    TlsOptions {
        anchors: anchors.map(|a| vec![der(a)]),
        insecure,
        handshake_timeout: Duration::from_secs(5),
        ..TlsOptions::default()
    }
}

#[tokio::test]
async fn trusted_chain_with_ca_and_sni_for_names_only() {
    let p = pki();
    let connector = Connector::new(&options(Some(&p.root), false)).unwrap();
    for (host, sni) in [("localhost", Some("localhost")), ("127.0.0.1", None)] {
        let addr = tls_server(server_config(&p, false, false)).await;
        let tcp = TcpStream::connect(addr).await.unwrap();
        let (result, facts) = connector.connect(tcp, host).await;
        let mut stream = result.unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(facts.sni.as_deref(), sni, "SNI is sent for names, not for IP literals");
        assert_eq!(facts.version.as_deref(), Some("TLSv1_3"));
        // The IANA name, which the report and the client verdicts read.
        let suite = facts.cipher_suite.as_deref().and_then(rtspeek_core::tls::CipherSuite::from_name);
        assert!(suite.is_some_and(|s| s.is_tls13()), "{:?}", facts.cipher_suite);
        let record = facts.verification.expect("verification recorded");
        assert!(record.outcome.is_ok() && !record.overridden);
        assert_eq!(record.chain[0].as_ref(), p.leaf.cert_der(), "the presented chain is recorded");
        stream.write_all(b"ping").await.unwrap();
        let mut buf = [0u8; 4];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
    }
}

#[tokio::test]
async fn untrusted_certificate_stops_unless_insecure_and_is_recorded_either_way() {
    let p = pki();
    // Judged against the public web PKI: our test root is unknown.
    let addr = tls_server(server_config(&p, false, false)).await;
    let (result, facts) = Connector::new(&options(None, false))
        .unwrap()
        .connect(TcpStream::connect(addr).await.unwrap(), "localhost")
        .await;
    assert!(
        matches!(&result, Err(TlsFailure::Certificate(e)) if e.contains("UnknownIssuer")),
        "{:?}",
        result.err()
    );
    let record = facts.verification.expect("recorded even when the handshake fails");
    assert!(record.outcome.is_err() && !record.overridden);
    assert_eq!(record.chain.len(), 1);

    // --insecure: the handshake completes, the failure is still on record and marked overridden.
    let addr = tls_server(server_config(&p, false, false)).await;
    let (result, facts) = Connector::new(&options(None, true))
        .unwrap()
        .connect(TcpStream::connect(addr).await.unwrap(), "localhost")
        .await;
    assert!(result.is_ok());
    let record = facts.verification.unwrap();
    assert!(record.outcome.is_err() && record.overridden);
}

#[tokio::test]
async fn name_mismatch_is_a_certificate_failure() {
    let p = pki();
    let addr = tls_server(server_config(&p, false, false)).await;
    let connector = Connector::new(&options(Some(&p.root), false)).unwrap();
    let (result, facts) = connector.connect(TcpStream::connect(addr).await.unwrap(), "cam.example").await;
    assert!(
        matches!(&result, Err(TlsFailure::Certificate(e)) if e.contains("NotValidForName")),
        "{:?}",
        result.err()
    );
    assert_eq!(facts.verification.unwrap().server_name, "cam.example");
}

#[tokio::test]
async fn client_certificate_required_is_an_alert() {
    let p = pki();
    let connector = Connector::new(&options(Some(&p.root), false)).unwrap();
    // TLS 1.2: the server refuses during the handshake.
    let addr = tls_server(server_config(&p, true, true)).await;
    let (result, _) = connector.connect(TcpStream::connect(addr).await.unwrap(), "localhost").await;
    assert!(
        matches!(&result, Err(TlsFailure::Alert { code: 40 | 116, name }) if name == "handshake_failure" || name == "certificate_required"),
        "{:?}",
        result.err()
    );
    // TLS 1.3: the client finishes first; the alert arrives on the first read.
    let addr = tls_server(server_config(&p, true, false)).await;
    let (result, _) = connector.connect(TcpStream::connect(addr).await.unwrap(), "localhost").await;
    let mut stream = result.expect("TLS 1.3 client side completes before the server checks");
    let _ = stream.write_all(b"ping").await;
    let mut buf = [0u8; 4];
    let err = stream.read_exact(&mut buf).await.expect_err("the server refuses");
    assert!(
        matches!(rtspeek_bridge::tls::classify(&err), TlsFailure::Alert { code: 116, name } if name == "certificate_required")
    );
}

#[tokio::test]
async fn silence_close_and_plain_rtsp_are_told_apart() {
    let p = pki();
    let mut opts = options(Some(&p.root), false);
    opts.handshake_timeout = Duration::from_millis(300);
    let connector = Connector::new(&opts).unwrap();

    let addr = raw_server("silent").await;
    let (result, _) = connector.connect(TcpStream::connect(addr).await.unwrap(), "localhost").await;
    assert_eq!(result.err(), Some(TlsFailure::Timeout(Duration::from_millis(300))));

    let addr = raw_server("close").await;
    let (result, _) = connector.connect(TcpStream::connect(addr).await.unwrap(), "localhost").await;
    assert!(matches!(result, Err(TlsFailure::Closed | TlsFailure::Reset)), "{:?}", result.err());

    let addr = raw_server("rtsp").await;
    let (result, _) = connector.connect(TcpStream::connect(addr).await.unwrap(), "localhost").await;
    assert!(matches!(result, Err(TlsFailure::NotTls(_))), "{:?}", result.err());
}

#[tokio::test]
async fn no_alpn_is_offered() {
    // RTSP has no registered ALPN id: the ClientHello carries no ALPN extension (and the report no ALPN fact).
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let captured = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut header = [0u8; 5];
        tcp.read_exact(&mut header).await.unwrap();
        let mut record = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
        tcp.read_exact(&mut record).await.unwrap();
        record
    });
    let p = pki();
    let mut opts = options(Some(&p.root), false);
    opts.handshake_timeout = Duration::from_millis(300);
    let connector = Connector::new(&opts).unwrap();
    let (result, _) = connector.connect(TcpStream::connect(addr).await.unwrap(), "localhost").await;
    assert!(result.is_err(), "the capturing server answers nothing");
    let record = captured.await.unwrap();
    // A handshake message: type 1 (ClientHello), 3 bytes of length, then the body.
    assert_eq!(record[0], 1);
    let hello = rtspeek_core::tls::ClientHello::parse(&record[4..]).expect("a ClientHello");
    assert!(hello.extension(rtspeek_core::tls::ExtensionType::SERVER_NAME).is_some(), "SNI for a name");
    assert_eq!(hello.extension(rtspeek_core::tls::ExtensionType::ALPN), None);
}
