//! The camera itself: the picture drawn and encoded by OpenH264 (feature `synthetic`).

use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, Profile, RateControlMode,
    SpsPpsStrategy, UsageType, VuiConfig,
};
use openh264::formats::YUVSource;
use openh264::{OpenH264API, Timestamp};
use rtspeek_core::codec::h264::{is_vcl, nal_type};
use rtspeek_core::codec::{Codec, Frame, FrameStamp, StreamInfo, VIDEO_CLOCK_RATE, annexb};

use super::super::font::{self, Plane};

use super::{SyntheticConfig, SyntheticError};

/// Luma of black and white (limited range, BT.601).
const BLACK: u8 = 16;
const WHITE: u8 = 235;
/// Chroma of grey.
const NEUTRAL: u8 = 128;
/// 75% colour bars as (Y, Cb, Cr), BT.601 limited range: white, yellow, cyan, green, magenta, red, blue.
const BARS: [(u8, u8, u8); 7] = [
    (180, 128, 128),
    (162, 44, 142),
    (131, 156, 44),
    (112, 72, 58),
    (84, 184, 198),
    (65, 100, 212),
    (35, 212, 114),
];

/// The synthetic camera: renders and encodes one picture per [`next_frame`](Self::next_frame) call.
pub struct SyntheticCamera {
    config: SyntheticConfig,
    info: StreamInfo,
    encoder: Encoder,
    picture: I420,
    layout: Layout,
    /// Counter of the next frame.
    counter: u64,
    /// pts of the previous frame, to keep pts strictly increasing whatever the rounding.
    last_pts: Option<u64>,
    /// The encoder's Annex B output, reused from frame to frame.
    annexb: Vec<u8>,
    /// A keyframe was asked for out of turn ([`SyntheticCamera::force_keyframe`]).
    keyframe_requested: bool,
}

impl std::fmt::Debug for SyntheticCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticCamera")
            .field("config", &self.config)
            .field("next_counter", &self.counter)
            .finish_non_exhaustive()
    }
}

impl SyntheticCamera {
    /// Validates the configuration and sets up the encoder. To learn the SPS and PPS for the SDP before the
    /// first frame, one throw-away picture is encoded; frame 0 is then forced to be an IDR picture again.
    pub fn new(config: SyntheticConfig) -> Result<Self, SyntheticError> {
        config.validate()?;
        let encoder_config = EncoderConfig::new()
            .profile(Profile::Baseline)
            .usage_type(UsageType::CameraVideoRealTime)
            // Buffer-based control holds the bit rate without skipping frames (OpenH264 warns on stderr when
            // bitrate mode runs without frame skipping, on every start).
            .rate_control_mode(RateControlMode::Bufferbased)
            .bitrate(BitRate::from_bps(config.bitrate_bps))
            .max_frame_rate(FrameRate::from_hz(config.frame_rate as f32))
            // Every call yields a picture: the counter in the stamps has no gaps of the encoder's making.
            .skip_frames(false)
            // IDR pictures come only where we force them (every `gop` frames), never on a "scene change".
            .intra_frame_period(IntraFramePeriod::from_num_frames(0))
            .scene_change_detect(false)
            // Same SPS/PPS ids in every keyframe, so the parameter sets of `info()` stay valid.
            .sps_pps_strategy(SpsPpsStrategy::ConstantId)
            .complexity(Complexity::Low)
            .background_detection(false)
            // One thread: the server encodes once per frame for all clients and shares the machine.
            .num_threads(1)
            // The picture is made with BT.601 limited-range values; say so in the VUI.
            .vui(VuiConfig::bt601());
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), encoder_config)
            .map_err(|e| encoder_error("create the encoder", 0, &e))?;
        let (width, height) = (config.width as usize, config.height as usize);
        let mut camera = SyntheticCamera {
            config,
            info: StreamInfo {
                codec: Codec::H264,
                parameter_sets: Vec::new(),
                frame_rate: config.frame_rate,
            },
            encoder,
            picture: I420::new(width, height),
            layout: Layout::new(width, height),
            counter: 0,
            last_pts: None,
            annexb: Vec::new(),
            keyframe_requested: false,
        };
        camera.render(0, 0);
        camera.encode(0, Timestamp::from_millis(0))?;
        let mut sps = None;
        let mut pps = None;
        for nal in annexb::nal_units(&camera.annexb) {
            match nal[0] & 0x1F {
                nal_type::SPS => sps = sps.or_else(|| Some(nal.to_vec())),
                nal_type::PPS => pps = pps.or_else(|| Some(nal.to_vec())),
                _ => {}
            }
        }
        let (Some(sps), Some(pps)) = (sps, pps) else {
            return Err(SyntheticError::BadOutput { frame: 0, problem: "has no SPS and PPS" });
        };
        camera.info.parameter_sets = vec![sps, pps];
        Ok(camera)
    }

    /// What the camera produces: H.264, its SPS and PPS, and the frame rate.
    pub fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// The configuration the camera was made with.
    pub fn config(&self) -> &SyntheticConfig {
        &self.config
    }

    /// Makes the next frame a keyframe (SPS, PPS, IDR slice), for a client that just joined. The regular
    /// keyframes stay where they are (every multiple of `gop`).
    pub fn force_keyframe(&mut self) {
        self.keyframe_requested = true;
    }

    /// Renders, stamps and encodes the next picture (counter 0, 1, 2...), captured at
    /// `capture_unix_micros` (microseconds since the Unix epoch, UTC; burned into the picture and carried in
    /// the stamp). Its pts is `counter x 90000 / frame_rate`, rounded; it is a keyframe (SPS, PPS, IDR slice)
    /// when the counter is a multiple of `gop` or [`force_keyframe`](Self::force_keyframe) was called.
    pub fn next_frame(&mut self, capture_unix_micros: u64) -> Result<Frame, SyntheticError> {
        let counter = self.counter;
        let pts_f = counter as f64 * f64::from(VIDEO_CLOCK_RATE) / self.config.frame_rate;
        let pts = (pts_f.round() as u64).max(self.last_pts.map_or(0, |p| p + 1));
        // The throw-away picture of `new` sits at 0 ms: real frames start one frame interval later.
        let encoder_ms = ((counter + 1) as f64 * 1000.0 / self.config.frame_rate).round() as u64;

        self.render(counter, capture_unix_micros);
        let requested = std::mem::take(&mut self.keyframe_requested);
        if requested || counter.is_multiple_of(u64::from(self.config.gop)) {
            self.encoder.force_intra_frame();
        }
        self.encode(counter, Timestamp::from_millis(encoder_ms))?;

        let stamp = FrameStamp { counter, capture_unix_micros }.to_sei_nal(Codec::H264);
        let mut stamp = Some(stamp);
        let mut nals = Vec::with_capacity(6);
        let (mut keyframe, mut has_sps, mut has_pps) = (false, false, false);
        for nal in annexb::nal_units(&self.annexb) {
            let kind = nal[0] & 0x1F;
            match kind {
                nal_type::SPS => has_sps = true,
                nal_type::PPS => has_pps = true,
                nal_type::IDR => keyframe = true,
                _ => {}
            }
            if is_vcl(kind)
                && let Some(sei) = stamp.take()
            {
                nals.push(sei);
            }
            nals.push(nal.to_vec());
        }
        if stamp.is_some() {
            return Err(SyntheticError::BadOutput { frame: counter, problem: "has no slice" });
        }
        if keyframe && !(has_sps && has_pps) {
            // A client joining here needs the parameter sets: put ours in front.
            nals.retain(|n| !matches!(n[0] & 0x1F, nal_type::SPS | nal_type::PPS));
            nals.splice(0..0, self.info.parameter_sets.iter().cloned());
        }
        self.counter += 1;
        self.last_pts = Some(pts);
        Ok(Frame { nals, pts, keyframe })
    }

    /// Encodes the current picture into `self.annexb`.
    fn encode(&mut self, counter: u64, timestamp: Timestamp) -> Result<(), SyntheticError> {
        let bits = self
            .encoder
            .encode_at(&self.picture, timestamp)
            .map_err(|e| encoder_error("encode", counter, &e))?;
        self.annexb.clear();
        bits.write_vec(&mut self.annexb);
        Ok(())
    }

    /// Draws picture `counter` into the reused I420 buffer.
    fn render(&mut self, counter: u64, capture_unix_micros: u64) {
        let layout = &self.layout;
        let p = &mut self.picture;
        let (w, h) = (p.width, p.height);

        // Colour bars: one row, copied down.
        for (i, &(y, u, v)) in BARS.iter().enumerate() {
            let (x0, x1) = (i * w / BARS.len() / 2 * 2, (i + 1) * w / BARS.len() / 2 * 2);
            p.fill(Rect { x: x0, y: 0, w: x1 - x0, h: layout.bars_height }, y, u, v);
        }

        // The grey ramp, one period per half picture width, scrolling left 4 pixels per frame.
        let period = (w / 2).max(2);
        let offset = (counter as usize).wrapping_mul(4) % period;
        let ramp_top = layout.bars_height;
        {
            let (luma, cb, cr) = p.planes_mut();
            let first = &mut luma[ramp_top * w..(ramp_top + 1) * w];
            for (x, px) in first.iter_mut().enumerate() {
                *px = BLACK + (((x + offset) % period) * usize::from(WHITE - BLACK) / period) as u8;
            }
            for row in ramp_top + 1..h {
                luma.copy_within(ramp_top * w..(ramp_top + 1) * w, row * w);
            }
            cb[ramp_top / 2 * (w / 2)..].fill(NEUTRAL);
            cr[ramp_top / 2 * (w / 2)..].fill(NEUTRAL);
        }

        // The bouncing box: white with a black core, crossing the picture in about two seconds.
        let size = layout.box_size;
        let travel = w - size;
        if travel > 0 {
            let step = ((travel as f64 / (2.0 * self.config.frame_rate)).round() as usize).max(2);
            let phase = (counter as usize).wrapping_mul(step) % (2 * travel);
            let x = (if phase < travel { phase } else { 2 * travel - phase }) / 2 * 2;
            p.fill(Rect { x, y: layout.box_y, w: size, h: size }, WHITE, NEUTRAL, NEUTRAL);
            let core = Rect {
                x: x + size / 4 / 2 * 2,
                y: layout.box_y + size / 4 / 2 * 2,
                w: size / 2,
                h: size / 2,
            };
            p.fill(core, BLACK, NEUTRAL, NEUTRAL);
        }

        // The panel with the counter and the clock.
        p.fill(layout.panel, BLACK, NEUTRAL, NEUTRAL);
        let mut plane = Plane { data: &mut p.data[..w * h], stride: w, width: w, height: h };
        let (cx, cy) = layout.counter_at;
        font::draw_text(&mut plane, cx, cy, &format!("{counter:06}"), layout.scale, WHITE);
        let (tx, ty) = layout.clock_at;
        font::draw_text(&mut plane, tx, ty, &clock_text(capture_unix_micros), layout.scale, WHITE);
    }
}

/// An [`SyntheticError::Encoder`] from an OpenH264 error.
fn encoder_error(action: &'static str, frame: u64, e: &openh264::Error) -> SyntheticError {
    SyntheticError::Encoder { action, frame, message: e.to_string() }
}

/// `HH:MM:SS.mmm UTC` of a Unix time in microseconds.
fn clock_text(unix_micros: u64) -> String {
    let millis = unix_micros / 1000;
    let secs = millis / 1000;
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    format!("{h:02}:{m:02}:{s:02}.{:03} UTC", millis % 1000)
}

/// The widest clock line, in characters (`HH:MM:SS.mmm UTC`).
const CLOCK_CHARS: usize = 16;

/// A rectangle in luma pixels; all fields even, so it maps exactly onto the 4:2:0 chroma planes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    x: usize,
    y: usize,
    w: usize,
    h: usize,
}

/// Where things go in the picture; depends only on its size.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// The colour bars fill rows `0..bars_height`, the ramp the rest.
    bars_height: usize,
    /// Side of the bouncing box and its top row.
    box_size: usize,
    box_y: usize,
    /// Font scale: one font pixel is `scale` x `scale` picture pixels.
    scale: usize,
    /// The black panel behind the text.
    panel: Rect,
    /// Top-left corners of the counter and clock lines.
    counter_at: (usize, usize),
    clock_at: (usize, usize),
}

impl Layout {
    fn new(w: usize, h: usize) -> Layout {
        let even = |v: usize| v / 2 * 2;
        let bars_height = even(h * 2 / 3);
        let box_size = even(h / 6).max(2);
        let box_y = even(h / 24);
        // The clock line fills at most 90% of the width; the glyphs are at most 1/60 of the height per font
        // pixel (42 pixels high at 360 lines).
        let scale = (w * 9 / 10 / font::text_width(&"0".repeat(CLOCK_CHARS), 1)).min(h / 60).max(1);
        let pad = 2 * scale;
        let line = font::GLYPH_HEIGHT * scale;
        let panel_w = even((font::text_width(&"0".repeat(CLOCK_CHARS), scale) + 2 * pad + 1).min(w));
        let panel_h = even(2 * line + 3 * pad + 1).min(h);
        let panel_x = even((w - panel_w) / 2);
        let panel_y = even(bars_height.saturating_sub(panel_h + h / 36))
            .max(even(box_y + box_size + 2))
            .min(h - panel_h);
        let panel = Rect { x: panel_x, y: panel_y, w: panel_w, h: panel_h };
        Layout {
            bars_height,
            box_size,
            box_y,
            scale,
            panel,
            counter_at: (panel_x + pad, panel_y + pad),
            clock_at: (panel_x + pad, panel_y + 2 * pad + line),
        }
    }
}

/// An I420 picture in one buffer, reused for every frame: the Y plane, then Cb, then Cr, without padding.
struct I420 {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl I420 {
    fn new(width: usize, height: usize) -> I420 {
        I420 { width, height, data: vec![BLACK; width * height * 3 / 2] }
    }

    fn planes_mut(&mut self) -> (&mut [u8], &mut [u8], &mut [u8]) {
        let luma = self.width * self.height;
        let (y, chroma) = self.data.split_at_mut(luma);
        let (u, v) = chroma.split_at_mut(luma / 4);
        (y, u, v)
    }

    /// Fills an even-aligned rectangle (clipped to the picture) with one colour.
    fn fill(&mut self, r: Rect, y: u8, u: u8, v: u8) {
        let (w, h) = (self.width, self.height);
        let (x0, x1) = (r.x.min(w), (r.x + r.w).min(w));
        let (y0, y1) = (r.y.min(h), (r.y + r.h).min(h));
        let (luma, cb, cr) = self.planes_mut();
        for row in y0..y1 {
            luma[row * w + x0..row * w + x1].fill(y);
        }
        let cw = w / 2;
        for row in y0 / 2..y1 / 2 {
            cb[row * cw + x0 / 2..row * cw + x1 / 2].fill(u);
            cr[row * cw + x0 / 2..row * cw + x1 / 2].fill(v);
        }
    }
}

impl YUVSource for I420 {
    fn dimensions(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    fn strides(&self) -> (usize, usize, usize) {
        (self.width, self.width / 2, self.width / 2)
    }

    fn y(&self) -> &[u8] {
        &self.data[..self.width * self.height]
    }

    fn u(&self) -> &[u8] {
        let luma = self.width * self.height;
        &self.data[luma..luma + luma / 4]
    }

    fn v(&self) -> &[u8] {
        let luma = self.width * self.height;
        &self.data[luma + luma / 4..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtspeek_core::codec::h264::parse_sps;

    /// 2026-01-01 13:37:05.123456 UTC.
    const T0: u64 = (1_767_225_600 + 13 * 3600 + 37 * 60 + 5) * 1_000_000 + 123_456;
    /// One frame at 25 frames per second, in microseconds.
    const FRAME_MICROS: u64 = 40_000;

    fn kinds(frame: &Frame) -> Vec<u8> {
        frame.nals.iter().map(|n| n[0] & 0x1F).collect()
    }

    fn stamp_of(frame: &Frame) -> Option<FrameStamp> {
        frame.nals.iter().find_map(|n| FrameStamp::find_in(n, Codec::H264))
    }

    /// `frames` frames of the default camera (its encode time is measured by `benches/synthetic_camera.rs`).
    fn default_frames(frames: u64) -> (SyntheticCamera, Vec<Frame>) {
        let mut camera = SyntheticCamera::new(SyntheticConfig::default()).expect("camera");
        let out = (0..frames).map(|n| camera.next_frame(T0 + n * FRAME_MICROS).expect("frame")).collect();
        (camera, out)
    }

    fn annexb_file(frames: &[Frame]) -> Vec<u8> {
        let mut out = Vec::new();
        for nal in frames.iter().flat_map(|f| &f.nals) {
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(nal);
        }
        out
    }

    #[test]
    fn sixty_frames_have_keyframes_stamps_and_pts() {
        let (camera, frames) = default_frames(60);
        let info = camera.info();
        assert_eq!(info.codec, Codec::H264);
        assert_eq!(info.frame_rate, 25.0);
        assert_eq!(kinds_of(&info.parameter_sets), vec![nal_type::SPS, nal_type::PPS]);

        let sps = parse_sps(&info.parameter_sets[0]).expect("SPS parses");
        assert_eq!((sps.width, sps.height), (640, 360));
        // Baseline with constraint_set1 (Constrained Baseline) is what WebCodecs `avc1.42E0xx` names.
        assert_eq!(sps.profile_idc, 66, "{sps:?}");

        for (n, frame) in frames.iter().enumerate() {
            let n = n as u64;
            let kinds = kinds(frame);
            let is_key = n.is_multiple_of(50);
            assert_eq!(frame.keyframe, is_key, "frame {n}: {kinds:?}");
            if is_key {
                assert_eq!(frame.nals[..2], info.parameter_sets[..], "frame {n} carries the SDP's SPS/PPS");
                assert_eq!(kinds[2], nal_type::SEI, "frame {n}: {kinds:?}");
                assert!(kinds[3..].iter().all(|&k| k == nal_type::IDR), "frame {n}: {kinds:?}");
            } else {
                assert_eq!(kinds[0], nal_type::SEI, "frame {n}: {kinds:?}");
                assert!(kinds[1..].iter().all(|&k| k == nal_type::SLICE), "frame {n}: {kinds:?}");
            }
            assert_eq!(
                stamp_of(frame),
                Some(FrameStamp { counter: n, capture_unix_micros: T0 + n * FRAME_MICROS })
            );
            assert_eq!(frame.pts, n * 3600);
        }
    }

    fn kinds_of(nals: &[Vec<u8>]) -> Vec<u8> {
        nals.iter().map(|n| n[0] & 0x1F).collect()
    }

    #[test]
    fn ffprobe_decodes_thirty_frames() {
        let (_, frames) = default_frames(30);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("synthetic.h264");
        std::fs::write(&path, annexb_file(&frames)).expect("write");
        let output = std::process::Command::new("ffprobe")
            .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
            .args(["-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0"])
            .arg(&path)
            .output();
        // `cargo xtask test` installs ffmpeg; a missing ffprobe is a failed setup, not a pass.
        let output = output.expect("run ffprobe (apt-get install ffmpeg)");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "ffprobe failed: {stderr}");
        assert!(stderr.trim().is_empty(), "ffprobe reported errors: {stderr}");
        let fields: Vec<&str> = stdout.trim().split(',').collect();
        assert_eq!(fields, ["640", "360", "30"], "ffprobe said {stdout:?}");
    }

    #[test]
    fn openh264_decodes_the_burned_in_digits() {
        let (camera, frames) = default_frames(3);
        let layout = camera.layout;
        let mut decoder = openh264::decoder::Decoder::new().expect("decoder");
        let mut decoded_frames = 0;
        for frame in &frames {
            let mut au = Vec::new();
            for nal in &frame.nals {
                au.extend_from_slice(&[0, 0, 0, 1]);
                au.extend_from_slice(nal);
            }
            let Some(picture) = decoder.decode(&au).expect("decode") else { continue };
            decoded_frames += 1;
            assert_eq!(picture.dimensions(), (640, 360));
            let stride = picture.strides().0;
            let luma = picture.y();
            // The counter line: bright glyph pixels on the black panel survive compression.
            let (x0, y0) = layout.counter_at;
            let (w, h) = (font::text_width("000000", layout.scale), font::GLYPH_HEIGHT * layout.scale);
            let area = (y0..y0 + h).flat_map(|y| (x0..x0 + w).map(move |x| luma[y * stride + x]));
            let (bright, dark) =
                area.fold((0, 0), |(b, d), v| (b + usize::from(v > 180), d + usize::from(v < 50)));
            assert!(bright > w * h / 10 && dark > w * h / 3, "bright {bright}, dark {dark} of {}", w * h);
        }
        assert!(decoded_frames >= 2, "decoded {decoded_frames} of 3");
    }

    #[test]
    fn the_digits_are_really_drawn() {
        let mut camera = SyntheticCamera::new(SyntheticConfig::default()).expect("camera");
        let layout = camera.layout;
        let (x0, y0) = layout.counter_at;
        let cell = font::ADVANCE * layout.scale;
        let (w, h) = (font::text_width("001234", layout.scale), font::GLYPH_HEIGHT * layout.scale);
        let luma = |camera: &SyntheticCamera| -> Vec<u8> {
            let stride = camera.picture.width;
            (y0..y0 + h)
                .flat_map(|y| (x0..x0 + w).map(move |x| (y, x)))
                .map(|(y, x)| camera.picture.data[y * stride + x])
                .collect()
        };

        camera.render(1234, T0);
        let a = luma(&camera);
        let lit = a.iter().filter(|&&v| v == WHITE).count();
        let background = a.iter().filter(|&&v| v == BLACK).count();
        assert!(lit > 0 && background > 0, "lit {lit}, background {background}");
        assert_eq!(lit + background, a.len(), "only text and panel in the counter line");
        // "001234": the glyphs of 1, 2, 3 and 4 light 12 + 13 + 13 + 12 font pixels, the zeros 16 each.
        let ones = |g: char| font::glyph(g).unwrap().iter().map(|r| r.count_ones() as usize).sum::<usize>();
        let expected: usize = "001234".chars().map(ones).sum();
        assert_eq!(lit, expected * layout.scale * layout.scale);

        // 1235: only the last digit's cell changes.
        camera.render(1235, T0);
        let b = luma(&camera);
        for (i, (pa, pb)) in a.iter().zip(&b).enumerate() {
            let column = i % w;
            if pa != pb {
                assert!(column >= 5 * cell, "pixel {i} (column {column}) changed outside the last digit");
            }
        }
        assert_ne!(a, b);

        // The clock line shows 13:37:05.123 UTC: its first glyph is '1', and lit pixels are there.
        let (cx, cy) = layout.clock_at;
        let stride = camera.picture.width;
        let clock_lit = (cy..cy + h)
            .flat_map(|y| (cx..cx + font::text_width("13:37:05.123 UTC", layout.scale)).map(move |x| (y, x)))
            .filter(|&(y, x)| camera.picture.data[y * stride + x] == WHITE)
            .count();
        let expected: usize = "13:37:05.123 UTC".chars().map(ones).sum();
        assert_eq!(clock_lit, expected * layout.scale * layout.scale);
    }

    #[test]
    fn clock_text_is_utc_time_of_day() {
        assert_eq!(clock_text(T0), "13:37:05.123 UTC");
        assert_eq!(clock_text(0), "00:00:00.000 UTC");
        assert_eq!(clock_text(86_399_999_999), "23:59:59.999 UTC");
        assert_eq!(clock_text(u64::MAX).len(), CLOCK_CHARS);
    }

    #[test]
    fn invalid_configs_are_refused_with_the_reason() {
        let ok = SyntheticConfig::default();
        assert_eq!(ok.validate(), Ok(()));
        let cases = [
            (SyntheticConfig { width: 641, ..ok }, "even width and height"),
            (SyntheticConfig { height: 359, ..ok }, "even width and height"),
            (SyntheticConfig { width: 62, ..ok }, "outside 64..=1920 x 64..=1080"),
            (SyntheticConfig { width: 1922, ..ok }, "1922x360"),
            (SyntheticConfig { height: 1082, ..ok }, "640x1082"),
            (SyntheticConfig { frame_rate: 0.5, ..ok }, "frame rate 0.5"),
            (SyntheticConfig { frame_rate: 61.0, ..ok }, "frame rate 61"),
            (SyntheticConfig { frame_rate: f64::NAN, ..ok }, "frame rate NaN"),
            (SyntheticConfig { gop: 0, ..ok }, "at least 1 frame"),
            (SyntheticConfig { bitrate_bps: 0, ..ok }, "bit rate 0"),
        ];
        for (config, reason) in cases {
            let err = SyntheticCamera::new(config).expect_err("refused");
            assert!(err.to_string().contains(reason), "{config:?}: {err}");
        }
    }

    #[test]
    fn small_odd_rate_camera_keeps_pts_monotonic() {
        let config =
            SyntheticConfig { width: 64, height: 64, frame_rate: 29.97, gop: 1, bitrate_bps: 100_000 };
        let mut camera = SyntheticCamera::new(config).expect("camera");
        let sps = parse_sps(&camera.info().parameter_sets[0]).expect("SPS");
        assert_eq!((sps.width, sps.height), (64, 64));
        let mut last = None;
        for n in 0..5 {
            let frame = camera.next_frame(T0 + n * 33_367).expect("frame");
            assert!(frame.keyframe, "gop 1: every frame is an IDR picture");
            assert_eq!(frame.pts, (n as f64 * 90_000.0 / 29.97).round() as u64);
            assert!(last.is_none_or(|l| frame.pts > l));
            last = Some(frame.pts);
            assert_eq!(stamp_of(&frame).map(|s| s.counter), Some(n));
        }
    }

    #[test]
    fn forced_keyframe_comes_next_and_the_cadence_stays() {
        let config = SyntheticConfig { gop: 10, ..SyntheticConfig::default() };
        let mut camera = SyntheticCamera::new(config).expect("camera");
        let mut keyframes = Vec::new();
        for n in 0..21 {
            if n == 4 {
                camera.force_keyframe();
            }
            let frame = camera.next_frame(T0 + n * FRAME_MICROS).expect("frame");
            if frame.keyframe {
                assert_eq!(frame.nals[..2], camera.info().parameter_sets[..], "frame {n}");
                keyframes.push(n);
            }
        }
        assert_eq!(keyframes, [0, 4, 10, 20]);
    }

    #[test]
    fn camera_is_send() {
        fn send<T: Send>() {}
        send::<SyntheticCamera>();
    }
}
