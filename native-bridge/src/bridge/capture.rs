//! `"capture": true` on a probe command: the probe's traffic recorded as pcapng in memory (bounded by
//! [`MAX_BYTES`], TLS secrets inside) and sent to the page in a `capture` message right before `done`, whose
//! report says what the capture holds. The page offers it as a download; nothing is written to disk here.

use rtspeek_core::Report;

use super::message;
use crate::probe::{RecordError, RecordOptions, Recording};

/// Bound on a page's capture: it travels as one base64 text message (a third larger), which must fit the
/// message queue's byte budget. Longer captures: `rtspeek probe --capture` and its `--capture-max-mb`.
pub(crate) const MAX_BYTES: u64 = 4 << 20;

/// Starts an in-memory recording.
pub(super) fn start() -> Result<Recording, RecordError> {
    let options = RecordOptions { capture_in_memory: true, max_bytes: MAX_BYTES, ..RecordOptions::default() };
    Recording::start(&options)?.ok_or_else(|| RecordError::Thread(std::io::Error::other("nothing to record")))
}

/// Finishes the recording (off the runtime: it waits for the writer thread), records the capture in
/// `report.facts.capture` under the name the page saves it as, and returns the `capture` message.
pub(super) async fn finish(id: u32, recording: Recording, report: &mut Report) -> Option<String> {
    let finished = tokio::task::spawn_blocking(move || recording.finish_with_bytes()).await;
    let Ok(Ok((Some(mut fact), Some(bytes)))) = finished else { return None };
    fact.file = format!("rtspeek-probe-{id}.pcapng");
    let text = message::capture(id, &fact, &bytes);
    report.facts.capture = Some(fact);
    Some(text)
}
