//! RTP payload formats: the static payload types of RFC 3551 and the encoding names clients know.

/// A static payload type's encoding (RFC 3551 tables 4 and 5): name, clock rate, channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaticPayload {
    /// Encoding name.
    pub encoding: &'static str,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Audio channels (`None` for video).
    pub channels: Option<u16>,
}

/// The encoding of static payload type `pt`, if RFC 3551 assigns one.
pub fn static_payload(pt: u8) -> Option<StaticPayload> {
    let (encoding, clock_rate, channels) = match pt {
        0 => ("PCMU", 8000, Some(1)),
        3 => ("GSM", 8000, Some(1)),
        4 => ("G723", 8000, Some(1)),
        5 => ("DVI4", 8000, Some(1)),
        6 => ("DVI4", 16000, Some(1)),
        7 => ("LPC", 8000, Some(1)),
        8 => ("PCMA", 8000, Some(1)),
        9 => ("G722", 8000, Some(1)),
        10 => ("L16", 44100, Some(2)),
        11 => ("L16", 44100, Some(1)),
        12 => ("QCELP", 8000, Some(1)),
        13 => ("CN", 8000, Some(1)),
        14 => ("MPA", 90000, None),
        15 => ("G728", 8000, Some(1)),
        16 => ("DVI4", 11025, Some(1)),
        17 => ("DVI4", 22050, Some(1)),
        18 => ("G729", 8000, Some(1)),
        25 => ("CelB", 90000, None),
        26 => ("JPEG", 90000, None),
        28 => ("nv", 90000, None),
        31 => ("H261", 90000, None),
        32 => ("MPV", 90000, None),
        33 => ("MP2T", 90000, None),
        34 => ("H263", 90000, None),
        _ => return None,
    };
    Some(StaticPayload { encoding, clock_rate, channels })
}

/// Encoding names that RTSP clients commonly decode or at least recognise (RFC 3551, RFC 4855 registrations,
/// and the ONVIF metadata format). Compared ignoring ASCII case.
const KNOWN_ENCODINGS: &[&str] = &[
    // Video.
    "H264",
    "H265",
    "H264-SVC",
    "MP4V-ES",
    "JPEG",
    "H261",
    "H263",
    "H263-1998",
    "H263-2000",
    "MPV",
    "MP2T",
    "VP8",
    "VP9",
    "AV1",
    "raw",
    // Audio.
    "PCMU",
    "PCMA",
    "G722",
    "G723",
    "G726-16",
    "G726-24",
    "G726-32",
    "G726-40",
    "AAL2-G726-16",
    "AAL2-G726-24",
    "AAL2-G726-32",
    "AAL2-G726-40",
    "G728",
    "G729",
    "GSM",
    "DVI4",
    "L8",
    "L16",
    "L24",
    "MPA",
    "MPEG4-GENERIC",
    "MP4A-LATM",
    "opus",
    "speex",
    "AMR",
    "AMR-WB",
    "iLBC",
    "telephone-event",
    "CN",
    // Metadata and others.
    "vnd.onvif.metadata",
    "t140",
];

/// Whether `encoding` is a name clients commonly know.
pub fn is_known_encoding(encoding: &str) -> bool {
    KNOWN_ENCODINGS.iter().any(|k| k.eq_ignore_ascii_case(encoding))
}
