//! One client connection: core's [`ServerSession`] driven over a TLS or plain stream, with the media of the
//! stream it plays written interleaved (or sent over UDP on plain connections).

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rtspeek_core::serve::{
    Catalog, ConnectionInfo, Delivery, Mount, RtpPosition, ServerSession, SessionOutput, TransportPolicy,
};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::sync::{broadcast, mpsc};

use super::media::Packet;
use super::udp::UdpPorts;
use super::{Shared, random_seed, unix_now};

/// Bytes read per call: requests are small, and RTCP from clients is a few hundred bytes.
const READ_CHUNK: usize = 2048;
/// Interleaved packets are gathered into writes of about this size (fewer TLS records and syscalls).
const WRITE_BATCH: usize = 32 * 1024;

/// The catalogue as one connection sees it. `position` also subscribes to the stream, under the bus lock, so
/// the receiver handed to PLAY starts exactly at the RTP-Info position.
struct ConnCatalog<'a> {
    shared: &'a Shared,
    only: Option<&'a str>,
    pending: RefCell<Option<broadcast::Receiver<Packet>>>,
}

impl ConnCatalog<'_> {
    /// A stream's own listener serves that stream only; shared listeners serve every other stream.
    fn entry(&self, path: &str) -> Option<&super::MountEntry> {
        let visible = match self.only {
            Some(only) => only == path,
            None => !self.shared.own_listener.iter().any(|p| p == path),
        };
        visible.then(|| self.shared.mounts.get(path)).flatten()
    }
}

impl Catalog for ConnCatalog<'_> {
    fn mount(&self, path: &str) -> Option<&Mount> {
        self.entry(path).map(|entry| &entry.mount)
    }

    fn position(&self, path: &str) -> Option<RtpPosition> {
        let (position, receiver) = self.entry(path)?.bus.subscribe()?;
        *self.pending.borrow_mut() = Some(receiver);
        Some(position)
    }
}

/// Media being delivered to this client.
struct Delivering {
    receiver: broadcast::Receiver<Packet>,
    delivery: Delivery,
    /// UDP: the client's RTP and RTCP addresses, and RTCP it sends us.
    udp: Option<(SocketAddr, SocketAddr, mpsc::Receiver<Vec<u8>>)>,
}

/// Where a connection was accepted, and what it may reach.
pub(super) struct Scope {
    pub(super) peer: SocketAddr,
    pub(super) local: SocketAddr,
    /// The listener's UDP ports (plain listeners that offer UDP).
    pub(super) udp: Option<Arc<UdpPorts>>,
    /// A stream's own listener: that stream only.
    pub(super) only: Option<String>,
}

/// Serves one accepted (and, for RTSPS, handshaken) connection until it closes.
pub(super) async fn serve<S>(stream: S, scope: Scope, tls: bool, shared: Arc<Shared>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let Scope { peer, local, udp, only } = scope;
    let (mut rd, mut wr) = tokio::io::split(stream);
    let transport = TransportPolicy { tls, udp_server_ports: udp.as_ref().map(|u| u.ports()) };
    let info = ConnectionInfo { transport, local_ip: local.ip().to_string() };
    let mut session =
        ServerSession::new(shared.session_config.clone(), info, shared.elapsed(), random_seed());
    let catalog = ConnCatalog { shared: &shared, only: only.as_deref(), pending: RefCell::new(None) };
    let mut media: Option<Delivering> = None;
    let mut read_buf = vec![0u8; READ_CHUNK];
    let mut batch: Vec<u8> = Vec::new();
    let slow = shared.slow_client;

    let close_reason = 'conn: loop {
        while let Some(output) = session.poll_output() {
            match output {
                SessionOutput::Transmit(bytes) => {
                    if !matches!(tokio::time::timeout(slow, wr.write_all(&bytes)).await, Ok(Ok(()))) {
                        break 'conn "could not write a response".to_owned();
                    }
                }
                SessionOutput::Play(play) => {
                    let Some(receiver) = catalog.pending.borrow_mut().take() else { continue };
                    let udp_targets = match (play.delivery, &udp) {
                        (Delivery::Udp { rtp_port, rtcp_port }, Some(ports)) => {
                            let rtp = SocketAddr::new(peer.ip(), rtp_port);
                            let rtcp = SocketAddr::new(peer.ip(), rtcp_port);
                            Some((rtp, rtcp, ports.register(rtcp)))
                        }
                        _ => None,
                    };
                    if let Some(entry) = shared.mounts.get(&play.mount) {
                        entry.bus.request_keyframe();
                    }
                    tracing::info!(%peer, stream = %play.mount, delivery = ?play.delivery, seq = play.position.seq, "playing");
                    media = Some(Delivering { receiver, delivery: play.delivery, udp: udp_targets });
                }
                // Paused or torn down: let go of the ring (a paused cursor would only fall behind).
                SessionOutput::Pause | SessionOutput::Stop => {
                    if let (Some(Delivering { udp: Some((_, rtcp, _)), .. }), Some(ports)) = (&media, &udp) {
                        ports.unregister(*rtcp);
                    }
                    media = None;
                }
                SessionOutput::Close(reason) => break 'conn reason.to_string(),
            }
        }
        let deadline = session.poll_timeout().and_then(|at| shared.instant_at(at));
        tokio::select! {
            read = rd.read(&mut read_buf) => match read {
                Ok(0) => break 'conn "closed by the client".to_owned(),
                Ok(n) => session.handle_data(shared.elapsed(), unix_now(), &read_buf[..n], &catalog),
                Err(e) => break 'conn format!("read: {e}"),
            },
            packet = recv_media(&mut media), if media.is_some() => match packet {
                Ok(first) => {
                    let Some(delivering) = media.as_mut() else { continue };
                    match &delivering.udp {
                        Some((rtp, rtcp, _)) => send_udp(udp.as_deref(), &first, *rtp, *rtcp, delivering),
                        None => {
                            let Delivery::Interleaved { rtp_channel, rtcp_channel } = delivering.delivery else { continue };
                            batch.clear();
                            frame_into(&mut batch, &first, rtp_channel, rtcp_channel);
                            // Take what else is already queued, up to a batch.
                            while batch.len() < WRITE_BATCH {
                                match delivering.receiver.try_recv() {
                                    Ok(p) => frame_into(&mut batch, &p, rtp_channel, rtcp_channel),
                                    Err(broadcast::error::TryRecvError::Lagged(n)) => {
                                        shared.stats.slow_dropped.fetch_add(1, Ordering::Relaxed);
                                        break 'conn format!("slow client: {n} packets behind, dropped");
                                    }
                                    Err(_) => break,
                                }
                            }
                            match tokio::time::timeout(slow, wr.write_all(&batch)).await {
                                Ok(Ok(())) => {}
                                Ok(Err(e)) => break 'conn format!("write: {e}"),
                                Err(_) => {
                                    shared.stats.slow_dropped.fetch_add(1, Ordering::Relaxed);
                                    break 'conn format!("slow client: could not take its packets for {slow:?}, dropped");
                                }
                            }
                            if batch.capacity() > 4 * WRITE_BATCH {
                                batch = Vec::new();
                            }
                        }
                    }
                }
                Err(MediaEnd::Lagged(n)) => {
                    shared.stats.slow_dropped.fetch_add(1, Ordering::Relaxed);
                    break 'conn format!("slow client: {n} packets behind, dropped");
                }
                Err(MediaEnd::Closed) => break 'conn "the stream ended".to_owned(),
                Err(MediaEnd::Rtcp(report)) => session.handle_rtcp(shared.elapsed(), &report),
            },
            () = sleep_until(deadline) => session.handle_timeout(shared.elapsed()),
        }
    };
    if let (Some(Delivering { udp: Some((_, rtcp, _)), .. }), Some(ports)) = (&media, &udp) {
        ports.unregister(*rtcp);
    }
    let stats = session.stats();
    tracing::info!(
        %peer,
        requests = stats.requests,
        rtcp = stats.rtcp_packets,
        lost = stats.last_report.map(|r| r.cumulative_lost),
        jitter = stats.last_report.map(|r| r.jitter),
        "connection closed: {close_reason}"
    );
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), wr.shutdown()).await;
}

enum MediaEnd {
    Lagged(u64),
    Closed,
    /// Not an end: RTCP the client sent over UDP.
    Rtcp(Vec<u8>),
}

async fn recv_media(media: &mut Option<Delivering>) -> Result<Packet, MediaEnd> {
    let Some(delivering) = media.as_mut() else { return std::future::pending().await };
    let rtcp_in = async {
        match delivering.udp.as_mut() {
            Some((_, _, rx)) => rx.recv().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        packet = delivering.receiver.recv() => packet.map_err(|e| match e {
            broadcast::error::RecvError::Lagged(n) => MediaEnd::Lagged(n),
            broadcast::error::RecvError::Closed => MediaEnd::Closed,
        }),
        Some(report) = rtcp_in => Err(MediaEnd::Rtcp(report)),
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// `$ channel length packet` (RFC 2326 10.12).
fn frame_into(out: &mut Vec<u8>, packet: &Packet, rtp_channel: u8, rtcp_channel: u8) {
    let channel = if packet.rtcp { rtcp_channel } else { rtp_channel };
    let len = packet.data.len().min(usize::from(u16::MAX)) as u16;
    out.push(b'$');
    out.push(channel);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&packet.data[..usize::from(len)]);
}

/// UDP never blocks the connection: a full socket buffer drops the datagram (the client sees loss, as it
/// would on a congested network) rather than delaying other clients.
fn send_udp(
    ports: Option<&UdpPorts>,
    first: &Packet,
    rtp: SocketAddr,
    rtcp: SocketAddr,
    delivering: &mut Delivering,
) {
    let Some(ports) = ports else { return };
    let mut next = Some(first.clone());
    while let Some(packet) = next {
        ports.send(&packet.data, if packet.rtcp { rtcp } else { rtp }, packet.rtcp);
        next = delivering.receiver.try_recv().ok();
    }
}
