//! RFC 6184 payload structures in non-interleaved mode: single NAL unit packets, STAP-A and FU-A. STAP-B,
//! MTAP16/24 and FU-B exist only in interleaved mode (packetization-mode=2), which no camera uses; they are
//! recognised and reported as unsupported.

use super::super::depacketize::{Depacketizer, Fragment, Issue};
use super::{nal_type, nal_type_name};

/// Dispatches one RTP payload on its type (the NAL unit type field of its first byte).
pub(crate) fn payload(d: &mut Depacketizer, seq: u16, payload: &[u8]) {
    let Some((first, rest)) = payload.split_first() else {
        d.damage(Issue::Malformed { seq, reason: "empty payload" });
        return;
    };
    let kind = first & 0x1F;
    match kind {
        1..=23 => d.nal(seq, std::slice::from_ref(first), rest, kind == nal_type::IDR),
        nal_type::STAP_A => stap_a(d, seq, rest),
        nal_type::FU_A => fu_a(d, seq, payload),
        // STAP-B, MTAP16, MTAP24, FU-B (interleaved mode) and the reserved types 0, 30, 31.
        _ => {
            let name = if matches!(kind, 0 | 30 | 31) { "reserved" } else { nal_type_name(kind) };
            d.damage(Issue::Unsupported { seq, packet_type: kind, name });
        }
    }
}

/// STAP-A (5.7.1): 16-bit size, NAL unit, repeated.
fn stap_a(d: &mut Depacketizer, seq: u16, mut rest: &[u8]) {
    if rest.is_empty() {
        d.damage(Issue::Malformed { seq, reason: "STAP-A without aggregation units" });
        return;
    }
    while !rest.is_empty() {
        let Some((size, after)) = rest.split_first_chunk::<2>() else {
            d.damage(Issue::Malformed { seq, reason: "STAP-A aggregation unit size truncated" });
            return;
        };
        let size = usize::from(u16::from_be_bytes(*size));
        // A unit holds at least its NAL header: a size of 0 overruns too.
        let Some(([header, body @ ..], next)) = after.split_at_checked(size) else {
            d.damage(Issue::Malformed { seq, reason: "STAP-A aggregation unit overruns the packet" });
            return;
        };
        d.nal(seq, std::slice::from_ref(header), body, header & 0x1F == nal_type::IDR);
        rest = next;
    }
}

/// FU-A (5.8): FU indicator (F, NRI, type 28), FU header (S, E, R, type), fragment.
fn fu_a(d: &mut Depacketizer, seq: u16, payload: &[u8]) {
    let [indicator, fu_header, data @ ..] = payload else {
        d.damage(Issue::Malformed { seq, reason: "FU-A without its FU header" });
        return;
    };
    let kind = fu_header & 0x1F;
    // The NAL header: F and NRI from the indicator, the type from the FU header.
    let header = [(indicator & 0xE0) | kind];
    let fragment = Fragment {
        start: fu_header & 0x80 != 0,
        end: fu_header & 0x40 != 0,
        nal_type: kind,
        header: &header,
        data,
    };
    d.fragment(seq, fragment, kind == nal_type::IDR);
}
