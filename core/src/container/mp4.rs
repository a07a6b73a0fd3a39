//! A minimal ISO base media file format (ISO/IEC 14496-12: MP4, MOV) demuxer for the first H.264 or H.265
//! video track.
//!
//! It walks `moov/trak/mdia` (`mdhd` timescale, `hdlr` type `vide`) and `minf/stbl`: the sample entry in
//! `stsd` (`avc1`/`avc3` with `avcC`, `hvc1`/`hev1` with `hvcC`, ISO/IEC 14496-15, read by
//! [`crate::codec::decoder_config`]) gives the parameter sets and the NAL unit length size; `stts` the
//! decoding times; `stss` the sync samples (keyframes; without it
//! every sample is one); `stsz` or `stz2` the sample sizes; `stsc` with `stco` or `co64` where each sample
//! lies. Each sample's length-prefixed NAL units become a frame.
//!
//! Simplifications: `pts` is the decoding time (`ctts` composition offsets and `edts` edit lists are
//! ignored), exact for streams without B-frames; only the first sample description is used. Fragmented files
//! (`moof`, `moov/mvex`) are refused with [`ContainerError::Fragmented`].
//!
//! Every size, count and offset is checked against the box or file holding it before it is used; table
//! allocations are bounded by the box sizes, sample counts and total sample bytes by the file size. Errors
//! carry the box path and byte offset (`moov/trak/mdia/minf/stbl/stsz at byte 1234: ...`).

use super::{ContainerError, ElementaryStream, RawFrame, Source, assemble, check_frame_rate};
use crate::codec::{Codec, VIDEO_CLOCK_RATE, decoder_config};
use crate::rtp::packetize::nal_problem;

/// Reads the first H.264 or H.265 video track of an MP4/MOV file. `default_frame_rate` is used only when
/// the sample durations give no frame rate.
pub fn read(bytes: &[u8], default_frame_rate: f64) -> Result<ElementaryStream, ContainerError> {
    check_frame_rate(default_frame_rate)?;
    let top = children(bytes, 0, "")?;
    if let Some(moof) = find(&top, b"moof") {
        return Err(ContainerError::Fragmented { path: "moof", offset: moof.offset });
    }
    let moov = find(&top, b"moov").ok_or(ContainerError::NoMoov)?;
    let moov_children = children(moov.body, moov.body_offset, "moov")?;
    if let Some(mvex) = find(&moov_children, b"mvex") {
        return Err(ContainerError::Fragmented { path: "moov/mvex", offset: mvex.offset });
    }
    let mut found = Vec::new();
    for trak in moov_children.iter().filter(|b| &b.kind == b"trak") {
        if let Some(track) = track(trak, bytes.len(), &mut found)? {
            return track.frames(bytes, default_frame_rate);
        }
    }
    let found = if found.is_empty() { "none".to_string() } else { found.join(", ") };
    Err(ContainerError::NoVideoTrack { found })
}

/// One box: its type, where it starts and its body (after the header).
#[derive(Debug, Clone, Copy)]
struct Mp4Box<'a> {
    kind: [u8; 4],
    /// Byte offset of the box header in the file.
    offset: usize,
    body: &'a [u8],
    /// Byte offset of the body in the file.
    body_offset: usize,
}

fn err(path: &str, offset: usize, reason: impl Into<String>) -> ContainerError {
    ContainerError::Mp4 { path: path.to_string(), offset, reason: reason.into() }
}

/// `parent/kind`, with the type made printable.
fn join(parent: &str, kind: &[u8; 4]) -> String {
    let kind = fourcc(kind);
    if parent.is_empty() { kind } else { format!("{parent}/{kind}") }
}

fn fourcc(kind: &[u8; 4]) -> String {
    kind.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { char::from(b) } else { '?' }).collect()
}

/// The boxes that make up `data`, which starts at byte `base` of the file and is the body of `parent`.
fn children<'a>(data: &'a [u8], base: usize, parent: &str) -> Result<Vec<Mp4Box<'a>>, ContainerError> {
    let mut boxes = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let offset = base + (data.len() - rest.len());
        let Some((head, _)) = rest.split_first_chunk::<8>() else {
            let path = if parent.is_empty() { "(file)" } else { parent };
            return Err(err(path, offset, format!("{} bytes left, too few for a box header", rest.len())));
        };
        let kind = [head[4], head[5], head[6], head[7]];
        let path = join(parent, &kind);
        let (size, header_len) = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            1 => match rest.get(8..16) {
                Some(large) => (u64::from_be_bytes(large.try_into().unwrap_or_default()), 16),
                None => return Err(err(&path, offset, "truncated 64-bit box size")),
            },
            // Size 0: the box extends to the end of its parent.
            0 => (rest.len() as u64, 8),
            size => (u64::from(size), 8),
        };
        let Some((whole, tail)) = usize::try_from(size).ok().and_then(|size| rest.split_at_checked(size))
        else {
            let within = if parent.is_empty() { "the file".to_string() } else { parent.to_string() };
            return Err(err(
                &path,
                offset,
                format!("box size {size} runs past the end of {within} ({} bytes left)", rest.len()),
            ));
        };
        // `rest` holds the whole header, so a size past it is never also smaller than the header.
        let Some(body) = whole.get(header_len..) else {
            return Err(err(
                &path,
                offset,
                format!("box size {size} is smaller than its {header_len}-byte header"),
            ));
        };
        boxes.push(Mp4Box { kind, offset, body, body_offset: offset + header_len });
        rest = tail;
    }
    Ok(boxes)
}

fn find<'b, 'a>(boxes: &'b [Mp4Box<'a>], kind: &[u8; 4]) -> Option<&'b Mp4Box<'a>> {
    boxes.iter().find(|b| &b.kind == kind)
}

/// The child `kind` of the box at `parent`, or an error saying it is missing.
fn require<'b, 'a>(
    boxes: &'b [Mp4Box<'a>],
    kind: &[u8; 4],
    parent: &str,
    parent_offset: usize,
) -> Result<&'b Mp4Box<'a>, ContainerError> {
    find(boxes, kind).ok_or_else(|| err(parent, parent_offset, format!("no {} box", fourcc(kind))))
}

/// Reads the fields of one box body, with errors at the byte being read.
#[derive(Debug)]
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    path: &'a str,
}

impl<'a> Reader<'a> {
    fn new(b: &Mp4Box<'a>, path: &'a str) -> Self {
        Reader { data: b.body, pos: 0, base: b.body_offset, path }
    }

    fn error(&self, reason: impl Into<String>) -> ContainerError {
        err(self.path, self.base + self.pos, reason)
    }

    /// The bytes not read yet (`pos` never passes the end: only `take` moves it forward).
    fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    fn left(&self) -> usize {
        self.rest().len()
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ContainerError> {
        let Some(bytes) = self.rest().get(..n) else {
            return Err(
                self.error(format!("truncated reading {what}: {n} bytes needed, {} left", self.left()))
            );
        };
        self.pos += n;
        Ok(bytes)
    }

    fn uint(&mut self, n: usize, what: &str) -> Result<u64, ContainerError> {
        Ok(self.take(n, what)?.iter().fold(0u64, |v, &b| v << 8 | u64::from(b)))
    }

    fn u8(&mut self, what: &str) -> Result<u8, ContainerError> {
        Ok(self.uint(1, what)? as u8)
    }

    fn u32(&mut self, what: &str) -> Result<u32, ContainerError> {
        Ok(self.uint(4, what)? as u32)
    }

    /// The version and flags of a full box; the version.
    fn full_box(&mut self) -> Result<u8, ContainerError> {
        let version = self.u8("version")?;
        self.take(3, "flags")?;
        Ok(version)
    }

    /// A 32-bit entry count whose `entry_size`-byte entries must fit in the rest of the box (so that a
    /// corrupt count cannot make a huge allocation).
    fn count(&mut self, what: &str, entry_size: usize) -> Result<usize, ContainerError> {
        let at = self.pos;
        let count = self.u32(what)?;
        let needed = u64::from(count) * entry_size as u64;
        if needed > self.left() as u64 {
            self.pos = at;
            return Err(self.error(format!(
                "{what} {count} exceeds the file: {count} entries of {entry_size} bytes need {needed} bytes, \
                 the box has {}",
                self.left()
            )));
        }
        Ok(count as usize)
    }
}

/// What a video track's sample entry says.
#[derive(Debug)]
struct SampleEntry {
    codec: Codec,
    /// Bytes of each NAL unit length prefix (1 to 4).
    length_size: usize,
    parameter_sets: Vec<Vec<u8>>,
}

/// The tables of a supported video track.
#[derive(Debug)]
struct Track {
    entry: SampleEntry,
    timescale: u32,
    stbl_path: String,
    /// (sample count, sample delta) runs.
    stts: Vec<(u32, u32)>,
    stts_offset: usize,
    /// 1-based sync sample numbers; None when every sample is a sync sample.
    stss: Option<(Vec<u32>, usize)>,
    sizes: Vec<u32>,
    /// (first chunk, samples per chunk) runs.
    stsc: Vec<(u32, u32)>,
    stsc_offset: usize,
    chunk_offsets: Vec<u64>,
    chunk_path: String,
    chunk_offset: usize,
}

/// Reads `trak` if it is an H.264/H.265 video track; otherwise notes what it is in `found`. `file_len`
/// bounds the sample count.
fn track(
    trak: &Mp4Box<'_>,
    file_len: usize,
    found: &mut Vec<String>,
) -> Result<Option<Track>, ContainerError> {
    let path = "moov/trak";
    let trak_children = children(trak.body, trak.body_offset, path)?;
    let mdia = require(&trak_children, b"mdia", path, trak.offset)?;
    let mdia_path = "moov/trak/mdia";
    let mdia_children = children(mdia.body, mdia.body_offset, mdia_path)?;

    let hdlr = require(&mdia_children, b"hdlr", mdia_path, mdia.offset)?;
    let hdlr_path = "moov/trak/mdia/hdlr";
    let mut r = Reader::new(hdlr, hdlr_path);
    r.full_box()?;
    r.take(4, "pre_defined")?;
    let handler: [u8; 4] = r.take(4, "handler_type")?.try_into().unwrap_or_default();
    if &handler != b"vide" {
        found.push(fourcc(&handler));
        return Ok(None);
    }

    let mdhd = require(&mdia_children, b"mdhd", mdia_path, mdia.offset)?;
    let mut r = Reader::new(mdhd, "moov/trak/mdia/mdhd");
    let version = r.full_box()?;
    r.take(if version == 1 { 16 } else { 8 }, "creation and modification times")?;
    let timescale = r.u32("timescale")?;
    if timescale == 0 {
        return Err(r.error("timescale is 0"));
    }

    let minf_path = "moov/trak/mdia/minf";
    let minf = require(&mdia_children, b"minf", mdia_path, mdia.offset)?;
    let minf_children = children(minf.body, minf.body_offset, minf_path)?;
    let stbl_path = "moov/trak/mdia/minf/stbl";
    let stbl = require(&minf_children, b"stbl", minf_path, minf.offset)?;
    let stbl_children = children(stbl.body, stbl.body_offset, stbl_path)?;

    let stsd = require(&stbl_children, b"stsd", stbl_path, stbl.offset)?;
    let entry = match sample_entry(stsd)? {
        Ok(entry) => entry,
        Err(kind) => {
            found.push(format!("vide/{}", fourcc(&kind)));
            return Ok(None);
        }
    };

    let stts = require(&stbl_children, b"stts", stbl_path, stbl.offset)?;
    let mut r = Reader::new(stts, "moov/trak/mdia/minf/stbl/stts");
    r.full_box()?;
    let n = r.count("entry count", 8)?;
    let stts_runs = (0..n)
        .map(|_| Ok((r.u32("sample_count")?, r.u32("sample_delta")?)))
        .collect::<Result<Vec<_>, ContainerError>>()?;

    let stss = match find(&stbl_children, b"stss") {
        Some(stss) => {
            let mut r = Reader::new(stss, "moov/trak/mdia/minf/stbl/stss");
            r.full_box()?;
            let n = r.count("entry count", 4)?;
            let numbers = (0..n).map(|_| r.u32("sample_number")).collect::<Result<Vec<_>, _>>()?;
            Some((numbers, stss.offset))
        }
        None => None,
    };

    let sizes = sample_sizes(&stbl_children, stbl_path, stbl.offset, file_len)?;

    let stsc = require(&stbl_children, b"stsc", stbl_path, stbl.offset)?;
    let stsc_path = "moov/trak/mdia/minf/stbl/stsc";
    let mut r = Reader::new(stsc, stsc_path);
    r.full_box()?;
    let n = r.count("entry count", 12)?;
    let mut stsc_runs = Vec::with_capacity(n);
    for _ in 0..n {
        let first_chunk = r.u32("first_chunk")?;
        let per_chunk = r.u32("samples_per_chunk")?;
        r.u32("sample_description_index")?;
        let expected = stsc_runs.last().map_or(1, |&(first, _): &(u32, u32)| first.saturating_add(1));
        if first_chunk < expected || (stsc_runs.is_empty() && first_chunk != 1) {
            return Err(
                r.error(format!("first_chunk {first_chunk} out of order (expected {expected} or more)"))
            );
        }
        stsc_runs.push((first_chunk, per_chunk));
    }

    let (chunk_box, chunk_path, entry_size) =
        match (find(&stbl_children, b"stco"), find(&stbl_children, b"co64")) {
            (Some(b), _) => (b, "moov/trak/mdia/minf/stbl/stco", 4),
            (None, Some(b)) => (b, "moov/trak/mdia/minf/stbl/co64", 8),
            (None, None) => return Err(err(stbl_path, stbl.offset, "no stco or co64 box")),
        };
    let mut r = Reader::new(chunk_box, chunk_path);
    r.full_box()?;
    let n = r.count("entry count", entry_size)?;
    let chunk_offsets = (0..n).map(|_| r.uint(entry_size, "chunk_offset")).collect::<Result<Vec<_>, _>>()?;

    Ok(Some(Track {
        entry,
        timescale,
        stbl_path: stbl_path.to_string(),
        stts: stts_runs,
        stts_offset: stts.offset,
        stss,
        sizes,
        stsc: stsc_runs,
        stsc_offset: stsc.offset,
        chunk_offsets,
        chunk_path: chunk_path.to_string(),
        chunk_offset: chunk_box.offset,
    }))
}

/// The first sample description: Ok for a supported one, Err with its type otherwise.
fn sample_entry(stsd: &Mp4Box<'_>) -> Result<Result<SampleEntry, [u8; 4]>, ContainerError> {
    let path = "moov/trak/mdia/minf/stbl/stsd";
    let mut r = Reader::new(stsd, path);
    r.full_box()?;
    if r.u32("entry_count")? == 0 {
        return Err(r.error("no sample description"));
    }
    let entries = children(r.rest(), r.base + r.pos, path)?;
    let Some(entry) = entries.first() else {
        return Err(r.error("no sample description"));
    };
    let codec = match &entry.kind {
        b"avc1" | b"avc3" => Codec::H264,
        b"hvc1" | b"hev1" => Codec::H265,
        _ => return Ok(Err(entry.kind)),
    };
    let entry_path = join(path, &entry.kind);
    // VisualSampleEntry: 6 reserved, data_reference_index, 16 pre_defined/reserved, width, height,
    // resolutions, reserved, frame_count, compressorname, depth, pre_defined: 78 bytes, then boxes.
    let mut r = Reader::new(entry, &entry_path);
    r.take(78, "visual sample entry fields")?;
    let boxes = children(r.rest(), entry.body_offset + 78, &entry_path)?;
    let config_kind = if codec == Codec::H264 { b"avcC" } else { b"hvcC" };
    let config = require(&boxes, config_kind, &entry_path, entry.offset)?;
    let config_path = join(&entry_path, config_kind);
    let record = decoder_config::parse(codec, config.body)
        .map_err(|e| err(&config_path, config.body_offset + e.offset, e.problem.to_string()))?;
    let parameter_sets = record
        .parameter_sets
        .into_iter()
        .map(|n| check_nal(codec, n.nal, config.body_offset + n.offset))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Ok(SampleEntry { codec, length_size: usize::from(record.length_size), parameter_sets }))
}

/// Checks that a NAL unit read from byte `offset` can be packetized.
fn check_nal(codec: Codec, nal: Vec<u8>, offset: usize) -> Result<Vec<u8>, ContainerError> {
    match nal_problem(codec, &nal) {
        Some(problem) => Err(ContainerError::BadNal { offset, len: nal.len(), problem }),
        None => Ok(nal),
    }
}

/// Sample sizes from `stsz` or `stz2`. `limit` bounds the count of constant-size samples (their table is
/// not stored, so the box size does not bound it).
fn sample_sizes(
    stbl_children: &[Mp4Box<'_>],
    stbl_path: &str,
    stbl_offset: usize,
    limit: usize,
) -> Result<Vec<u32>, ContainerError> {
    if let Some(stsz) = find(stbl_children, b"stsz") {
        let mut r = Reader::new(stsz, "moov/trak/mdia/minf/stbl/stsz");
        r.full_box()?;
        let size = r.u32("sample_size")?;
        if size == 0 {
            let n = r.count("sample count", 4)?;
            return (0..n).map(|_| r.u32("entry_size")).collect();
        }
        let count = r.u32("sample count")?;
        if u64::from(count) * u64::from(size) > limit as u64 {
            r.pos -= 4;
            return Err(r.error(format!("sample count {count} of {size} bytes each exceeds the file")));
        }
        return Ok(vec![size; count as usize]);
    }
    let Some(stz2) = find(stbl_children, b"stz2") else {
        return Err(err(stbl_path, stbl_offset, "no stsz or stz2 box"));
    };
    let mut r = Reader::new(stz2, "moov/trak/mdia/minf/stbl/stz2");
    r.full_box()?;
    r.take(3, "reserved")?;
    let field_size = r.u8("field_size")?;
    if !matches!(field_size, 4 | 8 | 16) {
        return Err(r.error(format!("field_size {field_size} is not 4, 8 or 16")));
    }
    let count = r.u32("sample count")?;
    let needed = (u64::from(count) * u64::from(field_size)).div_ceil(8);
    if needed > r.left() as u64 {
        let reason = format!(
            "sample count {count} exceeds the file: {count} entries of {field_size} bits need {needed} \
             bytes, the box has {}",
            r.left()
        );
        r.pos -= 4;
        return Err(r.error(reason));
    }
    let table = r.take(needed as usize, "entry sizes")?;
    let count = count as usize;
    Ok(match field_size {
        // Two entries a byte, high nibble first; an odd count leaves the last nibble unused.
        4 => table.iter().flat_map(|&b| [b >> 4, b & 0x0F]).take(count).map(u32::from).collect(),
        8 => table.iter().map(|&b| u32::from(b)).collect(),
        _ => table.as_chunks::<2>().0.iter().map(|&pair| u32::from(u16::from_be_bytes(pair))).collect(),
    })
}

impl Track {
    /// Locates, times and splits every sample, then hands the frames to the common steps.
    fn frames(self, file: &[u8], default_frame_rate: f64) -> Result<ElementaryStream, ContainerError> {
        let count = self.sizes.len();
        let stts_path = format!("{}/stts", self.stbl_path);
        let stsc_path = format!("{}/stsc", self.stbl_path);

        // Decoding times, in the track's timescale.
        let mut times = Vec::with_capacity(count);
        let mut t = 0u64;
        for &(run, delta) in &self.stts {
            for _ in 0..run {
                if times.len() == count {
                    break;
                }
                times.push(t);
                t = t.saturating_add(u64::from(delta));
            }
        }
        if times.len() < count {
            return Err(err(
                &stts_path,
                self.stts_offset,
                format!("time-to-sample entries cover {} of {count} samples", times.len()),
            ));
        }
        let end_time = t;

        let mut keyframes = vec![self.stss.is_none(); count];
        if let Some((numbers, offset)) = &self.stss {
            for &n in numbers {
                let index = (n as usize).wrapping_sub(1);
                let Some(k) = keyframes.get_mut(index) else {
                    let path = format!("{}/stss", self.stbl_path);
                    return Err(err(&path, *offset, format!("sync sample {n} is not in 1..={count}")));
                };
                *k = true;
            }
        }

        // Where each sample lies: chunks in order, `samples_per_chunk` from the stsc run covering the chunk.
        let mut locations = Vec::with_capacity(count);
        let mut total = 0u64;
        let mut run = 0;
        for (chunk_index, &chunk_start) in self.chunk_offsets.iter().enumerate() {
            if locations.len() == count {
                break;
            }
            let chunk = chunk_index as u64 + 1;
            while self.stsc.get(run + 1).is_some_and(|&(first, _)| u64::from(first) <= chunk) {
                run += 1;
            }
            let Some(&(first, per_chunk)) = self.stsc.get(run) else { break };
            if u64::from(first) > chunk {
                break;
            }
            let mut at = chunk_start;
            for _ in 0..per_chunk {
                let Some(&size) = self.sizes.get(locations.len()) else { break };
                let end = at.saturating_add(u64::from(size));
                let sample =
                    usize::try_from(at).ok().zip(usize::try_from(end).ok()).and_then(|(a, e)| file.get(a..e));
                let Some(sample) = sample else {
                    return Err(err(
                        &self.chunk_path,
                        self.chunk_offset,
                        format!(
                            "sample {} (chunk {chunk}) at bytes {at}..{end} lies outside the {}-byte file",
                            locations.len() + 1,
                            file.len()
                        ),
                    ));
                };
                total += u64::from(size);
                if total > file.len() as u64 {
                    return Err(err(
                        &self.chunk_path,
                        self.chunk_offset,
                        format!("samples total more than the {}-byte file: they overlap", file.len()),
                    ));
                }
                locations.push((at as usize, sample));
                at = end;
            }
        }
        if locations.len() < count {
            return Err(err(
                &stsc_path,
                self.stsc_offset,
                format!("the chunks hold {} of the {count} samples", locations.len()),
            ));
        }

        let timescale = u64::from(self.timescale);
        let to_90k = |t: u64| {
            let ticks = (u128::from(t) * u128::from(VIDEO_CLOCK_RATE) + u128::from(timescale / 2))
                / u128::from(timescale);
            u64::try_from(ticks).unwrap_or(u64::MAX)
        };
        let codec = self.entry.codec;
        let mut raw = Vec::with_capacity(count);
        // `locations`, `keyframes` and `times` all hold `count` entries.
        let samples = locations.into_iter().zip(keyframes).zip(times);
        for (number, (((at, sample), keyframe), time)) in (1..).zip(samples) {
            let nals = split_sample(codec, sample, at, self.entry.length_size, number)?;
            raw.push(RawFrame { nals, keyframe, time: Some(to_90k(time)) });
        }

        // The nominal frame rate: the most common sample duration.
        let frame_rate = self
            .stts
            .iter()
            .filter(|&&(_, delta)| delta > 0)
            .max_by_key(|&&(run, _)| run)
            .map(|&(_, delta)| f64::from(self.timescale) / f64::from(delta));
        let source = Source {
            codec,
            out_of_band: &self.entry.parameter_sets,
            frame_rate,
            end_time: Some(to_90k(end_time)),
            input_len: file.len(),
        };
        assemble(source, raw, default_frame_rate)
    }
}

/// Splits a sample (at byte `offset` of the file) into its length-prefixed NAL units.
fn split_sample(
    codec: Codec,
    sample: &[u8],
    offset: usize,
    length_size: usize,
    number: usize,
) -> Result<Vec<Vec<u8>>, ContainerError> {
    let mut nals = Vec::new();
    let mut rest = sample;
    while !rest.is_empty() {
        let pos = sample.len() - rest.len();
        let Some((prefix, after)) = rest.split_at_checked(length_size) else {
            return Err(err(
                "mdat",
                offset + pos,
                format!("sample {number}: {} bytes left, too few for a NAL unit length", rest.len()),
            ));
        };
        let len = prefix.iter().fold(0usize, |v, &b| v << 8 | usize::from(b));
        let Some((nal, after)) = after.split_at_checked(len) else {
            return Err(err(
                "mdat",
                offset + pos,
                format!(
                    "sample {number}: NAL unit length {len} runs past the end of the {}-byte sample",
                    sample.len()
                ),
            ));
        };
        // Zero-length NAL units carry nothing; skip them.
        if len > 0 {
            nals.push(check_nal(codec, nal.to_vec(), offset + pos + length_size)?);
        }
        rest = after;
    }
    if nals.is_empty() {
        return Err(err("mdat", offset, format!("sample {number} holds no NAL unit")));
    }
    Ok(nals)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    fn full(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        mp4_box(kind, &[&[0, 0, 0, 0], body].concat())
    }

    fn words(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    const SPS: &[u8] = &[0x67, 0x42, 0x00, 0x1e, 0xda, 0x0a, 0x36, 0x40];
    const PPS: &[u8] = &[0x68, 0xce, 0x3c, 0x80];

    /// A one-track file whose stbl holds `stbl_boxes` after a valid avc1 stsd; mdat first at byte 0.
    fn file(mdat: &[u8], stbl_boxes: &[Vec<u8>]) -> Vec<u8> {
        let mut avcc = vec![1, 0x42, 0, 0x1e, 0xff, 0xe1];
        avcc.extend_from_slice(&(SPS.len() as u16).to_be_bytes());
        avcc.extend_from_slice(SPS);
        avcc.push(1);
        avcc.extend_from_slice(&(PPS.len() as u16).to_be_bytes());
        avcc.extend_from_slice(PPS);
        let entry = mp4_box(b"avc1", &[&[0u8; 78][..], &mp4_box(b"avcC", &avcc)].concat());
        let stsd = full(b"stsd", &[&words(&[1])[..], &entry].concat());
        let mut stbl = stsd;
        for b in stbl_boxes {
            stbl.extend_from_slice(b);
        }
        let hdlr = full(b"hdlr", &[&[0u8; 4][..], b"vide", &[0; 12], b"\0"].concat());
        let mdhd = full(b"mdhd", &words(&[0, 0, 1000, 0, 0]));
        let minf = mp4_box(b"minf", &mp4_box(b"stbl", &stbl));
        let mdia = mp4_box(b"mdia", &[mdhd, hdlr, minf].concat());
        let moov = mp4_box(b"moov", &mp4_box(b"trak", &mdia));
        [mp4_box(b"mdat", mdat), moov].concat()
    }

    /// Two samples: an IDR of 3 bytes and a P slice of 2 bytes, with 4-byte lengths, at byte 8.
    fn two_samples() -> (Vec<u8>, Vec<Vec<u8>>) {
        let mdat = [&words(&[3])[..], &[0x65, 0x88, 0x21], &words(&[2]), &[0x41, 0x9a]].concat();
        let tables = vec![
            full(b"stts", &words(&[1, 2, 100])),
            full(b"stss", &words(&[1, 1])),
            full(b"stsz", &words(&[0, 2, 7, 6])),
            full(b"stsc", &words(&[1, 1, 2, 1])),
            full(b"stco", &words(&[1, 8])),
        ];
        (mdat, tables)
    }

    #[test]
    fn reads_a_minimal_file() {
        let (mdat, tables) = two_samples();
        let es = read(&file(&mdat, &tables), 25.0).unwrap();
        assert_eq!(es.info.codec, Codec::H264);
        assert_eq!(es.info.parameter_sets, [SPS, PPS]);
        assert_eq!(es.info.frame_rate, 10.0);
        assert_eq!(es.frames.len(), 2);
        assert_eq!(es.frames[0].nals, [SPS, PPS, &[0x65, 0x88, 0x21]]);
        assert_eq!(es.frames[1].nals, [&[0x41, 0x9a]]);
        assert_eq!((es.frames[1].pts, es.duration), (9000, 18000));
        assert_eq!(es.parameter_sets_inserted, 1);
    }

    fn read_err(mdat: &[u8], tables: &[Vec<u8>]) -> String {
        read(&file(mdat, tables), 25.0).unwrap_err().to_string()
    }

    #[test]
    fn absurd_counts_and_offsets_are_errors() {
        let (mdat, mut tables) = two_samples();
        tables[2] = full(b"stsz", &words(&[0, 4_000_000_000]));
        let e = read_err(&mdat, &tables);
        assert!(e.starts_with("moov/trak/mdia/minf/stbl/stsz at byte "), "{e}");
        assert!(e.contains("sample count 4000000000 exceeds the file"), "{e}");

        tables[2] = full(b"stsz", &words(&[1000, 4_000_000]));
        let e = read_err(&mdat, &tables);
        assert!(e.contains("sample count 4000000 of 1000 bytes each exceeds the file"), "{e}");

        let (mdat, mut tables) = two_samples();
        tables[4] = full(b"stco", &words(&[1, 1_000_000]));
        let e = read_err(&mdat, &tables);
        assert!(e.starts_with("moov/trak/mdia/minf/stbl/stco at byte "), "{e}");
        assert!(e.contains("sample 1 (chunk 1) at bytes 1000000..1000007 lies outside"), "{e}");

        let (mdat, mut tables) = two_samples();
        tables[1] = full(b"stss", &words(&[1, 3]));
        assert!(read_err(&mdat, &tables).contains("sync sample 3 is not in 1..=2"));

        let (mdat, mut tables) = two_samples();
        tables[0] = full(b"stts", &words(&[1, 1, 100]));
        assert!(read_err(&mdat, &tables).contains("time-to-sample entries cover 1 of 2 samples"));

        let (mdat, mut tables) = two_samples();
        tables[3] = full(b"stsc", &words(&[1, 1, 1, 1]));
        assert!(read_err(&mdat, &tables).contains("the chunks hold 1 of the 2 samples"));

        // Both samples at the same place: more sample bytes than the file could hold separately is fine
        // here (small), but a sample length running past its sample is not.
        let (mut mdat, tables) = two_samples();
        mdat[3] = 9;
        assert!(
            read_err(&mdat, &tables).contains("sample 1: NAL unit length 9 runs past the end of the 7-byte")
        );
    }

    #[test]
    fn structural_errors_name_the_box() {
        let (mdat, tables) = two_samples();
        let mut f = file(&mdat, &tables);
        // The moov box claims one byte more than the file has.
        let moov_at = 8 + mdat.len();
        let size = u32::from_be_bytes(f[moov_at..moov_at + 4].try_into().unwrap());
        f[moov_at..moov_at + 4].copy_from_slice(&(size + 1).to_be_bytes());
        let e = read(&f, 25.0).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "moov at byte {moov_at}: box size {} runs past the end of the file ({size} bytes left)",
                size + 1
            )
        );

        let frag = [mp4_box(b"ftyp", b"isom"), mp4_box(b"moov", &[]), mp4_box(b"moof", &[])].concat();
        assert_eq!(read(&frag, 25.0), Err(ContainerError::Fragmented { path: "moof", offset: 20 }));
        assert_eq!(read(&mp4_box(b"ftyp", b"isom"), 25.0), Err(ContainerError::NoMoov));
        let audio = mp4_box(
            b"moov",
            &mp4_box(
                b"trak",
                &mp4_box(b"mdia", &full(b"hdlr", &[&[0u8; 4][..], b"soun", &[0; 12]].concat())),
            ),
        );
        assert_eq!(read(&audio, 25.0), Err(ContainerError::NoVideoTrack { found: "soun".into() }));
        let e = read(&[0, 0, 0, 4, b'f', b't', b'y', b'p'], 25.0).unwrap_err().to_string();
        assert_eq!(e, "ftyp at byte 0: box size 4 is smaller than its 8-byte header");
    }

    #[test]
    fn every_prefix_and_corruption_is_handled() {
        let (mdat, tables) = two_samples();
        let f = file(&mdat, &tables);
        for len in 0..f.len() {
            assert!(read(&f[..len], 25.0).is_err(), "prefix {len}");
        }
        // Flip each byte in turn: Ok or Err, never a panic.
        for i in 0..f.len() {
            for x in [0x00, 0xff, 0x80, 0x01] {
                let mut g = f.clone();
                g[i] ^= x;
                let _ = read(&g, 25.0);
            }
        }
    }
}
