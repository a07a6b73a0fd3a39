//! RTSP findings (`rtsp.*`): status codes, protocol errors, URLs and redirects.
//!
//! Status codes map to named codes rather than `rtsp.status.NNN`: the statuses a probe must explain each
//! have their own code (404, 454, 455, 461...), the rest fall into their class (`rtsp.client_error`,
//! `rtsp.server_error`), and the status number and reason phrase are always in the evidence. 401 belongs to
//! the auth family.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    RTSP_CODES;
    /// The byte stream stopped being valid RTSP: a broken start line, header line, Content-Length, or a
    /// head or body over the size limits. The evidence gives the byte offset, the grammar rule and the line.
    RTSP_BAD_MESSAGE = "rtsp.bad_message", Rtsp, Error, "Malformed RTSP message",
        fix: "Capture the exchange (`tcpdump`, or Wireshark with the TLS keys) and look at the byte offset given; a firmware update usually fixes a server that writes malformed messages.";
    /// The peer answered in another protocol: HTTP (a web port, or an RTSP-over-HTTP tunnel only), or TLS
    /// records on a connection opened as plain `rtsp://`.
    RTSP_WRONG_PROTOCOL = "rtsp.wrong_protocol", Rtsp, Error, "Not an RTSP server",
        fix: "Check the port and the scheme: RTSP is usually 554, RTSPS 322 (or the camera's configured port); a TLS answer on an rtsp:// URL means the URL should be rtsps://.";
    /// Lines end with LF alone instead of CRLF. FFmpeg and GStreamer accept it; strict clients (retina,
    /// some NVRs) reject the response.
    RTSP_LINE_ENDINGS = "rtsp.line_endings", Rtsp, Warning, "Bare LF line endings",
        fix: "Update the server firmware; RTSP requires CRLF line endings (RFC 2326 section 4).";
    /// A header is folded over several lines (obsolete line folding). RTSP/1.0 allows it, RTSP/2.0 and
    /// many client parsers do not.
    RTSP_HEADER_FOLDING = "rtsp.header_folding", Rtsp, Info, "Folded header lines",
        fix: "Nothing to do for most clients; if one fails on it, ask the vendor to send each header on one line.";
    /// The status line or a header value is not UTF-8 (often a Latin-1 product name); it was read with
    /// replacement characters.
    RTSP_HEADER_ENCODING = "rtsp.header_encoding", Rtsp, Info, "Header text not UTF-8",
        fix: "Nothing to do unless a client rejects it; the server should send UTF-8 (or ASCII) header text.";
    /// A header the session depends on does not follow its grammar (Session, Transport, RTP-Info,
    /// Content-Base, Range, CSeq...). The evidence names the header, the value and the byte offset.
    RTSP_BAD_HEADER = "rtsp.bad_header", Rtsp, Warning, "Malformed header",
        fix: "Compare the value with the grammar in RFC 2326 section 12; clients differ in how they read a broken value, so expect failures with strict ones until the firmware is fixed.";
    /// The response carries no CSeq header, so a client cannot tell which request it answers. Strict
    /// clients drop the connection.
    RTSP_CSEQ_MISSING = "rtsp.cseq_missing", Rtsp, Warning, "Response without CSeq",
        fix: "Update the server firmware; every RTSP response must echo the request's CSeq.";
    /// The response's CSeq is not the request's: the server answers another request (or counts wrongly),
    /// and clients that pair responses by CSeq fail or wait forever.
    RTSP_CSEQ_MISMATCH = "rtsp.cseq_mismatch", Rtsp, Error, "CSeq does not match the request",
        fix: "Update the server firmware; as a workaround use one request at a time and a fresh connection per attempt.";
    /// The response's protocol version differs from the request's (e.g. RTSP/2.0 answering RTSP/1.0).
    RTSP_VERSION_MISMATCH = "rtsp.version_mismatch", Rtsp, Warning, "Response in another RTSP version",
        fix: "Configure the server to answer RTSP/1.0 requests in RTSP/1.0; most clients only speak RTSP/1.0.";
    /// 400 Bad Request: the server could not read the request (often a URL it does not accept, or a
    /// header it chokes on).
    RTSP_STATUS_BAD_REQUEST = "rtsp.status_bad_request", Rtsp, Error, "400 Bad Request",
        fix: "Check the URL's path and query against the camera's documentation; try the exact URL its web page or ONVIF GetStreamUri gives.";
    /// 403 Forbidden: the server refuses the request whatever the credentials (the user lacks the right,
    /// the stream or RTSP itself is disabled, or the client address is not allowed).
    RTSP_STATUS_FORBIDDEN = "rtsp.status_forbidden", Rtsp, Error, "403 Forbidden",
        fix: "Enable RTSP for this user (or for the stream) in the camera's settings, and check its IP allow list.";
    /// 404 Not Found: no stream at this path.
    RTSP_STATUS_NOT_FOUND = "rtsp.status_not_found", Rtsp, Error, "404 Stream not found",
        fix: "Use the stream path the vendor documents (e.g. /Streaming/Channels/101, /cam/realmonitor?channel=1&subtype=0, /stream1), or ask the camera for it with ONVIF GetStreamUri.";
    /// 405 Method Not Allowed: the server does not allow this method on this URL.
    RTSP_METHOD_NOT_ALLOWED = "rtsp.method_not_allowed", Rtsp, Error, "405 Method not allowed",
        fix: "Check the server's Public header (OPTIONS) for the methods it supports; a publish-only URL refuses PLAY and the reverse.";
    /// 454 Session Not Found: the session ID sent is unknown, usually because the session timed out
    /// (no keep-alive within the Session timeout) or the server restarted.
    RTSP_SESSION_NOT_FOUND = "rtsp.session_not_found", Rtsp, Error, "454 Session not found",
        fix: "Send a keep-alive (GET_PARAMETER or OPTIONS with the Session header) well within the session timeout, and start a new session after a server restart.";
    /// 455 Method Not Valid in This State: e.g. PLAY before SETUP, or SETUP of a second stream after
    /// PLAY on a server that does not allow it.
    RTSP_METHOD_NOT_VALID = "rtsp.method_not_valid", Rtsp, Error, "455 Method not valid in this state",
        fix: "Follow the order DESCRIBE, SETUP for every stream, then PLAY; some cameras need all SETUPs on one connection before PLAY.";
    /// 461 Unsupported Transport: the server accepts none of the offered transports (e.g. UDP refused,
    /// TCP interleaved not supported, or multicast only).
    RTSP_UNSUPPORTED_TRANSPORT = "rtsp.unsupported_transport", Rtsp, Error, "461 Transport refused",
        fix: "Try the other transport (RTP over TCP interleaved instead of UDP, or the reverse); for RTSPS use TCP interleaved so media stays inside TLS.";
    /// Another 4xx status: the server refused the request.
    RTSP_CLIENT_ERROR = "rtsp.client_error", Rtsp, Error, "Request refused (4xx)",
        fix: "Read the status and reason phrase in the evidence; check the URL and the request against the server's documentation.";
    /// A 5xx status: the server failed (out of streams, encoder not running, unsupported RTSP version,
    /// internal error). Retry-After, if sent, is in the evidence.
    RTSP_SERVER_ERROR = "rtsp.server_error", Rtsp, Error, "Server error (5xx)",
        fix: "Retry after the delay the server gives; check how many clients are connected (cameras allow few streams) and reboot the camera if it persists.";
    /// A status outside the classes RTSP defines (6xx-9xx).
    RTSP_STATUS_UNKNOWN = "rtsp.status_unknown", Rtsp, Warning, "Unknown status class",
        fix: "Treat it as a failure; the server's status line does not follow RFC 2326.";
    /// A 3xx status: the server sends the client elsewhere (Location, redacted, in the evidence).
    RTSP_REDIRECT = "rtsp.redirect", Rtsp, Info, "Redirected",
        fix: "Use the URL from Location directly; check that it keeps rtsps:// if you asked for RTSPS.";
    /// A successful SETUP response without a Session header: the client cannot send PLAY for it.
    RTSP_SESSION_MISSING = "rtsp.session_missing", Rtsp, Error, "SETUP answered without Session",
        fix: "Update the server firmware; a SETUP response must carry the Session header (RFC 2326 section 12.37).";
    /// A successful SETUP response without a Transport header: the client cannot know where media will go.
    RTSP_TRANSPORT_MISSING = "rtsp.transport_missing", Rtsp, Error, "SETUP answered without Transport",
        fix: "Update the server firmware; a SETUP response must carry the chosen Transport (RFC 2326 section 12.39).";
    /// Inside an rtsps:// (TLS) session the server hands out rtsp:// URLs (Content-Base, Content-Location,
    /// Location or RTP-Info), as gst-rtsp-server does. A client that follows them opens a cleartext
    /// connection, or fails to match the URL and stops.
    RTSP_SCHEME_DOWNGRADE = "rtsp.scheme_downgrade", Rtsp, Warning, "rtsp:// URLs inside RTSPS",
        fix: "Configure or patch the server so that the URLs it sends use the scheme of the request (rtsps://); until then clients must keep using the connection they opened rather than follow those URLs.";
    /// The server closed the connection (or reset it) instead of answering a request. Cameras do this when
    /// they reach their client limit, dislike a request, or crash.
    RTSP_CONNECTION_CLOSED = "rtsp.connection_closed", Rtsp, Error, "Connection closed by the server",
        fix: "Check how many clients are connected (cameras allow few streams), try the stream path the vendor documents, and look at the camera's log; reboot it if it persists.";
    /// No response to a request before the timeout: the connection is open (and TLS, if any, completed) but
    /// the server says nothing. Typical of a port that expects another protocol, or of a hung RTSP service.
    RTSP_NO_RESPONSE = "rtsp.no_response", Rtsp, Error, "No response to a request",
        fix: "Check that the port serves RTSP on this path; restart the camera's RTSP service (or the camera) if it used to work.";
    /// The server redirected more times than rtspeek follows, or back to a URL already visited (a loop).
    RTSP_REDIRECT_LOOP = "rtsp.redirect_loop", Rtsp, Error, "Redirect loop",
        fix: "Fix the redirect configuration on the server (or the load balancer in front of it); use the final URL directly.";
    /// PLAY succeeded without an RTP-Info header: clients cannot map the first RTP sequence number and
    /// timestamp to the play range, so lip sync and seeking are approximate.
    RTSP_RTP_INFO_MISSING = "rtsp.rtp_info_missing", Rtsp, Info, "PLAY without RTP-Info",
        fix: "Nothing to do for live viewing; for synchronised recording ask the vendor to send RTP-Info (RFC 2326 section 12.33).";
    /// A keep-alive request (GET_PARAMETER or OPTIONS with the Session) failed: the server will likely end the
    /// session at its timeout, and clients relying on that keep-alive get cut off.
    RTSP_KEEPALIVE_FAILED = "rtsp.keepalive_failed", Rtsp, Warning, "Keep-alive refused",
        fix: "Configure clients to keep the session alive with the method this server accepts (OPTIONS or GET_PARAMETER), or rely on RTCP receiver reports if the server honours them.";
}
