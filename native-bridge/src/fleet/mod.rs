//! Fleets of cameras: what `rtspeek audit` (an inventory probed with bounded concurrency) and `rtspeek
//! exporter` (Prometheus' probes, one per scrape) share.
//!
//! - [`audit`]: every camera of an inventory probed, with bounded concurrency and per-camera deadlines.
//! - [`export`]: the audit as CSV, JUnit XML and a self-contained HTML page.
//! - [`inventory`]: the audit's inventory, TOML or CSV, bad rows reported with their line.
//! - [`pins`]: trust on first use: each camera's certificate recorded, a change flagged until accepted.
//! - [`profile`]: how to probe one camera (credentials by reference, trust, pin, probe settings).
//! - [`summary`]: one line per camera and the fleet's totals.

pub mod audit;
pub mod export;
pub mod inventory;
pub mod pins;
pub mod profile;
pub mod summary;

pub use profile::{ProbeProfile, ProfileError};
