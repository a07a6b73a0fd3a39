//! Taps for `--capture` and `--keylog`: a stream wrapper that records the bytes of a TCP connection below TLS
//! (the ciphertext, as on the wire), and the rustls [`KeyLog`] that hands the TLS secrets to the recorder.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use rtspeek_core::capture::{Direction, TcpClose};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::capture::{Record, Recorder, now_nanos};

/// A TCP stream whose bytes, both ways, are recorded as one capture flow. Dropping it records the close.
#[derive(Debug)]
pub(crate) struct Tapped<S> {
    inner: S,
    tap: ConnTap,
}

/// The recording side of one connection.
#[derive(Debug)]
struct ConnTap {
    recorder: Recorder,
    id: u64,
    /// Whether the open was queued: without it nothing else of the flow is worth sending.
    open: bool,
    /// Bytes not queued per direction (to the peer, from the peer), sent with the next data record.
    skipped: [u64; 2],
    /// How the connection ended, as far as this side saw it.
    ended: Option<TcpClose>,
}

impl<S> Tapped<S> {
    /// Wraps `inner`, a connection from `local` to `peer`, and records its handshake.
    pub(crate) fn new(inner: S, recorder: &Recorder, local: SocketAddr, peer: SocketAddr) -> Tapped<S> {
        let id = recorder.next_id();
        let open =
            recorder.wants_packets() && recorder.send(Record::Open { id, local, peer, ts: now_nanos() });
        Tapped { inner, tap: ConnTap { recorder: recorder.clone(), id, open, skipped: [0; 2], ended: None } }
    }
}

impl ConnTap {
    fn data(&mut self, dir: Direction, bytes: &[u8]) {
        if !self.open || bytes.is_empty() {
            return;
        }
        let slot = usize::from(dir == Direction::FromPeer);
        let skipped = self.skipped.get(slot).copied().unwrap_or(0);
        let record = Record::Data { id: self.id, dir, bytes: bytes.to_vec(), skipped, ts: now_nanos() };
        if let Some(s) = self.skipped.get_mut(slot) {
            *s = if self.recorder.send(record) { 0 } else { skipped + bytes.len() as u64 };
        }
    }

    fn end(&mut self, how: TcpClose) {
        self.ended.get_or_insert(how);
    }

    fn read_error(&mut self, e: &io::Error) {
        if matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted) {
            self.end(TcpClose::Reset(Direction::FromPeer));
        }
    }
}

impl Drop for ConnTap {
    fn drop(&mut self) {
        if self.open {
            // Nothing seen from the peer: the probe closed (or its task was stopped).
            let how = self.ended.unwrap_or(TcpClose::Fin(Direction::ToPeer));
            self.recorder.send(Record::Close { id: self.id, how, ts: now_nanos() });
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tapped<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        match &poll {
            Poll::Ready(Ok(())) => {
                let new = buf.filled().get(before..).unwrap_or_default();
                if new.is_empty() {
                    this.tap.end(TcpClose::Fin(Direction::FromPeer));
                } else {
                    this.tap.data(Direction::FromPeer, new);
                }
            }
            Poll::Ready(Err(e)) => this.tap.read_error(e),
            Poll::Pending => {}
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tapped<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            this.tap.data(Direction::ToPeer, buf.get(..*n).unwrap_or_default());
        }
        poll
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        if let Poll::Ready(Ok(())) = &poll {
            this.tap.end(TcpClose::Fin(Direction::ToPeer));
        }
        poll
    }
}

/// The rustls key log of a recorded probe: every secret goes to the recorder as an NSS key log line (to the
/// capture's Decryption Secrets Blocks and the `--keylog` file), never to a terminal.
#[derive(Debug)]
pub(crate) struct RecorderKeyLog(pub(crate) Recorder);

impl rustls::KeyLog for RecorderKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0.send(Record::Secret(nss_line(label, client_random, secret)));
    }

    fn will_log(&self, _label: &str) -> bool {
        self.0.wants_secrets()
    }
}

/// `LABEL <client random hex> <secret hex>`, the NSS key log format.
pub(crate) fn nss_line(label: &str, client_random: &[u8], secret: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut line = String::with_capacity(label.len() + 2 + 2 * (client_random.len() + secret.len()));
    line.push_str(label);
    line.push(' ');
    for b in client_random {
        let _ = write!(line, "{b:02x}");
    }
    line.push(' ');
    for b in secret {
        let _ = write!(line, "{b:02x}");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nss_lines_are_label_then_lowercase_hex() {
        assert_eq!(nss_line("CLIENT_RANDOM", &[0x0A, 0xFF], &[0, 1, 0xBC]), "CLIENT_RANDOM 0aff 0001bc");
    }
}
