//! The session methods: SETUP (TCP interleaved or UDP), PLAY (RTP-Info, media start), PAUSE, TEARDOWN.

use std::net::SocketAddr;
use std::sync::Arc;

use rtspeek_core::rtsp::Request;
use rtspeek_core::rtsp::headers::{
    LowerTransport, PortRange, RtpInfo, RtpInfoEntry, Session as SessionHeader, Transport, TransportSpec,
    TypedHeader, UriRef, names,
};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::media::{self, Audio, Reports, Sink, TrackClock, Video};
use super::rtsp::{Connection, Reply};
use super::udp::{self, UdpPair};

/// One RTSP session (one per connection at most).
pub(super) struct Session {
    pub(super) id: String,
    tracks: Vec<Track>,
    /// Present once PLAY started the media; `false` while paused.
    playing: Option<watch::Sender<bool>>,
    /// Media senders and UDP receivers: aborted when the session ends.
    tasks: JoinSet<()>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Video,
    Audio,
    /// A track of a custom SDP the camera has no media for.
    Mute,
}

struct Track {
    index: usize,
    kind: Kind,
    /// The SETUP URL, for RTP-Info.
    url: String,
    delivery: Delivery,
    ssrc: u32,
    first_seq: u16,
    first_ts: u32,
    clock: Arc<TrackClock>,
}

enum Delivery {
    Interleaved { rtp: u8, rtcp: u8 },
    Udp { pair: UdpPair, to_rtp: SocketAddr, to_rtcp: SocketAddr },
}

impl Connection {
    /// `Ok(true)` when the request names this connection's session, `Ok(false)` when it names none; a 454
    /// when it names another.
    pub(super) fn check_session(&self, req: &Request<'_>) -> Result<bool, Reply> {
        let Some(value) = req.headers.get(names::SESSION) else { return Ok(false) };
        let id = value.split(';').next().unwrap_or_default().trim();
        match &self.session {
            Some(s) if s.id == id => Ok(true),
            _ => Err(Reply::new(454)),
        }
    }

    /// `id;timeout=N` of the current session.
    pub(super) fn session_value(&self) -> String {
        let id = self.session.as_ref().map(|s| s.id.clone()).unwrap_or_default();
        SessionHeader { id, timeout: self.shared.config.rtsp.session_timeout }.to_value()
    }

    pub(super) async fn setup(&mut self, req: &Request<'_>) -> Reply {
        if let Err(refused) = self.check_session(req) {
            return refused;
        }
        let config = &self.shared.config;
        let taken = self.session.as_ref().map_or(0, |s| s.tracks.len());
        let index = track_index(&req.uri).unwrap_or(taken);
        let kind = match index {
            0 => Kind::Video,
            1 if config.media.audio => Kind::Audio,
            _ if config.sdp.custom.is_some() => Kind::Mute,
            _ => return Reply::new(404),
        };
        let Ok(Some(Transport(specs))) = req.headers.typed::<Transport>() else { return Reply::new(461) };
        let mut chosen = None;
        for spec in &specs {
            if spec.is_tcp() && !config.rtsp.refuse_tcp {
                // Client input: wrap rather than overflow on absurd track numbers.
                let even = (index as u8).wrapping_mul(2);
                let channels = spec.interleaved.map_or((even, even.wrapping_add(1)), |c| {
                    (c.start, c.end.unwrap_or(c.start.wrapping_add(1)))
                });
                chosen = Some(Delivery::Interleaved { rtp: channels.0, rtcp: channels.1 });
                break;
            }
            let udp = matches!(spec.lower, None | Some(LowerTransport::Udp)) && !spec.is_secure_profile();
            if let (true, false, Some(ports)) = (udp, config.rtsp.refuse_udp, spec.client_port) {
                let Ok(pair) = UdpPair::bind(self.info.local.ip()).await else { return Reply::new(500) };
                let peer = self.info.peer.ip();
                let rtcp_port = ports.end.unwrap_or(ports.start.wrapping_add(1));
                let (to_rtp, to_rtcp) =
                    (SocketAddr::new(peer, ports.start), SocketAddr::new(peer, rtcp_port));
                chosen = Some(Delivery::Udp { pair, to_rtp, to_rtcp });
                break;
            }
        }
        let Some(delivery) = chosen else { return Reply::new(461) };

        let media = &config.media;
        let source = &self.shared.source;
        let (ssrc, first_seq, first_ts) = match kind {
            Kind::Video => (
                media.ssrc,
                media.first_seq.unwrap_or(source.first_seq),
                media.first_timestamp.unwrap_or(source.first_ts),
            ),
            _ => {
                let r = self.shared.random::<6>();
                (
                    media.ssrc.wrapping_add(index as u32),
                    u16::from_be_bytes([r[0], r[1]]),
                    u32::from_be_bytes([r[2], r[3], r[4], r[5]]),
                )
            }
        };
        let mut answer = match &delivery {
            Delivery::Interleaved { rtp, rtcp } => TransportSpec::tcp_interleaved(*rtp, *rtcp),
            Delivery::Udp { pair, to_rtp, to_rtcp } => {
                let (server_rtp, server_rtcp) = pair.ports();
                let mut spec = TransportSpec::udp_unicast(to_rtp.port(), to_rtcp.port());
                spec.server_port = Some(PortRange { start: server_rtp, end: Some(server_rtcp) });
                spec
            }
        };
        answer.ssrc = vec![ssrc];
        answer.mode = vec!["PLAY".into()];

        let shared = Arc::clone(&self.shared);
        let session = self.session.get_or_insert_with(|| {
            let id = shared.random::<8>().iter().map(|b| format!("{b:02x}")).collect();
            Session { id, tracks: Vec::new(), playing: None, tasks: JoinSet::new() }
        });
        if let Delivery::Udp { pair, .. } = &delivery {
            session.tasks.spawn(udp::record_rtcp(Arc::clone(&pair.rtcp), Arc::clone(&shared)));
            session.tasks.spawn(udp::record_rtcp(Arc::clone(&pair.rtp), Arc::clone(&shared)));
        }
        session.tracks.retain(|t| t.index != index);
        let clock = TrackClock::new(first_seq, first_ts);
        let url = req.uri.to_string();
        session.tracks.push(Track { index, kind, url, delivery, ssrc, first_seq, first_ts, clock });

        let reply = Reply::new(200).header(names::TRANSPORT, Transport(vec![answer]).to_value());
        if config.rtsp.omit_session_on_setup {
            reply
        } else {
            reply.header(names::SESSION, self.session_value())
        }
    }

    pub(super) fn play(&mut self, req: &Request<'_>) -> Reply {
        if let Err(refused) = self.check_session(req) {
            return refused;
        }
        let Some(session) = &self.session else { return Reply::new(455) };
        let mut entries = Vec::new();
        for track in &session.tracks {
            let (seq, rtptime) = track.clock.next();
            if let Ok(url) = UriRef::new(&self.public_url(&track.url)) {
                entries.push(RtpInfoEntry { url, ssrc: None, seq: Some(seq), rtptime: Some(rtptime) });
            }
        }
        let mut reply = Reply::new(200).header(names::RANGE, "npt=0.000-");
        if !self.shared.config.rtsp.omit_rtp_info && !entries.is_empty() {
            reply = reply.header(names::RTP_INFO, RtpInfo(entries).to_value());
        }
        self.start_media = true;
        reply.header(names::SESSION, self.session_value())
    }

    pub(super) fn pause(&mut self, req: &Request<'_>) -> Reply {
        if let Err(refused) = self.check_session(req) {
            return refused;
        }
        match self.session.as_ref().and_then(|s| s.playing.as_ref()) {
            Some(playing) if *playing.borrow() => {
                let _ = playing.send(false);
                Reply::new(200).header(names::SESSION, self.session_value())
            }
            // gst-rtsp-server's answer to PAUSE before PLAY.
            _ => Reply::new(455),
        }
    }

    pub(super) fn teardown(&mut self, req: &Request<'_>) -> Reply {
        if let Err(refused) = self.check_session(req) {
            return refused;
        }
        // Dropping the session aborts its media and UDP tasks and closes its sockets.
        match self.session.take() {
            Some(_) => Reply::new(200),
            None => Reply::new(454),
        }
    }

    /// Starts the session's media (first PLAY) or resumes it (after PAUSE).
    pub(super) fn start_media_now(&mut self) {
        let shared = Arc::clone(&self.shared);
        let media = &shared.config.media;
        let out = self.out.clone();
        let Some(session) = &mut self.session else { return };
        if let Some(playing) = &session.playing {
            let _ = playing.send(true);
            return;
        }
        let (playing, rx) = watch::channel(true);
        session.playing = Some(playing);
        if media.impairments.no_packets {
            return;
        }
        let reports = Reports { enabled: media.rtcp_sr, interval: media.rtcp_interval };
        for track in &session.tracks {
            let sink = match &track.delivery {
                Delivery::Interleaved { rtp, rtcp } => {
                    Sink::Interleaved { out: out.clone(), rtp: *rtp, rtcp: *rtcp }
                }
                Delivery::Udp { .. } if media.udp_blackhole => continue,
                Delivery::Udp { pair, to_rtp, to_rtcp } => Sink::Udp {
                    rtp: Arc::clone(&pair.rtp),
                    rtcp: Arc::clone(&pair.rtcp),
                    to_rtp: *to_rtp,
                    to_rtcp: *to_rtcp,
                },
            };
            let (clock, rx) = (Arc::clone(&track.clock), rx.clone());
            match track.kind {
                Kind::Video => {
                    let video = Video {
                        source: Arc::clone(&shared.source),
                        ssrc: track.ssrc,
                        first_seq: track.first_seq,
                        first_ts: track.first_ts,
                        impairments: media.impairments.clone(),
                        held: None,
                    };
                    session.tasks.spawn(media::run(video, sink, clock, rx, reports));
                }
                Kind::Audio => {
                    let audio =
                        Audio { ssrc: track.ssrc, first_seq: track.first_seq, first_ts: track.first_ts };
                    session.tasks.spawn(media::run(audio, sink, clock, rx, reports));
                }
                Kind::Mute => {}
            }
        }
    }
}

/// The `N` of `trackID=N` (the built-in SDP's control URLs) at the end of a SETUP URL.
fn track_index(uri: &str) -> Option<usize> {
    let (_, rest) = uri.rsplit_once("trackID=")?;
    rest.trim_end_matches('/').parse().ok()
}
