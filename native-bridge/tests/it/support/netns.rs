//! Two network namespaces joined by a veth pair, for multicast tests that must not reach the host's networks.
//!
//! Side A is `10.77.0.1/24`, side B `10.77.0.2/24`, each with `lo` up and the multicast route `224.0.0.0/4` on
//! its veth end; [`Net::command`] runs a program inside a side (`ip netns exec NS ...`, which execs, so the
//! child's pid is the program's). Names carry the test process id and a counter, so parallel tests and runs do
//! not collide. Dropping the [`Net`] deletes both namespaces (and with them the veth pair), also when the test
//! panics.
//!
//! Where namespaces cannot be made (not root, no `ip`, a sandbox without CAP_SYS_ADMIN), [`Net::new`] falls
//! back to loopback multicast: `lo` gets the MULTICAST flag and the route `224.0.0.0/4`, both sides are the
//! host's `lo` at 127.0.0.1, and tests on this fallback take a process-wide lock since they share port 3702.
//! It says so on stderr: the fallback is a weaker test (one host, one interface), never a skip.

use std::ffi::OsStr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// One end of the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    A,
    B,
}

/// Serialises the tests that fell back to the host's loopback (they share its port 3702).
static LOOPBACK: Mutex<()> = Mutex::new(());
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The two sides of a test network; see the module documentation.
pub(crate) struct Net {
    kind: Kind,
    _loopback: Option<MutexGuard<'static, ()>>,
}

enum Kind {
    Namespaces { ns: [String; 2], veth: [String; 2] },
    Loopback,
}

impl Net {
    /// Two fresh namespaces, or the loopback fallback (announced on stderr, with the reason).
    pub(crate) fn new(test: &str) -> Net {
        match Self::namespaces() {
            Ok(net) => net,
            Err(why) => {
                eprintln!(
                    "{test}: network namespaces unavailable ({why}); FALLING BACK to loopback multicast on lo \
                     (one host, one interface: a weaker test)"
                );
                let guard = LOOPBACK.lock().unwrap_or_else(PoisonError::into_inner);
                // Best effort: the flag and route may already be there; a real failure shows in the test.
                let _ = ip(&["link", "set", "lo", "multicast", "on"]);
                let _ = ip(&["route", "replace", "224.0.0.0/4", "dev", "lo"]);
                Net { kind: Kind::Loopback, _loopback: Some(guard) }
            }
        }
    }

    fn namespaces() -> Result<Net, String> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        // Interface names are at most 15 bytes: `rw` + pid (<= 7 digits) + `x` + n + `a`.
        let ns = [format!("rtspeek-wsd-{pid}-{n}-a"), format!("rtspeek-wsd-{pid}-{n}-b")];
        let veth = [format!("rw{pid}x{n}a"), format!("rw{pid}x{n}b")];
        // What a crashed run with the same pid may have left.
        for name in &ns {
            let _ = ip(&["netns", "del", name]);
        }
        // From here the namespaces are deleted on every early return, by this guard's drop.
        let net = Net { kind: Kind::Namespaces { ns: ns.clone(), veth: veth.clone() }, _loopback: None };
        ip(&["netns", "add", &ns[0]])?;
        ip(&["netns", "add", &ns[1]])?;
        ip(&["link", "add", &veth[0], "type", "veth", "peer", "name", &veth[1]])?;
        for (i, addr) in ["10.77.0.1/24", "10.77.0.2/24"].into_iter().enumerate() {
            ip(&["link", "set", &veth[i], "netns", &ns[i]])?;
            ip(&["-n", &ns[i], "addr", "add", addr, "dev", &veth[i]])?;
            ip(&["-n", &ns[i], "link", "set", "lo", "up"])?;
            ip(&["-n", &ns[i], "link", "set", &veth[i], "up"])?;
            ip(&["-n", &ns[i], "route", "add", "224.0.0.0/4", "dev", &veth[i]])?;
        }
        Ok(net)
    }

    /// Whether this is the loopback fallback (both sides the host's `lo`).
    pub(crate) fn is_loopback(&self) -> bool {
        matches!(self.kind, Kind::Loopback)
    }

    /// `program` to run inside `side`.
    pub(crate) fn command(&self, side: Side, program: impl AsRef<OsStr>) -> Command {
        match &self.kind {
            Kind::Namespaces { ns, .. } => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", &ns[side as usize]]).arg(program);
                c
            }
            Kind::Loopback => Command::new(program),
        }
    }

    /// The interface name of `side`.
    pub(crate) fn interface(&self, side: Side) -> &str {
        match &self.kind {
            Kind::Namespaces { veth, .. } => &veth[side as usize],
            Kind::Loopback => "lo",
        }
    }

    /// The IPv4 address of `side`.
    pub(crate) fn addr(&self, side: Side) -> &'static str {
        match (&self.kind, side) {
            (Kind::Namespaces { .. }, Side::A) => "10.77.0.1",
            (Kind::Namespaces { .. }, Side::B) => "10.77.0.2",
            (Kind::Loopback, _) => "127.0.0.1",
        }
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        if let Kind::Namespaces { ns, .. } = &self.kind {
            for name in ns {
                // Deleting a namespace destroys the veth end in it, and with it the pair.
                let _ = ip(&["netns", "del", name]);
            }
        }
    }
}

/// Runs `ip args...`, failing with its stderr.
fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `ip`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("`ip {}`: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}
