//! The rtspeek package's integration tests, in one binary: each file is a module, and [`support`] is what they
//! share. One binary links the bridge, tokio, rustls and the codecs once instead of once per file.

mod support;

mod audit;
mod bridge_capture;
mod bridge_probe;
mod bridge_security;
mod cli_cert;
mod cli_cert_new;
mod cli_docs;
mod cli_probe;
mod cli_probe_tls;
mod cli_sdp;
mod cli_serve;
mod client_matrix;
mod dockerfile;
mod exporter;
mod onvif_clients;
mod onvif_discover_serve;
mod onvif_discovery;
mod onvif_probe;
mod probe_capture;
mod probe_faults;
mod probe_peers;
mod probe_srtp_peers;
mod serve_abuse;
mod serve_admin;
mod serve_auth;
mod serve_certs;
mod serve_encryption;
mod serve_interop;
mod serve_limits;
mod serve_pair_apply;
mod serve_relay_source;
mod serve_srtp;
mod tls_connect;
