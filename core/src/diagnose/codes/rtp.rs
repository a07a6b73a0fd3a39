//! Media findings (`rtp.*`, `rtcp.*`): loss, reorder, jitter, SSRC changes, RTCP reports.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    RTP_CODES;
    /// No RTP packet arrived during the observation window although the stream was set up and played: the
    /// media is blocked between the camera and the client, or the camera sends nothing. The evidence says
    /// whether RTCP still arrived (the sender is alive but sends no media).
    RTP_NO_PACKETS = "rtp.no_packets", Rtp, Error, "No RTP packets",
        fix: "Over UDP, a firewall or NAT most likely drops the media: try RTP over TCP (interleaved), or open the client ports named in the SETUP Transport header. Otherwise check that PLAY succeeded and that the camera's stream is enabled.";
    /// RTP packets could not be parsed (wrong version, truncated header, CSRC list or header extension,
    /// impossible padding). The evidence gives the first error and its byte offset in the packet.
    RTP_MALFORMED = "rtp.malformed", Rtp, Warning, "Malformed RTP packets",
        fix: "Capture the stream (Wireshark: Decode As RTP) and look at the named byte offset; report the firmware defect to the vendor. With interleaved transport, a broken `$` framing shows up the same way.";
    /// Packets are missing from the sequence numbers (RFC 3550 A.3: expected minus received). The severity
    /// follows the loss rate; the evidence gives the counts and the percentage per SSRC.
    RTP_LOSS = "rtp.loss", Rtp, Warning, "Packet loss",
        fix: "Over UDP, loss is the network dropping datagrams: try RTP over TCP (interleaved, or inside RTSPS), lower the camera's bitrate, check Wi-Fi and switch ports for errors, and enlarge the client's socket receive buffer.";
    /// Packets arrived after packets with higher sequence numbers. A jitter buffer puts them back in order, so a
    /// little is harmless; much of it points to multipath links or a load-balanced tunnel.
    RTP_REORDER = "rtp.reorder", Rtp, Info, "Packets out of order",
        fix: "Give the client a jitter buffer deep enough for the reordering; if it is frequent, look for multipath routing or a load-balanced VPN on the path.";
    /// The same packet arrived more than once: the network duplicates it (port mirroring, some Wi-Fi links) or
    /// the server sends the stream to the client twice.
    RTP_DUPLICATE = "rtp.duplicate", Rtp, Info, "Duplicate packets",
        fix: "Look for port mirroring or bridging loops on the path, and for two sessions or two PLAY requests delivering the same stream to one client.";
    /// The interarrival jitter (RFC 3550 A.8, computed on the first packet of each frame so that large frames
    /// do not count) is high: packets arrive irregularly, which costs latency or causes stutter.
    RTP_JITTER = "rtp.jitter", Rtp, Warning, "High interarrival jitter",
        fix: "Enlarge the client's jitter buffer; find the congested link (Wi-Fi, an uplink saturated by the camera); switch the camera to constant bitrate or a lower bitrate.";
    /// No RTP packet arrived for a long time in the middle of the stream (or the stream went silent and has not
    /// come back): viewers see a freeze.
    RTP_GAP = "rtp.gap", Rtp, Warning, "Silence in the stream",
        fix: "Compare the time of the gap with the camera's log (encoder restart, reconfiguration) and the network (Wi-Fi roaming, link flaps); a stalled encoder needs a firmware update or a reboot.";
    /// Packets from a new SSRC replaced the previous one on the same stream: the camera restarted its encoder or
    /// stream. Sequence numbers and timestamps start over, and players that do not expect it freeze.
    RTP_SSRC_CHANGE = "rtp.ssrc_change", Rtp, Warning, "SSRC changed mid-stream",
        fix: "Find why the stream restarted (configuration change, encoder crash, failover); use a player that resynchronises on a new SSRC, or reconnect on change.";
    /// No RTCP sender report arrived during the window. Without them a client cannot map RTP timestamps to
    /// wallclock time, so it cannot synchronise audio with video or timestamp recordings.
    RTCP_ABSENT = "rtcp.absent", Rtcp, Warning, "No RTCP sender reports",
        fix: "Enable RTCP on the camera. Over UDP, open the RTCP port (the RTP port + 1) on firewalls and NAT; interleaved, check that SETUP asked for an RTCP channel (`interleaved=0-1`).";
    /// An RTCP packet could not be parsed or broke the compound packet rules (RFC 3550 A.2: first packet SR or
    /// RR, padding only on the last). Strict clients drop the whole compound packet, and its sender report.
    RTCP_MALFORMED = "rtcp.malformed", Rtcp, Warning, "Malformed RTCP packets",
        fix: "Capture the RTCP packets and look at the named byte offset; report the firmware defect to the vendor.";
}
