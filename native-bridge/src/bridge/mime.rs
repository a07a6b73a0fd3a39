//! Content types of the web assets, by file name. Shared with `build.rs`, which stores each asset's type next
//! to its bytes, so this file must stay free of crate imports.

/// The `Content-Type` of a file served by the bridge. Unknown kinds are served as opaque bytes (and
/// `X-Content-Type-Options: nosniff` keeps browsers from guessing).
pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        // RFC 9239: text/javascript is the one JavaScript type; module scripts require a JavaScript type.
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        // WebAssembly.instantiateStreaming refuses any other type.
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webmanifest" => "application/manifest+json",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}
