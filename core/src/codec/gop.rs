//! Keyframes and GOP (group of pictures) statistics from the access units' RTP timestamps.
//!
//! Times are RTP timestamp differences, unwrapped across the 32-bit wrap, so they need no clock. With
//! B-frames timestamps go back and forth within a GOP; keyframes come in presentation order, so the
//! distance between two keyframes' timestamps is still the GOP duration. GOP lengths in frames count access
//! units in decode (arrival) order: the leading pictures of an open GOP (H.265 RASL/RADL, sent after their
//! IRAP though displayed before it) count in the GOP of that IRAP.

use serde::{Deserialize, Serialize};

/// What the keyframe tracker has seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GopStats {
    /// Access units seen.
    pub frames: u64,
    /// Keyframes (IDR / IRAP access units) seen.
    pub keyframes: u64,
    /// RTP clock rate the durations are computed with.
    pub clock_rate: u32,
    /// Timestamp ticks from the first access unit to the first keyframe: how long a viewer joining at that
    /// moment waited for a picture.
    pub first_keyframe_delay_ticks: Option<i64>,
    /// The same, in seconds.
    pub first_keyframe_delay_seconds: Option<f64>,
    /// Frames in the shortest complete GOP (keyframe to keyframe).
    pub gop_frames_min: Option<u64>,
    /// Frames in the longest complete GOP.
    pub gop_frames_max: Option<u64>,
    /// Seconds of the longest complete GOP.
    pub gop_seconds_max: Option<f64>,
    /// Seconds from the last keyframe (or the first access unit when none came) to the latest access unit:
    /// the GOP in progress, a lower bound of its length.
    pub seconds_since_keyframe: f64,
    /// Seconds from the first access unit to the latest one.
    pub observed_seconds: f64,
}

/// Tracks keyframes and GOP lengths. Constant memory: it keeps extremes, not a history.
#[derive(Debug, Clone)]
pub struct GopTracker {
    stats: GopStats,
    /// The previous timestamp and its unwrapped value.
    last: Option<(u32, i64)>,
    /// Unwrapped timestamp of the first access unit and the latest maximum seen.
    first_ticks: i64,
    latest_ticks: i64,
    /// Unwrapped timestamp and frame index of the last keyframe.
    last_keyframe: Option<(i64, u64)>,
    gop_ticks_max: Option<i64>,
}

impl GopTracker {
    /// A tracker for a stream with RTP clock rate `clock_rate` (90000 for video; 0 is treated as 90000).
    pub fn new(clock_rate: u32) -> Self {
        let clock_rate = if clock_rate == 0 { 90_000 } else { clock_rate };
        GopTracker {
            stats: GopStats { clock_rate, ..GopStats::default() },
            last: None,
            first_ticks: 0,
            latest_ticks: 0,
            last_keyframe: None,
            gop_ticks_max: None,
        }
    }

    /// Records one access unit.
    pub fn push(&mut self, timestamp: u32, keyframe: bool) {
        // Unwrap: the signed difference to the previous timestamp, so both wrap and B-frame reordering work.
        let ticks = match self.last {
            None => 0,
            Some((raw, ext)) => ext + i64::from(timestamp.wrapping_sub(raw) as i32),
        };
        self.last = Some((timestamp, ticks));
        self.latest_ticks = if self.stats.frames == 0 { ticks } else { self.latest_ticks.max(ticks) };
        let frame = self.stats.frames;
        self.stats.frames += 1;
        if keyframe {
            self.stats.keyframes += 1;
            if self.stats.first_keyframe_delay_ticks.is_none() {
                self.stats.first_keyframe_delay_ticks = Some(ticks - self.first_ticks);
            }
            if let Some((previous_ticks, previous_frame)) = self.last_keyframe {
                let frames = frame - previous_frame;
                let s = &mut self.stats;
                s.gop_frames_min = Some(s.gop_frames_min.map_or(frames, |m| m.min(frames)));
                s.gop_frames_max = Some(s.gop_frames_max.map_or(frames, |m| m.max(frames)));
                let gop_ticks = ticks - previous_ticks;
                self.gop_ticks_max = Some(self.gop_ticks_max.map_or(gop_ticks, |m| m.max(gop_ticks)));
            }
            self.last_keyframe = Some((ticks, frame));
        }
    }

    /// The statistics so far.
    pub fn stats(&self) -> GopStats {
        let rate = f64::from(self.stats.clock_rate);
        let seconds = |ticks: i64| ticks as f64 / rate;
        let since = self.last_keyframe.map_or(self.first_ticks, |(ticks, _)| ticks);
        GopStats {
            first_keyframe_delay_seconds: self.stats.first_keyframe_delay_ticks.map(seconds),
            gop_seconds_max: self.gop_ticks_max.map(seconds),
            seconds_since_keyframe: seconds((self.latest_ticks - since).max(0)),
            observed_seconds: seconds(self.latest_ticks - self.first_ticks),
            ..self.stats.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn gops_across_the_timestamp_wrap() {
        let mut g = GopTracker::new(90_000);
        // Starts 2 frames before a keyframe, 25 fps, keyframe every 50 frames, timestamps wrapping.
        let start = u32::MAX - 3600 * 10;
        for i in 0..160u32 {
            g.push(start.wrapping_add(i * 3600), i % 50 == 2);
        }
        let s = g.stats();
        assert_eq!((s.frames, s.keyframes), (160, 4));
        assert_eq!(s.first_keyframe_delay_ticks, Some(7200));
        assert_eq!(s.first_keyframe_delay_seconds, Some(0.08));
        assert_eq!((s.gop_frames_min, s.gop_frames_max), (Some(50), Some(50)));
        assert_eq!(s.gop_seconds_max, Some(2.0));
        assert!((s.seconds_since_keyframe - 0.28).abs() < 1e-9, "{}", s.seconds_since_keyframe);
        assert!((s.observed_seconds - 6.36).abs() < 1e-9);
    }

    #[test]
    fn no_keyframe_counts_from_the_first_frame() {
        let mut g = GopTracker::new(0);
        for i in 0..3u32 {
            g.push(1000 + i * 9000, false);
        }
        let s = g.stats();
        assert_eq!(s.keyframes, 0);
        assert_eq!(s.first_keyframe_delay_ticks, None);
        assert!((s.seconds_since_keyframe - 0.2).abs() < 1e-9);
    }

    #[test]
    fn b_frame_reordering_does_not_shorten_the_span() {
        let mut g = GopTracker::new(90_000);
        // I P B B in decode order: presentation 0, 3, 1, 2 frame periods.
        for (ts, key) in [(0, true), (10_800, false), (3600, false), (7200, false)] {
            g.push(ts, key);
        }
        assert!((g.stats().observed_seconds - 0.12).abs() < 1e-9);
    }
}
