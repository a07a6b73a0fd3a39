//! Alerts (RFC 5246 7.2, RFC 8446 6): level, description, and what a description usually means when a server
//! sends it in answer to a ClientHello.

use serde::{Deserialize, Serialize};

use super::error::ParseError;

/// Alert level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertLevel(pub u8);

impl AlertLevel {
    /// warning (1).
    pub const WARNING: Self = Self(1);
    /// fatal (2).
    pub const FATAL: Self = Self(2);

    /// `warning`, `fatal`, or `None` for another value.
    pub const fn name(self) -> Option<&'static str> {
        match self.0 {
            1 => Some("warning"),
            2 => Some("fatal"),
            _ => None,
        }
    }
}

impl std::fmt::Display for AlertLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown level {}", self.0),
        }
    }
}

/// Alert description. Every value of the IANA "TLS Alerts" registry has a constant and a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertDescription(pub u8);

/// `(value, constant, name, what a server means by it when it answers a ClientHello)`.
macro_rules! descriptions {
    ($(($value:literal, $ident:ident, $name:literal, $meaning:literal),)*) => {
        impl AlertDescription {
            $(
                #[doc = concat!("`", $name, "` (", stringify!($value), "): ", $meaning)]
                pub const $ident: Self = Self($value);
            )*

            /// The registry name (`handshake_failure`), or `None` for an unassigned value.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($name),)*
                    _ => None,
                }
            }

            /// What a server usually means by this alert when it answers a ClientHello, for people.
            pub const fn meaning(self) -> &'static str {
                match self.0 {
                    $($value => $meaning,)*
                    _ => "an alert value outside the IANA registry",
                }
            }
        }
    };
}

descriptions! {
    (0, CLOSE_NOTIFY, "close_notify", "the server closes the connection in an orderly way."),
    (10, UNEXPECTED_MESSAGE, "unexpected_message", "the server received a message it did not expect at that point."),
    (20, BAD_RECORD_MAC, "bad_record_mac", "a record failed its integrity check."),
    (21, DECRYPTION_FAILED, "decryption_failed", "obsolete (TLS 1.0 only): a record could not be decrypted."),
    (22, RECORD_OVERFLOW, "record_overflow", "a record was longer than allowed."),
    (30, DECOMPRESSION_FAILURE, "decompression_failure", "obsolete: TLS compression failed."),
    (40, HANDSHAKE_FAILURE, "handshake_failure", "the server found no acceptable set of parameters, usually no cipher suite in common."),
    (41, NO_CERTIFICATE, "no_certificate", "obsolete (SSL 3.0): no certificate was available."),
    (42, BAD_CERTIFICATE, "bad_certificate", "a certificate was corrupt or its signature did not verify."),
    (43, UNSUPPORTED_CERTIFICATE, "unsupported_certificate", "a certificate was of an unsupported type."),
    (44, CERTIFICATE_REVOKED, "certificate_revoked", "a certificate was revoked by its signer."),
    (45, CERTIFICATE_EXPIRED, "certificate_expired", "a certificate has expired or is not yet valid."),
    (46, CERTIFICATE_UNKNOWN, "certificate_unknown", "a certificate was unacceptable for another reason."),
    (47, ILLEGAL_PARAMETER, "illegal_parameter", "a field in the handshake was out of range or inconsistent."),
    (48, UNKNOWN_CA, "unknown_ca", "a certificate chain did not lead to a trusted CA."),
    (49, ACCESS_DENIED, "access_denied", "the peer refuses access by policy."),
    (50, DECODE_ERROR, "decode_error", "the server could not decode a message: the ClientHello looked malformed to it."),
    (51, DECRYPT_ERROR, "decrypt_error", "a cryptographic check (signature, Finished) failed."),
    (52, TOO_MANY_CIDS_REQUESTED, "too_many_cids_requested", "DTLS only: too many connection IDs were requested."),
    (60, EXPORT_RESTRICTION, "export_restriction", "obsolete: an export-restricted negotiation was attempted."),
    (70, PROTOCOL_VERSION, "protocol_version", "the server supports none of the protocol versions offered."),
    (71, INSUFFICIENT_SECURITY, "insufficient_security", "the server requires stronger cipher suites or parameters than were offered."),
    (80, INTERNAL_ERROR, "internal_error", "the server failed for its own reasons (often a missing or unusable certificate or key)."),
    (86, INAPPROPRIATE_FALLBACK, "inappropriate_fallback", "the server saw a fallback signal for a version lower than it supports."),
    (90, USER_CANCELED, "user_canceled", "the handshake was cancelled for a reason unrelated to the protocol."),
    (100, NO_RENEGOTIATION, "no_renegotiation", "the peer refuses to renegotiate."),
    (109, MISSING_EXTENSION, "missing_extension", "a mandatory extension was missing from the ClientHello."),
    (110, UNSUPPORTED_EXTENSION, "unsupported_extension", "an extension was sent where it is not allowed."),
    (111, CERTIFICATE_UNOBTAINABLE, "certificate_unobtainable", "obsolete: a certificate could not be obtained from a URL."),
    (112, UNRECOGNIZED_NAME, "unrecognized_name", "the server has no certificate for the name sent in SNI."),
    (113, BAD_CERTIFICATE_STATUS_RESPONSE, "bad_certificate_status_response", "an OCSP response was invalid."),
    (114, BAD_CERTIFICATE_HASH_VALUE, "bad_certificate_hash_value", "obsolete: a certificate hash did not match."),
    (115, UNKNOWN_PSK_IDENTITY, "unknown_psk_identity", "the server does not know the pre-shared key identity."),
    (116, CERTIFICATE_REQUIRED, "certificate_required", "the server requires a client certificate and none was sent."),
    (120, NO_APPLICATION_PROTOCOL, "no_application_protocol", "the server supports none of the ALPN protocols offered."),
    (121, ECH_REQUIRED, "ech_required", "the server requires Encrypted Client Hello."),
}

impl std::fmt::Display for AlertDescription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "unknown alert {}", self.0),
        }
    }
}

/// An alert message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Alert {
    /// Warning or fatal.
    pub level: AlertLevel,
    /// What went wrong.
    pub description: AlertDescription,
}

impl Alert {
    /// Parses the first alert of an alert record's fragment. A fragment shorter than 2 bytes is invalid (TLS
    /// 1.3 forbids fragmenting alerts, and no server splits one); further alerts in the same record are ignored.
    pub fn parse(fragment: &[u8]) -> Result<Alert, ParseError> {
        match fragment {
            [level, description, ..] => {
                Ok(Alert { level: AlertLevel(*level), description: AlertDescription(*description) })
            }
            _ => Err(ParseError::Invalid { pos: 0, context: "alert (fragment shorter than 2 bytes)" }),
        }
    }

    /// The two bytes of the alert.
    pub const fn to_bytes(self) -> [u8; 2] {
        [self.level.0, self.description.0]
    }

    /// Whether the alert ends the connection: fatal, or a close_notify at any level.
    pub const fn is_fatal(self) -> bool {
        self.level.0 == AlertLevel::FATAL.0 || self.description.0 == AlertDescription::CLOSE_NOTIFY.0
    }
}

impl std::fmt::Display for Alert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.level, self.description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn parses_alerts_and_names_them() {
        let alert = Alert::parse(&[2, 40]).unwrap();
        assert_eq!(
            alert,
            Alert { level: AlertLevel::FATAL, description: AlertDescription::HANDSHAKE_FAILURE }
        );
        assert_eq!(alert.to_string(), "fatal handshake_failure (40)");
        assert!(alert.is_fatal());
        assert_eq!(alert.to_bytes(), [2, 40]);
        assert_eq!(Alert::parse(&[1, 112, 2, 40]).unwrap().description, AlertDescription::UNRECOGNIZED_NAME);
        assert!(!Alert::parse(&[1, 112]).unwrap().is_fatal());
        assert!(Alert::parse(&[1, 0]).unwrap().is_fatal());
        assert!(matches!(Alert::parse(&[2]), Err(ParseError::Invalid { pos: 0, .. })));
        assert!(Alert::parse(&[]).is_err());
    }

    #[test]
    fn every_registry_value_has_a_name_and_a_meaning() {
        let registry = [
            0, 10, 20, 21, 22, 30, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 60, 70, 71, 80, 86,
            90, 100, 109, 110, 111, 112, 113, 114, 115, 116, 120, 121,
        ];
        let mut named = 0;
        for value in 0..=255u8 {
            let d = AlertDescription(value);
            assert_eq!(d.name().is_some(), registry.contains(&value), "value {value}");
            if d.name().is_some() {
                named += 1;
                assert!(d.meaning().ends_with('.'));
            }
        }
        assert_eq!(named, registry.len());
        assert_eq!(AlertDescription::CERTIFICATE_REQUIRED.to_string(), "certificate_required (116)");
        assert_eq!(AlertDescription::PROTOCOL_VERSION.name(), Some("protocol_version"));
        assert_eq!(AlertDescription::INSUFFICIENT_SECURITY.0, 71);
        assert_eq!(AlertDescription(200).to_string(), "unknown alert 200");
        assert_eq!(AlertLevel(7).to_string(), "unknown level 7");
    }
}
