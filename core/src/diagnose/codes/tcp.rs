//! TCP findings (`tcp.*`): reaching the server at all, and finding which port speaks RTSPS or RTSP.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    TCP_CODES;
    /// The host name in the URL does not resolve to an address (no DNS answer, or no such name).
    TCP_DNS_FAILED = "tcp.dns_failed", Tcp, Error, "Host name does not resolve",
        fix: "Check the spelling of the host name, the DNS server this machine uses, or use the camera's IP address.";
    /// The host answered the connection attempt with a reset: nothing listens on that port (the service is
    /// off, or the port is another one), or a firewall rejects the connection actively.
    TCP_REFUSED = "tcp.refused", Tcp, Error, "Connection refused",
        fix: "Check the port (RTSPS is often 322, RTSP 554) and that RTSP/RTSPS is enabled on the camera; `rtspeek probe HOST` tries the usual ports.";
    /// No answer to the connection attempt before the timeout: the host is down or unreachable, or a firewall
    /// drops the packets silently.
    TCP_TIMEOUT = "tcp.timeout", Tcp, Error, "Connection timed out",
        fix: "Check that the camera is powered and on this network (ping it), and that no firewall between here and the camera drops the port.";
    /// The network or host is unreachable (no route, or an ICMP unreachable answer): the address is not on
    /// any network this machine can reach.
    TCP_UNREACHABLE = "tcp.unreachable", Tcp, Error, "Host unreachable",
        fix: "Check the IP address and this machine's routes (VLAN, VPN, gateway); the camera may be on a network this machine cannot reach.";
    /// The connection could not be made for another reason (the evidence gives the operating system's error).
    TCP_CONNECT_FAILED = "tcp.connect_failed", Tcp, Error, "Connection failed",
        fix: "Read the operating system's error in the evidence; check the address, the port and local firewall rules.";
    /// None of the ports tried answered TLS or RTSP (port discovery, `rtspeek probe HOST`). The evidence lists
    /// what each port did.
    TCP_NO_SERVICE = "tcp.no_service", Tcp, Error, "No RTSP or RTSPS port found",
        fix: "Enable RTSP or RTSPS on the camera and note its port (the camera's network or security settings), then probe `rtsps://HOST:PORT/path`; give other ports to try with `--ports`.";
}
