//! One TCP connection: the TLS layer (or its faults), then the RTSP byte stream: a read loop feeding core's
//! streaming parser, and one writer task that owns the write half, so responses and interleaved media frames
//! never interleave mid-message.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rtspeek_core::rtsp::{Message, Parsed, Parser};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::config::TlsFault;
use super::rtsp::{Connection, Flow};
use super::tls::{self, LINGER};
use super::{SERVER, Shared};

/// What the writer task sends.
#[derive(Debug)]
pub(super) enum Out {
    /// Whole messages or frames.
    Data(Vec<u8>),
    /// Close the write side (TLS close_notify, then FIN) and stop.
    Close,
}

/// Room for a few frames' worth of packets: beyond that the media task waits for the client to read.
const QUEUE: usize = 64;

/// Facts about a connection the RTSP side needs.
#[derive(Debug, Clone, Copy)]
pub(super) struct ConnInfo {
    pub(super) id: usize,
    pub(super) peer: SocketAddr,
    pub(super) local: SocketAddr,
    pub(super) secure: bool,
}

/// Aborts the task when dropped (a dropped `JoinHandle` would detach it).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves one accepted connection according to the camera's TLS setup and fault.
pub(super) async fn handle(tcp: TcpStream, peer: SocketAddr, id: usize, shared: Arc<Shared>) {
    let _ = tcp.set_nodelay(true);
    let idle = shared.config.idle_timeout;
    let Ok(local) = tcp.local_addr() else { return };
    let mut info = ConnInfo { id, peer, local, secure: false };
    match (shared.config.fault, shared.tls.clone()) {
        (Some(TlsFault::Silent), _) => {
            let mut tcp = tcp;
            tls::drain(&mut tcp, idle).await;
        }
        (
            Some(
                fault @ (TlsFault::ResetOnHello
                | TlsFault::AlertOnHello(_)
                | TlsFault::CloseOnHello
                | TlsFault::Http),
            ),
            _,
        ) => tls::on_hello(tcp, fault, idle).await,
        (Some(TlsFault::SilentAfterTls), Some(config)) => {
            if let Some(mut stream) = tls::accept(&config, tcp, idle).await {
                tls::drain(&mut stream, idle).await;
            }
        }
        (Some(TlsFault::SilentAfterTls), None) => {
            let mut tcp = tcp;
            tls::drain(&mut tcp, idle).await;
        }
        // PlainRtsp: `shared.tls` is None, so plain RTSP is served.
        (Some(TlsFault::PlainRtsp) | None, Some(config)) => {
            if let Some(stream) = tls::accept(&config, tcp, idle).await {
                info.secure = true;
                serve(stream, info, shared).await;
            }
        }
        (Some(TlsFault::PlainRtsp) | None, None) => serve(tcp, info, shared).await,
    }
    log!("connection {id} done");
}

/// The RTSP conversation on `stream` until the client leaves, goes idle, or the script closes it.
async fn serve<S>(stream: S, info: ConnInfo, shared: Arc<Shared>)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let idle = shared.config.idle_timeout;
    let (mut reader, writer) = tokio::io::split(stream);
    let (tx, rx) = mpsc::channel(QUEUE);
    let mut writer = AbortOnDrop(tokio::spawn(write_loop(writer, rx, idle)));
    let mut connection = Connection::new(info, Arc::clone(&shared), tx.clone());
    let mut parser = Parser::default();
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    let close = 'conn: loop {
        loop {
            let mut rest: &[u8] = &buf;
            let message = match parser.feed(&mut rest) {
                Ok(Parsed::Message(message, used)) => {
                    let message = message.into_owned();
                    buf.drain(..used);
                    message
                }
                Ok(Parsed::Incomplete(_)) => break,
                Err(e) => {
                    // What a plain RTSP server does with a ClientHello or garbage: 400, then close.
                    log!("connection {}: {e}", info.id);
                    let answer =
                        format!("RTSP/1.0 400 Bad Request\r\nServer: {SERVER}\r\nContent-Length: 0\r\n\r\n");
                    let _ = tx.send(Out::Data(answer.into_bytes())).await;
                    break 'conn true;
                }
            };
            match message {
                Message::Request(request) => {
                    if connection.on_request(request).await == Flow::Close {
                        break 'conn true;
                    }
                }
                Message::Interleaved(frame) if frame.channel % 2 == 1 => shared.record_rtcp(&frame.payload),
                // Client RTP (a back channel) and responses (we send no requests) are ignored.
                Message::Interleaved(_) | Message::Response(_) => {}
            }
        }
        match timeout(connection.read_bound(), reader.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => break false,
        }
    };
    // Media tasks stop with the connection's state.
    drop(connection);
    if close {
        let _ = tx.send(Out::Close).await;
        drop(tx);
        let _ = timeout(LINGER, &mut writer.0).await;
        tls::drain(&mut reader, LINGER).await;
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(mut writer: W, mut rx: mpsc::Receiver<Out>, idle: Duration) {
    while let Some(out) = rx.recv().await {
        match out {
            Out::Data(bytes) => {
                let written = timeout(idle, async {
                    writer.write_all(&bytes).await?;
                    writer.flush().await
                })
                .await;
                if !matches!(written, Ok(Ok(()))) {
                    return;
                }
            }
            Out::Close => {
                let _ = timeout(LINGER, writer.shutdown()).await;
                return;
            }
        }
    }
}
