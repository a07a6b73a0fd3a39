//! ONVIF findings (`onvif.*`): the device service that hands out the stream's URI (`rtspeek discover`,
//! `rtspeek probe onvif://`).

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    ONVIF_CODES;
    /// The device service did not answer with SOAP (no connection, an HTTP error, or not ONVIF at all).
    ONVIF_UNREACHABLE = "onvif.unreachable", Onvif, Error, "ONVIF device service does not answer",
        fix: "Check the device address and port (ONVIF is often on port 80, 8000 or 8080 at /onvif/device_service) and that ONVIF is enabled in the camera's settings.";
    /// The device refused the credentials (a `NotAuthorized` fault). Cameras often keep ONVIF users apart from
    /// web users, and refuse every request when their clock is off (see `onvif.clock_skew`).
    ONVIF_NOT_AUTHORIZED = "onvif.not_authorized", Onvif, Error, "ONVIF credentials refused",
        fix: "Use an ONVIF user of the camera (often created separately from web users, in its ONVIF or integration settings), and set the camera's clock (NTP).";
    /// The device's clock differs from this machine's. WS-Security UsernameToken carries the client's time:
    /// beyond a few minutes of difference the device refuses every authenticated request.
    ONVIF_CLOCK_SKEW = "onvif.clock_skew", Onvif, Warning, "Device clock is off",
        fix: "Set the camera's clock from NTP (and this machine's); a camera whose clock drifts by more than a few minutes refuses ONVIF clients.";
    /// The device lists no media profile, so it names no stream.
    ONVIF_NO_PROFILES = "onvif.no_profiles", Onvif, Error, "No media profile",
        fix: "Create a media profile on the camera (its ONVIF or stream settings), or check that the ONVIF user may read them.";
    /// The device offers no rtsps:// URI for any profile: it has no Media2 service, or Media2 refuses
    /// `RtspsUnicast`. ONVIF clients will be given plain RTSP.
    ONVIF_NO_RTSPS_URI = "onvif.no_rtsps_uri", Onvif, Warning, "No RTSPS stream URI",
        fix: "Enable RTSPS on the camera (and ONVIF Media2, which is how clients ask for it); where the camera cannot, protect the network instead (VLAN) and keep the stream off untrusted links.";
    /// Asked for `RtspsUnicast`, the device answered with a URI that is not rtsps://: a client that asked for
    /// an encrypted stream would play a plain one.
    ONVIF_RTSPS_SCHEME_MISMATCH = "onvif.rtsps_scheme_mismatch", Onvif, Error, "RTSPS asked, plain URI given",
        fix: "Report it to the camera's vendor; meanwhile configure the rtsps:// URL in clients by hand (the camera's RTSPS port and path).";
    /// The stream URI names another host or address than the one the device was reached at: typical of a
    /// camera behind NAT or with a wrong address configured, and clients following the URI may not reach it.
    ONVIF_URI_HOST_MISMATCH = "onvif.uri_host_mismatch", Onvif, Warning, "Stream URI names another host",
        fix: "Check the camera's network settings (its own address, or the NAT address it should advertise); clients use the URI as given.";
}
