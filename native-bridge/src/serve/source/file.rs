//! A file source: an H.264/H.265 Annex B stream or an MP4, read once into memory by core's container readers
//! and played in a loop, with presentation times that keep growing across passes.

use std::path::{Path, PathBuf};

use rtspeek_core::codec::{Frame, StreamInfo};
use rtspeek_core::container::{self, ContainerError, ElementaryStream};

use super::{FrameSource, SourceError};

/// Files larger than this are refused: the whole clip is kept in memory to loop without disk reads.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// Why a file cannot be played; each names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// It cannot be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// It is larger than [`MAX_FILE_BYTES`].
    #[error("{}: {size} bytes, more than the {MAX_FILE_BYTES}-byte limit for looped files", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// Its contents are not a usable H.264/H.265 stream.
    #[error("{}: {source}", path.display())]
    Container {
        /// The file.
        path: PathBuf,
        /// What core's container reader found.
        source: ContainerError,
    },
    /// It holds no frame.
    #[error("{}: no frames", path.display())]
    NoFrames {
        /// The file.
        path: PathBuf,
    },
}

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
    pub fn open(path: &Path, fps: f64) -> Result<LoopedFile, FileError> {
        let read = |source| FileError::Read { path: path.to_owned(), source };
        let size = std::fs::metadata(path).map_err(read)?.len();
        if size > MAX_FILE_BYTES {
            return Err(FileError::TooLarge { path: path.to_owned(), size });
        }
        let bytes = std::fs::read(path).map_err(read)?;
        let stream = container::load(&bytes, fps)
            .map_err(|source| FileError::Container { path: path.to_owned(), source })?;
        if stream.frames.is_empty() {
            return Err(FileError::NoFrames { path: path.to_owned() });
        }
        if stream.skipped_leading > 0 {
            tracing::info!(file = %path.display(), frames = stream.skipped_leading, "frames before the first keyframe skipped");
        }
        Ok(LoopedFile { stream, next: 0, offset: 0 })
    }
}

impl FrameSource for LoopedFile {
    fn info(&self) -> &StreamInfo {
        &self.stream.info
    }

    fn next_frame(&mut self, _capture_unix_micros: u64) -> Result<Frame, SourceError> {
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
