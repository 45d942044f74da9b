//! `cargo xtask <command>`: the project's automation, as an ordinary binary
//! (the cargo-xtask convention). It calls the generator as a library.
//!
//! - `gen`: regenerate `generated/` from `docs-input/`.
//! - `check`: fail with a diff when `generated/` is not what `gen` would write.
//! - `corpus`: generate the crates of the real docs (v1.0 and beta, every
//!   area behind a feature), check the coverage targets and `cargo check` both.
//! - `bench [pipeline|process]`: the pipeline benchmark on the real docs
//!   (medians next to the floor measured in the same run, and peak memory):
//!   the library in one process, and whole `docgen gen` processes as a user
//!   runs them; both without an argument.
//! - `bench versus PATH`: this build's `docgen gen` against another build's
//!   executable, interleaved on one copy of beta (one page changed, nothing
//!   changed, cold).
//! - `bench consumer [--runs N] [--per-area]`: the build of a small
//!   application on the generated v1.0 crate (one area, every area), on the
//!   runtime alone, and on graph-rs-sdk; with `--per-area`, the generated
//!   crate's lines and build time for each area alone.
//! - `contract`: generate the v1.0 corpus crate, run its contract tests (each
//!   documented request/response pair against a local server) and report
//!   generated, passed, failed (by page, with the reason) and skipped.
//! - `roundtrip [v1.0|beta]`: generate a corpus crate and run its round-trip
//!   tests (each resource page's JSON representation and each response
//!   example decoded into its type and encoded again); report pass rates and
//!   failures by page, and check the targets. Both versions without an argument.
//! - `fidelity`: how faithful what docgen reads from the real docs is to the
//!   service's own metadata (`../shared/metadata`): per version, the types
//!   found, property recall and precision, type and base agreement, and the
//!   operations whose path the metadata reaches; fails below the floors.
//! - `ci`: everything CI runs: formatting, the drift check, clippy, every test,
//!   the corpus step, the fidelity report, the v1.0 contract tests and the
//!   round trips of both versions.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;

use docgen::emit::EmitOptions;

mod consumer;
mod round_trip;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => generate(),
        Some("check") => check(),
        Some("corpus") => corpus(),
        Some("bench") => match args.get(1).map(String::as_str) {
            Some("consumer") => consumer::bench(&args[2..]),
            part @ (None | Some("pipeline" | "process")) => bench(part.into_iter().collect()),
            Some("versus") => match args.get(2) {
                Some(other) => bench(vec!["versus", other.as_str()]),
                None => Err("usage: cargo xtask bench versus PATH (another build of docgen)".to_string()),
            },
            Some(other) => Err(format!("unknown benchmark `{other}`: use pipeline, process, versus or consumer")),
        },
        Some("ci") => ci(),
        Some("contract") => contract(),
        Some("fidelity") => fidelity(),
        Some("roundtrip") => match args.get(1).map(String::as_str) {
            None => VERSIONS.iter().try_for_each(|version| round_trip::run(version)),
            Some(version @ ("v1.0" | "beta")) => round_trip::run(version),
            Some(other) => Err(format!("unknown docs version `{other}`: use v1.0 or beta")),
        },
        _ => Err(
            "usage: cargo xtask <gen|check|corpus|bench [pipeline|process|versus PATH|consumer]|ci|contract|fidelity|roundtrip [v1.0|beta]>"
                .to_string(),
        ),
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

/// `generated/` from `docs-input/`, through the disk cache `docgen gen`
/// keeps (in `target/docgen-cache/generated`): a run after one page changed
/// rebuilds only what that page touches; one after none builds nothing.
fn generated(cache: &docgen::Cache) -> Result<docgen::Persisted, String> {
    let sources = docgen::source::read_docs(&root().join("docs-input")).map_err(|e| e.to_string())?;
    let dir = root().join("target/docgen-cache/generated");
    docgen::generate_persisted(&sources, &options(), cache, &dir, Some(&root().join("generated")), &())
        .map_err(|e| e.to_string())
}

fn generate() -> Result<(), String> {
    let cache = docgen::Cache::default();
    let generated = generated(&cache)?;
    report(generated.diagnostics());
    let Some(files) = generated.files() else {
        eprintln!("generated/: 0 written, {} unchanged, 0 removed ({})", generated.file_count(), generated.reuse);
        return Ok(());
    };
    let out = root().join("generated");
    let (summary, stored) = generated.store_while(&cache, || docgen::output::write(&out, files));
    let summary = summary.map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!(
        "generated/: {} written, {} unchanged, {} removed ({})",
        summary.written, summary.unchanged, summary.removed, generated.reuse
    );
    if let Err(error) = stored {
        eprintln!("warning: the cache is not kept: {error}");
    }
    Ok(())
}

fn check() -> Result<(), String> {
    let generated = generated(&docgen::Cache::default())?;
    let Some(files) = generated.files() else {
        eprintln!("generated/ is up to date ({} files, {})", generated.file_count(), generated.reuse);
        return Ok(());
    };
    let out = root().join("generated");
    let drift = docgen::output::check(&out, files).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    if drift.is_empty() {
        eprintln!("generated/ is up to date ({} files)", files.len());
        return Ok(());
    }
    for item in &drift {
        eprintln!("{item}");
    }
    Err(format!("{} file(s) in generated/ differ from docs-input/: run `cargo xtask gen`", drift.len()))
}

fn report(diagnostics: &[docgen::diagnostics::Diagnostic]) {
    for diagnostic in diagnostics {
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
    // Both versions side by side through one cache: what v1.0 and beta
    // print the same way is printed once.
    let all = generate_corpus(&docs, &VERSIONS)?;
    for (version, generated) in VERSIONS.iter().zip(all) {
        let report = docgen::report::build(&generated.ir, &generated.space, &generated.diagnostics);
        check_coverage(version, &report)?;
        eprintln!("{version}: {} files, {} areas", generated.files.len(), generated.space.areas.len());
    }
    let env = corpus_cargo_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
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

/// The environment of every cargo run on a corpus crate (check and test alike,
/// so they share one build of the runtime and its dependencies):
/// - one target folder for both crates;
/// - warnings are errors: generated code must compile cleanly;
/// - no incremental state and no debug info: each corpus build is one-shot.
///   With them, a clean CI run's corpus target was 8.4 GB (6.5 GB of it
///   incremental state) and a CI machine short of disk killed the beta test
///   link (lld: bus error); without them it is 0.95 GB.
fn corpus_cargo_env() -> [(&'static str, String); 4] {
    [
        ("CARGO_TARGET_DIR", root().join("target/corpus-target").to_string_lossy().into_owned()),
        ("RUSTFLAGS", "-D warnings".into()),
        ("CARGO_INCREMENTAL", "0".into()),
        ("CARGO_PROFILE_DEV_DEBUG", "0".into()),
    ]
}

/// The docs versions, each generated into `target/corpus/<version>`.
const VERSIONS: [&str; 2] = ["v1.0", "beta"];

/// Generates the crate of each docs version, every area behind a feature,
/// into `target/corpus/<version>`: the versions side by side through one
/// cache (`docgen::generate_all`), results in the order given.
fn generate_corpus(docs: &Path, versions: &[&str]) -> Result<Vec<Arc<docgen::Generated>>, String> {
    let sources = versions
        .iter()
        .map(|version| docgen::source::read_docs(&docs.join(version)).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, String>>()?;
    let options: Vec<EmitOptions> = versions.iter().map(|version| corpus_options(version)).collect();
    let crates: Vec<(&[docgen::source::SourceFile], &EmitOptions)> =
        sources.iter().map(Vec::as_slice).zip(&options).collect();
    let mut all = Vec::new();
    for (version, generated) in versions.iter().zip(docgen::generate_all(&crates, &docgen::Cache::default())) {
        let generated = generated.map_err(|e| format!("{version}: {e}"))?;
        let out = corpus_crate(version);
        docgen::output::write(&out, &generated.files).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        all.push(generated);
    }
    Ok(all)
}

fn corpus_options(version: &str) -> EmitOptions {
    EmitOptions {
        crate_name: if version == "v1.0" { "graph-sdk-v1".into() } else { format!("graph-sdk-{version}") },
        base_url: format!("https://graph.microsoft.com/{version}"),
        runtime_path: "../../../runtime".into(),
        standalone: true,
        docs_label: format!("graph-docs/{version}"),
        features: true,
    }
}

fn corpus_crate(version: &str) -> PathBuf {
    root().join("target/corpus").join(version)
}

/// `part` of `whole` in percent; 100 when there is nothing to count.
fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 100.0 } else { part as f64 * 100.0 / whole as f64 }
}

/// A string field of a manifest entry, empty when absent.
fn field(entry: &serde_json::Value, key: &str) -> String {
    entry[key].as_str().unwrap_or_default().to_string()
}

/// A JSON file the generator wrote (the test manifests).
fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn check_coverage(version: &str, report: &docgen::report::Report) -> Result<(), String> {
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

/// The pipeline benchmark, or one of its parts and its argument (cargo
/// builds the `docgen` binary it runs as whole processes along with it).
fn bench(part: Vec<&str>) -> Result<(), String> {
    let mut args = vec!["bench", "--quiet", "-p", "docgen", "--bench", "pipeline"];
    if !part.is_empty() {
        args.push("--");
        args.extend(part);
    }
    cargo(&args)
}

fn ci() -> Result<(), String> {
    // The generated crate is formatted by prettyplease, not rustfmt.
    cargo(&["fmt", "--check", "-p", "docgen", "-p", "graph-runtime", "-p", "xtask", "-p", "docgen-tests"])?;
    check()?;
    cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    // The workspace unifies features (graph-sdk's tests turn on the runtime's
    // `testing`); generated crates use the runtime without it, so lint that too.
    cargo(&["clippy", "-p", "graph-runtime", "--lib", "--no-default-features", "--", "-D", "warnings"])?;
    // Nothing in the workspace turns on the runtime's optional `azure`
    // feature: lint and test the runtime with every feature on its own.
    cargo(&["clippy", "-p", "graph-runtime", "--all-targets", "--all-features", "--", "-D", "warnings"])?;
    cargo(&["test", "--workspace"])?;
    cargo(&["test", "-p", "graph-runtime", "--all-features"])?;
    // Doc links that point nowhere fail: the module docs are the map of the code.
    cargo_in(
        &root(),
        &["doc", "--quiet", "--no-deps", "-p", "docgen", "-p", "graph-runtime", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    corpus()?;
    fidelity()?;
    contract()?;
    VERSIONS.iter().try_for_each(|version| round_trip::run(version))
}

/// The service's metadata of the corpus's weeks: `GRAPH_METADATA`, else
/// `../shared/metadata` next to the workspace.
fn graph_metadata() -> Option<PathBuf> {
    let path =
        std::env::var_os("GRAPH_METADATA").map(PathBuf::from).unwrap_or_else(|| root().join("../shared/metadata"));
    path.is_dir().then_some(path)
}

/// The fidelity floors, in percent, per version, in the order
/// `Fidelity::figures` prints them: types found, property recall, property
/// precision, type agreement, base agreement, operations reached. Each is
/// the figure measured when it was set, to two decimals (a figure that
/// prints the same passes); what remains below
/// 100 is the docs' own disagreement with the metadata (see
/// `docgen lint --metadata`).
const FIDELITY_FLOORS: [(&str, [f64; 6]); 2] =
    [("v1.0", [94.13, 97.13, 99.55, 99.64, 82.58, 96.29]), ("beta", [86.78, 96.91, 99.46, 99.01, 68.60, 93.16])];

fn fidelity() -> Result<(), String> {
    let (Some(docs), Some(metadata)) = (graph_docs(), graph_metadata()) else {
        eprintln!(
            "fidelity step SKIPPED: no docs at $GRAPH_DOCS or ../shared/graph-docs, or no metadata at $GRAPH_METADATA or ../shared/metadata"
        );
        return Ok(());
    };
    let mut below = Vec::new();
    for (version, floors) in FIDELITY_FLOORS {
        let sources = docgen::source::read_docs(&docs.join(version)).map_err(|e| e.to_string())?;
        let meta = docgen::metadata::Metadata::read(&metadata.join(format!("{version}.csdl.xml")))?;
        let (ir, _) = docgen::extract(&sources);
        let (space, _) = docgen::resolve::resolve(&ir);
        let (fidelity, diagnostics) = docgen::metadata::check(&ir, &space, &meta);
        eprintln!(
            "{version} against its metadata ({} disagreements; `docgen lint --metadata` lists them):",
            diagnostics.len()
        );
        eprint!("{}", fidelity.to_text());
        for ((name, figure), floor) in fidelity.figures().into_iter().zip(floors) {
            if figure < floor - 0.005 {
                below.push(format!("{version} {name} {figure:.2}% < {floor}%"));
            }
        }
    }
    if below.is_empty() { Ok(()) } else { Err(format!("fidelity below its floor: {}", below.join(", "))) }
}

/// Contract-test targets for the v1.0 corpus crate, in percent: pages with a
/// usable example pair that get a contract test, and tests that pass.
const MIN_CONTRACT_PAGES: f64 = 90.0;
const MIN_CONTRACT_PASSING: f64 = 95.0;

/// Generates the v1.0 corpus crate, runs its tests with every feature on and
/// reports the contract tests against `contract-tests.json`, the list the
/// generator writes of the tests it made and the examples it skipped.
fn contract() -> Result<(), String> {
    let Some(docs) = graph_docs() else {
        eprintln!("contract step SKIPPED: no docs at $GRAPH_DOCS or ../shared/graph-docs");
        return Ok(());
    };
    let started = std::time::Instant::now();
    generate_corpus(&docs, &["v1.0"])?;
    let out = corpus_crate("v1.0");
    let manifest = read_json(&out.join("contract-tests.json"))?;
    eprintln!("v1.0: generated in {:.1} s", started.elapsed().as_secs_f64());

    let test_started = std::time::Instant::now();
    let run = run_corpus_tests(&out, None)?;
    let test_time = test_started.elapsed().as_secs_f64();

    let text = contract_report(&manifest, &run);
    let report_path = root().join("target/corpus/v1.0-contract-report.txt");
    std::fs::write(&report_path, &text.report).map_err(|e| format!("cannot write {}: {e}", report_path.display()))?;
    eprint!("{}", text.report);
    eprintln!(
        "v1.0: cargo test took {test_time:.1} s, the whole step {:.1} s; report in {}",
        started.elapsed().as_secs_f64(),
        report_path.display()
    );
    if text.pages_percent < MIN_CONTRACT_PAGES || text.passing_percent < MIN_CONTRACT_PASSING {
        return Err(format!(
            "v1.0 contract tests below target: {:.1}% of pages (want {MIN_CONTRACT_PAGES}%), {:.1}% passing (want {MIN_CONTRACT_PASSING}%)",
            text.pages_percent, text.passing_percent
        ));
    }
    Ok(())
}

/// Runs the library tests of a corpus crate (those whose name contains
/// `filter`, if given) with every feature on, in the environment of
/// `corpus_cargo_env`, so the runtime and its dependencies are shared.
/// `--lib`: the tests live in the library; its doc comments are
/// documentation, not doctests. Failing tests are results, not an error.
fn run_corpus_tests(crate_dir: &Path, filter: Option<&str>) -> Result<TestRun, String> {
    let mut args = vec!["test", "--all-features", "--lib", "--no-fail-fast"];
    if let Some(filter) = filter {
        args.extend(["--", filter]);
    }
    eprintln!("$ cargo {}  (in {})", args.join(" "), crate_dir.display());
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(&args)
        .current_dir(crate_dir)
        .envs(corpus_cargo_env())
        // Panic messages are the failure reasons; backtraces would bury them.
        .env("RUST_BACKTRACE", "0")
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !stdout.contains("test result:") {
        return Err(format!("`cargo test` in {} did not run the tests (build failed?)", crate_dir.display()));
    }
    Ok(TestRun::parse(&stdout))
}

/// Outcomes of one `cargo test` run, by test name without its module path.
struct TestRun {
    outcomes: std::collections::HashMap<String, bool>,
    /// The panic message of each failed test.
    messages: std::collections::HashMap<String, String>,
}

impl TestRun {
    /// Reads libtest's plain output: `test a::b ... ok` lines, then a
    /// `---- a::b stdout ----` section per failure with the panic message.
    fn parse(stdout: &str) -> TestRun {
        let short = |name: &str| name.rsplit("::").next().unwrap_or(name).to_string();
        let mut outcomes = std::collections::HashMap::new();
        for line in stdout.lines() {
            if let Some((name, outcome)) = line.strip_prefix("test ").and_then(|rest| rest.split_once(" ... ")) {
                match outcome.trim() {
                    "ok" => outcomes.insert(short(name), true),
                    "FAILED" => outcomes.insert(short(name), false),
                    _ => None,
                };
            }
        }
        let mut messages = std::collections::HashMap::new();
        let mut lines = stdout.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(name) = line.strip_prefix("---- ").and_then(|rest| rest.strip_suffix(" stdout ----")) else {
                continue;
            };
            let mut message = Vec::new();
            let mut in_panic = false;
            while let Some(next) = lines.peek() {
                if next.starts_with("---- ") || next.starts_with("failures:") {
                    break;
                }
                let next = lines.next().unwrap_or_default();
                if next.starts_with("thread '") && next.contains("panicked at") {
                    in_panic = true;
                } else if next.starts_with("note: ") || next.is_empty() {
                    in_panic = false;
                } else if in_panic {
                    message.push(next.trim());
                }
            }
            messages.insert(short(name), message.join(" "));
        }
        TestRun { outcomes, messages }
    }
}

struct ContractReport {
    report: String,
    pages_percent: f64,
    passing_percent: f64,
}

/// What a failure message says went wrong, for the counts by reason.
fn failure_kind(message: &str) -> &'static str {
    const KINDS: [(&str, &str); 8] = [
        ("the request differs from the documented", "the request sent differs from the documented one"),
        ("never reached the server", "the request was not sent"),
        ("invalid type: unit value", "the documented response has no body, the operation expects one"),
        ("call failed: could not decode", "the documented response does not decode"),
        ("call failed: HTTP", "the server refused the request"),
        ("differs from the documented response", "the decoded answer differs from the documented response"),
        ("could not decode `", "the documented request body does not decode"),
        ("call failed", "the call failed otherwise"),
    ];
    KINDS.iter().find(|(needle, _)| message.contains(needle)).map(|(_, kind)| *kind).unwrap_or("other panic")
}

fn contract_report(manifest: &serde_json::Value, run: &TestRun) -> ContractReport {
    use std::collections::{BTreeMap, BTreeSet};
    use std::fmt::Write as _;
    let empty = Vec::new();
    let tests = manifest["tests"].as_array().unwrap_or(&empty);
    let skipped = manifest["skipped_examples"].as_array().unwrap_or(&empty);

    let mut usable_pages = BTreeSet::new();
    let mut covered_pages = BTreeSet::new();
    let (mut passed, mut not_run) = (0, 0);
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut failure_kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut contract_names = BTreeSet::new();
    for test in tests {
        let (name, page) = (field(test, "test"), field(test, "page"));
        usable_pages.insert(page.clone());
        covered_pages.insert(page.clone());
        contract_names.insert(name.clone());
        match run.outcomes.get(&name) {
            Some(true) => passed += 1,
            Some(false) => {
                let message = run.messages.get(&name).cloned().unwrap_or_default();
                *failure_kinds.entry(failure_kind(&message)).or_default() += 1;
                let short: String = message.chars().take(300).collect();
                failures.push((format!("{page}:{}", test["line"]), format!("{name}: {short}")));
            }
            None => not_run += 1,
        }
    }
    let mut skip_reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut usable_skips: Vec<String> = Vec::new();
    for skip in skipped {
        *skip_reasons.entry(field(skip, "reason")).or_default() += 1;
        if skip["usable_pair"].as_bool() == Some(true) {
            usable_pages.insert(field(skip, "page"));
            usable_skips.push(format!(
                "{}:{}: {} {}",
                field(skip, "page"),
                skip["line"],
                field(skip, "reason"),
                field(skip, "detail")
            ));
        }
    }
    let other_failures = run.outcomes.iter().filter(|(name, ok)| !**ok && !contract_names.contains(*name)).count();
    let other_tests = run.outcomes.keys().filter(|name| !contract_names.contains(*name)).count();

    let pages_percent = percent(covered_pages.len(), usable_pages.len());
    let passing_percent = percent(passed, tests.len());
    let mut r = String::new();
    let _ = writeln!(r, "v1.0 contract tests ({} examples on operations):", manifest["examples"]);
    let _ = writeln!(
        r,
        "  pages with a usable example pair: {}, with a contract test: {} ({pages_percent:.1}%)",
        usable_pages.len(),
        covered_pages.len()
    );
    let _ = writeln!(
        r,
        "  generated {}, passed {passed} ({passing_percent:.1}%), failed {}, not run {not_run}",
        tests.len(),
        failures.len()
    );
    let _ = writeln!(r, "  failed by reason:");
    for (kind, count) in &failure_kinds {
        let _ = writeln!(r, "    {count:5}  {kind}");
    }
    let _ = writeln!(r, "  skipped {} examples, by reason:", skipped.len());
    for (reason, count) in &skip_reasons {
        let _ = writeln!(r, "    {count:5}  {reason}");
    }
    let _ =
        writeln!(r, "  other generated tests (round trips, built requests): {other_tests}, failed {other_failures}");
    let _ = writeln!(r, "failures, by page:");
    failures.sort();
    for (at, what) in &failures {
        let _ = writeln!(r, "  {at}  {what}");
    }
    let _ = writeln!(r, "skipped examples whose pair was usable (the generator's shortfall):");
    for line in &usable_skips {
        let _ = writeln!(r, "  {line}");
    }
    ContractReport { report: r, pages_percent, passing_percent }
}
