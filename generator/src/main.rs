//! The `docgen` command line: `gen`, `lint`, `report`, `ir`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use docgen::Progress;
use docgen::diagnostics::{Code, Diagnostic, Severity};
use docgen::emit::EmitOptions;
use docgen::render::{Pages, Style, Summary};
use docgen::source::{IncludeFolders, SourceFile, read_docs_including};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The pipeline allocates many small strings on every thread, where glibc's
/// malloc took a quarter of the run time; mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes: 0 ok, 1 drift or diagnostics at deny level, 2 usage or I/O error.
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(name = "docgen", version, about = "Generates a typed Rust SDK from Microsoft Graph API reference pages")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a crate from a docs folder (or check that one is up to date).
    Gen {
        #[command(flatten)]
        crate_options: CrateOptions,
        /// The crate folder to write.
        #[arg(long)]
        out: PathBuf,
        /// Do not write: fail with a diff if `--out` differs from what would be generated.
        #[arg(long)]
        check: bool,
        /// After the first run, stay and generate again whenever a page changes
        /// (only what the change touches is rebuilt). Stop with Ctrl-C.
        #[arg(long, conflicts_with = "check")]
        watch: bool,
        #[command(flatten)]
        cache: CacheOptions,
        /// Fail when the docs produce warnings (the same as `--deny warnings`).
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        deny: DenyOptions,
        /// Print how long each stage of the run took (reading, the cache,
        /// parsing, resolving, emitting, writing or checking), and the peak
        /// memory, to stderr.
        #[arg(long)]
        timings: bool,
    },
    /// Check a docs folder: every problem with a source snippet, then a table by code.
    Lint {
        #[command(flatten)]
        docs: Docs,
        /// `text`: rendered like rustc; `json`: one JSON object per line (the table goes to stderr).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[command(flatten)]
        deny: DenyOptions,
        /// Leave out diagnostics with this code (repeatable), e.g. `--allow link-outside-root`.
        #[arg(long, value_name = "CODE", value_parser = parse_code)]
        allow: Vec<Code>,
        /// Colors in text output (`auto`: when stdout is a terminal and NO_COLOR is unset).
        #[arg(long, value_enum, default_value = "auto")]
        color: Color,
        /// After the first run, stay and lint again whenever a page changes.
        /// Stop with Ctrl-C.
        #[arg(long)]
        watch: bool,
        /// Also check the pages against the service's metadata (a CSDL XML file).
        #[arg(long, value_name = "FILE")]
        metadata: Option<PathBuf>,
    },
    /// Print how much of a docs folder became code, and what was skipped and why.
    Report {
        #[command(flatten)]
        docs: Docs,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Also print how faithful the result is to the service's metadata (a CSDL XML file).
        #[arg(long, value_name = "FILE")]
        metadata: Option<PathBuf>,
    },
    /// Print the intermediate representation of a docs folder as JSON.
    Ir {
        #[command(flatten)]
        docs: Docs,
        /// Print the resolved type space (Rust names, flattened fields, request tree) instead.
        #[arg(long)]
        resolved: bool,
    },
}

/// The docs to read.
#[derive(clap::Args)]
struct Docs {
    /// The folder of Markdown pages to read.
    #[arg(long)]
    docs: PathBuf,
    /// A folder that `[!INCLUDE [label](path)]` directives read from
    /// (repeatable; default: every `includes` folder in or above `--docs`).
    /// Files inside `--docs` can always be included.
    #[arg(long, value_name = "DIR")]
    includes: Vec<PathBuf>,
}

impl Docs {
    /// Where include directives read from.
    fn include_folders(&self) -> Result<IncludeFolders, String> {
        match self.includes.as_slice() {
            [] => Ok(IncludeFolders::discover(&self.docs)),
            given => IncludeFolders::given(&self.docs, given).map_err(|e| format!("--includes: {e}")),
        }
    }

    /// The pages and what they include, a spinner on a terminal meanwhile.
    fn read(&self, progress: &Terminal) -> Result<Vec<SourceFile>, String> {
        progress.stage("read", 0);
        read_docs_including(&self.docs, &self.include_folders()?).map_err(|e| e.to_string())
    }
}

#[derive(clap::Args)]
struct CrateOptions {
    #[command(flatten)]
    docs: Docs,
    /// The generated package's name.
    #[arg(long, default_value = "graph-sdk")]
    crate_name: String,
    /// The service root the client calls by default.
    #[arg(long, default_value = "https://graph.microsoft.com/v1.0")]
    base_url: String,
    /// Path from the generated crate to the graph-runtime crate.
    #[arg(long, default_value = "../runtime")]
    runtime_path: String,
    /// Make the crate its own workspace, to build it outside this one.
    #[arg(long)]
    standalone: bool,
    /// How output headers name the docs folder (default: its last path component).
    #[arg(long)]
    docs_label: Option<String>,
    /// Put each product area behind a cargo feature (`full` enables all).
    #[arg(long)]
    features: bool,
}

/// Where `gen` keeps what the next run can reuse.
#[derive(clap::Args)]
struct CacheOptions {
    /// The folder of the cache that lets the next run rebuild only what changed
    /// (default: `target/docgen-cache` in `--out`). Safe to delete at any time.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Neither read nor write a cache.
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache: bool,
}

impl CacheOptions {
    /// The cache folder, if any. One inside `out` but outside its `target`
    /// would be taken for a stray file of the crate and removed.
    fn dir(&self, out: &Path) -> Result<Option<PathBuf>, String> {
        match (&self.cache_dir, self.no_cache) {
            (_, true) => Ok(None),
            (Some(dir), false) => {
                let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
                let (dir_abs, out_abs) = (absolute(dir), absolute(out));
                if dir_abs.starts_with(&out_abs) && !dir_abs.starts_with(out_abs.join("target")) {
                    return Err(format!(
                        "--cache-dir {} is inside --out {} but not in its target folder, where regenerating would \
                         remove it; use {} or a folder outside",
                        dir.display(),
                        out.display(),
                        out.join("target").join("docgen-cache").display()
                    ));
                }
                Ok(Some(dir.clone()))
            }
            (None, false) => Ok(Some(out.join("target").join("docgen-cache"))),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// What fails the run besides errors.
#[derive(clap::Args)]
struct DenyOptions {
    /// `--deny warnings`: warnings fail the run (exit code 1), as errors always do.
    #[arg(long, value_enum, value_name = "LEVEL")]
    deny: Option<DenyLevel>,
    /// The same as `--deny warnings`.
    #[arg(long)]
    strict: bool,
}

impl DenyOptions {
    /// The least severe level that fails the run.
    fn level(&self) -> Severity {
        if self.strict || self.deny == Some(DenyLevel::Warnings) { Severity::Warning } else { Severity::Error }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DenyLevel {
    Warnings,
}

fn parse_code(text: &str) -> Result<Code, String> {
    Code::ALL.into_iter().find(|c| c.as_str() == text).ok_or_else(|| {
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown code `{text}`; the codes are: {}", known.join(", "))
    })
}

fn main() -> ExitCode {
    docgen::prefer_small_pages();
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(command: Command) -> Result<u8, String> {
    match command {
        Command::Gen { crate_options, out, check, watch, cache, deny_warnings, deny, timings } => {
            let level = if deny_warnings { Severity::Warning } else { deny.level() };
            let cache_dir = cache.dir(&out)?;
            let progress = if timings { Terminal::timed() } else { Terminal::new() };
            generate_crate(crate_options, out, check, watch, cache_dir, level, &progress)
        }
        Command::Lint { docs, format, deny, allow, color, watch, metadata } => {
            let metadata = metadata.as_deref().map(docgen::metadata::Metadata::read).transpose()?;
            let progress = Terminal::new();
            let mut sources = docs.read(&progress)?;
            let cache = docgen::Cache::default();
            let lint_once = |sources: &[SourceFile]| {
                let diagnostics = docgen::lint::lint_cached(sources, metadata.as_ref(), &cache, &progress);
                progress.done();
                print_lint(sources, diagnostics, format, deny.level(), &allow, color)
            };
            let code = lint_once(&sources)?;
            if !watch {
                return Ok(code);
            }
            watch_docs(&docs, &mut sources, |sources, _| lint_once(sources).map(|_| ()))
        }
        Command::Report { docs, format, metadata } => {
            let metadata = metadata.as_deref().map(docgen::metadata::Metadata::read).transpose()?;
            let progress = Terminal::new();
            let sources = docs.read(&progress)?;
            let (ir, mut diagnostics) = docgen::extract_observed(&sources, &docgen::Cache::default(), &progress);
            progress.stage("resolve", 0);
            let (space, more) = docgen::resolve::resolve(&ir);
            progress.done();
            diagnostics.extend(more);
            docgen::diagnostics::sort(&mut diagnostics);
            let mut report = docgen::report::build(&ir, &space, &diagnostics);
            report.fidelity = metadata.map(|metadata| docgen::metadata::check(&ir, &space, &metadata).0);
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?),
                Format::Text => print!("{}", report.to_text()),
            }
            Ok(0)
        }
        Command::Ir { docs, resolved } => {
            let sources = docs.read(&Terminal::hidden())?;
            let (ir, _) = docgen::extract(&sources);
            let json = if resolved {
                let (space, _) = docgen::resolve::resolve(&ir);
                serde_json::to_string_pretty(&space)
            } else {
                serde_json::to_string_pretty(&ir)
            };
            println!("{}", json.map_err(|e| e.to_string())?);
            Ok(0)
        }
    }
}

/// Waits for pages under `docs` (or what they include) to change, brings
/// `sources` up to date and calls `run` with them and when the change was
/// seen, until the watcher fails (or the process is stopped).
fn watch_docs(
    docs: &Docs,
    sources: &mut Vec<SourceFile>,
    mut run: impl FnMut(&[SourceFile], Instant) -> Result<(), String>,
) -> Result<u8, String> {
    let folders = docs.include_folders()?;
    let mut watcher = docgen::watch::DocsWatcher::new(&docs.docs)?;
    for folder in folders.folders() {
        // One inside the docs folder is watched already.
        if !folder.starts_with(&docs.docs) {
            watcher.also_watch(folder)?;
        }
    }
    eprintln!("watching {} for changes (Ctrl-C to stop)", docs.docs.display());
    loop {
        let change = watcher.wait()?;
        let seen = Instant::now();
        let included: Vec<_> = sources.iter_mut().map(|s| std::mem::take(&mut s.includes)).collect();
        // A page can go between the event and the read: the next event
        // (its removal) brings the folder up to date.
        match watcher.apply(sources, &change) {
            Ok(pages) => {
                // What the pages include is read again: a change may be to an include.
                docgen::source::includes::read_includes(sources, &folders);
                let includes_moved = sources.len() != included.len()
                    || sources.iter().zip(&included).any(|(page, before)| page.includes != *before);
                if pages > 0 || includes_moved {
                    run(sources, seen)?;
                }
            }
            Err(error) => eprintln!("warning: {error}; waiting for the next change"),
        }
    }
}

/// `docgen lint`'s output: every diagnostic rendered (or as JSON), then the
/// table by code; the exit code its findings call for.
fn print_lint(
    sources: &[SourceFile],
    mut diagnostics: Vec<Diagnostic>,
    format: Format,
    deny: Severity,
    allow: &[Code],
    color: Color,
) -> Result<u8, String> {
    diagnostics.retain(|d| !allow.contains(&d.code));
    let pages = Pages::new(sources);

    let stdout = std::io::stdout();
    let style = match color {
        Color::Always => Style::Color,
        Color::Never => Style::Plain,
        Color::Auto if stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none() => Style::Color,
        Color::Auto => Style::Plain,
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    let summary = Summary::new(&diagnostics);
    let written = (|| -> std::io::Result<()> {
        for diagnostic in &diagnostics {
            match format {
                Format::Text => writeln!(out, "{}\n", docgen::render::render(diagnostic, &pages, style))?,
                Format::Json => writeln!(out, "{}", docgen::render::json(diagnostic))?,
            }
        }
        if format == Format::Text {
            write!(out, "{}", summary.to_text())?;
        }
        out.flush()
    })();
    match written {
        Ok(()) => {}
        // `docgen lint | head`: the reader left; the verdict still stands.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(format!("cannot write the output: {e}")),
    }
    if format == Format::Json {
        eprint!("{}", summary.to_text());
    }
    let [errors, warnings, _] = summary.totals();
    let denied = errors + if deny == Severity::Warning { warnings } else { 0 };
    eprintln!(
        "{} pages: {errors} error(s), {warnings} warning(s){}",
        sources.len(),
        match (denied, deny) {
            (0, _) => String::new(),
            (_, Severity::Warning) => " and --deny warnings is set".into(),
            _ => String::new(),
        }
    );
    Ok(if denied > 0 { EXIT_FINDINGS } else { 0 })
}

/// A progress bar on stderr when it is a terminal; nothing otherwise (CI
/// logs and pipes get no escape sequences). Timed, it also notes when each
/// stage starts, and prints how long each took once the run is done.
struct Terminal {
    bar: ProgressBar,
    /// Each stage's name and start, when timed.
    stages: Option<std::sync::Mutex<Vec<(&'static str, Instant)>>>,
}

impl Terminal {
    fn new() -> Self {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        Terminal { bar, stages: None }
    }

    /// [`Terminal::new`], printing each stage's time when the run is done.
    fn timed() -> Self {
        Terminal { stages: Some(std::sync::Mutex::new(Vec::new())), ..Terminal::new() }
    }

    /// Draws nothing (`docgen ir` never did).
    fn hidden() -> Self {
        Terminal { bar: ProgressBar::hidden(), stages: None }
    }

    /// Clears the bar (a stage may follow).
    fn clear(&self) {
        self.bar.finish_and_clear();
    }

    /// Clears the bar; timed, prints the stages since the last `done` (the
    /// last one ending now).
    fn done(&self) {
        self.clear();
        let Some(stages) = &self.stages else { return };
        let stages = std::mem::take(&mut *stages.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(line) = stage_times(&stages, Instant::now()) {
            eprintln!("{line}");
        }
        if let Some(mb) = peak_memory_mb() {
            eprintln!("peak memory: {mb} MB");
        }
    }
}

/// The most memory this process has held so far, as the kernel counts it
/// (`VmHWM`). Read from inside: a parent's `wait4` can report its own size
/// instead, since a child spawned with `vfork` starts in the parent's
/// memory. `None` where there is no `/proc`.
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|line| line.strip_prefix("VmHWM:"))?;
    let kb: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kb.div_ceil(1024))
}

/// `timings: read 0.043 s, parse 0.140 s, …; 0.912 s in all`: each stage
/// from its start to the next one's, the last to `end`.
fn stage_times(stages: &[(&str, Instant)], end: Instant) -> Option<String> {
    let (_, first) = stages.first()?;
    let ends = stages.iter().skip(1).map(|(_, start)| *start).chain(std::iter::once(end));
    let parts: Vec<String> = stages
        .iter()
        .zip(ends)
        .map(|((name, start), end)| format!("{name} {:.3} s", end.duration_since(*start).as_secs_f64()))
        .collect();
    Some(format!("timings: {}; {:.3} s in all", parts.join(", "), end.duration_since(*first).as_secs_f64()))
}

impl Progress for Terminal {
    fn stage(&self, name: &'static str, total: usize) {
        if let Some(stages) = &self.stages {
            stages.lock().unwrap_or_else(|e| e.into_inner()).push((name, Instant::now()));
        }
        self.bar.set_message(name);
        if total > 0 {
            let style = ProgressStyle::with_template("{msg:>8} [{bar:30}] {pos}/{len} pages {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            self.bar.set_style(style);
            self.bar.disable_steady_tick();
            self.bar.set_length(total as u64);
            self.bar.set_position(0);
        } else {
            let style = ProgressStyle::with_template("{msg:>8} {spinner} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            self.bar.set_style(style);
            self.bar.enable_steady_tick(Duration::from_millis(100));
        }
    }

    fn advance(&self, done: usize) {
        self.bar.inc(done as u64);
    }
}

fn generate_crate(
    options: CrateOptions,
    out: PathBuf,
    check: bool,
    watch: bool,
    cache_dir: Option<PathBuf>,
    deny: Severity,
    progress: &Terminal,
) -> Result<u8, String> {
    let docs_label = options.docs_label.clone().unwrap_or_else(|| {
        options.docs.docs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "docs".into())
    });
    let emit_options = EmitOptions {
        crate_name: options.crate_name,
        base_url: options.base_url,
        runtime_path: options.runtime_path,
        standalone: options.standalone,
        docs_label,
        features: options.features,
    };
    // Before anything is read or written: a bad value would make the crate
    // or its manifest invalid.
    let problems = emit_options.validate();
    if !problems.is_empty() {
        let hint = if options.docs_label.is_none() && problems.iter().any(|p| p.option == "docs-label") {
            " (the label defaults to the docs folder's name; give one with --docs-label)"
        } else {
            ""
        };
        let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err(format!("{}{hint}; nothing was written", lines.join("\nerror: ")));
    }
    // The process ends after this run: the pages, the cache and the result
    // are left to the operating system, which takes them back at once,
    // instead of being freed one allocation at a time (a tenth of a second
    // for beta, on one core).
    let mut sources = ManuallyDrop::new(options.docs.read(progress)?);
    let cache = ManuallyDrop::new(docgen::Cache::default());
    // A watch needs this run's pages and items in memory, even when the
    // output folder is already what the last run left.
    let in_place_ok = if watch { None } else { Some(out.as_path()) };
    let generated = match &cache_dir {
        Some(dir) => docgen::generate_persisted(&sources, &emit_options, &cache, dir, in_place_ok, progress),
        None => docgen::generate_observed(&sources, &emit_options, &cache, progress).map(docgen::Persisted::from),
    };
    progress.clear();
    let generated = ManuallyDrop::new(generated.map_err(|e| e.to_string())?);
    print_summary(generated.diagnostics());
    let denied = generated.diagnostics().iter().filter(|d| d.severity <= deny).count();
    let reused = if cache_dir.is_some() { format!(" ({})", generated.reuse) } else { String::new() };
    match (check, generated.files()) {
        // The folder holds exactly what the last run wrote from these pages.
        (true, None) => eprintln!("{} is up to date ({} files){reused}", out.display(), generated.file_count()),
        (false, None) => {
            eprintln!("{}: 0 written, {} unchanged, 0 removed{reused}", out.display(), generated.file_count())
        }
        (true, Some(files)) => {
            progress.stage("check", 0);
            let drift =
                docgen::output::check(&out, files).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
            if !drift.is_empty() {
                for item in &drift {
                    eprintln!("{item}");
                }
                eprintln!("{} file(s) in {} differ from the docs: run `cargo xtask gen`", drift.len(), out.display());
                progress.done();
                return Ok(EXIT_FINDINGS);
            }
            eprintln!("{} is up to date ({} files){reused}", out.display(), files.len());
        }
        (false, Some(files)) => {
            // The cache is written beside the output (on the other core).
            // One that cannot be written costs the next run time, never
            // correctness.
            progress.stage("write", 0);
            let (summary, stored) = generated.store_while(&cache, || docgen::output::write(&out, files));
            let summary = summary.map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            eprintln!(
                "{}: {} written, {} unchanged, {} removed{reused}",
                out.display(),
                summary.written,
                summary.unchanged,
                summary.removed
            );
            if let Err(error) = stored {
                eprintln!("warning: the cache is not kept: {error}");
            }
        }
    }
    progress.done();
    if !watch {
        if denied > 0 {
            eprintln!("{denied} diagnostic(s) at deny level");
            return Ok(EXIT_FINDINGS);
        }
        return Ok(0);
    }
    // Later runs keep everything in this process's cache; the disk cache
    // holds the first run's, which the next `docgen gen` still reuses.
    watch_docs(&options.docs, &mut sources, |sources, seen| {
        let generated = docgen::generate_cached(sources, &emit_options, &cache).map_err(|e| e.to_string())?;
        print_summary(&generated.diagnostics);
        let summary = docgen::output::write(&out, &generated.files)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        eprintln!(
            "{}: {} written, {} unchanged, {} removed ({:.3} s after the change)",
            out.display(),
            summary.written,
            summary.unchanged,
            summary.removed,
            seen.elapsed().as_secs_f64()
        );
        // What this run built is left to the operating system at exit, as
        // the first run's is.
        std::mem::forget(generated);
        Ok(())
    })
}

/// Warnings in full, then one line per diagnostic code with its count.
/// Buffered: stderr is not, and each diagnostic wrote in pieces (56,535
/// write calls for the warnings of beta).
fn print_summary(diagnostics: &[Diagnostic]) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for diagnostic in diagnostics {
        *counts.entry(diagnostic.code.as_str()).or_default() += 1;
    }
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    // A closed stderr is no reason to fail the run: the files are the result.
    let _ = (|| -> std::io::Result<()> {
        for diagnostic in diagnostics.iter().filter(|d| d.severity <= Severity::Warning) {
            writeln!(err, "{diagnostic}")?;
        }
        if !counts.is_empty() {
            let parts: Vec<String> = counts.iter().map(|(code, n)| format!("{code} {n}")).collect();
            writeln!(err, "diagnostics: {}", parts.join(", "))?;
        }
        err.flush()
    })();
}
