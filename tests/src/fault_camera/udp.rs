//! UDP transport: the server's port pair and the RTCP it receives.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;

use rtspeek_core::rtcp::looks_like_rtcp;
use tokio::net::UdpSocket;

use super::Shared;

/// The server's RTP and RTCP sockets of one track.
#[derive(Debug, Clone)]
pub(super) struct UdpPair {
    pub(super) rtp: Arc<UdpSocket>,
    pub(super) rtcp: Arc<UdpSocket>,
}

impl UdpPair {
    /// Binds an even RTP port and the next one for RTCP on `ip` (RFC 3550 11), or any two ports when no
    /// adjacent pair comes up in a few tries.
    pub(super) async fn bind(ip: IpAddr) -> io::Result<UdpPair> {
        for _ in 0..16 {
            let rtp = UdpSocket::bind((ip, 0)).await?;
            let port = rtp.local_addr()?.port();
            if port % 2 != 0 || port == u16::MAX {
                continue;
            }
            if let Ok(rtcp) = UdpSocket::bind((ip, port + 1)).await {
                return Ok(UdpPair { rtp: Arc::new(rtp), rtcp: Arc::new(rtcp) });
            }
        }
        let rtp = UdpSocket::bind((ip, 0)).await?;
        let rtcp = UdpSocket::bind((ip, 0)).await?;
        Ok(UdpPair { rtp: Arc::new(rtp), rtcp: Arc::new(rtcp) })
    }

    /// `(rtp, rtcp)` port numbers.
    pub(super) fn ports(&self) -> (u16, u16) {
        let port = |s: &UdpSocket| s.local_addr().map_or(0, |a| a.port());
        (port(&self.rtp), port(&self.rtcp))
    }
}

/// Records the RTCP that arrives on `socket` until the task is aborted. Anything else (NAT keep-alives,
/// hole-punching RTP) is ignored.
pub(super) async fn record_rtcp(socket: Arc<UdpSocket>, shared: Arc<Shared>) {
    let mut buf = vec![0u8; 2048];
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, _)) if looks_like_rtcp(&buf[..n]) => shared.record_rtcp(&buf[..n]),
            Ok(_) => {}
            // ICMP errors of earlier sends surface here on some systems: keep listening.
            Err(e) => {
                log!("udp receive: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    }
}
