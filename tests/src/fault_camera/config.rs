//! The script of a fault camera: plain data with healthy defaults and a few builder helpers.

use std::time::Duration;

use rtspeek_core::codec::Codec;
use rtspeek_core::rtsp::Method;

use super::auth::AuthScript;

/// Everything a [`FaultCamera`](super::FaultCamera) does. `Default` is a healthy plain-RTSP H.264 camera on
/// 127.0.0.1: every request answered, TCP and UDP transports, real-time RTP from a real capture, RTCP SRs.
#[derive(Debug, Clone)]
pub struct CameraConfig {
    /// Listen on `[::1]` instead of `127.0.0.1`.
    pub ipv6: bool,
    /// Speak TLS with this certificate (RTSPS); `None` is plain RTSP.
    pub tls: Option<TlsSetup>,
    /// Misbehave at the TCP/TLS layer, on every connection (takes precedence over [`tls`](Self::tls)).
    pub fault: Option<TlsFault>,
    /// How RTSP requests are answered.
    pub rtsp: RtspScript,
    /// Require credentials.
    pub auth: Option<AuthScript>,
    /// The session description DESCRIBE returns.
    pub sdp: SdpScript,
    /// What is streamed after PLAY.
    pub media: MediaScript,
    /// A connection that sends nothing for this long is closed (every read and write is bounded by it; once a
    /// session exists, reads wait at least the session timeout, as a camera keeps a session that long).
    pub idle_timeout: Duration,
}

impl Default for CameraConfig {
    fn default() -> Self {
        CameraConfig {
            ipv6: false,
            tls: None,
            fault: None,
            rtsp: RtspScript::default(),
            auth: None,
            sdp: SdpScript::default(),
            media: MediaScript::default(),
            idle_timeout: Duration::from_secs(30),
        }
    }
}

impl CameraConfig {
    /// Serves RTSPS with `setup`.
    #[must_use]
    pub fn tls(mut self, setup: TlsSetup) -> Self {
        self.tls = Some(setup);
        self
    }

    /// Misbehaves at the TCP/TLS layer.
    #[must_use]
    pub fn fault(mut self, fault: TlsFault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// Requires credentials.
    #[must_use]
    pub fn auth(mut self, auth: AuthScript) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Adds a per-method override (the first matching override wins).
    #[must_use]
    pub fn on(mut self, rule: Override) -> Self {
        self.rtsp.overrides.push(rule);
        self
    }

    /// Listens on `[::1]`.
    #[must_use]
    pub fn ipv6(mut self) -> Self {
        self.ipv6 = true;
        self
    }

    /// Streams the H.265 capture (and describes it) instead of the H.264 one.
    #[must_use]
    pub fn h265(mut self) -> Self {
        self.media.codec = Codec::H265;
        self
    }

    /// Adds a PCMU audio track.
    #[must_use]
    pub fn with_audio(mut self) -> Self {
        self.media.audio = true;
        self
    }

    /// Applies `f` to the media impairments.
    #[must_use]
    pub fn impair(mut self, f: impl FnOnce(&mut Impairments)) -> Self {
        f(&mut self.media.impairments);
        self
    }

    /// Whether [`FaultCamera::url`](super::FaultCamera::url) says `rtsps://`: with TLS set up, or with a fault
    /// that is about TLS (every fault but [`TlsFault::SilentAfterTls`] on a plain camera).
    pub fn secure_scheme(&self) -> bool {
        self.tls.is_some() || matches!(&self.fault, Some(f) if *f != TlsFault::SilentAfterTls)
    }
}

/// The TLS side of an RTSPS camera.
#[derive(Debug, Clone)]
pub struct TlsSetup {
    /// The certificate chain, leaf first, PEM.
    pub chain_pem: String,
    /// The leaf's private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
    /// Which TLS versions to accept.
    pub versions: TlsVersions,
    /// Require a client certificate that chains to this CA (PEM).
    pub client_ca_pem: Option<String>,
}

impl TlsSetup {
    /// TLS 1.2 and 1.3 with this chain and key, no client certificate.
    pub fn new(chain_pem: impl Into<String>, key_pem: impl Into<String>) -> Self {
        TlsSetup {
            chain_pem: chain_pem.into(),
            key_pem: key_pem.into(),
            versions: TlsVersions::Both,
            client_ca_pem: None,
        }
    }

    /// Restricts the versions.
    #[must_use]
    pub fn versions(mut self, versions: TlsVersions) -> Self {
        self.versions = versions;
        self
    }

    /// Requires a client certificate issued under `ca_pem`.
    #[must_use]
    pub fn require_client_cert(mut self, ca_pem: impl Into<String>) -> Self {
        self.client_ca_pem = Some(ca_pem.into());
        self
    }
}

/// TLS versions the camera accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsVersions {
    /// TLS 1.2 and 1.3.
    #[default]
    Both,
    /// TLS 1.2 only (an older camera).
    Tls12Only,
    /// TLS 1.3 only.
    Tls13Only,
}

/// Misbehaviour at the TCP/TLS layer, applied to every connection (a probe may open a second one to sniff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFault {
    /// Accept, read and discard, never answer (until the client leaves or the idle timeout).
    Silent,
    /// Read the ClientHello, then reset the connection (RST: SO_LINGER 0).
    ResetOnHello,
    /// Answer the ClientHello with a fatal alert record of this description (40 = handshake_failure), then
    /// close.
    AlertOnHello(u8),
    /// Read the ClientHello, then close cleanly (FIN).
    CloseOnHello,
    /// No TLS at all: the port speaks plain RTSP, so a ClientHello gets `RTSP/1.0 400 Bad Request` and a close,
    /// and a plain `OPTIONS rtsp://...` is answered normally.
    PlainRtsp,
    /// The port is a web server: anything gets `HTTP/1.1 400 Bad Request`, then a close.
    Http,
    /// Complete the TLS handshake (or accept plain TCP without TLS set up), then never answer.
    SilentAfterTls,
}

/// How RTSP requests are answered.
#[derive(Debug, Clone)]
pub struct RtspScript {
    /// Per-method overrides; the first that matches a request applies.
    pub overrides: Vec<Override>,
    /// SETUP asking only for TCP interleaving gets 461 Unsupported Transport.
    pub refuse_tcp: bool,
    /// SETUP asking only for UDP gets 461 Unsupported Transport.
    pub refuse_udp: bool,
    /// Write `rtsp://` in Content-Base and RTP-Info even over TLS (what gst-rtsp-server does).
    pub plain_urls_in_tls: bool,
    /// End lines with LF alone (head and SDP).
    pub bare_lf: bool,
    /// SETUP responses carry no Session header.
    pub omit_session_on_setup: bool,
    /// The `timeout=` of the Session header; `None` writes no timeout.
    pub session_timeout: Option<u32>,
    /// PLAY responses carry no RTP-Info.
    pub omit_rtp_info: bool,
}

impl Default for RtspScript {
    fn default() -> Self {
        RtspScript {
            overrides: Vec::new(),
            refuse_tcp: false,
            refuse_udp: false,
            plain_urls_in_tls: false,
            bare_lf: false,
            omit_session_on_setup: false,
            session_timeout: Some(60),
            omit_rtp_info: false,
        }
    }
}

/// One override: what to do with requests of one method (and, optionally, one path).
#[derive(Debug, Clone)]
pub struct Override {
    /// The method it applies to.
    pub method: Method<'static>,
    /// Only requests whose URL path is this one (`/stream`; a trailing `/` is ignored).
    pub path: Option<String>,
    /// Only the first `n` matching requests (across connections); `None`: all of them.
    pub times: Option<usize>,
    /// What to do.
    pub action: Action,
}

/// What an [`Override`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Answer with this status instead of handling the request.
    Status {
        /// The status code (100-999).
        code: u16,
        /// The reason phrase; `None`: the canonical one.
        reason: Option<String>,
        /// Extra headers (`Retry-After`, `Location`...).
        headers: Vec<(String, String)>,
    },
    /// Answer with a redirection to `to`: a path (`/other`) on this camera, or an absolute URL as is.
    Redirect {
        /// 301, 302...
        code: u16,
        /// Where to.
        to: String,
    },
    /// Handle normally, but answer with CSeq + 1.
    CSeqPlusOne,
    /// Handle normally, but answer without CSeq.
    OmitCSeq,
    /// Close the connection as soon as the request is read, without answering.
    Close,
    /// Never answer this request (the connection stays open).
    Silent,
}

impl Override {
    /// An override of `method` doing `action`.
    pub fn new(method: Method<'static>, action: Action) -> Self {
        Override { method, path: None, times: None, action }
    }

    /// Answer `method` with status `code` (canonical reason).
    pub fn status(method: Method<'static>, code: u16) -> Self {
        Override::new(method, Action::Status { code, reason: None, headers: Vec::new() })
    }

    /// Redirect `method` (usually DESCRIBE) with `code` to `to` (a path on this camera or a URL).
    pub fn redirect(method: Method<'static>, code: u16, to: impl Into<String>) -> Self {
        Override::new(method, Action::Redirect { code, to: to.into() })
    }

    /// Close the connection on `method` without answering.
    pub fn close(method: Method<'static>) -> Self {
        Override::new(method, Action::Close)
    }

    /// Never answer `method`.
    pub fn silent(method: Method<'static>) -> Self {
        Override::new(method, Action::Silent)
    }

    /// Answer `method` with CSeq + 1.
    pub fn cseq_plus_one(method: Method<'static>) -> Self {
        Override::new(method, Action::CSeqPlusOne)
    }

    /// Answer `method` without CSeq.
    pub fn omit_cseq(method: Method<'static>) -> Self {
        Override::new(method, Action::OmitCSeq)
    }

    /// Adds a header to a [`Action::Status`] answer.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Action::Status { headers, .. } = &mut self.action {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// Sets the reason phrase of a [`Action::Status`] answer.
    #[must_use]
    pub fn reason(mut self, text: impl Into<String>) -> Self {
        if let Action::Status { reason, .. } = &mut self.action {
            *reason = Some(text.into());
        }
        self
    }

    /// Applies only to requests for `path`.
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Applies only to the first `n` matching requests.
    #[must_use]
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }
}

/// The session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdpScript {
    /// Send this text as is instead of the built-in description (tracks are then matched to SETUPs by
    /// `trackID=N` in the URL, else in SETUP order: video first, then audio).
    pub custom: Option<String>,
    /// Put the parameter sets in the built-in fmtp (`sprop-parameter-sets`, `sprop-vps/sps/pps`).
    pub sprop: bool,
}

impl Default for SdpScript {
    fn default() -> Self {
        SdpScript { custom: None, sprop: true }
    }
}

/// What is streamed after PLAY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaScript {
    /// Which capture to replay: `gst-h264.interleaved` or `gst-h265.interleaved`.
    pub codec: Codec,
    /// The video SSRC (the audio track uses `ssrc + 1`).
    pub ssrc: u32,
    /// The first video sequence number; `None`: the capture's.
    pub first_seq: Option<u16>,
    /// The first video RTP timestamp; `None`: the capture's.
    pub first_timestamp: Option<u32>,
    /// Add a PCMU/8000 audio track (payload type 0, 160 bytes every 20 ms).
    pub audio: bool,
    /// Send RTCP sender reports.
    pub rtcp_sr: bool,
    /// Interval between sender reports (the first follows the first RTP packet).
    pub rtcp_interval: Duration,
    /// Claim UDP in SETUP and PLAY but send nothing (a firewall that drops UDP).
    pub udp_blackhole: bool,
    /// Impairments of the video stream.
    pub impairments: Impairments,
}

impl Default for MediaScript {
    fn default() -> Self {
        MediaScript {
            codec: Codec::H264,
            ssrc: 0x5EED_CA4E,
            first_seq: None,
            first_timestamp: None,
            audio: false,
            rtcp_sr: true,
            rtcp_interval: Duration::from_secs(1),
            udp_blackhole: false,
            impairments: Impairments::default(),
        }
    }
}

/// Deliberate damage to the video stream. Counts are over the packets the camera generates (numbered
/// consecutively from the first after PLAY); "every Nth" means packets N, 2N, 3N...
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Impairments {
    /// Drop every Nth packet (its sequence number is used, so the receiver sees a gap).
    pub drop_every: Option<u64>,
    /// Send every Nth packet after the one that follows it.
    pub reorder_every: Option<u64>,
    /// Send every Nth packet twice.
    pub duplicate_every: Option<u64>,
    /// Switch to another SSRC.
    pub ssrc_change: Option<SsrcChange>,
    /// Delay some packets (the packets behind them wait too, as in a queue).
    pub jitter: Option<Jitter>,
    /// Send nothing at all after PLAY (no RTP, no RTCP).
    pub no_packets: bool,
    /// Stop RTP after this many packets (RTCP goes on).
    pub stop_after: Option<u64>,
    /// Remove SPS/PPS (and VPS) NAL units, also from aggregation packets, before numbering.
    pub strip_parameter_sets: bool,
    /// Remove every keyframe NAL unit (H.264 IDR, H.265 IRAP), before numbering.
    pub drop_keyframes: bool,
}

/// An SSRC change in the middle of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SsrcChange {
    /// Packets sent with the configured SSRC before the change.
    pub after: u64,
    /// The SSRC after it.
    pub new_ssrc: u32,
}

/// Delay of some packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jitter {
    /// Every Nth packet is delayed.
    pub every: u64,
    /// By this much.
    pub delay: Duration,
}
