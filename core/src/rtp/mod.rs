//! RTP (RFC 3550): packet header parsing and per-SSRC reception statistics.
