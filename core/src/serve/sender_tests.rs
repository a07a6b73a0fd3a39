//! Tests of [`StreamSender`] and [`KeyframeRequests`].

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::codec::Codec;
use crate::rtcp::{Compound, RtcpPacket};
use crate::rtp::parse;

const SPS: &[u8] = &[0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x02, 0x80, 0xBF, 0xE5];
const PPS: &[u8] = &[0x68, 0xCE, 0x3C, 0x80];
/// SSRC 0x01020304, first sequence number 0xFFFE, RTP timestamp base 0xFFFF_FF00 (both about to wrap).
const RANDOM: [u8; 10] = [1, 2, 3, 4, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0x00];

fn info() -> StreamInfo {
    StreamInfo { codec: Codec::H264, parameter_sets: vec![SPS.to_vec(), PPS.to_vec()], frame_rate: 25.0 }
}

fn sender() -> StreamSender {
    StreamSender::new(&info(), SenderConfig::new(96), RANDOM).unwrap()
}

fn keyframe(pts: u64) -> Frame {
    Frame { nals: vec![SPS.to_vec(), PPS.to_vec(), vec![0x65; 3000]], pts, keyframe: true }
}

fn delta(pts: u64) -> Frame {
    Frame { nals: vec![vec![0x41; 100]], pts, keyframe: false }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// The sender report of a compound packet: SSRC, info, and the CNAME of the SDES after it.
fn report(bytes: &[u8]) -> (u32, SenderInfo, Vec<u8>) {
    let compound = Compound::parse(bytes).unwrap();
    let mut packets = compound.packets();
    let Some(RtcpPacket::SenderReport(sr)) = packets.next() else { panic!("an SR first") };
    let Some(RtcpPacket::SourceDescription(sdes)) = packets.next() else { panic!("then SDES") };
    assert!(packets.next().is_none());
    (sr.ssrc, sr.info, sdes.cname_of(sr.ssrc).unwrap().to_vec())
}

#[test]
fn the_first_frame_gets_a_report_with_its_rtp_time_and_the_wall_clock_as_ntp() {
    let mut s = sender();
    assert_eq!(s.position(), None);
    let wall = Duration::new(1_700_000_000, 500_000_000);
    let sent = s.send(secs(7.0), wall, &keyframe(0)).unwrap();
    let (ssrc, info, cname) = report(sent.report.expect("a report before the first frame"));
    assert_eq!((ssrc, cname.as_slice()), (0x0102_0304, CNAME.as_bytes()));
    assert_eq!(info.ntp_timestamp, ntp_timestamp(wall));
    // 1 700 000 000 s after 1970 is 3 908 988 800 s after 1900; half a second is 2^31 in the fraction.
    assert_eq!(info.ntp_timestamp, (3_908_988_800 << 32) | (1 << 31));
    assert_eq!(info.rtp_timestamp, 0xFFFF_FF00);
    // Nothing was sent before this report.
    assert_eq!((info.packet_count, info.octet_count), (0, 0));
    // SPS+PPS in one STAP-A, the IDR slice in three FU-A packets; sequence numbers wrap.
    let seqs: Vec<u16> = sent.packets.iter().map(|p| parse(p).unwrap().sequence()).collect();
    assert_eq!(seqs, [0xFFFE, 0xFFFF, 0, 1]);
    assert!(sent.packets.iter().all(|p| parse(p).unwrap().timestamp() == 0xFFFF_FF00));
    assert_eq!(
        s.position(),
        Some(RtpPosition { ssrc: 0x0102_0304, seq: 2, rtptime: 0xFFFF_FF00u32.wrapping_add(3600) })
    );
    assert_eq!((s.frames_sent(), s.packets_sent()), (1, 4));
}

#[test]
fn reports_follow_the_interval_and_count_what_went_before() {
    let mut s = sender();
    let wall = Duration::from_secs(1_000_000);
    let mut reports = Vec::new();
    let mut payload_before = 0u64;
    for n in 0..100u64 {
        let frame = if n % 50 == 0 { keyframe(n * 3600) } else { delta(n * 3600) };
        let now = secs(10.0 + n as f64 * 0.04);
        let packets_before = s.packets_sent();
        let sent = s.send(now, wall + now, &frame).unwrap();
        if let Some(bytes) = sent.report {
            let (_, info, _) = report(bytes);
            assert_eq!(u64::from(info.packet_count), packets_before, "frame {n}");
            assert_eq!(u64::from(info.octet_count), payload_before, "frame {n}");
            assert_eq!(info.rtp_timestamp, 0xFFFF_FF00u32.wrapping_add(n as u32 * 3600));
            assert_eq!(info.ntp_timestamp, ntp_timestamp(wall + now));
            reports.push(n);
        }
        let headers = sent.packets.len() * crate::rtp::FIXED_HEADER_LEN;
        payload_before += (sent.packets.as_bytes().len() - headers) as u64;
    }
    // Every 2 s at 25 fps: frames 0, 50 (the float steps land on 2.0 s or just after).
    assert_eq!(reports.first(), Some(&0));
    assert!(reports.len() == 2, "{reports:?}");
    assert!((49..=51).contains(&reports[1]), "{reports:?}");
}

#[test]
fn the_report_interval_is_configurable() {
    let config = SenderConfig { report_interval: Duration::from_millis(100), ..SenderConfig::new(96) };
    let mut s = StreamSender::new(&info(), config, RANDOM).unwrap();
    let due: Vec<bool> = [0, 40, 80, 120, 160, 200, 240]
        .iter()
        .map(|&ms| {
            let now = Duration::from_millis(ms);
            s.send(now, now, &delta(ms * 90)).unwrap().report.is_some()
        })
        .collect();
    assert_eq!(due, [true, false, false, true, false, false, true]);
}

#[test]
fn the_position_is_the_next_packet_and_the_next_frame_time() {
    let mut s = sender();
    s.send(Duration::ZERO, Duration::ZERO, &keyframe(0)).unwrap();
    let sent = s.send(secs(0.04), secs(0.04), &delta(3600)).unwrap();
    assert!(sent.report.is_none());
    let last = parse(sent.packets.get(sent.packets.len() - 1).unwrap()).unwrap();
    let (marker, seq, timestamp) = (last.marker(), last.sequence(), last.timestamp());
    assert!(marker);
    let position = s.position().unwrap();
    assert_eq!(position.seq, seq.wrapping_add(1));
    assert_eq!(position.rtptime, timestamp.wrapping_add(3600));
}

#[test]
fn a_frame_that_cannot_be_sent_changes_nothing() {
    let mut s = sender();
    s.send(Duration::ZERO, Duration::ZERO, &keyframe(0)).unwrap();
    let before = (s.position(), s.frames_sent(), s.packets_sent());
    let bad = Frame { nals: vec![], pts: 3600, keyframe: false };
    assert_eq!(s.send(secs(5.0), secs(5.0), &bad).unwrap_err(), PacketizeError::EmptyFrame);
    assert_eq!((s.position(), s.frames_sent(), s.packets_sent()), before);
    // The report that was due is still due for the next frame that goes out.
    assert!(s.send(secs(5.0), secs(5.0), &delta(7200)).unwrap().report.is_some());
}

#[test]
fn bad_configurations_are_refused() {
    let config = SenderConfig { max_payload: 10, ..SenderConfig::new(96) };
    assert_eq!(StreamSender::new(&info(), config, RANDOM).unwrap_err(), PacketizeError::MaxPayload(10));
    assert_eq!(
        StreamSender::new(&info(), SenderConfig::new(200), RANDOM).unwrap_err(),
        PacketizeError::PayloadType(200)
    );
    // SSRC 0 is avoided.
    assert_eq!(StreamSender::new(&info(), SenderConfig::new(96), [0; 10]).unwrap().ssrc(), 1);
}

#[test]
fn keyframe_requests_are_coalesced_and_throttled() {
    let mut k = KeyframeRequests::new(Duration::from_secs(1));
    assert!(!k.take(secs(0.0)), "nothing asked");
    k.request();
    k.request();
    assert!(k.take(secs(0.0)));
    assert!(!k.take(secs(0.1)), "coalesced");
    k.request();
    assert!(!k.take(secs(0.5)), "within the interval");
    assert!(k.take(secs(1.0)), "at its end");
    k.request();
    k.answered();
    assert!(!k.take(secs(5.0)), "a regular keyframe answered it");
    assert_eq!(k.forced(), 2);
    k.set_interval(Duration::ZERO);
    k.request();
    assert!(k.take(secs(5.0)));
}

#[test]
fn a_keyframe_sent_answers_the_requests() {
    let mut s = sender();
    s.keyframes().request();
    s.send(Duration::ZERO, Duration::ZERO, &delta(0)).unwrap();
    assert!(s.keyframes().take(Duration::ZERO), "a delta frame answers nothing");
    s.keyframes().request();
    s.send(Duration::ZERO, Duration::ZERO, &keyframe(3600)).unwrap();
    assert!(!s.keyframes().take(secs(10.0)));
}
