//! TLS findings (`tls.*`): versions, cipher suites, alerts, client certificates, handshake failures.

#[allow(unused_imports)]
use super::CodeInfo;
#[allow(unused_imports)]
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    TLS_CODES;
}
