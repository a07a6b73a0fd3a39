//! Authentication findings (`auth.*`): challenges, algorithms, rejected credentials.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    AUTH_CODES;
    /// The server answered 401 Unauthorized: the stream needs credentials. The evidence lists every challenge
    /// offered (scheme, realm, algorithm, qop), in the server's order.
    AUTH_REQUIRED = "auth.required", Auth, Info, "Authentication required",
        fix: "Give a user name and password (in the URL `rtsps://user:pass@host/...` or as options).";
    /// The server answered 401 without any WWW-Authenticate header, so no client can know how to
    /// authenticate.
    AUTH_CHALLENGE_MISSING = "auth.challenge_missing", Auth, Error, "401 without a challenge",
        fix: "Fix the server (camera firmware) to send `WWW-Authenticate: Digest realm=\"...\", nonce=\"...\"` with every 401 response.";
    /// A WWW-Authenticate header could not be parsed. The evidence names the header, the byte offset and the
    /// grammar rule that failed; challenges before the error are still used.
    AUTH_MALFORMED_CHALLENGE = "auth.malformed_challenge", Auth, Error, "Unparsable WWW-Authenticate header",
        fix: "Fix the server's WWW-Authenticate header to follow RFC 7235: `Scheme name=\"value\", name=value`, quotes closed, no control characters.";
    /// A WWW-Authenticate header departs from RFC 7235 / RFC 7616 in ways rtspeek tolerates (missing quotes,
    /// extra commas, spaces around `=`, lowercase scheme...). Strict clients may read it differently or not at
    /// all. Each departure is listed with its byte offset.
    AUTH_CHALLENGE_NONSTANDARD = "auth.challenge_nonstandard", Auth, Warning, "Non-standard WWW-Authenticate header",
        fix: "Update the camera firmware, or report the listed departures to the vendor; quote realm, nonce, opaque, domain and qop, and separate parameters with commas.";
    /// Every challenge uses a scheme rtspeek does not implement (Negotiate, NTLM, Bearer...); common RTSP
    /// clients only do Basic and Digest.
    AUTH_UNSUPPORTED_SCHEME = "auth.unsupported_scheme", Auth, Error, "No Basic or Digest challenge",
        fix: "Enable Digest (or Basic over TLS) authentication for RTSP on the server.";
    /// The Digest challenges use algorithms (or qop values) that rtspeek, or common clients, cannot answer:
    /// for example SHA-256 only, which FFmpeg, GStreamer and VLC (MD5 only) cannot do, or a SHA-256
    /// challenge placed last, which those clients pick over an MD5 one. The evidence lists the algorithms
    /// offered and each client that fails.
    AUTH_DIGEST_ALGORITHM = "auth.digest_algorithm", Auth, Warning, "Digest algorithm clients cannot answer",
        fix: "Offer MD5 as well, as the last WWW-Authenticate header (RFC 7616 order: strongest first), or use only clients that support the algorithm.";
    /// A common client cannot read the challenge as the server lays it out, e.g. live555 (VLC, openRTSP) only
    /// reads `Digest realm="...", nonce="..."` in that exact order and spelling.
    AUTH_CLIENT_INCOMPATIBLE = "auth.client_incompatible", Auth, Warning, "Challenge some clients cannot read",
        fix: "Have the server send `realm` then `nonce` first, quoted, with the scheme spelled `Digest`; otherwise use another client.";
    /// Basic authentication is offered (or used) on a connection without TLS: the user name and password are
    /// only base64-encoded and anyone on the path can read them.
    AUTH_BASIC_CLEARTEXT = "auth.basic_cleartext", Auth, Warning, "Basic authentication without TLS",
        fix: "Use RTSPS (TLS), or disable Basic and keep Digest on the server; change the password if it crossed an untrusted network.";
    /// The server refused the credentials sent: wrong user name or password, a user without access to this
    /// stream, or an answer the server computes differently.
    AUTH_REJECTED = "auth.rejected", Auth, Error, "Credentials rejected",
        fix: "Check the user name and password (and that the user may view this stream); if they work in another client, compare the algorithm and qop used.";
    /// The server said the nonce was stale (expired) and rtspeek answered again with the new one. Normal
    /// once; repeated, it means the server's nonces live too short or its clock jumps.
    AUTH_STALE_NONCE = "auth.stale_nonce", Auth, Info, "Nonce expired (stale)",
        fix: "Nothing, if it happens rarely; otherwise lengthen the server's nonce lifetime or fix its clock.";
}
