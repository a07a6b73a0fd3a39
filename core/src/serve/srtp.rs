//! SRTP on the server side: a mount's [`SrtpPolicy`], the keys one connection is handed (drawn from the
//! driver's [`KeySource`], offered as MIKEY-NULL and/or SDES), and the client's SRTCP it reads back.
//!
//! Keys are per connection and mount: the ones a DESCRIBE offered are the ones that connection's SETUP and
//! PLAY use; a SETUP without a DESCRIBE before it gets fresh keys in a `KeyMgmt` answer header (RFC 4567
//! section 7.1, MIKEY only: SDES keys only travel in SDP). TEARDOWN forgets them, so a key never protects two
//! runs of sequence numbers from ROC 0 (a keystream reused).

use std::sync::Arc;

use crate::mikey::{Message, NullOffer};
use crate::srtp::sdes::CryptoAttribute;
use crate::srtp::{MasterKey, SrtpContext, Suite};

/// How a mount offers SRTP: `"off"` (RTP/AVP), or RTP/SAVP with its keys in MIKEY-NULL (`a=key-mgmt:mikey`,
/// what GStreamer's rtspsrc and live555 read), SDES (`a=crypto`, RFC 4568), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SrtpMode {
    /// Plain RTP (RTP/AVP).
    #[default]
    #[serde(rename = "off")]
    Off,
    /// RTP/SAVP keyed by `a=key-mgmt:mikey` (MIKEY-NULL: the key in clear inside the message).
    #[serde(rename = "mikey")]
    Mikey,
    /// RTP/SAVP keyed by `a=crypto` (SDES inline key).
    #[serde(rename = "sdes")]
    Sdes,
    /// RTP/SAVP with both attributes, the same key in each.
    #[serde(rename = "mikey+sdes")]
    MikeySdes,
}

impl SrtpMode {
    /// The configuration name (`off`, `mikey`, `sdes`, `mikey+sdes`).
    pub const fn name(self) -> &'static str {
        match self {
            SrtpMode::Off => "off",
            SrtpMode::Mikey => "mikey",
            SrtpMode::Sdes => "sdes",
            SrtpMode::MikeySdes => "mikey+sdes",
        }
    }

    /// Whether the media is SRTP.
    pub const fn is_on(self) -> bool {
        !matches!(self, SrtpMode::Off)
    }

    /// Whether MIKEY carries the key.
    pub const fn mikey(self) -> bool {
        matches!(self, SrtpMode::Mikey | SrtpMode::MikeySdes)
    }

    /// Whether SDES carries the key.
    pub const fn sdes(self) -> bool {
        matches!(self, SrtpMode::Sdes | SrtpMode::MikeySdes)
    }
}

impl std::fmt::Display for SrtpMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A mount's SRTP: mode, suite, and whether its keys may be handed out over plain RTSP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrtpPolicy {
    /// How keys are offered (or `Off`).
    pub mode: SrtpMode,
    /// The crypto suite.
    pub suite: Suite,
    /// Hand keys out on plain RTSP connections too, where MIKEY-NULL and SDES carry them in clear (anyone on
    /// the path can decrypt the media). Off, a plain connection asking for an SRTP mount is answered 403.
    pub allow_cleartext_keys: bool,
}

impl Default for SrtpPolicy {
    fn default() -> Self {
        SrtpPolicy { mode: SrtpMode::Off, suite: Suite::AesCm128HmacSha1_80, allow_cleartext_keys: false }
    }
}

/// The OS random generator, as the driver provides it: core draws no entropy of its own, and master keys
/// must not come from the session's seeded generator (whose output also makes the visible session ids).
pub trait KeySource: std::fmt::Debug + Send + Sync {
    /// Fills `out` with secret random bytes.
    fn fill(&self, out: &mut [u8]) -> Result<(), KeySourceError>;
}

/// The generator failed: no key, so no SRTP session (answered 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the random generator failed")]
pub struct KeySourceError;

/// One SRTP key as the driver needs it to protect a client's media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrtpKey {
    /// The suite.
    pub suite: Suite,
    /// The master key and salt (its `Debug` is redacted).
    pub key: MasterKey,
}

impl SrtpKey {
    /// A sending context under this key.
    pub fn context(&self) -> SrtpContext {
        SrtpContext::new(self.suite, &self.key)
    }
}

/// The keys one connection was offered for one mount, and how they were written (both carry the key in
/// clear: `Debug` leaves them out).
#[derive(Clone)]
pub(super) struct OfferedKeys {
    pub(super) mount: String,
    pub(super) key: SrtpKey,
    /// The base64 MIKEY-NULL message (when the mode has MIKEY).
    pub(super) mikey: Option<String>,
    /// The `a=crypto` value (when the mode has SDES).
    pub(super) crypto: Option<String>,
}

impl std::fmt::Debug for OfferedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfferedKeys")
            .field("mount", &self.mount)
            .field("key", &self.key)
            .field("mikey", &self.mikey.is_some())
            .field("crypto", &self.crypto.is_some())
            .finish()
    }
}

/// Bits of the MIKEY offer that are not secret (RAND, CSB ID) and the clock.
pub(super) struct OfferContext {
    pub(super) ssrc: Option<u32>,
    pub(super) unix_secs: i64,
    pub(super) csb_id: u32,
    pub(super) rand: [u8; 16],
}

/// Seconds between the NTP epoch (1900) and the Unix epoch.
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// Fresh keys for `mount` from `source`, written as the policy says.
pub(super) fn offer(
    source: &Arc<dyn KeySource>,
    mount: &str,
    policy: SrtpPolicy,
    ctx: OfferContext,
) -> Result<OfferedKeys, KeySourceError> {
    let suite = policy.suite;
    let mut secret = vec![0u8; suite.key_len() + suite.salt_len()];
    source.fill(&mut secret)?;
    let key = MasterKey::from_concatenated(suite, &secret).map_err(|_| KeySourceError)?;
    secret.fill(0);
    let mikey = policy.mode.mikey().then(|| {
        let secs = u64::try_from(ctx.unix_secs).unwrap_or(0).saturating_add(NTP_UNIX_OFFSET);
        let streams: Vec<(u32, u32)> = ctx.ssrc.map(|ssrc| (ssrc, 0)).into_iter().collect();
        NullOffer {
            csb_id: ctx.csb_id,
            streams: &streams,
            ntp_time: secs << 32,
            rand: ctx.rand,
            suite,
            key: &key,
            srtcp_encryption: true,
            mki: None,
        }
        .message()
        .to_base64()
    });
    let crypto = policy.mode.sdes().then(|| CryptoAttribute::new(1, suite, &key).to_value());
    Ok(OfferedKeys { mount: mount.to_owned(), key: SrtpKey { suite, key }, mikey, crypto })
}

/// The context that reads the client's SRTCP: its own key when its SETUP sent one (`KeyMgmt`, as rtspsrc
/// does), else ours (SDES clients use the offered key both ways; SSRCs differ, so no keystream is shared).
pub(super) fn client_context(key_mgmt: Option<&str>, ours: &SrtpKey) -> SrtpContext {
    key_mgmt
        .and_then(|value| Message::from_key_mgmt(value).ok())
        .and_then(|message| message.srtp_context().ok())
        .unwrap_or_else(|| ours.context())
}

/// SRTP of an RTSP session: the key our media goes out under, and the context that reads the client's SRTCP.
#[derive(Debug, Clone)]
pub(super) struct SessionSrtp {
    pub(super) key: SrtpKey,
    pub(super) inbound: SrtpContext,
}
