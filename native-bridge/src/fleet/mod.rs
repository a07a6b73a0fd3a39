//! Fleets of cameras: what `rtspeek audit` (an inventory probed with bounded concurrency) and `rtspeek
//! exporter` (Prometheus' probes, one per scrape) share.
//!
//! - [`profile`]: how to probe one camera (credentials by reference, trust, pin, probe settings).

pub mod profile;

pub use profile::{ProbeProfile, ProfileError};
