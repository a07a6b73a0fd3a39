//! Source description packets (SDES, RFC 3550 6.5): per source, a list of items (CNAME, NAME, TOOL...).
//!
//! Each chunk is an SSRC/CSRC followed by items `type:8 | length:8 | text`, ended by a null type octet and
//! null padding up to the next 32-bit boundary.

use super::error::{RtcpError, RtcpErrorReason, truncated};

/// The type of an SDES item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdesItemKind {
    /// 1: canonical end-point identifier, stable across SSRC changes of one sender.
    Cname,
    /// 2: user name.
    Name,
    /// 3: e-mail address.
    Email,
    /// 4: phone number.
    Phone,
    /// 5: geographic location.
    Location,
    /// 6: application or tool name (cameras often put their firmware here).
    Tool,
    /// 7: notice or status.
    Note,
    /// 8: private extension (prefix length, prefix, value).
    Private,
    /// Any other (unassigned) type.
    Other(u8),
}

impl SdesItemKind {
    /// The kind of a type octet (never 0, which ends the item list).
    pub fn from_type(t: u8) -> Self {
        match t {
            1 => SdesItemKind::Cname,
            2 => SdesItemKind::Name,
            3 => SdesItemKind::Email,
            4 => SdesItemKind::Phone,
            5 => SdesItemKind::Location,
            6 => SdesItemKind::Tool,
            7 => SdesItemKind::Note,
            8 => SdesItemKind::Private,
            other => SdesItemKind::Other(other),
        }
    }

    /// The type octet.
    pub fn type_octet(self) -> u8 {
        match self {
            SdesItemKind::Cname => 1,
            SdesItemKind::Name => 2,
            SdesItemKind::Email => 3,
            SdesItemKind::Phone => 4,
            SdesItemKind::Location => 5,
            SdesItemKind::Tool => 6,
            SdesItemKind::Note => 7,
            SdesItemKind::Private => 8,
            SdesItemKind::Other(t) => t,
        }
    }
}

/// One SDES item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesItem<'a> {
    /// The item type.
    pub kind: SdesItemKind,
    /// The value (UTF-8 text by the RFC, but not checked: cameras send what they send).
    pub value: &'a [u8],
}

impl<'a> SdesItem<'a> {
    /// For a PRIV item, its prefix and its value (`None` for other kinds, or if the prefix length overruns).
    pub fn private_parts(&self) -> Option<(&'a [u8], &'a [u8])> {
        if self.kind != SdesItemKind::Private {
            return None;
        }
        let (&len, rest) = self.value.split_first()?;
        let len = usize::from(len);
        rest.split_at_checked(len)
    }
}

/// A source description packet (type 202), checked: every chunk and item lies within the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceDescription<'a> {
    count: u8,
    body: &'a [u8],
}

impl<'a> SourceDescription<'a> {
    /// Checks an SDES body (after the common header; `at` is its offset in the compound packet).
    pub(super) fn parse(count: u8, body: &'a [u8], at: usize) -> Result<Self, RtcpError> {
        let mut pos = 0;
        for _ in 0..count {
            pos = check_chunk(body, pos, at)?;
        }
        // `check_chunk` returns positions within `body`.
        let rest = body.get(pos..).unwrap_or_default();
        if rest.iter().any(|&b| b != 0) {
            return Err(RtcpError { offset: at + pos, reason: RtcpErrorReason::TrailingBytes(rest.len()) });
        }
        Ok(SourceDescription { count, body })
    }

    /// The chunks, one per source.
    pub fn chunks(&self) -> SdesChunks<'a> {
        SdesChunks { body: self.body, pos: 0, left: self.count }
    }

    /// The CNAME of `ssrc`, if this packet has one for it.
    pub fn cname_of(&self, ssrc: u32) -> Option<&'a [u8]> {
        self.chunks().find(|c| c.ssrc == ssrc).and_then(|c| c.cname())
    }
}

/// Checks the chunk at `pos` and returns the position of the next one.
fn check_chunk(body: &[u8], pos: usize, at: usize) -> Result<usize, RtcpError> {
    let Some(&ssrc) = body.get(pos..).and_then(<[u8]>::first_chunk) else {
        return Err(truncated(at + pos, "SDES chunk", 4, body.len() - pos));
    };
    let ssrc = u32::from_be_bytes(ssrc);
    let mut p = pos + 4;
    loop {
        match body.get(p) {
            None => {
                return Err(RtcpError { offset: at + p, reason: RtcpErrorReason::SdesUnterminated { ssrc } });
            }
            Some(0) => break,
            Some(_) => {
                let Some(&len) = body.get(p + 1) else {
                    return Err(truncated(at + p, "SDES item", 2, body.len() - p));
                };
                let end = p + 2 + usize::from(len);
                if end > body.len() {
                    return Err(truncated(at + p, "SDES item", end - p, body.len() - p));
                }
                p = end;
            }
        }
    }
    // The null item, then null octets up to the next 32-bit boundary (the body starts on one).
    let next = (p + 1).div_ceil(4) * 4;
    if next > body.len() {
        return Err(truncated(at + p, "SDES chunk padding", next - p, body.len() - p));
    }
    Ok(next)
}

/// Iterator over the chunks of a checked SDES packet.
#[derive(Debug, Clone)]
pub struct SdesChunks<'a> {
    body: &'a [u8],
    pos: usize,
    left: u8,
}

impl<'a> Iterator for SdesChunks<'a> {
    type Item = SdesChunk<'a>;

    fn next(&mut self) -> Option<SdesChunk<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // The packet was checked, so the lookups succeed; `?` keeps this panic-free regardless.
        let ssrc = u32::from_be_bytes(*self.body.get(self.pos..)?.first_chunk()?);
        let items_start = self.pos + 4;
        let mut p = items_start;
        while *self.body.get(p)? != 0 {
            p += 2 + usize::from(*self.body.get(p + 1)?);
        }
        self.pos = (p + 1).div_ceil(4) * 4;
        Some(SdesChunk { ssrc, items: self.body.get(items_start..p)? })
    }
}

/// The items about one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesChunk<'a> {
    /// The SSRC or CSRC described.
    pub ssrc: u32,
    items: &'a [u8],
}

impl<'a> SdesChunk<'a> {
    /// The items, in order (without the terminating null item).
    pub fn items(&self) -> SdesItems<'a> {
        SdesItems { items: self.items }
    }

    /// The first CNAME item's value.
    pub fn cname(&self) -> Option<&'a [u8]> {
        self.items().find(|i| i.kind == SdesItemKind::Cname).map(|i| i.value)
    }
}

/// Iterator over the items of a chunk.
#[derive(Debug, Clone)]
pub struct SdesItems<'a> {
    items: &'a [u8],
}

impl<'a> Iterator for SdesItems<'a> {
    type Item = SdesItem<'a>;

    fn next(&mut self) -> Option<SdesItem<'a>> {
        let (&t, rest) = self.items.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let Some((value, rest)) = rest.split_at_checked(usize::from(len)) else {
            self.items = &[];
            return None;
        };
        self.items = rest;
        Some(SdesItem { kind: SdesItemKind::from_type(t), value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Two chunks: SSRC 1 with CNAME "cam@host" + TOOL "fw", SSRC 2 with PRIV (prefix "x", value "yz").
    fn two_chunks() -> Vec<u8> {
        let mut b = vec![0, 0, 0, 1, 1, 8];
        b.extend_from_slice(b"cam@host");
        b.extend_from_slice(&[6, 2, b'f', b'w', 0, 0]); // 4 + 10 + 4 = 18 -> null + 1 pad = 20
        b.extend_from_slice(&[0, 0, 0, 2, 8, 4, 1, b'x', b'y', b'z', 0, 0]);
        b
    }

    #[test]
    fn chunks_items_cname_and_priv() {
        let body = two_chunks();
        let sdes = SourceDescription::parse(2, &body, 4).unwrap();
        let chunks: Vec<_> = sdes.chunks().collect();
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].ssrc, 1);
        assert_eq!(chunks[0].cname(), Some(&b"cam@host"[..]));
        let kinds: Vec<_> = chunks[0].items().map(|i| i.kind).collect();
        assert_eq!(kinds, [SdesItemKind::Cname, SdesItemKind::Tool]);
        let private = chunks[1].items().next().unwrap();
        assert_eq!(private.private_parts(), Some((&b"x"[..], &b"yz"[..])));
        assert_eq!(chunks[1].cname(), None);
        assert_eq!(sdes.cname_of(1), Some(&b"cam@host"[..]));
        assert_eq!(sdes.cname_of(3), None);
    }

    #[test]
    fn item_kinds_round_trip() {
        for t in 1..=255u8 {
            assert_eq!(SdesItemKind::from_type(t).type_octet(), t);
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        let body = two_chunks();
        for len in 0..body.len() {
            // The chunk boundary after the first chunk, with count 1, is the only valid prefix.
            assert!(SourceDescription::parse(2, &body[..len], 4).is_err(), "len {len}");
        }
        assert!(SourceDescription::parse(1, &body[..20], 4).is_ok());
    }

    #[test]
    fn missing_terminator_and_trailing_bytes() {
        // CNAME item filling the chunk exactly: no room for the null item.
        let body = [0, 0, 0, 9, 1, 2, b'a', b'b'];
        let err = SourceDescription::parse(1, &body, 4).unwrap_err();
        assert_eq!(err, RtcpError { offset: 12, reason: RtcpErrorReason::SdesUnterminated { ssrc: 9 } });
        // Count 0 but a chunk present.
        let body = [0, 0, 0, 9, 1, 1, b'a', 0];
        let err = SourceDescription::parse(0, &body, 4).unwrap_err();
        assert_eq!(err, RtcpError { offset: 4, reason: RtcpErrorReason::TrailingBytes(8) });
        // Zero bytes after the chunks are padding.
        assert!(SourceDescription::parse(0, &[0; 8], 4).is_ok());
    }

    #[test]
    fn priv_with_overrunning_prefix_has_no_parts() {
        let item = SdesItem { kind: SdesItemKind::Private, value: &[5, b'a'] };
        assert_eq!(item.private_parts(), None);
        assert_eq!(SdesItem { kind: SdesItemKind::Note, value: b"n" }.private_parts(), None);
    }
}
