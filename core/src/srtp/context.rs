//! The SRTP crypto context: one master key, the per-SSRC rollover counters and replay windows under it, and
//! the RTP half of protect/unprotect (SRTCP is in `rtcp.rs`).

use std::collections::BTreeMap;

use super::kdf::derive_session_keys;
use super::replay::ReplayWindow;
use super::transform::Transform;
use super::{
    MAX_STREAMS, MasterKey, SRTCP_MAX_PACKETS, SRTP_MAX_PACKETS, SessionKeys, SrtpError, Suite, be16, be32,
};

/// What a context has counted: the figures the probe reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SrtpCounters {
    /// SRTP packets authenticated and decrypted.
    pub rtp_ok: u64,
    /// SRTCP packets authenticated (and decrypted when their E flag was set).
    pub rtcp_ok: u64,
    /// SRTP packets protected (sending side).
    pub rtp_protected: u64,
    /// SRTCP packets protected (sending side).
    pub rtcp_protected: u64,
    /// SRTP packets whose tag did not verify.
    pub auth_failures: u64,
    /// SRTCP packets whose tag did not verify.
    pub rtcp_auth_failures: u64,
    /// Packets refused as replayed or older than the window (SRTP and SRTCP).
    pub replays: u64,
    /// Packets too short or malformed to be SRTP/SRTCP.
    pub malformed: u64,
    /// Packets refused because the key's lifetime was used up.
    pub lifetime_exceeded: u64,
    /// Packets carrying another MKI than this key's.
    pub unknown_mki: u64,
    /// Authenticated SRTCP packets whose E flag was clear (RTCP sent unencrypted).
    pub rtcp_unencrypted: u64,
    /// SRTCP packets of `AES_CM_128_HMAC_SHA1_32` that verified only with a 32-bit tag (FFmpeg's quirk; RFC
    /// 4568 keeps 80 bits for SRTCP).
    pub rtcp_short_tags: u64,
}

/// The state of one SSRC under a context, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StreamState {
    /// The rollover counter (RFC 3711 3.3.1).
    pub roc: u32,
    /// The highest sequence number authenticated (`s_l`), if any packet was.
    pub highest_seq: Option<u16>,
    /// The highest SRTP index authenticated (ROC * 2^16 + SEQ).
    pub highest_index: Option<u64>,
    /// The highest SRTCP index authenticated.
    pub highest_srtcp_index: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Stream {
    pub(super) roc: u32,
    pub(super) s_l: Option<u16>,
    pub(super) replay: ReplayWindow,
    pub(super) rtcp_replay: ReplayWindow,
    /// The next SRTCP index this side sends.
    pub(super) rtcp_next: u32,
}

impl Stream {
    /// RFC 3711 3.3.1: the ROC guess `v` for `seq` given `s_l`, and the index `v * 2^16 + seq`. `None` when the
    /// guess is ROC - 1 with ROC 0 (a packet from before the stream's start: too old).
    pub(super) fn estimate(&self, seq: u16) -> Option<(u32, u64)> {
        let v = match self.s_l {
            None => i64::from(self.roc),
            Some(s_l) => {
                let (roc, s_l, seq) = (i64::from(self.roc), i64::from(s_l), i64::from(seq));
                if s_l < 32_768 {
                    if seq - s_l > 32_768 { roc - 1 } else { roc }
                } else if s_l - 32_768 > seq {
                    roc + 1
                } else {
                    roc
                }
            }
        };
        let v = u32::try_from(v).ok()?;
        Some((v, (u64::from(v) << 16) | u64::from(seq)))
    }

    /// Records an authenticated SRTP packet: the replay bit, and ROC/s_l when it is the newest.
    fn accept(&mut self, v: u32, seq: u16, index: u64) {
        let newest = self.replay.highest().is_none_or(|h| index > h);
        self.replay.accept(index);
        if newest {
            self.roc = v;
            self.s_l = Some(seq);
        }
    }
}

/// Where the parts of an SRTP packet are.
struct RtpLayout {
    header_len: usize,
    /// End of the encrypted payload (AES-CM) or of the ciphertext without its tag (GCM).
    payload_end: usize,
    ssrc: u32,
    seq: u16,
}

/// The RTP header length (fixed header, CSRCs, extension) of `p`, checked to fit in `avail` bytes.
pub(super) fn rtp_header_len(p: &[u8], avail: usize) -> Result<usize, SrtpError> {
    let first = *p.first().ok_or(SrtpError::TooShort { len: p.len(), needed: 12, what: "RTP header" })?;
    if first >> 6 != 2 {
        return Err(SrtpError::BadVersion(first >> 6));
    }
    let mut len = 12 + 4 * usize::from(first & 0x0f);
    if first & 0x10 != 0 {
        let words = be16(p, len + 2).ok_or(SrtpError::TooShort {
            len: p.len(),
            needed: len + 4,
            what: "RTP header extension",
        })?;
        len += 4 + 4 * usize::from(words);
    }
    if len > avail {
        return Err(SrtpError::TooShort {
            len: p.len(),
            needed: len + (p.len() - avail),
            what: "RTP header",
        });
    }
    Ok(len)
}

/// An SRTP/SRTCP crypto context: one master key and suite, and the state of every SSRC under it (at most
/// [`MAX_STREAMS`]). Use one per direction (the server's sending context, the probe's receiving context).
#[derive(Clone)]
pub struct SrtpContext {
    pub(super) suite: Suite,
    pub(super) rtp: Transform,
    pub(super) rtcp: Transform,
    pub(super) mki: Vec<u8>,
    pub(super) rtp_limit: u64,
    pub(super) rtcp_limit: u64,
    pub(super) rtp_used: u64,
    pub(super) rtcp_used: u64,
    pub(super) encrypt_rtcp: bool,
    pub(super) encrypt_rtp: bool,
    pub(super) short_rtcp_tag: bool,
    pub(super) streams: BTreeMap<u32, Stream>,
    pub(super) counters: SrtpCounters,
}

impl std::fmt::Debug for SrtpContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrtpContext")
            .field("suite", &self.suite)
            .field("streams", &self.streams.len())
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl SrtpContext {
    /// A context for `suite` under `master` (session keys derived with key_derivation_rate 0).
    pub fn new(suite: Suite, master: &MasterKey) -> SrtpContext {
        let rtp = derive_session_keys(suite, master, false);
        let rtcp = derive_session_keys(suite, master, true);
        SrtpContext::from_session_keys(suite, &rtp, &rtcp)
    }

    /// A context from session keys derived elsewhere (RFC 7714's test vectors give session keys). Their
    /// lengths should be the suite's; wrong lengths give a context whose packets never authenticate.
    pub fn from_session_keys(suite: Suite, rtp: &SessionKeys, rtcp: &SessionKeys) -> SrtpContext {
        SrtpContext {
            suite,
            rtp: Transform::new(suite, rtp, suite.rtp_tag_len()),
            rtcp: Transform::new(suite, rtcp, suite.rtcp_tag_len()),
            mki: Vec::new(),
            rtp_limit: SRTP_MAX_PACKETS,
            rtcp_limit: SRTCP_MAX_PACKETS,
            rtp_used: 0,
            rtcp_used: 0,
            encrypt_rtcp: true,
            encrypt_rtp: true,
            short_rtcp_tag: false,
            streams: BTreeMap::new(),
            counters: SrtpCounters::default(),
        }
    }

    /// Limits the key to `packets` SRTP and `packets` SRTCP packets (the SDES or MIKEY lifetime); the RFC
    /// 3711 limits still apply when lower.
    pub fn with_key_lifetime(mut self, packets: u64) -> SrtpContext {
        self.rtp_limit = packets.min(SRTP_MAX_PACKETS);
        self.rtcp_limit = packets.min(SRTCP_MAX_PACKETS);
        self
    }

    /// Binds the key to an MKI: packets carry it (between payload and tag for AES-CM, after the GCM tag)
    /// and packets with another MKI are refused.
    pub fn with_mki(mut self, mki: &[u8]) -> SrtpContext {
        self.mki = mki.to_vec();
        self
    }

    /// Sending side: whether SRTCP packets are encrypted (E flag), on by default. MIKEY's "SRTCP encryption
    /// off" policy and SDES `UNENCRYPTED_SRTCP` turn it off; the receiver follows each packet's E flag.
    pub fn set_rtcp_encryption(&mut self, on: bool) {
        self.encrypt_rtcp = on;
    }

    /// Whether SRTP payloads are encrypted, on by default. Off is the NULL cipher with authentication kept
    /// (MIKEY "SRTP encryption off", SDES `UNENCRYPTED_SRTP`); both sides must agree. AES-CM suites only: GCM
    /// always encrypts.
    pub fn set_rtp_encryption(&mut self, on: bool) {
        self.encrypt_rtp = on;
    }

    /// Sending side, `AES_CM_128_HMAC_SHA1_32` only: cut SRTCP tags to 32 bits, as GStreamer (which applies
    /// the SRTP auth setting to SRTCP) and FFmpeg expect, instead of RFC 4568's 80. Receiving accepts both.
    pub fn set_short_rtcp_tag(&mut self, on: bool) {
        self.short_rtcp_tag = on;
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// What the context has counted so far.
    pub fn counters(&self) -> &SrtpCounters {
        &self.counters
    }

    /// The state of `ssrc`, if the context has seen or been told about it.
    pub fn stream(&self, ssrc: u32) -> Option<StreamState> {
        self.streams.get(&ssrc).map(|s| StreamState {
            roc: s.roc,
            highest_seq: s.s_l,
            highest_index: s.replay.highest(),
            highest_srtcp_index: s.rtcp_replay.highest(),
        })
    }

    /// Sets the rollover counter of `ssrc` before its first packet (MIKEY's CS ID map carries it; joining a
    /// running stream with ROC 0 is the classic ROC mismatch).
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) -> Result<(), SrtpError> {
        self.stream_entry(ssrc)?.roc = roc;
        Ok(())
    }

    /// Sending side: the SRTCP index the next packet of `ssrc` carries (starts at 0).
    pub fn set_next_srtcp_index(&mut self, ssrc: u32, index: u32) -> Result<(), SrtpError> {
        self.stream_entry(ssrc)?.rtcp_next = index;
        Ok(())
    }

    pub(super) fn stream_entry(&mut self, ssrc: u32) -> Result<&mut Stream, SrtpError> {
        if !self.streams.contains_key(&ssrc) && self.streams.len() >= MAX_STREAMS {
            return Err(SrtpError::TooManyStreams { limit: MAX_STREAMS });
        }
        Ok(self.streams.entry(ssrc).or_default())
    }

    /// Splits an SRTP packet: header, payload end, MKI check.
    fn rtp_layout(&mut self, packet: &[u8]) -> Result<RtpLayout, SrtpError> {
        let trailer = self.mki.len() + self.rtp.tag_len();
        let avail = packet.len().checked_sub(trailer).ok_or(SrtpError::TooShort {
            len: packet.len(),
            needed: 12 + trailer,
            what: "RTP header, MKI and auth tag",
        })?;
        let header_len = rtp_header_len(packet, avail)?;
        let seq = be16(packet, 2).unwrap_or(0);
        let ssrc = be32(packet, 8).unwrap_or(0);
        // MKI position: AES-CM [payload][MKI][tag]; GCM [ciphertext][tag][MKI].
        let (payload_end, mki_at) =
            if self.suite.is_aead() { (avail, packet.len() - self.mki.len()) } else { (avail, avail) };
        let mki = packet.get(mki_at..mki_at + self.mki.len()).unwrap_or_default();
        if mki != self.mki.as_slice() {
            self.counters.unknown_mki += 1;
            return Err(SrtpError::UnknownMki { expected: self.mki.clone(), got: mki.to_vec() });
        }
        Ok(RtpLayout { header_len, payload_end, ssrc, seq })
    }

    /// Unprotects an SRTP packet: plain RTP out, or the reason it was refused. See
    /// [`SrtpContext::unprotect_rtp_into`].
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let mut out = Vec::with_capacity(packet.len());
        self.unprotect_rtp_into(packet, &mut out)?;
        Ok(out)
    }

    /// Unprotects an SRTP packet into `out` (cleared first; reuse it to avoid allocating). Order: length and
    /// header checks, key lifetime, index estimate (RFC 3711 3.3.1), replay check, then the tag is verified
    /// (constant time) before anything is decrypted; only an authenticated packet moves the ROC and the
    /// replay window. `out` is left empty on error.
    pub fn unprotect_rtp_into(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), SrtpError> {
        out.clear();
        let layout = match self.rtp_layout(packet) {
            Ok(l) => l,
            Err(e) => {
                if !matches!(e, SrtpError::UnknownMki { .. }) {
                    self.counters.malformed += 1;
                }
                return Err(e);
            }
        };
        if self.rtp_used >= self.rtp_limit {
            self.counters.lifetime_exceeded += 1;
            return Err(SrtpError::KeyLifetimeExceeded { used: self.rtp_used, limit: self.rtp_limit });
        }
        let RtpLayout { header_len, payload_end, ssrc, seq } = layout;
        let stream = match self.streams.get(&ssrc) {
            Some(s) => s.clone(),
            None if self.streams.len() >= MAX_STREAMS => {
                return Err(SrtpError::TooManyStreams { limit: MAX_STREAMS });
            }
            None => Stream::default(),
        };
        let highest = stream.replay.highest().unwrap_or(0);
        let Some((v, index)) = stream.estimate(seq) else {
            self.counters.replays += 1;
            return Err(SrtpError::Replayed { ssrc, index: u64::from(seq), highest });
        };
        if !stream.replay.check(index) {
            self.counters.replays += 1;
            return Err(SrtpError::Replayed { ssrc, index, highest });
        }
        if !self.open_rtp(packet, header_len, payload_end, ssrc, v, seq, out) {
            out.clear();
            self.counters.auth_failures += 1;
            return Err(SrtpError::AuthFailed { ssrc, roc: v, index });
        }
        self.stream_entry(ssrc)?.accept(v, seq, index);
        self.rtp_used += 1;
        self.counters.rtp_ok += 1;
        Ok(())
    }

    /// Verifies and decrypts with ROC `v`; writes the plain packet to `out`. No state change.
    #[allow(clippy::too_many_arguments)]
    fn open_rtp(
        &self,
        packet: &[u8],
        header_len: usize,
        payload_end: usize,
        ssrc: u32,
        v: u32,
        seq: u16,
        out: &mut Vec<u8>,
    ) -> bool {
        if self.suite.is_aead() {
            // [header][ciphertext ..payload_end][tag 16][MKI]
            let (Some(header), Some(ct), Some(tag)) = (
                packet.get(..header_len),
                packet.get(header_len..payload_end),
                packet.get(payload_end..payload_end + 16),
            ) else {
                return false;
            };
            out.extend_from_slice(header);
            out.extend_from_slice(ct);
            let nonce = self.rtp.gcm_rtp_nonce(ssrc, v, seq);
            match out.get_mut(header_len..) {
                Some(data) => self.rtp.gcm_open(&nonce, header, data, tag),
                None => false,
            }
        } else {
            let (Some(authed), Some(tag)) =
                (packet.get(..payload_end), packet.get(packet.len() - self.rtp.tag_len()..))
            else {
                return false;
            };
            if !self.rtp.hmac_verify(&[authed, &v.to_be_bytes()], tag) {
                return false;
            }
            out.extend_from_slice(authed);
            if self.encrypt_rtp
                && let Some(payload) = out.get_mut(header_len..)
            {
                self.rtp.ctr_apply(ssrc, (u64::from(v) << 16) | u64::from(seq), payload);
            }
            true
        }
    }

    /// Diagnosis for an SRTP packet that failed authentication: the rollover counter, among the estimate's
    /// neighbours (ROC - 1, ROC + 1) and 0, with which its tag would verify. `Some(roc)` means the key is right
    /// and the two sides disagree on the ROC (a ROC mismatch); `None` means a wrong key or a damaged packet.
    /// Changes no state and no counter.
    pub fn try_roc_neighbours(&self, packet: &[u8]) -> Option<u32> {
        let trailer = self.mki.len() + self.rtp.tag_len();
        let avail = packet.len().checked_sub(trailer)?;
        let header_len = rtp_header_len(packet, avail).ok()?;
        let seq = be16(packet, 2)?;
        let ssrc = be32(packet, 8).unwrap_or(0);
        let stream = self.streams.get(&ssrc).cloned().unwrap_or_default();
        let v = stream.estimate(seq).map_or(0, |(v, _)| v);
        let mut scratch = Vec::with_capacity(packet.len());
        [v.checked_sub(1), v.checked_add(1), Some(0).filter(|_| v > 1)].into_iter().flatten().find(|&roc| {
            scratch.clear();
            self.open_rtp(packet, header_len, avail, ssrc, roc, seq, &mut scratch)
        })
    }

    /// Protects an RTP packet (sending side). See [`SrtpContext::protect_rtp_into`].
    pub fn protect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let mut out = Vec::with_capacity(packet.len() + 16 + self.mki.len());
        self.protect_rtp_into(packet, &mut out)?;
        Ok(out)
    }

    /// Protects an RTP packet into `out` (cleared first). The ROC follows the sequence numbers: a wrap from
    /// 65535 to 0 increments it.
    pub fn protect_rtp_into(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), SrtpError> {
        out.clear();
        let header_len = rtp_header_len(packet, packet.len())?;
        if self.rtp_used >= self.rtp_limit {
            self.counters.lifetime_exceeded += 1;
            return Err(SrtpError::KeyLifetimeExceeded { used: self.rtp_used, limit: self.rtp_limit });
        }
        let seq = be16(packet, 2).unwrap_or(0);
        let ssrc = be32(packet, 8).unwrap_or(0);
        let stream = self.stream_entry(ssrc)?;
        let (v, index) = stream.estimate(seq).unwrap_or((0, u64::from(seq)));
        stream.accept(v, seq, index);
        out.extend_from_slice(packet);
        let (header, _) = packet.split_at(header_len);
        if self.suite.is_aead() {
            let nonce = self.rtp.gcm_rtp_nonce(ssrc, v, seq);
            let tag = out.get_mut(header_len..).and_then(|d| self.rtp.gcm_seal(&nonce, header, d));
            out.extend_from_slice(&tag.unwrap_or_default());
            out.extend_from_slice(&self.mki);
        } else {
            if self.encrypt_rtp
                && let Some(payload) = out.get_mut(header_len..)
            {
                self.rtp.ctr_apply(ssrc, index, payload);
            }
            let mut tag = Vec::with_capacity(10);
            self.rtp.hmac_append(&[out.as_slice(), &v.to_be_bytes()], &mut tag);
            out.extend_from_slice(&self.mki);
            out.extend_from_slice(&tag);
        }
        self.rtp_used += 1;
        self.counters.rtp_protected += 1;
        Ok(())
    }
}
