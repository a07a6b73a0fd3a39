//! A raw RTSP client for tests that need to send exactly the requests they mean (replayed Authorization
//! headers, PLAY/PAUSE loops, clients that stop reading), which a real player would not. Requests are written
//! as text; answers are parsed by core's streaming parser. Every read is bounded by [`RtspClient::wait`].

use std::time::Duration;

use rtspeek_core::rtsp::{Message, Parsed, Parser, Response};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::time::Instant;

/// Requests out, responses and interleaved frames in, over any byte stream (TCP or TLS).
pub struct RtspClient<S> {
    stream: S,
    parser: Parser,
    buf: Vec<u8>,
    cseq: u32,
    /// Bound on each read: past it, [`next`](Self::next) panics (the peer is stuck, the test must not hang).
    pub wait: Duration,
    /// Interleaved frames received while [`request`](Self::request) waited for its response: (channel, payload).
    pub frames: Vec<(u8, Vec<u8>)>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> RtspClient<S> {
    /// A client on `stream`, waiting at most 20 s for each read.
    pub fn new(stream: S) -> Self {
        RtspClient {
            stream,
            parser: Parser::default(),
            buf: Vec::new(),
            cseq: 0,
            wait: Duration::from_secs(20),
            frames: Vec::new(),
        }
    }

    /// Writes a request with the next CSeq and `headers`; the error when the connection is gone.
    pub async fn send(&mut self, method: &str, uri: &str, headers: &[(&str, &str)]) -> std::io::Result<()> {
        self.cseq += 1;
        let mut text = format!("{method} {uri} RTSP/1.0\r\nCSeq: {}\r\n", self.cseq);
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        self.stream.write_all(text.as_bytes()).await
    }

    /// The next message (a response or an interleaved frame); `None` when the peer closed the connection.
    /// Panics on bytes that are not RTSP and when nothing arrives within [`wait`](Self::wait).
    pub async fn next(&mut self) -> Option<Message<'static>> {
        loop {
            let mut rest: &[u8] = &self.buf;
            if let Parsed::Message(message, used) = self.parser.feed(&mut rest).expect("the peer speaks RTSP")
            {
                let message = message.into_owned();
                self.buf.drain(..used);
                return Some(message);
            }
            let mut chunk = [0u8; 16 * 1024];
            match tokio::time::timeout(self.wait, self.stream.read(&mut chunk))
                .await
                .expect("the peer answers")
            {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Sends a request and returns its response, keeping interleaved frames in [`frames`](Self::frames);
    /// `None` when the connection closed first.
    pub async fn request(
        &mut self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> Option<Response<'static>> {
        self.send(method, uri, headers).await.ok()?;
        loop {
            match self.next().await? {
                Message::Response(r) => return Some(r),
                Message::Interleaved(f) => self.frames.push((f.channel, f.payload.into_owned())),
                Message::Request(r) => panic!("a request from the peer: {r:?}"),
            }
        }
    }

    /// [`request`](Self::request) where the peer must answer: panics when the connection closed first.
    pub async fn answer(&mut self, method: &str, uri: &str, headers: &[(&str, &str)]) -> Response<'static> {
        let response = self.request(method, uri, headers).await;
        response.unwrap_or_else(|| panic!("{method} {uri}: the connection closed before an answer"))
    }

    /// Interleaved frames received during `period`, with those already kept.
    pub async fn frames_for(&mut self, period: Duration) -> Vec<(u8, Vec<u8>)> {
        let deadline = Instant::now() + period;
        while let Ok(Some(message)) = tokio::time::timeout_at(deadline, self.next()).await {
            if let Message::Interleaved(f) = message {
                self.frames.push((f.channel, f.payload.into_owned()));
            }
        }
        std::mem::take(&mut self.frames)
    }

    /// The stream, to misbehave on it directly.
    pub fn stream(&mut self) -> &mut S {
        &mut self.stream
    }
}
