//! Encode time per frame of `rtspeek serve`'s synthetic camera (OpenH264 behind the burned-in counter and
//! clock). Target: well under the frame interval (40 ms at 25 fps) so that one core keeps a camera live.
//! The mean and the slowest of 250 frames (10 s of video), for the default 640x360 and for 1280x720.
//! `cargo bench -p rtspeek --bench synthetic_camera`. Figures in BENCHMARKS.md.

use std::time::{Duration, Instant};

use rtspeek_bridge::serve::source::synthetic::{SyntheticCamera, SyntheticConfig};

const FRAMES: u64 = 250;

fn main() {
    println!("synthetic camera encode time per frame ({FRAMES} frames, release):");
    let hd =
        SyntheticConfig { width: 1280, height: 720, bitrate_bps: 3_000_000, ..SyntheticConfig::default() };
    for (name, config) in [("640x360 (default)", SyntheticConfig::default()), ("1280x720", hd)] {
        let fps = config.frame_rate;
        let mut camera = SyntheticCamera::new(config).expect("camera");
        let mut times = Vec::new();
        let mut bytes = 0;
        for n in 0..FRAMES {
            let started = Instant::now();
            let frame = camera.next_frame((n as f64 * 1e6 / fps) as u64).expect("frame");
            times.push(started.elapsed());
            bytes += frame.payload_len();
        }
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        let max = times.iter().max().copied().unwrap_or_default();
        let kbps = bytes as f64 * 8.0 * fps / FRAMES as f64 / 1000.0;
        println!("  {name:>18} @{fps}: mean {mean:?}, slowest {max:?}, {kbps:.0} kbit/s");
    }
}
