//! The media side of a session: the tracks' transports as negotiated, RTP and RTCP demultiplexed to them
//! (interleaved channels or UDP pairs), receiver reports, progress figures, and the media window with its
//! assessment (`transport.*` for media that never came, `rtp.*`, `rtcp.*`, `codec.*`).

use std::time::Duration;

use super::connect::seconds;
use super::ctx::Ctx;
use super::event::TrackProgress;
use super::io::{ConnId, MediaFrame, UdpChannel, UdpId};
use super::tracks::{Carriage, Track};
use crate::diagnose::codes;
use crate::diagnose::facts::TrackFacts;
use crate::rtsp::TypedHeader;
use crate::rtsp::headers::{RtpInfo, Transport, TransportSpec};
use crate::rtsp::url::Url;
use crate::{Finding, Layer, Severity};

/// The first receiver report goes out this soon after PLAY; then every [`RR_EVERY`].
const FIRST_RR: Duration = Duration::from_millis(500);
/// Receiver report period. RFC 3550 would allow 5 s; a probe of a few seconds reports more often so the
/// server sees a live receiver (and a test can see our reports) within the window.
const RR_EVERY: Duration = Duration::from_secs(2);
/// Frames kept for the driver between two drains (a preview that stalls must not grow memory).
const MAX_PENDING_FRAMES: usize = 64;

/// What was asked for a track in SETUP.
#[derive(Debug, Clone)]
struct Offer {
    spec: TransportSpec,
    udp: Option<UdpId>,
}

/// The tracks and the media window.
#[derive(Debug)]
pub(crate) struct Media {
    ssrc: u32,
    /// The RTSP connection: interleaved receiver reports go there.
    conn: ConnId,
    tracks: Vec<Track>,
    offers: Vec<Option<Offer>>,
    playing: bool,
    play_at: Duration,
    window_end: Option<Duration>,
    quick: bool,
    next_rr: Option<Duration>,
    frames: Vec<MediaFrame>,
    deliver: bool,
    /// UDP datagrams from other addresses than the camera's, dropped.
    foreign: Foreign,
    /// UDP datagrams the driver dropped because they came faster than the probe reads.
    flooded: u64,
    /// The RTSP connection is TLS (for the media-security statement).
    tls: bool,
}

/// Datagrams from strangers: how many, and the first few senders.
#[derive(Debug, Default)]
struct Foreign {
    count: u64,
    senders: Vec<std::net::SocketAddr>,
}

/// Foreign senders named in the evidence.
const FOREIGN_SENDERS_SHOWN: usize = 4;

impl Media {
    pub(crate) fn new(ssrc: u32, conn: ConnId) -> Media {
        Media {
            ssrc,
            conn,
            tracks: Vec::new(),
            offers: Vec::new(),
            playing: false,
            play_at: Duration::ZERO,
            window_end: None,
            quick: false,
            next_rr: None,
            frames: Vec::new(),
            deliver: false,
            foreign: Foreign::default(),
            flooded: 0,
            tls: false,
        }
    }

    pub(crate) fn set_tracks(&mut self, tracks: Vec<Track>) {
        self.offers = vec![None; tracks.len()];
        self.tracks = tracks;
    }

    pub(crate) fn len(&self) -> usize {
        self.tracks.len()
    }

    pub(crate) fn track(&self, index: usize) -> Option<&Track> {
        self.tracks.get(index)
    }

    pub(crate) fn playing(&self) -> bool {
        self.playing
    }

    /// Time since PLAY.
    pub(crate) fn played(&self, now: Duration) -> Duration {
        now.saturating_sub(self.play_at)
    }

    pub(crate) fn udp_pairs(&self) -> Vec<UdpId> {
        self.offers.iter().flatten().filter_map(|o| o.udp).collect()
    }

    pub(crate) fn take_frames(&mut self) -> Vec<MediaFrame> {
        std::mem::take(&mut self.frames)
    }

    pub(crate) fn deadline(&self) -> Option<Duration> {
        if !self.playing {
            return None;
        }
        [self.window_end, self.next_rr].into_iter().flatten().min()
    }

    // ---- setup --------------------------------------------------------------------------------------------

    pub(crate) fn offered(&mut self, index: usize, spec: TransportSpec, udp: Option<UdpId>) {
        if let Some(slot) = self.offers.get_mut(index) {
            *slot = Some(Offer { spec, udp });
        }
    }

    /// The server's Transport for track `index`: where its media will travel.
    pub(crate) fn accepted(&mut self, ctx: &mut Ctx, index: usize, chosen: &TransportSpec, raw: &str) {
        let Some(Some(offer)) = self.offers.get(index).cloned() else { return };
        let Some(track) = self.tracks.get_mut(index) else { return };
        track.transport_text = Some(raw.to_owned());
        if chosen.is_tcp() {
            let asked = offer.spec.interleaved;
            let got = chosen.interleaved.or(asked);
            let Some(got) = got else { return };
            let rtp = got.start;
            let rtcp = got.end.unwrap_or(rtp.saturating_add(1));
            // Two tracks on one channel could not be told apart: the first keeps it.
            let taken = self.tracks.iter().enumerate().find_map(|(other, t)| {
                let shares = matches!(t.carriage, Some(Carriage::Tcp { rtp: r, rtcp: c }) if [r, c].contains(&rtp) || [r, c].contains(&rtcp));
                (other != index && shares).then_some(other)
            });
            let Some(track) = self.tracks.get_mut(index) else { return };
            if let Some(other) = taken {
                let media = &track.media;
                ctx.finding(
                    Finding::new(
                        codes::TRANSPORT_CHANNEL_CHANGED,
                        format!(
                            "the server gave the {media} track interleaved channels {rtp}-{rtcp}, already used by \
                             track {other}: their packets cannot be told apart, so this track is ignored"
                        ),
                    )
                    .with_severity(crate::Severity::Error)
                    .with_evidence("chosen", raw.to_owned()),
                );
                return;
            }
            if asked.is_some_and(|a| a.start != rtp) {
                ctx.finding(
                    Finding::new(
                        codes::TRANSPORT_CHANNEL_CHANGED,
                        format!(
                            "the server moved {} track to interleaved channels {rtp}-{rtcp}",
                            track.media
                        ),
                    )
                    .with_evidence("offered", Transport(vec![offer.spec.clone()]).to_value())
                    .with_evidence("chosen", raw.to_owned()),
                );
            }
            track.carriage = Some(Carriage::Tcp { rtp, rtcp });
            ctx.step(
                Layer::Transport,
                format!("{} track: RTP interleaved on channels {rtp}-{rtcp}", track.media),
            );
        } else if let Some(udp) = offer.udp {
            let server_rtp = chosen.server_port.map(|p| p.start);
            let server_rtcp = chosen.server_port.map(|p| p.end.unwrap_or(p.start.saturating_add(1)));
            if let (Some(asked), Some(got)) = (offer.spec.client_port, chosen.client_port)
                && asked.start != got.start
            {
                ctx.finding(
                    Finding::new(
                        codes::TRANSPORT_CHANNEL_CHANGED,
                        format!(
                            "the server answered with client ports {} instead of {}",
                            got.start, asked.start
                        ),
                    )
                    .with_evidence("offered", Transport(vec![offer.spec.clone()]).to_value())
                    .with_evidence("chosen", raw.to_owned()),
                );
            }
            track.carriage = Some(Carriage::Udp { udp, server_rtp, server_rtcp });
            let ports = server_rtp
                .map_or_else(|| "ports not given".to_owned(), |p| format!("server ports {p}-{}", p + 1));
            ctx.step(Layer::Transport, format!("{} track: RTP over UDP ({ports})", track.media));
        } else {
            ctx.finding(
                Finding::new(
                    codes::TRANSPORT_CHANNEL_CHANGED,
                    format!(
                        "the server answered a TCP interleaved SETUP of the {} track with a UDP transport",
                        track.media
                    ),
                )
                .with_severity(Severity::Warning)
                .with_detail("rtspeek opened no UDP ports for it, so its media cannot be received.")
                .with_evidence("offered", Transport(vec![offer.spec.clone()]).to_value())
                .with_evidence("chosen", raw.to_owned()),
            );
        }
    }

    /// The SETUP answer's say on track `index`'s SRTP: its `KeyMgmt` header, and whether it kept the secure
    /// profile.
    pub(crate) fn srtp_answer(&mut self, index: usize, key_mgmt: Option<&str>, secure_profile: bool) {
        if let Some(srtp) = self.tracks.get_mut(index).and_then(|t| t.srtp.as_mut()) {
            srtp.setup_answer(key_mgmt, secure_profile);
        }
    }

    /// One line for the transport layer.
    pub(crate) fn transport_summary(&self) -> String {
        let parts: Vec<String> = self
            .tracks
            .iter()
            .map(|t| {
                let srtp = if t.srtp.as_ref().is_some_and(|s| s.active()) { " (SRTP)" } else { "" };
                match t.carriage {
                    Some(Carriage::Tcp { rtp, rtcp }) => {
                        format!("{} interleaved {rtp}-{rtcp}{srtp}", t.media)
                    }
                    Some(Carriage::Udp { .. }) => format!("{} over UDP{srtp}", t.media),
                    None => format!("{} not set up", t.media),
                }
            })
            .collect();
        parts.join(", ")
    }

    // ---- playing ------------------------------------------------------------------------------------------

    /// PLAY succeeded: start the window, say how the media is protected.
    pub(crate) fn play(&mut self, ctx: &mut Ctx, rtp_info: Option<&str>, base: &Url, tls: bool) {
        let now = ctx.now;
        self.tls = tls;
        self.playing = true;
        self.play_at = now;
        self.deliver = ctx.config.deliver_media;
        self.quick = ctx.config.media_window.is_zero();
        let window = if self.quick { ctx.config.step_timeout } else { ctx.config.media_window };
        self.window_end = Some(now + window);
        self.next_rr = Some(now + FIRST_RR);
        for track in &mut self.tracks {
            track.start(now);
        }
        if let Some(value) = rtp_info {
            self.rtp_info(value, base);
        }
        let cleartext_udp = self.tracks.iter().any(|t| {
            matches!(t.carriage, Some(Carriage::Udp { .. })) && !t.srtp.as_ref().is_some_and(|s| s.active())
        });
        if tls && cleartext_udp {
            ctx.finding(Finding::new(
                codes::TRANSPORT_CLEARTEXT_MEDIA,
                "the control connection is RTSPS but the media travels as cleartext RTP over UDP",
            ));
        } else if !tls {
            let all_srtp = self.tracks.iter().all(|t| t.srtp.as_ref().is_some_and(|s| s.active()));
            let what = if all_srtp {
                "rtsp:// without TLS: requests, authentication exchanges and the SRTP keys travel in clear"
            } else {
                "rtsp:// without TLS: requests, authentication exchanges and media travel in clear"
            };
            ctx.finding(Finding::new(codes::TRANSPORT_UNENCRYPTED, what));
        }
        for track in self.tracks.iter().filter(|t| t.carriage.is_some()) {
            if let Some(srtp) = &track.srtp {
                ctx.findings(srtp.key_findings(&format!("{} track", track.media), tls));
            }
        }
        ctx.record.facts.media_security = super::protection::media_security(&self.tracks, tls);
        // A first receiver report from each UDP pair opens the path through NAT and stateful firewalls.
        for index in 0..self.tracks.len() {
            self.send_rr(ctx, index);
        }
        let what = if self.quick {
            format!(
                "watching media until every track shows a decodable picture (at most {})",
                seconds(window)
            )
        } else {
            format!("watching media for {}", seconds(window))
        };
        ctx.step(Layer::Rtp, what);
    }

    fn rtp_info(&mut self, value: &str, base: &Url) {
        let Ok(info) = RtpInfo::parse(value) else { return };
        let single = self.tracks.len() == 1 && info.0.len() == 1;
        for entry in &info.0 {
            let url = entry.url.resolve(base).ok();
            let index = if single {
                Some(0)
            } else {
                self.tracks.iter().position(|t| url.as_ref().is_some_and(|u| u.path() == t.control.path()))
            };
            if let Some(track) = index.and_then(|i| self.tracks.get_mut(i)) {
                let mut text = Vec::new();
                if let Some(seq) = entry.seq {
                    text.push(format!("seq={seq}"));
                }
                if let Some(rtptime) = entry.rtptime {
                    text.push(format!("rtptime={rtptime}"));
                }
                track.rtp_info = Some(text.join(";"));
            }
        }
    }

    pub(crate) fn interleaved(&mut self, ctx: &mut Ctx, channel: u8, payload: &[u8]) {
        if !self.playing {
            return;
        }
        let on_channel = self.tracks.iter().enumerate().find_map(|(index, t)| match t.carriage {
            Some(Carriage::Tcp { rtp, .. }) if rtp == channel => Some((index, UdpChannel::Rtp)),
            Some(Carriage::Tcp { rtcp, .. }) if rtcp == channel => Some((index, UdpChannel::Rtcp)),
            _ => None,
        });
        if let Some((index, kind)) = on_channel {
            self.packet(ctx, index, kind, payload);
        }
    }

    pub(crate) fn datagram(
        &mut self,
        ctx: &mut Ctx,
        udp: UdpId,
        channel: UdpChannel,
        bytes: &[u8],
        from: std::net::SocketAddr,
        dropped: u32,
    ) {
        self.flooded += u64::from(dropped);
        // Only the camera's packets count: anyone on the network can send to the ports rtspeek opened.
        let camera = ctx.record.facts.connection.as_ref().and_then(|c| c.peer).map(|a| a.ip());
        if camera.is_some_and(|ip| !same_ip(ip, from.ip())) {
            self.foreign.count += 1;
            if self.foreign.senders.len() < FOREIGN_SENDERS_SHOWN && !self.foreign.senders.contains(&from) {
                self.foreign.senders.push(from);
            }
            return;
        }
        if !self.playing {
            return;
        }
        let Some(index) = self
            .tracks
            .iter()
            .position(|t| matches!(t.carriage, Some(Carriage::Udp { udp: u, .. }) if u == udp))
        else {
            return;
        };
        self.packet(ctx, index, channel, bytes);
    }

    /// An RTP or RTCP packet of track `index`, over UDP or interleaved.
    fn packet(&mut self, ctx: &mut Ctx, index: usize, channel: UdpChannel, bytes: &[u8]) {
        let Some(track) = self.tracks.get_mut(index) else { return };
        if channel == UdpChannel::Rtcp {
            track.rtcp(bytes, ctx.now);
            return;
        }
        let before = self.frames.len();
        let frames = (self.deliver && self.frames.len() < MAX_PENDING_FRAMES).then_some(&mut self.frames);
        track.rtp(index, bytes, ctx.now, frames);
        if self.frames.len() > before {
            let codec_string = track.codec_string();
            for frame in self.frames.iter_mut().skip(before) {
                frame.codec_string.clone_from(&codec_string);
            }
        }
        if self.quick && self.tracks.iter().all(Track::ready) {
            // Everything a decoder needs has arrived: end the window at the next wake-up.
            self.window_end = Some(ctx.now);
        }
    }

    fn send_rr(&mut self, ctx: &mut Ctx, index: usize) {
        let (now, ssrc, conn) = (ctx.now, self.ssrc, self.conn);
        let Some(track) = self.tracks.get_mut(index) else { return };
        let Some(carriage) = track.carriage else { return };
        let Some(report) = track.receiver_report(ssrc, now) else { return };
        match carriage {
            Carriage::Tcp { rtcp, .. } => {
                let mut frame = Vec::with_capacity(report.len() + 4);
                frame.push(b'$');
                frame.push(rtcp);
                frame.extend_from_slice(&u16::try_from(report.len()).unwrap_or(u16::MAX).to_be_bytes());
                frame.extend_from_slice(&report);
                ctx.transmit(conn, frame);
            }
            Carriage::Udp { udp, server_rtcp: Some(port), .. } => {
                ctx.send_udp(udp, UdpChannel::Rtcp, port, report)
            }
            Carriage::Udp { .. } => {}
        }
    }

    /// Sends receiver reports when due. Returns whether the window is over.
    pub(crate) fn on_timeout(&mut self, ctx: &mut Ctx) -> bool {
        if !self.playing {
            return false;
        }
        if self.next_rr.is_some_and(|t| ctx.now >= t) {
            self.next_rr = Some(ctx.now + RR_EVERY);
            for index in 0..self.tracks.len() {
                self.send_rr(ctx, index);
            }
        }
        self.window_end.is_some_and(|t| ctx.now >= t)
    }

    pub(crate) fn progress(&self, now: Duration) -> Vec<TrackProgress> {
        self.tracks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.carriage.is_some())
            .map(|(i, t)| t.progress(i, now))
            .collect()
    }

    /// Ends the window; with `assess`, turns what arrived into findings and closes the media layers.
    pub(crate) fn stop(&mut self, ctx: &mut Ctx, assess: bool) {
        if !self.playing {
            return;
        }
        self.playing = false;
        self.next_rr = None;
        self.window_end = None;
        if assess {
            self.assess(ctx);
        }
    }

    fn assess(&mut self, ctx: &mut Ctx) {
        // Stated again now that the packets showed what they were (a plain answer can turn out right).
        ctx.record.facts.media_security = super::protection::media_security(&self.tracks, self.tls);
        if self.foreign.count > 0 {
            let f = Finding::new(
                codes::TRANSPORT_FOREIGN_PACKETS,
                format!(
                    "{} UDP datagram(s) came to rtspeek's RTP/RTCP ports from other addresses than the camera's, \
                     and were dropped",
                    self.foreign.count
                ),
            );
            let f = self.foreign.senders.iter().fold(f, |f, s| f.with_evidence("sender", s.to_string()));
            ctx.finding(f);
        }
        if self.flooded > 0 {
            ctx.finding(
                Finding::new(
                    codes::TRANSPORT_UDP_FLOOD,
                    format!(
                        "{} UDP datagram(s) were dropped because they came faster than rtspeek reads them",
                        self.flooded
                    ),
                )
                .with_evidence("dropped", self.flooded.to_string()),
            );
        }
        let now = ctx.now;
        let window = self.played(now);
        let udp_tracks: Vec<&Track> =
            self.tracks.iter().filter(|t| matches!(t.carriage, Some(Carriage::Udp { .. }))).collect();
        let udp_silent = !udp_tracks.is_empty()
            && udp_tracks.iter().all(|t| !t.heard(now))
            && window >= crate::rtp::Thresholds::default().no_packets_after;
        if udp_silent {
            let mut f = Finding::new(
                codes::TRANSPORT_UDP_BLOCKED,
                format!(
                    "the server accepted UDP and PLAY, but no RTP or RTCP datagram arrived in {}",
                    seconds(window)
                ),
            );
            for t in &udp_tracks {
                if let Some(Carriage::Udp { server_rtp, .. }) = t.carriage {
                    let from =
                        server_rtp.map_or_else(|| "unknown ports".to_owned(), |p| format!("server port {p}"));
                    f = f.with_evidence(format!("{} track", t.media), from);
                }
            }
            ctx.finding(f);
            ctx.layer_done(Layer::Transport, "");
            return;
        }
        for track in &self.tracks {
            if track.carriage.is_some() {
                ctx.findings(track.assess(now, true));
            }
        }
        let packets: u64 = self.tracks.iter().map(|t| t.packets(now)).sum();
        ctx.layer_done(Layer::Rtp, format!("{packets} RTP packets in {}", seconds(window)));
        let reports: u64 = self.tracks.iter().map(|t| t.sender_reports(now)).sum();
        let rtcp = if reports > 0 {
            format!("{reports} sender report(s) received; receiver reports sent")
        } else if window < super::tracks::RTCP_ABSENT_AFTER {
            format!(
                "no sender report yet in {} (conclusive after {})",
                seconds(window),
                seconds(super::tracks::RTCP_ABSENT_AFTER)
            )
        } else {
            "no sender report".to_owned()
        };
        ctx.layer_done(Layer::Rtcp, rtcp);
        let codec_tracks = self.tracks.iter().filter(|t| t.codec.is_some() && t.carriage.is_some()).count();
        if codec_tracks == 0 {
            ctx.layer_done(Layer::Codec, "no H.264/H.265 track to inspect");
        } else {
            let summary = self
                .tracks
                .iter()
                .filter_map(|t| t.codec_string().map(|c| format!("{} {c}", t.encoding)))
                .collect::<Vec<_>>()
                .join(", ");
            ctx.layer_done(
                Layer::Codec,
                if summary.is_empty() { "parameter sets seen".to_owned() } else { summary },
            );
        }
    }

    pub(crate) fn facts(&self, now: Duration) -> Vec<TrackFacts> {
        self.tracks.iter().map(|t| t.facts(now)).collect()
    }
}

/// Whether two addresses are the same host (an IPv4 address and its IPv4-mapped IPv6 form included).
fn same_ip(a: std::net::IpAddr, b: std::net::IpAddr) -> bool {
    a.to_canonical() == b.to_canonical()
}
