//! SDES.
