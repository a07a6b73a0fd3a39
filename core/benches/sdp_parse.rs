//! Placeholder: the sdp_parse benchmark is being written.
fn main() {}
