//! The upstream camera: its URL and credentials (the password kept out of every URL, log and error), and one
//! connection with retina: DESCRIBE, SETUP of the first H.264/H.265 video stream over TCP, PLAY, and the
//! parameter sets from the SDP or the first frame.

use std::time::Duration;

use futures::StreamExt;
use retina::client::{
    Credentials, Demuxed, PlayOptions, Session, SessionOptions, SetupOptions, TcpTransportOptions, Transport,
};
use retina::codec::{
    CodecItem, FrameFormat, ParameterSetInsertion, ParametersRef, VideoFrame, VideoParameters,
};
use rtspeek_core::codec::{Codec, decoder_config};
use rtspeek_core::rtsp::url::{Host, Scheme, Secret, Url, redact_text};

use super::error::{ConnectError, FIRST_FRAME, ParamsError, RelayError};

/// The frame rate announced when neither the SDP nor the SPS timing says.
const DEFAULT_FRAME_RATE: f64 = 25.0;

/// Where the camera is and how to log in; the password stays in a [`Secret`].
pub(super) struct Upstream {
    /// The URL without userinfo, as retina wants it.
    pub(super) url: url::Url,
    pub(super) user: Option<String>,
    pub(super) password: Secret<String>,
    /// The configured URL with the password masked, for logs and errors.
    pub(super) shown: String,
    pub(super) timeout: Duration,
}

/// One playing upstream session.
pub(super) struct Live {
    pub(super) demuxed: Demuxed,
    pub(super) stream_id: usize,
    pub(super) codec: Codec,
    /// The parameter sets keyframes must carry: the first ones, then whatever the camera changed them to.
    pub(super) params: ParamSets,
    /// The frame read by [`Upstream::connect`] while waiting for parameters the SDP did not carry.
    pub(super) pending: Option<VideoFrame>,
}

/// What one connection learned about the stream.
pub(super) struct Described {
    pub(super) codec: Codec,
    pub(super) params: ParamSets,
    pub(super) frame_rate: f64,
}

/// Parameter sets from a decoder configuration record, without start codes, in decoding order (VPS, SPS, PPS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ParamSets {
    pub(super) sets: Vec<Vec<u8>>,
    /// Bytes of each NAL unit's length prefix in frames (lengthSizeMinusOne + 1).
    pub(super) length_size: usize,
}

/// Runs one step of the connection within `timeout`, naming the step in any error.
async fn step<T>(
    name: &'static str,
    timeout: Duration,
    up: &Upstream,
    work: impl Future<Output = Result<T, retina::Error>>,
) -> Result<T, ConnectError> {
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(ConnectError::Failed { step: name, message: up.scrub(&e.to_string()) }),
        Err(_) => Err(ConnectError::Timeout { step: name, timeout }),
    }
}

impl Upstream {
    pub(super) fn from_url(text: &str, timeout: Duration) -> Result<Upstream, RelayError> {
        let parsed = checked_url(text)?;
        let shown = parsed.redacted().to_string();
        let url = match url::Url::parse(&parsed.without_credentials().to_string()) {
            Ok(url) => url,
            Err(e) => return Err(RelayError::Unusable { shown, reason: e.to_string() }),
        };
        let (user, password) = match parsed.credentials() {
            Some(c) => (Some(c.user.clone()), c.password.clone().unwrap_or_default()),
            None => (None, Secret::default()),
        };
        Ok(Upstream { url, user, password, shown, timeout })
    }

    /// Masks the password anywhere in a message from retina (it never gets the password in a URL, but a
    /// message may quote a header or a URL).
    pub(super) fn scrub(&self, message: &str) -> String {
        let mut out = redact_text(message).into_owned();
        let password = self.password.expose();
        // A one- or two-character password would mask unrelated letters; retina never quotes it anyway.
        if password.len() >= 3 {
            out = out.replace(password.as_str(), "***");
        }
        // retina's messages span lines (the connection and packet context): keep a log line one line.
        out.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
    }

    /// Connects, DESCRIBEs, SETUPs the first H.264/H.265 video stream over TCP and PLAYs; learns the parameter
    /// sets from the SDP or, failing that, from the first frame.
    pub(super) async fn connect(&self) -> Result<(Live, Described), ConnectError> {
        let timeout = self.timeout;
        let creds = self
            .user
            .as_ref()
            .map(|user| Credentials { username: user.clone(), password: self.password.expose().clone() });
        let options = SessionOptions::default()
            .creds(creds)
            .user_agent(format!("rtspeek/{}", env!("CARGO_PKG_VERSION")));
        let mut session =
            step("connect and DESCRIBE", timeout, self, Session::describe(self.url.clone(), options)).await?;

        let streams = session.streams();
        let chosen = streams
            .iter()
            .enumerate()
            .find(|(_, s)| s.media() == "video" && matches!(s.encoding_name(), "h264" | "h265"));
        let Some((stream_id, stream)) = chosen else {
            let found: Vec<String> =
                streams.iter().map(|s| format!("{}/{}", s.media(), s.encoding_name())).collect();
            return Err(ConnectError::NoVideo { found: found.join(", ") });
        };
        let codec = if stream.encoding_name() == "h265" { Codec::H265 } else { Codec::H264 };
        let sdp_fps = stream.framerate().map(f64::from).filter(|f| plausible_fps(*f));

        // Length-prefixed frames and avcC/hvcC extra data; the parameter sets go in front of keyframes by the
        // relay (core's `ensure_parameter_sets`), not by retina, which would put them before a delimiter.
        let format =
            FrameFormat { parameter_set_insertion: ParameterSetInsertion::Never, ..FrameFormat::MP4 };
        let setup = SetupOptions::default()
            .transport(Transport::Tcp(TcpTransportOptions::default()))
            .frame_format(format);
        step("SETUP", timeout, self, session.setup(stream_id, setup)).await?;
        let playing = step("PLAY", timeout, self, session.play(PlayOptions::default())).await?;
        let mut demuxed = playing
            .demuxed()
            .map_err(|e| ConnectError::Failed { step: "PLAY", message: self.scrub(&e.to_string()) })?;

        let mut pending = None;
        let video = match video_parameters(&demuxed, stream_id) {
            Some(video) => video,
            None => {
                // No sprop-parameter-sets in the SDP: they come in-band with the first frame.
                let deadline = tokio::time::Instant::now() + timeout;
                loop {
                    let item = match tokio::time::timeout_at(deadline, demuxed.next()).await {
                        Err(_) => return Err(ConnectError::NoFirstFrame { timeout }),
                        Ok(None) => return Err(ConnectError::Ended { step: FIRST_FRAME }),
                        Ok(Some(Err(e))) => {
                            let message = self.scrub(&e.to_string());
                            return Err(ConnectError::Failed { step: FIRST_FRAME, message });
                        }
                        Ok(Some(Ok(item))) => item,
                    };
                    if let CodecItem::VideoFrame(frame) = item
                        && frame.stream_id() == stream_id
                    {
                        pending = Some(frame);
                        if let Some(video) = video_parameters(&demuxed, stream_id) {
                            break video;
                        }
                    }
                }
            }
        };
        let (found, params) = video_params(&video)?;
        if found != codec {
            return Err(ConnectError::CodecMismatch { found: found.name(), expected: codec.name() });
        }
        let frame_rate =
            sdp_fps.or_else(|| fps_of(&video).filter(|f| plausible_fps(*f))).unwrap_or(DEFAULT_FRAME_RATE);
        let described = Described { codec, params: params.clone(), frame_rate };
        Ok((Live { demuxed, stream_id, codec, params, pending }, described))
    }
}

fn video_parameters(demuxed: &Demuxed, stream_id: usize) -> Option<VideoParameters> {
    match demuxed.streams().get(stream_id)?.parameters()? {
        ParametersRef::Video(video) => Some(video.clone()),
        _ => None,
    }
}

/// Codec and parameter sets of retina's video parameters (their `extra_data` is avcC/hvcC in our frame format).
pub(super) fn video_params(video: &VideoParameters) -> Result<(Codec, ParamSets), ParamsError> {
    let codec = codec_of(video.rfc6381_codec())
        .ok_or_else(|| ParamsError::Codec(video.rfc6381_codec().to_owned()))?;
    let record = decoder_config::parse(codec, video.extra_data())?;
    record.require_complete()?;
    let sets = record.nals().map(<[u8]>::to_vec).collect();
    Ok((codec, ParamSets { sets, length_size: usize::from(record.length_size) }))
}

fn codec_of(rfc6381: &str) -> Option<Codec> {
    let family = rfc6381.split('.').next().unwrap_or_default();
    match family {
        "avc1" | "avc3" => Some(Codec::H264),
        "hvc1" | "hev1" => Some(Codec::H265),
        _ => None,
    }
}

/// Frames per second from SPS timing: retina gives seconds per frame as a fraction.
fn fps_of(video: &VideoParameters) -> Option<f64> {
    let (num, den) = video.frame_rate()?;
    (num > 0).then(|| f64::from(den) / f64::from(num))
}

fn plausible_fps(fps: f64) -> bool {
    fps.is_finite() && fps > 0.0 && fps <= 240.0
}

/// Parses a relay URL and refuses what retina cannot reach.
fn checked_url(text: &str) -> Result<Url, RelayError> {
    // The core parser's errors quote positions, never the text, so the password cannot leak through them.
    let url = Url::parse(text)?;
    let shown = || url.redacted().to_string();
    match url.scheme() {
        Scheme::Rtsp => {}
        Scheme::Rtsps => return Err(RelayError::Rtsps { shown: shown() }),
        Scheme::Rtspu => return Err(RelayError::Rtspu { shown: shown() }),
    }
    if matches!(url.host(), Host::Domain(d) if d.is_empty()) {
        return Err(RelayError::NoHost { shown: shown() });
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_retina_cannot_reach_are_refused_without_the_password() {
        let e = Upstream::from_url("rtsps://admin:hunter22@cam.example/live", Duration::ZERO).err().unwrap();
        assert!(matches!(&e, RelayError::Rtsps { shown } if shown.contains("admin:***@cam.example")), "{e}");
        let e = Upstream::from_url("rtspu://admin:hunter22@cam.example/live", Duration::ZERO).err().unwrap();
        assert!(matches!(e, RelayError::Rtspu { .. }), "{e}");
        // Core's parser already refuses an empty host.
        let e = Upstream::from_url("rtsp://admin:hunter22@/live", Duration::ZERO).err().unwrap();
        assert!(matches!(e, RelayError::Url(_)), "{e}");
        let e = Upstream::from_url("http://admin:hunter22@cam.example/live", Duration::ZERO).err().unwrap();
        assert!(matches!(e, RelayError::Url(_)), "{e}");
    }

    #[test]
    fn credentials_go_to_retina_not_into_its_url() {
        let up = Upstream::from_url("rtsp://admin:p%40ss%20word@192.0.2.7:8554/ch1", Duration::from_secs(1))
            .unwrap();
        assert_eq!(up.url.as_str(), "rtsp://192.0.2.7:8554/ch1");
        assert_eq!(up.user.as_deref(), Some("admin"));
        assert_eq!(up.password.expose(), "p@ss word");
        assert!(!up.shown.contains("p@ss") && !up.shown.contains("p%40ss"), "{}", up.shown);
        assert_eq!(up.scrub("401 for p@ss word\n\nconn: x"), "401 for ***; conn: x");
    }

    #[test]
    fn step_errors_name_the_step() {
        let e = ConnectError::Timeout { step: "SETUP", timeout: Duration::from_millis(1500) };
        assert_eq!(e.to_string(), "SETUP: no answer within 1.5 s");
        let e = ConnectError::NoFirstFrame { timeout: Duration::from_secs(2) };
        assert_eq!(e.to_string(), "first frame (the SDP has no parameter sets): none within 2.0 s");
        let e = ConnectError::from(ParamsError::Codec("mp4v.20.9".into()));
        assert_eq!(e.to_string(), "parameter sets: codec mp4v.20.9 is not H.264 or H.265");
    }
}
