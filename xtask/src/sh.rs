//! Spawning children: one place sets their working directory (the workspace root), their `PATH` (cargo's
//! bin directory first, so a tool `cargo install`ed a moment ago is found even when `~/.cargo/bin` is not on
//! the caller's `PATH`) and their stdin (none: CI has no terminal, and no check may wait for input).
//!
//! Children inherit stdout and stderr: their output is never swallowed. Test runs are the one exception, and
//! only half of one: their stdout is copied line by line to ours while the `test result:` lines are counted.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};

/// Where children run and how they are spawned.
pub(crate) struct Sh {
    root: PathBuf,
    cargo_bin: PathBuf,
    path: OsString,
    cargo: OsString,
}

impl Sh {
    /// Reads the environment: the workspace root (this crate's parent), cargo's bin directory, `$CARGO`.
    pub(crate) fn new() -> Result<Sh, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("xtask's manifest directory has no parent")?
            .to_path_buf();
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
        let cargo_bin = cargo_home.ok_or("neither CARGO_HOME nor HOME is set")?.join("bin");
        let old_path = std::env::var_os("PATH").unwrap_or_default();
        let path =
            std::env::join_paths(std::iter::once(cargo_bin.clone()).chain(std::env::split_paths(&old_path)))
                .map_err(|e| format!("cannot extend PATH with {}: {e}", cargo_bin.display()))?;
        // Under `cargo run`, $CARGO is the cargo that runs us: use the same one (and so the same toolchain).
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        Ok(Sh { root, cargo_bin, path, cargo })
    }

    /// The workspace root.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// `$CARGO_HOME/bin` (where `cargo install` puts binaries).
    pub(crate) fn cargo_bin(&self) -> &Path {
        &self.cargo_bin
    }

    /// A command run in the workspace root with the extended `PATH` and no stdin.
    pub(crate) fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.root).env("PATH", &self.path).stdin(Stdio::null());
        cmd
    }

    /// `cargo`, the same binary (and toolchain) that runs xtask.
    pub(crate) fn cargo(&self) -> Command {
        self.cmd(&self.cargo)
    }

    /// Echoes and runs `cmd`, failing with the command line and exit status unless it succeeds.
    pub(crate) fn run(&self, cmd: &mut Command) -> Result<(), String> {
        let line = display(cmd);
        echo(&line);
        let status = cmd.status().map_err(|e| format!("cannot start `{line}`: {e}"))?;
        check(&line, status)
    }

    /// Like [`Sh::run`], but adds the counts of the `test result:` lines (libtest's, and
    /// wasm-bindgen-test-runner's which has the same shape) of the child's stdout to `counts`.
    pub(crate) fn run_tests(&self, cmd: &mut Command, counts: &mut TestCounts) -> Result<(), String> {
        let line = display(cmd);
        echo(&line);
        counts.runs += 1;
        let mut child =
            cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot start `{line}`: {e}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut out = std::io::stdout().lock();
        for text in BufReader::new(stdout).split(b'\n') {
            let text = text.map_err(|e| format!("reading the output of `{line}`: {e}"))?;
            counts.add_line(&String::from_utf8_lossy(&text));
            // Our stdout going away (a closed pipe) must not hide the child's result: ignore write errors.
            let _ = out.write_all(&text).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush());
        }
        drop(out);
        let status = child.wait().map_err(|e| format!("waiting for `{line}`: {e}"))?;
        check(&line, status)
    }

    /// The trimmed stdout of `cmd` if it starts and succeeds, `None` otherwise (a probe: prints nothing).
    pub(crate) fn probe(&self, cmd: &mut Command) -> Option<String> {
        let out = cmd.stderr(Stdio::null()).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

/// Passed, failed and ignored tests, summed over `test result:` lines, and how many test commands ran.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TestCounts {
    pub(crate) runs: u64,
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ignored: u64,
}

impl TestCounts {
    /// Adds the counts of a line like `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; ...`.
    pub(crate) fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else { return };
        for part in rest.split(['.', ';']) {
            let mut words = part.split_whitespace();
            if let (Some(n), Some(what)) = (words.next(), words.next())
                && let Ok(n) = n.parse::<u64>()
            {
                match what {
                    "passed" => self.passed += n,
                    "failed" => self.failed += n,
                    "ignored" => self.ignored += n,
                    _ => {}
                }
            }
        }
    }
}

/// The command line of `cmd` as a person would type it (with the environment variables it sets, but PATH).
pub(crate) fn display(cmd: &Command) -> String {
    let mut words: Vec<String> = cmd
        .get_envs()
        .filter(|(k, _)| *k != "PATH")
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), quote(v?))))
        .collect();
    let program = Path::new(cmd.get_program());
    // Show `cargo`, not the toolchain path in $CARGO.
    words.push(match program.file_name() {
        Some(name) if name == "cargo" => "cargo".to_owned(),
        _ => quote(program.as_os_str()),
    });
    words.extend(cmd.get_args().map(quote));
    words.join(" ")
}

fn quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_=./:,+@%".contains(c)) {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn check(line: &str, status: ExitStatus) -> Result<(), String> {
    if status.success() { Ok(()) } else { Err(format!("`{line}` failed ({status})")) }
}

/// The exit code that passes `status` through (a signal `n` becomes `128 + n`, as in a shell).
pub(crate) fn exit_code(status: ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    let code = status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(1);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Prints a command line about to run, on stderr (where cargo reports too, and out of the way of a program's
/// stdout, `rtspeek demo --json > report.json` say), after flushing our stdout so a merged log keeps the order.
fn echo(line: &str) {
    flush();
    eprintln!("$ {line}");
}

/// Flushes stdout so our lines come before the child's in a log.
pub(crate) fn flush() {
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_libtest_and_runner_lines() {
        let mut c = TestCounts::default();
        c.add_line(
            "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.01s",
        );
        c.add_line("test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out");
        c.add_line("running 3 tests");
        c.add_line("test foo ... ok");
        assert_eq!(c, TestCounts { runs: 0, passed: 13, failed: 2, ignored: 3 });
    }

    #[test]
    fn displays_env_and_quotes() {
        let mut cmd = Command::new("/x/cargo");
        cmd.env("RTSPEEK_BLESS", "1").env("PATH", "/bin").args(["test", "a b", "--", "-D", "warnings"]);
        assert_eq!(display(&cmd), "RTSPEEK_BLESS=1 cargo test 'a b' -- -D warnings");
    }
}
