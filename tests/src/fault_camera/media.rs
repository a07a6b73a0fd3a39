//! Media: RTP paced in real time by its timestamps, impairments, RTCP sender reports; over the RTSP
//! connection (interleaved) or UDP.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rtspeek_core::rtcp::{SenderInfo, ntp_timestamp, write_sdes_cname, write_sender_report};
use rtspeek_core::rtp::RtpHeader;
use rtspeek_core::rtsp::InterleavedFrame;
use rtspeek_core::rtsp::writer::write_frame;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

use super::config::Impairments;
use super::conn::Out;
use super::source::Source;

/// Where a track's packets go.
#[derive(Debug, Clone)]
pub(super) enum Sink {
    /// `$`-framed on the RTSP connection, through its writer task.
    Interleaved { out: mpsc::Sender<Out>, rtp: u8, rtcp: u8 },
    /// UDP datagrams from the server's ports to the client's.
    Udp { rtp: Arc<UdpSocket>, rtcp: Arc<UdpSocket>, to_rtp: SocketAddr, to_rtcp: SocketAddr },
}

impl Sink {
    /// Sends one packet; `false` when the connection is gone (UDP errors are ignored, as a camera would).
    async fn send(&self, rtcp: bool, packet: &[u8]) -> bool {
        match self {
            Sink::Interleaved { out, rtp: rtp_ch, rtcp: rtcp_ch } => {
                let channel = if rtcp { *rtcp_ch } else { *rtp_ch };
                let mut bytes = Vec::with_capacity(packet.len() + 4);
                let frame = InterleavedFrame { channel, payload: Cow::Borrowed(packet) };
                if write_frame(&frame, &mut bytes).is_err() {
                    return true;
                }
                out.send(Out::Data(bytes)).await.is_ok()
            }
            Sink::Udp { rtp, rtcp: rtcp_sock, to_rtp, to_rtcp } => {
                let (sock, to) = if rtcp { (rtcp_sock, to_rtcp) } else { (rtp, to_rtp) };
                let _ = sock.send_to(packet, to).await;
                true
            }
        }
    }
}

/// The next sequence number and timestamp of a track, for RTP-Info (shared with the RTSP side).
#[derive(Debug)]
pub(super) struct TrackClock {
    next_seq: AtomicU32,
    next_ts: AtomicU32,
}

impl TrackClock {
    pub(super) fn new(seq: u16, ts: u32) -> Arc<TrackClock> {
        Arc::new(TrackClock { next_seq: AtomicU32::new(seq.into()), next_ts: AtomicU32::new(ts) })
    }

    /// `(seq, rtptime)` of the next packet.
    pub(super) fn next(&self) -> (u16, u32) {
        (self.next_seq.load(Ordering::SeqCst) as u16, self.next_ts.load(Ordering::SeqCst))
    }

    fn set(&self, seq: u16, ts: u32) {
        self.next_seq.store(seq.into(), Ordering::SeqCst);
        self.next_ts.store(ts, Ordering::SeqCst);
    }
}

/// What a track sends: packet `i` of the stream and its timing.
pub(super) trait Generator: Send {
    fn clock_rate(&self) -> u32;
    /// RTP timestamp of packet `i`.
    fn timestamp(&self, i: u64) -> u32;
    /// Extra delay of packet `i` (jitter).
    fn delay(&self, _i: u64) -> Duration {
        Duration::ZERO
    }
    /// Whether RTP stops before packet `i`.
    fn stopped(&self, _i: u64) -> bool {
        false
    }
    /// The SSRC at packet `i`.
    fn ssrc(&self, i: u64) -> u32;
    /// The sequence number of packet `i`.
    fn sequence(&self, i: u64) -> u16;
    /// Appends the datagrams to send for packet `i`, in order, to `out` (none for a lost packet).
    fn emit(&mut self, i: u64, out: &mut Vec<Vec<u8>>);
}

/// The looped capture with its impairments.
pub(super) struct Video {
    pub(super) source: Arc<Source>,
    pub(super) ssrc: u32,
    pub(super) first_seq: u16,
    pub(super) first_ts: u32,
    pub(super) impairments: Impairments,
    /// A packet held back to be sent after the next one (reordering).
    pub(super) held: Option<Vec<u8>>,
}

/// Whether `every` selects packet `i` (the (i+1)th): packets N, 2N, 3N...
fn nth(every: Option<u64>, i: u64) -> bool {
    every.is_some_and(|n| n > 0 && (i + 1).is_multiple_of(n))
}

impl Generator for Video {
    fn clock_rate(&self) -> u32 {
        90_000
    }

    fn timestamp(&self, i: u64) -> u32 {
        let n = self.source.packets.len() as u64;
        let loops = (i / n).wrapping_mul(u64::from(self.source.loop_ticks)) as u32;
        self.first_ts.wrapping_add(loops).wrapping_add(self.source.packets[(i % n) as usize].ts_offset)
    }

    fn delay(&self, i: u64) -> Duration {
        match self.impairments.jitter {
            Some(j) if nth(Some(j.every), i) => j.delay,
            _ => Duration::ZERO,
        }
    }

    fn stopped(&self, i: u64) -> bool {
        self.impairments.stop_after.is_some_and(|n| i >= n)
    }

    fn ssrc(&self, i: u64) -> u32 {
        match self.impairments.ssrc_change {
            Some(change) if i >= change.after => change.new_ssrc,
            _ => self.ssrc,
        }
    }

    fn sequence(&self, i: u64) -> u16 {
        self.first_seq.wrapping_add(i as u16)
    }

    fn emit(&mut self, i: u64, out: &mut Vec<Vec<u8>>) {
        let p = &self.source.packets[(i % self.source.packets.len() as u64) as usize];
        let header = RtpHeader {
            marker: p.marker,
            payload_type: self.source.payload_type,
            sequence: self.sequence(i),
            timestamp: self.timestamp(i),
            ssrc: self.ssrc(i),
            ..RtpHeader::default()
        };
        let mut bytes = Vec::with_capacity(12 + p.payload.len());
        if header.write(&p.payload, &mut bytes).is_err() {
            return;
        }
        let imp = &self.impairments;
        if nth(imp.drop_every, i) {
            return;
        }
        // Never hold the last packet before a stop: it would never be sent.
        if nth(imp.reorder_every, i) && self.held.is_none() && !self.stopped(i + 1) {
            self.held = Some(bytes);
            return;
        }
        if nth(imp.duplicate_every, i) {
            out.push(bytes.clone());
        }
        out.push(bytes);
        out.extend(self.held.take());
    }
}

/// PCMU/8000 silence: 160 bytes every 20 ms.
pub(super) struct Audio {
    pub(super) ssrc: u32,
    pub(super) first_seq: u16,
    pub(super) first_ts: u32,
}

impl Generator for Audio {
    fn clock_rate(&self) -> u32 {
        8_000
    }

    fn timestamp(&self, i: u64) -> u32 {
        self.first_ts.wrapping_add(i.wrapping_mul(160) as u32)
    }

    fn ssrc(&self, _i: u64) -> u32 {
        self.ssrc
    }

    fn sequence(&self, i: u64) -> u16 {
        self.first_seq.wrapping_add(i as u16)
    }

    fn emit(&mut self, i: u64, out: &mut Vec<Vec<u8>>) {
        let header = RtpHeader {
            marker: i == 0,
            payload_type: 0,
            sequence: self.sequence(i),
            timestamp: self.timestamp(i),
            ssrc: self.ssrc,
            ..RtpHeader::default()
        };
        let mut bytes = Vec::with_capacity(172);
        // 0xFF is μ-law silence.
        if header.write(&[0xFF; 160], &mut bytes).is_ok() {
            out.push(bytes);
        }
    }
}

/// How a track's sender reports go.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reports {
    pub(super) enabled: bool,
    pub(super) interval: Duration,
}

/// Sends a track until the connection goes or the session ends (the task is aborted). `playing` pauses and
/// resumes it; on resume, pacing restarts from the next packet.
pub(super) async fn run(
    mut generator: impl Generator,
    sink: Sink,
    clock: Arc<TrackClock>,
    mut playing: watch::Receiver<bool>,
    reports: Reports,
) {
    let rate = u64::from(generator.clock_rate());
    let ticks = |d: Duration| (d.as_micros() as u64).wrapping_mul(rate) / 1_000_000;
    let mut i: u64 = 0;
    let mut anchor = (Instant::now(), generator.timestamp(0));
    let mut next_report: Option<Instant> = None;
    let (mut packets, mut octets) = (0u32, 0u32);
    let mut batch = Vec::new();
    loop {
        if !*playing.borrow_and_update() {
            if playing.changed().await.is_err() {
                return;
            }
            anchor = (Instant::now(), generator.timestamp(i));
            continue;
        }
        let ts = generator.timestamp(i);
        let offset = u64::from(ts.wrapping_sub(anchor.1)) * 1_000_000 / rate;
        let due = anchor.0 + Duration::from_micros(offset) + generator.delay(i);
        let stopped = generator.stopped(i);
        tokio::select! {
            changed = playing.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            _ = sleep_until(next_report.unwrap_or(due)), if next_report.is_some() && reports.enabled => {
                let rtp_ts = anchor.1.wrapping_add(ticks(anchor.0.elapsed()) as u32);
                let report = sender_report(generator.ssrc(i.saturating_sub(1)), rtp_ts, packets, octets);
                if !sink.send(true, &report).await {
                    return;
                }
                next_report = next_report.map(|t| t + reports.interval);
            }
            _ = sleep_until(due), if !stopped => {
                generator.emit(i, &mut batch);
                for packet in batch.drain(..) {
                    if !sink.send(false, &packet).await {
                        return;
                    }
                    packets = packets.wrapping_add(1);
                    octets = octets.wrapping_add(packet.len().saturating_sub(12) as u32);
                }
                i += 1;
                clock.set(generator.sequence(i), generator.timestamp(i));
                if next_report.is_none() && reports.enabled && packets > 0 {
                    // The first report follows the first packet, then one per interval.
                    next_report = Some(Instant::now());
                }
            }
        }
    }
}

/// SR + SDES CNAME, the compound RFC 3550 6.1 asks for.
fn sender_report(ssrc: u32, rtp_timestamp: u32, packet_count: u32, octet_count: u32) -> Vec<u8> {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let info =
        SenderInfo { ntp_timestamp: ntp_timestamp(since_epoch), rtp_timestamp, packet_count, octet_count };
    let mut out = Vec::with_capacity(64);
    write_sender_report(ssrc, &info, &[], &mut out);
    let _ = write_sdes_cname(ssrc, "rtspeek-fault-camera@localhost", &mut out);
    out
}
