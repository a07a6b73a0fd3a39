//! SDP speed: a typical camera description (one H.264 video with sprop-parameter-sets, one AAC audio, about
//! 700 bytes) parsed into lines and sections, and fully checked (parse, lint, facts: base64 and SPS decoding
//! included), which is what `rtspeek sdp check` and the probe do per DESCRIBE.
//!
//! Target: at least 200 000 parses per second on one core (5 us each).
//! `cargo bench -p rtspeek-core --bench sdp_parse`; figures in BENCHMARKS.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rtspeek_core::sdp::{SdpCheck, check, parse};

/// Written in the style of a common camera family; the parameter sets are real (see
/// core/tests/data/sdp/README.md).
const CAMERA: &str = "v=0\r\n\
o=- 1109162014219182 1109162014219192 IN IP4 192.0.2.64\r\n\
s=Media Presentation\r\n\
e=NONE\r\n\
b=AS:5050\r\n\
t=0 0\r\n\
a=control:rtsp://192.0.2.64/h264/ch1/main/av_stream/\r\n\
a=range:npt=now-\r\n\
m=video 0 RTP/AVP 96\r\n\
c=IN IP4 0.0.0.0\r\n\
b=AS:5000\r\n\
a=recvonly\r\n\
a=x-dimensions:1920,1080\r\n\
a=framerate:25.000000\r\n\
a=control:rtsp://192.0.2.64/h264/ch1/main/av_stream/trackID=1\r\n\
a=rtpmap:96 H264/90000\r\n\
a=fmtp:96 profile-level-id=640028; packetization-mode=1; sprop-parameter-sets=Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY,aOvjyyLA\r\n\
m=audio 0 RTP/AVP 97\r\n\
c=IN IP4 0.0.0.0\r\n\
b=AS:50\r\n\
a=recvonly\r\n\
a=control:rtsp://192.0.2.64/h264/ch1/main/av_stream/trackID=2\r\n\
a=rtpmap:97 MPEG4-GENERIC/16000/1\r\n\
a=fmtp:97 streamtype=5;profile-level-id=15;mode=AAC-hbr;config=1408;sizelength=13;indexlength=3;indexdeltalength=3\r\n";

fn bench(c: &mut Criterion) {
    let checked = check(CAMERA.as_bytes()).expect("parses");
    assert!(checked.findings.is_empty(), "{:#?}", checked.findings);
    assert!(checked.facts.media[0].codecs[0].sps.is_some());

    let mut group = c.benchmark_group("sdp_parse");
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("parse/camera H.264 + AAC, {} bytes", CAMERA.len()), |b| {
        b.iter(|| parse(std::hint::black_box(CAMERA)).map(|sdp| sdp.lines().len()))
    });
    group.bench_function(
        format!("check/camera H.264 + AAC, {} bytes (parse + lint + facts)", CAMERA.len()),
        |b| b.iter(|| check(std::hint::black_box(CAMERA.as_bytes())).map(|c: SdpCheck| c.findings.len())),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
