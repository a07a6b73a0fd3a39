//! Facts read from the workspace's own files, so that xtask follows the workspace instead of repeating it.

use std::path::{Path, PathBuf};

/// The cargo target directory: `$CARGO_TARGET_DIR` (or `$CARGO_BUILD_TARGET_DIR`) if set, else `<root>/target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
        .into_iter()
        .find_map(std::env::var_os)
        .map(|dir| root.join(dir))
        .unwrap_or_else(|| root.join("target"))
}

/// The exact version of the `wasm-bindgen` crate the workspace builds with, which wasm-bindgen-cli (and so
/// `wasm-bindgen-test-runner`) must match exactly.
///
/// Read from the `=x.y.z` pin in `[workspace.dependencies]` of Cargo.toml; when that entry is not an exact
/// pin, from the resolved version in Cargo.lock. Bumping the pin therefore bumps the CLI.
pub(crate) fn wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let read =
        |name: &str| std::fs::read_to_string(root.join(name)).map_err(|e| format!("cannot read {name}: {e}"));
    let manifest = read("Cargo.toml")?;
    let requirement = workspace_dependency_version(&manifest, "wasm-bindgen")
        .ok_or("Cargo.toml: no `wasm-bindgen` entry with a version in [workspace.dependencies]")?;
    if let Some(exact) = requirement.strip_prefix('=') {
        return Ok(exact.trim().to_owned());
    }
    locked_version(&read("Cargo.lock")?, "wasm-bindgen").ok_or_else(|| {
        format!(
            "Cargo.toml pins wasm-bindgen as `{requirement}` (not `=x.y.z`) and Cargo.lock has no \
             wasm-bindgen package: pin it exactly, since wasm-bindgen-cli must match it"
        )
    })
}

/// The version requirement of `name` in `[workspace.dependencies]`: `name = "req"` or
/// `name = { version = "req", ... }` on one line (the form this workspace uses; not a general TOML parser).
fn workspace_dependency_version(manifest: &str, name: &str) -> Option<String> {
    let mut in_section = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[workspace.dependencies]";
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        if !in_section || key.trim().trim_matches('"') != name {
            continue;
        }
        let value = value.trim();
        let value = match value.strip_prefix('{') {
            Some(table) => table.split(',').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k.trim() == "version").then(|| v.trim().trim_end_matches('}').trim())
            })?,
            None => value,
        };
        return Some(value.split('#').next()?.trim().trim_matches('"').to_owned());
    }
    None
}

/// The version of package `name` in a Cargo.lock (the first one, if several).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"") {
            let version = lines.next()?.strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
[workspace]
members = ["core"]

[dependencies]
wasm-bindgen = "=0.1.0"

[workspace.dependencies]
wasm-bindgen-test = "0.3"
wasm-bindgen = "=0.2.130"   # the CLI must match
other = { version = "=9.9.9", default-features = false }
"#;

    #[test]
    fn reads_the_workspace_pin() {
        assert_eq!(workspace_dependency_version(MANIFEST, "wasm-bindgen").as_deref(), Some("=0.2.130"));
        assert_eq!(workspace_dependency_version(MANIFEST, "other").as_deref(), Some("=9.9.9"));
        assert_eq!(workspace_dependency_version(MANIFEST, "missing"), None);
    }

    #[test]
    fn reads_the_lock() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"1.0.0\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
    }

    #[test]
    fn this_workspace_pins_wasm_bindgen_exactly() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let version = wasm_bindgen_version(root).unwrap();
        assert!(version.split('.').all(|n| n.parse::<u32>().is_ok()), "{version}");
    }
}
