//! `--capture FILE` and `--keylog FILE` (and `SSLKEYLOGFILE`): the probe's own traffic as pcapng, and its TLS
//! secrets as NSS key log lines.
//!
//! The connection and UDP tasks report what their sockets carried (see [`tap`](super::tap)) to a
//! [`Recorder`]; a writer thread formats it with core's [`CaptureWriter`] and writes the file through a buffer.
//! The queue between them is bounded in records and in bytes: a record that finds it full is counted as not
//! captured (a TCP gap shows in Wireshark as "previous segment not captured"), never held. The file has a
//! size bound too (`--capture-max-mb`), past which packets are counted, not written.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use rtspeek_core::capture::{CAPTURE_NOTE, CaptureFact, CaptureWriter, Direction, TcpClose};

/// Records queued to the writer thread at most.
const QUEUE_RECORDS: usize = 4096;
/// Bytes of packet data queued to the writer thread at most (a few reads of a fast stream).
const QUEUE_BYTES: usize = 16 << 20;
/// Default bound of a capture file (`--capture-max-mb`).
pub const DEFAULT_MAX_BYTES: u64 = 512 << 20;

/// What to record during a probe.
#[derive(Debug, Clone, Default)]
pub struct RecordOptions {
    /// Write a pcapng capture here.
    pub capture: Option<PathBuf>,
    /// The capture's size bound, bytes.
    pub max_bytes: u64,
    /// Append NSS key log lines here (`--keylog`, `SSLKEYLOGFILE`).
    pub keylog: Option<PathBuf>,
    /// Without `capture`: keep the capture in memory (the bridge sends it to the page), within `max_bytes`.
    pub capture_in_memory: bool,
}

/// The name an in-memory capture carries until its owner names it.
const IN_MEMORY: &str = "(in memory)";

/// A capture kept in memory (bounded by the writer's size bound).
#[derive(Debug, Clone, Default)]
struct MemorySink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for MemorySink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut bytes = self.0.lock().map_err(|_| std::io::Error::other("capture buffer poisoned"))?;
        bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why recording could not start.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The capture or key log file could not be opened.
    #[error("{what} {path}: {source}")]
    Open {
        /// `--capture` or `--keylog`.
        what: &'static str,
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The writer thread could not start.
    #[error("cannot start the capture writer: {0}")]
    Thread(std::io::Error),
    /// Writing the capture or the key log failed.
    #[error("writing {what} {path}: {source}")]
    Write {
        /// `--capture` or `--keylog`.
        what: &'static str,
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// One thing a socket carried, for the writer thread.
#[derive(Debug)]
pub(crate) enum Record {
    Open {
        id: u64,
        local: SocketAddr,
        peer: SocketAddr,
        ts: u64,
    },
    /// `skipped` bytes went this way before `bytes` but were not queued.
    Data {
        id: u64,
        dir: Direction,
        bytes: Vec<u8>,
        skipped: u64,
        ts: u64,
    },
    Close {
        id: u64,
        how: TcpClose,
        ts: u64,
    },
    Udp {
        src: SocketAddr,
        dst: SocketAddr,
        bytes: Vec<u8>,
        ts: u64,
    },
    /// One NSS key log line, without its line ending.
    Secret(String),
    /// The probe is over: the writer stops here.
    End,
}

/// Nanoseconds since the Unix epoch: capture timestamps are wall-clock time.
pub(crate) fn now_nanos() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

#[derive(Debug)]
struct Shared {
    queue: SyncSender<Record>,
    queued_bytes: AtomicUsize,
    dropped: AtomicU64,
    next_id: AtomicU64,
}

/// The handle tasks record through; cheap to clone, and a no-op when nothing is recorded.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    shared: Option<Arc<Shared>>,
    /// Whether a capture (not only a key log) is written: only then are packets worth queuing.
    packets: bool,
}

impl Recorder {
    /// Whether anything is recorded.
    pub fn is_active(&self) -> bool {
        self.shared.is_some()
    }

    /// Whether TLS secrets are wanted.
    pub(crate) fn wants_secrets(&self) -> bool {
        self.shared.is_some()
    }

    /// Whether packets are wanted.
    pub(crate) fn wants_packets(&self) -> bool {
        self.packets
    }

    /// A fresh connection id for the capture.
    pub(crate) fn next_id(&self) -> u64 {
        self.shared.as_ref().map_or(0, |s| s.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Queues `record` unless the queue is full (then it is counted as not captured). Returns whether it was
    /// queued.
    pub(crate) fn send(&self, record: Record) -> bool {
        let Some(shared) = &self.shared else { return false };
        let len = match &record {
            Record::Data { bytes, .. } | Record::Udp { bytes, .. } => bytes.len(),
            _ => 0,
        };
        if len > 0 && !self.packets {
            return false;
        }
        if shared.queued_bytes.fetch_add(len, Ordering::AcqRel) + len > QUEUE_BYTES {
            shared.queued_bytes.fetch_sub(len, Ordering::AcqRel);
            shared.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        match shared.queue.try_send(record) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                shared.queued_bytes.fetch_sub(len, Ordering::AcqRel);
                shared.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }
}

/// The recording of one probe: its [`Recorder`] and the writer thread.
#[derive(Debug)]
pub struct Recording {
    recorder: Recorder,
    capture_path: Option<PathBuf>,
    memory: Option<MemorySink>,
    thread: JoinHandle<Result<Option<rtspeek_core::capture::CaptureStats>, RecordError>>,
}

impl Recording {
    /// Opens the files (creating them readable by their owner only: they hold secrets) and starts the writer
    /// thread; `None` when `options` asks for nothing.
    pub fn start(options: &RecordOptions) -> Result<Option<Recording>, RecordError> {
        if options.capture.is_none() && options.keylog.is_none() && !options.capture_in_memory {
            return Ok(None);
        }
        let memory = (options.capture.is_none() && options.capture_in_memory).then(MemorySink::default);
        let capture: Option<(Box<dyn std::io::Write + Send>, PathBuf)> = match (&options.capture, &memory) {
            (Some(path), _) => Some((Box::new(open(path, "--capture", false)?), path.clone())),
            (None, Some(sink)) => Some((Box::new(sink.clone()), PathBuf::from(IN_MEMORY))),
            (None, None) => None,
        };
        let capture_path = capture.as_ref().map(|(_, path)| path.clone());
        let keylog = match &options.keylog {
            Some(path) => Some((open(path, "--keylog", true)?, path.clone())),
            None => None,
        };
        let (queue, rx) = sync_channel(QUEUE_RECORDS);
        let shared = Arc::new(Shared {
            queue,
            queued_bytes: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
        });
        let recorder = Recorder { shared: Some(Arc::clone(&shared)), packets: capture.is_some() };
        let max_bytes = options.max_bytes;
        let thread = std::thread::Builder::new()
            .name("rtspeek-capture".into())
            .spawn(move || write_all(&rx, &shared, capture, keylog, max_bytes))
            .map_err(RecordError::Thread)?;
        Ok(Some(Recording { recorder, capture_path, memory, thread }))
    }

    /// The handle the probe's tasks record through.
    pub fn recorder(&self) -> Recorder {
        self.recorder.clone()
    }

    /// Stops recording (what is still queued is written) and says what the capture holds, if one was asked
    /// for. Call once the probe's tasks are gone.
    pub fn finish(self) -> Result<Option<CaptureFact>, RecordError> {
        self.finish_with_bytes().map(|(fact, _)| fact)
    }

    /// [`finish`](Self::finish), and the capture itself when it was kept in memory.
    pub fn finish_with_bytes(self) -> Result<(Option<CaptureFact>, Option<Vec<u8>>), RecordError> {
        let Recording { recorder, capture_path, memory, thread } = self;
        if let Some(shared) = &recorder.shared {
            // Blocking: the writer drains the queue. A task still alive after this records into a closed queue.
            let _ = shared.queue.send(Record::End);
        }
        let dropped = recorder.shared.as_ref().map_or(0, |s| s.dropped.load(Ordering::Relaxed));
        // A writer thread that panicked wrote what it could; the probe's report still stands.
        let stats = thread.join().unwrap_or(Ok(None))?;
        let fact = stats.zip(capture_path).map(|(stats, path)| CaptureFact {
            file: path.display().to_string(),
            packets: stats.packets,
            bytes: stats.bytes,
            packets_not_captured: stats.not_captured + dropped,
            truncated: stats.truncated,
            contains_secrets: stats.secrets,
            note: CAPTURE_NOTE.to_owned(),
        });
        let bytes = memory.map(|sink| sink.0.lock().map(|mut b| std::mem::take(&mut *b)).unwrap_or_default());
        Ok((fact, bytes))
    }
}

fn open(path: &Path, what: &'static str, append: bool) -> Result<File, RecordError> {
    let mut options = OpenOptions::new();
    if append {
        options.append(true).create(true);
    } else {
        options.write(true).create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|source| RecordError::Open { what, path: path.display().to_string(), source })
}

/// Formats one record into `buf`. Errors of one record (a connection unknown after a dropped open, the bound
/// reached) are counted in the writer's statistics; the capture goes on.
fn apply(writer: &mut CaptureWriter, buf: &mut Vec<u8>, record: Record, shared: &Shared) {
    let _ = match record {
        Record::Open { id, local, peer, ts } => writer.tcp_open(buf, id, local, peer, ts),
        Record::Data { id, dir, bytes, skipped, ts } => {
            shared.queued_bytes.fetch_sub(bytes.len(), Ordering::AcqRel);
            writer.tcp_gap(id, dir, skipped).and_then(|()| writer.tcp_data(buf, id, dir, &bytes, ts))
        }
        Record::Close { id, how, ts } => writer.tcp_close(buf, id, how, ts),
        Record::Udp { src, dst, bytes, ts } => {
            shared.queued_bytes.fetch_sub(bytes.len(), Ordering::AcqRel);
            writer.udp(buf, src, dst, &bytes, ts)
        }
        Record::Secret(line) => {
            writer.secrets(buf, format!("{line}\n").as_bytes());
            Ok(())
        }
        Record::End => Ok(()),
    };
}

/// The writer thread: formats every record until the last [`Recorder`] is dropped.
fn write_all(
    rx: &Receiver<Record>,
    shared: &Shared,
    capture: Option<(Box<dyn std::io::Write + Send>, PathBuf)>,
    mut keylog: Option<(File, PathBuf)>,
    max_bytes: u64,
) -> Result<Option<rtspeek_core::capture::CaptureStats>, RecordError> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut capture = capture.map(|(file, path)| {
        let writer = CaptureWriter::new(&mut buf, concat!("rtspeek ", env!("CARGO_PKG_VERSION")), max_bytes);
        (BufWriter::new(file), path, writer)
    });
    let capture_err = |path: &Path, source| RecordError::Write {
        what: "--capture",
        path: path.display().to_string(),
        source,
    };
    // The last read of each connection, held back until the next record of that connection: the TLS library
    // logs the secrets a read brings (ServerHello) only after the tap recorded that read, and Wireshark needs
    // them in a Decryption Secrets Block before the packet, or it never decrypts the session.
    let mut held: BTreeMap<u64, Record> = BTreeMap::new();
    while let Ok(record) = rx.recv() {
        if let Record::Secret(line) = &record
            && let Some((file, path)) = &mut keylog
        {
            // One write per line, so a concurrent reader (Wireshark watching the file) sees whole lines.
            file.write_all(format!("{line}\n").as_bytes()).map_err(|source| RecordError::Write {
                what: "--keylog",
                path: path.display().to_string(),
                source,
            })?;
        }
        let Some((file, path, writer)) = &mut capture else {
            if matches!(record, Record::End) {
                break;
            }
            continue;
        };
        let end = matches!(record, Record::End);
        match &record {
            Record::Data { id, dir: Direction::FromPeer, .. } => {
                if let Some(previous) = held.insert(*id, record) {
                    apply(writer, &mut buf, previous, shared);
                }
            }
            Record::Data { id, .. } | Record::Close { id, .. } => {
                if let Some(previous) = held.remove(id) {
                    apply(writer, &mut buf, previous, shared);
                }
                apply(writer, &mut buf, record, shared);
            }
            Record::End => {
                for (_, previous) in std::mem::take(&mut held) {
                    apply(writer, &mut buf, previous, shared);
                }
            }
            Record::Open { .. } | Record::Udp { .. } | Record::Secret(_) => {
                apply(writer, &mut buf, record, shared)
            }
        }
        file.write_all(&buf).map_err(|e| capture_err(path, e))?;
        buf.clear();
        if end {
            break;
        }
    }
    match capture {
        Some((mut file, path, writer)) => {
            file.flush().map_err(|e| capture_err(&path, e))?;
            Ok(Some(writer.stats()))
        }
        None => Ok(None),
    }
}
