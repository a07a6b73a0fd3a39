//! The exposition formats, written by hand: OpenMetrics 1.0 (what Prometheus asks for first) and the Prometheus
//! text format 0.0.4 (what `promtool check metrics`, older scrapers and `curl` get). A handful of families per
//! scrape does not need a client library; what the two formats disagree on is kept here: counters' `_total`,
//! the `info` type, and the `# EOF` that ends an OpenMetrics exposition.

use std::fmt::Write as _;

/// Which exposition format a scraper asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/openmetrics-text; version=1.0.0`.
    OpenMetrics,
    /// `text/plain; version=0.0.4`.
    Prometheus,
}

impl Format {
    /// OpenMetrics when the `Accept` header names it (Prometheus does), the 0.0.4 text format otherwise.
    pub fn negotiate(accept: Option<&str>) -> Format {
        match accept {
            Some(accept) if accept.to_ascii_lowercase().contains("application/openmetrics-text") => {
                Format::OpenMetrics
            }
            _ => Format::Prometheus,
        }
    }

    /// The `Content-Type` of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
        }
    }
}

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A value that goes up and down.
    Gauge,
    /// A monotonic count: the family is named without `_total`, its sample with it.
    Counter,
    /// Constant 1 with labels that carry the information: the family is named without `_info`, its sample with
    /// it (a gauge named with `_info` in the 0.0.4 format, which has no info type).
    Info,
    /// `_sum` and `_count` samples (no quantiles).
    Summary,
}

/// One sample: its labels (name, unescaped value) and its value. `suffix` is appended to the family's sample
/// name (`_sum`, `_count` of a summary).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// `_sum`, `_count`, or empty.
    pub suffix: &'static str,
    /// Label names and values.
    pub labels: Vec<(&'static str, String)>,
    /// The value.
    pub value: f64,
}

/// A metric family and its samples, written together.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The name, without `_total` (counters) or `_info` (info).
    pub name: &'static str,
    /// One line for people.
    pub help: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Its samples.
    pub samples: Vec<Sample>,
}

impl Family {
    /// A family with no samples yet.
    pub fn new(name: &'static str, kind: Kind, help: &'static str) -> Family {
        Family { name, help, kind, samples: Vec::new() }
    }

    /// Adds a sample.
    pub fn sample(mut self, labels: Vec<(&'static str, String)>, value: f64) -> Family {
        self.samples.push(Sample { suffix: "", labels, value });
        self
    }

    /// Adds a sample in place.
    pub fn push(&mut self, labels: Vec<(&'static str, String)>, value: f64) {
        self.samples.push(Sample { suffix: "", labels, value });
    }

    /// Adds a summary's `_sum` and `_count`.
    pub fn push_summary(&mut self, labels: Vec<(&'static str, String)>, sum: f64, count: u64) {
        self.samples.push(Sample { suffix: "_sum", labels: labels.clone(), value: sum });
        self.samples.push(Sample { suffix: "_count", labels, value: count as f64 });
    }
}

/// The exposition of `families` in `format` (families without samples are left out: an empty family says
/// nothing and OpenMetrics parsers handle it unevenly).
pub fn render(families: &[Family], format: Format) -> String {
    let mut out = String::new();
    for family in families.iter().filter(|f| !f.samples.is_empty()) {
        let (declared, sample_suffix, kind) = match (family.kind, format) {
            (Kind::Gauge, _) => (family.name.to_owned(), "", "gauge"),
            (Kind::Summary, _) => (family.name.to_owned(), "", "summary"),
            (Kind::Counter, Format::OpenMetrics) => (family.name.to_owned(), "_total", "counter"),
            (Kind::Counter, Format::Prometheus) => (format!("{}_total", family.name), "", "counter"),
            (Kind::Info, Format::OpenMetrics) => (family.name.to_owned(), "_info", "info"),
            (Kind::Info, Format::Prometheus) => (format!("{}_info", family.name), "", "gauge"),
        };
        let _ = writeln!(out, "# HELP {declared} {}", escape_help(family.help));
        let _ = writeln!(out, "# TYPE {declared} {kind}");
        for sample in &family.samples {
            out.push_str(&declared);
            out.push_str(sample_suffix);
            out.push_str(sample.suffix);
            if !sample.labels.is_empty() {
                out.push('{');
                for (i, (name, value)) in sample.labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{name}=\"{}\"", escape_label(value));
                }
                out.push('}');
            }
            let _ = writeln!(out, " {}", number(sample.value));
        }
    }
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

/// A label value as both formats quote it: backslash, double quote and line feed escaped.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A value: Rust's shortest round-trip decimal (never an exponent), `NaN`, `+Inf`, `-Inf`.
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf".to_owned() } else { "-Inf".to_owned() }
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn families() -> Vec<Family> {
        let mut summary = Family::new("x_duration_seconds", Kind::Summary, "How long.");
        summary.push_summary(vec![("module", "m".into())], 1.5, 3);
        vec![
            Family::new("x_up", Kind::Gauge, "Up.\nTwo lines \\ here.").sample(vec![], 1.0),
            Family::new("x_probes", Kind::Counter, "Probes.").sample(vec![("result", "ok".into())], 7.0),
            Family::new("x_cert", Kind::Info, "Cert.")
                .sample(vec![("subject", "CN=a \"b\"\\c\nd".into()), ("issuer", "CN=r".into())], 1.0),
            Family::new("x_empty", Kind::Gauge, "Nothing."),
            Family::new("x_odd", Kind::Gauge, "Odd values.")
                .sample(vec![("v", "nan".into())], f64::NAN)
                .sample(vec![("v", "inf".into())], f64::INFINITY)
                .sample(vec![("v", "small".into())], 1e-7),
            summary,
        ]
    }

    #[test]
    fn openmetrics_names_counters_and_infos_by_family_and_ends_with_eof() {
        let text = render(&families(), Format::OpenMetrics);
        assert!(text.contains("# TYPE x_probes counter\nx_probes_total{result=\"ok\"} 7\n"), "{text}");
        assert!(
            text.contains(
                "# TYPE x_cert info\nx_cert_info{subject=\"CN=a \\\"b\\\"\\\\c\\nd\",issuer=\"CN=r\"} 1\n"
            ),
            "{text}"
        );
        assert!(text.contains("# HELP x_up Up.\\nTwo lines \\\\ here.\n"), "{text}");
        assert!(text.contains(
            "x_duration_seconds_sum{module=\"m\"} 1.5\nx_duration_seconds_count{module=\"m\"} 3\n"
        ));
        assert!(
            text.contains("x_odd{v=\"nan\"} NaN\nx_odd{v=\"inf\"} +Inf\nx_odd{v=\"small\"} 0.0000001\n"),
            "{text}"
        );
        assert!(!text.contains("x_empty"), "{text}");
        assert!(text.ends_with("} 3\n# EOF\n"), "{text}");
    }

    #[test]
    fn the_prometheus_text_format_names_the_samples_and_has_no_eof() {
        let text = render(&families(), Format::Prometheus);
        assert!(text.contains("# TYPE x_probes_total counter\nx_probes_total{result=\"ok\"} 7\n"), "{text}");
        assert!(text.contains("# TYPE x_cert_info gauge\nx_cert_info{"), "{text}");
        assert!(!text.contains("# EOF"), "{text}");
    }

    #[test]
    fn the_accept_header_chooses() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;\
                          q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Prometheus);
        assert_eq!(Format::negotiate(None), Format::Prometheus);
    }
}
