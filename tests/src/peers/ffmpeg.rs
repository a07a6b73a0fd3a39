//! FFmpeg's `ffprobe` as an independent RTSP/RTSPS client: an "it plays" check for servers.
//!
//! Over RTSPS it never verifies the server certificate (its RTSP demuxer passes no verification options to
//! TLS), cannot present a client certificate, and always uses TCP interleaved transport.

use std::process::{Command, Output};
use std::time::Duration;

use super::{PeerError, require, run_bounded};

/// Whether `ffprobe` is on PATH. For messages only: a test must not skip when it is absent but call
/// [`run_ffprobe`], which fails with [`PeerError::Missing`] telling to run `cargo xtask test`.
pub fn ffprobe_available() -> bool {
    require("ffprobe").is_ok()
}

/// Runs `ffprobe -hide_banner EXTRA_ARGS... URL` with standard input closed, killing it if it has not
/// finished within `timeout`. Its exit status is in the output, not checked.
///
/// ```no_run
/// # use std::time::Duration;
/// # use rtspeek_tests::peers::ffmpeg::run_ffprobe;
/// let args = ["-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name", "-of",
/// "csv=p=0"]; let out = run_ffprobe("rtsp://127.0.0.1:8554/test", &args, Duration::from_secs(15)).unwrap();
/// assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "h264");
/// ```
pub fn run_ffprobe(url: &str, extra_args: &[&str], timeout: Duration) -> Result<Output, PeerError> {
    let mut cmd = Command::new(require("ffprobe")?);
    cmd.arg("-hide_banner").args(extra_args).arg(url);
    run_bounded(cmd, timeout)
}

/// Frames ffprobe decodes from the first `seconds` of `url` (RTP over TCP), with its whole output for
/// messages; 0 when it printed no count.
pub fn count_frames(url: &str, seconds: u32, timeout: Duration) -> Result<(u32, Output), PeerError> {
    let interval = format!("%+{seconds}");
    let args = [
        "-v",
        "error",
        "-rtsp_transport",
        "tcp",
        "-count_frames",
        "-read_intervals",
        &interval,
        "-show_entries",
        "stream=nb_read_frames",
        "-of",
        "csv=p=0",
    ];
    let out = run_ffprobe(url, &args, timeout)?;
    let frames = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0);
    Ok((frames, out))
}
