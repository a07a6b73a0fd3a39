//! The checks of `cargo xtask test` (and the one step of `cargo xtask docs`), run in order, stopping at the
//! first failure, each under a `==> name` header, with a closing summary of every step and its wall time.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::sh::{self, Sh, TestCounts};
use crate::{ensure, wasm_imports, web, workspace};

/// A step: gets the shell and the running test counts, fails with a message saying what went wrong.
type Step = fn(&Sh, &mut TestCounts) -> Result<(), String>;

const WASM: &str = "wasm32-unknown-unknown";

/// Every check, in the order that fails fastest on the most common mistakes.
const TEST_STEPS: &[(&str, Step)] = &[
    ("ensure tools", |sh, _| ensure::for_test(sh)),
    // Always run, as `ensure tools` is: the bridge embeds web/dist when it compiles.
    ("web build", |sh, _| web::build(sh)),
    ("fmt", fmt),
    ("clippy", |sh, _| {
        sh.run(sh.cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
        // The build without a C++ toolchain (no OpenH264 synthetic camera, no OpenSSL legacy client) must keep
        // compiling: README's install section promises it.
        sh.run(sh.cargo().args([
            "clippy",
            "-p",
            "rtspeek",
            "--no-default-features",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    }),
    ("clippy wasm32", clippy_wasm),
    // Advisories need the RustSec database from GitHub, out of this CI's reach: see deny.toml.
    ("cargo deny", |sh, _| sh.run(sh.cargo().args(["deny", "check", "licenses", "bans", "sources"]))),
    ("test native", test_native),
    ("test wasm32", test_wasm),
    ("wasm imports", wasm_imports),
    ("browser tests", web::browser_test),
    ("fuzz targets build", fuzz_build),
    ("container image", container_image),
];

/// How to run a list of steps.
#[derive(Debug, Default)]
pub(crate) struct Options {
    /// Run the remaining steps after a failure instead of stopping (to see every problem at once).
    pub(crate) keep_going: bool,
    /// Run only the steps whose name contains one of these words (and always `ensure tools`); all if empty.
    pub(crate) only: Vec<String>,
}

/// `cargo xtask test [--keep-going] [STEP...]`.
pub(crate) fn test(sh: &Sh, options: &Options) -> ExitCode {
    let names: Vec<&str> = TEST_STEPS.iter().map(|(n, _)| *n).collect();
    if let Some(unknown) = options.only.iter().find(|w| !names.iter().any(|n| n.contains(w.as_str()))) {
        eprintln!("xtask test: no step matches `{unknown}`; the steps are: {}", names.join(", "));
        return ExitCode::from(2);
    }
    let steps: Vec<(&str, Step)> = TEST_STEPS
        .iter()
        .copied()
        .filter(|(name, _)| {
            *name == "ensure tools"
                || *name == "web build"
                || options.only.is_empty()
                || options.only.iter().any(|w| name.contains(w.as_str()))
        })
        .collect();
    run("test", sh, &steps, options.keep_going)
}

/// `cargo xtask docs`.
pub(crate) fn docs(sh: &Sh) -> ExitCode {
    run("docs", sh, &[("bless generated docs", bless)], false)
}

fn fmt(sh: &Sh, _: &mut TestCounts) -> Result<(), String> {
    sh.run(sh.cargo().args(["fmt", "--all", "--", "--check"]))?;
    // fuzz/ is its own workspace, outside `--all` (and `--all` there would add its path dependency, core).
    sh.run(sh.cargo().args(["fmt", "--manifest-path", "fuzz/Cargo.toml", "--", "--check"]))
}

/// The native tests of every package, doc tests included. `--no-fail-fast`: one failing test binary does not
/// hide the results of the others.
fn test_native(sh: &Sh, counts: &mut TestCounts) -> Result<(), String> {
    let before = *counts;
    sh.run_tests(sh.cargo().args(["test", "--workspace", "--no-fail-fast"]), counts)?;
    if counts.passed == before.passed {
        return Err("no test passed: `cargo test --workspace` ran no test".into());
    }
    Ok(())
}

/// rtspeek-core's tests compiled for wasm32 and run in Node by wasm-bindgen-test-runner (the cargo runner set
/// in .cargo/config.toml). Only tests marked `#[wasm_bindgen_test]` run there (a test module does that with
/// `#[cfg(target_arch = "wasm32")] use wasm_bindgen_test::wasm_bindgen_test as test;`); the runner skips a
/// binary with none (`no tests to run!`), so this fails if no test at all passed.
fn test_wasm(sh: &Sh, counts: &mut TestCounts) -> Result<(), String> {
    let before = *counts;
    sh.run_tests(
        sh.cargo().args([
            "test",
            "-p",
            "rtspeek-core",
            "-p",
            "rtspeek-web",
            "--target",
            WASM,
            "--no-fail-fast",
        ]),
        counts,
    )?;
    if counts.passed == before.passed {
        return Err(
            "no test ran on wasm32: mark wasm tests with `wasm_bindgen_test` (see STYLE.md point 12)".into(),
        );
    }
    Ok(())
}

/// Clippy for the crates that build for wasm32: code under `cfg(target_arch = "wasm32")` (the wasm tests,
/// for one) is invisible to the native run. Library and tests only: benches and examples are native tools.
fn clippy_wasm(sh: &Sh, _: &mut TestCounts) -> Result<(), String> {
    sh.run(
        sh.cargo()
            .args(["clippy", "-p", "rtspeek-core", "-p", "rtspeek-web", "--target", WASM])
            .args(["--lib", "--tests", "--", "-D", "warnings"]),
    )
}

/// Builds rtspeek-web for wasm32 in release and fails if the module imports anything from `env`: that is
/// native code (C, or a libc symbol) that slipped into the browser build and will not link there.
fn wasm_imports(sh: &Sh, _: &mut TestCounts) -> Result<(), String> {
    sh.run(sh.cargo().args(["build", "-p", "rtspeek-web", "--target", WASM, "--release"]))?;
    let path = workspace::target_dir(sh.root()).join(WASM).join("release").join("rtspeek_web.wasm");
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let imports = wasm_imports::imports(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut modules: Vec<&str> = imports.iter().map(|i| i.module.as_str()).collect();
    modules.sort_unstable();
    modules.dedup();
    println!("{}: {} imports from modules {modules:?}", path.display(), imports.len());
    let env: Vec<String> = imports
        .iter()
        .filter(|i| i.module == "env")
        .map(|i| format!("env.{} ({})", i.field, i.kind))
        .collect();
    if env.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "rtspeek_web.wasm imports from `env` (native code slipped into wasm): {}",
            env.join(", ")
        ))
    }
}

/// The fuzz targets (fuzz/, its own workspace) compile and are clippy-clean on stable. Running them needs
/// nightly and cargo-fuzz; `cargo test` replays their corpus (tests/tests/it/fuzz_corpus.rs) instead. Shares the
/// workspace's target directory so the dependencies built for the workspace are reused.
fn fuzz_build(sh: &Sh, _: &mut TestCounts) -> Result<(), String> {
    sh.run(sh.cargo().env("CARGO_TARGET_DIR", workspace::target_dir(sh.root())).args([
        "clippy",
        "--manifest-path",
        "fuzz/Cargo.toml",
        "--bins",
        "--",
        "-D",
        "warnings",
    ]))
}

fn bless(sh: &Sh, counts: &mut TestCounts) -> Result<(), String> {
    sh.run_tests(
        sh.cargo().env("RTSPEEK_BLESS", "1").args(["test", "--workspace", "--quiet", "bless"]),
        counts,
    )?;
    if counts.passed == 0 {
        return Err("no test whose name contains `bless` ran, so nothing was regenerated".into());
    }
    Ok(())
}

enum Outcome {
    Passed,
    Failed(String),
    NotRun,
}

/// Runs `steps` in order until one fails (or all, with `keep_going`), then prints the summary; the exit code
/// says whether all passed.
fn run(command: &str, sh: &Sh, steps: &[(&str, Step)], keep_going: bool) -> ExitCode {
    let start = Instant::now();
    let mut counts = TestCounts::default();
    let mut results: Vec<(&str, Duration, Outcome)> = Vec::new();
    let mut failed = Vec::new();
    for &(name, step) in steps {
        if !failed.is_empty() && !keep_going {
            results.push((name, Duration::ZERO, Outcome::NotRun));
            continue;
        }
        println!("\n==> {name}");
        sh::flush();
        let t = Instant::now();
        let outcome = match step(sh, &mut counts) {
            Ok(()) => Outcome::Passed,
            Err(e) => {
                eprintln!("\nerror: step `{name}` failed: {e}");
                failed.push(name);
                Outcome::Failed(e)
            }
        };
        results.push((name, t.elapsed(), outcome));
    }

    println!("\n==> summary of `cargo xtask {command}` ({})", human(start.elapsed()));
    for (name, elapsed, outcome) in &results {
        match outcome {
            Outcome::Passed => println!("  ok      {:>7}  {name}", human(*elapsed)),
            Outcome::Failed(e) => println!("  FAILED  {:>7}  {name}: {e}", human(*elapsed)),
            Outcome::NotRun => println!("  not run {:>7}  {name}", ""),
        }
    }
    if failed.is_empty() {
        println!("all {} steps passed", results.len());
    } else {
        println!("FAILED: {}", failed.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "));
    }
    // The closing line: every test counted from the test runs' `test result:` lines.
    if counts.runs > 0 {
        println!("tests: {} passed, {} failed, {} skipped", counts.passed, counts.failed, counts.ignored);
    }
    if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// `4.2s`, `3m07s`.
fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 { format!("{secs:.1}s") } else { format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60) }
}

/// Builds the `Dockerfile` and runs the image's `rtspeek --version` where docker or podman answers; says it was
/// NOT built where none does (this CI machine has no daemon and no registry), never silently.
fn container_image(sh: &Sh, _: &mut TestCounts) -> Result<(), String> {
    // `timeout`: a daemon that hangs must not hang the test command.
    let runtime = ["docker", "podman"]
        .into_iter()
        .find(|tool| sh.probe(sh.cmd("timeout").args(["20", tool, "info"])).is_some());
    let Some(tool) = runtime else {
        println!("  NOT built: no container runtime answers `docker info` or `podman info` on this machine");
        return Ok(());
    };
    sh.run(sh.cmd(tool).args(["build", "-t", "rtspeek-test:latest", "."]))?;
    sh.run(sh.cmd(tool).args(["run", "--rm", "rtspeek-test:latest", "--version"]))?;
    println!("  built and ran the image with {tool}");
    Ok(())
}
