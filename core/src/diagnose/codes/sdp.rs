//! SDP findings (`sdp.*`): the session description's lint.

#[allow(unused_imports)]
use super::CodeInfo;
#[allow(unused_imports)]
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    SDP_CODES;
}
