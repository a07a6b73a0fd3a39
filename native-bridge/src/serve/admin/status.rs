//! `GET /api/status`: the server as the Server view shows it. Never a key, a password or a token: pairs are
//! described by their certificate and file names, users not at all.

use std::net::IpAddr;
use std::sync::atomic::Ordering;

use rtspeek_core::cert::CertificateSummary;
use rtspeek_core::clients::Outcome;
use rtspeek_core::serve::{Encryption, SrtpMode};
use rtspeek_core::srtp::Suite;
use serde::Serialize;

use super::AdminState;
use crate::serve::certs::{PairId, Slot, not_fatal_codes};
use crate::serve::{BoundListener, SERVER_NAME, apply, stream_url, unix_now};

/// The whole document (docs/admin-api.md).
#[derive(Debug, Serialize)]
pub struct Status {
    /// `rtspeek/VERSION`.
    pub server: &'static str,
    /// The server's clock (seconds since the epoch): expiry countdowns are computed against it.
    pub now_unix: i64,
    /// `[server] encryption`.
    pub encryption: Encryption,
    /// Every listener.
    pub listeners: Vec<ListenerStatus>,
    /// Every stream.
    pub streams: Vec<StreamStatus>,
    /// Every pair in service.
    pub pairs: Vec<PairStatus>,
    /// Every open connection.
    pub sessions: Vec<SessionStatus>,
    /// Finding codes that do not stop a pair (the page's own check of a pair before upload uses them).
    pub not_fatal: &'static [&'static str],
    /// Connection counters.
    pub stats: Stats,
}

/// One listener.
#[derive(Debug, Serialize)]
pub struct ListenerStatus {
    /// `127.0.0.1:8322`.
    pub addr: String,
    /// RTSPS.
    pub tls: bool,
    /// The stream whose own listener it is.
    pub stream: Option<String>,
}

/// One stream.
#[derive(Debug, Serialize)]
pub struct StreamStatus {
    /// Its path.
    pub path: String,
    /// `no`, `optional`, `strict`.
    pub encryption: Encryption,
    /// Its media: `off` (RTP), or SRTP keyed by `mikey`, `sdes` or `mikey+sdes`.
    pub srtp: SrtpMode,
    /// The SRTP suite (`AES_CM_128_HMAC_SHA1_80`...), when `srtp` is not `off`.
    pub srtp_suite: Option<Suite>,
    /// Its rtsps:// URL, when a TLS listener serves it and its policy allows RTSPS.
    pub rtsps_url: Option<String>,
    /// Its rtsp:// URL, when a plain listener serves it and its policy allows plain RTSP.
    pub rtsp_url: Option<String>,
    /// The pairs its clients may get: its own (`stream/PATH`) for its names or listener, else `global`.
    pub pair: Option<String>,
    /// Whether it asks for credentials.
    pub auth: bool,
    /// Connections playing it now.
    pub viewers: usize,
}

/// One pair in service.
#[derive(Debug, Serialize)]
pub struct PairStatus {
    /// `global` or `stream/PATH`: what apply and rollback name.
    pub id: String,
    /// The certificate file.
    pub cert_file: String,
    /// The key file.
    pub key_file: String,
    /// Names it must cover (checked at every load).
    pub names: Vec<String>,
    /// SHA-256 of the leaf, hex.
    pub fingerprint: String,
    /// When it went into service (seconds since the epoch).
    pub since_unix: i64,
    /// The leaf.
    pub leaf: Option<CertificateSummary>,
    /// Certificates in the chain file.
    pub chain_len: usize,
    /// Warnings of the analysis (code: summary).
    pub warnings: Vec<String>,
    /// Listener addresses clients may connect to by IP that the certificate does not cover.
    pub notes: Vec<String>,
    /// How each client profile fares with this certificate.
    pub clients: Vec<ClientStatus>,
    /// Whether a previous pair is kept for rollback.
    pub rollback_available: bool,
}

/// One client's verdict for a pair, with its first reason.
#[derive(Debug, Serialize)]
pub struct ClientStatus {
    /// Profile id (`gstreamer`, `ffmpeg-gnutls`...).
    pub id: String,
    /// The client's name.
    pub name: String,
    /// `works`, `risky`, `fails`.
    pub verdict: Outcome,
    /// Why, first reason.
    pub because: Option<String>,
    /// What makes it work (or safe), first setting: for a private CA, how this client is told to trust it.
    pub fix: Option<String>,
}

/// One open connection.
#[derive(Debug, Serialize)]
pub struct SessionStatus {
    /// Unique within this run.
    pub id: u64,
    /// The client's address.
    pub peer: String,
    /// The server address it reached.
    pub local: String,
    /// RTSPS.
    pub tls: bool,
    /// The SNI it sent.
    pub sni: Option<String>,
    /// The pair it was handshaken with.
    pub pair: Option<String>,
    /// That pair's leaf SHA-256 at the handshake: what this connection keeps until it closes.
    pub fingerprint: Option<String>,
    /// The stream it plays.
    pub playing: Option<String>,
    /// When it connected (seconds since the epoch).
    pub since_unix: i64,
}

/// Connection counters.
#[derive(Debug, Serialize)]
pub struct Stats {
    /// Connections accepted.
    pub accepted: u64,
    /// Refused at `max_connections`.
    pub refused_full: u64,
    /// Refused at `max_connections_per_ip`.
    pub refused_per_ip: u64,
    /// TLS handshakes that failed.
    pub tls_failed: u64,
    /// Clients dropped for being too slow.
    pub slow_dropped: u64,
}

/// The document now.
pub(super) fn build(state: &AdminState) -> Status {
    let sessions = state.shared.sessions.snapshot();
    let mut paths: Vec<&String> = state.shared.mounts.keys().collect();
    paths.sort();
    let streams = paths
        .into_iter()
        .map(|path| {
            let entry = &state.shared.mounts[path];
            let own = state.slots.iter().any(|s| s.id == PairId::Stream(path.clone()));
            let global = state.slots.iter().any(|s| s.id == PairId::Global);
            let pair =
                if own { Some(PairId::Stream(path.clone())) } else { global.then_some(PairId::Global) };
            StreamStatus {
                path: path.clone(),
                encryption: entry.mount.encryption,
                srtp: entry.mount.srtp.mode,
                srtp_suite: entry.mount.srtp.mode.is_on().then_some(entry.mount.srtp.suite),
                rtsps_url: stream_url(&state.shared, &state.listeners, path, true),
                rtsp_url: stream_url(&state.shared, &state.listeners, path, false),
                pair: pair.map(|p| p.to_string()),
                auth: entry.mount.auth.is_some(),
                viewers: sessions.iter().filter(|s| s.playing.as_deref() == Some(path)).count(),
            }
        })
        .collect();
    let stats = &state.shared.stats;
    Status {
        server: SERVER_NAME,
        now_unix: unix_now().0,
        encryption: state.encryption,
        listeners: state
            .listeners
            .iter()
            .map(|l| ListenerStatus { addr: l.addr.to_string(), tls: l.tls, stream: l.stream.clone() })
            .collect(),
        streams,
        pairs: state.slots.iter().map(|slot| pair_status(slot, &state.listeners)).collect(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionStatus {
                id: s.id,
                peer: s.peer.to_string(),
                local: s.local.to_string(),
                tls: s.tls,
                sni: s.sni,
                pair: s.certificate.as_ref().map(|c| c.0.clone()),
                fingerprint: s.certificate.map(|c| c.1),
                playing: s.playing,
                since_unix: s.since.0,
            })
            .collect(),
        not_fatal: not_fatal_codes(),
        stats: Stats {
            accepted: stats.accepted.load(Ordering::Relaxed),
            refused_full: stats.refused_full.load(Ordering::Relaxed),
            refused_per_ip: stats.refused_per_ip.load(Ordering::Relaxed),
            tls_failed: stats.tls_failed.load(Ordering::Relaxed),
            slow_dropped: stats.slow_dropped.load(Ordering::Relaxed),
        },
    }
}

/// A slot as the page shows it.
pub(super) fn pair_status(slot: &Slot, listeners: &[BoundListener]) -> PairStatus {
    let in_service = slot.in_service();
    let pair = &in_service.pair;
    let leaf = pair.facts.leaf.clone();
    let notes = leaf.as_ref().map(|leaf| address_notes(slot, leaf, listeners)).unwrap_or_default();
    PairStatus {
        id: slot.id.to_string(),
        cert_file: slot.config.cert.display().to_string(),
        key_file: slot.config.key.display().to_string(),
        names: slot.config.names.clone(),
        fingerprint: pair.fingerprint.clone(),
        since_unix: in_service.since.0,
        leaf,
        chain_len: pair.chain_len,
        warnings: pair.warnings.clone(),
        notes,
        clients: pair
            .facts
            .clients
            .iter()
            .map(|c| ClientStatus {
                id: c.id.clone(),
                name: c.name.clone(),
                verdict: c.verdict,
                because: c.because.first().map(|r| r.text.clone()),
                fix: c.settings.first().cloned(),
            })
            .collect(),
        rollback_available: apply::previous_of(&slot.config.cert).exists()
            && apply::previous_of(&slot.config.key).exists(),
    }
}

/// The TLS listeners that hand out `slot`, whose address clients may use by IP, that the leaf does not name:
/// strict clients (rustls, Go, GStreamer) refuse a certificate without the IP they connected to.
fn address_notes(slot: &Slot, leaf: &CertificateSummary, listeners: &[BoundListener]) -> Vec<String> {
    let serves = |l: &BoundListener| match &slot.id {
        PairId::Global => l.stream.is_none(),
        PairId::Stream(path) => l.stream.as_deref() == Some(path.as_str()),
    };
    let covered = |ip: IpAddr| leaf.san_ip.iter().any(|s| s.parse::<IpAddr>().is_ok_and(|s| s == ip));
    let mut notes = Vec::new();
    for l in listeners.iter().filter(|l| l.tls && serves(l)) {
        let ip = l.addr.ip().to_canonical();
        if ip.is_unspecified() {
            notes.push(format!(
                "listener {} listens on every address: clients that connect by an IP address not in the \
                 certificate ({}) will refuse it unless they skip verification",
                l.addr,
                if leaf.san_ip.is_empty() { "it names none".to_owned() } else { leaf.san_ip.join(", ") }
            ));
        } else if !covered(ip) {
            notes.push(format!(
                "IP {ip} (listener {}) is not in the certificate's subjectAltName: strict clients that connect \
                 by this address will refuse it",
                l.addr
            ));
        }
    }
    notes
}
