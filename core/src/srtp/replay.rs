//! The replay window of RFC 3711 section 3.3.2: the highest authenticated index and a 64-bit bitmap of the
//! indexes just below it.

use super::REPLAY_WINDOW;

/// Replay state of one SSRC. `highest` is `None` until a packet authenticates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReplayWindow {
    highest: Option<u64>,
    /// Bit i set: index `highest - i` was received (bit 0 is `highest` itself).
    bits: u64,
}

impl ReplayWindow {
    /// The highest authenticated index.
    pub(crate) fn highest(&self) -> Option<u64> {
        self.highest
    }

    /// Whether `index` may be accepted (not seen, not older than the window). Does not change the state.
    pub(crate) fn check(&self, index: u64) -> bool {
        let Some(h) = self.highest else { return true };
        if index > h {
            return true;
        }
        let age = h - index;
        age < REPLAY_WINDOW && self.bits & (1u64 << age) == 0
    }

    /// Records an authenticated `index`.
    pub(crate) fn accept(&mut self, index: u64) {
        match self.highest {
            None => {
                self.highest = Some(index);
                self.bits = 1;
            }
            Some(h) if index > h => {
                let shift = index - h;
                self.bits = if shift >= REPLAY_WINDOW { 1 } else { (self.bits << shift) | 1 };
                self.highest = Some(index);
            }
            Some(h) => {
                let age = h - index;
                if age < REPLAY_WINDOW {
                    self.bits |= 1u64 << age;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn window_accepts_new_and_late_once_and_refuses_old() {
        let mut w = ReplayWindow::default();
        assert!(w.check(100));
        w.accept(100);
        assert!(!w.check(100));
        assert!(w.check(99));
        w.accept(99);
        assert!(!w.check(99));
        w.accept(200);
        assert!(!w.check(100), "older than the window");
        assert!(w.check(137), "inside the window, unseen");
        assert!(!w.check(136), "exactly 64 behind is outside");
        w.accept(137);
        assert!(!w.check(137));
        assert_eq!(w.highest(), Some(200));
    }
}
