//! Who may use the bridge or the server's admin endpoint: the session token, and the `Host` and `Origin`
//! checks (docs/bridge-protocol.md, "Security"; docs/admin-api.md).
//!
//! Together they keep a page of another origin from using either to reach the LAN or the server: a foreign
//! page cannot read the token (it lives in the page's URL fragment), cannot forge the `Origin` its browser
//! sends, and cannot make its own name point at 127.0.0.1 (DNS rebinding) without its name showing in `Host`.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use rtspeek_core::rtsp::auth::Secret;

/// The session token: 32 random bytes in hex. `Debug` does not show it.
#[derive(Debug, Clone)]
pub(crate) struct Token(Secret);

impl Token {
    /// A token given by the operator (the admin endpoint's `token_file`).
    pub(crate) fn from_secret(secret: Secret) -> Token {
        Token(secret)
    }

    /// A fresh token from the system's random generator; `None` if it failed.
    pub(crate) fn generate() -> Option<Token> {
        let mut bytes = [0u8; 32];
        rustls::crypto::ring::default_provider().secure_random.fill(&mut bytes).ok()?;
        Some(Token(Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())))
    }

    /// The token, for the URL printed at start.
    pub(crate) fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Whether `candidate` is the token, compared in constant time (a length difference, which says nothing
    /// about the token's digits, returns early).
    pub(crate) fn matches(&self, candidate: &str) -> bool {
        self.0.ct_eq(candidate)
    }
}

/// The scheme of the pages served: origins are compared with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// The bridge (plain HTTP on loopback).
    Http,
    /// The server's admin endpoint (HTTPS with the server's global pair).
    Https,
}

/// Which `Host` and `Origin` values name this bridge.
#[derive(Debug, Clone)]
pub(crate) struct Authorities {
    scheme: Scheme,
    port: u16,
    /// The bind address is loopback: only loopback names and addresses.
    loopback_only: bool,
    /// The non-loopback address the bridge is bound to (`--allow-non-loopback`), `None` for a wildcard bind.
    bound: Option<IpAddr>,
}

/// One `host[:port]`, normalised: lowercase name, or an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostName {
    Name(String),
    Ip(IpAddr),
}

impl Authorities {
    /// The names of a bridge (or admin endpoint) bound to `addr`, serving its page over `scheme`.
    pub(crate) fn for_bind(addr: SocketAddr, scheme: Scheme) -> Authorities {
        let ip = canonical(addr.ip());
        Authorities {
            scheme,
            port: addr.port(),
            loopback_only: ip.is_loopback(),
            bound: (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip),
        }
    }

    /// Whether a `Host` header value names this bridge: `localhost`, `127.0.0.1` or `[::1]` with the bridge's
    /// port (or, bound elsewhere with `--allow-non-loopback`, the bound address, or any IP address for a
    /// wildcard bind: an address cannot be rebound, only a name can).
    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        let Some((name, port)) = split_authority(host) else { return false };
        let default_port = match self.scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        };
        let port_ok = match port {
            Some(port) => port == self.port,
            None => self.port == default_port,
        };
        port_ok && self.name_allowed(&name)
    }

    /// Whether an `Origin` header value is this bridge's own page: its scheme (`http://` for the bridge,
    /// `https://` for the admin endpoint) and an allowed authority. When reachable from other hosts, the
    /// origin must also be the very authority the request was sent to (`host`), so that a page on another
    /// machine of the LAN cannot use it.
    pub(crate) fn origin_allowed(&self, origin: &str, host: &str) -> bool {
        let prefix = match self.scheme {
            Scheme::Http => "http://",
            Scheme::Https => "https://",
        };
        let Some(authority) = origin.strip_prefix(prefix) else { return false };
        if authority.contains(['/', '@', '?', '#']) || !self.host_allowed(authority) {
            return false;
        }
        self.loopback_only || split_authority(authority) == split_authority(host)
    }

    fn name_allowed(&self, name: &HostName) -> bool {
        match name {
            HostName::Name(name) => name == "localhost",
            HostName::Ip(ip) => {
                let ip = canonical(*ip);
                ip == IpAddr::from([127, 0, 0, 1])
                    || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
                    || (!self.loopback_only
                        && !ip.is_unspecified()
                        && self.bound.is_none_or(|bound| bound == ip))
            }
        }
    }
}

/// `::ffff:127.0.0.1` is `127.0.0.1`.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// `host[:port]` (`[v6][:port]`), the host normalised. `None` when it is not a valid authority.
fn split_authority(text: &str) -> Option<(HostName, Option<u16>)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = inside.parse().ok()?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (HostName::Ip(IpAddr::V6(ip)), port)
    } else {
        let (host, port) = match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        };
        if host.is_empty() {
            return None;
        }
        let name = match host.parse::<std::net::Ipv4Addr>() {
            Ok(ip) => HostName::Ip(IpAddr::V4(ip)),
            Err(_) => {
                let valid = host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
                if !valid {
                    return None;
                }
                HostName::Name(host.to_ascii_lowercase())
            }
        };
        (name, port)
    };
    let port = match port {
        None => None,
        // Digits only: `u16::from_str` would also take `+80`.
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse().ok()?)
        }
        Some(_) => return None,
    };
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback() -> Authorities {
        Authorities::for_bind("127.0.0.1:8090".parse().expect("addr"), Scheme::Http)
    }

    #[test]
    fn tokens_are_64_hex_digits_and_compare_exactly() {
        let token = Token::generate().expect("random");
        assert_eq!(token.expose().len(), 64);
        assert!(token.expose().bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(token.matches(token.expose()));
        assert!(!token.matches(&token.expose()[..63]));
        assert!(!token.matches(""));
        assert!(!format!("{token:?}").contains(token.expose()));
        assert_ne!(Token::generate().expect("random").expose(), token.expose());
    }

    #[test]
    fn loopback_hosts_with_the_port_only() {
        let a = loopback();
        for ok in
            ["127.0.0.1:8090", "localhost:8090", "LOCALHOST:8090", "[::1]:8090", "[0:0:0:0:0:0:0:1]:8090"]
        {
            assert!(a.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:8090",
            "127.0.0.1:8091",
            "127.0.0.1",
            "localhost",
            "127.0.0.2:8090",
            "192.168.1.10:8090",
            "localhost.:8090",
            "localhost:+8090",
            "localhost:8090:1",
            "[::1]8090",
            "",
            ":8090",
            "user@localhost:8090",
        ] {
            assert!(!a.host_allowed(bad), "{bad}");
        }
        let on_80 = Authorities::for_bind("127.0.0.1:80".parse().expect("addr"), Scheme::Http);
        assert!(on_80.host_allowed("localhost") && on_80.host_allowed("127.0.0.1:80"));
    }

    #[test]
    fn origins_are_the_bridge_page_itself() {
        let a = loopback();
        let host = "127.0.0.1:8090";
        for ok in ["http://127.0.0.1:8090", "http://localhost:8090", "http://[::1]:8090"] {
            assert!(a.origin_allowed(ok, host), "{ok}");
        }
        for bad in [
            "null",
            "",
            "https://127.0.0.1:8090",
            "http://127.0.0.1:8091",
            "http://evil.example:8090",
            "http://127.0.0.1:8090/",
            "http://user@127.0.0.1:8090",
            "file://",
        ] {
            assert!(!a.origin_allowed(bad, host), "{bad}");
        }
    }

    #[test]
    fn non_loopback_binds_take_addresses_but_never_names() {
        let any = Authorities::for_bind("0.0.0.0:8090".parse().expect("addr"), Scheme::Http);
        assert!(any.host_allowed("192.168.1.10:8090"));
        assert!(any.host_allowed("localhost:8090"));
        assert!(!any.host_allowed("camera-portal.example:8090"));
        assert!(!any.host_allowed("0.0.0.0:8090"));
        // Another machine's page is another origin.
        assert!(any.origin_allowed("http://192.168.1.10:8090", "192.168.1.10:8090"));
        assert!(!any.origin_allowed("http://192.168.1.66:8090", "192.168.1.10:8090"));
        let one = Authorities::for_bind("192.168.1.10:8090".parse().expect("addr"), Scheme::Http);
        assert!(one.host_allowed("192.168.1.10:8090"));
        assert!(!one.host_allowed("192.168.1.11:8090"));
    }

    #[test]
    fn https_pages_have_https_origins_and_443_as_default_port() {
        let a = Authorities::for_bind("127.0.0.1:8443".parse().expect("addr"), Scheme::Https);
        assert!(a.origin_allowed("https://127.0.0.1:8443", "127.0.0.1:8443"));
        assert!(!a.origin_allowed("http://127.0.0.1:8443", "127.0.0.1:8443"));
        let on_443 = Authorities::for_bind("127.0.0.1:443".parse().expect("addr"), Scheme::Https);
        assert!(on_443.host_allowed("localhost") && !on_443.host_allowed("localhost:80"));
    }
}
