//! The `docgen` binary's contract with CI: exit codes, output formats, and
//! silence (no colors, no progress bar) when nobody is watching.
//! Exit codes: 0 ok, 1 diagnostics at deny level, 2 usage or I/O error.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/lint")
}

fn docgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docgen")).args(args).env_remove("NO_COLOR").output().expect("docgen runs")
}

fn lint(extra: &[&str]) -> Output {
    let docs = fixtures();
    let mut args = vec!["lint", "--docs", docs.to_str().expect("a UTF-8 path")];
    args.extend(extra);
    docgen(&args)
}

#[test]
fn warnings_pass_unless_denied() {
    assert_eq!(lint(&[]).status.code(), Some(0));
    assert_eq!(lint(&["--deny", "warnings"]).status.code(), Some(1));
    assert_eq!(lint(&["--strict"]).status.code(), Some(1));
}

#[test]
fn allowed_codes_are_left_out() {
    let all: Vec<String> = docgen::diagnostics::Code::ALL.iter().map(|c| format!("--allow={}", c.as_str())).collect();
    let mut args: Vec<&str> = all.iter().map(String::as_str).collect();
    args.push("--strict");
    let output = lint(&args);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("total       0         0       0       0"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(docgen(&["lint", "--docs", "/nonexistent/docs"]).status.code(), Some(2));
    assert_eq!(docgen(&["lint"]).status.code(), Some(2));
    assert_eq!(lint(&["--deny", "everything"]).status.code(), Some(2));
    assert_eq!(lint(&["--allow", "no-such-code"]).status.code(), Some(2));
}

#[test]
fn text_is_plain_and_quiet_when_piped() {
    let output = lint(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("warning[collection-write]: PATCH on `/me/widgets`"), "{stdout}");
    assert!(stdout.contains("  --> api/widget-update.md:19:1"), "{stdout}");
    assert!(stdout.contains("code                      errors  warnings   notes   total"), "{stdout}");
    assert!(!stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'), "no escape sequences in a pipe");
    assert!(!stderr.contains('\r'), "no progress bar in a pipe: {stderr}");
    assert!(stderr.contains("15 pages: 0 error(s), 29 warning(s)"), "{stderr}");
}

#[test]
fn includes_come_from_the_folders_given_instead_of_those_found() {
    // Today's layout: the shared notes are in an `includes` folder beside the docs root.
    let format = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/current_format");
    let docs = format.join("v1.0");
    let docs = docs.to_str().expect("a UTF-8 path");
    let found = docgen(&["lint", "--docs", docs, "--format", "json"]);
    assert_eq!(String::from_utf8_lossy(&found.stdout), "", "found beside the docs root");
    let shared = format.join("includes");
    let given = docgen(&["lint", "--docs", docs, "--format", "json", "--includes", shared.to_str().expect("UTF-8")]);
    assert_eq!(String::from_utf8_lossy(&given.stdout), "", "given");
    let empty = std::env::temp_dir().join(format!("docgen-cli-includes-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("a folder");
    let other = docgen(&["lint", "--docs", docs, "--format", "json", "--includes", empty.to_str().expect("UTF-8")]);
    let _ = std::fs::remove_dir_all(&empty);
    let stdout = String::from_utf8_lossy(&other.stdout);
    assert!(stdout.contains("\"code\":\"include-missing\"") && stdout.contains("global-only.md"), "{stdout}");
    assert_eq!(docgen(&["lint", "--docs", docs, "--includes", "/nonexistent/includes"]).status.code(), Some(2));
}

#[test]
fn color_always_colors() {
    let output = lint(&["--color", "always"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains('\u{1b}'));
}

#[test]
fn json_is_one_object_per_line_and_the_table_goes_to_stderr() {
    let output = lint(&["--format", "json"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 36, "{stdout}");
    for line in lines {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON object per line");
        assert!(value["code"].is_string() && value["line"].is_u64() && value["file"].is_string());
    }
    assert!(String::from_utf8_lossy(&output.stderr).contains("total"));
}

#[test]
fn gen_denies_warnings_too() {
    let out = std::env::temp_dir().join(format!("docgen-cli-gen-{}", std::process::id()));
    let docs = fixtures();
    let docs = docs.to_str().expect("a UTF-8 path");
    let out_str = out.to_str().expect("a UTF-8 path");
    let output = docgen(&["gen", "--docs", docs, "--out", out_str, "--standalone", "--deny", "warnings"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let output = docgen(&["gen", "--docs", docs, "--out", out_str, "--standalone", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let _ = std::fs::remove_dir_all(&out);
}

/// A folder of its own for one test, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("docgen-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }

    fn path(&self, relative: &str) -> String {
        self.0.join(relative).to_str().expect("a UTF-8 path").to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gen_fixtures(out: &str, extra: &[&str]) -> Output {
    let docs = fixtures();
    let mut args = vec!["gen", "--docs", docs.to_str().expect("a UTF-8 path"), "--out", out, "--standalone"];
    args.extend(extra);
    docgen(&args)
}

#[test]
fn bad_option_values_exit_2_and_write_nothing() {
    let scratch = Scratch::new("bad-options");
    let out = scratch.path("out");
    let cases: [(&[&str], &str); 8] = [
        (&["--crate-name", "graph-v1.0"], "--crate-name \"graph-v1.0\" has '.', which cargo rejects"),
        (&["--crate-name", "1graph"], "--crate-name \"1graph\" starts with '1'"),
        (&["--crate-name", "fn"], "--crate-name \"fn\" is a name Rust keeps"),
        (&["--base-url", "graph.microsoft.com/v1.0"], "--base-url \"graph.microsoft.com/v1.0\" is not an absolute"),
        (&["--base-url", "https://graph.microsoft.com/v1.0?x=1"], "a query or fragment"),
        (&["--runtime-path", "C:\\runtime"], "--runtime-path \"C:\\\\runtime\" has '\\\\'"),
        (&["--docs-label", "two\nlines"], "--docs-label \"two\\nlines\" has '\\n'"),
        (&["--docs-label", "ends */ here"], "comment delimiter"),
    ];
    for (args, message) in cases {
        let output = gen_fixtures(&out, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message) && stderr.contains("nothing was written"), "{args:?}: {stderr}");
        assert!(!scratch.0.exists(), "{args:?} wrote something");
    }
    // A cache folder that regenerating the crate would delete.
    let inside = scratch.path("out/cache");
    let output = gen_fixtures(&out, &["--cache-dir", &inside]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not in its target folder"));
    assert!(!scratch.0.exists());
    // Every problem at once, each on its own line.
    let output = gen_fixtures(&out, &["--crate-name", "a.b", "--base-url", "ftp://x"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error: --")).count(), 2, "{stderr}");
}

/// `cargo metadata` reads a manifest without building anything.
fn cargo_accepts(manifest: &str) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path", manifest])
        .output()
        .expect("cargo runs")
}

#[test]
fn names_docgen_accepts_are_names_cargo_accepts() {
    let scratch = Scratch::new("names");
    let runtime = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime = runtime.to_str().expect("a UTF-8 path");
    for name in ["graph-sdk-v1", "Graph_SDK2"] {
        let out = scratch.path(name);
        let output = gen_fixtures(&out, &["--crate-name", name, "--runtime-path", runtime, "--no-cache"]);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let metadata = cargo_accepts(&format!("{out}/Cargo.toml"));
        assert!(metadata.status.success(), "{name}: {}", String::from_utf8_lossy(&metadata.stderr));
    }
    // The name the issue reported, put in by hand: cargo refuses it too.
    let manifest = format!("{}/Cargo.toml", scratch.path("graph-sdk-v1"));
    let text = std::fs::read_to_string(&manifest).expect("the manifest was written");
    std::fs::write(&manifest, text.replace("name = \"graph-sdk-v1\"", "name = \"graph-v1.0\"")).expect("writable");
    assert!(!cargo_accepts(&manifest).status.success());
}

#[test]
fn a_second_gen_reuses_the_disk_cache_and_the_cache_is_safe_to_delete() {
    let scratch = Scratch::new("disk-cache");
    let out = scratch.path("out");
    let stderr = |output: &Output| {
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(stderr(&gen_fixtures(&out, &[])).contains("(nothing reused: no cache yet)"));
    assert!(scratch.0.join("out/target/docgen-cache/items.bin").is_file());
    let again = stderr(&gen_fixtures(&out, &[]));
    assert!(again.contains("0 written, ") && again.contains("(no page changed since the last run)"), "{again}");
    std::fs::remove_dir_all(scratch.0.join("out/target")).expect("the cache can be deleted");
    let cold = stderr(&gen_fixtures(&out, &[]));
    assert!(cold.contains("0 written, ") && cold.contains("(nothing reused: no cache yet)"), "{cold}");
    // A cache folder of one's own, and none at all.
    let elsewhere = scratch.path("cache");
    assert!(stderr(&gen_fixtures(&out, &["--cache-dir", &elsewhere])).contains("nothing reused"));
    assert!(stderr(&gen_fixtures(&out, &["--cache-dir", &elsewhere])).contains("no page changed"));
    let uncached = stderr(&gen_fixtures(&out, &["--no-cache"]));
    let summary = uncached.lines().find(|line| line.contains(" written, ")).unwrap_or_default();
    assert!(summary.contains(": 0 written, ") && !summary.contains('('), "no word of a cache: {summary}");
    assert!(stderr(&gen_fixtures(&out, &["--check"])).contains("is up to date"));
}

#[test]
fn gen_timings_name_every_stage_in_order_and_only_when_asked() {
    let scratch = Scratch::new("timings");
    let out = scratch.path("out");
    let timings = |extra: &[&str]| {
        let output = gen_fixtures(&out, extra);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        stderr.lines().find(|line| line.starts_with("timings: ")).map(str::to_string)
    };
    assert_eq!(timings(&[]), None, "no timings unless asked");
    // The first cached run reads the pages, finds no cache, and builds and writes everything.
    let first = timings(&["--timings", "--cache-dir", &scratch.path("cache")]).expect("a timings line");
    let (stages, total) = first.trim_start_matches("timings: ").split_once("; ").expect("stages, then the total");
    let names: Vec<&str> = stages.split(", ").filter_map(|stage| stage.split(' ').next()).collect();
    assert_eq!(names, ["read", "cache", "parse", "resolve", "emit", "write"], "{first}");
    assert!(total.ends_with(" s in all"), "{first}");
    #[cfg(target_os = "linux")]
    {
        let output = gen_fixtures(&out, &["--timings", "--no-cache"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let peak = stderr.lines().find_map(|line| line.strip_prefix("peak memory: ")).expect("a peak memory line");
        let mb: u64 = peak.strip_suffix(" MB").and_then(|n| n.parse().ok()).expect("megabytes");
        assert!(mb > 0, "{peak}");
    }
    // Nothing changed: the run stops after the cache.
    let again = timings(&["--timings", "--cache-dir", &scratch.path("cache")]).expect("a timings line");
    assert!(again.starts_with("timings: read ") && again.contains(", cache ") && !again.contains("parse"), "{again}");
}

#[test]
fn gen_check_prints_its_timings_when_it_finds_drift_too() {
    let scratch = Scratch::new("check-timings");
    let out = scratch.path("out");
    assert_eq!(gen_fixtures(&out, &["--no-cache"]).status.code(), Some(0));
    std::fs::write(std::path::Path::new(&out).join("src/lib.rs"), "// edited by hand\n").expect("writable");
    let output = gen_fixtures(&out, &["--check", "--no-cache", "--timings"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("changed: src/lib.rs"), "{stderr}");
    let line = stderr.lines().find(|line| line.starts_with("timings: ")).expect("a timings line");
    assert!(line.contains(", check ") && line.ends_with(" s in all"), "{line}");
}

/// Copies a folder of pages, for a test that edits them.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("writable");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("readable");
        if entry.file_type().expect("readable").is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("writable");
        }
    }
}

/// Runs `docgen <args>` in the background and hands back its stderr (or
/// stdout) lines as they come; the process is killed when the test ends.
struct Watching {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Watching {
    fn start(args: &[&str], stdout: bool) -> Watching {
        use std::io::BufRead;
        let mut command = Command::new(env!("CARGO_BIN_EXE_docgen"));
        command.args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = command.spawn().expect("docgen runs");
        let (sender, lines) = std::sync::mpsc::channel();
        let streams: Vec<Box<dyn std::io::Read + Send>> =
            vec![Box::new(child.stdout.take().expect("piped")), Box::new(child.stderr.take().expect("piped"))];
        for (index, stream) in streams.into_iter().enumerate() {
            let sender = sender.clone();
            let wanted = (index == 0) == stdout || index == 1;
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
                    if wanted && sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Watching { child, lines }
    }

    /// The next line that contains `text` (others are skipped). Lines of one
    /// stream come in order; stdout's and stderr's may interleave any way.
    fn until(&self, text: &str) -> String {
        loop {
            let line = self.next_line();
            if line.contains(text) {
                return line;
            }
        }
    }

    /// Lines until each of `texts` has been in one, in any order: for what
    /// one run prints to both stdout and stderr.
    fn until_all(&self, texts: &[&str]) {
        let mut missing: Vec<&str> = texts.to_vec();
        while !missing.is_empty() {
            let line = self.next_line();
            missing.retain(|text| !line.contains(text));
        }
    }

    fn next_line(&self) -> String {
        self.lines.recv_timeout(std::time::Duration::from_secs(120)).expect("docgen answers")
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn gen_watch_regenerates_when_a_page_is_saved() {
    let scratch = Scratch::new("watch-gen");
    let docs = scratch.0.join("docs");
    copy_tree(&fixtures(), &docs);
    let out = scratch.path("out");
    let docs_arg = docs.to_str().expect("a UTF-8 path");
    let watching = Watching::start(&["gen", "--docs", docs_arg, "--out", &out, "--standalone", "--watch"], false);
    watching.until(" written, ");
    watching.until("watching ");
    let page = docs.join("resources/widget.md");
    let text = std::fs::read_to_string(&page).expect("the fixture has a widget page");
    let edited = text.replacen("The widget's name.", "A sentence added while watching.", 1);
    assert_ne!(edited, text);
    std::fs::write(&page, &edited).expect("writable");
    let line = watching.until(" written, ");
    assert!(line.contains("after the change"), "{line}");
    let models = std::fs::read_dir(scratch.0.join("out/src/models")).expect("the models were written");
    let texts: Vec<String> =
        models.map(|entry| std::fs::read_to_string(entry.expect("readable").path()).unwrap_or_default()).collect();
    assert!(texts.iter().any(|text| text.contains("A sentence added while watching.")), "the edit reached a model");
}

#[test]
fn lint_watch_lints_again_when_a_page_is_saved() {
    let scratch = Scratch::new("watch-lint");
    let docs = scratch.0.join("docs");
    copy_tree(&fixtures(), &docs);
    let docs_arg = docs.to_str().expect("a UTF-8 path");
    let watching = Watching::start(&["lint", "--docs", docs_arg, "--watch"], true);
    watching.until("29 warning(s)");
    watching.until("watching ");
    let page = docs.join("resources/widget.md");
    let text = std::fs::read_to_string(&page).expect("the fixture has a widget page");
    std::fs::write(&page, format!("{text}\n[a broken link](nowhere.md)\n")).expect("writable");
    // The new link's diagnostic (stdout) and the new count (stderr) come
    // on two pipes: waiting for one and then the other could skip the
    // second if it came first.
    watching.until_all(&["nowhere.md` points at a page", "30 warning(s)"]);
}
