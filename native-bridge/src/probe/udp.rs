//! A UDP pair for RTP over UDP: an even port for RTP and the next one for RTCP (RFC 3550 section 11), bound
//! on the address family of the server, with a task per socket forwarding datagrams to the driver loop.
//!
//! The queue to the driver is bounded: a datagram that finds it full is dropped and counted, and the count
//! rides on the next datagram delivered (`transport.udp_flood`), so a flood costs bounded memory. Every
//! datagram carries its sender: core drops and reports those not from the camera.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use rtspeek_core::probe::{UdpChannel, UdpId};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::Observed;
use super::capture::{Record, Recorder, now_nanos};

/// What a UDP pair records for `--capture`: the recorder, and the probe's address towards the server (the
/// sockets are bound to the unspecified address, which a capture cannot show).
#[derive(Debug, Clone)]
pub(super) struct UdpTap {
    pub(super) recorder: Recorder,
    pub(super) local_ip: Option<IpAddr>,
}

impl UdpTap {
    fn record(&self, local_port: u16, remote: SocketAddr, incoming: bool, bytes: &[u8]) {
        if !self.recorder.wants_packets() {
            return;
        }
        let Some(ip) = self.local_ip.filter(|ip| ip.is_ipv4() == remote.is_ipv4()) else { return };
        let local = SocketAddr::new(ip, local_port);
        let (src, dst) = if incoming { (remote, local) } else { (local, remote) };
        self.recorder.send(Record::Udp { src, dst, bytes: bytes.to_vec(), ts: now_nanos() });
    }
}

/// Attempts to find a free even/odd port pair before giving up.
const BIND_ATTEMPTS: usize = 32;
/// Largest datagram read (RTP over UDP stays under the path MTU, but be generous).
const MAX_DATAGRAM: usize = 65_536;

/// Why no RTP/RTCP socket pair could be bound.
#[derive(Debug, thiserror::Error)]
pub(super) enum UdpBindError {
    /// The operating system refused a socket.
    #[error("cannot bind a UDP socket: {0}")]
    Socket(std::io::Error),
    /// Every even port found had its odd neighbour taken.
    #[error(
        "no free even/odd UDP port pair after {BIND_ATTEMPTS} attempts{}",
        last.as_ref().map(|(port, e)| format!(" (port {port} taken: {e})")).unwrap_or_default()
    )]
    NoPair {
        /// The last odd port tried, and why it failed.
        last: Option<(u16, std::io::Error)>,
    },
}

/// A bound pair and its receiving tasks.
#[derive(Debug)]
pub(super) struct UdpPair {
    rtp: Arc<UdpSocket>,
    rtcp: Arc<UdpSocket>,
    tasks: JoinSet<()>,
    tap: UdpTap,
    ports: (u16, u16),
}

impl UdpPair {
    /// Binds a pair on the family of `peer` and starts forwarding what arrives.
    pub(super) async fn bind(
        udp: UdpId,
        peer: IpAddr,
        events: mpsc::Sender<Observed>,
        tap: UdpTap,
    ) -> Result<(UdpPair, u16, u16), UdpBindError> {
        let any: IpAddr =
            if peer.is_ipv6() { Ipv6Addr::UNSPECIFIED.into() } else { Ipv4Addr::UNSPECIFIED.into() };
        let mut last = None;
        for _ in 0..BIND_ATTEMPTS {
            let rtp = match UdpSocket::bind(SocketAddr::new(any, 0)).await {
                Ok(s) => s,
                Err(e) => return Err(UdpBindError::Socket(e)),
            };
            let port = rtp.local_addr().map_err(UdpBindError::Socket)?.port();
            if port % 2 != 0 || port == u16::MAX {
                continue;
            }
            match UdpSocket::bind(SocketAddr::new(any, port + 1)).await {
                Ok(rtcp) => {
                    let (rtp, rtcp) = (Arc::new(rtp), Arc::new(rtcp));
                    let mut tasks = JoinSet::new();
                    let forward_rtp = Forward { udp, channel: UdpChannel::Rtp, tap: tap.clone(), port };
                    tasks.spawn(forward(forward_rtp, Arc::clone(&rtp), events.clone()));
                    let forward_rtcp =
                        Forward { udp, channel: UdpChannel::Rtcp, tap: tap.clone(), port: port + 1 };
                    tasks.spawn(forward(forward_rtcp, Arc::clone(&rtcp), events));
                    let pair = UdpPair { rtp, rtcp, tasks, tap, ports: (port, port + 1) };
                    return Ok((pair, port, port + 1));
                }
                Err(e) => last = Some((port + 1, e)),
            }
        }
        Err(UdpBindError::NoPair { last })
    }

    /// Sends from the socket of `channel` to `to`. Errors are not fatal: UDP is lossy anyway, and the
    /// assessment reports what did not arrive.
    pub(super) async fn send(&self, channel: UdpChannel, to: SocketAddr, data: &[u8]) {
        let (socket, port) = match channel {
            UdpChannel::Rtp => (&self.rtp, self.ports.0),
            UdpChannel::Rtcp => (&self.rtcp, self.ports.1),
        };
        if socket.send_to(data, to).await.is_ok() {
            self.tap.record(port, to, false, data);
        }
    }

    pub(super) fn close(mut self) {
        self.tasks.abort_all();
    }
}

/// Which socket a forwarding task reads, and how it records.
struct Forward {
    udp: UdpId,
    channel: UdpChannel,
    tap: UdpTap,
    /// The socket's own port.
    port: u16,
}

async fn forward(f: Forward, socket: Arc<UdpSocket>, events: mpsc::Sender<Observed>) {
    let Forward { udp, channel, tap, port } = f;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut dropped: u32 = 0;
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, from)) => {
                // Recorded as received, also when the driver's queue drops it (the capture shows the flood).
                tap.record(port, from, true, buf.get(..n).unwrap_or_default());
                let datagram = Observed::Datagram { udp, channel, bytes: buf[..n].to_vec(), from, dropped };
                match events.try_send(datagram) {
                    Ok(()) => dropped = 0,
                    Err(mpsc::error::TrySendError::Full(_)) => dropped = dropped.saturating_add(1),
                    Err(mpsc::error::TrySendError::Closed(_)) => return,
                }
            }
            // ICMP port unreachable from an earlier send shows up here on some systems: keep reading, but
            // never spin on a socket that keeps failing.
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
        }
    }
}
