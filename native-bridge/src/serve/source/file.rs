//! A file source: an H.264/H.265 Annex B stream or an MP4, read once into memory by core's container readers
//! and played in a loop, with presentation times that keep growing across passes.

use std::path::Path;

use rtspeek_core::codec::{Frame, StreamInfo};
use rtspeek_core::container::{self, ElementaryStream};

use super::FrameSource;

/// Files larger than this are refused: the whole clip is kept in memory to loop without disk reads.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// A clip, looped.
#[derive(Debug)]
pub struct LoopedFile {
    stream: ElementaryStream,
    next: usize,
    /// Added to every pts: the clip's duration times the passes done.
    offset: u64,
}

impl LoopedFile {
    /// Reads and parses `path`; `fps` is the rate when the file does not give one.
    pub fn open(path: &Path, fps: f64) -> Result<LoopedFile, String> {
        let name = path.display();
        let size = std::fs::metadata(path).map_err(|e| format!("{name}: {e}"))?.len();
        if size > MAX_FILE_BYTES {
            return Err(format!(
                "{name}: {size} bytes, more than the {MAX_FILE_BYTES}-byte limit for looped files"
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
        let stream = container::load(&bytes, fps).map_err(|e| format!("{name}: {e}"))?;
        if stream.frames.is_empty() {
            return Err(format!("{name}: no frames"));
        }
        if stream.skipped_leading > 0 {
            tracing::info!(file = %name, frames = stream.skipped_leading, "frames before the first keyframe skipped");
        }
        Ok(LoopedFile { stream, next: 0, offset: 0 })
    }
}

impl FrameSource for LoopedFile {
    fn info(&self) -> &StreamInfo {
        &self.stream.info
    }

    fn next_frame(&mut self, _capture_unix_micros: u64) -> Result<Frame, String> {
        if self.next == self.stream.frames.len() {
            self.next = 0;
            self.offset += self.stream.duration.max(1);
        }
        let mut frame = self.stream.frames[self.next].clone();
        self.next += 1;
        frame.pts += self.offset;
        Ok(frame)
    }
}
