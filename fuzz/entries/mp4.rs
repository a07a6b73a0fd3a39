//! Entry of the `mp4` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/mp4.rs) and the corpus replay
//! test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.
//!
//! The stored-video readers on arbitrary bytes: the MP4 reader, the Annex B reader (codec detected, and
//! forced to each codec) and `load`, which picks one. Besides "no panic, no hang", it checks what the
//! container module promises: an error points inside the input; a stream starts at a keyframe, every keyframe
//! carries the parameter sets, times grow from 0 and stay within the duration, every frame can be
//! packetized, and the frames are bounded by the input's size.

use rtspeek_core::codec::{self, Codec, ParamSetKind};
use rtspeek_core::container::{self, ContainerError, ElementaryStream, MAX_FRAME_RATE};
use rtspeek_core::rtp::{DEFAULT_MAX_PAYLOAD, PacketBuf, Packetizer};

/// The frame rate used when neither the file nor the SPS has one.
const DEFAULT_FRAME_RATE: f64 = 25.0;

/// What the fuzz target runs: `data` through every reader.
pub fn run(data: &[u8]) {
    check(data, container::mp4::read(data, DEFAULT_FRAME_RATE), None);
    check(data, container::annexb_file::read(data, None, DEFAULT_FRAME_RATE), None);
    for codec in [Codec::H264, Codec::H265] {
        check(data, container::annexb_file::read(data, Some(codec), DEFAULT_FRAME_RATE), Some(codec));
    }
    check(data, container::load(data, DEFAULT_FRAME_RATE), None);
    let _ = codec::detect(codec::annexb::nal_units(data));
    let _ = container::sniff(data);
}

/// Checks a reader's outcome on `input` (read as `codec` when the caller forced one).
pub fn check(input: &[u8], result: Result<ElementaryStream, ContainerError>, codec: Option<Codec>) {
    match result {
        Ok(stream) => check_stream(input, &stream, codec),
        Err(e) => check_error(input, &e),
    }
}

/// An error names a place inside the input.
fn check_error(input: &[u8], e: &ContainerError) {
    let _ = e.to_string();
    match e {
        ContainerError::Mp4 { offset, .. } => assert!(*offset <= input.len(), "{e} past the end"),
        ContainerError::Fragmented { offset, .. } => assert!(*offset < input.len(), "{e} past the end"),
        ContainerError::BadNal { offset, len, .. } => {
            assert!(offset.checked_add(*len).is_some_and(|end| end <= input.len()), "{e} past the end")
        }
        _ => {}
    }
}

/// A stream is ready to serve on a loop.
fn check_stream(input: &[u8], stream: &ElementaryStream, forced: Option<Codec>) {
    let codec = stream.info.codec;
    if let Some(forced) = forced {
        assert_eq!(codec, forced);
    }
    let rate = stream.info.frame_rate;
    assert!(rate.is_finite() && rate > 0.0 && rate <= MAX_FRAME_RATE, "frame rate {rate}");
    let required = ParamSetKind::required(codec);
    let kinds = |nals: &[Vec<u8>]| -> Vec<ParamSetKind> {
        let mut kinds: Vec<ParamSetKind> = nals.iter().filter_map(|n| ParamSetKind::of(codec, n)).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    assert_eq!(kinds(&stream.info.parameter_sets), required, "the SDP's parameter sets");

    let first = stream.frames.first().expect("a stream has frames");
    assert!(first.keyframe, "the stream does not start at a keyframe");
    assert_eq!(first.pts, 0, "the first frame's time");
    let mut packetizer =
        Packetizer::new(codec, 96, 0x5eed, 0, DEFAULT_MAX_PAYLOAD).expect("valid packetizer");
    let mut packets = PacketBuf::new();
    let mut previous = 0;
    let mut bytes = 0usize;
    for (i, frame) in stream.frames.iter().enumerate() {
        assert!(!frame.nals.is_empty(), "frame {i} has no NAL unit");
        assert!(frame.nals.iter().all(|n| !n.is_empty()), "frame {i} has an empty NAL unit");
        if frame.keyframe {
            assert_eq!(kinds(&frame.nals), required, "keyframe {i} lacks parameter sets");
        }
        assert!(frame.pts >= previous, "frame {i} goes back in time: {} < {previous}", frame.pts);
        previous = frame.pts;
        bytes += frame.nals.iter().map(Vec::len).sum::<usize>();
        packets.clear();
        let sent = packetizer.packetize(frame, frame.pts as u32, &mut packets);
        assert!(sent.is_ok(), "frame {i} cannot be packetized: {sent:?}");
    }
    assert!(stream.duration >= previous, "duration {} before the last frame {previous}", stream.duration);
    // Samples lie in the input; the parameter sets inserted are bounded by its size plus 1 MiB.
    assert!(bytes <= 2 * input.len() + (1 << 20), "{bytes} bytes of frames from {} bytes", input.len());
}
