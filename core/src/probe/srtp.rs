//! Secure RTP in the probe: a track's keys, read from the description (`a=key-mgmt:mikey`, `a=crypto`) or the
//! SETUP answer (`KeyMgmt` header), the SRTP/SRTCP context they set up, every packet authenticated and
//! decrypted before the statistics and codec analysis see it, and what that showed (`transport.srtp_*`,
//! `rtp.srtp_*`, `rtcp.srtp_*`, the track's [`SrtpFacts`]).
//!
//! One context per track receives the server's SSRCs and also protects our receiver reports under our own
//! SSRC: live555's and FFmpeg's receivers use the one master key for both directions, and a distinct SSRC keeps
//! the keystreams apart (RFC 3711 section 9.1). Servers that expect the client's own key (GStreamer reads a
//! `KeyMgmt` from the client) drop our reports, which costs nothing but their RTCP view of us.

use crate::diagnose::codes;
use crate::diagnose::facts::SrtpFacts;
use crate::mikey::{DataType, Message};
use crate::sdp::{Media, SessionDescription};
use crate::srtp::sdes::{CryptoAttribute, CryptoSuite};
use crate::srtp::{SrtpContext, SrtpError};
use crate::{Finding, Severity};

/// After a SETUP answer with a plain profile, this many packets failing authentication (and none passing) mean
/// the media is plain RTP after all.
const PLAIN_AFTER_FAILURES: u64 = 8;

/// At most this many failed packets are tried against the neighbouring rollover counters (each try is two
/// HMACs): enough to tell a ROC mismatch from a wrong key, bounded against a flood of forged packets.
const ROC_TRIES: u32 = 8;

/// How the keys were handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// `a=key-mgmt:mikey` in the description.
    SdpMikey,
    /// `a=crypto` (SDES) in the description.
    SdpSdes,
    /// `KeyMgmt: prot=mikey` in the SETUP answer.
    HeaderMikey,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::SdpMikey => "sdp_mikey",
            Origin::SdpSdes => "sdp_sdes",
            Origin::HeaderMikey => "keymgmt_header",
        }
    }

    /// Words for statements: where the keys travelled.
    fn words(self) -> &'static str {
        match self {
            Origin::SdpMikey => "MIKEY in the description",
            Origin::SdpSdes => "SDES (a=crypto) in the description",
            Origin::HeaderMikey => "MIKEY in the SETUP answer",
        }
    }
}

/// What the key management gave.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Keys {
    /// A context is ready.
    Ready,
    /// Nothing to read.
    Missing,
    /// Something that does not parse: where, and why.
    Bad { source: &'static str, error: String },
    /// Readable, but not something rtspeek implements.
    Unsupported { source: &'static str, what: String },
}

/// SRTP state of one track whose media section uses a secure profile.
#[derive(Debug)]
pub(crate) struct TrackSrtp {
    /// The profile of the media line (`SAVP`, `SAVPF`): what SETUP asks for.
    pub(crate) profile: String,
    keys: Keys,
    origin: Option<Origin>,
    /// MIKEY's message type (`null`: PSK mode with the KEMAC in clear, as live555 and GStreamer send).
    mikey_mode: Option<&'static str>,
    /// The key is bound to an MKI.
    mki: bool,
    ctx: Option<SrtpContext>,
    /// Whether the keys travelled in clear text (SDES, MIKEY-NULL) rather than under a key of their own.
    keys_readable: bool,
    /// The server answered SETUP with a plain profile (live555 does while sending SRTP).
    answered_plain: bool,
    /// After a plain answer, the first packets failed authentication: the media is plain RTP after all.
    plain_after_all: bool,
    /// Packets that arrived while no key was usable.
    undecryptable: u64,
    /// A ROC that verified a packet the context's own estimate did not: (estimated, found).
    roc_mismatch: Option<(u32, u32)>,
    roc_tries: u32,
    /// The first error of each kind, for evidence.
    first_auth_failure: Option<String>,
}

impl TrackSrtp {
    /// The SRTP state of `media` if its profile is secure, keys read from the media section, then the session.
    pub(crate) fn from_description(sdp: &SessionDescription<'_>, media: &Media<'_, '_>) -> Option<TrackSrtp> {
        let line = media.media_line();
        if !line.is_srtp() {
            return None;
        }
        let profile = media
            .proto()
            .rsplit('/')
            .find(|p| p.eq_ignore_ascii_case("SAVP") || p.eq_ignore_ascii_case("SAVPF"))
            .unwrap_or("SAVP")
            .to_ascii_uppercase();
        let mut track = TrackSrtp {
            profile,
            keys: Keys::Missing,
            origin: None,
            mikey_mode: None,
            mki: false,
            ctx: None,
            keys_readable: false,
            answered_plain: false,
            plain_after_all: false,
            undecryptable: 0,
            roc_mismatch: None,
            roc_tries: 0,
            first_auth_failure: None,
        };
        let mikey =
            media.section().key_mgmt().chain(sdp.session().key_mgmt()).find(|k| k.protocol == "mikey");
        if let Some(k) = mikey {
            track.mikey(k.data, Origin::SdpMikey, "a=key-mgmt:mikey");
        }
        if track.keys != Keys::Ready {
            let sdes: Vec<&str> =
                media.section().attributes_named("crypto").filter_map(|a| a.value).collect();
            track.sdes(&sdes);
        }
        Some(track)
    }

    /// Reads a MIKEY message (base64), keeping the first problem if no key results.
    fn mikey(&mut self, data: &str, origin: Origin, source: &'static str) {
        let message = match Message::from_key_mgmt(data) {
            Ok(m) => m,
            Err(e) => return self.worse(Keys::Bad { source, error: e.to_string() }),
        };
        let mode = match message.header.data_type {
            DataType::PskInit if message.keys_in_clear() => "null",
            DataType::PskInit => "psk",
            DataType::PkInit => "public_key",
            DataType::DhInit => "dh",
            _ => "other",
        };
        if mode != "null" {
            let what =
                format!("MIKEY in {mode} mode: its keys are not readable without a secret rtspeek lacks");
            return self.worse(Keys::Unsupported { source, what });
        }
        // A policy naming a suite rtspeek lacks is unsupported; anything else failing is unreadable.
        if let Err(e) = message.suite_of(0) {
            return self.worse(Keys::Unsupported { source, what: format!("MIKEY policy: {e}") });
        }
        match message.srtp_context() {
            Ok(ctx) => {
                self.mki = matches!(
                    message.kemac().and_then(|k| k.keys.first()).map(|k| &k.validity),
                    Some(crate::mikey::KeyValidity::Spi(_))
                );
                self.ready(ctx, origin, Some(mode));
            }
            Err(e) => self.worse(Keys::Bad { source, error: e.to_string() }),
        }
    }

    /// Reads `a=crypto` values: the first one that sets up a context wins.
    fn sdes(&mut self, values: &[&str]) {
        for value in values {
            let attr = match CryptoAttribute::parse(value) {
                Ok(a) => a,
                Err(e) => {
                    self.worse(Keys::Bad { source: "a=crypto", error: e.to_string() });
                    continue;
                }
            };
            match (&attr.suite, attr.context()) {
                (_, Ok(ctx)) => {
                    self.mki = attr.keys.first().is_some_and(|k| k.mki.is_some());
                    return self.ready(ctx, Origin::SdpSdes, None);
                }
                (CryptoSuite::Other(name), Err(_)) => {
                    self.worse(Keys::Unsupported { source: "a=crypto", what: format!("crypto suite {name}") })
                }
                // `context()` refuses session parameters it does not implement (UNAUTHENTICATED_SRTP, a KDR):
                // readable, unsupported. Any other field failing is unreadable.
                (CryptoSuite::Known(_), Err(e)) if e.field == "session-params" => {
                    self.worse(Keys::Unsupported { source: "a=crypto", what: e.to_string() });
                }
                (CryptoSuite::Known(_), Err(e)) => {
                    self.worse(Keys::Bad { source: "a=crypto", error: e.to_string() });
                }
            }
        }
    }

    fn ready(&mut self, ctx: SrtpContext, origin: Origin, mode: Option<&'static str>) {
        self.ctx = Some(ctx);
        self.keys = Keys::Ready;
        self.origin = Some(origin);
        self.mikey_mode = mode;
        self.keys_readable = true;
    }

    /// Keeps the most telling problem: unreadable beats unsupported beats missing.
    fn worse(&mut self, keys: Keys) {
        let rank = |k: &Keys| match k {
            Keys::Ready => 3,
            Keys::Bad { .. } => 2,
            Keys::Unsupported { .. } => 1,
            Keys::Missing => 0,
        };
        if rank(&keys) > rank(&self.keys) {
            self.keys = keys;
        }
    }

    /// The SETUP answer: a `KeyMgmt` header brings keys the description lacked. A plain profile in the answer
    /// is noted, but the packets decide: live555 answers `RTP/AVP` and sends SRTP.
    pub(crate) fn setup_answer(&mut self, key_mgmt: Option<&str>, secure_profile: bool) {
        self.answered_plain |= !secure_profile;
        if let Some(value) = key_mgmt
            && self.keys != Keys::Ready
        {
            self.mikey(value, Origin::HeaderMikey, "KeyMgmt header");
        }
    }

    /// Whether packets go through SRTP: yes, unless the server answered a plain profile and its first packets
    /// showed it meant it.
    pub(crate) fn active(&self) -> bool {
        !self.plain_after_all
    }

    /// Authenticates and decrypts an SRTP packet into `out`. `false`: the packet is dropped (counted).
    pub(crate) fn unprotect_rtp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> bool {
        let Some(ctx) = &mut self.ctx else {
            self.undecryptable += 1;
            return false;
        };
        match ctx.unprotect_rtp_into(packet, out) {
            Ok(()) => true,
            Err(e @ SrtpError::AuthFailed { roc, .. }) => {
                let n = ctx.counters();
                if self.answered_plain && n.rtp_ok == 0 && n.auth_failures >= PLAIN_AFTER_FAILURES {
                    // The answer said RTP/AVP and nothing verifies: take it at its word from here on.
                    self.plain_after_all = true;
                    out.clear();
                    out.extend_from_slice(packet);
                    return true;
                }
                if self.first_auth_failure.is_none() {
                    self.first_auth_failure = Some(e.to_string());
                }
                if self.roc_mismatch.is_none() && self.roc_tries < ROC_TRIES {
                    self.roc_tries += 1;
                    self.roc_mismatch = ctx.try_roc_neighbours(packet).map(|found| (roc, found));
                }
                false
            }
            Err(_) => false,
        }
    }

    /// Authenticates (and decrypts) an SRTCP packet; `None`: dropped (counted).
    pub(crate) fn unprotect_rtcp(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        match &mut self.ctx {
            Some(ctx) => ctx.unprotect_rtcp(packet).ok(),
            None => {
                self.undecryptable += 1;
                None
            }
        }
    }

    /// Protects our receiver report as SRTCP; `None` when there is no key (nothing is sent then: a plain
    /// report would be refused by the server and says nothing).
    pub(crate) fn protect_rtcp(&mut self, report: &[u8]) -> Option<Vec<u8>> {
        self.ctx.as_mut()?.protect_rtcp(report).ok()
    }

    /// Whether a key is ready.
    pub(crate) fn keys_ready(&self) -> bool {
        self.keys == Keys::Ready
    }

    /// Whether any packet arrived, decrypted or not.
    pub(crate) fn heard(&self) -> bool {
        self.undecryptable > 0
            || self.ctx.as_ref().is_some_and(|c| {
                let n = c.counters();
                n.rtp_ok + n.rtcp_ok + n.auth_failures + n.rtcp_auth_failures + n.replays + n.malformed > 0
            })
    }

    /// Whether the keys crossed the network readable by anyone who saw the RTSP exchange.
    pub(crate) fn keys_in_clear(&self, tls: bool) -> bool {
        !tls && self.keys == Keys::Ready && self.keys_readable && self.active()
    }

    /// One phrase for the media-security statement.
    pub(crate) fn protection_words(&self, tls: bool) -> String {
        let suite = self.ctx.as_ref().map_or("", |c| c.suite().sdes_name());
        match (self.origin, tls) {
            (Some(origin), true) => format!("SRTP ({suite}), keys from {} inside TLS", origin.words()),
            (Some(origin), false) => {
                format!("SRTP ({suite}), but its keys crossed the network in clear ({})", origin.words())
            }
            (None, _) => "SRTP whose keys rtspeek could not use".to_owned(),
        }
    }

    /// Findings about the keys, once every SETUP is answered: `track` names the track in the evidence.
    pub(crate) fn key_findings(&self, track: &str, tls: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        let f = match &self.keys {
            Keys::Ready if self.keys_in_clear(tls) => {
                let how = self.origin.map_or("", Origin::words);
                Finding::new(
                    codes::TRANSPORT_SRTP_KEYS_IN_CLEAR,
                    format!(
                        "the {track} is SRTP, but its keys came over rtsp:// without TLS ({how}): anyone who saw \
                         the RTSP exchange can decrypt the media"
                    ),
                )
            }
            Keys::Ready => return out,
            Keys::Missing => Finding::new(
                codes::TRANSPORT_SRTP_NO_KEYS,
                format!(
                    "the {track} uses RTP/{} but neither the description nor the SETUP answer gives its keys",
                    self.profile
                ),
            ),
            Keys::Bad { source, error } => Finding::new(
                codes::TRANSPORT_SRTP_BAD_KEYS,
                format!("the {track}'s SRTP keys cannot be read from {source}: {error}"),
            )
            .with_evidence("source", *source)
            .with_evidence("error", error.clone()),
            Keys::Unsupported { source, what } => Finding::new(
                codes::TRANSPORT_SRTP_UNSUPPORTED,
                format!("the {track}'s SRTP keys ({source}) use {what}"),
            )
            .with_evidence("source", *source),
        };
        out.push(f.with_evidence("track", track.to_owned()));
        out
    }

    /// After the window, what the packets said about a plain SETUP answer.
    pub(crate) fn profile_evidence(&self) -> Option<&'static str> {
        if !self.answered_plain {
            return None;
        }
        let verified = self.ctx.as_ref().is_some_and(|c| c.counters().rtp_ok > 0);
        Some(if self.plain_after_all {
            "the packets were plain RTP: the answer was right and the description wrong"
        } else if verified {
            "the packets were SRTP all the same: clients that follow the answer cannot play them"
        } else {
            "no packet settled it"
        })
    }

    /// Findings about the media the window showed.
    pub(crate) fn media_findings(&self, track: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(packets) = self.profile_evidence() {
            out.push(
                Finding::new(
                    codes::TRANSPORT_SRTP_PROFILE_CHANGED,
                    format!(
                        "the {track} is RTP/{} in the description but the SETUP answer says RTP/AVP",
                        self.profile
                    ),
                )
                .with_evidence("packets", packets),
            );
        }
        let Some(ctx) = self.ctx.as_ref().filter(|_| self.active()) else { return out };
        let n = ctx.counters();
        // The track's evidence is added by the caller, as for every media finding.
        if let Some((estimated, found)) = self.roc_mismatch {
            out.push(Finding::new(
                codes::RTP_SRTP_ROC_MISMATCH,
                format!(
                    "SRTP packets of the {track} verify only with rollover counter {found}, not {estimated}: the \
                     sender's ROC was not announced"
                ),
            )
            .with_evidence("estimated_roc", estimated.to_string())
            .with_evidence("verifying_roc", found.to_string()),
            );
        }
        let failed = n.auth_failures + n.rtcp_auth_failures;
        if failed > 0 && self.roc_mismatch.is_none() {
            let total = failed + n.rtp_ok + n.rtcp_ok;
            let mut f = Finding::new(
                codes::RTP_SRTP_AUTH_FAILED,
                format!("{failed} of {total} SRTP/SRTCP packets of the {track} failed authentication"),
            )
            .with_evidence("rtp_failed", n.auth_failures.to_string())
            .with_evidence("rtcp_failed", n.rtcp_auth_failures.to_string())
            .with_evidence("authenticated", (n.rtp_ok + n.rtcp_ok).to_string());
            if let Some(first) = &self.first_auth_failure {
                f = f.with_evidence("first_failure", first.clone());
            }
            if n.rtp_ok > 0 {
                // Most packets verify: the keys are right, some packets were damaged or forged.
                f = f.with_severity(Severity::Warning).with_detail(
                    "Most packets verify, so the keys are right: the failing ones were corrupted or altered on \
                     the way (or injected).",
                );
            }
            out.push(f);
        }
        if n.lifetime_exceeded > 0 {
            out.push(
                Finding::new(
                    codes::RTP_SRTP_KEY_LIFETIME,
                    format!(
                        "{} packets of the {track} came after the SRTP key's lifetime was used up",
                        n.lifetime_exceeded
                    ),
                )
                .with_evidence("refused", n.lifetime_exceeded.to_string()),
            );
        }
        if n.rtcp_unencrypted > 0 {
            out.push(Finding::new(
                codes::RTCP_SRTP_UNENCRYPTED,
                format!(
                    "{} of {} SRTCP packets of the {track} came with encryption off (RTCP readable on the path)",
                    n.rtcp_unencrypted, n.rtcp_ok
                ),
            ));
        }
        out
    }

    /// The facts of the track's SRTP.
    pub(crate) fn facts(&self) -> SrtpFacts {
        SrtpFacts {
            profile: format!("RTP/{}", self.profile),
            keys: match &self.keys {
                Keys::Ready => "ready",
                Keys::Missing => "missing",
                Keys::Bad { .. } => "unreadable",
                Keys::Unsupported { .. } => "unsupported",
            }
            .to_owned(),
            keys_from: self.origin.map(|o| o.as_str().to_owned()),
            mikey_mode: self.mikey_mode.map(str::to_owned),
            suite: self.ctx.as_ref().map(|c| c.suite().sdes_name().to_owned()),
            mki: self.mki,
            server_kept_profile: !self.answered_plain,
            undecryptable: self.undecryptable,
            counters: self.ctx.as_ref().map(|c| *c.counters()),
            roc_mismatch: self.roc_mismatch.map(|(_, found)| found),
        }
    }
}
