//! `rtspeek probe onvif://[user@]host[:port][/path]`: one ONVIF device diagnosed (its services, the URIs it
//! hands out, RTSPS first) and each secure stream probed layer by layer; also the printing `rtspeek discover`
//! shares.

use rtspeek_bridge::onvif::device::{self, DeviceDiagnosis, OnvifTarget};
use rtspeek_bridge::probe::ProbeOptions;
use rtspeek_core::Verdict;
use rtspeek_core::onvif::assess::UriAnswer;
use rtspeek_core::rtsp::auth::Secret;

use crate::cert_cmd::now;
use crate::cli_error::CliError;
use crate::probe_cmd::ProbeArgs;
use crate::render::{self, Paint};

/// The device service's default path.
const DEVICE_SERVICE: &str = "/onvif/device_service";

pub(crate) fn probe_device(args: &ProbeArgs) -> Result<u8, CliError> {
    let template = crate::probe_cmd::options(args)?;
    let target = target_of(&args.target, &template)?;
    let runtime = crate::multi_thread_runtime()?;
    let diagnosis = runtime.block_on(device::diagnose(&target, &without_user(&template), now));
    print(std::slice::from_ref(&diagnosis), args.json, args.color.enabled())?;
    Ok(exit_code(std::slice::from_ref(&diagnosis)))
}

/// The probe template for the streams: credentials come from the ONVIF target unless given with `--user`.
pub(crate) fn without_user(template: &ProbeOptions) -> ProbeOptions {
    let mut t = template.clone();
    if t.user.is_none() {
        t.password = None;
    }
    t
}

/// `onvif://[user[:password]@]host[:port][/path]` as a device service and its credentials (`--user` and
/// `--password` override the URL's, `RTSPEEK_PASSWORD` is read when neither gives a password).
fn target_of(text: &str, options: &ProbeOptions) -> Result<OnvifTarget, CliError> {
    let url = url::Url::parse(text).map_err(|e| CliError::Input(format!("the ONVIF URL: {e}")))?;
    let host = url.host_str().ok_or_else(|| CliError::Input("the ONVIF URL has no host".into()))?;
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = if url.path().is_empty() || url.path() == "/" { DEVICE_SERVICE } else { url.path() };
    let device_service = url::Url::parse(&format!("http://{host}{port}{path}"))
        .map_err(|e| CliError::Input(format!("the ONVIF URL: {e}")))?;
    // Credentials of the URL (percent-encoded there) where the options give none.
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let mut options = options.clone();
    if options.user.is_none() && !url.username().is_empty() {
        options.user = Some(decode(url.username()));
    }
    if options.password.is_none() {
        options.password = url.password().map(|p| Secret::new(decode(p)));
    }
    Ok(OnvifTarget::new(device_service, &options)?)
}

/// The worst verdict over the devices (ONVIF layers and streams), as the exit status.
pub(crate) fn exit_code(devices: &[DeviceDiagnosis]) -> u8 {
    let verdicts = devices
        .iter()
        .flat_map(|d| std::iter::once(d.onvif.verdict).chain(d.streams.iter().map(|s| s.report.verdict)));
    verdicts.map(|v: Verdict| v.exit_code() as u8).max().unwrap_or(0)
}

/// Prints the devices as JSON (`{"devices": [...]}`) or text.
pub(crate) fn print(devices: &[DeviceDiagnosis], json: bool, color: bool) -> Result<(), CliError> {
    if json {
        let doc = serde_json::json!({ "devices": devices });
        let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Runtime(e.to_string()))?;
        render::print_stdout(&format!("{text}\n"));
        return Ok(());
    }
    let p = Paint(color);
    let mut out = String::new();
    for d in devices {
        out.push_str(&format!("{}\n", p.bold(&format!("ONVIF device {}", d.device.device_service))));
        if let Some(info) = &d.device.information {
            out.push_str(&format!(
                "  {} {} (firmware {})\n",
                info.manufacturer, info.model, info.firmware_version
            ));
        }
        if let Some(offset) = d.device.clock_offset_secs {
            out.push_str(&format!("  clock offset {offset} s\n"));
        }
        out.push_str(&format!(
            "  Media2 {}\n",
            if d.device.media2.is_some() { "yes (RTSPS can be asked for)" } else { "no" }
        ));
        for profile in &d.device.profiles {
            let show = |a: &UriAnswer| match a {
                UriAnswer::Uri(u) => rtspeek_core::rtsp::url::redact_text(u).into_owned(),
                UriAnswer::Refused(why) => format!("refused ({why})"),
                UriAnswer::NotAsked => "not asked".into(),
            };
            out.push_str(&format!(
                "  profile {} ({}{}): RTSPS {} | RTSP {}\n",
                profile.token,
                profile.name,
                profile.encoding.as_deref().map(|e| format!(", {e}")).unwrap_or_default(),
                show(&profile.rtsps),
                show(&profile.rtsp)
            ));
        }
        out.push_str(&render::report_text(&d.onvif, color));
        for stream in &d.streams {
            out.push_str(&format!(
                "\n{}\n",
                p.bold(&format!("== stream {} (profile {})", stream.uri, stream.profile))
            ));
            out.push_str(&render::report_text(&stream.report, color));
        }
        let s = &d.summary;
        let rtsps = match (s.rtsps_offered, s.rtsps_port) {
            (true, Some(port)) => format!("RTSPS offered (port {port})"),
            (true, None) => "RTSPS offered".into(),
            (false, _) => "no RTSPS".into(),
        };
        // The JSON name of the status (`pass`, `warn`, `fail`, `not_reached`).
        let status =
            |c| serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let certificate = s.certificate.map(|c| format!("; certificate {}", status(c))).unwrap_or_default();
        let clients = s
            .clients
            .as_ref()
            .map(|c| format!("; clients works {} risky {} fails {}", c.works, c.risky, c.fails))
            .unwrap_or_default();
        let broken = s.first_broken_layer.map_or_else(|| "none".into(), |l| l.to_string());
        out.push_str(&format!("\nSummary: {rtsps}{certificate}{clients}; first broken link: {broken}\n\n"));
    }
    render::print_stdout(&out);
    Ok(())
}
