//! Accepting connections: admission, then (for RTSPS) the TLS handshake with the pair chosen for the
//! client's SNI, recorded in the session book, then the connection's RTSP session (`conn`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::LazyConfigAcceptor;

use super::certs::Resolver;
use super::sessions::LiveSession;
use super::udp::UdpPorts;
use super::{Shared, conn, unix_now};
use crate::admission::{self, Admission, RefusalLog};

pub(super) fn tls_config(resolver: Arc<Resolver>) -> Arc<rustls::ServerConfig> {
    let mut provider = rustls::crypto::ring::default_provider();
    prefer_aes_128_gcm(&mut provider.cipher_suites);
    // The builder only fails on an empty protocol list; the default versions are never empty.
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map(|b| b.with_no_client_auth().with_cert_resolver(resolver))
        .unwrap_or_else(|_| unreachable!("default TLS versions are supported by the ring provider"));
    // The server's order wins (`prefer_aes_128_gcm`): rustls clients, like most, list AES-256-GCM first, and
    // every byte a server sends goes through the cipher, for every viewer.
    config.ignore_client_order = true;
    Arc::new(config)
}

/// Puts the AES-128-GCM suites (TLS 1.3 and TLS 1.2) first, keeping the rest in the provider's order.
///
/// Why: AES-128-GCM runs 10 AES rounds per block where AES-256 runs 14 (the gain per byte depends on the
/// hardware: 4 % with VAES on the issue 18 bench machine, more on plain AES-NI), and it is an AEAD that
/// practically every TLS 1.2/1.3 client offers. Clients that do not offer it get the next suite they do.
fn prefer_aes_128_gcm(suites: &mut [rustls::SupportedCipherSuite]) {
    use rustls::CipherSuite as S;
    let first = |s: &rustls::SupportedCipherSuite| {
        !matches!(
            s.suite(),
            S::TLS13_AES_128_GCM_SHA256
                | S::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                | S::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        )
    };
    // Stable: TLS 1.3 suites stay ahead of TLS 1.2 ones, as in the provider's list.
    suites.sort_by_key(first);
}

/// A certificate choice already made: the pair a connection's SNI picked, taken once before the handshake
/// goes on, so that what the session book records is exactly what the client got, even across a swap.
#[derive(Debug)]
struct Chosen(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for Chosen {
    fn resolve(&self, _: rustls::server::ClientHello<'_>) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// A TLS listener's configuration (its session cache shared by every connection), and its certificate
/// choice.
pub(super) type ListenerTls = (Arc<rustls::ServerConfig>, Arc<Resolver>);

pub(super) struct AcceptLoop {
    pub(super) tcp: TcpListener,
    pub(super) tls: Option<ListenerTls>,
    pub(super) udp: Option<Arc<UdpPorts>>,
    /// The stream of a stream's own listener.
    pub(super) only: Option<String>,
    pub(super) shared: Arc<Shared>,
    pub(super) admission: Arc<Admission>,
}

impl AcceptLoop {
    pub(super) async fn run(self, mut stop: watch::Receiver<bool>) {
        let local = self.tcp.local_addr().ok();
        let mut refusals = RefusalLog::new();
        loop {
            let (tcp, peer) = tokio::select! {
                accepted = self.tcp.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of descriptors and the like: do not spin.
                        tracing::warn!("accept: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                _ = stop.changed() => return,
            };
            // Refused connections are closed at once, before any TLS or RTSP work.
            let ticket = match self.admission.admit(peer.ip()) {
                Ok(ticket) => ticket,
                Err(why) => {
                    let counter = match why {
                        admission::Refusal::Full => &self.shared.stats.refused_full,
                        admission::Refusal::PerIp => &self.shared.stats.refused_per_ip,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                    refusals.refused(peer, why);
                    continue;
                }
            };
            self.shared.stats.accepted.fetch_add(1, Ordering::Relaxed);
            let _ = tcp.set_nodelay(true);
            let local = tcp.local_addr().ok().or(local).unwrap_or(peer);
            let (tls, udp, shared) = (self.tls.clone(), self.udp.clone(), self.shared.clone());
            let scope = conn::Scope { peer, local, udp, only: self.only.clone() };
            tokio::spawn(async move {
                let _ticket = ticket;
                serve_accepted(tcp, scope, tls, shared).await;
            });
        }
    }
}

async fn serve_accepted(tcp: TcpStream, scope: conn::Scope, tls: Option<ListenerTls>, shared: Arc<Shared>) {
    let peer = scope.peer;
    let session = |tls: bool, sni: Option<String>, certificate: Option<(String, String)>| LiveSession {
        id: 0,
        peer,
        local: scope.local,
        tls,
        sni,
        certificate,
        playing: None,
        since: unix_now(),
    };
    let Some((base, resolver)) = tls else {
        let entry = shared.sessions.open(session(false, None, None));
        return conn::serve(tcp, scope, false, shared, entry).await;
    };
    let handshake_timeout = shared.session_config.request_timeout;
    let handshake = async {
        let start = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp).await?;
        let sni = start.client_hello().server_name().map(str::to_owned);
        // The pair is chosen here, once: the handshake is answered with it and the book records it.
        let chosen = resolver.choose(sni.as_deref()).map(|slot| (slot.id.to_string(), slot.in_service()));
        let config = match &chosen {
            Some((_, in_service)) => {
                let mut config = (*base).clone();
                config.cert_resolver = Arc::new(Chosen(in_service.pair.key.clone()));
                Arc::new(config)
            }
            // No pair for this client: the listener's resolver refuses the handshake.
            None => base,
        };
        let tls = start.into_stream(config).await?;
        let certificate = chosen.map(|(id, in_service)| (id, in_service.pair.fingerprint));
        Ok::<_, std::io::Error>((tls, sni, certificate))
    };
    match tokio::time::timeout(handshake_timeout, handshake).await {
        Ok(Ok((tls, sni, certificate))) => {
            tracing::debug!(%peer, sni = sni.as_deref().unwrap_or("-"), "TLS established");
            let entry = shared.sessions.open(session(true, sni, certificate));
            conn::serve(tls, scope, true, shared, entry).await;
        }
        Ok(Err(e)) => {
            shared.stats.tls_failed.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(%peer, "TLS handshake failed: {e}");
        }
        Err(_) => {
            shared.stats.tls_failed.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(%peer, "TLS handshake not completed in {handshake_timeout:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use rustls::CipherSuite as S;

    #[test]
    fn aes_128_gcm_first_rest_in_provider_order() {
        let provider = rustls::crypto::ring::default_provider();
        let mut suites = provider.cipher_suites.clone();
        super::prefer_aes_128_gcm(&mut suites);
        let names: Vec<S> = suites.iter().map(|s| s.suite()).collect();
        assert_eq!(names.first(), Some(&S::TLS13_AES_128_GCM_SHA256), "{names:?}");
        assert_eq!(names.len(), provider.cipher_suites.len());
        let rest: Vec<S> =
            provider.cipher_suites.iter().map(|s| s.suite()).filter(|s| !names[..3].contains(s)).collect();
        assert_eq!(&names[3..], &rest[..], "the other suites keep their order");
        // TLS 1.2 stays available.
        assert!(names[..3].contains(&S::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), "{names:?}");
        assert!(names.contains(&S::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384), "{names:?}");
    }
}
