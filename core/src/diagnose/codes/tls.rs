//! TLS findings (`tls.*`): versions, cipher suites, alerts, client certificates, handshake failures.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    TLS_CODES;
    /// The port answered our ClientHello in another protocol: plain RTSP (`RTSP/1.0 400 Bad Request`), HTTP or
    /// something else. The port does not speak TLS: RTSPS is switched off, or the URL names the wrong port.
    TLS_NOT_TLS = "tls.not_tls", Tls, Error, "Port does not speak TLS",
        fix: "Enable RTSPS on the camera and use its RTSPS port (often 322), or use `rtsp://` on this port if cleartext is acceptable on this network.";
    /// The server accepted the TCP connection but sent nothing in answer to the ClientHello before the timeout.
    TLS_NO_ANSWER = "tls.no_answer", Tls, Error, "No answer to the TLS ClientHello",
        fix: "Check that the port is the camera's RTSPS port and that nothing in the path (firewall, proxy) swallows TLS; some servers wait silently for plain RTSP.";
    /// The server closed or reset the connection during the handshake without sending an alert (or in the
    /// middle of its answer). Old TLS stacks do this when they dislike the offer (version, cipher suites,
    /// extensions); overloaded devices do it when they run out of connections.
    TLS_CONNECTION_RESET = "tls.connection_reset", Tls, Error, "Connection closed during the TLS handshake",
        fix: "Compare which offers the server accepts (`rtspeek probe --tls-scan`); check the camera's TLS settings and its connection limit; update the firmware.";
    /// The server refused the handshake with an alert other than a version or cipher mismatch (the evidence
    /// names it, e.g. `unrecognized_name`, `internal_error`, `decode_error`).
    TLS_HANDSHAKE_ALERT = "tls.handshake.alert", Tls, Error, "Handshake refused with an alert",
        fix: "Read the alert's meaning in the evidence: unrecognized_name means the server knows no certificate for that host name, internal_error often a missing or unusable certificate or key on the camera.";
    /// The server supports none of the protocol versions offered (alert `protocol_version`, or an answer in a
    /// version that was not offered).
    TLS_PROTOCOL_VERSION = "tls.protocol_version", Tls, Error, "No protocol version in common",
        fix: "Enable TLS 1.2 (and 1.3 if available) on the camera; update the firmware if it offers only SSL 3.0 or versions this client does not speak.";
    /// The server accepts only TLS 1.0 or 1.1. rustls, current browsers and RFC 8996 refuse these versions, so
    /// modern clients cannot connect, whatever the certificate.
    TLS_VERSION_LEGACY_ONLY = "tls.version.legacy_only", Tls, Error, "Only TLS 1.0/1.1 (refused by modern clients)",
        fix: "Update the camera firmware and enable TLS 1.2 or 1.3; if that is impossible, put a TLS-terminating proxy in front of it and keep it on an isolated network.";
    /// The server accepts TLS 1.2 or 1.3 but also still accepts TLS 1.0 or 1.1, which RFC 8996 deprecates.
    TLS_VERSION_LEGACY_ENABLED = "tls.version.legacy_enabled", Tls, Warning, "TLS 1.0/1.1 still enabled",
        fix: "Disable TLS 1.0 and 1.1 in the camera's security settings (keep TLS 1.2 and 1.3).";
    /// No cipher suite in common: the server refused our suites (alert `handshake_failure` or
    /// `insufficient_security`), or it accepts only suites modern clients such as rustls do not offer
    /// (rustls offers only forward-secret AEAD suites: ECDHE with AES-GCM or ChaCha20-Poly1305, and TLS 1.3).
    TLS_NO_COMMON_CIPHER = "tls.no_common_cipher", Tls, Error, "No cipher suite in common",
        fix: "Enable ECDHE cipher suites with AES-GCM or ChaCha20-Poly1305 on the camera (TLS 1.2), or TLS 1.3; update the firmware if it offers none.";
    /// The server accepts cipher suites with known weaknesses: RC4, 3DES, DES, export or NULL ciphers,
    /// anonymous key exchange, CBC mac-then-encrypt without encrypt_then_mac, or static RSA key exchange (no
    /// forward secrecy). The evidence lists each suite with its weaknesses.
    TLS_WEAK_CIPHER = "tls.weak_cipher", Tls, Warning, "Weak cipher suites accepted",
        fix: "Restrict the camera to ECDHE suites with AES-GCM or ChaCha20-Poly1305 (and TLS 1.3); disable RC4, 3DES, export, NULL, anonymous and static-RSA suites.";
    /// The server asks for a client certificate (TLS 1.2 CertificateRequest, or alert `certificate_required`
    /// in TLS 1.3). Clients without a certificate from an accepted CA fail the handshake.
    TLS_CLIENT_CERT_REQUIRED = "tls.client_cert_required", Tls, Error, "Client certificate required",
        fix: "Give the client a certificate signed by one of the CAs the server accepts (`--client-cert FILE --client-key FILE`), or turn off client authentication on the camera.";
    /// The server's answer breaks the TLS protocol: malformed records or messages, messages out of order, or
    /// a cipher suite or version that was not offered. Strict clients abort.
    TLS_PROTOCOL_VIOLATION = "tls.protocol_violation", Tls, Error, "TLS protocol violation",
        fix: "Update the camera firmware; report the evidence (byte offset and field) to the vendor.";
}
