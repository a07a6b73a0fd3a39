//! ONVIF from the client side: a device's services asked and judged, its streams probed ([`device`]), and
//! WS-Discovery ([`discovery`]).

pub mod device;
