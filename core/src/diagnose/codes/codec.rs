//! Codec findings (`codec.*`): packetization errors, parameter sets, keyframes.

#[allow(unused_imports)]
use super::CodeInfo;
#[allow(unused_imports)]
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    CODEC_CODES;
}
