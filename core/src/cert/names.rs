//! Server identity per RFC 9525: subjectAltName DNS and IP entries only, wildcards only as the whole leftmost
//! label, the Common Name never used for matching.

use core::net::IpAddr;

use super::input::InputError;

/// The host a client takes from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A DNS name, lowercased, without a trailing dot.
    Dns(String),
    /// An IP literal.
    Ip(IpAddr),
}

impl Host {
    /// Parses a host as written in a URL: `cam.example`, `192.0.2.10`, `[2001:db8::1]` or `2001:db8::1`.
    pub(crate) fn parse(host: &str) -> Result<Host, InputError> {
        let bad = |reason: &str| InputError::InvalidHost { host: host.to_owned(), reason: reason.to_owned() };
        let trimmed = host.trim();
        let unbracketed = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(trimmed);
        if let Ok(ip) = unbracketed.parse::<IpAddr>() {
            return Ok(Host::Ip(ip));
        }
        if unbracketed != trimmed {
            return Err(bad("brackets are only for IPv6 literals"));
        }
        let name = trimmed.strip_suffix('.').unwrap_or(trimmed).to_ascii_lowercase();
        if name.is_empty() || name.len() > 253 {
            return Err(bad("a DNS name has 1 to 253 characters"));
        }
        if name.contains(':') {
            return Err(bad("give the host without port or scheme (e.g. cam.example or 192.0.2.10)"));
        }
        for label in name.split('.') {
            if label.is_empty() || label.len() > 63 {
                return Err(bad("empty or over-long label"));
            }
            if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(bad("a DNS name has only letters, digits, '-' and '.'"));
            }
        }
        Ok(Host::Dns(name))
    }
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Host::Dns(name) => f.write_str(name),
            Host::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// How a DNS subjectAltName entry can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DnsEntryKind {
    /// A plain name.
    Exact,
    /// `*.rest`: matches exactly one label in front of `rest`.
    Wildcard,
    /// A wildcard that RFC 9525 clients ignore.
    InvalidWildcard(&'static str),
    /// An IP address written as a DNS name; never matches.
    IpLiteral,
}

/// Classifies a DNS subjectAltName entry.
pub(crate) fn classify_dns_entry(entry: &str) -> DnsEntryKind {
    if entry.parse::<IpAddr>().is_ok() {
        return DnsEntryKind::IpLiteral;
    }
    if !entry.contains('*') {
        return DnsEntryKind::Exact;
    }
    let Some(rest) = entry.strip_prefix("*.") else {
        return DnsEntryKind::InvalidWildcard("the wildcard is not the whole leftmost label");
    };
    if rest.contains('*') {
        return DnsEntryKind::InvalidWildcard("more than one wildcard");
    }
    if rest.split('.').filter(|l| !l.is_empty()).count() < 2 {
        return DnsEntryKind::InvalidWildcard("a wildcard directly under a top-level domain");
    }
    DnsEntryKind::Wildcard
}

/// Whether DNS entry `entry` matches `host` (already lowercased).
pub(crate) fn dns_matches(entry: &str, host: &str) -> bool {
    let entry = entry.strip_suffix('.').unwrap_or(entry).to_ascii_lowercase();
    match classify_dns_entry(&entry) {
        DnsEntryKind::Exact => entry == host,
        DnsEntryKind::Wildcard => match host.split_once('.') {
            Some((first, rest)) => !first.is_empty() && rest == &entry[2..],
            None => false,
        },
        DnsEntryKind::InvalidWildcard(_) | DnsEntryKind::IpLiteral => false,
    }
}

/// Reads an iPAddress entry (4 or 16 bytes).
pub(crate) fn ip_from_san(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn hosts_parse_like_url_hosts() {
        assert_eq!(Host::parse("Cam.Example.").unwrap(), Host::Dns("cam.example".into()));
        assert!(matches!(Host::parse("[2001:db8::1]").unwrap(), Host::Ip(IpAddr::V6(_))));
        assert!(matches!(Host::parse("2001:db8::1").unwrap(), Host::Ip(IpAddr::V6(_))));
        assert!(matches!(Host::parse("192.0.2.10").unwrap(), Host::Ip(IpAddr::V4(_))));
        assert!(Host::parse("cam.example:322").is_err());
        assert!(Host::parse("[cam.example]").is_err());
        assert!(Host::parse("bad host").is_err());
    }

    #[test]
    fn wildcards_follow_rfc_9525() {
        assert!(dns_matches("*.example.com", "cam.example.com"));
        assert!(!dns_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(!dns_matches("f*.example.com", "foo.example.com"));
        assert!(!dns_matches("*.com", "example.com"));
        assert!(dns_matches("CAM.example.com.", "cam.example.com"));
        assert_eq!(classify_dns_entry("192.0.2.1"), DnsEntryKind::IpLiteral);
        assert!(matches!(classify_dns_entry("a.*.example.com"), DnsEntryKind::InvalidWildcard(_)));
    }
}
