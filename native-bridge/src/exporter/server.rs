//! The exporter's HTTP side: one bounded request head per connection, `/probe`, `/metrics` and an index, one
//! response, then the connection closes (the crate's [`crate::http`] reader and writer).
//!
//! Bounds: request heads (8 KiB, 5 s), open connections (four per probe place, at least 16: more are closed at
//! accept), probes at once (`max_concurrent`). A probe over the limit waits for a place until its scrape's
//! deadline and then gets 503: Prometheus starts a job's scrapes spread over the interval but in bursts after a
//! restart or a reload, and a short wait absorbs a burst that a quick 503 would turn into a missed sample; the
//! wait never outlives the scrape, so nothing queues beyond what Prometheus still waits for.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtspeek_core::probe::ProbeEvent;
use rtspeek_core::{Report, UnixTime};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;

use super::metrics::{probe_families, success};
use super::text::{Family, Format, Kind, render};
use super::{DEFAULT_MODULE, ExporterConfig, ExporterOptions};
use crate::http::{self, HeadError, Header, Request, Response};
use crate::probe;

/// The largest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// How long a client may take to send its head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// How long writing the response may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// After the scrape's deadline the probe is told to stop and report; this long more for it to tear down before
/// the exporter answers without its report.
const TEARDOWN_GRACE: Duration = Duration::from_millis(300);
/// The longest probe, whatever a scraper announces.
const MAX_BUDGET: Duration = Duration::from_secs(300);

/// What every connection shares.
pub(crate) struct Shared {
    config: ExporterConfig,
    base: std::path::PathBuf,
    max_concurrent: usize,
    timeout_offset: Duration,
    default_timeout: Duration,
    debug_text: fn(&Report) -> String,
    probes: Arc<Semaphore>,
    connections: Arc<Semaphore>,
    in_flight: AtomicUsize,
    stats: Mutex<Stats>,
}

/// The exporter's own counters.
#[derive(Default)]
struct Stats {
    /// Per module and result: probes and their total seconds.
    probes: BTreeMap<(String, &'static str), (u64, f64)>,
    /// Requests refused, per reason.
    refused: BTreeMap<&'static str, u64>,
}

impl Shared {
    pub(crate) fn new(options: ExporterOptions) -> Shared {
        let max_concurrent = options.max_concurrent.max(1);
        Shared {
            config: options.config,
            base: options.base,
            max_concurrent,
            timeout_offset: options.timeout_offset,
            default_timeout: options.default_timeout.min(MAX_BUDGET),
            debug_text: options.debug_text,
            probes: Arc::new(Semaphore::new(max_concurrent)),
            connections: Arc::new(Semaphore::new((max_concurrent * 4).max(16))),
            in_flight: AtomicUsize::new(0),
            stats: Mutex::new(Stats::default()),
        }
    }

    fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn refused(&self, reason: &'static str, response: Response) -> Response {
        *self.stats().refused.entry(reason).or_default() += 1;
        response
    }
}

/// Accepts connections until `stop`.
pub(crate) async fn serve(listener: TcpListener, stop: watch::Receiver<bool>, shared: Arc<Shared>) {
    http::accept_loop(listener, stop, move |stream, _peer| {
        // Over the bound: closed at once, before any work.
        let place = Arc::clone(&shared.connections).try_acquire_owned().ok()?;
        Some(connection(stream, Arc::clone(&shared), place))
    })
    .await;
}

async fn connection(mut stream: TcpStream, shared: Arc<Shared>, _place: OwnedSemaphorePermit) {
    let head = tokio::time::timeout(HEAD_TIMEOUT, http::read_head(&mut stream, MAX_HEAD)).await;
    let response = match head {
        Ok(Ok(request)) => handle(&request, &shared).await,
        Ok(Err(HeadError::TooLarge)) => Response::text(431, "the request head is too large"),
        Ok(Err(HeadError::Malformed)) => Response::text(400, "not an HTTP/1.x request head"),
        Ok(Err(HeadError::Closed)) | Err(_) => return,
    };
    http::respond(&mut stream, &response, WRITE_TIMEOUT).await;
}

async fn handle(request: &Request, shared: &Shared) -> Response {
    let head_only = request.method == "HEAD";
    if request.method != "GET" && !head_only {
        return Response::text(405, "use GET").header("Allow", "GET, HEAD");
    }
    let accept = match request.header("accept") {
        Header::One(accept) => Some(accept),
        _ => None,
    };
    let format = Format::negotiate(accept);
    let response = match request.path.as_str() {
        "/" => index(shared),
        "/metrics" => {
            Response::new(200, format.content_type(), render(&own_metrics(shared), format).into_bytes())
        }
        "/probe" => probe_request(request, shared, format).await,
        _ => Response::text(404, "try /probe?target=URL&module=NAME or /metrics"),
    };
    let response = response.header("Cache-Control", "no-store");
    if head_only { response.head_only() } else { response }
}

fn index(shared: &Shared) -> Response {
    let modules: Vec<&str> = shared.config.modules.keys().map(String::as_str).collect();
    let body = format!(
        "rtspeek exporter {}\n\n/probe?target=rtsps://HOST[:PORT]/PATH&module=NAME  one probe, its metrics\n\
         /probe?...&debug=true                                the probe's report and its metrics, as text\n\
         /metrics                                             the exporter's own metrics\n\nmodules: {}\n",
        env!("CARGO_PKG_VERSION"),
        modules.join(", ")
    );
    Response::new(200, "text/plain; charset=utf-8", body.into_bytes())
}

/// The query's parameters, decoded (`%XX`, `+`); a parameter given twice is refused rather than guessed.
fn params(query: Option<&str>) -> Result<BTreeMap<String, String>, String> {
    let mut params = BTreeMap::new();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if params.insert(key.clone().into_owned(), value.into_owned()).is_some() {
            return Err(format!("the parameter {key} is given more than once"));
        }
    }
    Ok(params)
}

/// Whether a target carries user information (`rtsps://user:pw@host/`, `user@host`): credentials come from
/// the module only, never from a URL that ends up in Prometheus' labels and logs.
fn has_userinfo(target: &str) -> bool {
    let rest = target.split_once("://").map_or(target, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.contains('@')
}

/// The probe's bound: the scrape timeout Prometheus announces minus the offset (half of it when the timeout is
/// shorter than twice the offset), or the default without one; never more than [`MAX_BUDGET`].
fn budget(header: Header<'_>, shared: &Shared) -> Result<Duration, String> {
    let announced = match header {
        Header::Missing => return Ok(shared.default_timeout),
        Header::Ambiguous => return Err("X-Prometheus-Scrape-Timeout-Seconds is given twice".to_owned()),
        Header::One(text) => {
            text.parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0).ok_or_else(|| {
                format!("X-Prometheus-Scrape-Timeout-Seconds: {text:?} is not a positive number of seconds")
            })?
        }
    };
    let announced = Duration::from_secs_f64(announced.min(MAX_BUDGET.as_secs_f64()));
    Ok(if announced > shared.timeout_offset * 2 { announced - shared.timeout_offset } else { announced / 2 })
}

async fn probe_request(request: &Request, shared: &Shared, format: Format) -> Response {
    let bad = |message: String| shared.refused("bad_request", Response::text(400, &message));
    let params = match params(request.query.as_deref()) {
        Ok(params) => params,
        Err(message) => return bad(message),
    };
    let Some(target) = params.get("target").filter(|t| !t.is_empty()) else {
        return bad("give the camera as target=rtsps://HOST[:PORT]/PATH".to_owned());
    };
    let module = params.get("module").map_or(DEFAULT_MODULE, String::as_str);
    let Some(profile) = shared.config.modules.get(module) else {
        let known: Vec<&str> = shared.config.modules.keys().map(String::as_str).collect();
        return bad(format!("unknown module {module:?} (the configuration has: {})", known.join(", ")));
    };
    if has_userinfo(target) {
        return bad(
            "the target carries credentials: put them in the module (user, password_env or password_file)"
                .to_owned(),
        );
    }
    if target.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("onvif://")) {
        return bad(
            "onvif:// targets are not probed by the exporter: give each stream's rtsps:// URL".to_owned()
        );
    }
    let debug = match params.get("debug").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return bad(format!("debug={other}: give true or false")),
    };
    let budget = match budget(request.header("x-prometheus-scrape-timeout-seconds"), shared) {
        Ok(budget) => budget,
        Err(message) => return bad(message),
    };
    let mut options = match profile.options(target, &shared.base) {
        Ok(options) => options,
        Err(e) => return Response::text(500, &format!("module {module}: {e}")),
    };
    // A step times out before the bound (so one stalled step is diagnosed, `tls.timeout`, rather than cut
    // short), and the media window takes at most half of it: a camera that answers promptly is watched and
    // reported before the scrape gives up.
    options.step_timeout = options.step_timeout.min(budget.mul_f64(0.8));
    options.media_window = options.media_window.min(budget / 2);
    let (config, tls) = match probe::configure(&options, now()) {
        Ok(configured) => configured,
        Err(e) => return bad(format!("module {module}: {e}")),
    };
    let started = Instant::now();
    let deadline = started + budget;
    let Ok(Ok(_place)) = tokio::time::timeout_at(deadline, Arc::clone(&shared.probes).acquire_owned()).await
    else {
        let message =
            format!("{} probes are running; none ended before the scrape's deadline", shared.max_concurrent);
        return shared.refused("busy", Response::text(503, &message));
    };
    shared.in_flight.fetch_add(1, Ordering::Relaxed);
    let mut sink = |_: &ProbeEvent| {};
    let run = probe::run(config, &tls, &mut sink, tokio::time::sleep_until(deadline));
    let outcome = tokio::time::timeout_at(deadline + TEARDOWN_GRACE, run).await;
    shared.in_flight.fetch_sub(1, Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    let (report, problem) = match outcome {
        Ok(Ok(report)) => (Some(report), None),
        Ok(Err(e)) => (None, Some(format!("the TLS client could not be configured: {e}"))),
        Err(_) => (None, Some(format!("the probe did not report within {budget:?}"))),
    };
    let succeeded = report.as_ref().is_some_and(success);
    {
        let mut stats = shared.stats();
        let entry = stats
            .probes
            .entry((module.to_owned(), if succeeded { "success" } else { "failure" }))
            .or_default();
        entry.0 += 1;
        entry.1 += secs;
    }
    tracing::debug!(module, succeeded, secs, "probe");
    let families = probe_families(report.as_ref(), secs);
    if debug {
        let report_text =
            report.as_ref().map_or_else(|| problem.clone().unwrap_or_default(), shared.debug_text);
        let body = format!(
            "module: {module}\nbound: {budget:?}\n\n{report_text}\n\nmetrics:\n{}",
            render(&families, Format::Prometheus)
        );
        return Response::new(200, "text/plain; charset=utf-8", body.into_bytes());
    }
    Response::new(200, format.content_type(), render(&families, format).into_bytes())
}

fn own_metrics(shared: &Shared) -> Vec<Family> {
    let stats = shared.stats();
    let mut probes =
        Family::new("rtspeek_exporter_probes", Kind::Counter, "Probes run, by module and result.");
    let mut durations = Family::new(
        "rtspeek_exporter_probe_duration_seconds",
        Kind::Summary,
        "Seconds spent probing, by module.",
    );
    let mut per_module: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for ((module, result), (count, secs)) in &stats.probes {
        probes.push(vec![("module", module.clone()), ("result", (*result).to_owned())], *count as f64);
        let sum = per_module.entry(module).or_default();
        sum.0 += count;
        sum.1 += secs;
    }
    for (module, (count, secs)) in per_module {
        durations.push_summary(vec![("module", module.to_owned())], secs, count);
    }
    let mut refused = Family::new(
        "rtspeek_exporter_requests_refused",
        Kind::Counter,
        "Probe requests refused: bad_request (400), busy (503, no place before the deadline).",
    );
    for reason in ["bad_request", "busy"] {
        refused.push(
            vec![("reason", reason.to_owned())],
            stats.refused.get(reason).copied().unwrap_or(0) as f64,
        );
    }
    let mut families = vec![
        Family::new("rtspeek_exporter_build", Kind::Info, "The exporter's version.")
            .sample(vec![("version", env!("CARGO_PKG_VERSION").to_owned())], 1.0),
        probes,
        durations,
        refused,
        Family::new("rtspeek_exporter_probes_in_flight", Kind::Gauge, "Probes running now.")
            .sample(vec![], shared.in_flight.load(Ordering::Relaxed) as f64),
        Family::new(
            "rtspeek_exporter_max_concurrent",
            Kind::Gauge,
            "Probes allowed at once (--max-concurrent).",
        )
        .sample(vec![], shared.max_concurrent as f64),
    ];
    if let Some(bytes) = resident_bytes() {
        families.push(
            Family::new("process_resident_memory_bytes", Kind::Gauge, "Resident memory size in bytes.")
                .sample(vec![], bytes as f64),
        );
    }
    families
}

/// `VmRSS` of /proc/self/status, in bytes (`None` off Linux).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn now() -> UnixTime {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    UnixTime(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Shared {
        Shared::new(ExporterOptions::new(std::net::SocketAddr::from(([127, 0, 0, 1], 0))))
    }

    #[test]
    fn credentials_in_targets_are_seen_wherever_they_are() {
        assert!(has_userinfo("rtsps://admin:pw@cam/live"));
        assert!(has_userinfo("rtsp://admin@cam"));
        assert!(has_userinfo("admin@192.168.1.64"));
        assert!(!has_userinfo("rtsps://cam.example:322/live?user=x@y"));
        assert!(!has_userinfo("192.168.1.64/live"));
    }

    #[test]
    fn params_are_decoded_and_never_doubled() {
        let p = params(Some("target=rtsps%3A%2F%2Fcam%3A322%2Fa+b&module=m")).unwrap();
        assert_eq!(p["target"], "rtsps://cam:322/a b");
        assert!(params(Some("target=a&target=b")).unwrap_err().contains("target"));
    }

    #[test]
    fn the_scrape_timeout_bounds_the_probe() {
        let shared = shared();
        assert_eq!(budget(Header::One("10"), &shared), Ok(Duration::from_millis(9_500)));
        assert_eq!(budget(Header::One("0.6"), &shared), Ok(Duration::from_millis(300)));
        assert_eq!(budget(Header::Missing, &shared), Ok(Duration::from_secs(10)));
        assert_eq!(budget(Header::One("1e9"), &shared), Ok(MAX_BUDGET - Duration::from_millis(500)));
        assert!(budget(Header::One("-1"), &shared).is_err());
        assert!(budget(Header::One("NaN"), &shared).is_err());
    }

    #[tokio::test]
    async fn bad_requests_get_400_with_a_reason_and_are_counted() {
        let shared = shared();
        let request = |query: &str| {
            let head = format!("GET /probe?{query} HTTP/1.1\r\nHost: x\r\n\r\n");
            async move { http::read_head(&mut head.as_bytes(), MAX_HEAD).await.unwrap() }
        };
        for (query, says) in [
            ("module=default", "target="),
            ("target=rtsps://cam/&module=nope", "unknown module \"nope\""),
            ("target=rtsps%3A%2F%2Fu%3Apw%40cam%2F", "carries credentials"),
            ("target=onvif://cam", "onvif://"),
            ("target=rtsps://cam/&debug=yes", "debug=yes"),
        ] {
            let response = handle(&request(query).await, &shared).await;
            let body = String::from_utf8_lossy(&response.to_bytes()).into_owned();
            assert_eq!(response.status(), 400, "{query}: {body}");
            assert!(body.contains(says), "{query}: {body}");
            assert!(!body.contains("pw"), "{body}");
        }
        let metrics = render(&own_metrics(&shared), Format::Prometheus);
        assert!(
            metrics.contains("rtspeek_exporter_requests_refused_total{reason=\"bad_request\"} 5\n"),
            "{metrics}"
        );
        assert!(metrics.contains("rtspeek_exporter_probes_in_flight 0\n"), "{metrics}");
    }
}
