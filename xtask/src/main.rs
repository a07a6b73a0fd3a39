//! `cargo xtask`: rtspeek's build and test automation, in Rust so it runs wherever cargo does.
//!
//! `cargo xtask` is an alias (see `.cargo/config.toml`) for `cargo run --package xtask --`. Run
//! `cargo xtask help` for the commands. The modules split the concerns:
//!
//! - [`sh`]: spawning children with one working directory, `PATH` and stdin policy, and echoing them;
//! - [`ensure`]: idempotent installs of what the checks need (rustup targets and components, cargo-installed
//!   tools at pinned versions, Debian packages);
//! - [`live555`]: the live555 SRTP test server, built from the PyPI sdist's sources into the target directory;
//! - [`steps`]: the checks of `cargo xtask test`, their timing and the closing summary;
//! - [`web`]: `cargo xtask web`, the browser page, wasm and npm package in web/dist/, and the browser tests;
//! - [`wasm_imports`]: a small reader of a wasm module's import section (no native code may slip into wasm);
//! - [`workspace`]: facts read from the workspace's files (the `wasm-bindgen` pin, the target directory).
// A command-line tool: printing is its job (the workspace warns on prints for the library crates).
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![forbid(unsafe_code)]

mod ensure;
mod live555;
mod sh;
mod steps;
mod wasm_imports;
mod web;
mod workspace;

use std::process::ExitCode;

use sh::Sh;

const HELP: &str = "\
cargo xtask: rtspeek's build and test automation

USAGE:
    cargo xtask <COMMAND> [ARGS...]

COMMANDS:
    test [--keep-going] [STEP...]
              The test command for developers and CI (.ci/run calls it). First installs what is missing,
              idempotently: the wasm32-unknown-unknown target, rustfmt and clippy, wasm-bindgen-cli at
              exactly the version pinned for the `wasm-bindgen` crate in Cargo.toml, and the Debian packages
              the tests use (nodejs, openssl, g++, and the third-party peers of the loopback tests:
              gst-rtsp-server with its Python bindings and GStreamer plugins, ffmpeg/ffprobe, procps for
              `kill`), builds the live555 test server (tests/peers/live555/, from the PyPI sdist
              liblivemedia, into <target>/peers-live555/), and builds web/dist (`cargo xtask web`; always,
              like the installs). Then runs every check, stopping at the first failure:
              fmt, clippy (native and wasm32), the native tests including doc tests, rtspeek-core's and
              rtspeek-web's tests on wasm32 (in Node, through wasm-bindgen-test-runner), the release build of
              rtspeek-web for wasm32 with a check that it imports nothing from `env` (native code), the
              browser tests (web/tests/offline.mjs: Debian's headless chromium, installed with apt, driven by
              npm playwright-core), and a check that the fuzz targets in fuzz/ compile. Ends with a summary
              of every step and its wall time; exits non-zero if any step failed.
              --keep-going  run the remaining steps after a failure, to see every problem at once
              STEP...       run only the steps whose name contains one of these words, e.g.
                            `cargo xtask test wasm` (the tools are always ensured); CI runs them all
    demo [ARGS...]
              Builds the `rtspeek` binary in release and runs `rtspeek demo ARGS...`; its exit status is
              passed through.
    web       Builds the browser page into web/dist/ (embedded by `rtspeek bridge`): rtspeek-web for wasm32
              (profile wasm-size) through the pinned wasm-bindgen, wasm-opt (-Oz or -O1) from npm binaryen
              when it shrinks the gzipped module, the static files of web/www/, and the npm package in
              web/dist/npm/. Prints the gzipped wasm size and fails over 400 KiB. `test` and `demo` run it
              first.
    docs      Regenerates the checked-in generated documents: runs `cargo test --workspace --quiet bless`
              with RTSPEEK_BLESS=1; tests that compare a generated document with its checked-in copy rewrite
              the copy instead of failing when RTSPEEK_BLESS=1 is set. Review the diff and commit it.
    help      Prints this help.
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let sh = match Sh::new() {
        Ok(sh) => sh,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match command.as_deref() {
        Some("test") if !rest.iter().any(|a| a.starts_with('-') && a != "--keep-going") => {
            let keep_going = rest.iter().any(|a| a == "--keep-going");
            let only = rest.into_iter().filter(|a| a != "--keep-going").collect();
            steps::test(&sh, &steps::Options { keep_going, only })
        }
        Some("demo") => demo(&sh, &rest),
        Some("web") if rest.is_empty() => web::command(&sh),
        Some("docs") if rest.is_empty() => steps::docs(&sh),
        None | Some("help" | "-h" | "--help") => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("xtask: unknown command or arguments: `{other} {}`\n\n{HELP}", rest.join(" "));
            ExitCode::from(2)
        }
    }
}

/// `cargo xtask demo ARGS...`: build the CLI in release and run `rtspeek demo ARGS...`.
fn demo(sh: &Sh, args: &[String]) -> ExitCode {
    let run = || -> Result<ExitCode, String> {
        ensure::for_demo(sh)?;
        // The bridge embeds web/dist at compile time.
        web::build(sh)?;
        sh.run(sh.cargo().args(["build", "--release", "-p", "rtspeek"]))?;
        let bin = workspace::target_dir(sh.root()).join("release").join("rtspeek");
        let mut cmd = sh.cmd(&bin);
        // The user's directory (cargo run keeps it), so that relative paths in ARGS mean what they say.
        let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
        cmd.arg("demo").args(args).current_dir(cwd).stdin(std::process::Stdio::inherit());
        eprintln!("$ {}", sh::display(&cmd));
        let status = cmd.status().map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        Ok(sh::exit_code(status))
    };
    run().unwrap_or_else(|e| {
        eprintln!("xtask demo: error: {e}");
        ExitCode::FAILURE
    })
}
