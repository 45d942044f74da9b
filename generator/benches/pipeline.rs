//! The pipeline benchmark: `cargo xtask bench` (or `cargo bench -p docgen --bench pipeline`).
//!
//! Runs on the real docs (`GRAPH_DOCS`, default `../shared/graph-docs`) and
//! prints medians next to the floor measured in the same run: reading every
//! page and running pulldown-cmark over it, single-threaded, nothing else.
//! Measured, never asserted: the machines are shared and noisy.
//!
//! Two parts, both by default; name one to run only it
//! (`cargo bench -p docgen --bench pipeline -- process`):
//! - `pipeline`: the library in one process (cold, warm, phases, cache size);
//! - `process`: whole `docgen gen` processes, v1.0 then beta, as a user runs
//!   them (cold, and a second run after one page changed), and `--watch`;
//! - `floor` (only when named): the floor alone, for counting its
//!   instructions under callgrind next to a `docgen gen`'s;
//! - `versus PATH` (only when named): this build's `docgen` against the
//!   executable at `PATH` (another build), interleaved on one copy of beta.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use docgen::emit::EmitOptions;
use docgen::source::{SourceFile, read_docs};
use docgen::{Cache, Generated};

/// The allocator the `docgen` binary uses: the pipeline allocates many small
/// strings on every thread, where glibc's malloc spent a quarter of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 5;
const VERSIONS: [&str; 2] = ["v1.0", "beta"];

fn main() {
    docgen::prefer_small_pages();
    let docs = std::env::var_os("GRAPH_DOCS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/graph-docs"));
    if !docs.is_dir() {
        println!("bench SKIPPED: no docs at {} (set GRAPH_DOCS)", docs.display());
        return;
    }
    // `cargo bench` passes `--bench`; any other argument names a part.
    let parts: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wants = |part: &str| parts.is_empty() || parts.iter().any(|p| p == part);
    if parts.first().is_some_and(|p| p == "versus") && parts.len() != 2 {
        println!("usage: versus PATH (the docgen executable to compare this build with)");
        return;
    }
    let out = std::env::temp_dir().join(format!("docgen-bench-{}", std::process::id()));
    if wants("pipeline") {
        pipeline(&docs, &out);
    }
    if wants("process") {
        processes(&docs, &out);
    }
    if parts.iter().any(|p| p == "floor") {
        println!("floor (read + pulldown-cmark, 1 thread, median of {RUNS}) {:.3} s", floor(&docs).as_secs_f64());
    }
    if let [versus_part, other] = parts.as_slice()
        && versus_part == "versus"
    {
        versus(&docs, &out, Path::new(other));
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// Reads every page of both versions and runs pulldown-cmark over it, on
/// one thread: the floor every figure is printed next to.
fn floor(docs: &Path) -> Duration {
    floor_of(docs, &VERSIONS)
}

/// [`floor`] of some of the versions.
fn floor_of(docs: &Path, versions: &[&str]) -> Duration {
    median(RUNS, || {
        for version in versions {
            let pages = read_docs(&docs.join(version)).expect("docs are readable");
            let events: usize = pages.iter().map(|p| markdown_events(&p.text)).sum();
            std::hint::black_box(events);
        }
    })
}

/// The library in one process: cold and warm runs of both versions side by
/// side, the phases, the cache's size, and peak memory of one `docgen gen`.
fn pipeline(docs: &Path, out: &Path) {
    let docs = docs.to_path_buf();
    let out = out.to_path_buf();
    let threads = rayon::current_num_threads();
    // First, while this process is small: a child's peak RSS counts what it
    // inherited at fork time.
    let child_peaks: Vec<Option<u64>> =
        VERSIONS.iter().map(|v| child_peak_rss_mb(&docs.join(v), &out.join("child").join(v))).collect();

    let floor = floor(&docs);

    // First run into an empty folder: every file is created. A full run
    // generates both versions side by side in one process with one cache, as
    // `cargo xtask corpus` does: pages and items that are the same in v1.0
    // and beta are lowered and printed once.
    let first_out = out.join("first");
    let first = median(1, || cold_run(&docs, &first_out));

    // Cold: nothing cached in memory at the start; the folder holds the
    // previous output, as it does for `cargo xtask gen` (unchanged files are
    // compared, not written).
    let (cold, cold_free) = median_free(RUNS, || cold_run(&docs, &first_out));

    // Warm: one page changed since the last run; the caches and the previous
    // output are there. Once with the edit in v1.0, once in beta: the version
    // without the edit is handed back whole (same pages, same options), so
    // each line shows what one version's edit costs.
    let cache = Cache::default();
    let warm_out = out.join("warm");
    generate_and_write(&read_versions(&docs, None), &warm_out, &cache);
    let entries_after_first_run = cache.len();
    let mut edit = 0;
    let mut warm = Vec::new();
    for edited in 0..VERSIONS.len() {
        warm.push(median(RUNS, || {
            edit += 1;
            let versions = read_versions(&docs, Some((edited, edit)));
            let generated = generate_and_write(&versions, &warm_out, &cache);
            (versions, generated)
        }));
    }
    let entries_after_edits = cache.len();
    // The caches must never change the output: regenerate the last warm
    // input (beta edited, v1.0 as it is) from scratch and compare.
    let last_edited = VERSIONS.len() - 1;
    let mut identical = true;
    for (index, version) in VERSIONS.iter().enumerate() {
        let mut sources = read_docs(&docs.join(version)).expect("docs are readable");
        if index == last_edited {
            change_one_page(&mut sources, edit);
        }
        let fresh = docgen::generate(&sources, &options(version)).expect("the corpus generates");
        let drift = docgen::output::check(&warm_out.join(version), &fresh.files).expect("output is readable");
        identical &= drift.is_empty();
    }

    let cold_phases = phase_times(&docs, &first_out, &Cache::default(), None);
    let warm_phases = phase_times(&docs, &warm_out, &cache, Some((last_edited, edit + 1)));
    let pages: usize = VERSIONS.iter().map(|v| read_docs(&docs.join(v)).map(|p| p.len()).unwrap_or(0)).sum();
    println!("docgen pipeline benchmark: {pages} pages (v1.0 + beta), {threads} threads, median of {RUNS} runs");
    println!("  floor (read + pulldown-cmark, 1 thread) {:>8.3} s", floor.as_secs_f64());
    println!(
        "  first run into an empty folder         {:>8.3} s  = {:.1}x floor (one run)",
        first.as_secs_f64(),
        ratio(first, floor)
    );
    println!(
        "  cold run (no cache, previous output)   {:>8.3} s  = {:.1}x floor",
        cold.as_secs_f64(),
        ratio(cold, floor)
    );
    println!(
        "  then freeing its pages, cache, result  {:>8.3} s  (not in the line above: `docgen gen` exits instead)",
        cold_free.as_secs_f64()
    );
    for (version, warm) in VERSIONS.iter().zip(&warm) {
        let label = format!("second run, one {version} page changed");
        println!("  {label:<39}{:>8.3} s  = {:.1}x floor", warm.as_secs_f64(), ratio(*warm, floor));
    }
    print_phases("phases, cold", cold_phases);
    print_phases("phases, warm (a beta page changed)", warm_phases);
    println!("  warm output identical to a cold run of the same input: {}", if identical { "yes" } else { "NO" });
    println!(
        "  cache entries after the first warm run {entries_after_first_run}, after {edit} edits {entries_after_edits}"
    );
    for (version, peak) in VERSIONS.iter().zip(&child_peaks) {
        let peak = peak.map_or_else(|| "? (the docgen binary failed)".to_string(), |mb| format!("{mb} MB"));
        println!("  peak memory of one `docgen gen` of {version:<4}    {peak}");
    }
    println!(
        "  peak memory of this benchmark process  {:>8} MB (all runs and caches)",
        peak_rss_mb().map_or("?".into(), |m| m.to_string())
    );
}

fn options(version: &str) -> EmitOptions {
    EmitOptions {
        crate_name: format!("graph-sdk-{version}"),
        base_url: format!("https://graph.microsoft.com/{version}"),
        runtime_path: "../runtime".into(),
        standalone: true,
        docs_label: format!("graph-docs/{version}"),
        features: true,
    }
}

/// The pages of each version, with one page of version `edit.0` changed
/// (edit number `edit.1`) if asked.
fn read_versions(docs: &Path, edit: Option<(usize, usize)>) -> Vec<Vec<SourceFile>> {
    let mut versions: Vec<Vec<SourceFile>> =
        VERSIONS.iter().map(|v| read_docs(&docs.join(v)).expect("docs are readable")).collect();
    if let Some((version, number)) = edit {
        change_one_page(&mut versions[version], number);
    }
    versions
}

/// Reads every version and generates it with a new cache into `out`; hands
/// back all of it, to be freed after the clock stops.
fn cold_run(docs: &Path, out: &Path) -> (Vec<Vec<SourceFile>>, Cache, Vec<Arc<Generated>>) {
    let cache = Cache::default();
    let versions = read_versions(docs, None);
    let generated = generate_and_write(&versions, out, &cache);
    (versions, cache, generated)
}

/// Generates every version side by side through `cache` and writes each
/// below `out`, as `cargo xtask corpus` does.
fn generate_and_write(versions: &[Vec<SourceFile>], out: &Path, cache: &Cache) -> Vec<Arc<Generated>> {
    let options: Vec<EmitOptions> = VERSIONS.iter().map(|v| options(v)).collect();
    let crates: Vec<(&[SourceFile], &EmitOptions)> = versions.iter().map(Vec::as_slice).zip(&options).collect();
    let mut all = Vec::new();
    for (version, generated) in VERSIONS.iter().zip(docgen::generate_all(&crates, cache)) {
        let generated = generated.expect("the corpus generates");
        docgen::output::write(&out.join(version), &generated.files).expect("output is writable");
        all.push(generated);
    }
    all
}

/// Seconds spent in each stage of one run over both versions, writing to
/// `out` with `cache`; `edit` (version index, edit number) changes one page
/// first. The other versions go through `generate_cached`, which hands back
/// their last run when their pages did not change, timed as its own phase.
/// "resolve" here includes checking the examples, which the pipeline
/// (`generate_cached`) runs on one core while emit runs on the other.
fn phase_times(docs: &Path, out: &Path, cache: &Cache, edit: Option<(usize, usize)>) -> [f64; 6] {
    let mut phases = [0.0; 6];
    for (index, version) in VERSIONS.iter().enumerate() {
        let mut clock = Instant::now();
        let mut lap = |index: usize, phases: &mut [f64; 6]| {
            phases[index] += clock.elapsed().as_secs_f64();
            clock = Instant::now();
        };
        let mut sources = read_docs(&docs.join(version)).expect("docs are readable");
        lap(0, &mut phases);
        match edit {
            Some((edited, number)) if edited == index => change_one_page(&mut sources, number),
            Some(_) => {
                let generated =
                    docgen::generate_cached(&sources, &options(version), cache).expect("the corpus generates");
                lap(5, &mut phases);
                docgen::output::write(&out.join(version), &generated.files).expect("output is writable");
                lap(4, &mut phases);
                continue;
            }
            None => {}
        }
        let (ir, _) = docgen::extract_cached(&sources, cache);
        lap(1, &mut phases);
        let (space, _) = docgen::resolve::resolve(&ir);
        lap(2, &mut phases);
        let files = docgen::emit::emit(&space, &options(version), &cache.emit).expect("the corpus emits");
        lap(3, &mut phases);
        docgen::output::write(&out.join(version), &files).expect("output is writable");
        lap(4, &mut phases);
    }
    phases
}

fn print_phases(what: &str, phases: [f64; 6]) {
    let unchanged =
        if phases[5] > 0.0 { format!(", unchanged version handed back {:.3} s", phases[5]) } else { String::new() };
    println!(
        "  {what}: read {:.3} s, parse+lower {:.3} s, resolve {:.3} s, emit {:.3} s, write {:.3} s{unchanged}",
        phases[0], phases[1], phases[2], phases[3], phases[4]
    );
}

/// Appends a sentence to the first resource page's intro: a typical docs edit.
fn change_one_page(sources: &mut [SourceFile], edit: usize) {
    if let Some(page) =
        sources.iter_mut().find(|s| s.path.starts_with("resources/") && s.text.contains("\n## Properties"))
    {
        page.text = page.text.replacen("\n## Properties", &format!("\nEdited for run {edit}.\n\n## Properties"), 1);
    }
}

fn markdown_events(text: &str) -> usize {
    let options = pulldown_cmark::Options::ENABLE_TABLES;
    pulldown_cmark::Parser::new_ext(text, options).count()
}

/// The median time of `runs` calls of `f`. What a call returns is freed
/// after its clock stops: `docgen gen` leaves its pages, cache and result to
/// the operating system at exit (see `generate_crate`), so freeing them is
/// not part of what a user waits for. [`median_free`] times that apart.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median_free(runs, &mut f).0
}

/// [`median`], and the median time freeing what the calls returned took.
fn median_free<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let (mut times, mut frees): (Vec<Duration>, Vec<Duration>) = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let result = f();
            let time = started.elapsed();
            let started = Instant::now();
            drop(result);
            (time, started.elapsed())
        })
        .unzip();
    times.sort();
    frees.sort();
    (times[times.len() / 2], frees[frees.len() / 2])
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(f64::EPSILON)
}

/// Runs the release `docgen` binary once (cold) and returns its peak
/// resident set size, from the kernel's rusage of the finished child.
fn child_peak_rss_mb(docs: &Path, out: &Path) -> Option<u64> {
    let _ = std::fs::remove_dir_all(out);
    let child = docgen_gen(docs, out, &[]);
    child.ok.then_some(child.peak_mb)
}

/// One finished `docgen gen` process.
struct Child {
    time: Duration,
    peak_mb: u64,
    ok: bool,
    stderr: String,
}

/// Runs `docgen gen` of `docs` into `out` as a user does (every area behind
/// a feature, a crate of its own), timing the whole process from spawn to
/// exit; its peak memory is what it reports of itself (`--timings`), or
/// the kernel's rusage of the child where it reports none.
fn docgen_gen(docs: &Path, out: &Path, extra: &[&str]) -> Child {
    let extra: Vec<&str> = extra.iter().copied().chain(["--timings"]).collect();
    // Cargo builds the binary for benchmarks and says where it is.
    run_gen(Path::new(env!("CARGO_BIN_EXE_docgen")), docs, out, &extra)
}

/// `docgen gen` with the `docgen` executable at `binary` (`--timings` only
/// when `extra` has it: builds before that flag do not know it).
#[allow(clippy::zombie_processes, reason = "wait4 reaps the child, with its rusage")]
fn run_gen(binary: &Path, docs: &Path, out: &Path, extra: &[&str]) -> Child {
    let log = out.with_extension("stderr");
    if let Some(parent) = log.parent() {
        std::fs::create_dir_all(parent).expect("the benchmark folder is writable");
    }
    let stderr = std::fs::File::create(&log).expect("the benchmark folder is writable");
    let started = Instant::now();
    let child = std::process::Command::new(binary)
        .args(["gen", "--features", "--standalone", "--docs"])
        .arg(docs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .stderr(stderr)
        .spawn()
        .expect("the docgen binary runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let time = started.elapsed();
    let ok = waited == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    // What the child reports of itself: the rusage of a child spawned with
    // vfork counts the parent's memory too (this benchmark's own 70-odd MB
    // stood in for every small run's peak).
    let reported =
        stderr.lines().find_map(|line| line.strip_prefix("peak memory: ")?.strip_suffix(" MB")?.parse().ok());
    Child { time, peak_mb: reported.unwrap_or(usage.ru_maxrss as u64 / 1024), ok, stderr }
}

/// Whole `docgen gen` processes, v1.0 then beta, each a new process as a
/// user runs them, on a copy of the docs (so a page can be edited), next to
/// the floor measured on that copy in the same run. Cold: no cache, the
/// previous output in place. Warm: the run before left its cache; one page
/// of one version changed since (a new edit each run), or none.
fn processes(docs: &Path, out: &Path) {
    let copy = out.join("process-docs");
    for version in VERSIONS {
        copy_tree(&docs.join(version), &copy.join(version)).expect("the docs can be copied");
    }
    let crate_dir = |version: &str| out.join("process").join(version);
    let floor = floor(&copy);
    let version_floors: Vec<Duration> = VERSIONS.iter().map(|v| floor_of(&copy, &[v])).collect();
    let run_both = |cold: bool| -> Vec<Child> {
        VERSIONS
            .iter()
            .map(|version| {
                if cold {
                    // The default cache lives in the crate's target folder.
                    let _ = std::fs::remove_dir_all(crate_dir(version).join("target"));
                }
                let child = docgen_gen(&copy.join(version), &crate_dir(version), &[]);
                assert!(child.ok, "docgen gen of {version} failed:\n{}", child.stderr);
                child
            })
            .collect()
    };
    run_both(true);
    let cold = median_runs(RUNS, || run_both(true));
    let mut edit = 0;
    let mut warm = Vec::new();
    for version in VERSIONS {
        run_both(false);
        warm.push(median_runs(RUNS, || {
            edit += 1;
            edit_page_on_disk(&copy.join(version), edit);
            run_both(false)
        }));
    }
    let unchanged = median_runs(RUNS, || run_both(false));
    // A change docgen does not read: only the changed page is parsed.
    let unaffected = median_runs(RUNS, || {
        edit += 1;
        change_author_on_disk(&copy.join("beta"), edit);
        run_both(false)
    });
    // A warm run must write what a cold one writes and report the same
    // diagnostics: the last warm runs (beta edited) against a cold run of
    // the same pages into a fresh folder.
    let last_warm = run_both(false);
    let mut identical = true;
    for (version, warm_child) in VERSIONS.iter().zip(&last_warm) {
        let fresh = out.join("process-fresh").join(version);
        let _ = std::fs::remove_dir_all(&fresh);
        let cold_child = docgen_gen(&copy.join(version), &fresh, &[]);
        let warm_files = read_docs_tree(&crate_dir(version));
        identical &= cold_child.ok && warm_files == read_docs_tree(&fresh);
        identical &= diagnostics_printed(&cold_child.stderr) == diagnostics_printed(&warm_child.stderr);
    }
    let watch: Vec<Times> =
        VERSIONS.iter().map(|version| watch_latency(&copy.join(version), &crate_dir(version))).collect();
    println!("docgen gen as whole processes: v1.0 then beta, each a new process, median of {RUNS} runs");
    println!(
        "  floor (read + pulldown-cmark, 1 thread) {:>8.3} s  (v1.0 alone {:.3} s, beta alone {:.3} s)",
        floor.as_secs_f64(),
        version_floors[0].as_secs_f64(),
        version_floors[1].as_secs_f64()
    );
    let line = |what: &str, times: &Times| {
        println!(
            "  {what:<39}{:>8.3} s  = {:.1}x floor  (v1.0 {:.3} s, beta {:.3} s; runs {:.3}-{:.3} s)",
            times.total.as_secs_f64(),
            ratio(times.total, floor),
            times.each[0].as_secs_f64(),
            times.each[1].as_secs_f64(),
            times.fastest.as_secs_f64(),
            times.slowest.as_secs_f64(),
        );
    };
    line("cold (no cache, previous output)", &cold);
    for (version, warm) in VERSIONS.iter().zip(&warm) {
        line(&format!("second run, one {version} page changed"), warm);
    }
    line("second run, nothing changed", &unchanged);
    line("second run, a beta page's author changed", &unaffected);
    for ((version, watch), version_floor) in VERSIONS.iter().zip(&watch).zip(&version_floors) {
        println!(
            "  --watch, a {version} page saved -> written {:>6.3} s  = {:.1}x floor, {:.1}x {version}'s  (runs {:.3}-{:.3} s)",
            watch.total.as_secs_f64(),
            ratio(watch.total, floor),
            ratio(watch.total, *version_floor),
            watch.fastest.as_secs_f64(),
            watch.slowest.as_secs_f64(),
        );
    }
    println!("  warm output and diagnostics identical to a cold process: {}", if identical { "yes" } else { "NO" });
    println!(
        "  peak memory of a process: cold {} MB, one page changed {} MB, nothing changed {} MB",
        cold.peak_mb,
        warm.iter().map(|w| w.peak_mb).max().unwrap_or(0),
        unchanged.peak_mb
    );
}

/// This build's `docgen gen` against another executable's (`other`), on
/// one copy of beta, each with its own output folder and cache: after one
/// page changed (a new edit before each pair of runs), with nothing changed,
/// and cold. The two run interleaved, and which runs first alternates: the
/// first process after an edit runs faster whatever its build.
fn versus(docs: &Path, out: &Path, other: &Path) {
    const PAIRS: usize = 16;
    let copy = out.join("versus-docs");
    copy_tree(&docs.join("beta"), &copy).expect("the docs can be copied");
    let builds = [Path::new(env!("CARGO_BIN_EXE_docgen")), other];
    let crate_dir = |index: usize| out.join("versus").join(index.to_string());
    let run = |index: usize| {
        let child = run_gen(builds[index], &copy, &crate_dir(index), &[]);
        assert!(child.ok, "{} failed:\n{}", builds[index].display(), child.stderr);
        child.time
    };
    let pairs = |runs: usize, before_each: &mut dyn FnMut()| -> [Vec<Duration>; 2] {
        let mut times = [Vec::new(), Vec::new()];
        for pair in 0..runs {
            before_each();
            let order = if pair % 2 == 0 { [0, 1] } else { [1, 0] };
            for index in order {
                times[index].push(run(index));
            }
        }
        times
    };
    let mut edit = 0;
    pairs(1, &mut || {}); // Each build's first run fills its cache.
    let edited = pairs(PAIRS, &mut || {
        edit += 1;
        edit_page_on_disk(&copy, edit);
    });
    let unchanged = pairs(PAIRS, &mut || {});
    let cold = pairs(RUNS, &mut || {
        for index in 0..2 {
            let _ = std::fs::remove_dir_all(crate_dir(index).join("target"));
        }
    });
    println!("this build against {}: beta, interleaved, the first of each pair alternating", other.display());
    let middle = |times: &[Duration]| {
        let mut times = times.to_vec();
        times.sort();
        times[times.len() / 2].as_secs_f64() * 1000.0
    };
    for (what, times) in [("one page changed", &edited), ("nothing changed", &unchanged), ("cold", &cold)] {
        let runs = times[0].len();
        println!(
            "  {what:<17} this build {:>7.1} ms, other {:>7.1} ms (medians of {runs})",
            middle(&times[0]),
            middle(&times[1])
        );
    }
}

/// `docgen gen --watch` of `docs` into `out`: the time from a page saved
/// (a new file renamed over it, as many editors save) to the line that says
/// the output is written, [`RUNS`] times (a new edit each time). The
/// watcher is stopped at the end.
fn watch_latency(docs: &Path, out: &Path) -> Times {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_docgen"))
        .args(["gen", "--features", "--standalone", "--watch", "--docs"])
        .arg(docs)
        .arg("--out")
        .arg(out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the docgen binary runs");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (lines, summaries) = std::sync::mpsc::channel();
    // Reads everything (the diagnostics too), so the child never blocks.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if (line.contains(" written, ") || line.starts_with("watching ")) && lines.send(line).is_err() {
                break;
            }
        }
    });
    let next = |what: &str| {
        let line = summaries.recv_timeout(Duration::from_secs(120)).expect("the watcher answers");
        assert!(line.contains(what), "expected {what:?}, got {line:?}");
    };
    next(" written, ");
    next("watching ");
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let sources = read_docs(docs).expect("docs are readable");
        let mut edited = sources.clone();
        let number = 1000 + times.len();
        change_one_page(&mut edited, number);
        let page = edited.iter().zip(&sources).find(|(new, old)| new != old).expect("a page changed").0;
        let temporary = docs.join(format!("{}.saving", page.path));
        std::fs::write(&temporary, &page.text).expect("the copied docs are writable");
        let saved = Instant::now();
        std::fs::rename(&temporary, docs.join(&page.path)).expect("the copied docs are writable");
        next(" written, ");
        times.push(saved.elapsed());
    }
    let _ = child.kill();
    let _ = child.wait();
    times.sort();
    Times {
        total: times[times.len() / 2],
        each: Vec::new(),
        fastest: times[0],
        slowest: times[times.len() - 1],
        peak_mb: 0,
    }
}

/// The median total of `runs` calls of `f` (each a v1.0 and a beta
/// process), with the median of each process, the spread and peak memory.
struct Times {
    total: Duration,
    each: Vec<Duration>,
    fastest: Duration,
    slowest: Duration,
    peak_mb: u64,
}

fn median_runs(runs: usize, mut f: impl FnMut() -> Vec<Child>) -> Times {
    let results: Vec<Vec<Child>> = (0..runs).map(|_| f()).collect();
    let middle = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let totals: Vec<Duration> = results.iter().map(|r| r.iter().map(|c| c.time).sum()).collect();
    let each = (0..VERSIONS.len()).map(|i| middle(results.iter().map(|r| r[i].time).collect())).collect();
    Times {
        total: middle(totals.clone()),
        each,
        fastest: totals.iter().copied().min().unwrap_or_default(),
        slowest: totals.iter().copied().max().unwrap_or_default(),
        peak_mb: results.iter().flatten().map(|c| c.peak_mb).max().unwrap_or(0),
    }
}

/// The diagnostic lines a `docgen gen` printed (not the line that counts
/// what it wrote, which differs between a first and a second run).
fn diagnostics_printed(stderr: &str) -> Vec<&str> {
    let measured = |line: &str| line.starts_with("timings: ") || line.starts_with("peak memory: ");
    stderr.lines().filter(|line| !line.contains(" written, ") && !measured(line)).collect()
}

/// Every file under `root` but its build entries, by relative path.
fn read_docs_tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if dir == root && (entry.file_name() == "target" || entry.file_name() == "Cargo.lock") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                files.push((path.strip_prefix(root).unwrap_or(&path).to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

/// Copies a folder (its pages and everything else) to `to`, afresh.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Gives the user page of `docs` a new author in its front matter, which
/// docgen does not read (`edit` numbers the change).
fn change_author_on_disk(docs: &Path, edit: usize) {
    let path = docs.join("resources/user.md");
    let text = std::fs::read_to_string(&path).expect("the copied docs have a user page");
    let author = text.lines().find(|line| line.starts_with("author:")).expect("the user page names an author");
    std::fs::write(&path, text.replacen(author, &format!("author: \"bench-{edit}\""), 1)).expect("writable");
}

/// [`change_one_page`] on the page files of a docs folder.
fn edit_page_on_disk(docs: &Path, edit: usize) {
    let mut sources = read_docs(docs).expect("docs are readable");
    change_one_page(&mut sources, edit);
    let page = sources
        .iter()
        .find(|s| s.text.contains(&format!("Edited for run {edit}.")))
        .expect("a resource page with a Properties section");
    std::fs::write(docs.join(&page.path), &page.text).expect("the copied docs are writable");
}

/// Peak resident set size of this process, from /proc (Linux).
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
