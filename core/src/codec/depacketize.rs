//! RTP depacketization into access units, shared by H.264 (RFC 6184) and H.265 (RFC 7798).
//!
//! The payload formats differ only in their headers; what follows is common and lives here: grouping NAL
//! units by RTP timestamp, closing an access unit at the marker bit (or, for cameras that never set it, at the
//! next timestamp), reassembling fragmentation units, noticing sequence gaps, and recording every problem as an
//! [`Issue`].
//!
//! Drain contract: feed each packet with [`Depacketizer::push`], then call [`Depacketizer::pop`] until it
//! returns `None` (one packet can close up to two access units: the previous one by its timestamp, its own by
//! its marker). An access unit borrows the depacketizer's buffers until the next call; the buffers are reused,
//! so a steady stream allocates nothing after its first pictures.
//!
//! ```
//! use rtspeek_core::codec::{Codec, Depacketizer};
//! let mut d = Depacketizer::new(Codec::H264);
//! // An IDR slice in a single NAL unit packet, with the marker bit.
//! d.push(1, 3000, true, &[0x65, 0x88, 0x84]);
//! let au = d.pop().expect("closed by the marker");
//! assert!(au.keyframe);
//! assert_eq!(au.annex_b(), &[0, 0, 0, 1, 0x65, 0x88, 0x84]);
//! ```

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::access_unit::{AccessUnit, AuBuf, AuEnd, NalPos};
use super::{Codec, h264, h265};

/// An access unit larger than this is cut (and marked damaged): 32 MiB is ten times an 8K intra picture at
/// a high bit rate, and keeps a camera that never changes its timestamp from growing memory without bound.
pub const MAX_ACCESS_UNIT_BYTES: usize = 32 << 20;
/// NAL units kept per access unit, for the same reason.
pub const MAX_NALS_PER_ACCESS_UNIT: usize = 16384;
/// Issues kept in the log; later ones are only counted.
pub const MAX_LOGGED_ISSUES: usize = 64;

const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// A fragmentation unit problem (FU-A in RFC 6184 5.8, FU in RFC 7798 4.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FuProblem {
    /// A middle or end fragment arrived with no fragmentation unit open: its start was lost or never sent.
    MissingStart,
    /// A fragmentation unit was open when a new NAL unit, a new timestamp or the marker bit arrived: its end
    /// fragment is missing.
    MissingEnd,
    /// A fragment's NAL unit type differs from the one its start fragment announced.
    TypeChanged,
    /// One packet with both the start and the end bit: a whole NAL unit in one fragment. Both RFC 6184 5.8 and
    /// RFC 7798 4.4.3 forbid it (it should have been a single NAL unit packet); rtspeek accepts the NAL unit
    /// and reports the oddity.
    StartAndEnd,
    /// Packets were lost between two fragments of one NAL unit.
    SequenceGap,
}

impl FuProblem {
    /// Short name for evidence (`missing_start`...).
    pub fn as_str(self) -> &'static str {
        match self {
            FuProblem::MissingStart => "missing_start",
            FuProblem::MissingEnd => "missing_end",
            FuProblem::TypeChanged => "type_changed",
            FuProblem::StartAndEnd => "start_and_end",
            FuProblem::SequenceGap => "sequence_gap",
        }
    }
}

/// Something wrong (or odd) in the packet stream, with the RTP sequence number where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Issue {
    /// A fragmentation unit problem.
    Fu {
        /// Which one.
        problem: FuProblem,
        /// The packet that showed it.
        seq: u16,
    },
    /// Packets are missing: `lost` sequence numbers before `seq`.
    Loss {
        /// The first packet after the gap.
        seq: u16,
        /// How many sequence numbers were skipped.
        lost: u16,
    },
    /// A packet older than one already processed (reordered or duplicated); it was dropped.
    Late {
        /// Its sequence number.
        seq: u16,
    },
    /// An intact access unit was closed by a timestamp change, not by the marker bit: the sender did not set
    /// it (a damaged one may have lost its marked packet, so it does not count).
    MarkerMissing {
        /// The access unit's timestamp.
        timestamp: u32,
        /// The packet with the new timestamp.
        seq: u16,
    },
    /// A payload structure this depacketizer does not handle (STAP-B, MTAP, FU-B: interleaved mode only;
    /// reserved types). Its data was dropped.
    Unsupported {
        /// The packet.
        seq: u16,
        /// Its payload type field (NAL unit type position).
        packet_type: u8,
        /// Its name (`STAP-B`, `reserved`...).
        name: &'static str,
    },
    /// A payload that does not follow its format (an empty packet, an aggregation unit overrunning the
    /// packet, a fragment without its header...). Its data was dropped.
    Malformed {
        /// The packet.
        seq: u16,
        /// What was wrong.
        reason: &'static str,
    },
    /// An access unit reached [`MAX_ACCESS_UNIT_BYTES`] or [`MAX_NALS_PER_ACCESS_UNIT`]; the rest was dropped.
    Oversized {
        /// The access unit's timestamp.
        timestamp: u32,
    },
}

/// How many issues of each kind were seen (all of them, not only the logged ones).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCounts {
    /// Fragmentation units without their start.
    pub fu_missing_start: u64,
    /// Fragmentation units without their end.
    pub fu_missing_end: u64,
    /// Fragmentation units whose NAL type changed.
    pub fu_type_changed: u64,
    /// Unfragmented fragmentation units (start and end in one packet).
    pub fu_start_and_end: u64,
    /// Sequence gaps inside a fragmentation unit.
    pub fu_sequence_gap: u64,
    /// Sequence gaps (packets lost, counted in packets).
    pub lost_packets: u64,
    /// Late or duplicated packets dropped.
    pub late_packets: u64,
    /// Access units closed by a timestamp change.
    pub marker_missing: u64,
    /// Unsupported payload structures.
    pub unsupported: u64,
    /// Malformed payloads.
    pub malformed: u64,
    /// Access units cut at the size limit.
    pub oversized: u64,
}

/// Packet and access unit totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepacketizeStats {
    /// Packets pushed.
    pub packets: u64,
    /// Payload bytes pushed.
    pub payload_bytes: u64,
    /// Access units handed out.
    pub access_units: u64,
    /// Of those, damaged ones.
    pub damaged_access_units: u64,
    /// NAL units handed out.
    pub nal_units: u64,
}

/// The fragmentation unit being reassembled.
#[derive(Debug, Clone, Copy)]
enum FuState {
    /// None open.
    Idle,
    /// Reassembling a NAL unit of type `nal_type` that starts at `start` in the current buffer.
    Open { nal_type: u8, start: usize },
    /// Dropping the fragments of a broken unit until its end (already reported once).
    Discarding,
}

/// RTP H.264/H.265 depacketizer: packets in, access units out. See the module documentation.
#[derive(Debug)]
pub struct Depacketizer {
    codec: Codec,
    /// RFC 7798 DONL/DOND fields present (sprop-max-don-diff > 0).
    donl: bool,
    building: AuBuf,
    ready: VecDeque<AuBuf>,
    /// The access unit handed out by the last `pop`, recycled at the next call.
    lent: Option<AuBuf>,
    spare: Vec<AuBuf>,
    fu: FuState,
    next_seq: Option<u16>,
    issues: Vec<Issue>,
    counts: IssueCounts,
    stats: DepacketizeStats,
}

impl Depacketizer {
    /// A depacketizer for `codec` in non-interleaved mode (H.264 packetization-mode 0 or 1; H.265 without
    /// decoding order numbers).
    pub fn new(codec: Codec) -> Self {
        Depacketizer {
            codec,
            donl: false,
            building: AuBuf::default(),
            ready: VecDeque::with_capacity(2),
            lent: None,
            spare: Vec::new(),
            fu: FuState::Idle,
            next_seq: None,
            issues: Vec::new(),
            counts: IssueCounts::default(),
            stats: DepacketizeStats::default(),
        }
    }

    /// H.265 only: the stream carries DONL/DOND fields (SDP `sprop-max-don-diff` greater than 0). They are
    /// skipped; NAL units are still output in transmission order.
    #[must_use]
    pub fn with_donl(mut self, donl: bool) -> Self {
        self.donl = donl;
        self
    }

    /// The codec.
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// Feeds one RTP packet: its sequence number, timestamp, marker bit and payload (after the RTP header,
    /// extension and padding). Completed access units are then available from [`pop`](Self::pop); call it
    /// until it returns `None` before the next push (at most two are kept: older ones are dropped).
    pub fn push(&mut self, seq: u16, timestamp: u32, marker: bool, payload: &[u8]) {
        self.recycle_lent();
        self.stats.packets += 1;
        self.stats.payload_bytes += payload.len() as u64;
        if !self.check_sequence(seq) {
            return;
        }
        if !self.building.is_empty() && self.building.timestamp != timestamp {
            self.fu_interrupted(seq);
            // A damaged access unit may simply have lost its marked last packet; only an intact one shows
            // that the sender does not set the marker.
            if !self.building.damaged {
                self.count(Issue::MarkerMissing { timestamp: self.building.timestamp, seq });
            }
            self.close(AuEnd::TimestampChange);
        }
        let au = &mut self.building;
        if au.is_empty() {
            au.timestamp = timestamp;
            au.first_seq = seq;
        }
        au.last_seq = seq;
        au.packets += 1;
        match self.codec {
            Codec::H264 => h264::depacketize::payload(self, seq, payload),
            Codec::H265 => {
                let donl = self.donl;
                h265::depacketize::payload(self, seq, payload, donl);
            }
        }
        if marker {
            self.fu_interrupted(seq);
            self.close(AuEnd::Marker);
        }
    }

    /// Closes the access unit being built (end of stream), making it available from [`pop`](Self::pop).
    pub fn flush(&mut self) {
        self.recycle_lent();
        if !self.building.is_empty() {
            let seq = self.building.last_seq;
            self.fu_interrupted(seq);
            self.close(AuEnd::Flush);
        }
    }

    /// The next completed access unit, oldest first. It borrows the depacketizer until the next call.
    pub fn pop(&mut self) -> Option<AccessUnit<'_>> {
        self.recycle_lent();
        let au = self.ready.pop_front()?;
        Some(self.lent.insert(au).view())
    }

    /// The first [`MAX_LOGGED_ISSUES`] issues seen.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// How many issues of each kind were seen.
    pub fn issue_counts(&self) -> &IssueCounts {
        &self.counts
    }

    /// Packet and access unit totals.
    pub fn stats(&self) -> &DepacketizeStats {
        &self.stats
    }

    fn recycle_lent(&mut self) {
        if let Some(mut au) = self.lent.take() {
            au.clear();
            self.spare.push(au);
        }
    }

    /// Tracks sequence numbers; false when the packet is late or duplicated and must be dropped.
    fn check_sequence(&mut self, seq: u16) -> bool {
        let Some(expected) = self.next_seq else {
            self.next_seq = Some(seq.wrapping_add(1));
            return true;
        };
        let gap = seq.wrapping_sub(expected);
        if gap >= 0x8000 {
            self.count(Issue::Late { seq });
            return false;
        }
        self.next_seq = Some(seq.wrapping_add(1));
        if gap > 0 {
            self.count(Issue::Loss { seq, lost: gap });
            if let FuState::Open { start, .. } = self.fu {
                self.count(Issue::Fu { problem: FuProblem::SequenceGap, seq });
                self.building.data.truncate(start - START_CODE.len());
                self.fu = FuState::Discarding;
            }
            // Packets lost in the middle of an access unit damage it. After a marker the lost packets may
            // have been whole pictures; a lost start shows as a missing FU start, which marks the next one.
            if !self.building.is_empty() {
                self.building.damaged = true;
            }
        }
        true
    }

    /// Records an issue (logged while the log has room, always counted).
    pub(crate) fn count(&mut self, issue: Issue) {
        let c = &mut self.counts;
        match &issue {
            Issue::Fu { problem, .. } => match problem {
                FuProblem::MissingStart => c.fu_missing_start += 1,
                FuProblem::MissingEnd => c.fu_missing_end += 1,
                FuProblem::TypeChanged => c.fu_type_changed += 1,
                FuProblem::StartAndEnd => c.fu_start_and_end += 1,
                FuProblem::SequenceGap => c.fu_sequence_gap += 1,
            },
            Issue::Loss { lost, .. } => c.lost_packets += u64::from(*lost),
            Issue::Late { .. } => c.late_packets += 1,
            Issue::MarkerMissing { .. } => c.marker_missing += 1,
            Issue::Unsupported { .. } => c.unsupported += 1,
            Issue::Malformed { .. } => c.malformed += 1,
            Issue::Oversized { .. } => c.oversized += 1,
        }
        if self.issues.len() < MAX_LOGGED_ISSUES {
            self.issues.push(issue);
        }
    }

    /// Records an issue that lost data of the current access unit.
    pub(crate) fn damage(&mut self, issue: Issue) {
        self.building.damaged = true;
        self.count(issue);
    }

    /// An open fragmentation unit cannot continue (new NAL unit, timestamp, marker, end of stream): its
    /// partial NAL unit is dropped.
    fn fu_interrupted(&mut self, seq: u16) {
        match self.fu {
            FuState::Open { start, .. } => {
                self.building.data.truncate(start - START_CODE.len());
                self.damage(Issue::Fu { problem: FuProblem::MissingEnd, seq });
            }
            FuState::Discarding => {}
            FuState::Idle => return,
        }
        self.fu = FuState::Idle;
    }

    fn close(&mut self, end: AuEnd) {
        let mut next = self.spare.pop().unwrap_or_default();
        next.clear();
        let mut done = std::mem::replace(&mut self.building, next);
        done.end = Some(end);
        self.stats.access_units += 1;
        self.stats.damaged_access_units += u64::from(done.damaged);
        self.stats.nal_units += done.nals.len() as u64;
        // pop() must be called between pushes; if the caller does not, the oldest access units are dropped
        // rather than queued without bound.
        if self.ready.len() >= 2
            && let Some(mut old) = self.ready.pop_front()
        {
            old.clear();
            self.spare.push(old);
        }
        self.ready.push_back(done);
    }

    /// Whether `extra` more bytes and one more NAL unit fit the current access unit; reports once if not.
    fn room_for(&mut self, extra: usize) -> bool {
        let au = &self.building;
        if au.data.len().saturating_add(extra) <= MAX_ACCESS_UNIT_BYTES
            && au.nals.len() < MAX_NALS_PER_ACCESS_UNIT
        {
            return true;
        }
        if !au.oversized {
            let timestamp = au.timestamp;
            self.building.oversized = true;
            self.damage(Issue::Oversized { timestamp });
        }
        false
    }

    /// A complete NAL unit made of `header` followed by `body` (split so that H.265 DONL and FU headers need
    /// no copy). `keyframe` says whether it is an IDR/IRAP slice.
    pub(crate) fn nal(&mut self, seq: u16, header: &[u8], body: &[u8], keyframe: bool) {
        self.fu_interrupted(seq);
        let len = header.len() + body.len();
        if !self.room_for(len + START_CODE.len()) {
            return;
        }
        let au = &mut self.building;
        au.data.extend_from_slice(&START_CODE);
        let start = au.data.len();
        au.data.extend_from_slice(header);
        au.data.extend_from_slice(body);
        au.nals.push(NalPos { start: start as u32, len: len as u32 });
        au.keyframe |= keyframe;
    }

    /// One fragment of a fragmentation unit: the start/end bits, the NAL unit type from the FU header, the
    /// reconstructed NAL header (used by the start fragment) and the fragment's data.
    pub(crate) fn fragment(&mut self, seq: u16, fu: Fragment<'_>, keyframe: bool) {
        if fu.start {
            self.fu_interrupted(seq);
            if fu.end {
                self.count(Issue::Fu { problem: FuProblem::StartAndEnd, seq });
                self.nal(seq, fu.header, fu.data, keyframe);
                return;
            }
            if !self.room_for(fu.header.len() + fu.data.len() + START_CODE.len()) {
                self.fu = FuState::Discarding;
                return;
            }
            let au = &mut self.building;
            au.data.extend_from_slice(&START_CODE);
            let start = au.data.len();
            au.data.extend_from_slice(fu.header);
            au.data.extend_from_slice(fu.data);
            self.fu = FuState::Open { nal_type: fu.nal_type, start };
            return;
        }
        match self.fu {
            FuState::Idle => {
                self.damage(Issue::Fu { problem: FuProblem::MissingStart, seq });
                if !fu.end {
                    self.fu = FuState::Discarding;
                }
            }
            FuState::Discarding => {
                if fu.end {
                    self.fu = FuState::Idle;
                }
            }
            FuState::Open { nal_type, start } => {
                if nal_type != fu.nal_type {
                    self.building.data.truncate(start - START_CODE.len());
                    self.damage(Issue::Fu { problem: FuProblem::TypeChanged, seq });
                    self.fu = if fu.end { FuState::Idle } else { FuState::Discarding };
                    return;
                }
                if !self.room_for(fu.data.len()) {
                    self.building.data.truncate(start - START_CODE.len());
                    self.fu = if fu.end { FuState::Idle } else { FuState::Discarding };
                    return;
                }
                let au = &mut self.building;
                au.data.extend_from_slice(fu.data);
                if fu.end {
                    let len = au.data.len() - start;
                    au.nals.push(NalPos { start: start as u32, len: len as u32 });
                    au.keyframe |= keyframe;
                    self.fu = FuState::Idle;
                }
            }
        }
    }
}

/// One fragment, as the codec-specific parsers decode it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fragment<'a> {
    pub(crate) start: bool,
    pub(crate) end: bool,
    pub(crate) nal_type: u8,
    pub(crate) header: &'a [u8],
    pub(crate) data: &'a [u8],
}
