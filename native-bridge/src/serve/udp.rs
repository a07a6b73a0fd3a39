//! UDP unicast for plain RTSP clients: one RTP and one RTCP socket per listener, shared by its clients.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// Receiver reports a client may have queued before its connection reads them.
const RTCP_QUEUE: usize = 8;

/// The UDP ports of a plain listener.
#[derive(Debug)]
pub(super) struct UdpPorts {
    rtp: UdpSocket,
    rtcp: Arc<UdpSocket>,
    ports: (u16, u16),
    /// Where RTCP from each client address goes (its connection).
    clients: Mutex<HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>>,
    /// Datagrams dropped because a socket buffer was full.
    pub(super) dropped: AtomicU64,
}

impl UdpPorts {
    /// Binds RTP on `ip:port` and RTCP on `ip:port+1`, and starts reading RTCP.
    pub(super) async fn bind(ip: std::net::IpAddr, port: u16) -> std::io::Result<Arc<UdpPorts>> {
        let rtcp_port = port.checked_add(1).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "udp_port 65535 leaves no RTCP port")
        })?;
        let rtp = UdpSocket::bind((ip, port)).await?;
        let rtcp = Arc::new(UdpSocket::bind((ip, rtcp_port)).await?);
        let ports = (rtp.local_addr()?.port(), rtcp.local_addr()?.port());
        let me = Arc::new(UdpPorts {
            rtp,
            rtcp,
            ports,
            clients: Mutex::new(HashMap::new()),
            dropped: AtomicU64::new(0),
        });
        let weak = Arc::downgrade(&me);
        let socket = me.rtcp.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 1500];
            while let Ok((n, from)) = socket.recv_from(&mut buf).await {
                let Some(me) = weak.upgrade() else { break };
                let target = me.clients.lock().unwrap_or_else(|e| e.into_inner()).get(&from).cloned();
                if let Some(tx) = target {
                    let _ = tx.try_send(buf[..n].to_vec());
                }
            }
        });
        Ok(me)
    }

    /// The RTP and RTCP ports (for `server_port=`).
    pub(super) fn ports(&self) -> (u16, u16) {
        self.ports
    }

    /// Routes RTCP from `client` to the returned receiver.
    pub(super) fn register(&self, client: SocketAddr) -> mpsc::Receiver<Vec<u8>> {
        let (tx, rx) = mpsc::channel(RTCP_QUEUE);
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).insert(client, tx);
        rx
    }

    /// Stops routing RTCP from `client`.
    pub(super) fn unregister(&self, client: SocketAddr) {
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).remove(&client);
    }

    /// Sends without waiting; a full buffer drops the datagram (counted).
    pub(super) fn send(&self, data: &[u8], to: SocketAddr, rtcp: bool) {
        let socket = if rtcp { &*self.rtcp } else { &self.rtp };
        if socket.try_send_to(data, to).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
