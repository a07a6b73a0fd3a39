//! ONVIF clients nobody on the team wrote: python-onvif-zeep (PyPI `onvif-zeep`, in the venv `cargo xtask test`
//! makes at `target/peers-venv`) and the npm `onvif` package (installed at `target/peers-npm`), each driven by a
//! small script in `tests/peers/` that prints one JSON document.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use super::clients::repo_root;
use super::{PeerError, require, run_bounded};

/// Bound on one client run (it makes a handful of requests on loopback).
const TIMEOUT: Duration = Duration::from_secs(40);

/// What a client printed, and how it exited.
#[derive(Debug)]
pub struct OnvifRun {
    /// The exit code (0: answers read, 3: a SOAP fault such as NotAuthorized).
    pub code: Option<i32>,
    /// The JSON document it printed (`Null` when it printed none).
    pub json: serde_json::Value,
    /// Its standard error, for messages.
    pub stderr: String,
}

impl OnvifRun {
    fn from(output: &Output) -> OnvifRun {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let json = stdout
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str(l).ok())
            .unwrap_or(serde_json::Value::Null);
        OnvifRun {
            code: output.status.code(),
            json,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// The npm packages of the peers.
pub fn npm_dir() -> PathBuf {
    repo_root().join("target/peers-npm")
}

/// python-onvif-zeep: device information, Media profiles, and each profile's stream URI (Media1, RTSP).
pub fn zeep(host: &str, port: u16, user: &str, password: &str) -> Result<OnvifRun, PeerError> {
    let python = repo_root().join("target/peers-venv/bin/python");
    let python = require(python.to_str().unwrap_or_default()).map_err(|_| PeerError::Missing {
        program: "onvif-zeep".into(),
        detail: format!("no venv at {}: run `cargo xtask test`", python.display()),
    })?;
    let mut cmd = Command::new(python);
    cmd.arg(repo_root().join("tests/peers/onvif_zeep_client.py")).args([
        host,
        &port.to_string(),
        user,
        password,
    ]);
    Ok(OnvifRun::from(&run_bounded(cmd, TIMEOUT)?))
}

/// The npm `onvif` package: connects (Media2 when offered) and asks each profile's URI with `protocol`.
pub fn npm(host: &str, port: u16, user: &str, password: &str, protocol: &str) -> Result<OnvifRun, PeerError> {
    let modules = npm_dir().join("node_modules");
    if !modules.join("onvif/package.json").is_file() {
        return Err(PeerError::Missing {
            program: "npm onvif".into(),
            detail: format!("not installed in {}: run `cargo xtask test`", modules.display()),
        });
    }
    let mut cmd = Command::new(require("node")?);
    cmd.env("NODE_PATH", &modules).arg(repo_root().join("tests/peers/onvif_npm_client.js")).args([
        host,
        &port.to_string(),
        user,
        password,
        protocol,
    ]);
    Ok(OnvifRun::from(&run_bounded(cmd, TIMEOUT)?))
}
