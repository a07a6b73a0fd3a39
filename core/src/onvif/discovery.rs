//! WS-Discovery (the 2005/04 draft, as ONVIF uses it): the messages a prober and a target service exchange over
//! UDP multicast, built and parsed without any I/O.
//!
//! - [`parse`] reads one datagram into a [`Message`]: a [`Probe`], [`ProbeMatches`], [`Hello`] or [`Bye`].
//!   Elements are matched by namespace URI and local name with quick-xml's namespace-resolving reader, so
//!   `d:`, `wsd:`, `dis:` or a default namespace all read the same. Unknown elements (vendor extensions) are
//!   skipped. Input is bounded ([`MAX_MESSAGE_BYTES`], [`MAX_DEPTH`], [`MAX_MATCHES`], [`MAX_ITEMS`]) and every
//!   error carries the byte offset where it was found.
//! - `to_xml` on each message builds a SOAP 1.2 envelope; inserted text is XML-escaped, and values that would
//!   change a list's meaning (whitespace inside a scope or address) are refused with a [`BuildError`].
//! - [`Probe::matches`] applies the matching rules a target service uses to answer: every probed type must be
//!   offered (compared by namespace URI and local name), and every probed scope must match an offered one under
//!   its `MatchBy` rule ([`scope_matches`]).

mod build;
#[cfg(test)]
mod tests;
mod xml;

use serde::Serialize;

use xml::Element;

/// The WS-Discovery 2005/04 namespace.
pub const NS_DISCOVERY: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
/// The WS-Addressing 2004/08 namespace WS-Discovery 2005/04 uses.
pub const NS_ADDRESSING: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
/// The SOAP 1.2 envelope namespace (built messages use it).
pub const NS_SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The SOAP 1.1 envelope namespace (accepted when parsing: some older devices still send it).
pub const NS_SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// ONVIF's network namespace, of the `dn:NetworkVideoTransmitter` type.
pub const NS_ONVIF_NETWORK: &str = "http://www.onvif.org/ver10/network/wsdl";
/// ONVIF's device service namespace, of the `tds:Device` type.
pub const NS_ONVIF_DEVICE: &str = "http://www.onvif.org/ver10/device/wsdl";

/// The `wsa:To` of multicast messages (Probe, Hello, Bye).
pub const TO_DISCOVERY: &str = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";
/// The `wsa:To` of a reply (ProbeMatches): WS-Addressing's anonymous role.
pub const TO_ANONYMOUS: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
/// The `wsa:Action` of a Probe.
pub const ACTION_PROBE: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe";
/// The `wsa:Action` of ProbeMatches.
pub const ACTION_PROBE_MATCHES: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches";
/// The `wsa:Action` of a Hello.
pub const ACTION_HELLO: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello";
/// The `wsa:Action` of a Bye.
pub const ACTION_BYE: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye";

/// The default scope matching rule's URI (RFC 2396 in the 2005/04 draft; RFC 3986 names the same rule).
pub const MATCH_BY_RFC2396: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc2396";
/// The RFC 3986 scope matching rule's URI, treated as [`MatchBy::Rfc3986`].
pub const MATCH_BY_RFC3986: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc3986";
/// The exact, case-sensitive string comparison rule's URI.
pub const MATCH_BY_STRCMP0: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0";

/// The largest datagram read or built: a WS-Discovery message fits in one UDP datagram.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// The deepest element nesting read (a real message nests about six deep).
pub const MAX_DEPTH: usize = 32;
/// The most `ProbeMatch` elements read from one ProbeMatches.
pub const MAX_MATCHES: usize = 64;
/// The most types, scopes or transport addresses read from one list.
pub const MAX_ITEMS: usize = 64;

/// A qualified name: a namespace URI and a local name (the prefix that spelled it is not kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct QName {
    /// The namespace URI (empty for no namespace).
    pub namespace: String,
    /// The local name.
    pub local: String,
}

impl QName {
    /// A QName from its namespace URI and local name.
    pub fn new(namespace: impl Into<String>, local: impl Into<String>) -> Self {
        QName { namespace: namespace.into(), local: local.into() }
    }

    /// `dn:NetworkVideoTransmitter`, the type every ONVIF camera (NVT) announces.
    pub fn network_video_transmitter() -> Self {
        QName::new(NS_ONVIF_NETWORK, "NetworkVideoTransmitter")
    }

    /// `tds:Device`, the ONVIF device service type.
    pub fn onvif_device() -> Self {
        QName::new(NS_ONVIF_DEVICE, "Device")
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.local)
        } else {
            write!(f, "{{{}}}{}", self.namespace, self.local)
        }
    }
}

/// A scope matching rule (`MatchBy`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MatchBy {
    /// The default: scheme and authority equal ignoring case, the probe's path a prefix of the scope's path by
    /// whole segments. The 2005/04 draft's `rfc2396` URI names this rule too.
    #[default]
    Rfc3986,
    /// Exact, case-sensitive string equality.
    Strcmp0,
    /// A rule this implementation does not know: it matches nothing.
    Other(String),
}

impl MatchBy {
    fn from_uri(uri: &str) -> Self {
        match uri.trim() {
            "" | MATCH_BY_RFC2396 | MATCH_BY_RFC3986 => MatchBy::Rfc3986,
            MATCH_BY_STRCMP0 => MatchBy::Strcmp0,
            other => MatchBy::Other(other.to_owned()),
        }
    }
}

/// `wsd:AppSequence`: the sender's instance (changes on restart) and its message counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppSequence {
    /// Changes each time the service restarts (often its boot time in seconds).
    pub instance_id: u32,
    /// Increases with each message the instance sends.
    pub message_number: u32,
}

/// A Probe: a prober looking for target services of `types` within `scopes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `wsa:MessageID` (`urn:uuid:...`); answers carry it in `wsa:RelatesTo`.
    pub message_id: String,
    /// Types a target must all offer (none: any target).
    pub types: Vec<QName>,
    /// Scopes a target must all match (none: any target).
    pub scopes: Vec<String>,
    /// How `scopes` are compared.
    pub match_by: MatchBy,
}

/// One target service as ProbeMatches and Hello describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeMatch {
    /// The endpoint reference's address, the service's stable identity (`urn:uuid:...`).
    pub endpoint_reference: String,
    /// The types it offers (`dn:NetworkVideoTransmitter`, `tds:Device`).
    pub types: Vec<QName>,
    /// Its scopes (`onvif://www.onvif.org/name/...`).
    pub scopes: Vec<String>,
    /// Where to reach it (`http://192.0.2.10/onvif/device_service`).
    pub xaddrs: Vec<String>,
    /// Increases when the service's metadata changes.
    pub metadata_version: u32,
}

/// ProbeMatches: a target service's unicast answer to a Probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeMatches {
    /// This message's `wsa:MessageID`.
    pub message_id: String,
    /// The Probe's message id (`wsa:RelatesTo`).
    pub relates_to: String,
    /// The sender's sequence, when it sent one.
    pub app_sequence: Option<AppSequence>,
    /// The matching services (at most [`MAX_MATCHES`]).
    pub matches: Vec<ProbeMatch>,
}

/// Hello: a target service announcing itself on the multicast group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// This message's `wsa:MessageID`.
    pub message_id: String,
    /// The sender's sequence, when it sent one.
    pub app_sequence: Option<AppSequence>,
    /// The service announced.
    pub service: ProbeMatch,
}

/// Bye: a target service leaving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bye {
    /// This message's `wsa:MessageID`.
    pub message_id: String,
    /// The sender's sequence, when it sent one.
    pub app_sequence: Option<AppSequence>,
    /// The endpoint reference address of the service leaving.
    pub endpoint_reference: String,
}

/// A parsed WS-Discovery message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A prober's search.
    Probe(Probe),
    /// A target service's answer.
    ProbeMatches(ProbeMatches),
    /// A target service arriving.
    Hello(Hello),
    /// A target service leaving.
    Bye(Bye),
}

/// Why a datagram is not a WS-Discovery message this implementation reads, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WS-Discovery message, at byte {offset}: {kind}")]
pub struct ParseError {
    /// Byte offset in the input (quick-xml's buffer position) of the element or token at fault.
    pub offset: u64,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    fn new(offset: u64, kind: ParseErrorKind) -> Self {
        ParseError { offset, kind }
    }
}

/// What was wrong with a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// Larger than [`MAX_MESSAGE_BYTES`].
    #[error("{len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// The input's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not UTF-8 (SOAP over UDP is UTF-8).
    #[error("not UTF-8")]
    NotUtf8,
    /// Not well-formed XML, or XML that SOAP forbids (a DOCTYPE).
    #[error("malformed XML: {detail}")]
    Xml {
        /// quick-xml's message or ours.
        detail: String,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("elements nested deeper than {max}")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A prefix with no namespace binding in scope.
    #[error("prefix `{prefix}` is not bound to a namespace")]
    UnknownPrefix {
        /// The prefix.
        prefix: String,
    },
    /// Another element than the one required here.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the message must have here.
        expected: &'static str,
        /// The element's `{namespace}local` name.
        found: String,
    },
    /// A required element is absent or empty.
    #[error("missing {what} in {within}")]
    Missing {
        /// The element missing (`wsa:MessageID`).
        what: &'static str,
        /// Where it should be (`the SOAP header`).
        within: &'static str,
    },
    /// More items than a limit allows.
    #[error("more than {max} {what}")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A value that does not read as its type.
    #[error("invalid {what}: {detail}")]
    Invalid {
        /// The value's element or attribute.
        what: &'static str,
        /// Why.
        detail: String,
    },
}

/// Why a message cannot be built from the values given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A value that cannot stand in its place (empty, whitespace inside a list item, not a name).
    #[error("invalid {what} `{value}`: {why}")]
    Invalid {
        /// Which field.
        what: &'static str,
        /// The value given.
        value: String,
        /// Why it is refused.
        why: &'static str,
    },
    /// The message would exceed [`MAX_MESSAGE_BYTES`] or a list limit.
    #[error("message too large: {detail}")]
    TooLarge {
        /// Which limit.
        detail: String,
    },
}

/// Parses one datagram.
pub fn parse(input: &[u8]) -> Result<Message, ParseError> {
    let root = xml::read_tree(input)?;
    let soap = if root.is(NS_SOAP12, "Envelope") || root.is(NS_SOAP11, "Envelope") {
        root.namespace.clone()
    } else {
        return Err(unexpected(&root, "a SOAP Envelope"));
    };
    let header =
        root.child(&soap, "Header").ok_or_else(|| missing(&root, "the SOAP Header", "the Envelope"))?;
    let body = root.child(&soap, "Body").ok_or_else(|| missing(&root, "the SOAP Body", "the Envelope"))?;
    let message_id = required_text(header, NS_ADDRESSING, "MessageID", "wsa:MessageID", "the SOAP Header")?;
    let app_sequence = header.child(NS_DISCOVERY, "AppSequence").map(app_sequence).transpose()?;
    let Some(content) = body.children.first() else {
        return Err(missing(body, "a WS-Discovery message", "the SOAP Body"));
    };
    const EXPECTED: &str = "a WS-Discovery 2005/04 Probe, ProbeMatches, Hello or Bye";
    if content.namespace != NS_DISCOVERY {
        return Err(unexpected(content, EXPECTED));
    }
    match content.local.as_str() {
        "Probe" => {
            let (scopes, match_by) = match content.child(NS_DISCOVERY, "Scopes") {
                Some(s) => {
                    (list(s, "scopes")?, MatchBy::from_uri(s.attribute("MatchBy").unwrap_or_default()))
                }
                None => (Vec::new(), MatchBy::default()),
            };
            let types = content.child(NS_DISCOVERY, "Types").map(|t| t.qnames.clone()).unwrap_or_default();
            Ok(Message::Probe(Probe { message_id, types, scopes, match_by }))
        }
        "ProbeMatches" => {
            let relates_to =
                required_text(header, NS_ADDRESSING, "RelatesTo", "wsa:RelatesTo", "the SOAP Header")?;
            let mut matches = Vec::new();
            for m in content.children.iter().filter(|c| c.is(NS_DISCOVERY, "ProbeMatch")) {
                if matches.len() >= MAX_MATCHES {
                    return Err(ParseError::new(
                        m.offset,
                        ParseErrorKind::TooMany { what: "ProbeMatch", max: MAX_MATCHES },
                    ));
                }
                matches.push(service(m, "wsd:ProbeMatch")?);
            }
            Ok(Message::ProbeMatches(ProbeMatches { message_id, relates_to, app_sequence, matches }))
        }
        "Hello" => {
            Ok(Message::Hello(Hello { message_id, app_sequence, service: service(content, "wsd:Hello")? }))
        }
        "Bye" => Ok(Message::Bye(Bye {
            message_id,
            app_sequence,
            endpoint_reference: endpoint_reference(content, "wsd:Bye")?,
        })),
        _ => Err(unexpected(content, EXPECTED)),
    }
}

/// The fields of a target service, in a ProbeMatch or a Hello.
fn service(element: &Element, within: &'static str) -> Result<ProbeMatch, ParseError> {
    let endpoint_reference = endpoint_reference(element, within)?;
    let types = element.child(NS_DISCOVERY, "Types").map(|t| t.qnames.clone()).unwrap_or_default();
    let scopes =
        element.child(NS_DISCOVERY, "Scopes").map(|s| list(s, "scopes")).transpose()?.unwrap_or_default();
    let xaddrs =
        element.child(NS_DISCOVERY, "XAddrs").map(|s| list(s, "XAddrs")).transpose()?.unwrap_or_default();
    let version = required_text(element, NS_DISCOVERY, "MetadataVersion", "wsd:MetadataVersion", within)?;
    let metadata_version = version.parse::<u32>().map_err(|_| {
        let offset = element.child(NS_DISCOVERY, "MetadataVersion").map_or(element.offset, |e| e.offset);
        ParseError::new(
            offset,
            ParseErrorKind::Invalid {
                what: "wsd:MetadataVersion",
                detail: format!("`{version}` is not an unsigned integer"),
            },
        )
    })?;
    Ok(ProbeMatch { endpoint_reference, types, scopes, xaddrs, metadata_version })
}

fn endpoint_reference(element: &Element, within: &'static str) -> Result<String, ParseError> {
    let epr = element
        .child(NS_ADDRESSING, "EndpointReference")
        .ok_or_else(|| missing(element, "wsa:EndpointReference", within))?;
    required_text(epr, NS_ADDRESSING, "Address", "wsa:Address", "wsa:EndpointReference")
}

fn app_sequence(element: &Element) -> Result<AppSequence, ParseError> {
    let number = |name: &'static str| -> Result<u32, ParseError> {
        let value = element.attribute(name).ok_or_else(|| missing(element, name, "wsd:AppSequence"))?;
        value.trim().parse::<u32>().map_err(|_| {
            ParseError::new(
                element.offset,
                ParseErrorKind::Invalid {
                    what: name,
                    detail: format!("`{value}` is not an unsigned integer"),
                },
            )
        })
    };
    Ok(AppSequence { instance_id: number("InstanceId")?, message_number: number("MessageNumber")? })
}

/// A whitespace-separated list of URIs, bounded.
fn list(element: &Element, what: &'static str) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    for item in element.text.split_whitespace() {
        if out.len() >= MAX_ITEMS {
            return Err(ParseError::new(element.offset, ParseErrorKind::TooMany { what, max: MAX_ITEMS }));
        }
        out.push(item.to_owned());
    }
    Ok(out)
}

/// The trimmed, non-empty text of the child `{namespace}local`.
fn required_text(
    parent: &Element,
    namespace: &str,
    local: &str,
    what: &'static str,
    within: &'static str,
) -> Result<String, ParseError> {
    let child = parent.child(namespace, local).ok_or_else(|| missing(parent, what, within))?;
    let text = child.text.trim();
    if text.is_empty() {
        return Err(missing(child, what, within));
    }
    Ok(text.to_owned())
}

fn missing(at: &Element, what: &'static str, within: &'static str) -> ParseError {
    ParseError::new(at.offset, ParseErrorKind::Missing { what, within })
}

fn unexpected(found: &Element, expected: &'static str) -> ParseError {
    ParseError::new(found.offset, ParseErrorKind::Unexpected { expected, found: found.expanded_name() })
}

impl Probe {
    /// Whether a target service offering `types` and `scopes` answers this probe: every probed type offered,
    /// every probed scope matching one of `scopes` under [`Probe::match_by`].
    pub fn matches(&self, types: &[QName], scopes: &[String]) -> bool {
        self.types.iter().all(|wanted| types.contains(wanted))
            && self
                .scopes
                .iter()
                .all(|wanted| scopes.iter().any(|offered| scope_matches(&self.match_by, wanted, offered)))
    }
}

/// Whether the probed scope `probe` matches the offered scope `offered` under `rule`.
///
/// [`MatchBy::Rfc3986`]: scheme and authority equal ignoring ASCII case, no query or fragment in the probed
/// scope, and the probed path a prefix of the offered path by whole segments, case-sensitively
/// (`onvif://www.onvif.org/type` matches `onvif://www.onvif.org/type/video_encoder`, not `.../types`).
pub fn scope_matches<'a>(rule: &MatchBy, probe: &'a str, offered: &'a str) -> bool {
    match rule {
        MatchBy::Strcmp0 => probe == offered,
        MatchBy::Other(_) => false,
        MatchBy::Rfc3986 => {
            let (Some(p), Some(o)) = (SplitUri::new(probe), SplitUri::new(offered)) else {
                return false;
            };
            if p.has_query_or_fragment
                || !p.scheme.eq_ignore_ascii_case(o.scheme)
                || !p.authority.eq_ignore_ascii_case(o.authority)
            {
                return false;
            }
            // Empty segments (a trailing `/`) do not count: `onvif://x/a/` probes like `onvif://x/a`.
            let segments = |path: &'a str| path.split('/').filter(|seg| !seg.is_empty()).collect::<Vec<_>>();
            let (ps, os) = (segments(p.path), segments(o.path));
            ps.len() <= os.len() && ps.iter().zip(&os).all(|(a, b)| a == b)
        }
    }
}

/// A URI cut into the parts scope matching compares.
struct SplitUri<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    has_query_or_fragment: bool,
}

impl<'a> SplitUri<'a> {
    fn new(uri: &'a str) -> Option<Self> {
        let (scheme, rest) = uri.split_once(':')?;
        if scheme.is_empty() {
            return None;
        }
        let (before, has_query_or_fragment) = match rest.find(['?', '#']) {
            Some(i) => (rest.get(..i)?, true),
            None => (rest, false),
        };
        let (authority, path) = match before.strip_prefix("//") {
            Some(after) => match after.find('/') {
                Some(i) => (after.get(..i)?, after.get(i..)?),
                None => (after, ""),
            },
            None => ("", before),
        };
        Some(SplitUri { scheme, authority, path, has_query_or_fragment })
    }
}
