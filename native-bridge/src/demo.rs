//! `rtspeek demo`: the README's main command. For now: the certificate analysis on a generated sample chain
//! (healthy), then on a certificate made the way many cameras make theirs (broken, with every reason listed).
//! The live RTSPS server and probe join the demo when they land.

use std::path::PathBuf;

use clap::Args;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rtspeek_core::UnixTime;
use rtspeek_core::cert::{CertCheck, InputFile, analyze};
use time::{Duration, OffsetDateTime};

use crate::demo_pki;
use crate::render::{self, ColorChoice};

/// Arguments of `rtspeek demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Where to keep the demo certificates (default: `$RTSPEEK_DATA_DIR` or `~/.local/share/rtspeek`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

pub(crate) fn run(args: DemoArgs) -> Result<u8, String> {
    let color = args.color.enabled();
    let dir = args.data_dir.unwrap_or_else(demo_pki::default_data_dir);
    let now = OffsetDateTime::now_utc();
    let pki = demo_pki::ensure(&dir, now)?;
    let unix_now = UnixTime(now.unix_timestamp());

    render::print_stdout(&format!(
        "== rtspeek demo 1/2: a well-made chain ==\n$ rtspeek cert check {} --key {} --ca {} --host 127.0.0.1\n\n",
        pki.server_cert.display(),
        pki.server_key.display(),
        pki.ca_cert.display()
    ));
    let (cert, key, ca) = (read(&pki.server_cert)?, read(&pki.server_key)?, read(&pki.ca_cert)?);
    let cert_name = pki.server_cert.display().to_string();
    let key_name = pki.server_key.display().to_string();
    let ca_name = pki.ca_cert.display().to_string();
    let files = [InputFile { name: &cert_name, bytes: &cert }];
    let anchors = [InputFile { name: &ca_name, bytes: &ca }];
    let check = CertCheck::new(&files, unix_now)
        .key(InputFile { name: &key_name, bytes: &key })
        .anchors(&anchors)
        .host("127.0.0.1");
    let healthy = analyze(&check).map_err(|e| e.to_string())?;
    render::print_stdout(&render::report_text(&healthy, color));

    let camera = camera_style_certificate(now)?;
    let camera_path = dir.join("demo-camera-style.pem");
    std::fs::write(&camera_path, &camera).map_err(|e| format!("{}: {e}", camera_path.display()))?;
    render::print_stdout(&format!(
        "\n== rtspeek demo 2/2: a certificate made the way many cameras make theirs ==\n\
         $ rtspeek cert check {} --host 127.0.0.1\n\n",
        camera_path.display()
    ));
    let camera_name = camera_path.display().to_string();
    let files = [InputFile { name: &camera_name, bytes: camera.as_bytes() }];
    let broken = analyze(&CertCheck::new(&files, unix_now).host("127.0.0.1")).map_err(|e| e.to_string())?;
    render::print_stdout(&render::report_text(&broken, color));
    render::print_stdout(&format!(
        "\nThe demo certificates are in {}. Check your own with:\n  rtspeek cert check CERT.pem [CHAIN.pem] --key KEY.pem --host CAMERA_HOST_OR_IP [--ca ROOT.pem]\n",
        dir.display()
    ));
    // The demo succeeded if the good chain is healthy and the camera-style one is diagnosed as broken.
    let ok =
        healthy.verdict == rtspeek_core::Verdict::Healthy && broken.verdict == rtspeek_core::Verdict::Broken;
    Ok(if ok { 0 } else { 2 })
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Self-signed, CA:TRUE, the IP only in the Common Name, ten years: `openssl req -x509` defaults as many
/// camera firmwares use them.
fn camera_style_certificate(now: OffsetDateTime) -> Result<String, String> {
    let err = |e: rcgen::Error| format!("generating the camera-style certificate: {e}");
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    params.distinguished_name.push(DnType::OrganizationName, "IPCamera");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = now - Duration::days(30);
    params.not_after = now + Duration::days(3650);
    params.subject_alt_names = Vec::new();
    let key = KeyPair::generate().map_err(err)?;
    Ok(params.self_signed(&key).map_err(err)?.pem())
}
