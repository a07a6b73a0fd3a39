//! Idempotent installs: each function here checks first, installs only what is missing, and says which.
//!
//! A fresh Debian machine with rustup gets everything the checks need from `cargo xtask test`; a machine that
//! has it all pays a few probes. To need a new tool, add one line to [`for_test`] or [`for_demo`], e.g.
//! `apt(sh, &["ffmpeg", "gstreamer1.0-tools"])?` or `tool_or_apt(sh, "chromium", &["--version"], "chromium")?`.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::sh::Sh;
use crate::workspace;

/// What `cargo xtask test` needs.
pub(crate) fn for_test(sh: &Sh) -> Result<(), String> {
    rustup_target(sh, "wasm32-unknown-unknown")?;
    rustup_components(sh, &["rustfmt", "clippy"])?;
    // The dependency policy of deny.toml (licences, bans, sources).
    cargo_deny(sh)?;
    // wasm-bindgen-test-runner runs core's wasm32 tests in Node.
    tool_or_apt(sh, "node", &["--version"], "nodejs")?;
    // Tests generate certificates with the openssl CLI, and run `openssl s_server` as a TLS peer.
    tool_or_apt(sh, "openssl", &["version"], "openssl")?;
    // The third-party peers of the loopback tests (tests/src/peers/): gst-rtsp-server through
    // tests/peers/gst_rtsp_server.py (Debian's python3 with the GObject bindings; x264enc is in -ugly,
    // x265enc in -bad, TLS in glib-networking), ffprobe/ffmpeg as clients, and procps's `kill`, which stops a
    // peer's whole process group.
    apt(
        sh,
        &[
            "ffmpeg",
            "gstreamer1.0-tools",
            "gstreamer1.0-plugins-good",
            "gstreamer1.0-plugins-bad",
            "gstreamer1.0-plugins-ugly",
            "gstreamer1.0-rtsp",
            "gir1.2-gst-rtsp-server-1.0",
            "python3-gst-1.0",
            "python3-gi",
            "glib-networking",
            "gstreamer1.0-libav",
            "procps",
            // The client matrix (native-bridge/tests/it/client_matrix.rs): TLS fronts with one camera condition
            // each, VLC 3 and a Go 1.19 crypto/tls client as real clients, util-linux's setpriv to run VLC
            // as nobody (it refuses root).
            "stunnel4",
            "vlc-bin",
            "vlc-plugin-base",
            "golang-go",
            "util-linux",
            "python3-venv",
            // `rtspeek probe --capture` is read back by tshark, and editcap strips its secrets
            // (native-bridge/tests/it/probe_capture.rs). wireshark-common's debconf question (may non-root
            // users capture) takes its default, no, under DEBIAN_FRONTEND=noninteractive.
            "tshark",
            // `rtspeek exporter` scraped by a real Prometheus, and promtool checking its exposition and the
            // documented alert rules (native-bridge/tests/it/exporter.rs). The package also starts a
            // prometheus service on :9090; the test runs its own on a free port with its own data directory.
            "prometheus",
        ],
    )?;
    // The matrix's OpenSSL 3 / Python ssl client: aiortsp in a venv of its own.
    python_venv(sh, &["aiortsp==1.4.0"], "aiortsp")?;
    // ONVIF clients against `rtspeek serve` (native-bridge/tests/it/onvif_clients.rs): python-onvif-zeep in the
    // same venv, and the npm `onvif` package.
    python_venv(sh, &["onvif-zeep==0.2.12"], "onvif")?;
    npm_peers(sh, &[("onvif", "0.8.3")])?;
    // The WS-Discovery tests (native-bridge/tests/it/onvif_discovery.rs): Python's WSDiscovery as the
    // third-party responder and prober, in network namespaces that iproute2's `ip` makes.
    python_venv(sh, &["WSDiscovery==2.1.2"], "wsdiscovery")?;
    tool_or_apt(sh, "ip", &["-V"], "iproute2")?;
    // The SRTP peers (tests/src/peers/live555.rs): live555 built from source with our thin server main
    // (after the venv: its pip downloads the sources).
    crate::live555::ensure(sh)?;
    // `rtspeek probe --legacy-tls` links the system's OpenSSL (the `openssl` crate).
    openssl_dev(sh)?;
    // libfuzzer-sys's build script compiles libFuzzer (C++), even for `cargo check` of fuzz/.
    tool_or_apt(sh, "c++", &["--version"], "g++")?;
    wasm_bindgen_cli(sh)
}

/// What `cargo xtask demo` needs beyond cargo: a C++ compiler, because the synthetic camera's encoder
/// (OpenH264) is built from its bundled source, and OpenSSL's headers for `--legacy-tls`.
pub(crate) fn for_demo(sh: &Sh) -> Result<(), String> {
    tool_or_apt(sh, "c++", &["--version"], "g++")?;
    openssl_dev(sh)
}

/// The headers and pkg-config file of the system's OpenSSL, which the `openssl` crate builds against.
fn openssl_dev(sh: &Sh) -> Result<(), String> {
    apt(sh, &["libssl-dev", "pkg-config"])
}

/// A Python venv at `target/peers-venv` with `packages` from PyPI, unless `module` already imports there.
fn python_venv(sh: &Sh, packages: &[&str], module: &str) -> Result<(), String> {
    let venv = sh.root().join("target/peers-venv");
    let python = venv.join("bin/python");
    if sh.probe(sh.cmd(&python).args(["-c", &format!("import {module}")])).is_some() {
        println!("  ok: {module} in {}", venv.display());
        return Ok(());
    }
    println!("  installing {} into {}", packages.join(", "), venv.display());
    let system_python =
        if sh.probe(sh.cmd("python3").arg("--version")).is_some() { "python3" } else { "/usr/bin/python3" };
    sh.run(sh.cmd(system_python).args(["-m", "venv"]).arg(&venv))?;
    sh.run(
        sh.cmd(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .args(packages),
    )
}

/// npm packages of the peers at `target/peers-npm` (what tests/src/peers/onvif.rs loads with NODE_PATH), each
/// unless that version is installed.
fn npm_peers(sh: &Sh, packages: &[(&str, &str)]) -> Result<(), String> {
    let dir = sh.root().join("target/peers-npm");
    for (name, version) in packages {
        let manifest = dir.join("node_modules").join(name).join("package.json");
        let installed = std::fs::read_to_string(&manifest)
            .is_ok_and(|m| m.contains(&format!("\"version\": \"{version}\"")));
        if installed {
            println!("  ok: npm {name}@{version} in {}", dir.display());
            continue;
        }
        tool_or_apt(sh, "npm", &["--version"], "npm")?;
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        println!("  installing npm {name}@{version} into {}", dir.display());
        sh.run(
            sh.cmd("npm")
                .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .arg(format!("{name}@{version}")),
        )?;
    }
    Ok(())
}

/// Adds a rustup target unless it is installed.
pub(crate) fn rustup_target(sh: &Sh, target: &str) -> Result<(), String> {
    let installed = rustup_list(sh, &["target", "list", "--installed"])?;
    if installed.iter().any(|t| t == target) {
        println!("  ok: rust target {target}");
        return Ok(());
    }
    println!("  installing rust target {target}");
    sh.run(sh.cmd("rustup").args(["target", "add", target]))
}

/// Adds rustup components (`rustfmt`, `clippy`, ...) unless installed.
pub(crate) fn rustup_components(sh: &Sh, components: &[&str]) -> Result<(), String> {
    let installed = rustup_list(sh, &["component", "list", "--installed"])?;
    // Installed components are listed with the host triple: `clippy-x86_64-unknown-linux-gnu`.
    let missing: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| !installed.iter().any(|i| i == c || i.starts_with(&format!("{c}-"))))
        .collect();
    if missing.is_empty() {
        println!("  ok: rust components {}", components.join(", "));
        return Ok(());
    }
    println!("  installing rust components {}", missing.join(", "));
    sh.run(sh.cmd("rustup").args(["component", "add"]).args(&missing))
}

/// `rustup <args>` lines, run in the workspace root so a rust-toolchain file there is honoured.
fn rustup_list(sh: &Sh, args: &[&str]) -> Result<Vec<String>, String> {
    let out = sh.probe(sh.cmd("rustup").args(args)).ok_or(
        "`rustup` is missing or failed: install Rust with rustup (https://rustup.rs), which xtask uses to add \
         the wasm32 target and the rustfmt and clippy components",
    )?;
    Ok(out.lines().map(|l| l.trim().to_owned()).collect())
}

/// wasm-bindgen-cli at exactly the workspace's `wasm-bindgen` version: it provides `wasm-bindgen` and
/// `wasm-bindgen-test-runner` (the cargo runner for wasm32 in `.cargo/config.toml`), which refuse a crate of
/// another version.
pub(crate) fn wasm_bindgen_cli(sh: &Sh) -> Result<(), String> {
    let want = workspace::wasm_bindgen_version(sh.root())?;
    let have = |bin: &str| sh.probe(sh.cmd(bin).arg("--version"));
    let mismatched: Vec<String> = ["wasm-bindgen-test-runner", "wasm-bindgen"]
        .into_iter()
        .filter_map(|bin| {
            // Prints `wasm-bindgen-test-runner 0.2.130` (maybe with a git hash after it).
            let got = have(bin);
            let version = got.as_deref().and_then(|v| v.split_whitespace().nth(1));
            (version != Some(want.as_str())).then(|| format!("{bin}: {}", got.as_deref().unwrap_or("absent")))
        })
        .collect();
    if mismatched.is_empty() {
        println!("  ok: wasm-bindgen-cli {want}");
        return Ok(());
    }
    println!("  installing wasm-bindgen-cli {want} ({}); this takes a few minutes", mismatched.join("; "));
    // No `--locked`: the registry reachable here lacks one of the CLI's locked dependencies.
    // `--force`: replace a binary of another version, or one cargo's records think is current.
    sh.run(sh.cargo().args(["install", "wasm-bindgen-cli", "--version", &format!("={want}"), "--force"]))?;
    let runner = sh.cargo_bin().join("wasm-bindgen-test-runner");
    match have("wasm-bindgen-test-runner") {
        Some(v) if v.split_whitespace().nth(1) == Some(want.as_str()) => Ok(()),
        other => Err(format!(
            "after installing, `wasm-bindgen-test-runner --version` gives {other:?}, not {want}: is another \
             one earlier on PATH than {}?",
            runner.display()
        )),
    }
}

/// cargo-deny at [`CARGO_DENY`] for the dependency policy (deny.toml), installed with `cargo install --locked`
/// when missing or another version (about 2.5 minutes on 2 cores, once).
pub(crate) fn cargo_deny(sh: &Sh) -> Result<(), String> {
    let got = sh.probe(sh.cargo().args(["deny", "--version"]));
    if got.as_deref().and_then(|v| v.split_whitespace().nth(1)) == Some(CARGO_DENY) {
        println!("  ok: cargo-deny {CARGO_DENY}");
        return Ok(());
    }
    println!(
        "  installing cargo-deny {CARGO_DENY} ({}); this takes a few minutes",
        got.as_deref().unwrap_or("absent")
    );
    sh.run(sh.cargo().args([
        "install",
        "cargo-deny",
        "--version",
        &format!("={CARGO_DENY}"),
        "--locked",
        "--force",
    ]))
}

/// The cargo-deny version the checks run with.
const CARGO_DENY: &str = "0.20.2";

/// Makes `program` available: if `program <version_args>` does not run, installs Debian package `package`.
/// For tools that may come from elsewhere than apt (Node from nodesource or nvm, for instance).
pub(crate) fn tool_or_apt(
    sh: &Sh,
    program: &str,
    version_args: &[&str],
    package: &str,
) -> Result<(), String> {
    if let Some(version) = sh.probe(sh.cmd(program).args(version_args)) {
        println!(
            "  ok: {program} ({})",
            version.lines().next().filter(|l| !l.is_empty()).unwrap_or("present")
        );
        return Ok(());
    }
    apt(sh, &[package])?;
    sh.probe(sh.cmd(program).args(version_args))
        .map(drop)
        .ok_or_else(|| format!("`{program}` still does not run after installing Debian package {package}"))
}

/// Installs the Debian packages among `packages` that are not installed (per dpkg), running
/// `apt-get update` at most once per xtask run.
pub(crate) fn apt(sh: &Sh, packages: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !dpkg_installed(sh, p)).collect();
    if missing.is_empty() {
        println!("  ok: Debian packages {}", packages.join(", "));
        return Ok(());
    }
    if sh.probe(sh.cmd("apt-get").arg("--version")).is_none() {
        return Err(format!(
            "missing {}, and this is no Debian-like system (no apt-get)",
            missing.join(", ")
        ));
    }
    println!("  installing Debian packages {}", missing.join(", "));
    static UPDATED: AtomicBool = AtomicBool::new(false);
    if !UPDATED.load(Ordering::Relaxed) {
        sh.run(&mut apt_get(sh, &["update"]))?;
        UPDATED.store(true, Ordering::Relaxed);
    }
    sh.run(apt_get(sh, &["install", "-y", "--no-install-recommends"]).args(&missing))
}

fn dpkg_installed(sh: &Sh, package: &str) -> bool {
    // `dpkg -s` also succeeds for a removed package whose config files remain: ask for the status itself.
    sh.probe(sh.cmd("dpkg-query").args(["-W", "-f=${Status}", package]))
        .is_some_and(|status| status == "install ok installed")
}

/// `apt-get` that never prompts and waits for another apt (unattended upgrades) instead of failing;
/// through `sudo` unless we are root.
fn apt_get(sh: &Sh, args: &[&str]) -> std::process::Command {
    let root = sh.probe(sh.cmd("id").arg("-u")).is_some_and(|uid| uid == "0");
    let mut cmd = if root {
        sh.cmd("apt-get")
    } else {
        // sudo resets the environment: pass DEBIAN_FRONTEND through `env`.
        let mut sudo = sh.cmd("sudo");
        sudo.args(["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        sudo
    };
    cmd.env("DEBIAN_FRONTEND", "noninteractive").args(["-o", "DPkg::Lock::Timeout=900"]).args(args);
    cmd
}
