//! The media bus of one stream: frames in, RTP packets made once and shared by every client.
//!
//! Packets go through a `tokio::sync::broadcast` ring: the source never waits for a client, memory is bounded
//! by the ring, and a client that falls a whole ring behind learns it (`Lagged`) and is dropped instead of
//! stalling the others. Each client costs a cursor into the ring, not a copy of the stream.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtspeek_core::codec::{Frame, StreamInfo};
use rtspeek_core::rtp::PacketizeError;
use rtspeek_core::serve::{RtpPosition, SenderConfig, StreamSender};
use tokio::sync::broadcast;

pub use rtspeek_core::serve::DEFAULT_KEYFRAME_INTERVAL;

/// Packets kept for clients: about 5 s of a 2 Mbit/s stream in 1400-byte packets.
pub const RING_PACKETS: usize = 1024;

/// One packet as every client receives it.
#[derive(Debug, Clone)]
pub struct Packet {
    /// The RTP or RTCP packet.
    pub data: Arc<[u8]>,
    /// RTCP (sent on the RTCP channel / port), else RTP.
    pub rtcp: bool,
}

/// Counters of a stream.
#[derive(Debug, Default)]
pub struct BusStats {
    /// Frames published.
    pub frames: AtomicU64,
    /// RTP packets published.
    pub packets: AtomicU64,
    /// RTP bytes published (headers included).
    pub bytes: AtomicU64,
    /// Keyframes asked of the source for joining clients (at most one per keyframe interval).
    pub forced_keyframes: AtomicU64,
}

/// One stream's bus: core's [`StreamSender`] (packetizing, sender reports, RTP position, keyframe requests)
/// behind a mutex, and the fan-out of what it produces.
pub struct MediaBus {
    path: String,
    info: StreamInfo,
    ssrc: u32,
    tx: broadcast::Sender<Packet>,
    sender: Mutex<StreamSender>,
    /// The origin of the monotonic `now` the sender is fed.
    origin: Instant,
    shut_down: AtomicBool,
    /// Counters.
    pub stats: BusStats,
}

impl std::fmt::Debug for MediaBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaBus").field("path", &self.path).finish_non_exhaustive()
    }
}

impl MediaBus {
    /// A bus for `info`, with random SSRC, first sequence number and timestamp base from `random`.
    pub fn new(
        path: String,
        info: StreamInfo,
        payload_type: u8,
        random: [u8; 10],
    ) -> Result<Arc<Self>, PacketizeError> {
        let sender = StreamSender::new(&info, SenderConfig::new(payload_type), random)?;
        let (tx, _) = broadcast::channel(RING_PACKETS);
        Ok(Arc::new(MediaBus {
            path,
            info,
            ssrc: sender.ssrc(),
            tx,
            sender: Mutex::new(sender),
            origin: Instant::now(),
            shut_down: AtomicBool::new(false),
            stats: BusStats::default(),
        }))
    }

    /// The stream's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Codec and parameter sets.
    pub fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// The SSRC of the stream's packets (and sender reports).
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    fn sender(&self) -> MutexGuard<'_, StreamSender> {
        self.sender.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `now` on the sender's monotonic clock.
    fn since_origin(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.origin)
    }

    /// Packetizes `frame` (captured at `wall`) and hands its packets to every client, after an RTCP sender
    /// report when one is due. A frame that cannot be packetized is logged and skipped.
    pub fn publish(&self, frame: &Frame, wall: SystemTime) {
        let now = self.since_origin(Instant::now());
        let wall = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
        let mut sender = self.sender();
        let sent = match sender.send(now, wall, frame) {
            Ok(sent) => sent,
            Err(e) => {
                tracing::warn!(stream = %self.path, "frame skipped: {e}");
                return;
            }
        };
        if let Some(report) = sent.report {
            let _ = self.tx.send(Packet { data: Arc::from(report), rtcp: true });
        }
        for packet in sent.packets {
            let _ = self.tx.send(Packet { data: Arc::from(packet), rtcp: false });
        }
        self.stats.frames.fetch_add(1, Ordering::Relaxed);
        self.stats.packets.fetch_add(sent.packets.len() as u64, Ordering::Relaxed);
        self.stats.bytes.fetch_add(sent.packets.as_bytes().len() as u64, Ordering::Relaxed);
    }

    /// Where the stream stands and a receiver whose first packet is the one at that position, taken together
    /// so that RTP-Info and the first packet agree; `None` before the first frame.
    pub fn subscribe(&self) -> Option<(RtpPosition, broadcast::Receiver<Packet>)> {
        // Under the sender's lock: no frame goes out between reading the position and subscribing.
        let sender = self.sender();
        Some((sender.position()?, self.tx.subscribe()))
    }

    /// Where the stream stands (`None` before the first frame).
    pub fn position(&self) -> Option<RtpPosition> {
        self.sender().position()
    }

    /// Clients receiving now.
    pub fn receivers(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Asks the source for a keyframe (a client just joined). Requests are coalesced and throttled: see
    /// [`take_keyframe_request`](Self::take_keyframe_request).
    pub fn request_keyframe(&self) {
        self.sender().keyframes().request();
    }

    /// The shortest time between two forced keyframes (a PLAY/PAUSE loop must not make every frame a
    /// keyframe: each costs the bandwidth of many frames, for every viewer).
    pub fn set_keyframe_interval(&self, interval: Duration) {
        self.sender().keyframes().set_interval(interval);
    }

    /// Whether the source must make its next frame a keyframe, at `now` (core's
    /// [`KeyframeRequests::take`](rtspeek_core::serve::KeyframeRequests::take)).
    pub fn take_keyframe_request(&self, now: Instant) -> bool {
        let now = self.since_origin(now);
        let forced = self.sender().keyframes().take(now);
        if forced {
            self.stats.forced_keyframes.fetch_add(1, Ordering::Relaxed);
        }
        forced
    }

    /// Stops the source (server shutdown or a dead source).
    pub fn shut_down(&self) {
        self.shut_down.store(true, Ordering::Relaxed);
    }

    /// Whether [`shut_down`](Self::shut_down) was called.
    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Relaxed)
    }
}
