//! The facts of a report (`facts.connection`, `facts.tls`, `facts.rtsp`, `facts.auth`, `facts.tracks`,
//! `facts.ports`), even when nothing is wrong. The report model owns them; the live probe fills them in.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::codec::CodecSummary;
use crate::rtp::StreamSummary;
use crate::tls::TlsFacts as TlsScanFacts;

/// Where the probe connected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionFacts {
    /// The URL probed last (after redirects), credentials redacted.
    pub url: String,
    /// Host as in the URL.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The address connected to (JSON: `"192.0.2.10:322"`, `"[::1]:8554"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<SocketAddr>,
    /// Milliseconds from the connection attempt to the TCP connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<f64>,
}

/// The TLS session, and the scan if one ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TlsSessionFacts {
    /// Negotiated version (`TLSv1.3`), when the handshake with rustls completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Negotiated cipher suite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher_suite: Option<String>,
    /// SNI sent (none for IP literals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// Handshake time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_ms: Option<f64>,
    /// How the handshake with rustls ended, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Whether the client presented a certificate.
    pub client_certificate: bool,
    /// Whether the server asked for one (CertificateRequest).
    #[serde(default)]
    pub client_certificate_requested: bool,
    /// What the TLS scan found (versions and suites accepted), when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<TlsScanFacts>,
    /// The connection made with the legacy-capable TLS client (`--legacy-tls`) after the modern one failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<LegacySessionFacts>,
}

/// The legacy TLS connection that carried the session when the modern client could not connect.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LegacySessionFacts {
    /// The TLS client (`OpenSSL 3.0.19 at security level 0`).
    pub client: String,
    /// Negotiated version (`TLSv1`, `TLSv1.2`).
    pub version: String,
    /// Negotiated cipher suite (IANA name).
    pub cipher_suite: String,
    /// Handshake time in milliseconds.
    pub handshake_ms: f64,
}

/// One request/response exchange, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeFacts {
    /// `METHOD url` (redacted).
    pub request: String,
    /// Status code, when a response came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Reason phrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Round-trip time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
}

/// The RTSP conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RtspFacts {
    /// `Server` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Methods from OPTIONS' `Public` header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// Content-Base of the description (redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_base: Option<String>,
    /// Session timeout announced in SETUP, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_timeout_s: Option<u64>,
    /// Redirects followed (redacted URLs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    /// Keep-alive requests sent and how they were answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keepalives: Vec<ExchangeFacts>,
    /// Every exchange, in order.
    pub exchanges: Vec<ExchangeFacts>,
}

/// A challenge offered in a 401.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeFacts {
    /// `Basic`, `Digest`, or the scheme as written.
    pub scheme: String,
    /// Digest algorithm, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// The challenge as sent (no secrets in a challenge).
    pub text: String,
}

/// A common client's chances with the challenges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientFacts {
    /// FFmpeg, GStreamer, VLC/live555.
    pub client: String,
    /// `works`, `risky` or `fails`.
    pub verdict: String,
    /// Why, when not `works`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Authentication.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthFacts {
    /// The challenges of the first 401.
    pub challenges: Vec<ChallengeFacts>,
    /// What rtspeek answered (`Digest SHA-256, qop=auth`), or why it could not.
    pub chosen: String,
    /// `accepted`, `rejected`, `no_credentials`, `unanswerable`.
    pub outcome: String,
    /// How the RTSP stacks of common clients fare with these challenges (the top-level `clients` of the
    /// report judges whole clients, every layer included).
    pub clients: Vec<ClientFacts>,
    /// The `WWW-Authenticate` header values as sent (challenges hold no secrets), so the challenges can be
    /// judged again from the report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub www_authenticate: Vec<String>,
}

/// One media track: what was set up and what arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackFacts {
    /// `video`, `audio`...
    pub media: String,
    /// Control URL (redacted).
    pub control: String,
    /// Encoding name (`H264`), payload type and clock rate.
    pub encoding: String,
    /// RTP payload type.
    pub payload_type: u8,
    /// RTP clock rate.
    pub clock_rate: u32,
    /// The transport the server accepted (`RTP/AVP/TCP;unicast;interleaved=0-1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    /// Whether media travels inside the RTSP connection (`tcp`), over UDP (`udp`), or was not set up.
    pub carried_over: String,
    /// RTP-Info seq and rtptime for this track, as the server announced them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtp_info: Option<String>,
    /// Milliseconds from PLAY to the first RTP packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_packet_ms: Option<f64>,
    /// Milliseconds from PLAY to the first complete keyframe (video).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_keyframe_ms: Option<f64>,
    /// RTP statistics over the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtp: Option<StreamSummary>,
    /// Codec facts (H.264 / H.265): profile, level, resolution, frame rate, GOP, parameter sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec: Option<CodecSummary>,
    /// Secure RTP, when the media section uses `RTP/SAVP` or `RTP/SAVPF`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srtp: Option<SrtpFacts>,
}

/// A track's secure RTP: where its keys came from and what decrypting its media showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrtpFacts {
    /// The description's profile (`RTP/SAVP`, `RTP/SAVPF`).
    pub profile: String,
    /// `ready`, `missing`, `unreadable` or `unsupported`.
    pub keys: String,
    /// Where the keys came from: `sdp_mikey`, `sdp_sdes`, `keymgmt_header`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_from: Option<String>,
    /// The MIKEY mode (`null`: the key travels in clear inside the message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mikey_mode: Option<String>,
    /// The crypto suite (`AES_CM_128_HMAC_SHA1_80`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite: Option<String>,
    /// The key is bound to a master key index that every packet carries (live555 does; GStreamer before 1.26
    /// cannot read it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mki: bool,
    /// False when the server answered SETUP with a plain profile (media is RTP/AVP after all).
    pub server_kept_profile: bool,
    /// Packets that arrived while no key was usable.
    pub undecryptable: u64,
    /// What the receiving context counted: authenticated, failed, replayed, unencrypted SRTCP...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<crate::srtp::SrtpCounters>,
    /// The rollover counter that made failing packets verify, when it differs from the expected one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roc_mismatch: Option<u32>,
}

/// How the media is protected, in one statement: the distinction users need between "inside TLS", "SRTP"
/// and "SRTP whose keys anyone could read".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaSecurity {
    /// `cleartext_udp`, `cleartext_tcp` (interleaved over plain RTSP), `tls_interleaved`, `srtp`,
    /// `srtp_keys_in_clear`, `undecryptable_srtp`, or `mixed` (tracks differ).
    pub protection: String,
    /// The sentence for people.
    pub statement: String,
}

/// What one port answered during port discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortFacts {
    /// The port.
    pub port: u16,
    /// `tls`, `rtsp`, `http`, `other`, `silent`, `refused`, `timeout`, `unreachable`, `error`.
    pub answer: String,
    /// A short description (the TLS version chosen, the RTSP status line, the error).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}
