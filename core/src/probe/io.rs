//! The probe's inputs (what the driver observed) and outputs (what the driver must do).

use std::time::Duration;

use crate::Report;
use crate::codec::Codec;

use super::event::ProbeEvent;

/// Names one TCP connection the probe asked for. Inputs about a connection the probe has closed are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u32);

/// Names one pair of UDP sockets (RTP and RTCP) the probe asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UdpId(pub u32);

/// Whether the driver runs a TLS handshake (with its modern TLS client, rustls) on a new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectTls {
    /// Plain TCP: the probe speaks RTSP, or writes its own raw ClientHellos (TLS scan).
    None,
    /// Run the TLS handshake for the host, with SNI for names (not IP literals), then report
    /// [`Input::TlsEstablished`] or [`Input::TlsFailed`].
    Handshake,
    /// Run the handshake with a legacy-capable TLS client (TLS 1.0-1.3, every suite, no certificate or key
    /// minimum: OpenSSL at security level 0 in the native driver) that verifies nothing, records the chain,
    /// and reports like [`ConnectTls::Handshake`]. Asked for only with
    /// [`ProbeConfig::legacy_tls`](super::ProbeConfig::legacy_tls), after the modern client failed and the
    /// TLS scan found what the server accepts, so that the layers above TLS can still be diagnosed.
    Legacy,
}

/// Why a TCP connection could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectErrorKind {
    /// The name did not resolve.
    Dns,
    /// Connection refused (RST).
    Refused,
    /// The operating system gave up (its own timeout); the probe's own bound is a timer.
    TimedOut,
    /// Network or host unreachable.
    Unreachable,
    /// Anything else.
    Other,
}

/// A failed connection attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    /// Classified.
    pub kind: ConnectErrorKind,
    /// The operating system's message, for evidence.
    pub message: String,
}

/// Why a TLS handshake did not complete, as the driver's TLS client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeFailure {
    /// The server closed the connection cleanly during the handshake.
    Closed,
    /// The connection was reset during the handshake.
    Reset,
    /// The server sent this fatal alert (TLS AlertDescription code).
    Alert(u8),
    /// The certificate failed verification and the handshake was aborted (not `--insecure`).
    Certificate,
    /// Nothing in common for one handshake parameter: which one, as the TLS library's error type says (never
    /// guessed from its message), and the library's words for the evidence.
    Incompatible {
        /// The parameter with no common value.
        parameter: TlsParameter,
        /// The TLS library's words.
        detail: String,
    },
    /// The server's bytes were not TLS (the TLS library's words).
    NotTls(String),
    /// Another error (I/O, configuration), in the TLS library's words.
    Other(String),
}

impl std::fmt::Display for HandshakeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandshakeFailure::Closed => {
                f.write_str("the server closed the connection during the TLS handshake")
            }
            HandshakeFailure::Reset => f.write_str("the connection was reset during the TLS handshake"),
            HandshakeFailure::Alert(code) => {
                write!(f, "the server sent the TLS alert {}", crate::tls::AlertDescription(*code))
            }
            HandshakeFailure::Certificate => f.write_str("the certificate failed verification"),
            HandshakeFailure::Incompatible { parameter, detail } => {
                write!(f, "no {parameter} in common: {detail}")
            }
            HandshakeFailure::NotTls(detail) => write!(f, "the answer is not TLS: {detail}"),
            HandshakeFailure::Other(detail) => f.write_str(detail),
        }
    }
}

impl std::fmt::Display for TlsParameter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TlsParameter::Version => "protocol version",
            TlsParameter::CipherSuite => "cipher suite",
            TlsParameter::KeyExchange => "key exchange group",
            TlsParameter::SignatureScheme => "signature scheme",
            TlsParameter::Other => "TLS parameter",
        })
    }
}

/// A TLS handshake parameter that client and server may have no common value of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsParameter {
    /// The protocol version.
    Version,
    /// The cipher suite.
    CipherSuite,
    /// The key exchange group (or its elliptic curve point format).
    KeyExchange,
    /// The signature scheme.
    SignatureScheme,
    /// Another parameter or extension.
    Other,
}

/// What the driver's certificate verifier (rustls + webpki, recording) saw and decided.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifierRecord {
    /// The chain as presented, DER, end entity first. Empty if the server sent none.
    pub chain: Vec<Vec<u8>>,
    /// The verifier's error, `None` when it accepted the chain.
    pub error: Option<String>,
    /// Whether the handshake went on despite the error (`--insecure`).
    pub overridden: bool,
}

/// A completed TLS handshake.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsEstablished {
    /// Negotiated version, IANA style (`TLSv1.3`).
    pub version: String,
    /// Negotiated cipher suite, IANA name.
    pub cipher_suite: String,
    /// The SNI sent, if any (none for IP literals).
    pub sni: Option<String>,
    /// Whether the server asked for a client certificate during the handshake (sent or not).
    pub client_cert_requested: bool,
    /// The verifier's record.
    pub verifier: VerifierRecord,
    /// The TLS client that made the connection, when it is not the modern one (`OpenSSL 3.0.19`).
    pub client: Option<String>,
}

/// Why an established connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// Clean end of stream (FIN, or TLS close_notify).
    Eof,
    /// Reset by the peer.
    Reset,
    /// A TLS alert arrived after the handshake (TLS 1.3 servers refuse a missing client certificate this way:
    /// alert 116 `certificate_required`), with its code.
    TlsAlert(u8),
    /// Another error, in the driver's words.
    Error(String),
}

/// Which socket of a UDP pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdpChannel {
    /// The even port: RTP.
    Rtp,
    /// The odd port: RTCP.
    Rtcp,
}

/// What the driver observed. `now` accompanies every input (time since the probe started).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input<'a> {
    /// The TCP connection is up (for [`ConnectTls::Handshake`], the handshake starts now).
    Connected {
        /// Which connection.
        conn: ConnId,
        /// The peer address it reached (`127.0.0.1:8554`, `[::1]:322`).
        peer: std::net::SocketAddr,
    },
    /// The TCP connection could not be made.
    ConnectFailed {
        /// Which connection.
        conn: ConnId,
        /// Why.
        error: ConnectError,
    },
    /// The TLS handshake completed.
    TlsEstablished {
        /// Which connection.
        conn: ConnId,
        /// What was negotiated and verified.
        tls: TlsEstablished,
    },
    /// The TLS handshake failed.
    TlsFailed {
        /// Which connection.
        conn: ConnId,
        /// Why.
        failure: HandshakeFailure,
        /// The verifier's record, if the server got as far as sending its certificate.
        verifier: Option<VerifierRecord>,
    },
    /// Bytes arrived (decrypted, on a TLS connection).
    Data {
        /// Which connection.
        conn: ConnId,
        /// The bytes.
        bytes: &'a [u8],
    },
    /// The connection ended (the driver has closed its side too).
    Closed {
        /// Which connection.
        conn: ConnId,
        /// Why.
        reason: CloseReason,
    },
    /// The UDP pair is bound.
    UdpBound {
        /// Which pair.
        udp: UdpId,
        /// Local RTP port (even).
        rtp_port: u16,
        /// Local RTCP port (`rtp_port + 1`).
        rtcp_port: u16,
    },
    /// The UDP pair could not be bound.
    UdpFailed {
        /// Which pair.
        udp: UdpId,
        /// The operating system's message.
        message: String,
    },
    /// A datagram arrived on a UDP pair.
    Datagram {
        /// Which pair.
        udp: UdpId,
        /// On which socket.
        channel: UdpChannel,
        /// The bytes.
        bytes: &'a [u8],
        /// Where it came from: datagrams from another address than the camera's are dropped and counted
        /// (`transport.foreign_packets`).
        from: std::net::SocketAddr,
        /// Datagrams the driver dropped on this pair since the last one it delivered, because they came
        /// faster than the probe reads them (its queue to the probe is bounded): `transport.udp_flood`.
        dropped: u32,
    },
    /// The user asked to stop (Ctrl-C): tear down and report what was learned.
    Interrupt,
}

/// One access unit of a video track, for a live preview (only with
/// [`ProbeConfig::deliver_media`](super::ProbeConfig::deliver_media)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFrame {
    /// Index of the track in the report's `facts.tracks`.
    pub track: usize,
    /// The codec.
    pub codec: Codec,
    /// The WebCodecs codec string, once known.
    pub codec_string: Option<String>,
    /// RTP timestamp, extended to 64 bits, in the track's clock (90 kHz).
    pub timestamp: u64,
    /// Whether it is a keyframe (IDR / IRAP).
    pub keyframe: bool,
    /// Whether packets of it were lost.
    pub damaged: bool,
    /// The access unit in Annex B form (start codes), parameter sets included when they travel in band.
    pub data: Vec<u8>,
}

/// What the driver must do, drained with [`Probe::poll_output`](super::Probe::poll_output).
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Open a TCP connection to `host:port` (resolving `host`), optionally with a TLS handshake.
    Connect {
        /// The new connection's name.
        conn: ConnId,
        /// Host name or IP literal (no brackets).
        host: String,
        /// TCP port.
        port: u16,
        /// Whether to run the TLS handshake.
        tls: ConnectTls,
        /// The name for the handshake: sent as SNI when it is a DNS name, and the name the certificate must
        /// match. The URL's host, unless `--servername` or `--connect-to` made `host` another address.
        server_name: String,
    },
    /// Write bytes on a connection.
    Transmit {
        /// Which connection.
        conn: ConnId,
        /// The bytes.
        data: Vec<u8>,
    },
    /// Close a connection (or abandon the attempt to open it). No more inputs are expected for it.
    Close {
        /// Which connection.
        conn: ConnId,
    },
    /// Bind a UDP pair (an even port and the next one) on the address family of the server's address.
    BindUdp {
        /// The new pair's name.
        udp: UdpId,
    },
    /// Send a datagram from a UDP pair to the server's address at `port`.
    SendUdp {
        /// Which pair.
        udp: UdpId,
        /// From which socket.
        channel: UdpChannel,
        /// The server's port.
        port: u16,
        /// The bytes.
        data: Vec<u8>,
    },
    /// Close a UDP pair.
    CloseUdp {
        /// Which pair.
        udp: UdpId,
    },
    /// Something to show.
    Event(ProbeEvent),
    /// An access unit for the preview.
    Media(MediaFrame),
    /// Nothing more to do until this time (since the start) or the next input: call
    /// [`Probe::handle_timeout`](super::Probe::handle_timeout) then.
    Timeout(Duration),
    /// The probe is over; the report is final. Nothing follows.
    Done(Box<Report>),
}
