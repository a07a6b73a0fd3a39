//! Why a command failed, and the exit status that tells a script which kind of failure it was: the user's
//! input (fix the command line, the file, the configuration) or the machine (an address in use, a runtime
//! that did not start), which the same command may survive when retried.

use rtspeek_bridge::bridge::BridgeError;
use rtspeek_bridge::probe::ConfigureError;
use rtspeek_bridge::serve::ServeError;

/// Exit status for usage and input errors (BSD `EX_USAGE`).
pub(crate) const EXIT_USAGE: u8 = 64;
/// Exit status for failures of the machine rather than of the input: binding a listener, starting the
/// runtime, writing the output (BSD `EX_IOERR`).
pub(crate) const EXIT_RUNTIME: u8 = 74;

/// A command's failure, already worded for the user (with the file, listener or stream it is about).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Arguments, an input file or a configuration the command cannot use.
    #[error("{0}")]
    Input(String),
    /// The command could not run for a reason outside its input.
    #[error("{0}")]
    Runtime(String),
}

impl CliError {
    /// A file the command writes (the demo's data directory) could not be written: the machine's failure.
    pub(crate) fn write(path: &std::path::Path, e: &dyn std::fmt::Display) -> CliError {
        CliError::Runtime(format!("{}: cannot write: {e}", path.display()))
    }

    /// The process exit status.
    pub(crate) fn exit_status(&self) -> u8 {
        match self {
            CliError::Input(_) => EXIT_USAGE,
            CliError::Runtime(_) => EXIT_RUNTIME,
        }
    }
}

/// The commands' own checks (unreadable files, invalid values) are worded as strings: input errors.
impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::Input(message)
    }
}

impl From<ConfigureError> for CliError {
    fn from(e: ConfigureError) -> CliError {
        match e {
            ConfigureError::Random => CliError::Runtime(e.to_string()),
            _ => CliError::Input(e.to_string()),
        }
    }
}

impl From<ServeError> for CliError {
    fn from(e: ServeError) -> CliError {
        if e.is_config() { CliError::Input(e.to_string()) } else { CliError::Runtime(e.to_string()) }
    }
}

impl From<BridgeError> for CliError {
    fn from(e: BridgeError) -> CliError {
        match e {
            BridgeError::NotLoopback(_) => CliError::Input(e.to_string()),
            BridgeError::Bind { .. } | BridgeError::Random => CliError::Runtime(e.to_string()),
        }
    }
}
