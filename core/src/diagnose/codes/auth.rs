//! Authentication findings (`auth.*`): challenges, algorithms, rejected credentials.

#[allow(unused_imports)]
use super::CodeInfo;
#[allow(unused_imports)]
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    AUTH_CODES;
}
