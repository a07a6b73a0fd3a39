//! rtspeek-tests: test support shared by the workspace's tests.
//!
//! - [`pki`]: a test PKI generator (rcgen + the openssl command line) for certificates with every fault rtspeek
//!   diagnoses, and the committed fixtures of `core/tests/data/pki/`.
//! - [`cert_case`]: owned inputs of one certificate check, to run the analysis or write the files out.
//! - [`cert_scenarios`]: the certificate scenarios (one per finding code, and more) with their expectations.
//! - [`fault_camera`]: a scriptable RTSP/RTSPS camera that misbehaves on purpose (TLS faults, RTSP overrides,
//!   auth, SDP, RTP/RTCP impairments), for the probe's loopback tests.
//! - [`rtsp_client`]: a raw RTSP client that sends exactly the requests a test means.
//! - [`peers`]: launchers for the third-party peers of the loopback tests (gst-rtsp-server, `openssl s_server`,
//!   ffprobe): their own process group, bounded readiness waits, killed on drop.

pub mod cert_case;
pub mod cert_scenarios;
pub mod fault_camera;
pub mod peers;
pub mod pki;
pub mod rtsp_client;
