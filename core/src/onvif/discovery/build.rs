//! Building the four messages as SOAP 1.2 envelopes. Text and attribute values go through
//! `quick_xml::escape::escape`; values that would change a whitespace-separated list are refused.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use super::{
    ACTION_BYE, ACTION_HELLO, ACTION_PROBE, ACTION_PROBE_MATCHES, AppSequence, BuildError, Bye, Hello,
    MATCH_BY_STRCMP0, MAX_ITEMS, MAX_MATCHES, MAX_MESSAGE_BYTES, MatchBy, Message, NS_ADDRESSING,
    NS_DISCOVERY, NS_ONVIF_DEVICE, NS_ONVIF_NETWORK, NS_SOAP12, Probe, ProbeMatch, ProbeMatches, QName,
    TO_ANONYMOUS, TO_DISCOVERY,
};

impl Message {
    /// The message as a SOAP 1.2 envelope.
    pub fn to_xml(&self) -> Result<String, BuildError> {
        match self {
            Message::Probe(m) => m.to_xml(),
            Message::ProbeMatches(m) => m.to_xml(),
            Message::Hello(m) => m.to_xml(),
            Message::Bye(m) => m.to_xml(),
        }
    }
}

impl Probe {
    /// The Probe as a SOAP 1.2 envelope, addressed to the discovery multicast group.
    pub fn to_xml(&self) -> Result<String, BuildError> {
        let prefixes = Prefixes::new(self.types.iter())?;
        let mut body = String::from("<wsd:Probe>");
        types(&mut body, &prefixes, &self.types)?;
        if !self.scopes.is_empty() {
            body.push_str("<wsd:Scopes");
            match &self.match_by {
                MatchBy::Rfc3986 => {}
                MatchBy::Strcmp0 => push_attr(&mut body, "MatchBy", MATCH_BY_STRCMP0),
                MatchBy::Other(uri) => push_attr(&mut body, "MatchBy", uri),
            }
            body.push('>');
            items(&mut body, "scope", &self.scopes)?;
            body.push_str("</wsd:Scopes>");
        }
        body.push_str("</wsd:Probe>");
        let header =
            Header { message_id: &self.message_id, relates_to: None, to: TO_DISCOVERY, app_sequence: None };
        envelope(ACTION_PROBE, &header, &prefixes, &body)
    }
}

impl ProbeMatches {
    /// The answer as a SOAP 1.2 envelope, sent unicast to the prober.
    pub fn to_xml(&self) -> Result<String, BuildError> {
        if self.matches.len() > MAX_MATCHES {
            return Err(BuildError::TooLarge {
                detail: format!("{} matches, over {MAX_MATCHES}", self.matches.len()),
            });
        }
        let prefixes = Prefixes::new(self.matches.iter().flat_map(|m| m.types.iter()))?;
        let mut body = String::from("<wsd:ProbeMatches>");
        for m in &self.matches {
            body.push_str("<wsd:ProbeMatch>");
            service(&mut body, &prefixes, m)?;
            body.push_str("</wsd:ProbeMatch>");
        }
        body.push_str("</wsd:ProbeMatches>");
        let header = Header {
            message_id: &self.message_id,
            relates_to: Some(&self.relates_to),
            to: TO_ANONYMOUS,
            app_sequence: self.app_sequence,
        };
        envelope(ACTION_PROBE_MATCHES, &header, &prefixes, &body)
    }
}

impl Hello {
    /// The Hello as a SOAP 1.2 envelope, addressed to the discovery multicast group.
    pub fn to_xml(&self) -> Result<String, BuildError> {
        let prefixes = Prefixes::new(self.service.types.iter())?;
        let mut body = String::from("<wsd:Hello>");
        service(&mut body, &prefixes, &self.service)?;
        body.push_str("</wsd:Hello>");
        let header = Header {
            message_id: &self.message_id,
            relates_to: None,
            to: TO_DISCOVERY,
            app_sequence: self.app_sequence,
        };
        envelope(ACTION_HELLO, &header, &prefixes, &body)
    }
}

impl Bye {
    /// The Bye as a SOAP 1.2 envelope, addressed to the discovery multicast group.
    pub fn to_xml(&self) -> Result<String, BuildError> {
        let prefixes = Prefixes::new(std::iter::empty())?;
        let mut body = String::from("<wsd:Bye>");
        endpoint_reference(&mut body, &self.endpoint_reference)?;
        body.push_str("</wsd:Bye>");
        let header = Header {
            message_id: &self.message_id,
            relates_to: None,
            to: TO_DISCOVERY,
            app_sequence: self.app_sequence,
        };
        envelope(ACTION_BYE, &header, &prefixes, &body)
    }
}

struct Header<'a> {
    message_id: &'a str,
    relates_to: Option<&'a str>,
    to: &'a str,
    app_sequence: Option<AppSequence>,
}

fn envelope(
    action: &str,
    header: &Header<'_>,
    prefixes: &Prefixes,
    body: &str,
) -> Result<String, BuildError> {
    token("wsa:MessageID", header.message_id)?;
    let mut out = String::with_capacity(body.len() + 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    out.push_str("<soap:Envelope");
    push_attr(&mut out, "xmlns:soap", NS_SOAP12);
    push_attr(&mut out, "xmlns:wsa", NS_ADDRESSING);
    push_attr(&mut out, "xmlns:wsd", NS_DISCOVERY);
    for (namespace, prefix) in &prefixes.0 {
        push_attr(&mut out, &format!("xmlns:{prefix}"), namespace);
    }
    out.push_str("><soap:Header>");
    element(&mut out, "wsa:MessageID", header.message_id);
    if let Some(relates_to) = header.relates_to {
        token("wsa:RelatesTo", relates_to)?;
        element(&mut out, "wsa:RelatesTo", relates_to);
    }
    element(&mut out, "wsa:To", header.to);
    element(&mut out, "wsa:Action", action);
    if let Some(seq) = header.app_sequence {
        let _ = write!(
            out,
            "<wsd:AppSequence InstanceId=\"{}\" MessageNumber=\"{}\"/>",
            seq.instance_id, seq.message_number
        );
    }
    out.push_str("</soap:Header><soap:Body>");
    out.push_str(body);
    out.push_str("</soap:Body></soap:Envelope>");
    if out.len() > MAX_MESSAGE_BYTES {
        return Err(BuildError::TooLarge {
            detail: format!("{} bytes, over {MAX_MESSAGE_BYTES}", out.len()),
        });
    }
    Ok(out)
}

/// EndpointReference, Types, Scopes, XAddrs, MetadataVersion, in the schema's order.
fn service(out: &mut String, prefixes: &Prefixes, service: &ProbeMatch) -> Result<(), BuildError> {
    endpoint_reference(out, &service.endpoint_reference)?;
    types(out, prefixes, &service.types)?;
    if !service.scopes.is_empty() {
        out.push_str("<wsd:Scopes>");
        items(out, "scope", &service.scopes)?;
        out.push_str("</wsd:Scopes>");
    }
    if !service.xaddrs.is_empty() {
        out.push_str("<wsd:XAddrs>");
        items(out, "XAddr", &service.xaddrs)?;
        out.push_str("</wsd:XAddrs>");
    }
    element(out, "wsd:MetadataVersion", &service.metadata_version.to_string());
    Ok(())
}

fn endpoint_reference(out: &mut String, address: &str) -> Result<(), BuildError> {
    token("endpoint reference", address)?;
    out.push_str("<wsa:EndpointReference>");
    element(out, "wsa:Address", address);
    out.push_str("</wsa:EndpointReference>");
    Ok(())
}

fn types(out: &mut String, prefixes: &Prefixes, types: &[QName]) -> Result<(), BuildError> {
    if types.is_empty() {
        return Ok(());
    }
    if types.len() > MAX_ITEMS {
        return Err(BuildError::TooLarge { detail: format!("{} types, over {MAX_ITEMS}", types.len()) });
    }
    out.push_str("<wsd:Types>");
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(prefixes.prefix(&t.namespace));
        out.push(':');
        out.push_str(&escape(t.local.as_str()));
    }
    out.push_str("</wsd:Types>");
    Ok(())
}

/// A space-separated list of tokens (scopes, transport addresses).
fn items(out: &mut String, what: &'static str, values: &[String]) -> Result<(), BuildError> {
    if values.len() > MAX_ITEMS {
        return Err(BuildError::TooLarge { detail: format!("{} {what}s, over {MAX_ITEMS}", values.len()) });
    }
    for (i, v) in values.iter().enumerate() {
        token(what, v)?;
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&escape(v.as_str()));
    }
    Ok(())
}

fn element(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>{}</{name}>", escape_text(text));
}

fn push_attr(out: &mut String, name: &str, value: &str) {
    // A parser turns a literal CR, LF or tab in an attribute into a space: character references keep them.
    let escaped = escape_text(value).replace('\n', "&#10;").replace('\t', "&#9;");
    let _ = write!(out, " {name}=\"{escaped}\"");
}

/// Markup characters escaped; a CR as a character reference, since a parser turns a literal one into LF.
fn escape_text(text: &str) -> String {
    escape(text).replace('\r', "&#13;")
}

/// A list item or identifier: not empty, no whitespace (which would split it).
fn token(what: &'static str, value: &str) -> Result<(), BuildError> {
    if value.is_empty() {
        return Err(BuildError::Invalid { what, value: value.into(), why: "empty" });
    }
    if value.chars().any(char::is_whitespace) {
        return Err(BuildError::Invalid { what, value: value.into(), why: "contains whitespace" });
    }
    Ok(())
}

/// The prefixes declared for the namespaces of a message's types: `dn` and `tds` for ONVIF's, `t0`, `t1`...
/// for others.
struct Prefixes(Vec<(String, String)>);

impl Prefixes {
    fn new<'a>(types: impl Iterator<Item = &'a QName>) -> Result<Self, BuildError> {
        let mut out: Vec<(String, String)> = Vec::new();
        for t in types {
            if t.namespace.is_empty() {
                return Err(BuildError::Invalid {
                    what: "type namespace",
                    value: t.to_string(),
                    why: "empty",
                });
            }
            // XML reserves these two: no other prefix may be bound to them.
            if matches!(
                t.namespace.as_str(),
                "http://www.w3.org/2000/xmlns/" | "http://www.w3.org/XML/1998/namespace"
            ) {
                return Err(BuildError::Invalid {
                    what: "type namespace",
                    value: t.namespace.clone(),
                    why: "reserved by XML",
                });
            }
            // quick-xml resolves a namespace declaration's raw value: one that needs escaping cannot round-trip.
            if t.namespace.chars().any(|c| c.is_whitespace() || matches!(c, '&' | '<' | '>' | '"' | '\'')) {
                return Err(BuildError::Invalid {
                    what: "type namespace",
                    value: t.namespace.clone(),
                    why: "contains whitespace or a character that needs escaping",
                });
            }
            if !is_ncname(&t.local) {
                return Err(BuildError::Invalid {
                    what: "type local name",
                    value: t.local.clone(),
                    why: "not an XML name",
                });
            }
            if out.iter().any(|(ns, _)| *ns == t.namespace) {
                continue;
            }
            let prefix = match t.namespace.as_str() {
                NS_ONVIF_NETWORK => "dn".to_owned(),
                NS_ONVIF_DEVICE => "tds".to_owned(),
                _ => format!("t{}", out.len()),
            };
            out.push((t.namespace.clone(), prefix));
        }
        Ok(Prefixes(out))
    }

    fn prefix(&self, namespace: &str) -> &str {
        self.0.iter().find(|(ns, _)| ns == namespace).map_or("", |(_, p)| p.as_str())
    }
}

/// An XML NCName (no colon): a letter or `_` first, then letters, digits, `-`, `_`, `.`.
fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
