//! The device side of ONVIF (what `rtspeek serve` answers): the device, media and media2 operations a client
//! needs to find a camera's streams, read from the request body and answered from a [`DeviceModel`].
//!
//! Which URI `GetStreamUri` hands out follows each stream's encryption policy: Media2 clients ask for a
//! protocol (`RtspsUnicast` gets the rtsps:// URI, `RTSP`/`RtspUnicast` the rtsp:// one, each only when the
//! policy serves it, else the fault `ter:InvalidStreamSetup`); Media1 clients cannot ask for RTSPS, so they get
//! the profile's [`media1`](ProfileModel::media1) choice: RTSPS whenever the policy serves it (RTSPS is the
//! default), plain RTSP only where RTSPS is not offered or the configuration asks for it.

use std::fmt::Write as _;

use super::soap::{DEVICE, Fault, MEDIA, MEDIA2, ONVIF_SCHEMA};
use super::xml::{Element, escape};
use crate::UnixTime;
use crate::codec::Codec;

/// Which service endpoint a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `/onvif/device_service`.
    Device,
    /// `/onvif/media_service` (Media, ver10).
    Media,
    /// `/onvif/media2_service` (Media2, ver20).
    Media2,
}

/// What the device says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceModel {
    /// `GetDeviceInformation`.
    pub manufacturer: String,
    /// `GetDeviceInformation`.
    pub model: String,
    /// `GetDeviceInformation`.
    pub firmware_version: String,
    /// `GetDeviceInformation`.
    pub serial_number: String,
    /// `GetDeviceInformation`.
    pub hardware_id: String,
    /// `onvif://www.onvif.org/...` scopes.
    pub scopes: Vec<String>,
    /// The services' addresses, as the client reached the device.
    pub device_xaddr: String,
    /// Media.
    pub media_xaddr: String,
    /// Media2.
    pub media2_xaddr: String,
    /// One profile per stream.
    pub profiles: Vec<ProfileModel>,
}

/// One stream as a media profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileModel {
    /// The profile token (stable: derived from the stream's path).
    pub token: String,
    /// The profile name (the stream's path).
    pub name: String,
    /// The video codec.
    pub codec: Codec,
    /// Picture size.
    pub width: u32,
    /// Picture size.
    pub height: u32,
    /// Frames per second.
    pub fps: u32,
    /// The rtsps:// URI, when the policy serves RTSPS.
    pub rtsps_uri: Option<String>,
    /// The rtsp:// URI, when the policy serves plain RTSP.
    pub rtsp_uri: Option<String>,
    /// What Media1's `GetStreamUri` hands out.
    pub media1: Option<String>,
}

/// The stream protocol a `GetStreamUri` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamProtocol {
    /// Media2 `RtspsUnicast`.
    Rtsps,
    /// Media2 `RTSP`, `RtspUnicast`; Media1 `RTSP`, `UDP`, `TCP` unicast.
    Rtsp,
    /// Anything else (multicast, RTSP over HTTP...): named as sent.
    Other(String),
}

/// An operation read from a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Device.
    GetDeviceInformation,
    /// Device.
    GetCapabilities,
    /// Device.
    GetServices {
        /// Whether each service's capabilities are asked for.
        include_capability: bool,
    },
    /// Device.
    GetSystemDateAndTime,
    /// Device.
    GetScopes,
    /// Media or Media2.
    GetProfiles,
    /// Media.
    GetVideoSources,
    /// Media.
    GetSnapshotUri,
    /// Media or Media2.
    GetStreamUri {
        /// The profile.
        profile: String,
        /// What was asked for.
        protocol: StreamProtocol,
    },
    /// Anything else: answered `ter:ActionNotSupported`.
    Unsupported {
        /// `{namespace}name`.
        name: String,
    },
}

impl Operation {
    /// Reads the operation of a request `body` sent to `service`.
    pub fn read(service: Service, body: &Element) -> Operation {
        let ns = match service {
            Service::Device => DEVICE,
            Service::Media => MEDIA,
            Service::Media2 => MEDIA2,
        };
        let unsupported = || Operation::Unsupported {
            name: format!("{{{}}}{}", body.ns.as_deref().unwrap_or(""), body.name),
        };
        if body.ns.as_deref() != Some(ns) {
            return unsupported();
        }
        match (service, body.name.as_str()) {
            (Service::Device, "GetDeviceInformation") => Operation::GetDeviceInformation,
            (Service::Device, "GetCapabilities") => Operation::GetCapabilities,
            (Service::Device, "GetServices") => Operation::GetServices {
                include_capability: body
                    .text_of("IncludeCapability")
                    .is_some_and(|t| t == "true" || t == "1"),
            },
            (Service::Device, "GetSystemDateAndTime") => Operation::GetSystemDateAndTime,
            (Service::Device, "GetScopes") => Operation::GetScopes,
            (Service::Media | Service::Media2, "GetProfiles") => Operation::GetProfiles,
            (Service::Media, "GetVideoSources") => Operation::GetVideoSources,
            (Service::Media, "GetSnapshotUri") => Operation::GetSnapshotUri,
            (Service::Media, "GetStreamUri") => {
                let protocol = body.path(&["StreamSetup", "Transport", "Protocol"]).map(|p| p.text.trim());
                let stream = body.path(&["StreamSetup", "Stream"]).map(|s| s.text.trim());
                let protocol = match (stream, protocol) {
                    (Some("RTP-Multicast"), _) => StreamProtocol::Other("RTP-Multicast".into()),
                    (_, Some("UDP" | "TCP" | "RTSP") | None) => StreamProtocol::Rtsp,
                    (_, Some(other)) => StreamProtocol::Other(other.to_owned()),
                };
                Operation::GetStreamUri {
                    profile: body.text_of("ProfileToken").unwrap_or("").to_owned(),
                    protocol,
                }
            }
            (Service::Media2, "GetStreamUri") => {
                let protocol = match body.text_of("Protocol").unwrap_or("") {
                    "RtspsUnicast" => StreamProtocol::Rtsps,
                    "RTSP" | "RtspUnicast" => StreamProtocol::Rtsp,
                    other => StreamProtocol::Other(other.to_owned()),
                };
                Operation::GetStreamUri {
                    profile: body.text_of("ProfileToken").unwrap_or("").to_owned(),
                    protocol,
                }
            }
            _ => unsupported(),
        }
    }

    /// Whether ONVIF lets it be asked without credentials (the "pre-auth" class: what a client needs to learn
    /// the device's clock and services before it can sign a request).
    pub fn is_pre_auth(&self) -> bool {
        matches!(
            self,
            Operation::GetSystemDateAndTime | Operation::GetCapabilities | Operation::GetServices { .. }
        )
    }
}

/// The prefixes answers use.
pub const NAMESPACES: [(&str, &str); 4] =
    [("tds", DEVICE), ("trt", MEDIA), ("tr2", MEDIA2), ("tt", ONVIF_SCHEMA)];

/// The body of the answer to `op` (its envelope uses [`NAMESPACES`]), or the fault.
pub fn answer(model: &DeviceModel, service: Service, op: &Operation, now: UnixTime) -> Result<String, Fault> {
    let x = |s: &str| escape(s).into_owned();
    Ok(match op {
        Operation::GetDeviceInformation => format!(
            "<tds:GetDeviceInformationResponse><tds:Manufacturer>{}</tds:Manufacturer><tds:Model>{}</tds:Model>\
             <tds:FirmwareVersion>{}</tds:FirmwareVersion><tds:SerialNumber>{}</tds:SerialNumber>\
             <tds:HardwareId>{}</tds:HardwareId></tds:GetDeviceInformationResponse>",
            x(&model.manufacturer),
            x(&model.model),
            x(&model.firmware_version),
            x(&model.serial_number),
            x(&model.hardware_id)
        ),
        Operation::GetSystemDateAndTime => system_date_and_time(now),
        Operation::GetCapabilities => format!(
            "<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>{}</tt:XAddr></tt:Device>\
             <tt:Media><tt:XAddr>{}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>\
             <tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities>\
             </tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>",
            x(&model.device_xaddr),
            x(&model.media_xaddr)
        ),
        Operation::GetServices { include_capability } => services(model, *include_capability),
        Operation::GetScopes => {
            let mut out = String::from("<tds:GetScopesResponse>");
            for scope in &model.scopes {
                let _ = write!(
                    out,
                    "<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>{}</tt:ScopeItem></tds:Scopes>",
                    x(scope)
                );
            }
            out + "</tds:GetScopesResponse>"
        }
        Operation::GetProfiles if service == Service::Media2 => media2_profiles(model),
        Operation::GetProfiles => media1_profiles(model),
        Operation::GetVideoSources => {
            let mut out = String::from("<trt:GetVideoSourcesResponse>");
            for p in &model.profiles {
                let _ = write!(
                    out,
                    r#"<trt:VideoSources token="vs-{}"><tt:Framerate>{}</tt:Framerate><tt:Resolution><tt:Width>{}</tt:Width><tt:Height>{}</tt:Height></tt:Resolution></trt:VideoSources>"#,
                    x(&p.token),
                    p.fps,
                    p.width,
                    p.height
                );
            }
            out + "</trt:GetVideoSourcesResponse>"
        }
        Operation::GetSnapshotUri => {
            return Err(Fault::receiver(&["ActionNotSupported"], "this device has no snapshots"));
        }
        Operation::GetStreamUri { profile, protocol } => {
            let p = model.profiles.iter().find(|p| &p.token == profile).ok_or_else(|| {
                Fault::sender(&["InvalidArgVal", "NoProfile"], format!("no profile {profile:?}"))
            })?;
            let uri = stream_uri(p, service, protocol)?;
            match service {
                Service::Media2 => format!(
                    "<tr2:GetStreamUriResponse><tr2:Uri>{}</tr2:Uri></tr2:GetStreamUriResponse>",
                    x(uri)
                ),
                _ => format!(
                    "<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>{}</tt:Uri>\
                     <tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false\
                     </tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>",
                    x(uri)
                ),
            }
        }
        Operation::Unsupported { name } => {
            return Err(Fault::receiver(&["ActionNotSupported"], format!("{name} is not supported")));
        }
    })
}

/// The URI for `protocol` under the profile's policy.
fn stream_uri<'a>(
    p: &'a ProfileModel,
    service: Service,
    protocol: &StreamProtocol,
) -> Result<&'a str, Fault> {
    let setup = |why: String| Fault::sender(&["InvalidArgVal", "InvalidStreamSetup"], why);
    match (service, protocol) {
        (Service::Media2, StreamProtocol::Rtsps) => p.rtsps_uri.as_deref().ok_or_else(|| {
            setup(format!("profile {:?} is served over plain RTSP only (encryption \"no\")", p.token))
        }),
        (Service::Media2, StreamProtocol::Rtsp) => p.rtsp_uri.as_deref().ok_or_else(|| {
            setup(format!("profile {:?} is served over RTSPS only: ask for RtspsUnicast", p.token))
        }),
        (_, StreamProtocol::Other(what)) => Err(setup(format!("{what:?} is not offered: RTSP unicast only"))),
        _ => p.media1.as_deref().ok_or_else(|| setup(format!("profile {:?} has no URI for Media1", p.token))),
    }
}

fn system_date_and_time(now: UnixTime) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(now.0).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>\
         <tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime>\
         <tt:Date><tt:Year>{}</tt:Year><tt:Month>{}</tt:Month><tt:Day>{}</tt:Day></tt:Date><tt:Time><tt:Hour>{}</tt:Hour>\
         <tt:Minute>{}</tt:Minute><tt:Second>{}</tt:Second></tt:Time></tt:UTCDateTime></tds:SystemDateAndTime>\
         </tds:GetSystemDateAndTimeResponse>",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn services(model: &DeviceModel, include_capability: bool) -> String {
    let secure = model.profiles.iter().any(|p| p.rtsps_uri.is_some());
    let entries = [
        (DEVICE, &model.device_xaddr, String::new()),
        (
            MEDIA,
            &model.media_xaddr,
            r#"<trt:Capabilities SnapshotUri="false" Rotation="false"><trt:StreamingCapabilities RTPMulticast="false" RTP_TCP="true" RTP_RTSP_TCP="true"/></trt:Capabilities>"#.to_owned(),
        ),
        (
            MEDIA2,
            &model.media2_xaddr,
            format!(
                r#"<tr2:Capabilities SnapshotUri="false" Rotation="false"><tr2:ProfileCapabilities MaximumNumberOfProfiles="{}"/><tr2:StreamingCapabilities RTSPStreaming="true" RTPMulticast="false" RTP_RTSP_TCP="true" SecureRTSPStreaming="{secure}"/></tr2:Capabilities>"#,
                model.profiles.len()
            ),
        ),
    ];
    let mut out = String::from("<tds:GetServicesResponse>");
    for (ns, xaddr, capabilities) in entries {
        let _ = write!(
            out,
            "<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{}</tds:XAddr>",
            escape(xaddr)
        );
        if include_capability {
            let _ = write!(out, "<tds:Capabilities>{capabilities}</tds:Capabilities>");
        }
        out.push_str(
            "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>",
        );
    }
    out + "</tds:GetServicesResponse>"
}

fn media1_profiles(model: &DeviceModel) -> String {
    let mut out = String::from("<trt:GetProfilesResponse>");
    for p in &model.profiles {
        let t = escape(&p.token);
        let _ = write!(
            out,
            r#"<trt:Profiles token="{t}" fixed="true"><tt:Name>{}</tt:Name><tt:VideoSourceConfiguration token="vsc-{t}"><tt:Name>{}</tt:Name><tt:UseCount>1</tt:UseCount><tt:SourceToken>vs-{t}</tt:SourceToken><tt:Bounds x="0" y="0" width="{}" height="{}"/></tt:VideoSourceConfiguration>"#,
            escape(&p.name),
            escape(&p.name),
            p.width,
            p.height
        );
        // Media1 encoders know JPEG, MPEG4 and H264 only: an H.265 profile has no encoder configuration here.
        if p.codec == Codec::H264 {
            let _ = write!(
                out,
                r#"<tt:VideoEncoderConfiguration token="vec-{t}"><tt:Name>{}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>{}</tt:Width><tt:Height>{}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>{}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>0</tt:BitrateLimit></tt:RateControl><tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port><tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast><tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>"#,
                escape(&p.name),
                p.width,
                p.height,
                p.fps
            );
        }
        out.push_str("</trt:Profiles>");
    }
    out + "</trt:GetProfilesResponse>"
}

fn media2_profiles(model: &DeviceModel) -> String {
    let mut out = String::from("<tr2:GetProfilesResponse>");
    for p in &model.profiles {
        let t = escape(&p.token);
        let encoding = match p.codec {
            Codec::H264 => "H264",
            Codec::H265 => "H265",
        };
        let _ = write!(
            out,
            r#"<tr2:Profiles token="{t}" fixed="true"><tr2:Name>{}</tr2:Name><tr2:Configurations><tr2:VideoSource token="vsc-{t}"><tt:Name>{}</tt:Name><tt:UseCount>1</tt:UseCount><tt:SourceToken>vs-{t}</tt:SourceToken><tt:Bounds x="0" y="0" width="{}" height="{}"/></tr2:VideoSource><tr2:VideoEncoder token="vec-{t}"><tt:Name>{}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>{encoding}</tt:Encoding><tt:Resolution><tt:Width>{}</tt:Width><tt:Height>{}</tt:Height></tt:Resolution><tt:RateControl><tt:FrameRateLimit>{}</tt:FrameRateLimit><tt:BitrateLimit>0</tt:BitrateLimit></tt:RateControl><tt:Quality>5</tt:Quality></tr2:VideoEncoder></tr2:Configurations></tr2:Profiles>"#,
            escape(&p.name),
            escape(&p.name),
            p.width,
            p.height,
            escape(&p.name),
            p.width,
            p.height,
            p.fps
        );
    }
    out + "</tr2:GetProfilesResponse>"
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
