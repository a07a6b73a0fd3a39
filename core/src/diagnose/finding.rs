//! Layers, severities and findings.

use serde::{Deserialize, Serialize};

use super::codes::CodeInfo;

/// One link of the chain a stream goes through, in the order a client walks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// ONVIF: the device service that names the stream (device information, profiles, GetStreamUri), before
    /// any connection to the stream itself. In scope only when the stream was found through ONVIF.
    Onvif,
    /// TCP connection to the server.
    Tcp,
    /// TLS handshake (versions, ciphers, alerts, client certificates).
    Tls,
    /// The server certificate: trust, chain, names, dates, strength, purpose, key pair.
    Certificate,
    /// RTSP requests and responses (OPTIONS, DESCRIBE, SETUP, PLAY).
    Rtsp,
    /// RTSP authentication (Basic, Digest).
    Auth,
    /// The session description.
    Sdp,
    /// Media transport negotiation (TCP interleaved, UDP).
    Transport,
    /// RTP media packets.
    Rtp,
    /// RTCP reports.
    Rtcp,
    /// Codec configuration (SPS/PPS/VPS, keyframes).
    Codec,
}

impl Layer {
    /// Every layer, in chain order.
    pub const ALL: [Layer; 11] = [
        Layer::Onvif,
        Layer::Tcp,
        Layer::Tls,
        Layer::Certificate,
        Layer::Rtsp,
        Layer::Auth,
        Layer::Sdp,
        Layer::Transport,
        Layer::Rtp,
        Layer::Rtcp,
        Layer::Codec,
    ];

    /// The lowercase name used in JSON and in finding codes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Layer::Onvif => "onvif",
            Layer::Tcp => "tcp",
            Layer::Tls => "tls",
            Layer::Certificate => "certificate",
            Layer::Rtsp => "rtsp",
            Layer::Auth => "auth",
            Layer::Sdp => "sdp",
            Layer::Transport => "transport",
            Layer::Rtp => "rtp",
            Layer::Rtcp => "rtcp",
            Layer::Codec => "codec",
        }
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a finding is. `Error` breaks the layer (a strict client fails there), `Warning` degrades it (works
/// today, will fail or is unsafe), `Info` is worth knowing but needs no action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; no action needed.
    Info,
    /// Works with some clients or for now, but should be fixed.
    Warning,
    /// Breaks the layer: a strict client fails here.
    Error,
}

impl Severity {
    /// The lowercase name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One labelled piece of evidence: the field, header or bytes that prove a finding. Never holds credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What the value is (`not_after`, `certificate`, `byte_offset`, ...).
    pub label: String,
    /// The observed value, as text.
    pub value: String,
}

/// Something rtspeek observed, with a stable code, the evidence and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable dotted code from the catalogue, e.g. `cert.expired`.
    pub code: String,
    /// The layer this finding belongs to.
    pub layer: Layer,
    /// How bad it is.
    pub severity: Severity,
    /// One line saying what is wrong, with the specific values.
    pub summary: String,
    /// Longer explanation, may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The observations that prove it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// What to do about it.
    pub remediation: String,
}

impl Finding {
    /// A finding for catalogue entry `code`, with its default layer, severity and remediation.
    pub fn new(code: &'static CodeInfo, summary: impl Into<String>) -> Self {
        Finding {
            code: code.code.to_owned(),
            layer: code.layer,
            severity: code.severity,
            summary: summary.into(),
            detail: String::new(),
            evidence: Vec::new(),
            remediation: code.remediation.to_owned(),
        }
    }

    /// Sets the longer explanation.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Adds one piece of evidence.
    #[must_use]
    pub fn with_evidence(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.evidence.push(Evidence { label: label.into(), value: value.into() });
        self
    }

    /// Overrides the catalogue's default severity (e.g. a SHA-1 self-signature on a root only matters a little).
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Replaces the catalogue's generic remediation with a more specific one.
    #[must_use]
    pub fn with_remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = remediation.into();
        self
    }
}
