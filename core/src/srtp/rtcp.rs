//! SRTCP (RFC 3711 section 3.4; AEAD layout of RFC 7714 section 9): the E flag and 31-bit SRTCP index after
//! the RTCP compound packet.
//!
//! ```text
//! AES-CM: [header 8][RTCP rest, encrypted if E][E|index 4][MKI][tag 10]     tag over header..index
//! GCM:    [header 8][RTCP rest, encrypted if E][tag 16][E|index 4][MKI]     AAD: header||E|index (E=1)
//!                                                                           or the whole RTCP||E|index (E=0)
//! ```

use super::context::SrtpContext;
use super::{MAX_STREAMS, SrtpError, Suite, be32};

const RTCP_HEADER: usize = 8;
const E_FLAG: u32 = 0x8000_0000;

/// The SRTCP tag length FFmpeg uses with `AES_CM_128_HMAC_SHA1_32` (see [`SrtpContext::unprotect_rtcp`]).
const FFMPEG_SHORT_TAG: usize = 4;

/// Where the parts of an SRTCP packet are.
#[derive(Clone, Copy)]
struct RtcpLayout {
    /// End of the RTCP compound packet (plain or encrypted).
    rtcp_end: usize,
    /// The tag's range.
    tag: (usize, usize),
    /// The E|index word.
    e_index: u32,
    ssrc: u32,
}

impl SrtpContext {
    /// Splits an SRTCP packet whose tag is `tag_len` bytes. No state change.
    fn rtcp_layout(&self, packet: &[u8], tag_len: usize) -> Result<RtcpLayout, SrtpError> {
        let trailer = 4 + self.mki.len() + tag_len;
        let len = packet.len();
        if len < RTCP_HEADER + trailer {
            return Err(SrtpError::TooShort {
                len,
                needed: RTCP_HEADER + trailer,
                what: "SRTCP index and tag",
            });
        }
        let first = packet.first().copied().unwrap_or(0);
        if first >> 6 != 2 {
            return Err(SrtpError::BadVersion(first >> 6));
        }
        let rtcp_end = len - trailer;
        let (index_at, tag, mki_at) = if self.suite.is_aead() {
            (rtcp_end + tag_len, (rtcp_end, rtcp_end + tag_len), rtcp_end + tag_len + 4)
        } else {
            (rtcp_end, (len - tag_len, len), rtcp_end + 4)
        };
        let word = |at: usize| be32(packet, at).unwrap_or(0);
        let mki = packet.get(mki_at..mki_at + self.mki.len()).unwrap_or_default();
        if mki != self.mki.as_slice() {
            return Err(SrtpError::UnknownMki { expected: self.mki.clone(), got: mki.to_vec() });
        }
        Ok(RtcpLayout { rtcp_end, tag, e_index: word(index_at), ssrc: word(4) })
    }

    /// Verifies the tag (before anything else) and decrypts when the E flag is set. No state change.
    fn open_rtcp(&self, packet: &[u8], layout: &RtcpLayout) -> Option<Vec<u8>> {
        let RtcpLayout { rtcp_end, tag, e_index, ssrc } = *layout;
        let encrypted = e_index & E_FLAG != 0;
        let index = e_index & !E_FLAG;
        let tag = packet.get(tag.0..tag.1)?;
        let rtcp = packet.get(..rtcp_end)?;
        let mut out = rtcp.to_vec();
        let ok = if self.suite.is_aead() {
            let nonce = self.rtcp.gcm_rtcp_nonce(ssrc, index);
            if encrypted {
                let mut aad = [0u8; RTCP_HEADER + 4];
                for (d, s) in aad.iter_mut().zip(rtcp.iter().take(RTCP_HEADER).chain(&e_index.to_be_bytes()))
                {
                    *d = *s;
                }
                out.get_mut(RTCP_HEADER..).is_some_and(|d| self.rtcp.gcm_open(&nonce, &aad, d, tag))
            } else {
                let mut aad = rtcp.to_vec();
                aad.extend_from_slice(&e_index.to_be_bytes());
                self.rtcp.gcm_open(&nonce, &aad, &mut [], tag)
            }
        } else {
            let ok = self.rtcp.hmac_verify(&[rtcp, &e_index.to_be_bytes()], tag);
            if ok
                && encrypted
                && let Some(d) = out.get_mut(RTCP_HEADER..)
            {
                self.rtcp.ctr_apply(ssrc, u64::from(index), d);
            }
            ok
        };
        ok.then_some(out)
    }

    /// Unprotects an SRTCP packet: the plain RTCP compound packet, or why it was refused. The tag is verified
    /// before decrypting; packets sent with the E flag clear are accepted (authenticated) and counted in
    /// [`SrtpCounters::rtcp_unencrypted`](super::SrtpCounters::rtcp_unencrypted).
    ///
    /// Quirk: with `AES_CM_128_HMAC_SHA1_32`, FFmpeg (libavformat's SRTP) cuts the SRTCP tag to 32 bits too,
    /// where RFC 4568 6.2.2 keeps 80. When the 80-bit tag does not verify, the 32-bit reading is tried, and a
    /// packet that verifies that way is accepted and counted in
    /// [`SrtpCounters::rtcp_short_tags`](super::SrtpCounters::rtcp_short_tags).
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let layout = match self.rtcp_layout(packet, self.rtcp.tag_len()) {
            Ok(l) => l,
            Err(e) => {
                if matches!(e, SrtpError::UnknownMki { .. }) {
                    self.counters.unknown_mki += 1;
                } else {
                    self.counters.malformed += 1;
                }
                return Err(e);
            }
        };
        if self.rtcp_used >= self.rtcp_limit {
            self.counters.lifetime_exceeded += 1;
            return Err(SrtpError::KeyLifetimeExceeded { used: self.rtcp_used, limit: self.rtcp_limit });
        }
        let window = match self.streams.get(&layout.ssrc) {
            Some(s) => s.rtcp_replay,
            None if self.streams.len() >= MAX_STREAMS => {
                return Err(SrtpError::TooManyStreams { limit: MAX_STREAMS });
            }
            None => Default::default(),
        };
        let fresh = |l: &RtcpLayout| window.check(u64::from(l.e_index & !E_FLAG));
        let mut opened =
            fresh(&layout).then(|| self.open_rtcp(packet, &layout)).flatten().map(|o| (o, layout));
        if opened.is_none() && self.suite == Suite::AesCm128HmacSha1_32 {
            opened = self
                .rtcp_layout(packet, FFMPEG_SHORT_TAG)
                .ok()
                .filter(fresh)
                .and_then(|short| self.open_rtcp(packet, &short).map(|o| (o, short)));
            if opened.is_some() {
                self.counters.rtcp_short_tags += 1;
            }
        }
        let Some((out, layout)) = opened else {
            let index = u64::from(layout.e_index & !E_FLAG);
            if !fresh(&layout) {
                self.counters.replays += 1;
                let highest = window.highest().unwrap_or(0);
                return Err(SrtpError::Replayed { ssrc: layout.ssrc, index, highest });
            }
            self.counters.rtcp_auth_failures += 1;
            return Err(SrtpError::AuthFailed { ssrc: layout.ssrc, roc: 0, index });
        };
        let index = layout.e_index & !E_FLAG;
        self.stream_entry(layout.ssrc)?.rtcp_replay.accept(u64::from(index));
        self.rtcp_used += 1;
        self.counters.rtcp_ok += 1;
        if layout.e_index & E_FLAG == 0 {
            self.counters.rtcp_unencrypted += 1;
        }
        Ok(out)
    }

    /// Protects an RTCP compound packet (sending side) with the next SRTCP index of its sender SSRC, encrypted
    /// unless [`SrtpContext::set_rtcp_encryption`] turned that off.
    pub fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        if packet.len() < RTCP_HEADER {
            return Err(SrtpError::TooShort { len: packet.len(), needed: RTCP_HEADER, what: "RTCP header" });
        }
        let first = packet.first().copied().unwrap_or(0);
        if first >> 6 != 2 {
            return Err(SrtpError::BadVersion(first >> 6));
        }
        if self.rtcp_used >= self.rtcp_limit {
            self.counters.lifetime_exceeded += 1;
            return Err(SrtpError::KeyLifetimeExceeded { used: self.rtcp_used, limit: self.rtcp_limit });
        }
        let ssrc = be32(packet, 4).unwrap_or(0);
        let stream = self.stream_entry(ssrc)?;
        let index = stream.rtcp_next;
        if index > !E_FLAG {
            return Err(SrtpError::IndexExhausted { ssrc });
        }
        stream.rtcp_next = index + 1;
        let e_index = if self.encrypt_rtcp { index | E_FLAG } else { index };
        let mut out = Vec::with_capacity(packet.len() + 4 + 16 + self.mki.len());
        out.extend_from_slice(packet);
        if self.suite.is_aead() {
            let nonce = self.rtcp.gcm_rtcp_nonce(ssrc, index);
            let tag = if self.encrypt_rtcp {
                let mut aad = [0u8; RTCP_HEADER + 4];
                for (d, s) in
                    aad.iter_mut().zip(packet.iter().take(RTCP_HEADER).chain(&e_index.to_be_bytes()))
                {
                    *d = *s;
                }
                out.get_mut(RTCP_HEADER..).and_then(|d| self.rtcp.gcm_seal(&nonce, &aad, d))
            } else {
                let mut aad = packet.to_vec();
                aad.extend_from_slice(&e_index.to_be_bytes());
                self.rtcp.gcm_seal(&nonce, &aad, &mut [])
            };
            out.extend_from_slice(&tag.unwrap_or_default());
            out.extend_from_slice(&e_index.to_be_bytes());
            out.extend_from_slice(&self.mki);
        } else {
            if self.encrypt_rtcp
                && let Some(d) = out.get_mut(RTCP_HEADER..)
            {
                self.rtcp.ctr_apply(ssrc, u64::from(index), d);
            }
            out.extend_from_slice(&e_index.to_be_bytes());
            let mut tag = Vec::with_capacity(10);
            self.rtcp.hmac_append(&[out.as_slice()], &mut tag);
            if self.short_rtcp_tag && self.suite == Suite::AesCm128HmacSha1_32 {
                tag.truncate(FFMPEG_SHORT_TAG);
            }
            out.extend_from_slice(&self.mki);
            out.extend_from_slice(&tag);
        }
        self.rtcp_used += 1;
        self.counters.rtcp_protected += 1;
        Ok(out)
    }
}
