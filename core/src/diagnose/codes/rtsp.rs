//! RTSP findings (`rtsp.*`): status codes, protocol errors, URLs and redirects.

#[allow(unused_imports)]
use super::CodeInfo;
#[allow(unused_imports)]
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    RTSP_CODES;
}
