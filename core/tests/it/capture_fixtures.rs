//! Real captures (dumpcap on loopback, OpenSSL peers; see core/tests/data/capture/README.md) through the
//! offline pipeline: the decrypted RTSP equals what tshark's `follow,tls,ascii` shows for the same files.

use rtspeek_core::capture::offline::{FlowEvent, Offline};
use rtspeek_core::capture::read::{CaptureReader, ReadEvent};
use rtspeek_core::capture::tcp::{Side, StreamEvent};
use rtspeek_core::capture::tls::TlsEvent;

const TLS13_DSB: &[u8] = include_bytes!("../data/capture/tls13_aes128_dsb.pcapng");
const TLS12_PCAP: &[u8] = include_bytes!("../data/capture/tls12_aes256.pcap");
const TLS12_KEYS: &[u8] = include_bytes!("../data/capture/tls12_aes256.keys");

const REQUEST: &[u8] = b"OPTIONS rtsps://localhost/ RTSP/1.0\r\nCSeq: 1\r\n\r\n";
const RESPONSE: &[u8] = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: DESCRIBE\r\n\r\n";

fn run(file: &[u8], keys: &[u8]) -> (Vec<FlowEvent>, Offline) {
    run_with(file, keys, true)
}

fn run_with(file: &[u8], keys: &[u8], embedded: bool) -> (Vec<FlowEvent>, Offline) {
    let mut reader = CaptureReader::new();
    let mut events = Vec::new();
    for mut piece in file.chunks(100) {
        while !piece.is_empty() {
            piece = &piece[reader.push(piece)..];
            while let Some(e) = reader.next_event().unwrap() {
                events.push(e);
            }
        }
    }
    reader.finish().unwrap();
    let mut offline = Offline::new();
    offline.add_keys(keys);
    let mut out = Vec::new();
    for e in &events {
        if !embedded && matches!(e, ReadEvent::KeyLog(_)) {
            continue;
        }
        offline.event(e, &mut out);
    }
    offline.finish(&mut out);
    (out, offline)
}

fn plain(out: &[FlowEvent], side: Side) -> Vec<u8> {
    out.iter()
        .filter_map(|e| match e {
            FlowEvent::Tls { event: TlsEvent::Data { side: s, bytes }, .. } if *s == side => {
                Some(bytes.clone())
            }
            _ => None,
        })
        .flatten()
        .collect()
}

fn hello(out: &[FlowEvent]) -> Option<(u16, u16)> {
    out.iter().find_map(|e| match e {
        FlowEvent::Tls { event: TlsEvent::Hello { version, suite }, .. } => Some((*version, *suite)),
        _ => None,
    })
}

fn has_certificate(out: &[FlowEvent]) -> bool {
    out.iter().any(|e| matches!(e, FlowEvent::Tls { event: TlsEvent::Certificates(c), .. } if c.len() == 1))
}

#[test]
fn tls13_pcapng_with_embedded_secrets() {
    let (out, offline) = run(TLS13_DSB, b"");
    assert_eq!(hello(&out), Some((0x0304, 0x1301)));
    assert!(has_certificate(&out), "the 1.3 certificate, once decrypted");
    assert_eq!(plain(&out, Side::Client), REQUEST, "{out:?}");
    assert_eq!(plain(&out, Side::Server), RESPONSE);
    assert_eq!(offline.packets().1, 0, "Ethernet frames all decoded");
    let s = offline.tcp_stats();
    assert!(s.segments > 10 && s.gap_bytes == 0 && s.resets <= 1, "{s:?}");
    assert!(
        out.iter().any(
            |e| matches!(e, FlowEvent::Tcp(StreamEvent::Opened { server, .. }) if server.port() == 24001)
        )
    );
}

#[test]
fn the_embedded_secrets_are_what_decrypts_tls13() {
    let (out, _) = run_with(TLS13_DSB, b"", false);
    assert_eq!(hello(&out), Some((0x0304, 0x1301)));
    assert!(plain(&out, Side::Client).is_empty());
    assert!(!has_certificate(&out), "the 1.3 certificate is encrypted");
}

#[test]
fn tls12_pcap_with_a_key_log_file_and_without() {
    let (out, _) = run(TLS12_PCAP, TLS12_KEYS);
    assert_eq!(hello(&out), Some((0x0303, 0xc02c)));
    assert!(has_certificate(&out));
    assert_eq!(plain(&out, Side::Client), REQUEST, "{out:?}");
    assert_eq!(plain(&out, Side::Server), RESPONSE);

    let (out, _) = run(TLS12_PCAP, b"");
    assert_eq!(hello(&out), Some((0x0303, 0xc02c)));
    assert!(has_certificate(&out), "TLS 1.2 certificates are in clear");
    assert!(plain(&out, Side::Client).is_empty());
    assert!(out.iter().any(
        |e| matches!(e, FlowEvent::Tls { event: TlsEvent::NotDecryptable { reason, .. }, .. } if reason.contains("no key for client random"))
    ));
}
