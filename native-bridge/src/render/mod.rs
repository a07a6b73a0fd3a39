//! Human-readable reports: the first broken link on top, then every layer with its findings, the trust
//! statement and the facts. Colour only on a terminal (or when asked).

mod clients;
mod probe;

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};

use rtspeek_core::cert::{CertRole, CertificateFacts};
use rtspeek_core::sdp::{CodecFacts, SdpFacts};
use rtspeek_core::{Finding, LayerStatus, Report, Severity, TrustOutcome, Verdict};

/// `--color auto|always|never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour when standard output is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    pub(crate) fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error worth a panic.
pub(crate) fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// ANSI styling that disappears when colour is off.
pub(crate) struct Paint(pub(crate) bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }
    pub(crate) fn red(&self, t: &str) -> String {
        self.wrap("1;31", t)
    }
    pub(crate) fn yellow(&self, t: &str) -> String {
        self.wrap("33", t)
    }
    pub(crate) fn green(&self, t: &str) -> String {
        self.wrap("32", t)
    }
    pub(crate) fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
    pub(crate) fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }

    fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Error => self.red("ERROR  "),
            Severity::Warning => self.yellow("WARNING"),
            Severity::Info => self.dim("info   "),
        }
    }

    pub(crate) fn status(&self, s: LayerStatus) -> String {
        match s {
            LayerStatus::Pass => self.green("pass"),
            LayerStatus::Warn => self.yellow("warn"),
            LayerStatus::Fail => self.red("FAIL"),
            LayerStatus::NotReached => self.dim("not reached"),
        }
    }
}

/// The full text report.
pub(crate) fn report_text(report: &Report, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let verdict = match report.verdict {
        Verdict::Healthy => p.green("HEALTHY"),
        Verdict::Degraded => p.yellow("DEGRADED"),
        Verdict::Broken => p.red("BROKEN"),
    };
    let _ = writeln!(out, "{}", p.bold(&report.target));
    let _ = writeln!(out, "verdict: {verdict}");

    if let Some(layer) = report.first_broken_layer {
        let _ = writeln!(out, "\n{} {}", p.red("first broken link:"), p.bold(layer.as_str()));
        if let Some(first) =
            report.findings.iter().find(|f| f.layer == layer && f.severity == Severity::Error)
        {
            let _ = writeln!(out, "  {}", first.summary);
            for e in &first.evidence {
                let _ = writeln!(out, "    {}: {}", p.dim(&e.label), e.value);
            }
            let _ = writeln!(out, "  {} {}", p.bold("fix:"), first.remediation);
        }
    }

    let _ = writeln!(out, "\n{}", p.bold("layers"));
    for l in &report.layers {
        let count = report.findings_for(l.layer).filter(|f| f.severity != Severity::Info).count();
        let note = if count > 0 {
            format!("  ({count} problem{})", if count == 1 { "" } else { "s" })
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {:<12} {}{note}", l.layer.as_str(), p.status(l.status));
    }
    clients::clients_text(&mut out, &report.clients, &p);

    if !report.findings.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("findings"));
        for f in &report.findings {
            finding_text(&mut out, f, &p);
        }
    }

    if let Some(trust) = &report.trust {
        let mark = match trust.outcome {
            TrustOutcome::Trusted => p.green("trusted"),
            TrustOutcome::Untrusted => p.red("NOT TRUSTED"),
            TrustOutcome::NotEvaluated => p.yellow("not evaluated"),
        };
        let _ = writeln!(out, "\n{} {mark}\n  {}", p.bold("trust:"), trust.statement);
        if trust.overridden {
            let _ = writeln!(
                out,
                "  {}",
                p.yellow("verification overridden by --insecure: the rest was tested anyway")
            );
        }
    }
    probe::connection_text(&mut out, &report.facts, &p);
    if let Some(cert) = &report.facts.certificate {
        certificate_text(&mut out, cert, &p);
    }
    probe::rtsp_text(&mut out, &report.facts, &p);
    if let Some(sdp) = &report.facts.sdp {
        sdp_text(&mut out, sdp, &p);
    }
    probe::tracks_text(&mut out, &report.facts, &p);
    out
}

fn finding_text(out: &mut String, f: &Finding, p: &Paint) {
    let _ = writeln!(out, "  {} {} {}", p.severity(f.severity), p.bold(&f.code), f.summary);
    if !f.detail.is_empty() {
        let _ = writeln!(out, "          {}", f.detail);
    }
    for e in &f.evidence {
        let _ = writeln!(out, "          {}: {}", p.dim(&e.label), e.value);
    }
    if f.severity != Severity::Info {
        let _ = writeln!(out, "          {} {}", p.dim("fix:"), f.remediation);
    }
}

fn certificate_text(out: &mut String, facts: &CertificateFacts, p: &Paint) {
    let _ = writeln!(out, "\n{}", p.bold("certificates"));
    if let Some(host) = &facts.host {
        let _ = writeln!(out, "  host checked: {host}");
    }
    for c in facts.chain.iter().chain(&facts.unused) {
        let role = match c.role {
            CertRole::Leaf => "leaf",
            CertRole::Intermediate => "intermediate",
            CertRole::Root => "root",
            CertRole::Unused => "not in chain",
        };
        let _ = writeln!(out, "  {} {}", p.bold(&format!("{role:<13}")), c.subject);
        let _ = writeln!(out, "    issuer:    {}", c.issuer);
        let _ = writeln!(out, "    valid:     {} .. {}", c.not_before, c.not_after);
        let mut sans: Vec<String> = c.san_dns.iter().map(|d| format!("DNS:{d}")).collect();
        sans.extend(c.san_ip.iter().map(|i| format!("IP:{i}")));
        if !sans.is_empty() {
            let _ = writeln!(out, "    names:     {}", sans.join(", "));
        }
        let _ = writeln!(
            out,
            "    key:       {}, signed {} (v{}{})",
            c.key,
            c.signature_algorithm,
            c.version,
            if c.is_ca { ", CA" } else { "" }
        );
        let _ = writeln!(out, "    serial:    {}", c.serial);
        let _ = writeln!(out, "    sha256:    {}", c.sha256_fingerprint);
        let _ = writeln!(out, "    from:      {}", c.source);
    }
    if let Some(anchor) = &facts.anchor {
        let _ = writeln!(out, "  {} {anchor}", p.bold(&format!("{:<13}", "anchor")));
    }
    if let Some(key) = &facts.key {
        let state = match key.matches_leaf {
            Some(true) => p.green("matches the server certificate"),
            Some(false) => p.red("does NOT match the server certificate"),
            None => p.yellow("not checked"),
        };
        let desc = key.key.as_deref().unwrap_or("unreadable");
        let format = if key.format.is_empty() { String::new() } else { format!(", {}", key.format) };
        let _ = writeln!(
            out,
            "  {} {} ({desc}{format}): {state}",
            p.bold(&format!("{:<13}", "private key")),
            key.source
        );
    }
}

/// The `facts.sdp` section: the session, then each media with its payload types and what their SPS says.
fn sdp_text(out: &mut String, facts: &SdpFacts, p: &Paint) {
    let _ = writeln!(out, "\n{}", p.bold("session description"));
    let session = [("name", &facts.session_name), ("control", &facts.control), ("range", &facts.range)];
    for (label, value) in session {
        if let Some(value) = value {
            let _ = writeln!(out, "  {label:<9}{}", printable(value));
        }
    }
    for m in &facts.media {
        let mut parts = vec![format!("line {}", m.line), m.proto.clone()];
        parts.push(match &m.control {
            Some(c) => format!("control {c}"),
            None => "no control".to_owned(),
        });
        parts.push(m.direction.clone());
        parts.extend(m.bandwidth.iter().cloned());
        parts.extend(m.dimensions.clone());
        parts.extend(m.framerate.as_ref().map(|f| format!("{f} fps")));
        let _ = writeln!(
            out,
            "  {} {}",
            p.bold(&format!("{:<8}", printable(&m.media))),
            printable(&parts.join("  "))
        );
        for codec in &m.codecs {
            let _ = writeln!(out, "    {}", printable(&codec_line(codec)));
        }
    }
}

/// Text from the description with control characters escaped: a description must not drive the terminal.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

/// `96  H264/90000  High 4.1, 1920x1080, 25 fps  avc1.640029`
fn codec_line(c: &CodecFacts) -> String {
    let mut rtpmap = if c.encoding.is_empty() { "?".to_owned() } else { c.encoding.clone() };
    if let Some(rate) = c.clock_rate {
        rtpmap.push_str(&format!("/{rate}"));
    }
    if let Some(channels) = c.channels {
        rtpmap.push_str(&format!("/{channels}"));
    }
    let mut line = format!("{:<4}{rtpmap}", c.payload_type);
    if let Some(sps) = &c.sps {
        let rate = sps.frame_rate.as_ref().map(|r| format!(", {r} fps")).unwrap_or_default();
        line.push_str(&format!(
            "  {} {}, {}x{}{rate}  {}",
            sps.profile, sps.level, sps.width, sps.height, sps.codec_string
        ));
    }
    line
}
