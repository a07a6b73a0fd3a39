//! Entry of the `bridge_command` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/bridge_command.rs)
//! and the corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this
//! code. Unlike the other entries it uses `rtspeek_bridge` (without default features) and `serde_json`, which
//! both crates have too.
//!
//! The bridge's JSON commands from the page: a text message through `rtspeek_bridge::bridge::parse_command`
//! (the bridge's own reading, with its default limits), and a probe command's options through
//! `rtspeek_bridge::probe::configure`, as a WebSocket session does. Besides "no panic", it checks the rule
//! that no error shown to the page holds a credential:
//!
//! - the `"password"` field: the message is sent again with the password's every byte replaced by a marker
//!   character found nowhere else in the message; no error may hold the marker, and the outcome must be the
//!   same as with the real password (it may depend on its length, never on its value), so an error that
//!   holds the real password holds it for another reason (the same text in another field);
//! - the password in the URL's userinfo (`rtsps://user:password@host/`, or `user:password@host` for port
//!   discovery): the same, with the password's letters and digits replaced by the marker (so that the URL
//!   stays as valid as it was); no error may hold the marker;
//! - the module's own rule, which covers the cases above too: an error names fields but never repeats a value
//!   (a password typed into the wrong field must not come back either). Every string value except the URL
//!   (shown with its password masked) and the protocol's own words (`probe`, `tcp`...) is replaced by markers
//!   of the same length; no error may hold one.

use rtspeek_bridge::bridge::{Command, Limits, parse_command};
use rtspeek_bridge::probe::configure;
use rtspeek_core::UnixTime;
use serde_json::{Map, Value};

/// A fixed time (2027-01-15), so that a run is reproducible.
const NOW: UnixTime = UnixTime(1_800_000_000);
/// Stands for a password's characters: valid in a URL's userinfo, and in none of the bridge's messages.
const MARK: char = '!';

/// What the fuzz target runs: `data` as a text message from the page (the bridge refuses non-UTF-8 before
/// reading it).
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let limits = Limits::default();
    let original = outcome(text, &limits);

    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else { return };
    // The marker must come only from the password: the rest of the message, as the variants write it, must
    // not hold it.
    let written = serde_json::to_string(&object).expect("a JSON value writes");
    if written.contains(MARK) {
        return;
    }
    if let Some(Value::String(password)) = object.get("password") {
        let masked = MARK.to_string().repeat(password.len());
        let variant = with_field(&object, "password", masked);
        let masked_outcome = outcome(&variant, &limits);
        if let Some(error) = &masked_outcome.0 {
            assert!(!error.contains(MARK), "an error holds the password field: {error}");
        }
        assert_eq!(original, masked_outcome, "the outcome depends on the password's value");
    }
    let values_masked = Value::Object(object.iter().map(|(k, v)| (k.clone(), mask_values(k, v))).collect());
    let text = serde_json::to_string(&values_masked).expect("a JSON value writes");
    if let (Some(error), _) = outcome(&text, &limits) {
        assert!(!error.contains(MARK), "an error repeats a value: {error}");
    }
    if let Some(Value::String(url)) = object.get("url")
        && let Some(masked) = mask_url_password(url)
    {
        let variant = with_field(&object, "url", masked);
        if let (Some(error), _) = outcome(&variant, &limits) {
            assert!(!error.contains(MARK), "an error holds the URL's password: {error}");
        }
    }
}

/// `object` with `field` set to `value`, written as JSON.
fn with_field(object: &Map<String, Value>, field: &str, value: String) -> String {
    let mut object = object.clone();
    object.insert(field.to_owned(), Value::String(value));
    serde_json::to_string(&object).expect("a JSON value writes")
}

/// What the page gets for `text`: the error message it would be sent (`None` when the command is carried
/// out), and how the command reads (`Debug`, the password redacted).
fn outcome(text: &str, limits: &Limits) -> (Option<String>, String) {
    match parse_command(text, limits) {
        Err(error) => {
            let _: Value = serde_json::from_str(&error).expect("the error message is JSON");
            (Some(error), String::new())
        }
        Ok(Command::Stop { id }) => (None, format!("stop {id}")),
        Ok(Command::Probe { id, options, capture }) => {
            let error = configure(&options, NOW).err().map(|e| e.to_string());
            (error, format!("probe {id} capture {capture} {options:?}"))
        }
    }
}

/// The words of the protocol, which errors may name.
const VOCABULARY: [&str; 5] = ["probe", "stop", "auto", "tcp", "udp"];

/// `value` (of top-level field `field`) with its strings, at any depth, replaced by markers of the same length,
/// except the URL and the protocol's words.
fn mask_values(field: &str, value: &Value) -> Value {
    match value {
        Value::String(_) if field == "url" => value.clone(),
        Value::String(s) if VOCABULARY.contains(&s.as_str()) => value.clone(),
        Value::String(s) => Value::String(MARK.to_string().repeat(s.len())),
        Value::Array(items) => Value::Array(items.iter().map(|v| mask_values("", v)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), mask_values("", v))).collect())
        }
        other => other.clone(),
    }
}

/// `url` with the letters and digits of its userinfo password replaced by [`MARK`] (percent escapes kept),
/// found as the bridge's redaction finds it; `None` without a password or with nothing to replace.
fn mask_url_password(url: &str) -> Option<String> {
    let (start, authority) = match url.find("://") {
        Some(i) => {
            let start = i + 3;
            let end = url[start..]
                .find(|c: char| {
                    matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | ',' | ';') || c.is_whitespace()
                })
                .map_or(url.len(), |e| start + e);
            (start, &url[start..end])
        }
        None => (0, &url[..url.find('/').unwrap_or(url.len())]),
    };
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    let (from, to) = (start + colon + 1, start + at);
    let mut masked = String::with_capacity(url.len());
    masked.push_str(&url[..from]);
    let mut escape = 0;
    let mut replaced = false;
    for c in url[from..to].chars() {
        if escape > 0 {
            escape -= 1;
            masked.push(c);
        } else if c == '%' {
            escape = 2;
            masked.push(c);
        } else if c.is_ascii_alphanumeric() {
            replaced = true;
            masked.push(MARK);
        } else {
            masked.push(c);
        }
    }
    masked.push_str(&url[to..]);
    replaced.then_some(masked)
}
