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
}

impl UdpPair {
    /// Binds a pair on the family of `peer` and starts forwarding what arrives.
    pub(super) async fn bind(
        udp: UdpId,
        peer: IpAddr,
        events: mpsc::Sender<Observed>,
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
                    tasks.spawn(forward(udp, UdpChannel::Rtp, Arc::clone(&rtp), events.clone()));
                    tasks.spawn(forward(udp, UdpChannel::Rtcp, Arc::clone(&rtcp), events));
                    return Ok((UdpPair { rtp, rtcp, tasks }, port, port + 1));
                }
                Err(e) => last = Some((port + 1, e)),
            }
        }
        Err(UdpBindError::NoPair { last })
    }

    /// Sends from the socket of `channel` to `to`. Errors are not fatal: UDP is lossy anyway, and the
    /// assessment reports what did not arrive.
    pub(super) async fn send(&self, channel: UdpChannel, to: SocketAddr, data: &[u8]) {
        let socket = match channel {
            UdpChannel::Rtp => &self.rtp,
            UdpChannel::Rtcp => &self.rtcp,
        };
        let _ = socket.send_to(data, to).await;
    }

    pub(super) fn close(mut self) {
        self.tasks.abort_all();
    }
}

async fn forward(udp: UdpId, channel: UdpChannel, socket: Arc<UdpSocket>, events: mpsc::Sender<Observed>) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut dropped: u32 = 0;
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, from)) => {
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
