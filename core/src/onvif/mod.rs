//! ONVIF: the SOAP services a Network Video Transmitter offers (device, media, media2) and WS-Discovery.

pub mod discovery;
