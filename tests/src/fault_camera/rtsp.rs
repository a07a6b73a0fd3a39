//! RTSP request handling: overrides, authentication, the methods that need no session, and writing the
//! response (CSeq echo, `Server`, the script's quirks). Session methods are in `session.rs`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rtspeek_core::rtsp::headers::{Session as SessionHeader, names};
use rtspeek_core::rtsp::writer::write_response;
use rtspeek_core::rtsp::{Method, Request, Response, StatusCode};
use tokio::sync::mpsc;

use super::config::Action;
use super::conn::{ConnInfo, Out};
use super::session::Session;
use super::{SERVER, Shared, lock, sdp, unix_now};

/// What the connection does after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    /// Keep reading.
    Continue,
    /// Close the connection now.
    Close,
}

/// The methods listed in `Public`.
const PUBLIC: &str = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER";

/// A response before the common headers are added.
#[derive(Debug, Clone)]
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) reason: Option<String>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Reply {
    pub(super) fn new(status: u16) -> Reply {
        Reply { status, reason: None, headers: Vec::new(), body: Vec::new() }
    }

    pub(super) fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// The RTSP state of one connection.
pub(super) struct Connection {
    pub(super) info: ConnInfo,
    pub(super) shared: Arc<Shared>,
    pub(super) out: mpsc::Sender<Out>,
    pub(super) session: Option<Session>,
    /// Set by PLAY: start (or resume) the media once the response is queued, so it precedes the packets.
    pub(super) start_media: bool,
}

impl Connection {
    pub(super) fn new(info: ConnInfo, shared: Arc<Shared>, out: mpsc::Sender<Out>) -> Connection {
        Connection { info, shared, out, session: None, start_media: false }
    }

    /// Records, answers (or not) and says whether to go on.
    pub(super) async fn on_request(&mut self, req: Request<'static>) -> Flow {
        self.shared.record_request(self.info.id, &req);
        log!("connection {}: {} {}", self.info.id, req.method, req.uri);
        let rule = self.matching_override(&req);
        // An override counts (for `times`) only when it shows: a 401 does not use up a status override.
        let mut used = None;
        let mut apply = |(index, action): &(usize, Action)| {
            self.shared.override_hits[*index].fetch_add(1, Ordering::SeqCst);
            used = Some(action.clone());
        };
        let reply = match (&rule, self.authenticate(&req)) {
            (Some(r @ (_, Action::Close)), _) => {
                apply(r);
                return Flow::Close;
            }
            (Some(r @ (_, Action::Silent)), _) => {
                apply(r);
                return Flow::Continue;
            }
            (Some(r @ (_, Action::CSeqPlusOne | Action::OmitCSeq)), auth) => {
                apply(r);
                match auth {
                    Ok(()) => self.dispatch(&req).await,
                    Err(challenges) => unauthorized(challenges),
                }
            }
            (_, Err(challenges)) => unauthorized(challenges),
            (Some(r @ (_, Action::Status { code, reason, headers })), Ok(())) => {
                apply(r);
                Reply { status: *code, reason: reason.clone(), headers: headers.clone(), body: Vec::new() }
            }
            (Some(r @ (_, Action::Redirect { code, to })), Ok(())) => {
                apply(r);
                Reply::new(*code).header(names::LOCATION, self.absolute(&req.uri, to))
            }
            (None, Ok(())) => self.dispatch(&req).await,
        };
        let cseq = req.headers.get(names::CSEQ).map(str::trim);
        let cseq = match used {
            Some(Action::OmitCSeq) => None,
            Some(Action::CSeqPlusOne) => cseq
                .map(|c| c.parse::<u64>().map_or_else(|_| c.to_owned(), |n| n.wrapping_add(1).to_string())),
            _ => cseq.map(str::to_owned),
        };
        if self.out.send(Out::Data(self.compose(reply, cseq))).await.is_err() {
            return Flow::Close;
        }
        if std::mem::take(&mut self.start_media) {
            self.start_media_now();
        }
        Flow::Continue
    }

    /// How long to wait for the client's next bytes: the idle timeout, or the session timeout while a session
    /// exists (clients send keep-alives at half of it, which may be the idle timeout exactly).
    pub(super) fn read_bound(&self) -> Duration {
        let idle = self.shared.config.idle_timeout;
        match &self.session {
            Some(_) => {
                let timeout =
                    self.shared.config.rtsp.session_timeout.unwrap_or(SessionHeader::DEFAULT_TIMEOUT);
                idle.max(Duration::from_secs(timeout.into()))
            }
            None => idle,
        }
    }

    /// The first override for this request whose `times` is not used up, with its index.
    fn matching_override(&self, req: &Request<'_>) -> Option<(usize, Action)> {
        let path = uri_path(&req.uri);
        let overrides = self.shared.config.rtsp.overrides.iter().zip(&self.shared.override_hits).enumerate();
        for (index, (rule, hits)) in overrides {
            if rule.method.as_str() != req.method.as_str() {
                continue;
            }
            if rule.path.as_deref().is_some_and(|p| p.trim_end_matches('/') != path.trim_end_matches('/')) {
                continue;
            }
            if rule.times.is_some_and(|n| hits.load(Ordering::SeqCst) >= n) {
                continue;
            }
            return Some((index, rule.action.clone()));
        }
        None
    }

    /// `Err` with the challenges when the request needs credentials it does not carry.
    fn authenticate(&self, req: &Request<'_>) -> Result<(), Vec<String>> {
        let Some(auth) = &self.shared.auth else { return Ok(()) };
        let mut auth = lock(auth);
        if !auth.protects(&req.method) {
            return Ok(());
        }
        let random = self.shared.random::<12>();
        let value = req.headers.get(names::AUTHORIZATION);
        auth.check(req.method.as_str(), &req.uri, value, unix_now(), &random)
    }

    async fn dispatch(&mut self, req: &Request<'_>) -> Reply {
        match req.method {
            Method::Options => {
                let reply = Reply::new(200).header(names::PUBLIC, PUBLIC);
                match self.check_session(req) {
                    Ok(true) => reply.header(names::SESSION, self.session_value()),
                    Ok(false) => reply,
                    Err(refused) => refused,
                }
            }
            Method::Describe => self.describe(req),
            Method::Setup => self.setup(req).await,
            Method::Play => self.play(req),
            Method::Pause => self.pause(req),
            Method::Teardown => self.teardown(req),
            Method::GetParameter | Method::SetParameter => match self.check_session(req) {
                Ok(true) => Reply::new(200).header(names::SESSION, self.session_value()),
                Ok(false) => Reply::new(200),
                Err(refused) => refused,
            },
            Method::Announce | Method::Record => Reply::new(405).header("Allow", PUBLIC),
            _ => Reply::new(501),
        }
    }

    fn describe(&self, req: &Request<'_>) -> Reply {
        let config = &self.shared.config;
        let body = match &config.sdp.custom {
            Some(text) => text.clone(),
            None => sdp::builtin(&self.shared.source, config),
        };
        let mut base = self.public_url(&req.uri);
        if !base.ends_with('/') {
            base.push('/');
        }
        let mut reply = Reply::new(200).header(names::CONTENT_TYPE, "application/sdp");
        reply = reply.header(names::CONTENT_BASE, base);
        reply.body = body.into_bytes();
        reply
    }

    /// A URL as this camera writes it in Content-Base and RTP-Info: `rtsp://` over TLS when the script says so
    /// (gst-rtsp-server's quirk).
    pub(super) fn public_url(&self, url: &str) -> String {
        match url.strip_prefix("rtsps://") {
            Some(rest) if self.shared.config.rtsp.plain_urls_in_tls && self.info.secure => {
                format!("rtsp://{rest}")
            }
            _ => url.to_owned(),
        }
    }

    /// `to` as an absolute URL: a path is put on the scheme and authority of the request's URL.
    fn absolute(&self, request_uri: &str, to: &str) -> String {
        if !to.starts_with('/') {
            return to.to_owned();
        }
        match request_uri.split_once("://") {
            Some((scheme, rest)) => {
                let authority = rest.split('/').next().unwrap_or(rest);
                format!("{scheme}://{authority}{to}")
            }
            None => {
                let scheme = if self.info.secure { "rtsps" } else { "rtsp" };
                format!("{scheme}://{}{to}", self.shared.addr)
            }
        }
    }

    /// The response bytes: status line, CSeq, Server, the reply's headers, body; LF line ends if scripted.
    fn compose(&self, reply: Reply, cseq: Option<String>) -> Vec<u8> {
        let status = StatusCode::new(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Response::new(status).with_body(reply.body);
        if let Some(reason) = reply.reason {
            response.reason = reason.into();
        }
        if let Some(cseq) = cseq {
            response.headers.append(names::CSEQ, cseq);
        }
        response.headers.append(names::SERVER, SERVER);
        for (name, value) in reply.headers {
            response.headers.append(name, value);
        }
        let mut bytes = Vec::new();
        if let Err(e) = write_response(&response, &mut bytes) {
            log!("cannot write the scripted response ({e}): 500 instead");
            bytes = format!("RTSP/1.0 500 Internal Server Error\r\nServer: {SERVER}\r\n\r\n").into_bytes();
        }
        if self.shared.config.rtsp.bare_lf {
            bytes = bare_lf_head(&bytes);
        }
        bytes
    }
}

fn unauthorized(challenges: Vec<String>) -> Reply {
    challenges.into_iter().fold(Reply::new(401), |r, c| r.header(names::WWW_AUTHENTICATE, c))
}

/// The path of a request URL (`/stream/trackID=0`), `*` for `*`.
pub(super) fn uri_path(uri: &str) -> &str {
    let Some((_, rest)) = uri.split_once("://") else { return uri };
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or(path)
}

/// The message with the head's CRLFs turned into LFs (the body is left alone).
fn bare_lf_head(bytes: &[u8]) -> Vec<u8> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").map_or(bytes.len(), |i| i + 4);
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes[..end].iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out.extend_from_slice(&bytes[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_line_ends() {
        assert_eq!(uri_path("rtsps://127.0.0.1:554/stream/trackID=0"), "/stream/trackID=0");
        assert_eq!(uri_path("rtsp://[::1]:554"), "/");
        assert_eq!(uri_path("rtsp://h/a?x=1"), "/a");
        assert_eq!(uri_path("*"), "*");
        assert_eq!(
            bare_lf_head(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\nv=0\r\n"),
            b"RTSP/1.0 200 OK\nCSeq: 1\n\nv=0\r\n"
        );
    }
}
