//! The ONVIF endpoint of `rtspeek serve` (`[onvif]`, docs/onvif.md): the device, media and media2 services
//! over HTTP and, optionally, HTTPS with the global pair; each stream is a media profile, and `GetStreamUri`
//! hands out the URI its encryption policy serves (core's [`service`](rtspeek_core::onvif::service) decides).
//! Requests other than the pre-auth ones need a WS-Security UsernameToken (PasswordDigest) of a configured
//! user. The HTTP is the bridge's: bounded heads and bodies, deadlines, one request per connection.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtspeek_core::onvif::service::{self, DeviceModel, Operation, ProfileModel, Service};
use rtspeek_core::onvif::soap::{self, Fault, FaultCode};
use rtspeek_core::onvif::wsse::{self, AuthFailure, NonceMemory};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::timeout;

use super::certs::{Resolver, Slot};
use super::{BoundListener, SERVER_NAME, ServeError, Shared, unix_now};
use crate::admission::{Admission, Ticket};
use crate::http::{self, HeadError, Request, Response};

/// The largest SOAP request.
const MAX_BODY_BYTES: usize = 64 * 1024;
const MAX_HEAD_BYTES: usize = 8 * 1024;
const MAX_CONNECTIONS: usize = 64;
const MAX_CONNECTIONS_PER_IP: usize = 16;
/// Time for the TLS handshake, for the request, and for writing the answer.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// Nonces remembered against replay.
const NONCES: usize = 4096;

/// `[onvif]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnvifConfig {
    /// Plain HTTP (what most NVRs use); `127.0.0.1:8080` when neither this nor `https_listen` is given.
    pub listen: Option<SocketAddr>,
    /// HTTPS with the global pair, when set.
    pub https_listen: Option<SocketAddr>,
    /// The users (UsernameToken needs each password).
    #[serde(rename = "user", default)]
    pub users: Vec<OnvifUser>,
    /// What Media1 clients, which cannot ask for RTSPS, get when a stream serves both: `rtsps` (the default:
    /// RTSPS is the default wherever it is served) or `rtsp`.
    #[serde(default)]
    pub media1_scheme: Media1Scheme,
    /// Device information shown to clients.
    #[serde(default = "default_model")]
    pub model: String,
    /// Answer WS-Discovery (Hello, Probe, Bye) so that NVRs find the server.
    #[serde(default)]
    pub discovery: bool,
    /// The interface discovery runs on, by name (`eth0`, `lo`) or IPv4 address; by default the one holding the
    /// HTTP address (the first non-loopback interface for a wildcard address).
    pub discovery_interface: Option<String>,
}

/// Where HTTP listens when the section names no address.
const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

fn default_model() -> String {
    "rtspeek serve".into()
}

/// `media1_scheme`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Media1Scheme {
    /// RTSPS where served.
    #[default]
    Rtsps,
    /// Plain RTSP where served.
    Rtsp,
}

/// `[[onvif.user]]`: the password itself, or a file holding it (its first line).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnvifUser {
    /// The user name.
    pub name: String,
    /// The password (PasswordDigest is computed from it, so the device must know it in clear).
    pub password: Option<String>,
    /// A file whose first line is the password (relative to the configuration).
    pub password_file: Option<std::path::PathBuf>,
}

impl OnvifUser {
    /// The password, read from its file when it has one.
    fn password(&self) -> Result<String, String> {
        match (&self.password, &self.password_file) {
            (Some(p), _) => Ok(p.clone()),
            (None, Some(file)) => std::fs::read_to_string(file)
                .map_err(|e| format!("{}: {e}", file.display()))
                .map(|t| t.lines().next().unwrap_or_default().to_owned())
                .and_then(|p| {
                    if p.is_empty() {
                        Err(format!("{}: the first line is empty", file.display()))
                    } else {
                        Ok(p)
                    }
                }),
            (None, None) => Err("no password".into()),
        }
    }
}

impl std::fmt::Debug for OnvifUser {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnvifUser").field("name", &self.name).finish_non_exhaustive()
    }
}

impl OnvifConfig {
    /// Checks what can be checked before anything starts.
    pub(super) fn validate(&self, has_global_pair: bool) -> Result<(), (String, String)> {
        if self.listen.is_none() && self.https_listen.is_none() {
            return Err((
                "onvif".into(),
                "neither listen nor https_listen: nothing to serve ONVIF on".into(),
            ));
        }
        if self.https_listen.is_some() && !has_global_pair {
            return Err(("[onvif] https_listen".into(), "HTTPS uses the global pair: add [tls]".into()));
        }
        if self.users.is_empty() {
            return Err((
                "[[onvif.user]]".into(),
                "no [[onvif.user]]: ONVIF clients authenticate with a user (WS-Security UsernameToken)"
                    .into(),
            ));
        }
        for (i, u) in self.users.iter().enumerate() {
            let place = format!("[[onvif.user]] #{}", i + 1);
            match (&u.password, &u.password_file) {
                _ if u.name.is_empty() => return Err((place, "the name must not be empty".into())),
                (Some(p), None) if !p.is_empty() => {}
                (None, Some(_)) => {}
                _ => return Err((place, "give password (not empty) or password_file, one of them".into())),
            }
        }
        Ok(())
    }
}

/// What every ONVIF connection shares.
#[derive(Debug)]
struct Context {
    config: OnvifConfig,
    /// Each user and its password, read at start.
    users: Vec<(String, rtspeek_core::rtsp::auth::Secret)>,
    shared: Arc<Shared>,
    listeners: Vec<BoundListener>,
    nonces: Mutex<NonceMemory>,
    admission: Admission,
}

/// The running endpoints: where they listen.
#[derive(Debug, Clone)]
pub struct OnvifEndpoints {
    /// The HTTP address.
    pub http: Option<SocketAddr>,
    /// The HTTPS address.
    pub https: Option<SocketAddr>,
    /// The WS-Discovery responder's interface (`name (address)`) and the device service it announces.
    pub discovery: Option<(String, String)>,
}

impl OnvifEndpoints {
    /// The device service URL clients are given (`http://127.0.0.1:8080/onvif/device_service`).
    pub fn device_service(&self) -> Option<String> {
        let (scheme, addr) = match (self.http, self.https) {
            (Some(addr), _) => ("http", addr),
            (None, Some(addr)) => ("https", addr),
            (None, None) => return None,
        };
        Some(format!("{scheme}://{}/onvif/device_service", super::admin::reachable(addr)))
    }
}

/// Binds the endpoints; the returned tasks run them until `stop`.
pub(super) async fn start(
    config: &OnvifConfig,
    global: Option<Arc<Slot>>,
    shared: Arc<Shared>,
    listeners: Vec<BoundListener>,
    stop: &watch::Receiver<bool>,
) -> Result<(OnvifEndpoints, Vec<tokio::task::JoinHandle<()>>), ServeError> {
    let mut users = Vec::new();
    for (i, u) in config.users.iter().enumerate() {
        let password = u
            .password()
            .map_err(|problem| ServeError::Config { place: format!("[[onvif.user]] #{}", i + 1), problem })?;
        users.push((u.name.clone(), rtspeek_core::rtsp::auth::Secret::new(password)));
    }
    let context = Arc::new(Context {
        config: config.clone(),
        users,
        shared,
        listeners,
        nonces: Mutex::new(NonceMemory::new(NONCES)),
        admission: Admission::new(MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP),
    });
    let mut tasks = Vec::new();
    let mut endpoints = OnvifEndpoints { http: None, https: None, discovery: None };
    let http = match (config.listen, config.https_listen) {
        (None, None) => Some(DEFAULT_LISTEN),
        (listen, _) => listen,
    };
    for (bind, tls) in [(http, false), (config.https_listen, true)] {
        let Some(bind) = bind else { continue };
        let listen = |source| ServeError::Listen { bind, source };
        let tcp = TcpListener::bind(bind).await.map_err(listen)?;
        let addr = tcp.local_addr().map_err(listen)?;
        let acceptor = match (tls, &global) {
            (false, _) => None,
            (true, Some(global)) => {
                let resolver = Resolver { fixed: Some(global.clone()), by_name: Vec::new(), global: None };
                Some(tokio_rustls::TlsAcceptor::from(super::accept::tls_config(Arc::new(resolver))))
            }
            (true, None) => {
                return Err(ServeError::Config {
                    place: "[onvif] https_listen".into(),
                    problem: "no [tls]".into(),
                });
            }
        };
        if tls {
            endpoints.https = Some(addr);
        } else {
            endpoints.http = Some(addr);
        }
        tasks.push(tokio::spawn(accept_loop(tcp, acceptor, context.clone(), stop.clone())));
    }
    if config.discovery {
        let (interface, xaddr, task) = announce(config, &endpoints, stop.clone()).await?;
        endpoints.discovery = Some((interface, xaddr));
        tasks.push(task);
    }
    Ok((endpoints, tasks))
}

/// Starts the WS-Discovery responder for the device service, on the configured interface (or the one holding
/// the service's address); it says Bye when the server stops.
async fn announce(
    config: &OnvifConfig,
    endpoints: &OnvifEndpoints,
    mut stop: watch::Receiver<bool>,
) -> Result<(String, String, tokio::task::JoinHandle<()>), ServeError> {
    use crate::onvif::discovery::{InterfaceChoice, Responder, ResponderConfig};
    let problem = |problem: String| ServeError::Config { place: "[onvif] discovery".into(), problem };
    let (scheme, addr) = match (endpoints.http, endpoints.https) {
        (Some(addr), _) => ("http", addr),
        (None, Some(addr)) => ("https", addr),
        (None, None) => return Err(problem("no ONVIF address to announce".into())),
    };
    let choice = match (&config.discovery_interface, addr.ip()) {
        (Some(named), _) => named.parse::<InterfaceChoice>().unwrap_or_else(|never| match never {}),
        (None, IpAddr::V4(ip)) if !ip.is_unspecified() => InterfaceChoice::Addr(ip),
        (None, _) => InterfaceChoice::Default,
    };
    let interface = choice.resolve().map_err(|e| problem(e.to_string()))?;
    // Announced at the interface's own address: a wildcard listener is reached there.
    let host = if addr.ip().is_unspecified() { IpAddr::V4(interface.addr) } else { addr.ip() };
    let xaddr = format!(
        "{scheme}://{}/onvif/device_service",
        super::admin::reachable(SocketAddr::new(host, addr.port()))
    );
    let mut responder_config =
        ResponderConfig::onvif(InterfaceChoice::Addr(interface.addr), vec![xaddr.clone()]);
    responder_config.scopes = vec![
        "onvif://www.onvif.org/type/video_encoder".into(),
        "onvif://www.onvif.org/Profile/Streaming".into(),
        format!("onvif://www.onvif.org/name/{}", config.model.replace(' ', "_")),
    ];
    let responder = Responder::start(responder_config).await.map_err(|e| problem(e.to_string()))?;
    let shown = format!("{} ({})", interface.name, interface.addr);
    let task = tokio::spawn(async move {
        let _ = stop.changed().await;
        responder.shutdown().await;
    });
    Ok((shown, xaddr, task))
}

/// Serves one listener: admission, then TLS when it is the HTTPS one.
async fn accept_loop(
    tcp: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    context: Arc<Context>,
    stop: watch::Receiver<bool>,
) {
    http::accept_loop(tcp, stop, move |stream, peer| {
        let ticket = context.admission.admit(peer.ip()).ok()?;
        let (acceptor, context) = (acceptor.clone(), context.clone());
        Some(async move {
            let _ = stream.set_nodelay(true);
            let local = stream.local_addr().unwrap_or(peer);
            match acceptor {
                None => connection(stream, local, false, &context, ticket).await,
                Some(acceptor) => {
                    if let Ok(Ok(tls)) = timeout(STEP_TIMEOUT, acceptor.accept(stream)).await {
                        connection(tls, local, true, &context, ticket).await;
                    }
                }
            }
        })
    })
    .await;
}

/// One request, one answer.
async fn connection<S>(mut stream: S, local: SocketAddr, tls: bool, context: &Context, _ticket: Ticket)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let response = match timeout(STEP_TIMEOUT, http::read_head(&mut stream, MAX_HEAD_BYTES)).await {
        Ok(Ok(mut request)) => {
            match timeout(STEP_TIMEOUT, handle(&mut request, &mut stream, local, tls, context)).await {
                Ok(response) => response,
                Err(_) => Response::text(408, "the request did not arrive in time"),
            }
        }
        Ok(Err(HeadError::Closed)) => return,
        Ok(Err(HeadError::TooLarge)) => Response::text(431, "request head too large"),
        Ok(Err(HeadError::Malformed)) => Response::text(400, "not an HTTP/1.1 request"),
        Err(_) => Response::text(408, "no complete request in time"),
    };
    http::respond(&mut stream, &response.header("Server", SERVER_NAME), STEP_TIMEOUT).await;
}

async fn handle<S>(
    request: &mut Request,
    stream: &mut S,
    local: SocketAddr,
    tls: bool,
    context: &Context,
) -> Response
where
    S: AsyncRead + Unpin,
{
    let service = match request.path.as_str() {
        "/onvif/device_service" => Service::Device,
        "/onvif/media_service" => Service::Media,
        "/onvif/media2_service" => Service::Media2,
        _ => {
            return Response::text(
                404,
                "no such ONVIF service: /onvif/device_service, media_service, media2_service",
            );
        }
    };
    if request.method != "POST" {
        return Response::text(405, "SOAP requests are POSTed").header("Allow", "POST");
    }
    let body = match http::read_body(stream, request, MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(e) => return e.response(),
    };
    let envelope = match soap::parse(&body) {
        Ok(envelope) => envelope,
        Err(e) => return fault(&Fault::sender(&["WellFormed"], format!("not a SOAP 1.2 request: {e}"))),
    };
    let op = Operation::read(service, &envelope.body);
    let now = unix_now();
    if !op.is_pre_auth() {
        let users = &context.users;
        let password_of =
            |name: &str| users.iter().find(|(n, _)| n == name).map(|(_, p)| p.expose().to_owned());
        let verdict = match wsse::read(envelope.header.as_ref()) {
            Ok(Some(token)) => {
                let mut nonces = context.nonces.lock().unwrap_or_else(|e| e.into_inner());
                wsse::verify(&token, password_of, now, &mut nonces).map(|_| ())
            }
            Ok(None) => Err(AuthFailure::Missing),
            Err(e) => Err(e),
        };
        if let Err(why) = verdict {
            tracing::info!(op = ?op, "ONVIF request refused: {why}");
            return fault(&Fault::sender(&["NotAuthorized"], format!("Sender not authorized: {why}")));
        }
    }
    let model = model(context, local, tls);
    match service::answer(&model, service, &op, now) {
        Ok(body) => Response::new(
            200,
            "application/soap+xml; charset=utf-8",
            soap::envelope(&service::NAMESPACES, "", &body).into_bytes(),
        ),
        Err(f) => fault(&f),
    }
}

/// A fault with the SOAP 1.2 HTTP binding's status: 400 for the sender's, 500 for the receiver's.
fn fault(fault: &Fault) -> Response {
    let status = match fault.code {
        FaultCode::Sender => 400,
        FaultCode::Receiver => 500,
    };
    Response::new(status, "application/soap+xml; charset=utf-8", fault.to_xml().into_bytes())
}

/// The device as this client sees it: service addresses on the address it reached, each stream a profile with
/// the URIs its policy serves.
fn model(context: &Context, local: SocketAddr, tls: bool) -> DeviceModel {
    let base = format!("{}://{}", if tls { "https" } else { "http" }, super::admin::reachable(local));
    let mut paths: Vec<&String> = context.shared.mounts.keys().collect();
    paths.sort();
    let profiles = paths
        .into_iter()
        .map(|path| {
            let entry = &context.shared.mounts[path];
            let info = &entry.mount.info;
            let rtsps_uri = stream_uri(context, path, true, local.ip());
            let rtsp_uri = stream_uri(context, path, false, local.ip());
            let media1 = match context.config.media1_scheme {
                Media1Scheme::Rtsps => rtsps_uri.clone().or_else(|| rtsp_uri.clone()),
                Media1Scheme::Rtsp => rtsp_uri.clone().or_else(|| rtsps_uri.clone()),
            };
            // The picture size is the SPS's (the first parameter set that parses as one).
            let sps = info.parameter_sets.iter().find_map(|set| info.codec.parse_sps(set).ok());
            ProfileModel {
                token: profile_token(path),
                name: path.clone(),
                codec: info.codec,
                width: sps.as_ref().map_or(0, |s| s.width),
                height: sps.as_ref().map_or(0, |s| s.height),
                fps: info.frame_rate.round().clamp(0.0, 1000.0) as u32,
                rtsps_uri,
                rtsp_uri,
                media1,
            }
        })
        .collect();
    DeviceModel {
        manufacturer: "rtspeek".into(),
        model: context.config.model.clone(),
        firmware_version: env!("CARGO_PKG_VERSION").into(),
        serial_number: "rtspeek-serve".into(),
        hardware_id: "rtspeek".into(),
        scopes: vec![
            "onvif://www.onvif.org/type/video_encoder".into(),
            "onvif://www.onvif.org/Profile/Streaming".into(),
            "onvif://www.onvif.org/Profile/T".into(),
            format!("onvif://www.onvif.org/name/{}", context.config.model.replace(' ', "_")),
        ],
        device_xaddr: format!("{base}/onvif/device_service"),
        media_xaddr: format!("{base}/onvif/media_service"),
        media2_xaddr: format!("{base}/onvif/media2_service"),
        profiles,
    }
}

/// The profile token of a stream: its path, with `/` (not allowed in tokens by some clients) as `_`.
pub fn profile_token(path: &str) -> String {
    format!("profile_{}", path.replace('/', "_"))
}

/// The stream's URL with a wildcard listener's address replaced by the address the ONVIF client reached.
fn stream_uri(context: &Context, path: &str, tls: bool, local: IpAddr) -> Option<String> {
    let url = super::stream_url(&context.shared, &context.listeners, path, tls)?;
    let listener =
        context.listeners.iter().find(|l| l.tls == tls && url.contains(&format!(":{}/", l.addr.port())))?;
    if !listener.addr.ip().is_unspecified() {
        return Some(url);
    }
    let host = super::admin::reachable(SocketAddr::new(local, listener.addr.port()));
    Some(format!("{}://{host}/{path}", if tls { "rtsps" } else { "rtsp" }))
}
