//! What the server offers: mounts (a path, a stream, who may watch it), and the catalogue the session looks
//! them up in.

use crate::codec::StreamInfo;
use crate::rtsp::auth::{Algorithm, UserTable};

use super::srtp::SrtpPolicy;

/// One stream the server offers at a path.
#[derive(Debug, Clone)]
pub struct Mount {
    /// The path without its leading `/` (`cam1`, `site/front`).
    pub path: String,
    /// Shown as the SDP session name (`s=`).
    pub title: String,
    /// The codec and parameter sets of the video track.
    pub info: StreamInfo,
    /// The RTP payload type of the video track (dynamic, 96..=127).
    pub payload_type: u8,
    /// Who may watch; `None` lets anyone in.
    pub auth: Option<AuthPolicy>,
    /// The SSRC of the mount's RTP stream (one stream, the same for every client), announced in SETUP's
    /// `Transport`; `None` announces none.
    pub ssrc: Option<u32>,
    /// Whether the mount is served inside TLS, in plain RTSP, or both.
    pub encryption: Encryption,
    /// Whether its media is SRTP, keyed how ([`SrtpPolicy::default`]: plain RTP).
    pub srtp: SrtpPolicy,
}

/// Whether a stream is served over RTSPS, plain RTSP or both (MediaMTX's `encryption`, per stream). A request
/// over the other kind of connection is answered 403 with the reason, never served: a client configured for
/// plain RTSP learns why instead of timing out, and a `strict` stream's media never leaves TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encryption {
    /// Plain RTSP only.
    No,
    /// Both: RTSPS, and plain RTSP as a fallback for clients that cannot do TLS (many NVRs and VMSs).
    #[default]
    Optional,
    /// RTSPS only.
    Strict,
}

impl Encryption {
    /// Whether a connection inside TLS (`tls`) or not may be served this mount.
    pub fn allows(self, tls: bool) -> bool {
        match self {
            Encryption::No => !tls,
            Encryption::Optional => true,
            Encryption::Strict => tls,
        }
    }
}

/// The credentials a mount requires.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// The protection space shown to users (also part of every Digest HA1).
    pub realm: String,
    /// Offer Basic (only sensible inside TLS: the password travels in clear otherwise).
    pub basic: bool,
    /// Offer Digest with these algorithms (one challenge each, in this order); empty disables Digest.
    pub digest: Vec<Algorithm>,
    /// The users and their passwords or HA1s.
    pub users: UserTable,
    /// Accept Digest answers without qop (RFC 2069 style): GStreamer, live555 (VLC), go2rtc and aiortsp send
    /// nothing else. Such answers carry no nonce count, so nothing stops their replay but the nonce lifetime;
    /// off, they are refused (401).
    pub allow_rfc2069: bool,
    /// Offer and accept Basic on plain (non-TLS) connections too, where the password travels in clear. Off,
    /// Basic is offered and accepted inside TLS only.
    pub allow_basic_cleartext: bool,
}

/// Where the shared RTP stream of a mount stands: what a client that starts playing now receives first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPosition {
    /// The SSRC of the stream (the same for every client of the mount).
    pub ssrc: u32,
    /// The sequence number of the next packet.
    pub seq: u16,
    /// The RTP timestamp of the next frame.
    pub rtptime: u32,
}

/// The driver's mounts, as one connection may see them, consulted on every request (so that a driver whose
/// catalogue changes applies the change to the next request). A pure lookup: where a stream stands is asked
/// for explicitly, with [`Output::Subscribe`](super::Output::Subscribe), when a PLAY needs it.
pub trait Catalog: std::fmt::Debug + Send + Sync {
    /// The mount at `path` (without leading `/`).
    fn mount(&self, path: &str) -> Option<&Mount>;
}

/// The track control URL suffix of the (single) video track of every mount.
pub const VIDEO_CONTROL: &str = "trackID=0";

/// A request path split into the mount and the track, when the mount exists: `/cam1` and `/cam1/` are the
/// aggregate, `/cam1/trackID=0` the video track. Mount paths may contain `/` themselves.
pub(crate) fn split_path<'c>(catalog: &'c dyn Catalog, path: &str) -> Option<(&'c Mount, bool)> {
    let path = path.trim_start_matches('/').trim_end_matches('/');
    if let Some(mount) = catalog.mount(path) {
        return Some((mount, false));
    }
    let (base, control) = path.rsplit_once('/')?;
    if control == VIDEO_CONTROL {
        return catalog.mount(base).map(|m| (m, true));
    }
    None
}
