//! `cargo xtask bench consumer`: what depending on the generated crate costs
//! the consumer's build, next to graph-rs-sdk measured in the same run.
//!
//! Three small applications do the same thing (build a client and one users
//! request, and compile the call that sends it) with:
//! - the generated v1.0 crate with one area (`--no-default-features
//!   --features users`),
//! - the same crate with every area (`full`),
//! - graph-rs-sdk 3.0.1 from crates.io (with rustls, as our runtime).
//!
//! Each is built with `cargo build` (the dev profile) from an empty target
//! folder of its own, dependencies fetched beforehand (the download is not
//! timed) and no incremental state, as a crate from a registry is built.
//! graph-rs-sdk is fetched by cargo into its registry at run time; none of
//! its code is in this repository. Builds take minutes: `--runs N` repeats
//! the three, interleaved, to show the spread on a shared machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{corpus_crate, generate_corpus, graph_docs, root};

/// The version of graph-rs-sdk measured against.
const GRAPH_RS_SDK: &str = "3.0.1";

/// One application of the benchmark: its folder name, what it depends on,
/// its `main.rs`, and the SDK's own packages (rebuilt alone afterwards, to
/// tell the SDK's share from the dependencies both SDKs share).
struct App {
    name: &'static str,
    label: String,
    dependency: String,
    main: &'static str,
    sdk_packages: &'static [&'static str],
}

/// The generated crate and the runtime it is built on.
const OURS: &[&str] = &["graph-sdk-v1", "graph-runtime"];

/// Ours: a client, a users request (an action on a user: both areas have it),
/// inspected, and the call that sends it compiled into a boxed future.
const OURS_MAIN: &str = r#"use std::future::Future;
use std::pin::Pin;

use graph_sdk_v1::GraphClient;

fn main() {
    let client = GraphClient::with_token("token");
    let request = client.users().by_id("8c4f0a0e").revoke_sign_in_sessions();
    println!("{} {}", request.method(), request.path());
    // Compiled, not run: the benchmark has no network.
    let call: Pin<Box<dyn Future<Output = _>>> = Box::pin(request.send());
    drop(call);
}
"#;

/// graph-rs-sdk: the same request, the same way.
const THEIRS_MAIN: &str = r#"use std::future::Future;
use std::pin::Pin;

use graph_rs_sdk::GraphClient;

fn main() {
    let client = GraphClient::new("token");
    let request = client.user("8c4f0a0e").revoke_sign_in_sessions();
    // Compiled, not run: the benchmark has no network.
    let call: Pin<Box<dyn Future<Output = _>>> = Box::pin(request.send());
    drop(call);
}
"#;

pub fn bench(args: &[String]) -> Result<(), String> {
    let runs: usize = match args {
        [] => 1,
        [flag, n] if flag == "--runs" => n.parse().map_err(|_| format!("--runs takes a number, not `{n}`"))?,
        _ => return Err("usage: cargo xtask bench consumer [--runs N]".into()),
    };
    let Some(docs) = graph_docs() else {
        eprintln!("consumer benchmark SKIPPED: no docs at $GRAPH_DOCS or ../shared/graph-docs");
        return Ok(());
    };
    generate_corpus(&docs, &["v1.0"])?;
    let generated = corpus_crate("v1.0");
    let path = generated.to_string_lossy().into_owned();
    let apps = [
        App {
            name: "generated-users",
            label: "graph-sdk-v1, one area (users)".into(),
            dependency: format!(
                "graph-sdk-v1 = {{ path = {path:?}, default-features = false, features = [\"users\"] }}"
            ),
            main: OURS_MAIN,
            sdk_packages: OURS,
        },
        App {
            name: "generated-full",
            label: "graph-sdk-v1, every area (full)".into(),
            dependency: format!("graph-sdk-v1 = {{ path = {path:?}, features = [\"full\"] }}"),
            main: OURS_MAIN,
            sdk_packages: OURS,
        },
        App {
            name: "graph-rs-sdk",
            label: format!("graph-rs-sdk {GRAPH_RS_SDK}"),
            dependency: format!(
                "graph-rs-sdk = {{ version = \"={GRAPH_RS_SDK}\", default-features = false, features = [\"rustls-tls\"] }}"
            ),
            main: THEIRS_MAIN,
            sdk_packages: &["graph-rs-sdk", "graph-http", "graph-core", "graph-oauth", "graph-error"],
        },
    ];
    let bench_dir = root().join("target/consumer-bench");
    for app in &apps {
        write_app(&bench_dir.join(app.name), app)?;
        cargo(&bench_dir.join(app.name), &["fetch", "--quiet"])?;
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); apps.len()];
    let mut sdk_times: Vec<Vec<Duration>> = vec![Vec::new(); apps.len()];
    for run in 1..=runs {
        for ((app, times), sdk_times) in apps.iter().zip(&mut times).zip(&mut sdk_times) {
            let dir = bench_dir.join(app.name);
            let _ = std::fs::remove_dir_all(dir.join("target"));
            let started = Instant::now();
            cargo(&dir, &["build", "--quiet", "--offline"])?;
            times.push(started.elapsed());
            // The SDK's packages again, every other dependency built.
            let mut clean = vec!["clean", "--quiet", "--offline"];
            clean.extend(app.sdk_packages.iter().flat_map(|package| ["-p", package]));
            cargo(&dir, &clean)?;
            let sdk_started = Instant::now();
            cargo(&dir, &["build", "--quiet", "--offline"])?;
            sdk_times.push(sdk_started.elapsed());
            eprintln!(
                "run {run}: {} built in {:.1} s, its SDK packages alone in {:.1} s",
                app.label,
                times.last().copied().unwrap_or_default().as_secs_f64(),
                sdk_started.elapsed().as_secs_f64()
            );
        }
    }
    let lines = GeneratedLines::count(&generated)?;
    let their_lines = registry_lines(&bench_dir.join("graph-rs-sdk"))?;
    // Of an even count, the mean of the middle two.
    let median = |times: &[Duration]| {
        let mut sorted = times.to_vec();
        sorted.sort();
        let middle = sorted.len() / 2;
        if sorted.len().is_multiple_of(2) { (sorted[middle - 1] + sorted[middle]) / 2 } else { sorted[middle] }
    };
    let spread = |times: &[Duration]| {
        let fastest = times.iter().min().copied().unwrap_or_default().as_secs_f64();
        let slowest = times.iter().max().copied().unwrap_or_default().as_secs_f64();
        if times.len() > 1 { format!(" (runs {fastest:.1}-{slowest:.1} s)") } else { String::new() }
    };
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(f64::EPSILON);
    println!(
        "consumer build: `cargo build` (dev profile) of a small application, each from an empty target folder, \
         dependencies fetched, {runs} run(s), median; then its SDK's own packages alone, everything else built"
    );
    let (theirs, theirs_sdk) = (median(&times[2]), median(&sdk_times[2]));
    for (index, app) in apps.iter().enumerate() {
        let (time, sdk) = (median(&times[index]), median(&sdk_times[index]));
        let versus = if index == 2 { String::new() } else { format!(" = {:.2}x", ratio(time, theirs)) };
        println!(
            "  {:<34}{:>7.1} s{versus:<8}  SDK alone {:>6.1} s{}{}",
            app.label,
            time.as_secs_f64(),
            sdk.as_secs_f64(),
            if index == 2 { String::new() } else { format!(" = {:.2}x", ratio(sdk, theirs_sdk)) },
            spread(&times[index])
        );
    }
    println!(
        "  packages rebuilt as \"SDK alone\": ours {}; graph-rs-sdk's {}",
        OURS.join(", "),
        apps[2].sdk_packages.join(", ")
    );
    println!("  targets: one area under 0.33x graph-rs-sdk's time, every area under 1x");
    println!(
        "  generated crate: {} lines of Rust outside its tests ({} in the files `users` compiles; items within \
         are gated further), tests {} more; largest: {}",
        lines.library, lines.users, lines.tests, lines.largest
    );
    println!("  graph-rs-sdk's own crates: {their_lines}");
    Ok(())
}

fn write_app(dir: &Path, app: &App) -> Result<(), String> {
    let manifest = format!(
        "[package]\nname = \"consumer-{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{}\n\n[workspace]\n",
        app.name, app.dependency
    );
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/main.rs"), app.main).map_err(|e| e.to_string())
}

/// `cargo <args>` in `dir`, with a target folder of its own and without
/// incremental state.
fn cargo(dir: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed in {}", args.join(" "), dir.display())) }
}

/// Lines of the generated crate's Rust.
struct GeneratedLines {
    /// Outside the test files (`example_tests`, `representation_tests.rs`).
    library: usize,
    tests: usize,
    /// In the files a build with only `users` compiles: those whose module
    /// is not gated, or gated on a set of areas that holds `users`.
    users: usize,
    /// The largest file and its lines.
    largest: String,
}

impl GeneratedLines {
    fn count(crate_dir: &Path) -> Result<GeneratedLines, String> {
        let mut files = Vec::new();
        rust_files(&crate_dir.join("src"), &mut files)?;
        let gated = module_gates(crate_dir)?;
        let (mut library, mut tests, mut users) = (0, 0, 0);
        let mut largest = (0, String::new());
        for file in &files {
            let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let lines = text.lines().count();
            let relative = file.strip_prefix(crate_dir).unwrap_or(file).to_string_lossy().replace('\\', "/");
            if relative.contains("example_tests") || relative.ends_with("representation_tests.rs") {
                tests += lines;
                continue;
            }
            library += lines;
            if gated.get(&relative).is_none_or(|areas| areas.iter().any(|a| a == "users")) {
                users += lines;
            }
            if lines > largest.0 {
                largest = (lines, relative);
            }
        }
        Ok(GeneratedLines { library, tests, users, largest: format!("{} ({} lines)", largest.1, largest.0) })
    }
}

/// The areas each module file of `src/models` and `src/requests` is gated
/// on, read from the `#[cfg(feature …)]` before its `pub mod` line.
fn module_gates(crate_dir: &Path) -> Result<std::collections::HashMap<String, Vec<String>>, String> {
    let mut gates = std::collections::HashMap::new();
    for folder in ["models", "requests"] {
        let list = crate_dir.join("src").join(folder).join("mod.rs");
        let text = std::fs::read_to_string(&list).map_err(|e| format!("cannot read {}: {e}", list.display()))?;
        let mut pending: Option<Vec<String>> = None;
        let mut attribute = String::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[cfg(") || !attribute.is_empty() {
                attribute.push_str(line);
                if attribute.ends_with(")]") {
                    let areas = attribute.split("feature = \"").skip(1).filter_map(|s| s.split('"').next());
                    pending = Some(areas.map(str::to_string).collect());
                    attribute.clear();
                }
            } else if let Some(module) = line.strip_prefix("pub mod ").and_then(|m| m.strip_suffix(';')) {
                if let Some(areas) = pending.take() {
                    gates.insert(format!("src/{folder}/{module}.rs"), areas);
                }
            } else if !line.starts_with("#[") && !line.starts_with("//") && !line.is_empty() {
                pending = None;
            }
        }
    }
    Ok(gates)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Lines of Rust in graph-rs-sdk and its `graph-*` crates, as cargo
/// fetched them (found through `cargo metadata` of the application).
fn registry_lines(app: &Path) -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--quiet"])
        .current_dir(app)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let mut parts = Vec::new();
    let empty = Vec::new();
    for package in metadata["packages"].as_array().unwrap_or(&empty) {
        let name = package["name"].as_str().unwrap_or_default();
        if !(name == "graph-rs-sdk" || name.starts_with("graph-")) {
            continue;
        }
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap_or_default());
        let mut files = Vec::new();
        if let Some(src) = manifest.parent().map(|p| p.join("src")) {
            rust_files(&src, &mut files)?;
        }
        let lines: usize =
            files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).map(|t| t.lines().count()).sum();
        parts.push(format!("{name} {} lines", lines));
    }
    parts.sort();
    Ok(parts.join(", "))
}
