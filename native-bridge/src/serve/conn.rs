//! One client connection: core's [`ServerSession`] driven over a TLS or plain stream, with the media of the
//! stream it plays written interleaved (or sent over UDP on plain connections).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rtspeek_core::serve::{
    Catalog, ConnectionInfo, Delivery, Input, Mount, Output, ServerSession, SrtpKey, TransportPolicy,
};
use rtspeek_core::srtp::SrtpContext;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::sync::{broadcast, mpsc};

use super::batch::Batch;
use super::media::Packet;
use super::sessions::SessionEntry;
use super::udp::UdpPorts;
use super::{MountEntry, Shared, random_seed};

/// Bytes read per call: requests are small, and RTCP from clients is a few hundred bytes.
const READ_CHUNK: usize = 2048;
/// Interleaved packets are gathered into writes of about this size (fewer TLS records and syscalls).
const WRITE_BATCH: usize = 32 * 1024;

/// The catalogue as one connection sees it.
#[derive(Debug)]
struct ConnCatalog {
    shared: Arc<Shared>,
    /// A stream's own listener: that stream only.
    only: Option<String>,
}

impl ConnCatalog {
    /// A stream's own listener serves that stream only; shared listeners serve every other stream.
    fn entry(&self, path: &str) -> Option<&MountEntry> {
        let visible = match &self.only {
            Some(only) => only == path,
            None => !self.shared.own_listener.iter().any(|p| p == path),
        };
        visible.then(|| self.shared.mounts.get(path)).flatten()
    }
}

impl Catalog for ConnCatalog {
    fn mount(&self, path: &str) -> Option<&Mount> {
        self.entry(path).map(|entry| &entry.mount)
    }
}

/// Media being delivered to this client.
struct Delivering {
    receiver: broadcast::Receiver<Packet>,
    delivery: Delivery,
    /// UDP: the client's RTP and RTCP addresses, and RTCP it sends us.
    udp: Option<(SocketAddr, SocketAddr, mpsc::Receiver<Vec<u8>>)>,
}

/// This client's SRTP sender: the stream's shared packets protected under the client's own key, into one
/// reused buffer. Kept from the first PLAY to the session's end (a PAUSE keeps it: a new context would
/// restart the rollover counter).
struct Protect {
    key: SrtpKey,
    context: SrtpContext,
    out: Vec<u8>,
    failed: bool,
}

impl Protect {
    fn new(key: SrtpKey) -> Protect {
        let context = key.context();
        Protect { key, context, out: Vec::with_capacity(2048), failed: false }
    }

    /// The packet as this client receives it; `None` when it cannot be protected (logged once, dropped: an
    /// SRTP stream never falls back to plain RTP).
    fn apply<'a>(protect: &'a mut Option<Protect>, packet: &'a Packet, peer: SocketAddr) -> Option<&'a [u8]> {
        let Some(p) = protect.as_mut() else { return Some(&packet.data) };
        let done = if packet.rtcp {
            p.context.protect_rtcp(&packet.data).map(|v| p.out = v)
        } else {
            p.context.protect_rtp_into(&packet.data, &mut p.out)
        };
        match done {
            Ok(()) => Some(&p.out),
            Err(e) => {
                if !std::mem::replace(&mut p.failed, true) {
                    tracing::warn!(%peer, "SRTP: packet dropped: {e}");
                }
                None
            }
        }
    }
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
pub(super) async fn serve<S>(stream: S, scope: Scope, tls: bool, shared: Arc<Shared>, book: SessionEntry)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let Scope { peer, local, udp, only } = scope;
    let (mut rd, mut wr) = tokio::io::split(stream);
    let transport = TransportPolicy { tls, udp_server_ports: udp.as_ref().map(|u| u.ports()) };
    let info = ConnectionInfo { transport, local, peer };
    let catalog = Arc::new(ConnCatalog { shared: shared.clone(), only });
    let config = shared.session_config.clone();
    let mut session = ServerSession::new(config, info, catalog.clone(), shared.elapsed(), random_seed());
    // The subscription made for the session's `Subscribe`, until its `Play` (or `Pause`/`Stop`) takes it.
    let mut subscription: Option<broadcast::Receiver<Packet>> = None;
    let mut media: Option<Delivering> = None;
    let mut protect: Option<Protect> = None;
    let mut read_buf = vec![0u8; READ_CHUNK];
    let mut batch = Batch::default();
    let slow = shared.slow_client;
    // One timer for the session's deadline, moved when the deadline moves: a new one per wake-up would be
    // registered and cancelled for every batch of media (25 times a second per viewer).
    let mut timer = std::pin::pin!(tokio::time::sleep(std::time::Duration::ZERO));
    let mut armed: Option<tokio::time::Instant> = None;

    let close_reason = 'conn: loop {
        let deadline = loop {
            let Some(output) = session.poll_output() else { break 'conn "closed".to_owned() };
            match output {
                Output::Transmit(bytes) => {
                    if !matches!(tokio::time::timeout(slow, wr.write_all(&bytes)).await, Ok(Ok(()))) {
                        break 'conn "could not write a response".to_owned();
                    }
                }
                // Position and receiver are taken together, under the stream's lock, so that the first packet
                // the receiver gets is the one RTP-Info names.
                Output::Subscribe { mount } => {
                    let subscribed = catalog.entry(&mount).and_then(|entry| entry.bus.subscribe());
                    let position = subscribed.map(|(position, receiver)| {
                        subscription = Some(receiver);
                        position
                    });
                    session.handle_input(shared.elapsed(), Input::Subscribed(position));
                }
                Output::Play(play) => {
                    let Some(receiver) = subscription.take() else { continue };
                    let udp_targets = match (play.delivery, &udp) {
                        (Delivery::Udp { rtp, rtcp }, Some(ports)) => Some((rtp, rtcp, ports.register(rtcp))),
                        _ => None,
                    };
                    if let Some(entry) = shared.mounts.get(&play.mount) {
                        entry.bus.request_keyframe();
                    }
                    // Same key (a PLAY after PAUSE): same context, so the rollover counter carries on.
                    match play.srtp {
                        Some(key) if protect.as_ref().is_some_and(|p| p.key == key) => {}
                        Some(key) => protect = Some(Protect::new(key)),
                        None => protect = None,
                    }
                    let srtp = protect.as_ref().map(|p| p.key.suite);
                    tracing::info!(%peer, stream = %play.mount, delivery = ?play.delivery, ?srtp, seq = play.position.seq, "playing");
                    book.playing(Some(&play.mount));
                    media = Some(Delivering { receiver, delivery: play.delivery, udp: udp_targets });
                }
                // Paused or torn down: let go of the ring (a paused cursor would only fall behind).
                output @ (Output::Pause | Output::Stop) => {
                    book.playing(None);
                    if let (Some(Delivering { udp: Some((_, rtcp, _)), .. }), Some(ports)) = (&media, &udp) {
                        ports.unregister(*rtcp);
                    }
                    media = None;
                    subscription = None;
                    if matches!(output, Output::Stop) {
                        protect = None;
                    }
                }
                Output::Close(reason) => break 'conn reason.to_string(),
                Output::Timeout(at) => break shared.instant_at(at),
            }
        };
        if let Some(at) = deadline
            && armed != Some(at)
        {
            timer.as_mut().reset(at);
            armed = Some(at);
        }
        tokio::select! {
            read = rd.read(&mut read_buf) => match read {
                Ok(0) => break 'conn "closed by the client".to_owned(),
                Ok(n) => session.handle_input(shared.elapsed(), Input::Data(&read_buf[..n])),
                Err(e) => break 'conn format!("read: {e}"),
            },
            packet = recv_media(&mut media), if media.is_some() => match packet {
                Ok(first) => {
                    let Some(delivering) = media.as_mut() else { continue };
                    match &delivering.udp {
                        Some((rtp, rtcp, _)) => {
                            send_udp(udp.as_deref(), &first, (*rtp, *rtcp), delivering, &mut protect, peer);
                        }
                        None => {
                            let Delivery::Interleaved { rtp_channel, rtcp_channel } = delivering.delivery else { continue };
                            batch.clear(4 * WRITE_BATCH);
                            let channels = (rtp_channel, rtcp_channel);
                            push_framed(&mut batch, &mut protect, first, channels, peer);
                            // Take what else is already queued, up to a batch.
                            while batch.len() < WRITE_BATCH {
                                match delivering.receiver.try_recv() {
                                    Ok(p) => push_framed(&mut batch, &mut protect, p, channels, peer),
                                    Err(broadcast::error::TryRecvError::Lagged(n)) => {
                                        shared.stats.slow_dropped.fetch_add(1, Ordering::Relaxed);
                                        break 'conn format!("slow client: {n} packets behind, dropped");
                                    }
                                    Err(_) => break,
                                }
                            }
                            match tokio::time::timeout(slow, batch.write_to(&mut wr)).await {
                                Ok(Ok(())) => {}
                                Ok(Err(e)) => break 'conn format!("write: {e}"),
                                Err(_) => {
                                    shared.stats.slow_dropped.fetch_add(1, Ordering::Relaxed);
                                    break 'conn format!("slow client: could not take its packets for {slow:?}, dropped");
                                }
                            }
                        }
                    }
                }
                Err(MediaEnd::Lagged(n)) => {
                    shared.stats.slow_dropped.fetch_add(1, Ordering::Relaxed);
                    break 'conn format!("slow client: {n} packets behind, dropped");
                }
                Err(MediaEnd::Closed) => break 'conn "the stream ended".to_owned(),
                Err(MediaEnd::Rtcp(report)) => session.handle_input(shared.elapsed(), Input::Rtcp(&report)),
            },
            () = &mut timer, if deadline.is_some() => session.handle_timeout(shared.elapsed()),
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
        srtcp_failures = stats.srtcp_failures,
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

/// Adds `packet` to the batch on its channel: the shared packet itself, or this client's SRTP version of it;
/// nothing for a packet that could not be protected.
fn push_framed(
    batch: &mut Batch,
    protect: &mut Option<Protect>,
    packet: Packet,
    (rtp_channel, rtcp_channel): (u8, u8),
    peer: SocketAddr,
) {
    let channel = if packet.rtcp { rtcp_channel } else { rtp_channel };
    if protect.is_none() {
        batch.push_shared(channel, packet.data);
    } else if let Some(data) = Protect::apply(protect, &packet, peer) {
        batch.push_owned(channel, data);
    }
}

/// UDP never blocks the connection: a full socket buffer drops the datagram (the client sees loss, as it
/// would on a congested network) rather than delaying other clients.
fn send_udp(
    ports: Option<&UdpPorts>,
    first: &Packet,
    (rtp, rtcp): (SocketAddr, SocketAddr),
    delivering: &mut Delivering,
    protect: &mut Option<Protect>,
    peer: SocketAddr,
) {
    let Some(ports) = ports else { return };
    let mut next = Some(first.clone());
    while let Some(packet) = next {
        if let Some(data) = Protect::apply(protect, &packet, peer) {
            ports.send(data, if packet.rtcp { rtcp } else { rtp }, packet.rtcp);
        }
        next = delivering.receiver.try_recv().ok();
    }
}
