//! The connections open on the server, for the admin page: who, over what, with which certificate, playing
//! what. An entry lives as long as its connection (the [`SessionEntry`] guard removes it), so the book holds
//! at most `max_connections` entries: admission bounds it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rtspeek_core::UnixTime;

/// One open connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    /// A number unique within this server's run.
    pub id: u64,
    /// The client's address.
    pub peer: SocketAddr,
    /// The server address it connected to.
    pub local: SocketAddr,
    /// RTSPS.
    pub tls: bool,
    /// The name the client sent in SNI.
    pub sni: Option<String>,
    /// The pair its handshake was answered with (`global`, `stream/cam1`) and that pair's leaf SHA-256, as
    /// in service when the handshake completed. The connection keeps that certificate whatever is applied
    /// later: TLS does not change a certificate within a connection.
    pub certificate: Option<(String, String)>,
    /// The stream it plays, once PLAY started it.
    pub playing: Option<String>,
    /// When it connected.
    pub since: UnixTime,
}

/// Every open connection.
#[derive(Debug, Default)]
pub struct SessionBook {
    next: AtomicU64,
    live: Mutex<BTreeMap<u64, LiveSession>>,
}

impl SessionBook {
    /// Records a connection; it stays until the returned guard is dropped.
    pub(super) fn open(self: &Arc<Self>, mut session: LiveSession) -> SessionEntry {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        session.id = id;
        self.lock().insert(id, session);
        SessionEntry { book: self.clone(), id }
    }

    /// The open connections, oldest first.
    pub fn snapshot(&self) -> Vec<LiveSession> {
        self.lock().values().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, LiveSession>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A connection's place in the book; dropping it removes the entry.
#[derive(Debug)]
pub(super) struct SessionEntry {
    book: Arc<SessionBook>,
    id: u64,
}

impl SessionEntry {
    /// The stream the connection now plays (`None`: paused or torn down).
    pub(super) fn playing(&self, stream: Option<&str>) {
        if let Some(session) = self.book.lock().get_mut(&self.id) {
            session.playing = stream.map(str::to_owned);
        }
    }
}

impl Drop for SessionEntry {
    fn drop(&mut self) {
        self.book.lock().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_live_as_long_as_their_guard() {
        let book = Arc::new(SessionBook::default());
        let session = LiveSession {
            id: 0,
            peer: "127.0.0.1:5000".parse().expect("addr"),
            local: "127.0.0.1:8322".parse().expect("addr"),
            tls: true,
            sni: None,
            certificate: Some(("global".into(), "ab".into())),
            playing: None,
            since: UnixTime(1),
        };
        let first = book.open(session.clone());
        let second = book.open(session);
        first.playing(Some("cam1"));
        let ids: Vec<(u64, Option<String>)> =
            book.snapshot().into_iter().map(|s| (s.id, s.playing)).collect();
        assert_eq!(ids, vec![(1, Some("cam1".into())), (2, None)]);
        drop(first);
        assert_eq!(book.snapshot().len(), 1);
        drop(second);
        assert!(book.snapshot().is_empty());
    }
}
