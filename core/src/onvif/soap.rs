//! SOAP 1.2 envelopes as ONVIF uses them: reading a request or an answer (its header and the one element of its
//! body), writing one, and faults with ONVIF's subcodes (`ter:NotAuthorized`, `ter:ActionNotSupported`...).

use std::fmt::Write as _;

use super::xml::{self, Element, Limits, XmlError};

/// SOAP 1.2.
pub const SOAP_ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
/// ONVIF errors (`ter:` subcodes of faults).
pub const ONVIF_ERROR: &str = "http://www.onvif.org/ver10/error";
/// ONVIF schema types (`tt:`).
pub const ONVIF_SCHEMA: &str = "http://www.onvif.org/ver10/schema";
/// Device service (`tds:`).
pub const DEVICE: &str = "http://www.onvif.org/ver10/device/wsdl";
/// Media service (`trt:`).
pub const MEDIA: &str = "http://www.onvif.org/ver10/media/wsdl";
/// Media2 service (`tr2:`).
pub const MEDIA2: &str = "http://www.onvif.org/ver20/media/wsdl";
/// WS-Security secext.
pub const WSSE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security utility.
pub const WSU: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// A message read: its header (when there is one) and the element of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `env:Header`.
    pub header: Option<Element>,
    /// The first element of `env:Body` (the operation, its answer, or a fault).
    pub body: Element,
}

/// Why a message is not a SOAP 1.2 envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoapError {
    /// Not well-formed, or over the bounds.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The root is not `{SOAP 1.2}Envelope` (SOAP 1.1 included: ONVIF is SOAP 1.2).
    #[error("the root element is {found}, not a SOAP 1.2 Envelope")]
    NotEnvelope {
        /// `{namespace}name` of the root.
        found: String,
    },
    /// No `Body`, or an empty one.
    #[error("the envelope has no element in its Body")]
    NoBody,
}

/// Reads an envelope within the default bounds.
pub fn parse(bytes: &[u8]) -> Result<Envelope, SoapError> {
    let root = xml::parse(bytes, Limits::default())?;
    if !root.is(SOAP_ENV, "Envelope") {
        let found = format!("{{{}}}{}", root.ns.as_deref().unwrap_or(""), root.name);
        return Err(SoapError::NotEnvelope { found });
    }
    let header = root.child(SOAP_ENV, "Header").cloned();
    let body =
        root.child(SOAP_ENV, "Body").and_then(|b| b.children.first()).cloned().ok_or(SoapError::NoBody)?;
    Ok(Envelope { header, body })
}

/// Writes an envelope: `namespaces` are the prefixes the header and body use (`("tds", DEVICE)`).
pub fn envelope(namespaces: &[(&str, &str)], header: &str, body: &str) -> String {
    let mut out = format!(r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP_ENV}""#);
    for (prefix, ns) in namespaces {
        let _ = write!(out, r#" xmlns:{prefix}="{ns}""#);
    }
    out.push('>');
    if !header.is_empty() {
        let _ = write!(out, "<env:Header>{header}</env:Header>");
    }
    let _ = write!(out, "<env:Body>{body}</env:Body></env:Envelope>");
    out
}

/// Who is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// The request (`env:Sender`).
    Sender,
    /// The device (`env:Receiver`).
    Receiver,
}

/// A SOAP fault: code, ONVIF subcodes (local names in the `ter:` namespace), and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Sender or receiver.
    pub code: FaultCode,
    /// `ter:` subcodes, outermost first: `["NotAuthorized"]`, `["ActionNotSupported"]`,
    /// `["InvalidArgVal", "NoProfile"]`.
    pub subcodes: Vec<String>,
    /// The reason.
    pub reason: String,
}

impl Fault {
    /// A fault of the sender with these subcodes.
    pub fn sender(subcodes: &[&str], reason: impl Into<String>) -> Fault {
        Fault {
            code: FaultCode::Sender,
            subcodes: subcodes.iter().map(|s| (*s).to_owned()).collect(),
            reason: reason.into(),
        }
    }

    /// A fault of the receiver with these subcodes.
    pub fn receiver(subcodes: &[&str], reason: impl Into<String>) -> Fault {
        Fault { code: FaultCode::Receiver, ..Fault::sender(subcodes, reason) }
    }

    /// The whole envelope.
    pub fn to_xml(&self) -> String {
        let code = match self.code {
            FaultCode::Sender => "env:Sender",
            FaultCode::Receiver => "env:Receiver",
        };
        let mut subcodes = String::new();
        for sub in &self.subcodes {
            let _ = write!(subcodes, "<env:Subcode><env:Value>ter:{}</env:Value>", xml::escape(sub));
        }
        subcodes.push_str(&"</env:Subcode>".repeat(self.subcodes.len()));
        let body = format!(
            r#"<env:Fault><env:Code><env:Value>{code}</env:Value>{subcodes}</env:Code><env:Reason><env:Text xml:lang="en">{}</env:Text></env:Reason></env:Fault>"#,
            xml::escape(&self.reason)
        );
        envelope(&[("ter", ONVIF_ERROR)], "", &body)
    }

    /// The fault in a body element, when it is one (the local names of the subcode values, their prefixes
    /// dropped: a value is a QName in text, which this reader does not resolve).
    pub fn read(body: &Element) -> Option<Fault> {
        if !body.is(SOAP_ENV, "Fault") {
            return None;
        }
        let local = |value: &str| value.rsplit(':').next().unwrap_or(value).trim().to_owned();
        let code_el = body.child(SOAP_ENV, "Code")?;
        let code = match code_el.text_of("Value").map(local).as_deref() {
            Some("Receiver") => FaultCode::Receiver,
            _ => FaultCode::Sender,
        };
        let mut subcodes = Vec::new();
        let mut at = code_el.child(SOAP_ENV, "Subcode");
        while let Some(sub) = at {
            if subcodes.len() >= 8 {
                break;
            }
            if let Some(value) = sub.text_of("Value") {
                subcodes.push(local(value));
            }
            at = sub.child(SOAP_ENV, "Subcode");
        }
        let reason = body.path(&["Reason", "Text"]).map(|t| t.text.trim().to_owned()).unwrap_or_default();
        Some(Fault { code, subcodes, reason })
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = match self.code {
            FaultCode::Sender => "Sender",
            FaultCode::Receiver => "Receiver",
        };
        write!(f, "SOAP fault {code}")?;
        for sub in &self.subcodes {
            write!(f, "/{sub}")?;
        }
        if !self.reason.is_empty() {
            write!(f, ": {}", self.reason)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_round_trip_and_read_as_cameras_write_them() {
        let fault = Fault::sender(&["InvalidArgVal", "NoProfile"], "no profile \"x<y\"");
        let read = parse(fault.to_xml().as_bytes()).expect("an envelope");
        assert_eq!(Fault::read(&read.body), Some(fault));
        // Another prefix for SOAP, a SOAP 1.2 fault as a camera sends it.
        let camera = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:e="http://www.onvif.org/ver10/error"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>e:NotAuthorized</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">Sender not Authorized</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#;
        let fault = Fault::read(&parse(camera.as_bytes()).expect("envelope").body).expect("a fault");
        assert_eq!(fault.to_string(), "SOAP fault Sender/NotAuthorized: Sender not Authorized");
    }

    #[test]
    fn envelopes_need_soap_1_2_and_a_body() {
        let soap11 = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><a/></s:Body></s:Envelope>"#;
        assert!(matches!(parse(soap11.as_bytes()), Err(SoapError::NotEnvelope { .. })));
        let empty = envelope(&[], "", "");
        assert_eq!(parse(empty.as_bytes()), Err(SoapError::NoBody));
        let op = envelope(&[("tds", DEVICE)], "", "<tds:GetScopes/>");
        assert!(parse(op.as_bytes()).expect("valid").body.is(DEVICE, "GetScopes"));
    }
}
