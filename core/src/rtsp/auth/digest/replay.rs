//! Replay protection for Digest answers: the highest nonce count (`nc`) seen per nonce, in bounded memory.
//!
//! Nonces verify themselves (see `nonce.rs`), so a nonce issued on one connection is good on every other one
//! of the same server. Replay tracking must therefore be as wide as the nonce key: a [`ReplayStore`] is shared
//! by every connection (the driver owns it and hands the same one to each session), and [`NonceCounts`] is the
//! bounded table behind it.
//!
//! Memory is bounded by evicting the nonce issued earliest. An evicted nonce's history is lost, so from then
//! on every nonce issued at or before it is answered [`NonceUse::Forgotten`] (the server asks for a new nonce
//! with `stale=true`): eviction can cost a client one more round trip, never let a replay through.

use std::collections::{BTreeMap, BTreeSet};

/// What the table says about one use of a nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonceUse {
    /// A nonce count higher than any seen for this nonce: accept.
    Fresh,
    /// A nonce count already used (or lower): a replay.
    Replay {
        /// The highest count seen.
        last: u32,
    },
    /// The nonce's history may have been evicted, so it is unknown: ask for a new nonce (`stale=true`).
    Forgotten,
}

/// Where a Digest server records the nonce counts it accepted, shared by every connection of the server.
///
/// `record` takes `&self` so that one store can be shared (behind an `Arc`) by sessions running on several
/// threads; core ships the implementation for `Mutex<NonceCounts>`, which holds its lock only for the table
/// update.
pub trait ReplayStore: Send + Sync + std::fmt::Debug {
    /// Records an accepted answer's count `nc` for `nonce`, issued at `issued` (Unix seconds).
    fn record(&self, nonce: &str, issued: i64, nc: u32) -> NonceUse;
}

impl ReplayStore for std::sync::Mutex<NonceCounts> {
    fn record(&self, nonce: &str, issued: i64, nc: u32) -> NonceUse {
        // A panic elsewhere while holding the lock leaves a consistent table (every update is one insert or
        // one removal pair), so a poisoned lock is still usable.
        self.lock().unwrap_or_else(|e| e.into_inner()).record(nonce, issued, nc)
    }
}

/// The highest nonce count seen per nonce, for at most `capacity` nonces.
#[derive(Debug, Clone)]
pub struct NonceCounts {
    cap: usize,
    /// The highest count accepted per nonce.
    used: BTreeMap<String, u32>,
    /// The same nonces ordered by issue time: the first is the next to evict.
    by_issue: BTreeSet<(i64, String)>,
    /// Nonces issued at or before this time may have been evicted.
    forgotten_until: Option<i64>,
}

impl NonceCounts {
    /// A table of at most `capacity` nonces (at least one).
    pub fn new(capacity: usize) -> Self {
        NonceCounts {
            cap: capacity.max(1),
            used: BTreeMap::new(),
            by_issue: BTreeSet::new(),
            forgotten_until: None,
        }
    }

    /// Records a use of `nonce` (issued at `issued`) with count `nc`.
    pub fn record(&mut self, nonce: &str, issued: i64, nc: u32) -> NonceUse {
        if let Some(last_nc) = self.used.get_mut(nonce) {
            if nc <= *last_nc {
                return NonceUse::Replay { last: *last_nc };
            }
            *last_nc = nc;
            return NonceUse::Fresh;
        }
        if self.forgotten_until.is_some_and(|t| issued <= t) {
            return NonceUse::Forgotten;
        }
        if self.used.len() >= self.cap {
            // Full. A newcomer no younger than everything tracked would be the next to go: refuse it instead
            // of evicting younger nonces for it (it was never accepted, so nothing can be replayed).
            if self.by_issue.first().is_some_and(|(oldest, _)| issued <= *oldest) {
                return NonceUse::Forgotten;
            }
            while self.used.len() >= self.cap {
                let Some((t, evicted)) = self.by_issue.pop_first() else { break };
                self.used.remove(&evicted);
                self.forgotten_until = Some(self.forgotten_until.map_or(t, |f| f.max(t)));
            }
        }
        self.used.insert(nonce.to_owned(), nc);
        self.by_issue.insert((issued, nonce.to_owned()));
        NonceUse::Fresh
    }

    /// How many nonces are tracked.
    pub fn len(&self) -> usize {
        self.used.len()
    }

    /// Whether no nonce is tracked.
    pub fn is_empty(&self) -> bool {
        self.used.is_empty()
    }

    /// The most nonces tracked at once.
    pub fn capacity(&self) -> usize {
        self.cap
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn replays_are_caught_and_memory_is_bounded() {
        let mut t = NonceCounts::new(2);
        assert_eq!(t.record("a", 10, 1), NonceUse::Fresh);
        assert_eq!(t.record("a", 10, 1), NonceUse::Replay { last: 1 });
        assert_eq!(t.record("a", 10, 2), NonceUse::Fresh);
        assert_eq!(t.record("b", 11, 1), NonceUse::Fresh);
        // Full: "a" (issued first) is evicted to make room, and can no longer be trusted.
        assert_eq!(t.record("c", 12, 1), NonceUse::Fresh);
        assert_eq!(t.len(), 2);
        assert_eq!(t.record("a", 10, 3), NonceUse::Forgotten);
        // A never-seen nonce issued no later than the evicted one is unknown too.
        assert_eq!(t.record("z", 9, 1), NonceUse::Forgotten);
        // A newcomer older than everything tracked does not push younger nonces out.
        assert_eq!(t.record("old", 11, 1), NonceUse::Forgotten);
        assert_eq!(t.record("b", 11, 2), NonceUse::Fresh);
        assert_eq!(t.record("d", 20, 1), NonceUse::Fresh);
        assert_eq!(t.record("c", 12, 2), NonceUse::Fresh);
        assert_eq!(t.record("b", 11, 3), NonceUse::Forgotten);
        assert_eq!((t.len(), t.capacity()), (2, 2));
    }

    #[test]
    fn eviction_never_accepts_a_replay() {
        // Whatever the order of uses, a count accepted once is never accepted again.
        let mut t = NonceCounts::new(3);
        let mut accepted = std::collections::BTreeSet::new();
        for step in 0u32..400 {
            let nonce = step.wrapping_mul(7919) % 11;
            let nc = step.wrapping_mul(104_729) % 5 + 1;
            let issued = i64::from(nonce);
            if t.record(&nonce.to_string(), issued, nc) == NonceUse::Fresh {
                assert!(accepted.insert((nonce, nc)), "nonce {nonce} nc {nc} accepted twice (step {step})");
            }
            assert!(t.len() <= 3);
        }
    }

    #[test]
    fn a_shared_store_sees_every_connection() {
        let store: Arc<dyn ReplayStore> = Arc::new(Mutex::new(NonceCounts::new(8)));
        let (first, second) = (store.clone(), store);
        assert_eq!(first.record("n", 5, 1), NonceUse::Fresh);
        assert_eq!(second.record("n", 5, 1), NonceUse::Replay { last: 1 });
        assert_eq!(second.record("n", 5, 2), NonceUse::Fresh);
    }
}
