//! TLS record and handshake codec: builds ClientHellos that offer TLS 1.0-1.3 and legacy cipher suites, and
//! parses what a server answers (ServerHello, Certificate, CertificateRequest, Alert), so that rtspeek can
//! learn what a camera accepts even when rustls cannot talk to it.
