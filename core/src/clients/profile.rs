//! What a client profile says: the defaults of one player, NVR stack or library that decide whether it plays
//! an RTSP(S) camera. Profiles are data ([`super::table`]); the rules that read them are in [`super::judge`].

use crate::rtsp::auth::capability::AuthBehaviour;
use crate::tls::{CipherSuite, ProtocolVersion};

/// How a profile's facts are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Run here: `cargo xtask test`'s interop matrix plays the conditions against this client (the text says
    /// which build) and checks the verdicts against what it did.
    Measured(&'static str),
    /// From the cited sources only (the table's comments): this client cannot run here.
    Cited(&'static str),
}

/// Whether a client checks the server certificate when it plays `rtsps://`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Chain to its trust store, dates, names, key and signature strength, by default.
    Always,
    /// Never, whatever the user sets: no option reaches its TLS layer for RTSP.
    Never,
    /// Like [`Verification::Always`] for host names, not at all for IP addresses (go2rtc).
    SkippedForIpHosts,
}

/// Where a DNS host name may match besides subjectAltName DNS entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CnFallback {
    /// RFC 9525: only subjectAltName counts.
    Never,
    /// A DNS host is compared with the subject's Common Name when the certificate has no DNS entry in
    /// subjectAltName (OpenSSL's `X509_check_host`). IP hosts never use the CN.
    WhenNoDnsSan,
    /// A DNS host is compared with the Common Name only when subjectAltName has no DNS and no IP entry
    /// (GnuTLS' `gnutls_x509_crt_check_hostname2`). IP hosts never use the CN.
    WhenNoSan,
}

/// A client's TLS client: what it offers and what certificates it accepts.
#[derive(Debug, Clone, Copy)]
pub struct TlsBehaviour {
    /// The versions of its default offer, highest first.
    pub versions: &'static [ProtocolVersion],
    /// The cipher suites of its default offer, in its order (TLS 1.3 suites included).
    pub suites: &'static [CipherSuite],
    /// Certificate verification.
    pub verification: Verification,
    /// Name matching besides subjectAltName.
    pub cn_fallback: CnFallback,
    /// Smallest RSA key it accepts in the server's chain.
    pub min_rsa_bits: u32,
    /// Whether it accepts a chain signed with SHA-1.
    pub accepts_sha1_signatures: bool,
    /// Whether it can present a client certificate.
    pub client_certificate: bool,
    /// Whether a self-signed server certificate can be trusted by giving it as a CA (webpki cannot use one
    /// certificate as both anchor and end entity).
    pub self_signed_anchor: bool,
}

/// Lower transport a client asks for in SETUP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportRule {
    /// RTP interleaved in the RTSP connection only.
    TcpOnly,
    /// RTP over UDP only.
    UdpOnly,
    /// UDP first, TCP when the server refuses UDP (461) or no UDP packet arrives.
    UdpThenTcp,
    /// TCP first, UDP when the server refuses TCP (461).
    TcpThenUdp,
}

impl TransportRule {
    /// In words.
    pub const fn describe(self) -> &'static str {
        match self {
            TransportRule::TcpOnly => "TCP interleaved only",
            TransportRule::UdpOnly => "UDP only",
            TransportRule::UdpThenTcp => "UDP, then TCP",
            TransportRule::TcpThenUdp => "TCP, then UDP",
        }
    }

    /// Whether it can use TCP interleaved.
    pub fn tcp(self) -> bool {
        !matches!(self, TransportRule::UdpOnly)
    }

    /// Whether it can use UDP.
    pub fn udp(self) -> bool {
        !matches!(self, TransportRule::TcpOnly)
    }
}

/// Whether a client decodes H.265.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H265Support {
    /// Yes (a software decoder is part of it, or it passes the stream on without decoding).
    Yes,
    /// Only where the platform has a decoder (hardware, operating system codec).
    Platform,
    /// No.
    No,
}

impl H265Support {
    /// In words.
    pub const fn describe(self) -> &'static str {
        match self {
            H265Support::Yes => "yes",
            H265Support::Platform => "only with a platform decoder",
            H265Support::No => "no",
        }
    }
}

/// What to tell a user of this client, per problem. `{ca}`, `{url}`, `{host}`, `{fingerprint}` (colon
/// hex), `{fingerprint_hex}` (plain lowercase hex), `{names}` are filled from the report. `None`: this client
/// has no such setting.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How to get the certificate checked at all, for a client that does not check it.
    pub verify: Option<&'static str>,
    /// Trust a CA certificate file.
    pub trust_ca: Option<&'static str>,
    /// Accept exactly one certificate by its SHA-256 fingerprint, whatever its chain, names and dates.
    pub pin: Option<&'static str>,
    /// Present a client certificate.
    pub client_certificate: Option<&'static str>,
    /// Ask for RTP interleaved in the RTSP connection.
    pub tcp: Option<&'static str>,
    /// Ask for RTP over UDP.
    pub udp: Option<&'static str>,
    /// Accept TLS 1.0/1.1 and legacy suites.
    pub legacy_tls: Option<&'static str>,
    /// How to play `rtsps://` at all when this client cannot (another client or version).
    pub no_rtsps: Option<&'static str>,
    /// How to decode H.265 when this client cannot.
    pub h265: Option<&'static str>,
}

impl Settings {
    /// No setting at all (the base for `..Settings::NONE`).
    pub const NONE: Settings = Settings {
        verify: None,
        trust_ca: None,
        pin: None,
        client_certificate: None,
        tcp: None,
        udp: None,
        legacy_tls: None,
        no_rtsps: None,
        h265: None,
    };
}

/// One client profile: a versioned client and its defaults. See [`super::table::PROFILES`].
#[derive(Debug, Clone, Copy)]
pub struct ClientProfile {
    /// Stable id (public API, like finding codes): `ffmpeg-gnutls`, `gstreamer`...
    pub id: &'static str,
    /// Name for people.
    pub name: &'static str,
    /// The versions the facts describe.
    pub versions: &'static str,
    /// Who uses this profile (the applications built on it).
    pub used_by: &'static str,
    /// How the facts are known.
    pub evidence: Evidence,
    /// Its TLS client; `None` when it cannot open `rtsps://` at all.
    pub tls: Option<TlsBehaviour>,
    /// Its Digest and Basic behaviour.
    pub auth: AuthBehaviour,
    /// Lower transport for `rtsps://` URLs.
    pub transport_rtsps: TransportRule,
    /// Lower transport for `rtsp://` URLs.
    pub transport_rtsp: TransportRule,
    /// H.265 decoding.
    pub h265: H265Support,
    /// Whether it plays SRTP (`RTP/SAVP`) media.
    pub srtp: bool,
    /// How it takes SRTP keys, where known (only read when `srtp`).
    pub srtp_keying: SrtpKeying,
    /// What to tell its users.
    pub settings: Settings,
}

impl ClientProfile {
    /// Whether the profile's facts were measured here (see [`Evidence`]).
    pub fn measured(&self) -> bool {
        matches!(self.evidence, Evidence::Measured(_))
    }

    /// The lower transport it uses for a URL of this kind.
    pub fn transport(&self, tls: bool) -> TransportRule {
        if tls { self.transport_rtsps } else { self.transport_rtsp }
    }
}

/// How a client that plays SRTP takes its keys. `None`: not known, no judgement either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrtpKeying {
    /// Reads SDES (`a=crypto`) keys.
    pub sdes: Option<bool>,
    /// Keeps the MKI a MIKEY key is bound to (GStreamer before 1.26 drops it, so every packet fails).
    pub mikey_mki: Option<bool>,
    /// Takes the profile from the SETUP answer rather than the description (GStreamer: an answer saying
    /// `RTP/AVP` makes it treat SRTP as plain RTP).
    pub follows_answer_profile: Option<bool>,
}

impl SrtpKeying {
    /// Nothing known (clients that do not play SRTP, or whose keying was not measured).
    pub const UNKNOWN: SrtpKeying = SrtpKeying { sdes: None, mikey_mki: None, follows_answer_profile: None };
}
