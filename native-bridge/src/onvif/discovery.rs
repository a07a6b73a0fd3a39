//! WS-Discovery over UDP multicast (SOAP-over-UDP, group 239.255.255.250, port 3702), IPv4 only.
//!
//! - [`Responder`]: a target service on one interface: Hello on start (repeated), a unicast ProbeMatches to
//!   each matching Probe after a random delay up to [`APP_MAX_DELAY`], at most a bounded number of answers per
//!   second, Bye on [`Responder::shutdown`].
//! - [`discover`]: a prober: sends a Probe (twice, as SOAP-over-UDP repeats multicast), collects the
//!   ProbeMatches that answer it and the Hellos heard during the window, deduplicated by endpoint reference.
//! - [`Prober`] and [`Announcements`]: the two sockets [`discover`] is made of, for callers (and tests) that
//!   need single probes or want to watch Hello and Bye.
//!
//! Every socket sets SO_REUSEADDR and SO_REUSEPORT, so several responders, a prober and other WS-Discovery
//! software on the host share port 3702. Every receive buffer is [`MAX_MESSAGE_BYTES`]; a datagram that does
//! not parse is counted and logged at debug level, never fatal. IPv6 (group ff02::c) is not implemented.

mod responder;

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use rtspeek_core::onvif::discovery::{
    self as wsd, BuildError, Bye, Hello, MAX_MESSAGE_BYTES, MatchBy, Message, Probe, ProbeMatches, QName,
};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::time::Instant;

pub use responder::{Responder, ResponderConfig, ResponderStats};

/// The WS-Discovery IPv4 multicast group.
pub const MULTICAST_GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);
/// The WS-Discovery port.
pub const PORT: u16 = 3702;
/// The longest a target service waits before answering a multicast Probe (SOAP-over-UDP's APP_MAX_DELAY), so
/// that many devices do not answer at once.
pub const APP_MAX_DELAY: Duration = Duration::from_millis(500);
/// The most devices [`discover`] keeps.
pub const MAX_DEVICES: usize = 256;

/// Which IPv4 interface to use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum InterfaceChoice {
    /// The first interface that is up, not loopback, and has an IPv4 address.
    #[default]
    Default,
    /// An interface by name (`eth0`, `veth0`, `lo`).
    Name(String),
    /// The interface holding this IPv4 address.
    Addr(Ipv4Addr),
}

impl std::str::FromStr for InterfaceChoice {
    type Err = std::convert::Infallible;

    /// An IPv4 address, otherwise an interface name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.parse::<Ipv4Addr>() {
            Ok(addr) => InterfaceChoice::Addr(addr),
            Err(_) => InterfaceChoice::Name(s.to_owned()),
        })
    }
}

/// A resolved interface: its name and the IPv4 address multicast is joined and sent on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// The interface name.
    pub name: String,
    /// Its (first) IPv4 address.
    pub addr: Ipv4Addr,
}

impl InterfaceChoice {
    /// Finds the interface among the host's.
    pub fn resolve(&self) -> Result<Interface, DiscoveryError> {
        let all = if_addrs::get_if_addrs().map_err(DiscoveryError::Interfaces)?;
        let v4 = |i: &if_addrs::Interface| match i.ip() {
            IpAddr::V4(a) => Some(a),
            IpAddr::V6(_) => None,
        };
        match self {
            InterfaceChoice::Default => all
                .iter()
                .filter(|i| !i.is_loopback() && i.is_oper_up())
                .find_map(|i| Some(Interface { name: i.name.clone(), addr: v4(i)? }))
                .ok_or(DiscoveryError::NoDefaultInterface),
            InterfaceChoice::Name(name) => {
                let mut named = all.iter().filter(|i| i.name == *name).peekable();
                if named.peek().is_none() && !link_exists(name) {
                    return Err(DiscoveryError::NoSuchInterface(name.clone()));
                }
                named
                    .find_map(|i| Some(Interface { name: i.name.clone(), addr: v4(i)? }))
                    .ok_or_else(|| DiscoveryError::NoIpv4(name.clone()))
            }
            InterfaceChoice::Addr(addr) => all
                .iter()
                .find(|i| v4(i) == Some(*addr))
                .map(|i| Interface { name: i.name.clone(), addr: *addr })
                .ok_or(DiscoveryError::NoSuchAddress(*addr)),
        }
    }
}

/// Whether a network interface of that name exists even without any address (getifaddrs lists only
/// interfaces with addresses): Linux shows every link in /sys/class/net.
fn link_exists(name: &str) -> bool {
    cfg!(target_os = "linux")
        && !name.is_empty()
        && !name.contains('/')
        && name != "."
        && name != ".."
        && std::path::Path::new("/sys/class/net").join(name).exists()
}

/// Why discovery could not run. Datagrams that do not parse are not errors: they are counted and skipped.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// No interface has this name.
    #[error("no network interface named `{0}` (`ip -4 addr` lists them)")]
    NoSuchInterface(String),
    /// The interface exists but has no IPv4 address.
    #[error("interface `{0}` has no IPv4 address (WS-Discovery here is IPv4 only)")]
    NoIpv4(String),
    /// No interface holds this address.
    #[error("no network interface has the address {0}")]
    NoSuchAddress(Ipv4Addr),
    /// No interface qualifies as the default.
    #[error("no interface is up with an IPv4 address other than loopback: choose one with --interface")]
    NoDefaultInterface,
    /// The host's interfaces could not be listed.
    #[error("cannot list the network interfaces: {0}")]
    Interfaces(io::Error),
    /// A socket operation failed.
    #[error("{what} on {interface}: {source}")]
    Socket {
        /// What was being done (`joining 239.255.255.250`).
        what: &'static str,
        /// The interface, `name (address)`.
        interface: String,
        /// The system's error.
        source: io::Error,
    },
    /// A message could not be built from the configuration (a scope with a space, an empty type name).
    #[error("cannot build the WS-Discovery message: {0}")]
    Build(#[from] BuildError),
}

impl DiscoveryError {
    /// Whether the caller's input is at fault (an interface or a value), rather than the machine.
    pub fn is_input(&self) -> bool {
        !matches!(self, DiscoveryError::Interfaces(_) | DiscoveryError::Socket { .. })
    }

    fn socket(what: &'static str, iface: &Interface, source: io::Error) -> Self {
        DiscoveryError::Socket { what, interface: format!("{} ({})", iface.name, iface.addr), source }
    }
}

/// A UDP socket for WS-Discovery on `iface`: with `group`, bound to port 3702 and joined to the multicast group
/// there (receiving Probes, Hellos, Byes); without, bound to the interface's address on an ephemeral port
/// (receiving unicast answers). Both send multicast out of `iface`, TTL 1, and hear the host's own.
pub(crate) fn socket(iface: &Interface, group: bool) -> Result<UdpSocket, DiscoveryError> {
    let err = |what| move |e| DiscoveryError::socket(what, iface, e);
    let s =
        Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).map_err(err("creating a UDP socket"))?;
    s.set_reuse_address(true).map_err(err("setting SO_REUSEADDR"))?;
    s.set_reuse_port(true).map_err(err("setting SO_REUSEPORT"))?;
    let bind =
        if group { SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, PORT) } else { SocketAddrV4::new(iface.addr, 0) };
    s.bind(&SocketAddr::V4(bind).into()).map_err(err("binding the WS-Discovery socket"))?;
    if group {
        // Only the groups joined on this socket's interface, not those any other socket of the host joined.
        #[cfg(target_os = "linux")]
        s.set_multicast_all_v4(false).map_err(err("clearing IP_MULTICAST_ALL"))?;
        s.join_multicast_v4(&MULTICAST_GROUP, &iface.addr).map_err(err("joining 239.255.255.250"))?;
    }
    s.set_multicast_if_v4(&iface.addr).map_err(err("choosing the multicast interface"))?;
    s.set_multicast_ttl_v4(1).map_err(err("setting the multicast TTL"))?;
    s.set_multicast_loop_v4(true).map_err(err("enabling multicast loopback"))?;
    s.set_nonblocking(true).map_err(err("making the socket non-blocking"))?;
    UdpSocket::from_std(s.into()).map_err(err("registering the socket with tokio"))
}

/// The multicast destination.
pub(crate) fn group_addr() -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(MULTICAST_GROUP, PORT))
}

/// A fresh `urn:uuid:` (version 4) from the system's secure generator.
pub fn new_urn_uuid() -> String {
    let mut b = [0u8; 16];
    // ring's generator does not fail on supported platforms; zeros would only make ids collide.
    let _ = rustls::crypto::ring::default_provider().secure_random.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("urn:uuid:{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A uniformly random duration below `max` (whole milliseconds).
pub(crate) fn random_delay(max: Duration) -> Duration {
    let mut b = [0u8; 8];
    let _ = rustls::crypto::ring::default_provider().secure_random.fill(&mut b);
    let ms = max.as_millis().max(1) as u64;
    Duration::from_millis(u64::from_le_bytes(b) % ms)
}

/// Receives one datagram and parses it; `None` for a datagram that does not parse (logged at debug).
async fn recv_message(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<Option<(Message, SocketAddr)>> {
    let (len, from) = socket.recv_from(buf).await?;
    let Some(bytes) = buf.get(..len) else { return Ok(None) };
    match wsd::parse(bytes) {
        Ok(m) => Ok(Some((m, from))),
        Err(e) => {
            tracing::debug!(%from, error = %e, "WS-Discovery: datagram skipped");
            Ok(None)
        }
    }
}

/// A prober's socket: sends Probes to the group and receives the unicast ProbeMatches.
#[derive(Debug)]
pub struct Prober {
    socket: UdpSocket,
    iface: Interface,
    buf: Vec<u8>,
    /// Datagrams received that did not parse.
    pub malformed: u64,
}

impl Prober {
    /// A prober on `iface`.
    pub fn new(iface: &Interface) -> Result<Self, DiscoveryError> {
        Ok(Prober {
            socket: socket(iface, false)?,
            iface: iface.clone(),
            buf: vec![0; MAX_MESSAGE_BYTES],
            malformed: 0,
        })
    }

    /// Sends `probe` once to the multicast group.
    pub async fn send(&self, probe: &Probe) -> Result<(), DiscoveryError> {
        let xml = probe.to_xml()?;
        self.socket
            .send_to(xml.as_bytes(), group_addr())
            .await
            .map_err(|e| DiscoveryError::socket("sending a Probe", &self.iface, e))?;
        Ok(())
    }

    /// The next ProbeMatches received before `deadline` (of any probe: compare `relates_to`).
    pub async fn recv(&mut self, deadline: Instant) -> Option<(ProbeMatches, SocketAddr)> {
        loop {
            let got =
                tokio::time::timeout_at(deadline, recv_message(&self.socket, &mut self.buf)).await.ok()?;
            match got {
                Ok(Some((Message::ProbeMatches(pm), from))) => return Some((pm, from)),
                Ok(Some(_)) => {}
                Ok(None) => self.malformed += 1,
                Err(e) => tracing::debug!(error = %e, "WS-Discovery: receive failed"),
            }
        }
    }
}

/// A Hello or Bye heard on the multicast group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// A target service arrived.
    Hello(Hello, SocketAddr),
    /// A target service left.
    Bye(Bye, SocketAddr),
}

/// The multicast group on an interface, for Hello and Bye.
#[derive(Debug)]
pub struct Announcements {
    socket: UdpSocket,
    buf: Vec<u8>,
    /// Datagrams received that did not parse.
    pub malformed: u64,
}

impl Announcements {
    /// Joins the group on `iface`.
    pub fn listen(iface: &Interface) -> Result<Self, DiscoveryError> {
        Ok(Announcements { socket: socket(iface, true)?, buf: vec![0; MAX_MESSAGE_BYTES], malformed: 0 })
    }

    /// The next Hello or Bye before `deadline`.
    pub async fn next(&mut self, deadline: Instant) -> Option<Announcement> {
        loop {
            let got =
                tokio::time::timeout_at(deadline, recv_message(&self.socket, &mut self.buf)).await.ok()?;
            match got {
                Ok(Some((Message::Hello(h), from))) => return Some(Announcement::Hello(h, from)),
                Ok(Some((Message::Bye(b), from))) => return Some(Announcement::Bye(b, from)),
                Ok(Some(_)) => {}
                Ok(None) => self.malformed += 1,
                Err(e) => tracing::debug!(error = %e, "WS-Discovery: receive failed"),
            }
        }
    }
}

/// What [`discover`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// The interface to probe on.
    pub interface: InterfaceChoice,
    /// How long to collect answers.
    pub timeout: Duration,
    /// The types probed for (a device must offer all); by default `dn:NetworkVideoTransmitter`.
    pub types: Vec<QName>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            interface: InterfaceChoice::Default,
            timeout: Duration::from_secs(3),
            types: vec![QName::network_video_transmitter()],
        }
    }
}

/// How a device made itself known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// It answered our Probe.
    ProbeMatch,
    /// It announced itself (Hello) during the window.
    Hello,
}

/// A device found: its announcement merged over every answer with the same endpoint reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The endpoint reference address (`urn:uuid:...`).
    pub endpoint_reference: String,
    /// Its types, from the latest answer.
    pub types: Vec<QName>,
    /// Its scopes, from the latest answer.
    pub scopes: Vec<String>,
    /// The union of the transport addresses of every answer, in order of arrival.
    pub xaddrs: Vec<String>,
    /// The metadata version of the latest answer.
    pub metadata_version: u32,
    /// The address the first answer came from.
    pub from: SocketAddr,
    /// How it was first heard.
    pub via: Via,
}

/// Probes `options.interface` for `options.timeout` and returns the devices heard, in order of arrival. A
/// device that says Bye during the window is dropped.
pub async fn discover(options: &DiscoverOptions) -> Result<Vec<Discovered>, DiscoveryError> {
    let iface = options.interface.resolve()?;
    let mut prober = Prober::new(&iface)?;
    // Hellos are a bonus: if the group cannot be joined (port 3702 held without SO_REUSEADDR), probe anyway.
    let mut hellos = match Announcements::listen(&iface) {
        Ok(a) => Some(a),
        Err(e) => {
            tracing::debug!(error = %e, "WS-Discovery: not listening for Hello");
            None
        }
    };
    let probe = Probe {
        message_id: new_urn_uuid(),
        types: options.types.clone(),
        scopes: Vec::new(),
        match_by: MatchBy::default(),
    };
    prober.send(&probe).await?;
    let deadline = Instant::now() + options.timeout;
    // SOAP-over-UDP repeats a multicast message after UDP_MIN_DELAY..UDP_MAX_DELAY (50..250 ms).
    let mut repeat_at =
        Some(Instant::now() + Duration::from_millis(50) + random_delay(Duration::from_millis(200)));
    let mut found = Found::default();
    loop {
        let until = repeat_at.map_or(deadline, |r| r.min(deadline));
        let event = tokio::select! {
            m = prober.recv(until) => m.map(|(pm, from)| Event::Matches(pm, from)),
            a = async {
                match hellos.as_mut() {
                    Some(h) => h.next(until).await,
                    None => { tokio::time::sleep_until(until).await; None }
                }
            } => a.map(Event::Announcement),
        };
        match event {
            Some(Event::Matches(pm, from)) if pm.relates_to == probe.message_id => {
                for m in pm.matches {
                    found.merge(m, from, Via::ProbeMatch);
                }
            }
            Some(Event::Matches(..)) => {}
            Some(Event::Announcement(Announcement::Hello(h, from))) => {
                if probe.matches(&h.service.types, &h.service.scopes) {
                    found.merge(h.service, from, Via::Hello);
                }
            }
            Some(Event::Announcement(Announcement::Bye(b, _))) => {
                found.remove(&b.endpoint_reference);
            }
            None => {
                if Instant::now() >= deadline {
                    break;
                }
                if repeat_at.is_some_and(|r| Instant::now() >= r) {
                    repeat_at = None;
                    prober.send(&probe).await?;
                }
            }
        }
    }
    Ok(found.devices)
}

enum Event {
    Matches(ProbeMatches, SocketAddr),
    Announcement(Announcement),
}

/// The devices heard so far, in order of arrival, indexed by endpoint reference.
#[derive(Debug, Default)]
struct Found {
    devices: Vec<Discovered>,
    index: HashMap<String, usize>,
}

impl Found {
    /// Adds a device, or merges an answer into the one with the same endpoint reference: the union of the
    /// XAddrs, the rest from the latest answer. At most [`MAX_DEVICES`] are kept.
    fn merge(&mut self, m: wsd::ProbeMatch, from: SocketAddr, via: Via) {
        if let Some(d) = self.index.get(&m.endpoint_reference).and_then(|&i| self.devices.get_mut(i)) {
            for x in m.xaddrs {
                if !d.xaddrs.contains(&x) {
                    d.xaddrs.push(x);
                }
            }
            d.types = m.types;
            d.scopes = m.scopes;
            d.metadata_version = m.metadata_version;
            return;
        }
        if self.devices.len() >= MAX_DEVICES {
            return;
        }
        self.index.insert(m.endpoint_reference.clone(), self.devices.len());
        self.devices.push(Discovered {
            endpoint_reference: m.endpoint_reference,
            types: m.types,
            scopes: m.scopes,
            xaddrs: m.xaddrs,
            metadata_version: m.metadata_version,
            from,
            via,
        });
    }

    /// Forgets a device that said Bye.
    fn remove(&mut self, endpoint_reference: &str) {
        if self.index.remove(endpoint_reference).is_some() {
            self.devices.retain(|d| d.endpoint_reference != endpoint_reference);
            self.index =
                self.devices.iter().enumerate().map(|(i, d)| (d.endpoint_reference.clone(), i)).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(epr: &str, xaddrs: &[&str], version: u32) -> wsd::ProbeMatch {
        wsd::ProbeMatch {
            endpoint_reference: epr.into(),
            types: vec![QName::network_video_transmitter()],
            scopes: vec![format!("onvif://www.onvif.org/version/{version}")],
            xaddrs: xaddrs.iter().map(|s| (*s).to_owned()).collect(),
            metadata_version: version,
        }
    }

    #[test]
    fn answers_merge_by_endpoint_reference_and_bye_forgets() {
        let a: SocketAddr = "10.0.0.1:3702".parse().unwrap();
        let b: SocketAddr = "10.0.0.2:3702".parse().unwrap();
        let mut found = Found::default();
        found.merge(answer("urn:uuid:1", &["http://10.0.0.1/x"], 1), a, Via::Hello);
        found.merge(answer("urn:uuid:2", &["http://10.0.0.2/x"], 1), b, Via::ProbeMatch);
        found.merge(
            answer("urn:uuid:1", &["http://10.0.0.1/x", "http://[fe80::1]/x"], 2),
            b,
            Via::ProbeMatch,
        );
        assert_eq!(found.devices.len(), 2);
        let first = &found.devices[0];
        assert_eq!(first.xaddrs, vec!["http://10.0.0.1/x", "http://[fe80::1]/x"]);
        assert_eq!((first.metadata_version, first.from, first.via), (2, a, Via::Hello));
        assert_eq!(first.scopes, vec!["onvif://www.onvif.org/version/2"]);
        found.remove("urn:uuid:1");
        found.remove("urn:uuid:unknown");
        assert_eq!(found.devices.len(), 1);
        found.merge(answer("urn:uuid:2", &["http://10.0.0.2/y"], 1), a, Via::ProbeMatch);
        assert_eq!(found.devices[0].xaddrs, vec!["http://10.0.0.2/x", "http://10.0.0.2/y"]);
        for i in 0..MAX_DEVICES + 10 {
            found.merge(answer(&format!("urn:uuid:n{i}"), &[], 1), a, Via::ProbeMatch);
        }
        assert_eq!(found.devices.len(), MAX_DEVICES);
    }

    #[test]
    fn interfaces_resolve_by_name_and_address_with_errors_naming_them() {
        assert_eq!(
            "10.1.2.3".parse::<InterfaceChoice>(),
            Ok(InterfaceChoice::Addr(Ipv4Addr::new(10, 1, 2, 3)))
        );
        assert_eq!("eth0".parse::<InterfaceChoice>(), Ok(InterfaceChoice::Name("eth0".into())));
        let lo = InterfaceChoice::Name("lo".into()).resolve().unwrap();
        assert_eq!(lo.addr, Ipv4Addr::LOCALHOST);
        assert_eq!(InterfaceChoice::Addr(Ipv4Addr::LOCALHOST).resolve().unwrap().name, "lo");
        let e = InterfaceChoice::Name("rtspeek-nope0".into()).resolve().unwrap_err();
        assert!(matches!(e, DiscoveryError::NoSuchInterface(_)) && e.is_input(), "{e}");
        assert!(e.to_string().contains("rtspeek-nope0"), "{e}");
        // TEST-NET-3: documentation only, on no interface here.
        let e = InterfaceChoice::Addr(Ipv4Addr::new(203, 0, 113, 254)).resolve().unwrap_err();
        assert!(e.to_string().contains("203.0.113.254"), "{e}");
    }
}
