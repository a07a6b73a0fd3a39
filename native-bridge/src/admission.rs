//! Who gets a connection: a listener's `max_connections` and `max_connections_per_ip`, both decided at accept,
//! before any TLS, HTTP or RTSP work is spent on the client. Shared by `rtspeek serve` and `rtspeek bridge`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `max_connections` are open.
    Full,
    /// `max_connections_per_ip` are open from this client's address (or IPv6 /64).
    PerIp,
}

/// The limits of one server, shared by its listeners.
#[derive(Debug)]
pub(crate) struct Admission {
    total: Arc<Semaphore>,
    per_ip_limit: usize,
    /// Open connections per address; an address leaves the map with its last connection, so the map never
    /// holds more entries than there are open connections.
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// A connection's place: held as long as the connection lives, given back on drop.
#[derive(Debug)]
pub(crate) struct Ticket {
    _total: OwnedSemaphorePermit,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
    key: IpAddr,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = map.get_mut(&self.key) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                map.remove(&self.key);
            }
        }
    }
}

impl Admission {
    pub(crate) fn new(max_connections: usize, max_per_ip: usize) -> Admission {
        Admission {
            total: Arc::new(Semaphore::new(max_connections.min(Semaphore::MAX_PERMITS))),
            per_ip_limit: max_per_ip,
            per_ip: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A place for a connection from `peer`, or why not.
    pub(crate) fn admit(&self, peer: IpAddr) -> Result<Ticket, Refusal> {
        let key = client_key(peer);
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        let open = map.get(&key).copied().unwrap_or(0);
        if open >= self.per_ip_limit {
            return Err(Refusal::PerIp);
        }
        let total = self.total.clone().try_acquire_owned().map_err(|_| Refusal::Full)?;
        map.insert(key, open + 1);
        Ok(Ticket { _total: total, per_ip: self.per_ip.clone(), key })
    }
}

/// What a client is counted as: its IPv4 address (also when it comes IPv4-mapped), or the /64 prefix of its
/// IPv6 address (one host usually holds a whole /64, so counting single IPv6 addresses would count nothing).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

/// Warnings about refused connections, at most one per interval (a flood must not become a log flood): the
/// first refusal is logged at once, later ones are counted into the next warning.
#[derive(Debug)]
pub(crate) struct RefusalLog {
    last: Option<Instant>,
    quiet: u64,
}

/// At most one refusal warning per listener this often.
const WARN_EVERY: Duration = Duration::from_secs(10);

impl RefusalLog {
    pub(crate) fn new() -> RefusalLog {
        RefusalLog { last: None, quiet: 0 }
    }

    pub(crate) fn refused(&mut self, peer: std::net::SocketAddr, why: Refusal) {
        let now = Instant::now();
        if self.last.is_some_and(|t| now.duration_since(t) < WARN_EVERY) {
            self.quiet += 1;
            return;
        }
        let why = match why {
            Refusal::Full => "max_connections reached",
            Refusal::PerIp => "max_connections_per_ip reached for this address",
        };
        let quiet = match std::mem::take(&mut self.quiet) {
            0 => String::new(),
            n => format!(" ({n} more refused since the last warning)"),
        };
        tracing::warn!(%peer, "connection refused: {why}{quiet}");
        self.last = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_per_address_and_free_on_drop() {
        let admission = Admission::new(3, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "::ffff:192.0.2.2".parse().unwrap();
        let first = admission.admit(a).unwrap();
        let _second = admission.admit(a).unwrap();
        assert_eq!(admission.admit(a).err(), Some(Refusal::PerIp));
        let _third = admission.admit(b).unwrap();
        assert_eq!(admission.admit("192.0.2.3".parse().unwrap()).err(), Some(Refusal::Full));
        drop(first);
        let _again = admission.admit(a).unwrap();
        assert_eq!(admission.per_ip.lock().unwrap().len(), 2);
    }

    #[test]
    fn ipv6_clients_count_by_their_64_prefix() {
        let k = |s: &str| client_key(s.parse().unwrap());
        assert_eq!(k("2001:db8:1:2:aaaa::1"), k("2001:db8:1:2:bbbb::2"));
        assert_ne!(k("2001:db8:1:2::1"), k("2001:db8:1:3::1"));
        assert_eq!(k("::ffff:198.51.100.7"), k("198.51.100.7"));
    }
}
