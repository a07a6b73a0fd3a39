//! The admin endpoint of `rtspeek serve` (`[admin]`): HTTPS with the server's global pair, serving the same
//! page as the bridge (its Server view) and a small JSON API (docs/admin-api.md): the server's state, and
//! applying or rolling back a certificate pair while the server runs.
//!
//! Who may use it: whoever holds the admin token (`Authorization: Bearer`, compared in constant time), from a
//! request whose `Host` names this endpoint (no DNS rebinding) and whose `Origin`, when a browser sends one,
//! is this endpoint's own page. The HTTP is the bridge's: one bounded head, one bounded body, one response,
//! close; every step has a deadline, connections are admitted up to a bound.
//!
//! - [`status`]: the `GET /api/status` document.
//! - `pairs`: `POST /api/apply` and `POST /api/rollback`.
//! - [`client`]: the client `rtspeek serve ctl` uses.

pub mod client;
mod pairs;
pub mod status;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rtspeek_core::rtsp::auth::Secret;
use rtspeek_core::serve::Encryption;
use serde::Deserialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::timeout;

use super::certs::{Resolver, Slot};
use super::{BoundListener, ServeError, Shared};
use crate::admission::{Admission, Ticket};
use crate::bridge::assets;
use crate::http::security::{Authorities, Scheme, Token};
use crate::http::{self, HeadError, Header, Request, Response};

/// The largest request body: a PEM chain of several certificates and its key fit many times over.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The largest request head.
const MAX_HEAD_BYTES: usize = 8 * 1024;
/// Connections at once, and from one address.
const MAX_CONNECTIONS: usize = 32;
const MAX_CONNECTIONS_PER_IP: usize = 16;
/// Time for the TLS handshake, for the request (head and body), and for writing the response.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// The shortest token a `token_file` may hold.
const MIN_TOKEN_LEN: usize = 32;

/// `[admin]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Where to listen: loopback unless `allow_non_loopback`.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Accept a `listen` address other hosts can reach: whoever reaches it with the token can replace the
    /// server's certificates.
    #[serde(default)]
    pub allow_non_loopback: bool,
    /// The file holding the token (one line, at least 32 characters), made owner-only with a fresh token
    /// when missing; `admin.token` next to the configuration by default. The token is never printed: the
    /// page asks for it (or reads it from its URL's `#admin=` fragment), scripts read the file.
    #[serde(default = "default_token_file")]
    pub token_file: PathBuf,
}

fn default_listen() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9443)
}

fn default_token_file() -> PathBuf {
    PathBuf::from("admin.token")
}

impl AdminConfig {
    /// Checks what can be checked before anything starts.
    pub(super) fn validate(&self, has_global_pair: bool) -> Result<(), (String, String)> {
        if !has_global_pair {
            return Err((
                "admin".into(),
                "the admin endpoint is HTTPS with the global pair: add [tls] (cert, key)".into(),
            ));
        }
        if !self.listen.ip().to_canonical().is_loopback() && !self.allow_non_loopback {
            return Err((
                "admin.listen".into(),
                format!(
                    "{} is not a loopback address: whoever reaches it with the token can replace the server's \
                     certificates; set allow_non_loopback = true only on a network you trust",
                    self.listen
                ),
            ));
        }
        Ok(())
    }
}

/// What the admin endpoint reads and changes.
#[derive(Debug)]
pub struct AdminState {
    /// Streams, sessions, stats.
    pub shared: Arc<Shared>,
    /// The server's listeners.
    pub listeners: Vec<BoundListener>,
    /// Every pair in service.
    pub slots: Vec<Arc<Slot>>,
    /// `[server] encryption`.
    pub encryption: Encryption,
}

/// What every admin connection shares.
#[derive(Debug)]
struct Context {
    state: AdminState,
    token: Token,
    authorities: Authorities,
    admission: Admission,
    /// Applies and rollbacks one at a time: each renames files and swaps a slot.
    changes: tokio::sync::Mutex<()>,
}

/// A running admin endpoint. It stops with the server.
#[derive(Debug, Clone)]
pub struct AdminEndpoint {
    addr: SocketAddr,
    token: Token,
    token_file: PathBuf,
}

impl AdminEndpoint {
    /// Binds `config.listen` and returns the endpoint and its task (the server runs it with its own).
    pub(super) async fn start(
        config: &AdminConfig,
        global: Option<Arc<Slot>>,
        state: AdminState,
        stop: watch::Receiver<bool>,
    ) -> Result<(AdminEndpoint, impl Future<Output = ()> + Send + 'static), ServeError> {
        let problem = |problem: String| ServeError::Config { place: "admin".into(), problem };
        let global =
            global.ok_or_else(|| problem("the admin endpoint needs the global pair [tls]".into()))?;
        let token = load_token(&config.token_file).map_err(problem)?;
        let listen = |source| ServeError::Listen { bind: config.listen, source };
        let tcp = TcpListener::bind(config.listen).await.map_err(listen)?;
        let addr = tcp.local_addr().map_err(listen)?;
        let resolver = Resolver { fixed: Some(global), by_name: Vec::new(), global: None };
        let tls = super::accept::tls_config(Arc::new(resolver));
        let context = Arc::new(Context {
            state,
            token: token.clone(),
            authorities: Authorities::for_bind(addr, Scheme::Https),
            admission: Admission::new(MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP),
            changes: tokio::sync::Mutex::new(()),
        });
        let endpoint = AdminEndpoint { addr, token, token_file: config.token_file.clone() };
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        let task = http::accept_loop(tcp, stop, move |stream, peer| {
            // Over either bound: closed at once, before any TLS work.
            let ticket = context.admission.admit(peer.ip()).ok()?;
            Some(connection(stream, acceptor.clone(), context.clone(), ticket))
        });
        Ok((endpoint, task))
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL: `https://127.0.0.1:PORT/#server` (the page asks for the token; `#server&admin=TOKEN`
    /// carries it in the fragment, which browsers never send).
    pub fn url(&self) -> String {
        format!("https://{}/#server", reachable(self.addr))
    }

    /// The file holding the token.
    pub fn token_file(&self) -> &Path {
        &self.token_file
    }

    /// The token (`Authorization: Bearer TOKEN`).
    pub fn token(&self) -> &str {
        self.token.expose()
    }
}

/// `addr` as a client writes it: `127.0.0.1` or `[::1]` for a wildcard bind, IPv6 in brackets.
pub(crate) fn reachable(addr: SocketAddr) -> String {
    let host = match addr.ip().to_canonical() {
        IpAddr::V4(ip) if ip.is_unspecified() => Ipv4Addr::LOCALHOST.to_string(),
        IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("{host}:{}", addr.port())
}

/// The token of `path`, made when the file does not exist.
fn load_token(path: &Path) -> Result<Token, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let token = text.trim();
            let printable = token.bytes().all(|b| b.is_ascii_graphic());
            if token.len() < MIN_TOKEN_LEN || !printable {
                return Err(format!(
                    "{}: the token must be one line of at least {MIN_TOKEN_LEN} printable characters without \
                     spaces",
                    path.display()
                ));
            }
            Ok(Token::from_secret(Secret::new(token)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let token = Token::generate().ok_or("the system random generator failed: no admin token")?;
            crate::files::write(path, format!("{}\n", token.expose()).as_bytes(), true, false)
                .map_err(|e| format!("{}: cannot write the admin token: {e}", path.display()))?;
            Ok(token)
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// One connection: TLS, one request, one response.
async fn connection(
    tcp: TcpStream,
    acceptor: tokio_rustls::TlsAcceptor,
    context: Arc<Context>,
    _ticket: Ticket,
) {
    let _ = tcp.set_nodelay(true);
    let Ok(Ok(mut stream)) = timeout(STEP_TIMEOUT, acceptor.accept(tcp)).await else { return };
    let response = match timeout(STEP_TIMEOUT, http::read_head(&mut stream, MAX_HEAD_BYTES)).await {
        Ok(Ok(request)) => handle(request, &mut stream, &context).await,
        Ok(Err(HeadError::Closed)) => return,
        Ok(Err(HeadError::TooLarge)) => {
            Response::text(431, &format!("request head larger than {MAX_HEAD_BYTES} bytes"))
        }
        Ok(Err(HeadError::Malformed)) => Response::text(400, "not an HTTP/1.1 request"),
        Err(_) => Response::text(408, "no complete request in time"),
    };
    if response.status() >= 400 {
        tracing::debug!(status = response.status(), "admin: HTTP error response");
    }
    http::respond(&mut stream, &http::security_headers(response, None), STEP_TIMEOUT).await;
}

/// The checks every request passes, then its route.
async fn handle<S>(mut request: Request, stream: &mut S, context: &Context) -> Response
where
    S: tokio::io::AsyncRead + Unpin,
{
    let host = match request.header("host") {
        Header::One(host) if context.authorities.host_allowed(host) => host.to_owned(),
        _ => {
            tracing::info!("admin: refused a request: Host is not this endpoint");
            return Response::text(403, "the Host header must name this admin endpoint with its port");
        }
    };
    if !request.path.starts_with("/api/") {
        return assets::respond(&request);
    }
    match request.header("origin") {
        Header::Missing => {}
        Header::One(origin) if context.authorities.origin_allowed(origin, &host) => {}
        _ => {
            tracing::info!("admin: refused a request: foreign Origin");
            return Response::text(403, "the Origin header must be this admin endpoint's own page");
        }
    }
    let authorized = match request.header("authorization") {
        Header::One(value) => {
            value.strip_prefix("Bearer ").is_some_and(|token| context.token.matches(token.trim()))
        }
        Header::Missing | Header::Ambiguous => false,
    };
    if !authorized {
        tracing::info!("admin: refused a request: missing or wrong token");
        return Response::text(401, "missing or wrong token: send Authorization: Bearer TOKEN")
            .header("WWW-Authenticate", "Bearer realm=\"rtspeek admin\"");
    }
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/status") => json(200, &status::build(&context.state)),
        ("POST", "/api/apply" | "/api/rollback") => {
            let body =
                match timeout(STEP_TIMEOUT, http::read_body(stream, &mut request, MAX_BODY_BYTES)).await {
                    Ok(Ok(body)) => body,
                    Ok(Err(e)) => return e.response(),
                    Err(_) => return Response::text(408, "the body did not arrive in time"),
                };
            let _one_at_a_time = context.changes.lock().await;
            let state = &context.state;
            let (status, document) = if request.path == "/api/apply" {
                pairs::apply(state, &body).await
            } else {
                pairs::rollback(state, &body).await
            };
            json(status, &document)
        }
        (_, "/api/status") => Response::text(405, "GET only").header("Allow", "GET"),
        (_, "/api/apply" | "/api/rollback") => Response::text(405, "POST only").header("Allow", "POST"),
        _ => Response::text(404, "no such API"),
    }
}

/// A JSON response.
fn json(status: u16, document: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(document) {
        Ok(bytes) => Response::new(status, "application/json", bytes),
        Err(e) => Response::text(500, &format!("cannot encode the answer: {e}")),
    }
}
