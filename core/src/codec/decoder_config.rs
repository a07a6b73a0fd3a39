//! Decoder configuration records (ISO/IEC 14496-15): `AVCDecoderConfigurationRecord` (`avcC`, 5.3.3.1) and
//! `HEVCDecoderConfigurationRecord` (`hvcC`, 8.3.3.1), the parameter sets and NAL unit length size that MP4
//! sample entries carry, and that RTSP clients such as retina hand out as a stream's "extra data".
//!
//! [`parse`] reads either into a [`DecoderConfig`]: the parameter sets (VPS, SPS, PPS in that order, each with
//! its byte offset in the record) and the length of the NAL unit length prefix in samples (1, 2 or 4 bytes;
//! `lengthSizeMinusOne + 1`). It reads only what those need and checks every length against the bytes left,
//! so a hostile record gives a [`DecoderConfigError`] (the record, the byte where the field starts, the field,
//! what was wrong), never a panic. What follows the parameter sets (the H.264 High profile chroma and bit depth
//! fields and SPS extensions) is not read; arrays of other NAL unit types in an `hvcC` (declarative SEI) are
//! checked for length and dropped.
//!
//! A record need not hold every parameter set: `avc3`/`hev1` sample entries may carry them in band only.
//! [`DecoderConfig::require_complete`] is the stricter check for callers that have no other source (the relay
//! source of `rtspeek serve`).
//!
//! The reader is a small checked cursor rather than nom (which the build has through x509-parser): the grammar
//! is a few fixed fields and two counted lists, and the cursor gives each error the field's name and byte offset
//! directly, where nom's errors would have to be mapped back to both.

use super::{Codec, ParamSetKind, h265};

/// What a decoder configuration record holds for a decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoderConfig {
    /// H.264 (`avcC`) or H.265 (`hvcC`).
    pub codec: Codec,
    /// Bytes of the length prefix of each NAL unit in samples: `lengthSizeMinusOne + 1`, 1 to 4.
    pub length_size: u8,
    /// The parameter sets, VPS then SPS then PPS (record order within a kind).
    pub parameter_sets: Vec<RecordNal>,
}

/// One parameter set of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordNal {
    /// The kind the record files it under: `avcC`'s SPS or PPS list, `hvcC`'s array `NAL_unit_type`. Its own
    /// header may disagree in a damaged record.
    pub kind: ParamSetKind,
    /// Byte offset of the NAL unit (after its 16-bit length) in the record.
    pub offset: usize,
    /// The NAL unit, header included.
    pub nal: Vec<u8>,
}

/// A record that cannot be used: which one, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{record} at byte {offset}: {problem}")]
pub struct DecoderConfigError {
    /// `avcC` or `hvcC`.
    pub record: &'static str,
    /// Byte offset in the record of the field that could not be read (0 for the record as a whole).
    pub offset: usize,
    /// What was wrong.
    pub problem: RecordProblem,
}

/// What is wrong with a decoder configuration record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordProblem {
    /// The record ends inside a field.
    #[error("{field}: needs {needed} bytes, {left} left")]
    Truncated {
        /// The field (the specification's name).
        field: &'static str,
        /// Bytes it needs.
        needed: usize,
        /// Bytes left in the record.
        left: usize,
    },
    /// `configurationVersion` is not 1, the only version defined.
    #[error("configurationVersion {0}, expected 1")]
    Version(u8),
    /// A NAL unit of length 0.
    #[error("{field}: empty NAL unit")]
    EmptyNal {
        /// The field (`sequenceParameterSetNALUnit`, `nalUnit`...).
        field: &'static str,
    },
    /// ([`DecoderConfig::require_complete`]) A parameter set a decoder needs is absent.
    #[error("no {}", .0.as_str())]
    Missing(ParamSetKind),
    /// ([`DecoderConfig::require_complete`]) A NAL unit in a parameter set list that is no parameter set.
    #[error("a parameter set array holds NAL unit type {nal_type}")]
    NotAParameterSet {
        /// Its NAL unit type.
        nal_type: u8,
    },
}

/// Reads the decoder configuration record of `codec`: `avcC` for H.264, `hvcC` for H.265.
pub fn parse(codec: Codec, record: &[u8]) -> Result<DecoderConfig, DecoderConfigError> {
    match codec {
        Codec::H264 => parse_avcc(record),
        Codec::H265 => parse_hvcc(record),
    }
}

/// Reads an `AVCDecoderConfigurationRecord` (5.3.3.1): every SPS, then every PPS.
pub fn parse_avcc(record: &[u8]) -> Result<DecoderConfig, DecoderConfigError> {
    let mut r = Cursor { record: "avcC", data: record, pos: 0 };
    r.version()?;
    r.take(3, "AVCProfileIndication, profile_compatibility, AVCLevelIndication")?;
    let length_size = r.length_size()?;
    let mut parameter_sets = Vec::new();
    let sps_count = r.u8("numOfSequenceParameterSets")? & 0x1F;
    for _ in 0..sps_count {
        parameter_sets.push(r.nal("sequenceParameterSetNALUnit")?.of_kind(ParamSetKind::Sps));
    }
    let pps_count = r.u8("numOfPictureParameterSets")?;
    for _ in 0..pps_count {
        parameter_sets.push(r.nal("pictureParameterSetNALUnit")?.of_kind(ParamSetKind::Pps));
    }
    Ok(DecoderConfig { codec: Codec::H264, length_size, parameter_sets })
}

/// Reads an `HEVCDecoderConfigurationRecord` (8.3.3.1): its VPS, SPS and PPS arrays, returned in that order.
pub fn parse_hvcc(record: &[u8]) -> Result<DecoderConfig, DecoderConfigError> {
    let mut r = Cursor { record: "hvcC", data: record, pos: 0 };
    r.version()?;
    // general_profile_space/tier/profile_idc (1), compatibility flags (4), constraint flags (6), level (1),
    // min_spatial_segmentation_idc (2), parallelismType, chromaFormat, the two bit depths (1 each),
    // avgFrameRate (2).
    r.take(20, "profile, tier, level and format fields")?;
    let length_size = r.length_size()?;
    let arrays = r.u8("numOfArrays")?;
    let mut parameter_sets = Vec::new();
    for _ in 0..arrays {
        let kind = match r.u8("NAL_unit_type")? & 0x3F {
            h265::nal_type::VPS => Some(ParamSetKind::Vps),
            h265::nal_type::SPS => Some(ParamSetKind::Sps),
            h265::nal_type::PPS => Some(ParamSetKind::Pps),
            // Declarative SEI and reserved arrays: read past, not kept.
            _ => None,
        };
        let count = r.u16("numNalus")?;
        for _ in 0..count {
            let nal = r.nal("nalUnit")?;
            if let Some(kind) = kind {
                parameter_sets.push(nal.of_kind(kind));
            }
        }
    }
    // Decoding order; the sort is stable, so record order within a kind.
    parameter_sets.sort_by_key(|n| n.kind);
    Ok(DecoderConfig { codec: Codec::H265, length_size, parameter_sets })
}

impl DecoderConfig {
    /// The parameter sets' NAL units, in decoding order.
    pub fn nals(&self) -> impl Iterator<Item = &[u8]> {
        self.parameter_sets.iter().map(|n| n.nal.as_slice())
    }

    /// The kinds a decoder needs (by NAL unit header) that the record lacks.
    pub fn missing(&self) -> Vec<ParamSetKind> {
        ParamSetKind::required(self.codec)
            .iter()
            .copied()
            .filter(|&k| !self.nals().any(|n| ParamSetKind::of(self.codec, n) == Some(k)))
            .collect()
    }

    /// Checks that the record alone configures a decoder: every parameter set it needs is there, and every NAL
    /// unit in its lists is a parameter set.
    pub fn require_complete(&self) -> Result<(), DecoderConfigError> {
        let record = record_name(self.codec);
        if let Some(&kind) = self.missing().first() {
            return Err(DecoderConfigError { record, offset: 0, problem: RecordProblem::Missing(kind) });
        }
        if let Some(odd) = self.parameter_sets.iter().find(|n| ParamSetKind::of(self.codec, &n.nal).is_none())
        {
            let nal_type = self.codec.nal_unit_type(&odd.nal).unwrap_or_default();
            let problem = RecordProblem::NotAParameterSet { nal_type };
            return Err(DecoderConfigError { record, offset: odd.offset, problem });
        }
        Ok(())
    }
}

/// `avcC` or `hvcC`.
fn record_name(codec: Codec) -> &'static str {
    match codec {
        Codec::H264 => "avcC",
        Codec::H265 => "hvcC",
    }
}

/// Reads a record front to back; every read is bounds-checked and names its field.
struct Cursor<'a> {
    record: &'static str,
    data: &'a [u8],
    /// Where the next field starts; never past the end (only `take` moves it, after a checked read).
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn error(&self, problem: RecordProblem) -> DecoderConfigError {
        DecoderConfigError { record: self.record, offset: self.pos, problem }
    }

    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecoderConfigError> {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let Some(bytes) = rest.get(..n) else {
            return Err(self.error(RecordProblem::Truncated { field, needed: n, left: rest.len() }));
        };
        self.pos += n;
        Ok(bytes)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, DecoderConfigError> {
        Ok(self.take(1, field)?.first().copied().unwrap_or_default())
    }

    fn u16(&mut self, field: &'static str) -> Result<u16, DecoderConfigError> {
        Ok(self.take(2, field)?.iter().fold(0, |v, &b| v << 8 | u16::from(b)))
    }

    /// `configurationVersion`, which must be 1.
    fn version(&mut self) -> Result<(), DecoderConfigError> {
        match self.u8("configurationVersion")? {
            1 => Ok(()),
            v => {
                Err(DecoderConfigError { record: self.record, offset: 0, problem: RecordProblem::Version(v) })
            }
        }
    }

    /// `lengthSizeMinusOne` (the low two bits of its byte) plus one.
    fn length_size(&mut self) -> Result<u8, DecoderConfigError> {
        Ok((self.u8("lengthSizeMinusOne")? & 0b11) + 1)
    }

    /// A 16-bit length and that many bytes of NAL unit.
    fn nal(&mut self, field: &'static str) -> Result<Located<'a>, DecoderConfigError> {
        let len = usize::from(self.u16(field)?);
        if len == 0 {
            // At the length field, which is what is wrong.
            self.pos -= 2;
            return Err(self.error(RecordProblem::EmptyNal { field }));
        }
        let offset = self.pos;
        Ok(Located { offset, nal: self.take(len, field)? })
    }
}

/// A NAL unit read from a record and where it starts.
struct Located<'a> {
    offset: usize,
    nal: &'a [u8],
}

impl Located<'_> {
    fn of_kind(self, kind: ParamSetKind) -> RecordNal {
        RecordNal { kind, offset: self.offset, nal: self.nal.to_vec() }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const SPS: &[u8] = &[0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x02, 0x80, 0xBF, 0xE5];
    const PPS: &[u8] = &[0x68, 0xCE, 0x3C, 0x80];
    const VPS5: &[u8] = &[0x40, 0x01, 0x0C];
    const SPS5: &[u8] = &[0x42, 0x01, 0x01];
    const PPS5: &[u8] = &[0x44, 0x01, 0xC1];

    fn avcc() -> Vec<u8> {
        let mut out = vec![1, 0x42, 0xC0, 0x1E, 0xFF, 0xE1];
        out.extend_from_slice(&(SPS.len() as u16).to_be_bytes());
        out.extend_from_slice(SPS);
        out.push(1);
        out.extend_from_slice(&(PPS.len() as u16).to_be_bytes());
        out.extend_from_slice(PPS);
        out
    }

    /// An hvcC with its arrays out of order (PPS, SEI, VPS, SPS) and a 2-byte length size.
    fn hvcc() -> Vec<u8> {
        let mut out = vec![1];
        out.extend_from_slice(&[0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5D]);
        out.extend_from_slice(&[0xF0, 0x00, 0xFC, 0xFD, 0xF8, 0xF8, 0, 0, 0x0D]);
        let sei: &[u8] = &[0x4E, 0x01, 0x05];
        let arrays: [(u8, &[u8]); 4] = [(34, PPS5), (39, sei), (32, VPS5), (33, SPS5)];
        out.push(arrays.len() as u8);
        for (t, nal) in arrays {
            out.push(0x80 | t);
            out.extend_from_slice(&1u16.to_be_bytes());
            out.extend_from_slice(&(nal.len() as u16).to_be_bytes());
            out.extend_from_slice(nal);
        }
        out
    }

    #[test]
    fn avcc_gives_sps_then_pps_with_offsets() {
        let config = parse_avcc(&avcc()).unwrap();
        assert_eq!((config.codec, config.length_size), (Codec::H264, 4));
        assert_eq!(config.nals().collect::<Vec<_>>(), [SPS, PPS]);
        assert_eq!(
            config.parameter_sets[0],
            RecordNal { kind: ParamSetKind::Sps, offset: 8, nal: SPS.to_vec() }
        );
        assert_eq!(config.parameter_sets[1].offset, 8 + SPS.len() + 3);
        assert_eq!(config.require_complete(), Ok(()));
        assert_eq!(parse(Codec::H264, &avcc()), Ok(config));
    }

    #[test]
    fn hvcc_gives_vps_sps_pps_and_drops_sei() {
        let config = parse_hvcc(&hvcc()).unwrap();
        assert_eq!((config.codec, config.length_size), (Codec::H265, 2));
        assert_eq!(config.nals().collect::<Vec<_>>(), [VPS5, SPS5, PPS5]);
        let kinds: Vec<_> = config.parameter_sets.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, [ParamSetKind::Vps, ParamSetKind::Sps, ParamSetKind::Pps]);
        let record = hvcc();
        for n in &config.parameter_sets {
            assert_eq!(&record[n.offset..n.offset + n.nal.len()], n.nal.as_slice());
        }
        assert_eq!(config.require_complete(), Ok(()));
    }

    #[test]
    fn truncated_records_fail_with_a_position_and_never_panic() {
        for (record, codec) in [(avcc(), Codec::H264), (hvcc(), Codec::H265)] {
            for cut in 0..record.len() {
                let e = parse(codec, &record[..cut]).expect_err("a truncated record is refused");
                assert!(e.offset <= cut, "{e}");
                assert!(matches!(e.problem, RecordProblem::Truncated { .. }), "{e}");
            }
        }
        let e = parse_avcc(&avcc()[..10]).unwrap_err();
        assert_eq!(e.to_string(), "avcC at byte 8: sequenceParameterSetNALUnit: needs 9 bytes, 2 left");
        assert_eq!(
            parse_avcc(&[]).unwrap_err().to_string(),
            "avcC at byte 0: configurationVersion: needs 1 bytes, 0 left"
        );
        let mut long = avcc();
        long[7] = 0xFF;
        assert!(parse_avcc(&long).unwrap_err().to_string().contains("needs 255 bytes"));
    }

    #[test]
    fn bad_fields_are_named() {
        let mut v2 = avcc();
        v2[0] = 2;
        assert_eq!(
            parse_avcc(&v2).unwrap_err().to_string(),
            "avcC at byte 0: configurationVersion 2, expected 1"
        );
        let mut empty = avcc();
        empty[6..8].copy_from_slice(&[0, 0]);
        assert_eq!(
            parse_avcc(&empty).unwrap_err().to_string(),
            "avcC at byte 6: sequenceParameterSetNALUnit: empty NAL unit"
        );
        assert!(parse_hvcc(&[0xFF; 3]).is_err());
    }

    #[test]
    fn completeness_is_a_separate_check() {
        // No PPS: a valid record (avc3 may carry PPS in band), but not enough alone.
        let mut no_pps = avcc();
        no_pps.truncate(8 + SPS.len());
        no_pps.push(0);
        let config = parse_avcc(&no_pps).unwrap();
        assert_eq!(config.missing(), [ParamSetKind::Pps]);
        assert_eq!(config.require_complete().unwrap_err().to_string(), "avcC at byte 0: no PPS");
        // A PPS in the SPS list: no SPS by its header.
        let mut swapped = avcc();
        swapped[8] = 0x68;
        assert_eq!(
            parse_avcc(&swapped).unwrap().require_complete().unwrap_err().problem,
            RecordProblem::Missing(ParamSetKind::Sps)
        );
        // An IDR slice in the PPS list, with the SPS and PPS both there.
        let mut odd = avcc();
        odd[8 + SPS.len()] = 2;
        odd.extend_from_slice(&[0, 2, 0x65, 0x88]);
        let e = parse_avcc(&odd).unwrap().require_complete().unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("avcC at byte {}: a parameter set array holds NAL unit type 5", odd.len() - 2)
        );
        // The H.265 record without its VPS array.
        let record = hvcc();
        let config = parse_hvcc(&record).unwrap();
        let without_vps = DecoderConfig { parameter_sets: config.parameter_sets[1..].to_vec(), ..config };
        assert_eq!(without_vps.missing(), [ParamSetKind::Vps]);
    }
}
