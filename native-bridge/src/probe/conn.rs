//! One TCP connection of the probe, as a task: resolve, connect, optionally run the TLS handshake, then
//! pump bytes both ways. Everything it observes goes to the driver loop as [`Observed`] messages; the task
//! is aborted when the probe closes the connection.

use std::net::SocketAddr;
use std::sync::Arc;

use rtspeek_core::probe::{
    CloseReason, ConnId, ConnectError, ConnectErrorKind, HandshakeFailure, TlsEstablished, VerifierRecord,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::Observed;
use super::capture::Recorder;
use super::tap::Tapped;
use crate::tls::{Connector, TlsFacts, TlsFailure, danger::Recorded};

/// Read buffer per connection: large enough for a burst of interleaved video packets.
const READ_CHUNK: usize = 64 * 1024;

/// Which TLS client, if any, runs on a new connection.
pub(super) enum Handshake {
    /// Plain TCP.
    None,
    /// rustls, with the recording verifier.
    Modern(Arc<Connector>),
    /// The legacy-capable client (`--legacy-tls`), bounded by this timeout.
    Legacy(std::time::Duration),
}

/// Runs one connection to `dial` until it ends or the task is aborted; `server_name` is the name the handshake
/// sends and verifies (the URL's host, or `--servername`).
pub(super) async fn run(
    conn: ConnId,
    dial: (String, u16),
    server_name: String,
    tls: Handshake,
    (mut writes, events): (mpsc::Receiver<Vec<u8>>, mpsc::Sender<Observed>),
    recorder: Recorder,
) {
    let (tcp, peer) = match connect(&dial.0, dial.1).await {
        Ok(connected) => connected,
        Err(error) => {
            let _ = events.send(Observed::ConnectFailed { conn, error }).await;
            return;
        }
    };
    let _ = tcp.set_nodelay(true);
    let local = tcp.local_addr().ok();
    let _ = events.send(Observed::Connected { conn, peer, local }).await;
    // Recorded below TLS: the capture holds the ciphertext as on the wire (a no-op when nothing is recorded).
    let tap_local = local.unwrap_or_else(|| unspecified_like(peer));
    let tcp = Tapped::new(tcp, &recorder, tap_local, peer);
    match tls {
        Handshake::None => pump(conn, tcp, &mut writes, &events).await,
        Handshake::Legacy(timeout) => {
            legacy(conn, tcp, &server_name, timeout, (&mut writes, &events), &recorder).await;
        }
        Handshake::Modern(connector) => {
            let (result, facts) = connector.connect(tcp, &server_name).await;
            match result {
                Ok(stream) => {
                    let _ = events.send(Observed::TlsEstablished { conn, tls: established(&facts) }).await;
                    pump(conn, stream, &mut writes, &events).await;
                }
                Err(failure) => {
                    let _ = events
                        .send(Observed::TlsFailed {
                            conn,
                            failure: handshake_failure(&failure),
                            verifier: facts.verification.as_ref().map(verifier_record),
                        })
                        .await;
                }
            }
        }
    }
}

/// The legacy handshake, then the pump; or why this build or the camera refused.
#[cfg(feature = "legacy-tls")]
async fn legacy(
    conn: ConnId,
    tcp: Tapped<TcpStream>,
    host: &str,
    timeout: std::time::Duration,
    (writes, events): (&mut mpsc::Receiver<Vec<u8>>, &mpsc::Sender<Observed>),
    recorder: &Recorder,
) {
    let key_log = recorder.is_active().then(|| {
        let recorder = recorder.clone();
        let line: crate::tls::legacy::KeyLogLine = std::sync::Arc::new(move |line: &str| {
            recorder.send(super::capture::Record::Secret(line.to_owned()));
        });
        line
    });
    match crate::tls::legacy::connect(tcp, host, timeout, key_log).await {
        Ok((stream, facts)) => {
            let tls = TlsEstablished {
                version: facts.version,
                cipher_suite: facts.cipher_suite,
                sni: None,
                client_cert_requested: false,
                verifier: VerifierRecord { chain: facts.chain, error: None, overridden: false },
                client: Some(facts.client),
            };
            let _ = events.send(Observed::TlsEstablished { conn, tls }).await;
            pump(conn, stream, writes, events).await;
        }
        Err(failure) => {
            let _ = events
                .send(Observed::TlsFailed { conn, failure: handshake_failure(&failure), verifier: None })
                .await;
        }
    }
}

#[cfg(not(feature = "legacy-tls"))]
async fn legacy(
    conn: ConnId,
    _tcp: Tapped<TcpStream>,
    _host: &str,
    _timeout: std::time::Duration,
    (_writes, events): (&mut mpsc::Receiver<Vec<u8>>, &mpsc::Sender<Observed>),
    _recorder: &Recorder,
) {
    let failure = HandshakeFailure::Other("this rtspeek was built without the legacy-tls feature".into());
    let _ = events.send(Observed::TlsFailed { conn, failure, verifier: None }).await;
}

/// The unspecified address of `peer`'s family, for a socket whose own address cannot be read.
fn unspecified_like(peer: SocketAddr) -> SocketAddr {
    let ip: std::net::IpAddr = if peer.is_ipv4() {
        std::net::Ipv4Addr::UNSPECIFIED.into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    };
    SocketAddr::new(ip, 0)
}

/// Resolves and connects, classifying the failure the way the report needs it.
/// A connection to the first address of `host` that accepts, and that address.
async fn connect(host: &str, port: u16) -> Result<(TcpStream, SocketAddr), ConnectError> {
    let addrs: Vec<SocketAddr> = match tokio::net::lookup_host((host, port)).await {
        Ok(addrs) => addrs.collect(),
        Err(e) => return Err(ConnectError { kind: ConnectErrorKind::Dns, message: e.to_string() }),
    };
    // Every address in turn (IPv6 and IPv4 for a name); the last error is the one reported.
    let mut last = ConnectError { kind: ConnectErrorKind::Dns, message: format!("{host} has no address") };
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => return Ok((stream, addr)),
            Err(e) => last = ConnectError { kind: connect_error_kind(&e), message: e.to_string() },
        }
    }
    Err(last)
}

fn connect_error_kind(e: &std::io::Error) -> ConnectErrorKind {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::ConnectionRefused => ConnectErrorKind::Refused,
        ErrorKind::TimedOut => ConnectErrorKind::TimedOut,
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable | ErrorKind::AddrNotAvailable => {
            ConnectErrorKind::Unreachable
        }
        _ => ConnectErrorKind::Other,
    }
}

/// Copies bytes both ways until the peer closes, an error, or the probe drops the write side.
async fn pump<S>(
    conn: ConnId,
    stream: S,
    writes: &mut mpsc::Receiver<Vec<u8>>,
    events: &mpsc::Sender<Observed>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        tokio::select! {
            read = reader.read(&mut buf) => match read {
                Ok(0) => {
                    let _ = events.send(Observed::Closed { conn, reason: CloseReason::Eof }).await;
                    return;
                }
                Ok(n) => {
                    if events.send(Observed::Data { conn, bytes: buf[..n].to_vec() }).await.is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = events.send(Observed::Closed { conn, reason: close_reason(&e) }).await;
                    return;
                }
            },
            write = writes.recv() => match write {
                Some(data) => {
                    if let Err(e) = writer.write_all(&data).await {
                        let _ = events.send(Observed::Closed { conn, reason: close_reason(&e) }).await;
                        return;
                    }
                }
                None => {
                    let _ = writer.shutdown().await;
                    return;
                }
            },
        }
    }
}

/// How a read or write error ends the connection. A TLS alert after the handshake is kept apart: TLS 1.3
/// servers refuse a missing client certificate that way.
fn close_reason(e: &std::io::Error) -> CloseReason {
    use std::io::ErrorKind;
    if let Some(rustls::Error::AlertReceived(alert)) =
        e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
    {
        return CloseReason::TlsAlert(u8::from(*alert));
    }
    match e.kind() {
        // A peer that closes without close_notify: for the probe, an end of stream.
        ErrorKind::UnexpectedEof => CloseReason::Eof,
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            CloseReason::Reset
        }
        _ => CloseReason::Error(e.to_string()),
    }
}

fn established(facts: &TlsFacts) -> TlsEstablished {
    TlsEstablished {
        // rustls writes `TLSv1_3`; reports say `TLSv1.3`.
        version: facts.version.clone().unwrap_or_default().replace('_', "."),
        cipher_suite: facts.cipher_suite.clone().unwrap_or_default(),
        sni: facts.sni.clone(),
        client_cert_requested: facts.client_cert_requested,
        verifier: facts.verification.as_ref().map(verifier_record).unwrap_or_default(),
        client: None,
    }
}

fn verifier_record(r: &Recorded) -> VerifierRecord {
    VerifierRecord {
        chain: r.chain.iter().map(|c| c.as_ref().to_vec()).collect(),
        error: r.outcome.as_ref().err().map(ToString::to_string),
        overridden: r.overridden,
    }
}

fn handshake_failure(failure: &TlsFailure) -> HandshakeFailure {
    match failure {
        TlsFailure::Timeout(d) => HandshakeFailure::Other(format!("no handshake within {d:?}")),
        TlsFailure::Reset => HandshakeFailure::Reset,
        TlsFailure::Closed => HandshakeFailure::Closed,
        TlsFailure::Alert { code, .. } => HandshakeFailure::Alert(*code),
        TlsFailure::Certificate(_) => HandshakeFailure::Certificate,
        TlsFailure::Incompatible { parameter, detail } => {
            HandshakeFailure::Incompatible { parameter: *parameter, detail: detail.clone() }
        }
        TlsFailure::NotTls(why) => HandshakeFailure::NotTls(why.clone()),
        TlsFailure::Io(why) => HandshakeFailure::Other(why.clone()),
    }
}
