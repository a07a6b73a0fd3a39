//! `cargo xtask web`: builds the browser face of rtspeek into `web/dist/`, which `rtspeek bridge` embeds
//! (native-bridge/build.rs) and any static server can host:
//!
//! - `web/dist/pkg/`: rtspeek-web built with the `wasm-size` profile, through the pinned `wasm-bindgen`
//!   (`--target web`, name and producers sections removed), then `wasm-opt` from npm `binaryen` (a pinned
//!   version in `target/npm-tools`, not Debian's older one) at the level that makes the *gzipped* module
//!   smallest (`-Oz` does not: smaller code can compress worse). No npm, or a failed install, skips wasm-opt
//!   with a message.
//! - `web/dist/*`: the static page from `web/www/` (index.html, app.js and the ES modules it imports,
//!   rtspeek-report.js, embed.html...).
//! - `web/dist/npm/`: the npm-ready package (`package.json` from `web/npm/` with the workspace version,
//!   README, the module, its types, the wasm, and the `<rtspeek-report>` element).
//!
//! The step fails when the final wasm exceeds [`MAX_GZIP`] bytes gzipped, and prints its size. It is idempotent
//! and fast when nothing changed: cargo decides about the wasm, a stamp decides about wasm-bindgen and
//! wasm-opt, and files are rewritten only when their content differs (so the bridge does not rebuild).
//!
//! It also runs the browser tests of `cargo xtask test` ([`browser_test`]): web/tests/offline.mjs drives
//! Debian's chromium through npm `playwright-core` against `web/dist`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::sh::{Sh, TestCounts};
use crate::{ensure, workspace};

/// The most the final wasm may weigh gzipped (`gzip -9`): 400 KiB.
pub(crate) const MAX_GZIP: u64 = 400 * 1024;
/// npm `binaryen` (wasm-opt), pinned: its output decides the shipped module.
const BINARYEN: (&str, &str) = ("binaryen", "132.0.0");
/// npm `playwright-core` (no bundled browser: it drives /usr/bin/chromium), pinned.
const PLAYWRIGHT: (&str, &str) = ("playwright-core", "1.65.1");
/// Debian's chromium, which the browser tests drive.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";

const WASM: &str = "wasm32-unknown-unknown";
const PKG_FILES: &[&str] =
    &["rtspeek_web.js", "rtspeek_web.d.ts", "rtspeek_web_bg.wasm", "rtspeek_web_bg.wasm.d.ts"];

/// `cargo xtask web`.
pub(crate) fn command(sh: &Sh) -> ExitCode {
    match build(sh) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask web: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds `web/dist/` (see the module docs).
pub(crate) fn build(sh: &Sh) -> Result<(), String> {
    let root = sh.root();
    let dist = root.join("web/dist");
    let pkg = dist.join("pkg");
    ensure::rustup_target(sh, WASM)?;
    ensure::wasm_bindgen_cli(sh)?;

    sh.run(sh.cargo().args(["build", "-p", "rtspeek-web", "--target", WASM, "--profile", "wasm-size"]))?;
    let input = workspace::target_dir(root).join(WASM).join("wasm-size").join("rtspeek_web.wasm");
    let wasm_bindgen = sh.probe(sh.cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    let meta = std::fs::metadata(&input).map_err(|e| format!("{}: {e}", input.display()))?;
    let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    let stamp = format!(
        "input {} bytes, modified {:?}; {wasm_bindgen}; wasm-opt -Oz, -O1 from npm {}@{}\n",
        meta.len(),
        modified,
        BINARYEN.0,
        BINARYEN.1
    );
    let stamp_file = pkg.join(".stamp");
    let current = std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp)
        && PKG_FILES.iter().all(|f| pkg.join(f).is_file());
    if current {
        println!("  ok: web/dist/pkg is current");
    } else {
        let _ = std::fs::remove_file(&stamp_file);
        sh.run(
            sh.cmd("wasm-bindgen")
                .args(["--target", "web", "--remove-name-section", "--remove-producers-section", "--out-dir"])
                .arg(&pkg)
                .arg(&input),
        )?;
        wasm_opt(sh, &pkg.join("rtspeek_web_bg.wasm"))?;
        write_if_changed(&stamp_file, stamp.as_bytes())?;
    }

    copy_tree(&root.join("web/www"), &dist, &["pkg", "npm"])?;
    npm_package(root, &dist)?;

    let wasm = pkg.join("rtspeek_web_bg.wasm");
    let raw = std::fs::metadata(&wasm).map_err(|e| format!("{}: {e}", wasm.display()))?.len();
    let gz = gzip_size(sh, &wasm)?;
    println!(
        "web/dist/pkg/rtspeek_web_bg.wasm: {raw} bytes, {gz} bytes gzipped ({:.1} KiB of the {} KiB budget)",
        gz as f64 / 1024.0,
        MAX_GZIP / 1024
    );
    if gz > MAX_GZIP {
        return Err(format!(
            "rtspeek_web_bg.wasm is {gz} bytes gzipped, over the budget of {MAX_GZIP} bytes ({} KiB): find \
             what grew (a new dependency of core?) before raising the budget",
            MAX_GZIP / 1024
        ));
    }
    Ok(())
}

/// wasm-opt on `wasm` in place, at the level that makes the gzipped module smallest, if any beats
/// wasm-bindgen's output. Measured with binaryen 132 on this module: `-Oz` shrinks the raw module by 10% but
/// grows it gzipped by 4% (its code compresses worse), `-O1` saves about 0.6% gzipped; so both are tried.
/// Never fails the build for want of wasm-opt: it says why it skipped.
fn wasm_opt(sh: &Sh, wasm: &Path) -> Result<(), String> {
    let tools = match npm_tool(sh, BINARYEN) {
        Ok(dir) => dir,
        Err(e) => {
            println!("  skipping wasm-opt: {e}");
            return Ok(());
        }
    };
    let bin = tools.join("node_modules/.bin/wasm-opt");
    let mut best = (gzip_size(sh, wasm)?, "wasm-bindgen's output".to_owned());
    for level in ["-Oz", "-O1"] {
        let out = wasm.with_extension(format!("{}.wasm", level.trim_start_matches('-')));
        // The module's target_features section tells wasm-opt which features it may use.
        if let Err(e) = sh.run(sh.cmd(&bin).args([level, "--strip-debug"]).arg(wasm).arg("-o").arg(&out)) {
            println!("  skipping wasm-opt: {e}");
            let _ = std::fs::remove_file(&out);
            return Ok(());
        }
        let size = gzip_size(sh, &out)?;
        println!("  wasm-opt {level}: {size} bytes gzipped (best so far {}: {})", best.1, best.0);
        if size < best.0 {
            std::fs::rename(&out, wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
            best = (size, format!("wasm-opt {level}"));
        } else {
            std::fs::remove_file(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        }
    }
    println!("  kept {} ({} bytes gzipped)", best.1, best.0);
    Ok(())
}

/// `gzip -9 -n` size of a file (no name in the header, so the size is the content's; gzip is in every Debian
/// base system, and xtask stays std-only).
fn gzip_size(sh: &Sh, file: &Path) -> Result<u64, String> {
    let out = sh
        .cmd("gzip")
        .args(["-9", "-n", "-c"])
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip -9 {} failed ({})", file.display(), out.status));
    }
    Ok(out.stdout.len() as u64)
}

/// The npm tools directory (`target/npm-tools`), with `package@version` installed in it; installs it with
/// npm unless that exact version is there.
pub(crate) fn npm_tool(sh: &Sh, (name, version): (&str, &str)) -> Result<PathBuf, String> {
    let dir = workspace::target_dir(sh.root()).join("npm-tools");
    let manifest = dir.join("node_modules").join(name).join("package.json");
    let installed = std::fs::read_to_string(&manifest)
        .is_ok_and(|text| text.contains(&format!("\"version\": \"{version}\"")));
    if installed {
        println!("  ok: npm {name}@{version} in {}", dir.display());
        return Ok(dir);
    }
    // Debian's nodejs does not bring npm: install it the same way when missing.
    ensure::tool_or_apt(sh, "npm", &["--version"], "npm")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let package_json = dir.join("package.json");
    if !package_json.is_file() {
        write_if_changed(&package_json, b"{ \"name\": \"rtspeek-npm-tools\", \"private\": true }\n")?;
    }
    println!("  installing npm {name}@{version} into {}", dir.display());
    sh.run(
        sh.cmd("npm")
            .args(["install", "--no-audit", "--no-fund", "--save-exact", "--prefix"])
            .arg(&dir)
            .arg(format!("{name}@{version}")),
    )
    .map_err(|e| format!("npm install {name}@{version} failed: {e}"))?;
    Ok(dir)
}

/// `web/dist/npm/`: what `npm publish web/dist/npm` would ship.
fn npm_package(root: &Path, dist: &Path) -> Result<(), String> {
    let npm = dist.join("npm");
    let template = root.join("web/npm");
    let manifest = std::fs::read_to_string(template.join("package.json"))
        .map_err(|e| format!("web/npm/package.json: {e}"))?;
    // The template says 0.0.0; the package has the workspace's version (xtask's own is the workspace's).
    let manifest = manifest.replacen(
        "\"version\": \"0.0.0\"",
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        1,
    );
    write_if_changed(&npm.join("package.json"), manifest.as_bytes())?;
    copy_file(&template.join("README.md"), &npm.join("README.md"))?;
    copy_file(&root.join("web/www/rtspeek-report.js"), &npm.join("rtspeek-report.js"))?;
    copy_file(&root.join("web/npm/rtspeek-report.d.ts"), &npm.join("rtspeek-report.d.ts"))?;
    for f in PKG_FILES {
        copy_file(&dist.join("pkg").join(f), &npm.join(f))?;
    }
    Ok(())
}

/// Copies the files of `from` into `to` (recursively), rewriting only those whose content differs, and
/// removes files of `to` that `from` no longer has (except the directories in `keep` and hidden files).
fn copy_tree(from: &Path, to: &Path, keep: &[&str]) -> Result<(), String> {
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        names.push(name.clone());
        if path.is_dir() {
            copy_tree(&path, &to.join(&name), &[])?;
        } else {
            copy_file(&path, &to.join(&name))?;
        }
    }
    if let Ok(existing) = std::fs::read_dir(to) {
        for entry in existing.flatten() {
            let name = entry.file_name();
            let text = name.to_string_lossy();
            if names.contains(&name) || text.starts_with('.') || keep.contains(&text.as_ref()) {
                continue;
            }
            let path = entry.path();
            let removed =
                if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
            removed.map_err(|e| format!("removing stale {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<(), String> {
    let bytes = std::fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
    write_if_changed(to, &bytes)
}

/// Writes `bytes` unless the file already holds exactly them (keeps mtimes, so dependents do not rebuild).
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The browser tests: web/tests/offline.mjs (offline page, embed, live mode against a fake bridge),
/// web/tests/live.mjs (the live page through the real bridge and server) and web/tests/server.mjs (the Server
/// view through `rtspeek serve`'s admin endpoint, with ffmpeg playing across a certificate change) in Node,
/// driving Debian's chromium (headless) through playwright-core against web/dist. Installs chromium and chromium-driver (apt) and playwright-core (npm)
/// when missing. Screenshots go to target/test-output/browser/.
pub(crate) fn browser_test(sh: &Sh, counts: &mut TestCounts) -> Result<(), String> {
    // server.mjs plays with ffmpeg and checks certificates with openssl s_client.
    ensure::apt(sh, &["chromium", "chromium-driver", "ffmpeg", "openssl"])?;
    let tools = npm_tool(sh, PLAYWRIGHT)?;
    let output = workspace::target_dir(sh.root()).join("test-output").join("browser");
    let before = *counts;
    // The CLI: offline.mjs compares the page's certificate reports with `rtspeek cert check --json`, and the
    // live page runs for real against `rtspeek demo` (server + bridge); built here so the step also works
    // alone (`cargo xtask test browser`).
    sh.run(sh.cargo().args(["build", "-p", "rtspeek", "--bin", "rtspeek"]))?;
    let bin = workspace::target_dir(sh.root()).join("debug").join("rtspeek");
    for script in ["web/tests/offline.mjs", "web/tests/live.mjs", "web/tests/server.mjs"] {
        sh.run_tests(
            sh.cmd("node")
                .arg(script)
                .env("RTSPEEK_NPM_TOOLS", &tools)
                .env("RTSPEEK_CHROMIUM", CHROMIUM)
                .env("RTSPEEK_TEST_OUTPUT", &output)
                .env("RTSPEEK_BIN", &bin),
            counts,
        )?;
    }
    if counts.passed == before.passed {
        return Err("the browser tests passed no test".into());
    }
    Ok(())
}
