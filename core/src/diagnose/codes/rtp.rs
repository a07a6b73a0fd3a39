//! Media findings (`rtp.*`, `rtcp.*`): loss, reorder, jitter, SSRC changes, RTCP reports.

#[allow(unused_imports)]
use super::CodeInfo;
#[allow(unused_imports)]
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    RTP_CODES;
}
