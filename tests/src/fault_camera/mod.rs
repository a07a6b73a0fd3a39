//! A scriptable RTSP/RTSPS camera that misbehaves on purpose, for loopback tests of the probe.
//!
//! One [`CameraConfig`] selects one fault (or several); [`FaultCamera::start`] binds 127.0.0.1 (or `[::1]`)
//! on a free port and serves until dropped. Media is the real capture `tests/fixtures/rtp/gst-h264.interleaved`
//! (or `gst-h265`), replayed in a loop at real time with rewritten sequence numbers and timestamps, over TCP
//! interleaved or UDP, with RTCP sender reports. What the client sent is recorded for assertions.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use rtspeek_core::rtsp::Method;
//! use rtspeek_tests::fault_camera::{CameraConfig, FaultCamera, Override};
//! let cam = FaultCamera::start(CameraConfig::default().on(Override::status(Method::Describe, 404))).await?;
//! let url = cam.url("/stream"); // rtsp://127.0.0.1:PORT/stream
//! // ... run the client against `url` ...
//! assert!(cam.requests().iter().any(|r| r.method == "DESCRIBE"));
//! cam.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Tasks form a tree (camera -> accept loop -> connection -> writer, media, UDP receivers), each level owning
//! its children in a `JoinSet` or an abort-on-drop handle, so dropping the camera stops everything. Reads and
//! writes are bounded by [`CameraConfig::idle_timeout`]. Set `RTSPEEK_FAULT_CAMERA_LOG=1` to log to stderr.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};
use std::{fmt, io};

use rtspeek_core::UnixTime;
use rtspeek_core::rtsp::Request;
use rtspeek_core::rtsp::auth::ServerKey;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Logs to stderr when `RTSPEEK_FAULT_CAMERA_LOG` is set; silent otherwise.
macro_rules! log {
    ($($arg:tt)*) => {
        if $crate::fault_camera::logging() {
            eprintln!("[fault-camera] {}", format_args!($($arg)*));
        }
    };
}

mod auth;
mod config;
mod conn;
mod media;
mod rtsp;
mod sdp;
mod session;
mod source;
mod tls;
mod udp;

pub use auth::{AuthScript, Offer};
pub use config::{
    Action, CameraConfig, Impairments, Jitter, MediaScript, Override, RtspScript, SdpScript, SsrcChange,
    TlsFault, TlsSetup, TlsVersions,
};

/// The value of every response's `Server` header.
pub const SERVER: &str = "rtspeek-fault-camera";

/// One request as the camera received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method (`OPTIONS`, `DESCRIBE`...).
    pub method: String,
    /// The Request-URI as sent.
    pub uri: String,
    /// Every header, name as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The connection it came on (0 for the first accepted).
    pub conn: usize,
}

impl RecordedRequest {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A running fault camera. Dropping it stops every task and closes every socket.
pub struct FaultCamera {
    addr: SocketAddr,
    secure: bool,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl fmt::Debug for FaultCamera {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultCamera").field("addr", &self.addr).field("secure", &self.secure).finish()
    }
}

impl FaultCamera {
    /// Binds a free port on the loopback interface and starts serving. Fails on a configuration that cannot
    /// work (unreadable certificate or key, bad realm) or when binding fails.
    pub async fn start(config: CameraConfig) -> io::Result<FaultCamera> {
        let ip: IpAddr = if config.ipv6 { Ipv6Addr::LOCALHOST.into() } else { Ipv4Addr::LOCALHOST.into() };
        let listener = TcpListener::bind((ip, 0)).await?;
        let addr = listener.local_addr()?;
        let tls = match &config.tls {
            Some(setup) if config.fault != Some(TlsFault::PlainRtsp) => Some(tls::server_config(setup)?),
            _ => None,
        };
        let impairments = &config.media.impairments;
        let source = source::Source::load(
            config.media.codec,
            impairments.strip_parameter_sets,
            impairments.drop_keyframes,
        )?;
        let mut rng = Rng::from_time();
        let auth = match &config.auth {
            Some(script) => {
                Some(Mutex::new(auth::AuthRuntime::new(script.clone(), ServerKey::new(rng.bytes::<32>()))?))
            }
            None => None,
        };
        let secure = config.secure_scheme();
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            override_hits: config.rtsp.overrides.iter().map(|_| AtomicUsize::new(0)).collect(),
            config,
            tls,
            addr,
            source: Arc::new(source),
            auth,
            rng: Mutex::new(rng),
            requests: Mutex::new(Vec::new()),
            rtcp: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
        });
        let mut tasks = JoinSet::new();
        tasks.spawn(accept_loop(listener, Arc::clone(&shared), stop_rx));
        log!("listening on {addr}");
        Ok(FaultCamera { addr, secure, shared, stop, tasks })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `rtsps://ADDR/path` when the camera is about TLS (see [`CameraConfig::secure_scheme`]), else
    /// `rtsp://ADDR/path`. `path` should start with `/`.
    pub fn url(&self, path: &str) -> String {
        self.url_with_scheme(if self.secure { "rtsps" } else { "rtsp" }, path)
    }

    /// `scheme://ADDR/path`, e.g. the `rtsp://` URL of a TLS camera for a downgrade test.
    pub fn url_with_scheme(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://{}{path}", self.addr)
    }

    /// Every request received so far, in order, across connections.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Every RTCP packet received from clients (interleaved odd channels and the UDP RTCP ports), in order.
    pub fn rtcp_received(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.rtcp).clone()
    }

    /// The number of TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Stops serving and waits until the accept loop and the connections are gone.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        self.tasks.shutdown().await;
    }
}

impl Drop for FaultCamera {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.tasks.abort_all();
    }
}

/// What every connection of a camera shares.
struct Shared {
    config: CameraConfig,
    tls: Option<Arc<rustls::ServerConfig>>,
    addr: SocketAddr,
    source: Arc<source::Source>,
    auth: Option<Mutex<auth::AuthRuntime>>,
    /// How many requests each override matched, for [`Override::times`].
    override_hits: Vec<AtomicUsize>,
    rng: Mutex<Rng>,
    requests: Mutex<Vec<RecordedRequest>>,
    rtcp: Mutex<Vec<Vec<u8>>>,
    connections: AtomicUsize,
}

impl Shared {
    fn record_request(&self, conn: usize, req: &Request<'_>) {
        let headers = req.headers.iter().map(|h| (h.name.to_string(), h.value.to_string())).collect();
        let record = RecordedRequest {
            method: req.method.as_str().to_owned(),
            uri: req.uri.to_string(),
            headers,
            conn,
        };
        lock(&self.requests).push(record);
    }

    fn record_rtcp(&self, packet: &[u8]) {
        lock(&self.rtcp).push(packet.to_vec());
    }

    fn random<const N: usize>(&self) -> [u8; N] {
        lock(&self.rng).bytes()
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // A value or a dropped sender: either way, stop.
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    let id = shared.connections.fetch_add(1, Ordering::SeqCst);
                    log!("connection {id} from {peer}");
                    connections.spawn(conn::handle(tcp, peer, id, Arc::clone(&shared)));
                }
                Err(e) => {
                    log!("accept: {e}");
                    // Out of file descriptors and the like: do not spin.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            },
        }
    }
    drop(listener);
    connections.shutdown().await;
}

/// Whether logging is on (`RTSPEEK_FAULT_CAMERA_LOG` set), read once.
fn logging() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("RTSPEEK_FAULT_CAMERA_LOG").is_some())
}

/// Locks a mutex, ignoring poisoning (a panicking test thread must not hide the records).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The system clock as core's time input.
fn unix_now() -> UnixTime {
    UnixTime(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64))
}

/// xorshift64*: nonces, session ids and keys of a test camera need to differ, not to be unpredictable.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn from_time() -> Rng {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let salt = COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        Rng((nanos ^ salt) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }
}
