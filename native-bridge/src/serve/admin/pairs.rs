//! `POST /api/apply` and `POST /api/rollback`: [`apply`](crate::serve::apply) (validate as the server would,
//! keep the pair in service as `.prev`, rename the new files into place), then the slot is reloaded at once, so
//! new connections get the new pair while established ones keep theirs. A refused pair changes nothing and is
//! answered with every reason.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::AdminState;
use super::status::{PairStatus, pair_status};
use crate::serve::apply::{self, Applied, ApplyError};
use crate::serve::certs::{PairError, PairId, ReloadOutcome, Slot};
use crate::serve::unix_now;

/// `POST /api/apply`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyRequest {
    /// `global` or `stream/PATH`.
    pair: String,
    /// The certificate chain, PEM, leaf first.
    cert: String,
    /// The private key, PEM.
    key: String,
}

/// `POST /api/rollback`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RollbackRequest {
    /// `global` or `stream/PATH`.
    pair: String,
}

/// The answer to an apply or a rollback that went through.
#[derive(Debug, Serialize)]
pub(super) struct AppliedAnswer {
    /// The pair now in service.
    pair: PairStatus,
    /// SHA-256 of the leaf it replaced.
    previous_fingerprint: Option<String>,
}

/// Why a change was not made.
#[derive(Debug, Serialize)]
pub(super) struct Refusal {
    /// In one sentence.
    error: String,
    /// Each reason: a finding code (or `key`, `file`) and what it says.
    reasons: Vec<Reason>,
}

#[derive(Debug, Serialize)]
struct Reason {
    code: String,
    summary: String,
}

/// Either answer, and its status.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum Answer {
    Applied(Box<AppliedAnswer>),
    Refused(Refusal),
}

fn refused(status: u16, error: impl Into<String>, reasons: Vec<Reason>) -> (u16, Answer) {
    (status, Answer::Refused(Refusal { error: error.into(), reasons }))
}

pub(super) async fn apply(state: &AdminState, body: &[u8]) -> (u16, Answer) {
    let request: ApplyRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return refused(400, format!("the body is not {{\"pair\", \"cert\", \"key\"}}: {e}"), vec![]);
        }
    };
    let slot = match find(state, &request.pair) {
        Ok(slot) => slot,
        Err(answer) => return answer,
    };
    let target = slot.config.clone();
    let done = tokio::task::spawn_blocking(move || {
        let new = apply::NewPair {
            cert: ("uploaded certificate", request.cert.as_bytes()),
            key: ("uploaded key", request.key.as_bytes()),
        };
        apply::apply(&target, new, unix_now())
    })
    .await;
    finish(state, &slot, done)
}

pub(super) async fn rollback(state: &AdminState, body: &[u8]) -> (u16, Answer) {
    let request: RollbackRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return refused(400, format!("the body is not {{\"pair\"}}: {e}"), vec![]),
    };
    let slot = match find(state, &request.pair) {
        Ok(slot) => slot,
        Err(answer) => return answer,
    };
    let target = slot.config.clone();
    let done = tokio::task::spawn_blocking(move || apply::rollback(&target, unix_now())).await;
    finish(state, &slot, done)
}

/// The slot named `pair`. Names never become file names: they are looked up among the pairs in service.
fn find(state: &AdminState, pair: &str) -> Result<Arc<Slot>, (u16, Answer)> {
    let Some(id) = PairId::parse(pair) else {
        return Err(refused(404, "no such pair: name `global` or `stream/PATH`", vec![]));
    };
    if let Some(slot) = state.slots.iter().find(|s| s.id == id) {
        return Ok(slot.clone());
    }
    match id {
        PairId::Stream(path) if state.shared.mounts.contains_key(&path) => Err(refused(
            409,
            format!(
                "stream {path:?} has no pair of its own: its clients get the global pair. Give it one in the \
                 configuration ([stream.tls] with names or a listener) to manage it here, or apply to `global`"
            ),
            vec![],
        )),
        PairId::Global => Err(refused(404, "the server has no global pair", vec![])),
        PairId::Stream(_) => Err(refused(404, "no such stream", vec![])),
    }
}

/// The slot takes the files just written at once (forced: an apply is deliberate, a shorter chain too).
fn finish(
    state: &AdminState,
    slot: &Slot,
    done: Result<Result<Applied, ApplyError>, tokio::task::JoinError>,
) -> (u16, Answer) {
    let applied = match done {
        Ok(Ok(applied)) => applied,
        Ok(Err(e)) => return refusal(e),
        Err(e) => return refused(500, format!("the change did not complete: {e}"), vec![]),
    };
    match slot.reload(unix_now(), true) {
        ReloadOutcome::Swapped(_) | ReloadOutcome::Unchanged => {}
        // The files were validated a moment ago; another writer changed them since.
        other => {
            return refused(500, format!("the files were written but not taken: {other:?}"), vec![]);
        }
    }
    tracing::info!(pair = %slot.label, sha256 = %applied.pair.fingerprint, "certificate applied from the admin endpoint");
    let answer =
        AppliedAnswer { pair: pair_status(slot, &state.listeners), previous_fingerprint: applied.previous };
    (200, Answer::Applied(Box::new(answer)))
}

fn refusal(error: ApplyError) -> (u16, Answer) {
    let message = error.to_string();
    match error {
        ApplyError::Refused(PairError::Refused { findings, .. }) => {
            let reasons = findings.into_iter().map(|(code, summary)| Reason { code, summary }).collect();
            refused(422, "the new pair is refused, the one in service stays", reasons)
        }
        ApplyError::Refused(e) => {
            let code = match &e {
                PairError::Key { .. } => "key",
                _ => "certificate",
            };
            let reason = Reason { code: code.into(), summary: e.to_string() };
            refused(422, "the new pair is refused, the one in service stays", vec![reason])
        }
        ApplyError::NoPrevious { .. } => refused(409, message, vec![]),
        ApplyError::Write { .. } => refused(500, message, vec![]),
    }
}
