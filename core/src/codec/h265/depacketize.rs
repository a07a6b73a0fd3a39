//! RFC 7798 payload structures: single NAL unit packets, aggregation packets (AP), fragmentation units (FU)
//! and PACI packets (unwrapped: their payload is one of the other structures with its header rebuilt).
//! DONL/DOND fields (present when sprop-max-don-diff > 0) are skipped when the depacketizer is told so.

use super::super::depacketize::{Depacketizer, Fragment, Issue};
use super::{is_irap, nal_type};

/// Dispatches one RTP payload on the type field of its 2-byte payload header.
pub(crate) fn payload(d: &mut Depacketizer, seq: u16, payload: &[u8], donl: bool) {
    let [h0, h1, body @ ..] = payload else {
        d.damage(Issue::Malformed { seq, reason: "payload shorter than the 2-byte payload header" });
        return;
    };
    structure(d, seq, [*h0, *h1], body, donl, true);
}

/// One payload structure with header `header` and the bytes after it. `paci_allowed` is false inside a PACI
/// (RFC 7798 4.4.4: a PACI must not carry another PACI).
fn structure(d: &mut Depacketizer, seq: u16, header: [u8; 2], body: &[u8], donl: bool, paci_allowed: bool) {
    let kind = (header[0] >> 1) & 0x3F;
    match kind {
        0..=47 => {
            let body = if donl {
                let Some(body) = body.get(2..) else {
                    d.damage(Issue::Malformed { seq, reason: "single NAL unit packet without its DONL" });
                    return;
                };
                body
            } else {
                body
            };
            d.nal(seq, &header, body, is_irap(kind));
        }
        nal_type::AP => aggregation(d, seq, body, donl),
        nal_type::FU => fragmentation(d, seq, header, body, donl),
        nal_type::PACI if paci_allowed => paci(d, seq, header, body, donl),
        nal_type::PACI => d.damage(Issue::Malformed { seq, reason: "PACI inside a PACI" }),
        _ => d.damage(Issue::Unsupported { seq, packet_type: kind, name: "reserved" }),
    }
}

/// Aggregation packet (4.4.2): [DONL] size NAL, then [DOND] size NAL, repeated.
fn aggregation(d: &mut Depacketizer, seq: u16, mut rest: &[u8], donl: bool) {
    if rest.is_empty() {
        d.damage(Issue::Malformed { seq, reason: "AP without aggregation units" });
        return;
    }
    let mut first = true;
    while !rest.is_empty() {
        let skip = match (donl, first) {
            (false, _) => 0,
            (true, true) => 2,
            (true, false) => 1,
        };
        first = false;
        let Some((size, after)) = rest.get(skip..).and_then(|r| r.split_first_chunk::<2>()) else {
            d.damage(Issue::Malformed { seq, reason: "AP aggregation unit size truncated" });
            return;
        };
        let size = usize::from(u16::from_be_bytes(*size));
        // A unit holds at least its 2-byte NAL header: a smaller size overruns too.
        let Some((nal, next)) = after.split_at_checked(size) else {
            d.damage(Issue::Malformed { seq, reason: "AP aggregation unit overruns the packet" });
            return;
        };
        let Some((header, body)) = nal.split_first_chunk::<2>() else {
            d.damage(Issue::Malformed { seq, reason: "AP aggregation unit overruns the packet" });
            return;
        };
        d.nal(seq, header, body, is_irap((header[0] >> 1) & 0x3F));
        rest = next;
    }
}

/// Fragmentation unit (4.4.3): FU header (S, E, FuType), [DONL in the start fragment], fragment.
fn fragmentation(d: &mut Depacketizer, seq: u16, header: [u8; 2], body: &[u8], donl: bool) {
    let [fu_header, data @ ..] = body else {
        d.damage(Issue::Malformed { seq, reason: "FU without its FU header" });
        return;
    };
    let start = fu_header & 0x80 != 0;
    let kind = fu_header & 0x3F;
    let data = if donl && start {
        let Some(data) = data.get(2..) else {
            d.damage(Issue::Malformed { seq, reason: "FU start fragment without its DONL" });
            return;
        };
        data
    } else {
        data
    };
    // The NAL header: the payload header with its type replaced by FuType.
    let nal_header = [(header[0] & 0x81) | (kind << 1), header[1]];
    let fragment = Fragment { start, end: fu_header & 0x40 != 0, nal_type: kind, header: &nal_header, data };
    d.fragment(seq, fragment, is_irap(kind));
}

/// PACI (4.4.4): A, cType, PHSsize, F0..F2, Y; header extensions; then a payload structure whose header is
/// the PACI's with F := A and Type := cType.
fn paci(d: &mut Depacketizer, seq: u16, header: [u8; 2], body: &[u8], donl: bool) {
    let [b0, b1, rest @ ..] = body else {
        d.damage(Issue::Malformed { seq, reason: "PACI without its PACI fields" });
        return;
    };
    let a = b0 >> 7;
    let ctype = (b0 >> 1) & 0x3F;
    let phs_size = usize::from(((b0 & 1) << 4) | (b1 >> 4));
    let Some(inner) = rest.get(phs_size..) else {
        d.damage(Issue::Malformed { seq, reason: "PACI header extension overruns the packet" });
        return;
    };
    let inner_header = [(a << 7) | (ctype << 1) | (header[0] & 1), header[1]];
    structure(d, seq, inner_header, inner, donl, false);
}
