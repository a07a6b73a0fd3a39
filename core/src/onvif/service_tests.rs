//! The device's answers, read back by the client side (what `rtspeek discover` does against `rtspeek serve`).

use super::*;
use crate::onvif::client::{self, Request};
use crate::onvif::soap::{self, envelope};

fn model() -> DeviceModel {
    let profile = |name: &str, codec, rtsps: bool, rtsp: bool| ProfileModel {
        token: format!("p-{name}"),
        name: name.to_owned(),
        codec,
        width: 640,
        height: 360,
        fps: 25,
        rtsps_uri: rtsps.then(|| format!("rtsps://127.0.0.1:8322/{name}")),
        rtsp_uri: rtsp.then(|| format!("rtsp://127.0.0.1:8554/{name}")),
        media1: Some(if rtsps {
            format!("rtsps://127.0.0.1:8322/{name}")
        } else {
            format!("rtsp://127.0.0.1:8554/{name}")
        }),
    };
    DeviceModel {
        manufacturer: "rtspeek".into(),
        model: "serve & <test>".into(),
        firmware_version: "0.1.0".into(),
        serial_number: "1".into(),
        hardware_id: "x".into(),
        scopes: vec!["onvif://www.onvif.org/type/video_encoder".into()],
        device_xaddr: "http://127.0.0.1:8080/onvif/device_service".into(),
        media_xaddr: "http://127.0.0.1:8080/onvif/media_service".into(),
        media2_xaddr: "http://127.0.0.1:8080/onvif/media2_service".into(),
        profiles: vec![
            profile("cam1", Codec::H264, true, true),
            profile("strict", Codec::H265, true, false),
            profile("plain", Codec::H264, false, true),
        ],
    }
}

/// Sends `request` to `service` as a client would and returns the device's whole answer.
fn exchange(service: Service, request: Request<'_>) -> Vec<u8> {
    let xml = envelope(&client::NAMESPACES, "", &request.body());
    let env = soap::parse(xml.as_bytes()).expect("the client's request parses");
    let op = Operation::read(service, &env.body);
    match answer(&model(), service, &op, UnixTime(1_796_671_381)) {
        Ok(body) => envelope(&NAMESPACES, "", &body).into_bytes(),
        Err(fault) => fault.to_xml().into_bytes(),
    }
}

#[test]
fn device_answers_read_back() {
    let info =
        client::device_information(&exchange(Service::Device, Request::GetDeviceInformation)).expect("info");
    assert_eq!(info.model, "serve & <test>");
    assert_eq!(
        client::system_time(&exchange(Service::Device, Request::GetSystemDateAndTime)),
        Ok(1_796_671_381)
    );
    let services = client::services(&exchange(Service::Device, Request::GetServices)).expect("services");
    assert_eq!(services.media2.as_deref(), Some("http://127.0.0.1:8080/onvif/media2_service"));
    assert_eq!(services.secure_rtsp_streaming, Some(true));
    let media =
        client::capabilities_media(&exchange(Service::Device, Request::GetCapabilities)).expect("caps");
    assert_eq!(media.as_deref(), Some("http://127.0.0.1:8080/onvif/media_service"));
}

#[test]
fn profiles_and_stream_uris_follow_the_encryption_policy() {
    let media1 = client::profiles(&exchange(Service::Media, Request::GetProfiles), false).expect("profiles");
    assert_eq!(media1.len(), 3);
    assert_eq!((media1[0].encoding.as_deref(), media1[0].resolution), (Some("H264"), Some((640, 360))));
    assert_eq!(media1[1].encoding, None, "Media1 has no H.265 encoder configuration");
    let media2 = client::profiles(&exchange(Service::Media2, Request::GetProfiles2), true).expect("profiles");
    assert_eq!(media2[1].encoding.as_deref(), Some("H265"));

    let uri2 = |token, protocol| {
        client::stream_uri(&exchange(Service::Media2, Request::GetStreamUri2(token, protocol)), true)
    };
    assert_eq!(uri2("p-cam1", "RtspsUnicast").as_deref(), Ok("rtsps://127.0.0.1:8322/cam1"));
    assert_eq!(uri2("p-cam1", "RtspUnicast").as_deref(), Ok("rtsp://127.0.0.1:8554/cam1"));
    let refused = uri2("p-strict", "RtspUnicast").expect_err("strict refuses plain RTSP");
    assert!(
        matches!(&refused, client::AnswerError::Fault(f) if f.subcodes == ["InvalidArgVal", "InvalidStreamSetup"]),
        "{refused}"
    );
    assert!(uri2("p-plain", "RtspsUnicast").is_err());
    assert!(uri2("p-cam1", "RtspMulticast").is_err());
    let missing = uri2("nope", "RtspsUnicast").expect_err("no such profile");
    assert!(missing.to_string().contains("NoProfile"), "{missing}");

    let uri1 = |token| client::stream_uri(&exchange(Service::Media, Request::GetStreamUri(token)), false);
    assert_eq!(uri1("p-cam1").as_deref(), Ok("rtsps://127.0.0.1:8322/cam1"), "Media1 gets RTSPS by default");
    assert_eq!(uri1("p-plain").as_deref(), Ok("rtsp://127.0.0.1:8554/plain"));
}

#[test]
fn unknown_operations_fault_and_pre_auth_is_the_onvif_set() {
    let snapshot = envelope(
        &client::NAMESPACES,
        "",
        "<trt:GetSnapshotUri><trt:ProfileToken>p</trt:ProfileToken></trt:GetSnapshotUri>",
    );
    let op = Operation::read(Service::Media, &soap::parse(snapshot.as_bytes()).expect("env").body);
    let fault = answer(&model(), Service::Media, &op, UnixTime(0)).expect_err("no snapshots");
    assert_eq!(fault.subcodes, ["ActionNotSupported"]);
    // An operation of another service sent here is unsupported, not answered.
    let body =
        soap::parse(envelope(&client::NAMESPACES, "", "<trt:GetProfiles/>").as_bytes()).expect("env").body;
    assert!(matches!(Operation::read(Service::Device, &body), Operation::Unsupported { .. }));
    assert!(Operation::GetSystemDateAndTime.is_pre_auth() && !Operation::GetProfiles.is_pre_auth());
}
