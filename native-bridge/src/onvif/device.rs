//! One ONVIF device, diagnosed: its services asked in order (clock, information, services, profiles, each
//! profile's URIs: Media2 `RtspsUnicast` first), judged by core ([`assess`]), then a layered probe of each
//! secure stream (of the plain ones when that is all there is). Messages are core's; this module owns the HTTP
//! (one bounded request per connection, a deadline on each) and the clock.

use std::time::Duration;

use rtspeek_core::onvif::assess::{self, DeviceObservation, ProfileObservation, UriAnswer};
use rtspeek_core::onvif::client::{self, AnswerError, Request};
use rtspeek_core::onvif::{soap, wsse};
use rtspeek_core::rtsp::auth::Secret;
use rtspeek_core::{Layer, LayerStatus, Report};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::probe::{self, ProbeOptions};
use crate::serve::random_seed;
use crate::tls::{Connector, TlsOptions};

/// The largest answer read.
const MAX_ANSWER: usize = 1024 * 1024;
/// Profiles asked about, and streams probed, per device.
const MAX_PROFILES: usize = 16;
const MAX_PROBES: usize = 4;

/// Where a device is and who asks.
#[derive(Clone)]
pub struct OnvifTarget {
    /// The device service (`http://192.0.2.10/onvif/device_service`).
    pub device_service: url::Url,
    /// The ONVIF user.
    pub user: Option<String>,
    /// Its password.
    pub password: Option<Secret>,
    /// Bound on each request.
    pub timeout: Duration,
    /// Trust for `https://` services (the probe's `--ca`/`--insecure`).
    pub tls: std::sync::Arc<TlsOptions>,
}

impl OnvifTarget {
    /// The device service at `device_service`, asked with the credentials of `template` (a probe's options:
    /// `user`, then `password` or `fallback_password`), its HTTPS services trusted as the streams are (`ca`,
    /// `insecure`).
    pub fn new(
        device_service: url::Url,
        template: &ProbeOptions,
    ) -> Result<OnvifTarget, probe::ConfigureError> {
        let tls = std::sync::Arc::new(probe::tls_options(template)?);
        Ok(OnvifTarget::with_tls(device_service, template, tls))
    }

    /// [`new`](Self::new) with the trust already read (many devices, one `--ca`).
    pub fn with_tls(
        device_service: url::Url,
        template: &ProbeOptions,
        tls: std::sync::Arc<TlsOptions>,
    ) -> OnvifTarget {
        OnvifTarget {
            device_service,
            user: template.user.clone(),
            password: template.password.clone().or_else(|| template.fallback_password.clone()),
            timeout: template.step_timeout.max(Duration::from_secs(1)),
            tls,
        }
    }
}

impl std::fmt::Debug for OnvifTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnvifTarget")
            .field("device_service", &self.device_service.as_str())
            .finish_non_exhaustive()
    }
}

/// A device diagnosed: what ONVIF said, its `onvif` layer, and each probed stream.
#[derive(Debug, Serialize)]
pub struct DeviceDiagnosis {
    /// What was asked and answered.
    pub device: DeviceObservation,
    /// The `onvif` layer's report.
    pub onvif: Report,
    /// Each stream probed.
    pub streams: Vec<StreamDiagnosis>,
    /// The camera at a glance.
    pub summary: Summary,
}

/// One probed stream.
#[derive(Debug, Serialize)]
pub struct StreamDiagnosis {
    /// The profile that named it.
    pub profile: String,
    /// Its URI (credentials redacted).
    pub uri: String,
    /// The layered probe's report.
    pub report: Report,
}

/// The camera-level answers.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Whether any profile has an rtsps:// URI.
    pub rtsps_offered: bool,
    /// The RTSPS port, when offered.
    pub rtsps_port: Option<u16>,
    /// The certificate layer of the first secure stream probed (`pass`, `warn`, `fail`...).
    pub certificate: Option<LayerStatus>,
    /// Clients that play the first probed stream (`works`), play it with a caveat (`risky`), or fail.
    pub clients: Option<ClientCounts>,
    /// The first broken layer over ONVIF and the probed streams (ONVIF first).
    pub first_broken_layer: Option<Layer>,
}

/// Client verdict counts.
#[derive(Debug, Serialize)]
pub struct ClientCounts {
    /// Works.
    pub works: usize,
    /// Risky.
    pub risky: usize,
    /// Fails.
    pub fails: usize,
}

/// Asks the device, judges it, and probes its streams with `template` (its target replaced by each URI; the
/// ONVIF credentials are the streams' unless the template has its own).
pub async fn diagnose(
    target: &OnvifTarget,
    template: &ProbeOptions,
    now: impl Fn() -> rtspeek_core::UnixTime,
) -> DeviceDiagnosis {
    let device = query(target, &now).await;
    let onvif = assess::report(&device);
    let uris = device.stream_uris();
    let secure: Vec<&str> =
        uris.iter().copied().filter(|u| u.to_ascii_lowercase().starts_with("rtsps://")).collect();
    let chosen = if secure.is_empty() { uris.clone() } else { secure };
    let mut streams = Vec::new();
    // No progress lines: the device's report is printed whole at the end.
    let mut quiet = |_: &rtspeek_core::probe::ProbeEvent| {};
    for uri in chosen.into_iter().take(MAX_PROBES) {
        let profile = device
            .profiles
            .iter()
            .find(|p| p.rtsps.uri() == Some(uri) || p.rtsp.uri() == Some(uri))
            .map(|p| p.token.clone())
            .unwrap_or_default();
        let mut options = template.clone();
        options.target = uri.to_owned();
        if options.user.is_none() {
            options.user = target.user.clone();
            options.password = options.password.or_else(|| target.password.clone());
        }
        let report = match probe::configure(&options, now()) {
            Ok((config, tls)) => {
                match probe::run(config, &tls, &mut quiet, std::future::pending::<()>()).await {
                    Ok(report) => report,
                    Err(e) => {
                        tracing::warn!("probe of {uri}: {e}");
                        continue;
                    }
                }
            }
            Err(e) => {
                tracing::warn!("probe of {uri}: {e}");
                continue;
            }
        };
        streams.push(StreamDiagnosis {
            profile,
            uri: rtspeek_core::rtsp::url::redact_text(uri).into_owned(),
            report,
        });
    }
    let summary = summary(&device, &onvif, &streams);
    DeviceDiagnosis { device, onvif, streams, summary }
}

fn summary(device: &DeviceObservation, onvif: &Report, streams: &[StreamDiagnosis]) -> Summary {
    let rtsps = device
        .profiles
        .iter()
        .filter_map(|p| p.rtsps.uri())
        .find(|u| u.to_ascii_lowercase().starts_with("rtsps://"));
    let rtsps_port = rtsps.and_then(|u| url::Url::parse(u).ok()).map(|u| u.port().unwrap_or(322));
    let first = streams.first().map(|s| &s.report);
    let certificate = streams
        .iter()
        .find(|s| s.uri.to_ascii_lowercase().starts_with("rtsps://"))
        .and_then(|s| s.report.layer_status(Layer::Certificate));
    let clients = first.filter(|r| !r.clients.is_empty()).map(|r| {
        let count = |o| r.clients.iter().filter(|c| c.verdict == o).count();
        use rtspeek_core::clients::Outcome;
        ClientCounts {
            works: count(Outcome::Works),
            risky: count(Outcome::Risky),
            fails: count(Outcome::Fails),
        }
    });
    let first_broken_layer =
        onvif.first_broken_layer.or_else(|| streams.iter().find_map(|s| s.report.first_broken_layer));
    Summary { rtsps_offered: rtsps.is_some(), rtsps_port, certificate, clients, first_broken_layer }
}

/// Asks everything ONVIF says about the streams.
pub async fn query(target: &OnvifTarget, now: &impl Fn() -> rtspeek_core::UnixTime) -> DeviceObservation {
    let device_url = target.device_service.clone();
    let mut obs =
        DeviceObservation { device_service: device_url.as_str().to_owned(), ..DeviceObservation::default() };
    // The clock first: pre-auth, and UsernameToken is signed with the device's time so that a skewed camera
    // still answers (the skew is reported).
    match call(target, &device_url, &Request::GetSystemDateAndTime, 0).await {
        Ok(bytes) => match client::system_time(&bytes) {
            Ok(device_time) => obs.clock_offset_secs = Some(device_time - now().0),
            Err(e) => tracing::debug!("GetSystemDateAndTime: {e}"),
        },
        Err(CallError::Transport(e)) => {
            obs.unreachable = Some(e);
            return obs;
        }
        Err(e) => tracing::debug!("GetSystemDateAndTime: {e}"),
    }
    let offset = obs.clock_offset_secs.unwrap_or(0);
    let ask =
        |request: Request<'static>, url: url::Url| async move { call(target, &url, &request, offset).await };
    match ask(Request::GetDeviceInformation, device_url.clone())
        .await
        .and_then(|b| Ok(client::device_information(&b)?))
    {
        Ok(info) => obs.information = Some(info),
        Err(CallError::Answer(AnswerError::Fault(f))) if f.subcodes.iter().any(|s| s == "NotAuthorized") => {
            obs.not_authorized = Some(f.to_string());
            return obs;
        }
        Err(CallError::Transport(e)) => {
            obs.unreachable = Some(e);
            return obs;
        }
        Err(e) => tracing::debug!("GetDeviceInformation: {e}"),
    }
    match ask(Request::GetServices, device_url.clone()).await.and_then(|b| Ok(client::services(&b)?)) {
        Ok(services) => {
            obs.media = services.media;
            obs.media2 = services.media2;
        }
        Err(_) => {
            let caps = ask(Request::GetCapabilities, device_url.clone())
                .await
                .and_then(|b| Ok(client::capabilities_media(&b)?));
            obs.media = caps.ok().flatten();
        }
    }
    let media2 = obs.media2.as_deref().and_then(|u| resolve(&device_url, u));
    let media = obs.media.as_deref().and_then(|u| resolve(&device_url, u));
    let profiles = match (&media2, &media) {
        (Some(url), _) => call(target, url, &Request::GetProfiles2, offset)
            .await
            .and_then(|b| Ok(client::profiles(&b, true)?)),
        (None, Some(url)) => call(target, url, &Request::GetProfiles, offset)
            .await
            .and_then(|b| Ok(client::profiles(&b, false)?)),
        (None, None) => Ok(Vec::new()),
    };
    let profiles = match profiles {
        Ok(profiles) => profiles,
        Err(CallError::Answer(AnswerError::Fault(f))) if f.subcodes.iter().any(|s| s == "NotAuthorized") => {
            obs.not_authorized = Some(f.to_string());
            return obs;
        }
        Err(e) => {
            tracing::debug!("GetProfiles: {e}");
            Vec::new()
        }
    };
    for p in profiles.into_iter().take(MAX_PROFILES) {
        let answer = |r: Result<Vec<u8>, CallError>, media2: bool| match r
            .and_then(|b| Ok(client::stream_uri(&b, media2)?))
        {
            Ok(uri) => UriAnswer::Uri(uri),
            Err(e) => UriAnswer::Refused(e.to_string()),
        };
        let mut observed = ProfileObservation {
            token: p.token.clone(),
            name: p.name.clone(),
            encoding: p.encoding.clone(),
            ..Default::default()
        };
        if let Some(url) = &media2 {
            let secure = call(target, url, &Request::GetStreamUri2(&p.token, "RtspsUnicast"), offset).await;
            observed.rtsps = answer(secure, true);
            let plain = call(target, url, &Request::GetStreamUri2(&p.token, "RtspUnicast"), offset).await;
            observed.rtsp = answer(plain, true);
        } else if let Some(url) = &media {
            // Media1 cannot ask for RTSPS: what it gives is filed by its scheme.
            let given = answer(call(target, url, &Request::GetStreamUri(&p.token), offset).await, false);
            match given.uri() {
                Some(uri) if uri.to_ascii_lowercase().starts_with("rtsps://") => observed.rtsps = given,
                _ => observed.rtsp = given,
            }
        }
        obs.profiles.push(observed);
    }
    obs
}

/// A service address as given by the device, relative ones against the device service.
fn resolve(base: &url::Url, given: &str) -> Option<url::Url> {
    base.join(given).ok().filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// Why a request got no usable answer.
#[derive(Debug, thiserror::Error)]
enum CallError {
    /// No connection, no HTTP answer, or a timeout.
    #[error("{0}")]
    Transport(String),
    /// An HTTP answer that is not the SOAP answer expected (faults included).
    #[error(transparent)]
    Answer(#[from] AnswerError),
}

/// POSTs `request` (signed unless it is pre-auth) and returns the answer's body. SOAP faults come with HTTP
/// 400/500 and are read as answers.
async fn call(
    target: &OnvifTarget,
    url: &url::Url,
    request: &Request<'_>,
    clock_offset: i64,
) -> Result<Vec<u8>, CallError> {
    let header = match (&target.user, &target.password, matches!(request, Request::GetSystemDateAndTime)) {
        (Some(user), Some(password), false) => {
            let mut nonce = [0u8; 16];
            nonce.copy_from_slice(&random_seed()[..16]);
            let device_now = rtspeek_core::UnixTime(crate::serve::unix_now().0 + clock_offset);
            wsse::header(user, password.expose(), &nonce, device_now)
        }
        _ => String::new(),
    };
    let mut namespaces = client::NAMESPACES.to_vec();
    namespaces.extend(wsse::NAMESPACES);
    let body = soap::envelope(&namespaces, &header, &request.body());
    let action = request.action();
    let exchange = post(target, url, &action, body.as_bytes());
    match tokio::time::timeout(target.timeout, exchange).await {
        Ok(result) => result.map_err(CallError::Transport),
        Err(_) => Err(CallError::Transport(format!("{url}: no answer within {:?}", target.timeout))),
    }
}

async fn post(target: &OnvifTarget, url: &url::Url, action: &str, body: &[u8]) -> Result<Vec<u8>, String> {
    let host = url.host_str().ok_or_else(|| format!("{url}: no host"))?.to_owned();
    let port = url.port_or_known_default().ok_or_else(|| format!("{url}: no port"))?;
    let bare = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let tcp = TcpStream::connect((bare.as_str(), port)).await.map_err(|e| format!("{host}:{port}: {e}"))?;
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let authority = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/soap+xml; charset=utf-8; action=\"{action}\"\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if url.scheme() == "https" {
        let connector = Connector::new(&target.tls).map_err(|e| e.to_string())?;
        let (tls, _) = connector.connect(tcp, &bare).await;
        exchange(tls.map_err(|e| format!("{host}:{port}: {e}"))?, head.as_bytes(), body).await
    } else {
        exchange(tcp, head.as_bytes(), body).await
    }
}

/// Sends one request and reads the whole answer: `Content-Length`, chunked, or until the close, at most
/// [`MAX_ANSWER`] bytes. Any HTTP status is returned with its body: SOAP faults travel with 400 and 500.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    head: &[u8],
    body: &[u8],
) -> Result<Vec<u8>, String> {
    stream.write_all(head).await.map_err(|e| e.to_string())?;
    stream.write_all(body).await.map_err(|e| e.to_string())?;
    stream.flush().await.map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    (&mut stream)
        .take(MAX_ANSWER as u64 + 16 * 1024)
        .read_to_end(&mut raw)
        .await
        .map_err(|e| e.to_string())?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(&raw) {
        Ok(httparse::Status::Complete(len)) => len,
        _ => return Err("the answer is not HTTP".into()),
    };
    let status = response.code.unwrap_or(0);
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    let rest = raw.get(len..).unwrap_or_default();
    let body = if header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
        dechunk(rest)?
    } else {
        match header("content-length").and_then(|l| l.trim().parse::<usize>().ok()) {
            Some(n) => rest.get(..n).ok_or("the answer is shorter than its Content-Length")?.to_vec(),
            None => rest.to_vec(),
        }
    };
    if !(200..300).contains(&status) && !matches!(status, 400 | 500) {
        return Err(format!("HTTP {status}"));
    }
    Ok(body)
}

/// A chunked body, decoded.
fn dechunk(mut bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = bytes.windows(2).position(|w| w == b"\r\n").ok_or("a chunk without its size line")?;
        let size_text = String::from_utf8_lossy(bytes.get(..line_end).unwrap_or_default()).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("a chunk size that is not hex: {size_text:?}"))?;
        bytes = bytes.get(line_end + 2..).unwrap_or_default();
        if size == 0 {
            return Ok(out);
        }
        let chunk = bytes.get(..size).ok_or("a chunk shorter than its size")?;
        out.extend_from_slice(chunk);
        if out.len() > MAX_ANSWER {
            return Err(format!("an answer over {MAX_ANSWER} bytes"));
        }
        bytes = bytes.get(size + 2..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::dechunk;

    #[test]
    fn chunked_bodies_decode_and_bad_ones_are_errors() {
        assert_eq!(dechunk(b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n"), Ok(b"Wikipedia".to_vec()));
        assert!(dechunk(b"zz\r\nab").is_err());
        assert!(dechunk(b"10\r\nshort").is_err());
    }
}
