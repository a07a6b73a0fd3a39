//! What the tests share: RTP packets from real payloaders ([`codec`]), the scripted camera the probe is run
//! against ([`probe`]), RTP streams and receivers ([`rtp`]) and TLS records and server flights ([`tls`]).

pub(crate) mod codec;
pub(crate) mod probe;
pub(crate) mod rtp;
pub(crate) mod tls;
