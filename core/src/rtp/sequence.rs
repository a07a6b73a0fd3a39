//! Sequence number validation and loss accounting, after RFC 3550 Appendix A.1 and A.3.
//!
//! A new source is in probation until [`MIN_SEQUENTIAL`] packets arrive in sequence. After that, a packet less
//! than [`MAX_DROPOUT`] ahead of the highest sequence number is in order (a gap means loss, for now), one less
//! than [`MAX_MISORDER`] behind is late (reordered, or a duplicate), and anything else is a jump: ignored, unless
//! the next packet follows it, in which case the sender restarted its sequence and counting starts over.
//!
//! On top of the RFC's state, a 128-bit ring of the sequence numbers received up to the highest one tells a late
//! packet (first copy: reordered) from a duplicate.

/// Packets in sequence that end a new source's probation.
pub const MIN_SEQUENTIAL: u8 = 2;
/// The largest forward jump still taken as loss rather than as a restart.
pub const MAX_DROPOUT: u16 = 3000;
/// The largest backward step still taken as a late packet rather than as a restart.
pub const MAX_MISORDER: u16 = 100;
const RTP_SEQ_MOD: u64 = 1 << 16;

/// What the validator decided about one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeqOutcome {
    /// The source is still in probation: the packet is not counted.
    Probation,
    /// The packet is (or ends the probation as) the new highest sequence number.
    InOrder,
    /// A late packet, first copy.
    Reordered,
    /// A copy of a packet already counted.
    Duplicate,
    /// A large jump, not counted: the packet is held as a possible restart.
    Jump,
    /// The packet confirmed a jump: the sequence restarted here and counting started over.
    Restarted,
}

/// Per-source sequence state (RFC 3550 A.1 `source` plus the A.3 interval state).
#[derive(Debug, Clone)]
pub(crate) struct SeqState {
    max_seq: u16,
    /// Wrap-arounds of the sequence number, times 2^16.
    cycles: u64,
    base_seq: u64,
    /// The sequence number that would confirm a jump (`RTP_SEQ_MOD + 1`: none).
    bad_seq: u64,
    probation: u8,
    /// Packets counted since the last (re)start, duplicates included as the RFC does.
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    /// Ring of 128 bits indexed by sequence number modulo 128: for the 128 numbers up to `max_seq`, whether it
    /// was received. A ring rather than a shifted window, so that the common step (the next number) only sets
    /// one bit.
    history: [u64; 2],
    /// Expected and received packets of the counting periods before the last restart.
    expected_before: u64,
    received_before: u64,
}

impl SeqState {
    /// State for a source whose first packet has sequence number `seq` (the packet is then given to `update`).
    pub(crate) fn new(seq: u16) -> Self {
        let mut s = SeqState {
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: RTP_SEQ_MOD + 1,
            probation: MIN_SEQUENTIAL,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            history: [0; 2],
            expected_before: 0,
            received_before: 0,
        };
        s.init(seq);
        s.max_seq = seq.wrapping_sub(1);
        s
    }

    fn init(&mut self, seq: u16) {
        self.base_seq = u64::from(seq);
        self.max_seq = seq;
        self.bad_seq = RTP_SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
        self.history = [0; 2];
        self.mark(seq);
    }

    #[inline]
    fn mark(&mut self, seq: u16) {
        // `& 1` picks one of the two words, so `get_mut` always finds it (and the check compiles away).
        if let Some(word) = self.history.get_mut(usize::from(seq >> 6) & 1) {
            *word |= 1 << (seq & 63);
        }
    }

    #[inline]
    fn is_marked(&self, seq: u16) -> bool {
        self.history.get(usize::from(seq >> 6) & 1).is_some_and(|word| word & (1 << (seq & 63)) != 0)
    }

    /// Forgets the numbers skipped by a step of `udelta` from `max_seq` (their bits are 128 numbers old).
    #[cold]
    fn clear_skipped(&mut self, udelta: u16) {
        if udelta >= 128 {
            self.history = [0; 2];
            return;
        }
        for k in 1..udelta {
            let q = self.max_seq.wrapping_add(k);
            if let Some(word) = self.history.get_mut(usize::from(q >> 6) & 1) {
                *word &= !(1 << (q & 63));
            }
        }
    }

    /// Classifies the packet with sequence number `seq` and updates the counts (RFC 3550 A.1 `update_seq`).
    #[inline]
    pub(crate) fn update(&mut self, seq: u16) -> SeqOutcome {
        let udelta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            return self.update_probation(seq);
        }
        if udelta < MAX_DROPOUT {
            if udelta == 0 {
                self.received += 1;
                return SeqOutcome::Duplicate;
            }
            if seq < self.max_seq {
                self.cycles += RTP_SEQ_MOD;
            }
            if udelta > 1 {
                self.clear_skipped(udelta);
            }
            self.max_seq = seq;
            self.mark(seq);
            self.received += 1;
            SeqOutcome::InOrder
        } else if u32::from(udelta) > RTP_SEQ_MOD as u32 - u32::from(MAX_MISORDER) {
            // Late by fewer than MAX_MISORDER (< 128) packets: within the history ring.
            self.received += 1;
            if self.is_marked(seq) {
                SeqOutcome::Duplicate
            } else {
                self.mark(seq);
                SeqOutcome::Reordered
            }
        } else if u64::from(seq) == self.bad_seq {
            // Two sequential packets after a jump: the sender restarted (or the source changed under one SSRC).
            self.expected_before += self.expected();
            self.received_before += self.received;
            self.init(seq);
            self.received = 1;
            SeqOutcome::Restarted
        } else {
            self.bad_seq = (u64::from(seq) + 1) & (RTP_SEQ_MOD - 1);
            SeqOutcome::Jump
        }
    }

    #[cold]
    fn update_probation(&mut self, seq: u16) -> SeqOutcome {
        if seq == self.max_seq.wrapping_add(1) {
            self.probation -= 1;
            self.max_seq = seq;
            if self.probation == 0 {
                self.init(seq);
                self.received = 1;
                return SeqOutcome::InOrder;
            }
        } else {
            self.probation = MIN_SEQUENTIAL - 1;
            self.max_seq = seq;
        }
        SeqOutcome::Probation
    }

    /// Whether the source passed probation.
    pub(crate) fn is_valid(&self) -> bool {
        self.probation == 0
    }

    /// The extended highest sequence number (cycles in the high bits), as in report blocks.
    pub(crate) fn extended_max(&self) -> u64 {
        self.cycles + u64::from(self.max_seq)
    }

    /// Packets expected since the last (re)start (A.3).
    pub(crate) fn expected(&self) -> u64 {
        if self.is_valid() { (self.extended_max() + 1).saturating_sub(self.base_seq) } else { 0 }
    }

    /// Packets counted since the last (re)start, duplicates included.
    #[cfg(test)]
    pub(crate) fn received(&self) -> u64 {
        self.received
    }

    /// Packets expected over the source's whole life, restarts included.
    pub(crate) fn total_expected(&self) -> u64 {
        self.expected_before + self.expected()
    }

    /// Packets counted over the source's whole life, restarts included (duplicates too).
    pub(crate) fn total_received(&self) -> u64 {
        self.received_before + self.received
    }

    /// Whether packets were counted since the last report interval closed.
    pub(crate) fn received_since_report(&self) -> bool {
        self.received != self.received_prior
    }

    /// Closes a report interval (A.3): returns the fraction lost in it (1/256) and the cumulative loss clamped
    /// to the 24-bit report field.
    pub(crate) fn close_interval(&mut self) -> (u8, i32) {
        let expected = self.expected();
        let lost = expected as i64 - self.received as i64;
        let cumulative = lost.clamp(-0x80_0000, 0x7f_ffff) as i32;
        let expected_interval = expected - self.expected_prior;
        self.expected_prior = expected;
        let received_interval = self.received - self.received_prior;
        self.received_prior = self.received;
        let lost_interval = expected_interval as i64 - received_interval as i64;
        let fraction = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / expected_interval as i64).min(255) as u8
        };
        (fraction, cumulative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SeqOutcome::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Feeds `seqs` to a new source and returns the outcomes and the state.
    fn run(seqs: &[u16]) -> (Vec<SeqOutcome>, SeqState) {
        let mut s = SeqState::new(seqs[0]);
        let outcomes = seqs.iter().map(|&q| s.update(q)).collect();
        (outcomes, s)
    }

    #[test]
    fn probation_needs_two_sequential_packets() {
        let (o, s) = run(&[10, 11, 12]);
        assert_eq!(o, [Probation, InOrder, InOrder]);
        // The RFC counts from the packet that ended probation.
        assert_eq!((s.expected(), s.received()), (2, 2));
        // A packet out of sequence restarts probation.
        let (o, s) = run(&[10, 12, 13, 14]);
        assert_eq!(o, [Probation, Probation, InOrder, InOrder]);
        assert_eq!((s.expected(), s.received(), s.extended_max()), (2, 2, 14));
        let (o, s) = run(&[10, 10, 10]);
        assert_eq!(o, [Probation, Probation, Probation]);
        assert!(!s.is_valid());
        assert_eq!(s.expected(), 0);
    }

    #[test]
    fn sequence_wrap_counts_cycles() {
        let (o, s) = run(&[65534, 65535, 0, 1]);
        assert_eq!(o, [Probation, InOrder, InOrder, InOrder]);
        assert_eq!(s.extended_max(), 65536 + 1);
        assert_eq!((s.expected(), s.received()), (3, 3));
        // A late packet from before the wrap does not count a cycle.
        let (o, s) = run(&[65534, 65535, 1, 0, 2]);
        assert_eq!(o, [Probation, InOrder, InOrder, Reordered, InOrder]);
        assert_eq!((s.extended_max(), s.expected(), s.received()), (65538, 4, 4));
    }

    #[test]
    fn loss_reorder_and_duplicates() {
        let (o, s) = run(&[1, 2, 3, 5, 4, 4, 5, 8, 9]);
        assert_eq!(
            o,
            [Probation, InOrder, InOrder, InOrder, Reordered, Duplicate, Duplicate, InOrder, InOrder]
        );
        // 2..=9 expected (8); received counts the two duplicates, as the RFC does; 6 and 7 are missing.
        assert_eq!((s.expected(), s.received()), (8, 8));
    }

    #[test]
    fn late_by_max_misorder_is_a_jump_not_a_reorder() {
        let mut seqs: Vec<u16> = (1000..1200).collect();
        seqs.push(1200 - 1 - 99); // late by 99: reordered (a duplicate here)
        seqs.push(1200 - 1 - 100); // late by 100: outside the window, taken as a jump
        let (o, _) = run(&seqs);
        assert_eq!(o[o.len() - 2..], [Duplicate, Jump]);
    }

    #[test]
    fn a_confirmed_jump_restarts_counting_and_keeps_totals() {
        let (o, s) = run(&[100, 101, 102, 104, 20_000, 20_001, 20_002]);
        assert_eq!(o, [Probation, InOrder, InOrder, InOrder, Jump, Restarted, InOrder]);
        // Since the restart at 20001: 2 expected, 2 received.
        assert_eq!((s.expected(), s.received()), (2, 2));
        // Before it: 101..=104 expected (4), 3 received.
        assert_eq!((s.total_expected(), s.total_received()), (6, 5));
        // A lone jump is ignored and the stream goes on.
        let (o, s) = run(&[100, 101, 102, 40_000, 103]);
        assert_eq!(o, [Probation, InOrder, InOrder, Jump, InOrder]);
        assert_eq!((s.expected(), s.received()), (3, 3));
    }

    #[test]
    fn the_history_ring_forgets_skipped_numbers_and_wraps() {
        // Receive 0..=260 except 200, then 200 late (reordered, not a duplicate of 72, its slot in the ring),
        // then again.
        let mut seqs: Vec<u16> = (0..=260).filter(|&q| q != 200).collect();
        seqs.extend([250, 200, 200]);
        let (o, _) = run(&seqs);
        assert_eq!(o[o.len() - 3..], [Duplicate, Reordered, Duplicate]);
        // A step over 128 numbers forgets everything before it; a step of 5 forgets the 4 skipped ones.
        let (o, _) = run(&[0, 1, 2, 200, 150, 150, 205, 203, 201]);
        assert_eq!(o[3..], [InOrder, Reordered, Duplicate, InOrder, Reordered, Reordered]);
        // Across the 16-bit wrap.
        let (o, _) = run(&[65_530, 65_531, 65_535, 2, 65_533, 65_535, 0]);
        assert_eq!(o[2..], [InOrder, InOrder, Reordered, Duplicate, Reordered]);
    }

    #[test]
    fn forward_step_just_under_max_dropout_is_loss() {
        let (o, s) = run(&[0, 1, 1 + MAX_DROPOUT - 1]);
        assert_eq!(o, [Probation, InOrder, InOrder]);
        assert_eq!((s.expected(), s.received()), (3000, 2));
        let (o, _) = run(&[0, 1, 1 + MAX_DROPOUT]);
        assert_eq!(o[2], Jump);
    }

    #[test]
    fn report_intervals_follow_a3() {
        let mut s = SeqState::new(0);
        for q in 0..=10 {
            s.update(q);
        }
        // 1..=10 expected and received.
        assert_eq!(s.close_interval(), (0, 0));
        assert!(!s.received_since_report());
        // 11..=20 expected, 5 of them lost.
        for q in [11, 13, 15, 17, 20] {
            s.update(q);
        }
        assert!(s.received_since_report());
        assert_eq!(s.close_interval(), (128, 5));
        // Duplicates make the interval's loss negative: fraction 0, cumulative goes down.
        s.update(20);
        s.update(20);
        assert_eq!(s.close_interval(), (0, 3));
    }
}
