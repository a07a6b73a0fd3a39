//! The web page, embedded in the binary by `build.rs` from `web/dist/` (or a fallback page saying how to build
//! it). Looked up by exact URL path: nothing is read from the file system at run time.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

/// One embedded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Asset {
    /// `Content-Type`.
    pub(crate) content_type: &'static str,
    /// The bytes.
    pub(crate) bytes: &'static [u8],
}

/// Whether the real page was built in (otherwise `/` says how to build it).
pub(crate) const WEB_UI_BUILT: bool = generated::BUILT;

/// The answer to a request for one of the page's files (the bridge's and the admin endpoint's): `GET` or
/// `HEAD` only.
pub(crate) fn respond(request: &crate::http::Request) -> crate::http::Response {
    use crate::http::Response;
    let head_only = match request.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        _ => return Response::text(405, "only GET and HEAD").header("Allow", "GET, HEAD"),
    };
    let response = match lookup(&request.path) {
        Some(asset) => Response::new(200, asset.content_type, asset.bytes),
        None => Response::text(404, "no such file"),
    };
    if head_only { response.head_only() } else { response }
}

/// The asset at a request path (without its query); `/` is `/index.html`.
pub(crate) fn lookup(path: &str) -> Option<Asset> {
    let path = if path == "/" { "/index.html" } else { path };
    generated::ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|&(_, content_type, bytes)| Asset { content_type, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::mime::content_type;

    #[test]
    fn index_is_always_there_and_other_paths_are_exact() {
        let index = lookup("/").expect("an index page, built or fallback");
        assert_eq!(index.content_type, "text/html; charset=utf-8");
        assert_eq!(lookup("/index.html"), Some(index));
        assert_eq!(lookup("/../Cargo.toml"), None);
        assert_eq!(lookup("index.html"), None);
        if !WEB_UI_BUILT {
            assert!(String::from_utf8_lossy(index.bytes).contains("cargo xtask web"));
        }
    }

    #[test]
    fn content_types_are_the_ones_browsers_require() {
        assert_eq!(content_type("/pkg/rtspeek_web_bg.wasm"), "application/wasm");
        assert_eq!(content_type("/pkg/rtspeek_web.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("/app.MJS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("/LICENSE"), "application/octet-stream");
    }
}
