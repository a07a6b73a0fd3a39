//! Entry of the `capture_read` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/capture_read.rs) and
//! the corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::capture::offline::Offline;
use rtspeek_core::capture::read::{CaptureReader, MAX_BLOCK};

/// What the fuzz target runs: `data` as a capture file (pcap or pcapng), pushed whole and in 7-byte pieces
/// through the streaming reader and the offline pipeline (link decoding, TCP reassembly, TLS with the file's
/// own key log). The reader must take bytes or give an event at every push (never stall), keep at most
/// [`MAX_BLOCK`] bytes, and stop with an error rather than a panic.
pub fn run(data: &[u8]) {
    for chunk in [data.len().max(1), 7] {
        feed(data, chunk);
    }
}

fn feed(data: &[u8], chunk: usize) {
    let mut reader = CaptureReader::new();
    let mut offline = Offline::new();
    let mut out = Vec::new();
    for mut piece in data.chunks(chunk) {
        while !piece.is_empty() {
            let taken = reader.push(piece);
            piece = piece.get(taken..).unwrap_or_default();
            let mut progressed = taken > 0;
            loop {
                match reader.next_event() {
                    Ok(Some(event)) => {
                        progressed = true;
                        offline.event(&event, &mut out);
                        out.clear();
                    }
                    Ok(None) => break,
                    Err(_) => return,
                }
            }
            assert!(progressed, "the reader took no byte and gave no event");
            assert!(reader.buffered() <= MAX_BLOCK, "{} bytes buffered", reader.buffered());
        }
    }
    let _ = reader.finish();
    offline.finish(&mut out);
}
