//! RTSP authentication: Basic and Digest (RFC 2617, RFC 7616), client and server sides.
