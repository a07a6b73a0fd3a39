//! `rtspeek completions SHELL` and `rtspeek man`: generated from the command definitions, so every command (the
//! newest included) is in them; an unknown shell is a usage error.

use std::process::{Command, Output};

fn rtspeek(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rtspeek")).args(args).output().expect("run rtspeek")
}

#[test]
fn completions_cover_every_command_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = rtspeek(&["completions", shell]);
        let script = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        for command in ["probe", "serve", "discover", "demo", "cert"] {
            assert!(script.contains(command), "{shell} completion lacks {command}");
        }
    }
    let bad = rtspeek(&["completions", "cmd.exe"]);
    assert_eq!(bad.status.code(), Some(64));
}

#[test]
fn man_pages_render_and_are_written_one_per_command() {
    let out = rtspeek(&["man"]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH rtspeek 1") && page.contains("discover"), "{page}");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = rtspeek(&["man", "--out", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for page in ["rtspeek.1", "rtspeek-probe.1", "rtspeek-serve.1", "rtspeek-discover.1"] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}: {text}");
    }
}

#[test]
fn help_has_examples_short_flags_and_every_subcommand_a_version() {
    let help = String::from_utf8_lossy(&rtspeek(&["probe", "--help"]).stdout).into_owned();
    assert!(help.contains("Examples:") && help.contains("rtspeek probe 192.168.1.64"), "{help}");
    for flag in ["-u, --user", "-k, --insecure", "-d, --duration", "-t, --timeout", "-j, --json"] {
        assert!(help.contains(flag), "{flag} in\n{help}");
    }
    assert!(String::from_utf8_lossy(&rtspeek(&["--help"]).stdout).contains("Examples:"));
    let version = env!("CARGO_PKG_VERSION");
    for sub in ["probe", "serve", "cert", "sdp", "bridge", "demo", "discover"] {
        let out = rtspeek(&[sub, "--version"]);
        assert!(out.status.success(), "{sub}");
        assert!(String::from_utf8_lossy(&out.stdout).contains(version), "{sub}");
    }
    // A short flag parses like the long one: a bad duration is a usage error either way.
    assert_eq!(rtspeek(&["probe", "rtsp://127.0.0.1:9/x", "-d", "-1"]).status.code(), Some(64));
}
