//! The answers to each RTSP method: what [`ServerSession`] does with one complete request.

use crate::rtsp::TypedHeader;
use crate::rtsp::headers::{Range, RangeSpec, Transport};
use crate::rtsp::url::{Host, Scheme, Url};
use crate::rtsp::{Method, Request, Response, StatusCode, Version};

use super::auth::{AuthOutcome, Guard};
use super::io::Output;
use super::mount::{Catalog, Mount, VIDEO_CONTROL, split_path};
use super::sdp::describe_keyed;
use super::session::{PendingPlay, RtspState, ServerSession, play_answer};
use super::srtp::{OfferContext, OfferedKeys, SessionSrtp, client_context, offer};
use super::transport::negotiate;

/// The methods this server answers, for `Public` (OPTIONS) and `Allow` (405).
pub const PUBLIC: &str = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER";

/// A response under construction: status, headers, body.
pub(super) type Answer = Response<'static>;

impl ServerSession {
    /// Answers one request, or defers the answer (a PLAY waiting for its stream).
    pub(super) fn handle_request(&mut self, req: &Request<'_>, catalog: &dyn Catalog) {
        self.stats.requests += 1;
        let cseq = req.headers.get("CSeq").map(str::to_owned);
        let answer = match &cseq {
            None => Some(error(StatusCode::BAD_REQUEST, "the request has no CSeq header")),
            Some(_) if req.version != Version::Rtsp10 => Some(error(
                StatusCode::new(505).unwrap_or(StatusCode::BAD_REQUEST),
                "only RTSP/1.0 is served",
            )),
            Some(cseq) => self.answer(req, catalog, cseq),
        };
        if let Some(answer) = answer {
            self.finish_answer(answer, cseq);
        }
    }

    fn answer(&mut self, req: &Request<'_>, catalog: &dyn Catalog, cseq: &str) -> Option<Answer> {
        if let Err(answer) = self.check_session_header(req) {
            return Some(answer);
        }
        let answer = match req.method {
            Method::Options => Ok(Response::new(StatusCode::OK).with_header("Public", PUBLIC)),
            Method::Describe => self.describe(req, catalog),
            Method::Setup => self.setup(req, catalog),
            Method::Play => return self.play(req, catalog, cseq).unwrap_or_else(Some),
            Method::Pause => self.pause(req, catalog),
            Method::Teardown => self.teardown(req, catalog),
            Method::GetParameter | Method::SetParameter => self.parameter(req, catalog),
            Method::Announce | Method::Record | Method::Redirect => {
                Err(error(StatusCode::METHOD_NOT_ALLOWED, "this server only plays streams")
                    .with_header("Allow", PUBLIC))
            }
            Method::Extension(_) => Err(error(not_implemented(), "unknown method")),
        };
        Some(answer.unwrap_or_else(|e| e))
    }

    /// A request naming a session must name ours (RFC 2326 12.37).
    fn check_session_header(&self, req: &Request<'_>) -> Result<(), Answer> {
        let Some(value) = req.headers.get("Session") else { return Ok(()) };
        let id = value.split(';').next().unwrap_or("").trim();
        match &self.state {
            Some(state) if state.id == id => Ok(()),
            _ => Err(error(StatusCode::SESSION_NOT_FOUND, "no such session on this connection")),
        }
    }

    /// The mount a request is about, authorised; `Err` is the answer to send instead.
    fn authorised<'c>(
        &mut self,
        req: &Request<'_>,
        catalog: &'c dyn Catalog,
    ) -> Result<(Url, &'c Mount, bool), Answer> {
        let url =
            Url::parse(&req.uri).map_err(|e| error(StatusCode::BAD_REQUEST, &format!("Request-URI: {e}")))?;
        let (mount, track) = split_path(catalog, url.path())
            .ok_or_else(|| error(StatusCode::NOT_FOUND, &format!("no stream at {}", url.path())))?;
        if !mount.encryption.allows(self.conn.transport.tls) {
            let why = if self.conn.transport.tls {
                "this stream is served over plain RTSP only (rtsp://): encryption = \"no\""
            } else {
                "RTSPS required: this stream is served inside TLS only (rtsps://): encryption = \"strict\""
            };
            return Err(error(StatusCode::FORBIDDEN, why));
        }
        if mount.srtp.mode.is_on() && !self.conn.transport.tls && !mount.srtp.allow_cleartext_keys {
            return Err(error(
                StatusCode::FORBIDDEN,
                "this stream's SRTP keys would cross plain RTSP in clear: use rtsps:// (or configure \
                 allow_srtp_cleartext_keys = true)",
            ));
        }
        if let Some(policy) = &mount.auth {
            let random: [u8; 12] = self.rng.block()[..12].try_into().unwrap_or([0; 12]);
            let unix = self.unix();
            let guard = self
                .guards
                .entry(mount.path.clone())
                .or_insert_with(|| Guard::new(policy, &self.config.digest_key, self.conn.transport.tls));
            let authorization = req.headers.get("Authorization");
            let method = req.method.as_str();
            let replay = &*self.config.replay;
            match guard.check(policy, method, &req.uri, authorization, unix, &random, replay) {
                AuthOutcome::Accepted(user) => self.stats.user = Some(user),
                AuthOutcome::Challenge { values, why } => {
                    let mut answer = error(StatusCode::UNAUTHORIZED, why);
                    for value in values {
                        answer.headers.append("WWW-Authenticate", value);
                    }
                    return Err(answer);
                }
            }
        }
        Ok((url, mount, track))
    }

    /// `rtsps://host:port/mount/` for this connection: TLS sessions get `rtsps://` whatever the client wrote,
    /// so that the URLs a client follows never downgrade it.
    fn base_url(&self, url: &Url, mount: &Mount) -> String {
        let scheme = if self.conn.transport.tls { Scheme::Rtsps } else { Scheme::Rtsp };
        let host = match url.host() {
            Host::Ipv6(ip) => format!("[{ip}]"),
            other => other.to_string(),
        };
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{host}{port}/{}/", scheme.as_str(), mount.path)
    }

    fn describe(&mut self, req: &Request<'_>, catalog: &dyn Catalog) -> Result<Answer, Answer> {
        let (url, mount, _) = self.authorised(req, catalog)?;
        if let Some(accept) = req.headers.get("Accept")
            && !accept.split(',').any(|t| {
                let t = t.split(';').next().unwrap_or("").trim();
                t.eq_ignore_ascii_case("application/sdp")
                    || t == "*/*"
                    || t.eq_ignore_ascii_case("application/*")
            })
        {
            return Err(error(
                StatusCode::new(406).unwrap_or(StatusCode::BAD_REQUEST),
                "only application/sdp",
            ));
        }
        let keys = if mount.srtp.mode.is_on() { Some(self.keys_for(mount)?.clone()) } else { None };
        let sdp = describe_keyed(mount, self.conn.local.ip(), &self.config.server, keys.as_ref());
        Ok(Response::new(StatusCode::OK)
            .with_header("Content-Base", self.base_url(&url, mount))
            .with_header("Content-Type", "application/sdp")
            .with_body(sdp.into_bytes()))
    }

    fn setup(&mut self, req: &Request<'_>, catalog: &dyn Catalog) -> Result<Answer, Answer> {
        let (url, mount, _) = self.authorised(req, catalog)?;
        if let Some(state) = &self.state {
            if state.mount != mount.path {
                return Err(error(
                    StatusCode::new(459).unwrap_or(StatusCode::BAD_REQUEST),
                    "one stream per session: TEARDOWN first",
                ));
            }
            if state.playing.is_some() {
                return Err(error(
                    StatusCode::METHOD_NOT_VALID_IN_THIS_STATE,
                    "the transport cannot change while playing",
                ));
            }
            if req.headers.get("Session").is_none() {
                return Err(error(
                    StatusCode::METHOD_NOT_VALID_IN_THIS_STATE,
                    "this connection has a session: send its Session header",
                ));
            }
        }
        let offers = match req.headers.typed::<Transport>() {
            Ok(Some(Transport(offers))) => offers,
            Ok(None) => {
                return Err(error(StatusCode::UNSUPPORTED_TRANSPORT, "SETUP without a Transport header"));
            }
            Err(e) => return Err(error(StatusCode::BAD_REQUEST, &e.to_string())),
        };
        let srtp = mount.srtp.mode.is_on();
        let (delivery, answer_spec) =
            negotiate(&offers, self.conn.transport, self.conn.peer.ip(), mount.ssrc, srtp)
                .map_err(|refusal| error(StatusCode::UNSUPPORTED_TRANSPORT, &refusal.0))?;
        let mut key_mgmt = None;
        let srtp = if srtp {
            let described = self.offered.as_ref().is_some_and(|k| k.mount == mount.path);
            if !described && !mount.srtp.mode.mikey() {
                return Err(error(
                    StatusCode::METHOD_NOT_VALID_IN_THIS_STATE,
                    "DESCRIBE first: this stream's SDES keys travel in the SDP only",
                ));
            }
            let keys = self.keys_for(mount)?.clone();
            if !described && let Some(mikey) = &keys.mikey {
                // RFC 4567 section 7.1: keys for a SETUP that no DESCRIBE announced.
                let uri = format!("{}{VIDEO_CONTROL}", self.base_url(&url, mount));
                key_mgmt = Some(format!("prot=mikey; uri=\"{uri}\"; data=\"{mikey}\""));
            }
            let inbound = client_context(req.headers.get("KeyMgmt"), &keys.key);
            Some(SessionSrtp { key: keys.key, inbound })
        } else {
            None
        };
        let id = match &self.state {
            Some(state) => state.id.clone(),
            None => hex(&self.rng.block()[..8]),
        };
        let state = RtspState { id: id.clone(), mount: mount.path.clone(), delivery, playing: None, srtp };
        self.state = Some(state);
        let timeout = self.config.session_timeout.as_secs();
        let mut answer = Response::new(StatusCode::OK)
            .with_header("Session", format!("{id};timeout={timeout}"))
            .with_header("Transport", Transport(vec![answer_spec]).to_value());
        if let Some(value) = key_mgmt {
            answer.headers.set("KeyMgmt", value);
        }
        Ok(answer)
    }

    /// The SRTP keys of `mount` on this connection: the ones already offered, else fresh ones from the key
    /// source (500 without one, or when it fails).
    fn keys_for(&mut self, mount: &Mount) -> Result<&OfferedKeys, Answer> {
        if self.offered.as_ref().is_none_or(|k| k.mount != mount.path) {
            let Some(source) = self.config.keys.clone() else {
                return Err(error(StatusCode::INTERNAL_SERVER_ERROR, "SRTP stream, but no key source"));
            };
            let block = self.rng.block();
            let [c0, c1, c2, c3, r @ ..] = block;
            let mut rand = [0u8; 16];
            rand.iter_mut().zip(r).for_each(|(d, s)| *d = s);
            let ctx = OfferContext {
                ssrc: mount.ssrc,
                unix_secs: self.unix().0,
                csb_id: u32::from_be_bytes([c0, c1, c2, c3]),
                rand,
            };
            let keys = offer(&source, &mount.path, mount.srtp, ctx)
                .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, &format!("SRTP keys: {e}")))?;
            self.offered = Some(keys);
        }
        self.offered
            .as_ref()
            .ok_or_else(|| error(StatusCode::INTERNAL_SERVER_ERROR, "SRTP keys: none offered"))
    }

    /// `Ok(None)`: accepted, and the answer waits for the stream ([`Output::Subscribe`]).
    fn play(
        &mut self,
        req: &Request<'_>,
        catalog: &dyn Catalog,
        cseq: &str,
    ) -> Result<Option<Answer>, Answer> {
        let (url, mount, _) = self.authorised(req, catalog)?;
        let Some(state) = &self.state else {
            return Err(error(StatusCode::SESSION_NOT_FOUND, "PLAY before SETUP"));
        };
        if req.headers.get("Session").is_none() {
            return Err(error(StatusCode::SESSION_NOT_FOUND, "PLAY without a Session header"));
        }
        if state.mount != mount.path {
            return Err(error(StatusCode::NOT_FOUND, "this session plays another stream"));
        }
        match req.headers.typed::<Range>() {
            Ok(None) | Ok(Some(Range { spec: RangeSpec::Npt { .. }, .. })) => {}
            Ok(Some(_)) | Err(_) => {
                return Err(error(
                    StatusCode::new(457).unwrap_or(StatusCode::BAD_REQUEST),
                    "live stream: only an npt Range is understood",
                ));
            }
        }
        let track_url = format!("{}{VIDEO_CONTROL}", self.base_url(&url, mount));
        if let Some(position) = state.playing {
            // Already playing: nothing changes, and RTP-Info still names the stream's first packet.
            return Ok(Some(play_answer(&state.id, &track_url, position)));
        }
        self.pending = Some(PendingPlay { cseq: cseq.to_owned(), track_url });
        self.out.push_back(Output::Subscribe { mount: mount.path.clone() });
        Ok(None)
    }

    fn pause(&mut self, req: &Request<'_>, catalog: &dyn Catalog) -> Result<Answer, Answer> {
        self.authorised(req, catalog)?;
        let Some(state) = &mut self.state else {
            return Err(error(StatusCode::SESSION_NOT_FOUND, "PAUSE without a session"));
        };
        if state.playing.take().is_some() {
            self.out.push_back(Output::Pause);
        }
        Ok(Response::new(StatusCode::OK).with_header("Session", state.id.clone()))
    }

    fn teardown(&mut self, req: &Request<'_>, catalog: &dyn Catalog) -> Result<Answer, Answer> {
        self.authorised(req, catalog)?;
        if self.state.take().is_none() {
            return Err(error(StatusCode::SESSION_NOT_FOUND, "TEARDOWN without a session"));
        }
        // A later session gets fresh keys: its sender context restarts at ROC 0.
        self.offered = None;
        self.out.push_back(Output::Stop);
        Ok(Response::new(StatusCode::OK))
    }

    /// GET_PARAMETER / SET_PARAMETER: an empty one is a keep-alive; no parameters are served.
    fn parameter(&mut self, req: &Request<'_>, catalog: &dyn Catalog) -> Result<Answer, Answer> {
        if req.uri != "*" {
            self.authorised(req, catalog)?;
        }
        if !req.body.iter().all(u8::is_ascii_whitespace) {
            return Err(error(
                StatusCode::new(451).unwrap_or(StatusCode::BAD_REQUEST),
                "no parameters are served",
            ));
        }
        let mut answer = Response::new(StatusCode::OK);
        if let Some(state) = &self.state {
            answer.headers.set("Session", state.id.clone());
        }
        Ok(answer)
    }
}

/// An error answer whose body says why, in one line of text (what curl-style tools and logs show).
pub(super) fn error(status: StatusCode, why: &str) -> Answer {
    let why: String = why.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    Response::new(status)
        .with_header("Content-Type", "text/plain")
        .with_body(format!("{why}\r\n").into_bytes())
}

fn not_implemented() -> StatusCode {
    StatusCode::new(501).unwrap_or(StatusCode::BAD_REQUEST)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
