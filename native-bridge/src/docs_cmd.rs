//! `rtspeek completions SHELL` and `rtspeek man [--out DIR]`: shell completions and man pages generated from the
//! command-line definitions themselves, so they never drift from `--help`.

use std::path::PathBuf;

use clap::{Args, CommandFactory as _};
use clap_complete::Shell;

use crate::cli_error::CliError;

/// Arguments of `rtspeek completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Arguments of `rtspeek man`.
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write `rtspeek.1` and one page per subcommand (`rtspeek-probe.1`...) into this directory instead of
    /// printing the main page.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Prints the completion script (e.g. `rtspeek completions bash > /etc/bash_completion.d/rtspeek`).
pub(crate) fn completions(args: &CompletionsArgs) -> Result<u8, CliError> {
    let mut command = crate::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "rtspeek", &mut script);
    crate::render::print_stdout(&String::from_utf8_lossy(&script));
    Ok(0)
}

/// Prints the main man page, or writes every page into `--out`.
pub(crate) fn man(args: &ManArgs) -> Result<u8, CliError> {
    let command = crate::Cli::command();
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| CliError::write(dir, &e))?;
            clap_mangen::generate_to(command, dir).map_err(|e| CliError::write(dir, &e))?;
            crate::render::print_stdout(&format!("man pages written to {}\n", dir.display()));
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| CliError::Runtime(format!("cannot render the man page: {e}")))?;
            crate::render::print_stdout(&String::from_utf8_lossy(&page));
        }
    }
    Ok(0)
}
