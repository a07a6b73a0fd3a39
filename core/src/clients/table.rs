//! The client profiles: data, with where each fact comes from.
//!
//! "Measured" facts were read off the real client on Debian 12 by `cargo xtask test` (the interop matrix in
//! `native-bridge/tests/it/client_matrix.rs`): each runnable client's default ClientHello is captured and compared with
//! its `versions` and `suites` here, and each client plays every condition of the matrix so its verdicts are
//! checked against what it did. "Cited" facts come from the sources named in the comments (read at the
//! versions named); those clients cannot run here and nothing here proves their facts.

use super::profile::{
    ClientProfile, CnFallback, Evidence, H265Support, Settings, SrtpKeying, TlsBehaviour, TransportRule,
    Verification,
};
use crate::rtsp::auth::capability::AuthBehaviour;
use crate::tls::{CipherSuite as S, MODERN_SUITES, ProtocolVersion as V};

/// Cipher suites from their IANA values (a table of numbers stays readable where constructor calls do not).
#[expect(clippy::indexing_slicing, reason = "i < N, the length of both arrays, by the loop condition")]
const fn suites<const N: usize>(values: [u16; N]) -> [S; N] {
    let mut out = [S(0); N];
    let mut i = 0;
    while i < N {
        out[i] = S(values[i]);
        i += 1;
    }
    out
}

const TLS13_TO_10: &[V] = &[V::TLS1_3, V::TLS1_2, V::TLS1_1, V::TLS1_0];
const TLS13_TO_12: &[V] = &[V::TLS1_3, V::TLS1_2];

/// GnuTLS 3.7.9's default priority (`NORMAL`; glib-networking appends `%COMPAT`), as captured from Debian's
/// ffprobe 5.1 and gst-launch 1.22: the same ClientHello. Source: gnutls `lib/priority.c` (3.7.9).
const GNUTLS_SUITES: &[S] = &suites([
    0x1302, 0x1303, 0x1301, 0x1304, 0xc02c, 0xcca9, 0xc0ad, 0xc00a, 0xc02b, 0xc0ac, 0xc009, 0xc030, 0xcca8,
    0xc014, 0xc02f, 0xc013, 0x009d, 0xc09d, 0x0035, 0x009c, 0xc09c, 0x002f, 0x009f, 0xccaa, 0xc09f, 0x0039,
    0x009e, 0xc09e, 0x0033,
]);

/// OpenSSL 3.0's library defaults (`DEFAULT` cipher list), as captured from Debian's `openssl s_client`:
/// what a program that sets no cipher list offers. TLS 1.0/1.1 are offered but refused at security level 1
/// and above (OpenSSL 3.0 CHANGES.md), so only TLS 1.2 and 1.3 connect.
const OPENSSL_DEFAULT_SUITES: &[S] = &suites([
    0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024,
    0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033, 0x009d, 0x009c,
    0x003d, 0x003c, 0x0035, 0x002f,
]);

/// Python 3.10+ `ssl.create_default_context()` on OpenSSL 3.0 (cipher string
/// `@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM`, cpython
/// GH-25778), as captured from Debian's Python 3.11: forward secrecy only, no SHA-1 MAC.
const PYTHON_SUITES: &[S] = &suites([
    0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc024, 0xc028, 0xc023, 0xc027,
    0x009f, 0x009e, 0x006b, 0x0067,
]);

/// Go 1.19 `crypto/tls` client defaults, as captured from a Go 1.19 client (Debian's golang-go): static RSA
/// key exchange and 3DES still offered.
const GO_LEGACY_SUITES: &[S] = &suites([
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f,
    0x0035, 0xc012, 0x000a, 0x1301, 0x1302, 0x1303,
]);

/// Go 1.23+ `crypto/tls` client defaults: RSA key exchange dropped in Go 1.22 (`tlsrsakex`), 3DES in 1.23
/// (`tls3des`). Sources: go.dev/doc/go1.22, go1.23; `src/crypto/tls/defaults.go`.
const GO_SUITES: &[S] = &suites([
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x1301, 0x1302, 0x1303,
]);

const GNUTLS: TlsBehaviour = TlsBehaviour {
    versions: TLS13_TO_10,
    suites: GNUTLS_SUITES,
    verification: Verification::Always,
    // gnutls lib/x509/hostname-verify.c: the CN only when there is no DNS and no IP SAN; IPs only in IP SANs.
    cn_fallback: CnFallback::WhenNoSan,
    // GNUTLS_PROFILE_LOW (80 bits) is the default verification profile: RSA-1024 passes (measured).
    min_rsa_bits: 1024,
    // Refused by default since GnuTLS 3.6.0 (NEWS), measured.
    accepts_sha1_signatures: false,
    client_certificate: true,
    self_signed_anchor: true,
};

const OPENSSL3_PYTHON: TlsBehaviour = TlsBehaviour {
    versions: TLS13_TO_12,
    suites: PYTHON_SUITES,
    verification: Verification::Always,
    // Python leaves X509_CHECK_FLAG_NEVER_CHECK_SUBJECT unset (hostname_checks_common_name is True): OpenSSL
    // compares a DNS host with the CN when there is no DNS SAN; X509_check_ip never uses the CN. Measured.
    cn_fallback: CnFallback::WhenNoDnsSan,
    // Security level 2 (Debian's build default, and Python's cipher string): 112 bits. Measured.
    min_rsa_bits: 2048,
    accepts_sha1_signatures: false,
    client_certificate: true,
    self_signed_anchor: true,
};

const GO_VERIFY: TlsBehaviour = TlsBehaviour {
    versions: TLS13_TO_12,
    suites: GO_SUITES,
    verification: Verification::Always,
    // Go 1.15 stopped using the CN; IPs only match IP SANs (crypto/x509 verify.go).
    cn_fallback: CnFallback::Never,
    // Go 1.24 refuses RSA keys under 1024 bits (rsa1024min).
    min_rsa_bits: 1024,
    // Go 1.18 (x509sha1), removed entirely in 1.24.
    accepts_sha1_signatures: false,
    client_certificate: false,
    self_signed_anchor: true,
};

const RUSTLS: TlsBehaviour = TlsBehaviour {
    versions: TLS13_TO_12,
    suites: MODERN_SUITES,
    verification: Verification::Always,
    // webpki subject_name: no CN-IDs; IPs only in IP SANs.
    cn_fallback: CnFallback::Never,
    // webpki ring_algs.rs: RSA 2048-8192 only, no SHA-1 algorithm.
    min_rsa_bits: 2048,
    accepts_sha1_signatures: false,
    client_certificate: true,
    // The rustls manual lists self-signed server certificates as a non-feature, yet webpki 0.103 takes one given
    // as an anchor (it compares the issuer with the anchor's subject and key): measured, `--ca` with the
    // camera's own certificate plays.
    self_signed_anchor: true,
};

/// What MediaMTX users set (its `paths` configuration), whichever Go built it.
const MEDIAMTX_SETTINGS: Settings = Settings {
    trust_ca: Some("`SSL_CERT_FILE={ca}` in the program's environment (Go reads it on Linux)"),
    pin: Some("MediaMTX: `sourceFingerprint: {fingerprint_hex}` for the path"),
    tcp: Some("MediaMTX: `rtspTransport: tcp`"),
    udp: Some("MediaMTX: `rtspTransport: udp`"),
    ..Settings::NONE
};

/// The profiles, in the order reports list them. Ids are public API: see `docs/clients.md`.
pub const PROFILES: &[ClientProfile] = &[
    ClientProfile {
        id: "ffmpeg-gnutls",
        name: "FFmpeg (GnuTLS)",
        versions: "FFmpeg 5.1-7.0 built with GnuTLS 3.7 (Debian, Ubuntu)",
        used_by: "ffmpeg, ffplay, ffprobe; Home Assistant and Frigate hand rtsps:// URLs to FFmpeg",
        evidence: Evidence::Measured("Debian 12 ffmpeg 5.1 (GnuTLS 3.7.9)"),
        // libavformat/rtsp.c opens `tls://host:port?timeout=` with no options, so -tls_verify and -ca_file
        // never reach the TLS layer for rtsps:// (FFmpeg 5.1.8 and 7.0.1 read; measured: an expired
        // certificate plays with `-tls_verify 1 -ca_file`).
        tls: Some(TlsBehaviour { verification: Verification::Never, client_certificate: false, ..GNUTLS }),
        auth: AuthBehaviour::FFMPEG,
        // rtsp.c forces lower_transport_mask = TCP for rtsps; plain RTSP tries UDP, then TCP.
        transport_rtsps: TransportRule::TcpOnly,
        transport_rtsp: TransportRule::UdpThenTcp,
        h265: H265Support::Yes,
        // rtsp.c reads `a=crypto` (SDES) into an SRTP context, but its SETUP always offers RTP/AVP (measured
        // with 5.1: `RTP/AVP/UDP` and `RTP/AVP/TCP` for an RTP/SAVP stream, answered 461 by rtspeek serve,
        // test serve_srtp::ffprobe_offers_rtp_avp_to_srtp_streams_and_is_refused); MIKEY is not read.
        srtp: false,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: Settings {
            verify: Some(
                "none: FFmpeg's RTSP client passes no TLS option to its TLS layer, so `-tls_verify 1 -ca_file` \
                 have no effect on rtsps://. For a checked connection use GStreamer with the CA, or a verifying \
                 TLS client in front (stunnel client mode with `verifyChain = yes` and `CAfile = {ca}`)",
            ),
            tcp: Some("`-rtsp_transport tcp`"),
            udp: Some("`-rtsp_transport udp` (rtsp:// only: FFmpeg always uses TCP for rtsps://)"),
            ..Settings::NONE
        },
    },
    ClientProfile {
        id: "ffmpeg-openssl",
        name: "FFmpeg (OpenSSL)",
        versions: "FFmpeg 5.1-7.0 built with OpenSSL 3 (static builds, Windows and macOS packages)",
        used_by: "ffmpeg, ffplay, ffprobe from builds linked with OpenSSL",
        evidence: Evidence::Cited(
            "libavformat/rtsp.c and tls_openssl.c of FFmpeg 5.1.8 and 7.0.1; OpenSSL 3.0 defaults",
        ),
        // Same rtsp.c (no options reach TLS); tls_openssl.c sets no cipher list and never checks the host name.
        tls: Some(TlsBehaviour {
            versions: TLS13_TO_12,
            suites: OPENSSL_DEFAULT_SUITES,
            verification: Verification::Never,
            cn_fallback: CnFallback::Never,
            min_rsa_bits: 2048,
            accepts_sha1_signatures: false,
            client_certificate: false,
            self_signed_anchor: true,
        }),
        auth: AuthBehaviour::FFMPEG,
        transport_rtsps: TransportRule::TcpOnly,
        transport_rtsp: TransportRule::UdpThenTcp,
        h265: H265Support::Yes,
        // The same rtsp.c: a=crypto is read, but SETUP offers RTP/AVP only (see ffmpeg-gnutls).
        srtp: false,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: Settings {
            verify: Some(
                "none: FFmpeg's RTSP client passes no TLS option to its TLS layer (and its OpenSSL backend never \
                 checks host names). For a checked connection use GStreamer with the CA, or a verifying TLS \
                 client in front (stunnel client mode with `verifyChain = yes` and `CAfile = {ca}`)",
            ),
            tcp: Some("`-rtsp_transport tcp`"),
            udp: Some("`-rtsp_transport udp` (rtsp:// only: FFmpeg always uses TCP for rtsps://)"),
            ..Settings::NONE
        },
    },
    ClientProfile {
        id: "gstreamer",
        name: "GStreamer rtspsrc",
        versions: "GStreamer 1.22-1.26 with glib-networking 2.74 and GnuTLS 3.7",
        used_by: "gst-launch-1.0, GStreamer applications, many NVR and VMS pipelines",
        evidence: Evidence::Measured("Debian 12 GStreamer 1.22, glib-networking 2.74, GnuTLS 3.7.9"),
        // gstrtspsrc.c: tls-validation-flags defaults to G_TLS_CERTIFICATE_VALIDATE_ALL against the system store.
        tls: Some(GNUTLS),
        auth: AuthBehaviour::GSTREAMER,
        // gstrtspurl.c: rtsps:// allows UDP, multicast and TCP; rtspsrc tries UDP first (measured: it plays a
        // UDP-only server through TLS).
        transport_rtsps: TransportRule::UdpThenTcp,
        transport_rtsp: TransportRule::UdpThenTcp,
        // avdec_h265 (gstreamer1.0-libav) or a hardware decoder.
        h265: H265Support::Yes,
        // rtspsrc reads MIKEY (KeyMgmt) and sets up srtpdec: it plays rtspeek serve's and gst-rtsp-server's
        // MIKEY streams, every suite, UDP and interleaved (tests serve_srtp, srtp_peers). Measured failures: no
        // a=crypto read (an SDES-only stream gives no buffer), the MKI of a MIKEY key dropped before 1.26 (every
        // live555 packet fails in srtpdec), and the SETUP answer's RTP/AVP followed (live555 over plain RTSP:
        // not-negotiated).
        srtp: true,
        srtp_keying: SrtpKeying {
            sdes: Some(false),
            mikey_mki: Some(false),
            follows_answer_profile: Some(true),
        },
        settings: Settings {
            trust_ca: Some(
                "rtspsrc `tls-database` = a `Gio.TlsFileDatabase` of {ca} (from code; gst-launch cannot set it), \
                 or install {ca} in the system store (`cp {ca} /usr/local/share/ca-certificates/camera-ca.crt && \
                 update-ca-certificates`)",
            ),
            pin: Some(
                "handle rtspsrc's `accept-certificate` signal and return TRUE only for the certificate whose \
                 SHA-256 fingerprint is {fingerprint}",
            ),
            client_certificate: Some(
                "rtspsrc `tls-interaction`: a GTlsInteraction that supplies the certificate",
            ),
            tcp: Some("`protocols=tcp` (or an `rtspst://` URL)"),
            udp: Some("`protocols=udp`"),
            ..Settings::NONE
        },
    },
    ClientProfile {
        id: "vlc3",
        name: "VLC 3",
        versions: "VLC 3.0.x (live555 module)",
        used_by: "the VLC media player most people have installed",
        evidence: Evidence::Measured(
            "Debian 12 VLC 3.0.24: no module opens rtsps:// (Debian builds also leave live555 out, so plain \
             rtsp:// is not measured)",
        ),
        // modules/access/live555.cpp registers the shortcuts rtsp, pnm, live, livedotcom: no rtsps.
        tls: None,
        auth: AuthBehaviour::LIVE555,
        transport_rtsps: TransportRule::TcpOnly,
        // VLC asks for UDP and falls back to TCP when nothing arrives; `--rtsp-tcp` forces TCP.
        transport_rtsp: TransportRule::UdpThenTcp,
        h265: H265Support::Yes,
        srtp: false,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: Settings {
            no_rtsps: Some(
                "VLC 3 cannot open rtsps:// at all: play it with GStreamer or ffplay, or re-serve it on this \
                 machine with a TLS client in front (stunnel, MediaMTX) that checks the certificate",
            ),
            tcp: Some("`--rtsp-tcp`"),
            ..Settings::NONE
        },
    },
    ClientProfile {
        id: "vlc4",
        name: "VLC 4",
        versions: "VLC 4 development builds (live555 2024+)",
        used_by: "VLC nightly builds",
        evidence: Evidence::Cited(
            "VLC merge request 6050 (\"live555: allow to use rtsps\", 2024, not confirmed merged); live555 \
             liveMedia/TLSState.cpp: no certificate verification, no SNI",
        ),
        // live555's TLS client (OpenSSL, SSLv23_client_method, library defaults) never calls
        // SSL_CTX_set_verify: any certificate is accepted.
        tls: Some(TlsBehaviour {
            versions: TLS13_TO_12,
            suites: OPENSSL_DEFAULT_SUITES,
            verification: Verification::Never,
            cn_fallback: CnFallback::Never,
            min_rsa_bits: 2048,
            accepts_sha1_signatures: false,
            client_certificate: false,
            self_signed_anchor: true,
        }),
        auth: AuthBehaviour::LIVE555,
        transport_rtsps: TransportRule::TcpOnly,
        transport_rtsp: TransportRule::UdpThenTcp,
        h265: H265Support::Yes,
        // live555's client reads MIKEY and decrypts SRTP.
        srtp: true,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: Settings {
            verify: Some("none: live555 accepts any certificate (no verification in its TLS client)"),
            tcp: Some("`--rtsp-tcp`"),
            ..Settings::NONE
        },
    },
    ClientProfile {
        id: "go-legacy",
        name: "Go before 1.22",
        versions: "Go 1.18-1.21 crypto/tls (MediaMTX and other Go RTSP clients built with it)",
        used_by: "older MediaMTX releases and Go programs built with Go 1.18-1.21",
        evidence: Evidence::Measured("Debian 12 Go 1.19 crypto/tls client (TLS layer only)"),
        tls: Some(TlsBehaviour { suites: GO_LEGACY_SUITES, min_rsa_bits: 0, ..GO_VERIFY }),
        auth: AuthBehaviour::GORTSPLIB,
        // gortsplib: rtsps switches to TCP unless the media is SRTP; plain RTSP tries UDP, then TCP.
        transport_rtsps: TransportRule::TcpOnly,
        transport_rtsp: TransportRule::UdpThenTcp,
        h265: H265Support::Yes,
        srtp: true,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: MEDIAMTX_SETTINGS,
    },
    ClientProfile {
        id: "go",
        name: "Go 1.22+ (MediaMTX)",
        versions: "Go 1.23+ crypto/tls, as MediaMTX 1.x (gortsplib v4/v5) uses it",
        used_by: "MediaMTX and other Go RTSP clients built with current Go",
        evidence: Evidence::Cited(
            "Go release notes 1.15-1.25 and src/crypto/tls/defaults.go; MediaMTX internal/protocols/tls; \
             gortsplib client.go and pkg/auth",
        ),
        tls: Some(GO_VERIFY),
        auth: AuthBehaviour::GORTSPLIB,
        transport_rtsps: TransportRule::TcpOnly,
        transport_rtsp: TransportRule::UdpThenTcp,
        h265: H265Support::Yes,
        srtp: true,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: Settings {
            legacy_tls: Some(
                "`GODEBUG=tlsrsakex=1,tls3des=1` in the environment brings back RSA key exchange and 3DES (TLS \
                 1.0/1.1 stay off for Go clients)",
            ),
            ..MEDIAMTX_SETTINGS
        },
    },
    ClientProfile {
        id: "go2rtc",
        name: "go2rtc (Frigate)",
        versions: "go2rtc 1.9 (Go 1.22+ crypto/tls)",
        used_by: "go2rtc, Frigate's restreamer, Home Assistant's go2rtc add-on",
        evidence: Evidence::Cited("go2rtc 1.9.14 pkg/tcp/dial.go, pkg/tcp/auth.go, internal/rtsp/README.md"),
        // pkg/tcp/dial.go: rtspx:// and rtsps:// to an IP literal set InsecureSkipVerify; rtsps:// to a
        // host name verifies with Go's defaults.
        tls: Some(TlsBehaviour { verification: Verification::SkippedForIpHosts, ..GO_VERIFY }),
        auth: AuthBehaviour::GO2RTC,
        transport_rtsps: TransportRule::TcpOnly,
        // TCP unless `#transport=udp`.
        transport_rtsp: TransportRule::TcpOnly,
        h265: H265Support::Yes,
        srtp: false,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: Settings {
            trust_ca: Some("`SSL_CERT_FILE={ca}` in go2rtc's environment (Go reads it on Linux)"),
            verify: Some(
                "go2rtc checks no certificate for rtsps:// to an IP address (nor for rtspx://) and has no \
                 pinning option: connect by a host name the certificate lists ({names}), or put MediaMTX with \
                 `sourceFingerprint` in front",
            ),
            udp: Some("`#transport=udp` after the URL"),
            ..Settings::NONE
        },
    },
    ClientProfile {
        id: "openssl3",
        name: "OpenSSL 3 (Python ssl)",
        versions: "Python 3.10-3.12 ssl.create_default_context() on OpenSSL 3.0, aiortsp 1.4",
        used_by: "Python tools (aiortsp, requests-style clients) and NVR stacks on OpenSSL 3 at security level 2",
        evidence: Evidence::Measured("Debian 12 Python 3.11 with OpenSSL 3.0, aiortsp 1.4.0"),
        tls: Some(OPENSSL3_PYTHON),
        auth: AuthBehaviour::AIORTSP,
        // aiortsp transport/__init__.py: rtsp -> UDP, rtspt -> TCP, rtsps -> TCP.
        transport_rtsps: TransportRule::TcpOnly,
        transport_rtsp: TransportRule::UdpOnly,
        h265: H265Support::Yes,
        srtp: false,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: Settings {
            trust_ca: Some(
                "`SSL_CERT_FILE={ca}` in the environment, or `ssl.create_default_context(cafile=\"{ca}\")`",
            ),
            pin: Some(
                "an SSLContext with `check_hostname = False` and `verify_mode = ssl.CERT_NONE` that then accepts \
                 the connection only if `hashlib.sha256(sock.getpeercert(binary_form=True)).hexdigest()` is \
                 {fingerprint_hex}",
            ),
            client_certificate: Some("`context.load_cert_chain(\"client.pem\", \"client.key\")`"),
            tcp: Some("aiortsp: an `rtspt://` URL"),
            udp: Some("aiortsp: an `rtsp://` URL (UDP)"),
            legacy_tls: Some(
                "`context.minimum_version = ssl.TLSVersion.TLSv1` and `context.set_ciphers(\"DEFAULT:@SECLEVEL=0\")`",
            ),
            ..Settings::NONE
        },
    },
    ClientProfile {
        id: "rustls",
        name: "rustls (rtspeek)",
        versions: "rustls 0.23 with webpki 0.103 (ring)",
        used_by: "rtspeek probe and bridge, Rust programs on tokio-rustls (retina itself has no TLS)",
        evidence: Evidence::Measured("rtspeek's own probe"),
        tls: Some(RUSTLS),
        auth: AuthBehaviour::RTSPEEK,
        transport_rtsps: TransportRule::TcpOnly,
        transport_rtsp: TransportRule::TcpThenUdp,
        h265: H265Support::Yes,
        // MIKEY (with MKI), SDES or KeyMgmt, the description's profile whatever the answer says (tests
        // probe_srtp, probe_srtp_peers, serve_srtp).
        srtp: true,
        srtp_keying: SrtpKeying {
            sdes: Some(true),
            mikey_mki: Some(true),
            follows_answer_profile: Some(false),
        },
        settings: Settings {
            trust_ca: Some("`--ca {ca}`"),
            client_certificate: Some("`--client-cert FILE --client-key FILE`"),
            tcp: Some("`--transport tcp`"),
            udp: Some("`--transport udp`"),
            legacy_tls: Some(
                "`--legacy-tls` diagnoses the layers above TLS over OpenSSL at security level 0 (the TLS layer \
                 stays failed)",
            ),
            ..Settings::NONE
        },
    },
    ClientProfile {
        id: "browser",
        name: "Browser preview",
        versions: "rtspeek's page through its bridge: rustls for RTSPS, WebCodecs for the picture",
        used_by: "the rtspeek page's live preview (Chrome/Edge 94+, Firefox 130+, Safari 16.4+)",
        evidence: Evidence::Measured(
            "Debian chromium through rtspeek bridge (H.264 decodes; H.265 refused without a platform decoder)",
        ),
        tls: Some(TlsBehaviour { client_certificate: false, ..RUSTLS }),
        auth: AuthBehaviour::RTSPEEK,
        transport_rtsps: TransportRule::TcpOnly,
        transport_rtsp: TransportRule::TcpThenUdp,
        // Chrome 107+ decodes HEVC only with a hardware decoder; Firefox likewise (weak sources, see
        // docs/clients.md); the page itself asks VideoDecoder.isConfigSupported.
        h265: H265Support::Platform,
        srtp: false,
        srtp_keying: SrtpKeying::UNKNOWN,
        settings: Settings {
            trust_ca: Some("the page's CA field (PEM of {ca})"),
            h265: Some("use the camera's H.264 stream for the browser preview"),
            ..Settings::NONE
        },
    },
];
