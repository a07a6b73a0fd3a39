//! The rules: one client profile and the observations in, one verdict out, layer by layer in chain order.
//! Every reason names the client it is true for; every setting is this client's own.

use super::observe::{CertObserved, Known, Observations, TlsObserved};
use super::profile::{ClientProfile, CnFallback, H265Support, TlsBehaviour, TransportRule, Verification};
use super::{ClientVerdict, Effect, Outcome, Reason};
use crate::cert::names::{Host, dns_matches};
use crate::diagnose::codes::{self, CodeInfo};
use crate::rtsp::auth::capability::{ClientVerdict as AuthVerdict, FailCause};
use crate::rtsp::auth::challenge::Scheme;
use crate::tls::ProtocolVersion;
use crate::{Layer, TrustOutcome};

/// Collects reasons and settings; the outcome follows from the worst reason.
struct Verdict<'a> {
    profile: &'a ClientProfile,
    obs: &'a Observations,
    because: Vec<Reason>,
    settings: Vec<String>,
}

impl<'a> Verdict<'a> {
    fn reason(&mut self, effect: Effect, layer: Layer, code: Option<&str>, text: String) {
        self.because.push(Reason { layer, code: code.map(str::to_owned), text, effect });
    }

    fn fail(&mut self, layer: Layer, code: Option<&CodeInfo>, text: impl Into<String>) {
        self.reason(Effect::Fails, layer, code.map(|c| c.code), text.into());
    }

    /// It plays, but this is wrong or weak.
    fn risk(&mut self, layer: Layer, code: Option<&CodeInfo>, text: impl Into<String>) {
        self.reason(Effect::Caveat, layer, code.map(|c| c.code), text.into());
    }

    /// What decides it was not observed.
    fn unsure(&mut self, layer: Layer, code: Option<&CodeInfo>, text: impl Into<String>) {
        self.reason(Effect::MayFail, layer, code.map(|c| c.code), text.into());
    }

    /// Adds a setting (a template of the profile's, filled from the observations), once.
    fn setting(&mut self, template: Option<&str>) {
        if let Some(template) = template {
            let mut text = fill(template, self.obs);
            if template.contains("{ca}")
                && let Some(cert) = self.obs.cert.as_ref().filter(|c| c.custom_anchors.is_none())
            {
                let what = if cert.leaf.self_signed {
                    "the camera's own certificate".to_owned()
                } else {
                    format!(
                        "the CA that issued the camera's certificate ({}), with its root",
                        cert.leaf.issuer
                    )
                };
                text.push_str(&format!(" (ca.pem: {what}, as PEM)"));
            }
            if !self.settings.contains(&text) {
                self.settings.push(text);
            }
        }
    }

    fn finish(self) -> ClientVerdict {
        let outcome = if self.because.iter().any(|r| r.effect == Effect::Fails) {
            Outcome::Fails
        } else if self.because.is_empty() {
            Outcome::Works
        } else {
            Outcome::Risky
        };
        ClientVerdict {
            id: self.profile.id.to_owned(),
            name: self.profile.name.to_owned(),
            verdict: outcome,
            because: self.because,
            settings: self.settings,
            measured: self.profile.measured(),
        }
    }
}

/// The verdict for one client.
pub(crate) fn judge(profile: &ClientProfile, obs: &Observations) -> ClientVerdict {
    let mut v = Verdict { profile, obs, because: Vec::new(), settings: Vec::new() };
    for f in &obs.common_errors {
        v.reason(Effect::Fails, f.layer, Some(&f.code), format!("{} (every client fails here)", f.summary));
    }
    if obs.over_tls {
        match &profile.tls {
            None => {
                v.fail(Layer::Tls, None, format!("{} cannot open rtsps:// URLs", profile.name));
                v.setting(profile.settings.no_rtsps);
            }
            Some(tls) => {
                if let Some(observed) = &obs.tls {
                    handshake(&mut v, tls, observed);
                }
                if let Some(cert) = &obs.cert {
                    certificate(&mut v, tls, cert);
                }
            }
        }
    }
    auth(&mut v);
    transport(&mut v);
    media(&mut v);
    not_reached(&mut v);
    v.finish()
}

fn versions_text(versions: &[ProtocolVersion]) -> String {
    let names: Vec<&str> = versions.iter().filter_map(|v| v.name()).collect();
    names.join(", ")
}

/// Versions and suites: does the client's default offer meet what the server accepts?
fn handshake(v: &mut Verdict<'_>, tls: &TlsBehaviour, observed: &TlsObserved) {
    let name = v.profile.name;
    if observed.accepted.is_empty() {
        if let Some(first) = observed.refusals.first() {
            let code = codes::lookup(&first.code);
            v.fail(Layer::Tls, code, format!("no TLS client gets in: {}", first.summary));
        }
        return;
    }
    let common: Vec<_> = observed
        .accepted
        .iter()
        .filter(|a| tls.versions.contains(&a.version) && tls.suites.contains(&a.suite))
        .collect();
    let server_versions: Vec<ProtocolVersion> = {
        let mut vs: Vec<ProtocolVersion> = observed.accepted.iter().map(|a| a.version).collect();
        vs.sort_by(|a, b| b.cmp(a));
        vs.dedup();
        vs
    };
    if common.is_empty() {
        let shared_version = server_versions.iter().any(|sv| tls.versions.contains(sv));
        let code = if shared_version {
            codes::TLS_NO_COMMON_CIPHER
        } else if server_versions.iter().all(|sv| sv.is_legacy()) {
            codes::TLS_VERSION_LEGACY_ONLY
        } else {
            codes::TLS_PROTOCOL_VERSION
        };
        let text = if shared_version {
            format!(
                "{name} offers none of the cipher suites the server accepts ({})",
                suites_text(observed, &server_versions)
            )
        } else {
            format!(
                "{name} offers {} and the server accepts only {}",
                versions_text(tls.versions),
                versions_text(&server_versions)
            )
        };
        if observed.enumerated {
            v.fail(Layer::Tls, Some(code), text);
        } else {
            v.risk(
                Layer::Tls,
                Some(code),
                format!("{text}, as far as the modern client's session shows (the TLS scan did not run)"),
            );
        }
        v.setting(v.profile.settings.legacy_tls);
        return;
    }
    let best = common.iter().map(|a| a.version).max().unwrap_or(ProtocolVersion::TLS1_2);
    if best.is_legacy() {
        v.risk(
            Layer::Tls,
            Some(codes::TLS_VERSION_LEGACY_ONLY),
            format!(
                "{name} gets in only with {}, which RFC 8996 deprecates",
                best.name().unwrap_or("TLS 1.0")
            ),
        );
    }
    let sound = common.iter().any(|a| a.suite.weaknesses(true).iter().all(|w| !w.is_insecure()));
    if !sound {
        v.risk(
            Layer::Tls,
            Some(codes::TLS_WEAK_CIPHER),
            format!("{name} gets in only with broken cipher suites ({})", {
                let names: Vec<String> = common.iter().map(|a| a.suite.to_string()).collect();
                names.join(", ")
            }),
        );
    }
    if observed.client_certificate_required {
        if tls.client_certificate {
            v.fail(
                Layer::Tls,
                Some(codes::TLS_CLIENT_CERT_REQUIRED),
                format!("the server requires a client certificate, which {name} sends only when configured"),
            );
            v.setting(v.profile.settings.client_certificate);
        } else {
            v.fail(
                Layer::Tls,
                Some(codes::TLS_CLIENT_CERT_REQUIRED),
                format!("the server requires a client certificate, which {name} cannot present"),
            );
        }
    }
}

/// The accepted suites, by version, for a reason's text.
fn suites_text(observed: &TlsObserved, versions: &[ProtocolVersion]) -> String {
    let parts: Vec<String> = versions
        .iter()
        .map(|version| {
            let suites: Vec<String> = observed
                .accepted
                .iter()
                .filter(|a| a.version == *version)
                .map(|a| a.suite.to_string())
                .collect();
            format!("{}: {}", version.name().unwrap_or("?"), suites.join(", "))
        })
        .collect();
    parts.join("; ")
}

/// The certificate, as this client checks it (or does not).
fn certificate(v: &mut Verdict<'_>, tls: &TlsBehaviour, cert: &CertObserved) {
    let name = v.profile.name;
    let host = v.obs.host.as_deref().and_then(|h| Host::parse(h).ok());
    let skipped_for_ip =
        tls.verification == Verification::SkippedForIpHosts && matches!(host, Some(Host::Ip(_)));
    if tls.verification == Verification::Never || skipped_for_ip {
        let how = if skipped_for_ip {
            "does not check the certificate of an IP address"
        } else {
            "never checks the certificate"
        };
        let despite = if cert.error_codes.is_empty() {
            String::new()
        } else {
            format!(" despite {}", cert.error_codes.join(", "))
        };
        v.risk(
            Layer::Certificate,
            None,
            format!("{name} {how}: it plays{despite}, and would play an impostor's stream as well"),
        );
        v.setting(v.profile.settings.verify);
        v.setting(v.profile.settings.pin);
        return;
    }
    let before = v.because.len();
    match cert.trust {
        TrustOutcome::Trusted => {
            if let Some(files) = &cert.custom_anchors {
                v.fail(
                    Layer::Certificate,
                    Some(codes::CERT_UNTRUSTED_ISSUER),
                    format!(
                        "the chain ends at a CA given to rtspeek ({}), which {name} does not trust until told to",
                        files.join(", ")
                    ),
                );
                v.setting(v.profile.settings.trust_ca);
            }
        }
        TrustOutcome::Untrusted => {
            let code =
                if cert.leaf.self_signed { codes::CERT_SELF_SIGNED } else { codes::CERT_UNTRUSTED_ISSUER };
            let what =
                if cert.leaf.self_signed { "a self-signed certificate" } else { "a CA it does not trust" };
            v.fail(
                Layer::Certificate,
                Some(code),
                format!(
                    "{name} checks the chain against its trust store and finds {what} ({})",
                    cert.leaf.issuer
                ),
            );
            if !cert.leaf.self_signed || tls.self_signed_anchor {
                v.setting(v.profile.settings.trust_ca);
            }
        }
        TrustOutcome::NotEvaluated => v.unsure(
            Layer::Certificate,
            None,
            "rtspeek could not evaluate the chain's trust (a signature it cannot verify)",
        ),
    }
    for f in &cert.dates {
        v.fail(Layer::Certificate, codes::lookup(&f.code), format!("{name} refuses it: {}", f.summary));
    }
    names(v, tls, cert, host.as_ref());
    if let Some(bits) = cert.rsa_bits.iter().copied().filter(|b| *b < tls.min_rsa_bits).min() {
        v.fail(
            Layer::Certificate,
            Some(codes::CERT_WEAK_KEY),
            format!(
                "{name} refuses RSA keys under {} bits; the chain has a {bits}-bit key",
                tls.min_rsa_bits
            ),
        );
    }
    let weak: Vec<&String> = cert
        .signature_hashes
        .iter()
        .filter(|h| h.as_str() == "MD5" || (h.as_str() == "SHA-1" && !tls.accepts_sha1_signatures))
        .collect();
    if let Some(hash) = weak.first() {
        v.fail(
            Layer::Certificate,
            Some(codes::CERT_WEAK_SIGNATURE),
            format!("{name} refuses certificates signed with {hash}"),
        );
    }
    for f in &cert.other_errors {
        v.fail(
            Layer::Certificate,
            codes::lookup(&f.code),
            format!("{} (refused by X.509 path validation; not measured against {name} here)", f.summary),
        );
    }
    if v.because.len() > before {
        v.setting(v.profile.settings.pin);
    }
}

/// Name matching: subjectAltName, and the Common Name fallback where this client has one.
fn names(v: &mut Verdict<'_>, tls: &TlsBehaviour, cert: &CertObserved, host: Option<&Host>) {
    let name = v.profile.name;
    let leaf = &cert.leaf;
    match host {
        None => {}
        Some(Host::Ip(ip)) if leaf.san_ip.iter().any(|s| s.parse::<std::net::IpAddr>().ok() == Some(*ip)) => {
        }
        Some(Host::Ip(ip)) => {
            v.fail(
                Layer::Certificate,
                Some(codes::CERT_IP_NOT_IN_SAN),
                format!(
                    "{name} compares the address {ip} only with subjectAltName IP entries, and none is {ip}"
                ),
            );
            v.setting(Some(
                "connect by a host name the certificate lists ({names}) or reissue the certificate with \
                 `subjectAltName = IP:{host}`",
            ));
        }
        Some(Host::Dns(host)) => {
            if leaf.san_dns.iter().any(|d| dns_matches(d, host)) {
                return;
            }
            let fallback = match tls.cn_fallback {
                CnFallback::Never => false,
                CnFallback::WhenNoDnsSan => leaf.san_dns.is_empty(),
                CnFallback::WhenNoSan => leaf.san_dns.is_empty() && leaf.san_ip.is_empty(),
            };
            let cn_matches = leaf.common_names.iter().any(|cn| dns_matches(cn, host));
            if fallback && cn_matches {
                v.risk(
                    Layer::Certificate,
                    Some(codes::CERT_CN_ONLY),
                    format!(
                        "{name} accepts {host} only through the Common Name, a fallback it keeps for certificates \
                         without DNS names in subjectAltName (rustls, Go and browsers refuse it)"
                    ),
                );
            } else {
                let code = if leaf.san_dns.is_empty() && leaf.san_ip.is_empty() {
                    codes::CERT_CN_ONLY
                } else {
                    codes::CERT_NAME_MISMATCH
                };
                let why = match tls.cn_fallback {
                    CnFallback::Never => {
                        format!("{name} matches {host} only against subjectAltName DNS entries")
                    }
                    _ if cn_matches => format!(
                        "{name} would match {host} with the Common Name only if subjectAltName had no {} entry",
                        if tls.cn_fallback == CnFallback::WhenNoSan { "DNS or IP" } else { "DNS" }
                    ),
                    _ => format!("{name} finds {host} neither in subjectAltName nor in the Common Name"),
                };
                v.fail(Layer::Certificate, Some(code), why);
                v.setting(Some("connect by a host name the certificate lists ({names}) or reissue the certificate with `subjectAltName = DNS:{host}`"));
            }
        }
    }
}

/// Authentication: this client's RTSP stack against the challenges.
fn auth(v: &mut Verdict<'_>) {
    let Some(set) = &v.obs.challenges else { return };
    let behaviour = v.profile.auth;
    let outcome = behaviour.judge(set);
    let name = v.profile.name;
    match &outcome.verdict {
        AuthVerdict::Works => {}
        AuthVerdict::Risky(why) => v.unsure(Layer::Auth, None, format!("{name} {why}")),
        AuthVerdict::Fails { cause, reason } => {
            let code = match cause {
                FailCause::Algorithm => codes::AUTH_DIGEST_ALGORITHM,
                FailCause::Layout | FailCause::NoScheme => codes::AUTH_CLIENT_INCOMPATIBLE,
            };
            v.fail(Layer::Auth, Some(code), format!("{name} ({}) {reason}", behaviour.name));
            if *cause == FailCause::Algorithm {
                v.setting(Some("on the camera: also offer Digest MD5 (weaker) for this client"));
            }
        }
    }
    let answers_basic =
        outcome.answers.and_then(|i| set.challenges.get(i)).is_some_and(|c| c.scheme() == Scheme::Basic);
    if answers_basic && !v.obs.over_tls {
        v.risk(
            Layer::Auth,
            Some(codes::AUTH_BASIC_CLEARTEXT),
            format!("{name} answers Basic over rtsp://: the password crosses the network in clear"),
        );
    }
}

/// Lower transport: what this client asks for against what the server took.
fn transport(v: &mut Verdict<'_>) {
    let obs = v.obs;
    if !obs.live || obs.not_reached.contains(&Layer::Transport) {
        return;
    }
    let rule = v.profile.transport(obs.over_tls);
    let name = v.profile.name;
    let scheme = if obs.over_tls { "rtsps://" } else { "rtsp://" };
    let settings = v.profile.settings;
    match rule {
        TransportRule::TcpOnly => match obs.tcp {
            Known::Fails => {
                v.fail(
                    Layer::Transport,
                    Some(codes::TRANSPORT_TCP_REFUSED),
                    format!("{name} uses only RTP over TCP for {scheme}, which the server refuses"),
                );
                if !obs.over_tls {
                    v.setting(settings.udp);
                }
            }
            Known::Unknown => v.unsure(
                Layer::Transport,
                None,
                format!("{name} uses only RTP over TCP for {scheme}, which this probe did not try (`--transport tcp`)"),
            ),
            Known::Works => {}
        },
        TransportRule::UdpOnly => match obs.udp {
            Known::Fails => {
                v.fail(
                    Layer::Transport,
                    Some(codes::TRANSPORT_UDP_REFUSED),
                    format!("{name} uses only RTP over UDP for {scheme}, and UDP fails here"),
                );
                v.setting(settings.tcp);
            }
            Known::Unknown => v.unsure(
                Layer::Transport,
                None,
                format!("{name} uses only RTP over UDP for {scheme}, which this probe did not try (`--transport udp`)"),
            ),
            Known::Works => {}
        },
        TransportRule::UdpThenTcp | TransportRule::TcpThenUdp => {
            if obs.tcp == Known::Fails && obs.udp == Known::Fails {
                v.fail(
                    Layer::Transport,
                    Some(codes::TRANSPORT_UDP_REFUSED),
                    format!("{name} tries UDP and TCP, and both fail here"),
                );
            }
            if rule == TransportRule::UdpThenTcp && obs.over_tls && obs.udp != Known::Fails {
                v.risk(
                    Layer::Transport,
                    Some(codes::TRANSPORT_CLEARTEXT_MEDIA),
                    format!(
                        "{name} asks for UDP first even for rtsps://: where the server accepts it, the video \
                         travels in clear next to the TLS connection"
                    ),
                );
                v.setting(settings.tcp);
            }
        }
    }
}

/// Codec and SRTP.
fn media(v: &mut Verdict<'_>) {
    let name = v.profile.name;
    if v.obs.h265 {
        match v.profile.h265 {
            H265Support::Yes => {}
            H265Support::Platform => {
                v.unsure(
                    Layer::Codec,
                    Some(codes::CODEC_BROWSER_UNSUPPORTED),
                    format!(
                        "{name} decodes H.265 only where the platform has a decoder (Chrome and Edge with \
                         hardware decoding; Chromium on Linux usually not)"
                    ),
                );
                v.setting(v.profile.settings.h265);
            }
            H265Support::No => {
                v.fail(Layer::Codec, None, format!("{name} does not decode H.265"));
                v.setting(v.profile.settings.h265);
            }
        }
    }
    if v.obs.srtp && !v.profile.srtp {
        v.fail(
            Layer::Sdp,
            Some(codes::SDP_SRTP_OFFERED),
            format!("{name} does not play SRTP (RTP/SAVP) media"),
        );
    } else if v.obs.srtp {
        let (seen, keying) = (v.obs.srtp_keying, v.profile.srtp_keying);
        if seen.sdes_only && keying.sdes == Some(false) {
            let text = format!("{name} reads no SDES (a=crypto) keys, and this stream offers no MIKEY");
            v.fail(Layer::Transport, Some(codes::SDP_SRTP_OFFERED), text);
        }
        if seen.mki && keying.mikey_mki == Some(false) {
            let text = format!(
                "{name} drops the MKI the SRTP key is bound to, so every packet fails authentication (GStreamer \
                 reads MKIs from 1.26)"
            );
            v.fail(Layer::Rtp, Some(codes::SDP_SRTP_OFFERED), text);
        }
        if seen.answer_plain && keying.follows_answer_profile == Some(true) {
            let text =
                format!("{name} follows the SETUP answer's RTP/AVP and takes the SRTP packets for plain RTP");
            v.fail(Layer::Transport, Some(codes::TRANSPORT_SRTP_PROFILE_CHANGED), text);
        }
    }
}

/// Layers the probe never reached cannot vouch for a client that would have got past the break.
fn not_reached(v: &mut Verdict<'_>) {
    let obs = v.obs;
    if !obs.live || obs.not_reached.is_empty() || v.because.iter().any(|r| r.effect == Effect::Fails) {
        return;
    }
    let layers: Vec<&str> = obs.not_reached.iter().map(|l| l.as_str()).collect();
    v.unsure(
        *obs.not_reached.first().unwrap_or(&Layer::Rtsp),
        None,
        format!(
            "{} gets past where rtspeek stopped; {} not tested (rerun with `--insecure`, `--ca` or `--legacy-tls` \
             as the first broken link says)",
            v.profile.name,
            layers.join(", ")
        ),
    );
}

/// Fills a setting template from the observations.
fn fill(template: &str, obs: &Observations) -> String {
    let leaf = obs.cert.as_ref().map(|c| &c.leaf);
    let ca = match obs.cert.as_ref().and_then(|c| c.custom_anchors.as_ref()) {
        Some(files) => files.join(" "),
        None => "ca.pem".to_owned(),
    };
    let fingerprint = leaf.map_or_else(String::new, |l| l.sha256_fingerprint.clone());
    let hex = fingerprint.replace(':', "").to_ascii_lowercase();
    let names: Vec<String> = leaf
        .map(|l| {
            l.san_dns
                .iter()
                .map(|d| format!("DNS:{d}"))
                .chain(l.san_ip.iter().map(|i| format!("IP:{i}")))
                .collect()
        })
        .unwrap_or_default();
    template
        .replace("{ca}", &ca)
        .replace("{fingerprint_hex}", &hex)
        .replace("{fingerprint}", &fingerprint)
        .replace("{names}", &if names.is_empty() { "none".to_owned() } else { names.join(", ") })
        .replace("{host}", obs.host.as_deref().unwrap_or("HOST"))
        .replace("{url}", obs.url.as_deref().unwrap_or("URL"))
}
