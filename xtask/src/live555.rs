//! The live555 test server (tests/peers/live555/): live555's library sources from the PyPI sdist
//! `liblivemedia` (unmodified, live555 2024.06.26), built with our thin server main into
//! `<target dir>/peers-live555/<sdist version>/rtspeek_live555_server`, where tests/src/peers/live555.rs
//! looks for it.
//!
//! Idempotent: the sdist is downloaded and unpacked once (its SHA-256 checked), and `make` rebuilds only
//! what is out of date: nothing when the binary is current, the link alone when the server main changed.
//! The library takes about 30 s on 2 cores at -O1.

use std::path::{Path, PathBuf};

use crate::ensure::{apt, tool_or_apt};
use crate::sh::Sh;
use crate::workspace;

/// The PyPI sdist version (it carries live555 2024.06.26).
pub(crate) const SDIST_VERSION: &str = "1.0.5";
/// SHA-256 of `liblivemedia-1.0.5.tar.gz`, as downloaded on 2026-12-07.
const SDIST_SHA256: &str = "564f65501ea5e823e5c53b1847ce3f41bd7b71ee2e9f3ba154a7e955817dfb48";

/// The cache directory: `<target dir>/peers-live555/<sdist version>` (the launcher computes the same).
pub(crate) fn cache_dir(root: &Path) -> PathBuf {
    workspace::target_dir(root).join("peers-live555").join(SDIST_VERSION)
}

/// Builds the server unless it is up to date, installing the compiler, make and OpenSSL's headers first.
pub(crate) fn ensure(sh: &Sh) -> Result<(), String> {
    tool_or_apt(sh, "c++", &["--version"], "g++")?;
    tool_or_apt(sh, "make", &["--version"], "make")?;
    apt(sh, &["libssl-dev"])?;
    let dir = cache_dir(sh.root());
    let src = dir.join(format!("liblivemedia-{SDIST_VERSION}"));
    if !src.join("liveMedia").is_dir() {
        unpack_sdist(sh, &dir)?;
    }
    let makefile = sh.root().join("tests/peers/live555/Makefile");
    let make = |extra: &[&str]| {
        let mut cmd = sh.cmd("make");
        cmd.args(extra)
            .arg("-f")
            .arg(&makefile)
            .arg(format!("SRC={}", src.display()))
            .arg(format!("OUT={}", dir.display()));
        cmd
    };
    // `make -q` exits 0 when everything is up to date.
    if sh.probe(&mut make(&["-q"])).is_some() {
        println!("  ok: live555 test server in {}", dir.display());
        return Ok(());
    }
    println!("  building the live555 test server into {} (about 30 s on 2 cores)", dir.display());
    sh.run(&mut make(&["-j2", "--no-print-directory"]))
}

/// Downloads the sdist with pip (no build: `--no-binary :all:` only fetches it), checks its hash, untars it.
fn unpack_sdist(sh: &Sh, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tarball = dir.join(format!("liblivemedia-{SDIST_VERSION}.tar.gz"));
    if !tarball.is_file() {
        let venv_python = sh.root().join("target/peers-venv/bin/python");
        let python = if venv_python.is_file() { venv_python } else { PathBuf::from("python3") };
        println!("  downloading the live555 sources (PyPI sdist liblivemedia=={SDIST_VERSION})");
        sh.run(
            sh.cmd(&python)
                .args(["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"])
                .args(["--no-binary", ":all:", &format!("liblivemedia=={SDIST_VERSION}"), "-d"])
                .arg(dir),
        )?;
    }
    let sum = sh
        .probe(sh.cmd("sha256sum").arg(&tarball))
        .ok_or_else(|| format!("cannot compute the SHA-256 of {}", tarball.display()))?;
    if sum.split_whitespace().next() != Some(SDIST_SHA256) {
        // A bad download must not stay in the cache.
        let _ = std::fs::remove_file(&tarball);
        return Err(format!(
            "{} has SHA-256 {sum}, expected {SDIST_SHA256}: not the sdist this was written for",
            tarball.display()
        ));
    }
    sh.run(sh.cmd("tar").arg("-xzf").arg(&tarball).arg("-C").arg(dir))
}
