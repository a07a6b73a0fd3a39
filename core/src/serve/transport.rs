//! Transport negotiation: which of the client's `Transport` alternatives the server accepts, and what it
//! answers.

use std::net::{IpAddr, SocketAddr};

use crate::rtsp::headers::{Cast, ChannelRange, PortRange, TransportSpec};

/// How media reaches one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// `$`-framed inside the RTSP connection (and so inside TLS on an RTSPS connection).
    Interleaved {
        /// Channel of RTP.
        rtp_channel: u8,
        /// Channel of RTCP (sender reports out, receiver reports in).
        rtcp_channel: u8,
    },
    /// UDP unicast to the client's address, at the ports it asked for (plain RTSP, or SRTP on any
    /// connection).
    Udp {
        /// Where RTP goes: the client's IP and RTP port.
        rtp: SocketAddr,
        /// Where RTCP goes, and where the client's RTCP comes from: the client's IP and RTCP port.
        rtcp: SocketAddr,
    },
}

/// What the connection allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportPolicy {
    /// The connection is RTSPS: media must stay inside TLS, so UDP is refused unless it carries SRTP.
    pub tls: bool,
    /// The server's RTP and RTCP UDP ports, when the listener offers UDP (any RTP on plain connections,
    /// SRTP only on RTSPS ones).
    pub udp_server_ports: Option<(u16, u16)>,
}

/// Why no alternative was accepted (the 461 answer's explanation, for logs and the response body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal(pub(crate) String);

/// Picks the first acceptable alternative, in the client's order of preference (RFC 2326 12.39), and returns
/// the delivery (UDP to `client`) with the spec to echo in the answer (`ssrc=` when known). An SRTP mount
/// (`srtp`) takes RTP/SAVP and RTP/SAVPF only, a plain one RTP/AVP only.
pub(crate) fn negotiate(
    offers: &[TransportSpec],
    policy: TransportPolicy,
    client: IpAddr,
    ssrc: Option<u32>,
    srtp: bool,
) -> Result<(Delivery, TransportSpec), Refusal> {
    let mut reasons = Vec::new();
    for offer in offers {
        match accept(offer, policy, client, ssrc, srtp) {
            Ok(found) => return Ok(found),
            Err(why) => reasons.push(why),
        }
    }
    Err(Refusal(if reasons.is_empty() { "no Transport alternatives".to_owned() } else { reasons.join("; ") }))
}

fn accept(
    offer: &TransportSpec,
    policy: TransportPolicy,
    client: IpAddr,
    ssrc: Option<u32>,
    srtp: bool,
) -> Result<(Delivery, TransportSpec), String> {
    let name = format!("{}/{}", offer.protocol, offer.profile);
    let rtp = offer.protocol.eq_ignore_ascii_case("RTP");
    let savp = rtp && ["SAVP", "SAVPF"].iter().any(|p| offer.profile.eq_ignore_ascii_case(p));
    let avp = rtp && offer.profile.eq_ignore_ascii_case("AVP");
    if srtp && !savp {
        return Err(format!(
            "{name}: this stream is served as SRTP only (RTP/SAVP or RTP/SAVPF, keys in the SDP): its media \
             is never sent unencrypted"
        ));
    }
    if !srtp && !avp {
        return Err(format!(
            "{name}: only RTP/AVP is served (no SRTP on this stream: RTSPS protects media inside TLS)"
        ));
    }
    if offer.cast == Some(Cast::Multicast) {
        return Err(format!("{name}: multicast is not served"));
    }
    if offer.mode.iter().any(|m| !m.trim_matches('"').eq_ignore_ascii_case("PLAY")) {
        return Err(format!("{name}: only mode=PLAY is served"));
    }
    if offer.is_tcp() {
        // Channels the client asked for, else the first pair: one track per mount, so no clash is possible.
        let (rtp, rtcp) = match offer.interleaved {
            Some(ChannelRange { start, end }) => (start, end.unwrap_or(start.saturating_add(1))),
            None => (0, 1),
        };
        if rtp == rtcp {
            return Err(format!("{name}: interleaved RTP and RTCP channels are both {rtp}"));
        }
        let mut answer = TransportSpec::tcp_interleaved(rtp, rtcp);
        answer.profile = offer.profile.to_ascii_uppercase();
        answer.ssrc = ssrc.into_iter().collect();
        answer.mode = vec!["PLAY".to_owned()];
        return Ok((Delivery::Interleaved { rtp_channel: rtp, rtcp_channel: rtcp }, answer));
    }
    // SRTP protects the media itself, so it may leave the TLS connection; plain RTP may not.
    if policy.tls && !srtp {
        return Err(format!(
            "{name} over UDP: media would leave the TLS connection in clear; use RTP/AVP/TCP"
        ));
    }
    let Some((server_rtp, server_rtcp)) = policy.udp_server_ports else {
        return Err(format!("{name} over UDP: UDP is not enabled on this listener"));
    };
    let Some(PortRange { start, end }) = offer.client_port else {
        return Err(format!("{name} over UDP without client_port"));
    };
    if start == 0 {
        return Err(format!("{name}: client_port 0"));
    }
    let rtcp = end.unwrap_or(start.saturating_add(1));
    let mut answer = TransportSpec::udp_unicast(start, rtcp);
    answer.profile = offer.profile.to_ascii_uppercase();
    answer.server_port = Some(PortRange { start: server_rtp, end: Some(server_rtcp) });
    answer.ssrc = ssrc.into_iter().collect();
    answer.mode = vec!["PLAY".to_owned()];
    let delivery = Delivery::Udp { rtp: SocketAddr::new(client, start), rtcp: SocketAddr::new(client, rtcp) };
    Ok((delivery, answer))
}
