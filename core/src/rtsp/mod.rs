//! RTSP (RFC 2326 / RFC 7826): streaming message parser, typed headers, writer, URLs and authentication.

pub mod auth;
