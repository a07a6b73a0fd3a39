//! Entry of the `srtp` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/srtp.rs) and the corpus
//! replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::srtp::{MasterKey, SrtpContext, Suite};

fn context(suite: Suite, mki: &[u8]) -> Option<SrtpContext> {
    let bytes: Vec<u8> = (0..(suite.key_len() + suite.salt_len()) as u8).collect();
    Some(SrtpContext::new(suite, &MasterKey::from_concatenated(suite, &bytes).ok()?).with_mki(mki))
}

/// What the fuzz target runs, for every suite, with and without an MKI: `data` as an SRTP and an SRTCP packet
/// to a receiver (and the ROC diagnosis), then as plain RTP and RTCP through a sender and back through a
/// receiver, which must give `data` back. Any other outcome but a panic is fine.
pub fn run(data: &[u8]) {
    for suite in Suite::ALL {
        for mki in [&[][..], &[0, 0, 0, 1][..]] {
            let Some(fresh) = context(suite, mki) else { return };
            let mut rx = fresh.clone();
            let _ = rx.unprotect_rtp(data);
            let _ = rx.try_roc_neighbours(data);
            let _ = rx.unprotect_rtcp(data);
            let mut tx = fresh.clone();
            let mut rx = fresh.clone();
            if let Ok(p) = tx.protect_rtp(data) {
                assert_eq!(rx.unprotect_rtp(&p).as_deref(), Ok(data), "{suite}: SRTP round trip");
            }
            if let Ok(p) = tx.protect_rtcp(data) {
                assert_eq!(rx.unprotect_rtcp(&p).as_deref(), Ok(data), "{suite}: SRTCP round trip");
            }
        }
    }
}
