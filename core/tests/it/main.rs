//! rtspeek-core's integration tests, in one binary (native, and wasm32 in Node): each file is a module, and
//! [`support`] is what they share.

mod support;

mod auth_findings;
mod auth_parse;
mod auth_redaction;
mod auth_roundtrip;
mod auth_vectors;
mod capture_fixtures;
mod capture_read;
#[cfg(not(target_arch = "wasm32"))]
mod capture_tls;
mod cert_fixtures;
mod codec_depacketize;
mod codec_findings;
mod codec_packets;
mod codec_parameter_sets;
mod codec_sps;
mod container;
mod keys_and_signatures;
mod probe_codes;
mod probe_srtp;
mod rtcp_reports;
mod rtp_findings;
mod rtp_fixtures;
mod rtp_packets;
mod rtp_stats;
mod rtsp_captures;
mod rtsp_codes;
mod rtsp_fixtures;
mod rtsp_roundtrip;
mod rtsp_stream;
mod sdp_lint;
mod sdp_parse;
mod serve_session;
mod server_pair;
mod srtp;
mod srtp_keys;
mod srtp_peers;
mod tls_client_hello;
mod tls_fixtures;
mod tls_flight;
mod tls_scan;
