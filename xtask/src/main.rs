//! `cargo xtask <command>`: the project's automation, as an ordinary binary
//! (the cargo-xtask convention). It calls the generator as a library.
//!
//! - `gen`: regenerate `generated/` from `docs-input/`.
//! - `check`: fail with a diff when `generated/` is not what `gen` would write.
//! - `corpus`: generate the crates of the real docs (v1.0 and beta, every
//!   area behind a feature), check the coverage targets and `cargo check` both.
//! - `bench`: the pipeline benchmark on the real docs (medians next to the
//!   floor measured in the same run, and peak memory).
//! - `ci`: everything CI runs: formatting, the drift check, clippy, every test
//!   and the corpus step.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use docgen::emit::EmitOptions;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => generate(),
        Some("check") => check(),
        Some("corpus") => corpus(),
        Some("bench") => bench(),
        Some("ci") => ci(),
        _ => Err("usage: cargo xtask <gen|check|corpus|bench|ci>".to_string()),
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
    cargo_in(&root(), args, &[])
}

/// Runs a cargo command in `dir` with extra environment variables.
fn cargo_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    eprintln!("$ cargo {}  (in {})", args.join(" "), dir.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        // Snapshots are reviewed by people, never written by CI.
        .env("INSTA_UPDATE", "no")
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed in {}", args.join(" "), dir.display())) }
}

/// The real docs: `GRAPH_DOCS`, else `../shared/graph-docs` next to the workspace.
fn graph_docs() -> Option<PathBuf> {
    let path = std::env::var_os("GRAPH_DOCS").map(PathBuf::from).unwrap_or_else(|| root().join("../shared/graph-docs"));
    path.is_dir().then_some(path)
}

/// Coverage targets of the corpus, in percent.
const MIN_API_COVERAGE: f64 = 99.5;
const MIN_RESOURCE_COVERAGE: f64 = 99.5;

fn corpus() -> Result<(), String> {
    let Some(docs) = graph_docs() else {
        eprintln!("corpus step SKIPPED: no docs at $GRAPH_DOCS or ../shared/graph-docs");
        return Ok(());
    };
    let corpus_dir = root().join("target/corpus");
    for (version, crate_name) in [("v1.0", "graph-sdk-v1"), ("beta", "graph-sdk-beta")] {
        let sources = docgen::source::read_docs(&docs.join(version)).map_err(|e| e.to_string())?;
        let options = EmitOptions {
            crate_name: crate_name.into(),
            base_url: format!("https://graph.microsoft.com/{version}"),
            runtime_path: "../../../runtime".into(),
            standalone: true,
            docs_label: format!("graph-docs/{version}"),
            features: true,
        };
        let generated = docgen::generate(&sources, &options).map_err(|e| e.to_string())?;
        let report = docgen::report::build(&generated.ir, &generated.space, &generated.diagnostics);
        check_coverage(version, &report)?;
        let out = corpus_dir.join(version);
        docgen::output::write(&out, &generated.files).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        eprintln!("{version}: {} files, {} areas", generated.files.len(), generated.space.areas.len());
    }
    // One target folder for both crates, so the runtime and its dependencies build once.
    let target = root().join("target/corpus-target");
    let target = target.to_string_lossy();
    let env = [("CARGO_TARGET_DIR", target.as_ref()), ("RUSTFLAGS", "-D warnings")];
    for version in ["v1.0", "beta"] {
        let started = std::time::Instant::now();
        cargo_in(&corpus_dir.join(version), &["check", "--quiet", "--all-features"], &env)?;
        eprintln!("{version}: cargo check --all-features took {:.1} s", started.elapsed().as_secs_f64());
    }
    let started = std::time::Instant::now();
    cargo_in(&corpus_dir.join("v1.0"), &["check", "--quiet", "--no-default-features", "--features", "users"], &env)?;
    eprintln!("v1.0: cargo check --features users took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn check_coverage(version: &str, report: &docgen::report::Report) -> Result<(), String> {
    let percent = |part: usize, whole: usize| if whole == 0 { 100.0 } else { part as f64 * 100.0 / whole as f64 };
    let api = percent(report.api_pages_with_operations, report.api_pages_with_request);
    let resources = percent(report.resource_pages_with_model, report.resource_pages);
    eprintln!(
        "{version}: {api:.2}% of api pages with a request block produce operations, {resources:.2}% of resource pages a model, {}/{} enum pages an enum; {} of {} type references fell back to serde_json::Value",
        report.enum_pages_with_enum, report.enum_pages, report.fallback_types, report.type_references
    );
    if api < MIN_API_COVERAGE || resources < MIN_RESOURCE_COVERAGE || report.enum_pages_with_enum < report.enum_pages {
        for skipped in &report.skipped {
            eprintln!("  skipped {}:{}: {}", skipped.file, skipped.line, skipped.reason);
        }
        return Err(format!("{version}: coverage below target"));
    }
    Ok(())
}

/// The benchmark needs the release binary (it measures one `docgen gen`
/// process for peak memory), then runs the criterion-free bench target.
fn bench() -> Result<(), String> {
    cargo(&["build", "--release", "--quiet", "-p", "docgen"])?;
    cargo(&["bench", "--quiet", "-p", "docgen", "--bench", "pipeline"])
}

fn ci() -> Result<(), String> {
    // The generated crate is formatted by prettyplease, not rustfmt.
    cargo(&["fmt", "--check", "-p", "docgen", "-p", "graph-runtime", "-p", "xtask", "-p", "docgen-tests"])?;
    check()?;
    cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    cargo(&["test", "--workspace"])?;
    corpus()
}
