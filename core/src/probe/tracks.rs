//! The media tracks of a session: chosen from the description, set up one by one, then fed with RTP/RTCP
//! (interleaved or UDP) through a receiver (RFC 3550 statistics) and, for H.264/H.265, a depacketizer and a
//! codec analyzer.

use std::time::Duration;

use super::ctx::millis;
use super::io::{MediaFrame, UdpId};
use super::srtp::TrackSrtp;
use crate::codec::{Codec, Depacketizer, StreamAnalyzer};
use crate::diagnose::facts::TrackFacts;
use crate::rtp::{Receiver, ReceiverConfig, RtpPacket, Thresholds};
use crate::rtsp::url::Url;
use crate::sdp::{self, SessionDescription, sprop};
use crate::{Finding, Layer};

/// How long without a sender report is `rtcp.absent` in a probe. RFC 3550 (6.2, 6.3.1) has a sender report
/// every 5 s on average, randomised between 2.5 s and 7.5 s: a window of 8 s without one is conclusive.
pub(crate) const RTCP_ABSENT_AFTER: Duration = Duration::from_secs(8);

/// Where a track's media travels, once set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Carriage {
    /// Interleaved in the RTSP connection on these channels.
    Tcp { rtp: u8, rtcp: u8 },
    /// UDP: our pair, and the server's ports (if it said).
    Udp { udp: UdpId, server_rtp: Option<u16>, server_rtcp: Option<u16> },
}

/// One media section to set up.
#[derive(Debug)]
pub(crate) struct Track {
    pub(crate) media: String,
    pub(crate) control: Url,
    pub(crate) encoding: String,
    pub(crate) payload_type: u8,
    pub(crate) clock_rate: u32,
    pub(crate) codec: Option<Codec>,
    pub(crate) carriage: Option<Carriage>,
    pub(crate) transport_text: Option<String>,
    pub(crate) rtp_info: Option<String>,
    /// Secure RTP, when the media section's profile is `SAVP`/`SAVPF`.
    pub(crate) srtp: Option<TrackSrtp>,
    /// Decrypted packets land here (reused: no allocation per packet).
    plain: Vec<u8>,
    receiver: Receiver,
    depacketizer: Option<Depacketizer>,
    analyzer: Option<StreamAnalyzer>,
    first_packet: Option<Duration>,
    first_keyframe: Option<Duration>,
    play_at: Duration,
}

impl Track {
    /// The tracks of a description: every RTP media section with a control URL and a payload type, resolved
    /// against `base`, among the first [`sdp::MAX_MEDIA`] (a hostile description must not make the probe
    /// open sockets and decoders without limit). Sections rtspeek cannot set up (no control, not RTP) and the
    /// ones past the limit are left out: the SDP lint names them.
    pub(crate) fn from_sdp(sdp: &SessionDescription<'_>, base: &Url) -> Vec<Track> {
        let mut tracks = Vec::new();
        for media in sdp.media().take(sdp::MAX_MEDIA) {
            let line = media.media_line();
            if !line.is_rtp() {
                continue;
            }
            let Some(control) = media.control().or_else(|| (sdp.media().len() == 1).then_some("*")) else {
                continue;
            };
            let Ok(control) = base.resolve_control(control) else { continue };
            let Some(pt) = media.payload_types().next() else { continue };
            let (encoding, clock_rate) = match media.rtpmap(pt) {
                Some(map) => (map.encoding.to_owned(), map.clock_rate),
                None => match sdp::payload::static_payload(pt) {
                    Some(p) => (p.encoding.to_owned(), p.clock_rate),
                    None => (String::new(), 90_000),
                },
            };
            let codec = if encoding.eq_ignore_ascii_case("H264") {
                Some(Codec::H264)
            } else if encoding.eq_ignore_ascii_case("H265") || encoding.eq_ignore_ascii_case("HEVC") {
                Some(Codec::H265)
            } else {
                None
            };
            let parameter_sets = codec.map(|_| sdp_parameter_sets(media.fmtp(pt))).unwrap_or_default();
            let sets: Vec<&[u8]> = parameter_sets.iter().map(Vec::as_slice).collect();
            let clock_rate = clock_rate.max(1);
            let mut config = ReceiverConfig::new(clock_rate);
            config.thresholds = Thresholds { rtcp_absent_after: RTCP_ABSENT_AFTER, ..Thresholds::default() };
            tracks.push(Track {
                media: media.media_type().to_ascii_lowercase(),
                control,
                encoding,
                payload_type: pt,
                clock_rate,
                codec,
                carriage: None,
                transport_text: None,
                rtp_info: None,
                srtp: TrackSrtp::from_description(sdp, &media),
                plain: Vec::new(),
                receiver: Receiver::new(config, Duration::ZERO),
                depacketizer: codec.map(Depacketizer::new),
                analyzer: codec.map(|c| StreamAnalyzer::new(c, clock_rate, &sets)),
                first_packet: None,
                first_keyframe: None,
                play_at: Duration::ZERO,
            });
        }
        tracks
    }

    /// PLAY succeeded at `now`: the observation window starts.
    pub(crate) fn start(&mut self, now: Duration) {
        self.play_at = now;
        self.receiver.start_window(now);
    }

    /// An RTP packet arrived. Access units completed by it go to `frames` when a preview wants them.
    pub(crate) fn rtp(
        &mut self,
        index: usize,
        bytes: &[u8],
        now: Duration,
        frames: Option<&mut Vec<MediaFrame>>,
    ) {
        let mut plain = std::mem::take(&mut self.plain);
        let bytes =
            match self.srtp.as_mut().filter(|s| s.active()).map(|s| s.unprotect_rtp(bytes, &mut plain)) {
                Some(true) => plain.as_slice(),
                Some(false) => {
                    self.plain = plain;
                    return;
                }
                None => bytes,
            };
        self.plain_rtp(index, bytes, now, frames);
        self.plain = plain;
    }

    fn plain_rtp(&mut self, index: usize, bytes: &[u8], now: Duration, frames: Option<&mut Vec<MediaFrame>>) {
        let Ok(packet) = self.receiver.receive_rtp(bytes, now) else { return };
        self.first_packet.get_or_insert(now);
        if packet.payload_type() != self.payload_type {
            return;
        }
        self.depacketize(index, &packet, now, frames);
    }

    fn depacketize(
        &mut self,
        index: usize,
        packet: &RtpPacket<'_>,
        now: Duration,
        mut frames: Option<&mut Vec<MediaFrame>>,
    ) {
        let (Some(depacketizer), Some(analyzer)) = (&mut self.depacketizer, &mut self.analyzer) else {
            return;
        };
        depacketizer.push(packet.sequence(), packet.timestamp(), packet.marker(), packet.payload());
        let codec = depacketizer.codec();
        while let Some(au) = depacketizer.pop() {
            analyzer.access_unit(&au);
            if au.keyframe && !au.damaged {
                self.first_keyframe.get_or_insert(now);
            }
            if let Some(frames) = frames.as_deref_mut() {
                frames.push(MediaFrame {
                    track: index,
                    codec,
                    codec_string: None,
                    timestamp: u64::from(au.timestamp),
                    keyframe: au.keyframe,
                    damaged: au.damaged,
                    data: au.annex_b().to_vec(),
                });
            }
        }
    }

    /// An RTCP compound packet arrived.
    pub(crate) fn rtcp(&mut self, bytes: &[u8], now: Duration) {
        // Malformed RTCP is counted by the receiver and becomes `rtcp.malformed`.
        match self.srtp.as_mut().filter(|s| s.active()) {
            Some(srtp) => {
                if let Some(plain) = srtp.unprotect_rtcp(bytes) {
                    let _ = self.receiver.receive_rtcp(&plain, now);
                }
            }
            None => {
                let _ = self.receiver.receive_rtcp(bytes, now);
            }
        }
    }

    /// Our receiver report (RR + SDES CNAME), or `None` if it cannot be built.
    pub(crate) fn receiver_report(&mut self, ssrc: u32, now: Duration) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(64);
        self.receiver.write_receiver_report(ssrc, "rtspeek", now, &mut out).ok()?;
        match self.srtp.as_mut().filter(|s| s.active()) {
            Some(srtp) => srtp.protect_rtcp(&out),
            None => Some(out),
        }
    }

    /// Whether the track has shown everything a decoder needs to start: a packet and, for video, the
    /// parameter sets and a complete keyframe.
    pub(crate) fn ready(&self) -> bool {
        match &self.analyzer {
            Some(analyzer) => self.first_keyframe.is_some() && analyzer.parameter_sets().sps().is_some(),
            None => self.first_packet.is_some(),
        }
    }

    pub(crate) fn packets(&self, now: Duration) -> u64 {
        self.receiver.summary(now).rtp_packets
    }

    /// RTCP sender reports received in the window.
    pub(crate) fn sender_reports(&self, now: Duration) -> u64 {
        self.receiver.summary(now).sender_reports
    }

    /// Whether any RTP or RTCP arrived.
    pub(crate) fn heard(&self, now: Duration) -> bool {
        let s = self.receiver.summary(now);
        s.rtp_packets + s.malformed_rtp + s.rtcp_packets > 0
            || self.srtp.as_ref().is_some_and(TrackSrtp::heard)
    }

    /// The WebCodecs codec string, once the SPS is known.
    pub(crate) fn codec_string(&self) -> Option<String> {
        self.analyzer.as_ref().and_then(|a| a.summary().codec_string)
    }

    /// Figures for the progress events.
    pub(crate) fn progress(&self, index: usize, now: Duration) -> super::event::TrackProgress {
        let s = self.receiver.summary(now);
        let main = s.sources.iter().max_by_key(|src| src.packets);
        super::event::TrackProgress {
            track: index,
            packets: s.rtp_packets,
            lost: main.map_or(0, |m| m.lost),
            jitter_ms: main.map_or(0.0, |m| m.jitter_ms),
            bitrate_bps: s.sources.iter().map(|m| m.bitrate_bps).sum(),
            frame_rate: main.map_or(0.0, |m| m.frame_rate),
            keyframes: self.analyzer.as_ref().map_or(0, |a| a.summary().gop.keyframes),
        }
    }

    /// The window's findings: RTP and RTCP from the receiver, codec from the analyzer. With `media_expected`
    /// false (UDP blocked, say), the absence of packets is someone else's finding.
    pub(crate) fn assess(&self, now: Duration, media_expected: bool) -> Vec<Finding> {
        let label = format!("{} track {}", self.media, self.control);
        let mut findings: Vec<Finding> = self
            .receiver
            .assess(now)
            .into_iter()
            .filter(|f| media_expected || f.layer != Layer::Rtp)
            .collect();
        if let (Some(depacketizer), Some(analyzer)) = (&self.depacketizer, &self.analyzer)
            && self.first_packet.is_some()
        {
            findings.extend(analyzer.findings(depacketizer));
        }
        if let Some(srtp) = &self.srtp {
            findings.extend(srtp.media_findings(&format!("{} track", self.media)));
        }
        findings.into_iter().map(|f| f.with_evidence("track", label.clone())).collect()
    }

    /// The facts of the track.
    pub(crate) fn facts(&self, now: Duration) -> TrackFacts {
        let since_play = |t: Option<Duration>| t.map(|t| millis(t.saturating_sub(self.play_at)));
        TrackFacts {
            media: self.media.clone(),
            control: self.control.redacted().to_string(),
            encoding: self.encoding.clone(),
            payload_type: self.payload_type,
            clock_rate: self.clock_rate,
            transport: self.transport_text.clone(),
            carried_over: match self.carriage {
                Some(Carriage::Tcp { .. }) => "tcp",
                Some(Carriage::Udp { .. }) => "udp",
                None => "not_set_up",
            }
            .to_owned(),
            rtp_info: self.rtp_info.clone(),
            first_packet_ms: since_play(self.first_packet),
            first_keyframe_ms: since_play(self.first_keyframe),
            rtp: self.carriage.map(|_| self.receiver.summary(now)),
            codec: self
                .analyzer
                .as_ref()
                .filter(|_| self.first_packet.is_some())
                .map(StreamAnalyzer::summary),
            srtp: self.srtp.as_ref().map(TrackSrtp::facts),
        }
    }
}

/// The parameter sets an `a=fmtp` line carries: H.264 `sprop-parameter-sets`, H.265 `sprop-vps/sps/pps`.
/// Undecodable ones are skipped (the SDP lint reports them).
fn sdp_parameter_sets(fmtp: Option<sdp::Fmtp<'_>>) -> Vec<Vec<u8>> {
    let Some(fmtp) = fmtp else { return Vec::new() };
    ["sprop-parameter-sets", "sprop-vps", "sprop-sps", "sprop-pps"]
        .iter()
        .filter_map(|key| fmtp.get(key))
        .flat_map(|value| sprop::decode_list(value).filter_map(|(_, nal)| nal.ok()).collect::<Vec<_>>())
        .collect()
}
