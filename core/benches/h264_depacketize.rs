//! Placeholder: the h264_depacketize benchmark is being written.
fn main() {}
