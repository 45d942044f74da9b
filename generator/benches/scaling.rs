//! Does the cost of a page grow linearly with its size?
//! `cargo bench -p docgen --bench scaling`
//!
//! Takes a page of median size from the real docs (`GRAPH_DOCS`, default
//! `../shared/graph-docs`; a built-in page when they are absent) and makes it
//! 1×, 10×, 100× and 1000× as large in two ways: the whole page repeated, and
//! its property table's rows repeated (with distinct names, so a resource gets
//! that many more properties). For each it prints the time and the peak heap
//! of `parse_page` + `lower`, and of the whole lint pipeline (parse, lower,
//! resolve, example checks). Linear means the per-KB columns stay flat.
//! Measured, never asserted: the machines are shared and noisy.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use docgen::source::{SourceFile, read_docs};

/// Counts live heap bytes and their peak, around the system allocator.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SCALES: [usize; 4] = [1, 10, 100, 1000];

/// Makes a page `scale` times as large.
type Grow = fn(&SourceFile, usize) -> SourceFile;

fn main() {
    let docs = std::env::var_os("GRAPH_DOCS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/graph-docs"));
    let (api, resource) = match (median_page(&docs.join("v1.0/api")), median_page(&docs.join("v1.0/resources"))) {
        (Some(api), Some(resource)) => (api, resource),
        _ => {
            println!("scaling: no docs at {} (set GRAPH_DOCS); using a built-in page", docs.display());
            (builtin(), builtin())
        }
    };
    println!(
        "pages of median size: {} ({} bytes), {} ({} bytes)",
        api.path,
        api.text.len(),
        resource.path,
        resource.text.len()
    );
    println!(
        "{:<28} {:>5} {:>10} | {:>10} {:>8} {:>9} {:>6} | {:>10} {:>8} {:>9}",
        "input", "scale", "bytes", "parse+lower", "µs/KB", "peak MB", "B/B", "lint", "µs/KB", "peak MB"
    );
    let shapes: [(&str, &SourceFile, Grow); 3] = [
        ("api page repeated", &api, repeat_page),
        ("resource page repeated", &resource, repeat_page),
        ("resource table rows repeated", &resource, repeat_rows),
    ];
    for (name, page, grow) in shapes {
        for scale in SCALES {
            let page = grow(page, scale);
            let runs = if scale >= 1000 { 3 } else { 7 };
            let (extract_time, extract_peak) = measure(runs, || {
                let (parsed, diagnostics) = docgen::parse::parse_page(&page.path, &page.text);
                let lowered = docgen::lower::lower(&parsed);
                std::hint::black_box((parsed, diagnostics, lowered));
            });
            let pages = std::slice::from_ref(&page);
            let (lint_time, lint_peak) = measure(runs, || {
                std::hint::black_box(docgen::lint::lint(pages, &()));
            });
            let kb = page.text.len() as f64 / 1024.0;
            println!(
                "{:<28} {:>4}× {:>10} | {:>10.2?} {:>8.1} {:>9.2} {:>6.1} | {:>10.2?} {:>8.1} {:>9.2}",
                name,
                scale,
                page.text.len(),
                extract_time,
                extract_time.as_secs_f64() * 1e6 / kb,
                extract_peak as f64 / 1e6,
                extract_peak as f64 / page.text.len() as f64,
                lint_time,
                lint_time.as_secs_f64() * 1e6 / kb,
                lint_peak as f64 / 1e6,
            );
        }
    }
    println!("B/B: peak heap bytes per input byte (the input itself is not counted)");
}

/// Median time of `runs` runs, and the largest heap growth seen during one.
fn measure(runs: usize, mut run: impl FnMut()) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let started = Instant::now();
        run();
        times.push(started.elapsed());
        peak = peak.max(PEAK.load(Ordering::Relaxed).saturating_sub(base));
    }
    times.sort();
    (times[times.len() / 2], peak)
}

/// The page of median size in a folder.
fn median_page(dir: &Path) -> Option<SourceFile> {
    let mut pages = read_docs(dir).ok()?;
    if pages.is_empty() {
        return None;
    }
    pages.sort_by_key(|p| (p.text.len(), p.path.clone()));
    let middle = pages.len() / 2;
    Some(pages.swap_remove(middle))
}

/// The page `scale` times over, one after the other.
fn repeat_page(page: &SourceFile, scale: usize) -> SourceFile {
    SourceFile::new(page.path.clone(), page.text.repeat(scale))
}

/// The page with every table row `|name|…` repeated `scale` times as `|nameN|…`.
fn repeat_rows(page: &SourceFile, scale: usize) -> SourceFile {
    let mut text = String::with_capacity(page.text.len() * scale);
    for line in page.text.lines() {
        let is_row = line.starts_with('|') && !line.contains("---") && line.matches('|').count() >= 3;
        let is_header = is_row && line.to_ascii_lowercase().contains("description");
        if !is_row || is_header {
            text.push_str(line);
            text.push('\n');
            continue;
        }
        let name_end = line[1..].find('|').map_or(line.len(), |i| i + 1);
        for n in 0..scale {
            text.push_str(&line[..name_end]);
            if n > 0 {
                text.push_str(&n.to_string());
            }
            text.push_str(&line[name_end..]);
            text.push('\n');
        }
    }
    SourceFile::new(page.path.clone(), text)
}

fn builtin() -> SourceFile {
    let text = "---\ndoc_type: resourcePageType\n---\n# widget resource type\n\nNamespace: microsoft.graph\n\nA widget.\n\n## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n|id|String|Key.|\n|name|String|Name.|\n|size|Int32|Size.|\n\n## JSON representation\n<!-- { \"blockType\": \"resource\", \"@odata.type\": \"microsoft.graph.widget\" } -->\n```json\n{ \"id\": \"String\", \"name\": \"String\", \"size\": 1 }\n```\n";
    SourceFile::new("resources/widget.md", text)
}
