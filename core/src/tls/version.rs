//! Protocol versions as they appear on the wire.

use serde::{Deserialize, Serialize};

/// A TLS protocol version: the 16-bit wire value (`0x0303` is TLS 1.2). Ordered by value, which is the
/// protocol order for SSL 3.0 to TLS 1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProtocolVersion(pub u16);

impl ProtocolVersion {
    /// SSL 3.0 (RFC 6101), prohibited by RFC 7568.
    pub const SSL3_0: Self = Self(0x0300);
    /// TLS 1.0 (RFC 2246), deprecated by RFC 8996.
    pub const TLS1_0: Self = Self(0x0301);
    /// TLS 1.1 (RFC 4346), deprecated by RFC 8996.
    pub const TLS1_1: Self = Self(0x0302);
    /// TLS 1.2 (RFC 5246).
    pub const TLS1_2: Self = Self(0x0303);
    /// TLS 1.3 (RFC 8446).
    pub const TLS1_3: Self = Self(0x0304);

    /// The versions this codec can offer, oldest first.
    pub const OFFERABLE: [Self; 4] = [Self::TLS1_0, Self::TLS1_1, Self::TLS1_2, Self::TLS1_3];

    /// `TLS 1.2`, or `None` for a value that is no released version.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x0300 => "SSL 3.0",
            0x0301 => "TLS 1.0",
            0x0302 => "TLS 1.1",
            0x0303 => "TLS 1.2",
            0x0304 => "TLS 1.3",
            _ => return None,
        })
    }

    /// The version named `name` (`TLS 1.2`, as [`name`](Self::name) writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::SSL3_0, Self::TLS1_0, Self::TLS1_1, Self::TLS1_2, Self::TLS1_3]
            .into_iter()
            .find(|v| v.name() == Some(name))
    }

    /// TLS 1.0 and 1.1 (and SSL 3.0): versions that rustls, current browsers and RFC 8996 refuse.
    pub const fn is_legacy(self) -> bool {
        self.0 < Self::TLS1_2.0
    }

    /// TLS 1.3 or a later value: the handshake is encrypted after the ServerHello.
    pub const fn is_tls13_or_later(self) -> bool {
        self.0 >= Self::TLS1_3.0
    }
}

impl std::fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown version 0x{:04x}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn names_order_and_legacy() {
        assert_eq!(ProtocolVersion::TLS1_2.to_string(), "TLS 1.2");
        assert_eq!(ProtocolVersion::SSL3_0.to_string(), "SSL 3.0");
        assert_eq!(ProtocolVersion(0x7f1c).to_string(), "unknown version 0x7f1c");
        assert!(ProtocolVersion::TLS1_0 < ProtocolVersion::TLS1_3);
        assert!(ProtocolVersion::TLS1_1.is_legacy() && !ProtocolVersion::TLS1_2.is_legacy());
        assert!(ProtocolVersion::TLS1_3.is_tls13_or_later() && !ProtocolVersion::TLS1_2.is_tls13_or_later());
    }
}
