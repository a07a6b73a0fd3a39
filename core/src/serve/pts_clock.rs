//! [`PtsClock`]: an upstream camera's timestamps turned into the presentation times of a re-served stream,
//! which never go backwards, not even across reconnects.

use std::time::Duration;

use crate::codec::VIDEO_CLOCK_RATE;

/// Within one upstream session, a timestamp step backwards by more than this (or forwards by more than
/// [`MAX_FORWARD_TICKS`]) is a discontinuity (a camera clock reset): the pts re-anchors instead of following.
/// Smaller backward steps (reordered B-frames) are flattened to keep the pts monotonic.
pub const MAX_BACKWARD_TICKS: u64 = VIDEO_CLOCK_RATE as u64;
/// See [`MAX_BACKWARD_TICKS`].
pub const MAX_FORWARD_TICKS: u64 = 10 * VIDEO_CLOCK_RATE as u64;

/// The pts of one frame, from [`PtsClock::pts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pts {
    /// 90 kHz ticks since the clock's first frame.
    pub pts: u64,
    /// The upstream timestamp jumped by this many ticks from the last pts and the clock re-anchored (worth a
    /// log line: the camera's clock was reset).
    pub jump: Option<i128>,
}

/// Maps a camera's timestamps to a stream's `pts`: 90 kHz ticks since the first frame, monotonic.
///
/// Within one upstream session the pts follows the camera's clock; after [`new_session`](Self::new_session)
/// (a reconnect, whose timestamps start anywhere) it continues from the last pts plus the real time that
/// passed, measured on the caller's monotonic `now`.
#[derive(Debug, Clone)]
pub struct PtsClock {
    /// Nominal frame duration, for the step after a discontinuity.
    frame_ticks: u64,
    /// The last pts handed out and when.
    last: Option<(u64, Duration)>,
    /// This session's anchor: an upstream time (90 kHz ticks since its start) and the pts it maps to.
    anchor: Option<(i64, u64)>,
}

impl PtsClock {
    /// A clock for a stream of about `frame_rate` frames per second (25 when not in (0, 240]).
    pub fn new(frame_rate: f64) -> Self {
        let plausible = frame_rate.is_finite() && frame_rate > 0.0 && frame_rate <= 240.0;
        let frame_ticks = if plausible { (f64::from(VIDEO_CLOCK_RATE) / frame_rate) as u64 } else { 3600 };
        PtsClock { frame_ticks: frame_ticks.max(1), last: None, anchor: None }
    }

    /// A new upstream session: its timestamps start anywhere.
    pub fn new_session(&mut self) {
        self.anchor = None;
    }

    /// The pts of a frame with upstream time `upstream` (90 kHz ticks since its session began) seen at `now`.
    pub fn pts(&mut self, upstream: i64, now: Duration) -> Pts {
        let mut jump = None;
        let pts = match (self.anchor, self.last) {
            (Some((up0, pts0)), Some((last, _))) => {
                let candidate = i128::from(pts0) + i128::from(upstream) - i128::from(up0);
                let low = i128::from(last) - i128::from(MAX_BACKWARD_TICKS);
                let high = i128::from(last) + i128::from(MAX_FORWARD_TICKS);
                if candidate < low || candidate > high {
                    jump = Some(candidate - i128::from(last));
                    let pts = last.saturating_add(self.frame_ticks);
                    self.anchor = Some((upstream, pts));
                    pts
                } else {
                    u64::try_from(candidate).unwrap_or(0).max(last)
                }
            }
            (_, last) => {
                // The first frame ever, or of a new session: continue after the real gap.
                let pts = last.map_or(0, |(last, at)| {
                    let gap = now.saturating_sub(at).as_micros() * u128::from(VIDEO_CLOCK_RATE) / 1_000_000;
                    last.saturating_add(u64::try_from(gap).unwrap_or(u64::MAX / 2).max(self.frame_ticks))
                });
                self.anchor = Some((upstream, pts));
                pts
            }
        };
        self.last = Some((pts, now));
        Pts { pts, jump }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn pts_is_monotonic_within_and_across_sessions() {
        let t0 = ms(5000);
        let mut clock = PtsClock::new(25.0);
        let mut pts = |up, at| clock.pts(up, t0 + at).pts;
        assert_eq!(pts(123_456, ms(0)), 0);
        assert_eq!(pts(123_456 + 3600, ms(40)), 3600);
        // A reordered (B-frame) step backwards is flattened.
        assert_eq!(pts(123_456 + 1800, ms(60)), 3600);
        assert_eq!(pts(123_456 + 7200, ms(80)), 7200);
        // A clock reset re-anchors one frame later.
        let reset = clock.pts(0, t0 + ms(120));
        assert_eq!(reset, Pts { pts: 10_800, jump: Some(-(123_456 + 7200)) });
        assert_eq!(clock.pts(3600, t0 + ms(160)).pts, 14_400);
        // A reconnect 2 s later continues after the real gap, whatever the new session's timestamps.
        clock.new_session();
        let after = clock.pts(-5, t0 + ms(2160)).pts;
        assert_eq!(after, 14_400 + 180_000);
        assert_eq!(clock.pts(3595, t0 + ms(2200)).pts, after + 3600);
    }

    #[test]
    fn forward_jumps_re_anchor_and_quick_reconnects_still_advance() {
        let mut clock = PtsClock::new(0.0); // implausible: 25 fps steps
        assert_eq!(clock.pts(0, ms(0)).pts, 0);
        let jumped = clock.pts(MAX_FORWARD_TICKS as i64 + 1, ms(40));
        assert_eq!(jumped, Pts { pts: 3600, jump: Some(i128::from(MAX_FORWARD_TICKS) + 1) });
        // A reconnect within the same instant still moves one frame on.
        clock.new_session();
        assert_eq!(clock.pts(0, ms(40)).pts, 7200);
        // A clock that goes backwards in `now` does not make the pts go back.
        clock.new_session();
        assert_eq!(clock.pts(0, ms(0)).pts, 10_800);
    }
}
