//! ONVIF over the network, from the client side and for being found:
//!
//! - [`device`]: a device's services asked and judged, its streams probed.
//! - [`discovery`]: WS-Discovery on an IPv4 interface: the responder a camera (or `rtspeek serve`) runs to be
//!   found, and the prober `rtspeek discover` uses to find cameras; the messages themselves are built and parsed
//!   by `rtspeek_core::onvif::discovery`.

pub mod device;
pub mod discovery;
