//! Findings from a 401 response's challenges (`auth.*`), for the live probe.
//!
//! [`assess_challenges`] reads every `WWW-Authenticate` value of a response and returns the [`Capability`]
//! summary with the findings it proves. Evidence shows challenges (which hold no credentials) and never a
//! password, HA1 or `Authorization` value.

use super::capability::OfferedChallenge;
use super::capability::{Capability, ClientVerdict, FailCause};
use super::challenge::{Challenge, Scheme, parse_www_authenticate};
use crate::diagnose::codes;
use crate::{Finding, Severity};

/// Longest header value quoted in evidence; longer ones are cut (a camera could send kilobytes).
const MAX_EVIDENCE_VALUE: usize = 300;

/// Assesses the `WWW-Authenticate` values of a 401 response received over TLS (`over_tls`) or not.
///
/// ```
/// use rtspeek_core::rtsp::auth::assess_challenges;
/// let sha256_only = "Digest realm=\"cam\", nonce=\"n\", algorithm=SHA-256";
/// let (capability, findings) = assess_challenges([sha256_only], true);
/// assert!(capability.chosen.is_some());
/// let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
/// assert_eq!(codes, ["auth.required", "auth.digest_algorithm"]); // FFmpeg, GStreamer and VLC do MD5 only
/// ```
pub fn assess_challenges<'a>(
    values: impl IntoIterator<Item = &'a str>,
    over_tls: bool,
) -> (Capability, Vec<Finding>) {
    let capability = Capability::of(parse_www_authenticate(values));
    let findings = findings(&capability, over_tls);
    (capability, findings)
}

fn findings(cap: &Capability, over_tls: bool) -> Vec<Finding> {
    let set = &cap.set;
    let mut out = Vec::new();
    if set.values.is_empty() {
        out.push(Finding::new(
            codes::AUTH_CHALLENGE_MISSING,
            "the server answered 401 Unauthorized without a WWW-Authenticate header",
        ));
        return out;
    }
    if !set.challenges.is_empty() {
        let schemes: Vec<String> =
            cap.offered.iter().zip(&cap.set.challenges).map(|(o, c)| short_name(o, c)).collect();
        let mut f = Finding::new(
            codes::AUTH_REQUIRED,
            format!("the server requires authentication; it offers {}", schemes.join(", ")),
        );
        for o in &cap.offered {
            f = f.with_evidence(format!("challenge {}", o.index + 1), o.text.clone());
        }
        out.push(f.with_evidence("rtspeek answers", cap.reason.clone()));
    }
    for e in &set.errors {
        let value = set.values.get(e.header).map(String::as_str).unwrap_or_default();
        let mut f = Finding::new(
            codes::AUTH_MALFORMED_CHALLENGE,
            format!(
                "WWW-Authenticate header {} cannot be parsed at byte {}: {}",
                e.header + 1,
                e.offset,
                e.kind
            ),
        )
        .with_evidence("header", (e.header + 1).to_string())
        .with_evidence("byte_offset", e.offset.to_string())
        .with_evidence("error", e.kind.to_string())
        .with_evidence("value", clip(value));
        if cap.chosen.is_some() {
            f = f.with_severity(Severity::Warning).with_detail("Other challenges could still be answered.");
        }
        out.push(f);
    }
    if !set.quirks.is_empty() {
        let mut kinds: Vec<&str> = Vec::new();
        for q in &set.quirks {
            if !kinds.contains(&q.kind.describe()) {
                kinds.push(q.kind.describe());
            }
        }
        let mut f = Finding::new(
            codes::AUTH_CHALLENGE_NONSTANDARD,
            format!("WWW-Authenticate departs from the standard grammar: {}", kinds.join("; ")),
        );
        for q in &set.quirks {
            let mut what = q.kind.describe().to_owned();
            if let Some(param) = &q.param {
                what = format!("{what} ({param})");
            }
            f = f.with_evidence(format!("header {} byte {}", q.header + 1, q.offset), what);
        }
        out.push(f);
    }
    if !set.challenges.is_empty() && cap.offered.iter().all(|o| o.scheme == Scheme::Other) {
        let schemes: Vec<&str> = set.challenges.iter().map(|c| c.scheme_name.as_str()).collect();
        out.push(
            Finding::new(
                codes::AUTH_UNSUPPORTED_SCHEME,
                format!("no Basic or Digest challenge: the server offers only {}", schemes.join(", ")),
            )
            .with_evidence("schemes", schemes.join(", ")),
        );
    }
    out.extend(digest_algorithm(cap));
    out.extend(client_incompatible(cap));
    out.extend(basic_cleartext(cap, over_tls));
    out
}

/// `Digest SHA-256`, `Basic`, `Negotiate`: the offer `o` of challenge `c`.
fn short_name(o: &OfferedChallenge, c: &Challenge) -> String {
    match o.scheme {
        Scheme::Digest => format!("Digest {}", o.algorithm.as_deref().unwrap_or("MD5")),
        _ => c.scheme_name.clone(),
    }
}

fn digest_algorithm(cap: &Capability) -> Option<Finding> {
    let offers_digest = cap.offered.iter().any(|o| o.scheme == Scheme::Digest);
    let we_answer_digest = cap.chosen.as_ref().is_some_and(|c| c.scheme == Scheme::Digest);
    let failing: Vec<(&str, &str)> = cap
        .clients
        .iter()
        .filter_map(|o| match &o.verdict {
            ClientVerdict::Fails { cause: FailCause::Algorithm, reason } => Some((o.client, reason.as_str())),
            _ => None,
        })
        .collect();
    if !offers_digest || we_answer_digest && failing.is_empty() {
        return None;
    }
    let offered = cap.algorithms_offered.join(", ");
    let names: Vec<&str> = failing.iter().map(|(name, _)| *name).collect();
    let mut f = if we_answer_digest {
        Finding::new(
            codes::AUTH_DIGEST_ALGORITHM,
            format!("{} cannot answer the Digest challenge they pick (offered: {offered})", names.join(", ")),
        )
    } else {
        let severity = if cap.chosen.is_some() { Severity::Warning } else { Severity::Error };
        Finding::new(
            codes::AUTH_DIGEST_ALGORITHM,
            format!("rtspeek cannot answer any Digest challenge (offered: {offered})"),
        )
        .with_severity(severity)
    };
    f = f.with_evidence("offered_algorithms", offered);
    for o in cap.offered.iter().filter(|o| o.scheme == Scheme::Digest) {
        if let Some(why) = &o.unanswerable {
            f = f.with_evidence(format!("challenge {}", o.index + 1), why.clone());
        }
    }
    for (client, reason) in failing {
        f = f.with_evidence(client, reason);
    }
    Some(f)
}

fn client_incompatible(cap: &Capability) -> Option<Finding> {
    cap.chosen.as_ref()?;
    let failing: Vec<(&str, &str)> = cap
        .clients
        .iter()
        .filter_map(|o| match &o.verdict {
            ClientVerdict::Fails { cause: FailCause::Layout | FailCause::NoScheme, reason } => {
                Some((o.client, reason.as_str()))
            }
            _ => None,
        })
        .collect();
    if failing.is_empty() {
        return None;
    }
    let names: Vec<&str> = failing.iter().map(|(name, _)| *name).collect();
    let mut f = Finding::new(
        codes::AUTH_CLIENT_INCOMPATIBLE,
        format!("{} cannot read the challenges as the server sends them", names.join(", ")),
    );
    for (client, reason) in failing {
        f = f.with_evidence(client, reason);
    }
    Some(f)
}

fn basic_cleartext(cap: &Capability, over_tls: bool) -> Option<Finding> {
    if over_tls {
        return None;
    }
    let basic = cap.offered.iter().find(|o| o.scheme == Scheme::Basic)?;
    let summary = if cap.chosen.as_ref().is_some_and(|c| c.scheme == Scheme::Basic) {
        "Basic authentication without TLS: the password crosses the network readable (base64 only)"
    } else {
        "the server offers Basic authentication without TLS: a client that picks it sends the password \
         readable"
    };
    Some(Finding::new(codes::AUTH_BASIC_CLEARTEXT, summary).with_evidence("challenge", basic.text.clone()))
}

/// A value for evidence, cut to a bounded length on a character boundary.
fn clip(value: &str) -> String {
    if value.len() <= MAX_EVIDENCE_VALUE {
        return value.to_owned();
    }
    let mut end = MAX_EVIDENCE_VALUE;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &value[..end], value.len())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn long_values_are_clipped_on_a_char_boundary() {
        let long = "\u{e9}".repeat(400);
        let clipped = clip(&long);
        assert!(clipped.ends_with("... (800 bytes)"), "{clipped}");
        assert!(clipped.len() < 320);
        assert_eq!(clip("short"), "short");
    }
}
