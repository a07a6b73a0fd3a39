//! TCP and TLS outcomes of the main connection, as findings.

use std::time::Duration;

use super::io::{ConnectError, ConnectErrorKind, HandshakeFailure, TlsParameter};
use crate::Finding;
use crate::diagnose::codes;
use crate::tls::AlertDescription;

/// The finding for a connection attempt that failed.
pub(crate) fn connect_failed(error: &ConnectError, host: &str, port: u16) -> Finding {
    let target = format!("{}:{port}", bracket(host));
    let (code, summary) = match error.kind {
        ConnectErrorKind::Dns => (codes::TCP_DNS_FAILED, format!("{host} does not resolve to an address")),
        ConnectErrorKind::Refused => (codes::TCP_REFUSED, format!("{target} refused the connection")),
        ConnectErrorKind::TimedOut => (codes::TCP_TIMEOUT, format!("no answer from {target}")),
        ConnectErrorKind::Unreachable => (codes::TCP_UNREACHABLE, format!("{target} is unreachable")),
        ConnectErrorKind::Other => (codes::TCP_CONNECT_FAILED, format!("cannot connect to {target}")),
    };
    Finding::new(code, summary)
        .with_evidence("target", target)
        .with_evidence("os_error", error.message.clone())
}

/// The finding for a connection attempt the probe gave up on.
pub(crate) fn connect_timed_out(host: &str, port: u16, after: Duration) -> Finding {
    let target = format!("{}:{port}", bracket(host));
    Finding::new(codes::TCP_TIMEOUT, format!("no answer from {target} within {}", seconds(after)))
        .with_evidence("target", target)
        .with_evidence("timeout", seconds(after))
}

/// The finding for a failed handshake with the modern client, when the TLS scan does not explain it better.
/// `None` for a certificate failure: the certificate layer reports that.
pub(crate) fn handshake_failed(failure: &HandshakeFailure, client_certificate: bool) -> Option<Finding> {
    let finding = match failure {
        HandshakeFailure::Certificate => return None,
        HandshakeFailure::Closed => Finding::new(
            codes::TLS_CONNECTION_RESET,
            "the server closed the connection during the TLS handshake, without an alert",
        ),
        HandshakeFailure::Reset => Finding::new(
            codes::TLS_CONNECTION_RESET,
            "the server reset the connection during the TLS handshake",
        ),
        HandshakeFailure::Alert(code) => alert_finding(AlertDescription(*code), client_certificate),
        HandshakeFailure::Incompatible { parameter, detail } => {
            let code = match parameter {
                TlsParameter::Version => codes::TLS_PROTOCOL_VERSION,
                TlsParameter::CipherSuite
                | TlsParameter::KeyExchange
                | TlsParameter::SignatureScheme
                | TlsParameter::Other => codes::TLS_NO_COMMON_CIPHER,
            };
            Finding::new(code, format!("no TLS parameters in common with a modern client: {detail}"))
        }
        HandshakeFailure::NotTls(why) => {
            Finding::new(codes::TLS_NOT_TLS, "the server's answer to the ClientHello is not TLS")
                .with_evidence("tls_error", why.clone())
        }
        HandshakeFailure::Other(why) => {
            Finding::new(codes::TLS_CONNECTION_RESET, format!("the TLS handshake failed: {why}"))
        }
    };
    Some(finding.with_evidence("client", "rustls (TLS 1.2 and 1.3, forward-secret AEAD suites)"))
}

/// The finding for a fatal alert, during or right after the handshake.
pub(crate) fn alert_finding(alert: AlertDescription, client_certificate: bool) -> Finding {
    let name = alert.to_string();
    let finding = match alert.0 {
        // certificate_required (TLS 1.3, RFC 8446): the server wanted a client certificate.
        116 if !client_certificate => Finding::new(
            codes::TLS_CLIENT_CERT_REQUIRED,
            "the server requires a client certificate (alert certificate_required)",
        ),
        70 => Finding::new(codes::TLS_PROTOCOL_VERSION, "the server refused every protocol version offered"),
        40 | 71 => Finding::new(
            codes::TLS_NO_COMMON_CIPHER,
            format!("the server refused the handshake with {name}: no cipher suite or parameters in common"),
        ),
        _ => {
            Finding::new(codes::TLS_HANDSHAKE_ALERT, format!("the server refused the handshake with {name}"))
        }
    };
    let finding = finding.with_evidence("alert", format!("{name} ({})", alert.0));
    if client_certificate && matches!(alert.0, 42 | 43 | 44 | 45 | 46 | 48 | 116) {
        finding.with_detail("A client certificate was presented; the server refused it (or its CA).")
    } else {
        finding
    }
}

/// The finding for silence where a TLS handshake or answer was expected.
pub(crate) fn handshake_timed_out(after: Duration) -> Finding {
    Finding::new(
        codes::TLS_NO_ANSWER,
        format!("the TLS handshake did not complete within {}", seconds(after)),
    )
    .with_evidence("timeout", seconds(after))
}

/// `[::1]` for IPv6 literals, the host as is otherwise.
pub(crate) fn bracket(host: &str) -> String {
    if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
}

/// `2.5 s`, `500 ms`.
pub(crate) fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", (d.as_millis() as f64 / 100.0).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incompatibility_is_classified_by_its_parameter_not_its_words() {
        let code = |parameter, detail: &str| {
            let failure = HandshakeFailure::Incompatible { parameter, detail: detail.to_owned() };
            handshake_failed(&failure, false).map(|f| f.code.clone())
        };
        // rustls' name for a TLS 1.0 server does not contain "version"; the words used to decide.
        assert_eq!(
            code(TlsParameter::Version, "ServerDoesNotSupportTls12Or13"),
            Some(codes::TLS_PROTOCOL_VERSION.code.to_owned())
        );
        assert_eq!(
            code(TlsParameter::CipherSuite, "version"),
            Some(codes::TLS_NO_COMMON_CIPHER.code.to_owned())
        );
        assert_eq!(
            code(TlsParameter::KeyExchange, "NoKxGroupsInCommon"),
            Some(codes::TLS_NO_COMMON_CIPHER.code.to_owned())
        );
    }
}
