//! `rtspeek serve`: the RTSPS server. Core's sans-IO [`ServerSession`](rtspeek_core::serve::ServerSession)
//! answers the requests; this module owns the sockets, TLS (rustls), the certificate store and the media.
//!
//! - [`config`]: the TOML file, checked before anything starts.
//! - [`certs`]: pairs validated by core's certificate analysis, chosen by listener or SNI, hot-swapped.
//! - [`media`]: one RTP stream per mount, packetized once and shared through a bounded ring.
//! - [`source`]: the synthetic camera, files, relays.
//! - [`sessions`]: the open connections and the certificate each was handshaken with.
//! - [`admin`]: the HTTPS admin endpoint of the page's Server view.
//! - [`onvif`]: the ONVIF device, media and media2 services (docs/onvif.md).
//! - `accept`: admission and the TLS handshake; `conn`: one client connection; `udp`: UDP unicast for plain
//!   clients.

mod accept;
pub mod admin;
pub mod apply;
mod batch;
pub mod certs;
pub mod config;
mod conn;
pub mod media;
pub mod onvif;
pub mod sessions;
pub mod source;
mod udp;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtspeek_core::UnixTime;
use rtspeek_core::rtsp::auth::ServerKey;
use rtspeek_core::rtsp::auth::digest::NonceCounts;
use rtspeek_core::serve::{DEFAULT_TRACKED_NONCES, KeySource, KeySourceError, Mount, SessionConfig};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::admission::Admission;
use certs::{PairId, ReloadOutcome, Resolver, Slot};
use config::{ListenerConfig, ServeConfig};
use media::MediaBus;
use rtspeek_core::rtp::PacketizeError;
use sessions::SessionBook;
use source::{SourceConfig, SourceError};
use udp::UdpPorts;

/// The `Server` header and SDP tool.
pub const SERVER_NAME: &str = concat!("rtspeek/", env!("CARGO_PKG_VERSION"));
/// The RTP payload type of every stream.
const PAYLOAD_TYPE: u8 = 96;

/// A mount and its media.
#[derive(Debug)]
pub struct MountEntry {
    /// What core's session sees.
    pub mount: Mount,
    /// The shared RTP stream.
    pub bus: Arc<MediaBus>,
}

/// Counters of the whole server.
#[derive(Debug, Default)]
pub struct ServerStats {
    /// Connections accepted.
    pub accepted: AtomicU64,
    /// Connections refused because `max_connections` were open.
    pub refused_full: AtomicU64,
    /// Connections refused because `max_connections_per_ip` were open from the client's address.
    pub refused_per_ip: AtomicU64,
    /// TLS handshakes that failed or timed out (garbage instead of a ClientHello, scanners...).
    pub tls_failed: AtomicU64,
    /// Clients dropped for being too slow to take their packets.
    pub slow_dropped: AtomicU64,
}

/// A stream's own listener: the stream's path and its certificate.
type OwnListener = (String, Arc<Slot>);

/// What every connection task shares.
#[derive(Debug)]
pub struct Shared {
    /// The streams by path.
    pub mounts: HashMap<String, MountEntry>,
    /// Streams with their own listener: served there only, so that a client always meets their certificate.
    pub own_listener: Vec<String>,
    session_config: SessionConfig,
    started: Instant,
    slow_client: Duration,
    /// Counters.
    pub stats: ServerStats,
    /// The open connections.
    pub sessions: Arc<SessionBook>,
}

impl Shared {
    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The instant `at` after the start; `None` beyond what the clock can represent (no deadline then).
    fn instant_at(&self, at: Duration) -> Option<tokio::time::Instant> {
        self.started.checked_add(at).map(tokio::time::Instant::from_std)
    }
}

/// A listening socket of the running server.
#[derive(Debug, Clone)]
pub struct BoundListener {
    /// Where it listens (the real port when the configuration said 0).
    pub addr: SocketAddr,
    /// RTSPS.
    pub tls: bool,
    /// The stream whose own listener this is.
    pub stream: Option<String>,
}

/// A started server. Dropping it does not stop it: call [`shutdown`](Self::shutdown).
#[derive(Debug)]
pub struct Server {
    /// Streams, stats.
    pub shared: Arc<Shared>,
    /// The listeners, in configuration order (the streams' own ones last).
    pub listeners: Vec<BoundListener>,
    /// Every certificate pair in service.
    pub slots: Vec<Arc<Slot>>,
    /// The admin endpoint, when `[admin]` configures one.
    pub admin: Option<admin::AdminEndpoint>,
    /// The ONVIF endpoints, when `[onvif]` configures them.
    pub onvif: Option<onvif::OnvifEndpoints>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

/// Fresh random bytes from the TLS library's generator.
pub fn random_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    // The system generator does not fail on supported platforms; a zero seed would only make ids guessable.
    let _ = rustls::crypto::ring::default_provider().secure_random.fill(&mut seed);
    seed
}

/// SRTP master keys from the OS generator (through ring, the TLS library's provider); never logged.
#[derive(Debug)]
struct OsKeys;

impl KeySource for OsKeys {
    fn fill(&self, out: &mut [u8]) -> Result<(), KeySourceError> {
        rustls::crypto::ring::default_provider().secure_random.fill(out).map_err(|_| KeySourceError)
    }
}

/// The wall clock, for Digest nonces and certificate dates.
pub fn unix_now() -> UnixTime {
    UnixTime(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64))
}

/// Why the server did not start. Nothing is left running.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration is invalid (a configuration built in code; files are checked when loaded).
    #[error("{place}: {problem}")]
    Config {
        /// Where in the configuration.
        place: String,
        /// What is wrong.
        problem: String,
    },
    /// A certificate pair is refused.
    #[error("{label} certificate: {error}")]
    Certificate {
        /// `global` or `stream "PATH"`.
        label: String,
        /// Every reason.
        error: certs::PairError,
    },
    /// A stream's source could not start.
    #[error("stream {path:?}: {reason}")]
    Stream {
        /// The stream's path.
        path: String,
        /// Why (relay URLs redacted).
        reason: StreamError,
    },
    /// A listener (TCP, or its UDP pair) could not be bound.
    #[error("listener {bind}: {source}")]
    Listen {
        /// The address in the configuration.
        bind: std::net::SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// Why one stream could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// Its source could not be opened.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Its media bus refused the stream (a payload type or size the packetizer refuses).
    #[error(transparent)]
    Bus(#[from] PacketizeError),
    /// Its authentication settings are unusable.
    #[error("auth{place}: {problem}")]
    Auth {
        /// Where in `[stream.auth]`.
        place: String,
        /// What is wrong.
        problem: String,
    },
    /// The task opening the source panicked or was cancelled.
    #[error("opening the source failed: {0}")]
    Opener(String),
}

impl ServeError {
    /// Whether the configuration is at fault (rather than the machine: an address in use, no permission).
    pub fn is_config(&self) -> bool {
        !matches!(self, ServeError::Listen { .. })
    }
}

impl Server {
    /// Validates every certificate, starts every source and binds every listener. Any failure stops the
    /// start with a message naming what is wrong (nothing is left running).
    pub async fn start(config: ServeConfig) -> Result<Server, ServeError> {
        // `ServeConfig::load` checked it; a configuration built in code is checked here.
        config.validate().map_err(|(place, problem)| ServeError::Config { place, problem })?;
        let now = unix_now();
        let global = config
            .tls
            .clone()
            .map(|p| Slot::load(PairId::Global, p, now))
            .transpose()
            .map_err(|error| ServeError::Certificate { label: "global".into(), error })?
            .map(Arc::new);
        let mut slots: Vec<Arc<Slot>> = global.iter().cloned().collect();
        let mut by_name = Vec::new();
        let mut own_listeners = Vec::new();
        for stream in &config.streams {
            if let Some(pair) = &stream.tls {
                let label = format!("stream {:?}", stream.path);
                let slot = Slot::load(PairId::Stream(stream.path.clone()), pair.clone(), now)
                    .map_err(|error| ServeError::Certificate { label, error })?;
                let slot = Arc::new(slot);
                for name in &pair.names {
                    by_name.push((name.to_ascii_lowercase(), slot.clone()));
                }
                if let Some(bind) = stream.listener {
                    own_listeners.push((bind, stream.path.clone(), slot.clone()));
                }
                slots.push(slot);
            }
        }

        let (stop, stop_rx) = watch::channel(false);
        let mut mounts = HashMap::new();
        let mut buses = Vec::new();
        for stream in &config.streams {
            let srtp = stream.srtp_policy();
            if srtp.allow_cleartext_keys {
                tracing::warn!(
                    stream = %stream.path,
                    "allow_srtp_cleartext_keys: plain rtsp:// clients get this stream's SRTP keys in clear; \
                     anyone who sees the RTSP exchange can decrypt its media"
                );
            }
            let keyframe_interval = Duration::from_millis(config.server.keyframe_min_interval_ms);
            let encryption = stream.encryption(&config.server);
            let entry =
                start_stream(stream, encryption, config.server.request_timeout(), keyframe_interval).await;
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    buses.iter().for_each(|b: &Arc<MediaBus>| b.shut_down());
                    return Err(ServeError::Stream { path: stream.path.clone(), reason: e });
                }
            };
            buses.push(entry.bus.clone());
            mounts.insert(stream.path.clone(), entry);
        }
        // Ready means producing: a client that comes at once must not meet a 503 for a source still encoding
        // its first picture. A source that stays silent is logged; PLAY answers it 503 with Retry-After.
        let deadline = Instant::now() + config.server.request_timeout();
        for bus in &buses {
            while bus.position().is_none() && !bus.is_shut_down() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            if bus.position().is_none() {
                tracing::warn!(stream = %bus.path(), "no frame from the source yet; PLAY answers 503 until one comes");
            }
        }
        let digest_key = ServerKey::new(random_seed().to_vec());
        let mut session_config = SessionConfig::new(SERVER_NAME, digest_key);
        // One replay table for the whole server (every connection's session shares it through the clones of
        // this configuration), sized to the connections: a viewer uses one nonce at a time.
        let tracked = config.server.max_connections.saturating_mul(2).clamp(DEFAULT_TRACKED_NONCES, 1 << 16);
        session_config.replay = Arc::new(Mutex::new(NonceCounts::new(tracked)));
        session_config.session_timeout = Duration::from_secs(config.server.session_timeout_secs);
        session_config.request_timeout = config.server.request_timeout();
        session_config.idle_timeout = Duration::from_secs(config.server.idle_timeout_secs);
        session_config.keys = Some(Arc::new(OsKeys));
        // The sessions' clock (`Shared::elapsed`) starts now, at this wall-clock time.
        let started = Instant::now();
        session_config.unix_origin = unix_now();
        let shared = Arc::new(Shared {
            mounts,
            own_listener: config
                .streams
                .iter()
                .filter(|s| s.listener.is_some())
                .map(|s| s.path.clone())
                .collect(),
            session_config,
            started,
            slow_client: Duration::from_secs(config.server.slow_client_secs),
            stats: ServerStats::default(),
            sessions: Arc::default(),
        });

        let admission =
            Arc::new(Admission::new(config.server.max_connections, config.server.max_connections_per_ip));
        let mut tasks = JoinSet::new();
        let mut listeners = Vec::new();
        let mut plan: Vec<(ListenerConfig, Option<OwnListener>)> =
            config.listeners.iter().map(|l| (l.clone(), None)).collect();
        for (bind, path, slot) in own_listeners {
            plan.push((ListenerConfig { bind, tls: true, udp_port: None }, Some((path, slot))));
        }
        for (listener_config, own) in plan {
            let bound = async {
                let tcp = TcpListener::bind(listener_config.bind).await?;
                let udp = match listener_config.udp_port {
                    Some(port) => Some(UdpPorts::bind(listener_config.bind.ip(), port).await?),
                    None => None,
                };
                Ok::<_, std::io::Error>((tcp, udp))
            }
            .await;
            let (tcp, udp) = match bound {
                Ok(b) => b,
                Err(e) => {
                    buses.iter().for_each(|b| b.shut_down());
                    return Err(ServeError::Listen { bind: listener_config.bind, source: e });
                }
            };
            let addr = tcp
                .local_addr()
                .map_err(|source| ServeError::Listen { bind: listener_config.bind, source })?;
            let tls = listener_config.tls.then(|| {
                let resolver = Arc::new(Resolver {
                    fixed: own.as_ref().map(|(_, slot)| slot.clone()),
                    by_name: by_name.clone(),
                    global: global.clone(),
                });
                (accept::tls_config(resolver.clone()), resolver)
            });
            listeners.push(BoundListener {
                addr,
                tls: listener_config.tls,
                stream: own.map(|(path, _)| path),
            });
            let only = listeners.last().and_then(|l: &BoundListener| l.stream.clone());
            let accept = accept::AcceptLoop {
                tcp,
                tls,
                udp,
                only,
                shared: shared.clone(),
                admission: admission.clone(),
            };
            tasks.spawn(accept.run(stop_rx.clone()));
        }
        let side = SideServices {
            shared: &shared,
            listeners: &listeners,
            slots: &slots,
            global: &global,
            stop: &stop_rx,
        };
        let (admin, onvif) = match side.start(&config, &mut tasks).await {
            Ok(started) => started,
            Err(e) => {
                let _ = stop.send(true);
                buses.iter().for_each(|b| b.shut_down());
                return Err(e);
            }
        };
        tasks.spawn(watch_certificates(
            slots.clone(),
            Duration::from_secs(config.server.watch_interval_secs),
            stop_rx.clone(),
        ));
        // Sources stop with the server.
        let mut stop_sources = stop_rx;
        tasks.spawn(async move {
            let _ = stop_sources.changed().await;
            buses.iter().for_each(|b| b.shut_down());
        });
        Ok(Server { shared, listeners, slots, admin, onvif, stop, tasks })
    }

    /// Checks every pair's files now (SIGHUP does this too); `force` reloads even unchanged files.
    pub fn reload_certificates(&self, force: bool) -> Vec<(String, ReloadOutcome)> {
        let now = unix_now();
        self.slots.iter().map(|s| (s.label.clone(), s.reload(now, force))).collect()
    }

    /// The URL of `path` on the first listener of the kind asked for that serves it (`127.0.0.1` for a
    /// wildcard bind); `None` also when the stream's encryption policy refuses that kind.
    pub fn url(&self, path: &str, tls: bool) -> Option<String> {
        stream_url(&self.shared, &self.listeners, path, tls)
    }

    /// Stops accepting, stops the sources and waits for the server's own tasks (open connections end when
    /// their streams end).
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }

    /// Runs until Ctrl-C (or SIGTERM), reloading certificates on SIGHUP.
    pub async fn run_until_signal(self) {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut hup), Ok(mut term)) = (signal(SignalKind::hangup()), signal(SignalKind::terminate()))
            else {
                let _ = tokio::signal::ctrl_c().await;
                return self.shutdown().await;
            };
            loop {
                tokio::select! {
                    _ = hup.recv() => {
                        tracing::info!("SIGHUP: reloading certificates");
                        self.reload_certificates(true);
                    }
                    _ = term.recv() => break,
                    _ = tokio::signal::ctrl_c() => break,
                }
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("stopping");
        self.shutdown().await;
    }
}

/// The URL of `path` on the first listener of the kind asked for that serves it (see [`Server::url`]).
fn stream_url(shared: &Shared, listeners: &[BoundListener], path: &str, tls: bool) -> Option<String> {
    if !shared.mounts.get(path)?.mount.encryption.allows(tls) {
        return None;
    }
    let own = shared.own_listener.iter().any(|p| p == path);
    let l = listeners
        .iter()
        .find(|l| l.tls == tls && if own { l.stream.as_deref() == Some(path) } else { l.stream.is_none() })?;
    Some(format!("{}://{}/{path}", if tls { "rtsps" } else { "rtsp" }, admin::reachable(l.addr)))
}

/// What the optional endpoints (`[admin]`, `[onvif]`) are started with.
struct SideServices<'a> {
    shared: &'a Arc<Shared>,
    listeners: &'a [BoundListener],
    slots: &'a [Arc<Slot>],
    global: &'a Option<Arc<Slot>>,
    stop: &'a watch::Receiver<bool>,
}

impl SideServices<'_> {
    /// Starts the endpoints the configuration asks for; their tasks join the server's.
    async fn start(
        &self,
        config: &ServeConfig,
        tasks: &mut JoinSet<()>,
    ) -> Result<(Option<admin::AdminEndpoint>, Option<onvif::OnvifEndpoints>), ServeError> {
        let admin = match &config.admin {
            Some(admin_config) => {
                let state = admin::AdminState {
                    shared: self.shared.clone(),
                    listeners: self.listeners.to_vec(),
                    slots: self.slots.to_vec(),
                    encryption: config.server.encryption,
                };
                let (endpoint, task) =
                    admin::AdminEndpoint::start(admin_config, self.global.clone(), state, self.stop.clone())
                        .await?;
                tasks.spawn(task);
                Some(endpoint)
            }
            None => None,
        };
        let onvif = match &config.onvif {
            Some(onvif_config) => {
                let (endpoints, handles) = onvif::start(
                    onvif_config,
                    self.global.clone(),
                    self.shared.clone(),
                    self.listeners.to_vec(),
                    self.stop,
                )
                .await?;
                for handle in handles {
                    tasks.spawn(async move {
                        let _ = handle.await;
                    });
                }
                Some(endpoints)
            }
            None => None,
        };
        Ok((admin, onvif))
    }
}

/// Opens a stream's source and starts feeding its bus.
async fn start_stream(
    stream: &config::StreamConfig,
    encryption: rtspeek_core::serve::Encryption,
    timeout: Duration,
    keyframe_interval: Duration,
) -> Result<MountEntry, StreamError> {
    let mut random = [0u8; 10];
    random.copy_from_slice(&random_seed()[..10]);
    let (info, start): (_, Box<dyn FnOnce(Arc<MediaBus>) + Send>) = match &stream.source {
        SourceConfig::Relay { url } => {
            let relay = source::relay::open(url, timeout).await.map_err(SourceError::from)?;
            let info = relay.info().clone();
            (info, Box::new(move |bus| drop(tokio::spawn(relay.run(bus)))))
        }
        paced => {
            let config = paced.clone();
            // Encoders and file parsers are CPU work: open them off the async threads.
            let opened = tokio::task::spawn_blocking(move || source::open_paced(&config))
                .await
                .map_err(|e| StreamError::Opener(e.to_string()))??;
            let info = opened.info().clone();
            let name = format!("rtspeek-src-{}", stream.path);
            (
                info,
                Box::new(move |bus| {
                    let spawned =
                        std::thread::Builder::new().name(name).spawn(move || source::run_paced(opened, bus));
                    if let Err(e) = spawned {
                        tracing::error!("cannot start the source thread: {e}");
                    }
                }),
            )
        }
    };
    let bus = MediaBus::new(stream.path.clone(), info.clone(), PAYLOAD_TYPE, random)?;
    bus.set_keyframe_interval(keyframe_interval);
    start(bus.clone());
    let auth = stream
        .auth
        .as_ref()
        .map(|a| a.policy().map_err(|(place, problem)| StreamError::Auth { place, problem }))
        .transpose()?;
    let mount = Mount {
        path: stream.path.clone(),
        title: stream.title.clone().unwrap_or_else(|| format!("rtspeek {}", stream.path)),
        info,
        payload_type: PAYLOAD_TYPE,
        auth,
        ssrc: Some(bus.ssrc()),
        encryption,
        srtp: stream.srtp_policy(),
    };
    Ok(MountEntry { mount, bus })
}

/// Polls the certificate files for changes.
async fn watch_certificates(slots: Vec<Arc<Slot>>, interval: Duration, mut stop: watch::Receiver<bool>) {
    if interval.is_zero() || slots.is_empty() {
        let _ = stop.changed().await;
        return;
    }
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = unix_now();
                let slots = slots.clone();
                // File reads and the analysis are blocking work.
                let _ = tokio::task::spawn_blocking(move || {
                    for slot in &slots {
                        slot.reload(now, false);
                    }
                })
                .await;
            }
            _ = stop.changed() => return,
        }
    }
}
