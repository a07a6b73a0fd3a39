//! What a server's challenges mean for rtspeek and for the clients people actually use.
//!
//! [`Capability`] lists every challenge offered, the Digest algorithms among them, which one rtspeek answers
//! and why, and how the RTSP stacks of common clients fare ([`AuthBehaviour::ALL`]). Their behaviour is
//! modelled from their source code:
//!
//! - **FFmpeg** (`libavformat/httpauth.c`): looks at the start of each `WWW-Authenticate` header, keeps the
//!   *last* header that starts with `Digest` (else the last `Basic` one), answers MD5 and MD5-sess with
//!   `qop=auth` (or without qop), and gives up on any other algorithm.
//! - **GStreamer** (`rtspsrc`, `gstrtspconnection.c`): reads every challenge, prefers Digest, keeps the
//!   parameters of the *last* Digest challenge, and always answers MD5 without qop (RFC 2069 style).
//! - **VLC / live555** (`RTSPClient.cpp`): keeps the last header that starts with `Digest` (else the first
//!   header), then reads it with `sscanf("Digest realm=\"%[^\"]\", nonce=\"%[^\"]\"")`: `realm` must come
//!   first and `nonce` second, both quoted, and `Digest` spelled that way. MD5 only, no qop.
//! - **MediaMTX / gortsplib** (`pkg/auth/sender.go`): MD5 and SHA-256, the strongest offered, no qop.
//! - **go2rtc** (`pkg/tcp/auth.go`): reads realm and nonce only and answers MD5 without naming the algorithm
//!   or qop, which works wherever an MD5 challenge is offered.
//! - **aiortsp** (`rtsp/auth.py`, 1.4.0): Basic when offered, else the first Digest header; MD5, SHA-256
//!   (and SHA-1, SHA-512), no qop.

use super::challenge::{Challenge, ChallengeSet, Scheme};
use super::digest::{Algorithm, DigestClient, Qop};

/// One offered challenge as rtspeek sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedChallenge {
    /// Index in [`ChallengeSet::challenges`].
    pub index: usize,
    /// The scheme.
    pub scheme: Scheme,
    /// The Digest algorithm as sent; `None` when absent (which means MD5) or not Digest.
    pub algorithm: Option<String>,
    /// Why rtspeek cannot answer it; `None` when it can.
    pub unanswerable: Option<String>,
    /// The challenge written out (evidence: it holds no credentials).
    pub text: String,
}

/// The challenge rtspeek answers, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Index in [`ChallengeSet::challenges`].
    pub index: usize,
    /// Basic or Digest.
    pub scheme: Scheme,
    /// The Digest algorithm.
    pub algorithm: Option<Algorithm>,
    /// The Digest qop (`None`: RFC 2069 style).
    pub qop: Option<Qop>,
}

/// Why a client would fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailCause {
    /// The challenge it answers uses an algorithm it cannot compute.
    Algorithm,
    /// It cannot read the challenge as laid out (parameter order, spelling, missing realm or nonce).
    Layout,
    /// No challenge of a scheme it knows.
    NoScheme,
}

/// How a common client fares with the challenges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientVerdict {
    /// It can answer.
    Works,
    /// It answers, in a way some servers refuse.
    Risky(String),
    /// It cannot authenticate.
    Fails {
        /// Why, in a category.
        cause: FailCause,
        /// Why, in words.
        reason: String,
    },
}

/// One common client's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOutcome {
    /// The client's name.
    pub client: &'static str,
    /// The challenge it would answer (index in [`ChallengeSet::challenges`]).
    pub answers: Option<usize>,
    /// How it fares.
    pub verdict: ClientVerdict,
}

/// Which challenge a client picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The first challenge of the last header starting with Digest, else of the last starting with Basic
    /// (FFmpeg's `httpauth.c`).
    LastDigestHeaderFfmpeg,
    /// The last Digest challenge anywhere, else any Basic (GStreamer).
    LastDigestChallenge,
    /// The first challenge of the last header starting with Digest, else of the first header (live555).
    LastDigestHeaderLive555,
    /// Basic when offered, else the first challenge of the first header starting with Digest (aiortsp).
    BasicFirstThenFirstDigestHeader,
    /// The strongest Digest challenge it can answer, else Basic (gortsplib, go2rtc, rtspeek).
    StrongestDigest,
}

/// An RTSP client stack's authentication abilities: the auth part of a client profile
/// ([`crate::clients`]), also what `facts.auth.clients` judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthBehaviour {
    /// The RTSP stack's name (`FFmpeg`, `GStreamer`...).
    pub name: &'static str,
    /// The Digest algorithms it computes.
    pub digest: &'static [Algorithm],
    /// Whether it answers `qop=auth` when offered (otherwise RFC 2069 style, without qop).
    pub sends_qop: bool,
    /// Which challenge it answers.
    pub selection: Selection,
    /// Whether it reads challenges only in live555's fixed layout.
    pub strict_layout: bool,
}

impl AuthBehaviour {
    /// FFmpeg's `libavformat/httpauth.c` (5.1 to 7.x): MD5 and MD5-sess, `qop=auth`.
    pub const FFMPEG: AuthBehaviour = AuthBehaviour {
        name: "FFmpeg",
        digest: &[Algorithm::MD5, Algorithm::MD5_SESS],
        sends_qop: true,
        selection: Selection::LastDigestHeaderFfmpeg,
        strict_layout: false,
    };
    /// gst-rtsp's `gstrtspconnection.c` (1.22 to 1.26): MD5 without qop.
    pub const GSTREAMER: AuthBehaviour = AuthBehaviour {
        name: "GStreamer",
        digest: &[Algorithm::MD5],
        sends_qop: false,
        selection: Selection::LastDigestChallenge,
        strict_layout: false,
    };
    /// live555's `RTSPClient.cpp` / `DigestAuthentication.cpp` (VLC, openRTSP): MD5 without qop, fixed layout.
    pub const LIVE555: AuthBehaviour = AuthBehaviour {
        name: "VLC/live555",
        digest: &[Algorithm::MD5],
        sends_qop: false,
        selection: Selection::LastDigestHeaderLive555,
        strict_layout: true,
    };
    /// gortsplib's `pkg/auth/sender.go` (MediaMTX): MD5 and SHA-256 (preferred), without qop.
    pub const GORTSPLIB: AuthBehaviour = AuthBehaviour {
        name: "MediaMTX (gortsplib)",
        digest: &[Algorithm::MD5, Algorithm::SHA256],
        sends_qop: false,
        selection: Selection::StrongestDigest,
        strict_layout: false,
    };
    /// go2rtc's `pkg/tcp/auth.go` (1.9): reads realm and nonce only and answers MD5 without qop and without
    /// naming an algorithm, which a server reads as MD5: it gets in wherever an MD5 challenge is offered.
    pub const GO2RTC: AuthBehaviour = AuthBehaviour {
        name: "go2rtc",
        digest: &[Algorithm::MD5],
        sends_qop: false,
        selection: Selection::StrongestDigest,
        strict_layout: false,
    };
    /// aiortsp's `rtsp/auth.py` (1.4): Basic first; Digest MD5 and SHA-256 (also SHA-1 and SHA-512, which no
    /// RTSP server offers) from the first Digest header, without qop.
    pub const AIORTSP: AuthBehaviour = AuthBehaviour {
        name: "aiortsp",
        digest: &[Algorithm::MD5, Algorithm::SHA256],
        sends_qop: false,
        selection: Selection::BasicFirstThenFirstDigestHeader,
        strict_layout: false,
    };
    /// rtspeek's own client (`rtsp::auth::client`): every algorithm, `qop=auth`, the strongest offer.
    pub const RTSPEEK: AuthBehaviour = AuthBehaviour {
        name: "rtspeek",
        digest: &Algorithm::ALL,
        sends_qop: true,
        selection: Selection::StrongestDigest,
        strict_layout: false,
    };

    /// Every RTSP stack the client profiles use, in the order reports list them.
    pub const ALL: [AuthBehaviour; 7] = [
        AuthBehaviour::FFMPEG,
        AuthBehaviour::GSTREAMER,
        AuthBehaviour::LIVE555,
        AuthBehaviour::GORTSPLIB,
        AuthBehaviour::GO2RTC,
        AuthBehaviour::AIORTSP,
        AuthBehaviour::RTSPEEK,
    ];

    /// How this stack fares with `set`.
    pub fn judge(&self, set: &ChallengeSet) -> ClientOutcome {
        judge(self, set)
    }
}

/// The summary of a response's challenges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// Everything parsed from the headers.
    pub set: ChallengeSet,
    /// Each challenge, in order.
    pub offered: Vec<OfferedChallenge>,
    /// The Digest algorithms offered, in order, without repeats (`MD5` for challenges without `algorithm`).
    pub algorithms_offered: Vec<String>,
    /// What rtspeek answers; `None` when it can answer nothing.
    pub chosen: Option<Choice>,
    /// Why that choice, or why none.
    pub reason: String,
    /// How the RTSP stacks of the client profiles fare ([`AuthBehaviour::ALL`], rtspeek's own left out: the
    /// choice above is its answer).
    pub clients: Vec<ClientOutcome>,
}

impl Capability {
    /// Summarises parsed challenges.
    pub fn of(set: ChallengeSet) -> Capability {
        let offered: Vec<OfferedChallenge> =
            set.challenges.iter().enumerate().map(|(i, c)| offer(i, c)).collect();
        let mut algorithms_offered: Vec<String> = Vec::new();
        for o in offered.iter().filter(|o| o.scheme == Scheme::Digest) {
            let name = o.algorithm.clone().unwrap_or_else(|| Algorithm::MD5.name().to_owned());
            if !algorithms_offered.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
                algorithms_offered.push(name);
            }
        }
        let (chosen, reason) = choose(&set, &offered, &algorithms_offered);
        let clients = AuthBehaviour::ALL
            .iter()
            .filter(|p| p.name != AuthBehaviour::RTSPEEK.name)
            .map(|p| judge(p, &set))
            .collect();
        Capability { set, offered, algorithms_offered, chosen, reason, clients }
    }

    /// The chosen challenge.
    pub fn chosen_challenge(&self) -> Option<&Challenge> {
        self.chosen.as_ref().and_then(|c| self.set.challenges.get(c.index))
    }
}

fn offer(index: usize, c: &Challenge) -> OfferedChallenge {
    let unanswerable = match c.scheme() {
        Scheme::Digest => DigestClient::check(c).err().map(|e| e.to_string()),
        Scheme::Basic => None,
        Scheme::Other => Some(format!("rtspeek does not implement the {} scheme", c.scheme_name)),
    };
    OfferedChallenge {
        index,
        scheme: c.scheme(),
        algorithm: (c.scheme() == Scheme::Digest).then(|| c.algorithm().map(str::to_owned)).flatten(),
        unanswerable,
        text: c.to_header_value(),
    }
}

fn choose(
    set: &ChallengeSet,
    offered: &[OfferedChallenge],
    algorithms: &[String],
) -> (Option<Choice>, String) {
    // Strongest algorithm first; with qop before without; the server's order breaks ties.
    let best_digest = set
        .challenges
        .iter()
        .enumerate()
        .filter_map(|(i, c)| DigestClient::check(c).ok().map(|(a, q)| (i, a, q)))
        .max_by_key(|&(i, a, q)| (a.rank(), q.is_some(), std::cmp::Reverse(i)));
    if let Some((index, algorithm, qop)) = best_digest {
        let qop_text = if qop.is_some() { "qop=auth" } else { "no qop (RFC 2069 style)" };
        let reason = format!(
            "Digest {algorithm} with {qop_text}: the strongest answerable of the offered algorithms ({})",
            algorithms.join(", ")
        );
        return (Some(Choice { index, scheme: Scheme::Digest, algorithm: Some(algorithm), qop }), reason);
    }
    let digest_problems: Vec<String> = offered
        .iter()
        .filter(|o| o.scheme == Scheme::Digest)
        .filter_map(|o| o.unanswerable.clone())
        .collect();
    if let Some(basic) = offered.iter().find(|o| o.scheme == Scheme::Basic) {
        let reason = if digest_problems.is_empty() {
            "Basic: the only scheme offered that rtspeek answers".to_owned()
        } else {
            format!("Basic, because no Digest challenge can be answered ({})", digest_problems.join("; "))
        };
        return (
            Some(Choice { index: basic.index, scheme: Scheme::Basic, algorithm: None, qop: None }),
            reason,
        );
    }
    let reason = if !digest_problems.is_empty() {
        format!("no Digest challenge can be answered ({})", digest_problems.join("; "))
    } else if offered.is_empty() {
        "no challenge was offered".to_owned()
    } else {
        let schemes: Vec<&str> = set.challenges.iter().map(|c| c.scheme_name.as_str()).collect();
        format!("no Basic or Digest challenge (offered: {})", schemes.join(", "))
    };
    (None, reason)
}

/// The first challenge of each header value, with the header's index.
fn header_firsts(set: &ChallengeSet) -> impl Iterator<Item = (usize, &Challenge)> {
    let mut last_header = None;
    set.challenges.iter().enumerate().filter(move |(_, c)| {
        let first = last_header != Some(c.header)
            && set.values.get(c.header).is_some_and(|value| c.offset == leading_ws(value));
        last_header = Some(c.header);
        first
    })
}

fn leading_ws(value: &str) -> usize {
    value.len() - value.trim_start_matches([' ', '\t']).len()
}

fn select<'s>(p: &AuthBehaviour, set: &'s ChallengeSet) -> Option<(usize, &'s Challenge)> {
    let of = |scheme| move |(_, c): &(usize, &Challenge)| c.scheme() == scheme;
    match p.selection {
        Selection::LastDigestHeaderFfmpeg => header_firsts(set)
            .filter(of(Scheme::Digest))
            .last()
            .or_else(|| header_firsts(set).filter(of(Scheme::Basic)).last()),
        Selection::LastDigestChallenge => set
            .challenges
            .iter()
            .enumerate()
            .rfind(of(Scheme::Digest))
            .or_else(|| set.challenges.iter().enumerate().find(of(Scheme::Basic))),
        Selection::LastDigestHeaderLive555 => {
            header_firsts(set).filter(of(Scheme::Digest)).last().or_else(|| header_firsts(set).next())
        }
        Selection::BasicFirstThenFirstDigestHeader => set
            .challenges
            .iter()
            .enumerate()
            .find(of(Scheme::Basic))
            .or_else(|| header_firsts(set).find(of(Scheme::Digest))),
        Selection::StrongestDigest => set
            .challenges
            .iter()
            .enumerate()
            .filter(of(Scheme::Digest))
            .filter(|(_, c)| Algorithm::from_param(c.algorithm()).is_some_and(|a| p.digest.contains(&a)))
            .max_by_key(|(i, c)| {
                let rank = Algorithm::from_param(c.algorithm()).map_or(0, Algorithm::rank);
                (rank, std::cmp::Reverse(*i))
            })
            .or_else(|| set.challenges.iter().enumerate().rfind(of(Scheme::Digest)))
            .or_else(|| set.challenges.iter().enumerate().find(of(Scheme::Basic))),
    }
}

fn judge(p: &AuthBehaviour, set: &ChallengeSet) -> ClientOutcome {
    let fails = |cause, reason: String| ClientVerdict::Fails { cause, reason };
    let Some((index, c)) = select(p, set) else {
        let verdict = fails(FailCause::NoScheme, "finds no Basic or Digest challenge it reads".to_owned());
        return ClientOutcome { client: p.name, answers: None, verdict };
    };
    // A set built by hand may lack the value; the parser always records it.
    let value = set.values.get(c.header).map_or("", String::as_str);
    let verdict = match c.scheme() {
        Scheme::Other => fails(
            FailCause::NoScheme,
            format!("reads the {} challenge, which it cannot answer", c.scheme_name),
        ),
        Scheme::Basic if p.strict_layout && !live555_reads(value.trim_start(), "Basic") => {
            fails(FailCause::Layout, "reads Basic only as `Basic realm=\"...\"`".to_owned())
        }
        Scheme::Basic => ClientVerdict::Works,
        Scheme::Digest => judge_digest(p, c, value, index),
    };
    ClientOutcome { client: p.name, answers: Some(index), verdict }
}

fn judge_digest(p: &AuthBehaviour, c: &Challenge, value: &str, index: usize) -> ClientVerdict {
    let algorithm = Algorithm::from_param(c.algorithm());
    if !algorithm.is_some_and(|a| p.digest.contains(&a)) {
        let names: Vec<&str> = p.digest.iter().map(|a| a.name()).collect();
        let reason = format!(
            "answers challenge {} (algorithm {}) and computes only {}",
            index + 1,
            c.algorithm().unwrap_or("MD5"),
            names.join(" and ")
        );
        return ClientVerdict::Fails { cause: FailCause::Algorithm, reason };
    }
    if c.realm().is_none() || c.nonce().is_none() {
        return ClientVerdict::Fails {
            cause: FailCause::Layout,
            reason: "the challenge lacks realm or nonce".to_owned(),
        };
    }
    if p.strict_layout && !live555_reads(value.trim_start(), "Digest") {
        let reason =
            "reads Digest only as `Digest realm=\"...\", nonce=\"...\"` (realm first, nonce second, quoted)";
        return ClientVerdict::Fails { cause: FailCause::Layout, reason: reason.to_owned() };
    }
    let offers_qop = c.qop_options().next().is_some();
    if offers_qop && (!p.sends_qop || !c.qop_options().any(|q| Qop::parse(q) == Some(Qop::Auth))) {
        return ClientVerdict::Risky(
            "answers without qop (RFC 2069 style): fails if the server insists on qop".into(),
        );
    }
    if p.selection == Selection::LastDigestHeaderFfmpeg && value_has_several(c, value) {
        return ClientVerdict::Risky("reads several challenges in one header as one parameter list".into());
    }
    if c.userhash() {
        return ClientVerdict::Risky("ignores userhash=true and sends the user name in clear".into());
    }
    ClientVerdict::Works
}

fn value_has_several(c: &Challenge, value: &str) -> bool {
    let set = super::challenge::parse_www_authenticate([value]);
    set.challenges.len() > 1 || c.token68.is_some()
}

/// Whether live555's `sscanf` pattern matches: `<scheme> realm="X"` and, for Digest, `, nonce="Y"` (a space
/// in an `sscanf` format matches any whitespace, none included; `%[^"]` needs at least one character).
fn live555_reads(value: &str, scheme: &str) -> bool {
    fn quoted<'a>(s: &'a str, name: &str) -> Option<&'a str> {
        let s = s.trim_start().strip_prefix(name)?.strip_prefix("=\"")?;
        let end = s.find('"').filter(|&e| e > 0)?;
        Some(&s[end + 1..])
    }
    let Some(rest) = value.strip_prefix(scheme).and_then(|s| quoted(s, "realm")) else { return false };
    scheme == "Basic" || rest.strip_prefix(',').and_then(|s| quoted(s, "nonce")).is_some()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::rtsp::auth::challenge::parse_www_authenticate;

    #[test]
    fn live555_pattern() {
        assert!(live555_reads("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"", "Digest"));
        assert!(live555_reads("Digest realm=\"r\",nonce=\"n\"", "Digest"));
        assert!(!live555_reads("Digest qop=\"auth\", realm=\"r\", nonce=\"n\"", "Digest"));
        assert!(!live555_reads("digest realm=\"r\", nonce=\"n\"", "Digest"));
        assert!(!live555_reads("Digest realm=r, nonce=\"n\"", "Digest"));
        assert!(!live555_reads("Digest realm=\"\", nonce=\"n\"", "Digest"));
        assert!(live555_reads("Basic realm=\"r\"", "Basic"));
        assert!(!live555_reads("Basic realm=r", "Basic"));
    }

    #[test]
    fn clients_pick_the_last_digest_header() {
        let cap = Capability::of(parse_www_authenticate([
            "Digest realm=\"r\", nonce=\"n\", algorithm=MD5",
            "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256",
        ]));
        let chosen = cap.chosen.as_ref().unwrap();
        assert_eq!((chosen.index, chosen.algorithm), (1, Some(Algorithm::SHA256)));
        let last_header = ["FFmpeg", "GStreamer", "VLC/live555"];
        for outcome in &cap.clients {
            if last_header.contains(&outcome.client) {
                assert_eq!(outcome.answers, Some(1), "{outcome:?}");
                assert!(
                    matches!(outcome.verdict, ClientVerdict::Fails { cause: FailCause::Algorithm, .. }),
                    "{outcome:?}"
                );
            } else {
                // gortsplib takes the strongest it computes (SHA-256), go2rtc MD5, aiortsp the first (MD5).
                assert_eq!(outcome.verdict, ClientVerdict::Works, "{outcome:?}");
            }
        }
        // The RFC 7616 order (SHA-256 first, MD5 last) works for all of them.
        let cap = Capability::of(parse_www_authenticate([
            "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256",
            "Digest realm=\"r\", nonce=\"n\", algorithm=MD5",
        ]));
        assert!(cap.clients.iter().all(|o| o.verdict == ClientVerdict::Works), "{:?}", cap.clients);
        assert_eq!(cap.algorithms_offered, ["SHA-256", "MD5"]);
        assert_eq!(cap.chosen.unwrap().index, 0);
    }

    #[test]
    fn basic_fallback_and_unknown_schemes() {
        let cap = Capability::of(parse_www_authenticate(["Negotiate", "Basic realm=\"r\""]));
        assert_eq!(cap.chosen.as_ref().map(|c| c.scheme), Some(Scheme::Basic));
        let live555 = cap.clients.iter().find(|o| o.client == "VLC/live555").unwrap();
        assert!(matches!(live555.verdict, ClientVerdict::Fails { cause: FailCause::NoScheme, .. }));
        let cap = Capability::of(parse_www_authenticate(["Bearer realm=\"r\""]));
        assert!(cap.chosen.is_none());
        assert!(cap.reason.contains("no Basic or Digest"), "{}", cap.reason);
    }
}
