//! The pipeline benchmark: `cargo xtask bench` (or `cargo bench -p docgen --bench pipeline`).
//!
//! Runs on the real docs (`GRAPH_DOCS`, default `../shared/graph-docs`) and
//! prints medians next to the floor measured in the same run: reading every
//! page and running pulldown-cmark over it, single-threaded, nothing else.
//! Measured, never asserted: the machines are shared and noisy.

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
    let out = std::env::temp_dir().join(format!("docgen-bench-{}", std::process::id()));
    let threads = rayon::current_num_threads();
    // First, while this process is small: a child's peak RSS counts what it
    // inherited at fork time.
    let child_peaks: Vec<Option<u64>> =
        VERSIONS.iter().map(|v| child_peak_rss_mb(&docs.join(v), &out.join("child").join(v))).collect();

    let floor = median(RUNS, || {
        for version in VERSIONS {
            let pages = read_docs(&docs.join(version)).expect("docs are readable");
            let events: usize = pages.iter().map(|p| markdown_events(&p.text)).sum();
            std::hint::black_box(events);
        }
    });

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
    let _ = std::fs::remove_dir_all(&out);
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
    // Cargo builds the binary for benchmarks and says where it is.
    let binary = env!("CARGO_BIN_EXE_docgen");
    let child = std::process::Command::new(binary)
        .args(["gen", "--features", "--standalone", "--docs"])
        .arg(docs)
        .arg("--out")
        .arg(out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    (waited == pid && status == 0).then_some(usage.ru_maxrss as u64 / 1024)
}

/// Peak resident set size of this process, from /proc (Linux).
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
