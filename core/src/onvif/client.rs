//! The client side of ONVIF (what `rtspeek discover` and `rtspeek probe onvif://` ask a camera): requests, and
//! the answers read into plain values. Answers are matched by local names under their operation's element, so
//! that the many prefixes and schema versions cameras use all read the same.

use super::soap::{self, DEVICE, Fault, MEDIA, MEDIA2, SoapError};
use super::xml::{Element, escape};

/// A request body, with the prefix it uses (`tds`, `trt`, `tr2`, declared by [`NAMESPACES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    /// Device: the device's clock (asked first: UsernameToken needs it).
    GetSystemDateAndTime,
    /// Device.
    GetDeviceInformation,
    /// Device: the services and their addresses.
    GetServices,
    /// Device: the older way to find the media service.
    GetCapabilities,
    /// Media.
    GetProfiles,
    /// Media2.
    GetProfiles2,
    /// Media: RTP unicast over RTSP.
    GetStreamUri(&'a str),
    /// Media2 with a protocol (`RtspsUnicast`, `RtspUnicast`).
    GetStreamUri2(&'a str, &'a str),
}

/// The prefixes requests use, with [`super::wsse::NAMESPACES`] for their header.
pub const NAMESPACES: [(&str, &str); 4] =
    [("tds", DEVICE), ("trt", MEDIA), ("tr2", MEDIA2), ("tt", soap::ONVIF_SCHEMA)];

impl Request<'_> {
    /// The body element.
    pub fn body(&self) -> String {
        match self {
            Request::GetSystemDateAndTime => "<tds:GetSystemDateAndTime/>".into(),
            Request::GetDeviceInformation => "<tds:GetDeviceInformation/>".into(),
            Request::GetServices => {
                "<tds:GetServices><tds:IncludeCapability>true</tds:IncludeCapability></tds:GetServices>"
                    .into()
            }
            Request::GetCapabilities => {
                "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>".into()
            }
            Request::GetProfiles => "<trt:GetProfiles/>".into(),
            Request::GetProfiles2 => "<tr2:GetProfiles><tr2:Type>All</tr2:Type></tr2:GetProfiles>".into(),
            Request::GetStreamUri(token) => format!(
                "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP\
                 </tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>{}</trt:ProfileToken></trt:GetStreamUri>",
                escape(token)
            ),
            Request::GetStreamUri2(token, protocol) => format!(
                "<tr2:GetStreamUri><tr2:Protocol>{}</tr2:Protocol><tr2:ProfileToken>{}</tr2:ProfileToken></tr2:GetStreamUri>",
                escape(protocol),
                escape(token)
            ),
        }
    }

    /// The SOAP 1.2 action (sent in the Content-Type's `action` parameter).
    pub fn action(&self) -> String {
        let (ns, name) = match self {
            Request::GetSystemDateAndTime => (DEVICE, "GetSystemDateAndTime"),
            Request::GetDeviceInformation => (DEVICE, "GetDeviceInformation"),
            Request::GetServices => (DEVICE, "GetServices"),
            Request::GetCapabilities => (DEVICE, "GetCapabilities"),
            Request::GetProfiles => (MEDIA, "GetProfiles"),
            Request::GetProfiles2 => (MEDIA2, "GetProfiles"),
            Request::GetStreamUri(_) => (MEDIA, "GetStreamUri"),
            Request::GetStreamUri2(..) => (MEDIA2, "GetStreamUri"),
        };
        format!("{ns}/{name}")
    }
}

/// Why an answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Not a SOAP envelope.
    #[error(transparent)]
    Soap(#[from] SoapError),
    /// A SOAP fault.
    #[error("{0}")]
    Fault(Fault),
    /// An envelope, but not the answer expected (what was expected, what came).
    #[error("expected {expected}, got {got}")]
    Unexpected {
        /// The element expected.
        expected: &'static str,
        /// The element found.
        got: String,
    },
}

/// The body of an answer, checked to be `{ns}name` (a fault is an error of its own).
pub fn answer_body(bytes: &[u8], ns: &str, name: &'static str) -> Result<Element, AnswerError> {
    let envelope = soap::parse(bytes)?;
    if let Some(fault) = Fault::read(&envelope.body) {
        return Err(AnswerError::Fault(fault));
    }
    if !envelope.body.is(ns, name) {
        return Err(AnswerError::Unexpected { expected: name, got: envelope.body.name.clone() });
    }
    Ok(envelope.body)
}

/// `GetDeviceInformation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceInformation {
    /// Manufacturer.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Firmware version.
    pub firmware_version: String,
    /// Serial number.
    pub serial_number: String,
    /// Hardware id.
    pub hardware_id: String,
}

/// Reads `GetDeviceInformationResponse`.
pub fn device_information(bytes: &[u8]) -> Result<DeviceInformation, AnswerError> {
    let body = answer_body(bytes, DEVICE, "GetDeviceInformationResponse")?;
    let field = |name: &str| body.text_of(name).unwrap_or("").to_owned();
    Ok(DeviceInformation {
        manufacturer: field("Manufacturer"),
        model: field("Model"),
        firmware_version: field("FirmwareVersion"),
        serial_number: field("SerialNumber"),
        hardware_id: field("HardwareId"),
    })
}

/// The device's UTC clock from `GetSystemDateAndTimeResponse`, in seconds since the epoch.
pub fn system_time(bytes: &[u8]) -> Result<i64, AnswerError> {
    let body = answer_body(bytes, DEVICE, "GetSystemDateAndTimeResponse")?;
    let unexpected =
        || AnswerError::Unexpected { expected: "SystemDateAndTime/UTCDateTime", got: body.name.clone() };
    let utc = body.path(&["SystemDateAndTime", "UTCDateTime"]).ok_or_else(unexpected)?;
    let num = |path: &[&str]| utc.path(path).and_then(|e| e.text.trim().parse::<i64>().ok());
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) = (
        num(&["Date", "Year"]),
        num(&["Date", "Month"]),
        num(&["Date", "Day"]),
        num(&["Time", "Hour"]),
        num(&["Time", "Minute"]),
        num(&["Time", "Second"]),
    ) else {
        return Err(unexpected());
    };
    let month = u8::try_from(mo).ok().and_then(|m| time::Month::try_from(m).ok()).ok_or_else(unexpected)?;
    let date = i32::try_from(y)
        .ok()
        .zip(u8::try_from(d).ok())
        .and_then(|(y, d)| time::Date::from_calendar_date(y, month, d).ok())
        .ok_or_else(unexpected)?;
    let time = u8::try_from(h)
        .ok()
        .zip(u8::try_from(mi).ok())
        .zip(u8::try_from(s).ok())
        .and_then(|((h, mi), s)| time::Time::from_hms(h, mi, s).ok())
        .ok_or_else(unexpected)?;
    Ok(date.with_time(time).assume_utc().unix_timestamp())
}

/// The media services' addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MediaServices {
    /// Media (ver10).
    pub media: Option<String>,
    /// Media2 (ver20).
    pub media2: Option<String>,
    /// Whether Media2 announces RTSPS (`SecureRTSPStreaming`), when it says.
    pub secure_rtsp_streaming: Option<bool>,
}

/// Reads `GetServicesResponse`.
pub fn services(bytes: &[u8]) -> Result<MediaServices, AnswerError> {
    let body = answer_body(bytes, DEVICE, "GetServicesResponse")?;
    let mut found = MediaServices::default();
    for service in body.children_local("Service").take(64) {
        let xaddr = service.text_of("XAddr").map(str::to_owned);
        match service.text_of("Namespace") {
            Some(MEDIA) => found.media = xaddr,
            Some(MEDIA2) => {
                found.media2 = xaddr;
                found.secure_rtsp_streaming = service
                    .path(&["Capabilities", "Capabilities", "StreamingCapabilities"])
                    .and_then(|c| c.attr("SecureRTSPStreaming"))
                    .map(|v| v == "true" || v == "1");
            }
            _ => {}
        }
    }
    Ok(found)
}

/// The media service's address from `GetCapabilitiesResponse` (devices without `GetServices`).
pub fn capabilities_media(bytes: &[u8]) -> Result<Option<String>, AnswerError> {
    let body = answer_body(bytes, DEVICE, "GetCapabilitiesResponse")?;
    Ok(body.path(&["Capabilities", "Media", "XAddr"]).map(|x| x.text.trim().to_owned()))
}

/// One media profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// Its token.
    pub token: String,
    /// Its name.
    pub name: String,
    /// Video encoding (`H264`, `H265`), when announced.
    pub encoding: Option<String>,
    /// Width x height, when announced.
    pub resolution: Option<(u32, u32)>,
}

/// Reads `GetProfilesResponse` of Media (`media2 = false`) or Media2.
pub fn profiles(bytes: &[u8], media2: bool) -> Result<Vec<Profile>, AnswerError> {
    let (ns, encoder_path): (&str, &[&str]) = if media2 {
        (MEDIA2, &["Configurations", "VideoEncoder"])
    } else {
        (MEDIA, &["VideoEncoderConfiguration"])
    };
    let body = answer_body(bytes, ns, "GetProfilesResponse")?;
    Ok(body
        .children_local("Profiles")
        .take(64)
        .map(|p| {
            let encoder = p.path(encoder_path);
            let dim = |name: &str| {
                encoder.and_then(|e| e.path(&["Resolution", name])).and_then(|e| e.text.trim().parse().ok())
            };
            Profile {
                token: p.attr("token").unwrap_or("").to_owned(),
                name: p.text_of("Name").unwrap_or("").to_owned(),
                encoding: encoder.and_then(|e| e.text_of("Encoding")).map(str::to_owned),
                resolution: dim("Width").zip(dim("Height")),
            }
        })
        .collect())
}

/// Reads a `GetStreamUriResponse` of Media or Media2: the URI.
pub fn stream_uri(bytes: &[u8], media2: bool) -> Result<String, AnswerError> {
    let ns = if media2 { MEDIA2 } else { MEDIA };
    let body = answer_body(bytes, ns, "GetStreamUriResponse")?;
    let uri =
        if media2 { body.text_of("Uri") } else { body.path(&["MediaUri", "Uri"]).map(|u| u.text.trim()) };
    uri.map(str::to_owned).ok_or(AnswerError::Unexpected { expected: "Uri", got: body.name.clone() })
}
