//! TLS record and handshake codec: builds ClientHellos that offer TLS 1.0-1.3 and legacy cipher suites, and
//! parses what a server answers (ServerHello, Certificate, CertificateRequest, Alert), so that rtspeek can
//! learn what a camera accepts even when rustls cannot talk to it.
//!
//! rustls speaks only TLS 1.2 and 1.3 with forward-secret AEAD suites; many cameras offer TLS 1.0 with
//! RSA-CBC suites and nothing else. The probe therefore also sends its own ClientHellos (built here), reads the
//! answer, and learns which versions and suites the camera accepts. A TLS <= 1.2 server sends its certificate
//! chain in clear, so the certificate analysis runs even when no modern client can connect. This codec never
//! completes a handshake: it has no keys, no clock and no randomness (the client random, session id and key
//! share are inputs).
//!
//! - [`ClientHelloConfig`]: the offer ([`modern`](ClientHelloConfig::modern),
//!   [`legacy`](ClientHelloConfig::legacy), [`single_suite`](ClientHelloConfig::single_suite)), encoded to
//!   record bytes; [`ClientHello`] parses one back.
//! - [`FlightReader`] / [`classify_flight`]: the server's answer, pushed in any chunks, as a [`ServerFlight`]:
//!   a ServerHello with what followed in clear, an alert, not TLS at all (plain RTSP, HTTP), truncated, empty.
//! - [`scan_findings`], [`TlsFacts`], [`server_certificates`]: a scan (several [`ScanAttempt`]s, as planned by
//!   [`ScanPlan`]) turned into `tls.*` findings, report facts, and the chain for the certificate analysis.
//! - The layers underneath, usable on their own: [`parse_record`], [`HandshakeReassembler`], [`ServerHello`],
//!   [`parse_certificate_list`], [`CertificateRequest`], [`Alert`], [`CipherSuite`] (IANA names and
//!   [`Weakness`]es).
//!
//! A driver's loop, with the socket work left out:
//!
//! ```
//! use rtspeek_core::tls::{FlightEnd, FlightReader, Progress, ScanAttempt, ScanPlan, scan_findings};
//! let mut plan = ScanPlan::new("cam.example");
//! while !plan.is_done() {
//!     // Several offers may be sent at once, each on its own connection; one at a time here.
//!     let (lane, offer) = plan.next_offer([7; 32], [9; 32]).expect("nothing in flight, so an offer");
//!     let hello: Vec<u8> = offer.encode().expect("the plan's offers are valid");
//!     // connect, send `hello`, then push what arrives until Progress::Done, the close or the timeout:
//!     let mut reader = FlightReader::new();
//!     let answer: &[u8] = b""; // here: silence
//!     if reader.push(answer) == Progress::NeedMore { /* read more, or give up at the timeout */ }
//!     plan.record(lane, &offer, reader.finish(FlightEnd::Timeout));
//! }
//! let findings = scan_findings(plan.attempts());
//! assert!(findings.iter().any(|f| f.summary.contains("never answered")));
//! ```

mod alerts;
mod client_hello;
mod error;
mod extensions;
mod flight;
mod handshake;
mod plan;
mod reader;
mod record;
mod scan;
mod server_hello;
mod server_messages;
mod sniff;
mod suite_info;
mod suite_table;
mod suites;
mod version;

pub use alerts::{Alert, AlertDescription, AlertLevel};
pub use client_hello::{
    BuildError, ClientHello, ClientHelloConfig, DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES, sni_for_host,
};
pub use error::ParseError;
pub use extensions::{Extension, ExtensionType, NamedGroup, SignatureScheme};
pub use flight::{
    CertificateView, FIRST_BYTES_KEPT, FlightEnd, FlightError, FlightReader, HelloFlight, MAX_FLIGHT_BYTES,
    Progress, ServerFlight, classify_flight,
};
pub use handshake::{
    HANDSHAKE_HEADER_LEN, HandshakeMessage, HandshakeReassembler, HandshakeType, MAX_HANDSHAKE_BYTES,
    parse_handshake, write_handshake,
};
pub use plan::{DEFAULT_MAX_IN_FLIGHT, LaneId, ScanPlan};
pub use record::{
    ContentType, MAX_FRAGMENT_LEN, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN, Record, parse_record, write_records,
};
pub use scan::{AcceptedSuite, Offer, ScanAttempt, TlsFacts, scan_findings, server_certificates};
pub use server_hello::{DowngradeSentinel, HELLO_RETRY_REQUEST_RANDOM, ServerHello};
pub use server_messages::{
    CertificateRequest, ClientCertificateType, KeyExchangeParams, parse_certificate_list,
    parse_server_key_exchange, parse_tls13_certificate,
};
pub use sniff::{LooksLike, escape_bytes};
pub(crate) use sniff::{Sniff, sniff};
pub use suite_info::{Authentication, CipherAlgorithm, CipherMode, KeyExchange, MacAlgorithm, SuiteInfo};
pub use suites::{CipherSuite, LEGACY_SUITES, MODERN_SUITES, TLS13_SUITES, Weakness, known_suites};
pub use version::ProtocolVersion;
