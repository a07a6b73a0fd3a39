//! Reconnection delays of the relay.
//!
//! This stays in the native driver rather than core: it is a few lines of policy whose only use is the
//! length of a tokio sleep between two connection attempts; no sans-IO state machine waits on it.

use std::time::Duration;

/// The first delay.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
/// The longest delay.
const BACKOFF_MAX: Duration = Duration::from_secs(10);

/// Reconnection delays: 1 s, 2 s, 4 s, 8 s, then 10 s; a session that delivered frames starts it over.
#[derive(Debug)]
pub(super) struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: BACKOFF_FIRST }
    }
}

impl Backoff {
    /// The delay before the next attempt; the one after is twice as long, up to the maximum.
    pub(super) fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(BACKOFF_MAX);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_seconds() {
        let mut b = Backoff::default();
        let secs: Vec<u64> = (0..6).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 10, 10]);
    }
}
