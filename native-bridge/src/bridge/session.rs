//! One WebSocket: the page's commands in, probe events and media frames out.
//!
//! Probes run in their own tasks through the native driver ([`probe::run`]); their sink never waits. It puts
//! events on a bounded message queue and media frames on a separate, smaller queue with a byte budget. A
//! writer task drains both, messages first: a slow page loses media frames (counted, then skipped up to the
//! next keyframe so that its decoder never sees a frame whose reference is missing), never events. A page
//! that lets even the message queue fill up has stopped reading: its connection is closed.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::stream::SplitSink;
use futures::{SinkExt as _, StreamExt as _};
use rtspeek_core::codec::keyframe::{Held, KeyframeGate};
use rtspeek_core::probe::{MediaFrame, ProbeEvent};
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::Limits;
use super::frame;
use super::message::{self, Command, EventMessage, Hello, PreviewSummary, ProbeBounds};
use crate::probe::{self, ProbeSink};
use crate::serve::unix_now;

type Ws = WebSocketStream<TcpStream>;

/// What a session shares with the rest of the bridge.
#[derive(Debug, Clone)]
pub(crate) struct SessionContext {
    /// The limits.
    pub(crate) limits: Arc<Limits>,
    /// Probes running on the whole bridge.
    pub(crate) bridge_probes: Arc<Semaphore>,
    /// Becomes `true` when the bridge shuts down.
    pub(crate) shutdown: watch::Receiver<bool>,
}

/// A message for the writer.
#[derive(Debug)]
enum Outgoing {
    /// A JSON text message; `drain_media` first sends the media frames queued so far (a probe's last frames
    /// go out before its `done`).
    Text { text: String, drain_media: bool },
    /// The close frame, the last thing sent.
    Close { code: CloseCode, reason: &'static str },
}

/// The queues to the writer, shared by the session and its probes. Nothing here waits.
#[derive(Debug, Clone)]
struct Outbox {
    messages: mpsc::Sender<Outgoing>,
    media: mpsc::Sender<Vec<u8>>,
    /// Bytes of media frames queued and not yet written.
    media_bytes: Arc<AtomicUsize>,
    media_budget: usize,
    /// Bytes of text messages queued and not yet written.
    text_bytes: Arc<AtomicUsize>,
    text_budget: usize,
    /// Signalled when the message queue is full: the page has stopped reading.
    overloaded: Arc<Notify>,
}

impl Outbox {
    /// Queues a text message; a full queue, in messages or in bytes, marks the connection as overloaded (the
    /// page has stopped reading). One message always fits an empty queue.
    fn text(&self, text: String, drain_media: bool) {
        let len = text.len();
        let queued = self.text_bytes.fetch_add(len, Ordering::AcqRel);
        if queued > 0 && queued + len > self.text_budget {
            self.text_bytes.fetch_sub(len, Ordering::AcqRel);
            self.overloaded.notify_one();
            return;
        }
        if let Err(e) = self.messages.try_send(Outgoing::Text { text, drain_media }) {
            self.text_bytes.fetch_sub(len, Ordering::AcqRel);
            if matches!(e, mpsc::error::TrySendError::Full(_)) {
                self.overloaded.notify_one();
            }
        }
    }

    fn close(&self, code: CloseCode, reason: &'static str) {
        let _ = self.messages.try_send(Outgoing::Close { code, reason });
    }

    /// Queues a media frame, unless the queue or its byte budget is full (one frame always fits an empty
    /// budget, however large).
    fn media(&self, bytes: Vec<u8>) -> bool {
        let len = bytes.len();
        let queued = self.media_bytes.fetch_add(len, Ordering::AcqRel);
        if queued > 0 && queued + len > self.media_budget {
            self.media_bytes.fetch_sub(len, Ordering::AcqRel);
            return false;
        }
        if self.media.try_send(bytes).is_err() {
            self.media_bytes.fetch_sub(len, Ordering::AcqRel);
            return false;
        }
        true
    }
}

/// The sink of one probe: its events and media frames, tagged with its id.
struct WsSink {
    id: u32,
    outbox: Outbox,
    preview: bool,
    /// Per track: core's keyframe gate (no frame before the first keyframe, none after a drop until the next).
    tracks: Vec<KeyframeGate>,
    summary: PreviewSummary,
    /// Keep `done` back: the probe's capture goes first, and its report says what the capture holds.
    hold_done: bool,
}

/// Highest track index that gets media frames (the frame header has one byte for it).
const MAX_TRACK: usize = u8::MAX as usize;

impl ProbeSink for WsSink {
    fn event(&mut self, event: &ProbeEvent) {
        let done = matches!(event, ProbeEvent::Done { .. });
        if done && self.hold_done {
            return;
        }
        if done && self.preview {
            // After every frame of this probe: the writer sends the frames queued before this message first.
            self.outbox.text(message::preview(self.id, self.summary), true);
        }
        self.outbox.text(message::to_json(&EventMessage::new(self.id, event)), done);
    }

    fn media(&mut self, frame: MediaFrame) {
        if !self.preview || frame.track > MAX_TRACK {
            return;
        }
        if self.tracks.len() <= frame.track {
            self.tracks.resize(frame.track + 1, KeyframeGate::new());
        }
        let Some(gate) = self.tracks.get_mut(frame.track) else { return };
        match gate.admit(frame.keyframe) {
            Ok(()) => {}
            Err(Held::BeforeKeyframe) => {
                self.summary.frames_before_keyframe += 1;
                return;
            }
            Err(Held::Resyncing) => {
                self.summary.frames_dropped += 1;
                return;
            }
        }
        let Some(bytes) = frame::encode(self.id, &frame) else { return };
        if self.outbox.media(bytes) {
            self.summary.frames_sent += 1;
            gate.sent();
        } else {
            self.summary.frames_dropped += 1;
            gate.dropped();
        }
    }
}

/// Why the session ends, and what the page is told.
#[derive(Debug, Clone, Copy)]
struct Ending {
    close: Option<(CloseCode, &'static str)>,
    /// The socket is gone (or the writer failed): nothing more can be sent.
    dead: bool,
}

/// The running probes of the session.
#[derive(Default)]
struct Probes {
    /// Stop handles by probe id (dropping one stops its probe too).
    stops: HashMap<u32, Option<oneshot::Sender<()>>>,
    tasks: JoinSet<u32>,
    ids: HashMap<tokio::task::Id, u32>,
}

/// Runs one WebSocket to its end.
pub(crate) async fn run(ws: Ws, context: SessionContext) {
    let limits = Arc::clone(&context.limits);
    let (sink, mut stream) = ws.split();
    let (messages_tx, messages_rx) = mpsc::channel(limits.message_queue);
    let (media_tx, media_rx) = mpsc::channel(limits.media_queue_frames.max(1));
    let outbox = Outbox {
        messages: messages_tx,
        media: media_tx,
        media_bytes: Arc::new(AtomicUsize::new(0)),
        media_budget: limits.media_queue_bytes,
        text_bytes: Arc::new(AtomicUsize::new(0)),
        text_budget: limits.message_queue_bytes,
        overloaded: Arc::new(Notify::new()),
    };
    let mut writer = tokio::spawn(write_loop(
        sink,
        messages_rx,
        media_rx,
        Arc::clone(&outbox.media_bytes),
        Arc::clone(&outbox.text_bytes),
        Arc::clone(&limits),
    ));
    outbox.text(
        message::to_json(&Hello::new(
            limits.probes_per_connection,
            limits.max_message_bytes,
            limits.max_duration,
        )),
        false,
    );

    let mut probes = Probes::default();
    let mut shutdown = context.shutdown.clone();
    let mut last_seen = Instant::now();
    let mut writer_done = false;
    let ending = loop {
        let idle_deadline = last_seen + limits.idle_timeout;
        tokio::select! {
            incoming = stream.next() => match incoming {
                None | Some(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => {
                    break Ending { close: None, dead: true };
                }
                Some(Ok(message)) => {
                    last_seen = Instant::now();
                    match message {
                        Message::Text(text) => command(text.as_str(), &mut probes, &outbox, &context),
                        Message::Binary(_) => outbox.text(
                            message::error(None, "binary messages are not accepted from the page"),
                            false,
                        ),
                        Message::Close(_) => break Ending { close: None, dead: false },
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                    }
                }
                Some(Err(WsError::Capacity(_))) => {
                    let text = format!("message too large: at most {} bytes", limits.max_message_bytes);
                    outbox.text(message::error(None, &text), false);
                    break Ending { close: Some((CloseCode::Size, "message too large")), dead: false };
                }
                Some(Err(WsError::Utf8(_))) => {
                    outbox.text(message::error(None, "text message is not UTF-8"), false);
                    break Ending { close: Some((CloseCode::Invalid, "text message is not UTF-8")), dead: false };
                }
                Some(Err(_)) => break Ending { close: Some((CloseCode::Protocol, "protocol error")), dead: false },
            },
            Some(joined) = probes.tasks.join_next_with_id(), if !probes.tasks.is_empty() => {
                finished(joined, &mut probes, &outbox);
            }
            _ = &mut writer => {
                writer_done = true;
                break Ending { close: None, dead: true };
            }
            () = outbox.overloaded.notified() => {
                break Ending { close: Some((CloseCode::Again, "the page does not read its messages")), dead: false };
            }
            () = super::stopped(&mut shutdown) => {
                break Ending { close: Some((CloseCode::Away, "the bridge is shutting down")), dead: false };
            }
            () = tokio::time::sleep_until(idle_deadline) => {
                break Ending { close: Some((CloseCode::Policy, "idle")), dead: false };
            }
        }
    };

    // Stop every probe (dropping its stop handle is enough) and let it send its `done`, within a bound.
    probes.stops.clear();
    let wait = if ending.dead { Duration::from_millis(500) } else { limits.stop_grace };
    let _ = timeout(wait, async {
        while let Some(joined) = probes.tasks.join_next_with_id().await {
            finished(joined, &mut probes, &outbox);
        }
    })
    .await;
    probes.tasks.shutdown().await;
    if let Some((code, reason)) = ending.close {
        outbox.close(code, reason);
    }
    // The writer ends once every sender is gone (its own queue drained), or at its write deadline.
    drop(outbox);
    if !writer_done {
        let _ = timeout(limits.write_timeout + Duration::from_secs(1), &mut writer).await;
        writer.abort();
    }
}

/// A probe task ended: forget it, and tell the page if it died without its `done`.
fn finished(
    joined: Result<(tokio::task::Id, u32), tokio::task::JoinError>,
    probes: &mut Probes,
    outbox: &Outbox,
) {
    let id = match joined {
        Ok((task, id)) => {
            probes.ids.remove(&task);
            id
        }
        Err(e) => {
            let Some(id) = probes.ids.remove(&e.id()) else { return };
            if e.is_panic() {
                outbox
                    .text(message::error(Some(id), "internal error: the probe stopped unexpectedly"), false);
            }
            id
        }
    };
    probes.stops.remove(&id);
}

/// Carries out a command from the page.
fn command(text: &str, probes: &mut Probes, outbox: &Outbox, context: &SessionContext) {
    let limits = &context.limits;
    let bounds = ProbeBounds { max_duration: limits.max_duration, max_step_timeout: limits.max_step_timeout };
    let (id, options, capture) = match message::parse(text, bounds) {
        Err(e) => return outbox.text(message::error(e.id, &e.message), false),
        Ok(Command::Stop { id }) => {
            // Stopping a probe that already ended (or never ran) is not an error: its `done` may be on its way.
            if let Some(stop) = probes.stops.get_mut(&id).and_then(Option::take) {
                let _ = stop.send(());
            }
            return;
        }
        Ok(Command::Probe { id, options, capture }) => (id, options, capture),
    };
    if probes.stops.contains_key(&id) {
        let text = format!("probe {id} is already running: choose another id");
        return outbox.text(message::error(None, &text), false);
    }
    if probes.stops.len() >= limits.probes_per_connection {
        let text = format!("busy: at most {} probes at once on one connection", limits.probes_per_connection);
        return outbox.text(message::error(Some(id), &text), false);
    }
    let Ok(permit) = Arc::clone(&context.bridge_probes).try_acquire_owned() else {
        let text = format!("busy: at most {} probes at once on this bridge", limits.probes_per_bridge);
        return outbox.text(message::error(Some(id), &text), false);
    };
    let (config, tls) = match probe::configure(&options, unix_now()) {
        Ok(configured) => configured,
        Err(e) => return outbox.text(message::error(Some(id), &e.to_string()), false),
    };
    let sink = WsSink {
        id,
        outbox: outbox.clone(),
        preview: config.deliver_media,
        tracks: Vec::new(),
        summary: PreviewSummary::default(),
        hold_done: capture,
    };
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = probes.tasks.spawn(run_probe(id, config, tls, sink, stop_rx, permit));
    probes.ids.insert(task.id(), id);
    probes.stops.insert(id, Some(stop_tx));
}

/// One probe, to its `done` (or to an `error` when its TLS options are unusable).
async fn run_probe(
    id: u32,
    config: rtspeek_core::probe::ProbeConfig,
    tls: crate::tls::TlsOptions,
    mut sink: WsSink,
    stop: oneshot::Receiver<()>,
    _permit: OwnedSemaphorePermit,
) -> u32 {
    // Resolves on `stop` and when the session drops the handle.
    let stop = async move {
        let _ = stop.await;
    };
    if !sink.hold_done {
        if let Err(e) = probe::run(config, &tls, &mut sink, stop).await {
            sink.outbox.text(message::error(Some(id), &e.to_string()), false);
        }
        return id;
    }
    let recording = match super::capture::start() {
        Ok(recording) => recording,
        Err(e) => {
            sink.outbox.text(message::error(Some(id), &e.to_string()), false);
            return id;
        }
    };
    let recorder = recording.recorder();
    let result = probe::run_recorded(config, &tls, &recorder, &mut sink, stop).await;
    drop(recorder);
    match result {
        Ok(mut report) => {
            if let Some(text) = super::capture::finish(id, recording, &mut report).await {
                sink.outbox.text(text, false);
            }
            sink.hold_done = false;
            sink.event(&ProbeEvent::Done { report: Box::new(report) });
        }
        Err(e) => sink.outbox.text(message::error(Some(id), &e.to_string()), false),
    }
    id
}

/// Writes the queues to the socket, messages first, pinging the page meanwhile. Ends when the queues close,
/// after a close frame, or when a write misses its deadline.
async fn write_loop(
    mut sink: SplitSink<Ws, Message>,
    mut messages: mpsc::Receiver<Outgoing>,
    mut media: mpsc::Receiver<Vec<u8>>,
    media_bytes: Arc<AtomicUsize>,
    text_bytes: Arc<AtomicUsize>,
    limits: Arc<Limits>,
) {
    let deadline = limits.write_timeout;
    let mut ping = tokio::time::interval_at(Instant::now() + limits.ping_interval, limits.ping_interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let send_media = |frame: Vec<u8>| {
        media_bytes.fetch_sub(frame.len(), Ordering::AcqRel);
        Message::binary(frame)
    };
    loop {
        let message = tokio::select! {
            biased;
            outgoing = messages.recv() => match outgoing {
                None => break,
                Some(Outgoing::Close { code, reason }) => {
                    let frame = CloseFrame { code, reason: reason.into() };
                    let _ = timeout(deadline, sink.send(Message::Close(Some(frame)))).await;
                    return;
                }
                Some(Outgoing::Text { text, drain_media }) => {
                    text_bytes.fetch_sub(text.len(), Ordering::AcqRel);
                    if drain_media {
                        for _ in 0..media.len() {
                            let Ok(frame) = media.try_recv() else { break };
                            if !matches!(timeout(deadline, sink.send(send_media(frame))).await, Ok(Ok(()))) {
                                return;
                            }
                        }
                    }
                    Message::text(text)
                }
            },
            Some(frame) = media.recv() => send_media(frame),
            _ = ping.tick() => Message::Ping(Default::default()),
        };
        if !matches!(timeout(deadline, sink.send(message)).await, Ok(Ok(()))) {
            return;
        }
    }
    let _ = timeout(deadline, sink.close()).await;
}

#[cfg(test)]
mod tests {
    use rtspeek_core::codec::Codec;
    use rtspeek_core::diagnose::ReportBuilder;

    use super::*;

    struct Harness {
        sink: WsSink,
        messages: mpsc::Receiver<Outgoing>,
        media: mpsc::Receiver<Vec<u8>>,
    }

    impl Harness {
        fn new(media_frames: usize, media_budget: usize) -> Harness {
            let (messages_tx, messages) = mpsc::channel(16);
            let (media_tx, media) = mpsc::channel(media_frames);
            let outbox = Outbox {
                messages: messages_tx,
                media: media_tx,
                media_bytes: Arc::new(AtomicUsize::new(0)),
                media_budget,
                text_bytes: Arc::new(AtomicUsize::new(0)),
                text_budget: 1024,
                overloaded: Arc::new(Notify::new()),
            };
            let sink = WsSink {
                id: 7,
                outbox,
                preview: true,
                tracks: Vec::new(),
                summary: PreviewSummary::default(),
                hold_done: false,
            };
            Harness { sink, messages, media }
        }

        fn frame(&mut self, keyframe: bool, len: usize) {
            self.sink.media(MediaFrame {
                track: 0,
                codec: Codec::H264,
                codec_string: Some("avc1.42c01e".into()),
                timestamp: 0,
                keyframe,
                damaged: false,
                data: vec![0; len],
            });
        }

        /// What the writer does with one queued frame: whether it was a keyframe.
        fn write_one(&mut self) -> Option<bool> {
            let bytes = self.media.try_recv().ok()?;
            self.sink.outbox.media_bytes.fetch_sub(bytes.len(), Ordering::AcqRel);
            Some(frame::decode(&bytes).expect("a media frame").keyframe)
        }
    }

    #[test]
    fn a_slow_page_loses_media_frames_up_to_the_next_keyframe_never_events() {
        let mut h = Harness::new(2, 1 << 20);
        h.frame(false, 10); // before any keyframe: a decoder could not use it
        h.frame(true, 10);
        h.frame(false, 10);
        h.frame(false, 10); // the queue (2 frames) is full: dropped
        h.frame(false, 10); // depends on the dropped one: dropped
        assert_eq!(h.write_one(), Some(true));
        assert_eq!(h.write_one(), Some(false));
        h.frame(false, 10); // room again, but still waiting for a keyframe
        h.frame(true, 10);
        h.frame(false, 10);
        assert_eq!(h.write_one(), Some(true));
        assert_eq!(h.write_one(), Some(false));
        assert!(h.write_one().is_none());
        assert_eq!(
            h.sink.summary,
            PreviewSummary { frames_sent: 4, frames_dropped: 3, frames_before_keyframe: 1 }
        );

        // Meanwhile events are queued, and `done` is preceded by the summary; both make the writer send the
        // frames queued before them first.
        h.frame(true, 10);
        h.sink.event(&ProbeEvent::Started { target: "rtsps://cam/x".into() });
        let report = ReportBuilder::new("rtsps://cam/x", &[]).finish();
        h.sink.event(&ProbeEvent::Done { report: Box::new(report) });
        let mut texts = Vec::new();
        while let Ok(Outgoing::Text { text, drain_media }) = h.messages.try_recv() {
            texts.push((serde_json::from_str::<serde_json::Value>(&text).expect("JSON"), drain_media));
        }
        assert_eq!(texts.len(), 3);
        assert_eq!((texts[0].0["event"]["event"].as_str(), texts[0].1), (Some("started"), false));
        assert_eq!((texts[1].0["type"].as_str(), texts[1].1), (Some("preview"), true));
        assert_eq!(texts[1].0["frames_sent"], 5);
        assert_eq!((texts[2].0["event"]["event"].as_str(), texts[2].1), (Some("done"), true));
        assert_eq!(texts[2].0["id"], 7);
    }

    #[test]
    fn the_byte_budget_bounds_queued_media_but_one_large_frame_always_fits() {
        let mut h = Harness::new(32, 1000);
        h.frame(true, 5000); // larger than the budget, but the queue is empty
        h.frame(false, 10); // over budget now: dropped
        assert_eq!((h.sink.summary.frames_sent, h.sink.summary.frames_dropped), (1, 1));
        assert!(h.write_one().is_some());
        assert_eq!(h.sink.outbox.media_bytes.load(Ordering::Acquire), 0);
        h.frame(true, 400);
        h.frame(false, 400);
        h.frame(false, 400); // 1200 > 1000
        assert_eq!((h.sink.summary.frames_sent, h.sink.summary.frames_dropped), (3, 2));
    }

    #[test]
    fn the_text_byte_budget_marks_the_page_as_not_reading_but_one_large_message_fits() {
        let h = Harness::new(2, 1 << 20);
        let overloaded = Arc::clone(&h.sink.outbox.overloaded);
        h.sink.outbox.text("x".repeat(5000), false); // over the 1024-byte budget, but the queue is empty
        assert_eq!(h.sink.outbox.text_bytes.load(Ordering::Acquire), 5000);
        let notified = overloaded.notified();
        futures::pin_mut!(notified);
        assert!(futures::FutureExt::now_or_never(&mut notified).is_none(), "one message is no overload");
        h.sink.outbox.text("y".repeat(10), false); // does not fit any more
        assert_eq!(h.sink.outbox.text_bytes.load(Ordering::Acquire), 5000, "refused, not queued");
        assert!(futures::FutureExt::now_or_never(notified).is_some(), "overload was signalled");
        let mut messages = h.messages;
        assert!(matches!(messages.try_recv(), Ok(Outgoing::Text { text, .. }) if text.len() == 5000));
        assert!(messages.try_recv().is_err(), "the second message was refused");
    }

    #[test]
    fn a_full_message_queue_marks_the_page_as_not_reading() {
        let h = Harness::new(2, 1000);
        let overloaded = Arc::clone(&h.sink.outbox.overloaded);
        for _ in 0..17 {
            h.sink.outbox.text("{}".into(), false);
        }
        let notified = overloaded.notified();
        futures::pin_mut!(notified);
        assert!(futures::FutureExt::now_or_never(notified).is_some(), "overload was signalled");
    }
}
