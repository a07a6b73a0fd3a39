//! Keyframes on the sending side: recognising them from their NAL units, making them self-contained (the
//! parameter sets in front), and gating a stream on them.
//!
//! A decoder can only start at a keyframe, and a frame whose reference was lost is garbage until the next
//! one. [`KeyframeGate`] is that rule as a small state machine, shared by every place that forwards frames to
//! a decoder it does not control: the relay source of `rtspeek serve` (frames of an upstream session before
//! its first keyframe are dropped) and the bridge's WebSocket preview (frames after one the page could not
//! take wait for the next keyframe).

use super::{Codec, ParamSetKind, h264, h265};

/// Whether the NAL units hold a keyframe slice: IDR (H.264), or IRAP (H.265: IDR, CRA, BLA).
///
/// Some RTSP clients (retina) flag only IDR pictures as random access points; this also recognises the
/// H.265 CRA and BLA pictures, as core's stream analysis counts them.
pub fn has_keyframe_slice(codec: Codec, nals: &[Vec<u8>]) -> bool {
    nals.iter().any(|nal| match codec {
        Codec::H264 => h264::nal_unit_type(nal) == Some(h264::nal_type::IDR),
        Codec::H265 => h265::nal_unit_type(nal).is_some_and(h265::is_irap),
    })
}

/// Puts `sets` (the parameter sets, in decoding order) in front of a keyframe that lacks any kind of them,
/// after its access unit delimiter if it starts with one (H.264 7.4.1.2.3 and H.265 7.4.2.4.4: the delimiter
/// comes first). A keyframe that already carries every kind is left alone. Returns whether it inserted.
pub fn ensure_parameter_sets(codec: Codec, sets: &[Vec<u8>], nals: &mut Vec<Vec<u8>>) -> bool {
    let complete = ParamSetKind::required(codec)
        .iter()
        .all(|kind| nals.iter().any(|n| ParamSetKind::of(codec, n) == Some(*kind)));
    if complete {
        return false;
    }
    let aud = match codec {
        Codec::H264 => h264::nal_type::AUD,
        Codec::H265 => h265::nal_type::AUD,
    };
    let at = usize::from(nals.first().is_some_and(|n| codec.nal_unit_type(n) == Some(aud)));
    nals.splice(at..at, sets.iter().cloned());
    true
}

/// Where a stream forwarded to a decoder stands (see [`KeyframeGate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GateState {
    /// No keyframe yet: a decoder cannot start.
    #[default]
    BeforeKeyframe,
    /// Frames flow.
    Flowing,
    /// A frame was dropped downstream: its successors wait for the next keyframe.
    Resyncing,
}

/// Why [`KeyframeGate::admit`] holds a frame back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// No keyframe has gone out yet.
    BeforeKeyframe,
    /// A frame was dropped since the last keyframe.
    Resyncing,
}

/// Lets frames through from a keyframe on, and after a drop only from the next keyframe.
///
/// The caller asks [`admit`](Self::admit) before forwarding a frame, then says what became of an admitted
/// one: [`sent`](Self::sent) or [`dropped`](Self::dropped) (the queue towards the decoder was full).
/// [`restart`](Self::restart) starts over, for a new upstream session whose frames reference nothing before.
///
/// ```
/// use rtspeek_core::codec::keyframe::{GateState, Held, KeyframeGate};
///
/// let mut gate = KeyframeGate::new();
/// assert_eq!(gate.admit(false), Err(Held::BeforeKeyframe));
/// assert_eq!(gate.admit(true), Ok(()));
/// gate.sent();
/// assert_eq!(gate.admit(false), Ok(()));
/// gate.dropped();
/// assert_eq!((gate.state(), gate.admit(false)), (GateState::Resyncing, Err(Held::Resyncing)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyframeGate {
    state: GateState,
}

impl KeyframeGate {
    /// A gate waiting for the first keyframe.
    pub fn new() -> Self {
        KeyframeGate::default()
    }

    /// Where the stream stands.
    pub fn state(&self) -> GateState {
        self.state
    }

    /// Whether a frame may be forwarded: a keyframe always, any other only while frames flow.
    pub fn admit(&self, keyframe: bool) -> Result<(), Held> {
        match (keyframe, self.state) {
            (true, _) | (false, GateState::Flowing) => Ok(()),
            (false, GateState::BeforeKeyframe) => Err(Held::BeforeKeyframe),
            (false, GateState::Resyncing) => Err(Held::Resyncing),
        }
    }

    /// An admitted frame went out: frames flow.
    pub fn sent(&mut self) {
        self.state = GateState::Flowing;
    }

    /// An admitted frame could not go out: its successors wait for the next keyframe. Before the first
    /// keyframe went out, nothing changes (there is nothing to resynchronise).
    pub fn dropped(&mut self) {
        if self.state == GateState::Flowing {
            self.state = GateState::Resyncing;
        }
    }

    /// Waits for a keyframe again, as at the start (a new upstream session).
    pub fn restart(&mut self) {
        self.state = GateState::BeforeKeyframe;
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const SPS: &[u8] = &[0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x02, 0x80, 0xBF, 0xE5];
    const PPS: &[u8] = &[0x68, 0xCE, 0x3C, 0x80];

    #[test]
    fn keyframes_get_parameter_sets_in_front_when_missing() {
        let sets = vec![SPS.to_vec(), PPS.to_vec()];
        let mut bare = vec![vec![0x65, 0x88]];
        assert!(ensure_parameter_sets(Codec::H264, &sets, &mut bare));
        assert_eq!(bare, vec![SPS.to_vec(), PPS.to_vec(), vec![0x65, 0x88]]);
        let mut complete = bare.clone();
        assert!(!ensure_parameter_sets(Codec::H264, &sets, &mut complete));
        assert_eq!(complete, bare);
        // An SPS alone is not enough: the sets go in (the decoder takes the last of each id).
        let mut half = vec![SPS.to_vec(), vec![0x65, 0x88]];
        assert!(ensure_parameter_sets(Codec::H264, &sets, &mut half));
        assert_eq!(half.len(), 4);
        // After an access unit delimiter, which must stay first.
        let mut delimited = vec![vec![0x09, 0xF0], vec![0x65, 0x88]];
        ensure_parameter_sets(Codec::H264, &sets, &mut delimited);
        assert_eq!(delimited, vec![vec![0x09, 0xF0], SPS.to_vec(), PPS.to_vec(), vec![0x65, 0x88]]);
        // H.265: the delimiter is type 35.
        let mut hevc = vec![vec![35 << 1, 0x01, 0x50], vec![19 << 1, 0x01, 0xAF]];
        let hevc_sets = vec![vec![32 << 1, 0x01], vec![33 << 1, 0x01], vec![34 << 1, 0x01]];
        ensure_parameter_sets(Codec::H265, &hevc_sets, &mut hevc);
        assert_eq!(hevc.first().map(|n| n[0]), Some(35 << 1));
        assert_eq!(hevc.get(1..4), Some(&hevc_sets[..]));
    }

    #[test]
    fn keyframe_slices_include_h265_cra_and_bla() {
        assert!(has_keyframe_slice(Codec::H264, &[SPS.to_vec(), vec![0x65, 0x88]]));
        assert!(!has_keyframe_slice(Codec::H264, &[vec![0x41, 0x9A]]));
        assert!(!has_keyframe_slice(Codec::H264, &[]));
        // CRA (21) and BLA_W_LP (16) are keyframes that retina does not flag; TRAIL_R (1) is not.
        assert!(has_keyframe_slice(Codec::H265, &[vec![21 << 1, 0x01, 0xAF]]));
        assert!(has_keyframe_slice(Codec::H265, &[vec![16 << 1, 0x01, 0xAF]]));
        assert!(!has_keyframe_slice(Codec::H265, &[vec![1 << 1, 0x01, 0xAF]]));
    }

    #[test]
    fn the_gate_waits_for_a_keyframe_and_resyncs_after_a_drop() {
        let mut gate = KeyframeGate::new();
        assert_eq!(gate.state(), GateState::BeforeKeyframe);
        assert_eq!(gate.admit(false), Err(Held::BeforeKeyframe));
        // A drop before anything went out changes nothing.
        gate.dropped();
        assert_eq!(gate.state(), GateState::BeforeKeyframe);
        assert_eq!(gate.admit(true), Ok(()));
        gate.sent();
        assert_eq!(gate.state(), GateState::Flowing);
        assert_eq!(gate.admit(false), Ok(()));
        gate.dropped();
        assert_eq!(gate.state(), GateState::Resyncing);
        assert_eq!(gate.admit(false), Err(Held::Resyncing));
        assert_eq!(gate.admit(true), Ok(()));
        gate.sent();
        assert_eq!(gate.admit(false), Ok(()));
        gate.restart();
        assert_eq!(gate.admit(false), Err(Held::BeforeKeyframe));
    }
}
