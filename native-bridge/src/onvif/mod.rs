//! ONVIF over the network. [`discovery`]: WS-Discovery on an IPv4 interface, the responder a camera (or
//! `rtspeek serve`) runs to be found, and the prober `rtspeek discover` uses to find cameras; the messages
//! themselves are built and parsed by `rtspeek_core::onvif::discovery`.

pub mod discovery;
