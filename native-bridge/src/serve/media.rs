//! The media bus of one stream: frames in, RTP packets made once and shared by every client.
//!
//! Packets go through a `tokio::sync::broadcast` ring: the source never waits for a client, memory is bounded
//! by the ring, and a client that falls a whole ring behind learns it (`Lagged`) and is dropped instead of
//! stalling the others. Each client costs a cursor into the ring, not a copy of the stream.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtspeek_core::codec::{Frame, StreamInfo, VIDEO_CLOCK_RATE};
use rtspeek_core::rtcp::{SenderInfo, write_sdes_cname, write_sender_report};
use rtspeek_core::rtp::packetize::{PacketBuf, Packetizer};
use rtspeek_core::serve::RtpPosition;
use tokio::sync::broadcast;

/// Packets kept for clients: about 5 s of a 2 Mbit/s stream in 1400-byte packets.
pub const RING_PACKETS: usize = 1024;
/// RTP payload budget: a 1500-byte MTU minus IP, UDP and RTP headers, with room for tunnels.
const MAX_PAYLOAD: usize = 1400;
/// RFC 3550 asks for about 5 % of the bandwidth; one report every few seconds is what cameras do.
const SENDER_REPORT_INTERVAL: Duration = Duration::from_secs(2);
/// The shortest time between two keyframes forced for joining clients, unless set otherwise.
pub const DEFAULT_KEYFRAME_INTERVAL: Duration = Duration::from_secs(1);
/// Seconds between 1900 (NTP) and 1970 (Unix).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

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

struct State {
    packetizer: Packetizer,
    buf: PacketBuf,
    /// RTP timestamp of pts 0 (random, RFC 3550 5.1).
    rtp_base: u32,
    position: Option<RtpPosition>,
    last_report: Option<Instant>,
    frame_ticks: u32,
}

/// One stream's bus.
pub struct MediaBus {
    path: String,
    info: StreamInfo,
    ssrc: u32,
    tx: broadcast::Sender<Packet>,
    state: Mutex<State>,
    keyframe_wanted: AtomicBool,
    /// When the source was last asked for a keyframe, and how long to wait before asking again.
    forced: Mutex<(Option<Instant>, Duration)>,
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
    ) -> Result<Arc<Self>, String> {
        let ssrc = u32::from_be_bytes([random[0], random[1], random[2], random[3]]).max(1);
        let seq = u16::from_be_bytes([random[4], random[5]]);
        let rtp_base = u32::from_be_bytes([random[6], random[7], random[8], random[9]]);
        let packetizer = Packetizer::new(info.codec, payload_type, ssrc, seq, MAX_PAYLOAD)
            .map_err(|e| e.to_string())?
            .with_aggregation(true);
        let frame_ticks =
            if info.frame_rate > 0.0 { (f64::from(VIDEO_CLOCK_RATE) / info.frame_rate) as u32 } else { 3600 };
        let (tx, _) = broadcast::channel(RING_PACKETS);
        Ok(Arc::new(MediaBus {
            path,
            info,
            ssrc,
            tx,
            state: Mutex::new(State {
                packetizer,
                buf: PacketBuf::with_capacity(64 * 1024, 64),
                rtp_base,
                position: None,
                last_report: None,
                frame_ticks,
            }),
            keyframe_wanted: AtomicBool::new(false),
            forced: Mutex::new((None, DEFAULT_KEYFRAME_INTERVAL)),
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

    /// Packetizes `frame` (captured at `wall`) and hands its packets to every client; sends an RTCP sender
    /// report every couple of seconds. A frame that cannot be packetized is logged and skipped.
    pub fn publish(&self, frame: &Frame, wall: SystemTime) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let st = &mut *st;
        let rtptime = st.rtp_base.wrapping_add(frame.pts as u32);
        st.buf.clear();
        if let Err(e) = st.packetizer.packetize(frame, rtptime, &mut st.buf) {
            tracing::warn!(stream = %self.path, "frame skipped: {e}");
            return;
        }
        let report_due = st.last_report.is_none_or(|t| t.elapsed() >= SENDER_REPORT_INTERVAL);
        if report_due {
            st.last_report = Some(Instant::now());
            // Before the frame: the report's RTP time is this frame's, at its capture time.
            let _ = self
                .tx
                .send(Packet { data: self.sender_report(&st.packetizer, rtptime, wall).into(), rtcp: true });
        }
        for packet in &st.buf {
            let _ = self.tx.send(Packet { data: Arc::from(packet), rtcp: false });
        }
        if frame.keyframe {
            // Everyone subscribed now has a keyframe: a request made before it is answered.
            self.keyframe_wanted.store(false, Ordering::Relaxed);
        }
        self.stats.frames.fetch_add(1, Ordering::Relaxed);
        self.stats.packets.fetch_add(st.buf.len() as u64, Ordering::Relaxed);
        self.stats.bytes.fetch_add(st.buf.as_bytes().len() as u64, Ordering::Relaxed);
        st.position = Some(RtpPosition {
            ssrc: st.packetizer.ssrc(),
            seq: st.packetizer.next_seq(),
            rtptime: rtptime.wrapping_add(st.frame_ticks),
        });
    }

    fn sender_report(&self, packetizer: &Packetizer, rtptime: u32, wall: SystemTime) -> Vec<u8> {
        let since = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
        let frac = (u64::from(since.subsec_nanos()) << 32) / 1_000_000_000;
        let ntp = ((since.as_secs() + NTP_UNIX_OFFSET) << 32) | frac;
        let info = SenderInfo {
            ntp_timestamp: ntp,
            rtp_timestamp: rtptime,
            packet_count: packetizer.packets_sent() as u32,
            octet_count: packetizer.octets_sent() as u32,
        };
        let mut out = Vec::with_capacity(64);
        write_sender_report(packetizer.ssrc(), &info, &[], &mut out);
        // RFC 3550 6.1: every compound packet carries an SDES CNAME.
        let _ = write_sdes_cname(packetizer.ssrc(), "rtspeek", &mut out);
        out
    }

    /// Where the stream stands and a receiver whose first packet is the one at that position, taken together
    /// so that RTP-Info and the first packet agree; `None` before the first frame.
    pub fn subscribe(&self) -> Option<(RtpPosition, broadcast::Receiver<Packet>)> {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        Some((st.position?, self.tx.subscribe()))
    }

    /// Where the stream stands (`None` before the first frame).
    pub fn position(&self) -> Option<RtpPosition> {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).position
    }

    /// Clients receiving now.
    pub fn receivers(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Asks the source for a keyframe (a client just joined). Requests are coalesced and throttled: see
    /// [`take_keyframe_request`](Self::take_keyframe_request).
    pub fn request_keyframe(&self) {
        self.keyframe_wanted.store(true, Ordering::Relaxed);
    }

    /// The shortest time between two forced keyframes (a PLAY/PAUSE loop must not make every frame a
    /// keyframe: each costs the bandwidth of many frames, for every viewer).
    pub fn set_keyframe_interval(&self, interval: Duration) {
        self.forced.lock().unwrap_or_else(|e| e.into_inner()).1 = interval;
    }

    /// Whether the source must make its next frame a keyframe, at `now`: a keyframe was asked for and none
    /// was forced within the interval. A request within the interval waits for its end (the client gets a
    /// keyframe then, or the source's next regular one, whichever comes first).
    pub fn take_keyframe_request(&self, now: Instant) -> bool {
        if !self.keyframe_wanted.load(Ordering::Relaxed) {
            return false;
        }
        let mut forced = self.forced.lock().unwrap_or_else(|e| e.into_inner());
        let (last, interval) = *forced;
        if last.is_some_and(|t| now.saturating_duration_since(t) < interval) {
            return false;
        }
        self.keyframe_wanted.store(false, Ordering::Relaxed);
        forced.0 = Some(now);
        self.stats.forced_keyframes.fetch_add(1, Ordering::Relaxed);
        true
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
