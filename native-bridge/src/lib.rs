//! rtspeek_bridge (the library of the `rtspeek` package): the native drivers of rtspeek-core. They own the sockets, the clock and the TLS library
//! (tokio, rustls), feed core with bytes and time, and hand its results to the `rtspeek` binary and to the
//! browser bridge.
//!
//! - [`bridge`]: `rtspeek bridge`, the local HTTP + WebSocket server of the web page (live probes, previews).
//! - [`probe`]: the driver of core's sans-IO probe over tokio sockets, rustls and UDP pairs.
//! - [`serve`]: the RTSPS server (`rtspeek serve`) around core's sans-IO server session.
//! - [`onvif`]: ONVIF over the network: WS-Discovery's responder and prober (`rtspeek discover`).
//! - [`player`]: a lean RTSP(S) player that counts loss and lateness, for load and abuse tests.
//! - [`tls`]: TLS client connections with rustls that always record the peer chain and the verification
//!   outcome ([`tls::danger`] holds the one custom verifier, which delegates to webpki).
//! - [`files`]: writing certificates and keys with the permissions a key needs.
//! - [`fleet`]: fleets of cameras, for `rtspeek audit` and `rtspeek exporter`.
//! - [`exporter`]: `rtspeek exporter`, probes for Prometheus (one per scrape, as blackbox_exporter).
//! - [`onvif`]: ONVIF devices diagnosed (services, stream URIs, probes of their streams) and WS-Discovery.

mod admission;
pub mod bridge;
pub mod exporter;
pub mod files;
pub mod fleet;
mod http;
pub mod onvif;
pub mod player;
pub mod probe;
pub mod serve;
pub mod tls;
