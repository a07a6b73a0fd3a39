//! `rtspeek bridge`: a small local server for the web page. It serves the page (embedded in the binary) over
//! HTTP and runs live probes for it over a WebSocket, with the same native driver as `rtspeek probe`. The
//! protocol and its security rules are in docs/bridge-protocol.md.
//!
//! - `crate::http`: one bounded request head per connection (8 KiB, a deadline), one response, close; the
//!   session token, and the `Host` / `Origin` checks against DNS rebinding and foreign pages.
//! - `assets`: the embedded files (`build.rs` embeds `web/dist/`).
//! - `session`: one WebSocket: commands, probes, bounded queues, media frames.
//! - [`frame`]: the binary media frame format, with a decoder for tests and other clients.
//!
//! ```no_run
//! # async fn demo() -> Result<(), rtspeek_bridge::bridge::BridgeError> {
//! use rtspeek_bridge::bridge::{Bridge, BridgeOptions};
//! let bridge = Bridge::start(BridgeOptions::default()).await?;
//! println!("open {}", bridge.url());
//! // ... later
//! bridge.shutdown().await;
//! # Ok(()) }
//! ```

pub(crate) mod assets;
mod capture;
pub mod frame;
mod message;
// The content types are decided by build.rs (which includes this file); the tests check them here.
#[cfg(test)]
mod mime;
mod session;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use crate::admission::{Admission, Ticket};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::http::security::{Authorities, Scheme, Token};
use crate::http::{self, HeadError, Header, Request, Response};
use session::SessionContext;

pub use message::Command;

/// The bridge's limits. The defaults are the documented ones.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Probes running at once on one WebSocket.
    pub probes_per_connection: usize,
    /// Probes running at once on the whole bridge.
    pub probes_per_bridge: usize,
    /// Largest text message from the page (a CA bundle fits).
    pub max_message_bytes: usize,
    /// WebSocket connections at once.
    pub max_websockets: usize,
    /// TCP connections at once (WebSockets included); more are closed at accept.
    pub max_connections: usize,
    /// TCP connections at once from one address; more from it are closed at accept (others still get in).
    pub max_connections_per_ip: usize,
    /// Largest HTTP request head.
    pub max_head_bytes: usize,
    /// Time to send a complete request head.
    pub head_timeout: Duration,
    /// Time to write one response or one WebSocket message.
    pub write_timeout: Duration,
    /// Interval of the bridge's WebSocket pings.
    pub ping_interval: Duration,
    /// A WebSocket from which nothing (not even a pong) arrives for this long is closed.
    pub idle_timeout: Duration,
    /// Longest media window a page may ask for (`duration`).
    pub max_duration: Duration,
    /// Longest step timeout a page may ask for (`timeout`).
    pub max_step_timeout: Duration,
    /// Text messages queued for one WebSocket before it counts as not reading.
    pub message_queue: usize,
    /// Bytes of text messages queued for one WebSocket before it counts as not reading (a single message
    /// larger than this is still queued when nothing else is).
    pub message_queue_bytes: usize,
    /// Media frames queued for one WebSocket before new ones are dropped.
    pub media_queue_frames: usize,
    /// Bytes of media frames queued for one WebSocket before new ones are dropped.
    pub media_queue_bytes: usize,
    /// Time probes get to send their `done` when a WebSocket closes or the bridge stops.
    pub stop_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            probes_per_connection: 2,
            probes_per_bridge: 4,
            max_message_bytes: 256 * 1024,
            max_websockets: 8,
            max_connections: 64,
            max_connections_per_ip: 16,
            max_head_bytes: 8 * 1024,
            head_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            max_duration: Duration::from_secs(300),
            max_step_timeout: Duration::from_secs(60),
            message_queue: 1024,
            message_queue_bytes: 16 * 1024 * 1024,
            media_queue_frames: 32,
            media_queue_bytes: 8 * 1024 * 1024,
            stop_grace: Duration::from_secs(5),
        }
    }
}

/// Reads one text message from the page as a WebSocket session does, within `limits.max_duration` and
/// `limits.max_step_timeout`. An error is the `error` message (JSON) the page would get, which names fields
/// but never repeats a value the page sent. Public for the `bridge_command` fuzz target (fuzz/).
pub fn parse_command(text: &str, limits: &Limits) -> Result<Command, String> {
    let bounds =
        message::ProbeBounds { max_duration: limits.max_duration, max_step_timeout: limits.max_step_timeout };
    message::parse(text, bounds).map_err(|e| message::error(e.id, &e.message))
}

/// How to start a bridge.
#[derive(Debug, Clone)]
pub struct BridgeOptions {
    /// Where to listen (`127.0.0.1:0`: a free port on loopback).
    pub bind: SocketAddr,
    /// Allow a non-loopback `bind`: whoever reaches it with the token can make this machine probe anything
    /// it can reach.
    pub allow_non_loopback: bool,
    /// The limits.
    pub limits: Limits,
}

impl Default for BridgeOptions {
    fn default() -> Self {
        BridgeOptions {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            allow_non_loopback: false,
            limits: Limits::default(),
        }
    }
}

/// What every connection task shares.
#[derive(Debug)]
struct Shared {
    token: Token,
    authorities: Authorities,
    limits: Arc<Limits>,
    /// Connections in all and per client address.
    admission: Admission,
    websockets: Arc<Semaphore>,
    probes: Arc<Semaphore>,
    shutdown: watch::Receiver<bool>,
}

/// Why the bridge did not start.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// A non-loopback address without `allow_non_loopback`.
    #[error(
        "refusing to listen on {0}: not a loopback address. Whoever reaches the bridge with its token can make \
         this machine probe any address it can reach; allow it explicitly (--allow-non-loopback) only on a \
         network you trust"
    )]
    NotLoopback(SocketAddr),
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The system random generator failed (no session token).
    #[error("the system random generator failed: no session token")]
    Random,
}

/// A running bridge. Dropping it stops it in the background; [`shutdown`](Self::shutdown) also waits until
/// every probe has sent its `done` and every connection is closed.
#[derive(Debug)]
pub struct Bridge {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Bridge {
    /// Binds and starts serving. Refuses a non-loopback address unless `allow_non_loopback`.
    pub async fn start(options: BridgeOptions) -> Result<Bridge, BridgeError> {
        let ip = options.bind.ip().to_canonical();
        if !ip.is_loopback() && !options.allow_non_loopback {
            return Err(BridgeError::NotLoopback(options.bind));
        }
        let bind = |source| BridgeError::Bind { addr: options.bind, source };
        let listener = TcpListener::bind(options.bind).await.map_err(bind)?;
        let addr = listener.local_addr().map_err(bind)?;
        let (stop, shutdown) = watch::channel(false);
        let limits = options.limits;
        let shared = Arc::new(Shared {
            token: Token::generate().ok_or(BridgeError::Random)?,
            authorities: Authorities::for_bind(addr, Scheme::Http),
            admission: Admission::new(limits.max_connections, limits.max_connections_per_ip),
            websockets: Arc::new(Semaphore::new(limits.max_websockets)),
            probes: Arc::new(Semaphore::new(limits.probes_per_bridge)),
            limits: Arc::new(limits),
            shutdown,
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(Bridge { addr, shared, stop, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL with the session token in its fragment: `http://127.0.0.1:PORT/#token=...`.
    pub fn url(&self) -> String {
        format!("{}/#token={}", self.origin(), self.shared.token.expose())
    }

    /// The page's origin: `http://127.0.0.1:PORT` (for a wildcard bind too).
    pub fn origin(&self) -> String {
        let host = match self.addr.ip().to_canonical() {
            IpAddr::V4(ip) if ip.is_unspecified() => Ipv4Addr::LOCALHOST.to_string(),
            IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        format!("http://{host}:{}", self.addr.port())
    }

    /// The session token (what the page reads from the URL fragment).
    pub fn token(&self) -> &str {
        self.shared.token.expose()
    }

    /// Whether the real web page is built into this binary (otherwise `/` says how to build it).
    pub fn web_ui_built() -> bool {
        assets::WEB_UI_BUILT
    }

    /// Stops accepting, stops every probe (each still sends its `done`), closes every WebSocket, and waits
    /// for all of it within a bound.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Accepts connections until shutdown, then gives the open ones a moment to finish.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut tasks = JoinSet::new();
    let mut shutdown = shared.shutdown.clone();
    loop {
        tokio::select! {
            () = stopped(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                // Over either limit: closed at once, before reading anything.
                Ok((stream, peer)) => {
                    if let Ok(ticket) = shared.admission.admit(peer.ip()) {
                        tasks.spawn(connection(stream, Arc::clone(&shared), ticket));
                    }
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    let grace = shared.limits.stop_grace + shared.limits.write_timeout;
    let _ = timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    tasks.shutdown().await;
}

/// Resolves once the bridge shuts down (or its handle is gone).
pub(crate) async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// What a request head leads to.
enum Route {
    Respond(Response),
    Upgrade { accept: String, permit: OwnedSemaphorePermit },
}

/// One TCP connection: a request head, then a response or a WebSocket.
async fn connection(mut stream: TcpStream, shared: Arc<Shared>, _ticket: Ticket) {
    let _ = stream.set_nodelay(true);
    let limits = &shared.limits;
    let mut shutdown = shared.shutdown.clone();
    let head = tokio::select! {
        head = timeout(limits.head_timeout, http::read_head(&mut stream, limits.max_head_bytes)) => head,
        // Browsers open connections ahead of need: these must not hold up a shutdown.
        () = stopped(&mut shutdown) => return,
    };
    let request = match head {
        Ok(Ok(request)) => request,
        Ok(Err(HeadError::Closed)) => return,
        Ok(Err(HeadError::TooLarge)) => {
            let text = format!("request head larger than {} bytes", limits.max_head_bytes);
            return respond(&mut stream, Response::text(431, &text), None, limits).await;
        }
        Ok(Err(HeadError::Malformed)) => {
            return respond(&mut stream, Response::text(400, "not an HTTP/1.1 request"), None, limits).await;
        }
        Err(_) => {
            return respond(&mut stream, Response::text(408, "no complete request in time"), None, limits)
                .await;
        }
    };
    let host = match request.header("host") {
        Header::One(host) if shared.authorities.host_allowed(host) => host.to_owned(),
        _ => {
            tracing::info!("bridge: refused a request: Host is not this bridge's loopback address");
            let text = "the Host header must name this bridge on a loopback address (127.0.0.1, localhost or \
                        [::1]) with its port";
            return respond(&mut stream, Response::text(403, text), None, limits).await;
        }
    };
    match route(&request, &host, &shared) {
        Route::Respond(response) => respond(&mut stream, response, Some(&host), limits).await,
        Route::Upgrade { accept, permit } => {
            let head = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Accept: {accept}\r\n\r\n"
            );
            let written = timeout(limits.write_timeout, async {
                use tokio::io::AsyncWriteExt as _;
                stream.write_all(head.as_bytes()).await?;
                stream.flush().await
            })
            .await;
            if !matches!(written, Ok(Ok(()))) {
                return;
            }
            let config = WebSocketConfig::default()
                .max_message_size(Some(limits.max_message_bytes))
                .max_frame_size(Some(limits.max_message_bytes));
            let ws =
                WebSocketStream::from_partially_read(stream, request.rest, Role::Server, Some(config)).await;
            let context = SessionContext {
                limits: Arc::clone(&shared.limits),
                bridge_probes: Arc::clone(&shared.probes),
                shutdown: shared.shutdown.clone(),
            };
            session::run(ws, context).await;
            drop(permit);
        }
    }
}

/// The answer to a request whose `Host` passed.
fn route(request: &Request, host: &str, shared: &Shared) -> Route {
    if request.path == "/ws" {
        return websocket(request, host, shared);
    }
    Route::Respond(assets::respond(request))
}

/// The checks of `GET /ws` (docs/bridge-protocol.md, "Security"), then the upgrade.
fn websocket(request: &Request, host: &str, shared: &Shared) -> Route {
    let refuse = |status: u16, text: &str| Route::Respond(Response::text(status, text));
    if request.method != "GET" {
        return Route::Respond(Response::text(405, "the WebSocket needs GET").header("Allow", "GET"));
    }
    let origin_ok = match request.header("origin") {
        Header::One(origin) => shared.authorities.origin_allowed(origin, host),
        Header::Missing | Header::Ambiguous => false,
    };
    if !origin_ok {
        tracing::info!("bridge: refused a WebSocket: foreign or missing Origin");
        return refuse(403, "the Origin header must be this bridge's own page");
    }
    let token_ok = request.query_param("token").is_some_and(|t| shared.token.matches(t));
    if !token_ok {
        tracing::info!("bridge: refused a WebSocket: missing or wrong token");
        return refuse(403, "missing or wrong token");
    }
    if !request.http11
        || !request.has_token("upgrade", "websocket")
        || !request.has_token("connection", "upgrade")
    {
        return Route::Respond(
            Response::text(426, "this is the bridge's WebSocket: connect with a WebSocket client")
                .header("Upgrade", "websocket"),
        );
    }
    if request.header("sec-websocket-version") != Header::One("13") {
        return Route::Respond(
            Response::text(426, "WebSocket version 13 only").header("Sec-WebSocket-Version", "13"),
        );
    }
    let key = match request.header("sec-websocket-key") {
        // Base64 of 16 bytes.
        Header::One(key) if key.len() == 24 && key.ends_with("==") => key,
        _ => return refuse(400, "missing or malformed Sec-WebSocket-Key"),
    };
    let Ok(permit) = Arc::clone(&shared.websockets).try_acquire_owned() else {
        let text = format!("at most {} WebSocket connections at once", shared.limits.max_websockets);
        return refuse(503, &text);
    };
    Route::Upgrade { accept: derive_accept_key(key.as_bytes()), permit }
}

/// Writes a response with the security headers, within the write deadline, and closes.
async fn respond(stream: &mut TcpStream, response: Response, host: Option<&str>, limits: &Limits) {
    // `connect-src 'self'` covers ws:// to the same host in CSP 3; the explicit source is for older browsers.
    let websocket = host.map(|h| format!("ws://{h}"));
    let response = http::security_headers(response, websocket.as_deref());
    if response.status() >= 400 {
        tracing::debug!(status = response.status(), "bridge: HTTP error response");
    }
    http::respond(stream, &response, limits.write_timeout).await;
}
