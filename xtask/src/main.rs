//! `cargo xtask <command>`: the project's automation, as an ordinary binary
//! (the cargo-xtask convention). It calls the generator as a library.
//!
//! - `gen`: regenerate `generated/` from `docs-input/`.
//! - `check`: fail with a diff when `generated/` is not what `gen` would write.
//! - `ci`: everything CI runs: formatting, the drift check, clippy and every test.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use docgen::emit::EmitOptions;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => generate(),
        Some("check") => check(),
        Some("ci") => ci(),
        _ => Err("usage: cargo xtask <gen|check|ci>".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// How the checked-in crate is generated; `docgen gen` takes the same as flags.
fn options() -> EmitOptions {
    EmitOptions {
        crate_name: "graph-sdk".into(),
        base_url: "https://graph.microsoft.com/beta".into(),
        runtime_path: "../runtime".into(),
        standalone: false,
        docs_label: "docs-input".into(),
        features: false,
    }
}

fn generated() -> Result<docgen::Generated, String> {
    let sources = docgen::source::read_docs(&root().join("docs-input")).map_err(|e| e.to_string())?;
    docgen::generate(&sources, &options()).map_err(|e| e.to_string())
}

fn generate() -> Result<(), String> {
    let generated = generated()?;
    report(&generated);
    let out = root().join("generated");
    let summary =
        docgen::output::write(&out, &generated.files).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("generated/: {} written, {} unchanged, {} removed", summary.written, summary.unchanged, summary.removed);
    Ok(())
}

fn check() -> Result<(), String> {
    let generated = generated()?;
    let out = root().join("generated");
    let drift =
        docgen::output::check(&out, &generated.files).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    if drift.is_empty() {
        eprintln!("generated/ is up to date ({} files)", generated.files.len());
        return Ok(());
    }
    for item in &drift {
        eprintln!("{item}");
    }
    Err(format!("{} file(s) in generated/ differ from docs-input/: run `cargo xtask gen`", drift.len()))
}

fn report(generated: &docgen::Generated) {
    for diagnostic in &generated.diagnostics {
        eprintln!("{diagnostic}");
    }
}

/// Runs a cargo command from the workspace root, failing on a non-zero exit.
fn cargo(args: &[&str]) -> Result<(), String> {
    eprintln!("$ cargo {}", args.join(" "));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(root())
        // Snapshots are reviewed by people, never written by CI.
        .env("INSTA_UPDATE", "no")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed", args.join(" "))) }
}

fn ci() -> Result<(), String> {
    // The generated crate is formatted by prettyplease, not rustfmt.
    cargo(&["fmt", "--check", "-p", "docgen", "-p", "graph-runtime", "-p", "xtask", "-p", "docgen-tests"])?;
    check()?;
    cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    cargo(&["test", "--workspace"])?;
    Ok(())
}
