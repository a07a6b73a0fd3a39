//! TLS decryption of captured sessions: real TLS 1.2 and 1.3 sessions (rustls, in memory, each AEAD suite)
//! read back through `capture::tls` with their NSS key log, and without it.

use std::sync::{Arc, Mutex};

use rtspeek_core::capture::tcp::Side;
use rtspeek_core::capture::tls::keys::KeyLog;
use rtspeek_core::capture::tls::{TlsEvent, TlsSession};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{
    ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection, SupportedCipherSuite,
};

#[derive(Debug, Default)]
struct Lines(Mutex<String>);

impl rustls::KeyLog for Lines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let line = format!("{label} {} {}\n", hex(client_random), hex(secret));
        self.0.lock().unwrap().push_str(&line);
    }
}

const REQUEST: &[u8] = b"OPTIONS rtsps://localhost/ RTSP/1.0\r\nCSeq: 1\r\n\r\n";
const RESPONSE: &[u8] = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: DESCRIBE, SETUP\r\n\r\n";

/// A TLS session with `suite`: the wire bytes in transfer order, the key log, and the server certificate.
/// Each direction's wire bytes, in the order they were sent.
type Wire = Vec<(Side, Vec<u8>)>;

fn session(suite: SupportedCipherSuite) -> (Wire, String, Vec<u8>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let der = certified.cert.der().to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let provider = Arc::new(CryptoProvider { cipher_suites: vec![suite], ..ring::default_provider() });
    let version = suite.version();
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(der.clone())], key)
        .unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(der.clone())).unwrap();
    let mut client = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let lines = Arc::new(Lines::default());
    client.key_log = lines.clone();
    let mut c = ClientConnection::new(Arc::new(client), "localhost".try_into().unwrap()).unwrap();
    let mut s = ServerConnection::new(Arc::new(server)).unwrap();
    let mut wire = Vec::new();
    let (mut sent_request, mut sent_response) = (false, false);
    for _ in 0..20 {
        if !c.is_handshaking() && !sent_request {
            std::io::Write::write_all(&mut c.writer(), REQUEST).unwrap();
            sent_request = true;
        }
        let mut bytes = Vec::new();
        while c.wants_write() {
            c.write_tls(&mut bytes).unwrap();
        }
        if !bytes.is_empty() {
            s.read_tls(&mut &bytes[..]).unwrap();
            s.process_new_packets().unwrap();
            wire.push((Side::Client, bytes));
        }
        if sent_request && !sent_response && !s.is_handshaking() {
            std::io::Write::write_all(&mut s.writer(), RESPONSE).unwrap();
            sent_response = true;
        }
        let mut bytes = Vec::new();
        while s.wants_write() {
            s.write_tls(&mut bytes).unwrap();
        }
        if !bytes.is_empty() {
            c.read_tls(&mut &bytes[..]).unwrap();
            c.process_new_packets().unwrap();
            wire.push((Side::Server, bytes));
        }
    }
    assert!(sent_response, "the in-memory session did not complete");
    let log = lines.0.lock().unwrap().clone();
    (wire, log, der)
}

fn decode(wire: &[(Side, Vec<u8>)], keylog: &KeyLog, chunk: usize) -> Vec<TlsEvent> {
    let mut tls = TlsSession::new();
    let mut out = Vec::new();
    for (side, bytes) in wire {
        // Byte streams arrive in arbitrary TCP-sized pieces.
        for piece in bytes.chunks(chunk) {
            tls.push(*side, piece, keylog, &mut out);
        }
    }
    out
}

fn data(events: &[TlsEvent], side: Side) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        if let TlsEvent::Data { side: s, bytes } = e
            && *s == side
        {
            out.extend_from_slice(bytes);
        }
    }
    out
}

#[test]
fn tls12_and_tls13_aes_gcm_and_chacha20_sessions_decrypt() {
    use rustls::crypto::ring::cipher_suite as cs;
    let suites = [
        (cs::TLS13_AES_128_GCM_SHA256, 0x0304, 0x1301),
        (cs::TLS13_AES_256_GCM_SHA384, 0x0304, 0x1302),
        (cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0x0303, 0xc02b),
        (cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 0x0303, 0xc02c),
        (cs::TLS13_CHACHA20_POLY1305_SHA256, 0x0304, 0x1303),
        (cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, 0x0303, 0xcca9),
    ];
    for (suite, version, id) in suites {
        let (wire, log, der) = session(suite);
        let mut keylog = KeyLog::default();
        keylog.extend(log.as_bytes());
        assert!(!format!("{keylog:?}").contains(&log[..20]), "secrets never in Debug");
        for chunk in [1, 5, 100_000] {
            let events = decode(&wire, &keylog, chunk);
            assert!(events.contains(&TlsEvent::Hello { version, suite: id }), "{id:04x}: {events:?}");
            assert!(events.contains(&TlsEvent::Certificates(vec![der.clone()])), "{id:04x}: no certificate");
            assert!(
                !events.iter().any(|e| matches!(e, TlsEvent::NotDecryptable { .. })),
                "{id:04x}: {events:?}"
            );
            assert_eq!(data(&events, Side::Client), REQUEST, "{id:04x}");
            assert_eq!(data(&events, Side::Server), RESPONSE, "{id:04x}");
        }
    }
}

#[test]
fn without_keys_the_handshake_facts_remain() {
    use rustls::crypto::ring::cipher_suite as cs;
    let (wire, _, der) = session(cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    let events = decode(&wire, &KeyLog::default(), 7);
    assert!(events.contains(&TlsEvent::Hello { version: 0x0303, suite: 0xc02b }));
    assert!(events.contains(&TlsEvent::Certificates(vec![der])), "TLS 1.2 certificates are in clear");
    let reasons: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TlsEvent::NotDecryptable { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert!(reasons.iter().any(|r| r.contains("no key for client random")), "{reasons:?}");
    assert!(data(&events, Side::Client).is_empty());
}

#[test]
fn a_wrong_key_or_garbage_is_reported_not_panicked() {
    use rustls::crypto::ring::cipher_suite as cs;
    let (wire, log, _) = session(cs::TLS13_AES_128_GCM_SHA256);
    // Same client randoms, wrong secrets.
    let wrong: String = log
        .lines()
        .map(|l| {
            let (head, secret) = l.rsplit_once(' ').unwrap();
            format!("{head} {}\n", "ab".repeat(secret.len() / 2))
        })
        .collect();
    let mut keylog = KeyLog::default();
    keylog.extend(wrong.as_bytes());
    let events = decode(&wire, &keylog, 64);
    assert!(events.iter().any(
        |e| matches!(e, TlsEvent::NotDecryptable { reason, .. } if reason.contains("decryption failed"))
    ));
    let mut tls = TlsSession::new();
    let mut out = Vec::new();
    tls.push(Side::Client, b"GET / HTTP/1.1\r\n\r\n", &keylog, &mut out);
    assert!(matches!(&out[..], [TlsEvent::NotDecryptable { reason, .. }] if reason.contains("not TLS")));
    // Every truncation of the key-less stream pieces: no panic.
    for (side, bytes) in &wire {
        for cut in 0..bytes.len().min(300) {
            TlsSession::new().push(*side, &bytes[..cut], &keylog, &mut Vec::new());
        }
    }
}

/// The whole pipeline on a pcapng holding a TLS 1.3 session and its key log (as `rtspeek probe --capture`
/// writes them): reader in small chunks, two passes (keys first), reassembly, decryption.
#[test]
fn a_capture_with_embedded_secrets_decrypts_end_to_end() {
    use rtspeek_core::capture::offline::{FlowEvent, Offline};
    use rtspeek_core::capture::read::{CaptureReader, ReadEvent};
    use rtspeek_core::capture::{CaptureWriter, Direction, TcpClose};
    use rustls::crypto::ring::cipher_suite as cs;

    for suite in [cs::TLS13_AES_128_GCM_SHA256, cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384] {
        let (wire, log, _) = session(suite);
        let mut file = Vec::new();
        let mut w = CaptureWriter::new(&mut file, "test", 1 << 22);
        let (local, peer) = ("[::1]:50000".parse().unwrap(), "[::1]:322".parse().unwrap());
        w.tcp_open(&mut file, 7, local, peer, 0).unwrap();
        for (i, (side, bytes)) in wire.iter().enumerate() {
            let dir = if *side == Side::Client { Direction::ToPeer } else { Direction::FromPeer };
            w.tcp_data(&mut file, 7, dir, bytes, i as u64).unwrap();
        }
        // Secrets after the packets they unlock: hence two passes.
        w.secrets(&mut file, log.as_bytes());
        w.tcp_close(&mut file, 7, TcpClose::Fin(Direction::ToPeer), 99).unwrap();

        let events = |file: &[u8]| {
            let mut reader = CaptureReader::new();
            let mut events = Vec::new();
            for mut piece in file.chunks(333) {
                while !piece.is_empty() {
                    piece = &piece[reader.push(piece)..];
                    while let Some(e) = reader.next_event().unwrap() {
                        events.push(e);
                    }
                }
            }
            reader.finish().unwrap();
            events
        };
        let events = events(&file);
        let mut offline = Offline::new();
        for e in &events {
            if let ReadEvent::KeyLog(k) = e {
                offline.add_keys(&k.0);
            }
        }
        let mut out = Vec::new();
        for e in &events {
            offline.event(e, &mut out);
        }
        offline.finish(&mut out);
        let plain = |side: Side| -> Vec<u8> {
            out.iter()
                .filter_map(|e| match e {
                    FlowEvent::Tls { flow: 0, event: TlsEvent::Data { side: s, bytes } } if *s == side => {
                        Some(bytes.clone())
                    }
                    _ => None,
                })
                .flatten()
                .collect()
        };
        assert_eq!(plain(Side::Client), REQUEST, "{out:?}");
        assert_eq!(plain(Side::Server), RESPONSE);
        assert_eq!(offline.tcp_stats().gap_bytes, 0);
        assert_eq!(offline.packets().1, 0, "every packet decoded");
    }
}
