//! Connections per client address: a listener admits at most so many from one IP at a time, so that one
//! client (a runaway script, a scanner on the LAN) cannot take every slot of the global limit.
//!
//! The table holds an entry only while that address has a connection open, so its size is bounded by the
//! listener's own connection limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// The open connections per address, and the limit.
#[derive(Debug)]
pub struct PerIpLimit {
    limit: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection; dropping it frees its slot.
#[derive(Debug)]
pub struct PerIpSlot {
    table: Arc<PerIpLimit>,
    ip: IpAddr,
}

impl PerIpLimit {
    /// At most `limit` connections per address (at least 1).
    pub fn new(limit: usize) -> Arc<PerIpLimit> {
        Arc::new(PerIpLimit { limit: limit.max(1), open: Mutex::new(HashMap::new()) })
    }

    /// A slot for a connection from `ip`, or `None` when that address has `limit` open already.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<PerIpSlot> {
        let ip = ip.to_canonical();
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(ip).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(PerIpSlot { table: Arc::clone(self), ip })
    }

    /// Connections open from `ip` now.
    pub fn open(&self, ip: IpAddr) -> usize {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).get(&ip.to_canonical()).copied().unwrap_or(0)
    }
}

impl Drop for PerIpSlot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_per_address_are_limited_and_freed() {
        let table = PerIpLimit::new(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = table.admit(a).expect("first");
        let _second = table.admit(a).expect("second");
        assert!(table.admit(a).is_none(), "a third from the same address");
        assert!(table.admit(b).is_some(), "another address is not affected");
        // IPv4-mapped IPv6 is the same host.
        assert!(table.admit("::ffff:192.0.2.1".parse().unwrap()).is_none());
        drop(first);
        assert!(table.admit(a).is_some(), "a freed slot is free again");
        assert_eq!(table.open("192.0.2.3".parse().unwrap()), 0);
    }
}
