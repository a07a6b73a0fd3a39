//! Every conversion between JavaScript values and Rust, in one place (STYLE.md point 13): reading the option
//! objects of the API with precise messages, and handing results back through `JSON.parse`.

use js_sys::{Array, ArrayBuffer, JSON, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::certificate::{CertificateRequest, NamedBytes};

/// A result as a JavaScript value: serde_json text (the CLI's serializer, so the same document: `null` for
/// `None`, objects for maps, every number exact) parsed by `JSON.parse`.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text =
        serde_json::to_string(value).map_err(|e| JsError::new(&format!("cannot encode the result: {e}")))?;
    JSON::parse(&text).map_err(|_| JsError::new("cannot decode the result with JSON.parse"))
}

/// `typeof`-like name of a value, for messages.
fn kind(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if Array::is_array(value) {
        "an array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_else(|| "unknown".into())
    }
}

/// `object[key]`, `None` when absent, `undefined` or `null`.
fn get(object: &JsValue, key: &str) -> Result<Option<JsValue>, JsError> {
    let value = Reflect::get(object, &JsValue::from_str(key))
        .map_err(|_| JsError::new(&format!("options.{key}: cannot be read")))?;
    Ok((!value.is_undefined() && !value.is_null()).then_some(value))
}

/// A string option; empty strings (an empty form field) count as absent.
fn string(object: &JsValue, key: &str) -> Result<Option<String>, JsError> {
    match get(object, key)? {
        None => Ok(None),
        Some(v) => match v.as_string() {
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => Ok(Some(s)),
            None => Err(JsError::new(&format!("options.{key}: expected a string, got {}", kind(&v)))),
        },
    }
}

/// The bytes of a string (UTF-8), `Uint8Array` or `ArrayBuffer`.
pub(crate) fn data(value: &JsValue, what: &str) -> Result<Vec<u8>, JsError> {
    if let Some(s) = value.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    if value.is_instance_of::<ArrayBuffer>() {
        return Ok(Uint8Array::new(value).to_vec());
    }
    Err(JsError::new(&format!("{what}: expected a string or a Uint8Array, got {}", kind(value))))
}

/// One input or a list of them: text, bytes, or `{name, data}`. Unnamed ones are called `name` (or
/// `name[i]` in a list of several). Empty strings are skipped (an empty text area).
fn inputs(object: &JsValue, key: &str, name: &str) -> Result<Vec<NamedBytes>, JsError> {
    let Some(value) = get(object, key)? else { return Ok(Vec::new()) };
    let list: Vec<JsValue> =
        if Array::is_array(&value) { Array::from(&value).iter().collect() } else { vec![value] };
    let several = list.len() > 1;
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let what = if several { format!("options.{key}[{i}]") } else { format!("options.{key}") };
        let default_name = if several { format!("{name}[{i}]") } else { name.to_owned() };
        let named =
            item.is_object() && !item.is_instance_of::<Uint8Array>() && !item.is_instance_of::<ArrayBuffer>();
        let (name, bytes) = if named {
            let file_name = match get(item, "name")? {
                Some(n) => {
                    n.as_string().ok_or_else(|| JsError::new(&format!("{what}.name: expected a string")))?
                }
                None => default_name,
            };
            let content = get(item, "data")?.ok_or_else(|| {
                JsError::new(&format!("{what}: an object needs `data` (string or Uint8Array)"))
            })?;
            (file_name, data(&content, &format!("{what}.data"))?)
        } else {
            (default_name, data(item, &what)?)
        };
        if item.as_string().is_some_and(|s| s.trim().is_empty()) {
            continue;
        }
        out.push(NamedBytes { name, bytes });
    }
    Ok(out)
}

/// Reads `CertificateOptions` (see types.d.ts).
pub(crate) fn certificate_request(options: &JsValue) -> Result<CertificateRequest, JsError> {
    if !options.is_object() {
        return Err(JsError::new(&format!(
            "analyzeCertificate: expected an options object ({{ pem, host, now: Date.now() }}), got {}",
            kind(options)
        )));
    }
    let mut certificates = inputs(options, "pem", "pem")?;
    certificates.extend(inputs(options, "der", "der")?);
    certificates.extend(inputs(options, "files", "file")?);
    let key = match get(options, "key")? {
        Some(v) if v.as_string().is_some_and(|s| s.trim().is_empty()) => None,
        Some(v) => Some(NamedBytes {
            name: string(options, "keyName")?.unwrap_or_else(|| "key".into()),
            bytes: data(&v, "options.key")?,
        }),
        None => None,
    };
    let now_ms = match get(options, "now")? {
        None => {
            return Err(JsError::new(
                "options.now is required: pass Date.now() (milliseconds since the epoch); rtspeek reads no clock",
            ));
        }
        Some(v) => match v.dyn_ref::<js_sys::Date>() {
            Some(date) => date.get_time(),
            None => v.as_f64().ok_or_else(|| {
                JsError::new(&format!("options.now: expected milliseconds since the epoch, got {}", kind(&v)))
            })?,
        },
    };
    Ok(CertificateRequest {
        certificates,
        key,
        key_passphrase: string(options, "keyPassphrase")?,
        host: string(options, "host")?.map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()),
        ca: inputs(options, "ca", "ca")?,
        now_ms,
    })
}
