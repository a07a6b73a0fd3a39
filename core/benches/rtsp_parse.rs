//! Placeholder: the rtsp_parse benchmark is being written.
fn main() {}
