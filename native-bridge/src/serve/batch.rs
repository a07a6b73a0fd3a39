//! Interleaved packets gathered for one write: each packet's `$ channel length` header (RFC 2326 10.12) and
//! its bytes, handed to the stream as one vectored write. The stream's packets are shared by every viewer
//! (`Arc`): a batch holds references to them, not copies, so the only copy of a packet on its way to a TLS
//! viewer is the one rustls makes into the record it encrypts.

use std::io::IoSlice;
use std::ops::Range;
use std::sync::Arc;

use tokio::io::{AsyncWrite, AsyncWriteExt as _};

/// Where a packet's bytes are.
#[derive(Debug)]
enum Body {
    /// The packet every viewer shares (plain RTP/RTCP).
    Shared(Arc<[u8]>),
    /// Bytes made for this viewer alone (SRTP under its key), in [`Batch::owned`].
    Owned(Range<usize>),
}

/// The packets of one write.
#[derive(Debug, Default)]
pub(super) struct Batch {
    headers: Vec<[u8; 4]>,
    bodies: Vec<Body>,
    owned: Vec<u8>,
    len: usize,
}

impl Batch {
    /// Bytes the write will carry, headers included.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Empties the batch, keeping its allocations unless a burst made them larger than `keep` bytes.
    pub(super) fn clear(&mut self, keep: usize) {
        self.headers.clear();
        self.bodies.clear();
        self.owned.clear();
        self.len = 0;
        if self.owned.capacity() > keep {
            self.owned = Vec::new();
        }
    }

    /// Adds a shared packet on `channel` (no copy: the batch holds the stream's packet).
    pub(super) fn push_shared(&mut self, channel: u8, data: Arc<[u8]>) {
        let len = clamp(data.len());
        let body = if len == data.len() { Body::Shared(data) } else { self.own(&data[..len]) };
        self.push(channel, len, body);
    }

    /// Adds bytes made for this viewer on `channel` (copied: they live in a buffer reused per packet).
    pub(super) fn push_owned(&mut self, channel: u8, data: &[u8]) {
        let len = clamp(data.len());
        let body = self.own(&data[..len]);
        self.push(channel, len, body);
    }

    fn own(&mut self, data: &[u8]) -> Body {
        let start = self.owned.len();
        self.owned.extend_from_slice(data);
        Body::Owned(start..self.owned.len())
    }

    fn push(&mut self, channel: u8, len: usize, body: Body) {
        let [hi, lo] = (len as u16).to_be_bytes();
        self.headers.push([b'$', channel, hi, lo]);
        self.bodies.push(body);
        self.len += 4 + len;
    }

    /// Writes the whole batch to `out` with vectored writes (one call when the stream takes it all).
    pub(super) async fn write_to<W: AsyncWrite + Unpin>(&self, out: &mut W) -> std::io::Result<()> {
        let mut slices: Vec<IoSlice<'_>> = Vec::with_capacity(2 * self.headers.len());
        for (header, body) in self.headers.iter().zip(&self.bodies) {
            slices.push(IoSlice::new(header));
            let bytes = match body {
                Body::Shared(data) => &data[..],
                Body::Owned(range) => self.owned.get(range.clone()).unwrap_or_default(),
            };
            slices.push(IoSlice::new(bytes));
        }
        let mut rest = &mut slices[..];
        IoSlice::advance_slices(&mut rest, 0);
        while !rest.is_empty() {
            let n = out.write_vectored(rest).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            IoSlice::advance_slices(&mut rest, n);
        }
        Ok(())
    }
}

/// An interleaved frame's length field has 16 bits; longer packets (never made by the packetizer) are cut.
fn clamp(len: usize) -> usize {
    len.min(usize::from(u16::MAX))
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;

    /// A stream that takes at most `step` bytes per call, vectored or not.
    struct Trickle {
        out: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl AsyncWrite for Trickle {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            let n = buf.len().min(self.step);
            self.out.extend_from_slice(&buf[..n]);
            self.calls += 1;
            Poll::Ready(Ok(n))
        }

        fn poll_write_vectored(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<std::io::Result<usize>> {
            let mut n = 0;
            for buf in bufs {
                let take = buf.len().min(self.step - n);
                self.out.extend_from_slice(&buf[..take]);
                n += take;
                if n == self.step {
                    break;
                }
            }
            self.calls += 1;
            Poll::Ready(Ok(n))
        }

        fn is_write_vectored(&self) -> bool {
            true
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn write(batch: &Batch, step: usize) -> Trickle {
        let mut out = Trickle { out: Vec::new(), step, calls: 0 };
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(batch.write_to(&mut out)).unwrap();
        out
    }

    #[test]
    fn headers_and_packets_in_order_whatever_the_stream_takes_per_call() {
        let (a, b): (Arc<[u8]>, Arc<[u8]>) = (Arc::from(&[1u8, 2, 3][..]), Arc::from(vec![9u8; 300]));
        let mut batch = Batch::default();
        batch.push_shared(0, a);
        batch.push_owned(1, &[7, 7]);
        batch.push_shared(0, b.clone());
        let mut expected = vec![b'$', 0, 0, 3, 1, 2, 3, b'$', 1, 0, 2, 7, 7, b'$', 0, 1, 44];
        expected.extend_from_slice(&[9u8; 300]);
        assert_eq!(batch.len(), expected.len());
        for step in [1, 3, 5, 64, 10_000] {
            let out = write(&batch, step);
            assert_eq!(out.out, expected, "step {step}");
            assert_eq!(out.calls, expected.len().div_ceil(step), "step {step}: no empty or extra calls");
        }
        // Shared packets are referenced, not copied.
        assert_eq!(Arc::strong_count(&b), 2);
        batch.clear(1 << 20);
        assert_eq!((batch.len(), Arc::strong_count(&b)), (0, 1));
        assert!(write(&batch, 8).out.is_empty());
    }

    #[test]
    fn a_packet_too_long_for_the_length_field_is_cut_to_it() {
        let long: Arc<[u8]> = Arc::from(vec![5u8; 70_000]);
        let mut batch = Batch::default();
        batch.push_shared(2, long);
        let out = write(&batch, 100_000).out;
        assert_eq!(&out[..4], &[b'$', 2, 0xff, 0xff]);
        assert_eq!(out.len(), 4 + 65_535);
    }

    #[test]
    fn a_stream_that_takes_nothing_is_an_error_not_a_loop() {
        let mut batch = Batch::default();
        batch.push_owned(0, &[1]);
        let mut out = Trickle { out: Vec::new(), step: 0, calls: 0 };
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let err = runtime.block_on(batch.write_to(&mut out)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::WriteZero);
    }
}
