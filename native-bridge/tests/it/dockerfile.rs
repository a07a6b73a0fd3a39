//! The container recipe (`Dockerfile` at the top), checked against the tree every run. `cargo xtask test`'s
//! step "container image" builds and runs it where a container runtime answers, and says "NOT built" where none
//! does.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root")
}

#[test]
fn the_dockerfile_matches_the_tree() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile at the top");
    // What it builds and runs exists under these names.
    assert!(text.contains("cargo build --release --locked -p rtspeek"), "builds the rtspeek package");
    assert!(text.contains("cargo xtask web"), "builds the page the binary embeds");
    assert!(text.contains("ENTRYPOINT [\"rtspeek\"]"));
    let manifest = std::fs::read_to_string(root().join("native-bridge/Cargo.toml")).expect("manifest");
    assert!(manifest.contains("name = \"rtspeek\""), "the package the Dockerfile names");
    let rust = text.lines().find_map(|l| l.strip_prefix("FROM rust:")).expect("a rust build stage");
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).expect("workspace manifest");
    let msrv = rust.split('-').next().unwrap_or_default();
    assert!(
        workspace.contains(&format!("rust-version = \"{msrv}\"")),
        "the image's Rust is the MSRV ({msrv})"
    );
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).expect(".dockerignore");
    assert!(ignore.lines().any(|l| l == "target/"), "the build context leaves target/ out");
}
