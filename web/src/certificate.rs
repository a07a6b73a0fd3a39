//! `analyzeCertificate`: the options of the JavaScript call as plain Rust, and the call into core exactly as
//! `rtspeek cert check` makes it (native-bridge/src/cert_cmd.rs), so both give the same report.

use rtspeek_core::cert::crypto::VerifyError;
use rtspeek_core::cert::{self, Analysis, CertCheck, InputFile, SignatureCheck, Verdicts};
use rtspeek_core::{Report, UnixTime};

/// One input: a display name (shown in the report's target and evidence) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedBytes {
    /// Display name: a file name, or `pem`, `der[0]`, `key`, `ca` for pasted input.
    pub name: String,
    /// PEM text or DER bytes.
    pub bytes: Vec<u8>,
}

/// What to analyse: the `CertificateOptions` of `analyzeCertificate`, read.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateRequest {
    /// Certificate inputs in the order given (leaf, chain, bundle, in any order).
    pub certificates: Vec<NamedBytes>,
    /// The private key to check against the leaf.
    pub key: Option<NamedBytes>,
    /// Passphrase of an encrypted key.
    pub key_passphrase: Option<String>,
    /// The host a client connects to (DNS name or IP literal).
    pub host: Option<String>,
    /// Trust anchors; empty means the public web PKI.
    pub ca: Vec<NamedBytes>,
    /// The time validity is judged at, in milliseconds since the Unix epoch (`Date.now()`).
    pub now_ms: f64,
}

/// Milliseconds since the epoch (`Date.now()`) as the whole seconds core takes; refuses what no `Date` can
/// hold (NaN, infinities, beyond +-8.64e15 ms).
pub fn unix_time(ms: f64) -> Result<UnixTime, String> {
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        // Integer text, not `{ms}`: keeps float printing out of the module (same text up to 2^53 ms).
        let ms = rtspeek_core::decimal::fixed(ms, 0);
        return Err(format!(
            "now: {ms} is not a time; pass Date.now() (milliseconds since 1970-01-01T00:00:00Z)"
        ));
    }
    // In range by the check above: |ms / 1000| <= 8.64e12 fits an i64 exactly.
    #[allow(clippy::cast_possible_truncation)]
    Ok(UnixTime((ms / 1000.0).floor() as i64))
}

fn input_files(inputs: &[NamedBytes]) -> Vec<InputFile<'_>> {
    inputs.iter().map(|f| InputFile { name: &f.name, bytes: &f.bytes }).collect()
}

/// Runs the certificate analysis of core, verifying signatures with core's crates. Errors carry core's message
/// (the CLI prints the same text).
pub fn analyze(request: &CertificateRequest) -> Result<Report, String> {
    with_check(request, |check| cert::analyze(check).map_err(|e| e.to_string()))
}

/// One round of the two-phase analysis (`cert::analyze_with`): the report, or the signature checks still
/// to be answered in `verdicts`. The page answers them with WebCrypto ([`crate::webcrypto`]).
pub fn analyze_step(request: &CertificateRequest, verdicts: &Verdicts) -> Result<Analysis, String> {
    with_check(request, |check| cert::analyze_with(check, verdicts).map_err(|e| e.to_string()))
}

/// The analysis with the verdicts of `verify`, round after round: the report [`analyze`] gives when `verify`
/// agrees with core's crates.
pub fn analyze_verifying(
    request: &CertificateRequest,
    mut verify: impl FnMut(&SignatureCheck) -> Result<(), VerifyError>,
) -> Result<Report, String> {
    let mut verdicts = Verdicts::new();
    loop {
        match analyze_step(request, &verdicts)? {
            Analysis::Done(report) => return Ok(*report),
            Analysis::Verify(checks) => {
                for check in checks {
                    let result = verify(&check);
                    verdicts.insert(check, result);
                }
            }
        }
    }
}

/// Builds core's `CertCheck` for `request` and runs `run` on it.
fn with_check<T>(
    request: &CertificateRequest,
    run: impl FnOnce(&CertCheck<'_>) -> Result<T, String>,
) -> Result<T, String> {
    if request.certificates.is_empty() {
        return Err("no certificate given: pass `pem` (text), `der` (bytes) or `files`".into());
    }
    let now = unix_time(request.now_ms)?;
    let certificates = input_files(&request.certificates);
    let anchors = input_files(&request.ca);
    let mut check = CertCheck::new(&certificates, now);
    if let Some(key) = &request.key {
        check = check.key(InputFile { name: &key.name, bytes: &key.bytes });
    }
    if let Some(passphrase) = &request.key_passphrase {
        check = check.key_passphrase(passphrase.as_bytes());
    }
    if let Some(host) = &request.host {
        check = check.host(host);
    }
    if !anchors.is_empty() {
        check = check.anchors(&anchors);
    }
    run(&check)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The fixed time the fixtures of core/tests/data/pki are built around (2026-06-01T00:00:00Z).
    const FIXTURE_NOW_MS: f64 = 1_780_272_000_000.0;

    fn pki(name: &str) -> NamedBytes {
        let bytes = match name {
            "chain.pem" => include_bytes!("../../core/tests/data/pki/chain.pem").to_vec(),
            "root.pem" => include_bytes!("../../core/tests/data/pki/root.pem").to_vec(),
            "expired.pem" => include_bytes!("../../core/tests/data/pki/expired.pem").to_vec(),
            "leaf.key" => include_bytes!("../../core/tests/data/pki/leaf.key").to_vec(),
            "wrong.key" => include_bytes!("../../core/tests/data/pki/wrong.key").to_vec(),
            other => panic!("no fixture {other}"),
        };
        NamedBytes { name: name.to_owned(), bytes }
    }

    fn request(certs: &[&str]) -> CertificateRequest {
        CertificateRequest {
            certificates: certs.iter().map(|c| pki(c)).collect(),
            key: None,
            key_passphrase: None,
            host: None,
            ca: Vec::new(),
            now_ms: FIXTURE_NOW_MS,
        }
    }

    #[test]
    fn healthy_chain_with_key_host_and_anchor() {
        let mut r = request(&["chain.pem"]);
        r.key = Some(pki("leaf.key"));
        r.host = Some("192.0.2.10".into());
        r.ca = vec![pki("root.pem")];
        let report = analyze(&r).unwrap();
        assert_eq!(report.verdict.as_str(), "healthy", "{:#?}", report.findings);
        assert_eq!(report.target, "certificate check: chain.pem");
    }

    #[test]
    fn faults_are_findings() {
        let mut r = request(&["expired.pem"]);
        r.key = Some(pki("wrong.key"));
        let report = analyze(&r).unwrap();
        assert!(report.has("cert.expired"), "{:#?}", report.findings);
        assert!(report.has("cert.key_mismatch"), "{:#?}", report.findings);
    }

    /// The binding adds nothing of its own: the report is core's, as the CLI gets it for the same inputs.
    #[test]
    fn report_is_cores() {
        let r = request(&["chain.pem"]);
        let files = [InputFile { name: "chain.pem", bytes: &r.certificates[0].bytes }];
        let direct = cert::analyze(&CertCheck::new(&files, UnixTime(1_780_272_000))).unwrap();
        assert_eq!(
            serde_json::to_string(&analyze(&r).unwrap()).unwrap(),
            serde_json::to_string(&direct).unwrap()
        );
    }

    /// The rounds of the two-phase analysis with core's verdicts give the one-phase report; other verdicts
    /// change it (so the page's WebCrypto answers are what decides).
    #[test]
    fn two_phase_with_cores_verdicts_is_the_report() {
        let mut r = request(&["chain.pem"]);
        r.key = Some(pki("leaf.key"));
        r.ca = vec![pki("root.pem")];
        let mut asked = 0;
        let two_phase = analyze_verifying(&r, |c| {
            asked += 1;
            c.verify()
        });
        assert_eq!(two_phase, analyze(&r));
        assert_eq!(asked, 2);
        let rejecting = analyze_verifying(&r, |_| Err(VerifyError::Invalid)).unwrap();
        assert!(rejecting.has("cert.bad_signature"), "{:#?}", rejecting.findings);
    }

    #[test]
    fn errors_are_cores_messages() {
        let mut r = request(&["chain.pem"]);
        r.certificates[0].bytes = b"hello".to_vec();
        let e = analyze(&r).unwrap_err();
        assert!(e.starts_with("chain.pem: no certificate found"), "{e}");
        assert!(analyze(&request(&[])).unwrap_err().contains("no certificate given"));
        let mut r = request(&["chain.pem"]);
        r.host = Some("not a host!".into());
        assert!(analyze(&r).unwrap_err().contains("invalid host"));
    }

    /// web/www/sample-report.json (shown by embed.html) is this report: a leaf without its intermediate,
    /// judged for host 192.0.2.10 against the public web PKI at the fixtures' time. Regenerated by
    /// `cargo xtask docs` (RTSPEEK_BLESS=1) when core's wording changes.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn bless_sample_report() {
        let mut r = request(&[]);
        r.certificates = vec![NamedBytes {
            name: "cam.pem".into(),
            bytes: include_bytes!("../../core/tests/data/pki/ip-not-in-san.pem").to_vec(),
        }];
        r.host = Some("192.0.2.10".into());
        let json = serde_json::to_string_pretty(&analyze(&r).unwrap()).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/sample-report.json");
        if std::env::var_os("RTSPEEK_BLESS").is_some() {
            std::fs::write(path, &json).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap();
        assert!(on_disk == json, "{path} is stale: run `cargo xtask docs` and review the diff");
        // And it reads back as a Report of the schema.
        let back: Report = serde_json::from_str(&on_disk).unwrap();
        assert!(back.has("cert.ip_not_in_san"));
        // The certificate part of the client verdicts, as `rtspeek cert check` gives it.
        let gst = back.clients.iter().find(|c| c.id == "gstreamer").expect("client verdicts");
        assert_eq!(gst.verdict, rtspeek_core::clients::Outcome::Fails);
    }

    #[test]
    fn time_is_milliseconds_floored_to_seconds() {
        assert_eq!(unix_time(1_780_272_000_999.0), Ok(UnixTime(1_780_272_000)));
        assert_eq!(unix_time(-1.0), Ok(UnixTime(-1)));
        assert!(unix_time(f64::NAN).is_err());
        assert!(unix_time(f64::INFINITY).is_err());
        assert!(unix_time(9e15).is_err());
    }
}
