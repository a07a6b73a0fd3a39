//! `rtspeek audit`'s engine: the layered probe of every camera of an inventory, at most `concurrency` at once,
//! each within its own deadline. An interruption (Ctrl-C) starts no new probe, stops the running ones (each
//! reports what it learned) and keeps every result already in.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt as _;
use rtspeek_core::probe::ProbeEvent;
use rtspeek_core::{Report, UnixTime};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::inventory::{Camera, Inventory};
use crate::probe::{configure, run};

/// How an audit runs.
#[derive(Debug, Clone, Copy)]
pub struct AuditSettings {
    /// Probes at once (at least 1).
    pub concurrency: usize,
    /// Bound on one camera's probe; a probe that reaches it stops and reports what it saw (`interrupted`).
    pub deadline: Duration,
}

/// One camera's result.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The probe ran (to the end, to its deadline, or until interrupted: see `facts.interrupted`).
    Probed(Box<Report>),
    /// The probe could not start: its settings are wrong (an unset password variable, an unreadable CA...).
    NotConfigured(String),
    /// The audit was interrupted before this camera's turn.
    NotRun,
    /// rtspeek itself failed on this camera (a bug: the probe panicked); the other cameras are unaffected.
    Failed(String),
}

impl Outcome {
    /// The report, when the probe ran.
    pub fn report(&self) -> Option<&Report> {
        match self {
            Outcome::Probed(report) => Some(report),
            Outcome::NotConfigured(_) | Outcome::NotRun | Outcome::Failed(_) => None,
        }
    }
}

/// Probes every camera of `inventory`; `done` hears of each result as it comes (for a progress bar), and
/// `stop` interrupts. Results come back in inventory order.
pub async fn audit(
    inventory: &Inventory,
    settings: AuditSettings,
    now: UnixTime,
    mut done: impl FnMut(&Camera, &Outcome),
    stop: impl Future<Output = ()>,
) -> Vec<Outcome> {
    let mut results: Vec<Outcome> = vec![Outcome::NotRun; inventory.cameras.len()];
    let permits = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let (stopped_tx, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(stop);
    let mut next = 0;
    let mut interrupted = false;
    loop {
        if tasks.is_empty() && (interrupted || next >= inventory.cameras.len()) {
            break;
        }
        // Start cameras while permits remain, hear results, or hear the interruption.
        tokio::select! {
            biased;
            () = &mut stop, if !interrupted => {
                interrupted = true;
                let _ = stopped_tx.send(true);
            }
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                if let Ok((index, outcome)) = joined {
                    if let Some(camera) = inventory.cameras.get(index) {
                        done(camera, &outcome);
                    }
                    if let Some(slot) = results.get_mut(index) {
                        *slot = outcome;
                    }
                }
            }
            Ok(permit) = Arc::clone(&permits).acquire_owned(), if !interrupted && next < inventory.cameras.len() => {
                let index = next;
                next += 1;
                let Some(camera) = inventory.cameras.get(index).cloned() else { continue };
                let base = inventory.base.clone();
                let mut stopped = stopped.clone();
                tasks.spawn(async move {
                    let stop = async move {
                        let interrupted = stopped.wait_for(|s| *s);
                        let _ = tokio::time::timeout(settings.deadline, interrupted).await;
                    };
                    // A panic in one probe is that camera's result, not the audit's end.
                    let outcome = AssertUnwindSafe(probe_one(&camera, &base, now, stop))
                        .catch_unwind()
                        .await
                        .unwrap_or_else(|panic| Outcome::Failed(panic_text(panic.as_ref())));
                    drop(permit);
                    (index, outcome)
                });
            }
        }
    }
    results
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    format!("rtspeek failed on this camera (please report it): {what}")
}

/// One camera's probe, silent.
async fn probe_one(
    camera: &Camera,
    base: &std::path::Path,
    now: UnixTime,
    stop: impl Future<Output = ()>,
) -> Outcome {
    let options = match camera.profile.options(&camera.url, base) {
        Ok(options) => options,
        Err(e) => return Outcome::NotConfigured(e.to_string()),
    };
    let (config, tls) = match configure(&options, now) {
        Ok(configured) => configured,
        Err(e) => return Outcome::NotConfigured(e.to_string()),
    };
    match run(config, &tls, &mut |_: &ProbeEvent| {}, stop).await {
        Ok(report) => Outcome::Probed(Box::new(report)),
        Err(e) => Outcome::NotConfigured(e.to_string()),
    }
}
