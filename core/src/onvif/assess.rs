//! What a client learned from one device's ONVIF services, and the findings of the `onvif` layer drawn from it:
//! the driver asks (core's [`client`](super::client) builds and reads the messages) and records; this judges.

use serde::{Deserialize, Serialize};

use super::client::DeviceInformation;
use crate::diagnose::ReportBuilder;
use crate::diagnose::codes;
use crate::{Finding, Layer, Report, Severity};

/// Beyond this difference between the device's clock and ours, UsernameToken fails (the usual window).
pub const AUTH_SKEW_SECS: i64 = 300;
/// A difference worth a warning even when requests still pass.
pub const NOTICE_SKEW_SECS: i64 = 60;

/// Everything asked of one device and what it answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceObservation {
    /// The device service URL (credentials never included).
    pub device_service: String,
    /// Why the device service gave no SOAP answer, when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
    /// The device's clock minus this machine's, in seconds, when it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset_secs: Option<i64>,
    /// `GetDeviceInformation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<DeviceInformation>,
    /// The fault that refused the credentials, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_authorized: Option<String>,
    /// The Media service URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<String>,
    /// The Media2 service URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media2: Option<String>,
    /// The profiles and the URIs each gave.
    pub profiles: Vec<ProfileObservation>,
}

/// One profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileObservation {
    /// Its token.
    pub token: String,
    /// Its name.
    pub name: String,
    /// `H264`, `H265`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// What Media2 `RtspsUnicast` gave.
    pub rtsps: UriAnswer,
    /// What plain RTSP gave (Media2 `RtspUnicast`, or Media1).
    pub rtsp: UriAnswer,
}

/// The answer to one `GetStreamUri`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "value")]
pub enum UriAnswer {
    /// Not asked (no Media2 for RTSPS).
    #[default]
    NotAsked,
    /// The URI.
    Uri(String),
    /// A fault or an error, in words.
    Refused(String),
}

impl UriAnswer {
    /// The URI, when one was given.
    pub fn uri(&self) -> Option<&str> {
        match self {
            UriAnswer::Uri(uri) => Some(uri),
            _ => None,
        }
    }
}

impl DeviceObservation {
    /// Every stream URI given, secure ones first, without duplicates.
    pub fn stream_uris(&self) -> Vec<&str> {
        let mut uris: Vec<&str> = Vec::new();
        let secure = self.profiles.iter().filter_map(|p| p.rtsps.uri());
        for uri in secure.chain(self.profiles.iter().filter_map(|p| p.rtsp.uri())) {
            if !uris.contains(&uri) {
                uris.push(uri);
            }
        }
        uris
    }
}

/// The host of a URL (`rtsps://user@[::1]:322/x` -> `::1`), lowercase.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => host_port.split(':').next()?,
    };
    Some(host.to_ascii_lowercase())
}

/// The findings of the `onvif` layer.
pub fn findings(obs: &DeviceObservation) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(why) = &obs.unreachable {
        out.push(
            Finding::new(
                codes::ONVIF_UNREACHABLE,
                format!("{} did not answer as an ONVIF device", obs.device_service),
            )
            .with_evidence("error", why.clone()),
        );
        return out;
    }
    if let Some(offset) = obs.clock_offset_secs.filter(|o| o.abs() > NOTICE_SKEW_SECS) {
        let severity = if offset.abs() > AUTH_SKEW_SECS { Severity::Error } else { Severity::Warning };
        out.push(
            Finding::new(
                codes::ONVIF_CLOCK_SKEW,
                format!("the device's clock is {offset} s off this machine's"),
            )
            .with_severity(severity)
            .with_evidence("clock_offset_secs", offset.to_string()),
        );
    }
    if let Some(fault) = &obs.not_authorized {
        out.push(
            Finding::new(codes::ONVIF_NOT_AUTHORIZED, "the device refused the credentials")
                .with_evidence("fault", fault.clone()),
        );
        return out;
    }
    if obs.profiles.is_empty() {
        out.push(Finding::new(codes::ONVIF_NO_PROFILES, "the device lists no media profile"));
        return out;
    }
    for p in &obs.profiles {
        if let Some(uri) = p.rtsps.uri()
            && !uri.to_ascii_lowercase().starts_with("rtsps://")
        {
            out.push(
                Finding::new(
                    codes::ONVIF_RTSPS_SCHEME_MISMATCH,
                    format!("profile {:?}: RtspsUnicast was answered with a plain URI", p.token),
                )
                .with_evidence("uri", crate::rtsp::url::redact_text(uri).into_owned()),
            );
        }
    }
    let secure = obs
        .profiles
        .iter()
        .any(|p| p.rtsps.uri().is_some_and(|u| u.to_ascii_lowercase().starts_with("rtsps://")));
    if !secure {
        let why = if obs.media2.is_none() {
            "the device has no Media2 service, the only way to ask for RTSPS".to_owned()
        } else {
            let refusal = obs.profiles.iter().find_map(|p| match &p.rtsps {
                UriAnswer::Refused(why) => Some(why.clone()),
                _ => None,
            });
            format!("Media2 gave no rtsps:// URI{}", refusal.map(|r| format!(" ({r})")).unwrap_or_default())
        };
        out.push(
            Finding::new(codes::ONVIF_NO_RTSPS_URI, "no profile offers an rtsps:// URI").with_detail(why),
        );
    }
    if let Some(device) = host_of(&obs.device_service) {
        for uri in obs.stream_uris() {
            if let Some(host) = host_of(uri).filter(|h| *h != device) {
                out.push(
                    Finding::new(
                        codes::ONVIF_URI_HOST_MISMATCH,
                        format!("a stream URI names {host}, the device was reached at {device}"),
                    )
                    .with_evidence("uri", crate::rtsp::url::redact_text(uri).into_owned()),
                );
                break;
            }
        }
    }
    out
}

/// The `onvif` layer alone, as a report about `target`.
pub fn report(obs: &DeviceObservation) -> Report {
    let mut builder = ReportBuilder::new(obs.device_service.clone(), &[Layer::Onvif]);
    builder.reached(Layer::Onvif);
    builder.extend(findings(obs));
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> DeviceObservation {
        DeviceObservation {
            device_service: "http://192.0.2.10/onvif/device_service".into(),
            clock_offset_secs: Some(3),
            media2: Some("http://192.0.2.10/onvif/media2_service".into()),
            profiles: vec![ProfileObservation {
                token: "p1".into(),
                name: "main".into(),
                encoding: Some("H264".into()),
                rtsps: UriAnswer::Uri("rtsps://192.0.2.10:322/main".into()),
                rtsp: UriAnswer::Uri("rtsp://192.0.2.10:554/main".into()),
            }],
            ..DeviceObservation::default()
        }
    }

    fn codes_of(obs: &DeviceObservation) -> Vec<&'static str> {
        findings(obs)
            .iter()
            .map(|f| f.code.as_str())
            .map(|c| codes::lookup(c).map_or("?", |i| i.code))
            .collect()
    }

    #[test]
    fn each_broken_link_of_the_onvif_layer_has_its_code() {
        assert!(codes_of(&healthy()).is_empty(), "{:?}", findings(&healthy()));
        assert_eq!(report(&healthy()).verdict, crate::Verdict::Healthy);
        let mut skewed = healthy();
        skewed.clock_offset_secs = Some(-900);
        let f = findings(&skewed);
        assert_eq!((f[0].code.as_str(), f[0].severity), ("onvif.clock_skew", Severity::Error));
        let mut refused = healthy();
        refused.not_authorized = Some("Sender/NotAuthorized".into());
        assert_eq!(codes_of(&refused), ["onvif.not_authorized"]);
        let mut plain = healthy();
        plain.profiles[0].rtsps = UriAnswer::Uri("rtsp://192.0.2.10/main".into());
        assert_eq!(codes_of(&plain), ["onvif.rtsps_scheme_mismatch", "onvif.no_rtsps_uri"]);
        let mut no_media2 = healthy();
        no_media2.media2 = None;
        no_media2.profiles[0].rtsps = UriAnswer::NotAsked;
        assert_eq!(codes_of(&no_media2), ["onvif.no_rtsps_uri"]);
        let mut nat = healthy();
        nat.profiles[0].rtsps = UriAnswer::Uri("rtsps://10.0.0.5:322/main".into());
        assert_eq!(codes_of(&nat), ["onvif.uri_host_mismatch"]);
        let mut empty = healthy();
        empty.profiles.clear();
        assert_eq!(codes_of(&empty), ["onvif.no_profiles"]);
        let down = DeviceObservation { unreachable: Some("connection refused".into()), ..healthy() };
        assert_eq!(codes_of(&down), ["onvif.unreachable"]);
        assert_eq!(report(&down).first_broken_layer, Some(Layer::Onvif));
    }

    #[test]
    fn hosts_are_read_from_urls() {
        assert_eq!(host_of("rtsps://u:p@[::1]:322/x").as_deref(), Some("::1"));
        assert_eq!(host_of("http://Cam.Example/onvif").as_deref(), Some("cam.example"));
        assert_eq!(host_of("nonsense"), None);
    }
}
