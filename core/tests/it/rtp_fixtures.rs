//! Real RTP/RTCP from gst-rtsp-server and FFmpeg (`tests/fixtures/rtp/`, see tests/fixtures/README.md): every
//! packet parses, every field matches the capture's one-line-per-packet summary (`tests/fixtures/summary/`,
//! written by capture.py, a separate parser), and the reception statistics are those of a loopback stream:
//! nothing lost, reordered or duplicated, frames counted right, the sender reports read, no finding.
//!
//! The captures are TCP byte streams (or RFC 4571 framed UDP) without arrival times, so the packets are given
//! arrival times from their RTP timestamps (the pace a live camera sends at), a little apart within a frame.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::time::Duration;

use rtspeek_core::rtp::{Receiver, ReceiverConfig};

/// How a capture frames its packets.
#[derive(Debug, Clone, Copy)]
enum Framing {
    /// RFC 2326 10.12: `$`, channel, u16 length; even channels RTP, odd RTCP.
    Interleaved,
    /// RFC 4571: u16 length; RTP only.
    Rfc4571,
}

/// One capture: its bytes, its summary, its framing, and facts from the fixtures README.
struct Capture {
    name: &'static str,
    bytes: &'static [u8],
    summary: &'static str,
    framing: Framing,
    ssrc: u32,
    rtp_packets: usize,
    rtcp_packets: usize,
}

/// A capture by its file stem and extension (`tests/fixtures/rtp/STEM.EXT`, `tests/fixtures/summary/STEM.txt`).
macro_rules! capture {
    ($stem:literal, $ext:literal, $framing:ident, $ssrc:literal, $rtp:literal, $rtcp:literal) => {
        Capture {
            name: concat!($stem, ".", $ext),
            bytes: include_bytes!(concat!("../../../tests/fixtures/rtp/", $stem, ".", $ext)),
            summary: include_str!(concat!("../../../tests/fixtures/summary/", $stem, ".txt")),
            framing: Framing::$framing,
            ssrc: $ssrc,
            rtp_packets: $rtp,
            rtcp_packets: $rtcp,
        }
    };
}

fn captures() -> [Capture; 6] {
    [
        capture!("gst-h264", "interleaved", Interleaved, 0xf8c9_7fd8, 199, 1),
        capture!("gst-h265", "interleaved", Interleaved, 0xf10b_916c, 78, 1),
        capture!("gst-openh264", "interleaved", Interleaved, 0xfbac_d45d, 72, 1),
        capture!("ffmpeg-h264", "interleaved", Interleaved, 0x83af_ceec, 89, 1),
        capture!("ffmpeg-h265", "interleaved", Interleaved, 0x7c4e_819e, 88, 1),
        capture!("ffmpeg-h264-udp", "rtpstream", Rfc4571, 0x15e9_8917, 66, 0),
    ]
}

/// Splits a capture into (is_rtcp, packet) in order.
fn frames(c: &Capture) -> Vec<(bool, &'static [u8])> {
    let mut out = Vec::new();
    let mut rest = c.bytes;
    while !rest.is_empty() {
        let (rtcp, len, header) = match c.framing {
            Framing::Interleaved => {
                assert_eq!(rest[0], b'$', "{}: framing lost", c.name);
                (rest[1] % 2 == 1, usize::from(u16::from_be_bytes([rest[2], rest[3]])), 4)
            }
            Framing::Rfc4571 => (false, usize::from(u16::from_be_bytes([rest[0], rest[1]])), 2),
        };
        out.push((rtcp, &rest[header..header + len]));
        rest = &rest[header + len..];
    }
    out
}

/// The value of `key=` in a summary line.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key} in {line}"))
}

fn number(v: &str) -> u64 {
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).expect("hex"),
        None => v.parse().expect("decimal"),
    }
}

/// The summary's per-packet lines, in capture order.
fn summary_lines(c: &Capture) -> Vec<&'static str> {
    c.summary.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect()
}

#[test]
fn every_captured_packet_parses_and_matches_the_summary() {
    for c in captures() {
        let packets = frames(&c);
        let lines = summary_lines(&c);
        assert_eq!(packets.len(), lines.len(), "{}", c.name);
        assert_eq!(packets.iter().filter(|p| !p.0).count(), c.rtp_packets, "{}", c.name);
        assert_eq!(packets.iter().filter(|p| p.0).count(), c.rtcp_packets, "{}", c.name);
        for ((rtcp, bytes), line) in packets.iter().zip(&lines) {
            if *rtcp {
                assert!(line.contains(" RTCP SR "), "{}: {line}", c.name);
                rtspeek_core::rtcp::Compound::parse(bytes).unwrap_or_else(|e| panic!("{}: {e}", c.name));
                continue;
            }
            let p = rtspeek_core::rtp::parse(bytes).unwrap_or_else(|e| panic!("{}: {line}: {e}", c.name));
            assert_eq!(u64::from(p.sequence()), number(field(line, "seq")), "{line}");
            assert_eq!(u64::from(p.timestamp()), number(field(line, "ts")), "{line}");
            assert_eq!(p.marker(), field(line, "m") == "1", "{line}");
            assert_eq!(u64::from(p.payload_type()), number(field(line, "pt")), "{line}");
            assert_eq!(p.ssrc(), c.ssrc, "{line}");
            assert_eq!(u64::from(p.ssrc()), number(field(line, "ssrc")), "{line}");
            assert_eq!(p.payload().len() as u64, number(field(line, "len")), "{line}");
        }
    }
}

#[test]
fn loopback_captures_have_clean_statistics_and_no_findings() {
    for c in captures() {
        let mut rx = Receiver::new(ReceiverConfig::new(90_000), Duration::ZERO);
        let mut first_ts = None;
        let mut last_arrival = Duration::ZERO;
        let mut timestamps = Vec::new();
        for (i, (rtcp, bytes)) in frames(&c).into_iter().enumerate() {
            if rtcp {
                rx.receive_rtcp(bytes, last_arrival).unwrap_or_else(|e| panic!("{}: {e}", c.name));
                continue;
            }
            let ts = rtspeek_core::rtp::parse(bytes).expect("checked above").timestamp();
            let ts0 = *first_ts.get_or_insert(ts);
            // Media time, plus 10 µs per packet so that packets of one frame arrive in order.
            let ticks = u64::from(ts.wrapping_sub(ts0));
            last_arrival = Duration::from_micros(ticks * 1000 / 90 + i as u64 * 10);
            rx.receive_rtp(bytes, last_arrival).unwrap_or_else(|e| panic!("{}: {e}", c.name));
            timestamps.push(ts);
        }
        let s = rx.source(c.ssrc).unwrap_or_else(|| panic!("{}: no source", c.name));
        // The first packet is probation (RFC 3550 A.1); every other one counts.
        assert_eq!(s.expected(), c.rtp_packets as u64 - 1, "{}", c.name);
        assert_eq!((s.lost(), s.reordered(), s.duplicates(), s.restarts()), (0, 0, 0, 0), "{}", c.name);
        // Frames: runs of one timestamp, from the second packet on.
        let runs = 1 + timestamps[1..].windows(2).filter(|w| w[0] != w[1]).count() as u64;
        assert_eq!(s.frames(), runs, "{}", c.name);
        assert!(s.jitter_ms() < 0.5, "{}: {}", c.name, s.jitter_ms());
        assert_eq!(rx.sources().count(), 1, "{}", c.name);
        let summary = rx.summary(last_arrival);
        assert_eq!(
            (summary.sender_reports as usize, summary.malformed_rtcp),
            (c.rtcp_packets, 0),
            "{}",
            c.name
        );
        assert!(
            (summary.sources[0].frame_rate - 25.0).abs() < 1.5,
            "{}: {}",
            c.name,
            summary.sources[0].frame_rate
        );
        let findings = rx.assess(last_arrival);
        assert!(findings.is_empty(), "{}: {findings:#?}", c.name);
    }
}

#[test]
fn sender_reports_and_cnames_are_read() {
    for c in captures().into_iter().filter(|c| c.rtcp_packets > 0) {
        let line = summary_lines(&c).into_iter().find(|l| l.contains(" RTCP SR ")).expect("an SR line");
        let (secs, fraction) = field(line, "ntp").split_once('.').expect("ntp secs.fraction");
        let ntp = number(secs) << 32 | number(fraction);
        let mut rx = Receiver::new(ReceiverConfig::new(90_000), Duration::ZERO);
        for (rtcp, bytes) in frames(&c) {
            if rtcp {
                rx.receive_rtcp(bytes, Duration::from_secs(1)).expect("valid RTCP");
            }
        }
        let s = rx.source(c.ssrc).expect("the SR's source");
        let info = s.last_sender_info().expect("an SR");
        assert_eq!(info.ntp_timestamp, ntp, "{}", c.name);
        assert_eq!(u64::from(info.rtp_timestamp), number(field(line, "rtp_ts")), "{}", c.name);
        assert_eq!(u64::from(info.packet_count), number(field(line, "packets")), "{}", c.name);
        assert_eq!(u64::from(info.octet_count), number(field(line, "octets")), "{}", c.name);
        match line.split_once("cname='") {
            Some((_, rest)) => assert_eq!(s.cname(), rest.split('\'').next(), "{}", c.name),
            None => assert_eq!(s.cname(), None, "{}", c.name),
        }
    }
}
