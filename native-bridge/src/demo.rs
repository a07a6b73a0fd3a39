//! `rtspeek demo`: the README's main command. It starts `rtspeek serve` on loopback with the synthetic camera
//! on rtsps:// and rtsp:// (certificates from the demo's own CA, made on first run and kept in the data
//! directory), probes the rtsps:// stream trusting that CA and prints the layered report, shows the offline
//! certificate analysis on a certificate made the way many cameras make theirs, then keeps serving with the
//! URLs printed so the stream can be opened in ffplay or VLC (`--once` stops after the report).

use crate::cli_error::CliError;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rtspeek_bridge::bridge::{Bridge, BridgeOptions};
use rtspeek_bridge::probe::options::{ProbeOptions, configure};
use rtspeek_bridge::serve::Server;
use rtspeek_bridge::serve::config::ServeConfig;
use rtspeek_bridge::tls::TlsOptions;
use rtspeek_core::UnixTime;
use rtspeek_core::cert::{CertCheck, InputFile, analyze};
use rtspeek_core::probe::{NamedBytes, ProbeConfig};
use time::OffsetDateTime;

use crate::demo_pki;
use crate::render::{self, ColorChoice};

/// Arguments of `rtspeek demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Where to keep the demo certificates and configuration (default: `$RTSPEEK_DATA_DIR` or
    /// `~/.local/share/rtspeek`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The rtsps:// port on 127.0.0.1 (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 8322)]
    rtsps_port: u16,
    /// The plain rtsp:// port on 127.0.0.1 (0: any free port); UDP media uses the two ports after it.
    #[arg(long, value_name = "PORT", default_value_t = 8554)]
    rtsp_port: u16,
    /// The bridge (web page) port on 127.0.0.1 (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 8090)]
    bridge_port: u16,
    /// The server's admin endpoint (the page's Server view, HTTPS) on 127.0.0.1 (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 9443)]
    admin_port: u16,
    /// The ONVIF device service (HTTP) on 127.0.0.1 (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    onvif_port: u16,
    /// Stop after the report instead of serving until Ctrl-C.
    #[arg(long)]
    once: bool,
    /// Colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

pub(crate) fn run(args: DemoArgs) -> Result<u8, CliError> {
    let color = args.color.enabled();
    let dir = args.data_dir.clone().unwrap_or_else(demo_pki::default_data_dir);
    let now = OffsetDateTime::now_utc();
    let pki = demo_pki::ensure(&dir, now)?;
    let config_path = write_config(&dir, &pki, &args)?;
    let config = ServeConfig::load(&config_path).map_err(|e| CliError::Input(e.to_string()))?;
    if !args.once {
        crate::init_logging("warn");
    }
    let runtime = crate::multi_thread_runtime()?;
    runtime.block_on(async {
        let server = Server::start(config).await.map_err(|e| {
            if e.is_config() {
                return CliError::from(e);
            }
            let hint = "another program may use the port: try `rtspeek demo --rtsps-port 0 --rtsp-port 0 \
                        --admin-port 0 --onvif-port 0`";
            CliError::Runtime(format!("{e}\n({hint})"))
        })?;
        let (Some(rtsps), Some(rtsp)) = (server.url("synthetic", true), server.url("synthetic", false)) else {
            return Err(CliError::Runtime("the demo server has no listener".to_owned()));
        };
        render::print_stdout(&format!(
            "== rtspeek demo 1/2: a live RTSPS camera, probed layer by layer ==\n\
             rtspeek serve {} is serving its synthetic camera (H.264 test pattern with a frame counter and clock)\n\
             $ rtspeek probe {rtsps} --ca {} --duration 3\n\n",
            config_path.display(),
            pki.ca_cert.display()
        ));
        let (probe_config, tls) = probe_config(&rtsps, &pki.ca_cert)?;
        let live = crate::probe_cmd::probe_and_print(
            probe_config,
            &tls,
            crate::probe_cmd::Output { color, ..Default::default() },
        )
        .await?;
        let broken = camera_certificate_demo(&dir, now, color)?;
        render::print_stdout(&format!(
            "\nThe demo server keeps serving (Ctrl-C stops it):\n  {rtsps}   (TLS; CA: {ca})\n  {rtsp}    \
             (plain RTSP, TCP or UDP)\nOpen it with:\n  ffplay -rtsp_transport tcp {rtsps}\n  vlc {rtsp}\n  \
             rtspeek probe {rtsps} --ca {ca}\nCheck your own camera with:\n  rtspeek probe rtsps://USER@CAMERA/PATH \
             [--ca ROOT.pem]\n  rtspeek cert check CERT.pem --key KEY.pem --host CAMERA_HOST_OR_IP [--ca ROOT.pem]\n",
            ca = pki.ca_cert.display()
        ));
        // The demo worked if the live chain is healthy and the camera-style certificate is diagnosed as broken.
        let ok = live.verdict == rtspeek_core::Verdict::Healthy && broken.verdict == rtspeek_core::Verdict::Broken;
        if args.once {
            server.shutdown().await;
            return Ok(if ok { 0 } else { 2 });
        }
        // The browser page: live probes of the same stream through the local bridge.
        let bind = std::net::SocketAddr::from(([127, 0, 0, 1], args.bridge_port));
        let bridge = match Bridge::start(BridgeOptions { bind, ..BridgeOptions::default() }).await {
            Ok(bridge) => Some(bridge),
            Err(_) if args.bridge_port != 0 => {
                let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
                Bridge::start(BridgeOptions { bind: any, ..BridgeOptions::default() }).await.ok()
            }
            Err(e) => {
                render::print_stdout(&format!("(the web page is not available: {e})\n"));
                None
            }
        };
        if let Some(bridge) = &bridge {
            let note = if Bridge::web_ui_built() { "" } else { " (web UI not built: run `cargo xtask web`)" };
            render::print_stdout(&format!(
                "Web page (offline checks, live probes with video preview){note}:\n  {}\n",
                bridge.url()
            ));
        }
        if let Some(device_service) = server.onvif.as_ref().and_then(|o| o.device_service()) {
            render::print_stdout(&format!(
                "ONVIF (what an NVR or ONVIF client is pointed at; it hands out the rtsps:// URL):\n  {device_service}\n  \
                 onvif user: {DEMO_ONVIF_USER}  password file: {}\n",
                dir.join(DEMO_ONVIF_PASSWORD).display()
            ));
        }
        if let Some(admin) = &server.admin {
            let global = server.slots.first().map(|s| s.fingerprint()).unwrap_or_default();
            render::print_stdout(&format!(
                "The server's own page (streams, certificates, sessions; apply a new pair):\n  {}\n  (HTTPS with \
                 the demo's certificate, SHA-256 {global}: your browser warns until it trusts {}; the admin token \
                 is in {})\n",
                admin.url(),
                pki.ca_cert.display(),
                admin.token_file().display()
            ));
        }
        server.run_until_signal().await;
        if let Some(bridge) = bridge {
            bridge.shutdown().await;
        }
        Ok(if ok { 0 } else { 2 })
    })
}

/// The demo's ONVIF user, and the file of its password in the data directory.
const DEMO_ONVIF_USER: &str = "demo";
const DEMO_ONVIF_PASSWORD: &str = "onvif-password";

/// The demo ONVIF password's file, made owner-only with a random password on first use (demo-only: it opens
/// nothing but this loopback demo). Never printed: the demo names the file.
fn onvif_password(dir: &Path) -> Result<PathBuf, CliError> {
    let path = dir.join(DEMO_ONVIF_PASSWORD);
    if !path.exists() {
        let seed = rtspeek_bridge::serve::random_seed();
        let password: String = seed.iter().take(12).map(|b| format!("{b:02x}")).collect();
        rtspeek_bridge::files::write(&path, format!("{password}\n").as_bytes(), true, false)
            .map_err(|e| CliError::write(&path, &e))?;
    }
    Ok(path)
}

/// The demo's server configuration, written next to its certificates so a user can run it (and edit it).
fn write_config(dir: &Path, pki: &demo_pki::DemoPki, args: &DemoArgs) -> Result<PathBuf, CliError> {
    let udp = if args.rtsp_port == 0 { 0 } else { args.rtsp_port.saturating_add(2) };
    let udp_line = if udp == 0 { String::new() } else { format!("udp_port = {udp}\n") };
    let text = format!(
        r#"# Written by `rtspeek demo`; run it with `rtspeek serve {this}`.
[tls]
cert = "{cert}"
key = "{key}"
names = ["localhost", "127.0.0.1"]

[[listener]]
bind = "127.0.0.1:{rtsps}"

[[listener]]
bind = "127.0.0.1:{rtsp}"
tls = false
{udp_line}
[[stream]]
path = "synthetic"
title = "rtspeek synthetic camera"
source = {{ kind = "synthetic" }}

[admin]
listen = "127.0.0.1:{admin}"

# The demo's ONVIF user; its password is the first line of {password_file} (demo-only, made at random).
[onvif]
listen = "127.0.0.1:{onvif}"
[[onvif.user]]
name = "{DEMO_ONVIF_USER}"
password_file = "{password_file}"
"#,
        this = dir.join("demo-serve.toml").display(),
        cert = pki.server_cert.display(),
        key = pki.server_key.display(),
        rtsps = args.rtsps_port,
        rtsp = args.rtsp_port,
        admin = args.admin_port,
        onvif = args.onvif_port,
        password_file = onvif_password(dir)?.display(),
    );
    let path = dir.join("demo-serve.toml");
    std::fs::write(&path, text).map_err(|e| CliError::write(&path, &e))?;
    Ok(path)
}

/// `rtspeek probe URL --ca CA --duration 3`, through the options the CLI and the bridge share.
fn probe_config(url: &str, ca: &Path) -> Result<(ProbeConfig, TlsOptions), CliError> {
    let mut options = ProbeOptions::new(url);
    options.ca = vec![NamedBytes { name: ca.display().to_string(), bytes: read(ca)? }];
    options.media_window = Duration::from_secs(3);
    Ok(configure(&options, crate::cert_cmd::now())?)
}

/// Part 2: the offline analysis of a certificate made the way many camera firmwares make theirs.
fn camera_certificate_demo(
    dir: &Path,
    now: OffsetDateTime,
    color: bool,
) -> Result<rtspeek_core::Report, CliError> {
    let camera = camera_style_certificate(now)?;
    let camera_path = dir.join("demo-camera-style.pem");
    std::fs::write(&camera_path, &camera).map_err(|e| CliError::write(&camera_path, &e))?;
    render::print_stdout(&format!(
        "\n== rtspeek demo 2/2: a certificate made the way many cameras make theirs ==\n\
         $ rtspeek cert check {} --host 127.0.0.1\n\n",
        camera_path.display()
    ));
    let camera_name = camera_path.display().to_string();
    let files = [InputFile { name: &camera_name, bytes: camera.as_bytes() }];
    let report = analyze(&CertCheck::new(&files, UnixTime(now.unix_timestamp())).host("127.0.0.1"))
        .map_err(|e| CliError::Runtime(format!("the camera-style certificate: {e}")))?;
    render::print_stdout(&render::report_text(&report, color));
    Ok(report)
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Self-signed, CA:TRUE, the IP only in the Common Name, ten years: `openssl req -x509` defaults as many
/// camera firmwares use them.
fn camera_style_certificate(now: OffsetDateTime) -> Result<String, CliError> {
    let err = |e: rcgen::Error| CliError::Runtime(format!("generating the camera-style certificate: {e}"));
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    params.distinguished_name.push(DnType::OrganizationName, "IPCamera");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = now - time::Duration::days(30);
    params.not_after = now + time::Duration::days(3650);
    params.subject_alt_names = Vec::new();
    let key = KeyPair::generate().map_err(err)?;
    Ok(params.self_signed(&key).map_err(err)?.pem())
}
