//! ONVIF: the SOAP services a Network Video Transmitter offers (device, media, media2) and WS-Discovery.
//!
//! - [`xml`]: a bounded, namespace-aware XML tree (quick-xml), what every message is read into.
//! - [`soap`]: SOAP 1.2 envelopes and faults with ONVIF's subcodes.
//! - [`wsse`]: WS-Security UsernameToken (PasswordDigest), both sides.
//! - [`service`]: the device side: operations read from requests, answered from a [`service::DeviceModel`].
//! - [`client`]: the client side: requests, and answers read into plain values.
//! - [`assess`]: what a client observed of a device, and the findings of the `onvif` layer.
//! - [`discovery`]: WS-Discovery (Probe, ProbeMatches, Hello, Bye).
//!
//! Sans-IO like the rest of core: the drivers own HTTP and UDP, and hand in the time.

pub mod assess;
pub mod client;
pub mod discovery;
pub mod service;
pub mod soap;
pub mod wsse;
pub mod xml;
