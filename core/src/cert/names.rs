//! Server identity per RFC 9525: subjectAltName DNS and IP entries only, wildcards only as the whole leftmost
//! label, the Common Name never used for matching.

use core::net::IpAddr;

use x509_parser::prelude::GeneralName;

use super::chain::Cert;
use super::input::InputError;
use crate::diagnose::Finding;
use crate::diagnose::codes::{self as c};

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

/// RFC 9525 name checks on the leaf.
pub(crate) fn check_names(leaf: &Cert<'_>, host: Option<&Host>, out: &mut Vec<Finding>) {
    let san = leaf.x509.subject_alternative_name().ok().flatten();
    let (mut dns, mut ips) = (Vec::new(), Vec::new());
    if let Some(san) = &san {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns.push(d.to_string()),
                GeneralName::IPAddress(b) => ips.push(ip_from_san(b)),
                _ => {}
            }
        }
    }
    let cns: Vec<String> =
        leaf.x509.subject().iter_common_name().filter_map(|cn| cn.as_str().ok()).map(str::to_owned).collect();
    for entry in &dns {
        match classify_dns_entry(entry) {
            DnsEntryKind::InvalidWildcard(why) => out.push(
                Finding::new(
                    c::CERT_WILDCARD_INVALID,
                    format!("subjectAltName DNS:{entry} is ignored by clients: {why}"),
                )
                .with_evidence("san_entry", format!("DNS:{entry}")),
            ),
            DnsEntryKind::IpLiteral => out.push(
                Finding::new(
                    c::CERT_IP_IN_DNS_SAN,
                    format!(
                        "subjectAltName DNS:{entry} is an IP address written as a DNS name; it never matches"
                    ),
                )
                .with_evidence("san_entry", format!("DNS:{entry}")),
            ),
            DnsEntryKind::Exact | DnsEntryKind::Wildcard => {}
        }
    }
    if san.is_none() {
        let cn_text = if cns.is_empty() {
            "and no Common Name".to_owned()
        } else {
            format!("only CN={}", cns.join(", CN="))
        };
        out.push(
            Finding::new(c::CERT_CN_ONLY, format!("{} has no subjectAltName, {cn_text}", leaf.label()))
                .with_evidence("subject", leaf.subject()),
        );
    }
    let listed = || {
        let mut all: Vec<String> = dns.iter().map(|d| format!("DNS:{d}")).collect();
        all.extend(ips.iter().map(|ip| match ip {
            Some(ip) => format!("IP:{ip}"),
            None => "IP:(malformed)".to_owned(),
        }));
        if all.is_empty() { "(none)".to_owned() } else { all.join(", ") }
    };
    match host {
        None => out.push(Finding::new(c::CERT_HOST_NOT_GIVEN, "no host given: name matching not checked")),
        Some(Host::Ip(ip)) => {
            if !ips.iter().any(|e| e.as_ref() == Some(ip)) {
                let mut hints = Vec::new();
                if cns.iter().any(|cn| cn.parse::<core::net::IpAddr>().ok() == Some(*ip)) {
                    hints.push("it is in the Common Name, which no client compares with an IP address");
                }
                if dns.iter().any(|d| d.parse::<core::net::IpAddr>().ok() == Some(*ip)) {
                    hints.push("it is written as a DNS entry, which no client compares with an IP address");
                }
                let hint = if hints.is_empty() { String::new() } else { format!(" ({})", hints.join("; ")) };
                out.push(
                    Finding::new(c::CERT_IP_NOT_IN_SAN, format!("no subjectAltName IP entry for {ip}{hint}"))
                        .with_evidence("host", ip.to_string())
                        .with_evidence("subject_alt_names", listed())
                        .with_evidence("common_name", cns.join(", ")),
                );
            }
        }
        Some(Host::Dns(name)) => {
            // Matched per RFC 9525, exactly as for IP hosts: the Common Name never counts, even when it is
            // the only name (then cert.cn_only says why, and this finding which host fails).
            if !dns.iter().any(|d| dns_matches(d, name)) {
                let hint = if cns.iter().any(|cn| dns_matches(cn, name)) {
                    if dns.is_empty() && ips.is_empty() {
                        " (it is in the Common Name, which OpenSSL and GnuTLS clients still accept without \
                         subjectAltName, and rustls, Go and browsers ignore)"
                    } else if dns.is_empty() {
                        " (it is in the Common Name, which only OpenSSL clients still accept when subjectAltName \
                         has no DNS entry)"
                    } else {
                        " (it is in the Common Name, which no client looks at while subjectAltName has DNS entries)"
                    }
                } else {
                    ""
                };
                out.push(
                    Finding::new(
                        c::CERT_NAME_MISMATCH,
                        format!("{name} is not among the certificate's names{hint}"),
                    )
                    .with_evidence("host", name.clone())
                    .with_evidence("subject_alt_names", listed())
                    .with_evidence("common_name", cns.join(", ")),
                );
            }
        }
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
