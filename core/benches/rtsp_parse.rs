//! RTSP message layer speed, on the probe's hot path:
//!
//! - a typical camera DESCRIBE 200 (a 300-byte header block, then a 500-byte SDP body): the target is at
//!   least 1 million parses per second on one core;
//! - the same response captured from gst-rtsp-server (`tests/fixtures/rtsp/gst-describe-h264.txt`);
//! - a SETUP 200 with its Transport and Session headers typed;
//! - demultiplexing a captured interleaved RTP stream (`tests/fixtures/rtp/gst-h264.interleaved`);
//! - the DESCRIBE response fed one byte at a time (the resumable scan keeps that linear);
//! - writing a SETUP request.
//!
//! `cargo bench -p rtspeek-core --bench rtsp_parse`; figures in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rtspeek_core::rtsp::headers::{Session, Transport, TransportSpec};
use rtspeek_core::rtsp::writer::write_request;
use rtspeek_core::rtsp::{Message, Method, Parsed, Parser, ParserConfig, Request, parse};

/// A camera-style DESCRIBE 200: 300 bytes of head, 500 of SDP.
fn camera_describe() -> Vec<u8> {
    let sdp = "v=0\r\no=- 1700000000000000 1 IN IP4 192.0.2.10\r\ns=Media Presentation\r\ne=NONE\r\nb=AS:5100\r\n\
               t=0 0\r\na=control:rtsp://192.0.2.10:554/Streaming/Channels/101/?transportmode=unicast\r\n\
               m=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:5000\r\na=recvonly\r\na=x-dimensions:1920,1080\r\n\
               a=control:rtsp://192.0.2.10:554/Streaming/Channels/101/trackID=1?transportmode=unicast\r\n\
               a=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=420029; packetization-mode=1; \
               sprop-parameter-sets=Z01AKI2NQDwBE/LCAAAOEAACvyAI,aO44gA==\r\na=Media_header:MEDIAINFO=494D;\r\n\
               a=appversion:1.0\r\n";
    let head = format!(
        "RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Type: application/sdp\r\n\
         Content-Base: rtsp://192.0.2.10:554/Streaming/Channels/101/\r\nServer: Embedded RTSP server v2.4\r\n\
         Date: Sat, 21 Nov 2026 13:44:49 GMT\r\nExpires: Sat, 21 Nov 2026 13:44:49 GMT\r\nCache-Control: no-cache\r\nX-Vendor-Build: 240315\r\n\
         Content-Length: {}\r\n\r\n",
        sdp.len()
    );
    assert!((290..=310).contains(&head.len()), "head of {} bytes", head.len());
    [head.as_bytes(), sdp.as_bytes()].concat()
}

const GST_DESCRIBE: &[u8] = include_bytes!("../../tests/fixtures/rtsp/gst-describe-h264.txt");
const GST_INTERLEAVED: &[u8] = include_bytes!("../../tests/fixtures/rtp/gst-h264.interleaved");
const SETUP_200: &[u8] =
    b"RTSP/1.0 200 OK\r\nCSeq: 4\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D;\
mode=\"PLAY\"\r\nServer: GStreamer RTSP server\r\nSession: kPVH5yS3lNaEqm8x;timeout=60\r\n\
Date: Sat, 21 Nov 2026 13:44:49 GMT\r\n\r\n";

fn response_headers(bytes: &[u8]) -> usize {
    match parse(bytes, &ParserConfig::default()) {
        Ok(Parsed::Message(Message::Response(r), used)) => r.headers.len() + used,
        other => panic!("{other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let describe = camera_describe();
    let config = ParserConfig::default();
    let mut group = c.benchmark_group("rtsp_parse");
    group.throughput(Throughput::Elements(1));
    group.bench_function("camera DESCRIBE 200 (300 B head + 500 B SDP)", |b| {
        b.iter(|| response_headers(black_box(&describe)))
    });
    group.bench_function("gst-rtsp-server DESCRIBE 200 (capture)", |b| {
        b.iter(|| response_headers(black_box(GST_DESCRIBE)))
    });
    group.bench_function("SETUP 200 + typed Transport and Session", |b| {
        b.iter(|| match parse(black_box(SETUP_200), &config) {
            Ok(Parsed::Message(Message::Response(r), _)) => {
                let t = r.headers.typed::<Transport>().unwrap().unwrap();
                let s = r.headers.typed::<Session>().unwrap().unwrap();
                (t.0.len(), s.timeout)
            }
            other => panic!("{other:?}"),
        })
    });
    group.bench_function("DESCRIBE 200 fed one byte at a time", |b| {
        b.iter(|| {
            let mut parser = Parser::default();
            for end in 1..=describe.len() {
                let mut rest = &describe[..end];
                if let Parsed::Message(m, _) = parser.feed(&mut rest).unwrap() {
                    return matches!(m, Message::Response(_));
                }
            }
            false
        })
    });
    let setup = Request::new(Method::Setup, "rtsps://192.0.2.10/Streaming/Channels/101/trackID=1")
        .with_header("CSeq", "3")
        .with_header("User-Agent", "rtspeek/0.1")
        .with_header("Transport", {
            use rtspeek_core::rtsp::TypedHeader;
            Transport(vec![TransportSpec::tcp_interleaved(0, 1)]).to_value()
        });
    let mut out = Vec::with_capacity(512);
    group.bench_function("write SETUP request", |b| {
        b.iter(|| {
            out.clear();
            write_request(black_box(&setup), &mut out).unwrap();
            out.len()
        })
    });
    group.finish();

    let frames = {
        let mut parser = Parser::default();
        let mut rest = GST_INTERLEAVED;
        let mut n = 0u64;
        while let Parsed::Message(..) = parser.feed(&mut rest).unwrap() {
            n += 1;
        }
        n
    };
    let mut group = c.benchmark_group("rtsp_demux");
    group.throughput(Throughput::Elements(frames));
    group.bench_function(
        format!("gst H.264 interleaved stream ({frames} frames, {} B)", GST_INTERLEAVED.len()),
        |b| {
            b.iter(|| {
                let mut parser = Parser::default();
                let mut rest = black_box(GST_INTERLEAVED);
                let mut bytes = 0;
                while let Parsed::Message(Message::Interleaved(f), _) = parser.feed(&mut rest).unwrap() {
                    bytes += f.payload.len();
                }
                bytes
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
