//! Application-defined packets (APP, RFC 3550 6.7).

use super::error::{RtcpError, truncated};

/// An application-defined packet (type 204).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct App<'a> {
    /// The 5-bit subtype (in the count field).
    pub subtype: u8,
    /// The sender's SSRC/CSRC.
    pub ssrc: u32,
    /// The four-character name of the application (ASCII by the RFC, not checked).
    pub name: [u8; 4],
    /// Application data (a whole number of 32-bit words).
    pub data: &'a [u8],
}

impl<'a> App<'a> {
    /// Parses an APP body (after the common header; `at` is its offset in the compound packet).
    pub(super) fn parse(subtype: u8, body: &'a [u8], at: usize) -> Result<Self, RtcpError> {
        let Some((head, data)) = body.split_first_chunk::<8>() else {
            return Err(truncated(at, "APP SSRC and name", 8, body.len()));
        };
        let ssrc = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        Ok(App { subtype, ssrc, name: [head[4], head[5], head[6], head[7]], data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn fields_and_truncation() {
        let app = App::parse(3, &[0, 0, 0, 5, b'T', b'E', b'S', b'T', 1, 2, 3, 4], 4).unwrap();
        assert_eq!((app.subtype, app.ssrc, &app.name, app.data), (3, 5, b"TEST", &[1u8, 2, 3, 4][..]));
        assert_eq!(App::parse(0, &[0; 7], 4).unwrap_err(), truncated(4, "APP SSRC and name", 8, 7));
    }
}
