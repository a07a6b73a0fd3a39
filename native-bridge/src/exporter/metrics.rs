//! A probe's report as metric families: the answer to one `/probe` scrape (docs/exporter.md lists them).

use std::collections::BTreeMap;

use rtspeek_core::cert::CertRole;
use rtspeek_core::clients::Outcome;
use rtspeek_core::{LayerStatus, Report, Verdict};

use super::text::{Family, Kind};

/// `rtspeek_layer_status`'s value for a status: ordered by how bad, so `>= 2` is "broken" and `max()` over
/// layers is the worst; a layer never assessed is -1 (neither good nor bad).
pub fn layer_value(status: LayerStatus) -> f64 {
    match status {
        LayerStatus::Pass => 0.0,
        LayerStatus::Warn => 1.0,
        LayerStatus::Fail => 2.0,
        LayerStatus::NotReached => -1.0,
    }
}

/// `rtspeek_client_compatible`'s value: 1 works, 0.5 works with a caveat, 0 fails.
fn client_value(outcome: Outcome) -> f64 {
    match outcome {
        Outcome::Works => 1.0,
        Outcome::Risky => 0.5,
        Outcome::Fails => 0.0,
    }
}

/// Whether a probe succeeded, as `probe_success` says it: it ran to its end (not cut by the scrape's
/// deadline) and nothing is broken. A degraded camera still succeeds; its warnings are in
/// `rtspeek_layer_status` and `rtspeek_finding`.
pub fn success(report: &Report) -> bool {
    report.verdict != Verdict::Broken && !report.facts.interrupted
}

/// The families of one probe: `report` (`None`: the probe could not even report before its hard bound) and
/// how long it took.
pub fn probe_families(report: Option<&Report>, duration_secs: f64) -> Vec<Family> {
    let ok = report.is_some_and(success);
    let mut families = vec![
        Family::new(
            "rtspeek_probe_success",
            Kind::Gauge,
            "Whether the probe ran to its end and found nothing broken.",
        )
        .sample(vec![], if ok { 1.0 } else { 0.0 }),
        Family::new("rtspeek_probe_duration_seconds", Kind::Gauge, "How long the probe took, in seconds.")
            .sample(vec![], duration_secs),
    ];
    let Some(report) = report else { return families };
    families.push(
        Family::new(
            "rtspeek_probe_interrupted",
            Kind::Gauge,
            "Whether the scrape's deadline cut the probe short (what it saw until then is reported).",
        )
        .sample(vec![], if report.facts.interrupted { 1.0 } else { 0.0 }),
    );
    let mut verdict =
        Family::new("rtspeek_verdict", Kind::Gauge, "The verdict: 1 for the one reached, 0 for the others.");
    for v in [Verdict::Healthy, Verdict::Degraded, Verdict::Broken] {
        verdict.push(vec![("verdict", v.as_str().to_owned())], if v == report.verdict { 1.0 } else { 0.0 });
    }
    families.push(verdict);
    let mut layers = Family::new(
        "rtspeek_layer_status",
        Kind::Gauge,
        "Each layer's status: 0 pass, 1 warn, 2 fail, -1 not reached.",
    );
    for layer in &report.layers {
        layers.push(vec![("layer", layer.layer.as_str().to_owned())], layer_value(layer.status));
    }
    families.push(layers);
    let first_broken = report.first_broken_layer.map_or("none", |l| l.as_str());
    families.push(
        Family::new(
            "rtspeek_first_broken_layer",
            Kind::Info,
            "The first layer, in chain order, that failed (none: none).",
        )
        .sample(vec![("layer", first_broken.to_owned())], 1.0),
    );
    families.extend(certificate(report));
    families.extend(tls(report));
    families.extend(rtp(report));
    families.push(findings(report));
    let mut clients = Family::new(
        "rtspeek_client_compatible",
        Kind::Gauge,
        "How each common client fares: 1 works, 0.5 works with a caveat, 0 fails.",
    );
    for client in &report.clients {
        clients.push(vec![("client", client.id.clone())], client_value(client.verdict));
    }
    families.push(clients);
    families
}

/// The leaf certificate the camera presented: its expiry and identity.
fn certificate(report: &Report) -> Vec<Family> {
    let Some(leaf) = report
        .facts
        .certificate
        .as_ref()
        .and_then(|c| c.chain.iter().find(|s| s.role == CertRole::Leaf).or(c.chain.first()))
    else {
        return Vec::new();
    };
    let mut families = Vec::new();
    let not_after =
        time::OffsetDateTime::parse(&leaf.not_after, &time::format_description::well_known::Rfc3339);
    if let Ok(not_after) = not_after {
        families.push(
            Family::new(
                "rtspeek_cert_not_after_seconds",
                Kind::Gauge,
                "The leaf certificate's notAfter, in seconds since the Unix epoch.",
            )
            .sample(vec![], not_after.unix_timestamp() as f64),
        );
    }
    families.push(
        Family::new(
            "rtspeek_cert",
            Kind::Info,
            "The leaf certificate: its SHA-256 fingerprint, subject and issuer (a new fingerprint is a new series).",
        )
        .sample(
            vec![
                ("fingerprint_sha256", leaf.sha256_fingerprint.clone()),
                ("subject", leaf.subject.clone()),
                ("issuer", leaf.issuer.clone()),
            ],
            1.0,
        ),
    );
    families
}

/// The TLS handshake's duration (rustls', or the legacy client's when only it connected).
fn tls(report: &Report) -> Option<Family> {
    let tls = report.facts.tls.as_ref()?;
    let ms = tls.handshake_ms.or(tls.legacy.as_ref().map(|l| l.handshake_ms))?;
    Some(
        Family::new(
            "rtspeek_tls_handshake_seconds",
            Kind::Gauge,
            "How long the TLS handshake took, in seconds.",
        )
        .sample(vec![], ms / 1000.0),
    )
}

/// Loss and jitter of each track that received RTP, over the probe's media window.
fn rtp(report: &Report) -> Vec<Family> {
    let mut loss = Family::new(
        "rtspeek_rtp_loss_ratio",
        Kind::Gauge,
        "RTP packets lost over packets expected during the media window (0-1), per track.",
    );
    let mut jitter = Family::new(
        "rtspeek_rtp_jitter_seconds",
        Kind::Gauge,
        "The highest RTP interarrival jitter (RFC 3550) of the track's sources at the end of the window, in seconds.",
    );
    for (index, track) in report.facts.tracks.iter().enumerate() {
        let Some(rtp) = &track.rtp else { continue };
        let (lost, expected) =
            rtp.sources.iter().fold((0u64, 0u64), |(l, e), s| (l + s.lost, e + s.expected));
        let labels = vec![("track", index.to_string()), ("media", track.media.clone())];
        if expected > 0 {
            loss.push(labels.clone(), lost as f64 / expected as f64);
        }
        if let Some(max) = rtp.sources.iter().map(|s| s.jitter_ms).reduce(f64::max) {
            jitter.push(labels, max / 1000.0);
        }
    }
    vec![loss, jitter]
}

/// One series per finding code: how many findings carry it (labels: its layer and severity).
fn findings(report: &Report) -> Family {
    let mut counts: BTreeMap<&str, (&'static str, &'static str, u32)> = BTreeMap::new();
    for finding in &report.findings {
        counts.entry(&finding.code).or_insert((finding.layer.as_str(), finding.severity.as_str(), 0)).2 += 1;
    }
    let mut family = Family::new(
        "rtspeek_finding",
        Kind::Gauge,
        "Findings of the probe, by code (docs/findings.md): how many carry the code.",
    );
    for (code, (layer, severity, count)) in counts {
        family.push(
            vec![("code", code.to_owned()), ("layer", layer.to_owned()), ("severity", severity.to_owned())],
            f64::from(count),
        );
    }
    family
}

#[cfg(test)]
mod tests {
    use super::super::text::{Format, render};
    use super::*;
    use rtspeek_core::diagnose::ReportBuilder;
    use rtspeek_core::{Finding, Layer};

    fn report(codes: &[&'static str]) -> Report {
        let mut builder =
            ReportBuilder::new("rtsps://cam.example/live", &[Layer::Tcp, Layer::Tls, Layer::Certificate]);
        for layer in [Layer::Tcp, Layer::Tls, Layer::Certificate] {
            builder.reached(layer);
        }
        for code in codes {
            let info = rtspeek_core::diagnose::codes::lookup(code).expect("a catalogue code");
            builder.push(Finding::new(info, "seen"));
        }
        builder.finish()
    }

    #[test]
    fn a_broken_report_fails_names_its_layer_and_counts_its_codes() {
        let report = report(&["cert.expired", "cert.expired"]);
        let text = render(&probe_families(Some(&report), 0.25), Format::Prometheus);
        assert!(text.contains("\nrtspeek_probe_success 0\n"), "{text}");
        assert!(text.contains("\nrtspeek_probe_duration_seconds 0.25\n"), "{text}");
        assert!(text.contains("rtspeek_first_broken_layer_info{layer=\"certificate\"} 1\n"), "{text}");
        assert!(text.contains("rtspeek_layer_status{layer=\"certificate\"} 2\n"), "{text}");
        assert!(text.contains("rtspeek_verdict{verdict=\"broken\"} 1\n"), "{text}");
        assert!(
            text.contains(
                "rtspeek_finding{code=\"cert.expired\",layer=\"certificate\",severity=\"error\"} 2\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_clean_report_succeeds_unless_cut_short() {
        let mut report = report(&[]);
        assert!(success(&report));
        let text = render(&probe_families(Some(&report), 1.0), Format::OpenMetrics);
        assert!(text.contains("\nrtspeek_probe_success 1\n"), "{text}");
        assert!(text.contains("rtspeek_first_broken_layer_info{layer=\"none\"} 1\n"), "{text}");
        report.facts.interrupted = true;
        assert!(!success(&report));
        let text = render(&probe_families(None, 9.5), Format::OpenMetrics);
        assert!(text.starts_with("# HELP rtspeek_probe_success"), "{text}");
        assert!(text.contains("\nrtspeek_probe_success 0\n") && !text.contains("rtspeek_verdict"), "{text}");
    }
}
