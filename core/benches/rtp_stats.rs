//! Placeholder: the rtp_stats benchmark is being written.
fn main() {}
