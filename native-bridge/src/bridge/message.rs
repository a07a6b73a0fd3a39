//! The JSON text messages of the bridge protocol (docs/bridge-protocol.md, "Messages"): page commands read
//! field by field, so that an error names the field but never repeats a value (a password sent as a number
//! must not come back in an error), and the bridge's own messages.

use std::time::Duration;

use rtspeek_core::probe::{NamedBytes, ProbeEvent, TransportChoice};
use rtspeek_core::rtsp::auth::Secret;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::probe::ProbeOptions;

/// Longest URL accepted.
const MAX_URL: usize = 4096;
/// Longest user name or password accepted.
const MAX_CREDENTIAL: usize = 1024;

/// A command from the page.
#[derive(Debug)]
pub enum Command {
    /// Start a probe.
    Probe {
        /// The page's id for it.
        id: u32,
        /// What to probe and how (with the preview flag as `deliver_media`).
        options: Box<ProbeOptions>,
        /// Record a capture of the probe's traffic and send it to the page (`capture` message).
        capture: bool,
    },
    /// Stop a probe (it still ends with `done`).
    Stop {
        /// Which.
        id: u32,
    },
}

/// A command that cannot be carried out: `id` when it was readable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommandError {
    /// The probe it is about, if known.
    pub(crate) id: Option<u32>,
    /// What is wrong, without any value the page sent.
    pub(crate) message: String,
}

/// Bounds the bridge applies to probe commands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProbeBounds {
    /// Longest media window.
    pub(crate) max_duration: Duration,
    /// Longest step timeout.
    pub(crate) max_step_timeout: Duration,
}

/// Reads a command.
pub(crate) fn parse(text: &str, bounds: ProbeBounds) -> Result<Command, CommandError> {
    let no_id = |message: String| CommandError { id: None, message };
    let value: Value = serde_json::from_str(text)
        .map_err(|e| no_id(format!("not a JSON message (line {}, column {})", e.line(), e.column())))?;
    let Value::Object(object) = value else {
        return Err(no_id("not a JSON object".into()));
    };
    let fields = Fields(&object);
    let kind = fields.string("type").map_err(no_id)?.ok_or_else(|| no_id("no \"type\"".into()))?;
    // Refused before the id is read, whose errors name the type: only the two known types may appear in an
    // error, never another value the page sent.
    if !matches!(kind, "probe" | "stop") {
        return Err(no_id("unknown message type (expected \"probe\" or \"stop\")".into()));
    }
    let id = match object.get("id") {
        None => return Err(no_id(format!("{kind}: no \"id\""))),
        Some(value) => value
            .as_u64()
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| no_id(format!("{kind}: \"id\" must be an integer from 0 to {}", u32::MAX)))?,
    };
    let with_id = |message: String| CommandError { id: Some(id), message };
    match kind {
        "stop" => {
            fields.only(&["type", "id"]).map_err(with_id)?;
            Ok(Command::Stop { id })
        }
        "probe" => {
            let options = probe_options(&fields, bounds).map_err(with_id)?;
            let capture = fields.boolean("capture").map_err(with_id)?.unwrap_or(false);
            Ok(Command::Probe { id, options: Box::new(options), capture })
        }
        _ => Err(no_id("unknown message type (expected \"probe\" or \"stop\")".into())),
    }
}

fn probe_options(fields: &Fields<'_>, bounds: ProbeBounds) -> Result<ProbeOptions, String> {
    fields.only(&[
        "type",
        "id",
        "url",
        "user",
        "password",
        "ca_pem",
        "insecure",
        "transport",
        "duration",
        "timeout",
        "tls_scan",
        "legacy_tls",
        "allow_cleartext",
        "preview",
        "capture",
    ])?;
    let url = fields.string("url")?.ok_or("no \"url\"")?;
    if url.len() > MAX_URL {
        return Err(format!("url: longer than {MAX_URL} bytes"));
    }
    let mut options = ProbeOptions::new(url);
    options.user = fields.string("user")?.map(str::to_owned);
    options.password = fields.string("password")?.map(Secret::new);
    if options.user.as_ref().is_some_and(|u| u.len() > MAX_CREDENTIAL)
        || options.password.as_ref().is_some_and(|p| p.expose().len() > MAX_CREDENTIAL)
    {
        return Err(format!("user and password: at most {MAX_CREDENTIAL} bytes each"));
    }
    if let Some(pem) = fields.string("ca_pem")? {
        options.ca = vec![NamedBytes { name: "ca_pem".into(), bytes: pem.as_bytes().to_vec() }];
    }
    options.insecure = fields.boolean("insecure")?.unwrap_or(false);
    options.tls_scan = fields.boolean("tls_scan")?.unwrap_or(true);
    options.legacy_tls = fields.boolean("legacy_tls")?.unwrap_or(false);
    options.allow_cleartext = fields.boolean("allow_cleartext")?.unwrap_or(false);
    options.deliver_media = fields.boolean("preview")?.unwrap_or(false);
    options.transport = match fields.string("transport")? {
        None | Some("auto") => TransportChoice::Auto,
        Some("tcp") => TransportChoice::Tcp,
        Some("udp") => TransportChoice::Udp,
        Some(_) => return Err("transport: expected \"auto\", \"tcp\" or \"udp\"".into()),
    };
    if let Some(duration) = fields.seconds("duration", Duration::ZERO, bounds.max_duration)? {
        options.media_window = duration;
    }
    if let Some(timeout) = fields.seconds("timeout", Duration::from_millis(100), bounds.max_step_timeout)? {
        options.step_timeout = timeout;
    }
    Ok(options)
}

/// Typed access to a command's fields; errors name the field, never its value.
struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// Refuses fields not in `known` (a misspelt `pasword` would otherwise be silently ignored).
    fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => {
                let shown: String = key.chars().take(40).collect();
                Err(format!("unknown field {shown:?}"))
            }
            None => Ok(()),
        }
    }

    /// A string field; `null` counts as absent.
    fn string(&self, name: &str) -> Result<Option<&'a str>, String> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("{name}: expected a string")),
        }
    }

    fn boolean(&self, name: &str) -> Result<Option<bool>, String> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(format!("{name}: expected true or false")),
        }
    }

    /// A number of seconds within `min..=max`.
    fn seconds(&self, name: &str, min: Duration, max: Duration) -> Result<Option<Duration>, String> {
        let range =
            || format!("{name}: expected seconds from {} to {}", min.as_secs_f64(), max.as_secs_f64());
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                let secs = n.as_f64().filter(|s| s.is_finite()).ok_or_else(range)?;
                let duration = Duration::try_from_secs_f64(secs).map_err(|_| range())?;
                if duration < min || duration > max {
                    return Err(range());
                }
                Ok(Some(duration))
            }
            Some(_) => Err(range()),
        }
    }
}

/// `{"type": "hello", ...}`.
#[derive(Debug, Serialize)]
pub(crate) struct Hello {
    #[serde(rename = "type")]
    kind: &'static str,
    version: &'static str,
    max_probes: usize,
    max_message_bytes: usize,
    max_duration: u64,
}

impl Hello {
    pub(crate) fn new(max_probes: usize, max_message_bytes: usize, max_duration: Duration) -> Hello {
        Hello {
            kind: "hello",
            version: env!("CARGO_PKG_VERSION"),
            max_probes,
            max_message_bytes,
            max_duration: max_duration.as_secs(),
        }
    }
}

/// `{"type": "event", "id": 1, "event": {...}}`.
#[derive(Debug, Serialize)]
pub(crate) struct EventMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: u32,
    event: &'a ProbeEvent,
}

impl<'a> EventMessage<'a> {
    pub(crate) fn new(id: u32, event: &'a ProbeEvent) -> Self {
        EventMessage { kind: "event", id, event }
    }
}

/// `{"type": "preview", "id": 1, ...}`: what became of the probe's media frames, just before its `done`.
#[derive(Debug, Serialize, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PreviewSummary {
    /// Frames sent.
    pub(crate) frames_sent: u64,
    /// Frames dropped because the page did not take them fast enough (and the frames that depended on them,
    /// up to the next keyframe).
    pub(crate) frames_dropped: u64,
    /// Frames before the first keyframe of their track (a decoder cannot start with them).
    pub(crate) frames_before_keyframe: u64,
}

#[derive(Debug, Serialize)]
struct PreviewMessage {
    #[serde(rename = "type")]
    kind: &'static str,
    id: u32,
    #[serde(flatten)]
    summary: PreviewSummary,
}

/// `{"type": "error", ["id": 1,] "message": "..."}`.
#[derive(Debug, Serialize)]
struct ErrorMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u32>,
    message: &'a str,
}

/// The JSON of a message (serialising these types cannot fail; `{}` stands in if it ever did).
pub(crate) fn to_json(message: &impl Serialize) -> String {
    serde_json::to_string(message).unwrap_or_else(|_| "{}".to_owned())
}

/// An `error` message.
pub(crate) fn error(id: Option<u32>, message: &str) -> String {
    to_json(&ErrorMessage { kind: "error", id, message })
}

/// A `capture` message: the probe's capture (pcapng, base64) and what the report says of it.
pub(crate) fn capture(id: u32, fact: &rtspeek_core::capture::CaptureFact, pcapng: &[u8]) -> String {
    use base64::Engine as _;
    #[derive(Serialize)]
    struct CaptureMessage<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        id: u32,
        #[serde(flatten)]
        fact: &'a rtspeek_core::capture::CaptureFact,
        pcapng_base64: String,
    }
    let pcapng_base64 = base64::engine::general_purpose::STANDARD.encode(pcapng);
    to_json(&CaptureMessage { kind: "capture", id, fact, pcapng_base64 })
}

/// A `preview` message.
pub(crate) fn preview(id: u32, summary: PreviewSummary) -> String {
    to_json(&PreviewMessage { kind: "preview", id, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: ProbeBounds =
        ProbeBounds { max_duration: Duration::from_secs(300), max_step_timeout: Duration::from_secs(60) };

    fn err(text: &str) -> CommandError {
        parse(text, BOUNDS).expect_err(text)
    }

    #[test]
    fn a_full_probe_command() {
        let text = r#"{"type":"probe","id":7,"url":"rtsps://cam/x","user":"admin","password":"pw",
            "ca_pem":"-----BEGIN CERTIFICATE-----","insecure":true,"transport":"tcp","duration":2.5,
            "preview":true}"#;
        let Ok(Command::Probe { id, options, capture }) = parse(text, BOUNDS) else {
            panic!("a probe command")
        };
        assert!(!capture);
        assert_eq!(id, 7);
        assert_eq!(options.target, "rtsps://cam/x");
        assert_eq!(options.user.as_deref(), Some("admin"));
        assert_eq!(options.password.as_ref().map(Secret::expose), Some("pw"));
        assert_eq!(options.ca.len(), 1);
        assert!(options.insecure && options.deliver_media);
        assert_eq!(options.transport, TransportChoice::Tcp);
        assert_eq!(options.media_window, Duration::from_millis(2500));
        let Ok(Command::Stop { id: 7 }) = parse(r#"{"type":"stop","id":7}"#, BOUNDS) else { panic!("stop") };
    }

    #[test]
    fn errors_name_fields_and_never_echo_values() {
        let e = err(r#"{"type":"probe","id":1,"url":"rtsps://cam/x","password":12345678}"#);
        assert_eq!(e, CommandError { id: Some(1), message: "password: expected a string".into() });
        let e = err(r#"{"type":"probe","id":1,"url":"rtsps://cam/x","pasword":"hunter2"}"#);
        assert_eq!(e.message, "unknown field \"pasword\"");
        let e = err(r#"{"type":"probe","id":1,"url":"rtsps://cam/x","duration":301}"#);
        assert_eq!(e.message, "duration: expected seconds from 0 to 300");
        assert_eq!(err(r#"{"type":"probe","id":-1,"url":"x"}"#).id, None);
        assert_eq!(err(r#"{"type":"probe","id":1}"#).message, "no \"url\"");
        assert_eq!(err(r#"{"type":"dance","id":1}"#).id, None);
        assert_eq!(err("[1]").message, "not a JSON object");
        assert!(err("{\"password\": \"hunter2\"").message.starts_with("not a JSON message"));
        assert!(
            !err(r#"{"type":"probe","id":1,"url":"x","transport":"hunter2"}"#).message.contains("hunter2")
        );
    }

    #[test]
    fn outgoing_messages() {
        assert_eq!(error(None, "too large"), r#"{"type":"error","message":"too large"}"#);
        assert_eq!(error(Some(3), "busy"), r#"{"type":"error","id":3,"message":"busy"}"#);
        let summary = PreviewSummary { frames_sent: 5, frames_dropped: 1, frames_before_keyframe: 0 };
        assert_eq!(
            preview(2, summary),
            r#"{"type":"preview","id":2,"frames_sent":5,"frames_dropped":1,"frames_before_keyframe":0}"#
        );
        let hello = to_json(&Hello::new(2, 262_144, Duration::from_secs(300)));
        assert!(hello.starts_with(r#"{"type":"hello","version":""#), "{hello}");
    }
}
