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
//! A fourth builds the same request on the runtime alone (no generated
//! crate): the floor any SDK built on this runtime starts from.
//! `--per-area` then builds the generated crate alone with each area in
//! turn (everything else built) and prints its lines and time per area.
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

/// The runtime alone: the same request, its path spelled out by hand.
const RUNTIME_MAIN: &str = r#"use std::future::Future;
use std::pin::Pin;

use graph_runtime::{Client, Endpoint, Method};

fn main() {
    let client = Client::with_token("https://graph.microsoft.com/v1.0", "token");
    let users = Endpoint::root(client).segment("users").key("8c4f0a0e");
    let request = users.segment("revokeSignInSessions").empty(Method::POST);
    println!("{} {}", request.method(), request.path());
    // Compiled, not run: the benchmark has no network.
    let call: Pin<Box<dyn Future<Output = _>>> = Box::pin(request.send());
    drop(call);
}
"#;

/// One area's build: a client only (every area has it), so any area compiles.
const AREA_MAIN: &str = r#"use graph_sdk_v1::GraphClient;

fn main() {
    let client = GraphClient::with_token("token");
    println!("{}", client.client().base_url());
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

/// What `cargo xtask bench consumer` was asked for.
struct Args {
    runs: usize,
    per_area: bool,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let usage = || "usage: cargo xtask bench consumer [--runs N] [--per-area]".to_string();
    let mut parsed = Args { runs: 1, per_area: false };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                let n = args.next().ok_or_else(usage)?;
                parsed.runs = n.parse().map_err(|_| format!("--runs takes a number, not `{n}`"))?;
            }
            "--per-area" => parsed.per_area = true,
            _ => return Err(usage()),
        }
    }
    Ok(parsed)
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let Args { runs, per_area } = parse_args(args)?;
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
            name: "runtime-only",
            label: "graph-runtime alone (the floor)".into(),
            dependency: format!("graph-runtime = {{ path = {:?} }}", root().join("runtime").to_string_lossy()),
            main: RUNTIME_MAIN,
            sdk_packages: &["graph-runtime"],
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
    // graph-rs-sdk is the last application: every other is compared with it.
    let theirs_index = apps.len() - 1;
    let (theirs, theirs_sdk) = (median(&times[theirs_index]), median(&sdk_times[theirs_index]));
    for (index, app) in apps.iter().enumerate() {
        let (time, sdk) = (median(&times[index]), median(&sdk_times[index]));
        let versus = if index == theirs_index { String::new() } else { format!(" = {:.2}x", ratio(time, theirs)) };
        println!(
            "  {:<34}{:>7.1} s{versus:<8}  SDK alone {:>6.1} s{}{}",
            app.label,
            time.as_secs_f64(),
            sdk.as_secs_f64(),
            if index == theirs_index { String::new() } else { format!(" = {:.2}x", ratio(sdk, theirs_sdk)) },
            spread(&times[index])
        );
    }
    println!(
        "  packages rebuilt as \"SDK alone\": ours {}; graph-rs-sdk's {}",
        OURS.join(", "),
        apps[theirs_index].sdk_packages.join(", ")
    );
    println!("  targets: one area under 0.33x graph-rs-sdk's time, every area under 1x");
    println!(
        "  generated crate: {} lines of Rust outside its tests ({} in the files `users` compiles; items within \
         are gated further), tests {} more; largest: {}",
        lines.library, lines.users, lines.tests, lines.largest
    );
    println!("  graph-rs-sdk's own crates: {their_lines}");
    if per_area {
        areas(&bench_dir.join("generated-area"), &path, &generated, theirs_sdk)?;
    }
    Ok(())
}

/// Each area of the generated crate alone: its lines and how long the crate
/// takes to build with only that area, the runtime and every other
/// dependency already built (the first build, of `users`, builds them).
fn areas(dir: &Path, crate_path: &str, crate_dir: &Path, theirs_sdk: Duration) -> Result<(), String> {
    let areas = crate_areas(crate_dir)?;
    let lines = GeneratedLines::by_file(crate_dir)?;
    let app = |area: &str| App {
        name: "generated-area",
        label: format!("graph-sdk-v1, {area}"),
        dependency: format!(
            "graph-sdk-v1 = {{ path = {crate_path:?}, default-features = false, features = [{area:?}] }}"
        ),
        main: AREA_MAIN,
        sdk_packages: &["graph-sdk-v1"],
    };
    write_app(dir, &app("users"))?;
    cargo(dir, &["build", "--quiet", "--offline"])?;
    println!(
        "per area: the generated crate alone with one area (`--no-default-features --features <area>`), \
         every other dependency built; graph-rs-sdk's own packages took {:.1} s",
        theirs_sdk.as_secs_f64()
    );
    let mut rows = Vec::new();
    for area in &areas {
        write_app(dir, &app(area))?;
        cargo(dir, &["clean", "--quiet", "--offline", "-p", "graph-sdk-v1"])?;
        let started = Instant::now();
        cargo(dir, &["build", "--quiet", "--offline"])?;
        let time = started.elapsed();
        let area_lines = lines.in_area(area);
        println!("  {area:<30}{area_lines:>8} lines{:>7.1} s", time.as_secs_f64());
        rows.push((time, area_lines));
    }
    rows.sort();
    if let (Some(fastest), Some(slowest)) = (rows.first(), rows.last()) {
        println!(
            "  {} areas: fastest {:.1} s ({} lines), slowest {:.1} s ({} lines)",
            rows.len(),
            fastest.0.as_secs_f64(),
            fastest.1,
            slowest.0.as_secs_f64(),
            slowest.1
        );
    }
    Ok(())
}

/// The areas the generated crate's `full` feature turns on.
fn crate_areas(crate_dir: &Path) -> Result<Vec<String>, String> {
    let manifest = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let full = text.lines().find_map(|line| line.strip_prefix("full = ")).ok_or("the crate has no `full` feature")?;
    Ok(full.split('"').skip(1).step_by(2).map(str::to_string).collect())
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
    /// Compiled by a build with only `users` (see [`ByFile::in_area`]).
    users: usize,
    /// The largest file and its lines.
    largest: String,
}

/// Lines of each library file of the generated crate (the tests left out)
/// and the areas its module is gated on.
struct ByFile {
    /// Each file's path (relative to the crate) and text.
    files: Vec<(String, String)>,
    gates: std::collections::HashMap<String, Vec<String>>,
    tests: usize,
}

impl ByFile {
    /// Lines a build with only `area` compiles: of the files whose module is
    /// not gated, or gated on a set of areas that holds it, the lines
    /// [`lines_in_area`] keeps.
    fn in_area(&self, area: &str) -> usize {
        let compiled = |path: &String| self.gates.get(path).is_none_or(|areas| areas.iter().any(|a| a == area));
        self.files.iter().filter(|(path, _)| compiled(path)).map(|(_, text)| lines_in_area(text, area)).sum()
    }
}

/// Lines of `text` (a generated file, as prettyplease prints it) that a
/// build with only `area` compiles: an item behind a `#[cfg(...)]` that
/// names only other areas is left out with its docs and attributes. An
/// item ends on its first line when that ends in `;`, `,` or `}`, else on
/// the next line at its indentation that starts with `}` or `)` and does not
/// open a block. A `cfg` with `not` or `all` is counted as compiled.
fn lines_in_area(text: &str, area: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut count = 0;
    let mut at = 0;
    while at < lines.len() {
        let start = at;
        let mut excluded = false;
        let mut attribute = String::new();
        // Docs and attributes, up to the item's first line.
        while at < lines.len() {
            let line = lines[at].trim();
            if !attribute.is_empty() || line.starts_with("#[") {
                attribute.push_str(line);
                if attribute.ends_with(']') && attribute.matches('[').count() == attribute.matches(']').count() {
                    excluded |= cfg_excludes(&attribute, area);
                    attribute.clear();
                }
            } else if !line.starts_with("///") {
                break;
            }
            at += 1;
        }
        let Some(head) = lines.get(at) else { break };
        let mut end = at;
        let head = head.trim_end();
        if excluded && !(head.ends_with(';') || head.ends_with(',') || head.ends_with('}')) {
            let level = indent(head);
            end = (at + 1..lines.len())
                .find(|&i| {
                    let line = lines[i].trim_end();
                    indent(line) == level
                        && (line.trim_start().starts_with('}') || line.trim_start().starts_with(')'))
                        && !line.ends_with('{')
                })
                .unwrap_or(lines.len() - 1);
        }
        if !excluded {
            count += at + 1 - start;
        }
        at = end + 1;
    }
    count
}

/// Whether a `#[cfg(...)]` attribute leaves its item out of a build with
/// only `area`: it names areas, `area` is not among them, and it says
/// nothing else (`not`, `all`) that this reading would get wrong.
fn cfg_excludes(attribute: &str, area: &str) -> bool {
    if !attribute.starts_with("#[cfg(") || attribute.contains("not(") || attribute.contains("all(") {
        return false;
    }
    let mut areas = cfg_areas(attribute).peekable();
    areas.peek().is_some() && !areas.any(|a| a == area)
}

/// The areas (`feature = "…"`) a `#[cfg(...)]` attribute names.
fn cfg_areas(attribute: &str) -> impl Iterator<Item = &str> {
    attribute.split("feature = \"").skip(1).filter_map(|s| s.split('"').next())
}

impl GeneratedLines {
    fn count(crate_dir: &Path) -> Result<GeneratedLines, String> {
        let by_file = GeneratedLines::by_file(crate_dir)?;
        let sizes = by_file.files.iter().map(|(path, text)| (text.lines().count(), path));
        let largest = sizes.clone().max().map(|(lines, path)| (path.clone(), lines)).unwrap_or_default();
        Ok(GeneratedLines {
            library: sizes.map(|(lines, _)| lines).sum(),
            tests: by_file.tests,
            users: by_file.in_area("users"),
            largest: format!("{} ({} lines)", largest.0, largest.1),
        })
    }

    fn by_file(crate_dir: &Path) -> Result<ByFile, String> {
        let mut paths = Vec::new();
        rust_files(&crate_dir.join("src"), &mut paths)?;
        let mut by_file = ByFile { files: Vec::new(), gates: module_gates(crate_dir)?, tests: 0 };
        for path in &paths {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let relative = path.strip_prefix(crate_dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
            if relative.contains("example_tests") || relative.ends_with("representation_tests.rs") {
                by_file.tests += text.lines().count();
            } else {
                by_file.files.push((relative, text));
            }
        }
        Ok(by_file)
    }
}

/// The areas each module file of `src/models` and `src/requests` is gated
/// on, read from the `#[cfg(feature …)]` before its `mod` line (`pub mod`
/// for requests; models are private modules re-exported by `pub use`).
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
                    pending = Some(cfg_areas(&attribute).map(str::to_string).collect());
                    attribute.clear();
                }
            } else if let Some(module) =
                line.strip_prefix("pub mod ").or(line.strip_prefix("mod ")).and_then(|m| m.strip_suffix(';'))
            {
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

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"/// Requests to `/users`.
#[cfg(
    any(
        feature = "groups",
        feature = "users"
    )
)]
#[derive(Debug, Clone)]
pub struct UsersRequest(pub(crate) Endpoint);
#[cfg(feature = "groups")]
impl UsersRequest {
    pub fn list(&self) {}
}
impl UsersRequest {
    /// List users.
    #[cfg(feature = "users")]
    pub fn list(
        &self,
    ) -> Request<Page<User>> {
        self.0.json(Method::GET)
    }
    /// Create a user.
    #[cfg(feature = "groups")]
    pub fn post(
        &self,
    ) -> Request<User> {
        self.0.json(Method::POST)
    }
    #[cfg(not(feature = "users"))]
    pub fn other(&self) {}
}
"#;

    #[test]
    fn items_gated_on_other_areas_are_not_counted() {
        assert_eq!(FILE.lines().count(), 31);
        // `users`: not the `groups` impl (4 lines) nor `post` with its
        // docs (7); a `cfg(not(…))` counts.
        assert_eq!(lines_in_area(FILE, "users"), 31 - 4 - 7);
        // `groups`: not the `users` method `list` with its docs (7 lines).
        assert_eq!(lines_in_area(FILE, "groups"), 31 - 7);
        // Another area: not the struct (9 lines), the `groups` impl, nor
        // either gated method.
        assert_eq!(lines_in_area(FILE, "outlook"), 31 - 9 - 4 - 7 - 7);
    }
}
