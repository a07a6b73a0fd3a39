//! Secure RTP findings: the keys a description or SETUP answer hands out (`transport.srtp_*`), and what
//! decrypting the media showed (`rtp.srtp_*`, `rtcp.srtp_*`). They belong to the layers they break, so the first
//! broken link stays in chain order: keys before media.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    SRTP_CODES;
    /// A media section uses secure RTP (`RTP/SAVP`, `RTP/SAVPF`) but neither the description (`a=key-mgmt`,
    /// `a=crypto`) nor the SETUP answer (`KeyMgmt` header) gives its keys: no client can decrypt the media.
    TRANSPORT_SRTP_NO_KEYS = "transport.srtp_no_keys", Transport, Error, "SRTP without keys",
        fix: "Enable the camera's key exchange (MIKEY or SDES) for SRTP, or turn SRTP off and use RTSPS with TCP interleaved media.";
    /// The SRTP key management is there but cannot be read: a MIKEY message or an `a=crypto` attribute that
    /// does not parse (the evidence gives the byte offset or column and what was expected).
    TRANSPORT_SRTP_BAD_KEYS = "transport.srtp_bad_keys", Transport, Error, "Unreadable SRTP keys",
        fix: "Report the evidence to the camera's vendor; meanwhile use RTSPS with TCP interleaved media instead of SRTP.";
    /// The SRTP keys are readable but use what rtspeek and most clients do not implement: a crypto suite other
    /// than AES-CM-128 with HMAC-SHA1-80/32 or AEAD AES-GCM, MIKEY with an encrypted or public-key KEMAC,
    /// unauthenticated SRTP or a key derivation rate.
    TRANSPORT_SRTP_UNSUPPORTED = "transport.srtp_unsupported", Transport, Error, "Unsupported SRTP keying",
        fix: "Select AES_CM_128_HMAC_SHA1_80 (the suite every SRTP client has) and MIKEY-NULL or SDES key exchange in the camera.";
    /// The SETUP answer names a plain profile (`RTP/AVP`) for a media section the description offers as SRTP
    /// (`RTP/SAVP`). live555 does so over plain RTSP while still sending SRTP: clients that follow the answer
    /// (GStreamer's `rtspsrc`) then treat SRTP packets as plain RTP and play nothing. The evidence says whether
    /// the packets were SRTP after all.
    TRANSPORT_SRTP_PROFILE_CHANGED = "transport.srtp_profile_changed", Transport, Warning, "SETUP answer drops SRTP",
        fix: "Report it to the server's vendor: the SETUP answer must repeat RTP/SAVP. Clients that read the description rather than the answer (FFmpeg, rtspeek) are not affected.";
    /// SRTP keys travelled in clear: SDES (`a=crypto`) or MIKEY-NULL over plain rtsp://. Anyone who saw the RTSP
    /// exchange can decrypt the media, so the SRTP protects nothing against that observer.
    TRANSPORT_SRTP_KEYS_IN_CLEAR = "transport.srtp_keys_in_clear", Transport, Warning, "SRTP keys sent in clear",
        fix: "Use rtsps:// so the key exchange travels inside TLS (or MIKEY with a pre-shared key).";
    /// SRTP packets failed authentication: their tag does not verify with the keys the server gave. All of them
    /// failing means the keys do not match the media (wrong key, wrong suite); a few means packets were
    /// corrupted or tampered with on the way.
    RTP_SRTP_AUTH_FAILED = "rtp.srtp_auth_failed", Rtp, Error, "SRTP authentication failed",
        fix: "If every packet fails, the camera encrypts with other keys than it announces: report it to the vendor. If a few fail, look for a device on the path that rewrites packets.";
    /// SRTP packets authenticate only with another rollover counter than the receiver's: the sender's ROC was
    /// not announced (MIKEY's CS map, or 0 at the start), typically a stream joined after 65536 packets.
    RTP_SRTP_ROC_MISMATCH = "rtp.srtp_roc_mismatch", Rtp, Error, "SRTP rollover counter mismatch",
        fix: "The camera must announce the stream's current ROC in its MIKEY message (or restart the stream's counter per session); report it to the vendor.";
    /// The SRTP master key was used for more packets than its lifetime allows (the SDES or MIKEY lifetime, or
    /// RFC 3711's 2^48 / 2^31): later packets are refused, the stream needs a new key.
    RTP_SRTP_KEY_LIFETIME = "rtp.srtp_key_lifetime", Rtp, Error, "SRTP key lifetime exceeded",
        fix: "The camera must re-key (a new MIKEY exchange or session) before the lifetime it announced runs out.";
    /// The SRTCP packets arrived with their encryption flag clear: RTCP (sender reports, SDES CNAME) travels in
    /// clear although the RTP is encrypted. Authenticated, so not forged, but readable by anyone on the path.
    RTCP_SRTP_UNENCRYPTED = "rtcp.srtp_unencrypted", Rtcp, Warning, "SRTCP not encrypted",
        fix: "Enable SRTCP encryption in the camera (MIKEY policy or no UNENCRYPTED_SRTCP in SDES).";
}
