//! Launchers for the third-party peers the loopback tests talk to: gst-rtsp-server ([`gst`]), live555
//! ([`live555`], SRTP), `openssl s_server` ([`openssl`]) and ffprobe ([`ffmpeg`]), so that a green test
//! means "works with software nobody on the team wrote".
//!
//! Every long-running peer is a [`PeerProcess`]: a child in its own process group, listening on 127.0.0.1
//! only, whose readiness line on standard output is awaited for a bounded time, and whose whole group is
//! killed when the guard is dropped, also while a failing test unwinds. Each peer also exits by itself after
//! a lifetime (gst's `--timeout`, coreutils `timeout` around openssl) in case the test process is killed
//! outright: in their own process group, peers do not get the terminal's Ctrl-C. One-shot clients run through
//! [`run_bounded`].
//!
//! The peers come from Debian packages that `cargo xtask test` installs (live555: it builds it from source).
//! A missing one is an error that says so ([`PeerError::Missing`]), never a skipped test.
//!
//! ```no_run
//! use rtspeek_tests::peers::gst::{GstOptions, GstRtspServer};
//! let server = GstRtspServer::start(GstOptions::default()).unwrap();
//! let url = server.url("/test"); // rtsp://127.0.0.1:PORT/test
//! # let _ = url;
//! // Dropping `server` kills gst-rtsp-server.
//! ```

pub mod clients;
pub mod ffmpeg;
pub mod gst;
pub mod live555;
pub mod onvif;
pub mod openssl;
pub mod stunnel;

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// A port of 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> Result<u16, PeerError> {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).map_err(
        |source| PeerError::Io { what: "cannot bind 127.0.0.1:0 to find a free port".into(), source },
    )
}

/// A temporary directory for the files a peer reads (certificates, keys), deleted with it.
#[derive(Debug)]
pub(crate) struct PeerFiles(tempfile::TempDir);

impl PeerFiles {
    /// A fresh directory named `rtspeek-<peer>-...`.
    pub(crate) fn new(peer: &str) -> Result<PeerFiles, PeerError> {
        tempfile::Builder::new()
            .prefix(&format!("rtspeek-{peer}-"))
            .tempdir()
            .map(PeerFiles)
            .map_err(|source| PeerError::Io { what: "cannot create a temporary directory".into(), source })
    }

    /// Writes `contents` to `name` in the directory; its path.
    pub(crate) fn write(&self, name: &str, contents: &str) -> Result<PathBuf, PeerError> {
        let path = self.0.path().join(name);
        std::fs::write(&path, contents)
            .map_err(|source| PeerError::Io { what: format!("cannot write {}", path.display()), source })?;
        Ok(path)
    }
}

/// How long a peer may take to print its readiness line by default. gst-rtsp-server needs about a second,
/// more on the first run of a machine while GStreamer builds its plugin registry.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Stdout lines a [`PeerProcess`] keeps (the most recent ones).
const KEPT_LINES: usize = 256;
/// Longest stdout line kept; longer ones are split (s_server echoes whatever the client sends).
const MAX_LINE: usize = 4096;
/// Bytes of stderr a [`PeerProcess`] keeps (the last ones).
const STDERR_TAIL: usize = 8192;

/// Why a peer could not be used.
///
/// `Debug` prints the same text as `Display`, so that `start(..).unwrap()` in a test shows the command line
/// and the peer's output readably.
#[derive(thiserror::Error)]
pub enum PeerError {
    /// The program, or something it needs, is not installed.
    #[error(
        "`{program}` is missing or unusable ({detail}): the loopback tests need it. Run `cargo xtask test`, \
         which installs the test peers (Debian packages, see `cargo xtask help`)"
    )]
    Missing {
        /// The program (or component) that is missing.
        program: String,
        /// What showed it: the PATH search, or the program's own error.
        detail: String,
    },
    /// The program could not be started.
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// The error from `spawn`.
        #[source]
        source: io::Error,
    },
    /// The peer exited, or printed no readiness line in time; it has been killed.
    #[error(
        "`{command}` did not become ready: {why}\n--- stdout (tail) ---\n{stdout}\n\
         --- stderr (tail) ---\n{stderr}"
    )]
    NotReady {
        /// The command line.
        command: String,
        /// What happened instead (the exit status, or the time waited).
        why: String,
        /// The last lines of its standard output.
        stdout: String,
        /// The end of its standard error.
        stderr: String,
    },
    /// A bounded run did not finish in time; it has been killed.
    #[error("`{command}` did not finish within {after:?} and was killed\n--- stderr (tail) ---\n{stderr}")]
    TimedOut {
        /// The command line.
        command: String,
        /// The time limit.
        after: Duration,
        /// The end of its standard error.
        stderr: String,
    },
    /// Preparing the peer's files failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: io::Error,
    },
}

impl fmt::Debug for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The path of `program` (a name looked up in `PATH`, or a path), or [`PeerError::Missing`] telling to run
/// `cargo xtask test`. Tests call this (or a launcher, which does) instead of skipping when a peer is absent.
pub fn require(program: &str) -> Result<PathBuf, PeerError> {
    let executable =
        |p: &Path| p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if program.contains('/') {
        let path = PathBuf::from(program);
        return if executable(&path) {
            Ok(path)
        } else {
            Err(PeerError::Missing { program: program.into(), detail: "no such executable file".into() })
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| executable(p)).ok_or_else(|| {
        PeerError::Missing {
            program: program.into(),
            detail: format!("not found in PATH {}", path.display()),
        }
    })
}

/// A running peer: a child process in its own process group, with its standard output read line by line in
/// the background (so it never blocks on a full pipe), the end of its standard error kept for diagnostics,
/// and its standard input held open (`openssl s_server` shuts down at end of input once a client connects).
///
/// Dropping it kills the whole process group (SIGKILL through `kill -- -PGID`) and reaps the child.
pub struct PeerProcess {
    child: Child,
    command: String,
    port: u16,
    /// Held, never written: closing it would make some peers exit.
    _stdin: Option<ChildStdin>,
    shared: Arc<Shared>,
    killed: bool,
}

impl fmt::Debug for PeerProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerProcess")
            .field("pid", &self.child.id())
            .field("port", &self.port)
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

/// A function of one stdout line that returns the bound port when the line says the peer is ready.
pub type Readiness = Box<dyn FnMut(&str) -> Option<u16> + Send>;

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    ready: Option<u16>,
    lines: VecDeque<String>,
    stdout_closed: bool,
    stderr: VecDeque<u8>,
    stderr_closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking reader thread must not hide the peer's output from the test's error message.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until `done` holds or `deadline` passes, and returns the state either way.
    fn wait_until(&self, deadline: Instant, mut done: impl FnMut(&State) -> bool) -> MutexGuard<'_, State> {
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            if done(&state) || now >= deadline {
                return state;
            }
            state = match self.changed.wait_timeout(state, deadline - now) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

impl PeerProcess {
    /// Starts `command` in its own process group with piped standard streams and waits up to `timeout` for a
    /// stdout line on which `ready` returns the bound port.
    ///
    /// On failure (the program is missing, it exits, or no readiness line comes in time) the process group is
    /// killed and the error holds the command line, the exit status and the tails of stdout and stderr.
    pub fn spawn(
        mut command: Command,
        ready: Readiness,
        timeout: Duration,
    ) -> Result<PeerProcess, PeerError> {
        // Without `kill` the group could not be killed on drop, and a wrapped peer would be orphaned.
        require("kill")?;
        let line = command_line(&command);
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
        let mut child = command.spawn().map_err(|source| spawn_error(&command, line.clone(), source))?;
        let shared = Arc::new(Shared::default());
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let stdin = child.stdin.take();
        // The threads end when the pipes close, which killing the group guarantees: they are not joined.
        let reader = Arc::clone(&shared);
        thread::Builder::new()
            .name("peer-stdout".into())
            .spawn(move || read_stdout(stdout, ready, &reader))
            .map_err(|source| PeerError::Io { what: "cannot start a thread".into(), source })?;
        let reader = Arc::clone(&shared);
        thread::Builder::new()
            .name("peer-stderr".into())
            .spawn(move || read_stderr(stderr, &reader))
            .map_err(|source| PeerError::Io { what: "cannot start a thread".into(), source })?;

        let mut peer = PeerProcess { child, command: line, port: 0, _stdin: stdin, shared, killed: false };
        let deadline = Instant::now() + timeout;
        let state = peer.shared.wait_until(deadline, |s| s.ready.is_some() || s.stdout_closed);
        let (ready, closed) = (state.ready, state.stdout_closed);
        drop(state);
        if let Some(port) = ready {
            peer.port = port;
            return Ok(peer);
        }
        let why = (!closed).then(|| format!("no readiness line within {timeout:?}"));
        let status = peer.kill();
        let why = why.unwrap_or_else(|| match &status {
            Some(status) => format!("it exited ({status}) before printing its readiness line"),
            None => "it closed its standard output before printing its readiness line".into(),
        });
        // The stderr reader may still be behind the exit: give it a moment to reach the end of the pipe.
        peer.wait_stderr_closed(Duration::from_secs(1));
        Err(PeerError::NotReady {
            command: peer.command.clone(),
            why,
            stdout: peer.stdout_lines().join("\n"),
            stderr: peer.stderr_tail(),
        })
    }

    /// The port the peer listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The child's process id, which is also its process group id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The command line, for messages.
    pub fn command_line(&self) -> &str {
        &self.command
    }

    /// The most recent lines of standard output (at most a few hundred), oldest first.
    pub fn stdout_lines(&self) -> Vec<String> {
        self.shared.lock().lines.iter().cloned().collect()
    }

    /// The end of standard error (a few KiB), lossily decoded.
    pub fn stderr_tail(&self) -> String {
        let state = self.shared.lock();
        let (a, b) = state.stderr.as_slices();
        String::from_utf8_lossy(&[a, b].concat()).into_owned()
    }

    /// Waits up to `timeout` for a stdout line (among those kept, earlier ones included) that satisfies
    /// `matches`, and returns it; `None` on timeout or when the peer closed its output without one. For the
    /// lines a peer prints about its clients, such as gst-rtsp-server's client-certificate decisions.
    pub fn wait_for_line(&self, mut matches: impl FnMut(&str) -> bool, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let state =
            self.shared.wait_until(deadline, |s| s.stdout_closed || s.lines.iter().any(|l| matches(l)));
        state.lines.iter().find(|l| matches(l)).cloned()
    }

    fn wait_stderr_closed(&self, timeout: Duration) {
        drop(self.shared.wait_until(Instant::now() + timeout, |s| s.stderr_closed));
    }

    /// Kills the process group and reaps the child, once; returns its exit status the first time.
    fn kill(&mut self) -> Option<ExitStatus> {
        if self.killed {
            return None;
        }
        self.killed = true;
        // The child has not been reaped yet (nothing calls wait before this), so its pid still names its
        // group, which also holds what it started (openssl under `timeout`).
        kill_group(self.child.id());
        let _ = self.child.kill();
        self.child.wait().ok()
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs a one-shot command (a client such as ffprobe or `openssl s_client`) with standard input closed and
/// its output captured, killing its process group if it has not finished after `timeout`.
pub fn run_bounded(mut command: Command, timeout: Duration) -> Result<Output, PeerError> {
    let line = command_line(&command);
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let mut child = command.spawn().map_err(|source| spawn_error(&command, line.clone(), source))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                let stderr = stderr.join().unwrap_or_default();
                return Err(PeerError::TimedOut { command: line, after: timeout, stderr: tail(&stderr) });
            }
            Err(source) => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(PeerError::Io { what: format!("cannot wait for `{line}`"), source });
            }
        }
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// SIGKILL to process group `pgid`, through the `kill` program (std cannot signal a group, and the workspace
/// has no `unsafe`). Errors are ignored: the group may be gone already.
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{pgid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn spawn_error(command: &Command, line: String, source: io::Error) -> PeerError {
    if source.kind() == io::ErrorKind::NotFound {
        PeerError::Missing {
            program: command.get_program().to_string_lossy().into_owned(),
            detail: format!("cannot run `{line}`: {source}"),
        }
    } else {
        PeerError::Spawn { command: line, source }
    }
}

fn read_stdout(stdout: impl Read, mut ready: Readiness, shared: &Shared) {
    let mut reader = BufReader::new(stdout);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // Bounded: a peer echoing binary data without newlines must not grow one line without limit.
        match (&mut reader).take(MAX_LINE as u64).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&buf).trim_end_matches(['\r', '\n']).to_owned();
        let mut state = shared.lock();
        if state.ready.is_none() {
            state.ready = ready(&line);
        }
        if state.lines.len() == KEPT_LINES {
            state.lines.pop_front();
        }
        state.lines.push_back(line);
        drop(state);
        shared.changed.notify_all();
    }
    shared.lock().stdout_closed = true;
    shared.changed.notify_all();
}

fn read_stderr(mut stderr: impl Read, shared: &Shared) {
    let mut buf = [0u8; 4096];
    loop {
        let n = match stderr.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut state = shared.lock();
        state.stderr.extend(&buf[..n]);
        let excess = state.stderr.len().saturating_sub(STDERR_TAIL);
        state.stderr.drain(..excess);
    }
    shared.lock().stderr_closed = true;
    shared.changed.notify_all();
}

/// The last [`STDERR_TAIL`] bytes, lossily decoded.
fn tail(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(STDERR_TAIL)..]).into_owned()
}

/// `program arg arg`, with arguments that need it in single quotes, for messages.
fn command_line(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| {
            let a = a.to_string_lossy();
            let plain =
                !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
            if plain { a.into_owned() } else { format!("'{}'", a.replace('\'', r"'\''")) }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
