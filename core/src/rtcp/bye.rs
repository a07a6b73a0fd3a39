//! Goodbye packets (BYE, RFC 3550 6.6): sources leaving the session, with an optional reason.

use super::error::{RtcpError, RtcpErrorReason, truncated};

/// A goodbye packet (type 203), checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bye<'a> {
    sources: &'a [u8],
    reason: Option<&'a [u8]>,
}

impl<'a> Bye<'a> {
    /// Checks a BYE body (after the common header; `at` is its offset in the compound packet).
    pub(super) fn parse(count: u8, body: &'a [u8], at: usize) -> Result<Self, RtcpError> {
        let needed = usize::from(count) * 4;
        let Some((sources, rest)) = body.split_at_checked(needed) else {
            return Err(truncated(at, "BYE sources", needed, body.len()));
        };
        let reason = match rest.split_first() {
            None => None,
            Some((&len, text)) => {
                let Some((reason, padding)) = text.split_at_checked(usize::from(len)) else {
                    return Err(truncated(at + needed, "BYE reason", 1 + usize::from(len), rest.len()));
                };
                if padding.iter().any(|&b| b != 0) {
                    let offset = at + needed + 1 + reason.len();
                    return Err(RtcpError { offset, reason: RtcpErrorReason::TrailingBytes(padding.len()) });
                }
                Some(reason)
            }
        };
        Ok(Bye { sources, reason })
    }

    /// The SSRC/CSRC identifiers leaving.
    pub fn sources(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.sources.as_chunks::<4>().0.iter().map(|&c| u32::from_be_bytes(c))
    }

    /// The reason for leaving, as sent (UTF-8 by the RFC, not checked).
    pub fn reason(&self) -> Option<&'a [u8]> {
        self.reason
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sources_and_reason() {
        let body = [0, 0, 0, 1, 0, 0, 0, 2, 6, b's', b't', b'o', b'p', b'p', b'd', 0];
        let bye = Bye::parse(2, &body, 4).unwrap();
        assert_eq!(bye.sources().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(bye.reason(), Some(&b"stoppd"[..]));
        let bye = Bye::parse(1, &body[..4], 4).unwrap();
        assert_eq!((bye.sources().len(), bye.reason()), (1, None));
    }

    #[test]
    fn overruns_and_garbage_are_errors() {
        assert_eq!(Bye::parse(2, &[0; 4], 4).unwrap_err(), truncated(4, "BYE sources", 8, 4));
        let err = Bye::parse(1, &[0, 0, 0, 1, 9, b'a', b'b', b'c'], 4).unwrap_err();
        assert_eq!(err, truncated(8, "BYE reason", 10, 4));
        let err = Bye::parse(1, &[0, 0, 0, 1, 1, b'a', 7, 0], 4).unwrap_err();
        assert_eq!(err, RtcpError { offset: 10, reason: RtcpErrorReason::TrailingBytes(2) });
    }
}
