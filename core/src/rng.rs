//! Deterministic random bytes from the driver's seed: SHA-256 in counter mode. Core draws no entropy of its
//! own (no `getrandom`, which would also break the no-`env`-imports rule on wasm32), so the same seed replays
//! the same probe or server session, byte for byte, in tests. The probe draws Digest cnonces, SSRCs and
//! ClientHello randoms from it; the server session draws session ids and Digest nonces.

use sha2::{Digest, Sha256};

/// A stream of random bytes derived from a 32-byte seed.
#[derive(Debug, Clone)]
pub(crate) struct SeededRng {
    seed: [u8; 32],
    counter: u64,
}

impl SeededRng {
    pub(crate) fn new(seed: [u8; 32]) -> Self {
        SeededRng { seed, counter: 0 }
    }

    /// 32 fresh bytes.
    pub(crate) fn block(&mut self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(self.counter.to_be_bytes());
        self.counter += 1;
        h.finalize().into()
    }

    /// A fresh `u32`.
    pub(crate) fn next_u32(&mut self) -> u32 {
        let b = self.block();
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }
}

#[cfg(test)]
mod tests {
    use super::SeededRng;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn same_seed_same_bytes_and_blocks_differ() {
        let mut a = SeededRng::new([1; 32]);
        let mut b = SeededRng::new([1; 32]);
        let first = a.block();
        assert_eq!(first, b.block());
        assert_ne!(first, a.block());
        assert_ne!(SeededRng::new([2; 32]).block(), first);
    }
}
