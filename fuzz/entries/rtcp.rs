//! Entry of the `rtcp` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/rtcp.rs) and the corpus replay
//! test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use std::time::Duration;

use rtspeek_core::rtcp::{self, Compound, RtcpPacket};
use rtspeek_core::rtp::{Receiver, ReceiverConfig};

/// What the fuzz target runs: `data` as one RTCP compound packet, walked leniently (every packet and every
/// field read) and strictly (RFC 3550 A.2), then fed to a receiver. Any outcome but a panic (or a hang) is
/// fine, except a strict parse that accepts what the lenient walk rejects.
pub fn run(data: &[u8]) {
    let mut lenient_ok = true;
    for packet in rtcp::packets(data) {
        match packet {
            Ok(p) => read(&p),
            Err(_) => lenient_ok = false,
        }
    }
    if let Ok(compound) = Compound::parse(data) {
        assert!(lenient_ok, "strict parse accepted what the lenient walk rejected");
        for p in compound.packets() {
            read(&p);
        }
    }
    let mut rx = Receiver::new(ReceiverConfig::new(90_000), Duration::ZERO);
    let _ = rx.receive_rtcp(data, Duration::from_millis(10));
    let _ = rx.assess(Duration::from_secs(20));
}

/// Reads every field of a packet, as a consumer would.
fn read(p: &RtcpPacket<'_>) {
    let see = |v: u64| {
        std::hint::black_box(v);
    };
    match p {
        RtcpPacket::SenderReport(sr) => {
            see(sr.info.ntp_timestamp ^ u64::from(sr.info.octet_count));
            see(sr.extension().len() as u64);
            sr.report_blocks().for_each(|b| see(u64::from(b.jitter) ^ b.cumulative_lost as u64));
        }
        RtcpPacket::ReceiverReport(rr) => {
            rr.report_blocks().for_each(|b| see(u64::from(b.last_sr) ^ b.fraction_lost_percent() as u64));
            see(rr.extension().len() as u64);
        }
        RtcpPacket::SourceDescription(sdes) => {
            for chunk in sdes.chunks() {
                see(u64::from(chunk.ssrc) ^ chunk.cname().map_or(0, |c| c.len() as u64));
                for item in chunk.items() {
                    see(item.value.len() as u64 ^ item.private_parts().map_or(0, |(p, _)| p.len() as u64));
                }
            }
        }
        RtcpPacket::Bye(bye) => {
            bye.sources().for_each(|s| see(u64::from(s)));
            see(bye.reason().map_or(0, |r| r.len() as u64));
        }
        RtcpPacket::App(app) => see(app.data.len() as u64 ^ u64::from(app.subtype)),
        RtcpPacket::Unknown(u) => see(u.body.len() as u64 ^ u64::from(u.packet_type)),
    }
}
