//! Entry of the `decoder_config` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/decoder_config.rs)
//! and the corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this
//! code. It may use only `rtspeek_core` and std, which both crates have.
//!
//! The decoder configuration records of ISO/IEC 14496-15, `avcC` (H.264) and `hvcC` (H.265), read by core's
//! `codec::decoder_config` (which the MP4 reader and `rtspeek serve`'s relay source both use). The input is the
//! record, tried as both. Alone, the reader must keep what it promises: an error points inside the record,
//! every parameter set is a non-empty slice of the record at the offset it gives, in VPS, SPS, PPS order, the
//! length size is 1 to 4, and a record that passes `require_complete` has every kind a decoder needs. Then the
//! record goes into a minimal valid MP4 file (one video track, one keyframe sample whose NAL unit length prefix
//! has the size the record gives) through the MP4 reader, with the `mp4` target's checks (errors inside the
//! file, keyframes with their parameter sets, frames that packetize) plus: a record that parses gives the
//! stream its parameter sets, and their bytes come from the record.

use rtspeek_core::codec::decoder_config::{self, DecoderConfig, DecoderConfigError};
use rtspeek_core::codec::{Codec, ParamSetKind};
use rtspeek_core::container;

#[allow(dead_code)]
#[path = "mp4.rs"]
mod mp4;

/// What the fuzz target runs: `data` as an avcC record, then as an hvcC record: read alone, then in an
/// `avc1`/`hvc1` sample entry of an MP4 file.
pub fn run(data: &[u8]) {
    for codec in [Codec::H264, Codec::H265] {
        check_record(codec, data, decoder_config::parse(codec, data));
        let file = file_with_record(codec, data);
        let result = container::mp4::read(&file, 25.0);
        if let Ok(stream) = &result {
            for nal in &stream.info.parameter_sets {
                assert!(
                    data.windows(nal.len()).any(|w| w == nal.as_slice()),
                    "a parameter set not in the record"
                );
            }
        }
        mp4::check(&file, result, Some(codec));
    }
}

/// Checks what `decoder_config::parse` promises about `record`.
fn check_record(codec: Codec, record: &[u8], result: Result<DecoderConfig, DecoderConfigError>) {
    let config = match result {
        Ok(config) => config,
        Err(e) => {
            assert!(e.offset <= record.len(), "{e} past the end of {} bytes", record.len());
            return;
        }
    };
    assert_eq!(config.codec, codec);
    assert!((1..=4).contains(&config.length_size), "length size {}", config.length_size);
    let mut previous = ParamSetKind::Vps;
    for n in &config.parameter_sets {
        assert!(!n.nal.is_empty(), "an empty parameter set");
        let end = n.offset.checked_add(n.nal.len()).expect("offset + length overflows");
        assert_eq!(record.get(n.offset..end), Some(n.nal.as_slice()), "a parameter set not where it says");
        assert!(n.kind >= previous, "parameter sets out of decoding order");
        assert!(codec == Codec::H265 || n.kind != ParamSetKind::Vps, "a VPS in an avcC");
        previous = n.kind;
    }
    match config.require_complete() {
        Ok(()) => {
            assert!(config.missing().is_empty(), "complete but missing {:?}", config.missing());
            assert!(config.nals().all(|n| ParamSetKind::of(codec, n).is_some()), "complete with a non-set");
        }
        Err(e) => assert!(e.offset <= record.len(), "{e} past the end"),
    }
}

/// A box: 32-bit size, type, body.
fn mp4_box(kind: &[u8; 4], parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = 8 + parts.iter().map(|p| p.len()).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(kind);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// A full box with version 0 and no flags.
fn full_box(kind: &[u8; 4], parts: &[&[u8]]) -> Vec<u8> {
    let mut all: Vec<&[u8]> = vec![&[0, 0, 0, 0]];
    all.extend_from_slice(parts);
    mp4_box(kind, &all)
}

/// An MP4 file with one H.264 (`avc1`) or H.265 (`hvc1`) track of one keyframe sample, whose sample entry
/// holds `record` as its `avcC` or `hvcC`.
pub fn file_with_record(codec: Codec, record: &[u8]) -> Vec<u8> {
    // The sample: one IDR slice, with the length prefix size the record says (lengthSizeMinusOne).
    let (entry, config, slice, size_at): (&[u8; 4], &[u8; 4], &[u8], usize) = match codec {
        Codec::H264 => (b"avc1", b"avcC", &[0x65, 0x88, 0x84, 0x00, 0x33, 0xff], 4),
        Codec::H265 => (b"hvc1", b"hvcC", &[0x26, 0x01, 0xaf, 0x06, 0xb8, 0x63], 21),
    };
    let length_size = record.get(size_at).map_or(4, |b| usize::from(b & 3) + 1);
    let mut sample = (slice.len() as u32).to_be_bytes()[4 - length_size..].to_vec();
    sample.extend_from_slice(slice);

    let ftyp = mp4_box(b"ftyp", &[b"isom", &[0, 0, 2, 0], b"isomiso2mp41"]);
    let moov = |chunk_offset: u32| {
        let mdhd = full_box(
            b"mdhd",
            &[&[0; 8], &90_000u32.to_be_bytes(), &3600u32.to_be_bytes(), &[0x55, 0xc4, 0, 0]],
        );
        let hdlr = full_box(b"hdlr", &[&[0; 4], b"vide", &[0; 12], b"fuzz\0"]);
        // VisualSampleEntry: reserved, data_reference_index 1, pre_defined, 160x90, 72 dpi, frame_count 1,
        // compressorname, depth 0x18, pre_defined -1: 78 bytes.
        let mut visual = vec![0u8; 6];
        visual.extend_from_slice(&[0, 1]);
        visual.extend_from_slice(&[0; 16]);
        visual.extend_from_slice(&[0, 160, 0, 90, 0, 0x48, 0, 0, 0, 0x48, 0, 0, 0, 0, 0, 0, 0, 1]);
        visual.extend_from_slice(&[0; 32]);
        visual.extend_from_slice(&[0, 0x18, 0xff, 0xff]);
        let sample_entry = mp4_box(entry, &[&visual, &mp4_box(config, &[record])]);
        let stsd = full_box(b"stsd", &[&1u32.to_be_bytes(), &sample_entry]);
        let stts = full_box(b"stts", &[&1u32.to_be_bytes(), &1u32.to_be_bytes(), &3600u32.to_be_bytes()]);
        let stsz = full_box(
            b"stsz",
            &[&0u32.to_be_bytes(), &1u32.to_be_bytes(), &(sample.len() as u32).to_be_bytes()],
        );
        let stsc = full_box(
            b"stsc",
            &[&1u32.to_be_bytes(), &1u32.to_be_bytes(), &1u32.to_be_bytes(), &1u32.to_be_bytes()],
        );
        let stco = full_box(b"stco", &[&1u32.to_be_bytes(), &chunk_offset.to_be_bytes()]);
        let stbl = mp4_box(b"stbl", &[&stsd, &stts, &stsz, &stsc, &stco]);
        let minf = mp4_box(b"minf", &[&stbl]);
        let mdia = mp4_box(b"mdia", &[&mdhd, &hdlr, &minf]);
        mp4_box(b"moov", &[&mp4_box(b"trak", &[&mdia])])
    };
    // The sample follows the moov box, whose size does not depend on the offset's value.
    let moov_len = moov(0).len();
    let offset = u32::try_from(ftyp.len() + moov_len + 8).unwrap_or(u32::MAX);
    let mut file = ftyp;
    file.extend_from_slice(&moov(offset));
    file.extend_from_slice(&mp4_box(b"mdat", &[&sample]));
    file
}
