//! Transport findings (`transport.*`): how media travels once the stream is set up (TCP interleaved in the
//! RTSP connection, UDP), and whether it is protected.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    TRANSPORT_CODES;
    /// The description offers no media section rtspeek can set up (no `m=` line with a control URL and an
    /// RTP profile), so there is nothing to SETUP.
    TRANSPORT_NO_TRACKS = "transport.no_tracks", Transport, Error, "Nothing to set up",
        fix: "Check the stream path (a wrong path can return an empty or audio-less description) and the camera's stream settings.";
    /// The server refused RTP interleaved in the RTSP connection (461 Unsupported Transport to
    /// `RTP/AVP/TCP`). Over RTSPS that leaves no way to keep media inside TLS.
    TRANSPORT_TCP_REFUSED = "transport.tcp_refused", Transport, Warning, "TCP interleaved refused",
        fix: "Enable \"RTP over RTSP (TCP)\" in the camera's settings; for RTSPS it is the only way media stays inside TLS.";
    /// The server refused RTP over UDP (461 Unsupported Transport to `RTP/AVP;unicast`).
    TRANSPORT_UDP_REFUSED = "transport.udp_refused", Transport, Warning, "UDP refused",
        fix: "Use TCP interleaved (`--transport tcp`), or enable UDP unicast in the camera's settings.";
    /// The server accepted a UDP transport and started playing, but no RTP datagram arrived: a firewall or
    /// NAT between the camera and this machine drops UDP (or the camera sends to another address).
    TRANSPORT_UDP_BLOCKED = "transport.udp_blocked", Transport, Error, "UDP media blocked",
        fix: "Use RTP over TCP interleaved (`--transport tcp`, in players \"RTSP over TCP\"), or open the UDP ports in the evidence on the firewalls between the camera and the client.";
    /// The first transport tried failed and rtspeek fell back to the other one (the evidence says why).
    /// Clients that do not fall back fail where rtspeek succeeded.
    TRANSPORT_FALLBACK = "transport.fallback", Transport, Info, "Fell back to another transport",
        fix: "Configure clients with the transport that worked (the evidence names it), so they do not depend on a fallback.";
    /// The server chose other interleaved channels or client ports than the client asked for. RFC 2326
    /// allows it; clients that ignore the response's Transport header lose the media.
    TRANSPORT_CHANNEL_CHANGED = "transport.channel_changed", Transport, Info, "Server chose other channels or ports",
        fix: "Nothing to do for clients that read the SETUP response; if one shows no video, that is why.";
    /// The control connection is RTSPS but the media travels as cleartext RTP over UDP next to it: anyone on
    /// the path can watch the video although the URL says rtsps://.
    TRANSPORT_CLEARTEXT_MEDIA = "transport.cleartext_media", Transport, Warning, "Cleartext media next to RTSPS",
        fix: "Use TCP interleaved (`--transport tcp`) so RTP travels inside the TLS connection, or SRTP (RTP/SAVP) if both ends support it.";
    /// UDP datagrams came to the RTP/RTCP ports rtspeek opened from other addresses than the camera's. They
    /// were dropped: anyone on the network can send to those ports, so only the camera's packets count (a
    /// camera that sends from another address than the one connected to shows here too, with no media).
    TRANSPORT_FOREIGN_PACKETS = "transport.foreign_packets", Transport, Warning, "Datagrams from strangers",
        fix: "Find the senders in the evidence; if one is the camera's other interface, connect to that address. Prefer TCP interleaved (`--transport tcp`), which nobody else can inject into.";
    /// More UDP datagrams arrived than rtspeek reads: some were dropped at its bounded queue, so the loss
    /// figures include them. A stream far above its announced bitrate, or a flood.
    TRANSPORT_UDP_FLOOD = "transport.udp_flood", Transport, Warning, "UDP flood",
        fix: "Compare the bitrate with the camera's settings; if the datagrams come from elsewhere (see transport.foreign_packets), block them, or use TCP interleaved.";
    /// Plain rtsp://: requests, credentials exchanges and media all cross the network in clear.
    TRANSPORT_UNENCRYPTED = "transport.unencrypted", Transport, Info, "No encryption",
        fix: "Use rtsps:// where the camera supports it (`rtspeek probe HOST` finds its RTSPS port), or keep the camera on an isolated network.";
}
