//! The target service side: Hello, answers to Probes, Bye.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtspeek_core::onvif::discovery::{
    AppSequence, Bye, Hello, MAX_MESSAGE_BYTES, Message, ProbeMatch, ProbeMatches, QName,
};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use super::{
    APP_MAX_DELAY, DiscoveryError, Interface, InterfaceChoice, group_addr, new_urn_uuid, random_delay, socket,
};

/// How many recent Probe message ids are remembered to answer a repeated Probe once.
const RECENT_PROBES: usize = 64;

/// What a [`Responder`] announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponderConfig {
    /// The interface whose multicast group it joins.
    pub interface: InterfaceChoice,
    /// Its stable identity, `urn:uuid:...` ([`super::new_urn_uuid`] makes one).
    pub endpoint_reference: String,
    /// The types it offers (`dn:NetworkVideoTransmitter`, `tds:Device`).
    pub types: Vec<QName>,
    /// Its scopes (`onvif://www.onvif.org/name/...`).
    pub scopes: Vec<String>,
    /// Where its device service is (`http://10.0.0.1:8080/onvif/device_service`).
    pub xaddrs: Vec<String>,
    /// Its metadata version.
    pub metadata_version: u32,
    /// The most Probes answered in any one second; the rest are dropped (counted in
    /// [`ResponderStats::rate_limited`]).
    pub max_answers_per_second: u32,
}

impl ResponderConfig {
    /// An ONVIF NVT (`dn:NetworkVideoTransmitter`, `tds:Device`) on `interface` at `xaddrs`, with a fresh
    /// endpoint reference, no scopes, and at most 20 answers a second.
    pub fn onvif(interface: InterfaceChoice, xaddrs: Vec<String>) -> Self {
        ResponderConfig {
            interface,
            endpoint_reference: new_urn_uuid(),
            types: vec![QName::network_video_transmitter(), QName::onvif_device()],
            scopes: Vec::new(),
            xaddrs,
            metadata_version: 1,
            max_answers_per_second: 20,
        }
    }
}

/// What a responder did with what it received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponderStats {
    /// Probes received (repeats included).
    pub probes: u64,
    /// ProbeMatches sent.
    pub answered: u64,
    /// Probes whose types or scopes this service does not match.
    pub not_matching: u64,
    /// Repeats of a Probe already answered.
    pub repeats: u64,
    /// Matching Probes dropped over the per-second limit.
    pub rate_limited: u64,
    /// Datagrams that did not parse.
    pub malformed: u64,
}

/// A running responder. [`Responder::shutdown`] sends Bye; dropping it stops it silently.
#[derive(Debug)]
pub struct Responder {
    interface: Interface,
    socket: Arc<UdpSocket>,
    config: ResponderConfig,
    sequence: Arc<Sequence>,
    stats: Arc<Mutex<ResponderStats>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The AppSequence every message carries.
#[derive(Debug)]
struct Sequence {
    instance_id: u32,
    next: AtomicU32,
}

impl Sequence {
    fn next(&self) -> AppSequence {
        AppSequence {
            instance_id: self.instance_id,
            message_number: self.next.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Responder {
    /// Joins the group on the configured interface, sends Hello (then twice more after 50..250 ms, as
    /// SOAP-over-UDP repeats multicast), and answers Probes until shut down.
    pub async fn start(config: ResponderConfig) -> Result<Responder, DiscoveryError> {
        let interface = config.interface.resolve()?;
        let service = service(&config);
        // Refuse a configuration that cannot be put on the wire before any socket is made.
        Hello { message_id: new_urn_uuid(), app_sequence: None, service: service.clone() }.to_xml()?;
        let socket = Arc::new(socket(&interface, true)?);
        let instance_id = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs() as u32);
        let sequence = Arc::new(Sequence { instance_id, next: AtomicU32::new(1) });
        let stats = Arc::new(Mutex::new(ResponderStats::default()));
        let (stop, stopped) = oneshot::channel();
        let hello = Hello {
            message_id: new_urn_uuid(),
            app_sequence: Some(sequence.next()),
            service: service.clone(),
        };
        // The first Hello's failure is the caller's to see (no multicast route on the interface, say); later
        // sends are UDP's best effort.
        let xml = hello.to_xml()?;
        socket
            .send_to(xml.as_bytes(), group_addr())
            .await
            .map_err(|e| DiscoveryError::socket("sending Hello to 239.255.255.250:3702", &interface, e))?;
        let task = tokio::spawn(run(
            Arc::clone(&socket),
            service,
            config.max_answers_per_second,
            Arc::clone(&sequence),
            Arc::clone(&stats),
            hello,
            stopped,
        ));
        Ok(Responder { interface, socket, config, sequence, stats, stop: Some(stop), task: Some(task) })
    }

    /// The interface it runs on.
    pub fn interface(&self) -> &Interface {
        &self.interface
    }

    /// What it has done so far.
    pub fn stats(&self) -> ResponderStats {
        self.stats.lock().map_or_else(|p| *p.into_inner(), |s| *s)
    }

    /// Stops answering (pending answers are dropped), sends Bye twice, and returns the final counts.
    pub async fn shutdown(mut self) -> ResponderStats {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let bye = Message::Bye(Bye {
            message_id: new_urn_uuid(),
            app_sequence: Some(self.sequence.next()),
            endpoint_reference: self.config.endpoint_reference.clone(),
        });
        send(&self.socket, &bye, group_addr()).await;
        tokio::time::sleep(Duration::from_millis(50) + random_delay(Duration::from_millis(100))).await;
        send(&self.socket, &bye, group_addr()).await;
        self.stats()
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn service(config: &ResponderConfig) -> ProbeMatch {
    ProbeMatch {
        endpoint_reference: config.endpoint_reference.clone(),
        types: config.types.clone(),
        scopes: config.scopes.clone(),
        xaddrs: config.xaddrs.clone(),
        metadata_version: config.metadata_version,
    }
}

/// Sends a message, logging (not failing on) a send error: a lost datagram is what UDP promises anyway.
async fn send(socket: &UdpSocket, message: &Message, to: SocketAddr) {
    match message.to_xml() {
        Ok(xml) => {
            if let Err(e) = socket.send_to(xml.as_bytes(), to).await {
                tracing::debug!(%to, error = %e, "WS-Discovery: send failed");
            }
        }
        Err(e) => tracing::debug!(error = %e, "WS-Discovery: message not built"),
    }
}

fn count(stats: &Mutex<ResponderStats>, f: impl FnOnce(&mut ResponderStats)) {
    match stats.lock() {
        Ok(mut s) => f(&mut s),
        Err(p) => f(&mut p.into_inner()),
    }
}

/// The receive loop; delayed sends (Hello repeats, answers) run in a [`JoinSet`] dropped with it.
async fn run(
    socket: Arc<UdpSocket>,
    service: ProbeMatch,
    max_per_second: u32,
    sequence: Arc<Sequence>,
    stats: Arc<Mutex<ResponderStats>>,
    hello: Hello,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut pending = JoinSet::new();
    {
        let socket = Arc::clone(&socket);
        pending.spawn(async move {
            let mut delay = Duration::from_millis(50) + random_delay(Duration::from_millis(200));
            for _ in 0..2 {
                tokio::time::sleep(delay).await;
                send(&socket, &Message::Hello(hello.clone()), group_addr()).await;
                delay = (delay * 2).min(Duration::from_millis(500));
            }
        });
    }
    let mut buf = vec![0u8; MAX_MESSAGE_BYTES];
    let mut recent: VecDeque<String> = VecDeque::with_capacity(RECENT_PROBES);
    let mut window = (Instant::now(), 0u32);
    loop {
        let received = tokio::select! {
            _ = &mut stopped => break,
            Some(_) = pending.join_next(), if !pending.is_empty() => continue,
            r = super::recv_message(&socket, &mut buf) => r,
        };
        let (probe, from) = match received {
            Ok(Some((Message::Probe(p), from))) => (p, from),
            Ok(Some(_)) => continue,
            Ok(None) => {
                count(&stats, |s| s.malformed += 1);
                continue;
            }
            Err(e) => {
                tracing::debug!(error = %e, "WS-Discovery: receive failed");
                // Do not spin on a persistent socket error.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        count(&stats, |s| s.probes += 1);
        if recent.contains(&probe.message_id) {
            count(&stats, |s| s.repeats += 1);
            continue;
        }
        if recent.len() == RECENT_PROBES {
            recent.pop_front();
        }
        recent.push_back(probe.message_id.clone());
        if !probe.matches(&service.types, &service.scopes) {
            count(&stats, |s| s.not_matching += 1);
            continue;
        }
        let now = Instant::now();
        if now.duration_since(window.0) >= Duration::from_secs(1) {
            window = (now, 0);
        }
        if window.1 >= max_per_second {
            count(&stats, |s| s.rate_limited += 1);
            continue;
        }
        window.1 += 1;
        count(&stats, |s| s.answered += 1);
        let answer = Message::ProbeMatches(ProbeMatches {
            message_id: new_urn_uuid(),
            relates_to: probe.message_id,
            app_sequence: Some(sequence.next()),
            matches: vec![service.clone()],
        });
        let socket = Arc::clone(&socket);
        pending.spawn(async move {
            tokio::time::sleep(random_delay(APP_MAX_DELAY)).await;
            send(&socket, &answer, from).await;
        });
    }
}
